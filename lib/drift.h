/* SPDX-License-Identifier: MIT */
/* Drift of a column against a reference: the tests and their default choice. */
#ifndef MLCI_DRIFT_H
#define MLCI_DRIFT_H

#include <stddef.h>

/*
 * The defaults are those of Evidently's data-drift preset (legacy
 * evidently.calculations.stattests, which ml-validate users compare with),
 * and every statistic and p-value is what scipy 1.10 gives for the same
 * inputs, to 1e-6 relative or 1e-12 absolute (tests/unit/test-drift.c
 * checks that against live scipy):
 *
 *   test           input        statistic                      drifted when
 *   ks             numeric      two-sample KS D (ks_2samp)     p <= threshold (0.05)
 *   chisquare      categories   Pearson chi-square GOF         p <  threshold (0.05)
 *   ztest          categories   pooled two-proportion z        p <  threshold (0.05)
 *   wasserstein    numeric      W1 / max(std0(reference), .001)  stat >= threshold (0.1)
 *   jensenshannon  categories   JS distance, natural log       stat >= threshold (0.1)
 *   psi            both         population stability index     stat >= threshold (0.1)
 *
 * (ks uses <= and the others < because Evidently does.)
 *
 * - ks: scipy.stats.ks_2samp(reference, current), method 'auto': exact
 *   p when both sizes are <= 10000, else kstwo.sf(D, round(m*n/(m+n))); the
 *   result is then marked approximate. See mlci_distrib_ks2_pvalue().
 * - chisquare: over the union of categories seen in either sample,
 *   scipy.stats.chisquare(current_counts, reference_counts * (n_current /
 *   n_reference)) with k - 1 degrees of freedom. A category present in the
 *   current data but absent from the reference has expected count 0: scipy
 *   gives an infinite statistic and p 0, so Evidently reports drift. We do
 *   the same (p 0, drifted) but report the statistic as NAN with a reason
 *   naming the category. With a single category nothing can move: p is 1
 *   (scipy would give NAN for 0 degrees of freedom).
 * - ztest: Evidently's z-test on the share of every category but the first
 *   in byte order (for two categories, the share of the second):
 *   z = (p1 - p2) / sqrt(P (1 - P) (1/n1 + 1/n2)), P pooled, p-value
 *   2 * sf(|z|) (Evidently writes 2 * (1 - cdf(|z|)), equal to 1e-16
 *   absolute; statsmodels' proportions_ztest gives the same z). Both
 *   samples holding one and the same single category give z 0, p 1.
 * - wasserstein: scipy.stats.wasserstein_distance(reference, current)
 *   divided by max(numpy.std(reference) (ddof 0), 0.001).
 * - jensenshannon: scipy.spatial.distance.jensenshannon of the two
 *   frequency vectors over the union of categories, natural logarithm
 *   (so it lies in [0, sqrt(ln 2)]).
 * - psi: Evidently's get_binned_data(): for numeric samples whose reference
 *   has more than 20 distinct values, numpy.histogram_bin_edges of both
 *   samples together with the 'sturges' rule (ceil(log2(m + n) + 1)
 *   equal-width bins over [min, max], the last bin closed); otherwise each
 *   distinct value (category) of either sample is a bin. Shares of 0 are
 *   replaced, in each sample separately, by 0.0001, or by a millionth of
 *   the smallest non-zero share when that is 0.0001 or less. Then
 *   PSI = sum (r - c) * ln(r / c).
 *
 * Inputs: numeric samples are arrays of finite doubles in any order
 * (copies are sorted; NaN and infinities must be dropped first, as
 * Evidently does); categorical samples are parallel arrays of (value,
 * count). A value may be listed more than once (its counts add up) and a
 * count may be 0 (the value is then as good as absent).
 */

enum mlci_drift_kind {
	MLCI_DRIFT_NUMERIC,
	MLCI_DRIFT_CATEGORICAL
};

enum mlci_drift_test {
	MLCI_DRIFT_KS,
	MLCI_DRIFT_CHISQUARE,
	MLCI_DRIFT_ZTEST,
	MLCI_DRIFT_WASSERSTEIN,
	MLCI_DRIFT_JENSENSHANNON,
	MLCI_DRIFT_PSI
};

/* One categorical sample: n values with their counts (borrowed arrays). */
struct mlci_drift_counts {
	const char *const *values;
	const size_t *counts;
	size_t n;
};

/* The outcome of one test on one column. */
struct mlci_drift_result {
	const char *test;	/* static: "ks", "chisquare", ... */
	double statistic;	/* NAN when it cannot be finite; see reason */
	double p_value;		/* NAN for the distance tests (no p-value) */
	double threshold;	/* the one applied */
	int drifted;		/* 1 when the rule in the table above holds */
	int approximate;	/* ks: asymptotic p-value, not the exact one */
	size_t n_reference;	/* sample sizes (sum of counts for categories) */
	size_t n_current;
	/*
	 * Categorical tests: the value whose share moved most (owned, NULL
	 * for numeric tests), and its current share minus its reference
	 * share (NAN for numeric tests).
	 */
	char *top_value;
	double top_shift;
	char *reason;		/* owned; why statistic is NAN, else NULL */
	/*
	 * A static sentence when the sample is too small for the result to
	 * mean much (see mlci_drift_small_sample()), else NULL.
	 */
	const char *small_sample;
};

/* An empty result (NANs, NULLs); results must be initialized before use. */
void mlci_drift_result_init(struct mlci_drift_result *r);
/* Free what the result owns; it is then empty, as after init. */
void mlci_drift_result_release(struct mlci_drift_result *r);

/*
 * The warning the tool can print when a sample is too small for the test,
 * or NULL: ks with fewer than 20 values in either sample; chisquare with
 * an expected count below 5; ztest with n*P or n*(1-P) below 5 in either
 * sample; the distances with fewer than 30 current values.
 */
const char *mlci_drift_small_sample(const struct mlci_drift_result *r);

/* "ks", "chisquare", "ztest", "wasserstein", "jensenshannon", "psi". */
const char *mlci_drift_test_name(enum mlci_drift_test test);

/* The test named name (exact, lower case) into *out: 0, or -1 silently. */
int mlci_drift_test_parse(const char *name, enum mlci_drift_test *out);

/* The default threshold: 0.05 for the p-value tests, 0.1 for the others. */
double mlci_drift_default_threshold(enum mlci_drift_test test);

/* 1 for the tests that give a p-value (ks, chisquare, ztest). */
int mlci_drift_test_has_p_value(enum mlci_drift_test test);

/*
 * Check that a test asked for by the user fits a column of this kind: ks
 * and wasserstein take numeric columns; chisquare, ztest and jensenshannon
 * categorical ones; psi both. Returns 0, or -MLCI_EXIT_INPUT with a message
 * naming the test, the kind and column (may be NULL).
 */
int mlci_drift_check_test(enum mlci_drift_test test, enum mlci_drift_kind kind,
			  const char *column);

/* Which test to run on a column, with which threshold and which input. */
struct mlci_drift_choice {
	enum mlci_drift_test test;
	double threshold;
	/*
	 * 1: run it on value counts (mlci_drift_run_counts); 0: on the
	 * numeric samples (mlci_drift_run_numeric). Evidently treats numeric
	 * columns with 5 distinct values or fewer as categories, so a
	 * numeric column can get a counting test; the tool then counts its
	 * values (as strings that round-trip, e.g. "%.17g").
	 */
	int use_counts;
};

/*
 * Choose the test for a column. Without an override (override == NULL),
 * Evidently's defaults, from the kind, the reference size and n_distinct,
 * the number of distinct values in the reference and current samples
 * together (Evidently counts both):
 *
 *   n_reference <= 1000: numeric  n_distinct > 5 -> ks
 *                                 n_distinct 3..5 -> chisquare, <= 2 -> ztest
 *                        categorical n_distinct > 2 -> chisquare, else ztest
 *   n_reference > 1000:  numeric  n_distinct > 5 -> wasserstein, else jensenshannon
 *                        categorical -> jensenshannon
 *
 * With an override, that test, after mlci_drift_check_test(). threshold is
 * the one to use, or NAN for the test's default; a p-value test needs
 * 0 < threshold < 1, the others a finite threshold > 0. Returns 0, or
 * -MLCI_EXIT_INPUT with a message (column, may be NULL, names the column).
 */
int mlci_drift_choose(enum mlci_drift_kind kind, size_t n_reference,
		      size_t n_distinct, const enum mlci_drift_test *override,
		      double threshold, const char *column,
		      struct mlci_drift_choice *out);

/*
 * The tests on numeric samples: reference[0..n_reference) and
 * current[0..n_current), both non-empty and finite, are not changed.
 * threshold NAN means the test's default. *out (initialized) is released
 * and filled. Return 0, or -MLCI_EXIT_INPUT (empty sample, non-finite
 * value) with a message and *out empty.
 */
int mlci_drift_ks(const double *reference, size_t n_reference,
		  const double *current, size_t n_current, double threshold,
		  struct mlci_drift_result *out);
int mlci_drift_wasserstein(const double *reference, size_t n_reference,
			   const double *current, size_t n_current,
			   double threshold, struct mlci_drift_result *out);
int mlci_drift_psi_numeric(const double *reference, size_t n_reference,
			   const double *current, size_t n_current,
			   double threshold, struct mlci_drift_result *out);

/*
 * The tests on value counts, as above; each sample must have a total
 * count > 0 (else -MLCI_EXIT_INPUT).
 */
int mlci_drift_chisquare(const struct mlci_drift_counts *reference,
			 const struct mlci_drift_counts *current,
			 double threshold, struct mlci_drift_result *out);
int mlci_drift_ztest(const struct mlci_drift_counts *reference,
		     const struct mlci_drift_counts *current, double threshold,
		     struct mlci_drift_result *out);
int mlci_drift_jensenshannon(const struct mlci_drift_counts *reference,
			     const struct mlci_drift_counts *current,
			     double threshold, struct mlci_drift_result *out);
int mlci_drift_psi_counts(const struct mlci_drift_counts *reference,
			  const struct mlci_drift_counts *current,
			  double threshold, struct mlci_drift_result *out);

/*
 * Run a test by its enum on numeric samples or on counts. A test that does
 * not take that input (chisquare on samples, ks on counts, ...) gives
 * -MLCI_EXIT_BUG: the chooser never asks for it.
 */
int mlci_drift_run_numeric(enum mlci_drift_test test, const double *reference,
			   size_t n_reference, const double *current,
			   size_t n_current, double threshold,
			   struct mlci_drift_result *out);
int mlci_drift_run_counts(enum mlci_drift_test test,
			  const struct mlci_drift_counts *reference,
			  const struct mlci_drift_counts *current,
			  double threshold, struct mlci_drift_result *out);

#endif
