/* SPDX-License-Identifier: MIT */
/* Distribution functions for the drift tests, following scipy.stats 1.10. */
#include "distrib.h"
#include "wrapper.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SQRT1_2 0.70710678118654752440
#define PI_SQUARED (M_PI * M_PI)

double mlci_distrib_norm_cdf(double a)
{
	double x = a * SQRT1_2, z = fabs(x), y;

	if (isnan(a))
		return NAN;
	/* erf near 0 and erfc in the tails keep the relative accuracy. */
	if (z < SQRT1_2)
		return 0.5 + 0.5 * erf(x);
	y = 0.5 * erfc(z);
	return x > 0 ? 1.0 - y : y;
}

double mlci_distrib_norm_sf(double x)
{
	return mlci_distrib_norm_cdf(-x);
}

/* log(x^a e^-x / Gamma(a)), the factor in front of both expansions. */
static long double gamma_log_prefactor(long double a, long double x)
{
	return a * logl(x) - x - lgammal(a);
}

/* P(a, x) by its power series; converges fast for x < a + 1. */
static long double gamma_p_series(long double a, long double x)
{
	long double term = 1.0L / a, sum = term, ap = a;
	int i;

	for (i = 0; i < 100000; i++) {
		ap += 1.0L;
		term *= x / ap;
		sum += term;
		if (fabsl(term) < fabsl(sum) * LDBL_EPSILON)
			break;
	}
	return sum * expl(gamma_log_prefactor(a, x));
}

/* Q(a, x) by the continued fraction (modified Lentz); for x >= a + 1. */
static long double gamma_q_fraction(long double a, long double x)
{
	const long double tiny = LDBL_MIN / LDBL_EPSILON;
	long double b = x + 1.0L - a, c = 1.0L / tiny, d = 1.0L / b, h = d;
	int i;

	for (i = 1; i < 100000; i++) {
		long double an = -i * (i - a), delta;

		b += 2.0L;
		d = an * d + b;
		if (fabsl(d) < tiny)
			d = tiny;
		c = b + an / c;
		if (fabsl(c) < tiny)
			c = tiny;
		d = 1.0L / d;
		delta = d * c;
		h *= delta;
		if (fabsl(delta - 1.0L) < LDBL_EPSILON)
			break;
	}
	return expl(gamma_log_prefactor(a, x)) * h;
}

static int gamma_args(double a, double x, double *special, int upper)
{
	if (isnan(a) || isnan(x) || a <= 0 || x < 0) {
		*special = NAN;
		return 1;
	}
	if (x == 0) {
		*special = upper ? 1.0 : 0.0;
		return 1;
	}
	if (isinf(x)) {
		*special = isinf(a) ? NAN : upper ? 0.0 : 1.0;
		return 1;
	}
	if (isinf(a)) {
		*special = upper ? 1.0 : 0.0;
		return 1;
	}
	return 0;
}

double mlci_distrib_gamma_p(double a, double x)
{
	double v;

	if (gamma_args(a, x, &v, 0))
		return v;
	if (x < a + 1.0)
		return (double)gamma_p_series(a, x);
	return (double)(1.0L - gamma_q_fraction(a, x));
}

double mlci_distrib_gamma_q(double a, double x)
{
	double v;

	if (gamma_args(a, x, &v, 1))
		return v;
	if (x < a + 1.0)
		return (double)(1.0L - gamma_p_series(a, x));
	return (double)gamma_q_fraction(a, x);
}

double mlci_distrib_chi2_sf(double x, double df)
{
	if (isnan(x) || isnan(df) || df <= 0)
		return NAN;
	if (x <= 0)
		return 1.0;
	return mlci_distrib_gamma_q(df / 2.0, x / 2.0);
}

/*
 * The one-sided Smirnov survival function. Where scipy sums in double-double
 * arithmetic, this sums the same positive terms in logarithms and long
 * doubles, which gives the same value to about 1e-13 relative.
 */
double mlci_distrib_smirnov_sf(long n, double x)
{
	/* cephes' MINLOG, log(2^-1075) */
	const double minlog = -7.451332191019412076235E2;
	long double nx, nxfl_ld, alpha, sum = 0, logc = 0, logn;
	long nxfl, n1mxfl, j, nterms;

	if (isnan(x) || n <= 0 || !(x >= 0.0 && x <= 1.0))
		return NAN;
	if (n == 1)
		return 1.0 - x;
	if (x == 0.0)
		return 1.0;
	if (x == 1.0)
		return 0.0;
	nx = (long double)n * x;
	nxfl_ld = floorl(nx);
	alpha = nx - nxfl_ld;
	nxfl = (long)nxfl_ld;
	n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
	if (alpha == 0)
		n1mxfl -= 1;
	if (nxfl == 0 || (nxfl == 1 && alpha == 0))
		return (double)(1.0L - x * powl(1.0L + x, n - 1));
	if (-2.0 * n * x * x < minlog)
		return 0.0;
	if (nxfl >= n - 1)
		return (double)powl(1.0L - x, n);
	if (n > 1000000) {
		double logp = -pow(6.0 * n * x + 1, 2) / 18.0 / n;

		if (logp < -M_LN2)
			return exp(logp);
		return 1.0 - (-expm1(logp));
	}
	/*
	 * Birnbaum-Tingey: sf = x * sum_{j=0}^{n1mxfl} C(n, j)
	 * (1 - x - j/n)^(n-j) (x + j/n)^(j-1), with 1 - x - j/n written as
	 * (n - j - nx)/n so that it keeps its digits near the end.
	 */
	logn = logl((long double)n);
	nterms = n1mxfl + 1;
	for (j = 0; j < nterms; j++) {
		long double t, lt;

		lt = logc + (n - j) * (logl(n - j - nx) - logn);
		if (j == 0)
			lt -= logl(x);
		else
			lt += (j - 1) * (logl(nx + j) - logn);
		t = expl(lt);
		sum += t;
		/* scipy's stopping rule: the rest cannot matter. */
		if (t != 0 && j != nterms - 1 &&
		    4.0L * (nterms - j) * t < DBL_EPSILON * sum)
			break;
		if (t == 0 && j > n / 2)
			break;
		logc += logl((long double)(n - j)) - logl((long double)(j + 1));
	}
	sum *= x;
	if (sum > 1)
		return 1.0;
	return (double)sum;
}

static double clip01(double p)
{
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

#define E128 128
static const double EP128 = 0x1p128;
static const double EM128 = 0x1p-128;

/* r = a * b for m x m matrices. */
static void matmul(double *r, const double *a, const double *b, int m)
{
	int i, j, k;

	for (i = 0; i < m; i++)
		for (j = 0; j < m; j++) {
			double s = 0;

			for (k = 0; k < m; k++)
				s += a[i * m + k] * b[k * m + j];
			r[i * m + j] = s;
		}
}

/* Pr(D_n <= d) by the Durbin matrix, as Marsaglia, Tsang and Wang. */
static double kolmogn_dmtw(long n, double d)
{
	double nd = n * d, h, fac = 1.0, tt, p;
	double *H, *Hp, *T, *v, *w;
	long nn, expnt = 0, hexpnt = 0, i;
	int k, m, j, r, c;

	if (d >= 1.0)
		return 1.0;
	if (nd <= 0.5)
		return 0.0;
	k = (int)ceil(nd);
	h = k - nd;
	m = 2 * k - 1;
	H = xcalloc((size_t)m * m, sizeof(*H));
	Hp = xcalloc((size_t)m * m, sizeof(*Hp));
	T = xcalloc((size_t)m * m, sizeof(*T));
	v = xcalloc(m, sizeof(*v));
	w = xcalloc(m, sizeof(*w));
	for (j = 1; j <= m; j++) {
		v[j - 1] = 1.0 - pow(h, j);
		w[j - 1] = fac;
		fac /= j;
		v[j - 1] *= fac;
	}
	tt = pow(fmax(2 * h - 1.0, 0), m) - 2 * pow(h, m);
	v[m - 1] = (1.0 + tt) * fac;
	for (c = 1; c < m; c++)
		for (r = c - 1; r < m; r++)
			H[r * m + c] = w[r - (c - 1)];
	for (r = 0; r < m; r++)
		H[r * m] = v[r];
	for (c = 0; c < m; c++)
		H[(m - 1) * m + c] = v[m - 1 - c];
	for (r = 0; r < m; r++)
		Hp[r * m + r] = 1.0;
	for (nn = n; nn > 0; nn /= 2) {
		if (nn % 2) {
			matmul(T, Hp, H, m);
			memcpy(Hp, T, sizeof(*T) * m * m);
			expnt += hexpnt;
		}
		matmul(T, H, H, m);
		memcpy(H, T, sizeof(*T) * m * m);
		hexpnt *= 2;
		if (fabs(H[(k - 1) * m + (k - 1)]) > EP128) {
			for (r = 0; r < m * m; r++)
				H[r] /= EP128;
			hexpnt += E128;
		}
	}
	p = Hp[(k - 1) * m + (k - 1)];
	for (i = 1; i <= n; i++) {
		p = i * p / n;
		if (fabs(p) < EM128) {
			p *= EP128;
			expnt -= E128;
		}
	}
	if (expnt != 0)
		p = ldexp(p, (int)expnt);
	free(H);
	free(Hp);
	free(T);
	free(v);
	free(w);
	return clip01(p);
}

static void pomeranz_j1j2(long i, long n, long ll, int ceilf, int roundf,
			  long *pj1, long *pj2)
{
	long j1, j2;

	if (i == 0) {
		j1 = -ll - ceilf - 1;
		j2 = ll + ceilf - 1;
	} else {
		long ip1div2 = (i + 1) / 2, ip1mod2 = (i + 1) % 2;

		if (ip1mod2 == 0) {
			if (ip1div2 == n + 1) {
				j1 = n - ll - ceilf - 1;
				j2 = n + ll + ceilf - 1;
			} else {
				j1 = ip1div2 - 1 - ll - roundf - 1;
				j2 = ip1div2 + ll - 1 + ceilf - 1;
			}
		} else {
			j1 = ip1div2 - 1 - ll - 1;
			j2 = ip1div2 + ll + roundf - 1;
		}
	}
	*pj1 = j1 + 2 > 0 ? j1 + 2 : 0;
	*pj2 = j2 < n ? j2 : n;
}

/* Pr(D_n <= d) by the Pomeranz (1974) recursion, scaled as scipy does. */
static double kolmogn_pomeranz(long n, double x)
{
	double t = n * x, f, g, ans;
	long ll = (long)floor(t), npwrs, m, i, j1, j2, k1, v0s = 0, v1s = 0;
	int ceilf, roundf;
	double *gpower, *twogpower, *onem2gpower, *V0, *V1, *tmp;
	long expnt = 0;

	f = t - ll;
	g = fmin(f, 1.0 - f);
	ceilf = f > 0;
	roundf = f > 0.5;
	npwrs = 2 * (ll + 1);
	gpower = xcalloc(npwrs, sizeof(double));
	twogpower = xcalloc(npwrs, sizeof(double));
	onem2gpower = xcalloc(npwrs, sizeof(double));
	V0 = xcalloc(npwrs, sizeof(double));
	V1 = xcalloc(npwrs, sizeof(double));
	gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
	for (m = 1; m < npwrs; m++) {
		gpower[m] = gpower[m - 1] * (g / n) / m;
		twogpower[m] = twogpower[m - 1] * (2 * g / n) / m;
		onem2gpower[m] = onem2gpower[m - 1] * ((1 - 2 * g) / n) / m;
	}
	V1[0] = 1;
	pomeranz_j1j2(0, n, ll, ceilf, roundf, &j1, &j2);
	for (i = 1; i < 2 * n + 2; i++) {
		const double *pwrs;
		long ln2, s;

		k1 = j1;
		tmp = V0;
		V0 = V1;
		V1 = tmp;
		s = v0s;
		v0s = v1s;
		v1s = s;
		memset(V1, 0, sizeof(double) * npwrs);
		pomeranz_j1j2(i, n, ll, ceilf, roundf, &j1, &j2);
		if (i == 1 || i == 2 * n + 1)
			pwrs = gpower;
		else
			pwrs = (i % 2) ? twogpower : onem2gpower;
		ln2 = j2 - k1 + 1;
		if (ln2 > 0) {
			/* The slices numpy would take, clipped to the arrays. */
			long off = k1 - v0s, la, lb, cs = j1 - k1, cl = j2 - j1 + 1;
			long q, r;
			double vmax = 0;

			la = off >= npwrs ? 0 : (off + ln2 > npwrs ? npwrs - off : ln2);
			lb = ln2 > npwrs ? npwrs : ln2;
			for (q = 0; q < cl; q++) {
				long idx = cs + q;
				double sum = 0;

				if (q >= npwrs)
					break;
				for (r = 0; r < la; r++)
					if (idx - r >= 0 && idx - r < lb)
						sum += V0[off + r] * pwrs[idx - r];
				V1[q] = sum;
			}
			for (q = 0; q < npwrs; q++)
				if (V1[q] > vmax)
					vmax = V1[q];
			if (0 < vmax && vmax < EM128) {
				for (q = 0; q < npwrs; q++)
					V1[q] *= EP128;
				expnt -= E128;
			}
			v1s = v0s + j1 - k1;
		}
	}
	ans = (n - v1s >= 0 && n - v1s < npwrs) ? V1[n - v1s] : 0.0;
	for (m = 1; m <= n; m++) {
		if (fabs(ans) > EP128) {
			ans *= EM128;
			expnt += E128;
		}
		ans *= m;
	}
	if (expnt != 0)
		ans = ldexp(ans, (int)expnt);
	free(gpower);
	free(twogpower);
	free(onem2gpower);
	free(V0);
	free(V1);
	return clip01(ans);
}

/* The Pelz-Good (1976) expansion of Pr(D_n <= x), for large n. */
static double kolmogn_pelzgood(long n, double x, int cdf)
{
	const double sqrt2pi = 2.5066282746310002, sqrt3 = 1.7320508075688772;
	const double pi4 = PI_SQUARED * PI_SQUARED, pi6 = pi4 * PI_SQUARED;
	double z, z2, z3, z4, z6, qlog, q, K[4] = { 0, 0, 0, 0 };
	double k1a, k1b, k2a, k2b, k2c, k3a, k3b, k3c, k3d, k2extra, k3extra;
	double sqrt3z, ksum;
	long maxk, k;
	int i;

	if (x <= 0.0)
		return cdf ? 0.0 : 1.0;
	if (x >= 1.0)
		return cdf ? 1.0 : 0.0;
	z = sqrt((double)n) * x;
	z2 = z * z;
	z3 = z * z * z;
	z4 = z2 * z2;
	z6 = pow(z, 6);
	qlog = -PI_SQUARED / 8 / z2;
	if (qlog < -708)
		return cdf ? 0.0 : 1.0;
	q = exp(qlog);
	k1a = -z2;
	k1b = PI_SQUARED / 4;
	k2a = 6 * z6 + 2 * z4;
	k2b = (2 * z4 - 5 * z2) * PI_SQUARED / 4;
	k2c = pi4 * (1 - 2 * z2) / 16;
	k3d = pi6 * (5 - 30 * z2) / 64;
	k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
	k3b = PI_SQUARED * (135 * z4 - 96 * z6) / 4;
	k3a = -30 * z6 - 90 * pow(z, 8);
	maxk = (long)ceil(16 * z / M_PI);
	for (k = maxk; k > 0; k--) {
		double mm = 2.0 * k - 1, m2 = mm * mm, m4 = m2 * m2, m6 = m4 * m2;
		double qp = pow(q, 8.0 * k);
		double co[4];

		co[0] = 1.0;
		co[1] = k1a + k1b * m2;
		co[2] = k2a + k2b * m2 + k2c * m4;
		co[3] = k3a + k3b * m2 + k3c * m4 + k3d * m6;
		for (i = 0; i < 4; i++)
			K[i] = K[i] * qp + co[i];
	}
	for (i = 0; i < 4; i++)
		K[i] = K[i] * q * sqrt2pi;
	K[0] /= z;
	K[1] /= 6 * z4;
	K[2] /= 72 * pow(z, 7);
	K[3] /= 6480 * pow(z, 10);
	q = exp(-PI_SQUARED / 2 / z2);
	sqrt3z = sqrt3 * z;
	k2extra = 0;
	k3extra = 0;
	for (k = maxk; k > 0; k--) {
		double kk = (double)k * k, qpw = pow(q, kk), kspi = M_PI * k;

		k2extra += kk * qpw;
		k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * kk * qpw;
	}
	k2extra *= PI_SQUARED * sqrt2pi / (-36 * z3);
	K[2] += k2extra;
	k3extra *= PI_SQUARED * sqrt2pi / (216 * z6);
	K[3] += k3extra;
	for (i = 1; i < 4; i++)
		K[i] /= pow((double)n, i / 2.0);
	if (!cdf) {
		for (i = 0; i < 4; i++)
			K[i] = -K[i];
		K[0] += 1;
	}
	ksum = K[0] + K[1] + K[2] + K[3];
	return ksum;
}

/* log(n! / n^n) by Stirling's series, as scipy's _log_nfactorial_div_n_pow_n. */
static double log_nfact_div_npown(long n)
{
	static const double c[] = {
		-2.955065359477124183e-2, 6.4102564102564102564e-3,
		-1.9175269175269175269e-3, 8.4175084175084175084e-4,
		-5.952380952380952381e-4, 7.9365079365079365079e-4,
		-2.7777777777777777778e-3, 8.3333333333333333333e-2
	};
	double rn = 1.0 / n, y = rn / n, poly = 0;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		poly = poly * y + c[i];
	return log((double)n) / 2 - n + log(2 * M_PI) / 2 + rn * poly;
}

/* scipy's _kolmogn: Pr(D_n <= x) or Pr(D_n >= x), by Simard-L'Ecuyer. */
static double kolmogn(long n, double x, int cdf)
{
	double t, nxsq, prob, cdfprob;

	if (n <= 0 || isnan(x))
		return NAN;
	if (x >= 1.0)
		return cdf ? 1.0 : 0.0;
	if (x <= 0.0)
		return cdf ? 0.0 : 1.0;
	t = n * x;
	if (t <= 1.0) {
		if (t <= 0.5)
			return cdf ? 0.0 : 1.0;
		if (n <= 140) {
			long i;

			prob = 1.0;
			for (i = 1; i <= n; i++)
				prob *= i * (1.0 / n) * (2 * t - 1);
		} else {
			prob = exp(log_nfact_div_npown(n) + n * log(2 * t - 1));
		}
		return clip01(cdf ? prob : 1.0 - prob);
	}
	if (t >= n - 1) {
		prob = 2 * pow(1.0 - x, (double)n);
		return clip01(cdf ? 1 - prob : prob);
	}
	if (x >= 0.5) {
		prob = 2 * mlci_distrib_smirnov_sf(n, x);
		return clip01(cdf ? 1.0 - prob : prob);
	}
	nxsq = t * x;
	if (n <= 140) {
		if (nxsq <= 0.754693)
			prob = kolmogn_dmtw(n, x);
		else if (nxsq <= 4)
			prob = kolmogn_pomeranz(n, x);
		else {
			prob = 2 * mlci_distrib_smirnov_sf(n, x);
			return clip01(cdf ? 1.0 - prob : prob);
		}
		return clip01(cdf ? prob : 1.0 - prob);
	}
	if (!cdf) {
		if (nxsq >= 370.0)
			return 0.0;
		if (nxsq >= 2.2)
			return clip01(2 * mlci_distrib_smirnov_sf(n, x));
	}
	if (nxsq >= 18.0)
		cdfprob = 1.0;
	else if (n <= 100000 && n * pow(x, 1.5) <= 1.4)
		cdfprob = kolmogn_dmtw(n, x);
	else
		cdfprob = kolmogn_pelzgood(n, x, 1);
	return clip01(cdf ? cdfprob : 1.0 - cdfprob);
}

double mlci_distrib_kstwo_sf(double d, long n)
{
	return kolmogn(n, d, 0);
}

double mlci_distrib_kstwo_cdf(double d, long n)
{
	return kolmogn(n, d, 1);
}

static long gcd_long(long a, long b)
{
	while (b) {
		long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Pr(D_{n,n} >= h/n), as scipy's _compute_prob_outside_square. */
static double prob_outside_square(long n, long h)
{
	double P = 0.0;
	long k = n / h, j;

	for (; k >= 0; k--) {
		double p1 = 1.0;

		for (j = 0; j < h; j++)
			p1 = (double)(n - k * h - j) * p1 / (double)(n + k * h + j + 1);
		P = p1 * (1.0 - P);
	}
	return 2 * P;
}

/*
 * The share of lattice paths from (0, 0) to (m, n) that leave the band
 * |x/m - y/n| < h/lcm, by the recursion for 1 - p of Viehmann (2021), as
 * scipy's _compute_outer_prob_inside_method. A keeps a sliding window of
 * one column.
 */
static double prob_outer_inside(long m, long n, long g, long h)
{
	long mg, ng, minj, maxj, curlen, lenA, i, jj;
	double *A, res;

	if (m < n) {
		long t = m;

		m = n;
		n = t;
	}
	mg = m / g;
	ng = n / g;
	minj = 0;
	maxj = (long)ceil((double)h / mg);
	if (maxj > n + 1)
		maxj = n + 1;
	curlen = maxj - minj;
	lenA = 2 * maxj + 2 < n + 1 ? 2 * maxj + 2 : n + 1;
	A = xmalloc(sizeof(*A) * lenA);
	for (jj = 0; jj < lenA; jj++)
		A[jj] = jj < maxj ? 0.0 : 1.0;
	for (i = 1; i <= m; i++) {
		long lastminj = minj, lastlen = curlen;
		double val;

		minj = (long)floor((double)(ng * i - h) / mg) + 1;
		if (minj < 0)
			minj = 0;
		if (minj > n)
			minj = n;
		maxj = (long)ceil((double)(ng * i + h) / mg);
		if (maxj > n + 1)
			maxj = n + 1;
		if (maxj <= minj) {
			free(A);
			return 1.0;
		}
		val = minj == 0 ? 0.0 : 1.0;
		for (jj = 0; jj < maxj - minj; jj++) {
			long j = jj + minj, src = jj + minj - lastminj;

			/* The window never outgrows A (scipy sized it so). */
			if (src >= lenA || jj >= lenA) {
				free(A);
				return NAN;
			}
			val = (A[src] * i + val * j) / (double)(i + j);
			A[jj] = val;
		}
		curlen = maxj - minj;
		if (lastlen > curlen) {
			long from = maxj - minj, to = from + (lastlen - curlen);

			for (jj = from; jj < to && jj < lenA; jj++)
				A[jj] = 1;
		}
	}
	res = A[maxj - minj - 1];
	free(A);
	return res;
}

double mlci_distrib_ks2_pvalue(long m, long n, double d,
			       enum mlci_ks2_method method, double *d_out,
			       int *exact)
{
	double prob = NAN;
	int use_exact;

	if (exact)
		*exact = 0;
	if (d_out)
		*d_out = d;
	if (m <= 0 || n <= 0 || isnan(d) || d < 0 || d > 1)
		return NAN;
	if (method == MLCI_KS2_AUTO)
		use_exact = (m > n ? m : n) <= 10000;
	else if (method == MLCI_KS2_EXACT)
		use_exact = (double)(m / gcd_long(m, n)) <
			    (double)INT32_MAX / (double)(n / gcd_long(m, n));
	else
		use_exact = 0;
	if (use_exact) {
		long g = gcd_long(m, n);
		long lcm = (m / g) * n;
		long h = (long)nearbyint(d * lcm);
		double dd = h * 1.0 / lcm;

		if (h == 0) {
			prob = 1.0;
		} else if (m == n) {
			prob = prob_outside_square(m, h);
		} else {
			prob = prob_outer_inside(m, n, g, h);
		}
		if (prob >= 0 && prob <= 1) {
			if (d_out)
				*d_out = dd;
			if (exact)
				*exact = 1;
			return prob;
		}
		/* scipy keeps the rounded d when it falls back, too. */
		d = dd;
		if (d_out)
			*d_out = dd;
	}
	{
		double mm = (double)(m > n ? m : n), nn = (double)(m > n ? n : m);
		double en = mm * nn / (mm + nn);

		prob = mlci_distrib_kstwo_sf(d, (long)nearbyint(en));
	}
	return clip01(prob);
}
