/* SPDX-License-Identifier: MIT */
/* The record: one JSON object read from stdin, extended, written to stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "record.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

static const char *const section_order[] = {
	"mlci", "git", "data", "validate", "train", "register", "gate",
	"canary", "wheel", NULL
};

static size_t record_max(void)
{
	const char *s = getenv("MLCI_RECORD_MAX");
	long v;

	if (s && !mlci_parse_long(s, 1, 0x7fffffffL, &v))
		return (size_t)v;
	return MLCI_RECORD_MAX_DEFAULT;
}

static cJSON *new_record(void)
{
	cJSON *rec = cJSON_CreateObject();

	if (!rec)
		mlci_die("out of memory");
	mlci_json_set_number(rec, "mlci", MLCI_RECORD_VERSION);
	return rec;
}

static int only_space(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(" \t\r\n", buf[i]))
			return 0;
	return 1;
}

static int check_version(cJSON *rec, const char *what)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, "mlci");

	if (!v) {
		mlci_json_set_number(rec, "mlci", MLCI_RECORD_VERSION);
		return 0;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
	    v->valuedouble != (double)(long)v->valuedouble)
		return mlci_error(MLCI_EXIT_INPUT,
				  "record on %s: \"mlci\" must be a version number",
				  what);
	if (v->valuedouble > MLCI_RECORD_VERSION)
		return mlci_error(MLCI_EXIT_INPUT,
				  "record on %s has format version %ld; this program reads version %d",
				  what, (long)v->valuedouble, MLCI_RECORD_VERSION);
	return 0;
}

int mlci_record_parse(const char *buf, size_t len, const char *what,
		      cJSON **out)
{
	const char *dup;
	cJSON *rec;
	int ret;

	*out = NULL;
	if (only_space(buf, len)) {
		*out = new_record();
		return 0;
	}
	ret = mlci_json_parse(buf, len, what, &rec);
	if (ret)
		return ret;
	if (!cJSON_IsObject(rec)) {
		cJSON_Delete(rec);
		return mlci_error(MLCI_EXIT_INPUT,
				  "malformed record on %s: not a JSON object", what);
	}
	dup = mlci_json_duplicate_key(rec);
	if (dup) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "malformed record on %s: section '%s' appears twice",
				 what, dup);
		cJSON_Delete(rec);
		return ret;
	}
	ret = check_version(rec, what);
	if (ret) {
		cJSON_Delete(rec);
		return ret;
	}
	*out = rec;
	return 0;
}

int mlci_record_read(const char *path, cJSON **out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *what;
	FILE *fp;
	int ret;

	*out = NULL;
	if (!path) {
		if (isatty(STDIN_FILENO)) {
			*out = new_record();
			return 0;
		}
		path = "-";
	}
	if (!strcmp(path, "-")) {
		fp = stdin;
		what = "standard input";
	} else {
		fp = fopen(path, "rb");
		if (!fp)
			return mlci_error_errno(errno == ENOENT || errno == EACCES ?
						MLCI_EXIT_INPUT : MLCI_EXIT_SYSTEM,
						"cannot open '%s'", path);
		what = path;
	}
	ret = strbuf_read_file_cap(&sb, fp, record_max());
	if (ret == -1)
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot read %s", what);
	else if (ret == -2)
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "record on %s is larger than %zu bytes",
				 what, record_max());
	else
		ret = mlci_record_parse(sb.buf, sb.len, what, out);
	if (fp != stdin)
		fclose(fp);
	strbuf_release(&sb);
	return ret;
}

void mlci_record_set(cJSON *rec, const char *name, cJSON *section)
{
	mlci_json_set(rec, name, section);
}

cJSON *mlci_record_get(const cJSON *rec, const char *name)
{
	return mlci_json_get_object(rec, name);
}

static int known_section(const char *name)
{
	size_t i;

	for (i = 0; section_order[i]; i++)
		if (!strcmp(section_order[i], name))
			return 1;
	return 0;
}

char *mlci_record_print(const cJSON *rec, int pretty)
{
	struct strbuf out = STRBUF_INIT;
	cJSON *copy = cJSON_CreateObject();
	const cJSON *it;
	size_t i;

	if (!copy)
		mlci_die("out of memory");
	/*
	 * Build the output order over references, so that the caller's tree
	 * is left as it is and nothing is copied.
	 */
	for (i = 0; section_order[i]; i++) {
		it = cJSON_GetObjectItemCaseSensitive(rec, section_order[i]);
		if (it && !cJSON_AddItemReferenceToObject(copy, it->string,
							   (cJSON *)it))
			mlci_die("out of memory");
	}
	for (it = rec->child; it; it = it->next)
		if (it->string && !known_section(it->string) &&
		    !cJSON_AddItemReferenceToObject(copy, it->string, (cJSON *)it))
			mlci_die("out of memory");
	mlci_json_print(copy, pretty, &out);
	strbuf_addch(&out, '\n');
	cJSON_Delete(copy);
	return strbuf_detach(&out, NULL);
}

int mlci_record_write(FILE *fp, const cJSON *rec, int pretty)
{
	char *text = mlci_record_print(rec, pretty);
	size_t len = strlen(text);
	int ret = 0;

	if (fwrite(text, 1, len, fp) != len)
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM,
				       "write error on standard output");
	free(text);
	return ret;
}
