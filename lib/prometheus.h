/* SPDX-License-Identifier: MIT */
/* A Prometheus HTTP API client: range queries over lib/http, and the parser of their answers. */
#ifndef MLCI_PROMETHEUS_H
#define MLCI_PROMETHEUS_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* The environment variables that carry the credentials (never printed). */
#define MLCI_PROMETHEUS_TOKEN_ENV "MLCI_PROMETHEUS_TOKEN"
#define MLCI_PROMETHEUS_USER_ENV "MLCI_PROMETHEUS_USER"
#define MLCI_PROMETHEUS_PASSWORD_ENV "MLCI_PROMETHEUS_PASSWORD"

/* The values of one range query, every series of the answer in order. */
struct mlci_prometheus_samples {
	double *values;		/* the finite values */
	size_t nr, alloc;
	size_t nonfinite;	/* "NaN", "+Inf", "-Inf" values seen */
	size_t series;		/* series in the answer */
};

void mlci_prometheus_samples_release(struct mlci_prometheus_samples *s);

/*
 * Parse the body of a /api/v1/query_range answer (status success,
 * resultType "matrix", each series' values [[<time>, "<value>"], ...]; a
 * "vector" or "scalar" answer is taken too) into out (the caller's, zeroed
 * or released). Non-finite values ("NaN", "+Inf", "-Inf") are counted in
 * out->nonfinite and left out (a caller's policy decides what they mean).
 * An error envelope {"status": "error", "errorType": ...,
 * "error": ...} or a malformed body gives -1 and a message in err.
 */
int mlci_prometheus_parse(const char *body, size_t len,
			  struct mlci_prometheus_samples *out,
			  char *err, size_t errlen);

/* Where and how to ask. */
struct mlci_prometheus {
	const char *url;	/* http://host:9090 (a path prefix is kept) */
	struct mlci_http_opts http;
};

/*
 * Set up p for url: the defaults of lib/http, and the credentials from the
 * environment: MLCI_PROMETHEUS_TOKEN as a bearer token, or
 * MLCI_PROMETHEUS_USER and MLCI_PROMETHEUS_PASSWORD for basic auth.
 */
void mlci_prometheus_init(struct mlci_prometheus *p, const char *url);

/*
 * Run query over [start_ms, end_ms] with step_s seconds through
 * /api/v1/query_range (a form-encoded POST, which Prometheus answers as the
 * GET), retried by lib/http. Returns 0 with out filled, -MLCI_EXIT_REMOTE
 * when Prometheus cannot be reached or keeps answering 5xx after the
 * retries, -MLCI_EXIT_INPUT for an error envelope (a bad query), with a
 * message naming the query.
 */
int mlci_prometheus_query_range(const struct mlci_prometheus *p,
				const char *query, int64_t start_ms,
				int64_t end_ms, double step_s,
				struct mlci_prometheus_samples *out);

#endif
