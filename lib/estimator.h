/* SPDX-License-Identifier: MIT */
/* Model families behind one interface: the table ml-train parses, fits, predicts, saves and loads models through. */
#ifndef MLCI_ESTIMATOR_H
#define MLCI_ESTIMATOR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "dataset.h"

/*
 * A family is one kind of model (logistic_regression, mlp,
 * random_forest...): a row of the table in estimator.c that points at
 * its adapter. lib/train.c knows no family by name; it goes through the
 * mlci_estimator_* functions below, which dispatch on the table.
 *
 * Adding a family:
 *   1. write its adapter (in its own module or in estimator.c): a params
 *      struct (plain data, copied with memcpy: no pointers it owns), a
 *      model struct, and the functions of struct mlci_family below;
 *   2. add one row to the table in estimator.c (sorted as the "valid:"
 *      list of the messages should read);
 *   3. document its config type names and parameters in ml-train(1).
 *
 * Data the adapters see: X is a dense row-major n x d matrix of the
 * preprocessed features (finite, except NaN for a missing value when the
 * family asked for raw features, see raw_features), or for a family that
 * reads columns possibly the same values as d columns; y holds n values,
 * the class index 0..k-1 (a whole number, every class present) for
 * classification or the target value for regression; weight is NULL
 * (ones) or n values >= 0. Every function reports errors through
 * mlci_error() (or mlci_config_error() for the config) and returns the
 * negative exit code; 0 on success.
 */

/* A config type name and the task it fixes (NONE: the data decides). */
struct mlci_family_type {
	const char *name;
	enum mlci_task task;
};

/* What fit() gets. */
struct mlci_fit_data {
	/*
	 * n x d, row-major; NULL when cols holds the features instead (only
	 * for a family that reads columns, see columns).
	 */
	const double *X;
	const double *const *cols;	/* d columns of n values, or NULL */
	const double *y;		/* n values */
	const double *weight;		/* n values, or NULL */
	size_t n, d;
	enum mlci_task task;		/* CLASSIFICATION or REGRESSION */
	size_t nclasses;		/* k >= 2 for classification, else 0 */
	/*
	 * A seed for families whose params hold none (ml-train passes 0);
	 * a family with its own seed parameter uses that.
	 */
	uint64_t seed;
	const char *const *feature_names;	/* d names, for messages */
	const char *const *class_names;		/* k labels (classification) */
	/*
	 * Optional (NULL): an iterative family may call it as the fit
	 * advances (done of total steps: epochs, iterations) for a progress
	 * display; it must not change the result.
	 */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

/* Kinds of scores a fitted classifier gives. */
enum mlci_scores_kind {
	MLCI_SCORES_NONE = 0,	/* regressors */
	MLCI_SCORES_PROBA,	/* class probabilities: rows sum to 1 */
	MLCI_SCORES_DECISION	/* decision values: larger favours the class */
};

struct mlci_family {
	/*
	 * The canonical name: the record's model_type, and the "model" key
	 * the adapter's to_json() must write (from_json dispatches on it).
	 */
	const char *name;
	/* The config type names (NULL-name ended); the first is name itself. */
	const struct mlci_family_type *types;
	/* The parameter keys the config may give (NULL-ended), in order. */
	const char *const *param_keys;
	/*
	 * Pairs of keys that name the same parameter ({"epochs", "max_iter",
	 * ...}, NULL-ended, may be NULL): giving both is an error.
	 */
	const char *const *synonyms;
	/* An int for the adapter (e.g. which linear kind). */
	int variant;
	/*
	 * 1: the family wants raw numeric features: no scaling and missing
	 * numbers passed as NaN (no imputer), unless the config's preprocess
	 * says otherwise (an explicit impute or scale wins).
	 */
	int raw_features;
	/*
	 * 1: fit reads the features as columns (mlci_fit_data.cols) when the
	 * caller has them, X being NULL then; predictions still get rows.
	 */
	int columns;
	/*
	 * The scores predict gives (for classification); a family may know
	 * it only from the model: see scores_kind() below.
	 */
	enum mlci_scores_kind scores;

	size_t params_size, model_size;

	/* Defaults (scikit-learn's) into params (params_size bytes, zeroed). */
	void (*params_init)(const struct mlci_family *fam, void *params);
	/*
	 * Set the one parameter key (one of param_keys) to value, a node of
	 * cfg's tree: an error names the value's file:line with
	 * mlci_config_error(). Used for params: and for every search: value.
	 */
	int (*set_param)(const struct mlci_family *fam, void *params,
			 const struct mlci_config *cfg, const char *key,
			 const cJSON *value);
	/*
	 * Optional (may be NULL): checks across parameters once params: is
	 * set; obj is the config's params mapping (NULL when absent), for
	 * the message.
	 */
	int (*check_params)(const struct mlci_family *fam, const void *params,
			    const struct mlci_config *cfg, const cJSON *obj);
	/*
	 * The parameters as flat strings (MLflow's params) into out: every
	 * key, values as the config would write them ("0.1", "true",
	 * "[64, 32]"), numbers the shortest text that reads back exactly.
	 */
	void (*params_flat)(const struct mlci_family *fam, const void *params,
			    cJSON *out);

	/* An empty model (model_size bytes, zeroed) and its release. */
	void (*model_init)(void *model);
	void (*model_release)(void *model);
	/*
	 * Fit model (initialised; the adapter releases what it held) on data
	 * with params. On failure the model is left empty. A model returned
	 * never holds NaN or infinity.
	 */
	int (*fit)(void *model, const void *params,
		   const struct mlci_fit_data *data);
	/* Predictions (class index as a double, or the value) of n rows. */
	int (*predict)(const void *model, const double *X, size_t n,
		       double *out);
	/*
	 * Classifiers: n x k scores into out (k = nclasses, even for two
	 * classes: a family with one decision value d writes [-d, d]). NULL
	 * for regression-only families.
	 */
	int (*predict_scores)(const void *model, const double *X, size_t n,
			      double *out);
	/*
	 * Optional: predictions and a classifier's scores in one pass over
	 * the model, the same as predict() then predict_scores().
	 */
	int (*predict_both)(const void *model, const double *X, size_t n,
			    double *pred, double *scores);
	/* Optional: the kind of scores of this model, when it varies. */
	enum mlci_scores_kind (*scores_kind)(const void *model);
	/*
	 * The model as a new JSON object with "model": fam->name first, and
	 * from_json() reading it back strictly (every key, no other, finite
	 * numbers), naming the offending key; what names the file.
	 */
	cJSON *(*to_json)(const void *model);
	int (*from_json)(void *model, const cJSON *json, const char *what);
	/* The features (d) and classes (k, 0 for regression) of a fitted model. */
	void (*shape)(const void *model, size_t *d, size_t *k);
	/*
	 * Optional (may be NULL): the training history as a new JSON object
	 * of arrays (loss per epoch or iteration...), and convergence as a
	 * new object holding at least "iterations" and "converged".
	 */
	cJSON *(*history)(const void *model);
	cJSON *(*convergence)(const void *model);
	/*
	 * Optional (may be NULL): d feature importances into out (one per
	 * preprocessed feature, in X's column order); returns 0, or 1 when
	 * this model has none. ml-train maps them to the preprocessed feature
	 * names in train.feature_importances.
	 */
	int (*importances)(const void *model, double *out);
};

/*
 * Helpers for adapters. mlci_param_number: it must be a finite number in
 * [min, max] (a whole one when integer), else an error at its line naming
 * what. mlci_param_bool: true or false. mlci_param_double: the shortest
 * text that reads back as v (for params_flat).
 */
int mlci_param_number(const struct mlci_config *cfg, const cJSON *it,
		      const char *what, double min, double max, int integer,
		      double *out);
int mlci_param_bool(const struct mlci_config *cfg, const cJSON *it,
		    const char *what, int *out);
void mlci_param_double(char *buf, size_t size, double v);

/*
 * Class weights for a fit, d->nclasses values (a new array): balanced
 * (scikit-learn's compute_class_weight: n / (k * rows of the class)), else
 * from map (class name -> weight; a class not named weighs 1). NULL with
 * *ret 0 for a regression or when neither is asked; NULL with *ret a
 * negative exit code (message printed) for a name that is not a class.
 */
double *mlci_class_weights(const struct mlci_fit_data *d, int balanced,
			   const cJSON *map, int *ret);

/* The table, ended by a row with a NULL name. */
extern const struct mlci_family mlci_families[];

/*
 * The family that accepts the config type name, and the task that name
 * fixes (NONE: the data decides); NULL for an unknown name.
 */
const struct mlci_family *mlci_family_find(const char *type,
					   enum mlci_task *task);

/* The family whose canonical name is name, or NULL. */
const struct mlci_family *mlci_family_by_name(const char *name);

/* Every config type name, ", "-separated, into sb (for "valid:" lists). */
struct strbuf;
void mlci_family_list_types(struct strbuf *sb);

/*
 * A model of some family: the family, its parameters and, once fitted or
 * read, the model. Initialise with mlci_estimator_init(); release with
 * mlci_estimator_release().
 */
struct mlci_estimator {
	const struct mlci_family *fam;
	void *params;
	void *model;
	int fitted;
	size_t d, k;		/* features and classes of the fitted model */
};

void mlci_estimator_init(struct mlci_estimator *e);
void mlci_estimator_release(struct mlci_estimator *e);

/* e (released first) for fam with fam's default parameters. */
void mlci_estimator_setup(struct mlci_estimator *e,
			  const struct mlci_family *fam);

/* A copy of src's family and parameters into dst (released first); no model. */
void mlci_estimator_copy_params(struct mlci_estimator *dst,
				const struct mlci_estimator *src);

/*
 * Set the parameters of the config mapping params (NULL or null: none)
 * on e: every key checked against the family's keys (an unknown key is
 * an error at its line listing the valid ones; so is a parameter given
 * under two names), then set_param() for each, then check_params().
 */
int mlci_estimator_parse_params(struct mlci_estimator *e,
				const struct mlci_config *cfg,
				const cJSON *params);

/*
 * 0 when key is one of e's family's parameter keys; else an error at
 * where's line listing them.
 */
int mlci_estimator_check_key(const struct mlci_estimator *e,
			     const struct mlci_config *cfg, const cJSON *where,
			     const char *key);

/*
 * Set one parameter (a search: value): key checked as above, where is
 * the item naming the key for messages (value's line is used for the
 * value's own errors).
 */
int mlci_estimator_set_param(struct mlci_estimator *e,
			     const struct mlci_config *cfg, const cJSON *where,
			     const char *key, const cJSON *value);

/* Flat string parameters into out ("model_type" is the caller's). */
void mlci_estimator_params_json(const struct mlci_estimator *e, cJSON *out);

/* Fit e's model (released first) on data with e's parameters. */
int mlci_estimator_fit(struct mlci_estimator *e,
		       const struct mlci_fit_data *data);

/*
 * Predictions of n rows into pred and, when scores is not NULL and the
 * model is a classifier, n x k scores (see predict_scores).
 */
int mlci_estimator_predict(const struct mlci_estimator *e, const double *X,
			   size_t n, double *pred, double *scores);

/* The scores a fitted model gives (NONE for a regressor). */
enum mlci_scores_kind mlci_estimator_scores_kind(const struct mlci_estimator *e);

/* The fitted model as a new JSON object (the model file's "model"). */
cJSON *mlci_estimator_to_json(const struct mlci_estimator *e);

/*
 * Read a model file's "model" object into e (released first): the family
 * from its "model" key. -MLCI_EXIT_INPUT naming what and the key.
 */
int mlci_estimator_from_json(struct mlci_estimator *e, const cJSON *json,
			     const char *what);

/* History and convergence objects (new; empty objects when the family has none). */
cJSON *mlci_estimator_history(const struct mlci_estimator *e);
cJSON *mlci_estimator_convergence(const struct mlci_estimator *e);

/*
 * The d feature importances of a fitted model into a new array (the
 * caller frees it), or NULL when the family gives none.
 */
double *mlci_estimator_importances(const struct mlci_estimator *e);

#endif
