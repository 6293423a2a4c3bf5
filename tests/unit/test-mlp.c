/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/mlp.c, checked live against scikit-learn 1.2's MLPClassifier and MLPRegressor. */
#include "mlp.h"
#include "json.h"
#include "random.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <float.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/*
 * The live comparison: /usr/bin/python3 tests/tools/mlp-reference.py
 * writes each case's standardised training and test rows to a temporary
 * directory and prints what scikit-learn does on them, with the same
 * hyper-parameters as here. Tolerances:
 * - "seeds" cases (the result depends on the seed, and our generator is
 *   not numpy's): the mean test accuracy over seeds 0..4 within the
 *   larger of 1 point and twice scikit-learn's seed-to-seed standard
 *   deviation (sample, n - 1); for regression the mean test RMSE at most
 *   2% above scikit-learn's mean, or within twice its standard deviation;
 * - "forward" cases (scikit-learn's fitted weights loaded into our model):
 *   the output layer to 1e-12 (absolute for probabilities, relative to
 *   max(1, |value|) for regression);
 * - "step" cases (Adam from the same weights, no shuffling, one step or a
 *   few epochs of minibatches): every weight to 1e-10 absolute, each
 *   epoch's loss to 1e-10 relative.
 * Without python3 or scikit-learn the comparisons fail: a missing oracle
 * must never pass.
 */
#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/tools/mlp-reference.py"
#define NSEEDS 5

/* A JSON array of numbers (nested arrays flattened) into v[0..n). */
static size_t flatten(const cJSON *a, double *v, size_t n, size_t at)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, a) {
		if (cJSON_IsArray(it))
			at = flatten(it, v, n, at);
		else if (at < n && cJSON_IsNumber(it))
			v[at++] = it->valuedouble;
		else
			return n + 1;
	}
	return at;
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

static void mean_sd(const double *v, size_t n, double *mean, double *sd)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	*mean = s / (double)n;
	s = 0.0;
	for (i = 0; i < n; i++)
		s += (v[i] - *mean) * (v[i] - *mean);
	*sd = n > 1 ? sqrt(s / (double)(n - 1)) : 0.0;
}

/* To JSON text and back: the same model and outputs, to the last bit. */
static int round_trips(const struct mlci_mlp_model *m, const double *X, size_t n)
{
	struct mlci_mlp_model back;
	struct strbuf a, b;
	cJSON *j = mlci_mlp_to_json(m), *parsed = NULL, *j2;
	double *o1 = xmalloc(n * m->n_outputs * sizeof(double));
	double *o2 = xmalloc(n * m->n_outputs * sizeof(double));
	int ok;

	strbuf_init(&a, 0);
	strbuf_init(&b, 0);
	mlci_mlp_model_init(&back);
	mlci_json_print(j, 0, &a);
	ok = !mlci_json_parse(a.buf, a.len, "model", &parsed) &&
		!mlci_mlp_from_json(&back, parsed);
	if (ok) {
		j2 = mlci_mlp_to_json(&back);
		mlci_json_print(j2, 0, &b);
		cJSON_Delete(j2);
		mlci_mlp_forward(m, X, n, o1);
		mlci_mlp_forward(&back, X, n, o2);
		ok = a.len == b.len && !memcmp(a.buf, b.buf, a.len) &&
			!memcmp(o1, o2, n * m->n_outputs * sizeof(double)) &&
			!memcmp(m->weights, back.weights, m->n_weights * sizeof(double));
	}
	cJSON_Delete(j);
	cJSON_Delete(parsed);
	mlci_mlp_model_release(&back);
	strbuf_release(&a);
	strbuf_release(&b);
	free(o1);
	free(o2);
	return ok;
}

struct refcase {
	const char *id, *kind;
	enum mlci_mlp_task task;
	struct mlci_mlp_params pa;
	size_t n, p, nt, k;
	double *X, *y, *Xt, *yt;
};

static int load_case(const char *dir, const cJSON *c, struct refcase *rc)
{
	const char *task = mlci_json_get_string(c, "task");
	double n, p, nt, k;

	memset(rc, 0, sizeof(*rc));
	rc->id = mlci_json_get_string(c, "id");
	rc->kind = mlci_json_get_string(c, "kind");
	mlci_mlp_params_init(&rc->pa);
	if (!rc->id || !rc->kind || !task ||
	    mlci_json_get_number(c, "n", &n) || mlci_json_get_number(c, "p", &p) ||
	    mlci_json_get_number(c, "nt", &nt) || mlci_json_get_number(c, "k", &k) ||
	    mlci_mlp_params_from_json(&rc->pa, mlci_json_get_object(c, "params")) < 0)
		return -1;
	rc->task = strcmp(task, "regression") ? MLCI_MLP_CLASSIFIER : MLCI_MLP_REGRESSOR;
	rc->n = (size_t)n;
	rc->p = (size_t)p;
	rc->nt = (size_t)nt;
	rc->k = (size_t)k;
	rc->X = unit_read_doubles(dir, rc->id, "X", rc->n * rc->p);
	rc->y = unit_read_doubles(dir, rc->id, "y", rc->n);
	rc->Xt = unit_read_doubles(dir, rc->id, "Xt", rc->nt * rc->p);
	rc->yt = unit_read_doubles(dir, rc->id, "yt", rc->nt);
	return rc->X && rc->y && rc->Xt && rc->yt ? 0 : -1;
}

static void free_case(struct refcase *rc)
{
	free(rc->X);
	free(rc->y);
	free(rc->Xt);
	free(rc->yt);
}

static void compare_seeds(const struct refcase *rc, const cJSON *c)
{
	double ours[NSEEDS], sk[NSEEDS], om, osd, sm, ssd, tol;
	double *pred = xmalloc(rc->nt * sizeof(double));
	struct mlci_mlp_model m, again;
	struct mlci_mlp_params pa = rc->pa;
	char name[256];
	int s, its[NSEEDS];
	int cls = rc->task == MLCI_MLP_CLASSIFIER;

	if (flatten(cJSON_GetObjectItemCaseSensitive(c, "scores"), sk, NSEEDS, 0) != NSEEDS) {
		CHECK(0, "mlp-reference.py: five scores");
		free(pred);
		return;
	}
	mlci_mlp_model_init(&m);
	for (s = 0; s < NSEEDS; s++) {
		pa.seed = (uint64_t)s;
		snprintf(name, sizeof(name), "%s: fit, seed %d", rc->id, s);
		if (!CHECK(!mlci_mlp_fit(&m, rc->X, rc->y, rc->n, rc->p, rc->task,
					 rc->k, &pa), name))
			goto out;
		mlci_mlp_predict(&m, rc->Xt, rc->nt, pred);
		ours[s] = cls ? accuracy(pred, rc->yt, rc->nt) : rmse(pred, rc->yt, rc->nt);
		its[s] = m.iterations;
		if (s == 0) {
			snprintf(name, sizeof(name), "%s: JSON round trip, exact", rc->id);
			CHECK(round_trips(&m, rc->Xt, rc->nt), name);
			snprintf(name, sizeof(name), "%s: one loss per epoch, all finite", rc->id);
			CHECK(m.n_epochs == (size_t)m.iterations && m.iterations >= 1 &&
			      isfinite(m.loss_curve[m.n_epochs - 1]) &&
			      (m.converged || m.iterations == pa.max_iter), name);
			if (pa.early_stopping) {
				double best = -HUGE_VAL;
				size_t i;

				for (i = 0; i < m.n_epochs; i++)
					best = fmax(best, m.validation_scores[i]);
				snprintf(name, sizeof(name),
					 "%s: best validation score is the best of the curve", rc->id);
				CHECK(m.validation_scores && best == m.best_validation_score, name);
			}
		}
	}
	mean_sd(ours, NSEEDS, &om, &osd);
	mean_sd(sk, NSEEDS, &sm, &ssd);
	printf("# %s: ours %.4f (sd %.4f), sklearn %.4f (sd %.4f); epochs %d %d %d %d %d\n",
	       rc->id, om, osd, sm, ssd, its[0], its[1], its[2], its[3], its[4]);
	if (cls) {
		tol = fmax(0.01, 2.0 * ssd);
		snprintf(name, sizeof(name),
			 "%s: mean accuracy %.4f within %.4f of scikit-learn's %.4f",
			 rc->id, om, tol, sm);
		CHECK(fabs(om - sm) <= tol + 1e-12, name);
	} else {
		snprintf(name, sizeof(name),
			 "%s: mean RMSE %.4f at most 2%% above scikit-learn's %.4f or within 2 sd (%.4f)",
			 rc->id, om, sm, ssd);
		CHECK(om <= 1.02 * sm || fabs(om - sm) <= 2.0 * ssd, name);
	}
	/* The same seed gives the same model, to the bit. */
	pa.seed = 0;
	mlci_mlp_model_init(&again);
	mlci_mlp_fit(&m, rc->X, rc->y, rc->n, rc->p, rc->task, rc->k, &pa);
	mlci_mlp_fit(&again, rc->X, rc->y, rc->n, rc->p, rc->task, rc->k, &pa);
	snprintf(name, sizeof(name), "%s: same seed, same weights and loss curve", rc->id);
	CHECK(m.weights && again.weights && m.n_weights == again.n_weights &&
	      !memcmp(m.weights, again.weights, m.n_weights * sizeof(double)) &&
	      m.n_epochs == again.n_epochs &&
	      !memcmp(m.loss_curve, again.loss_curve, m.n_epochs * sizeof(double)), name);
	mlci_mlp_model_release(&again);
out:
	mlci_mlp_model_release(&m);
	free(pred);
}

static void compare_forward(const struct refcase *rc, const cJSON *c)
{
	struct mlci_mlp_model m;
	const cJSON *coefs = cJSON_GetObjectItemCaseSensitive(c, "coefs");
	const cJSON *ints = cJSON_GetObjectItemCaseSensitive(c, "intercepts");
	size_t l, i, nout, ncols;
	double *got, *want, err = 0.0;
	char name[256];
	int ok = 1;

	mlci_mlp_model_init(&m);
	snprintf(name, sizeof(name), "%s: shape the model", rc->id);
	if (!CHECK(!mlci_mlp_model_shape(&m, &rc->pa, rc->task, rc->p,
					 rc->task == MLCI_MLP_CLASSIFIER ? rc->k : 0), name))
		return;
	for (l = 0; l < m.n_layers; l++) {
		size_t nc = m.units[l] * m.units[l + 1];

		ok &= flatten(cJSON_GetArrayItem(coefs, (int)l), m.coef[l], nc, 0) == nc;
		ok &= flatten(cJSON_GetArrayItem(ints, (int)l), m.intercept[l],
			      m.units[l + 1], 0) == m.units[l + 1];
	}
	ncols = rc->task == MLCI_MLP_CLASSIFIER ? rc->k : 1;
	nout = rc->nt * ncols;
	got = xmalloc(nout * sizeof(double));
	want = xmalloc(nout * sizeof(double));
	ok &= flatten(cJSON_GetObjectItemCaseSensitive(c, "output"), want, nout, 0) == nout;
	snprintf(name, sizeof(name), "%s: scikit-learn's coefs_, intercepts_ and output read",
		 rc->id);
	if (CHECK(ok, name)) {
		if (rc->task == MLCI_MLP_CLASSIFIER)
			mlci_mlp_predict_proba(&m, rc->Xt, rc->nt, got);
		else
			mlci_mlp_predict(&m, rc->Xt, rc->nt, got);
		for (i = 0; i < nout; i++)
			err = fmax(err, fabs(got[i] - want[i]) /
				   (rc->task == MLCI_MLP_CLASSIFIER ? 1.0 : fmax(1.0, fabs(want[i]))));
		snprintf(name, sizeof(name), "%s: %s equal to scikit-learn's to 1e-12 (max err %.3g)",
			 rc->id, rc->task == MLCI_MLP_CLASSIFIER ? "predict_proba" : "predict",
			 err);
		CHECK(err <= 1e-12, name);
	}
	free(got);
	free(want);
	mlci_mlp_model_release(&m);
}

static void compare_step(const struct refcase *rc, const cJSON *c)
{
	struct mlci_mlp_model m;
	struct mlci_mlp_params pa = rc->pa;
	double *w1 = NULL, *lc = NULL, err = 0.0, lerr = 0.0;
	size_t i, nlc;
	char name[256];

	mlci_mlp_model_init(&m);
	pa.shuffle = 0;
	snprintf(name, sizeof(name), "%s: shape the model", rc->id);
	if (!CHECK(!mlci_mlp_model_shape(&m, &pa, rc->task, rc->p,
					 rc->task == MLCI_MLP_CLASSIFIER ? rc->k : 0), name))
		return;
	w1 = xmalloc(m.n_weights * sizeof(double));
	nlc = (size_t)pa.max_iter;
	lc = xmalloc(nlc * sizeof(double));
	snprintf(name, sizeof(name), "%s: w0, w1 and the loss curve read", rc->id);
	if (!CHECK(flatten(cJSON_GetObjectItemCaseSensitive(c, "w0"), m.weights,
			   m.n_weights, 0) == m.n_weights &&
		   flatten(cJSON_GetObjectItemCaseSensitive(c, "w1"), w1,
			   m.n_weights, 0) == m.n_weights &&
		   flatten(cJSON_GetObjectItemCaseSensitive(c, "loss_curve"), lc,
			   nlc, 0) == nlc, name))
		goto out;
	pa.warm_start = 1;
	snprintf(name, sizeof(name), "%s: warm-started fit", rc->id);
	if (!CHECK(!mlci_mlp_fit(&m, rc->X, rc->y, rc->n, rc->p, rc->task, rc->k, &pa),
		   name) || !CHECK(m.n_epochs == nlc, "as many epochs as scikit-learn"))
		goto out;
	for (i = 0; i < m.n_weights; i++)
		err = fmax(err, fabs(m.weights[i] - w1[i]));
	for (i = 0; i < nlc; i++)
		lerr = fmax(lerr, fabs(m.loss_curve[i] - lc[i]) / fmax(1.0, fabs(lc[i])));
	snprintf(name, sizeof(name), "%s: Adam's weights equal scikit-learn's to 1e-10 (max err %.3g)",
		 rc->id, err);
	CHECK(err <= 1e-10, name);
	snprintf(name, sizeof(name), "%s: loss per epoch equal to 1e-10 (max rel err %.3g)",
		 rc->id, lerr);
	CHECK(lerr <= 1e-10, name);
out:
	free(w1);
	free(lc);
	mlci_mlp_model_release(&m);
}

static void check_against_sklearn(void)
{
	char dir[] = "/tmp/mlci-test-mlp-XXXXXX";
	char *cmd, *line = NULL;
	size_t cap = 0;
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
	while (p && getline(&line, &cap, p) > 0) {
		cJSON *obj = cJSON_Parse(line);
		struct refcase rc;

		if (!obj) {
			CHECK(0, "mlp-reference.py prints JSON");
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(obj, "sklearn")) {
			sklearn_seen = 1;
		} else if (!CHECK(!load_case(dir, obj, &rc), "mlp-reference.py: a well-formed case")) {
			free_case(&rc);
		} else {
			if (!strcmp(rc.kind, "seeds"))
				compare_seeds(&rc, obj);
			else if (!strcmp(rc.kind, "forward"))
				compare_forward(&rc, obj);
			else
				compare_step(&rc, obj);
			free_case(&rc);
			cases++;
		}
		cJSON_Delete(obj);
	}
	free(line);
	status = p ? pclose(p) : -1;
	CHECK_INT(status, 0, "mlp-reference.py exits 0 (python3, numpy, scikit-learn present)");
	CHECK(sklearn_seen, "mlp-reference.py ran to its end");
	CHECK_INT(cases, 15, "every scikit-learn case compared");
	unit_remove_dir(dir);
}

/* Two noisy blobs in 2-D, or a noisy line for regression. */
static void toy(double *X, double *y, size_t n, int regress)
{
	struct mlci_rng r;
	size_t i;

	mlci_rng_seed(&r, 99);
	for (i = 0; i < n; i++) {
		double c = (double)(i % 2);

		X[2 * i] = mlci_rng_uniform(&r) * 2.0 - 1.0 + (regress ? 0 : 1.5 * c);
		X[2 * i + 1] = mlci_rng_uniform(&r) * 2.0 - 1.0;
		y[i] = regress ? 3.0 * X[2 * i] - X[2 * i + 1] : c;
	}
}

static void test_basics(void)
{
	double X[2 * 200], y[200], pred[200], proba[400];
	struct mlci_mlp_params pa;
	struct mlci_mlp_model m, m2;
	size_t i, l;
	int ok;

	toy(X, y, 200, 0);
	mlci_mlp_model_init(&m);
	mlci_mlp_model_init(&m2);
	mlci_mlp_params_init(&pa);
	CHECK(pa.n_hidden == 1 && pa.hidden[0] == 100 && pa.alpha == 1e-4 &&
	      pa.batch_size == 0 && pa.learning_rate_init == 1e-3 && pa.max_iter == 200 &&
	      pa.shuffle && pa.tol == 1e-4 && !pa.early_stopping &&
	      pa.validation_fraction == 0.1 && pa.beta_1 == 0.9 && pa.beta_2 == 0.999 &&
	      pa.epsilon == 1e-8 && pa.n_iter_no_change == 10, "defaults are scikit-learn's");

	/* Glorot-uniform start: with a vanishing learning rate the weights stay put. */
	pa.hidden[0] = 300;
	pa.hidden[1] = 40;
	pa.n_hidden = 2;
	pa.max_iter = 1;
	pa.learning_rate_init = 1e-300;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 200, 2, MLCI_MLP_CLASSIFIER, 2, &pa), 0,
		  "fit with a vanishing learning rate");
	ok = m.n_layers == 3 && m.units[3] == 1;
	for (l = 0; ok && l < m.n_layers; l++) {
		double bound = sqrt(6.0 / (double)(m.units[l] + m.units[l + 1])), mx = 0.0;

		for (i = 0; i < m.units[l] * m.units[l + 1]; i++)
			mx = fmax(mx, fabs(m.coef[l][i]));
		for (i = 0; i < m.units[l + 1]; i++)
			mx = fmax(mx, fabs(m.intercept[l][i]));
		ok = mx <= bound && mx > 0.9 * bound;
	}
	CHECK(ok, "initial weights fill U(-r, r), r = sqrt(6 / (fan_in + fan_out))");

	mlci_mlp_params_init(&pa);
	pa.hidden[0] = 10;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 200, 2, MLCI_MLP_CLASSIFIER, 2, &pa), 0,
		  "binary classifier");
	CHECK_INT(mlci_mlp_predict(&m, X, 200, pred), 0, "predict");
	CHECK(accuracy(pred, y, 200) > 0.8, "the blobs are learnt");
	CHECK_INT(mlci_mlp_predict_proba(&m, X, 200, proba), 0, "predict_proba");
	ok = 1;
	for (i = 0; i < 200; i++)
		ok &= proba[2 * i] + proba[2 * i + 1] == 1.0 &&
			pred[i] == (proba[2 * i + 1] > 0.5);
	CHECK(ok, "two columns summing to 1, prediction where p > 0.5");

	/* tol so large that no epoch improves: stop after n_iter_no_change + 2. */
	pa.tol = 1e10;
	pa.n_iter_no_change = 3;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 200, 2, MLCI_MLP_CLASSIFIER, 2, &pa), 0,
		  "fit with a huge tol");
	CHECK(m.converged && m.iterations == 5 && m.n_epochs == 5 &&
	      m.best_loss == fmin(fmin(m.loss_curve[0], m.loss_curve[1]),
				  fmin(fmin(m.loss_curve[2], m.loss_curve[3]), m.loss_curve[4])) &&
	      isnan(m.best_validation_score) && !m.validation_scores,
	      "no-improvement rule: count > n_iter_no_change stops, as scikit-learn");
	pa.tol = 1e-4;
	pa.n_iter_no_change = 10;
	pa.max_iter = 3;
	mlci_set_quiet(1);
	CHECK_INT(mlci_mlp_fit(&m, X, y, 200, 2, MLCI_MLP_CLASSIFIER, 2, &pa), 0,
		  "fit stopped by max_iter");
	mlci_set_quiet(0);
	CHECK(!m.converged && m.iterations == 3, "max_iter: not converged");

	/* Early stopping, stratified split, best weights kept. */
	mlci_mlp_params_init(&pa);
	pa.hidden[0] = 8;
	pa.early_stopping = 1;
	pa.validation_fraction = 0.2;
	pa.batch_size = 20;
	pa.learning_rate_init = 0.01;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 200, 2, MLCI_MLP_CLASSIFIER, 2, &pa), 0,
		  "early stopping");
	ok = m.validation_scores && isnan(m.best_loss) && m.n_epochs > 0;
	for (i = 0; ok && i < m.n_epochs; i++)
		ok = m.validation_scores[i] <= m.best_validation_score;
	CHECK(ok && m.best_validation_score > 0.5,
	      "early stopping: validation scores kept, the best of them reported");
	mlci_mlp_predict(&m, X, 200, pred);
	CHECK(accuracy(pred, y, 200) > 0.6, "early stopping: a usable model");

	/* Regression, and the same seed twice. */
	toy(X, y, 200, 1);
	mlci_mlp_params_init(&pa);
	pa.hidden[0] = 16;
	pa.learning_rate_init = 0.01;
	pa.seed = 5;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 200, 2, MLCI_MLP_REGRESSOR, 0, &pa), 0, "regressor");
	mlci_mlp_predict(&m, X, 200, pred);
	CHECK(rmse(pred, y, 200) < 0.3, "the line is learnt");
	mlci_set_quiet(1);
	CHECK_INT(mlci_mlp_predict_proba(&m, X, 200, proba), -MLCI_EXIT_INPUT,
		  "a regressor gives no probabilities");
	mlci_set_quiet(0);
	CHECK_INT(mlci_mlp_fit(&m2, X, y, 200, 2, MLCI_MLP_REGRESSOR, 0, &pa), 0,
		  "regressor again");
	CHECK(!memcmp(m.weights, m2.weights, m.n_weights * sizeof(double)),
	      "same seed, same weights");
	pa.seed = 6;
	CHECK_INT(mlci_mlp_fit(&m2, X, y, 200, 2, MLCI_MLP_REGRESSOR, 0, &pa), 0,
		  "regressor, another seed");
	CHECK(memcmp(m.weights, m2.weights, m.n_weights * sizeof(double)),
	      "another seed, other weights");
	pa.early_stopping = 1;
	CHECK_INT(mlci_mlp_fit(&m2, X, y, 200, 2, MLCI_MLP_REGRESSOR, 0, &pa), 0,
		  "regressor with early stopping (R^2)");
	CHECK(m2.best_validation_score > 0.9 && m2.best_validation_score <= 1.0,
	      "validation R^2");
	CHECK(round_trips(&m2, X, 200), "regressor JSON round trip");
	mlci_mlp_model_release(&m);
	mlci_mlp_model_release(&m2);
}

static void test_bad_inputs(void)
{
	double X[2 * 40], y[40];
	struct mlci_mlp_params pa;
	struct mlci_mlp_model m;
	char *msg;
	size_t i;

	toy(X, y, 40, 0);
	mlci_mlp_model_init(&m);
	mlci_mlp_params_init(&pa);
	pa.hidden[0] = 4;
	pa.max_iter = 2;
	mlci_set_quiet(1);
	X[3] = NAN;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "NaN in X");
	X[3] = -INFINITY;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "Inf in X");
	X[3] = 0.5;
	y[2] = NAN;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_REGRESSOR, 0, &pa),
		  -MLCI_EXIT_INPUT, "NaN target");
	y[2] = 0.5;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "a class index that is not whole");
	y[2] = 2;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "a class index past k - 1");
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 4, &pa),
		  -MLCI_EXIT_INPUT, "class 3 without rows");
	y[2] = 0;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 1, &pa),
		  -MLCI_EXIT_INPUT, "k = 1");
	CHECK_INT(mlci_mlp_fit(&m, X, y, 0, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "no rows");
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 0, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "no features");
	pa.alpha = -1;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "alpha < 0");
	pa.alpha = 1e-4;
	pa.learning_rate_init = 0;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "learning rate 0");
	pa.learning_rate_init = 1e-3;
	pa.hidden[0] = 0;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "a hidden layer of 0 units");
	pa.hidden[0] = 4;
	pa.max_iter = 0;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "max_iter 0");
	pa.max_iter = 2;
	pa.beta_2 = 1;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "beta_2 = 1");
	pa.beta_2 = 0.999;
	pa.early_stopping = 1;
	pa.validation_fraction = 0;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "early stopping with validation_fraction 0");
	pa.validation_fraction = 0.1;
	y[0] = 2;
	y[1] = 3;
	for (i = 2; i < 40; i++)
		y[i] = i % 2;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 4, &pa),
		  -MLCI_EXIT_INPUT, "early stopping with a class of one row");
	CHECK_INT(mlci_mlp_fit(&m, X, y, 3, 2, MLCI_MLP_REGRESSOR, 0, &pa), 0,
		  "early stopping on 3 rows of regression (1 for validation)");
	CHECK_INT(mlci_mlp_fit(&m, X, y, 1, 2, MLCI_MLP_REGRESSOR, 0, &pa),
		  -MLCI_EXIT_INPUT, "early stopping on one row");
	pa.early_stopping = 0;
	toy(X, y, 40, 0);
	pa.warm_start = 1;
	mlci_mlp_model_release(&m);
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "warm start from nothing");
	pa.warm_start = 0;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa), 0, "a fit");
	pa.warm_start = 1;
	pa.hidden[0] = 5;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa),
		  -MLCI_EXIT_INPUT, "warm start from another shape");
	CHECK(!m.weights && !m.loss_curve, "a failed fit leaves an empty model");
	pa.warm_start = 0;
	pa.hidden[0] = 4;
	pa.batch_size = 1000;
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa), 0,
		  "batch_size above the rows is clipped (with a warning)");
	mlci_set_quiet(0);

	/* Divergence: a loss that overflows stops training, no model. */
	pa.batch_size = 0;
	for (i = 0; i < 40; i++)
		y[i] = i % 2 ? 1e200 : -1e200;
	unit_capture_start();
	CHECK_INT(mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_REGRESSOR, 0, &pa),
		  -MLCI_EXIT_INPUT, "a non-finite loss stops training");
	msg = unit_capture_end();
	CHECK(strstr(msg, "diverged") && strstr(msg, "lower learning_rate_init"),
	      "the message suggests a lower learning rate");
	free(msg);
	CHECK(!m.weights, "no model after divergence");
	mlci_set_quiet(1);
	CHECK_INT(mlci_mlp_predict(&m, X, 40, y), -MLCI_EXIT_BUG,
		  "predicting with an empty model is a bug");
	mlci_set_quiet(0);
	mlci_mlp_model_release(&m);
}

static void test_params_json(void)
{
	static const char *const bad[] = {
		"{\"epochs\": 5, \"max_iter\": 6}",
		"{\"seed\": 1, \"random_state\": 1}",
		"{\"learning_rate\": 0.1, \"learning_rate_init\": 0.1}",
		"{\"momentum\": 0.9}",
		"{\"activation\": \"tanh\"}",
		"{\"solver\": \"sgd\"}",
		"{\"hidden_layer_sizes\": [10, 0]}",
		"{\"hidden_layer_sizes\": [10.5]}",
		"{\"batch_size\": \"big\"}",
		"{\"alpha\": -1}",
		"{\"max_iter\": 0}",
		"{\"random_state\": -1}",
		"{\"shuffle\": 1}",
		"{\"validation_fraction\": 1}",
		"{\"learning_rate\": \"optimal\"}",
		"{\"tol\": \"1e-4\"}",
		"[]",
	};
	struct mlci_mlp_params pa;
	cJSON *j;
	size_t i;

	mlci_mlp_params_init(&pa);
	j = cJSON_Parse("{\"hidden_layer_sizes\": [32, 16], \"epochs\": 30, \"learning_rate\": 0.01,"
			" \"seed\": 7, \"batch_size\": 64, \"alpha\": 0.001, \"early_stopping\": true,"
			" \"n_iter_no_change\": 4, \"activation\": \"relu\", \"solver\": \"adam\"}");
	CHECK_INT(mlci_mlp_params_from_json(&pa, j), 0, "the issue's names");
	CHECK(pa.n_hidden == 2 && pa.hidden[0] == 32 && pa.hidden[1] == 16 &&
	      pa.max_iter == 30 && pa.learning_rate_init == 0.01 && pa.seed == 7 &&
	      pa.batch_size == 64 && pa.alpha == 0.001 && pa.early_stopping &&
	      pa.n_iter_no_change == 4, "read under the issue's names");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"hidden_layer_sizes\": 20, \"max_iter\": 9, \"learning_rate_init\": 0.5,"
			" \"learning_rate\": \"constant\", \"random_state\": 3, \"batch_size\": \"auto\"}");
	CHECK_INT(mlci_mlp_params_from_json(&pa, j), 0, "scikit-learn's names");
	CHECK(pa.n_hidden == 1 && pa.hidden[0] == 20 && pa.max_iter == 9 &&
	      pa.learning_rate_init == 0.5 && pa.seed == 3 && pa.batch_size == 0,
	      "read under scikit-learn's names");
	cJSON_Delete(j);
	mlci_set_quiet(1);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char name[128];

		j = cJSON_Parse(bad[i]);
		snprintf(name, sizeof(name), "parameters refused: %s", bad[i]);
		CHECK_INT(mlci_mlp_params_from_json(&pa, j), -MLCI_EXIT_INPUT, name);
		cJSON_Delete(j);
	}
	mlci_set_quiet(0);
	j = cJSON_Parse("{\"epochs\": 5, \"max_iter\": 6}");
	unit_capture_start();
	mlci_mlp_params_from_json(&pa, j);
	{
		char *msg = unit_capture_end();

		CHECK(strstr(msg, "'epochs' and 'max_iter'") != NULL,
		      "the message names both spellings");
		free(msg);
	}
	cJSON_Delete(j);
}

/* Replace the first occurrence of from in a copy of s. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);

	if (!at)
		return xstrdup("");
	return xstrfmt("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

static void test_model_json(void)
{
	static const char *const edits[][3] = {
		{ "\"model\":\"mlp\"", "\"model\":\"mlp2\"", "model" },
		{ "\"task\":\"classification\"", "\"task\":\"regression\"", "n_classes" },
		{ "\"n_features\":2", "\"n_features\":3", "coefs[0]" },
		{ "\"n_outputs\":1", "\"n_outputs\":2", "n_outputs" },
		{ "\"out_activation\":\"logistic\"", "\"out_activation\":\"softmax\"", "out_activation" },
		{ "\"coefs\":[[[", "\"coefs\":[[[null,", "coefs[0][0]" },
		{ "\"intercepts\":[[", "\"intercepts\":[[1,", "intercepts[0]" },
		{ "\"alpha\"", "\"alpha_\"", "alpha_" },
		{ "\"max_iter\"", "\"epochs\"", "epochs" },
		{ "\"converged\":", "\"converged\":1,\"x\":", "'x'" },
		{ "\"loss_curve\":[", "\"loss_curve\":[1,", "loss_curve" },
		{ "\"validation_scores\":null", "\"validation_scores\":[]", "validation_scores" },
		{ "\"best_loss\":", "\"best_loss\":\"a\",\"y\":", "'y'" },
		{ "{\"model\"", "{\"extra\":1,\"model\"", "extra" },
	};
	double X[2 * 40], y[40];
	struct mlci_mlp_params pa;
	struct mlci_mlp_model m, back;
	struct strbuf sb;
	cJSON *j;
	size_t i;

	toy(X, y, 40, 0);
	mlci_mlp_model_init(&m);
	mlci_mlp_model_init(&back);
	mlci_mlp_params_init(&pa);
	pa.hidden[0] = 3;
	pa.max_iter = 4;
	mlci_set_quiet(1);
	mlci_mlp_fit(&m, X, y, 40, 2, MLCI_MLP_CLASSIFIER, 2, &pa);
	mlci_set_quiet(0);
	CHECK(round_trips(&m, X, 40), "binary classifier JSON round trip");
	j = mlci_mlp_to_json(&m);
	strbuf_init(&sb, 0);
	mlci_json_print(j, 0, &sb);
	cJSON_Delete(j);
	for (i = 0; i < sizeof(edits) / sizeof(*edits); i++) {
		char *text = replace(sb.buf, edits[i][0], edits[i][1]), *msg, name[160];
		cJSON *bad = cJSON_Parse(text);
		int ret;

		unit_capture_start();
		ret = mlci_mlp_from_json(&back, bad);
		msg = unit_capture_end();
		snprintf(name, sizeof(name), "model refused, naming '%s': %s", edits[i][2], msg);
		CHECK(bad && ret == -MLCI_EXIT_INPUT && strstr(msg, edits[i][2]) && !back.weights,
		      name);
		free(msg);
		free(text);
		cJSON_Delete(bad);
	}
	strbuf_release(&sb);
	mlci_mlp_model_release(&m);
}

/*
 * MLCI_BENCH=1: a binary MLP, hidden (64,), 10 epochs of batches of 200,
 * on 200,000 x 50 synthetic rows; our fit against scikit-learn's.
 */
static void bench(void)
{
	const size_t n = 200000, p = 50;
	char dir[] = "/tmp/mlci-bench-mlp-XXXXXX";
	struct mlci_mlp_params pa;
	struct mlci_mlp_model m;
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
			double u = mlci_rng_uniform(&rng) + mlci_rng_uniform(&rng) +
				mlci_rng_uniform(&rng) - 1.5;

			X[i * p + j] = u * 2.0;
			z += beta[j] * X[i * p + j] + (j ? 0.3 * X[i * p + j] * X[i * p + j - 1] : 0);
		}
		y[i] = mlci_rng_uniform(&rng) < 1.0 / (1.0 + exp(-z)) ? 1.0 : 0.0;
	}
	mlci_mlp_model_init(&m);
	mlci_mlp_params_init(&pa);
	pa.hidden[0] = 64;
	pa.max_iter = 10;
	pa.batch_size = 200;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(mlci_mlp_fit(&m, X, y, n, p, MLCI_MLP_CLASSIFIER, 2, &pa), 0,
		  "bench: fit 200000 x 50");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	mlci_mlp_predict(&m, X, n, pred);
	printf("# bench: mlci mlp fit %.3f s, %d epochs, train accuracy %.4f\n",
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
		clock_gettime(CLOCK_MONOTONIC, &t0);
		fp = popen(cmd, "r");
		free(cmd);
		while (fp && fgets(line, sizeof(line), fp))
			printf("# bench: scikit-learn %s", line);
		if (fp)
			pclose(fp);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("# bench: scikit-learn whole process (import, read, fit, predict) %.3f s\n",
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
		unit_remove_dir(dir);
	}
	mlci_mlp_model_release(&m);
	free(X);
	free(y);
	free(pred);
}

int main(void)
{
	const char *b = getenv("MLCI_BENCH");

	/* One thread, as CI: the numbers must not depend on the runner's cores. */
	setenv("OPENBLAS_NUM_THREADS", "1", 1);
	openblas_set_num_threads(1);
	test_basics();
	test_bad_inputs();
	test_params_json();
	test_model_json();
	check_against_sklearn();
	if (b && !strcmp(b, "1"))
		bench();
	return unit_done();
}
