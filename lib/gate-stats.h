/* SPDX-License-Identifier: MIT */
/* ml-gate's statistical gate: two models' predictions on the same rows, and the paired test of each rule. */
#ifndef MLCI_GATE_STATS_H
#define MLCI_GATE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "rules.h"

/*
 * Both models' predictions on the same test rows, read from two files in
 * ml-train's predictions format (row, truth, prediction, then
 * proba_<class> or decision_<class> columns).
 *
 * Classification: labels are class indices 0..k-1 in the order of the
 * candidate's proba_/decision_ columns (ml-train writes them sorted, as
 * sklearn), else the labels' sorted order. score is NULL or n * ncols
 * values per model (row-major); proba says they are probabilities.
 * Regression: yt, yc, yb hold the truth and the two predictions.
 */
struct mlci_gate_pairs {
	size_t n;
	int regression;
	size_t k;
	char **classes;			/* k names */
	int *truth, *cand, *base;	/* n class indices each */
	double *score_cand, *score_base;
	size_t ncols;
	int proba;
	double *yt, *yc, *yb;
};

void mlci_gate_pairs_init(struct mlci_gate_pairs *p);
void mlci_gate_pairs_release(struct mlci_gate_pairs *p);

/*
 * Read the candidate's and the baseline's predictions into p (whose old
 * contents are released). The files must hold the same rows (the row
 * numbers and truths equal, line by line) and the same score columns.
 * Returns 0, or -MLCI_EXIT_INPUT with a message naming the file and line
 * (a missing column, different rows, an unknown class, a bad number).
 */
int mlci_gate_pairs_load(const char *cand_path, const char *base_path,
			 int regression, struct mlci_gate_pairs *p);

/*
 * The metric named as ml-train names it (accuracy, balanced_accuracy,
 * precision_macro, ..., roc_auc, log_loss, precision.<class>, rmse, mae,
 * r2) of each model on the rows of p. Returns 1 with *cand and *base set
 * (NaN when undefined), 0 when the metric cannot be computed from
 * predictions (an unknown name, roc_auc without scores), or a negative
 * exit code.
 */
int mlci_gate_pairs_metric(const struct mlci_gate_pairs *p, const char *name,
			   double *cand, double *base);

/* The settings of the paired tests. */
struct mlci_gate_stats_opts {
	double alpha;		/* 0.05 */
	size_t resamples;	/* 2000 */
	uint64_t seed;		/* 0 */
	double effect;		/* the difference a test without margin should detect: 0.01 */
	double power;		/* 0.8 */
};

void mlci_gate_stats_opts_init(struct mlci_gate_stats_opts *o);

/*
 * Judge rule on the paired predictions p, rewriting its result object res
 * (from mlci_gate_evaluate()): value, baseline, threshold and delta become
 * both models' values on the same rows, ok and reason the paired test's
 * verdict, and test, statistic, p_value, ci_low, ci_high, interval, n,
 * rows_needed (and warning when the rows are too few) are added.
 *
 * Rules that compare with the baseline by >=, >, <= or < and name a
 * metric computable from predictions are tested; for other rules res
 * gets test null and keeps its plain verdict. Returns 1 when tested, 0
 * when not, or a negative exit code.
 */
int mlci_gate_stats_judge(const struct mlci_rule *rule,
			  const struct mlci_gate_pairs *p,
			  const struct mlci_gate_stats_opts *o, cJSON *res);

#endif
