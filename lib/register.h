/* SPDX-License-Identifier: MIT */
/* ml-register's work: log the record's run into MLflow, register its model, move aliases, and fetch a registered model back. */
#ifndef MLCI_REGISTER_H
#define MLCI_REGISTER_H

#include <cjson/cJSON.h>

/* The tracking URI when neither an option nor MLFLOW_TRACKING_URI gives one. */
#define MLCI_REGISTER_DEFAULT_URI "sqlite:///mlflow.db"

/* uri, else $MLFLOW_TRACKING_URI when set and not empty, else the default. */
const char *mlci_register_tracking_uri(const char *uri);

/* A registered model version fetched back. */
struct mlci_register_fetched {
	char *name;		/* registered model name */
	char *version;		/* "3" */
	char *alias;		/* NULL when fetched by version */
	char *run_id;		/* the version's run, NULL if none */
	char *source;		/* the version's source URI */
	char *model_path;	/* the downloaded model file (model.json) inside out_dir */
	cJSON *metrics;		/* the run's latest metrics: object name -> number (never NULL) */
};

void mlci_register_fetched_release(struct mlci_register_fetched *f);

/*
 * The object that goes into register.fetched (and gate.baseline): name,
 * version, alias, run_id, metrics, model_path.
 */
cJSON *mlci_register_fetched_json(const struct mlci_register_fetched *f);

/*
 * Resolve model_uri ("models:/<name>@<alias>" or "models:/<name>/<version>")
 * in the tracking store at tracking_uri (NULL: $MLFLOW_TRACKING_URI, else
 * sqlite:///mlflow.db), download the version's model file into out_dir
 * (created when missing) and fill *out. Returns 0; MLCI_REGISTER_NOT_FOUND
 * (positive, nothing printed) when the model, the alias or the version does
 * not exist; or a negative exit code with the message printed:
 * -MLCI_EXIT_INPUT for a malformed URI, -MLCI_EXIT_REMOTE for a server
 * unreachable after retries, -MLCI_EXIT_SYSTEM for local I/O.
 */
#define MLCI_REGISTER_NOT_FOUND 1
int mlci_register_fetch(const char *tracking_uri, const char *model_uri,
			const char *out_dir, struct mlci_register_fetched *out);

/* What ml-register is asked to do with the record's run. */
struct mlci_register_options {
	const char *tracking_uri;	/* NULL: mlci_register_tracking_uri(NULL) */
	const char *artifact_root;	/* SQLite only; NULL: ./mlruns */
	const char *experiment;		/* a base name, named by the branch strategy */
	const char *experiment_name;	/* a literal name (wins over experiment) */
	const char *model;		/* a base name, named by the branch strategy */
	const char *model_name;		/* a literal name (wins over model) */
	const char *alias;		/* set on the new version, or NULL */
	/*
	 * Move the new version to this stage, archiving the version that held
	 * it (MLflow's deprecated stages, for servers without aliases), or NULL.
	 */
	const char *stage;
	const char *idempotency_key;	/* NULL: derived from the CI job */
	const char *run_name;		/* NULL: <model type>-<short sha> */
	int dry_run;			/* say what would change, change nothing */
	int force;			/* log even when an upstream verdict failed */
};

/*
 * Log the run the record describes (tags, params, metric histories,
 * artifacts) and register its model as opt says; *section (the caller's)
 * becomes the record's register section. Returns 0; MLCI_EXIT_VERDICT
 * (positive) with a skipped section when an upstream verdict failed and
 * opt->force is not set; or a negative exit code with the message printed
 * and *section NULL (the run, if one was started, marked FAILED).
 */
int mlci_register_run(const struct mlci_register_options *opt,
		      const cJSON *rec, cJSON **section);

/*
 * The idempotency key of the CI job running now: the repository,
 * GITHUB_RUN_ID, GITHUB_JOB, MLCI_STEP_ID (the matrix or step identity)
 * and the experiment, joined by '/'; NULL outside GitHub Actions (no
 * GITHUB_RUN_ID). Not the attempt, which grows on every re-run. A new
 * string, the caller's.
 */
char *mlci_register_job_key(const char *experiment);

/*
 * The spool: a local file store (DIR/mlruns) that takes a run while the
 * tracking server is unreachable, and a manifest (DIR/spool.json) of the
 * runs it holds. mlci_register_spool_uri() is the store's URI (a new
 * string). mlci_register_spool_add() records a run the register section
 * describes, logged there with idempotency_key. mlci_register_replay()
 * sends every run not sent yet to tracking_uri (NULL: as
 * mlci_register_tracking_uri()) under its idempotency key, with its
 * tags, params, metric histories, artifacts, version and alias, marking
 * each one sent in the manifest as soon as it is: a replay that fails
 * resumes where it stopped, and one run twice is still one run.
 * *replayed (the caller's; NULL on failure) lists the new run ids.
 * Returns 0 or a negative exit code.
 */
char *mlci_register_spool_uri(const char *dir);
int mlci_register_spool_add(const char *dir, const cJSON *section,
			    const char *idempotency_key);
int mlci_register_replay(const char *dir, const char *tracking_uri,
			 cJSON **replayed);

/*
 * Registry operations on their own. Each prints what it changes (or would
 * change, with dry_run) to standard error and returns 0 or a negative
 * exit code. name is the registered model; version "3".
 */
int mlci_register_set_alias(const char *tracking_uri, const char *name,
			    const char *alias, const char *version,
			    int dry_run);
int mlci_register_tag_version(const char *tracking_uri, const char *name,
			      const char *version, const char *key,
			      const char *value, int dry_run);

/*
 * Every version of name, ascending, with its aliases, tags and its run's
 * latest metrics, as a new JSON array into *out.
 */
int mlci_register_list_versions(const char *tracking_uri, const char *name,
				cJSON **out);

#endif
