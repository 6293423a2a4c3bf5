/* SPDX-License-Identifier: MIT */
/* Unit tests of the file tracking store: MLflow's mlruns/ layout byte for byte, read back by us and by PyYAML, eight racing writers. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlflow-file.h"
#include "strbuf.h"
#include "tracking-scenario.h"

#define PYTHON "/usr/bin/python3"

static char srcdir[PATH_MAX];

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *fp = fopen(path, "r");

	if (!fp)
		return NULL;
	strbuf_read_file_cap(&sb, fp, 1 << 20);
	fclose(fp);
	return strbuf_detach(&sb, NULL);
}

static void check_file(const char *path, const char *want, const char *name)
{
	char *got = slurp(path);

	CHECK_STR(got, want, name);
	free(got);
}

static void test_layout(const char *root, const char *exp, const char *run)
{
	char *p, *w;

	p = xstrfmt("%s/%s/meta.yaml", root, exp);
	w = xstrfmt("artifact_location: file://%s/%s\n"
		    "creation_time: 1700000000000\n"
		    "experiment_id: '%s'\n"
		    "last_update_time: 1700000000000\n"
		    "lifecycle_stage: active\n"
		    "name: Banking-main\n", root, exp, exp);
	check_file(p, w, "experiment meta.yaml");
	free(p);
	free(w);
	p = xstrfmt("%s/0/meta.yaml", root);
	w = xstrfmt("artifact_location: file://%s/0\n"
		    "creation_time: 1700000000000\n"
		    "experiment_id: '0'\n"
		    "last_update_time: 1700000000000\n"
		    "lifecycle_stage: active\n"
		    "name: Default\n", root);
	check_file(p, w, "the Default experiment");
	free(p);
	free(w);
	p = xstrfmt("%s/%s/%s/meta.yaml", root, exp, run);
	w = xstrfmt("artifact_uri: file://%s/%s/%s/artifacts\n"
		    "end_time: 1700000009999\n"
		    "entry_point_name: ''\n"
		    "experiment_id: '%s'\n"
		    "lifecycle_stage: active\n"
		    "run_id: %s\n"
		    "run_name: train\n"
		    "run_uuid: %s\n"
		    "source_name: ''\n"
		    "source_type: 4\n"
		    "source_version: ''\n"
		    "start_time: 1700000000000\n"
		    "status: 3\n"
		    "tags: []\n"
		    "user_id: alice\n", root, exp, run, exp, run, run);
	check_file(p, w, "run meta.yaml");
	free(p);
	free(w);
	p = xstrfmt("%s/%s/%s/metrics/accuracy", root, exp, run);
	check_file(p, "1700000000001 0.5 0\n1700000000002 0.75 1\n1700000000003 0.875 2\n",
		   "metric history: timestamp value step");
	free(p);
	p = xstrfmt("%s/%s/%s/metrics/loss", root, exp, run);
	check_file(p, "1700000000003 nan 2\n", "NaN as Python writes it");
	free(p);
	p = xstrfmt("%s/%s/%s/params/learning_rate", root, exp, run);
	check_file(p, "0.1", "a param, no newline");
	free(p);
	p = xstrfmt("%s/%s/%s/params/model/depth", root, exp, run);
	check_file(p, "3", "a slash in a key makes a directory");
	free(p);
	p = xstrfmt("%s/%s/%s/tags/mlflow.source.git.branch", root, exp, run);
	check_file(p, "main", "a tag, no newline");
	free(p);
	p = xstrfmt("%s/models/BankingModel-main/meta.yaml", root);
	check_file(p, "creation_timestamp: 1700000000000\n"
		   "description: null\n"
		   "last_updated_timestamp: 1700000000000\n"
		   "name: BankingModel-main\n", "registered model meta.yaml");
	free(p);
	p = xstrfmt("%s/models/BankingModel-main/version-1/meta.yaml", root);
	w = xstrfmt("creation_timestamp: 1700000000000\n"
		    "current_stage: None\n"
		    "description: null\n"
		    "last_updated_timestamp: 1700000000000\n"
		    "name: BankingModel-main\n"
		    "run_id: %s\n"
		    "run_link: null\n"
		    "source: runs:/%s/model\n"
		    "status: READY\n"
		    "status_message: null\n"
		    "storage_location: runs:/%s/model\n"
		    "user_id: null\n"
		    "version: 1\n", run, run, run);
	check_file(p, w, "version meta.yaml");
	free(p);
	free(w);
	p = xstrfmt("%s/models/BankingModel-main/aliases/champion", root);
	check_file(p, "2", "an alias file holds the version");
	free(p);
	p = xstrfmt("%s/models/BankingModel-main/version-1/tags/validation_status", root);
	check_file(p, "approved", "a version tag");
	free(p);
}

static void test_uris(const char *dir)
{
	struct mlci_tracking *t;
	char *uri = xstrfmt("file://%s/viauri", dir), *p;

	CHECK_INT(mlci_tracking_open(&t, uri, NULL), 0, "open a file:// URI");
	mlci_tracking_close(t);
	p = xstrfmt("%s/viauri/0/meta.yaml", dir);
	CHECK(access(p, F_OK) == 0, "file:///abs makes the store at /abs");
	free(p);
	free(uri);
	uri = xstrfmt("file:%s/viauri2", dir);
	CHECK_INT(mlci_tracking_open(&t, uri, NULL), 0, "open a file:/abs URI");
	mlci_tracking_close(t);
	free(uri);
	CHECK_INT(mlci_tracking_open(&t, "bare-path", NULL), 0,
		  "a bare relative path is a file store");
	mlci_tracking_close(t);
	p = xstrfmt("%s/bare-path/0/meta.yaml", dir);
	CHECK(access(p, F_OK) == 0, "the bare path is resolved against the cwd");
	free(p);
}

int main(void)
{
	char tmpl[] = "/tmp/mlci-file-XXXXXX", *dir, *root, *cmd;
	char *run_id = NULL, *exp_id = NULL;

	if (!getcwd(srcdir, sizeof(srcdir)) || !(dir = mkdtemp(tmpl)) ||
	    chdir(dir)) {
		perror("setup");
		return 1;
	}
	/* Race first: forked writers would inherit a seeded stream. */
	root = xstrfmt("%s/race", dir);
	scenario_concurrent(root, 8);
	free(root);
	setenv("MLCI_NOW", "1700000000", 1);
	setenv("MLCI_SEED", "7", 1);
	root = xstrfmt("%s/mlruns", dir);
	scenario_log_and_register(root, dir, &run_id, &exp_id,
				  &scenario_local);
	CHECK(exp_id && strlen(exp_id) == 18 &&
	      strspn(exp_id, "0123456789") == 18,
	      "an 18-digit experiment id, as MLflow's file store makes");
	if (exp_id && run_id) {
		test_layout(root, exp_id, run_id);
		cmd = xstrfmt(PYTHON " %s/tests/tools/check-mlflow-file.py %s %s",
			      srcdir, root, run_id);
		CHECK_INT(scenario_sh(cmd), 0,
			  "PyYAML reads the store as MLflow's FileStore does");
		free(cmd);
	}
	test_uris(dir);
	if (chdir(srcdir))
		perror(srcdir);
	cmd = xstrfmt("rm -rf '%s'", dir);
	if (!unit_failed)
		scenario_sh(cmd);
	free(cmd);
	free(root);
	free(run_id);
	free(exp_id);
	return unit_done();
}
