/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/decimal.c: Eisel-Lemire against glibc's correctly rounded strtod, bit for bit, on millions of decimals, the hard cases among them; the power table against Python's integers. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "decimal.h"
#include "random.h"
#include "unit.h"

static unsigned long checked, decided, wrong;

/* m * 10^q through lib/decimal.c and through strtod; 1 when they agree. */
static int agree(uint64_t m, int64_t q, int neg)
{
	char buf[64];
	double a, b;

	checked++;
	if (mlci_decimal_to_double(m, q, neg, &a))
		return 1;	/* left to strtod: nothing to compare */
	decided++;
	snprintf(buf, sizeof(buf), "%s%llue%lld", neg ? "-" : "",
		 (unsigned long long)m, (long long)q);
	b = strtod(buf, NULL);
	if (memcmp(&a, &b, sizeof(a))) {
		if (wrong++ < 5)
			printf("# %s: %.17g, strtod %.17g\n", buf, a, b);
		return 0;
	}
	return 1;
}

/* The shortest decimal of a double: digits into *m, exponent into *q. */
static void shortest(double d, uint64_t *m, int64_t *q)
{
	char buf[40], *e, *p, digits[32];
	size_t n = 0;
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	e = strchr(buf, 'e');
	for (p = buf; p < e; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	*m = strtoull(digits, NULL, 10);
	*q = strtoll(e + 1, NULL, 10) - (int64_t)(n - 1);
}

int main(void)
{
	struct mlci_rng rng;
	unsigned long i;
	int ok = 1;

	mlci_rng_seed(&rng, 20261206);
	/* Random significands of every length and exponents across the range. */
	for (i = 0; i < 1000000; i++) {
		unsigned digits = 1 + (unsigned)mlci_rng_below(&rng, 19);
		uint64_t m = mlci_rng_next(&rng) % (uint64_t)pow(10, digits > 18 ? 18 : digits);
		int64_t q = (int64_t)mlci_rng_below(&rng, 700) - 360;

		if (digits == 19)
			m = m * 10 + mlci_rng_below(&rng, 10);
		ok &= agree(m, q, (int)(i & 1));
	}
	CHECK(ok, "1,000,000 random decimals: the same double as strtod");
	/* Every double's shortest decimal, and its neighbours one unit off. */
	ok = 1;
	for (i = 0; i < 200000; i++) {
		uint64_t bits = mlci_rng_next(&rng) & ~(UINT64_C(1) << 63), m;
		int64_t q;
		double d;

		memcpy(&d, &bits, sizeof(d));
		if (!isfinite(d) || d == 0)
			continue;
		shortest(d, &m, &q);
		ok &= agree(m, q, 0);
		ok &= agree(m + 1, q, 0);
		ok &= agree(m - 1, q, 0);
	}
	CHECK(ok, "shortest decimals of random doubles and their neighbours");
	/*
	 * Near the halfway points between adjacent doubles, where rounding is
	 * hardest: 19 significant digits of the midpoint, and one unit
	 * either side.
	 */
	ok = 1;
	for (i = 0; i < 300000; i++) {
		double d = ldexp(1 + (double)(mlci_rng_next(&rng) >> 12) / 4503599627370496.0,
				 (int)mlci_rng_below(&rng, 2000) - 1000);
		long double mid = ((long double)d + (long double)nextafter(d, INFINITY)) / 2;
		char buf[64], *e, *p, digits[32];
		size_t n = 0;
		uint64_t m;
		int64_t q;

		snprintf(buf, sizeof(buf), "%.18Le", mid);
		e = strchr(buf, 'e');
		for (p = buf; p < e; p++)
			if (*p >= '0' && *p <= '9')
				digits[n++] = *p;
		digits[n] = '\0';
		m = strtoull(digits, NULL, 10);
		q = strtoll(e + 1, NULL, 10) - (int64_t)(n - 1);
		ok &= agree(m, q, 0) & agree(m + 1, q, 0) & agree(m - 1, q, 0);
	}
	CHECK(ok, "19-digit decimals at the halfway points between doubles");
	/* Exact halves of small integers: ties to even. */
	ok = 1;
	for (i = 1; i < 100000; i++) {
		uint64_t m = (UINT64_C(1) << 53) + 2 * i + 1;	/* x.5 after scaling */

		ok &= agree(m * 5, -1, 0);	/* (2^53 + 2i + 1) / 2 */
		ok &= agree(m, 0, 0);
	}
	CHECK(ok, "ties round to even");
	printf("# %lu decimals, %lu decided here (%.4f%%), %lu wrong\n", checked,
	       decided, 100.0 * (double)decided / (double)checked, wrong);
	CHECK(decided > checked / 2, "most are decided without strtod");
	{
		double z;

		CHECK_INT(mlci_decimal_to_double(0, 500, 1, &z), 0, "zero is zero");
		CHECK(z == 0 && signbit(z), "negative zero");
		CHECK_INT(mlci_decimal_to_double(1, 309, 0, &z), -1,
			  "an overflow is left to strtod");
		CHECK_INT(mlci_decimal_to_double(1, -330, 0, &z), -1,
			  "a subnormal is left to strtod");
	}
	/* Through the CSV reader's number parser, as the data arrives. */
	{
		static const char *const cases[] = {
			"-0.10917926044523034", "1.7976931348623157e308",
			"2.2250738585072014e-308", "4.9e-324", "9007199254740993",
			"0.30000000000000004", "123456789012345678901234",
			"1e23", "8.98846567431158e307", "-1.2345678901234567e-200",
		};

		ok = 1;
		for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
			double a, b = strtod(cases[i], NULL);
			int integral;

			if (mlci_csv_parse_number(cases[i], strlen(cases[i]), &a,
						  &integral) ||
			    memcmp(&a, &b, sizeof(a))) {
				printf("# %s: %.17g, strtod %.17g\n", cases[i], a, b);
				ok = 0;
			}
		}
		CHECK(ok, "the CSV parser's numbers equal strtod's");
	}
	/* The table is what the generator makes from Python's integers. */
	CHECK_INT(system("/usr/bin/python3 tests/tools/gen-pow5-table.py | cmp -s - lib/pow5-table.h"),
		  0, "lib/pow5-table.h is the generator's output");
	return unit_done();
}
