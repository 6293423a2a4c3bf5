/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the schema loader (YAML and JSON) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "schema.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlci_config *cfg = NULL;
	struct mlci_schema s = MLCI_SCHEMA_INIT;
	const char *name = "fuzz.yaml";

	mlci_set_quiet(1);
	/* The first byte chooses strict JSON or YAML. */
	if (size && data[0] == '{')
		name = "fuzz.json";
	if (mlci_config_parse((const char *)data, size, name, &cfg) == 0) {
		size_t i;

		mlci_schema_from_json(mlci_config_root(cfg), cfg, &s);
		/* Whatever loaded must be usable. */
		for (i = 0; i < s.ncolumns; i++) {
			mlci_schema_match(&s.columns[i], "abc");
			mlci_strset_has(&s.columns[i].values, "abc", 3);
		}
		mlci_schema_release(&s);
	}
	mlci_config_free(cfg);
	return 0;
}
