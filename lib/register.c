/* SPDX-License-Identifier: MIT */
/* ml-register's work: log the record's run into MLflow, register its model, move aliases, and fetch a registered model back. */
#include "register.h"

#include <errno.h>
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
#include "strbuf.h"
#include "tool.h"
#include "tracking.h"
#include "usage.h"
#include "wrapper.h"

const char *mlci_register_tracking_uri(const char *uri)
{
	const char *env = getenv("MLFLOW_TRACKING_URI");

	if (uri && *uri)
		return uri;
	return env && *env ? env : MLCI_REGISTER_DEFAULT_URI;
}

static int open_store(const char *uri, const char *artifact_root,
		      struct mlci_tracking **t)
{
	return mlci_tracking_open(t, mlci_register_tracking_uri(uri),
				  artifact_root);
}

void mlci_register_fetched_release(struct mlci_register_fetched *f)
{
	free(f->name);
	free(f->version);
	free(f->alias);
	free(f->run_id);
	free(f->source);
	free(f->model_path);
	cJSON_Delete(f->metrics);
	memset(f, 0, sizeof(*f));
}

static void set_string_or_null(cJSON *o, const char *key, const char *s)
{
	if (s)
		mlci_json_set_string(o, key, s);
	else
		mlci_json_set_null(o, key);
}

cJSON *mlci_register_fetched_json(const struct mlci_register_fetched *f)
{
	cJSON *o = cJSON_CreateObject();

	set_string_or_null(o, "name", f->name);
	set_string_or_null(o, "version", f->version);
	set_string_or_null(o, "alias", f->alias);
	set_string_or_null(o, "run_id", f->run_id);
	mlci_json_set(o, "metrics", f->metrics ? cJSON_Duplicate(f->metrics, 1)
		      : cJSON_CreateObject());
	set_string_or_null(o, "model_path", f->model_path);
	return o;
}

/*
 * Split "models:/<name>@<alias>" or "models:/<name>/<version>" into new
 * strings; 0 or -MLCI_EXIT_INPUT.
 */
static int parse_models_uri(const char *uri, char **name, char **alias,
			    char **version)
{
	const char *p, *sep;
	size_t i;

	*name = *alias = *version = NULL;
	if (strncmp(uri, "models:/", 8))
		goto bad;
	p = uri + 8;
	if ((sep = strrchr(p, '@'))) {
		if (sep == p || !sep[1] || strchr(sep, '/'))
			goto bad;
		*name = xstrndup(p, (size_t)(sep - p));
		*alias = xstrdup(sep + 1);
		return 0;
	}
	sep = strrchr(p, '/');
	if (!sep || sep == p || !sep[1])
		goto bad;
	for (i = 1; sep[i]; i++)
		if (sep[i] < '0' || sep[i] > '9')
			goto bad;
	*name = xstrndup(p, (size_t)(sep - p));
	*version = xstrdup(sep + 1);
	return 0;
bad:
	return mlci_error(MLCI_EXIT_INPUT,
			  "'%s' is not a model URI: use models:/<name>@<alias> or models:/<name>/<version>",
			  uri);
}

/* Does the registered model name exist? 0 no, 1 yes, or negative. */
static int model_exists(struct mlci_tracking *t, const char *name)
{
	int q;
	struct mlci_tracking_version *v = NULL;
	size_t n = 0;
	int ret;

	/* Only a missing model makes versions_list fail with -3 quietly. */
	q = mlci_set_quiet(1);
	ret = mlci_tracking_versions_list(t, name, &v, &n);
	mlci_set_quiet(q);
	mlci_tracking_versions_free(v, n);
	if (ret == -MLCI_EXIT_INPUT)
		return 0;
	return ret < 0 ? ret : 1;
}

/* The run's latest metrics as an object name -> number. */
static int run_metrics(struct mlci_tracking *t, const char *run_id,
		       cJSON **out)
{
	struct mlci_tracking_run r;
	size_t i;
	int ret;

	*out = cJSON_CreateObject();
	if (!run_id || !*run_id)
		return 0;
	if ((ret = mlci_tracking_run_get(t, run_id, &r)))
		return ret;
	for (i = 0; i < r.nmetrics; i++)
		mlci_json_set(*out, r.metrics[i].key,
			      mlci_json_number(r.metrics[i].value));
	mlci_tracking_run_release(&r);
	return 0;
}

static int ensure_dir(const char *dir)
{
	if (!mkdir(dir, 0777) || errno == EEXIST)
		return 0;
	return mlci_tracking_mkdirs(dir);
}

/* Download the model file of a version into out_dir. */
static int download_model(struct mlci_tracking *t,
			  const struct mlci_tracking_version *v,
			  const char *out_dir, char **model_path)
{
	int ret;

	*model_path = xstrfmt("%s/" MLCI_MLMODEL_MODEL_FILE, out_dir);
	if (!(ret = ensure_dir(out_dir)))
		ret = mlci_tracking_artifact_download(t, v->source,
						      MLCI_MLMODEL_MODEL_FILE,
						      *model_path);
	return ret;
}

int mlci_register_fetch(const char *tracking_uri, const char *model_uri,
			const char *out_dir, struct mlci_register_fetched *out)
{
	int q;
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_version v;
	char *name, *alias, *version;
	int ret;

	memset(out, 0, sizeof(*out));
	mlci_tracking_version_init(&v);
	if ((ret = parse_models_uri(model_uri, &name, &alias, &version)))
		return ret;
	if ((ret = open_store(tracking_uri, NULL, &t)))
		goto out;
	if ((ret = model_exists(t, name)) <= 0) {
		ret = ret ? ret : MLCI_REGISTER_NOT_FOUND;
		goto out;
	}
	if (alias) {
		q = mlci_set_quiet(1);
		ret = mlci_tracking_alias_get(t, name, alias, &version);
		mlci_set_quiet(q);
		if (ret == -MLCI_EXIT_INPUT && (ret = mlci_tracking_validate_alias(alias)) == 0)
			ret = MLCI_REGISTER_NOT_FOUND;
		if (ret)
			goto out;
	}
	q = mlci_set_quiet(1);
	ret = mlci_tracking_version_get(t, name, version, &v);
	mlci_set_quiet(q);
	if (ret == -MLCI_EXIT_INPUT) {
		ret = MLCI_REGISTER_NOT_FOUND;
		goto out;
	}
	if (ret)
		goto out;
	out->name = name;
	out->alias = alias;
	out->version = version;
	name = alias = version = NULL;
	out->run_id = v.run_id ? xstrdup(v.run_id) : NULL;
	out->source = xstrdup(v.source ? v.source : "");
	if ((ret = run_metrics(t, out->run_id, &out->metrics)) ||
	    (ret = download_model(t, &v, out_dir, &out->model_path)))
		mlci_register_fetched_release(out);
out:
	mlci_tracking_version_release(&v);
	mlci_tracking_close(t);
	free(name);
	free(alias);
	free(version);
	return ret;
}

int mlci_register_set_alias(const char *tracking_uri, const char *name,
			    const char *alias, const char *version,
			    int dry_run)
{
	int q;
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_version v;
	char *old = NULL;
	int ret;

	mlci_tracking_version_init(&v);
	if ((ret = mlci_tracking_validate_alias(alias)) ||
	    (ret = open_store(tracking_uri, NULL, &t)) ||
	    (ret = mlci_tracking_version_get(t, name, version, &v)))
		goto out;
	q = mlci_set_quiet(1);
	if (mlci_tracking_alias_get(t, name, alias, &old))
		old = NULL;
	mlci_set_quiet(q);
	if (old && !strcmp(old, version)) {
		fprintf(stderr, "%s: alias '%s' of '%s' is already on version %s\n",
			mlci_progname, alias, name, version);
		goto out;
	}
	fprintf(stderr, "%s: %salias '%s' of '%s': %s%s -> version %s\n",
		mlci_progname, dry_run ? "would move " : "", alias, name,
		old ? "version " : "", old ? old : "unset", version);
	if (!dry_run)
		ret = mlci_tracking_alias_set(t, name, alias, version);
out:
	free(old);
	mlci_tracking_version_release(&v);
	mlci_tracking_close(t);
	return ret;
}

int mlci_register_tag_version(const char *tracking_uri, const char *name,
			      const char *version, const char *key,
			      const char *value, int dry_run)
{
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_version v;
	int ret;

	mlci_tracking_version_init(&v);
	if ((ret = mlci_tracking_validate_key("tag", key)) ||
	    (ret = open_store(tracking_uri, NULL, &t)) ||
	    (ret = mlci_tracking_version_get(t, name, version, &v)))
		goto out;
	fprintf(stderr, "%s: %stag version %s of '%s': %s=%s\n", mlci_progname,
		dry_run ? "would " : "", version, name, key, value);
	if (!dry_run)
		ret = mlci_tracking_version_set_tag(t, name, version, key, value);
out:
	mlci_tracking_version_release(&v);
	mlci_tracking_close(t);
	return ret;
}

static cJSON *kv_object(const struct mlci_tracking_kv *kv, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	size_t i;

	for (i = 0; i < n; i++)
		mlci_json_set_string(o, kv[i].key, kv[i].value);
	return o;
}

int mlci_register_list_versions(const char *tracking_uri, const char *name,
				cJSON **out)
{
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_version *v = NULL;
	size_t n = 0, i, j;
	int ret;

	*out = NULL;
	if ((ret = open_store(tracking_uri, NULL, &t)) ||
	    (ret = mlci_tracking_versions_list(t, name, &v, &n)))
		goto out;
	*out = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray(), *m;

		mlci_json_set_string(o, "version", v[i].version);
		set_string_or_null(o, "run_id", v[i].run_id);
		mlci_json_set_string(o, "source", v[i].source);
		mlci_json_set_string(o, "status", v[i].status);
		mlci_json_set_number(o, "creation_time", (double)v[i].creation_time);
		for (j = 0; j < v[i].naliases; j++)
			cJSON_AddItemToArray(a, cJSON_CreateString(v[i].aliases[j]));
		mlci_json_set(o, "aliases", a);
		mlci_json_set(o, "tags", kv_object(v[i].tags, v[i].ntags));
		if ((ret = run_metrics(t, v[i].run_id, &m))) {
			cJSON_Delete(m);
			cJSON_Delete(o);
			goto out;
		}
		mlci_json_set(o, "metrics", m);
		cJSON_AddItemToArray(*out, o);
	}
out:
	if (ret) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	mlci_tracking_versions_free(v, n);
	mlci_tracking_close(t);
	return ret;
}

char *mlci_register_job_key(const char *experiment)
{
	const char *run = getenv("GITHUB_RUN_ID");
	const char *repo = getenv("GITHUB_REPOSITORY");
	const char *job = getenv("GITHUB_JOB");
	const char *step = getenv("MLCI_STEP_ID");

	if (!run || !*run)
		return NULL;
	return xstrfmt("%s/%s/%s/%s/%s", repo ? repo : "", run, job ? job : "",
		       step ? step : "", experiment ? experiment : "");
}
