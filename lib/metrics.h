/* SPDX-License-Identifier: MIT */
/* Evaluation metrics as scikit-learn 1.2 defines them, over all rows, a row selection or weights. */
#ifndef MLCI_METRICS_H
#define MLCI_METRICS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Which rows a metric reads, and how much each weighs, so that bootstrap
 * resamples and subsets need no copy of the data.
 *
 * idx: NULL for every row 0..n-1 of the data; else the nidx rows idx[0..nidx)
 * (repeats allowed: a bootstrap draw; each idx[j] < n). weight: NULL for 1
 * each; else weight[r] (finite, >= 0) is the weight of data row r, indexed
 * by the data row, not the position in idx, as sklearn's sample_weight on
 * the selected rows. Drawing row r c times is the same as weight c.
 *
 * Every function below takes a `const struct mlci_metrics_rows *`; NULL
 * means every row with weight 1.
 */
struct mlci_metrics_rows {
	const size_t *idx;
	size_t nidx;
	const double *weight;
};

/* Why a metric has no value (it is then NaN; JSON writes null). */
enum mlci_metrics_reason {
	MLCI_METRICS_DEFINED = 0,
	MLCI_METRICS_NO_ROWS,		/* no row selected */
	MLCI_METRICS_ZERO_WEIGHT,	/* the weights that count sum to 0 */
	MLCI_METRICS_ONE_CLASS,		/* roc_auc: y_true holds one class only */
	MLCI_METRICS_CLASS_ABSENT,	/* roc_auc ovr: a class is not in y_true */
	MLCI_METRICS_NOT_PROBABILITIES,	/* roc_auc ovr: a row does not sum to 1 */
	MLCI_METRICS_FEW_CLASSES,	/* roc_auc, log_loss: k < 2 */
	MLCI_METRICS_FEW_ROWS,		/* r2: fewer than two rows */
	MLCI_METRICS_NO_PROBA		/* roc_auc, log_loss: no probabilities */
};

/* A short English sentence for reason r ("only one class present in y_true"). */
const char *mlci_metrics_reason_str(enum mlci_metrics_reason r);

/* One metric: its value, or NaN with the reason. */
struct mlci_metric {
	double value;
	enum mlci_metrics_reason reason;
};

/*
 * Classification data, the caller's (borrowed by every function): n rows,
 * k classes numbered 0..k-1 (the caller maps names, sorted as sklearn sorts
 * them, so that class 1 is the positive one of a binary problem).
 *
 * y_true, y_pred: n class indices each (y_pred may be NULL for the
 * functions that only read probabilities). proba: NULL, or n*k
 * probabilities row-major (row r, class c at proba[r*k + c]), finite.
 *
 * all_labels: 0 averages precision, recall and F1 over the classes present
 * in y_true or y_pred among the selected rows (sklearn's default); 1 over
 * all k classes (sklearn's labels=range(k)).
 */
struct mlci_metrics_clf {
	size_t n;
	size_t k;
	const int *y_true;
	const int *y_pred;
	const double *proba;
	int all_labels;
};

/* Per-class flags: sklearn's zero_division="warn" cases (value set to 0.0). */
#define MLCI_METRICS_NO_PREDICTED 1u	/* precision ill-defined: nothing predicted */
#define MLCI_METRICS_NO_TRUE 2u		/* recall ill-defined: no true rows */
#define MLCI_METRICS_ABSENT 4u		/* not averaged: in neither y_true nor y_pred */

/*
 * Every classification metric of one evaluation. confusion holds k*k
 * summed weights (row-major, rows true, columns predicted, all k classes);
 * precision, recall, f1, support (summed weight of true rows) and
 * class_flags hold k values each. flags is the union of class_flags over
 * the averaged classes: a caller turns MLCI_METRICS_NO_PREDICTED or
 * MLCI_METRICS_NO_TRUE into sklearn's UndefinedMetricWarning. A class with
 * MLCI_METRICS_ABSENT has zero per-class values that mean nothing.
 *
 * roc_auc: binary (k == 2, class 1 positive, scored by its probability) or
 * one-vs-rest macro (k > 2); log_loss as sklearn's log_loss(labels=range(k)).
 * Both are NaN with MLCI_METRICS_NO_PROBA when proba is NULL.
 */
struct mlci_metrics_clf_result {
	size_t k;
	double *confusion;
	double *precision, *recall, *f1, *support;
	unsigned *class_flags;
	unsigned flags;
	struct mlci_metric accuracy, balanced_accuracy;
	struct mlci_metric precision_macro, recall_macro, f1_macro;
	struct mlci_metric precision_weighted, recall_weighted, f1_weighted;
	struct mlci_metric roc_auc, log_loss;
};

/* Make r empty; release() frees its arrays and leaves it empty again. */
void mlci_metrics_clf_result_init(struct mlci_metrics_clf_result *r);
void mlci_metrics_clf_result_release(struct mlci_metrics_clf_result *r);

/*
 * Compute every classification metric of d over rows into r (whose old
 * contents are released). d->y_pred is required; d->proba optional.
 * O(n*k + k*k), and O(k * n log n) for roc_auc. Returns 0, or
 * -MLCI_EXIT_INPUT (message printed) when k is 0, a label is outside
 * 0..k-1, a row index is outside 0..n-1, a weight is negative or not
 * finite, or a probability is not finite; r is then empty.
 */
int mlci_metrics_classify(const struct mlci_metrics_clf *d,
			  const struct mlci_metrics_rows *rows,
			  struct mlci_metrics_clf_result *r);

/*
 * The single metrics, for resampling loops: each computes what
 * mlci_metrics_classify() would put in the field of the same name, and
 * fails the same way. accuracy and balanced_accuracy read y_true and
 * y_pred; roc_auc and log_loss read y_true and proba.
 */
int mlci_metrics_accuracy(const struct mlci_metrics_clf *d,
			  const struct mlci_metrics_rows *rows,
			  struct mlci_metric *out);
int mlci_metrics_balanced_accuracy(const struct mlci_metrics_clf *d,
				   const struct mlci_metrics_rows *rows,
				   struct mlci_metric *out);
int mlci_metrics_roc_auc(const struct mlci_metrics_clf *d,
			 const struct mlci_metrics_rows *rows,
			 struct mlci_metric *out);
int mlci_metrics_log_loss(const struct mlci_metrics_clf *d,
			  const struct mlci_metrics_rows *rows,
			  struct mlci_metric *out);

/*
 * sklearn's binary roc_auc_score of the rows whose y_true[r] == positive
 * against all others, scored by score[r * stride] (stride 1 for a plain
 * vector; k and score = proba + c for class c of a probability matrix).
 * Ties count half, as the trapezoid over sklearn's ROC curve does;
 * O(m log m) for m selected rows. NaN with MLCI_METRICS_ONE_CLASS when
 * the selected rows hold only one side (or one side weighs nothing).
 * Returns 0, or -MLCI_EXIT_INPUT for a bad row index, weight or score.
 */
int mlci_metrics_roc_auc_binary(const int *y_true, int positive,
				const double *score, size_t stride, size_t n,
				const struct mlci_metrics_rows *rows,
				struct mlci_metric *out);

/* Regression metrics: sqrt(mean_squared_error), mean_absolute_error, r2_score. */
struct mlci_metrics_reg_result {
	struct mlci_metric rmse, mae, r2;
};

/*
 * Compute the regression metrics of y_pred against y_true (n values each,
 * finite) over rows. r2 is 1.0 for perfect predictions, 0.0 when y_true is
 * constant over the rows that weigh and the predictions are not perfect
 * (sklearn's rule; sklearn itself misses it when its mean of the constant
 * is off by an ulp, as for 0.1 or under weights, and gives ~-1e31), NaN
 * with MLCI_METRICS_FEW_ROWS for fewer than two selected rows (as
 * sklearn). Returns 0, or -MLCI_EXIT_INPUT for a non-finite value, a bad
 * row index or weight.
 */
int mlci_metrics_regress(const double *y_true, const double *y_pred, size_t n,
			 const struct mlci_metrics_rows *rows,
			 struct mlci_metrics_reg_result *r);

/*
 * Add r's metrics to the flat object metrics under sklearn-style keys:
 * accuracy, balanced_accuracy, precision_macro, recall_macro, f1_macro,
 * f1_weighted, roc_auc and log_loss (only when probabilities were given),
 * then precision.<class>, recall.<class>, f1.<class> for each averaged
 * class. names: k class names (NULL: the class numbers). Undefined
 * values are written as null. When notes is not NULL, it receives, under
 * the same key, the reason of each null and sklearn's warning for each
 * value set to 0.0 by zero_division. Keys already present are replaced.
 */
void mlci_metrics_clf_json(const struct mlci_metrics_clf_result *r,
			   const char *const *names, cJSON *metrics,
			   cJSON *notes);

/*
 * The confusion matrix as a new object (the caller's):
 * {"labels": [names...], "matrix": [[...], ...]}, rows true, columns
 * predicted, all k classes.
 */
cJSON *mlci_metrics_confusion_json(const struct mlci_metrics_clf_result *r,
				   const char *const *names);

/* As mlci_metrics_clf_json() for rmse, mae and r2. */
void mlci_metrics_reg_json(const struct mlci_metrics_reg_result *r,
			   cJSON *metrics, cJSON *notes);

#endif
