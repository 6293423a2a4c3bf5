/* SPDX-License-Identifier: MIT */
/* Eisel-Lemire: a 64-bit decimal significand times a power of ten, rounded to a double with one or two 64x64-bit products. */
#include <string.h>

#include "decimal.h"
#include "pow5-table.h"

__extension__ typedef unsigned __int128 u128;

/* The 128-bit product a * b as its high and low halves. */
static void mul128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
	u128 p = (u128)a * b;

	*hi = (uint64_t)(p >> 64);
	*lo = (uint64_t)p;
}

int mlci_decimal_to_double(uint64_t m, int64_t q, int neg, double *out)
{
	const uint64_t *t;
	uint64_t hi, lo, hi2, lo2, mant, bits;
	int lz, upper;
	int64_t e2;
	double d;

	if (!m) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	if (q < MLCI_POW5_MIN || q > MLCI_POW5_MAX)
		return -1;
	lz = __builtin_clzll(m);
	m <<= lz;
	t = mlci_pow5[q - MLCI_POW5_MIN];
	mul128(m, t[0], &hi, &lo);
	/*
	 * The top 55 bits decide the result; when the 9 bits below them are
	 * all ones, the truncated low half of 5^q may carry into them.
	 */
	if ((hi & 0x1ff) == 0x1ff) {
		mul128(m, t[1], &hi2, &lo2);
		lo += hi2;
		if (lo < hi2)
			hi++;
	}
	/* Too close to call outside the exponents where the table is exact. */
	if (lo == UINT64_MAX && (q < -27 || q > 55))
		return -1;
	upper = (int)(hi >> 63);
	mant = hi >> (upper + 9);
	/* floor(q * log2(10)) + 63, the binary exponent before the shift. */
	e2 = ((((int64_t)152170 + 65536) * q) >> 16) + 63 + upper - lz + 1023;
	if (e2 <= 0)
		return -1;	/* a subnormal: strtod */
	/*
	 * A product that is exactly halfway (possible only for these small
	 * exponents) rounds to even, not up.
	 */
	if (lo <= 1 && q >= -4 && q <= 23 && (mant & 3) == 1 &&
	    (mant << (upper + 9)) == hi)
		mant &= ~(uint64_t)1;
	mant += mant & 1;
	mant >>= 1;
	if (mant >= (UINT64_C(2) << 52)) {
		mant = UINT64_C(1) << 52;
		e2++;
	}
	mant &= ~(UINT64_C(1) << 52);
	if (e2 >= 0x7ff)
		return -1;	/* an overflow: strtod says ERANGE */
	bits = mant | (uint64_t)e2 << 52 | (uint64_t)(neg != 0) << 63;
	memcpy(&d, &bits, sizeof(d));
	*out = d;
	return 0;
}
