/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/json.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "json.h"
#include "usage.h"
#include "unit.h"

static char *print(const cJSON *j)
{
	return cJSON_PrintUnformatted(j);
}

int main(void)
{
	cJSON *o = cJSON_CreateObject(), *j;
	double v;
	char *s;

	mlci_json_set_number(o, "a", 1.5);
	mlci_json_set_number(o, "nan", NAN);
	mlci_json_set_number(o, "inf", -INFINITY);
	mlci_json_set_string(o, "s", "x");
	mlci_json_set_bool(o, "b", 1);
	mlci_json_set_number(o, "a", 2.5);
	mlci_json_set_string(o, "n", NULL);
	s = print(o);
	CHECK_STR(s, "{\"a\":2.5,\"nan\":null,\"inf\":null,\"s\":\"x\",\"b\":true,\"n\":null}",
		  "set keeps order, replaces, writes non-finite as null");
	free(s);
	CHECK(mlci_json_get_number(o, "a", &v) == 0 && v == 2.5, "get a number");
	CHECK(mlci_json_get_number(o, "nan", &v) == -1, "null is not a number");
	CHECK(mlci_json_get_number(o, "s", &v) == -1, "a string is not a number");
	CHECK(mlci_json_get_number(o, "zz", &v) == -1, "missing is not a number");
	CHECK_STR(mlci_json_get_string(o, "s"), "x", "get a string");
	CHECK(mlci_json_get_string(o, "a") == NULL, "a number is not a string");
	cJSON_Delete(o);

	mlci_set_quiet(1);
	CHECK_INT(mlci_json_parse("{\"train\":{\"metrics\":{\"acc\":1}}}", 31, "t", &j), 0, "parse");
	CHECK(mlci_json_path(j, "train.metrics.acc") && mlci_json_path(j, "train.metrics.acc")->valuedouble == 1,
	      "path follows keys");
	CHECK(mlci_json_path(j, "train.nope") == NULL, "path to a missing key");
	CHECK(mlci_json_path(j, "train.metrics.acc.x") == NULL, "path through a number");
	CHECK(mlci_json_get_object(j, "train") != NULL, "get an object");
	cJSON_Delete(j);
	CHECK_INT(mlci_json_parse("{\"a\":}", 6, "t", &j), -MLCI_EXIT_INPUT, "malformed is bad input");
	CHECK(j == NULL, "no tree on error");
	CHECK_INT(mlci_json_read_file("/nonexistent.json", 100, &j), -MLCI_EXIT_INPUT, "missing file");
	CHECK_INT(mlci_json_read_file("/", 100, &j), -MLCI_EXIT_INPUT, "a directory is bad input");
	mlci_set_quiet(0);

	CHECK_INT(mlci_json_parse("{\"a\":1,\"b\":2,\"a\":3}", 19, "t", &j), 0, "duplicates parse");
	CHECK_STR(mlci_json_duplicate_key(j), "a", "duplicate key found");
	cJSON_Delete(j);
	CHECK_INT(mlci_json_parse("{\"a\":1,\"b\":2}", 13, "t", &j), 0, "no duplicates parse");
	CHECK(mlci_json_duplicate_key(j) == NULL, "no duplicate key");
	cJSON_Delete(j);
	return unit_done();
}
