/* SPDX-License-Identifier: MIT */
/* Streaming, mergeable statistics of one column: ml-validate's validate.stats. */
#ifndef MLCI_PROFILE_H
#define MLCI_PROFILE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sketch.h"

/*
 * A profile summarises one column in constant memory: values are added one
 * at a time, two profiles of the same kind merge into the profile of all
 * their values, and the profile is written as JSON (the record's view and,
 * optionally, the state needed to merge it later) and read back.
 *
 * Exactness. A number column keeps its values while there are at most
 * limits.max_values of them: count, mean, std, min, max, distinct,
 * quantiles and histogram are then exact (as numpy and pandas compute them)
 * and a merge equals one pass over all the values bit for bit. Past the
 * bound, the values go to sketches:
 *   - count, missing, min, max: exact; mean and std: from streaming moments
 *     (Chan et al.), exact up to rounding (about 1e-15 relative);
 *   - distinct: exact up to limits.max_distinct distinct values, then
 *     HyperLogLog (precision 14, 0.81% relative standard error; within 3%
 *     far beyond 99.9% of the time);
 *   - quantiles and histogram: a KLL sketch of k = limits.sketch_k; with the
 *     default k each quantile's rank is within MLCI_PROFILE_RANK_ERROR * n of
 *     the requested rank (see below).
 * String columns count their values exactly while there are at most
 * limits.max_categories distinct ones (of at most limits.category_bytes
 * bytes in all), then in a space-saving sketch of limits.top_capacity
 * counters: each reported count c with error e satisfies c - e <= true <= c
 * and e <= n / top_capacity.
 *
 * Definitions: count is the number of non-missing values; std is the
 * sample standard deviation (ddof 1, as pandas' describe), null for fewer
 * than two values; quantile q is numpy's default ("linear"): the value at
 * position q (n - 1) of the sorted values, interpolated between its
 * neighbours; the histogram is numpy.histogram(values, bins) over
 * [min, max] (min - 0.5 .. max + 0.5 when they are equal); in sketch mode
 * both come from the sketch's weighted items the same way.
 *
 * Values. A number added must be finite: NaN and infinities are counted
 * as missing (JSON cannot hold them). -0.0 is counted as 0. A string value
 * is counted under its first limits.max_key_len bytes (cut at a UTF-8
 * character boundary) and up to its first NUL byte, in `top` and the
 * categories; distinct uses all of its bytes.
 */

enum mlci_profile_kind {
	MLCI_PROFILE_NUMBER,
	MLCI_PROFILE_STRING
};

struct mlci_profile_limits {
	size_t max_values;	/* exact numeric values kept */
	size_t max_distinct;	/* distinct values counted exactly */
	size_t max_categories;	/* string values counted exactly */
	size_t category_bytes;	/* bytes of those values */
	size_t top_capacity;	/* space-saving counters past that */
	size_t max_key_len;	/* bytes of a string value counted */
	size_t sketch_k;	/* KLL accuracy parameter */
	size_t histogram_bins;	/* bins in the view */
	size_t top_n;		/* values in the view's `top` */
};

/*
 * The defaults. Memory per column at most about: numbers 0.8 MiB (the
 * values) then 1.1 MiB (distinct set 1 MiB, KLL 0.1 MiB); strings
 * 1 MiB (distinct) + 1.6 MiB (counts).
 */
#define MLCI_PROFILE_LIMITS_INIT \
	{ 100000, 65536, 10000, 1u << 20, 1000, 256, 1024, 10, 10 }

/*
 * The rank error bound of a sketched quantile with the default k = 1024
 * (the view reports MLCI_PROFILE_RANK_ERROR * 1024 / k for another k): the
 * value v reported for quantile q has q (n - 1) within
 * [#{x < v} - 1 - eps n, #{x <= v} + eps n]. Measured on 2e6 values
 * (normal; 50 skewed integers with a normal tail; normal rounded to
 * 0.001, whose distinct count stays exact), 60 sketch seeds each: root
 * mean square error 0.0002 n to 0.0005 n and worst 0.0015 n over 420
 * quantiles in one pass; 0.0009 n and 0.0016 n after merging 32 sketches
 * of 200,000 values.
 * The bound holds with a margin of five standard deviations or more.
 */
#define MLCI_PROFILE_RANK_ERROR 0.005

/* The quantiles of the view, in order ("p1" ... "p99"). */
#define MLCI_PROFILE_NQUANTILES 7
extern const double mlci_profile_quantiles[MLCI_PROFILE_NQUANTILES];
extern const char *const mlci_profile_quantile_names[MLCI_PROFILE_NQUANTILES];

/*
 * Values buffered before they go into the sketches together: adding a
 * number costs an append (about 1 ns) while the values are kept, and about
 * 12 ns amortised once they go to the sketches (hashing for the distinct
 * count, exact or not, the moments, and finding the values the KLL sketch
 * keeps, without sorting the batch).
 */
#define MLCI_PROFILE_BATCH 4096

/*
 * Low-cardinality string columns (a label, a country) repeat a few
 * values: that many of them are counted with a compare and an increment.
 */
#define MLCI_PROFILE_RECENT 16

/* The format of the saved state ("state": {"format": 1, ...}). */
#define MLCI_PROFILE_FORMAT 1

struct mlci_profile {
	enum mlci_profile_kind kind;
	struct mlci_profile_limits limits;
	uint64_t missing;

	/* Numbers: every value (exact), or the batch not yet in the sketches. */
	double *buf;
	size_t nbuf, buf_limit, buf_alloc;
	int sketch;
	uint64_t flushed;	/* values in the sketches */
	double mean, m2, min, max;	/* of those values */
	struct mlci_kll kll;

	/* Strings: count, frequent values. */
	uint64_t strings;
	struct mlci_topk top;
	/*
	 * Exact mode: index + 1 in top.e of values seen lately, in a slot
	 * chosen by their first and last bytes and length; each such entry
	 * was counted under all the bytes of a value, whose hash is in
	 * distinct already.
	 */
	uint32_t recent[MLCI_PROFILE_RECENT];

	/* Strings always; numbers in sketch mode. */
	struct mlci_distinct distinct;
};

/*
 * Start an empty profile of the given kind with the limits (NULL: the
 * defaults, copied). Release it with mlci_profile_release().
 */
void mlci_profile_init(struct mlci_profile *p, enum mlci_profile_kind kind,
		       const struct mlci_profile_limits *limits);

/* Free what p holds; p is left empty and usable (same kind and limits). */
void mlci_profile_release(struct mlci_profile *p);

/* The slow path of mlci_profile_add_number(); do not call directly. */
void mlci_profile_add_number_slow(struct mlci_profile *p, double v);

/*
 * Add a number to a number profile (ignored by a string profile). A
 * NaN or an infinity counts as missing. A few nanoseconds: an append,
 * the sketches being fed in batches.
 */
static inline void mlci_profile_add_number(struct mlci_profile *p, double v)
{
	if (p->nbuf < p->buf_limit && isfinite(v))
		p->buf[p->nbuf++] = v + 0.0;	/* -0.0 becomes +0.0 */
	else
		mlci_profile_add_number_slow(p, v);
}

/*
 * Room for n numbers in p's buffer, for a caller to write them in place
 * and then count them with mlci_profile_commit(): finite, and zero as
 * +0.0. NULL when there is less room (then mlci_profile_add_finite()).
 */
static inline double *mlci_profile_room(struct mlci_profile *p, size_t n)
{
	return p->nbuf <= p->buf_limit && p->buf_limit - p->nbuf >= n ?
	       p->buf + p->nbuf : NULL;
}

static inline void mlci_profile_commit(struct mlci_profile *p, size_t n)
{
	p->nbuf += n;
}

/*
 * mlci_profile_add_number() on v[0..n) in order, numbers known to be
 * finite and none -0.0: copied a buffer's room at a time.
 */
static inline void mlci_profile_add_finite(struct mlci_profile *p,
					   const double *v, size_t n)
{
	while (n) {
		size_t room = p->nbuf < p->buf_limit ? p->buf_limit - p->nbuf : 0;
		size_t max = room < n ? room : n;

		if (max)	/* buf may be NULL yet */
			memcpy(p->buf + p->nbuf, v, max * sizeof(*v));
		p->nbuf += max;
		v += max;
		n -= max;
		if (n) {	/* the buffer is full: this one flushes it */
			mlci_profile_add_number(p, *v++);
			n--;
		}
	}
}

/*
 * Past limits.max_values, full batches go to one background thread
 * (started on the first such batch; without it, they are processed in the
 * caller's thread), which feeds them to the sketches in the order they
 * were added: the results are the same bit for bit either way. Every
 * function here but the mlci_profile_add_*() waits for that work first,
 * so callers see no difference; the add_* and those functions must be
 * called from one thread. mlci_profile_sync() waits for it explicitly
 * (before moving a profile in memory, as realloc() of an array of them);
 * mlci_profile_background(0) processes batches in the caller's thread from
 * then on (1: in the background again).
 */
void mlci_profile_sync(void);
void mlci_profile_background(int on);

/* Add the string s[0..len) to a string profile (ignored by a number one). */
void mlci_profile_add_string(struct mlci_profile *p, const char *s, size_t len);

/*
 * Whether mlci_profile_add_string_again() can count s[0..len): p is a
 * string profile, exact, that has counted s whole (not cut) already.
 */
int mlci_profile_string_known(const struct mlci_profile *p, const char *s,
			      size_t len);

/*
 * Count a string mlci_profile_string_known() says p knows n more times,
 * as n calls of mlci_profile_add_string() would: the order of values
 * does not matter to exact counts, so a caller may count them grouped.
 */
void mlci_profile_add_string_again(struct mlci_profile *p, const char *s,
				   size_t len, uint64_t n);

/* Count a missing value. */
static inline void mlci_profile_add_missing(struct mlci_profile *p)
{
	p->missing++;
}

/* The number of non-missing values added. */
uint64_t mlci_profile_count(const struct mlci_profile *p);

/*
 * Add everything from counted in from to into, so that into describes the
 * values of both (from is unchanged): exact parts exactly, sketches within
 * their bounds. into's limits apply; into and from must differ. Returns 0,
 * or -MLCI_EXIT_INPUT (with a message) when the kinds differ.
 */
int mlci_profile_merge(struct mlci_profile *into,
		       const struct mlci_profile *from);

/*
 * The record's view of p as a new JSON object (the caller's):
 *   count, missing, distinct, distinct_approximate, and
 *   numbers: mean, std, min, max, quantiles {p1 p5 p25 p50 p75 p95 p99},
 *            quantiles_approximate (+ quantiles_rank_error when true),
 *            histogram {edges [bins + 1], counts [bins], approximate};
 *   strings: top [{value, count (+ error when approximate)}],
 *            top_approximate.
 * A statistic that has no value is null, and `reason` says why ("no
 * values"; "one value: the sample standard deviation needs two").
 * With with_state, a member "state" holds everything needed to merge p
 * later and to test drift against it (format MLCI_PROFILE_FORMAT): the
 * limits, the counts, and either the exact values or the sketches, as
 * base64 of little-endian IEEE-754 doubles / 64-bit hashes / registers;
 * its numbers are printed exactly (shortest text that reads back to the
 * same double), as raw cJSON items.
 */
cJSON *mlci_profile_to_json(const struct mlci_profile *p, int with_state);

/*
 * Read a profile written by mlci_profile_to_json(p, 1) (its "state";
 * the view is ignored) into out, which this initialises. what names the
 * source in messages ("stats.json: column 'age'"). Strict: a missing,
 * unknown, mistyped, out-of-range or inconsistent field is refused.
 * Returns 0, or -MLCI_EXIT_INPUT naming the field (out is then empty but
 * initialised; releasing it is harmless).
 */
int mlci_profile_from_json(const cJSON *j, struct mlci_profile *out,
			   const char *what);

/*
 * Exact numeric values for drift tests: a new sorted array (the caller's)
 * of all mlci_profile_count(p) values, with *n set; NULL and *n = 0 when p
 * is not a number profile or has passed limits.max_values.
 */
double *mlci_profile_values(const struct mlci_profile *p, size_t *n);

/*
 * The numeric distribution as sorted weighted items, exact or sketched:
 * new arrays (the caller's) in *values and *weights, weights summing to
 * mlci_profile_count(p) (all 1 while exact). Returns the number of items
 * (0, with NULL arrays, for a string profile or no values).
 */
size_t mlci_profile_weighted_values(const struct mlci_profile *p,
				    double **values, uint64_t **weights);

/*
 * Quantile q in [0, 1] as in the view (exact or sketched); NaN when there
 * are no values or p is a string profile.
 */
double mlci_profile_quantile(const struct mlci_profile *p, double q);

struct mlci_profile_category {
	const char *value;	/* NUL-terminated, borrowed from the profile */
	size_t len;
	uint64_t count;		/* exact, or an upper bound */
	uint64_t error;		/* count - error <= true count (0 if exact) */
};

/*
 * The string counts sorted by count (descending), then value: a new array
 * (the caller's; the strings stay p's, valid until p changes), *n set, and
 * *exact set to 1 when the counts are exact (and complete). NULL and
 * *n = 0 for a number profile or no values.
 */
struct mlci_profile_category *mlci_profile_categories(
	const struct mlci_profile *p, size_t *n, int *exact);

/* Bytes of memory p holds: bounded by the limits, whatever the input. */
size_t mlci_profile_state_size(const struct mlci_profile *p);

#endif
