/* SPDX-License-Identifier: MIT */
/* Random forests of CART trees (scikit-learn 1.2's RandomForest*), threaded, and the tree families of ml-train. */
#include "forest.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "random.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

void mlci_forest_params_init(struct mlci_forest_params *p, int regression)
{
	memset(p, 0, sizeof(*p));
	mlci_tree_params_init(&p->tree, regression);
	p->tree.max_features = regression ? MLCI_MAXF_ALL : MLCI_MAXF_SQRT;
	p->n_estimators = 100;
	p->bootstrap = 1;
	p->oob_score = 0;
	p->seed = 0;
	p->n_jobs = 1;
}

void mlci_forest_init(struct mlci_forest *f)
{
	memset(f, 0, sizeof(*f));
	f->n_jobs = 1;
}

void mlci_forest_release(struct mlci_forest *f)
{
	size_t t;

	for (t = 0; t < f->n_trees; t++)
		mlci_tree_release(&f->trees[t]);
	free(f->trees);
	free(f->importances);
	mlci_forest_init(f);
}

/* A tree's seed from the forest's seed and its index alone (splitmix64's finaliser). */
static uint64_t tree_seed(uint64_t seed, size_t t)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + (uint64_t)t + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- threads ---- */

struct pool {
	pthread_mutex_t lock;
	size_t next, total;
	void (*job)(void *ctx, size_t i);
	void *ctx;
};

static void *pool_worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->total)
			break;
		p->job(p->ctx, i);
	}
	return NULL;
}

/* job(ctx, i) for i in [0, total) on up to nthreads threads; each i writes only its own results. */
static void run_parallel(int nthreads, size_t total,
			 void (*job)(void *ctx, size_t i), void *ctx)
{
	struct pool p;
	pthread_t *th;
	int t, started = 0;

	if (nthreads > 1 && (size_t)nthreads > total)
		nthreads = (int)total;
	if (nthreads <= 1) {
		size_t i;

		for (i = 0; i < total; i++)
			job(ctx, i);
		return;
	}
	p.next = 0;
	p.total = total;
	p.job = job;
	p.ctx = ctx;
	pthread_mutex_init(&p.lock, NULL);
	th = xmalloc((size_t)nthreads * sizeof(*th));
	for (t = 0; t < nthreads - 1; t++)
		if (!pthread_create(&th[t], NULL, pool_worker, &p))
			started++;
		else
			break;
	/* This thread works too; a thread that could not start leaves its share to the others. */
	pool_worker(&p);
	for (t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&p.lock);
	free(th);
}

/* ---- fitting ---- */

struct fit_ctx {
	const struct mlci_tree_data *td;
	const struct mlci_forest_params *p;
	struct mlci_tree *trees;
	uint8_t *inbag;		/* n_trees x n, when the out-of-bag score is wanted */
	int *err;
};

static void draw_bootstrap(struct mlci_rng *r, size_t n, uint32_t *count)
{
	size_t i;

	memset(count, 0, n * sizeof(*count));
	for (i = 0; i < n; i++)
		count[mlci_rng_below(r, n)]++;
}

static void fit_one(void *arg, size_t t)
{
	struct fit_ctx *c = arg;
	size_t n = c->td->n, i;
	uint32_t *count = NULL;
	struct mlci_rng r;

	mlci_rng_seed(&r, tree_seed(c->p->seed, t));
	if (c->p->bootstrap) {
		count = xmalloc(n * sizeof(*count));
		draw_bootstrap(&r, n, count);
		if (c->inbag)
			for (i = 0; i < n; i++)
				c->inbag[t * n + i] = count[i] > 0;
	}
	c->err[t] = mlci_tree_grow(&c->trees[t], c->td, &c->p->tree, count,
				   c->p->n_estimators == 1 && !c->p->bootstrap
				   ? mlci_tree_sklearn_seed(c->p->seed)
				   : (uint32_t)(mlci_rng_next(&r) >> 33));
	free(count);
}

struct oob_ctx {
	const struct mlci_forest *f;
	const double *X;
	const uint8_t *inbag;
	size_t n;
	double *sum;		/* n x nout */
	size_t *cnt;
};

#define ROW_CHUNK 256

static void oob_rows(void *arg, size_t chunk)
{
	struct oob_ctx *c = arg;
	const struct mlci_forest *f = c->f;
	size_t no = f->k ? f->k : 1, i, t, j;
	size_t lo = chunk * ROW_CHUNK, hi = lo + ROW_CHUNK < c->n ? lo + ROW_CHUNK : c->n;

	for (i = lo; i < hi; i++)
		for (t = 0; t < f->n_trees; t++) {
			const double *v;

			if (c->inbag[t * c->n + i])
				continue;
			v = mlci_tree_leaf(&f->trees[t], c->X + i * f->d);
			for (j = 0; j < no; j++)
				c->sum[i * no + j] += v[j];
			c->cnt[i]++;
		}
}

/* scikit-learn's oob_score_: accuracy, or R^2, of the out-of-bag means (rows never out of bag predict 0). */
static double oob_score(const struct mlci_forest *f, const double *X,
			const double *y, size_t n, const uint8_t *inbag, int nthreads)
{
	struct oob_ctx c;
	size_t no = f->k ? f->k : 1, i, j;
	double score = 0, mean = 0, ss = 0, sr = 0;

	c.f = f;
	c.X = X;
	c.inbag = inbag;
	c.n = n;
	c.sum = xcalloc(n * no, sizeof(double));
	c.cnt = xcalloc(n, sizeof(size_t));
	run_parallel(nthreads, (n + ROW_CHUNK - 1) / ROW_CHUNK, oob_rows, &c);
	for (i = 0; i < n; i++) {
		size_t cnt = c.cnt[i] ? c.cnt[i] : 1;

		if (f->k) {
			size_t best = 0;

			for (j = 1; j < no; j++)
				if (c.sum[i * no + j] > c.sum[i * no + best])
					best = j;
			score += (double)best == y[i];
		} else {
			double pr = c.sum[i] / (double)cnt;

			sr += (y[i] - pr) * (y[i] - pr);
			mean += y[i];
		}
	}
	if (f->k) {
		score /= (double)n;
	} else {
		mean /= (double)n;
		for (i = 0; i < n; i++)
			ss += (y[i] - mean) * (y[i] - mean);
		score = ss > 0 ? 1.0 - sr / ss : (sr > 0 ? 0.0 : 1.0);
	}
	free(c.sum);
	free(c.cnt);
	return score;
}

int mlci_forest_fit(struct mlci_forest *f, const double *X, const double *y,
		    const double *weight, size_t n, size_t d, size_t k,
		    const struct mlci_forest_params *p)
{
	struct mlci_tree_data td;
	struct fit_ctx c;
	size_t t, used = 0, j;
	int ret = 0;

	mlci_forest_release(f);
	if (!p->n_estimators)
		return mlci_error(MLCI_EXIT_INPUT, "random_forest: n_estimators must be at least 1");
	if ((ret = mlci_tree_data_prepare(&td, X, y, weight, n, d, k, p->tree.max_bins)))
		return ret;
	f->n_trees = p->n_estimators;
	f->d = d;
	f->k = k;
	f->n_jobs = p->n_jobs > 0 ? p->n_jobs : 1;
	f->trees = xcalloc(f->n_trees, sizeof(*f->trees));
	c.td = &td;
	c.p = p;
	c.trees = f->trees;
	c.inbag = p->oob_score && p->bootstrap ? xmalloc(f->n_trees * n) : NULL;
	c.err = xcalloc(f->n_trees, sizeof(int));
	run_parallel(f->n_jobs, f->n_trees, fit_one, &c);
	for (t = 0; t < f->n_trees; t++)
		if (c.err[t]) {
			ret = c.err[t];
			break;
		}
	if (!ret) {
		/* scikit-learn: the mean of the trees' normalised importances (single-leaf trees left out), normalised. */
		double sum = 0;

		f->importances = xcalloc(d, sizeof(double));
		for (t = 0; t < f->n_trees; t++)
			used += (size_t)mlci_tree_add_importances(&f->trees[t], d, f->importances);
		for (j = 0; j < d; j++) {
			f->importances[j] = used ? f->importances[j] / (double)used : 0;
			sum += f->importances[j];
		}
		for (j = 0; j < d; j++)
			f->importances[j] = sum > 0 ? f->importances[j] / sum : 0;
		if (c.inbag) {
			f->has_oob = 1;
			f->oob_score = oob_score(f, X, y, n, c.inbag, f->n_jobs);
		}
	}
	free(c.inbag);
	free(c.err);
	mlci_tree_data_release(&td);
	if (ret)
		mlci_forest_release(f);
	return ret;
}

struct pred_ctx {
	const struct mlci_forest *f;
	const double *X;
	size_t n;
	double *out;
};

static void pred_rows(void *arg, size_t chunk)
{
	struct pred_ctx *c = arg;
	const struct mlci_forest *f = c->f;
	size_t no = f->k ? f->k : 1, i, t, j;
	size_t lo = chunk * ROW_CHUNK, hi = lo + ROW_CHUNK < c->n ? lo + ROW_CHUNK : c->n;

	for (i = lo; i < hi; i++) {
		double *o = c->out + i * no;

		for (j = 0; j < no; j++)
			o[j] = 0;
		/* Trees in order, whatever the thread: the same sums every run. */
		for (t = 0; t < f->n_trees; t++) {
			const double *v = mlci_tree_leaf(&f->trees[t], c->X + i * f->d);

			for (j = 0; j < no; j++)
				o[j] += v[j];
		}
		for (j = 0; j < no; j++)
			o[j] /= (double)f->n_trees;
	}
}

void mlci_forest_predict_values(const struct mlci_forest *f, const double *X,
				size_t n, double *out)
{
	struct pred_ctx c = { f, X, n, out };

	run_parallel(f->n_jobs, (n + ROW_CHUNK - 1) / ROW_CHUNK, pred_rows, &c);
}

void mlci_forest_predict(const struct mlci_forest *f, const double *X,
			 size_t n, double *out)
{
	size_t i, j;

	if (!f->k) {
		mlci_forest_predict_values(f, X, n, out);
		return;
	}
	{
		double *pr = xmalloc((n ? n : 1) * f->k * sizeof(double));

		mlci_forest_predict_values(f, X, n, pr);
		for (i = 0; i < n; i++) {
			size_t best = 0;

			for (j = 1; j < f->k; j++)
				if (pr[i * f->k + j] > pr[i * f->k + best])
					best = j;
			out[i] = (double)best;
		}
		free(pr);
	}
}

/* ---- JSON ---- */

cJSON *mlci_forest_to_json(const struct mlci_forest *f, const char *name)
{
	cJSON *o = cJSON_CreateObject(), *imp, *trees;
	size_t i;

	if (!o)
		mlci_die("out of memory");
	mlci_json_set_string(o, "model", name);
	mlci_json_set_string(o, "task", f->k ? "classification" : "regression");
	mlci_json_set_number(o, "n_features", (double)f->d);
	mlci_json_set_number(o, "n_classes", (double)f->k);
	imp = cJSON_AddArrayToObject(o, "feature_importances");
	for (i = 0; i < f->d; i++)
		cJSON_AddItemToArray(imp, mlci_json_number(f->importances[i]));
	if (f->has_oob)
		mlci_json_set_number(o, "oob_score", f->oob_score);
	else
		mlci_json_set_null(o, "oob_score");
	trees = cJSON_AddArrayToObject(o, "trees");
	for (i = 0; i < f->n_trees; i++)
		cJSON_AddItemToArray(trees, mlci_tree_to_json(&f->trees[i]));
	return o;
}

static const char *const forest_json_keys[] = {
	"model", "task", "n_features", "n_classes", "feature_importances",
	"oob_score", "trees", NULL
};

int mlci_forest_from_json(struct mlci_forest *f, const cJSON *json,
			  const char *name, const char *what)
{
	const cJSON *it, *imp, *trees, *oob;
	const char *s;
	const char *const *k;
	double d, nk;
	size_t i;
	int ret;

	mlci_forest_release(f);
	if (!cJSON_IsObject(json))
		return mlci_error(MLCI_EXIT_INPUT, "%s: the model must be an object", what);
	cJSON_ArrayForEach(it, json) {
		for (k = forest_json_keys; *k && strcmp(*k, it->string); k++)
			;
		if (!*k)
			return mlci_error(MLCI_EXIT_INPUT, "%s: unknown model key '%s'", what, it->string);
	}
	if (!(s = mlci_json_get_string(json, "model")) || strcmp(s, name))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'model' must be '%s'", what, name);
	s = mlci_json_get_string(json, "task");
	if (mlci_json_get_number(json, "n_features", &d) || d < 1 || d > 1e7 || d != floor(d))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'n_features' must be a whole number >= 1", what);
	if (mlci_json_get_number(json, "n_classes", &nk) || nk < 0 || nk == 1 || nk > 1e6 || nk != floor(nk))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'n_classes' must be 0 or a whole number >= 2", what);
	if (!s || strcmp(s, nk ? "classification" : "regression"))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'task' must be '%s'", what,
				  nk ? "classification" : "regression");
	imp = cJSON_GetObjectItemCaseSensitive(json, "feature_importances");
	if (!cJSON_IsArray(imp) || (size_t)cJSON_GetArraySize(imp) != (size_t)d)
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'feature_importances' must hold n_features numbers", what);
	oob = cJSON_GetObjectItemCaseSensitive(json, "oob_score");
	if (!oob || (!cJSON_IsNull(oob) && !(cJSON_IsNumber(oob) && isfinite(oob->valuedouble))))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'oob_score' must be a number or null", what);
	trees = cJSON_GetObjectItemCaseSensitive(json, "trees");
	if (!cJSON_IsArray(trees) || !cJSON_GetArraySize(trees))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'trees' must be a non-empty array", what);
	f->d = (size_t)d;
	f->k = (size_t)nk;
	f->importances = xmalloc(f->d * sizeof(double));
	i = 0;
	cJSON_ArrayForEach(it, imp) {
		if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
			mlci_forest_release(f);
			return mlci_error(MLCI_EXIT_INPUT, "%s: 'feature_importances' must hold finite numbers", what);
		}
		f->importances[i++] = it->valuedouble;
	}
	f->has_oob = cJSON_IsNumber(oob);
	f->oob_score = f->has_oob ? oob->valuedouble : 0;
	f->trees = xcalloc((size_t)cJSON_GetArraySize(trees), sizeof(*f->trees));
	cJSON_ArrayForEach(it, trees) {
		if ((ret = mlci_tree_from_json(&f->trees[f->n_trees], it, f->d,
					       f->k ? f->k : 1, what))) {
			mlci_forest_release(f);
			return ret;
		}
		f->n_trees++;
	}
	return 0;
}

/* ---- ml-train's families ---- */

const struct mlci_family_type mlci_tree_types[] = {
	{ "decision_tree", MLCI_TASK_NONE },
	{ "decision_tree_classifier", MLCI_TASK_CLASSIFICATION },
	{ "decision_tree_regressor", MLCI_TASK_REGRESSION },
	{ NULL, 0 }
};

const struct mlci_family_type mlci_forest_types[] = {
	{ "random_forest", MLCI_TASK_NONE },
	{ "random_forest_classifier", MLCI_TASK_CLASSIFICATION },
	{ "random_forest_regressor", MLCI_TASK_REGRESSION },
	{ NULL, 0 }
};

const char *const mlci_tree_keys[] = {
	"criterion", "max_depth", "min_samples_split", "min_samples_leaf",
	"max_features", "class_weight", "seed", "random_state", NULL
};

const char *const mlci_forest_keys[] = {
	"n_estimators", "criterion", "max_depth", "min_samples_split",
	"min_samples_leaf", "max_features", "bootstrap", "oob_score",
	"class_weight", "seed", "random_state", "n_jobs", "max_bins", NULL
};

const char *const mlci_tree_synonyms[] = { "random_state", "seed", NULL };

void mlci_treefam_params_init(const struct mlci_family *fam, void *params)
{
	struct mlci_tree_family_params *p = params;

	memset(p, 0, sizeof(*p));
	p->forest = fam->variant;
	/* Classification's defaults; fit() applies the regressor's when the data says regression. */
	if (p->forest) {
		mlci_forest_params_init(&p->fp, 0);
		/* Histogram splits unless max_bins: 0 asks for scikit-learn's exact ones. */
		p->fp.tree.max_bins = 255;
		p->fp.tree.exact_below = 32;
	} else {
		mlci_forest_params_init(&p->fp, 0);
		p->fp.n_estimators = 1;
		p->fp.bootstrap = 0;
		p->fp.tree.max_features = MLCI_MAXF_ALL;
	}
}

static int set_class_weight(struct mlci_tree_family_params *p,
			    const struct mlci_config *cfg, const cJSON *it)
{
	const cJSON *w;

	p->balanced = 0;
	p->class_weight = NULL;
	if (cJSON_IsNull(it))
		return 0;
	if (cJSON_IsString(it) && !strcmp(it->valuestring, "balanced")) {
		p->balanced = 1;
		return 0;
	}
	if (!cJSON_IsObject(it) || !cJSON_GetArraySize(it))
		return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
					 "'class_weight' must be 'balanced', null or a mapping of class to weight");
	cJSON_ArrayForEach(w, it)
		if (!cJSON_IsNumber(w) || !isfinite(w->valuedouble) || !(w->valuedouble > 0))
			return mlci_config_error(cfg, w, MLCI_EXIT_INPUT,
						 "the weight of class '%s' must be a number > 0",
						 w->string);
	p->class_weight = it;
	return 0;
}

int mlci_treefam_set_param(const struct mlci_family *fam, void *params,
			   const struct mlci_config *cfg, const char *key,
			   const cJSON *it)
{
	struct mlci_tree_family_params *p = params;
	struct mlci_tree_params *tp = &p->fp.tree;
	double v;
	int ret = 0;

	if (!strcmp(key, "criterion")) {
		static const char *const names[] = { "gini", "entropy", "log_loss", "squared_error" };
		size_t i;

		/* auto: the task's default, as params_flat() writes it when none is given. */
		if (cJSON_IsString(it) && !strcmp(it->valuestring, "auto")) {
			p->criterion_set = 0;
			return 0;
		}
		for (i = 0; cJSON_IsString(it) && i < 4; i++)
			if (!strcmp(it->valuestring, names[i]))
				break;
		if (!cJSON_IsString(it) || i == 4)
			return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						 "'criterion' must be 'gini', 'entropy', 'log_loss', 'squared_error' or 'auto'");
		tp->criterion = i == 0 ? MLCI_TREE_GINI : i == 3 ? MLCI_TREE_SQUARED_ERROR
			: MLCI_TREE_ENTROPY;
		p->criterion_set = 1;
	} else if (!strcmp(key, "max_depth")) {
		if (cJSON_IsNull(it)) {
			tp->max_depth = 0;
		} else if (!(ret = mlci_param_number(cfg, it, key, 1, 1e6, 1, &v))) {
			tp->max_depth = (int)v;
		}
	} else if (!strcmp(key, "min_samples_split")) {
		if (!(ret = mlci_param_number(cfg, it, key, 2, 1e12, 1, &v)))
			tp->min_samples_split = (size_t)v;
	} else if (!strcmp(key, "min_samples_leaf")) {
		if (!(ret = mlci_param_number(cfg, it, key, 1, 1e12, 1, &v)))
			tp->min_samples_leaf = (size_t)v;
	} else if (!strcmp(key, "max_features")) {
		p->max_features_set = 1;
		if (p->forest && cJSON_IsString(it) && !strcmp(it->valuestring, "auto")) {
			p->max_features_set = 0;
		} else if (cJSON_IsNull(it) || (cJSON_IsString(it) && !strcmp(it->valuestring, "all"))) {
			tp->max_features = MLCI_MAXF_ALL;
		} else if (cJSON_IsString(it) && !strcmp(it->valuestring, "sqrt")) {
			tp->max_features = MLCI_MAXF_SQRT;
		} else if (cJSON_IsString(it) && !strcmp(it->valuestring, "log2")) {
			tp->max_features = MLCI_MAXF_LOG2;
		} else if (cJSON_IsNumber(it) && isfinite(it->valuedouble) &&
			   it->valuedouble > 0 && it->valuedouble < 1) {
			tp->max_features = MLCI_MAXF_FRACTION;
			tp->max_features_value = it->valuedouble;
		} else if (cJSON_IsNumber(it) && it->valuedouble >= 1 && it->valuedouble <= 1e9 &&
			   it->valuedouble == floor(it->valuedouble)) {
			tp->max_features = MLCI_MAXF_COUNT;
			tp->max_features_value = it->valuedouble;
		} else {
			return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						 "'max_features' must be 'sqrt', 'log2', 'all', null, %sa fraction between 0 and 1 or a whole number >= 1",
						 p->forest ? "'auto', " : "");
		}
	} else if (!strcmp(key, "class_weight")) {
		ret = set_class_weight(p, cfg, it);
	} else if (!strcmp(key, "seed") || !strcmp(key, "random_state")) {
		if (!(ret = mlci_param_number(cfg, it, key, 0, 9007199254740992.0, 1, &v)))
			p->fp.seed = (uint64_t)v;
	} else if (!strcmp(key, "n_estimators")) {
		if (!(ret = mlci_param_number(cfg, it, key, 1, 1e6, 1, &v)))
			p->fp.n_estimators = (size_t)v;
	} else if (!strcmp(key, "bootstrap")) {
		ret = mlci_param_bool(cfg, it, key, &p->fp.bootstrap);
	} else if (!strcmp(key, "oob_score")) {
		ret = mlci_param_bool(cfg, it, key, &p->fp.oob_score);
	} else if (!strcmp(key, "n_jobs")) {
		if (cJSON_IsNumber(it) && it->valuedouble == -1) {
			long nc = sysconf(_SC_NPROCESSORS_ONLN);

			p->fp.n_jobs = nc > 0 ? (int)(nc < 1024 ? nc : 1024) : 1;
		} else if (!(ret = mlci_param_number(cfg, it, "n_jobs (or -1: every core)", 1, 1024, 1, &v))) {
			p->fp.n_jobs = (int)v;
		}
	} else if (!strcmp(key, "max_bins")) {
		if (!(ret = mlci_param_number(cfg, it, "max_bins (0: exact splits)", 0, 255, 1, &v))) {
			if (v == 1)
				return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
							 "'max_bins' must be 0 (exact splits) or between 2 and 255");
			tp->max_bins = (int)v;
		}
	} else {
		ret = mlci_error(MLCI_EXIT_BUG, "%s: no parameter '%s'", fam->name, key);
	}
	return ret;
}

static const char *criterion_name(enum mlci_tree_criterion c)
{
	return c == MLCI_TREE_GINI ? "gini" : c == MLCI_TREE_ENTROPY ? "entropy" : "squared_error";
}

void mlci_treefam_params_flat(const struct mlci_family *fam,
			      const void *params, cJSON *o)
{
	const struct mlci_tree_family_params *p = params;
	const struct mlci_tree_params *tp = &p->fp.tree;
	const char *const *k;
	char buf[64];

	for (k = fam->param_keys; *k; k++) {
		if (!strcmp(*k, "random_state"))
			continue;
		if (!strcmp(*k, "criterion")) {
			snprintf(buf, sizeof(buf), "%s", p->criterion_set ? criterion_name(tp->criterion) : "auto");
		} else if (!strcmp(*k, "max_depth")) {
			if (tp->max_depth)
				snprintf(buf, sizeof(buf), "%d", tp->max_depth);
			else
				snprintf(buf, sizeof(buf), "null");
		} else if (!strcmp(*k, "min_samples_split")) {
			snprintf(buf, sizeof(buf), "%zu", tp->min_samples_split);
		} else if (!strcmp(*k, "min_samples_leaf")) {
			snprintf(buf, sizeof(buf), "%zu", tp->min_samples_leaf);
		} else if (!strcmp(*k, "max_features")) {
			if (!p->max_features_set && p->forest)
				snprintf(buf, sizeof(buf), "auto");
			else if (tp->max_features == MLCI_MAXF_ALL)
				snprintf(buf, sizeof(buf), "null");
			else if (tp->max_features == MLCI_MAXF_SQRT)
				snprintf(buf, sizeof(buf), "sqrt");
			else if (tp->max_features == MLCI_MAXF_LOG2)
				snprintf(buf, sizeof(buf), "log2");
			else
				mlci_param_double(buf, sizeof(buf), tp->max_features_value);
		} else if (!strcmp(*k, "class_weight")) {
			struct strbuf sb = STRBUF_INIT;

			if (p->balanced)
				strbuf_addstr(&sb, "balanced");
			else if (p->class_weight)
				mlci_json_print(p->class_weight, 0, &sb);
			else
				strbuf_addstr(&sb, "null");
			mlci_json_set_string(o, *k, sb.buf);
			strbuf_release(&sb);
			continue;
		} else if (!strcmp(*k, "seed")) {
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)p->fp.seed);
		} else if (!strcmp(*k, "n_estimators")) {
			snprintf(buf, sizeof(buf), "%zu", p->fp.n_estimators);
		} else if (!strcmp(*k, "bootstrap")) {
			snprintf(buf, sizeof(buf), "%s", p->fp.bootstrap ? "true" : "false");
		} else if (!strcmp(*k, "oob_score")) {
			snprintf(buf, sizeof(buf), "%s", p->fp.oob_score ? "true" : "false");
		} else if (!strcmp(*k, "n_jobs")) {
			snprintf(buf, sizeof(buf), "%d", p->fp.n_jobs);
		} else {
			snprintf(buf, sizeof(buf), "%d", tp->max_bins);
		}
		mlci_json_set_string(o, *k, buf);
	}
}

void mlci_treefam_model_init(void *model)
{
	struct mlci_tree_family_model *m = model;

	mlci_forest_init(&m->f);
	m->name = NULL;
}

void mlci_treefam_model_release(void *model)
{
	struct mlci_tree_family_model *m = model;

	mlci_forest_release(&m->f);
	m->name = NULL;
}

int mlci_treefam_fit(void *model, const void *params,
		     const struct mlci_fit_data *d)
{
	struct mlci_tree_family_model *m = model;
	const struct mlci_tree_family_params *tfp = params;
	struct mlci_forest_params p = tfp->fp;
	const char *name = tfp->forest ? "random_forest" : "decision_tree";
	int regression = d->task != MLCI_TASK_CLASSIFICATION;
	size_t k = regression ? 0 : d->nclasses, i;
	double *w = NULL;
	int ret;

	mlci_treefam_model_release(model);
	if (!tfp->criterion_set)
		p.tree.criterion = regression ? MLCI_TREE_SQUARED_ERROR : MLCI_TREE_GINI;
	else if (regression != (p.tree.criterion == MLCI_TREE_SQUARED_ERROR))
		return mlci_error(MLCI_EXIT_INPUT, "%s: criterion '%s' does not fit a %s target",
				  name, criterion_name(p.tree.criterion),
				  regression ? "regression" : "classification");
	if (tfp->forest && !tfp->max_features_set)
		p.tree.max_features = regression ? MLCI_MAXF_ALL : MLCI_MAXF_SQRT;
	if (regression && (tfp->balanced || tfp->class_weight))
		return mlci_error(MLCI_EXIT_INPUT, "%s: class_weight applies to classification only", name);
	if (p.oob_score && !p.bootstrap)
		return mlci_error(MLCI_EXIT_INPUT, "%s: oob_score needs bootstrap: true", name);
	if (k && (tfp->balanced || tfp->class_weight)) {
		double *cw = mlci_class_weights(d, tfp->balanced, tfp->class_weight, &ret);

		if (!cw)
			return ret;
		w = xmalloc(d->n * sizeof(double));
		for (i = 0; i < d->n; i++)
			w[i] = (d->weight ? d->weight[i] : 1.0) * cw[(size_t)d->y[i]];
		free(cw);
	}
	ret = mlci_forest_fit(&m->f, d->X, d->y, w ? w : d->weight, d->n, d->d,
			      k, &p);
	free(w);
	if (!ret)
		m->name = name;
	return ret;
}

int mlci_treefam_predict(const void *model, const double *X, size_t n,
			 double *out)
{
	const struct mlci_tree_family_model *m = model;

	mlci_forest_predict(&m->f, X, n, out);
	return 0;
}

int mlci_treefam_scores(const void *model, const double *X, size_t n,
			double *out)
{
	const struct mlci_tree_family_model *m = model;

	if (!m->f.k)
		return mlci_error(MLCI_EXIT_BUG, "%s: scores of a regressor", m->name);
	mlci_forest_predict_values(&m->f, X, n, out);
	return 0;
}

cJSON *mlci_treefam_to_json(const void *model)
{
	const struct mlci_tree_family_model *m = model;

	return mlci_forest_to_json(&m->f, m->name);
}

int mlci_treefam_from_json(void *model, const cJSON *json, const char *what)
{
	struct mlci_tree_family_model *m = model;
	const char *name = mlci_json_get_string(json, "model");
	int ret;

	mlci_treefam_model_release(model);
	if (!name || (strcmp(name, "decision_tree") && strcmp(name, "random_forest")))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'model' must be 'decision_tree' or 'random_forest'", what);
	name = !strcmp(name, "decision_tree") ? "decision_tree" : "random_forest";
	if ((ret = mlci_forest_from_json(&m->f, json, name, what)))
		return ret;
	if (!strcmp(name, "decision_tree") && m->f.n_trees != 1) {
		mlci_forest_release(&m->f);
		return mlci_error(MLCI_EXIT_INPUT, "%s: a decision_tree holds one tree", what);
	}
	m->name = name;
	return 0;
}

void mlci_treefam_shape(const void *model, size_t *d, size_t *k)
{
	const struct mlci_tree_family_model *m = model;

	*d = m->f.d;
	*k = m->f.k;
}

cJSON *mlci_treefam_convergence(const void *model)
{
	const struct mlci_tree_family_model *m = model;
	cJSON *cv = cJSON_CreateObject();
	size_t t, nodes = 0, leaves = 0;
	int depth = 0;

	for (t = 0; t < m->f.n_trees; t++) {
		nodes += m->f.trees[t].n_nodes;
		leaves += m->f.trees[t].n_leaves;
		if (m->f.trees[t].depth > depth)
			depth = m->f.trees[t].depth;
	}
	mlci_json_set_number(cv, "iterations", (double)m->f.n_trees);
	mlci_json_set_bool(cv, "converged", 1);
	mlci_json_set_number(cv, "n_nodes", (double)nodes);
	mlci_json_set_number(cv, "n_leaves", (double)leaves);
	mlci_json_set_number(cv, "max_depth", depth);
	if (m->f.has_oob)
		mlci_json_set_number(cv, "oob_score", m->f.oob_score);
	return cv;
}

int mlci_treefam_importances(const void *model, double *out)
{
	const struct mlci_tree_family_model *m = model;

	if (!m->f.importances)
		return 1;
	memcpy(out, m->f.importances, m->f.d * sizeof(double));
	return 0;
}
