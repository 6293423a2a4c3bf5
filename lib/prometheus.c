/* SPDX-License-Identifier: MIT */
/* A Prometheus HTTP API client: range queries over lib/http, and the parser of their answers. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "prometheus.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

void mlci_prometheus_samples_release(struct mlci_prometheus_samples *s)
{
	free(s->values);
	memset(s, 0, sizeof(*s));
}

/* One [time, "value"] pair; 0 or -1. */
static int add_pair(const cJSON *pair, struct mlci_prometheus_samples *out,
		    char *err, size_t errlen)
{
	const cJSON *t, *v;
	const char *s;
	char *end;
	double d;

	if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2) {
		mlci_set_err(err, errlen, "a sample is not a [time, \"value\"] pair");
		return -1;
	}
	t = cJSON_GetArrayItem(pair, 0);
	v = cJSON_GetArrayItem(pair, 1);
	if (!cJSON_IsNumber(t) || !cJSON_IsString(v)) {
		mlci_set_err(err, errlen, "a sample is not a [time, \"value\"] pair");
		return -1;
	}
	s = v->valuestring;
	if (!strcmp(s, "NaN") || !strcmp(s, "+Inf") || !strcmp(s, "-Inf")) {
		out->nonfinite++;
		return 0;
	}
	errno = 0;
	d = strtod(s, &end);
	if (!*s || *end || !isfinite(d)) {
		mlci_set_err(err, errlen, "a sample value '%.40s' is not a number", s);
		return -1;
	}
	ALLOC_GROW(out->values, out->nr + 1, out->alloc);
	out->values[out->nr++] = d;
	return 0;
}

int mlci_prometheus_parse(const char *body, size_t len,
			  struct mlci_prometheus_samples *out,
			  char *err, size_t errlen)
{
	cJSON *doc;
	const cJSON *status, *data, *type, *result, *series, *pair;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	doc = cJSON_ParseWithLength(body, len);
	if (!doc || !cJSON_IsObject(doc)) {
		mlci_set_err(err, errlen, "the answer is not a JSON object");
		goto out;
	}
	status = cJSON_GetObjectItemCaseSensitive(doc, "status");
	if (!cJSON_IsString(status)) {
		mlci_set_err(err, errlen, "the answer has no 'status'");
		goto out;
	}
	if (strcmp(status->valuestring, "success")) {
		const cJSON *et = cJSON_GetObjectItemCaseSensitive(doc, "errorType");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");

		mlci_set_err(err, errlen, "Prometheus answered %.20s: %.40s: %.300s",
			     status->valuestring,
			     cJSON_IsString(et) ? et->valuestring : "?",
			     cJSON_IsString(e) ? e->valuestring : "no message");
		goto out;
	}
	data = cJSON_GetObjectItemCaseSensitive(doc, "data");
	type = cJSON_GetObjectItemCaseSensitive(data, "resultType");
	result = cJSON_GetObjectItemCaseSensitive(data, "result");
	if (!cJSON_IsObject(data) || !cJSON_IsString(type) || !result) {
		mlci_set_err(err, errlen, "the answer has no data.resultType and data.result");
		goto out;
	}
	if (!strcmp(type->valuestring, "scalar")) {
		out->series = 1;
		ret = add_pair(result, out, err, errlen);
		goto out;
	}
	if (!cJSON_IsArray(result) || (strcmp(type->valuestring, "matrix") &&
				       strcmp(type->valuestring, "vector"))) {
		mlci_set_err(err, errlen, "unexpected result type '%.20s'",
			     type->valuestring);
		goto out;
	}
	cJSON_ArrayForEach(series, result) {
		const cJSON *values;

		if (!cJSON_IsObject(series)) {
			mlci_set_err(err, errlen, "a series is not an object");
			goto out;
		}
		out->series++;
		if (!strcmp(type->valuestring, "vector")) {
			if (add_pair(cJSON_GetObjectItemCaseSensitive(series, "value"),
				     out, err, errlen))
				goto out;
			continue;
		}
		values = cJSON_GetObjectItemCaseSensitive(series, "values");
		if (!values)	/* a native histogram series: no float values */
			continue;
		if (!cJSON_IsArray(values)) {
			mlci_set_err(err, errlen, "a series' 'values' is not a list");
			goto out;
		}
		cJSON_ArrayForEach(pair, values) {
			if (add_pair(pair, out, err, errlen))
				goto out;
		}
	}
	ret = 0;
out:
	cJSON_Delete(doc);
	if (ret)
		mlci_prometheus_samples_release(out);
	return ret;
}

void mlci_prometheus_init(struct mlci_prometheus *p, const char *url)
{
	const char *token = getenv(MLCI_PROMETHEUS_TOKEN_ENV);
	const char *user = getenv(MLCI_PROMETHEUS_USER_ENV);

	p->url = url;
	mlci_http_opts_init(&p->http);
	if (token && *token) {
		p->http.bearer_token = token;
	} else if (user && *user) {
		const char *pw = getenv(MLCI_PROMETHEUS_PASSWORD_ENV);

		p->http.basic_user = user;
		p->http.basic_password = pw ? pw : "";
	}
}

/* application/x-www-form-urlencoded value. */
static void add_encoded(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			strbuf_addch(sb, c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}

static void add_time(struct strbuf *sb, int64_t ms)
{
	strbuf_addf(sb, "%lld.%03d", (long long)(ms / 1000),
		    (int)(ms % 1000 < 0 ? -(ms % 1000) : ms % 1000));
}

int mlci_prometheus_query_range(const struct mlci_prometheus *p,
				const char *query, int64_t start_ms,
				int64_t end_ms, double step_s,
				struct mlci_prometheus_samples *out)
{
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json", NULL
	};
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	struct mlci_http_response res;
	struct strbuf url = STRBUF_INIT, form = STRBUF_INIT;
	char err[512];
	int ret;

	memset(out, 0, sizeof(*out));
	strbuf_addstr(&url, p->url);
	while (url.len && url.buf[url.len - 1] == '/')
		strbuf_setlen(&url, url.len - 1);
	strbuf_addstr(&url, "/api/v1/query_range");
	strbuf_addstr(&form, "query=");
	add_encoded(&form, query);
	strbuf_addstr(&form, "&start=");
	add_time(&form, start_ms);
	strbuf_addstr(&form, "&end=");
	add_time(&form, end_ms);
	strbuf_addf(&form, "&step=%.17g", step_s);

	req.method = "POST";
	req.url = url.buf;
	req.headers = headers;
	req.body = form.buf;
	req.body_len = form.len;
	mlci_http_response_init(&res);
	ret = mlci_http_request(&p->http, &req, &res);
	if (ret)
		goto out;
	if (res.status >= 500 || res.status == 429 || res.status == 408) {
		ret = mlci_error(MLCI_EXIT_REMOTE,
				 "Prometheus answered HTTP %ld to query '%s' after %d attempts",
				 res.status, query, res.attempts);
		goto out;
	}
	if (mlci_prometheus_parse(res.body.buf, res.body.len, out, err,
				  sizeof(err))) {
		ret = mlci_error(res.status == 401 || res.status == 403 ?
				 MLCI_EXIT_REMOTE : MLCI_EXIT_INPUT,
				 "query '%s' (HTTP %ld): %s", query, res.status,
				 err);
		goto out;
	}
	if (res.status != 200) {
		mlci_prometheus_samples_release(out);
		ret = mlci_error(MLCI_EXIT_REMOTE, "query '%s': HTTP %ld",
				 query, res.status);
	}
out:
	mlci_http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&form);
	return ret;
}
