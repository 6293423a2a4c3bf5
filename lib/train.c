/* SPDX-License-Identifier: MIT */
/* ml-train's orchestration: config, data, preprocessing, model selection, metrics, the model file, predictions and the record's train section. */
#include "train.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "atomic.h"
#include "config.h"
#include "csv.h"
#include "dataset.h"
#include "digest.h"
#include "estimator.h"
#include "json.h"
#include "markdown.h"
#include "metrics.h"
#include "now.h"
#include "preprocess.h"
#include "record.h"
#include "split.h"
#include "strbuf.h"
#include "tool.h"
#include "usage.h"
#include "wrapper.h"

#define MODEL_FORMAT 1
/* A forest of 1,000 deep trees on 100,000 rows writes a 338 MB model file. */
#define MODEL_MAX (1u << 30)
#define DEFAULT_FOLDS 5

/* One candidate model of the config. */
struct candidate {
	const cJSON *item;	/* its entry in the config, for messages */
	struct mlci_estimator est;	/* its family and parameters */
	struct mlci_preprocess_options pp;	/* the config's, with the family's defaults */
	char *label;		/* the family, and the values of a search: */
	double cv_mean, cv_std;
	int cv_done;
};

/*
 * A progress bar on standard error when it is a terminal (never in a log):
 * the fits done (every fold of every candidate, then the winner's) of all.
 */
struct progress {
	int on;
	size_t done, total;
	const char *label;	/* the candidate being fitted */
};

static void progress_show_step(struct progress *p, const char *label,
			       size_t step, size_t steps)
{
	char bar[31];
	size_t width = sizeof(bar) - 1, fill;

	if (!p->on)
		return;
	fill = p->total ? (p->done > p->total ? p->total : p->done) * width / p->total
		: width;
	memset(bar, '#', fill);
	memset(bar + fill, '.', width - fill);
	bar[width] = '\0';
	fprintf(stderr, "\r\033[K%s: [%s] %zu/%zu fits %s", mlci_progname, bar,
		p->done, p->total, label);
	if (steps)
		fprintf(stderr, " (epoch %zu/%zu)", step, steps);
	fflush(stderr);
}

static void progress_show(struct progress *p, const char *label)
{
	p->label = label;
	progress_show_step(p, label, 0, 0);
}

/* An iterative fit's steps (the MLP's epochs) within the current fit. */
static void progress_fit_step(void *ctx, size_t step, size_t steps)
{
	struct progress *p = ctx;

	progress_show_step(p, p->label, step, steps);
}

/* Erase the bar, so that a message starts on a clean line. */
static void progress_clear(struct progress *p)
{
	if (p->on)
		fputs("\r\033[K", stderr);
}

/* The config, checked. Strings borrowed from the config tree. */
struct train_config {
	struct mlci_config *cfg;
	char *dir;		/* the config's folder, "" for the current one */
	char *train_path, *test_path;	/* resolved against dir */
	int use_split;
	double test_size;
	uint64_t split_seed;
	int stratify;
	const char *target;
	const char **features;
	size_t nfeatures;
	const char **rename_from, **rename_to;	/* header name -> new name */
	size_t nrename;
	struct mlci_preprocess_options pp;
	int num_impute_set, scale_set;	/* given in the config */
	struct candidate *cands;
	size_t ncands, alloc_cands;
	enum mlci_task task;
	const char *select_by;
	const cJSON *select_item;
	size_t folds;
	uint64_t cv_seed;
	int cv_shuffle;
	struct progress *progress;
};

static void config_release(struct train_config *c)
{
	mlci_config_free(c->cfg);
	free(c->dir);
	free(c->train_path);
	free(c->test_path);
	free(c->features);
	free(c->rename_from);
	free(c->rename_to);
	while (c->cands && c->ncands) {
		mlci_estimator_release(&c->cands[--c->ncands].est);
		free(c->cands[c->ncands].label);
	}
	free(c->cands);
	memset(c, 0, sizeof(*c));
}

static char *resolve(const char *dir, const char *path)
{
	if (path[0] == '/' || !*dir)
		return xstrdup(path);
	return xstrfmt("%s/%s", dir, path);
}

/* Check that obj (a mapping) has only the keys in known (NULL-ended). */
static int check_keys(const struct mlci_config *cfg, const cJSON *obj,
		      const char *where, const char *const *known)
{
	const cJSON *it;

	if (!cJSON_IsObject(obj))
		return mlci_config_error(cfg, obj, MLCI_EXIT_INPUT,
					 "'%s' must be a mapping", where);
	cJSON_ArrayForEach(it, obj) {
		const char *const *k;
		struct strbuf sb = STRBUF_INIT;
		int ret;

		for (k = known; *k; k++)
			if (!strcmp(*k, it->string))
				break;
		if (*k)
			continue;
		for (k = known; *k; k++)
			strbuf_addf(&sb, "%s%s", k == known ? "" : ", ", *k);
		ret = mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
					"unknown key '%s' in '%s' (known: %s)",
					it->string, where, sb.buf);
		strbuf_release(&sb);
		return ret;
	}
	return 0;
}

static int get_string(const struct mlci_config *cfg, const cJSON *obj,
		      const char *key, int required, const char **out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!it) {
		if (required)
			return mlci_config_error(cfg, obj, MLCI_EXIT_INPUT,
						 "'%s' is required", key);
		return 0;
	}
	if (!cJSON_IsString(it) || !*it->valuestring)
		return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
					 "'%s' must be a non-empty string", key);
	*out = it->valuestring;
	return 0;
}

static int parse_data(struct train_config *c, const cJSON *data)
{
	static const char *const keys[] = { "train", "test", "split", "target",
					    "features", "rename", NULL };
	const struct mlci_config *cfg = c->cfg;
	const char *train = NULL, *test = NULL;
	const cJSON *split, *features, *rename;
	int ret;

	if ((ret = check_keys(cfg, data, "data", keys)) ||
	    (ret = get_string(cfg, data, "train", 1, &train)) ||
	    (ret = get_string(cfg, data, "test", 0, &test)) ||
	    (ret = get_string(cfg, data, "target", 1, &c->target)))
		return ret;
	c->train_path = resolve(c->dir, train);
	split = cJSON_GetObjectItemCaseSensitive(data, "split");
	if (test && split)
		return mlci_config_error(cfg, split, MLCI_EXIT_INPUT,
					 "give either 'test' or 'split', not both");
	if (!test && !split)
		return mlci_config_error(cfg, data, MLCI_EXIT_INPUT,
					 "'data' needs 'test' (a file) or 'split' ({test_size, seed, stratify})");
	if (test)
		c->test_path = resolve(c->dir, test);
	if (split) {
		static const char *const skeys[] = { "test_size", "seed",
						     "stratify", NULL };
		const cJSON *it;
		double v;

		if ((ret = check_keys(cfg, split, "split", skeys)))
			return ret;
		c->use_split = 1;
		c->test_size = 0.25;
		c->stratify = 1;
		if ((it = cJSON_GetObjectItemCaseSensitive(split, "test_size")) &&
		    (ret = mlci_param_number(cfg, it, "test_size", 1e-12, 1e15, 0,
				      &c->test_size)))
			return ret;
		if ((it = cJSON_GetObjectItemCaseSensitive(split, "seed"))) {
			if ((ret = mlci_param_number(cfg, it, "seed", 0, 9007199254740992.0,
					      1, &v)))
				return ret;
			c->split_seed = (uint64_t)v;
		}
		if ((it = cJSON_GetObjectItemCaseSensitive(split, "stratify")) &&
		    (ret = mlci_param_bool(cfg, it, "stratify", &c->stratify)))
			return ret;
	}
	rename = cJSON_GetObjectItemCaseSensitive(data, "rename");
	if (rename) {
		const cJSON *it;

		if (!cJSON_IsObject(rename))
			return mlci_config_error(cfg, rename, MLCI_EXIT_INPUT,
						 "'rename' must map column names to new names");
		c->rename_from = xcalloc((size_t)cJSON_GetArraySize(rename) + 1,
					 sizeof(*c->rename_from));
		c->rename_to = xcalloc((size_t)cJSON_GetArraySize(rename) + 1,
				       sizeof(*c->rename_to));
		cJSON_ArrayForEach(it, rename) {
			if (!cJSON_IsString(it) || !*it->valuestring)
				return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
							 "'rename': the new name of '%s' must be a non-empty string",
							 it->string);
			c->rename_from[c->nrename] = it->string;
			c->rename_to[c->nrename++] = it->valuestring;
		}
	}
	features = cJSON_GetObjectItemCaseSensitive(data, "features");
	if (features && !(cJSON_IsString(features) &&
			  !strcmp(features->valuestring, "all"))) {
		const cJSON *it;

		if (!cJSON_IsArray(features) || !cJSON_GetArraySize(features))
			return mlci_config_error(cfg, features, MLCI_EXIT_INPUT,
						 "'features' must be 'all' or a list of column names");
		c->features = xcalloc((size_t)cJSON_GetArraySize(features),
				       sizeof(*c->features));
		cJSON_ArrayForEach(it, features) {
			if (!cJSON_IsString(it))
				return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
							 "a feature must be a column name");
			c->features[c->nfeatures++] = it->valuestring;
		}
	}
	return 0;
}

/* One step of a preprocessing list: a mapping with one key. */
static int parse_step(struct train_config *c, const cJSON *step, int numeric)
{
	const struct mlci_config *cfg = c->cfg;
	static const char *const nkeys[] = { "impute", "fill_value", "scale", NULL };
	static const char *const ckeys[] = { "impute", "fill_value", "one_hot", NULL };
	const cJSON *it;
	int ret;

	if ((ret = check_keys(cfg, step, numeric ? "numeric" : "categorical",
			      numeric ? nkeys : ckeys)))
		return ret;
	cJSON_ArrayForEach(it, step) {
		if (!strcmp(it->string, "impute")) {
			enum mlci_impute v;

			if (!cJSON_IsString(it) || mlci_impute_parse(it->valuestring, &v) ||
			    v == MLCI_IMPUTE_NONE ||
			    (!numeric && (v == MLCI_IMPUTE_MEAN || v == MLCI_IMPUTE_MEDIAN)))
				return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
							 "unknown imputer (valid: %s)",
							 numeric ? "mean, median, most_frequent, constant"
							 : "most_frequent, constant");
			if (numeric) {
				c->pp.num_impute = v;
				c->num_impute_set = 1;
			}
			else
				c->pp.cat_impute = v;
		} else if (!strcmp(it->string, "fill_value")) {
			if (numeric) {
				if ((ret = mlci_param_number(cfg, it, "fill_value", -1e308,
						      1e308, 0, &c->pp.num_fill)))
					return ret;
			} else if (cJSON_IsString(it)) {
				c->pp.cat_fill = it->valuestring;
			} else {
				return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
							 "'fill_value' must be a string");
			}
		} else if (!strcmp(it->string, "scale")) {
			if (!cJSON_IsString(it) ||
			    mlci_scale_parse(it->valuestring, &c->pp.scale))
				return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
							 "unknown scaler (valid: standard, minmax, none)");
			c->scale_set = 1;
		} else {
			static const char *const okeys[] = { "handle_unknown", NULL };
			const cJSON *hu;

			c->pp.one_hot = 1;
			if (cJSON_IsTrue(it) || cJSON_IsNull(it))
				continue;
			if ((ret = check_keys(cfg, it, "one_hot", okeys)))
				return ret;
			hu = cJSON_GetObjectItemCaseSensitive(it, "handle_unknown");
			if (hu && (!cJSON_IsString(hu) ||
				   mlci_unknown_parse(hu->valuestring,
						      &c->pp.handle_unknown)))
				return mlci_config_error(cfg, hu, MLCI_EXIT_INPUT,
							 "'handle_unknown' must be 'ignore' or 'error'");
		}
	}
	return 0;
}

static int parse_preprocess(struct train_config *c, const cJSON *pp)
{
	static const char *const keys[] = { "numeric", "categorical", NULL };
	const cJSON *list, *it;
	int ret, numeric;

	c->pp.one_hot = 1;	/* every model needs numbers */
	if (!pp)
		return 0;
	if ((ret = check_keys(c->cfg, pp, "preprocess", keys)))
		return ret;
	for (numeric = 1; numeric >= 0; numeric--) {
		list = cJSON_GetObjectItemCaseSensitive(pp, numeric ? "numeric"
							: "categorical");
		if (!list)
			continue;
		if (!cJSON_IsArray(list))
			return mlci_config_error(c->cfg, list, MLCI_EXIT_INPUT,
						 "'%s' must be a list of steps such as {impute: median}",
						 list->string);
		cJSON_ArrayForEach(it, list)
			if ((ret = parse_step(c, it, numeric)))
				return ret;
	}
	return 0;
}

/* Candidates at most, over every model and search: grid. */
#define MAX_CANDIDATES 10000

static struct candidate *add_candidate(struct train_config *c)
{
	struct candidate *cand;

	ALLOC_GROW(c->cands, c->ncands + 1, c->alloc_cands);
	cand = &c->cands[c->ncands++];
	memset(cand, 0, sizeof(*cand));
	return cand;
}

static int cmp_item_keys(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string,
		      (*(const cJSON *const *)b)->string);
}

/*
 * One grid of a search: (a mapping of parameter -> list of values): a
 * candidate for each combination, as scikit-learn's ParameterGrid orders
 * them (keys sorted, the last key varying fastest), each base's
 * parameters with the combination's values set.
 */
static int parse_grid(struct train_config *c, const struct candidate *base,
		      const cJSON *params, const cJSON *grid)
{
	const struct mlci_config *cfg = c->cfg;
	const cJSON **keys = NULL, **vals = NULL, *it;
	size_t nkeys = 0, i, total = 1;
	int ret = 0;

	if (!cJSON_IsObject(grid) || !cJSON_GetArraySize(grid))
		return mlci_config_error(cfg, grid, MLCI_EXIT_INPUT,
					 "'search' must be a mapping of parameters to lists of values, or a list of such mappings");
	keys = xcalloc((size_t)cJSON_GetArraySize(grid), sizeof(*keys));
	vals = xcalloc((size_t)cJSON_GetArraySize(grid), sizeof(*vals));
	cJSON_ArrayForEach(it, grid) {
		const cJSON *p;
		const char *const *syn;

		/* A key known to the family, not also in params (by any name). */
		if ((ret = mlci_estimator_check_key(&base->est, cfg, it,
						    it->string)))
			goto out;
		cJSON_ArrayForEach(p, params) {
			int same = !strcmp(p->string, it->string);

			for (syn = base->est.fam->synonyms; !same && syn && syn[0] && syn[1]; syn += 2)
				same = (!strcmp(syn[0], p->string) && !strcmp(syn[1], it->string)) ||
					(!strcmp(syn[1], p->string) && !strcmp(syn[0], it->string));
			if (same) {
				ret = mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
							"'%s' is in both 'params' and 'search'",
							it->string);
				goto out;
			}
		}
		if (!cJSON_IsArray(it) || !cJSON_GetArraySize(it)) {
			ret = mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						"'search.%s' must be a non-empty list of values",
						it->string);
			goto out;
		}
		total *= (size_t)cJSON_GetArraySize(it);
		if (total > MAX_CANDIDATES) {
			ret = mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						"the search has more than %d candidates",
						MAX_CANDIDATES);
			goto out;
		}
		keys[nkeys++] = it;
	}
	qsort(keys, nkeys, sizeof(*keys), cmp_item_keys);
	for (i = 0; i < nkeys; i++)
		vals[i] = keys[i]->child;
	for (;;) {
		struct candidate *cand;
		struct strbuf label = STRBUF_INIT;

		if (c->ncands >= MAX_CANDIDATES) {
			ret = mlci_config_error(cfg, grid, MLCI_EXIT_INPUT,
						"more than %d candidates", MAX_CANDIDATES);
			goto out;
		}
		cand = add_candidate(c);
		cand->item = base->item;
		cand->pp = base->pp;
		mlci_estimator_copy_params(&cand->est, &base->est);
		strbuf_addstr(&label, base->est.fam->name);
		for (i = 0; i < nkeys; i++) {
			strbuf_addf(&label, " %s=", keys[i]->string);
			mlci_json_print(vals[i], 0, &label);
			if (!ret)
				ret = mlci_estimator_set_param(&cand->est, cfg, keys[i],
							       keys[i]->string, vals[i]);
		}
		cand->label = strbuf_detach(&label, NULL);
		if (ret)
			goto out;
		/* The odometer: the last key moves fastest. */
		for (i = nkeys; i-- > 0;) {
			vals[i] = vals[i]->next;
			if (vals[i])
				break;
			vals[i] = keys[i]->child;
		}
		if (i == (size_t)-1)
			break;
	}
out:
	free(keys);
	free(vals);
	return ret;
}

static int parse_model(struct train_config *c, const cJSON *m)
{
	static const char *const keys[] = { "type", "params", "search", NULL };
	const struct mlci_config *cfg = c->cfg;
	const struct mlci_family *fam = NULL;
	const cJSON *type, *params, *search, *grid;
	enum mlci_task task = MLCI_TASK_NONE;
	struct candidate base;
	int ret;

	memset(&base, 0, sizeof(base));
	base.item = m;
	if ((ret = check_keys(cfg, m, "models", keys)))
		return ret;
	type = cJSON_GetObjectItemCaseSensitive(m, "type");
	if (!type || !cJSON_IsString(type) ||
	    !(fam = mlci_family_find(type->valuestring, &task))) {
		struct strbuf sb = STRBUF_INIT;

		mlci_family_list_types(&sb);
		if (!type)
			ret = mlci_config_error(cfg, m, MLCI_EXIT_INPUT,
						"a model needs a 'type' (valid: %s)",
						sb.buf);
		else
			ret = mlci_config_error(cfg, type, MLCI_EXIT_INPUT,
						"unknown model type '%s' (valid: %s)",
						cJSON_IsString(type) ? type->valuestring : "?",
						sb.buf);
		strbuf_release(&sb);
		return ret;
	}
	if (task) {
		if (c->task && c->task != task)
			return mlci_config_error(cfg, type, MLCI_EXIT_INPUT,
						 "'%s' is a %s, but an earlier model is not",
						 type->valuestring,
						 task == MLCI_TASK_CLASSIFICATION ?
						 "classifier" : "regressor");
		c->task = task;
	}
	params = cJSON_GetObjectItemCaseSensitive(m, "params");
	mlci_estimator_setup(&base.est, fam);
	if ((ret = mlci_estimator_parse_params(&base.est, cfg, params)))
		goto out;
	/* The family's preprocessing defaults, unless the config chose. */
	base.pp = c->pp;
	if (fam->raw_features) {
		if (!c->scale_set)
			base.pp.scale = MLCI_SCALE_NONE;
		if (!c->num_impute_set) {
			base.pp.num_impute = MLCI_IMPUTE_NONE;
			base.pp.keep_missing = 1;
		}
	}
	search = cJSON_GetObjectItemCaseSensitive(m, "search");
	if (!search || cJSON_IsNull(search)) {
		struct candidate *cand = add_candidate(c);

		*cand = base;
		cand->label = xstrdup(fam->name);
		return 0;
	}
	if (cJSON_IsArray(search)) {
		if (!cJSON_GetArraySize(search)) {
			ret = mlci_config_error(cfg, search, MLCI_EXIT_INPUT,
						"'search' is an empty list");
			goto out;
		}
		cJSON_ArrayForEach(grid, search)
			if ((ret = parse_grid(c, &base, params, grid)))
				goto out;
	} else {
		ret = parse_grid(c, &base, params, search);
	}
out:
	mlci_estimator_release(&base.est);
	return ret;
}

/* Is a larger value of metric better? */
static int higher_is_better(const char *metric)
{
	return strcmp(metric, "log_loss") && strcmp(metric, "rmse") &&
		strcmp(metric, "mae");
}

static int valid_select_by(enum mlci_task task, const char *m)
{
	static const char *const clf[] = { "accuracy", "balanced_accuracy",
		"precision_macro", "recall_macro", "f1_macro", "f1_weighted",
		"roc_auc", "log_loss", NULL };
	static const char *const reg[] = { "rmse", "mae", "r2", NULL };
	const char *const *k;

	for (k = task == MLCI_TASK_CLASSIFICATION ? clf : reg; *k; k++)
		if (!strcmp(*k, m))
			return 1;
	return 0;
}

/* Check the config c->cfg (loaded from path) into c. */
static int parse_config_tree(struct train_config *c, const char *path)
{
	static const char *const keys[] = { "data", "preprocess", "models",
					    "select_by", "cv", NULL };
	const cJSON *root, *models, *it, *cv;
	const char *slash;
	int ret;

	slash = strrchr(path, '/');
	c->dir = slash ? xstrndup(path, (size_t)(slash - path + (slash == path)))
		: xstrdup("");
	root = mlci_config_root(c->cfg);
	if ((ret = check_keys(c->cfg, root, "config", keys)))
		return ret;
	if (!cJSON_GetObjectItemCaseSensitive(root, "data"))
		return mlci_config_error(c->cfg, root, MLCI_EXIT_INPUT,
					 "'data' is required");
	if ((ret = parse_data(c, cJSON_GetObjectItemCaseSensitive(root, "data"))) ||
	    (ret = parse_preprocess(c, cJSON_GetObjectItemCaseSensitive(root,
									 "preprocess"))))
		return ret;
	models = cJSON_GetObjectItemCaseSensitive(root, "models");
	if (!cJSON_IsArray(models) || !cJSON_GetArraySize(models)) {
		struct strbuf sb = STRBUF_INIT;

		mlci_family_list_types(&sb);
		ret = mlci_config_error(c->cfg, models ? models : root,
					MLCI_EXIT_INPUT,
					"'models' must be a list of {type, params} (types: %s)",
					sb.buf);
		strbuf_release(&sb);
		return ret;
	}
	cJSON_ArrayForEach(it, models)
		if ((ret = parse_model(c, it)))
			return ret;
	if (!c->task)
		c->task = MLCI_TASK_CLASSIFICATION;	/* only "mlp" models */
	c->select_by = c->task == MLCI_TASK_CLASSIFICATION ? "accuracy" : "r2";
	if ((ret = get_string(c->cfg, root, "select_by", 0, &c->select_by)))
		return ret;
	c->select_item = cJSON_GetObjectItemCaseSensitive(root, "select_by");
	if (!valid_select_by(c->task, c->select_by))
		return mlci_config_error(c->cfg, c->select_item, MLCI_EXIT_INPUT,
					 "unknown metric '%s' for select_by (valid: %s)",
					 c->select_by,
					 c->task == MLCI_TASK_CLASSIFICATION ?
					 "accuracy, balanced_accuracy, precision_macro, recall_macro, f1_macro, f1_weighted, roc_auc, log_loss"
					 : "rmse, mae, r2");
	c->folds = DEFAULT_FOLDS;
	cv = cJSON_GetObjectItemCaseSensitive(root, "cv");
	if (cv) {
		static const char *const ckeys[] = { "folds", "shuffle", "seed", NULL };
		double v;

		if ((ret = check_keys(c->cfg, cv, "cv", ckeys)))
			return ret;
		if ((it = cJSON_GetObjectItemCaseSensitive(cv, "folds"))) {
			if ((ret = mlci_param_number(c->cfg, it, "folds", 2, 1000, 1, &v)))
				return ret;
			c->folds = (size_t)v;
		}
		if ((it = cJSON_GetObjectItemCaseSensitive(cv, "shuffle")) &&
		    (ret = mlci_param_bool(c->cfg, it, "shuffle", &c->cv_shuffle)))
			return ret;
		if ((it = cJSON_GetObjectItemCaseSensitive(cv, "seed"))) {
			if ((ret = mlci_param_number(c->cfg, it, "seed", 0,
					      9007199254740992.0, 1, &v)))
				return ret;
			c->cv_seed = (uint64_t)v;
		}
	}
	return 0;
}

static int parse_config(struct train_config *c, const char *path)
{
	int ret;

	if ((ret = mlci_config_load(path, &c->cfg)))
		return ret;
	return parse_config_tree(c, path);
}

int mlci_train_config_check(const char *buf, size_t len, const char *name)
{
	struct train_config c;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = mlci_config_parse(buf, len, name, &c.cfg);
	if (!ret)
		ret = parse_config_tree(&c, name);
	config_release(&c);
	return ret;
}

/*
 * One OpenBLAS thread unless the user chose: results then do not depend
 * on the runner's cores. OpenBLAS read the variable when it was loaded,
 * so it is told directly too.
 */
static void single_thread_blas(void)
{
	if (getenv("OPENBLAS_NUM_THREADS"))
		return;
	setenv("OPENBLAS_NUM_THREADS", "1", 0);
	openblas_set_num_threads(1);
}

/* A fitted model with what it needs to predict. */
struct fitted {
	struct mlci_preprocess pp;
	struct mlci_estimator est;
};

static void fitted_init(struct fitted *f)
{
	mlci_preprocess_init(&f->pp);
	mlci_estimator_init(&f->est);
}

static void fitted_release(struct fitted *f)
{
	mlci_preprocess_release(&f->pp);
	mlci_estimator_release(&f->est);
}

static size_t fitted_nclasses(const struct fitted *f)
{
	return f->est.k;
}

/* Does the model give probabilities (else decision values)? */
static int fitted_has_proba(const struct fitted *f)
{
	return mlci_estimator_scores_kind(&f->est) == MLCI_SCORES_PROBA;
}

static const char *cand_name(const struct candidate *c)
{
	return c->est.fam->name;
}

static double *targets(const struct mlci_dataset *ds, const size_t *rows,
		       size_t n)
{
	double *y = xmalloc((n ? n : 1) * sizeof(*y));
	size_t i;

	for (i = 0; i < n; i++) {
		size_t r = rows ? rows[i] : i;

		y[i] = ds->task == MLCI_TASK_CLASSIFICATION ?
			(double)ds->y_class[r] : ds->y[r];
	}
	return y;
}

/*
 * The features of rows[0..n) of ds as the dataset's own columns, for a
 * family that reads columns: when the rows are all of ds in order and
 * the preprocessing passes every feature through unchanged. NULL (the
 * caller transforms into rows) otherwise.
 */
static const double **dataset_columns(const struct mlci_preprocess *pp,
				      const struct mlci_dataset *ds,
				      const size_t *rows, size_t n)
{
	const double **cols;
	size_t i;

	if (n != ds->nrows || !pp->nfeatures)
		return NULL;
	for (i = 0; rows && i < n; i++)
		if (rows[i] != i)
			return NULL;
	cols = xcalloc(pp->nfeatures, sizeof(*cols));
	for (i = 0; i < pp->nfeatures; i++)
		if (!(cols[i] = mlci_preprocess_column(pp, ds, i))) {
			free(cols);
			return NULL;
		}
	return cols;
}

/* Fit preprocessing and model on rows[0..n) of ds (rows NULL: all). */
static int fit_on(struct fitted *f, const struct candidate *cand,
		  const struct mlci_dataset *ds, const size_t *rows, size_t n,
		  struct progress *pr)
{
	struct mlci_fit_data d = { 0 };
	double *X = NULL, *y = NULL;
	const double **cols = NULL;
	int ret;

	if ((ret = mlci_preprocess_fit(&f->pp, &cand->pp, ds, rows, n)))
		return ret;
	if (cand->est.fam->columns)
		cols = dataset_columns(&f->pp, ds, rows, n);
	if (!cols) {
		X = xmalloc((n ? n : 1) *
			    (f->pp.nfeatures ? f->pp.nfeatures : 1) * sizeof(*X));
		if ((ret = mlci_preprocess_transform(&f->pp, ds, rows, n, X)))
			goto out;
	}
	y = targets(ds, rows, n);
	mlci_estimator_copy_params(&f->est, &cand->est);
	d.X = X;
	d.cols = cols;
	d.y = y;
	d.n = n;
	d.d = f->pp.nfeatures;
	d.task = ds->task;
	d.nclasses = ds->task == MLCI_TASK_CLASSIFICATION ? ds->nclasses : 0;
	d.feature_names = (const char *const *)f->pp.feature_names;
	d.class_names = (const char *const *)ds->classes;
	if (pr && pr->on) {
		d.progress = progress_fit_step;
		d.progress_ctx = pr;
	}
	ret = mlci_estimator_fit(&f->est, &d);
out:
	free(cols);
	free(X);
	free(y);
	return ret;
}

/*
 * Predictions of rows[0..n) of ds: pred (n values) and, for a classifier,
 * scores (n x k): probabilities or decisions (one column per class; for
 * two classes of a one-column decision [-d, d]).
 */
static int predict_on(const struct fitted *f, const struct mlci_dataset *ds,
		      const size_t *rows, size_t n, double *pred, double *scores)
{
	double *X = xmalloc((n ? n : 1) * (f->pp.nfeatures ? f->pp.nfeatures : 1) *
			    sizeof(*X));
	int ret;

	if (!(ret = mlci_preprocess_transform(&f->pp, ds, rows, n, X)))
		ret = mlci_estimator_predict(&f->est, X, n, pred, scores);
	free(X);
	return ret;
}

/*
 * roc_auc from decision values (a model without probabilities): the
 * binary AUC of class 1 scored by its decision column, or the macro mean
 * over classes of one class against the rest scored by its column, as
 * scikit-learn's roc_auc_score does on probabilities (it refuses
 * decision values for more than two classes; the ranks are what count).
 */
static int decision_auc(const int *yt, const double *scores, size_t n,
			size_t k, struct mlci_metric *out)
{
	struct mlci_metric m;
	double sum = 0;
	size_t c;
	int ret;

	if (k == 2)
		return mlci_metrics_roc_auc_binary(yt, 1, scores + 1, 2, n, NULL,
						   out);
	for (c = 0; c < k; c++) {
		if ((ret = mlci_metrics_roc_auc_binary(yt, (int)c, scores + c, k,
						       n, NULL, &m)))
			return ret;
		if (isnan(m.value)) {
			*out = m;
			return 0;
		}
		sum += m.value;
	}
	out->value = sum / (double)k;
	out->reason = 0;
	return 0;
}

/*
 * Every metric of predictions of rows[0..n) of ds into the flat object
 * metrics; the confusion matrix into *confusion when asked.
 */
static int evaluate(const struct mlci_dataset *ds, const size_t *rows,
		    size_t n, const double *pred, const double *scores,
		    int has_proba, cJSON *metrics, cJSON **confusion)
{
	int ret = 0;
	size_t i;

	if (ds->task == MLCI_TASK_CLASSIFICATION) {
		struct mlci_metrics_clf d = { 0 };
		struct mlci_metrics_clf_result r;
		int *yt = xmalloc((n ? n : 1) * sizeof(*yt));
		int *yp = xmalloc((n ? n : 1) * sizeof(*yp));

		for (i = 0; i < n; i++) {
			yt[i] = ds->y_class[rows ? rows[i] : i];
			yp[i] = (int)pred[i];
		}
		d.n = n;
		d.k = ds->nclasses;
		d.y_true = yt;
		d.y_pred = yp;
		d.proba = has_proba ? scores : NULL;
		mlci_metrics_clf_result_init(&r);
		ret = mlci_metrics_classify(&d, NULL, &r);
		if (!ret && !has_proba && scores)
			ret = decision_auc(yt, scores, n, ds->nclasses, &r.roc_auc);
		if (!ret) {
			mlci_metrics_clf_json(&r, (const char *const *)ds->classes,
					      metrics, NULL);
			if (!has_proba && scores && isfinite(r.roc_auc.value))
				mlci_json_set_number(metrics, "roc_auc",
						     r.roc_auc.value);
			if (confusion)
				*confusion = mlci_metrics_confusion_json(
					&r, (const char *const *)ds->classes);
		}
		mlci_metrics_clf_result_release(&r);
		free(yt);
		free(yp);
	} else {
		struct mlci_metrics_reg_result r;
		double *yt = targets(ds, rows, n);

		ret = mlci_metrics_regress(yt, pred, n, NULL, &r);
		if (!ret)
			mlci_metrics_reg_json(&r, metrics, NULL);
		free(yt);
	}
	return ret;
}

/* k-fold cross-validation of cand on rows[0..n) of ds. */
static int cross_validate(const struct train_config *c, struct candidate *cand,
			  const struct mlci_dataset *ds, const size_t *rows,
			  size_t n)
{
	int32_t *fold = xmalloc(n * sizeof(*fold)), *y = NULL;
	size_t *tr = xmalloc(n * sizeof(*tr)), *te = xmalloc(n * sizeof(*te));
	size_t *rtr = xmalloc(n * sizeof(*rtr)), *rte = xmalloc(n * sizeof(*rte));
	double *pred = xmalloc(n * sizeof(*pred)), *scores = NULL;
	double sum = 0, sum2 = 0, vals[1000];
	size_t f, i, ntr, nte;
	int ret;

	if (ds->task == MLCI_TASK_CLASSIFICATION) {
		y = xmalloc(n * sizeof(*y));
		for (i = 0; i < n; i++)
			y[i] = ds->y_class[rows[i]];
		scores = xmalloc(n * ds->nclasses * sizeof(*scores));
		ret = mlci_split_stratified_kfold(y, n, ds->nclasses, c->folds,
						  c->cv_shuffle, c->cv_seed, fold);
	} else {
		ret = mlci_split_kfold(n, c->folds, c->cv_shuffle, c->cv_seed, fold);
	}
	for (f = 0; !ret && f < c->folds; f++) {
		struct fitted fit;
		cJSON *m = cJSON_CreateObject();
		double v;

		mlci_split_fold_rows(fold, n, (int32_t)f, tr, &ntr, te, &nte);
		for (i = 0; i < ntr; i++)
			rtr[i] = rows[tr[i]];
		for (i = 0; i < nte; i++)
			rte[i] = rows[te[i]];
		fitted_init(&fit);
		progress_show(c->progress, cand->label);
		ret = fit_on(&fit, cand, ds, rtr, ntr, c->progress);
		c->progress->done++;
		if (!ret)
			ret = predict_on(&fit, ds, rte, nte, pred, scores);
		if (!ret)
			ret = evaluate(ds, rte, nte, pred, scores,
				       fitted_has_proba(&fit), m, NULL);
		if (!ret && mlci_json_get_number(m, c->select_by, &v))
			ret = mlci_config_error(c->cfg, c->select_item,
						MLCI_EXIT_INPUT,
						"'%s' has no value for a %s (in fold %zu)",
						c->select_by, cand_name(cand), f + 1);
		if (!ret) {
			vals[f] = v;
			sum += v;
		}
		cJSON_Delete(m);
		fitted_release(&fit);
	}
	if (!ret) {
		cand->cv_mean = sum / (double)c->folds;
		for (f = 0; f < c->folds; f++)
			sum2 += (vals[f] - cand->cv_mean) * (vals[f] - cand->cv_mean);
		cand->cv_std = sqrt(sum2 / (double)c->folds);	/* numpy's std */
		cand->cv_done = 1;
	}
	free(fold);
	free(y);
	free(tr);
	free(te);
	free(rtr);
	free(rte);
	free(pred);
	free(scores);
	return ret;
}

/* The flat, string-valued parameters of a model (MLflow's params). */
static cJSON *params_json(const struct candidate *cand,
			  const struct mlci_preprocess_options *ppo)
{
	cJSON *o = cJSON_CreateObject();

	mlci_json_set_string(o, "model_type", cand_name(cand));
	mlci_estimator_params_json(&cand->est, o);
	if (ppo) {
		mlci_json_set_string(o, "preprocess.numeric.impute",
				     mlci_impute_name(ppo->num_impute));
		mlci_json_set_string(o, "preprocess.numeric.scale",
				     mlci_scale_name(ppo->scale));
		mlci_json_set_string(o, "preprocess.categorical.impute",
				     mlci_impute_name(ppo->cat_impute));
		mlci_json_set_string(o, "preprocess.categorical.handle_unknown",
				     mlci_unknown_name(ppo->handle_unknown));
	}
	return o;
}

/* The header of the predictions CSV. */
static void predictions_header(struct strbuf *sb, const struct fitted *f,
			       char **classes)
{
	size_t j;
	int proba = fitted_has_proba(f);

	strbuf_addstr(sb, "row,truth,prediction");
	for (j = 0; j < fitted_nclasses(f); j++) {
		struct strbuf name = STRBUF_INIT;

		strbuf_addf(&name, "%s_%s", proba ? "proba" : "decision", classes[j]);
		strbuf_addch(sb, ',');
		mlci_csv_quote(sb, name.buf, name.len, ',');
		strbuf_release(&name);
	}
	strbuf_addch(sb, '\n');
}

static void add_value(struct strbuf *sb, double v, int task, char **classes)
{
	char buf[64];

	if (task == MLCI_TASK_CLASSIFICATION) {
		const char *s = classes[(size_t)v];

		mlci_csv_quote(sb, s, strlen(s), ',');
	} else {
		mlci_param_double(buf, sizeof(buf), v);
		strbuf_addstr(sb, buf);
	}
}

/*
 * Write the predictions of every row of ds to path ("-": stdout). classes:
 * the model's labels. ds may lack the target (truth empty); when it has
 * one, its classes are mapped to the model's by name. known_pred and
 * known_scores are the predictions when the caller has them (as
 * predict_on() gives them), else NULL.
 */
static int write_predictions(const struct fitted *f, char **classes,
			     const struct mlci_dataset *ds, const char *path,
			     int jsonl, const double *known_pred,
			     const double *known_scores)
{
	size_t n = ds->nrows, k = fitted_nclasses(f), i, j;
	int task = k ? MLCI_TASK_CLASSIFICATION : MLCI_TASK_REGRESSION;
	double *own_pred = NULL, *own_scores = NULL;
	const double *pred = known_pred, *scores = known_scores;
	struct strbuf sb = STRBUF_INIT;
	char buf[64];
	int ret = 0;

	if (!pred) {
		own_pred = xmalloc((n ? n : 1) * sizeof(*own_pred));
		own_scores = k ? xmalloc((n ? n : 1) * k * sizeof(*own_scores))
			       : NULL;
		if ((ret = predict_on(f, ds, NULL, n, own_pred, own_scores)))
			goto out;
		pred = own_pred;
		scores = own_scores;
	}
	if (!jsonl)
		predictions_header(&sb, f, classes);
	for (i = 0; jsonl && i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *sc;

		mlci_json_set_number(o, "row", (double)(i + 1));
		if (ds->task == MLCI_TASK_CLASSIFICATION)
			mlci_json_set_string(o, "truth", ds->classes[ds->y_class[i]]);
		else if (ds->task == MLCI_TASK_REGRESSION)
			mlci_json_set_number(o, "truth", ds->y[i]);
		else
			mlci_json_set_null(o, "truth");
		if (task == MLCI_TASK_CLASSIFICATION)
			mlci_json_set_string(o, "prediction", classes[(size_t)pred[i]]);
		else
			mlci_json_set_number(o, "prediction", pred[i]);
		if (k) {
			sc = cJSON_CreateObject();
			for (j = 0; j < k; j++)
				mlci_json_set_number(sc, classes[j], scores[i * k + j]);
			mlci_json_set(o, fitted_has_proba(f) ? "proba" : "decision", sc);
		}
		mlci_json_print(o, 0, &sb);
		strbuf_addch(&sb, '\n');
		cJSON_Delete(o);
	}
	for (i = 0; !jsonl && i < n; i++) {
		strbuf_addf(&sb, "%zu,", i + 1);
		if (ds->task == MLCI_TASK_CLASSIFICATION) {
			const char *s = ds->classes[ds->y_class[i]];

			mlci_csv_quote(&sb, s, strlen(s), ',');
		} else if (ds->task == MLCI_TASK_REGRESSION) {
			mlci_param_double(buf, sizeof(buf), ds->y[i]);
			strbuf_addstr(&sb, buf);
		}
		strbuf_addch(&sb, ',');
		add_value(&sb, pred[i], task, classes);
		for (j = 0; j < k; j++) {
			mlci_param_double(buf, sizeof(buf), scores[i * k + j]);
			strbuf_addf(&sb, ",%s", buf);
		}
		strbuf_addch(&sb, '\n');
	}
	if (!strcmp(path, "-")) {
		if (fwrite(sb.buf, 1, sb.len, stdout) != sb.len)
			ret = mlci_error_errno(MLCI_EXIT_SYSTEM,
					       "cannot write the predictions");
	} else {
		ret = mlci_atomic_write_file(path, sb.buf, sb.len);
	}
out:
	strbuf_release(&sb);
	free(own_pred);
	free(own_scores);
	return ret;
}

/* Append s[0..len) in double quotes, quotes doubled. */
static void quote_always(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	strbuf_addch(sb, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, s[i]);
	}
	strbuf_addch(sb, '"');
}

/* Write the rows test[0..n) of the CSV file src (with its header) to dst. */
static int write_rows(const char *src, const size_t *test, size_t n,
		      const char *dst)
{
	struct mlci_csv c;
	struct strbuf sb = STRBUF_INIT;
	size_t row = 0, next = 0, i;
	int ret, r, header = 1;

	memset(&c, 0, sizeof(c));
	ret = mlci_csv_open(&c, src, NULL);
	while (!ret && (r = mlci_csv_read(&c)) != 0) {
		if (r < 0) {
			ret = r;
			break;
		}
		if (!header) {
			row++;
			if (next >= n || test[next] != row - 1)
				continue;
			next++;
		}
		header = 0;
		for (i = 0; i < c.nfields; i++) {
			if (i)
				strbuf_addch(&sb, ',');
			if (c.quoted[i])
				quote_always(&sb, c.field[i], c.len[i]);
			else
				strbuf_add(&sb, c.field[i], c.len[i]);
		}
		strbuf_addch(&sb, '\n');
	}
	mlci_csv_release(&c);
	if (!ret)
		ret = mlci_atomic_write_file(dst, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

/* The model file: everything prediction needs, and where it came from. */
static cJSON *model_file_json(const struct fitted *f,
			      const struct mlci_dataset *ds, cJSON *training)
{
	cJSON *o = cJSON_CreateObject(), *a;
	size_t i, j;

	mlci_json_set_number(o, "format", MODEL_FORMAT);
	mlci_json_set_string(o, "producer", "ml-train " MLCI_VERSION);
	mlci_json_set_string(o, "task", ds->task == MLCI_TASK_CLASSIFICATION ?
			     "classification" : "regression");
	mlci_json_set_string(o, "target", ds->target);
	if (strcmp(ds->target_source, ds->target))
		mlci_json_set_string(o, "target_source", ds->target_source);
	a = cJSON_CreateArray();
	for (i = 0; i < ds->nclasses; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(ds->classes[i]));
	mlci_json_set(o, "classes", a);
	a = cJSON_CreateArray();
	for (i = 0; i < f->pp.ncols; i++) {
		cJSON *col = cJSON_CreateObject();

		mlci_json_set_string(col, "name", f->pp.cols[i].name);
		mlci_json_set_string(col, "kind",
				     mlci_column_kind_name(f->pp.cols[i].kind));
		/* The header's name, when the config renamed the column. */
		for (j = 0; j < ds->ncols; j++)
			if (!strcmp(ds->cols[j].name, f->pp.cols[i].name) &&
			    strcmp(ds->cols[j].source, ds->cols[j].name))
				mlci_json_set_string(col, "source", ds->cols[j].source);
		cJSON_AddItemToArray(a, col);
	}
	mlci_json_set(o, "features", a);
	mlci_json_set(o, "preprocess", mlci_preprocess_to_json(&f->pp));
	mlci_json_set(o, "model", mlci_estimator_to_json(&f->est));
	mlci_json_set(o, "training", training);
	return o;
}

/* A model file read back. */
struct model_file {
	cJSON *doc;
	struct fitted fit;
	char **classes;		/* borrowed from doc */
	size_t nclasses;
	enum mlci_task task;
	const char *target, *target_source;
	const char **names, **sources;	/* the model's names, the header's */
	enum mlci_column_kind *kinds;
	size_t nnames;
};

static void model_file_release(struct model_file *mf)
{
	cJSON_Delete(mf->doc);
	fitted_release(&mf->fit);
	free(mf->classes);
	free(mf->names);
	free(mf->sources);
	free(mf->kinds);
}

static int model_file_read(struct model_file *mf, const char *path)
{
	const cJSON *it, *a;
	const char *task;
	double fmt;
	int ret;

	memset(mf, 0, sizeof(*mf));
	fitted_init(&mf->fit);
	if ((ret = mlci_json_read_file(path, MODEL_MAX, &mf->doc)))
		return ret;
	if (mlci_json_get_number(mf->doc, "format", &fmt) || fmt != MODEL_FORMAT)
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s: not an ml-train model file of format %d",
				  path, MODEL_FORMAT);
	task = mlci_json_get_string(mf->doc, "task");
	mf->target = mlci_json_get_string(mf->doc, "target");
	mf->target_source = mlci_json_get_string(mf->doc, "target_source");
	if (!mf->target_source)
		mf->target_source = mf->target;
	if (!task || !mf->target || (strcmp(task, "classification") &&
				     strcmp(task, "regression")))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'task' or 'target' is missing",
				  path);
	mf->task = !strcmp(task, "classification") ? MLCI_TASK_CLASSIFICATION
		: MLCI_TASK_REGRESSION;
	a = cJSON_GetObjectItemCaseSensitive(mf->doc, "classes");
	if (!cJSON_IsArray(a))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'classes' must be a list", path);
	mf->classes = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(char *));
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: 'classes' must hold strings", path);
		mf->classes[mf->nclasses++] = it->valuestring;
	}
	a = cJSON_GetObjectItemCaseSensitive(mf->doc, "features");
	if (!cJSON_IsArray(a) || !cJSON_GetArraySize(a))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'features' must be a list", path);
	mf->names = xcalloc((size_t)cJSON_GetArraySize(a), sizeof(*mf->names));
	mf->sources = xcalloc((size_t)cJSON_GetArraySize(a), sizeof(*mf->sources));
	mf->kinds = xcalloc((size_t)cJSON_GetArraySize(a), sizeof(*mf->kinds));
	cJSON_ArrayForEach(it, a) {
		const char *name = mlci_json_get_string(it, "name");
		const char *kind = mlci_json_get_string(it, "kind");

		if (!name || !kind || (strcmp(kind, "numeric") &&
				       strcmp(kind, "categorical")))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: features[%zu] needs a name and a kind",
					  path, mf->nnames);
		mf->names[mf->nnames] = name;
		mf->sources[mf->nnames] = mlci_json_get_string(it, "source") ?
			mlci_json_get_string(it, "source") : name;
		mf->kinds[mf->nnames++] = !strcmp(kind, "numeric") ?
			MLCI_COLUMN_NUMERIC : MLCI_COLUMN_CATEGORICAL;
	}
	if ((ret = mlci_preprocess_from_json(&mf->fit.pp,
					     cJSON_GetObjectItemCaseSensitive(mf->doc, "preprocess"),
					     path)))
		return ret;
	a = cJSON_GetObjectItemCaseSensitive(mf->doc, "model");
	if ((ret = mlci_estimator_from_json(&mf->fit.est, a, path)))
		return ret;
	if (fitted_nclasses(&mf->fit) != mf->nclasses ||
	    mf->fit.est.d != mf->fit.pp.nfeatures ||
	    (mf->task == MLCI_TASK_CLASSIFICATION) != (mf->nclasses > 0))
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s: the model does not match its classes or features",
				  path);
	return 0;
}

/* Does the CSV file's header hold a column named name? */
static int header_has(const char *path, const char *name, int *has)
{
	struct mlci_csv c;
	size_t i;
	int ret;

	*has = 0;
	memset(&c, 0, sizeof(c));
	ret = mlci_csv_open(&c, path, NULL);
	if (!ret && (ret = mlci_csv_read(&c)) > 0) {
		for (i = 0; i < c.nfields; i++)
			if (!strcmp(c.field[i], name))
				*has = 1;
		ret = 0;
	} else if (!ret) {
		ret = mlci_error(MLCI_EXIT_INPUT, "%s: no header", path);
	}
	mlci_csv_release(&c);
	return ret;
}

/* Does name end with suffix? */
static int ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n >= m && !strcmp(name + n - m, suffix);
}

int mlci_train_predict(const char *model_path, const char *data_path,
		       const char *output_path, const char *format)
{
	int jsonl;
	struct mlci_dataset_options o = MLCI_DATASET_OPTIONS_INIT;
	struct model_file mf;
	struct mlci_dataset ds;
	const char **rfrom = NULL, **rto = NULL;
	int ret, has;

	if (!format)
		format = ends_with(output_path, ".jsonl") ||
			ends_with(output_path, ".ndjson") ? "jsonl" : "csv";
	if (strcmp(format, "csv") && strcmp(format, "jsonl"))
		return mlci_error(MLCI_EXIT_USAGE,
				  "unknown predictions format '%s' (valid: csv, jsonl)",
				  format);
	jsonl = !strcmp(format, "jsonl");
	single_thread_blas();
	mlci_dataset_init(&ds);
	memset(&mf, 0, sizeof(mf));
	if ((ret = model_file_read(&mf, model_path)) ||
	    (ret = header_has(data_path, mf.target_source, &has)))
		goto out;
	o.features = mf.sources;
	o.nfeatures = mf.nnames;
	o.kind_names = mf.sources;
	o.kinds = mf.kinds;
	o.nkinds = mf.nnames;
	o.rename_from = mf.sources;
	o.rename_to = mf.names;
	o.nrename = mf.nnames;
	if (has) {
		if (strcmp(mf.target_source, mf.target)) {
			/* The target's new name too: one more pair. */
			rfrom = xcalloc(mf.nnames + 1, sizeof(*rfrom));
			rto = xcalloc(mf.nnames + 1, sizeof(*rto));
			memcpy(rfrom, mf.sources, mf.nnames * sizeof(*rfrom));
			memcpy(rto, mf.names, mf.nnames * sizeof(*rto));
			rfrom[mf.nnames] = mf.target_source;
			rto[mf.nnames] = mf.target;
			o.rename_from = rfrom;
			o.rename_to = rto;
			o.nrename = mf.nnames + 1;
		}
		o.target = mf.target_source;
		o.task = mf.task;
	}
	if ((ret = mlci_dataset_load(&ds, data_path, &o)))
		goto out;
	ret = write_predictions(&mf.fit, mf.classes, &ds, output_path, jsonl,
				NULL, NULL);
out:
	free(rfrom);
	free(rto);
	mlci_dataset_release(&ds);
	model_file_release(&mf);
	return ret;
}

/* The kinds that the record's data.columns declare. */
struct kinds {
	const char **names;
	enum mlci_column_kind *kinds;
	size_t n;
};

static void kinds_from_record(const cJSON *rec, struct kinds *k)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(
		mlci_record_get(rec, "data"), "columns"), *it;
	size_t n = (size_t)cJSON_GetArraySize(cols);

	memset(k, 0, sizeof(*k));
	if (!cJSON_IsArray(cols) || !n)
		return;
	k->names = xcalloc(n, sizeof(*k->names));
	k->kinds = xcalloc(n, sizeof(*k->kinds));
	cJSON_ArrayForEach(it, cols) {
		const char *name = mlci_json_get_string(it, "name");

		if (!name)
			continue;
		k->names[k->n] = name;
		k->kinds[k->n++] = mlci_column_kind_from_type(
			mlci_json_get_string(it, "type"));
	}
}

/* Peak RSS in bytes, CPU seconds. */
static void usage_of_self(double *cpu, double *rss)
{
	struct rusage ru;

	*cpu = 0;
	*rss = 0;
	if (getrusage(RUSAGE_SELF, &ru))
		return;
	*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	*rss = (double)ru.ru_maxrss * 1024.0;
}

static int ensure_dir(const char *dir)
{
	struct stat st;

	if (!stat(dir, &st)) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return mlci_error(MLCI_EXIT_INPUT, "'%s' is not a directory", dir);
	}
	if (mkdir(dir, 0777) && errno != EEXIST)
		return mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot create '%s'", dir);
	return 0;
}

/*
 * Refuse to train on data that failed validation: 1 when the record's
 * data section describes the file with digest sha and validate failed.
 */
static int upstream_failed(const cJSON *rec, const char *path, const char *sha,
			   char **why)
{
	const cJSON *data = mlci_record_get(rec, "data");
	static const char *const sections[] = { "validate", NULL };
	const char *dsha;

	if (!data)
		return 0;
	dsha = mlci_json_get_string(data, "sha256");
	if (!dsha || strcmp(dsha, sha)) {
		mlci_warning("the record's data section describes another file ('%s'), not '%s'",
			     mlci_json_get_string(data, "path") ?
			     mlci_json_get_string(data, "path") : "?", path);
		return 0;
	}
	if (!mlci_tool_failed_upstream(rec, sections))
		return 0;
	*why = xstrfmt("the training data '%s' failed validation; not training (--force trains anyway)",
		       path);
	return 1;
}

int mlci_train_run(const struct mlci_train_options *opt, const cJSON *rec,
		   cJSON **section)
{
	struct train_config c;
	struct mlci_dataset_options o = MLCI_DATASET_OPTIONS_INIT;
	struct mlci_dataset train, test;
	const struct mlci_dataset *tds;
	struct kinds k;
	struct fitted fit;
	struct progress progress = { 0, 0, 0, NULL };
	struct candidate *best;
	char train_sha[MLCI_SHA256_HEX], test_sha[MLCI_SHA256_HEX];
	char cfg_sha[MLCI_SHA256_HEX], model_sha[MLCI_SHA256_HEX];
	size_t *rows = NULL, *test_rows = NULL, ntrain, ntest = 0, i;
	const char **tkind_names = NULL;
	enum mlci_column_kind *tkinds = NULL;
	char *model_path = NULL, *pred_path = NULL, *heldout = NULL, *why = NULL;
	double t0 = mlci_monotonic(), *pred = NULL, *scores = NULL, cpu, rss;
	cJSON *sec = NULL, *metrics, *reports, *cands, *training, *conf = NULL;
	cJSON *mfile = NULL, *sys;
	struct strbuf sb = STRBUF_INIT;
	const char *gitsha;
	int ret;

	*section = NULL;
	single_thread_blas();
	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	mlci_dataset_init(&train);
	mlci_dataset_init(&test);
	fitted_init(&fit);

	/* 1. The config, and the record's verdict on the training file. */
	if ((ret = parse_config(&c, opt->config_path)))
		goto out;
	if ((ret = mlci_sha256_file(opt->config_path, cfg_sha)) ||
	    (ret = mlci_sha256_file(c.train_path, train_sha)))
		goto out;
	if (upstream_failed(rec, c.train_path, train_sha, &why)) {
		if (!opt->force) {
			mlci_warning("%s", why);
			*section = mlci_tool_skipped_section(why);
			ret = MLCI_EXIT_VERDICT;
			goto out;
		}
		mlci_warning("the training data failed validation; training anyway (--force)");
	}

	/* 2. The data. */
	kinds_from_record(rec, &k);
	o.target = c.target;
	o.task = c.task;
	o.features = c.features;
	o.nfeatures = c.nfeatures;
	o.rename_from = c.rename_from;
	o.rename_to = c.rename_to;
	o.nrename = c.nrename;
	o.kind_names = k.names;
	o.kinds = k.kinds;
	o.nkinds = k.n;
	if ((ret = mlci_dataset_load(&train, c.train_path, &o)))
		goto out;
	if (train.task == MLCI_TASK_CLASSIFICATION && train.nclasses < 2) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "'%s': the target '%s' holds a single class ('%s'): nothing to classify",
				 c.train_path, c.target,
				 train.nclasses ? train.classes[0] : "");
		goto out;
	}
	rows = xmalloc(train.nrows * sizeof(*rows));
	test_rows = xmalloc(train.nrows * sizeof(*test_rows));
	if (c.use_split) {
		ret = mlci_split_train_test(train.nrows, c.test_size, c.split_seed,
					    c.stratify && train.task == MLCI_TASK_CLASSIFICATION
					    ? train.y_class : NULL,
					    train.nclasses, rows, &ntrain,
					    test_rows, &ntest);
		if (ret)
			goto out;
	} else {
		for (i = 0; i < train.nrows; i++)
			rows[i] = i;
		ntrain = train.nrows;
	}
	/* The test data is read with the training data's columns and kinds. */
	tkind_names = xcalloc(train.ncols, sizeof(*tkind_names));
	tkinds = xcalloc(train.ncols, sizeof(*tkinds));
	for (i = 0; i < train.ncols; i++) {
		tkind_names[i] = train.cols[i].source;
		tkinds[i] = train.cols[i].kind;
	}
	if ((ret = ensure_dir(opt->out_dir)))
		goto out;
	if (c.use_split) {
		heldout = xstrfmt("%s/test.csv", opt->out_dir);
		if ((ret = write_rows(c.train_path, test_rows, ntest, heldout)))
			goto out;
		free(c.test_path);
		c.test_path = xstrdup(heldout);
	}
	o.features = tkind_names;
	o.nfeatures = train.ncols;
	o.kind_names = tkind_names;
	o.kinds = tkinds;
	o.nkinds = train.ncols;
	if ((ret = mlci_sha256_file(c.test_path, test_sha)) ||
	    (ret = mlci_dataset_load(&test, c.test_path, &o)))
		goto out;
	tds = &test;
	if (train.task == MLCI_TASK_CLASSIFICATION) {
		/* The test file's classes must be the training file's. */
		for (i = 0; i < test.nclasses; i++) {
			size_t j;

			for (j = 0; j < train.nclasses; j++)
				if (!strcmp(test.classes[i], train.classes[j]))
					break;
			if (j == train.nclasses) {
				ret = mlci_error(MLCI_EXIT_INPUT,
						 "'%s': class '%s' of '%s' is not in the training data",
						 c.test_path, test.classes[i], c.target);
				goto out;
			}
		}
	}

	/* 3. Choose: cross-validation when there are several candidates. */
	progress.on = isatty(STDERR_FILENO);
	progress.total = (c.ncands > 1 ? c.ncands * c.folds : 0) + 1;
	c.progress = &progress;
	best = &c.cands[0];
	if (c.ncands > 1) {
		int hib = higher_is_better(c.select_by);

		for (i = 0; i < c.ncands; i++) {
			if ((ret = cross_validate(&c, &c.cands[i], &train, rows, ntrain)))
				goto out;
			progress_clear(&progress);
			fprintf(stderr, "%s: %s: cv %s %.4f (std %.4f)\n", mlci_progname,
				c.cands[i].label,
				c.select_by, c.cands[i].cv_mean, c.cands[i].cv_std);
			if (hib ? c.cands[i].cv_mean > best->cv_mean
			    : c.cands[i].cv_mean < best->cv_mean)
				best = &c.cands[i];
		}
	}

	/* 4. Fit the winner on the whole training part, evaluate on the test. */
	progress_show(&progress, best->label);
	if ((ret = fit_on(&fit, best, &train, rows, ntrain, &progress)))
		goto out;
	progress.done++;
	progress_show(&progress, best->label);
	progress_clear(&progress);
	pred = xmalloc((tds->nrows ? tds->nrows : 1) * sizeof(*pred));
	if (train.nclasses)
		scores = xmalloc((tds->nrows ? tds->nrows : 1) * train.nclasses *
				 sizeof(*scores));
	if ((ret = predict_on(&fit, tds, NULL, tds->nrows, pred, scores)))
		goto out;
	if (train.task == MLCI_TASK_CLASSIFICATION) {
		/* Re-code the test truth into the training labels. */
		for (i = 0; i < tds->nrows; i++) {
			size_t j;

			for (j = 0; j < train.nclasses; j++)
				if (!strcmp(test.classes[test.y_class[i]],
					    train.classes[j]))
					break;
			test.y_class[i] = (int32_t)j;
		}
		for (i = 0; i < test.nclasses; i++)
			free(test.classes[i]);
		free(test.classes);
		test.classes = xcalloc(train.nclasses, sizeof(char *));
		for (i = 0; i < train.nclasses; i++)
			test.classes[i] = xstrdup(train.classes[i]);
		test.nclasses = train.nclasses;
	}
	metrics = cJSON_CreateObject();
	ret = evaluate(tds, NULL, tds->nrows, pred, scores,
		       fitted_has_proba(&fit), metrics,
		       train.task == MLCI_TASK_CLASSIFICATION ? &conf : NULL);
	if (ret) {
		cJSON_Delete(metrics);
		goto out;
	}
	if (best->cv_done) {
		struct strbuf key = STRBUF_INIT;

		strbuf_addf(&key, "cv.%s.mean", c.select_by);
		mlci_json_set_number(metrics, key.buf, best->cv_mean);
		strbuf_reset(&key);
		strbuf_addf(&key, "cv.%s.std", c.select_by);
		mlci_json_set_number(metrics, key.buf, best->cv_std);
		strbuf_release(&key);
	}

	/* 5. The files: model, predictions. */
	gitsha = mlci_json_get_string(mlci_record_get(rec, "git"), "sha");
	training = cJSON_CreateObject();
	mlci_json_set_string(training, "config_sha256", cfg_sha);
	mlci_json_set_string(training, "train_sha256", train_sha);
	mlci_json_set_string(training, "test_sha256", test_sha);
	if (gitsha)
		mlci_json_set_string(training, "git_sha", gitsha);
	else
		mlci_json_set_null(training, "git_sha");
	mlci_json_set_number(training, "train_rows", (double)ntrain);
	mlci_json_set_number(training, "test_rows", (double)tds->nrows);
	mlci_json_set(training, "metrics", cJSON_Duplicate(metrics, 1));
	mfile = model_file_json(&fit, &train, training);
	mlci_json_print(mfile, 1, &sb);
	strbuf_addch(&sb, '\n');
	model_path = xstrfmt("%s/model.json", opt->out_dir);
	pred_path = xstrfmt("%s/predictions.csv", opt->out_dir);
	mlci_sha256_hex(sb.buf, sb.len, model_sha);
	if ((ret = mlci_atomic_write_file(model_path, sb.buf, sb.len)) ||
	    (ret = write_predictions(&fit, train.classes, tds, pred_path, 0,
				     pred, scores))) {
		cJSON_Delete(metrics);
		cJSON_Delete(conf);
		conf = NULL;
		goto out;
	}

	/* 6. The section. */
	sec = cJSON_CreateObject();
	mlci_json_set_bool(sec, "ok", 1);
	mlci_json_set_string(sec, "config_path", opt->config_path);
	mlci_json_set_string(sec, "config_sha256", cfg_sha);
	mlci_json_set_string(sec, "train_path", c.train_path);
	mlci_json_set_string(sec, "train_sha256", train_sha);
	mlci_json_set_string(sec, "test_path", c.test_path);
	mlci_json_set_string(sec, "test_sha256", test_sha);
	mlci_json_set_number(sec, "train_rows", (double)ntrain);
	mlci_json_set_number(sec, "test_rows", (double)tds->nrows);
	mlci_json_set_string(sec, "model_path", model_path);
	mlci_json_set_string(sec, "model_sha256", model_sha);
	mlci_json_set_string(sec, "predictions_path", pred_path);
	mlci_json_set_string(sec, "task", train.task == MLCI_TASK_CLASSIFICATION ?
			     "classification" : "regression");
	mlci_json_set_string(sec, "target", c.target);
	mlci_json_set_string(sec, "model_type", cand_name(best));
	mlci_json_set(sec, "params", params_json(best, &c.pp));
	mlci_json_set(sec, "metrics", metrics);
	mlci_json_set_string(sec, "select_by", c.select_by);
	cands = cJSON_CreateArray();
	for (i = 0; i < c.ncands; i++) {
		cJSON *cj = cJSON_CreateObject();

		mlci_json_set_string(cj, "model_type", cand_name(&c.cands[i]));
		mlci_json_set(cj, "params", params_json(&c.cands[i], NULL));
		if (c.cands[i].cv_done) {
			mlci_json_set_number(cj, "cv_mean", c.cands[i].cv_mean);
			mlci_json_set_number(cj, "cv_std", c.cands[i].cv_std);
		} else {
			mlci_json_set_null(cj, "cv_mean");
			mlci_json_set_null(cj, "cv_std");
		}
		mlci_json_set_bool(cj, "selected", &c.cands[i] == best);
		cJSON_AddItemToArray(cands, cj);
	}
	mlci_json_set(sec, "candidates", cands);
	reports = cJSON_CreateObject();
	if (conf)
		mlci_json_set(reports, "confusion_matrix", conf);
	else
		mlci_json_set_null(reports, "confusion_matrix");
	conf = NULL;
	mlci_json_set(sec, "reports", reports);
	mlci_json_set(sec, "history", mlci_estimator_history(&fit.est));
	{
		cJSON *cv = mlci_estimator_convergence(&fit.est);
		const cJSON *conv = cJSON_GetObjectItemCaseSensitive(cv, "converged");
		double iters = 0;

		mlci_json_get_number(cv, "iterations", &iters);
		mlci_json_set(sec, "convergence", cv);
		if (cJSON_IsFalse(conv))
			mlci_warning("%s did not converge in %.0f iterations (raise max_iter)",
				     cand_name(best), iters);
	}
	{
		double *imp = mlci_estimator_importances(&fit.est);

		if (imp) {
			cJSON *fi = cJSON_CreateObject();

			for (i = 0; i < fit.est.d; i++)
				mlci_json_set_number(fi, fit.pp.feature_names[i],
						     imp[i]);
			mlci_json_set(sec, "feature_importances", fi);
			free(imp);
		}
	}
	usage_of_self(&cpu, &rss);
	sys = cJSON_CreateObject();
	mlci_json_set_number(sys, "wall_seconds", mlci_monotonic() - t0);
	mlci_json_set_number(sys, "cpu_seconds", cpu);
	mlci_json_set_number(sys, "peak_rss_bytes", rss);
	mlci_json_set_string(sys, "openblas_core", openblas_get_corename());
	mlci_json_set_number(sys, "openblas_threads", openblas_get_num_threads());
	mlci_json_set(sec, "system", sys);
	fprintf(stderr, "%s: %s on %zu rows, tested on %zu: %s\n", mlci_progname,
		cand_name(best), ntrain, tds->nrows,
		model_path);
	*section = sec;
	sec = NULL;
out:
	if (progress.done < progress.total)
		progress_clear(&progress);
	cJSON_Delete(sec);
	cJSON_Delete(mfile);
	cJSON_Delete(conf);
	strbuf_release(&sb);
	config_release(&c);
	mlci_dataset_release(&train);
	mlci_dataset_release(&test);
	fitted_release(&fit);
	free(k.names);
	free(k.kinds);
	free(rows);
	free(test_rows);
	free(tkind_names);
	free(tkinds);
	free(model_path);
	free(pred_path);
	free(heldout);
	free(why);
	free(pred);
	free(scores);
	return ret;
}

void mlci_train_render_markdown(const cJSON *sec, struct strbuf *sb)
{
	const cJSON *it, *cands = cJSON_GetObjectItemCaseSensitive(sec, "candidates");
	const char *sel = mlci_json_get_string(sec, "select_by");
	double rows = 0, test = 0;
	char buf[64];

	mlci_json_get_number(sec, "train_rows", &rows);
	mlci_json_get_number(sec, "test_rows", &test);
	strbuf_addstr(sb, "### ml-train: ");
	mlci_md_cell(sb, mlci_json_get_string(sec, "model_type"));
	strbuf_addf(sb, " on %.0f rows, tested on %.0f\n\n", rows, test);
	strbuf_addstr(sb, "| metric | test |\n|---|---:|\n");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(sec, "metrics")) {
		strbuf_addstr(sb, "| ");
		mlci_md_cell(sb, it->string);
		if (cJSON_IsNumber(it))
			snprintf(buf, sizeof(buf), "%.4f", it->valuedouble);
		else
			snprintf(buf, sizeof(buf), "n/a");
		strbuf_addf(sb, " | %s |\n", buf);
	}
	if (cJSON_GetArraySize(cands) < 2)
		return;
	strbuf_addstr(sb, "\n| candidate | params | cv ");
	mlci_md_cell(sb, sel);
	strbuf_addstr(sb, " | std | |\n|---|---|---:|---:|---|\n");
	cJSON_ArrayForEach(it, cands) {
		const cJSON *p;
		double mean, std;
		int first = 1;

		strbuf_addstr(sb, "| ");
		mlci_md_cell(sb, mlci_json_get_string(it, "model_type"));
		strbuf_addstr(sb, " | ");
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(it, "params")) {
			if (!strcmp(p->string, "model_type") || !cJSON_IsString(p))
				continue;
			strbuf_addstr(sb, first ? "" : ", ");
			mlci_md_cell(sb, p->string);
			strbuf_addch(sb, '=');
			mlci_md_cell(sb, p->valuestring);
			first = 0;
		}
		if (!mlci_json_get_number(it, "cv_mean", &mean) &&
		    !mlci_json_get_number(it, "cv_std", &std))
			strbuf_addf(sb, " | %.4f | %.4f", mean, std);
		else
			strbuf_addstr(sb, " | n/a | n/a");
		strbuf_addf(sb, " | %s |\n",
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "selected")) ?
			    "**selected**" : "");
	}
}
