/* SPDX-License-Identifier: MIT */
/* Compensated summation, for sums that must agree with numpy's far below a test's tolerance. */
#ifndef MLCI_KSUM_H
#define MLCI_KSUM_H

#include <math.h>

/*
 * Neumaier's compensated sum: the error stays near one rounding whatever
 * the number of terms. Start from { 0, 0 }.
 */
struct mlci_ksum {
	double s, c;
};

static inline void mlci_ksum_add(struct mlci_ksum *k, double x)
{
	double t = k->s + x;

	if (fabs(k->s) >= fabs(x))
		k->c += (k->s - t) + x;
	else
		k->c += (x - t) + k->s;
	k->s = t;
}

static inline double mlci_ksum_get(const struct mlci_ksum *k)
{
	return k->s + k->c;
}

#endif
