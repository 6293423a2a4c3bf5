/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/record.c: reading, version checks, output order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "usage.h"
#include "unit.h"

static const struct {
	const char *in;
	int ret;		/* 0 or -exit code */
	const char *out;	/* compact output, when ret is 0 */
} cases[] = {
	{ "", 0, "{\"mlci\":1}\n" },
	{ " \n\t\r\n", 0, "{\"mlci\":1}\n" },
	{ "{}", 0, "{\"mlci\":1}\n" },
	{ "{\"mlci\":1}", 0, "{\"mlci\":1}\n" },
	{ "{\"train\":{\"metrics\":{\"accuracy\":0.68}}}", 0,
	  "{\"mlci\":1,\"train\":{\"metrics\":{\"accuracy\":0.68}}}\n" },
	/* Known sections in pipeline order, unknown ones after, in input order. */
	{ "{\"zeta\":1,\"gate\":{},\"git\":{},\"alpha\":[],\"mlci\":1,\"data\":{}}", 0,
	  "{\"mlci\":1,\"git\":{},\"data\":{},\"gate\":{},\"zeta\":1,\"alpha\":[]}\n" },
	/* Identifiers stay strings; numbers keep their value. */
	{ "{\"register\":{\"run_id\":\"516919575679466760\",\"v\":0.1}}", 0,
	  "{\"mlci\":1,\"register\":{\"run_id\":\"516919575679466760\",\"v\":0.1}}\n" },
	{ "{\"mlci\":2}", -MLCI_EXIT_INPUT, NULL },
	{ "{\"mlci\":\"1\"}", -MLCI_EXIT_INPUT, NULL },
	{ "{\"mlci\":1.5}", -MLCI_EXIT_INPUT, NULL },
	{ "{\"mlci\":0}", -MLCI_EXIT_INPUT, NULL },
	{ "[1,2]", -MLCI_EXIT_INPUT, NULL },
	{ "\"text\"", -MLCI_EXIT_INPUT, NULL },
	{ "{\"a\":1", -MLCI_EXIT_INPUT, NULL },
	{ "{\"a\":1} {}", -MLCI_EXIT_INPUT, NULL },
	{ "{\"a\":1,\"a\":2}", -MLCI_EXIT_INPUT, NULL },
	{ "{\"a\":NaN}", -MLCI_EXIT_INPUT, NULL },
	{ "not json", -MLCI_EXIT_INPUT, NULL },
};

/* Parse with stderr captured; returns what was printed. */
static int parse_capture(const char *in, size_t len, cJSON **rec, char *msg,
			 size_t msglen)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), ret;
	size_t n;

	dup2(fileno(tmp), 2);
	ret = mlci_record_parse(in, len, "standard input", rec);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(msg, 1, msglen - 1, tmp);
	msg[n] = '\0';
	fclose(tmp);
	return ret;
}

int main(void)
{
	char name[200], msg[512];
	size_t i;

	mlci_progname = "test";
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *rec = NULL;
		int ret = parse_capture(cases[i].in, strlen(cases[i].in), &rec,
					msg, sizeof(msg));

		snprintf(name, sizeof(name), "record '%s'", cases[i].in);
		CHECK_INT(ret, cases[i].ret, name);
		if (cases[i].out && rec) {
			char *out = mlci_record_print(rec, 0);

			CHECK_STR(out, cases[i].out, name);
			free(out);
		} else {
			CHECK(!rec && strlen(msg) > 0, name);
		}
		cJSON_Delete(rec);
	}

	{
		cJSON *rec;
		int ret = parse_capture("{\n  \"a\": 1,\n  \"b\": ]\n}", 22, &rec,
					msg, sizeof(msg));

		CHECK_INT(ret, -MLCI_EXIT_INPUT, "malformed: exit 3");
		CHECK_STR(msg, "test: malformed JSON in standard input at byte 20 (line 3, column 8)\n",
			  "malformed: byte, line and column");
		ret = parse_capture("{\"a\":\0}", 7, &rec, msg, sizeof(msg));
		CHECK_STR(msg, "test: malformed JSON in standard input: NUL byte at byte 6\n",
			  "NUL byte named");
		ret = parse_capture("{\"mlci\":7}", 10, &rec, msg, sizeof(msg));
		CHECK_STR(msg, "test: record on standard input has format version 7; this program reads version 1\n",
			  "newer version refused with both versions named");
	}

	{
		cJSON *rec = NULL, *sec = cJSON_CreateObject();
		char *out;

		parse_capture("{\"gate\":{\"ok\":true},\"x\":1}", 26, &rec, msg, sizeof(msg));
		cJSON_AddTrueToObject(sec, "ok");
		mlci_record_set(rec, "train", sec);
		out = mlci_record_print(rec, 0);
		CHECK_STR(out, "{\"mlci\":1,\"train\":{\"ok\":true},\"gate\":{\"ok\":true},\"x\":1}\n",
			  "a new section takes its place in pipeline order");
		free(out);
		sec = cJSON_CreateObject();
		cJSON_AddFalseToObject(sec, "ok");
		mlci_record_set(rec, "gate", sec);
		out = mlci_record_print(rec, 0);
		CHECK_STR(out, "{\"mlci\":1,\"train\":{\"ok\":true},\"gate\":{\"ok\":false},\"x\":1}\n",
			  "a section is replaced, not duplicated");
		free(out);
		CHECK(mlci_record_get(rec, "gate") == sec, "get returns the section");
		CHECK(mlci_record_get(rec, "x") == NULL, "get ignores non-objects");
		cJSON_Delete(rec);
	}

	{
		char path[] = "/tmp/mlci-test-record-XXXXXX";
		int fd = mkstemp(path);
		cJSON *rec = NULL;
		FILE *fp = fdopen(fd, "w");

		fputs("{\"git\":{\"sha\":null}}", fp);
		fclose(fp);
		CHECK_INT(mlci_record_read(path, &rec), 0, "read a record from a file");
		CHECK(mlci_record_get(rec, "git") != NULL, "file record has its section");
		cJSON_Delete(rec);
		setenv("MLCI_RECORD_MAX", "10", 1);
		mlci_set_quiet(1);
		CHECK_INT(mlci_record_read(path, &rec), -MLCI_EXIT_INPUT, "size cap refuses a larger record");
		unsetenv("MLCI_RECORD_MAX");
		CHECK_INT(mlci_record_read("/nonexistent/record.json", &rec), -MLCI_EXIT_INPUT,
			  "a missing file is bad input");
		mlci_set_quiet(0);
		unlink(path);
	}
	return unit_done();
}
