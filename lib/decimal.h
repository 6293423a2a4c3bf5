/* SPDX-License-Identifier: MIT */
/* A decimal m * 10^q to the nearest double, exactly, without strtod (Eisel-Lemire). */
#ifndef MLCI_DECIMAL_H
#define MLCI_DECIMAL_H

#include <stdint.h>

/*
 * The double nearest to m * 10^q (ties to even), negated when neg, into
 * *out: 0, or -1 when this fast path cannot decide (a subnormal, an
 * overflow, or a product too close to a halfway point to call) and the
 * caller must use strtod(). m is the whole decimal significand (at most
 * 19 digits: any uint64_t). Lemire, "Number Parsing at a Gigabyte per
 * Second", Software: Practice and Experience 51(8), 2021.
 */
int mlci_decimal_to_double(uint64_t m, int64_t q, int neg, double *out);

#endif
