/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/gate.c: evaluation and rendering of a verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "gate-chart.h"
#include "gate.h"
#include "json.h"
#include "tracking.h"
#include "unit.h"
#include "usage.h"

/*
 * A SQLite store in a new temporary folder (the current directory from
 * then on) with model M: versions 1 and 3 from runs that logged accuracy
 * 0.80 and 0.82, version 2 from a run that logged none.
 */
static int make_store(void)
{
	static const double acc[] = { 0.80, -1, 0.82 };
	char dir[] = "/tmp/test-gate-XXXXXX";
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_experiment e;
	int created, i;

	if (!mkdtemp(dir) || chdir(dir))
		return -1;
	if (mlci_tracking_open(&t, "sqlite:///mlflow.db", NULL))
		return -1;
	mlci_tracking_experiment_init(&e);
	if (mlci_tracking_experiment_get_or_create(t, "E", &e, &created) ||
	    mlci_tracking_model_get_or_create(t, "M", &created))
		return -1;
	for (i = 0; i < 3; i++) {
		struct mlci_tracking_run_spec spec = { e.id, NULL, NULL, 1000, NULL, 0, NULL };
		struct mlci_tracking_metric m = { "accuracy", acc[i], 1000, 0 };
		struct mlci_tracking_batch b = { &m, acc[i] >= 0, NULL, 0, NULL, 0 };
		struct mlci_tracking_run run;
		struct mlci_tracking_version v;

		mlci_tracking_run_init(&run);
		mlci_tracking_version_init(&v);
		if (mlci_tracking_run_start(t, &spec, &run, &created) ||
		    mlci_tracking_log_batch(t, run.run_id, &b) ||
		    mlci_tracking_version_create(t, "M", "models:/x", run.run_id, &v,
						 &created))
			return -1;
		mlci_tracking_run_release(&run);
		mlci_tracking_version_release(&v);
	}
	mlci_tracking_experiment_release(&e);
	mlci_tracking_close(t);
	return 0;
}

static void test_chart(void)
{
	struct mlci_gate_chart_point *pts;
	struct strbuf sb = STRBUF_INIT;
	size_t n;

	if (!CHECK(make_store() == 0, "chart: a store with three versions"))
		return;
	CHECK_INT(mlci_gate_chart_points("sqlite:///mlflow.db", "M", "accuracy",
					 0.85, NULL, &pts, &n), 0, "chart: points");
	CHECK_INT(n, 3, "chart: versions with the metric, then the candidate");
	if (n == 3) {
		CHECK_STR(pts[0].label, "v1", "chart: v1");
		CHECK_STR(pts[1].label, "v3", "chart: v2 has no accuracy");
		CHECK_STR(pts[2].label, "candidate", "chart: the candidate last");
		CHECK_NEAR(pts[1].value, 0.82, 0, "chart: v3's accuracy");
	}
	mlci_gate_chart_render("M", "accuracy", pts, n, &sb);
	CHECK_STR(sb.buf, "\n```mermaid\nxychart-beta\n"
		  "    title \"accuracy by version of M\"\n"
		  "    x-axis [\"v1\", \"v3\", \"candidate\"]\n"
		  "    y-axis \"accuracy\" 0.795 --> 0.855\n"
		  "    line [0.8, 0.82, 0.85]\n```\n", "chart: Mermaid");
	mlci_gate_chart_free(pts, n);
	CHECK_INT(mlci_gate_chart_points("sqlite:///mlflow.db", "M", "accuracy",
					 0.82, "3", &pts, &n), 0, "chart: the candidate registered");
	CHECK_INT(n, 2, "chart: no extra point for a registered candidate");
	if (n == 2)
		CHECK_STR(pts[1].label, "v3 (candidate)", "chart: its version marked");
	mlci_gate_chart_free(pts, n);
	mlci_set_quiet(1);
	CHECK(mlci_gate_chart_points("sqlite:///mlflow.db", "Nope", "accuracy",
				     0.8, NULL, &pts, &n) < 0 && !pts && !n,
	      "chart: an unknown model is an error, no points");
	mlci_set_quiet(0);
	strbuf_release(&sb);
}

static cJSON *parse(const char *s)
{
	cJSON *j = NULL;

	mlci_json_parse(s, strlen(s), "test", &j);
	return j;
}

static char *compact(const cJSON *j)
{
	return cJSON_PrintUnformatted(j);
}

static const struct {
	const char *rule;
	int missing_skip;
	const char *want;	/* the rule's result, compact JSON */
} cases[] = {
	{ "accuracy >= 0.70", 0,
	  "{\"rule\":\"accuracy >= 0.70\",\"metric\":\"accuracy\",\"op\":\">=\",\"threshold\":0.7,\"value\":0.68,\"baseline\":0.7,\"delta\":-0.019999999999999907,\"ok\":false,\"reason\":\"0.68 is not >= 0.7\"}" },
	{ "accuracy >= 0.60", 0,
	  "{\"rule\":\"accuracy >= 0.60\",\"metric\":\"accuracy\",\"op\":\">=\",\"threshold\":0.6,\"value\":0.68,\"baseline\":0.7,\"delta\":-0.019999999999999907,\"ok\":true,\"reason\":\"0.68 >= 0.6\"}" },
	{ "accuracy >= baseline - 0.02", 0,
	  "{\"rule\":\"accuracy >= baseline - 0.02\",\"metric\":\"accuracy\",\"op\":\">=\",\"threshold\":0.68,\"value\":0.68,\"baseline\":0.7,\"delta\":-0.019999999999999907,\"ok\":true,\"reason\":\"0.68 >= 0.68\"}" },
	{ "rmse <= baseline * 1.05", 0,
	  "{\"rule\":\"rmse <= baseline * 1.05\",\"metric\":\"rmse\",\"op\":\"<=\",\"threshold\":3.15,\"value\":3.2,\"baseline\":3,\"delta\":0.20000000000000018,\"ok\":false,\"reason\":\"3.2 is not <= 3.15\"}" },
	{ "f1 >= 0.5", 0,
	  "{\"rule\":\"f1 >= 0.5\",\"metric\":\"f1\",\"op\":\">=\",\"threshold\":0.5,\"value\":null,\"baseline\":null,\"delta\":null,\"ok\":false,\"reason\":\"metric 'f1' is missing from the run's metrics\"}" },
	{ "f1 >= 0.5", 1,
	  "{\"rule\":\"f1 >= 0.5\",\"metric\":\"f1\",\"op\":\">=\",\"threshold\":0.5,\"value\":null,\"baseline\":null,\"delta\":null,\"ok\":false,\"skipped\":true,\"reason\":\"metric 'f1' is missing from the run's metrics\"}" },
	{ "log_loss <= 1", 0,
	  "{\"rule\":\"log_loss <= 1\",\"metric\":\"log_loss\",\"op\":\"<=\",\"threshold\":1,\"value\":null,\"baseline\":null,\"delta\":null,\"ok\":false,\"reason\":\"metric 'log_loss' is not a number in the run's metrics\"}" },
	{ "recall >= baseline", 0,
	  "{\"rule\":\"recall >= baseline\",\"metric\":\"recall\",\"op\":\">=\",\"threshold\":null,\"value\":0.9,\"baseline\":null,\"delta\":null,\"ok\":false,\"reason\":\"metric 'recall' is missing from the baseline's metrics\"}" },
};

int main(void)
{
	cJSON *record = parse("{\"train\":{\"metrics\":{\"accuracy\":0.68,\"rmse\":3.2,\"log_loss\":null,\"recall\":0.9}}}");
	cJSON *base = parse("{\"accuracy\":0.7,\"rmse\":3}");
	const cJSON *metrics = mlci_gate_find_metrics(record);
	size_t i, failed, nfail = 0;
	char err[128];

	CHECK(metrics && cJSON_GetObjectItem(metrics, "rmse"), "metrics found in a record");
	CHECK(mlci_gate_find_metrics(base) == base, "a plain object is the metrics");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mlci_rule r;
		cJSON *res;
		char *got;

		mlci_rule_parse(cases[i].rule, &r, err, sizeof(err));
		res = mlci_gate_evaluate(&r, 1, metrics, base, cases[i].missing_skip, &failed);
		got = compact(cJSON_GetArrayItem(res, 0));
		CHECK_STR(got, cases[i].want, cases[i].rule);
		CHECK_INT(failed, strstr(cases[i].want, "\"ok\":false") &&
			  !strstr(cases[i].want, "skipped") ? 1 : 0, cases[i].rule);
		free(got);
		cJSON_Delete(res);
		mlci_rule_release(&r);
	}

	{
		struct mlci_rule rules[2];
		cJSON *gate = cJSON_CreateObject(), *b = cJSON_CreateObject();
		struct strbuf sb = STRBUF_INIT;

		mlci_rule_parse("accuracy >= 0.70", &rules[0], err, sizeof(err));
		mlci_rule_parse("rmse <= baseline * 1.05", &rules[1], err, sizeof(err));
		mlci_json_set_bool(gate, "ok", 0);
		mlci_json_set_string(b, "path", "base.json");
		mlci_json_set(gate, "baseline", b);
		mlci_json_set(gate, "rules", mlci_gate_evaluate(rules, 2, metrics, base, 0, &failed));
		CHECK_INT(failed, 2, "two rules fail");
		nfail = failed;
		mlci_gate_render_text(gate, &sb);
		CHECK_STR(sb.buf,
			  "  status rule                         value   baseline      delta  threshold\n"
			  "  FAIL   accuracy >= 0.70              0.68        0.7      -0.02        0.7\n"
			  "         0.68 is not >= 0.7\n"
			  "  FAIL   rmse <= baseline * 1.05        3.2          3       +0.2       3.15\n"
			  "         3.2 is not <= 3.15\n", "text table");
		strbuf_reset(&sb);
		mlci_gate_render_markdown(gate, &sb);
		CHECK_STR(sb.buf,
			  "### \xe2\x9d\x8c ml-gate: failed\n\n"
			  "2 of 2 rules failed. Baseline: `base.json`\n\n"
			  "| status | rule | value | baseline | delta | threshold |\n"
			  "|---|---|---:|---:|---:|---:|\n"
			  "| \xe2\x9d\x8c fail | `accuracy >= 0.70` | 0.68 | 0.7 | -0.02 | 0.7 |\n"
			  "| \xe2\x9d\x8c fail | `rmse <= baseline * 1.05` | 3.2 | 3 | +0.2 | 3.15 |\n"
			  "\n- `accuracy >= 0.70`: 0.68 is not >= 0.7"
			  "\n- `rmse <= baseline * 1.05`: 3.2 is not <= 3.15\n", "markdown table");
		strbuf_release(&sb);
		cJSON_Delete(gate);
		mlci_rule_release(&rules[0]);
		mlci_rule_release(&rules[1]);
	}
	CHECK_INT(nfail, 2, "failed count");
	cJSON_Delete(record);
	cJSON_Delete(base);
	test_chart();
	return unit_done();
}
