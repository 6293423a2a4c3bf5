/* SPDX-License-Identifier: MIT */
/* ml-train: train models from a config, write a model file and predictions, and add the train section to the record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common-main.h"
#include "gha.h"
#include "json.h"
#include "parse-options.h"
#include "record.h"
#include "strbuf.h"
#include "tool.h"
#include "train.h"
#include "usage.h"

static const char *const train_usage[] = {
	"ml-train [options] --config <file>",
	"ml-train --predict <model.json> --data <file.csv> --output <file.csv>",
	"",
	"Train the models a config describes, pick the best by cross-validation,\n"
	"write the model file and the test-set predictions, and add the train\n"
	"section to the record; or predict a CSV file with a saved model.",
	NULL
};

static void report(const cJSON *sec)
{
	const cJSON *m = mlci_json_get_object(sec, "metrics");
	const char *keys[] = { "accuracy", "f1_macro", "roc_auc", "rmse", "r2", NULL };
	double v;
	int i;

	for (i = 0; keys[i]; i++)
		if (!mlci_json_get_number(m, keys[i], &v))
			fprintf(stderr, "%s: test %s: %.4f\n", mlci_progname, keys[i], v);
	if (!mlci_gha_enabled())
		return;
	mlci_gha_set_output("model_path", mlci_json_get_string(sec, "model_path"));
	mlci_gha_set_output("model_type", mlci_json_get_string(sec, "model_type"));
	{
		struct strbuf sb = STRBUF_INIT;

		mlci_train_render_markdown(sec, &sb);
		mlci_gha_summary(sb.buf);
		strbuf_release(&sb);
	}
}

int cmd_main(int argc, char **argv)
{
	const char *input = NULL, *config = NULL, *out_dir = "model";
	const char *predict = NULL, *data = NULL, *output = NULL, *format = NULL;
	int pretty = 0, force = 0;
	struct mlci_option options[] = {
		OPT_STRING('c', "config", &config, "file",
			   "the training config (YAML or JSON)"),
		OPT_STRING('o', "out", &out_dir, "dir",
			   "write model.json and predictions.csv into <dir> (default: model)"),
		OPT_STRING('i', "input", &input, "file",
			   "read the record from <file> (- for standard input)"),
		OPT_FLAG(0, "force", &force,
			 "train even when the data failed validation"),
		OPT_FLAG(0, "pretty", &pretty, "indent the record"),
		OPT_GROUP("Prediction with a saved model"),
		OPT_STRING(0, "predict", &predict, "model.json",
			   "predict with the model file instead of training"),
		OPT_STRING(0, "data", &data, "file.csv", "the rows to predict"),
		OPT_STRING(0, "output", &output, "file.csv",
			   "write the predictions to <file.csv> (- for standard output)"),
		OPT_STRING(0, "format", &format, "csv|jsonl",
			   "the predictions' format (default: jsonl for a .jsonl or .ndjson file, else csv)"),
		OPT_END()
	};
	struct mlci_train_options topt = { NULL, NULL, 0 };
	cJSON *rec = NULL, *sec = NULL;
	int ret = 0, nops;

	nops = mlci_parse_options(argc, argv, options, train_usage);
	if (nops == MLCI_PARSE_EXIT)
		return 0;
	if (nops < 0)
		return MLCI_EXIT_USAGE;
	if (nops > 0) {
		mlci_error(MLCI_EXIT_USAGE, "unexpected argument '%s'", argv[0]);
		mlci_usage_error(options, train_usage);
		return MLCI_EXIT_USAGE;
	}
	if (predict) {
		if (!data || !output || config) {
			mlci_error(MLCI_EXIT_USAGE,
				   "--predict needs --data and --output, and no --config");
			mlci_usage_error(options, train_usage);
			return MLCI_EXIT_USAGE;
		}
		return mlci_exit_code(mlci_train_predict(predict, data, output,
							 format));
	}
	if (!config || data || output || format) {
		mlci_error(MLCI_EXIT_USAGE, config ? "--data, --output and --format go with --predict"
			   : "no --config given");
		mlci_usage_error(options, train_usage);
		return MLCI_EXIT_USAGE;
	}

	ret = mlci_tool_read_record(input, &rec);
	if (ret)
		goto out;
	topt.config_path = config;
	topt.out_dir = out_dir;
	topt.force = force;
	ret = mlci_train_run(&topt, rec, &sec);
	if (ret < 0)
		goto out;
	if (ret == 0)
		report(sec);
	mlci_record_set(rec, "train", sec);
	sec = NULL;
	{
		int wret = mlci_tool_write_record(rec, pretty);

		if (wret)
			ret = wret;
	}
out:
	cJSON_Delete(sec);
	cJSON_Delete(rec);
	return mlci_exit_code(ret);
}
