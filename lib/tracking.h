/* SPDX-License-Identifier: MIT */
/* The MLflow tracking and model-registry interface, one vtable per backend chosen by the tracking URI. */
#ifndef MLCI_TRACKING_H
#define MLCI_TRACKING_H

#include <stddef.h>
#include <stdint.h>

/*
 * A key and a value: a run tag, a param, a model-version tag. In what the
 * caller passes in, both are borrowed; in what a function hands back (a
 * struct mlci_tracking_run or _version), both are owned by that struct and
 * freed by its release function.
 */
struct mlci_tracking_kv {
	const char *key;
	const char *value;
};

/* One metric point; key is borrowed or owned as for struct mlci_tracking_kv. */
struct mlci_tracking_metric {
	const char *key;
	double value;		/* NaN and infinities allowed, as in MLflow */
	int64_t timestamp;	/* ms since the epoch, >= 0 */
	int64_t step;
};

/* What log_batch writes; all arrays borrowed. */
struct mlci_tracking_batch {
	const struct mlci_tracking_metric *metrics;
	size_t nmetrics;
	const struct mlci_tracking_kv *params;
	size_t nparams;
	const struct mlci_tracking_kv *tags;
	size_t ntags;
};

/* An experiment as stored; every string owned. */
struct mlci_tracking_experiment {
	char *id;			/* "0", "1", ... (SQLite); 18 digits (file store) */
	char *name;
	char *artifact_location;	/* file:///abs/mlruns/<id> */
	char *lifecycle_stage;		/* "active" */
	int64_t creation_time;
};

/* Empty an experiment (what a zeroed struct is), and free its contents. */
void mlci_tracking_experiment_init(struct mlci_tracking_experiment *e);
void mlci_tracking_experiment_release(struct mlci_tracking_experiment *e);

/* The run statuses, by the names MLflow uses in SQL and REST. */
#define MLCI_RUN_RUNNING "RUNNING"
#define MLCI_RUN_SCHEDULED "SCHEDULED"
#define MLCI_RUN_FINISHED "FINISHED"
#define MLCI_RUN_FAILED "FAILED"
#define MLCI_RUN_KILLED "KILLED"

/* The tag that makes a CI job's run findable again when the job is re-run. */
#define MLCI_TRACKING_IDEMPOTENCY_TAG "mlci.idempotency_key"

/* A run as stored, with its data; every string and array owned. */
struct mlci_tracking_run {
	char *run_id;		/* 32 lower-case hex digits */
	char *experiment_id;
	char *run_name;
	char *user_id;
	char *status;		/* MLCI_RUN_* */
	char *lifecycle_stage;
	char *artifact_uri;	/* file:///abs/mlruns/<exp>/<run>/artifacts */
	int64_t start_time;
	int64_t end_time;	/* -1 while unset */
	struct mlci_tracking_kv *tags;	/* sorted by key */
	size_t ntags;
	struct mlci_tracking_kv *params;	/* sorted by key */
	size_t nparams;
	struct mlci_tracking_metric *metrics;	/* the latest point per key, sorted */
	size_t nmetrics;
};

void mlci_tracking_run_init(struct mlci_tracking_run *r);
void mlci_tracking_run_release(struct mlci_tracking_run *r);

/* What a new run starts with; every pointer borrowed, any may be NULL. */
struct mlci_tracking_run_spec {
	const char *experiment_id;	/* required */
	const char *run_name;		/* NULL: "run-" and the first 8 digits of the id */
	const char *user_id;		/* NULL: "" */
	int64_t start_time;		/* < 0: mlci_now_ms() */
	const struct mlci_tracking_kv *tags;	/* logged at creation */
	size_t ntags;
	/*
	 * When set, the run is tagged MLCI_TRACKING_IDEMPOTENCY_TAG = key and
	 * a run of the experiment already carrying that tag is taken instead
	 * of creating another (see mlci_tracking_run_start()).
	 */
	const char *idempotency_key;
};

/* A registered model's version, with its tags and aliases; all owned. */
struct mlci_tracking_version {
	char *name;
	char *version;		/* "1", "2", ... */
	char *source;
	char *run_id;
	char *status;		/* "READY" */
	char *current_stage;	/* "None" */
	int64_t creation_time;
	int64_t last_updated_time;
	struct mlci_tracking_kv *tags;	/* sorted by key */
	size_t ntags;
	char **aliases;		/* sorted */
	size_t naliases;
};

void mlci_tracking_version_init(struct mlci_tracking_version *v);
void mlci_tracking_version_release(struct mlci_tracking_version *v);

struct mlci_tracking;

/*
 * A backend. Every operation returns 0 or -MLCI_EXIT_* after printing a
 * message through mlci_error() (3: bad input or an object that does not
 * exist, 4: local system error, 5: remote). Arguments have been checked by
 * the mlci_tracking_* wrappers below, which are what callers use.
 */
struct mlci_tracking_ops {
	const char *name;	/* "sqlite", "file", "rest" */
	void (*close)(struct mlci_tracking *t);
	int (*experiment_get_or_create)(struct mlci_tracking *t,
					const char *name,
					struct mlci_tracking_experiment *out,
					int *created);
	int (*run_start)(struct mlci_tracking *t,
			 const struct mlci_tracking_run_spec *spec,
			 struct mlci_tracking_run *out, int *created);
	int (*run_find_by_tag)(struct mlci_tracking *t,
			       const char *experiment_id, const char *key,
			       const char *value, struct mlci_tracking_run *out,
			       int *found);
	int (*run_get)(struct mlci_tracking *t, const char *run_id,
		       struct mlci_tracking_run *out);
	int (*run_update)(struct mlci_tracking *t, const char *run_id,
			  const char *status, int64_t end_time);
	int (*log_batch)(struct mlci_tracking *t, const char *run_id,
			 const struct mlci_tracking_batch *b);
	int (*metric_history)(struct mlci_tracking *t, const char *run_id,
			      const char *key,
			      struct mlci_tracking_metric **out, size_t *n);
	int (*model_get_or_create)(struct mlci_tracking *t, const char *name,
				   int *created);
	int (*version_create)(struct mlci_tracking *t, const char *name,
			      const char *source, const char *run_id,
			      struct mlci_tracking_version *out, int *created);
	int (*version_get)(struct mlci_tracking *t, const char *name,
			   const char *version,
			   struct mlci_tracking_version *out);
	int (*version_set_tag)(struct mlci_tracking *t, const char *name,
			       const char *version, const char *key,
			       const char *value);
	int (*versions_list)(struct mlci_tracking *t, const char *name,
			     struct mlci_tracking_version **out, size_t *n);
	int (*alias_set)(struct mlci_tracking *t, const char *name,
			 const char *alias, const char *version);
	int (*alias_get)(struct mlci_tracking *t, const char *name,
			 const char *alias, char **version);
	int (*alias_delete)(struct mlci_tracking *t, const char *name,
			    const char *alias);
	/* The rest may be NULL: see the wrappers for what that means. */
	int (*version_set_stage)(struct mlci_tracking *t, const char *name,
				 const char *version, const char *stage,
				 int archive_existing);
	char *(*run_url)(struct mlci_tracking *t, const char *experiment_id,
			 const char *run_id);
	/*
	 * Write local_file as path below the artifact directory dir_uri, or
	 * read path below it into dest (atomically), for URIs that are not
	 * file: ones.
	 */
	int (*artifact_put)(struct mlci_tracking *t, const char *dir_uri,
			    const char *path, const char *local_file);
	int (*artifact_get)(struct mlci_tracking *t, const char *dir_uri,
			    const char *path, const char *dest);
};

/* An open store: the backend and its state (which the backend allocates). */
struct mlci_tracking {
	const struct mlci_tracking_ops *ops;
	char *uri;	/* as given */
	void *priv;	/* the backend's */
	/* The artifact URI of the run artifacts were last logged to. */
	char *artifact_run_id, *artifact_uri;
};

/*
 * Open the store named by uri:
 *   sqlite:///rel/path.db, sqlite:////abs/path.db  MLflow's SQL schema
 *   file:/abs, file:///abs, file:rel, or a bare path  MLflow's mlruns/ layout
 *   http://, https://  an MLflow tracking server's REST API
 * artifact_root (SQLite only; NULL: "./mlruns", as MLflow) is where
 * experiments' artifacts go, resolved against the current directory into
 * an absolute file:// URI. A new or empty SQLite file gets MLflow 2.12's
 * schema; an existing one must be at a revision we can write. *out is the
 * caller's, closed with mlci_tracking_close(). Returns 0, -MLCI_EXIT_INPUT
 * (unknown scheme, a database we must not write), -MLCI_EXIT_SYSTEM.
 */
int mlci_tracking_open(struct mlci_tracking **out, const char *uri,
		       const char *artifact_root);

/* Close and free t (NULL is fine). */
void mlci_tracking_close(struct mlci_tracking *t);

/*
 * One deadline for everything the process sends to a tracking server, on
 * mlci_monotonic() (0: none; the default), taken by stores opened after.
 */
void mlci_tracking_set_deadline(double deadline);
double mlci_tracking_deadline(void);

/*
 * The run's page in the server's web UI, a new string; NULL for stores
 * without one (SQLite, file).
 */
char *mlci_tracking_run_url(struct mlci_tracking *t, const char *experiment_id,
			    const char *run_id);

/*
 * The experiment called name, created (artifact location
 * <root>/<id>) when there is none; *created says which. An experiment
 * that exists but is deleted is refused (-MLCI_EXIT_INPUT).
 */
int mlci_tracking_experiment_get_or_create(struct mlci_tracking *t,
					   const char *name,
					   struct mlci_tracking_experiment *out,
					   int *created);

/*
 * Start a run as spec says, tagged mlflow.runName (and the idempotency
 * key). With an idempotency key, in one transaction (SQLite) or under the
 * store's lock (file store): an active run of the experiment carrying the
 * key is taken instead of a new one; if it is not FINISHED it is set back
 * to RUNNING (end time cleared), so a re-run job finishes what an earlier
 * attempt left FAILED, KILLED or RUNNING; a FINISHED one is returned as it
 * is. *created is 1 for a new run. out receives the run and its data.
 */
int mlci_tracking_run_start(struct mlci_tracking *t,
			    const struct mlci_tracking_run_spec *spec,
			    struct mlci_tracking_run *out, int *created);

/*
 * The active run of experiment_id tagged key = value (the most recently
 * started one when several are); *found 0 leaves out empty.
 */
int mlci_tracking_run_find_by_tag(struct mlci_tracking *t,
				  const char *experiment_id, const char *key,
				  const char *value,
				  struct mlci_tracking_run *out, int *found);

/* The run and its tags, params and latest metrics; unknown -> -3. */
int mlci_tracking_run_get(struct mlci_tracking *t, const char *run_id,
			  struct mlci_tracking_run *out);

/*
 * Set a run's status (MLCI_RUN_*; anything else is -3) and end time
 * (< 0: left as it is).
 */
int mlci_tracking_run_update(struct mlci_tracking *t, const char *run_id,
			     const char *status, int64_t end_time);

/*
 * Check a batch as MLflow does (mlci_tracking_validate_batch()), then log
 * it in one transaction: every metric point appended to its history (an
 * identical point again is a no-op), the newest per key kept as latest;
 * params written once (the same value again is fine, another value is an
 * error with MLflow's wording); tags set or replaced (mlflow.runName also
 * renames the run).
 */
int mlci_tracking_log_batch(struct mlci_tracking *t, const char *run_id,
			    const struct mlci_tracking_batch *b);

/*
 * Log any number of metrics, params and tags (all, borrowed) as
 * mlci_tracking_log_batch() calls that each stay within MLflow's limits
 * (MLCI_TRACKING_MAX_*): params and tags first, then metrics in order.
 */
int mlci_tracking_log_all(struct mlci_tracking *t, const char *run_id,
			  const struct mlci_tracking_batch *all);

/*
 * Every point of the metric key of the run, ordered by step, timestamp,
 * value. *out (keys owned) is freed with mlci_tracking_metrics_free().
 * An unknown key gives *n == 0.
 */
int mlci_tracking_metric_history(struct mlci_tracking *t, const char *run_id,
				 const char *key,
				 struct mlci_tracking_metric **out, size_t *n);
void mlci_tracking_metrics_free(struct mlci_tracking_metric *m, size_t n);

/*
 * Copy the regular file (or the directory tree) at local_path into the
 * run's artifact directory, under subdir (NULL or "" for the top), keeping
 * its base name. Each file is written atomically: into a file:// artifact
 * URI directly, into others through the store (an MLflow server's
 * mlflow-artifacts: proxy); any other URI is -MLCI_EXIT_INPUT.
 */
int mlci_tracking_log_artifact(struct mlci_tracking *t, const char *run_id,
			       const char *local_path, const char *subdir);

/*
 * Download the file path (relative, no "..") below the artifact directory
 * dir_uri (a run's artifact URI, or a model version's source) into dest,
 * atomically, as mlci_tracking_log_artifact() would have written it.
 */
int mlci_tracking_artifact_download(struct mlci_tracking *t,
				    const char *dir_uri, const char *path,
				    const char *dest);

/* The registered model name, created when missing; *created says which. */
int mlci_tracking_model_get_or_create(struct mlci_tracking *t,
				      const char *name, int *created);

/*
 * A new version of the registered model name (which must exist), status
 * READY, stage "None", numbered one above the highest so far within one
 * transaction or lock, so concurrent callers never get the same number.
 * A version of name already made from the same run_id and source is
 * returned instead (*created 0): a re-run CI job registers nothing twice.
 */
int mlci_tracking_version_create(struct mlci_tracking *t, const char *name,
				 const char *source, const char *run_id,
				 struct mlci_tracking_version *out,
				 int *created);

/* One version with its tags and aliases; unknown -> -3. */
int mlci_tracking_version_get(struct mlci_tracking *t, const char *name,
			      const char *version,
			      struct mlci_tracking_version *out);

/*
 * Move a version to stage (None, Staging, Production or Archived, any
 * case), and with archive_existing the other versions in that stage to
 * Archived: MLflow's deprecated stages, for servers older than aliases.
 * Stores without stages (SQLite and file here: use aliases) are
 * -MLCI_EXIT_INPUT.
 */
int mlci_tracking_version_set_stage(struct mlci_tracking *t, const char *name,
				    const char *version, const char *stage,
				    int archive_existing);

/* 0 when t keeps stages and stage is one of them, else -3 saying why. */
int mlci_tracking_check_stage(struct mlci_tracking *t, const char *stage);

/* Set (or replace) a tag on a version, checked as MLflow does. */
int mlci_tracking_version_set_tag(struct mlci_tracking *t, const char *name,
				  const char *version, const char *key,
				  const char *value);

/*
 * Every version of name, ascending, as a new array (*out) freed with
 * mlci_tracking_versions_free(). An unknown model is -3.
 */
int mlci_tracking_versions_list(struct mlci_tracking *t, const char *name,
				struct mlci_tracking_version **out, size_t *n);
void mlci_tracking_versions_free(struct mlci_tracking_version *v, size_t n);

/*
 * Point alias at version (moving it if set), read it (*version a new
 * string; a missing alias is -3 with MLflow's "Registered model alias X
 * not found."), delete it (missing is fine). Alias names are checked as
 * MLflow does: [A-Za-z0-9_-], at most 255, not "latest", not v<digits>.
 */
int mlci_tracking_alias_set(struct mlci_tracking *t, const char *name,
			    const char *alias, const char *version);
int mlci_tracking_alias_get(struct mlci_tracking *t, const char *name,
			    const char *alias, char **version);
int mlci_tracking_alias_delete(struct mlci_tracking *t, const char *name,
			       const char *alias);

/* MLflow's limits (mlflow/utils/validation.py). */
#define MLCI_TRACKING_MAX_METRICS 1000
#define MLCI_TRACKING_MAX_PARAMS_TAGS 100
#define MLCI_TRACKING_MAX_ENTITIES 1000
#define MLCI_TRACKING_MAX_KEY 250
#define MLCI_TRACKING_MAX_PARAM_VALUE 6000
#define MLCI_TRACKING_MAX_TAG_VALUE 5000
#define MLCI_TRACKING_MAX_ALIAS 255

/*
 * Check a batch with MLflow's rules and messages: counts, key characters
 * ("Invalid metric name: 'x'. Names may only contain ..."), keys that would
 * resolve to another path, lengths (values are refused, never truncated),
 * negative timestamps, duplicate param keys. Returns 0 or -MLCI_EXIT_INPUT
 * with the message.
 */
int mlci_tracking_validate_batch(const struct mlci_tracking_batch *b);

/*
 * Check one key: kind is "metric", "parameter" or "tag". 0 or -3.
 */
int mlci_tracking_validate_key(const char *kind, const char *key);

/* Check an alias name (see mlci_tracking_alias_set()). 0 or -3. */
int mlci_tracking_validate_alias(const char *alias);

/* Helpers shared by the backends. */

/*
 * An absolute file:// URI for path (relative paths resolved against the
 * current directory, "." and ".." segments removed, bytes outside
 * [A-Za-z0-9/._~-] percent-encoded), a new string.
 */
char *mlci_tracking_path_to_uri(const char *path);

/*
 * The local path of a file: URI (file:/p, file:///p, file://localhost/p,
 * percent-decoded), a new string; NULL when uri is not such a URI.
 */
char *mlci_tracking_uri_to_path(const char *uri);

/* Python's posixpath.normpath(s), a new string. */
char *mlci_tracking_normpath(const char *s);

/* A new run id: 32 hex digits (honours MLCI_SEED) into out[33]. */
void mlci_tracking_new_run_id(char out[33]);

/*
 * Python's repr() of a float as MLflow writes metric values to files:
 * shortest round trip, "nan", "inf", "-inf", and ".0" on integral values.
 */
void mlci_tracking_format_double(char *buf, size_t size, double v);

/* Create directory path and its parents (0777 less umask). 0 or -4. */
int mlci_tracking_mkdirs(const char *path);

/* qsort comparators on key, for the sorted arrays handed back. */
int mlci_tracking_kv_cmp(const void *a, const void *b);
int mlci_tracking_metric_cmp(const void *a, const void *b);

#endif
