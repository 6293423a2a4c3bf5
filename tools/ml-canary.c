/* SPDX-License-Identifier: MIT */
/* ml-canary: judge a canary against its baseline, step its traffic, promote or roll back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "common-main.h"
#include "config.h"
#include "gha.h"
#include "http.h"
#include "json.h"
#include "now.h"
#include "parse-options.h"
#include "prometheus.h"
#include "record.h"
#include "register.h"
#include "strbuf.h"
#include "tool.h"
#include "tracking.h"
#include "usage.h"
#include "wrapper.h"

#define ROLLED_BACK_TAG "mlci.canary"

static const char *const canary_usage[] = {
	"ml-canary [options] --config <file>",
	"",
	"Judge a canary against its baseline from Prometheus metrics or given\n"
	"samples (Mann-Whitney U as Kayenta's judge, with rate and variance\n"
	"tests), score it, and decide: continue with more traffic, promote or\n"
	"roll back. The schedule's state travels in the record's canary section.",
	NULL
};

/* The sum of an exposure query's finite values over the window. */
static int exposure(const struct mlci_canary_config *c,
		    const struct mlci_prometheus *prom, int64_t start,
		    int64_t now, const char *query, double *out)
{
	struct mlci_prometheus_samples s = { 0 };
	size_t i;
	int ret;

	ret = mlci_prometheus_query_range(prom, query, start, now,
					  c->resolution_s, &s);
	if (ret)
		return ret;
	*out = 0;
	for (i = 0; i < s.nr; i++)
		*out += s.values[i];
	mlci_prometheus_samples_release(&s);
	return 0;
}

/* Fetch a metric's two samples and judge them. */
static int judge_metric(const struct mlci_canary_config *c,
			const struct mlci_prometheus *prom, int64_t now,
			const struct mlci_canary_metric *m,
			struct mlci_canary_result *r)
{
	struct mlci_prometheus_samples sc = { 0 }, sb = { 0 };
	int64_t start = now - (int64_t)llround(c->window_s * 1000);
	double ec = NAN, eb = NAN;
	int ret;

	if (m->has_samples)
		return mlci_canary_judge(m, m->canary_samples, m->n_canary_samples,
					 0, m->baseline_samples,
					 m->n_baseline_samples, 0,
					 m->canary_exposure, m->baseline_exposure, r);
	ret = mlci_prometheus_query_range(prom, m->canary_query, start, now,
					  c->resolution_s, &sc);
	if (!ret)
		ret = mlci_prometheus_query_range(prom, m->baseline_query, start,
						  now, c->resolution_s, &sb);
	if (!ret && m->canary_exposure_query)
		ret = exposure(c, prom, start, now, m->canary_exposure_query, &ec);
	if (!ret && m->baseline_exposure_query)
		ret = exposure(c, prom, start, now, m->baseline_exposure_query, &eb);
	if (!ret)
		ret = mlci_canary_judge(m, sc.values, sc.nr, sc.nonfinite,
					sb.values, sb.nr, sb.nonfinite, ec, eb, r);
	mlci_prometheus_samples_release(&sc);
	mlci_prometheus_samples_release(&sb);
	return ret;
}

/*
 * On promote, point the baseline alias at the canary's version; on
 * rollback, leave the alias and tag the canary's version. The record's
 * model entry says what was done.
 */
static int act(const struct mlci_canary_config *c, const char *uri,
	       enum mlci_canary_decision d, cJSON *section)
{
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_version v;
	cJSON *model;
	char *before = NULL;
	int ret;

	if (!c->model_name) {
		mlci_json_set_null(section, "model");
		return 0;
	}
	model = cJSON_CreateObject();
	if (!model)
		mlci_die("out of memory");
	mlci_json_set_string(model, "name", c->model_name);
	mlci_json_set_string(model, "canary_version", c->canary_version);
	mlci_json_set_string(model, "baseline_alias", c->baseline_alias);
	before = mlci_http_redact_url(uri);	/* no credentials in records */
	mlci_json_set_string(model, "tracking_uri", before);
	free(before);
	before = NULL;
	mlci_json_set(section, "model", model);
	if (d == MLCI_CANARY_CONTINUE) {
		mlci_json_set_string(model, "action", "none");
		return 0;
	}
	ret = mlci_tracking_open(&t, uri, NULL);
	if (ret)
		return ret;
	mlci_tracking_version_init(&v);
	ret = mlci_tracking_version_get(t, c->model_name, c->canary_version, &v);
	if (ret)
		goto out;
	if (mlci_tracking_alias_get(t, c->model_name, c->baseline_alias, &before)) {
		before = NULL;	/* no alias yet: nothing to keep */
	}
	if (before)
		mlci_json_set_string(model, "previous_version", before);
	else
		mlci_json_set_null(model, "previous_version");
	if (d == MLCI_CANARY_PROMOTE) {
		ret = mlci_tracking_alias_set(t, c->model_name, c->baseline_alias,
					      c->canary_version);
		if (!ret)
			ret = mlci_tracking_version_set_tag(t, c->model_name,
							    c->canary_version,
							    ROLLED_BACK_TAG, "promoted");
		mlci_json_set_string(model, "action", "alias_moved");
	} else {
		ret = mlci_tracking_version_set_tag(t, c->model_name,
						    c->canary_version,
						    ROLLED_BACK_TAG, "rolled_back");
		mlci_json_set_string(model, "action", "tagged_rolled_back");
	}
out:
	free(before);
	mlci_tracking_version_release(&v);
	mlci_tracking_close(t);
	return ret;
}

static void report(const cJSON *section, const struct mlci_canary_config *c)
{
	struct strbuf md = STRBUF_INIT;
	const cJSON *m;
	double score = 0, w = 0, nw = 0;
	const char *decision = mlci_json_get_string(section, "decision");
	char buf[32];

	mlci_json_get_number(section, "score", &score);
	mlci_json_get_number(section, "weight", &w);
	mlci_json_get_number(section, "next_weight", &nw);
	fprintf(stderr, "%s: %s: %s\n", mlci_progname, decision,
		mlci_json_get_string(section, "reason"));
	strbuf_addf(&md, "## ml-canary: %s\n\n", decision);
	strbuf_addf(&md, "%s\n\n", mlci_json_get_string(section, "reason"));
	if (!c->ab) {
		fprintf(stderr, "  score %.4g at weight %g (next %g), iteration %g\n",
			score, w, nw,
			cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(section, "iteration")));
		strbuf_addf(&md, "Score **%.4g** at weight %g%%, next weight %g%%.\n\n",
			    score, w, nw);
		strbuf_addstr(&md, "| metric | class | n canary | n baseline | median canary | median baseline | U | p-value | interval | reason |\n");
		strbuf_addstr(&md, "|---|---|---:|---:|---:|---:|---:|---:|---|---|\n");
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(section, "metrics")) {
			const char *cls = mlci_json_get_string(m, "classification");
			double v[8];
			const char *k[] = { "n_canary", "n_baseline", "median_canary",
					    "median_baseline", "statistic", "p_value",
					    "ci_low", "ci_high" };
			size_t i;

			for (i = 0; i < 8; i++)
				if (mlci_json_get_number(m, k[i], &v[i]))
					v[i] = NAN;
			fprintf(stderr, "  %-20s %-6s n=%g/%g median %.6g/%.6g U=%.6g p=%.4g: %s\n",
				m->string, cls, v[0], v[1], v[2], v[3], v[4], v[5],
				mlci_json_get_string(m, "reason"));
			strbuf_addf(&md, "| %s | %s | %g | %g | %.6g | %.6g | %.6g | %.4g | [%.4g, %.4g] | %s |\n",
				    m->string, cls, v[0], v[1], v[2], v[3], v[4],
				    v[5], v[6], v[7], mlci_json_get_string(m, "reason"));
		}
	}
	if (mlci_gha_enabled()) {
		mlci_gha_summary(md.buf);
		mlci_gha_set_output("decision", decision);
		snprintf(buf, sizeof(buf), "%g", nw);
		mlci_gha_set_output("next_weight", buf);
		if (strcmp(decision, "rollback") == 0)
			mlci_gha_annotate(MLCI_GHA_ERROR, c->path, 0, "ml-canary",
					  "rollback: %s",
					  mlci_json_get_string(section, "reason"));
	}
	strbuf_release(&md);
}

static cJSON *ab_section(const struct mlci_canary_config *c,
			 const struct mlci_canary_ab *ab,
			 enum mlci_canary_decision *d)
{
	cJSON *s = cJSON_CreateObject(), *o, *v;
	const struct mlci_canary_variant *vs[2] = { &c->variant_a, &c->variant_b };
	double rates[2] = { ab->rate_a, ab->rate_b };
	size_t i;

	if (!s || !(o = cJSON_CreateObject()))
		mlci_die("out of memory");
	*d = ab->winner == 2 ? MLCI_CANARY_PROMOTE :
	     ab->winner == 1 ? MLCI_CANARY_ROLLBACK : MLCI_CANARY_CONTINUE;
	mlci_json_set_string(s, "mode", "ab");
	mlci_json_set_string(s, "decision", mlci_canary_decision_name(*d));
	mlci_json_set_string(s, "reason", ab->reason);
	if (ab->winner)
		mlci_json_set_string(s, "winner", vs[ab->winner - 1]->name);
	else
		mlci_json_set_null(s, "winner");
	for (i = 0; i < 2; i++) {
		if (!(v = cJSON_CreateObject()))
			mlci_die("out of memory");
		mlci_json_set_string(v, "name", vs[i]->name);
		mlci_json_set_number(v, "successes", vs[i]->successes);
		mlci_json_set_number(v, "trials", vs[i]->trials);
		mlci_json_set(v, "rate", mlci_json_number(rates[i]));
		mlci_json_set(o, i ? "b" : "a", v);
	}
	mlci_json_set_string(o, "test", "two-proportion z (pooled)");
	mlci_json_set(o, "z", mlci_json_number(ab->z));
	mlci_json_set(o, "p_value", mlci_json_number(ab->p_value));
	mlci_json_set_number(o, "min_samples", c->ab_min_samples);
	mlci_json_set_number(o, "alpha", c->ab_alpha);
	mlci_json_set_bool(o, "enough_data", ab->enough);
	mlci_json_set(s, "ab", o);
	return s;
}

static cJSON *judge_section(const struct mlci_canary_config *c,
			    const struct mlci_canary_result *r,
			    struct mlci_canary_state *st,
			    enum mlci_canary_decision *d)
{
	cJSON *s = cJSON_CreateObject(), *metrics, *groups, *h;
	double *gs = xcalloc(c->ngroups + 1, sizeof(double)), score;
	struct mlci_canary_verdict v;
	int critical, judged;
	char when[32];
	size_t i;

	if (!s || !(metrics = cJSON_CreateObject()) ||
	    !(groups = cJSON_CreateObject()) || !(h = cJSON_CreateObject()))
		mlci_die("out of memory");
	score = mlci_canary_score(c, r, c->nmetrics, &critical, &judged, gs);
	mlci_canary_decide(c, st, score, critical, judged, &v);
	*d = v.decision;
	mlci_json_set_string(s, "decision", mlci_canary_decision_name(v.decision));
	mlci_json_set_string(s, "reason", v.reason);
	mlci_json_set_number(s, "score", score);
	mlci_json_set_number(s, "weight", st->weight);
	mlci_json_set_number(s, "next_weight", v.next_weight);
	mlci_json_set_number(s, "max_weight", c->max_weight);
	mlci_json_set_number(s, "iteration", (double)st->iteration);
	mlci_json_set_number(s, "failed_checks", (double)v.failed_checks);
	mlci_json_set_number(s, "failure_threshold", (double)c->failure_threshold);
	if (c->canary)
		mlci_json_set_string(s, "canary", c->canary);
	else
		mlci_json_set_null(s, "canary");
	if (c->baseline)
		mlci_json_set_string(s, "baseline", c->baseline);
	else
		mlci_json_set_null(s, "baseline");
	mlci_json_set_string(s, "window", c->window_text);
	mlci_json_set_string(s, "resolution", c->resolution_text);
	mlci_json_set_string(s, "interval", c->interval_text);
	for (i = 0; i < c->ngroups; i++)
		mlci_json_set(groups, c->groups[i].name, mlci_json_number(gs[i]));
	mlci_json_set(s, "groups", groups);
	mlci_format_time(when, sizeof(when), mlci_now_ms());
	mlci_json_set_number(h, "iteration", (double)st->iteration);
	mlci_json_set_number(h, "weight", st->weight);
	mlci_json_set_number(h, "score", score);
	mlci_json_set_string(h, "decision", mlci_canary_decision_name(v.decision));
	mlci_json_set_number(h, "failed_checks", (double)v.failed_checks);
	mlci_json_set_string(h, "time", when);
	cJSON_AddItemToArray(st->history, h);
	mlci_json_set(s, "history", st->history);
	st->history = NULL;
	for (i = 0; i < c->nmetrics; i++)
		mlci_json_set(metrics, c->metrics[i].name,
			      mlci_canary_result_json(&r[i]));
	mlci_json_set(s, "metrics", metrics);
	free(gs);
	return s;
}

int cmd_main(int argc, char **argv)
{
	const char *input = NULL, *config_path = NULL, *uri_opt = NULL;
	int pretty = 0;
	struct mlci_option options[] = {
		OPT_STRING('c', "config", &config_path, "file",
			   "the analysis config (YAML or JSON)"),
		OPT_STRING('i', "input", &input, "file",
			   "read the record from <file> (- for standard input)"),
		OPT_STRING(0, "tracking-uri", &uri_opt, "uri",
			   "the MLflow store whose alias moves (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)"),
		OPT_FLAG(0, "pretty", &pretty, "indent the record"),
		OPT_END()
	};
	struct mlci_config *cfg = NULL;
	struct mlci_canary_config c;
	struct mlci_canary_state st = { 0 };
	struct mlci_canary_result *results = NULL;
	struct mlci_prometheus prom;
	enum mlci_canary_decision d = MLCI_CANARY_CONTINUE;
	cJSON *rec = NULL, *section = NULL;
	int ret, nops;
	size_t i;

	memset(&c, 0, sizeof(c));
	nops = mlci_parse_options(argc, argv, options, canary_usage);
	if (nops == MLCI_PARSE_EXIT)
		return 0;
	if (nops < 0)
		return MLCI_EXIT_USAGE;
	if (nops > 0 || !config_path) {
		mlci_error(MLCI_EXIT_USAGE, nops > 0 ? "unexpected argument '%s'" :
			   "no --config given%s", nops > 0 ? argv[0] : "");
		mlci_usage_error(options, canary_usage);
		return MLCI_EXIT_USAGE;
	}
	ret = mlci_config_load(config_path, &cfg);
	if (!ret)
		ret = mlci_canary_config_parse(cfg, &c);
	if (!ret)
		ret = mlci_tool_read_record(input, &rec);
	if (ret)
		goto out;

	if (c.ab) {
		struct mlci_canary_ab ab;

		ret = mlci_canary_ab_test(&c, &ab);
		if (ret)
			goto out;
		section = ab_section(&c, &ab, &d);
	} else {
		ret = mlci_canary_state_load(&c, mlci_record_get(rec, "canary"), &st);
		if (ret)
			goto out;
		mlci_prometheus_init(&prom, c.prometheus);
		prom.http.deadline = mlci_monotonic() + c.timeout_s;
		results = xcalloc(c.nmetrics, sizeof(*results));
		for (i = 0; i < c.nmetrics; i++) {
			ret = judge_metric(&c, &prom, mlci_now_ms(), &c.metrics[i],
					   &results[i]);
			if (ret)
				goto out;
		}
		section = judge_section(&c, results, &st, &d);
	}
	ret = act(&c, mlci_register_tracking_uri(uri_opt), d, section);
	if (ret)
		goto out;
	report(section, &c);
	mlci_record_set(rec, "canary", section);
	section = NULL;
	ret = mlci_tool_write_record(rec, pretty);
	if (!ret && d == MLCI_CANARY_ROLLBACK)
		ret = MLCI_EXIT_VERDICT;
out:
	cJSON_Delete(section);
	cJSON_Delete(rec);
	free(results);
	mlci_canary_state_release(&st);
	mlci_canary_config_release(&c);
	mlci_config_free(cfg);
	return mlci_exit_code(ret);
}
