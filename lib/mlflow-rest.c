/* SPDX-License-Identifier: MIT */
/* The tracking backend on MLflow's REST API: calls retried only when a repeat is harmless, creations looked up before they are tried again. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "atomic.h"
#include "http.h"
#include "json.h"
#include "mlflow-rest.h"
#include "now.h"
#include "random.h"
#include "strbuf.h"
#include "tracking.h"
#include "usage.h"
#include "wrapper.h"

#define API "/api/2.0/mlflow/"
#define ARTIFACTS_API "/api/2.0/mlflow-artifacts/artifacts/"
#define PAGE_RUNS 1000
#define PAGE_HISTORY 25000
#define MAX_PAGES 10000
/* How long a version may stay PENDING_REGISTRATION: MLflow's own 300 s. */
#define READY_WAIT 300.0
/* Runs created without an idempotency key carry this, to be found again. */
#define CREATE_TOKEN_TAG "mlci.create_token"

struct rest {
	char *base;		/* scheme://host[:port][/prefix], no trailing '/' */
	char *shown;		/* base without credentials, for messages */
	struct mlci_http_opts http;
};

static struct rest *REST(struct mlci_tracking *t)
{
	return t->priv;
}

/* --- Options from MLflow's variables ------------------------------------ */

static int env_number(const char *name, double min, double max, double *out)
{
	const char *v = getenv(name);
	double d;

	if (!v || !*v)
		return 0;
	if (mlci_parse_double(v, &d) || !(d >= min && d <= max))
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s='%s': expected a number from %g to %g",
				  name, v, min, max);
	*out = d;
	return 0;
}

static const char *env_string(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int mlci_mlflow_rest_http_opts(struct mlci_http_opts *o)
{
	double retries = MLCI_MLFLOW_MAX_RETRIES;
	double timeout = MLCI_MLFLOW_TIMEOUT;
	const char *insecure = env_string("MLFLOW_TRACKING_INSECURE_TLS");
	const char *user = env_string("MLFLOW_TRACKING_USERNAME");
	const char *password = env_string("MLFLOW_TRACKING_PASSWORD");
	int ret;

	o->backoff_factor = MLCI_MLFLOW_BACKOFF_FACTOR;
	o->backoff_jitter = MLCI_MLFLOW_BACKOFF_JITTER;
	o->backoff_max = MLCI_MLFLOW_BACKOFF_MAX;
	if ((ret = env_number("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 0, 100,
			      &retries)) ||
	    (ret = env_number("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 0, 3600,
			      &o->backoff_factor)) ||
	    (ret = env_number("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", 0, 3600,
			      &o->backoff_jitter)) ||
	    (ret = env_number("MLFLOW_HTTP_REQUEST_TIMEOUT", 0.001, 86400,
			      &timeout)))
		return ret;
	if (retries != floor(retries))
		return mlci_error(MLCI_EXIT_INPUT,
				  "MLFLOW_HTTP_REQUEST_MAX_RETRIES='%s': expected a whole number",
				  getenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES"));
	o->max_retries = (int)retries;
	o->timeout_ms = (long)(timeout * 1000);
	if (o->connect_timeout_ms > o->timeout_ms)
		o->connect_timeout_ms = o->timeout_ms;
	o->deadline = mlci_tracking_deadline();
	if (insecure && strcasecmp(insecure, "true") &&
	    strcasecmp(insecure, "false"))
		return mlci_error(MLCI_EXIT_INPUT,
				  "MLFLOW_TRACKING_INSECURE_TLS='%s': expected true or false",
				  insecure);
	o->insecure = insecure && !strcasecmp(insecure, "true");
	o->ca_file = env_string("MLFLOW_TRACKING_SERVER_CERT_PATH");
	if (o->insecure && o->ca_file)
		return mlci_error(MLCI_EXIT_INPUT,
				  "MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH cannot both be set");
	o->client_cert = env_string("MLFLOW_TRACKING_CLIENT_CERT_PATH");
	o->client_key = o->client_cert;
	if (user && password) {
		o->basic_user = user;
		o->basic_password = password;
	} else {
		o->bearer_token = env_string("MLFLOW_TRACKING_TOKEN");
	}
	return 0;
}

/* --- Calls -------------------------------------------------------------- */

/* How a call may be repeated. */
enum repeat {
	REPEAT,		/* harmless twice: retried whatever happened */
	ONCE,		/* would create twice: no retry; no answer is TRANSIENT */
};

/* A call that got no answer, or a retryable status, with ONCE. */
#define TRANSIENT 2
/* An MLflow error with the error code the caller expected. */
#define EXPECTED 1

/* s percent-encoded: all but RFC 3986's unreserved bytes and those in keep. */
static void add_encoded(struct strbuf *sb, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) ||
		    strchr(keep, *p)) {
			strbuf_addch(sb, (char)*p);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[*p >> 4]);
			strbuf_addch(sb, hex[*p & 15]);
		}
	}
}

static void add_query(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addch(sb, strchr(sb->buf, '?') ? '&' : '?');
	strbuf_addstr(sb, name);
	strbuf_addch(sb, '=');
	add_encoded(sb, value, "");
}

/* The path of an endpoint with query parameters name, value, ..., NULL. */
static char *endpoint(const char *name, ...)
{
	struct strbuf sb = STRBUF_INIT;
	const char *k, *v;
	va_list ap;

	strbuf_addstr(&sb, name);
	va_start(ap, name);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		if (v)
			add_query(&sb, k, v);
	}
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

/* The endpoint's name for messages: the path without its query. */
static void say_endpoint(struct strbuf *sb, const char *ep)
{
	const char *q = strchr(ep, '?');

	strbuf_add(sb, ep, q ? (size_t)(q - ep) : strlen(ep));
}

/*
 * Turn a response that is not 2xx into a result: EXPECTED quietly when
 * MLflow's error_code is expect; otherwise one message and -3 or -5.
 */
static int failure(struct rest *s, const char *method, const char *ep,
		   const struct mlci_http_response *res, const cJSON *body,
		   const char *expect)
{
	const char *code = mlci_json_get_string(body, "error_code");
	const char *msg = mlci_json_get_string(body, "message");
	struct strbuf what = STRBUF_INIT;
	int ret;

	if (code && expect && !strcmp(code, expect))
		return EXPECTED;
	strbuf_addf(&what, "MLflow at %s: %s ", s->shown, method);
	say_endpoint(&what, ep);
	if (res->status == 401 || res->status == 403)
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s: %ld %s: check MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN",
				 what.buf, res->status,
				 res->status == 401 ? "Unauthorized" : "Forbidden");
	else if (code && msg)
		ret = mlci_error(res->status >= 500 ? MLCI_EXIT_REMOTE
				 : MLCI_EXIT_INPUT, "%s: %s (%s)", what.buf,
				 msg, code);
	else if (res->status == 404 || res->status == 405)
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s: %ld, not an MLflow answer: is this an MLflow tracking server, and recent enough?",
				 what.buf, res->status);
	else
		ret = mlci_error(res->status >= 500 || res->status < 400 ?
				 MLCI_EXIT_REMOTE : MLCI_EXIT_INPUT,
				 "%s: HTTP %ld", what.buf, res->status);
	strbuf_release(&what);
	return ret;
}

/*
 * One call to an endpoint below /api/2.0/mlflow/ (ep carries its query):
 * 0 with *out the parsed answer ({} when empty); EXPECTED (no message)
 * for an MLflow error coded expect; with ONCE, TRANSIENT (no message)
 * when no answer came or the status is worth retrying; otherwise a
 * message and -MLCI_EXIT_*.
 */
static int call(struct rest *s, const char *method, const char *ep,
		const cJSON *send, enum repeat repeat, const char *expect,
		cJSON **out)
{
	struct mlci_http_opts o = s->http;
	struct mlci_http_response res;
	char *url = xstrfmt("%s" API "%s", s->base, ep);
	cJSON *body = NULL;
	int ret, q;

	*out = NULL;
	if (repeat == ONCE) {
		o.max_retries = 0;
		o.retry_unsafe = 0;
	} else {
		o.retry_unsafe = 1;
	}
	mlci_http_response_init(&res);
	q = repeat == ONCE ? mlci_set_quiet(1) : 0;
	ret = mlci_http_json(&o, method, url, NULL, send, &res, &body);
	if (repeat == ONCE)
		mlci_set_quiet(q);
	if (ret == -MLCI_EXIT_REMOTE && repeat == ONCE) {
		ret = TRANSIENT;
	} else if (ret) {
		/* mlci_http_request() said what happened. */
	} else if (res.status >= 200 && res.status < 300) {
		*out = body ? body : cJSON_CreateObject();
		body = NULL;
	} else if (repeat == ONCE && mlci_http_status_retryable(res.status)) {
		ret = TRANSIENT;
	} else {
		ret = failure(s, method, ep, &res, body, expect);
	}
	cJSON_Delete(body);
	mlci_http_response_release(&res);
	free(url);
	return ret;
}

static int answer_missing(struct rest *s, const char *ep, const char *what)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	say_endpoint(&sb, ep);
	ret = mlci_error(MLCI_EXIT_REMOTE,
			 "MLflow at %s: the answer of %s has no %s",
			 s->shown, sb.buf, what);
	strbuf_release(&sb);
	return ret;
}

/* A REPEAT call whose answer is not needed; body is freed. */
static int send_body(struct rest *s, const char *method, const char *ep,
		     cJSON *body)
{
	cJSON *ans;
	int ret = call(s, method, ep, body, REPEAT, NULL, &ans);

	cJSON_Delete(ans);
	cJSON_Delete(body);
	return ret;
}

/*
 * GET name with the query pairs (name, value, ..., NULL; a NULL value
 * leaves its pair out) page after page, following next_page_token,
 * handing every answer to take().
 */
static int get_pages(struct rest *s, const char *name,
		     const char *const *query,
		     int (*take)(struct rest *s, const cJSON *ans, void *ctx),
		     void *ctx)
{
	char *token = NULL;
	int ret = 0;

	for (int pages = 0; !ret && pages < MAX_PAGES; pages++) {
		struct strbuf ep = STRBUF_INIT;
		const char *next;
		cJSON *ans;

		strbuf_addstr(&ep, name);
		for (const char *const *q = query; *q; q += 2)
			if (q[1])
				add_query(&ep, q[0], q[1]);
		if (token)
			add_query(&ep, "page_token", token);
		free(token);
		token = NULL;
		ret = call(s, "GET", ep.buf, NULL, REPEAT, NULL, &ans);
		strbuf_release(&ep);
		if (!ret && !(ret = take(s, ans, ctx))) {
			next = mlci_json_get_string(ans, "next_page_token");
			token = next && *next ? xstrdup(next) : NULL;
		}
		cJSON_Delete(ans);
		if (!token)
			break;
	}
	free(token);
	return ret;
}

/*
 * Wait before try number n (0-based) of a creation that got no answer:
 * 0, or -MLCI_EXIT_REMOTE when the tries are used up or the deadline
 * would pass.
 */
static int wait_to_try_again(struct rest *s, const char *what, int n)
{
	uint64_t r;
	double sleep;
	struct timespec ts;

	mlci_random_bytes(&r, sizeof(r));
	sleep = mlci_http_backoff(&s->http, n,
				  (double)(r >> 11) / 9007199254740992.0);

	if (n >= s->http.max_retries ||
	    (s->http.deadline > 0 &&
	     mlci_monotonic() + sleep > s->http.deadline))
		return mlci_error(MLCI_EXIT_REMOTE,
				  "MLflow at %s: %s: no answer after %d tries%s",
				  s->shown, what, n + 1,
				  s->http.deadline > 0 ? " within the deadline" : "");
	ts.tv_sec = (time_t)sleep;
	ts.tv_nsec = (long)((sleep - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return 0;
}

/* --- JSON to our structs ------------------------------------------------ */

/* obj[key] when it is an array (borrowed), else NULL. */
static const cJSON *get_array(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsArray(it) ? it : NULL;
}

static char *dup_str(const cJSON *o, const char *key)
{
	const char *s = mlci_json_get_string(o, key);

	return s ? xstrdup(s) : NULL;
}

/* An int64 that protobuf's JSON gives as a number or a string. */
static int64_t get_i64(const cJSON *o, const char *key, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	long long ll;
	char *end;

	if (cJSON_IsNumber(v))
		return (int64_t)v->valuedouble;
	if (cJSON_IsString(v)) {
		errno = 0;
		ll = strtoll(v->valuestring, &end, 10);
		if (!errno && end != v->valuestring && !*end)
			return ll;
	}
	return dflt;
}

/* A double that protobuf's JSON may give as "NaN", "Infinity", "-Infinity". */
static double get_double(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsString(v)) {
		if (!strcmp(v->valuestring, "Infinity"))
			return INFINITY;
		if (!strcmp(v->valuestring, "-Infinity"))
			return -INFINITY;
	}
	return NAN;
}

static cJSON *double_json(double v)
{
	if (isnan(v))
		return cJSON_CreateString("NaN");
	if (isinf(v))
		return cJSON_CreateString(v > 0 ? "Infinity" : "-Infinity");
	return mlci_json_number(v);
}

/* [{key, value}] into an owned, sorted array. */
static void kvs_from(const cJSON *arr, struct mlci_tracking_kv **out,
		     size_t *n)
{
	const cJSON *it;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsArray(arr) || !cJSON_GetArraySize(arr))
		return;
	*out = xcalloc((size_t)cJSON_GetArraySize(arr), sizeof(**out));
	cJSON_ArrayForEach(it, arr) {
		const char *k = mlci_json_get_string(it, "key");
		const char *v = mlci_json_get_string(it, "value");

		if (!k)
			continue;
		(*out)[i].key = xstrdup(k);
		(*out)[i].value = xstrdup(v ? v : "");
		i++;
	}
	*n = i;
	qsort(*out, *n, sizeof(**out), mlci_tracking_kv_cmp);
}

/* [{key, value, timestamp, step}] into an owned array, in order. */
static void metrics_from(const cJSON *arr, struct mlci_tracking_metric **out,
			 size_t *n)
{
	const cJSON *it;
	size_t i = *n;

	if (!cJSON_IsArray(arr))
		return;
	*out = xrealloc(*out, (*n + (size_t)cJSON_GetArraySize(arr) + 1) *
			sizeof(**out));
	cJSON_ArrayForEach(it, arr) {
		const char *k = mlci_json_get_string(it, "key");

		if (!k)
			continue;
		(*out)[i].key = xstrdup(k);
		(*out)[i].value = get_double(cJSON_GetObjectItemCaseSensitive(it, "value"));
		(*out)[i].timestamp = get_i64(it, "timestamp", 0);
		(*out)[i].step = get_i64(it, "step", 0);
		i++;
	}
	*n = i;
}

static int run_from(struct rest *s, const cJSON *run,
		    struct mlci_tracking_run *r)
{
	const cJSON *info = mlci_json_get_object(run, "info");
	const cJSON *data = mlci_json_get_object(run, "data");

	mlci_tracking_run_release(r);
	r->run_id = dup_str(info, "run_id");
	if (!r->run_id)
		r->run_id = dup_str(info, "run_uuid");
	if (!r->run_id)
		return answer_missing(s, "runs", "run id");
	r->experiment_id = dup_str(info, "experiment_id");
	r->run_name = dup_str(info, "run_name");
	r->user_id = dup_str(info, "user_id");
	r->status = dup_str(info, "status");
	r->lifecycle_stage = dup_str(info, "lifecycle_stage");
	r->artifact_uri = dup_str(info, "artifact_uri");
	r->start_time = get_i64(info, "start_time", 0);
	r->end_time = get_i64(info, "end_time", -1);
	if (!r->status)
		r->status = xstrdup(MLCI_RUN_RUNNING);
	if (!r->experiment_id)
		r->experiment_id = xstrdup("0");
	kvs_from(get_array(data, "tags"), &r->tags, &r->ntags);
	kvs_from(get_array(data, "params"), &r->params, &r->nparams);
	metrics_from(get_array(data, "metrics"), &r->metrics,
		     &r->nmetrics);
	if (r->nmetrics)
		qsort(r->metrics, r->nmetrics, sizeof(*r->metrics),
		      mlci_tracking_metric_cmp);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void version_from(const cJSON *mv, struct mlci_tracking_version *v)
{
	const cJSON *aliases = get_array(mv, "aliases"), *it;

	mlci_tracking_version_release(v);
	v->name = dup_str(mv, "name");
	v->version = dup_str(mv, "version");
	v->source = dup_str(mv, "source");
	v->run_id = dup_str(mv, "run_id");
	v->status = dup_str(mv, "status");
	v->current_stage = dup_str(mv, "current_stage");
	v->creation_time = get_i64(mv, "creation_timestamp", 0);
	v->last_updated_time = get_i64(mv, "last_updated_timestamp", 0);
	if (v->run_id && !*v->run_id) {
		free(v->run_id);
		v->run_id = NULL;
	}
	if (!v->status)
		v->status = xstrdup("READY");
	if (!v->current_stage)
		v->current_stage = xstrdup("None");
	kvs_from(get_array(mv, "tags"), &v->tags, &v->ntags);
	if (cJSON_IsArray(aliases) && cJSON_GetArraySize(aliases)) {
		v->aliases = xcalloc((size_t)cJSON_GetArraySize(aliases),
				     sizeof(*v->aliases));
		cJSON_ArrayForEach(it, aliases)
			if (cJSON_IsString(it))
				v->aliases[v->naliases++] = xstrdup(it->valuestring);
		qsort(v->aliases, v->naliases, sizeof(*v->aliases), str_cmp);
	}
}

/*
 * A string literal of MLflow's search grammar for value, quoted with
 * whichever quote it does not hold. -3 when it holds both.
 */
static int add_literal(struct strbuf *sb, const char *what, const char *value)
{
	char q = strchr(value, '\'') ? '"' : '\'';

	if (q == '"' && strchr(value, '"'))
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s '%s' holds both quote characters: an MLflow search cannot find it",
				  what, value);
	strbuf_addf(sb, "%c%s%c", q, value, q);
	return 0;
}

/* --- Experiments -------------------------------------------------------- */

static int experiment_from(struct rest *s, const cJSON *ans,
			   struct mlci_tracking_experiment *e)
{
	const cJSON *x = mlci_json_get_object(ans, "experiment");

	mlci_tracking_experiment_release(e);
	e->id = dup_str(x, "experiment_id");
	if (!e->id)
		return answer_missing(s, "experiments", "experiment id");
	e->name = dup_str(x, "name");
	e->artifact_location = dup_str(x, "artifact_location");
	e->lifecycle_stage = dup_str(x, "lifecycle_stage");
	e->creation_time = get_i64(x, "creation_time", 0);
	return 0;
}

/* 0 and *e, EXPECTED when there is no experiment name, or an error. */
static int experiment_by_name(struct rest *s, const char *name,
			      struct mlci_tracking_experiment *e)
{
	char *ep = endpoint("experiments/get-by-name", "experiment_name", name,
			    NULL);
	cJSON *ans;
	int ret = call(s, "GET", ep, NULL, REPEAT, "RESOURCE_DOES_NOT_EXIST",
		       &ans);

	if (!ret)
		ret = experiment_from(s, ans, e);
	cJSON_Delete(ans);
	free(ep);
	return ret;
}

static int rest_experiment_get_or_create(struct mlci_tracking *t,
					 const char *name,
					 struct mlci_tracking_experiment *out,
					 int *created)
{
	struct rest *s = REST(t);
	cJSON *body, *ans = NULL;
	char *ep;
	int ret;

	*created = 0;
	ret = experiment_by_name(s, name, out);
	if (ret == EXPECTED) {
		/* Two jobs may race here: the loser reads the winner's. */
		body = cJSON_CreateObject();
		mlci_json_set_string(body, "name", name);
		ret = call(s, "POST", "experiments/create", body, REPEAT,
			   "RESOURCE_ALREADY_EXISTS", &ans);
		cJSON_Delete(body);
		if (!ret) {
			const char *id = mlci_json_get_string(ans, "experiment_id");

			*created = 1;
			if (!id) {
				ret = answer_missing(s, "experiments/create",
						     "experiment_id");
			} else {
				cJSON *got;

				ep = endpoint("experiments/get", "experiment_id",
					      id, NULL);
				ret = call(s, "GET", ep, NULL, REPEAT, NULL, &got);
				if (!ret)
					ret = experiment_from(s, got, out);
				cJSON_Delete(got);
				free(ep);
			}
		} else if (ret == EXPECTED) {
			ret = experiment_by_name(s, name, out);
			if (ret == EXPECTED)
				ret = mlci_error(MLCI_EXIT_REMOTE,
						 "MLflow at %s: experiment '%s' exists and does not",
						 s->shown, name);
		}
		cJSON_Delete(ans);
	}
	if (!ret && out->lifecycle_stage &&
	    strcmp(out->lifecycle_stage, "active"))
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "experiment '%s' (id %s) is deleted: restore it, or remove it for good with 'mlflow gc'",
				 name, out->id);
	return ret;
}

/* --- Runs --------------------------------------------------------------- */

static int rest_run_get(struct mlci_tracking *t, const char *run_id,
			struct mlci_tracking_run *out)
{
	struct rest *s = REST(t);
	char *ep = endpoint("runs/get", "run_id", run_id, NULL);
	cJSON *ans;
	int ret = call(s, "GET", ep, NULL, REPEAT, NULL, &ans);

	if (!ret)
		ret = run_from(s, mlci_json_get_object(ans, "run"), out);
	cJSON_Delete(ans);
	free(ep);
	return ret;
}

static int rest_run_find_by_tag(struct mlci_tracking *t,
				 const char *experiment_id, const char *key,
				 const char *value,
				 struct mlci_tracking_run *out, int *found)
{
	struct rest *s = REST(t);
	struct strbuf filter = STRBUF_INIT;
	cJSON *body, *ids, *order, *ans = NULL;
	const cJSON *runs;
	int ret;

	*found = 0;
	strbuf_addf(&filter, "tags.`%s` = ", key);
	if ((ret = add_literal(&filter, "tag value", value))) {
		strbuf_release(&filter);
		return ret;
	}
	body = cJSON_CreateObject();
	ids = cJSON_AddArrayToObject(body, "experiment_ids");
	cJSON_AddItemToArray(ids, cJSON_CreateString(experiment_id));
	mlci_json_set_string(body, "filter", filter.buf);
	mlci_json_set_string(body, "run_view_type", "ACTIVE_ONLY");
	mlci_json_set_number(body, "max_results", 1);
	order = cJSON_AddArrayToObject(body, "order_by");
	cJSON_AddItemToArray(order, cJSON_CreateString("attributes.start_time DESC"));
	ret = call(s, "POST", "runs/search", body, REPEAT, NULL, &ans);
	runs = get_array(ans, "runs");
	if (!ret && cJSON_GetArraySize(runs) > 0) {
		ret = run_from(s, cJSON_GetArrayItem(runs, 0), out);
		*found = !ret;
	}
	cJSON_Delete(ans);
	cJSON_Delete(body);
	strbuf_release(&filter);
	return ret;
}

static int rest_run_update(struct mlci_tracking *t, const char *run_id,
			   const char *status, int64_t end_time)
{
	cJSON *body = cJSON_CreateObject();

	mlci_json_set_string(body, "run_id", run_id);
	mlci_json_set_string(body, "status", status);
	if (end_time >= 0)
		mlci_json_set_number(body, "end_time", (double)end_time);
	return send_body(REST(t), "POST", "runs/update", body);
}

static cJSON *kvs_json(const struct mlci_tracking_kv *kv, size_t n)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		mlci_json_set_string(o, "key", kv[i].key);
		mlci_json_set_string(o, "value", kv[i].value);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static int rest_run_start(struct mlci_tracking *t,
			  const struct mlci_tracking_run_spec *spec,
			  struct mlci_tracking_run *out, int *created)
{
	struct rest *s = REST(t);
	const char *tag = spec->idempotency_key ? MLCI_TRACKING_IDEMPOTENCY_TAG
		: CREATE_TOKEN_TAG;
	char token[33];
	const char *value = spec->idempotency_key;
	struct mlci_tracking_kv *tags;
	cJSON *body, *ans = NULL;
	int ret, found, n;

	*created = 0;
	if (spec->idempotency_key) {
		if ((ret = rest_run_find_by_tag(t, spec->experiment_id, tag,
						value, out, &found)))
			return ret;
		if (found) {
			if (!strcmp(out->status, MLCI_RUN_FINISHED))
				return 0;
			if ((ret = rest_run_update(t, out->run_id,
						   MLCI_RUN_RUNNING, -1)))
				return ret;
			return rest_run_get(t, out->run_id, out);
		}
	} else {
		mlci_tracking_new_run_id(token);
		value = token;
	}
	tags = xcalloc(spec->ntags + 1, sizeof(*tags));
	if (spec->ntags)
		memcpy(tags, spec->tags, spec->ntags * sizeof(*tags));
	tags[spec->ntags].key = tag;
	tags[spec->ntags].value = value;
	body = cJSON_CreateObject();
	mlci_json_set_string(body, "experiment_id", spec->experiment_id);
	mlci_json_set_string(body, "user_id", spec->user_id ? spec->user_id : "");
	if (spec->run_name)
		mlci_json_set_string(body, "run_name", spec->run_name);
	mlci_json_set_number(body, "start_time",
			     (double)(spec->start_time >= 0 ? spec->start_time
				      : mlci_now_ms()));
	mlci_json_set(body, "tags", kvs_json(tags, spec->ntags + 1));
	free(tags);
	/*
	 * Sent once per try: a connection lost after the server created the
	 * run must not make a second one, so look for it by its tag first.
	 */
	for (n = 0;; n++) {
		ret = call(s, "POST", "runs/create", body, ONCE, NULL, &ans);
		if (ret != TRANSIENT)
			break;
		if ((ret = rest_run_find_by_tag(t, spec->experiment_id, tag,
						value, out, &found)))
			break;
		if (found)
			break;
		if ((ret = wait_to_try_again(s, "runs/create", n)))
			break;
	}
	cJSON_Delete(body);
	if (!ret && ans) {
		ret = run_from(s, mlci_json_get_object(ans, "run"), out);
		*created = !ret;
	} else if (!ret) {
		*created = 1;	/* found after a lost answer: ours */
	}
	cJSON_Delete(ans);
	return ret;
}

static cJSON *batch_json(const char *run_id,
			 const struct mlci_tracking_batch *b)
{
	cJSON *body = cJSON_CreateObject(), *m;

	mlci_json_set_string(body, "run_id", run_id);
	m = cJSON_AddArrayToObject(body, "metrics");
	for (size_t i = 0; i < b->nmetrics; i++) {
		cJSON *o = cJSON_CreateObject();

		mlci_json_set_string(o, "key", b->metrics[i].key);
		mlci_json_set(o, "value", double_json(b->metrics[i].value));
		mlci_json_set_number(o, "timestamp", (double)b->metrics[i].timestamp);
		mlci_json_set_number(o, "step", (double)b->metrics[i].step);
		cJSON_AddItemToArray(m, o);
	}
	mlci_json_set(body, "params", kvs_json(b->params, b->nparams));
	mlci_json_set(body, "tags", kvs_json(b->tags, b->ntags));
	return body;
}

/* Send b, split in halves while its body is over MLflow's 1 MB. */
static int send_batch(struct rest *s, const char *run_id,
		      const struct mlci_tracking_batch *b)
{
	struct mlci_tracking_batch lo = *b, hi = { 0 };
	struct strbuf text = STRBUF_INIT;
	cJSON *body = batch_json(run_id, b);
	size_t size;
	int ret;

	mlci_json_print(body, 0, &text);
	size = text.len;
	strbuf_release(&text);
	if (size <= MLCI_MLFLOW_MAX_REQUEST ||
	    b->nmetrics + b->nparams + b->ntags <= 1)
		return send_body(s, "POST", "runs/log-batch", body);
	cJSON_Delete(body);
	if (b->nmetrics > 1 || (b->nmetrics && (b->nparams || b->ntags))) {
		lo.nmetrics = b->nmetrics / 2;
		hi.metrics = b->metrics + lo.nmetrics;
		hi.nmetrics = b->nmetrics - lo.nmetrics;
	} else if (b->nparams > 1 || (b->nparams && b->ntags)) {
		lo.nparams = b->nparams / 2;
		hi.params = b->params + lo.nparams;
		hi.nparams = b->nparams - lo.nparams;
	} else {
		lo.ntags = b->ntags / 2;
		hi.tags = b->tags + lo.ntags;
		hi.ntags = b->ntags - lo.ntags;
	}
	/* Params and tags before metrics, as one batch would have them. */
	if ((ret = send_batch(s, run_id, &lo)))
		return ret;
	return send_batch(s, run_id, &hi);
}

static int rest_log_batch(struct mlci_tracking *t, const char *run_id,
			  const struct mlci_tracking_batch *b)
{
	return send_batch(REST(t), run_id, b);
}

static int history_cmp(const void *a, const void *b)
{
	const struct mlci_tracking_metric *x = a, *y = b;

	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	if (x->timestamp != y->timestamp)
		return x->timestamp < y->timestamp ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return 0;
}

/* Append a get-history page's points to the arrays in ctx. */
struct points {
	struct mlci_tracking_metric **out;
	size_t *n;
};

static int take_points(struct rest *s, const cJSON *ans, void *ctx)
{
	struct points *p = ctx;

	(void)s;
	metrics_from(get_array(ans, "metrics"), p->out, p->n);
	return 0;
}

static int rest_metric_history(struct mlci_tracking *t, const char *run_id,
			       const char *key,
			       struct mlci_tracking_metric **out, size_t *n)
{
	struct points p = { out, n };
	const char *query[] = {
		"run_id", run_id, "metric_key", key, "max_results", NULL, NULL
	};
	char page[32];
	int ret;

	snprintf(page, sizeof(page), "%d", PAGE_HISTORY);
	query[5] = page;
	if ((ret = get_pages(REST(t), "metrics/get-history", query,
			     take_points, &p))) {
		mlci_tracking_metrics_free(*out, *n);
		*out = NULL;
		*n = 0;
		return ret;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), history_cmp);
	return 0;
}

static char *rest_run_url(struct mlci_tracking *t, const char *experiment_id,
			  const char *run_id)
{
	return xstrfmt("%s/#/experiments/%s/runs/%s", REST(t)->shown,
		       experiment_id, run_id);
}

/* --- Registered models and versions ------------------------------------- */

/* GET registered-models/get: 0 and *ans, EXPECTED when there is none. */
static int model_get(struct rest *s, const char *name, cJSON **ans)
{
	char *ep = endpoint("registered-models/get", "name", name, NULL);
	int ret = call(s, "GET", ep, NULL, REPEAT, "RESOURCE_DOES_NOT_EXIST",
		       ans);

	free(ep);
	return ret;
}

static int rest_model_get_or_create(struct mlci_tracking *t, const char *name,
				    int *created)
{
	struct rest *s = REST(t);
	cJSON *ans = NULL, *body;
	int ret = model_get(s, name, &ans);

	*created = 0;
	cJSON_Delete(ans);
	if (ret != EXPECTED)
		return ret;
	body = cJSON_CreateObject();
	mlci_json_set_string(body, "name", name);
	ret = call(s, "POST", "registered-models/create", body, REPEAT,
		   "RESOURCE_ALREADY_EXISTS", &ans);
	cJSON_Delete(ans);
	cJSON_Delete(body);
	if (!ret)
		*created = 1;
	return ret == EXPECTED ? 0 : ret;
}

/* The model's aliases into the versions they point at. */
static int add_aliases(struct rest *s, const char *name,
		       struct mlci_tracking_version *v, size_t n)
{
	const cJSON *it;
	cJSON *ans = NULL;
	int ret = model_get(s, name, &ans);

	if (ret == EXPECTED)
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "Registered Model with name=%s not found", name);
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < v[i].naliases; j++)
			free(v[i].aliases[j]);
		free(v[i].aliases);
		v[i].aliases = NULL;
		v[i].naliases = 0;
	}
	cJSON_ArrayForEach(it, get_array(
			   mlci_json_get_object(ans, "registered_model"), "aliases")) {
		const char *alias = mlci_json_get_string(it, "alias");
		const char *ver = mlci_json_get_string(it, "version");
		char num[32];
		double d;

		if (!ver && !mlci_json_get_number(it, "version", &d)) {
			snprintf(num, sizeof(num), "%.0f", d);
			ver = num;
		}
		for (size_t i = 0; alias && ver && i < n; i++) {
			if (strcmp(v[i].version, ver))
				continue;
			v[i].aliases = xrealloc(v[i].aliases,
						(v[i].naliases + 1) * sizeof(char *));
			v[i].aliases[v[i].naliases++] = xstrdup(alias);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].naliases)
			qsort(v[i].aliases, v[i].naliases, sizeof(char *), str_cmp);
	cJSON_Delete(ans);
	return 0;
}

static int version_num_cmp(const void *a, const void *b)
{
	long x = atol(((const struct mlci_tracking_version *)a)->version);
	long y = atol(((const struct mlci_tracking_version *)b)->version);

	return (x > y) - (x < y);
}

/* Append a search page's versions to the array in ctx. */
struct versions {
	struct mlci_tracking_version **out;
	size_t *n, alloc;
};

static int take_versions(struct rest *s, const cJSON *ans, void *ctx)
{
	struct versions *v = ctx;
	const cJSON *it;

	cJSON_ArrayForEach(it, get_array(ans, "model_versions")) {
		struct mlci_tracking_version *mv;

		if (*v->n == v->alloc) {
			v->alloc = v->alloc ? 2 * v->alloc : 16;
			*v->out = xrealloc(*v->out, v->alloc * sizeof(**v->out));
		}
		mv = *v->out + (*v->n)++;
		mlci_tracking_version_init(mv);
		version_from(it, mv);
		if (!mv->version)
			return answer_missing(s, "model-versions/search",
					      "version");
	}
	return 0;
}

/* Every version matching filter (MLflow's search grammar), ascending. */
static int search_versions(struct rest *s, const char *filter,
			   struct mlci_tracking_version **out, size_t *n)
{
	struct versions v = { out, n, 0 };
	const char *query[] = { "filter", filter, "max_results", NULL, NULL };
	char page[32];
	int ret;

	*out = NULL;
	*n = 0;
	snprintf(page, sizeof(page), "%d", PAGE_RUNS);
	query[3] = page;
	if ((ret = get_pages(s, "model-versions/search", query, take_versions,
			     &v))) {
		mlci_tracking_versions_free(*out, *n);
		*out = NULL;
		*n = 0;
		return ret;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), version_num_cmp);
	return 0;
}

static int rest_versions_list(struct mlci_tracking *t, const char *name,
			      struct mlci_tracking_version **out, size_t *n)
{
	struct rest *s = REST(t);
	struct strbuf filter = STRBUF_INIT;
	int ret;

	strbuf_addstr(&filter, "name=");
	if (!(ret = add_literal(&filter, "model name", name)) &&
	    !(ret = search_versions(s, filter.buf, out, n)) &&
	    (ret = add_aliases(s, name, *out, *n))) {
		mlci_tracking_versions_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	strbuf_release(&filter);
	return ret;
}

/* One version as the server has it; its aliases from the model when the answer has none. */
static int version_fetch(struct rest *s, const char *name, const char *version,
			 struct mlci_tracking_version *out)
{
	char *ep = endpoint("model-versions/get", "name", name, "version",
			    version, NULL);
	cJSON *ans;
	const cJSON *mv;
	int ret = call(s, "GET", ep, NULL, REPEAT, NULL, &ans);

	free(ep);
	if (ret)
		return ret;
	mv = mlci_json_get_object(ans, "model_version");
	version_from(mv, out);
	if (!out->version)
		ret = answer_missing(s, "model-versions/get", "version");
	else if (!cJSON_HasObjectItem(mv, "aliases"))
		ret = add_aliases(s, name, out, 1);
	cJSON_Delete(ans);
	return ret;
}

static int rest_version_get(struct mlci_tracking *t, const char *name,
			    const char *version,
			    struct mlci_tracking_version *out)
{
	return version_fetch(REST(t), name, version, out);
}

/* Poll a new version until the server says READY (MLflow's 300 s at most). */
static int wait_ready(struct rest *s, struct mlci_tracking_version *v)
{
	double start = mlci_monotonic(), wait = 0.1;
	char *name = xstrdup(v->name), *version = xstrdup(v->version);
	int ret = 0;

	while (!strcmp(v->status, "PENDING_REGISTRATION")) {
		double now = mlci_monotonic();
		struct timespec ts;

		if (now - start > READY_WAIT ||
		    (s->http.deadline > 0 && now + wait > s->http.deadline)) {
			ret = mlci_error(MLCI_EXIT_REMOTE,
					 "MLflow at %s: version %s of '%s' is still PENDING_REGISTRATION after %.0f s",
					 s->shown, version, name, now - start);
			break;
		}
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		if (wait < 2)
			wait *= 2;
		if ((ret = version_fetch(s, name, version, v)))
			break;
	}
	if (!ret && strcmp(v->status, "READY"))
		ret = mlci_error(MLCI_EXIT_REMOTE,
				 "MLflow at %s: version %s of '%s' is %s",
				 s->shown, version, name, v->status);
	free(name);
	free(version);
	return ret;
}

/* The version of name made from run_id and source, if there is one. */
static int find_version(struct rest *s, const char *name, const char *source,
			const char *run_id, struct mlci_tracking_version *out,
			int *found)
{
	struct strbuf filter = STRBUF_INIT;
	struct mlci_tracking_version *vs = NULL;
	size_t n = 0;
	int ret;

	*found = 0;
	strbuf_addstr(&filter, "name=");
	if ((ret = add_literal(&filter, "model name", name)))
		goto out;
	if (run_id) {
		strbuf_addstr(&filter, " and run_id=");
		if ((ret = add_literal(&filter, "run id", run_id)))
			goto out;
	}
	if ((ret = search_versions(s, filter.buf, &vs, &n)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(vs[i].source ? vs[i].source : "", source) ||
		    strcmp(vs[i].run_id ? vs[i].run_id : "", run_id ? run_id : ""))
			continue;
		ret = version_fetch(s, name, vs[i].version, out);
		*found = !ret;
		break;
	}
out:
	mlci_tracking_versions_free(vs, n);
	strbuf_release(&filter);
	return ret;
}

static int rest_version_create(struct mlci_tracking *t, const char *name,
			       const char *source, const char *run_id,
			       struct mlci_tracking_version *out, int *created)
{
	struct rest *s = REST(t);
	cJSON *body, *ans = NULL;
	int ret, found, n;

	*created = 0;
	if ((ret = find_version(s, name, source, run_id, out, &found)))
		return ret;
	if (found)
		return wait_ready(s, out);
	body = cJSON_CreateObject();
	mlci_json_set_string(body, "name", name);
	mlci_json_set_string(body, "source", source);
	if (run_id)
		mlci_json_set_string(body, "run_id", run_id);
	for (n = 0;; n++) {
		ret = call(s, "POST", "model-versions/create", body, ONCE, NULL,
			   &ans);
		if (ret != TRANSIENT)
			break;
		if ((ret = find_version(s, name, source, run_id, out, &found)) ||
		    found)
			break;
		if ((ret = wait_to_try_again(s, "model-versions/create", n)))
			break;
	}
	cJSON_Delete(body);
	if (!ret && ans) {
		version_from(mlci_json_get_object(ans, "model_version"), out);
		if (!out->version)
			ret = answer_missing(s, "model-versions/create", "version");
	}
	cJSON_Delete(ans);
	if (!ret) {
		*created = 1;
		ret = wait_ready(s, out);
	}
	return ret;
}

static int rest_version_set_tag(struct mlci_tracking *t, const char *name,
				const char *version, const char *key,
				const char *value)
{
	cJSON *body = cJSON_CreateObject();

	mlci_json_set_string(body, "name", name);
	mlci_json_set_string(body, "version", version);
	mlci_json_set_string(body, "key", key);
	mlci_json_set_string(body, "value", value);
	return send_body(REST(t), "POST", "model-versions/set-tag", body);
}

static int rest_version_set_stage(struct mlci_tracking *t, const char *name,
				  const char *version, const char *stage,
				  int archive_existing)
{
	cJSON *body = cJSON_CreateObject();

	mlci_json_set_string(body, "name", name);
	mlci_json_set_string(body, "version", version);
	mlci_json_set_string(body, "stage", stage);
	mlci_json_set_bool(body, "archive_existing_versions", archive_existing);
	return send_body(REST(t), "POST", "model-versions/transition-stage", body);
}

static int rest_alias_set(struct mlci_tracking *t, const char *name,
			  const char *alias, const char *version)
{
	cJSON *body = cJSON_CreateObject();

	mlci_json_set_string(body, "name", name);
	mlci_json_set_string(body, "alias", alias);
	mlci_json_set_string(body, "version", version);
	return send_body(REST(t), "POST", "registered-models/alias", body);
}

static int rest_alias_get(struct mlci_tracking *t, const char *name,
			  const char *alias, char **version)
{
	struct rest *s = REST(t);
	char *ep = endpoint("registered-models/alias", "name", name, "alias",
			    alias, NULL);
	cJSON *ans;
	const char *v;
	int ret = call(s, "GET", ep, NULL, REPEAT, NULL, &ans);

	free(ep);
	if (ret)
		return ret;
	v = mlci_json_get_string(mlci_json_get_object(ans, "model_version"),
				 "version");
	if (v)
		*version = xstrdup(v);
	else
		ret = answer_missing(s, "registered-models/alias", "version");
	cJSON_Delete(ans);
	return ret;
}

static int rest_alias_delete(struct mlci_tracking *t, const char *name,
			     const char *alias)
{
	cJSON *body = cJSON_CreateObject();

	/* MLflow takes DELETE's arguments as a JSON body, not a query. */
	mlci_json_set_string(body, "name", name);
	mlci_json_set_string(body, "alias", alias);
	return send_body(REST(t), "DELETE", "registered-models/alias", body);
}

/* --- Artifacts through the server's proxy ------------------------------- */

/*
 * The proxy URL of path below an mlflow-artifacts: URI
 * (mlflow-artifacts:/1/<run>/artifacts or mlflow-artifacts://host/...),
 * each segment percent-encoded; NULL for any other URI.
 */
static char *proxy_url(struct rest *s, const char *uri, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	if (strncmp(uri, "mlflow-artifacts:", 17))
		return NULL;
	p = uri + 17;
	if (!strncmp(p, "//", 2)) {
		p = strchr(p + 2, '/');
		if (!p)
			p = "";
	}
	while (*p == '/')
		p++;
	strbuf_addf(&sb, "%s" ARTIFACTS_API, s->base);
	add_encoded(&sb, p, "/");
	if (sb.buf[sb.len - 1] != '/' && *path)
		strbuf_addch(&sb, '/');
	add_encoded(&sb, path, "/");
	return strbuf_detach(&sb, NULL);
}

static int not_proxied(const char *uri)
{
	return mlci_error(MLCI_EXIT_INPUT,
			  "artifact URI '%s': ml-register writes artifacts through the server's proxy (mlflow-artifacts:), so run the server with --serve-artifacts",
			  uri);
}

static int rest_artifact_put(struct mlci_tracking *t, const char *dir_uri,
			     const char *path, const char *local_file)
{
	struct rest *s = REST(t);
	struct mlci_http_opts o = s->http;
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	struct mlci_http_response res;
	static const char *const headers[] = {
		"Content-Type: application/octet-stream", NULL
	};
	char *url = proxy_url(s, dir_uri, path);
	struct stat st;
	FILE *fp;
	int ret;

	if (!url)
		return not_proxied(dir_uri);
	if (!(fp = fopen(local_file, "rb")) || fstat(fileno(fp), &st)) {
		ret = mlci_error_errno(MLCI_EXIT_INPUT, "cannot open '%s'",
				       local_file);
		if (fp)
			fclose(fp);
		free(url);
		return ret;
	}
	o.retry_unsafe = 1;	/* the same bytes to the same path: harmless */
	req.method = "PUT";
	req.url = url;
	req.headers = headers;
	req.upload_file = fp;
	req.upload_size = st.st_size;
	mlci_http_response_init(&res);
	ret = mlci_http_request(&o, &req, &res);
	if (!ret && (res.status < 200 || res.status >= 300)) {
		cJSON *body = cJSON_ParseWithLength(res.body.buf, res.body.len);
		char *ep = xstrfmt("mlflow-artifacts/%s", path);

		ret = failure(s, "PUT", ep, &res, body, NULL);
		cJSON_Delete(body);
		free(ep);
	}
	mlci_http_response_release(&res);
	fclose(fp);
	free(url);
	return ret;
}

static int rest_artifact_get(struct mlci_tracking *t, const char *dir_uri,
			     const char *path, const char *dest)
{
	struct rest *s = REST(t);
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	struct mlci_http_response res;
	struct mlci_atomic a = MLCI_ATOMIC_INIT;
	char *url = proxy_url(s, dir_uri, path);
	int ret;

	if (!url)
		return not_proxied(dir_uri);
	if ((ret = mlci_atomic_open(&a, dest))) {
		free(url);
		return ret;
	}
	req.url = url;
	req.download_file = a.fp;
	mlci_http_response_init(&res);
	ret = mlci_http_request(&s->http, &req, &res);
	if (!ret && res.status == 404)
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "MLflow at %s: no artifact '%s' under %s",
				 s->shown, path, dir_uri);
	else if (!ret && (res.status < 200 || res.status >= 300)) {
		cJSON *body = cJSON_ParseWithLength(res.body.buf, res.body.len);
		char *ep = xstrfmt("mlflow-artifacts/%s", path);

		ret = failure(s, "GET", ep, &res, body, NULL);
		cJSON_Delete(body);
		free(ep);
	}
	if (ret)
		mlci_atomic_abort(&a);
	else
		ret = mlci_atomic_commit(&a);
	mlci_http_response_release(&res);
	free(url);
	return ret;
}

/* --- Answers on their own (tests, fuzzing) ----------------------------- */

int mlci_mlflow_rest_parse_run(const char *text, size_t len,
			       struct mlci_tracking_run *out)
{
	static char shown[] = "(answer)";
	struct rest s = { .shown = shown };
	cJSON *ans = cJSON_ParseWithLength(text, len);
	const cJSON *run = mlci_json_get_object(ans, "run");
	int ret = -1, q = mlci_set_quiet(1);

	if (run && !run_from(&s, run, out))
		ret = 0;
	mlci_set_quiet(q);
	cJSON_Delete(ans);
	return ret;
}

int mlci_mlflow_rest_parse_version(const char *text, size_t len,
				   struct mlci_tracking_version *out)
{
	cJSON *ans = cJSON_ParseWithLength(text, len);
	const cJSON *mv = mlci_json_get_object(ans, "model_version");
	int ret = -1;

	if (mv) {
		version_from(mv, out);
		ret = out->version ? 0 : -1;
	}
	cJSON_Delete(ans);
	return ret;
}

/* --- Opening ------------------------------------------------------------ */

static void rest_close(struct mlci_tracking *t)
{
	struct rest *s = REST(t);

	if (!s)
		return;
	free(s->base);
	free(s->shown);
	free(s);
	t->priv = NULL;
}

static const struct mlci_tracking_ops rest_ops = {
	.name = "rest",
	.close = rest_close,
	.experiment_get_or_create = rest_experiment_get_or_create,
	.run_start = rest_run_start,
	.run_find_by_tag = rest_run_find_by_tag,
	.run_get = rest_run_get,
	.run_update = rest_run_update,
	.log_batch = rest_log_batch,
	.metric_history = rest_metric_history,
	.model_get_or_create = rest_model_get_or_create,
	.version_create = rest_version_create,
	.version_get = rest_version_get,
	.version_set_tag = rest_version_set_tag,
	.versions_list = rest_versions_list,
	.alias_set = rest_alias_set,
	.alias_get = rest_alias_get,
	.alias_delete = rest_alias_delete,
	.version_set_stage = rest_version_set_stage,
	.run_url = rest_run_url,
	.artifact_put = rest_artifact_put,
	.artifact_get = rest_artifact_get,
};

int mlci_mlflow_rest_open(struct mlci_tracking *t, const char *base_uri)
{
	struct rest *s = xcalloc(1, sizeof(*s));
	size_t len;
	int ret;

	mlci_http_opts_init(&s->http);
	if ((ret = mlci_mlflow_rest_http_opts(&s->http))) {
		free(s);
		return ret;
	}
	s->base = xstrdup(base_uri);
	len = strlen(s->base);
	while (len && s->base[len - 1] == '/')
		s->base[--len] = '\0';
	s->shown = mlci_http_redact_url(s->base);
	t->ops = &rest_ops;
	t->priv = s;
	return 0;
}
