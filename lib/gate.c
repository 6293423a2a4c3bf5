/* SPDX-License-Identifier: MIT */
/* Judge rules on a run's metrics, against a baseline; render the verdict. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "json.h"
#include "markdown.h"
#include "usage.h"
#include "wrapper.h"

const cJSON *mlci_gate_find_metrics(const cJSON *doc)
{
	const cJSON *train = mlci_json_get_object(doc, "train");

	if (train)
		return mlci_json_get_object(train, "metrics");
	return cJSON_IsObject(doc) ? doc : NULL;
}

/* 1 with *v set; 0 when missing; -1 when present but not a finite number. */
static int lookup(const cJSON *metrics, const char *name, double *v)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(metrics, name);

	if (!it)
		return 0;
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return -1;
	*v = it->valuedouble;
	return 1;
}

static void num_or_null(cJSON *obj, const char *key, int have, double v)
{
	if (have)
		mlci_json_set_number(obj, key, v);
	else
		mlci_json_set_null(obj, key);
}

cJSON *mlci_gate_evaluate(const struct mlci_rule *rules, size_t nr,
			  const cJSON *metrics, const cJSON *baseline,
			  int missing_skip, size_t *failed)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	if (!arr)
		mlci_die("out of memory");
	*failed = 0;
	for (i = 0; i < nr; i++) {
		const struct mlci_rule *r = &rules[i];
		cJSON *o = cJSON_CreateObject();
		double value = 0, base = 0, threshold = 0;
		int hv, hb = 0, ok = 0, skipped = 0;
		char *reason;

		if (!o)
			mlci_die("out of memory");
		hv = lookup(metrics, r->metric, &value);
		/* The baseline's value is shown for every rule it has. */
		if (baseline)
			hb = lookup(baseline, r->metric, &base);
		if (!r->uses_baseline || hb > 0)
			threshold = mlci_rule_threshold(r, base);
		if (hv <= 0) {
			reason = xstrfmt("metric '%s' is %s the run's metrics",
					 r->metric, hv ? "not a number in" : "missing from");
			skipped = missing_skip;
		} else if (r->uses_baseline && hb <= 0) {
			reason = xstrfmt("metric '%s' is %s the baseline's metrics",
					 r->metric, hb ? "not a number in" : "missing from");
			skipped = missing_skip;
		} else {
			ok = mlci_rule_compare(r->op, value, threshold);
			reason = xstrfmt(ok ? "%.6g %s %.6g" : "%.6g is not %s %.6g",
					 value, mlci_rule_op_name(r->op), threshold);
		}
		mlci_json_set_string(o, "rule", r->text);
		mlci_json_set_string(o, "metric", r->metric);
		mlci_json_set_string(o, "op", mlci_rule_op_name(r->op));
		num_or_null(o, "threshold", !r->uses_baseline || hb > 0,
			    threshold);
		num_or_null(o, "value", hv > 0, value);
		num_or_null(o, "baseline", hb > 0, base);
		num_or_null(o, "delta", hv > 0 && hb > 0, value - base);
		mlci_json_set_bool(o, "ok", ok);
		if (skipped)
			mlci_json_set_bool(o, "skipped", 1);
		mlci_json_set_string(o, "reason", reason);
		free(reason);
		if (!ok && !skipped)
			(*failed)++;
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static const char *status_of(const cJSON *r)
{
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "skipped")))
		return "skip";
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")) ?
	       "pass" : "FAIL";
}

static void fmt_num(char *buf, size_t n, const cJSON *r, const char *key,
		    int sign)
{
	double v;

	if (mlci_json_get_number(r, key, &v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, sign ? "%+.4g" : "%.4g", v);
}

/* Did any rule run a paired test? Then the tables show its columns. */
static int any_test(const cJSON *rules)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, rules)
		if (mlci_json_get_string(r, "test"))
			return 1;
	return 0;
}

/* The test, its p-value and interval: "mcnemar", "0.0123", "[-0.02, 0.01]". */
static void fmt_test(const cJSON *r, char *test, size_t nt, char *p, size_t np,
		     char *ci, size_t nci)
{
	const char *t = mlci_json_get_string(r, "test");
	double lo, hi;

	snprintf(test, nt, "%s", t ? t : "-");
	fmt_num(p, np, r, "p_value", 0);
	if (!t || mlci_json_get_number(r, "ci_low", &lo) ||
	    mlci_json_get_number(r, "ci_high", &hi))
		snprintf(ci, nci, "-");
	else
		snprintf(ci, nci, "[%+.4f, %+.4f]", lo, hi);
}

void mlci_gate_render_text(const cJSON *gate, struct strbuf *out)
{
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(gate, "rules");
	const cJSON *r;
	size_t width = 4;

	cJSON_ArrayForEach(r, rules) {
		const char *t = mlci_json_get_string(r, "rule");

		if (t && strlen(t) > width)
			width = strlen(t);
	}
	if (width > 60)
		width = 60;
	int tests = any_test(rules);

	strbuf_addf(out, "  %-6s %-*s %10s %10s %10s %10s", "status",
		    (int)width, "rule", "value", "baseline", "delta", "threshold");
	if (tests)
		strbuf_addf(out, "  %-13s %10s  %s", "test", "p", "interval");
	strbuf_addch(out, '\n');
	cJSON_ArrayForEach(r, rules) {
		char v[32], b[32], d[32], t[32];

		fmt_num(v, sizeof(v), r, "value", 0);
		fmt_num(b, sizeof(b), r, "baseline", 0);
		fmt_num(d, sizeof(d), r, "delta", 1);
		fmt_num(t, sizeof(t), r, "threshold", 0);
		strbuf_addf(out, "  %-6s %-*s %10s %10s %10s %10s",
			    status_of(r), (int)width,
			    mlci_json_get_string(r, "rule"), v, b, d, t);
		if (tests) {
			char te[32], p[32], ci[64];

			fmt_test(r, te, sizeof(te), p, sizeof(p), ci, sizeof(ci));
			strbuf_addf(out, "  %-13s %10s  %s", te, p, ci);
		}
		strbuf_addch(out, '\n');
		if (mlci_json_get_string(r, "warning"))
			strbuf_addf(out, "  %-6s warning: %s\n", "",
				    mlci_json_get_string(r, "warning"));
		if (strcmp(status_of(r), "pass"))
			strbuf_addf(out, "  %-6s %s\n", "",
				    mlci_json_get_string(r, "reason"));
	}
}

void mlci_gate_render_markdown(const cJSON *gate, struct strbuf *out)
{
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(gate, "rules");
	const cJSON *base = cJSON_GetObjectItemCaseSensitive(gate, "baseline");
	const cJSON *r;
	size_t n = 0, failed = 0;
	int tests;

	cJSON_ArrayForEach(r, rules) {
		n++;
		if (!strcmp(status_of(r), "FAIL"))
			failed++;
	}
	strbuf_addf(out, "### %s ml-gate: %s\n\n",
		    failed ? "\xe2\x9d\x8c" : "\xe2\x9c\x85",
		    failed ? "failed" : "passed");
	if (failed)
		strbuf_addf(out, "%zu of %zu rules failed.", failed, n);
	else
		strbuf_addf(out, "All %zu rules passed.", n);
	if (cJSON_IsObject(base) && mlci_json_get_string(base, "path")) {
		strbuf_addstr(out, " Baseline: `");
		mlci_md_cell(out, mlci_json_get_string(base, "path"));
		strbuf_addch(out, '`');
	} else if (cJSON_IsObject(base) && mlci_json_get_string(base, "name")) {
		strbuf_addstr(out, " Baseline: ");
		mlci_md_cell(out, mlci_json_get_string(base, "name"));
		if (mlci_json_get_string(base, "version")) {
			strbuf_addstr(out, " version ");
			mlci_md_cell(out, mlci_json_get_string(base, "version"));
		}
	}
	tests = any_test(rules);
	strbuf_addstr(out, "\n\n| status | rule | value | baseline | delta | threshold |");
	if (tests)
		strbuf_addstr(out, " test | n | p | CI low | CI high |");
	strbuf_addstr(out, "\n|---|---|---:|---:|---:|---:|");
	if (tests)
		strbuf_addstr(out, "---|---:|---:|---:|---:|");
	strbuf_addch(out, '\n');
	cJSON_ArrayForEach(r, rules) {
		const char *st = status_of(r);
		char v[32], b[32], d[32], t[32];

		fmt_num(v, sizeof(v), r, "value", 0);
		fmt_num(b, sizeof(b), r, "baseline", 0);
		fmt_num(d, sizeof(d), r, "delta", 1);
		fmt_num(t, sizeof(t), r, "threshold", 0);
		strbuf_addf(out, "| %s | `",
			    !strcmp(st, "pass") ? "\xe2\x9c\x85 pass" :
			    !strcmp(st, "skip") ? "\xe2\x8f\xad skip" :
			    "\xe2\x9d\x8c fail");
		mlci_md_cell(out, mlci_json_get_string(r, "rule"));
		strbuf_addf(out, "` | %s | %s | %s | %s |", v, b, d, t);
		if (tests) {
			char n[32], p[32], lo[32], hi[32];
			const char *te = mlci_json_get_string(r, "test");

			double rows;

			if (mlci_json_get_number(r, "n", &rows))
				snprintf(n, sizeof(n), "-");
			else
				snprintf(n, sizeof(n), "%.0f", rows);
			fmt_num(p, sizeof(p), r, "p_value", 0);
			fmt_num(lo, sizeof(lo), r, "ci_low", 1);
			fmt_num(hi, sizeof(hi), r, "ci_high", 1);
			strbuf_addf(out, " %s | %s | %s | %s | %s |", te ? te : "-",
				    n, p, lo, hi);
		}
		strbuf_addch(out, '\n');
	}
	cJSON_ArrayForEach(r, rules)
		if (strcmp(status_of(r), "pass")) {
			strbuf_addstr(out, "\n- `");
			mlci_md_cell(out, mlci_json_get_string(r, "rule"));
			strbuf_addstr(out, "`: ");
			mlci_md_cell(out, mlci_json_get_string(r, "reason"));
		}
	cJSON_ArrayForEach(r, rules)
		if (mlci_json_get_string(r, "warning")) {
			strbuf_addstr(out, "\n- \xe2\x9a\xa0\xef\xb8\x8f `");
			mlci_md_cell(out, mlci_json_get_string(r, "rule"));
			strbuf_addstr(out, "`: ");
			mlci_md_cell(out, mlci_json_get_string(r, "warning"));
		}
	strbuf_addch(out, '\n');
}
