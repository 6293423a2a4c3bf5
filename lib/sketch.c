/* SPDX-License-Identifier: MIT */
/* Mergeable sketches for column statistics: hashing, distinct counts, quantiles, frequent values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX512 1
#endif

#include "sketch.h"
#include "wrapper.h"

/* splitmix64's finaliser: a bijection of 64-bit words with good avalanche. */
static inline uint64_t mix64(uint64_t z)
{
	z ^= z >> 30;
	z *= 0xbf58476d1ce4e5b9ull;
	z ^= z >> 27;
	z *= 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z;
}

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t load_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

uint64_t mlci_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x243f6a8885a308d3ull ^ ((uint64_t)len * 0x9e3779b97f4a7c15ull);
	uint64_t w = 0;
	size_t i;

	for (; len >= 8; p += 8, len -= 8)
		h = rotl64(h ^ mix64(load_le64(p)), 29) * 0x9e3779b97f4a7c15ull;
	for (i = 0; i < len; i++)
		w |= (uint64_t)p[i] << (8 * i);
	h = rotl64(h ^ mix64(w ^ 0x13198a2e03707344ull), 29) *
	    0x9e3779b97f4a7c15ull;
	return mix64(h);
}

static inline uint64_t hash_double(double v)
{
	uint64_t u;

	v += 0.0;	/* -0.0 + 0.0 is +0.0 */
	memcpy(&u, &v, sizeof(u));
	/* The added constant keeps the frequent +0.0 away from the hash 0. */
	return mix64(u + 0x9e3779b97f4a7c15ull);
}

uint64_t mlci_hash_double(double v)
{
	return hash_double(v);
}

/*
 * Hashing values and finding their buckets take eight lanes at once
 * where the CPU has AVX-512 (F, DQ for 64-bit multiplies, VL), with
 * results identical to the scalar code's, which the tests check.
 */
static int scalar_forced;

static int use_avx512(void)
{
#ifdef HAVE_AVX512
	return !scalar_forced && __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512dq") &&
	       __builtin_cpu_supports("avx512vl");
#else
	return 0;
#endif
}

/*
 * Some of it also takes BW (16-bit lanes, byte minima) and CD (leading
 * zero counts).
 */
static int use_avx512_bw_cd(void)
{
	return use_avx512() && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512cd");
}

int mlci_sketch_set_simd(const char *name)
{
	if (!name || !strcmp(name, "avx512")) {
		scalar_forced = 0;
		return !name || use_avx512() ? 0 : -1;
	}
	if (!strcmp(name, "scalar")) {
		scalar_forced = 1;
		return 0;
	}
	return -1;
}

#ifdef HAVE_AVX512
typedef uint64_t u64x8 __attribute__((vector_size(64)));
typedef double f64x8 __attribute__((vector_size(64)));

/*
 * hash_double() of v[0..8), step for step: one instruction multiplies
 * eight 64-bit lanes, the hash's slow part (AVX2 has no such multiply).
 */
__attribute__((target("avx512f,avx512dq")))
static inline __m512i hash8_avx512(const double *v)
{
	const f64x8 zero = { 0 };
	f64x8 x;
	u64x8 z;

	memcpy(&x, v, sizeof(x));
	x += zero;	/* -0.0 + 0.0 is +0.0 */
	memcpy(&z, &x, sizeof(z));
	z += 0x9e3779b97f4a7c15ull;
	z ^= z >> 30;
	z *= 0xbf58476d1ce4e5b9ull;
	z ^= z >> 27;
	z *= 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (__m512i)z;
}

/*
 * hash_double() of v[0..n) into h, eight at a time. Returns how many
 * were hashed, a multiple of 8.
 */
__attribute__((target("avx512f,avx512dq")))
static size_t hash_doubles_avx512(const double *v, size_t n, uint64_t *h)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		_mm512_storeu_si512(h + i, hash8_avx512(v + i));
	return i;
}
#endif

/* hash_double() of v[0..n) into h. */
static void hash_doubles(const double *v, size_t n, uint64_t *h)
{
	size_t i = 0;

#ifdef HAVE_AVX512
	if (use_avx512())
		i = hash_doubles_avx512(v, n, h);
#endif
	for (; i < n; i++)
		h[i] = hash_double(v[i]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void insertion_sort(double *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		double x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * The least and greatest of v[0..n), n > 0; whether v is out of order.
 * In four lanes: one running minimum would wait for each comparison
 * before the next.
 */
static inline double min2(double a, double b)
{
	return a < b ? a : b;
}

static inline double max2(double a, double b)
{
	return a > b ? a : b;
}

static int scan(const double *v, size_t n, double *lo, double *hi)
{
	double l0 = v[0], l1 = v[0], l2 = v[0], l3 = v[0];
	double h0 = v[0], h1 = v[0], h2 = v[0], h3 = v[0];
	size_t i;
	int unsorted = 0;

	for (i = 1; i + 4 <= n; i += 4) {
		l0 = min2(l0, v[i]);
		l1 = min2(l1, v[i + 1]);
		l2 = min2(l2, v[i + 2]);
		l3 = min2(l3, v[i + 3]);
		h0 = max2(h0, v[i]);
		h1 = max2(h1, v[i + 1]);
		h2 = max2(h2, v[i + 2]);
		h3 = max2(h3, v[i + 3]);
		unsorted |= (v[i] < v[i - 1]) | (v[i + 1] < v[i]) |
			    (v[i + 2] < v[i + 1]) | (v[i + 3] < v[i + 2]);
	}
	for (; i < n; i++) {
		l0 = min2(l0, v[i]);
		h0 = max2(h0, v[i]);
		unsorted |= v[i] < v[i - 1];
	}
	*lo = min2(min2(l0, l1), min2(l2, l3));
	*hi = max2(max2(h0, h1), max2(h2, h3));
	return unsorted;
}

/*
 * c[i] becomes c[0] + ... + c[i]; the running sum stays in a register
 * rather than going through memory from one element to the next.
 */
static void prefix_sums(uint32_t *c, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		sum += c[i];
		c[i] = sum;
	}
}

#ifdef HAVE_AVX512
/*
 * The buckets (v[i] - base) * scale, at most last, of v[0..n) into idx,
 * eight at a time, as bucket_counts() computes them; returns how many,
 * a multiple of 8.
 */
__attribute__((target("avx512f,avx512vl")))
static size_t bucket_index_avx512(const double *v, uint16_t *idx, size_t n,
				  double base, double scale, double last)
{
	__m512d b = _mm512_set1_pd(base), s = _mm512_set1_pd(scale);
	__m512d l = _mm512_set1_pd(last);
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		__m512d f = _mm512_mul_pd(_mm512_sub_pd(_mm512_loadu_pd(v + i), b), s);
		__m256i k = _mm512_cvttpd_epi32(_mm512_min_pd(f, l));

		_mm_storeu_si128((__m128i *)(void *)(idx + i),
				 _mm256_cvtepi32_epi16(k));
	}
	return i;
}
#endif

/*
 * The bucket of each of v[0..n) into idx, of nb equal-width buckets: x
 * goes to bucket ((half ? x / 2 : x) - base) * scale, the last one for
 * anything past it; each bucket's count added to cnt[bucket].
 */
static void bucket_counts(const double *v, uint16_t *idx, size_t n, size_t nb,
			  double base, double scale, int half, uint32_t *cnt)
{
	double last = (double)(nb - 1);
	size_t i = 0;

#ifdef HAVE_AVX512
	if (!half && use_avx512())
		i = bucket_index_avx512(v, idx, n, base, scale, last);
#endif
	for (; i < n; i++) {
		double f = ((half ? v[i] / 2 : v[i]) - base) * scale;

		/* f >= 0 (x >= base): truncation is the floor. */
		idx[i] = (uint16_t)(f < last ? f : last);
	}
	for (i = 0; i < n; i++)
		cnt[idx[i]]++;
}

/*
 * Scatter v[0..n) into tmp by nb equal-width buckets (bucket_counts()).
 * Returns the buckets' ends (nb + 1 of them, the caller's to free):
 * bucket b is tmp[b ? end[b - 1] : 0 .. end[b]).
 */
static uint32_t *scatter(const double *v, double *tmp, uint16_t *idx,
			 size_t n, size_t nb, double base, double scale,
			 int half)
{
	uint32_t *end = xcalloc(nb + 1, sizeof(*end));
	size_t i;

	bucket_counts(v, idx, n, nb, base, scale, half, end + 1);
	prefix_sums(end, nb + 1);
	/* end[b] is now bucket b's start; scattering moves it to its end. */
	for (i = 0; i < n; i++)
		tmp[end[idx[i]]++] = v[i];
	return end;
}

/*
 * Bucket sort by value: n equal-width buckets over [min, max] (n / 4
 * past 4096), each sorted the same way (a bucket of a few values by
 * insertion). A batch of similar values is sorted in a few linear
 * passes; skewed data recurses
 * into its crowded buckets with their own ranges, and qsort takes over in
 * the rare case where that stops making progress.
 */
static void bucket_sort(double *v, double *tmp, uint16_t *idx, size_t n,
			int depth)
{
	double lo, hi, base, scale;
	uint32_t *end;
	size_t nb, b, from;
	int half = 0, unsorted;

	if (n <= 24) {
		insertion_sort(v, n);
		return;
	}
	unsorted = scan(v, n, &lo, &hi);
	/* Already in order (a row id, a timestamp): nothing to do. */
	if (lo == hi || !unsorted)
		return;
	base = lo;
	if (!isfinite(hi - lo)) {	/* halve to keep the span finite */
		half = 1;
		base = lo / 2;
	}
	/*
	 * Past 4096 values (a spill of the exact values: 100,000 by default)
	 * about four a bucket, rather than 24 that the last pass's insertion
	 * sort would move about quadratically; at most what idx can number.
	 */
	nb = n <= 4096 ? n : n / 4 > 65536 ? 65536 : n / 4;
	scale = (double)nb / (half ? hi / 2 - lo / 2 : hi - lo);
	if (!isfinite(scale) || depth > 16) {
		qsort(v, n, sizeof(*v), cmp_double);
		return;
	}
	end = scatter(v, tmp, idx, n, nb, base, scale, half);
	memcpy(v, tmp, n * sizeof(*v));
	for (b = 0, from = 0; b < nb; from = end[b++]) {
		size_t len = end[b] - from;

		if (len == n)
			qsort(v, n, sizeof(*v), cmp_double);
		else if (len > 24)
			bucket_sort(v + from, tmp + from, idx + from, len, depth + 1);
	}
	free(end);
	/* The small buckets: one pass, as only values within a bucket move. */
	insertion_sort(v, n);
}

void mlci_sort_doubles(double *v, size_t n)
{
	double *tmp;
	uint16_t *idx;

	if (n < 2)
		return;
	tmp = xmalloc(n * sizeof(*tmp));
	idx = xmalloc(n * sizeof(*idx));
	bucket_sort(v, tmp, idx, n, 0);
	free(tmp);
	free(idx);
}

/* ---- distinct counting ---- */

void mlci_distinct_init(struct mlci_distinct *d, size_t max_exact)
{
	memset(d, 0, sizeof(*d));
	d->max_exact = max_exact;
	d->max_slots = 64;
	while (d->max_slots < 2 * max_exact)
		d->max_slots *= 2;
}

void mlci_distinct_release(struct mlci_distinct *d)
{
	free(d->slots);
	free(d->hll);
	mlci_distinct_init(d, d->max_exact);
}

static inline void hll_add(uint8_t *regs, uint64_t h)
{
	size_t idx = (size_t)(h >> (64 - MLCI_HLL_PRECISION));
	uint64_t rest = h << MLCI_HLL_PRECISION;
	uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1)
			    : MLCI_HLL_MAX_RANK;

	if (rank > regs[idx])
		regs[idx] = rank;
}

static void distinct_to_hll(struct mlci_distinct *d)
{
	size_t i;

	d->hll = xcalloc(MLCI_HLL_REGISTERS, 1);
	for (i = 0; i < d->nslots; i++)
		if (d->slots[i])
			hll_add(d->hll, d->slots[i]);
	if (d->has_zero)
		hll_add(d->hll, 0);
	free(d->slots);
	d->slots = NULL;
	d->nslots = d->n = 0;
	d->has_zero = 0;
}

static int set_insert(uint64_t *slots, size_t nslots, uint64_t h)
{
	size_t mask = nslots - 1, i = (size_t)h & mask;

	for (; slots[i]; i = (i + 1) & mask)
		if (slots[i] == h)
			return 0;
	slots[i] = h;
	return 1;
}

/*
 * Four times larger each time, up to max_slots (what max_exact hashes
 * need at half load): a column with many distinct values rehashes them
 * about a third as often, and touches half as much fresh memory, as with
 * doubling.
 */
static void set_grow(struct mlci_distinct *d)
{
	size_t nslots = d->nslots ? 4 * d->nslots : 64, i;
	uint64_t *slots;

	if (nslots > d->max_slots && d->max_slots > d->nslots)
		nslots = d->max_slots;
	slots = xcalloc(nslots, sizeof(*slots));

	for (i = 0; i < d->nslots; i++)
		if (d->slots[i])
			set_insert(slots, nslots, d->slots[i]);
	free(d->slots);
	d->slots = slots;
	d->nslots = nslots;
}

void mlci_distinct_add(struct mlci_distinct *d, uint64_t h)
{
	size_t mask = d->nslots - 1, i = 0;

	if (d->hll) {
		hll_add(d->hll, h);
		return;
	}
	/* One walk of the cluster: it ends on h, or on the slot h goes to. */
	if (h && d->nslots)
		for (i = (size_t)h & mask; d->slots[i]; i = (i + 1) & mask)
			if (d->slots[i] == h)
				return;
	if (!h && d->has_zero)
		return;
	if (d->n + (size_t)d->has_zero + 1 > d->max_exact) {
		distinct_to_hll(d);
		hll_add(d->hll, h);
		return;
	}
	if (!h) {
		d->has_zero = 1;
		return;
	}
	/*
	 * At most a quarter full below max_slots, half at it: a set of a
	 * few thousand values, looked up once per value added, mostly finds
	 * a value in its home slot.
	 */
	if ((d->n + 1) * 2 > d->nslots ||
	    ((d->n + 1) * 4 > d->nslots && d->nslots < d->max_slots)) {
		set_grow(d);
		set_insert(d->slots, d->nslots, h);
	} else {
		d->slots[i] = h;
	}
	d->n++;
}

#define HASH_CHUNK 256

#ifdef HAVE_AVX512
/* The least of the registers, 64 at a time. */
__attribute__((target("avx512f,avx512bw")))
static uint8_t hll_floor_avx512(const uint8_t *regs)
{
	__m512i lo = _mm512_loadu_si512(regs);
	uint8_t b[64], t = 255;
	size_t i;

	for (i = 64; i < MLCI_HLL_REGISTERS; i += 64)
		lo = _mm512_min_epu8(lo, _mm512_loadu_si512(regs + i));
	_mm512_storeu_si512(b, lo);
	for (i = 0; i < 64; i++)
		t = b[i] < t ? b[i] : t;
	return t;
}

/*
 * hll_add() of the hashes of v[0..n), eight at a time: a hash whose rank
 * is at most the least register (all of them, once the registers have
 * filled) cannot raise one, so only the others are kept, without a
 * branch, for hll_add(). Returns how many were added, a multiple of 8.
 */
__attribute__((target("avx512f,avx512dq,avx512cd,avx512bw,popcnt")))
static size_t hll_add_doubles_avx512(uint8_t *regs, const double *v, size_t n)
{
	const __m512i max_rank = _mm512_set1_epi64(MLCI_HLL_MAX_RANK);
	const __m512i one = _mm512_set1_epi64(1);
	__m512i floor = _mm512_set1_epi64(hll_floor_avx512(regs));
	uint64_t h[HASH_CHUNK + 8];
	size_t i, j, nh;

	for (i = 0; i + 8 <= n;) {
		for (nh = 0; i + 8 <= n && nh <= HASH_CHUNK - 8; i += 8) {
			__m512i z = hash8_avx512(v + i), rank;
			__mmask8 k;

			/* lzcnt of 0 is 64: the rest 0 has the top rank. */
			rank = _mm512_lzcnt_epi64(
				_mm512_slli_epi64(z, MLCI_HLL_PRECISION));
			rank = _mm512_min_epu64(_mm512_add_epi64(rank, one),
						max_rank);
			k = _mm512_cmpgt_epu64_mask(rank, floor);
			_mm512_storeu_si512(h + nh,
					    _mm512_maskz_compress_epi64(k, z));
			nh += (size_t)__builtin_popcount(k);
		}
		for (j = 0; j < nh; j++)
			hll_add(regs, h[j]);
	}
	return i;
}

/*
 * The hashes of v[0..n) (n a multiple of 8) that are not in their home
 * slot of slots (mask + 1 of them), or are 0, into miss, eight at a time
 * (the slots gathered); returns how many.
 */
__attribute__((target("avx512f,avx512dq,popcnt")))
static size_t set_misses_avx512(const uint64_t *slots, size_t mask,
				const double *v, size_t n, uint64_t *miss)
{
	const __m512i m = _mm512_set1_epi64((long long)mask);
	const __m512i zero = _mm512_setzero_si512();
	size_t i, nm = 0;

	for (i = 0; i < n; i += 8) {
		__m512i z = hash8_avx512(v + i);
		__m512i s = _mm512_i64gather_epi64(_mm512_and_si512(z, m),
						   (const void *)slots, 8);
		__mmask8 k = _mm512_cmpneq_epi64_mask(s, z) |
			     _mm512_cmpeq_epi64_mask(z, zero);

		_mm512_storeu_si512(miss + nm,
				    _mm512_maskz_compress_epi64(k, z));
		nm += (size_t)__builtin_popcount(k);
	}
	return nm;
}
#endif

/*
 * Values hashed in chunks while the count is exact: a first pass, free of
 * branches (eight at a time with AVX-512, the home slots gathered), keeps
 * the hashes not found in their home slot (a value seen before mostly is
 * there), the second adds those; a branch on each lookup would guess
 * wrong as often as values repeat at random.
 */
void mlci_distinct_add_doubles(struct mlci_distinct *d, const double *v,
			       size_t n)
{
	uint64_t h[HASH_CHUNK + 8];
	size_t i = 0, j, m;

	while (i < n && !d->hll) {
		size_t mask = d->nslots ? d->nslots - 1 : 0, nm = 0;
		const uint64_t *slots = d->slots;
		uint64_t empty = 0;

		m = n - i < HASH_CHUNK ? n - i : HASH_CHUNK;
		if (!slots)	/* nothing is there yet: every hash a miss */
			slots = &empty;
#ifdef HAVE_AVX512
		if (m % 8 == 0 && use_avx512()) {
			nm = set_misses_avx512(slots, mask, v + i, m, h);
		} else
#endif
		{
			hash_doubles(v + i, m, h);
			for (j = 0; j < m; j++) {
				uint64_t x = h[j];

				h[nm] = x;
				/* 0 marks empty slots: it goes the long way. */
				nm += (slots[x & mask] != x) | (x == 0);
			}
		}
		for (j = 0; j < nm && !d->hll; j++) {
			uint64_t x = h[j];

			/*
			 * Most values seen before that are not in their home
			 * slot are in the next one: no call for those.
			 */
			if (x && d->nslots &&
			    d->slots[(x + 1) & (d->nslots - 1)] == x)
				continue;
			mlci_distinct_add(d, x);
		}
		/* The set overflowed into HyperLogLog: the rest go there. */
		for (; j < nm; j++)
			hll_add(d->hll, h[j]);
		i += m;
	}
	/* Registers only keep maxima: a repeated value changes nothing. */
#ifdef HAVE_AVX512
	if (i < n && use_avx512_bw_cd())
		i += hll_add_doubles_avx512(d->hll, v + i, n - i);
#endif
	for (; i < n; i += m) {
		m = n - i < HASH_CHUNK ? n - i : HASH_CHUNK;
		hash_doubles(v + i, m, h);
		for (j = 0; j < m; j++)
			hll_add(d->hll, h[j]);
	}
}

void mlci_distinct_make_approximate(struct mlci_distinct *d)
{
	if (!d->hll)
		distinct_to_hll(d);
}

void mlci_distinct_copy(struct mlci_distinct *dst,
			const struct mlci_distinct *src)
{
	*dst = *src;
	if (src->slots) {
		dst->slots = xmalloc(src->nslots * sizeof(*dst->slots));
		memcpy(dst->slots, src->slots, src->nslots * sizeof(*dst->slots));
	}
	if (src->hll) {
		dst->hll = xmalloc(MLCI_HLL_REGISTERS);
		memcpy(dst->hll, src->hll, MLCI_HLL_REGISTERS);
	}
}

void mlci_distinct_load_hll(struct mlci_distinct *d, const uint8_t *regs)
{
	size_t i;

	if (!d->hll)
		distinct_to_hll(d);
	for (i = 0; i < MLCI_HLL_REGISTERS; i++)
		if (regs[i] > d->hll[i])
			d->hll[i] = regs[i];
}

void mlci_distinct_merge(struct mlci_distinct *into,
			 const struct mlci_distinct *from)
{
	size_t i;

	if (from->hll) {
		mlci_distinct_load_hll(into, from->hll);
		return;
	}
	for (i = 0; i < from->nslots; i++)
		if (from->slots[i])
			mlci_distinct_add(into, from->slots[i]);
	if (from->has_zero)
		mlci_distinct_add(into, 0);
}

/* Ertl (2017), "New cardinality estimation algorithms for HyperLogLog". */
static double hll_sigma(double x)
{
	double y = 1.0, z = x, zp;

	if (x == 1.0)
		return INFINITY;
	do {
		x *= x;
		zp = z;
		z += x * y;
		y += y;
	} while (zp != z);
	return z;
}

static double hll_tau(double x)
{
	double y = 1.0, z = 1.0 - x, zp;

	if (x == 0.0 || x == 1.0)
		return 0.0;
	do {
		x = sqrt(x);
		zp = z;
		y *= 0.5;
		z -= (1.0 - x) * (1.0 - x) * y;
	} while (zp != z);
	return z / 3.0;
}

static double hll_estimate(const uint8_t *regs)
{
	const double m = MLCI_HLL_REGISTERS;
	size_t c[MLCI_HLL_MAX_RANK + 1] = { 0 }, i;
	int k;
	double z;

	for (i = 0; i < MLCI_HLL_REGISTERS; i++)
		c[regs[i]]++;
	z = m * hll_tau((m - (double)c[MLCI_HLL_MAX_RANK]) / m);
	for (k = MLCI_HLL_MAX_RANK - 1; k >= 1; k--)
		z = 0.5 * (z + (double)c[k]);
	z += m * hll_sigma((double)c[0] / m);
	return 0.5 / log(2.0) * m * m / z;
}

uint64_t mlci_distinct_count(const struct mlci_distinct *d)
{
	if (d->hll)
		return (uint64_t)llround(hll_estimate(d->hll));
	return d->n + (uint64_t)d->has_zero;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

size_t mlci_distinct_hashes(const struct mlci_distinct *d, uint64_t **out)
{
	size_t i, n = 0;

	*out = NULL;
	if (d->hll)
		return 0;
	*out = xmalloc((d->n + 1) * sizeof(**out));
	if (d->has_zero)
		(*out)[n++] = 0;
	for (i = 0; i < d->nslots; i++)
		if (d->slots[i])
			(*out)[n++] = d->slots[i];
	qsort(*out, n, sizeof(**out), cmp_u64);
	return n;
}

size_t mlci_distinct_state_size(const struct mlci_distinct *d)
{
	return sizeof(*d) + d->nslots * sizeof(*d->slots) +
	       (d->hll ? MLCI_HLL_REGISTERS : 0);
}

/* ---- KLL quantile sketch ---- */

void mlci_kll_init(struct mlci_kll *s, size_t k, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->k = k < 8 ? 8 : k;
	mlci_rng_seed(&s->rng, seed);
}

void mlci_kll_release(struct mlci_kll *s)
{
	size_t h;

	for (h = 0; h < s->nlevels; h++)
		free(s->levels[h].v);
	free(s->levels);
	free(s->scratch);
	s->levels = NULL;
	s->scratch = NULL;
	s->nlevels = s->scratch_alloc = 0;
	s->n = 0;
}

static void kll_grow(struct mlci_kll *s, size_t nlevels)
{
	if (nlevels <= s->nlevels)
		return;
	s->levels = xrealloc(s->levels, nlevels * sizeof(*s->levels));
	memset(s->levels + s->nlevels, 0,
	       (nlevels - s->nlevels) * sizeof(*s->levels));
	s->nlevels = nlevels;
}

static void level_reserve(struct mlci_kll_level *l, size_t n)
{
	size_t a = l->alloc ? l->alloc : 16;

	if (n <= l->alloc)
		return;
	while (a < n)
		a *= 2;
	l->v = xrealloc(l->v, a * sizeof(*l->v));
	l->alloc = a;
}

/* Merge the sorted v[0..n) (not inside l) into the sorted level l. */
static void level_merge(struct mlci_kll_level *l, const double *v, size_t n)
{
	size_t i = l->n, j = n, o = l->n + n;

	level_reserve(l, l->n + n);
	while (j > 0) {
		if (i > 0 && l->v[i - 1] > v[j - 1])
			l->v[--o] = l->v[--i];
		else
			l->v[--o] = v[--j];
	}
	l->n += n;
}

/*
 * Capacities k (2/3)^depth, at least 2, with depth counted from the top
 * level; by repeated multiplication so every platform agrees.
 */
static void capacities(size_t k, size_t nlevels, size_t *cap)
{
	double c = (double)k;
	size_t d;

	for (d = 0; d < nlevels; d++) {
		double up = ceil(c);

		cap[nlevels - 1 - d] = up < 2.0 ? 2 : (size_t)up;
		c *= 2.0 / 3.0;
	}
}

static void kll_capacities(const struct mlci_kll *s, size_t *cap)
{
	capacities(s->k, s->nlevels, cap);
}

static void kll_compact(struct mlci_kll *s, size_t h, size_t cap)
{
	struct mlci_kll_level *l;
	size_t n, odd, pairs, r, i;

	kll_grow(s, h + 2);
	l = &s->levels[h];
	n = l->n;
	odd = n & 1;
	pairs = n / 2;
	r = (size_t)(mlci_rng_next(&s->rng) >> 63);
	if (pairs > s->scratch_alloc) {
		free(s->scratch);
		s->scratch_alloc = pairs;
		s->scratch = xmalloc(pairs * sizeof(*s->scratch));
	}
	for (i = 0; i < pairs; i++)
		s->scratch[i] = l->v[odd + 2 * i + r];
	/* With an odd count the smallest item stays for the next round. */
	l->n = odd;
	/*
	 * A level's buffer grew while it was near the top; give the memory
	 * back as its capacity shrinks, so the sketch's size stays bounded.
	 */
	if (l->alloc > 64 && l->alloc > 4 * cap) {
		l->alloc = cap < 32 ? 64 : 2 * cap;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	level_merge(&s->levels[h + 1], s->scratch, pairs);
}

static void kll_compress(struct mlci_kll *s)
{
	size_t cap[64];

	for (;;) {
		size_t size = 0, total = 0, h;

		kll_capacities(s, cap);
		for (h = 0; h < s->nlevels; h++) {
			size += s->levels[h].n;
			total += cap[h];
		}
		if (size < total)
			return;
		for (h = 0; h < s->nlevels; h++) {
			if (s->levels[h].n >= cap[h]) {
				kll_compact(s, h, cap[h]);
				break;
			}
		}
	}
}

void mlci_kll_add_sorted(struct mlci_kll *s, size_t level, const double *v,
			 size_t n)
{
	if (!n)
		return;
	kll_grow(s, level + 1);
	level_merge(&s->levels[level], v, n);
	s->n += (uint64_t)n << level;
	kll_compress(s);
}

/*
 * How many times in a row mlci_kll_add_sorted() would compact a batch of
 * n values (a power of two) from level 0 up, counting only compactions of
 * levels that held nothing before, so that each halves the batch's share
 * alone: kll_compress() on the levels' sizes, without the values.
 */
static size_t batch_depth(const struct mlci_kll *s, size_t n)
{
	size_t cnt[64], cap[64], nlevels = s->nlevels, d = 0, j, size, total;

	if (!nlevels || nlevels > 60)
		return 0;
	for (j = 0; j < nlevels; j++)
		cnt[j] = s->levels[j].n;
	cnt[0] += n;
	while (d < nlevels && (d >= s->nlevels || !s->levels[d].n) &&
	       (n >> d) >= 2) {
		capacities(s->k, nlevels, cap);
		for (j = 0, size = 0, total = 0; j < nlevels; j++) {
			size += cnt[j];
			total += cap[j];
		}
		if (size < total)
			break;
		for (j = 0; j < nlevels && cnt[j] < cap[j]; j++)
			;
		if (j != d)
			break;
		/* kll_compact() of level d makes room for level d + 1. */
		if (d + 2 > nlevels)
			cnt[nlevels++] = 0;
		cnt[d + 1] += cnt[d] / 2;
		cnt[d] &= 1;
		d++;
	}
	return d;
}

#ifdef HAVE_AVX512
/*
 * select_strided() past its checks, without moving every value: the
 * buckets are counted, the few that hold a wanted rank found from their
 * ends sixteen at a time, and only their values picked out (in the order
 * they came, as scatter() keeps them), sorted and read. n is a multiple
 * of 32 (so nb of 16); h is log2(stride). The same values as the scalar
 * code, which the tests check.
 */
__attribute__((target("avx512f,avx512bw,popcnt")))
static void select_buckets_avx512(double *v, double *tmp, uint16_t *idx,
				  size_t n, size_t nb, double lo, double scale,
				  size_t first, unsigned h, double *out)
{
	/* end: the buckets' starts then ends, end[b + 1] bucket b's end. */
	size_t i, m, nw, w, o;
	uint32_t *end = xmalloc((3 * nb + 17) * sizeof(*end));
	uint32_t *off = end + nb + 1, *want = off + nb;
	uint16_t words[4096 / 16] = { 0 };
	__m512i tab[8];
	const __m512i zero = _mm512_setzero_si512();
	const __m512i low4 = _mm512_set1_epi16(15);
	const __m512i one16 = _mm512_set1_epi16(1);
	const __m512i bias = _mm512_set1_epi32(
		(int)(((uint32_t)1 << h) - 1 - first));
	const __m512i ids = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
					      10, 11, 12, 13, 14, 15);
	uint32_t r, carry = 0;

	memset(end, 0, (nb + 1) * sizeof(*end));
	bucket_counts(v, idx, n, nb, lo, scale, 0, end + 1);
	/*
	 * The counts become the buckets' ends sixteen at a time, each block
	 * summed in its register apart (the scalar loop waits on memory for
	 * each), with a scalar addition, not a permute's latency, carried
	 * from block to block. The wanted ranks below E number
	 * (E + stride - 1 - first) >> h: bucket b holds one where that
	 * differs between its start and end.
	 */
	for (i = 0, nw = 0; i < nb; i += 16) {
		__m512i c = _mm512_loadu_si512(end + 1 + i), x = c, s, e;
		__mmask16 k;

		x = _mm512_add_epi32(x, _mm512_alignr_epi32(x, zero, 15));
		x = _mm512_add_epi32(x, _mm512_alignr_epi32(x, zero, 14));
		x = _mm512_add_epi32(x, _mm512_alignr_epi32(x, zero, 12));
		x = _mm512_add_epi32(x, _mm512_alignr_epi32(x, zero, 8));
		e = _mm512_add_epi32(x, _mm512_set1_epi32((int)carry));
		carry += (uint32_t)_mm_extract_epi32(
			_mm512_extracti32x4_epi32(x, 3), 3);
		_mm512_storeu_si512(end + 1 + i, e);
		s = _mm512_add_epi32(_mm512_sub_epi32(e, c), bias);
		s = _mm512_srli_epi32(s, h);
		e = _mm512_srli_epi32(_mm512_add_epi32(e, bias), h);
		k = _mm512_cmpneq_epi32_mask(s, e);
		words[i / 16] = k;
		_mm512_storeu_si512(want + nw, _mm512_maskz_compress_epi32(k,
			_mm512_add_epi32(ids, _mm512_set1_epi32((int)i))));
		nw += (size_t)__builtin_popcount(k);
	}
	/*
	 * The values of the wanted buckets, and their buckets, to the front
	 * of v and idx (what is written lies behind what is still to read),
	 * 32 at a time: each looks its bucket's bit up in the 256 words of
	 * 16 bits held in eight registers, with four two-register permutes
	 * and a choice by the word number's top two bits (faster here than
	 * a gather, or a byte table read value by value).
	 */
	for (i = 0; i < 8; i++)
		tab[i] = _mm512_loadu_si512(words + 32 * i);
	for (i = 0, m = 0; i < n; i += 32) {
		__m512i q = _mm512_loadu_si512(idx + i);
		__m512i wi = _mm512_srli_epi16(q, 4);
		__mmask32 up1 = _mm512_test_epi16_mask(wi,
						       _mm512_set1_epi16(64));
		__mmask32 up2 = _mm512_test_epi16_mask(wi,
						       _mm512_set1_epi16(128));
		__m512i w01 = _mm512_permutex2var_epi16(tab[0], wi, tab[1]);
		__m512i w23 = _mm512_permutex2var_epi16(tab[2], wi, tab[3]);
		__m512i w45 = _mm512_permutex2var_epi16(tab[4], wi, tab[5]);
		__m512i w67 = _mm512_permutex2var_epi16(tab[6], wi, tab[7]);
		__m512i word = _mm512_mask_blend_epi16(up2,
			_mm512_mask_blend_epi16(up1, w01, w23),
			_mm512_mask_blend_epi16(up1, w45, w67));
		__mmask32 k32 = _mm512_test_epi16_mask(_mm512_srlv_epi16(word,
			_mm512_and_si512(q, low4)), one16);
		size_t half;

		for (half = 0; half < 32; half += 16) {
			__mmask16 k = (__mmask16)(k32 >> half);
			__m512i bk = _mm512_cvtepu16_epi32(half ?
				_mm512_extracti64x4_epi64(q, 1) :
				_mm512_castsi512_si256(q));
			__m512d x0 = _mm512_loadu_pd(v + i + half);
			__m512d x1 = _mm512_loadu_pd(v + i + half + 8);
			size_t m0 = (size_t)__builtin_popcount(k & 0xff);

			bk = _mm512_maskz_compress_epi32(k, bk);
			_mm256_storeu_si256((__m256i *)(void *)(idx + m),
					    _mm512_cvtepi32_epi16(bk));
			x0 = _mm512_maskz_compress_pd((__mmask8)k, x0);
			x1 = _mm512_maskz_compress_pd((__mmask8)(k >> 8), x1);
			_mm512_storeu_pd(v + m, x0);
			_mm512_storeu_pd(v + m + m0, x1);
			m += (size_t)__builtin_popcount(k);
		}
	}
	/* Each wanted bucket's place in tmp, then its values there. */
	for (w = 0, r = 0; w < nw; w++) {
		off[want[w]] = r;
		r += end[want[w] + 1] - end[want[w]];
	}
	for (i = 0; i < m; i++)
		tmp[off[idx[i]]++] = v[i];
	for (w = 0, o = 0; w < nw; w++) {
		uint32_t b = want[w], from = end[b], len = end[b + 1] - from;
		uint32_t at = off[b] - len;
		size_t j = ((size_t)from + ((size_t)1 << h) - 1 - first) >> h;
		size_t t = first + (j << h);

		/*
		 * Most of these buckets hold one value or two, and so one
		 * rank (ranks are at least two apart): insertion_sort()'s
		 * single step on two (equal values keep their order), without
		 * a branch on the values.
		 */
		if (len <= 2) {
			double x = tmp[at], y = tmp[at + len - 1];
			double lo2 = y < x ? y : x, hi2 = y < x ? x : y;

			out[o++] = t == from ? lo2 : hi2;
			continue;
		}
		bucket_sort(tmp + at, v + at, idx + at, len, 1);
		for (; t < end[b + 1]; t += (size_t)1 << h)
			out[o++] = tmp[at + t - from];
	}
	free(end);
}
#endif

/*
 * The values of ranks first, first + stride, ... of v[0..n) (2 <= n <=
 * 65536; lo and hi its least and greatest values, unsorted whether it is
 * out of order), ascending, into out. Like bucket_sort()'s first pass,
 * then only the buckets that hold one of those ranks are sorted. v and
 * tmp are scratch.
 */
static void select_strided(double *v, double *tmp, uint16_t *idx, size_t n,
			   double lo, double hi, int unsorted, size_t first,
			   size_t stride, double *out)
{
	double scale;
	uint32_t *end;
	size_t nb, b, t, o, done;

	nb = n > 4096 ? 4096 : n;
	scale = (double)nb / (hi - lo);
	if (unsorted && lo != hi && !isfinite(scale)) {
		/* A span beyond the doubles: the full sort copes. */
		bucket_sort(v, tmp, idx, n, 0);
		unsorted = 0;
	}
	if (!unsorted || lo == hi) {
		for (o = 0, t = first; t < n; t += stride)
			out[o++] = v[t];
		return;
	}
#ifdef HAVE_AVX512
	if (n % 32 == 0 && use_avx512_bw_cd()) {
		select_buckets_avx512(v, tmp, idx, n, nb, lo, scale, first,
				      (unsigned)__builtin_ctzll(stride), out);
		return;
	}
#endif
	end = scatter(v, tmp, idx, n, nb, lo, scale, 0);
	/* v is now free to be the buckets' scratch. */
	for (o = 0, b = 0, done = nb, t = first; t < n; t += stride) {
		while (end[b] <= t)
			b++;
		if (b != done) {
			size_t from = b ? end[b - 1] : 0;

			bucket_sort(tmp + from, v + from, idx + from,
				    end[b] - from, 1);
			done = b;
		}
		out[o++] = tmp[t];
	}
	free(end);
}

/* range: NULL, or v's least and greatest values and whether v is sorted. */
static void add_batch(struct mlci_kll *s, double *v, size_t n,
		      const double *range, int sorted)
{
	double *tmp, lo, hi;
	uint16_t *idx;
	size_t h, m;
	int unsorted;

	if (n < 2 || n > 65536 || (n & (n - 1))) {
		mlci_sort_doubles(v, n);
		mlci_kll_add_sorted(s, 0, v, n);
		return;
	}
	h = batch_depth(s, n);
	if (!h) {
		mlci_sort_doubles(v, n);
		mlci_kll_add_sorted(s, 0, v, n);
		return;
	}
	m = n >> h;
	if (m > s->scratch_alloc) {
		free(s->scratch);
		s->scratch_alloc = m;
		s->scratch = xmalloc(m * sizeof(*s->scratch));
	}
	if (range) {
		lo = range[0];
		hi = range[1];
		unsorted = !sorted;
	} else {
		unsorted = scan(v, n, &lo, &hi);
	}
	tmp = xmalloc(n * sizeof(*tmp));
	idx = xmalloc(n * sizeof(*idx));
	/* h compactions from uniformly random offsets: one offset of h bits. */
	select_strided(v, tmp, idx, n, lo, hi, unsorted,
		       (size_t)(mlci_rng_next(&s->rng) >> (64 - h)),
		       (size_t)1 << h, s->scratch);
	free(tmp);
	free(idx);
	kll_grow(s, h + 1);
	level_merge(&s->levels[h], s->scratch, m);
	s->n += (uint64_t)n;
	kll_compress(s);
}

void mlci_kll_add_batch(struct mlci_kll *s, double *v, size_t n)
{
	add_batch(s, v, n, NULL, 0);
}

void mlci_kll_add_scanned_batch(struct mlci_kll *s, double *v, size_t n,
				double lo, double hi, int sorted)
{
	double range[2];

	range[0] = lo;
	range[1] = hi;
	add_batch(s, v, n, range, sorted);
}

void mlci_kll_load_level(struct mlci_kll *s, size_t h, const double *v,
			 size_t n)
{
	struct mlci_kll_level *l;

	kll_grow(s, h + 1);
	l = &s->levels[h];
	s->n -= (uint64_t)l->n << h;
	l->n = 0;
	level_merge(l, v, n);
	s->n += (uint64_t)n << h;
}

void mlci_kll_merge(struct mlci_kll *into, const struct mlci_kll *from)
{
	size_t h;

	kll_grow(into, from->nlevels);
	for (h = 0; h < from->nlevels; h++)
		level_merge(&into->levels[h], from->levels[h].v,
			    from->levels[h].n);
	into->n += from->n;
	kll_compress(into);
}

size_t mlci_kll_items(const struct mlci_kll *s, double **values,
		      uint64_t **weights)
{
	size_t total = 0, n = 0, h, i, j, o;
	double *v, *tv;
	uint64_t *w, *tw;

	for (h = 0; h < s->nlevels; h++)
		total += s->levels[h].n;
	v = xmalloc((total + 1) * sizeof(*v));
	w = xmalloc((total + 1) * sizeof(*w));
	tv = xmalloc((total + 1) * sizeof(*tv));
	tw = xmalloc((total + 1) * sizeof(*tw));
	for (h = 0; h < s->nlevels; h++) {
		const struct mlci_kll_level *l = &s->levels[h];

		for (i = 0, j = 0, o = 0; i < n || j < l->n; o++) {
			if (j == l->n || (i < n && v[i] <= l->v[j])) {
				tv[o] = v[i];
				tw[o] = w[i++];
			} else {
				tv[o] = l->v[j++];
				tw[o] = (uint64_t)1 << h;
			}
		}
		n = o;
		memcpy(v, tv, n * sizeof(*v));
		memcpy(w, tw, n * sizeof(*w));
	}
	free(tv);
	free(tw);
	*values = v;
	*weights = w;
	return n;
}

size_t mlci_kll_state_size(const struct mlci_kll *s)
{
	size_t size = sizeof(*s) + s->nlevels * sizeof(*s->levels) +
		      s->scratch_alloc * sizeof(*s->scratch), h;

	for (h = 0; h < s->nlevels; h++)
		size += s->levels[h].alloc * sizeof(double);
	return size;
}

/* ---- frequent values ---- */

void mlci_topk_init(struct mlci_topk *t, size_t max_exact, size_t max_bytes,
		    size_t capacity, size_t max_key_len)
{
	memset(t, 0, sizeof(*t));
	t->max_exact = max_exact;
	t->max_bytes = max_bytes;
	t->capacity = capacity ? capacity : 1;
	t->max_key_len = max_key_len;
}

void mlci_topk_release(struct mlci_topk *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->e[i].key);
	free(t->e);
	free(t->index);
	free(t->heap);
	mlci_topk_init(t, t->max_exact, t->max_bytes, t->capacity,
		       t->max_key_len);
}

size_t mlci_topk_key_len(const struct mlci_topk *t, const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);

	if (nul)
		len = (size_t)(nul - s);
	if (len > t->max_key_len) {
		len = t->max_key_len;
		/* Do not cut a UTF-8 sequence: back off its continuation bytes. */
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	return len;
}

/* The slot holding the key, or the empty slot where it would go. */
static size_t index_find(const struct mlci_topk *t, const char *s, size_t len,
			 uint64_t hash, int *found)
{
	size_t mask = t->nindex - 1, i = (size_t)hash & mask;

	for (; t->index[i]; i = (i + 1) & mask) {
		const struct mlci_topk_entry *e = &t->e[t->index[i] - 1];

		if (e->hash == hash && e->len == len && !memcmp(e->key, s, len)) {
			*found = 1;
			return i;
		}
	}
	*found = 0;
	return i;
}

static void index_rebuild(struct mlci_topk *t, size_t nindex)
{
	size_t i;

	free(t->index);
	t->nindex = nindex;
	t->index = xcalloc(nindex, sizeof(*t->index));
	for (i = 0; i < t->n; i++) {
		int found;
		size_t slot = index_find(t, t->e[i].key, t->e[i].len,
					 t->e[i].hash, &found);

		t->index[slot] = (uint32_t)(i + 1);
	}
}

static void index_reserve(struct mlci_topk *t, size_t n)
{
	size_t nindex = t->nindex ? t->nindex : 16;

	while (n * 2 > nindex)
		nindex *= 2;
	if (nindex != t->nindex)
		index_rebuild(t, nindex);
}

/* Remove slot i, shifting later entries of its cluster back (no tombstones). */
static void index_delete(struct mlci_topk *t, size_t i)
{
	size_t mask = t->nindex - 1, j = i;

	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!t->index[j])
			break;
		home = (size_t)t->e[t->index[j] - 1].hash & mask;
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			t->index[i] = t->index[j];
			i = j;
		}
	}
	t->index[i] = 0;
}

static void heap_swap(struct mlci_topk *t, size_t a, size_t b)
{
	size_t x = t->heap[a];

	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->e[t->heap[a]].heap = a;
	t->e[t->heap[b]].heap = b;
}

static void heap_down(struct mlci_topk *t, size_t pos)
{
	for (;;) {
		size_t l = 2 * pos + 1, r = l + 1, m = pos;

		if (l < t->n && t->e[t->heap[l]].count < t->e[t->heap[m]].count)
			m = l;
		if (r < t->n && t->e[t->heap[r]].count < t->e[t->heap[m]].count)
			m = r;
		if (m == pos)
			return;
		heap_swap(t, pos, m);
		pos = m;
	}
}

static void heap_up(struct mlci_topk *t, size_t pos)
{
	while (pos > 0) {
		size_t parent = (pos - 1) / 2;

		if (t->e[t->heap[parent]].count <= t->e[t->heap[pos]].count)
			return;
		heap_swap(t, pos, parent);
		pos = parent;
	}
}

static void heap_rebuild(struct mlci_topk *t)
{
	size_t i;

	free(t->heap);
	t->heap = xmalloc(((t->capacity > t->n ? t->capacity : t->n) + 1) *
			  sizeof(*t->heap));
	for (i = 0; i < t->n; i++) {
		t->heap[i] = i;
		t->e[i].heap = i;
	}
	for (i = t->n / 2; i-- > 0;)
		heap_down(t, i);
}

static char *key_dup(const char *s, size_t len)
{
	char *k = xmalloc(len + 1);

	memcpy(k, s, len);
	k[len] = '\0';
	return k;
}

static void entry_append(struct mlci_topk *t, const char *s, size_t len,
			 uint64_t hash, uint64_t count, uint64_t error)
{
	struct mlci_topk_entry *e;
	int found;
	size_t slot;

	ALLOC_GROW(t->e, t->n + 1, t->alloc);
	index_reserve(t, t->n + 1);
	slot = index_find(t, s, len, hash, &found);
	e = &t->e[t->n];
	e->key = key_dup(s, len);
	e->len = len;
	e->hash = hash;
	e->count = count;
	e->error = error;
	e->heap = 0;
	t->index[slot] = (uint32_t)(t->n + 1);
	t->n++;
	t->bytes += len;
}

static int entry_cmp(const struct mlci_topk_entry *a,
		     const struct mlci_topk_entry *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	c = memcmp(a->key, b->key, n);
	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int entry_ptr_cmp(const void *a, const void *b)
{
	return entry_cmp(*(const struct mlci_topk_entry *const *)a,
			 *(const struct mlci_topk_entry *const *)b);
}

static int entry_val_cmp(const void *a, const void *b)
{
	return entry_cmp(a, b);
}

const struct mlci_topk_entry **mlci_topk_sorted(const struct mlci_topk *t)
{
	const struct mlci_topk_entry **v = xmalloc((t->n + 1) * sizeof(*v));
	size_t i;

	for (i = 0; i < t->n; i++)
		v[i] = &t->e[i];
	qsort(v, t->n, sizeof(*v), entry_ptr_cmp);
	return v;
}

/* Keep the capacity largest counts, then rebuild the index and heap. */
static void topk_truncate(struct mlci_topk *t)
{
	size_t i;

	if (t->n > t->capacity) {
		qsort(t->e, t->n, sizeof(*t->e), entry_val_cmp);
		for (i = t->capacity; i < t->n; i++) {
			t->bytes -= t->e[i].len;
			free(t->e[i].key);
		}
		t->n = t->capacity;
	}
	index_rebuild(t, t->nindex);
	heap_rebuild(t);
}

void mlci_topk_make_approximate(struct mlci_topk *t)
{
	if (t->approximate)
		return;
	t->approximate = 1;
	index_reserve(t, t->capacity);
	topk_truncate(t);
}

long mlci_topk_find(const struct mlci_topk *t, const char *s, size_t len,
		    uint64_t hash)
{
	size_t slot;
	int found;

	if (!t->nindex)
		return -1;
	slot = index_find(t, s, len, hash, &found);
	return found ? (long)t->index[slot] - 1 : -1;
}

size_t mlci_topk_add(struct mlci_topk *t, const char *s, size_t len,
		     uint64_t hash, uint64_t weight)
{
	struct mlci_topk_entry *e;
	size_t slot;
	uint64_t old;
	int found;

	if (t->nindex) {
		slot = index_find(t, s, len, hash, &found);
		if (found) {
			e = &t->e[t->index[slot] - 1];
			e->count += weight;
			if (t->approximate)
				heap_down(t, e->heap);
			return (size_t)(e - t->e);
		}
	}
	if (!t->approximate) {
		if (t->n + 1 <= t->max_exact && t->bytes + len <= t->max_bytes) {
			entry_append(t, s, len, hash, weight, 0);
			return t->n - 1;
		}
		mlci_topk_make_approximate(t);
	}
	if (t->n < t->capacity) {
		entry_append(t, s, len, hash, weight, 0);
		t->heap[t->n - 1] = t->n - 1;
		t->e[t->n - 1].heap = t->n - 1;
		heap_up(t, t->n - 1);
		return t->n - 1;
	}
	/* Space-saving: the new value takes over the smallest counter. */
	e = &t->e[t->heap[0]];
	slot = index_find(t, e->key, e->len, e->hash, &found);
	index_delete(t, slot);
	t->bytes -= e->len;
	free(e->key);
	old = e->count;
	e->key = key_dup(s, len);
	e->len = len;
	e->hash = hash;
	e->count = old + weight;
	e->error = old;
	t->bytes += len;
	slot = index_find(t, s, len, hash, &found);
	t->index[slot] = (uint32_t)(e - t->e + 1);
	heap_down(t, 0);
	return (size_t)(e - t->e);
}

int mlci_topk_load_entry(struct mlci_topk *t, const char *s, size_t len,
			 uint64_t count, uint64_t error)
{
	uint64_t hash = mlci_hash_bytes(s, len);
	int found = 0;

	if (t->nindex)
		index_find(t, s, len, hash, &found);
	if (found || (t->approximate && t->n >= t->capacity))
		return -1;
	entry_append(t, s, len, hash, count, error);
	if (t->approximate) {
		t->heap[t->n - 1] = t->n - 1;
		t->e[t->n - 1].heap = t->n - 1;
		heap_up(t, t->n - 1);
	}
	return 0;
}

static uint64_t topk_floor(const struct mlci_topk *t)
{
	/* Values a full approximate table does not hold occurred at most this often. */
	return t->approximate && t->n >= t->capacity ? t->e[t->heap[0]].count
						     : 0;
}

void mlci_topk_merge(struct mlci_topk *into, const struct mlci_topk *from)
{
	uint64_t m1, m2;
	size_t i;
	int found;

	if (!into->approximate && !from->approximate) {
		for (i = 0; i < from->n; i++)
			mlci_topk_add(into, from->e[i].key, from->e[i].len,
				      from->e[i].hash, from->e[i].count);
		return;
	}
	/*
	 * Agarwal et al.: a value missing from one summary may have occurred
	 * up to that summary's floor there; count it so, keep the largest.
	 */
	mlci_topk_make_approximate(into);
	m1 = topk_floor(into);
	m2 = topk_floor(from);
	for (i = 0; i < into->n; i++) {
		struct mlci_topk_entry *e = &into->e[i];
		size_t slot = from->nindex ? index_find(from, e->key, e->len,
							e->hash, &found) : 0;

		if (from->nindex && found) {
			e->count += from->e[from->index[slot] - 1].count;
			e->error += from->e[from->index[slot] - 1].error;
		} else {
			e->count += m2;
			e->error += m2;
		}
	}
	for (i = 0; i < from->n; i++) {
		const struct mlci_topk_entry *f = &from->e[i];

		if (into->nindex)
			index_find(into, f->key, f->len, f->hash, &found);
		else
			found = 0;
		if (!found)
			entry_append(into, f->key, f->len, f->hash,
				     f->count + m1, f->error + m1);
	}
	topk_truncate(into);
}

size_t mlci_topk_state_size(const struct mlci_topk *t)
{
	return sizeof(*t) + t->alloc * sizeof(*t->e) +
	       t->nindex * sizeof(*t->index) + t->bytes + t->n +
	       (t->heap ? (t->capacity > t->n ? t->capacity : t->n) *
			  sizeof(*t->heap) : 0);
}
