/* SPDX-License-Identifier: MIT */
/* A fitted preprocessing pipeline per column kind (scikit-learn's ColumnTransformer of SimpleImputer, scalers and OneHotEncoder). */
#ifndef MLCI_PREPROCESS_H
#define MLCI_PREPROCESS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "dataset.h"

/*
 * The pipeline is scikit-learn 1.2's
 *
 *   ColumnTransformer([
 *     ("num", Pipeline([SimpleImputer(strategy), StandardScaler() |
 *                       MinMaxScaler()]), numeric columns),
 *     ("cat", Pipeline([SimpleImputer(most_frequent | constant),
 *                       OneHotEncoder(handle_unknown)]), categorical columns)],
 *     verbose_feature_names_out=False)
 *
 * with each step optional. Output columns: the numeric columns in table
 * order, then the one-hot block of each categorical column in table order;
 * names as sklearn's get_feature_names_out() gives them here: "Age" for a
 * numeric column, "Home_owner" for category "owner" of column "Home", and
 * "Home_nan" for the missing-value category (a categorical column without
 * an imputer keeps missing as a category of its own, sorted last, as
 * OneHotEncoder does).
 *
 * The numbers follow sklearn's formulas step by step:
 *   mean: sum / count of the non-missing training values;
 *   median: numpy's median of them (mean of the two middle ones);
 *   most_frequent: the most frequent value, ties to the smallest (numbers
 *     by value, strings bytewise);
 *   constant: fill_value (numeric default 0, categorical "missing_value");
 *   standard: (x - mean) / scale, mean and variance with ddof 0 from the
 *     imputed training values by sklearn's corrected two-pass formula,
 *     scale = sqrt(var), 1 for a constant column (sklearn's
 *     _is_constant_feature and _handle_zeros_in_scale);
 *   minmax: x * scale + min with scale = 1 / (max - min), min = -min *
 *     scale (a range under 10 eps counts as 1, so a constant column gives
 *     0, as sklearn);
 *   one_hot: categories sorted bytewise; an unseen category gives a row
 *     of zeros (handle_unknown ignore) or an error (error).
 * Sums are compensated, so they may differ from numpy's in the last bits.
 */

enum mlci_impute {
	MLCI_IMPUTE_NONE = 0,
	MLCI_IMPUTE_MEAN,
	MLCI_IMPUTE_MEDIAN,
	MLCI_IMPUTE_MOST_FREQUENT,
	MLCI_IMPUTE_CONSTANT
};

enum mlci_scale {
	MLCI_SCALE_NONE = 0,
	MLCI_SCALE_STANDARD,
	MLCI_SCALE_MINMAX
};

enum mlci_unknown {
	MLCI_UNKNOWN_ERROR = 0,	/* sklearn's default */
	MLCI_UNKNOWN_IGNORE
};

/*
 * What to fit. Numeric columns: impute (mean, median, most_frequent,
 * constant with num_fill) then scale. Categorical columns: impute
 * (most_frequent, or constant with cat_fill; NULL: "missing_value"), then
 * one_hot, which is required: every model needs numbers.
 */
struct mlci_preprocess_options {
	enum mlci_impute num_impute;
	double num_fill;
	enum mlci_scale scale;
	enum mlci_impute cat_impute;
	const char *cat_fill;
	int one_hot;
	enum mlci_unknown handle_unknown;
	/*
	 * A missing numeric value without an imputer passes through as NaN
	 * (for models that handle missing values themselves, such as
	 * gradient boosting) instead of being an error; the scalers then fit
	 * on the values present.
	 */
	int keep_missing;
};

#define MLCI_PREPROCESS_OPTIONS_INIT { 0 }

/* The fitted steps of one input column. */
struct mlci_pp_column {
	char *name;
	enum mlci_column_kind kind;
	/* numeric: fill (when impute), then (x - center) / scale or x * scale + center */
	double fill;
	double center, scale;
	/* categorical: fill (when impute); categories sorted; nan_category: one more, last */
	char *fill_text;
	char **categories;
	size_t ncategories;
	int nan_category;
	size_t offset, width;	/* the output columns */
};

struct mlci_preprocess {
	enum mlci_impute num_impute;
	enum mlci_scale scale;
	enum mlci_impute cat_impute;
	int one_hot;
	enum mlci_unknown handle_unknown;
	int keep_missing;	/* state: numeric.missing "nan", written only when set */
	struct mlci_pp_column *cols;
	size_t ncols;
	char **feature_names;	/* nfeatures output names */
	size_t nfeatures;
};

/* Initialise an empty pipeline. */
void mlci_preprocess_init(struct mlci_preprocess *pp);

/* Free everything pp holds; it is empty and usable again. */
void mlci_preprocess_release(struct mlci_preprocess *pp);

/*
 * Fit pp (initialised; anything it held is released) on rows[0..nrows)
 * of ds (rows NULL: every row) with opt. Returns 0, or -MLCI_EXIT_INPUT
 * naming the column: a categorical column without one_hot, an imputer
 * strategy that does not apply to the kind (mean or median on
 * categories), a column with no value in the training rows under mean,
 * median or most_frequent, two output features with the same name, no
 * rows or no columns; -MLCI_EXIT_BUG for options out of range or a row
 * index past ds->nrows.
 */
int mlci_preprocess_fit(struct mlci_preprocess *pp,
			const struct mlci_preprocess_options *opt,
			const struct mlci_dataset *ds, const size_t *rows,
			size_t nrows);

/*
 * Transform rows[0..nrows) of ds (rows NULL: every row) into out, a
 * row-major nrows x pp->nfeatures matrix the caller allocated. Columns
 * are found by name, so ds may be another file than the one fitted on.
 * Returns 0, or -MLCI_EXIT_INPUT with a message: a column of the model
 * missing from ds (named), of the other kind, an unknown category under
 * handle_unknown error (file:line, column, value), a missing value in a
 * numeric column without an imputer (file:line, column); -MLCI_EXIT_BUG
 * for a row index past ds->nrows.
 */
int mlci_preprocess_transform(const struct mlci_preprocess *pp,
			      const struct mlci_dataset *ds,
			      const size_t *rows, size_t nrows, double *out);

/*
 * The values of feature j as ds holds them (nrows values), when pp passes
 * them through unchanged: a numeric column without scaling whose missing
 * values stay NaN or that has none. NULL otherwise. A model that reads
 * columns then needs no copy of them.
 */
const double *mlci_preprocess_column(const struct mlci_preprocess *pp,
				     const struct mlci_dataset *ds, size_t j);

/*
 * The fitted state as a new JSON object (the caller's), numbers exact
 * when printed with mlci_json_print().
 */
cJSON *mlci_preprocess_to_json(const struct mlci_preprocess *pp);

/*
 * Read a state written by mlci_preprocess_to_json() into pp
 * (initialised; anything it held is released). Strict: an unknown, missing
 * or mistyped field is -MLCI_EXIT_INPUT with its path named after what
 * ("model.json: preprocess.columns[2].scale: ..."); pp is then empty.
 */
int mlci_preprocess_from_json(struct mlci_preprocess *pp, const cJSON *obj,
			      const char *what);

/* The names used in configs and in the state: "mean", "standard", "ignore"... */
const char *mlci_impute_name(enum mlci_impute v);
const char *mlci_scale_name(enum mlci_scale v);
const char *mlci_unknown_name(enum mlci_unknown v);

/* Parse those names; 0 and *out set, or -1 for an unknown name. */
int mlci_impute_parse(const char *s, enum mlci_impute *out);
int mlci_scale_parse(const char *s, enum mlci_scale *out);
int mlci_unknown_parse(const char *s, enum mlci_unknown *out);

#endif
