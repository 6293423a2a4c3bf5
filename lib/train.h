/* SPDX-License-Identifier: MIT */
/* ml-train's orchestration: config, data, preprocessing, model selection, metrics, the model file, predictions and the record's train section. */
#ifndef MLCI_TRAIN_H
#define MLCI_TRAIN_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * What to train (ml-train's options).
 *   config_path: the config file (YAML or JSON), as given; relative paths
 *     inside it resolve against its folder.
 *   out_dir: where model.json, predictions.csv (and test.csv with split:)
 *     are written; created when missing (one level).
 *   force: train even when the record says the data failed validation.
 */
struct mlci_train_options {
	const char *config_path;
	const char *out_dir;
	int force;
};

/*
 * Train as the config says, write the files into opt->out_dir atomically,
 * and set *section (the caller's) to the record's new train section. rec
 * (borrowed) is read for the data, validate and git sections.
 *
 * Returns 0; MLCI_EXIT_VERDICT (positive) with *section a skipped section
 * when the record says the training file failed validation and
 * opt->force is not set; or a negative exit code with the message
 * printed and *section NULL: -MLCI_EXIT_INPUT for a config that does not
 * parse or names an unknown key, model type or parameter (file:line, the
 * valid ones listed), data that cannot be loaded or trained on (one
 * class, NaN or Inf text, a missing column); -MLCI_EXIT_SYSTEM for I/O.
 */
int mlci_train_run(const struct mlci_train_options *opt, const cJSON *rec,
		   cJSON **section);

/*
 * Check a training config held in buf (len bytes, named name in messages,
 * relative paths against name's folder) as mlci_train_run() would, without
 * reading any data: 0, or -MLCI_EXIT_INPUT with the message printed.
 */
int mlci_train_config_check(const char *buf, size_t len, const char *name);

/*
 * Predict the rows of the CSV file data_path with the model file at
 * model_path, writing to output_path atomically ("-": standard output)
 * in format "csv" or "jsonl" (NULL: jsonl when output_path ends in
 * ".jsonl" or ".ndjson", else csv). csv is ml-train's predictions file
 * (row, truth, prediction, then proba_<class> or decision_<class>
 * columns; truth empty when the file has no target column); jsonl is one
 * object a row: {"row", "truth" (null without a target), "prediction",
 * "proba" or "decision": {class: value}}. Returns 0, or a negative exit
 * code with the message printed: -MLCI_EXIT_USAGE for another format,
 * -MLCI_EXIT_INPUT for a model file that is not one (the offending key
 * named) or a feature column missing from the data (named).
 */
int mlci_train_predict(const char *model_path, const char *data_path,
		       const char *output_path, const char *format);

/*
 * The train section sec as Markdown for the GitHub step summary, appended
 * to sb: a heading with the model and rows, the test metrics, and the
 * candidates' cross-validation scores when several were tried.
 */
struct strbuf;
void mlci_train_render_markdown(const cJSON *sec, struct strbuf *sb);

#endif
