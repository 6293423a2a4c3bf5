/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the gate rule parser on arbitrary text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256];
	struct mlci_rule rule, again;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!mlci_rule_parse(text, &rule, err, sizeof(err))) {
		/* The normalised text parses to the same rule. */
		if (mlci_rule_parse(rule.text, &again, err, sizeof(err)) ||
		    strcmp(again.metric, rule.metric) || again.op != rule.op ||
		    again.uses_baseline != rule.uses_baseline ||
		    again.arith != rule.arith || again.number != rule.number)
			abort();
		mlci_rule_release(&again);
		mlci_rule_release(&rule);
	}
	free(text);
	return 0;
}
