/* SPDX-License-Identifier: MIT */
/* Unit tests of the tracking interface: URIs, paths, number formatting, and MLflow's checks in MLflow's words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "tracking.h"
#include "unit.h"
#include "usage.h"
#include "wrapper.h"

static FILE *errfile;
static int saved_stderr = -1;

/* Send stderr to a temporary file until stop_capture() returns its text. */
static void start_capture(void)
{
	fflush(stderr);
	errfile = tmpfile();
	saved_stderr = dup(2);
	if (errfile)
		dup2(fileno(errfile), 2);
}

static char *stop_capture(void)
{
	struct strbuf sb = STRBUF_INIT;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	if (errfile) {
		rewind(errfile);
		strbuf_read_file_cap(&sb, errfile, 1 << 20);
		fclose(errfile);
	}
	if (sb.len && sb.buf[sb.len - 1] == '\n')
		strbuf_setlen(&sb, sb.len - 1);
	return strbuf_detach(&sb, NULL);
}

#define CHECK_MSG(call, want, name) do { \
	char *m_; \
	int r_; \
	start_capture(); \
	r_ = (call); \
	m_ = stop_capture(); \
	CHECK_INT(r_, -MLCI_EXIT_INPUT, name); \
	CHECK_STR(m_, "mlci: " want, name " (wording)"); \
	free(m_); \
} while (0)

static void test_normpath(void)
{
	static const char *const cases[][2] = {
		{ "", "." }, { "a", "a" }, { "a//b", "a/b" }, { "./x", "x" },
		{ "a/", "a" }, { "../x", "../x" }, { "a/../..", ".." },
		{ "/a/../b", "/b" }, { "/..", "/" }, { "//a", "//a" },
		{ "///a//b/.", "/a/b" }, { "a/./b/../c", "a/c" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = mlci_tracking_normpath(cases[i][0]);
		char *name = xstrfmt("normpath('%s')", cases[i][0]);

		CHECK_STR(got, cases[i][1], name);
		free(got);
		free(name);
	}
}

static void test_uris(void)
{
	char *s = mlci_tracking_path_to_uri("/data/my runs/./x");

	CHECK_STR(s, "file:///data/my%20runs/x", "path to URI, encoded");
	free(s);
	s = mlci_tracking_uri_to_path("file:///data/my%20runs/x");
	CHECK_STR(s, "/data/my runs/x", "URI to path, decoded");
	free(s);
	s = mlci_tracking_uri_to_path("file:/abs/p");
	CHECK_STR(s, "/abs/p", "file:/abs");
	free(s);
	s = mlci_tracking_uri_to_path("file://localhost/abs");
	CHECK_STR(s, "/abs", "file://localhost/abs");
	free(s);
	CHECK(!mlci_tracking_uri_to_path("file://otherhost/abs"),
	      "another host is not local");
	CHECK(!mlci_tracking_uri_to_path("s3://bucket/x"), "s3 is not a file URI");
	s = mlci_tracking_path_to_uri("rel");
	CHECK(s && !strncmp(s, "file:///", 8) && strstr(s, "/rel"),
	      "a relative path becomes absolute");
	free(s);
}

static void test_numbers(void)
{
	static const struct { double v; const char *want; } cases[] = {
		{ 0.1, "0.1" }, { 1.0, "1.0" }, { 0.875, "0.875" },
		{ -2.5, "-2.5" }, { 1e20, "1e+20" }, { 1.0 / 3, "0.3333333333333333" },
		{ 123456.0, "123456.0" },
	};
	char buf[40], id[33];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		mlci_tracking_format_double(buf, sizeof(buf), cases[i].v);
		CHECK_STR(buf, cases[i].want, "Python's repr of a float");
	}
	mlci_tracking_format_double(buf, sizeof(buf), NAN);
	CHECK_STR(buf, "nan", "nan");
	mlci_tracking_format_double(buf, sizeof(buf), -INFINITY);
	CHECK_STR(buf, "-inf", "-inf");
	mlci_tracking_new_run_id(id);
	CHECK(strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32 &&
	      id[12] == '4', "a run id is uuid4().hex");
}

static void test_validation(void)
{
	struct mlci_tracking_kv params[101], dup[3] = {
		{ "p1", "a" }, { "p2", "b" }, { "p1", "c" }
	};
	struct mlci_tracking_metric m = { "acc", 0.5, -1, 0 };
	struct mlci_tracking_batch b = { 0 };
	char *longv = xmalloc(6002);
	struct mlci_tracking *t;

	CHECK_MSG(mlci_tracking_validate_key("parameter", "bad key!"),
		  "Invalid parameter name: 'bad key!'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).",
		  "a bad character");
	CHECK_MSG(mlci_tracking_validate_key("metric", "../x"),
		  "Invalid metric name: '../x'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '../x'",
		  "a key leaving its directory");
	CHECK_MSG(mlci_tracking_validate_key("tag", "a//b"),
		  "Invalid tag name: 'a//b'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to 'a/b'",
		  "a key that is not normal");
	CHECK_INT(mlci_tracking_validate_key("tag", "mlflow.source.git.commit"), 0,
		  "a system tag is fine");
	for (int i = 0; i < 101; i++) {
		params[i].key = "k";
		params[i].value = "v";
	}
	b.params = params;
	b.nparams = 101;
	CHECK_MSG(mlci_tracking_validate_batch(&b),
		  "A batch logging request can contain at most 100 params. Got 101 params. Please split up params across multiple requests and try again.",
		  "too many params");
	b.params = dup;
	b.nparams = 3;
	CHECK_MSG(mlci_tracking_validate_batch(&b),
		  "Duplicate parameter keys have been submitted: ['p1']. Please ensure the request contains only one param value per param key.",
		  "duplicate param keys");
	memset(longv, 'x', 6001);
	longv[6001] = '\0';
	params[0].value = longv;
	b.params = params;
	b.nparams = 1;
	{
		char *want = xstrfmt("mlci: Param value '%.250s' had length 6001, which exceeded length limit of 6000",
				     longv);
		char *msg;
		int r;

		start_capture();
		r = mlci_tracking_validate_batch(&b);
		msg = stop_capture();
		CHECK_INT(r, -MLCI_EXIT_INPUT, "a long param value is refused, not cut");
		CHECK_STR(msg, want, "a long param value (wording)");
		free(msg);
		free(want);
	}
	b.nparams = 0;
	b.metrics = &m;
	b.nmetrics = 1;
	CHECK_MSG(mlci_tracking_validate_batch(&b),
		  "Got invalid timestamp -1 for metric 'acc' (value=0.5). Timestamp must be a nonnegative long (64-bit integer)",
		  "a negative timestamp");
	CHECK_MSG(mlci_tracking_validate_alias("latest"),
		  "'latest' alias name (case insensitive) is reserved.",
		  "latest is reserved");
	CHECK_MSG(mlci_tracking_validate_alias("v3"),
		  "Version alias name 'v3' is reserved.", "v3 is reserved");
	CHECK_MSG(mlci_tracking_validate_alias("my alias"),
		  "Invalid alias name: 'my alias'. Names may only contain alphanumerics, underscores (_), and dashes (-).",
		  "a bad alias");
	CHECK_INT(mlci_tracking_validate_alias("champion"), 0, "champion is fine");
	CHECK_MSG(mlci_tracking_open(&t, "https://", NULL),
		  "tracking URI 'https://': no host", "an http(s) URI without a host");
	CHECK_MSG(mlci_tracking_open(&t, "s3://bucket/x", NULL),
		  "tracking URI 's3://bucket/x': unsupported scheme",
		  "an unknown scheme");
	free(longv);
}

/*
 * mlci_tracking_log_all: more than one batch's worth of everything, all
 * of it stored (a SQLite store in a scratch folder).
 */
static void test_log_all(void)
{
	char tmpl[] = "/tmp/mlci-tracking-XXXXXX", *dir = mkdtemp(tmpl), *uri;
	struct mlci_tracking *t = NULL;
	struct mlci_tracking_experiment e;
	struct mlci_tracking_run r, back;
	struct mlci_tracking_run_spec spec = { 0 };
	struct mlci_tracking_metric *m = xcalloc(2500, sizeof(*m)), *h = NULL;
	struct mlci_tracking_kv *p = xcalloc(150, sizeof(*p)), *tg = xcalloc(120, sizeof(*tg));
	struct mlci_tracking_batch all = { m, 2500, p, 150, tg, 120 };
	char **names = xcalloc(270, sizeof(*names));
	size_t i, nh = 0;
	int created;

	unit_name("log_all");
	mlci_tracking_experiment_init(&e);
	mlci_tracking_run_init(&r);
	mlci_tracking_run_init(&back);
	for (i = 0; i < 2500; i++) {
		m[i].key = i < 2000 ? "loss" : "acc";
		m[i].value = (double)i;
		m[i].timestamp = 1700000000000;
		m[i].step = (int64_t)(i < 2000 ? i : i - 2000);
	}
	for (i = 0; i < 270; i++) {
		names[i] = xstrfmt("k%zu", i);
		if (i < 150)
			p[i].key = names[i], p[i].value = "v";
		else
			tg[i - 150].key = names[i], tg[i - 150].value = "t";
	}
	uri = xstrfmt("sqlite:///%s/m.db", dir);
	CHECK_INT(mlci_tracking_open(&t, uri, NULL), 0, "open");
	CHECK_INT(mlci_tracking_experiment_get_or_create(t, "E", &e, &created), 0, "experiment");
	spec.experiment_id = e.id;
	CHECK_INT(mlci_tracking_run_start(t, &spec, &r, &created), 0, "run");
	CHECK_INT(mlci_tracking_log_all(t, r.run_id, &all), 0,
		  "2500 metrics, 150 params, 120 tags (one batch holds 1000 items, 100 params, 100 tags)");
	CHECK_INT(mlci_tracking_run_get(t, r.run_id, &back), 0, "read back");
	CHECK(back.nparams == 150, "every param");
	CHECK(back.ntags >= 120, "every tag (and the run name)");
	CHECK_INT(mlci_tracking_metric_history(t, r.run_id, "loss", &h, &nh), 0, "history");
	CHECK(nh == 2000 && h[1999].step == 1999 && h[1999].value == 1999.0,
	      "every point of the long history, in order");
	mlci_tracking_metrics_free(h, nh);
	mlci_tracking_close(t);
	mlci_tracking_experiment_release(&e);
	mlci_tracking_run_release(&r);
	mlci_tracking_run_release(&back);
	for (i = 0; i < 270; i++)
		free(names[i]);
	free(names);
	free(m);
	free(p);
	free(tg);
	free(uri);
	if (!unit_failed)
		unit_remove_dir(dir);
}

int main(void)
{
	test_log_all();
	test_normpath();
	test_uris();
	test_numbers();
	test_validation();
	return unit_done();
}
