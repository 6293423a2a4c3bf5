/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/tool.c: the steps every program shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "record.h"
#include "tool.h"
#include "usage.h"
#include "unit.h"

static cJSON *parse(const char *s)
{
	cJSON *j = NULL;

	mlci_json_parse(s, strlen(s), "test", &j);
	return j;
}

static const struct {
	const char *record;
	const char *failed;	/* the section named, or NULL */
} upstream_cases[] = {
	{ "{}", NULL },
	{ "{\"validate\":{\"ok\":true},\"train\":{\"ok\":true}}", NULL },
	{ "{\"validate\":{\"ok\":false}}", "validate" },
	{ "{\"validate\":{\"ok\":true},\"train\":{\"ok\":false,\"skipped\":true}}", "train" },
	{ "{\"train\":{\"skipped\":true}}", "train" },
	{ "{\"validate\":{\"ok\":false},\"train\":{\"ok\":false}}", "validate" },
	{ "{\"validate\":\"ok\"}", NULL },
	{ "{\"gate\":{\"ok\":false}}", NULL },
};

int main(void)
{
	static const char *const sections[] = { "validate", "train", NULL };
	char path[] = "/tmp/mlci-test-tool-XXXXXX";
	char dir[] = "/tmp/mlci-test-tool-dir-XXXXXX";
	cJSON *rec, *s;
	char *text;
	size_t i;
	int fd;
	FILE *fp;

	for (i = 0; i < sizeof(upstream_cases) / sizeof(upstream_cases[0]); i++) {
		rec = parse(upstream_cases[i].record);
		CHECK_STR(mlci_tool_failed_upstream(rec, sections),
			  upstream_cases[i].failed, upstream_cases[i].record);
		cJSON_Delete(rec);
	}

	s = mlci_tool_skipped_section("the 'train' step failed");
	text = cJSON_PrintUnformatted(s);
	CHECK_STR(text, "{\"ok\":false,\"skipped\":true,\"reason\":\"the 'train' step failed\"}",
		  "a skipped section");
	free(text);
	cJSON_Delete(s);

	/* Outside any repository, a record without git gets an all-null one. */
	if (!mkdtemp(dir) || chdir(dir))
		return 1;
	unsetenv("GITHUB_ACTIONS");
	setenv("GIT_CEILING_DIRECTORIES", "/tmp", 1);
	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fputs("{\"train\":{\"metrics\":{\"a\":1}}}", fp);
	fclose(fp);
	mlci_set_quiet(1);
	CHECK_INT(mlci_tool_read_record(path, &rec), 0, "read a record and fill git");
	mlci_set_quiet(0);
	s = mlci_record_get(rec, "git");
	CHECK(s && cJSON_IsNull(cJSON_GetObjectItem(s, "sha")), "git filled with nulls");
	CHECK(mlci_record_get(rec, "train") != NULL, "other sections kept");
	cJSON_Delete(rec);

	fp = fopen(path, "w");
	fputs("{\"git\":{\"sha\":\"given\"}}", fp);
	fclose(fp);
	CHECK_INT(mlci_tool_read_record(path, &rec), 0, "read a record with git");
	CHECK_STR(mlci_json_get_string(mlci_record_get(rec, "git"), "sha"), "given",
		  "an existing git section is left as it is");
	cJSON_Delete(rec);

	fp = fopen(path, "w");
	fputs("{\"git\":", fp);
	fclose(fp);
	mlci_set_quiet(1);
	CHECK_INT(mlci_tool_read_record(path, &rec), -MLCI_EXIT_INPUT, "a malformed record is bad input");
	mlci_set_quiet(0);
	CHECK(rec == NULL, "no record on error");
	unlink(path);
	if (chdir("/"))
		return 1;
	rmdir(dir);
	return unit_done();
}
