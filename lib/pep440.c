/* SPDX-License-Identifier: MIT */
/* PEP 440 versions: a hand-written parser of packaging's VERSION_PATTERN, the normal form, the order, specifiers. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pep440.h"
#include "wrapper.h"

static int is_sep(int c)
{
	return c == '-' || c == '_' || c == '.';
}

/* Digits at *p into *out; returns the number of digits, -1 on overflow. */
static int parse_num(const char **p, unsigned long long *out)
{
	const char *s = *p;
	unsigned long long v = 0;
	int n = 0;

	while (isdigit((unsigned char)*s)) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (~0ULL - d) / 10)
			return -1;
		v = v * 10 + d;
		s++;
		n++;
	}
	*p = s;
	*out = v;
	return n;
}

/* Match word (lower case) at p, case-insensitively; its length or 0. */
static size_t match_word(const char *p, const char *word)
{
	size_t n = strlen(word);

	return strncasecmp(p, word, n) ? 0 : n;
}

/*
 * An optional separator, then one of labels, then an optional separator
 * and number. Returns the index of the label matched (and advances *p), or
 * -1 (and leaves *p). *has_n says whether a number followed.
 */
static int parse_labelled(const char **p, const char *const *labels,
			  unsigned long long *n, int *has_n, int *overflow)
{
	const char *s = *p, *save;
	size_t len = 0;
	int i, k;

	if (is_sep(*s))
		s++;
	for (i = 0; labels[i]; i++) {
		len = match_word(s, labels[i]);
		if (len)
			break;
	}
	if (!labels[i])
		return -1;
	s += len;
	save = s;
	if (is_sep(*s))
		s++;
	*has_n = 0;
	*n = 0;
	if (isdigit((unsigned char)*s)) {
		k = parse_num(&s, n);
		if (k < 0) {
			*overflow = 1;
			return -1;
		}
		*has_n = 1;
	} else {
		s = save;
	}
	*p = s;
	return i;
}

/* Longest labels first, so that "preview" is not read as "pre" + "view". */
static const char *const pre_labels[] = {
	"alpha", "a", "beta", "b", "preview", "pre", "c", "rc", NULL
};
static const enum mlci_pep440_pre pre_kinds[] = {
	MLCI_PEP440_PRE_A, MLCI_PEP440_PRE_A, MLCI_PEP440_PRE_B,
	MLCI_PEP440_PRE_B, MLCI_PEP440_PRE_RC, MLCI_PEP440_PRE_RC,
	MLCI_PEP440_PRE_RC, MLCI_PEP440_PRE_RC
};
static const char *const post_labels[] = { "post", "rev", "r", NULL };
static const char *const dev_labels[] = { "dev", NULL };

/* The local label at s ("ubuntu-1.02"), normalised into out; -1 if invalid. */
static int parse_local(const char *s, const char *end, char *out, size_t outlen)
{
	size_t o = 0;

	if (s == end)
		return -1;
	while (s < end) {
		const char *seg = s;

		while (s < end && isalnum((unsigned char)*s))
			s++;
		if (s == seg)
			return -1;
		/* Numeric segments compare as numbers: drop leading zeros. */
		if (strspn(seg, "0123456789") >= (size_t)(s - seg)) {
			while (seg + 1 < s && *seg == '0')
				seg++;
		}
		if (o + (size_t)(s - seg) + 2 > outlen)
			return -1;
		while (seg < s)
			out[o++] = (char)tolower((unsigned char)*seg++);
		if (s < end) {
			if (!is_sep(*s) || s + 1 == end)
				return -1;
			out[o++] = '.';
			s++;
		}
	}
	out[o] = '\0';
	return 0;
}

int mlci_pep440_parse(const char *str, struct mlci_pep440 *v)
{
	const char *s = str, *end;
	unsigned long long n;
	int has_n, k, overflow = 0;

	memset(v, 0, sizeof(*v));
	if (strlen(str) > MLCI_PEP440_MAX_LEN)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (*s == 'v' || *s == 'V')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	if (parse_num(&s, &n) < 0)
		return -1;
	if (*s == '!') {
		v->epoch = n;
		s++;
		if (!isdigit((unsigned char)*s) || parse_num(&s, &n) < 0)
			return -1;
	}
	v->release[v->nrelease++] = n;
	while (*s == '.' && isdigit((unsigned char)s[1])) {
		if (v->nrelease == MLCI_PEP440_MAX_RELEASE)
			return -1;
		s++;
		if (parse_num(&s, &n) < 0)
			return -1;
		v->release[v->nrelease++] = n;
	}
	k = parse_labelled(&s, pre_labels, &v->pre_n, &has_n, &overflow);
	if (overflow)
		return -1;
	if (k >= 0)
		v->pre = pre_kinds[k];
	if (*s == '-' && isdigit((unsigned char)s[1])) {
		s++;
		if (parse_num(&s, &v->post_n) < 0)
			return -1;
		v->has_post = 1;
	} else if (parse_labelled(&s, post_labels, &v->post_n, &has_n,
				  &overflow) >= 0) {
		v->has_post = 1;
	}
	if (overflow)
		return -1;
	if (parse_labelled(&s, dev_labels, &v->dev_n, &has_n, &overflow) >= 0)
		v->has_dev = 1;
	if (overflow)
		return -1;
	if (*s == '+') {
		if (parse_local(s + 1, end, v->local, sizeof(v->local)))
			return -1;
		s = end;
	}
	return s == end ? 0 : -1;
}

int mlci_pep440_format(const struct mlci_pep440 *v, char *buf, size_t len)
{
	static const char *const pre_names[] = { "", "a", "b", "rc" };
	char tmp[MLCI_PEP440_MAX_RELEASE * 21 + MLCI_PEP440_MAX_LEN + 128];
	size_t o = 0, i;

#define PUT(...) o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, __VA_ARGS__)
	if (v->epoch)
		PUT("%llu!", v->epoch);
	for (i = 0; i < v->nrelease; i++)
		PUT("%s%llu", i ? "." : "", v->release[i]);
	if (v->pre)
		PUT("%s%llu", pre_names[v->pre], v->pre_n);
	if (v->has_post)
		PUT(".post%llu", v->post_n);
	if (v->has_dev)
		PUT(".dev%llu", v->dev_n);
	if (v->local[0])
		PUT("+%s", v->local);
#undef PUT
	return snprintf(buf, len, "%s", tmp);
}

int mlci_pep440_normalize(const char *s, char *buf, size_t len)
{
	struct mlci_pep440 v;
	int n;

	if (mlci_pep440_parse(s, &v))
		return -1;
	n = mlci_pep440_format(&v, buf, len);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return strcmp(s, buf) == 0;
}

static int cmp_ull(unsigned long long a, unsigned long long b)
{
	return a < b ? -1 : a > b;
}

/* The rank of the (pre, post, dev) suffix before the numbers decide. */
static int pre_rank(const struct mlci_pep440 *v)
{
	if (!v->pre && !v->has_post && v->has_dev)
		return -1;	/* 1.0.dev0 sorts before 1.0a0 */
	if (!v->pre)
		return 100;	/* a final or post release: after every pre */
	return (int)v->pre;
}

static int is_numeric(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

static int cmp_local(const char *a, const char *b)
{
	if (!*a || !*b)
		return (*a != 0) - (*b != 0);
	while (*a && *b) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		int da = is_numeric(a, na), db = is_numeric(b, nb), c;

		if (da != db)
			return da - db;
		if (da && na != nb)
			return na < nb ? -1 : 1;
		c = strncmp(a, b, na < nb ? na : nb);
		if (!c && na != nb)
			c = na < nb ? -1 : 1;
		if (c)
			return c < 0 ? -1 : 1;
		a += na + (a[na] == '.');
		b += nb + (b[nb] == '.');
	}
	return (*a != 0) - (*b != 0);
}

int mlci_pep440_cmp(const struct mlci_pep440 *a, const struct mlci_pep440 *b)
{
	size_t i, n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;
	int c;

	c = cmp_ull(a->epoch, b->epoch);
	if (c)
		return c;
	for (i = 0; i < n; i++) {
		c = cmp_ull(i < a->nrelease ? a->release[i] : 0,
			    i < b->nrelease ? b->release[i] : 0);
		if (c)
			return c;
	}
	c = pre_rank(a) - pre_rank(b);
	if (c)
		return c < 0 ? -1 : 1;
	if (a->pre) {
		c = cmp_ull(a->pre_n, b->pre_n);
		if (c)
			return c;
	}
	if (a->has_post != b->has_post)
		return a->has_post - b->has_post;
	c = cmp_ull(a->post_n, b->post_n);
	if (c)
		return c;
	if (a->has_dev != b->has_dev)
		return b->has_dev - a->has_dev;	/* no dev sorts last */
	c = cmp_ull(a->dev_n, b->dev_n);
	if (c)
		return c;
	return cmp_local(a->local, b->local);
}

int mlci_pep440_is_prerelease(const struct mlci_pep440 *v)
{
	return v->pre != MLCI_PEP440_PRE_NONE || v->has_dev;
}

int mlci_pep440_check_clause(const char *s, size_t len, char *err,
			     size_t errlen)
{
	static const char *const ops[] = {
		"===", "~=", "==", "!=", "<=", ">=", "<", ">", NULL
	};
	const char *end = s + len, *op = NULL;
	char ver[MLCI_PEP440_MAX_LEN + 1];
	struct mlci_pep440 v;
	size_t i, n = 0, vlen;
	int wildcard = 0;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	for (i = 0; ops[i]; i++) {
		n = strlen(ops[i]);
		if ((size_t)(end - s) >= n && !strncmp(s, ops[i], n)) {
			op = ops[i];
			break;
		}
	}
	if (!op) {
		mlci_set_err(err, errlen, "expected an operator (~= == != <= >= < > ===) in '%.*s'",
			(int)(end - s), s);
		return -1;
	}
	s += n;
	while (s < end && isspace((unsigned char)*s))
		s++;
	vlen = (size_t)(end - s);
	if (!vlen) {
		mlci_set_err(err, errlen, "no version after the operator in '%.*s'", (int)vlen, s);
		return -1;
	}
	if (!strcmp(op, "===")) {
		for (i = 0; i < vlen; i++)
			if (isspace((unsigned char)s[i]) || s[i] == ',' || s[i] == ';')
				break;
		if (i == vlen)
			return 0;
		mlci_set_err(err, errlen, "invalid arbitrary version '%.*s'", (int)vlen, s);
		return -1;
	}
	if (vlen > MLCI_PEP440_MAX_LEN) {
		mlci_set_err(err, errlen, "version too long: '%.*s'", 40, s);
		return -1;
	}
	memcpy(ver, s, vlen);
	ver[vlen] = '\0';
	if (vlen > 2 && !strcmp(ver + vlen - 2, ".*")) {
		wildcard = 1;
		ver[vlen - 2] = '\0';
	}
	if (mlci_pep440_parse(ver, &v) || isspace((unsigned char)ver[0])) {
		mlci_set_err(err, errlen, "invalid version '%.*s'", (int)vlen, s);
		return -1;
	}
	if (wildcard && (strcmp(op, "==") && strcmp(op, "!="))) {
		mlci_set_err(err, errlen, "a wildcard is allowed only after == and !=: '%.*s'", (int)vlen, s);
		return -1;
	}
	if (wildcard && (v.pre || v.has_post || v.has_dev || v.local[0])) {
		mlci_set_err(err, errlen, "a wildcard must follow the release numbers: '%.*s'", (int)vlen, s);
		return -1;
	}
	if (v.local[0] && strcmp(op, "==") && strcmp(op, "!=")) {
		mlci_set_err(err, errlen, "a local version label is allowed only after == and !=: '%.*s'", (int)vlen, s);
		return -1;
	}
	if (!strcmp(op, "~=") && v.nrelease < 2) {
		mlci_set_err(err, errlen, "~= needs at least two release numbers: '%.*s'", (int)vlen, s);
		return -1;
	}
	return 0;
}

int mlci_pep440_check_specifiers(const char *s, size_t len, char *err,
				 size_t errlen)
{
	const char *end = s + len, *p = s;
	size_t i;

	for (i = 0; i < len && isspace((unsigned char)s[i]); i++)
		;
	if (i == len)
		return 0;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;

		if (mlci_pep440_check_clause(p, (size_t)(stop - p), err, errlen))
			return -1;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}
