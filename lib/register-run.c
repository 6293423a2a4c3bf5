/* SPDX-License-Identifier: MIT */
/* Log the record's run into MLflow (tags, params, metric histories, artifacts) and register its model version. */
#include "register.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "gitctx.h"
#include "http.h"
#include "json.h"
#include "mlmodel.h"
#include "now.h"
#include "record.h"
#include "strbuf.h"
#include "tool.h"
#include "tracking.h"
#include "usage.h"
#include "wrapper.h"

/* Growing arrays of what one run logs; keys and values owned. */
struct to_log {
	struct mlci_tracking_kv *tags, *params;
	size_t ntags, nparams, atags, aparams;
	struct mlci_tracking_metric *metrics;
	size_t nmetrics, ametrics;
};

static void add_kv(struct mlci_tracking_kv **a, size_t *n, size_t *alloc,
		   const char *key, const char *value)
{
	if (!value)
		return;
	if (*n == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 32;
		*a = xrealloc(*a, *alloc * sizeof(**a));
	}
	(*a)[*n].key = xstrdup(key);
	(*a)[(*n)++].value = xstrdup(value);
}

static void add_metric(struct to_log *l, const char *key, double v,
		       int64_t ts, int64_t step)
{
	if (l->nmetrics == l->ametrics) {
		l->ametrics = l->ametrics ? 2 * l->ametrics : 64;
		l->metrics = xrealloc(l->metrics, l->ametrics * sizeof(*l->metrics));
	}
	l->metrics[l->nmetrics].key = xstrdup(key);
	l->metrics[l->nmetrics].value = v;
	l->metrics[l->nmetrics].timestamp = ts;
	l->metrics[l->nmetrics++].step = step;
}

static void to_log_release(struct to_log *l)
{
	size_t i;

	for (i = 0; i < l->ntags; i++) {
		free((char *)l->tags[i].key);
		free((char *)l->tags[i].value);
	}
	for (i = 0; i < l->nparams; i++) {
		free((char *)l->params[i].key);
		free((char *)l->params[i].value);
	}
	for (i = 0; i < l->nmetrics; i++)
		free((char *)l->metrics[i].key);
	free(l->tags);
	free(l->params);
	free(l->metrics);
	memset(l, 0, sizeof(*l));
}

static const char *str_at(const cJSON *rec, const char *path)
{
	const cJSON *it = mlci_json_path(rec, path);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const char *run_user(void)
{
	const char *u = getenv("GITHUB_ACTOR");

	if (!u || !*u)
		u = getenv("USER");
	if (!u || !*u)
		u = getenv("LOGNAME");
	return u && *u ? u : "unknown";
}

/* The run's tags: MLflow's source tags, then ours. */
static void collect_tags(struct to_log *l, const cJSON *rec,
			 const char *run_name, const char *key)
{
	const cJSON *git = mlci_record_get(rec, "git");
	const char *repo = str_at(git, "repository");
	const char *commit = str_at(git, "head_sha");
	const char *branch = str_at(git, "branch");
	const cJSON *dirty = cJSON_GetObjectItemCaseSensitive(git, "dirty");
	char *url = repo ? xstrfmt("https://github.com/%s", repo) : NULL;

	if (!commit)
		commit = str_at(git, "sha");
	add_kv(&l->tags, &l->ntags, &l->atags, "mlflow.source.git.commit", commit);
	add_kv(&l->tags, &l->ntags, &l->atags, "mlflow.source.git.branch", branch);
	add_kv(&l->tags, &l->ntags, &l->atags, "mlflow.source.git.repoURL", url);
	add_kv(&l->tags, &l->ntags, &l->atags, "mlflow.source.name",
	       str_at(rec, "train.config_path"));
	add_kv(&l->tags, &l->ntags, &l->atags, "mlflow.source.type",
	       getenv("GITHUB_ACTIONS") ? "JOB" : "LOCAL");
	add_kv(&l->tags, &l->ntags, &l->atags, "mlflow.user", run_user());
	add_kv(&l->tags, &l->ntags, &l->atags, "mlflow.runName", run_name);
	add_kv(&l->tags, &l->ntags, &l->atags, "mlci.environment",
	       str_at(git, "environment"));
	add_kv(&l->tags, &l->ntags, &l->atags, "mlci.branch_kind", str_at(git, "kind"));
	add_kv(&l->tags, &l->ntags, &l->atags, "mlci.merged_from",
	       str_at(git, "merged_from"));
	add_kv(&l->tags, &l->ntags, &l->atags, "mlci.ci_run_url", str_at(git, "run_url"));
	if (cJSON_IsBool(dirty))
		add_kv(&l->tags, &l->ntags, &l->atags, "mlci.dirty",
		       cJSON_IsTrue(dirty) ? "true" : "false");
	add_kv(&l->tags, &l->ntags, &l->atags, "mlci.dataset.sha256",
	       str_at(rec, "train.train_sha256"));
	add_kv(&l->tags, &l->ntags, &l->atags, "mlci.model.sha256",
	       str_at(rec, "train.model_sha256"));
	add_kv(&l->tags, &l->ntags, &l->atags, "mlci.model_type",
	       str_at(rec, "train.model_type"));
	(void)key;	/* the idempotency tag is set by run_start */
	free(url);
}

/* Params: the train section's flat params, and where the data came from. */
static void collect_params(struct to_log *l, const cJSON *rec)
{
	const cJSON *it;
	char buf[64];
	double v;

	cJSON_ArrayForEach(it, mlci_json_path(rec, "train.params"))
		if (cJSON_IsString(it))
			add_kv(&l->params, &l->nparams, &l->aparams, it->string,
			       it->valuestring);
	add_kv(&l->params, &l->nparams, &l->aparams, "select_by",
	       str_at(rec, "train.select_by"));
	add_kv(&l->params, &l->nparams, &l->aparams, "data.train_path",
	       str_at(rec, "train.train_path"));
	if (!mlci_json_get_number(mlci_json_path(rec, "train"), "train_rows", &v)) {
		snprintf(buf, sizeof(buf), "%.0f", v);
		add_kv(&l->params, &l->nparams, &l->aparams, "data.train_rows", buf);
	}
	if (!mlci_json_get_number(mlci_json_path(rec, "train"), "test_rows", &v)) {
		snprintf(buf, sizeof(buf), "%.0f", v);
		add_kv(&l->params, &l->nparams, &l->aparams, "data.test_rows", buf);
	}
}

/* Numbers of an object as metrics prefix<key> at step 0. */
static void numbers_of(struct to_log *l, const cJSON *obj, const char *prefix,
		       int64_t ts)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		char *k;

		if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
			continue;
		k = xstrfmt("%s%s", prefix, it->string);
		add_metric(l, k, it->valuedouble, ts, 0);
		free(k);
	}
}

/*
 * Metrics: the test metrics, each history array as a metric over steps
 * (train_<name>), the validation's violation count and system usage.
 */
static void collect_metrics(struct to_log *l, const cJSON *rec, int64_t ts)
{
	const cJSON *h, *a, *it;
	int64_t step;

	numbers_of(l, mlci_json_path(rec, "train.metrics"), "", ts);
	h = mlci_json_path(rec, "train.history");
	cJSON_ArrayForEach(a, h) {
		char *k;

		if (!cJSON_IsArray(a))
			continue;
		k = xstrfmt("train_%s", a->string);
		step = 0;
		cJSON_ArrayForEach(it, a) {
			if (cJSON_IsNumber(it) && isfinite(it->valuedouble))
				add_metric(l, k, it->valuedouble, ts, step);
			step++;
		}
		free(k);
	}
	a = mlci_json_path(rec, "validate.violations");
	if (cJSON_IsArray(a))
		add_metric(l, "validate_violations", cJSON_GetArraySize(a), ts, 0);
	numbers_of(l, mlci_json_path(rec, "train.system"), "system_", ts);
}

/* Everything collected, in batches within MLflow's limits. */
static int log_all(struct mlci_tracking *t, const char *run_id,
		   const struct to_log *l)
{
	struct mlci_tracking_batch all = {
		l->metrics, l->nmetrics, l->params, l->nparams, l->tags, l->ntags
	};

	return mlci_tracking_log_all(t, run_id, &all);
}

static int write_file_in(const char *dir, const char *name, const char *data,
			 size_t len)
{
	char *path = xstrfmt("%s/%s", dir, name);
	int ret = mlci_atomic_write_file(path, data, len);

	free(path);
	return ret;
}

static int copy_into(const char *src, const char *dir, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *fp = fopen(src, "rb");
	int ret;

	if (!fp)
		return mlci_error_errno(MLCI_EXIT_INPUT,
					"cannot open '%s' named by the record", src);
	ret = strbuf_read_file_cap(&sb, fp, 1u << 30);
	fclose(fp);
	if (ret)
		ret = mlci_error(MLCI_EXIT_SYSTEM, "cannot read '%s'", src);
	else
		ret = write_file_in(dir, name, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

static void remove_tree(const char *dir, const char *const *names)
{
	size_t i;

	for (i = 0; names[i]; i++) {
		char *p = xstrfmt("%s/%s", dir, names[i]);

		unlink(p);
		free(p);
	}
	rmdir(dir);
}

/*
 * The artifacts: model/ (model.json + MLmodel), the predictions, the
 * config, the schema, and the validation report as JSON.
 */
static int log_artifacts(struct mlci_tracking *t, const char *run_id,
			 const cJSON *rec)
{
	static const char *const model_files[] = {
		MLCI_MLMODEL_MODEL_FILE, "MLmodel", NULL
	};
	const char *model = str_at(rec, "train.model_path");
	const char *others[][2] = {
		{ str_at(rec, "train.predictions_path"), "predictions" },
		{ str_at(rec, "train.config_path"), "config" },
		{ str_at(rec, "data.schema_path"), "config" },
	};
	char *scratch = NULL, *mdir = NULL;
	struct strbuf sb = STRBUF_INIT;
	const cJSON *val;
	size_t i;
	int ret;

	if (!model)
		return mlci_error(MLCI_EXIT_INPUT, "the record's train section has no model_path");
	if (!(scratch = mlci_temp_dir("ml-register")))
		return -MLCI_EXIT_SYSTEM;
	mdir = xstrfmt("%s/" MLCI_MLMODEL_ARTIFACT_PATH, scratch);
	if (mkdir(mdir, 0777)) {
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot create '%s'", mdir);
		goto out;
	}
	mlci_mlmodel_yaml(&sb, run_id, "ml-train",
			  str_at(rec, "train.task") ? str_at(rec, "train.task") : "",
			  mlci_now_ms());
	if ((ret = copy_into(model, mdir, MLCI_MLMODEL_MODEL_FILE)) ||
	    (ret = write_file_in(mdir, "MLmodel", sb.buf, sb.len)) ||
	    (ret = mlci_tracking_log_artifact(t, run_id, mdir, NULL)))
		goto out;
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (others[i][0] &&
		    (ret = mlci_tracking_log_artifact(t, run_id, others[i][0],
						      others[i][1])))
			goto out;
	val = mlci_record_get(rec, "validate");
	if (val) {
		char *path = xstrfmt("%s/validation.json", scratch);

		strbuf_setlen(&sb, 0);
		mlci_json_print(val, 1, &sb);
		strbuf_addch(&sb, '\n');
		ret = mlci_atomic_write_file(path, sb.buf, sb.len);
		if (!ret)
			ret = mlci_tracking_log_artifact(t, run_id, path, "validation");
		unlink(path);
		free(path);
	}
out:
	if (mdir) {
		remove_tree(mdir, model_files);
		free(mdir);
	}
	rmdir(scratch);
	free(scratch);
	strbuf_release(&sb);
	return ret;
}

static void set_string(cJSON *o, const char *key, const char *s)
{
	if (s)
		mlci_json_set_string(o, key, s);
	else
		mlci_json_set_null(o, key);
}

static char *names_for(const cJSON *git, const char *literal, const char *base)
{
	if (literal)
		return xstrdup(literal);
	return base ? mlci_git_derive_name(git, base) : NULL;
}

/* The section without a run: for --dry-run and for a refusal. */
static cJSON *section_start(const char *uri, const char *exp_name)
{
	cJSON *s = cJSON_CreateObject();
	char *shown = mlci_http_redact_url(uri);

	mlci_json_set_bool(s, "ok", 1);
	mlci_json_set_string(s, "tracking_uri", shown);
	free(shown);
	mlci_json_set_string(s, "experiment_name", exp_name);
	return s;
}

static cJSON *model_json(const char *name, const char *version,
			 const char *alias)
{
	cJSON *m = cJSON_CreateObject();
	char *uri = version ? xstrfmt("models:/%s/%s", name, version) : NULL;

	mlci_json_set_string(m, "name", name);
	set_string(m, "version", version);
	set_string(m, "alias", alias);
	set_string(m, "uri", uri);
	free(uri);
	return m;
}

static void print_plan(const char *exp_name, const char *model_name,
		       const char *alias, const char *key,
		       const struct to_log *l)
{
	fprintf(stderr, "%s: would log a run in experiment '%s'%s%s%s: "
		"%zu tags, %zu params, %zu metric points, the model folder and its files\n",
		mlci_progname, exp_name, key ? " (idempotency key '" : "",
		key ? key : "", key ? "')" : "", l->ntags, l->nparams,
		l->nmetrics);
	if (model_name)
		fprintf(stderr, "%s: would register a version of '%s'%s%s\n",
			mlci_progname, model_name, alias ? " with alias " : "",
			alias ? alias : "");
}

int mlci_register_run(const struct mlci_register_options *opt,
		      const cJSON *rec, cJSON **section)
{
	static const char *const upstream[] = { "validate", "train", NULL };
	const char *uri = mlci_register_tracking_uri(opt->tracking_uri);
	const cJSON *git = mlci_record_get(rec, "git");
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_experiment e;
	struct mlci_tracking_run r;
	struct mlci_tracking_version v;
	struct mlci_tracking_run_spec spec = { 0 };
	struct to_log l = { 0 };
	char *exp_name = NULL, *model_name = NULL, *key = NULL, *run_name = NULL;
	char *source = NULL, *run_url = NULL;
	const char *failed, *short_sha;
	int created = 0, vcreated = 0, started = 0, ret;
	int64_t now = mlci_now_ms();
	cJSON *s = NULL;

	*section = NULL;
	mlci_tracking_experiment_init(&e);
	mlci_tracking_run_init(&r);
	mlci_tracking_version_init(&v);
	if (!mlci_record_get(rec, "train"))
		return mlci_error(MLCI_EXIT_INPUT,
				  "the record has no train section: run ml-train first");
	exp_name = names_for(git, opt->experiment_name, opt->experiment);
	model_name = names_for(git, opt->model_name, opt->model);
	if (!exp_name) {
		ret = mlci_error(MLCI_EXIT_USAGE,
				 "no experiment: give --experiment or --experiment-name");
		goto out;
	}
	failed = mlci_tool_failed_upstream(rec, upstream);
	if (failed && !opt->force) {
		char *why = xstrfmt("the %s section failed; nothing logged (--force logs it anyway)",
				    failed);

		mlci_warning("%s", why);
		*section = mlci_tool_skipped_section(why);
		free(why);
		ret = MLCI_EXIT_VERDICT;
		goto out;
	}
	key = opt->idempotency_key ? xstrdup(opt->idempotency_key)
		: mlci_register_job_key(exp_name);
	short_sha = str_at(git, "short_sha");
	run_name = opt->run_name ? xstrdup(opt->run_name)
		: xstrfmt("%s-%s", str_at(rec, "train.model_type") ?
			  str_at(rec, "train.model_type") : "run",
			  short_sha ? short_sha : "local");
	collect_tags(&l, rec, run_name, key);
	collect_params(&l, rec);
	collect_metrics(&l, rec, now);
	s = section_start(uri, exp_name);
	if (opt->dry_run) {
		print_plan(exp_name, model_name, opt->alias, key, &l);
		mlci_json_set_bool(s, "dry_run", 1);
		if (model_name)
			mlci_json_set(s, "model", model_json(model_name, NULL, opt->alias));
		ret = 0;
		goto done;
	}
	if ((ret = mlci_tracking_open(&t, uri, opt->artifact_root)) ||
	    (opt->stage && (ret = mlci_tracking_check_stage(t, opt->stage))) ||
	    (ret = mlci_tracking_experiment_get_or_create(t, exp_name, &e, &created)))
		goto out;
	spec.experiment_id = e.id;
	spec.run_name = run_name;
	spec.user_id = run_user();
	spec.start_time = now;
	spec.idempotency_key = key;
	if ((ret = mlci_tracking_run_start(t, &spec, &r, &created)))
		goto out;
	started = 1;
	if (!created)
		fprintf(stderr, "%s: run %s of an earlier attempt (key '%s') taken again\n",
			mlci_progname, r.run_id, key);
	if ((ret = log_all(t, r.run_id, &l)) ||
	    (ret = log_artifacts(t, r.run_id, rec)))
		goto out;
	if (strcmp(r.status, MLCI_RUN_FINISHED) &&
	    (ret = mlci_tracking_run_update(t, r.run_id, MLCI_RUN_FINISHED,
					    mlci_now_ms())))
		goto out;
	started = 0;
	mlci_json_set_string(s, "experiment_id", e.id);
	mlci_json_set_string(s, "run_id", r.run_id);
	mlci_json_set_string(s, "artifact_uri", r.artifact_uri);
	run_url = mlci_tracking_run_url(t, e.id, r.run_id);
	set_string(s, "run_url", run_url);
	set_string(s, "idempotency_key", key);
	mlci_json_set_bool(s, "run_created", created);
	fprintf(stderr, "%s: run %s in experiment '%s' (%s)\n", mlci_progname,
		r.run_id, exp_name, mlci_json_get_string(s, "tracking_uri"));
	if (model_name) {
		source = xstrfmt("%s/" MLCI_MLMODEL_ARTIFACT_PATH, r.artifact_uri);
		if ((ret = mlci_tracking_model_get_or_create(t, model_name, &created)) ||
		    (ret = mlci_tracking_version_create(t, model_name, source,
							r.run_id, &v, &vcreated)))
			goto out;
		if (opt->alias &&
		    (ret = mlci_tracking_alias_set(t, model_name, opt->alias,
						   v.version)))
			goto out;
		if (opt->stage &&
		    (ret = mlci_tracking_version_set_stage(t, model_name,
							   v.version, opt->stage, 1)))
			goto out;
		mlci_json_set(s, "model", model_json(model_name, v.version, opt->alias));
		mlci_json_set_bool(s, "version_created", vcreated);
		fprintf(stderr, "%s: %s version %s of '%s'%s%s\n", mlci_progname,
			vcreated ? "registered" : "already registered:", v.version,
			model_name, opt->alias ? ", alias " : "",
			opt->alias ? opt->alias : "");
	}
done:
	*section = s;
	s = NULL;
out:
	if (started && ret < 0)
		mlci_tracking_run_update(t, r.run_id, MLCI_RUN_FAILED, mlci_now_ms());
	cJSON_Delete(s);
	mlci_tracking_close(t);
	mlci_tracking_experiment_release(&e);
	mlci_tracking_run_release(&r);
	mlci_tracking_version_release(&v);
	to_log_release(&l);
	free(exp_name);
	free(model_name);
	free(key);
	free(run_name);
	free(source);
	free(run_url);
	return ret;
}
