/* SPDX-License-Identifier: MIT */
/* ml-canary's analysis config: keys, types, durations, templates and the schedule, each error at its file:line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

#define ERR(item, ...) mlci_config_error(cfg, (item), MLCI_EXIT_INPUT, __VA_ARGS__)

int mlci_canary_parse_duration(const char *s, double *seconds)
{
	static const struct { const char *unit; double s; } units[] = {
		{ "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
		{ "d", 86400 }, { "w", 604800 }, { "y", 31536000 }
	};
	double total = 0;
	const char *p = s;

	if (!s || !*s)
		return -1;
	while (*p) {
		double v = 0;
		size_t i, best = 0, bestlen = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		if (!digits || v > 1e12)
			return -1;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);

			if (!strncmp(p, units[i].unit, l) && l > bestlen) {
				best = i;
				bestlen = l;
			}
		}
		if (!bestlen)
			return -1;
		total += v * units[best].s;
		p += bestlen;
	}
	if (!(total > 0))
		return -1;
	*seconds = total;
	return 0;
}

char *mlci_canary_expand(const char *tmpl, const char *version,
			 const char *interval, const char *window,
			 const char *resolution, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = tmpl;

	while (*p) {
		const char *open = strstr(p, "{{"), *close, *a, *b;
		const char *val = NULL;
		size_t n;

		if (!open) {
			strbuf_addstr(&sb, p);
			break;
		}
		strbuf_add(&sb, p, open - p);
		close = strstr(open + 2, "}}");
		if (!close) {
			mlci_set_err(err, errlen, "'{{' without '}}'");
			strbuf_release(&sb);
			return NULL;
		}
		a = open + 2;
		b = close;
		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		n = b - a;
		if (n == 7 && !strncmp(a, "version", n))
			val = version;
		else if (n == 8 && !strncmp(a, "interval", n))
			val = interval;
		else if (n == 6 && !strncmp(a, "window", n))
			val = window;
		else if (n == 10 && !strncmp(a, "resolution", n))
			val = resolution;
		if (!val) {
			mlci_set_err(err, errlen,
				     "unknown variable '{{%.*s}}' (known: version, interval, window, resolution)",
				     (int)(n > 60 ? 60 : n), a);
			strbuf_release(&sb);
			return NULL;
		}
		strbuf_addstr(&sb, val);
		p = close + 2;
	}
	return strbuf_detach(&sb, NULL);
}

/* Every key of obj is in known (NULL-terminated). */
static int check_keys(const struct mlci_config *cfg, const cJSON *obj,
		      const char *what, const char *const *known)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		size_t i;
		struct strbuf sb = STRBUF_INIT;
		int ret;

		for (i = 0; known[i]; i++)
			if (!strcmp(it->string, known[i]))
				break;
		if (known[i])
			continue;
		for (i = 0; known[i]; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", known[i]);
		ret = ERR(it, "unknown key '%s' in %s (known: %s)", it->string,
			  what, sb.buf);
		strbuf_release(&sb);
		return ret;
	}
	return 0;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* A string (or a number written plainly, for labels and versions). */
static int get_label(const struct mlci_config *cfg, const cJSON *obj,
		     const char *key, char **out)
{
	const cJSON *it = get(obj, key);

	if (!it)
		return 0;
	if (cJSON_IsString(it) && *it->valuestring) {
		*out = xstrdup(it->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(it) && it->valuedouble == floor(it->valuedouble) &&
	    fabs(it->valuedouble) < 1e15) {
		*out = xstrfmt("%.0f", it->valuedouble);
		return 0;
	}
	return ERR(it, "'%s' must be a non-empty string", key);
}

static int get_num(const struct mlci_config *cfg, const cJSON *obj,
		   const char *key, double lo, double hi, double *out)
{
	const cJSON *it = get(obj, key);

	if (!it)
		return 0;
	if (!cJSON_IsNumber(it) || !(it->valuedouble >= lo) ||
	    !(it->valuedouble <= hi))
		return ERR(it, "'%s' must be a number from %g to %g", key, lo, hi);
	*out = it->valuedouble;
	return 0;
}

static int get_bool(const struct mlci_config *cfg, const cJSON *obj,
		    const char *key, int *out)
{
	const cJSON *it = get(obj, key);

	if (!it)
		return 0;
	if (!cJSON_IsBool(it))
		return ERR(it, "'%s' must be true or false", key);
	*out = cJSON_IsTrue(it);
	return 0;
}

/* A duration: "5m" or a number of seconds; *text receives it as written. */
static int get_duration(const struct mlci_config *cfg, const cJSON *obj,
			const char *key, double *out, char **text)
{
	const cJSON *it = get(obj, key);

	if (!it)
		return 0;
	if (cJSON_IsNumber(it) && it->valuedouble > 0 && it->valuedouble < 1e12) {
		*out = it->valuedouble;
		free(*text);
		*text = xstrfmt("%gs", it->valuedouble);
		return 0;
	}
	if (!cJSON_IsString(it) || mlci_canary_parse_duration(it->valuestring, out))
		return ERR(it, "'%s' must be a duration such as 30s, 5m or 1h30m", key);
	free(*text);
	*text = xstrdup(it->valuestring);
	return 0;
}

static int get_samples(const struct mlci_config *cfg, const cJSON *obj,
		       const char *key, double **out, size_t *n)
{
	const cJSON *list = get(obj, key), *it;

	if (!cJSON_IsArray(list))
		return ERR(list ? list : obj, "'samples' needs '%s': a list of numbers", key);
	*n = 0;
	*out = xcalloc(cJSON_GetArraySize(list) + 1, sizeof(double));
	cJSON_ArrayForEach(it, list) {
		if (!cJSON_IsNumber(it))
			return ERR(it, "'samples.%s' must hold numbers only", key);
		(*out)[(*n)++] = it->valuedouble;
	}
	return 0;
}

static int expand(const struct mlci_config *cfg, const cJSON *item,
		  const struct mlci_canary_config *c, const char *version,
		  char **out)
{
	char err[160];

	*out = mlci_canary_expand(item->valuestring, version, c->interval_text,
				  c->window_text, c->resolution_text, err,
				  sizeof(err));
	if (!*out)
		return ERR(item, "in the query of '%s': %s",
			   item->string ? item->string : "?", err);
	return 0;
}

static int parse_metric(const struct mlci_config *cfg, const cJSON *obj,
			struct mlci_canary_config *c,
			struct mlci_canary_metric *m)
{
	static const char *const known[] = {
		"name", "query", "canary_query", "baseline_query", "samples",
		"direction", "critical", "must_have_data", "nan", "min", "max",
		"tolerance", "confidence", "effect_tolerance", "tests", "group",
		"exposure", NULL
	};
	const cJSON *it, *q, *cq, *bq, *s;
	int ret;
	size_t i;

	m->line = mlci_config_line(cfg, obj);
	m->min = m->max = m->tolerance = NAN;
	m->canary_exposure = m->baseline_exposure = NAN;
	m->confidence = 0.98;
	m->effect_tolerance = 0.25;
	m->tests = MLCI_CANARY_TEST_MWU;
	m->direction = MLCI_RANKTEST_EITHER;
	if (!cJSON_IsObject(obj))
		return ERR(obj, "a metric must be a mapping with 'name'");
	if ((ret = check_keys(cfg, obj, "a metric", known)))
		return ret;
	it = get(obj, "name");
	if (!cJSON_IsString(it) || !*it->valuestring)
		return ERR(it ? it : obj, "a metric needs a 'name' (a string)");
	m->name = xstrdup(it->valuestring);
	for (i = 0; &c->metrics[i] != m; i++)
		if (!strcmp(c->metrics[i].name, m->name))
			return ERR(it, "metric '%s' is defined twice (also at line %ld)",
				   m->name, c->metrics[i].line);
	q = get(obj, "query");
	cq = get(obj, "canary_query");
	bq = get(obj, "baseline_query");
	s = get(obj, "samples");
	if (!!q + !!(cq || bq) + !!s != 1)
		return ERR(obj, "metric '%s' needs exactly one of 'query', 'canary_query' with 'baseline_query', or 'samples'",
			   m->name);
	if (q) {
		if (!cJSON_IsString(q) || !*q->valuestring)
			return ERR(q, "'query' must be a string");
		if (!strstr(q->valuestring, "{{"))
			return ERR(q, "metric '%s': 'query' must use {{version}} to tell the canary from the baseline (or give canary_query and baseline_query)",
				   m->name);
		if ((ret = expand(cfg, q, c, c->canary, &m->canary_query)) ||
		    (ret = expand(cfg, q, c, c->baseline, &m->baseline_query)))
			return ret;
	} else if (cq || bq) {
		if (!cJSON_IsString(cq) || !cJSON_IsString(bq) ||
		    !*cq->valuestring || !*bq->valuestring)
			return ERR(cq ? cq : bq, "metric '%s' needs both 'canary_query' and 'baseline_query' as strings",
				   m->name);
		if ((ret = expand(cfg, cq, c, c->canary, &m->canary_query)) ||
		    (ret = expand(cfg, bq, c, c->baseline, &m->baseline_query)))
			return ret;
	} else {
		if (!cJSON_IsObject(s))
			return ERR(s, "'samples' must be a mapping {canary: [...], baseline: [...]}");
		if ((ret = check_keys(cfg, s, "samples",
				      (const char *const[]){ "canary", "baseline",
							     "canary_exposure",
							     "baseline_exposure", NULL })) ||
		    (ret = get_num(cfg, s, "canary_exposure", 1e-300, 1e300,
				   &m->canary_exposure)) ||
		    (ret = get_num(cfg, s, "baseline_exposure", 1e-300, 1e300,
				   &m->baseline_exposure)) ||
		    (ret = get_samples(cfg, s, "canary", &m->canary_samples,
				       &m->n_canary_samples)) ||
		    (ret = get_samples(cfg, s, "baseline", &m->baseline_samples,
				       &m->n_baseline_samples)))
			return ret;
		m->has_samples = 1;
	}
	it = get(obj, "exposure");
	if (it) {
		if (m->has_samples)
			return ERR(it, "with 'samples', give the exposures as samples.canary_exposure and samples.baseline_exposure");
		if (!cJSON_IsString(it) || !strstr(it->valuestring, "{{"))
			return ERR(it, "'exposure' must be a query template using {{version}}");
		if ((ret = expand(cfg, it, c, c->canary, &m->canary_exposure_query)) ||
		    (ret = expand(cfg, it, c, c->baseline, &m->baseline_exposure_query)))
			return ret;
	}
	if (isnan(m->canary_exposure) != isnan(m->baseline_exposure))
		return ERR(s, "'samples' needs both canary_exposure and baseline_exposure, or neither");
	it = get(obj, "direction");
	if (it) {
		if (!cJSON_IsString(it))
			return ERR(it, "'direction' must be increase, decrease or either");
		if (!strcmp(it->valuestring, "increase"))
			m->direction = MLCI_RANKTEST_INCREASE;
		else if (!strcmp(it->valuestring, "decrease"))
			m->direction = MLCI_RANKTEST_DECREASE;
		else if (!strcmp(it->valuestring, "either"))
			m->direction = MLCI_RANKTEST_EITHER;
		else
			return ERR(it, "'direction' must be increase, decrease or either, not '%s'",
				   it->valuestring);
	}
	it = get(obj, "nan");
	if (it) {
		if (!cJSON_IsString(it))
			return ERR(it, "'nan' must be remove, zero or fail");
		if (!strcmp(it->valuestring, "remove"))
			m->nan = MLCI_CANARY_NAN_REMOVE;
		else if (!strcmp(it->valuestring, "zero"))
			m->nan = MLCI_CANARY_NAN_ZERO;
		else if (!strcmp(it->valuestring, "fail"))
			m->nan = MLCI_CANARY_NAN_FAIL;
		else
			return ERR(it, "'nan' must be remove, zero or fail, not '%s'",
				   it->valuestring);
	}
	it = get(obj, "tests");
	if (it) {
		const cJSON *t;

		if (!cJSON_IsArray(it) || !cJSON_GetArraySize(it))
			return ERR(it, "'tests' must be a list of mann_whitney, rate, variance");
		m->tests = 0;
		cJSON_ArrayForEach(t, it) {
			if (cJSON_IsString(t) && !strcmp(t->valuestring, "mann_whitney"))
				m->tests |= MLCI_CANARY_TEST_MWU;
			else if (cJSON_IsString(t) && !strcmp(t->valuestring, "rate"))
				m->tests |= MLCI_CANARY_TEST_RATE;
			else if (cJSON_IsString(t) && !strcmp(t->valuestring, "variance"))
				m->tests |= MLCI_CANARY_TEST_VARIANCE;
			else
				return ERR(t, "unknown test (known: mann_whitney, rate, variance)");
		}
	}
	if ((ret = get_bool(cfg, obj, "critical", &m->critical)) ||
	    (ret = get_bool(cfg, obj, "must_have_data", &m->must_have_data)) ||
	    (ret = get_num(cfg, obj, "min", -1e300, 1e300, &m->min)) ||
	    (ret = get_num(cfg, obj, "max", -1e300, 1e300, &m->max)) ||
	    (ret = get_num(cfg, obj, "tolerance", 0, 1e300, &m->tolerance)) ||
	    (ret = get_num(cfg, obj, "effect_tolerance", 0, 1e300,
			   &m->effect_tolerance)))
		return ret;
	it = get(obj, "confidence");
	if (it && (!cJSON_IsNumber(it) || !(it->valuedouble > 0.5) ||
		   !(it->valuedouble < 1)))
		return ERR(it, "'confidence' must be a number between 0.5 and 1 (exclusive)");
	if (it)
		m->confidence = it->valuedouble;
	if (!isnan(m->min) && !isnan(m->max) && m->min > m->max)
		return ERR(get(obj, "min"), "'min' is above 'max'");
	if ((ret = get_label(cfg, obj, "group", &m->group)))
		return ret;
	if (!m->group)
		m->group = xstrdup("default");
	return 0;
}

static int parse_schedule(const struct mlci_config *cfg, const cJSON *s,
			  struct mlci_canary_config *c)
{
	static const char *const known[] = {
		"initial_weight", "step_weight", "step_weights", "max_weight",
		"failure_threshold", "interval", "max_iterations",
		"marginal_at_max", NULL
	};
	const cJSON *it;
	double d;
	int ret;

	if (!s)
		return 0;
	if (!cJSON_IsObject(s))
		return ERR(s, "'schedule' must be a mapping");
	if ((ret = check_keys(cfg, s, "schedule", known)) ||
	    (ret = get_num(cfg, s, "initial_weight", 0, 100, &c->initial_weight)) ||
	    (ret = get_num(cfg, s, "step_weight", 0, 100, &c->step_weight)) ||
	    (ret = get_num(cfg, s, "max_weight", 0, 100, &c->max_weight)) ||
	    (ret = get_duration(cfg, s, "interval", &c->interval_s,
				&c->interval_text)))
		return ret;
	if (get(s, "step_weight") && !(c->step_weight > 0))
		return ERR(get(s, "step_weight"), "'step_weight' must be above 0");
	d = c->failure_threshold;
	if ((ret = get_num(cfg, s, "failure_threshold", 1, 1e6, &d)))
		return ret;
	if (d != floor(d))
		return ERR(get(s, "failure_threshold"), "'failure_threshold' must be a whole number");
	c->failure_threshold = (long)d;
	d = c->max_iterations;
	if ((ret = get_num(cfg, s, "max_iterations", 0, 1e6, &d)))
		return ret;
	if (d != floor(d))
		return ERR(get(s, "max_iterations"), "'max_iterations' must be a whole number");
	c->max_iterations = (long)d;
	it = get(s, "marginal_at_max");
	if (it) {
		if (!cJSON_IsString(it) || (strcmp(it->valuestring, "hold") &&
					    strcmp(it->valuestring, "rollback")))
			return ERR(it, "'marginal_at_max' must be hold or rollback");
		c->marginal_at_max_rollback = !strcmp(it->valuestring, "rollback");
	}
	it = get(s, "step_weights");
	if (it) {
		const cJSON *w;
		double prev = 0;

		if (get(s, "step_weight") || get(s, "initial_weight"))
			return ERR(it, "give 'step_weights' or 'initial_weight' with 'step_weight', not both");
		if (!cJSON_IsArray(it) || !cJSON_GetArraySize(it))
			return ERR(it, "'step_weights' must be a list of increasing weights");
		c->step_weights = xcalloc(cJSON_GetArraySize(it), sizeof(double));
		cJSON_ArrayForEach(w, it) {
			if (!cJSON_IsNumber(w) || !(w->valuedouble > prev) ||
			    w->valuedouble > 100)
				return ERR(w, "'step_weights' must increase, each above 0 and at most 100");
			prev = c->step_weights[c->nstep_weights++] = w->valuedouble;
		}
		c->initial_weight = c->step_weights[0];
		if (!get(s, "max_weight"))
			c->max_weight = prev;
		else if (c->max_weight < prev)
			return ERR(get(s, "max_weight"), "'max_weight' is below the last of 'step_weights'");
	}
	if (!(c->initial_weight > 0))
		return ERR(get(s, "initial_weight"), "'initial_weight' must be above 0");
	if (c->initial_weight > c->max_weight)
		return ERR(get(s, "initial_weight") ? get(s, "initial_weight") : s,
			   "'initial_weight' (%g) is above 'max_weight' (%g)",
			   c->initial_weight, c->max_weight);
	return 0;
}

static int parse_variant(const struct mlci_config *cfg, const cJSON *v,
			 const char *key, struct mlci_canary_variant *out)
{
	int ret;

	if (!cJSON_IsObject(v))
		return ERR(v, "'ab.%s' must be a mapping {name, successes, trials}", key);
	if ((ret = check_keys(cfg, v, key,
			      (const char *const[]){ "name", "successes", "trials", NULL })))
		return ret;
	out->successes = out->trials = -1;
	if ((ret = get_label(cfg, v, "name", &out->name)) ||
	    (ret = get_num(cfg, v, "successes", 0, 1e15, &out->successes)) ||
	    (ret = get_num(cfg, v, "trials", 0, 1e15, &out->trials)))
		return ret;
	if (!out->name)
		out->name = xstrdup(key);
	if (out->successes < 0 || out->trials < 0)
		return ERR(v, "'ab.%s' needs 'successes' and 'trials'", key);
	if (out->successes != floor(out->successes) ||
	    out->trials != floor(out->trials) || out->successes > out->trials)
		return ERR(v, "'ab.%s': successes and trials must be whole numbers, successes at most trials", key);
	return 0;
}

static int parse_ab(const struct mlci_config *cfg, const cJSON *ab,
		    struct mlci_canary_config *c)
{
	int ret;

	if (!cJSON_IsObject(ab))
		return ERR(ab, "'ab' must be a mapping {a, b, min_samples, alpha}");
	if ((ret = check_keys(cfg, ab, "ab",
			      (const char *const[]){ "a", "b", "min_samples", "alpha", NULL })))
		return ret;
	if (!get(ab, "a") || !get(ab, "b"))
		return ERR(ab, "'ab' needs the variants 'a' and 'b'");
	c->ab = 1;
	if ((ret = parse_variant(cfg, get(ab, "a"), "a", &c->variant_a)) ||
	    (ret = parse_variant(cfg, get(ab, "b"), "b", &c->variant_b)) ||
	    (ret = get_num(cfg, ab, "min_samples", 1, 1e15, &c->ab_min_samples)))
		return ret;
	if (get(ab, "alpha") && (!cJSON_IsNumber(get(ab, "alpha")) ||
				 !(get(ab, "alpha")->valuedouble > 0) ||
				 !(get(ab, "alpha")->valuedouble < 1)))
		return ERR(get(ab, "alpha"), "'alpha' must be between 0 and 1 (exclusive)");
	if (get(ab, "alpha"))
		c->ab_alpha = get(ab, "alpha")->valuedouble;
	return 0;
}

static int parse_groups(const struct mlci_config *cfg, const cJSON *g,
			struct mlci_canary_config *c)
{
	const cJSON *it;
	size_t i;

	if (g) {
		if (!cJSON_IsObject(g) || !cJSON_GetArraySize(g))
			return ERR(g, "'groups' must be a mapping of group names to weights");
		c->groups = xcalloc(cJSON_GetArraySize(g), sizeof(*c->groups));
		cJSON_ArrayForEach(it, g) {
			if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0))
				return ERR(it, "the weight of group '%s' must be a number >= 0",
					   it->string);
			c->groups[c->ngroups].name = xstrdup(it->string);
			c->groups[c->ngroups++].weight = it->valuedouble;
		}
	}
	for (i = 0; i < c->nmetrics; i++) {
		size_t j;

		for (j = 0; j < c->ngroups; j++)
			if (!strcmp(c->groups[j].name, c->metrics[i].group))
				break;
		if (j < c->ngroups)
			continue;
		if (g)
			return mlci_config_error(cfg, NULL, MLCI_EXIT_INPUT,
						 "line %ld: metric '%s' is in group '%s', which 'groups' does not weigh",
						 c->metrics[i].line, c->metrics[i].name,
						 c->metrics[i].group);
		c->groups = xrealloc(c->groups, (c->ngroups + 1) * sizeof(*c->groups));
		c->groups[c->ngroups].name = xstrdup(c->metrics[i].group);
		c->groups[c->ngroups++].weight = 1;
	}
	return 0;
}

int mlci_canary_config_parse(const struct mlci_config *cfg,
			     struct mlci_canary_config *c)
{
	static const char *const known[] = {
		"prometheus", "window", "resolution", "timeout", "canary", "baseline",
		"metrics", "groups", "thresholds", "schedule", "model", "ab", NULL
	};
	const cJSON *root = mlci_config_root(cfg), *it, *m;
	char *timeout_text = NULL;
	int ret, needs_prom = 0;

	memset(c, 0, sizeof(*c));
	c->path = xstrdup(mlci_config_path(cfg));
	c->window_s = 1800;
	c->window_text = xstrdup("30m");
	c->resolution_s = 60;
	c->timeout_s = 120;
	c->resolution_text = xstrdup("60s");
	c->interval_s = 60;
	c->interval_text = xstrdup("1m");
	c->pass = 95;
	c->marginal = 75;
	c->initial_weight = 10;
	c->step_weight = 10;
	c->max_weight = 50;
	c->failure_threshold = 2;
	c->ab_min_samples = 100;
	c->ab_alpha = 0.05;
	if (!cJSON_IsObject(root))
		return ERR(root, "expected a mapping with 'metrics' (or 'ab')");
	if ((ret = check_keys(cfg, root, "the config", known)) ||
	    (ret = get_duration(cfg, root, "window", &c->window_s, &c->window_text)) ||
	    (ret = get_duration(cfg, root, "resolution", &c->resolution_s,
				&c->resolution_text)) ||
	    (ret = get_label(cfg, root, "canary", &c->canary)) ||
	    (ret = get_label(cfg, root, "baseline", &c->baseline)) ||
	    (ret = get_label(cfg, root, "prometheus", &c->prometheus)))
		return ret;
	ret = get_duration(cfg, root, "timeout", &c->timeout_s, &timeout_text);
	free(timeout_text);
	if (ret)
		return ret;
	if (c->resolution_s > c->window_s)
		return ERR(get(root, "resolution"), "'resolution' is longer than 'window'");
	if (c->prometheus && strncmp(c->prometheus, "http://", 7) &&
	    strncmp(c->prometheus, "https://", 8))
		return ERR(get(root, "prometheus"), "'prometheus' must be an http:// or https:// URL");
	it = get(root, "thresholds");
	if (it) {
		if (!cJSON_IsObject(it))
			return ERR(it, "'thresholds' must be a mapping {pass, marginal}");
		if ((ret = check_keys(cfg, it, "thresholds",
				      (const char *const[]){ "pass", "marginal", NULL })) ||
		    (ret = get_num(cfg, it, "pass", 0, 100, &c->pass)) ||
		    (ret = get_num(cfg, it, "marginal", 0, 100, &c->marginal)))
			return ret;
		if (c->marginal > c->pass)
			return ERR(it, "'marginal' (%g) is above 'pass' (%g)",
				   c->marginal, c->pass);
	}
	if ((ret = parse_schedule(cfg, get(root, "schedule"), c)))
		return ret;
	it = get(root, "model");
	if (it) {
		if (!cJSON_IsObject(it))
			return ERR(it, "'model' must be a mapping {name, canary_version, baseline_alias}");
		if ((ret = check_keys(cfg, it, "model",
				      (const char *const[]){ "name", "canary_version", "baseline_alias", NULL })) ||
		    (ret = get_label(cfg, it, "name", &c->model_name)) ||
		    (ret = get_label(cfg, it, "canary_version", &c->canary_version)) ||
		    (ret = get_label(cfg, it, "baseline_alias", &c->baseline_alias)))
			return ret;
		if (!c->model_name || !c->canary_version)
			return ERR(it, "'model' needs 'name' and 'canary_version'");
		if (!c->baseline_alias)
			c->baseline_alias = xstrdup("champion");
	}
	if (get(root, "ab")) {
		if (get(root, "metrics"))
			return ERR(get(root, "ab"), "give 'metrics' or 'ab', not both");
		return parse_ab(cfg, get(root, "ab"), c);
	}
	it = get(root, "metrics");
	if (!cJSON_IsArray(it) || !cJSON_GetArraySize(it))
		return ERR(it ? it : root, "'metrics' must be a non-empty list of metrics");
	c->metrics = xcalloc(cJSON_GetArraySize(it), sizeof(*c->metrics));
	cJSON_ArrayForEach(m, it) {
		int has_q = cJSON_IsObject(m) && !get(m, "samples");

		if (has_q && !c->canary)
			return ERR(m, "a metric with a query needs 'canary' and 'baseline' (the labels for {{version}})");
		if (has_q && !c->baseline)
			return ERR(m, "a metric with a query needs 'baseline' (the label for {{version}})");
		ret = parse_metric(cfg, m, c, &c->metrics[c->nmetrics++]);
		if (ret)
			return ret;
		needs_prom |= !c->metrics[c->nmetrics - 1].has_samples;
	}
	if (needs_prom && !c->prometheus)
		return ERR(root, "metrics with queries need 'prometheus' (the server's URL)");
	return parse_groups(cfg, get(root, "groups"), c);
}

void mlci_canary_config_release(struct mlci_canary_config *c)
{
	size_t i;

	for (i = 0; i < c->nmetrics; i++) {
		struct mlci_canary_metric *m = &c->metrics[i];

		free(m->name);
		free(m->group);
		free(m->canary_query);
		free(m->baseline_query);
		free(m->canary_exposure_query);
		free(m->baseline_exposure_query);
		free(m->canary_samples);
		free(m->baseline_samples);
	}
	free(c->metrics);
	for (i = 0; i < c->ngroups; i++)
		free(c->groups[i].name);
	free(c->groups);
	free(c->path);
	free(c->prometheus);
	free(c->window_text);
	free(c->resolution_text);
	free(c->interval_text);
	free(c->canary);
	free(c->baseline);
	free(c->step_weights);
	free(c->model_name);
	free(c->canary_version);
	free(c->baseline_alias);
	free(c->variant_a.name);
	free(c->variant_b.name);
	memset(c, 0, sizeof(*c));
}
