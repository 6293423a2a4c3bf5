/* SPDX-License-Identifier: MIT */
/* libFuzzer target: what the REST backend makes of an MLflow server's answers (runs/get, model-versions/get). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlflow-rest.h"
#include "tracking.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlci_tracking_run r;
	struct mlci_tracking_version v;
	size_t i;

	mlci_set_quiet(1);
	mlci_tracking_run_init(&r);
	mlci_tracking_version_init(&v);
	if (!mlci_mlflow_rest_parse_run((const char *)data, size, &r)) {
		/* What callers rely on: an id, a status, sorted owned arrays. */
		if (!r.run_id || !r.status || !r.experiment_id)
			abort();
		for (i = 1; i < r.ntags; i++)
			if (strcmp(r.tags[i - 1].key, r.tags[i].key) > 0)
				abort();
		for (i = 1; i < r.nmetrics; i++)
			if (strcmp(r.metrics[i - 1].key, r.metrics[i].key) > 0)
				abort();
	}
	mlci_tracking_run_release(&r);
	if (!mlci_mlflow_rest_parse_version((const char *)data, size, &v)) {
		if (!v.version || !v.status || !v.current_stage)
			abort();
		for (i = 0; i < v.naliases; i++)
			if (!v.aliases[i])
				abort();
	}
	mlci_tracking_version_release(&v);
	return 0;
}
