/* SPDX-License-Identifier: MIT */
/* The tracking interface: the backend chosen by URI, MLflow's input checks, and what every backend shares. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "mlflow-file.h"
#include "mlflow-rest.h"
#include "mlflow-sqlite.h"
#include "random.h"
#include "strbuf.h"
#include "tracking.h"
#include "usage.h"
#include "wrapper.h"

void mlci_tracking_experiment_init(struct mlci_tracking_experiment *e)
{
	memset(e, 0, sizeof(*e));
}

void mlci_tracking_experiment_release(struct mlci_tracking_experiment *e)
{
	free(e->id);
	free(e->name);
	free(e->artifact_location);
	free(e->lifecycle_stage);
	mlci_tracking_experiment_init(e);
}

static void kvs_free(struct mlci_tracking_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((void *)kv[i].key);
		free((void *)kv[i].value);
	}
	free(kv);
}

void mlci_tracking_metrics_free(struct mlci_tracking_metric *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((void *)m[i].key);
	free(m);
}

void mlci_tracking_run_init(struct mlci_tracking_run *r)
{
	memset(r, 0, sizeof(*r));
	r->end_time = -1;
}

void mlci_tracking_run_release(struct mlci_tracking_run *r)
{
	free(r->run_id);
	free(r->experiment_id);
	free(r->run_name);
	free(r->user_id);
	free(r->status);
	free(r->lifecycle_stage);
	free(r->artifact_uri);
	kvs_free(r->tags, r->ntags);
	kvs_free(r->params, r->nparams);
	mlci_tracking_metrics_free(r->metrics, r->nmetrics);
	mlci_tracking_run_init(r);
}

void mlci_tracking_version_init(struct mlci_tracking_version *v)
{
	memset(v, 0, sizeof(*v));
}

void mlci_tracking_version_release(struct mlci_tracking_version *v)
{
	free(v->name);
	free(v->version);
	free(v->source);
	free(v->run_id);
	free(v->status);
	free(v->current_stage);
	kvs_free(v->tags, v->ntags);
	for (size_t i = 0; i < v->naliases; i++)
		free(v->aliases[i]);
	free(v->aliases);
	mlci_tracking_version_init(v);
}

void mlci_tracking_versions_free(struct mlci_tracking_version *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mlci_tracking_version_release(&v[i]);
	free(v);
}

int mlci_tracking_kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mlci_tracking_kv *)a)->key,
		      ((const struct mlci_tracking_kv *)b)->key);
}

int mlci_tracking_metric_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mlci_tracking_metric *)a)->key,
		      ((const struct mlci_tracking_metric *)b)->key);
}

/* --- URIs and paths ----------------------------------------------------- */

char *mlci_tracking_normpath(const char *s)
{
	struct strbuf out = STRBUF_INIT;
	const char **comps = NULL;
	size_t n = 0, alloc = 0;
	char *copy = xstrdup(s), *p, *next;
	int slashes = 0;

	if (!*s) {
		free(copy);
		return xstrdup(".");
	}
	while (s[slashes] == '/')
		slashes++;
	/* POSIX leaves exactly two leading slashes alone, and so does Python. */
	if (slashes > 2)
		slashes = 1;
	for (p = copy; p; p = next) {
		next = strchr(p, '/');
		if (next)
			*next++ = '\0';
		if (!*p || !strcmp(p, "."))
			continue;
		if (!strcmp(p, "..")) {
			if (n && strcmp(comps[n - 1], "..")) {
				n--;
				continue;
			}
			if (slashes)
				continue;
		}
		ALLOC_GROW(comps, n + 1, alloc);
		comps[n++] = p;
	}
	for (int i = 0; i < slashes; i++)
		strbuf_addch(&out, '/');
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&out, '/');
		strbuf_addstr(&out, comps[i]);
	}
	if (!out.len)
		strbuf_addch(&out, '.');
	free(comps);
	free(copy);
	return strbuf_detach(&out, NULL);
}

char *mlci_tracking_path_to_uri(const char *path)
{
	struct strbuf abs = STRBUF_INIT, uri = STRBUF_INIT;
	char *norm;

	if (path[0] != '/') {
		char *cwd = getcwd(NULL, 0);

		if (!cwd)
			mlci_die("cannot get the current directory");
		strbuf_addstr(&abs, cwd);
		strbuf_addch(&abs, '/');
		free(cwd);
	}
	strbuf_addstr(&abs, path);
	norm = mlci_tracking_normpath(abs.buf);
	strbuf_release(&abs);
	strbuf_addstr(&uri, "file://");
	/* "//x" stays "//x" in normpath; a URI path wants one slash. */
	for (const char *p = norm[1] == '/' ? norm + 1 : norm; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/._~-", c))
			strbuf_addch(&uri, (char)c);
		else
			strbuf_addf(&uri, "%%%02X", c);
	}
	free(norm);
	return strbuf_detach(&uri, NULL);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *mlci_tracking_uri_to_path(const char *uri)
{
	struct strbuf out = STRBUF_INIT;
	const char *p;

	if (strncmp(uri, "file:", 5))
		return NULL;
	p = uri + 5;
	if (!strncmp(p, "//", 2)) {
		p += 2;
		if (!strncmp(p, "localhost/", 10))
			p += 9;
		else if (*p != '/')
			return NULL;	/* another host */
	}
	for (; *p && *p != '?' && *p != '#'; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			char c = (char)(hexval(p[1]) * 16 + hexval(p[2]));

			if (!c) {
				strbuf_release(&out);
				return NULL;
			}
			strbuf_addch(&out, c);
			p += 2;
		} else {
			strbuf_addch(&out, *p);
		}
	}
	if (!out.len) {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out, NULL);
}

void mlci_tracking_new_run_id(char out[33])
{
	unsigned char b[16];
	static const char hex[] = "0123456789abcdef";

	/* uuid4().hex, as MLflow makes run ids: version 4, RFC 4122 variant. */
	mlci_random_bytes(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[32] = '\0';
}

void mlci_tracking_format_double(char *buf, size_t size, double v)
{
	if (isnan(v)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, size, v > 0 ? "inf" : "-inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (!strpbrk(buf, ".e")) {
		size_t len = strlen(buf);

		if (len + 3 <= size)
			memcpy(buf + len, ".0", 3);
	}
}

int mlci_tracking_mkdirs(const char *path)
{
	char *copy = xstrdup(path);
	int ret = 0;

	for (char *p = copy + 1;; p++) {
		if (*p == '/' || !*p) {
			char save = *p;

			*p = '\0';
			if (mkdir(copy, 0777) && errno != EEXIST) {
				ret = mlci_error_errno(MLCI_EXIT_SYSTEM,
						       "cannot create directory '%s'",
						       copy);
				break;
			}
			*p = save;
			if (!save)
				break;
		}
	}
	free(copy);
	return ret;
}

/* --- MLflow's checks ---------------------------------------------------- */

static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The first n code points of s, as Python's s[:n]. */
static char *utf8_prefix(const char *s, size_t n)
{
	const char *p = s;
	size_t k = 0;

	for (; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && k++ == n)
			break;
	}
	return xstrndup(s, (size_t)(p - s));
}

static int check_length(const char *entity, size_t limit, const char *value)
{
	size_t len;
	char *head;
	int ret;

	if (!value || (len = utf8_len(value)) <= limit)
		return 0;
	head = utf8_prefix(value, 250);
	ret = mlci_error(MLCI_EXIT_INPUT,
			 "%s '%s' had length %zu, which exceeded length limit of %zu",
			 entity, head, len, limit);
	free(head);
	return ret;
}

int mlci_tracking_validate_key(const char *kind, const char *key)
{
	char *norm;
	int bad;

	if (!key)
		return mlci_error(MLCI_EXIT_INPUT,
				  "%c%s name cannot be None. A key name must be provided.",
				  kind[0] - 'a' + 'A', kind + 1);
	for (const char *p = key; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_.- /", c)))
			return mlci_error(MLCI_EXIT_INPUT,
					  "Invalid %s name: '%s'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).",
					  kind, key);
	}
	norm = mlci_tracking_normpath(key);
	bad = strcmp(norm, key) || !strcmp(norm, ".") ||
	      !strncmp(norm, "..", 2) || norm[0] == '/';
	if (bad)
		bad = mlci_error(MLCI_EXIT_INPUT,
				 "Invalid %s name: '%s'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '%s'",
				 kind, key, norm);
	free(norm);
	return bad;
}

static int check_batch_limit(const char *entity, size_t limit, size_t n)
{
	if (n <= limit)
		return 0;
	return mlci_error(MLCI_EXIT_INPUT,
			  "A batch logging request can contain at most %zu %s. Got %zu %s. Please split up %s across multiple requests and try again.",
			  limit, entity, n, entity, entity);
}

int mlci_tracking_validate_batch(const struct mlci_tracking_batch *b)
{
	struct strbuf dupes = STRBUF_INIT;
	int ret;

	/* The order of mlflow.store's log_batch: items, then counts, then duplicates. */
	for (size_t i = 0; i < b->nmetrics; i++) {
		const struct mlci_tracking_metric *m = &b->metrics[i];
		char num[40];

		if ((ret = mlci_tracking_validate_key("metric", m->key)))
			return ret;
		if (m->timestamp < 0) {
			mlci_tracking_format_double(num, sizeof(num), m->value);
			return mlci_error(MLCI_EXIT_INPUT,
					  "Got invalid timestamp %lld for metric '%s' (value=%s). Timestamp must be a nonnegative long (64-bit integer)",
					  (long long)m->timestamp, m->key, num);
		}
		if ((ret = check_length("Metric name", MLCI_TRACKING_MAX_KEY,
					m->key)))
			return ret;
	}
	for (size_t i = 0; i < b->nparams; i++) {
		const struct mlci_tracking_kv *p = &b->params[i];

		if ((ret = mlci_tracking_validate_key("parameter", p->key)) ||
		    (ret = check_length("Param key", MLCI_TRACKING_MAX_KEY,
					p->key)) ||
		    (ret = check_length("Param value",
					MLCI_TRACKING_MAX_PARAM_VALUE,
					p->value)))
			return ret;
		if (!p->value)
			return mlci_error(MLCI_EXIT_INPUT,
					  "Parameter '%s' has no value", p->key);
	}
	for (size_t i = 0; i < b->ntags; i++) {
		const struct mlci_tracking_kv *tg = &b->tags[i];

		if ((ret = mlci_tracking_validate_key("tag", tg->key)) ||
		    (ret = check_length("Tag key", MLCI_TRACKING_MAX_KEY,
					tg->key)) ||
		    (ret = check_length("Tag value",
					MLCI_TRACKING_MAX_TAG_VALUE,
					tg->value)))
			return ret;
	}
	if ((ret = check_batch_limit("metrics", MLCI_TRACKING_MAX_METRICS,
				     b->nmetrics)) ||
	    (ret = check_batch_limit("params", MLCI_TRACKING_MAX_PARAMS_TAGS,
				     b->nparams)) ||
	    (ret = check_batch_limit("tags", MLCI_TRACKING_MAX_PARAMS_TAGS,
				     b->ntags)) ||
	    (ret = check_batch_limit("metrics, params, and tags",
				     MLCI_TRACKING_MAX_ENTITIES,
				     b->nmetrics + b->nparams + b->ntags)))
		return ret;
	for (size_t i = 0; i < b->nparams; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (!strcmp(b->params[j].key, b->params[i].key))
				break;
		if (j < i)
			strbuf_addf(&dupes, "%s'%s'", dupes.len ? ", " : "",
				    b->params[i].key);
	}
	if (dupes.len) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Duplicate parameter keys have been submitted: [%s]. Please ensure the request contains only one param value per param key.",
				 dupes.buf);
		strbuf_release(&dupes);
		return ret;
	}
	return 0;
}

int mlci_tracking_validate_alias(const char *alias)
{
	int ret;

	if (!alias || !*alias)
		return mlci_error(MLCI_EXIT_INPUT,
				  "Registered model alias name cannot be empty.");
	for (const char *p = alias; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return mlci_error(MLCI_EXIT_INPUT,
					  "Invalid alias name: '%s'. Names may only contain alphanumerics, underscores (_), and dashes (-).",
					  alias);
	}
	if ((ret = check_length("Registered model alias name",
				MLCI_TRACKING_MAX_ALIAS, alias)))
		return ret;
	if (!strcasecmp(alias, "latest"))
		return mlci_error(MLCI_EXIT_INPUT,
				  "'latest' alias name (case insensitive) is reserved.");
	if ((alias[0] == 'v' || alias[0] == 'V') && alias[1] &&
	    strspn(alias + 1, "0123456789") == strlen(alias + 1))
		return mlci_error(MLCI_EXIT_INPUT,
				  "Version alias name '%s' is reserved.", alias);
	return 0;
}

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* ^[a-zA-Z0-9][\w\-]{0,max-1}$, MLflow's run and experiment id pattern. */
static int id_ok(const char *id, size_t max)
{
	size_t n = id ? strlen(id) : 0;

	if (!n || n > max || !is_alnum((unsigned char)id[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum((unsigned char)id[i]) && id[i] != '_' &&
		    id[i] != '-')
			return 0;
	return 1;
}

static int check_run_id(const char *run_id)
{
	if (!id_ok(run_id, 256))
		return mlci_error(MLCI_EXIT_INPUT, "Invalid run ID: '%s'",
				  run_id ? run_id : "");
	return 0;
}

static int check_model_name(const char *name)
{
	if (!name || !*name)
		return mlci_error(MLCI_EXIT_INPUT,
				  "Registered model name cannot be empty.");
	return 0;
}

static int check_version(const char *version)
{
	long v;

	if (!version || mlci_parse_long(version, 1, INT32_MAX, &v))
		return mlci_error(MLCI_EXIT_INPUT,
				  "Model version must be an integer, got '%s'",
				  version ? version : "");
	return 0;
}

static int check_status(const char *status)
{
	static const char *const ok[] = {
		MLCI_RUN_RUNNING, MLCI_RUN_SCHEDULED, MLCI_RUN_FINISHED,
		MLCI_RUN_FAILED, MLCI_RUN_KILLED
	};

	for (size_t i = 0; status && i < sizeof(ok) / sizeof(*ok); i++)
		if (!strcmp(status, ok[i]))
			return 0;
	return mlci_error(MLCI_EXIT_INPUT,
			  "Could not get run status corresponding to string %s. Valid run status strings: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']",
			  status ? status : "None");
}

/* --- Opening a store ---------------------------------------------------- */

int mlci_tracking_open(struct mlci_tracking **out, const char *uri,
		       const char *artifact_root)
{
	struct mlci_tracking *t;
	char *path = NULL, *root_uri = NULL;
	int ret;

	*out = NULL;
	if (!uri || !*uri)
		return mlci_error(MLCI_EXIT_INPUT, "empty tracking URI");
	t = xcalloc(1, sizeof(*t));
	t->uri = xstrdup(uri);
	if (!strncmp(uri, "http://", 7) || !strncmp(uri, "https://", 8)) {
		if (!uri[strcspn(uri, ":") + 3]) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "tracking URI '%s': no host", uri);
			goto out;
		}
		ret = mlci_mlflow_rest_open(t, uri);
	} else if (!strncmp(uri, "sqlite:", 7)) {
		if (strncmp(uri, "sqlite:///", 10) || !uri[10] ||
		    strchr(uri, '?')) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "tracking URI '%s': expected sqlite:///relative/path.db or sqlite:////absolute/path.db",
					 uri);
			goto out;
		}
		root_uri = mlci_tracking_path_to_uri(artifact_root ?
						     artifact_root : "./mlruns");
		ret = mlci_mlflow_sqlite_open(t, uri + 10, root_uri);
	} else if (!strncmp(uri, "file:", 5)) {
		path = mlci_tracking_uri_to_path(uri);
		if (!path) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "tracking URI '%s': not a local file URI",
					 uri);
			goto out;
		}
		ret = mlci_mlflow_file_open(t, path);
	} else if (strstr(uri, "://")) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "tracking URI '%s': unsupported scheme", uri);
	} else {
		ret = mlci_mlflow_file_open(t, uri);
	}
out:
	free(path);
	free(root_uri);
	if (ret) {
		free(t->uri);
		free(t);
		return ret;
	}
	*out = t;
	return 0;
}

void mlci_tracking_close(struct mlci_tracking *t)
{
	if (!t)
		return;
	if (t->ops)
		t->ops->close(t);
	free(t->artifact_run_id);
	free(t->artifact_uri);
	free(t->uri);
	free(t);
}

static double deadline;

void mlci_tracking_set_deadline(double d)
{
	deadline = d;
}

double mlci_tracking_deadline(void)
{
	return deadline;
}

char *mlci_tracking_run_url(struct mlci_tracking *t, const char *experiment_id,
			    const char *run_id)
{
	if (!t->ops->run_url || !experiment_id || !run_id)
		return NULL;
	return t->ops->run_url(t, experiment_id, run_id);
}

/* --- The checked operations --------------------------------------------- */

int mlci_tracking_experiment_get_or_create(struct mlci_tracking *t,
					   const char *name,
					   struct mlci_tracking_experiment *out,
					   int *created)
{
	int dummy;

	mlci_tracking_experiment_init(out);
	if (!name || !*name)
		return mlci_error(MLCI_EXIT_INPUT,
				  "Invalid experiment name: '%s'",
				  name ? name : "");
	if (utf8_len(name) > 256)
		return check_length("Experiment name", 256, name);
	return t->ops->experiment_get_or_create(t, name, out,
						created ? created : &dummy);
}

int mlci_tracking_run_start(struct mlci_tracking *t,
			    const struct mlci_tracking_run_spec *spec,
			    struct mlci_tracking_run *out, int *created)
{
	struct mlci_tracking_batch b = { 0 };
	int ret, dummy;

	mlci_tracking_run_init(out);
	if (!id_ok(spec->experiment_id, 64))
		return mlci_error(MLCI_EXIT_INPUT,
				  "Invalid experiment ID: '%s'",
				  spec->experiment_id ? spec->experiment_id : "");
	b.tags = spec->tags;
	b.ntags = spec->ntags;
	if ((ret = mlci_tracking_validate_batch(&b)))
		return ret;
	if (spec->run_name && (ret = check_length("Tag value",
						  MLCI_TRACKING_MAX_TAG_VALUE,
						  spec->run_name)))
		return ret;
	if (spec->idempotency_key &&
	    (ret = check_length("Tag value", MLCI_TRACKING_MAX_TAG_VALUE,
				spec->idempotency_key)))
		return ret;
	ret = t->ops->run_start(t, spec, out, created ? created : &dummy);
	if (!ret && out->artifact_uri) {
		/* What mlci_tracking_log_artifact() will want next. */
		free(t->artifact_run_id);
		free(t->artifact_uri);
		t->artifact_run_id = xstrdup(out->run_id);
		t->artifact_uri = xstrdup(out->artifact_uri);
	}
	return ret;
}

int mlci_tracking_run_find_by_tag(struct mlci_tracking *t,
				  const char *experiment_id, const char *key,
				  const char *value,
				  struct mlci_tracking_run *out, int *found)
{
	int ret;

	mlci_tracking_run_init(out);
	*found = 0;
	if (!id_ok(experiment_id, 64))
		return mlci_error(MLCI_EXIT_INPUT,
				  "Invalid experiment ID: '%s'",
				  experiment_id ? experiment_id : "");
	if ((ret = mlci_tracking_validate_key("tag", key)))
		return ret;
	return t->ops->run_find_by_tag(t, experiment_id, key,
				       value ? value : "", out, found);
}

int mlci_tracking_run_get(struct mlci_tracking *t, const char *run_id,
			  struct mlci_tracking_run *out)
{
	int ret;

	mlci_tracking_run_init(out);
	if ((ret = check_run_id(run_id)))
		return ret;
	return t->ops->run_get(t, run_id, out);
}

int mlci_tracking_run_update(struct mlci_tracking *t, const char *run_id,
			     const char *status, int64_t end_time)
{
	int ret;

	if ((ret = check_run_id(run_id)) || (ret = check_status(status)))
		return ret;
	return t->ops->run_update(t, run_id, status, end_time);
}

int mlci_tracking_log_batch(struct mlci_tracking *t, const char *run_id,
			    const struct mlci_tracking_batch *b)
{
	int ret;

	if ((ret = check_run_id(run_id)) ||
	    (ret = mlci_tracking_validate_batch(b)))
		return ret;
	if (!b->nmetrics && !b->nparams && !b->ntags)
		return 0;
	return t->ops->log_batch(t, run_id, b);
}

int mlci_tracking_log_all(struct mlci_tracking *t, const char *run_id,
			  const struct mlci_tracking_batch *all)
{
	size_t im = 0, ip = 0, it = 0;
	int ret;

	do {
		struct mlci_tracking_batch b = { 0 };
		size_t room = MLCI_TRACKING_MAX_ENTITIES;

		b.params = all->params + ip;
		b.nparams = all->nparams - ip;
		if (b.nparams > MLCI_TRACKING_MAX_PARAMS_TAGS)
			b.nparams = MLCI_TRACKING_MAX_PARAMS_TAGS;
		room -= b.nparams;
		b.tags = all->tags + it;
		b.ntags = all->ntags - it;
		if (b.ntags > MLCI_TRACKING_MAX_PARAMS_TAGS)
			b.ntags = MLCI_TRACKING_MAX_PARAMS_TAGS;
		room -= b.ntags;
		b.metrics = all->metrics + im;
		b.nmetrics = all->nmetrics - im;
		if (b.nmetrics > MLCI_TRACKING_MAX_METRICS)
			b.nmetrics = MLCI_TRACKING_MAX_METRICS;
		if (b.nmetrics > room)
			b.nmetrics = room;
		if ((ret = mlci_tracking_log_batch(t, run_id, &b)))
			return ret;
		im += b.nmetrics;
		ip += b.nparams;
		it += b.ntags;
	} while (im < all->nmetrics || ip < all->nparams || it < all->ntags);
	return 0;
}

int mlci_tracking_metric_history(struct mlci_tracking *t, const char *run_id,
				 const char *key,
				 struct mlci_tracking_metric **out, size_t *n)
{
	int ret;

	*out = NULL;
	*n = 0;
	if ((ret = check_run_id(run_id)) ||
	    (ret = mlci_tracking_validate_key("metric", key)))
		return ret;
	return t->ops->metric_history(t, run_id, key, out, n);
}

static int copy_file(const char *src, const char *dst)
{
	struct mlci_atomic a = MLCI_ATOMIC_INIT;
	char buf[65536];
	ssize_t got;
	int fd, ret;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mlci_error_errno(MLCI_EXIT_INPUT, "cannot open '%s'", src);
	if ((ret = mlci_atomic_open(&a, dst))) {
		close(fd);
		return ret;
	}
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		if (fwrite(buf, 1, (size_t)got, a.fp) != (size_t)got)
			break;
	}
	if (got < 0) {
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot read '%s'",
				       src);
		mlci_atomic_abort(&a);
	} else {
		ret = mlci_atomic_commit(&a);
	}
	close(fd);
	return ret;
}

/*
 * Walk the tree at src (a file, or a directory and everything below):
 * file(ctx, src_file, dst_file) for each regular file and, when not NULL,
 * dir(ctx, dst_dir) before a directory's entries, dst naming the same
 * place below dst as src_file below src.
 */
static int walk_tree(const char *src, const char *dst,
		     int (*file)(void *ctx, const char *src, const char *dst),
		     int (*dir)(void *ctx, const char *dst), void *ctx)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (stat(src, &st))
		return mlci_error_errno(MLCI_EXIT_INPUT, "cannot open '%s'",
					src);
	if (S_ISREG(st.st_mode))
		return file(ctx, src, dst);
	if (!S_ISDIR(st.st_mode))
		return mlci_error(MLCI_EXIT_INPUT,
				  "'%s' is neither a file nor a directory", src);
	if (dir && (ret = dir(ctx, dst)))
		return ret;
	if (!(d = opendir(src)))
		return mlci_error_errno(MLCI_EXIT_INPUT, "cannot open '%s'",
					src);
	while (!ret && (de = readdir(d))) {
		char *s, *t;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		s = xstrfmt("%s/%s", src, de->d_name);
		t = xstrfmt("%s/%s", dst, de->d_name);
		ret = walk_tree(s, t, file, dir, ctx);
		free(s);
		free(t);
	}
	closedir(d);
	return ret;
}

static int copy_one(void *ctx, const char *src, const char *dst)
{
	(void)ctx;
	return copy_file(src, dst);
}

static int make_dir(void *ctx, const char *dst)
{
	(void)ctx;
	return mlci_tracking_mkdirs(dst);
}

/* Where put_one() sends files: a store and an artifact directory's URI. */
struct put {
	struct mlci_tracking *t;
	const char *dir_uri;
};

static int put_one(void *ctx, const char *src, const char *path)
{
	struct put *p = ctx;

	return p->t->ops->artifact_put(p->t, p->dir_uri, path, src);
}

int mlci_tracking_log_artifact(struct mlci_tracking *t, const char *run_id,
			       const char *local_path, const char *subdir)
{
	struct strbuf dst = STRBUF_INIT;
	char *dir = NULL, *norm = NULL, *base, *copy;
	const char *uri;
	int ret;

	/* One lookup for all of a run's artifacts: each is a request on REST. */
	if (!t->artifact_run_id || strcmp(t->artifact_run_id, run_id)) {
		struct mlci_tracking_run run;

		if ((ret = mlci_tracking_run_get(t, run_id, &run)))
			return ret;
		free(t->artifact_run_id);
		free(t->artifact_uri);
		t->artifact_run_id = xstrdup(run_id);
		t->artifact_uri = run.artifact_uri ? xstrdup(run.artifact_uri)
			: NULL;
		mlci_tracking_run_release(&run);
	}
	uri = t->artifact_uri;
	if (subdir && *subdir) {
		norm = mlci_tracking_normpath(subdir);
		if (norm[0] == '/' || !strncmp(norm, "..", 2)) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "artifact path '%s' leaves the run's artifact directory",
					 subdir);
			goto out;
		}
	}
	copy = xstrdup(local_path);
	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	base = strrchr(copy, '/');
	base = base ? base + 1 : copy;
	dir = uri ? mlci_tracking_uri_to_path(uri) : NULL;
	if (!dir && uri && t->ops->artifact_put) {
		struct put p = { t, uri };

		if (norm && strcmp(norm, "."))
			strbuf_addf(&dst, "%s/", norm);
		strbuf_addstr(&dst, base);
		ret = walk_tree(local_path, dst.buf, put_one, NULL, &p);
	} else if (!dir) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "artifact URI '%s' of run %s is not a local file URI",
				 uri ? uri : "", run_id);
	} else {
		strbuf_addstr(&dst, dir);
		if (norm && strcmp(norm, "."))
			strbuf_addf(&dst, "/%s", norm);
		if (!(ret = mlci_tracking_mkdirs(dst.buf))) {
			strbuf_addf(&dst, "/%s", base);
			ret = walk_tree(local_path, dst.buf, copy_one,
					make_dir, NULL);
		}
	}
	free(copy);
out:
	free(dir);
	free(norm);
	strbuf_release(&dst);
	return ret;
}

int mlci_tracking_artifact_download(struct mlci_tracking *t,
				    const char *dir_uri, const char *path,
				    const char *dest)
{
	char *dir = mlci_tracking_uri_to_path(dir_uri), *norm, *src;
	int ret;

	norm = mlci_tracking_normpath(path);
	if (norm[0] == '/' || !strncmp(norm, "..", 2) || !strcmp(norm, ".")) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "artifact path '%s' leaves the artifact directory",
				 path);
	} else if (dir) {
		src = xstrfmt("%s/%s", dir, norm);
		ret = copy_file(src, dest);
		free(src);
	} else if (t->ops->artifact_get) {
		ret = t->ops->artifact_get(t, dir_uri, norm, dest);
	} else {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "artifact URI '%s' is not a local file URI",
				 dir_uri);
	}
	free(norm);
	free(dir);
	return ret;
}

int mlci_tracking_model_get_or_create(struct mlci_tracking *t,
				      const char *name, int *created)
{
	int ret, dummy;

	if ((ret = check_model_name(name)) ||
	    (ret = check_length("Registered model name", 256, name)))
		return ret;
	return t->ops->model_get_or_create(t, name, created ? created : &dummy);
}

int mlci_tracking_version_create(struct mlci_tracking *t, const char *name,
				 const char *source, const char *run_id,
				 struct mlci_tracking_version *out,
				 int *created)
{
	int ret, dummy;

	mlci_tracking_version_init(out);
	if ((ret = check_model_name(name)))
		return ret;
	if (!source || !*source)
		return mlci_error(MLCI_EXIT_INPUT,
				  "Missing value for required parameter 'source'. See the API docs for more information about request parameters.");
	if ((ret = check_length("Model version source", 500, source)))
		return ret;
	if (run_id && (ret = check_run_id(run_id)))
		return ret;
	return t->ops->version_create(t, name, source, run_id, out,
				      created ? created : &dummy);
}

int mlci_tracking_version_get(struct mlci_tracking *t, const char *name,
			      const char *version,
			      struct mlci_tracking_version *out)
{
	int ret;

	mlci_tracking_version_init(out);
	if ((ret = check_model_name(name)) || (ret = check_version(version)))
		return ret;
	return t->ops->version_get(t, name, version, out);
}

int mlci_tracking_version_set_tag(struct mlci_tracking *t, const char *name,
				  const char *version, const char *key,
				  const char *value)
{
	int ret;

	if ((ret = check_model_name(name)) || (ret = check_version(version)) ||
	    (ret = mlci_tracking_validate_key("tag", key)))
		return ret;
	if (!value)
		return mlci_error(MLCI_EXIT_INPUT,
				  "Tag value cannot be None. A tag value must be provided.");
	if ((ret = check_length("Model version key",
				MLCI_TRACKING_MAX_KEY, key)) ||
	    (ret = check_length("Model version value",
				MLCI_TRACKING_MAX_TAG_VALUE, value)))
		return ret;
	return t->ops->version_set_tag(t, name, version, key, value);
}

static const char *const stages[] = {
	"None", "Staging", "Production", "Archived", NULL
};

int mlci_tracking_check_stage(struct mlci_tracking *t, const char *stage)
{
	size_t i;

	for (i = 0; stages[i]; i++)
		if (stage && !strcasecmp(stage, stages[i]))
			break;
	if (!stages[i])
		return mlci_error(MLCI_EXIT_INPUT,
				  "Invalid Model Version stage: %s. Value must be one of None, Staging, Production, Archived.",
				  stage ? stage : "");
	if (!t->ops->version_set_stage)
		return mlci_error(MLCI_EXIT_INPUT,
				  "the %s store keeps no stages (MLflow deprecated them in 2.9): use an alias",
				  t->ops->name);
	return 0;
}

int mlci_tracking_version_set_stage(struct mlci_tracking *t, const char *name,
				    const char *version, const char *stage,
				    int archive_existing)
{
	size_t i;
	int ret;

	if ((ret = check_model_name(name)) || (ret = check_version(version)) ||
	    (ret = mlci_tracking_check_stage(t, stage)))
		return ret;
	for (i = 0; strcasecmp(stage, stages[i]); i++)
		;
	return t->ops->version_set_stage(t, name, version, stages[i],
					 archive_existing);
}

int mlci_tracking_versions_list(struct mlci_tracking *t, const char *name,
				struct mlci_tracking_version **out, size_t *n)
{
	int ret;

	*out = NULL;
	*n = 0;
	if ((ret = check_model_name(name)))
		return ret;
	return t->ops->versions_list(t, name, out, n);
}

int mlci_tracking_alias_set(struct mlci_tracking *t, const char *name,
			    const char *alias, const char *version)
{
	int ret;

	if ((ret = check_model_name(name)) ||
	    (ret = mlci_tracking_validate_alias(alias)) ||
	    (ret = check_version(version)))
		return ret;
	return t->ops->alias_set(t, name, alias, version);
}

int mlci_tracking_alias_get(struct mlci_tracking *t, const char *name,
			    const char *alias, char **version)
{
	int ret;

	*version = NULL;
	if ((ret = check_model_name(name)) ||
	    (ret = mlci_tracking_validate_alias(alias)))
		return ret;
	return t->ops->alias_get(t, name, alias, version);
}

int mlci_tracking_alias_delete(struct mlci_tracking *t, const char *name,
			       const char *alias)
{
	int ret;

	if ((ret = check_model_name(name)) ||
	    (ret = mlci_tracking_validate_alias(alias)))
		return ret;
	return t->ops->alias_delete(t, name, alias);
}
