/* SPDX-License-Identifier: MIT */
/* Drift tests of a column against a reference, as Evidently with scipy 1.10. */
#include "drift.h"
#include "distrib.h"
#include "usage.h"
#include "wrapper.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const test_names[] = {
	[MLCI_DRIFT_KS] = "ks",
	[MLCI_DRIFT_CHISQUARE] = "chisquare",
	[MLCI_DRIFT_ZTEST] = "ztest",
	[MLCI_DRIFT_WASSERSTEIN] = "wasserstein",
	[MLCI_DRIFT_JENSENSHANNON] = "jensenshannon",
	[MLCI_DRIFT_PSI] = "psi",
};
#define N_TESTS (sizeof(test_names) / sizeof(test_names[0]))

void mlci_drift_result_init(struct mlci_drift_result *r)
{
	memset(r, 0, sizeof(*r));
	r->test = NULL;
	r->statistic = NAN;
	r->p_value = NAN;
	r->threshold = NAN;
	r->top_value = NULL;
	r->top_shift = NAN;
	r->reason = NULL;
	r->small_sample = NULL;
}

void mlci_drift_result_release(struct mlci_drift_result *r)
{
	free(r->top_value);
	free(r->reason);
	mlci_drift_result_init(r);
}

const char *mlci_drift_small_sample(const struct mlci_drift_result *r)
{
	return r->small_sample;
}

const char *mlci_drift_test_name(enum mlci_drift_test test)
{
	if ((size_t)test >= N_TESTS)
		return "unknown";
	return test_names[test];
}

int mlci_drift_test_parse(const char *name, enum mlci_drift_test *out)
{
	size_t i;

	for (i = 0; name && i < N_TESTS; i++)
		if (!strcmp(name, test_names[i])) {
			*out = (enum mlci_drift_test)i;
			return 0;
		}
	return -1;
}

int mlci_drift_test_has_p_value(enum mlci_drift_test test)
{
	return test == MLCI_DRIFT_KS || test == MLCI_DRIFT_CHISQUARE ||
	       test == MLCI_DRIFT_ZTEST;
}

double mlci_drift_default_threshold(enum mlci_drift_test test)
{
	return mlci_drift_test_has_p_value(test) ? 0.05 : 0.1;
}

static const char *kind_name(enum mlci_drift_kind kind)
{
	return kind == MLCI_DRIFT_NUMERIC ? "numeric" : "categorical";
}

int mlci_drift_check_test(enum mlci_drift_test test, enum mlci_drift_kind kind,
			  const char *column)
{
	int numeric_only = test == MLCI_DRIFT_KS || test == MLCI_DRIFT_WASSERSTEIN;
	int categorical_only = test == MLCI_DRIFT_CHISQUARE ||
			       test == MLCI_DRIFT_ZTEST ||
			       test == MLCI_DRIFT_JENSENSHANNON;

	if ((size_t)test >= N_TESTS)
		return mlci_error(MLCI_EXIT_INPUT, "unknown drift test");
	if ((numeric_only && kind != MLCI_DRIFT_NUMERIC) ||
	    (categorical_only && kind != MLCI_DRIFT_CATEGORICAL))
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s%s%sdrift test '%s' needs a %s column, not a %s one",
				  column ? "column '" : "", column ? column : "",
				  column ? "': " : "", test_names[test],
				  numeric_only ? "numeric" : "categorical",
				  kind_name(kind));
	return 0;
}

int mlci_drift_choose(enum mlci_drift_kind kind, size_t n_reference,
		      size_t n_distinct, const enum mlci_drift_test *override,
		      double threshold, const char *column,
		      struct mlci_drift_choice *out)
{
	enum mlci_drift_test test;

	if (override) {
		int ret = mlci_drift_check_test(*override, kind, column);

		if (ret)
			return ret;
		test = *override;
	} else if (n_reference <= 1000) {
		if (kind == MLCI_DRIFT_NUMERIC && n_distinct > 5)
			test = MLCI_DRIFT_KS;
		else
			test = n_distinct > 2 ? MLCI_DRIFT_CHISQUARE :
						MLCI_DRIFT_ZTEST;
	} else {
		if (kind == MLCI_DRIFT_NUMERIC && n_distinct > 5)
			test = MLCI_DRIFT_WASSERSTEIN;
		else
			test = MLCI_DRIFT_JENSENSHANNON;
	}
	if (isnan(threshold)) {
		threshold = mlci_drift_default_threshold(test);
	} else if (mlci_drift_test_has_p_value(test) ?
		   !(threshold > 0 && threshold < 1) :
		   !(threshold > 0 && isfinite(threshold))) {
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s%s%sdrift threshold %g out of range for '%s' (%s)",
				  column ? "column '" : "", column ? column : "",
				  column ? "': " : "", threshold, test_names[test],
				  mlci_drift_test_has_p_value(test) ?
				  "a p-value: 0 < threshold < 1" :
				  "a distance: threshold > 0");
	}
	out->test = test;
	out->threshold = threshold;
	out->use_counts = test == MLCI_DRIFT_CHISQUARE ||
			  test == MLCI_DRIFT_ZTEST ||
			  test == MLCI_DRIFT_JENSENSHANNON ||
			  (test == MLCI_DRIFT_PSI && kind == MLCI_DRIFT_CATEGORICAL);
	return 0;
}

static void result_start(struct mlci_drift_result *out, enum mlci_drift_test test,
			 double threshold)
{
	mlci_drift_result_release(out);
	out->test = test_names[test];
	out->threshold = isnan(threshold) ? mlci_drift_default_threshold(test) :
					    threshold;
}

/* ---- numeric samples ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A sorted copy of a finite, non-empty sample; NULL after an error. */
static double *sorted_copy(const double *x, size_t n, const char *test,
			   const char *which)
{
	double *c;
	size_t i;

	if (!n) {
		mlci_error(MLCI_EXIT_INPUT, "drift test '%s': the %s sample is empty",
			   test, which);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (!isfinite(x[i])) {
			mlci_error(MLCI_EXIT_INPUT,
				   "drift test '%s': the %s sample holds a value that is not a finite number",
				   test, which);
			return NULL;
		}
	c = xmalloc(sizeof(*c) * n);
	memcpy(c, x, sizeof(*c) * n);
	qsort(c, n, sizeof(*c), cmp_double);
	return c;
}

static int sorted_pair(const double *ref, size_t nref, const double *cur,
		       size_t ncur, enum mlci_drift_test test, double **r,
		       double **c)
{
	*c = NULL;
	*r = sorted_copy(ref, nref, test_names[test], "reference");
	if (!*r)
		return -MLCI_EXIT_INPUT;
	*c = sorted_copy(cur, ncur, test_names[test], "current");
	if (!*c) {
		free(*r);
		*r = NULL;
		return -MLCI_EXIT_INPUT;
	}
	return 0;
}

int mlci_drift_ks(const double *reference, size_t n_reference,
		  const double *current, size_t n_current, double threshold,
		  struct mlci_drift_result *out)
{
	double *r, *c, d = 0, d_out;
	size_t i = 0, j = 0;
	int exact, ret;

	mlci_drift_result_release(out);
	ret = sorted_pair(reference, n_reference, current, n_current,
			  MLCI_DRIFT_KS, &r, &c);
	if (ret)
		return ret;
	result_start(out, MLCI_DRIFT_KS, threshold);
	/*
	 * The distance between the two empirical distribution functions at
	 * every observed value, computed as scipy does (i/m - j/n) so that
	 * the rounding of d to h/lcm(m, n) lands on the same h.
	 */
	while (i < n_reference || j < n_current) {
		double v, diff;

		if (j >= n_current || (i < n_reference && r[i] <= c[j]))
			v = r[i];
		else
			v = c[j];
		while (i < n_reference && r[i] <= v)
			i++;
		while (j < n_current && c[j] <= v)
			j++;
		diff = (double)i / n_reference - (double)j / n_current;
		if (fabs(diff) > d)
			d = fabs(diff);
	}
	out->p_value = mlci_distrib_ks2_pvalue((long)n_reference, (long)n_current,
					       d, MLCI_KS2_AUTO, &d_out, &exact);
	out->statistic = d_out;
	out->approximate = !exact;
	out->n_reference = n_reference;
	out->n_current = n_current;
	out->drifted = out->p_value <= out->threshold;
	if (n_reference < 20 || n_current < 20)
		out->small_sample = "fewer than 20 values in a sample: the KS test can only detect large shifts";
	free(r);
	free(c);
	return 0;
}

/* numpy.std(x) (ddof 0) of a sorted sample, in long double. */
static double std_ddof0(const double *x, size_t n)
{
	long double sum = 0, mean, ss = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += x[i];
	mean = sum / n;
	for (i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return (double)sqrtl(ss / n);
}

int mlci_drift_wasserstein(const double *reference, size_t n_reference,
			   const double *current, size_t n_current,
			   double threshold, struct mlci_drift_result *out)
{
	double *r, *c, prev = 0, norm;
	long double w = 0;
	size_t i = 0, j = 0;
	int ret, first = 1;

	mlci_drift_result_release(out);
	ret = sorted_pair(reference, n_reference, current, n_current,
			  MLCI_DRIFT_WASSERSTEIN, &r, &c);
	if (ret)
		return ret;
	result_start(out, MLCI_DRIFT_WASSERSTEIN, threshold);
	/* The integral of |U - V| over the merged values, as scipy's _cdf_distance. */
	while (i < n_reference || j < n_current) {
		double v;

		if (j >= n_current || (i < n_reference && r[i] <= c[j]))
			v = r[i];
		else
			v = c[j];
		if (!first)
			w += fabsl((long double)i / n_reference -
				   (long double)j / n_current) * (v - prev);
		first = 0;
		while (i < n_reference && r[i] <= v)
			i++;
		while (j < n_current && c[j] <= v)
			j++;
		prev = v;
	}
	norm = std_ddof0(r, n_reference);
	if (norm < 0.001)
		norm = 0.001;
	out->statistic = (double)(w / norm);
	out->n_reference = n_reference;
	out->n_current = n_current;
	out->drifted = out->statistic >= out->threshold;
	if (n_current < 30)
		out->small_sample = "fewer than 30 current values: the distance is a noisy estimate";
	free(r);
	free(c);
	return 0;
}

/*
 * Evidently's zero filling: a share of 0 becomes 0.0001, or a millionth of
 * the smallest non-zero share when that is 0.0001 or less.
 */
static void fill_zero_shares(double *s, size_t k)
{
	double min = INFINITY, fill;
	size_t i;

	for (i = 0; i < k; i++)
		if (s[i] != 0 && s[i] < min)
			min = s[i];
	if (isinf(min))
		return;
	fill = min <= 0.0001 ? min / 1e6 : 0.0001;
	for (i = 0; i < k; i++)
		if (s[i] == 0)
			s[i] = fill;
}

static double psi_of_shares(double *r, double *c, size_t k)
{
	long double psi = 0;
	size_t i;

	fill_zero_shares(r, k);
	fill_zero_shares(c, k);
	for (i = 0; i < k; i++)
		psi += (long double)(r[i] - c[i]) * log(r[i] / c[i]);
	return (double)psi;
}

static size_t count_distinct(const double *x, size_t n)
{
	size_t i, k = n ? 1 : 0;

	for (i = 1; i < n; i++)
		if (x[i] != x[i - 1])
			k++;
	return k;
}

/* How many of the sorted x lie in [lo, hi), or [lo, hi] when closed. */
static size_t count_in(const double *x, size_t n, double lo, double hi,
		       int closed)
{
	size_t a = 0, b, lo_i, hi_i;

	/* first index with x >= lo */
	b = n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (x[mid] < lo)
			a = mid + 1;
		else
			b = mid;
	}
	lo_i = a;
	/* first index with x > hi (closed) or x >= hi */
	b = n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (closed ? x[mid] <= hi : x[mid] < hi)
			a = mid + 1;
		else
			b = mid;
	}
	hi_i = a;
	return hi_i - lo_i;
}

int mlci_drift_psi_numeric(const double *reference, size_t n_reference,
			   const double *current, size_t n_current,
			   double threshold, struct mlci_drift_result *out)
{
	double *r, *c, *rs, *cs;
	size_t k, b;
	int ret;

	mlci_drift_result_release(out);
	ret = sorted_pair(reference, n_reference, current, n_current,
			  MLCI_DRIFT_PSI, &r, &c);
	if (ret)
		return ret;
	result_start(out, MLCI_DRIFT_PSI, threshold);
	if (count_distinct(r, n_reference) > 20) {
		/* numpy.histogram_bin_edges(both, 'sturges'), then histogram(). */
		double lo = fmin(r[0], c[0]);
		double hi = fmax(r[n_reference - 1], c[n_current - 1]);
		double width, step, *edges;

		if (lo == hi) {
			lo -= 0.5;
			hi += 0.5;
		}
		width = (fmax(r[n_reference - 1], c[n_current - 1]) -
			 fmin(r[0], c[0])) /
			(log2((double)(n_reference + n_current)) + 1.0);
		k = width != 0 ? (size_t)ceil((hi - lo) / width) : 1;
		edges = xmalloc(sizeof(*edges) * (k + 1));
		step = (hi - lo) / k;
		for (b = 0; b <= k; b++)
			edges[b] = step == 0 ? (double)b / k * (hi - lo) + lo :
					       b * step + lo;
		edges[k] = hi;
		rs = xmalloc(sizeof(*rs) * k);
		cs = xmalloc(sizeof(*cs) * k);
		for (b = 0; b < k; b++) {
			int closed = b == k - 1;

			rs[b] = (double)count_in(r, n_reference, edges[b],
						 edges[b + 1], closed) / n_reference;
			cs[b] = (double)count_in(c, n_current, edges[b],
						 edges[b + 1], closed) / n_current;
		}
		free(edges);
	} else {
		/* Each distinct value of either sample is a bin. */
		size_t i = 0, j = 0;

		rs = xmalloc(sizeof(*rs) * (n_reference + n_current));
		cs = xmalloc(sizeof(*cs) * (n_reference + n_current));
		k = 0;
		while (i < n_reference || j < n_current) {
			double v;
			size_t i0 = i, j0 = j;

			if (j >= n_current || (i < n_reference && r[i] <= c[j]))
				v = r[i];
			else
				v = c[j];
			while (i < n_reference && r[i] == v)
				i++;
			while (j < n_current && c[j] == v)
				j++;
			rs[k] = (double)(i - i0) / n_reference;
			cs[k] = (double)(j - j0) / n_current;
			k++;
		}
	}
	out->statistic = psi_of_shares(rs, cs, k);
	out->n_reference = n_reference;
	out->n_current = n_current;
	out->drifted = out->statistic >= out->threshold;
	if (n_current < 30)
		out->small_sample = "fewer than 30 current values: the distance is a noisy estimate";
	free(rs);
	free(cs);
	free(r);
	free(c);
	return 0;
}

/* ---- value counts ---- */

struct cat {
	const char *value;
	double ref, cur;
};

static int cmp_cat(const void *a, const void *b)
{
	return strcmp(((const struct cat *)a)->value,
		      ((const struct cat *)b)->value);
}

/*
 * The union of the categories of both samples in byte order, duplicates
 * merged and those counted 0 on both sides dropped. Returns the number of
 * categories (*cats is the caller's to free), or a negative error.
 */
static long union_of(const struct mlci_drift_counts *ref,
		     const struct mlci_drift_counts *cur, enum mlci_drift_test test,
		     struct cat **cats, double *nref, double *ncur)
{
	struct cat *all;
	size_t n = ref->n + cur->n, i, k = 0;

	*cats = NULL;
	*nref = *ncur = 0;
	all = xcalloc(n ? n : 1, sizeof(*all));
	for (i = 0; i < ref->n; i++) {
		if (!ref->values[i]) {
			free(all);
			return mlci_error(MLCI_EXIT_INPUT,
					  "drift test '%s': a reference value is missing",
					  test_names[test]);
		}
		all[i].value = ref->values[i];
		all[i].ref = (double)ref->counts[i];
		*nref += (double)ref->counts[i];
	}
	for (i = 0; i < cur->n; i++) {
		if (!cur->values[i]) {
			free(all);
			return mlci_error(MLCI_EXIT_INPUT,
					  "drift test '%s': a current value is missing",
					  test_names[test]);
		}
		all[ref->n + i].value = cur->values[i];
		all[ref->n + i].cur = (double)cur->counts[i];
		*ncur += (double)cur->counts[i];
	}
	if (*nref <= 0 || *ncur <= 0) {
		free(all);
		return mlci_error(MLCI_EXIT_INPUT,
				  "drift test '%s': the %s sample is empty",
				  test_names[test],
				  *nref <= 0 ? "reference" : "current");
	}
	qsort(all, n, sizeof(*all), cmp_cat);
	for (i = 0; i < n; i++) {
		if (k && !strcmp(all[k - 1].value, all[i].value)) {
			all[k - 1].ref += all[i].ref;
			all[k - 1].cur += all[i].cur;
		} else {
			all[k++] = all[i];
		}
	}
	n = k;
	for (i = k = 0; i < n; i++)
		if (all[i].ref + all[i].cur > 0)
			all[k++] = all[i];
	*cats = all;
	return (long)k;
}

/* Fill the result's sizes and the value whose share moved most. */
static void counts_finish(struct mlci_drift_result *out, const struct cat *cats,
			  long k, double nref, double ncur)
{
	long i, top = -1;
	double best = -1;

	for (i = 0; i < k; i++) {
		double shift = cats[i].cur / ncur - cats[i].ref / nref;

		if (fabs(shift) > best) {
			best = fabs(shift);
			top = i;
		}
	}
	out->n_reference = (size_t)nref;
	out->n_current = (size_t)ncur;
	if (top >= 0) {
		out->top_value = xstrdup(cats[top].value);
		out->top_shift = cats[top].cur / ncur - cats[top].ref / nref;
	}
}

int mlci_drift_chisquare(const struct mlci_drift_counts *reference,
			 const struct mlci_drift_counts *current,
			 double threshold, struct mlci_drift_result *out)
{
	struct cat *cats;
	double nref, ncur, knorm;
	long double stat = 0;
	long k, i, absent = -1;
	int small = 0;

	mlci_drift_result_release(out);
	k = union_of(reference, current, MLCI_DRIFT_CHISQUARE, &cats, &nref, &ncur);
	if (k < 0)
		return (int)k;
	result_start(out, MLCI_DRIFT_CHISQUARE, threshold);
	/* Evidently's expected counts: reference counts * (n_cur / n_ref). */
	knorm = ncur / nref;
	for (i = 0; i < k; i++) {
		double exp = cats[i].ref * knorm, d = cats[i].cur - exp;

		if (exp == 0) {
			if (absent < 0)
				absent = i;
			continue;
		}
		if (exp < 5)
			small = 1;
		stat += (long double)d * d / exp;
	}
	if (absent >= 0) {
		out->statistic = NAN;
		out->p_value = 0.0;
		out->reason = xstrfmt("value '%s' is absent from the reference: "
				      "the chi-square statistic is infinite",
				      cats[absent].value);
	} else if (k == 1) {
		out->statistic = (double)stat;
		out->p_value = 1.0;
	} else {
		out->statistic = (double)stat;
		out->p_value = mlci_distrib_chi2_sf(out->statistic, (double)(k - 1));
	}
	out->drifted = out->p_value < out->threshold;
	if (small)
		out->small_sample = "expected counts below 5: the chi-square p-value is unreliable";
	counts_finish(out, cats, k, nref, ncur);
	free(cats);
	return 0;
}

int mlci_drift_ztest(const struct mlci_drift_counts *reference,
		     const struct mlci_drift_counts *current, double threshold,
		     struct mlci_drift_result *out)
{
	struct cat *cats;
	double nref, ncur;
	long k, i, kref = 0, kcur = 0, iref = -1, icur = -1;

	mlci_drift_result_release(out);
	k = union_of(reference, current, MLCI_DRIFT_ZTEST, &cats, &nref, &ncur);
	if (k < 0)
		return (int)k;
	result_start(out, MLCI_DRIFT_ZTEST, threshold);
	for (i = 0; i < k; i++) {
		if (cats[i].ref > 0) {
			kref++;
			iref = i;
		}
		if (cats[i].cur > 0) {
			kcur++;
			icur = i;
		}
	}
	if (kref == 1 && kcur == 1 && iref == icur) {
		out->statistic = 0;
		out->p_value = 1.0;
	} else {
		/*
		 * Evidently codes the first category (in sorted order) 0 and
		 * every other 1, and compares the shares of 1.
		 */
		double n1 = nref, n2 = ncur;
		double p1 = (nref - cats[0].ref) / n1;
		double p2 = (ncur - cats[0].cur) / n2;
		double P = (p1 * n1 + p2 * n2) / (n1 + n2);
		double z = (p1 - p2) / sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2));

		out->statistic = z;
		out->p_value = 2 * mlci_distrib_norm_sf(fabs(z));
		if (n1 * P < 5 || n1 * (1 - P) < 5 || n2 * P < 5 ||
		    n2 * (1 - P) < 5)
			out->small_sample = "fewer than 5 expected values in a group: the z-test p-value is unreliable";
	}
	out->drifted = out->p_value < out->threshold;
	counts_finish(out, cats, k, nref, ncur);
	free(cats);
	return 0;
}

int mlci_drift_jensenshannon(const struct mlci_drift_counts *reference,
			     const struct mlci_drift_counts *current,
			     double threshold, struct mlci_drift_result *out)
{
	struct cat *cats;
	double nref, ncur, sp = 0, sq = 0;
	long double js = 0;
	long k, i;

	mlci_drift_result_release(out);
	k = union_of(reference, current, MLCI_DRIFT_JENSENSHANNON, &cats, &nref,
		     &ncur);
	if (k < 0)
		return (int)k;
	result_start(out, MLCI_DRIFT_JENSENSHANNON, threshold);
	/* Shares as Evidently passes them, normalized again as scipy does. */
	for (i = 0; i < k; i++) {
		sp += cats[i].ref / nref;
		sq += cats[i].cur / ncur;
	}
	for (i = 0; i < k; i++) {
		double p = cats[i].ref / nref / sp, q = cats[i].cur / ncur / sq;
		double m = (p + q) / 2.0;

		if (p > 0)
			js += p * log(p / m);
		if (q > 0)
			js += q * log(q / m);
	}
	/* Rounding can leave a sum of -1e-17 for equal shares. */
	if (js < 0)
		js = 0;
	out->statistic = sqrt((double)js / 2.0);
	out->drifted = out->statistic >= out->threshold;
	if (ncur < 30)
		out->small_sample = "fewer than 30 current values: the distance is a noisy estimate";
	counts_finish(out, cats, k, nref, ncur);
	free(cats);
	return 0;
}

int mlci_drift_psi_counts(const struct mlci_drift_counts *reference,
			  const struct mlci_drift_counts *current,
			  double threshold, struct mlci_drift_result *out)
{
	struct cat *cats;
	double nref, ncur, *rs, *cs;
	long k, i;

	mlci_drift_result_release(out);
	k = union_of(reference, current, MLCI_DRIFT_PSI, &cats, &nref, &ncur);
	if (k < 0)
		return (int)k;
	result_start(out, MLCI_DRIFT_PSI, threshold);
	rs = xmalloc(sizeof(*rs) * k);
	cs = xmalloc(sizeof(*cs) * k);
	for (i = 0; i < k; i++) {
		rs[i] = cats[i].ref / nref;
		cs[i] = cats[i].cur / ncur;
	}
	out->statistic = psi_of_shares(rs, cs, (size_t)k);
	out->drifted = out->statistic >= out->threshold;
	if (ncur < 30)
		out->small_sample = "fewer than 30 current values: the distance is a noisy estimate";
	counts_finish(out, cats, k, nref, ncur);
	free(rs);
	free(cs);
	free(cats);
	return 0;
}

int mlci_drift_run_numeric(enum mlci_drift_test test, const double *reference,
			   size_t n_reference, const double *current,
			   size_t n_current, double threshold,
			   struct mlci_drift_result *out)
{
	switch (test) {
	case MLCI_DRIFT_KS:
		return mlci_drift_ks(reference, n_reference, current, n_current,
				     threshold, out);
	case MLCI_DRIFT_WASSERSTEIN:
		return mlci_drift_wasserstein(reference, n_reference, current,
					      n_current, threshold, out);
	case MLCI_DRIFT_PSI:
		return mlci_drift_psi_numeric(reference, n_reference, current,
					      n_current, threshold, out);
	default:
		return mlci_error(MLCI_EXIT_BUG,
				  "drift test '%s' does not take numeric samples",
				  mlci_drift_test_name(test));
	}
}

int mlci_drift_run_counts(enum mlci_drift_test test,
			  const struct mlci_drift_counts *reference,
			  const struct mlci_drift_counts *current,
			  double threshold, struct mlci_drift_result *out)
{
	switch (test) {
	case MLCI_DRIFT_CHISQUARE:
		return mlci_drift_chisquare(reference, current, threshold, out);
	case MLCI_DRIFT_ZTEST:
		return mlci_drift_ztest(reference, current, threshold, out);
	case MLCI_DRIFT_JENSENSHANNON:
		return mlci_drift_jensenshannon(reference, current, threshold, out);
	case MLCI_DRIFT_PSI:
		return mlci_drift_psi_counts(reference, current, threshold, out);
	default:
		return mlci_error(MLCI_EXIT_BUG,
				  "drift test '%s' does not take value counts",
				  mlci_drift_test_name(test));
	}
}
