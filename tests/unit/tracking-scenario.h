/* SPDX-License-Identifier: MIT */
/* The checks every tracking backend must pass: log a run, register a model, re-run a job, race eight writers. */
#ifndef MLCI_TRACKING_SCENARIO_H
#define MLCI_TRACKING_SCENARIO_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracking.h"
#include "unit.h"
#include "usage.h"
#include "wrapper.h"

/* Run a shell command; its exit status. */
static inline int scenario_sh(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static inline const char *scenario_kv(const struct mlci_tracking_kv *kv,
				      size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

/* What a store does its own way. */
struct scenario_store {
	const char *artifact_scheme;	/* "file:///", "mlflow-artifacts:/" */
	/*
	 * 1 when a run taken up again has its end time cleared (SQLite, file);
	 * MLflow's REST API can set an end time but not clear one.
	 */
	int clears_end_time;
	/* 1 when a run started without a name is called run-<8 hex digits>. */
	int names_runs;
};

static const struct scenario_store scenario_local = { "file:///", 1, 1 };

/*
 * Log a run with tags, params and a metric history, re-run it, register
 * two versions with an alias and a tag, and read everything back. *run_id
 * and *exp_id receive the first run's ids (new strings). dir is a scratch
 * directory for an artifact.
 */
static inline void scenario_log_and_register(const char *uri, const char *dir,
					     char **run_id, char **exp_id,
					     const struct scenario_store *st)
{
	size_t scheme = strlen(st->artifact_scheme);
	struct mlci_tracking *t;
	struct mlci_tracking_experiment e;
	struct mlci_tracking_run r, r2;
	struct mlci_tracking_version v;
	struct mlci_tracking_version *vs = NULL;
	struct mlci_tracking_metric *h = NULL;
	size_t nh = 0, nv = 0;
	char *ver = NULL, *path, *source, *id;
	int created = -1, found;
	const struct mlci_tracking_kv tags[] = {
		{ "mlflow.source.git.commit", "0123456789abcdef0123456789abcdef01234567" },
		{ "mlflow.source.git.branch", "main" },
		{ "mlflow.source.git.repoURL", "https://github.com/acme/bank" },
		{ "mlflow.source.name", "ml-register" },
		{ "mlflow.source.type", "JOB" },
		{ "mlflow.user", "alice" },
		{ "mlci.dataset.sha256", "e3b0c44298fc1c149afbf4c8996fb924" },
	};
	struct mlci_tracking_run_spec spec = {
		.experiment_id = NULL, .run_name = "train", .user_id = "alice",
		.start_time = 1700000000000, .tags = tags,
		.ntags = sizeof(tags) / sizeof(*tags),
		.idempotency_key = "acme/bank:run-42:1",
	};
	const struct mlci_tracking_metric metrics[] = {
		{ "accuracy", 0.5, 1700000000001, 0 },
		{ "accuracy", 0.75, 1700000000002, 1 },
		{ "accuracy", 0.875, 1700000000003, 2 },
		{ "loss", NAN, 1700000000003, 2 },
	};
	const struct mlci_tracking_kv params[] = {
		{ "learning_rate", "0.1" }, { "model/depth", "3" },
	};
	struct mlci_tracking_batch b = { metrics, 4, params, 2, NULL, 0 };
	const struct mlci_tracking_kv changed[] = { { "learning_rate", "0.2" } };
	struct mlci_tracking_batch bad = { NULL, 0, changed, 1, NULL, 0 };

	CHECK_INT(mlci_tracking_open(&t, uri, NULL), 0, "open the store");
	if (!t)
		return;
	CHECK_INT(mlci_tracking_experiment_get_or_create(t, "Banking-main", &e,
							 &created), 0,
		  "create the experiment");
	CHECK_INT(created, 1, "the experiment is new");
	*exp_id = xstrdup(e.id);
	CHECK(e.artifact_location &&
	      !strncmp(e.artifact_location, st->artifact_scheme, scheme),
	      "the artifact location is an absolute URI of the store's scheme");
	mlci_tracking_experiment_release(&e);
	CHECK_INT(mlci_tracking_experiment_get_or_create(t, "Banking-main", &e,
							 &created), 0,
		  "get the experiment again");
	CHECK_INT(created, 0, "the experiment is not created twice");
	CHECK_STR(e.id, *exp_id, "the same experiment id");
	mlci_tracking_experiment_release(&e);

	spec.experiment_id = *exp_id;
	CHECK_INT(mlci_tracking_run_start(t, &spec, &r, &created), 0,
		  "start the run");
	CHECK_INT(created, 1, "the run is new");
	CHECK_INT(r.run_id ? strlen(r.run_id) : 0, 32, "32-digit run id");
	*run_id = xstrdup(r.run_id ? r.run_id : "");
	CHECK_STR(r.status, "RUNNING", "a new run is RUNNING");
	CHECK_STR(r.run_name, "train", "the run name");
	CHECK_STR(scenario_kv(r.tags, r.ntags, "mlflow.runName"), "train",
		  "mlflow.runName tag");
	CHECK_STR(scenario_kv(r.tags, r.ntags, "mlci.idempotency_key"),
		  "acme/bank:run-42:1", "the idempotency tag");
	CHECK_STR(scenario_kv(r.tags, r.ntags, "mlflow.source.git.commit"),
		  tags[0].value, "the commit tag");
	path = xstrfmt("/%s/artifacts", r.run_id);
	CHECK(r.artifact_uri && strstr(r.artifact_uri, path) &&
	      !strncmp(r.artifact_uri, st->artifact_scheme, scheme),
	      "artifact URI <root>/<exp>/<run>/artifacts");
	free(path);
	mlci_tracking_run_release(&r);

	CHECK_INT(mlci_tracking_log_batch(t, *run_id, &b), 0, "log a batch");
	CHECK_INT(mlci_tracking_log_batch(t, *run_id, &b), 0,
		  "the same batch again is accepted");
	mlci_set_quiet(1);
	CHECK_INT(mlci_tracking_log_batch(t, *run_id, &bad), -MLCI_EXIT_INPUT,
		  "changing a param is refused");
	mlci_set_quiet(0);
	CHECK_INT(mlci_tracking_metric_history(t, *run_id, "accuracy", &h, &nh),
		  0, "read the metric history");
	CHECK_INT(nh, 3, "three points, duplicates not repeated");
	if (nh == 3) {
		CHECK_NEAR(h[0].value, 0.5, 0, "point 0");
		CHECK_INT(h[1].step, 1, "point 1 step");
		CHECK_INT(h[2].timestamp, 1700000000003, "point 2 timestamp");
	}
	mlci_tracking_metrics_free(h, nh);

	path = xstrfmt("%s/model.bin", dir);
	{
		FILE *fp = fopen(path, "w");

		if (fp) {
			fputs("weights\n", fp);
			fclose(fp);
		}
	}
	CHECK_INT(mlci_tracking_log_artifact(t, *run_id, path, "model"), 0,
		  "log an artifact");
	free(path);
	CHECK_INT(mlci_tracking_run_update(t, *run_id, MLCI_RUN_FINISHED,
					   1700000009999), 0, "finish the run");

	CHECK_INT(mlci_tracking_run_get(t, *run_id, &r), 0, "read the run back");
	CHECK_STR(r.status, "FINISHED", "status FINISHED");
	CHECK_INT(r.end_time, 1700000009999, "end time");
	CHECK_INT(r.start_time, 1700000000000, "start time");
	CHECK_STR(r.user_id, "alice", "user id");
	CHECK_STR(scenario_kv(r.params, r.nparams, "learning_rate"), "0.1",
		  "param kept its first value");
	CHECK_STR(scenario_kv(r.params, r.nparams, "model/depth"), "3",
		  "a param key with a slash");
	CHECK_INT(r.nmetrics, 2, "two latest metrics");
	if (r.nmetrics == 2) {
		CHECK_STR(r.metrics[0].key, "accuracy", "latest accuracy key");
		CHECK_NEAR(r.metrics[0].value, 0.875, 0, "latest accuracy");
		CHECK(isnan(r.metrics[1].value), "latest loss is NaN");
	}
	{
		char *back = xstrfmt("%s/model.back", dir), buf[32] = "";
		FILE *fp;

		CHECK_INT(mlci_tracking_artifact_download(t, r.artifact_uri,
							  "model/model.bin",
							  back), 0,
			  "download the artifact from <artifact_uri>/model/");
		if ((fp = fopen(back, "r"))) {
			if (!fgets(buf, sizeof(buf), fp))
				buf[0] = '\0';
			fclose(fp);
		}
		CHECK_STR(buf, "weights\n", "the artifact's bytes came back");
		free(back);
	}
	mlci_tracking_run_release(&r);

	/* A CI job run again: the same key finds the finished run. */
	CHECK_INT(mlci_tracking_run_start(t, &spec, &r, &created), 0,
		  "start the run again");
	CHECK_INT(created, 0, "no second run");
	CHECK_STR(r.run_id, *run_id, "the same run");
	CHECK_STR(r.status, "FINISHED", "a finished run stays finished");
	mlci_tracking_run_release(&r);
	CHECK_INT(mlci_tracking_run_find_by_tag(t, *exp_id,
						"mlflow.source.git.branch",
						"main", &r, &found), 0,
		  "search by tag");
	CHECK(found && r.run_id && !strcmp(r.run_id, *run_id),
	      "search by tag finds the run");
	mlci_tracking_run_release(&r);

	/* An attempt that failed is finished by the next one. */
	spec.idempotency_key = "acme/bank:run-43:1";
	spec.run_name = NULL;
	CHECK_INT(mlci_tracking_run_start(t, &spec, &r, &created), 0,
		  "start a second job's run");
	CHECK_INT(created, 1, "a new key, a new run");
	CHECK(r.run_name && *r.run_name &&
	      (!st->names_runs || !strncmp(r.run_name, "run-", 4)),
	      "a default run name");
	id = xstrdup(r.run_id);
	mlci_tracking_run_release(&r);
	CHECK_INT(mlci_tracking_run_update(t, id, MLCI_RUN_FAILED,
					   1700000001000), 0, "it fails");
	CHECK_INT(mlci_tracking_run_start(t, &spec, &r2, &created), 0,
		  "the job is re-run");
	CHECK_INT(created, 0, "no new run for the re-run");
	CHECK_STR(r2.run_id, id, "the failed run is taken up");
	CHECK_STR(r2.status, "RUNNING", "and set RUNNING again");
	if (st->clears_end_time)
		CHECK_INT(r2.end_time, -1, "its end time cleared");
	mlci_tracking_run_release(&r2);

	/* The registry. */
	CHECK_INT(mlci_tracking_model_get_or_create(t, "BankingModel-main",
						    &created), 0,
		  "create the registered model");
	CHECK_INT(created, 1, "the model is new");
	CHECK_INT(mlci_tracking_model_get_or_create(t, "BankingModel-main",
						    &created), 0,
		  "get the registered model");
	CHECK_INT(created, 0, "the model is not created twice");
	source = xstrfmt("runs:/%s/model", *run_id);
	CHECK_INT(mlci_tracking_version_create(t, "BankingModel-main", source,
					       *run_id, &v, &created), 0,
		  "create version 1");
	CHECK_STR(v.version, "1", "version 1");
	CHECK_STR(v.status, "READY", "READY");
	CHECK_STR(v.current_stage, "None", "stage None");
	CHECK_INT(created, 1, "created");
	mlci_tracking_version_release(&v);
	CHECK_INT(mlci_tracking_version_create(t, "BankingModel-main", source,
					       *run_id, &v, &created), 0,
		  "register the same run again");
	CHECK_STR(v.version, "1", "the same version comes back");
	CHECK_INT(created, 0, "no second version");
	mlci_tracking_version_release(&v);
	free(source);
	source = xstrfmt("runs:/%s/model", id);
	CHECK_INT(mlci_tracking_version_create(t, "BankingModel-main", source,
					       id, &v, &created), 0,
		  "create version 2");
	CHECK_STR(v.version, "2", "version 2");
	mlci_tracking_version_release(&v);
	free(source);
	CHECK_INT(mlci_tracking_alias_set(t, "BankingModel-main", "champion",
					  "1"), 0, "set an alias");
	CHECK_INT(mlci_tracking_alias_get(t, "BankingModel-main", "champion",
					  &ver), 0, "get the alias");
	CHECK_STR(ver, "1", "champion -> 1");
	free(ver);
	CHECK_INT(mlci_tracking_alias_set(t, "BankingModel-main", "champion",
					  "2"), 0, "move the alias");
	CHECK_INT(mlci_tracking_alias_set(t, "BankingModel-main", "challenger",
					  "1"), 0, "a second alias");
	CHECK_INT(mlci_tracking_alias_set(t, "BankingModel-main", "gone",
					  "1"), 0, "a third alias");
	CHECK_INT(mlci_tracking_alias_delete(t, "BankingModel-main", "gone"),
		  0, "delete an alias");
	mlci_set_quiet(1);
	CHECK_INT(mlci_tracking_alias_get(t, "BankingModel-main", "gone", &ver),
		  -MLCI_EXIT_INPUT, "a deleted alias is gone");
	CHECK_INT(mlci_tracking_alias_set(t, "BankingModel-main", "x", "7"),
		  -MLCI_EXIT_INPUT, "an alias to a missing version");
	CHECK_INT(mlci_tracking_version_create(t, "NoSuchModel", "s", NULL, &v,
					       NULL), -MLCI_EXIT_INPUT,
		  "a version of a missing model");
	mlci_set_quiet(0);
	CHECK_INT(mlci_tracking_version_set_tag(t, "BankingModel-main", "1",
						"validation_status", "approved"),
		  0, "tag a version");
	CHECK_INT(mlci_tracking_versions_list(t, "BankingModel-main", &vs, &nv),
		  0, "list the versions");
	CHECK_INT(nv, 2, "two versions");
	if (nv == 2) {
		CHECK_STR(vs[0].version, "1", "first is 1");
		CHECK_STR(vs[0].run_id, *run_id, "version 1's run");
		CHECK_STR(scenario_kv(vs[0].tags, vs[0].ntags,
				      "validation_status"), "approved",
			  "version 1's tag");
		CHECK(vs[0].naliases == 1 && !strcmp(vs[0].aliases[0],
						     "challenger"),
		      "version 1's alias");
		CHECK(vs[1].naliases == 1 && !strcmp(vs[1].aliases[0],
						     "champion"),
		      "version 2's alias");
	}
	mlci_tracking_versions_free(vs, nv);
	free(id);
	mlci_tracking_close(t);

	/* Everything is still there for another process. */
	CHECK_INT(mlci_tracking_open(&t, uri, NULL), 0, "reopen the store");
	CHECK_INT(mlci_tracking_run_get(t, *run_id, &r), 0,
		  "read the run after reopening");
	CHECK_INT(r.nparams, 2, "both params");
	mlci_tracking_run_release(&r);
	mlci_tracking_close(t);
}

/*
 * Fork n writers that each open the store, get the experiment, start a
 * run, log to it and register a version of one model at once; then check
 * that every run is there and the versions are 1..n, each once.
 */
static inline void scenario_concurrent(const char *uri, int n)
{
	struct mlci_tracking *t;
	struct mlci_tracking_experiment e;
	struct mlci_tracking_version *vs = NULL;
	size_t nv = 0;
	pid_t pids[64];
	int ok = 1, seen[65] = { 0 };

	/* Call before anything random: children inherit a seeded stream. */
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct mlci_tracking_run r;
			struct mlci_tracking_version v;
			char key[32], *src;
			struct mlci_tracking_run_spec spec = { 0 };
			struct mlci_tracking_metric m[3];
			struct mlci_tracking_batch b = { m, 3, NULL, 0, NULL, 0 };
			int rc = 0;

			snprintf(key, sizeof(key), "job-%d", i);
			for (int k = 0; k < 3; k++) {
				m[k].key = "acc";
				m[k].value = i + k / 10.0;
				m[k].timestamp = 1000 + k;
				m[k].step = k;
			}
			rc |= mlci_tracking_open(&t, uri, NULL);
			if (rc)
				_exit(10);
			rc |= mlci_tracking_experiment_get_or_create(t, "Race", &e,
								     NULL);
			spec.experiment_id = e.id;
			spec.idempotency_key = key;
			spec.start_time = -1;
			rc |= mlci_tracking_run_start(t, &spec, &r, NULL);
			rc |= mlci_tracking_log_batch(t, r.run_id, &b);
			rc |= mlci_tracking_run_update(t, r.run_id,
						       MLCI_RUN_FINISHED, -1);
			rc |= mlci_tracking_model_get_or_create(t, "RaceModel",
								NULL);
			src = xstrfmt("runs:/%s/model", r.run_id);
			rc |= mlci_tracking_version_create(t, "RaceModel", src,
							   r.run_id, &v, NULL);
			free(src);
			mlci_tracking_version_release(&v);
			mlci_tracking_run_release(&r);
			mlci_tracking_experiment_release(&e);
			mlci_tracking_close(t);
			_exit(rc ? 11 : 0);
		}
	}
	for (int i = 0; i < n; i++) {
		int st;

		if (pids[i] < 0 || waitpid(pids[i], &st, 0) < 0 ||
		    !WIFEXITED(st) || WEXITSTATUS(st))
			ok = 0;
	}
	CHECK(ok, "every concurrent writer succeeds");
	CHECK_INT(mlci_tracking_open(&t, uri, NULL), 0, "open after the race");
	if (!t)
		return;
	CHECK_INT(mlci_tracking_experiment_get_or_create(t, "Race", &e, NULL),
		  0, "one experiment for all writers");
	for (int i = 0; i < n; i++) {
		struct mlci_tracking_run r;
		struct mlci_tracking_metric *h = NULL;
		size_t nh = 0;
		char key[32];
		int found = 0;

		snprintf(key, sizeof(key), "job-%d", i);
		mlci_tracking_run_find_by_tag(t, e.id, "mlci.idempotency_key",
					      key, &r, &found);
		if (!found || strcmp(r.status, "FINISHED"))
			ok = 0;
		if (found && (mlci_tracking_metric_history(t, r.run_id, "acc",
							   &h, &nh) || nh != 3))
			ok = 0;
		mlci_tracking_metrics_free(h, nh);
		mlci_tracking_run_release(&r);
	}
	CHECK(ok, "every writer's run is there, finished, with its history");
	CHECK_INT(mlci_tracking_versions_list(t, "RaceModel", &vs, &nv), 0,
		  "list the raced versions");
	CHECK_INT(nv, n, "one version per writer");
	ok = 1;
	for (size_t i = 0; i < nv; i++) {
		long v;

		if (mlci_parse_long(vs[i].version, 1, n, &v) || seen[v]++)
			ok = 0;
	}
	CHECK(ok, "version numbers 1..n, each once");
	mlci_tracking_versions_free(vs, nv);
	mlci_tracking_experiment_release(&e);
	mlci_tracking_close(t);
}

#endif
