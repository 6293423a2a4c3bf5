/* SPDX-License-Identifier: MIT */
/* Histogram-based gradient-boosted trees, as scikit-learn 1.2's HistGradientBoostingClassifier/Regressor. */
#ifndef MLCI_HGB_H
#define MLCI_HGB_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "estimator.h"

/*
 * The algorithm is scikit-learn's (and LightGBM's):
 *   - each feature is binned into at most max_bins bins by
 *     mlci_hgb_bin_thresholds() (the thresholds of sklearn's _BinMapper:
 *     midpoints between distinct values, or quantiles when there are
 *     more distinct values than bins), NaN in a bin of its own; on more
 *     than 200,000 training rows the thresholds come from 200,000 rows
 *     drawn with seed (sklearn subsamples the same way, with numpy's
 *     generator);
 *   - the baseline is the weighted mean (squared error), the logit of the
 *     positive rate (binary log-loss) or the centred log of the class
 *     rates (softmax), rates clipped to [10 eps, 1 - 10 eps];
 *   - each iteration fits one tree (one per class for more than two
 *     classes) to the gradients and hessians of the loss, leaf-wise: the
 *     leaf of largest gain is split next, until max_leaf_nodes leaves,
 *     max_depth or no split of positive gain with min_samples_leaf rows
 *     and a hessian of 1e-3 on each side; leaf values
 *     -G / (H + l2_regularization) times learning_rate;
 *   - a feature with missing values in the training rows tries them on
 *     either side at every split; one without sends them, at prediction,
 *     to the child that had more rows;
 *   - early stopping (on by default above 10,000 rows) holds out
 *     validation_fraction of the rows (stratified for classifiers,
 *     drawn with seed) and stops when none of the last n_iter_no_change
 *     iterations improved the validation loss by more than tol over the
 *     loss n_iter_no_change + 1 iterations back.
 * Gradients and hessians are floats and histograms sums of doubles in
 * row order, as sklearn's; the tree on the root split's gain counts from
 * a node value of 0, as sklearn 1.2's grower does. Results are identical
 * whatever n_jobs: every parallel piece of work is cut the same way and
 * reduced in the same order.
 */

#define MLCI_HGB_MAX_BINS 255

struct mlci_hgb_params {
	double learning_rate;		/* > 0; 0.1 */
	size_t max_iter;		/* >= 1; 100 */
	size_t max_leaf_nodes;		/* >= 2, 0 for none; 31 */
	size_t max_depth;		/* >= 1, 0 for none; none */
	size_t min_samples_leaf;	/* >= 1; 20 */
	double l2_regularization;	/* >= 0; 0 */
	size_t max_bins;		/* 2..255; 255 */
	int early_stopping;		/* -1 auto (n > 10,000), 0 off, 1 on */
	double validation_fraction;	/* in (0, 1), or a count >= 1; 0.1 */
	size_t n_iter_no_change;	/* >= 1; 10 */
	double tol;			/* >= 0; 1e-7 */
	uint64_t seed;			/* validation split, bin subsample; 0 */
	int n_jobs;			/* threads: >= 1, or -1 for every CPU; 1 */
};

/* scikit-learn's defaults (seed 0, n_jobs 1). */
void mlci_hgb_params_init(struct mlci_hgb_params *p);

/*
 * A tree node. Trees are stored in depth-first pre-order: a split node's
 * left child follows it, its right child is at index right (relative to
 * the tree's first node). A leaf has feature -1 and its value (learning
 * rate applied) in value; a split node sends a row left when x <= value
 * (its threshold) and a missing x (NaN) left when missing_left.
 */
struct mlci_hgb_node {
	double value;
	int32_t feature;
	uint32_t right;
	uint8_t missing_left;
};

struct mlci_hgb_model {
	size_t n_features;
	size_t n_classes;		/* 0: regression */
	size_t k;			/* trees per iteration: 1, or n_classes > 2 */
	size_t n_iter;			/* iterations done */
	double *baseline;		/* k values */
	size_t *tree_start;		/* n_iter * k + 1 offsets into nodes */
	struct mlci_hgb_node *nodes;
	size_t n_nodes, alloc_nodes;
	/* Normalised total split gain per feature (d values, sum 1 or all 0). */
	double *importances;
	/* Loss after each iteration (n_iter values): training, validation. */
	double *train_loss, *val_loss;	/* val_loss NULL without early stopping */
	int early_stopped;		/* stopped before max_iter */
	int early_stopping;		/* early stopping was on */
};

void mlci_hgb_model_init(struct mlci_hgb_model *m);
void mlci_hgb_model_release(struct mlci_hgb_model *m);

/*
 * Fit m (released first) on X (n x d, row-major, NaN for missing), or
 * when X is NULL on cols (d columns of n values, the same model), and y
 * (a class index 0..nclasses-1 for nclasses >= 2, the value for
 * nclasses == 0), weight NULL or n values >= 0. Returns 0, or a negative
 * exit code with a message: -MLCI_EXIT_INPUT for bad data (an infinite
 * value, a validation split leaving a class without rows, too few rows),
 * -MLCI_EXIT_VERDICT never.
 */
int mlci_hgb_fit(struct mlci_hgb_model *m, const struct mlci_hgb_params *p,
		 const double *X, const double *const *cols, const double *y,
		 const double *weight, size_t n, size_t d, size_t nclasses);

/* Raw scores of n rows into out (n x k). */
void mlci_hgb_raw(const struct mlci_hgb_model *m, const double *X, size_t n,
		  double *out);

/*
 * Predictions of n rows: the class index of largest probability (the
 * first on ties) or the value.
 */
void mlci_hgb_predict(const struct mlci_hgb_model *m, const double *X,
		      size_t n, double *out);

/* Class probabilities of n rows into out (n x n_classes). Classifiers only. */
void mlci_hgb_predict_proba(const struct mlci_hgb_model *m, const double *X,
			    size_t n, double *out);

/*
 * The thresholds of one feature's bins as sklearn's _find_binning_thresholds:
 * x (n values, NaN skipped; sorted in place) gives at most max_bins - 1
 * increasing thresholds into out; returns their count. A value v falls in
 * bin b = the number of thresholds < v.
 */
size_t mlci_hgb_bin_thresholds(double *x, size_t n, size_t max_bins,
			       double *out);

/*
 * The model as JSON: "model": "gradient_boosting", "loss" (log_loss or
 * squared_error), "n_features", "n_classes", "iterations", "baseline"
 * (k numbers), "trees" (iterations x k objects, the k trees of an
 * iteration together) and "feature_importances". A tree holds its nodes
 * in pre-order as three strings, the unpadded URL-safe base64 of
 * "feature" (little-endian int32, -1 for a leaf), "value" (IEEE-754
 * doubles, little-endian: threshold or leaf value, exact) and
 * "missing_left" (one byte, 0 or 1). from_json reads one back strictly:
 * every key, no other, the trees' structure and features checked;
 * errors name what and the key (-MLCI_EXIT_INPUT).
 */
cJSON *mlci_hgb_to_json(const struct mlci_hgb_model *m);
int mlci_hgb_from_json(struct mlci_hgb_model *m, const cJSON *json,
		       const char *what);

/*
 * The adapter of lib/estimator ("gradient_boosting"): config type names,
 * parameter keys (scikit-learn's; seed is random_state's synonym) and
 * the functions of struct mlci_family. MLCI_GRADIENT_BOOSTING_FAMILY fills a row of
 * the family table.
 */
extern const struct mlci_family_type mlci_hgb_types[];
extern const char *const mlci_hgb_keys[];
extern const char *const mlci_hgb_synonyms[];
void mlci_hgb_params_init_adapter(const struct mlci_family *fam, void *params);
int mlci_hgb_set_param(const struct mlci_family *fam, void *params,
		       const struct mlci_config *cfg, const char *key,
		       const cJSON *value);
void mlci_hgb_params_flat(const struct mlci_family *fam, const void *params,
			  cJSON *out);
void mlci_hgb_model_init_adapter(void *model);
void mlci_hgb_model_release_adapter(void *model);
int mlci_hgb_fit_adapter(void *model, const void *params,
			 const struct mlci_fit_data *data);
int mlci_hgb_predict_adapter(const void *model, const double *X, size_t n,
			     double *out);
int mlci_hgb_predict_both_adapter(const void *model, const double *X,
				  size_t n, double *pred, double *scores);
int mlci_hgb_scores_adapter(const void *model, const double *X, size_t n,
			    double *out);
enum mlci_scores_kind mlci_hgb_scores_kind(const void *model);
cJSON *mlci_hgb_to_json_adapter(const void *model);
int mlci_hgb_from_json_adapter(void *model, const cJSON *json,
			       const char *what);
void mlci_hgb_shape(const void *model, size_t *d, size_t *k);
cJSON *mlci_hgb_history(const void *model);
cJSON *mlci_hgb_convergence(const void *model);
int mlci_hgb_importances(const void *model, double *out);

#define MLCI_GRADIENT_BOOSTING_FAMILY \
	.name = "gradient_boosting", .types = mlci_hgb_types, \
	.param_keys = mlci_hgb_keys, .synonyms = mlci_hgb_synonyms, \
	.raw_features = 1, .columns = 1, .scores = MLCI_SCORES_PROBA, \
	.params_size = sizeof(struct mlci_hgb_params), \
	.model_size = sizeof(struct mlci_hgb_model), \
	.params_init = mlci_hgb_params_init_adapter, \
	.set_param = mlci_hgb_set_param, \
	.params_flat = mlci_hgb_params_flat, \
	.model_init = mlci_hgb_model_init_adapter, \
	.model_release = mlci_hgb_model_release_adapter, \
	.fit = mlci_hgb_fit_adapter, \
	.predict = mlci_hgb_predict_adapter, \
	.predict_scores = mlci_hgb_scores_adapter, \
	.predict_both = mlci_hgb_predict_both_adapter, \
	.scores_kind = mlci_hgb_scores_kind, \
	.to_json = mlci_hgb_to_json_adapter, \
	.from_json = mlci_hgb_from_json_adapter, \
	.shape = mlci_hgb_shape, \
	.history = mlci_hgb_history, \
	.convergence = mlci_hgb_convergence, \
	.importances = mlci_hgb_importances

#endif
