/* SPDX-License-Identifier: MIT */
/* Allocation that cannot return NULL, and checked number parsing. */
#ifndef MLCI_WRAPPER_H
#define MLCI_WRAPPER_H

#include <stddef.h>

/* malloc, calloc, realloc and strdup that die (exit 4) when memory runs out. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A printf into a new string, the caller's to free. */
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Format a message into err[0..errlen) for a caller that reports it later
 * (parsers that return -1 and a reason). Does nothing when err is NULL or
 * errlen is 0; a message too long for err is cut.
 */
void mlci_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Grow *p (an array of *alloc elements of size sz) to hold at least n. */
#define ALLOC_GROW(p, n, alloc) do { \
	if ((n) > (alloc)) { \
		size_t alloc_grow_new_ = (alloc) ? (alloc) * 2 : 8; \
		if (alloc_grow_new_ < (n)) \
			alloc_grow_new_ = (n); \
		(p) = xrealloc((p), alloc_grow_new_ * sizeof(*(p))); \
		(alloc) = alloc_grow_new_; \
	} \
} while (0)

/*
 * Parse the whole of s as a finite double (strtod in the "C" locale). Returns
 * 0, or -1 when s is empty, has trailing characters, overflows or is not
 * finite.
 */
int mlci_parse_double(const char *s, double *out);

/* Parse the whole of s as a decimal long in [min, max]. 0 or -1. */
int mlci_parse_long(const char *s, long min, long max, long *out);

#endif
