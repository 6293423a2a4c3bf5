/* SPDX-License-Identifier: MIT */
/* Unit tests of the SQLite tracking store: MLflow 2.12's exact schema, a run and a registered model read back by us, sqlite3 and Python, eight racing writers. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlflow-sqlite.h"
#include "strbuf.h"
#include "tracking-scenario.h"

#define PYTHON "/usr/bin/python3"

static char srcdir[PATH_MAX];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	struct strbuf cmd = STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	rc = scenario_sh(cmd.buf);
	strbuf_release(&cmd);
	return rc;
}

static void test_schema(const char *db)
{
	char *golden = xstrfmt("%s/tests/tools/mlflow-2.12.2.schema", srcdir);

	/* Debian's sqlite3 prints the schema exactly as for MLflow's own file. */
	CHECK_INT(sh("sqlite3 '%s' .schema | cmp -s - '%s'", db, golden), 0,
		  "sqlite3 .schema equals MLflow 2.12.2's, byte for byte");
	CHECK_INT(sh("test \"$(sqlite3 '%s' 'SELECT version_num FROM alembic_version')\" = %s",
		     db, MLCI_MLFLOW_SQLITE_REVISION), 0,
		  "sqlite3 reads the alembic revision");
	CHECK_INT(sh("test \"$(sqlite3 '%s' \"SELECT experiment_id || '|' || name || '|' || lifecycle_stage FROM experiments WHERE experiment_id = 0\")\" = '0|Default|active'",
		     db), 0, "the Default experiment 0");
	free(golden);
}

static void test_python(const char *db, const char *run_id)
{
	char *cmd = xstrfmt(PYTHON " %s/tests/tools/check-mlflow-sqlite.py %s %s/tests/tools/mlflow-2.12.2.schema %s",
			    srcdir, db, srcdir, run_id);

	CHECK_INT(scenario_sh(cmd), 0,
		  "python's sqlite3: tables, columns, keys, indexes, revision and the logged data");
	free(cmd);
}

static void test_sqlite3_data(const char *db, const char *run_id)
{
	CHECK_INT(sh("test \"$(sqlite3 '%s' \"SELECT group_concat(value || '@' || step, ',') FROM (SELECT * FROM metrics WHERE run_uuid = '%s' AND key = 'accuracy' ORDER BY step)\")\" = '0.5@0,0.75@1,0.875@2'",
		     db, run_id), 0, "sqlite3 reads the metric history");
	CHECK_INT(sh("test \"$(sqlite3 '%s' \"SELECT status || '|' || name || '|' || user_id FROM runs WHERE run_uuid = '%s'\")\" = 'FINISHED|train|alice'",
		     db, run_id), 0, "sqlite3 reads the run");
	CHECK_INT(sh("test \"$(sqlite3 '%s' \"SELECT group_concat(alias || '=' || version, ',') FROM (SELECT * FROM registered_model_aliases ORDER BY alias)\")\" = 'challenger=1,champion=2'",
		     db), 0, "sqlite3 reads the aliases");
	CHECK_INT(sh("test \"$(sqlite3 '%s' 'PRAGMA integrity_check')\" = ok",
		     db), 0, "integrity_check ok");
}

static void test_revisions(const char *dir)
{
	struct mlci_tracking *t = NULL;
	char *db = xstrfmt("%s/rev.db", dir), *uri = xstrfmt("sqlite:///%s", db);
	FILE *fp;

	CHECK_INT(mlci_tracking_open(&t, uri, "mlruns"), 0, "create rev.db");
	mlci_tracking_close(t);
	CHECK_INT(sh("sqlite3 '%s' \"UPDATE alembic_version SET version_num = 'f5a4f2784254'\"",
		     db), 0, "stamp MLflow 2.17's revision");
	CHECK_INT(mlci_tracking_open(&t, uri, "mlruns"), 0,
		  "a later revision that keeps our columns is written");
	mlci_tracking_close(t);
	mlci_set_quiet(1);
	CHECK_INT(sh("sqlite3 '%s' \"UPDATE alembic_version SET version_num = '0584bdc529eb'\"",
		     db), 0, "stamp an unknown later revision");
	CHECK_INT(mlci_tracking_open(&t, uri, "mlruns"), -MLCI_EXIT_INPUT,
		  "an unknown revision is refused");
	CHECK_INT(sh("sqlite3 '%s' \"UPDATE alembic_version SET version_num = '97727af70f4d'\"",
		     db), 0, "stamp an older revision");
	CHECK_INT(mlci_tracking_open(&t, uri, "mlruns"), -MLCI_EXIT_INPUT,
		  "an out-of-date schema is refused");
	free(uri);
	free(db);
	db = xstrfmt("%s/not.db", dir);
	uri = xstrfmt("sqlite:///%s", db);
	fp = fopen(db, "w");
	if (fp) {
		fputs("this is not a database, it is a text file of some length\n", fp);
		fclose(fp);
	}
	CHECK_INT(mlci_tracking_open(&t, uri, "mlruns"), -MLCI_EXIT_INPUT,
		  "a file that is not a database is bad input");
	CHECK_INT(mlci_tracking_open(&t, "sqlite://", NULL), -MLCI_EXIT_INPUT,
		  "sqlite:// without a path");
	mlci_set_quiet(0);
	free(uri);
	free(db);
}

int main(void)
{
	char tmpl[] = "/tmp/mlci-sqlite-XXXXXX", *dir, *db, *uri;
	char *run_id = NULL, *exp_id = NULL, *cmd;

	if (!getcwd(srcdir, sizeof(srcdir)) || !(dir = mkdtemp(tmpl))) {
		perror("setup");
		return 1;
	}
	/* Artifacts go to ./mlruns, as in MLflow: run inside the scratch dir. */
	if (chdir(dir)) {
		perror(dir);
		return 1;
	}
	/*
	 * Race first: the writers are forked, and a seeded stream (MLCI_SEED)
	 * would be inherited and give each of them the same run id.
	 */
	uri = xstrfmt("sqlite:///%s/race.db", dir);
	scenario_concurrent(uri, 8);
	free(uri);
	setenv("MLCI_NOW", "1700000000", 1);
	setenv("MLCI_SEED", "7", 1);
	db = xstrfmt("%s/mlflow.db", dir);
	uri = xstrfmt("sqlite:///%s", db);
	scenario_log_and_register(uri, dir, &run_id, &exp_id,
				  &scenario_local);
	CHECK_STR(exp_id, "1", "the first experiment gets id 1, as in MLflow");
	cmd = xstrfmt("test -f '%s/mlruns/%s/%s/artifacts/model/model.bin'",
		      dir, exp_id ? exp_id : "", run_id ? run_id : "");
	CHECK_INT(scenario_sh(cmd), 0,
		  "artifacts under ./mlruns/<exp>/<run>/artifacts");
	free(cmd);
	test_schema(db);
	test_sqlite3_data(db, run_id ? run_id : "");
	test_python(db, run_id ? run_id : "");
	free(uri);
	test_revisions(dir);
	if (chdir(srcdir))
		perror(srcdir);
	cmd = xstrfmt("rm -rf '%s'", dir);
	if (!unit_failed)
		scenario_sh(cmd);
	free(cmd);
	free(db);
	free(run_id);
	free(exp_id);
	return unit_done();
}
