/* SPDX-License-Identifier: MIT */
/* Seeded train/test splits and k-fold assignments with scikit-learn's sizes and per-class counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "random.h"
#include "split.h"
#include "usage.h"
#include "wrapper.h"

int mlci_split_test_count(size_t n, double test_size, size_t *n_test)
{
	double t;

	if (!(test_size > 0) || !isfinite(test_size))
		return mlci_error(MLCI_EXIT_INPUT,
				  "test_size=%g should be a fraction in (0, 1) or a positive count",
				  test_size);
	if (test_size < 1) {
		/* sklearn: ceil(test_size * n_samples), in doubles. */
		t = ceil(test_size * (double)n);
	} else {
		if (test_size != floor(test_size))
			return mlci_error(MLCI_EXIT_INPUT,
					  "test_size=%g should be a fraction in (0, 1) or a whole number of rows",
					  test_size);
		if (test_size >= (double)n)
			return mlci_error(MLCI_EXIT_INPUT,
					  "test_size=%.0f should be smaller than the number of rows, %zu",
					  test_size, n);
		t = test_size;
	}
	if (t >= (double)n)
		return mlci_error(MLCI_EXIT_INPUT,
				  "with %zu rows and test_size=%g the training set would be empty",
				  n, test_size);
	*n_test = (size_t)t;
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void shuffle(struct mlci_rng *rng, size_t *v, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = (size_t)mlci_rng_below(rng, i), t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

struct remainder {
	double value;
	size_t cls;
};

static int cmp_remainder(const void *a, const void *b)
{
	const struct remainder *x = a, *y = b;

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return x->cls < y->cls ? -1 : x->cls > y->cls;
}

/*
 * sklearn's _approximate_mode: out[c] draws of n_draws from counts[c],
 * the largest remainders rounded up; ties go to the first class.
 */
static void approximate_mode(const size_t *counts, size_t nclasses,
			     size_t n_draws, size_t *out)
{
	struct remainder *rem = xcalloc(nclasses + 1, sizeof(*rem));
	double total = 0, floored_sum = 0;
	size_t c, need;

	for (c = 0; c < nclasses; c++)
		total += (double)counts[c];
	for (c = 0; c < nclasses; c++) {
		double cont = (double)counts[c] / total * (double)n_draws;
		double fl = floor(cont);

		out[c] = (size_t)fl;
		floored_sum += fl;
		rem[c].value = cont - fl;
		rem[c].cls = c;
	}
	need = (size_t)((double)n_draws - floored_sum);
	qsort(rem, nclasses, sizeof(*rem), cmp_remainder);
	for (c = 0; c < nclasses && need; c++, need--)
		out[rem[c].cls]++;
	free(rem);
}

int mlci_split_train_test(size_t n, double test_size, uint64_t seed,
			  const int32_t *y, size_t nclasses,
			  size_t *train, size_t *n_train,
			  size_t *test, size_t *n_test)
{
	struct mlci_rng rng;
	size_t nt, i, c;
	int ret;

	if ((ret = mlci_split_test_count(n, test_size, &nt)))
		return ret;
	mlci_rng_seed(&rng, seed);
	*n_train = *n_test = 0;
	if (!y) {
		size_t *perm = xmalloc(n * sizeof(*perm));

		for (i = 0; i < n; i++)
			perm[i] = i;
		shuffle(&rng, perm, n);
		for (i = 0; i < n; i++) {
			if (i < nt)
				test[(*n_test)++] = perm[i];
			else
				train[(*n_train)++] = perm[i];
		}
		free(perm);
	} else {
		size_t *count = xcalloc(nclasses + 1, sizeof(*count));
		size_t *start = xcalloc(nclasses + 1, sizeof(*start));
		size_t *n_i = xcalloc(nclasses + 1, sizeof(*n_i));
		size_t *t_i = xcalloc(nclasses + 1, sizeof(*t_i));
		size_t *left = xcalloc(nclasses + 1, sizeof(*left));
		size_t *byclass = xmalloc(n * sizeof(*byclass));
		size_t *fill = xcalloc(nclasses + 1, sizeof(*fill));
		size_t ncl = 0;

		for (i = 0; i < n; i++) {
			if (y[i] < 0 || (size_t)y[i] >= nclasses) {
				ret = mlci_error(MLCI_EXIT_BUG,
						 "class %d out of range", (int)y[i]);
				goto strat_out;
			}
			count[y[i]]++;
		}
		/* Classes without rows do not exist for np.unique. */
		for (c = 0; c < nclasses; c++) {
			if (count[c] == 1) {
				ret = mlci_error(MLCI_EXIT_INPUT,
						 "the least populated class has only 1 row: stratification needs 2 or more per class");
				goto strat_out;
			}
			ncl += !!count[c];
		}
		if (n - nt < ncl || nt < ncl) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "the %s set (%zu rows) would be smaller than the number of classes (%zu)",
					 n - nt < ncl ? "training" : "test",
					 n - nt < ncl ? n - nt : nt, ncl);
			goto strat_out;
		}
		for (c = 1; c < nclasses; c++)
			start[c] = start[c - 1] + count[c - 1];
		for (i = 0; i < n; i++)
			byclass[start[y[i]] + fill[y[i]]++] = i;
		approximate_mode(count, nclasses, n - nt, n_i);
		for (c = 0; c < nclasses; c++)
			left[c] = count[c] - n_i[c];
		approximate_mode(left, nclasses, nt, t_i);
		for (c = 0; c < nclasses; c++) {
			size_t *rows = byclass + start[c];

			shuffle(&rng, rows, count[c]);
			for (i = 0; i < n_i[c]; i++)
				train[(*n_train)++] = rows[i];
			for (; i < n_i[c] + t_i[c]; i++)
				test[(*n_test)++] = rows[i];
		}
strat_out:
		free(count);
		free(start);
		free(n_i);
		free(t_i);
		free(left);
		free(byclass);
		free(fill);
		if (ret)
			return ret;
	}
	qsort(train, *n_train, sizeof(*train), cmp_size);
	qsort(test, *n_test, sizeof(*test), cmp_size);
	return 0;
}

static int check_folds(size_t n, size_t k)
{
	if (k < 2)
		return mlci_error(MLCI_EXIT_INPUT,
				  "k-fold cross-validation needs at least 2 folds, not %zu",
				  k);
	if (k > n)
		return mlci_error(MLCI_EXIT_INPUT,
				  "cannot have %zu folds with only %zu rows", k, n);
	return 0;
}

int mlci_split_kfold(size_t n, size_t k, int shuffle_rows, uint64_t seed,
		     int32_t *fold)
{
	size_t *perm, i, f, pos = 0;
	int ret;

	if ((ret = check_folds(n, k)))
		return ret;
	perm = xmalloc(n * sizeof(*perm));
	for (i = 0; i < n; i++)
		perm[i] = i;
	if (shuffle_rows) {
		struct mlci_rng rng;

		mlci_rng_seed(&rng, seed);
		shuffle(&rng, perm, n);
	}
	for (f = 0; f < k; f++) {
		size_t size = n / k + (f < n % k);

		for (i = 0; i < size; i++)
			fold[perm[pos++]] = (int32_t)f;
	}
	free(perm);
	return 0;
}

int mlci_split_stratified_kfold(const int32_t *y, size_t n, size_t nclasses,
				size_t k, int shuffle_rows, uint64_t seed,
				int32_t *fold)
{
	size_t *count, *order, *start, *alloc, *folds, i, c, f, ncl = 0;
	size_t min_count = (size_t)-1, max_count = 0;
	struct mlci_rng rng;
	int ret;

	if ((ret = check_folds(n, k)))
		return ret;
	for (i = 0; i < n; i++)
		if (y[i] < 0 || (size_t)y[i] >= nclasses)
			return mlci_error(MLCI_EXIT_BUG, "class %d out of range",
					  (int)y[i]);
	count = xcalloc(nclasses + 1, sizeof(*count));
	order = xcalloc(nclasses + 1, sizeof(*order));	/* class -> encoded */
	start = xcalloc(nclasses + 1, sizeof(*start));
	/*
	 * sklearn encodes the classes in order of first appearance, sorts
	 * the codes and deals the sorted list round robin to the folds.
	 */
	for (c = 0; c < nclasses; c++)
		order[c] = (size_t)-1;
	for (i = 0; i < n; i++) {
		if (order[y[i]] == (size_t)-1)
			order[y[i]] = ncl++;
		count[order[y[i]]]++;
	}
	for (c = 0; c < ncl; c++) {
		if (count[c] < min_count)
			min_count = count[c];
		if (count[c] > max_count)
			max_count = count[c];
	}
	if (max_count < k) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%zu folds: more than the rows of every class (largest: %zu)",
				 k, max_count);
		goto out;
	}
	if (min_count < k)
		mlci_warning("the least populated class has only %zu rows, fewer than the %zu folds",
			     min_count, k);
	for (c = 1; c < ncl; c++)
		start[c] = start[c - 1] + count[c - 1];
	/* alloc[f * ncl + c]: positions p of class c in the sorted list with p % k == f. */
	alloc = xcalloc(k * ncl + 1, sizeof(*alloc));
	for (c = 0; c < ncl; c++)
		for (f = 0; f < k; f++) {
			size_t s = start[c], e = s + count[c];
			size_t first = s + (f + k - s % k) % k;

			alloc[f * ncl + c] = first < e ? (e - 1 - first) / k + 1 : 0;
		}
	folds = xmalloc((max_count + 1) * sizeof(*folds));
	mlci_rng_seed(&rng, seed);
	for (c = 0; c < ncl; c++) {
		size_t m = 0, j;

		for (f = 0; f < k; f++)
			for (j = 0; j < alloc[f * ncl + c]; j++)
				folds[m++] = f;
		if (shuffle_rows)
			shuffle(&rng, folds, m);
		m = 0;
		for (i = 0; i < n; i++)
			if (order[y[i]] == c)
				fold[i] = (int32_t)folds[m++];
	}
	free(folds);
	free(alloc);
out:
	free(count);
	free(order);
	free(start);
	return ret;
}

void mlci_split_fold_rows(const int32_t *fold, size_t n, int32_t f,
			  size_t *train, size_t *n_train,
			  size_t *test, size_t *n_test)
{
	size_t i;

	*n_train = *n_test = 0;
	for (i = 0; i < n; i++) {
		if (fold[i] == f)
			test[(*n_test)++] = i;
		else
			train[(*n_train)++] = i;
	}
}
