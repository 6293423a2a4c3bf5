/* SPDX-License-Identifier: MIT */
/* Model families behind one interface: the table ml-train parses, fits, predicts, saves and loads models through. */
#include "estimator.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forest.h"
#include "hgb.h"
#include "json.h"
#include "linear.h"
#include "mlp.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

/* ---- helpers for adapters ---- */

void mlci_param_double(char *buf, size_t size, double v)
{
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

int mlci_param_number(const struct mlci_config *cfg, const cJSON *it,
		      const char *what, double min, double max, int integer,
		      double *out)
{
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
	    it->valuedouble < min || it->valuedouble > max ||
	    (integer && it->valuedouble != floor(it->valuedouble)))
		return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
					 "'%s' must be %s between %g and %g",
					 what, integer ? "a whole number" : "a number",
					 min, max);
	*out = it->valuedouble;
	return 0;
}

int mlci_param_bool(const struct mlci_config *cfg, const cJSON *it,
		    const char *what, int *out)
{
	if (!cJSON_IsBool(it))
		return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
					 "'%s' must be true or false", what);
	*out = cJSON_IsTrue(it);
	return 0;
}

/* ---- linear models (lib/linear) ---- */

static const char *const lr_keys[] = { "fit_intercept", NULL };
static const char *const ridge_keys[] = { "alpha", "fit_intercept", NULL };
static const char *const logistic_keys[] = { "C", "max_iter", "tol",
					     "fit_intercept", "class_weight",
					     NULL };
static const char *const svm_keys[] = { "C", "max_iter", "tol", "fit_intercept",
					"intercept_scaling", "loss", "seed",
					"class_weight", NULL };

/*
 * The linear models' parameters: the module's, and class_weight, which
 * needs the classes: "balanced" (n / (k * rows of the class), as
 * scikit-learn), a mapping of class label -> weight (other classes 1;
 * borrowed from the config), or none.
 */
struct lin_params {
	struct mlci_linear_params lin;
	int balanced;
	const cJSON *weights;
};

static void lin_params_init(const struct mlci_family *fam, void *params)
{
	struct lin_params *p = params;

	mlci_linear_params_init(&p->lin, (enum mlci_linear_kind)fam->variant);
	p->balanced = 0;
	p->weights = NULL;
}

static int lin_class_weight(struct lin_params *p, const struct mlci_config *cfg,
			    const cJSON *it)
{
	const cJSON *w;

	p->balanced = 0;
	p->weights = NULL;
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
		if (!cJSON_IsNumber(w) || !isfinite(w->valuedouble) ||
		    !(w->valuedouble > 0))
			return mlci_config_error(cfg, w, MLCI_EXIT_INPUT,
						 "the weight of class '%s' must be a number > 0",
						 w->string);
	p->weights = it;
	return 0;
}

static int lin_set_param(const struct mlci_family *fam, void *params,
			 const struct mlci_config *cfg, const char *k,
			 const cJSON *it)
{
	struct mlci_linear_params *p = &((struct lin_params *)params)->lin;
	double v;
	int ret;

	(void)fam;
	if (!strcmp(k, "class_weight")) {
		ret = lin_class_weight(params, cfg, it);
	} else if (!strcmp(k, "C")) {
		ret = mlci_param_number(cfg, it, k, 1e-300, 1e300, 0, &p->C);
		if (!ret && p->C <= 0)
			ret = mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						"'C' must be positive");
	} else if (!strcmp(k, "alpha")) {
		ret = mlci_param_number(cfg, it, k, 0, 1e300, 0, &p->alpha);
	} else if (!strcmp(k, "tol")) {
		ret = mlci_param_number(cfg, it, k, 0, 1e300, 0, &p->tol);
	} else if (!strcmp(k, "intercept_scaling")) {
		ret = mlci_param_number(cfg, it, k, 1e-300, 1e300, 0,
					&p->intercept_scaling);
	} else if (!strcmp(k, "max_iter")) {
		ret = mlci_param_number(cfg, it, k, 1, 1e9, 1, &v);
		if (!ret)
			p->max_iter = (int)v;
	} else if (!strcmp(k, "seed")) {
		ret = mlci_param_number(cfg, it, k, 0, 9007199254740992.0, 1, &v);
		if (!ret)
			p->seed = (uint64_t)v;
	} else if (!strcmp(k, "fit_intercept")) {
		ret = mlci_param_bool(cfg, it, k, &p->fit_intercept);
	} else if (!strcmp(k, "loss")) {
		if (!cJSON_IsString(it) || (strcmp(it->valuestring, "hinge") &&
					    strcmp(it->valuestring, "squared_hinge")))
			return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						 "'loss' must be 'hinge' or 'squared_hinge'");
		p->hinge = !strcmp(it->valuestring, "hinge");
		ret = 0;
	} else {
		ret = mlci_error(MLCI_EXIT_BUG, "linear: no parameter '%s'", k);
	}
	return ret;
}

static void lin_params_flat(const struct mlci_family *fam, const void *params,
			    cJSON *o)
{
	const struct lin_params *lp = params;
	const struct mlci_linear_params *p = &lp->lin;
	const char *const *k;
	char buf[64];

	for (k = fam->param_keys; *k; k++) {
		if (!strcmp(*k, "class_weight")) {
			/* Listed only when given, as before class weights. */
			struct strbuf sb = STRBUF_INIT;

			if (!lp->balanced && !lp->weights)
				continue;
			if (lp->balanced)
				strbuf_addstr(&sb, "balanced");
			else
				mlci_json_print(lp->weights, 0, &sb);
			mlci_json_set_string(o, *k, sb.buf);
			strbuf_release(&sb);
			continue;
		}
		if (!strcmp(*k, "C"))
			mlci_param_double(buf, sizeof(buf), p->C);
		else if (!strcmp(*k, "alpha"))
			mlci_param_double(buf, sizeof(buf), p->alpha);
		else if (!strcmp(*k, "tol"))
			mlci_param_double(buf, sizeof(buf), p->tol);
		else if (!strcmp(*k, "intercept_scaling"))
			mlci_param_double(buf, sizeof(buf), p->intercept_scaling);
		else if (!strcmp(*k, "max_iter"))
			snprintf(buf, sizeof(buf), "%d", p->max_iter);
		else if (!strcmp(*k, "seed"))
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)p->seed);
		else if (!strcmp(*k, "fit_intercept"))
			snprintf(buf, sizeof(buf), "%s", p->fit_intercept ? "true" : "false");
		else
			snprintf(buf, sizeof(buf), "%s", p->hinge ? "hinge" : "squared_hinge");
		mlci_json_set_string(o, *k, buf);
	}
}

static void lin_model_init(void *model)
{
	mlci_linear_model_init(model);
}

static void lin_model_release(void *model)
{
	mlci_linear_model_release(model);
}

double *mlci_class_weights(const struct mlci_fit_data *d, int balanced,
			   const cJSON *map, int *ret)
{
	size_t i, j, k = d->nclasses;
	const cJSON *it;
	double *cw;

	*ret = 0;
	if (!k || (!balanced && !map))
		return NULL;
	cw = xmalloc(k * sizeof(*cw));
	for (j = 0; j < k; j++)
		cw[j] = balanced ? 0.0 : 1.0;
	if (balanced) {
		/* scikit-learn's compute_class_weight: n / (k * rows of the class). */
		for (i = 0; i < d->n; i++)
			if (d->y[i] >= 0 && (size_t)d->y[i] < k)
				cw[(size_t)d->y[i]] += 1.0;
		for (j = 0; j < k; j++)
			cw[j] = cw[j] > 0 ? (double)d->n / ((double)k * cw[j]) : 1.0;
		return cw;
	}
	cJSON_ArrayForEach(it, map) {
		for (j = 0; j < k; j++)
			if (d->class_names && !strcmp(d->class_names[j], it->string))
				break;
		if (j == k) {
			free(cw);
			*ret = mlci_error(MLCI_EXIT_INPUT,
					  "class_weight: '%s' is not a class of the target",
					  it->string);
			return NULL;
		}
		cw[j] = it->valuedouble;
	}
	return cw;
}

static int lin_fit(void *model, const void *params,
		   const struct mlci_fit_data *d)
{
	const struct lin_params *lp = params;
	struct mlci_linear_params p = lp->lin;
	double *cw;
	size_t k = d->nclasses;
	int ret;

	if (!(cw = mlci_class_weights(d, lp->balanced, lp->weights, &ret)) && ret)
		return ret;
	if (cw) {
		p.class_weight = cw;
		p.n_class_weight = k;
	}
	ret = mlci_linear_fit(model, d->X, d->y, d->weight, d->n, d->d, &p);
	free(cw);
	return ret;
}

static int lin_predict(const void *model, const double *X, size_t n,
		       double *out)
{
	return mlci_linear_predict(model, X, n, out);
}

static int lin_scores(const void *model, const double *X, size_t n, double *out)
{
	const struct mlci_linear_model *m = model;
	size_t i;

	if (m->params.kind == MLCI_LINEAR_LOGISTIC)
		return mlci_linear_predict_proba(m, X, n, out);
	if (m->n_rows == 1) {
		double *d = xmalloc((n ? n : 1) * sizeof(*d));

		mlci_linear_decision_function(m, X, n, d);
		for (i = 0; i < n; i++) {
			out[2 * i] = -d[i];
			out[2 * i + 1] = d[i];
		}
		free(d);
		return 0;
	}
	return mlci_linear_decision_function(m, X, n, out);
}

static cJSON *lin_to_json(const void *model)
{
	return mlci_linear_to_json(model);
}

static int lin_from_json(void *model, const cJSON *json, const char *what)
{
	(void)what;
	return mlci_linear_from_json(model, json);
}

static void lin_shape(const void *model, size_t *d, size_t *k)
{
	const struct mlci_linear_model *m = model;

	*d = m->n_features;
	*k = m->n_classes;
}

static cJSON *lin_history(const void *model)
{
	const struct mlci_linear_model *m = model;
	cJSON *h = cJSON_CreateObject(), *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < m->history_len; i++)
		cJSON_AddItemToArray(a, mlci_json_number(m->history[i]));
	mlci_json_set(h, m->params.kind == MLCI_LINEAR_SVM ? "dual_objective"
		      : "loss", a);
	return h;
}

static cJSON *lin_convergence(const void *model)
{
	const struct mlci_linear_model *m = model;
	cJSON *cv = cJSON_CreateObject();

	mlci_json_set_number(cv, "iterations", m->iterations);
	mlci_json_set_bool(cv, "converged", m->converged);
	mlci_json_set_number(cv, "grad_norm", m->grad_norm);
	return cv;
}

/* ---- the multi-layer perceptron (lib/mlp) ---- */

/* scikit-learn's names and ml-train's aliases. */
static const char *const mlp_keys[] = {
	"hidden_layer_sizes", "activation", "solver", "alpha", "batch_size",
	"learning_rate_init", "learning_rate", "max_iter", "epochs",
	"random_state", "seed", "shuffle", "early_stopping", "tol",
	"validation_fraction", "beta_1", "beta_2", "epsilon",
	"n_iter_no_change", NULL
};

static const char *const mlp_synonyms[] = {
	"learning_rate_init", "learning_rate", "max_iter", "epochs",
	"random_state", "seed", NULL
};

static void mlp_params_init(const struct mlci_family *fam, void *params)
{
	(void)fam;
	mlci_mlp_params_init(params);
}

static int mlp_set_param(const struct mlci_family *fam, void *params,
			 const struct mlci_config *cfg, const char *key,
			 const cJSON *value)
{
	cJSON *o = cJSON_CreateObject();
	int ret;

	mlci_json_set(o, key, cJSON_Duplicate(value, 1));
	ret = mlci_mlp_params_from_json(params, o);
	cJSON_Delete(o);
	if (ret)
		return mlci_config_error(cfg, value, MLCI_EXIT_INPUT,
					 "invalid parameter '%s' for '%s'", key,
					 fam->name);
	return 0;
}

/* A parameter given under both its names, as mlci_mlp_params_from_json() sees it. */
static int mlp_check_params(const struct mlci_family *fam, const void *params,
			    const struct mlci_config *cfg, const cJSON *obj)
{
	struct mlci_mlp_params scratch;

	if (!obj || cJSON_IsNull(obj))
		return 0;
	scratch = *(const struct mlci_mlp_params *)params;
	if (mlci_mlp_params_from_json(&scratch, obj))
		return mlci_config_error(cfg, obj, MLCI_EXIT_INPUT,
					 "invalid parameters for '%s'", fam->name);
	return 0;
}

static void mlp_params_flat(const struct mlci_family *fam, const void *params,
			    cJSON *o)
{
	struct mlci_mlp_model m;
	cJSON *j, *it;
	char buf[64];

	(void)fam;
	/* The model's JSON names the parameters as scikit-learn does. */
	mlci_mlp_model_init(&m);
	m.params = *(const struct mlci_mlp_params *)params;
	j = mlci_mlp_to_json(&m);
	cJSON_ArrayForEach(it, mlci_json_get_object(j, "params")) {
		struct strbuf sb = STRBUF_INIT;

		if (cJSON_IsNumber(it)) {
			mlci_param_double(buf, sizeof(buf), it->valuedouble);
			strbuf_addstr(&sb, buf);
		} else if (cJSON_IsString(it)) {
			strbuf_addstr(&sb, it->valuestring);
		} else if (cJSON_IsBool(it)) {
			strbuf_addstr(&sb, cJSON_IsTrue(it) ? "true" : "false");
		} else if (cJSON_IsNull(it)) {
			strbuf_addstr(&sb, "null");
		} else {
			mlci_json_print(it, 0, &sb);
		}
		mlci_json_set_string(o, it->string, sb.buf);
		strbuf_release(&sb);
	}
	cJSON_Delete(j);
	mlci_mlp_model_release(&m);
}

static void mlp_model_init(void *model)
{
	mlci_mlp_model_init(model);
}

static void mlp_model_release(void *model)
{
	mlci_mlp_model_release(model);
}

/* Epochs to the fit's progress callback. */
static void mlp_epoch(void *ctx, int epoch, int max_iter)
{
	const struct mlci_fit_data *d = ctx;

	d->progress(d->progress_ctx, (size_t)epoch, (size_t)max_iter);
}

static int mlp_fit(void *model, const void *params,
		   const struct mlci_fit_data *d)
{
	struct mlci_mlp_params p = *(const struct mlci_mlp_params *)params;
	struct mlci_mlp_model *m = model;
	int ret;

	if (d->weight)
		return mlci_error(MLCI_EXIT_INPUT,
				  "mlp: sample weights are not supported");
	if (d->progress) {
		p.on_epoch = mlp_epoch;
		p.on_epoch_ctx = (void *)d;
	}
	ret = mlci_mlp_fit(m, d->X, d->y, d->n, d->d,
			   d->task == MLCI_TASK_CLASSIFICATION ?
			   MLCI_MLP_CLASSIFIER : MLCI_MLP_REGRESSOR,
			   d->nclasses, &p);
	m->params.on_epoch = NULL;
	m->params.on_epoch_ctx = NULL;
	return ret;
}

static int mlp_predict(const void *model, const double *X, size_t n,
		       double *out)
{
	return mlci_mlp_predict(model, X, n, out);
}

static int mlp_scores(const void *model, const double *X, size_t n,
		      double *out)
{
	return mlci_mlp_predict_proba(model, X, n, out);
}

static cJSON *mlp_to_json(const void *model)
{
	return mlci_mlp_to_json(model);
}

static int mlp_from_json(void *model, const cJSON *json, const char *what)
{
	(void)what;
	return mlci_mlp_from_json(model, json);
}

static void mlp_shape(const void *model, size_t *d, size_t *k)
{
	const struct mlci_mlp_model *m = model;

	*d = m->n_features;
	*k = m->n_classes;
}

static cJSON *mlp_history(const void *model)
{
	const struct mlci_mlp_model *m = model;
	cJSON *h = cJSON_CreateObject(), *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < m->n_epochs; i++)
		cJSON_AddItemToArray(a, mlci_json_number(m->loss_curve[i]));
	mlci_json_set(h, "loss", a);
	return h;
}

static cJSON *mlp_convergence(const void *model)
{
	const struct mlci_mlp_model *m = model;
	cJSON *cv = cJSON_CreateObject();

	mlci_json_set_number(cv, "iterations", m->iterations);
	mlci_json_set_bool(cv, "converged", m->converged);
	mlci_json_set_number(cv, "best_loss", m->best_loss);
	return cv;
}

/* ---- the table ---- */

static const struct mlci_family_type lr_types[] = {
	{ "linear_regression", MLCI_TASK_REGRESSION }, { NULL, 0 }
};
static const struct mlci_family_type ridge_types[] = {
	{ "ridge", MLCI_TASK_REGRESSION }, { NULL, 0 }
};
static const struct mlci_family_type logistic_types[] = {
	{ "logistic_regression", MLCI_TASK_CLASSIFICATION }, { NULL, 0 }
};
static const struct mlci_family_type svm_types[] = {
	{ "linear_svm", MLCI_TASK_CLASSIFICATION }, { NULL, 0 }
};
static const struct mlci_family_type mlp_types[] = {
	{ "mlp", MLCI_TASK_NONE },
	{ "mlp_classifier", MLCI_TASK_CLASSIFICATION },
	{ "mlp_regressor", MLCI_TASK_REGRESSION },
	{ NULL, 0 }
};

#define LINEAR_ADAPTER \
	.params_size = sizeof(struct lin_params), \
	.model_size = sizeof(struct mlci_linear_model), \
	.params_init = lin_params_init, \
	.set_param = lin_set_param, \
	.params_flat = lin_params_flat, \
	.model_init = lin_model_init, \
	.model_release = lin_model_release, \
	.fit = lin_fit, \
	.predict = lin_predict, \
	.predict_scores = lin_scores, \
	.to_json = lin_to_json, \
	.from_json = lin_from_json, \
	.shape = lin_shape, \
	.history = lin_history, \
	.convergence = lin_convergence

const struct mlci_family mlci_families[] = {
	{
		.name = "linear_regression", .types = lr_types,
		.param_keys = lr_keys, .variant = MLCI_LINEAR_REGRESSION,
		LINEAR_ADAPTER
	},
	{
		.name = "ridge", .types = ridge_types,
		.param_keys = ridge_keys, .variant = MLCI_LINEAR_RIDGE,
		LINEAR_ADAPTER
	},
	{
		.name = "logistic_regression", .types = logistic_types,
		.param_keys = logistic_keys, .variant = MLCI_LINEAR_LOGISTIC,
		.scores = MLCI_SCORES_PROBA,
		LINEAR_ADAPTER
	},
	{
		.name = "linear_svm", .types = svm_types,
		.param_keys = svm_keys, .variant = MLCI_LINEAR_SVM,
		.scores = MLCI_SCORES_DECISION,
		LINEAR_ADAPTER
	},
	{
		.name = "mlp", .types = mlp_types, .param_keys = mlp_keys,
		.synonyms = mlp_synonyms,
		.scores = MLCI_SCORES_PROBA,
		.params_size = sizeof(struct mlci_mlp_params),
		.model_size = sizeof(struct mlci_mlp_model),
		.params_init = mlp_params_init,
		.set_param = mlp_set_param,
		.check_params = mlp_check_params,
		.params_flat = mlp_params_flat,
		.model_init = mlp_model_init,
		.model_release = mlp_model_release,
		.fit = mlp_fit,
		.predict = mlp_predict,
		.predict_scores = mlp_scores,
		.to_json = mlp_to_json,
		.from_json = mlp_from_json,
		.shape = mlp_shape,
		.history = mlp_history,
		.convergence = mlp_convergence
	},
	/* The tree families' adapters live in lib/forest.c. */
	{ MLCI_DECISION_TREE_FAMILY },
	{ MLCI_RANDOM_FOREST_FAMILY },
	/* Gradient boosting's adapter lives in lib/hgb.c. */
	{ MLCI_GRADIENT_BOOSTING_FAMILY },
	{ .name = NULL }
};

/* ---- dispatch ---- */

const struct mlci_family *mlci_family_find(const char *type,
					   enum mlci_task *task)
{
	const struct mlci_family *f;
	const struct mlci_family_type *t;

	for (f = mlci_families; f->name; f++)
		for (t = f->types; t->name; t++)
			if (!strcmp(t->name, type)) {
				if (task)
					*task = t->task;
				return f;
			}
	return NULL;
}

const struct mlci_family *mlci_family_by_name(const char *name)
{
	const struct mlci_family *f;

	for (f = mlci_families; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

void mlci_family_list_types(struct strbuf *sb)
{
	const struct mlci_family *f;
	const struct mlci_family_type *t;
	size_t start = sb->len;

	for (f = mlci_families; f->name; f++)
		for (t = f->types; t->name; t++)
			strbuf_addf(sb, "%s%s", sb->len > start ? ", " : "", t->name);
}

void mlci_estimator_init(struct mlci_estimator *e)
{
	memset(e, 0, sizeof(*e));
}

static void release_model(struct mlci_estimator *e)
{
	if (e->model) {
		e->fam->model_release(e->model);
		free(e->model);
		e->model = NULL;
	}
	e->fitted = 0;
	e->d = e->k = 0;
}

void mlci_estimator_release(struct mlci_estimator *e)
{
	release_model(e);
	free(e->params);
	memset(e, 0, sizeof(*e));
}

void mlci_estimator_setup(struct mlci_estimator *e,
			  const struct mlci_family *fam)
{
	mlci_estimator_release(e);
	e->fam = fam;
	e->params = xcalloc(1, fam->params_size);
	fam->params_init(fam, e->params);
}

void mlci_estimator_copy_params(struct mlci_estimator *dst,
				const struct mlci_estimator *src)
{
	mlci_estimator_release(dst);
	dst->fam = src->fam;
	dst->params = xmalloc(src->fam->params_size);
	memcpy(dst->params, src->params, src->fam->params_size);
}

int mlci_estimator_check_key(const struct mlci_estimator *e,
			     const struct mlci_config *cfg, const cJSON *where,
			     const char *key)
{
	const char *const *k;
	struct strbuf sb = STRBUF_INIT;
	int ret;

	for (k = e->fam->param_keys; *k; k++)
		if (!strcmp(*k, key))
			return 0;
	for (k = e->fam->param_keys; *k; k++)
		strbuf_addf(&sb, "%s%s", k == e->fam->param_keys ? "" : ", ", *k);
	ret = mlci_config_error(cfg, where, MLCI_EXIT_INPUT,
				"unknown key '%s' in 'params' (known: %s)",
				key, sb.buf);
	strbuf_release(&sb);
	return ret;
}

/* Both names of one parameter in obj? */
static int check_synonyms(const struct mlci_estimator *e,
			  const struct mlci_config *cfg, const cJSON *obj)
{
	const char *const *s;

	for (s = e->fam->synonyms; s && s[0] && s[1]; s += 2) {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(obj, s[1]);

		if (cJSON_GetObjectItemCaseSensitive(obj, s[0]) && b)
			return mlci_config_error(cfg, b, MLCI_EXIT_INPUT,
						 "'%s' and '%s' are the same parameter",
						 s[0], s[1]);
	}
	return 0;
}

int mlci_estimator_set_param(struct mlci_estimator *e,
			     const struct mlci_config *cfg, const cJSON *where,
			     const char *key, const cJSON *value)
{
	int ret;

	if ((ret = mlci_estimator_check_key(e, cfg, where, key)))
		return ret;
	return e->fam->set_param(e->fam, e->params, cfg, key, value);
}

int mlci_estimator_parse_params(struct mlci_estimator *e,
				const struct mlci_config *cfg,
				const cJSON *params)
{
	const cJSON *it;
	int ret;

	if (params && !cJSON_IsNull(params)) {
		if (!cJSON_IsObject(params))
			return mlci_config_error(cfg, params, MLCI_EXIT_INPUT,
						 "'params' must be a mapping");
		cJSON_ArrayForEach(it, params)
			if ((ret = mlci_estimator_check_key(e, cfg, it, it->string)))
				return ret;
		if ((ret = check_synonyms(e, cfg, params)))
			return ret;
		cJSON_ArrayForEach(it, params)
			if ((ret = e->fam->set_param(e->fam, e->params, cfg,
						     it->string, it)))
				return ret;
	}
	if (e->fam->check_params)
		return e->fam->check_params(e->fam, e->params, cfg,
					    cJSON_IsNull(params) ? NULL : params);
	return 0;
}

void mlci_estimator_params_json(const struct mlci_estimator *e, cJSON *out)
{
	e->fam->params_flat(e->fam, e->params, out);
}

int mlci_estimator_fit(struct mlci_estimator *e,
		       const struct mlci_fit_data *data)
{
	int ret;

	if (!data->X && !(data->cols && e->fam->columns))
		return mlci_error(MLCI_EXIT_BUG,
				  "%s: fit without the features' values", e->fam->name);
	release_model(e);
	e->model = xcalloc(1, e->fam->model_size);
	e->fam->model_init(e->model);
	ret = e->fam->fit(e->model, e->params, data);
	if (ret) {
		release_model(e);
		return ret;
	}
	e->fam->shape(e->model, &e->d, &e->k);
	e->fitted = 1;
	return 0;
}

int mlci_estimator_predict(const struct mlci_estimator *e, const double *X,
			   size_t n, double *pred, double *scores)
{
	int ret;

	if (!e->fitted)
		return mlci_error(MLCI_EXIT_BUG, "predict with a model not fitted");
	if (scores && e->k && e->fam->predict_both)
		return e->fam->predict_both(e->model, X, n, pred, scores);
	if ((ret = e->fam->predict(e->model, X, n, pred)))
		return ret;
	if (scores && e->k)
		return e->fam->predict_scores(e->model, X, n, scores);
	return 0;
}

enum mlci_scores_kind mlci_estimator_scores_kind(const struct mlci_estimator *e)
{
	if (!e->k)
		return MLCI_SCORES_NONE;
	if (e->fam->scores_kind)
		return e->fam->scores_kind(e->model);
	return e->fam->scores;
}

cJSON *mlci_estimator_to_json(const struct mlci_estimator *e)
{
	return e->fam->to_json(e->model);
}

int mlci_estimator_from_json(struct mlci_estimator *e, const cJSON *json,
			     const char *what)
{
	const char *name = mlci_json_get_string(json, "model");
	const struct mlci_family *fam;
	int ret;

	mlci_estimator_release(e);
	if (!cJSON_IsObject(json))
		return mlci_error(MLCI_EXIT_INPUT, "%s: 'model' must be an object",
				  what);
	if (!name || !(fam = mlci_family_by_name(name)))
		return mlci_error(MLCI_EXIT_INPUT, "%s: model.model: unknown model type '%s'",
				  what, name ? name : "(missing)");
	mlci_estimator_setup(e, fam);
	e->model = xcalloc(1, fam->model_size);
	fam->model_init(e->model);
	if ((ret = fam->from_json(e->model, json, what))) {
		release_model(e);
		return ret;
	}
	fam->shape(e->model, &e->d, &e->k);
	e->fitted = 1;
	return 0;
}

cJSON *mlci_estimator_history(const struct mlci_estimator *e)
{
	if (!e->fam->history)
		return cJSON_CreateObject();
	return e->fam->history(e->model);
}

cJSON *mlci_estimator_convergence(const struct mlci_estimator *e)
{
	if (!e->fam->convergence)
		return cJSON_CreateObject();
	return e->fam->convergence(e->model);
}

double *mlci_estimator_importances(const struct mlci_estimator *e)
{
	double *v;

	if (!e->fam->importances || !e->d)
		return NULL;
	v = xmalloc(e->d * sizeof(*v));
	if (e->fam->importances(e->model, v)) {
		free(v);
		return NULL;
	}
	return v;
}
