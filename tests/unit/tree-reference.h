/* SPDX-License-Identifier: MIT */
/* Shared by test-tree.c and test-forest.c: run tests/tools/tree-reference.py and load its cases. */
#ifndef MLCI_TREE_REFERENCE_H
#define MLCI_TREE_REFERENCE_H

#include "forest.h"
#include "tree.h"
#include "wrapper.h"
#include "unit.h"

#include <cjson/cJSON.h>

#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/tools/tree-reference.py"
#define NSEEDS 5

struct refcase {
	const cJSON *obj;
	const char *id, *kind;
	int regression;
	size_t n, p, nt, k;
	double *X, *y, *Xt, *yt;
	double *w;		/* class_weight "balanced" as sample weights, or NULL */
};

static size_t ref_size(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(it) ? (size_t)it->valuedouble : 0;
}

static void ref_free(struct refcase *rc)
{
	free(rc->X);
	free(rc->y);
	free(rc->Xt);
	free(rc->yt);
	free(rc->w);
	memset(rc, 0, sizeof(*rc));
}

/* The case of line obj, its rows read from dir; 0 on success. */
static int ref_load(const char *dir, const cJSON *obj, struct refcase *rc)
{
	const cJSON *params;
	const char *task;

	memset(rc, 0, sizeof(*rc));
	rc->obj = obj;
	rc->id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "id"));
	rc->kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "kind"));
	task = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "task"));
	if (!rc->id || !rc->kind || !task)
		return -1;
	rc->regression = !strcmp(task, "regression");
	rc->n = ref_size(obj, "n");
	rc->p = ref_size(obj, "p");
	rc->nt = ref_size(obj, "nt");
	rc->k = ref_size(obj, "k");
	rc->X = unit_read_doubles(dir, rc->id, "X", rc->n * rc->p);
	rc->y = unit_read_doubles(dir, rc->id, "y", rc->n);
	rc->Xt = unit_read_doubles(dir, rc->id, "Xt", rc->nt * rc->p);
	rc->yt = unit_read_doubles(dir, rc->id, "yt", rc->nt);
	if (!rc->X || !rc->y || !rc->Xt || !rc->yt)
		return -1;
	params = cJSON_GetObjectItemCaseSensitive(obj, "params");
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(params, "class_weight"))) {
		/* scikit-learn's balanced weights: n / (k * rows of the class). */
		double *cnt = xcalloc(rc->k, sizeof(double));
		size_t i;

		for (i = 0; i < rc->n; i++)
			cnt[(size_t)rc->y[i]] += 1;
		rc->w = xmalloc(rc->n * sizeof(double));
		for (i = 0; i < rc->n; i++)
			rc->w[i] = (double)rc->n / ((double)rc->k * cnt[(size_t)rc->y[i]]);
		free(cnt);
	}
	return 0;
}

/* The case's random_state (0 when not given). */
static inline uint64_t ref_random_state(const struct refcase *rc)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(rc->obj, "params");
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(params, "random_state");

	return cJSON_IsNumber(it) ? (uint64_t)it->valuedouble : 0;
}

/* The case's scikit-learn parameters onto tree parameters. */
static void ref_tree_params(const struct refcase *rc, struct mlci_tree_params *tp)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(rc->obj, "params"), *it;

	cJSON_ArrayForEach(it, params) {
		if (!strcmp(it->string, "criterion"))
			tp->criterion = !strcmp(it->valuestring, "entropy") ? MLCI_TREE_ENTROPY
				: !strcmp(it->valuestring, "gini") ? MLCI_TREE_GINI
				: MLCI_TREE_SQUARED_ERROR;
		else if (!strcmp(it->string, "max_depth"))
			tp->max_depth = (int)it->valuedouble;
		else if (!strcmp(it->string, "min_samples_leaf"))
			tp->min_samples_leaf = (size_t)it->valuedouble;
		else if (!strcmp(it->string, "min_samples_split"))
			tp->min_samples_split = (size_t)it->valuedouble;
		else if (!strcmp(it->string, "max_features") && cJSON_IsString(it))
			tp->max_features = !strcmp(it->valuestring, "sqrt") ? MLCI_MAXF_SQRT : MLCI_MAXF_LOG2;
		else if (!strcmp(it->string, "max_features")) {
			tp->max_features = it->valuedouble < 1 ? MLCI_MAXF_FRACTION : MLCI_MAXF_COUNT;
			tp->max_features_value = it->valuedouble;
		}
	}
}

/* Accuracy, or RMSE, of predictions pred against y (n). */
static double ref_score(const struct refcase *rc, const double *pred)
{
	double s = 0;
	size_t i;

	for (i = 0; i < rc->nt; i++)
		s += rc->regression ? (pred[i] - rc->yt[i]) * (pred[i] - rc->yt[i])
				    : pred[i] == rc->yt[i];
	return rc->regression ? sqrt(s / (double)rc->nt) : s / (double)rc->nt;
}

/* mean and sample standard deviation of the case's "scores". */
static void ref_sklearn_scores(const struct refcase *rc, double *mean, double *sd)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(rc->obj, "scores"), *it;
	double s = 0, ss = 0;
	int n = 0;

	cJSON_ArrayForEach(it, a) {
		s += it->valuedouble;
		n++;
	}
	*mean = n ? s / n : NAN;
	cJSON_ArrayForEach(it, a)
		ss += (it->valuedouble - *mean) * (it->valuedouble - *mean);
	*sd = n > 1 ? sqrt(ss / (n - 1)) : NAN;
}

/*
 * The accuracy bar on our mean over seeds: accuracy no more than
 * max(1 point, 2 sd) below scikit-learn's mean; RMSE no more than 2% (or
 * 2 sd) above.
 */
static void ref_check_bar(const struct refcase *rc, const char *what,
			  const double *ours, int nseeds)
{
	double m = 0, sm, ssd;
	char name[256];
	int i, ok;

	for (i = 0; i < nseeds; i++)
		m += ours[i];
	m /= nseeds;
	ref_sklearn_scores(rc, &sm, &ssd);
	if (rc->regression)
		ok = m <= sm * 1.02 || m <= sm + 2 * ssd;
	else
		ok = m >= sm - fmax(0.01, 2 * ssd);
	snprintf(name, sizeof(name),
		 "%s %s: mean test %s %.4f, scikit-learn %.4f (sd %.4f)",
		 rc->id, what, rc->regression ? "RMSE" : "accuracy", m, sm, ssd);
	CHECK(ok, name);
}

/*
 * Run the script for family ("tree" or "forest") into a temporary
 * directory and call each(dir, case) per case; returns the cases seen.
 */
static int ref_run(const char *family, void (*each)(const char *dir, struct refcase *rc))
{
	char dir[] = "/tmp/mlci-test-tree-XXXXXX";
	char *cmd, *line = NULL;
	size_t cap = 0;
	FILE *p;
	int status, cases = 0, sklearn_seen = 0;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return 0;
	}
	cmd = xstrfmt("%s %s %s %s", PYTHON, SCRIPT, dir, family);
	p = popen(cmd, "r");
	free(cmd);
	CHECK(p != NULL, "run " PYTHON " " SCRIPT);
	while (p && getline(&line, &cap, p) > 0) {
		cJSON *obj = cJSON_Parse(line);
		struct refcase rc;

		memset(&rc, 0, sizeof(rc));
		if (!obj) {
			CHECK(0, "tree-reference.py prints JSON");
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(obj, "sklearn")) {
			sklearn_seen = 1;
		} else if (CHECK(!ref_load(dir, obj, &rc), "tree-reference.py: a well-formed case")) {
			each(dir, &rc);
			cases++;
		}
		ref_free(&rc);
		cJSON_Delete(obj);
	}
	free(line);
	status = p ? pclose(p) : -1;
	CHECK_INT(status, 0, "tree-reference.py exits 0 (python3, numpy, pandas, scikit-learn present)");
	CHECK(sklearn_seen, "tree-reference.py ran to its end");
	unit_remove_dir(dir);
	return cases;
}

#endif
