/* SPDX-License-Identifier: MIT */
/* Unconstrained L-BFGS with a More-Thuente line search, stopping as scipy's L-BFGS-B. */
#include "optim.h"
#include "usage.h"
#include "vec.h"
#include "wrapper.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include <cblas.h>

#define BIG 1e10

void mlci_lbfgs_params_init(struct mlci_lbfgs_params *params)
{
	params->m = 10;
	params->max_iter = 15000;
	params->gtol = 1e-5;
	params->ftol = 2.2204460492503131e-09;
	params->max_linesearch = 20;
	params->max_eval = 15000;
}

void mlci_optim_report_init(struct mlci_optim_report *report)
{
	memset(report, 0, sizeof(*report));
}

void mlci_optim_report_release(struct mlci_optim_report *report)
{
	free(report->history);
	mlci_optim_report_init(report);
}

const char *mlci_optim_stop_name(enum mlci_optim_stop stop)
{
	switch (stop) {
	case MLCI_OPTIM_GTOL:
		return "gradient below gtol";
	case MLCI_OPTIM_FTOL:
		return "relative reduction of the objective below ftol";
	case MLCI_OPTIM_MAX_ITER:
		return "iteration limit reached";
	case MLCI_OPTIM_MAX_EVAL:
		return "evaluation limit reached";
	case MLCI_OPTIM_LINESEARCH:
		return "line search found no acceptable step";
	}
	return "unknown";
}

static void push_history(struct mlci_optim_report *r, double f)
{
	ALLOC_GROW(r->history, r->history_len + 1, r->history_alloc);
	r->history[r->history_len++] = f;
}

/*
 * More and Thuente's line search (ACM TOMS 20, 1994), as a state machine:
 * the caller evaluates at stp and hands f and the directional derivative
 * back until the search says it is done.
 */
enum ls_task { LS_EVAL, LS_DONE };

struct linesearch {
	double ftol, gtol, xtol, stpmin, stpmax;
	double finit, ginit, gtest, width, width1;
	double stx, fx, gx, sty, fy, gy, stmin, stmax;
	int brackt, stage;
};

/* One safeguarded step of the interval update (the heart of the method). */
static void ls_step(double *stx, double *fx, double *dx, double *sty,
		    double *fy, double *dy, double *stp, double fp, double dp,
		    int *brackt, double stpmin, double stpmax)
{
	double sgnd = dp * (*dx / fabs(*dx));
	double theta, s, gamma, p, q, r, stpc, stpq, stpf;

	if (fp > *fx) {
		/* Higher value: the minimum is bracketed; cubic or quadratic. */
		theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
		s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
		gamma = s * sqrt((theta / s) * (theta / s) -
				 (*dx / s) * (dp / s));
		if (*stp < *stx)
			gamma = -gamma;
		p = (gamma - *dx) + theta;
		q = ((gamma - *dx) + gamma) + dp;
		r = p / q;
		stpc = *stx + r * (*stp - *stx);
		stpq = *stx + ((*dx / ((*fx - fp) / (*stp - *stx) + *dx)) / 2.0) *
			(*stp - *stx);
		if (fabs(stpc - *stx) < fabs(stpq - *stx))
			stpf = stpc;
		else
			stpf = stpc + (stpq - stpc) / 2.0;
		*brackt = 1;
	} else if (sgnd < 0.0) {
		/* Derivatives of opposite sign: bracketed; cubic or secant. */
		theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
		s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
		gamma = s * sqrt((theta / s) * (theta / s) -
				 (*dx / s) * (dp / s));
		if (*stp > *stx)
			gamma = -gamma;
		p = (gamma - dp) + theta;
		q = ((gamma - dp) + gamma) + *dx;
		r = p / q;
		stpc = *stp + r * (*stx - *stp);
		stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
		if (fabs(stpc - *stp) > fabs(stpq - *stp))
			stpf = stpc;
		else
			stpf = stpq;
		*brackt = 1;
	} else if (fabs(dp) < fabs(*dx)) {
		/* Same sign, derivative shrinking: extrapolate with care. */
		theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
		s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
		gamma = s * sqrt(fmax(0.0, (theta / s) * (theta / s) -
				      (*dx / s) * (dp / s)));
		if (*stp > *stx)
			gamma = -gamma;
		p = (gamma - dp) + theta;
		q = (gamma + (*dx - dp)) + gamma;
		r = p / q;
		if (r < 0.0 && gamma != 0.0)
			stpc = *stp + r * (*stx - *stp);
		else if (*stp > *stx)
			stpc = stpmax;
		else
			stpc = stpmin;
		stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
		if (*brackt) {
			if (fabs(stpc - *stp) < fabs(stpq - *stp))
				stpf = stpc;
			else
				stpf = stpq;
			if (*stp > *stx)
				stpf = fmin(*stp + 0.66 * (*sty - *stp), stpf);
			else
				stpf = fmax(*stp + 0.66 * (*sty - *stp), stpf);
		} else {
			if (fabs(stpc - *stp) > fabs(stpq - *stp))
				stpf = stpc;
			else
				stpf = stpq;
			stpf = fmin(stpmax, stpf);
			stpf = fmax(stpmin, stpf);
		}
	} else {
		/* Same sign, derivative not shrinking. */
		if (*brackt) {
			theta = 3.0 * (fp - *fy) / (*sty - *stp) + *dy + dp;
			s = fmax(fabs(theta), fmax(fabs(*dy), fabs(dp)));
			gamma = s * sqrt((theta / s) * (theta / s) -
					 (*dy / s) * (dp / s));
			if (*stp > *sty)
				gamma = -gamma;
			p = (gamma - dp) + theta;
			q = ((gamma - dp) + gamma) + *dy;
			r = p / q;
			stpf = *stp + r * (*sty - *stp);
		} else if (*stp > *stx) {
			stpf = stpmax;
		} else {
			stpf = stpmin;
		}
	}

	if (fp > *fx) {
		*sty = *stp;
		*fy = fp;
		*dy = dp;
	} else {
		if (sgnd < 0.0) {
			*sty = *stx;
			*fy = *fx;
			*dy = *dx;
		}
		*stx = *stp;
		*fx = fp;
		*dx = dp;
	}
	*stp = stpf;
}

static void ls_start(struct linesearch *ls, double f, double g, double stp,
		     double stpmax)
{
	ls->ftol = 1e-3;
	ls->gtol = 0.9;
	ls->xtol = 0.1;
	ls->stpmin = 0.0;
	ls->stpmax = stpmax;
	ls->brackt = 0;
	ls->stage = 1;
	ls->finit = f;
	ls->ginit = g;
	ls->gtest = ls->ftol * g;
	ls->width = stpmax - ls->stpmin;
	ls->width1 = ls->width / 0.5;
	ls->stx = 0.0;
	ls->fx = f;
	ls->gx = g;
	ls->sty = 0.0;
	ls->fy = f;
	ls->gy = g;
	ls->stmin = 0.0;
	ls->stmax = stp + 4.0 * stp;
}

/* Given f and g at *stp, either accept it (LS_DONE) or set the next *stp. */
static enum ls_task ls_next(struct linesearch *ls, double f, double g,
			    double *stp)
{
	double ftest = ls->finit + *stp * ls->gtest;

	if (ls->stage == 1 && f <= ftest && g >= 0.0)
		ls->stage = 2;
	/* The warnings of the original end the search with the current step. */
	if (ls->brackt && (*stp <= ls->stmin || *stp >= ls->stmax))
		return LS_DONE;
	if (ls->brackt && ls->stmax - ls->stmin <= ls->xtol * ls->stmax)
		return LS_DONE;
	if (*stp == ls->stpmax && f <= ftest && g <= ls->gtest)
		return LS_DONE;
	if (*stp == ls->stpmin && (f > ftest || g >= ls->gtest))
		return LS_DONE;
	if (f <= ftest && fabs(g) <= ls->gtol * (-ls->ginit))
		return LS_DONE;

	if (ls->stage == 1 && f <= ls->fx && f > ftest) {
		/* Work on the modified function until sufficient decrease. */
		double fm = f - *stp * ls->gtest;
		double fxm = ls->fx - ls->stx * ls->gtest;
		double fym = ls->fy - ls->sty * ls->gtest;
		double gm = g - ls->gtest;
		double gxm = ls->gx - ls->gtest;
		double gym = ls->gy - ls->gtest;

		ls_step(&ls->stx, &fxm, &gxm, &ls->sty, &fym, &gym, stp, fm,
			gm, &ls->brackt, ls->stmin, ls->stmax);
		ls->fx = fxm + ls->stx * ls->gtest;
		ls->fy = fym + ls->sty * ls->gtest;
		ls->gx = gxm + ls->gtest;
		ls->gy = gym + ls->gtest;
	} else {
		ls_step(&ls->stx, &ls->fx, &ls->gx, &ls->sty, &ls->fy, &ls->gy,
			stp, f, g, &ls->brackt, ls->stmin, ls->stmax);
	}

	/* Force a sufficient shrink of the bracket, else bisect. */
	if (ls->brackt) {
		if (fabs(ls->sty - ls->stx) >= 0.66 * ls->width1)
			*stp = ls->stx + 0.5 * (ls->sty - ls->stx);
		ls->width1 = ls->width;
		ls->width = fabs(ls->sty - ls->stx);
		ls->stmin = fmin(ls->stx, ls->sty);
		ls->stmax = fmax(ls->stx, ls->sty);
	} else {
		ls->stmin = *stp + 1.1 * (*stp - ls->stx);
		ls->stmax = *stp + 4.0 * (*stp - ls->stx);
	}
	*stp = fmax(*stp, ls->stpmin);
	*stp = fmin(*stp, ls->stpmax);
	if ((ls->brackt && (*stp <= ls->stmin || *stp >= ls->stmax)) ||
	    (ls->brackt && ls->stmax - ls->stmin <= ls->xtol * ls->stmax))
		*stp = ls->stx;
	return LS_EVAL;
}

/*
 * A non-finite trial value (overflow far along the direction): pull the
 * step back towards the best point so far and mark the interval bracketed.
 */
static void ls_shrink(struct linesearch *ls, double *stp)
{
	ls->brackt = 1;
	ls->sty = *stp;
	ls->fy = HUGE_VAL;
	ls->gy = HUGE_VAL;
	ls->stmin = fmin(ls->stx, *stp);
	ls->stmax = fmax(ls->stx, *stp);
	*stp = ls->stx + 0.5 * (*stp - ls->stx);
}

static double max_abs(const double *v, size_t n)
{
	double m = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		if (fabs(v[i]) > m || isnan(v[i]))
			m = isnan(v[i]) ? v[i] : fabs(v[i]);
	return m;
}

/* The memory of corrections: a ring of m pairs (s, y). */
struct lbfgs_mem {
	double *s, *y, *rho, *alpha;
	int m, col, head;	/* head: oldest pair */
	double h0;		/* s'y / y'y of the newest pair */
};

/* d = -H g by the two-loop recursion; d = -g with an empty memory. */
static void lbfgs_direction(struct lbfgs_mem *mem, const double *g, double *d,
			    size_t n)
{
	int i, k;

	for (size_t j = 0; j < n; j++)
		d[j] = -g[j];
	if (!mem->col)
		return;
	for (i = mem->col - 1; i >= 0; i--) {
		k = (mem->head + i) % mem->m;
		mem->alpha[k] = mem->rho[k] *
			cblas_ddot((int)n, mem->s + (size_t)k * n, 1, d, 1);
		cblas_daxpy((int)n, -mem->alpha[k], mem->y + (size_t)k * n, 1,
			    d, 1);
	}
	cblas_dscal((int)n, mem->h0, d, 1);
	for (i = 0; i < mem->col; i++) {
		double beta;

		k = (mem->head + i) % mem->m;
		beta = mem->rho[k] *
			cblas_ddot((int)n, mem->y + (size_t)k * n, 1, d, 1);
		cblas_daxpy((int)n, mem->alpha[k] - beta,
			    mem->s + (size_t)k * n, 1, d, 1);
	}
}

int mlci_lbfgs(mlci_optim_fn *fn, void *ctx, double *x, size_t n,
	       const struct mlci_lbfgs_params *params,
	       struct mlci_optim_report *report)
{
	struct lbfgs_mem mem = { 0 };
	double *g, *d, *xold, *gold, f, fold;
	int ret, iter = 0, nfev = 0;

	mlci_optim_report_release(report);
	if (!n || n > INT32_MAX || params->m < 1 || params->max_iter < 1 ||
	    params->max_linesearch < 1 || params->max_eval < 1 ||
	    !(params->gtol >= 0) || !(params->ftol >= 0))
		return mlci_error(MLCI_EXIT_BUG, "lbfgs: bad parameters");

	g = xmalloc(n * sizeof(*g));
	d = xmalloc(n * sizeof(*d));
	xold = xmalloc(n * sizeof(*xold));
	gold = xmalloc(n * sizeof(*gold));
	mem.m = params->m;
	mem.s = xmalloc((size_t)mem.m * n * sizeof(double));
	mem.y = xmalloc((size_t)mem.m * n * sizeof(double));
	mem.rho = xmalloc((size_t)mem.m * sizeof(double));
	mem.alpha = xmalloc((size_t)mem.m * sizeof(double));

	ret = fn(ctx, x, n, &f, g);
	nfev++;
	if (ret < 0)
		goto out;
	if (!isfinite(f) || !mlci_all_finite(g, n)) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "lbfgs: objective or gradient not finite at the start");
		goto out;
	}
	push_history(report, f);
	report->grad_norm = max_abs(g, n);
	if (report->grad_norm <= params->gtol) {
		report->converged = 1;
		report->stop = MLCI_OPTIM_GTOL;
		goto done;
	}

	for (;;) {
		struct linesearch ls;
		double gd, gdold, dnorm, stp, dr, rr, ddum;
		int nls = 0, accepted = 0;

		lbfgs_direction(&mem, g, d, n);
		gdold = cblas_ddot((int)n, g, 1, d, 1);
		dnorm = cblas_dnrm2((int)n, d, 1);
		memcpy(xold, x, n * sizeof(*x));
		memcpy(gold, g, n * sizeof(*g));
		fold = f;
		if (gdold < 0.0) {
			stp = iter == 0 && !mem.col ? fmin(1.0 / dnorm, BIG) : 1.0;
			ls_start(&ls, fold, gdold, stp, BIG);
			for (;;) {
				if (stp == 1.0) {
					for (size_t j = 0; j < n; j++)
						x[j] = xold[j] + d[j];
				} else {
					for (size_t j = 0; j < n; j++)
						x[j] = stp * d[j] + xold[j];
				}
				ret = fn(ctx, x, n, &f, g);
				nfev++;
				nls++;
				if (ret < 0)
					goto out;
				if (!isfinite(f) || !mlci_all_finite(g, n)) {
					if (nls >= params->max_linesearch)
						break;
					ls_shrink(&ls, &stp);
					continue;
				}
				gd = cblas_ddot((int)n, g, 1, d, 1);
				if (ls_next(&ls, f, gd, &stp) == LS_DONE) {
					accepted = 1;
					break;
				}
				if (nls >= params->max_linesearch)
					break;
			}
		}
		if (!accepted) {
			/* Back to the last point; forget the memory, or give up. */
			memcpy(x, xold, n * sizeof(*x));
			memcpy(g, gold, n * sizeof(*g));
			f = fold;
			if (!mem.col) {
				report->stop = MLCI_OPTIM_LINESEARCH;
				break;
			}
			mem.col = 0;
			mem.head = 0;
			if (nfev > params->max_eval) {
				report->stop = MLCI_OPTIM_MAX_EVAL;
				break;
			}
			continue;
		}

		iter++;
		push_history(report, f);
		report->grad_norm = max_abs(g, n);
		if (iter >= params->max_iter) {
			report->stop = MLCI_OPTIM_MAX_ITER;
			break;
		}
		if (nfev > params->max_eval) {
			report->stop = MLCI_OPTIM_MAX_EVAL;
			break;
		}
		if (report->grad_norm <= params->gtol) {
			report->converged = 1;
			report->stop = MLCI_OPTIM_GTOL;
			break;
		}
		if (fold - f <= params->ftol * fmax(fmax(fabs(fold), fabs(f)), 1.0)) {
			report->converged = 1;
			report->stop = MLCI_OPTIM_FTOL;
			break;
		}

		/* The update, skipped when the curvature s'y is not positive enough. */
		gd = cblas_ddot((int)n, g, 1, d, 1);
		if (stp == 1.0) {
			dr = gd - gdold;
			ddum = -gdold;
		} else {
			dr = (gd - gdold) * stp;
			ddum = -gdold * stp;
		}
		/* s and y go to xold and gold first: a skipped pair must not evict one. */
		for (size_t j = 0; j < n; j++) {
			xold[j] = x[j] - xold[j];
			gold[j] = g[j] - gold[j];
		}
		rr = cblas_ddot((int)n, gold, 1, gold, 1);
		if (dr <= DBL_EPSILON * ddum || !(rr > 0.0))
			continue;
		{
			int k = mem.col < mem.m ? (mem.head + mem.col) % mem.m : mem.head;
			double sy = cblas_ddot((int)n, xold, 1, gold, 1);

			if (!(sy > 0.0))
				continue;
			memcpy(mem.s + (size_t)k * n, xold, n * sizeof(double));
			memcpy(mem.y + (size_t)k * n, gold, n * sizeof(double));
			mem.rho[k] = 1.0 / sy;
			mem.h0 = dr / rr;
			if (mem.col < mem.m)
				mem.col++;
			else
				mem.head = (mem.head + 1) % mem.m;
		}
	}
done:
	ret = 0;
	report->iterations = iter;
	report->f = f;
	report->evaluations = nfev;
out:
	free(g);
	free(d);
	free(xold);
	free(gold);
	free(mem.s);
	free(mem.y);
	free(mem.rho);
	free(mem.alpha);
	return ret;
}
