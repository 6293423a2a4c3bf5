/* SPDX-License-Identifier: MIT */
/* Distribution functions for the drift tests: normal, chi-square, Kolmogorov. */
#ifndef MLCI_DISTRIB_H
#define MLCI_DISTRIB_H

/*
 * Every function here is pure: no allocation that outlives the call, no
 * message, no global state. Each one follows what scipy.stats 1.10 (Debian
 * 12) does, method choices included, so that a p-value printed by mlci is the
 * one a Python user would get from scipy, to 1e-6 relative or better (the
 * unit test holds them to 1e-9 relative against tables made by scipy).
 * Arguments outside the domain give NAN, as scipy does.
 */

/* The standard normal distribution: cdf(x) and sf(x) = 1 - cdf(x), both
 * accurate in the far tails (sf(37) ~ 6e-300), as scipy.stats.norm. */
double mlci_distrib_norm_cdf(double x);
double mlci_distrib_norm_sf(double x);

/*
 * The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P,
 * a > 0, x >= 0 (scipy.special.gammainc and gammaincc). Q is computed
 * directly where it is small, so its relative accuracy holds down to the
 * smallest doubles.
 */
double mlci_distrib_gamma_p(double a, double x);
double mlci_distrib_gamma_q(double a, double x);

/* The chi-square survival function P(X >= x), df > 0 (scipy.stats.chi2.sf):
 * 1 for x <= 0, 0 for x = +inf. */
double mlci_distrib_chi2_sf(double x, double df);

/*
 * The one-sided Kolmogorov-Smirnov survival function P(D+_n >= d)
 * (scipy.special.smirnov): the exact Birnbaum-Tingey sum for n up to
 * 1000000, the approximation exp(-(6nd+1)^2 / 18n) above, as scipy.
 */
double mlci_distrib_smirnov_sf(long n, double d);

/*
 * The two-sided one-sample Kolmogorov-Smirnov distribution of D_n
 * (scipy.stats.kstwo): sf(d, n) = P(D_n >= d), cdf = 1 - sf. The method is
 * chosen as Simard and L'Ecuyer (2011) and scipy do: Ruben-Gambino near the
 * ends, the Durbin matrix (Marsaglia-Tsang-Wang) or the Pomeranz recursion
 * for small n*d^2, twice the one-sided sum for large d, Pelz-Good for large
 * n. n >= 1.
 */
double mlci_distrib_kstwo_sf(double d, long n);
double mlci_distrib_kstwo_cdf(double d, long n);

/* How ks_2samp's p-value is computed, as scipy's `method` argument. */
enum mlci_ks2_method {
	MLCI_KS2_AUTO,	/* exact when max(m, n) <= 10000, else asymptotic */
	MLCI_KS2_EXACT,	/* exact; falls back to asymptotic as scipy does */
	MLCI_KS2_ASYMP	/* kstwo.sf(d, round(m*n / (m+n))) */
};

/*
 * The p-value of the two-sided two-sample Kolmogorov-Smirnov test for
 * sample sizes m, n >= 1 and statistic d (the largest distance between the
 * two empirical distribution functions, as computed from the samples), as
 * scipy.stats.ks_2samp(alternative='two-sided', method=...):
 *
 * - exact: h = round(d * lcm(m, n)) (half to even) and d is replaced by
 *   h / lcm(m, n), which *d_out receives; P(D >= d) is then the share of
 *   lattice paths that leave the band |x/m - y/n| < d, by
 *   _compute_prob_outside_square for m == n and Viehmann's (2021) recursion
 *   for 1 - p (scipy's _compute_outer_prob_inside_method) otherwise, both
 *   in doubles, so p can reach 1e-300 without overflow. An explicit EXACT
 *   request with lcm(m, n) too large for 32 bits, or an exact result
 *   outside [0, 1], falls back to the asymptotic method (scipy warns there).
 * - asymptotic: kstwo.sf(d, round(m*n / (m + n))), d unchanged.
 *
 * *exact (may be NULL) is set to 1 when the exact method was used. Returns
 * the p-value in [0, 1], or NAN for bad arguments.
 */
double mlci_distrib_ks2_pvalue(long m, long n, double d,
			       enum mlci_ks2_method method, double *d_out,
			       int *exact);

#endif
