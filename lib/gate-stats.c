/* SPDX-License-Identifier: MIT */
/* ml-gate's statistical gate: two models' predictions on the same rows, and the paired test of each rule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "gate-stats.h"
#include "json.h"
#include "metrics.h"
#include "pairtest.h"
#include "usage.h"
#include "wrapper.h"

#define MAX_CLASSES 4096

void mlci_gate_pairs_init(struct mlci_gate_pairs *p)
{
	memset(p, 0, sizeof(*p));
}

void mlci_gate_pairs_release(struct mlci_gate_pairs *p)
{
	size_t i;

	for (i = 0; i < p->k; i++)
		free(p->classes[i]);
	free(p->classes);
	free(p->truth);
	free(p->cand);
	free(p->base);
	free(p->score_cand);
	free(p->score_base);
	free(p->yt);
	free(p->yc);
	free(p->yb);
	mlci_gate_pairs_init(p);
}

/* Class classes[i] of name s, added when absent and fixed is 0; -1 if unknown. */
static int class_of(struct mlci_gate_pairs *p, size_t *alloc, const char *s,
		    int fixed)
{
	size_t i;

	for (i = 0; i < p->k; i++)
		if (!strcmp(p->classes[i], s))
			return (int)i;
	if (fixed || p->k >= MAX_CLASSES)
		return -1;
	ALLOC_GROW(p->classes, p->k + 1, *alloc);
	p->classes[p->k] = xstrdup(s);
	return (int)p->k++;
}

struct pred_file {
	struct mlci_csv csv;
	const char *path;
	size_t ncols;		/* score columns */
	int proba;
};

static int open_pred(struct pred_file *f, const char *path)
{
	int ret;
	size_t i;

	f->path = path;
	ret = mlci_csv_open(&f->csv, path, NULL);
	if (ret)
		return ret;
	ret = mlci_csv_read(&f->csv);
	if (ret < 0)
		return ret;
	if (ret == 0 || f->csv.nfields < 3 ||
	    strcmp(f->csv.field[0], "row") || strcmp(f->csv.field[1], "truth") ||
	    strcmp(f->csv.field[2], "prediction"))
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s:1: not a predictions file: expected the columns row,truth,prediction",
				  path);
	f->ncols = f->csv.nfields - 3;
	for (i = 3; i < f->csv.nfields; i++) {
		int pr = !strncmp(f->csv.field[i], "proba_", 6);

		if (!pr && strncmp(f->csv.field[i], "decision_", 9))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s:1: unexpected column '%s' (expected proba_<class> or decision_<class>)",
					  path, f->csv.field[i]);
		if (i == 3)
			f->proba = pr;
		else if (f->proba != pr)
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s:1: proba_ and decision_ columns mixed",
					  path);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Renumber the classes in sorted order. */
static void sort_classes(struct mlci_gate_pairs *p)
{
	char **sorted = xcalloc(p->k ? p->k : 1, sizeof(*sorted));
	int *map = xcalloc(p->k ? p->k : 1, sizeof(*map));
	size_t i, j;

	memcpy(sorted, p->classes, p->k * sizeof(*sorted));
	qsort(sorted, p->k, sizeof(*sorted), cmp_str);
	for (i = 0; i < p->k; i++)
		for (j = 0; j < p->k; j++)
			if (sorted[j] == p->classes[i])
				map[i] = (int)j;
	for (i = 0; i < p->n; i++) {
		p->truth[i] = map[p->truth[i]];
		p->cand[i] = map[p->cand[i]];
		p->base[i] = map[p->base[i]];
	}
	free(p->classes);
	p->classes = sorted;
	free(map);
}

static int parse_num(struct pred_file *f, size_t col, double *out)
{
	if (mlci_csv_parse_double(f->csv.field[col], f->csv.len[col], out))
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s:%ld: '%s' is not a finite number", f->path,
				  f->csv.line, f->csv.field[col]);
	return 0;
}

int mlci_gate_pairs_load(const char *cand_path, const char *base_path,
			 int regression, struct mlci_gate_pairs *p)
{
	struct pred_file fc, fb;
	size_t alloc = 0, nalloc = 0, i, fixed = 0;
	int ret;

	mlci_gate_pairs_release(p);
	memset(&fc, 0, sizeof(fc));
	memset(&fb, 0, sizeof(fb));
	p->regression = regression;
	ret = open_pred(&fc, cand_path);
	if (!ret)
		ret = open_pred(&fb, base_path);
	if (ret)
		goto out;
	if (fc.ncols != fb.ncols || fc.proba != fb.proba) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s:1: the baseline's score columns differ from the candidate's in '%s'",
				 base_path, cand_path);
		goto out;
	}
	for (i = 0; i < fc.ncols; i++)
		if (strcmp(fc.csv.field[3 + i], fb.csv.field[3 + i])) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s:1: column '%s' where the candidate's '%s' has '%s'",
					 base_path, fb.csv.field[3 + i], cand_path,
					 fc.csv.field[3 + i]);
			goto out;
		}
	if (!regression && fc.ncols) {
		/* The score columns name the classes, in the model's order. */
		for (i = 0; i < fc.ncols; i++)
			class_of(p, &alloc, fc.csv.field[3 + i] +
				 (fc.proba ? 6 : 9), 0);
		fixed = p->k >= 2;
	}
	p->ncols = regression ? 0 : fc.ncols;
	p->proba = fc.proba;
	for (;;) {
		int rc = mlci_csv_read(&fc.csv), rb = mlci_csv_read(&fb.csv);

		if (rc < 0 || rb < 0) {
			ret = rc < 0 ? rc : rb;
			goto out;
		}
		if (!rc || !rb) {
			if (rc || rb) {
				ret = mlci_error(MLCI_EXIT_INPUT,
						 "'%s' and '%s' hold different numbers of rows: the baseline was not scored on the candidate's test rows",
						 cand_path, base_path);
				goto out;
			}
			break;
		}
		if (fc.csv.nfields != 3 + fc.ncols || fb.csv.nfields != 3 + fc.ncols) {
			struct pred_file *f = fc.csv.nfields != 3 + fc.ncols ? &fc : &fb;

			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s:%ld: %zu fields where the header has %zu",
					 f->path, f->csv.line, f->csv.nfields,
					 3 + fc.ncols);
			goto out;
		}
		if (strcmp(fc.csv.field[0], fb.csv.field[0]) ||
		    strcmp(fc.csv.field[1], fb.csv.field[1])) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s:%ld: row %s with truth '%s' where '%s' has row %s with truth '%s': the predictions are not on the same rows",
					 base_path, fb.csv.line, fb.csv.field[0],
					 fb.csv.field[1], cand_path, fc.csv.field[0],
					 fc.csv.field[1]);
			goto out;
		}
		if (!*fc.csv.field[1]) {
			ret = mlci_error(MLCI_EXIT_INPUT,
					 "%s:%ld: no truth for row %s: paired tests need the test rows' labels",
					 cand_path, fc.csv.line, fc.csv.field[0]);
			goto out;
		}
		if (p->n == nalloc) {
			nalloc = nalloc ? 2 * nalloc : 1024;
			if (regression) {
				p->yt = xrealloc(p->yt, nalloc * sizeof(double));
				p->yc = xrealloc(p->yc, nalloc * sizeof(double));
				p->yb = xrealloc(p->yb, nalloc * sizeof(double));
			} else {
				p->truth = xrealloc(p->truth, nalloc * sizeof(int));
				p->cand = xrealloc(p->cand, nalloc * sizeof(int));
				p->base = xrealloc(p->base, nalloc * sizeof(int));
				if (p->ncols) {
					p->score_cand = xrealloc(p->score_cand,
								 nalloc * p->ncols * sizeof(double));
					p->score_base = xrealloc(p->score_base,
								 nalloc * p->ncols * sizeof(double));
				}
			}
		}
		if (regression) {
			ret = parse_num(&fc, 1, &p->yt[p->n]);
			if (!ret)
				ret = parse_num(&fc, 2, &p->yc[p->n]);
			if (!ret)
				ret = parse_num(&fb, 2, &p->yb[p->n]);
			if (ret)
				goto out;
		} else {
			int t = class_of(p, &alloc, fc.csv.field[1], (int)fixed);
			int c = class_of(p, &alloc, fc.csv.field[2], (int)fixed);
			int b = class_of(p, &alloc, fb.csv.field[2], (int)fixed);

			if (t < 0 || c < 0 || b < 0) {
				struct pred_file *f = b < 0 && t >= 0 && c >= 0 ? &fb : &fc;

				ret = mlci_error(MLCI_EXIT_INPUT,
						 "%s:%ld: a label that is none of the %zu classes of the score columns, or more than %d classes",
						 f->path, f->csv.line, p->k,
						 MAX_CLASSES);
				goto out;
			}
			p->truth[p->n] = t;
			p->cand[p->n] = c;
			p->base[p->n] = b;
			for (i = 0; i < p->ncols; i++) {
				ret = parse_num(&fc, 3 + i,
						&p->score_cand[p->n * p->ncols + i]);
				if (!ret)
					ret = parse_num(&fb, 3 + i,
							&p->score_base[p->n * p->ncols + i]);
				if (ret)
					goto out;
			}
		}
		p->n++;
	}
	if (!p->n) {
		ret = mlci_error(MLCI_EXIT_INPUT, "'%s' holds no rows", cand_path);
		goto out;
	}
	if (!regression && !fixed)
		sort_classes(p);
	ret = 0;
out:
	mlci_csv_release(&fc.csv);
	mlci_csv_release(&fb.csv);
	if (ret)
		mlci_gate_pairs_release(p);
	return ret;
}

/* What a metric name asks for. */
enum kind {
	K_NONE, K_ACCURACY, K_BALANCED, K_PREC_MACRO, K_REC_MACRO, K_F1_MACRO,
	K_PREC_W, K_REC_W, K_F1_W, K_ROC_AUC, K_LOG_LOSS, K_PREC_C, K_REC_C,
	K_F1_C, K_RMSE, K_MAE, K_R2
};

static const struct {
	const char *name;
	enum kind kind;
	int regression;
} names[] = {
	{ "accuracy", K_ACCURACY, 0 },
	{ "balanced_accuracy", K_BALANCED, 0 },
	{ "precision_macro", K_PREC_MACRO, 0 },
	{ "recall_macro", K_REC_MACRO, 0 },
	{ "f1_macro", K_F1_MACRO, 0 },
	{ "precision_weighted", K_PREC_W, 0 },
	{ "recall_weighted", K_REC_W, 0 },
	{ "f1_weighted", K_F1_W, 0 },
	{ "roc_auc", K_ROC_AUC, 0 },
	{ "log_loss", K_LOG_LOSS, 0 },
	{ "rmse", K_RMSE, 1 },
	{ "mae", K_MAE, 1 },
	{ "r2", K_R2, 1 },
};

struct metric_ctx {
	const struct mlci_gate_pairs *p;
	enum kind kind;
	int cls;
};

static enum kind kind_of(const struct mlci_gate_pairs *p, const char *name,
			 int *cls)
{
	static const char *const prefix[] = { "precision.", "recall.", "f1." };
	size_t i, j;

	*cls = -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name))
			return names[i].regression == p->regression ?
			       names[i].kind : K_NONE;
	if (p->regression)
		return K_NONE;
	for (i = 0; i < 3; i++) {
		size_t l = strlen(prefix[i]);

		if (strncmp(name, prefix[i], l))
			continue;
		for (j = 0; j < p->k; j++)
			if (!strcmp(name + l, p->classes[j])) {
				*cls = (int)j;
				return (enum kind)(K_PREC_C + i);
			}
	}
	return K_NONE;
}

/* The proba matrix for mlci_metrics, when the scores are probabilities of every class. */
static const double *proba_of(const struct mlci_gate_pairs *p, const double *s)
{
	return p->proba && p->ncols == p->k ? s : NULL;
}

static int one_metric(const struct metric_ctx *m, const int *pred,
		      const double *score, const double *yp,
		      const struct mlci_metrics_rows *rows, double *out)
{
	const struct mlci_gate_pairs *p = m->p;
	struct mlci_metrics_clf d = { p->n, p->k, p->truth, pred,
				      proba_of(p, score), 0 };
	struct mlci_metrics_clf_result r;
	struct mlci_metric v = { NAN, MLCI_METRICS_DEFINED };
	int ret = 0;

	switch (m->kind) {
	case K_RMSE:
	case K_MAE:
	case K_R2: {
		struct mlci_metrics_reg_result rr;

		ret = mlci_metrics_regress(p->yt, yp, p->n, rows, &rr);
		v = m->kind == K_RMSE ? rr.rmse : m->kind == K_MAE ? rr.mae : rr.r2;
		break;
	}
	case K_ACCURACY:
		ret = mlci_metrics_accuracy(&d, rows, &v);
		break;
	case K_BALANCED:
		ret = mlci_metrics_balanced_accuracy(&d, rows, &v);
		break;
	case K_LOG_LOSS:
		ret = mlci_metrics_log_loss(&d, rows, &v);
		break;
	case K_ROC_AUC:
		if (p->k == 2 && p->ncols)
			ret = mlci_metrics_roc_auc_binary(p->truth, 1,
							  score + (p->ncols == 1 ? 0 : 1),
							  p->ncols, p->n, rows, &v);
		else
			ret = mlci_metrics_roc_auc(&d, rows, &v);
		break;
	default:
		mlci_metrics_clf_result_init(&r);
		ret = mlci_metrics_classify(&d, rows, &r);
		if (ret)
			break;
		switch (m->kind) {
		case K_PREC_MACRO: v = r.precision_macro; break;
		case K_REC_MACRO: v = r.recall_macro; break;
		case K_F1_MACRO: v = r.f1_macro; break;
		case K_PREC_W: v = r.precision_weighted; break;
		case K_REC_W: v = r.recall_weighted; break;
		case K_F1_W: v = r.f1_weighted; break;
		case K_PREC_C: v.value = r.precision[m->cls]; break;
		case K_REC_C: v.value = r.recall[m->cls]; break;
		case K_F1_C: v.value = r.f1[m->cls]; break;
		default: break;
		}
		mlci_metrics_clf_result_release(&r);
		break;
	}
	*out = v.reason == MLCI_METRICS_DEFINED ? v.value : NAN;
	return ret;
}

static int metric_fn(void *ctx, const struct mlci_metrics_rows *rows,
		     double *cand, double *base)
{
	const struct metric_ctx *m = ctx;
	int ret = one_metric(m, m->p->cand, m->p->score_cand, m->p->yc, rows,
			     cand);

	if (!ret)
		ret = one_metric(m, m->p->base, m->p->score_base, m->p->yb, rows,
				 base);
	return ret;
}

static int computable(const struct mlci_gate_pairs *p, enum kind k)
{
	if (k == K_NONE)
		return 0;
	if (k == K_ROC_AUC)
		return p->ncols && (p->k == 2 ? 1 : proba_of(p, p->score_cand) != NULL);
	if (k == K_LOG_LOSS)
		return proba_of(p, p->score_cand) != NULL;
	return 1;
}

int mlci_gate_pairs_metric(const struct mlci_gate_pairs *p, const char *name,
			   double *cand, double *base)
{
	struct metric_ctx m;
	int ret;

	m.p = p;
	m.kind = kind_of(p, name, &m.cls);
	if (!computable(p, m.kind))
		return 0;
	ret = metric_fn(&m, NULL, cand, base);
	return ret ? ret : 1;
}

void mlci_gate_stats_opts_init(struct mlci_gate_stats_opts *o)
{
	o->alpha = 0.05;
	o->resamples = 2000;
	o->seed = 0;
	o->effect = 0.01;
	o->power = 0.8;
}

static void set_num(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		mlci_json_set_number(o, key, v);
	else
		mlci_json_set_null(o, key);
}

int mlci_gate_stats_judge(const struct mlci_rule *rule,
			  const struct mlci_gate_pairs *p,
			  const struct mlci_gate_stats_opts *o, cJSON *res)
{
	struct mlci_pairtest_boot_opts bo;
	struct mlci_pairtest_boot boot;
	struct mlci_pairtest_mcnemar mc;
	struct mlci_pairtest_delong dl;
	struct mlci_pairtest_correct corr = { NULL, NULL };
	unsigned char *ok_c = NULL, *ok_b = NULL;
	struct metric_ctx m;
	const char *test, *interval;
	double sign, cand, base, margin, d, lo, hi, pv = NAN, stat = NAN;
	double threshold, eff;
	uint64_t need;
	int ret, pass, higher, strict = rule->noninferior, use_delong;
	char *reason, *warning = NULL;
	size_t i;

	m.p = p;
	m.kind = kind_of(p, rule->metric, &m.cls);
	if (!rule->uses_baseline || rule->op == MLCI_RULE_EQ ||
	    !computable(p, m.kind)) {
		mlci_json_set_null(res, "test");
		return 0;
	}
	higher = rule->op == MLCI_RULE_GE || rule->op == MLCI_RULE_GT;
	sign = higher ? 1 : -1;
	ret = metric_fn(&m, NULL, &cand, &base);
	if (ret)
		return ret;
	threshold = mlci_rule_threshold(rule, base);
	/* How far the candidate may fall short of the baseline, in its bad direction. */
	margin = sign * (base - threshold);
	if (!isfinite(cand) || !isfinite(base)) {
		mlci_json_set_null(res, "test");
		return 0;
	}

	mlci_pairtest_boot_opts_init(&bo);
	bo.resamples = o->resamples;
	bo.alpha = o->alpha;
	bo.seed = o->seed;
	mlci_pairtest_boot_init(&boot);
	if (m.kind == K_ACCURACY) {
		/* Correctness vectors: resampled accuracy without re-reading labels. */
		ok_c = xmalloc(p->n);
		ok_b = xmalloc(p->n);
		for (i = 0; i < p->n; i++) {
			ok_c[i] = p->cand[i] == p->truth[i];
			ok_b[i] = p->base[i] == p->truth[i];
		}
		corr.cand_ok = ok_c;
		corr.base_ok = ok_b;
	}
	use_delong = m.kind == K_ROC_AUC && p->k == 2;
	if (use_delong) {
		ret = mlci_pairtest_delong(p->truth, 1,
					   p->score_cand + (p->ncols == 1 ? 0 : 1),
					   p->score_base + (p->ncols == 1 ? 0 : 1),
					   p->ncols, p->n, o->alpha, &dl);
		if (ret)
			goto out;
		test = "delong";
		interval = "delong";
		stat = dl.z;
		pv = dl.p_value;
		lo = dl.lower;
		hi = dl.upper;
		cand = dl.auc_cand;
		base = dl.auc_base;
	} else {
		ret = m.kind == K_ACCURACY ?
		      mlci_pairtest_bootstrap(p->n, mlci_pairtest_accuracy_fn,
					      &corr, &bo, &boot) :
		      mlci_pairtest_bootstrap(p->n, metric_fn, &m, &bo, &boot);
		if (ret)
			goto out;
		test = "bootstrap";
		interval = "bootstrap";
		lo = boot.lower;
		hi = boot.upper;
		if (m.kind == K_ACCURACY) {
			struct mlci_pairtest_table t;

			mlci_pairtest_table(ok_c, ok_b, p->n, &t);
			ret = mlci_pairtest_mcnemar(&t, MLCI_PAIRTEST_AUTO, o->alpha,
						    &mc);
			if (ret)
				goto out;
			test = mc.exact ? "mcnemar-exact" : "mcnemar";
			stat = mc.statistic;
			pv = mc.p_value;
		}
	}
	/* Orient the difference so that positive is better. */
	d = sign * (cand - base);
	if (!higher) {
		double t = lo;

		lo = -hi;
		hi = -t;
	}
	if (strict) {
		pass = lo > -margin;
		reason = xstrfmt("%s: the %g%% interval of the difference [%.4g, %.4g] %s %s %.4g",
				 pass ? "non-inferior" : "not shown non-inferior",
				 100 * (1 - o->alpha), sign * (higher ? lo : hi),
				 sign * (higher ? hi : lo),
				 pass ? "lies wholly" : "does not lie wholly",
				 higher ? "above" : "below", -sign * margin);
	} else if (margin != 0 || isnan(pv)) {
		pass = !(hi < -margin);
		reason = xstrfmt("%s: the %g%% interval of the difference [%.4g, %.4g] %s %.4g",
				 pass ? "within the margin" : "significantly worse than the margin",
				 100 * (1 - o->alpha), sign * (higher ? lo : hi),
				 sign * (higher ? hi : lo),
				 pass ? "reaches" : "lies wholly beyond", -sign * margin);
	} else {
		pass = mlci_pairtest_verdict(MLCI_PAIRTEST_NOT_WORSE, d, lo, hi,
					     pv, o->alpha, 0);
		reason = xstrfmt("%s: %s p = %.4g at alpha %g (difference %+.4g)",
				 !pass ? "significantly worse" :
				 d > 0 && pv < o->alpha ? "significantly better" :
				 "not significantly worse",
				 use_delong ? "DeLong" : "McNemar", pv, o->alpha,
				 cand - base);
	}

	eff = margin > 0 ? margin : o->effect;
	if (m.kind == K_ACCURACY) {
		struct mlci_pairtest_table t;

		mlci_pairtest_table(ok_c, ok_b, p->n, &t);
		need = mlci_pairtest_mcnemar_rows_needed(&t, eff, o->alpha,
							 o->power);
	} else {
		need = mlci_pairtest_rows_needed(p->n, lo, hi, eff);
	}
	if (need > p->n)
		warning = xstrfmt("%zu test rows are too few to detect a difference of %g in %s: about %llu are needed",
				  p->n, eff, rule->metric, (unsigned long long)need);

	set_num(res, "threshold", threshold);
	set_num(res, "value", cand);
	set_num(res, "baseline", base);
	set_num(res, "delta", cand - base);
	mlci_json_set_bool(res, "ok", pass);
	mlci_json_set_string(res, "reason", reason);
	mlci_json_set_string(res, "test", test);
	set_num(res, "statistic", stat);
	set_num(res, "p_value", pv);
	set_num(res, "ci_low", higher ? sign * lo : -hi);
	set_num(res, "ci_high", higher ? sign * hi : -lo);
	mlci_json_set_string(res, "interval", interval);
	mlci_json_set_number(res, "n", (double)p->n);
	if (need)
		mlci_json_set_number(res, "rows_needed", (double)need);
	else
		mlci_json_set_null(res, "rows_needed");
	if (warning) {
		mlci_json_set_string(res, "warning", warning);
		mlci_warning("rule '%s': %s", rule->text, warning);
	}
	free(reason);
	free(warning);
	ret = 1;
out:
	mlci_pairtest_boot_release(&boot);
	free(ok_c);
	free(ok_b);
	return ret;
}
