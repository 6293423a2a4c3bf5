/* SPDX-License-Identifier: MIT */
/* The steps every program shares: read the record, fill git, write it. */
#include <stdio.h>

#include "gha.h"
#include "gitctx.h"
#include "json.h"
#include "record.h"
#include "tool.h"
#include "usage.h"

int mlci_tool_read_record(const char *input, cJSON **rec)
{
	int ret = mlci_record_read(input, rec);

	if (ret)
		return ret;
	ret = mlci_git_ensure_section(*rec);
	if (ret) {
		cJSON_Delete(*rec);
		*rec = NULL;
	}
	return ret;
}

int mlci_tool_write_record(const cJSON *rec, int pretty)
{
	int ret = mlci_record_write(stdout, rec, pretty);

	mlci_gha_flush();
	return ret;
}

const char *mlci_tool_failed_upstream(const cJSON *rec,
				      const char *const *sections)
{
	for (; *sections; sections++) {
		const cJSON *s = mlci_record_get(rec, *sections);

		if (s && (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "ok")) ||
			  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "skipped"))))
			return *sections;
	}
	return NULL;
}

cJSON *mlci_tool_skipped_section(const char *reason)
{
	cJSON *s = cJSON_CreateObject();

	if (!s)
		mlci_die("out of memory");
	mlci_json_set_bool(s, "ok", 0);
	mlci_json_set_bool(s, "skipped", 1);
	mlci_json_set_string(s, "reason", reason);
	return s;
}
