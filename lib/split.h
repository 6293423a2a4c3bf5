/* SPDX-License-Identifier: MIT */
/* Seeded train/test splits and k-fold assignments with scikit-learn's sizes and per-class counts. */
#ifndef MLCI_SPLIT_H
#define MLCI_SPLIT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Row choices use lib/random.h's generator, not numpy's, so which rows
 * land where differs from scikit-learn; every count is sklearn's:
 *   - train_test_split: n_test = ceil(test_size * n) for a fraction, the
 *     count itself for a whole number; n_train = n - n_test;
 *   - stratified: sklearn's StratifiedShuffleSplit allocation
 *     (_approximate_mode for the training rows, then for the test rows
 *     from what is left). Where two classes tie on the remainder that
 *     decides who gets the extra row, sklearn draws at random; we give it
 *     to the class first in label order, so per-class counts equal
 *     sklearn's except in such ties (where each count is still floor or
 *     ceil of its exact share);
 *   - k-fold: sklearn's KFold fold sizes (the first n % k folds one
 *     larger), consecutive rows without shuffle;
 *   - stratified k-fold: exactly sklearn's StratifiedKFold fold of every
 *     row when shuffle is off; with shuffle, the same per-fold class
 *     counts, rows shuffled within each class.
 * Index arrays come back sorted ascending (file order). Same seed, same
 * split.
 */

/*
 * The test-set size for n rows: test_size in (0, 1) is a fraction
 * (ceil), a whole number >= 1 a count. Returns 0 with *n_test set, or
 * -MLCI_EXIT_INPUT with sklearn's reasons (a fraction out of (0, 1), a
 * count not below n, no training row left).
 */
int mlci_split_test_count(size_t n, double test_size, size_t *n_test);

/*
 * Split rows 0..n-1 into train and test with test_size (as above) and
 * seed. y (NULL: no stratification) gives each row's class in
 * [0, nclasses). train and test (each n entries, the caller's) receive
 * the sorted row indices; *n_train and *n_test their counts. Returns 0,
 * or -MLCI_EXIT_INPUT: the sizes as above; stratified, a class with a
 * single row, fewer train or test rows than classes.
 */
int mlci_split_train_test(size_t n, double test_size, uint64_t seed,
			  const int32_t *y, size_t nclasses,
			  size_t *train, size_t *n_train,
			  size_t *test, size_t *n_test);

/*
 * Assign rows 0..n-1 to k folds as sklearn's KFold(k, shuffle, seed):
 * fold[i] in [0, k). Returns 0, or -MLCI_EXIT_INPUT when k < 2 or k > n.
 */
int mlci_split_kfold(size_t n, size_t k, int shuffle, uint64_t seed,
		     int32_t *fold);

/*
 * Assign rows to k folds as sklearn's StratifiedKFold(k, shuffle, seed)
 * on classes y[0..n) in [0, nclasses): fold[i] in [0, k). Returns 0, or
 * -MLCI_EXIT_INPUT when k < 2 or every class has fewer than k rows
 * (sklearn's error); a warning when some class has fewer than k rows.
 */
int mlci_split_stratified_kfold(const int32_t *y, size_t n, size_t nclasses,
				size_t k, int shuffle, uint64_t seed,
				int32_t *fold);

/*
 * The rows of fold f: test gets the rows with fold[i] == f, train the
 * others, both ascending (n entries each at most, the caller's).
 */
void mlci_split_fold_rows(const int32_t *fold, size_t n, int32_t f,
			  size_t *train, size_t *n_train,
			  size_t *test, size_t *n_test);

#endif
