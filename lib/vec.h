/* SPDX-License-Identifier: MIT */
/* Small loops over double arrays that the models share. */
#ifndef MLCI_VEC_H
#define MLCI_VEC_H

#include <math.h>
#include <stddef.h>

/* Whether every one of v[0..n) is finite. */
static inline int mlci_all_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/*
 * Replace each row of the row-major n × k matrix z by its softmax, the
 * row's maximum subtracted first so exp() cannot overflow.
 */
static inline void mlci_softmax_rows(double *z, size_t n, size_t k)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		double *r = z + i * k, mx = r[0], sum = 0.0;

		for (j = 1; j < k; j++)
			if (r[j] > mx)
				mx = r[j];
		for (j = 0; j < k; j++) {
			r[j] = exp(r[j] - mx);
			sum += r[j];
		}
		for (j = 0; j < k; j++)
			r[j] /= sum;
	}
}

#endif
