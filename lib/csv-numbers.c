/* SPDX-License-Identifier: MIT */
/*
 * Parsing a column of fields as numbers: mlci_csv_parse_plain() on each,
 * or, where the CPU has AVX-512 with VBMI2 and BITALG, four fields at a
 * time in one vector register (one field per 128-bit lane), which takes
 * about half the time. Both give the same doubles and kinds bit for bit:
 * the vector path accepts only what the scalar one accepts, computes the
 * same significand and divides it by the same power of ten, and leaves
 * every group of four it is unsure of to the scalar path.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "csv.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX512_NUMBERS 1
#include <immintrin.h>
#endif

typedef unsigned parse_fn(const char *buf, const uint32_t *start,
			  const uint32_t *len, size_t n, double *out,
			  unsigned char *kind, double range[2]);

static unsigned parse_scalar(const char *buf, const uint32_t *start,
			     const uint32_t *len, size_t n, double *out,
			     unsigned char *kind, double range[2])
{
	unsigned kinds = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int integral;

		if (!mlci_csv_parse_plain(buf + start[i], len[i], &out[i],
					  &integral)) {
			kind[i] = MLCI_NUMBER_OTHER;
			kinds |= kind[i];
			continue;
		}
		kind[i] = integral ? MLCI_NUMBER_INTEGRAL : MLCI_NUMBER_DECIMAL;
		kinds |= kind[i];
		range[0] = out[i] < range[0] ? out[i] : range[0];
		range[1] = out[i] > range[1] ? out[i] : range[1];
	}
	return kinds;
}

#ifdef HAVE_AVX512_NUMBERS
#define AVX512_NUMBERS \
	"avx512f,avx512bw,avx512vl,avx512dq,avx512vbmi2,avx512bitalg,bmi2"

static const double pow10_16[16] __attribute__((aligned(64))) = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
};

/*
 * Four fields, one per 128-bit lane: bit 16k + i of a 64-bit mask is
 * byte i of field k, and the per-field counts are 16-bit words of an xmm
 * register. Returns the fields' kinds as four bits (1: a dot) plus 16,
 * with the numbers in *out, or 0 when any of the four is not a plain
 * decimal that fits.
 */
__attribute__((target(AVX512_NUMBERS)))
static inline unsigned parse4(const char *buf, const uint32_t *start,
			      const uint32_t *len, __m256d *out)
{
	const uint64_t first = 0x0001000100010001;
	const __m128i one = _mm_set1_epi16(1);
	__m512i v, t, x, m;
	__m128i n, kw, pw, nd, frac;
	uint64_t digit, dot, minus, sign, in, keep, right;
	unsigned bad;
	__m512d p10;
	__m256d d;

	v = _mm512_castsi128_si512(_mm_loadu_si128((const void *)(buf + start[0])));
	v = _mm512_inserti32x4(v, _mm_loadu_si128((const void *)(buf + start[1])), 1);
	v = _mm512_inserti32x4(v, _mm_loadu_si128((const void *)(buf + start[2])), 2);
	v = _mm512_inserti32x4(v, _mm_loadu_si128((const void *)(buf + start[3])), 3);
	t = _mm512_sub_epi8(v, _mm512_set1_epi8('0'));
	digit = _mm512_cmple_epu8_mask(t, _mm512_set1_epi8(9));
	dot = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('.'));
	minus = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('-')) & first;
	sign = minus | (_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('+')) & first);

	/* The bytes inside each field; a length over 16 saturates. */
	n = _mm_cvtusepi32_epi16(_mm_loadu_si128((const void *)len));
	in = (uint64_t)_mm_cvtsi128_si64(_mm_sub_epi16(_mm_sllv_epi16(one, n), one));
	keep = digit & in;
	dot &= in;

	/* Digits after the dot: those above the dot's bit in the field. */
	kw = _mm_cvtsi64_si128((long long)keep);
	pw = _mm_cvtsi64_si128((long long)dot);
	nd = _mm_popcnt_epi16(kw);
	frac = _mm_popcnt_epi16(_mm_andnot_si128(
		_mm_sub_epi16(_mm_slli_epi16(pw, 1), one), kw));

	/* As the scalar parser: at most 16 bytes, a digit, one dot. */
	bad = _mm_cmpgt_epu16_mask(n, _mm_set1_epi16(16)) |
	      _mm_cmpeq_epi16_mask(nd, _mm_setzero_si128()) |
	      _mm_cmpgt_epu16_mask(_mm_popcnt_epi16(pw), one);
	if ((bad & 0xf) || (in & ~(digit | dot | sign)))
		return 0;

	/*
	 * Gather the digits of all four fields, then spread each field's
	 * back to the top of its lane: 16 digits, zeros in front.
	 */
	right = (uint64_t)_mm_cvtsi128_si64(_mm_sllv_epi16(_mm_set1_epi16(-1),
		_mm_sub_epi16(_mm_set1_epi16(16), nd)));
	x = _mm512_maskz_expand_epi8(right, _mm512_maskz_compress_epi8(keep, t));
	x = _mm512_maddubs_epi16(x, _mm512_set1_epi16(0x010a));
	x = _mm512_madd_epi16(x, _mm512_set1_epi32(0x00010064));
	x = _mm512_packus_epi32(x, x);
	x = _mm512_madd_epi16(x, _mm512_set1_epi32(0x00012710));

	/* Each lane: the first eight digits times 10^8 plus the last eight. */
	m = _mm512_add_epi64(_mm512_mul_epu32(x, _mm512_set1_epi64(100000000)),
			     _mm512_srli_epi64(x, 32));
	m = _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 0, 2, 4, 6), m);
	if (_mm512_cmpgt_epu64_mask(m, _mm512_set1_epi64(INT64_C(1) << 53)) & 0xf)
		return 0;
	/* A ymm division: a zmm one costs twice as much on some CPUs. */
	p10 = _mm512_permutex2var_pd(_mm512_load_pd(pow10_16),
				     _mm512_cvtepu16_epi64(frac),
				     _mm512_load_pd(pow10_16 + 8));
	d = _mm256_div_pd(_mm256_cvtepu64_pd(_mm512_castsi512_si256(m)),
			  _mm512_castpd512_pd256(p10));
	*out = _mm256_mask_xor_pd(d, (__mmask8)_pext_u64(minus, first), d,
				  _mm256_set1_pd(-0.0));
	return 16 | (_mm_cmpneq_epi16_mask(pw, _mm_setzero_si128()) & 0xf);
}

/* The kinds of four fields, from a bit each (1: a dot). */
#define KINDS4(b) { \
	(b) & 1 ? MLCI_NUMBER_DECIMAL : MLCI_NUMBER_INTEGRAL, \
	(b) & 2 ? MLCI_NUMBER_DECIMAL : MLCI_NUMBER_INTEGRAL, \
	(b) & 4 ? MLCI_NUMBER_DECIMAL : MLCI_NUMBER_INTEGRAL, \
	(b) & 8 ? MLCI_NUMBER_DECIMAL : MLCI_NUMBER_INTEGRAL }
static const unsigned char kinds4[16][4] = {
	KINDS4(0), KINDS4(1), KINDS4(2), KINDS4(3), KINDS4(4), KINDS4(5),
	KINDS4(6), KINDS4(7), KINDS4(8), KINDS4(9), KINDS4(10), KINDS4(11),
	KINDS4(12), KINDS4(13), KINDS4(14), KINDS4(15),
};

__attribute__((target(AVX512_NUMBERS)))
static unsigned parse_avx512(const char *buf, const uint32_t *start,
			     const uint32_t *len, size_t n, double *out,
			     unsigned char *kind, double range[2])
{
	__m256d lo = _mm256_set1_pd(range[0]), hi = _mm256_set1_pd(range[1]);
	__m256d d;
	double l[4], h[4];
	unsigned kinds = 0, dots;
	size_t i, k;

	for (i = 0; i + 4 <= n; i += 4) {
		dots = parse4(buf, start + i, len + i, &d);
		if (!dots) {
			kinds |= parse_scalar(buf, start + i, len + i, 4,
					      out + i, kind + i, range);
			continue;
		}
		_mm256_storeu_pd(out + i, d);
		lo = _mm256_min_pd(lo, d);
		hi = _mm256_max_pd(hi, d);
		memcpy(kind + i, kinds4[dots & 0xf], 4);
		kinds |= dots & 0xf ? MLCI_NUMBER_DECIMAL : 0;
		kinds |= (dots & 0xf) != 0xf ? MLCI_NUMBER_INTEGRAL : 0;
	}
	_mm256_storeu_pd(l, lo);
	_mm256_storeu_pd(h, hi);
	for (k = 0; k < 4; k++) {
		range[0] = l[k] < range[0] ? l[k] : range[0];
		range[1] = h[k] > range[1] ? h[k] : range[1];
	}
	return kinds | parse_scalar(buf, start + i, len + i, n - i, out + i,
				    kind + i, range);
}

static int have_avx512_numbers(void)
{
	return __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vl") &&
	       __builtin_cpu_supports("avx512dq") &&
	       __builtin_cpu_supports("avx512vbmi2") &&
	       __builtin_cpu_supports("avx512bitalg") &&
	       __builtin_cpu_supports("bmi2");
}
#endif

static parse_fn *parser;

int mlci_csv_set_number_parser(const char *name)
{
	if (!name) {
		parser = NULL;
		return 0;
	}
	if (!strcmp(name, "scalar")) {
		parser = parse_scalar;
		return 0;
	}
#ifdef HAVE_AVX512_NUMBERS
	if (!strcmp(name, "avx512") && have_avx512_numbers()) {
		parser = parse_avx512;
		return 0;
	}
#endif
	return -1;
}

unsigned mlci_csv_parse_numbers(const char *buf, const uint32_t *start,
				const uint32_t *len, size_t n, double *out,
				unsigned char *kind, double range[2])
{
	range[0] = INFINITY;
	range[1] = -INFINITY;
	if (!parser) {
		parser = parse_scalar;
#ifdef HAVE_AVX512_NUMBERS
		if (have_avx512_numbers())
			parser = parse_avx512;
#endif
	}
	return parser(buf, start, len, n, out, kind, range);
}
