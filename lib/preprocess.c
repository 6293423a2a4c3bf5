/* SPDX-License-Identifier: MIT */
/* Fit and apply the preprocessing pipeline per column kind, with sklearn's formulas, and keep its state as JSON. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "ksum.h"
#include "preprocess.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

#define DEFAULT_CAT_FILL "missing_value"

static const char *const impute_names[] = {
	"none", "mean", "median", "most_frequent", "constant"
};
static const char *const scale_names[] = { "none", "standard", "minmax" };
static const char *const unknown_names[] = { "error", "ignore" };

#define NAMES(a) (sizeof(a) / sizeof(*(a)))

static int parse_name(const char *const *names, size_t n, const char *s,
		      int *out)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(names[i], s)) {
			*out = (int)i;
			return 0;
		}
	return -1;
}

const char *mlci_impute_name(enum mlci_impute v)
{
	return (size_t)v < NAMES(impute_names) ? impute_names[v] : "?";
}

const char *mlci_scale_name(enum mlci_scale v)
{
	return (size_t)v < NAMES(scale_names) ? scale_names[v] : "?";
}

const char *mlci_unknown_name(enum mlci_unknown v)
{
	return (size_t)v < NAMES(unknown_names) ? unknown_names[v] : "?";
}

int mlci_impute_parse(const char *s, enum mlci_impute *out)
{
	int v;

	if (parse_name(impute_names, NAMES(impute_names), s, &v))
		return -1;
	*out = (enum mlci_impute)v;
	return 0;
}

int mlci_scale_parse(const char *s, enum mlci_scale *out)
{
	int v;

	if (parse_name(scale_names, NAMES(scale_names), s, &v))
		return -1;
	*out = (enum mlci_scale)v;
	return 0;
}

int mlci_unknown_parse(const char *s, enum mlci_unknown *out)
{
	int v;

	if (parse_name(unknown_names, NAMES(unknown_names), s, &v))
		return -1;
	*out = (enum mlci_unknown)v;
	return 0;
}

void mlci_preprocess_init(struct mlci_preprocess *pp)
{
	memset(pp, 0, sizeof(*pp));
}

static void pp_column_release(struct mlci_pp_column *c)
{
	size_t i;

	free(c->name);
	free(c->fill_text);
	for (i = 0; i < c->ncategories; i++)
		free(c->categories[i]);
	free(c->categories);
}

void mlci_preprocess_release(struct mlci_preprocess *pp)
{
	size_t i;

	for (i = 0; i < pp->ncols; i++)
		pp_column_release(&pp->cols[i]);
	free(pp->cols);
	for (i = 0; i < pp->nfeatures; i++)
		free(pp->feature_names[i]);
	free(pp->feature_names);
	mlci_preprocess_init(pp);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t row_at(const size_t *rows, size_t i)
{
	return rows ? rows[i] : i;
}

static int check_rows(const struct mlci_dataset *ds, const size_t *rows,
		      size_t nrows)
{
	size_t i;

	for (i = 0; rows && i < nrows; i++)
		if (rows[i] >= ds->nrows)
			return mlci_error(MLCI_EXIT_BUG,
					  "row index %zu past the %zu rows of %s",
					  rows[i], ds->nrows, ds->path);
	return 0;
}

/* The imputed value of a numeric column over the training rows; 0 or an error. */
static int fit_numeric_fill(struct mlci_pp_column *pc,
			    const struct mlci_preprocess_options *opt,
			    const struct mlci_column *c, const size_t *rows,
			    size_t nrows)
{
	double *v;
	size_t i, n = 0;

	if (opt->num_impute == MLCI_IMPUTE_NONE) {
		pc->fill = NAN;
		return 0;
	}
	if (opt->num_impute == MLCI_IMPUTE_CONSTANT) {
		pc->fill = opt->num_fill;
		return 0;
	}
	v = xmalloc((nrows ? nrows : 1) * sizeof(*v));
	for (i = 0; i < nrows; i++) {
		double x = c->num[row_at(rows, i)];

		if (!isnan(x))
			v[n++] = x;
	}
	if (!n) {
		free(v);
		return mlci_error(MLCI_EXIT_INPUT,
				  "column '%s' has no value in the training rows to impute from (%s)",
				  c->name, mlci_impute_name(opt->num_impute));
	}
	if (opt->num_impute == MLCI_IMPUTE_MEAN) {
		struct mlci_ksum k = { 0, 0 };

		for (i = 0; i < n; i++)
			mlci_ksum_add(&k, v[i]);
		pc->fill = mlci_ksum_get(&k) / (double)n;
	} else if (opt->num_impute == MLCI_IMPUTE_MEDIAN) {
		qsort(v, n, sizeof(*v), cmp_double);
		pc->fill = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	} else {
		size_t best = 0, run;

		qsort(v, n, sizeof(*v), cmp_double);
		/* Runs in ascending order: a later run must be longer to win. */
		for (i = 0; i < n; i += run) {
			for (run = 1; i + run < n && v[i + run] == v[i]; run++)
				;
			if (run > best) {
				best = run;
				pc->fill = v[i];
			}
		}
	}
	free(v);
	return 0;
}

static int fit_numeric(struct mlci_pp_column *pc,
		       const struct mlci_preprocess_options *opt,
		       const struct mlci_column *c, const size_t *rows,
		       size_t nrows)
{
	double *v;
	size_t i, nall = nrows;
	int ret;

	if ((ret = fit_numeric_fill(pc, opt, c, rows, nrows)))
		return ret;
	pc->center = 0;
	pc->scale = 1;
	v = xmalloc((nrows ? nrows : 1) * sizeof(*v));
	for (i = nrows = 0; i < nall; i++) {
		v[nrows] = c->num[row_at(rows, i)];
		if (isnan(v[nrows]) && isnan(pc->fill) && opt->keep_missing)
			continue;	/* the scalers fit on the values present */
		if (isnan(v[nrows])) {
			if (isnan(pc->fill)) {
				free(v);
				return mlci_error(MLCI_EXIT_INPUT,
						  "column '%s' has missing values and no imputer (set impute for numeric columns)",
						  c->name);
			}
			v[nrows] = pc->fill;
		}
		nrows++;
	}
	if (!nrows && opt->scale != MLCI_SCALE_NONE) {
		free(v);
		return mlci_error(MLCI_EXIT_INPUT,
				  "column '%s' has no value in the training rows to scale",
				  c->name);
	}
	if (opt->scale == MLCI_SCALE_STANDARD) {
		struct mlci_ksum sum = { 0, 0 }, corr = { 0, 0 }, sq = { 0, 0 };
		double n = (double)nrows, mean, var, scale, eps = DBL_EPSILON;

		for (i = 0; i < nrows; i++)
			mlci_ksum_add(&sum, v[i]);
		mean = mlci_ksum_get(&sum) / n;
		/* sklearn's _incremental_mean_and_var on one batch. */
		for (i = 0; i < nrows; i++) {
			double d = v[i] - mean;

			mlci_ksum_add(&corr, d);
			mlci_ksum_add(&sq, d * d);
		}
		var = (mlci_ksum_get(&sq) - mlci_ksum_get(&corr) * mlci_ksum_get(&corr) / n) / n;
		scale = sqrt(var);
		if (var <= n * eps * var + (n * mean * eps) * (n * mean * eps))
			scale = 1;
		pc->center = mean;
		pc->scale = scale;
	} else if (opt->scale == MLCI_SCALE_MINMAX) {
		double lo = v[0], hi = v[0], range;

		for (i = 1; i < nrows; i++) {
			if (v[i] < lo)
				lo = v[i];
			if (v[i] > hi)
				hi = v[i];
		}
		range = hi - lo;
		if (range < 10 * DBL_EPSILON)
			range = 1;
		pc->scale = 1.0 / range;
		pc->center = 0 - lo * pc->scale;
	}
	free(v);
	pc->width = 1;
	return 0;
}

/* Index of s in the sorted categories, or -1. */
static long find_category(const struct mlci_pp_column *pc, const char *s)
{
	size_t lo = 0, hi = pc->ncategories;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(pc->categories[mid], s);

		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int fit_categorical(struct mlci_pp_column *pc,
			   const struct mlci_preprocess_options *opt,
			   const struct mlci_column *c, const size_t *rows,
			   size_t nrows)
{
	const struct mlci_strtab *t = &c->categories;
	size_t *count = xcalloc(t->nr + 1, sizeof(*count));
	size_t i, nmissing = 0, ncat = 0;
	char **cat;

	for (i = 0; i < nrows; i++) {
		int32_t code = c->cat[row_at(rows, i)];

		if (code < 0)
			nmissing++;
		else
			count[code]++;
	}
	if (opt->cat_impute == MLCI_IMPUTE_MOST_FREQUENT) {
		long best = -1;

		for (i = 0; i < t->nr; i++) {
			if (!count[i])
				continue;
			if (best < 0 || count[i] > count[best] ||
			    (count[i] == count[best] &&
			     strcmp(t->str[i], t->str[best]) < 0))
				best = (long)i;
		}
		if (best < 0) {
			free(count);
			return mlci_error(MLCI_EXIT_INPUT,
					  "column '%s' has no value in the training rows to impute from (most_frequent)",
					  c->name);
		}
		pc->fill_text = xstrdup(t->str[best]);
	} else if (opt->cat_impute == MLCI_IMPUTE_CONSTANT) {
		pc->fill_text = xstrdup(opt->cat_fill ? opt->cat_fill :
					DEFAULT_CAT_FILL);
	} else if (opt->cat_impute != MLCI_IMPUTE_NONE) {
		free(count);
		return mlci_error(MLCI_EXIT_INPUT,
				  "column '%s' is categorical: impute '%s' applies to numbers (use most_frequent or constant)",
				  c->name, mlci_impute_name(opt->cat_impute));
	}

	cat = xcalloc(t->nr + 2, sizeof(*cat));
	for (i = 0; i < t->nr; i++)
		if (count[i])
			cat[ncat++] = xstrdup(t->str[i]);
	if (nmissing && pc->fill_text) {
		for (i = 0; i < ncat; i++)
			if (!strcmp(cat[i], pc->fill_text))
				break;
		if (i == ncat)
			cat[ncat++] = xstrdup(pc->fill_text);
	}
	qsort(cat, ncat, sizeof(*cat), cmp_str);
	pc->categories = cat;
	pc->ncategories = ncat;
	pc->nan_category = nmissing && !pc->fill_text;
	pc->width = ncat + !!pc->nan_category;
	free(count);
	return 0;
}

/* Output names; two equal names are an error. */
static int make_names(struct mlci_preprocess *pp)
{
	size_t i, j, n = 0;

	for (i = 0; i < pp->ncols; i++)
		n += pp->cols[i].width;
	pp->feature_names = xcalloc(n + 1, sizeof(*pp->feature_names));
	for (i = 0; i < pp->ncols; i++) {
		const struct mlci_pp_column *c = &pp->cols[i];

		if (c->kind == MLCI_COLUMN_NUMERIC) {
			pp->feature_names[pp->nfeatures++] = xstrdup(c->name);
			continue;
		}
		for (j = 0; j < c->ncategories; j++)
			pp->feature_names[pp->nfeatures++] =
				xstrfmt("%s_%s", c->name, c->categories[j]);
		if (c->nan_category)
			pp->feature_names[pp->nfeatures++] =
				xstrfmt("%s_nan", c->name);
	}
	/* Few features in practice; a sort would lose the order. */
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(pp->feature_names[i], pp->feature_names[j]))
				return mlci_error(MLCI_EXIT_INPUT,
						  "two output features named '%s' (rename a column)",
						  pp->feature_names[i]);
	return 0;
}

int mlci_preprocess_fit(struct mlci_preprocess *pp,
			const struct mlci_preprocess_options *opt,
			const struct mlci_dataset *ds, const size_t *rows,
			size_t nrows)
{
	struct mlci_preprocess_options defaults = MLCI_PREPROCESS_OPTIONS_INIT;
	size_t i, k, offset = 0;
	int ret = 0;

	if (!opt)
		opt = &defaults;
	mlci_preprocess_release(pp);
	if ((size_t)opt->num_impute >= NAMES(impute_names) ||
	    (size_t)opt->cat_impute >= NAMES(impute_names) ||
	    (size_t)opt->scale >= NAMES(scale_names) ||
	    (size_t)opt->handle_unknown >= NAMES(unknown_names))
		return mlci_error(MLCI_EXIT_BUG, "preprocess options out of range");
	if (!rows)
		nrows = ds->nrows;
	if ((ret = check_rows(ds, rows, nrows)))
		return ret;
	if (!nrows)
		return mlci_error(MLCI_EXIT_INPUT, "no training rows to fit the preprocessing on");
	if (!ds->ncols)
		return mlci_error(MLCI_EXIT_INPUT, "no feature columns");
	pp->num_impute = opt->num_impute;
	pp->scale = opt->scale;
	pp->cat_impute = opt->cat_impute;
	pp->one_hot = !!opt->one_hot;
	pp->handle_unknown = opt->handle_unknown;
	pp->keep_missing = !!opt->keep_missing;
	pp->cols = xcalloc(ds->ncols, sizeof(*pp->cols));
	/* Numeric columns first, then categorical ones, as ColumnTransformer. */
	for (k = 0; k < 2 && !ret; k++) {
		enum mlci_column_kind kind = k ? MLCI_COLUMN_CATEGORICAL :
			MLCI_COLUMN_NUMERIC;

		for (i = 0; i < ds->ncols && !ret; i++) {
			const struct mlci_column *c = &ds->cols[i];
			struct mlci_pp_column *pc;

			if (c->kind != kind)
				continue;
			if (kind == MLCI_COLUMN_CATEGORICAL && !opt->one_hot) {
				ret = mlci_error(MLCI_EXIT_INPUT,
						 "column '%s' is categorical: the models need numbers, so set one_hot for categorical columns",
						 c->name);
				break;
			}
			pc = &pp->cols[pp->ncols++];
			pc->name = xstrdup(c->name);
			pc->kind = kind;
			pc->offset = offset;
			ret = kind == MLCI_COLUMN_NUMERIC ?
				fit_numeric(pc, opt, c, rows, nrows) :
				fit_categorical(pc, opt, c, rows, nrows);
			offset += pc->width;
		}
	}
	if (!ret)
		ret = make_names(pp);
	if (ret)
		mlci_preprocess_release(pp);
	return ret;
}

static int transform_numeric(const struct mlci_preprocess *pp,
			     const struct mlci_pp_column *pc,
			     const struct mlci_dataset *ds,
			     const struct mlci_column *c, const size_t *rows,
			     size_t nrows, double *out)
{
	size_t i, p = pp->nfeatures;

	for (i = 0; i < nrows; i++) {
		size_t r = row_at(rows, i);
		double x = c->num[r];

		if (isnan(x) && isnan(pc->fill) && pp->keep_missing) {
			out[i * p + pc->offset] = NAN;
			continue;
		}
		if (isnan(x)) {
			if (isnan(pc->fill))
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s:%ld: column '%s': a missing value, and no imputer for numeric columns",
						  ds->path, ds->line[r], c->name);
			x = pc->fill;
		}
		if (pp->scale == MLCI_SCALE_STANDARD) {
			x -= pc->center;
			x /= pc->scale;
		} else if (pp->scale == MLCI_SCALE_MINMAX) {
			x *= pc->scale;
			x += pc->center;
		}
		out[i * p + pc->offset] = x;
	}
	return 0;
}

static int transform_categorical(const struct mlci_preprocess *pp,
				 const struct mlci_pp_column *pc,
				 const struct mlci_dataset *ds,
				 const struct mlci_column *c,
				 const size_t *rows, size_t nrows, double *out)
{
	const struct mlci_strtab *t = &c->categories;
	long *map = xmalloc((t->nr + 1) * sizeof(*map));
	long fill = -1;
	size_t i, j, p = pp->nfeatures;
	int ret = 0;

	/* map[code]: the output column, or -1 for a category not fitted. */
	for (i = 0; i < t->nr; i++)
		map[i] = find_category(pc, t->str[i]);
	if (pc->fill_text)
		fill = find_category(pc, pc->fill_text);
	else if (pc->nan_category)
		fill = (long)pc->ncategories;
	for (i = 0; i < nrows; i++) {
		size_t r = row_at(rows, i);
		int32_t code = c->cat[r];
		long k = code < 0 ? fill : map[code];
		double *o = out + i * p + pc->offset;

		for (j = 0; j < pc->width; j++)
			o[j] = 0;
		if (k >= 0) {
			o[k] = 1;
			continue;
		}
		if (pp->handle_unknown == MLCI_UNKNOWN_IGNORE)
			continue;
		if (code < 0 && pc->fill_text)
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s:%ld: column '%s': unknown category '%s' (the imputed value; handle_unknown: error)",
					 ds->path, ds->line[r], c->name,
					 pc->fill_text);
		else if (code < 0)
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s:%ld: column '%s': a missing value, never seen in training (handle_unknown: error)",
					 ds->path, ds->line[r], c->name);
		else
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s:%ld: column '%s': unknown category '%s' (handle_unknown: error)",
					 ds->path, ds->line[r], c->name,
					 t->str[code]);
		break;
	}
	free(map);
	return ret;
}

/* Rows per block: a block's output stays in cache while every column is written. */
#define TRANSFORM_BLOCK 256

int mlci_preprocess_transform(const struct mlci_preprocess *pp,
			      const struct mlci_dataset *ds,
			      const size_t *rows, size_t nrows, double *out)
{
	const struct mlci_column **cols;
	size_t i, start, idx[TRANSFORM_BLOCK];
	int ret = 0;

	if (!rows)
		nrows = ds->nrows;
	if ((ret = check_rows(ds, rows, nrows)))
		return ret;
	cols = xcalloc(pp->ncols + 1, sizeof(*cols));
	for (i = 0; i < pp->ncols; i++) {
		const struct mlci_pp_column *pc = &pp->cols[i];
		int k = mlci_dataset_find(ds, pc->name);

		if (k < 0) {
			ret = mlci_error(MLCI_EXIT_INPUT, "%s: no column '%s'",
					 ds->path, pc->name);
			goto out;
		}
		cols[i] = &ds->cols[k];
		if (cols[i]->kind != pc->kind) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s: column '%s' is %s, the model has it %s",
					 ds->path, pc->name,
					 mlci_column_kind_name(cols[i]->kind),
					 mlci_column_kind_name(pc->kind));
			goto out;
		}
	}
	for (start = 0; start < nrows; start += TRANSFORM_BLOCK) {
		size_t m = nrows - start < TRANSFORM_BLOCK ? nrows - start
			: TRANSFORM_BLOCK;
		const size_t *br = rows ? rows + start : idx;
		double *bout = out + start * pp->nfeatures;

		for (i = 0; !rows && i < m; i++)
			idx[i] = start + i;
		for (i = 0; i < pp->ncols; i++) {
			const struct mlci_pp_column *pc = &pp->cols[i];

			ret = pc->kind == MLCI_COLUMN_NUMERIC ?
				transform_numeric(pp, pc, ds, cols[i], br, m, bout) :
				transform_categorical(pp, pc, ds, cols[i], br, m, bout);
			if (ret)
				goto out;
		}
	}
out:
	free(cols);
	return ret;
}

const double *mlci_preprocess_column(const struct mlci_preprocess *pp,
				     const struct mlci_dataset *ds, size_t j)
{
	const struct mlci_pp_column *pc = NULL;
	const struct mlci_column *c;
	size_t i;
	int k;

	for (i = 0; i < pp->ncols && !pc; i++)
		if (pp->cols[i].offset == j && pp->cols[i].width == 1)
			pc = &pp->cols[i];
	if (!pc || pc->kind != MLCI_COLUMN_NUMERIC ||
	    pp->scale != MLCI_SCALE_NONE ||
	    (k = mlci_dataset_find(ds, pc->name)) < 0)
		return NULL;
	c = &ds->cols[k];
	if (c->kind != MLCI_COLUMN_NUMERIC ||
	    (c->nmissing && !(isnan(pc->fill) && pp->keep_missing)))
		return NULL;
	return c->num;
}

cJSON *mlci_preprocess_to_json(const struct mlci_preprocess *pp)
{
	cJSON *obj = cJSON_CreateObject(), *num, *cat, *cols, *names;
	size_t i, j;

	if (!obj)
		mlci_die("out of memory");
	num = cJSON_AddObjectToObject(obj, "numeric");
	cat = cJSON_AddObjectToObject(obj, "categorical");
	cols = cJSON_AddArrayToObject(obj, "columns");
	names = cJSON_AddArrayToObject(obj, "features");
	if (!num || !cat || !cols || !names)
		mlci_die("out of memory");
	mlci_json_set_string(num, "impute", mlci_impute_name(pp->num_impute));
	mlci_json_set_string(num, "scale", mlci_scale_name(pp->scale));
	if (pp->keep_missing)
		mlci_json_set_string(num, "missing", "nan");
	mlci_json_set_string(cat, "impute", mlci_impute_name(pp->cat_impute));
	mlci_json_set_bool(cat, "one_hot", pp->one_hot);
	mlci_json_set_string(cat, "handle_unknown",
			     mlci_unknown_name(pp->handle_unknown));
	for (i = 0; i < pp->ncols; i++) {
		const struct mlci_pp_column *c = &pp->cols[i];
		cJSON *o = cJSON_CreateObject(), *a;

		if (!o)
			mlci_die("out of memory");
		cJSON_AddItemToArray(cols, o);
		mlci_json_set_string(o, "name", c->name);
		mlci_json_set_string(o, "kind", mlci_column_kind_name(c->kind));
		if (c->kind == MLCI_COLUMN_NUMERIC) {
			if (pp->num_impute != MLCI_IMPUTE_NONE)
				mlci_json_set_number(o, "fill", c->fill);
			if (pp->scale != MLCI_SCALE_NONE) {
				mlci_json_set_number(o, "center", c->center);
				mlci_json_set_number(o, "scale", c->scale);
			}
			continue;
		}
		if (c->fill_text)
			mlci_json_set_string(o, "fill", c->fill_text);
		a = cJSON_AddArrayToObject(o, "categories");
		if (!a)
			mlci_die("out of memory");
		for (j = 0; j < c->ncategories; j++) {
			cJSON *s = cJSON_CreateString(c->categories[j]);

			if (!s)
				mlci_die("out of memory");
			cJSON_AddItemToArray(a, s);
		}
		mlci_json_set_bool(o, "nan_category", c->nan_category);
	}
	for (i = 0; i < pp->nfeatures; i++) {
		cJSON *s = cJSON_CreateString(pp->feature_names[i]);

		if (!s)
			mlci_die("out of memory");
		cJSON_AddItemToArray(names, s);
	}
	return obj;
}

/* Strict reading: every key known, every required one present. */
struct reader {
	const char *what;
	struct strbuf path;
};

static int bad(struct reader *r, const char *key, const char *why)
{
	return mlci_error(MLCI_EXIT_INPUT, "%s: %s%s%s: %s", r->what,
			  r->path.buf, r->path.len && key ? "." : "",
			  key ? key : "", why);
}

static int only_keys(struct reader *r, const cJSON *obj,
		     const char *const *keys)
{
	const cJSON *it;
	size_t i;

	if (!cJSON_IsObject(obj))
		return bad(r, NULL, "not an object");
	if (mlci_json_duplicate_key(obj))
		return bad(r, mlci_json_duplicate_key(obj), "appears twice");
	cJSON_ArrayForEach(it, obj) {
		for (i = 0; keys[i]; i++)
			if (!strcmp(it->string, keys[i]))
				break;
		if (!keys[i])
			return bad(r, it->string, "unknown field");
	}
	return 0;
}

static int get_name(struct reader *r, const cJSON *obj, const char *key,
		    const char *const *names, size_t n, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return bad(r, key, "missing");
	if (!cJSON_IsString(v) || parse_name(names, n, v->valuestring, out))
		return bad(r, key, "not one of the known names");
	return 0;
}

static int get_bool(struct reader *r, const cJSON *obj, const char *key,
		    int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return bad(r, key, "missing");
	if (!cJSON_IsBool(v))
		return bad(r, key, "not true or false");
	*out = cJSON_IsTrue(v);
	return 0;
}

static int get_num(struct reader *r, const cJSON *obj, const char *key,
		   double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return bad(r, key, "missing");
	if (mlci_json_get_number(obj, key, out))
		return bad(r, key, "not a finite number");
	return 0;
}

static int get_str(struct reader *r, const cJSON *obj, const char *key,
		   const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return bad(r, key, "missing");
	if (!cJSON_IsString(v))
		return bad(r, key, "not a string");
	*out = v->valuestring;
	return 0;
}

static int read_column(struct reader *r, struct mlci_preprocess *pp,
		       const cJSON *o, struct mlci_pp_column *c)
{
	static const char *const num_keys[] = {
		"name", "kind", "fill", "center", "scale", NULL
	};
	static const char *const cat_keys[] = {
		"name", "kind", "fill", "categories", "nan_category", NULL
	};
	const char *s;
	const cJSON *a, *it;
	int kind, ret;

	if (!cJSON_IsObject(o))
		return bad(r, NULL, "not an object");
	if ((ret = get_str(r, o, "name", &s)))
		return ret;
	c->name = xstrdup(s);
	{
		static const char *const kinds[] = {
			"infer", "numeric", "categorical"
		};

		if ((ret = get_name(r, o, "kind", kinds, 3, &kind)))
			return ret;
		if (!kind)
			return bad(r, "kind", "neither numeric nor categorical");
	}
	c->kind = (enum mlci_column_kind)kind;
	if (c->kind == MLCI_COLUMN_NUMERIC) {
		if ((ret = only_keys(r, o, num_keys)))
			return ret;
		c->fill = NAN;
		c->center = 0;
		c->scale = 1;
		if (pp->num_impute != MLCI_IMPUTE_NONE &&
		    (ret = get_num(r, o, "fill", &c->fill)))
			return ret;
		if (pp->num_impute == MLCI_IMPUTE_NONE &&
		    cJSON_GetObjectItemCaseSensitive(o, "fill"))
			return bad(r, "fill", "set, but numeric impute is none");
		if (pp->scale != MLCI_SCALE_NONE) {
			if ((ret = get_num(r, o, "center", &c->center)) ||
			    (ret = get_num(r, o, "scale", &c->scale)))
				return ret;
			if (c->scale == 0)
				return bad(r, "scale", "zero");
		} else if (cJSON_GetObjectItemCaseSensitive(o, "center") ||
			   cJSON_GetObjectItemCaseSensitive(o, "scale")) {
			return bad(r, "scale", "set, but scale is none");
		}
		c->width = 1;
		return 0;
	}
	if ((ret = only_keys(r, o, cat_keys)))
		return ret;
	if (pp->cat_impute != MLCI_IMPUTE_NONE) {
		if ((ret = get_str(r, o, "fill", &s)))
			return ret;
		c->fill_text = xstrdup(s);
	} else if (cJSON_GetObjectItemCaseSensitive(o, "fill")) {
		return bad(r, "fill", "set, but categorical impute is none");
	}
	a = cJSON_GetObjectItemCaseSensitive(o, "categories");
	if (!a)
		return bad(r, "categories", "missing");
	if (!cJSON_IsArray(a))
		return bad(r, "categories", "not an array");
	c->categories = xcalloc((size_t)cJSON_GetArraySize(a) + 1,
				sizeof(*c->categories));
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it))
			return bad(r, "categories", "holds a non-string");
		if (c->ncategories &&
		    strcmp(c->categories[c->ncategories - 1],
			   it->valuestring) >= 0)
			return bad(r, "categories", "not sorted, or a value twice");
		c->categories[c->ncategories++] = xstrdup(it->valuestring);
	}
	if ((ret = get_bool(r, o, "nan_category", &c->nan_category)))
		return ret;
	if (c->nan_category && c->fill_text)
		return bad(r, "nan_category", "true with an imputer");
	c->width = c->ncategories + !!c->nan_category;
	if (!c->width)
		return bad(r, "categories", "empty");
	return 0;
}

int mlci_preprocess_from_json(struct mlci_preprocess *pp, const cJSON *obj,
			      const char *what)
{
	static const char *const top_keys[] = {
		"numeric", "categorical", "columns", "features", NULL
	};
	static const char *const num_keys[] = { "impute", "scale", "missing",
						 NULL };
	static const char *const cat_keys[] = {
		"impute", "one_hot", "handle_unknown", NULL
	};
	struct reader r;
	const cJSON *num, *cat, *cols, *names, *it;
	size_t i, offset = 0;
	int v, ret;

	mlci_preprocess_release(pp);
	r.what = what;
	strbuf_init(&r.path, 0);
	strbuf_addstr(&r.path, "preprocess");
	if ((ret = only_keys(&r, obj, top_keys)))
		goto out;
	num = cJSON_GetObjectItemCaseSensitive(obj, "numeric");
	cat = cJSON_GetObjectItemCaseSensitive(obj, "categorical");
	cols = cJSON_GetObjectItemCaseSensitive(obj, "columns");
	names = cJSON_GetObjectItemCaseSensitive(obj, "features");
	if (!num || !cat || !cols || !names) {
		ret = bad(&r, !num ? "numeric" : !cat ? "categorical" :
			  !cols ? "columns" : "features", "missing");
		goto out;
	}

	strbuf_addstr(&r.path, ".numeric");
	if ((ret = only_keys(&r, num, num_keys)) ||
	    (ret = get_name(&r, num, "impute", impute_names,
			    NAMES(impute_names), &v)))
		goto out;
	pp->num_impute = (enum mlci_impute)v;
	if ((ret = get_name(&r, num, "scale", scale_names, NAMES(scale_names),
			    &v)))
		goto out;
	pp->scale = (enum mlci_scale)v;
	if ((it = cJSON_GetObjectItemCaseSensitive(num, "missing"))) {
		if (!cJSON_IsString(it) || strcmp(it->valuestring, "nan")) {
			ret = bad(&r, "missing", "not \"nan\"");
			goto out;
		}
		pp->keep_missing = 1;
	}
	strbuf_setlen(&r.path, strlen("preprocess"));
	strbuf_addstr(&r.path, ".categorical");
	if ((ret = only_keys(&r, cat, cat_keys)) ||
	    (ret = get_name(&r, cat, "impute", impute_names,
			    NAMES(impute_names), &v)))
		goto out;
	pp->cat_impute = (enum mlci_impute)v;
	if (pp->cat_impute == MLCI_IMPUTE_MEAN ||
	    pp->cat_impute == MLCI_IMPUTE_MEDIAN) {
		ret = bad(&r, "impute", "mean and median apply to numbers");
		goto out;
	}
	if ((ret = get_bool(&r, cat, "one_hot", &pp->one_hot)) ||
	    (ret = get_name(&r, cat, "handle_unknown", unknown_names,
			    NAMES(unknown_names), &v)))
		goto out;
	pp->handle_unknown = (enum mlci_unknown)v;
	strbuf_setlen(&r.path, strlen("preprocess"));

	if (!cJSON_IsArray(cols) || !cJSON_GetArraySize(cols)) {
		ret = bad(&r, "columns", "not a non-empty array");
		goto out;
	}
	pp->cols = xcalloc((size_t)cJSON_GetArraySize(cols), sizeof(*pp->cols));
	i = 0;
	cJSON_ArrayForEach(it, cols) {
		struct mlci_pp_column *c = &pp->cols[pp->ncols++];

		strbuf_setlen(&r.path, strlen("preprocess"));
		strbuf_addf(&r.path, ".columns[%zu]", i++);
		if ((ret = read_column(&r, pp, it, c)))
			goto out;
		if (c->kind == MLCI_COLUMN_CATEGORICAL && !pp->one_hot) {
			ret = bad(&r, "kind", "categorical without one_hot");
			goto out;
		}
		if (pp->ncols > 1 && c->kind < pp->cols[pp->ncols - 2].kind) {
			ret = bad(&r, "kind", "numeric after categorical");
			goto out;
		}
		c->offset = offset;
		offset += c->width;
	}
	strbuf_setlen(&r.path, strlen("preprocess"));
	if ((ret = make_names(pp)))
		goto out;
	if (!cJSON_IsArray(names) ||
	    (size_t)cJSON_GetArraySize(names) != pp->nfeatures) {
		ret = bad(&r, "features", "not an array of one name per output feature");
		goto out;
	}
	i = 0;
	cJSON_ArrayForEach(it, names) {
		if (!cJSON_IsString(it) ||
		    strcmp(it->valuestring, pp->feature_names[i])) {
			strbuf_addf(&r.path, ".features[%zu]", i);
			ret = bad(&r, NULL, "does not match the columns");
			goto out;
		}
		i++;
	}
out:
	strbuf_release(&r.path);
	if (ret)
		mlci_preprocess_release(pp);
	return ret;
}
