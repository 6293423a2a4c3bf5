/* SPDX-License-Identifier: MIT */
/* Unconstrained L-BFGS with a More-Thuente line search, stopping as scipy's L-BFGS-B. */
#ifndef MLCI_OPTIM_H
#define MLCI_OPTIM_H

#include <stddef.h>

/*
 * The function to minimise: set *f and grad[0..n) at x. Returns 0, or a
 * negative -MLCI_EXIT_* value that stops the minimisation and is passed
 * back by mlci_lbfgs(). ctx is the caller's.
 */
typedef int mlci_optim_fn(void *ctx, const double *x, size_t n, double *f,
			  double *grad);

/*
 * Settings of mlci_lbfgs(). mlci_lbfgs_params_init() gives scipy's
 * minimize(method="L-BFGS-B") defaults: m = 10 corrections, max_iter =
 * 15000, gtol = 1e-5 (on the largest gradient component), ftol =
 * 2.220446049250313e-9 (relative reduction of f in one iteration), at most
 * 20 function evaluations per line search, 15000 in all.
 */
struct mlci_lbfgs_params {
	int m;
	int max_iter;
	double gtol;
	double ftol;
	int max_linesearch;
	int max_eval;
};

void mlci_lbfgs_params_init(struct mlci_lbfgs_params *params);

/* Why mlci_lbfgs() stopped. */
enum mlci_optim_stop {
	MLCI_OPTIM_GTOL,	/* largest |gradient component| <= gtol */
	MLCI_OPTIM_FTOL,	/* relative reduction of f <= ftol */
	MLCI_OPTIM_MAX_ITER,	/* max_iter iterations done */
	MLCI_OPTIM_MAX_EVAL,	/* max_eval evaluations done */
	MLCI_OPTIM_LINESEARCH	/* no acceptable step, even from steepest descent */
};

/*
 * What a minimisation did: iterations, whether it converged (GTOL or
 * FTOL), the final largest |gradient component|, the final value, the
 * number of function evaluations, and history[0..history_len): f at the
 * start and after each iteration (history_len = iterations + 1). The
 * history is the report's; mlci_optim_report_release() frees it.
 */
struct mlci_optim_report {
	int iterations;
	int converged;
	double grad_norm;
	double f;
	int evaluations;
	enum mlci_optim_stop stop;
	double *history;
	size_t history_len;
	size_t history_alloc;
};

void mlci_optim_report_init(struct mlci_optim_report *report);
void mlci_optim_report_release(struct mlci_optim_report *report);

/* A short English phrase for a stop reason ("gradient below gtol"). */
const char *mlci_optim_stop_name(enum mlci_optim_stop stop);

/*
 * Minimise fn from x[0..n), which holds the start and, on return, the best
 * point found. The method is scipy's L-BFGS-B without bounds: the first
 * trial step along -g has unit length, later line searches try step 1 first,
 * More and Thuente's line search (ftol 1e-3, gtol 0.9, xtol 0.1), updates
 * skipped when s'y <= eps * y'y, and a restart from steepest descent when a
 * line search fails. The same stopping tests, in the same order, so that
 * the iterates follow scipy's to rounding.
 *
 * report (initialised by the caller; released first) receives the outcome.
 * Returns 0 whether or not it converged (see report->converged), the
 * negative value of fn when fn fails, -MLCI_EXIT_INPUT when f or the
 * gradient at the start is not finite, or -MLCI_EXIT_BUG for bad params.
 */
int mlci_lbfgs(mlci_optim_fn *fn, void *ctx, double *x, size_t n,
	       const struct mlci_lbfgs_params *params,
	       struct mlci_optim_report *report);

#endif
