/* SPDX-License-Identifier: MIT */
/* HTTP(S) requests with bounded time-outs, retries with backoff, and no credential in any message. */
#ifndef MLCI_HTTP_H
#define MLCI_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "strbuf.h"

/*
 * How requests are made. Initialise with mlci_http_opts_init() and change
 * what you need; every pointer is borrowed and must outlive the requests.
 */
struct mlci_http_opts {
	long connect_timeout_ms;	/* TCP + TLS connect, per attempt (10 s) */
	long timeout_ms;		/* one whole attempt, 0: none (60 s) */
	/*
	 * Absolute deadline on mlci_monotonic(), 0: none. No attempt runs and
	 * no backoff sleep ends past it; each attempt's time-out is cut to it.
	 */
	double deadline;
	int max_retries;		/* retries after the first attempt (4) */
	/*
	 * A POST or PATCH whose connection failed after the request was sent
	 * may have been acted on: it is retried only when this is 1 (0).
	 * Connection failures before sending, and retryable statuses, are
	 * retried whatever the method.
	 */
	int retry_unsafe;
	double backoff_factor;		/* seconds; sleep = factor * 2^n (0.5) */
	double backoff_jitter;		/* plus uniform [0, jitter] seconds (0.5) */
	double backoff_max;		/* cap on one computed sleep (30 s) */
	/*
	 * A Retry-After longer than this (or past the deadline) is not
	 * waited for: the response is returned as it is (120 s).
	 */
	double retry_after_max;
	size_t max_response;		/* cap on a body kept in memory (64 MiB) */
	const char *bearer_token;	/* "Authorization: Bearer ...", or NULL */
	const char *basic_user;		/* HTTP basic auth when not NULL */
	const char *basic_password;
	const char *ca_file;		/* PEM bundle instead of the system's */
	const char *client_cert;	/* PEM client certificate, and its key */
	const char *client_key;
	int insecure;			/* 1: do not verify the peer (explicit) */
	int follow_redirects;		/* 1: follow up to 10 redirects (0) */
	const char *user_agent;		/* NULL: "mlci/<MLCI_VERSION>" */
	/* Extra request headers "Name: value", NULL-terminated, or NULL. */
	const char *const *headers;
};

/* Fill o with the defaults given in the comments above. */
void mlci_http_opts_init(struct mlci_http_opts *o);

/* One part of a multipart/form-data body (twine's upload API). */
struct mlci_http_form_part {
	const char *name;
	const char *value;	/* the part's bytes, when path is NULL */
	size_t value_len;	/* 0: strlen(value) */
	const char *path;	/* a file to send instead of value */
	const char *filename;	/* NULL: the base name of path, if any */
	const char *content_type;	/* NULL: none (text) */
};

/*
 * Read at most size bytes of an upload into buf. Return the number of
 * bytes, 0 at the end, or (size_t)-1 to abort the request.
 */
typedef size_t (*mlci_http_read_fn)(void *buf, size_t size, void *ctx);

/*
 * Take len bytes of a downloaded body. Return 0, or non-zero to abort the
 * request (it then fails with -MLCI_EXIT_SYSTEM, not retried).
 */
typedef int (*mlci_http_write_fn)(const void *data, size_t len, void *ctx);

/*
 * One request. Zero it (or use MLCI_HTTP_REQUEST_INIT), then set url and
 * what you need. At most one body source among body, upload_file,
 * upload_fn and form; at most one sink among download_file, download_fn.
 */
struct mlci_http_request {
	const char *method;	/* NULL: GET, or POST when there is a body */
	const char *url;
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const void *body;	/* a body in memory ... */
	size_t body_len;
	FILE *upload_file;	/* ... or read from here (rewound to retry) ... */
	mlci_http_read_fn upload_fn;	/* ... or from this callback ... */
	long long upload_size;	/* its size, -1: unknown (chunked) */
	/* Called before a retry; 0 to go on, else the request is not retried. */
	int (*upload_rewind)(void *ctx);
	const struct mlci_http_form_part *form;	/* ... or multipart parts */
	size_t form_nr;
	/*
	 * A 2xx body goes to download_file (truncated back to its starting
	 * offset before a retry) or download_fn (never retried once it has
	 * been given bytes) instead of the response buffer; any other
	 * status's body stays in the response buffer, capped.
	 */
	FILE *download_file;
	mlci_http_write_fn download_fn;
	void *ctx;		/* passed to the callbacks */
};
#define MLCI_HTTP_REQUEST_INIT { 0 }

/* What came back. mlci_http_response_init() before use. */
struct mlci_http_response {
	long status;		/* the HTTP status of the last attempt, 0: none */
	struct strbuf body;	/* the body, unless it went to a sink */
	unsigned long long body_size;	/* bytes of body received in all */
	char *content_type;	/* response headers, NULL when absent */
	char *retry_after;
	char *link;		/* all Link headers, joined by ", " */
	char *location;
	int attempts;		/* attempts made (1 + retries) */
};

void mlci_http_response_init(struct mlci_http_response *res);
/* Free the contents; res is initialised again and can be reused. */
void mlci_http_response_release(struct mlci_http_response *res);

/*
 * Make the request, retrying on connection errors, time-outs and the
 * statuses of mlci_http_status_retryable(), with mlci_http_backoff()
 * sleeps, or Retry-After when the server sends one, within the deadline.
 *
 * Returns 0 when a response arrived, whatever its status: the caller
 * decides what 4xx or 5xx mean. A non-retryable status (400, 401, 403,
 * 404, 409, 422...) returns at once; after the retries of a retryable
 * status are used up (or the next wait would pass the deadline or
 * retry_after_max), the last response is returned, still with 0.
 *
 * Failures, with one message naming the method and the URL without
 * credentials (mlci_http_redact_url()) and curl's reason:
 * -MLCI_EXIT_REMOTE when no response came after the retries, the
 * deadline passed, or the body passed max_response (not retried);
 * -MLCI_EXIT_SYSTEM when a sink or upload source failed; -MLCI_EXIT_BUG
 * for a malformed request (two bodies, no URL).
 *
 * res is reset first; on failure it may hold the last attempt's partial
 * response.
 */
int mlci_http_request(const struct mlci_http_opts *opts,
		      const struct mlci_http_request *req,
		      struct mlci_http_response *res);

/*
 * A JSON request: send (when not NULL) as the body with Content-Type
 * application/json, "Accept: application/json" unless headers set one.
 * On 0, res holds the status and headers, and *out (the caller's) the
 * parsed body, or NULL when the body is empty or not JSON (the text
 * stays in res->body). Errors as mlci_http_request().
 */
int mlci_http_json(const struct mlci_http_opts *opts, const char *method,
		   const char *url, const char *const *headers,
		   const cJSON *send, struct mlci_http_response *res,
		   cJSON **out);

/* GET url into res->body; as mlci_http_request(). */
int mlci_http_get(const struct mlci_http_opts *opts, const char *url,
		  struct mlci_http_response *res);

/* The pure parts, exposed for tests. */

/* 1 for the statuses worth retrying: 408, 429, 500, 502, 503, 504. */
int mlci_http_status_retryable(long status);

/*
 * 1 when a libcurl error code (CURLcode, as an int) is transient: no
 * connection, a time-out, a reset or an empty reply, DNS; 0 for
 * certificate problems, bad URLs, write errors and every other code.
 */
int mlci_http_curl_retryable(int curl_code);

/*
 * The sleep before retry number n (0 for the first retry):
 * min(factor * 2^n, backoff_max) + u * jitter, with u in [0, 1).
 */
double mlci_http_backoff(const struct mlci_http_opts *opts, int n, double u);

/*
 * Parse a Retry-After value: delta-seconds, or an HTTP-date (IMF-fixdate,
 * RFC 850, asctime) taken relative to now_ms (ms since the epoch), a past
 * date giving 0. Returns 0 with *seconds, or -1 for anything else.
 */
int mlci_http_parse_retry_after(const char *value, int64_t now_ms,
				double *seconds);

/*
 * The URL of the rel="next" link in a Link header value, the caller's to
 * free, or NULL when there is none.
 */
char *mlci_http_link_next(const char *link);

/*
 * A copy of url fit for messages (the caller's): user name and password
 * removed, and the value of every query parameter whose name contains
 * token, password, passwd, secret, key, signature, sig, auth or
 * credential (any case) replaced by "REDACTED".
 */
char *mlci_http_redact_url(const char *url);

#endif
