/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/http.c and lib/github.c: pure decisions, a scripted loopback server, and the fake GitHub API. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "github.h"
#include "http.h"
#include "json.h"
#include "now.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

extern char **environ;

static char dir[] = "/tmp/test-http.XXXXXX";

/* ---- Pure functions ---- */

static void test_status_retryable(void)
{
	static const struct { long status; int want; } cases[] = {
		{ 200, 0 }, { 201, 0 }, { 204, 0 }, { 301, 0 }, { 304, 0 },
		{ 400, 0 }, { 401, 0 }, { 403, 0 }, { 404, 0 }, { 408, 1 },
		{ 409, 0 }, { 410, 0 }, { 422, 0 }, { 429, 1 }, { 500, 1 },
		{ 501, 0 }, { 502, 1 }, { 503, 1 }, { 504, 1 }, { 505, 0 },
		{ 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char name[64];

		snprintf(name, sizeof(name), "status %ld retryable: %d",
			 cases[i].status, cases[i].want);
		CHECK_INT(mlci_http_status_retryable(cases[i].status),
			  cases[i].want, name);
	}
}

static void test_curl_retryable(void)
{
	/* CURLcode values are part of libcurl's ABI; this file may not include curl.h. */
	static const struct { int code; const char *what; int want; } cases[] = {
		{ 0, "OK", 0 },
		{ 1, "UNSUPPORTED_PROTOCOL", 0 },
		{ 3, "URL_MALFORMAT", 0 },
		{ 5, "COULDNT_RESOLVE_PROXY", 1 },
		{ 6, "COULDNT_RESOLVE_HOST", 1 },
		{ 7, "COULDNT_CONNECT", 1 },
		{ 18, "PARTIAL_FILE", 1 },
		{ 22, "HTTP_RETURNED_ERROR", 0 },
		{ 23, "WRITE_ERROR", 0 },
		{ 26, "READ_ERROR", 0 },
		{ 28, "OPERATION_TIMEDOUT", 1 },
		{ 35, "SSL_CONNECT_ERROR", 1 },
		{ 42, "ABORTED_BY_CALLBACK", 0 },
		{ 47, "TOO_MANY_REDIRECTS", 0 },
		{ 52, "GOT_NOTHING", 1 },
		{ 55, "SEND_ERROR", 1 },
		{ 56, "RECV_ERROR", 1 },
		{ 58, "SSL_CERTPROBLEM", 0 },
		{ 60, "PEER_FAILED_VERIFICATION", 0 },
		{ 77, "SSL_CACERT_BADFILE", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char name[80];

		snprintf(name, sizeof(name), "curl error %d (%s) retryable: %d",
			 cases[i].code, cases[i].what, cases[i].want);
		CHECK_INT(mlci_http_curl_retryable(cases[i].code), cases[i].want,
			  name);
	}
}

static void test_backoff(void)
{
	static const struct { int n; double u; double want; } cases[] = {
		{ 0, 0, 0.5 }, { 1, 0, 1 }, { 2, 0, 2 }, { 3, 0, 4 }, { 4, 0, 8 },
		{ 5, 0, 16 }, { 6, 0, 30 }, { 7, 0, 30 }, { 100, 0, 30 },
		{ 0, 0.5, 0.75 }, { 3, 0.999, 4.4995 }, { 6, 0.5, 30.25 },
	};
	struct mlci_http_opts o;
	size_t i;

	mlci_http_opts_init(&o);
	CHECK_NEAR(o.backoff_factor, 0.5, 0, "default backoff factor 0.5 s");
	CHECK_NEAR(o.backoff_jitter, 0.5, 0, "default jitter 0.5 s");
	CHECK_NEAR(o.backoff_max, 30, 0, "default backoff cap 30 s");
	CHECK_INT(o.max_retries, 4, "default 4 retries");
	CHECK_INT(o.insecure, 0, "TLS verification on by default");
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char name[80];

		snprintf(name, sizeof(name), "backoff retry %d, u %g: %g s",
			 cases[i].n, cases[i].u, cases[i].want);
		CHECK_NEAR(mlci_http_backoff(&o, cases[i].n, cases[i].u),
			   cases[i].want, 1e-12, name);
	}
	o.backoff_factor = 1;
	o.backoff_jitter = 0;
	CHECK_NEAR(mlci_http_backoff(&o, 2, 0.9), 4, 0,
		   "jitter 0: the schedule is exact whatever u is");
}

static void test_retry_after(void)
{
	/* Sun, 06 Nov 1994 08:49:00 GMT */
	const int64_t now = INT64_C(784111740) * 1000;
	static const struct { const char *value; int ret; double want; } cases[] = {
		{ "0", 0, 0 },
		{ "120", 0, 120 },
		{ " 7 ", 0, 7 },
		{ "86400", 0, 86400 },
		{ "Sun, 06 Nov 1994 08:49:37 GMT", 0, 37 },
		{ "Sunday, 06-Nov-94 08:49:37 GMT", 0, 37 },
		{ "Sun Nov  6 08:49:37 1994", 0, 37 },
		{ "Mon, 07 Nov 1994 08:49:00 GMT", 0, 86400 },
		{ "Sat, 05 Nov 1994 08:49:00 GMT", 0, 0 },
		{ "Sun, 06 Nov 1994 08:49:00 GMT", 0, 0 },
		{ "", -1, 0 },
		{ "-1", -1, 0 },
		{ "1.5", -1, 0 },
		{ "12abc", -1, 0 },
		{ "soon", -1, 0 },
		{ "Sun, 06 Nov 1994 08:49:37 UTC", -1, 0 },
		{ "Sun, 06 Foo 1994 08:49:37 GMT", -1, 0 },
		{ "Sun, 06 Nov 1994 08:49:37 GMT trailing", -1, 0 },
		{ "Xyz, 06 Nov 1994 08:49:37 GMT", -1, 0 },
		{ "Sun, 06 Nov 1994 25:49:37 GMT", -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char name[128];
		double got = -42;
		int ret = mlci_http_parse_retry_after(cases[i].value, now, &got);

		snprintf(name, sizeof(name), "Retry-After '%s': %s",
			 cases[i].value, cases[i].ret ? "rejected" : "accepted");
		CHECK_INT(ret, cases[i].ret, name);
		if (!cases[i].ret) {
			snprintf(name, sizeof(name), "Retry-After '%s' is %g s",
				 cases[i].value, cases[i].want);
			CHECK_NEAR(got, cases[i].want, 1e-9, name);
		}
	}
	CHECK_INT(mlci_http_parse_retry_after(NULL, now, &(double){ 0 }), -1,
		  "Retry-After NULL: rejected");
}

static void test_link_next(void)
{
	static const struct { const char *link; const char *want; } cases[] = {
		{ "<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2>; rel=\"next\", "
		  "<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=3>; rel=\"last\"",
		  "https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2" },
		{ "<https://h/x?page=1>; rel=\"prev\", <https://h/x?page=3>; rel=\"next\"",
		  "https://h/x?page=3" },
		{ "<https://h/a,b>; rel=next", "https://h/a,b" },
		{ "<https://h/p>; title=\"a, b; c\"; rel=\"prev next\"", "https://h/p" },
		{ "<https://h/first>; rel=\"first\", <https://h/last>; rel=\"last\"", NULL },
		{ "<https://h/x>; rel=\"nextpage\"", NULL },
		{ "<https://h/x>; REL=\"NEXT\"", "https://h/x" },
		{ "", NULL },
		{ "garbage", NULL },
		{ "<https://h/unterminated; rel=\"next\"", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char name[200], *got = mlci_http_link_next(cases[i].link);

		snprintf(name, sizeof(name), "Link next of '%.120s'", cases[i].link);
		CHECK_STR(got, cases[i].want, name);
		free(got);
	}
	CHECK(!mlci_http_link_next(NULL), "Link next of NULL is NULL");
}

static void test_redact(void)
{
	static const struct { const char *url, *want; } cases[] = {
		{ "https://user:pass@example.com/path?a=1&token=abc&api_key=x#frag",
		  "https://example.com/path?a=1&token=REDACTED&api_key=REDACTED#frag" },
		{ "http://127.0.0.1:5000/api/2.0/mlflow/runs/get?run_id=42",
		  "http://127.0.0.1:5000/api/2.0/mlflow/runs/get?run_id=42" },
		{ "https://ghp_secret@github.com/", "https://github.com/" },
		{ "https://h/p?password=&x=hunter2", "https://h/p?password=REDACTED&x=hunter2" },
		{ "https://h/a@b", "https://h/a@b" },
		{ "https://u:p@h:8443?Sig=abc", "https://h:8443?Sig=REDACTED" },
		{ "https://s3/o?X-Amz-Signature=ff&X-Amz-Credential=id&X-Amz-Date=1",
		  "https://s3/o?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Date=1" },
		{ "https://h/p?flag&client_secret=s&access_token=t&Authorization=b",
		  "https://h/p?flag&client_secret=REDACTED&access_token=REDACTED&Authorization=REDACTED" },
		{ "https://a:b@c@h/x", "https://h/x" },
		{ "https://h/x#token=t", "https://h/x#token=t" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char name[200], *got = mlci_http_redact_url(cases[i].url);

		snprintf(name, sizeof(name), "redact '%s'", cases[i].url);
		CHECK_STR(got, cases[i].want, name);
		free(got);
	}
}

/* ---- A scripted HTTP server on 127.0.0.1, in a thread ---- */

#define MAX_REQ 16
#define HANG "<hang>"	/* read the request, never answer */
#define DROP "<drop>"	/* read the request, close without answering */

struct server {
	int fd, port;
	pthread_t thread;
	const char *const *script;	/* one raw response per request */
	size_t script_nr;
	size_t served;
	struct strbuf req[MAX_REQ];	/* raw requests, headers and body */
	volatile sig_atomic_t stop;
};

static int header_end(const struct strbuf *sb)
{
	const char *e = strstr(sb->buf, "\r\n\r\n");

	return e ? (int)(e - sb->buf) + 4 : -1;
}

/* Content-Length of a request's headers, or -1 when chunked or absent. */
static long content_length(const char *head)
{
	const char *p = strcasestr(head, "\r\nContent-Length:");

	return p ? strtol(p + 17, NULL, 10) : -1;
}

static int request_complete(const struct strbuf *sb)
{
	int end = header_end(sb);
	long len;

	if (end < 0)
		return 0;
	if (strcasestr(sb->buf, "\r\nTransfer-Encoding: chunked") &&
	    strcasestr(sb->buf, "\r\nTransfer-Encoding: chunked") < sb->buf + end)
		return strstr(sb->buf + end, "0\r\n\r\n") != NULL;
	len = content_length(sb->buf);
	return len < 0 || sb->len >= (size_t)end + (size_t)len;
}

static void serve_one(struct server *s, int c)
{
	struct strbuf *sb = &s->req[s->served < MAX_REQ ? s->served : MAX_REQ - 1];
	const char *resp = s->served < s->script_nr ? s->script[s->served] :
			   "HTTP/1.1 599 Script Ended\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	char buf[8192];

	strbuf_reset(sb);
	while (!request_complete(sb) && !s->stop) {
		struct pollfd pfd = { c, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = recv(c, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		strbuf_add(sb, buf, (size_t)n);
	}
	s->served++;
	if (!strcmp(resp, HANG)) {
		/* Hold the connection until the client gives up. */
		while (!s->stop) {
			struct pollfd pfd = { c, POLLIN, 0 };

			if (poll(&pfd, 1, 50) > 0 && recv(c, buf, sizeof(buf), 0) <= 0)
				break;
		}
	} else if (strcmp(resp, DROP)) {
		size_t off = 0, len = strlen(resp);

		while (off < len) {
			ssize_t n = send(c, resp + off, len - off, MSG_NOSIGNAL);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
	}
	close(c);
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	while (!s->stop) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };
		int c;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		c = accept(s->fd, NULL, NULL);
		if (c >= 0)
			serve_one(s, c);
	}
	return NULL;
}

/* A listening socket on 127.0.0.1, port chosen by the kernel. */
static int listen_loopback(int *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 16) || getsockname(fd, (struct sockaddr *)&a, &alen)) {
		perror("test-http: loopback socket");
		exit(99);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static void server_start(struct server *s, const char *const *script, size_t nr)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < MAX_REQ; i++)
		strbuf_init(&s->req[i], 0);
	s->script = script;
	s->script_nr = nr;
	s->fd = listen_loopback(&s->port);
	if (pthread_create(&s->thread, NULL, server_main, s)) {
		fprintf(stderr, "test-http: cannot start the server thread\n");
		exit(99);
	}
}

/* Stop the thread; the requests stay readable until server_free(). */
static void server_stop(struct server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
}

static void server_free(struct server *s)
{
	size_t i;

	for (i = 0; i < MAX_REQ; i++)
		strbuf_release(&s->req[i]);
}

/* The body of a recorded request (after the blank line). */
static const char *req_body(const struct server *s, size_t i)
{
	int end = header_end(&s->req[i]);

	return end < 0 ? "" : s->req[i].buf + end;
}

static int has_line(const struct server *s, size_t i, const char *line)
{
	struct strbuf want = STRBUF_INIT;
	int end = header_end(&s->req[i]), found;
	const char *hit;

	strbuf_addf(&want, "\r\n%s\r\n", line);
	hit = strstr(s->req[i].buf, want.buf);
	found = hit && end >= 0 && hit < s->req[i].buf + end;
	strbuf_release(&want);
	return found;
}

static char *url_of(const struct server *s, const char *path)
{
	return xstrfmt("http://127.0.0.1:%d%s", s->port, path);
}

/* Fast retries for tests: what they check never depends on the clock. */
static void fast_opts(struct mlci_http_opts *o)
{
	mlci_http_opts_init(o);
	o->backoff_factor = 0.001;
	o->backoff_jitter = 0;
	o->retry_after_max = 5;
	o->timeout_ms = 20000;
	o->deadline = mlci_monotonic() + 30;
}

/* stderr into a file while a call runs, so messages can be checked. */
static int saved_stderr = -1;

static void capture_begin(void)
{
	char *path = xstrfmt("%s/stderr", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
	free(path);
}

static void capture_end(struct strbuf *out)
{
	char *path = xstrfmt("%s/stderr", dir);
	FILE *fp;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	strbuf_reset(out);
	fp = fopen(path, "rb");
	if (fp) {
		strbuf_read_file_cap(out, fp, 1 << 20);
		fclose(fp);
	}
	free(path);
}

static const char resp_200_hello[] =
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
static const char resp_503_ra0[] =
	"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy";
static const char resp_503[] =
	"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy";

static void test_retry_then_ok(void)
{
	const char *const script[] = { resp_503_ra0, resp_200_hello };
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct server s;
	char *url;
	int ret;

	fast_opts(&o);
	/* Without Retry-After: 0 the 10 s backoff would pass the deadline. */
	o.backoff_factor = 10;
	o.backoff_max = 10;
	o.deadline = mlci_monotonic() + 5;
	server_start(&s, script, 2);
	url = url_of(&s, "/ready");
	mlci_http_response_init(&res);
	ret = mlci_http_get(&o, url, &res);
	server_stop(&s);
	CHECK_INT(ret, 0, "503 then 200: returns 0");
	CHECK_INT(res.status, 200, "503 then 200: status 200");
	CHECK_STR(res.body.buf, "hello", "503 then 200: the body of the 200");
	CHECK_STR(res.content_type, "text/plain", "503 then 200: Content-Type kept");
	CHECK(!res.retry_after, "503 then 200: the 503's Retry-After is not kept");
	CHECK_INT(res.attempts, 2, "503 then 200: two attempts");
	CHECK_INT(s.served, 2, "503 then 200: the server saw exactly two requests");
	CHECK(!strncmp(s.req[1].buf, "GET /ready HTTP/1.1\r\n", 21),
	      "503 then 200: the retry is the same GET");
	CHECK(has_line(&s, 0, "User-Agent: mlci/" MLCI_VERSION),
	      "User-Agent is mlci/<version>");
	mlci_http_response_release(&res);
	server_free(&s);
	free(url);
}

static void test_not_retried(void)
{
	static const struct { const char *resp; long status; const char *body; } cases[] = {
		{ "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found", 404, "not found" },
		{ "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbad", 400, "bad" },
		{ "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 401, "" },
		{ "HTTP/1.1 409 Conflict\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 409, "" },
		{ "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 501, "" },
		/* A Retry-After beyond retry_after_max is not waited for. */
		{ "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\nContent-Length: 4\r\nConnection: close\r\n\r\nslow", 429, "slow" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *const script[] = { cases[i].resp, resp_200_hello };
		struct mlci_http_opts o;
		struct mlci_http_response res;
		struct server s;
		char name[96], *url;
		int ret;

		fast_opts(&o);
		server_start(&s, script, 2);
		url = url_of(&s, "/x");
		mlci_http_response_init(&res);
		ret = mlci_http_get(&o, url, &res);
		server_stop(&s);
		snprintf(name, sizeof(name), "%ld: returned at once as a status", cases[i].status);
		CHECK_INT(ret, 0, name);
		snprintf(name, sizeof(name), "%ld: status", cases[i].status);
		CHECK_INT(res.status, cases[i].status, name);
		snprintf(name, sizeof(name), "%ld: body kept", cases[i].status);
		CHECK_STR(res.body.buf, cases[i].body, name);
		snprintf(name, sizeof(name), "%ld: one request, no retry", cases[i].status);
		CHECK_INT(s.served, 1, name);
		mlci_http_response_release(&res);
		server_free(&s);
		free(url);
	}
}

static void test_retries_exhausted(void)
{
	const char *const script[] = { resp_503, resp_503, resp_503, resp_200_hello };
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct server s;
	char *url;
	int ret;

	fast_opts(&o);
	o.max_retries = 2;
	server_start(&s, script, 4);
	url = url_of(&s, "/x");
	mlci_http_response_init(&res);
	ret = mlci_http_get(&o, url, &res);
	server_stop(&s);
	CHECK_INT(ret, 0, "503 x3, 2 retries: the last response is returned");
	CHECK_INT(res.status, 503, "503 x3, 2 retries: status 503");
	CHECK_INT(res.attempts, 3, "503 x3, 2 retries: three attempts");
	CHECK_INT(s.served, 3, "503 x3, 2 retries: three requests, not four");
	mlci_http_response_release(&res);
	server_free(&s);
	free(url);
}

static void test_dropped_then_ok(void)
{
	const char *const script[] = { DROP, resp_200_hello };
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct server s;
	char *url;
	int ret;

	fast_opts(&o);
	server_start(&s, script, 2);
	url = url_of(&s, "/x");
	mlci_http_response_init(&res);
	ret = mlci_http_get(&o, url, &res);
	server_stop(&s);
	CHECK_INT(ret, 0, "empty reply then 200: retried");
	CHECK_INT(res.status, 200, "empty reply then 200: status 200");
	CHECK_INT(s.served, 2, "empty reply then 200: two requests");
	mlci_http_response_release(&res);
	server_free(&s);
	free(url);
}

static void test_unsafe_retry(void)
{
	const char *const script[] = { DROP, DROP, resp_200_hello, DROP, resp_200_hello };
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct server s;
	char *url;
	int ret;

	fast_opts(&o);
	server_start(&s, script, 5);
	url = url_of(&s, "/runs/create");
	mlci_http_response_init(&res);
	req.url = url;
	req.body = "{}";
	req.body_len = 2;
	mlci_set_quiet(1);
	ret = mlci_http_request(&o, &req, &res);
	mlci_set_quiet(0);
	CHECK_INT(ret, -MLCI_EXIT_REMOTE, "POST lost after sending: not retried");
	CHECK_INT(res.attempts, 1, "POST lost after sending: one attempt");
	o.retry_unsafe = 1;
	ret = mlci_http_request(&o, &req, &res);
	CHECK_INT(ret, 0, "POST lost after sending, retry_unsafe: retried");
	CHECK_INT(res.attempts, 2, "POST lost after sending, retry_unsafe: two attempts");
	req.method = "PUT";
	o.retry_unsafe = 0;
	ret = mlci_http_request(&o, &req, &res);
	CHECK_INT(ret, 0, "PUT lost after sending: retried (idempotent)");
	CHECK_INT(res.attempts, 2, "PUT lost after sending: two attempts");
	server_stop(&s);
	CHECK_INT(s.served, 5, "lost requests: five requests in all");
	mlci_http_response_release(&res);
	server_free(&s);
	free(url);
}

static void test_refused(void)
{
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct strbuf err = STRBUF_INIT;
	char *url, *want;
	int port, fd, ret;

	/* A port that was just free: nothing listens there now. */
	fd = listen_loopback(&port);
	close(fd);
	fast_opts(&o);
	o.max_retries = 2;
	url = xstrfmt("http://alice:s3cr3t@127.0.0.1:%d/api?run=1&token=tok-XYZ", port);
	mlci_http_response_init(&res);
	capture_begin();
	ret = mlci_http_get(&o, url, &res);
	capture_end(&err);
	CHECK_INT(ret, -MLCI_EXIT_REMOTE, "connection refused: -MLCI_EXIT_REMOTE");
	CHECK_INT(res.attempts, 3, "connection refused: retried twice");
	want = xstrfmt("mlci: cannot GET 'http://127.0.0.1:%d/api?run=1&token=REDACTED': ", port);
	CHECK(!strncmp(err.buf, want, strlen(want)),
	      "connection refused: the message names the redacted URL");
	if (strncmp(err.buf, want, strlen(want)))
		printf("#   got  %s#   want %s...\n", err.buf, want);
	CHECK(strstr(err.buf, "(3 attempts)\n"), "connection refused: the message counts attempts");
	CHECK(!strstr(err.buf, "s3cr3t") && !strstr(err.buf, "tok-XYZ") &&
	      !strstr(err.buf, "alice"), "connection refused: no credential in the message");
	CHECK(strchr(err.buf, '\n') == err.buf + err.len - 1,
	      "connection refused: one message line");
	mlci_http_response_release(&res);
	strbuf_release(&err);
	free(want);
	free(url);
}

static void test_deadline(void)
{
	const char *const script[] = { HANG, HANG, HANG };
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct server s;
	double start, took;
	char *url;
	int ret;

	fast_opts(&o);
	o.max_retries = 5;
	o.timeout_ms = 60000;
	server_start(&s, script, 3);
	url = url_of(&s, "/slow");
	mlci_http_response_init(&res);
	start = mlci_monotonic();
	o.deadline = start + 1;
	mlci_set_quiet(1);
	ret = mlci_http_get(&o, url, &res);
	mlci_set_quiet(0);
	took = mlci_monotonic() - start;
	server_stop(&s);
	CHECK_INT(ret, -MLCI_EXIT_REMOTE, "server that never answers: -MLCI_EXIT_REMOTE");
	CHECK(took >= 0.9 && took < 5, "server that never answers: stops at the 1 s deadline");
	CHECK_INT(s.served, 1, "server that never answers: no retry after the deadline");
	mlci_http_response_release(&res);
	server_free(&s);
	free(url);

	/* A deadline already passed: no request at all. */
	fast_opts(&o);
	o.deadline = mlci_monotonic() - 1;
	mlci_http_response_init(&res);
	mlci_set_quiet(1);
	ret = mlci_http_get(&o, "http://127.0.0.1:9/", &res);
	mlci_set_quiet(0);
	CHECK_INT(ret, -MLCI_EXIT_REMOTE, "deadline passed: -MLCI_EXIT_REMOTE");
	CHECK_INT(res.attempts, 0, "deadline passed: no attempt");
	mlci_http_response_release(&res);
}

static void test_json(void)
{
	const char *const script[] = {
		"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
		"Link: <http://h/p2>; rel=\"next\"\r\nContent-Length: 32\r\n"
		"Connection: close\r\n\r\n{\"id\": \"516919575679466760\", \"n\"",
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		"Content-Length: 26\r\nConnection: close\r\n\r\n{\"id\":\"5\",\"ok\":true,\"n\":1}",
		"HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nnot json",
	};
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct server s;
	cJSON *send = cJSON_CreateObject(), *got = NULL;
	const char *const hdrs[] = { "X-Request: 1", NULL };
	char *url;
	double n = 0;
	int ret;

	fast_opts(&o);
	mlci_json_set_string(send, "name", "x");
	mlci_json_set_number(send, "v", 1.5);
	server_start(&s, script, 3);
	url = url_of(&s, "/api/2.0/x");
	mlci_http_response_init(&res);

	ret = mlci_http_json(&o, "POST", url, hdrs, send, &res, &got);
	CHECK_INT(ret, 0, "JSON: truncated JSON body still returns 0");
	CHECK_INT(res.status, 201, "JSON: status 201");
	CHECK(!got, "JSON: a body that does not parse gives NULL");
	CHECK_STR(res.link, "<http://h/p2>; rel=\"next\"", "JSON: Link header kept");
	cJSON_Delete(got);

	ret = mlci_http_json(&o, "PATCH", url, NULL, send, &res, &got);
	CHECK_INT(ret, 0, "JSON PATCH: 0");
	CHECK_STR(mlci_json_get_string(got, "id"), "5", "JSON: parsed response");
	CHECK(!mlci_json_get_number(got, "n", &n) && n == 1, "JSON: parsed number");
	cJSON_Delete(got);

	ret = mlci_http_json(&o, "GET", url, NULL, NULL, &res, &got);
	CHECK_INT(ret, 0, "JSON GET, text answer: 0");
	CHECK(!got, "JSON GET, text answer: NULL");
	CHECK_STR(res.body.buf, "not json", "JSON GET, text answer: the text stays in the body");
	server_stop(&s);

	CHECK(!strncmp(s.req[0].buf, "POST /api/2.0/x HTTP/1.1\r\n", 26), "JSON: POST sent");
	CHECK(has_line(&s, 0, "Content-Type: application/json"), "JSON: Content-Type sent");
	CHECK(has_line(&s, 0, "Accept: application/json"), "JSON: Accept sent");
	CHECK(has_line(&s, 0, "X-Request: 1"), "JSON: caller's header sent");
	CHECK_STR(req_body(&s, 0), "{\"name\":\"x\",\"v\":1.5}", "JSON: the body as sent");
	CHECK(!strncmp(s.req[1].buf, "PATCH /api/2.0/x HTTP/1.1\r\n", 27), "JSON: PATCH sent");
	CHECK_STR(req_body(&s, 1), "{\"name\":\"x\",\"v\":1.5}", "JSON: PATCH body as sent");
	CHECK(!strncmp(s.req[2].buf, "GET /api/2.0/x HTTP/1.1\r\n", 25), "JSON: GET sent");
	CHECK(!strcasestr(s.req[2].buf, "Content-Type:"), "JSON GET: no Content-Type");
	mlci_http_response_release(&res);
	server_free(&s);
	cJSON_Delete(send);
	free(url);
}

static void test_auth(void)
{
	const char *const script[] = { resp_200_hello, resp_200_hello, resp_200_hello };
	const char *const common[] = { "X-One: 1", NULL };
	const char *const mine[] = { "X-Two: 2", NULL };
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct server s;
	char *url;

	server_start(&s, script, 3);
	url = url_of(&s, "/auth");
	mlci_http_response_init(&res);

	fast_opts(&o);
	o.bearer_token = "tok123";
	o.headers = common;
	req.url = url;
	req.headers = mine;
	CHECK_INT(mlci_http_request(&o, &req, &res), 0, "bearer: 0");

	fast_opts(&o);
	o.basic_user = "alice";
	o.basic_password = "wonder";
	o.user_agent = "custom/1";
	CHECK_INT(mlci_http_get(&o, url, &res), 0, "basic: 0");

	fast_opts(&o);
	CHECK_INT(mlci_http_get(&o, url, &res), 0, "no auth: 0");
	server_stop(&s);

	CHECK(has_line(&s, 0, "Authorization: Bearer tok123"), "bearer: Authorization as sent");
	CHECK(has_line(&s, 0, "X-One: 1"), "options' headers sent");
	CHECK(has_line(&s, 0, "X-Two: 2"), "request's headers sent");
	CHECK(has_line(&s, 1, "Authorization: Basic YWxpY2U6d29uZGVy"), "basic: Authorization as sent");
	CHECK(has_line(&s, 1, "User-Agent: custom/1"), "user agent can be set");
	CHECK(!strcasestr(s.req[2].buf, "Authorization:"), "no credentials: no Authorization");
	mlci_http_response_release(&res);
	server_free(&s);
	free(url);
}

static void test_size_cap(void)
{
	const char *const script[] = { resp_200_hello, resp_200_hello };
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct server s;
	char *url;
	int ret;

	fast_opts(&o);
	o.max_response = 4;
	server_start(&s, script, 2);
	url = url_of(&s, "/big");
	mlci_http_response_init(&res);
	mlci_set_quiet(1);
	ret = mlci_http_get(&o, url, &res);
	mlci_set_quiet(0);
	CHECK_INT(ret, -MLCI_EXIT_REMOTE, "body over the cap: -MLCI_EXIT_REMOTE");
	CHECK_INT(res.attempts, 1, "body over the cap: not retried");
	o.max_response = 5;
	ret = mlci_http_get(&o, url, &res);
	CHECK_INT(ret, 0, "body exactly at the cap: 0");
	CHECK_STR(res.body.buf, "hello", "body exactly at the cap: whole");
	server_stop(&s);
	mlci_http_response_release(&res);
	server_free(&s);
	free(url);
}

static int collect(const void *data, size_t len, void *ctx)
{
	strbuf_add(ctx, data, len);
	return 0;
}

static void test_streams(void)
{
	const char *const script[] = {
		"HTTP/1.1 500 Oops\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops",
		resp_200_hello, resp_200_hello, resp_200_hello, resp_200_hello,
	};
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	struct mlci_http_form_part parts[2];
	struct mlci_http_opts o;
	struct mlci_http_response res;
	struct strbuf got = STRBUF_INIT;
	struct server s;
	char *url, *path = xstrfmt("%s/upload.txt", dir);
	FILE *down = tmpfile(), *up = fopen(path, "w+");
	int ret;

	fputs("file body\n", up);
	rewind(up);
	fputs("kept:", down);
	fast_opts(&o);
	server_start(&s, script, 5);
	url = url_of(&s, "/dl");
	mlci_http_response_init(&res);

	req.url = url;
	req.download_file = down;
	ret = mlci_http_request(&o, &req, &res);
	CHECK_INT(ret, 0, "download to FILE after a 500: 0");
	CHECK_INT(res.status, 200, "download to FILE: 200");
	CHECK_STR(res.body.buf, "", "download to FILE: nothing in the buffer");
	rewind(down);
	strbuf_read_file_cap(&got, down, 100);
	CHECK_STR(got.buf, "kept:hello", "download to FILE: only the 200's body, after what was there");

	memset(&req, 0, sizeof(req));
	strbuf_reset(&got);
	req.url = url;
	req.download_fn = collect;
	req.ctx = &got;
	ret = mlci_http_request(&o, &req, &res);
	CHECK_INT(ret, 0, "download to a callback: 0");
	CHECK_STR(got.buf, "hello", "download to a callback: the body");

	memset(&req, 0, sizeof(req));
	req.url = url;
	req.method = "PUT";
	req.upload_file = up;
	req.upload_size = 10;
	ret = mlci_http_request(&o, &req, &res);
	CHECK_INT(ret, 0, "upload from FILE: 0");

	memset(&req, 0, sizeof(req));
	memset(parts, 0, sizeof(parts));
	parts[0].name = ":action";
	parts[0].value = "file_upload";
	parts[1].name = "content";
	parts[1].path = path;
	parts[1].content_type = "application/octet-stream";
	req.url = url;
	req.form = parts;
	req.form_nr = 2;
	ret = mlci_http_request(&o, &req, &res);
	CHECK_INT(ret, 0, "multipart upload: 0");
	server_stop(&s);

	CHECK(!strncmp(s.req[3].buf, "PUT /dl HTTP/1.1\r\n", 18), "upload from FILE: PUT");
	CHECK_STR(req_body(&s, 3), "file body\n", "upload from FILE: the body as sent");
	CHECK(!strncmp(s.req[4].buf, "POST /dl HTTP/1.1\r\n", 19), "multipart: POST");
	CHECK(strcasestr(s.req[4].buf, "\r\nContent-Type: multipart/form-data; boundary="),
	      "multipart: Content-Type");
	CHECK(strstr(req_body(&s, 4), "Content-Disposition: form-data; name=\":action\"\r\n\r\nfile_upload\r\n"),
	      "multipart: the value part");
	CHECK(strstr(req_body(&s, 4), "Content-Disposition: form-data; name=\"content\"; filename=\"upload.txt\"\r\n"
		     "Content-Type: application/octet-stream\r\n\r\nfile body\n\r\n"),
	      "multipart: the file part, named by its base name");
	mlci_http_response_release(&res);
	strbuf_release(&got);
	server_free(&s);
	fclose(down);
	fclose(up);
	unlink(path);
	free(path);
	free(url);
}

static void test_bad_requests(void)
{
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	struct mlci_http_opts o;
	struct mlci_http_response res;

	fast_opts(&o);
	mlci_http_response_init(&res);
	mlci_set_quiet(1);
	CHECK_INT(mlci_http_request(&o, &req, &res), -MLCI_EXIT_BUG, "no URL: a bug");
	req.url = "http://127.0.0.1:9/";
	req.body = "x";
	req.body_len = 1;
	req.upload_file = stdin;
	CHECK_INT(mlci_http_request(&o, &req, &res), -MLCI_EXIT_BUG, "two bodies: a bug");
	CHECK_INT(mlci_http_get(&o, "ftp://127.0.0.1/x", &res), -MLCI_EXIT_REMOTE,
		  "ftp URL refused");
	CHECK_INT(res.attempts, 1, "ftp URL: not retried");
	mlci_set_quiet(0);
	mlci_http_response_release(&res);
}

/* ---- lib/github.c ---- */

static void test_comment_body(void)
{
	struct strbuf md = STRBUF_INIT;
	char *got;
	size_t i, chars;

	got = mlci_github_comment_body("<!-- mlci:ml-gate -->", "## Gate\npassed\n");
	CHECK_STR(got, "<!-- mlci:ml-gate -->\n## Gate\npassed\n", "comment body: marker, then markdown");
	free(got);
	got = mlci_github_comment_body("mlci:x", "");
	CHECK_STR(got, "<!-- mlci:x -->\n", "comment body: a bare marker is wrapped");
	free(got);

	/* Exactly at the limit: kept whole. */
	strbuf_reset(&md);
	for (i = strlen("<!-- m -->\n"); i < MLCI_GITHUB_BODY_MAX; i++)
		strbuf_addch(&md, 'a');
	got = mlci_github_comment_body("<!-- m -->", md.buf);
	CHECK_INT(strlen(got), MLCI_GITHUB_BODY_MAX, "comment body at the limit: whole");
	free(got);

	/* 1000 lines of 100 characters: cut after a whole line, with a note. */
	strbuf_reset(&md);
	for (i = 0; i < 1000; i++)
		strbuf_addf(&md, "| %04zu |%*s|\n", i, 90, "");
	got = mlci_github_comment_body("<!-- m -->", md.buf);
	CHECK(strlen(got) <= MLCI_GITHUB_BODY_MAX, "long comment: within 65536 characters");
	CHECK(strstr(got, "\n| 0652 |") && !strstr(got, "| 0653 |"),
	      "long comment: cut after the last whole line that fits");
	CHECK(strstr(got, "|\n\n---\n*Report cut here: 34700 more characters did not fit"),
	      "long comment: the note says what was left out");
	free(got);

	/* Four-byte characters count twice, and are never split. */
	strbuf_reset(&md);
	for (i = 0; i < 40000; i++)
		strbuf_addstr(&md, "\xf0\x9f\x98\x80");
	got = mlci_github_comment_body("<!-- m -->", md.buf);
	for (i = 0, chars = 0; got[i]; i++)
		if (((unsigned char)got[i] & 0xc0) != 0x80)
			chars += (unsigned char)got[i] >= 0xf0 ? 2 : 1;
	CHECK(chars <= MLCI_GITHUB_BODY_MAX, "emoji comment: within 65536 UTF-16 units");
	CHECK(chars > MLCI_GITHUB_BODY_MAX - 300, "emoji comment: not cut far too short");
	CHECK(strstr(got, "\xf0\x9f\x98\x80\n\n---\n*Report cut here:"),
	      "emoji comment: cut at a character boundary");
	free(got);
	strbuf_release(&md);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

static void test_event_pr_number(void)
{
	static const struct { const char *payload; int ret; long want; } cases[] = {
		{ "{\"action\":\"opened\",\"number\":7,\"pull_request\":{\"number\":7}}", 0, 7 },
		{ "{\"pull_request\":{\"number\":12345}}", 0, 12345 },
		{ "{\"action\":\"created\",\"issue\":{\"number\":9,\"pull_request\":{\"url\":\"u\"}},\"comment\":{}}", 0, 9 },
		{ "{\"action\":\"created\",\"issue\":{\"number\":9},\"comment\":{}}", 1, 0 },
		{ "{\"number\":3}", 0, 3 },
		{ "{\"ref\":\"refs/heads/main\",\"after\":\"abc\"}", 1, 0 },
		{ "{\"pull_request\":{\"number\":\"7\"}}", 1, 0 },
		{ "{\"pull_request\":{\"number\":7.5}}", 1, 0 },
		{ "{\"pull_request\":{\"number\":-2}}", 1, 0 },
		{ "[1,2]", -MLCI_EXIT_INPUT, 0 },
		{ "{\"pull_request\":", -MLCI_EXIT_INPUT, 0 },
	};
	char *path = xstrfmt("%s/event.json", dir);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char name[160];
		long n = -1;
		int ret;

		write_text(path, cases[i].payload);
		mlci_set_quiet(1);
		ret = mlci_github_event_pr_number(path, &n);
		mlci_set_quiet(0);
		snprintf(name, sizeof(name), "event %.100s: %d", cases[i].payload, cases[i].ret);
		CHECK_INT(ret, cases[i].ret, name);
		if (!cases[i].ret) {
			snprintf(name, sizeof(name), "event %.100s: #%ld", cases[i].payload, cases[i].want);
			CHECK_INT(n, cases[i].want, name);
		}
	}
	unlink(path);
	mlci_set_quiet(1);
	CHECK_INT(mlci_github_event_pr_number(path, &(long){ 0 }), -MLCI_EXIT_INPUT,
		  "event file missing: -MLCI_EXIT_INPUT");
	mlci_set_quiet(0);
	free(path);
}

/* The fake GitHub API (tests/servers/github_api.py) in a child process. */
struct fake {
	pid_t pid;
	int port;
	char *log;
};

static char *server_script(void)
{
	char exe[PATH_MAX], *p;
	ssize_t n;
	int up;

	if (!access("tests/servers/github_api.py", R_OK))
		return xstrdup("tests/servers/github_api.py");
	/* Run from elsewhere: <top>/build/<tree>/tests/unit/test-http. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return xstrdup("tests/servers/github_api.py");
	exe[n] = '\0';
	for (up = 0; up < 5 && (p = strrchr(exe, '/')); up++)
		*p = '\0';
	return xstrfmt("%s/tests/servers/github_api.py", exe);
}

static int fake_start(struct fake *f, const char *const *extra)
{
	char *script = server_script();
	char *port_file = xstrfmt("%s/port", dir);
	const char *argv[24];
	size_t n = 0;
	double until = mlci_monotonic() + 20;
	posix_spawn_file_actions_t fa;
	int ret = -1, rc;

	f->log = xstrfmt("%s/requests.jsonl", dir);
	unlink(f->log);
	unlink(port_file);
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "--port-file";
	argv[n++] = port_file;
	argv[n++] = "--log";
	argv[n++] = f->log;
	for (; extra && *extra && n < 22; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	/* Its first line (the port) must not land in the TAP stream. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&f->pid, "/usr/bin/python3", &fa, NULL,
			 (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		f->pid = 0;
		goto out;
	}
	while (mlci_monotonic() < until) {
		FILE *fp = fopen(port_file, "r");

		if (fp) {
			ret = fscanf(fp, "%d", &f->port) == 1 ? 0 : -1;
			fclose(fp);
			break;
		}
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
out:
	free(script);
	free(port_file);
	return ret;
}

static void fake_stop(struct fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
	}
	free(f->log);
	f->log = NULL;
	f->pid = 0;
}

/* The comments the fake holds on acme/bank#7 (an array, borrowed from *doc). */
static cJSON *fake_comments(const struct fake *f, cJSON **doc)
{
	struct mlci_http_opts o;
	struct mlci_http_response res;
	char *url = xstrfmt("http://127.0.0.1:%d/_state", f->port);
	cJSON *issues;

	fast_opts(&o);
	mlci_http_response_init(&res);
	*doc = NULL;
	mlci_http_json(&o, "GET", url, NULL, NULL, &res, doc);
	mlci_http_response_release(&res);
	free(url);
	issues = mlci_json_get_object(*doc, "acme/bank");
	return issues ? cJSON_GetObjectItemCaseSensitive(issues, "7") : NULL;
}

/* "METHOD path status" for each logged request, joined by ", ". */
static void fake_log(const struct fake *f, struct strbuf *out)
{
	struct strbuf text = STRBUF_INIT;
	FILE *fp = fopen(f->log, "r");
	char *line, *eol;

	strbuf_reset(out);
	if (!fp)
		return;
	strbuf_read_file_cap(&text, fp, 16 << 20);
	fclose(fp);
	for (line = text.buf; *line; line = eol + (*eol == '\n')) {
		cJSON *e;

		eol = line + strcspn(line, "\n");
		e = cJSON_ParseWithLength(line, (size_t)(eol - line));
		double status = 0;
		const cJSON *q = mlci_json_get_object(e, "query");
		const char *page = mlci_json_get_string(q, "page");

		mlci_json_get_number(e, "status", &status);
		strbuf_addf(out, "%s%s %s%s%s %.0f", out->len ? ", " : "",
			    mlci_json_get_string(e, "method"),
			    mlci_json_get_string(e, "path"),
			    page ? "?page=" : "", page ? page : "", status);
		cJSON_Delete(e);
	}
	strbuf_release(&text);
}

/* The fields of the first logged request: auth, accept, api_version, user_agent. */
static void fake_first_request(const struct fake *f, struct strbuf *out)
{
	struct strbuf text = STRBUF_INIT;
	FILE *fp = fopen(f->log, "r");
	cJSON *e;

	strbuf_reset(out);
	if (!fp)
		return;
	strbuf_read_file_cap(&text, fp, 16 << 20);
	fclose(fp);
	e = cJSON_ParseWithLength(text.buf, strcspn(text.buf, "\n"));
	strbuf_addf(out, "auth=%s accept=%s version=%s agent=%s",
		    mlci_json_get_string(e, "auth"),
		    mlci_json_get_string(e, "accept"),
		    mlci_json_get_string(e, "api_version"),
		    mlci_json_get_string(e, "user_agent"));
	cJSON_Delete(e);
	strbuf_release(&text);
}

#define TOKEN "ghs_test_token"
#define MARKER "<!-- mlci:ml-gate -->"

static void github_env(const struct fake *f, const char *event_json)
{
	char *event = xstrfmt("%s/event.json", dir);
	char *api = xstrfmt("http://127.0.0.1:%d/", f->port);

	write_text(event, event_json);
	setenv("GITHUB_TOKEN", TOKEN, 1);
	setenv("GITHUB_REPOSITORY", "acme/bank", 1);
	setenv("GITHUB_API_URL", api, 1);
	setenv("GITHUB_EVENT_PATH", event, 1);
	free(event);
	free(api);
}

static const char pr_event[] = "{\"action\":\"synchronize\",\"number\":7,\"pull_request\":{\"number\":7}}";

static void test_github_create_update(void)
{
	struct fake f;
	struct strbuf log = STRBUF_INIT;
	cJSON *doc, *list;
	double id1 = 0, id2 = 0;
	int ret;

	if (fake_start(&f, NULL)) {
		CHECK(0, "fake GitHub API started");
		fake_stop(&f);
		return;
	}
	github_env(&f, pr_event);
	ret = mlci_github_comment(MARKER, "## Gate\nfirst\n");
	CHECK_INT(ret, 0, "github: first call creates the comment");
	list = fake_comments(&f, &doc);
	CHECK_INT(cJSON_GetArraySize(list), 1, "github: one comment after the first call");
	CHECK_STR(mlci_json_get_string(cJSON_GetArrayItem(list, 0), "body"),
		  MARKER "\n## Gate\nfirst\n", "github: the body carries the marker");
	mlci_json_get_number(cJSON_GetArrayItem(list, 0), "id", &id1);
	cJSON_Delete(doc);
	fake_log(&f, &log);
	CHECK_STR(log.buf, "GET /repos/acme/bank/issues/7/comments 200, "
		  "POST /repos/acme/bank/issues/7/comments 201",
		  "github: first call lists, then posts");
	fake_first_request(&f, &log);
	CHECK_STR(log.buf, "auth=ok accept=application/vnd.github+json "
		  "version=2022-11-28 agent=mlci/" MLCI_VERSION,
		  "github: the headers GitHub documents");

	unlink(f.log);
	ret = mlci_github_comment(MARKER, "## Gate\nsecond\n");
	CHECK_INT(ret, 0, "github: second call updates the comment");
	list = fake_comments(&f, &doc);
	CHECK_INT(cJSON_GetArraySize(list), 1, "github: still exactly one comment");
	CHECK_STR(mlci_json_get_string(cJSON_GetArrayItem(list, 0), "body"),
		  MARKER "\n## Gate\nsecond\n", "github: the comment holds the new body");
	mlci_json_get_number(cJSON_GetArrayItem(list, 0), "id", &id2);
	CHECK(id1 == id2 && id1 > 0, "github: the same comment was updated");
	cJSON_Delete(doc);
	fake_log(&f, &log);
	CHECK_STR(log.buf, "GET /repos/acme/bank/issues/7/comments 200, "
		  "PATCH /repos/acme/bank/issues/comments/1000000001 200",
		  "github: second call lists, then patches");

	/* Another tool's marker is another comment. */
	ret = mlci_github_comment("<!-- mlci:ml-validate -->", "valid\n");
	CHECK_INT(ret, 0, "github: another marker");
	list = fake_comments(&f, &doc);
	CHECK_INT(cJSON_GetArraySize(list), 2, "github: another marker makes a second comment");
	cJSON_Delete(doc);

	/* A long report is cut, and GitHub (which refuses > 65536) takes it. */
	{
		struct strbuf md = STRBUF_INIT;
		size_t i;

		for (i = 0; i < 2000; i++)
			strbuf_addf(&md, "| rule %zu | ok |\n", i);
		for (i = 0; i < 2000; i++)
			strbuf_addf(&md, "| rule %zu | ok | with some more words to pass the limit |\n", i);
		ret = mlci_github_comment(MARKER, md.buf);
		CHECK_INT(ret, 0, "github: a report over 65536 characters is posted, cut");
		list = fake_comments(&f, &doc);
		CHECK(strstr(mlci_json_get_string(cJSON_GetArrayItem(list, 0), "body"),
			     "*Report cut here: "), "github: the cut report says so");
		cJSON_Delete(doc);
		strbuf_release(&md);
	}
	fake_stop(&f);
	strbuf_release(&log);
}

static void test_github_page_two(void)
{
	struct strbuf state = STRBUF_INIT, log = STRBUF_INIT;
	char *state_path = xstrfmt("%s/state.json", dir);
	const char *extra[] = { "--state", state_path, NULL };
	struct fake f;
	cJSON *doc, *list;
	int i, ret;

	strbuf_addstr(&state, "{\"acme/bank\": {\"7\": [");
	for (i = 1; i <= 150; i++)
		strbuf_addf(&state, "%s{\"body\": \"%s\", \"user\": \"someone\"}",
			    i > 1 ? ", " : "",
			    i == 131 ? "old report\\n" MARKER : "a review comment");
	strbuf_addstr(&state, "]}}");
	write_text(state_path, state.buf);
	if (fake_start(&f, extra)) {
		CHECK(0, "fake GitHub API started with 150 comments");
		fake_stop(&f);
		goto out;
	}
	github_env(&f, pr_event);
	ret = mlci_github_comment(MARKER, "new report\n");
	CHECK_INT(ret, 0, "github: a marked comment on page 2 is updated");
	fake_log(&f, &log);
	CHECK_STR(log.buf, "GET /repos/acme/bank/issues/7/comments 200, "
		  "GET /repositories/1296269/issues/7/comments?page=2 200, "
		  "PATCH /repos/acme/bank/issues/comments/1000000131 200",
		  "github: follows Link rel=next, then patches the comment found");
	list = fake_comments(&f, &doc);
	CHECK_INT(cJSON_GetArraySize(list), 150, "github: no comment added");
	CHECK_STR(mlci_json_get_string(cJSON_GetArrayItem(list, 130), "body"),
		  MARKER "\nnew report\n", "github: comment 131 holds the new report");
	cJSON_Delete(doc);
	fake_stop(&f);
out:
	strbuf_release(&state);
	strbuf_release(&log);
	free(state_path);
}

static void test_github_degraded(void)
{
	const char *ro[] = { "--read-only", NULL };
	const char *fail[] = { "--fail", "503:100", NULL };
	struct strbuf log = STRBUF_INIT, err = STRBUF_INIT;
	struct mlci_http_opts o;
	struct fake f;
	cJSON *doc, *list;
	int ret, port;

	/* A fork's pull request: the token may read, not write. */
	if (fake_start(&f, ro)) {
		CHECK(0, "fake GitHub API started read-only");
		fake_stop(&f);
		return;
	}
	github_env(&f, pr_event);
	capture_begin();
	ret = mlci_github_comment(MARKER, "report\n");
	capture_end(&err);
	CHECK_INT(ret, 1, "github read-only token: skipped, not failed");
	list = fake_comments(&f, &doc);
	CHECK_INT(cJSON_GetArraySize(list), 0, "github read-only token: no comment");
	cJSON_Delete(doc);
	fake_log(&f, &log);
	CHECK_STR(log.buf, "GET /repos/acme/bank/issues/7/comments 200, "
		  "POST /repos/acme/bank/issues/7/comments 403",
		  "github read-only token: one POST refused, not retried");
	CHECK_STR(err.buf, "mlci: warning: the token may not comment on pull request #7 "
		  "of 'acme/bank' (403 Resource not accessible by integration; "
		  "a fork's pull request has a read-only token): no comment posted\n",
		  "github read-only token: the warning");

	/* A bad token: a warning, the token never printed. */
	unlink(f.log);
	setenv("GITHUB_TOKEN", "ghp_wrong_token_value", 1);
	capture_begin();
	ret = mlci_github_comment(MARKER, "report\n");
	capture_end(&err);
	CHECK_INT(ret, 1, "github bad token: skipped");
	CHECK_STR(err.buf, "mlci: warning: GitHub rejected the token (401 Bad credentials): "
		  "no comment posted\n", "github bad token: the warning");
	CHECK(!strstr(err.buf, "ghp_wrong"), "github bad token: the token is not printed");
	fake_log(&f, &log);
	CHECK_STR(log.buf, "GET /repos/acme/bank/issues/7/comments 401",
		  "github bad token: one request");
	fake_stop(&f);

	/* No pull request, no token, no repository: skipped before any request. */
	if (fake_start(&f, NULL)) {
		CHECK(0, "fake GitHub API started");
		fake_stop(&f);
		return;
	}
	github_env(&f, "{\"ref\":\"refs/heads/main\",\"after\":\"abc\"}");
	capture_begin();
	ret = mlci_github_comment(MARKER, "report\n");
	capture_end(&err);
	CHECK_INT(ret, 1, "github push event: skipped");
	CHECK_STR(err.buf, "mlci: warning: not a pull request: no comment posted\n",
		  "github push event: the warning");
	github_env(&f, "{\"issue\":{\"number\":9},\"comment\":{}}");
	mlci_set_quiet(1);
	CHECK_INT(mlci_github_comment(MARKER, "x"), 1, "github comment on a plain issue: skipped");
	unsetenv("GITHUB_EVENT_PATH");
	CHECK_INT(mlci_github_comment(MARKER, "x"), 1, "github no event: skipped");
	github_env(&f, pr_event);
	unsetenv("GITHUB_TOKEN");
	CHECK_INT(mlci_github_comment(MARKER, "x"), 1, "github no token: skipped");
	github_env(&f, pr_event);
	setenv("GITHUB_REPOSITORY", "acme", 1);
	CHECK_INT(mlci_github_comment(MARKER, "x"), 1, "github malformed repository: skipped");
	mlci_set_quiet(0);
	fake_log(&f, &log);
	CHECK_STR(log.buf, "", "github skipped cases: no request at all");

	/* issue_comment on a pull request. */
	github_env(&f, "{\"issue\":{\"number\":7,\"pull_request\":{}},\"comment\":{}}");
	CHECK_INT(mlci_github_comment(MARKER, "from a comment\n"), 0,
		  "github issue_comment on a pull request: posted");
	fake_stop(&f);

	/* The API failing after the retries: -MLCI_EXIT_REMOTE. */
	if (fake_start(&f, fail)) {
		CHECK(0, "fake GitHub API started failing");
		fake_stop(&f);
		return;
	}
	github_env(&f, pr_event);
	fast_opts(&o);
	o.max_retries = 2;
	capture_begin();
	ret = mlci_github_comment_opts(&o, MARKER, "report\n");
	capture_end(&err);
	CHECK_INT(ret, -MLCI_EXIT_REMOTE, "github 503 after retries: -MLCI_EXIT_REMOTE");
	CHECK_STR(err.buf, "mlci: cannot read the comments of pull request #7 of "
		  "'acme/bank': GitHub API answered 503 after 3 attempts: Server Error\n",
		  "github 503 after retries: the error");
	fake_log(&f, &log);
	CHECK_STR(log.buf, "GET /repos/acme/bank/issues/7/comments 503, "
		  "GET /repos/acme/bank/issues/7/comments 503, "
		  "GET /repos/acme/bank/issues/7/comments 503",
		  "github 503 after retries: three attempts");
	fake_stop(&f);

	/* The API unreachable. */
	close(listen_loopback(&port));
	f.port = port;
	github_env(&f, pr_event);
	mlci_set_quiet(1);
	ret = mlci_github_comment_opts(&o, MARKER, "report\n");
	mlci_set_quiet(0);
	CHECK_INT(ret, -MLCI_EXIT_REMOTE, "github unreachable: -MLCI_EXIT_REMOTE");
	strbuf_release(&log);
	strbuf_release(&err);
}

int main(void)
{
	static const char *const proxies[] = { "http_proxy", "https_proxy",
		"HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL };
	const char *const *p;

	/* The loopback servers must be reached directly. */
	for (p = proxies; *p; p++)
		unsetenv(*p);
	unsetenv("GITHUB_ACTIONS");
	unsetenv("MLCI_NOW");
	setenv("MLCI_SEED", "7", 1);
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir)) {
		perror("test-http: mkdtemp");
		return 99;
	}

	test_status_retryable();
	test_curl_retryable();
	test_backoff();
	test_retry_after();
	test_link_next();
	test_redact();
	test_retry_then_ok();
	test_not_retried();
	test_retries_exhausted();
	test_dropped_then_ok();
	test_unsafe_retry();
	test_refused();
	test_deadline();
	test_json();
	test_auth();
	test_size_cap();
	test_streams();
	test_bad_requests();
	test_comment_body();
	test_event_pr_number();
	test_github_create_update();
	test_github_page_two();
	test_github_degraded();

	{
		char *cmd = xstrfmt("rm -rf '%s'", dir);

		if (system(cmd))
			fprintf(stderr, "test-http: cannot remove %s\n", dir);
		free(cmd);
	}
	return unit_done();
}
