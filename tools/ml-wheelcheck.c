/* SPDX-License-Identifier: MIT */
/* ml-wheelcheck: check a built wheel, check that its version is new on the index, publish it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common-main.h"
#include "gha.h"
#include "json.h"
#include "markdown.h"
#include "parse-options.h"
#include "pyindex.h"
#include "record.h"
#include "strbuf.h"
#include "tool.h"
#include "usage.h"
#include "wheel.h"
#include "wrapper.h"

/* The steps whose failure stops a publish (the check itself still runs). */
static const char *const upstream_sections[] = {
	"validate", "train", "gate", NULL
};

static const char *const wheelcheck_usage[] = {
	"ml-wheelcheck [options] <wheel>",
	"ml-wheelcheck [options] --index <url> [--publish <url> [--dry-run]] <wheel>",
	"",
	"Check a built wheel in one pass (zip container, file name, WHEEL,\n"
	"METADATA, every RECORD hash, contents), check that its version is new\n"
	"on a package index, and publish it only when everything passed.",
	NULL
};

static void report(const struct mlci_wheel *w, const cJSON *section)
{
	struct strbuf md = STRBUF_INIT;
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(section, "index");
	const cJSON *pub = cJSON_GetObjectItemCaseSensitive(section, "published");
	size_t i;

	for (i = 0; i < w->nr; i++) {
		const struct mlci_wheel_finding *f = &w->findings[i];

		fprintf(stderr, "%s: %s %s: %s\n", mlci_progname, f->code,
			f->severity == MLCI_WHEEL_ERROR ? "error" : "warning",
			f->message);
	}
	fprintf(stderr, "%s: %s: %s (%zu errors, %zu warnings, %llu files)\n",
		mlci_progname, w->filename, w->errors ? "rejected" : "passed",
		w->errors, w->warnings, (unsigned long long)w->files);
	if (!mlci_gha_enabled())
		return;
	strbuf_addf(&md, "### ml-wheelcheck: `%s` %s\n\n", w->filename,
		    w->errors ? "rejected" : "passed");
	strbuf_addf(&md, "%zu errors, %zu warnings; %llu files, sha256 `%s`\n\n",
		    w->errors, w->warnings, (unsigned long long)w->files,
		    w->sha256);
	if (cJSON_IsObject(idx)) {
		const char *latest = mlci_json_get_string(idx, "latest");

		strbuf_addf(&md, "Index: latest release %s; this version is %s\n\n",
			    latest ? latest : "none",
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(idx, "is_new")) ?
			    "new" : "**not new**");
	}
	if (cJSON_IsTrue(pub))
		strbuf_addstr(&md, "Published.\n\n");
	if (w->nr) {
		strbuf_addstr(&md, "| code | severity | file | message |\n|---|---|---|---|\n");
		for (i = 0; i < w->nr; i++) {
			const struct mlci_wheel_finding *f = &w->findings[i];

			strbuf_addf(&md, "| %s | %s | `", f->code,
				    f->severity == MLCI_WHEEL_ERROR ? "error" : "warning");
			mlci_md_cell(&md, f->file);
			strbuf_addstr(&md, "` | ");
			mlci_md_cell(&md, f->message);
			strbuf_addstr(&md, " |\n");
			mlci_gha_annotate(f->severity == MLCI_WHEEL_ERROR ?
					  MLCI_GHA_ERROR : MLCI_GHA_WARNING,
					  w->path, 0, f->code, "%s: %s", f->file ? f->file : w->filename,
					  f->message);
		}
	}
	mlci_gha_summary(md.buf);
	mlci_gha_set_output("ok", w->errors ? "false" : "true");
	mlci_gha_set_output("version", w->version);
	mlci_gha_set_output("sha256", w->sha256);
	mlci_gha_set_output("published", cJSON_IsTrue(pub) ? "true" : "false");
	strbuf_release(&md);
}

static int parse_size(const char *opt, const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v, mul = 1;

	if (!s || !*s || *s == '-')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		goto bad;
	if (*end == 'k' || *end == 'K')
		mul = 1ULL << 10;
	else if (*end == 'M')
		mul = 1ULL << 20;
	else if (*end == 'G')
		mul = 1ULL << 30;
	else if (*end)
		goto bad;
	if (mul > 1 && end[1])
		goto bad;
	if (v > ~0ULL / mul)
		goto bad;
	*out = v * mul;
	return 0;
bad:
	return mlci_error(MLCI_EXIT_USAGE, "%s takes a size such as 512M, not '%s'",
			  opt, s ? s : "");
}

int cmd_main(int argc, char **argv)
{
	const char *input = NULL, *index_url = NULL, *publish_url = NULL;
	const char *max_size = NULL;
	double max_ratio = -1;
	int pretty = 0, dry_run = 0, force = 0;
	struct mlci_wheel_options wo = MLCI_WHEEL_OPTIONS_INIT;
	struct mlci_option options[] = {
		OPT_STRING('i', "input", &input, "file",
			   "read the record from <file> (- for standard input)"),
		OPT_GROUP("Checks"),
		OPT_FLAG(0, "strict", &wo.strict,
			 "make the contents findings (W...) errors"),
		OPT_STRING(0, "select", &wo.select, "codes",
			   "report only these contents codes (comma-separated, prefixes allowed)"),
		OPT_STRING(0, "ignore", &wo.ignore, "codes",
			   "do not report these contents codes"),
		OPT_STRING(0, "package", &wo.package, "dir",
			   "compare the library with this source package tree (W101, W102)"),
		OPT_STRING(0, "toplevel", &wo.toplevel, "names",
			   "the expected top-level library entries, comma-separated (W201, W202)"),
		OPT_STRING(0, "max-size", &max_size, "bytes",
			   "largest total uncompressed size (default 4G; 0: no limit)"),
		OPT_DOUBLE(0, "max-ratio", &max_ratio, "n",
			   "largest compression ratio of an entry over 1M (default 200; 0: no limit)"),
		OPT_GROUP("Index"),
		OPT_STRING(0, "index", &index_url, "url",
			   "check that the version is new on this simple index"),
		OPT_STRING(0, "publish", &publish_url, "url",
			   "upload the wheel here when every check passed and the version is new"),
		OPT_FLAG('n', "dry-run", &dry_run, "say what would be uploaded, upload nothing"),
		OPT_FLAG(0, "force", &force, "publish even when an earlier step failed"),
		OPT_GROUP("Output"),
		OPT_FLAG(0, "pretty", &pretty, "indent the record"),
		OPT_END()
	};
	struct mlci_wheel w;
	struct mlci_pyindex_result idx;
	cJSON *rec = NULL, *section = NULL;
	int ret = 0, nops, have_idx = 0;

	mlci_wheel_init(&w);
	mlci_pyindex_result_init(&idx);
	nops = mlci_parse_options(argc, argv, options, wheelcheck_usage);
	if (nops == MLCI_PARSE_EXIT)
		return 0;
	if (nops < 0)
		return MLCI_EXIT_USAGE;
	if (nops != 1) {
		if (nops)
			mlci_error(MLCI_EXIT_USAGE, "expected one wheel, got %d", nops);
		else
			mlci_error(MLCI_EXIT_USAGE, "no wheel given");
		mlci_usage_error(options, wheelcheck_usage);
		return MLCI_EXIT_USAGE;
	}
	if (max_size) {
		unsigned long long v = 0;

		if (parse_size("--max-size", max_size, &v))
			return MLCI_EXIT_USAGE;
		wo.limits.max_total = v;
	}
	if (max_ratio >= 0)
		wo.limits.max_ratio = max_ratio;
	if (dry_run && !publish_url) {
		mlci_error(MLCI_EXIT_USAGE, "--dry-run needs --publish");
		return MLCI_EXIT_USAGE;
	}

	ret = mlci_tool_read_record(input, &rec);
	if (ret)
		goto out;
	ret = mlci_wheel_check(&w, argv[0], &wo);
	if (ret)
		goto out;
	section = mlci_wheel_to_json(&w);

	if (index_url) {
		const char *url = index_url;

		if (!w.name || !w.version) {
			mlci_json_set_null(section, "index");
		} else {
			ret = mlci_pyindex_check(url, w.name, w.version, w.filename, &idx);
			if (ret)
				goto out;
			have_idx = 1;
			if (!idx.is_new)
				mlci_wheel_add(&w, &wo, "I001", w.filename,
					       "version %s is not newer than %s, the latest release on %s",
					       w.version, idx.latest, url);
			if (idx.file_exists)
				mlci_wheel_add(&w, &wo, "I002", w.filename,
					       "'%s' already exists on %s", w.filename, url);
		}
	}
	cJSON_Delete(section);
	section = mlci_wheel_to_json(&w);
	if (have_idx)
		mlci_json_set(section, "index", mlci_pyindex_result_json(&idx));
	else
		mlci_json_set_null(section, "index");

	if (publish_url) {
		const char *upstream = mlci_tool_failed_upstream(rec, upstream_sections);
		cJSON *pub = cJSON_CreateObject();

		mlci_json_set_string(pub, "url", publish_url);
		mlci_json_set_bool(pub, "dry_run", dry_run);
		if (w.errors) {
			mlci_json_set_bool(pub, "uploaded", 0);
			mlci_json_set_string(pub, "reason", "the wheel failed its checks");
		} else if (upstream && !force) {
			char *why = xstrfmt("the '%s' step failed or was skipped", upstream);

			mlci_json_set_bool(pub, "uploaded", 0);
			mlci_json_set_string(pub, "reason", why);
			mlci_warning("not publishing: %s (--force publishes anyway)", why);
			free(why);
			w.errors++;
		} else if (dry_run) {
			fprintf(stderr, "%s: would upload '%s' (%llu bytes, sha256 %s) to %s\n",
				mlci_progname, w.path, (unsigned long long)w.size,
				w.sha256, publish_url);
			mlci_json_set_bool(pub, "uploaded", 0);
			mlci_json_set_string(pub, "reason", "dry run");
		} else {
			int exists = 0;

			ret = mlci_pyindex_upload(publish_url, w.path, &w, &exists);
			if (ret < 0) {
				cJSON_Delete(pub);
				goto out;
			}
			if (exists) {
				mlci_wheel_add(&w, &wo, "P001", w.filename,
					       "%s already has '%s'", publish_url, w.filename);
				mlci_json_set_bool(pub, "uploaded", 0);
				mlci_json_set_string(pub, "reason", "file already exists");
			} else {
				mlci_json_set_bool(pub, "uploaded", 1);
				mlci_json_set_null(pub, "reason");
			}
		}
		/* Findings added by the index or the upload change the verdict. */
		{
			cJSON *again = mlci_wheel_to_json(&w);

			mlci_json_set(again, "index", cJSON_Duplicate(
				cJSON_GetObjectItemCaseSensitive(section, "index"), 1));
			cJSON_Delete(section);
			section = again;
		}
		mlci_json_set_bool(section, "ok", w.errors == 0);
		mlci_json_set_bool(section, "published",
				   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pub, "uploaded")));
		mlci_json_set(section, "publish", pub);
	} else {
		mlci_json_set_bool(section, "published", 0);
		mlci_json_set_null(section, "publish");
	}

	report(&w, section);
	mlci_record_set(rec, "wheel", section);
	section = NULL;
	ret = mlci_tool_write_record(rec, pretty);
	if (!ret && w.errors)
		ret = MLCI_EXIT_VERDICT;
out:
	cJSON_Delete(section);
	cJSON_Delete(rec);
	mlci_pyindex_result_release(&idx);
	mlci_wheel_release(&w);
	return mlci_exit_code(ret);
}
