/* SPDX-License-Identifier: MIT */
/* Mann-Whitney U, Hodges-Lehmann intervals, Kayenta's classes, rate and variance tests for ml-canary. */
#include "ranktest.h"
#include "distrib.h"
#include "usage.h"
#include "wrapper.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The largest exact computation accepted: steps of the count recurrence. */
#define EXACT_MAX_STEPS 2e8
/* log(LDBL_MAX) is about 11356: keep the counts well inside long double. */
#define EXACT_MAX_LOG_COUNT 11000.0
/* R's wilcox.test defaults: tol.root and uniroot's maxiter. */
#define R_TOL_ROOT 1e-4
#define R_MAXIT 1000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = xmalloc(sizeof(*s) * n);

	memcpy(s, v, sizeof(*s) * n);
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

static int check_sample(const double *v, size_t n, int finite,
			const char *what)
{
	size_t i;

	if (!n)
		return mlci_error(MLCI_EXIT_INPUT, "%s sample is empty", what);
	for (i = 0; i < n; i++) {
		if (isnan(v[i]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s sample has a NaN", what);
		if (finite && isinf(v[i]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s sample has an infinite value",
					  what);
	}
	return 0;
}

/*
 * Midranks of the pooled sample (xs[i] - d, ys[j]), xs and ys sorted
 * ascending: returns the rank sum of the first group and sets *ties to
 * sum(t^3 - t) over the groups of equal values. xs[i] - d keeps the order of
 * xs because rounding is monotone, so one merge ranks both.
 */
static double rank_sum(const double *xs, size_t nx, double d,
		       const double *ys, size_t ny, double *ties)
{
	size_t i = 0, j = 0;
	double pos = 0, rsum = 0, tsum = 0;

	while (i < nx || j < ny) {
		double v, cx = 0, cy = 0, t;

		if (j >= ny || (i < nx && xs[i] - d <= ys[j]))
			v = xs[i] - d;
		else
			v = ys[j];
		while (i < nx && xs[i] - d == v) {
			i++;
			cx++;
		}
		while (j < ny && ys[j] == v) {
			j++;
			cy++;
		}
		t = cx + cy;
		rsum += cx * (pos + (t + 1) / 2);
		tsum += t * t * t - t;
		pos += t;
	}
	*ties = tsum;
	return rsum;
}

static int has_tie(const double *xs, size_t nx, const double *ys, size_t ny)
{
	double ties;

	rank_sum(xs, nx, 0, ys, ny, &ties);
	return ties > 0;
}

/* log(binomial(a + b, a)). */
static double log_choose(double a, double b)
{
	return lgamma(a + b + 1) - lgamma(a + 1) - lgamma(b + 1);
}

static int exact_feasible(size_t nx, size_t ny, double kmax)
{
	double a = (double)(nx < ny ? nx : ny);

	return a * (kmax + 1) <= EXACT_MAX_STEPS &&
	       log_choose((double)nx, (double)ny) <= EXACT_MAX_LOG_COUNT;
}

/*
 * c[k], k = 0..kmax: how many of the binomial(nx + ny, nx) arrangements of
 * the two samples give U = k, with *total that binomial. These are the
 * coefficients of the Gaussian binomial [a + b, a]_q, a = min(nx, ny), built
 * as prod_{j=1..a} (1 - q^(b+j)) / (1 - q^j): a multiplication then a
 * running sum per factor. Below k = b + 1 only sums occur, so the far
 * tails that small p-values come from carry no cancellation.
 */
static long double *wilcox_counts(size_t nx, size_t ny, size_t kmax,
				  long double *total)
{
	size_t a = nx < ny ? nx : ny, b = nx < ny ? ny : nx, j, k;
	long double *c = xcalloc(kmax + 1, sizeof(*c)), t = 1;

	c[0] = 1;
	for (j = 1; j <= a; j++) {
		size_t drop = b + j;

		if (drop <= kmax)
			for (k = kmax; k >= drop; k--)
				c[k] -= c[k - drop];
		for (k = j; k <= kmax; k++)
			c[k] += c[k - j];
		t = t * (long double)(b + j) / (long double)j;
	}
	*total = t;
	return c;
}

int mlci_ranktest_mwu(const double *x, size_t nx, const double *y, size_t ny,
		      enum mlci_ranktest_method method,
		      struct mlci_ranktest_mwu *out)
{
	double *xs, *ys, ties, u1, u2, u, mn, n, p;
	int ret, exact;

	memset(out, 0, sizeof(*out));
	if ((ret = check_sample(x, nx, 0, "first")) < 0 ||
	    (ret = check_sample(y, ny, 0, "second")) < 0)
		return ret;
	xs = sorted_copy(x, nx);
	ys = sorted_copy(y, ny);
	mn = (double)nx * (double)ny;
	n = (double)nx + (double)ny;
	u1 = rank_sum(xs, nx, 0, ys, ny, &ties) - (double)nx * (nx + 1.0) / 2;
	u2 = mn - u1;
	u = u1 > u2 ? u1 : u2;

	if (method == MLCI_RANKTEST_AUTO)
		exact = (nx <= 8 || ny <= 8) && ties == 0;
	else
		exact = method == MLCI_RANKTEST_EXACT;
	/* scipy's exact path truncates U; a tie can leave a half. */
	if (exact && !exact_feasible(nx, ny, mn - floor(u)))
		exact = 0;

	if (exact) {
		size_t kmax = (size_t)(mn - floor(u)), k;
		long double total, *c = wilcox_counts(nx, ny, kmax, &total);
		long double sf = 0;

		for (k = 0; k <= kmax; k++)
			sf += c[k] / total;
		free(c);
		p = 2 * (double)sf;
		out->z = NAN;
	} else {
		double s = sqrt(mn / 12 * ((n + 1) - ties / (n * (n - 1))));

		/* All values tied: s = 0 and z = -inf, as numpy gives. */
		out->z = s > 0 ? (u - mn / 2 - 0.5) / s : -INFINITY;
		p = 2 * mlci_distrib_norm_sf(out->z);
	}
	out->statistic = u1;
	out->p_value = p > 1 ? 1 : p < 0 ? 0 : p;
	out->exact = exact;
	free(xs);
	free(ys);
	return 0;
}

/* The standard normal quantile: Wichura's AS 241 (PPND16), as R's qnorm. */
double mlci_ranktest_norm_ppf(double p)
{
	double q = p - 0.5, r, val;

	if (isnan(p) || p < 0 || p > 1)
		return NAN;
	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	if (fabs(q) <= 0.425) {
		r = 0.180625 - q * q;
		return q * (((((((r * 2509.0809287301226727 +
			33430.575583588128105) * r + 67265.770927008700853) * r +
			45921.953931549871457) * r + 13731.693765509461125) * r +
			1971.5909503065514427) * r + 133.14166789178437745) * r +
			3.387132872796366608) /
			(((((((r * 5226.495278852854561 +
			28729.085735721942674) * r + 39307.89580009271061) * r +
			21213.794301586595867) * r + 5394.1960214247511077) * r +
			687.1870074920579083) * r + 42.313330701600911252) * r + 1);
	}
	r = sqrt(-log(q < 0 ? p : 1 - p));
	if (r <= 5) {
		r -= 1.6;
		val = (((((((r * 7.7454501427834140764e-4 +
			0.0227238449892691845833) * r + 0.24178072517745061177) *
			r + 1.27045825245236838258) * r +
			3.64784832476320460504) * r + 5.7694972214606914055) * r +
			4.6303378461565452959) * r + 1.42343711074968357734) /
			(((((((r * 1.05075007164441684324e-9 +
			5.475938084995344946e-4) * r + 0.0151986665636164571966) *
			r + 0.14810397642748007459) * r + 0.68976733498510000455) *
			r + 1.6763848301838038494) * r + 2.05319162663775882187) *
			r + 1);
	} else {
		r -= 5;
		val = (((((((r * 2.01033439929228813265e-7 +
			2.71155556874348757815e-5) * r +
			0.0012426609473880784386) * r + 0.026532189526576123093) *
			r + 0.29656057182850489123) * r + 1.7848265399172913358) *
			r + 5.4637849111641143699) * r + 6.6579046435011037772) /
			(((((((r * 2.04426310338993978564e-15 +
			1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) *
			r + 7.868691311456132591e-4) * r + 0.0148753612908506148525)
			* r + 0.13692988092273580531) * r +
			0.59983220655588793769) * r + 1);
	}
	return q < 0 ? -val : val;
}

/* Order-preserving map of doubles to unsigned integers, and back. */
static uint64_t dkey(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double dval(uint64_t k)
{
	uint64_t u = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/* #{(i, j) : xs[i] - ys[j] <= t}, both sorted: one pass, as the
 * differences fall in i's order for each j and rise with j. */
static uint64_t count_le(const double *xs, size_t nx, const double *ys,
			 size_t ny, double t)
{
	uint64_t cnt = 0;
	size_t i = 0, j;

	for (j = 0; j < ny; j++) {
		while (i < nx && xs[i] - ys[j] <= t)
			i++;
		cnt += i;
	}
	return cnt;
}

/*
 * The k-th smallest (1-based) of the differences xs[i] - ys[j], as computed
 * in doubles: the smallest double t with count_le(t) >= k, found by
 * bisection over the ordered doubles (64 steps of O(nx + ny)).
 */
static double kth_difference(const double *xs, size_t nx, const double *ys,
			     size_t ny, uint64_t k)
{
	uint64_t lo = dkey(xs[0] - ys[ny - 1]), hi = dkey(xs[nx - 1] - ys[0]);

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (count_le(xs, nx, ys, ny, dval(mid)) >= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	return dval(lo) + 0.0;
}

static double median_difference(const double *xs, size_t nx,
				const double *ys, size_t ny)
{
	uint64_t n = (uint64_t)nx * ny;
	long double a, b;

	if (n % 2)
		return kth_difference(xs, nx, ys, ny, n / 2 + 1);
	a = kth_difference(xs, nx, ys, ny, n / 2);
	b = kth_difference(xs, nx, ys, ny, n / 2 + 1);
	return (double)((a + b) / 2);
}

struct wctx {
	const double *xs, *ys;
	size_t nx, ny;
	double zq;
	int correct;	/* R drops the continuity correction for the estimate */
};

/*
 * R's W(d) - zq of wilcox.test's asymptotic interval: the rank-sum
 * statistic of (x - d, y), centred, continuity-corrected towards zero and
 * standardized with the tie correction, in R's order of operations.
 */
static double r_wdiff(double d, const struct wctx *c)
{
	double nx = (double)c->nx, ny = (double)c->ny, ties, dz, corr, sigma;

	dz = rank_sum(c->xs, c->nx, d, c->ys, c->ny, &ties) -
	     nx * (nx + 1) / 2 - nx * ny / 2;
	corr = !c->correct ? 0 : dz > 0 ? 0.5 : dz < 0 ? -0.5 : 0;
	sigma = sqrt((nx * ny / 12) *
		     ((nx + ny + 1) - ties / ((nx + ny) * (nx + ny - 1))));
	return (dz - corr) / sigma - c->zq;
}

/*
 * R's R_zeroin2 (Brent's zeroin as in netlib, by way of R's uniroot): the
 * same steps on the same function give the same root, which matters here
 * because W is a step function and any point of its last step would do.
 */
static double r_zeroin(double ax, double bx, double fa, double fb,
		       const struct wctx *ctx, double tol, int maxit)
{
	double a = ax, b = bx, c = a, fc = fa;

	if (fa == 0)
		return a;
	if (fb == 0)
		return b;
	maxit++;
	while (maxit--) {
		double prev_step = b - a, tol_act, p, q, new_step;

		if (fabs(fc) < fabs(fb)) {
			a = b;
			b = c;
			c = a;
			fa = fb;
			fb = fc;
			fc = fa;
		}
		tol_act = 2 * DBL_EPSILON * fabs(b) + tol / 2;
		new_step = (c - b) / 2;
		if (fabs(new_step) <= tol_act || fb == 0)
			return b;
		if (fabs(prev_step) >= tol_act && fabs(fa) > fabs(fb)) {
			double t1, cb = c - b, t2;

			if (a == c) {
				t1 = fb / fa;
				p = cb * t1;
				q = 1.0 - t1;
			} else {
				q = fa / fc;
				t1 = fb / fc;
				t2 = fb / fa;
				p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0));
				q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0);
			}
			if (p > 0)
				q = -q;
			else
				p = -p;
			if (p < (0.75 * cb * q - fabs(tol_act * q) / 2) &&
			    p < fabs(prev_step * q / 2))
				new_step = p / q;
		}
		if (fabs(new_step) < tol_act)
			new_step = new_step > 0 ? tol_act : -tol_act;
		a = b;
		fa = fb;
		b += new_step;
		fb = r_wdiff(b, ctx);
		if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
			c = a;
			fc = fa;
		}
	}
	return b;
}

/* One end of R's asymptotic interval: root(zq) inside wilcox.test. */
static double r_root(struct wctx *ctx, double mumin, double mumax, double zq)
{
	double flo, fhi;

	ctx->zq = zq;
	flo = r_wdiff(mumin, ctx);
	if (isnan(flo))
		return NAN;
	if (flo <= 0)
		return mumin;
	fhi = r_wdiff(mumax, ctx);
	if (isnan(fhi))
		return NAN;
	if (fhi >= 0)
		return mumax;
	return r_zeroin(mumin, mumax, flo, fhi, ctx, R_TOL_ROOT, R_MAXIT);
}

static void hl_asymptotic(const double *xs, size_t nx, const double *ys,
			  size_t ny, double alpha, struct mlci_ranktest_hl *out)
{
	struct wctx ctx = { xs, ys, nx, ny, 0, 1 };
	double mumin = xs[0] - ys[ny - 1], mumax = xs[nx - 1] - ys[0];
	double zq = mlci_ranktest_norm_ppf(alpha / 2), flo, fhi;

	out->lower = r_root(&ctx, mumin, mumax, -zq);
	out->upper = r_root(&ctx, mumin, mumax, zq);
	out->estimate = NAN;
	/* R sets correct <- FALSE before this root; uniroot() itself stops
	 * on an empty range or a NaN at an end. */
	ctx.zq = 0;
	ctx.correct = 0;
	flo = r_wdiff(mumin, &ctx);
	fhi = r_wdiff(mumax, &ctx);
	if (mumin < mumax && !isnan(flo) && !isnan(fhi) &&
	    !(flo > 0 && fhi > 0) && !(flo < 0 && fhi < 0))
		out->estimate = r_zeroin(mumin, mumax, flo, fhi, &ctx,
					 R_TOL_ROOT, R_MAXIT);
	if (isnan(out->lower) || isnan(out->upper))
		out->lower = out->upper = out->estimate = NAN;
}

static void hl_exact(const double *xs, size_t nx, const double *ys, size_t ny,
		     double alpha, struct mlci_ranktest_hl *out)
{
	uint64_t mn = (uint64_t)nx * ny, qu = 0, k;
	long double total, *c = wilcox_counts(nx, ny, (size_t)mn, &total);
	double x = alpha / 2, p = 0, achieved = 0;

	/* qwilcox(alpha/2, nx, ny) with R's fuzz; alpha / 2 <= 0.5 here. */
	if (x > 0) {
		x -= 10 * DBL_EPSILON;
		for (;;) {
			p += (double)(c[qu] / total);
			if (p >= x || qu == mn)
				break;
			qu++;
		}
	}
	if (qu == 0)
		qu = 1;
	for (k = 0; k < qu; k++)
		achieved += (double)(c[k] / total);
	achieved *= 2;
	free(c);
	out->lower = kth_difference(xs, nx, ys, ny, qu);
	out->upper = kth_difference(xs, nx, ys, ny, mn - qu + 1);
	out->estimate = out->shift;
	if (achieved - alpha > alpha / 2)
		out->conf_level = 1 - achieved;
}

int mlci_ranktest_hl(const double *x, size_t nx, const double *y, size_t ny,
		     double conf_level, enum mlci_ranktest_method method,
		     struct mlci_ranktest_hl *out)
{
	double *xs, *ys, alpha;
	int ret, exact;

	memset(out, 0, sizeof(*out));
	if ((ret = check_sample(x, nx, 1, "first")) < 0 ||
	    (ret = check_sample(y, ny, 1, "second")) < 0)
		return ret;
	if (!(conf_level > 0 && conf_level < 1))
		return mlci_error(MLCI_EXIT_INPUT,
				  "confidence level %g is not in (0, 1)",
				  conf_level);
	if ((double)nx * (double)ny >= 0x1p62)
		return mlci_error(MLCI_EXIT_INPUT,
				  "samples too large for the Hodges-Lehmann estimate");
	xs = sorted_copy(x, nx);
	ys = sorted_copy(y, ny);
	alpha = 1 - conf_level;
	out->conf_level = conf_level;
	out->shift = median_difference(xs, nx, ys, ny);

	if (method == MLCI_RANKTEST_AUTO)
		exact = nx < 50 && ny < 50;
	else
		exact = method == MLCI_RANKTEST_EXACT;
	if (exact && (has_tie(xs, nx, ys, ny) ||
		      !exact_feasible(nx, ny, (double)nx * (double)ny)))
		exact = 0;
	out->exact = exact;
	if (exact)
		hl_exact(xs, nx, ys, ny, alpha, out);
	else
		hl_asymptotic(xs, nx, ys, ny, alpha, out);
	free(xs);
	free(ys);
	return 0;
}

void mlci_ranktest_judge_opts_init(struct mlci_ranktest_judge_opts *opts)
{
	opts->conf_level = 0.98;
	opts->tolerance = 0.25;
	opts->effect_low = 1.0;
	opts->effect_high = 1.0;
	opts->method = MLCI_RANKTEST_AUTO;
}

static long double mean_of(const double *v, size_t n)
{
	long double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s / n;
}

static int is_constant(const double *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] != v[0])
			return 0;
	return 1;
}

int mlci_ranktest_classify(const double *canary, size_t nc,
			   const double *baseline, size_t nb,
			   enum mlci_ranktest_direction direction,
			   const struct mlci_ranktest_judge_opts *opts,
			   struct mlci_ranktest_judgement *out)
{
	struct mlci_ranktest_judge_opts defaults;
	long double mc, mb;
	int ret, up, down;

	memset(out, 0, sizeof(*out));
	if (!opts) {
		mlci_ranktest_judge_opts_init(&defaults);
		opts = &defaults;
	}
	if (!(opts->tolerance >= 0) || !(opts->conf_level > 0 &&
					 opts->conf_level < 1))
		return mlci_error(MLCI_EXIT_INPUT,
				  "bad judge settings: tolerance %g, confidence %g",
				  opts->tolerance, opts->conf_level);
	out->ratio = 1;
	if (!nc || !nb) {
		out->cls = MLCI_RANKTEST_NODATA;
		return 0;
	}
	if ((ret = check_sample(canary, nc, 1, "canary")) < 0 ||
	    (ret = check_sample(baseline, nb, 1, "baseline")) < 0)
		return ret;
	out->cls = MLCI_RANKTEST_PASS;
	if (nc == nb) {
		double *a = sorted_copy(canary, nc), *b = sorted_copy(baseline, nb);
		int same = 1;
		size_t i;

		for (i = 0; i < nc && same; i++)
			same = a[i] == b[i];
		free(a);
		free(b);
		if (same)
			return 0;
	}
	if (is_constant(canary, nc) && is_constant(baseline, nb)) {
		if (canary[0] == baseline[0])
			return 0;
		/* Kayenta jitters both samples by 1e-5 of their value; this
		 * is the interval that jitter tends to. */
		out->hl.shift = out->hl.estimate = out->hl.lower =
			out->hl.upper = canary[0] - baseline[0];
		out->hl.conf_level = opts->conf_level;
	} else if ((ret = mlci_ranktest_hl(canary, nc, baseline, nb,
					   opts->conf_level, opts->method,
					   &out->hl)) < 0)
		return ret;
	if ((ret = mlci_ranktest_mwu(canary, nc, baseline, nb,
				     MLCI_RANKTEST_AUTO, &out->mwu)) < 0)
		return ret;
	out->tested = 1;
	mc = mean_of(canary, nc);
	mb = mean_of(baseline, nb);
	out->ratio = mc == 0 || mb == 0 ? NAN : (double)(mc / mb);
	out->upper_bound = opts->tolerance * fabs(out->hl.estimate);
	out->lower_bound = -out->upper_bound;
	if (isnan(out->hl.lower) || isnan(out->hl.upper) ||
	    isnan(out->hl.estimate))
		return 0;
	up = direction != MLCI_RANKTEST_DECREASE &&
	     out->hl.lower > out->upper_bound &&
	     (isnan(out->ratio) || out->ratio >= opts->effect_high);
	down = direction != MLCI_RANKTEST_INCREASE &&
	       out->hl.upper < out->lower_bound &&
	       (isnan(out->ratio) || out->ratio <= opts->effect_low);
	if (up)
		out->cls = MLCI_RANKTEST_HIGH;
	else if (down)
		out->cls = MLCI_RANKTEST_LOW;
	return 0;
}

/* The continued fraction of I_x(a, b) (modified Lentz), x < (a+1)/(a+b+2). */
static long double beta_fraction(long double a, long double b, long double x)
{
	const long double tiny = LDBL_MIN / LDBL_EPSILON;
	long double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int m;

	if (fabsl(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m < 100000; m++) {
		long double m2 = 2.0L * m, aa, del;

		aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabsl(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabsl(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
		d = 1 + aa * d;
		if (fabsl(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabsl(c) < tiny)
			c = tiny;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabsl(del - 1) < LDBL_EPSILON)
			break;
	}
	return h;
}

/* x^a y^b / (a B(a, b)) * fraction: the tail that starts at 0. */
static long double beta_tail(long double a, long double b, long double x,
			     long double y)
{
	long double lf = a * logl(x) + b * logl(y) + lgammal(a + b) -
			 lgammal(a) - lgammal(b);

	return expl(lf) * beta_fraction(a, b, x) / a;
}

double mlci_ranktest_beta_inc(double a, double b, double x, double y)
{
	if (isnan(a) || isnan(b) || isnan(x) || isnan(y) || a <= 0 || b <= 0 ||
	    x < 0 || x > 1 || y < 0 || y > 1)
		return NAN;
	if (x == 0)
		return 0;
	if (y == 0)
		return 1;
	/* Compute the smaller tail directly so that it keeps its digits. */
	if (x < (a + 1) / (a + b + 2))
		return (double)beta_tail(a, b, x, y);
	return (double)(1 - beta_tail(b, a, y, x));
}

double mlci_ranktest_f_sf(double f, double df1, double df2)
{
	double den;

	if (isnan(f) || isnan(df1) || isnan(df2) || df1 <= 0 || df2 <= 0)
		return NAN;
	if (f <= 0)
		return 1;
	if (isinf(f))
		return 0;
	den = df2 + df1 * f;
	return mlci_ranktest_beta_inc(df2 / 2, df1 / 2, df2 / den,
				      df1 * f / den);
}

/* P(X >= k) and P(X <= k) for X ~ Binomial(n, p), q = 1 - p given apart. */
static double binom_ge(unsigned long long k, unsigned long long n, double p,
		       double q)
{
	if (k == 0)
		return 1;
	return mlci_ranktest_beta_inc((double)k, (double)(n - k) + 1, p, q);
}

static double binom_le(unsigned long long k, unsigned long long n, double p,
		       double q)
{
	if (k >= n)
		return 1;
	return mlci_ranktest_beta_inc((double)(n - k), (double)k + 1, q, p);
}

int mlci_ranktest_rate(unsigned long long canary_count, double canary_exposure,
		       unsigned long long baseline_count,
		       double baseline_exposure,
		       enum mlci_ranktest_direction direction,
		       struct mlci_ranktest_rate *out)
{
	unsigned long long n = canary_count + baseline_count;
	double p, q, ge, le;

	memset(out, 0, sizeof(*out));
	if (!(canary_exposure > 0 && baseline_exposure > 0) ||
	    isinf(canary_exposure) || isinf(baseline_exposure))
		return mlci_error(MLCI_EXIT_INPUT,
				  "exposures must be finite and positive");
	if (n < canary_count)
		return mlci_error(MLCI_EXIT_INPUT, "counts too large");
	out->canary_rate = canary_count / canary_exposure;
	out->baseline_rate = baseline_count / baseline_exposure;
	out->ratio = out->canary_rate / out->baseline_rate;
	p = canary_exposure / (canary_exposure + baseline_exposure);
	q = baseline_exposure / (canary_exposure + baseline_exposure);
	out->share = p;
	if (n == 0) {
		out->p_value = 1;
		return 0;
	}
	ge = binom_ge(canary_count, n, p, q);
	le = binom_le(canary_count, n, p, q);
	if (direction == MLCI_RANKTEST_INCREASE)
		out->p_value = ge;
	else if (direction == MLCI_RANKTEST_DECREASE)
		out->p_value = le;
	else
		out->p_value = 2 * (ge < le ? ge : le);
	if (out->p_value > 1)
		out->p_value = 1;
	return 0;
}

static double median_sorted(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Absolute deviations from the median: their mean, and the sum of their
 * squared distances to that mean. */
static void abs_dev(const double *v, size_t n, long double *mean,
		    long double *ss)
{
	double *s = sorted_copy(v, n), med = median_sorted(s, n);
	long double sum = 0, m, acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += fabs(v[i] - med);
	m = sum / n;
	for (i = 0; i < n; i++) {
		long double z = fabs(v[i] - med) - m;

		acc += z * z;
	}
	free(s);
	*mean = m;
	*ss = acc;
}

int mlci_ranktest_levene(const double *x, size_t nx, const double *y,
			 size_t ny, double *statistic, double *p_value)
{
	long double zx, zy, ssx, ssy, zbar, numer, dvar, w;
	double n = (double)nx + (double)ny;
	int ret;

	*statistic = *p_value = NAN;
	if ((ret = check_sample(x, nx, 1, "first")) < 0 ||
	    (ret = check_sample(y, ny, 1, "second")) < 0)
		return ret;
	if (nx + ny < 3)
		return mlci_error(MLCI_EXIT_INPUT,
				  "the variance test needs three values");
	abs_dev(x, nx, &zx, &ssx);
	abs_dev(y, ny, &zy, &ssy);
	zbar = (zx * nx + zy * ny) / n;
	numer = (n - 2) * (nx * (zx - zbar) * (zx - zbar) +
			   ny * (zy - zbar) * (zy - zbar));
	dvar = ssx + ssy;
	if (dvar == 0)
		w = numer > 0 ? INFINITY : NAN;
	else
		w = numer / dvar;
	*statistic = (double)w;
	*p_value = mlci_ranktest_f_sf(*statistic, 1, n - 2);
	return 0;
}
