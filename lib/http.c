/* SPDX-License-Identifier: MIT */
/* The one libcurl wrapper: time-outs, a deadline, retries with backoff and Retry-After, redacted messages. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"
#include "json.h"
#include "now.h"
#include "random.h"
#include "usage.h"
#include "wrapper.h"

#ifndef MLCI_VERSION
#define MLCI_VERSION "0"
#endif

#define DEFAULT_USER_AGENT "mlci/" MLCI_VERSION

void mlci_http_opts_init(struct mlci_http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 60000;
	o->max_retries = 4;
	o->backoff_factor = 0.5;
	o->backoff_jitter = 0.5;
	o->backoff_max = 30;
	o->retry_after_max = 120;
	o->max_response = (size_t)64 << 20;
}

void mlci_http_response_init(struct mlci_http_response *res)
{
	memset(res, 0, sizeof(*res));
	strbuf_init(&res->body, 0);
}

static void clear_headers(struct mlci_http_response *res)
{
	free(res->content_type);
	free(res->retry_after);
	free(res->link);
	free(res->location);
	res->content_type = res->retry_after = res->link = res->location = NULL;
}

void mlci_http_response_release(struct mlci_http_response *res)
{
	clear_headers(res);
	strbuf_release(&res->body);
	mlci_http_response_init(res);
}

/* Retry decisions, backoff, Retry-After, Link, redaction: pure functions. */

int mlci_http_status_retryable(long status)
{
	switch (status) {
	case 408: case 429: case 500: case 502: case 503: case 504:
		return 1;
	default:
		return 0;
	}
}

int mlci_http_curl_retryable(int curl_code)
{
	switch ((CURLcode)curl_code) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
	case CURLE_QUIC_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

double mlci_http_backoff(const struct mlci_http_opts *opts, int n, double u)
{
	double s = opts->backoff_factor * ldexp(1.0, n < 0 ? 0 : n > 62 ? 62 : n);

	if (opts->backoff_max > 0 && s > opts->backoff_max)
		s = opts->backoff_max;
	if (u < 0)
		u = 0;
	return s + u * (opts->backoff_jitter > 0 ? opts->backoff_jitter : 0);
}

static int month_index(const char *s)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int i;

	for (i = 0; i < 12; i++)
		if (!strncmp(s, months[i], 3))
			return i;
	return -1;
}

static int valid_day_name(const char *s, size_t len)
{
	static const char *const names[] = { "Monday", "Tuesday", "Wednesday",
		"Thursday", "Friday", "Saturday", "Sunday" };
	size_t i;

	for (i = 0; i < 7; i++)
		if ((len == 3 && !strncmp(s, names[i], 3)) ||
		    (len == strlen(names[i]) && !strncmp(s, names[i], len)))
			return 1;
	return 0;
}

/* Parse the three HTTP-date forms of RFC 9110 §5.6.7 into ms since the epoch. */
static int parse_http_date(const char *s, int64_t now_ms, int64_t *ms)
{
	char mon[4] = "", tz[4] = "";
	int day, year, h, mi, sec, n = 0, m;
	size_t dlen = strcspn(s, ", ");
	struct tm tm;
	time_t t;

	if (!valid_day_name(s, dlen))
		return -1;
	if (s[dlen] == ',' && dlen == 3) {
		/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
		if (sscanf(s + dlen, ", %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n",
			   &day, mon, &year, &h, &mi, &sec, tz, &n) != 7)
			return -1;
	} else if (s[dlen] == ',') {
		/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
		int yy;

		if (sscanf(s + dlen, ", %2d-%3[A-Za-z]-%2d %2d:%2d:%2d %3[A-Z]%n",
			   &day, mon, &yy, &h, &mi, &sec, tz, &n) != 7)
			return -1;
		/* A year more than 50 years ahead is the same year a century back. */
		t = (time_t)(now_ms / 1000);
		gmtime_r(&t, &tm);
		year = (tm.tm_year + 1900) / 100 * 100 + yy;
		if (year > tm.tm_year + 1900 + 50)
			year -= 100;
	} else if (dlen == 3) {
		/* asctime: Sun Nov  6 08:49:37 1994 */
		if (sscanf(s + dlen, " %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", mon,
			   &day, &h, &mi, &sec, &year, &n) != 6)
			return -1;
		memcpy(tz, "GMT", 4);
	} else {
		return -1;
	}
	s += dlen + (size_t)n;
	while (*s == ' ' || *s == '\t')
		s++;
	m = month_index(mon);
	if (*s || m < 0 || strlen(mon) != 3 || strcmp(tz, "GMT") || day < 1 ||
	    day > 31 || h > 23 || mi > 59 || sec > 60 || year < 1900)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = m;
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

int mlci_http_parse_retry_after(const char *value, int64_t now_ms,
				double *seconds)
{
	const char *p = value;
	int64_t when;

	if (!p)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p >= '0' && *p <= '9') {
		double v = 0;

		for (; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (*p - '0');
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return -1;
		*seconds = v;
		return 0;
	}
	if (parse_http_date(p, now_ms, &when))
		return -1;
	*seconds = when > now_ms ? (double)(when - now_ms) / 1000.0 : 0.0;
	return 0;
}

/* 1 when the rel parameter value (a space-separated list) names "next". */
static int rel_has_next(const char *v, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && v[i] == ' ')
			i++;
		start = i;
		while (i < len && v[i] != ' ')
			i++;
		if (i - start == 4 && !strncasecmp(v + start, "next", 4))
			return 1;
	}
	return 0;
}

char *mlci_http_link_next(const char *link)
{
	const char *p = link;

	if (!p)
		return NULL;
	for (;;) {
		const char *url, *end;
		int next = 0;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p != '<')
			return NULL;
		url = p + 1;
		end = strchr(url, '>');
		if (!end)
			return NULL;
		p = end + 1;
		/* Parameters: ; name=value or ; name="value", up to the next ','. */
		for (;;) {
			const char *name, *val;
			size_t nlen, vlen;

			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ';')
				break;
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			name = p;
			while (*p && *p != '=' && *p != ';' && *p != ',' && *p != ' ')
				p++;
			nlen = (size_t)(p - name);
			while (*p == ' ')
				p++;
			if (*p != '=')
				continue;
			p++;
			while (*p == ' ')
				p++;
			if (*p == '"') {
				val = ++p;
				while (*p && *p != '"')
					p++;
				vlen = (size_t)(p - val);
				if (*p)
					p++;
			} else {
				val = p;
				while (*p && *p != ';' && *p != ',' && *p != ' ')
					p++;
				vlen = (size_t)(p - val);
			}
			if (nlen == 3 && !strncasecmp(name, "rel", 3) &&
			    rel_has_next(val, vlen))
				next = 1;
		}
		if (next)
			return xstrndup(url, (size_t)(end - url));
		while (*p && *p != ',')
			p++;
		if (!*p)
			return NULL;
	}
}

static int secret_param(const char *name, size_t len)
{
	static const char *const words[] = { "token", "password", "passwd",
		"secret", "key", "signature", "sig", "auth", "credential" };
	char lower[64];
	size_t i;

	if (len >= sizeof(lower))
		return 1;	/* too long to judge: hide it */
	for (i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[len] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (strstr(lower, words[i]))
			return 1;
	return 0;
}

char *mlci_http_redact_url(const char *url)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = url, *scheme_end, *auth_end, *at, *q;

	if (!url)
		return xstrdup("");
	scheme_end = strstr(url, "://");
	if (scheme_end && scheme_end < url + strcspn(url, "/?#") + 1) {
		p = scheme_end + 3;
		strbuf_add(&sb, url, (size_t)(p - url));
		auth_end = p + strcspn(p, "/?#");
		at = NULL;
		for (q = p; q < auth_end; q++)
			if (*q == '@')
				at = q;
		if (at)
			p = at + 1;
	}
	q = p + strcspn(p, "?#");
	strbuf_add(&sb, p, (size_t)(q - p));
	p = q;
	if (*p == '?') {
		const char *qend = p + strcspn(p, "#");

		strbuf_addch(&sb, '?');
		p++;
		while (p < qend) {
			const char *amp = memchr(p, '&', (size_t)(qend - p));
			const char *pend = amp ? amp : qend;
			const char *eq = memchr(p, '=', (size_t)(pend - p));

			if (eq && secret_param(p, (size_t)(eq - p))) {
				strbuf_add(&sb, p, (size_t)(eq - p) + 1);
				strbuf_addstr(&sb, "REDACTED");
			} else {
				strbuf_add(&sb, p, (size_t)(pend - p));
			}
			if (amp)
				strbuf_addch(&sb, '&');
			p = amp ? amp + 1 : qend;
		}
	}
	strbuf_addstr(&sb, p);
	return strbuf_detach(&sb, NULL);
}

/* The transfer itself. */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The state of one attempt, seen by the curl callbacks. */
struct transfer {
	const struct mlci_http_opts *opts;
	const struct mlci_http_request *req;
	struct mlci_http_response *res;
	long status;		/* from the last status line seen */
	int too_large;		/* the body passed max_response */
	int sink_failed;	/* the sink refused or could not write */
	int sink_errno;
	int upload_failed;
	unsigned long long delivered;	/* bytes given to a sink, all attempts */
	unsigned long long uploaded;	/* bytes read from upload_fn */
};

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *v, *end = line + len;

	if (len <= nlen || strncasecmp(line, name, nlen) || line[nlen] != ':')
		return NULL;
	v = line + nlen + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

static void keep_header(char **slot, char *value, int join)
{
	if (!value)
		return;
	if (*slot && join) {
		char *both = xstrfmt("%s, %s", *slot, value);

		free(*slot);
		free(value);
		*slot = both;
		return;
	}
	free(*slot);
	*slot = value;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * nmemb;

	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* A new response (after 100 Continue or a redirect) starts afresh. */
		const char *sp = memchr(data, ' ', len);

		clear_headers(t->res);
		t->status = 0;
		if (sp && (size_t)(sp - data) + 4 <= len &&
		    isdigit((unsigned char)sp[1]) &&
		    isdigit((unsigned char)sp[2]) &&
		    isdigit((unsigned char)sp[3]))
			t->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 +
				    (sp[3] - '0');
		return len;
	}
	keep_header(&t->res->content_type, header_value(data, len, "Content-Type"), 0);
	keep_header(&t->res->retry_after, header_value(data, len, "Retry-After"), 0);
	keep_header(&t->res->link, header_value(data, len, "Link"), 1);
	keep_header(&t->res->location, header_value(data, len, "Location"), 0);
	return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	const struct mlci_http_request *req = t->req;
	size_t len = size * nmemb;
	int to_sink = t->status >= 200 && t->status < 300 &&
		      (req->download_file || req->download_fn);

	t->res->body_size += len;
	if (to_sink) {
		if (req->download_file) {
			if (fwrite(data, 1, len, req->download_file) != len) {
				t->sink_errno = errno;
				t->sink_failed = 1;
				return 0;
			}
		} else if (req->download_fn(data, len, req->ctx)) {
			t->sink_failed = 1;
			return 0;
		}
		t->delivered += len;
		return len;
	}
	if (t->res->body.len + len > t->opts->max_response) {
		t->too_large = 1;
		return 0;
	}
	strbuf_add(&t->res->body, data, len);
	return len;
}

static size_t on_read_file(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = fread(buf, 1, size * nmemb, t->req->upload_file);

	if (!n && ferror(t->req->upload_file)) {
		t->upload_failed = 1;
		return CURL_READFUNC_ABORT;
	}
	return n;
}

static size_t on_read_fn(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = t->req->upload_fn(buf, size * nmemb, t->req->ctx);

	if (n == (size_t)-1) {
		t->upload_failed = 1;
		return CURL_READFUNC_ABORT;
	}
	t->uploaded += n;
	return n;
}

static struct curl_slist *add_headers(struct curl_slist *list,
				      const char *const *h)
{
	for (; h && *h; h++) {
		struct curl_slist *n = curl_slist_append(list, *h);

		if (!n)
			mlci_die("out of memory");
		list = n;
	}
	return list;
}

static curl_mime *build_form(CURL *curl, const struct mlci_http_request *req,
			     int *bad_file)
{
	curl_mime *mime = curl_mime_init(curl);
	size_t i;

	if (!mime)
		mlci_die("out of memory");
	for (i = 0; i < req->form_nr; i++) {
		const struct mlci_http_form_part *p = &req->form[i];
		curl_mimepart *part = curl_mime_addpart(mime);

		if (!part)
			mlci_die("out of memory");
		curl_mime_name(part, p->name);
		if (p->path) {
			const char *slash = strrchr(p->path, '/');

			if (curl_mime_filedata(part, p->path) != CURLE_OK) {
				*bad_file = (int)i;
				break;
			}
			curl_mime_filename(part, p->filename ? p->filename :
					   slash ? slash + 1 : p->path);
		} else {
			curl_mime_data(part, p->value ? p->value : "",
				       p->value_len ? p->value_len :
				       CURL_ZERO_TERMINATED);
			if (p->filename)
				curl_mime_filename(part, p->filename);
		}
		if (p->content_type)
			curl_mime_type(part, p->content_type);
	}
	return mime;
}

static int bodies(const struct mlci_http_request *req)
{
	return !!req->body + !!req->upload_file + !!req->upload_fn + !!req->form_nr;
}

#define SETOPT(curl, opt, val) do { \
	if (curl_easy_setopt((curl), (opt), (val)) != CURLE_OK) \
		goto setopt_failed; \
} while (0)

/* Set every option of one attempt; timeout_ms already cut to the deadline. */
static int setup(CURL *curl, struct transfer *t, struct curl_slist *hdrs,
		 curl_mime *mime, long timeout_ms, long connect_ms,
		 char *errbuf)
{
	const struct mlci_http_opts *o = t->opts;
	const struct mlci_http_request *req = t->req;
	const char *method = req->method;

	curl_easy_reset(curl);
	SETOPT(curl, CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(curl, CURLOPT_URL, req->url);
	SETOPT(curl, CURLOPT_NOSIGNAL, 1L);
	SETOPT(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(curl, CURLOPT_USERAGENT, o->user_agent ? o->user_agent :
	       DEFAULT_USER_AGENT);
	SETOPT(curl, CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(curl, CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(curl, CURLOPT_HEADERDATA, t);
	SETOPT(curl, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(curl, CURLOPT_WRITEDATA, t);
	SETOPT(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SETOPT(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	if (hdrs)
		SETOPT(curl, CURLOPT_HTTPHEADER, hdrs);
	if (o->follow_redirects) {
		SETOPT(curl, CURLOPT_FOLLOWLOCATION, 1L);
		SETOPT(curl, CURLOPT_MAXREDIRS, 10L);
	}
	if (o->bearer_token) {
		SETOPT(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		SETOPT(curl, CURLOPT_XOAUTH2_BEARER, o->bearer_token);
	} else if (o->basic_user) {
		SETOPT(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SETOPT(curl, CURLOPT_USERNAME, o->basic_user);
		SETOPT(curl, CURLOPT_PASSWORD, o->basic_password ?
		       o->basic_password : "");
	}
	if (o->ca_file)
		SETOPT(curl, CURLOPT_CAINFO, o->ca_file);
	if (o->client_cert)
		SETOPT(curl, CURLOPT_SSLCERT, o->client_cert);
	if (o->client_key)
		SETOPT(curl, CURLOPT_SSLKEY, o->client_key);
	SETOPT(curl, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	SETOPT(curl, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);

	if (req->body) {
		SETOPT(curl, CURLOPT_POSTFIELDS, req->body);
		SETOPT(curl, CURLOPT_POSTFIELDSIZE_LARGE,
		       (curl_off_t)req->body_len);
	} else if (req->upload_file || req->upload_fn) {
		SETOPT(curl, CURLOPT_READFUNCTION,
		       req->upload_file ? on_read_file : on_read_fn);
		SETOPT(curl, CURLOPT_READDATA, t);
		if (method && !strcmp(method, "PUT")) {
			SETOPT(curl, CURLOPT_UPLOAD, 1L);
			SETOPT(curl, CURLOPT_INFILESIZE_LARGE,
			       (curl_off_t)req->upload_size);
		} else {
			SETOPT(curl, CURLOPT_POST, 1L);
			SETOPT(curl, CURLOPT_POSTFIELDSIZE_LARGE,
			       (curl_off_t)req->upload_size);
		}
	} else if (mime) {
		SETOPT(curl, CURLOPT_MIMEPOST, mime);
	} else if (method && !strcmp(method, "HEAD")) {
		SETOPT(curl, CURLOPT_NOBODY, 1L);
		method = NULL;
	}
	if (method && strcmp(method, bodies(req) ? "POST" : "GET"))
		SETOPT(curl, CURLOPT_CUSTOMREQUEST, method);
	return 0;
setopt_failed:
	return mlci_error(MLCI_EXIT_BUG, "cannot set up a request: %s", errbuf);
}

static void sleep_until(double when)
{
	struct timespec ts;
	double whole;

	ts.tv_nsec = (long)(modf(when, &whole) * 1e9);
	ts.tv_sec = (time_t)whole;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static double random_unit(void)
{
	uint64_t r;

	mlci_random_bytes(&r, sizeof(r));
	return (double)(r >> 11) / 9007199254740992.0;
}

/* Put the upload and the download file back where they started. */
static int rewind_streams(struct transfer *t, off_t upload_start,
			  off_t download_start)
{
	const struct mlci_http_request *req = t->req;

	if (req->upload_file && fseeko(req->upload_file, upload_start, SEEK_SET))
		return -1;
	if (req->upload_fn && t->uploaded) {
		if (!req->upload_rewind || req->upload_rewind(req->ctx))
			return -1;
		t->uploaded = 0;
	}
	if (req->download_file && t->delivered) {
		if (fflush(req->download_file) ||
		    ftruncate(fileno(req->download_file), download_start) ||
		    fseeko(req->download_file, download_start, SEEK_SET))
			return -1;
		t->delivered = 0;
	}
	if (req->download_fn && t->delivered)
		return -1;
	return 0;
}

int mlci_http_request(const struct mlci_http_opts *opts,
		      const struct mlci_http_request *req,
		      struct mlci_http_response *res)
{
	const char *method;
	struct transfer t;
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE];
	char *shown = NULL;
	off_t upload_start = 0, download_start = 0;
	CURL *curl = NULL;
	int ret = 0, attempt;

	mlci_http_response_release(res);
	if (!req->url || !*req->url || bodies(req) > 1 ||
	    (req->download_file && req->download_fn))
		return mlci_error(MLCI_EXIT_BUG, "malformed HTTP request");
	method = req->method ? req->method : bodies(req) ? "POST" : "GET";
	shown = mlci_http_redact_url(req->url);
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		ret = mlci_error(MLCI_EXIT_SYSTEM, "cannot initialise libcurl: %s",
				 curl_easy_strerror(global_rc));
		goto out;
	}
	curl = curl_easy_init();
	if (!curl)
		mlci_die("out of memory");
	hdrs = add_headers(hdrs, opts->headers);
	hdrs = add_headers(hdrs, req->headers);
	/* No 100-continue round trip: the servers we talk to answer at once. */
	hdrs = add_headers(hdrs, (const char *const[]){ "Expect:", NULL });
	if (req->upload_file)
		upload_start = ftello(req->upload_file);
	if (req->download_file)
		download_start = ftello(req->download_file);
	if (upload_start < 0 || download_start < 0)
		upload_start = download_start = 0;

	memset(&t, 0, sizeof(t));
	t.opts = opts;
	t.req = req;
	t.res = res;
	for (attempt = 0;; attempt++) {
		long timeout_ms = opts->timeout_ms, connect_ms = opts->connect_timeout_ms;
		curl_mime *mime = NULL;
		CURLcode rc;
		double wait, now = mlci_monotonic();
		int bad_file = -1;

		if (opts->deadline > 0) {
			double left_ms = (opts->deadline - now) * 1000;

			if (left_ms < 1) {
				ret = mlci_error(MLCI_EXIT_REMOTE,
						 "cannot %s '%s': deadline passed after %d attempt%s",
						 method, shown, attempt,
						 attempt == 1 ? "" : "s");
				goto out;
			}
			if (timeout_ms <= 0 || timeout_ms > left_ms)
				timeout_ms = (long)ceil(left_ms);
			if (connect_ms <= 0 || connect_ms > timeout_ms)
				connect_ms = timeout_ms;
		}
		strbuf_reset(&res->body);
		clear_headers(res);
		res->status = 0;
		t.status = 0;
		errbuf[0] = '\0';
		if (req->form_nr) {
			mime = build_form(curl, req, &bad_file);
			if (bad_file >= 0) {
				curl_mime_free(mime);
				ret = mlci_error(MLCI_EXIT_INPUT, "cannot read '%s'",
						 req->form[bad_file].path);
				goto out;
			}
		}
		ret = setup(curl, &t, hdrs, mime, timeout_ms, connect_ms, errbuf);
		if (ret) {
			curl_mime_free(mime);
			goto out;
		}
		res->attempts = attempt + 1;
		rc = curl_easy_perform(curl);
		curl_mime_free(mime);
		if (rc == CURLE_OK) {
			long code = 0;

			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
			res->status = code ? code : t.status;
		} else {
			res->status = t.status;
		}
		if (t.too_large) {
			ret = mlci_error(MLCI_EXIT_REMOTE,
					 "cannot %s '%s': response larger than %zu bytes",
					 method, shown, opts->max_response);
			goto out;
		}
		if (t.sink_failed) {
			if (t.sink_errno) {
				errno = t.sink_errno;
				ret = mlci_error_errno(MLCI_EXIT_SYSTEM,
						       "cannot write the response of '%s'",
						       shown);
			} else {
				ret = mlci_error(MLCI_EXIT_SYSTEM,
						 "cannot store the response of '%s'",
						 shown);
			}
			goto out;
		}
		if (t.upload_failed) {
			ret = mlci_error(MLCI_EXIT_SYSTEM,
					 "cannot read the body to %s to '%s'",
					 method, shown);
			goto out;
		}
		if (rc == CURLE_OK) {
			double ra;

			if (!mlci_http_status_retryable(res->status) ||
			    attempt >= opts->max_retries)
				goto out;
			wait = mlci_http_backoff(opts, attempt, random_unit());
			if (res->retry_after &&
			    !mlci_http_parse_retry_after(res->retry_after,
							 mlci_now_ms(), &ra)) {
				if (ra > opts->retry_after_max)
					goto out;
				wait = ra;
			}
			now = mlci_monotonic();
			if (opts->deadline > 0 && now + wait >= opts->deadline)
				goto out;
		} else {
			const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
			long sent = 0;

			curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &sent);
			wait = mlci_http_backoff(opts, attempt, random_unit());
			now = mlci_monotonic();
			if (!mlci_http_curl_retryable((int)rc) ||
			    attempt >= opts->max_retries ||
			    (opts->deadline > 0 && now + wait >= opts->deadline) ||
			    (sent > 0 && !opts->retry_unsafe &&
			     (!strcmp(method, "POST") || !strcmp(method, "PATCH"))) ||
			    (req->download_fn && t.delivered) ||
			    (req->upload_fn && t.uploaded && !req->upload_rewind)) {
				ret = mlci_error(MLCI_EXIT_REMOTE,
						 "cannot %s '%s': %s (%d attempt%s)",
						 method, shown, why, attempt + 1,
						 attempt ? "s" : "");
				goto out;
			}
		}
		if (rewind_streams(&t, upload_start, download_start)) {
			ret = mlci_error(MLCI_EXIT_REMOTE,
					 "cannot %s '%s': no retry, the body cannot be rewound",
					 method, shown);
			goto out;
		}
		sleep_until(now + wait);
	}
out:
	curl_slist_free_all(hdrs);
	if (curl)
		curl_easy_cleanup(curl);
	free(shown);
	return ret;
}

int mlci_http_get(const struct mlci_http_opts *opts, const char *url,
		  struct mlci_http_response *res)
{
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;

	req.url = url;
	return mlci_http_request(opts, &req, res);
}

static int has_header(const char *const *h, const char *name)
{
	size_t len = strlen(name);

	for (; h && *h; h++)
		if (!strncasecmp(*h, name, len) && (*h)[len] == ':')
			return 1;
	return 0;
}

int mlci_http_json(const struct mlci_http_opts *opts, const char *method,
		   const char *url, const char *const *headers,
		   const cJSON *send, struct mlci_http_response *res,
		   cJSON **out)
{
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	const char **all;
	char *text = NULL;
	size_t n = 0, i;
	int ret;

	*out = NULL;
	for (i = 0; headers && headers[i]; i++)
		;
	all = xcalloc(i + 3, sizeof(*all));
	for (i = 0; headers && headers[i]; i++)
		all[n++] = headers[i];
	if (!has_header(headers, "Accept") && !has_header(opts->headers, "Accept"))
		all[n++] = "Accept: application/json";
	if (send) {
		struct strbuf sb = STRBUF_INIT;

		/* Our printer: metric values must reach a server digit for digit. */
		mlci_json_print(send, 0, &sb);
		text = strbuf_detach(&sb, NULL);
		all[n++] = "Content-Type: application/json";
		req.body = text;
		req.body_len = strlen(text);
	}
	all[n] = NULL;
	req.method = method;
	req.url = url;
	req.headers = all;
	ret = mlci_http_request(opts, &req, res);
	if (!ret && res->body.len)
		*out = cJSON_ParseWithLength(res->body.buf, res->body.len);
	free(text);
	free(all);
	return ret;
}
