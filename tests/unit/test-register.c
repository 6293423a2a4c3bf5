/* SPDX-License-Identifier: MIT */
/* mlci_register_fetch and the registry operations on MLflow's SQLite store and file store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "register.h"
#include "tracking.h"
#include "unit.h"
#include "usage.h"
#include "wrapper.h"

/*
 * A store with model "M": version 1 from a run with accuracy 0.75 whose
 * model folder holds model.json, alias champion on it; version 2 without
 * a run folder on disk.
 */
static void make_store(const char *uri, const char *dir)
{
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_experiment e;
	struct mlci_tracking_run r;
	struct mlci_tracking_version v;
	struct mlci_tracking_run_spec spec = { 0 };
	struct mlci_tracking_metric m = { "accuracy", 0.75, 1700000000000, 0 };
	struct mlci_tracking_batch b = { &m, 1, NULL, 0, NULL, 0 };
	char *model_dir = xstrfmt("%s/model", dir), *file, *source;
	int created;
	FILE *fp;

	mlci_tracking_experiment_init(&e);
	mlci_tracking_run_init(&r);
	mlci_tracking_version_init(&v);
	CHECK_INT(mlci_tracking_open(&t, uri, NULL), 0, "open the store");
	CHECK_INT(mlci_tracking_experiment_get_or_create(t, "E", &e, &created), 0,
		  "experiment");
	spec.experiment_id = e.id;
	CHECK_INT(mlci_tracking_run_start(t, &spec, &r, &created), 0, "run");
	CHECK_INT(mlci_tracking_log_batch(t, r.run_id, &b), 0, "metric");
	CHECK_INT(mlci_tracking_mkdirs(model_dir), 0, "model folder");
	file = xstrfmt("%s/model.json", model_dir);
	fp = fopen(file, "w");
	fputs("{\"format\": 1}\n", fp);
	fclose(fp);
	CHECK_INT(mlci_tracking_log_artifact(t, r.run_id, model_dir, NULL), 0,
		  "log the model folder");
	source = xstrfmt("%s/model", r.artifact_uri);
	CHECK_INT(mlci_tracking_model_get_or_create(t, "M", &created), 0, "model");
	CHECK_INT(mlci_tracking_version_create(t, "M", source, r.run_id, &v,
					       &created), 0, "version 1");
	mlci_tracking_version_release(&v);
	CHECK_INT(mlci_tracking_version_create(t, "M", "file:///nowhere/model",
					       NULL, &v, &created), 0, "version 2");
	CHECK_INT(mlci_tracking_alias_set(t, "M", "champion", "1"), 0, "alias");
	mlci_tracking_close(t);
	mlci_tracking_experiment_release(&e);
	mlci_tracking_run_release(&r);
	mlci_tracking_version_release(&v);
	free(model_dir);
	free(file);
	free(source);
}

static void test_fetch(const char *uri, const char *dir, const char *what)
{
	struct mlci_register_fetched f;
	char *out = xstrfmt("%s/out-%s", dir, what), *name;
	double acc = 0;
	cJSON *j;

	unit_name(what);
	make_store(uri, dir);
	CHECK_INT(mlci_register_fetch(uri, "models:/M@champion", out, &f), 0,
		  "fetch by alias");
	CHECK_STR(f.version, "1", "the alias's version");
	CHECK_STR(f.alias, "champion", "the alias kept");
	CHECK(f.run_id && strlen(f.run_id) == 32, "the version's run");
	CHECK(!mlci_json_get_number(f.metrics, "accuracy", &acc) && acc == 0.75,
	      "the run's metrics");
	name = xstrfmt("%s/model.json", out);
	CHECK_STR(f.model_path, name, "the model file inside out_dir");
	CHECK(access(name, R_OK) == 0, "the model file written");
	j = mlci_register_fetched_json(&f);
	CHECK_STR(mlci_json_get_string(j, "name"), "M", "json: name");
	CHECK(cJSON_IsObject(cJSON_GetObjectItem(j, "metrics")), "json: metrics");
	cJSON_Delete(j);
	mlci_register_fetched_release(&f);
	CHECK_INT(mlci_register_fetch(uri, "models:/M/1", out, &f), 0,
		  "fetch by version");
	CHECK(f.alias == NULL, "no alias when fetched by version");
	mlci_register_fetched_release(&f);

	mlci_set_quiet(1);
	CHECK_INT(mlci_register_fetch(uri, "models:/M@challenger", out, &f),
		  MLCI_REGISTER_NOT_FOUND, "a missing alias is not found");
	CHECK_INT(mlci_register_fetch(uri, "models:/M/7", out, &f),
		  MLCI_REGISTER_NOT_FOUND, "a missing version is not found");
	CHECK_INT(mlci_register_fetch(uri, "models:/Nobody@champion", out, &f),
		  MLCI_REGISTER_NOT_FOUND, "a missing model is not found");
	CHECK_INT(mlci_register_fetch(uri, "models:/M/2", out, &f),
		  -MLCI_EXIT_INPUT, "a version whose model file is gone");
	CHECK_INT(mlci_register_fetch(uri, "models:/M@latest", out, &f),
		  -MLCI_EXIT_INPUT, "an alias MLflow refuses is bad input");
	CHECK_INT(mlci_register_fetch(uri, "models:/M", out, &f),
		  -MLCI_EXIT_INPUT, "no version or alias");
	CHECK_INT(mlci_register_fetch(uri, "models:/M/1x", out, &f),
		  -MLCI_EXIT_INPUT, "a version that is not a number");
	CHECK_INT(mlci_register_fetch(uri, "runs:/abc/model", out, &f),
		  -MLCI_EXIT_INPUT, "not a models:/ URI");
	CHECK_INT(mlci_register_fetch(uri, "models:/@champion", out, &f),
		  -MLCI_EXIT_INPUT, "an empty name");
	mlci_set_quiet(0);

	CHECK_INT(mlci_register_set_alias(uri, "M", "champion", "2", 1), 0,
		  "dry run");
	CHECK_INT(mlci_register_fetch(uri, "models:/M@champion", out, &f), 0,
		  "still fetchable");
	CHECK_STR(f.version, "1", "a dry run moves nothing");
	mlci_register_fetched_release(&f);
	free(out);
	free(name);
}

static void test_job_key(void)
{
	char *k;

	unit_name("job key");
	unsetenv("GITHUB_RUN_ID");
	CHECK(mlci_register_job_key("E") == NULL, "no key outside CI");
	setenv("GITHUB_RUN_ID", "12", 1);
	setenv("GITHUB_REPOSITORY", "acme/bank", 1);
	setenv("GITHUB_JOB", "train", 1);
	setenv("GITHUB_RUN_ATTEMPT", "3", 1);
	setenv("MLCI_STEP_ID", "py3.11", 1);
	k = mlci_register_job_key("Banking-main");
	CHECK_STR(k, "acme/bank/12/train/py3.11/Banking-main",
		  "repository, run, job, step and experiment; not the attempt");
	free(k);
	unsetenv("GITHUB_RUN_ID");
}

static void test_uri(void)
{
	unit_name("tracking uri");
	unsetenv("MLFLOW_TRACKING_URI");
	CHECK_STR(mlci_register_tracking_uri(NULL), "sqlite:///mlflow.db", "default");
	setenv("MLFLOW_TRACKING_URI", "", 1);
	CHECK_STR(mlci_register_tracking_uri(NULL), "sqlite:///mlflow.db",
		  "an empty variable is unset");
	setenv("MLFLOW_TRACKING_URI", "file:/x", 1);
	CHECK_STR(mlci_register_tracking_uri(NULL), "file:/x", "the variable");
	CHECK_STR(mlci_register_tracking_uri("sqlite:///a.db"), "sqlite:///a.db",
		  "the option wins");
	unsetenv("MLFLOW_TRACKING_URI");
}

int main(void)
{
	char tmpl[] = "/tmp/mlci-register-XXXXXX", *dir, *uri, *sub;

	if (!(dir = mkdtemp(tmpl)) || chdir(dir)) {
		perror("setup");
		return 1;
	}
	setenv("MLCI_NOW", "1700000000", 1);
	sub = xstrfmt("%s/sq", dir);
	mlci_tracking_mkdirs(sub);
	uri = xstrfmt("sqlite:///%s/mlflow.db", sub);
	test_fetch(uri, sub, "sqlite");
	free(uri);
	free(sub);
	sub = xstrfmt("%s/fs", dir);
	mlci_tracking_mkdirs(sub);
	uri = xstrfmt("file:%s/mlruns", sub);
	test_fetch(uri, sub, "file");
	free(uri);
	free(sub);
	test_job_key();
	test_uri();
	if (!unit_failed)
		unit_remove_dir(dir);
	return unit_done();
}
