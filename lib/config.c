/* SPDX-License-Identifier: MIT */
/* Config files: YAML through libyaml's events, or strict JSON, into cJSON. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "config.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

/* An open-addressing hash map from item pointers to lines. */
struct line_slot {
	const void *ptr;
	long line;
};

struct line_map {
	struct line_slot *slots;
	size_t alloc, nr;	/* alloc is 0 or a power of two */
};

/* An open-addressing hash map from borrowed strings to a long. */
struct str_slot {
	const char *key;
	long val;
};

struct str_map {
	struct str_slot *slots;
	size_t alloc, nr;
};

struct mlci_config {
	char *path;
	cJSON *root;
	/*
	 * Nodes that must outlive loading so that no pointer in lines is ever
	 * reused: anchored keys, and what merges left behind.
	 */
	cJSON *graveyard;
	struct line_map lines;
};

struct anchor {
	char *name;
	cJSON *node;		/* in the tree or in the graveyard */
	char *text;		/* a scalar's text, for use as a key; else NULL */
	int height;		/* collections nested in node, itself included */
};

/* What one load needs besides the config it builds. */
struct loader {
	struct mlci_config *cfg;
	const char *buf;
	size_t len;
	yaml_parser_t parser;
	struct anchor *anchors;
	size_t nanchors, anchors_alloc;
	struct str_map anchor_index;	/* name -> index into anchors */
	size_t nodes;
};

static cJSON *must(cJSON *item)
{
	if (!item)
		mlci_die("out of memory building a config");
	return item;
}

static uint64_t hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static uint64_t hash_ptr(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

static void line_map_put(struct line_map *m, const void *ptr, long line);

static void line_map_grow(struct line_map *m)
{
	struct line_slot *old = m->slots;
	size_t i, n = m->alloc;

	m->alloc = n ? 2 * n : 64;
	m->slots = xcalloc(m->alloc, sizeof(*m->slots));
	m->nr = 0;
	for (i = 0; i < n; i++)
		if (old[i].ptr)
			line_map_put(m, old[i].ptr, old[i].line);
	free(old);
}

static void line_map_put(struct line_map *m, const void *ptr, long line)
{
	size_t i;

	if (2 * (m->nr + 1) > m->alloc)
		line_map_grow(m);
	for (i = hash_ptr(ptr) & (m->alloc - 1); m->slots[i].ptr;
	     i = (i + 1) & (m->alloc - 1)) {
		if (m->slots[i].ptr == ptr) {
			m->slots[i].line = line;
			return;
		}
	}
	m->slots[i].ptr = ptr;
	m->slots[i].line = line;
	m->nr++;
}

static long line_map_get(const struct line_map *m, const void *ptr)
{
	size_t i;

	if (!m->alloc)
		return 0;
	for (i = hash_ptr(ptr) & (m->alloc - 1); m->slots[i].ptr;
	     i = (i + 1) & (m->alloc - 1))
		if (m->slots[i].ptr == ptr)
			return m->slots[i].line;
	return 0;
}

static void str_map_put(struct str_map *m, const char *key, long val);

static void str_map_grow(struct str_map *m)
{
	struct str_slot *old = m->slots;
	size_t i, n = m->alloc;

	m->alloc = n ? 2 * n : 16;
	m->slots = xcalloc(m->alloc, sizeof(*m->slots));
	m->nr = 0;
	for (i = 0; i < n; i++)
		if (old[i].key)
			str_map_put(m, old[i].key, old[i].val);
	free(old);
}

/* The slot holding key, or NULL. */
static struct str_slot *str_map_find(const struct str_map *m, const char *key)
{
	size_t i;

	if (!m->alloc)
		return NULL;
	for (i = hash_bytes(key, strlen(key)) & (m->alloc - 1); m->slots[i].key;
	     i = (i + 1) & (m->alloc - 1))
		if (!strcmp(m->slots[i].key, key))
			return &m->slots[i];
	return NULL;
}

/* Set key (borrowed: it must outlive the map) to val. */
static void str_map_put(struct str_map *m, const char *key, long val)
{
	struct str_slot *s = str_map_find(m, key);
	size_t i;

	if (s) {
		s->val = val;
		return;
	}
	if (2 * (m->nr + 1) > m->alloc)
		str_map_grow(m);
	for (i = hash_bytes(key, strlen(key)) & (m->alloc - 1); m->slots[i].key;
	     i = (i + 1) & (m->alloc - 1))
		;
	m->slots[i].key = key;
	m->slots[i].val = val;
	m->nr++;
}

static void str_map_release(struct str_map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* Columns count characters, as libyaml's do: skip UTF-8 continuation bytes. */
static long utf8_width(const char *from, const char *to)
{
	long n = 0;

	for (; from < to; from++)
		if (((unsigned char)*from & 0xc0) != 0x80)
			n++;
	return n;
}

/* The 1-based line and column of byte offset off of buf. */
static void offset_position(const char *buf, size_t len, size_t off,
			    long *line, long *col)
{
	const char *bol = buf, *p, *end = buf + (off < len ? off : len);

	*line = 1;
	for (p = buf; p < end; p++) {
		if (*p == '\n') {
			(*line)++;
			bol = p + 1;
		}
	}
	*col = utf8_width(bol, end) + 1;
}

/* "<name>:<line>:<column>: <message>", -MLCI_EXIT_INPUT. */
__attribute__((format(printf, 4, 5)))
static int load_error(struct loader *ld, long line, long col,
		      const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ret = mlci_error(MLCI_EXIT_INPUT, "%s:%ld:%ld: %s", ld->cfg->path,
			 line, col, sb.buf);
	strbuf_release(&sb);
	return ret;
}

#define MARK_LINE(m) ((long)(m).line + 1)
#define MARK_COL(m) ((long)(m).column + 1)

/* One more value in the tree; an error once the budget is spent. */
static int count_node(struct loader *ld)
{
	return ++ld->nodes > MLCI_CONFIG_MAX_NODES ? -1 : 0;
}

static int budget_error(struct loader *ld, long line, long col)
{
	return load_error(ld, line, col,
			  "the config holds more than %d values once aliases are expanded (an alias bomb?)",
			  MLCI_CONFIG_MAX_NODES);
}

static int depth_error(struct loader *ld, long line, long col)
{
	return load_error(ld, line, col, "mappings and sequences nest deeper than %d levels",
			  MLCI_CONFIG_MAX_DEPTH);
}

/* A text short enough to quote in a message. */
static const char *clip(const char *s, char *tmp, size_t size)
{
	size_t n = strlen(s);

	if (n < size)
		return s;
	memcpy(tmp, s, size - 4);
	memcpy(tmp + size - 4, "...", 4);
	return tmp;
}

/* ---- YAML scalars: the core schema ---- */

enum scalar_kind { K_STR, K_NULL, K_TRUE, K_FALSE, K_INT, K_FLOAT, K_INF, K_NAN };

static int all_of(const char *s, const char *set)
{
	return *s && s[strspn(s, set)] == '\0';
}

static int is_float(const char *s)
{
	size_t digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9')
		s++, digits++;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++, digits++;
	}
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!all_of(s, "0123456789"))
			return 0;
		return 1;
	}
	return *s == '\0';
}

/* The core schema's reading of a plain scalar. */
static enum scalar_kind resolve_plain(const char *s)
{
	const char *u = s + (*s == '-' || *s == '+');

	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	    !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return K_NULL;
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return K_TRUE;
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return K_FALSE;
	if (all_of(u, "0123456789") ||
	    (!strncmp(s, "0o", 2) && all_of(s + 2, "01234567")) ||
	    (!strncmp(s, "0x", 2) && all_of(s + 2, "0123456789abcdefABCDEF")))
		return K_INT;
	if (is_float(s))
		return K_FLOAT;
	if (!strcmp(u, ".inf") || !strcmp(u, ".Inf") || !strcmp(u, ".INF"))
		return K_INF;
	if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
		return K_NAN;
	return K_STR;
}

/*
 * The value of an integer in the core schema's forms, when a double holds
 * it exactly (|v| <= 2^53). 0 or -1.
 */
static int int_value(const char *s, double *out)
{
	const char *digits = s;
	int neg = 0, base = 10;
	unsigned long long v;
	char *end;

	if (!strncmp(s, "0o", 2)) {
		digits = s + 2;
		base = 8;
	} else if (!strncmp(s, "0x", 2)) {
		digits = s + 2;
		base = 16;
	} else if (*s == '-' || *s == '+') {
		neg = *s == '-';
		digits = s + 1;
	}
	errno = 0;
	v = strtoull(digits, &end, base);
	if (errno || *end || v > (1ull << 53))
		return -1;
	*out = neg ? -(double)v : (double)v;
	return 0;
}

#define CORE_TAG "tag:yaml.org,2002:"

/* A tag as the user wrote it: "!!int" rather than "tag:yaml.org,2002:int". */
static const char *tag_name(const char *tag, char *buf, size_t size)
{
	if (strncmp(tag, CORE_TAG, sizeof(CORE_TAG) - 1))
		return tag;
	snprintf(buf, size, "!!%s", tag + sizeof(CORE_TAG) - 1);
	return buf;
}

/* The kind a tag asks for, K_STR for !!str and "!", or -1 for others. */
static int tag_kind(const char *tag)
{
	const char *t = tag + sizeof(CORE_TAG) - 1;

	if (!strcmp(tag, "!"))
		return K_STR;
	if (strncmp(tag, CORE_TAG, sizeof(CORE_TAG) - 1))
		return -1;
	if (!strcmp(t, "str"))
		return K_STR;
	if (!strcmp(t, "int"))
		return K_INT;
	if (!strcmp(t, "float"))
		return K_FLOAT;
	if (!strcmp(t, "bool"))
		return K_TRUE;
	if (!strcmp(t, "null"))
		return K_NULL;
	return -1;
}

/* Build the value of a scalar event into *out. */
static int scalar_node(struct loader *ld, const yaml_event_t *ev, cJSON **out)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	long line = MARK_LINE(ev->start_mark), col = MARK_COL(ev->start_mark);
	enum scalar_kind kind = K_STR;
	char tmp[64], tbuf[64];
	double v;

	*out = NULL;
	if (strlen(s) != ev->data.scalar.length)
		return load_error(ld, line, col, "a string holds a NUL character");
	if (tag) {
		int want = tag_kind(tag);

		if (want < 0)
			return load_error(ld, line, col, "unknown tag '%s' on a scalar",
					  tag_name(tag, tbuf, sizeof(tbuf)));
		kind = want == K_STR ? K_STR : resolve_plain(s);
		if (want == K_TRUE ? kind != K_TRUE && kind != K_FALSE :
		    want == K_FLOAT ? kind != K_INT && kind != K_FLOAT &&
				      kind != K_INF && kind != K_NAN :
		    (int)kind != want)
			return load_error(ld, line, col, "'%s' is not a valid %s",
					  clip(s, tmp, sizeof(tmp)),
					  tag_name(tag, tbuf, sizeof(tbuf)));
	} else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		kind = resolve_plain(s);
	}
	switch (kind) {
	case K_NULL:
		*out = must(cJSON_CreateNull());
		break;
	case K_TRUE:
	case K_FALSE:
		*out = must(cJSON_CreateBool(kind == K_TRUE));
		break;
	case K_INT:
		if (int_value(s, &v))
			return load_error(ld, line, col,
					  "integer '%s' is too large for an exact number (beyond 2^53); quote it if it is an identifier",
					  clip(s, tmp, sizeof(tmp)));
		*out = must(cJSON_CreateNumber(v));
		break;
	case K_FLOAT:
		v = strtod(s, NULL);
		if (!isfinite(v))
			return load_error(ld, line, col, "number '%s' is out of range",
					  clip(s, tmp, sizeof(tmp)));
		*out = must(cJSON_CreateNumber(v));
		break;
	case K_INF:
	case K_NAN:
		return load_error(ld, line, col,
				  "'%s' is not a finite number; a config holds finite numbers only",
				  s);
	case K_STR:
		*out = must(cJSON_CreateString(s));
		break;
	}
	return 0;
}

/* ---- YAML events into a tree ---- */

/* Convert libyaml's error into ours. */
static int parser_error(struct loader *ld)
{
	const yaml_parser_t *p = &ld->parser;
	long line, col;
	const char *problem = p->problem ? p->problem : "cannot parse";
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (p->error == YAML_MEMORY_ERROR)
		mlci_die("out of memory parsing '%s'", ld->cfg->path);
	if (p->error == YAML_READER_ERROR) {
		offset_position(ld->buf, ld->len, p->problem_offset, &line, &col);
		if (p->problem_value >= 0)
			return load_error(ld, line, col, "%s (byte 0x%02x)", problem,
					  (unsigned)p->problem_value & 0xff);
		return load_error(ld, line, col, "%s", problem);
	}
	line = MARK_LINE(p->problem_mark);
	col = MARK_COL(p->problem_mark);
	strbuf_addstr(&sb, problem);
	if (p->context && (p->context_mark.line != p->problem_mark.line ||
			   p->context_mark.column != p->problem_mark.column))
		strbuf_addf(&sb, " (%s at line %ld, column %ld)", p->context,
			    MARK_LINE(p->context_mark), MARK_COL(p->context_mark));
	else if (p->context)
		strbuf_addf(&sb, " (%s)", p->context);
	/* libyaml's message for a tab that indents says nothing of tabs. */
	{
		const char *q = ld->buf, *end = ld->buf + ld->len;
		long l = 1, c = 1;

		while (q < end && l < line)
			if (*q++ == '\n')
				l++;
		for (; q < end && c < col && *q != '\n'; q++)
			if (((unsigned char)*q & 0xc0) != 0x80)
				c++;
		while (q < end && ((unsigned char)*q & 0xc0) == 0x80)
			q++;
		if (q < end && *q == '\t')
			strbuf_addstr(&sb, ": a tab; YAML indents with spaces only");
	}
	ret = load_error(ld, line, col, "%s", sb.buf);
	strbuf_release(&sb);
	return ret;
}

static int next_event(struct loader *ld, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ld->parser, ev))
		return parser_error(ld);
	return 0;
}

static struct anchor *find_anchor(struct loader *ld, const char *name)
{
	struct str_slot *s = str_map_find(&ld->anchor_index, name);

	return s ? &ld->anchors[s->val] : NULL;
}

/* Remember node under name; a later anchor of the same name wins. */
static void add_anchor(struct loader *ld, const char *name, cJSON *node,
		       const char *text, int height)
{
	struct anchor *a;

	ALLOC_GROW(ld->anchors, ld->nanchors + 1, ld->anchors_alloc);
	a = &ld->anchors[ld->nanchors];
	a->name = xstrdup(name);
	a->node = node;
	a->text = text ? xstrdup(text) : NULL;
	a->height = height;
	str_map_put(&ld->anchor_index, a->name, (long)ld->nanchors);
	ld->nanchors++;
}

/* A deep copy of src, with the lines of what it copies. -1: over budget. */
static int copy_node(struct loader *ld, const cJSON *src, cJSON **out)
{
	const cJSON *c;
	cJSON *copy;

	*out = NULL;
	if (count_node(ld))
		return -1;
	copy = must(cJSON_Duplicate(src, 0));
	line_map_put(&ld->cfg->lines, copy, line_map_get(&ld->cfg->lines, src));
	for (c = src->child; c; c = c->next) {
		cJSON *cc;

		if (copy_node(ld, c, &cc)) {
			cJSON_Delete(copy);
			return -1;
		}
		if (!cJSON_AddItemToArray(copy, cc))
			mlci_die("out of memory building a config");
	}
	*out = copy;
	return 0;
}

/* Insert item into obj right after member after (first when NULL). */
static void insert_after(cJSON *obj, cJSON *after, cJSON *item)
{
	if (!obj->child) {
		obj->child = item;
		item->prev = item;
		item->next = NULL;
	} else if (!after) {
		item->next = obj->child;
		item->prev = obj->child->prev;
		obj->child->prev = item;
		obj->child = item;
	} else {
		item->prev = after;
		item->next = after->next;
		if (after->next)
			after->next->prev = item;
		else
			obj->child->prev = item;
		after->next = item;
	}
}

static int parse_node(struct loader *ld, yaml_event_t *ev, int depth,
		      cJSON **out, int *height);

/* A pending merge: the sources, and the member after which they go. */
struct merge {
	cJSON *sources;		/* an object, or an array of objects */
	cJSON *after;
};

static void apply_merge(struct loader *ld, cJSON *obj, struct str_map *keys,
			struct merge *m)
{
	cJSON *one = cJSON_IsObject(m->sources) ? m->sources : NULL;
	cJSON *src = one ? one : m->sources->child, *after = m->after;

	for (; src; src = one ? NULL : src->next) {
		cJSON *it = src->child, *next;

		for (; it; it = next) {
			next = it->next;
			if (str_map_find(keys, it->string))
				continue;
			cJSON_DetachItemViaPointer(src, it);
			insert_after(obj, after, it);
			after = it;
			str_map_put(keys, it->string, 0);
		}
	}
	if (!cJSON_AddItemToArray(ld->cfg->graveyard, m->sources))
		mlci_die("out of memory building a config");
	m->sources = NULL;
}

/* The key of a mapping member (the caller's), from its event. */
static int parse_key(struct loader *ld, yaml_event_t *ev, char **key, int *merge)
{
	long line = MARK_LINE(ev->start_mark), col = MARK_COL(ev->start_mark);
	const char *tag, *s;
	char tbuf[64];
	struct anchor *a;
	cJSON *node;
	int ret;

	*key = NULL;
	*merge = 0;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		a = find_anchor(ld, (const char *)ev->data.alias.anchor);
		if (!a)
			return load_error(ld, line, col, "unknown alias '*%s'",
					  (const char *)ev->data.alias.anchor);
		if (!a->text)
			return load_error(ld, line, col,
					  "a mapping key must be a scalar, and '*%s' is not",
					  a->name);
		*key = xstrdup(a->text);
		return 0;
	case YAML_SCALAR_EVENT:
		break;
	default:
		return load_error(ld, line, col,
				  "a mapping key must be a scalar, not a mapping or a sequence");
	}
	s = (const char *)ev->data.scalar.value;
	tag = (const char *)ev->data.scalar.tag;
	if (strlen(s) != ev->data.scalar.length)
		return load_error(ld, line, col, "a key holds a NUL character");
	if (tag && tag_kind(tag) < 0)
		return load_error(ld, line, col, "unknown tag '%s' on a key",
				  tag_name(tag, tbuf, sizeof(tbuf)));
	if (ev->data.scalar.anchor) {
		/* The key may be aliased as a value later: build and keep it. */
		ret = scalar_node(ld, ev, &node);
		if (ret)
			return ret;
		if (!cJSON_AddItemToArray(ld->cfg->graveyard, node))
			mlci_die("out of memory building a config");
		line_map_put(&ld->cfg->lines, node, line);
		add_anchor(ld, (const char *)ev->data.scalar.anchor, node, s, 0);
	}
	*merge = !tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		 !strcmp(s, "<<");
	*key = xstrdup(s);
	return 0;
}

static int check_collection_tag(struct loader *ld, const yaml_event_t *ev,
				const char *tag, const char *want)
{
	char tbuf[64];

	if (!tag || !strcmp(tag, "!") ||
	    !strcmp(tag_name(tag, tbuf, sizeof(tbuf)), want))
		return 0;
	return load_error(ld, MARK_LINE(ev->start_mark), MARK_COL(ev->start_mark),
			  "unknown tag '%s' on a %s", tag_name(tag, tbuf, sizeof(tbuf)),
			  !strcmp(want, "!!map") ? "mapping" : "sequence");
}

static int parse_mapping(struct loader *ld, int depth, cJSON *obj, int *height)
{
	struct str_map keys = { 0 };
	struct merge merge = { NULL, NULL };
	yaml_event_t ev;
	int ret = 0;

	for (;;) {
		long line, col;
		cJSON *value = NULL;
		char *key = NULL;
		int h, is_merge;
		struct str_slot *dup;

		if ((ret = next_event(ld, &ev)))
			break;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		line = MARK_LINE(ev.start_mark);
		col = MARK_COL(ev.start_mark);
		ret = parse_key(ld, &ev, &key, &is_merge);
		yaml_event_delete(&ev);
		if (ret)
			break;
		dup = str_map_find(&keys, key);
		if (dup) {
			ret = load_error(ld, line, col, "duplicate key '%s' (first at line %ld)",
					 key, dup->val);
			free(key);
			break;
		}
		if ((ret = next_event(ld, &ev))) {
			free(key);
			break;
		}
		ret = parse_node(ld, &ev, depth, &value, &h);
		if (ret) {
			free(key);
			break;
		}
		if (h + 1 > *height)
			*height = h + 1;
		if (is_merge) {
			cJSON *s, *list = cJSON_IsArray(value) ? value : NULL;
			int ok = cJSON_IsObject(value) || list;

			cJSON_ArrayForEach(s, list)
				ok = ok && cJSON_IsObject(s);
			if (!ok) {
				cJSON_Delete(value);
				ret = load_error(ld, line, col,
						 "a merge key '<<' takes a mapping or a list of mappings");
				free(key);
				break;
			}
			merge.sources = value;
			merge.after = obj->child ? obj->child->prev : NULL;
			/* '<<' twice in one mapping is a duplicate key. */
			str_map_put(&keys, "<<", line);
			free(key);
			continue;
		}
		line_map_put(&ld->cfg->lines, value, line);
		cJSON_AddItemToObject(obj, key, value);
		if (!value->string)
			mlci_die("out of memory building a config");
		str_map_put(&keys, value->string, line);
		free(key);
	}
	if (!ret && merge.sources)
		apply_merge(ld, obj, &keys, &merge);
	cJSON_Delete(merge.sources);
	str_map_release(&keys);
	return ret;
}

static int parse_sequence(struct loader *ld, int depth, cJSON *arr, int *height)
{
	yaml_event_t ev;
	int ret;

	for (;;) {
		cJSON *value;
		int h;

		if ((ret = next_event(ld, &ev)))
			return ret;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		ret = parse_node(ld, &ev, depth, &value, &h);
		if (ret)
			return ret;
		if (h + 1 > *height)
			*height = h + 1;
		if (!cJSON_AddItemToArray(arr, value))
			mlci_die("out of memory building a config");
	}
}

/*
 * Build the node that starts with ev (consumed) and the events after it.
 * depth counts the collections around it; *height those in it.
 */
static int parse_node(struct loader *ld, yaml_event_t *ev, int depth,
		      cJSON **out, int *height)
{
	long line = MARK_LINE(ev->start_mark), col = MARK_COL(ev->start_mark);
	const char *anchor = NULL;
	char *anchor_copy = NULL;
	struct anchor *a;
	cJSON *node = NULL;
	int ret = 0;

	*out = NULL;
	*height = 0;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (count_node(ld)) {
			ret = budget_error(ld, line, col);
			break;
		}
		ret = scalar_node(ld, ev, &node);
		if (!ret && ev->data.scalar.anchor)
			add_anchor(ld, (const char *)ev->data.scalar.anchor, node,
				   (const char *)ev->data.scalar.value, 0);
		break;
	case YAML_ALIAS_EVENT:
		a = find_anchor(ld, (const char *)ev->data.alias.anchor);
		if (!a) {
			ret = load_error(ld, line, col, "unknown alias '*%s'",
					 (const char *)ev->data.alias.anchor);
			break;
		}
		if (depth + a->height > MLCI_CONFIG_MAX_DEPTH) {
			ret = depth_error(ld, line, col);
			break;
		}
		if (copy_node(ld, a->node, &node)) {
			ret = budget_error(ld, line, col);
			break;
		}
		free(node->string);
		node->string = NULL;
		*height = a->height;
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int map = ev->type == YAML_MAPPING_START_EVENT;
		const char *tag = (const char *)(map ? ev->data.mapping_start.tag :
						 ev->data.sequence_start.tag);

		anchor = (const char *)(map ? ev->data.mapping_start.anchor :
					ev->data.sequence_start.anchor);
		if ((ret = check_collection_tag(ld, ev, tag, map ? "!!map" : "!!seq")))
			break;
		if (depth + 1 > MLCI_CONFIG_MAX_DEPTH) {
			ret = depth_error(ld, line, col);
			break;
		}
		if (count_node(ld)) {
			ret = budget_error(ld, line, col);
			break;
		}
		/* The anchor is defined once the node is complete, so no cycles. */
		anchor_copy = anchor ? xstrdup(anchor) : NULL;
		yaml_event_delete(ev);
		*height = 1;
		if (map) {
			node = must(cJSON_CreateObject());
			ret = parse_mapping(ld, depth + 1, node, height);
		} else {
			node = must(cJSON_CreateArray());
			ret = parse_sequence(ld, depth + 1, node, height);
		}
		if (!ret && anchor_copy)
			add_anchor(ld, anchor_copy, node, NULL, *height);
		free(anchor_copy);
		if (ret) {
			cJSON_Delete(node);
			return ret;
		}
		line_map_put(&ld->cfg->lines, node, line);
		*out = node;
		return 0;
	}
	default:
		ret = load_error(ld, line, col, "unexpected YAML event %d", (int)ev->type);
		break;
	}
	yaml_event_delete(ev);
	if (ret) {
		cJSON_Delete(node);
		return ret;
	}
	line_map_put(&ld->cfg->lines, node, line);
	*out = node;
	return 0;
}

static int parse_yaml(struct loader *ld)
{
	yaml_event_t ev;
	int ret, height;

	if (!yaml_parser_initialize(&ld->parser))
		mlci_die("out of memory parsing '%s'", ld->cfg->path);
	yaml_parser_set_encoding(&ld->parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&ld->parser, (const unsigned char *)ld->buf,
				     ld->len);
	if ((ret = next_event(ld, &ev)))	/* stream start */
		goto out;
	yaml_event_delete(&ev);
	if ((ret = next_event(ld, &ev)))
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		ld->cfg->root = must(cJSON_CreateNull());
		goto out;
	}
	yaml_event_delete(&ev);	/* document start */
	if ((ret = next_event(ld, &ev)))
		goto out;
	if ((ret = parse_node(ld, &ev, 0, &ld->cfg->root, &height)))
		goto out;
	if ((ret = next_event(ld, &ev)))	/* document end */
		goto out;
	yaml_event_delete(&ev);
	if ((ret = next_event(ld, &ev)))
		goto out;
	if (ev.type == YAML_DOCUMENT_START_EVENT)
		ret = load_error(ld, MARK_LINE(ev.start_mark), MARK_COL(ev.start_mark),
				 "a second document starts here; a config holds one document");
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&ld->parser);
	return ret;
}

/* ---- Strict JSON: cJSON parses, a walk over the text finds the lines ---- */

struct jwalk {
	struct loader *ld;
	const char *p, *end, *bol;
	long line;
};

static void jws(struct jwalk *w)
{
	for (; w->p < w->end; w->p++) {
		if (*w->p == '\n') {
			w->line++;
			w->bol = w->p + 1;
		} else if (*w->p != ' ' && *w->p != '\t' && *w->p != '\r') {
			break;
		}
	}
}

/*
 * The column of the cursor, or of an earlier point at on the same line.
 * Only for messages: it counts from the start of the line.
 */
static long jcol_at(const struct jwalk *w, const char *at)
{
	return utf8_width(w->bol, at) + 1;
}

static long jcol(const struct jwalk *w)
{
	return jcol_at(w, w->p);
}

/* Expect c at the cursor and step over it. */
static int jexpect(struct jwalk *w, char c)
{
	if (w->p >= w->end || *w->p != c)
		return mlci_error(MLCI_EXIT_BUG, "%s:%ld:%ld: expected '%c' (a bug)",
				  w->ld->cfg->path, w->line, jcol(w), c);
	w->p++;
	return 0;
}

/* Step over a string that cJSON accepted. */
static int jstring(struct jwalk *w)
{
	const char *start = w->p;
	int ret = jexpect(w, '"');

	if (ret)
		return ret;
	while (w->p < w->end && *w->p != '"') {
		if (*w->p == '\\') {
			if (w->end - w->p >= 6 && !memcmp(w->p + 1, "u0000", 5))
				return load_error(w->ld, w->line, jcol_at(w, start),
						  "a string holds a NUL character");
			w->p++;
		} else if (*w->p == '\n') {
			w->line++;
			w->bol = w->p + 1;
		}
		w->p++;
	}
	return jexpect(w, '"');
}

static int jvalue(struct jwalk *w, cJSON *node, int depth, long line)
{
	struct mlci_config *cfg = w->ld->cfg;
	cJSON *c;
	int ret;

	if (count_node(w->ld))
		return load_error(w->ld, w->line, jcol(w),
				  "the config holds more than %d values",
				  MLCI_CONFIG_MAX_NODES);
	line_map_put(&cfg->lines, node, line);
	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		int obj = cJSON_IsObject(node);
		struct str_map keys = { 0 };

		if (depth + 1 > MLCI_CONFIG_MAX_DEPTH)
			return depth_error(w->ld, w->line, jcol(w));
		if ((ret = jexpect(w, obj ? '{' : '[')))
			return ret;
		for (c = node->child; c; c = c->next) {
			long cline;

			jws(w);
			cline = w->line;
			if (obj) {
				struct str_slot *dup = str_map_find(&keys, c->string);

				if (dup) {
					ret = load_error(w->ld, cline, jcol(w),
							 "duplicate key '%s' (first at line %ld)",
							 c->string, dup->val);
					break;
				}
				str_map_put(&keys, c->string, cline);
				if ((ret = jstring(w)))
					break;
				jws(w);
				if ((ret = jexpect(w, ':')))
					break;
				jws(w);
			}
			if ((ret = jvalue(w, c, depth + 1, cline)))
				break;
			jws(w);
			if (c->next && (ret = jexpect(w, ',')))
				break;
		}
		str_map_release(&keys);
		if (ret)
			return ret;
		jws(w);
		return jexpect(w, obj ? '}' : ']');
	}
	if (cJSON_IsString(node))
		return jstring(w);
	if (cJSON_IsNumber(node)) {
		const char *start = w->p;
		int integer = 1;
		char tmp[64], *text;
		double v;

		while (w->p < w->end && strchr("+-0123456789.eE", *w->p) && *w->p) {
			if (*w->p == '.' || *w->p == 'e' || *w->p == 'E')
				integer = 0;
			w->p++;
		}
		text = xstrndup(start, (size_t)(w->p - start));
		ret = 0;
		if (integer ? int_value(text, &v) : !isfinite(node->valuedouble))
			ret = load_error(w->ld, w->line, jcol_at(w, start), integer ?
					 "integer '%s' is too large for an exact number (beyond 2^53); quote it if it is an identifier" :
					 "number '%s' is out of range",
					 clip(text, tmp, sizeof(tmp)));
		free(text);
		return ret;
	}
	while (w->p < w->end && *w->p >= 'a' && *w->p <= 'z')
		w->p++;
	return 0;
}

/* An error at the cursor of a JSON check. */
#define JERR(w, ...) load_error((w)->ld, (w)->line, jcol(w), __VA_ARGS__)

static int jcheck_unexpected(struct jwalk *w, const char *what)
{
	unsigned char c;

	if (w->p >= w->end)
		return JERR(w, "unexpected end of the file, expected %s", what);
	c = (unsigned char)*w->p;
	if (c == '#' || (c == '/' && w->p + 1 < w->end &&
			 (w->p[1] == '/' || w->p[1] == '*')))
		return JERR(w, "a comment, which JSON does not allow");
	if (c >= 0x20 && c < 0x7f)
		return JERR(w, "unexpected '%c', expected %s", c, what);
	return JERR(w, "unexpected byte 0x%02x, expected %s", c, what);
}

static int jcheck_string(struct jwalk *w)
{
	const char *start = w->p;	/* a newline in the string is an error */

	for (w->p++; w->p < w->end; w->p++) {
		unsigned char c = (unsigned char)*w->p;

		if (c == '"') {
			w->p++;
			return 0;
		}
		if (c < 0x20)
			return JERR(w, "a control character in a string (escape it)");
		if (c != '\\')
			continue;
		/* Errors in an escape point at its backslash. */
		if (w->p + 1 < w->end && w->p[1] == 'u') {
			int i;

			for (i = 2; i <= 5; i++)
				if (w->p + i >= w->end || !strchr("0123456789abcdefABCDEF",
								  w->p[i]) || !w->p[i])
					break;
			if (i <= 5)
				return JERR(w, "a \\u escape needs four hex digits");
			w->p += 5;
		} else if (w->p + 1 >= w->end || !strchr("\"\\/bfnrt", w->p[1]) ||
			   !w->p[1]) {
			return JERR(w, "an invalid escape in a string");
		} else {
			w->p++;
		}
	}
	return load_error(w->ld, w->line, jcol_at(w, start),
			  "a string that does not end");
}

static int jcheck_digits(struct jwalk *w)
{
	const char *start = w->p;

	while (w->p < w->end && *w->p >= '0' && *w->p <= '9')
		w->p++;
	if (w->p == start)
		return jcheck_unexpected(w, "a digit");
	return 0;
}

static int jcheck_value(struct jwalk *w, int depth)
{
	int ret;

	jws(w);
	if (w->p >= w->end)
		return jcheck_unexpected(w, "a value");
	switch (*w->p) {
	case '{':
	case '[': {
		char close = *w->p == '{' ? '}' : ']';

		if (depth + 1 > MLCI_CONFIG_MAX_DEPTH)
			return depth_error(w->ld, w->line, jcol(w));
		w->p++;
		jws(w);
		if (w->p < w->end && *w->p == close) {
			w->p++;
			return 0;
		}
		for (;;) {
			jws(w);
			if (close == '}') {
				if (w->p < w->end && *w->p == '}')
					return JERR(w, "a trailing comma, which JSON does not allow");
				if (w->p >= w->end || *w->p != '"')
					return jcheck_unexpected(w, "a string key");
				if ((ret = jcheck_string(w)))
					return ret;
				jws(w);
				if (w->p >= w->end || *w->p != ':')
					return jcheck_unexpected(w, "':'");
				w->p++;
			} else {
				jws(w);
				if (w->p < w->end && *w->p == ']')
					return JERR(w, "a trailing comma, which JSON does not allow");
			}
			if ((ret = jcheck_value(w, depth + 1)))
				return ret;
			jws(w);
			if (w->p < w->end && *w->p == ',') {
				w->p++;
				continue;
			}
			if (w->p < w->end && *w->p == close) {
				w->p++;
				return 0;
			}
			return jcheck_unexpected(w, close == '}' ? "',' or '}'" : "',' or ']'");
		}
	}
	case '"':
		return jcheck_string(w);
	case 't':
	case 'f':
	case 'n': {
		const char *lit = *w->p == 't' ? "true" : *w->p == 'f' ? "false" : "null";
		size_t n = strlen(lit);

		if ((size_t)(w->end - w->p) < n || memcmp(w->p, lit, n))
			return jcheck_unexpected(w, "a value");
		w->p += n;
		return 0;
	}
	default:
		if (*w->p != '-' && (*w->p < '0' || *w->p > '9'))
			return jcheck_unexpected(w, "a value");
		if (*w->p == '-')
			w->p++;
		if (w->p < w->end && *w->p == '0')
			w->p++;
		else if ((ret = jcheck_digits(w)))
			return ret;
		if (w->p < w->end && *w->p == '.') {
			w->p++;
			if ((ret = jcheck_digits(w)))
				return ret;
		}
		if (w->p < w->end && (*w->p == 'e' || *w->p == 'E')) {
			w->p++;
			if (w->p < w->end && (*w->p == '+' || *w->p == '-'))
				w->p++;
			if ((ret = jcheck_digits(w)))
				return ret;
		}
		return 0;
	}
}

/* Check text[0..len) is one JSON value, with a precise place for errors. */
static int jcheck(struct loader *ld, const char *text, size_t len)
{
	struct jwalk w;
	int ret;

	w.ld = ld;
	w.p = w.bol = text;
	w.end = text + len;
	w.line = 1;
	if ((ret = jcheck_value(&w, 0)))
		return ret;
	jws(&w);
	if (w.p < w.end)
		return jcheck_unexpected(&w, "the end of the file");
	return 0;
}

/* Where in the text a UTF-8 sequence is malformed, or NULL. */
static const char *bad_utf8(const unsigned char *p, const unsigned char *end)
{
	while (p < end) {
		unsigned c = *p;
		size_t n, i;
		unsigned long cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return (const char *)p;
		if ((size_t)(end - p) <= n)
			return (const char *)p;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (const char *)p;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (const char *)p;
		p += n + 1;
	}
	return NULL;
}

static int parse_json(struct loader *ld)
{
	const char *buf = ld->buf, *end = ld->buf + ld->len, *bad, *at = NULL;
	struct jwalk w;
	char *text;
	long line, col;
	int ret;

	if (ld->len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		buf += 3;
	bad = bad_utf8((const unsigned char *)buf, (const unsigned char *)end);
	if (bad) {
		offset_position(ld->buf, ld->len, (size_t)(bad - ld->buf), &line, &col);
		return load_error(ld, line, col, "invalid UTF-8 (byte 0x%02x)",
				  (unsigned char)*bad);
	}
	if ((ret = jcheck(ld, buf, (size_t)(end - buf))))
		return ret;
	text = xmalloc((size_t)(end - buf) + 1);
	memcpy(text, buf, (size_t)(end - buf));
	text[end - buf] = '\0';
	ld->cfg->root = cJSON_ParseWithOpts(text, &at, 1);
	if (!ld->cfg->root) {
		offset_position(text, (size_t)(end - buf),
				at ? (size_t)(at - text) : 0, &line, &col);
		free(text);
		return load_error(ld, line, col, "malformed JSON");
	}
	w.ld = ld;
	w.p = w.bol = text;
	w.end = text + (end - buf);
	w.line = 1;
	jws(&w);
	ret = jvalue(&w, ld->cfg->root, 0, w.line);
	free(text);
	return ret;
}

/* ---- The interface ---- */

static int ends_with_json(const char *name)
{
	size_t n = strlen(name);

	return n >= 5 && !strcasecmp(name + n - 5, ".json");
}

int mlci_config_parse(const char *buf, size_t len, const char *name,
		      struct mlci_config **out)
{
	struct mlci_config *cfg = xcalloc(1, sizeof(*cfg));
	struct loader ld;
	const char *nul;
	size_t i;
	int ret;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	cfg->path = xstrdup(name ? name : "config");
	cfg->graveyard = must(cJSON_CreateArray());
	ld.cfg = cfg;
	ld.buf = buf;
	ld.len = len;
	nul = memchr(buf, '\0', len);
	if (nul) {
		long line, col;

		offset_position(buf, len, (size_t)(nul - buf), &line, &col);
		ret = load_error(&ld, line, col, "a NUL byte; a config is text");
	} else {
		ret = ends_with_json(cfg->path) ? parse_json(&ld) : parse_yaml(&ld);
	}
	for (i = 0; i < ld.nanchors; i++) {
		free(ld.anchors[i].name);
		free(ld.anchors[i].text);
	}
	free(ld.anchors);
	str_map_release(&ld.anchor_index);
	if (ret) {
		mlci_config_free(cfg);
		return ret;
	}
	*out = cfg;
	return 0;
}

int mlci_config_load(const char *path, struct mlci_config **out)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *fp = fopen(path, "rb");
	int ret;

	*out = NULL;
	if (!fp)
		return mlci_error_errno(errno == ENOENT || errno == EACCES ||
					errno == EISDIR || errno == ENOTDIR ||
					errno == ELOOP || errno == ENAMETOOLONG ?
					MLCI_EXIT_INPUT : MLCI_EXIT_SYSTEM,
					"cannot open '%s'", path);
	ret = strbuf_read_file_cap(&sb, fp, MLCI_CONFIG_MAX_SIZE);
	if (ret == -1)
		ret = mlci_error_errno(errno == EISDIR ? MLCI_EXIT_INPUT :
				       MLCI_EXIT_SYSTEM, "cannot read '%s'", path);
	else if (ret == -2)
		ret = mlci_error(MLCI_EXIT_INPUT, "'%s' is larger than %u MiB",
				 path, MLCI_CONFIG_MAX_SIZE >> 20);
	else
		ret = mlci_config_parse(sb.buf, sb.len, path, out);
	fclose(fp);
	strbuf_release(&sb);
	return ret;
}

cJSON *mlci_config_root(const struct mlci_config *cfg)
{
	return cfg ? cfg->root : NULL;
}

const char *mlci_config_path(const struct mlci_config *cfg)
{
	return cfg ? cfg->path : NULL;
}

long mlci_config_line(const struct mlci_config *cfg, const cJSON *item)
{
	if (!cfg || !item)
		return 0;
	return line_map_get(&cfg->lines, item);
}

int mlci_config_error(const struct mlci_config *cfg, const cJSON *item,
		      int code, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	long line = mlci_config_line(cfg, item);
	va_list ap;
	int ret;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (!cfg)
		ret = mlci_error(code, "%s", sb.buf);
	else if (line)
		ret = mlci_error(code, "%s:%ld: %s", cfg->path, line, sb.buf);
	else
		ret = mlci_error(code, "%s: %s", cfg->path, sb.buf);
	strbuf_release(&sb);
	return ret;
}

void mlci_config_free(struct mlci_config *cfg)
{
	if (!cfg)
		return;
	cJSON_Delete(cfg->root);
	cJSON_Delete(cfg->graveyard);
	free(cfg->lines.slots);
	free(cfg->path);
	free(cfg);
}
