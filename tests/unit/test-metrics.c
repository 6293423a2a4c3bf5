/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/metrics.c: hand-computed tables, then seeded cases checked live against scikit-learn 1.2. */
#include "json.h"
#include "metrics.h"
#include "random.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The live comparison: every seeded case is written to a temporary
 * directory, /usr/bin/python3 tests/tools/metrics-reference.py prints what
 * scikit-learn gives for it, and every metric must agree to 1e-12 relative
 * or 1e-15 absolute. Without python3, numpy or sklearn the comparisons
 * fail: a missing oracle must never pass. One deliberate difference: for
 * an exactly constant y_true the script applies r2_score's own rule for a
 * zero denominator, which r2_score misses when np.average of the constant
 * is off by an ulp (see metrics-reference.py).
 */
#define REL 1e-12
#define ABS 1e-15
#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/tools/metrics-reference.py"

static int agree(double got, double want)
{
	double d = fabs(got - want);

	return d <= ABS || d <= REL * fabs(want);
}

#define CHECK_AGREE(got, want, name) do { \
	double g2_ = (got), w2_ = (want); \
	if (!unit_check(agree(g2_, w2_), __FILE__, __LINE__, (name))) \
		printf("#   got  %.17g\n#   want %.17g\n", g2_, w2_); \
} while (0)

/* Hand-computed cases, no Python needed. */

static void test_binary_table(void)
{
	static const int y[] = { 0, 0, 1, 1 }, p[] = { 0, 1, 1, 1 };
	static const double proba[] = { 0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8 };
	struct mlci_metrics_clf d = { 4, 2, y, p, proba, 0 };
	struct mlci_metrics_clf_result r;
	double ll = -(log(0.9) + log(0.6) + log(0.35) + log(0.8)) / 4;

	mlci_metrics_clf_result_init(&r);
	CHECK_INT(mlci_metrics_classify(&d, NULL, &r), 0, "binary: classify");
	CHECK_AGREE(r.accuracy.value, 0.75, "binary: accuracy 3/4");
	CHECK_AGREE(r.balanced_accuracy.value, 0.75, "binary: balanced (1/2 + 1)/2");
	CHECK_AGREE(r.precision[1], 2.0 / 3, "binary: precision of 1 is 2/3");
	CHECK_AGREE(r.recall[0], 0.5, "binary: recall of 0 is 1/2");
	CHECK_AGREE(r.f1[1], 0.8, "binary: f1 of 1 is 0.8");
	CHECK_AGREE(r.f1[0], 2.0 / 3, "binary: f1 of 0 is 2/3");
	CHECK_AGREE(r.precision_macro.value, 5.0 / 6, "binary: precision_macro 5/6");
	CHECK_AGREE(r.f1_macro.value, (0.8 + 2.0 / 3) / 2, "binary: f1_macro");
	CHECK_AGREE(r.f1_weighted.value, (0.8 + 2.0 / 3) / 2, "binary: f1_weighted");
	CHECK_AGREE(r.roc_auc.value, 0.75, "binary: roc_auc 3 of 4 pairs");
	CHECK_AGREE(r.log_loss.value, ll, "binary: log_loss");
	CHECK_INT(r.flags, 0, "binary: no zero-division flags");
	CHECK_AGREE(r.confusion[1], 1, "binary: one 0 predicted as 1");
	mlci_metrics_clf_result_release(&r);
}

static void test_auc_ties(void)
{
	static const int y[] = { 0, 0, 1, 1 }, one[] = { 1, 1, 1, 1 };
	static const double s[] = { 0.2, 0.5, 0.5, 0.9 }, flat[] = { 3, 3, 3, 3 };
	static const int alt[] = { 0, 1, 0, 1 };
	struct mlci_metric m;

	CHECK_INT(mlci_metrics_roc_auc_binary(y, 1, s, 1, 4, NULL, &m), 0,
		  "ties: roc_auc_binary");
	CHECK_AGREE(m.value, 0.875, "ties: a tied pair counts half (3.5/4)");
	mlci_metrics_roc_auc_binary(alt, 1, flat, 1, 4, NULL, &m);
	CHECK_AGREE(m.value, 0.5, "ties: all scores equal give 0.5");
	mlci_metrics_roc_auc_binary(one, 1, s, 1, 4, NULL, &m);
	CHECK(isnan(m.value) && m.reason == MLCI_METRICS_ONE_CLASS,
	      "ties: one class gives NaN, ONE_CLASS");
	CHECK_STR(mlci_metrics_reason_str(m.reason),
		  "only one class present in y_true", "ties: reason text");
	{
		static const int y3[] = { 0, 1, 2 };
		static const double off[] = { 0.5, 0.3, 0.2, 0.2, 0.5, 0.3,
					      0.1, 0.1, 0.7 };
		struct mlci_metrics_clf d = { 3, 3, y3, NULL, off, 0 };

		CHECK_INT(mlci_metrics_roc_auc(&d, NULL, &m), 0, "ovr: call");
		CHECK(isnan(m.value) && m.reason == MLCI_METRICS_NOT_PROBABILITIES,
		      "ovr: a row summing to 0.9 is refused");
		d.n = 2;
		mlci_metrics_roc_auc(&d, NULL, &m);
		CHECK(isnan(m.value) && m.reason == MLCI_METRICS_CLASS_ABSENT,
		      "ovr: class 2 absent from y_true");
	}
	/* A descending score reverses the order: 1 - 0.875. */
	{
		static const double neg[] = { -0.2, -0.5, -0.5, -0.9 };

		mlci_metrics_roc_auc_binary(y, 1, neg, 1, 4, NULL, &m);
		CHECK_AGREE(m.value, 0.125, "ties: reversed scores give 1/8");
	}
}

static void test_absent_prediction(void)
{
	static const int y[] = { 0, 1, 2, 2 }, p[] = { 0, 2, 2, 2 };
	static const char *const names[] = { "cat", "dog", "emu" };
	struct mlci_metrics_clf d = { 4, 3, y, p, NULL, 0 };
	struct mlci_metrics_clf_result r;
	cJSON *metrics = cJSON_CreateObject(), *notes = cJSON_CreateObject();
	cJSON *cm;
	struct strbuf sb = STRBUF_INIT;
	double v;

	mlci_metrics_clf_result_init(&r);
	CHECK_INT(mlci_metrics_classify(&d, NULL, &r), 0, "absent: classify");
	CHECK_AGREE(r.precision_macro.value, 5.0 / 9, "absent: precision_macro 5/9");
	CHECK_AGREE(r.recall_macro.value, 2.0 / 3, "absent: recall_macro 2/3");
	CHECK_AGREE(r.f1_macro.value, 0.6, "absent: f1_macro 0.6");
	CHECK_AGREE(r.f1_weighted.value, 0.65, "absent: f1_weighted 0.65");
	CHECK_AGREE(r.precision_weighted.value, (1 + 2 * 2.0 / 3) / 4,
		    "absent: precision_weighted");
	CHECK_AGREE(r.balanced_accuracy.value, 2.0 / 3, "absent: balanced 2/3");
	CHECK_INT(r.class_flags[1], MLCI_METRICS_NO_PREDICTED,
		  "absent: dog never predicted");
	CHECK_INT(r.flags, MLCI_METRICS_NO_PREDICTED, "absent: union of flags");
	CHECK(r.roc_auc.reason == MLCI_METRICS_NO_PROBA && isnan(r.log_loss.value),
	      "absent: no probabilities, no roc_auc");

	mlci_metrics_clf_json(&r, names, metrics, notes);
	CHECK(!mlci_json_get_number(metrics, "precision.dog", &v) && v == 0,
	      "json: precision.dog is 0");
	CHECK(!mlci_json_get_number(metrics, "f1.emu", &v) && agree(v, 0.8),
	      "json: f1.emu is 0.8");
	CHECK(!mlci_json_get_number(metrics, "f1_macro", &v) && agree(v, 0.6),
	      "json: f1_macro");
	CHECK(!cJSON_GetObjectItemCaseSensitive(metrics, "roc_auc") &&
	      !cJSON_GetObjectItemCaseSensitive(metrics, "log_loss"),
	      "json: no roc_auc nor log_loss without probabilities");
	CHECK(mlci_json_get_string(notes, "precision.dog") &&
	      mlci_json_get_string(notes, "precision_macro") &&
	      !mlci_json_get_string(notes, "recall.dog") &&
	      !mlci_json_get_string(notes, "f1_macro"),
	      "json: notes for the ill-defined precision only");
	CHECK_INT(cJSON_GetArraySize(metrics), 6 + 9, "json: 6 averages, 9 per class");

	cm = mlci_metrics_confusion_json(&r, names);
	mlci_json_print(cm, 0, &sb);
	CHECK_STR(sb.buf,
		  "{\"labels\":[\"cat\",\"dog\",\"emu\"],\"matrix\":[[1,0,0],[0,0,1],[0,0,2]]}",
		  "json: confusion matrix, rows true");
	strbuf_release(&sb);
	cJSON_Delete(cm);
	cJSON_Delete(metrics);
	cJSON_Delete(notes);
	mlci_metrics_clf_result_release(&r);
}

static void test_log_loss_clip(void)
{
	static const int y[] = { 1, 0 };
	static const double proba[] = { 1, 0, 1, 0 };
	struct mlci_metrics_clf d = { 2, 2, y, NULL, proba, 0 };
	struct mlci_metric m;
	double eps = 2.220446049250313e-16;

	CHECK_INT(mlci_metrics_log_loss(&d, NULL, &m), 0, "log_loss: call");
	CHECK_AGREE(m.value, (-log(eps) - log(1 - eps)) / 2,
		    "log_loss: 0 clipped to float64 eps");
	CHECK_AGREE(m.value, 18.021826694558577, "log_loss: sklearn's value");
}

static void test_regression_table(void)
{
	static const double y[] = { 3, -0.5, 2, 7 }, p[] = { 2.5, 0.0, 2, 8 };
	static const double c[] = { 2.5, 2.5, 2.5 }, cp[] = { 2.5, 2.5, 3 };
	struct mlci_metrics_reg_result r;
	cJSON *metrics = cJSON_CreateObject(), *notes = cJSON_CreateObject();

	CHECK_INT(mlci_metrics_regress(y, p, 4, NULL, &r), 0, "reg: call");
	CHECK_AGREE(r.rmse.value, sqrt(0.375), "reg: rmse sqrt(0.375)");
	CHECK_AGREE(r.mae.value, 0.5, "reg: mae 0.5");
	CHECK_AGREE(r.r2.value, 0.9486081370449679, "reg: r2 as sklearn's docs");
	mlci_metrics_regress(c, c, 3, NULL, &r);
	CHECK(r.r2.value == 1.0, "reg: constant y, perfect: r2 1");
	mlci_metrics_regress(c, cp, 3, NULL, &r);
	CHECK(r.r2.value == 0.0, "reg: constant y, imperfect: r2 0");
	mlci_metrics_regress(y, p, 1, NULL, &r);
	CHECK(isnan(r.r2.value) && r.r2.reason == MLCI_METRICS_FEW_ROWS &&
	      agree(r.mae.value, 0.5), "reg: one row: r2 NaN, mae defined");
	mlci_metrics_reg_json(&r, metrics, notes);
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(metrics, "r2")),
	      "reg json: r2 null");
	CHECK_STR(mlci_json_get_string(notes, "r2"), "fewer than two samples",
		  "reg json: the reason of the null");
	cJSON_Delete(metrics);
	cJSON_Delete(notes);
}

static int same_metrics(const struct mlci_metrics_clf_result *a,
			const struct mlci_metrics_clf_result *b)
{
	return agree(a->accuracy.value, b->accuracy.value) &&
	       agree(a->balanced_accuracy.value, b->balanced_accuracy.value) &&
	       agree(a->precision_macro.value, b->precision_macro.value) &&
	       agree(a->recall_macro.value, b->recall_macro.value) &&
	       agree(a->f1_macro.value, b->f1_macro.value) &&
	       agree(a->precision_weighted.value, b->precision_weighted.value) &&
	       agree(a->recall_weighted.value, b->recall_weighted.value) &&
	       agree(a->f1_weighted.value, b->f1_weighted.value) &&
	       agree(a->roc_auc.value, b->roc_auc.value) &&
	       agree(a->log_loss.value, b->log_loss.value);
}

/* Drawing a row c times equals weight c; the identity selection equals NULL. */
static void test_rows_equivalence(void)
{
	static const int y[] = { 0, 1, 2, 1, 0, 2 }, p[] = { 0, 2, 2, 1, 1, 0 };
	static const double proba[] = {
		0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.2, 0.2, 0.6,
		0.3, 0.5, 0.2, 0.4, 0.45, 0.15, 0.5, 0.1, 0.4,
	};
	static const double yr[] = { 1.5, 2, -3, 4.25, 0, 7 };
	static const double pr[] = { 1, 2.5, -2, 4, 0.5, 6 };
	static const size_t idx[] = { 0, 0, 1, 3, 3, 3, 2, 5, 4 };
	static const double w[] = { 2, 1, 1, 3, 1, 1 };
	static const size_t ident[] = { 0, 1, 2, 3, 4, 5 };
	struct mlci_metrics_rows by_idx = { idx, 9, NULL }, by_w = { NULL, 0, w };
	struct mlci_metrics_rows id = { ident, 6, NULL };
	struct mlci_metrics_clf d = { 6, 3, y, p, proba, 0 };
	struct mlci_metrics_clf_result a, b, c;
	struct mlci_metrics_reg_result ra, rb;
	size_t i;
	int same = 1;

	mlci_metrics_clf_result_init(&a);
	mlci_metrics_clf_result_init(&b);
	mlci_metrics_clf_result_init(&c);
	CHECK_INT(mlci_metrics_classify(&d, &by_idx, &a), 0, "rows: by index");
	CHECK_INT(mlci_metrics_classify(&d, &by_w, &b), 0, "rows: by weight");
	CHECK_INT(mlci_metrics_classify(&d, &id, &c), 0, "rows: identity");
	same = same_metrics(&a, &b);
	for (i = 0; i < 9; i++)
		if (!agree(a.confusion[i], b.confusion[i]))
			same = 0;
	CHECK(same, "rows: repeats and weights give the same metrics");
	CHECK(!isnan(a.roc_auc.value) && agree(a.roc_auc.value, b.roc_auc.value),
	      "rows: same roc_auc");
	mlci_metrics_clf_result_release(&a);
	CHECK_INT(mlci_metrics_classify(&d, NULL, &a), 0, "rows: all");
	CHECK(agree(a.f1_macro.value, c.f1_macro.value) &&
	      agree(a.roc_auc.value, c.roc_auc.value) &&
	      agree(a.log_loss.value, c.log_loss.value),
	      "rows: identity selection equals all rows");

	mlci_metrics_regress(yr, pr, 6, &by_idx, &ra);
	mlci_metrics_regress(yr, pr, 6, &by_w, &rb);
	CHECK(agree(ra.rmse.value, rb.rmse.value) &&
	      agree(ra.mae.value, rb.mae.value) && agree(ra.r2.value, rb.r2.value),
	      "rows: regression by index equals by weight");
	mlci_metrics_clf_result_release(&a);
	mlci_metrics_clf_result_release(&b);
	mlci_metrics_clf_result_release(&c);
}

static void test_bad_input(void)
{
	static const int y[] = { 0, 3 }, p[] = { 0, 1 }, ok[] = { 0, 1 };
	static const size_t far[] = { 0, 2 };
	static const double neg[] = { 1, -1 }, x[] = { 1, 2 };
	struct mlci_metrics_rows bad_idx = { far, 2, NULL };
	struct mlci_metrics_rows bad_w = { NULL, 0, neg };
	struct mlci_metrics_clf d = { 2, 3, y, p, NULL, 0 };
	struct mlci_metrics_clf good = { 2, 3, ok, p, NULL, 0 };
	struct mlci_metrics_clf_result r;
	struct mlci_metrics_reg_result rr;
	struct mlci_metric m;
	int quiet = mlci_set_quiet(1);

	mlci_metrics_clf_result_init(&r);
	CHECK_INT(mlci_metrics_classify(&d, NULL, &r), -MLCI_EXIT_INPUT,
		  "bad: label outside 0..k-1");
	CHECK(r.k == 0 && !r.confusion, "bad: result left empty");
	CHECK_INT(mlci_metrics_accuracy(&good, &bad_idx, &m), -MLCI_EXIT_INPUT,
		  "bad: row index outside the data");
	CHECK_INT(mlci_metrics_accuracy(&good, &bad_w, &m), -MLCI_EXIT_INPUT,
		  "bad: negative weight");
	CHECK_INT(mlci_metrics_regress(x, x, 2, &bad_w, &rr), -MLCI_EXIT_INPUT,
		  "bad: negative weight (regression)");
	{
		struct mlci_metrics_rows none = { far, 0, NULL };

		CHECK_INT(mlci_metrics_accuracy(&good, &none, &m), 0,
			  "bad: empty selection is not an error");
		CHECK(isnan(m.value) && m.reason == MLCI_METRICS_NO_ROWS,
		      "bad: empty selection gives NaN, NO_ROWS");
	}
	mlci_set_quiet(quiet);
	mlci_metrics_clf_result_release(&r);
}

/* Seeded cases compared with scikit-learn. */

enum kind { CLF, REG };

/* How the predictions and probabilities of a classification case look. */
enum shape {
	NOISY,		/* informative probabilities, argmax predictions */
	TIES,		/* probabilities from few values: many tied scores */
	PERFECT,	/* y_pred = y_true, one-hot probabilities */
	CONSTANT,	/* one predicted class, the same row of probabilities */
	NO_LAST,	/* the last class never predicted */
	UNUSED,		/* the last class in neither y_true nor y_pred */
	ONE_TRUE,	/* y_true holds class 0 only */
	UNNORMALISED,	/* probability rows sum to 0.9: renormalised or refused */
	WEIGHTLESS	/* the true rows of the last class weigh 0 */
};

struct tcase {
	char name[128];
	enum kind kind;
	size_t n, k;
	int all_labels;
	int *y, *p;
	double *proba, *yr, *pr, *w;
	size_t *idx, nidx;

	int ret, seen;
	struct mlci_metrics_clf_result res;
	struct mlci_metrics_reg_result reg;
};

static struct tcase *cases;
static size_t ncases, cases_alloc;
static struct mlci_rng rng;

static struct tcase *new_case(enum kind kind, size_t n, size_t k)
{
	struct tcase *c;

	ALLOC_GROW(cases, ncases + 1, cases_alloc);
	c = &cases[ncases++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->n = n;
	c->k = k;
	mlci_metrics_clf_result_init(&c->res);
	return c;
}

/* Weights in [0, 2), about one in ten exactly 0; or a bootstrap draw. */
static void add_weights(struct tcase *c)
{
	size_t i;

	c->w = xmalloc((c->n + 1) * sizeof(*c->w));
	for (i = 0; i < c->n; i++)
		c->w[i] = mlci_rng_below(&rng, 10) ? 2 * mlci_rng_uniform(&rng) : 0;
}

static void add_idx(struct tcase *c)
{
	size_t i;

	c->nidx = c->n;
	c->idx = xmalloc((c->n + 1) * sizeof(*c->idx));
	for (i = 0; i < c->n; i++)
		c->idx[i] = (size_t)mlci_rng_below(&rng, c->n);
}

static void clf_case(const char *what, size_t n, size_t k, enum shape shape,
		     int weights, int idx)
{
	struct tcase *c = new_case(CLF, n, k);
	size_t i, j;

	snprintf(c->name, sizeof(c->name), "%s (n=%zu, k=%zu%s%s)", what, n, k,
		 weights ? ", weighted" : "", idx ? ", bootstrap" : "");
	c->all_labels = shape == UNUSED;
	c->y = xmalloc((n + 1) * sizeof(*c->y));
	c->p = xmalloc((n + 1) * sizeof(*c->p));
	c->proba = xmalloc((n * k + 1) * sizeof(*c->proba));
	for (i = 0; i < n; i++) {
		double *row = c->proba + i * k, sum = 0;
		size_t top = 0, classes = shape == UNUSED ? k - 1 : k;
		int y;

		/* Skewed classes: class 0 about twice as frequent as the rest. */
		y = (int)mlci_rng_below(&rng, classes + 1);
		if ((size_t)y == classes)
			y = 0;
		if (shape == ONE_TRUE)
			y = 0;
		c->y[i] = y;
		for (j = 0; j < k; j++) {
			double u = mlci_rng_uniform(&rng);

			if (shape == TIES)
				u = (double)(1 + mlci_rng_below(&rng, 3));
			if (shape == UNUSED && j == k - 1)
				u = 0;
			else if ((int)j == y && mlci_rng_below(&rng, 3))
				u += shape == TIES ? 2 : 1.5;
			row[j] = u;
			sum += u;
		}
		for (j = 0; j < k; j++) {
			row[j] /= sum;
			if (row[j] > row[top])
				top = j;
		}
		c->p[i] = (int)top;
		if (shape == PERFECT) {
			for (j = 0; j < k; j++)
				row[j] = (int)j == y;
			c->p[i] = y;
		} else if (shape == CONSTANT) {
			for (j = 0; j < k; j++)
				row[j] = j == 0 ? 0.5 : 0.5 / (double)(k - 1);
			c->p[i] = 0;
		} else if (shape == NO_LAST && (size_t)c->p[i] == k - 1) {
			c->p[i] = 0;
		} else if (shape == UNNORMALISED) {
			for (j = 0; j < k; j++)
				row[j] *= 0.9;
		}
	}
	if (weights || shape == WEIGHTLESS)
		add_weights(c);
	if (shape == WEIGHTLESS)
		for (i = 0; i < n; i++)
			if ((size_t)c->y[i] == k - 1)
				c->w[i] = 0;
	if (idx)
		add_idx(c);
}

enum reg_shape { R_NOISY, R_CONSTANT, R_PERFECT, R_CONSTANT_PERFECT };

static void reg_case(const char *what, size_t n, enum reg_shape shape,
		     int weights, int idx)
{
	struct tcase *c = new_case(REG, n, 0);
	size_t i;

	snprintf(c->name, sizeof(c->name), "%s (n=%zu%s%s)", what, n,
		 weights ? ", weighted" : "", idx ? ", bootstrap" : "");
	c->yr = xmalloc((n + 1) * sizeof(*c->yr));
	c->pr = xmalloc((n + 1) * sizeof(*c->pr));
	for (i = 0; i < n; i++) {
		double y = 100 * (mlci_rng_uniform(&rng) - 0.3);
		double e = mlci_rng_uniform(&rng) + mlci_rng_uniform(&rng) - 1;

		if (shape == R_CONSTANT)
			y = 0.1;
		else if (shape == R_CONSTANT_PERFECT)
			y = 2.5;
		c->yr[i] = y;
		c->pr[i] = shape == R_PERFECT || shape == R_CONSTANT_PERFECT ?
			   y : y + 10 * e;
	}
	if (weights)
		add_weights(c);
	if (idx)
		add_idx(c);
}

static void build_cases(void)
{
	static const size_t sizes[] = { 1, 2, 5, 37, 1000, 100000 };
	static const size_t ks[] = { 2, 3, 10 };
	size_t i, j;

	mlci_rng_seed(&rng, 20240601);
	for (j = 0; j < sizeof(ks) / sizeof(*ks); j++)
		for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
			size_t n = sizes[i], k = ks[j];

			if (k == 10 && n == 100000)
				n = 30000;
			clf_case("noisy", n, k, NOISY, 0, 0);
		}
	for (j = 0; j < sizeof(ks) / sizeof(*ks); j++) {
		size_t k = ks[j];

		clf_case("ties", 500, k, TIES, 0, 0);
		clf_case("ties", 20000, k, TIES, 1, 0);
		clf_case("perfect", 300, k, PERFECT, 0, 0);
		clf_case("constant prediction", 300, k, CONSTANT, 0, 0);
		clf_case("last class never predicted", 400, k, NO_LAST, 0, 0);
		clf_case("y_true one class", 50, k, ONE_TRUE, 0, 0);
		clf_case("noisy", 2000, k, NOISY, 1, 0);
		clf_case("noisy", 2000, k, NOISY, 0, 1);
		clf_case("noisy", 2000, k, NOISY, 1, 1);
		clf_case("ties", 3000, k, TIES, 0, 1);
		clf_case("rows sum to 0.9", 700, k, UNNORMALISED, 0, 0);
		clf_case("last class weighs 0", 700, k, WEIGHTLESS, 1, 0);
	}
	clf_case("unused class, labels=range(k)", 500, 3, UNUSED, 0, 0);
	clf_case("unused class, labels=range(k)", 500, 10, UNUSED, 1, 0);
	clf_case("noisy", 100000, 2, NOISY, 1, 1);
	clf_case("noisy", 3, 3, NOISY, 1, 0);

	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++)
		reg_case("regression", sizes[i], R_NOISY, 0, 0);
	reg_case("regression", 1000, R_NOISY, 1, 0);
	reg_case("regression", 1000, R_NOISY, 0, 1);
	reg_case("regression", 100000, R_NOISY, 1, 1);
	reg_case("constant y_true", 100, R_CONSTANT, 0, 0);
	reg_case("constant y_true", 100, R_CONSTANT, 1, 0);
	reg_case("constant y_true, perfect", 100, R_CONSTANT_PERFECT, 0, 0);
	reg_case("perfect", 100, R_PERFECT, 0, 0);
	reg_case("perfect", 1, R_PERFECT, 0, 0);
}

static void compute_cases(void)
{
	size_t i;

	for (i = 0; i < ncases; i++) {
		struct tcase *c = &cases[i];
		struct mlci_metrics_rows rows = { c->idx, c->nidx, c->w };

		if (c->kind == CLF) {
			struct mlci_metrics_clf d = { c->n, c->k, c->y, c->p,
						      c->proba, c->all_labels };

			c->ret = mlci_metrics_classify(&d, &rows, &c->res);
		} else {
			c->ret = mlci_metrics_regress(c->yr, c->pr, c->n, &rows,
						      &c->reg);
		}
	}
}

static int write_case(const char *dir, size_t id, const struct tcase *c)
{
	static const char *const exts[] = { "y", "p", "proba", "w", "idx" };
	size_t e, i, j;
	int err = 0;

	for (e = 0; e < 5; e++) {
		char *path;
		FILE *fp;

		if ((e == 2 && !c->proba) || (e == 3 && !c->w) ||
		    (e == 4 && !c->idx))
			continue;
		path = xstrfmt("%s/%zu.%s", dir, id, exts[e]);
		fp = fopen(path, "w");
		free(path);
		if (!fp)
			return -1;
		for (i = 0; i < (e == 4 ? c->nidx : c->n); i++) {
			if (e == 0 && c->kind == CLF)
				fprintf(fp, "%d\n", c->y[i]);
			else if (e == 1 && c->kind == CLF)
				fprintf(fp, "%d\n", c->p[i]);
			else if (e == 0)
				fprintf(fp, "%.17g\n", c->yr[i]);
			else if (e == 1)
				fprintf(fp, "%.17g\n", c->pr[i]);
			else if (e == 2)
				for (j = 0; j < c->k; j++)
					fprintf(fp, "%.17g%c", c->proba[i * c->k + j],
						j + 1 < c->k ? ' ' : '\n');
			else if (e == 3)
				fprintf(fp, "%.17g\n", c->w[i]);
			else
				fprintf(fp, "%zu\n", c->idx[i]);
		}
		if (fclose(fp))
			err = -1;
	}
	return err;
}

/* got agrees with obj[key]: a number to the tolerance, or null and NaN. */
static void check_value(const struct tcase *c, const cJSON *obj,
			const char *key, double got)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	char name[256];

	snprintf(name, sizeof(name), "%s: %s", c->name, key);
	if (cJSON_IsNull(it)) {
		char *ekey = xstrfmt("%s_error", key);
		const char *why = mlci_json_get_string(obj, ekey);

		if (!unit_check(isnan(got), __FILE__, __LINE__, name))
			printf("#   got  %.17g\n#   want null (%s)\n", got,
			       why ? why : "nan");
		free(ekey);
		return;
	}
	if (!cJSON_IsNumber(it)) {
		CHECK(0, name);
		printf("#   sklearn gave no %s\n", key);
		return;
	}
	CHECK_AGREE(got, it->valuedouble, name);
}

/* The per-class array obj[key] (over obj.labels) against ours. */
static void check_classes(const struct tcase *c, const cJSON *obj,
			  const char *key, const double *got)
{
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(obj, "labels");
	const cJSON *vals = cJSON_GetObjectItemCaseSensitive(obj, key);
	int i, nl = cJSON_GetArraySize(labels), ok = 1;
	char name[256];

	snprintf(name, sizeof(name), "%s: %s per class", c->name, key);
	if (!cJSON_IsArray(labels) || cJSON_GetArraySize(vals) != nl) {
		CHECK(0, name);
		return;
	}
	for (i = 0; i < nl; i++) {
		int cl = cJSON_GetArrayItem(labels, i)->valueint;
		const cJSON *v = cJSON_GetArrayItem(vals, i);

		if (cl < 0 || (size_t)cl >= c->k || !cJSON_IsNumber(v) ||
		    !agree(got[cl], v->valuedouble)) {
			if (ok)
				printf("# class %d: got %.17g want %.17g\n", cl,
				       cl >= 0 && (size_t)cl < c->k ? got[cl] : NAN,
				       cJSON_IsNumber(v) ? v->valuedouble : NAN);
			ok = 0;
		}
	}
	CHECK(ok, name);
}

static void check_flag(const struct tcase *c, const cJSON *obj,
		       const char *key, int ours)
{
	char name[256];
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	snprintf(name, sizeof(name), "%s: %s as sklearn", c->name, key);
	CHECK(cJSON_IsBool(it) && !!cJSON_IsTrue(it) == !!ours, name);
}

static void check_clf_case(const struct tcase *c, const cJSON *obj)
{
	const struct mlci_metrics_clf_result *r = &c->res;
	const unsigned both = MLCI_METRICS_NO_PREDICTED | MLCI_METRICS_NO_TRUE;
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(obj, "labels");
	const cJSON *cm = cJSON_GetObjectItemCaseSensitive(obj, "confusion");
	char name[256];
	unsigned char *in_set = xcalloc(c->k, 1);
	int f1_undefined = 0, set_ok = 1, cm_ok = 1;
	size_t i, j;

	check_value(c, obj, "accuracy", r->accuracy.value);
	check_value(c, obj, "balanced_accuracy", r->balanced_accuracy.value);
	check_value(c, obj, "precision_macro", r->precision_macro.value);
	check_value(c, obj, "recall_macro", r->recall_macro.value);
	check_value(c, obj, "f1_macro", r->f1_macro.value);
	check_value(c, obj, "precision_weighted", r->precision_weighted.value);
	check_value(c, obj, "recall_weighted", r->recall_weighted.value);
	check_value(c, obj, "f1_weighted", r->f1_weighted.value);
	check_value(c, obj, "roc_auc", r->roc_auc.value);
	check_value(c, obj, "log_loss", r->log_loss.value);
	check_classes(c, obj, "precision", r->precision);
	check_classes(c, obj, "recall", r->recall);
	check_classes(c, obj, "f1", r->f1);
	check_classes(c, obj, "support", r->support);

	for (i = 0; i < (size_t)cJSON_GetArraySize(labels); i++) {
		int cl = cJSON_GetArrayItem(labels, (int)i)->valueint;

		if (cl >= 0 && (size_t)cl < c->k)
			in_set[cl] = 1;
	}
	for (i = 0; i < c->k; i++) {
		if (!in_set[i] != !!(r->class_flags[i] & MLCI_METRICS_ABSENT))
			set_ok = 0;
		if (in_set[i] && (r->class_flags[i] & both) == both)
			f1_undefined = 1;
	}
	snprintf(name, sizeof(name), "%s: averaged classes as sklearn", c->name);
	CHECK(set_ok, name);
	check_flag(c, obj, "warn_precision", r->flags & MLCI_METRICS_NO_PREDICTED);
	check_flag(c, obj, "warn_recall", r->flags & MLCI_METRICS_NO_TRUE);
	check_flag(c, obj, "warn_f1", f1_undefined);

	if (cJSON_GetArraySize(cm) != (int)c->k)
		cm_ok = 0;
	for (i = 0; cm_ok && i < c->k; i++) {
		const cJSON *row = cJSON_GetArrayItem(cm, (int)i);

		for (j = 0; j < c->k; j++) {
			const cJSON *v = cJSON_GetArrayItem(row, (int)j);

			if (!cJSON_IsNumber(v) ||
			    !agree(r->confusion[i * c->k + j], v->valuedouble))
				cm_ok = 0;
		}
	}
	snprintf(name, sizeof(name), "%s: confusion matrix", c->name);
	CHECK(cm_ok, name);
	free(in_set);
}

static void check_against_sklearn(void)
{
	char dir[] = "/tmp/mlci-test-metrics-XXXXXX";
	char *cmd, *path, *line = xmalloc(1 << 20);
	FILE *manifest, *p;
	size_t i;
	int status, sklearn_seen = 0;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		free(line);
		return;
	}
	path = xstrfmt("%s/manifest", dir);
	manifest = fopen(path, "w");
	free(path);
	if (!manifest) {
		CHECK(0, "write the manifest");
		unit_remove_dir(dir);
		free(line);
		return;
	}
	for (i = 0; i < ncases; i++) {
		const struct tcase *c = &cases[i];

		fprintf(manifest, "%zu\t%s\t%zu\t%d\t%d\t%d\t%d\n", i,
			c->kind == CLF ? "clf" : "reg", c->k, c->all_labels,
			!!c->proba, !!c->w, !!c->idx);
		if (write_case(dir, i, c))
			CHECK(0, "write a case");
	}
	CHECK(!fclose(manifest), "close the manifest");

	cmd = xstrfmt("%s %s %s", PYTHON, SCRIPT, dir);
	p = popen(cmd, "r");
	free(cmd);
	CHECK(p != NULL, "run " PYTHON " " SCRIPT);
	while (p && fgets(line, 1 << 20, p)) {
		cJSON *obj = cJSON_Parse(line), *id;
		struct tcase *c;

		if (!obj) {
			CHECK(0, "metrics-reference.py prints JSON");
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(obj, "sklearn"))
			sklearn_seen = 1;
		id = cJSON_GetObjectItemCaseSensitive(obj, "id");
		if (!cJSON_IsNumber(id) || id->valueint < 0 ||
		    (size_t)id->valueint >= ncases) {
			cJSON_Delete(obj);
			continue;
		}
		c = &cases[id->valueint];
		c->seen = 1;
		CHECK_INT(c->ret, 0, c->name);
		if (c->kind == CLF) {
			check_clf_case(c, obj);
		} else {
			check_value(c, obj, "rmse", c->reg.rmse.value);
			check_value(c, obj, "mae", c->reg.mae.value);
			check_value(c, obj, "r2", c->reg.r2.value);
		}
		cJSON_Delete(obj);
	}
	status = p ? pclose(p) : -1;
	CHECK_INT(status, 0, "metrics-reference.py exits 0 (python3, numpy, sklearn present)");
	CHECK(sklearn_seen, "metrics-reference.py ran to its end");
	for (i = 0; i < ncases; i++) {
		char name[200];

		snprintf(name, sizeof(name), "%s: compared with sklearn",
			 cases[i].name);
		CHECK(cases[i].seen, name);
	}
	unit_remove_dir(dir);
	free(line);
}

static void free_cases(void)
{
	size_t i;

	for (i = 0; i < ncases; i++) {
		struct tcase *c = &cases[i];

		free(c->y);
		free(c->p);
		free(c->proba);
		free(c->yr);
		free(c->pr);
		free(c->w);
		free(c->idx);
		mlci_metrics_clf_result_release(&c->res);
	}
	free(cases);
}

int main(void)
{
	test_binary_table();
	test_auc_ties();
	test_absent_prediction();
	test_log_loss_clip();
	test_regression_table();
	test_rows_equivalence();
	test_bad_input();

	build_cases();
	compute_cases();
	check_against_sklearn();
	free_cases();
	return unit_done();
}
