/* SPDX-License-Identifier: MIT */
/* Paired tests of a candidate model against a baseline on the same rows: McNemar, DeLong, the paired bootstrap. */
#ifndef MLCI_PAIRTEST_H
#define MLCI_PAIRTEST_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

/*
 * ml-gate's statistical gate scores both models on the same test rows and
 * asks whether the candidate is worse than the baseline. Every difference
 * here is candidate - baseline. The functions print nothing except through
 * mlci_error(), allocate only what they free again (xmalloc: out of memory
 * dies) unless a result says it owns an array, and return 0 or
 * -MLCI_EXIT_INPUT.
 *
 * - McNemar's test of accuracy: statsmodels 0.13's
 *   statsmodels.stats.contingency_tables.mcnemar, to 1e-9 relative.
 * - DeLong's test of two correlated ROC AUCs (DeLong, DeLong and
 *   Clarke-Pearson, Biometrics 44, 1988) by the O(n log n) midrank algorithm
 *   of Sun and Xu (IEEE Signal Process. Lett. 21, 2014); each AUC equals
 *   sklearn's roc_auc_score.
 * - A paired percentile bootstrap of the difference in any metric, seeded.
 * - The verdict of a rule and the "test set too small" warning.
 */

/* How McNemar's p-value is computed. */
enum mlci_pairtest_method {
	MLCI_PAIRTEST_AUTO,	/* exact when b + c < 25, else chi-square */
	MLCI_PAIRTEST_EXACT,	/* mcnemar(exact=True) */
	MLCI_PAIRTEST_CHI2	/* mcnemar(exact=False, correction=True) */
};

/* Below this many discordant pairs AUTO uses the exact binomial test. */
#define MLCI_PAIRTEST_EXACT_BELOW 25

/*
 * The paired 2x2 table of correctness, one count per pair of outcomes.
 * cand_only (McNemar's b) and base_only (c) are the discordant rows;
 * statsmodels' table is [[both, cand_only], [base_only, neither]].
 */
struct mlci_pairtest_table {
	uint64_t both;		/* both models right */
	uint64_t cand_only;	/* only the candidate right */
	uint64_t base_only;	/* only the baseline right */
	uint64_t neither;	/* both wrong */
};

/*
 * Count the table from two correctness vectors of n rows (non-zero =
 * correct). Always succeeds.
 */
void mlci_pairtest_table(const unsigned char *cand_ok,
			 const unsigned char *base_ok, size_t n,
			 struct mlci_pairtest_table *t);

/*
 * As mlci_pairtest_table(), from labels: row r is correct for a model when
 * its prediction equals y_true[r].
 */
void mlci_pairtest_table_labels(const int *y_true, const int *cand_pred,
				const int *base_pred, size_t n,
				struct mlci_pairtest_table *t);

/* The result of mlci_pairtest_mcnemar(). */
struct mlci_pairtest_mcnemar {
	uint64_t n;		/* rows: the sum of the table */
	uint64_t b, c;		/* cand_only and base_only of the table */
	double statistic;	/* exact: min(b, c); chi2: (|b - c| - 1)^2 / (b + c) */
	double p_value;		/* two-sided, in [0, 1] */
	int exact;		/* 1 when the binomial test was used */
	double diff;		/* accuracy difference (b - c) / n; NAN for n = 0 */
	double lower, upper;	/* its Wald interval, see below */
};

/*
 * McNemar's test of equal accuracy on the paired table t, as statsmodels'
 * mcnemar(table, exact=..., correction=True) with b = t->cand_only and
 * c = t->base_only:
 *
 * - exact: statistic = min(b, c), p = min(1, 2 P(X <= min(b, c))) with X
 *   ~ Binomial(b + c, 1/2), through the regularized incomplete beta
 *   function (no overflow for any count; p down to 1e-300 and below keeps
 *   its relative accuracy);
 * - chi-square: statistic = (|b - c| - 1)^2 / (b + c) (continuity
 *   correction, not clipped at 0: b = c gives 1 / (b + c), as statsmodels),
 *   p = chi2.sf(statistic, 1).
 *
 * AUTO is exact when b + c < MLCI_PAIRTEST_EXACT_BELOW. No discordant pair
 * (b + c = 0) gives statistic 0 and p = 1 by either method (statsmodels'
 * chi-square gives NaN there).
 *
 * The interval [lower, upper] of diff = (b - c) / n is the Wald interval of
 * a paired difference of proportions at level 1 - alpha (0 < alpha < 1):
 * diff -+ z_{1-alpha/2} sqrt(((b + c) / n - diff^2) / n), clipped to
 * [-1, 1] (NAN for n = 0). It is what a rule with a margin reads.
 * Returns 0, or -MLCI_EXIT_INPUT for a bad method or alpha.
 */
int mlci_pairtest_mcnemar(const struct mlci_pairtest_table *t,
			  enum mlci_pairtest_method method, double alpha,
			  struct mlci_pairtest_mcnemar *out);

/* The result of mlci_pairtest_delong(). */
struct mlci_pairtest_delong {
	size_t n_pos, n_neg;	/* rows of the positive and the other classes */
	double auc_cand, auc_base;	/* each as sklearn's roc_auc_score */
	double diff;		/* auc_cand - auc_base */
	double var_cand, var_base, cov;	/* DeLong's (co)variances of the AUCs */
	double var_diff;	/* var_cand + var_base - 2 cov, >= 0 */
	double z;		/* diff / sqrt(var_diff) */
	double p_value;		/* two-sided: 2 sf(|z|) */
	double lower, upper;	/* diff -+ z_{1-alpha/2} sqrt(var_diff) */
};

/*
 * DeLong's test of the difference of two ROC AUCs measured on the same n
 * rows: y_true[r] == positive marks the positive rows, cand[r * stride] and
 * base[r * stride] are the two models' scores (stride 1 for vectors; k for
 * column c of a row-major probability matrix, cand = proba + c).
 *
 * With the midranks of each model's scores (ties count half), the structural
 * components are V10[i] = (negatives scored below positive i + half those
 * tied) / n_neg and V01[j] = (positives scored above negative j + half those
 * tied) / n_pos; they are counted exactly, so each AUC, their mean, is exact
 * to the last rounding. S10 and S01 are the 2x2 sample covariances
 * (divisor count - 1) of the components, summed in long double about their
 * means; S = S10 / n_pos + S01 / n_neg. Two sorts by a radix sort of the
 * scores: O(n) time and memory, stable at millions of rows.
 *
 * When var_diff is 0 (the models rank every positive-negative pair alike)
 * z is 0 and p = 1 for a zero difference, +-inf and p = 0 otherwise.
 * alpha in (0, 1) sets the interval's level 1 - alpha. Needs at least two
 * positive and two negative rows. Returns 0, or -MLCI_EXIT_INPUT (message
 * printed) for too few rows of a class, a NaN score, bad stride or alpha.
 */
int mlci_pairtest_delong(const int *y_true, int positive, const double *cand,
			 const double *base, size_t stride, size_t n,
			 double alpha, struct mlci_pairtest_delong *out);

/*
 * The metric a bootstrap resamples: set *cand and *base to the metric of
 * each model over the rows rows->idx[0..nidx) (repeats allowed,
 * rows->weight NULL), as the functions of metrics.h take them. The first
 * call selects every row once, in order.
 * A value may be NaN where the metric is undefined on a resample (roc_auc
 * of a resample holding one class). Return 0, or a negative error (which
 * stops the bootstrap and is returned).
 */
typedef int (*mlci_pairtest_metric_fn)(void *ctx,
				       const struct mlci_metrics_rows *rows,
				       double *cand, double *base);

/* Two correctness vectors (non-zero = correct), the caller's, for the callback below. */
struct mlci_pairtest_correct {
	const unsigned char *cand_ok, *base_ok;
};

/*
 * A mlci_pairtest_metric_fn for accuracy: ctx is a struct
 * mlci_pairtest_correct; each value is the share of correct rows among
 * those selected (repeats counted), as sklearn's accuracy_score of the
 * resampled rows, without re-reading the labels. Returns 0.
 */
int mlci_pairtest_accuracy_fn(void *ctx, const struct mlci_metrics_rows *rows,
			      double *cand, double *base);

/* The settings of mlci_pairtest_bootstrap(); _opts_init() sets the defaults. */
struct mlci_pairtest_boot_opts {
	size_t resamples;	/* B: 2000 */
	double alpha;		/* the interval's level is 1 - alpha: 0.05 */
	uint64_t seed;		/* of the xoshiro256** stream: 0 */
	int keep;		/* keep the B differences in the result: 0 */
};

/* Set the defaults above. */
void mlci_pairtest_boot_opts_init(struct mlci_pairtest_boot_opts *opts);

/* The result of mlci_pairtest_bootstrap(). */
struct mlci_pairtest_boot {
	size_t n;		/* rows */
	double cand, base;	/* the metric of each model on every row */
	double diff;		/* cand - base */
	double lower, upper;	/* the percentile interval of the difference */
	size_t resamples;	/* resamples drawn */
	size_t undefined;	/* of them, with a NaN difference (left out) */
	size_t ndiffs;		/* resamples - undefined */
	double *diffs;		/* opts.keep: those ndiffs, in draw order (owned) */
};

/* Make r empty; release() frees what it owns and leaves it empty again. */
void mlci_pairtest_boot_init(struct mlci_pairtest_boot *r);
void mlci_pairtest_boot_release(struct mlci_pairtest_boot *r);

/*
 * The paired bootstrap of metric(candidate) - metric(baseline) over n rows:
 * fn is called once on rows 0..n-1 for the point estimate, then for each of
 * B resamples on the same n row indices drawn with replacement for both
 * models (uniform without bias, drawn in order from one xoshiro256**
 * generator seeded with opts->seed, each 64-bit output giving two indices
 * by Lemire's multiply-and-reject method when n <= 2^32: a seed gives the
 * same resamples, and the same interval, on every machine). One index
 * buffer of n is reused: memory O(n + B).
 *
 * The interval is the percentile interval at level 1 - alpha: numpy's
 * percentile (method "linear") of the defined differences at 100 alpha/2
 * and 100 (1 - alpha/2). Resamples with a NaN difference are counted in
 * r->undefined and left out; none defined gives a NaN interval. A NaN
 * point estimate is returned as such, with the interval still computed.
 *
 * r's old contents are released. opts NULL means the defaults. Returns 0,
 * fn's error, or -MLCI_EXIT_INPUT for n = 0, B = 0 or alpha outside
 * (0, 1); r is then empty apart from n.
 */
int mlci_pairtest_bootstrap(size_t n, mlci_pairtest_metric_fn fn, void *ctx,
			    const struct mlci_pairtest_boot_opts *opts,
			    struct mlci_pairtest_boot *r);

/*
 * numpy.percentile(v, 100 q, method="linear") of v[0..nv) for 0 <= q <= 1,
 * numpy's interpolation step included; v is sorted in place. NAN for
 * nv = 0.
 */
double mlci_pairtest_percentile(double *v, size_t nv, double q);

/* How a rule "metric >= baseline [- margin]" reads a paired result. */
enum mlci_pairtest_rule {
	/*
	 * Not significantly worse: fails when the candidate is worse
	 * (diff < 0) and the test rejects equality (p < alpha); a bootstrap,
	 * which has no p-value (pass NAN), fails when upper < 0.
	 * No margin.
	 */
	MLCI_PAIRTEST_NOT_WORSE,
	/* Within the margin: fails when upper < -margin. */
	MLCI_PAIRTEST_MARGIN,
	/* Strict non-inferiority: passes only when lower > -margin. */
	MLCI_PAIRTEST_NONINFERIOR
};

/*
 * The verdict of a rule on a difference (candidate - baseline; for a
 * metric where lower is better the caller negates the difference and
 * swaps the ends): 1 pass, 0 fail. A NaN end or p-value that the rule
 * needs fails (no evidence is not a pass), margin must be >= 0.
 */
int mlci_pairtest_verdict(enum mlci_pairtest_rule rule, double diff,
			  double lower, double upper, double p_value,
			  double alpha, double margin);

/*
 * The rows a paired accuracy test needs to detect a difference of margin
 * (0 < margin < 1) at two-sided level alpha with the given power (Connor,
 * Biometrics 43, 1987, the sample size of McNemar's test):
 *
 *   n = (z_{1-alpha/2} sqrt(pd) + z_power sqrt(pd - margin^2))^2 / margin^2
 *
 * rounded up, where pd, the share of discordant rows, is estimated as
 * (b + c) / n from the table and raised to margin when smaller (a
 * difference of margin needs at least that many discordant rows). The
 * rule behind it: with fewer rows a true drop of margin goes unseen more
 * often than 1 - power. Returns 0 for bad arguments.
 */
uint64_t mlci_pairtest_mcnemar_rows_needed(const struct mlci_pairtest_table *t,
					   double margin, double alpha,
					   double power);

/*
 * The same question for an interval that shrinks as 1 / sqrt(n), as
 * DeLong's and the bootstrap's do: the rows needed for the half-width
 * (upper - lower) / 2, measured on n rows, to fall to margin:
 * ceil(n ((upper - lower) / (2 margin))^2), at least 1; the caller warns
 * when it exceeds n. Returns 0 for bad arguments (n = 0, margin <= 0, a
 * NaN end, upper < lower).
 */
uint64_t mlci_pairtest_rows_needed(size_t n, double lower, double upper,
				   double margin);

#endif
