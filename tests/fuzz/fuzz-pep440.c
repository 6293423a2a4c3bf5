/* SPDX-License-Identifier: MIT */
/* libFuzzer target: PEP 440 parsing, with the invariants normalise-is-idempotent and order-is-consistent. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pep440.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[512], norm[MLCI_PEP440_MAX_LEN + 1], again[MLCI_PEP440_MAX_LEN + 1];
	char err[256];
	struct mlci_pep440 a, b;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	mlci_pep440_check_specifiers(s, strlen(s), err, sizeof(err));
	if (mlci_pep440_normalize(s, norm, sizeof(norm)) < 0)
		return 0;
	/* The normal form parses, is its own normal form, and equals the input. */
	if (mlci_pep440_normalize(norm, again, sizeof(again)) != 1 || strcmp(norm, again))
		abort();
	if (mlci_pep440_parse(s, &a) || mlci_pep440_parse(norm, &b) ||
	    mlci_pep440_cmp(&a, &b) != 0)
		abort();
	return 0;
}
