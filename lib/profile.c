/* SPDX-License-Identifier: MIT */
/* Streaming, mergeable statistics of one column: ml-validate's validate.stats. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "profile.h"
#include "usage.h"
#include "wrapper.h"

const double mlci_profile_quantiles[MLCI_PROFILE_NQUANTILES] = {
	0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99
};
const char *const mlci_profile_quantile_names[MLCI_PROFILE_NQUANTILES] = {
	"p1", "p5", "p25", "p50", "p75", "p95", "p99"
};

/* The KLL sketch's random choices: fixed, so runs are reproducible. */
#define KLL_SEED 0x6d6c63692d6b6c6cull
/* Counts stay exact as JSON numbers (doubles). */
#define MAX_COUNT ((uint64_t)1 << 53)

static const struct mlci_profile_limits default_limits =
	MLCI_PROFILE_LIMITS_INIT;

void mlci_profile_init(struct mlci_profile *p, enum mlci_profile_kind kind,
		       const struct mlci_profile_limits *limits)
{
	mlci_profile_sync();
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->limits = limits ? *limits : default_limits;
	if (!p->limits.histogram_bins)
		p->limits.histogram_bins = 1;
	mlci_kll_init(&p->kll, p->limits.sketch_k, KLL_SEED);
	mlci_distinct_init(&p->distinct, p->limits.max_distinct);
	mlci_topk_init(&p->top, p->limits.max_categories,
		       p->limits.category_bytes, p->limits.top_capacity,
		       p->limits.max_key_len);
}

void mlci_profile_release(struct mlci_profile *p)
{
	struct mlci_profile_limits limits = p->limits;

	mlci_profile_sync();
	free(p->buf);
	mlci_kll_release(&p->kll);
	mlci_distinct_release(&p->distinct);
	mlci_topk_release(&p->top);
	mlci_profile_init(p, p->kind, &limits);
}

uint64_t mlci_profile_count(const struct mlci_profile *p)
{
	mlci_profile_sync();
	if (p->kind == MLCI_PROFILE_STRING)
		return p->strings;
	return p->sketch ? p->flushed + p->nbuf : p->nbuf;
}

/* ---- numbers ---- */

/*
 * Compensated sums in MOMENT_LANES independent lanes: each lane adds with
 * Knuth's TwoSum, whose rounding error is exact and needs no branch, and
 * keeps its errors in a second sum. Adding into one running sum would
 * wait for each addition before the next (a few cycles a value); lanes
 * that do not depend on each other keep the processor's adders busy and
 * let the compiler use vector registers.
 */
#define MOMENT_LANES 4

struct lanes {
	double s[MOMENT_LANES], c[MOMENT_LANES];
};

static inline void two_sum(double *s, double *c, double x)
{
	double t = *s + x, z = t - *s;

	*c += (*s - (t - z)) + (x - z);
	*s = t;
}

/* The lanes' total, the partial sums themselves added with TwoSum. */
static double lanes_total(const struct lanes *l)
{
	double s = 0, c = 0;
	int k;

	for (k = 0; k < MOMENT_LANES; k++) {
		two_sum(&s, &c, l->s[k]);
		c += l->c[k];
	}
	return s + c;
}

/*
 * The lanes as one vector of the compiler's (GCC and clang): the same
 * operations on each lane as a loop over them, in one instruction each
 * where the processor has vectors that wide, two or four otherwise.
 */
typedef double lanes4
	__attribute__((vector_size(MOMENT_LANES * sizeof(double))));
typedef int64_t mask4
	__attribute__((vector_size(MOMENT_LANES * sizeof(int64_t))));

/* Vectors by address: passed by value, their ABI would depend on -mavx. */
static inline __attribute__((always_inline)) void two_sum4(lanes4 *s,
							   lanes4 *c,
							   const lanes4 *x)
{
	lanes4 t = *s + *x, z = t - *s;

	*c += (*s - (t - z)) + (*x - z);
	*s = t;
}

/* The lanes of *x where *x < *lo into *lo, *x > *hi into *hi. */
static inline __attribute__((always_inline)) void range4(lanes4 *lo,
							 lanes4 *hi,
							 const lanes4 *x)
{
	mask4 below = *x < *lo, above = *x > *hi;

	*lo = (lanes4)(((mask4)*x & below) | ((mask4)*lo & ~below));
	*hi = (lanes4)(((mask4)*x & above) | ((mask4)*hi & ~above));
}

/*
 * Mean and sum of squared deviations of v[0..n), n > 0, its least and
 * greatest values, and whether it ascends: compensated sums and the
 * corrected two-pass algorithm, so the result is as exact as a double
 * allows and depends only on the order of v. Value i goes to lane
 * i % MOMENT_LANES, the last n % MOMENT_LANES to lane 0 after the others.
 */
static inline __attribute__((always_inline)) void moments_body(
	const double *v, size_t n, double *mean, double *m2, double *lo,
	double *hi, int *sorted)
{
	lanes4 s = { 0 }, c = { 0 }, q = { 0 }, qc = { 0 }, dev = { 0 };
	lanes4 l = { v[0], v[0], v[0], v[0] }, h = l, x, prev, mv;
	mask4 down = { 0 };
	struct lanes sum, sq;
	double m, d = 0, l1, h1;
	size_t i, tail = n - n % MOMENT_LANES;
	int k, unsorted = 0;

	for (i = 0; i < tail; i += MOMENT_LANES) {
		memcpy(&x, v + i, sizeof(x));
		two_sum4(&s, &c, &x);
		range4(&l, &h, &x);
		/* Each value against the one before (v[0] against itself). */
		if (i)
			memcpy(&prev, v + i - 1, sizeof(prev));
		else
			prev = (lanes4){ v[0], v[0], v[1], v[2] };
		down |= x < prev;
	}
	for (k = 0; k < MOMENT_LANES; k++) {
		sum.s[k] = s[k];
		sum.c[k] = c[k];
	}
	l1 = l[0];
	h1 = h[0];
	for (k = 1; k < MOMENT_LANES; k++) {
		l1 = l[k] < l1 ? l[k] : l1;
		h1 = h[k] > h1 ? h[k] : h1;
	}
	for (k = 0; k < MOMENT_LANES; k++)
		unsorted |= down[k] != 0;
	for (; i < n; i++) {
		two_sum(&sum.s[0], &sum.c[0], v[i]);
		l1 = v[i] < l1 ? v[i] : l1;
		h1 = v[i] > h1 ? v[i] : h1;
		unsorted |= i && v[i] < v[i - 1];
	}
	m = lanes_total(&sum) / (double)n;
	/*
	 * The deviations' own sum is zero but for the rounding of m; it
	 * corrects the squares (the "corrected" two-pass algorithm) by a
	 * term far below their sum, so it needs no compensation.
	 */
	mv = (lanes4){ m, m, m, m };
	for (i = 0; i < tail; i += MOMENT_LANES) {
		memcpy(&x, v + i, sizeof(x));
		x -= mv;
		dev += x;
		x *= x;
		two_sum4(&q, &qc, &x);
	}
	for (k = 0; k < MOMENT_LANES; k++) {
		sq.s[k] = q[k];
		sq.c[k] = qc[k];
	}
	for (; i < n; i++) {
		double y = v[i] - m;

		two_sum(&sq.s[0], &sq.c[0], y * y);
		dev[0] += y;
	}
	for (k = 0; k < MOMENT_LANES; k++)
		d += dev[k];
	*mean = m;
	*m2 = lanes_total(&sq) - d * d / (double)n;
	if (*m2 < 0)
		*m2 = 0;
	*lo = l1;
	*hi = h1;
	*sorted = !unsorted;
}

/*
 * Four lanes fill one AVX register: twice the work of an instruction of
 * the SSE2 baseline, with the same result bit for bit (no fused
 * multiply-add: the build's C standard mode keeps contractions off).
 */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_MOMENTS 1
__attribute__((target("avx2")))
static void moments_avx2(const double *v, size_t n, double *mean, double *m2,
			 double *lo, double *hi, int *sorted)
{
	moments_body(v, n, mean, m2, lo, hi, sorted);
}
#endif

static void moments_generic(const double *v, size_t n, double *mean,
			    double *m2, double *lo, double *hi, int *sorted)
{
	moments_body(v, n, mean, m2, lo, hi, sorted);
}

/* moments() with v's least and greatest values and whether it ascends. */
static void moments_scan(const double *v, size_t n, double *mean,
			 double *m2, double *lo, double *hi, int *sorted)
{
#ifdef HAVE_AVX2_MOMENTS
	if (__builtin_cpu_supports("avx2")) {
		moments_avx2(v, n, mean, m2, lo, hi, sorted);
		return;
	}
#endif
	moments_generic(v, n, mean, m2, lo, hi, sorted);
}

static void moments(const double *v, size_t n, double *mean, double *m2)
{
	double lo, hi;
	int sorted;

	moments_scan(v, n, mean, m2, &lo, &hi, &sorted);
}

/* Chan et al.: combine (na, *mean, *m2) with (nb, mb, m2b). */
static void chan(double *mean, double *m2, uint64_t na, double mb, double m2b,
		 uint64_t nb)
{
	double n = (double)(na + nb), delta = mb - *mean;

	if (!nb)
		return;
	if (!na) {
		*mean = mb;
		*m2 = m2b;
		return;
	}
	*mean += delta * ((double)nb / n);
	*m2 += m2b + delta * delta * ((double)na * ((double)nb / n));
}

/* Feed the sorted v[0..n) to the moments, min, max, distinct and KLL. */
static void feed_sorted(struct mlci_profile *p, const double *v, size_t n)
{
	double mb, m2b;
	size_t i;

	if (!n)
		return;
	moments(v, n, &mb, &m2b);
	if (!p->flushed || v[0] < p->min)
		p->min = v[0];
	if (!p->flushed || v[n - 1] > p->max)
		p->max = v[n - 1];
	chan(&p->mean, &p->m2, p->flushed, mb, m2b, n);
	/*
	 * More distinct values than the exact set holds (a spill of a column
	 * of measurements): filling the set only to turn it into registers
	 * would cost more than all the rest here.
	 */
	if (mlci_distinct_is_exact(&p->distinct)) {
		size_t runs = 1;

		for (i = 1; i < n; i++)
			runs += v[i] != v[i - 1];
		if (runs > p->distinct.max_exact)
			mlci_distinct_make_approximate(&p->distinct);
	}
	mlci_distinct_add_doubles(&p->distinct, v, n);
	/* In batches, so that the sketch's buffers stay batch-sized. */
	for (i = 0; i < n; i += MLCI_PROFILE_BATCH)
		mlci_kll_add_sorted(&p->kll, 0, v + i,
				    n - i < MLCI_PROFILE_BATCH ? n - i
							       : MLCI_PROFILE_BATCH);
	p->flushed += n;
}

/*
 * A full batch in sketch mode, in the order the values were added (as
 * reproducible as the sorted order): the moments, min and max take any
 * order, the distinct count hashes each value (the exact set as well as
 * the HyperLogLog registers), and the KLL sketch picks the values it
 * keeps by rank without sorting the rest (mlci_kll_add_scanned_batch(),
 * with the range and order the moments' pass found). Sorting the batch
 * so that the exact set looks a repeated value up once cost more than
 * the lookups it saved. The first batch (min and max not yet
 * set) and batches of other sizes are sorted.
 */
static void feed_batch(struct mlci_profile *p, double *v, size_t n)
{
	double mb, m2b, lo, hi;
	int sorted;

	if (n != MLCI_PROFILE_BATCH || !p->flushed) {
		mlci_sort_doubles(v, n);
		feed_sorted(p, v, n);
		return;
	}
	moments_scan(v, n, &mb, &m2b, &lo, &hi, &sorted);
	p->min = lo < p->min ? lo : p->min;
	p->max = hi > p->max ? hi : p->max;
	chan(&p->mean, &p->m2, p->flushed, mb, m2b, n);
	mlci_distinct_add_doubles(&p->distinct, v, n);
	mlci_kll_add_scanned_batch(&p->kll, v, n, lo, hi, sorted);
	p->flushed += n;
}

/* Past max_values: the values go to the sketches, then come in batches. */
static void spill(struct mlci_profile *p)
{
	mlci_sort_doubles(p->buf, p->nbuf);
	p->sketch = 1;
	feed_sorted(p, p->buf, p->nbuf);
	free(p->buf);
	p->buf = xmalloc(MLCI_PROFILE_BATCH * sizeof(*p->buf));
	p->buf_alloc = p->buf_limit = MLCI_PROFILE_BATCH;
	p->nbuf = 0;
}

static void flush(struct mlci_profile *p)
{
	feed_batch(p, p->buf, p->nbuf);
	p->nbuf = 0;
}

/*
 * Sketch-mode batches are fed to the sketches (feed_batch()) by one background
 * thread while the caller reads on (ml-validate's parsing and the
 * sketching then share two cores). Each profile's batches are processed in
 * the order they were added, by one thread, so the sketches are exactly
 * what the same batches fed in the caller's thread would give. The worker
 * touches only a number profile's flushed, mean, m2, min, max, kll and
 * distinct; every public function but the add_* waits for the queue to
 * drain first (mlci_profile_sync()).
 */
#define BG_QUEUE 64	/* batches waiting: 64 x 32 KiB at most */
#define BG_POOL 24	/* spare batch buffers kept */
/*
 * A sleeping worker is woken once this many batches wait (or at a sync),
 * not for each: a wake-up costs a system call in each thread (and, on
 * two cores, may put the worker on the parser's core for a while), and
 * the worker, faster than the parsing, would otherwise sleep after every
 * batch.
 */
#define BG_WAKE 16

struct bg_job {
	struct mlci_profile *p;
	double *v;
	size_t n;
	int spill;	/* v is the exact values' buffer: freed after */
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct bg_job q[BG_QUEUE];
	size_t head, count;
	int busy;		/* the worker is processing a job */
	int idle;		/* the worker sleeps until signalled */
	int full;		/* the caller waits for room in the queue */
	double *pool[BG_POOL];
	size_t npool;
	int started;		/* the worker runs (set by the caller's thread) */
	int disabled;		/* the worker could not start, or was turned off */
} bg = { .mu = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER,
	 .done = PTHREAD_COND_INITIALIZER };

static void *bg_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bg.mu);
	for (;;) {
		struct bg_job j;

		while (!bg.count) {
			bg.idle = 1;
			pthread_cond_wait(&bg.work, &bg.mu);
			bg.idle = 0;
		}
		j = bg.q[bg.head];
		bg.head = (bg.head + 1) % BG_QUEUE;
		bg.count--;
		bg.busy = 1;
		pthread_mutex_unlock(&bg.mu);

		if (j.spill) {
			mlci_sort_doubles(j.v, j.n);
			feed_sorted(j.p, j.v, j.n);
		} else {
			feed_batch(j.p, j.v, j.n);
		}

		pthread_mutex_lock(&bg.mu);
		if (!j.spill && bg.npool < BG_POOL)
			bg.pool[bg.npool++] = j.v;
		else
			free(j.v);
		bg.busy = 0;
		/*
		 * Wake a caller waiting for the queue to drain, or for room in
		 * it once half of it is free: woken for each batch, it would
		 * sleep again after handing over one more.
		 */
		if (!bg.count || (bg.full && bg.count <= BG_QUEUE / 2)) {
			bg.full = 0;
			pthread_cond_broadcast(&bg.done);
		}
	}
	return NULL;
}

/* Start the worker once; 0 when it runs. */
static int bg_start(void)
{
	pthread_attr_t a;
	pthread_t t;
	int err;

	if (bg.started)
		return 0;
	if (bg.disabled)
		return -1;
	if (pthread_attr_init(&a)) {
		bg.disabled = 1;
		return -1;
	}
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &a, bg_main, NULL);
	pthread_attr_destroy(&a);
	if (err) {
		bg.disabled = 1;
		return -1;
	}
	bg.started = 1;
	return 0;
}

void mlci_profile_sync(void)
{
	if (!bg.started)
		return;
	pthread_mutex_lock(&bg.mu);
	if (bg.count && bg.idle)
		pthread_cond_signal(&bg.work);
	while (bg.count || bg.busy)
		pthread_cond_wait(&bg.done, &bg.mu);
	pthread_mutex_unlock(&bg.mu);
}

void mlci_profile_background(int on)
{
	mlci_profile_sync();
	if (!on)
		bg.disabled = 1;
	else if (!bg.started)
		bg.disabled = 0;
}

/*
 * Hand p's full buffer to the worker and give p an empty batch buffer;
 * -1 (nothing done) when there is no worker.
 */
static int bg_flush(struct mlci_profile *p, int spill)
{
	double *fresh = NULL;

	if (bg_start())
		return -1;
	pthread_mutex_lock(&bg.mu);
	while (bg.count == BG_QUEUE) {
		bg.full = 1;
		pthread_cond_wait(&bg.done, &bg.mu);
	}
	bg.q[(bg.head + bg.count) % BG_QUEUE] =
		(struct bg_job){ p, p->buf, p->nbuf, spill };
	bg.count++;
	if (bg.npool)
		fresh = bg.pool[--bg.npool];
	if (bg.idle && (bg.count >= BG_WAKE || spill))
		pthread_cond_signal(&bg.work);
	pthread_mutex_unlock(&bg.mu);
	if (!fresh)
		fresh = xmalloc(MLCI_PROFILE_BATCH * sizeof(*fresh));
	p->buf = fresh;
	p->nbuf = 0;
	if (spill) {
		p->sketch = 1;
		p->buf_alloc = p->buf_limit = MLCI_PROFILE_BATCH;
	}
	return 0;
}

void mlci_profile_add_number_slow(struct mlci_profile *p, double v)
{
	if (p->kind != MLCI_PROFILE_NUMBER)
		return;
	if (!isfinite(v)) {
		p->missing++;
		return;
	}
	v += 0.0;
	if (!p->sketch && p->nbuf < p->limits.max_values) {
		/*
		 * Eightfold: a long column copies its values about twice
		 * instead of about ten times on its way to max_values, and
		 * touches that much less fresh memory (page faults).
		 */
		size_t a = p->buf_alloc ? 8 * p->buf_alloc : 256;

		if (a > p->limits.max_values)
			a = p->limits.max_values;
		p->buf = xrealloc(p->buf, a * sizeof(*p->buf));
		p->buf_alloc = p->buf_limit = a;
	} else if (!p->sketch) {
		if (bg_flush(p, 1))
			spill(p);
	} else {
		if (bg_flush(p, 0))
			flush(p);
	}
	p->buf[p->nbuf++] = v;
}

static void merge_numbers(struct mlci_profile *into,
			  const struct mlci_profile *from)
{
	size_t i;

	if (from->sketch) {
		if (!into->sketch)
			spill(into);
		else if (into->nbuf)
			flush(into);
		if (from->flushed) {
			if (!into->flushed || from->min < into->min)
				into->min = from->min;
			if (!into->flushed || from->max > into->max)
				into->max = from->max;
			chan(&into->mean, &into->m2, into->flushed, from->mean,
			     from->m2, from->flushed);
			into->flushed += from->flushed;
			mlci_kll_merge(&into->kll, &from->kll);
			mlci_distinct_merge(&into->distinct, &from->distinct);
		}
	}
	/* Exact values, or a pending batch, are added as if read again. */
	for (i = 0; i < from->nbuf; i++)
		mlci_profile_add_number(into, from->buf[i]);
}

/* Everything the view and the accessors need about a number column. */
struct numview {
	uint64_t n;
	double mean, m2, min, max;
	double *v;		/* sorted items */
	uint64_t *w;		/* their weights; NULL: all 1 */
	uint64_t *cum;		/* cumulative weights (with w) */
	size_t nv;
	uint64_t distinct;
	int approximate;	/* quantiles and histogram from the sketch */
	int distinct_approximate;
};

static double *sorted_copy(const double *v, size_t n)
{
	double *c = xmalloc((n + 1) * sizeof(*c));

	if (n)
		memcpy(c, v, n * sizeof(*c));
	mlci_sort_doubles(c, n);
	return c;
}

/* Built without changing p: a pending batch joins the sketches' items. */
static void numview_build(const struct mlci_profile *p, struct numview *s)
{
	double *batch, *kv, mb, m2b;
	uint64_t *kw;
	size_t kn, i, j, o;
	struct mlci_distinct d;

	memset(s, 0, sizeof(*s));
	if (!p->sketch) {
		s->n = s->nv = p->nbuf;
		s->v = sorted_copy(p->buf, p->nbuf);
		if (s->n) {
			moments(s->v, s->nv, &s->mean, &s->m2);
			s->min = s->v[0];
			s->max = s->v[s->nv - 1];
		}
		for (i = 0; i < s->nv; i++)
			if (!i || s->v[i] != s->v[i - 1])
				s->distinct++;
		return;
	}
	batch = sorted_copy(p->buf, p->nbuf);
	s->n = p->flushed + p->nbuf;
	s->mean = p->mean;
	s->m2 = p->m2;
	s->min = p->min;
	s->max = p->max;
	mlci_distinct_copy(&d, &p->distinct);
	if (p->nbuf) {
		moments(batch, p->nbuf, &mb, &m2b);
		chan(&s->mean, &s->m2, p->flushed, mb, m2b, p->nbuf);
		if (!p->flushed || batch[0] < s->min)
			s->min = batch[0];
		if (!p->flushed || batch[p->nbuf - 1] > s->max)
			s->max = batch[p->nbuf - 1];
		for (i = 0; i < p->nbuf; i++)
			if (!i || batch[i] != batch[i - 1])
				mlci_distinct_add(&d, mlci_hash_double(batch[i]));
	}
	s->distinct = mlci_distinct_count(&d);
	s->distinct_approximate = !mlci_distinct_is_exact(&d);
	mlci_distinct_release(&d);

	kn = mlci_kll_items(&p->kll, &kv, &kw);
	s->v = xmalloc((kn + p->nbuf + 1) * sizeof(*s->v));
	s->w = xmalloc((kn + p->nbuf + 1) * sizeof(*s->w));
	for (i = 0, j = 0, o = 0; i < kn || j < p->nbuf; o++) {
		if (j == p->nbuf || (i < kn && kv[i] <= batch[j])) {
			s->v[o] = kv[i];
			s->w[o] = kw[i++];
		} else {
			s->v[o] = batch[j++];
			s->w[o] = 1;
		}
	}
	s->nv = o;
	s->cum = xmalloc((s->nv + 1) * sizeof(*s->cum));
	for (i = 0; i < s->nv; i++)
		s->cum[i] = (i ? s->cum[i - 1] : 0) + s->w[i];
	s->approximate = 1;
	free(kv);
	free(kw);
	free(batch);
}

static void numview_release(struct numview *s)
{
	free(s->v);
	free(s->w);
	free(s->cum);
}

/* The value at 0-based position r < n of the sorted values. */
static double value_at(const struct numview *s, uint64_t r)
{
	size_t lo = 0, hi = s->nv - 1;

	if (!s->w)
		return s->v[r];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->cum[mid] > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return s->v[lo];
}

/* numpy's "linear" method, its lerp included, for identical results. */
static double numview_quantile(const struct numview *s, double q)
{
	double pos, gamma, a, b, d;
	uint64_t lo;

	if (!s->n)
		return NAN;
	pos = (double)(s->n - 1) * q;
	lo = (uint64_t)floor(pos);
	gamma = pos - floor(pos);
	a = value_at(s, lo);
	b = value_at(s, lo + 1 < s->n ? lo + 1 : s->n - 1);
	d = b - a;
	return gamma >= 0.5 ? b - d * (1 - gamma) : a + d * gamma;
}

/* numpy.histogram(values, bins): linspace edges, its bin assignment. */
static void numview_histogram(const struct numview *s, size_t bins,
			      double *edges, uint64_t *counts)
{
	double first = s->min, last = s->max, delta, step, norm;
	size_t i;

	if (first == last) {
		first -= 0.5;
		last += 0.5;
	}
	delta = last - first;
	step = delta / (double)bins;
	for (i = 0; i < bins; i++)
		edges[i] = (step == 0 ? (double)i / (double)bins * delta
				      : (double)i * step) + first;
	edges[bins] = last;
	norm = (double)bins / delta;
	memset(counts, 0, bins * sizeof(*counts));
	for (i = 0; i < s->nv; i++) {
		double x = s->v[i], f = (x - first) * norm;
		size_t k = f >= (double)bins ? bins : (size_t)f;

		if (k == bins)
			k--;
		if (k > 0 && x < edges[k])
			k--;
		if (k != bins - 1 && x >= edges[k + 1])
			k++;
		counts[k] += s->w ? s->w[i] : 1;
	}
}

double *mlci_profile_values(const struct mlci_profile *p, size_t *n)
{
	mlci_profile_sync();
	*n = 0;
	if (p->kind != MLCI_PROFILE_NUMBER || p->sketch)
		return NULL;
	*n = p->nbuf;
	return sorted_copy(p->buf, p->nbuf);
}

size_t mlci_profile_weighted_values(const struct mlci_profile *p,
				    double **values, uint64_t **weights)
{
	struct numview s;
	size_t i;

	mlci_profile_sync();
	*values = NULL;
	*weights = NULL;
	if (p->kind != MLCI_PROFILE_NUMBER || !mlci_profile_count(p))
		return 0;
	numview_build(p, &s);
	if (!s.w) {
		s.w = xmalloc((s.nv + 1) * sizeof(*s.w));
		for (i = 0; i < s.nv; i++)
			s.w[i] = 1;
	}
	*values = s.v;
	*weights = s.w;
	free(s.cum);
	return s.nv;
}

double mlci_profile_quantile(const struct mlci_profile *p, double q)
{
	struct numview s;
	double v;

	mlci_profile_sync();
	if (p->kind != MLCI_PROFILE_NUMBER || !mlci_profile_count(p))
		return NAN;
	numview_build(p, &s);
	v = numview_quantile(&s, q);
	numview_release(&s);
	return v;
}

/* ---- strings ---- */

static inline size_t recent_slot(const char *s, size_t len)
{
	if (!len)
		return 0;
	return ((unsigned char)s[0] + 3 * (unsigned char)s[len - 1] + len) %
	       MLCI_PROFILE_RECENT;
}

void mlci_profile_add_string(struct mlci_profile *p, const char *s, size_t len)
{
	uint32_t *recent;
	uint64_t h;
	size_t klen, i;

	if (p->kind != MLCI_PROFILE_STRING)
		return;
	p->strings++;
	/*
	 * A value seen lately, in exact mode: its hash is in distinct and
	 * its entry's key is all of its bytes (no cut, no NUL), so counting
	 * it is an increment, as mlci_topk_add() would do, without hashing
	 * the value and looking it up twice.
	 */
	recent = &p->recent[recent_slot(s, len)];
	if (*recent && !p->top.approximate && *recent <= p->top.n) {
		struct mlci_topk_entry *e = &p->top.e[*recent - 1];

		if (e->len == len && mlci_same_bytes(e->key, s, len)) {
			e->count++;
			return;
		}
	}
	h = mlci_hash_bytes(s, len);
	mlci_distinct_add(&p->distinct, h);
	klen = mlci_topk_key_len(&p->top, s, len);
	i = mlci_topk_add(&p->top, s, klen,
			  klen == len ? h : mlci_hash_bytes(s, klen), 1);
	if (klen == len && !p->top.approximate)
		*recent = (uint32_t)(i + 1);
}

int mlci_profile_string_known(const struct mlci_profile *p, const char *s,
			      size_t len)
{
	return p->kind == MLCI_PROFILE_STRING && !p->top.approximate &&
	       mlci_topk_key_len(&p->top, s, len) == len &&
	       mlci_topk_find(&p->top, s, len, mlci_hash_bytes(s, len)) >= 0;
}

void mlci_profile_add_string_again(struct mlci_profile *p, const char *s,
				   size_t len, uint64_t n)
{
	/* Its hash is in distinct already: only counts change. */
	p->strings += n;
	mlci_topk_add(&p->top, s, len, mlci_hash_bytes(s, len), n);
}

struct mlci_profile_category *mlci_profile_categories(
	const struct mlci_profile *p, size_t *n, int *exact)
{
	const struct mlci_topk_entry **e;
	struct mlci_profile_category *c;
	size_t i;

	mlci_profile_sync();
	*n = 0;
	*exact = 0;
	if (p->kind != MLCI_PROFILE_STRING || !p->top.n)
		return NULL;
	e = mlci_topk_sorted(&p->top);
	c = xmalloc(p->top.n * sizeof(*c));
	for (i = 0; i < p->top.n; i++) {
		c[i].value = e[i]->key;
		c[i].len = e[i]->len;
		c[i].count = e[i]->count;
		c[i].error = e[i]->error;
	}
	free(e);
	*n = p->top.n;
	*exact = !p->top.approximate;
	return c;
}

int mlci_profile_merge(struct mlci_profile *into,
		       const struct mlci_profile *from)
{
	mlci_profile_sync();
	if (into->kind != from->kind)
		return mlci_error(MLCI_EXIT_INPUT,
				  "cannot merge statistics of a %s column into a %s column",
				  from->kind == MLCI_PROFILE_NUMBER ? "number" : "string",
				  into->kind == MLCI_PROFILE_NUMBER ? "number" : "string");
	into->missing += from->missing;
	if (into->kind == MLCI_PROFILE_NUMBER) {
		merge_numbers(into, from);
		return 0;
	}
	into->strings += from->strings;
	mlci_distinct_merge(&into->distinct, &from->distinct);
	mlci_topk_merge(&into->top, &from->top);
	return 0;
}

size_t mlci_profile_state_size(const struct mlci_profile *p)
{
	mlci_profile_sync();
	return sizeof(*p) + p->buf_alloc * sizeof(*p->buf) +
	       mlci_kll_state_size(&p->kll) +
	       mlci_distinct_state_size(&p->distinct) +
	       mlci_topk_state_size(&p->top) - sizeof(p->kll) -
	       sizeof(p->distinct) - sizeof(p->top);
}

/* ---- JSON ---- */

static cJSON *checked(cJSON *item)
{
	if (!item)
		mlci_die("out of memory building JSON");
	return item;
}

static void add(cJSON *obj, const char *key, cJSON *item)
{
	if (!cJSON_AddItemToObject(obj, key, item))
		mlci_die("out of memory building JSON");
}

static void append(cJSON *arr, cJSON *item)
{
	if (!cJSON_AddItemToArray(arr, item))
		mlci_die("out of memory building JSON");
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v, raw. */
static cJSON *exact_number(double v)
{
	char buf[40];
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return checked(cJSON_CreateRaw(buf));
}

static cJSON *exact_count(uint64_t n)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, n);
	return checked(cJSON_CreateRaw(buf));
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 (RFC 4648 §4) with padding. */
static cJSON *b64_string(const unsigned char *d, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;
	cJSON *item;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t x = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];

		*o++ = b64_alphabet[x >> 18];
		*o++ = b64_alphabet[(x >> 12) & 63];
		*o++ = b64_alphabet[(x >> 6) & 63];
		*o++ = b64_alphabet[x & 63];
	}
	if (i < n) {
		uint32_t x = (uint32_t)d[i] << 16 |
			     (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0);

		*o++ = b64_alphabet[x >> 18];
		*o++ = b64_alphabet[(x >> 12) & 63];
		*o++ = i + 1 < n ? b64_alphabet[(x >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	item = checked(cJSON_CreateString(out));
	free(out);
	return item;
}

/* Strict decoding: canonical padding, no white space, zero spare bits. */
static int b64_decode(const char *s, unsigned char **out, size_t *outlen)
{
	size_t len = strlen(s), i, n = 0;
	unsigned char *d;

	*out = NULL;
	if (len % 4)
		return -1;
	d = xmalloc(len / 4 * 3 + 1);
	for (i = 0; i < len; i += 4) {
		uint32_t x = 0;
		int j, pad = 0;

		for (j = 0; j < 4; j++) {
			const char *c = s[i + j] ? strchr(b64_alphabet, s[i + j]) : NULL;

			if (s[i + j] == '=' && i + 4 == len && j >= 2 &&
			    (j == 3 || s[i + 3] == '=')) {
				pad++;
				x <<= 6;
				continue;
			}
			if (!c || pad)
				goto bad;
			x = x << 6 | (uint32_t)(c - b64_alphabet);
		}
		if ((pad == 1 && (x & 0xff)) || (pad == 2 && (x & 0xffff)))
			goto bad;
		d[n++] = (unsigned char)(x >> 16);
		if (pad < 2)
			d[n++] = (unsigned char)(x >> 8);
		if (pad < 1)
			d[n++] = (unsigned char)x;
	}
	*out = d;
	*outlen = n;
	return 0;
bad:
	free(d);
	return -1;
}

static void put_le64(unsigned char *p, uint64_t x)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(x >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

static cJSON *b64_doubles(const double *v, size_t n)
{
	unsigned char *d = xmalloc(8 * n + 1);
	cJSON *item;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t u;

		memcpy(&u, &v[i], sizeof(u));
		put_le64(d + 8 * i, u);
	}
	item = b64_string(d, 8 * n);
	free(d);
	return item;
}

static cJSON *b64_u64s(const uint64_t *v, size_t n)
{
	unsigned char *d = xmalloc(8 * n + 1);
	cJSON *item;
	size_t i;

	for (i = 0; i < n; i++)
		put_le64(d + 8 * i, v[i]);
	item = b64_string(d, 8 * n);
	free(d);
	return item;
}

static cJSON *distinct_state(const struct mlci_distinct *d)
{
	cJSON *o = checked(cJSON_CreateObject());
	uint64_t *h;
	size_t n;

	if (d->hll) {
		add(o, "hll", b64_string(d->hll, MLCI_HLL_REGISTERS));
		return o;
	}
	n = mlci_distinct_hashes(d, &h);
	add(o, "hashes", b64_u64s(h, n));
	free(h);
	return o;
}

static cJSON *limits_state(const struct mlci_profile_limits *l)
{
	cJSON *o = checked(cJSON_CreateObject());

	add(o, "max_values", exact_count(l->max_values));
	add(o, "max_distinct", exact_count(l->max_distinct));
	add(o, "max_categories", exact_count(l->max_categories));
	add(o, "category_bytes", exact_count(l->category_bytes));
	add(o, "top_capacity", exact_count(l->top_capacity));
	add(o, "max_key_len", exact_count(l->max_key_len));
	add(o, "sketch_k", exact_count(l->sketch_k));
	add(o, "histogram_bins", exact_count(l->histogram_bins));
	add(o, "top_n", exact_count(l->top_n));
	return o;
}

static cJSON *state_json(const struct mlci_profile *p)
{
	cJSON *st = checked(cJSON_CreateObject());
	int number = p->kind == MLCI_PROFILE_NUMBER;

	add(st, "format", exact_count(MLCI_PROFILE_FORMAT));
	mlci_json_set_string(st, "type", number ? "number" : "string");
	add(st, "limits", limits_state(&p->limits));
	add(st, "count", exact_count(mlci_profile_count(p)));
	add(st, "missing", exact_count(p->missing));
	if (number && !p->sketch) {
		double *v = sorted_copy(p->buf, p->nbuf);

		add(st, "values", b64_doubles(v, p->nbuf));
		free(v);
	} else if (number) {
		cJSON *kll = checked(cJSON_CreateObject());
		cJSON *levels = checked(cJSON_CreateArray());
		size_t h;

		add(st, "mean", exact_number(p->mean));
		add(st, "m2", exact_number(p->m2));
		add(st, "min", exact_number(p->min));
		add(st, "max", exact_number(p->max));
		for (h = 0; h < p->kll.nlevels; h++)
			append(levels, b64_doubles(p->kll.levels[h].v,
						   p->kll.levels[h].n));
		add(kll, "levels", levels);
		add(st, "kll", kll);
		add(st, "pending", b64_doubles(p->buf, p->nbuf));
		add(st, "distinct", distinct_state(&p->distinct));
	} else {
		const struct mlci_topk_entry **e = mlci_topk_sorted(&p->top);
		cJSON *cats = checked(cJSON_CreateObject());
		cJSON *entries = checked(cJSON_CreateArray());
		size_t i;

		mlci_json_set_bool(cats, "approximate", p->top.approximate);
		for (i = 0; i < p->top.n; i++) {
			cJSON *row = checked(cJSON_CreateArray());

			append(row, checked(cJSON_CreateString(e[i]->key)));
			append(row, exact_count(e[i]->count));
			if (p->top.approximate)
				append(row, exact_count(e[i]->error));
			append(entries, row);
		}
		free(e);
		add(cats, "entries", entries);
		add(st, "categories", cats);
		add(st, "distinct", distinct_state(&p->distinct));
	}
	return st;
}

static void view_numbers(const struct mlci_profile *p, cJSON *o)
{
	size_t bins = p->limits.histogram_bins, i;
	struct numview s;
	cJSON *q, *h, *edges, *counts;
	double *e;
	uint64_t *c;

	numview_build(p, &s);
	mlci_json_set_number(o, "distinct", (double)s.distinct);
	mlci_json_set_bool(o, "distinct_approximate", s.distinct_approximate);
	if (!s.n) {
		static const char *const none[] = {
			"mean", "std", "min", "max", "quantiles", "histogram"
		};

		for (i = 0; i < sizeof(none) / sizeof(*none); i++)
			mlci_json_set_null(o, none[i]);
		mlci_json_set_bool(o, "quantiles_approximate", 0);
		mlci_json_set_string(o, "reason", "no values");
		numview_release(&s);
		return;
	}
	mlci_json_set_number(o, "mean", s.mean);
	if (s.n > 1)
		mlci_json_set_number(o, "std", sqrt(s.m2 / (double)(s.n - 1)));
	else
		mlci_json_set_null(o, "std");
	mlci_json_set_number(o, "min", s.min);
	mlci_json_set_number(o, "max", s.max);
	q = checked(cJSON_CreateObject());
	for (i = 0; i < MLCI_PROFILE_NQUANTILES; i++)
		mlci_json_set_number(q, mlci_profile_quantile_names[i],
				     numview_quantile(&s, mlci_profile_quantiles[i]));
	add(o, "quantiles", q);
	mlci_json_set_bool(o, "quantiles_approximate", s.approximate);
	if (s.approximate)
		mlci_json_set_number(o, "quantiles_rank_error",
				     MLCI_PROFILE_RANK_ERROR * 1024.0 /
				     (double)p->kll.k);
	e = xmalloc((bins + 1) * sizeof(*e));
	c = xmalloc(bins * sizeof(*c));
	numview_histogram(&s, bins, e, c);
	h = checked(cJSON_CreateObject());
	edges = checked(cJSON_CreateArray());
	counts = checked(cJSON_CreateArray());
	for (i = 0; i <= bins; i++)
		append(edges, mlci_json_number(e[i]));
	for (i = 0; i < bins; i++)
		append(counts, mlci_json_number((double)c[i]));
	add(h, "edges", edges);
	add(h, "counts", counts);
	mlci_json_set_bool(h, "approximate", s.approximate);
	add(o, "histogram", h);
	if (s.n == 1)
		mlci_json_set_string(o, "reason",
				     "one value: the sample standard deviation needs two");
	free(e);
	free(c);
	numview_release(&s);
}

static void view_strings(const struct mlci_profile *p, cJSON *o)
{
	const struct mlci_topk_entry **e = mlci_topk_sorted(&p->top);
	cJSON *top = checked(cJSON_CreateArray());
	size_t i;

	mlci_json_set_number(o, "distinct",
			     (double)mlci_distinct_count(&p->distinct));
	mlci_json_set_bool(o, "distinct_approximate",
			   !mlci_distinct_is_exact(&p->distinct));
	for (i = 0; i < p->top.n && i < p->limits.top_n; i++) {
		cJSON *t = checked(cJSON_CreateObject());

		mlci_json_set_string(t, "value", e[i]->key);
		mlci_json_set_number(t, "count", (double)e[i]->count);
		if (p->top.approximate)
			mlci_json_set_number(t, "error", (double)e[i]->error);
		append(top, t);
	}
	free(e);
	add(o, "top", top);
	mlci_json_set_bool(o, "top_approximate", p->top.approximate);
}

cJSON *mlci_profile_to_json(const struct mlci_profile *p, int with_state)
{
	cJSON *o = checked(cJSON_CreateObject());

	mlci_profile_sync();
	mlci_json_set_number(o, "count", (double)mlci_profile_count(p));
	mlci_json_set_number(o, "missing", (double)p->missing);
	if (p->kind == MLCI_PROFILE_NUMBER)
		view_numbers(p, o);
	else
		view_strings(p, o);
	if (with_state)
		add(o, "state", state_json(p));
	return o;
}

/* ---- reading the state back ---- */

struct reader {
	const char *what;
};

static int bad(const struct reader *r, const char *field, const char *why)
{
	return mlci_error(MLCI_EXIT_INPUT, "%s: bad statistics field '%s': %s",
			  r->what, field, why);
}

/* A finite number: a parsed number item, or a raw one from to_json. */
static int read_double(const cJSON *it, double *out)
{
	if (cJSON_IsNumber(it)) {
		*out = it->valuedouble;
		return isfinite(*out) ? 0 : -1;
	}
	if (cJSON_IsRaw(it) && it->valuestring)
		return mlci_parse_double(it->valuestring, out);
	return -1;
}

static int get_double(const struct reader *r, const cJSON *obj,
		      const char *key, const char *field, double *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!it)
		return bad(r, field, "missing");
	if (read_double(it, out))
		return bad(r, field, "not a finite number");
	return 0;
}

static int get_count(const struct reader *r, const cJSON *obj,
		     const char *key, const char *field, uint64_t min,
		     uint64_t max, uint64_t *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	double d;
	char why[96];

	if (!it)
		return bad(r, field, "missing");
	if (read_double(it, &d) || d != floor(d) || d < (double)min ||
	    d > (double)max) {
		snprintf(why, sizeof(why),
			 "not an integer from %" PRIu64 " to %" PRIu64, min, max);
		return bad(r, field, why);
	}
	*out = (uint64_t)d;
	return 0;
}

static int get_size(const struct reader *r, const cJSON *obj, const char *key,
		    const char *field, uint64_t min, uint64_t max, size_t *out)
{
	uint64_t v;
	int ret = get_count(r, obj, key, field, min, max, &v);

	if (!ret)
		*out = (size_t)v;
	return ret;
}

/* Refuse keys outside the list (a typo must not lose data silently). */
static int only_keys(const struct reader *r, const cJSON *obj,
		     const char *prefix, const char *const *keys)
{
	const cJSON *it;
	const char *dup = mlci_json_duplicate_key(obj);
	char field[128];

	if (dup) {
		snprintf(field, sizeof(field), "%s%s", prefix, dup);
		return bad(r, field, "given twice");
	}
	cJSON_ArrayForEach(it, obj) {
		size_t i;

		for (i = 0; keys[i]; i++)
			if (!strcmp(it->string, keys[i]))
				break;
		if (!keys[i]) {
			snprintf(field, sizeof(field), "%s%s", prefix, it->string);
			return bad(r, field, "unknown field");
		}
	}
	return 0;
}

static int get_b64(const struct reader *r, const cJSON *it, const char *field,
		   size_t unit, unsigned char **out, size_t *n)
{
	size_t len;

	if (!it)
		return bad(r, field, "missing");
	if (!cJSON_IsString(it) || b64_decode(it->valuestring, out, &len))
		return bad(r, field, "not a base64 string");
	if (len % unit) {
		free(*out);
		*out = NULL;
		return bad(r, field, "not a whole number of items");
	}
	*n = len / unit;
	return 0;
}

/* Doubles: finite, no -0.0, ascending when sorted is set. */
static int get_doubles(const struct reader *r, const cJSON *it,
		       const char *field, int sorted, double **out, size_t *n)
{
	unsigned char *d;
	size_t i;

	*out = NULL;
	if (get_b64(r, it, field, 8, &d, n))
		return -MLCI_EXIT_INPUT;
	*out = xmalloc((*n + 1) * sizeof(**out));
	for (i = 0; i < *n; i++) {
		uint64_t u = get_le64(d + 8 * i);

		memcpy(&(*out)[i], &u, sizeof(u));
		if (!isfinite((*out)[i]) || u == 0x8000000000000000ull ||
		    (sorted && i && (*out)[i] < (*out)[i - 1])) {
			free(d);
			free(*out);
			*out = NULL;
			return bad(r, field, sorted ? "not finite, ascending numbers"
					    : "not finite numbers");
		}
	}
	free(d);
	return 0;
}

static int read_distinct(const struct reader *r, const cJSON *st,
			 struct mlci_profile *p)
{
	static const char *const keys[] = { "hashes", "hll", NULL };
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(st, "distinct");
	const cJSON *hashes, *hll;
	unsigned char *d;
	size_t n, i;
	int ret;

	if (!cJSON_IsObject(o))
		return bad(r, "state.distinct", "missing or not an object");
	if ((ret = only_keys(r, o, "state.distinct.", keys)))
		return ret;
	hashes = cJSON_GetObjectItemCaseSensitive(o, "hashes");
	hll = cJSON_GetObjectItemCaseSensitive(o, "hll");
	if (!hashes == !hll)
		return bad(r, "state.distinct", "needs one of 'hashes' and 'hll'");
	if (hll) {
		if (get_b64(r, hll, "state.distinct.hll", 1, &d, &n))
			return -MLCI_EXIT_INPUT;
		for (i = 0; i < n && d[i] <= MLCI_HLL_MAX_RANK; i++)
			;
		if (n != MLCI_HLL_REGISTERS || i < n) {
			free(d);
			return bad(r, "state.distinct.hll",
				   "not 16384 registers of at most 51");
		}
		mlci_distinct_load_hll(&p->distinct, d);
		free(d);
		return 0;
	}
	if (get_b64(r, hashes, "state.distinct.hashes", 8, &d, &n))
		return -MLCI_EXIT_INPUT;
	for (i = 1; i < n && get_le64(d + 8 * i) > get_le64(d + 8 * (i - 1)); i++)
		;
	if (i < n || n > p->limits.max_distinct ||
	    n > mlci_profile_count(p)) {
		free(d);
		return bad(r, "state.distinct.hashes",
			   "not ascending, or more than the values or the limit");
	}
	for (i = 0; i < n; i++)
		mlci_distinct_add(&p->distinct, get_le64(d + 8 * i));
	free(d);
	return 0;
}

static int read_limits(const struct reader *r, const cJSON *st,
		       struct mlci_profile_limits *l)
{
	static const char *const keys[] = {
		"max_values", "max_distinct", "max_categories",
		"category_bytes", "top_capacity", "max_key_len", "sketch_k",
		"histogram_bins", "top_n", NULL
	};
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(st, "limits");
	const uint64_t big = 100000000;
	int ret;

	if (!cJSON_IsObject(o))
		return bad(r, "state.limits", "missing or not an object");
	if ((ret = only_keys(r, o, "state.limits.", keys)) ||
	    (ret = get_size(r, o, "max_values", "state.limits.max_values", 0,
			    big, &l->max_values)) ||
	    (ret = get_size(r, o, "max_distinct", "state.limits.max_distinct",
			    0, big, &l->max_distinct)) ||
	    (ret = get_size(r, o, "max_categories",
			    "state.limits.max_categories", 0, big,
			    &l->max_categories)) ||
	    (ret = get_size(r, o, "category_bytes",
			    "state.limits.category_bytes", 0, (uint64_t)1 << 34,
			    &l->category_bytes)) ||
	    (ret = get_size(r, o, "top_capacity", "state.limits.top_capacity",
			    1, 1000000, &l->top_capacity)) ||
	    (ret = get_size(r, o, "max_key_len", "state.limits.max_key_len", 1,
			    1 << 20, &l->max_key_len)) ||
	    (ret = get_size(r, o, "sketch_k", "state.limits.sketch_k", 8,
			    1 << 16, &l->sketch_k)) ||
	    (ret = get_size(r, o, "histogram_bins",
			    "state.limits.histogram_bins", 1, 10000,
			    &l->histogram_bins)) ||
	    (ret = get_size(r, o, "top_n", "state.limits.top_n", 0, 1000000,
			    &l->top_n)))
		return ret;
	return 0;
}

static int read_numbers(const struct reader *r, const cJSON *st,
			uint64_t count, struct mlci_profile *p)
{
	static const char *const exact_keys[] = {
		"format", "type", "limits", "count", "missing", "values", NULL
	};
	static const char *const sketch_keys[] = {
		"format", "type", "limits", "count", "missing", "mean", "m2",
		"min", "max", "kll", "pending", "distinct", NULL
	};
	static const char *const kll_keys[] = { "levels", NULL };
	const cJSON *kll = cJSON_GetObjectItemCaseSensitive(st, "kll");
	const cJSON *levels, *it;
	double *v;
	size_t n, h = 0;
	uint64_t weight = 0;
	char field[64];
	int ret;

	if (!kll) {
		if ((ret = only_keys(r, st, "state.", exact_keys)) ||
		    (ret = get_doubles(r, cJSON_GetObjectItemCaseSensitive(st, "values"),
				       "state.values", 1, &v, &n)))
			return ret;
		if (n != count || n > p->limits.max_values) {
			free(v);
			return bad(r, "state.values",
				   "not 'count' values within 'max_values'");
		}
		p->buf = v;
		p->nbuf = p->buf_alloc = p->buf_limit = n;
		return 0;
	}
	if ((ret = only_keys(r, st, "state.", sketch_keys)))
		return ret;
	p->sketch = 1;
	p->buf = xmalloc(MLCI_PROFILE_BATCH * sizeof(*p->buf));
	p->buf_alloc = p->buf_limit = MLCI_PROFILE_BATCH;
	if ((ret = get_double(r, st, "mean", "state.mean", &p->mean)) ||
	    (ret = get_double(r, st, "m2", "state.m2", &p->m2)) ||
	    (ret = get_double(r, st, "min", "state.min", &p->min)) ||
	    (ret = get_double(r, st, "max", "state.max", &p->max)))
		return ret;
	if (p->m2 < 0)
		return bad(r, "state.m2", "negative");
	if (p->min > p->max)
		return bad(r, "state.min", "greater than 'max'");
	if (!cJSON_IsObject(kll))
		return bad(r, "state.kll", "not an object");
	if ((ret = only_keys(r, kll, "state.kll.", kll_keys)))
		return ret;
	levels = cJSON_GetObjectItemCaseSensitive(kll, "levels");
	if (!cJSON_IsArray(levels) || cJSON_GetArraySize(levels) > 60)
		return bad(r, "state.kll.levels", "not an array of at most 60 levels");
	cJSON_ArrayForEach(it, levels) {
		snprintf(field, sizeof(field), "state.kll.levels[%zu]", h);
		if ((ret = get_doubles(r, it, field, 1, &v, &n)))
			return ret;
		if (n > (MAX_COUNT >> h) || weight + ((uint64_t)n << h) > MAX_COUNT) {
			free(v);
			return bad(r, field, "too many items");
		}
		weight += (uint64_t)n << h;
		mlci_kll_load_level(&p->kll, h, v, n);
		free(v);
		h++;
	}
	if ((ret = get_doubles(r, cJSON_GetObjectItemCaseSensitive(st, "pending"),
			       "state.pending", 0, &v, &n)))
		return ret;
	if (n > MLCI_PROFILE_BATCH || weight + n != count) {
		free(v);
		return bad(r, "state.pending",
			   "the sketch and pending values do not add up to 'count'");
	}
	memcpy(p->buf, v, n * sizeof(*v));
	p->nbuf = n;
	p->flushed = weight;
	free(v);
	return read_distinct(r, st, p);
}

static int read_strings(const struct reader *r, const cJSON *st,
			uint64_t count, struct mlci_profile *p)
{
	static const char *const keys[] = {
		"format", "type", "limits", "count", "missing", "categories",
		"distinct", NULL
	};
	static const char *const cat_keys[] = { "approximate", "entries", NULL };
	const cJSON *cats = cJSON_GetObjectItemCaseSensitive(st, "categories");
	const cJSON *approx, *entries, *row;
	uint64_t sum = 0;
	size_t i = 0;
	char field[64];
	int ret;

	if ((ret = only_keys(r, st, "state.", keys)))
		return ret;
	if (!cJSON_IsObject(cats))
		return bad(r, "state.categories", "missing or not an object");
	if ((ret = only_keys(r, cats, "state.categories.", cat_keys)))
		return ret;
	approx = cJSON_GetObjectItemCaseSensitive(cats, "approximate");
	entries = cJSON_GetObjectItemCaseSensitive(cats, "entries");
	if (!cJSON_IsBool(approx))
		return bad(r, "state.categories.approximate", "not true or false");
	if (!cJSON_IsArray(entries))
		return bad(r, "state.categories.entries", "missing or not an array");
	if (cJSON_IsTrue(approx))
		mlci_topk_make_approximate(&p->top);
	p->strings = count;
	cJSON_ArrayForEach(row, entries) {
		int width = cJSON_IsTrue(approx) ? 3 : 2;
		const cJSON *key = cJSON_GetArrayItem(row, 0);
		double dc = 0, de = 0;
		uint64_t c, e;
		size_t len;
		char why[64];

		snprintf(field, sizeof(field), "state.categories.entries[%zu]", i++);
		snprintf(why, sizeof(why), "not [value, count%s]",
			 width == 3 ? ", error" : "");
		if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != width ||
		    !cJSON_IsString(key) ||
		    read_double(cJSON_GetArrayItem(row, 1), &dc) ||
		    (width == 3 && read_double(cJSON_GetArrayItem(row, 2), &de)))
			return bad(r, field, why);
		if (dc != floor(dc) || dc < 1 || dc > (double)MAX_COUNT)
			return bad(r, field, "count not a positive integer");
		if (de != floor(de) || de < 0 || de > dc)
			return bad(r, field, "error not an integer from 0 to the count");
		c = (uint64_t)dc;
		e = (uint64_t)de;
		len = strlen(key->valuestring);
		if (len > p->limits.max_key_len)
			return bad(r, field, "value longer than 'max_key_len'");
		if (sum + c > count)
			return bad(r, field, "counts add up to more than 'count'");
		sum += c;
		if (mlci_topk_load_entry(&p->top, key->valuestring, len, c, e))
			return bad(r, field, "value given twice, or too many values");
	}
	if (!p->top.approximate &&
	    (sum != count || p->top.n > p->limits.max_categories ||
	     p->top.bytes > p->limits.category_bytes))
		return bad(r, "state.categories.entries",
			   "exact counts that do not add up to 'count' or exceed the limits");
	return read_distinct(r, st, p);
}

int mlci_profile_from_json(const cJSON *j, struct mlci_profile *out,
			   const char *what)
{
	struct reader r = { what };
	struct mlci_profile_limits limits = default_limits;
	const cJSON *st;
	const char *type;
	uint64_t format, count, missing;
	int ret;

	mlci_profile_sync();
	mlci_profile_init(out, MLCI_PROFILE_NUMBER, NULL);
	st = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "state")
			       : NULL;
	if (!cJSON_IsObject(st))
		return bad(&r, "state", "missing or not an object (statistics written without their state?)");
	if ((ret = get_count(&r, st, "format", "state.format", 0, 1000000,
			     &format)))
		return ret;
	if (format != MLCI_PROFILE_FORMAT)
		return bad(&r, "state.format", "unsupported version (this mlci reads 1)");
	type = mlci_json_get_string(st, "type");
	if (!type || (strcmp(type, "number") && strcmp(type, "string")))
		return bad(&r, "state.type", "not \"number\" or \"string\"");
	if ((ret = read_limits(&r, st, &limits)) ||
	    (ret = get_count(&r, st, "count", "state.count", 0, MAX_COUNT,
			     &count)) ||
	    (ret = get_count(&r, st, "missing", "state.missing", 0, MAX_COUNT,
			     &missing)))
		return ret;
	mlci_profile_init(out, strcmp(type, "number") ? MLCI_PROFILE_STRING
						      : MLCI_PROFILE_NUMBER,
			  &limits);
	out->missing = missing;
	ret = out->kind == MLCI_PROFILE_NUMBER ? read_numbers(&r, st, count, out)
					       : read_strings(&r, st, count, out);
	if (ret)
		mlci_profile_release(out);
	return ret;
}
