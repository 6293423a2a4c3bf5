/* SPDX-License-Identifier: MIT */
/* ml-validate's verdict for people: a summary on stderr, and under GitHub Actions the step summary, annotations and outputs. */
#include <math.h>
#include <stdio.h>

#include "gha.h"
#include "json.h"
#include "markdown.h"
#include "strbuf.h"
#include "usage.h"
#include "validate-report.h"

static void human_report(const char *what, const struct mlci_validate_result *r,
			 const cJSON *drift, int ok)
{
	size_t i, k;
	const cJSON *c;

	fprintf(stderr, "%s: %s: %llu rows, %zu columns: %s\n", mlci_progname, what,
		(unsigned long long)r->rows, r->stats.ncols,
		ok ? "ok" : "FAILED");
	for (i = 0; i < r->nviolations; i++) {
		const struct mlci_violation *v = &r->violations[i];

		fprintf(stderr, "  %s %s: %s", v->column ? v->column : "(table)",
			v->check, v->message);
		for (k = 0; k < v->nexamples; k++)
			fprintf(stderr, "%s%llu", k ? ", " : v->nexamples == 1 ? " (row " : " (rows ",
				(unsigned long long)v->rows[k]);
		fprintf(stderr, "%s\n", v->nexamples ? ")" : "");
	}
	if (!drift)
		return;
	fprintf(stderr, "  drift: %g of %g columns drifted (dataset drift at a share of %g): %s\n",
		cJSON_GetObjectItem(drift, "drifted_columns")->valuedouble,
		cJSON_GetObjectItem(drift, "tested_columns")->valuedouble,
		cJSON_GetObjectItem(drift, "threshold")->valuedouble,
		cJSON_IsTrue(cJSON_GetObjectItem(drift, "ok")) ? "ok" : "DRIFTED");
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(drift, "columns")) {
		const char *test = mlci_json_get_string(c, "test");
		double stat = NAN, p = NAN;

		if (!test)
			continue;
		mlci_json_get_number(c, "statistic", &stat);
		mlci_json_get_number(c, "p_value", &p);
		fprintf(stderr, "    %-20s %-13s stat %-12.6g", c->string, test, stat);
		if (!isnan(p))
			fprintf(stderr, " p %-12.6g", p);
		fprintf(stderr, "%s\n",
			cJSON_IsTrue(cJSON_GetObjectItem(c, "drifted")) ? " drifted" : "");
	}
}

static void gha_report(const char *path, const struct mlci_validate_result *r,
		       const cJSON *drift, int ok)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, k;
	const cJSON *c;

	if (!mlci_gha_enabled())
		return;
	strbuf_addf(&sb, "### ml-validate: %s %s\n\n", ok ? "passed" : "failed", path);
	strbuf_addf(&sb, "%llu rows, %zu columns, %zu violations.\n\n",
		    (unsigned long long)r->rows, r->stats.ncols, r->nviolations);
	if (r->nviolations) {
		strbuf_addstr(&sb, "| column | check | count | first rows | message |\n|---|---|---|---|---|\n");
		for (i = 0; i < r->nviolations; i++) {
			const struct mlci_violation *v = &r->violations[i];

			strbuf_addstr(&sb, "| ");
			mlci_md_cell(&sb, v->column ? v->column : "(table)");
			strbuf_addf(&sb, " | %s | %llu | ", v->check,
				    (unsigned long long)v->count);
			for (k = 0; k < v->nexamples; k++)
				strbuf_addf(&sb, "%s%llu", k ? ", " : "",
					    (unsigned long long)v->rows[k]);
			strbuf_addstr(&sb, " | ");
			mlci_md_cell(&sb, v->message);
			strbuf_addstr(&sb, " |\n");
			if (v->nexamples)
				mlci_gha_annotate(MLCI_GHA_ERROR, path, v->lines[0],
						  "ml-validate",
						  "column '%s': %s (row %llu)",
						  v->column ? v->column : "",
						  v->message,
						  (unsigned long long)v->rows[0]);
			else
				mlci_gha_annotate(MLCI_GHA_ERROR, path, 0, "ml-validate",
						  "%s", v->message);
		}
		strbuf_addch(&sb, '\n');
	}
	if (drift) {
		strbuf_addf(&sb, "Drift: share of drifted columns %.3g (threshold %.3g): %s\n\n",
			    cJSON_GetObjectItem(drift, "share")->valuedouble,
			    cJSON_GetObjectItem(drift, "threshold")->valuedouble,
			    cJSON_IsTrue(cJSON_GetObjectItem(drift, "ok")) ? "ok" : "**dataset drift**");
		strbuf_addstr(&sb, "| column | test | statistic | p-value | threshold | drifted |\n|---|---|---|---|---|---|\n");
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(drift, "columns")) {
			double stat = NAN, p = NAN, th = NAN;
			const char *test = mlci_json_get_string(c, "test");

			if (!test)
				continue;
			mlci_json_get_number(c, "statistic", &stat);
			mlci_json_get_number(c, "p_value", &p);
			mlci_json_get_number(c, "threshold", &th);
			strbuf_addstr(&sb, "| ");
			mlci_md_cell(&sb, c->string);
			strbuf_addf(&sb, " | %s | %.6g | ", test, stat);
			if (isnan(p))
				strbuf_addstr(&sb, "–");
			else
				strbuf_addf(&sb, "%.3g", p);
			strbuf_addf(&sb, " | %g | %s |\n", th,
				    cJSON_IsTrue(cJSON_GetObjectItem(c, "drifted")) ? "**yes**" : "no");
		}
	}
	mlci_gha_summary(sb.buf);
	mlci_gha_set_output("ok", ok ? "true" : "false");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%llu", (unsigned long long)r->rows);
	mlci_gha_set_output("rows", sb.buf);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%zu", r->nviolations);
	mlci_gha_set_output("violations", sb.buf);
	strbuf_release(&sb);
}

void mlci_validate_report(const char *what,
			  const struct mlci_validate_result *r,
			  const cJSON *drift, int ok)
{
	human_report(what, r, drift, ok);
	gha_report(what, r, drift, ok);
}
