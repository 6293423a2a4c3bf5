/* SPDX-License-Identifier: MIT */
/* The tracking backend on SQLite in MLflow 2.12's schema: one BEGIN IMMEDIATE transaction per change. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "mlflow-sqlite.h"
#include "now.h"
#include "strbuf.h"
#include "tracking.h"
#include "usage.h"
#include "wrapper.h"

/*
 * The schema exactly as MLflow 2.12.2 leaves it after create_all() and its
 * alembic migrations (several tables were rebuilt by batch migrations,
 * hence the quoted names), in the order of its sqlite_master, so that the
 * automatic index names and every stored CREATE statement come out the
 * same and MLflow's later migrations find the constraints they expect.
 */
static const char *const schema_stmts[] = {
	"CREATE TABLE experiments (\n"
	"	experiment_id INTEGER NOT NULL, \n"
	"	name VARCHAR(256) NOT NULL, \n"
	"	artifact_location VARCHAR(256), \n"
	"	lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT, \n"
	"	CONSTRAINT experiment_pk PRIMARY KEY (experiment_id), \n"
	"	CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')), \n"
	"	UNIQUE (name)\n"
	")",
	"CREATE TABLE alembic_version (\n"
	"	version_num VARCHAR(32) NOT NULL, \n"
	"	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
	")",
	"CREATE TABLE experiment_tags (\n"
	"	\"key\" VARCHAR(250) NOT NULL, \n"
	"	value VARCHAR(5000), \n"
	"	experiment_id INTEGER NOT NULL, \n"
	"	CONSTRAINT experiment_tag_pk PRIMARY KEY (\"key\", experiment_id), \n"
	"	FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id)\n"
	")",
	"CREATE TABLE \"tags\" (\n"
	"	\"key\" VARCHAR(250) NOT NULL, \n"
	"	value VARCHAR(5000), \n"
	"	run_uuid VARCHAR(32) NOT NULL, \n"
	"	CONSTRAINT tag_pk PRIMARY KEY (\"key\", run_uuid), \n"
	"	FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)\n"
	")",
	"CREATE TABLE registered_models (\n"
	"	name VARCHAR(256) NOT NULL, \n"
	"	creation_time BIGINT, \n"
	"	last_updated_time BIGINT, \n"
	"	description VARCHAR(5000), \n"
	"	CONSTRAINT registered_model_pk PRIMARY KEY (name), \n"
	"	UNIQUE (name)\n"
	")",
	"CREATE TABLE \"runs\" (\n"
	"	run_uuid VARCHAR(32) NOT NULL, \n"
	"	name VARCHAR(250), \n"
	"	source_type VARCHAR(20), \n"
	"	source_name VARCHAR(500), \n"
	"	entry_point_name VARCHAR(50), \n"
	"	user_id VARCHAR(256), \n"
	"	status VARCHAR(9), \n"
	"	start_time BIGINT, \n"
	"	end_time BIGINT, \n"
	"	source_version VARCHAR(50), \n"
	"	lifecycle_stage VARCHAR(20), \n"
	"	artifact_uri VARCHAR(200), \n"
	"	experiment_id INTEGER, deleted_time BIGINT, \n"
	"	CONSTRAINT run_pk PRIMARY KEY (run_uuid), \n"
	"	CONSTRAINT source_type CHECK (source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')), \n"
	"	CONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')), \n"
	"	CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')), \n"
	"	FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id)\n"
	")",
	"CREATE TABLE registered_model_tags (\n"
	"	\"key\" VARCHAR(250) NOT NULL, \n"
	"	value VARCHAR(5000), \n"
	"	name VARCHAR(256) NOT NULL, \n"
	"	CONSTRAINT registered_model_tag_pk PRIMARY KEY (\"key\", name), \n"
	"	FOREIGN KEY(name) REFERENCES registered_models (name) ON UPDATE cascade\n"
	")",
	"CREATE TABLE model_version_tags (\n"
	"	\"key\" VARCHAR(250) NOT NULL, \n"
	"	value VARCHAR(5000), \n"
	"	name VARCHAR(256) NOT NULL, \n"
	"	version INTEGER NOT NULL, \n"
	"	CONSTRAINT model_version_tag_pk PRIMARY KEY (\"key\", name, version), \n"
	"	FOREIGN KEY(name, version) REFERENCES model_versions (name, version) ON UPDATE cascade\n"
	")",
	"CREATE TABLE \"model_versions\" (\n"
	"	name VARCHAR(256) NOT NULL, \n"
	"	version INTEGER NOT NULL, \n"
	"	creation_time BIGINT, \n"
	"	last_updated_time BIGINT, \n"
	"	description VARCHAR(5000), \n"
	"	user_id VARCHAR(256), \n"
	"	current_stage VARCHAR(20), \n"
	"	source VARCHAR(500), \n"
	"	run_id VARCHAR(32), \n"
	"	status VARCHAR(20), \n"
	"	status_message VARCHAR(500), \n"
	"	run_link VARCHAR(500), storage_location VARCHAR(500), \n"
	"	CONSTRAINT model_version_pk PRIMARY KEY (name, version), \n"
	"	FOREIGN KEY(name) REFERENCES registered_models (name) ON UPDATE CASCADE\n"
	")",
	"CREATE TABLE \"latest_metrics\" (\n"
	"	\"key\" VARCHAR(250) NOT NULL, \n"
	"	value FLOAT NOT NULL, \n"
	"	timestamp BIGINT, \n"
	"	step BIGINT NOT NULL, \n"
	"	is_nan BOOLEAN NOT NULL, \n"
	"	run_uuid VARCHAR(32) NOT NULL, \n"
	"	CONSTRAINT latest_metric_pk PRIMARY KEY (\"key\", run_uuid), \n"
	"	CHECK (is_nan IN (0, 1)), \n"
	"	FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)\n"
	")",
	"CREATE TABLE \"metrics\" (\n"
	"	\"key\" VARCHAR(250) NOT NULL, \n"
	"	value FLOAT NOT NULL, \n"
	"	timestamp BIGINT NOT NULL, \n"
	"	run_uuid VARCHAR(32) NOT NULL, \n"
	"	step BIGINT DEFAULT '0' NOT NULL, \n"
	"	is_nan BOOLEAN DEFAULT '0' NOT NULL, \n"
	"	CONSTRAINT metric_pk PRIMARY KEY (\"key\", timestamp, step, run_uuid, value, is_nan), \n"
	"	CHECK (is_nan IN (0, 1)), \n"
	"	FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)\n"
	")",
	"CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid)",
	"CREATE INDEX index_latest_metrics_run_uuid ON latest_metrics (run_uuid)",
	"CREATE INDEX index_tags_run_uuid ON tags (run_uuid)",
	"CREATE TABLE registered_model_aliases (\n"
	"	alias VARCHAR(256) NOT NULL, \n"
	"	version INTEGER NOT NULL, \n"
	"	name VARCHAR(256) NOT NULL, \n"
	"	CONSTRAINT registered_model_alias_pk PRIMARY KEY (name, alias), \n"
	"	CONSTRAINT registered_model_alias_name_fkey FOREIGN KEY(name) REFERENCES registered_models (name) ON DELETE cascade ON UPDATE cascade\n"
	")",
	"CREATE TABLE datasets (\n"
	"	dataset_uuid VARCHAR(36) NOT NULL, \n"
	"	experiment_id INTEGER NOT NULL, \n"
	"	name VARCHAR(500) NOT NULL, \n"
	"	digest VARCHAR(36) NOT NULL, \n"
	"	dataset_source_type VARCHAR(36) NOT NULL, \n"
	"	dataset_source TEXT NOT NULL, \n"
	"	dataset_schema TEXT, \n"
	"	dataset_profile TEXT, \n"
	"	CONSTRAINT dataset_pk PRIMARY KEY (experiment_id, name, digest), \n"
	"	FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id)\n"
	")",
	"CREATE INDEX index_datasets_experiment_id_dataset_source_type ON datasets (experiment_id, dataset_source_type)",
	"CREATE INDEX index_datasets_dataset_uuid ON datasets (dataset_uuid)",
	"CREATE TABLE inputs (\n"
	"	input_uuid VARCHAR(36) NOT NULL, \n"
	"	source_type VARCHAR(36) NOT NULL, \n"
	"	source_id VARCHAR(36) NOT NULL, \n"
	"	destination_type VARCHAR(36) NOT NULL, \n"
	"	destination_id VARCHAR(36) NOT NULL, \n"
	"	CONSTRAINT inputs_pk PRIMARY KEY (source_type, source_id, destination_type, destination_id)\n"
	")",
	"CREATE INDEX index_inputs_destination_type_destination_id_source_type ON inputs (destination_type, destination_id, source_type)",
	"CREATE INDEX index_inputs_input_uuid ON inputs (input_uuid)",
	"CREATE TABLE input_tags (\n"
	"	input_uuid VARCHAR(36) NOT NULL, \n"
	"	name VARCHAR(255) NOT NULL, \n"
	"	value VARCHAR(500) NOT NULL, \n"
	"	CONSTRAINT input_tags_pk PRIMARY KEY (input_uuid, name)\n"
	")",
	"CREATE TABLE \"params\" (\n"
	"	\"key\" VARCHAR(250) NOT NULL, \n"
	"	value VARCHAR(8000) NOT NULL, \n"
	"	run_uuid VARCHAR(32) NOT NULL, \n"
	"	CONSTRAINT param_pk PRIMARY KEY (\"key\", run_uuid), \n"
	"	FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)\n"
	")",
	"CREATE INDEX index_params_run_uuid ON params (run_uuid)",
};

size_t mlci_mlflow_sqlite_schema(const char *const **stmts)
{
	*stmts = schema_stmts;
	return sizeof(schema_stmts) / sizeof(*schema_stmts);
}

/* Revisions after ours that change nothing we write (MLflow 2.13-2.17). */
static const char *const later_ok[] = {
	"867495a8f9d4",	/* add trace tables */
	"5b0e9adcef9c",	/* cascade deletion on the trace tables */
	"4465047574b1",	/* MEDIUMTEXT dataset schema, MySQL only */
	"f5a4f2784254",	/* run tag values up to 8000: ours stay within 5000 */
};

/* The revisions before ours (MLflow 1.x-2.11): the file wants an upgrade. */
static const char *const earlier[] = {
	"451aebb31d03", "90e64c465722", "181f10493468", "df50e92ffc5e",
	"7ac759974ad8", "89d4b8295536", "2b4d017a5e9b", "cfd24bdc0731",
	"0a8213491aaa", "728d730b5ebd", "27a6a02d2cf1", "84291f40a231",
	"a8c4a736bde6", "39d1c3be5f05", "c48cb773bb87", "bd07f7e963c5",
	"0c779009ac13", "cc1f77228345", "97727af70f4d", "3500859a5d39",
	"7f2a7d5fae7d", "2d6e25af4d3e",
};

struct sq {
	sqlite3 *db;
	char *path;
	char *root_uri;
};

static struct sq *SQ(struct mlci_tracking *t)
{
	return t->priv;
}

static int db_error(struct sq *s, const char *what)
{
	int rc = sqlite3_errcode(s->db);
	int code = rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ?
		   MLCI_EXIT_INPUT : MLCI_EXIT_SYSTEM;

	return mlci_error(code, "%s: %s: %s", s->path, what,
			  sqlite3_errmsg(s->db));
}

/*
 * Prepare sql and bind its parameters from fmt: 's' a string (NULL binds
 * NULL), 'i' an int64_t, 'd' a double, 'n' NULL.
 */
static int vprep(struct sq *s, sqlite3_stmt **st, const char *sql,
		 const char *fmt, va_list ap)
{
	int i = 1;

	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_error(s, "cannot prepare a statement");
	for (const char *f = fmt; *f; f++, i++) {
		int rc = SQLITE_OK;

		switch (*f) {
		case 's': {
			const char *v = va_arg(ap, const char *);

			rc = v ? sqlite3_bind_text(*st, i, v, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(*st, i);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(*st, i, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_double(*st, i, va_arg(ap, double));
			break;
		default:
			rc = sqlite3_bind_null(*st, i);
			break;
		}
		if (rc != SQLITE_OK) {
			int ret = db_error(s, "cannot bind a value");

			sqlite3_finalize(*st);
			*st = NULL;
			return ret;
		}
	}
	return 0;
}

static int prep(struct sq *s, sqlite3_stmt **st, const char *sql,
		const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vprep(s, st, sql, fmt, ap);
	va_end(ap);
	return ret;
}

/* Run a statement that returns no rows. */
static int exec(struct sq *s, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int ret, rc;

	va_start(ap, fmt);
	ret = vprep(s, &st, sql, fmt, ap);
	va_end(ap);
	if (ret)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		ret = db_error(s, "cannot write");
	sqlite3_finalize(st);
	return ret;
}

/* Step st once: 1 for a row, 0 when done, negative on error. */
static int step(struct sq *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_error(s, "cannot read");
}

static char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	if (!v && sqlite3_column_type(st, i) != SQLITE_NULL)
		mlci_die("out of memory");
	return v ? xstrdup((const char *)v) : NULL;
}

static int64_t col_i64(sqlite3_stmt *st, int i, int64_t null)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? null :
	       (int64_t)sqlite3_column_int64(st, i);
}

static int begin(struct sq *s)
{
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return db_error(s, "cannot start a transaction");
	return 0;
}

/* Commit when ret is 0, else roll back; returns ret or the commit's error. */
static int end(struct sq *s, int ret)
{
	if (!ret) {
		if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) ==
		    SQLITE_OK)
			return 0;
		ret = db_error(s, "cannot commit");
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

/* A single text value (*out new, NULL when there is no row). */
static int query_str(struct sq *s, char **out, const char *sql,
		     const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int ret;

	*out = NULL;
	va_start(ap, fmt);
	ret = vprep(s, &st, sql, fmt, ap);
	va_end(ap);
	if (ret)
		return ret;
	ret = step(s, st);
	if (ret > 0) {
		*out = col_str(st, 0);
		if (!*out)
			*out = xstrdup("");
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

static int in_list(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, list[i]))
			return 1;
	return 0;
}

static int create_or_check_schema(struct sq *s)
{
	const char *const *stmts;
	size_t n = mlci_mlflow_sqlite_schema(&stmts);
	char *rev = NULL, *tables = NULL, *loc;
	int64_t now;
	int ret;

	if ((ret = begin(s)))
		return ret;
	if ((ret = query_str(s, &tables,
			     "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
			     "")))
		goto out;
	if (!strcmp(tables, "0")) {
		for (size_t i = 0; !ret && i < n; i++)
			ret = exec(s, stmts[i], "");
		if (!ret)
			ret = exec(s, "INSERT INTO alembic_version (version_num) VALUES (?)",
				   "s", MLCI_MLFLOW_SQLITE_REVISION);
		now = mlci_now_ms();
		loc = xstrfmt("%s/0", s->root_uri);
		if (!ret)
			ret = exec(s, "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, 'Default', ?, 'active', ?, ?)",
				   "sii", loc, now, now);
		free(loc);
		goto out;
	}
	free(tables);
	ret = query_str(s, &tables,
			"SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'",
			"");
	if (!ret && !tables) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s: not an MLflow database: it has tables but no alembic_version",
				 s->path);
		goto out;
	}
	free(tables);
	tables = NULL;
	if (!ret)
		ret = query_str(s, &rev, "SELECT version_num FROM alembic_version", "");
	if (ret)
		goto out;
	if (!rev)
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s: not an MLflow database: alembic_version is empty",
				 s->path);
	else if (!strcmp(rev, MLCI_MLFLOW_SQLITE_REVISION) ||
		 in_list(rev, later_ok, sizeof(later_ok) / sizeof(*later_ok)))
		ret = 0;
	else if (in_list(rev, earlier, sizeof(earlier) / sizeof(*earlier)))
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s: out-of-date database schema (alembic revision %s, we write %s, MLflow 2.12); run 'mlflow db upgrade sqlite:///%s' with MLflow 2.12 first",
				 s->path, rev, MLCI_MLFLOW_SQLITE_REVISION, s->path);
	else
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s: database schema at alembic revision %s, which this mlci does not know: it writes MLflow 2.12's schema (%s) and the MLflow 2.13-2.17 revisions that keep it, and refuses to write a schema whose migrations may have changed what it writes",
				 s->path, rev, MLCI_MLFLOW_SQLITE_REVISION);
out:
	free(rev);
	free(tables);
	return end(s, ret);
}

static void sq_close(struct mlci_tracking *t)
{
	struct sq *s = SQ(t);

	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s->root_uri);
	free(s);
	t->priv = NULL;
}

/* --- Reading ------------------------------------------------------------- */

static int load_kvs(struct sq *s, const char *sql, const char *id,
		    struct mlci_tracking_kv **out, size_t *n)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int ret;

	if ((ret = prep(s, &st, sql, "s", id)))
		return ret;
	while ((ret = step(s, st)) > 0) {
		char *v = col_str(st, 1);

		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[*n].key = col_str(st, 0);
		(*out)[*n].value = v ? v : xstrdup("");
		(*n)++;
	}
	sqlite3_finalize(st);
	return ret;
}

static double stored_value(sqlite3_stmt *st, int value_col, int nan_col)
{
	if (sqlite3_column_int(st, nan_col))
		return NAN;
	return sqlite3_column_double(st, value_col);
}

static int sq_run_get(struct mlci_tracking *t, const char *run_id,
		      struct mlci_tracking_run *r)
{
	struct sq *s = SQ(t);
	sqlite3_stmt *st;
	size_t alloc = 0;
	int ret;

	if ((ret = prep(s, &st, "SELECT run_uuid, experiment_id, name, user_id, status, lifecycle_stage, artifact_uri, start_time, end_time FROM runs WHERE run_uuid = ?",
			"s", run_id)))
		return ret;
	ret = step(s, st);
	if (ret > 0) {
		r->run_id = col_str(st, 0);
		r->experiment_id = col_str(st, 1);
		r->run_name = col_str(st, 2);
		r->user_id = col_str(st, 3);
		r->status = col_str(st, 4);
		r->lifecycle_stage = col_str(st, 5);
		r->artifact_uri = col_str(st, 6);
		r->start_time = col_i64(st, 7, -1);
		r->end_time = col_i64(st, 8, -1);
		ret = 0;
	} else if (!ret) {
		ret = mlci_error(MLCI_EXIT_INPUT, "Run with id=%s not found",
				 run_id);
	}
	sqlite3_finalize(st);
	if (ret)
		return ret;
	if ((ret = load_kvs(s, "SELECT key, value FROM tags WHERE run_uuid = ? ORDER BY key",
			    run_id, &r->tags, &r->ntags)) ||
	    (ret = load_kvs(s, "SELECT key, value FROM params WHERE run_uuid = ? ORDER BY key",
			    run_id, &r->params, &r->nparams)))
		goto fail;
	if ((ret = prep(s, &st, "SELECT key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = ? ORDER BY key",
			"s", run_id)))
		goto fail;
	while ((ret = step(s, st)) > 0) {
		struct mlci_tracking_metric *m;

		ALLOC_GROW(r->metrics, r->nmetrics + 1, alloc);
		m = &r->metrics[r->nmetrics++];
		m->key = col_str(st, 0);
		m->value = stored_value(st, 1, 4);
		m->timestamp = col_i64(st, 2, 0);
		m->step = col_i64(st, 3, 0);
	}
	sqlite3_finalize(st);
	if (!ret)
		return 0;
fail:
	mlci_tracking_run_release(r);
	return ret;
}

static int find_run(struct sq *s, const char *exp_id, const char *key,
		    const char *value, char **run_id)
{
	return query_str(s, run_id,
			 "SELECT r.run_uuid FROM runs r JOIN tags t ON t.run_uuid = r.run_uuid WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' AND t.key = ? AND t.value = ? ORDER BY r.start_time DESC, r.run_uuid LIMIT 1",
			 "sss", exp_id, key, value);
}

static int sq_run_find_by_tag(struct mlci_tracking *t, const char *exp_id,
			      const char *key, const char *value,
			      struct mlci_tracking_run *out, int *found)
{
	char *id = NULL;
	int ret = find_run(SQ(t), exp_id, key, value, &id);

	if (!ret && id) {
		*found = 1;
		ret = sq_run_get(t, id, out);
	}
	free(id);
	return ret;
}

/* --- Experiments and runs ------------------------------------------------- */

static int load_experiment(struct sq *s, const char *name,
			   struct mlci_tracking_experiment *e)
{
	sqlite3_stmt *st;
	int ret;

	if ((ret = prep(s, &st, "SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time FROM experiments WHERE name = ?",
			"s", name)))
		return ret;
	ret = step(s, st);
	if (ret > 0) {
		e->id = col_str(st, 0);
		e->name = col_str(st, 1);
		e->artifact_location = col_str(st, 2);
		e->lifecycle_stage = col_str(st, 3);
		e->creation_time = col_i64(st, 4, 0);
	}
	sqlite3_finalize(st);
	return ret < 0 ? ret : 0;
}

static int sq_experiment_get_or_create(struct mlci_tracking *t,
				       const char *name,
				       struct mlci_tracking_experiment *e,
				       int *created)
{
	struct sq *s = SQ(t);
	int64_t now = mlci_now_ms(), id;
	char *loc;
	int ret;

	*created = 0;
	if ((ret = begin(s)))
		return ret;
	if ((ret = load_experiment(s, name, e)) || e->id)
		goto out;
	if ((ret = exec(s, "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, NULL, 'active', ?, ?)",
			"sii", name, now, now)))
		goto out;
	id = (int64_t)sqlite3_last_insert_rowid(s->db);
	loc = xstrfmt("%s/%lld", s->root_uri, (long long)id);
	ret = exec(s, "UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
		   "si", loc, id);
	free(loc);
	if (!ret && !(ret = load_experiment(s, name, e)))
		*created = 1;
out:
	ret = end(s, ret);
	if (!ret && e->lifecycle_stage && strcmp(e->lifecycle_stage, "active"))
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Experiment '%s' is deleted; restore it or choose another name",
				 name);
	if (ret)
		mlci_tracking_experiment_release(e);
	return ret;
}

static int check_run_active(struct sq *s, const char *run_id)
{
	char *stage;
	int ret = query_str(s, &stage,
			    "SELECT lifecycle_stage FROM runs WHERE run_uuid = ?",
			    "s", run_id);

	if (ret)
		return ret;
	if (!stage)
		ret = mlci_error(MLCI_EXIT_INPUT, "Run with id=%s not found",
				 run_id);
	else if (strcmp(stage, "active"))
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "The run %s must be in the 'active' state. Current state is %s.",
				 run_id, stage);
	free(stage);
	return ret;
}

static int set_tag(struct sq *s, const char *run_id, const char *key,
		   const char *value)
{
	int ret = exec(s, "INSERT OR REPLACE INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
		       "sss", key, value, run_id);

	if (!ret && !strcmp(key, "mlflow.runName"))
		ret = exec(s, "UPDATE runs SET name = ? WHERE run_uuid = ?",
			   "ss", value, run_id);
	return ret;
}

static int sq_run_start(struct mlci_tracking *t,
			const struct mlci_tracking_run_spec *spec,
			struct mlci_tracking_run *out, int *created)
{
	struct sq *s = SQ(t);
	char id[33], *found = NULL, *loc = NULL, *stage = NULL;
	char *name = NULL, *uri = NULL;
	int64_t start = spec->start_time >= 0 ? spec->start_time : mlci_now_ms();
	long exp;
	int ret;

	*created = 0;
	if (mlci_parse_long(spec->experiment_id, 0, INT32_MAX, &exp))
		return mlci_error(MLCI_EXIT_INPUT,
				  "No Experiment with id=%s exists",
				  spec->experiment_id);
	if ((ret = begin(s)))
		return ret;
	if (spec->idempotency_key) {
		if ((ret = find_run(s, spec->experiment_id,
				    MLCI_TRACKING_IDEMPOTENCY_TAG,
				    spec->idempotency_key, &found)))
			goto out;
		if (found) {
			/* Pick up what an earlier attempt of this job left. */
			ret = exec(s, "UPDATE runs SET status = 'RUNNING', end_time = NULL WHERE run_uuid = ? AND status != 'FINISHED'",
				   "s", found);
			goto out;
		}
	}
	if ((ret = query_str(s, &stage,
			     "SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?",
			     "i", (int64_t)exp)))
		goto out;
	if (!stage || strcmp(stage, "active")) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 stage ? "The experiment %s must be in the 'active' state. Current state is deleted."
				       : "No Experiment with id=%s exists",
				 spec->experiment_id);
		goto out;
	}
	if ((ret = query_str(s, &loc,
			     "SELECT artifact_location FROM experiments WHERE experiment_id = ?",
			     "i", (int64_t)exp)))
		goto out;
	mlci_tracking_new_run_id(id);
	name = spec->run_name ? xstrdup(spec->run_name) : NULL;
	for (size_t i = 0; !name && i < spec->ntags; i++)
		if (!strcmp(spec->tags[i].key, "mlflow.runName"))
			name = xstrdup(spec->tags[i].value);
	if (!name)
		name = xstrfmt("run-%.8s", id);
	uri = xstrfmt("%s/%s/artifacts", loc, id);
	ret = exec(s, "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time) VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)",
		   "sssisi", id, name,
		   spec->user_id ? spec->user_id : "", start, uri,
		   (int64_t)exp);
	for (size_t i = 0; !ret && i < spec->ntags; i++)
		ret = set_tag(s, id, spec->tags[i].key,
			      spec->tags[i].value ? spec->tags[i].value : "");
	if (!ret && spec->idempotency_key)
		ret = set_tag(s, id, MLCI_TRACKING_IDEMPOTENCY_TAG,
			      spec->idempotency_key);
	if (!ret)
		ret = set_tag(s, id, "mlflow.runName", name);
	if (!ret) {
		found = xstrdup(id);
		*created = 1;
	}
out:
	ret = end(s, ret);
	if (!ret)
		ret = sq_run_get(t, found, out);
	if (ret)
		*created = 0;
	free(found);
	free(loc);
	free(stage);
	free(name);
	free(uri);
	return ret;
}

static int sq_run_update(struct mlci_tracking *t, const char *run_id,
			 const char *status, int64_t end_time)
{
	struct sq *s = SQ(t);
	int ret;

	if ((ret = begin(s)))
		return ret;
	if (!(ret = check_run_active(s, run_id)))
		ret = end_time >= 0 ?
		      exec(s, "UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?",
			   "sis", status, end_time, run_id) :
		      exec(s, "UPDATE runs SET status = ? WHERE run_uuid = ?",
			   "ss", status, run_id);
	return end(s, ret);
}

/* MLflow stores NaN as 0 with is_nan, and infinities as +-DBL_MAX. */
static double sanitize(double v, int *is_nan)
{
	*is_nan = isnan(v) ? 1 : 0;
	if (*is_nan)
		return 0.0;
	if (isinf(v))
		return v > 0 ? DBL_MAX : -DBL_MAX;
	return v;
}

static int log_metric(struct sq *s, const char *run_id,
		      const struct mlci_tracking_metric *m)
{
	sqlite3_stmt *st;
	int is_nan, ret, newer = 1, have = 0;
	double v = sanitize(m->value, &is_nan);

	if ((ret = exec(s, "INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)",
			"sdisii", m->key, v, m->timestamp, run_id, m->step,
			(int64_t)is_nan)))
		return ret;
	if ((ret = prep(s, &st, "SELECT step, timestamp, value FROM latest_metrics WHERE run_uuid = ? AND key = ?",
			"ss", run_id, m->key)))
		return ret;
	if ((ret = step(s, st)) > 0) {
		int64_t ostep = col_i64(st, 0, 0), ots = col_i64(st, 1, 0);
		double ov = sqlite3_column_double(st, 2);

		have = 1;
		/* mlflow: (step, timestamp, value) strictly greater wins. */
		newer = m->step != ostep ? m->step > ostep :
			m->timestamp != ots ? m->timestamp > ots : v > ov;
		ret = 0;
	}
	sqlite3_finalize(st);
	if (ret || !newer)
		return ret;
	if (have)
		return exec(s, "UPDATE latest_metrics SET value = ?, timestamp = ?, step = ?, is_nan = ? WHERE run_uuid = ? AND key = ?",
			    "diiiss", v, m->timestamp, m->step, (int64_t)is_nan,
			    run_id, m->key);
	return exec(s, "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)",
		    "sdiiis", m->key, v, m->timestamp, m->step, (int64_t)is_nan,
		    run_id);
}

static int sq_log_batch(struct mlci_tracking *t, const char *run_id,
			const struct mlci_tracking_batch *b)
{
	struct sq *s = SQ(t);
	struct strbuf changed = STRBUF_INIT;
	int ret;

	if ((ret = begin(s)))
		return ret;
	if ((ret = check_run_active(s, run_id)))
		goto out;
	for (size_t i = 0; !ret && i < b->nparams; i++) {
		char *old;

		ret = query_str(s, &old, "SELECT value FROM params WHERE run_uuid = ? AND key = ?",
				"ss", run_id, b->params[i].key);
		if (!ret && !old)
			ret = exec(s, "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
				   "sss", b->params[i].key, b->params[i].value,
				   run_id);
		else if (!ret && strcmp(old, b->params[i].value))
			strbuf_addf(&changed, "%s{'key': '%s', 'old_value': '%s', 'new_value': '%s'}",
				    changed.len ? ", " : "", b->params[i].key,
				    old, b->params[i].value);
		free(old);
	}
	if (!ret && changed.len) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Changing param values is not allowed. Params were already logged='[%s]' for run ID='%s'.",
				 changed.buf, run_id);
		goto out;
	}
	for (size_t i = 0; !ret && i < b->nmetrics; i++)
		ret = log_metric(s, run_id, &b->metrics[i]);
	for (size_t i = 0; !ret && i < b->ntags; i++)
		ret = set_tag(s, run_id, b->tags[i].key,
			      b->tags[i].value ? b->tags[i].value : "");
out:
	strbuf_release(&changed);
	return end(s, ret);
}

static int sq_metric_history(struct mlci_tracking *t, const char *run_id,
			     const char *key,
			     struct mlci_tracking_metric **out, size_t *n)
{
	struct sq *s = SQ(t);
	sqlite3_stmt *st;
	char *exists;
	size_t alloc = 0;
	int ret;

	if ((ret = query_str(s, &exists, "SELECT run_uuid FROM runs WHERE run_uuid = ?",
			     "s", run_id)))
		return ret;
	if (!exists)
		return mlci_error(MLCI_EXIT_INPUT, "Run with id=%s not found",
				  run_id);
	free(exists);
	if ((ret = prep(s, &st, "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, value",
			"ss", run_id, key)))
		return ret;
	while ((ret = step(s, st)) > 0) {
		struct mlci_tracking_metric *m;

		ALLOC_GROW(*out, *n + 1, alloc);
		m = &(*out)[(*n)++];
		m->key = col_str(st, 0);
		m->value = stored_value(st, 1, 4);
		m->timestamp = col_i64(st, 2, 0);
		m->step = col_i64(st, 3, 0);
	}
	sqlite3_finalize(st);
	if (ret) {
		mlci_tracking_metrics_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

/* --- The model registry --------------------------------------------------- */

static int model_exists(struct sq *s, const char *name)
{
	char *found;
	int ret = query_str(s, &found, "SELECT name FROM registered_models WHERE name = ?",
			    "s", name);

	if (!ret && !found)
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Registered Model with name=%s not found", name);
	free(found);
	return ret;
}

static int version_exists(struct sq *s, const char *name, const char *version)
{
	char *found;
	int ret = query_str(s, &found, "SELECT version FROM model_versions WHERE name = ? AND version = ?",
			    "ss", name, version);

	if (!ret && !found)
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Model Version (name=%s, version=%s) not found",
				 name, version);
	free(found);
	return ret;
}

static int sq_model_get_or_create(struct mlci_tracking *t, const char *name,
				  int *created)
{
	struct sq *s = SQ(t);
	int64_t now = mlci_now_ms();
	char *found;
	int ret;

	*created = 0;
	if ((ret = begin(s)))
		return ret;
	ret = query_str(s, &found, "SELECT name FROM registered_models WHERE name = ?",
			"s", name);
	if (!ret && !found) {
		ret = exec(s, "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, NULL)",
			   "sii", name, now, now);
		*created = !ret;
	}
	free(found);
	ret = end(s, ret);
	if (ret)
		*created = 0;
	return ret;
}

static int sq_version_get(struct mlci_tracking *t, const char *name,
			  const char *version, struct mlci_tracking_version *v)
{
	struct sq *s = SQ(t);
	sqlite3_stmt *st;
	size_t alloc = 0;
	int ret;

	if ((ret = prep(s, &st, "SELECT name, version, source, run_id, status, current_stage, creation_time, last_updated_time FROM model_versions WHERE name = ? AND version = ?",
			"ss", name, version)))
		return ret;
	ret = step(s, st);
	if (ret > 0) {
		v->name = col_str(st, 0);
		v->version = col_str(st, 1);
		v->source = col_str(st, 2);
		v->run_id = col_str(st, 3);
		v->status = col_str(st, 4);
		v->current_stage = col_str(st, 5);
		v->creation_time = col_i64(st, 6, 0);
		v->last_updated_time = col_i64(st, 7, 0);
		ret = 0;
	} else if (!ret) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Model Version (name=%s, version=%s) not found",
				 name, version);
	}
	sqlite3_finalize(st);
	if (ret)
		return ret;
	if ((ret = prep(s, &st, "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? ORDER BY key",
			"ss", name, version)))
		goto fail;
	while ((ret = step(s, st)) > 0) {
		char *val = col_str(st, 1);

		ALLOC_GROW(v->tags, v->ntags + 1, alloc);
		v->tags[v->ntags].key = col_str(st, 0);
		v->tags[v->ntags++].value = val ? val : xstrdup("");
	}
	sqlite3_finalize(st);
	if (ret)
		goto fail;
	alloc = 0;
	if ((ret = prep(s, &st, "SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias",
			"ss", name, version)))
		goto fail;
	while ((ret = step(s, st)) > 0) {
		ALLOC_GROW(v->aliases, v->naliases + 1, alloc);
		v->aliases[v->naliases++] = col_str(st, 0);
	}
	sqlite3_finalize(st);
	if (!ret)
		return 0;
fail:
	mlci_tracking_version_release(v);
	return ret;
}

static int sq_version_create(struct mlci_tracking *t, const char *name,
			     const char *source, const char *run_id,
			     struct mlci_tracking_version *out, int *created)
{
	struct sq *s = SQ(t);
	int64_t now = mlci_now_ms();
	char *version = NULL;
	int ret;

	*created = 0;
	if ((ret = begin(s)))
		return ret;
	if ((ret = model_exists(s, name)))
		goto out;
	if (run_id && (ret = query_str(s, &version,
				       "SELECT version FROM model_versions WHERE name = ? AND run_id = ? AND source = ? ORDER BY version LIMIT 1",
				       "sss", name, run_id, source)))
		goto out;
	if (version)
		goto out;
	if ((ret = query_str(s, &version,
			     "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ?",
			     "s", name)))
		goto out;
	ret = exec(s, "INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location) VALUES (?, ?, ?, ?, NULL, NULL, 'None', ?, ?, 'READY', NULL, NULL, ?)",
		   "ssiisss", name, version, now, now, source, run_id, source);
	if (!ret)
		ret = exec(s, "UPDATE registered_models SET last_updated_time = ? WHERE name = ?",
			   "is", now, name);
	*created = !ret;
out:
	ret = end(s, ret);
	if (!ret)
		ret = sq_version_get(t, name, version, out);
	if (ret)
		*created = 0;
	free(version);
	return ret;
}

static int sq_version_set_tag(struct mlci_tracking *t, const char *name,
			      const char *version, const char *key,
			      const char *value)
{
	struct sq *s = SQ(t);
	int ret;

	if ((ret = begin(s)))
		return ret;
	if (!(ret = version_exists(s, name, version)))
		ret = exec(s, "INSERT OR REPLACE INTO model_version_tags (key, value, name, version) VALUES (?, ?, ?, ?)",
			   "ssss", key, value, name, version);
	return end(s, ret);
}

static int sq_versions_list(struct mlci_tracking *t, const char *name,
			    struct mlci_tracking_version **out, size_t *n)
{
	struct sq *s = SQ(t);
	sqlite3_stmt *st;
	char **versions = NULL;
	size_t nv = 0, alloc = 0;
	int ret;

	if ((ret = model_exists(s, name)))
		return ret;
	if ((ret = prep(s, &st, "SELECT version FROM model_versions WHERE name = ? ORDER BY version",
			"s", name)))
		return ret;
	while ((ret = step(s, st)) > 0) {
		ALLOC_GROW(versions, nv + 1, alloc);
		versions[nv++] = col_str(st, 0);
	}
	sqlite3_finalize(st);
	if (!ret && nv) {
		*out = xcalloc(nv, sizeof(**out));
		for (size_t i = 0; !ret && i < nv; i++) {
			ret = sq_version_get(t, name, versions[i], &(*out)[i]);
			if (!ret)
				(*n)++;
		}
	}
	for (size_t i = 0; i < nv; i++)
		free(versions[i]);
	free(versions);
	if (ret) {
		mlci_tracking_versions_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

static int sq_alias_set(struct mlci_tracking *t, const char *name,
			const char *alias, const char *version)
{
	struct sq *s = SQ(t);
	int ret;

	if ((ret = begin(s)))
		return ret;
	if (!(ret = model_exists(s, name)) &&
	    !(ret = version_exists(s, name, version)))
		ret = exec(s, "INSERT OR REPLACE INTO registered_model_aliases (alias, version, name) VALUES (?, ?, ?)",
			   "sss", alias, version, name);
	return end(s, ret);
}

static int sq_alias_get(struct mlci_tracking *t, const char *name,
			const char *alias, char **version)
{
	struct sq *s = SQ(t);
	int ret;

	if ((ret = model_exists(s, name)) ||
	    (ret = query_str(s, version, "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
			     "ss", name, alias)))
		return ret;
	if (!*version)
		return mlci_error(MLCI_EXIT_INPUT,
				  "Registered model alias %s not found.", alias);
	return 0;
}

static int sq_alias_delete(struct mlci_tracking *t, const char *name,
			   const char *alias)
{
	struct sq *s = SQ(t);
	int ret;

	if ((ret = begin(s)))
		return ret;
	if (!(ret = model_exists(s, name)))
		ret = exec(s, "DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?",
			   "ss", name, alias);
	return end(s, ret);
}

static const struct mlci_tracking_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.experiment_get_or_create = sq_experiment_get_or_create,
	.run_start = sq_run_start,
	.run_find_by_tag = sq_run_find_by_tag,
	.run_get = sq_run_get,
	.run_update = sq_run_update,
	.log_batch = sq_log_batch,
	.metric_history = sq_metric_history,
	.model_get_or_create = sq_model_get_or_create,
	.version_create = sq_version_create,
	.version_get = sq_version_get,
	.version_set_tag = sq_version_set_tag,
	.versions_list = sq_versions_list,
	.alias_set = sq_alias_set,
	.alias_get = sq_alias_get,
	.alias_delete = sq_alias_delete,
};

int mlci_mlflow_sqlite_open(struct mlci_tracking *t, const char *path,
			    const char *artifact_root_uri)
{
	struct sq *s = xcalloc(1, sizeof(*s));
	int ret;

	s->path = xstrdup(path);
	s->root_uri = xstrdup(artifact_root_uri);
	t->ops = &sqlite_ops;
	t->priv = s;
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		ret = s->db ? db_error(s, "cannot open") :
		      mlci_error(MLCI_EXIT_SYSTEM, "%s: cannot open", path);
		goto fail;
	}
	/* Other writers hold the lock for milliseconds; wait rather than fail. */
	sqlite3_busy_timeout(s->db, 60000);
	if ((ret = create_or_check_schema(s)))
		goto fail;
	return 0;
fail:
	sq_close(t);
	t->ops = NULL;
	return ret;
}
