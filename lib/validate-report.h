/* SPDX-License-Identifier: MIT */
/* ml-validate's verdict for people: a summary on stderr, and under GitHub Actions the step summary, annotations and outputs. */
#ifndef MLCI_VALIDATE_REPORT_H
#define MLCI_VALIDATE_REPORT_H

#include <cjson/cJSON.h>

#include "validate.h"

/*
 * Report the result of validating what (the data file's path): the
 * violations and the drift table (drift may be NULL) on stderr; under
 * GitHub Actions also the Markdown step summary, annotations at the
 * offending file lines and the outputs. ok is the overall verdict.
 */
void mlci_validate_report(const char *what,
			  const struct mlci_validate_result *r,
			  const cJSON *drift, int ok);

#endif
