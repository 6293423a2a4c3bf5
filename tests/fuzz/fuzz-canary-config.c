/* SPDX-License-Identifier: MIT */
/* libFuzzer target: ml-canary's analysis config, loaded and judged on its samples. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "canary.h"
#include "config.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlci_config *cfg = NULL;
	struct mlci_canary_config c;
	size_t i;

	mlci_set_quiet(1);
	if (mlci_config_parse((const char *)data, size, "fuzz.yaml", &cfg))
		return 0;
	if (!mlci_canary_config_parse(cfg, &c)) {
		struct mlci_canary_result *r = calloc(c.nmetrics + 1, sizeof(*r));
		int critical, judged;

		if (!r)
			abort();
		for (i = 0; i < c.nmetrics; i++) {
			const struct mlci_canary_metric *m = &c.metrics[i];

			if (!m->has_samples ||
			    mlci_canary_judge(m, m->canary_samples,
					      m->n_canary_samples, 0,
					      m->baseline_samples,
					      m->n_baseline_samples, 0,
					      m->canary_exposure,
					      m->baseline_exposure, &r[i]))
				r[i].metric = m, r[i].cls = MLCI_RANKTEST_NODATA;
			cJSON_Delete(mlci_canary_result_json(&r[i]));
		}
		mlci_canary_score(&c, r, c.nmetrics, &critical, &judged, NULL);
		if (c.ab) {
			struct mlci_canary_ab ab;

			mlci_canary_ab_test(&c, &ab);
		}
		free(r);
	}
	mlci_canary_config_release(&c);
	mlci_config_free(cfg);
	return 0;
}
