/* SPDX-License-Identifier: MIT */
/* ml-validate's schema: column types and checks, table checks, parser settings; loaded from YAML or JSON. */
#ifndef MLCI_SCHEMA_H
#define MLCI_SCHEMA_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "drift.h"

/*
 * The file format (schemas/validate-schema.schema.json is its JSON Schema,
 * ml-validate(1) the prose):
 *
 *   columns:
 *     <name>: {type, required, nullable, max_missing_fraction, sensitive,
 *              min, max, values, min_domain_fraction, pattern, unique,
 *              mostly, drift}
 *   table: {rows: {min, max}, strict, ordered, drift_share}
 *   parser: {delimiter, select, rename, missing_values}
 *
 * Column names are those after the parser's select and rename. Unknown
 * keys are errors, so a typo never silently disables a check.
 */

enum mlci_type {
	MLCI_TYPE_INTEGER,
	MLCI_TYPE_NUMBER,
	MLCI_TYPE_STRING,
	MLCI_TYPE_BOOLEAN,
	MLCI_TYPE_CATEGORY
};

/* "integer", "number", "string", "boolean", "category". */
const char *mlci_type_name(enum mlci_type t);
/* Parse a type name into *out: 0, or -1 silently. */
int mlci_type_parse(const char *name, enum mlci_type *out);
/* 1 for integer and number: values are profiled as numbers. */
int mlci_type_is_numeric(enum mlci_type t);

/* A set of strings with a fast membership test (a domain). */
struct mlci_strset {
	char **items;		/* in the order given */
	size_t *lens;
	size_t n;
	uint32_t *slots;	/* open addressing: item index + 1, 0 empty */
	size_t nslots;
};

/* Add s[0..len) (copied); duplicates are ignored. */
void mlci_strset_add(struct mlci_strset *set, const char *s, size_t len);
/* 1 when s[0..len) is in the set. */
int mlci_strset_has(const struct mlci_strset *set, const char *s, size_t len);
void mlci_strset_release(struct mlci_strset *set);

struct mlci_schema_column {
	char *name;
	long line;			/* where the schema defines it */
	enum mlci_type type;
	int required;			/* default 1: the column must exist */
	int nullable;			/* default 1 */
	double max_missing_fraction;	/* NAN: not set */
	int sensitive;
	int has_min, has_max;
	double min, max;
	int has_values;
	struct mlci_strset values;
	double min_domain_fraction;	/* default 1 */
	double mostly;			/* default 1: type, range, pattern */
	char *pattern;			/* NULL: none; matched whole */
	regex_t re;
	int unique;
	int drift;			/* default 1; 0: never tested */
	int has_drift_test;
	enum mlci_drift_test drift_test;
	double drift_threshold;		/* NAN: the test's default */
};

/* A source -> target column renaming. */
struct mlci_rename {
	char *from, *to;
};

struct mlci_schema {
	char *path;			/* NULL when built in memory */
	struct mlci_schema_column *columns;
	size_t ncolumns, columns_alloc;
	int has_min_rows, has_max_rows;
	uint64_t min_rows, max_rows;
	int strict;			/* no columns beyond the schema */
	int ordered;			/* columns in the schema's order */
	double drift_share;		/* NAN: not set */
	/* Parser settings. */
	char delimiter;			/* 0: not set */
	char **select;			/* source names to keep; NULL: all */
	size_t nselect;
	struct mlci_rename *rename;
	size_t nrename;
	struct mlci_strset missing_values;	/* besides the empty field */
};

#define MLCI_SCHEMA_INIT { 0 }

/*
 * Load the schema at path (YAML or JSON, through lib/config) into s
 * (initialised here). Returns 0, or -MLCI_EXIT_INPUT with a message
 * "FILE:LINE: what" (a file that does not parse, an unknown key or type,
 * a wrong value, a regex that does not compile, a duplicate column).
 * s must be released either way.
 */
int mlci_schema_load(const char *path, struct mlci_schema *s);

/*
 * The same from an already parsed document; cfg (may be NULL) gives line
 * numbers for messages.
 */
struct mlci_config;
int mlci_schema_from_json(const cJSON *root, struct mlci_config *cfg,
			  struct mlci_schema *s);

/* The column named name, or NULL (borrowed). */
const struct mlci_schema_column *mlci_schema_column(const struct mlci_schema *s,
						    const char *name);

/* Free what s holds. */
void mlci_schema_release(struct mlci_schema *s);

/*
 * 1 when the whole of s[0..len) (NUL-terminated at len) matches the
 * column's pattern (or it has none).
 */
int mlci_schema_match(const struct mlci_schema_column *c, const char *s);

#endif
