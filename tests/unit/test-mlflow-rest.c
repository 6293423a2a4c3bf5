/* SPDX-License-Identifier: MIT */
/* Unit tests of the REST tracking backend against the loopback MLflow server: the shared scenario, eight racing writers, lost answers, 503s, deadlines, batch limits, registration that waits, credentials. */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http.h"
#include "json.h"
#include "mlflow-rest.h"
#include "now.h"
#include "strbuf.h"
#include "tracking-scenario.h"

#define PYTHON "/usr/bin/python3"

static char srcdir[PATH_MAX];
static char scratch[PATH_MAX];

static const struct scenario_store scenario_rest = { "mlflow-artifacts:/", 0, 0 };

struct fake {
	pid_t pid;
	char url[64];
};

/* Start the fake server with extra options (NULL-terminated); 0 or -1. */
static int fake_start(struct fake *f, const char *const *extra)
{
	char *script = xstrfmt("%s/tests/servers/mlflow_server.py", srcdir);
	char *port_file = xstrfmt("%s/port", scratch);
	const char *argv[32] = { PYTHON, script, "--port-file", port_file };
	size_t n = 4;
	char port[16] = "";

	unlink(port_file);
	for (; extra && *extra && n < 30; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	f->pid = fork();
	if (f->pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execv(PYTHON, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; f->pid > 0 && i < 200 && !*port; i++) {
		FILE *fp = fopen(port_file, "r");

		if (fp) {
			if (!fgets(port, sizeof(port), fp))
				port[0] = '\0';
			fclose(fp);
		}
		port[strcspn(port, "\n")] = '\0';
		if (!*port)
			usleep(50000);
	}
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%s", port);
	free(script);
	free(port_file);
	return *port ? 0 : -1;
}

static void fake_stop(struct fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
	}
	f->pid = 0;
}

/* A JSON call to the fake (no credentials, no retries); the answer or NULL. */
static cJSON *fake_call(struct fake *f, const char *method, const char *path,
			const char *json)
{
	struct mlci_http_opts o;
	struct mlci_http_response res;
	cJSON *send = json ? cJSON_Parse(json) : NULL, *out = NULL;
	char *url = xstrfmt("%s%s", f->url, path);

	mlci_http_opts_init(&o);
	o.max_retries = 0;
	mlci_http_response_init(&res);
	if (mlci_http_json(&o, method, url, NULL, send, &res, &out) ||
	    res.status != 200) {
		cJSON_Delete(out);
		out = NULL;
	}
	mlci_http_response_release(&res);
	cJSON_Delete(send);
	free(url);
	return out;
}

static void fake_faults(struct fake *f, const char *json)
{
	cJSON_Delete(fake_call(f, "POST", "/__faults", json));
}

/* How many requests "METHOD /path" the fake has counted since the reset. */
static int fake_count(struct fake *f, const char *what)
{
	cJSON *ans = fake_call(f, "GET", "/__requests", NULL);
	double n = 0;

	mlci_json_get_number(mlci_json_get_object(ans, "counts"), what, &n);
	cJSON_Delete(ans);
	return (int)n;
}

static void fake_reset(struct fake *f)
{
	cJSON_Delete(fake_call(f, "DELETE", "/__requests", NULL));
	fake_faults(f, "[]");
}

/* How many active runs of experiment exp carry tag key = value. */
static int runs_tagged(struct fake *f, const char *exp, const char *key,
		       const char *value)
{
	char *body = xstrfmt("{\"experiment_ids\":[\"%s\"],\"filter\":\"tags.`%s` = '%s'\",\"max_results\":100}",
			     exp, key, value);
	cJSON *ans = fake_call(f, "POST", "/api/2.0/mlflow/runs/search", body);
	int n = cJSON_GetArraySize(cJSON_GetObjectItem(ans, "runs"));

	cJSON_Delete(ans);
	free(body);
	return n;
}

/* How many versions of model were made from run_id. */
static int versions_of_run(struct fake *f, const char *model,
			   const char *run_id)
{
	struct strbuf path = STRBUF_INIT;
	cJSON *ans;
	int n;

	strbuf_addf(&path, "/api/2.0/mlflow/model-versions/search?filter=name%%3D%%27%s%%27%%20and%%20run_id%%3D%%27%s%%27",
		    model, run_id);
	ans = fake_call(f, "GET", path.buf, NULL);
	n = cJSON_GetArraySize(cJSON_GetObjectItem(ans, "model_versions"));
	cJSON_Delete(ans);
	strbuf_release(&path);
	return n;
}

static void quick_retries(const char *max)
{
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", max, 1);
	setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.01", 1);
	setenv("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0", 1);
}

static void test_scenario(void)
{
	struct fake f;
	char *run_id = NULL, *exp_id = NULL;

	if (fake_start(&f, NULL)) {
		CHECK(0, "start the loopback MLflow server");
		return;
	}
	scenario_concurrent(f.url, 8);
	scenario_log_and_register(f.url, scratch, &run_id, &exp_id,
				  &scenario_rest);
	free(run_id);
	free(exp_id);
	fake_stop(&f);
}

/* Start a run with key in experiment exp under the faults given. */
static int start_run(struct mlci_tracking *t, const char *exp,
		     const char *key, struct mlci_tracking_run *r, int *created)
{
	struct mlci_tracking_run_spec spec = { 0 };

	spec.experiment_id = exp;
	spec.run_name = "faulty";
	spec.start_time = -1;
	spec.idempotency_key = key;
	return mlci_tracking_run_start(t, &spec, r, created);
}

static void test_faults(void)
{
	struct fake f;
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_experiment e;
	struct mlci_tracking_run r;
	struct mlci_tracking_version v;
	struct mlci_tracking_metric m = { "acc", 0.5, 1000, 0 };
	struct mlci_tracking_batch b = { &m, 1, NULL, 0, NULL, 0 };
	int created = -1, ret;
	double start;
	char *id = NULL;

	if (fake_start(&f, NULL)) {
		CHECK(0, "start the loopback MLflow server");
		return;
	}
	quick_retries("3");
	CHECK_INT(mlci_tracking_open(&t, f.url, NULL), 0, "open");
	if (!t) {
		fake_stop(&f);
		return;
	}
	CHECK_INT(mlci_tracking_experiment_get_or_create(t, "Faults", &e, NULL),
		  0, "the experiment");

	/* The server creates the run, and the answer is lost. */
	fake_reset(&f);
	fake_faults(&f, "[{\"match\":\"runs/create\",\"action\":\"drop_after\"}]");
	CHECK_INT(start_run(t, e.id, "lost-answer", &r, &created), 0,
		  "a run whose creation answer was lost");
	CHECK_INT(created, 1, "it counts as created");
	CHECK_INT(fake_count(&f, "POST /api/2.0/mlflow/runs/create"), 1,
		  "created once: found by its tag, not created again");
	CHECK_INT(runs_tagged(&f, e.id, MLCI_TRACKING_IDEMPOTENCY_TAG,
			      "lost-answer"), 1, "exactly one run on the server");
	id = xstrdup(r.run_id ? r.run_id : "");
	mlci_tracking_run_release(&r);

	/* Without an idempotency key the run is found by a token tag. */
	fake_reset(&f);
	fake_faults(&f, "[{\"match\":\"runs/create\",\"action\":\"drop_after\"}]");
	CHECK_INT(start_run(t, e.id, NULL, &r, &created), 0,
		  "a run without a key whose answer was lost");
	CHECK_INT(fake_count(&f, "POST /api/2.0/mlflow/runs/create"), 1,
		  "still created once");
	CHECK(scenario_kv(r.tags, r.ntags, "mlci.create_token") != NULL,
	      "the run carries the token it was found by");
	mlci_tracking_run_release(&r);

	/* 503s before the run exists: tried again, one run. */
	fake_reset(&f);
	fake_faults(&f, "[{\"match\":\"runs/create\",\"action\":\"status\",\"code\":503,\"count\":2}]");
	CHECK_INT(start_run(t, e.id, "busy", &r, &created), 0,
		  "runs/create answered 503 twice");
	CHECK_INT(fake_count(&f, "POST /api/2.0/mlflow/runs/create"), 3,
		  "three tries");
	CHECK_INT(runs_tagged(&f, e.id, MLCI_TRACKING_IDEMPOTENCY_TAG, "busy"),
		  1, "one run");
	mlci_tracking_run_release(&r);

	/* Retry-After on a batch. */
	fake_reset(&f);
	fake_faults(&f, "[{\"match\":\"runs/log-batch\",\"action\":\"status\",\"code\":429,\"retry_after\":\"0\",\"count\":2}]");
	CHECK_INT(mlci_tracking_log_batch(t, id, &b), 0,
		  "log-batch answered 429 with Retry-After twice");
	CHECK_INT(fake_count(&f, "POST /api/2.0/mlflow/runs/log-batch"), 3,
		  "sent three times");

	/* A lost answer to a batch: sending it again is harmless. */
	fake_reset(&f);
	fake_faults(&f, "[{\"match\":\"runs/log-batch\",\"action\":\"drop_after\"}]");
	CHECK_INT(mlci_tracking_log_batch(t, id, &b), 0,
		  "log-batch whose answer was lost is sent again");

	/* The version's answer is lost. */
	CHECK_INT(mlci_tracking_model_get_or_create(t, "FaultModel", NULL), 0,
		  "the model");
	fake_reset(&f);
	fake_faults(&f, "[{\"match\":\"model-versions/create\",\"action\":\"drop_after\"}]");
	{
		char *src = xstrfmt("mlflow-artifacts:/%s/%s/artifacts/model",
				    e.id, id);

		CHECK_INT(mlci_tracking_version_create(t, "FaultModel", src, id,
						       &v, &created), 0,
			  "a version whose creation answer was lost");
		CHECK_STR(v.version, "1", "version 1");
		CHECK_INT(versions_of_run(&f, "FaultModel", id), 1,
			  "exactly one version of the run");
		mlci_tracking_version_release(&v);
		CHECK_INT(mlci_tracking_version_create(t, "FaultModel", src, id,
						       &v, &created), 0,
			  "the same run registered again");
		CHECK_INT(created, 0, "is the same version");
		mlci_tracking_version_release(&v);
		free(src);
	}

	/* No answer at all: the tries run out, exit code 5. */
	fake_reset(&f);
	fake_faults(&f, "[{\"match\":\"runs/get\",\"action\":\"drop_before\",\"count\":-1}]");
	mlci_set_quiet(1);
	ret = mlci_tracking_run_get(t, id, &r);
	mlci_set_quiet(0);
	CHECK_INT(ret, -MLCI_EXIT_REMOTE, "a server that never answers is exit 5");
	CHECK_INT(fake_count(&f, "GET /api/2.0/mlflow/runs/get"), 4,
		  "1 + MLFLOW_HTTP_REQUEST_MAX_RETRIES tries");
	mlci_tracking_run_release(&r);

	/* A slow answer is cut by the time-out and tried again. */
	fake_reset(&f);
	fake_faults(&f, "[{\"match\":\"runs/get\",\"action\":\"slow\",\"seconds\":3}]");
	setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "0.5", 1);
	mlci_tracking_close(t);
	CHECK_INT(mlci_tracking_open(&t, f.url, NULL), 0, "open with a time-out");
	CHECK_INT(mlci_tracking_run_get(t, id, &r), 0,
		  "a slow answer is given up and asked again");
	CHECK_INT(fake_count(&f, "GET /api/2.0/mlflow/runs/get"), 2,
		  "two tries");
	mlci_tracking_run_release(&r);
	unsetenv("MLFLOW_HTTP_REQUEST_TIMEOUT");

	/* The deadline stops the retries, whatever the retry count. */
	fake_reset(&f);
	fake_faults(&f, "[{\"match\":\"runs/get\",\"action\":\"status\",\"code\":503,\"count\":-1}]");
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "100", 1);
	setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.2", 1);
	mlci_tracking_close(t);
	start = mlci_monotonic();
	mlci_tracking_set_deadline(start + 1.0);
	CHECK_INT(mlci_tracking_open(&t, f.url, NULL), 0, "open with a deadline");
	mlci_set_quiet(1);
	ret = mlci_tracking_run_get(t, id, &r);
	mlci_set_quiet(0);
	CHECK_INT(ret, -MLCI_EXIT_REMOTE, "503s until the deadline: exit 5");
	CHECK(mlci_monotonic() - start < 10,
	      "given up at the deadline, not after 100 retries");
	CHECK(fake_count(&f, "GET /api/2.0/mlflow/runs/get") < 20,
	      "far fewer than 100 tries");
	mlci_tracking_run_release(&r);
	mlci_tracking_set_deadline(0);
	quick_retries("3");

	mlci_tracking_experiment_release(&e);
	mlci_tracking_close(t);
	free(id);
	fake_stop(&f);
}

/* A run with 100 long params, 100 long tags and 25,001 points of history. */
static void test_limits(void)
{
	struct fake f;
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_experiment e;
	struct mlci_tracking_run r;
	struct mlci_tracking_kv params[100], tags[100];
	struct mlci_tracking_metric *m, *h = NULL;
	struct mlci_tracking_batch all = { 0 };
	char keys[200][16], *pval = xmalloc(6001), *tval = xmalloc(5001);
	size_t nm = 25001, nh = 0;
	int created;

	if (fake_start(&f, NULL)) {
		CHECK(0, "start the loopback MLflow server");
		return;
	}
	memset(pval, 'p', 6000);
	pval[6000] = '\0';
	memset(tval, 't', 5000);
	tval[5000] = '\0';
	for (int i = 0; i < 100; i++) {
		snprintf(keys[i], sizeof(keys[i]), "param_%d", i);
		snprintf(keys[100 + i], sizeof(keys[i]), "tag_%d", i);
		params[i].key = keys[i];
		params[i].value = pval;
		tags[i].key = keys[100 + i];
		tags[i].value = tval;
	}
	m = xcalloc(nm, sizeof(*m));
	for (size_t i = 0; i < nm; i++) {
		m[i].key = "loss";
		m[i].value = 1.0 / (double)(i + 1);
		m[i].timestamp = 1700000000000 + (int64_t)i;
		m[i].step = (int64_t)i;
	}
	all.params = params;
	all.nparams = 100;
	all.tags = tags;
	all.ntags = 100;
	all.metrics = m;
	all.nmetrics = nm;
	CHECK_INT(mlci_tracking_open(&t, f.url, NULL), 0, "open");
	if (t && !mlci_tracking_experiment_get_or_create(t, "Limits", &e, NULL) &&
	    !start_run(t, e.id, "limits", &r, &created)) {
		CHECK_INT(mlci_tracking_log_all(t, r.run_id, &all), 0,
			  "1.1 MB of params and tags and 25,001 points, in batches the server takes");
		CHECK(fake_count(&f, "POST /api/2.0/mlflow/runs/log-batch") >= 27,
		      "the first batch, over 1 MB, went in two halves");
		CHECK_INT(mlci_tracking_metric_history(t, r.run_id, "loss", &h, &nh),
			  0, "read the history back");
		CHECK_INT(nh, nm, "every point, over more than one page");
		if (nh == nm)
			CHECK(h[nm - 1].step == (int64_t)nm - 1 &&
			      h[nm - 1].value == 1.0 / (double)nm,
			      "the last point, to the bit");
		mlci_tracking_metrics_free(h, nh);
		mlci_tracking_run_release(&r);
		mlci_tracking_experiment_release(&e);
	}
	mlci_tracking_close(t);
	free(m);
	free(pval);
	free(tval);
	fake_stop(&f);
}

/* Names that need percent-encoding, in queries and in artifact paths. */
static void test_encoding(void)
{
	struct fake f;
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_experiment e, e2;
	struct mlci_tracking_run r;
	char *file = xstrfmt("%s/a b+c&d=é.txt", scratch);
	char *back = xstrfmt("%s/back.txt", scratch), buf[16] = "";
	FILE *fp;
	int created;

	if (fake_start(&f, NULL)) {
		CHECK(0, "start the loopback MLflow server");
		return;
	}
	if ((fp = fopen(file, "w"))) {
		fputs("odd name\n", fp);
		fclose(fp);
	}
	CHECK_INT(mlci_tracking_open(&t, f.url, NULL), 0, "open");
	if (t && !mlci_tracking_experiment_get_or_create(t, "Credit & Risk/ü=1?", &e,
							 &created)) {
		CHECK_INT(mlci_tracking_experiment_get_or_create(t,
				"Credit & Risk/ü=1?", &e2, &created), 0,
			  "an experiment name with &, /, =, ? and UTF-8 found again");
		CHECK_INT(created, 0, "by its exact name");
		mlci_tracking_experiment_release(&e2);
		if (!start_run(t, e.id, "enc", &r, &created)) {
			CHECK_INT(mlci_tracking_log_artifact(t, r.run_id, file, "sub dir"),
				  0, "an artifact named 'a b+c&d=é.txt' in 'sub dir'");
			CHECK_INT(mlci_tracking_artifact_download(t, r.artifact_uri,
								  "sub dir/a b+c&d=é.txt",
								  back), 0,
				  "downloaded by the same name");
			if ((fp = fopen(back, "r"))) {
				if (!fgets(buf, sizeof(buf), fp))
					buf[0] = '\0';
				fclose(fp);
			}
			CHECK_STR(buf, "odd name\n", "its bytes");
			mlci_tracking_run_release(&r);
		}
		mlci_tracking_experiment_release(&e);
	}
	mlci_tracking_close(t);
	free(file);
	free(back);
	fake_stop(&f);
}

/* A version that is PENDING_REGISTRATION first, and one that fails. */
static void test_pending(void)
{
	static const char *const pending[] = { "--pending", "3", NULL };
	static const char *const failing[] = { "--fail-registration", NULL };
	struct fake f;
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_version v;
	int ret;

	if (fake_start(&f, pending)) {
		CHECK(0, "start the loopback MLflow server");
		return;
	}
	CHECK_INT(mlci_tracking_open(&t, f.url, NULL), 0, "open");
	if (t) {
		mlci_tracking_model_get_or_create(t, "Slow", NULL);
		CHECK_INT(mlci_tracking_version_create(t, "Slow", "s3://b/m",
						       NULL, &v, NULL), 0,
			  "a version pending three times");
		CHECK_STR(v.status, "READY", "waited for READY");
		CHECK(fake_count(&f, "GET /api/2.0/mlflow/model-versions/get") >= 3,
		      "polled until READY");
		mlci_tracking_version_release(&v);
	}
	mlci_tracking_close(t);
	fake_stop(&f);

	t = NULL;
	if (fake_start(&f, failing)) {
		CHECK(0, "start the loopback MLflow server");
		return;
	}
	CHECK_INT(mlci_tracking_open(&t, f.url, NULL), 0, "open");
	if (t) {
		mlci_tracking_model_get_or_create(t, "Broken", NULL);
		mlci_set_quiet(1);
		ret = mlci_tracking_version_create(t, "Broken", "s3://b/m",
						   NULL, &v, NULL);
		mlci_set_quiet(0);
		CHECK_INT(ret, -MLCI_EXIT_REMOTE,
			  "FAILED_REGISTRATION is a remote failure");
		mlci_tracking_version_release(&v);
	}
	mlci_tracking_close(t);
	fake_stop(&f);
}

static int try_experiment(const char *url)
{
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_experiment e;
	int ret, q = mlci_set_quiet(1);

	ret = mlci_tracking_open(&t, url, NULL);
	if (!ret)
		ret = mlci_tracking_experiment_get_or_create(t, "Secured", &e,
							     NULL);
	mlci_set_quiet(q);
	if (t)
		mlci_tracking_experiment_release(&e);
	mlci_tracking_close(t);
	return ret;
}

static void test_auth(void)
{
	static const char *const opts[] = {
		"--basic", "alice:s3cret", "--token", "tok-123", NULL
	};
	struct fake f;
	char *err;

	if (fake_start(&f, opts)) {
		CHECK(0, "start the loopback MLflow server");
		return;
	}
	unsetenv("MLFLOW_TRACKING_USERNAME");
	unsetenv("MLFLOW_TRACKING_PASSWORD");
	unsetenv("MLFLOW_TRACKING_TOKEN");
	CHECK_INT(try_experiment(f.url), -MLCI_EXIT_INPUT,
		  "no credentials: 401 is a configuration error");
	setenv("MLFLOW_TRACKING_USERNAME", "alice", 1);
	setenv("MLFLOW_TRACKING_PASSWORD", "wrong-pw", 1);
	unit_capture_start();
	{
		struct mlci_tracking *t = NULL;
		struct mlci_tracking_experiment e;

		if (!mlci_tracking_open(&t, f.url, NULL) &&
		    !mlci_tracking_experiment_get_or_create(t, "Secured", &e, NULL))
			mlci_tracking_experiment_release(&e);
		mlci_tracking_close(t);
	}
	err = unit_capture_end();
	CHECK(strstr(err, "401") && strstr(err, "MLFLOW_TRACKING_USERNAME"),
	      "the message says 401 and which variables to check");
	CHECK(!strstr(err, "wrong-pw"), "and never the password");
	free(err);
	setenv("MLFLOW_TRACKING_PASSWORD", "s3cret", 1);
	CHECK_INT(try_experiment(f.url), 0, "HTTP basic from the environment");
	unsetenv("MLFLOW_TRACKING_USERNAME");
	unsetenv("MLFLOW_TRACKING_PASSWORD");
	setenv("MLFLOW_TRACKING_TOKEN", "tok-123", 1);
	CHECK_INT(try_experiment(f.url), 0, "a bearer token from the environment");
	unsetenv("MLFLOW_TRACKING_TOKEN");
	fake_stop(&f);
}

static void test_environment(void)
{
	struct mlci_http_opts o;

	mlci_http_opts_init(&o);
	unsetenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES");
	unsetenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR");
	unsetenv("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER");
	CHECK_INT(mlci_mlflow_rest_http_opts(&o), 0, "MLflow's defaults");
	CHECK_INT(o.max_retries, 7, "7 retries");
	CHECK_NEAR(o.backoff_factor, 2, 0, "backoff factor 2");
	CHECK_NEAR(o.backoff_jitter, 1, 0, "jitter 1");
	CHECK_INT(o.timeout_ms, 120000, "120 s time-out");
	mlci_set_quiet(1);
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "many", 1);
	CHECK_INT(mlci_mlflow_rest_http_opts(&o), -MLCI_EXIT_INPUT,
		  "a retry count that is not a number");
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2.5", 1);
	CHECK_INT(mlci_mlflow_rest_http_opts(&o), -MLCI_EXIT_INPUT,
		  "a retry count that is not whole");
	unsetenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES");
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "yes", 1);
	CHECK_INT(mlci_mlflow_rest_http_opts(&o), -MLCI_EXIT_INPUT,
		  "INSECURE_TLS takes true or false");
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "true", 1);
	setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", "/tmp/ca.pem", 1);
	CHECK_INT(mlci_mlflow_rest_http_opts(&o), -MLCI_EXIT_INPUT,
		  "INSECURE_TLS and SERVER_CERT_PATH exclude each other, as in MLflow");
	mlci_set_quiet(0);
	unsetenv("MLFLOW_TRACKING_SERVER_CERT_PATH");
	CHECK_INT(mlci_mlflow_rest_http_opts(&o), 0, "INSECURE_TLS=true");
	CHECK_INT(o.insecure, 1, "skips verification");
	unsetenv("MLFLOW_TRACKING_INSECURE_TLS");
	setenv("MLFLOW_TRACKING_USERNAME", "u", 1);
	setenv("MLFLOW_TRACKING_PASSWORD", "p", 1);
	setenv("MLFLOW_TRACKING_TOKEN", "t", 1);
	mlci_http_opts_init(&o);
	CHECK_INT(mlci_mlflow_rest_http_opts(&o), 0, "both kinds of credentials");
	CHECK(o.basic_user && !o.bearer_token,
	      "user and password win over a token, as in MLflow");
	unsetenv("MLFLOW_TRACKING_USERNAME");
	unsetenv("MLFLOW_TRACKING_PASSWORD");
	unsetenv("MLFLOW_TRACKING_TOKEN");
}

int main(void)
{
	char tmpl[] = "/tmp/mlci-rest-XXXXXX", *cmd;

	if (!getcwd(srcdir, sizeof(srcdir)) || !mkdtemp(tmpl)) {
		perror("setup");
		return 1;
	}
	snprintf(scratch, sizeof(scratch), "%s", tmpl);
	test_environment();
	quick_retries("3");
	test_scenario();
	test_faults();
	test_limits();
	test_encoding();
	test_pending();
	test_auth();
	cmd = xstrfmt("rm -rf '%s'", scratch);
	if (!unit_failed)
		scenario_sh(cmd);
	free(cmd);
	return unit_done();
}
