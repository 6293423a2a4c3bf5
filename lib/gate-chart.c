/* SPDX-License-Identifier: MIT */
/* ml-gate's Mermaid chart of a metric over a registered model's versions, for the step summary and the pull-request comment. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate-chart.h"
#include "tracking.h"
#include "wrapper.h"

/* A Mermaid string: quoted, no double quote or line end inside. */
static void quoted(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '"');
	for (; *s; s++)
		strbuf_addch(out, *s == '"' ? '\'' : *s == '\n' || *s == '\r' ?
			     ' ' : *s);
	strbuf_addch(out, '"');
}

void mlci_gate_chart_render(const char *model, const char *metric,
			    const struct mlci_gate_chart_point *points,
			    size_t n, struct strbuf *out)
{
	struct strbuf title = STRBUF_INIT;
	double lo = INFINITY, hi = -INFINITY, pad;
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		lo = fmin(lo, points[i].value);
		hi = fmax(hi, points[i].value);
	}
	/* Some room around the line, so that a flat one is still visible. */
	pad = hi > lo ? (hi - lo) * 0.1 : fmax(fabs(hi) * 0.01, 1e-3);
	strbuf_addf(&title, "%s by version of %s", metric, model);
	strbuf_addstr(out, "\n```mermaid\nxychart-beta\n    title ");
	quoted(out, title.buf);
	strbuf_addstr(out, "\n    x-axis [");
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(out, ", ");
		quoted(out, points[i].label);
	}
	strbuf_addstr(out, "]\n    y-axis ");
	quoted(out, metric);
	strbuf_addf(out, " %.6g --> %.6g\n    line [", lo - pad, hi + pad);
	for (i = 0; i < n; i++)
		strbuf_addf(out, "%s%.6g", i ? ", " : "", points[i].value);
	strbuf_addstr(out, "]\n```\n");
	strbuf_release(&title);
}

static void add_point(struct mlci_gate_chart_point **p, size_t *n,
		      size_t *alloc, char *label, double value)
{
	ALLOC_GROW(*p, *n + 1, *alloc);
	(*p)[*n].label = label;
	(*p)[*n].value = value;
	(*n)++;
}

int mlci_gate_chart_points(const char *uri, const char *name,
			   const char *metric, double candidate,
			   const char *cand_version,
			   struct mlci_gate_chart_point **points, size_t *n)
{
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_version *v = NULL;
	size_t nv = 0, i, j, alloc = 0;
	int ret, seen = 0;

	*points = NULL;
	*n = 0;
	ret = mlci_tracking_open(&t, uri, NULL);
	if (!ret)
		ret = mlci_tracking_versions_list(t, name, &v, &nv);
	for (i = 0; !ret && i < nv; i++) {
		struct mlci_tracking_run run;
		int cand = cand_version && !strcmp(v[i].version, cand_version);

		if (!v[i].run_id || !*v[i].run_id)
			continue;
		mlci_tracking_run_init(&run);
		ret = mlci_tracking_run_get(t, v[i].run_id, &run);
		for (j = 0; !ret && j < run.nmetrics; j++)
			if (!strcmp(run.metrics[j].key, metric) &&
			    isfinite(run.metrics[j].value)) {
				add_point(points, n, &alloc,
					  xstrfmt("v%s%s", v[i].version,
						  cand ? " (candidate)" : ""),
					  run.metrics[j].value);
				seen |= cand;
			}
		mlci_tracking_run_release(&run);
	}
	if (!ret && !seen && isfinite(candidate))
		add_point(points, n, &alloc, xstrdup("candidate"), candidate);
	mlci_tracking_versions_free(v, nv);
	mlci_tracking_close(t);
	if (ret) {
		mlci_gate_chart_free(*points, *n);
		*points = NULL;
		*n = 0;
	}
	return ret;
}

void mlci_gate_chart_free(struct mlci_gate_chart_point *points, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(points[i].label);
	free(points);
}
