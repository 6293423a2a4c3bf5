/* SPDX-License-Identifier: MIT */
/* ml-validate's work: one streaming pass that checks a CSV against a schema, profiles it, and tests drift. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic.h"
#include "json.h"
#include "sketch.h"
#include "strbuf.h"
#include "usage.h"
#include "validate.h"
#include "wrapper.h"

#define DEFAULT_EXAMPLES 5
#define STATS_MAX ((size_t)1 << 30)
#define BLOCK_ROWS_MAX 1024	/* rows in a block of mlci_csv_read_block() */

enum check {
	CK_TYPE,
	CK_MISSING,	/* examples shared by not_null and max_missing_fraction */
	CK_RANGE,
	CK_DOMAIN,
	CK_PATTERN,
	CK_UNIQUE,
	NCHECKS
};

/* The first rows that failed one check of one column, and how many did. */
struct acc {
	uint64_t count;
	size_t n;
	uint64_t *rows;
	long *lines;
	char **values;
};

/* Exact duplicate detection: a set of 64-bit hashes of the values. */
struct uniq {
	uint64_t *slots;	/* 0 empty; hash 0 is stored as 1 */
	size_t n, nslots;
};

/* How a column's values are read: its type, settled before the rows. */
enum vkind {
	VK_INTEGER,	/* declared integer */
	VK_NUMBER,	/* declared number, or no type and numeric so far */
	VK_BOOLEAN,
	VK_STRING	/* strings and categories */
};

struct vcol {
	struct mlci_colstats *st;
	size_t index;		/* field index in the file */
	const struct mlci_schema_column *sc;
	enum mlci_type type;
	int inferred;		/* no declared type: numeric until shown not */
	int is_int;		/* inferred: every value so far an integer */
	int flipped;		/* inferred numeric, then met a non-number */
	int sensitive;
	/*
	 * The schema's checks, settled once (settle_checks) so that a value
	 * costs a few tests, not a walk through the schema.
	 */
	enum vkind kind;
	double lo, hi;		/* the range: -inf and inf when open */
	const struct mlci_strset *domain;	/* NULL: no domain */
	const char *pattern;	/* NULL: none */
	int unique;
	int plain;		/* numbers, no unique check: number_block() */
	struct acc acc[NCHECKS];
	struct uniq uniq;
};

struct run {
	const struct mlci_validate_options *o;
	const struct mlci_schema *schema;
	struct mlci_validate_result *r;
	struct vcol *cols;
	size_t ncols;
	size_t max_examples;
	const struct mlci_strset *missing_values;
	int any_missing_values;	/* missing_values is not empty */
	int restart;		/* a column's inferred type changed */
};

static void acc_add(struct acc *a, size_t max, uint64_t row, long line,
		    const char *value, size_t len)
{
	a->count++;
	if (a->n >= max)
		return;
	if (!a->rows) {
		a->rows = xcalloc(max, sizeof(*a->rows));
		a->lines = xcalloc(max, sizeof(*a->lines));
		a->values = xcalloc(max, sizeof(*a->values));
	}
	a->rows[a->n] = row;
	a->lines[a->n] = line;
	a->values[a->n] = value ? xstrndup(value, len) : NULL;
	a->n++;
}

static void acc_release(struct acc *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->values[i]);
	free(a->rows);
	free(a->lines);
	free(a->values);
	memset(a, 0, sizeof(*a));
}

/* Add hash; 1 when it was already there. */
static int uniq_add(struct uniq *u, uint64_t h)
{
	size_t i;

	if (!h)
		h = 1;
	if (2 * (u->n + 1) > u->nslots) {
		size_t ns = u->nslots ? 2 * u->nslots : 1024, k;
		uint64_t *s = xcalloc(ns, sizeof(*s));

		for (k = 0; k < u->nslots; k++) {
			uint64_t v = u->slots[k];

			if (!v)
				continue;
			i = v & (ns - 1);
			while (s[i])
				i = (i + 1) & (ns - 1);
			s[i] = v;
		}
		free(u->slots);
		u->slots = s;
		u->nslots = ns;
	}
	i = h & (u->nslots - 1);
	while (u->slots[i]) {
		if (u->slots[i] == h)
			return 1;
		i = (i + 1) & (u->nslots - 1);
	}
	u->slots[i] = h;
	u->n++;
	return 0;
}

void mlci_stats_release(struct mlci_stats *s)
{
	size_t i;

	for (i = 0; i < s->ncols; i++) {
		free(s->cols[i].name);
		mlci_profile_release(&s->cols[i].prof);
	}
	free(s->cols);
	memset(s, 0, sizeof(*s));
}

struct mlci_colstats *mlci_stats_column(const struct mlci_stats *s,
					const char *name)
{
	size_t i;

	for (i = 0; i < s->ncols; i++)
		if (!strcmp(s->cols[i].name, name))
			return &s->cols[i];
	return NULL;
}

static struct mlci_colstats *stats_add(struct mlci_stats *s, const char *name,
				       enum mlci_type type,
				       const struct mlci_profile_limits *lim)
{
	struct mlci_colstats *c;

	mlci_profile_sync();	/* no batch of these profiles in flight */
	s->cols = xrealloc(s->cols, (s->ncols + 1) * sizeof(*s->cols));
	c = &s->cols[s->ncols++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->type = type;
	mlci_profile_init(&c->prof, mlci_type_is_numeric(type)
			  ? MLCI_PROFILE_NUMBER : MLCI_PROFILE_STRING, lim);
	return c;
}

cJSON *mlci_stats_view(const struct mlci_stats *s)
{
	static const char *const value_keys[] = {
		"mean", "std", "min", "max", "quantiles", "quantiles_approximate",
		"quantiles_rank_error", "histogram", "top", "top_approximate",
		NULL
	};
	cJSON *out = cJSON_CreateObject();
	size_t i;

	for (i = 0; i < s->ncols; i++) {
		const struct mlci_colstats *c = &s->cols[i];
		cJSON *v = cJSON_CreateObject(), *p, *it;

		mlci_json_set_string(v, "type", mlci_type_name(c->type));
		p = mlci_profile_to_json(&c->prof, 0);
		while ((it = p->child)) {
			const char *const *k;

			cJSON_DetachItemViaPointer(p, it);
			for (k = value_keys; c->sensitive && *k; k++)
				if (!strcmp(*k, it->string))
					break;
			if (c->sensitive && *k) {
				cJSON_Delete(it);
				continue;
			}
			cJSON_AddItemToObject(v, it->string, it);
			if (!strcmp(it->string, "missing"))
				mlci_json_set_number(v, "invalid", (double)c->invalid);
		}
		cJSON_Delete(p);
		if (c->sensitive)
			mlci_json_set_bool(v, "sensitive", 1);
		cJSON_AddItemToObject(out, c->name, v);
	}
	return out;
}

int mlci_stats_write(const struct mlci_stats *s, const char *path)
{
	cJSON *doc = cJSON_CreateObject(), *cols = cJSON_CreateArray();
	struct strbuf text = STRBUF_INIT;
	size_t i;
	int ret;

	mlci_json_set_number(doc, "mlci_stats", MLCI_STATS_FORMAT);
	mlci_json_set_number(doc, "rows", (double)s->rows);
	for (i = 0; i < s->ncols; i++) {
		const struct mlci_colstats *c = &s->cols[i];
		cJSON *o = cJSON_CreateObject();

		mlci_json_set_string(o, "name", c->name);
		mlci_json_set_string(o, "type", mlci_type_name(c->type));
		mlci_json_set_bool(o, "sensitive", c->sensitive);
		mlci_json_set_number(o, "invalid", (double)c->invalid);
		mlci_json_set(o, "profile", mlci_profile_to_json(&c->prof, 1));
		cJSON_AddItemToArray(cols, o);
	}
	mlci_json_set(doc, "columns", cols);
	mlci_json_print(doc, 0, &text);
	strbuf_addch(&text, '\n');
	cJSON_Delete(doc);
	ret = mlci_atomic_write_file(path, text.buf, text.len);
	strbuf_release(&text);
	return ret;
}

int mlci_stats_read(const char *path, struct mlci_stats *out)
{
	const cJSON *cols, *it;
	cJSON *doc = NULL;
	double rows, fmt;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = mlci_json_read_file(path, STATS_MAX, &doc);
	if (ret)
		return ret;
	if (mlci_json_get_number(doc, "mlci_stats", &fmt) || fmt != MLCI_STATS_FORMAT ||
	    mlci_json_get_number(doc, "rows", &rows) || rows < 0) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "'%s' is not a statistics file of format %d (written by ml-validate --write-stats)",
				 path, MLCI_STATS_FORMAT);
		goto out;
	}
	out->rows = (uint64_t)rows;
	cols = cJSON_GetObjectItemCaseSensitive(doc, "columns");
	if (!cJSON_IsArray(cols)) {
		ret = mlci_error(MLCI_EXIT_INPUT, "'%s': 'columns' must be a list", path);
		goto out;
	}
	cJSON_ArrayForEach(it, cols) {
		const char *name = mlci_json_get_string(it, "name");
		const char *type = mlci_json_get_string(it, "type");
		struct mlci_colstats *c;
		enum mlci_type t;
		double invalid = 0;
		char *what;

		if (!name || !type || mlci_type_parse(type, &t) ||
		    mlci_stats_column(out, name)) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "'%s': a column without a unique name or a known type",
					 path);
			goto out;
		}
		mlci_json_get_number(it, "invalid", &invalid);
		c = stats_add(out, name, t, NULL);
		c->invalid = (uint64_t)invalid;
		c->sensitive = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "sensitive"));
		mlci_profile_release(&c->prof);
		what = xstrfmt("%s: column '%s'", path, name);
		ret = mlci_profile_from_json(cJSON_GetObjectItemCaseSensitive(it, "profile"),
					     &c->prof, what);
		free(what);
		if (ret)
			goto out;
		if ((c->prof.kind == MLCI_PROFILE_NUMBER) != mlci_type_is_numeric(t)) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "'%s': column '%s' has a profile that does not fit its type",
					 path, name);
			goto out;
		}
	}
out:
	cJSON_Delete(doc);
	return ret;
}

int mlci_stats_merge(struct mlci_stats *into, const struct mlci_stats *from,
		     const char *what)
{
	size_t i;

	into->rows += from->rows;
	for (i = 0; i < from->ncols; i++) {
		const struct mlci_colstats *f = &from->cols[i];
		struct mlci_colstats *t = mlci_stats_column(into, f->name);
		int ret;

		if (!t) {
			t = stats_add(into, f->name, f->type, &f->prof.limits);
			t->sensitive = f->sensitive;
		} else if (mlci_type_is_numeric(t->type) !=
			   mlci_type_is_numeric(f->type)) {
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: column '%s' is %s here but %s before",
					  what, f->name, mlci_type_name(f->type),
					  mlci_type_name(t->type));
		}
		if (t->type == MLCI_TYPE_INTEGER && f->type == MLCI_TYPE_NUMBER)
			t->type = MLCI_TYPE_NUMBER;
		t->sensitive |= f->sensitive;
		t->invalid += f->invalid;
		ret = mlci_profile_merge(&t->prof, &f->prof);
		if (ret)
			return ret;
	}
	return 0;
}

static inline int is_missing(const struct run *run, const char *f, size_t len)
{
	return !len || (run->any_missing_values &&
			mlci_strset_has(run->missing_values, f, len));
}

/* Read the column's type and checks once, before its values. */
static void settle_checks(struct vcol *v)
{
	const struct mlci_schema_column *sc = v->sc;

	switch (v->type) {
	case MLCI_TYPE_INTEGER:
		v->kind = v->inferred ? VK_NUMBER : VK_INTEGER;
		break;
	case MLCI_TYPE_NUMBER:
		v->kind = VK_NUMBER;
		break;
	case MLCI_TYPE_BOOLEAN:
		v->kind = VK_BOOLEAN;
		break;
	default:
		v->kind = VK_STRING;
		break;
	}
	/* The values are finite: an open end is an infinite bound. */
	v->lo = sc && sc->has_min ? sc->min : -INFINITY;
	v->hi = sc && sc->has_max ? sc->max : INFINITY;
	v->domain = sc && sc->has_values ? &sc->values : NULL;
	v->pattern = sc ? sc->pattern : NULL;
	v->unique = sc && sc->unique;
	v->plain = (v->kind == VK_INTEGER || v->kind == VK_NUMBER) &&
		   !v->unique;
}

/*
 * Whether s[0..len) (len > 0) is in the domain. A few values, as a
 * category usually has, are compared in turn: cheaper than hashing.
 */
static inline int in_domain(const struct mlci_strset *set, const char *s,
			    size_t len)
{
	size_t i;

	if (set->n > 8)
		return mlci_strset_has(set, s, len);
	for (i = 0; i < set->n; i++)
		if (set->lens[i] == len && mlci_same_bytes(set->items[i], s, len))
			return 1;
	return 0;
}

/* A value that is not of the column's type. */
static void type_error(struct run *run, struct vcol *v, const char *f,
		       size_t len, uint64_t row, long line)
{
	v->st->invalid++;
	acc_add(&v->acc[CK_TYPE], run->max_examples, row, line,
		v->sensitive ? NULL : f, len);
}

/* Check and profile one number of a numeric column. */
static inline void add_number(struct run *run, struct vcol *v, double d,
			      const char *f, size_t len, uint64_t row,
			      long line)
{
	if (d < v->lo || d > v->hi)
		acc_add(&v->acc[CK_RANGE], run->max_examples, row, line,
			v->sensitive ? NULL : f, len);
	mlci_profile_add_number(&v->st->prof, d);
}

/* Check and profile one non-missing value. */
static void process_value(struct run *run, struct vcol *v, const char *f,
			  size_t len, uint64_t row, long line)
{
	size_t max = run->max_examples;
	const char *shown = v->sensitive ? NULL : f;

	switch (v->kind) {
	case VK_INTEGER: {
		int64_t iv;

		if (mlci_csv_parse_integer(f, len, &iv)) {
			type_error(run, v, f, len, row, line);
			return;
		}
		add_number(run, v, (double)iv, f, len, row, line);
		break;
	}
	case VK_NUMBER: {
		int integral;
		double d;

		if (mlci_csv_parse_number(f, len, &d, &integral)) {
			if (v->inferred) {
				v->flipped = 1;
				run->restart = 1;
				return;
			}
			type_error(run, v, f, len, row, line);
			return;
		}
		v->is_int &= integral;
		add_number(run, v, d, f, len, row, line);
		break;
	}
	case VK_BOOLEAN: {
		int b = mlci_csv_parse_bool(f, len);

		if (b < 0) {
			type_error(run, v, f, len, row, line);
			return;
		}
		if (v->domain && !in_domain(v->domain, f, len))
			acc_add(&v->acc[CK_DOMAIN], max, row, line, shown, len);
		mlci_profile_add_string(&v->st->prof, b ? "true" : "false",
					b ? 4 : 5);
		break;
	}
	default:
		if (v->domain && !in_domain(v->domain, f, len))
			acc_add(&v->acc[CK_DOMAIN], max, row, line, shown, len);
		if (v->pattern && !mlci_schema_match(v->sc, f))
			acc_add(&v->acc[CK_PATTERN], max, row, line, shown, len);
		mlci_profile_add_string(&v->st->prof, f, len);
		break;
	}
	if (v->unique && uniq_add(&v->uniq, mlci_hash_bytes(f, len)))
		acc_add(&v->acc[CK_UNIQUE], max, row, line, shown, len);
}

/* Count a missing value of row (file line line). */
static void missing_value(struct run *run, struct vcol *v, uint64_t row,
			  long line)
{
	mlci_profile_add_missing(&v->st->prof);
	acc_add(&v->acc[CK_MISSING], run->max_examples, row, line, NULL, 0);
}

/* Check and profile one field, missing or not. */
static inline void check_field(struct run *run, struct vcol *v, const char *f,
			       size_t len, uint64_t row, long line)
{
	if (is_missing(run, f, len))
		missing_value(run, v, row, line);
	else
		process_value(run, v, f, len, row, line);
}

/*
 * A column of numbers in a block, parsed all at once, into the profile's
 * buffer when it has the room. When every field is a plain number of the
 * column's type (the rule), the range check needs only the least and the
 * greatest; otherwise each field is checked in row order, as row by row.
 */
static void number_block(struct run *run, struct vcol *v, const char *buf,
			 const uint32_t *start, const uint32_t *len, size_t n,
			 uint64_t row0, long line0)
{
	struct mlci_profile *prof = &v->st->prof;
	double scratch[BLOCK_ROWS_MAX], range[2];
	double *room = mlci_profile_room(prof, n), *num = room ? room : scratch;
	unsigned char kind[BLOCK_ROWS_MAX];
	unsigned slow = MLCI_NUMBER_OTHER |
			(v->kind == VK_INTEGER ? MLCI_NUMBER_DECIMAL : 0);
	unsigned kinds;
	size_t r;

	kinds = mlci_csv_parse_numbers(buf, start, len, n, num, kind, range);
	if (kinds & slow) {
		if (room)	/* add_number() writes there */
			num = memcpy(scratch, room, n * sizeof(*num));
		for (r = 0; r < n && !v->flipped; r++) {
			if (kind[r] & slow) {
				check_field(run, v, buf + start[r], len[r],
					    row0 + r, line0 + (long)r);
				continue;
			}
			v->is_int &= kind[r] == MLCI_NUMBER_INTEGRAL;
			add_number(run, v, num[r], buf + start[r], len[r],
				   row0 + r, line0 + (long)r);
		}
		return;
	}
	v->is_int &= !(kinds & MLCI_NUMBER_DECIMAL);
	for (r = 0; (range[0] < v->lo || range[1] > v->hi) && r < n; r++)
		if (num[r] < v->lo || num[r] > v->hi)
			acc_add(&v->acc[CK_RANGE], run->max_examples, row0 + r,
				line0 + (long)r,
				v->sensitive ? NULL : buf + start[r], len[r]);
	if (range[0] <= 0 && range[1] >= 0)	/* "-0" parses as -0.0 */
		for (r = 0; r < n; r++)
			num[r] += 0.0;
	if (room)
		mlci_profile_commit(prof, n);
	else
		mlci_profile_add_finite(prof, num, n);
}

/*
 * A block's column of short strings, each a value the column's exact
 * profile knows and its domain holds (a category column's rule): the
 * values are tallied in a small table, then each is checked and counted
 * once. Branches on which value a row holds, taken at random, cost more
 * than the checks. Returns 0, having done nothing, for any other block.
 */
static int string_tally(struct run *run, struct vcol *v, const char *buf,
			const uint32_t *start, const uint32_t *len, size_t n)
{
	enum { SLOTS = 16 };
	struct { uint64_t word, count; size_t len, row; } t[SLOTS];
	size_t r, i;

	if (run->any_missing_values)
		return 0;
	memset(t, 0, sizeof(t));
	for (r = 0; r < n; r++) {
		uint64_t w;

		if (!len[r] || len[r] > 8)
			return 0;
		/* A block's fields can be read 16 bytes on (csv.h). */
		memcpy(&w, buf + start[r], sizeof(w));
		w &= ~UINT64_C(0) >> (64 - 8 * len[r]);
		i = (size_t)(((w ^ len[r]) * UINT64_C(0x9e3779b97f4a7c15)) >> 60);
		if (t[i].count && (t[i].word != w || t[i].len != len[r]))
			return 0;
		t[i].word = w;
		t[i].len = len[r];
		t[i].row = r;
		t[i].count++;
	}
	for (i = 0; i < SLOTS; i++) {
		const char *f = buf + start[t[i].row];

		if (t[i].count &&
		    ((v->domain && !in_domain(v->domain, f, t[i].len)) ||
		     !mlci_profile_string_known(&v->st->prof, f, t[i].len)))
			return 0;
	}
	for (i = 0; i < SLOTS; i++)
		if (t[i].count)
			mlci_profile_add_string_again(&v->st->prof,
						      buf + start[t[i].row],
						      t[i].len, t[i].count);
	return 1;
}

/* A column of strings with no pattern or unique check in a block. */
static void string_block(struct run *run, struct vcol *v, const char *buf,
			 const uint32_t *start, const uint32_t *len, size_t n,
			 uint64_t row0, long line0)
{
	size_t r;

	if (string_tally(run, v, buf, start, len, n))
		return;
	for (r = 0; r < n; r++) {
		const char *f = buf + start[r];

		if (is_missing(run, f, len[r])) {
			missing_value(run, v, row0 + r, line0 + (long)r);
			continue;
		}
		if (v->domain && !in_domain(v->domain, f, len[r]))
			acc_add(&v->acc[CK_DOMAIN], run->max_examples, row0 + r,
				line0 + (long)r, v->sensitive ? NULL : f, len[r]);
		mlci_profile_add_string(&v->st->prof, f, len[r]);
	}
}

/*
 * A block of rows, a column at a time: each column sees the same calls
 * in the same order as row by row, and its loop stays on one kind of
 * value. row0 is the block's first row.
 */
static void check_block(struct run *run, const char *buf,
			const struct mlci_csv_block *b, uint64_t row0)
{
	size_t i, r;

	for (i = 0; i < run->ncols; i++) {
		struct vcol *v = &run->cols[i];
		const uint32_t *start = b->start + v->index * b->cap;
		const uint32_t *len = b->len + v->index * b->cap;

		if (v->plain && !run->any_missing_values) {
			number_block(run, v, buf, start, len, b->nrows, row0,
				     b->line);
			continue;
		}
		if (v->kind == VK_STRING && !v->pattern && !v->unique) {
			string_block(run, v, buf, start, len, b->nrows, row0,
				     b->line);
			continue;
		}
		for (r = 0; r < b->nrows && !v->flipped; r++)
			check_field(run, v, buf + start[r], len[r], row0 + r,
				    b->line + (long)r);
	}
}

static void add_violation(struct mlci_validate_result *r, const char *column,
			  const char *check, uint64_t count,
			  const struct acc *a, int sensitive, char *message)
{
	struct mlci_violation *v;
	size_t i;

	r->violations = xrealloc(r->violations,
				 (r->nviolations + 1) * sizeof(*r->violations));
	v = &r->violations[r->nviolations++];
	memset(v, 0, sizeof(*v));
	v->column = column ? xstrdup(column) : NULL;
	v->check = check;
	v->count = count;
	v->message = message;
	if (!a || !a->n)
		return;
	v->nexamples = a->n;
	v->rows = xcalloc(a->n, sizeof(*v->rows));
	v->lines = xcalloc(a->n, sizeof(*v->lines));
	v->values = xcalloc(a->n, sizeof(*v->values));
	for (i = 0; i < a->n; i++) {
		v->rows[i] = a->rows[i];
		v->lines[i] = a->lines[i];
		v->values[i] = a->values[i] && !sensitive ? xstrdup(a->values[i]) : NULL;
	}
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* A short list of a domain's values for messages, with "..." past 8. */
static void domain_list(struct strbuf *sb, const struct mlci_strset *set)
{
	size_t i;

	for (i = 0; i < set->n && i < 8; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", set->items[i]);
	if (set->n > 8)
		strbuf_addstr(sb, ", ...");
}

/* Turn the column's counters into violations, in a fixed order. */
static void column_verdicts(struct run *run, struct vcol *v)
{
	const struct mlci_schema_column *sc = v->sc;
	struct mlci_validate_result *r = run->r;
	uint64_t valid = mlci_profile_count(&v->st->prof);
	uint64_t nonmissing = valid + v->st->invalid;
	uint64_t missing = v->acc[CK_MISSING].count;
	const char *name = v->st->name;
	struct strbuf sb = STRBUF_INIT;
	struct acc *a;

	if (!sc)
		return;
	a = &v->acc[CK_TYPE];
	if (a->count && (double)a->count > (1 - sc->mostly) * (double)nonmissing)
		add_violation(r, name, "type", a->count, a, v->sensitive,
			      xstrfmt("%llu %s not %s %s", (unsigned long long)a->count,
				      plural(a->count, "value is", "values are"),
				      sc->type == MLCI_TYPE_INTEGER ? "an" : "a",
				      mlci_type_name(sc->type)));
	a = &v->acc[CK_MISSING];
	if (!sc->nullable && missing)
		add_violation(r, name, "not_null", missing, a, v->sensitive,
			      xstrfmt("%llu missing %s in a column that is not nullable",
				      (unsigned long long)missing,
				      plural(missing, "value", "values")));
	if (!isnan(sc->max_missing_fraction) && r->rows &&
	    (double)missing > sc->max_missing_fraction * (double)r->rows)
		add_violation(r, name, "max_missing_fraction", missing, a,
			      v->sensitive,
			      xstrfmt("%llu missing %s (%.1f%% of %llu rows), more than the %g%% allowed",
				      (unsigned long long)missing,
				      plural(missing, "value", "values"),
				      100.0 * (double)missing / (double)r->rows,
				      (unsigned long long)r->rows,
				      100 * sc->max_missing_fraction));
	a = &v->acc[CK_RANGE];
	if (a->count && (double)a->count > (1 - sc->mostly) * (double)valid) {
		strbuf_addf(&sb, "%llu %s outside ", (unsigned long long)a->count,
			    plural(a->count, "value", "values"));
		if (sc->has_min && sc->has_max)
			strbuf_addf(&sb, "[%.17g, %.17g]", sc->min, sc->max);
		else if (sc->has_min)
			strbuf_addf(&sb, "[%.17g, inf)", sc->min);
		else
			strbuf_addf(&sb, "(-inf, %.17g]", sc->max);
		add_violation(r, name, "range", a->count, a, v->sensitive,
			      strbuf_detach(&sb, NULL));
	}
	a = &v->acc[CK_DOMAIN];
	if (a->count && (double)a->count > (1 - sc->min_domain_fraction) * (double)valid) {
		strbuf_addf(&sb, "%llu %s not in the domain (", (unsigned long long)a->count,
			    plural(a->count, "value", "values"));
		if (v->sensitive)
			strbuf_addf(&sb, "%zu values", sc->values.n);
		else
			domain_list(&sb, &sc->values);
		strbuf_addch(&sb, ')');
		if (sc->min_domain_fraction < 1)
			strbuf_addf(&sb, ": %.2f%% in it, %g%% required",
				    100.0 * (double)(valid - a->count) / (double)valid,
				    100 * sc->min_domain_fraction);
		add_violation(r, name, "domain", a->count, a, v->sensitive,
			      strbuf_detach(&sb, NULL));
	}
	a = &v->acc[CK_PATTERN];
	if (a->count && (double)a->count > (1 - sc->mostly) * (double)valid)
		add_violation(r, name, "pattern", a->count, a, v->sensitive,
			      xstrfmt("%llu %s do not match the pattern '%s'",
				      (unsigned long long)a->count,
				      plural(a->count, "value", "values"),
				      sc->pattern));
	a = &v->acc[CK_UNIQUE];
	if (a->count)
		add_violation(r, name, "unique", a->count, a, v->sensitive,
			      xstrfmt("%llu duplicate %s in a column that must be unique",
				      (unsigned long long)a->count,
				      plural(a->count, "value", "values")));
	strbuf_release(&sb);
}

static void run_release(struct run *run)
{
	size_t i, k;

	for (i = 0; i < run->ncols; i++) {
		for (k = 0; k < NCHECKS; k++)
			acc_release(&run->cols[i].acc[k]);
		free(run->cols[i].uniq.slots);
	}
	free(run->cols);
	run->cols = NULL;
	run->ncols = 0;
}

/* The output columns: header fields selected and renamed. */
static int setup_columns(struct run *run, struct mlci_csv *c,
			 const enum mlci_type *pass_types)
{
	const struct mlci_validate_options *o = run->o;
	const struct mlci_schema *s = run->schema;
	const char *const *select = o->select;
	size_t nselect = o->nselect, i, j, nh = c->nfields;
	struct mlci_profile_limits lim = MLCI_PROFILE_LIMITS_INIT;
	size_t *idx;

	if (!select && s && s->select) {
		select = (const char *const *)s->select;
		nselect = s->nselect;
	}
	for (i = 0; i < nh; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(c->field[i], c->field[j]))
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s:%ld: duplicate column name '%s' in the header",
						  c->path, c->line, c->field[i]);
	if (select) {
		idx = xcalloc(nselect ? nselect : 1, sizeof(*idx));
		for (i = 0; i < nselect; i++) {
			for (j = 0; j < nh; j++)
				if (!strcmp(select[i], c->field[j]))
					break;
			if (j == nh) {
				free(idx);
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s:%ld: no column '%s' to select in the header",
						  c->path, c->line, select[i]);
			}
			idx[i] = j;
		}
	} else {
		nselect = nh;
		idx = xcalloc(nh ? nh : 1, sizeof(*idx));
		for (i = 0; i < nh; i++)
			idx[i] = i;
	}
	if (o->exact)
		lim.max_values = SIZE_MAX;
	run->cols = xcalloc(nselect ? nselect : 1, sizeof(*run->cols));
	for (i = 0; i < nselect; i++) {
		const char *name = c->field[idx[i]];
		struct vcol *v = &run->cols[i];
		const struct mlci_colstats *forced;
		size_t k;

		/* The command line's renames win over the schema's. */
		for (k = 0; s && k < s->nrename; k++)
			if (!strcmp(s->rename[k].from, c->field[idx[i]]))
				name = s->rename[k].to;
		for (k = 0; k < o->nrename; k++)
			if (!strcmp(o->rename[k].from, c->field[idx[i]]))
				name = o->rename[k].to;
		for (k = 0; k < run->ncols; k++)
			if (!strcmp(run->r->stats.cols[k].name, name)) {
				free(idx);
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s:%ld: two columns would be named '%s' after renaming",
						  c->path, c->line, name);
			}
		v->index = idx[i];
		v->sc = s ? mlci_schema_column(s, name) : NULL;
		forced = o->types_from ? mlci_stats_column(o->types_from, name) : NULL;
		if (v->sc) {
			v->type = v->sc->type;
			v->sensitive = v->sc->sensitive;
		} else if (forced) {
			v->type = forced->type;
		} else if (pass_types && pass_types[idx[i]] == MLCI_TYPE_STRING) {
			v->type = MLCI_TYPE_STRING;
		} else {
			v->type = MLCI_TYPE_NUMBER;
			v->inferred = v->is_int = 1;
		}
		if (forced && forced->sensitive)
			v->sensitive = 1;
		settle_checks(v);
		v->st = NULL;
		run->ncols++;
		v->st = stats_add(&run->r->stats, name, v->type, &lim);
		v->st->sensitive = v->sensitive;
	}
	/* stats_add may move the array: point the columns at it again. */
	for (i = 0; i < run->ncols; i++)
		run->cols[i].st = &run->r->stats.cols[i];
	free(idx);
	return 0;
}

static void table_verdicts(struct run *run)
{
	const struct mlci_schema *s = run->schema;
	struct mlci_validate_result *r = run->r;
	size_t i, j;

	if (!s)
		return;
	for (i = 0; i < s->ncolumns; i++) {
		const struct mlci_schema_column *sc = &s->columns[i];

		if (sc->required && !mlci_stats_column(&r->stats, sc->name))
			add_violation(r, sc->name, "required", 1, NULL, 0,
				      xstrfmt("column '%s' is missing from the data",
					      sc->name));
	}
	if (s->strict)
		for (i = 0; i < run->ncols; i++)
			if (!run->cols[i].sc)
				add_violation(r, run->cols[i].st->name, "strict", 1,
					      NULL, 0,
					      xstrfmt("column '%s' is not in the schema (strict)",
						      run->cols[i].st->name));
	if (s->ordered) {
		/* The schema's columns that are present, in the data's order. */
		size_t last = 0;
		int ok = 1;

		for (i = 0; i < run->ncols && ok; i++) {
			if (!run->cols[i].sc)
				continue;
			j = (size_t)(run->cols[i].sc - s->columns);
			if (j < last)
				ok = 0;
			last = j;
		}
		if (!ok)
			add_violation(r, NULL, "ordered", 1, NULL, 0,
				      xstrdup("the columns are not in the schema's order"));
	}
	if (s->has_min_rows && r->rows < s->min_rows)
		add_violation(r, NULL, "rows", r->rows, NULL, 0,
			      xstrfmt("%llu rows, fewer than the %llu required",
				      (unsigned long long)r->rows,
				      (unsigned long long)s->min_rows));
	if (s->has_max_rows && r->rows > s->max_rows)
		add_violation(r, NULL, "rows", r->rows, NULL, 0,
			      xstrfmt("%llu rows, more than the %llu allowed",
				      (unsigned long long)r->rows,
				      (unsigned long long)s->max_rows));
}

static void write_row(struct strbuf *sb, const struct run *run,
		      const struct mlci_csv *c, int header)
{
	size_t i;

	strbuf_reset(sb);
	for (i = 0; i < run->ncols; i++) {
		const struct vcol *v = &run->cols[i];

		if (i)
			strbuf_addch(sb, c->delimiter);
		if (header)
			mlci_csv_quote(sb, v->st->name, strlen(v->st->name),
				       c->delimiter);
		else
			mlci_csv_quote(sb, c->field[v->index], c->len[v->index],
				       c->delimiter);
	}
	if (run->ncols == 1 && !sb->len)
		strbuf_addstr(sb, "\"\"");	/* not a blank line */
	strbuf_addch(sb, '\n');
}

/*
 * Rows per block: enough for each column's loop to run a while, few
 * enough that the block's offsets stay in a cache (about 64 KiB of
 * them).
 */
static size_t block_rows(size_t nfields)
{
	size_t n = 8192 / nfields;

	return n < 16 ? 16 : n > BLOCK_ROWS_MAX ? BLOCK_ROWS_MAX : n;
}

static int one_pass(const char *path, struct run *run,
		    const enum mlci_type *pass_types)
{
	const struct mlci_validate_options *o = run->o;
	struct mlci_validate_result *r = run->r;
	struct mlci_csv_options co = MLCI_CSV_OPTIONS_INIT;
	struct mlci_atomic out = MLCI_ATOMIC_INIT;
	struct strbuf line = STRBUF_INIT;
	struct mlci_csv_block blk = { 0 };
	struct mlci_csv c;
	size_t nh, i;
	int ret;

	co.delimiter = o->delimiter ? o->delimiter
		     : run->schema && run->schema->delimiter ? run->schema->delimiter
		     : ',';
	co.max_record = o->max_record;
	co.want_sha256 = o->want_sha256;
	ret = mlci_csv_open(&c, path, &co);
	if (ret)
		goto out;
	ret = mlci_csv_read(&c);
	if (ret < 0)
		goto out;
	if (ret == 0) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s:1: empty file: no header row", path);
		goto out;
	}
	nh = c.nfields;
	ret = setup_columns(run, &c, pass_types);
	if (ret)
		goto out;
	if (o->output_data) {
		ret = mlci_atomic_open(&out, o->output_data);
		if (ret)
			goto out;
		write_row(&line, run, &c, 1);
		fwrite(line.buf, 1, line.len, out.fp);
	}

	blk.nfields = nh;
	for (i = 0; i < run->ncols; i++)	/* regexec() wants a string */
		blk.nul |= run->cols[i].pattern != NULL;
	blk.cap = block_rows(nh);
	blk.start = xmalloc(nh * blk.cap * sizeof(*blk.start));
	blk.len = xmalloc(nh * blk.cap * sizeof(*blk.len));
	for (;;) {
		uint64_t row;

		if (!out.fp && mlci_csv_read_block(&c, &blk)) {
			check_block(run, c.buf, &blk, r->rows + 1);
			r->rows += blk.nrows;
			continue;
		}
		if ((ret = mlci_csv_read(&c)) <= 0)
			break;
		row = ++r->rows;

		if (c.nfields != nh) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s:%ld: row %llu has %zu %s, the header has %zu",
					 path, c.line, (unsigned long long)row,
					 c.nfields, plural(c.nfields, "field", "fields"), nh);
			goto out;
		}
		for (i = 0; i < run->ncols; i++) {
			struct vcol *v = &run->cols[i];

			if (!v->flipped)
				check_field(run, v, c.field[v->index],
					    c.len[v->index], row, c.line);
		}
		if (out.fp) {
			write_row(&line, run, &c, 0);
			fwrite(line.buf, 1, line.len, out.fp);
		}
	}
	if (ret < 0)
		goto out;
	if (o->want_sha256 && (ret = mlci_csv_sha256(&c, r->sha256)))
		goto out;
	if (run->restart) {
		ret = 0;
		goto out;
	}
	if (out.fp && (ret = mlci_atomic_commit(&out)))
		goto out;
	for (i = 0; i < run->ncols; i++) {
		struct vcol *v = &run->cols[i];

		if (v->inferred) {
			v->st->type = mlci_profile_count(&v->st->prof) == 0
				? MLCI_TYPE_STRING
				: v->is_int ? MLCI_TYPE_INTEGER : MLCI_TYPE_NUMBER;
		}
	}
	table_verdicts(run);
	for (i = 0; i < run->ncols; i++)
		column_verdicts(run, &run->cols[i]);
	ret = 0;
out:
	mlci_atomic_abort(&out);
	strbuf_release(&line);
	free(blk.start);
	free(blk.len);
	mlci_csv_release(&c);
	return ret;
}

/*
 * The types of the columns seen in the first SNIFF_ROWS rows: a column
 * with a non-number there is read as strings from the start, so that the
 * common case needs one pass. A new array indexed by the header's fields
 * (MLCI_TYPE_STRING or MLCI_TYPE_NUMBER), or NULL when the file has no
 * header. Problems are left for the real pass to report.
 */
#define SNIFF_ROWS 10000
static enum mlci_type *sniff_types(const char *path, const struct run *run)
{
	const struct mlci_validate_options *o = run->o;
	struct mlci_csv_options co = MLCI_CSV_OPTIONS_INIT;
	enum mlci_type *t = NULL;
	struct mlci_csv c;
	size_t nh = 0, i, rows = 0;
	int q = mlci_set_quiet(1);

	co.delimiter = o->delimiter ? o->delimiter
		     : run->schema && run->schema->delimiter ? run->schema->delimiter
		     : ',';
	co.max_record = o->max_record;
	if (!mlci_csv_open(&c, path, &co) && mlci_csv_read(&c) > 0) {
		nh = c.nfields;
		t = xcalloc(nh, sizeof(*t));
		for (i = 0; i < nh; i++)
			t[i] = MLCI_TYPE_NUMBER;
		while (rows++ < SNIFF_ROWS && mlci_csv_read(&c) > 0 &&
		       c.nfields == nh) {
			for (i = 0; i < nh; i++) {
				double d;

				if (t[i] == MLCI_TYPE_NUMBER &&
				    !is_missing(run, c.field[i], c.len[i]) &&
				    mlci_csv_parse_double(c.field[i], c.len[i], &d))
					t[i] = MLCI_TYPE_STRING;
			}
		}
	}
	mlci_csv_release(&c);
	mlci_set_quiet(q);
	return t;
}

int mlci_validate_file(const char *path, const struct mlci_validate_options *o,
		       struct mlci_validate_result *r)
{
	struct mlci_strset none = { 0 };
	struct run run;
	enum mlci_type *types = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&run, 0, sizeof(run));
	run.o = o;
	run.schema = o->schema;
	run.r = r;
	run.max_examples = o->max_examples ? o->max_examples : DEFAULT_EXAMPLES;
	run.missing_values = o->schema ? &o->schema->missing_values : &none;
	run.any_missing_values = run.missing_values->n > 0;
	r->passes = 1;
	{
		struct stat st;

		/* The first rows are read twice (sniff_types): not a pipe's. */
		if (!stat(path, &st) && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
			return mlci_error(MLCI_EXIT_INPUT,
					  "cannot read '%s': a pipe, and ml-validate reads its first rows twice (write the data to a file first)",
					  path);
	}
	types = sniff_types(path, &run);
	ret = one_pass(path, &run, types);
	if (!ret && run.restart) {
		size_t i, nidx = 1;

		/*
		 * A column without a declared type held a non-number: read
		 * again, that column as strings, so that its statistics cover
		 * every row.
		 */
		for (i = 0; i < run.ncols; i++)
			if (run.cols[i].index + 1 > nidx)
				nidx = run.cols[i].index + 1;
		if (!types) {
			types = xcalloc(nidx, sizeof(*types));
			for (i = 0; i < nidx; i++)
				types[i] = MLCI_TYPE_NUMBER;
		}
		for (i = 0; i < run.ncols; i++)
			if (run.cols[i].flipped)
				types[run.cols[i].index] = MLCI_TYPE_STRING;
		run_release(&run);
		mlci_validate_result_release(r);
		memset(r, 0, sizeof(*r));
		r->passes = 2;
		run.restart = 0;
		ret = one_pass(path, &run, types);
	}
	free(types);
	run_release(&run);
	return ret;
}

void mlci_validate_result_release(struct mlci_validate_result *r)
{
	size_t i, k;

	for (i = 0; i < r->nviolations; i++) {
		struct mlci_violation *v = &r->violations[i];

		for (k = 0; k < v->nexamples; k++)
			free(v->values[k]);
		free(v->values);
		free(v->rows);
		free(v->lines);
		free(v->column);
		free(v->message);
	}
	free(r->violations);
	mlci_stats_release(&r->stats);
	memset(r, 0, sizeof(*r));
}

cJSON *mlci_violations_json(const struct mlci_validate_result *r)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i, k;

	for (i = 0; i < r->nviolations; i++) {
		const struct mlci_violation *v = &r->violations[i];
		const struct mlci_colstats *cs = v->column
			? mlci_stats_column(&r->stats, v->column) : NULL;
		cJSON *o = cJSON_CreateObject(), *rows = cJSON_CreateArray();

		if (v->column)
			mlci_json_set_string(o, "column", v->column);
		else
			mlci_json_set_null(o, "column");
		mlci_json_set_string(o, "check", v->check);
		mlci_json_set_number(o, "count", (double)v->count);
		for (k = 0; k < v->nexamples; k++)
			cJSON_AddItemToArray(rows, cJSON_CreateNumber((double)v->rows[k]));
		mlci_json_set(o, "rows", rows);
		if (!(cs && cs->sensitive)) {
			cJSON *vals = cJSON_CreateArray();

			for (k = 0; k < v->nexamples; k++)
				cJSON_AddItemToArray(vals, v->values[k]
						     ? cJSON_CreateString(v->values[k])
						     : cJSON_CreateNull());
			mlci_json_set(o, "values", vals);
		}
		mlci_json_set_string(o, "message", v->message);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* --- drift --- */

/* A numeric sample for the tests: exact values, or evenly spaced quantiles. */
static double *numeric_sample(const struct mlci_profile *p, size_t *n,
			      int *approximate)
{
	double *vals, *out;
	uint64_t *w, total = 0, cum = 0;
	size_t k, m, i, j = 0;

	*approximate = 0;
	vals = mlci_profile_values(p, n);
	if (vals || !mlci_profile_count(p))
		return vals;
	/*
	 * Past the exact bound the profile holds a KLL sketch: stand in
	 * for the data with the sketch's quantiles at m evenly spaced
	 * ranks.
	 */
	k = mlci_profile_weighted_values(p, &vals, &w);
	for (i = 0; i < k; i++)
		total += w[i];
	m = total < 100000 ? (size_t)total : 100000;
	out = xmalloc(m * sizeof(*out));
	for (i = 0; i < m; i++) {
		double target = ((double)i + 0.5) * (double)total / (double)m;

		while (j < k && (double)(cum + w[j]) <= target)
			cum += w[j++];
		out[i] = vals[j < k ? j : k - 1];
	}
	free(vals);
	free(w);
	*n = m;
	*approximate = 1;
	return out;
}

/* Value counts: a categorical profile's, or a numeric one's values as text. */
struct counts {
	char **values;
	size_t *counts;
	size_t n;
	int approximate;
};

static void counts_release(struct counts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->values[i]);
	free(c->values);
	free(c->counts);
	memset(c, 0, sizeof(*c));
}

static void counts_push(struct counts *c, const char *s, size_t count)
{
	c->values = xrealloc(c->values, (c->n + 1) * sizeof(*c->values));
	c->counts = xrealloc(c->counts, (c->n + 1) * sizeof(*c->counts));
	c->values[c->n] = xstrdup(s);
	c->counts[c->n] = count;
	c->n++;
}

static void profile_counts(const struct mlci_profile *p, struct counts *out)
{
	memset(out, 0, sizeof(*out));
	if (p->kind == MLCI_PROFILE_STRING) {
		int exact;
		size_t n, i;
		struct mlci_profile_category *cat = mlci_profile_categories(p, &n, &exact);

		for (i = 0; i < n; i++)
			counts_push(out, cat[i].value, (size_t)cat[i].count);
		out->approximate = !exact;
		free(cat);
	} else {
		double *vals;
		uint64_t *w;
		size_t k = mlci_profile_weighted_values(p, &vals, &w), i;
		char buf[40];

		for (i = 0; i < k; i++) {
			if (i && vals[i] == vals[i - 1]) {
				out->counts[out->n - 1] += (size_t)w[i];
				continue;
			}
			snprintf(buf, sizeof(buf), "%.17g", vals[i]);
			counts_push(out, buf, (size_t)w[i]);
		}
		out->approximate = p->sketch;
		free(vals);
		free(w);
	}
}

/* Distinct values of both samples together (what Evidently counts). */
static size_t union_distinct(const struct mlci_profile *a,
			     const struct mlci_profile *b)
{
	struct counts ca, cb;
	struct mlci_strset set = { 0 };
	size_t i, n;

	if (a->kind == MLCI_PROFILE_NUMBER &&
	    (a->sketch || b->sketch)) {
		struct mlci_distinct d;

		if (a->sketch && b->sketch) {
			mlci_distinct_copy(&d, &a->distinct);
			mlci_distinct_merge(&d, &b->distinct);
			n = (size_t)mlci_distinct_count(&d);
			mlci_distinct_release(&d);
			return n;
		}
		/* One side sketched: many distinct values anyway. */
		return (size_t)mlci_distinct_count(a->sketch ? &a->distinct
							     : &b->distinct);
	}
	profile_counts(a, &ca);
	profile_counts(b, &cb);
	for (i = 0; i < ca.n; i++)
		mlci_strset_add(&set, ca.values[i], strlen(ca.values[i]));
	for (i = 0; i < cb.n; i++)
		mlci_strset_add(&set, cb.values[i], strlen(cb.values[i]));
	n = set.n;
	mlci_strset_release(&set);
	counts_release(&ca);
	counts_release(&cb);
	return n;
}

static cJSON *drift_column(const struct mlci_colstats *cur,
			   const struct mlci_colstats *ref,
			   const struct mlci_drift_options *o, int *tested,
			   int *drifted)
{
	const struct mlci_schema_column *sc =
		o->schema ? mlci_schema_column(o->schema, cur->name) : NULL;
	enum mlci_drift_kind kind = mlci_type_is_numeric(cur->type)
		? MLCI_DRIFT_NUMERIC : MLCI_DRIFT_CATEGORICAL;
	struct mlci_drift_result res;
	struct mlci_drift_choice choice;
	const enum mlci_drift_test *override = NULL;
	double threshold = NAN;
	cJSON *j = cJSON_CreateObject();
	int approximate = 0, ret;

	*tested = *drifted = 0;
	mlci_drift_result_init(&res);
	if (mlci_type_is_numeric(ref->type) != mlci_type_is_numeric(cur->type)) {
		mlci_json_set_string(j, "reason", "the reference's column has another type");
		return j;
	}
	if (!mlci_profile_count(&cur->prof) || !mlci_profile_count(&ref->prof)) {
		mlci_json_set_string(j, "reason", "no values to compare");
		return j;
	}
	if (sc && sc->has_drift_test) {
		override = &sc->drift_test;
		threshold = sc->drift_threshold;
	} else if (o->has_test &&
		   mlci_drift_check_test(o->test, kind, NULL) == 0) {
		override = &o->test;
		threshold = o->threshold;
	} else if (sc) {
		threshold = sc->drift_threshold;
	}
	if (override && mlci_drift_check_test(*override, kind, NULL)) {
		mlci_json_set_string(j, "reason", "the test does not fit the column");
		return j;
	}
	{
		int q = mlci_set_quiet(1);

		ret = mlci_drift_choose(kind, (size_t)mlci_profile_count(&ref->prof),
					union_distinct(&cur->prof, &ref->prof),
					override, threshold, cur->name, &choice);
		mlci_set_quiet(q);
	}
	if (ret) {
		mlci_json_set_string(j, "reason", "invalid drift threshold");
		return j;
	}
	if (choice.use_counts) {
		struct counts cr, cc;
		struct mlci_drift_counts dr, dc;

		profile_counts(&ref->prof, &cr);
		profile_counts(&cur->prof, &cc);
		dr.values = (const char *const *)cr.values;
		dr.counts = cr.counts;
		dr.n = cr.n;
		dc.values = (const char *const *)cc.values;
		dc.counts = cc.counts;
		dc.n = cc.n;
		approximate = cr.approximate || cc.approximate;
		ret = mlci_drift_run_counts(choice.test, &dr, &dc, choice.threshold, &res);
		counts_release(&cr);
		counts_release(&cc);
	} else {
		size_t nr, nc;
		int ar, ac;
		double *vr = numeric_sample(&ref->prof, &nr, &ar);
		double *vc = numeric_sample(&cur->prof, &nc, &ac);

		approximate = ar || ac;
		ret = mlci_drift_run_numeric(choice.test, vr, nr, vc, nc,
					     choice.threshold, &res);
		free(vr);
		free(vc);
	}
	if (ret) {
		mlci_drift_result_release(&res);
		mlci_json_set_string(j, "reason", "the test could not run");
		return j;
	}
	*tested = 1;
	*drifted = res.drifted;
	mlci_json_set_string(j, "test", res.test);
	mlci_json_set(j, "statistic", mlci_json_number(res.statistic));
	if (mlci_drift_test_has_p_value(choice.test))
		mlci_json_set(j, "p_value", mlci_json_number(res.p_value));
	mlci_json_set_number(j, "threshold", res.threshold);
	mlci_json_set_bool(j, "drifted", res.drifted);
	mlci_json_set_number(j, "n_reference", (double)res.n_reference);
	mlci_json_set_number(j, "n_current", (double)res.n_current);
	if (res.top_value && !cur->sensitive && !ref->sensitive) {
		mlci_json_set_string(j, "top_value", res.top_value);
		mlci_json_set(j, "top_shift", mlci_json_number(res.top_shift));
	}
	if (approximate || res.approximate)
		mlci_json_set_bool(j, "approximate", 1);
	if (res.reason)
		mlci_json_set_string(j, "reason", res.reason);
	if (res.small_sample) {
		mlci_json_set_string(j, "warning", res.small_sample);
		mlci_warning("drift of '%s': %s", cur->name, res.small_sample);
	}
	mlci_drift_result_release(&res);
	return j;
}

int mlci_validate_drift(const struct mlci_stats *cur,
			const struct mlci_stats *ref,
			const struct mlci_drift_options *o, cJSON **out,
			int *drifted)
{
	cJSON *d = cJSON_CreateObject(), *cols = cJSON_CreateObject();
	size_t i, tested = 0, ndrifted = 0;
	double share_threshold = o->share > 0 ? o->share : 0.5, share;

	for (i = 0; i < cur->ncols; i++) {
		const struct mlci_colstats *c = &cur->cols[i];
		const struct mlci_colstats *r = mlci_stats_column(ref, c->name);
		const struct mlci_schema_column *sc =
			o->schema ? mlci_schema_column(o->schema, c->name) : NULL;
		int t, dr;

		if (sc && !sc->drift)
			continue;
		if (!r) {
			mlci_warning("drift: column '%s' is not in the reference",
				     c->name);
			continue;
		}
		cJSON_AddItemToObject(cols, c->name, drift_column(c, r, o, &t, &dr));
		tested += t;
		ndrifted += dr;
	}
	share = tested ? (double)ndrifted / (double)tested : 0;
	*drifted = tested && share >= share_threshold;
	mlci_json_set_bool(d, "ok", !*drifted);
	mlci_json_set_number(d, "share", share);
	mlci_json_set_number(d, "threshold", share_threshold);
	mlci_json_set_number(d, "drifted_columns", (double)ndrifted);
	mlci_json_set_number(d, "tested_columns", (double)tested);
	mlci_json_set(d, "columns", cols);
	*out = d;
	return 0;
}

/* --- schema inference --- */

static void yaml_str(struct strbuf *sb, const char *s)
{
	/* JSON string syntax is valid YAML: quote everything the same way. */
	cJSON *j = cJSON_CreateString(s);
	char *t = cJSON_PrintUnformatted(j);

	strbuf_addstr(sb, t);
	free(t);
	cJSON_Delete(j);
}

static void num_text(struct strbuf *sb, double d)
{
	char buf[40];

	if (d == floor(d) && fabs(d) < 1e15)
		snprintf(buf, sizeof(buf), "%.0f", d);
	else
		snprintf(buf, sizeof(buf), "%.17g", d);
	strbuf_addstr(sb, buf);
}

enum mlci_type mlci_infer_type(const struct mlci_colstats *c)
{
	struct mlci_profile_category *cat;
	size_t n;
	int exact;

	if (c->prof.kind != MLCI_PROFILE_STRING || c->type != MLCI_TYPE_STRING)
		return c->type;
	cat = mlci_profile_categories(&c->prof, &n, &exact);
	free(cat);
	if (exact && n && n <= MLCI_INFER_MAX_CATEGORIES &&
	    mlci_profile_count(&c->prof) >= 2 * n)
		return MLCI_TYPE_CATEGORY;
	return c->type;
}

char *mlci_infer_schema(const struct mlci_validate_result *r, int yaml)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, k;

	if (yaml)
		strbuf_addstr(&sb, "# Inferred by ml-validate --infer-schema: a starting point to tighten.\ncolumns:\n");
	else
		strbuf_addstr(&sb, "{\n  \"columns\": {");
	for (i = 0; i < r->stats.ncols; i++) {
		const struct mlci_colstats *c = &r->stats.cols[i];
		const struct mlci_profile *p = &c->prof;
		enum mlci_type t = mlci_infer_type(c);
		struct mlci_profile_category *cat = NULL;
		size_t ncat = 0;
		int exact = 0;

		if (t == MLCI_TYPE_CATEGORY)
			cat = mlci_profile_categories(p, &ncat, &exact);
		if (yaml) {
			strbuf_addstr(&sb, "  ");
			yaml_str(&sb, c->name);
			strbuf_addf(&sb, ": {type: %s", mlci_type_name(t));
		} else {
			strbuf_addf(&sb, "%s\n    ", i ? "," : "");
			yaml_str(&sb, c->name);
			strbuf_addf(&sb, ": {\"type\": \"%s\"", mlci_type_name(t));
		}
		if (!p->missing)
			strbuf_addstr(&sb, yaml ? ", nullable: false" : ", \"nullable\": false");
		if (mlci_type_is_numeric(t) && mlci_profile_count(p)) {
			cJSON *v = mlci_profile_to_json(p, 0);
			double mn, mx;

			if (!mlci_json_get_number(v, "min", &mn) &&
			    !mlci_json_get_number(v, "max", &mx)) {
				strbuf_addstr(&sb, yaml ? ", min: " : ", \"min\": ");
				num_text(&sb, mn);
				strbuf_addstr(&sb, yaml ? ", max: " : ", \"max\": ");
				num_text(&sb, mx);
			}
			cJSON_Delete(v);
		}
		if (t == MLCI_TYPE_CATEGORY) {
			strbuf_addstr(&sb, yaml ? ", values: [" : ", \"values\": [");
			for (k = 0; k < ncat; k++) {
				if (k)
					strbuf_addstr(&sb, ", ");
				yaml_str(&sb, cat[k].value);
			}
			strbuf_addch(&sb, ']');
		}
		strbuf_addstr(&sb, yaml ? "}\n" : "}");
		free(cat);
	}
	if (yaml)
		strbuf_addf(&sb, "table:\n  rows: {min: %d}\n  strict: true\n",
			    r->rows ? 1 : 0);
	else
		strbuf_addf(&sb, "\n  },\n  \"table\": {\"rows\": {\"min\": %d}, \"strict\": true}\n}\n",
			    r->rows ? 1 : 0);
	return strbuf_detach(&sb, NULL);
}
