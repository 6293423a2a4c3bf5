/* SPDX-License-Identifier: MIT */
/* Two-sample tests behind ml-canary's judgement: Mann-Whitney U, Hodges-Lehmann, Kayenta's classes, rates, variances. */
#ifndef MLCI_RANKTEST_H
#define MLCI_RANKTEST_H

#include <stddef.h>

/*
 * Each metric of a canary run compares a canary sample x with a baseline
 * sample y. The functions here are pure apart from temporary allocations
 * (xmalloc: out of memory dies); they print nothing except through
 * mlci_error(), and return 0 or -MLCI_EXIT_INPUT for unusable input (an empty
 * sample, a NaN). They follow, to the choice of method:
 *
 * - scipy 1.10 stats.mannwhitneyu(x, y) (use_continuity=True,
 *   alternative='two-sided', method='auto'): the statistic U1 of x and the
 *   two-sided p-value, to 1e-9 relative;
 * - R 4.2 wilcox.test(x, y, conf.int=TRUE, conf.level=...) for the
 *   Hodges-Lehmann interval (Hollander and Wolfe, Nonparametric Statistical
 *   Methods, 1973, ch. 4; Bauer, JASA 67, 1972), to R's own root-finding
 *   tolerance (1e-4 in the shift, results agree to 1e-6 or better because
 *   the same Brent iteration is run on the same step function);
 * - Kayenta's MannWhitneyClassifier (spinnaker/kayenta, kayenta-judge)
 *   for the Pass / High / Low class;
 * - scipy.stats.binomtest for the rate test and scipy.stats.levene(
 *   center='median') (Brown and Forsythe, JASA 69, 1974) for the variance
 *   test.
 *
 * References: H.B. Mann and D.R. Whitney, Ann. Math. Statist. 18 (1947)
 * 50-60; A. Di Bucchianico, J. Statist. Plann. Inference 79 (1999) 349-364
 * (the exact distribution); J.L. Hodges and E.L. Lehmann, Ann. Math.
 * Statist. 34 (1963) 598-611; J.F. Monahan, ACM TOMS 10 (1984) 265-270 (the
 * median of pairwise differences without forming them); R.P. Brent,
 * Algorithms for Minimization without Derivatives, 1973 (zeroin); M.J.
 * Wichura, Appl. Statist. 37 (1988) 477-484 (AS 241, the normal quantile);
 * J. Przyborowski and H. Wilenski, Biometrika 31 (1940) 313-323 (the
 * conditional test of two Poisson rates).
 */

/* How a p-value or an interval is computed (scipy's and R's `method`/`exact`). */
enum mlci_ranktest_method {
	MLCI_RANKTEST_AUTO,	/* the library's own rule, see each function */
	MLCI_RANKTEST_EXACT,	/* exact, unless ties or size forbid it */
	MLCI_RANKTEST_ASYMPTOTIC	/* normal approximation */
};

/* The result of mlci_ranktest_mwu(). */
struct mlci_ranktest_mwu {
	double statistic;	/* U1 = R1 - nx(nx+1)/2, the U of x (canary) */
	double p_value;		/* two-sided, in [0, 1] */
	double z;		/* the standardized statistic; NAN when exact */
	int exact;		/* 1 when the exact distribution was used */
};

/*
 * The Mann-Whitney U test of x[0..nx) against y[0..ny), as scipy 1.10
 * mannwhitneyu(x, y, use_continuity=True, alternative='two-sided',
 * method=...). Midranks of the pooled sample; U1 the statistic of x.
 *
 * AUTO is scipy's rule: exact unless both samples have more than 8 values
 * or the pooled sample has a tie. Exact: p = 2 P(U >= max(U1, U2)) under
 * the null distribution (Di Bucchianico's recurrence, counted here as the
 * coefficients of the Gaussian binomial [nx+ny, nx]_q in long double),
 * without tie correction; an EXACT request too large for that (min(nx,ny)
 * * nx*ny/2 over 2e8 steps or counts beyond long double) falls back to the
 * normal approximation. Asymptotic: z = (max(U1, U2) - nx ny/2 - 0.5) / s
 * with s^2 = nx ny/12 ((n+1) - sum(t^3 - t)/(n(n-1))), p = 2 sf(z). p is
 * clipped to [0, 1]; all values tied gives p = 1. Infinities are ranked as
 * values; NaN is an error. Returns 0 or -MLCI_EXIT_INPUT.
 */
int mlci_ranktest_mwu(const double *x, size_t nx, const double *y, size_t ny,
		      enum mlci_ranktest_method method,
		      struct mlci_ranktest_mwu *out);

/* The result of mlci_ranktest_hl(). */
struct mlci_ranktest_hl {
	double shift;		/* Hodges-Lehmann: median of all x_i - y_j */
	double estimate;	/* what R prints as "difference in location" */
	double lower, upper;	/* R's confidence interval for the shift */
	double conf_level;	/* R's attr(conf.int, "conf.level") */
	int exact;		/* 1 when the exact interval was used */
};

/*
 * The Hodges-Lehmann estimate of the shift of x against y and its
 * confidence interval at conf_level (0 < conf_level < 1), as R's
 * wilcox.test(x, y, conf.int=TRUE, conf.level=conf_level, exact=...,
 * correct=TRUE).
 *
 * shift is always the median of the nx*ny differences x_i - y_j (the mean of
 * the two middle ones for an even count), found by bisection over their
 * values without forming them: O((nx+ny) log) time and memory, so there is
 * no cap beyond nx*ny < 2^62.
 *
 * AUTO is R's rule: exact when nx < 50, ny < 50 and the pooled sample has no
 * tie; EXACT is exact=TRUE (still not with ties), ASYMPTOTIC exact=FALSE.
 * Exact: the interval is [D(qu), D(nx ny - qu + 1)] of the sorted
 * differences, qu = qwilcox(alpha/2, nx, ny) (at least 1), estimate = shift,
 * and conf_level is lowered to the achieved one when R would warn.
 * Asymptotic: each end is the root, by R's zeroin (Brent, tol 1e-4, 1000
 * iterations) between min(x)-max(y) and max(x)-min(y), of the standardized
 * rank-sum statistic of (x - d, y) with tie and continuity corrections
 * minus the normal quantile; estimate is R's root of that statistic at 0
 * (close to shift, not equal). Where R stops with an error (every value
 * tied at an end, one constant value per sample) lower, upper and estimate
 * are NAN, and shift is still set. x and y must be finite. Returns 0 or
 * -MLCI_EXIT_INPUT.
 */
int mlci_ranktest_hl(const double *x, size_t nx, const double *y, size_t ny,
		     double conf_level, enum mlci_ranktest_method method,
		     struct mlci_ranktest_hl *out);

/* Which change of a metric is bad (Kayenta's MetricDirection). */
enum mlci_ranktest_direction {
	MLCI_RANKTEST_EITHER,
	MLCI_RANKTEST_INCREASE,	/* higher is bad: latency, errors */
	MLCI_RANKTEST_DECREASE	/* lower is bad: throughput, success */
};

/* Kayenta's metric classes. */
enum mlci_ranktest_class {
	MLCI_RANKTEST_PASS,
	MLCI_RANKTEST_HIGH,
	MLCI_RANKTEST_LOW,
	MLCI_RANKTEST_NODATA
};

/* The judge's settings; mlci_ranktest_judge_opts_init() gives Kayenta's. */
struct mlci_ranktest_judge_opts {
	double conf_level;	/* 0.98 (NetflixACAJudge) */
	double tolerance;	/* 0.25 */
	double effect_low;	/* Low needs mean ratio <= this: 1.0 */
	double effect_high;	/* High needs mean ratio >= this: 1.0 */
	enum mlci_ranktest_method method;	/* of the interval: AUTO */
};

/* Set Kayenta's defaults. */
void mlci_ranktest_judge_opts_init(struct mlci_ranktest_judge_opts *opts);

/* The judgement of one metric. */
struct mlci_ranktest_judgement {
	enum mlci_ranktest_class cls;
	struct mlci_ranktest_mwu mwu;	/* zero-filled unless tested */
	struct mlci_ranktest_hl hl;	/* zero-filled unless tested */
	double lower_bound, upper_bound;	/* -+ tolerance * |estimate| */
	double ratio;	/* mean(canary) / mean(baseline); NAN when a mean is 0 */
	int tested;	/* 0 for the short cuts: no data, identical, one value */
};

/*
 * Classify canary against baseline as Kayenta's MannWhitneyClassifier does:
 * no data -> NODATA; the same multiset of values, or a single distinct value
 * overall -> PASS with ratio 1; otherwise the Mann-Whitney test and the
 * Hodges-Lehmann interval [lower, upper] at opts->conf_level, the bounds
 * -+tolerance * |estimate| (Kayenta scales the tolerance by the size of the
 * estimated shift itself), and HIGH when the direction allows an increase,
 * lower > upper_bound and the mean ratio (if defined) >= effect_high; LOW
 * when it allows a decrease, upper < lower_bound and the ratio (if defined)
 * <= effect_low; PASS otherwise. Where Kayenta adds Gaussian noise (each
 * sample constant, the two different), the interval is taken as its limit
 * without noise, the point [a - b, a - b]. An interval that cannot be
 * computed gives PASS. opts NULL means the defaults. Returns 0 or
 * -MLCI_EXIT_INPUT (NaN, infinity, bad opts).
 */
int mlci_ranktest_classify(const double *canary, size_t nc,
			   const double *baseline, size_t nb,
			   enum mlci_ranktest_direction direction,
			   const struct mlci_ranktest_judge_opts *opts,
			   struct mlci_ranktest_judgement *out);

/* The result of mlci_ranktest_rate(). */
struct mlci_ranktest_rate {
	double canary_rate, baseline_rate;	/* count / exposure */
	double ratio;		/* canary_rate / baseline_rate (inf, NAN) */
	double share;		/* e_c / (e_c + e_b): the null binomial p */
	double p_value;		/* one-sided, in the bad direction */
};

/*
 * The exact conditional test of two Poisson rates, for sparse counts such
 * as errors per request: under equal rates the canary's count given the
 * total is Binomial(cc + bc, e_c / (e_c + e_b)). The p-value is one-sided
 * in the bad direction, as scipy.stats.binomtest(cc, cc + bc, share,
 * alternative='greater') for INCREASE, 'less' for DECREASE, and the smaller
 * of the two doubled (capped at 1) for EITHER; 1 when both counts are 0.
 * Binomial counts (errors out of requests) are tested through their Poisson
 * limit, which is what sparse errors are. Exposures must be finite and
 * > 0. Returns 0 or -MLCI_EXIT_INPUT.
 */
int mlci_ranktest_rate(unsigned long long canary_count, double canary_exposure,
		       unsigned long long baseline_count,
		       double baseline_exposure,
		       enum mlci_ranktest_direction direction,
		       struct mlci_ranktest_rate *out);

/*
 * The Brown-Forsythe test of equal variances (Levene's test on absolute
 * deviations from the median), as scipy.stats.levene(x, y,
 * center='median'): *statistic the W statistic, *p_value = F(1, n-2).sf(W).
 * Both samples need a value, n >= 3. When every value equals its sample's
 * median the statistic is +inf (p 0) if the two mean deviations differ and
 * NAN (p NAN) if not, as numpy's division gives. Returns 0 or
 * -MLCI_EXIT_INPUT.
 */
int mlci_ranktest_levene(const double *x, size_t nx, const double *y,
			 size_t ny, double *statistic, double *p_value);

/*
 * The F distribution's survival function P(F >= f) with df1, df2 > 0
 * (scipy.stats.f.sf), through the regularized incomplete beta function:
 * 1 for f <= 0, NAN outside the domain.
 */
double mlci_ranktest_f_sf(double f, double df1, double df2);

/*
 * The regularized incomplete beta function I_x(a, b), a, b > 0, 0 <= x <= 1
 * (scipy.special.betainc), by its continued fraction in long double; y must
 * be 1 - x, passed separately so that a caller who knows it exactly keeps
 * the accuracy near x = 1. NAN outside the domain.
 */
double mlci_ranktest_beta_inc(double a, double b, double x, double y);

/*
 * The standard normal quantile (AS 241, as R's qnorm and scipy's
 * norm.ppf): -inf at 0, +inf at 1, NAN outside [0, 1].
 */
double mlci_ranktest_norm_ppf(double p);

#endif
