/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/canary.c and lib/canary-config.c: config, durations, templates, judgement, score, schedule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "config.h"
#include "json.h"
#include "unit.h"
#include "usage.h"

static const char example[] =
	"prometheus: http://127.0.0.1:9090\n"
	"window: 30m          # the analysis window, ending now\n"
	"resolution: 60s      # the query_range step\n"
	"canary: v2\n"
	"baseline: v1\n"
	"metrics:\n"
	"  - name: latency\n"
	"    query: 'req_latency_seconds{version=\"{{version}}\"}'\n"
	"    direction: increase\n"
	"    critical: true\n"
	"  - name: accuracy\n"
	"    samples: {canary: [0.91, 0.90, 0.92, 0.91], baseline: [0.90, 0.91, 0.90, 0.92]}\n"
	"    direction: decrease\n"
	"schedule: {initial_weight: 10, step_weight: 10, max_weight: 50, failure_threshold: 2, interval: 5m}\n"
	"model: {name: BankingModel-main, canary_version: \"7\", baseline_alias: champion}\n"
	"thresholds: {pass: 95, marginal: 75}\n";

/* Parse text as name; returns the result, *msg the message (caller's). */
static int load(const char *text, const char *name,
		struct mlci_canary_config *c, char **msg)
{
	struct mlci_config *cfg = NULL;
	int ret;

	unit_capture_start();
	ret = mlci_config_parse(text, strlen(text), name, &cfg);
	if (!ret)
		ret = mlci_canary_config_parse(cfg, c);
	else
		memset(c, 0, sizeof(*c));
	*msg = unit_capture_end();
	mlci_config_free(cfg);
	return ret;
}

static void check_error(const char *text, const char *want, const char *name)
{
	struct mlci_canary_config c;
	char *msg;

	CHECK_INT(load(text, "a.yaml", &c, &msg), -MLCI_EXIT_INPUT, name);
	if (!CHECK(strstr(msg, want) != NULL, name))
		printf("#   got  '%s'\n#   want '%s'\n", msg, want);
	free(msg);
	mlci_canary_config_release(&c);
}

static void test_example(void)
{
	struct mlci_canary_config c;
	char *msg;

	CHECK_INT(load(example, "a.yaml", &c, &msg), 0, "the issue's example loads");
	free(msg);
	CHECK_NEAR(c.window_s, 1800, 0, "window 30m");
	CHECK_NEAR(c.resolution_s, 60, 0, "resolution 60s");
	CHECK_NEAR(c.interval_s, 300, 0, "interval 5m");
	CHECK_INT(c.nmetrics, 2, "two metrics");
	CHECK_STR(c.metrics[0].canary_query, "req_latency_seconds{version=\"v2\"}",
		  "{{version}} is the canary's label");
	CHECK_STR(c.metrics[0].baseline_query, "req_latency_seconds{version=\"v1\"}",
		  "then the baseline's");
	CHECK_INT(c.metrics[0].critical, 1, "critical");
	CHECK_INT(c.metrics[0].direction, MLCI_RANKTEST_INCREASE, "increase");
	CHECK_INT(c.metrics[1].has_samples, 1, "samples");
	CHECK_INT(c.metrics[1].n_canary_samples, 4, "four canary samples");
	CHECK_INT(c.metrics[1].direction, MLCI_RANKTEST_DECREASE, "decrease");
	CHECK_NEAR(c.metrics[1].confidence, 0.98, 0, "Kayenta's confidence");
	CHECK_NEAR(c.metrics[1].effect_tolerance, 0.25, 0, "Kayenta's tolerance");
	CHECK_STR(c.model_name, "BankingModel-main", "model name");
	CHECK_STR(c.canary_version, "7", "canary version");
	CHECK_STR(c.baseline_alias, "champion", "alias");
	CHECK_INT(c.failure_threshold, 2, "failure threshold");
	CHECK_INT(c.ngroups, 1, "one default group");
	mlci_canary_config_release(&c);
}

static void test_errors(void)
{
	check_error("metrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\n    direction: up\n",
		    "a.yaml:4: 'direction' must be increase, decrease or either, not 'up'",
		    "bad direction at its line");
	check_error("metrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\n    colour: red\n",
		    "a.yaml:4: unknown key 'colour' in a metric", "unknown metric key");
	check_error("metrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\n  - name: a\n    samples: {canary: [1], baseline: [2]}\n",
		    "a.yaml:4: metric 'a' is defined twice (also at line 2)", "duplicate metric");
	check_error("canary: a\nbaseline: b\nprometheus: http://x\nmetrics:\n  - name: a\n    query: 'm{v=\"{{ver}}\"}'\n",
		    "a.yaml:6: in the query of 'query': unknown variable '{{ver}}'", "unknown variable");
	check_error("canary: a\nbaseline: b\nprometheus: http://x\nmetrics:\n  - name: a\n    query: 'm'\n",
		    "a.yaml:6: metric 'a': 'query' must use {{version}}", "query without {{version}}");
	check_error("canary: a\nbaseline: b\nmetrics:\n  - name: a\n    query: 'm{v=\"{{version}}\"}'\n",
		    "metrics with queries need 'prometheus'", "no prometheus");
	check_error("window: 30 minutes\nmetrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\n",
		    "a.yaml:1: 'window' must be a duration", "bad duration");
	check_error("metrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\nschedule: {step_weights: [10, 5]}\n",
		    "a.yaml:4: 'step_weights' must increase", "decreasing step weights");
	check_error("metrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\nthresholds: {pass: 70, marginal: 80}\n",
		    "a.yaml:4: 'marginal' (80) is above 'pass' (70)", "marginal above pass");
	check_error("metrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\n    group: g\ngroups: {h: 1}\n",
		    "metric 'a' is in group 'g', which 'groups' does not weigh", "unweighed group");
	check_error("metrics:\n  - name: a\n    samples: {canary: [1, x], baseline: [2]}\n",
		    "a.yaml:3: 'samples.canary' must hold numbers only", "non-numeric sample");
	check_error("metrics: []\n", "a.yaml:1: 'metrics' must be a non-empty list", "no metrics");
	check_error("ab:\n  a: {successes: 5, trials: 4}\n  b: {successes: 1, trials: 4}\n",
		    "a.yaml:2: 'ab.a': successes and trials must be whole numbers, successes at most trials",
		    "A/B successes above trials");
	check_error("model: {name: M}\nmetrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\n",
		    "a.yaml:1: 'model' needs 'name' and 'canary_version'", "model without version");
}

static void test_durations(void)
{
	double s = 0;

	CHECK(!mlci_canary_parse_duration("90s", &s) && s == 90, "90s");
	CHECK(!mlci_canary_parse_duration("1h30m", &s) && s == 5400, "1h30m");
	CHECK(!mlci_canary_parse_duration("250ms", &s) && s == 0.25, "250ms");
	CHECK(!mlci_canary_parse_duration("2d", &s) && s == 172800, "2d");
	CHECK(mlci_canary_parse_duration("5", &s), "a unit is needed in text");
	CHECK(mlci_canary_parse_duration("m", &s), "a number is needed");
	CHECK(mlci_canary_parse_duration("0s", &s), "zero is refused");
	CHECK(mlci_canary_parse_duration("5 m", &s), "no spaces");
	CHECK(mlci_canary_parse_duration("", &s), "empty");
}

static void test_expand(void)
{
	char err[160], *s;

	s = mlci_canary_expand("rate(x{v=\"{{ version }}\"}[{{interval}}]) {{window}}/{{resolution}}",
			       "v2", "5m", "30m", "60s", err, sizeof(err));
	CHECK_STR(s, "rate(x{v=\"v2\"}[5m]) 30m/60s", "every variable");
	free(s);
	s = mlci_canary_expand("x{{version", "v", "", "", "", err, sizeof(err));
	CHECK(s == NULL, "unclosed");
	CHECK_STR(err, "'{{' without '}}'", "unclosed message");
}

/* Judge samples; returns the class name. */
static const char *judge(const char *text, struct mlci_canary_result *r,
			 struct mlci_canary_config *c)
{
	char *msg;
	const struct mlci_canary_metric *m;

	if (load(text, "a.yaml", c, &msg)) {
		printf("# %s\n", msg);
		free(msg);
		return "config error";
	}
	free(msg);
	m = &c->metrics[0];
	if (mlci_canary_judge(m, m->canary_samples, m->n_canary_samples, 0,
			      m->baseline_samples, m->n_baseline_samples, 0,
			      m->canary_exposure, m->baseline_exposure, r))
		return "judge error";
	return mlci_canary_class_name(r->cls);
}

static void test_judge(void)
{
	struct mlci_canary_config c;
	struct mlci_canary_result r;

	CHECK_STR(judge("metrics:\n  - {name: a, direction: increase, samples: {canary: [10, 11, 12, 13, 14, 15, 16, 17, 18], baseline: [1, 2, 3, 4, 5, 6, 7, 8, 9]}}\n",
			&r, &c), "High", "a clear increase is High");
	CHECK(r.failed && strstr(r.reason, "Mann-Whitney"), "failed by Mann-Whitney");
	CHECK_NEAR(r.median_canary, 14, 0, "canary median");
	mlci_canary_config_release(&c);
	CHECK_STR(judge("metrics:\n  - {name: a, direction: decrease, samples: {canary: [10, 11, 12, 13, 14, 15, 16, 17, 18], baseline: [1, 2, 3, 4, 5, 6, 7, 8, 9]}}\n",
			&r, &c), "Pass", "an increase is fine when decreases are bad");
	mlci_canary_config_release(&c);
	CHECK_STR(judge("metrics:\n  - {name: a, max: 5, samples: {canary: [6, 6, 7], baseline: [6, 6, 7]}}\n",
			&r, &c), "High", "the absolute range");
	CHECK(strstr(r.reason, "above max 5") != NULL, "range reason");
	mlci_canary_config_release(&c);
	CHECK_STR(judge("metrics:\n  - {name: a, direction: increase, tolerance: 0.1, samples: {canary: [1.2, 1.3, 1.25], baseline: [1.0, 1.5, 1.1]}}\n",
			&r, &c), "High", "the relative tolerance");
	mlci_canary_config_release(&c);
	CHECK_STR(judge("metrics:\n  - {name: a, direction: increase, tolerance: 0.2, samples: {canary: [1.2, 1.3, 1.25], baseline: [1.0, 1.5, 1.1]}}\n",
			&r, &c), "Pass", "within the relative tolerance");
	mlci_canary_config_release(&c);
	CHECK_STR(judge("metrics:\n  - {name: a, tests: [mann_whitney, variance], samples: {canary: [0, 10, 0, 10, 0, 10, 0, 10, 5, 5], baseline: [4, 6, 5, 5, 4, 6, 5, 5, 4, 6]}}\n",
			&r, &c), "High", "the variance test sees a spread");
	CHECK(strstr(r.reason, "Brown-Forsythe") != NULL, "variance reason");
	mlci_canary_config_release(&c);
	/* 2 errors in 100 requests against 18 in 900: the same rate. */
	CHECK_STR(judge("metrics:\n  - {name: a, direction: increase, tests: [rate], samples: {canary: [1, 1, 0], baseline: [6, 6, 6], canary_exposure: 100, baseline_exposure: 900}}\n",
			&r, &c), "Pass", "rate test with exposures: equal rates");
	CHECK_NEAR(r.rate.share, 0.1, 1e-15, "the null share is the canary's exposure");
	mlci_canary_config_release(&c);
	CHECK_STR(judge("metrics:\n  - {name: a, direction: increase, tests: [rate], samples: {canary: [5, 5, 5], baseline: [6, 6, 6], canary_exposure: 100, baseline_exposure: 900}}\n",
			&r, &c), "High", "rate test with exposures: 15% against 2%");
	mlci_canary_config_release(&c);
	check_error("metrics:\n  - {name: a, samples: {canary: [1], baseline: [1], canary_exposure: 5}}\n",
		    "a.yaml:2: 'samples' needs both canary_exposure and baseline_exposure", "one exposure");
	CHECK_STR(judge("metrics:\n  - {name: a, samples: {canary: [], baseline: [1]}}\n",
			&r, &c), "NoData", "no canary data");
	CHECK(!r.failed, "no data is not a failure by default");
	mlci_canary_config_release(&c);
	CHECK_STR(judge("metrics:\n  - {name: a, must_have_data: true, samples: {canary: [], baseline: [1]}}\n",
			&r, &c), "NoData", "no data, must_have_data");
	CHECK(r.failed, "must_have_data makes it a failure");
	mlci_canary_config_release(&c);
}

static struct mlci_canary_result result(struct mlci_canary_metric *m,
					enum mlci_ranktest_class cls, int failed)
{
	struct mlci_canary_result r;

	memset(&r, 0, sizeof(r));
	r.metric = m;
	r.cls = cls;
	r.failed = failed;
	return r;
}

static void test_score(void)
{
	struct mlci_canary_config c;
	struct mlci_canary_result r[5];
	double gs[2];
	int critical, judged;
	char *msg;

	CHECK_INT(load("metrics:\n"
		       "  - {name: a, group: lat, samples: {canary: [1], baseline: [1]}}\n"
		       "  - {name: b, group: lat, samples: {canary: [1], baseline: [1]}}\n"
		       "  - {name: c, group: err, samples: {canary: [1], baseline: [1]}}\n"
		       "  - {name: d, group: err, samples: {canary: [1], baseline: [1]}}\n"
		       "  - {name: e, group: err, critical: true, samples: {canary: [1], baseline: [1]}}\n"
		       "groups: {lat: 60, err: 40}\n", "a.yaml", &c, &msg), 0, "groups load");
	free(msg);
	r[0] = result(&c.metrics[0], MLCI_RANKTEST_PASS, 0);
	r[1] = result(&c.metrics[1], MLCI_RANKTEST_HIGH, 1);
	r[2] = result(&c.metrics[2], MLCI_RANKTEST_PASS, 0);
	r[3] = result(&c.metrics[3], MLCI_RANKTEST_NODATA, 0);
	r[4] = result(&c.metrics[4], MLCI_RANKTEST_PASS, 0);
	/* lat: 1 of 2 = 50; err: 2 of 2 (the no-data one left out) = 100. */
	CHECK_NEAR(mlci_canary_score(&c, r, 5, &critical, &judged, gs),
		   0.6 * 50 + 0.4 * 100, 1e-12, "weighted group scores");
	CHECK_NEAR(gs[0], 50, 0, "group lat");
	CHECK_NEAR(gs[1], 100, 0, "group err");
	r[3] = result(&c.metrics[3], MLCI_RANKTEST_NODATA, 1);
	CHECK_NEAR(mlci_canary_score(&c, r, 5, &critical, &judged, gs),
		   0.6 * 50 + 0.4 * 100 * 2 / 3, 1e-12, "a no-data failure counts");
	r[4] = result(&c.metrics[4], MLCI_RANKTEST_LOW, 1);
	CHECK_NEAR(mlci_canary_score(&c, r, 5, &critical, &judged, gs), 0, 0,
		   "a critical failure is 0");
	CHECK_INT(critical, 1, "critical flagged");
	mlci_canary_config_release(&c);
}

static void test_schedule(void)
{
	struct mlci_canary_config c;
	struct mlci_canary_state st;
	struct mlci_canary_verdict v;
	cJSON *prev;
	char *msg;

	CHECK_INT(load("canary: v2\nmetrics:\n  - {name: a, samples: {canary: [1], baseline: [1]}}\n"
		       "schedule: {initial_weight: 10, step_weight: 15, max_weight: 50, failure_threshold: 2}\n",
		       "a.yaml", &c, &msg), 0, "schedule loads");
	free(msg);
	CHECK_NEAR(mlci_canary_next_weight(&c, 10), 25, 0, "step");
	CHECK_NEAR(mlci_canary_next_weight(&c, 40), 50, 0, "capped at max");
	CHECK_INT(mlci_canary_state_load(&c, NULL, &st), 0, "first call");
	CHECK_NEAR(st.weight, 10, 0, "initial weight");
	CHECK_INT(st.iteration, 1, "iteration 1");
	mlci_canary_decide(&c, &st, 100, 0, 1, &v);
	CHECK_INT(v.decision, MLCI_CANARY_CONTINUE, "pass below max: continue");
	CHECK_NEAR(v.next_weight, 25, 0, "stepped up");
	mlci_canary_decide(&c, &st, 80, 0, 1, &v);
	CHECK(v.decision == MLCI_CANARY_CONTINUE && v.failed_checks == 1 &&
	      v.next_weight == 25, "marginal: a failed check, still stepping");
	mlci_canary_decide(&c, &st, 74.9, 0, 1, &v);
	CHECK(v.decision == MLCI_CANARY_ROLLBACK && v.next_weight == 0, "below marginal");
	mlci_canary_decide(&c, &st, 100, 1, 1, &v);
	CHECK_INT(v.decision, MLCI_CANARY_ROLLBACK, "critical");
	mlci_canary_state_release(&st);

	prev = cJSON_Parse("{\"decision\":\"continue\",\"canary\":\"v2\",\"next_weight\":50,\"iteration\":4,\"failed_checks\":1,\"history\":[{}]}");
	CHECK_INT(mlci_canary_state_load(&c, prev, &st), 0, "resume");
	CHECK_NEAR(st.weight, 50, 0, "resumed weight");
	CHECK_INT(st.iteration, 5, "next iteration");
	CHECK_INT(st.failed_checks, 1, "failed checks carried");
	CHECK_INT(cJSON_GetArraySize(st.history), 1, "history carried");
	mlci_canary_decide(&c, &st, 96, 0, 1, &v);
	CHECK(v.decision == MLCI_CANARY_PROMOTE && v.next_weight == 100, "pass at max: promote");
	mlci_canary_decide(&c, &st, 80, 0, 1, &v);
	CHECK(v.decision == MLCI_CANARY_ROLLBACK && v.failed_checks == 2,
	      "the second failed check reaches the threshold");
	mlci_canary_state_release(&st);
	cJSON_Delete(prev);

	prev = cJSON_Parse("{\"mode\":\"ab\",\"decision\":\"continue\",\"reason\":\"\"}");
	CHECK_INT(mlci_canary_state_load(&c, prev, &st), 0, "an A/B section");
	CHECK_INT(st.iteration, 1, "an A/B section is not a schedule to resume");
	mlci_canary_state_release(&st);
	cJSON_Delete(prev);

	prev = cJSON_Parse("{\"decision\":\"continue\",\"canary\":\"v3\",\"next_weight\":50,\"iteration\":4,\"failed_checks\":1}");
	unit_capture_start();
	CHECK_INT(mlci_canary_state_load(&c, prev, &st), 0, "another canary");
	free(unit_capture_end());
	CHECK_INT(st.iteration, 1, "another canary starts over");
	mlci_canary_state_release(&st);
	cJSON_Delete(prev);

	prev = cJSON_Parse("{\"decision\":\"continue\",\"canary\":\"v2\",\"next_weight\":\"x\",\"iteration\":4,\"failed_checks\":1}");
	unit_capture_start();
	CHECK_INT(mlci_canary_state_load(&c, prev, &st), -MLCI_EXIT_INPUT, "malformed state");
	free(unit_capture_end());
	mlci_canary_state_release(&st);
	cJSON_Delete(prev);
	mlci_canary_config_release(&c);
}

int main(void)
{
	test_example();
	test_errors();
	test_durations();
	test_expand();
	test_judge();
	test_score();
	test_schedule();
	return unit_done();
}
