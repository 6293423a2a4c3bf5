/* SPDX-License-Identifier: MIT */
/* The tracking backend on an MLflow tracking server's REST API (MLflow 2.x and 3.x servers). */
#ifndef MLCI_MLFLOW_REST_H
#define MLCI_MLFLOW_REST_H

#include <stddef.h>

struct mlci_http_opts;
struct mlci_tracking;

/* MLflow's own defaults for its client's variables. */
#define MLCI_MLFLOW_MAX_RETRIES 7
#define MLCI_MLFLOW_BACKOFF_FACTOR 2.0
#define MLCI_MLFLOW_BACKOFF_JITTER 1.0
#define MLCI_MLFLOW_TIMEOUT 120.0
#define MLCI_MLFLOW_BACKOFF_MAX 120.0

/* The largest request body sent to a server: MLflow's 1 MB. */
#define MLCI_MLFLOW_MAX_REQUEST 1048576u

/*
 * Fill o (initialised with mlci_http_opts_init()) from the environment as
 * MLflow's Python client reads it: MLFLOW_HTTP_REQUEST_MAX_RETRIES,
 * _BACKOFF_FACTOR, _BACKOFF_JITTER and _TIMEOUT (seconds);
 * MLFLOW_TRACKING_USERNAME with _PASSWORD (HTTP basic, which wins, as in
 * MLflow) or MLFLOW_TRACKING_TOKEN (bearer); MLFLOW_TRACKING_INSECURE_TLS
 * ("true"), MLFLOW_TRACKING_SERVER_CERT_PATH (a CA bundle) and
 * MLFLOW_TRACKING_CLIENT_CERT_PATH (a PEM with the certificate and its
 * key). The strings stay the environment's. The deadline set with
 * mlci_tracking_set_deadline() is copied. Returns 0, or -MLCI_EXIT_INPUT
 * naming the variable whose value is malformed.
 */
int mlci_mlflow_rest_http_opts(struct mlci_http_opts *o);

/*
 * Make t talk to the server at base_uri (http:// or https://, with any
 * path prefix a proxy adds): sets t->ops and t->priv. Nothing is sent
 * until the first operation. Every call is retried as the options say
 * (on no answer, 408, 429 and 5xx, with Retry-After) when sending it
 * twice does no harm; runs and model versions, which would be created
 * twice, are created without retries and looked up by a tag or their
 * run and source after a failure, before trying again. Errors: the
 * server's error_code and message; 401 and 403 are -MLCI_EXIT_INPUT
 * (credentials are configuration), no answer and 5xx -MLCI_EXIT_REMOTE.
 * Returns 0 or -MLCI_EXIT_INPUT.
 */
int mlci_mlflow_rest_open(struct mlci_tracking *t, const char *base_uri);

/*
 * The run of a runs/get answer, and the model version of a
 * model-versions/get answer, from its JSON text (for tests and fuzzing):
 * 0 with *out filled (released first), or -1 when the text is not JSON or
 * holds no run or version with an id. out must be initialised.
 */
struct mlci_tracking_run;
struct mlci_tracking_version;
int mlci_mlflow_rest_parse_run(const char *text, size_t len,
			       struct mlci_tracking_run *out);
int mlci_mlflow_rest_parse_version(const char *text, size_t len,
				   struct mlci_tracking_version *out);

#endif
