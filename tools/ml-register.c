/* SPDX-License-Identifier: MIT */
/* ml-register: log the record's run into MLflow and register its model; move aliases, tag and list versions; fetch a registered model back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common-main.h"
#include "gitctx.h"
#include "gha.h"
#include "json.h"
#include "markdown.h"
#include "now.h"
#include "parse-options.h"
#include "record.h"
#include "strbuf.h"
#include "register.h"
#include "tool.h"
#include "tracking.h"
#include "usage.h"
#include "wrapper.h"

static const char *const register_usage[] = {
	"ml-register [options] --experiment <base> [--model <base> [--alias <alias>]]",
	"ml-register [options] --set-alias <alias> [--model-version <n>] --model <base>",
	"ml-register [options] --tag-version <key>=<value> [--model-version <n>] --model <base>",
	"ml-register [options] --list-versions --model <base>",
	"ml-register [options] --get models:/<name>@<alias> --out <dir>",
	"ml-register [options] --replay <dir>",
	"",
	"Log the run the record describes into MLflow (tags, params, metric\n"
	"histories, artifacts), register its model version with an alias, and\n"
	"add the register section to the record; or change, list or fetch\n"
	"registered versions.",
	NULL
};

/* One summary row: | name | value | (a missing value is "-"). */
static void summary_row(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addf(sb, "| %s | ", name);
	mlci_md_cell(sb, value ? value : "-");
	strbuf_addstr(sb, " |\n");
}

static void outputs(const cJSON *sec)
{
	const cJSON *m = mlci_json_get_object(sec, "model");
	struct strbuf sb = STRBUF_INIT;

	if (!mlci_gha_enabled())
		return;
	strbuf_addstr(&sb, "### ml-register\n\n| | |\n|---|---|\n");
	summary_row(&sb, "tracking", mlci_json_get_string(sec, "tracking_uri"));
	summary_row(&sb, "experiment", mlci_json_get_string(sec, "experiment_name"));
	summary_row(&sb, "run", mlci_json_get_string(sec, "run_id"));
	summary_row(&sb, "model", mlci_json_get_string(m, "name"));
	summary_row(&sb, "version", mlci_json_get_string(m, "version"));
	summary_row(&sb, "alias", mlci_json_get_string(m, "alias"));
	if (mlci_json_get_string(sec, "spooled"))
		summary_row(&sb, "spooled in", mlci_json_get_string(sec, "spooled"));
	strbuf_addch(&sb, '\n');
	mlci_gha_summary(sb.buf);
	strbuf_release(&sb);
	mlci_gha_set_output("run_id", mlci_json_get_string(sec, "run_id"));
	mlci_gha_set_output("experiment_name",
			    mlci_json_get_string(sec, "experiment_name"));
	mlci_gha_set_output("model_name", mlci_json_get_string(m, "name"));
	mlci_gha_set_output("model_version", mlci_json_get_string(m, "version"));
	mlci_gha_set_output("model_uri", mlci_json_get_string(m, "uri"));
}

/* The register section of rec, created when missing (borrowed). */
static cJSON *section_of(cJSON *rec)
{
	cJSON *s = mlci_record_get(rec, "register");

	if (!cJSON_IsObject(s)) {
		s = cJSON_CreateObject();
		mlci_record_set(rec, "register", s);
	}
	return s;
}

/*
 * The tracking server is unreachable: log the run into the spool instead,
 * under an idempotency key that --replay keeps.
 */
static int spool_run(const struct mlci_register_options *o, const char *dir,
		     const cJSON *rec, cJSON **sec)
{
	struct mlci_register_options so = *o;
	char *uri = mlci_register_spool_uri(dir), *key = NULL, id[33];
	int ret;

	if (!o->idempotency_key && !(key = mlci_register_job_key(
		     o->experiment_name ? o->experiment_name : o->experiment))) {
		mlci_tracking_new_run_id(id);
		key = xstrfmt("spool/%s", id);
	}
	so.tracking_uri = uri;
	so.artifact_root = NULL;
	so.idempotency_key = key ? key : o->idempotency_key;
	ret = mlci_register_run(&so, rec, sec);
	if (!ret)
		ret = mlci_register_spool_add(dir, *sec, so.idempotency_key);
	if (!ret) {
		mlci_json_set_string(*sec, "spooled", dir);
		mlci_warning("the tracking server is unreachable: the run is spooled in '%s'; send it with 'ml-register --replay %s'",
			     dir, dir);
	} else if (*sec) {
		cJSON_Delete(*sec);
		*sec = NULL;
	}
	free(uri);
	free(key);
	return ret;
}

int cmd_main(int argc, char **argv)
{
	const char *input = NULL, *set_alias = NULL, *tag = NULL, *get = NULL;
	const char *out_dir = NULL, *version = NULL, *spool = NULL, *replay = NULL;
	const char *deadline = NULL;
	double seconds;
	int pretty = 0, list = 0;
	struct mlci_register_options o = { 0 };
	struct mlci_option options[] = {
		OPT_STRING(0, "tracking-uri", &o.tracking_uri, "uri",
			   "the tracking store (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)"),
		OPT_STRING(0, "artifact-root", &o.artifact_root, "dir",
			   "where a new SQLite store's experiments keep artifacts (default: ./mlruns)"),
		OPT_STRING('e', "experiment", &o.experiment, "base",
			   "the experiment's base name, named after the branch (Banking-feature-x)"),
		OPT_STRING(0, "experiment-name", &o.experiment_name, "name",
			   "the experiment's literal name"),
		OPT_STRING('m', "model", &o.model, "base",
			   "the registered model's base name, named after the branch"),
		OPT_STRING(0, "model-name", &o.model_name, "name",
			   "the registered model's literal name"),
		OPT_STRING('a', "alias", &o.alias, "alias",
			   "point <alias> at the new version (candidate, champion)"),
		OPT_STRING(0, "stage", &o.stage, "stage",
			   "also move the new version to <stage> (Staging, Production), archiving the one before: for servers without aliases"),
		OPT_STRING(0, "run-name", &o.run_name, "name",
			   "the run's name (default: <model type>-<short sha>)"),
		OPT_STRING(0, "idempotency-key", &o.idempotency_key, "key",
			   "take the run tagged with <key> again instead of starting another"),
		OPT_FLAG('n', "dry-run", &o.dry_run, "say what would change, change nothing"),
		OPT_FLAG(0, "force", &o.force, "log the run even when an upstream verdict failed"),
		OPT_STRING(0, "deadline", &deadline, "seconds",
			   "give up on the tracking server after <seconds> in all (exit 5)"),
		OPT_STRING(0, "spool", &spool, "dir",
			   "when the tracking server is unreachable, log into <dir> for --replay"),
		OPT_STRING('i', "input", &input, "file",
			   "read the record from <file> (- for standard input)"),
		OPT_FLAG(0, "pretty", &pretty, "indent the record"),
		OPT_GROUP("Registry operations"),
		OPT_STRING(0, "set-alias", &set_alias, "alias",
			   "point <alias> of the model at --model-version"),
		OPT_STRING(0, "tag-version", &tag, "key=value",
			   "set a tag on --model-version"),
		OPT_STRING(0, "model-version", &version, "n",
			   "the version --set-alias and --tag-version act on (default: the record's)"),
		OPT_FLAG(0, "list-versions", &list,
			 "list the model's versions with their runs' metrics (register.versions)"),
		OPT_STRING(0, "get", &get, "models:/...",
			   "fetch a registered model (models:/<name>@<alias> or models:/<name>/<n>)"),
		OPT_STRING(0, "out", &out_dir, "dir", "where --get writes the model file"),
		OPT_STRING(0, "replay", &replay, "dir",
			   "send the runs spooled in <dir> to the tracking store (register.replayed)"),
		OPT_END()
	};
	cJSON *rec = NULL, *sec = NULL, *versions = NULL;
	char *model = NULL, *key = NULL;
	int ret = 0, nops, ops;

	nops = mlci_parse_options(argc, argv, options, register_usage);
	if (nops == MLCI_PARSE_EXIT)
		return 0;
	if (nops < 0)
		return MLCI_EXIT_USAGE;
	ops = !!set_alias + !!tag + !!list + !!get + !!replay;
	if (nops > 0 || ops > 1 || (get && !out_dir) || (out_dir && !get) ||
	    (version && !set_alias && !tag) ||
	    (!ops && !o.experiment && !o.experiment_name) ||
	    ((set_alias || tag || list) && !o.model && !o.model_name)) {
		mlci_error(MLCI_EXIT_USAGE, nops > 0 ? "unexpected argument" :
			   ops > 1 ? "give one of --set-alias, --tag-version, --list-versions, --get, --replay" :
			   get || out_dir ? "--get and --out go together" :
			   version ? "--model-version goes with --set-alias or --tag-version" :
			   !ops ? "no experiment: give --experiment or --experiment-name" :
			   "no model: give --model or --model-name");
		mlci_usage_error(options, register_usage);
		return MLCI_EXIT_USAGE;
	}
	if (deadline) {
		if (mlci_parse_double(deadline, &seconds) || !(seconds > 0)) {
			mlci_error(MLCI_EXIT_USAGE,
				   "--deadline '%s': expected a number of seconds above 0",
				   deadline);
			return MLCI_EXIT_USAGE;
		}
		mlci_tracking_set_deadline(mlci_monotonic() + seconds);
	}
	if ((ret = mlci_tool_read_record(input, &rec)))
		goto out;
	if (!ops) {
		ret = mlci_register_run(&o, rec, &sec);
		if (ret == -MLCI_EXIT_REMOTE && spool)
			ret = spool_run(&o, spool, rec, &sec);
		if (ret < 0)
			goto out;
		if (ret == 0)
			outputs(sec);
		mlci_record_set(rec, "register", sec);
		goto write;
	}
	if (replay) {
		if ((ret = mlci_register_replay(replay, o.tracking_uri, &versions)))
			goto out;
		mlci_json_set(section_of(rec), "replayed", versions);
		goto write;
	}
	if (get) {
		struct mlci_register_fetched f;

		ret = mlci_register_fetch(o.tracking_uri, get, out_dir, &f);
		if (ret == MLCI_REGISTER_NOT_FOUND)
			ret = mlci_error(MLCI_EXIT_INPUT, "no registered model version '%s' in %s",
					 get, mlci_register_tracking_uri(o.tracking_uri));
		if (ret)
			goto out;
		fprintf(stderr, "%s: version %s of '%s' -> %s\n", mlci_progname,
			f.version, f.name, f.model_path);
		mlci_json_set(section_of(rec), "fetched", mlci_register_fetched_json(&f));
		if (mlci_gha_enabled()) {
			mlci_gha_set_output("model_version", f.version);
			mlci_gha_set_output("model_path", f.model_path);
		}
		mlci_register_fetched_release(&f);
		goto write;
	}
	model = o.model_name ? xstrdup(o.model_name)
		: mlci_git_derive_name(mlci_record_get(rec, "git"), o.model);
	if (list) {
		if ((ret = mlci_register_list_versions(o.tracking_uri, model, &versions)))
			goto out;
		mlci_json_set(section_of(rec), "versions", versions);
		goto write;
	}
	if (!version) {
		const cJSON *m = mlci_json_get_object(mlci_record_get(rec, "register"), "model");

		if (!m || !mlci_json_get_string(m, "version") ||
		    strcmp(mlci_json_get_string(m, "name") ? mlci_json_get_string(m, "name") : "", model)) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "no --model-version, and the record registered no version of '%s'",
					 model);
			goto out;
		}
		version = mlci_json_get_string(m, "version");
	}
	if (set_alias) {
		ret = mlci_register_set_alias(o.tracking_uri, model, set_alias,
					      version, o.dry_run);
	} else {
		const char *eq = strchr(tag, '=');

		if (!eq || eq == tag) {
			ret = mlci_error(MLCI_EXIT_USAGE, "--tag-version wants <key>=<value>, not '%s'", tag);
			goto out;
		}
		key = xstrndup(tag, (size_t)(eq - tag));
		ret = mlci_register_tag_version(o.tracking_uri, model, version, key,
						eq + 1, o.dry_run);
	}
	if (ret)
		goto out;
	if (set_alias && !o.dry_run) {
		cJSON *m = mlci_json_get_object(section_of(rec), "model");

		if (m && !strcmp(mlci_json_get_string(m, "version") ?
				 mlci_json_get_string(m, "version") : "", version))
			mlci_json_set_string(m, "alias", set_alias);
	}
write:
	if (mlci_tool_write_record(rec, pretty))
		ret = -MLCI_EXIT_SYSTEM;
out:
	free(model);
	free(key);
	cJSON_Delete(rec);
	return mlci_exit_code(ret);
}
