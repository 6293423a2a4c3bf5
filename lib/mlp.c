/* SPDX-License-Identifier: MIT */
/* A multi-layer perceptron trained with Adam on minibatches, as scikit-learn 1.2's MLPClassifier and MLPRegressor. */
#include "mlp.h"
#include "json.h"
#include "random.h"
#include "usage.h"
#include "vec.h"
#include "wrapper.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

/* Rows per forward pass in prediction and validation scoring. */
#define CHUNK 512
/* The widest layer and the most features BLAS's int dimensions allow here. */
#define MAX_UNITS ((size_t)1 << 24)

void mlci_mlp_params_init(struct mlci_mlp_params *pa)
{
	memset(pa, 0, sizeof(*pa));
	pa->hidden[0] = 100;
	pa->n_hidden = 1;
	pa->alpha = 1e-4;
	pa->batch_size = 0;
	pa->learning_rate_init = 1e-3;
	pa->max_iter = 200;
	pa->shuffle = 1;
	pa->seed = 0;
	pa->tol = 1e-4;
	pa->early_stopping = 0;
	pa->validation_fraction = 0.1;
	pa->beta_1 = 0.9;
	pa->beta_2 = 0.999;
	pa->epsilon = 1e-8;
	pa->n_iter_no_change = 10;
	pa->warm_start = 0;
}

static int check_params(const struct mlci_mlp_params *pa)
{
	size_t i;

	if (pa->n_hidden > MLCI_MLP_MAX_HIDDEN)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: more than %d hidden layers",
				  MLCI_MLP_MAX_HIDDEN);
	for (i = 0; i < pa->n_hidden; i++)
		if (pa->hidden[i] < 1 || pa->hidden[i] > MAX_UNITS)
			return mlci_error(MLCI_EXIT_INPUT,
					  "mlp: hidden layer %zu has %zu units (1 to %zu)",
					  i + 1, pa->hidden[i], MAX_UNITS);
	if (!(pa->alpha >= 0 && isfinite(pa->alpha)))
		return mlci_error(MLCI_EXIT_INPUT, "mlp: alpha must be a finite number >= 0");
	if (pa->batch_size > (size_t)INT_MAX)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: batch_size too large");
	if (!(pa->learning_rate_init > 0 && isfinite(pa->learning_rate_init)))
		return mlci_error(MLCI_EXIT_INPUT, "mlp: learning_rate_init must be > 0");
	if (pa->max_iter < 1)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: max_iter must be >= 1");
	if (pa->seed > UINT32_MAX)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: random_state must be in [0, 2^32 - 1]");
	if (!(pa->tol >= 0 && isfinite(pa->tol)))
		return mlci_error(MLCI_EXIT_INPUT, "mlp: tol must be a finite number >= 0");
	if (pa->early_stopping &&
	    !(pa->validation_fraction > 0 && pa->validation_fraction < 1))
		return mlci_error(MLCI_EXIT_INPUT,
				  "mlp: validation_fraction must be in (0, 1) under early stopping");
	if (!(pa->beta_1 >= 0 && pa->beta_1 < 1) || !(pa->beta_2 >= 0 && pa->beta_2 < 1))
		return mlci_error(MLCI_EXIT_INPUT, "mlp: beta_1 and beta_2 must be in [0, 1)");
	if (!(pa->epsilon > 0 && isfinite(pa->epsilon)))
		return mlci_error(MLCI_EXIT_INPUT, "mlp: epsilon must be > 0");
	if (pa->n_iter_no_change < 1)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: n_iter_no_change must be >= 1");
	return 0;
}

/* ---- parameters from JSON ---- */

enum pkey {
	P_HIDDEN, P_ACTIVATION, P_SOLVER, P_ALPHA, P_BATCH, P_LR, P_MAX_ITER,
	P_SEED, P_SHUFFLE, P_TOL, P_EARLY, P_VALFRAC, P_BETA1, P_BETA2, P_EPS,
	P_NO_CHANGE, P_SCHEDULE, P_NKEYS
};

/* Every accepted name; the first of each parameter is scikit-learn's. */
static const struct {
	const char *name;
	enum pkey key;
	int alias;
} pnames[] = {
	{ "hidden_layer_sizes", P_HIDDEN, 0 },
	{ "activation", P_ACTIVATION, 0 },
	{ "solver", P_SOLVER, 0 },
	{ "alpha", P_ALPHA, 0 },
	{ "batch_size", P_BATCH, 0 },
	{ "learning_rate_init", P_LR, 0 },
	{ "learning_rate", P_LR, 1 },
	{ "max_iter", P_MAX_ITER, 0 },
	{ "epochs", P_MAX_ITER, 1 },
	{ "random_state", P_SEED, 0 },
	{ "seed", P_SEED, 1 },
	{ "shuffle", P_SHUFFLE, 0 },
	{ "tol", P_TOL, 0 },
	{ "early_stopping", P_EARLY, 0 },
	{ "validation_fraction", P_VALFRAC, 0 },
	{ "beta_1", P_BETA1, 0 },
	{ "beta_2", P_BETA2, 0 },
	{ "epsilon", P_EPS, 0 },
	{ "n_iter_no_change", P_NO_CHANGE, 0 },
};

static int whole(const cJSON *it, double min, double max, double *out)
{
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
	    it->valuedouble < min || it->valuedouble > max ||
	    it->valuedouble != floor(it->valuedouble))
		return -1;
	*out = it->valuedouble;
	return 0;
}

static int number(const cJSON *it, double min, double max, double *out)
{
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
	    it->valuedouble < min || it->valuedouble > max)
		return -1;
	*out = it->valuedouble;
	return 0;
}

static int set_param(struct mlci_mlp_params *pa, enum pkey key,
		     const cJSON *it, const char *name, const char *what)
{
	const cJSON *e;
	double v;
	size_t i = 0;

	switch (key) {
	case P_HIDDEN:
		if (cJSON_IsNumber(it)) {
			if (whole(it, 1, (double)MAX_UNITS, &v) < 0)
				break;
			pa->hidden[0] = (size_t)v;
			pa->n_hidden = 1;
			return 0;
		}
		if (!cJSON_IsArray(it))
			break;
		if (cJSON_GetArraySize(it) > MLCI_MLP_MAX_HIDDEN)
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: '%s' has more than %d layers",
					  what, name, MLCI_MLP_MAX_HIDDEN);
		cJSON_ArrayForEach(e, it) {
			if (whole(e, 1, (double)MAX_UNITS, &v) < 0)
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s: '%s[%zu]' must be a whole number in [1, %zu]",
						  what, name, i, MAX_UNITS);
			pa->hidden[i++] = (size_t)v;
		}
		pa->n_hidden = i;
		return 0;
	case P_ACTIVATION:
		if (cJSON_IsString(it) && !strcmp(it->valuestring, "relu"))
			return 0;
		return mlci_error(MLCI_EXIT_INPUT, "%s: '%s' must be \"relu\" (the only one implemented)",
				  what, name);
	case P_SOLVER:
		if (cJSON_IsString(it) && !strcmp(it->valuestring, "adam"))
			return 0;
		return mlci_error(MLCI_EXIT_INPUT, "%s: '%s' must be \"adam\" (the only one implemented)",
				  what, name);
	case P_ALPHA:
		if (number(it, 0, HUGE_VAL, &pa->alpha) < 0)
			break;
		return 0;
	case P_BATCH:
		if (cJSON_IsString(it) && !strcmp(it->valuestring, "auto")) {
			pa->batch_size = 0;
			return 0;
		}
		if (whole(it, 1, INT_MAX, &v) < 0)
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: '%s' must be \"auto\" or a whole number >= 1",
					  what, name);
		pa->batch_size = (size_t)v;
		return 0;
	case P_LR:
		if (number(it, DBL_MIN, HUGE_VAL, &pa->learning_rate_init) < 0)
			break;
		return 0;
	case P_MAX_ITER:
		if (whole(it, 1, INT_MAX, &v) < 0)
			break;
		pa->max_iter = (int)v;
		return 0;
	case P_SEED:
		if (whole(it, 0, UINT32_MAX, &v) < 0)
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: '%s' must be a whole number in [0, 4294967295]",
					  what, name);
		pa->seed = (uint64_t)v;
		return 0;
	case P_SHUFFLE:
	case P_EARLY:
		if (!cJSON_IsBool(it))
			return mlci_error(MLCI_EXIT_INPUT, "%s: '%s' must be true or false",
					  what, name);
		*(key == P_SHUFFLE ? &pa->shuffle : &pa->early_stopping) = cJSON_IsTrue(it);
		return 0;
	case P_TOL:
		if (number(it, 0, HUGE_VAL, &pa->tol) < 0)
			break;
		return 0;
	case P_VALFRAC:
		if (number(it, 0, 1, &pa->validation_fraction) < 0 ||
		    pa->validation_fraction == 1)
			return mlci_error(MLCI_EXIT_INPUT, "%s: '%s' must be a number in [0, 1)",
					  what, name);
		return 0;
	case P_BETA1:
	case P_BETA2:
		if (number(it, 0, 1, &v) < 0 || v == 1)
			return mlci_error(MLCI_EXIT_INPUT, "%s: '%s' must be a number in [0, 1)",
					  what, name);
		*(key == P_BETA1 ? &pa->beta_1 : &pa->beta_2) = v;
		return 0;
	case P_EPS:
		if (number(it, DBL_MIN, HUGE_VAL, &pa->epsilon) < 0)
			break;
		return 0;
	case P_NO_CHANGE:
		if (whole(it, 1, INT_MAX, &v) < 0)
			break;
		pa->n_iter_no_change = (int)v;
		return 0;
	case P_SCHEDULE:
	case P_NKEYS:
		break;
	}
	return mlci_error(MLCI_EXIT_INPUT, "%s: '%s' must be a %s", what, name,
			  key == P_MAX_ITER || key == P_NO_CHANGE || key == P_HIDDEN ?
			  "whole number >= 1" :
			  key == P_LR || key == P_EPS ? "number > 0" : "finite number >= 0");
}

/*
 * The parameters in obj into pa. A model file (model != 0) must give every
 * parameter under scikit-learn's name; a configuration may give any under
 * either name.
 */
static int parse_params(struct mlci_mlp_params *pa, const cJSON *obj,
			int model, const char *what)
{
	const char *seen[P_NKEYS] = { NULL };
	const char *dup;
	const cJSON *it;
	size_t i;
	int ret;

	if (!cJSON_IsObject(obj))
		return mlci_error(MLCI_EXIT_INPUT, "%s: params must be an object", what);
	dup = mlci_json_duplicate_key(obj);
	if (dup)
		return mlci_error(MLCI_EXIT_INPUT, "%s: duplicate key '%s'", what, dup);
	for (it = obj->child; it; it = it->next) {
		enum pkey key = P_NKEYS;

		for (i = 0; i < sizeof(pnames) / sizeof(*pnames); i++)
			if (!strcmp(pnames[i].name, it->string) &&
			    !(model && pnames[i].alias))
				key = pnames[i].key;
		/* Under Adam scikit-learn ignores the learning-rate schedule. */
		if (!model && key == P_LR && cJSON_IsString(it) &&
		    (!strcmp(it->valuestring, "constant") ||
		     !strcmp(it->valuestring, "invscaling") ||
		     !strcmp(it->valuestring, "adaptive")))
			continue;
		if (key == P_NKEYS)
			return mlci_error(MLCI_EXIT_INPUT, "%s: unknown parameter '%s'",
					  what, it->string);
		if (seen[key])
			return mlci_error(MLCI_EXIT_INPUT, "%s: '%s' and '%s' are the same parameter",
					  what, seen[key], it->string);
		seen[key] = it->string;
		ret = set_param(pa, key, it, it->string, what);
		if (ret < 0)
			return ret;
	}
	if (model)
		for (i = 0; i < sizeof(pnames) / sizeof(*pnames); i++)
			if (!pnames[i].alias && !seen[pnames[i].key])
				return mlci_error(MLCI_EXIT_INPUT, "%s: 'params.%s' missing",
						  what, pnames[i].name);
	return 0;
}

int mlci_mlp_params_from_json(struct mlci_mlp_params *pa, const cJSON *obj)
{
	return parse_params(pa, obj, 0, "mlp params");
}

/* ---- the model ---- */

void mlci_mlp_model_init(struct mlci_mlp_model *m)
{
	memset(m, 0, sizeof(*m));
	mlci_mlp_params_init(&m->params);
	m->best_loss = NAN;
	m->best_validation_score = NAN;
}

void mlci_mlp_model_release(struct mlci_mlp_model *m)
{
	free(m->weights);
	free(m->loss_curve);
	free(m->validation_scores);
	mlci_mlp_model_init(m);
}

int mlci_mlp_model_shape(struct mlci_mlp_model *m,
			 const struct mlci_mlp_params *pa,
			 enum mlci_mlp_task task, size_t n_features,
			 size_t n_classes)
{
	size_t l, off = 0;
	int ret;

	mlci_mlp_model_release(m);
	if ((ret = check_params(pa)) < 0)
		return ret;
	if (task != MLCI_MLP_CLASSIFIER && task != MLCI_MLP_REGRESSOR)
		return mlci_error(MLCI_EXIT_BUG, "mlp: unknown task %d", (int)task);
	if (n_features < 1 || n_features > MAX_UNITS)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: %zu features (1 to %zu)",
				  n_features, MAX_UNITS);
	if (task == MLCI_MLP_CLASSIFIER ? n_classes < 2 || n_classes > MAX_UNITS :
	    n_classes != 0)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: %zu classes for a %s", n_classes,
				  task == MLCI_MLP_CLASSIFIER ? "classifier (2 or more)" :
				  "regressor (0)");
	m->params = *pa;
	m->params.warm_start = 0;
	m->task = task;
	m->n_features = n_features;
	m->n_classes = n_classes;
	m->n_outputs = n_classes > 2 ? n_classes : 1;
	m->n_layers = pa->n_hidden + 1;
	m->units[0] = n_features;
	for (l = 0; l < pa->n_hidden; l++)
		m->units[l + 1] = pa->hidden[l];
	m->units[m->n_layers] = m->n_outputs;
	for (l = 0; l < m->n_layers; l++)
		m->n_weights += m->units[l] * m->units[l + 1] + m->units[l + 1];
	m->weights = xcalloc(m->n_weights, sizeof(double));
	for (l = 0; l < m->n_layers; l++) {
		m->coef[l] = m->weights + off;
		off += m->units[l] * m->units[l + 1];
	}
	for (l = 0; l < m->n_layers; l++) {
		m->intercept[l] = m->weights + off;
		off += m->units[l + 1];
	}
	return 0;
}

/*
 * ReLU on the bits, without a branch (a branch on the sign of each unit
 * mispredicts half the time): v with its sign bit clear, else +0. NaN with
 * a clear sign bit stays NaN, as numpy's maximum(v, 0) keeps it.
 */
static inline double relu(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	u &= (u >> 63) - 1;
	memcpy(&v, &u, sizeof(u));
	return v;
}

/* d where the activation a (>= 0, out of relu()) is non-zero, else 0. */
static inline double relu_grad(double d, double a)
{
	uint64_t u, ua;

	memcpy(&u, &d, sizeof(u));
	memcpy(&ua, &a, sizeof(ua));
	u &= -(uint64_t)(ua != 0);
	memcpy(&d, &u, sizeof(u));
	return d;
}

/* Activations of the layers 1..n_layers for b rows, each b x units[l]. */
struct acts {
	double *a[MLCI_MLP_MAX_HIDDEN + 2];
	double *block;
};

static void acts_alloc(struct acts *ac, const struct mlci_mlp_model *m, size_t rows)
{
	size_t l, total = 0, off = 0;

	for (l = 1; l <= m->n_layers; l++)
		total += rows * m->units[l];
	ac->block = xmalloc(total * sizeof(double));
	for (l = 1; l <= m->n_layers; l++) {
		ac->a[l] = ac->block + off;
		off += rows * m->units[l];
	}
}

/*
 * The forward pass of b rows X into ac (out, when not NULL, replaces the
 * last layer's buffer): each layer the intercepts, plus the previous
 * activations times the weights by GEMM, then ReLU, and the output
 * activation at the end.
 */
static void forward(const struct mlci_mlp_model *m, const double *X, size_t b,
		    struct acts *ac, double *out)
{
	const double *in = X;
	size_t l, i, j, L = m->n_layers;

	for (l = 0; l < L; l++) {
		size_t fi = m->units[l], fo = m->units[l + 1];
		double *z = l + 1 == L && out ? out : ac->a[l + 1];

		const double *bias = m->intercept[l];

		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b,
			    (int)fo, (int)fi, 1.0, in, (int)fi, m->coef[l],
			    (int)fo, 0.0, z, (int)fo);
		/* The intercepts and ReLU in one pass, without branches. */
		if (l + 1 < L) {
			for (i = 0; i < b; i++) {
				double *r = z + i * fo;

				for (j = 0; j < fo; j++)
					r[j] = relu(r[j] + bias[j]);
			}
			in = z;
			continue;
		}
		for (i = 0; i < b; i++)
			for (j = 0; j < fo; j++)
				z[i * fo + j] += bias[j];
		if (m->task == MLCI_MLP_REGRESSOR) {
			/* identity */
		} else if (fo == 1) {
			for (i = 0; i < b; i++)
				z[i] = 1.0 / (1.0 + exp(-z[i]));
		} else {
			mlci_softmax_rows(z, b, fo);
		}
		in = z;
	}
}

int mlci_mlp_forward(const struct mlci_mlp_model *m, const double *X,
		     size_t n, double *out)
{
	struct acts ac;
	size_t s;

	if (!m->weights)
		return mlci_error(MLCI_EXIT_BUG, "mlp: forward pass of an empty model");
	acts_alloc(&ac, m, n < CHUNK ? (n ? n : 1) : CHUNK);
	for (s = 0; s < n; s += CHUNK) {
		size_t b = n - s < CHUNK ? n - s : CHUNK;

		forward(m, X + s * m->n_features, b, &ac, out + s * m->n_outputs);
	}
	free(ac.block);
	return 0;
}

/* Predictions from the output activations o (n x n_outputs) into out. */
static void decide(const struct mlci_mlp_model *m, const double *o, size_t n,
		   double *out)
{
	size_t i, j, k = m->n_outputs;

	for (i = 0; i < n; i++) {
		if (m->task == MLCI_MLP_REGRESSOR) {
			out[i] = o[i];
		} else if (k == 1) {
			out[i] = o[i] > 0.5 ? 1.0 : 0.0;
		} else {
			size_t best = 0;

			for (j = 1; j < k; j++)
				if (o[i * k + j] > o[i * k + best])
					best = j;
			out[i] = (double)best;
		}
	}
}

int mlci_mlp_predict(const struct mlci_mlp_model *m, const double *X,
		     size_t n, double *out)
{
	double *o;
	int ret;

	if (m->n_outputs == 1)
		o = out;
	else
		o = xmalloc((n ? n : 1) * m->n_outputs * sizeof(double));
	ret = mlci_mlp_forward(m, X, n, o);
	if (!ret)
		decide(m, o, n, out);
	if (o != out)
		free(o);
	return ret;
}

int mlci_mlp_predict_proba(const struct mlci_mlp_model *m, const double *X,
			   size_t n, double *out)
{
	size_t i;
	int ret;

	if (m->task != MLCI_MLP_CLASSIFIER)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: a regressor gives no probabilities");
	ret = mlci_mlp_forward(m, X, n, out);
	if (ret || m->n_outputs > 1)
		return ret;
	/* One logistic unit: spread [1 - p, p] from the back. */
	for (i = n; i-- > 0;) {
		double p = out[i];

		out[2 * i] = 1.0 - p;
		out[2 * i + 1] = p;
	}
	return 0;
}

/* ---- training ---- */

/* The score scikit-learn stops on: accuracy, or R^2 for regression. */
static double val_score(const struct mlci_mlp_model *m, const double *Xv,
			const double *yv, size_t nv, double *pred)
{
	double ss_res = 0.0, ss_tot = 0.0, mean = 0.0;
	size_t i, right = 0;

	mlci_mlp_predict(m, Xv, nv, pred);
	if (m->task == MLCI_MLP_CLASSIFIER) {
		for (i = 0; i < nv; i++)
			right += pred[i] == yv[i];
		return (double)right / (double)nv;
	}
	for (i = 0; i < nv; i++)
		mean += yv[i];
	mean /= (double)nv;
	for (i = 0; i < nv; i++) {
		ss_res += (yv[i] - pred[i]) * (yv[i] - pred[i]);
		ss_tot += (yv[i] - mean) * (yv[i] - mean);
	}
	/* scikit-learn's r2_score with a constant target. */
	if (ss_tot == 0.0)
		return ss_res == 0.0 ? 1.0 : 0.0;
	return 1.0 - ss_res / ss_tot;
}

static void shuffle_idx(struct mlci_rng *rng, size_t *v, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = (size_t)mlci_rng_below(rng, i), t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/*
 * scikit-learn's _approximate_mode: draw `draws` of `total` rows spread
 * over k classes as evenly as the counts allow, the floors first, then one
 * more to the classes with the largest remainders, ties drawn at random.
 */
static void approximate_mode(const size_t *counts, size_t k, size_t total,
			     size_t draws, struct mlci_rng *rng, size_t *out)
{
	double *rem = xmalloc(k * sizeof(double));
	size_t c, given = 0;

	for (c = 0; c < k; c++) {
		double cont = (double)draws * (double)counts[c] / (double)total;

		out[c] = (size_t)floor(cont);
		rem[c] = cont - floor(cont);
		given += out[c];
	}
	while (given < draws) {
		double best = -1.0;
		size_t ties = 0, pick;

		for (c = 0; c < k; c++)
			if (rem[c] > best) {
				best = rem[c];
				ties = 1;
			} else if (rem[c] == best) {
				ties++;
			}
		pick = (size_t)mlci_rng_below(rng, ties);
		for (c = 0; c < k; c++)
			if (rem[c] == best && !pick--)
				break;
		out[c]++;
		rem[c] = -2.0;
		given++;
	}
	free(rem);
}

/*
 * Split 0..n-1 into training rows tr[0..*ntr) and validation rows
 * va[0..*nva) as train_test_split(test_size=frac) does: ceil(frac n)
 * validation rows, stratified by class for a classifier.
 */
static int split_rows(const double *y, size_t n, size_t k, int classify,
		      double frac, struct mlci_rng *rng, size_t *tr,
		      size_t *ntr, size_t *va, size_t *nva)
{
	size_t n_test = (size_t)ceil(frac * (double)n), n_train, c, i;
	size_t *counts, *ni, *ti, *rows, *start;

	n_train = n > n_test ? n - n_test : 0;
	if (n_train == 0 || n_test == 0)
		return mlci_error(MLCI_EXIT_INPUT,
				  "mlp: %zu rows are too few to set %g of them aside for early stopping",
				  n, frac);
	if (!classify) {
		for (i = 0; i < n; i++)
			va[i] = i;
		shuffle_idx(rng, va, n);
		memcpy(tr, va + n_test, n_train * sizeof(size_t));
		*ntr = n_train;
		*nva = n_test;
		return 0;
	}
	counts = xcalloc(k, sizeof(size_t));
	for (i = 0; i < n; i++)
		counts[(size_t)y[i]]++;
	for (c = 0; c < k; c++)
		if (counts[c] < 2) {
			/* Every class has rows (check_data): this one has one. */
			free(counts);
			return mlci_error(MLCI_EXIT_INPUT,
					  "mlp: class %zu has only one row; early stopping's stratified split needs 2",
					  c);
		}
	if (n_train < k || n_test < k) {
		free(counts);
		return mlci_error(MLCI_EXIT_INPUT,
				  "mlp: %zu validation and %zu training rows cannot hold all %zu classes for early stopping",
				  n_test, n_train, k);
	}
	ni = xcalloc(k, sizeof(size_t));
	ti = xcalloc(k, sizeof(size_t));
	start = xcalloc(k + 1, sizeof(size_t));
	rows = xmalloc(n * sizeof(size_t));
	approximate_mode(counts, k, n, n_train, rng, ni);
	for (c = 0; c < k; c++)
		counts[c] -= ni[c];
	approximate_mode(counts, k, n - n_train, n_test, rng, ti);
	for (c = 0; c < k; c++)
		start[c + 1] = start[c] + counts[c] + ni[c];
	/* Rows grouped by class, in order. */
	for (c = 0; c < k; c++)
		counts[c] = start[c];
	for (i = 0; i < n; i++)
		rows[counts[(size_t)y[i]]++] = i;
	*ntr = *nva = 0;
	for (c = 0; c < k; c++) {
		size_t *r = rows + start[c];

		shuffle_idx(rng, r, start[c + 1] - start[c]);
		memcpy(tr + *ntr, r, ni[c] * sizeof(size_t));
		*ntr += ni[c];
		memcpy(va + *nva, r + ni[c], ti[c] * sizeof(size_t));
		*nva += ti[c];
	}
	shuffle_idx(rng, tr, *ntr);
	shuffle_idx(rng, va, *nva);
	free(counts);
	free(ni);
	free(ti);
	free(start);
	free(rows);
	return 0;
}

/* Training state: batch buffers, gradients, Adam's moments. */
struct trainer {
	struct mlci_mlp_model *m;
	size_t bmax;
	double *xb, *yb;
	struct acts ac;
	struct acts delta;
	double *grad, *mom1, *mom2;
	double *ones;		/* bmax ones: column sums by GEMV */
	double b1t, b2t;	/* beta_1^t, beta_2^t */
};

/*
 * Loss of the b rows in t->xb / t->yb and its gradient into t->grad,
 * laid out as the weights: scikit-learn's _backprop.
 */
static double backprop(struct trainer *t, size_t b)
{
	struct mlci_mlp_model *m = t->m;
	size_t L = m->n_layers, o = m->n_outputs, i, j, l;
	double *out, *d, loss = 0.0, sq = 0.0, bd = (double)b;

	forward(m, t->xb, b, &t->ac, NULL);
	out = t->ac.a[L];
	d = t->delta.a[L];
	if (m->task == MLCI_MLP_REGRESSOR) {
		for (i = 0; i < b; i++) {
			double r = t->yb[i] - out[i];

			loss += r * r;
			d[i] = out[i] - t->yb[i];
		}
		loss = loss / bd / 2.0;
	} else if (o == 1) {
		for (i = 0; i < b; i++) {
			double p = fmin(fmax(out[i], DBL_EPSILON), 1.0 - DBL_EPSILON);

			loss += t->yb[i] > 0.5 ? log(p) : log(1.0 - p);
			d[i] = out[i] - t->yb[i];
		}
		loss = -loss / bd;
	} else {
		for (i = 0; i < b; i++) {
			size_t c = (size_t)t->yb[i];
			double p = fmin(fmax(out[i * o + c], DBL_EPSILON), 1.0 - DBL_EPSILON);

			loss += log(p);
			for (j = 0; j < o; j++)
				d[i * o + j] = out[i * o + j] - (j == c);
		}
		loss = -loss / bd;
	}
	for (l = 0; l < L; l++) {
		size_t nw = m->units[l] * m->units[l + 1];

		sq += cblas_ddot((int)nw, m->coef[l], 1, m->coef[l], 1);
	}
	loss += 0.5 * m->params.alpha * sq / bd;

	for (l = L; l-- > 0;) {
		size_t fi = m->units[l], fo = m->units[l + 1];
		const double *a = l ? t->ac.a[l] : t->xb;
		double *gc = t->grad + (m->coef[l] - m->weights);
		double *gi = t->grad + (m->intercept[l] - m->weights);
		const double *dl = t->delta.a[l + 1];

		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)fi,
			    (int)fo, (int)b, 1.0, a, (int)fi, dl, (int)fo, 0.0,
			    gc, (int)fo);
		for (i = 0; i < fi * fo; i++)
			gc[i] = (gc[i] + m->params.alpha * m->coef[l][i]) / bd;
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)b, (int)fo, 1.0 / bd,
			    dl, (int)fo, t->ones, 1, 0.0, gi, 1);
		if (l == 0)
			break;
		/* The delta of the layer below, through ReLU's derivative. */
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b,
			    (int)fi, (int)fo, 1.0, dl, (int)fo, m->coef[l],
			    (int)fo, 0.0, t->delta.a[l], (int)fi);
		for (i = 0; i < b * fi; i++)
			t->delta.a[l][i] = relu_grad(t->delta.a[l][i], a[i]);
	}
	return loss;
}

static void adam_step(struct trainer *t)
{
	const struct mlci_mlp_params *pa = &t->m->params;
	double *w = t->m->weights, lr;
	size_t i, nw = t->m->n_weights;

	t->b1t *= pa->beta_1;
	t->b2t *= pa->beta_2;
	lr = pa->learning_rate_init * sqrt(1.0 - t->b2t) / (1.0 - t->b1t);
	for (i = 0; i < nw; i++) {
		double g = t->grad[i];

		t->mom1[i] = pa->beta_1 * t->mom1[i] + (1.0 - pa->beta_1) * g;
		t->mom2[i] = pa->beta_2 * t->mom2[i] + (1.0 - pa->beta_2) * (g * g);
		w[i] += -lr * t->mom1[i] / (sqrt(t->mom2[i]) + pa->epsilon);
	}
}

static int check_data(const double *X, const double *y, size_t n, size_t p,
		      enum mlci_mlp_task task, size_t k)
{
	size_t i, *counts;

	if (task != MLCI_MLP_CLASSIFIER && task != MLCI_MLP_REGRESSOR)
		return mlci_error(MLCI_EXIT_BUG, "mlp: unknown task %d", (int)task);
	if (n < 1 || p < 1)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: no %s to fit on", n ? "features" : "rows");
	if (p > MAX_UNITS)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: too many features (%zu)", p);
	for (i = 0; i < n * p; i++)
		if (!isfinite(X[i]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "mlp: row %zu, column %zu of the features is not a finite number",
					  i / p + 1, i % p + 1);
	for (i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "mlp: the target of row %zu is not a finite number", i + 1);
	if (task == MLCI_MLP_REGRESSOR)
		return 0;
	if (k < 2 || k > MAX_UNITS)
		return mlci_error(MLCI_EXIT_INPUT, "mlp: a classifier needs 2 or more classes, not %zu", k);
	for (i = 0; i < n; i++)
		if (y[i] < 0 || y[i] >= (double)k || y[i] != floor(y[i]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "mlp: the class of row %zu (%g) is not a whole number in [0, %zu]",
					  i + 1, y[i], k - 1);
	counts = xcalloc(k, sizeof(size_t));
	for (i = 0; i < n; i++)
		counts[(size_t)y[i]]++;
	for (i = 0; i < k; i++)
		if (!counts[i]) {
			free(counts);
			return mlci_error(MLCI_EXIT_INPUT, "mlp: class %zu has no rows", i);
		}
	free(counts);
	return 0;
}

static int warm_fits(const struct mlci_mlp_model *m, const struct mlci_mlp_params *pa,
		     enum mlci_mlp_task task, size_t p, size_t k)
{
	size_t l;

	if (!m->weights || m->task != task || m->n_features != p ||
	    m->n_classes != (task == MLCI_MLP_CLASSIFIER ? k : 0) ||
	    m->n_layers != pa->n_hidden + 1)
		return 0;
	for (l = 0; l < pa->n_hidden; l++)
		if (m->units[l + 1] != pa->hidden[l])
			return 0;
	return 1;
}

static void *append(double *v, size_t len, double x)
{
	v = xrealloc(v, (len + 1) * sizeof(double));
	v[len] = x;
	return v;
}

int mlci_mlp_fit(struct mlci_mlp_model *m, const double *X, const double *y,
		 size_t n, size_t p, enum mlci_mlp_task task, size_t k,
		 const struct mlci_mlp_params *pa)
{
	struct trainer t;
	struct mlci_rng rng;
	size_t *tr, *va, ntr = n, nva = 0, i, l, s, no_improve = 0;
	double *Xv = NULL, *yv = NULL, *pred = NULL, *best = NULL;
	int ret, it, classify = task == MLCI_MLP_CLASSIFIER;

	if ((ret = check_params(pa)) < 0 ||
	    (ret = check_data(X, y, n, p, task, k)) < 0) {
		mlci_mlp_model_release(m);
		return ret;
	}
	if (!classify)
		k = 0;
	mlci_rng_seed(&rng, pa->seed);
	if (pa->warm_start) {
		if (!warm_fits(m, pa, task, p, k)) {
			mlci_mlp_model_release(m);
			return mlci_error(MLCI_EXIT_INPUT,
					  "mlp: warm start from a model of another shape");
		}
		m->params = *pa;
		m->params.warm_start = 0;
		free(m->loss_curve);
		free(m->validation_scores);
		m->loss_curve = m->validation_scores = NULL;
	} else {
		if ((ret = mlci_mlp_model_shape(m, pa, task, p, k)) < 0)
			return ret;
		/* Glorot's uniform initialisation, as scikit-learn's _init_coef for ReLU. */
		for (l = 0; l < m->n_layers; l++) {
			size_t fi = m->units[l], fo = m->units[l + 1];
			double bound = sqrt(6.0 / (double)(fi + fo));

			for (i = 0; i < fi * fo; i++)
				m->coef[l][i] = -bound + 2.0 * bound * mlci_rng_uniform(&rng);
			for (i = 0; i < fo; i++)
				m->intercept[l][i] = -bound + 2.0 * bound * mlci_rng_uniform(&rng);
		}
	}
	m->n_epochs = 0;
	m->iterations = 0;
	m->converged = 0;
	m->best_loss = NAN;
	m->best_validation_score = NAN;

	tr = xmalloc(n * sizeof(size_t));
	va = xmalloc(n * sizeof(size_t));
	if (pa->early_stopping) {
		ret = split_rows(y, n, k, classify, pa->validation_fraction, &rng,
				 tr, &ntr, va, &nva);
		if (ret < 0) {
			free(tr);
			free(va);
			mlci_mlp_model_release(m);
			return ret;
		}
		Xv = xmalloc(nva * p * sizeof(double));
		yv = xmalloc(nva * sizeof(double));
		pred = xmalloc(nva * sizeof(double));
		for (i = 0; i < nva; i++) {
			memcpy(Xv + i * p, X + va[i] * p, p * sizeof(double));
			yv[i] = y[va[i]];
		}
		best = xmalloc(m->n_weights * sizeof(double));
		memcpy(best, m->weights, m->n_weights * sizeof(double));
		m->best_validation_score = -HUGE_VAL;
	} else {
		for (i = 0; i < n; i++)
			tr[i] = i;
		m->best_loss = HUGE_VAL;
	}

	memset(&t, 0, sizeof(t));
	t.m = m;
	t.bmax = pa->batch_size ? pa->batch_size : 200;
	if (pa->batch_size > ntr)
		mlci_warning("mlp: batch_size %zu is larger than the %zu training rows: clipped",
			     pa->batch_size, ntr);
	if (t.bmax > ntr)
		t.bmax = ntr;
	t.xb = xmalloc(t.bmax * p * sizeof(double));
	t.yb = xmalloc(t.bmax * sizeof(double));
	acts_alloc(&t.ac, m, t.bmax);
	acts_alloc(&t.delta, m, t.bmax);
	t.grad = xcalloc(m->n_weights, sizeof(double));
	t.mom1 = xcalloc(m->n_weights, sizeof(double));
	t.mom2 = xcalloc(m->n_weights, sizeof(double));
	t.b1t = t.b2t = 1.0;
	t.ones = xmalloc(t.bmax * sizeof(double));
	for (i = 0; i < t.bmax; i++)
		t.ones[i] = 1.0;

	for (it = 0; it < pa->max_iter; it++) {
		double acc = 0.0, loss;

		if (pa->shuffle)
			shuffle_idx(&rng, tr, ntr);
		for (s = 0; s < ntr; s += t.bmax) {
			size_t b = ntr - s < t.bmax ? ntr - s : t.bmax;

			for (i = 0; i < b; i++) {
				memcpy(t.xb + i * p, X + tr[s + i] * p, p * sizeof(double));
				t.yb[i] = y[tr[s + i]];
			}
			/*
			 * The shuffled rows are scattered in memory: ask for the
			 * next batch's now, so that they arrive during this one.
			 */
			for (i = s + b; i < s + 2 * b && i < ntr; i++) {
				const char *row = (const char *)(X + tr[i] * p);
				size_t off;

				for (off = 0; off < p * sizeof(double); off += 64)
					__builtin_prefetch(row + off);
				__builtin_prefetch(y + tr[i]);
			}
			loss = backprop(&t, b);
			if (!isfinite(loss)) {
				ret = mlci_error(MLCI_EXIT_INPUT,
						 "mlp: training diverged (the loss is not finite in epoch %d); try a lower learning_rate_init than %g, or standardise the features",
						 it + 1, pa->learning_rate_init);
				goto out;
			}
			acc += loss * (double)b;
			adam_step(&t);
		}
		loss = acc / (double)ntr;
		if (!isfinite(loss)) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "mlp: training diverged (the mean loss of epoch %d overflows); try a lower learning_rate_init than %g",
					 it + 1, pa->learning_rate_init);
			goto out;
		}
		m->loss_curve = append(m->loss_curve, m->n_epochs, loss);
		if (pa->early_stopping) {
			double score = val_score(m, Xv, yv, nva, pred);

			if (!isfinite(score)) {
				ret = mlci_error(MLCI_EXIT_INPUT,
						 "mlp: training diverged (the validation score of epoch %d is not finite); try a lower learning_rate_init than %g",
						 it + 1, pa->learning_rate_init);
				goto out;
			}

			m->validation_scores = append(m->validation_scores, m->n_epochs, score);
			if (score < m->best_validation_score + pa->tol)
				no_improve++;
			else
				no_improve = 0;
			if (score > m->best_validation_score) {
				m->best_validation_score = score;
				memcpy(best, m->weights, m->n_weights * sizeof(double));
			}
		} else {
			if (loss > m->best_loss - pa->tol)
				no_improve++;
			else
				no_improve = 0;
			if (loss < m->best_loss)
				m->best_loss = loss;
		}
		m->n_epochs++;
		m->iterations++;
		if (pa->on_epoch)
			pa->on_epoch(pa->on_epoch_ctx, m->iterations, pa->max_iter);
		if (no_improve > (size_t)pa->n_iter_no_change) {
			m->converged = 1;
			break;
		}
	}
	if (pa->early_stopping)
		memcpy(m->weights, best, m->n_weights * sizeof(double));
	if (!mlci_all_finite(m->weights, m->n_weights))
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "mlp: training diverged (weights not finite); try a lower learning_rate_init than %g",
				 pa->learning_rate_init);
out:
	if (ret < 0)
		mlci_mlp_model_release(m);
	free(tr);
	free(va);
	free(Xv);
	free(yv);
	free(pred);
	free(best);
	free(t.xb);
	free(t.yb);
	free(t.ac.block);
	free(t.delta.block);
	free(t.grad);
	free(t.mom1);
	free(t.mom2);
	free(t.ones);
	return ret;
}

/* ---- JSON ---- */

static cJSON *numbers(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, mlci_json_number(v[i]));
	return a;
}

static const char *out_activation(const struct mlci_mlp_model *m)
{
	if (m->task == MLCI_MLP_REGRESSOR)
		return "identity";
	return m->n_outputs == 1 ? "logistic" : "softmax";
}

static cJSON *params_json(const struct mlci_mlp_params *pa)
{
	cJSON *o = cJSON_CreateObject(), *h = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < pa->n_hidden; i++)
		cJSON_AddItemToArray(h, cJSON_CreateNumber((double)pa->hidden[i]));
	mlci_json_set(o, "hidden_layer_sizes", h);
	mlci_json_set_string(o, "activation", "relu");
	mlci_json_set_string(o, "solver", "adam");
	mlci_json_set_number(o, "alpha", pa->alpha);
	if (pa->batch_size)
		mlci_json_set_number(o, "batch_size", (double)pa->batch_size);
	else
		mlci_json_set_string(o, "batch_size", "auto");
	mlci_json_set_number(o, "learning_rate_init", pa->learning_rate_init);
	mlci_json_set_number(o, "max_iter", pa->max_iter);
	mlci_json_set_number(o, "random_state", (double)pa->seed);
	mlci_json_set_bool(o, "shuffle", pa->shuffle);
	mlci_json_set_number(o, "tol", pa->tol);
	mlci_json_set_bool(o, "early_stopping", pa->early_stopping);
	mlci_json_set_number(o, "validation_fraction", pa->validation_fraction);
	mlci_json_set_number(o, "beta_1", pa->beta_1);
	mlci_json_set_number(o, "beta_2", pa->beta_2);
	mlci_json_set_number(o, "epsilon", pa->epsilon);
	mlci_json_set_number(o, "n_iter_no_change", pa->n_iter_no_change);
	return o;
}

cJSON *mlci_mlp_to_json(const struct mlci_mlp_model *m)
{
	cJSON *o = cJSON_CreateObject(), *coefs = cJSON_CreateArray();
	cJSON *ints = cJSON_CreateArray(), *conv = cJSON_CreateObject();
	size_t l, r;

	mlci_json_set_string(o, "model", "mlp");
	mlci_json_set_string(o, "task", m->task == MLCI_MLP_CLASSIFIER ?
			     "classification" : "regression");
	mlci_json_set(o, "params", params_json(&m->params));
	mlci_json_set_number(o, "n_features", (double)m->n_features);
	mlci_json_set_number(o, "n_classes", (double)m->n_classes);
	mlci_json_set_number(o, "n_outputs", (double)m->n_outputs);
	mlci_json_set_string(o, "out_activation", out_activation(m));
	for (l = 0; l < m->n_layers; l++) {
		cJSON *rows = cJSON_CreateArray();

		for (r = 0; r < m->units[l]; r++)
			cJSON_AddItemToArray(rows, numbers(m->coef[l] + r * m->units[l + 1],
							   m->units[l + 1]));
		cJSON_AddItemToArray(coefs, rows);
		cJSON_AddItemToArray(ints, numbers(m->intercept[l], m->units[l + 1]));
	}
	mlci_json_set(o, "coefs", coefs);
	mlci_json_set(o, "intercepts", ints);
	mlci_json_set_number(conv, "iterations", m->iterations);
	mlci_json_set_bool(conv, "converged", m->converged);
	mlci_json_set(conv, "best_loss", mlci_json_number(m->best_loss));
	mlci_json_set(conv, "best_validation_score",
		      mlci_json_number(m->best_validation_score));
	mlci_json_set(o, "convergence", conv);
	mlci_json_set(o, "loss_curve", numbers(m->loss_curve, m->n_epochs));
	if (m->validation_scores)
		mlci_json_set(o, "validation_scores",
			      numbers(m->validation_scores, m->n_epochs));
	else
		mlci_json_set_null(o, "validation_scores");
	return o;
}

#define MODEL "mlp model"

static int only_keys(const cJSON *obj, const char *what, const char *const *keys)
{
	const char *dup = mlci_json_duplicate_key(obj);
	const cJSON *it;

	if (dup)
		return mlci_error(MLCI_EXIT_INPUT, MODEL ": duplicate key '%s' in %s",
				  dup, what);
	for (it = obj->child; it; it = it->next) {
		const char *const *k;

		for (k = keys; *k; k++)
			if (!strcmp(*k, it->string))
				break;
		if (!*k)
			return mlci_error(MLCI_EXIT_INPUT, MODEL ": unknown key '%s' in %s",
					  it->string, what);
	}
	for (; *keys; keys++)
		if (!cJSON_GetObjectItemCaseSensitive(obj, *keys))
			return mlci_error(MLCI_EXIT_INPUT, MODEL ": '%s' missing in %s",
					  *keys, what);
	return 0;
}

/* An array of exactly n finite numbers into v; name says where it is. */
static int read_numbers(const cJSON *a, const char *name, size_t n, double *v)
{
	const cJSON *it;
	size_t i = 0;

	if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n)
		return mlci_error(MLCI_EXIT_INPUT,
				  MODEL ": '%s' must be an array of %zu numbers", name, n);
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
			return mlci_error(MLCI_EXIT_INPUT,
					  MODEL ": '%s[%zu]' is not a finite number", name, i);
		v[i++] = it->valuedouble;
	}
	return 0;
}

/* A finite number, or null for NaN. */
static int read_optional(const cJSON *it, const char *name, double *out)
{
	if (cJSON_IsNull(it)) {
		*out = NAN;
		return 0;
	}
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return mlci_error(MLCI_EXIT_INPUT,
				  MODEL ": 'convergence.%s' must be a number or null", name);
	*out = it->valuedouble;
	return 0;
}

static int read_model(struct mlci_mlp_model *m, const cJSON *o)
{
	static const char *const keys[] = {
		"model", "task", "params", "n_features", "n_classes", "n_outputs",
		"out_activation", "coefs", "intercepts", "convergence",
		"loss_curve", "validation_scores", NULL
	};
	static const char *const conv_keys[] = {
		"iterations", "converged", "best_loss", "best_validation_score", NULL
	};
	struct mlci_mlp_params pa;
	enum mlci_mlp_task task;
	const cJSON *it, *row, *conv, *lc, *vs;
	const char *s;
	double nf, nc, no, v;
	size_t l, r, n_epochs;
	char name[64];
	int ret;

	if (!cJSON_IsObject(o))
		return mlci_error(MLCI_EXIT_INPUT, MODEL ": not a JSON object");
	if ((ret = only_keys(o, "the model", keys)) < 0)
		return ret;
	s = mlci_json_get_string(o, "model");
	if (!s || strcmp(s, "mlp"))
		return mlci_error(MLCI_EXIT_INPUT, MODEL ": 'model' must be \"mlp\"");
	s = mlci_json_get_string(o, "task");
	if (s && !strcmp(s, "classification"))
		task = MLCI_MLP_CLASSIFIER;
	else if (s && !strcmp(s, "regression"))
		task = MLCI_MLP_REGRESSOR;
	else
		return mlci_error(MLCI_EXIT_INPUT,
				  MODEL ": 'task' must be \"classification\" or \"regression\"");
	mlci_mlp_params_init(&pa);
	if ((ret = parse_params(&pa, cJSON_GetObjectItemCaseSensitive(o, "params"), 1,
				MODEL)) < 0)
		return ret;
	if (whole(cJSON_GetObjectItemCaseSensitive(o, "n_features"), 1, (double)MAX_UNITS, &nf) < 0)
		return mlci_error(MLCI_EXIT_INPUT, MODEL ": 'n_features' must be a whole number >= 1");
	if (whole(cJSON_GetObjectItemCaseSensitive(o, "n_classes"), 0, (double)MAX_UNITS, &nc) < 0 ||
	    (task == MLCI_MLP_CLASSIFIER) != (nc >= 2) || nc == 1)
		return mlci_error(MLCI_EXIT_INPUT,
				  MODEL ": 'n_classes' must be 0 for regression, 2 or more for classification");
	if ((ret = mlci_mlp_model_shape(m, &pa, task, (size_t)nf, (size_t)nc)) < 0)
		return ret;
	if (whole(cJSON_GetObjectItemCaseSensitive(o, "n_outputs"), 1, (double)MAX_UNITS, &no) < 0 ||
	    (size_t)no != m->n_outputs)
		return mlci_error(MLCI_EXIT_INPUT, MODEL ": 'n_outputs' must be %zu", m->n_outputs);
	s = mlci_json_get_string(o, "out_activation");
	if (!s || strcmp(s, out_activation(m)))
		return mlci_error(MLCI_EXIT_INPUT, MODEL ": 'out_activation' must be \"%s\"",
				  out_activation(m));

	it = cJSON_GetObjectItemCaseSensitive(o, "coefs");
	if (!cJSON_IsArray(it) || (size_t)cJSON_GetArraySize(it) != m->n_layers)
		return mlci_error(MLCI_EXIT_INPUT, MODEL ": 'coefs' must be an array of %zu layers",
				  m->n_layers);
	for (l = 0; l < m->n_layers; l++) {
		const cJSON *layer = cJSON_GetArrayItem(it, (int)l);

		if (!cJSON_IsArray(layer) || (size_t)cJSON_GetArraySize(layer) != m->units[l])
			return mlci_error(MLCI_EXIT_INPUT,
					  MODEL ": 'coefs[%zu]' must be an array of %zu rows",
					  l, m->units[l]);
		r = 0;
		cJSON_ArrayForEach(row, layer) {
			snprintf(name, sizeof(name), "coefs[%zu][%zu]", l, r);
			if ((ret = read_numbers(row, name, m->units[l + 1],
						m->coef[l] + r * m->units[l + 1])) < 0)
				return ret;
			r++;
		}
	}
	it = cJSON_GetObjectItemCaseSensitive(o, "intercepts");
	if (!cJSON_IsArray(it) || (size_t)cJSON_GetArraySize(it) != m->n_layers)
		return mlci_error(MLCI_EXIT_INPUT,
				  MODEL ": 'intercepts' must be an array of %zu layers",
				  m->n_layers);
	for (l = 0; l < m->n_layers; l++) {
		snprintf(name, sizeof(name), "intercepts[%zu]", l);
		if ((ret = read_numbers(cJSON_GetArrayItem(it, (int)l), name,
					m->units[l + 1], m->intercept[l])) < 0)
			return ret;
	}

	conv = cJSON_GetObjectItemCaseSensitive(o, "convergence");
	if (!cJSON_IsObject(conv))
		return mlci_error(MLCI_EXIT_INPUT, MODEL ": 'convergence' must be an object");
	if ((ret = only_keys(conv, "'convergence'", conv_keys)) < 0)
		return ret;
	if (whole(cJSON_GetObjectItemCaseSensitive(conv, "iterations"), 0, INT_MAX, &v) < 0)
		return mlci_error(MLCI_EXIT_INPUT,
				  MODEL ": 'convergence.iterations' must be a whole number >= 0");
	m->iterations = (int)v;
	it = cJSON_GetObjectItemCaseSensitive(conv, "converged");
	if (!cJSON_IsBool(it))
		return mlci_error(MLCI_EXIT_INPUT,
				  MODEL ": 'convergence.converged' must be true or false");
	m->converged = cJSON_IsTrue(it);
	if ((ret = read_optional(cJSON_GetObjectItemCaseSensitive(conv, "best_loss"),
				 "best_loss", &m->best_loss)) < 0 ||
	    (ret = read_optional(cJSON_GetObjectItemCaseSensitive(conv, "best_validation_score"),
				 "best_validation_score", &m->best_validation_score)) < 0)
		return ret;

	lc = cJSON_GetObjectItemCaseSensitive(o, "loss_curve");
	if (!cJSON_IsArray(lc))
		return mlci_error(MLCI_EXIT_INPUT, MODEL ": 'loss_curve' must be an array");
	n_epochs = (size_t)cJSON_GetArraySize(lc);
	if (n_epochs != (size_t)m->iterations)
		return mlci_error(MLCI_EXIT_INPUT,
				  MODEL ": 'loss_curve' must have one value per iteration (%d)",
				  m->iterations);
	m->loss_curve = xmalloc((n_epochs ? n_epochs : 1) * sizeof(double));
	if ((ret = read_numbers(lc, "loss_curve", n_epochs, m->loss_curve)) < 0)
		return ret;
	vs = cJSON_GetObjectItemCaseSensitive(o, "validation_scores");
	if (!cJSON_IsNull(vs)) {
		m->validation_scores = xmalloc((n_epochs ? n_epochs : 1) * sizeof(double));
		if ((ret = read_numbers(vs, "validation_scores", n_epochs,
					m->validation_scores)) < 0)
			return ret;
	}
	m->n_epochs = n_epochs;
	return 0;
}

int mlci_mlp_from_json(struct mlci_mlp_model *m, const cJSON *o)
{
	int ret;

	mlci_mlp_model_release(m);
	ret = read_model(m, o);
	if (ret < 0)
		mlci_mlp_model_release(m);
	return ret;
}
