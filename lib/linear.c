/* SPDX-License-Identifier: MIT */
/* Linear models as scikit-learn 1.2 fits them: least squares, ridge, logistic regression, linear SVM. */
#include "linear.h"
#include "json.h"
#include "optim.h"
#include "random.h"
#include "usage.h"
#include "vec.h"
#include "wrapper.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

static const char *const kind_names[] = {
	[MLCI_LINEAR_REGRESSION] = "linear_regression",
	[MLCI_LINEAR_RIDGE] = "ridge",
	[MLCI_LINEAR_LOGISTIC] = "logistic_regression",
	[MLCI_LINEAR_SVM] = "linear_svm",
};

const char *mlci_linear_kind_name(enum mlci_linear_kind kind)
{
	if ((unsigned)kind < sizeof(kind_names) / sizeof(*kind_names))
		return kind_names[kind];
	return "unknown";
}

int mlci_linear_kind_parse(const char *name, enum mlci_linear_kind *out)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(*kind_names); i++) {
		if (!strcmp(name, kind_names[i])) {
			*out = (enum mlci_linear_kind)i;
			return 0;
		}
	}
	return -1;
}

int mlci_linear_is_classifier(enum mlci_linear_kind kind)
{
	return kind == MLCI_LINEAR_LOGISTIC || kind == MLCI_LINEAR_SVM;
}

void mlci_linear_params_init(struct mlci_linear_params *params,
			     enum mlci_linear_kind kind)
{
	memset(params, 0, sizeof(*params));
	params->kind = kind;
	params->alpha = 1.0;
	params->C = 1.0;
	params->max_iter = kind == MLCI_LINEAR_SVM ? 1000 : 100;
	params->tol = 1e-4;
	params->fit_intercept = 1;
	params->intercept_scaling = 1.0;
	params->hinge = 0;
	params->seed = 0;
}

void mlci_linear_model_init(struct mlci_linear_model *model)
{
	memset(model, 0, sizeof(*model));
}

void mlci_linear_model_release(struct mlci_linear_model *model)
{
	free(model->coef);
	free(model->intercept);
	free(model->history);
	mlci_linear_model_init(model);
}

/* Seeds are kept exactly in JSON numbers. */
#define MAX_SEED 9007199254740992.0

static int check_params(const struct mlci_linear_params *pa)
{
	const char *name = mlci_linear_kind_name(pa->kind);
	size_t i;

	if ((unsigned)pa->kind > MLCI_LINEAR_SVM)
		return mlci_error(MLCI_EXIT_INPUT, "unknown linear model %d",
				  (int)pa->kind);
	if (pa->kind == MLCI_LINEAR_RIDGE && !(pa->alpha >= 0 && isfinite(pa->alpha)))
		return mlci_error(MLCI_EXIT_INPUT,
				  "ridge: alpha must be a finite number >= 0, not %g",
				  pa->alpha);
	if (!mlci_linear_is_classifier(pa->kind))
		return 0;
	if (!(pa->C > 0 && isfinite(pa->C)))
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s: C must be a finite number > 0, not %g",
				  name, pa->C);
	if (pa->max_iter < 1)
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s: max_iter must be at least 1, not %d",
				  name, pa->max_iter);
	if (!(pa->tol >= 0 && isfinite(pa->tol)))
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s: tol must be a finite number >= 0, not %g",
				  name, pa->tol);
	if (pa->kind == MLCI_LINEAR_SVM &&
	    !(pa->intercept_scaling > 0 && isfinite(pa->intercept_scaling)))
		return mlci_error(MLCI_EXIT_INPUT,
				  "linear_svm: intercept_scaling must be a finite number > 0, not %g",
				  pa->intercept_scaling);
	if ((double)pa->seed > MAX_SEED)
		return mlci_error(MLCI_EXIT_INPUT, "%s: seed above 2^53", name);
	for (i = 0; pa->class_weight && i < pa->n_class_weight; i++)
		if (!(pa->class_weight[i] > 0 && isfinite(pa->class_weight[i])))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: class_weight of class %zu must be a finite number > 0, not %g",
					  name, i, pa->class_weight[i]);
	return 0;
}

/* Check the data; for a classifier count the classes into *k. */
static int check_data(const struct mlci_linear_params *pa, const double *X,
		      const double *y, const double *sw, size_t n, size_t p,
		      size_t *k)
{
	const char *name = mlci_linear_kind_name(pa->kind);
	size_t i, *count = NULL;
	double swsum = 0.0;

	if (!n || !p)
		return mlci_error(MLCI_EXIT_INPUT, "%s: no %s to fit on", name,
				  n ? "features" : "rows");
	if (n > INT32_MAX || p > INT32_MAX || n * p / p != n)
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s: %zu x %zu is too large a matrix", name, n, p);
	for (i = 0; i < n * p; i++)
		if (!isfinite(X[i]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: non-finite value %g in row %zu, column %zu",
					  name, X[i], i / p + 1, i % p + 1);
	for (i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: non-finite target %g in row %zu",
					  name, y[i], i + 1);
	if (sw) {
		for (i = 0; i < n; i++) {
			if (!(sw[i] >= 0) || !isfinite(sw[i]))
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s: sample weight %g in row %zu is not a finite number >= 0",
						  name, sw[i], i + 1);
			swsum += sw[i];
		}
		if (!(swsum > 0) || !isfinite(swsum))
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: the sample weights must have a positive finite sum",
					  name);
	}
	*k = 0;
	if (!mlci_linear_is_classifier(pa->kind))
		return 0;

	for (i = 0; i < n; i++) {
		if (y[i] < 0 || y[i] != floor(y[i]) || y[i] >= 65536)
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: target %g in row %zu is not a class index",
					  name, y[i], i + 1);
		if ((size_t)y[i] + 1 > *k)
			*k = (size_t)y[i] + 1;
	}
	count = xcalloc(*k, sizeof(*count));
	for (i = 0; i < n; i++)
		if (!sw || sw[i] > 0)
			count[(size_t)y[i]]++;
	for (i = 0; i < *k; i++) {
		if (!count[i]) {
			free(count);
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: class %zu has no rows (with a positive weight) to learn from",
					  name, i);
		}
	}
	free(count);
	if (*k < 2)
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s: the target holds a single class (%zu): a classifier needs two",
				  name, *k - 1);
	return 0;
}

static void alloc_rows(struct mlci_linear_model *m, size_t rows, size_t p)
{
	m->n_rows = rows;
	m->n_features = p;
	m->coef = xcalloc(rows * p, sizeof(double));
	m->intercept = xcalloc(rows, sizeof(double));
}

/*
 * Weighted centering (scikit-learn's _preprocess_data and _rescale_data):
 * Xc = sqrt(s) (X - xmean), yc = sqrt(s) (y - ymean), means over the
 * weights; without an intercept, only the sqrt(s) scaling.
 */
static void center(const double *X, const double *y, const double *sw,
		   size_t n, size_t p, int fit_intercept, double *Xc,
		   double *yc, double *xmean, double *ymean)
{
	double total = 0.0;
	size_t i, j;

	memset(xmean, 0, p * sizeof(*xmean));
	*ymean = 0.0;
	if (fit_intercept) {
		for (i = 0; i < n; i++) {
			double w = sw ? sw[i] : 1.0;

			total += w;
			for (j = 0; j < p; j++)
				xmean[j] += w * X[i * p + j];
			*ymean += w * y[i];
		}
		for (j = 0; j < p; j++)
			xmean[j] /= total;
		*ymean /= total;
	}
	for (i = 0; i < n; i++) {
		double r = sw ? sqrt(sw[i]) : 1.0;

		for (j = 0; j < p; j++)
			Xc[i * p + j] = (X[i * p + j] - xmean[j]) * r;
		yc[i] = (y[i] - *ymean) * r;
	}
}

static void set_intercept(struct mlci_linear_model *m, const double *xmean,
			  double ymean)
{
	m->intercept[0] = m->params.fit_intercept ?
		ymean - cblas_ddot((int)m->n_features, xmean, 1, m->coef, 1) : 0.0;
}

static int fit_lstsq(struct mlci_linear_model *m, const double *X,
		     const double *y, const double *sw, size_t n, size_t p)
{
	size_t ldb = n > p ? n : p;
	double *Xc = xmalloc(n * p * sizeof(double));
	double *b = xcalloc(ldb, sizeof(double));
	double *s = xmalloc((n < p ? n : p) * sizeof(double));
	double *xmean = xmalloc(p * sizeof(double)), ymean;
	lapack_int rank, info;
	int ret = 0;

	if (p > n)
		mlci_warning("linear_regression: more features (%zu) than rows (%zu): the minimum-norm solution",
			     p, n);
	center(X, y, sw, n, p, m->params.fit_intercept, Xc, b, xmean, &ymean);
	info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)p, 1,
			      Xc, (lapack_int)p, b, 1, s, DBL_EPSILON, &rank);
	if (info) {
		ret = mlci_error(info < 0 ? MLCI_EXIT_BUG : MLCI_EXIT_INPUT,
				 "linear_regression: LAPACK dgelsd failed (info %d)",
				 (int)info);
		goto out;
	}
	memcpy(m->coef, b, p * sizeof(double));
	set_intercept(m, xmean, ymean);
out:
	free(Xc);
	free(b);
	free(s);
	free(xmean);
	return ret;
}

static int fit_ridge(struct mlci_linear_model *m, const double *X,
		     const double *y, const double *sw, size_t n, size_t p)
{
	double *Xc = xmalloc(n * p * sizeof(double));
	double *yc = xmalloc(n * sizeof(double));
	double *xmean = xmalloc(p * sizeof(double)), ymean;
	int dual = p > n;
	size_t d = dual ? n : p, i;
	double *A = xmalloc(d * d * sizeof(double));
	double *rhs = xmalloc(d * sizeof(double));
	lapack_int info;
	int ret = 0;

	center(X, y, sw, n, p, m->params.fit_intercept, Xc, yc, xmean, &ymean);
	/* Primal: (X'X + aI) w = X'y. Dual when p > n: (XX' + aI) c = y, w = X'c. */
	if (!dual) {
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)n,
			    1.0, Xc, (int)p, 0.0, A, (int)p);
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)p, 1.0, Xc,
			    (int)p, yc, 1, 0.0, rhs, 1);
	} else {
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n,
			    (int)p, 1.0, Xc, (int)p, 0.0, A, (int)n);
		memcpy(rhs, yc, n * sizeof(double));
	}
	for (i = 0; i < d; i++)
		A[i * d + i] += m->params.alpha;
	info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)d, 1, A,
			     (lapack_int)d, rhs, 1);
	if (info > 0) {
		/* Singular (alpha = 0 on collinear columns): least squares, as scikit-learn falls back. */
		free(A);
		free(rhs);
		free(Xc);
		free(yc);
		free(xmean);
		return fit_lstsq(m, X, y, sw, n, p);
	}
	if (info < 0) {
		ret = mlci_error(MLCI_EXIT_BUG, "ridge: LAPACK dposv failed (info %d)",
				 (int)info);
		goto out;
	}
	if (dual)
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)p, 1.0, Xc,
			    (int)p, rhs, 1, 0.0, m->coef, 1);
	else
		memcpy(m->coef, rhs, p * sizeof(double));
	set_intercept(m, xmean, ymean);
out:
	free(A);
	free(rhs);
	free(Xc);
	free(yc);
	free(xmean);
	return ret;
}

/*
 * Logistic regression: the objective of scikit-learn 1.2's lbfgs solver.
 * The variables are k rows of [w (p), b] (b only with an intercept).
 */
struct logistic {
	const double *X, *y, *sw;
	size_t n, p, k, dof;
	double l2;
	int fit_intercept;
	double *raw;		/* n x k */
	double *W;		/* k x p, the weights without intercepts */
	double *GW;		/* k x p */
};

static double expit(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	return exp(z) / (1.0 + exp(z));
}

/*
 * Rows are taken in blocks that stay in cache between the product X w and
 * the product X' g, so that X streams from memory once per evaluation.
 */
static size_t block_rows(size_t p)
{
	size_t b = 16384 / (p ? p : 1);

	return b < 64 ? 64 : b;
}

static int logistic_binary(void *ctx, const double *x, size_t nx, double *f,
			   double *grad)
{
	struct logistic *lg = ctx;
	size_t n = lg->n, p = lg->p, i, r0, nb, B = block_rows(p);
	double b = lg->fit_intercept ? x[p] : 0.0, loss = 0.0, gsum = 0.0;

	(void)nx;
	for (i = 0; i < p; i++)
		grad[i] = lg->l2 * x[i];
	for (r0 = 0; r0 < n; r0 += nb) {
		const double *Xb = lg->X + r0 * p;
		double *raw = lg->raw + r0;

		nb = n - r0 < B ? n - r0 : B;
		for (i = 0; i < nb; i++)
			raw[i] = b;
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, (int)p, 1.0,
			    Xb, (int)p, x, 1, 1.0, raw, 1);
		for (i = 0; i < nb; i++) {
			double z = raw[i], yi = lg->y[r0 + i];
			double w = lg->sw ? lg->sw[r0 + i] : 1.0;
			/* One exponential gives both log(1 + e^z) and the logistic. */
			double e = exp(-fabs(z));
			double l = (z > 0 ? z : 0.0) + log1p(e) - yi * z;
			double prob = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);

			loss += w * l;
			raw[i] = w * (prob - yi);
			gsum += raw[i];
		}
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, (int)p, 1.0, Xb,
			    (int)p, raw, 1, 1.0, grad, 1);
	}
	loss += 0.5 * lg->l2 * cblas_ddot((int)p, x, 1, x, 1);
	if (lg->fit_intercept)
		grad[p] = gsum;
	*f = loss;
	return 0;
}

static int logistic_multinomial(void *ctx, const double *x, size_t nx,
				double *f, double *grad)
{
	struct logistic *lg = ctx;
	size_t n = lg->n, p = lg->p, k = lg->k, dof = lg->dof, i, c;
	double loss = 0.0, pen = 0.0;

	(void)nx;
	for (c = 0; c < k; c++)
		memcpy(lg->W + c * p, x + c * dof, p * sizeof(double));
	for (i = 0; i < n; i++)
		for (c = 0; c < k; c++)
			lg->raw[i * k + c] = lg->fit_intercept ? x[c * dof + p] : 0.0;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)k,
		    (int)p, 1.0, lg->X, (int)p, lg->W, (int)p, 1.0, lg->raw,
		    (int)k);
	for (i = 0; i < n; i++) {
		double *r = lg->raw + i * k, mx = r[0], sum = 0.0, w;
		size_t yi = (size_t)lg->y[i];

		w = lg->sw ? lg->sw[i] : 1.0;
		for (c = 1; c < k; c++)
			if (r[c] > mx)
				mx = r[c];
		for (c = 0; c < k; c++)
			sum += exp(r[c] - mx);
		loss += w * (log(sum) + mx - r[yi]);
		for (c = 0; c < k; c++)
			r[c] = w * (exp(r[c] - mx) / sum - (c == yi ? 1.0 : 0.0));
	}
	memcpy(lg->GW, lg->W, k * p * sizeof(double));
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)p,
		    (int)n, 1.0, lg->raw, (int)k, lg->X, (int)p, lg->l2, lg->GW,
		    (int)p);
	for (c = 0; c < k; c++) {
		memcpy(grad + c * dof, lg->GW + c * p, p * sizeof(double));
		pen += cblas_ddot((int)p, lg->W + c * p, 1, lg->W + c * p, 1);
		if (lg->fit_intercept) {
			double s = 0.0;

			for (i = 0; i < n; i++)
				s += lg->raw[i * k + c];
			grad[c * dof + p] = s;
		}
	}
	*f = loss + 0.5 * lg->l2 * pen;
	return 0;
}

static int fit_logistic(struct mlci_linear_model *m, const double *X,
			const double *y, const double *sw, size_t n, size_t p,
			size_t k)
{
	struct logistic lg = { 0 };
	struct mlci_lbfgs_params lp;
	struct mlci_optim_report rep;
	size_t rows = k == 2 ? 1 : k, c;
	double *x;
	int ret;

	lg.X = X;
	lg.y = y;
	lg.sw = sw;
	lg.n = n;
	lg.p = p;
	lg.k = rows;
	lg.fit_intercept = m->params.fit_intercept;
	lg.dof = p + (lg.fit_intercept ? 1 : 0);
	lg.l2 = 1.0 / m->params.C;
	lg.raw = xmalloc(n * rows * sizeof(double));
	if (rows > 1) {
		lg.W = xmalloc(rows * p * sizeof(double));
		lg.GW = xmalloc(rows * p * sizeof(double));
	}
	x = xcalloc(rows * lg.dof, sizeof(double));

	mlci_lbfgs_params_init(&lp);
	lp.max_iter = m->params.max_iter;
	lp.gtol = m->params.tol;
	mlci_optim_report_init(&rep);
	ret = mlci_lbfgs(rows == 1 ? logistic_binary : logistic_multinomial,
			 &lg, x, rows * lg.dof, &lp, &rep);
	if (ret < 0)
		goto out;
	alloc_rows(m, rows, p);
	for (c = 0; c < rows; c++) {
		memcpy(m->coef + c * p, x + c * lg.dof, p * sizeof(double));
		if (lg.fit_intercept)
			m->intercept[c] = x[c * lg.dof + p];
	}
	m->iterations = rep.iterations;
	m->converged = rep.converged;
	m->grad_norm = rep.grad_norm;
	m->history = rep.history;
	m->history_len = rep.history_len;
	rep.history = NULL;
out:
	mlci_optim_report_release(&rep);
	free(lg.raw);
	free(lg.W);
	free(lg.GW);
	free(x);
	return ret;
}

/*
 * One binary problem of liblinear's dual coordinate descent for the L2-
 * regularised (squared) hinge loss (Hsieh et al., ICML 2008), with
 * shrinking. yb[i] is +1 or -1; w has p (+1 with the bias) values.
 * Appends minus the dual objective after each pass to *hist.
 */
struct svm_problem {
	const double *X, *sw, *sqnorm;
	size_t n, p;
	double C, bias;		/* bias 0: no constant feature */
	int hinge, max_iter;
	double eps;
	struct mlci_rng *rng;
};

static double row_dot(const struct svm_problem *sp, const double *w, size_t i)
{
	double v = cblas_ddot((int)sp->p, sp->X + i * sp->p, 1, w, 1);

	return sp->bias > 0 ? v + w[sp->p] * sp->bias : v;
}

static void svm_solve(const struct svm_problem *sp, const signed char *yb,
		      double *w, int *iterations, int *converged,
		      double *gap, double **hist, size_t *hist_len)
{
	size_t n = sp->n, p = sp->p, i, s, active = 0, hist_alloc = 0;
	double *alpha = xcalloc(n, sizeof(double));
	double *diag = xmalloc(n * sizeof(double));
	double *upper = xmalloc(n * sizeof(double));
	double *QD = xmalloc(n * sizeof(double));
	size_t *index = xmalloc(n * sizeof(size_t));
	double pgmax_old = HUGE_VAL, pgmin_old = -HUGE_VAL;
	double sum_alpha = 0.0, sum_diag2 = 0.0;
	size_t dim = p + (sp->bias > 0 ? 1 : 0);
	int iter = 0;

	memset(w, 0, dim * sizeof(double));
	*converged = 0;
	*gap = HUGE_VAL;
	*hist = NULL;
	*hist_len = 0;
	for (i = 0; i < n; i++) {
		double ci = sp->C * (sp->sw ? sp->sw[i] : 1.0);

		/* A row of weight 0 cannot move its alpha: leave it out. */
		if (!(ci > 0))
			continue;
		diag[i] = sp->hinge ? 0.0 : 0.5 / ci;
		upper[i] = sp->hinge ? ci : HUGE_VAL;
		QD[i] = diag[i] + sp->sqnorm[i] + sp->bias * sp->bias;
		index[active++] = i;
	}
	n = active;

	while (iter < sp->max_iter) {
		double pgmax_new = -HUGE_VAL, pgmin_new = HUGE_VAL;

		for (i = 0; i < active; i++) {
			size_t j = i + (size_t)mlci_rng_below(sp->rng, active - i);
			size_t t = index[i];

			index[i] = index[j];
			index[j] = t;
		}
		for (s = 0; s < active; s++) {
			double G, PG = 0.0, Ci, yi;

			i = index[s];
			yi = yb[i];
			G = yi * row_dot(sp, w, i) - 1.0 + alpha[i] * diag[i];
			Ci = upper[i];
			if (alpha[i] == 0.0) {
				if (G > pgmax_old) {
					active--;
					index[s] = index[active];
					index[active] = i;
					s--;
					continue;
				}
				if (G < 0)
					PG = G;
			} else if (alpha[i] == Ci) {
				if (G < pgmin_old) {
					active--;
					index[s] = index[active];
					index[active] = i;
					s--;
					continue;
				}
				if (G > 0)
					PG = G;
			} else {
				PG = G;
			}
			if (PG > pgmax_new)
				pgmax_new = PG;
			if (PG < pgmin_new)
				pgmin_new = PG;
			if (fabs(PG) > 1.0e-12) {
				double old = alpha[i], dlt;

				alpha[i] = fmin(fmax(alpha[i] - G / QD[i], 0.0), Ci);
				dlt = (alpha[i] - old) * yi;
				sum_alpha += alpha[i] - old;
				sum_diag2 += diag[i] * (alpha[i] * alpha[i] - old * old);
				cblas_daxpy((int)p, dlt, sp->X + i * p, 1, w, 1);
				if (sp->bias > 0)
					w[p] += dlt * sp->bias;
			}
		}
		iter++;
		ALLOC_GROW(*hist, *hist_len + 1, hist_alloc);
		(*hist)[(*hist_len)++] = -(0.5 * cblas_ddot((int)dim, w, 1, w, 1) +
					   0.5 * sum_diag2 - sum_alpha);
		*gap = pgmax_new - pgmin_new;
		if (!(pgmax_new > -HUGE_VAL))
			*gap = 0.0;
		if (*gap <= sp->eps) {
			if (active == n) {
				*converged = 1;
				break;
			}
			/* Shrunk too far: check every coordinate once more. */
			active = n;
			pgmax_old = HUGE_VAL;
			pgmin_old = -HUGE_VAL;
			continue;
		}
		pgmax_old = pgmax_new;
		pgmin_old = pgmin_new;
		if (pgmax_old <= 0)
			pgmax_old = HUGE_VAL;
		if (pgmin_old >= 0)
			pgmin_old = -HUGE_VAL;
	}
	*iterations = iter;
	free(alpha);
	free(diag);
	free(upper);
	free(QD);
	free(index);
}

static void fit_svm(struct mlci_linear_model *m, const double *X,
		    const double *y, const double *sw, size_t n, size_t p,
		    size_t k, const double *cw)
{
	double *rw = cw && k > 2 ? xmalloc(n * sizeof(double)) : NULL;
	struct svm_problem sp;
	struct mlci_rng rng;
	size_t rows = k == 2 ? 1 : k, c, i, t, maxlen = 0;
	double *sqnorm = xmalloc(n * sizeof(double));
	double *w = xmalloc((p + 1) * sizeof(double));
	signed char *yb = xmalloc(n);
	double **hists = xcalloc(rows, sizeof(double *));
	size_t *lens = xcalloc(rows, sizeof(size_t));

	for (i = 0; i < n; i++)
		sqnorm[i] = cblas_ddot((int)p, X + i * p, 1, X + i * p, 1);
	mlci_rng_seed(&rng, m->params.seed);
	sp.X = X;
	sp.sw = sw;
	sp.sqnorm = sqnorm;
	sp.n = n;
	sp.p = p;
	sp.C = m->params.C;
	sp.bias = m->params.fit_intercept ? m->params.intercept_scaling : 0.0;
	sp.hinge = m->params.hinge;
	sp.max_iter = m->params.max_iter;
	sp.eps = m->params.tol;
	sp.rng = &rng;

	alloc_rows(m, rows, p);
	m->converged = 1;
	m->iterations = 0;
	m->grad_norm = 0.0;
	for (c = 0; c < rows; c++) {
		size_t pos = rows == 1 ? 1 : c;
		int iters, conv;
		double gap;

		for (i = 0; i < n; i++)
			yb[i] = (size_t)y[i] == pos ? 1 : -1;
		if (rw) {
			/* One-vs-rest: class c's rows weighted, the rest not. */
			for (i = 0; i < n; i++)
				rw[i] = (sw ? sw[i] : 1.0) * (yb[i] > 0 ? cw[c] : 1.0);
			sp.sw = rw;
		}
		svm_solve(&sp, yb, w, &iters, &conv, &gap, &hists[c], &lens[c]);
		memcpy(m->coef + c * p, w, p * sizeof(double));
		m->intercept[c] = sp.bias > 0 ? w[p] * sp.bias : 0.0;
		if (iters > m->iterations)
			m->iterations = iters;
		m->converged = m->converged && conv;
		if (gap > m->grad_norm)
			m->grad_norm = gap;
		if (lens[c] > maxlen)
			maxlen = lens[c];
	}
	m->history = xcalloc(maxlen ? maxlen : 1, sizeof(double));
	m->history_len = maxlen;
	for (t = 0; t < maxlen; t++)
		for (c = 0; c < rows; c++)
			if (lens[c])
				m->history[t] += hists[c][t < lens[c] ? t : lens[c] - 1];
	for (c = 0; c < rows; c++)
		free(hists[c]);
	free(hists);
	free(lens);
	free(sqnorm);
	free(w);
	free(yb);
	free(rw);
}

static int model_finite(const struct mlci_linear_model *m)
{
	size_t i;

	for (i = 0; i < m->n_rows * m->n_features; i++)
		if (!isfinite(m->coef[i]))
			return 0;
	for (i = 0; i < m->n_rows; i++)
		if (!isfinite(m->intercept[i]))
			return 0;
	for (i = 0; i < m->history_len; i++)
		if (!isfinite(m->history[i]))
			return 0;
	return isfinite(m->grad_norm);
}

int mlci_linear_fit(struct mlci_linear_model *model, const double *X,
		    const double *y, const double *sample_weight, size_t n,
		    size_t p, const struct mlci_linear_params *params)
{
	const double *cw = params->class_weight;
	double *weights = NULL;
	size_t k = 0, i;
	int ret;

	mlci_linear_model_release(model);
	if ((ret = check_params(params)) < 0 ||
	    (ret = check_data(params, X, y, sample_weight, n, p, &k)) < 0)
		return ret;
	if (cw && mlci_linear_is_classifier(params->kind)) {
		if (params->n_class_weight != k)
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s: %zu class weights for %zu classes",
					  mlci_linear_kind_name(params->kind),
					  params->n_class_weight, k);
		/* Every row's weight times its class's, but the svm's one-vs-rest. */
		if (params->kind != MLCI_LINEAR_SVM || k == 2) {
			weights = xmalloc(n * sizeof(*weights));
			for (i = 0; i < n; i++)
				weights[i] = (sample_weight ? sample_weight[i] : 1.0) *
					cw[(size_t)y[i]];
			sample_weight = weights;
		}
	} else {
		cw = NULL;
	}
	model->params = *params;
	model->params.class_weight = NULL;
	model->params.n_class_weight = 0;
	model->n_classes = k;
	model->converged = 1;
	switch (params->kind) {
	case MLCI_LINEAR_REGRESSION:
		alloc_rows(model, 1, p);
		ret = fit_lstsq(model, X, y, sample_weight, n, p);
		break;
	case MLCI_LINEAR_RIDGE:
		alloc_rows(model, 1, p);
		ret = fit_ridge(model, X, y, sample_weight, n, p);
		break;
	case MLCI_LINEAR_LOGISTIC:
		ret = fit_logistic(model, X, y, sample_weight, n, p, k);
		break;
	case MLCI_LINEAR_SVM:
		fit_svm(model, X, y, sample_weight, n, p, k,
			weights ? NULL : cw);
		break;
	}
	if (!ret && !model_finite(model))
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s: the fit did not give finite coefficients (is the data scaled?)",
				 mlci_linear_kind_name(params->kind));
	if (ret < 0)
		mlci_linear_model_release(model);
	free(weights);
	return ret;
}

int mlci_linear_decision_function(const struct mlci_linear_model *model,
				  const double *X, size_t n, double *out)
{
	size_t r = model->n_rows, p = model->n_features, i, c;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		for (c = 0; c < r; c++)
			out[i * r + c] = model->intercept[c];
	if (r == 1)
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)p, 1.0, X,
			    (int)p, model->coef, 1, 1.0, out, 1);
	else
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n,
			    (int)r, (int)p, 1.0, X, (int)p, model->coef, (int)p,
			    1.0, out, (int)r);
	return 0;
}

int mlci_linear_predict(const struct mlci_linear_model *model,
			const double *X, size_t n, double *out)
{
	size_t r = model->n_rows, i, c;
	double *dec;

	if (r == 1) {
		mlci_linear_decision_function(model, X, n, out);
		if (mlci_linear_is_classifier(model->params.kind))
			for (i = 0; i < n; i++)
				out[i] = out[i] > 0 ? 1.0 : 0.0;
		return 0;
	}
	dec = xmalloc(n * r * sizeof(double));
	mlci_linear_decision_function(model, X, n, dec);
	for (i = 0; i < n; i++) {
		size_t best = 0;

		for (c = 1; c < r; c++)
			if (dec[i * r + c] > dec[i * r + best])
				best = c;
		out[i] = (double)best;
	}
	free(dec);
	return 0;
}

int mlci_linear_predict_proba(const struct mlci_linear_model *model,
			      const double *X, size_t n, double *out)
{
	size_t k = model->n_classes, i;

	if (model->params.kind != MLCI_LINEAR_LOGISTIC)
		return mlci_error(MLCI_EXIT_INPUT, "%s gives no probabilities",
				  mlci_linear_kind_name(model->params.kind));
	if (model->n_rows == 1) {
		double *dec = xmalloc(n * sizeof(double));

		mlci_linear_decision_function(model, X, n, dec);
		for (i = 0; i < n; i++) {
			out[2 * i + 1] = expit(dec[i]);
			out[2 * i] = 1.0 - out[2 * i + 1];
		}
		free(dec);
		return 0;
	}
	mlci_linear_decision_function(model, X, n, out);
	mlci_softmax_rows(out, n, k);
	return 0;
}

static cJSON *number_array(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, mlci_json_number(v[i]));
	return a;
}

cJSON *mlci_linear_to_json(const struct mlci_linear_model *m)
{
	const struct mlci_linear_params *pa = &m->params;
	cJSON *o = cJSON_CreateObject(), *params = cJSON_CreateObject();
	cJSON *coef = cJSON_CreateArray(), *conv = cJSON_CreateObject();
	size_t c;

	mlci_json_set_string(o, "model", mlci_linear_kind_name(pa->kind));
	if (pa->kind == MLCI_LINEAR_RIDGE)
		mlci_json_set_number(params, "alpha", pa->alpha);
	if (mlci_linear_is_classifier(pa->kind)) {
		mlci_json_set_number(params, "C", pa->C);
		mlci_json_set_number(params, "max_iter", pa->max_iter);
		mlci_json_set_number(params, "tol", pa->tol);
	}
	mlci_json_set_bool(params, "fit_intercept", pa->fit_intercept);
	if (pa->kind == MLCI_LINEAR_SVM) {
		mlci_json_set_string(params, "loss", pa->hinge ? "hinge" : "squared_hinge");
		mlci_json_set_number(params, "intercept_scaling", pa->intercept_scaling);
		mlci_json_set_number(params, "seed", (double)pa->seed);
	}
	mlci_json_set(o, "params", params);
	mlci_json_set_number(o, "n_features", (double)m->n_features);
	mlci_json_set_number(o, "n_classes", (double)m->n_classes);
	for (c = 0; c < m->n_rows; c++)
		cJSON_AddItemToArray(coef, number_array(m->coef + c * m->n_features,
							m->n_features));
	mlci_json_set(o, "coef", coef);
	mlci_json_set(o, "intercept", number_array(m->intercept, m->n_rows));
	mlci_json_set_number(conv, "iterations", m->iterations);
	mlci_json_set_bool(conv, "converged", m->converged);
	mlci_json_set_number(conv, "grad_norm", m->grad_norm);
	mlci_json_set(o, "convergence", conv);
	mlci_json_set(o, "history", number_array(m->history, m->history_len));
	return o;
}

/* Strict reading: only the keys listed, each once. */
static int only_keys(const cJSON *obj, const char *what,
		     const char *const *keys)
{
	const cJSON *it;
	const char *dup = mlci_json_duplicate_key(obj);

	if (dup)
		return mlci_error(MLCI_EXIT_INPUT, "linear model: duplicate key '%s' in %s",
				  dup, what);
	for (it = obj->child; it; it = it->next) {
		const char *const *k;

		for (k = keys; *k; k++)
			if (!strcmp(*k, it->string))
				break;
		if (!*k)
			return mlci_error(MLCI_EXIT_INPUT,
					  "linear model: unknown key '%s' in %s",
					  it->string, what);
	}
	return 0;
}

static int get_num(const cJSON *obj, const char *key, double min, double max,
		   int whole, double *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
	    it->valuedouble < min || it->valuedouble > max ||
	    (whole && it->valuedouble != floor(it->valuedouble)))
		return mlci_error(MLCI_EXIT_INPUT,
				  "linear model: '%s' missing or not a %s in [%g, %g]",
				  key, whole ? "whole number" : "number", min, max);
	*out = it->valuedouble;
	return 0;
}

static int get_bool(const cJSON *obj, const char *key, int *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsBool(it))
		return mlci_error(MLCI_EXIT_INPUT,
				  "linear model: '%s' missing or not true/false", key);
	*out = cJSON_IsTrue(it);
	return 0;
}

/* An array of exactly n finite numbers into v. */
static int get_numbers(const cJSON *a, const char *key, size_t n, double *v)
{
	const cJSON *it;
	size_t i = 0;

	if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n)
		return mlci_error(MLCI_EXIT_INPUT,
				  "linear model: '%s' must be an array of %zu numbers",
				  key, n);
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
			return mlci_error(MLCI_EXIT_INPUT,
					  "linear model: '%s' holds a value that is not a finite number",
					  key);
		v[i++] = it->valuedouble;
	}
	return 0;
}

static int read_params(struct mlci_linear_params *pa, const cJSON *o)
{
	static const char *const keys[][8] = {
		[MLCI_LINEAR_REGRESSION] = { "fit_intercept", NULL },
		[MLCI_LINEAR_RIDGE] = { "alpha", "fit_intercept", NULL },
		[MLCI_LINEAR_LOGISTIC] = { "C", "max_iter", "tol", "fit_intercept", NULL },
		[MLCI_LINEAR_SVM] = { "C", "max_iter", "tol", "fit_intercept", "loss",
				      "intercept_scaling", "seed", NULL },
	};
	double v;
	const char *loss;

	if (!cJSON_IsObject(o))
		return mlci_error(MLCI_EXIT_INPUT, "linear model: 'params' missing or not an object");
	if (only_keys(o, "params", keys[pa->kind]) < 0 ||
	    get_bool(o, "fit_intercept", &pa->fit_intercept) < 0)
		return -MLCI_EXIT_INPUT;
	if (pa->kind == MLCI_LINEAR_RIDGE &&
	    get_num(o, "alpha", 0, HUGE_VAL, 0, &pa->alpha) < 0)
		return -MLCI_EXIT_INPUT;
	if (mlci_linear_is_classifier(pa->kind)) {
		if (get_num(o, "C", DBL_MIN, HUGE_VAL, 0, &pa->C) < 0 ||
		    get_num(o, "max_iter", 1, INT32_MAX, 1, &v) < 0)
			return -MLCI_EXIT_INPUT;
		pa->max_iter = (int)v;
		if (get_num(o, "tol", 0, HUGE_VAL, 0, &pa->tol) < 0)
			return -MLCI_EXIT_INPUT;
	}
	if (pa->kind == MLCI_LINEAR_SVM) {
		loss = mlci_json_get_string(o, "loss");
		if (!loss || (strcmp(loss, "hinge") && strcmp(loss, "squared_hinge")))
			return mlci_error(MLCI_EXIT_INPUT,
					  "linear model: 'loss' must be \"hinge\" or \"squared_hinge\"");
		pa->hinge = !strcmp(loss, "hinge");
		if (get_num(o, "intercept_scaling", DBL_MIN, HUGE_VAL, 0,
			    &pa->intercept_scaling) < 0 ||
		    get_num(o, "seed", 0, MAX_SEED, 1, &v) < 0)
			return -MLCI_EXIT_INPUT;
		pa->seed = (uint64_t)v;
	}
	return 0;
}

int mlci_linear_from_json(struct mlci_linear_model *m, const cJSON *o)
{
	static const char *const keys[] = {
		"model", "params", "n_features", "n_classes", "coef",
		"intercept", "convergence", "history", NULL
	};
	static const char *const conv_keys[] = {
		"iterations", "converged", "grad_norm", NULL
	};
	const char *name;
	const cJSON *coef, *conv, *row, *hist;
	enum mlci_linear_kind kind;
	double v;
	size_t c = 0;
	int ret = -MLCI_EXIT_INPUT;

	mlci_linear_model_release(m);
	if (!cJSON_IsObject(o))
		return mlci_error(MLCI_EXIT_INPUT, "linear model: not a JSON object");
	if (only_keys(o, "the model", keys) < 0)
		return -MLCI_EXIT_INPUT;
	name = mlci_json_get_string(o, "model");
	if (!name || mlci_linear_kind_parse(name, &kind) < 0)
		return mlci_error(MLCI_EXIT_INPUT, "linear model: unknown 'model' '%s'",
				  name ? name : "(missing)");
	mlci_linear_params_init(&m->params, kind);
	if (read_params(&m->params, mlci_json_get_object(o, "params")) < 0)
		goto fail;
	if (get_num(o, "n_features", 1, INT32_MAX, 1, &v) < 0)
		goto fail;
	m->n_features = (size_t)v;
	if (mlci_linear_is_classifier(kind)) {
		if (get_num(o, "n_classes", 2, 65536, 1, &v) < 0)
			goto fail;
	} else if (get_num(o, "n_classes", 0, 0, 1, &v) < 0) {
		goto fail;
	}
	m->n_classes = (size_t)v;
	m->n_rows = m->n_classes > 2 ? m->n_classes : 1;
	if (m->n_rows * m->n_features > INT32_MAX) {
		mlci_error(MLCI_EXIT_INPUT, "linear model: too many coefficients");
		goto fail;
	}
	coef = cJSON_GetObjectItemCaseSensitive(o, "coef");
	if (!cJSON_IsArray(coef) || (size_t)cJSON_GetArraySize(coef) != m->n_rows) {
		mlci_error(MLCI_EXIT_INPUT, "linear model: 'coef' must be an array of %zu rows",
			   m->n_rows);
		goto fail;
	}
	m->coef = xmalloc(m->n_rows * m->n_features * sizeof(double));
	m->intercept = xmalloc(m->n_rows * sizeof(double));
	cJSON_ArrayForEach(row, coef) {
		if (get_numbers(row, "coef", m->n_features,
				m->coef + c++ * m->n_features) < 0)
			goto fail;
	}
	if (get_numbers(cJSON_GetObjectItemCaseSensitive(o, "intercept"),
			"intercept", m->n_rows, m->intercept) < 0)
		goto fail;
	conv = mlci_json_get_object(o, "convergence");
	if (!conv) {
		mlci_error(MLCI_EXIT_INPUT, "linear model: 'convergence' missing or not an object");
		goto fail;
	}
	if (only_keys(conv, "convergence", conv_keys) < 0 ||
	    get_num(conv, "iterations", 0, INT32_MAX, 1, &v) < 0)
		goto fail;
	m->iterations = (int)v;
	if (get_bool(conv, "converged", &m->converged) < 0 ||
	    get_num(conv, "grad_norm", 0, HUGE_VAL, 0, &m->grad_norm) < 0)
		goto fail;
	hist = cJSON_GetObjectItemCaseSensitive(o, "history");
	if (!cJSON_IsArray(hist)) {
		mlci_error(MLCI_EXIT_INPUT, "linear model: 'history' missing or not an array");
		goto fail;
	}
	m->history_len = (size_t)cJSON_GetArraySize(hist);
	m->history = xmalloc((m->history_len ? m->history_len : 1) * sizeof(double));
	if (get_numbers(hist, "history", m->history_len, m->history) < 0)
		goto fail;
	return 0;
fail:
	mlci_linear_model_release(m);
	return ret;
}
