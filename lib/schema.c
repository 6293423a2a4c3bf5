/* SPDX-License-Identifier: MIT */
/* ml-validate's schema: column types and checks, table checks, parser settings; loaded from YAML or JSON. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "schema.h"
#include "sketch.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

static const char *const type_names[] = {
	"integer", "number", "string", "boolean", "category"
};

const char *mlci_type_name(enum mlci_type t)
{
	return (unsigned)t < 5 ? type_names[t] : "unknown";
}

int mlci_type_parse(const char *name, enum mlci_type *out)
{
	unsigned i;

	for (i = 0; i < 5; i++)
		if (!strcmp(name, type_names[i])) {
			*out = (enum mlci_type)i;
			return 0;
		}
	return -1;
}

int mlci_type_is_numeric(enum mlci_type t)
{
	return t == MLCI_TYPE_INTEGER || t == MLCI_TYPE_NUMBER;
}

static void strset_rehash(struct mlci_strset *set, size_t nslots)
{
	size_t i;

	free(set->slots);
	set->slots = xcalloc(nslots, sizeof(*set->slots));
	set->nslots = nslots;
	for (i = 0; i < set->n; i++) {
		size_t h = mlci_hash_bytes(set->items[i], set->lens[i]) & (nslots - 1);

		while (set->slots[h])
			h = (h + 1) & (nslots - 1);
		set->slots[h] = (uint32_t)(i + 1);
	}
}

int mlci_strset_has(const struct mlci_strset *set, const char *s, size_t len)
{
	size_t h;

	if (!set->n)
		return 0;
	h = mlci_hash_bytes(s, len) & (set->nslots - 1);
	while (set->slots[h]) {
		size_t i = set->slots[h] - 1;

		if (set->lens[i] == len && !memcmp(set->items[i], s, len))
			return 1;
		h = (h + 1) & (set->nslots - 1);
	}
	return 0;
}

void mlci_strset_add(struct mlci_strset *set, const char *s, size_t len)
{
	if (mlci_strset_has(set, s, len))
		return;
	set->items = xrealloc(set->items, (set->n + 1) * sizeof(*set->items));
	set->lens = xrealloc(set->lens, (set->n + 1) * sizeof(*set->lens));
	set->items[set->n] = xstrndup(s, len);
	set->lens[set->n] = len;
	set->n++;
	if (2 * set->n > set->nslots) {
		strset_rehash(set, set->nslots ? 2 * set->nslots : 16);
	} else {	/* one more slot, not the whole table again */
		size_t h = mlci_hash_bytes(s, len) & (set->nslots - 1);

		while (set->slots[h])
			h = (h + 1) & (set->nslots - 1);
		set->slots[h] = (uint32_t)set->n;
	}
}

void mlci_strset_release(struct mlci_strset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->items[i]);
	free(set->items);
	free(set->lens);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

/* An error about item, at its line when the document came from a file. */
__attribute__((format(printf, 3, 4)))
static int serr(struct mlci_config *cfg, const cJSON *item, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (cfg)
		ret = mlci_config_error(cfg, item, MLCI_EXIT_INPUT, "%s", sb.buf);
	else
		ret = mlci_error(MLCI_EXIT_INPUT, "schema: %s", sb.buf);
	strbuf_release(&sb);
	return ret;
}

static int check_keys(struct mlci_config *cfg, const cJSON *obj,
		      const char *what, const char *const *known)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		const char *const *k;
		struct strbuf list = STRBUF_INIT;
		int ret;

		for (k = known; *k; k++)
			if (!strcmp(it->string, *k))
				break;
		if (*k)
			continue;
		for (k = known; *k; k++)
			strbuf_addf(&list, "%s%s", k == known ? "" : ", ", *k);
		ret = serr(cfg, it, "unknown key '%s' in %s (known: %s)",
			   it->string, what, list.buf);
		strbuf_release(&list);
		return ret;
	}
	return 0;
}

static int get_bool(struct mlci_config *cfg, const cJSON *it, int *out)
{
	if (!cJSON_IsBool(it))
		return serr(cfg, it, "'%s' must be true or false", it->string);
	*out = cJSON_IsTrue(it);
	return 0;
}

static int get_fraction(struct mlci_config *cfg, const cJSON *it, double *out)
{
	if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0 && it->valuedouble <= 1))
		return serr(cfg, it, "'%s' must be a number from 0 to 1",
			    it->string);
	*out = it->valuedouble;
	return 0;
}

static int get_number(struct mlci_config *cfg, const cJSON *it, double *out)
{
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return serr(cfg, it, "'%s' must be a number", it->string);
	*out = it->valuedouble;
	return 0;
}

/* A scalar as the text a CSV field would hold: strings, numbers, booleans. */
static int scalar_text(struct mlci_config *cfg, const cJSON *it,
		       struct strbuf *out)
{
	strbuf_reset(out);
	if (cJSON_IsString(it)) {
		strbuf_addstr(out, it->valuestring);
	} else if (cJSON_IsNumber(it)) {
		double d = it->valuedouble;

		if (d == floor(d) && fabs(d) < 1e15)
			strbuf_addf(out, "%.0f", d);
		else
			strbuf_addf(out, "%.17g", d);
	} else if (cJSON_IsBool(it)) {
		strbuf_addstr(out, cJSON_IsTrue(it) ? "true" : "false");
	} else {
		return serr(cfg, it, "expected a string, a number or a boolean");
	}
	return 0;
}

static int parse_drift(struct mlci_config *cfg, const cJSON *it,
		       struct mlci_schema_column *c)
{
	static const char *const keys[] = { "test", "threshold", NULL };
	const cJSON *t, *th;

	if (cJSON_IsBool(it)) {
		c->drift = cJSON_IsTrue(it);
		return 0;
	}
	if (cJSON_IsString(it)) {
		t = it;
		th = NULL;
	} else if (cJSON_IsObject(it)) {
		int ret = check_keys(cfg, it, "drift", keys);

		if (ret)
			return ret;
		t = cJSON_GetObjectItemCaseSensitive(it, "test");
		th = cJSON_GetObjectItemCaseSensitive(it, "threshold");
	} else {
		return serr(cfg, it, "'drift' must be false, a test name, or {test, threshold}");
	}
	if (t) {
		if (!cJSON_IsString(t) ||
		    mlci_drift_test_parse(t->valuestring, &c->drift_test))
			return serr(cfg, t, "unknown drift test '%s' (known: ks, chisquare, ztest, wasserstein, jensenshannon, psi)",
				    cJSON_IsString(t) ? t->valuestring : "?");
		c->has_drift_test = 1;
	}
	if (th) {
		if (!cJSON_IsNumber(th) || !(th->valuedouble > 0))
			return serr(cfg, th, "'threshold' must be a number > 0");
		c->drift_threshold = th->valuedouble;
	}
	return 0;
}

static int parse_column(struct mlci_config *cfg, const cJSON *def,
			struct mlci_schema_column *c)
{
	static const char *const keys[] = {
		"type", "required", "nullable", "max_missing_fraction",
		"sensitive", "min", "max", "values", "min_domain_fraction",
		"pattern", "unique", "mostly", "drift", "description", NULL
	};
	struct strbuf sb = STRBUF_INIT;
	const cJSON *it;
	int ret;

	if (!cJSON_IsObject(def))
		return serr(cfg, def, "column '%s' must be a mapping such as {type: integer}",
			    c->name);
	ret = check_keys(cfg, def, "a column", keys);
	if (ret)
		return ret;
	it = cJSON_GetObjectItemCaseSensitive(def, "type");
	if (!it)
		return serr(cfg, def, "column '%s' has no 'type' (integer, number, string, boolean or category)",
			    c->name);
	if (!cJSON_IsString(it) || mlci_type_parse(it->valuestring, &c->type))
		return serr(cfg, it, "unknown type '%s' for column '%s' (known: integer, number, string, boolean, category)",
			    cJSON_IsString(it) ? it->valuestring : "?", c->name);

	cJSON_ArrayForEach(it, def) {
		const char *k = it->string;

		if (!strcmp(k, "type") || !strcmp(k, "description")) {
			ret = 0;
		} else if (!strcmp(k, "required")) {
			ret = get_bool(cfg, it, &c->required);
		} else if (!strcmp(k, "nullable")) {
			ret = get_bool(cfg, it, &c->nullable);
		} else if (!strcmp(k, "sensitive")) {
			ret = get_bool(cfg, it, &c->sensitive);
		} else if (!strcmp(k, "unique")) {
			ret = get_bool(cfg, it, &c->unique);
		} else if (!strcmp(k, "max_missing_fraction")) {
			ret = get_fraction(cfg, it, &c->max_missing_fraction);
		} else if (!strcmp(k, "min_domain_fraction")) {
			ret = get_fraction(cfg, it, &c->min_domain_fraction);
		} else if (!strcmp(k, "mostly")) {
			ret = get_fraction(cfg, it, &c->mostly);
		} else if (!strcmp(k, "min") || !strcmp(k, "max")) {
			int is_min = !strcmp(k, "min");

			if (!mlci_type_is_numeric(c->type))
				ret = serr(cfg, it, "'%s' applies to integer and number columns, not to %s column '%s'",
					   k, mlci_type_name(c->type), c->name);
			else if (is_min)
				ret = get_number(cfg, it, &c->min), c->has_min = !ret;
			else
				ret = get_number(cfg, it, &c->max), c->has_max = !ret;
		} else if (!strcmp(k, "values")) {
			const cJSON *v;

			if (!cJSON_IsArray(it)) {
				ret = serr(cfg, it, "'values' must be a list");
			} else {
				c->has_values = 1;
				ret = 0;
				cJSON_ArrayForEach(v, it) {
					ret = scalar_text(cfg, v, &sb);
					if (ret)
						break;
					mlci_strset_add(&c->values, sb.buf, sb.len);
				}
			}
		} else if (!strcmp(k, "pattern")) {
			if (!cJSON_IsString(it)) {
				ret = serr(cfg, it, "'pattern' must be a string (a POSIX extended regular expression)");
			} else {
				char *anchored = xstrfmt("^(%s)$", it->valuestring);
				int rc = regcomp(&c->re, anchored, REG_EXTENDED | REG_NOSUB);

				free(anchored);
				if (rc) {
					char msg[256];

					regerror(rc, &c->re, msg, sizeof(msg));
					ret = serr(cfg, it, "invalid pattern '%s': %s",
						   it->valuestring, msg);
				} else {
					c->pattern = xstrdup(it->valuestring);
					ret = 0;
				}
			}
		} else if (!strcmp(k, "drift")) {
			ret = parse_drift(cfg, it, c);
		}
		if (ret)
			break;
	}
	if (!ret && c->has_min && c->has_max && c->min > c->max)
		ret = serr(cfg, def, "column '%s': min %g is greater than max %g",
			   c->name, c->min, c->max);
	if (!ret && c->has_drift_test) {
		enum mlci_drift_kind kind = mlci_type_is_numeric(c->type)
			? MLCI_DRIFT_NUMERIC : MLCI_DRIFT_CATEGORICAL;

		if (c->drift_test != MLCI_DRIFT_PSI &&
		    mlci_drift_check_test(c->drift_test, kind, c->name) < 0)
			ret = -MLCI_EXIT_INPUT;
	}
	strbuf_release(&sb);
	return ret;
}

static int parse_rows(struct mlci_config *cfg, const cJSON *it,
		      struct mlci_schema *s)
{
	static const char *const keys[] = { "min", "max", NULL };
	const cJSON *v;
	int ret;

	if (!cJSON_IsObject(it))
		return serr(cfg, it, "'rows' must be a mapping such as {min: 1000}");
	ret = check_keys(cfg, it, "rows", keys);
	if (ret)
		return ret;
	cJSON_ArrayForEach(v, it) {
		uint64_t n;

		if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
		    v->valuedouble != floor(v->valuedouble) || v->valuedouble > 9e15)
			return serr(cfg, v, "'%s' must be a whole number of rows",
				    v->string);
		n = (uint64_t)v->valuedouble;
		if (!strcmp(v->string, "min"))
			s->has_min_rows = 1, s->min_rows = n;
		else
			s->has_max_rows = 1, s->max_rows = n;
	}
	if (s->has_min_rows && s->has_max_rows && s->min_rows > s->max_rows)
		return serr(cfg, it, "rows: min is greater than max");
	return 0;
}

static int parse_table(struct mlci_config *cfg, const cJSON *t,
		       struct mlci_schema *s)
{
	static const char *const keys[] = {
		"rows", "strict", "ordered", "drift_share", NULL
	};
	const cJSON *it;
	int ret;

	if (!cJSON_IsObject(t))
		return serr(cfg, t, "'table' must be a mapping");
	ret = check_keys(cfg, t, "table", keys);
	if (ret)
		return ret;
	cJSON_ArrayForEach(it, t) {
		if (!strcmp(it->string, "rows"))
			ret = parse_rows(cfg, it, s);
		else if (!strcmp(it->string, "strict"))
			ret = get_bool(cfg, it, &s->strict);
		else if (!strcmp(it->string, "ordered"))
			ret = get_bool(cfg, it, &s->ordered);
		else if (!strcmp(it->string, "drift_share")) {
			ret = get_fraction(cfg, it, &s->drift_share);
			if (!ret && s->drift_share == 0)
				ret = serr(cfg, it, "'drift_share' must be greater than 0");
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_parser(struct mlci_config *cfg, const cJSON *p,
			struct mlci_schema *s)
{
	static const char *const keys[] = {
		"delimiter", "select", "rename", "missing_values", NULL
	};
	struct strbuf sb = STRBUF_INIT;
	const cJSON *it, *v;
	int ret;

	if (!cJSON_IsObject(p))
		return serr(cfg, p, "'parser' must be a mapping");
	ret = check_keys(cfg, p, "parser", keys);
	if (ret)
		return ret;
	cJSON_ArrayForEach(it, p) {
		if (!strcmp(it->string, "delimiter")) {
			if (!cJSON_IsString(it) || strlen(it->valuestring) != 1 ||
			    strchr("\"\r\n", it->valuestring[0]))
				ret = serr(cfg, it, "'delimiter' must be one character (not a quote or a line end)");
			else
				s->delimiter = it->valuestring[0];
		} else if (!strcmp(it->string, "select")) {
			if (!cJSON_IsArray(it)) {
				ret = serr(cfg, it, "'select' must be a list of column names");
				break;
			}
			cJSON_ArrayForEach(v, it) {
				if (!cJSON_IsString(v)) {
					ret = serr(cfg, v, "'select' must be a list of column names");
					break;
				}
				s->select = xrealloc(s->select, (s->nselect + 1) * sizeof(*s->select));
				s->select[s->nselect++] = xstrdup(v->valuestring);
			}
		} else if (!strcmp(it->string, "rename")) {
			if (!cJSON_IsObject(it)) {
				ret = serr(cfg, it, "'rename' must map source names to new names");
				break;
			}
			cJSON_ArrayForEach(v, it) {
				if (!cJSON_IsString(v) || !*v->valuestring) {
					ret = serr(cfg, v, "'rename': the new name of '%s' must be a non-empty string",
						   v->string);
					break;
				}
				s->rename = xrealloc(s->rename, (s->nrename + 1) * sizeof(*s->rename));
				s->rename[s->nrename].from = xstrdup(v->string);
				s->rename[s->nrename].to = xstrdup(v->valuestring);
				s->nrename++;
			}
		} else if (!strcmp(it->string, "missing_values")) {
			if (!cJSON_IsArray(it)) {
				ret = serr(cfg, it, "'missing_values' must be a list of strings");
				break;
			}
			cJSON_ArrayForEach(v, it) {
				ret = scalar_text(cfg, v, &sb);
				if (ret)
					break;
				mlci_strset_add(&s->missing_values, sb.buf, sb.len);
			}
		}
		if (ret)
			break;
	}
	strbuf_release(&sb);
	return ret;
}

int mlci_schema_from_json(const cJSON *root, struct mlci_config *cfg,
			  struct mlci_schema *s)
{
	static const char *const keys[] = {
		"columns", "table", "parser", "description", NULL
	};
	const cJSON *cols, *it;
	int ret;

	if (!cJSON_IsObject(root))
		return serr(cfg, root, "a schema must be a mapping with 'columns'");
	ret = check_keys(cfg, root, "the schema", keys);
	if (ret)
		return ret;
	s->drift_share = NAN;
	cols = cJSON_GetObjectItemCaseSensitive(root, "columns");
	if (cols && !cJSON_IsObject(cols))
		return serr(cfg, cols, "'columns' must map column names to their definitions");
	cJSON_ArrayForEach(it, cols) {
		struct mlci_schema_column *c;

		if (!*it->string)
			return serr(cfg, it, "a column name cannot be empty");
		if (mlci_schema_column(s, it->string))
			return serr(cfg, it, "column '%s' is defined twice", it->string);
		ALLOC_GROW(s->columns, s->ncolumns + 1, s->columns_alloc);
		c = &s->columns[s->ncolumns++];
		memset(c, 0, sizeof(*c));
		c->name = xstrdup(it->string);
		c->line = cfg ? mlci_config_line(cfg, it) : 0;
		c->required = c->nullable = c->drift = 1;
		c->max_missing_fraction = NAN;
		c->min_domain_fraction = c->mostly = 1;
		c->drift_threshold = NAN;
		ret = parse_column(cfg, it, c);
		if (ret)
			return ret;
	}
	it = cJSON_GetObjectItemCaseSensitive(root, "table");
	if (it && (ret = parse_table(cfg, it, s)))
		return ret;
	it = cJSON_GetObjectItemCaseSensitive(root, "parser");
	if (it && (ret = parse_parser(cfg, it, s)))
		return ret;
	return 0;
}

int mlci_schema_load(const char *path, struct mlci_schema *s)
{
	struct mlci_config *cfg = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	s->drift_share = NAN;
	s->path = xstrdup(path);
	ret = mlci_config_load(path, &cfg);
	if (ret)
		return ret < 0 ? ret : -MLCI_EXIT_INPUT;
	ret = mlci_schema_from_json(mlci_config_root(cfg), cfg, s);
	mlci_config_free(cfg);
	return ret;
}

const struct mlci_schema_column *mlci_schema_column(const struct mlci_schema *s,
						    const char *name)
{
	size_t i;

	for (i = 0; i < s->ncolumns; i++)
		if (!strcmp(s->columns[i].name, name))
			return &s->columns[i];
	return NULL;
}

int mlci_schema_match(const struct mlci_schema_column *c, const char *s)
{
	if (!c->pattern)
		return 1;
	return regexec(&c->re, s, 0, NULL, 0) == 0;
}

void mlci_schema_release(struct mlci_schema *s)
{
	size_t i;

	for (i = 0; i < s->ncolumns; i++) {
		struct mlci_schema_column *c = &s->columns[i];

		free(c->name);
		mlci_strset_release(&c->values);
		if (c->pattern) {
			regfree(&c->re);
			free(c->pattern);
		}
	}
	free(s->columns);
	for (i = 0; i < s->nselect; i++)
		free(s->select[i]);
	free(s->select);
	for (i = 0; i < s->nrename; i++) {
		free(s->rename[i].from);
		free(s->rename[i].to);
	}
	free(s->rename);
	mlci_strset_release(&s->missing_values);
	free(s->path);
	memset(s, 0, sizeof(*s));
}
