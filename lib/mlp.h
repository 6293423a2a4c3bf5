/* SPDX-License-Identifier: MIT */
/* A multi-layer perceptron trained as scikit-learn 1.2's MLPClassifier and MLPRegressor train it (ReLU, Adam). */
#ifndef MLCI_MLP_H
#define MLCI_MLP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/*
 * The network: ReLU hidden layers, then a softmax output (more than two
 * classes, log-loss), one logistic unit (two classes, binary log-loss) or
 * one identity unit (regression, squared loss / 2). The objective of a
 * minibatch of b rows is its mean data loss + alpha ||W||^2 / (2 b), the
 * intercepts unpenalised. Weights start Glorot-uniform, U(-r, r) with
 * r = sqrt(6 / (fan_in + fan_out)), drawn layer by layer (weights row by
 * row, then intercepts) from a generator seeded with params.seed; the
 * same generator then splits off the validation rows (early stopping)
 * and shuffles the rows each epoch. Adam updates every parameter after
 * each minibatch with scikit-learn's step lr * sqrt(1 - beta_2^t) /
 * (1 - beta_1^t). Training stops after max_iter epochs, or when the
 * epoch's mean loss (without early stopping) or the validation score
 * (accuracy, or R^2 for regression; with early stopping) has failed to
 * improve on the best so far by tol for more than n_iter_no_change epochs
 * in a row; under early stopping the model keeps the weights of the best
 * validation score. The same seed, thread count and machine give the same
 * model to the bit (OpenBLAS's GEMM is deterministic for a fixed number of
 * threads; set OPENBLAS_NUM_THREADS).
 */
enum mlci_mlp_task {
	MLCI_MLP_CLASSIFIER,
	MLCI_MLP_REGRESSOR
};

/* At most this many hidden layers. */
#define MLCI_MLP_MAX_HIDDEN 16

/*
 * Hyper-parameters under scikit-learn's names. mlci_mlp_params_init() gives
 * scikit-learn's defaults: hidden_layer_sizes (100,), alpha 1e-4,
 * batch_size "auto" (0 here: min(200, rows)), learning_rate_init 1e-3,
 * max_iter 200, shuffle on, tol 1e-4, early_stopping off,
 * validation_fraction 0.1, beta_1 0.9, beta_2 0.999, epsilon 1e-8,
 * n_iter_no_change 10; seed 0 (scikit-learn's random_state=None draws a
 * fresh seed, which CI must not) and warm_start off.
 */
struct mlci_mlp_params {
	size_t hidden[MLCI_MLP_MAX_HIDDEN];	/* units of each hidden layer, >= 1 */
	size_t n_hidden;			/* number of hidden layers, may be 0 */
	double alpha;				/* L2 penalty, >= 0 */
	size_t batch_size;			/* 0: min(200, rows); clipped to rows */
	double learning_rate_init;		/* > 0 */
	int max_iter;				/* epochs, >= 1 */
	int shuffle;				/* shuffle the rows each epoch */
	uint64_t seed;				/* random_state, 0 .. 2^32 - 1 */
	double tol;				/* >= 0 */
	int early_stopping;
	double validation_fraction;		/* in (0, 1) under early stopping */
	double beta_1, beta_2;			/* in [0, 1) */
	double epsilon;				/* > 0 */
	int n_iter_no_change;			/* >= 1 */
	/*
	 * Start from the weights already in the model (same shape) instead of
	 * drawing new ones; Adam's moments start afresh, as scikit-learn's
	 * fit() with warm_start=True.
	 */
	int warm_start;
	/*
	 * Called after each epoch when not NULL, with the epochs done and
	 * max_iter: for a progress display; it cannot change training. The
	 * fitted model's copy of the params has it NULL.
	 */
	void (*on_epoch)(void *ctx, int epoch, int max_iter);
	void *on_epoch_ctx;
};

void mlci_mlp_params_init(struct mlci_mlp_params *params);

/*
 * Set params from the JSON object obj (a configuration's "params"): any
 * of the keys hidden_layer_sizes (an array of whole numbers >= 1, or one
 * number), activation ("relu" only), solver ("adam" only), alpha,
 * batch_size ("auto" or a whole number >= 1), learning_rate_init or
 * learning_rate (a number; scikit-learn's schedule strings "constant",
 * "invscaling", "adaptive" are accepted and, as there under Adam, have no
 * effect), max_iter or epochs, random_state or seed, shuffle,
 * early_stopping (booleans), tol, validation_fraction, beta_1, beta_2,
 * epsilon, n_iter_no_change. Keys absent keep their value in params.
 * Returns 0, or -MLCI_EXIT_INPUT naming the key for an unknown key, a
 * wrong type, a value out of range, or a parameter given under both of
 * its names.
 */
int mlci_mlp_params_from_json(struct mlci_mlp_params *params,
			      const cJSON *obj);

/*
 * A fitted network with n_layers = n_hidden + 1 weight layers and
 * units[0..n_layers] = n_features, the hidden sizes, n_outputs (1 for
 * regression and two classes, n_classes for more). coef[l] is
 * units[l] x units[l + 1] row-major (scikit-learn's coefs_[l]) and
 * intercept[l] has units[l + 1] values; both point into one block owned
 * by the model. loss_curve holds the mean training loss of each epoch
 * (loss_curve_), validation_scores the validation score of each epoch
 * under early stopping (else NULL). best_loss (without early stopping)
 * and best_validation_score (with it) are NaN when they do not apply.
 * converged is 1 when the no-improvement rule stopped training, 0 when it
 * ran max_iter epochs. Every array is the model's.
 */
struct mlci_mlp_model {
	struct mlci_mlp_params params;
	enum mlci_mlp_task task;
	size_t n_features;
	size_t n_classes;		/* 0 for regression */
	size_t n_outputs;
	size_t n_layers;
	size_t units[MLCI_MLP_MAX_HIDDEN + 2];
	double *coef[MLCI_MLP_MAX_HIDDEN + 1];
	double *intercept[MLCI_MLP_MAX_HIDDEN + 1];
	double *weights;		/* the block: every coef, then every intercept */
	size_t n_weights;
	double *loss_curve;
	double *validation_scores;
	size_t n_epochs;		/* entries in loss_curve (and validation_scores) */
	int iterations;
	int converged;
	double best_loss;
	double best_validation_score;
};

void mlci_mlp_model_init(struct mlci_mlp_model *model);
void mlci_mlp_model_release(struct mlci_mlp_model *model);

/*
 * Allocate model's weights (zeros) for a network of this shape, with no
 * training history, releasing what it held: for loading weights trained
 * elsewhere. n_classes is 0 for regression, else >= 2. Returns 0, or
 * -MLCI_EXIT_INPUT for a shape out of range (no features, a hidden layer
 * of 0 units, too many layers).
 */
int mlci_mlp_model_shape(struct mlci_mlp_model *model,
			 const struct mlci_mlp_params *params,
			 enum mlci_mlp_task task, size_t n_features,
			 size_t n_classes);

/*
 * Train a network on X (n x p, row-major, finite) and y (n values: the
 * class index 0..k-1 of a classifier as a whole number, every class
 * present; any finite value for a regressor; k is ignored there). Nothing
 * is kept of X or y. model (initialised) is released first and filled,
 * unless params->warm_start asks to start from its weights, which must
 * then have this task, p features and k classes.
 *
 * Returns 0; -MLCI_EXIT_INPUT with a message for non-finite values, a bad
 * class index, a class without rows, k < 2, too few rows (or, under early
 * stopping, a class with fewer than two rows or too few rows to split), a
 * warm start from a model of another shape, bad hyper-parameters, or
 * training that diverges (a loss that is not finite: the message suggests
 * a lower learning rate). A run of max_iter epochs without convergence is
 * not an error (model->converged is 0). On failure the model is left
 * empty; a model returned never holds NaN or infinity.
 */
int mlci_mlp_fit(struct mlci_mlp_model *model, const double *X,
		 const double *y, size_t n, size_t p, enum mlci_mlp_task task,
		 size_t k, const struct mlci_mlp_params *params);

/*
 * The output layer's activations into out (n x n_outputs, row-major):
 * the softmax, the logistic of the single unit, or the regression value.
 * X has model->n_features columns. Returns 0, or -MLCI_EXIT_BUG for a
 * model without weights (released, or never fitted or shaped).
 */
int mlci_mlp_forward(const struct mlci_mlp_model *model, const double *X,
		     size_t n, double *out);

/*
 * Predictions into out (n values): the class index as a double (for two
 * classes 1 when the probability of class 1 is above 0.5; for more the
 * first most probable class), or the regression value. Returns 0, or
 * -MLCI_EXIT_BUG for a model without weights.
 */
int mlci_mlp_predict(const struct mlci_mlp_model *model, const double *X,
		     size_t n, double *out);

/*
 * Class probabilities into out (n x n_classes, row-major): [1 - p, p] for
 * two classes, the softmax for more. Returns 0, or -MLCI_EXIT_INPUT for a
 * regressor.
 */
int mlci_mlp_predict_proba(const struct mlci_mlp_model *model,
			   const double *X, size_t n, double *out);

/*
 * The model as a new JSON object (the caller's): model "mlp", task
 * ("classification", "regression"), params (scikit-learn's names),
 * n_features, n_classes, n_outputs, out_activation ("softmax", "logistic",
 * "identity"), coefs (per layer an array of rows), intercepts (per layer
 * an array), convergence {iterations, converged, best_loss,
 * best_validation_score} (null where they do not apply), loss_curve and
 * validation_scores (null without early stopping). Print it with
 * mlci_json_print() to keep every double exact.
 */
cJSON *mlci_mlp_to_json(const struct mlci_mlp_model *model);

/*
 * Read a model written by mlci_mlp_to_json() into model (initialised;
 * released first). Strict: every key present with its type and shape, no
 * other key, finite numbers. Returns 0 or -MLCI_EXIT_INPUT naming the
 * offending key; the model is left empty on failure.
 */
int mlci_mlp_from_json(struct mlci_mlp_model *model, const cJSON *json);

#endif
