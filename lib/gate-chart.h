/* SPDX-License-Identifier: MIT */
/* ml-gate's Mermaid chart of a metric over a registered model's versions, for the step summary and the pull-request comment. */
#ifndef MLCI_GATE_CHART_H
#define MLCI_GATE_CHART_H

#include <stddef.h>

#include "strbuf.h"

/* One point of the chart: a label ("v3", "candidate") and the metric's value. */
struct mlci_gate_chart_point {
	char *label;
	double value;
};

/*
 * Append to out a Markdown block with a Mermaid xychart-beta line chart of
 * metric over points[0..n) (labels on the x axis, in order), titled with
 * the model's name. Labels and names are quoted for Mermaid (a double quote
 * becomes a single one). Nothing is appended for n == 0.
 */
void mlci_gate_chart_render(const char *model, const char *metric,
			    const struct mlci_gate_chart_point *points,
			    size_t n, struct strbuf *out);

/*
 * The points of metric over every version of the registered model name in
 * the tracking store at uri: each version's run's latest value of metric,
 * labelled "v<version>" (versions whose run lacks the metric, or has no
 * run, are left out). When the candidate's value is finite and
 * cand_version is not one of the versions, a last point "candidate" is
 * added; a version equal to cand_version is labelled "v<N> (candidate)".
 * *points (the caller's) is freed with mlci_gate_chart_free(). Returns 0,
 * or the tracking store's negative exit code (message printed).
 */
int mlci_gate_chart_points(const char *uri, const char *name,
			   const char *metric, double candidate,
			   const char *cand_version,
			   struct mlci_gate_chart_point **points, size_t *n);

void mlci_gate_chart_free(struct mlci_gate_chart_point *points, size_t n);

#endif
