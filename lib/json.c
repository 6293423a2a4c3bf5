/* SPDX-License-Identifier: MIT */
/* Small helpers over cJSON: typed lookups, finite numbers, replacement. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

static cJSON *checked(cJSON *item)
{
	if (!item)
		mlci_die("out of memory building JSON");
	return item;
}

cJSON *mlci_json_number(double v)
{
	return checked(isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

void mlci_json_set(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else if (!cJSON_AddItemToObject(obj, key, item))
		mlci_die("out of memory building JSON");
}

void mlci_json_set_number(cJSON *obj, const char *key, double v)
{
	mlci_json_set(obj, key, mlci_json_number(v));
}

void mlci_json_set_string(cJSON *obj, const char *key, const char *s)
{
	mlci_json_set(obj, key, checked(s ? cJSON_CreateString(s)
					  : cJSON_CreateNull()));
}

void mlci_json_set_bool(cJSON *obj, const char *key, int b)
{
	mlci_json_set(obj, key, checked(cJSON_CreateBool(b)));
}

void mlci_json_set_null(cJSON *obj, const char *key)
{
	mlci_json_set(obj, key, checked(cJSON_CreateNull()));
}

const char *mlci_json_get_string(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

cJSON *mlci_json_get_object(const cJSON *obj, const char *key)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsObject(it) ? it : NULL;
}

int mlci_json_get_number(const cJSON *obj, const char *key, double *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return -1;
	*out = it->valuedouble;
	return 0;
}

cJSON *mlci_json_path(const cJSON *root, const char *path)
{
	const cJSON *cur = root;
	char key[256];

	while (cur && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (len >= sizeof(key) || !cJSON_IsObject(cur))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		path += len + (dot ? 1 : 0);
	}
	return (cJSON *)cur;
}

const char *mlci_json_duplicate_key(const cJSON *obj)
{
	const cJSON *a, *b;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (a = obj->child; a; a = a->next)
		for (b = a->next; b; b = b->next)
			if (a->string && b->string && !strcmp(a->string, b->string))
				return a->string;
	return NULL;
}

int mlci_json_parse(const char *buf, size_t len, const char *what,
		    cJSON **out)
{
	const char *end = NULL, *nul = memchr(buf, '\0', len);
	size_t off, i, line = 1, col = 1;

	*out = NULL;
	if (nul)
		return mlci_error(MLCI_EXIT_INPUT,
				  "malformed JSON in %s: NUL byte at byte %zu",
				  what, (size_t)(nul - buf) + 1);
	*out = cJSON_ParseWithOpts(buf, &end, 1);
	if (*out)
		return 0;
	off = end ? (size_t)(end - buf) : 0;
	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return mlci_error(MLCI_EXIT_INPUT,
			  "malformed JSON in %s at byte %zu (line %zu, column %zu)",
			  what, off + 1, line, col);
}

int mlci_json_read_file(const char *path, size_t max, cJSON **out)
{
	struct strbuf sb = STRBUF_INIT;
	int stdin_ = !strcmp(path, "-");
	const char *what = stdin_ ? "standard input" : path;
	FILE *fp = stdin_ ? stdin : fopen(path, "rb");
	int ret;

	*out = NULL;
	if (!fp)
		return mlci_error_errno(errno == ENOENT || errno == EACCES ||
					errno == EISDIR || errno == ENOTDIR ?
					MLCI_EXIT_INPUT : MLCI_EXIT_SYSTEM,
					"cannot open '%s'", path);
	ret = strbuf_read_file_cap(&sb, fp, max);
	if (ret == -1)
		ret = mlci_error_errno(errno == EISDIR ? MLCI_EXIT_INPUT :
				       MLCI_EXIT_SYSTEM, "cannot read '%s'", what);
	else if (ret == -2)
		ret = mlci_error(MLCI_EXIT_INPUT, "'%s' is larger than %zu bytes",
				 what, max);
	else
		ret = mlci_json_parse(sb.buf, sb.len, what, out);
	if (!stdin_)
		fclose(fp);
	strbuf_release(&sb);
	return ret;
}

static void print_number(double d, struct strbuf *out)
{
	char buf[32];
	int prec;

	if (!isfinite(d)) {
		strbuf_addstr(out, "null");
		return;
	}
	if (d == 0) {
		strbuf_addstr(out, signbit(d) ? "-0" : "0");
		return;
	}
	/* The shortest of 15, 16 or 17 significant digits that reads back. */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	strbuf_addstr(out, buf);
}

static void print_string(const char *s, struct strbuf *out)
{
	static const char hex[] = "0123456789abcdef";

	strbuf_addch(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': strbuf_addstr(out, "\\\""); break;
		case '\\': strbuf_addstr(out, "\\\\"); break;
		case '\b': strbuf_addstr(out, "\\b"); break;
		case '\f': strbuf_addstr(out, "\\f"); break;
		case '\n': strbuf_addstr(out, "\\n"); break;
		case '\r': strbuf_addstr(out, "\\r"); break;
		case '\t': strbuf_addstr(out, "\\t"); break;
		default:
			if (c < 0x20) {
				strbuf_addstr(out, "\\u00");
				strbuf_addch(out, hex[c >> 4]);
				strbuf_addch(out, hex[c & 15]);
			} else {
				strbuf_addch(out, (char)c);
			}
		}
	}
	strbuf_addch(out, '"');
}

static void indent(struct strbuf *out, int pretty, int depth)
{
	if (!pretty)
		return;
	strbuf_addch(out, '\n');
	while (depth-- > 0)
		strbuf_addstr(out, "  ");
}

static void print_value(const cJSON *v, int pretty, int depth,
			struct strbuf *out)
{
	const cJSON *c;
	int obj;

	switch (v->type & 0xff) {
	case cJSON_NULL:
	case cJSON_Invalid:
		strbuf_addstr(out, "null");
		return;
	case cJSON_False:
		strbuf_addstr(out, "false");
		return;
	case cJSON_True:
		strbuf_addstr(out, "true");
		return;
	case cJSON_Number:
		print_number(v->valuedouble, out);
		return;
	case cJSON_String:
		print_string(v->valuestring ? v->valuestring : "", out);
		return;
	case cJSON_Raw:
		strbuf_addstr(out, v->valuestring ? v->valuestring : "null");
		return;
	}
	obj = (v->type & 0xff) == cJSON_Object;
	strbuf_addch(out, obj ? '{' : '[');
	for (c = v->child; c; c = c->next) {
		indent(out, pretty, depth + 1);
		if (obj) {
			print_string(c->string ? c->string : "", out);
			strbuf_addstr(out, pretty ? ": " : ":");
		}
		print_value(c, pretty, depth + 1, out);
		if (c->next)
			strbuf_addch(out, ',');
	}
	if (v->child)
		indent(out, pretty, depth);
	strbuf_addch(out, obj ? '}' : ']');
}

void mlci_json_print(const cJSON *v, int pretty, struct strbuf *out)
{
	print_value(v, pretty, 0, out);
}
