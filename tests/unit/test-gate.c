/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/gate.c: evaluation and rendering of a verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "json.h"
#include "unit.h"

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
	return unit_done();
}
