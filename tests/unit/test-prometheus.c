/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/prometheus.c: the parser of query_range answers (the client is tested live in tests/ml-canary.bats). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prometheus.h"
#include "unit.h"

static int parse(const char *body, struct mlci_prometheus_samples *s,
		 char *err)
{
	return mlci_prometheus_parse(body, strlen(body), s, err, 256);
}

int main(void)
{
	struct mlci_prometheus_samples s;
	char err[256];

	/* Two series, concatenated in order; NaN and infinities counted. */
	CHECK_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
			"{\"metric\":{\"v\":\"a\"},\"values\":[[1.5,\"0.25\"],[2,\"NaN\"],[3,\"1e3\"]]},"
			"{\"metric\":{\"v\":\"b\"},\"values\":[[1,\"+Inf\"],[2,\"-Inf\"],[3,\"-2\"]]}]}}",
			&s, err), 0, "matrix parses");
	CHECK_INT(s.nr, 3, "three finite values");
	CHECK_INT(s.nonfinite, 3, "NaN, +Inf, -Inf counted");
	CHECK_INT(s.series, 2, "two series");
	CHECK(s.nr == 3 && s.values[0] == 0.25 && s.values[1] == 1000 &&
	      s.values[2] == -2, "values in order");
	mlci_prometheus_samples_release(&s);

	CHECK_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
			&s, err), 0, "empty result parses");
	CHECK_INT(s.nr + s.series + s.nonfinite, 0, "empty result: nothing");
	mlci_prometheus_samples_release(&s);

	CHECK_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
			"{\"metric\":{},\"value\":[1,\"7\"]}]}}", &s, err), 0, "vector");
	CHECK(s.nr == 1 && s.values[0] == 7, "vector value");
	mlci_prometheus_samples_release(&s);

	CHECK_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"4.5\"]}}",
			&s, err), 0, "scalar");
	CHECK(s.nr == 1 && s.values[0] == 4.5, "scalar value");
	mlci_prometheus_samples_release(&s);

	CHECK_INT(parse("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error\"}",
			&s, err), -1, "error envelope");
	CHECK_STR(err, "Prometheus answered error: bad_data: 1:5: parse error",
		  "error envelope message");
	CHECK(s.values == NULL && s.nr == 0, "nothing kept on error");

	CHECK_INT(parse("<html>503</html>", &s, err), -1, "not JSON");
	CHECK_STR(err, "the answer is not a JSON object", "not JSON message");
	CHECK_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
			"{\"values\":[[1,\"abc\"]]}]}}", &s, err), -1, "bad value");
	CHECK_STR(err, "a sample value 'abc' is not a number", "bad value message");
	CHECK_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
			"{\"values\":[[1,2]]}]}}", &s, err), -1, "number instead of string");
	CHECK_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
			"{\"values\":[[1,\"inf\"]]}]}}", &s, err), -1,
		  "only Prometheus's spelling of infinity");
	CHECK_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[]}}",
			&s, err), -1, "unknown result type");
	CHECK_INT(parse("{\"status\":\"success\"}", &s, err), -1, "no data");
	CHECK_INT(parse("{\"data\":{}}", &s, err), -1, "no status");
	CHECK_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
			"{\"values\":[[1,\"1\",3]]}]}}", &s, err), -1, "a triple");

	/* Credentials from the environment. */
	{
		struct mlci_prometheus p;

		setenv(MLCI_PROMETHEUS_TOKEN_ENV, "tok", 1);
		setenv(MLCI_PROMETHEUS_USER_ENV, "u", 1);
		mlci_prometheus_init(&p, "http://x");
		CHECK_STR(p.http.bearer_token, "tok", "bearer token first");
		CHECK(p.http.basic_user == NULL, "no basic auth with a token");
		unsetenv(MLCI_PROMETHEUS_TOKEN_ENV);
		setenv(MLCI_PROMETHEUS_PASSWORD_ENV, "pw", 1);
		mlci_prometheus_init(&p, "http://x");
		CHECK_STR(p.http.basic_user, "u", "basic user");
		CHECK_STR(p.http.basic_password, "pw", "basic password");
		CHECK(p.http.bearer_token == NULL, "no token");
		unsetenv(MLCI_PROMETHEUS_USER_ENV);
		unsetenv(MLCI_PROMETHEUS_PASSWORD_ENV);
	}
	return unit_done();
}
