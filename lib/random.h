/* SPDX-License-Identifier: MIT */
/* Random numbers: the kernel's, or a fixed stream under MLCI_SEED. */
#ifndef MLCI_RANDOM_H
#define MLCI_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fill buf with n random bytes for identifiers and delimiters: from the
 * kernel, or from a stream seeded by MLCI_SEED (an integer) so that tests
 * get the same identifiers every run.
 */
void mlci_random_bytes(void *buf, size_t n);

/* n random bytes as 2n lower-case hex digits into out (size >= 2n + 1). */
void mlci_random_hex(char *out, size_t n);

/* A seeded generator for algorithms (xoshiro256**); same seed, same stream. */
struct mlci_rng {
	uint64_t s[4];
};
void mlci_rng_seed(struct mlci_rng *r, uint64_t seed);
uint64_t mlci_rng_next(struct mlci_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double mlci_rng_uniform(struct mlci_rng *r);
/* Uniform integer in [0, n), without modulo bias. n > 0. */
uint64_t mlci_rng_below(struct mlci_rng *r, uint64_t n);

#endif
