/* SPDX-License-Identifier: MIT */
/* ml-register's spool: a run logged into a local file store while the tracking server is down, and sent to it later without duplicates. */
#include "register.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "json.h"
#include "mlmodel.h"
#include "strbuf.h"
#include "tracking.h"
#include "usage.h"
#include "wrapper.h"

#define MANIFEST "spool.json"
#define MANIFEST_MAX (64u << 20)

char *mlci_register_spool_uri(const char *dir)
{
	return xstrfmt("file:%s/mlruns", dir);
}

static char *manifest_path(const char *dir)
{
	return xstrfmt("%s/" MANIFEST, dir);
}

/* The manifest: {"runs": [...]}; a missing file is an empty one. */
static int manifest_read(const char *dir, cJSON **out)
{
	char *path = manifest_path(dir);
	struct stat st;
	int ret = 0;

	*out = NULL;
	if (stat(path, &st) && errno == ENOENT)
		*out = cJSON_CreateObject();
	else
		ret = mlci_json_read_file(path, MANIFEST_MAX, out);
	if (!ret && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(*out, "runs"))) {
		if (cJSON_GetObjectItemCaseSensitive(*out, "runs")) {
			ret = mlci_error(MLCI_EXIT_INPUT, "%s: 'runs' must be a list", path);
			cJSON_Delete(*out);
			*out = NULL;
		} else {
			mlci_json_set(*out, "runs", cJSON_CreateArray());
		}
	}
	free(path);
	return ret;
}

static int manifest_write(const char *dir, const cJSON *m)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = manifest_path(dir);
	int ret;

	mlci_json_print(m, 1, &sb);
	strbuf_addch(&sb, '\n');
	ret = mlci_atomic_write_file(path, sb.buf, sb.len);
	strbuf_release(&sb);
	free(path);
	return ret;
}

int mlci_register_spool_add(const char *dir, const cJSON *section,
			    const char *idempotency_key)
{
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(section, "model");
	cJSON *m, *e;
	int ret;

	if ((ret = manifest_read(dir, &m)))
		return ret;
	e = cJSON_CreateObject();
	mlci_json_set_string(e, "experiment_name",
			     mlci_json_get_string(section, "experiment_name"));
	mlci_json_set_string(e, "run_id", mlci_json_get_string(section, "run_id"));
	mlci_json_set_string(e, "idempotency_key", idempotency_key);
	if (model) {
		mlci_json_set_string(e, "model_name", mlci_json_get_string(model, "name"));
		if (mlci_json_get_string(model, "alias"))
			mlci_json_set_string(e, "alias", mlci_json_get_string(model, "alias"));
	}
	mlci_json_set_null(e, "replayed_run_id");
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(m, "runs"), e);
	ret = manifest_write(dir, m);
	cJSON_Delete(m);
	return ret;
}

/* Every metric point of the spooled run, all keys. */
static int all_points(struct mlci_tracking *src, const struct mlci_tracking_run *r,
		      struct mlci_tracking_metric **out, size_t *n)
{
	size_t i, j, alloc = 0;
	int ret;

	*out = NULL;
	*n = 0;
	for (i = 0; i < r->nmetrics; i++) {
		struct mlci_tracking_metric *h = NULL;
		size_t nh = 0;

		if ((ret = mlci_tracking_metric_history(src, r->run_id,
							r->metrics[i].key, &h, &nh)))
			return ret;
		for (j = 0; j < nh; j++) {
			if (*n == alloc) {
				alloc = alloc ? 2 * alloc : 256;
				*out = xrealloc(*out, alloc * sizeof(**out));
			}
			(*out)[*n] = h[j];
			(*out)[(*n)++].key = xstrdup(h[j].key);
		}
		mlci_tracking_metrics_free(h, nh);
	}
	return 0;
}

/* Send every top-level entry of the spooled run's artifact folder. */
static int send_artifacts(struct mlci_tracking *t, const char *run_id,
			  const char *artifact_uri)
{
	char *dir = mlci_tracking_uri_to_path(artifact_uri);
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (!dir || !(d = opendir(dir))) {
		free(dir);
		return 0;	/* a run without artifacts */
	}
	while (!ret && (de = readdir(d))) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = xstrfmt("%s/%s", dir, de->d_name);
		ret = mlci_tracking_log_artifact(t, run_id, p, NULL);
		free(p);
	}
	closedir(d);
	free(dir);
	return ret;
}

/*
 * The replayed run's MLmodel names the spooled run: send a copy whose
 * run_id line names the new run over the one just sent (any store).
 */
static int fix_mlmodel(struct mlci_tracking *dst, const char *spooled_uri,
		       const char *run_id)
{
	char *dir = mlci_tracking_uri_to_path(spooled_uri), *path, *p;
	char *tmp = NULL, *copy = NULL;
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	FILE *fp;
	int ret = 0;

	if (!dir)
		return 0;
	path = xstrfmt("%s/" MLCI_MLMODEL_ARTIFACT_PATH "/MLmodel", dir);
	free(dir);
	if (!(fp = fopen(path, "r"))) {
		free(path);
		return 0;	/* no model logged */
	}
	ret = strbuf_read_file_cap(&sb, fp, 1u << 20);
	fclose(fp);
	if (ret) {
		ret = mlci_error(MLCI_EXIT_SYSTEM, "cannot read '%s'", path);
		goto out;
	}
	for (p = sb.buf; *p; ) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (!strncmp(p, "run_id: ", 8))
			strbuf_addf(&out, "run_id: %s\n", run_id);
		else
			strbuf_add(&out, p, len);
		p += len;
	}
	if (!(tmp = mlci_temp_dir("ml-register"))) {
		ret = -MLCI_EXIT_SYSTEM;
		goto out;
	}
	copy = xstrfmt("%s/MLmodel", tmp);
	if (!(ret = mlci_atomic_write_file(copy, out.buf, out.len)))
		ret = mlci_tracking_log_artifact(dst, run_id, copy,
						 MLCI_MLMODEL_ARTIFACT_PATH);
	unlink(copy);
	rmdir(tmp);
out:
	free(tmp);
	strbuf_release(&sb);
	strbuf_release(&out);
	free(copy);
	free(path);
	return ret;
}

/* Replay one manifest entry into dst; its run id into *out_run. */
static int replay_one(struct mlci_tracking *src, struct mlci_tracking *dst,
		      const cJSON *e, char **out_run)
{
	const char *exp = mlci_json_get_string(e, "experiment_name");
	const char *run_id = mlci_json_get_string(e, "run_id");
	const char *key = mlci_json_get_string(e, "idempotency_key");
	const char *model = mlci_json_get_string(e, "model_name");
	const char *alias = mlci_json_get_string(e, "alias");
	struct mlci_tracking_experiment x;
	struct mlci_tracking_run r, nr;
	struct mlci_tracking_version v;
	struct mlci_tracking_run_spec spec = { 0 };
	struct mlci_tracking_metric *pts = NULL;
	size_t npts = 0, i, ntags = 0;
	struct mlci_tracking_kv *tags;
	char *source = NULL;
	int created, ret;

	if (!exp || !run_id || !key)
		return mlci_error(MLCI_EXIT_INPUT,
				  "spool entry without experiment_name, run_id or idempotency_key");
	mlci_tracking_experiment_init(&x);
	mlci_tracking_run_init(&r);
	mlci_tracking_run_init(&nr);
	mlci_tracking_version_init(&v);
	if ((ret = mlci_tracking_run_get(src, run_id, &r)) ||
	    (ret = all_points(src, &r, &pts, &npts)) ||
	    (ret = mlci_tracking_experiment_get_or_create(dst, exp, &x, &created)))
		goto out;
	/* The idempotency tag is set by run_start; send the others. */
	tags = xcalloc(r.ntags + 1, sizeof(*tags));
	for (i = 0; i < r.ntags; i++)
		if (strcmp(r.tags[i].key, MLCI_TRACKING_IDEMPOTENCY_TAG))
			tags[ntags++] = r.tags[i];
	spec.experiment_id = x.id;
	spec.run_name = r.run_name;
	spec.user_id = r.user_id;
	spec.start_time = r.start_time;
	spec.idempotency_key = key;
	ret = mlci_tracking_run_start(dst, &spec, &nr, &created);
	if (!ret) {
		struct mlci_tracking_batch all = {
			pts, npts, r.params, r.nparams, tags, ntags
		};

		ret = mlci_tracking_log_all(dst, nr.run_id, &all);
	}
	free(tags);
	if (ret || (ret = send_artifacts(dst, nr.run_id, r.artifact_uri)) ||
	    (ret = fix_mlmodel(dst, r.artifact_uri, nr.run_id)) ||
	    (ret = mlci_tracking_run_update(dst, nr.run_id, MLCI_RUN_FINISHED,
					    r.end_time)))
		goto out;
	if (model) {
		source = xstrfmt("%s/model", nr.artifact_uri);
		if ((ret = mlci_tracking_model_get_or_create(dst, model, &created)) ||
		    (ret = mlci_tracking_version_create(dst, model, source, nr.run_id,
							&v, &created)) ||
		    (alias && (ret = mlci_tracking_alias_set(dst, model, alias,
							     v.version))))
			goto out;
	}
	*out_run = xstrdup(nr.run_id);
out:
	mlci_tracking_metrics_free(pts, npts);
	mlci_tracking_experiment_release(&x);
	mlci_tracking_run_release(&r);
	mlci_tracking_run_release(&nr);
	mlci_tracking_version_release(&v);
	free(source);
	return ret;
}

int mlci_register_replay(const char *dir, const char *tracking_uri,
			 cJSON **replayed)
{
	struct mlci_tracking *src = NULL, *dst = NULL;
	char *spool = mlci_register_spool_uri(dir);
	cJSON *m = NULL, *e;
	int ret;

	*replayed = cJSON_CreateArray();
	if ((ret = manifest_read(dir, &m)) ||
	    (ret = mlci_tracking_open(&src, spool, NULL)) ||
	    (ret = mlci_tracking_open(&dst, mlci_register_tracking_uri(tracking_uri),
				      NULL)))
		goto out;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(m, "runs")) {
		char *run = NULL;

		if (mlci_json_get_string(e, "replayed_run_id"))
			continue;
		if ((ret = replay_one(src, dst, e, &run)))
			break;
		mlci_json_set_string(e, "replayed_run_id", run);
		cJSON_AddItemToArray(*replayed, cJSON_CreateString(run));
		fprintf(stderr, "%s: replayed spooled run %s as %s\n", mlci_progname,
			mlci_json_get_string(e, "run_id"), run);
		free(run);
		/* Each entry done is written at once: a failure resumes after it. */
		if ((ret = manifest_write(dir, m)))
			break;
	}
out:
	if (ret) {
		cJSON_Delete(*replayed);
		*replayed = NULL;
	}
	mlci_tracking_close(src);
	mlci_tracking_close(dst);
	cJSON_Delete(m);
	free(spool);
	return ret;
}
