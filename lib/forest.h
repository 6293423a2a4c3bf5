/* SPDX-License-Identifier: MIT */
/* Random forests of CART trees (scikit-learn 1.2's RandomForest*), threaded, and the tree families of ml-train. */
#ifndef MLCI_FOREST_H
#define MLCI_FOREST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "estimator.h"
#include "tree.h"

struct mlci_forest_params {
	struct mlci_tree_params tree;
	size_t n_estimators;		/* >= 1 */
	int bootstrap;			/* each tree on n rows drawn with replacement */
	int oob_score;			/* score each row by the trees that did not draw it */
	uint64_t seed;
	int n_jobs;			/* threads, >= 1 */
};

/*
 * scikit-learn's RandomForestClassifier/Regressor defaults: 100 trees,
 * bootstrap, max_features sqrt (classification) or all (regression),
 * no out-of-bag score, seed 0, one thread; exact splits.
 */
void mlci_forest_params_init(struct mlci_forest_params *p, int regression);

struct mlci_forest {
	size_t n_trees, d, k;		/* k classes, 0 for regression */
	struct mlci_tree *trees;
	double *importances;		/* d values, sum 1 (or all 0) */
	int has_oob;
	double oob_score;		/* accuracy, or R^2 for regression */
	int n_jobs;			/* threads for predict (1 after from_json) */
};

void mlci_forest_init(struct mlci_forest *f);
void mlci_forest_release(struct mlci_forest *f);

/*
 * Fit f (released first) on X (n x d row-major, finite), y (class index
 * 0..k-1, or value when k is 0), weight (n values >= 0, or NULL). Tree t
 * draws from a generator seeded by (seed, t) alone, so the forest is the
 * same whatever n_jobs. Returns 0 or a negative exit code.
 */
int mlci_forest_fit(struct mlci_forest *f, const double *X, const double *y,
		    const double *weight, size_t n, size_t d, size_t k,
		    const struct mlci_forest_params *p);

/*
 * The mean over trees of the leaf values of n rows into out: n x k class
 * probabilities, or n predictions for regression.
 */
void mlci_forest_predict_values(const struct mlci_forest *f, const double *X,
				size_t n, double *out);

/* Predictions of n rows: the most probable class index (first on ties), or the value. */
void mlci_forest_predict(const struct mlci_forest *f, const double *X,
			 size_t n, double *out);

/*
 * The forest as a new JSON object whose "model" key is name; from_json
 * reads one back strictly (-MLCI_EXIT_INPUT naming what and the key).
 */
cJSON *mlci_forest_to_json(const struct mlci_forest *f, const char *name);
int mlci_forest_from_json(struct mlci_forest *f, const cJSON *json,
			  const char *name, const char *what);

/*
 * ml-train's adapters: the config type names, parameter keys and the
 * functions of struct mlci_family for decision_tree and random_forest.
 * estimator.c's table rows use MLCI_DECISION_TREE_FAMILY and
 * MLCI_RANDOM_FOREST_FAMILY.
 */
extern const struct mlci_family_type mlci_tree_types[], mlci_forest_types[];
extern const char *const mlci_tree_keys[], *const mlci_forest_keys[];
extern const char *const mlci_tree_synonyms[];
void mlci_treefam_params_init(const struct mlci_family *fam, void *params);
int mlci_treefam_set_param(const struct mlci_family *fam, void *params,
			   const struct mlci_config *cfg, const char *key,
			   const cJSON *value);
void mlci_treefam_params_flat(const struct mlci_family *fam,
			      const void *params, cJSON *out);
void mlci_treefam_model_init(void *model);
void mlci_treefam_model_release(void *model);
int mlci_treefam_fit(void *model, const void *params,
		     const struct mlci_fit_data *data);
int mlci_treefam_predict(const void *model, const double *X, size_t n,
			 double *out);
int mlci_treefam_scores(const void *model, const double *X, size_t n,
			double *out);
cJSON *mlci_treefam_to_json(const void *model);
int mlci_treefam_from_json(void *model, const cJSON *json, const char *what);
void mlci_treefam_shape(const void *model, size_t *d, size_t *k);
cJSON *mlci_treefam_convergence(const void *model);
int mlci_treefam_importances(const void *model, double *out);

/* The adapter's parameters (plain data; weights borrowed from the config). */
struct mlci_tree_family_params {
	struct mlci_forest_params fp;
	int forest;			/* 0: decision_tree (one tree, no bootstrap) */
	int criterion_set, max_features_set;
	int balanced;
	const cJSON *class_weight;
};

/* The adapter's model: the forest and the family's name for the JSON. */
struct mlci_tree_family_model {
	struct mlci_forest f;
	const char *name;
};

#define MLCI_TREE_FAMILY_COMMON \
	.scores = MLCI_SCORES_PROBA, \
	.params_size = sizeof(struct mlci_tree_family_params), \
	.model_size = sizeof(struct mlci_tree_family_model), \
	.params_init = mlci_treefam_params_init, \
	.set_param = mlci_treefam_set_param, \
	.params_flat = mlci_treefam_params_flat, \
	.model_init = mlci_treefam_model_init, \
	.model_release = mlci_treefam_model_release, \
	.fit = mlci_treefam_fit, \
	.predict = mlci_treefam_predict, \
	.predict_scores = mlci_treefam_scores, \
	.to_json = mlci_treefam_to_json, \
	.from_json = mlci_treefam_from_json, \
	.shape = mlci_treefam_shape, \
	.convergence = mlci_treefam_convergence, \
	.importances = mlci_treefam_importances

#define MLCI_DECISION_TREE_FAMILY \
	.name = "decision_tree", .types = mlci_tree_types, \
	.param_keys = mlci_tree_keys, .synonyms = mlci_tree_synonyms, \
	.variant = 0, MLCI_TREE_FAMILY_COMMON

#define MLCI_RANDOM_FOREST_FAMILY \
	.name = "random_forest", .types = mlci_forest_types, \
	.param_keys = mlci_forest_keys, .synonyms = mlci_tree_synonyms, \
	.variant = 1, MLCI_TREE_FAMILY_COMMON

#endif
