/* SPDX-License-Identifier: MIT */
/* Histogram-based gradient-boosted trees, as scikit-learn 1.2's HistGradientBoostingClassifier/Regressor. */
#include "hgb.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "digest.h"
#include "json.h"
#include "random.h"
#include "split.h"
#include "usage.h"
#include "wrapper.h"

#define ALMOST_INF 1e300
#define BIN_SUBSAMPLE 200000
#define MIN_HESSIAN 1e-3
/* Rows per unit of parallel work: fixed, so sums do not depend on threads. */
#define CHUNK 8192
/* Operations below which a piece of work stays on one thread. */
#define PAR_MIN_WORK 262144

void mlci_hgb_params_init(struct mlci_hgb_params *p)
{
	memset(p, 0, sizeof(*p));
	p->learning_rate = 0.1;
	p->max_iter = 100;
	p->max_leaf_nodes = 31;
	p->max_depth = 0;
	p->min_samples_leaf = 20;
	p->l2_regularization = 0;
	p->max_bins = 255;
	p->early_stopping = -1;
	p->validation_fraction = 0.1;
	p->n_iter_no_change = 10;
	p->tol = 1e-7;
	p->seed = 0;
	p->n_jobs = 1;
}

void mlci_hgb_model_init(struct mlci_hgb_model *m)
{
	memset(m, 0, sizeof(*m));
}

void mlci_hgb_model_release(struct mlci_hgb_model *m)
{
	free(m->baseline);
	free(m->tree_start);
	free(m->nodes);
	free(m->importances);
	free(m->train_loss);
	free(m->val_loss);
	mlci_hgb_model_init(m);
}

/* ---- a fork-join pool: units of work claimed in any order, each writing its own output ---- */

struct pool {
	int nt;
	pthread_t *th;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	unsigned long gen;
	int busy, quit;
	void (*fn)(void *ctx, size_t unit, int tid);
	void *ctx;
	size_t nunits;
	atomic_size_t next;
};

struct worker_arg {
	struct pool *pool;
	int tid;
};

static void pool_drain(struct pool *p, int tid)
{
	size_t u;

	while ((u = atomic_fetch_add(&p->next, 1)) < p->nunits)
		p->fn(p->ctx, u, tid);
}

static void *pool_worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct pool *p = wa->pool;
	int tid = wa->tid;
	unsigned long seen = 0;

	free(wa);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->gen == seen && !p->quit)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->quit)
			break;
		seen = p->gen;
		pthread_mutex_unlock(&p->mu);
		pool_drain(p, tid);
		pthread_mutex_lock(&p->mu);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void pool_start(struct pool *p, int nt)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->nt = nt;
	if (nt <= 1)
		return;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->th = xcalloc(nt, sizeof(*p->th));
	for (i = 1; i < nt; i++) {
		struct worker_arg *wa = xmalloc(sizeof(*wa));

		wa->pool = p;
		wa->tid = i;
		if (pthread_create(&p->th[i], NULL, pool_worker, wa)) {
			free(wa);
			p->nt = i;
			break;
		}
	}
}

static void pool_stop(struct pool *p)
{
	int i;

	if (p->nt <= 1)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 1; i < p->nt; i++)
		pthread_join(p->th[i], NULL);
	free(p->th);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
}

/*
 * Run fn on units 0..nunits-1; work estimates the operations: waking
 * threads costs more than small work (microseconds, milliseconds on a
 * loaded machine), so that runs on the calling thread.
 */
static void pool_run(struct pool *p, size_t nunits, size_t work,
		     void (*fn)(void *ctx, size_t unit, int tid), void *ctx)
{
	size_t u;

	if (p->nt <= 1 || nunits <= 1 || work < PAR_MIN_WORK) {
		for (u = 0; u < nunits; u++)
			fn(ctx, u, 0);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->ctx = ctx;
	p->nunits = nunits;
	atomic_store(&p->next, 0);
	p->busy = p->nt - 1;
	p->gen++;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	pool_drain(p, 0);
	pthread_mutex_lock(&p->mu);
	while (p->busy)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

static int threads_of(int n_jobs)
{
	long c;

	if (n_jobs >= 1)
		return n_jobs;
	c = sysconf(_SC_NPROCESSORS_ONLN);
	return c >= 1 ? (int)c : 1;
}

/* ---- binning ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Sort x[0..n) (no NaN) ascending: an LSD radix sort on the bits made
 * order-preserving (8 passes of 8 bits, every pass's counts taken in the
 * one read that makes the keys), qsort for short arrays.
 */
static void sort_doubles(double *x, size_t n)
{
	uint64_t *a, *b, *t;
	size_t i, (*cnt)[256], pass;

	if (n < 1024) {
		qsort(x, n, sizeof(*x), cmp_double);
		return;
	}
	a = xmalloc(n * sizeof(*a));
	b = xmalloc(n * sizeof(*b));
	cnt = xcalloc(8, sizeof(*cnt));
	for (i = 0; i < n; i++) {
		uint64_t u;

		/* -0.0 and 0.0 compare equal: one key for both. */
		memcpy(&u, &(double){ x[i] == 0 ? 0.0 : x[i] }, sizeof(u));
		a[i] = u = u >> 63 ? ~u : u | 0x8000000000000000ULL;
		for (pass = 0; pass < 8; pass++)
			cnt[pass][(u >> (8 * pass)) & 255]++;
	}
	for (pass = 0; pass < 8; pass++) {
		size_t sum = 0, c, *pc = cnt[pass];
		int same = 0;

		for (c = 0; c < 256; c++) {
			size_t v = pc[c];

			same |= v == n;
			pc[c] = sum;
			sum += v;
		}
		if (same)
			continue;
		for (i = 0; i < n; i++)
			b[pc[(a[i] >> (8 * pass)) & 255]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	free(cnt);
	for (i = 0; i < n; i++) {
		uint64_t u = a[i] >> 63 ? a[i] & 0x7fffffffffffffffULL : ~a[i];

		memcpy(&x[i], &u, sizeof(u));
	}
	free(a);
	free(b);
}

/* numpy's percentile(method="midpoint") of sorted a[0..n) at q in [0, 1]. */
static double percentile_midpoint(const double *a, size_t n, double q)
{
	double vi = 0.5 * (floor((double)(n - 1) * q) + ceil((double)(n - 1) * q));
	double prev = floor(vi), gamma, lo, hi, diff;
	size_t i;

	if (vi >= (double)(n - 1))
		return a[n - 1];
	if (vi < 0)
		return a[0];
	i = (size_t)prev;
	gamma = fmod(vi, 1.0) == 0 ? 0.0 : 0.5;
	lo = a[i];
	hi = a[i + 1];
	diff = hi - lo;
	/* numpy's _lerp: from the upper end when gamma >= 0.5. */
	if (gamma >= 0.5)
		return hi - diff * (1 - gamma);
	return lo + diff * gamma;
}

size_t mlci_hgb_bin_thresholds(double *x, size_t n, size_t max_bins,
			       double *out)
{
	size_t i, m = 0, nd = 0, nt = 0;

	for (i = 0; i < n; i++)
		if (!isnan(x[i]))
			x[m++] = x[i];
	if (!m)
		return 0;
	sort_doubles(x, m);
	for (i = 0; i < m; i++)
		if (!i || x[i] != x[i - 1])
			nd++;
	if (nd <= max_bins) {
		double prev = x[0];

		for (i = 1; i < m; i++)
			if (x[i] != prev) {
				out[nt++] = (prev + x[i]) * 0.5;
				prev = x[i];
			}
	} else {
		/* np.linspace(0, 100, max_bins + 1)[1:-1] / 100 */
		double step = 100.0 / (double)max_bins;

		for (i = 1; i < max_bins; i++)
			out[nt++] = percentile_midpoint(x, m,
							((double)i * step + 0.0) / 100.0);
	}
	for (i = 0; i < nt; i++)
		if (out[i] > ALMOST_INF)
			out[i] = ALMOST_INF;
	return nt;
}

/*
 * The bin of v: the number of thresholds below it (a branchless lower
 * bound); NaN in the missing bin.
 */
static uint8_t bin_of(const double *thr, size_t nt, double v, size_t missing)
{
	const double *base = thr;
	size_t len = nt;

	if (isnan(v))
		return (uint8_t)missing;
	if (!len)
		return 0;
	while (len > 1) {
		size_t half = len / 2;

		base = base[half] < v ? base + half : base;
		len -= half;
	}
	return (uint8_t)((size_t)(base - thr) + (*base < v));
}

/* ---- fitting ---- */

struct hbin {
	double g, h;
	uint32_t c;
};

struct split {
	double gain;
	int feature;
	unsigned bin;
	int missing_left;
	double gl, hl, gr, hr;
	uint32_t nl, nr;
	double vl, vr;
};

struct gnode {
	size_t start, stop;
	double sum_g, sum_h, value;
	size_t depth;
	int hist;			/* pool slot, or -1 */
	int left, right;		/* children, -1 for a leaf */
	int leaf;
	struct split split;
};

struct fit {
	const struct mlci_hgb_params *p;
	struct pool pool;
	size_t n, d, nb, missing_bin, k;
	uint8_t *Xb;			/* column-major n x d bins */
	double **thr;			/* per feature thresholds */
	size_t *nthr;
	uint8_t *has_missing;
	const double *y, *w;
	double *raw;			/* n x k */
	float *gh;			/* k x n (gradient, hessian) pairs */
	int const_hess;
	int classify;
	uint32_t *idx, *tmp;
	float *ogh;			/* the node's rows' pairs, in order */
	struct hbin **hists;
	int *free_hists;
	size_t nhists, nfree;
	struct gnode *nodes;
	size_t nnodes, alloc_nodes;
	int *heap;
	size_t nheap;
	struct split *fsplits;		/* d per node search */
	double *gains;			/* d: importance sums */
	uint32_t *root_c;		/* d x nb: rows per bin, all rows */
	size_t nleaves;
	/* per-call context of the parallel pieces */
	size_t cur_k;
	struct gnode *cur;
	struct hbin *cur_hist, *cur_other;
	double *partial;
	size_t nchunks;
	/* binning scratch */
	const double *Xtrain;		/* row-major source for binning, */
	const double *const *cols;	/* or its columns when NULL */
	const size_t *rows;
	size_t nrows_src, d_src;
	double *scratch;		/* nt x nbin_rows */
	size_t nbin_rows;
	const size_t *bin_rows;
};

static int hist_get(struct fit *f)
{
	if (f->nfree)
		return f->free_hists[--f->nfree];
	f->hists = xrealloc(f->hists, (f->nhists + 1) * sizeof(*f->hists));
	f->free_hists = xrealloc(f->free_hists,
				 (f->nhists + 1) * sizeof(*f->free_hists));
	f->hists[f->nhists] = xmalloc(f->d * f->nb * sizeof(struct hbin));
	return (int)f->nhists++;
}

static void hist_put(struct fit *f, int h)
{
	if (h >= 0)
		f->free_hists[f->nfree++] = h;
}

#define BIN_BLOCK 8

/*
 * Bin a block of BIN_BLOCK features (unit = block): thresholds and bins
 * per feature. From a row-major matrix, the block's columns are first
 * copied out a cache line at a time; given columns are read in place,
 * training row i being row rows[i] of them.
 */
static void bin_block(void *ctx, size_t u, int tid)
{
	struct fit *f = ctx;
	size_t nscratch = f->Xtrain ? BIN_BLOCK + 1 : 1;
	double *cols = f->scratch + (size_t)tid * nscratch * f->n;
	double *x = cols + (nscratch - 1) * f->n;
	size_t i, j, j0 = u * BIN_BLOCK, nj = f->d - j0;

	if (nj > BIN_BLOCK)
		nj = BIN_BLOCK;
	for (i = 0; f->Xtrain && i < f->n; i++) {
		const double *row = f->Xtrain + f->rows[i] * f->d_src + j0;

		for (j = 0; j < nj; j++)
			cols[j * f->n + i] = row[j];
	}
	for (j = 0; j < nj; j++) {
		const double *c = f->Xtrain ? cols + j * f->n : f->cols[j0 + j];
		const size_t *at = f->Xtrain ? NULL : f->rows;
		uint8_t *col = f->Xb + (j0 + j) * f->n;
		const double *thr = f->thr[j0 + j];
		size_t nt;
		int miss = 0;

		for (i = 0; i < f->nbin_rows; i++)
			x[i] = c[at ? at[f->bin_rows[i]] : f->bin_rows[i]];
		nt = f->nthr[j0 + j] = mlci_hgb_bin_thresholds(x, f->nbin_rows,
							       f->nb - 1,
							       f->thr[j0 + j]);
		for (i = 0; i < f->n; i++) {
			col[i] = bin_of(thr, nt, c[at ? at[i] : i],
					f->missing_bin);
			miss |= col[i] == f->missing_bin;
		}
		f->has_missing[j0 + j] = (uint8_t)miss;
	}
}

static double log1pexp(double r)
{
	if (r <= -37)
		return exp(r);
	if (r <= 18)
		return log1p(exp(r));
	if (r <= 33.3)
		return r + exp(-r);
	return r;
}

/*
 * Gradients and hessians of rows in chunk u, and the (weighted) loss of
 * the current raw predictions in partial[u].
 */
static void grad_chunk(void *ctx, size_t u, int tid)
{
	struct fit *f = ctx;
	size_t i, c, lo = u * CHUNK, hi = lo + CHUNK, k = f->k, n = f->n;
	double loss = 0;

	(void)tid;
	if (hi > n)
		hi = n;
	for (i = lo; i < hi; i++) {
		double w = f->w ? f->w[i] : 1.0, y = f->y[i];
		const double *r = f->raw + i * k;

		if (!f->classify) {
			/* squared error */
			double gr = r[0] - y;

			f->gh[2 * i] = (float)(w * gr);
			f->gh[2 * i + 1] = (float)w;
			loss += w * 0.5 * gr * gr;
		} else if (f->k == 1) {
			double e, gr, he;

			if (r[0] <= -37) {
				e = exp(r[0]);
				gr = e - y;
				he = e;
				loss += w * (e - y * r[0]);
			} else {
				e = exp(-r[0]);
				gr = ((1 - y) - y * e) / (1 + e);
				he = e / ((1 + e) * (1 + e));
				/* log(1 + exp(r)) = r + log(1 + exp(-r)) */
				loss += w * (r[0] + log1p(e) - y * r[0]);
			}
			f->gh[2 * i] = (float)(w * gr);
			f->gh[2 * i + 1] = (float)(w * he);
		} else {
			double mx = r[0], s = 0;
			size_t yi = (size_t)y;

			for (c = 1; c < k; c++)
				if (r[c] > mx)
					mx = r[c];
			for (c = 0; c < k; c++)
				s += exp(r[c] - mx);
			for (c = 0; c < k; c++) {
				double pc = exp(r[c] - mx) / s;

				f->gh[2 * (c * n + i)] =
					(float)(w * (pc - (c == yi)));
				f->gh[2 * (c * n + i) + 1] =
					(float)(w * pc * (1 - pc));
			}
			loss += w * (log(s) + mx - r[yi]);
		}
	}
	f->partial[u] = loss;
}

/* Sum of chunk partials, in chunk order. */
static double sum_partials(const double *a, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += a[i];
	return s;
}

static void sum_g_chunk(void *ctx, size_t u, int tid)
{
	struct fit *f = ctx;
	size_t i, lo = u * CHUNK, hi = lo + CHUNK;
	const float *gh = f->gh + 2 * f->cur_k * f->n;
	double sg = 0, sh = 0;

	(void)tid;
	if (hi > f->n)
		hi = f->n;
	for (i = lo; i < hi; i++) {
		sg += gh[2 * i];
		sh += gh[2 * i + 1];
	}
	f->partial[2 * u] = sg;
	f->partial[2 * u + 1] = sh;
}

#define HIST_BLOCK 4

/*
 * Histograms of a block of HIST_BLOCK features for the current node (unit
 * = block): one pass over the rows feeds the block's histograms, so the
 * row indices and gradients are read once per block and the additions
 * into different histograms overlap. Each bin still sums its rows in row
 * order.
 */
/*
 * The counts of feature j's bins in the root's histogram: every training
 * row, the same in every tree, counted once (f->root_c).
 */
static void root_counts(struct fit *f, size_t j)
{
	struct hbin *H = f->cur_hist + j * f->nb;
	const uint32_t *c = f->root_c + j * f->nb;

	for (size_t b = 0; b <= f->nthr[j]; b++)
		H[b].c = c[b];
	H[f->missing_bin].c = c[f->missing_bin];
}

static void hist_block(void *ctx, size_t u, int tid)
{
	struct fit *f = ctx;
	struct gnode *nd = f->cur;
	size_t i, j, j0 = u * HIST_BLOCK, nj = f->d - j0;
	size_t m = nd->stop - nd->start;
	const uint32_t *idx = f->idx + nd->start;
	const float *gh;
	int root = m == f->n;

	(void)tid;
	if (nj > HIST_BLOCK)
		nj = HIST_BLOCK;
	for (j = j0; j < j0 + nj; j++) {
		struct hbin *H = f->cur_hist + j * f->nb;

		/* Only the bins the feature has, and the missing values' bin. */
		memset(H, 0, (f->nthr[j] + 1) * sizeof(*H));
		memset(H + f->missing_bin, 0, sizeof(*H));
	}
	/* The root takes every row in order, without indirection. */
	gh = root ? f->gh + 2 * f->cur_k * f->n : f->ogh;
	if (nj == HIST_BLOCK) {
		const uint8_t *c0 = f->Xb + j0 * f->n, *c1 = c0 + f->n,
			*c2 = c1 + f->n, *c3 = c2 + f->n;
		struct hbin *H0 = f->cur_hist + j0 * f->nb, *H1 = H0 + f->nb,
			*H2 = H1 + f->nb, *H3 = H2 + f->nb;

#if defined(__SSE2__)
/*
 * g and h are adjacent in a bin as in gh[]: one load and conversion gives
 * both as doubles, and one two-lane addition adds both.
 */
#define GH_T __m128d
#define GH_GET(p, hess) (hess ? _mm_cvtps_pd(_mm_castsi128_ps( \
			_mm_loadl_epi64((const __m128i *)(p)))) \
			: _mm_set_pd(0.0, (double)(p)[0]))
#define HIST_ADD(b, v) \
			_mm_storeu_pd(&(b)->g, _mm_add_pd(_mm_loadu_pd(&(b)->g), (v)))
#else
struct gh_pair {
	double g, h;
};
#define GH_T struct gh_pair
#define GH_GET(p, hess) \
			((struct gh_pair){ (p)[0], hess ? (double)(p)[1] : 0.0 })
#define HIST_ADD(b, v) do { (b)->g += (v).g; (b)->h += (v).h; } while (0)
#endif
/*
 * hess: 0 when the hessians are constant (left out: split_feature then
 * takes the counts); count: 1 to count the rows per bin (the root's
 * counts are known).
 */
#define HIST_ROW(r, hess, count) do { \
			GH_T v = GH_GET(gh + 2 * i, hess); \
			struct hbin *b0 = H0 + c0[r], *b1 = H1 + c1[r], \
				*b2 = H2 + c2[r], *b3 = H3 + c3[r]; \
			HIST_ADD(b0, v); \
			HIST_ADD(b1, v); \
			HIST_ADD(b2, v); \
			HIST_ADD(b3, v); \
			if (count) { \
				b0->c++; \
				b1->c++; \
				b2->c++; \
				b3->c++; \
			} \
		} while (0)
		/* One loop per case, so the compiler keeps no test in it. */
		if (root && f->const_hess)
			for (i = 0; i < m; i++)
				HIST_ROW(i, 0, 0);
		else if (root)
			for (i = 0; i < m; i++)
				HIST_ROW(i, 1, 0);
		else if (f->const_hess)
			for (i = 0; i < m; i++)
				HIST_ROW(idx[i], 0, 1);
		else
			for (i = 0; i < m; i++)
				HIST_ROW(idx[i], 1, 1);
		if (root)
			for (j = j0; j < j0 + nj; j++)
				root_counts(f, j);
#undef HIST_ROW
#undef HIST_ADD
#undef GH_GET
#undef GH_T
		return;
	}
	for (j = j0; j < j0 + nj; j++) {
		const uint8_t *col = f->Xb + j * f->n;
		struct hbin *H = f->cur_hist + j * f->nb;

		for (i = 0; i < m; i++) {
			struct hbin *b = H + col[root ? i : idx[i]];

			b->g += gh[2 * i];
			b->h += f->const_hess ? 0 : gh[2 * i + 1];
			b->c++;
		}
	}
}

/* Gradients of the current node's rows in row order (unit = chunk). */
static void gather_chunk(void *ctx, size_t u, int tid)
{
	struct fit *f = ctx;
	struct gnode *nd = f->cur;
	size_t i, lo = u * CHUNK, hi = lo + CHUNK, m = nd->stop - nd->start;
	const uint32_t *idx = f->idx + nd->start;
	const float *gh = f->gh + 2 * f->cur_k * f->n;

	(void)tid;
	if (hi > m)
		hi = m;
	/* A pair at a time: 8 bytes, as the histogram loop loads them. */
	for (i = lo; i < hi; i++)
		memcpy(f->ogh + 2 * i, gh + 2 * (size_t)idx[i], 2 * sizeof(*gh));
}

/* cur_other -= cur_hist for one feature: the larger child's histogram. */
static void subtract_feature(void *ctx, size_t j, int tid)
{
	struct fit *f = ctx;
	struct hbin *a = f->cur_other + j * f->nb;
	const struct hbin *b = f->cur_hist + j * f->nb;
	size_t i;

	(void)tid;
	for (i = 0; i < f->nb; i++) {
		if (i == f->nthr[j] + 1)
			i = f->missing_bin;
		a[i].g -= b[i].g;
		a[i].h -= b[i].h;
		a[i].c -= b[i].c;
	}
}

static double node_value(double g, double h, double l2)
{
	return -g / (h + l2 + 1e-15);
}

static double split_gain(double gl, double hl, double gr, double hr,
			 double loss_cur, double l2)
{
	double vl = node_value(gl, hl, l2), vr = node_value(gr, hr, l2);

	return loss_cur - gl * vl - gr * vr;
}

/* One feature's candidate splits: left sums by bin, and their gains. */
struct scan {
	double gl[256], hl[256], gain[256];
	uint32_t nl[256];
	unsigned char ok[256];
};

/* sc->gain[0..nb): split_gain() of each bin's left and right sums. */
static void gains(struct scan *sc, size_t nb, double sg, double sh,
		  double loss_cur, double l2)
{
	size_t b = 0;

#if defined(__SSE2__)
	const __m128d vsg = _mm_set1_pd(sg), vsh = _mm_set1_pd(sh);
	const __m128d vl2 = _mm_set1_pd(l2), eps = _mm_set1_pd(1e-15);
	const __m128d vloss = _mm_set1_pd(loss_cur), neg = _mm_set1_pd(-0.0);

	/* node_value() and split_gain(), lane by lane: the same roundings. */
	for (; b + 2 <= nb; b += 2) {
		__m128d gl = _mm_loadu_pd(sc->gl + b), hl = _mm_loadu_pd(sc->hl + b);
		__m128d gr = _mm_sub_pd(vsg, gl), hr = _mm_sub_pd(vsh, hl);
		__m128d vl = _mm_div_pd(_mm_xor_pd(gl, neg),
					_mm_add_pd(_mm_add_pd(hl, vl2), eps));
		__m128d vr = _mm_div_pd(_mm_xor_pd(gr, neg),
					_mm_add_pd(_mm_add_pd(hr, vl2), eps));

		_mm_storeu_pd(sc->gain + b,
			      _mm_sub_pd(_mm_sub_pd(vloss, _mm_mul_pd(gl, vl)),
					 _mm_mul_pd(gr, vr)));
	}
#endif
	for (; b < nb; b++)
		sc->gain[b] = split_gain(sc->gl[b], sc->hl[b], sg - sc->gl[b],
					 sh - sc->hl[b], loss_cur, l2);
}

/* The best split of one feature for the current node (unit = feature). */
static void split_feature(void *ctx, size_t j, int tid)
{
	struct scan sc;
	struct fit *f = ctx;
	const struct gnode *nd = f->cur;
	const struct hbin *H = f->cur_hist + j * f->nb;
	struct split *s = f->fsplits + j;
	double l2 = f->p->l2_regularization, loss_cur = nd->sum_g * nd->value;
	double sg = nd->sum_g, sh = nd->sum_h, best = -1, gl, hl, gr, hr, gain;
	size_t msl = f->p->min_samples_leaf;
	uint32_t n = (uint32_t)(nd->stop - nd->start), nl, nr;
	size_t nbnm = f->nthr[j] + 1, end, b;
	int found = 0, hm = f->has_missing[j];

	(void)tid;
	s->gain = -1;
	s->feature = (int)j;
	end = nbnm - 1 + (size_t)hm;
	/*
	 * Missing values right: first the running sums and which bins may
	 * split, up to the first that ends the scan; then every gain, two
	 * at a time (the divisions are most of the cost); then the first
	 * largest. The same operations as one scalar loop, the same result.
	 */
	gl = hl = 0;
	nl = 0;
	for (b = 0; b < end; b++) {
		int skip;

		nl += H[b].c;
		nr = n - nl;
		hl += f->const_hess ? (double)H[b].c : H[b].h;
		hr = sh - hl;
		gl += H[b].g;
		skip = nl < msl;
		if (!skip && nr < msl)
			break;
		skip = skip || hl < MIN_HESSIAN;
		if (!skip && hr < MIN_HESSIAN)
			break;
		sc.gl[b] = gl;
		sc.hl[b] = hl;
		sc.nl[b] = nl;
		sc.ok[b] = (unsigned char)!skip;
	}
	gains(&sc, b, sg, sh, loss_cur, l2);
	end = b;
	{
		size_t at = end;

		/* Without branches: a new best is a coin toss to predict. */
		for (b = 0; b < end; b++) {
			double g = sc.gain[b];
			int better = sc.ok[b] & (g > best) & (g > 0);

			best = better ? g : best;
			at = better ? b : at;
		}
		if (at < end) {
			found = 1;
			s->bin = (unsigned)at;
			s->missing_left = 0;
			s->gl = sc.gl[at];
			s->hl = sc.hl[at];
			s->nl = sc.nl[at];
		}
	}
	if (hm && nbnm >= 2) {
		gr = hr = 0;
		nr = 0;
		for (b = nbnm - 1; b-- > 0;) {
			nr += H[b + 1].c;
			nl = n - nr;
			hr += f->const_hess ? (double)H[b + 1].c : H[b + 1].h;
			hl = sh - hr;
			gr += H[b + 1].g;
			gl = sg - gr;
			if (nr < msl)
				continue;
			if (nl < msl)
				break;
			if (hr < MIN_HESSIAN)
				continue;
			if (hl < MIN_HESSIAN)
				break;
			gain = split_gain(gl, hl, gr, hr, loss_cur, l2);
			if (gain > best && gain > 0) {
				found = 1;
				best = gain;
				s->bin = (unsigned)b;
				s->missing_left = 1;
				s->gl = gl;
				s->hl = hl;
				s->nl = nl;
			}
		}
	}
	if (!found)
		return;
	s->gain = best;
	s->gr = sg - s->gl;
	s->hr = sh - s->hl;
	s->nr = n - s->nl;
	s->vl = node_value(s->gl, s->hl, l2);
	s->vr = node_value(s->gr, s->hr, l2);
}

static int heap_less(const struct fit *f, int a, int b)
{
	double ga = f->nodes[a].split.gain, gb = f->nodes[b].split.gain;

	/* Larger gain first; the older node on ties. */
	return ga > gb || (ga == gb && a < b);
}

static void heap_push(struct fit *f, int v)
{
	size_t i = f->nheap++;

	f->heap[i] = v;
	while (i) {
		size_t up = (i - 1) / 2;

		if (!heap_less(f, f->heap[i], f->heap[up]))
			break;
		f->heap[i] = f->heap[up];
		f->heap[up] = v;
		i = up;
	}
}

static int heap_pop(struct fit *f)
{
	int top = f->heap[0];
	size_t i = 0;

	f->heap[0] = f->heap[--f->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		int t;

		if (l < f->nheap && heap_less(f, f->heap[l], f->heap[m]))
			m = l;
		if (r < f->nheap && heap_less(f, f->heap[r], f->heap[m]))
			m = r;
		if (m == i)
			break;
		t = f->heap[i];
		f->heap[i] = f->heap[m];
		f->heap[m] = t;
		i = m;
	}
	return top;
}

static int new_node(struct fit *f, size_t start, size_t stop, double sg,
		    double sh, double value, size_t depth)
{
	struct gnode *nd;

	if (f->nnodes == f->alloc_nodes) {
		f->alloc_nodes = f->alloc_nodes ? 2 * f->alloc_nodes : 64;
		f->nodes = xrealloc(f->nodes, f->alloc_nodes * sizeof(*f->nodes));
		f->heap = xrealloc(f->heap, f->alloc_nodes * sizeof(*f->heap));
	}
	nd = f->nodes + f->nnodes;
	memset(nd, 0, sizeof(*nd));
	nd->start = start;
	nd->stop = stop;
	nd->sum_g = sg;
	nd->sum_h = sh;
	nd->value = value;
	nd->depth = depth;
	nd->hist = -1;
	nd->left = nd->right = -1;
	nd->split.gain = -1;
	return (int)f->nnodes++;
}

static void finalize_leaf(struct fit *f, int id)
{
	struct gnode *nd = f->nodes + id;

	nd->leaf = 1;
	hist_put(f, nd->hist);
	nd->hist = -1;
	f->nleaves++;
}

static void build_hist(struct fit *f, int id)
{
	struct gnode *nd = f->nodes + id;
	size_t m = nd->stop - nd->start;

	f->cur = nd;
	if (m != f->n)
		pool_run(&f->pool, (m + CHUNK - 1) / CHUNK, m, gather_chunk, f);
	f->cur_hist = f->hists[nd->hist];
	pool_run(&f->pool, (f->d + HIST_BLOCK - 1) / HIST_BLOCK, m * f->d,
		 hist_block, f);
}

static void find_split_push(struct fit *f, int id)
{
	struct gnode *nd = f->nodes + id;
	size_t j, best = 0;

	f->cur = nd;
	f->cur_hist = f->hists[nd->hist];
	pool_run(&f->pool, f->d, f->d * f->nb * 4, split_feature, f);
	for (j = 1; j < f->d; j++)
		if (f->fsplits[j].gain > f->fsplits[best].gain)
			best = j;
	nd->split = f->fsplits[best];
	if (nd->split.gain <= 0)
		finalize_leaf(f, id);
	else
		heap_push(f, id);
}

/* Stable partition of a node's rows by its split; returns the left count. */
static size_t partition(struct fit *f, struct gnode *nd)
{
	const struct split *s = &nd->split;
	const uint8_t *col = f->Xb + (size_t)s->feature * f->n;
	uint32_t *idx = f->idx + nd->start;
	size_t i, m = nd->stop - nd->start, nl = 0, nr = 0;
	unsigned miss = (unsigned)f->missing_bin;

	/*
	 * Without branches: which side a row goes is a coin toss to the
	 * branch predictor. Both places get the row, one index moves on;
	 * idx[nl] is never past idx[i], so nothing unread is overwritten.
	 */
	for (i = 0; i < m; i++) {
		uint32_t r = idx[i];
		unsigned b = col[r];
		size_t left = (size_t)((b != miss) & (b <= s->bin)) |
			(size_t)((b == miss) & (s->missing_left != 0));

		idx[nl] = r;
		f->tmp[nr] = r;
		nl += left;
		nr += left ^ 1;
	}
	memcpy(idx + nl, f->tmp, nr * sizeof(*idx));
	return nl;
}

static void split_next(struct fit *f)
{
	int id = heap_pop(f), l, r, small, large;
	struct gnode *nd = f->nodes + id;
	size_t nl, depth = nd->depth + 1, nleaf;
	const struct mlci_hgb_params *p = f->p;
	int split_l, split_r;

	nl = partition(f, nd);
	f->gains[nd->split.feature] += id == 0 ?
		nd->split.gain - nd->sum_g * nd->sum_g /
		(nd->sum_h + p->l2_regularization + 1e-15) : nd->split.gain;
	l = new_node(f, nd->start, nd->start + nl, nd->split.gl, nd->split.hl,
		     nd->split.vl, depth);
	r = new_node(f, nd->start + nl, f->nodes[id].stop, f->nodes[id].split.gr,
		     f->nodes[id].split.hr, f->nodes[id].split.vr, depth);
	nd = f->nodes + id;
	nd->left = l;
	nd->right = r;
	if (!f->has_missing[nd->split.feature])
		nd->split.missing_left = nl > nd->stop - nd->start - nl;
	nleaf = f->nleaves + f->nheap + 2;
	if (p->max_leaf_nodes && nleaf == p->max_leaf_nodes) {
		finalize_leaf(f, l);
		finalize_leaf(f, r);
		while (f->nheap)
			finalize_leaf(f, heap_pop(f));
		hist_put(f, f->nodes[id].hist);
		f->nodes[id].hist = -1;
		return;
	}
	if (p->max_depth && depth == p->max_depth) {
		finalize_leaf(f, l);
		finalize_leaf(f, r);
		hist_put(f, f->nodes[id].hist);
		f->nodes[id].hist = -1;
		return;
	}
	if (f->nodes[l].stop - f->nodes[l].start < 2 * p->min_samples_leaf)
		finalize_leaf(f, l);
	if (f->nodes[r].stop - f->nodes[r].start < 2 * p->min_samples_leaf)
		finalize_leaf(f, r);
	split_l = !f->nodes[l].leaf;
	split_r = !f->nodes[r].leaf;
	if (split_l || split_r) {
		size_t ml = f->nodes[l].stop - f->nodes[l].start;
		size_t mr = f->nodes[r].stop - f->nodes[r].start;

		if (ml < mr) {
			small = l;
			large = r;
		} else {
			small = r;
			large = l;
		}
		f->nodes[small].hist = hist_get(f);
		build_hist(f, small);
		/* The parent's histogram becomes the larger child's. */
		f->nodes[large].hist = f->nodes[id].hist;
		f->nodes[id].hist = -1;
		f->cur_hist = f->hists[f->nodes[small].hist];
		f->cur_other = f->hists[f->nodes[large].hist];
		pool_run(&f->pool, f->d, f->d * f->nb, subtract_feature, f);
		if (split_l)
			find_split_push(f, l);
		if (split_r)
			find_split_push(f, r);
		if (!split_l) {
			hist_put(f, f->nodes[l].hist);
			f->nodes[l].hist = -1;
		}
		if (!split_r) {
			hist_put(f, f->nodes[r].hist);
			f->nodes[r].hist = -1;
		}
	} else {
		hist_put(f, f->nodes[id].hist);
		f->nodes[id].hist = -1;
	}
}

/* Grow one tree on the gradients of output cur_k. */
static void grow(struct fit *f)
{
	size_t i, nch = (f->n + CHUNK - 1) / CHUNK;
	double sg = 0, sh = 0;
	int root;

	f->nnodes = 0;
	f->nheap = 0;
	f->nleaves = 0;
	for (i = 0; i < f->n; i++)
		f->idx[i] = (uint32_t)i;
	pool_run(&f->pool, nch, f->n, sum_g_chunk, f);
	for (i = 0; i < nch; i++) {
		sg += f->partial[2 * i];
		sh += f->partial[2 * i + 1];
	}
	if (f->const_hess)
		sh = (double)f->n;
	root = new_node(f, 0, f->n, sg, sh, 0, 0);
	if (f->n < 2 * f->p->min_samples_leaf || sh < MIN_HESSIAN) {
		finalize_leaf(f, root);
		return;
	}
	f->nodes[root].hist = hist_get(f);
	build_hist(f, root);
	find_split_push(f, root);
	while (f->nheap)
		split_next(f);
}

static void model_reserve(struct mlci_hgb_model *m, size_t more)
{
	if (m->n_nodes + more <= m->alloc_nodes)
		return;
	m->alloc_nodes = m->alloc_nodes * 2 > m->n_nodes + more ?
		m->alloc_nodes * 2 : m->n_nodes + more + 1024;
	m->nodes = xrealloc(m->nodes, m->alloc_nodes * sizeof(*m->nodes));
}

/* Write the subtree of grower node id in pre-order; returns its size. */
static size_t emit(struct fit *f, struct mlci_hgb_model *m, size_t base,
		   int id)
{
	const struct gnode *nd = f->nodes + id;
	size_t at = m->n_nodes, nl;
	struct mlci_hgb_node *o;

	m->n_nodes++;
	o = m->nodes + at;
	memset(o, 0, sizeof(*o));
	if (nd->leaf) {
		o->feature = -1;
		o->value = nd->value * f->p->learning_rate;
		return 1;
	}
	o->feature = nd->split.feature;
	o->missing_left = (uint8_t)nd->split.missing_left;
	o->value = nd->split.bin == f->nthr[nd->split.feature] ?
		ALMOST_INF : f->thr[nd->split.feature][nd->split.bin];
	nl = emit(f, m, base, nd->left);
	m->nodes[at].right = (uint32_t)(at + 1 + nl - base);
	return 1 + nl + emit(f, m, base, nd->right);
}

/* Leaf values into the training raw predictions of output cur_k. */
static void update_raw(struct fit *f)
{
	size_t i, j;
	double lr = f->p->learning_rate;

	for (i = 0; i < f->nnodes; i++) {
		const struct gnode *nd = f->nodes + i;
		double v;

		if (!nd->leaf)
			continue;
		v = nd->value * lr;
		for (j = nd->start; j < nd->stop; j++)
			f->raw[(size_t)f->idx[j] * f->k + f->cur_k] += v;
	}
}

static double tree_value(const struct mlci_hgb_node *t, const double *x)
{
	size_t i = 0;

	while (t[i].feature >= 0) {
		double v = x[t[i].feature];
		int left = isnan(v) ? t[i].missing_left : v <= t[i].value;

		i = left ? i + 1 : t[i].right;
	}
	return t[i].value;
}

/*
 * The value of the tree just grown for a row given as bins (d per row):
 * the same leaf as tree_value() on the row's numbers, since a value is
 * at most threshold b exactly when its bin is at most b.
 */
static double tree_value_binned(const struct fit *f, const uint8_t *row)
{
	const struct gnode *nd = f->nodes;

	while (!nd->leaf) {
		unsigned b = row[nd->split.feature];
		int left = b == f->missing_bin ? nd->split.missing_left
			: b <= nd->split.bin;

		nd = f->nodes + (left ? nd->left : nd->right);
	}
	return nd->value * f->p->learning_rate;
}

static void baseline(const double *y, const double *w, size_t n, size_t k,
		     size_t nclasses, double *out)
{
	double eps = 10 * DBL_EPSILON, sw = 0, mean = 0;
	size_t i, c;

	if (!nclasses) {
		for (i = 0; i < n; i++) {
			sw += w ? w[i] : 1;
			mean += (w ? w[i] : 1) * y[i];
		}
		out[0] = mean / sw;
		return;
	}
	{
		double *cnt = xcalloc(nclasses, sizeof(*cnt)), mlog = 0;

		for (i = 0; i < n; i++) {
			cnt[(size_t)y[i]] += w ? w[i] : 1;
			sw += w ? w[i] : 1;
		}
		for (c = 0; c < nclasses; c++) {
			cnt[c] /= sw;
			if (cnt[c] < eps)
				cnt[c] = eps;
			if (cnt[c] > 1 - eps)
				cnt[c] = 1 - eps;
		}
		if (k == 1) {
			out[0] = log(cnt[1] / (1 - cnt[1]));
		} else {
			for (c = 0; c < k; c++)
				mlog += log(cnt[c]);
			mlog /= (double)k;
			for (c = 0; c < k; c++)
				out[c] = log(cnt[c]) - mlog;
		}
		free(cnt);
	}
}

/* Mean loss of raw predictions r (n x k) on y, weights w. */
static double mean_loss(const double *r, const double *y, const double *w,
			size_t n, size_t k, int classify)
{
	double s = 0, sw = 0;
	size_t i, c;

	for (i = 0; i < n; i++) {
		double wi = w ? w[i] : 1, l;
		const double *ri = r + i * k;

		if (!classify) {
			l = 0.5 * (ri[0] - y[i]) * (ri[0] - y[i]);
		} else if (k == 1) {
			l = log1pexp(ri[0]) - y[i] * ri[0];
		} else {
			double mx = ri[0], e = 0;

			for (c = 1; c < k; c++)
				if (ri[c] > mx)
					mx = ri[c];
			for (c = 0; c < k; c++)
				e += exp(ri[c] - mx);
			l = log(e) + mx - ri[(size_t)y[i]];
		}
		s += wi * l;
		sw += wi;
	}
	return s / sw;
}

/* sklearn's _should_stop on the losses l[0..n) (l[0]: the baseline). */
static int should_stop(const double *l, size_t n, size_t nic, double tol)
{
	double ref;
	size_t i;

	if (n < nic + 1)
		return 0;
	/* Scores are negated losses: an improvement is a score above ref. */
	ref = -l[n - nic - 1] + tol;
	for (i = n - nic; i < n; i++)
		if (-l[i] > ref)
			return 0;
	return 1;
}

static void fit_release(struct fit *f)
{
	size_t i;

	pool_stop(&f->pool);
	free(f->Xb);
	free(f->root_c);
	if (f->thr)
		for (i = 0; i < f->d; i++)
			free(f->thr[i]);
	free(f->thr);
	free(f->nthr);
	free(f->has_missing);
	free(f->raw);
	free(f->gh);
	free(f->idx);
	free(f->tmp);
	free(f->ogh);
	for (i = 0; i < f->nhists; i++)
		free(f->hists[i]);
	free(f->hists);
	free(f->free_hists);
	free(f->nodes);
	free(f->heap);
	free(f->fsplits);
	free(f->gains);
	free(f->partial);
	free(f->scratch);
}

/* Feature j of row r, from X (row-major) or the columns. */
static double value_at(const double *X, const double *const *cols, size_t d,
		       size_t r, size_t j)
{
	return X ? X[r * d + j] : cols[j][r];
}

/*
 * The first infinite value in row order, *row and *col; 0 when there is
 * none. Columns are read down, each as far as the first found so far.
 */
static int first_inf(const double *X, const double *const *cols, size_t n,
		     size_t d, size_t *row, size_t *col)
{
	size_t i, j, end = n;

	*row = *col = 0;
	for (i = 0; X && i < n * d; i++)
		if (isinf(X[i])) {
			*row = i / d;
			*col = i % d;
			return 1;
		}
	for (j = 0; !X && j < d; j++)
		for (i = 0; i < end; i++)
			if (isinf(cols[j][i])) {
				*row = end = i;
				*col = j;
				break;
			}
	return end < n;
}

int mlci_hgb_fit(struct mlci_hgb_model *m, const struct mlci_hgb_params *p,
		 const double *X, const double *const *cols, const double *y,
		 const double *weight, size_t n, size_t d, size_t nclasses)
{
	struct fit f;
	size_t i, j, c, it, ntr = n, nval = 0, *tr = NULL, *va = NULL;
	size_t k = nclasses > 2 ? nclasses : 1, *bin_rows = NULL, nt;
	double *ytr = NULL, *wtr = NULL, *yva = NULL, *wva = NULL;
	double *rawva = NULL, sw = 0;
	uint8_t *Xbv = NULL;		/* the validation rows' bins, row-major */
	int es, ret = 0;
	int32_t *yc = NULL;

	mlci_hgb_model_release(m);
	memset(&f, 0, sizeof(f));
	if (!n || !d)
		return mlci_error(MLCI_EXIT_INPUT,
				  "gradient_boosting: no rows or no features");
	if (n > UINT32_MAX)
		return mlci_error(MLCI_EXIT_INPUT,
				  "gradient_boosting: too many rows (%zu)", n);
	if (first_inf(X, cols, n, d, &i, &j))
		return mlci_error(MLCI_EXIT_INPUT,
				  "gradient_boosting: infinite value in row %zu, feature %zu",
				  i + 1, j + 1);
	es = p->early_stopping < 0 ? n > 10000 : p->early_stopping;
	tr = xmalloc(n * sizeof(*tr));
	if (es) {
		va = xmalloc(n * sizeof(*va));
		if (nclasses) {
			yc = xmalloc(n * sizeof(*yc));
			for (i = 0; i < n; i++)
				yc[i] = (int32_t)y[i];
		}
		ret = mlci_split_train_test(n, p->validation_fraction, p->seed,
					    yc, nclasses, tr, &ntr, va, &nval);
		free(yc);
		if (ret) {
			mlci_error(MLCI_EXIT_INPUT,
				   "gradient_boosting: cannot hold out the early-stopping validation rows");
			goto out;
		}
	} else {
		for (i = 0; i < n; i++)
			tr[i] = i;
	}
	ytr = xmalloc(ntr * sizeof(*ytr));
	if (weight)
		wtr = xmalloc(ntr * sizeof(*wtr));
	for (i = 0; i < ntr; i++) {
		ytr[i] = y[tr[i]];
		if (weight)
			wtr[i] = weight[tr[i]];
	}
	if (nclasses) {
		char *seen = xcalloc(nclasses, 1);
		size_t ns = 0;

		for (i = 0; i < ntr; i++)
			if (!seen[(size_t)ytr[i]]) {
				seen[(size_t)ytr[i]] = 1;
				ns++;
			}
		free(seen);
		if (ns < nclasses) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "gradient_boosting: a class has no training row left after the early-stopping split");
			goto out;
		}
	}

	f.p = p;
	f.n = ntr;
	f.d = d;
	f.k = k;
	f.nb = p->max_bins + 1;
	f.missing_bin = p->max_bins;
	f.y = ytr;
	f.w = wtr;
	f.classify = nclasses > 0;
	nt = (size_t)threads_of(p->n_jobs);
	pool_start(&f.pool, (int)nt);
	nt = (size_t)(f.pool.nt > 1 ? f.pool.nt : 1);

	/* Bins, from at most BIN_SUBSAMPLE rows. */
	f.nbin_rows = ntr > BIN_SUBSAMPLE ? BIN_SUBSAMPLE : ntr;
	bin_rows = xmalloc(ntr * sizeof(*bin_rows));
	for (i = 0; i < ntr; i++)
		bin_rows[i] = i;
	if (ntr > BIN_SUBSAMPLE) {
		struct mlci_rng rng;

		mlci_rng_seed(&rng, p->seed ^ 0x9e3779b97f4a7c15ULL);
		for (i = 0; i < BIN_SUBSAMPLE; i++) {
			size_t r = i + (size_t)mlci_rng_below(&rng, ntr - i), t;

			t = bin_rows[i];
			bin_rows[i] = bin_rows[r];
			bin_rows[r] = t;
		}
	}
	f.bin_rows = bin_rows;
	f.Xb = xmalloc(ntr * d);
	f.thr = xcalloc(d, sizeof(*f.thr));
	for (j = 0; j < d; j++)
		f.thr[j] = xmalloc(p->max_bins * sizeof(double));
	f.nthr = xcalloc(d, sizeof(*f.nthr));
	f.has_missing = xcalloc(d, 1);
	f.scratch = xmalloc(nt * (X ? BIN_BLOCK + 1 : 1) * ntr * sizeof(double));
	f.Xtrain = X;
	f.cols = cols;
	f.rows = tr;
	f.d_src = d;
	pool_run(&f.pool, (d + BIN_BLOCK - 1) / BIN_BLOCK, ntr * d * 16,
		 bin_block, &f);
	free(f.scratch);
	f.scratch = NULL;

	f.const_hess = !nclasses && !weight;
	f.raw = xmalloc(ntr * k * sizeof(double));
	f.gh = xmalloc(2 * ntr * k * sizeof(float));
	f.idx = xmalloc(ntr * sizeof(*f.idx));
	f.tmp = xmalloc(ntr * sizeof(*f.tmp));
	f.ogh = xmalloc(2 * ntr * sizeof(float));
	f.root_c = xcalloc(d * f.nb, sizeof(*f.root_c));
	for (j = 0; j < d; j++)
		for (i = 0; i < ntr; i++)
			f.root_c[j * f.nb + f.Xb[j * ntr + i]]++;
	f.fsplits = xcalloc(d, sizeof(*f.fsplits));
	f.gains = xcalloc(d, sizeof(double));
	f.nchunks = (ntr + CHUNK - 1) / CHUNK;
	f.partial = xcalloc(2 * f.nchunks, sizeof(double));

	m->n_features = d;
	m->n_classes = nclasses;
	m->k = k;
	m->early_stopping = es;
	m->baseline = xmalloc(k * sizeof(double));
	baseline(ytr, wtr, ntr, k, nclasses, m->baseline);
	for (i = 0; i < ntr; i++) {
		for (c = 0; c < k; c++)
			f.raw[i * k + c] = m->baseline[c];
		sw += wtr ? wtr[i] : 1;
	}
	m->tree_start = xmalloc((p->max_iter * k + 1) * sizeof(size_t));
	m->tree_start[0] = 0;
	m->train_loss = xmalloc((p->max_iter + 1) * sizeof(double));
	if (es) {
		yva = xmalloc(nval * sizeof(*yva));
		if (weight)
			wva = xmalloc(nval * sizeof(*wva));
		rawva = xmalloc(nval * k * sizeof(double));
		for (i = 0; i < nval; i++) {
			yva[i] = y[va[i]];
			if (weight)
				wva[i] = weight[va[i]];
			for (c = 0; c < k; c++)
				rawva[i * k + c] = m->baseline[c];
		}
		Xbv = xmalloc(nval * d);
		for (i = 0; i < nval; i++)
			for (j = 0; j < d; j++)
				Xbv[i * d + j] = bin_of(f.thr[j], f.nthr[j],
							value_at(X, cols, d,
								 va[i], j),
							f.missing_bin);
		m->val_loss = xmalloc((p->max_iter + 1) * sizeof(double));
		m->val_loss[0] = mean_loss(rawva, yva, wva, nval, k, nclasses > 0);
	}

	for (it = 0; it < p->max_iter; it++) {
		double lsum;

		/* The gradient pass gives the loss of the previous iteration. */
		pool_run(&f.pool, f.nchunks, ntr * k * 32, grad_chunk, &f);
		lsum = sum_partials(f.partial, f.nchunks);
		m->train_loss[it] = lsum / sw;
		for (c = 0; c < k; c++) {
			size_t before = m->n_nodes, t = it * k + c;

			f.cur_k = c;
			grow(&f);
			update_raw(&f);
			model_reserve(m, f.nnodes);
			emit(&f, m, before, 0);
			m->tree_start[t + 1] = m->n_nodes;
			if (es)
				for (i = 0; i < nval; i++)
					rawva[i * k + c] += tree_value_binned(
						&f, Xbv + i * d);
		}
		m->n_iter = it + 1;
		if (es) {
			m->val_loss[it + 1] = mean_loss(rawva, yva, wva, nval, k,
							nclasses > 0);
			if (should_stop(m->val_loss, it + 2, p->n_iter_no_change,
					p->tol)) {
				m->early_stopped = it + 1 < p->max_iter;
				break;
			}
		}
	}
	pool_run(&f.pool, f.nchunks, ntr * k * 32, grad_chunk, &f);
	m->train_loss[m->n_iter] = sum_partials(f.partial, f.nchunks) / sw;
	/* The history keeps the loss after each iteration. */
	memmove(m->train_loss, m->train_loss + 1, m->n_iter * sizeof(double));
	if (m->val_loss)
		memmove(m->val_loss, m->val_loss + 1, m->n_iter * sizeof(double));
	{
		double tot = 0;

		m->importances = xcalloc(d, sizeof(double));
		for (j = 0; j < d; j++)
			tot += f.gains[j];
		for (j = 0; j < d; j++)
			m->importances[j] = tot > 0 ? f.gains[j] / tot : 0;
	}
	for (i = 0; i < m->n_nodes; i++)
		if (!isfinite(m->nodes[i].value)) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "gradient_boosting: the fit diverged (a non-finite leaf value)");
			goto out;
		}
out:
	fit_release(&f);
	free(tr);
	free(va);
	free(ytr);
	free(wtr);
	free(yva);
	free(wva);
	free(rawva);
	free(Xbv);
	free(bin_rows);
	if (ret)
		mlci_hgb_model_release(m);
	return ret;
}

/* ---- prediction ---- */

void mlci_hgb_raw(const struct mlci_hgb_model *m, const double *X, size_t n,
		  double *out)
{
	size_t i, t, c, k = m->k;

	size_t b;

	for (i = 0; i < n; i++)
		for (c = 0; c < k; c++)
			out[i * k + c] = m->baseline[c];
	/*
	 * Blocks of rows through every tree: the rows stay in cache, and
	 * each row still adds its trees in order.
	 */
	for (b = 0; b < n; b += 64) {
		size_t e = b + 64 < n ? b + 64 : n;

		for (t = 0; t < m->n_iter * k; t++) {
			const struct mlci_hgb_node *tree = m->nodes + m->tree_start[t];

			c = t % k;
			for (i = b; i < e; i++)
				out[i * k + c] += tree_value(tree, X + i * m->n_features);
		}
	}
}

void mlci_hgb_predict_proba(const struct mlci_hgb_model *m, const double *X,
			    size_t n, double *out)
{
	size_t i, c, k = m->k, nc = m->n_classes;
	double *raw = xmalloc(n * k * sizeof(double));

	mlci_hgb_raw(m, X, n, raw);
	for (i = 0; i < n; i++) {
		const double *r = raw + i * k;
		double *o = out + i * nc;

		if (k == 1) {
			double p1 = 1 / (1 + exp(-r[0]));

			o[0] = 1 - p1;
			o[1] = p1;
		} else {
			double mx = r[0], s = 0;

			for (c = 1; c < k; c++)
				if (r[c] > mx)
					mx = r[c];
			for (c = 0; c < k; c++)
				s += (o[c] = exp(r[c] - mx));
			for (c = 0; c < k; c++)
				o[c] /= s;
		}
	}
	free(raw);
}

/* The class of highest probability per row (the first on a tie). */
static void argmax_rows(const double *pr, size_t n, size_t nc, double *out)
{
	for (size_t i = 0; i < n; i++) {
		size_t best = 0;

		for (size_t c = 1; c < nc; c++)
			if (pr[i * nc + c] > pr[i * nc + best])
				best = c;
		out[i] = (double)best;
	}
}

void mlci_hgb_predict(const struct mlci_hgb_model *m, const double *X,
		      size_t n, double *out)
{
	size_t nc = m->n_classes;
	double *pr;

	if (!nc) {
		mlci_hgb_raw(m, X, n, out);
		return;
	}
	pr = xmalloc(n * nc * sizeof(double));
	mlci_hgb_predict_proba(m, X, n, pr);
	argmax_rows(pr, n, nc, out);
	free(pr);
}

/* ---- the model file ---- */

static cJSON *number_array(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, mlci_json_number(v[i]));
	return a;
}

static void set_base64(cJSON *o, const char *key, const void *b, size_t len)
{
	char *s = mlci_base64url_encode(b, len);

	mlci_json_set_string(o, key, s);
	free(s);
}

/* The bytes of obj[key] (base64) when they are n * size long, else NULL. */
static unsigned char *get_base64(const cJSON *obj, const char *key,
				 size_t size, size_t *n)
{
	const char *s = mlci_json_get_string(obj, key);
	unsigned char *out = NULL;
	size_t len;

	if (!s || mlci_base64url_decode(s, strlen(s), &out, &len))
		return NULL;
	if (!len || len % size || (*n && len / size != *n)) {
		free(out);
		return NULL;
	}
	*n = len / size;
	return out;
}

cJSON *mlci_hgb_to_json(const struct mlci_hgb_model *m)
{
	cJSON *o = cJSON_CreateObject(), *trees = cJSON_CreateArray();
	size_t t, i;

	mlci_json_set_string(o, "model", "gradient_boosting");
	mlci_json_set_string(o, "loss", m->n_classes ? "log_loss" : "squared_error");
	mlci_json_set_number(o, "n_features", (double)m->n_features);
	mlci_json_set_number(o, "n_classes", (double)m->n_classes);
	mlci_json_set_number(o, "iterations", (double)m->n_iter);
	mlci_json_set(o, "baseline", number_array(m->baseline, m->k));
	for (t = 0; t < m->n_iter * m->k; t++) {
		cJSON *tr = cJSON_CreateObject();
		size_t n = m->tree_start[t + 1] - m->tree_start[t];
		const struct mlci_hgb_node *nd = m->nodes + m->tree_start[t];
		unsigned char *fb = xmalloc(4 * n), *vb = xmalloc(8 * n),
			*mb = xmalloc(n);

		for (i = 0; i < n; i++) {
			uint32_t u = (uint32_t)nd[i].feature;
			uint64_t v;
			int b;

			memcpy(&v, &nd[i].value, sizeof(v));
			for (b = 0; b < 4; b++)
				fb[4 * i + b] = (unsigned char)(u >> (8 * b));
			for (b = 0; b < 8; b++)
				vb[8 * i + b] = (unsigned char)(v >> (8 * b));
			mb[i] = nd[i].missing_left;
		}
		set_base64(tr, "feature", fb, 4 * n);
		set_base64(tr, "value", vb, 8 * n);
		set_base64(tr, "missing_left", mb, n);
		free(fb);
		free(vb);
		free(mb);
		cJSON_AddItemToArray(trees, tr);
	}
	mlci_json_set(o, "trees", trees);
	mlci_json_set(o, "feature_importances",
		      number_array(m->importances, m->n_features));
	return o;
}

static int bad_key(const char *what, const char *key)
{
	return mlci_error(MLCI_EXIT_INPUT, "%s: gradient_boosting model: bad or missing '%s'",
			  what, key);
}

/* A whole number in [lo, hi] at obj[key]. */
static int get_count(const cJSON *obj, const char *key, double lo, double hi,
		     size_t *out)
{
	double v;

	if (mlci_json_get_number(obj, key, &v) || v < lo || v > hi ||
	    v != floor(v))
		return -1;
	*out = (size_t)v;
	return 0;
}

/* n finite numbers at obj[key] into a new array. */
static double *get_numbers(const cJSON *obj, const char *key, size_t n)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key), *it;
	double *v;
	size_t i = 0;

	if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n)
		return NULL;
	v = xmalloc((n ? n : 1) * sizeof(*v));
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
			free(v);
			return NULL;
		}
		v[i++] = it->valuedouble;
	}
	return v;
}

/*
 * Give each split node of the pre-order tree t[0..n) its right child;
 * returns the size of the subtree at i, 0 when the tree is malformed.
 */
static size_t link_tree(struct mlci_hgb_node *t, size_t n, size_t i,
			size_t depth)
{
	size_t l, r;

	if (i >= n || depth > 100000)
		return 0;
	if (t[i].feature < 0)
		return 1;
	l = link_tree(t, n, i + 1, depth + 1);
	if (!l)
		return 0;
	t[i].right = (uint32_t)(i + 1 + l);
	r = link_tree(t, n, i + 1 + l, depth + 1);
	return r ? 1 + l + r : 0;
}

static const char *const model_keys[] = {
	"model", "loss", "n_features", "n_classes", "iterations", "baseline",
	"trees", "feature_importances", NULL
};

int mlci_hgb_from_json(struct mlci_hgb_model *m, const cJSON *json,
		       const char *what)
{
	const cJSON *it, *trees, *tr;
	const char *s;
	size_t i, t, ntrees;
	int ret = 0;

	mlci_hgb_model_release(m);
	cJSON_ArrayForEach(it, json) {
		for (i = 0; model_keys[i]; i++)
			if (!strcmp(it->string, model_keys[i]))
				break;
		if (!model_keys[i])
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: gradient_boosting model: unknown key '%s'",
					  what, it->string);
	}
	s = mlci_json_get_string(json, "model");
	if (!s || strcmp(s, "gradient_boosting"))
		return bad_key(what, "model");
	if (get_count(json, "n_features", 1, 1e9, &m->n_features))
		return bad_key(what, "n_features");
	if (get_count(json, "n_classes", 0, 1e6, &m->n_classes) ||
	    m->n_classes == 1)
		return bad_key(what, "n_classes");
	s = mlci_json_get_string(json, "loss");
	if (!s || strcmp(s, m->n_classes ? "log_loss" : "squared_error"))
		return bad_key(what, "loss");
	m->k = m->n_classes > 2 ? m->n_classes : 1;
	if (get_count(json, "iterations", 0, 1e9, &m->n_iter))
		return bad_key(what, "iterations");
	if (!(m->baseline = get_numbers(json, "baseline", m->k))) {
		ret = bad_key(what, "baseline");
		goto out;
	}
	if (!(m->importances = get_numbers(json, "feature_importances",
					   m->n_features))) {
		ret = bad_key(what, "feature_importances");
		goto out;
	}
	trees = cJSON_GetObjectItemCaseSensitive(json, "trees");
	ntrees = m->n_iter * m->k;
	if (!cJSON_IsArray(trees) || (size_t)cJSON_GetArraySize(trees) != ntrees) {
		ret = bad_key(what, "trees");
		goto out;
	}
	m->tree_start = xmalloc((ntrees + 1) * sizeof(size_t));
	m->tree_start[0] = 0;
	t = 0;
	cJSON_ArrayForEach(tr, trees) {
		size_t n = 0;
		unsigned char *fb = NULL, *vb = NULL, *mb = NULL;
		struct mlci_hgb_node *nd;
		int ok = cJSON_IsObject(tr) && cJSON_GetArraySize(tr) == 3;

		if (ok) {
			fb = get_base64(tr, "feature", 4, &n);
			vb = fb ? get_base64(tr, "value", 8, &n) : NULL;
			mb = vb ? get_base64(tr, "missing_left", 1, &n) : NULL;
			ok = mb != NULL;
		}
		if (ok) {
			model_reserve(m, n);
			nd = m->nodes + m->n_nodes;
			for (i = 0; i < n && ok; i++) {
				uint32_t u = 0;
				uint64_t v = 0;
				int b;

				for (b = 0; b < 4; b++)
					u |= (uint32_t)fb[4 * i + b] << (8 * b);
				for (b = 0; b < 8; b++)
					v |= (uint64_t)vb[8 * i + b] << (8 * b);
				memset(nd + i, 0, sizeof(*nd));
				nd[i].feature = (int32_t)u;
				memcpy(&nd[i].value, &v, sizeof(v));
				nd[i].missing_left = mb[i];
				ok = nd[i].feature >= -1 &&
					nd[i].feature < (int64_t)m->n_features &&
					mb[i] <= 1 && isfinite(nd[i].value);
			}
			ok = ok && link_tree(nd, n, 0, 0) == n;
		}
		free(fb);
		free(vb);
		free(mb);
		if (!ok) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s: gradient_boosting model: malformed tree %zu in 'trees'",
					 what, t + 1);
			goto out;
		}
		m->n_nodes += n;
		m->tree_start[++t] = m->n_nodes;
	}
out:
	if (ret)
		mlci_hgb_model_release(m);
	return ret;
}

/* ---- the adapter of lib/estimator ---- */

const struct mlci_family_type mlci_hgb_types[] = {
	{ "gradient_boosting", MLCI_TASK_NONE },
	{ "gradient_boosting_classifier", MLCI_TASK_CLASSIFICATION },
	{ "gradient_boosting_regressor", MLCI_TASK_REGRESSION },
	{ NULL, 0 }
};

const char *const mlci_hgb_keys[] = {
	"learning_rate", "max_iter", "max_leaf_nodes", "max_depth",
	"min_samples_leaf", "l2_regularization", "max_bins", "early_stopping",
	"validation_fraction", "n_iter_no_change", "tol", "random_state",
	"seed", "n_jobs", NULL
};

const char *const mlci_hgb_synonyms[] = { "random_state", "seed", NULL };

void mlci_hgb_params_init_adapter(const struct mlci_family *fam, void *params)
{
	(void)fam;
	mlci_hgb_params_init(params);
}

/* A whole number >= min, or null when null_ok (0). */
static int count_or_null(const struct mlci_config *cfg, const cJSON *it,
			 const char *k, double min, int null_ok, size_t *out)
{
	double v;
	int ret;

	if (null_ok && cJSON_IsNull(it)) {
		*out = 0;
		return 0;
	}
	ret = mlci_param_number(cfg, it, k, min, 1e9, 1, &v);
	if (!ret)
		*out = (size_t)v;
	return ret;
}

int mlci_hgb_set_param(const struct mlci_family *fam, void *params,
		       const struct mlci_config *cfg, const char *k,
		       const cJSON *it)
{
	struct mlci_hgb_params *p = params;
	double v;
	int ret = 0;

	(void)fam;
	if (!strcmp(k, "learning_rate")) {
		ret = mlci_param_number(cfg, it, k, 1e-300, 1e300, 0,
					&p->learning_rate);
	} else if (!strcmp(k, "max_iter")) {
		ret = count_or_null(cfg, it, k, 1, 0, &p->max_iter);
	} else if (!strcmp(k, "max_leaf_nodes")) {
		ret = count_or_null(cfg, it, k, 2, 1, &p->max_leaf_nodes);
	} else if (!strcmp(k, "max_depth")) {
		ret = count_or_null(cfg, it, k, 1, 1, &p->max_depth);
	} else if (!strcmp(k, "min_samples_leaf")) {
		ret = count_or_null(cfg, it, k, 1, 0, &p->min_samples_leaf);
	} else if (!strcmp(k, "l2_regularization")) {
		ret = mlci_param_number(cfg, it, k, 0, 1e300, 0,
					&p->l2_regularization);
	} else if (!strcmp(k, "max_bins")) {
		ret = mlci_param_number(cfg, it, k, 2, MLCI_HGB_MAX_BINS, 1, &v);
		if (!ret)
			p->max_bins = (size_t)v;
	} else if (!strcmp(k, "early_stopping")) {
		if (cJSON_IsString(it) && !strcmp(it->valuestring, "auto"))
			p->early_stopping = -1;
		else if (cJSON_IsBool(it))
			p->early_stopping = cJSON_IsTrue(it);
		else
			ret = mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						"'early_stopping' must be 'auto', true or false");
	} else if (!strcmp(k, "validation_fraction")) {
		ret = mlci_param_number(cfg, it, k, 1e-300, 1e9, 0,
					&p->validation_fraction);
		if (!ret && p->validation_fraction >= 1 &&
		    p->validation_fraction != floor(p->validation_fraction))
			ret = mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						"'validation_fraction' must be a fraction in (0, 1) or a whole number of rows");
	} else if (!strcmp(k, "n_iter_no_change")) {
		ret = count_or_null(cfg, it, k, 1, 0, &p->n_iter_no_change);
	} else if (!strcmp(k, "tol")) {
		ret = mlci_param_number(cfg, it, k, 0, 1e300, 0, &p->tol);
	} else if (!strcmp(k, "random_state") || !strcmp(k, "seed")) {
		ret = mlci_param_number(cfg, it, k, 0, 9007199254740992.0, 1, &v);
		if (!ret)
			p->seed = (uint64_t)v;
	} else if (!strcmp(k, "n_jobs")) {
		ret = mlci_param_number(cfg, it, k, -1, 1024, 1, &v);
		if (!ret && v == 0)
			ret = mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						"'n_jobs' must be -1 (every CPU) or a number of threads");
		if (!ret)
			p->n_jobs = (int)v;
	} else {
		ret = mlci_error(MLCI_EXIT_BUG, "gradient_boosting: no parameter '%s'", k);
	}
	return ret;
}

static void flat_number(cJSON *o, const char *key, double v)
{
	char buf[64];

	mlci_param_double(buf, sizeof(buf), v);
	mlci_json_set_string(o, key, buf);
}

static void flat_count(cJSON *o, const char *key, size_t v, int null_if_0)
{
	char buf[32];

	if (null_if_0 && !v) {
		mlci_json_set_string(o, key, "null");
		return;
	}
	snprintf(buf, sizeof(buf), "%zu", v);
	mlci_json_set_string(o, key, buf);
}

void mlci_hgb_params_flat(const struct mlci_family *fam, const void *params,
			  cJSON *o)
{
	const struct mlci_hgb_params *p = params;
	char buf[32];

	(void)fam;
	flat_number(o, "learning_rate", p->learning_rate);
	flat_count(o, "max_iter", p->max_iter, 0);
	flat_count(o, "max_leaf_nodes", p->max_leaf_nodes, 1);
	flat_count(o, "max_depth", p->max_depth, 1);
	flat_count(o, "min_samples_leaf", p->min_samples_leaf, 0);
	flat_number(o, "l2_regularization", p->l2_regularization);
	flat_count(o, "max_bins", p->max_bins, 0);
	mlci_json_set_string(o, "early_stopping", p->early_stopping < 0 ? "auto" :
			     p->early_stopping ? "true" : "false");
	flat_number(o, "validation_fraction", p->validation_fraction);
	flat_count(o, "n_iter_no_change", p->n_iter_no_change, 0);
	flat_number(o, "tol", p->tol);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)p->seed);
	mlci_json_set_string(o, "random_state", buf);
	snprintf(buf, sizeof(buf), "%d", p->n_jobs);
	mlci_json_set_string(o, "n_jobs", buf);
}

void mlci_hgb_model_init_adapter(void *model)
{
	mlci_hgb_model_init(model);
}

void mlci_hgb_model_release_adapter(void *model)
{
	mlci_hgb_model_release(model);
}

int mlci_hgb_fit_adapter(void *model, const void *params,
			 const struct mlci_fit_data *d)
{
	return mlci_hgb_fit(model, params, d->X, d->cols, d->y, d->weight,
			    d->n, d->d,
			    d->task == MLCI_TASK_CLASSIFICATION ? d->nclasses : 0);
}

int mlci_hgb_predict_adapter(const void *model, const double *X, size_t n,
			     double *out)
{
	mlci_hgb_predict(model, X, n, out);
	return 0;
}

int mlci_hgb_predict_both_adapter(const void *model, const double *X,
				  size_t n, double *pred, double *scores)
{
	const struct mlci_hgb_model *m = model;

	if (!m->n_classes)
		return mlci_error(MLCI_EXIT_BUG, "gradient_boosting: scores of a regressor");
	mlci_hgb_predict_proba(m, X, n, scores);
	argmax_rows(scores, n, m->n_classes, pred);
	return 0;
}

int mlci_hgb_scores_adapter(const void *model, const double *X, size_t n,
			    double *out)
{
	const struct mlci_hgb_model *m = model;

	if (!m->n_classes)
		return mlci_error(MLCI_EXIT_BUG, "gradient_boosting: scores of a regressor");
	mlci_hgb_predict_proba(model, X, n, out);
	return 0;
}

enum mlci_scores_kind mlci_hgb_scores_kind(const void *model)
{
	const struct mlci_hgb_model *m = model;

	return m->n_classes ? MLCI_SCORES_PROBA : MLCI_SCORES_NONE;
}

cJSON *mlci_hgb_to_json_adapter(const void *model)
{
	return mlci_hgb_to_json(model);
}

int mlci_hgb_from_json_adapter(void *model, const cJSON *json,
			       const char *what)
{
	return mlci_hgb_from_json(model, json, what);
}

void mlci_hgb_shape(const void *model, size_t *d, size_t *k)
{
	const struct mlci_hgb_model *m = model;

	*d = m->n_features;
	*k = m->n_classes;
}

cJSON *mlci_hgb_history(const void *model)
{
	const struct mlci_hgb_model *m = model;
	cJSON *h = cJSON_CreateObject();

	if (m->train_loss)
		mlci_json_set(h, "loss", number_array(m->train_loss, m->n_iter));
	if (m->val_loss)
		mlci_json_set(h, "validation_loss",
			      number_array(m->val_loss, m->n_iter));
	return h;
}

cJSON *mlci_hgb_convergence(const void *model)
{
	const struct mlci_hgb_model *m = model;
	cJSON *cv = cJSON_CreateObject();

	mlci_json_set_number(cv, "iterations", (double)m->n_iter);
	/*
	 * Boosting without early stopping did what it was asked; with it,
	 * running to max_iter means the validation loss was still falling.
	 */
	mlci_json_set_bool(cv, "converged", !m->early_stopping || m->early_stopped);
	mlci_json_set_bool(cv, "early_stopping", m->early_stopping);
	return cv;
}

int mlci_hgb_importances(const void *model, double *out)
{
	const struct mlci_hgb_model *m = model;

	if (!m->importances)
		return 1;
	memcpy(out, m->importances, m->n_features * sizeof(double));
	return 0;
}
