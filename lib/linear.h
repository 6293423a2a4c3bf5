/* SPDX-License-Identifier: MIT */
/* Linear models as scikit-learn 1.2 fits them: least squares, ridge, logistic regression, linear SVM. */
#ifndef MLCI_LINEAR_H
#define MLCI_LINEAR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/*
 * The models. Each fits on a dense row-major matrix X (n rows, p
 * columns, finite), targets y and optional sample weights:
 *
 * - LINEAR_REGRESSION: LinearRegression(): least squares with an
 *   unpenalised intercept, by centering and LAPACK's dgelsd (rcond = eps),
 *   the minimum-norm solution when X is rank-deficient or p > n.
 * - RIDGE: Ridge(alpha=1.0): min ||y - Xw - b||^2 + alpha ||w||^2 with the
 *   intercept unpenalised, by centering and a Cholesky solve of
 *   X'X + alpha I (of XX' + alpha I when p > n, as scikit-learn does).
 * - LOGISTIC: LogisticRegression(penalty="l2", C=1.0, solver="lbfgs",
 *   max_iter=100, tol=1e-4): minimises 0.5 ||w||^2 / C + sum_i s_i
 *   loss_i with the intercept unpenalised (scikit-learn 1.2's scaling,
 *   which its stopping rule depends on); the binomial loss on one
 *   coefficient row for two classes, the multinomial (softmax) loss on k
 *   rows for more.
 * - SVM: LinearSVC(C=1.0, loss="squared_hinge", dual=True, tol=1e-4,
 *   max_iter=1000, intercept_scaling=1): liblinear's dual coordinate
 *   descent with shrinking, the intercept a penalised constant feature,
 *   one row for two classes, one-vs-rest rows for more. The coordinate
 *   order comes from a generator seeded with params.seed.
 */
enum mlci_linear_kind {
	MLCI_LINEAR_REGRESSION,
	MLCI_LINEAR_RIDGE,
	MLCI_LINEAR_LOGISTIC,
	MLCI_LINEAR_SVM
};

/* The name of a kind ("linear_regression", "ridge", "logistic_regression", "linear_svm"). */
const char *mlci_linear_kind_name(enum mlci_linear_kind kind);

/* 0 and *out for a name mlci_linear_kind_name() gives; -1 for any other. */
int mlci_linear_kind_parse(const char *name, enum mlci_linear_kind *out);

/* 1 for the classifiers (logistic regression, linear SVM), else 0. */
int mlci_linear_is_classifier(enum mlci_linear_kind kind);

/*
 * Hyper-parameters; only those of the kind matter. Set them with
 * mlci_linear_params_init(), which gives scikit-learn's defaults for
 * kind: alpha 1, C 1, max_iter 100 (logistic) or 1000 (svm), tol 1e-4,
 * fit_intercept 1, intercept_scaling 1, squared hinge, seed 0.
 */
struct mlci_linear_params {
	enum mlci_linear_kind kind;
	double alpha;		/* ridge: >= 0 */
	double C;		/* logistic, svm: > 0 */
	int max_iter;		/* logistic, svm: >= 1 */
	double tol;		/* logistic: gtol of L-BFGS; svm: dual gap */
	int fit_intercept;
	double intercept_scaling;	/* svm: the constant feature's value */
	int hinge;		/* svm: 1 for the hinge loss, 0 for squared hinge */
	uint64_t seed;		/* svm: coordinate order */
	/*
	 * Classifiers: NULL, or one weight > 0 per class (borrowed, read
	 * during mlci_linear_fit() only; the model's copy is NULL), as
	 * scikit-learn's class_weight: the logistic loss of a row and, for
	 * two classes, the svm's C of a row are multiplied by its class's
	 * weight; for more classes the svm's one-vs-rest problem of class c
	 * weights c's rows by weight c and the rest by 1 (liblinear's rule).
	 */
	const double *class_weight;
	size_t n_class_weight;	/* the values in class_weight */
};

void mlci_linear_params_init(struct mlci_linear_params *params,
			     enum mlci_linear_kind kind);

/*
 * A fitted model. coef is n_rows x n_features row-major and intercept has
 * n_rows values: n_rows is 1 for the regressors and two classes, n_classes
 * for more. Convergence (the iterative models; the exact solvers report 0
 * iterations, converged): iterations (the largest over one-vs-rest
 * problems, as scikit-learn's n_iter_), converged (all of them), and
 * grad_norm, the final largest |gradient component| (logistic) or largest
 * projected-gradient gap of the dual (svm). history: the objective at the
 * start and after each iteration (logistic); for the svm, minus the dual
 * objective summed over the one-vs-rest problems after each pass (a lower
 * bound that rises to the primal optimum). All arrays are the model's.
 */
struct mlci_linear_model {
	struct mlci_linear_params params;
	size_t n_features;
	size_t n_classes;	/* 0 for the regressors */
	size_t n_rows;
	double *coef;
	double *intercept;
	int iterations;
	int converged;
	double grad_norm;
	double *history;
	size_t history_len;
};

void mlci_linear_model_init(struct mlci_linear_model *model);
void mlci_linear_model_release(struct mlci_linear_model *model);

/*
 * Fit a model of params->kind on X (n x p, row-major), y (n values:
 * the target of a regressor; for a classifier the class index 0..k-1 as
 * a whole number, k = the largest index + 1, every class present) and
 * sample_weight (n values >= 0 with a positive sum, or NULL for ones).
 * Nothing is kept of X, y or the weights. model (initialised) is released
 * first and filled.
 *
 * Returns 0; -MLCI_EXIT_INPUT with a message for non-finite values, bad
 * weights, a class index that is not a whole number in range, a class
 * without rows, a single class, or bad hyper-parameters; -MLCI_EXIT_SYSTEM
 * when LAPACK fails. A solver that stops before its tolerance is not an
 * error: see model->converged. p > n is allowed (linear regression warns
 * and gives the minimum-norm solution). The model never holds NaN.
 */
int mlci_linear_fit(struct mlci_linear_model *model, const double *X,
		    const double *y, const double *sample_weight, size_t n,
		    size_t p, const struct mlci_linear_params *params);

/*
 * The decision function into out (n x n_rows, row-major): X coef' +
 * intercept. For two classes one column, positive for class 1; for more,
 * one column per class. X has model->n_features columns. Returns 0.
 */
int mlci_linear_decision_function(const struct mlci_linear_model *model,
				  const double *X, size_t n, double *out);

/*
 * Predictions into out (n values): the value of a regressor, or the class
 * index (as a double) of a classifier, the first of ties. Returns 0.
 */
int mlci_linear_predict(const struct mlci_linear_model *model,
			const double *X, size_t n, double *out);

/*
 * Class probabilities of a logistic regression into out (n x n_classes,
 * row-major): [1 - p, p] with p the logistic of the decision for two
 * classes, the softmax of the decisions for more (as predict_proba).
 * Returns 0, or -MLCI_EXIT_INPUT for another kind (the svm has no
 * probabilities).
 */
int mlci_linear_predict_proba(const struct mlci_linear_model *model,
			      const double *X, size_t n, double *out);

/*
 * The model as a new JSON object (the caller's): model, params,
 * n_features, n_classes, coef (an array of rows), intercept, convergence
 * {iterations, converged, grad_norm}, history. Print it with
 * mlci_json_print() to keep every double exact.
 */
cJSON *mlci_linear_to_json(const struct mlci_linear_model *model);

/*
 * Read a model written by mlci_linear_to_json() into model (initialised;
 * released first). Strict: every key present with its type and shape,
 * no other key, finite numbers. Returns 0 or -MLCI_EXIT_INPUT naming the
 * offending key.
 */
int mlci_linear_from_json(struct mlci_linear_model *model, const cJSON *json);

#endif
