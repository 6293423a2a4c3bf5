/* SPDX-License-Identifier: MIT */
/* Mergeable sketches for column statistics: hashing, distinct counts, quantiles, frequent values. */
#ifndef MLCI_SKETCH_H
#define MLCI_SKETCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "random.h"

/*
 * A 64-bit hash of len bytes, the same on every platform (the bytes are
 * read little-endian), so that saved sketches merge across machines.
 */
uint64_t mlci_hash_bytes(const void *data, size_t len);

/*
 * Whether a[0..n) and b[0..n) are the same bytes: the short keys of
 * categories compared in line, longer ones by memcmp().
 */
static inline int mlci_same_bytes(const char *a, const char *b, size_t n)
{
	if (n > 16)
		return !memcmp(a, b, n);
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

/*
 * A 64-bit hash of a double: a bijection of its bit pattern, with -0.0
 * taken as +0.0, so distinct doubles always have distinct hashes.
 */
uint64_t mlci_hash_double(double v);

/*
 * Whether the sketches hash values, look them up, find their buckets and
 * pick a batch's ranks with AVX-512 ("avx512"; the parts that need BW
 * and CD as well stay scalar on a CPU without them), or with scalar code
 * only ("scalar"); NULL for the fastest this CPU has (the default). The
 * results are the same either way: for tests, which check that. Returns
 * 0, or -1 when this build or CPU lacks it.
 */
int mlci_sketch_set_simd(const char *name);

/*
 * Sort n doubles (no NaN) in ascending order, in place: a bucket sort,
 * linear on batches of similar values. -0.0 and 0.0 compare equal.
 */
void mlci_sort_doubles(double *v, size_t n);

/*
 * Distinct counting: an exact set of 64-bit hashes while it holds at most
 * max_exact of them, then a HyperLogLog sketch of MLCI_HLL_REGISTERS
 * one-byte registers (precision 14: a relative standard error of
 * 1.04 / sqrt(16384) = 0.81%), estimated with Ertl's improved estimator
 * (no bias correction tables, no bias around the switch-over).
 */
#define MLCI_HLL_PRECISION 14
#define MLCI_HLL_REGISTERS (1u << MLCI_HLL_PRECISION)
#define MLCI_HLL_MAX_RANK (64 - MLCI_HLL_PRECISION + 1)

struct mlci_distinct {
	size_t max_exact;
	size_t max_slots;	/* largest set: 2 max_exact up to a power of 2 */
	uint64_t *slots;	/* open addressing; 0 is an empty slot */
	size_t nslots, n;	/* n non-zero hashes in slots */
	int has_zero;		/* the hash 0 was added */
	uint8_t *hll;		/* NULL while the count is exact */
};

void mlci_distinct_init(struct mlci_distinct *d, size_t max_exact);
void mlci_distinct_release(struct mlci_distinct *d);
void mlci_distinct_add(struct mlci_distinct *d, uint64_t hash);
/*
 * Add the values of v[0..n) by their mlci_hash_double(): the same as
 * adding them one by one, in any order, in one tight loop once
 * approximate. While the count is exact, a value already in the set
 * costs a hash and a load (no branch) when it sits in its home slot, as
 * most do: the set is at most a quarter full below its largest size.
 */
void mlci_distinct_add_doubles(struct mlci_distinct *d, const double *v,
			       size_t n);
/*
 * Switch to HyperLogLog now, with the hashes held so far, as when the
 * exact set overflows: for a caller that knows it will (the registers
 * are the same either way).
 */
void mlci_distinct_make_approximate(struct mlci_distinct *d);
/* Make dst (not initialised) a deep copy of src. */
void mlci_distinct_copy(struct mlci_distinct *dst,
			const struct mlci_distinct *src);
/* Add everything from counted (the union); from is unchanged. */
void mlci_distinct_merge(struct mlci_distinct *into,
			 const struct mlci_distinct *from);
/* The exact count, or the HyperLogLog estimate rounded to an integer. */
uint64_t mlci_distinct_count(const struct mlci_distinct *d);
static inline int mlci_distinct_is_exact(const struct mlci_distinct *d)
{
	return !d->hll;
}
/*
 * The exact set as a new array of hashes in ascending order (the
 * caller's); the number of them. NULL and 0 once approximate.
 */
size_t mlci_distinct_hashes(const struct mlci_distinct *d, uint64_t **out);
/*
 * Switch d to HyperLogLog with the given registers (each at most
 * MLCI_HLL_MAX_RANK), merged with what d holds.
 */
void mlci_distinct_load_hll(struct mlci_distinct *d, const uint8_t *regs);
/* Bytes of memory d holds. */
size_t mlci_distinct_state_size(const struct mlci_distinct *d);

/*
 * The KLL quantile sketch (Karnin, Lang and Liberty 2016): levels of sorted
 * items, an item at level h standing for 2^h values; a level over its
 * capacity k (2/3)^(depth) (at least 2) is compacted by promoting every
 * other item, from a random offset, to the level above. Values arrive in
 * batches, sorted or compacted at once (mlci_kll_add_batch()), so a
 * compaction is a linear merge. The total weight stays
 * exactly the number of values; the rank error of a quantile is
 * documented in profile.h for the default k. Random choices come from a
 * seeded generator: the same input in the same order gives the same
 * sketch.
 */
struct mlci_kll_level {
	double *v;
	size_t n, alloc;
};

struct mlci_kll {
	size_t k;
	size_t nlevels;
	struct mlci_kll_level *levels;
	uint64_t n;		/* values summarised: sum of n_h 2^h */
	struct mlci_rng rng;
	double *scratch;
	size_t scratch_alloc;
};

void mlci_kll_init(struct mlci_kll *s, size_t k, uint64_t seed);
void mlci_kll_release(struct mlci_kll *s);
/* Add n values, sorted ascending, each of weight 2^level. */
void mlci_kll_add_sorted(struct mlci_kll *s, size_t level, const double *v,
			 size_t n);
/*
 * Add the n values v[0..n), in any order (v is left in some other order).
 * A batch of a power of two values that mlci_kll_add_sorted() would halve
 * h times in a row through empty levels goes straight to level h: the
 * values of ranks r, r + 2^h, r + 2 * 2^h, ... with r drawn uniformly
 * from [0, 2^h), found without sorting the whole batch. That is those h
 * compactions at once, with the same distribution of rank errors (their
 * random offsets are the bits of r); the levels' sizes and the total
 * weight are exactly those of mlci_kll_add_sorted(). Other batches are
 * sorted and added by mlci_kll_add_sorted().
 */
void mlci_kll_add_batch(struct mlci_kll *s, double *v, size_t n);
/*
 * mlci_kll_add_batch() for a caller that has been through v already: lo
 * and hi are its least and greatest values, sorted whether it ascends.
 * The same sketch as mlci_kll_add_batch(), without the pass that finds
 * those.
 */
void mlci_kll_add_scanned_batch(struct mlci_kll *s, double *v, size_t n,
				double lo, double hi, int sorted);
/*
 * Set level h to the n sorted values v (copied), without compacting: for
 * loading a saved sketch. The weight of the old level is replaced.
 */
void mlci_kll_load_level(struct mlci_kll *s, size_t h, const double *v,
			 size_t n);
/* Merge from into into (from unchanged). */
void mlci_kll_merge(struct mlci_kll *into, const struct mlci_kll *from);
/*
 * The weighted items in ascending order of value: new arrays (the
 * caller's) in *values and *weights; returns their number.
 */
size_t mlci_kll_items(const struct mlci_kll *s, double **values,
		      uint64_t **weights);
/* Bytes of memory s holds. */
size_t mlci_kll_state_size(const struct mlci_kll *s);

/*
 * Frequent values: exact counts while there are at most max_exact keys of
 * at most max_bytes in all, then the space-saving sketch (Metwally et al.)
 * with capacity counters. A reported count c with error e brackets the
 * true count: c - e <= true <= c, and e <= N / capacity (also after
 * merges, which follow Agarwal et al.'s mergeable summaries). A value not
 * reported occurred at most min-count times. Keys longer than max_key_len
 * bytes are cut at a UTF-8 character boundary before counting.
 */
struct mlci_topk_entry {
	char *key;
	size_t len;
	uint64_t hash;		/* mlci_hash_bytes of the key */
	uint64_t count, error;
	size_t heap;		/* position in the heap (approximate mode) */
};

struct mlci_topk {
	size_t max_exact, max_bytes, capacity, max_key_len;
	int approximate;
	struct mlci_topk_entry *e;
	size_t n, alloc;
	uint32_t *index;	/* slots: 0 empty, else entry index + 1 */
	size_t nindex;
	size_t *heap;		/* min-heap of entries by count */
	size_t bytes;		/* key bytes held */
};

void mlci_topk_init(struct mlci_topk *t, size_t max_exact, size_t max_bytes,
		    size_t capacity, size_t max_key_len);
void mlci_topk_release(struct mlci_topk *t);
/*
 * The length of the key s[0..len) is counted under (cut to max_key_len at
 * a character boundary).
 */
size_t mlci_topk_key_len(const struct mlci_topk *t, const char *s, size_t len);
/*
 * Count s[0..len) (already cut by mlci_topk_key_len), whose hash is hash,
 * weight times. Returns the index in t->e of the entry that now counts
 * it; in exact mode entries keep their index until t turns approximate.
 */
size_t mlci_topk_add(struct mlci_topk *t, const char *s, size_t len,
		     uint64_t hash, uint64_t weight);
/* The index in t->e of the entry of s[0..len) with hash hash, or -1. */
long mlci_topk_find(const struct mlci_topk *t, const char *s, size_t len,
		    uint64_t hash);
/*
 * Append a key not yet counted with its count and error, for loading
 * saved state (in approximate mode, after mlci_topk_make_approximate()).
 * Returns 0, or -1 when the key is already there or the table is full.
 */
int mlci_topk_load_entry(struct mlci_topk *t, const char *s, size_t len,
			 uint64_t count, uint64_t error);
/* Merge from into into (from unchanged). */
void mlci_topk_merge(struct mlci_topk *into, const struct mlci_topk *from);
/*
 * Switch to the approximate mode now (keeping the capacity largest
 * counts), as when the exact table overflows; for loading saved state.
 */
void mlci_topk_make_approximate(struct mlci_topk *t);
/*
 * The entries sorted by count (descending), then key (bytewise): a new
 * array of pointers into t (the array is the caller's, the entries t's).
 */
const struct mlci_topk_entry **mlci_topk_sorted(const struct mlci_topk *t);
/* Bytes of memory t holds. */
size_t mlci_topk_state_size(const struct mlci_topk *t);

#endif
