/* SPDX-License-Identifier: MIT */
/* MLflow's MLmodel descriptor for an ml-train model folder. */
#include "mlmodel.h"

#include <time.h>

#include "tracking.h"

/* The MLflow release whose SQLite schema and file store we write. */
#define MLFLOW_VERSION "2.12.2"

/* A plain YAML scalar, or a single-quoted one when it needs quoting. */
static void scalar(struct strbuf *out, const char *s)
{
	const char *p;
	int plain = *s != '\0';

	for (p = s; *p && plain; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
		      *p == '-' || *p == '/' || (*p == ' ' && p != s && p[1])))
			plain = 0;
	if (plain && (*s >= '0' && *s <= '9'))
		plain = 0;	/* a version or number would read back as one */
	if (plain) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			strbuf_addch(out, '\'');
		strbuf_addch(out, *p);
	}
	strbuf_addch(out, '\'');
}

void mlci_mlmodel_yaml(struct strbuf *out, const char *run_id,
		       const char *producer, const char *task,
		       int64_t created_ms)
{
	char uuid[33], when[64];
	time_t secs = (time_t)(created_ms / 1000);
	struct tm tm;

	mlci_tracking_new_run_id(uuid);
	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	strbuf_addstr(out, "artifact_path: " MLCI_MLMODEL_ARTIFACT_PATH "\n");
	strbuf_addstr(out, "flavors:\n  mlci:\n");
	strbuf_addstr(out, "    model_file: " MLCI_MLMODEL_MODEL_FILE "\n");
	strbuf_addstr(out, "    producer: ");
	scalar(out, producer);
	strbuf_addstr(out, "\n    task: ");
	scalar(out, task);
	strbuf_addstr(out, "\nmlflow_version: " MLFLOW_VERSION "\n");
	strbuf_addf(out, "model_uuid: %s\n", uuid);
	strbuf_addf(out, "run_id: %s\n", run_id);
	strbuf_addf(out, "utc_time_created: '%s.%03d000'\n", when,
		    (int)(created_ms % 1000));
}
