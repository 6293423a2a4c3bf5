/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/random.c: the seeded generator and MLCI_SEED. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "random.h"
#include "unit.h"

int main(void)
{
	struct mlci_rng a, b;
	uint64_t counts[10] = { 0 };
	char hex1[33], hex2[33];
	double sum = 0;
	int i, same = 1, bad = 0;

	mlci_rng_seed(&a, 42);
	mlci_rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		same &= mlci_rng_next(&a) == mlci_rng_next(&b);
	CHECK(same, "same seed, same stream");
	mlci_rng_seed(&b, 43);
	CHECK(mlci_rng_next(&a) != mlci_rng_next(&b), "another seed, another stream");
	/* xoshiro256** seeded through splitmix64 from 0: a fixed first value. */
	mlci_rng_seed(&a, 0);
	CHECK_INT(mlci_rng_next(&a), 0x99ec5f36cb75f2b4ULL, "known first value for seed 0");
	for (i = 0; i < 100000; i++) {
		double u = mlci_rng_uniform(&a);

		bad |= u < 0 || u >= 1;
		sum += u;
		counts[mlci_rng_below(&a, 10)]++;
	}
	CHECK(!bad, "uniform stays in [0, 1)");
	CHECK_NEAR(sum / 100000, 0.5, 0.01, "uniform mean near 1/2");
	for (i = 0; i < 10; i++)
		CHECK(counts[i] > 9500 && counts[i] < 10500, "below(10) is even");

	setenv("MLCI_SEED", "7", 1);
	mlci_random_hex(hex1, 16);
	CHECK_INT(strlen(hex1), 32, "hex has two digits a byte");
	mlci_rng_seed(&a, 7);
	{
		static const char digits[] = "0123456789abcdef";
		char want[33];

		for (i = 0; i < 16; i++) {
			unsigned byte = (unsigned)(mlci_rng_next(&a) >> 56);

			want[2 * i] = digits[byte >> 4];
			want[2 * i + 1] = digits[byte & 15];
		}
		want[32] = '\0';
		CHECK_STR(hex1, want, "MLCI_SEED gives the seeded stream");
	}
	mlci_random_hex(hex2, 16);
	CHECK(strcmp(hex1, hex2) != 0, "the stream goes on");
	return unit_done();
}
