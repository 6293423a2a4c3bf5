/* SPDX-License-Identifier: MIT */
/* ml-validate: check a CSV dataset against a schema, profile it, and test it for drift. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "common-main.h"
#include "json.h"
#include "parse-options.h"
#include "record.h"
#include "schema.h"
#include "tool.h"
#include "usage.h"
#include "validate-report.h"
#include "validate.h"
#include "wrapper.h"

static const char *const validate_usage[] = {
	"ml-validate [options] <data.csv>",
	"ml-validate [options] --merge-stats <stats.json>...",
	"",
	"Check a CSV dataset against a schema, profile its columns, and test\n"
	"it for drift against reference data; add the verdict to the record.",
	NULL
};

/* Is path a statistics file written by --write-stats (JSON), not a CSV? */
static int is_stats_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char buf[64];
	size_t n, i;

	if (!fp)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	for (i = 0; i < n && strchr(" \t\r\n", buf[i]); i++)
		;
	return i < n && buf[i] == '{' && strstr(buf, "mlci_stats");
}

static int parse_renames(const struct mlci_strlist *l, struct mlci_rename **out,
			 size_t *n)
{
	size_t i;

	*out = xcalloc(l->nr ? l->nr : 1, sizeof(**out));
	*n = 0;
	for (i = 0; i < l->nr; i++) {
		const char *eq = strchr(l->items[i], '=');

		if (!eq || eq == l->items[i] || !eq[1])
			return mlci_error(MLCI_EXIT_USAGE,
					  "--rename takes OLD=NEW, not '%s'", l->items[i]);
		(*out)[*n].from = xstrndup(l->items[i], (size_t)(eq - l->items[i]));
		(*out)[*n].to = xstrdup(eq + 1);
		(*n)++;
	}
	return 0;
}

static void renames_free(struct mlci_rename *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].from);
		free(r[i].to);
	}
	free(r);
}


int cmd_main(int argc, char **argv)
{
	const char *input = NULL, *schema_path = NULL, *infer_path = NULL;
	const char *output_data = NULL, *write_stats = NULL, *reference = NULL;
	const char *drift_test = NULL, *delimiter = NULL;
	double drift_threshold = NAN, drift_share = NAN;
	long max_examples = 5, max_record = 0;
	int pretty = 0, merge = 0, exact = 0;
	struct mlci_strlist select = MLCI_STRLIST_INIT, renames = MLCI_STRLIST_INIT;
	struct mlci_option options[] = {
		OPT_STRING('i', "input", &input, "file",
			   "read the record from <file> (- for standard input)"),
		OPT_STRING('s', "schema", &schema_path, "file",
			   "check the data against the schema in <file> (YAML or JSON)"),
		OPT_STRING(0, "infer-schema", &infer_path, "file",
			   "write a schema inferred from the data to <file> (.json: JSON, else YAML)"),
		OPT_STRING(0, "output-data", &output_data, "file",
			   "write the processed CSV (selected, renamed columns) to <file>"),
		OPT_LIST(0, "select", &select, "column",
			 "keep this source column (repeatable; the order is the output's)"),
		OPT_LIST(0, "rename", &renames, "old=new",
			 "rename a source column (repeatable)"),
		OPT_STRING('d', "delimiter", &delimiter, "char",
			   "field delimiter (default ',', or the schema's)"),
		OPT_STRING('r', "reference", &reference, "file",
			   "test drift against <file>: a CSV, or statistics from --write-stats"),
		OPT_STRING(0, "drift-test", &drift_test, "test",
			   "ks, chisquare, ztest, wasserstein, jensenshannon or psi, for every column it fits"),
		OPT_DOUBLE(0, "drift-threshold", &drift_threshold, "x",
			   "the threshold of --drift-test (default: the test's)"),
		OPT_DOUBLE(0, "drift-share", &drift_share, "x",
			   "dataset drift when this share of columns drifted (default 0.5)"),
		OPT_FLAG(0, "exact-drift", &exact,
			 "keep every numeric value, so drift tests are exact on any size (memory grows)"),
		OPT_STRING(0, "write-stats", &write_stats, "file",
			   "save the statistics, mergeable, to <file>"),
		OPT_FLAG(0, "merge-stats", &merge,
			 "the operands are statistics files to merge, not data"),
		OPT_LONG(0, "max-examples", &max_examples, "n",
			 "offending rows shown per violation (default 5)"),
		OPT_LONG(0, "max-record-bytes", &max_record, "n",
			 "refuse longer records (default 16 MiB)"),
		OPT_FLAG(0, "pretty", &pretty, "indent the record"),
		OPT_END()
	};
	struct mlci_schema schema = MLCI_SCHEMA_INIT;
	struct mlci_validate_options vo = MLCI_VALIDATE_OPTIONS_INIT;
	struct mlci_validate_result res;
	struct mlci_stats ref = { 0 };
	struct mlci_rename *rn = NULL, *allrn = NULL;
	size_t nrn = 0, i;
	cJSON *rec = NULL, *data = NULL, *val = NULL, *drift = NULL;
	const char *data_path = NULL;
	int ret = 0, nops, have_schema = 0, drifted = 0, ok;
	enum mlci_drift_test test = MLCI_DRIFT_KS;

	memset(&res, 0, sizeof(res));
	nops = mlci_parse_options(argc, argv, options, validate_usage);
	if (nops == MLCI_PARSE_EXIT)
		return 0;
	if (nops < 0)
		return MLCI_EXIT_USAGE;
	if ((!merge && nops != 1) || (merge && nops < 1)) {
		mlci_error(MLCI_EXIT_USAGE, merge ? "--merge-stats needs statistics files"
						   : nops ? "one data file, please"
							  : "no data file given");
		mlci_usage_error(options, validate_usage);
		ret = -MLCI_EXIT_USAGE;
		goto out;
	}
	if (delimiter && (strlen(delimiter) != 1 || strchr("\"\r\n", *delimiter))) {
		ret = mlci_error(MLCI_EXIT_USAGE, "--delimiter takes one character, not '%s'",
				 delimiter);
		goto out;
	}
	if (drift_test && mlci_drift_test_parse(drift_test, &test)) {
		ret = mlci_error(MLCI_EXIT_USAGE,
				 "unknown --drift-test '%s' (known: ks, chisquare, ztest, wasserstein, jensenshannon, psi)",
				 drift_test);
		goto out;
	}
	if (!isnan(drift_threshold) && !drift_test) {
		ret = mlci_error(MLCI_EXIT_USAGE, "--drift-threshold needs --drift-test");
		goto out;
	}
	if (!isnan(drift_share) && !(drift_share > 0 && drift_share <= 1)) {
		ret = mlci_error(MLCI_EXIT_USAGE, "--drift-share takes a number in (0, 1]");
		goto out;
	}
	if (max_examples < 1 || max_examples > 1000 || max_record < 0) {
		ret = mlci_error(MLCI_EXIT_USAGE,
				 "--max-examples takes 1 to 1000, --max-record-bytes a positive size");
		goto out;
	}
	if (merge && (schema_path || output_data || infer_path)) {
		ret = mlci_error(MLCI_EXIT_USAGE,
				 "--merge-stats works on statistics: no --schema, --output-data or --infer-schema");
		goto out;
	}
	ret = parse_renames(&renames, &rn, &nrn);
	if (ret)
		goto out;

	/* 1. The schema, then the record. */
	if (schema_path) {
		ret = mlci_schema_load(schema_path, &schema);
		if (ret)
			goto out;
		have_schema = 1;
	}
	ret = mlci_tool_read_record(input, &rec);
	if (ret)
		goto out;

	/* 2. The data, or the statistics to merge. */
	vo.schema = have_schema ? &schema : NULL;
	vo.delimiter = delimiter ? *delimiter : 0;
	vo.max_record = (size_t)max_record;
	vo.select = select.nr ? select.items : NULL;
	vo.nselect = select.nr;
	vo.rename = rn;
	vo.nrename = nrn;
	vo.max_examples = (size_t)max_examples;
	vo.output_data = output_data;
	vo.exact = exact;
	vo.want_sha256 = 1;
	if (merge) {
		for (i = 0; i < (size_t)nops; i++) {
			struct mlci_stats one;

			ret = mlci_stats_read(argv[i], &one);
			if (!ret)
				ret = mlci_stats_merge(&res.stats, &one, argv[i]);
			mlci_stats_release(&one);
			if (ret)
				goto out;
		}
		res.rows = res.stats.rows;
	} else {
		data_path = argv[0];
		ret = mlci_validate_file(data_path, &vo, &res);
		if (ret)
			goto out;
		res.stats.rows = res.rows;
	}

	/* 3. Drift against the reference. */
	if (reference) {
		struct mlci_drift_options dopt;

		if (is_stats_file(reference)) {
			ret = mlci_stats_read(reference, &ref);
		} else {
			struct mlci_validate_options ro = vo;
			struct mlci_validate_result rr;
			size_t k;

			/* The reference is read as the data was: same parser, same types. */
			ro.schema = NULL;
			ro.output_data = NULL;
			ro.want_sha256 = 0;
			ro.types_from = &res.stats;
			if (have_schema) {
				ro.delimiter = vo.delimiter ? vo.delimiter : schema.delimiter;
				if (!ro.select && schema.select) {
					ro.select = (const char *const *)schema.select;
					ro.nselect = schema.nselect;
				}
				allrn = xcalloc(schema.nrename + nrn + 1, sizeof(*allrn));
				for (k = 0; k < schema.nrename; k++)
					allrn[k] = schema.rename[k];
				for (k = 0; k < nrn; k++)
					allrn[schema.nrename + k] = rn[k];
				ro.rename = allrn;
				ro.nrename = schema.nrename + nrn;
			}
			ret = mlci_validate_file(reference, &ro, &rr);
			if (!ret) {
				ref = rr.stats;
				ref.rows = rr.rows;
				memset(&rr.stats, 0, sizeof(rr.stats));
			}
			mlci_validate_result_release(&rr);
		}
		if (ret)
			goto out;
		memset(&dopt, 0, sizeof(dopt));
		dopt.schema = have_schema ? &schema : NULL;
		dopt.has_test = drift_test != NULL;
		dopt.test = test;
		dopt.threshold = drift_threshold;
		dopt.share = !isnan(drift_share) ? drift_share
			   : have_schema && !isnan(schema.drift_share) ? schema.drift_share
			   : 0.5;
		ret = mlci_validate_drift(&res.stats, &ref, &dopt, &drift, &drifted);
		if (ret)
			goto out;
		mlci_json_set_string(drift, "reference", reference);
	}

	/* 4. Files asked for. */
	if (write_stats && (ret = mlci_stats_write(&res.stats, write_stats)))
		goto out;
	if (infer_path) {
		size_t n = strlen(infer_path);
		int json = n >= 5 && !strcmp(infer_path + n - 5, ".json");
		char *text = mlci_infer_schema(&res, !json);

		ret = mlci_atomic_write_file(infer_path, text, strlen(text));
		free(text);
		if (ret)
			goto out;
	}

	/* 5. The sections. */
	ok = res.nviolations == 0 && !drifted;
	data = cJSON_CreateObject();
	if (data_path) {
		mlci_json_set_string(data, "path", data_path);
		mlci_json_set_string(data, "sha256", res.sha256);
	} else {
		mlci_json_set_null(data, "path");
		mlci_json_set_null(data, "sha256");
	}
	mlci_json_set_number(data, "rows", (double)res.rows);
	{
		cJSON *cols = cJSON_CreateArray();

		for (i = 0; i < res.stats.ncols; i++) {
			const struct mlci_colstats *c = &res.stats.cols[i];
			const struct mlci_schema_column *sc =
				have_schema ? mlci_schema_column(&schema, c->name) : NULL;
			cJSON *o = cJSON_CreateObject();

			mlci_json_set_string(o, "name", c->name);
			mlci_json_set_string(o, "type",
					     mlci_type_name(sc ? sc->type : mlci_infer_type(c)));
			cJSON_AddItemToArray(cols, o);
		}
		mlci_json_set(data, "columns", cols);
	}
	if (schema_path)
		mlci_json_set_string(data, "schema_path", schema_path);
	else
		mlci_json_set_null(data, "schema_path");
	if (output_data)
		mlci_json_set_string(data, "processed_path", output_data);
	else
		mlci_json_set_null(data, "processed_path");

	val = cJSON_CreateObject();
	mlci_json_set_bool(val, "ok", ok);
	mlci_json_set(val, "violations", mlci_violations_json(&res));
	mlci_json_set(val, "stats", mlci_stats_view(&res.stats));
	if (drift) {
		mlci_json_set(val, "drift", drift);
		drift = NULL;
	} else {
		mlci_json_set_null(val, "drift");
	}

	{
		const cJSON *dj = cJSON_GetObjectItem(val, "drift");
		const char *what = data_path ? data_path : "merged statistics";

		if (cJSON_IsNull(dj))
			dj = NULL;
		mlci_validate_report(what, &res, dj, ok);
	}

	mlci_record_set(rec, "data", data);
	mlci_record_set(rec, "validate", val);
	data = val = NULL;
	ret = mlci_tool_write_record(rec, pretty);
	if (!ret && !ok)
		ret = MLCI_EXIT_VERDICT;
out:
	cJSON_Delete(data);
	cJSON_Delete(val);
	cJSON_Delete(drift);
	cJSON_Delete(rec);
	mlci_validate_result_release(&res);
	mlci_stats_release(&ref);
	mlci_schema_release(&schema);
	renames_free(rn, nrn);
	free(allrn);
	mlci_strlist_release(&select);
	mlci_strlist_release(&renames);
	return mlci_exit_code(ret);
}
