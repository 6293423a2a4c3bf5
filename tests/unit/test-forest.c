/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/forest.c, checked live against scikit-learn 1.2's RandomForestClassifier and RandomForestRegressor. */
#include "forest.h"
#include "json.h"
#include "random.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <time.h>

/*
 * The live comparison: /usr/bin/python3 tests/tools/tree-reference.py DIR
 * forest prints scikit-learn's test accuracy (RMSE for regression) for
 * random_state 0..4; our forest, seeds 0..4, must meet the bar
 * (tree-reference.h) both with its default histogram splits and with
 * exact ones (max_bins 0).
 */
#include "tree-reference.h"

static void forest_params(const struct refcase *rc, struct mlci_forest_params *fp,
			  int max_bins)
{
	mlci_forest_params_init(fp, rc->regression);
	ref_tree_params(rc, &fp->tree);
	fp->tree.max_bins = max_bins;
	fp->tree.exact_below = max_bins ? 32 : 0;
	fp->n_jobs = 2;
}

static void seeds_bar(struct refcase *rc, int max_bins)
{
	double scores[NSEEDS], *pred = xmalloc(rc->nt * sizeof(double));
	struct mlci_forest_params fp;
	struct mlci_forest f;
	int s;

	forest_params(rc, &fp, max_bins);
	mlci_forest_init(&f);
	for (s = 0; s < NSEEDS; s++) {
		fp.seed = (uint64_t)s;
		if (!CHECK(!mlci_forest_fit(&f, rc->X, rc->y, rc->w, rc->n, rc->p, rc->k, &fp), rc->id))
			goto out;
		mlci_forest_predict(&f, rc->Xt, rc->nt, pred);
		scores[s] = ref_score(rc, pred);
	}
	ref_check_bar(rc, max_bins ? "random forest (histograms)" : "random forest (exact)",
		      scores, NSEEDS);
out:
	free(pred);
	mlci_forest_release(&f);
}

static int cases;

static void each_case(const char *dir, struct refcase *rc)
{
	(void)dir;
	seeds_bar(rc, 255);
	/* Exact splits too, on the smaller sets (they are the slower mode). */
	if (rc->n <= 1500)
		seeds_bar(rc, 0);
	cases++;
}

/* ---- without scikit-learn ---- */

static void toy(double *X, double *y, size_t n, int regress)
{
	struct mlci_rng r;
	size_t i, f;

	mlci_rng_seed(&r, 11);
	for (i = 0; i < n; i++) {
		for (f = 0; f < 6; f++)
			X[i * 6 + f] = mlci_rng_uniform(&r) * 4 - 2;
		y[i] = regress ? X[i * 6] * X[i * 6 + 1] + mlci_rng_uniform(&r)
			: (X[i * 6] + X[i * 6 + 1] * X[i * 6 + 2] + mlci_rng_uniform(&r) > 0.5);
	}
}

static char *forest_json(const struct mlci_forest *f)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *j = mlci_forest_to_json(f, "random_forest");

	mlci_json_print(j, 0, &sb);
	cJSON_Delete(j);
	return strbuf_detach(&sb, NULL);
}

/* The same forest, bit for bit, whatever the number of threads. */
static void test_threads(int regress, int oob)
{
	static double X[2000 * 6], y[2000];
	struct mlci_forest_params fp;
	struct mlci_forest f;
	char *one, *other, name[128];
	double s1;
	int jobs;

	toy(X, y, 2000, regress);
	mlci_forest_params_init(&fp, regress);
	fp.n_estimators = 24;
	fp.tree.max_bins = 255;
	fp.tree.exact_below = 256;
	fp.oob_score = oob;
	fp.seed = 5;
	mlci_forest_init(&f);
	CHECK(!mlci_forest_fit(&f, X, y, NULL, 2000, 6, regress ? 0 : 2, &fp), "fit on one thread");
	one = forest_json(&f);
	s1 = f.oob_score;
	for (jobs = 2; jobs <= 5; jobs += 3) {
		fp.n_jobs = jobs;
		CHECK(!mlci_forest_fit(&f, X, y, NULL, 2000, 6, regress ? 0 : 2, &fp), "fit on threads");
		other = forest_json(&f);
		snprintf(name, sizeof(name), "%s: %d threads give the one-thread forest byte for byte",
			 regress ? "regression" : "classification", jobs);
		CHECK_STR(other, one, name);
		if (oob)
			CHECK(f.oob_score == s1, "and the same out-of-bag score");
		free(other);
	}
	if (oob) {
		snprintf(name, sizeof(name), "out-of-bag score %.3f is a plausible %s", s1,
			 regress ? "R^2" : "accuracy");
		CHECK(regress ? s1 > 0.5 && s1 < 1 : s1 > 0.7 && s1 < 1, name);
	}
	free(one);
	mlci_forest_release(&f);
}

/* JSON -> forest -> JSON byte-identical, and the same predictions bit for bit. */
static void test_json(void)
{
	static double X[1000 * 6], y[1000], p1[1000 * 2], p2[1000 * 2];
	struct mlci_forest_params fp;
	struct mlci_forest f, g;
	char *a, *b, *msg;
	cJSON *j;

	toy(X, y, 1000, 0);
	mlci_forest_params_init(&fp, 0);
	fp.n_estimators = 10;
	fp.oob_score = 1;
	mlci_forest_init(&f);
	mlci_forest_init(&g);
	CHECK(!mlci_forest_fit(&f, X, y, NULL, 1000, 6, 2, &fp), "fit a forest");
	a = forest_json(&f);
	j = cJSON_Parse(a);
	CHECK(!mlci_forest_from_json(&g, j, "random_forest", "model.json"), "read it back");
	b = forest_json(&g);
	CHECK_STR(b, a, "JSON -> forest -> JSON is byte-identical");
	mlci_forest_predict_values(&f, X, 1000, p1);
	mlci_forest_predict_values(&g, X, 1000, p2);
	CHECK(!memcmp(p1, p2, sizeof(p1)), "the read forest gives the same probabilities bit for bit");
	cJSON_ReplaceItemInObject(j, "n_classes", cJSON_CreateNumber(1));
	unit_capture_start();
	CHECK_INT(mlci_forest_from_json(&g, j, "random_forest", "model.json"), -MLCI_EXIT_INPUT,
		  "one class is refused");
	msg = unit_capture_end();
	CHECK_STR(msg, "mlci: model.json: 'n_classes' must be 0 or a whole number >= 2", "naming the key");
	free(msg);
	cJSON_Delete(j);
	free(a);
	free(b);
	mlci_forest_release(&f);
	mlci_forest_release(&g);
}

/* scikit-learn's importances: the mean of each tree's normalised ones. */
static void test_importances(void)
{
	static double X[1000 * 6], y[1000];
	struct mlci_forest_params fp;
	struct mlci_forest f;
	double want[6] = { 0 }, sum = 0, err = 0;
	size_t t, i, used = 0;

	toy(X, y, 1000, 1);
	mlci_forest_params_init(&fp, 1);
	fp.n_estimators = 7;
	mlci_forest_init(&f);
	CHECK(!mlci_forest_fit(&f, X, y, NULL, 1000, 6, 0, &fp), "fit a regression forest");
	for (t = 0; t < f.n_trees; t++) {
		double imp[6] = { 0 }, s = 0;

		for (i = 0; i < f.trees[t].n_nodes; i++)
			if (f.trees[t].feature[i] >= 0)
				imp[f.trees[t].feature[i]] += f.trees[t].gain[i];
		for (i = 0; i < 6; i++)
			s += imp[i];
		if (s > 0) {
			for (i = 0; i < 6; i++)
				want[i] += imp[i] / s;
			used++;
		}
	}
	for (i = 0; i < 6; i++)
		sum += want[i] / (double)used;
	for (i = 0; i < 6; i++)
		err = fmax(err, fabs(f.importances[i] - want[i] / (double)used / sum));
	CHECK(err < 1e-12, "importances: the mean of the normalised tree importances");
	CHECK(f.importances[0] + f.importances[1] > 0.8, "the two informative features hold most");
	mlci_forest_release(&f);
}

/*
 * tests/bench/forest-bench.sh: fit 100 trees (scikit-learn's defaults,
 * histogram splits) on DIR/bench.X (n x p) and DIR/bench.y with jobs
 * threads, and print the fit time and the accuracy on bench.Xt/yt.
 */
static int bench(const char *dir, size_t n, size_t p, int jobs)
{
	struct mlci_forest_params fp;
	struct mlci_forest f;
	struct timespec t0, t1;
	double *X, *y, *Xt, *yt, *pred, acc = 0;
	size_t nt, i;
	char *path = xstrfmt("%s/bench.yt", dir);
	FILE *fp_ = fopen(path, "rb");

	free(path);
	if (!fp_)
		return 1;
	fseek(fp_, 0, SEEK_END);
	nt = (size_t)ftell(fp_) / sizeof(double);
	fclose(fp_);
	X = unit_read_doubles(dir, "bench", "X", n * p);
	y = unit_read_doubles(dir, "bench", "y", n);
	Xt = unit_read_doubles(dir, "bench", "Xt", nt * p);
	yt = unit_read_doubles(dir, "bench", "yt", nt);
	if (!X || !y || !Xt || !yt)
		return 1;
	mlci_forest_params_init(&fp, 0);
	fp.tree.max_bins = getenv("MLCI_BENCH_EXACT") ? 0 : 255;
	fp.tree.exact_below = getenv("MLCI_BENCH_EXACT_BELOW") ? (size_t)atoi(getenv("MLCI_BENCH_EXACT_BELOW")) : 32;
	fp.n_jobs = jobs;
	mlci_forest_init(&f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (mlci_forest_fit(&f, X, y, NULL, n, p, 2, &fp))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pred = xmalloc(nt * sizeof(double));
	mlci_forest_predict(&f, Xt, nt, pred);
	for (i = 0; i < nt; i++)
		acc += pred[i] == yt[i];
	printf("{\"fit_seconds\": %.3f, \"accuracy\": %.4f}\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9,
	       acc / (double)nt);
	free(X);
	free(y);
	free(Xt);
	free(yt);
	free(pred);
	mlci_forest_release(&f);
	return 0;
}

int main(int argc, char **argv)
{
	int n;

	if (argc == 6 && !strcmp(argv[1], "--bench"))
		return bench(argv[2], (size_t)strtoull(argv[3], NULL, 10),
			     (size_t)strtoull(argv[4], NULL, 10), atoi(argv[5]));

	test_threads(0, 1);
	test_threads(1, 1);
	test_json();
	test_importances();
	n = ref_run("forest", each_case);
	CHECK_INT(n, 9, "every scikit-learn case compared");
	return unit_done();
}
