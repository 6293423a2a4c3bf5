/* SPDX-License-Identifier: MIT */
/* ml-validate's work: one streaming pass that checks a CSV against a schema, profiles it, and tests drift. */
#ifndef MLCI_VALIDATE_H
#define MLCI_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "csv.h"
#include "profile.h"
#include "schema.h"

/* Statistics of one column: its settled type and its profile. */
struct mlci_colstats {
	char *name;
	enum mlci_type type;
	int sensitive;		/* the view shows no values */
	uint64_t invalid;	/* values that did not parse as the type */
	struct mlci_profile prof;
};

/* Statistics of a table: what --write-stats saves and --merge-stats merges. */
struct mlci_stats {
	uint64_t rows;
	struct mlci_colstats *cols;
	size_t ncols;
};

/* The format of a statistics file ({"mlci_stats": 1, ...}). */
#define MLCI_STATS_FORMAT 1

void mlci_stats_release(struct mlci_stats *s);

/* The column named name, or NULL (borrowed). */
struct mlci_colstats *mlci_stats_column(const struct mlci_stats *s,
					const char *name);

/*
 * validate.stats: {<column>: {type, count, missing, invalid, distinct, ...
 * the profile's view}} as a new object. A sensitive column shows counts
 * only: no values, quantiles, extremes or histogram.
 */
cJSON *mlci_stats_view(const struct mlci_stats *s);

/* Save s to path atomically, with every profile's mergeable state. */
int mlci_stats_write(const struct mlci_stats *s, const char *path);

/*
 * Read a statistics file into out (initialised here). Returns 0 or
 * -MLCI_EXIT_INPUT naming the file and the field.
 */
int mlci_stats_read(const char *path, struct mlci_stats *out);

/*
 * Merge from into into: rows add up, columns are matched by name (a
 * column only one side has is kept with its statistics). Returns 0, or
 * -MLCI_EXIT_INPUT when a column's types differ.
 */
int mlci_stats_merge(struct mlci_stats *into, const struct mlci_stats *from,
		     const char *what);

/* One failed check. */
struct mlci_violation {
	char *column;		/* NULL for table checks */
	const char *check;	/* static: "type", "not_null", ... */
	uint64_t count;
	size_t nexamples;
	uint64_t *rows;		/* data rows, from 1 */
	long *lines;		/* file lines where those rows start */
	char **values;		/* NULL entries for missing or sensitive */
	char *message;
};

struct mlci_validate_options {
	const struct mlci_schema *schema;	/* NULL: profile only */
	char delimiter;			/* 0: the schema's, else ',' */
	size_t max_record;		/* 0: the reader's default */
	const char *const *select;	/* overrides the schema's; NULL: its */
	size_t nselect;
	const struct mlci_rename *rename;	/* added to the schema's */
	size_t nrename;
	size_t max_examples;		/* rows shown per violation (0: 5) */
	const char *output_data;	/* write the processed CSV there */
	int exact;			/* keep every numeric value */
	int want_sha256;
	/*
	 * Types to read columns with (a reference read like the current
	 * data), by name; others are inferred. NULL: none.
	 */
	const struct mlci_stats *types_from;
};

#define MLCI_VALIDATE_OPTIONS_INIT { 0 }

struct mlci_validate_result {
	uint64_t rows;
	char sha256[65];
	int passes;		/* the data was read this many times */
	struct mlci_stats stats;	/* the output columns, in order */
	struct mlci_violation *violations;
	size_t nviolations;
};

/*
 * Read the CSV at path once (twice when a column without a declared type
 * turns out not to be numeric after all), check it against o->schema,
 * profile every output column, and write o->output_data. Returns 0 (the
 * verdict is r->nviolations), or a negative exit code for bad input
 * (message "FILE:LINE: ..."), with no output file left behind.
 */
int mlci_validate_file(const char *path, const struct mlci_validate_options *o,
		       struct mlci_validate_result *r);

void mlci_validate_result_release(struct mlci_validate_result *r);

/* validate.violations as a new array; sensitive columns show no values. */
cJSON *mlci_violations_json(const struct mlci_validate_result *r);

/* Options of the drift tests. */
struct mlci_drift_options {
	const struct mlci_schema *schema;	/* per-column settings */
	int has_test;			/* --drift-test */
	enum mlci_drift_test test;
	double threshold;		/* NAN: the test's default */
	double share;			/* dataset drift at this share (0.5) */
};

/*
 * Test every column of cur against ref; *out is validate.drift
 * ({ok, share, threshold, drifted_columns, columns {...}}), *drifted 1
 * for dataset drift. Warnings (small samples, columns only one side has)
 * go to stderr. Returns 0 or a negative exit code.
 */
int mlci_validate_drift(const struct mlci_stats *cur,
			const struct mlci_stats *ref,
			const struct mlci_drift_options *o, cJSON **out,
			int *drifted);

/*
 * The type to report for a column whose type was not declared: its
 * profile's, except that a string column with few distinct values (at
 * most MLCI_INFER_MAX_CATEGORIES, counted exactly, each seen twice on
 * average) is a category.
 */
enum mlci_type mlci_infer_type(const struct mlci_colstats *c);

/*
 * A schema that the data described by r passes: types, nullability,
 * ranges, domains of low-cardinality strings (at most
 * MLCI_INFER_MAX_CATEGORIES values), table rows {min: 1}. As YAML text
 * when yaml, else JSON. The caller's string.
 */
#define MLCI_INFER_MAX_CATEGORIES 20
char *mlci_infer_schema(const struct mlci_validate_result *r, int yaml);

#endif
