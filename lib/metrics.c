/* SPDX-License-Identifier: MIT */
/* Evaluation metrics as scikit-learn 1.2 defines them, over all rows, a row selection or weights. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "ksum.h"
#include "metrics.h"
#include "usage.h"
#include "wrapper.h"

static void set_value(struct mlci_metric *m, double v)
{
	m->value = v;
	m->reason = MLCI_METRICS_DEFINED;
}

static void set_undefined(struct mlci_metric *m, enum mlci_metrics_reason r)
{
	m->value = NAN;
	m->reason = r;
}

const char *mlci_metrics_reason_str(enum mlci_metrics_reason r)
{
	switch (r) {
	case MLCI_METRICS_DEFINED:
		return "defined";
	case MLCI_METRICS_NO_ROWS:
		return "no rows to score";
	case MLCI_METRICS_ZERO_WEIGHT:
		return "the sample weights sum to zero";
	case MLCI_METRICS_ONE_CLASS:
		return "only one class present in y_true";
	case MLCI_METRICS_CLASS_ABSENT:
		return "a class is absent from y_true";
	case MLCI_METRICS_NOT_PROBABILITIES:
		return "probabilities do not sum to 1 over the classes";
	case MLCI_METRICS_FEW_CLASSES:
		return "fewer than two classes";
	case MLCI_METRICS_FEW_ROWS:
		return "fewer than two samples";
	case MLCI_METRICS_NO_PROBA:
		return "no probabilities given";
	}
	return "undefined";
}

/* The number of selected rows. */
static size_t rows_count(const struct mlci_metrics_rows *rows, size_t n)
{
	return rows && rows->idx ? rows->nidx : n;
}

/* The data row at position j of the selection. */
static size_t rows_at(const struct mlci_metrics_rows *rows, size_t j)
{
	return rows && rows->idx ? rows->idx[j] : j;
}

static double rows_weight(const struct mlci_metrics_rows *rows, size_t r)
{
	return rows && rows->weight ? rows->weight[r] : 1.0;
}

static int weighted(const struct mlci_metrics_rows *rows)
{
	return rows && rows->weight;
}

/* Check the row indices and the weights of the selected rows. */
static int check_rows(const struct mlci_metrics_rows *rows, size_t n)
{
	size_t j, m = rows_count(rows, n);

	for (j = 0; j < m; j++) {
		size_t r = rows_at(rows, j);
		double w;

		if (r >= n)
			return mlci_error(MLCI_EXIT_INPUT,
					  "metrics: row index %zu is outside the %zu rows",
					  r, n);
		w = rows_weight(rows, r);
		if (!isfinite(w) || w < 0)
			return mlci_error(MLCI_EXIT_INPUT,
					  "metrics: the weight of row %zu is not a finite number >= 0",
					  r);
	}
	return 0;
}

/* Check d over the selected rows: labels in range, probabilities finite. */
static int check_clf(const struct mlci_metrics_clf *d,
		     const struct mlci_metrics_rows *rows, int need_pred,
		     int need_proba)
{
	size_t j, m = rows_count(rows, d->n);
	int ret;

	if (!d->k)
		return mlci_error(MLCI_EXIT_INPUT, "metrics: no classes");
	if (d->k > INT_MAX)
		return mlci_error(MLCI_EXIT_INPUT, "metrics: too many classes (%zu)",
				  d->k);
	if (!d->y_true || (need_pred && !d->y_pred))
		return mlci_error(MLCI_EXIT_INPUT, "metrics: no labels given");
	ret = check_rows(rows, d->n);
	if (ret)
		return ret;
	for (j = 0; j < m; j++) {
		size_t r = rows_at(rows, j), c;

		if (d->y_true[r] < 0 || (size_t)d->y_true[r] >= d->k)
			return mlci_error(MLCI_EXIT_INPUT,
					  "metrics: true label %d of row %zu is outside 0..%zu",
					  d->y_true[r], r, d->k - 1);
		if (need_pred &&
		    (d->y_pred[r] < 0 || (size_t)d->y_pred[r] >= d->k))
			return mlci_error(MLCI_EXIT_INPUT,
					  "metrics: predicted label %d of row %zu is outside 0..%zu",
					  d->y_pred[r], r, d->k - 1);
		if (need_proba && d->proba)
			for (c = 0; c < d->k; c++)
				if (!isfinite(d->proba[r * d->k + c]))
					return mlci_error(MLCI_EXIT_INPUT,
							  "metrics: probability %zu of row %zu is not finite",
							  c, r);
	}
	return 0;
}

static void accuracy_core(const struct mlci_metrics_clf *d,
			  const struct mlci_metrics_rows *rows,
			  struct mlci_metric *out)
{
	struct mlci_ksum good = { 0, 0 }, all = { 0, 0 };
	size_t j, m = rows_count(rows, d->n);
	double total;

	if (!m) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return;
	}
	for (j = 0; j < m; j++) {
		size_t r = rows_at(rows, j);
		double w = rows_weight(rows, r);

		if (d->y_true[r] == d->y_pred[r])
			mlci_ksum_add(&good, w);
		mlci_ksum_add(&all, w);
	}
	total = mlci_ksum_get(&all);
	if (total == 0)
		set_undefined(out, MLCI_METRICS_ZERO_WEIGHT);
	else
		set_value(out, mlci_ksum_get(&good) / total);
}

/*
 * Per class: weight of true positives, of true rows, of predicted rows,
 * and whether the class occurs (by label, whatever its weight) in y_true
 * (bit 1) or y_pred (bit 2) of the selected rows.
 */
struct class_sums {
	struct mlci_ksum *tp, *ts, *ps;
	unsigned char *seen;
};

static void class_sums_fill(const struct mlci_metrics_clf *d,
			    const struct mlci_metrics_rows *rows,
			    struct class_sums *cs)
{
	size_t j, m = rows_count(rows, d->n);

	cs->tp = xcalloc(d->k, sizeof(*cs->tp));
	cs->ts = xcalloc(d->k, sizeof(*cs->ts));
	cs->ps = xcalloc(d->k, sizeof(*cs->ps));
	cs->seen = xcalloc(d->k, 1);
	for (j = 0; j < m; j++) {
		size_t r = rows_at(rows, j);
		double w = rows_weight(rows, r);
		int t = d->y_true[r], p = d->y_pred[r];

		mlci_ksum_add(&cs->ts[t], w);
		mlci_ksum_add(&cs->ps[p], w);
		if (t == p)
			mlci_ksum_add(&cs->tp[t], w);
		cs->seen[t] |= 1;
		cs->seen[p] |= 2;
	}
}

static void class_sums_release(struct class_sums *cs)
{
	free(cs->tp);
	free(cs->ts);
	free(cs->ps);
	free(cs->seen);
}

/* sklearn: mean recall over the classes whose true rows weigh anything. */
static void balanced_core(const struct mlci_metrics_clf *d,
			  const struct mlci_metrics_rows *rows,
			  const struct class_sums *cs, struct mlci_metric *out)
{
	struct mlci_ksum sum = { 0, 0 };
	size_t c, used = 0;

	if (!rows_count(rows, d->n)) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return;
	}
	for (c = 0; c < d->k; c++) {
		double ts = mlci_ksum_get(&cs->ts[c]);

		if (ts != 0) {
			mlci_ksum_add(&sum, mlci_ksum_get(&cs->tp[c]) / ts);
			used++;
		}
	}
	if (!used)
		set_undefined(out, MLCI_METRICS_ZERO_WEIGHT);
	else
		set_value(out, mlci_ksum_get(&sum) / (double)used);
}

/* Precision, recall, F1 per class and their macro and weighted averages. */
static void prf_core(const struct mlci_metrics_clf *d,
		     const struct mlci_metrics_rows *rows,
		     const struct class_sums *cs,
		     struct mlci_metrics_clf_result *r)
{
	struct mlci_ksum sp = { 0, 0 }, sr = { 0, 0 }, sf = { 0, 0 };
	struct mlci_ksum wp = { 0, 0 }, wr = { 0, 0 }, wf = { 0, 0 };
	struct mlci_ksum wsum = { 0, 0 };
	size_t c, nlab = 0;
	double wtotal;

	for (c = 0; c < d->k; c++) {
		double tp = mlci_ksum_get(&cs->tp[c]), ts = mlci_ksum_get(&cs->ts[c]);
		double ps = mlci_ksum_get(&cs->ps[c]), p, rc, den;
		unsigned fl = 0;

		if (ps == 0)
			fl |= MLCI_METRICS_NO_PREDICTED;
		if (ts == 0)
			fl |= MLCI_METRICS_NO_TRUE;
		p = ps == 0 ? 0.0 : tp / ps;
		rc = ts == 0 ? 0.0 : tp / ts;
		den = p + rc;
		if (den == 0)
			den = 1;
		r->precision[c] = p;
		r->recall[c] = rc;
		r->f1[c] = 2.0 * p * rc / den;
		r->support[c] = ts;
		if (!d->all_labels && !cs->seen[c]) {
			r->class_flags[c] = MLCI_METRICS_ABSENT;
			continue;
		}
		r->class_flags[c] = fl;
		r->flags |= fl;
		nlab++;
		mlci_ksum_add(&sp, p);
		mlci_ksum_add(&sr, rc);
		mlci_ksum_add(&sf, r->f1[c]);
		mlci_ksum_add(&wp, p * ts);
		mlci_ksum_add(&wr, rc * ts);
		mlci_ksum_add(&wf, r->f1[c] * ts);
		mlci_ksum_add(&wsum, ts);
	}
	if (!rows_count(rows, d->n)) {
		set_undefined(&r->precision_macro, MLCI_METRICS_NO_ROWS);
		set_undefined(&r->recall_macro, MLCI_METRICS_NO_ROWS);
		set_undefined(&r->f1_macro, MLCI_METRICS_NO_ROWS);
		set_undefined(&r->precision_weighted, MLCI_METRICS_NO_ROWS);
		set_undefined(&r->recall_weighted, MLCI_METRICS_NO_ROWS);
		set_undefined(&r->f1_weighted, MLCI_METRICS_NO_ROWS);
		return;
	}
	set_value(&r->precision_macro, mlci_ksum_get(&sp) / (double)nlab);
	set_value(&r->recall_macro, mlci_ksum_get(&sr) / (double)nlab);
	set_value(&r->f1_macro, mlci_ksum_get(&sf) / (double)nlab);
	wtotal = mlci_ksum_get(&wsum);
	if (wtotal == 0) {
		/* sklearn's zero_division="warn": everything 0.0 then. */
		set_value(&r->precision_weighted, 0.0);
		set_value(&r->recall_weighted, 0.0);
		set_value(&r->f1_weighted, 0.0);
		return;
	}
	set_value(&r->precision_weighted, mlci_ksum_get(&wp) / wtotal);
	set_value(&r->recall_weighted, mlci_ksum_get(&wr) / wtotal);
	set_value(&r->f1_weighted, mlci_ksum_get(&wf) / wtotal);
}

struct auc_item {
	double score;
	double w;
	int pos;
};

/* Descending scores; equal scores (0.0 and -0.0 too) form one threshold. */
static int auc_item_cmp(const void *a, const void *b)
{
	double x = ((const struct auc_item *)a)->score;
	double y = ((const struct auc_item *)b)->score;

	return (x < y) - (x > y);
}

/*
 * The area under sklearn's ROC curve: between two consecutive thresholds
 * the curve is a straight segment, so each group of tied scores adds
 * neg_w * (tp_before + pos_w / 2); divided by P * N at the end. With unit
 * weights every term is an integer, exact below 2^53.
 */
static void auc_core(const int *y_true, int positive, const double *score,
		     size_t stride, size_t n,
		     const struct mlci_metrics_rows *rows,
		     struct auc_item *items, struct mlci_metric *out)
{
	size_t j, m = rows_count(rows, n), npos = 0;
	struct mlci_ksum area = { 0, 0 }, tp = { 0, 0 }, fp = { 0, 0 };
	double ptot, ntot;

	if (!m) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return;
	}
	for (j = 0; j < m; j++) {
		size_t r = rows_at(rows, j);

		items[j].score = score[r * stride];
		items[j].w = rows_weight(rows, r);
		items[j].pos = y_true[r] == positive;
		npos += items[j].pos;
	}
	if (!npos || npos == m) {
		set_undefined(out, MLCI_METRICS_ONE_CLASS);
		return;
	}
	qsort(items, m, sizeof(*items), auc_item_cmp);
	for (j = 0; j < m;) {
		struct mlci_ksum gp = { 0, 0 }, gn = { 0, 0 };
		double s = items[j].score, pw, nw;

		for (; j < m && items[j].score == s; j++)
			mlci_ksum_add(items[j].pos ? &gp : &gn, items[j].w);
		pw = mlci_ksum_get(&gp);
		nw = mlci_ksum_get(&gn);
		if (nw != 0)
			mlci_ksum_add(&area, nw * (2.0 * mlci_ksum_get(&tp) + pw));
		mlci_ksum_add(&tp, pw);
		mlci_ksum_add(&fp, nw);
	}
	ptot = mlci_ksum_get(&tp);
	ntot = mlci_ksum_get(&fp);
	if (ptot == 0 || ntot == 0) {
		set_undefined(out, MLCI_METRICS_ONE_CLASS);
		return;
	}
	set_value(out, mlci_ksum_get(&area) / (2.0 * ptot) / ntot);
}

static int check_scores(const double *score, size_t stride, size_t n,
			const struct mlci_metrics_rows *rows)
{
	size_t j, m = rows_count(rows, n);

	for (j = 0; j < m; j++) {
		size_t r = rows_at(rows, j);

		if (!isfinite(score[r * stride]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "metrics: the score of row %zu is not finite",
					  r);
	}
	return 0;
}

int mlci_metrics_roc_auc_binary(const int *y_true, int positive,
				const double *score, size_t stride, size_t n,
				const struct mlci_metrics_rows *rows,
				struct mlci_metric *out)
{
	struct auc_item *items;
	int ret = check_rows(rows, n);

	if (!ret)
		ret = check_scores(score, stride, n, rows);
	if (ret) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return ret;
	}
	items = xmalloc((rows_count(rows, n) + 1) * sizeof(*items));
	auc_core(y_true, positive, score, stride, n, rows, items, out);
	free(items);
	return 0;
}

/* Binary with class 1 positive, or one-vs-rest macro, as roc_auc_score. */
static void roc_auc_core(const struct mlci_metrics_clf *d,
			 const struct mlci_metrics_rows *rows,
			 struct mlci_metric *out)
{
	size_t j, c, m = rows_count(rows, d->n);
	struct auc_item *items;
	unsigned char *seen;
	struct mlci_ksum sum = { 0, 0 };

	if (!d->proba) {
		set_undefined(out, MLCI_METRICS_NO_PROBA);
		return;
	}
	if (d->k < 2) {
		set_undefined(out, MLCI_METRICS_FEW_CLASSES);
		return;
	}
	if (!m) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return;
	}
	items = xmalloc(m * sizeof(*items));
	if (d->k == 2) {
		auc_core(d->y_true, 1, d->proba + 1, 2, d->n, rows, items, out);
		free(items);
		return;
	}
	/* sklearn refuses rows off np.allclose(1, sum) and absent classes. */
	seen = xcalloc(d->k, 1);
	for (j = 0; j < m; j++) {
		size_t r = rows_at(rows, j);
		const double *p = d->proba + r * d->k;
		double s = 0;

		seen[d->y_true[r]] = 1;
		for (c = 0; c < d->k; c++)
			s += p[c];
		if (!(fabs(1.0 - s) <= 1e-8 + 1e-5 * fabs(s))) {
			set_undefined(out, MLCI_METRICS_NOT_PROBABILITIES);
			goto out;
		}
	}
	for (c = 0; c < d->k; c++)
		if (!seen[c]) {
			set_undefined(out, MLCI_METRICS_CLASS_ABSENT);
			goto out;
		}
	for (c = 0; c < d->k; c++) {
		struct mlci_metric one;

		auc_core(d->y_true, (int)c, d->proba + c, d->k, d->n, rows,
			 items, &one);
		if (one.reason) {
			*out = one;
			goto out;
		}
		mlci_ksum_add(&sum, one.value);
	}
	set_value(out, mlci_ksum_get(&sum) / (double)d->k);
out:
	free(seen);
	free(items);
}

/*
 * sklearn 1.2's log_loss with labels=range(k): clip every probability to
 * [eps, 1 - eps] (eps of float64), divide each row by its sum, then the
 * weighted mean of -log p[true].
 */
static void log_loss_core(const struct mlci_metrics_clf *d,
			  const struct mlci_metrics_rows *rows,
			  struct mlci_metric *out)
{
	const double eps = 2.220446049250313080847e-16, hi = 1.0 - eps;
	size_t j, c, m = rows_count(rows, d->n);
	struct mlci_ksum loss = { 0, 0 }, all = { 0, 0 };
	double total;

	if (!d->proba) {
		set_undefined(out, MLCI_METRICS_NO_PROBA);
		return;
	}
	if (d->k < 2) {
		set_undefined(out, MLCI_METRICS_FEW_CLASSES);
		return;
	}
	if (!m) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return;
	}
	for (j = 0; j < m; j++) {
		size_t r = rows_at(rows, j);
		const double *p = d->proba + r * d->k;
		double w = rows_weight(rows, r), s = 0, pt = 0;

		for (c = 0; c < d->k; c++) {
			double q = p[c] < eps ? eps : p[c] > hi ? hi : p[c];

			s += q;
			if ((int)c == d->y_true[r])
				pt = q;
		}
		mlci_ksum_add(&loss, -log(pt / s) * w);
		mlci_ksum_add(&all, w);
	}
	total = mlci_ksum_get(&all);
	if (total == 0)
		set_undefined(out, MLCI_METRICS_ZERO_WEIGHT);
	else
		set_value(out, mlci_ksum_get(&loss) / total);
}

int mlci_metrics_accuracy(const struct mlci_metrics_clf *d,
			  const struct mlci_metrics_rows *rows,
			  struct mlci_metric *out)
{
	int ret = check_clf(d, rows, 1, 0);

	if (ret) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return ret;
	}
	accuracy_core(d, rows, out);
	return 0;
}

int mlci_metrics_balanced_accuracy(const struct mlci_metrics_clf *d,
				   const struct mlci_metrics_rows *rows,
				   struct mlci_metric *out)
{
	struct class_sums cs;
	int ret = check_clf(d, rows, 1, 0);

	if (ret) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return ret;
	}
	class_sums_fill(d, rows, &cs);
	balanced_core(d, rows, &cs, out);
	class_sums_release(&cs);
	return 0;
}

int mlci_metrics_roc_auc(const struct mlci_metrics_clf *d,
			 const struct mlci_metrics_rows *rows,
			 struct mlci_metric *out)
{
	int ret = check_clf(d, rows, 0, 1);

	if (ret) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return ret;
	}
	roc_auc_core(d, rows, out);
	return 0;
}

int mlci_metrics_log_loss(const struct mlci_metrics_clf *d,
			  const struct mlci_metrics_rows *rows,
			  struct mlci_metric *out)
{
	int ret = check_clf(d, rows, 0, 1);

	if (ret) {
		set_undefined(out, MLCI_METRICS_NO_ROWS);
		return ret;
	}
	log_loss_core(d, rows, out);
	return 0;
}

void mlci_metrics_clf_result_init(struct mlci_metrics_clf_result *r)
{
	memset(r, 0, sizeof(*r));
}

void mlci_metrics_clf_result_release(struct mlci_metrics_clf_result *r)
{
	free(r->confusion);
	free(r->precision);
	free(r->recall);
	free(r->f1);
	free(r->support);
	free(r->class_flags);
	mlci_metrics_clf_result_init(r);
}

int mlci_metrics_classify(const struct mlci_metrics_clf *d,
			  const struct mlci_metrics_rows *rows,
			  struct mlci_metrics_clf_result *r)
{
	struct class_sums cs;
	struct mlci_ksum *cells;
	size_t j, c, m;
	int ret;

	mlci_metrics_clf_result_release(r);
	ret = check_clf(d, rows, 1, 1);
	if (ret)
		return ret;
	if (d->k > SIZE_MAX / sizeof(*cells) / d->k)
		return mlci_error(MLCI_EXIT_INPUT, "metrics: too many classes (%zu)",
				  d->k);
	r->k = d->k;
	r->confusion = xcalloc(d->k * d->k, sizeof(*r->confusion));
	r->precision = xcalloc(d->k, sizeof(*r->precision));
	r->recall = xcalloc(d->k, sizeof(*r->recall));
	r->f1 = xcalloc(d->k, sizeof(*r->f1));
	r->support = xcalloc(d->k, sizeof(*r->support));
	r->class_flags = xcalloc(d->k, sizeof(*r->class_flags));

	m = rows_count(rows, d->n);
	if (weighted(rows)) {
		cells = xcalloc(d->k * d->k, sizeof(*cells));
		for (j = 0; j < m; j++) {
			size_t row = rows_at(rows, j);

			mlci_ksum_add(&cells[(size_t)d->y_true[row] * d->k +
					(size_t)d->y_pred[row]],
				 rows_weight(rows, row));
		}
		for (c = 0; c < d->k * d->k; c++)
			r->confusion[c] = mlci_ksum_get(&cells[c]);
		free(cells);
	} else {
		for (j = 0; j < m; j++) {
			size_t row = rows_at(rows, j);

			r->confusion[(size_t)d->y_true[row] * d->k +
				     (size_t)d->y_pred[row]] += 1.0;
		}
	}

	accuracy_core(d, rows, &r->accuracy);
	class_sums_fill(d, rows, &cs);
	balanced_core(d, rows, &cs, &r->balanced_accuracy);
	prf_core(d, rows, &cs, r);
	class_sums_release(&cs);
	roc_auc_core(d, rows, &r->roc_auc);
	log_loss_core(d, rows, &r->log_loss);
	return 0;
}

int mlci_metrics_regress(const double *y_true, const double *y_pred, size_t n,
			 const struct mlci_metrics_rows *rows,
			 struct mlci_metrics_reg_result *r)
{
	struct mlci_ksum sq = { 0, 0 }, ab = { 0, 0 }, all = { 0, 0 }, sy = { 0, 0 };
	struct mlci_ksum dev = { 0, 0 };
	size_t j, m = rows_count(rows, n);
	double total, mean, num, den, first = 0;
	int constant = 1, have_first = 0, ret;

	set_undefined(&r->rmse, MLCI_METRICS_NO_ROWS);
	set_undefined(&r->mae, MLCI_METRICS_NO_ROWS);
	set_undefined(&r->r2, MLCI_METRICS_NO_ROWS);
	ret = check_rows(rows, n);
	if (ret)
		return ret;
	for (j = 0; j < m; j++) {
		size_t i = rows_at(rows, j);

		if (!isfinite(y_true[i]) || !isfinite(y_pred[i]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "metrics: the value or prediction of row %zu is not finite",
					  i);
	}
	if (!m)
		return 0;
	for (j = 0; j < m; j++) {
		size_t i = rows_at(rows, j);
		double w = rows_weight(rows, i), e = y_true[i] - y_pred[i];

		mlci_ksum_add(&sq, w * (e * e));
		mlci_ksum_add(&ab, fabs(e) * w);
		mlci_ksum_add(&all, w);
		mlci_ksum_add(&sy, y_true[i] * w);
		/* Constant over the rows that weigh: r2's denominator is 0. */
		if (w != 0) {
			if (!have_first) {
				first = y_true[i];
				have_first = 1;
			} else if (y_true[i] != first) {
				constant = 0;
			}
		}
	}
	total = mlci_ksum_get(&all);
	if (total == 0) {
		set_undefined(&r->rmse, MLCI_METRICS_ZERO_WEIGHT);
		set_undefined(&r->mae, MLCI_METRICS_ZERO_WEIGHT);
		set_undefined(&r->r2, m < 2 ? MLCI_METRICS_FEW_ROWS :
			      MLCI_METRICS_ZERO_WEIGHT);
		return 0;
	}
	set_value(&r->rmse, sqrt(mlci_ksum_get(&sq) / total));
	set_value(&r->mae, mlci_ksum_get(&ab) / total);
	if (m < 2) {
		set_undefined(&r->r2, MLCI_METRICS_FEW_ROWS);
		return 0;
	}
	num = mlci_ksum_get(&sq);
	if (constant) {
		den = 0;
	} else {
		mean = mlci_ksum_get(&sy) / total;
		for (j = 0; j < m; j++) {
			size_t i = rows_at(rows, j);
			double e = y_true[i] - mean;

			mlci_ksum_add(&dev, rows_weight(rows, i) * (e * e));
		}
		den = mlci_ksum_get(&dev);
	}
	if (num == 0)
		set_value(&r->r2, 1.0);
	else if (den == 0)
		set_value(&r->r2, 0.0);
	else
		set_value(&r->r2, 1.0 - num / den);
	return 0;
}

/* metrics[key] = m, and notes[key] = why when m is undefined. */
static void put_metric(cJSON *metrics, cJSON *notes, const char *key,
		       const struct mlci_metric *m)
{
	mlci_json_set_number(metrics, key, m->value);
	if (notes && (m->reason || isnan(m->value)))
		mlci_json_set_string(notes, key,
				     mlci_metrics_reason_str(m->reason));
}

static void put_note(cJSON *notes, const char *key, const char *note)
{
	if (notes)
		mlci_json_set_string(notes, key, note);
}

static const char *const note_precision =
	"precision is ill-defined and set to 0.0 in labels with no predicted samples";
static const char *const note_recall =
	"recall is ill-defined and set to 0.0 in labels with no true samples";
static const char *const note_f1 =
	"F-score is ill-defined and set to 0.0 in labels with no true nor predicted samples";

static char *class_key(const char *metric, const char *const *names, size_t c)
{
	if (names)
		return xstrfmt("%s.%s", metric, names[c]);
	return xstrfmt("%s.%zu", metric, c);
}

void mlci_metrics_clf_json(const struct mlci_metrics_clf_result *r,
			   const char *const *names, cJSON *metrics,
			   cJSON *notes)
{
	const unsigned both = MLCI_METRICS_NO_PREDICTED | MLCI_METRICS_NO_TRUE;
	int f1_undefined = 0;
	size_t c;

	for (c = 0; c < r->k; c++)
		if (!(r->class_flags[c] & MLCI_METRICS_ABSENT) &&
		    (r->class_flags[c] & both) == both)
			f1_undefined = 1;

	put_metric(metrics, notes, "accuracy", &r->accuracy);
	put_metric(metrics, notes, "balanced_accuracy", &r->balanced_accuracy);
	put_metric(metrics, notes, "precision_macro", &r->precision_macro);
	if (!r->precision_macro.reason && (r->flags & MLCI_METRICS_NO_PREDICTED))
		put_note(notes, "precision_macro", note_precision);
	put_metric(metrics, notes, "recall_macro", &r->recall_macro);
	if (!r->recall_macro.reason && (r->flags & MLCI_METRICS_NO_TRUE))
		put_note(notes, "recall_macro", note_recall);
	put_metric(metrics, notes, "f1_macro", &r->f1_macro);
	if (!r->f1_macro.reason && f1_undefined)
		put_note(notes, "f1_macro", note_f1);
	put_metric(metrics, notes, "f1_weighted", &r->f1_weighted);
	if (!r->f1_weighted.reason && f1_undefined)
		put_note(notes, "f1_weighted", note_f1);
	if (r->roc_auc.reason != MLCI_METRICS_NO_PROBA)
		put_metric(metrics, notes, "roc_auc", &r->roc_auc);
	if (r->log_loss.reason != MLCI_METRICS_NO_PROBA)
		put_metric(metrics, notes, "log_loss", &r->log_loss);

	for (c = 0; c < r->k; c++) {
		unsigned fl = r->class_flags[c];
		char *key;

		if (fl & MLCI_METRICS_ABSENT)
			continue;
		key = class_key("precision", names, c);
		mlci_json_set_number(metrics, key, r->precision[c]);
		if (fl & MLCI_METRICS_NO_PREDICTED)
			put_note(notes, key, note_precision);
		free(key);
		key = class_key("recall", names, c);
		mlci_json_set_number(metrics, key, r->recall[c]);
		if (fl & MLCI_METRICS_NO_TRUE)
			put_note(notes, key, note_recall);
		free(key);
		key = class_key("f1", names, c);
		mlci_json_set_number(metrics, key, r->f1[c]);
		if ((fl & both) == both)
			put_note(notes, key, note_f1);
		free(key);
	}
}

cJSON *mlci_metrics_confusion_json(const struct mlci_metrics_clf_result *r,
				   const char *const *names)
{
	cJSON *obj = cJSON_CreateObject(), *labels = cJSON_CreateArray();
	cJSON *matrix = cJSON_CreateArray();
	size_t i, j;

	if (!obj || !labels || !matrix)
		mlci_die("out of memory building JSON");
	for (i = 0; i < r->k; i++) {
		cJSON *row = cJSON_CreateArray(), *name;

		if (names) {
			name = cJSON_CreateString(names[i]);
		} else {
			char buf[32];

			snprintf(buf, sizeof(buf), "%zu", i);
			name = cJSON_CreateString(buf);
		}
		if (!row || !name || !cJSON_AddItemToArray(labels, name))
			mlci_die("out of memory building JSON");
		for (j = 0; j < r->k; j++)
			if (!cJSON_AddItemToArray(row,
						  mlci_json_number(r->confusion[i * r->k + j])))
				mlci_die("out of memory building JSON");
		if (!cJSON_AddItemToArray(matrix, row))
			mlci_die("out of memory building JSON");
	}
	mlci_json_set(obj, "labels", labels);
	mlci_json_set(obj, "matrix", matrix);
	return obj;
}

void mlci_metrics_reg_json(const struct mlci_metrics_reg_result *r,
			   cJSON *metrics, cJSON *notes)
{
	put_metric(metrics, notes, "rmse", &r->rmse);
	put_metric(metrics, notes, "mae", &r->mae);
	put_metric(metrics, notes, "r2", &r->r2);
}
