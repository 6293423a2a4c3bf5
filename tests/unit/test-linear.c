/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/linear.c, checked live against scikit-learn 1.2 on its bundled data sets. */
#include "linear.h"
#include "json.h"
#include "random.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/*
 * The live comparison: /usr/bin/python3 tests/tools/linear-reference.py
 * writes each case's standardised training and test rows to a temporary
 * directory and prints what scikit-learn fits on them. Tolerances:
 * - least squares and ridge (exact solvers): coefficients, intercept and
 *   predictions to 1e-8 relative to the largest of each;
 * - logistic regression (same L-BFGS path, same stops): coefficients to
 *   1e-4 relative to max(1, largest), probabilities to 1e-5 absolute;
 * - linear SVM (same solver, another coordinate order): decision values to
 *   1e-3 relative to max(1, largest |value|);
 * - every classifier: test accuracy at most one point below scikit-learn's.
 * Without python3 or scikit-learn the comparisons fail: a missing oracle
 * must never pass.
 */
#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/tools/linear-reference.py"

/* Largest |got - want| over n values, and the largest |want| into *scale. */
static double max_err(const double *got, const cJSON *want, size_t n,
		      double *scale)
{
	const cJSON *it;
	double err = 0.0;
	size_t i = 0;

	*scale = 0.0;
	cJSON_ArrayForEach(it, want) {
		if (i >= n || !cJSON_IsNumber(it))
			return HUGE_VAL;
		err = fmax(err, fabs(got[i] - it->valuedouble));
		if (isnan(got[i]))
			err = HUGE_VAL;
		*scale = fmax(*scale, fabs(it->valuedouble));
		i++;
	}
	return i == n ? err : HUGE_VAL;
}

/* The rows of a JSON array of arrays, flattened. */
static cJSON *flatten(const cJSON *rows)
{
	cJSON *flat = cJSON_CreateArray();
	const cJSON *row, *it;

	cJSON_ArrayForEach(row, rows)
		cJSON_ArrayForEach(it, row)
			cJSON_AddItemToArray(flat, cJSON_CreateNumber(it->valuedouble));
	return flat;
}

static double accuracy(const double *pred, const double *y, size_t n)
{
	size_t i, right = 0;

	for (i = 0; i < n; i++)
		right += pred[i] == y[i];
	return (double)right / (double)n;
}

static double rmse(const double *pred, const double *y, size_t n)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		s += (pred[i] - y[i]) * (pred[i] - y[i]);
	return sqrt(s / (double)n);
}

/* To JSON text and back: the same model, to the last bit. */
static int round_trips(const struct mlci_linear_model *m, const double *X,
		       size_t n)
{
	struct mlci_linear_model back;
	struct strbuf a, b;
	cJSON *j = mlci_linear_to_json(m), *parsed = NULL, *j2;
	double *d1 = xmalloc(n * m->n_rows * sizeof(double));
	double *d2 = xmalloc(n * m->n_rows * sizeof(double));
	int ok;

	strbuf_init(&a, 0);
	strbuf_init(&b, 0);
	mlci_linear_model_init(&back);
	mlci_json_print(j, 0, &a);
	ok = !mlci_json_parse(a.buf, a.len, "model", &parsed) &&
		!mlci_linear_from_json(&back, parsed);
	if (ok) {
		j2 = mlci_linear_to_json(&back);
		mlci_json_print(j2, 0, &b);
		cJSON_Delete(j2);
		mlci_linear_decision_function(m, X, n, d1);
		mlci_linear_decision_function(&back, X, n, d2);
		ok = a.len == b.len && !memcmp(a.buf, b.buf, a.len) &&
			!memcmp(d1, d2, n * m->n_rows * sizeof(double));
	}
	cJSON_Delete(j);
	cJSON_Delete(parsed);
	mlci_linear_model_release(&back);
	strbuf_release(&a);
	strbuf_release(&b);
	free(d1);
	free(d2);
	return ok;
}

static void compare_case(const char *dir, const cJSON *c)
{
	const char *id = mlci_json_get_string(c, "id");
	const char *kname = mlci_json_get_string(c, "model");
	const char *compare = mlci_json_get_string(c, "compare");
	const cJSON *params = mlci_json_get_object(c, "params");
	struct mlci_linear_params pa;
	struct mlci_linear_model m;
	enum mlci_linear_kind kind;
	double n_d, p_d, nt_d, v, skscore, ours, err, scale;
	double *X, *y, *Xt, *yt, *w = NULL, *dec = NULL, *pred = NULL, *proba = NULL;
	size_t n, p, nt;
	char name[256];
	int cls, all;
	cJSON *flat;

	if (!id || !kname || !compare || !params ||
	    mlci_linear_kind_parse(kname, &kind) < 0 ||
	    mlci_json_get_number(c, "n", &n_d) || mlci_json_get_number(c, "p", &p_d) ||
	    mlci_json_get_number(c, "nt", &nt_d) ||
	    mlci_json_get_number(c, "score", &skscore)) {
		CHECK(0, "linear-reference.py: a well-formed case");
		return;
	}
	n = (size_t)n_d;
	p = (size_t)p_d;
	nt = (size_t)nt_d;
	cls = mlci_linear_is_classifier(kind);
	all = !strcmp(compare, "all");
	X = unit_read_doubles(dir, id, "X", n * p);
	y = unit_read_doubles(dir, id, "y", n);
	Xt = unit_read_doubles(dir, id, "Xt", nt * p);
	yt = unit_read_doubles(dir, id, "yt", nt);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "weighted")))
		w = unit_read_doubles(dir, id, "w", n);
	snprintf(name, sizeof(name), "%s: read the data", id);
	if (!CHECK(X && y && Xt && yt, name))
		goto out;

	mlci_linear_params_init(&pa, kind);
	if (!mlci_json_get_number(params, "alpha", &v))
		pa.alpha = v;
	if (!mlci_json_get_number(params, "C", &v))
		pa.C = v;
	mlci_linear_model_init(&m);
	snprintf(name, sizeof(name), "%s: fit %s", id, kname);
	mlci_set_quiet(1);	/* the wide least-squares case warns */
	CHECK_INT(mlci_linear_fit(&m, X, y, w, n, p, &pa), 0, name);
	mlci_set_quiet(0);
	if (!m.coef)
		goto out;

	dec = xmalloc(nt * m.n_rows * sizeof(double));
	pred = xmalloc(nt * sizeof(double));
	mlci_linear_decision_function(&m, Xt, nt, dec);
	mlci_linear_predict(&m, Xt, nt, pred);
	ours = cls ? accuracy(pred, yt, nt) : rmse(pred, yt, nt);

	flat = flatten(cJSON_GetObjectItemCaseSensitive(c, "coef"));
	err = max_err(m.coef, flat, m.n_rows * p, &scale);
	cJSON_Delete(flat);
	printf("# %s: coef err %.3g (scale %.3g), score %.6g vs sklearn %.6g, iterations %d vs %d%s\n",
	       id, err, scale, ours, skscore, m.iterations,
	       cJSON_GetObjectItemCaseSensitive(c, "n_iter")->valueint,
	       m.converged ? "" : " (not converged)");
	if (!all) {
		/* scikit-learn stopped at max_iter too: only the accuracy is comparable. */
	} else if (kind == MLCI_LINEAR_REGRESSION || kind == MLCI_LINEAR_RIDGE) {
		snprintf(name, sizeof(name), "%s: coefficients to 1e-8 relative", id);
		CHECK(err <= 1e-8 * scale, name);
		err = max_err(m.intercept, cJSON_GetObjectItemCaseSensitive(c, "intercept"),
			      1, &scale);
		snprintf(name, sizeof(name), "%s: intercept to 1e-8 relative", id);
		CHECK(err <= 1e-8 * scale, name);
		err = max_err(pred, cJSON_GetObjectItemCaseSensitive(c, "decision"), nt, &scale);
		snprintf(name, sizeof(name), "%s: predictions to 1e-8 relative", id);
		CHECK(err <= 1e-8 * scale, name);
	} else if (kind == MLCI_LINEAR_LOGISTIC) {
		snprintf(name, sizeof(name), "%s: coefficients to 1e-4 relative", id);
		if (!CHECK(err <= 1e-4 * fmax(1.0, scale), name))
			printf("#   max error %.3g, largest coefficient %.3g\n", err, scale);
		err = max_err(m.intercept, cJSON_GetObjectItemCaseSensitive(c, "intercept"),
			      m.n_rows, &scale);
		snprintf(name, sizeof(name), "%s: intercepts to 1e-4 relative", id);
		CHECK(err <= 1e-4 * fmax(1.0, scale), name);
		proba = xmalloc(nt * m.n_classes * sizeof(double));
		snprintf(name, sizeof(name), "%s: predict_proba", id);
		CHECK_INT(mlci_linear_predict_proba(&m, Xt, nt, proba), 0, name);
		err = max_err(proba, cJSON_GetObjectItemCaseSensitive(c, "proba"),
			      nt * m.n_classes, &scale);
		snprintf(name, sizeof(name), "%s: probabilities to 1e-5", id);
		if (!CHECK(err <= 1e-5, name))
			printf("#   max error %.3g\n", err);
		snprintf(name, sizeof(name), "%s: converged as scikit-learn", id);
		CHECK(!!m.converged == !!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "converged")),
		      name);
	} else {
		err = max_err(dec, cJSON_GetObjectItemCaseSensitive(c, "decision"),
			      nt * m.n_rows, &scale);
		snprintf(name, sizeof(name), "%s: decision values to 1e-3 relative", id);
		if (!CHECK(err <= 1e-3 * fmax(1.0, scale), name))
			printf("#   max error %.3g, largest value %.3g\n", err, scale);
	}
	if (cls) {
		snprintf(name, sizeof(name), "%s: accuracy %.4f at most 1 point below scikit-learn's %.4f",
			 id, ours, skscore);
		CHECK(ours >= skscore - 0.01, name);
	} else {
		snprintf(name, sizeof(name), "%s: RMSE %.6g at most 2%% above scikit-learn's %.6g",
			 id, ours, skscore);
		CHECK(ours <= skscore * 1.02, name);
	}
	snprintf(name, sizeof(name), "%s: JSON round trip, exact", id);
	CHECK(round_trips(&m, Xt, nt), name);
	mlci_linear_model_release(&m);
out:
	free(X);
	free(y);
	free(Xt);
	free(yt);
	free(w);
	free(dec);
	free(pred);
	free(proba);
}

static void check_against_sklearn(void)
{
	char dir[] = "/tmp/mlci-test-linear-XXXXXX";
	char *cmd, line[1 << 20];
	FILE *p;
	int status, cases = 0, sklearn_seen = 0;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	cmd = xstrfmt("%s %s %s", PYTHON, SCRIPT, dir);
	p = popen(cmd, "r");
	free(cmd);
	CHECK(p != NULL, "run " PYTHON " " SCRIPT);
	while (p && fgets(line, sizeof(line), p)) {
		cJSON *obj = cJSON_Parse(line);

		if (!obj) {
			CHECK(0, "linear-reference.py prints JSON");
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(obj, "sklearn"))
			sklearn_seen = 1;
		else {
			compare_case(dir, obj);
			cases++;
		}
		cJSON_Delete(obj);
	}
	status = p ? pclose(p) : -1;
	CHECK_INT(status, 0, "linear-reference.py exits 0 (python3, numpy, scikit-learn present)");
	CHECK(sklearn_seen, "linear-reference.py ran to its end");
	CHECK_INT(cases, 17, "every scikit-learn case compared");
	unit_remove_dir(dir);
}

/* y = 3 + 2 x0 - x1 exactly, and a constant third column. */
static void test_exact(void)
{
	double X[8 * 3], y[8], pred[8], err = 0.0;
	struct mlci_linear_params pa;
	struct mlci_linear_model m;
	size_t i;

	for (i = 0; i < 8; i++) {
		X[i * 3] = (double)i;
		X[i * 3 + 1] = (double)(i * i % 5);
		X[i * 3 + 2] = 7.0;
		y[i] = 3.0 + 2.0 * X[i * 3] - X[i * 3 + 1];
	}
	mlci_linear_model_init(&m);
	mlci_linear_params_init(&pa, MLCI_LINEAR_REGRESSION);
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 8, 3, &pa), 0,
		  "least squares with a constant column");
	CHECK_NEAR(m.coef[0], 2.0, 1e-12, "least squares: coefficient 2");
	CHECK_NEAR(m.coef[1], -1.0, 1e-12, "least squares: coefficient -1");
	CHECK_NEAR(m.coef[2], 0.0, 1e-12, "least squares: constant column gets 0 (minimum norm)");
	CHECK_NEAR(m.intercept[0], 3.0, 1e-11, "least squares: intercept 3");
	CHECK(m.converged && m.iterations == 0 && m.history_len == 0,
	      "exact solver: converged, no iterations");
	mlci_linear_predict(&m, X, 8, pred);
	for (i = 0; i < 8; i++)
		err = fmax(err, fabs(pred[i] - y[i]));
	CHECK(err < 1e-11, "least squares: exact predictions");

	mlci_linear_params_init(&pa, MLCI_LINEAR_RIDGE);
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 8, 3, &pa), 0,
		  "ridge with a constant column");
	CHECK(m.coef[2] == 0.0 && isfinite(m.coef[0]), "ridge: constant column gets exactly 0");
	pa.alpha = 0.0;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 8, 3, &pa), 0,
		  "ridge alpha 0 on a singular X'X falls back to least squares");
	CHECK_NEAR(m.coef[0], 2.0, 1e-10, "ridge alpha 0: least squares");

	/* Standardisation turns a constant column into zeros. */
	mlci_linear_params_init(&pa, MLCI_LINEAR_LOGISTIC);
	for (i = 0; i < 8; i++) {
		y[i] = i % 2;
		X[i * 3 + 2] = 0.0;
	}
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 8, 3, &pa), 0,
		  "logistic regression with a zero column");
	CHECK(m.coef[2] == 0.0 && isfinite(m.coef[0]), "logistic: zero column gets exactly 0");
	mlci_linear_params_init(&pa, MLCI_LINEAR_SVM);
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 8, 3, &pa), 0,
		  "svm with a zero column");
	CHECK(m.coef[2] == 0.0 && isfinite(m.coef[0]), "svm: zero column gets exactly 0");
	mlci_linear_model_release(&m);
}

/* Separable data, C huge: no NaN, no infinity, a finite report. */
static void test_separable(void)
{
	double X[20], y[20], proba[40];
	struct mlci_linear_params pa;
	struct mlci_linear_model m;
	size_t i;

	for (i = 0; i < 20; i++) {
		X[i] = (double)i - 9.5;
		y[i] = i >= 10;
	}
	mlci_linear_model_init(&m);
	mlci_linear_params_init(&pa, MLCI_LINEAR_LOGISTIC);
	pa.C = 1e12;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 20, 1, &pa), 0,
		  "logistic on separable data");
	CHECK(isfinite(m.coef[0]) && isfinite(m.intercept[0]) && isfinite(m.grad_norm),
	      "separable: finite model");
	CHECK_INT(mlci_linear_predict_proba(&m, X, 20, proba), 0, "separable: probabilities");
	CHECK(proba[0] + proba[1] == 1.0 && proba[1] < 0.5 && proba[39] > 0.5,
	      "separable: probabilities ordered and summing to 1");
	mlci_linear_params_init(&pa, MLCI_LINEAR_SVM);
	pa.C = 1e6;
	pa.max_iter = 50;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 20, 1, &pa), 0,
		  "svm with an iteration limit");
	CHECK(m.iterations <= 50 && isfinite(m.coef[0]), "svm: iteration limit kept");
	{
		struct mlci_linear_model again;
		double Xs[40];

		/* Noisy, overlapping classes: the coordinate order matters. */
		for (i = 0; i < 40; i++)
			Xs[i] = sin((double)i * 2.1);
		for (i = 0; i < 20; i++)
			y[i] = (i * 7) % 3 == 0;
		mlci_linear_model_init(&again);
		pa.C = 1.0;
		pa.max_iter = 1000;
		pa.seed = 7;
		CHECK_INT(mlci_linear_fit(&m, Xs, y, NULL, 20, 2, &pa), 0, "svm, seed 7");
		CHECK_INT(mlci_linear_fit(&again, Xs, y, NULL, 20, 2, &pa), 0, "svm, seed 7 again");
		CHECK(!memcmp(m.coef, again.coef, 2 * sizeof(double)) &&
		      m.intercept[0] == again.intercept[0] && m.iterations == again.iterations,
		      "svm: same seed, same model to the bit");
		mlci_linear_model_release(&again);
	}
	mlci_set_quiet(1);
	CHECK_INT(mlci_linear_predict_proba(&m, X, 20, proba), -MLCI_EXIT_INPUT,
		  "the svm gives no probabilities");
	mlci_set_quiet(0);
	mlci_linear_model_release(&m);
}

static void test_bad_inputs(void)
{
	double X[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5 };
	double y[6] = { 0, 1, 0, 1, 1, 0 }, sw[6] = { 1, 1, 1, 1, 1, 1 };
	double Xw[6 * 10];
	struct mlci_linear_params pa;
	struct mlci_linear_model m;
	size_t i;

	mlci_linear_model_init(&m);
	mlci_set_quiet(1);
	mlci_linear_params_init(&pa, MLCI_LINEAR_LOGISTIC);
	X[3] = NAN;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT, "NaN in X");
	X[3] = INFINITY;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT, "Inf in X");
	X[3] = 4;
	y[2] = NAN;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT, "NaN target");
	y[2] = 0.5;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT,
		  "a class index that is not whole");
	y[2] = -1;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT,
		  "a negative class index");
	y[2] = 0;
	sw[1] = -1;
	CHECK_INT(mlci_linear_fit(&m, X, y, sw, 6, 2, &pa), -MLCI_EXIT_INPUT,
		  "a negative weight");
	sw[1] = NAN;
	CHECK_INT(mlci_linear_fit(&m, X, y, sw, 6, 2, &pa), -MLCI_EXIT_INPUT, "a NaN weight");
	for (i = 0; i < 6; i++)
		sw[i] = 0;
	CHECK_INT(mlci_linear_fit(&m, X, y, sw, 6, 2, &pa), -MLCI_EXIT_INPUT,
		  "weights summing to 0");
	for (i = 0; i < 6; i++)
		sw[i] = 1;
	pa.C = 0;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT, "C = 0");
	pa.C = 1;
	pa.max_iter = 0;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT, "max_iter = 0");
	mlci_linear_params_init(&pa, MLCI_LINEAR_RIDGE);
	pa.alpha = -1;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT, "alpha < 0");
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 0, 2, &pa), -MLCI_EXIT_INPUT, "no rows");

	mlci_linear_params_init(&pa, MLCI_LINEAR_SVM);
	for (i = 0; i < 6; i++)
		y[i] = 1;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT,
		  "a class without rows (0 absent)");
	for (i = 0; i < 6; i++)
		y[i] = 0;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT,
		  "a single class");
	y[0] = 2;
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, 6, 2, &pa), -MLCI_EXIT_INPUT,
		  "class 1 missing between 0 and 2");
	y[1] = 1;
	sw[1] = 0;
	CHECK_INT(mlci_linear_fit(&m, X, y, sw, 6, 2, &pa), -MLCI_EXIT_INPUT,
		  "class 1 present only with weight 0");
	mlci_set_quiet(0);
	CHECK(!m.coef && !m.history, "a failed fit leaves no model");

	/* More features than rows: regularised models fit, least squares warns. */
	for (i = 0; i < 60; i++)
		Xw[i] = sin((double)i * 1.3);
	for (i = 0; i < 6; i++)
		y[i] = i % 2;
	mlci_linear_params_init(&pa, MLCI_LINEAR_LOGISTIC);
	CHECK_INT(mlci_linear_fit(&m, Xw, y, NULL, 6, 10, &pa), 0, "logistic with p > n");
	mlci_linear_params_init(&pa, MLCI_LINEAR_SVM);
	CHECK_INT(mlci_linear_fit(&m, Xw, y, NULL, 6, 10, &pa), 0, "svm with p > n");
	mlci_linear_params_init(&pa, MLCI_LINEAR_RIDGE);
	CHECK_INT(mlci_linear_fit(&m, Xw, y, NULL, 6, 10, &pa), 0, "ridge with p > n");
	mlci_linear_params_init(&pa, MLCI_LINEAR_REGRESSION);
	mlci_set_quiet(1);
	CHECK_INT(mlci_linear_fit(&m, Xw, y, NULL, 6, 10, &pa), 0,
		  "least squares with p > n (warns: minimum norm)");
	mlci_set_quiet(0);
	mlci_linear_model_release(&m);
}

static void test_json_strict(void)
{
	static const char *const bad[] = {
		"[]",
		"{\"model\":\"lasso\"}",
		"{\"model\":\"ridge\",\"params\":{\"alpha\":1,\"fit_intercept\":true},\"n_features\":2,\"n_classes\":0,\"coef\":[[1,2]],\"intercept\":[0],\"convergence\":{\"iterations\":0,\"converged\":true,\"grad_norm\":0},\"history\":[],\"extra\":1}",
		"{\"model\":\"ridge\",\"params\":{\"alpha\":1,\"fit_intercept\":true},\"n_features\":2,\"n_classes\":0,\"coef\":[[1]],\"intercept\":[0],\"convergence\":{\"iterations\":0,\"converged\":true,\"grad_norm\":0},\"history\":[]}",
		"{\"model\":\"ridge\",\"params\":{\"alpha\":1,\"fit_intercept\":true},\"n_features\":2,\"n_classes\":0,\"coef\":[[1,null]],\"intercept\":[0],\"convergence\":{\"iterations\":0,\"converged\":true,\"grad_norm\":0},\"history\":[]}",
		"{\"model\":\"ridge\",\"params\":{\"alpha\":\"1\",\"fit_intercept\":true},\"n_features\":2,\"n_classes\":0,\"coef\":[[1,2]],\"intercept\":[0],\"convergence\":{\"iterations\":0,\"converged\":true,\"grad_norm\":0},\"history\":[]}",
		"{\"model\":\"ridge\",\"params\":{\"alpha\":1,\"fit_intercept\":true},\"n_features\":2,\"n_classes\":0,\"coef\":[[1,2]],\"intercept\":[0],\"convergence\":{\"iterations\":0,\"converged\":true,\"grad_norm\":0}}",
		"{\"model\":\"ridge\",\"params\":{\"alpha\":1,\"fit_intercept\":true,\"C\":1},\"n_features\":2,\"n_classes\":0,\"coef\":[[1,2]],\"intercept\":[0],\"convergence\":{\"iterations\":0,\"converged\":true,\"grad_norm\":0},\"history\":[]}",
		"{\"model\":\"logistic_regression\",\"params\":{\"C\":1,\"max_iter\":100,\"tol\":1e-4,\"fit_intercept\":true},\"n_features\":2,\"n_classes\":3,\"coef\":[[1,2]],\"intercept\":[0],\"convergence\":{\"iterations\":0,\"converged\":true,\"grad_norm\":0},\"history\":[]}",
		"{\"model\":\"ridge\",\"params\":{\"alpha\":1,\"fit_intercept\":true},\"n_features\":2,\"n_classes\":0,\"coef\":[[1,2]],\"intercept\":[0],\"convergence\":{\"iterations\":0,\"converged\":true,\"grad_norm\":0},\"history\":[],\"model\":\"ridge\"}",
	};
	static const char good[] =
		"{\"model\":\"ridge\",\"params\":{\"alpha\":1,\"fit_intercept\":true},\"n_features\":2,\"n_classes\":0,\"coef\":[[1,2]],\"intercept\":[0.5],\"convergence\":{\"iterations\":0,\"converged\":true,\"grad_norm\":0},\"history\":[]}";
	struct mlci_linear_model m;
	cJSON *j;
	size_t i;

	mlci_linear_model_init(&m);
	j = cJSON_Parse(good);
	CHECK_INT(mlci_linear_from_json(&m, j), 0, "a well-formed ridge model reads");
	CHECK(m.n_rows == 1 && m.coef[1] == 2.0 && m.intercept[0] == 0.5,
	      "its coefficients");
	cJSON_Delete(j);
	mlci_set_quiet(1);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char name[64];

		j = cJSON_Parse(bad[i]);
		snprintf(name, sizeof(name), "malformed model %zu refused", i);
		CHECK_INT(mlci_linear_from_json(&m, j), -MLCI_EXIT_INPUT, name);
		CHECK(!m.coef, "nothing kept of a refused model");
		cJSON_Delete(j);
	}
	mlci_set_quiet(0);
}

/*
 * MLCI_BENCH=1: binary logistic regression on 200,000 x 50 synthetic rows,
 * our fit against scikit-learn's on the same data (fit time only).
 */
static void bench(void)
{
	const size_t n = 200000, p = 50;
	char dir[] = "/tmp/mlci-bench-linear-XXXXXX";
	struct mlci_linear_params pa;
	struct mlci_linear_model m;
	struct mlci_rng rng;
	struct timespec t0, t1;
	double *X = xmalloc(n * p * sizeof(double)), *y = xmalloc(n * sizeof(double));
	double *pred = xmalloc(n * sizeof(double)), beta[50], secs;
	char *path, *cmd, line[4096];
	FILE *fp;
	size_t i, j;

	mlci_rng_seed(&rng, 42);
	for (j = 0; j < p; j++)
		beta[j] = mlci_rng_uniform(&rng) * 2.0 - 1.0;
	for (i = 0; i < n; i++) {
		double z = 0.0;

		for (j = 0; j < p; j++) {
			/* Sum of uniforms: roughly normal, unit variance. */
			double u = mlci_rng_uniform(&rng) + mlci_rng_uniform(&rng) +
				mlci_rng_uniform(&rng) - 1.5;

			X[i * p + j] = u * 2.0;
			z += beta[j] * X[i * p + j];
		}
		y[i] = mlci_rng_uniform(&rng) < 1.0 / (1.0 + exp(-z)) ? 1.0 : 0.0;
	}
	mlci_linear_model_init(&m);
	mlci_linear_params_init(&pa, MLCI_LINEAR_LOGISTIC);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(mlci_linear_fit(&m, X, y, NULL, n, p, &pa), 0, "bench: fit 200000 x 50");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	mlci_linear_predict(&m, X, n, pred);
	printf("# bench: mlci logistic fit %.3f s, %d iterations, train accuracy %.4f\n",
	       secs, m.iterations, accuracy(pred, y, n));
	if (mkdtemp(dir)) {
		path = xstrfmt("%s/bench.X", dir);
		fp = fopen(path, "wb");
		free(path);
		if (fp) {
			fwrite(X, sizeof(double), n * p, fp);
			fclose(fp);
		}
		path = xstrfmt("%s/bench.y", dir);
		fp = fopen(path, "wb");
		free(path);
		if (fp) {
			fwrite(y, sizeof(double), n, fp);
			fclose(fp);
		}
		cmd = xstrfmt("%s %s --bench %s %zu %zu", PYTHON, SCRIPT, dir, n, p);
		fp = popen(cmd, "r");
		free(cmd);
		while (fp && fgets(line, sizeof(line), fp))
			printf("# bench: scikit-learn %s", line);
		if (fp)
			pclose(fp);
		unit_remove_dir(dir);
	}
	mlci_linear_model_release(&m);
	free(X);
	free(y);
	free(pred);
}

int main(void)
{
	const char *b = getenv("MLCI_BENCH");

	/* One thread, as CI: the numbers must not depend on the runner's cores. */
	setenv("OPENBLAS_NUM_THREADS", "1", 0);
	openblas_set_num_threads(1);
	test_exact();
	test_separable();
	test_bad_inputs();
	test_json_strict();
	check_against_sklearn();
	if (b && !strcmp(b, "1"))
		bench();
	return unit_done();
}
