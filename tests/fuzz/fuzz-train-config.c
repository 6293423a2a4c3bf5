/* SPDX-License-Identifier: MIT */
/* libFuzzer target: ml-train's config, parsed and checked as ml-train does before reading data. */
#include <stddef.h>
#include <stdint.h>

#include "train.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mlci_set_quiet(1);
	mlci_train_config_check((const char *)data, size, "fuzz/model.yaml");
	return 0;
}
