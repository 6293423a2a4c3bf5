/* SPDX-License-Identifier: MIT */
/* Paired tests of a candidate model against a baseline on the same rows: McNemar, DeLong, the paired bootstrap. */
#include "pairtest.h"
#include "distrib.h"
#include "random.h"
#include "ranktest.h"
#include "usage.h"
#include "wrapper.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int bad_alpha(double alpha)
{
	return !(alpha > 0 && alpha < 1);
}

void mlci_pairtest_table(const unsigned char *cand_ok,
			 const unsigned char *base_ok, size_t n,
			 struct mlci_pairtest_table *t)
{
	uint64_t count[4] = { 0, 0, 0, 0 };
	size_t r;

	for (r = 0; r < n; r++)
		count[2 * !cand_ok[r] + !base_ok[r]]++;
	t->both = count[0];
	t->cand_only = count[1];
	t->base_only = count[2];
	t->neither = count[3];
}

void mlci_pairtest_table_labels(const int *y_true, const int *cand_pred,
				const int *base_pred, size_t n,
				struct mlci_pairtest_table *t)
{
	uint64_t count[4] = { 0, 0, 0, 0 };
	size_t r;

	for (r = 0; r < n; r++)
		count[2 * (cand_pred[r] != y_true[r]) +
		      (base_pred[r] != y_true[r])]++;
	t->both = count[0];
	t->cand_only = count[1];
	t->base_only = count[2];
	t->neither = count[3];
}

/*
 * 2 P(X <= k), X ~ Binomial(m, 1/2), capped at 1, as statsmodels'
 * binom.cdf(k, m, 0.5) * 2. P(X <= k) = I_{1/2}(m - k, k + 1) for k < m.
 */
static double binom_two_sided(uint64_t k, uint64_t m)
{
	double p;

	if (k >= m)
		return 1;
	p = 2 * mlci_ranktest_beta_inc((double)(m - k), (double)k + 1, 0.5,
				       0.5);
	return p < 1 ? p : 1;
}

int mlci_pairtest_mcnemar(const struct mlci_pairtest_table *t,
			  enum mlci_pairtest_method method, double alpha,
			  struct mlci_pairtest_mcnemar *out)
{
	uint64_t b = t->cand_only, c = t->base_only, m;
	double half, v;

	memset(out, 0, sizeof(*out));
	if (method != MLCI_PAIRTEST_AUTO && method != MLCI_PAIRTEST_EXACT &&
	    method != MLCI_PAIRTEST_CHI2)
		return mlci_error(MLCI_EXIT_INPUT, "mcnemar: unknown method %d",
				  (int)method);
	if (bad_alpha(alpha))
		return mlci_error(MLCI_EXIT_INPUT,
				  "mcnemar: alpha %g is not between 0 and 1",
				  alpha);
	out->n = t->both + b + c + t->neither;
	out->b = b;
	out->c = c;
	m = b + c;
	if (method == MLCI_PAIRTEST_AUTO)
		method = m < MLCI_PAIRTEST_EXACT_BELOW ? MLCI_PAIRTEST_EXACT :
			 MLCI_PAIRTEST_CHI2;
	out->exact = method == MLCI_PAIRTEST_EXACT;
	if (!m) {
		out->statistic = 0;
		out->p_value = 1;
	} else if (out->exact) {
		out->statistic = (double)(b < c ? b : c);
		out->p_value = binom_two_sided(b < c ? b : c, m);
	} else {
		/* |b - c| in integers: as doubles it would round above 2^53. */
		double d = (double)(b > c ? b - c : c - b) - 1;

		out->statistic = d * d / (double)m;
		out->p_value = mlci_distrib_chi2_sf(out->statistic, 1);
	}

	if (!out->n) {
		out->diff = out->lower = out->upper = NAN;
		return 0;
	}
	out->diff = ((double)b - (double)c) / (double)out->n;
	v = ((double)m / (double)out->n - out->diff * out->diff) /
	    (double)out->n;
	half = mlci_ranktest_norm_ppf(1 - alpha / 2) * sqrt(v > 0 ? v : 0);
	out->lower = fmax(out->diff - half, -1);
	out->upper = fmin(out->diff + half, 1);
	return 0;
}

/* A score and its row, sorted by the score's bits turned into an order. */
struct keyed {
	uint64_t key;
	size_t row;
};

/* An unsigned key ordered as the double x (not NaN); -0 and +0 alike. */
static uint64_t order_key(double x)
{
	uint64_t u;

	if (x == 0)
		x = 0;
	memcpy(&u, &x, sizeof(u));
	return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES ((64 + RADIX_BITS - 1) / RADIX_BITS)

/*
 * LSD radix sort of a[0..n) by key, tmp the same size; returns the array
 * that holds the result (a or tmp). Passes in which every key has the same
 * digit are skipped: scores in [0, 1] share their top bits.
 */
static struct keyed *radix_sort(struct keyed *a, struct keyed *tmp, size_t n)
{
	size_t *count = xcalloc((size_t)RADIX_PASSES * RADIX_SIZE,
				sizeof(*count));
	size_t i, p;

	for (i = 0; i < n; i++)
		for (p = 0; p < RADIX_PASSES; p++)
			count[p * RADIX_SIZE +
			      ((a[i].key >> (p * RADIX_BITS)) & (RADIX_SIZE - 1))]++;
	for (p = 0; p < RADIX_PASSES; p++) {
		size_t *c = count + p * RADIX_SIZE, sum = 0, d, t;
		struct keyed *swap;

		if (c[(a[0].key >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)] == n)
			continue;
		for (d = 0; d < RADIX_SIZE; d++) {
			t = c[d];
			c[d] = sum;
			sum += t;
		}
		for (i = 0; i < n; i++)
			tmp[c[(a[i].key >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++] =
				a[i];
		swap = a;
		a = tmp;
		tmp = swap;
	}
	free(count);
	return a;
}

/*
 * Twice the structural component of every row for one model, in v[row]:
 * for a positive, 2 (negatives below) + (negatives tied); for a negative,
 * 2 (positives above) + (positives tied). Integers, so exact.
 */
static void components(const unsigned char *pos, size_t n_pos,
		       const double *score, size_t stride, size_t n,
		       struct keyed *a, struct keyed *tmp, uint64_t *v)
{
	struct keyed *s;
	uint64_t neg_below = 0, pos_below = 0;
	size_t i, j, r;

	for (r = 0; r < n; r++) {
		a[r].key = order_key(score[r * stride]);
		a[r].row = r;
	}
	s = radix_sort(a, tmp, n);
	for (i = 0; i < n; i = j) {
		uint64_t gp = 0, gn = 0;

		for (j = i; j < n && s[j].key == s[i].key; j++) {
			if (pos[s[j].row])
				gp++;
			else
				gn++;
		}
		for (r = i; r < j; r++) {
			if (pos[s[r].row])
				v[s[r].row] = 2 * neg_below + gn;
			else
				v[s[r].row] = 2 * (n_pos - pos_below - gp) + gp;
		}
		neg_below += gn;
		pos_below += gp;
	}
}

/*
 * The 2x2 covariance (divisor m - 1) of the components of the m rows where
 * pos[r] == want, in units of v: the caller divides by the square of the
 * component's denominator. mean[k] is sum[k] / m.
 */
static void covariance(const unsigned char *pos, unsigned char want,
		       const uint64_t *v0, const uint64_t *v1, size_t n,
		       size_t m, const uint64_t sum[2], long double cov[3])
{
	long double mean0 = (long double)sum[0] / m;
	long double mean1 = (long double)sum[1] / m;
	long double s00 = 0, s11 = 0, s01 = 0;
	size_t r;

	for (r = 0; r < n; r++) {
		long double d0, d1;

		if (pos[r] != want)
			continue;
		d0 = v0[r] - mean0;
		d1 = v1[r] - mean1;
		s00 += d0 * d0;
		s11 += d1 * d1;
		s01 += d0 * d1;
	}
	cov[0] = s00 / (m - 1);
	cov[1] = s11 / (m - 1);
	cov[2] = s01 / (m - 1);
}

int mlci_pairtest_delong(const int *y_true, int positive, const double *cand,
			 const double *base, size_t stride, size_t n,
			 double alpha, struct mlci_pairtest_delong *out)
{
	unsigned char *pos;
	struct keyed *a, *tmp;
	uint64_t *v[2], sum_pos[2] = { 0, 0 }, sum_neg[2] = { 0, 0 };
	long double c10[3], c01[3], np_, nn_, pairs2, var[3], vd;
	size_t r, n_pos = 0;
	int k;

	memset(out, 0, sizeof(*out));
	if (!stride)
		return mlci_error(MLCI_EXIT_INPUT, "delong: stride 0");
	if (bad_alpha(alpha))
		return mlci_error(MLCI_EXIT_INPUT,
				  "delong: alpha %g is not between 0 and 1",
				  alpha);
	for (r = 0; r < n; r++) {
		if (isnan(cand[r * stride]) || isnan(base[r * stride]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "delong: the score of row %zu is NaN",
					  r);
		n_pos += y_true[r] == positive;
	}
	out->n_pos = n_pos;
	out->n_neg = n - n_pos;
	if (n_pos < 2 || n - n_pos < 2)
		return mlci_error(MLCI_EXIT_INPUT,
				  "delong: needs two positive and two negative rows, has %zu and %zu",
				  n_pos, n - n_pos);

	pos = xmalloc(n);
	for (r = 0; r < n; r++)
		pos[r] = y_true[r] == positive;
	a = xmalloc(n * sizeof(*a));
	tmp = xmalloc(n * sizeof(*tmp));
	v[0] = xmalloc(n * sizeof(*v[0]));
	v[1] = xmalloc(n * sizeof(*v[1]));
	components(pos, n_pos, cand, stride, n, a, tmp, v[0]);
	components(pos, n_pos, base, stride, n, a, tmp, v[1]);
	free(a);
	free(tmp);

	for (k = 0; k < 2; k++)
		for (r = 0; r < n; r++) {
			if (pos[r])
				sum_pos[k] += v[k][r];
			else
				sum_neg[k] += v[k][r];
		}
	np_ = n_pos;
	nn_ = n - n_pos;
	pairs2 = 2 * np_ * nn_;
	out->auc_cand = (double)(sum_pos[0] / pairs2);
	out->auc_base = (double)(sum_pos[1] / pairs2);
	out->diff = (double)(((long double)sum_pos[0] - (long double)sum_pos[1]) /
			     pairs2);

	/* V10 = v / (2 n_neg) over positives, V01 = v / (2 n_pos) over negatives. */
	covariance(pos, 1, v[0], v[1], n, n_pos, sum_pos, c10);
	covariance(pos, 0, v[0], v[1], n, n - n_pos, sum_neg, c01);
	for (k = 0; k < 3; k++)
		var[k] = c10[k] / (4 * nn_ * nn_ * np_) +
			 c01[k] / (4 * np_ * np_ * nn_);
	out->var_cand = (double)var[0];
	out->var_base = (double)var[1];
	out->cov = (double)var[2];
	vd = var[0] + var[1] - 2 * var[2];
	out->var_diff = vd > 0 ? (double)vd : 0;
	free(pos);
	free(v[0]);
	free(v[1]);

	if (out->var_diff > 0) {
		double se = sqrt(out->var_diff);
		double half = mlci_ranktest_norm_ppf(1 - alpha / 2) * se;

		out->z = out->diff / se;
		out->p_value = 2 * mlci_distrib_norm_sf(fabs(out->z));
		if (out->p_value > 1)
			out->p_value = 1;
		out->lower = out->diff - half;
		out->upper = out->diff + half;
	} else {
		out->z = out->diff == 0 ? 0 : copysign(INFINITY, out->diff);
		out->p_value = out->diff == 0 ? 1 : 0;
		out->lower = out->upper = out->diff;
	}
	return 0;
}

void mlci_pairtest_boot_opts_init(struct mlci_pairtest_boot_opts *opts)
{
	opts->resamples = 2000;
	opts->alpha = 0.05;
	opts->seed = 0;
	opts->keep = 0;
}

void mlci_pairtest_boot_init(struct mlci_pairtest_boot *r)
{
	memset(r, 0, sizeof(*r));
	r->cand = r->base = r->diff = r->lower = r->upper = NAN;
}

void mlci_pairtest_boot_release(struct mlci_pairtest_boot *r)
{
	free(r->diffs);
	mlci_pairtest_boot_init(r);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double mlci_pairtest_percentile(double *v, size_t nv, double q)
{
	double vi, lo, gamma, a, b, d;
	size_t i;

	if (!nv || isnan(q))
		return NAN;
	qsort(v, nv, sizeof(*v), cmp_double);
	/* numpy's steps: (n - 1) q, floor, and its two-sided lerp. */
	vi = (double)(nv - 1) * q;
	if (vi >= (double)(nv - 1))
		return v[nv - 1];
	if (vi < 0)
		return v[0];
	lo = floor(vi);
	gamma = vi - lo;
	i = (size_t)lo;
	a = v[i];
	b = v[i + 1];
	d = b - a;
	return gamma >= 0.5 ? b - d * (1 - gamma) : a + d * gamma;
}

int mlci_pairtest_accuracy_fn(void *ctx, const struct mlci_metrics_rows *rows,
			      double *cand, double *base)
{
	const struct mlci_pairtest_correct *c = ctx;
	uint64_t nc = 0, nb = 0;
	size_t j;

	for (j = 0; j < rows->nidx; j++) {
		size_t r = rows->idx[j];

		nc += c->cand_ok[r] != 0;
		nb += c->base_ok[r] != 0;
	}
	*cand = rows->nidx ? (double)nc / (double)rows->nidx : NAN;
	*base = rows->nidx ? (double)nb / (double)rows->nidx : NAN;
	return 0;
}

/*
 * n row indices uniform in [0, n), without bias: for n <= 2^32 Lemire's
 * multiply-and-reject method (ACM TOMACS 29, 2019) on each 32-bit half of
 * a 64-bit output, low half first, four times faster than a division per
 * draw; mlci_rng_below() for larger n.
 */
static void draw_rows(struct mlci_rng *rng, size_t *idx, size_t n)
{
	uint64_t bound = n, x = 0, m;
	uint32_t threshold, low;
	size_t j;
	int halves = 0;

	if (bound > UINT64_C(0x100000000)) {
		for (j = 0; j < n; j++)
			idx[j] = (size_t)mlci_rng_below(rng, n);
		return;
	}
	threshold = (uint32_t)((UINT64_C(0x100000000) - bound) % bound);
	for (j = 0; j < n; j++) {
		do {
			if (!halves) {
				x = mlci_rng_next(rng);
				halves = 2;
			}
			m = (x & 0xffffffffu) * bound;
			x >>= 32;
			halves--;
			low = (uint32_t)m;
		} while (low < threshold);
		idx[j] = (size_t)(m >> 32);
	}
}

int mlci_pairtest_bootstrap(size_t n, mlci_pairtest_metric_fn fn, void *ctx,
			    const struct mlci_pairtest_boot_opts *opts,
			    struct mlci_pairtest_boot *r)
{
	struct mlci_pairtest_boot_opts def;
	struct mlci_metrics_rows rows;
	struct mlci_rng rng;
	size_t *idx, b;
	double *diffs, lo, hi;
	int ret;

	mlci_pairtest_boot_release(r);
	r->n = n;
	if (!opts) {
		mlci_pairtest_boot_opts_init(&def);
		opts = &def;
	}
	if (!n)
		return mlci_error(MLCI_EXIT_INPUT, "bootstrap: no rows");
	if (!opts->resamples)
		return mlci_error(MLCI_EXIT_INPUT, "bootstrap: no resamples");
	if (bad_alpha(opts->alpha))
		return mlci_error(MLCI_EXIT_INPUT,
				  "bootstrap: alpha %g is not between 0 and 1",
				  opts->alpha);

	idx = xmalloc(n * sizeof(*idx));
	for (b = 0; b < n; b++)
		idx[b] = b;
	rows.idx = idx;
	rows.nidx = n;
	rows.weight = NULL;
	ret = fn(ctx, &rows, &r->cand, &r->base);
	if (ret < 0) {
		free(idx);
		mlci_pairtest_boot_release(r);
		r->n = n;
		return ret;
	}
	r->diff = r->cand - r->base;

	diffs = xmalloc(opts->resamples * sizeof(*diffs));
	mlci_rng_seed(&rng, opts->seed);
	for (b = 0; b < opts->resamples; b++) {
		double c, s;

		draw_rows(&rng, idx, n);
		ret = fn(ctx, &rows, &c, &s);
		if (ret < 0)
			break;
		r->resamples++;
		if (isnan(c - s))
			r->undefined++;
		else
			diffs[r->ndiffs++] = c - s;
	}
	free(idx);
	if (ret < 0) {
		free(diffs);
		mlci_pairtest_boot_release(r);
		r->n = n;
		return ret;
	}

	if (opts->keep) {
		r->diffs = xmalloc((r->ndiffs ? r->ndiffs : 1) * sizeof(*diffs));
		if (r->ndiffs)
			memcpy(r->diffs, diffs, r->ndiffs * sizeof(*diffs));
	}
	/* q as numpy.percentile turns 100 q back into q. */
	lo = 100 * (opts->alpha / 2) / 100;
	hi = 100 * (1 - opts->alpha / 2) / 100;
	r->lower = mlci_pairtest_percentile(diffs, r->ndiffs, lo);
	r->upper = mlci_pairtest_percentile(diffs, r->ndiffs, hi);
	free(diffs);
	return 0;
}

int mlci_pairtest_verdict(enum mlci_pairtest_rule rule, double diff,
			  double lower, double upper, double p_value,
			  double alpha, double margin)
{
	if (!(margin >= 0))
		return 0;
	switch (rule) {
	case MLCI_PAIRTEST_NOT_WORSE:
		if (isnan(p_value))
			return !isnan(upper) && upper >= 0;
		if (isnan(diff))
			return 0;
		return !(diff < 0 && p_value < alpha);
	case MLCI_PAIRTEST_MARGIN:
		return !isnan(upper) && upper >= -margin;
	case MLCI_PAIRTEST_NONINFERIOR:
		return !isnan(lower) && lower > -margin;
	}
	return 0;
}

uint64_t mlci_pairtest_mcnemar_rows_needed(const struct mlci_pairtest_table *t,
					   double margin, double alpha,
					   double power)
{
	uint64_t n = t->both + t->cand_only + t->base_only + t->neither;
	double pd, za, zb, root, need;

	if (!(margin > 0 && margin < 1) || bad_alpha(alpha) ||
	    !(power > 0 && power < 1))
		return 0;
	pd = n ? (double)(t->cand_only + t->base_only) / (double)n : 0;
	if (pd < margin)
		pd = margin;
	za = mlci_ranktest_norm_ppf(1 - alpha / 2);
	zb = mlci_ranktest_norm_ppf(power);
	root = za * sqrt(pd) + zb * sqrt(pd - margin * margin);
	need = ceil(root * root / (margin * margin));
	return need < 1 ? 1 : (uint64_t)need;
}

uint64_t mlci_pairtest_rows_needed(size_t n, double lower, double upper,
				   double margin)
{
	double ratio, need;

	if (!(margin > 0) || isnan(lower) || isnan(upper) || upper < lower ||
	    !n)
		return 0;
	ratio = (upper - lower) / (2 * margin);
	need = ceil((double)n * ratio * ratio);
	return need < 1 ? 1 : (uint64_t)need;
}
