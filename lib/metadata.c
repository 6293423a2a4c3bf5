/* SPDX-License-Identifier: MIT */
/* Header-field files of wheels (METADATA, WHEEL), PEP 508 dependency specifiers and Description-Content-Type. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metadata.h"
#include "pep440.h"
#include "strbuf.h"
#include "wrapper.h"

int mlci_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;

	while (s < end) {
		unsigned c = *s;
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if ((size_t)(end - s) <= n)
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		s += n + 1;
	}
	return 1;
}

int mlci_metadata_parse(struct mlci_metadata *md, const char *buf, size_t len,
			char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	struct strbuf value = STRBUF_INIT;
	long line = 0;
	int ret = 0;

	if (!mlci_utf8_valid(buf, len)) {
		mlci_set_err(err, errlen, "not valid UTF-8");
		return -1;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *next = nl ? nl + 1 : end;
		const char *colon, *v;
		size_t n;

		line++;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (eol == p) {
			/* The blank line: what follows is the body. */
			md->body_len = (size_t)(end - next);
			md->body = xstrndup(next, md->body_len);
			break;
		}
		if (*p == ' ' || *p == '\t') {
			struct mlci_metadata_field *f;

			if (!md->nr) {
				mlci_set_err(err, errlen, "line %ld: continuation line before any field", line);
				ret = -1;
				break;
			}
			f = &md->fields[md->nr - 1];
			strbuf_reset(&value);
			strbuf_addstr(&value, f->value);
			strbuf_addch(&value, '\n');
			strbuf_add(&value, p, (size_t)(eol - p));
			free(f->value);
			f->value = strbuf_detach(&value, NULL);
			p = next;
			continue;
		}
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || colon == p) {
			mlci_set_err(err, errlen, "line %ld: expected 'Name: value'", line);
			ret = -1;
			break;
		}
		for (v = p; v < colon; v++) {
			if (*v <= ' ' || *v > '~') {
				mlci_set_err(err, errlen, "line %ld: invalid character in a field name", line);
				ret = -1;
				goto out;
			}
		}
		v = colon + 1;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		n = (size_t)(eol - v);
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		ALLOC_GROW(md->fields, md->nr + 1, md->alloc);
		md->fields[md->nr].name = xstrndup(p, (size_t)(colon - p));
		md->fields[md->nr].value = xstrndup(v, n);
		md->fields[md->nr].line = line;
		md->nr++;
		p = next;
	}
out:
	strbuf_release(&value);
	return ret;
}

const char *mlci_metadata_get(const struct mlci_metadata *md, const char *name)
{
	size_t i;

	for (i = 0; i < md->nr; i++)
		if (!strcasecmp(md->fields[i].name, name))
			return md->fields[i].value;
	return NULL;
}

size_t mlci_metadata_count(const struct mlci_metadata *md, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < md->nr; i++)
		n += !strcasecmp(md->fields[i].name, name);
	return n;
}

void mlci_metadata_release(struct mlci_metadata *md)
{
	size_t i;

	for (i = 0; i < md->nr; i++) {
		free(md->fields[i].name);
		free(md->fields[i].value);
	}
	free(md->fields);
	free(md->body);
	memset(md, 0, sizeof(*md));
}

/* PEP 508 by recursive descent over a cursor. */
struct cursor {
	const char *p;
	char *err;
	size_t errlen;
};

static void skip_ws(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

static int ident_char(int ch)
{
	return isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
}

/* A name or extra: [A-Za-z0-9] ([A-Za-z0-9._-]* [A-Za-z0-9])? */
static int parse_identifier(struct cursor *c, const char *what)
{
	const char *s = c->p;

	if (!isalnum((unsigned char)*s)) {
		mlci_set_err(c->err, c->errlen, "expected %s at '%.20s'", what, s);
		return -1;
	}
	while (ident_char((unsigned char)*s))
		s++;
	if (!isalnum((unsigned char)s[-1])) {
		mlci_set_err(c->err, c->errlen, "%s '%.*s' must end with a letter or digit",
		       what, (int)(s - c->p), c->p);
		return -1;
	}
	c->p = s;
	return 0;
}

static const char *const marker_vars[] = {
	"python_version", "python_full_version", "os_name", "sys_platform",
	"platform_release", "platform_system", "platform_version",
	"platform_machine", "platform_python_implementation",
	"implementation_name", "implementation_version", "extra",
	"extras", "dependency_groups",
	/* Legacy names that packaging still accepts. */
	"os.name", "sys.platform", "platform.version", "platform.machine",
	"platform.python_implementation", "python_implementation", NULL
};

static int parse_marker_var(struct cursor *c)
{
	size_t i;

	skip_ws(c);
	if (*c->p == '\'' || *c->p == '"') {
		const char *q = strchr(c->p + 1, *c->p);

		if (!q) {
			mlci_set_err(c->err, c->errlen, "unterminated string in the marker");
			return -1;
		}
		c->p = q + 1;
		return 0;
	}
	for (i = 0; marker_vars[i]; i++) {
		size_t n = strlen(marker_vars[i]);

		if (!strncmp(c->p, marker_vars[i], n) &&
		    !ident_char((unsigned char)c->p[n])) {
			c->p += n;
			return 0;
		}
	}
	mlci_set_err(c->err, c->errlen, "unknown marker variable at '%.20s'", c->p);
	return -1;
}

static int word_at(const char *p, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(p, w, n) && !ident_char((unsigned char)p[n]);
}

static int parse_marker_op(struct cursor *c)
{
	static const char *const ops[] = {
		"===", "~=", "==", "!=", "<=", ">=", "<", ">", NULL
	};
	size_t i;

	skip_ws(c);
	for (i = 0; ops[i]; i++) {
		size_t n = strlen(ops[i]);

		if (!strncmp(c->p, ops[i], n)) {
			c->p += n;
			return 0;
		}
	}
	if (word_at(c->p, "in")) {
		c->p += 2;
		return 0;
	}
	if (word_at(c->p, "not")) {
		c->p += 3;
		skip_ws(c);
		if (word_at(c->p, "in")) {
			c->p += 2;
			return 0;
		}
	}
	mlci_set_err(c->err, c->errlen, "expected a marker operator at '%.20s'", c->p);
	return -1;
}

static int parse_marker_or(struct cursor *c, int depth);

static int parse_marker_expr(struct cursor *c, int depth)
{
	skip_ws(c);
	if (*c->p == '(') {
		if (depth > 32) {
			mlci_set_err(c->err, c->errlen, "marker nested too deeply");
			return -1;
		}
		c->p++;
		if (parse_marker_or(c, depth + 1))
			return -1;
		skip_ws(c);
		if (*c->p != ')') {
			mlci_set_err(c->err, c->errlen, "expected ')' in the marker at '%.20s'", c->p);
			return -1;
		}
		c->p++;
		return 0;
	}
	if (parse_marker_var(c) || parse_marker_op(c) || parse_marker_var(c))
		return -1;
	return 0;
}

static int parse_marker_and(struct cursor *c, int depth)
{
	if (parse_marker_expr(c, depth))
		return -1;
	for (;;) {
		skip_ws(c);
		if (!word_at(c->p, "and"))
			return 0;
		c->p += 3;
		if (parse_marker_expr(c, depth))
			return -1;
	}
}

static int parse_marker_or(struct cursor *c, int depth)
{
	if (parse_marker_and(c, depth))
		return -1;
	for (;;) {
		skip_ws(c);
		if (!word_at(c->p, "or"))
			return 0;
		c->p += 2;
		if (parse_marker_and(c, depth))
			return -1;
	}
}

int mlci_metadata_check_requirement(const char *s, char *err, size_t errlen)
{
	struct cursor c = { s, err, errlen };

	skip_ws(&c);
	if (parse_identifier(&c, "a project name"))
		return -1;
	skip_ws(&c);
	if (*c.p == '[') {
		c.p++;
		skip_ws(&c);
		if (*c.p != ']') {
			for (;;) {
				if (parse_identifier(&c, "an extra name"))
					return -1;
				skip_ws(&c);
				if (*c.p != ',')
					break;
				c.p++;
				skip_ws(&c);
			}
		}
		if (*c.p != ']') {
			mlci_set_err(err, errlen, "expected ']' after the extras at '%.20s'", c.p);
			return -1;
		}
		c.p++;
		skip_ws(&c);
	}
	if (*c.p == '@') {
		const char *u;

		c.p++;
		skip_ws(&c);
		u = c.p;
		while (*c.p && *c.p != ' ' && *c.p != '\t')
			c.p++;
		if (c.p == u || !memchr(u, ':', (size_t)(c.p - u))) {
			mlci_set_err(err, errlen, "expected a URL after '@'");
			return -1;
		}
		skip_ws(&c);
		if (*c.p && *c.p != ';') {
			mlci_set_err(err, errlen, "unexpected text after the URL: '%.20s'", c.p);
			return -1;
		}
	} else if (*c.p && *c.p != ';') {
		int paren = *c.p == '(';
		const char *v = c.p + paren, *e;

		e = v + strcspn(v, paren ? ")" : ";");
		if (paren && *e != ')') {
			mlci_set_err(err, errlen, "expected ')' after the version specifiers");
			return -1;
		}
		if (mlci_pep440_check_specifiers(v, (size_t)(e - v), err, errlen))
			return -1;
		c.p = e + paren;
		skip_ws(&c);
	}
	if (*c.p == ';') {
		c.p++;
		if (parse_marker_or(&c, 0))
			return -1;
		skip_ws(&c);
	}
	if (*c.p) {
		mlci_set_err(err, errlen, "unexpected text '%.20s'", c.p);
		return -1;
	}
	return 0;
}

int mlci_metadata_check_content_type(const char *s, char *err, size_t errlen)
{
	static const char *const types[] = {
		"text/plain", "text/x-rst", "text/markdown", NULL
	};
	const char *p = s, *semi;
	size_t i, n;
	int markdown = 0;

	while (*p == ' ')
		p++;
	semi = strchr(p, ';');
	n = semi ? (size_t)(semi - p) : strlen(p);
	while (n && p[n - 1] == ' ')
		n--;
	for (i = 0; types[i]; i++)
		if (strlen(types[i]) == n && !strncasecmp(p, types[i], n))
			break;
	if (!types[i]) {
		mlci_set_err(err, errlen, "content type '%.*s' is not text/plain, text/x-rst or text/markdown",
		       (int)n, p);
		return -1;
	}
	markdown = i == 2;
	while (semi) {
		const char *k = semi + 1, *eq, *val;
		size_t kn, vn;

		while (*k == ' ')
			k++;
		semi = strchr(k, ';');
		eq = strchr(k, '=');
		if (!eq || (semi && eq > semi)) {
			mlci_set_err(err, errlen, "parameter without '=' in '%s'", s);
			return -1;
		}
		kn = (size_t)(eq - k);
		while (kn && k[kn - 1] == ' ')
			kn--;
		val = eq + 1;
		while (*val == ' ')
			val++;
		vn = semi ? (size_t)(semi - val) : strlen(val);
		while (vn && val[vn - 1] == ' ')
			vn--;
		if (vn >= 2 && val[0] == '"' && val[vn - 1] == '"') {
			val++;
			vn -= 2;
		}
		if (kn == 7 && !strncasecmp(k, "charset", 7)) {
			if (!(vn == 5 && !strncasecmp(val, "utf-8", 5))) {
				mlci_set_err(err, errlen, "charset must be UTF-8, not '%.*s'", (int)vn, val);
				return -1;
			}
		} else if (kn == 7 && !strncasecmp(k, "variant", 7)) {
			if (!markdown) {
				mlci_set_err(err, errlen, "variant applies only to text/markdown");
				return -1;
			}
			if (!(vn == 3 && !strncmp(val, "GFM", 3)) &&
			    !(vn == 10 && !strncmp(val, "CommonMark", 10))) {
				mlci_set_err(err, errlen, "variant must be GFM or CommonMark, not '%.*s'",
				       (int)vn, val);
				return -1;
			}
		} else {
			mlci_set_err(err, errlen, "unknown parameter '%.*s'", (int)kn, k);
			return -1;
		}
	}
	return 0;
}
