/* SPDX-License-Identifier: MIT */
/* MLflow's MLmodel descriptor for an ml-train model folder. */
#ifndef MLCI_MLMODEL_H
#define MLCI_MLMODEL_H

#include <stdint.h>

#include "strbuf.h"

/* The names inside a logged model folder (artifacts/model/). */
#define MLCI_MLMODEL_ARTIFACT_PATH "model"
#define MLCI_MLMODEL_MODEL_FILE "model.json"

/*
 * The MLmodel YAML of an ml-train model logged to run_id, as MLflow writes
 * it (yaml.safe_dump: keys sorted, block style): artifact_path, flavors
 * (one "mlci" flavor naming the model file, its producer and task),
 * mlflow_version (the release whose store layout we write), model_uuid (32
 * hex digits, MLCI_SEED honoured), run_id, utc_time_created (created_ms,
 * as Python's str(datetime.utcnow()), quoted). Appended to out.
 */
void mlci_mlmodel_yaml(struct strbuf *out, const char *run_id,
		       const char *producer, const char *task,
		       int64_t created_ms);

#endif
