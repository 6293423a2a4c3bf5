/* SPDX-License-Identifier: MIT */
/*
 * Parsing a column of fields as numbers: mlci_csv_parse_plain() on each,
 * or, where the CPU has AVX-512 with VBMI2 and BITALG, eight fields at a
 * time in two vector registers (one field per 128-bit lane), which takes
 * about a third of the time. Both give the same doubles and kinds bit for
 * bit: the vector path accepts only what the scalar one accepts, computes
 * the same significand and divides it by the same power of ten, and
 * leaves every group of eight it is unsure of to the scalar path.
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

/* Four fields' first 16 bytes, one per 128-bit lane. */
__attribute__((target(AVX512_NUMBERS)))
static inline __m512i load4(const char *buf, const uint32_t *start)
{
	__m512i v;

	v = _mm512_castsi128_si512(_mm_loadu_si128((const void *)(buf + start[0])));
	v = _mm512_inserti32x4(v, _mm_loadu_si128((const void *)(buf + start[1])), 1);
	v = _mm512_inserti32x4(v, _mm_loadu_si128((const void *)(buf + start[2])), 2);
	return _mm512_inserti32x4(v, _mm_loadu_si128((const void *)(buf + start[3])), 3);
}

/*
 * The 16 digits of each lane's field as one number: gather the digits of
 * the four fields (keep), spread each field's back to the top of its lane
 * (right), zeros in front, then add them up in pairs. Each lane's value
 * ends in its first 64-bit element.
 */
__attribute__((target(AVX512_NUMBERS)))
static inline __m512i digits4(__m512i t, uint64_t keep, uint64_t right)
{
	__m512i x = _mm512_maskz_expand_epi8(right,
					     _mm512_maskz_compress_epi8(keep, t));

	x = _mm512_maddubs_epi16(x, _mm512_set1_epi16(0x010a));
	x = _mm512_madd_epi16(x, _mm512_set1_epi32(0x00010064));
	x = _mm512_packus_epi32(x, x);
	x = _mm512_madd_epi16(x, _mm512_set1_epi32(0x00012710));
	/* The first eight digits times 10^8 plus the last eight. */
	return _mm512_add_epi64(_mm512_mul_epu32(x, _mm512_set1_epi64(100000000)),
				_mm512_srli_epi64(x, 32));
}

/*
 * Eight fields, one per 128-bit lane of two registers: bit 16k + i of a
 * 64-bit mask is byte i of field k of its four, and the per-field counts
 * are the eight 16-bit words of an xmm register. Returns the fields'
 * kinds as eight bits (1: a dot) plus 256, with the numbers in *out, or
 * 0 when any of the eight is not a plain decimal that fits.
 */
__attribute__((target(AVX512_NUMBERS)))
static inline unsigned parse8(const char *buf, const uint32_t *start,
			      const uint32_t *len, __m512d *out)
{
	const uint64_t first = 0x0001000100010001;
	const __m128i one = _mm_set1_epi16(1);
	__m512i v0 = load4(buf, start), v1 = load4(buf, start + 4), t0, t1, m;
	__m128i n, in, kw, pw, nd, frac, right;
	uint64_t digit0, digit1, dot0, dot1, minus0, minus1, other0, other1;
	unsigned bad;
	__m512d p10, d;

	t0 = _mm512_sub_epi8(v0, _mm512_set1_epi8('0'));
	t1 = _mm512_sub_epi8(v1, _mm512_set1_epi8('0'));
	digit0 = _mm512_cmple_epu8_mask(t0, _mm512_set1_epi8(9));
	digit1 = _mm512_cmple_epu8_mask(t1, _mm512_set1_epi8(9));
	dot0 = _mm512_cmpeq_epi8_mask(v0, _mm512_set1_epi8('.'));
	dot1 = _mm512_cmpeq_epi8_mask(v1, _mm512_set1_epi8('.'));
	minus0 = _mm512_cmpeq_epi8_mask(v0, _mm512_set1_epi8('-')) & first;
	minus1 = _mm512_cmpeq_epi8_mask(v1, _mm512_set1_epi8('-')) & first;
	other0 = ~(digit0 | dot0 | minus0 |
		   (_mm512_cmpeq_epi8_mask(v0, _mm512_set1_epi8('+')) & first));
	other1 = ~(digit1 | dot1 | minus1 |
		   (_mm512_cmpeq_epi8_mask(v1, _mm512_set1_epi8('+')) & first));

	/* The bytes inside each field; a length over 16 saturates. */
	n = _mm256_cvtusepi32_epi16(_mm256_loadu_si256((const void *)len));
	in = _mm_sub_epi16(_mm_sllv_epi16(one, n), one);
	kw = _mm_and_si128(in, _mm_set_epi64x((long long)digit1, (long long)digit0));
	pw = _mm_and_si128(in, _mm_set_epi64x((long long)dot1, (long long)dot0));

	/* Digits after the dot: those above the dot's bit in the field. */
	nd = _mm_popcnt_epi16(kw);
	frac = _mm_popcnt_epi16(_mm_andnot_si128(
		_mm_sub_epi16(_mm_slli_epi16(pw, 1), one), kw));

	/*
	 * As the scalar parser: at most 16 bytes, a sign only first, a
	 * digit, one dot.
	 */
	bad = _mm_cmpgt_epu16_mask(n, _mm_set1_epi16(16)) |
	      _mm_cmpeq_epi16_mask(nd, _mm_setzero_si128()) |
	      _mm_cmpgt_epu16_mask(_mm_popcnt_epi16(pw), one) |
	      _mm_test_epi16_mask(in, _mm_set_epi64x((long long)other1,
						     (long long)other0));
	if (bad)
		return 0;

	right = _mm_sllv_epi16(_mm_set1_epi16(-1),
			       _mm_sub_epi16(_mm_set1_epi16(16), nd));
	m = _mm512_permutex2var_epi64(
		digits4(t0, (uint64_t)_mm_cvtsi128_si64(kw),
			(uint64_t)_mm_cvtsi128_si64(right)),
		_mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14),
		digits4(t1, (uint64_t)_mm_extract_epi64(kw, 1),
			(uint64_t)_mm_extract_epi64(right, 1)));
	if (_mm512_cmpgt_epu64_mask(m, _mm512_set1_epi64(INT64_C(1) << 53)))
		return 0;
	p10 = _mm512_permutex2var_pd(_mm512_load_pd(pow10_16),
				     _mm512_cvtepu16_epi64(frac),
				     _mm512_load_pd(pow10_16 + 8));
	d = _mm512_div_pd(_mm512_cvtepu64_pd(m), p10);
	*out = _mm512_mask_xor_pd(d, (__mmask8)(_pext_u64(minus0, first) |
						_pext_u64(minus1, first) << 4),
				  d, _mm512_set1_pd(-0.0));
	return 256 | _mm_cmpneq_epi16_mask(pw, _mm_setzero_si128());
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
	__m512d lo = _mm512_set1_pd(range[0]), hi = _mm512_set1_pd(range[1]);
	__m512d d;
	unsigned kinds = 0, dots;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		dots = parse8(buf, start + i, len + i, &d);
		if (!dots) {
			kinds |= parse_scalar(buf, start + i, len + i, 8,
					      out + i, kind + i, range);
			continue;
		}
		_mm512_storeu_pd(out + i, d);
		lo = _mm512_min_pd(lo, d);
		hi = _mm512_max_pd(hi, d);
		memcpy(kind + i, kinds4[dots & 0xf], 4);
		memcpy(kind + i + 4, kinds4[dots >> 4 & 0xf], 4);
		kinds |= dots & 0xff ? MLCI_NUMBER_DECIMAL : 0;
		kinds |= (dots & 0xff) != 0xff ? MLCI_NUMBER_INTEGRAL : 0;
	}
	range[0] = fmin(range[0], _mm512_reduce_min_pd(lo));
	range[1] = fmax(range[1], _mm512_reduce_max_pd(hi));
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
