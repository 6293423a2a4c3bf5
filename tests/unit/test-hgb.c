/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/hgb.c, checked live against scikit-learn 1.2's HistGradientBoosting* and _BinMapper. */
#include "hgb.h"
#include "json.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The live comparison: /usr/bin/python3 tests/tools/hgb-reference.py
 * writes each case's rows to a temporary directory and prints what
 * scikit-learn does on them. Tolerances:
 * - "bins": every threshold bit for bit, the same count per feature;
 * - "first" (early stopping off, a few iterations: the trees should be
 *   sklearn's): the same number of leaves per tree, the raw predictions
 *   of the test rows and the training loss to 1e-9 relative to
 *   max(1, |value|);
 * - "seeds" (five train/test splits): our mean test accuracy at most
 *   the larger of 1 point and twice sklearn's seed-to-seed standard
 *   deviation (sample, n - 1) below sklearn's mean; for regression the
 *   mean RMSE at most 2% (or twice the deviation) above.
 * Every fit runs with one and with three threads, which must give the
 * same model byte for byte. Without python3 or scikit-learn the
 * comparisons fail: a missing oracle must never pass.
 */
#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/tools/hgb-reference.py"

static size_t num(const cJSON *o, const char *key)
{
	double v = -1;

	mlci_json_get_number(o, key, &v);
	return v < 0 ? 0 : (size_t)v;
}

static void set_params(struct mlci_hgb_params *p, const cJSON *params)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, params) {
		double v = it->valuedouble;

		if (!strcmp(it->string, "max_iter"))
			p->max_iter = (size_t)v;
		else if (!strcmp(it->string, "max_leaf_nodes"))
			p->max_leaf_nodes = (size_t)v;
		else if (!strcmp(it->string, "max_depth"))
			p->max_depth = (size_t)v;
		else if (!strcmp(it->string, "min_samples_leaf"))
			p->min_samples_leaf = (size_t)v;
		else if (!strcmp(it->string, "l2_regularization"))
			p->l2_regularization = v;
		else if (!strcmp(it->string, "max_bins"))
			p->max_bins = (size_t)v;
		else
			CHECK(0, it->string);
	}
}

static int same_model(const struct mlci_hgb_model *a,
		      const struct mlci_hgb_model *b)
{
	size_t i;

	if (a->n_nodes != b->n_nodes || a->n_iter != b->n_iter)
		return 0;
	for (i = 0; i < a->n_nodes; i++)
		if (a->nodes[i].value != b->nodes[i].value ||
		    a->nodes[i].feature != b->nodes[i].feature ||
		    a->nodes[i].right != b->nodes[i].right ||
		    a->nodes[i].missing_left != b->nodes[i].missing_left)
			return 0;
	for (i = 0; i < a->n_iter; i++)
		if (a->train_loss[i] != b->train_loss[i])
			return 0;
	return !memcmp(a->importances, b->importances,
		       a->n_features * sizeof(double));
}

/* cols[j] = column j of X (n x d, row-major), copied into cv (d x n). */
static void to_columns(const double *X, size_t n, size_t d, double *cv,
		       const double **cols)
{
	size_t i, j;

	for (j = 0; j < d; j++) {
		for (i = 0; i < n; i++)
			cv[j * n + i] = X[i * d + j];
		cols[j] = cv + j * n;
	}
}

/*
 * Fit with one and three threads, and from X's columns; 0 when all
 * succeed with the same model.
 */
static int fit_both(struct mlci_hgb_model *m, struct mlci_hgb_params *p,
		    const double *X, const double *y, size_t n, size_t d,
		    size_t k, const char *id)
{
	struct mlci_hgb_model m3, mc;
	double *cv = xmalloc(n * d * sizeof(*cv));
	const double **cols = xmalloc(d * sizeof(*cols));
	char name[256];
	int r1, r3, rc;

	to_columns(X, n, d, cv, cols);
	mlci_hgb_model_init(&m3);
	mlci_hgb_model_init(&mc);
	p->n_jobs = 1;
	r1 = mlci_hgb_fit(m, p, X, NULL, y, NULL, n, d, k);
	rc = mlci_hgb_fit(&mc, p, NULL, cols, y, NULL, n, d, k);
	p->n_jobs = 3;
	r3 = mlci_hgb_fit(&m3, p, X, NULL, y, NULL, n, d, k);
	snprintf(name, sizeof(name), "%s: fits", id);
	CHECK(!r1 && !r3 && !rc, name);
	snprintf(name, sizeof(name), "%s: 1 and 3 threads give the same model", id);
	CHECK(!r1 && !r3 && same_model(m, &m3), name);
	snprintf(name, sizeof(name), "%s: rows and columns give the same model", id);
	CHECK(!r1 && !rc && same_model(m, &mc), name);
	mlci_hgb_model_release(&m3);
	mlci_hgb_model_release(&mc);
	free(cols);
	free(cv);
	return r1 || r3 || rc;
}

static void compare_bins(const char *dir, const cJSON *o, const char *id)
{
	size_t n = num(o, "n"), p = num(o, "p"), mb = num(o, "max_bins"), j, i;
	double *X = unit_read_doubles(dir, id, "X", n * p), *col, *thr;
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(o, "thresholds");
	int ok = 1;
	char name[256];

	if (!CHECK(X && cJSON_GetArraySize(want) == (int)p, "bins: case readable")) {
		free(X);
		return;
	}
	col = xmalloc(n * sizeof(double));
	thr = xmalloc(mb * sizeof(double));
	for (j = 0; j < p; j++) {
		const cJSON *w = cJSON_GetArrayItem(want, (int)j);
		size_t nt;

		for (i = 0; i < n; i++)
			col[i] = X[i * p + j];
		nt = mlci_hgb_bin_thresholds(col, n, mb, thr);
		if (nt != (size_t)cJSON_GetArraySize(w)) {
			ok = 0;
			fprintf(stderr, "# %s feature %zu: %zu thresholds, sklearn %d\n",
				id, j, nt, cJSON_GetArraySize(w));
			continue;
		}
		for (i = 0; i < nt; i++)
			if (thr[i] != cJSON_GetArrayItem(w, (int)i)->valuedouble) {
				ok = 0;
				fprintf(stderr, "# %s feature %zu threshold %zu: %.17g, sklearn %.17g\n",
					id, j, i, thr[i],
					cJSON_GetArrayItem(w, (int)i)->valuedouble);
				break;
			}
	}
	snprintf(name, sizeof(name), "%s: thresholds equal _BinMapper's bit for bit", id);
	CHECK(ok, name);
	free(col);
	free(thr);
	free(X);
}

static void compare_first(const char *dir, const cJSON *o, const char *id)
{
	size_t n = num(o, "n"), p = num(o, "p"), nt = num(o, "nt"),
		k = num(o, "k"), kk = k > 2 ? k : 1, i, t, nl;
	double *X = unit_read_doubles(dir, id, "X", n * p);
	double *y = unit_read_doubles(dir, id, "y", n);
	double *Xt = unit_read_doubles(dir, id, "Xt", nt * p), *raw = NULL;
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(o, "raw");
	const cJSON *leaves = cJSON_GetObjectItemCaseSensitive(o, "n_leaves");
	struct mlci_hgb_params prm;
	struct mlci_hgb_model m;
	double err = 0, wl = 0, lerr;
	char name[256];
	int leaves_ok = 1;

	mlci_hgb_model_init(&m);
	if (!CHECK(X && y && Xt && cJSON_GetArraySize(want) == (int)(nt * kk),
		   "first: case readable"))
		goto out;
	mlci_hgb_params_init(&prm);
	prm.early_stopping = 0;
	set_params(&prm, cJSON_GetObjectItemCaseSensitive(o, "params"));
	if (fit_both(&m, &prm, X, y, n, p, k, id))
		goto out;
	if (!CHECK(m.n_iter * kk == (size_t)cJSON_GetArraySize(leaves), "first: as many trees"))
		goto out;
	for (t = 0; t < m.n_iter * kk; t++) {
		nl = 0;
		for (i = m.tree_start[t]; i < m.tree_start[t + 1]; i++)
			nl += m.nodes[i].feature < 0;
		if (nl != (size_t)cJSON_GetArrayItem(leaves, (int)t)->valueint)
			leaves_ok = 0;
	}
	snprintf(name, sizeof(name), "%s: the same leaves per tree as sklearn", id);
	CHECK(leaves_ok, name);
	raw = xmalloc(nt * kk * sizeof(double));
	mlci_hgb_raw(&m, Xt, nt, raw);
	for (i = 0; i < nt * kk; i++) {
		double w = cJSON_GetArrayItem(want, (int)i)->valuedouble;

		err = fmax(err, fabs(raw[i] - w) / fmax(1.0, fabs(w)));
	}
	snprintf(name, sizeof(name), "%s: raw test predictions equal sklearn's to 1e-9 (max rel err %.3g)",
		 id, err);
	CHECK(err <= 1e-9, name);
	mlci_json_get_number(o, "train_loss", &wl);
	lerr = fabs(m.train_loss[m.n_iter - 1] - wl) / fmax(1.0, fabs(wl));
	snprintf(name, sizeof(name), "%s: training loss equals sklearn's to 1e-9 (rel err %.3g)",
		 id, lerr);
	CHECK(lerr <= 1e-9, name);
out:
	mlci_hgb_model_release(&m);
	free(X);
	free(y);
	free(Xt);
	free(raw);
}

static void compare_seeds(const char *dir, const cJSON *o, const char *id)
{
	size_t n = num(o, "n"), p = num(o, "p"), nt = num(o, "nt"),
		k = num(o, "k"), s, i;
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(o, "scores");
	double ours = 0, theirs = 0, var = 0, tol;
	int ns = cJSON_GetArraySize(want), ok = 1;
	char name[256];

	for (s = 0; s < (size_t)ns; s++) {
		char *sid = xstrfmt("%s-%zu", id, s);
		double *X = unit_read_doubles(dir, sid, "X", n * p);
		double *y = unit_read_doubles(dir, sid, "y", n);
		double *Xt = unit_read_doubles(dir, sid, "Xt", nt * p);
		double *yt = unit_read_doubles(dir, sid, "yt", nt), *pred, sc = 0;
		struct mlci_hgb_params prm;
		struct mlci_hgb_model m;

		mlci_hgb_model_init(&m);
		mlci_hgb_params_init(&prm);
		prm.seed = s;
		if (!X || !y || !Xt || !yt || fit_both(&m, &prm, X, y, n, p, k, sid)) {
			ok = 0;
		} else {
			pred = xmalloc(nt * sizeof(double));
			mlci_hgb_predict(&m, Xt, nt, pred);
			for (i = 0; i < nt; i++)
				sc += k ? (pred[i] == yt[i]) :
					(pred[i] - yt[i]) * (pred[i] - yt[i]);
			sc = k ? sc / (double)nt : sqrt(sc / (double)nt);
			ours += sc;
			free(pred);
		}
		theirs += cJSON_GetArrayItem(want, (int)s)->valuedouble;
		mlci_hgb_model_release(&m);
		free(X);
		free(y);
		free(Xt);
		free(yt);
		free(sid);
	}
	if (!CHECK(ok && ns == 5, "seeds: every split fitted"))
		return;
	ours /= ns;
	theirs /= ns;
	for (s = 0; s < (size_t)ns; s++) {
		double v = cJSON_GetArrayItem(want, (int)s)->valuedouble - theirs;

		var += v * v;
	}
	var /= ns - 1;
	if (k) {
		tol = fmax(0.01, 2 * sqrt(var));
		snprintf(name, sizeof(name), "%s: mean accuracy %.4f vs sklearn %.4f (tolerance %.4f)",
			 id, ours, theirs, tol);
		CHECK(ours >= theirs - tol, name);
	} else {
		tol = fmax(0.02 * theirs, 2 * sqrt(var));
		snprintf(name, sizeof(name), "%s: mean RMSE %.4f vs sklearn %.4f (tolerance %.4f)",
			 id, ours, theirs, tol);
		CHECK(ours <= theirs + tol, name);
	}
}

static void check_against_sklearn(void)
{
	char dir[] = "/tmp/mlci-test-hgb-XXXXXX";
	char *cmd, *line = NULL;
	size_t cap = 0;
	FILE *p;
	int status, cases = 0, sklearn_seen = 0;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	/* One OpenMP thread: its spinning workers would slow our fits running alongside. */
	cmd = xstrfmt("OMP_NUM_THREADS=1 %s %s %s", PYTHON, SCRIPT, dir);
	p = popen(cmd, "r");
	free(cmd);
	CHECK(p != NULL, "run " PYTHON " " SCRIPT);
	while (p && getline(&line, &cap, p) > 0) {
		cJSON *obj = cJSON_Parse(line);
		const char *kind, *id;

		if (!obj) {
			CHECK(0, "hgb-reference.py prints JSON");
			continue;
		}
		kind = mlci_json_get_string(obj, "kind");
		id = mlci_json_get_string(obj, "id");
		if (cJSON_GetObjectItemCaseSensitive(obj, "sklearn")) {
			sklearn_seen = 1;
		} else if (CHECK(kind && id, "hgb-reference.py: a well-formed case")) {
			if (!strcmp(kind, "bins"))
				compare_bins(dir, obj, id);
			else if (!strcmp(kind, "first"))
				compare_first(dir, obj, id);
			else
				compare_seeds(dir, obj, id);
			cases++;
		}
		cJSON_Delete(obj);
	}
	free(line);
	status = p ? pclose(p) : -1;
	CHECK_INT(status, 0, "hgb-reference.py exits 0 (python3, numpy, pandas, scikit-learn present)");
	CHECK(sklearn_seen, "hgb-reference.py ran to its end");
	CHECK_INT(cases, 20, "every scikit-learn case compared");
	unit_remove_dir(dir);
}

/*
 * An infinite value is refused, naming the first in row order, whether
 * the features come as rows or as columns (read down, column by column).
 */
static void test_infinite(void)
{
	enum { N = 6, D = 3 };
	double X[N * D], cv[D * N], y[N];
	const double *cols[D];
	struct mlci_hgb_params p;
	struct mlci_hgb_model m;
	size_t i, j;
	char *msg;
	int ret;

	for (i = 0; i < N; i++) {
		y[i] = (double)(i % 2);
		for (j = 0; j < D; j++)
			X[i * D + j] = (double)(i + j);
	}
	X[4 * D + 0] = -INFINITY;	/* row 5, feature 1: found first down column 1 */
	X[2 * D + 1] = INFINITY;	/* row 3, feature 2: first in row order */
	X[2 * D + 2] = INFINITY;
	to_columns(X, N, D, cv, cols);
	mlci_hgb_params_init(&p);
	mlci_hgb_model_init(&m);
	unit_capture_start();
	ret = mlci_hgb_fit(&m, &p, X, NULL, y, NULL, N, D, 2);
	msg = unit_capture_end();
	CHECK(ret == -MLCI_EXIT_INPUT && strstr(msg, "row 3, feature 2"),
	      "rows: the first infinite value in row order");
	free(msg);
	unit_capture_start();
	ret = mlci_hgb_fit(&m, &p, NULL, cols, y, NULL, N, D, 2);
	msg = unit_capture_end();
	CHECK(ret == -MLCI_EXIT_INPUT && strstr(msg, "row 3, feature 2"),
	      "columns: the same value named");
	free(msg);
	mlci_hgb_model_release(&m);
}

int main(void)
{
	unit_name("hgb");
	test_infinite();
	check_against_sklearn();
	return unit_done();
}
