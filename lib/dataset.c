/* SPDX-License-Identifier: MIT */
/* Load a CSV file into a column-major table of numeric and categorical features and a target. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>

#include "csv.h"
#include "dataset.h"
#include "usage.h"
#include "wrapper.h"

/* Row numbers listed in the message about a target with missing values. */
#define MAX_LISTED_ROWS 10

void mlci_strtab_init(struct mlci_strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void mlci_strtab_release(struct mlci_strtab *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		free(t->str[i]);
	free(t->str);
	free(t->slot);
	mlci_strtab_init(t);
}

static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static size_t lookup_slot(const struct mlci_strtab *t, const char *s,
			  size_t len)
{
	size_t mask = t->nslots - 1, i = hash_bytes(s, len) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t v = t->slot[i];

		if (!v)
			return i;
		if (!strncmp(t->str[v - 1], s, len) && !t->str[v - 1][len])
			return i;
	}
}

static void rehash(struct mlci_strtab *t)
{
	size_t i, n = t->nslots ? t->nslots * 2 : 16;

	free(t->slot);
	t->slot = xcalloc(n, sizeof(*t->slot));
	t->nslots = n;
	for (i = 0; i < t->nr; i++)
		t->slot[lookup_slot(t, t->str[i], strlen(t->str[i]))] =
			(uint32_t)i + 1;
}

int32_t mlci_strtab_find(const struct mlci_strtab *t, const char *s,
			 size_t len)
{
	uint32_t v;

	if (!t->nslots)
		return -1;
	v = t->slot[lookup_slot(t, s, len)];
	return v ? (int32_t)v - 1 : -1;
}

int32_t mlci_strtab_intern(struct mlci_strtab *t, const char *s, size_t len)
{
	size_t i;

	if ((t->nr + 1) * 2 > t->nslots)
		rehash(t);
	i = lookup_slot(t, s, len);
	if (t->slot[i])
		return (int32_t)t->slot[i] - 1;
	if (t->nr >= INT32_MAX - 1)
		mlci_die("too many distinct values");
	ALLOC_GROW(t->str, t->nr + 1, t->alloc);
	t->str[t->nr] = xstrndup(s, len);
	t->slot[i] = (uint32_t)++t->nr;
	return (int32_t)t->nr - 1;
}

void mlci_dataset_init(struct mlci_dataset *ds)
{
	memset(ds, 0, sizeof(*ds));
}

static void column_release(struct mlci_column *c)
{
	free(c->name);
	free(c->source);
	free(c->num);
	free(c->cat);
	mlci_strtab_release(&c->categories);
}

void mlci_dataset_release(struct mlci_dataset *ds)
{
	size_t i;

	for (i = 0; i < ds->ncols; i++)
		column_release(&ds->cols[i]);
	free(ds->cols);
	free(ds->path);
	free(ds->line);
	free(ds->target);
	free(ds->target_source);
	free(ds->y);
	free(ds->y_class);
	for (i = 0; i < ds->nclasses; i++)
		free(ds->classes[i]);
	free(ds->classes);
	mlci_dataset_init(ds);
}

const char *mlci_column_kind_name(enum mlci_column_kind kind)
{
	switch (kind) {
	case MLCI_COLUMN_NUMERIC:
		return "numeric";
	case MLCI_COLUMN_CATEGORICAL:
		return "categorical";
	default:
		return "infer";
	}
}

enum mlci_column_kind mlci_column_kind_from_type(const char *type)
{
	static const char *const numeric[] = { "integer", "number" };
	static const char *const categorical[] = {
		"category", "string", "boolean"
	};
	size_t i;

	if (!type)
		return MLCI_COLUMN_INFER;
	for (i = 0; i < sizeof(numeric) / sizeof(*numeric); i++)
		if (!strcmp(type, numeric[i]))
			return MLCI_COLUMN_NUMERIC;
	for (i = 0; i < sizeof(categorical) / sizeof(*categorical); i++)
		if (!strcmp(type, categorical[i]))
			return MLCI_COLUMN_CATEGORICAL;
	return MLCI_COLUMN_INFER;
}

int mlci_dataset_find(const struct mlci_dataset *ds, const char *name)
{
	size_t i;

	for (i = 0; i < ds->ncols; i++)
		if (!strcmp(ds->cols[i].name, name))
			return (int)i;
	return -1;
}

/* Strip blanks (space, tab) around s[0..*len). */
static const char *trim(const char *s, size_t *len)
{
	while (*len && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

/*
 * A number, after trimming; 0 or -1. The parser wants s[len] readable,
 * and it is: a trimmed blank or the field's terminating NUL.
 */
static int parse_number(const char *s, size_t len, double *out)
{
	s = trim(s, &len);
	if (!len)
		return -1;
	return mlci_csv_parse_double(s, len, out);
}

/* 1 when s is NaN or Inf text as strtod or pandas would read it. */
static int is_nonfinite_text(const char *s, size_t len)
{
	static const char *const words[] = { "nan", "inf", "infinity" };
	size_t i;

	s = trim(s, &len);
	if (len && (*s == '+' || *s == '-')) {
		s++;
		len--;
	}
	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (len == strlen(words[i]) && !strncasecmp(s, words[i], len))
			return 1;
	return 0;
}

/* What the loader does with one header column. */
struct source {
	size_t field;		/* index in the record */
	enum mlci_column_kind kind;
	struct mlci_column *col;	/* NULL for the target */
	/*
	 * An inferred column is parsed as numbers while every value is one
	 * (fast: no text kept); at the first that is not, its texts are
	 * interned by a second read of the file (reread), in row order, as
	 * if they had been from the start.
	 */
	int fast, reread;
};

struct loader {
	const char *path;
	const struct mlci_dataset_options *opt;
	struct mlci_dataset *ds;
	struct mlci_csv csv;
	struct source *src;	/* loaded columns, features then target */
	size_t nsrc;
	size_t alloc_rows;
	struct mlci_strtab target_text;	/* classification labels */
	size_t *target_missing;	/* the first rows (from 1) */
	size_t ntarget_missing;
};

static int is_missing(const struct mlci_dataset_options *opt, const char *s,
		      size_t len)
{
	size_t i;

	if (!len)
		return 1;
	for (i = 0; i < opt->nmissing_values; i++)
		if (strlen(opt->missing_values[i]) == len &&
		    !memcmp(opt->missing_values[i], s, len))
			return 1;
	return 0;
}

static int header_index(struct mlci_csv *csv, const char *name, size_t *out)
{
	size_t i, found = 0;

	for (i = 0; i < csv->nfields; i++) {
		if (strcmp(csv->field[i], name))
			continue;
		if (found++)
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: column '%s' appears twice in the header",
					  csv->path, name);
		*out = i;
	}
	if (!found)
		return mlci_error(MLCI_EXIT_INPUT, "%s: no column '%s'",
				  csv->path, name);
	return 0;
}

static enum mlci_column_kind declared_kind(const struct mlci_dataset_options *opt,
					   const char *name)
{
	size_t i;

	for (i = 0; i < opt->nkinds; i++)
		if (!strcmp(opt->kind_names[i], name))
			return opt->kinds[i];
	return MLCI_COLUMN_INFER;
}

static const char *renamed(const struct mlci_dataset_options *opt,
			   const char *name)
{
	size_t i;

	for (i = 0; i < opt->nrename; i++)
		if (!strcmp(opt->rename_from[i], name))
			return opt->rename_to[i];
	return name;
}

/* Work out the loaded columns from the header just read. */
static int setup_columns(struct loader *l)
{
	const struct mlci_dataset_options *opt = l->opt;
	struct mlci_dataset *ds = l->ds;
	struct mlci_csv *csv = &l->csv;
	size_t i, j, target_field = 0;
	int ret;

	for (i = 0; i < opt->nrename; i++)
		if ((ret = header_index(csv, opt->rename_from[i], &j)))
			return ret;
	for (i = 0; i < opt->nkinds; i++)
		if ((ret = header_index(csv, opt->kind_names[i], &j)))
			return ret;
	if (opt->target) {
		if (opt->task == MLCI_TASK_NONE)
			return mlci_error(MLCI_EXIT_BUG,
					  "a target without a task");
		if ((ret = header_index(csv, opt->target, &target_field)))
			return ret;
	}

	l->src = xcalloc(csv->nfields + 1, sizeof(*l->src));
	if (opt->features) {
		ds->cols = xcalloc(opt->nfeatures + 1, sizeof(*ds->cols));
		for (i = 0; i < opt->nfeatures; i++) {
			const char *name = opt->features[i];

			if ((ret = header_index(csv, name, &j)))
				return ret;
			if (opt->target && j == target_field)
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s: the target '%s' cannot be a feature too",
						  l->path, name);
			for (size_t k = 0; k < l->nsrc; k++)
				if (l->src[k].field == j)
					return mlci_error(MLCI_EXIT_INPUT,
							  "%s: feature '%s' is listed twice",
							  l->path, name);
			l->src[l->nsrc++].field = j;
		}
	} else {
		ds->cols = xcalloc(csv->nfields + 1, sizeof(*ds->cols));
		for (j = 0; j < csv->nfields; j++) {
			if (opt->target && j == target_field)
				continue;
			for (i = 0; i < j; i++)
				if (!strcmp(csv->field[i], csv->field[j]))
					return mlci_error(MLCI_EXIT_INPUT,
							  "%s: column '%s' appears twice in the header",
							  l->path, csv->field[j]);
			l->src[l->nsrc++].field = j;
		}
	}
	for (i = 0; i < l->nsrc; i++) {
		struct mlci_column *c = &ds->cols[i];
		const char *src = csv->field[l->src[i].field];

		c->source = xstrdup(src);
		c->name = xstrdup(renamed(opt, src));
		mlci_strtab_init(&c->categories);
		l->src[i].col = c;
		l->src[i].kind = declared_kind(opt, src);
	}
	ds->ncols = l->nsrc;
	if (opt->target) {
		const char *src = csv->field[target_field];

		ds->target_source = xstrdup(src);
		ds->target = xstrdup(renamed(opt, src));
		ds->task = opt->task;
		l->src[l->nsrc].field = target_field;
		l->src[l->nsrc].col = NULL;
		l->nsrc++;
	}
	for (i = 0; i < ds->ncols; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(ds->cols[i].name, ds->cols[j].name))
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s: two columns named '%s' after rename",
						  l->path, ds->cols[i].name);
		if (ds->target && !strcmp(ds->cols[i].name, ds->target))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: a feature and the target both named '%s' after rename",
					  l->path, ds->target);
	}
	return 0;
}

static void grow_rows(struct loader *l, size_t n)
{
	struct mlci_dataset *ds = l->ds;
	size_t i, old = l->alloc_rows;

	if (n <= old)
		return;
	l->alloc_rows = old ? old * 2 : 1024;
	if (l->alloc_rows < n)
		l->alloc_rows = n;
	ds->line = xrealloc(ds->line, l->alloc_rows * sizeof(*ds->line));
	for (i = 0; i < ds->ncols; i++) {
		struct mlci_column *c = &ds->cols[i];

		/*
		 * Numbers while they are numbers; codes for the others (a
		 * column read as numbers so far has its codes once it turns
		 * out not to be, and the second read fills them).
		 */
		if (l->src[i].kind == MLCI_COLUMN_NUMERIC || l->src[i].fast)
			c->num = xrealloc(c->num, l->alloc_rows * sizeof(*c->num));
		else if (l->src[i].kind != MLCI_COLUMN_NUMERIC)
			c->cat = xrealloc(c->cat, l->alloc_rows * sizeof(*c->cat));
	}
	if (ds->task == MLCI_TASK_REGRESSION)
		ds->y = xrealloc(ds->y, l->alloc_rows * sizeof(*ds->y));
	else if (ds->task == MLCI_TASK_CLASSIFICATION)
		ds->y_class = xrealloc(ds->y_class,
				       l->alloc_rows * sizeof(*ds->y_class));
}

static int bad_number(struct loader *l, const char *name, const char *s,
		      size_t len, long line)
{
	if (is_nonfinite_text(s, len))
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s:%ld: column '%s': '%s' is not a finite number (leave missing values empty)",
				  l->path, line, name, s);
	return mlci_error(MLCI_EXIT_INPUT,
			  "%s:%ld: column '%s': '%s' is not a number",
			  l->path, line, name, s);
}

/*
 * Column s, read as numbers so far, holds something else: it is read
 * again as text at the end (reread()), into codes from now on.
 */
static void to_reread(struct loader *l, struct source *s)
{
	s->fast = 0;
	s->reread = 1;
	s->col->cat = xrealloc(s->col->cat,
			       l->alloc_rows * sizeof(*s->col->cat));
}

static int read_row(struct loader *l)
{
	struct mlci_dataset *ds = l->ds;
	struct mlci_csv *csv = &l->csv;
	size_t r = ds->nrows, i;

	grow_rows(l, r + 1);
	ds->line[r] = csv->line;
	for (i = 0; i < l->nsrc; i++) {
		struct source *s = &l->src[i];
		const char *text = csv->field[s->field];
		size_t len = csv->len[s->field];
		int missing = is_missing(l->opt, text, len);
		struct mlci_column *c = s->col;

		if (!c) {
			if (missing) {
				if (l->ntarget_missing < MAX_LISTED_ROWS)
					l->target_missing[l->ntarget_missing] = r + 1;
				l->ntarget_missing++;
				if (ds->task == MLCI_TASK_REGRESSION)
					ds->y[r] = NAN;
				else
					ds->y_class[r] = -1;
			} else if (ds->task == MLCI_TASK_REGRESSION) {
				if (parse_number(text, len, &ds->y[r]))
					return bad_number(l, ds->target_source,
							  text, len, csv->line);
			} else {
				ds->y_class[r] = mlci_strtab_intern(&l->target_text,
								    text, len);
			}
			continue;
		}
		if (missing)
			c->nmissing++;
		if (s->kind == MLCI_COLUMN_NUMERIC) {
			if (missing)
				c->num[r] = NAN;
			else if (parse_number(text, len, &c->num[r]))
				return bad_number(l, c->source, text, len,
						  csv->line);
		} else if (s->fast) {
			double v;

			if (missing)
				c->num[r] = NAN;
			else if (!parse_number(text, len, &v) &&
				 (isfinite(v) || !is_nonfinite_text(text, len)))
				c->num[r] = v;
			else
				to_reread(l, s);
		} else if (s->reread) {
			c->cat[r] = -1;	/* the second read's */
		} else {
			c->cat[r] = missing ? -1 :
				mlci_strtab_intern(&c->categories, text, len);
		}
	}
	ds->nrows++;
	return 0;
}

/*
 * An inferred column becomes numeric when every distinct value is a
 * number; NaN or Inf text among numbers is refused, as in a declared
 * numeric column.
 */
static int settle_column(struct loader *l, struct source *s)
{
	struct mlci_column *c = s->col;
	struct mlci_strtab *t = &c->categories;
	double *value;
	size_t i, bad = 0, nonfinite = 0, first_nonfinite = 0;

	if (s->kind == MLCI_COLUMN_NUMERIC) {
		c->kind = MLCI_COLUMN_NUMERIC;
		return 0;
	}
	if (s->fast) {
		/* Every value a finite number or missing. */
		free(c->cat);
		c->cat = NULL;
		c->kind = MLCI_COLUMN_NUMERIC;
		return 0;
	}
	c->kind = MLCI_COLUMN_CATEGORICAL;
	if (s->kind == MLCI_COLUMN_CATEGORICAL || !t->nr)
		goto numeric_if_empty;
	value = xmalloc(t->nr * sizeof(*value));
	for (i = 0; i < t->nr; i++) {
		if (!parse_number(t->str[i], strlen(t->str[i]), &value[i]))
			continue;
		if (is_nonfinite_text(t->str[i], strlen(t->str[i]))) {
			if (!nonfinite++)
				first_nonfinite = i;
		} else {
			bad++;
		}
	}
	if (!bad && nonfinite) {
		struct mlci_dataset *ds = l->ds;

		for (i = 0; i < ds->nrows; i++)
			if (c->cat[i] == (int32_t)first_nonfinite)
				break;
		free(value);
		return bad_number(l, c->source, t->str[first_nonfinite],
				  strlen(t->str[first_nonfinite]),
				  l->ds->line[i]);
	}
	if (!bad) {
		struct mlci_dataset *ds = l->ds;

		c->num = xmalloc((ds->nrows ? ds->nrows : 1) * sizeof(*c->num));
		for (i = 0; i < ds->nrows; i++)
			c->num[i] = c->cat[i] < 0 ? NAN : value[c->cat[i]];
		free(c->cat);
		c->cat = NULL;
		mlci_strtab_release(t);
		c->kind = MLCI_COLUMN_NUMERIC;
	}
	free(value);
	return 0;

numeric_if_empty:
	/* A column with no values at all is read as numbers, as pandas does. */
	if (s->kind == MLCI_COLUMN_INFER) {
		struct mlci_dataset *ds = l->ds;

		c->num = xmalloc((ds->nrows ? ds->nrows : 1) * sizeof(*c->num));
		for (i = 0; i < ds->nrows; i++)
			c->num[i] = NAN;
		free(c->cat);
		c->cat = NULL;
		c->kind = MLCI_COLUMN_NUMERIC;
	}
	return 0;
}

struct label {
	const char *text;
	double value;
	int32_t code;
};

static int cmp_label_text(const void *a, const void *b)
{
	const struct label *x = a, *y = b;

	/* strcmp compares as unsigned char: bytewise, as numpy does. */
	return strcmp(x->text, y->text);
}

static int cmp_label_value(const void *a, const void *b)
{
	const struct label *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	/* Equal numbers: the first seen names the class. */
	return x->code < y->code ? -1 : x->code > y->code;
}

static void settle_classes(struct loader *l)
{
	struct mlci_dataset *ds = l->ds;
	struct mlci_strtab *t = &l->target_text;
	struct label *lab = xcalloc(t->nr + 1, sizeof(*lab));
	int32_t *map = xcalloc(t->nr + 1, sizeof(*map));
	size_t i, numeric = 1;

	for (i = 0; i < t->nr; i++) {
		lab[i].text = t->str[i];
		lab[i].code = (int32_t)i;
		if (numeric && parse_number(t->str[i], strlen(t->str[i]),
					    &lab[i].value))
			numeric = 0;
	}
	qsort(lab, t->nr, sizeof(*lab),
	      numeric ? cmp_label_value : cmp_label_text);
	ds->classes = xcalloc(t->nr + 1, sizeof(*ds->classes));
	for (i = 0; i < t->nr; i++) {
		if (numeric && ds->nclasses &&
		    lab[i].value == lab[i - 1].value) {
			map[lab[i].code] = (int32_t)ds->nclasses - 1;
			continue;
		}
		map[lab[i].code] = (int32_t)ds->nclasses;
		ds->classes[ds->nclasses++] = xstrdup(lab[i].text);
	}
	for (i = 0; i < ds->nrows; i++)
		ds->y_class[i] = map[ds->y_class[i]];
	free(lab);
	free(map);
}

static int target_missing_error(struct loader *l)
{
	struct mlci_dataset *ds = l->ds;
	char list[256];
	size_t i, n = l->ntarget_missing < MAX_LISTED_ROWS ?
		l->ntarget_missing : MAX_LISTED_ROWS;
	int off = 0;

	list[0] = '\0';
	for (i = 0; i < n && off >= 0 && (size_t)off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%zu",
				i ? ", " : "", l->target_missing[i]);
	return mlci_error(MLCI_EXIT_INPUT,
			  "%s: target '%s' is missing in %zu row%s (row%s %s%s)",
			  l->path, ds->target_source, l->ntarget_missing,
			  l->ntarget_missing == 1 ? "" : "s",
			  n == 1 ? "" : "s", list,
			  l->ntarget_missing > n ? ", ..." : "");
}

/* Intern the texts of the columns that turned out not to be numbers. */
static int reread(struct loader *l, const struct mlci_csv_options *copt)
{
	struct mlci_dataset *ds = l->ds;
	struct mlci_csv csv;
	size_t i, r = 0;
	int ret, any = 0;

	for (i = 0; i < l->nsrc; i++)
		if (l->src[i].reread) {
			struct mlci_column *c = l->src[i].col;

			free(c->num);
			c->num = NULL;
			any = 1;
		}
	if (!any)
		return 0;
	memset(&csv, 0, sizeof(csv));
	ret = mlci_csv_open(&csv, l->path, copt);
	if (!ret && (ret = mlci_csv_read(&csv)) > 0)
		ret = 0;	/* the header */
	while (!ret && r < ds->nrows && (ret = mlci_csv_read(&csv)) > 0) {
		ret = 0;
		for (i = 0; i < l->nsrc; i++) {
			const struct source *s = &l->src[i];
			const char *text = csv.field[s->field];
			size_t len = csv.len[s->field];

			if (!s->reread)
				continue;
			if (csv.nfields <= s->field)
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s: changed while read", l->path);
			s->col->cat[r] = is_missing(l->opt, text, len) ? -1 :
				mlci_strtab_intern(&s->col->categories, text, len);
		}
		r++;
	}
	mlci_csv_release(&csv);
	if (ret < 0)
		return ret;
	if (r != ds->nrows)
		return mlci_error(MLCI_EXIT_INPUT, "%s: changed while read", l->path);
	return 0;
}

/*
 * The arrays are sized for the rows the file should hold once the first
 * SAMPLE_ROWS are read: growing them by doubling copies every value
 * about once more, and the copies touch as much new memory again.
 */
#define SAMPLE_ROWS 256

/* A record's length in the file, near enough: its fields and separators. */
static size_t record_bytes(const struct mlci_csv *csv)
{
	size_t i, n = csv->nfields;

	for (i = 0; i < csv->nfields; i++)
		n += csv->len[i];
	return n;
}

/*
 * Size the arrays for the rows a regular file of this size holds at
 * bytes per SAMPLE_ROWS rows, and a twentieth more, as long as that asks
 * for at most PRESIZE_MAX bytes: first rows much shorter than the rest
 * must not reserve memory the data never needs. A compressed file holds
 * more rows: the arrays grow from there by doubling, as before.
 */
#define PRESIZE_MAX ((double)(1u << 30))

static void presize(struct loader *l, size_t bytes)
{
	struct stat st;
	double rows, row_bytes = 8.0 * (double)(l->ds->ncols + 2);

	if (!bytes || stat(l->path, &st) || !S_ISREG(st.st_mode))
		return;
	rows = (double)st.st_size / ((double)bytes / SAMPLE_ROWS) * 1.05;
	if (rows * row_bytes > PRESIZE_MAX)
		rows = PRESIZE_MAX / row_bytes;
	if (rows > (double)l->alloc_rows)
		grow_rows(l, (size_t)rows);
}

int mlci_dataset_load(struct mlci_dataset *ds, const char *path,
		      const struct mlci_dataset_options *opt)
{
	struct mlci_dataset_options defaults = MLCI_DATASET_OPTIONS_INIT;
	struct mlci_csv_options copt = MLCI_CSV_OPTIONS_INIT;
	struct loader l;
	size_t i;
	int ret;

	if (!opt)
		opt = &defaults;
	memset(&l, 0, sizeof(l));
	l.path = path;
	l.opt = opt;
	l.ds = ds;
	mlci_strtab_init(&l.target_text);
	l.target_missing = xcalloc(MAX_LISTED_ROWS, sizeof(*l.target_missing));
	mlci_dataset_release(ds);
	ds->path = xstrdup(path);
	if (opt->delimiter)
		copt.delimiter = opt->delimiter;

	ret = mlci_csv_open(&l.csv, path, &copt);
	if (ret)
		goto out;
	ret = mlci_csv_read(&l.csv);
	if (ret <= 0) {
		if (!ret)
			ret = mlci_error(MLCI_EXIT_INPUT, "%s: empty file, no header",
					 path);
		goto out;
	}
	if ((ret = setup_columns(&l)))
		goto out;
	/* Standard input cannot be read twice. */
	for (i = 0; strcmp(path, "-") && i < ds->ncols; i++)
		l.src[i].fast = l.src[i].kind == MLCI_COLUMN_INFER;
	{
		size_t nfields = l.csv.nfields, bytes = 0;

		while ((ret = mlci_csv_read(&l.csv)) > 0) {
			if (l.csv.nfields != nfields) {
				ret = mlci_error(MLCI_EXIT_INPUT,
						 "%s:%ld: %zu fields, the header has %zu",
						 path, l.csv.line, l.csv.nfields,
						 nfields);
				goto out;
			}
			if ((ret = read_row(&l)))
				goto out;
			if (ds->nrows <= SAMPLE_ROWS)
				bytes += record_bytes(&l.csv);
			if (ds->nrows == SAMPLE_ROWS)
				presize(&l, bytes);
		}
	}
	if (ret < 0)
		goto out;
	if (!ds->nrows) {
		ret = mlci_error(MLCI_EXIT_INPUT, "%s: no data rows", path);
		goto out;
	}
	if (l.ntarget_missing) {
		ret = target_missing_error(&l);
		goto out;
	}
	if ((ret = reread(&l, &copt)))
		goto out;
	for (i = 0; i < ds->ncols; i++)
		if ((ret = settle_column(&l, &l.src[i])))
			goto out;
	if (ds->task == MLCI_TASK_CLASSIFICATION)
		settle_classes(&l);

out:
	mlci_csv_release(&l.csv);
	mlci_strtab_release(&l.target_text);
	free(l.target_missing);
	free(l.src);
	if (ret)
		mlci_dataset_release(ds);
	return ret;
}
