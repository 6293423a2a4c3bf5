/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/optim.c: L-BFGS on Rosenbrock, quadratics and failing objectives. */
#include "optim.h"
#include "usage.h"
#include "unit.h"

#include <stdlib.h>

static int rosenbrock(void *ctx, const double *x, size_t n, double *f,
		      double *g)
{
	size_t i;

	(void)ctx;
	*f = 0.0;
	for (i = 0; i < n; i++)
		g[i] = 0.0;
	for (i = 0; i + 1 < n; i++) {
		double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];

		*f += 100.0 * a * a + b * b;
		g[i] += -400.0 * x[i] * a - 2.0 * b;
		g[i + 1] += 200.0 * a;
	}
	return 0;
}

/* f = 0.5 x'Ax - b'x with A = tridiag(-1, 4 + i, -1): minimiser A^-1 b. */
struct quad {
	size_t calls;
};

static int quadratic(void *ctx, const double *x, size_t n, double *f,
		     double *g)
{
	struct quad *q = ctx;
	size_t i;

	q->calls++;
	*f = 0.0;
	for (i = 0; i < n; i++) {
		double ax = (4.0 + (double)i) * x[i];

		if (i > 0)
			ax -= x[i - 1];
		if (i + 1 < n)
			ax -= x[i + 1];
		g[i] = ax - (double)(i + 1);
		*f += 0.5 * x[i] * ax - (double)(i + 1) * x[i];
	}
	return 0;
}

static int failing(void *ctx, const double *x, size_t n, double *f, double *g)
{
	int *calls = ctx;

	if (++*calls == 3)
		return -MLCI_EXIT_SYSTEM;
	return rosenbrock(NULL, x, n, f, g);
}

static int nan_start(void *ctx, const double *x, size_t n, double *f,
		     double *g)
{
	(void)ctx;
	rosenbrock(NULL, x, n, f, g);
	*f = NAN;
	return 0;
}

/* exp(x) - x overflows far to the right: the line search must back off. */
static int overflow(void *ctx, const double *x, size_t n, double *f,
		    double *g)
{
	(void)ctx;
	(void)n;
	*f = x[0] > 700.0 ? HUGE_VAL : exp(x[0]) - 2.0 * x[0];
	g[0] = x[0] > 700.0 ? HUGE_VAL : exp(x[0]) - 2.0;
	return 0;
}

static int monotone(const struct mlci_optim_report *r)
{
	size_t i;

	for (i = 1; i < r->history_len; i++)
		if (r->history[i] > r->history[i - 1])
			return 0;
	return r->history_len == (size_t)r->iterations + 1;
}

static void test_rosenbrock(void)
{
	struct mlci_lbfgs_params params;
	struct mlci_optim_report r;
	double x[2] = { -1.2, 1.0 }, x10[10];
	size_t i;

	mlci_lbfgs_params_init(&params);
	mlci_optim_report_init(&r);
	params.gtol = 1e-9;
	params.ftol = 0.0;
	CHECK_INT(mlci_lbfgs(rosenbrock, NULL, x, 2, &params, &r), 0,
		  "rosenbrock 2-d");
	CHECK(r.converged && r.stop == MLCI_OPTIM_GTOL, "rosenbrock converges on gtol");
	CHECK_NEAR(x[0], 1.0, 1e-8, "rosenbrock x0 = 1");
	CHECK_NEAR(x[1], 1.0, 1e-8, "rosenbrock x1 = 1");
	CHECK(r.grad_norm <= 1e-9, "final gradient reported below gtol");
	CHECK(r.iterations > 10 && r.iterations < 100, "rosenbrock in a few dozen iterations");
	CHECK(monotone(&r), "history: start + one value per iteration, non-increasing");
	CHECK_NEAR(r.f, r.history[r.history_len - 1], 0, "report f is the last history value");

	for (i = 0; i < 10; i++)
		x10[i] = i % 2 ? 1.0 : -1.2;
	CHECK_INT(mlci_lbfgs(rosenbrock, NULL, x10, 10, &params, &r), 0,
		  "rosenbrock 10-d");
	for (i = 0; i < 10; i++)
		if (fabs(x10[i] - 1.0) > 1e-7)
			break;
	CHECK(r.converged && i == 10, "rosenbrock 10-d reaches (1, ..., 1)");

	/* The default stopping (ftol) is scipy's: close, not exact. */
	mlci_lbfgs_params_init(&params);
	x[0] = -1.2;
	x[1] = 1.0;
	CHECK_INT(mlci_lbfgs(rosenbrock, NULL, x, 2, &params, &r), 0,
		  "rosenbrock with scipy's defaults");
	CHECK(r.converged, "converges with scipy's defaults");
	/* scipy 1.10: minimize(rosen, [-1.2, 1], jac=rosen_der, method="L-BFGS-B"). */
	CHECK(r.iterations == 36 && r.evaluations == 44 && r.stop == MLCI_OPTIM_FTOL,
	      "same path as scipy's L-BFGS-B: 36 iterations, 44 evaluations, ftol stop");
	CHECK_NEAR(x[0], 1.0, 1e-3, "default stop near the minimiser");

	params.max_iter = 5;
	x[0] = -1.2;
	x[1] = 1.0;
	CHECK_INT(mlci_lbfgs(rosenbrock, NULL, x, 2, &params, &r), 0,
		  "an iteration limit is not an error");
	CHECK(!r.converged && r.stop == MLCI_OPTIM_MAX_ITER && r.iterations == 5,
	      "max_iter: stops after 5 iterations, not converged");
	CHECK(r.grad_norm > 1e-5 && isfinite(r.grad_norm), "max_iter: gradient norm reported");
	mlci_optim_report_release(&r);
}

static void test_quadratic(void)
{
	struct mlci_lbfgs_params params;
	struct mlci_optim_report r;
	struct quad q = { 0 };
	double x[50] = { 0 }, g[50], f, worst = 0.0;
	size_t i, n = 50;

	mlci_lbfgs_params_init(&params);
	mlci_optim_report_init(&r);
	params.gtol = 1e-6;
	params.ftol = 0.0;
	CHECK_INT(mlci_lbfgs(quadratic, &q, x, n, &params, &r), 0, "quadratic");
	CHECK(r.converged, "quadratic converges");
	/*
	 * The minimiser solves A x = b (Thomas' algorithm here). f is known to
	 * about 1e-13 relative, so a gradient much below 1e-6 is out of reach.
	 */
	{
		double c[50], dd[50], sol[50];

		for (i = 0; i < n; i++) {
			double diag = 4.0 + (double)i + (i ? c[i - 1] : 0.0);

			c[i] = -1.0 / diag;
			dd[i] = ((double)(i + 1) + (i ? dd[i - 1] : 0.0)) / diag;
		}
		sol[n - 1] = dd[n - 1];
		for (i = n - 1; i-- > 0;)
			sol[i] = dd[i] - c[i] * sol[i + 1];
		for (i = 0; i < n; i++)
			worst = fmax(worst, fabs(x[i] - sol[i]));
	}
	CHECK(worst <= 1e-6, "quadratic: x = A^-1 b");
	quadratic(&q, x, n, &f, g);
	CHECK(fabs(f - r.f) == 0.0 && r.grad_norm <= 1e-6, "reported f and gradient norm");
	q.calls--;
	CHECK_INT(r.evaluations, (long long)q.calls, "evaluations counted");

	/* A start at the minimiser: zero iterations. */
	CHECK_INT(mlci_lbfgs(quadratic, &q, x, n, &params, &r), 0, "restart at the minimiser");
	CHECK(r.converged && r.iterations == 0 && r.history_len == 1,
	      "at the minimiser: converged after 0 iterations");
	mlci_optim_report_release(&r);
}

static void test_failures(void)
{
	struct mlci_lbfgs_params params;
	struct mlci_optim_report r;
	double x[2] = { -1.2, 1.0 }, x1[1] = { 0.0 };
	int calls = 0;

	mlci_lbfgs_params_init(&params);
	mlci_optim_report_init(&r);
	mlci_set_quiet(1);
	CHECK_INT(mlci_lbfgs(failing, &calls, x, 2, &params, &r), -MLCI_EXIT_SYSTEM,
		  "an error of the objective is passed back");
	CHECK_INT(mlci_lbfgs(nan_start, NULL, x, 2, &params, &r), -MLCI_EXIT_INPUT,
		  "NaN at the start: bad input");
	params.m = 0;
	CHECK_INT(mlci_lbfgs(rosenbrock, NULL, x, 2, &params, &r), -MLCI_EXIT_BUG,
		  "m = 0: a bug");
	mlci_set_quiet(0);

	mlci_lbfgs_params_init(&params);
	params.gtol = 1e-9;
	params.ftol = 0.0;
	x1[0] = -30.0;
	CHECK_INT(mlci_lbfgs(overflow, NULL, x1, 1, &params, &r), 0,
		  "an objective that overflows along the way");
	CHECK(r.converged, "converges despite infinite trial values");
	CHECK_NEAR(x1[0], log(2.0), 1e-8, "exp(x) - 2x: minimiser log 2");
	mlci_optim_report_release(&r);
}

int main(void)
{
	test_rosenbrock();
	test_quadratic();
	test_failures();
	return unit_done();
}
