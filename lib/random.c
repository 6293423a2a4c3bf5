/* SPDX-License-Identifier: MIT */
/* Random numbers: the kernel's, or a fixed stream under MLCI_SEED. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "random.h"
#include "usage.h"
#include "wrapper.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void mlci_rng_seed(struct mlci_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t mlci_rng_next(struct mlci_rng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double mlci_rng_uniform(struct mlci_rng *r)
{
	return (double)(mlci_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t mlci_rng_below(struct mlci_rng *r, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = mlci_rng_next(r);
	while (x >= limit);
	return x % n;
}

void mlci_random_bytes(void *buf, size_t n)
{
	static struct mlci_rng seeded;
	static int state;	/* 0 unknown, 1 seeded, 2 kernel */
	unsigned char *p = buf;
	const char *env;
	long seed;
	size_t i;

	if (!state) {
		env = getenv("MLCI_SEED");
		state = 2;
		if (env && *env) {
			if (!mlci_parse_long(env, 0, 0x7fffffffL, &seed)) {
				mlci_rng_seed(&seeded, (uint64_t)seed);
				state = 1;
			} else {
				mlci_warning("ignoring malformed MLCI_SEED '%s'", env);
			}
		}
	}
	if (state == 1) {
		for (i = 0; i < n; i++)
			p[i] = (unsigned char)(mlci_rng_next(&seeded) >> 56);
		return;
	}
	while (n) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0)
			mlci_die("cannot get random bytes from the kernel");
		p += got;
		n -= (size_t)got;
	}
}

void mlci_random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[64];
	size_t i, k = 0;

	while (n) {
		size_t chunk = n < sizeof(b) ? n : sizeof(b);

		mlci_random_bytes(b, chunk);
		for (i = 0; i < chunk; i++) {
			out[k++] = hex[b[i] >> 4];
			out[k++] = hex[b[i] & 15];
		}
		n -= chunk;
	}
	out[k] = '\0';
}
