/* SPDX-License-Identifier: MIT */
/* PEP 440 versions: parsing, normal form, total order, and version specifiers. */
#ifndef MLCI_PEP440_H
#define MLCI_PEP440_H

#include <stddef.h>

/* The most release components and local segments a version may have. */
#define MLCI_PEP440_MAX_RELEASE 32
#define MLCI_PEP440_MAX_LOCAL 32
/* The longest version string accepted, in bytes. */
#define MLCI_PEP440_MAX_LEN 255

/* Pre-release kinds, in their order: a < b < rc. */
enum mlci_pep440_pre {
	MLCI_PEP440_PRE_NONE = 0,
	MLCI_PEP440_PRE_A,
	MLCI_PEP440_PRE_B,
	MLCI_PEP440_PRE_RC
};

/* A parsed version. Plain data: no release function is needed. */
struct mlci_pep440 {
	unsigned long long epoch;
	unsigned long long release[MLCI_PEP440_MAX_RELEASE];
	size_t nrelease;
	enum mlci_pep440_pre pre;	/* MLCI_PEP440_PRE_NONE: no pre-release */
	unsigned long long pre_n;
	int has_post;
	unsigned long long post_n;
	int has_dev;
	unsigned long long dev_n;
	/* The local label, normalised (lower case, '.' separated); "" if none. */
	char local[MLCI_PEP440_MAX_LEN + 1];
};

/*
 * Parse s as a PEP 440 version, accepting every spelling the specification
 * allows (leading 'v', '-' and '_' separators, "alpha", "c", "pre",
 * "preview", "rev", "r", implicit post releases "1.0-1", case, surrounding
 * white space). Numbers must fit in 64 bits. Returns 0, or -1 when s is not
 * a valid version. Prints nothing.
 */
int mlci_pep440_parse(const char *s, struct mlci_pep440 *v);

/*
 * Write the normal form of v ("1!2.0rc1.post3.dev4+ubuntu.1") into buf of
 * size len. Returns the length it needs (as snprintf does).
 */
int mlci_pep440_format(const struct mlci_pep440 *v, char *buf, size_t len);

/*
 * Normalise s into buf (size len, at least MLCI_PEP440_MAX_LEN + 1 is
 * always enough). Returns 1 when s was already in normal form, 0 when it
 * was valid but spelled otherwise, -1 when it is not a version.
 */
int mlci_pep440_normalize(const char *s, char *buf, size_t len);

/*
 * Compare a and b in PEP 440 order: epoch, release (trailing zeros
 * ignored), then dev < pre < final < post with their numbers, then local
 * labels (a version without one sorts first; numeric segments sort after
 * alphanumeric ones and by value). Returns <0, 0 or >0.
 */
int mlci_pep440_cmp(const struct mlci_pep440 *a, const struct mlci_pep440 *b);

/* 1 when v is a pre-release or a development release. */
int mlci_pep440_is_prerelease(const struct mlci_pep440 *v);

/*
 * Check one version specifier clause such as ">= 1.0", "==1.2.*",
 * "~=2.2" or "===foobar": the operator, then a version valid for that
 * operator (wildcards only after == and !=, local labels only after ==, !=
 * and ===, at least two release components after ~=). White space around
 * the parts is allowed. Returns 0, or -1 with a reason in err (size
 * errlen).
 */
int mlci_pep440_check_clause(const char *s, size_t len, char *err,
			     size_t errlen);

/*
 * Check a specifier set: clauses separated by commas (">=3.8, <4"); the
 * empty string is a valid (empty) set. Returns 0 or -1 with a reason in
 * err.
 */
int mlci_pep440_check_specifiers(const char *s, size_t len, char *err,
				 size_t errlen);

#endif
