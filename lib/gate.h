/* SPDX-License-Identifier: MIT */
/* Judge rules on a run's metrics, against a baseline; render the verdict. */
#ifndef MLCI_GATE_H
#define MLCI_GATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "rules.h"
#include "strbuf.h"

/*
 * The metrics object of doc: doc.train.metrics when doc is a record with a
 * train section, else doc itself when it is an object. Borrowed; NULL when
 * doc is neither.
 */
const cJSON *mlci_gate_find_metrics(const cJSON *doc);

/*
 * Evaluate rules[0..nr) on metrics (an object of numbers), with baseline
 * metrics (NULL when there is no baseline: the caller refuses rules that
 * use it before calling). A metric missing from either object, or null,
 * fails its rule, or is skipped (neither passes nor fails) when
 * missing_skip. Returns a new array of rule results, the caller's; sets
 * *failed to the number of failed rules.
 */
cJSON *mlci_gate_evaluate(const struct mlci_rule *rules, size_t nr,
			  const cJSON *metrics, const cJSON *baseline,
			  int missing_skip, size_t *failed);

/* The verdict as an aligned table for a terminal. */
void mlci_gate_render_text(const cJSON *gate, struct strbuf *out);

/* The verdict as a Markdown table, for the step summary and the comment. */
void mlci_gate_render_markdown(const cJSON *gate, struct strbuf *out);

#endif
