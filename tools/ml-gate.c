/* SPDX-License-Identifier: MIT */
/* ml-gate: judge a run's metrics by rules, absolute or against a baseline. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

#include "atomic.h"
#include "common-main.h"
#include "config.h"
#include "gate-chart.h"
#include "gate-stats.h"
#include "gate.h"
#include "gha.h"
#include "http.h"
#include "github.h"
#include "json.h"
#include "parse-options.h"
#include "record.h"
#include "register.h"
#include "rules.h"
#include "strbuf.h"
#include "tool.h"
#include "train.h"
#include "usage.h"
#include "wrapper.h"

#define METRICS_MAX (64u << 20)
#define COMMENT_MARKER "<!-- mlci:ml-gate -->"

/* The steps whose failure stops the gate (unless --force). */
static const char *const upstream_sections[] = { "validate", "train", NULL };

static const char *const gate_usage[] = {
	"ml-gate [options] <rule>...",
	"ml-gate [options] --config <file> [<rule>...]",
	"",
	"Judge a run's metrics by rules such as 'accuracy >= 0.70' or\n"
	"'f1_macro >= baseline - 0.01', and add the verdict to the record.",
	NULL
};

struct gate_rules {
	struct mlci_rule *items;
	size_t nr, alloc;
};

static void rules_release(struct gate_rules *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		mlci_rule_release(&r->items[i]);
	free(r->items);
}

/* Add the rule in text; code is the exit status for a malformed one. */
static int add_rule(struct gate_rules *r, const char *text, const char *file,
		    long line, int code)
{
	char err[256];
	struct mlci_rule rule;

	if (mlci_rule_parse(text, &rule, err, sizeof(err))) {
		if (file)
			return mlci_error(code, "%s:%ld: invalid rule '%s': %s",
					  file, line, text, err);
		return mlci_error(code, "invalid rule '%s': %s", text, err);
	}
	rule.file = file;
	rule.line = line;
	ALLOC_GROW(r->items, r->nr + 1, r->alloc);
	r->items[r->nr++] = rule;
	return 0;
}

/*
 * Rules from a config file: {rules: [...], missing: fail|skip}. The config
 * stays loaded while the rules point at its path.
 */
static int load_config(struct mlci_config *cfg, struct gate_rules *rules,
		       int *missing_skip)
{
	const cJSON *root = mlci_config_root(cfg), *it, *list;

	if (!cJSON_IsObject(root))
		return mlci_config_error(cfg, root, MLCI_EXIT_INPUT,
					 "expected a mapping with 'rules'");
	cJSON_ArrayForEach(it, root) {
		if (strcmp(it->string, "rules") && strcmp(it->string, "missing"))
			return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						 "unknown key '%s' (known: rules, missing)",
						 it->string);
	}
	it = cJSON_GetObjectItemCaseSensitive(root, "missing");
	if (it) {
		if (!cJSON_IsString(it) || (strcmp(it->valuestring, "fail") &&
					    strcmp(it->valuestring, "skip")))
			return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						 "'missing' must be 'fail' or 'skip'");
		*missing_skip = !strcmp(it->valuestring, "skip");
	}
	list = cJSON_GetObjectItemCaseSensitive(root, "rules");
	if (!cJSON_IsArray(list))
		return mlci_config_error(cfg, list ? list : root, MLCI_EXIT_INPUT,
					 "'rules' must be a list of rules");
	cJSON_ArrayForEach(it, list) {
		int ret;

		if (!cJSON_IsString(it))
			return mlci_config_error(cfg, it, MLCI_EXIT_INPUT,
						 "a rule must be a string such as 'accuracy >= 0.7'");
		ret = add_rule(rules, it->valuestring, mlci_config_path(cfg),
			       mlci_config_line(cfg, it), MLCI_EXIT_INPUT);
		if (ret)
			return ret;
	}
	return 0;
}

static int read_metrics_file(const char *path, const char *what, cJSON **doc,
			     const cJSON **metrics)
{
	int ret = mlci_json_read_file(path, METRICS_MAX, doc);

	if (ret)
		return ret;
	*metrics = mlci_gate_find_metrics(*doc);
	if (!*metrics)
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s '%s' has no metrics: expected a record with train.metrics or an object of metrics",
				  what, path);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Remove the folder a fetched baseline model was downloaded into. */
static void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ml-train's model file: {"format": 1, "producer": ..., "model": ...}. */
static int is_model_file(const cJSON *doc)
{
	return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "format")) &&
	       cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "producer")) &&
	       cJSON_GetObjectItemCaseSensitive(doc, "model");
}

/* Where the baseline's predictions on the candidate's test rows come from. */
struct baseline_src {
	const char *predictions;	/* a predictions file on the same rows */
	const char *model;		/* else a model file to score them with */
	char *tmp;			/* the scored rows, removed at the end */
};

/*
 * The baseline's predictions on the candidate's rows: its own file when
 * the baseline record was tested on the same data (same digest), else its
 * model scored on the candidate's test file into a temporary file.
 */
static int baseline_predictions(struct baseline_src *b, const char *test_path,
				const char **out)
{
	const char *dir = getenv("TMPDIR");
	int fd, ret;

	*out = NULL;
	if (b->predictions) {
		*out = b->predictions;
		return 0;
	}
	if (!b->model || !test_path)
		return 0;
	b->tmp = xstrfmt("%s/ml-gate-baseline-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(b->tmp);
	if (fd < 0) {
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot create '%s'", b->tmp);
		free(b->tmp);
		b->tmp = NULL;
		return ret;
	}
	close(fd);
	ret = mlci_train_predict(b->model, test_path, b->tmp, "csv");
	if (ret)
		return ret;
	*out = b->tmp;
	return 0;
}

/*
 * The Mermaid chart of the first rule's metric over the registered model's
 * versions, when the record names the model (its register section). The
 * store is read only; a failure to read it is a warning: the verdict
 * stands without the chart.
 */
static char *version_chart(const cJSON *rec, const char *tracking_uri,
			   const struct gate_rules *rules, const cJSON *metrics,
			   const char *baseline_name)
{
	const cJSON *reg = mlci_record_get(rec, "register");
	const cJSON *model = mlci_json_get_object(reg, "model");
	const char *name = mlci_json_get_string(model, "name");
	const char *uri = tracking_uri;
	struct mlci_gate_chart_point *pts;
	struct strbuf sb = STRBUF_INIT;
	double cand = NAN;
	size_t n;

	if (!name)
		name = baseline_name;
	if (!name || !rules->nr)
		return NULL;
	if (!uri)
		uri = getenv("MLFLOW_TRACKING_URI");
	if (!uri || !*uri)
		uri = mlci_json_get_string(reg, "tracking_uri");
	if (!uri)
		uri = mlci_register_tracking_uri(NULL);
	mlci_json_get_number(metrics, rules->items[0].metric, &cand);
	if (mlci_gate_chart_points(uri, name, rules->items[0].metric, cand,
				   mlci_json_get_string(model, "version"),
				   &pts, &n)) {
		mlci_warning("no chart of the model's versions: the tracking store could not be read");
		return NULL;
	}
	mlci_gate_chart_render(name, rules->items[0].metric, pts, n, &sb);
	mlci_gate_chart_free(pts, n);
	return strbuf_detach(&sb, NULL);
}

static void report(const cJSON *gate, const struct gate_rules *rules,
		   size_t failed, const char *chart)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *r;
	size_t i = 0;
	char *list;

	if (failed)
		fprintf(stderr, "%s: failed: %zu of %zu rules\n", mlci_progname,
			failed, rules->nr);
	else
		fprintf(stderr, "%s: passed: %zu rules\n", mlci_progname,
			rules->nr);
	mlci_gate_render_text(gate, &sb);
	fputs(sb.buf, stderr);
	if (!mlci_gha_enabled()) {
		strbuf_release(&sb);
		return;
	}
	strbuf_reset(&sb);
	mlci_gate_render_markdown(gate, &sb);
	if (chart)
		strbuf_addstr(&sb, chart);
	mlci_gha_summary(sb.buf);
	strbuf_reset(&sb);
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(gate, "rules")) {
		const struct mlci_rule *rule = &rules->items[i++];

		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")) ||
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "skipped")))
			continue;
		strbuf_addf(&sb, "%s\n", rule->text);
		mlci_gha_annotate(MLCI_GHA_ERROR, rule->file, rule->line,
				  "ml-gate", "rule '%s' failed: %s", rule->text,
				  mlci_json_get_string(r, "reason"));
	}
	list = strbuf_detach(&sb, NULL);
	if (*list)
		list[strlen(list) - 1] = '\0';
	mlci_gha_set_output("ok", failed ? "false" : "true");
	mlci_gha_set_output("failed_rules", list);
	free(list);
}

int cmd_main(int argc, char **argv)
{
	const char *input = NULL, *metrics_path = NULL, *baseline_path = NULL;
	const char *config_path = NULL, *missing = "fail";
	const char *baseline_preds = NULL, *tracking_uri = NULL;
	char *chart = NULL, *fetch_dir = NULL, *note = NULL;
	struct mlci_register_fetched fetched;
	int fetched_ok = 0, require_baseline = 0, no_baseline = 0;
	int pretty = 0, comment = 0, force = 0, missing_skip = 0, no_stats = 0;
	double alpha = 0.05, effect = 0.01;
	long resamples = 2000, seed = 0;
	struct mlci_option options[] = {
		OPT_STRING('i', "input", &input, "file",
			   "read the record from <file> (- for standard input)"),
		OPT_STRING('m', "metrics", &metrics_path, "file",
			   "take the run's metrics from <file> (a record or an object of metrics)"),
		OPT_STRING('b', "baseline", &baseline_path, "file",
			   "compare with the baseline in <file> (a record, a model file or an object of metrics)"),
		OPT_FLAG(0, "require-baseline", &require_baseline,
			 "fail when the registered baseline does not exist (default: pass without it)"),
		OPT_STRING(0, "baseline-predictions", &baseline_preds, "file",
			   "the baseline's predictions on the candidate's test rows"),
		OPT_STRING('c', "config", &config_path, "file",
			   "read rules from <file> (YAML or JSON)"),
		OPT_STRING(0, "missing", &missing, "fail|skip",
			   "what a metric missing from the run does to its rule (default: fail)"),
		OPT_FLAG(0, "no-stats", &no_stats,
			 "compare the point estimates only, without paired tests"),
		OPT_DOUBLE(0, "alpha", &alpha, "p",
			   "significance level of the paired tests (default: 0.05)"),
		OPT_LONG(0, "resamples", &resamples, "n",
			 "bootstrap resamples (default: 2000)"),
		OPT_LONG(0, "seed", &seed, "n",
			 "seed of the bootstrap (default: 0)"),
		OPT_DOUBLE(0, "effect", &effect, "d",
			   "the difference a test set should be able to detect, for rules without a margin (default: 0.01)"),
		OPT_STRING(0, "tracking-uri", &tracking_uri, "uri",
			   "the tracking store of the registered model (default: MLFLOW_TRACKING_URI, the record's)"),
		OPT_FLAG(0, "comment", &comment,
			 "post or update the pull request's gate comment"),
		OPT_FLAG(0, "force", &force,
			 "judge even when an earlier step failed"),
		OPT_FLAG(0, "pretty", &pretty, "indent the record"),
		OPT_END()
	};
	struct gate_rules rules = { NULL, 0, 0 };
	struct baseline_src bsrc = { NULL, NULL, NULL };
	struct mlci_gate_pairs pairs;
	struct mlci_gate_stats_opts sopts;
	const char *cand_preds = NULL, *test_path = NULL, *base_preds = NULL;
	cJSON *computed = NULL;
	int paired = 0, regression = 0;
	struct mlci_config *cfg = NULL;
	cJSON *rec = NULL, *metrics_doc = NULL, *baseline_doc = NULL;
	cJSON *gate = NULL, *results, *base;
	const cJSON *metrics = NULL, *baseline = NULL, *train = NULL;
	const char *upstream;
	size_t failed = 0, i;
	int ret = 0, nops, uses_baseline = 0;

	memset(&fetched, 0, sizeof(fetched));
	mlci_gate_pairs_init(&pairs);
	nops = mlci_parse_options(argc, argv, options, gate_usage);
	if (nops == MLCI_PARSE_EXIT)
		return 0;
	if (nops < 0)
		return MLCI_EXIT_USAGE;
	if (strcmp(missing, "fail") && strcmp(missing, "skip")) {
		mlci_error(MLCI_EXIT_USAGE, "--missing takes 'fail' or 'skip', not '%s'",
			   missing);
		return MLCI_EXIT_USAGE;
	}
	missing_skip = !strcmp(missing, "skip");
	if (!(alpha > 0 && alpha < 1) || resamples < 1 || resamples > 1000000 ||
	    seed < 0 || !(effect > 0 && effect < 1)) {
		mlci_error(MLCI_EXIT_USAGE,
			   "--alpha and --effect take a number between 0 and 1, --resamples 1 to 1000000, --seed a number >= 0");
		return MLCI_EXIT_USAGE;
	}
	mlci_gate_stats_opts_init(&sopts);
	sopts.alpha = alpha;
	sopts.effect = effect;
	sopts.resamples = (size_t)resamples;
	sopts.seed = (uint64_t)seed;
	bsrc.predictions = baseline_preds;

	/* 1. The rules: from the config file, then from the command line. */
	if (config_path) {
		ret = mlci_config_load(config_path, &cfg);
		if (!ret)
			ret = load_config(cfg, &rules, &missing_skip);
		if (ret)
			goto out;
	}
	for (i = 0; i < (size_t)nops; i++) {
		ret = add_rule(&rules, argv[i], NULL, 0, MLCI_EXIT_USAGE);
		if (ret)
			goto out;
	}
	if (!rules.nr) {
		mlci_error(MLCI_EXIT_USAGE, "no rules given");
		mlci_usage_error(options, gate_usage);
		ret = -MLCI_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < rules.nr; i++)
		uses_baseline |= rules.items[i].uses_baseline;
	if (uses_baseline && !baseline_path && !baseline_preds) {
		ret = mlci_error(MLCI_EXIT_USAGE,
				 "a rule compares with 'baseline' but no --baseline was given");
		goto out;
	}

	/* 2. The record, the run's metrics and the baseline's. */
	ret = mlci_tool_read_record(input, &rec);
	if (ret)
		goto out;
	upstream = mlci_tool_failed_upstream(rec, upstream_sections);
	if (upstream && !force) {
		char *why = xstrfmt("the '%s' step failed or was skipped; not judging (--force judges anyway)",
				    upstream);

		mlci_warning("%s", why);
		mlci_record_set(rec, "gate", mlci_tool_skipped_section(why));
		free(why);
		ret = mlci_tool_write_record(rec, pretty);
		if (!ret)
			ret = MLCI_EXIT_VERDICT;
		goto out;
	}
	if (metrics_path) {
		ret = read_metrics_file(metrics_path, "metrics file", &metrics_doc,
					&metrics);
		if (ret)
			goto out;
	} else {
		train = mlci_record_get(rec, "train");
		if (!train) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "the record has no 'train' section (give the metrics with --metrics)");
			goto out;
		}
		metrics = mlci_json_get_object(train, "metrics");
		if (!metrics) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "the record's 'train' section has no 'metrics' object");
			goto out;
		}
		cand_preds = mlci_json_get_string(train, "predictions_path");
		test_path = mlci_json_get_string(train, "test_path");
		regression = mlci_json_get_string(train, "task") &&
			     !strcmp(mlci_json_get_string(train, "task"), "regression");
	}
	if (baseline_path && !strncmp(baseline_path, "models:/", 8)) {
		if (!(fetch_dir = mlci_temp_dir("ml-gate-fetch"))) {
			ret = -MLCI_EXIT_SYSTEM;
			goto out;
		}
		ret = mlci_register_fetch(tracking_uri, baseline_path, fetch_dir,
					  &fetched);
		if (ret < 0)
			goto out;
		if (ret == MLCI_REGISTER_NOT_FOUND) {
			/* The very first production model has no baseline yet. */
			char *shown = mlci_http_redact_url(
				mlci_register_tracking_uri(tracking_uri));

			no_baseline = 1;
			note = xstrfmt(require_baseline ?
				       "the baseline '%s' does not exist in %s, and --require-baseline was given" :
				       "the baseline '%s' does not exist yet in %s: rules against it are skipped (the first model passes; --require-baseline fails instead)",
				       baseline_path, shown);
			mlci_warning("%s", note);
			free(shown);
		} else {
			fetched_ok = 1;
			baseline = fetched.metrics;
			bsrc.model = fetched.model_path;
		}
		ret = 0;
	} else if (baseline_path) {
		ret = mlci_json_read_file(baseline_path, METRICS_MAX, &baseline_doc);
		if (ret)
			goto out;
		if (is_model_file(baseline_doc)) {
			bsrc.model = baseline_path;
		} else {
			const cJSON *bt = mlci_json_get_object(baseline_doc, "train");
			const char *bs = mlci_json_get_string(bt, "test_sha256");
			const char *cs = mlci_json_get_string(train, "test_sha256");

			baseline = mlci_gate_find_metrics(baseline_doc);
			if (!baseline) {
				ret = mlci_error(MLCI_EXIT_INPUT,
						 "baseline '%s' has no metrics: expected a record with train.metrics, a model file or an object of metrics",
						 baseline_path);
				goto out;
			}
			/* Its own predictions only when tested on the very same rows. */
			if (bt && !bsrc.predictions && bs && cs && !strcmp(bs, cs))
				bsrc.predictions = mlci_json_get_string(bt, "predictions_path");
			if (bt && !bsrc.predictions)
				bsrc.model = mlci_json_get_string(bt, "model_path");
		}
	}

	/* Both models' predictions on the same rows, for the paired tests. */
	if (cand_preds && (baseline_path || baseline_preds) &&
	    (!no_stats || !baseline)) {
		ret = baseline_predictions(&bsrc, test_path, &base_preds);
		if (ret)
			goto out;
		if (base_preds) {
			ret = mlci_gate_pairs_load(cand_preds, base_preds,
						   regression, &pairs);
			if (ret)
				goto out;
			paired = !no_stats;
		}
	}
	if (!baseline && pairs.n && !no_baseline) {
		/* A model file or bare predictions: the metrics of its predictions. */
		const cJSON *it;

		computed = cJSON_CreateObject();
		if (!computed)
			mlci_die("out of memory");
		cJSON_ArrayForEach(it, metrics) {
			double c, b;
			int r = pairs.n ? mlci_gate_pairs_metric(&pairs, it->string,
								  &c, &b) : 0;

			if (r < 0) {
				ret = r;
				goto out;
			}
			if (r > 0 && isfinite(b))
				mlci_json_set_number(computed, it->string, b);
		}
		baseline = computed;
	}

	/* 3. The verdict. */
	results = mlci_gate_evaluate(rules.items, rules.nr, metrics, baseline,
				     missing_skip, &failed);
	if (no_baseline) {
		cJSON *r = results->child;

		failed = 0;
		for (i = 0; i < rules.nr; i++, r = r->next) {
			if (rules.items[i].uses_baseline) {
				mlci_json_set_bool(r, "ok", 0);
				if (!require_baseline)
					mlci_json_set_bool(r, "skipped", 1);
				mlci_json_set_string(r, "reason", note);
			}
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")) &&
			    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "skipped")))
				failed++;
		}
		if (require_baseline && !failed)
			failed = 1;
	}
	if (paired) {
		cJSON *r = results->child;

		failed = 0;
		for (i = 0; i < rules.nr; i++, r = r->next) {
			ret = mlci_gate_stats_judge(&rules.items[i], &pairs, &sopts, r);
			if (ret < 0)
				goto out;
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")) &&
			    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "skipped")))
				failed++;
		}
		ret = 0;
	}
	gate = cJSON_CreateObject();
	if (!gate)
		mlci_die("out of memory");
	mlci_json_set_bool(gate, "ok", failed == 0);
	if (fetched_ok) {
		base = mlci_register_fetched_json(&fetched);
		if (!base)
			mlci_die("out of memory");
		/* The download is removed at the end: its path would mislead. */
		cJSON_DeleteItemFromObjectCaseSensitive(base, "model_path");
		mlci_json_set_string(base, "uri", baseline_path);
		mlci_json_set(gate, "baseline", base);
	} else if (baseline) {
		base = cJSON_CreateObject();
		if (!base)
			mlci_die("out of memory");
		mlci_json_set_string(base, "path",
				     baseline_path ? baseline_path : baseline_preds);
		mlci_json_set(base, "metrics", cJSON_Duplicate(baseline, 1));
		mlci_json_set(gate, "baseline", base);
	} else {
		mlci_json_set_null(gate, "baseline");
	}
	if (note)
		mlci_json_set_string(gate, "note", note);
	if (paired) {
		cJSON *st = cJSON_CreateObject();

		if (!st)
			mlci_die("out of memory");
		mlci_json_set_string(st, "candidate_predictions", cand_preds);
		mlci_json_set_string(st, "baseline_predictions",
				     bsrc.tmp ? "(scored from the baseline model)" : base_preds);
		mlci_json_set_number(st, "rows", (double)pairs.n);
		mlci_json_set_number(st, "alpha", alpha);
		mlci_json_set_number(st, "resamples", (double)resamples);
		mlci_json_set_number(st, "seed", (double)seed);
		mlci_json_set(gate, "stats", st);
	} else {
		mlci_json_set_null(gate, "stats");
	}
	mlci_json_set(gate, "rules", results);
	if (comment || mlci_gha_enabled())
		chart = version_chart(rec, tracking_uri, &rules, metrics,
				      fetched_ok ? fetched.name : NULL);
	report(gate, &rules, failed, chart);

	if (comment) {
		struct strbuf md = STRBUF_INIT;

		mlci_gate_render_markdown(gate, &md);
		if (chart)
			strbuf_addstr(&md, chart);
		ret = mlci_github_comment(COMMENT_MARKER, md.buf);
		strbuf_release(&md);
		if (ret < 0)
			goto out;
	}

	/* 4. The record, with this program's section. */
	mlci_record_set(rec, "gate", gate);
	gate = NULL;
	ret = mlci_tool_write_record(rec, pretty);
	if (!ret && failed)
		ret = MLCI_EXIT_VERDICT;
out:
	cJSON_Delete(gate);
	cJSON_Delete(rec);
	cJSON_Delete(metrics_doc);
	cJSON_Delete(baseline_doc);
	cJSON_Delete(computed);
	free(chart);
	free(note);
	mlci_register_fetched_release(&fetched);
	if (fetch_dir) {
		remove_tree(fetch_dir);
		free(fetch_dir);
	}
	mlci_gate_pairs_release(&pairs);
	if (bsrc.tmp) {
		unlink(bsrc.tmp);
		free(bsrc.tmp);
	}
	mlci_config_free(cfg);
	rules_release(&rules);
	return mlci_exit_code(ret);
}
