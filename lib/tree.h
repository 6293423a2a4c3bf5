/* SPDX-License-Identifier: MIT */
/* CART decision trees (scikit-learn 1.2's DecisionTree*): exact or histogram splits, prediction, importances, JSON. */
#ifndef MLCI_TREE_H
#define MLCI_TREE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>


enum mlci_tree_criterion {
	MLCI_TREE_GINI = 0,
	MLCI_TREE_ENTROPY,
	MLCI_TREE_SQUARED_ERROR
};

/* How many features a node draws (scikit-learn's max_features). */
enum mlci_max_features {
	MLCI_MAXF_ALL = 0,	/* every feature (None, 1.0) */
	MLCI_MAXF_SQRT,		/* max(1, floor(sqrt(d))) */
	MLCI_MAXF_LOG2,		/* max(1, floor(log2(d))) */
	MLCI_MAXF_FRACTION,	/* max(1, floor(value * d)), 0 < value <= 1 */
	MLCI_MAXF_COUNT		/* min(d, value), value >= 1 */
};

struct mlci_tree_params {
	enum mlci_tree_criterion criterion;
	int max_depth;			/* 0: unlimited */
	size_t min_samples_split;	/* >= 2 */
	size_t min_samples_leaf;	/* >= 1 */
	enum mlci_max_features max_features;
	double max_features_value;	/* for FRACTION and COUNT */
	/*
	 * 0: exact splits as scikit-learn (every threshold between two
	 * distinct values of the node). 2..256: features binned into at most
	 * that many bins at quantiles of the training rows; a node of at
	 * least exact_below rows finds its split on the bins' histograms, a
	 * smaller one exactly.
	 */
	int max_bins;
	size_t exact_below;
};

/* scikit-learn's defaults: gini (squared_error when regression), ALL, exact. */
void mlci_tree_params_init(struct mlci_tree_params *p, int regression);

/* The number of features a node draws among d. */
size_t mlci_tree_max_features(const struct mlci_tree_params *p, size_t d);

/*
 * A fitted tree, nodes in depth-first pre-order: a split node i sends a
 * row with x[feature[i]] <= threshold[i] to node i + 1 (x rounded to
 * single precision first, as scikit-learn's trees read their input) and the others to
 * node right[i]; a leaf has feature -1 and right[i] is its leaf number,
 * whose nout values are at value[right[i] * nout] (class probabilities
 * summing to 1, or the mean target).
 */
struct mlci_tree {
	size_t n_nodes, n_leaves, nout;
	int32_t *feature;
	double *threshold;
	int32_t *right;
	double *value;
	/*
	 * Per split node, the weighted impurity decrease
	 * w_node * imp - w_left * imp_left - w_right * imp_right, for the
	 * importances (not saved).
	 */
	double *gain;
	double root_weight;
	int depth;
};

void mlci_tree_init(struct mlci_tree *t);
void mlci_tree_release(struct mlci_tree *t);

/*
 * Training data prepared once and shared (read-only) by the trees of a
 * forest: X row-major n x d (finite), y (class index or value), weight
 * (n values >= 0, or NULL), nclasses (0: regression).
 */
struct mlci_tree_data {
	const double *X, *y;
	size_t n, d, nclasses;
	double *w;		/* n weights (ones when none given) */
	float *Xc;		/* column-major copy, d x n, in single precision */
	uint8_t *bins;		/* row-major n x d bin numbers, or NULL */
	double *edges;		/* d x 255 upper bin edges */
	int *nbins;		/* bins per feature */
	int max_bins;
};

/*
 * Prepare data (bins when max_bins > 0). weight may be NULL. Returns 0,
 * or a negative exit code naming the problem (a non-finite value, a
 * negative weight, a class out of range).
 */
int mlci_tree_data_prepare(struct mlci_tree_data *td, const double *X,
			   const double *y, const double *weight, size_t n,
			   size_t d, size_t nclasses, int max_bins);
void mlci_tree_data_release(struct mlci_tree_data *td);

/*
 * Grow t (initialised; released first) on td with params. count: NULL,
 * or n multiplicities of the rows (a bootstrap sample: a row counted c
 * times weighs c * w, and a row counted 0 is left out). seed is the
 * state of the generator that draws the features of each node, which
 * breaks ties between equally good splits; exact nodes draw as
 * scikit-learn's BestSplitter does, so seed =
 * mlci_tree_sklearn_seed(random_state) grows scikit-learn's tree (up to
 * rounding in the sums of non-integer weights or targets). Returns 0 or
 * a negative exit code.
 */
int mlci_tree_grow(struct mlci_tree *t, const struct mlci_tree_data *td,
		   const struct mlci_tree_params *p, const uint32_t *count,
		   uint32_t seed);

/*
 * The splitter seed scikit-learn's DecisionTree* draws for an integer
 * random_state: numpy's RandomState(random_state).randint(0, 2^31 - 1),
 * the first masked draw of MT19937 seeded by init_genrand (the seed's
 * low 32 bits).
 */
uint32_t mlci_tree_sklearn_seed(uint64_t random_state);

/* The leaf values (nout) of row x. */
const double *mlci_tree_leaf(const struct mlci_tree *t, const double *x);

/*
 * Add t's impurity-based feature importances (d values), normalised as
 * scikit-learn's feature_importances_ (sum 1), to out; returns 0 when
 * the tree is a single leaf (nothing added), else 1.
 */
int mlci_tree_add_importances(const struct mlci_tree *t, size_t d, double *out);

/*
 * The tree as a new JSON object of node fields: "feature", "threshold",
 * "right", "value", each the unpadded URL-safe base64 of the values as
 * little-endian int32 (feature, right) or IEEE-754 doubles (threshold,
 * value): exact, and one cJSON item per field, not per node. from_json
 * reads one back strictly, checking the structure against d features and
 * nout values per leaf; what names the file in messages
 * (-MLCI_EXIT_INPUT).
 */
cJSON *mlci_tree_to_json(const struct mlci_tree *t);
int mlci_tree_from_json(struct mlci_tree *t, const cJSON *json, size_t d,
			size_t nout, const char *what);

#endif
