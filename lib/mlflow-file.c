/* SPDX-License-Identifier: MIT */
/* The tracking backend on MLflow's file store (mlruns/): meta.yaml files, one file per param, tag and metric history. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "mlflow-file.h"
#include "now.h"
#include "random.h"
#include "strbuf.h"
#include "tracking.h"
#include "usage.h"
#include "wrapper.h"

/* Bigger files than this are not MLflow's: refuse rather than read them. */
#define MAX_META (16u << 20)

struct fs {
	char *root;	/* absolute, no trailing slash */
	int lockfd;	/* the root directory, for flock() */
};

static struct fs *FS(struct mlci_tracking *t)
{
	return t->priv;
}

/* RUNNING=1 SCHEDULED=2 FINISHED=3 FAILED=4 KILLED=5, MLflow's RunStatus. */
static const char *const status_names[] = {
	NULL, MLCI_RUN_RUNNING, MLCI_RUN_SCHEDULED, MLCI_RUN_FINISHED,
	MLCI_RUN_FAILED, MLCI_RUN_KILLED
};

static int status_number(const char *name)
{
	for (int i = 1; i < 6; i++)
		if (!strcmp(name, status_names[i]))
			return i;
	return 0;
}

static int lock(struct fs *s)
{
	while (flock(s->lockfd, LOCK_EX)) {
		if (errno != EINTR)
			return mlci_error_errno(MLCI_EXIT_SYSTEM,
						"cannot lock '%s'", s->root);
	}
	return 0;
}

static int unlock(struct fs *s, int ret)
{
	flock(s->lockfd, LOCK_UN);
	return ret;
}

/* --- Files --------------------------------------------------------------- */

/* Read path into *out (new). 0, 1 when it does not exist, or negative. */
static int read_text(const char *path, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *fp = fopen(path, "rb");
	int rc;

	*out = NULL;
	if (!fp) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		return mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot open '%s'",
					path);
	}
	rc = strbuf_read_file_cap(&sb, fp, MAX_META);
	fclose(fp);
	if (rc) {
		strbuf_release(&sb);
		return rc == -2 ?
		       mlci_error(MLCI_EXIT_INPUT, "'%s' is too large", path) :
		       mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot read '%s'",
					path);
	}
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

static int write_text(const char *path, const char *data, size_t len)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int ret = 0;

	if (slash && slash != dir) {
		*slash = '\0';
		ret = mlci_tracking_mkdirs(dir);
	}
	free(dir);
	return ret ? ret : mlci_atomic_write_file(path, data, len);
}

static int exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Append every regular file under dir to *keys as a path relative to dir. */
static int list_files(const char *dir, const char *prefix, char ***keys,
		      size_t *n, size_t *alloc)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 :
		       mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot open '%s'",
					dir);
	while (!ret && (de = readdir(d))) {
		char *path, *key;
		struct stat st;

		/* Our own temporary files start with a dot; no key does. */
		if (de->d_name[0] == '.')
			continue;
		path = xstrfmt("%s/%s", dir, de->d_name);
		key = *prefix ? xstrfmt("%s/%s", prefix, de->d_name) :
		      xstrdup(de->d_name);
		if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			ret = list_files(path, key, keys, n, alloc);
			free(key);
		} else if (S_ISREG(st.st_mode)) {
			ALLOC_GROW(*keys, *n + 1, *alloc);
			(*keys)[(*n)++] = key;
		} else {
			free(key);
		}
		free(path);
	}
	closedir(d);
	return ret;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file under dir as key = content, sorted by key. */
static int load_kvs(const char *dir, struct mlci_tracking_kv **out, size_t *n)
{
	char **keys = NULL;
	size_t nk = 0, alloc = 0;
	int ret = list_files(dir, "", &keys, &nk, &alloc);

	if (!ret && nk) {
		qsort(keys, nk, sizeof(*keys), str_cmp);
		*out = xcalloc(nk, sizeof(**out));
	}
	for (size_t i = 0; i < nk; i++) {
		char *path = xstrfmt("%s/%s", dir, keys[i]), *value = NULL;

		if (!ret && !(ret = read_text(path, &value)) && value) {
			(*out)[*n].key = keys[i];
			(*out)[(*n)++].value = value;
			keys[i] = NULL;
		} else if (ret > 0) {
			ret = 0;	/* removed meanwhile */
		}
		free(keys[i]);
		free(path);
	}
	free(keys);
	return ret;
}

/* --- meta.yaml ------------------------------------------------------------ */

/*
 * A meta.yaml as PyYAML's safe_dump writes it: one "key: value" per line,
 * keys sorted. Values are kept as their YAML text, so fields we do not know
 * survive a rewrite.
 */
struct meta {
	char **keys;
	char **raw;
	size_t n, alloc;
};

static void meta_release(struct meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->raw[i]);
	}
	free(m->keys);
	free(m->raw);
	memset(m, 0, sizeof(*m));
}

static void meta_set_raw(struct meta *m, const char *key, char *raw)
{
	size_t i, alloc;

	for (i = 0; i < m->n; i++) {
		if (!strcmp(m->keys[i], key)) {
			free(m->raw[i]);
			m->raw[i] = raw;
			return;
		}
	}
	alloc = m->alloc;
	ALLOC_GROW(m->keys, m->n + 1, alloc);
	ALLOC_GROW(m->raw, m->n + 1, m->alloc);
	m->keys[m->n] = xstrdup(key);
	m->raw[m->n++] = raw;
}

static int yaml_plain_ok(const char *v)
{
	static const char *const words[] = {
		"null", "Null", "NULL", "~", "true", "True", "TRUE", "false",
		"False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on",
		"On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"
	};
	size_t len = strlen(v);

	if (!len || strchr(" -?:,[]{}#&*!|>'\"%@`.+", v[0]) ||
	    v[len - 1] == ' ' || strstr(v, ": ") || strstr(v, " #"))
		return 0;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (!strcmp(v, words[i]))
			return 0;
	/* Anything YAML 1.1 could read as a number or a date stays a string. */
	if (v[0] >= '0' && v[0] <= '9' &&
	    (strspn(v, "0123456789_.:eE+-") == len ||
	     (v[0] == '0' && strchr("xXoObB", v[1] ? v[1] : ' '))))
		return 0;
	return 1;
}

/* A string as a YAML scalar: plain when safe, else quoted. */
static char *yaml_str(const char *v)
{
	struct strbuf sb = STRBUF_INIT;
	int ctrl = 0;

	if (!v)
		return xstrdup("null");
	if (yaml_plain_ok(v))
		return xstrdup(v);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			ctrl = 1;
	if (!ctrl) {
		strbuf_addch(&sb, '\'');
		for (const char *p = v; *p; p++) {
			if (*p == '\'')
				strbuf_addch(&sb, '\'');
			strbuf_addch(&sb, *p);
		}
		strbuf_addch(&sb, '\'');
		return strbuf_detach(&sb, NULL);
	}
	strbuf_addch(&sb, '"');
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\')
			strbuf_addf(&sb, "\\%c", c);
		else if (c == '\n')
			strbuf_addstr(&sb, "\\n");
		else if (c == '\t')
			strbuf_addstr(&sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(&sb, "\\x%02X", c);
		else
			strbuf_addch(&sb, (char)c);
	}
	strbuf_addch(&sb, '"');
	return strbuf_detach(&sb, NULL);
}

static void meta_set_str(struct meta *m, const char *key, const char *v)
{
	meta_set_raw(m, key, yaml_str(v));
}

static void meta_set_int(struct meta *m, const char *key, int64_t v)
{
	meta_set_raw(m, key, xstrfmt("%lld", (long long)v));
}

static const char *meta_raw(const struct meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->keys[i], key))
			return m->raw[i];
	return NULL;
}

/* The string value of key (new), NULL for a missing key or null. */
static char *meta_str(const struct meta *m, const char *key)
{
	const char *r = meta_raw(m, key);
	struct strbuf sb = STRBUF_INIT;

	if (!r || !*r || !strcmp(r, "null") || !strcmp(r, "~") ||
	    !strcmp(r, "Null") || !strcmp(r, "NULL"))
		return NULL;
	if (r[0] == '\'') {
		for (const char *p = r + 1; *p; p++) {
			if (*p == '\'') {
				if (p[1] != '\'')
					break;
				p++;
			}
			strbuf_addch(&sb, *p);
		}
		return strbuf_detach(&sb, NULL);
	}
	if (r[0] == '"') {
		for (const char *p = r + 1; *p && *p != '"'; p++) {
			if (*p != '\\' || !p[1]) {
				strbuf_addch(&sb, *p);
				continue;
			}
			p++;
			switch (*p) {
			case 'n': strbuf_addch(&sb, '\n'); break;
			case 't': strbuf_addch(&sb, '\t'); break;
			case '0': strbuf_addch(&sb, '\0'); break;
			case 'x':
				if (p[1] && p[2] && strspn(p + 1, "0123456789abcdefABCDEF") >= 2) {
					char hex[3] = { p[1], p[2], 0 };

					strbuf_addch(&sb, (char)strtol(hex, NULL, 16));
					p += 2;
				}
				break;
			default: strbuf_addch(&sb, *p); break;
			}
		}
		return strbuf_detach(&sb, NULL);
	}
	return xstrdup(r);
}

static int64_t meta_int(const struct meta *m, const char *key, int64_t dflt)
{
	const char *r = meta_raw(m, key);
	long v;

	if (!r)
		return dflt;
	if (r[0] == '\'') {
		char *s = meta_str(m, key);
		int bad = mlci_parse_long(s, INT64_MIN, INT64_MAX, &v);

		free(s);
		return bad ? dflt : v;
	}
	return mlci_parse_long(r, INT64_MIN, INT64_MAX, &v) ? dflt : v;
}

static int meta_read(const char *path, struct meta *m)
{
	char *text, *line, *next;
	int ret = read_text(path, &text);

	memset(m, 0, sizeof(*m));
	if (ret)
		return ret;
	for (line = text; line && *line; line = next) {
		char *colon;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == ' ' && m->n) {
			/* A folded plain scalar continues on indented lines. */
			char *prev = m->raw[m->n - 1];

			while (*line == ' ')
				line++;
			m->raw[m->n - 1] = xstrfmt("%s %s", prev, line);
			free(prev);
			continue;
		}
		colon = strstr(line, ":");
		if (!colon || line[0] == '#' || line[0] == '-')
			continue;
		*colon = '\0';
		colon++;
		while (*colon == ' ')
			colon++;
		for (char *e = colon + strlen(colon); e > colon && e[-1] == ' ';)
			*--e = '\0';
		meta_set_raw(m, line, xstrdup(colon));
	}
	free(text);
	return 0;
}

static int meta_write(const char *path, struct meta *m)
{
	struct strbuf sb = STRBUF_INIT;
	size_t *order = xmalloc((m->n ? m->n : 1) * sizeof(*order));
	int ret;

	for (size_t i = 0; i < m->n; i++)
		order[i] = i;
	/* safe_dump sorts the keys; so do we (a few keys: insertion sort). */
	for (size_t i = 1; i < m->n; i++)
		for (size_t j = i; j > 0 &&
		     strcmp(m->keys[order[j - 1]], m->keys[order[j]]) > 0; j--) {
			size_t tmp = order[j];

			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	for (size_t i = 0; i < m->n; i++)
		strbuf_addf(&sb, "%s: %s\n", m->keys[order[i]],
			    m->raw[order[i]]);
	ret = write_text(path, sb.buf, sb.len);
	strbuf_release(&sb);
	free(order);
	return ret;
}

/* --- Experiments ----------------------------------------------------------- */

static int load_experiment(struct fs *s, const char *id,
			   struct mlci_tracking_experiment *e)
{
	char *path = xstrfmt("%s/%s/meta.yaml", s->root, id), *eid;
	struct meta m;
	int ret = meta_read(path, &m);

	free(path);
	if (ret)
		return ret;
	eid = meta_str(&m, "experiment_id");
	/* MLflow skips an experiment whose directory is not its id. */
	if (!eid || strcmp(eid, id)) {
		free(eid);
		meta_release(&m);
		return 1;
	}
	e->id = eid;
	e->name = meta_str(&m, "name");
	e->artifact_location = meta_str(&m, "artifact_location");
	e->lifecycle_stage = meta_str(&m, "lifecycle_stage");
	e->creation_time = meta_int(&m, "creation_time", 0);
	meta_release(&m);
	if (!e->name)
		e->name = xstrdup("");
	if (!e->lifecycle_stage)
		e->lifecycle_stage = xstrdup("active");
	return 0;
}

static int write_experiment(struct fs *s, const char *id, const char *name)
{
	struct meta m = { 0 };
	char *dir = xstrfmt("%s/%s", s->root, id), *path;
	int64_t now = mlci_now_ms();
	int ret;

	meta_set_raw(&m, "artifact_location", mlci_tracking_path_to_uri(dir));
	meta_set_int(&m, "creation_time", now);
	meta_set_raw(&m, "experiment_id", xstrfmt("'%s'", id));
	meta_set_int(&m, "last_update_time", now);
	meta_set_str(&m, "lifecycle_stage", "active");
	meta_set_str(&m, "name", name);
	path = xstrfmt("%s/meta.yaml", dir);
	ret = meta_write(path, &m);
	free(path);
	free(dir);
	meta_release(&m);
	return ret;
}

/* The ids of the experiment directories (digits only). */
static int list_experiments(struct fs *s, char ***ids, size_t *n)
{
	DIR *d = opendir(s->root);
	struct dirent *de;
	size_t alloc = 0;

	if (!d)
		return mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot open '%s'",
					s->root);
	while ((de = readdir(d))) {
		if (!de->d_name[0] ||
		    strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		ALLOC_GROW(*ids, *n + 1, alloc);
		(*ids)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(*ids, *n, sizeof(**ids), str_cmp);
	return 0;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int fs_experiment_get_or_create(struct mlci_tracking *t,
				       const char *name,
				       struct mlci_tracking_experiment *e,
				       int *created)
{
	struct fs *s = FS(t);
	char **ids = NULL, id[24];
	size_t n = 0;
	int ret;

	*created = 0;
	if ((ret = lock(s)))
		return ret;
	if ((ret = list_experiments(s, &ids, &n)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct mlci_tracking_experiment x = { 0 };
		int r = load_experiment(s, ids[i], &x);

		if (r < 0) {
			ret = r;
			goto out;
		}
		if (!r && !strcmp(x.name, name)) {
			*e = x;
			goto out;
		}
		mlci_tracking_experiment_release(&x);
	}
	/* MLflow's file store: a random 18-digit id. */
	do {
		uint64_t r;
		char *dir;

		mlci_random_bytes(&r, sizeof(r));
		snprintf(id, sizeof(id), "%llu",
			 (unsigned long long)(100000000000000000ULL +
					      r % 900000000000000000ULL));
		dir = xstrfmt("%s/%s", s->root, id);
		ret = exists(dir);
		free(dir);
	} while (ret);
	if (!(ret = write_experiment(s, id, name)) &&
	    !(ret = load_experiment(s, id, e)))
		*created = 1;
	else if (ret > 0)
		ret = mlci_error(MLCI_EXIT_SYSTEM, "experiment %s vanished", id);
out:
	free_strs(ids, n);
	ret = unlock(s, ret);
	if (!ret && strcmp(e->lifecycle_stage, "active"))
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Experiment '%s' is deleted; restore it or choose another name",
				 name);
	if (ret)
		mlci_tracking_experiment_release(e);
	return ret;
}

/* --- Runs ----------------------------------------------------------------- */

/* The directory of run_id (*dir new): 0, 1 when there is no such run. */
static int find_run_dir(struct fs *s, const char *run_id, char **dir)
{
	char **ids = NULL;
	size_t n = 0;
	int ret;

	*dir = NULL;
	if ((ret = list_experiments(s, &ids, &n)))
		return ret;
	ret = 1;
	for (size_t i = 0; i < n && ret; i++) {
		char *d = xstrfmt("%s/%s/%s", s->root, ids[i], run_id);
		char *meta = xstrfmt("%s/meta.yaml", d);

		if (exists(meta)) {
			*dir = d;
			ret = 0;
		} else {
			free(d);
		}
		free(meta);
	}
	free_strs(ids, n);
	return ret;
}

static int run_not_found(const char *run_id)
{
	return mlci_error(MLCI_EXIT_INPUT, "Run '%s' not found", run_id);
}

static int latest_of(const char *path, const char *key,
		     struct mlci_tracking_metric *out, int *have);
static int read_history(const char *path, const char *key,
			struct mlci_tracking_metric **out, size_t *n);

static int load_run(const char *dir, struct mlci_tracking_run *r)
{
	char *path = xstrfmt("%s/meta.yaml", dir), *status;
	struct meta m;
	char **keys = NULL;
	size_t nk = 0, alloc = 0;
	int ret = meta_read(path, &m), st;

	free(path);
	if (ret)
		return ret;
	r->run_id = meta_str(&m, "run_id");
	if (!r->run_id)
		r->run_id = meta_str(&m, "run_uuid");
	r->experiment_id = meta_str(&m, "experiment_id");
	r->run_name = meta_str(&m, "run_name");
	r->user_id = meta_str(&m, "user_id");
	st = (int)meta_int(&m, "status", 0);
	status = xstrdup(st >= 1 && st <= 5 ? status_names[st] : "UNKNOWN");
	r->status = status;
	r->lifecycle_stage = meta_str(&m, "lifecycle_stage");
	r->artifact_uri = meta_str(&m, "artifact_uri");
	r->start_time = meta_int(&m, "start_time", -1);
	r->end_time = meta_int(&m, "end_time", -1);
	meta_release(&m);
	path = xstrfmt("%s/tags", dir);
	ret = load_kvs(path, &r->tags, &r->ntags);
	free(path);
	path = xstrfmt("%s/params", dir);
	if (!ret)
		ret = load_kvs(path, &r->params, &r->nparams);
	free(path);
	path = xstrfmt("%s/metrics", dir);
	if (!ret)
		ret = list_files(path, "", &keys, &nk, &alloc);
	if (nk) {
		qsort(keys, nk, sizeof(*keys), str_cmp);
		r->metrics = xcalloc(nk, sizeof(*r->metrics));
	}
	for (size_t i = 0; !ret && i < nk; i++) {
		char *file = xstrfmt("%s/%s", path, keys[i]);
		int have = 0;

		ret = latest_of(file, keys[i], &r->metrics[r->nmetrics], &have);
		if (have)
			r->nmetrics++;
		free(file);
	}
	free(path);
	free_strs(keys, nk);
	if (ret)
		mlci_tracking_run_release(r);
	return ret;
}

static int fs_run_get(struct mlci_tracking *t, const char *run_id,
		      struct mlci_tracking_run *r)
{
	char *dir;
	int ret = find_run_dir(FS(t), run_id, &dir);

	if (ret > 0)
		return run_not_found(run_id);
	if (!ret)
		ret = load_run(dir, r);
	free(dir);
	return ret > 0 ? run_not_found(run_id) : ret;
}

/* The newest active run of experiment exp_id tagged key = value (*dir new). */
static int find_tagged(struct fs *s, const char *exp_id, const char *key,
		       const char *value, char **dir)
{
	char *edir = xstrfmt("%s/%s", s->root, exp_id);
	DIR *d = opendir(edir);
	struct dirent *de;
	int64_t best = INT64_MIN;
	int ret = 0;

	*dir = NULL;
	if (!d) {
		free(edir);
		return 0;
	}
	while (!ret && (de = readdir(d))) {
		char *rdir, *path, *v = NULL;
		struct meta m;

		if (strlen(de->d_name) != 32)
			continue;
		rdir = xstrfmt("%s/%s", edir, de->d_name);
		path = xstrfmt("%s/tags/%s", rdir, key);
		if (!read_text(path, &v) && v && !strcmp(v, value)) {
			free(path);
			path = xstrfmt("%s/meta.yaml", rdir);
			if (!meta_read(path, &m)) {
				char *stage = meta_str(&m, "lifecycle_stage");
				int64_t start = meta_int(&m, "start_time", 0);

				if (stage && !strcmp(stage, "active") &&
				    (start > best || (start == best && *dir &&
						      strcmp(rdir, *dir) < 0))) {
					best = start;
					free(*dir);
					*dir = rdir;
					rdir = NULL;
				}
				free(stage);
				meta_release(&m);
			}
		}
		free(v);
		free(path);
		free(rdir);
	}
	closedir(d);
	free(edir);
	return ret;
}

static int fs_run_find_by_tag(struct mlci_tracking *t, const char *exp_id,
			      const char *key, const char *value,
			      struct mlci_tracking_run *out, int *found)
{
	char *dir;
	int ret = find_tagged(FS(t), exp_id, key, value, &dir);

	if (!ret && dir) {
		*found = 1;
		ret = load_run(dir, out);
		if (ret > 0)
			ret = 0, *found = 0;
	}
	free(dir);
	return ret;
}

static int write_kv(const char *dir, const char *sub, const char *key,
		    const char *value)
{
	char *path = xstrfmt("%s/%s/%s", dir, sub, key);
	int ret = write_text(path, value, strlen(value));

	free(path);
	return ret;
}

/* Rewrite a run's meta.yaml with status (a name) and end_time. */
static int update_run_meta(const char *dir, const char *status,
			   int64_t end_time, int clear_end, const char *name)
{
	char *path = xstrfmt("%s/meta.yaml", dir);
	struct meta m;
	int ret = meta_read(path, &m);

	if (ret) {
		free(path);
		return ret;
	}
	if (status)
		meta_set_int(&m, "status", status_number(status));
	if (end_time >= 0)
		meta_set_int(&m, "end_time", end_time);
	else if (clear_end)
		meta_set_raw(&m, "end_time", xstrdup("null"));
	if (name)
		meta_set_str(&m, "run_name", name);
	ret = meta_write(path, &m);
	meta_release(&m);
	free(path);
	return ret;
}

static int run_is_active(const char *dir, const char *run_id)
{
	char *path = xstrfmt("%s/meta.yaml", dir), *stage;
	struct meta m;
	int ret = meta_read(path, &m);

	free(path);
	if (ret)
		return ret > 0 ? run_not_found(run_id) : ret;
	stage = meta_str(&m, "lifecycle_stage");
	if (stage && strcmp(stage, "active"))
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "The run %s must be in the 'active' state. Current state is %s.",
				 run_id, stage);
	free(stage);
	meta_release(&m);
	return ret;
}

static int fs_run_start(struct mlci_tracking *t,
			const struct mlci_tracking_run_spec *spec,
			struct mlci_tracking_run *out, int *created)
{
	struct fs *s = FS(t);
	struct mlci_tracking_experiment e = { 0 };
	struct meta m = { 0 };
	char id[33], *dir = NULL, *name = NULL, *path;
	int64_t start = spec->start_time >= 0 ? spec->start_time : mlci_now_ms();
	int ret;

	*created = 0;
	if ((ret = lock(s)))
		return ret;
	if (spec->idempotency_key) {
		if ((ret = find_tagged(s, spec->experiment_id,
				       MLCI_TRACKING_IDEMPOTENCY_TAG,
				       spec->idempotency_key, &dir)))
			goto out;
		if (dir) {
			struct mlci_tracking_run r;

			mlci_tracking_run_init(&r);
			if (!(ret = load_run(dir, &r)) &&
			    strcmp(r.status, MLCI_RUN_FINISHED))
				ret = update_run_meta(dir, MLCI_RUN_RUNNING,
						      -1, 1, NULL);
			mlci_tracking_run_release(&r);
			goto out;
		}
	}
	ret = load_experiment(s, spec->experiment_id, &e);
	if (ret > 0 || (!ret && strcmp(e.lifecycle_stage, "active")))
		ret = mlci_error(MLCI_EXIT_INPUT,
				 ret ? "Could not find experiment with ID %s"
				     : "The experiment %s must be in the 'active' state. Current state is deleted.",
				 spec->experiment_id);
	if (ret)
		goto out;
	mlci_tracking_new_run_id(id);
	name = spec->run_name ? xstrdup(spec->run_name) : NULL;
	for (size_t i = 0; !name && i < spec->ntags; i++)
		if (!strcmp(spec->tags[i].key, "mlflow.runName"))
			name = xstrdup(spec->tags[i].value);
	if (!name)
		name = xstrfmt("run-%.8s", id);
	dir = xstrfmt("%s/%s/%s", s->root, spec->experiment_id, id);
	/* Tags first: the run appears (its meta.yaml) only when complete. */
	for (size_t i = 0; !ret && i < spec->ntags; i++)
		ret = write_kv(dir, "tags", spec->tags[i].key,
			       spec->tags[i].value ? spec->tags[i].value : "");
	if (!ret && spec->idempotency_key)
		ret = write_kv(dir, "tags", MLCI_TRACKING_IDEMPOTENCY_TAG,
			       spec->idempotency_key);
	if (!ret)
		ret = write_kv(dir, "tags", "mlflow.runName", name);
	path = xstrfmt("%s/artifacts", dir);
	if (!ret)
		ret = mlci_tracking_mkdirs(path);
	free(path);
	if (ret)
		goto out;
	meta_set_raw(&m, "artifact_uri",
		     xstrfmt("%s/%s/artifacts", e.artifact_location, id));
	meta_set_raw(&m, "end_time", xstrdup("null"));
	meta_set_raw(&m, "entry_point_name", xstrdup("''"));
	meta_set_raw(&m, "experiment_id", xstrfmt("'%s'", spec->experiment_id));
	meta_set_str(&m, "lifecycle_stage", "active");
	meta_set_str(&m, "run_id", id);
	meta_set_str(&m, "run_name", name);
	meta_set_str(&m, "run_uuid", id);
	meta_set_raw(&m, "source_name", xstrdup("''"));
	meta_set_int(&m, "source_type", 4);
	meta_set_raw(&m, "source_version", xstrdup("''"));
	meta_set_int(&m, "start_time", start);
	meta_set_int(&m, "status", 1);
	meta_set_raw(&m, "tags", xstrdup("[]"));
	meta_set_raw(&m, "user_id", spec->user_id && *spec->user_id ?
		     yaml_str(spec->user_id) : xstrdup("''"));
	path = xstrfmt("%s/meta.yaml", dir);
	ret = meta_write(path, &m);
	free(path);
	if (!ret)
		*created = 1;
out:
	ret = unlock(s, ret);
	if (!ret) {
		ret = load_run(dir, out);
		if (ret > 0)
			ret = run_not_found(id);
	}
	if (ret)
		*created = 0;
	mlci_tracking_experiment_release(&e);
	meta_release(&m);
	free(dir);
	free(name);
	return ret;
}

static int fs_run_update(struct mlci_tracking *t, const char *run_id,
			 const char *status, int64_t end_time)
{
	struct fs *s = FS(t);
	char *dir = NULL;
	int ret;

	if ((ret = lock(s)))
		return ret;
	ret = find_run_dir(s, run_id, &dir);
	if (ret > 0)
		ret = run_not_found(run_id);
	if (!ret)
		ret = run_is_active(dir, run_id);
	if (!ret)
		ret = update_run_meta(dir, status, end_time, 0, NULL);
	free(dir);
	return unlock(s, ret);
}

/* --- Metrics -------------------------------------------------------------- */

static int parse_point(const char *line, const char *key,
		       struct mlci_tracking_metric *m)
{
	char ts[32], val[64], st[32];
	long v;

	st[0] = '\0';
	if (sscanf(line, "%31s %63s %31s", ts, val, st) < 2)
		return -1;
	if (mlci_parse_long(ts, 0, INT64_MAX, &v))
		return -1;
	m->timestamp = v;
	m->step = 0;
	if (st[0] && mlci_parse_long(st, INT64_MIN, INT64_MAX, &v))
		return -1;
	if (st[0])
		m->step = v;
	if (!strcmp(val, "nan") || !strcmp(val, "NaN"))
		m->value = NAN;
	else if (!strcmp(val, "inf") || !strcmp(val, "Infinity"))
		m->value = INFINITY;
	else if (!strcmp(val, "-inf") || !strcmp(val, "-Infinity"))
		m->value = -INFINITY;
	else if (mlci_parse_double(val, &m->value))
		return -1;
	m->key = key;
	return 0;
}

/* (step, timestamp, value) order, NaN as in MLflow's SQL store (0). */
static int point_cmp(const struct mlci_tracking_metric *a,
		     const struct mlci_tracking_metric *b)
{
	double av = isnan(a->value) ? 0 : a->value;
	double bv = isnan(b->value) ? 0 : b->value;

	if (a->step != b->step)
		return a->step < b->step ? -1 : 1;
	if (a->timestamp != b->timestamp)
		return a->timestamp < b->timestamp ? -1 : 1;
	return av < bv ? -1 : av > bv;
}

static int point_qcmp(const void *a, const void *b)
{
	return point_cmp(a, b);
}

static int read_history(const char *path, const char *key,
			struct mlci_tracking_metric **out, size_t *n)
{
	char *text, *line, *next;
	size_t alloc = 0;
	int ret = read_text(path, &text);

	if (ret)
		return ret;
	for (line = text; line && *line; line = next) {
		struct mlci_tracking_metric m;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		if (parse_point(line, key, &m)) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "'%s': malformed metric line '%s'",
					 path, line);
			break;
		}
		ALLOC_GROW(*out, *n + 1, alloc);
		m.key = xstrdup(key);
		(*out)[(*n)++] = m;
	}
	free(text);
	return ret;
}

static int latest_of(const char *path, const char *key,
		     struct mlci_tracking_metric *out, int *have)
{
	struct mlci_tracking_metric *h = NULL;
	size_t n = 0, best = 0;
	int ret = read_history(path, key, &h, &n);

	*have = 0;
	if (ret > 0)
		ret = 0;
	if (!ret && n) {
		for (size_t i = 1; i < n; i++)
			if (point_cmp(&h[i], &h[best]) > 0)
				best = i;
		*out = h[best];
		out->key = xstrdup(key);
		*have = 1;
	}
	mlci_tracking_metrics_free(h, n);
	return ret;
}

static int fs_metric_history(struct mlci_tracking *t, const char *run_id,
			     const char *key,
			     struct mlci_tracking_metric **out, size_t *n)
{
	char *dir, *path;
	int ret = find_run_dir(FS(t), run_id, &dir);

	if (ret)
		return ret > 0 ? run_not_found(run_id) : ret;
	path = xstrfmt("%s/metrics/%s", dir, key);
	ret = read_history(path, key, out, n);
	if (ret > 0)
		ret = 0;
	if (!ret)
		qsort(*out, *n, sizeof(**out), point_qcmp);
	free(path);
	free(dir);
	return ret;
}

static int append_point(const char *dir, const struct mlci_tracking_metric *m)
{
	char *path = xstrfmt("%s/metrics/%s", dir, m->key), *old = NULL;
	struct strbuf sb = STRBUF_INIT;
	char num[40];
	int ret = read_text(path, &old);

	if (ret > 0)
		ret = 0;
	if (!ret) {
		struct strbuf line = STRBUF_INIT;
		const char *hit;

		mlci_tracking_format_double(num, sizeof(num), m->value);
		strbuf_addf(&line, "%lld %s %lld\n", (long long)m->timestamp,
			    num, (long long)m->step);
		/* The same point again is a no-op, as in the SQL store. */
		for (hit = old; hit && (hit = strstr(hit, line.buf)); hit++)
			if (hit == old || hit[-1] == '\n')
				break;
		if (!hit) {
			if (old)
				strbuf_addstr(&sb, old);
			if (sb.len && sb.buf[sb.len - 1] != '\n')
				strbuf_addch(&sb, '\n');
			strbuf_add(&sb, line.buf, line.len);
			ret = write_text(path, sb.buf, sb.len);
		}
		strbuf_release(&line);
	}
	strbuf_release(&sb);
	free(old);
	free(path);
	return ret;
}

static int fs_log_batch(struct mlci_tracking *t, const char *run_id,
			const struct mlci_tracking_batch *b)
{
	struct fs *s = FS(t);
	struct strbuf changed = STRBUF_INIT;
	char *dir = NULL;
	unsigned char *have;
	int ret;

	if ((ret = lock(s)))
		return ret;
	ret = find_run_dir(s, run_id, &dir);
	if (ret > 0)
		ret = run_not_found(run_id);
	if (!ret)
		ret = run_is_active(dir, run_id);
	have = xcalloc(b->nparams + 1, 1);
	/* Check every param before writing anything, as a transaction would. */
	for (size_t i = 0; !ret && i < b->nparams; i++) {
		char *path = xstrfmt("%s/params/%s", dir, b->params[i].key);
		char *old = NULL;
		int r = read_text(path, &old);

		if (r < 0)
			ret = r;
		else if (!r && strcmp(old, b->params[i].value))
			strbuf_addf(&changed, "%s{'key': '%s', 'old_value': '%s', 'new_value': '%s'}",
				    changed.len ? ", " : "", b->params[i].key,
				    old, b->params[i].value);
		else if (!r)
			have[i] = 1;
		free(old);
		free(path);
	}
	if (!ret && changed.len)
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Changing param values is not allowed. Params were already logged='[%s]' for run ID='%s'.",
				 changed.buf, run_id);
	for (size_t i = 0; !ret && i < b->nparams; i++)
		if (!have[i])
			ret = write_kv(dir, "params", b->params[i].key,
				       b->params[i].value);
	for (size_t i = 0; !ret && i < b->nmetrics; i++)
		ret = append_point(dir, &b->metrics[i]);
	for (size_t i = 0; !ret && i < b->ntags; i++) {
		const char *v = b->tags[i].value ? b->tags[i].value : "";

		ret = write_kv(dir, "tags", b->tags[i].key, v);
		if (!ret && !strcmp(b->tags[i].key, "mlflow.runName"))
			ret = update_run_meta(dir, NULL, -1, 0, v);
	}
	free(have);
	free(dir);
	strbuf_release(&changed);
	return unlock(s, ret);
}

/* --- The model registry ---------------------------------------------------- */

static int check_fs_name(const char *name)
{
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return mlci_error(MLCI_EXIT_INPUT,
				  "Invalid model name: '%s'. The file store keeps a model in a directory of that name",
				  name);
	return 0;
}

static char *model_dir(struct fs *s, const char *name)
{
	return xstrfmt("%s/models/%s", s->root, name);
}

static int model_exists(struct fs *s, const char *name)
{
	char *path = xstrfmt("%s/models/%s/meta.yaml", s->root, name);
	int ok = exists(path);

	free(path);
	if (!ok)
		return mlci_error(MLCI_EXIT_INPUT,
				  "Registered Model with name=%s not found", name);
	return 0;
}

static int version_dir(struct fs *s, const char *name, const char *version,
		       char **dir)
{
	char *meta;
	int ret = 0;

	*dir = xstrfmt("%s/models/%s/version-%s", s->root, name, version);
	meta = xstrfmt("%s/meta.yaml", *dir);
	if (!exists(meta)) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Model Version (name=%s, version=%s) not found",
				 name, version);
		free(*dir);
		*dir = NULL;
	}
	free(meta);
	return ret;
}

static int fs_model_get_or_create(struct mlci_tracking *t, const char *name,
				  int *created)
{
	struct fs *s = FS(t);
	char *dir, *path;
	int ret;

	*created = 0;
	if ((ret = check_fs_name(name)) || (ret = lock(s)))
		return ret;
	dir = model_dir(s, name);
	path = xstrfmt("%s/meta.yaml", dir);
	if (!exists(path)) {
		struct meta m = { 0 };
		int64_t now = mlci_now_ms();

		meta_set_int(&m, "creation_timestamp", now);
		meta_set_raw(&m, "description", xstrdup("null"));
		meta_set_int(&m, "last_updated_timestamp", now);
		meta_set_str(&m, "name", name);
		ret = meta_write(path, &m);
		meta_release(&m);
		*created = !ret;
	}
	free(path);
	free(dir);
	return unlock(s, ret);
}

/* The version numbers of name, ascending. */
static int list_versions(struct fs *s, const char *name, long **out, size_t *n)
{
	char *dir = model_dir(s, name);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t alloc = 0;

	free(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		long v;

		if (strncmp(de->d_name, "version-", 8) ||
		    mlci_parse_long(de->d_name + 8, 1, INT32_MAX, &v))
			continue;
		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = v;
	}
	closedir(d);
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && (*out)[j - 1] > (*out)[j]; j--) {
			long tmp = (*out)[j];

			(*out)[j] = (*out)[j - 1];
			(*out)[j - 1] = tmp;
		}
	return 0;
}

static int fs_version_get(struct mlci_tracking *t, const char *name,
			  const char *version, struct mlci_tracking_version *v)
{
	struct fs *s = FS(t);
	char *dir, *path, **keys = NULL;
	struct meta m;
	size_t nk = 0, alloc = 0, aalloc = 0;
	long num;
	int ret;

	if (mlci_parse_long(version, 1, INT32_MAX, &num))
		return mlci_error(MLCI_EXIT_INPUT,
				  "Model version must be an integer, got '%s'",
				  version);
	if ((ret = check_fs_name(name)))
		return ret;
	path = xstrfmt("%ld", num);
	ret = version_dir(s, name, path, &dir);
	free(path);
	if (ret)
		return ret;
	path = xstrfmt("%s/meta.yaml", dir);
	ret = meta_read(path, &m);
	free(path);
	if (ret) {
		free(dir);
		return ret > 0 ? mlci_error(MLCI_EXIT_INPUT,
					    "Model Version (name=%s, version=%s) not found",
					    name, version) : ret;
	}
	v->name = meta_str(&m, "name");
	v->version = xstrfmt("%ld", num);
	v->source = meta_str(&m, "source");
	v->run_id = meta_str(&m, "run_id");
	v->status = meta_str(&m, "status");
	v->current_stage = meta_str(&m, "current_stage");
	v->creation_time = meta_int(&m, "creation_timestamp", 0);
	v->last_updated_time = meta_int(&m, "last_updated_timestamp", 0);
	meta_release(&m);
	path = xstrfmt("%s/tags", dir);
	ret = load_kvs(path, &v->tags, &v->ntags);
	free(path);
	free(dir);
	/* Aliases live beside the versions: models/<name>/aliases/<alias>. */
	dir = xstrfmt("%s/models/%s/aliases", s->root, name);
	if (!ret)
		ret = list_files(dir, "", &keys, &nk, &alloc);
	if (nk)
		qsort(keys, nk, sizeof(*keys), str_cmp);
	for (size_t i = 0; !ret && i < nk; i++) {
		char *val = NULL;
		long an;

		path = xstrfmt("%s/%s", dir, keys[i]);
		if (!read_text(path, &val) && val &&
		    !mlci_parse_long(val, 1, INT32_MAX, &an) && an == num) {
			ALLOC_GROW(v->aliases, v->naliases + 1, aalloc);
			v->aliases[v->naliases++] = keys[i];
			keys[i] = NULL;
		}
		free(val);
		free(path);
	}
	free_strs(keys, nk);
	free(dir);
	if (ret)
		mlci_tracking_version_release(v);
	return ret;
}

static int fs_version_create(struct mlci_tracking *t, const char *name,
			     const char *source, const char *run_id,
			     struct mlci_tracking_version *out, int *created)
{
	struct fs *s = FS(t);
	long *versions = NULL, next = 1, found = 0;
	size_t n = 0;
	struct meta m = { 0 };
	char *path = NULL, *dir;
	int64_t now = mlci_now_ms();
	int ret;

	*created = 0;
	if ((ret = check_fs_name(name)) || (ret = lock(s)))
		return ret;
	if ((ret = model_exists(s, name)) ||
	    (ret = list_versions(s, name, &versions, &n)))
		goto out;
	for (size_t i = 0; run_id && i < n && !found; i++) {
		struct meta vm;
		char *vr, *vs;

		path = xstrfmt("%s/models/%s/version-%ld/meta.yaml", s->root,
			       name, versions[i]);
		if (!meta_read(path, &vm)) {
			vr = meta_str(&vm, "run_id");
			vs = meta_str(&vm, "source");
			if (vr && vs && !strcmp(vr, run_id) &&
			    !strcmp(vs, source))
				found = versions[i];
			free(vr);
			free(vs);
			meta_release(&vm);
		}
		free(path);
		path = NULL;
	}
	if (found)
		goto out;
	if (n)
		next = versions[n - 1] + 1;
	meta_set_int(&m, "creation_timestamp", now);
	meta_set_str(&m, "current_stage", "None");
	meta_set_raw(&m, "description", xstrdup("null"));
	meta_set_int(&m, "last_updated_timestamp", now);
	meta_set_str(&m, "name", name);
	meta_set_str(&m, "run_id", run_id);
	meta_set_raw(&m, "run_link", xstrdup("null"));
	meta_set_str(&m, "source", source);
	meta_set_str(&m, "status", "READY");
	meta_set_raw(&m, "status_message", xstrdup("null"));
	meta_set_str(&m, "storage_location", source);
	meta_set_raw(&m, "user_id", xstrdup("null"));
	meta_set_int(&m, "version", next);
	path = xstrfmt("%s/models/%s/version-%ld/meta.yaml", s->root, name,
		       next);
	if ((ret = meta_write(path, &m)))
		goto out;
	meta_release(&m);
	free(path);
	/* The registered model's last update is this version's creation. */
	path = xstrfmt("%s/models/%s/meta.yaml", s->root, name);
	if (!(ret = meta_read(path, &m))) {
		meta_set_int(&m, "last_updated_timestamp", now);
		ret = meta_write(path, &m);
	}
	found = next;
	*created = !ret;
out:
	ret = unlock(s, ret);
	if (!ret) {
		dir = xstrfmt("%ld", found);
		ret = fs_version_get(t, name, dir, out);
		free(dir);
	}
	if (ret)
		*created = 0;
	meta_release(&m);
	free(path);
	free(versions);
	return ret;
}

static int fs_version_set_tag(struct mlci_tracking *t, const char *name,
			      const char *version, const char *key,
			      const char *value)
{
	struct fs *s = FS(t);
	char *dir = NULL;
	int ret;

	if ((ret = check_fs_name(name)) || (ret = lock(s)))
		return ret;
	if (!(ret = version_dir(s, name, version, &dir)))
		ret = write_kv(dir, "tags", key, value);
	free(dir);
	return unlock(s, ret);
}

static int fs_versions_list(struct mlci_tracking *t, const char *name,
			    struct mlci_tracking_version **out, size_t *n)
{
	struct fs *s = FS(t);
	long *versions = NULL;
	size_t nv = 0;
	int ret;

	if ((ret = check_fs_name(name)) || (ret = model_exists(s, name)) ||
	    (ret = list_versions(s, name, &versions, &nv)))
		return ret;
	if (nv)
		*out = xcalloc(nv, sizeof(**out));
	for (size_t i = 0; !ret && i < nv; i++) {
		char *v = xstrfmt("%ld", versions[i]);

		ret = fs_version_get(t, name, v, &(*out)[i]);
		if (!ret)
			(*n)++;
		free(v);
	}
	free(versions);
	if (ret) {
		mlci_tracking_versions_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

static int fs_alias_set(struct mlci_tracking *t, const char *name,
			const char *alias, const char *version)
{
	struct fs *s = FS(t);
	char *dir = NULL;
	long v;
	int ret;

	if ((ret = check_fs_name(name)) || (ret = lock(s)))
		return ret;
	if (!(ret = model_exists(s, name)) &&
	    !(ret = version_dir(s, name, version, &dir))) {
		char *num, *path;

		mlci_parse_long(version, 1, INT32_MAX, &v);
		num = xstrfmt("%ld", v);
		path = xstrfmt("%s/models/%s/aliases/%s", s->root, name, alias);
		ret = write_text(path, num, strlen(num));
		free(path);
		free(num);
	}
	free(dir);
	return unlock(s, ret);
}

static int fs_alias_get(struct mlci_tracking *t, const char *name,
			const char *alias, char **version)
{
	struct fs *s = FS(t);
	char *path;
	int ret;

	if ((ret = check_fs_name(name)) || (ret = model_exists(s, name)))
		return ret;
	path = xstrfmt("%s/models/%s/aliases/%s", s->root, name, alias);
	ret = read_text(path, version);
	free(path);
	if (ret > 0)
		return mlci_error(MLCI_EXIT_INPUT,
				  "Registered model alias %s not found.", alias);
	return ret;
}

static int fs_alias_delete(struct mlci_tracking *t, const char *name,
			   const char *alias)
{
	struct fs *s = FS(t);
	char *path;
	int ret;

	if ((ret = check_fs_name(name)) || (ret = lock(s)))
		return ret;
	if (!(ret = model_exists(s, name))) {
		path = xstrfmt("%s/models/%s/aliases/%s", s->root, name, alias);
		if (unlink(path) && errno != ENOENT)
			ret = mlci_error_errno(MLCI_EXIT_SYSTEM,
					       "cannot remove '%s'", path);
		free(path);
	}
	return unlock(s, ret);
}

static void fs_close(struct mlci_tracking *t)
{
	struct fs *s = FS(t);

	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);
	free(s->root);
	free(s);
	t->priv = NULL;
}

static const struct mlci_tracking_ops file_ops = {
	.name = "file",
	.close = fs_close,
	.experiment_get_or_create = fs_experiment_get_or_create,
	.run_start = fs_run_start,
	.run_find_by_tag = fs_run_find_by_tag,
	.run_get = fs_run_get,
	.run_update = fs_run_update,
	.log_batch = fs_log_batch,
	.metric_history = fs_metric_history,
	.model_get_or_create = fs_model_get_or_create,
	.version_create = fs_version_create,
	.version_get = fs_version_get,
	.version_set_tag = fs_version_set_tag,
	.versions_list = fs_versions_list,
	.alias_set = fs_alias_set,
	.alias_get = fs_alias_get,
	.alias_delete = fs_alias_delete,
};

int mlci_mlflow_file_open(struct mlci_tracking *t, const char *path)
{
	struct fs *s = xcalloc(1, sizeof(*s));
	char *uri = mlci_tracking_path_to_uri(path), *meta, *trash;
	int ret;

	s->lockfd = -1;
	s->root = mlci_tracking_uri_to_path(uri);
	free(uri);
	t->ops = &file_ops;
	t->priv = s;
	if ((ret = mlci_tracking_mkdirs(s->root)))
		goto fail;
	s->lockfd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->lockfd < 0) {
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot open '%s'",
				       s->root);
		goto fail;
	}
	if ((ret = lock(s)))
		goto fail;
	meta = xstrfmt("%s/0/meta.yaml", s->root);
	if (!exists(meta))
		ret = write_experiment(s, "0", "Default");
	free(meta);
	trash = xstrfmt("%s/.trash", s->root);
	if (!ret)
		ret = mlci_tracking_mkdirs(trash);
	free(trash);
	if (!(ret = unlock(s, ret)))
		return 0;
fail:
	fs_close(t);
	t->ops = NULL;
	return ret;
}
