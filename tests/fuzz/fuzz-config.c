/* SPDX-License-Identifier: MIT */
/* libFuzzer target: config loading, as YAML and as strict JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every item of a loaded tree has a line; the root of an empty one not. */
static void check_lines(const struct mlci_config *cfg, const cJSON *item)
{
	const cJSON *c;

	if (!mlci_config_line(cfg, item))
		abort();
	for (c = item->child; c; c = c->next)
		check_lines(cfg, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "fuzz.yaml", "fuzz.json" };
	size_t i;

	mlci_set_quiet(1);
	for (i = 0; i < 2; i++) {
		struct mlci_config *cfg = NULL;
		char *text;

		if (mlci_config_parse((const char *)data, size, names[i], &cfg))
			continue;
		if (!cJSON_IsNull(mlci_config_root(cfg)))
			check_lines(cfg, mlci_config_root(cfg));
		text = cJSON_PrintUnformatted(mlci_config_root(cfg));
		if (!text)
			abort();
		free(text);
		mlci_config_free(cfg);
	}
	return 0;
}
