/* SPDX-License-Identifier: MIT */
/* A CSV file loaded into a column-major table of numeric and categorical features and a target, for training and prediction. */
#ifndef MLCI_DATASET_H
#define MLCI_DATASET_H

#include <stddef.h>
#include <stdint.h>

/*
 * What a column holds. INFER (only in options) lets the loader decide: a
 * column is numeric unless some non-missing value is not a number.
 */
enum mlci_column_kind {
	MLCI_COLUMN_INFER = 0,
	MLCI_COLUMN_NUMERIC,
	MLCI_COLUMN_CATEGORICAL
};

/* What the target is: none (prediction), class labels, or numbers. */
enum mlci_task {
	MLCI_TASK_NONE = 0,
	MLCI_TASK_CLASSIFICATION,
	MLCI_TASK_REGRESSION
};

/*
 * A string table: every distinct value once, in order of first
 * appearance, with a hash index. Codes are indices into str[].
 */
struct mlci_strtab {
	char **str;
	size_t nr, alloc;
	uint32_t *slot;		/* 0: empty, else code + 1 */
	size_t nslots;		/* a power of 2, or 0 */
};

/* Initialise an empty table. */
void mlci_strtab_init(struct mlci_strtab *t);

/* Free the strings and the index; t is empty and usable again. */
void mlci_strtab_release(struct mlci_strtab *t);

/* The code of s[0..len) (NUL-free), adding a copy of it if it is new. */
int32_t mlci_strtab_intern(struct mlci_strtab *t, const char *s, size_t len);

/* The code of s, or -1 when the table does not hold it. */
int32_t mlci_strtab_find(const struct mlci_strtab *t, const char *s,
			 size_t len);

/*
 * One feature column. Exactly one of num and cat is set, after the kind:
 * num[row] is the value or NaN when missing; cat[row] is a code into
 * categories (first-appearance order) or -1 when missing.
 */
struct mlci_column {
	char *name;		/* after rename */
	char *source;		/* the name in the file's header */
	enum mlci_column_kind kind;	/* NUMERIC or CATEGORICAL */
	double *num;
	int32_t *cat;
	struct mlci_strtab categories;
	size_t nmissing;
};

/*
 * The table. Rows are the file's data rows in file order: row r (from 0)
 * is data row r + 1 and starts on file line line[r]. The target is not
 * among cols. Classification: classes[] sorted as numpy's np.unique sorts
 * the labels that pandas reads — numerically when every label is a number
 * (labels equal as numbers are one class, written as first seen), else
 * bytewise — and y_class[row] indexes them; regression: y[row].
 */
struct mlci_dataset {
	char *path;
	size_t nrows;
	long *line;
	struct mlci_column *cols;
	size_t ncols;

	char *target;		/* name after rename, or NULL */
	char *target_source;
	enum mlci_task task;
	double *y;
	int32_t *y_class;
	char **classes;
	size_t nclasses;
};

/*
 * How to load. Every name here is a name of the file's header (rename
 * only changes the names of the loaded table).
 *   target, task: the target column and what it is (NONE: no target).
 *   features, nfeatures: the feature columns in this order; NULL means
 *     "features: all" — every column but the target, in file order.
 *   rename_from/rename_to, nrename: new names for columns.
 *   kind_names/kinds, nkinds: declared kinds (from the record's
 *     data.columns); a column not listed, or listed as INFER, is inferred.
 *   missing_values, nmissing_values: texts read as missing besides the
 *     empty field (pandas' default list is not applied: "NA" is a value).
 *   delimiter: 0 for ','.
 * Numbers may have blanks around them. "nan", "inf", "infinity" (any case,
 * any sign) in a numeric column are refused: missing values are empty.
 */
struct mlci_dataset_options {
	const char *target;
	enum mlci_task task;
	const char *const *features;
	size_t nfeatures;
	const char *const *rename_from;
	const char *const *rename_to;
	size_t nrename;
	const char *const *kind_names;
	const enum mlci_column_kind *kinds;
	size_t nkinds;
	const char *const *missing_values;
	size_t nmissing_values;
	char delimiter;
};

#define MLCI_DATASET_OPTIONS_INIT { 0 }

/* Initialise an empty dataset (so that release is always safe). */
void mlci_dataset_init(struct mlci_dataset *ds);

/*
 * Load the CSV file at path (gzip read transparently, through lib/csv)
 * into ds, which must be initialised. Returns 0, or -MLCI_EXIT_INPUT with
 * a message: the file missing or malformed, a column named in opt absent
 * from the header (named), a header name twice among the loaded columns,
 * a row with the wrong number of fields (file:line), a value that is not
 * a number in a declared-numeric column or in a regression target
 * (file:line, column, value), NaN or Inf text in a numeric column, a
 * target with missing values (count and the first row numbers), no data
 * rows, two loaded columns with the same name after rename;
 * -MLCI_EXIT_SYSTEM on a read error. On failure ds holds nothing (it is
 * released).
 */
int mlci_dataset_load(struct mlci_dataset *ds, const char *path,
		      const struct mlci_dataset_options *opt);

/* The index in ds->cols of the column named name (after rename), or -1. */
int mlci_dataset_find(const struct mlci_dataset *ds, const char *name);

/* The name of a kind: "numeric", "categorical" or "infer". */
const char *mlci_column_kind_name(enum mlci_column_kind kind);

/*
 * The kind that a record's data.columns type gives: integer and number
 * are numeric; category, string and boolean categorical; anything else
 * (NULL included) INFER.
 */
enum mlci_column_kind mlci_column_kind_from_type(const char *type);

/* Free everything ds holds; it is empty and usable again. */
void mlci_dataset_release(struct mlci_dataset *ds);

#endif
