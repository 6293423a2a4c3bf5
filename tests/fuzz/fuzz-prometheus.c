/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the parser of Prometheus query_range answers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>

#include "prometheus.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlci_prometheus_samples s;
	char err[256];
	size_t i;

	mlci_set_quiet(1);
	if (mlci_prometheus_parse((const char *)data, size, &s, err,
				  sizeof(err)))
		return 0;
	for (i = 0; i < s.nr; i++)
		if (!isfinite(s.values[i]))
			abort();
	mlci_prometheus_samples_release(&s);
	return 0;
}
