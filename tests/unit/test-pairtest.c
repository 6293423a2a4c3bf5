/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/pairtest.c, checked live against statsmodels, numpy, scipy and scikit-learn. */
#include "metrics.h"
#include "pairtest.h"
#include "random.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The live comparison: every case is written to a temporary directory;
 * /usr/bin/python3 tests/tools/pairtest-reference.py prints statsmodels'
 * mcnemar, a numpy DeLong through midranks, sklearn's roc_auc_score and
 * numpy's percentile, which must agree to 1e-9 relative (McNemar, DeLong;
 * 1e-300 absolute for p-values that underflow) or 1e-12 (the AUCs against
 * sklearn, the bootstrap intervals against numpy). Without python3,
 * statsmodels or sklearn the comparison fails: a missing oracle must never
 * pass.
 */
#define PYTHON "/usr/bin/python3"
#define PY_SCRIPT "tests/tools/pairtest-reference.py"
#define REL_REF 1e-9
#define TOL_EXACT 1e-12

enum kind { MCNEMAR, DELONG, PERCENTILE, BOOTACC };
static const char *const kind_name[] = {
	"mcnemar", "delong", "percentile", "bootacc"
};

#define MAXV 12

struct tcase {
	char name[96];
	enum kind kind;
	char args[96];
	double v[MAXV];	/* what the library gave, in the script's order */
	size_t nv;
	int answered;
};

static struct tcase cases[64];
static size_t ncases;

static struct tcase *add_case(enum kind kind, const char *name,
			      const char *args)
{
	struct tcase *c;

	if (ncases >= sizeof(cases) / sizeof(cases[0]))
		abort();
	c = &cases[ncases++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if ((size_t)snprintf(c->name, sizeof(c->name), "%s", name) >=
	    sizeof(c->name) ||
	    (size_t)snprintf(c->args, sizeof(c->args), "%s", args) >=
	    sizeof(c->args))
		abort();
	return c;
}

static char tmpdir[] = "/tmp/mlci-pairtest-XXXXXX";

static void write_raw(size_t id, const char *ext, const void *p, size_t size,
		      size_t n)
{
	char *path = xstrfmt("%s/%zu.%s", tmpdir, id, ext);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, size, n, f) != n || fclose(f))
		CHECK(0, "write a case file");
	free(path);
}

/* |got - want| <= rel |want| + abs_floor. */
static int close_to(double got, double want, double rel, double abs_floor)
{
	if (isnan(got) || isnan(want))
		return isnan(got) && isnan(want);
	if (isinf(got) || isinf(want))
		return got == want;
	return fabs(got - want) <= rel * fabs(want) + abs_floor;
}

static void check_close(const struct tcase *c, const char *what, double got,
			double want, double rel, double abs_floor)
{
	char name[200];

	snprintf(name, sizeof(name), "%.100s: %.80s", c->name, what);
	if (!CHECK(close_to(got, want, rel, abs_floor), name))
		printf("#   got  %.17g\n#   want %.17g\n", got, want);
}

/* ---- McNemar ---- */

static struct mlci_pairtest_table *table_set(struct mlci_pairtest_table *t,
					     uint64_t a, uint64_t b,
					     uint64_t c, uint64_t d)
{
	t->both = a;
	t->cand_only = b;
	t->base_only = c;
	t->neither = d;
	return t;
}

static void test_table(void)
{
	unsigned char cand[] = { 1, 1, 0, 0, 1, 0, 1 };
	unsigned char base[] = { 1, 0, 1, 0, 0, 1, 1 };
	int y[] = { 0, 1, 2, 1, 0 }, pc[] = { 0, 1, 1, 0, 0 },
	    pb[] = { 1, 1, 2, 2, 0 };
	struct mlci_pairtest_table t;

	mlci_pairtest_table(cand, base, 7, &t);
	CHECK(t.both == 2 && t.cand_only == 2 && t.base_only == 2 && t.neither == 1,
	      "table from correctness vectors");
	mlci_pairtest_table_labels(y, pc, pb, 5, &t);
	CHECK(t.both == 2 && t.cand_only == 1 && t.base_only == 1 && t.neither == 1,
	      "table from labels");
}

static void test_mcnemar_hand(void)
{
	struct mlci_pairtest_mcnemar r;
	struct mlci_pairtest_table t;
	int old;

	table_set(&t, 10, 0, 0, 5);
	CHECK(!mlci_pairtest_mcnemar(&t, MLCI_PAIRTEST_CHI2, 0.05, &r) &&
	      r.statistic == 0 && r.p_value == 1 && !r.exact,
	      "mcnemar: no discordant pair, chi2: p = 1");
	CHECK(!mlci_pairtest_mcnemar(&t, MLCI_PAIRTEST_AUTO, 0.05, &r) &&
	      r.exact && r.p_value == 1 && r.diff == 0 && r.lower == 0 &&
	      r.upper == 0, "mcnemar: no discordant pair, auto: exact, p = 1");
	table_set(&t, 0, 0, 5, 0);
	CHECK(!mlci_pairtest_mcnemar(&t, MLCI_PAIRTEST_AUTO, 0.05, &r) &&
	      r.exact && r.statistic == 0 && r.p_value == 0.0625,
	      "mcnemar: 0 vs 5: p = 2 / 32");
	CHECK(r.diff == -1 && r.lower == -1 && r.upper == -1,
	      "mcnemar: all rows baseline-only: diff -1");
	table_set(&t, 0, 12, 12, 0);
	CHECK(!mlci_pairtest_mcnemar(&t, MLCI_PAIRTEST_AUTO, 0.05, &r) &&
	      r.exact, "mcnemar: 24 discordant pairs: exact");
	table_set(&t, 0, 12, 13, 0);
	CHECK(!mlci_pairtest_mcnemar(&t, MLCI_PAIRTEST_AUTO, 0.05, &r) &&
	      !r.exact && r.statistic == 0, "mcnemar: 25 discordant pairs: chi2");
	/* diff 0.1, discordant share 0.3: se = sqrt((0.3 - 0.01) / 100). */
	table_set(&t, 30, 20, 10, 40);
	CHECK(!mlci_pairtest_mcnemar(&t, MLCI_PAIRTEST_AUTO, 0.05, &r) &&
	      r.n == 100 && r.b == 20 && r.c == 10, "mcnemar: counts");
	CHECK_NEAR(r.diff, 0.1, 1e-15, "mcnemar: accuracy difference");
	CHECK_NEAR(r.upper - r.diff, 1.959963984540054 * sqrt(0.0029), 1e-12,
		   "mcnemar: Wald half-width");
	CHECK_NEAR(r.diff - r.lower, r.upper - r.diff, 1e-15,
		   "mcnemar: interval symmetric");

	old = mlci_set_quiet(1);
	CHECK(mlci_pairtest_mcnemar(&t, (enum mlci_pairtest_method)7, 0.05, &r) ==
	      -MLCI_EXIT_INPUT, "mcnemar: bad method");
	CHECK(mlci_pairtest_mcnemar(&t, MLCI_PAIRTEST_AUTO, 1, &r) ==
	      -MLCI_EXIT_INPUT, "mcnemar: bad alpha");
	mlci_set_quiet(old);
}

static const struct {
	uint64_t a, b, c, d;
	enum mlci_pairtest_method method;
} mcnemar_cases[] = {
	{ 5, 0, 1, 5, MLCI_PAIRTEST_AUTO },
	{ 5, 1, 0, 5, MLCI_PAIRTEST_AUTO },
	{ 50, 3, 5, 40, MLCI_PAIRTEST_AUTO },
	{ 50, 7, 7, 40, MLCI_PAIRTEST_AUTO },
	{ 50, 10, 14, 40, MLCI_PAIRTEST_AUTO },
	{ 50, 2, 21, 40, MLCI_PAIRTEST_AUTO },
	{ 50, 12, 13, 40, MLCI_PAIRTEST_AUTO },
	{ 50, 12, 13, 40, MLCI_PAIRTEST_EXACT },
	{ 500, 100, 80, 400, MLCI_PAIRTEST_AUTO },
	{ 500, 100, 80, 400, MLCI_PAIRTEST_EXACT },
	{ 500, 90, 90, 400, MLCI_PAIRTEST_AUTO },
	{ 0, 0, 30, 0, MLCI_PAIRTEST_AUTO },
	{ 0, 0, 30, 0, MLCI_PAIRTEST_EXACT },
	{ 0, 0, 1000, 0, MLCI_PAIRTEST_EXACT },
	{ 0, 3, 1000, 0, MLCI_PAIRTEST_AUTO },
	{ 90000, 1000, 1200, 8000, MLCI_PAIRTEST_AUTO },
	{ 90000, 1000, 1200, 8000, MLCI_PAIRTEST_EXACT },
	{ 0, 400000, 401000, 0, MLCI_PAIRTEST_EXACT },
	{ 0, 400000, 403000, 0, MLCI_PAIRTEST_EXACT },
	{ 0, 1000000, 1010000, 0, MLCI_PAIRTEST_AUTO },
	{ 0, 1000000000, 1000100000, 0, MLCI_PAIRTEST_AUTO },
	{ 3, 1, 0, 5, MLCI_PAIRTEST_CHI2 },
	{ 3, 40, 2, 5, MLCI_PAIRTEST_CHI2 },
};

static void add_mcnemar_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(mcnemar_cases) / sizeof(mcnemar_cases[0]); i++) {
		struct mlci_pairtest_mcnemar r;
		struct tcase *c;
		struct mlci_pairtest_table t;
		char name[96], args[96];

		table_set(&t, mcnemar_cases[i].a, mcnemar_cases[i].b,
			  mcnemar_cases[i].c, mcnemar_cases[i].d);
		if (mlci_pairtest_mcnemar(&t, mcnemar_cases[i].method, 0.05, &r)) {
			CHECK(0, "mcnemar case runs");
			continue;
		}
		snprintf(name, sizeof(name), "mcnemar b=%llu c=%llu %s",
			 (unsigned long long)t.cand_only,
			 (unsigned long long)t.base_only, r.exact ? "exact" : "chi2");
		snprintf(args, sizeof(args), "%llu %llu %llu %llu %d",
			 (unsigned long long)t.both,
			 (unsigned long long)t.cand_only,
			 (unsigned long long)t.base_only,
			 (unsigned long long)t.neither, r.exact);
		c = add_case(MCNEMAR, name, args);
		c->v[0] = r.statistic;
		c->v[1] = r.p_value;
		c->nv = 2;
	}
}

/* ---- DeLong ---- */

struct scores {
	size_t n, stride;
	int *y;
	double *s1, *s2;	/* n * stride each */
};

static void scores_alloc(struct scores *s, size_t n, size_t stride)
{
	s->n = n;
	s->stride = stride;
	s->y = xcalloc(n, sizeof(*s->y));
	s->s1 = xcalloc(n * stride, sizeof(*s->s1));
	s->s2 = xcalloc(n * stride, sizeof(*s->s2));
}

static void scores_free(struct scores *s)
{
	free(s->y);
	free(s->s1);
	free(s->s2);
}

/*
 * Random binary data: y = 1 with probability prev, two correlated noisy
 * scores of it, rounded to `round` steps when round > 0 (ties).
 */
static void scores_random(struct scores *s, size_t n, uint64_t seed,
			  double prev, double round, double sep2)
{
	struct mlci_rng rng;
	size_t r;

	scores_alloc(s, n, 1);
	mlci_rng_seed(&rng, seed);
	for (r = 0; r < n; r++) {
		double u = mlci_rng_uniform(&rng), common = mlci_rng_uniform(&rng);
		double a = mlci_rng_uniform(&rng), b = mlci_rng_uniform(&rng);

		s->y[r] = u < prev;
		s->s1[r] = 0.8 * s->y[r] + common + 0.7 * a;
		s->s2[r] = sep2 * s->y[r] + common + 0.7 * b;
		if (round > 0) {
			s->s1[r] = floor(s->s1[r] * round) / round;
			s->s2[r] = floor(s->s2[r] * round) / round;
		}
	}
}

static void add_delong_case(const char *name, const struct scores *s,
			    int positive, size_t col, double alpha)
{
	struct mlci_pairtest_delong d;
	struct mlci_metric m1, m2;
	struct tcase *c;
	char args[96];
	double *v1, *v2;
	size_t r;

	if (mlci_pairtest_delong(s->y, positive, s->s1 + col, s->s2 + col,
				 s->stride, s->n, alpha, &d)) {
		CHECK(0, name);
		return;
	}
	if (mlci_metrics_roc_auc_binary(s->y, positive, s->s1 + col, s->stride,
					s->n, NULL, &m1) ||
	    mlci_metrics_roc_auc_binary(s->y, positive, s->s2 + col, s->stride,
					s->n, NULL, &m2))
		CHECK(0, "metrics' roc_auc runs");
	snprintf(args, sizeof(args), "%s: auc of the candidate = metrics' roc_auc",
		 name);
	CHECK(close_to(d.auc_cand, m1.value, TOL_EXACT, 0), args);
	snprintf(args, sizeof(args), "%s: auc of the baseline = metrics' roc_auc",
		 name);
	CHECK(close_to(d.auc_base, m2.value, TOL_EXACT, 0), args);

	snprintf(args, sizeof(args), "%d %.17g", positive, alpha);
	c = add_case(DELONG, name, args);
	c->v[0] = d.auc_cand;
	c->v[1] = d.auc_base;
	c->v[2] = d.var_cand;
	c->v[3] = d.var_base;
	c->v[4] = d.cov;
	c->v[5] = d.var_diff;
	c->v[6] = d.z;
	c->v[7] = d.p_value;
	c->v[8] = d.lower;
	c->v[9] = d.upper;
	c->v[10] = d.auc_cand;
	c->v[11] = d.auc_base;
	c->nv = 12;

	/* The script reads plain vectors of the column. */
	v1 = xmalloc(s->n * sizeof(*v1));
	v2 = xmalloc(s->n * sizeof(*v2));
	for (r = 0; r < s->n; r++) {
		v1[r] = s->s1[r * s->stride + col];
		v2[r] = s->s2[r * s->stride + col];
	}
	write_raw(c - cases, "y", s->y, sizeof(int), s->n);
	write_raw(c - cases, "s1", v1, sizeof(double), s->n);
	write_raw(c - cases, "s2", v2, sizeof(double), s->n);
	free(v1);
	free(v2);
}

static void test_delong(void)
{
	static const int y[] = { 1, 1, 1, 0, 0, 0, 1, 0 };
	static const double s1[] = { 0.9, 0.8, 0.0, -0.0, 0.2, 0.8, 0.7, 0.1 };
	static const double s2[] = { 0.6, 0.6, 0.6, 0.6, 0.1, 0.3, 0.2, 0.6 };
	struct mlci_pairtest_delong d;
	struct scores s = { 8, 1, (int *)y, (double *)s1, (double *)s2 };
	struct mlci_rng rng;
	size_t r;
	int old;

	/* Positives 0.9 0.8 0.0 0.7, negatives -0.0 0.2 0.8 0.1: 11 / 16. */
	CHECK(!mlci_pairtest_delong(y, 1, s1, s2, 1, 8, 0.05, &d) &&
	      d.n_pos == 4 && d.n_neg == 4, "delong: small case runs");
	CHECK(d.auc_cand == 11.0 / 16, "delong: ties count half, -0 == +0");
	add_delong_case("delong small, ties", &s, 1, 0, 0.05);

	CHECK(!mlci_pairtest_delong(y, 1, s1, s1, 1, 8, 0.05, &d) &&
	      d.diff == 0 && d.var_diff == 0 && d.z == 0 && d.p_value == 1 &&
	      d.lower == 0 && d.upper == 0,
	      "delong: the same scores twice: var 0, p = 1");

	old = mlci_set_quiet(1);
	CHECK(mlci_pairtest_delong(y, 1, s1, s2, 1, 3, 0.05, &d) ==
	      -MLCI_EXIT_INPUT, "delong: one negative row is refused");
	CHECK(mlci_pairtest_delong(y, 7, s1, s2, 1, 8, 0.05, &d) ==
	      -MLCI_EXIT_INPUT, "delong: no positive row is refused");
	s.s2 = xmalloc(8 * sizeof(double));
	memcpy(s.s2, s2, sizeof(s2));
	s.s2[5] = NAN;
	CHECK(mlci_pairtest_delong(y, 1, s1, s.s2, 1, 8, 0.05, &d) ==
	      -MLCI_EXIT_INPUT, "delong: a NaN score is refused");
	CHECK(mlci_pairtest_delong(y, 1, s1, s2, 0, 8, 0.05, &d) ==
	      -MLCI_EXIT_INPUT, "delong: stride 0 is refused");
	free(s.s2);
	mlci_set_quiet(old);

	scores_random(&s, 60, 1, 0.5, 0, 0.6);
	add_delong_case("delong 60 rows", &s, 1, 0, 0.05);
	scores_free(&s);
	scores_random(&s, 5000, 2, 0.3, 10, 0.5);
	add_delong_case("delong 5000 rows, heavy ties", &s, 1, 0, 0.1);
	scores_free(&s);
	scores_random(&s, 3000, 3, 0.002, 0, 0.8);
	add_delong_case("delong 3000 rows, few positives", &s, 1, 0, 0.05);
	scores_free(&s);
	scores_random(&s, 20000, 4, 0.5, 0, 2.5);
	add_delong_case("delong 20000 rows, far apart", &s, 1, 0, 0.01);
	scores_free(&s);
	scores_random(&s, 200000, 5, 0.4, 1000, 0.75);
	add_delong_case("delong 200000 rows, ties", &s, 1, 0, 0.05);
	scores_free(&s);
	scores_random(&s, 200000, 7, 0.5, 0, 0.8);
	add_delong_case("delong 200000 rows, close models", &s, 1, 0, 0.05);
	scores_free(&s);

	/* Class 2 of a three-class probability matrix: stride 3. */
	scores_alloc(&s, 4000, 3);
	mlci_rng_seed(&rng, 6);
	for (r = 0; r < s.n; r++) {
		double w1[3], w2[3], t1 = 0, t2 = 0;
		int k;

		s.y[r] = (int)mlci_rng_below(&rng, 3);
		for (k = 0; k < 3; k++) {
			w1[k] = mlci_rng_uniform(&rng) + (k == s.y[r]) * 0.5;
			w2[k] = mlci_rng_uniform(&rng) + (k == s.y[r]) * 0.4;
			t1 += w1[k];
			t2 += w2[k];
		}
		for (k = 0; k < 3; k++) {
			s.s1[r * 3 + k] = w1[k] / t1;
			s.s2[r * 3 + k] = w2[k] / t2;
		}
	}
	add_delong_case("delong class 2 of 3, stride 3", &s, 2, 2, 0.05);
	scores_free(&s);
}

/* ---- bootstrap ---- */

struct acc_ctx {
	struct mlci_metrics_clf cand, base;
	int64_t *record;	/* when set, every resample's indices */
	size_t nrecord;
	int fail_at;		/* call number to fail at, 0 never */
	int nan_every;		/* a NaN difference every this many, 0 never */
	int calls;
};

static int acc_metric(void *vctx, const struct mlci_metrics_rows *rows,
		      double *cand, double *base)
{
	struct acc_ctx *ctx = vctx;
	struct mlci_metric m;
	size_t j;
	int ret;

	ctx->calls++;
	if (ctx->fail_at && ctx->calls == ctx->fail_at)
		return -MLCI_EXIT_BUG;
	if (ctx->calls > 1 && ctx->record) {
		for (j = 0; j < rows->nidx; j++)
			ctx->record[ctx->nrecord++] = (int64_t)rows->idx[j];
	}
	if ((ret = mlci_metrics_accuracy(&ctx->cand, rows, &m)))
		return ret;
	*cand = m.value;
	if ((ret = mlci_metrics_accuracy(&ctx->base, rows, &m)))
		return ret;
	*base = m.value;
	if (ctx->nan_every && !(ctx->calls % ctx->nan_every))
		*cand = NAN;
	return 0;
}

static void acc_data(struct acc_ctx *ctx, size_t n, uint64_t seed, int **y,
		     int **p1, int **p2)
{
	struct mlci_rng rng;
	size_t r;

	memset(ctx, 0, sizeof(*ctx));
	*y = xmalloc(n * sizeof(int));
	*p1 = xmalloc(n * sizeof(int));
	*p2 = xmalloc(n * sizeof(int));
	mlci_rng_seed(&rng, seed);
	for (r = 0; r < n; r++) {
		(*y)[r] = (int)mlci_rng_below(&rng, 2);
		(*p1)[r] = mlci_rng_uniform(&rng) < 0.83 ? (*y)[r] : !(*y)[r];
		(*p2)[r] = mlci_rng_uniform(&rng) < 0.80 ? (*y)[r] : !(*y)[r];
	}
	ctx->cand.n = ctx->base.n = n;
	ctx->cand.k = ctx->base.k = 2;
	ctx->cand.y_true = ctx->base.y_true = *y;
	ctx->cand.y_pred = *p1;
	ctx->base.y_pred = *p2;
}

static void test_percentile(void)
{
	double v[] = { 4, 1, 3, 2 }, w[] = { 5 };

	CHECK(mlci_pairtest_percentile(v, 4, 0.5) == 2.5, "percentile: median");
	CHECK(mlci_pairtest_percentile(v, 4, 0) == 1, "percentile: q = 0");
	CHECK(mlci_pairtest_percentile(v, 4, 1) == 4, "percentile: q = 1");
	CHECK_NEAR(mlci_pairtest_percentile(v, 4, 0.1), 1.3, 1e-15,
		   "percentile: interpolated");
	CHECK(mlci_pairtest_percentile(w, 1, 0.3) == 5, "percentile: one value");
	CHECK(isnan(mlci_pairtest_percentile(w, 0, 0.3)),
	      "percentile: no value is NaN");
}

static void test_bootstrap(void)
{
	struct mlci_pairtest_boot_opts opts;
	struct mlci_pairtest_boot r1, r2;
	struct acc_ctx ctx;
	struct tcase *c;
	int *y, *p1, *p2, old;
	char args[96];
	size_t n = 500, nb = 300;

	acc_data(&ctx, n, 11, &y, &p1, &p2);
	mlci_pairtest_boot_init(&r1);
	mlci_pairtest_boot_init(&r2);
	mlci_pairtest_boot_opts_init(&opts);
	CHECK(opts.resamples == 2000 && opts.alpha == 0.05 && !opts.keep,
	      "bootstrap: defaults 2000 resamples, 95%");
	opts.seed = 42;
	opts.keep = 1;
	CHECK(!mlci_pairtest_bootstrap(n, acc_metric, &ctx, &opts, &r1) &&
	      r1.resamples == 2000 && r1.ndiffs == 2000 && !r1.undefined,
	      "bootstrap: 2000 resamples run");
	CHECK(r1.lower <= r1.diff && r1.diff <= r1.upper && r1.lower < r1.upper,
	      "bootstrap: the interval holds the estimate");
	CHECK(!mlci_pairtest_bootstrap(n, acc_metric, &ctx, &opts, &r2) &&
	      r2.lower == r1.lower && r2.upper == r1.upper &&
	      !memcmp(r1.diffs, r2.diffs, r1.ndiffs * sizeof(double)),
	      "bootstrap: same seed, same resamples and interval");
	c = add_case(PERCENTILE, "bootstrap interval = numpy's percentile",
		     "0.05");
	c->v[0] = r1.lower;
	c->v[1] = r1.upper;
	c->nv = 2;
	write_raw(c - cases, "d", r1.diffs, sizeof(double), r1.ndiffs);

	opts.seed = 43;
	CHECK(!mlci_pairtest_bootstrap(n, acc_metric, &ctx, &opts, &r2) &&
	      memcmp(r1.diffs, r2.diffs, r1.ndiffs * sizeof(double)),
	      "bootstrap: another seed, other resamples");

	/* The whole bootstrap again in Python on our index draws. */
	opts.resamples = nb;
	opts.alpha = 0.1;
	ctx.record = xmalloc(nb * n * sizeof(*ctx.record));
	ctx.calls = 0;
	CHECK(!mlci_pairtest_bootstrap(n, acc_metric, &ctx, &opts, &r2) &&
	      ctx.nrecord == nb * n, "bootstrap: draws recorded");
	snprintf(args, sizeof(args), "%zu %zu 0.1", nb, n);
	c = add_case(BOOTACC, "bootstrap of accuracy = sklearn on the same draws",
		     args);
	c->v[0] = r2.diff;
	c->v[1] = r2.lower;
	c->v[2] = r2.upper;
	c->nv = 3;
	write_raw(c - cases, "y", y, sizeof(int), n);
	write_raw(c - cases, "p1", p1, sizeof(int), n);
	write_raw(c - cases, "p2", p2, sizeof(int), n);
	write_raw(c - cases, "idx", ctx.record, sizeof(int64_t), nb * n);
	free(ctx.record);
	ctx.record = NULL;

	ctx.nan_every = 10;
	ctx.calls = 0;
	opts.resamples = 100;
	CHECK(!mlci_pairtest_bootstrap(n, acc_metric, &ctx, &opts, &r2) &&
	      r2.resamples == 100 && r2.undefined == 10 && r2.ndiffs == 90 &&
	      !isnan(r2.lower), "bootstrap: NaN differences are left out");
	ctx.nan_every = 0;

	ctx.calls = 0;
	ctx.fail_at = 7;
	CHECK(mlci_pairtest_bootstrap(n, acc_metric, &ctx, &opts, &r2) ==
	      -MLCI_EXIT_BUG && !r2.diffs && isnan(r2.lower) && r2.n == n,
	      "bootstrap: the metric's error stops it, result empty");
	ctx.fail_at = 0;

	old = mlci_set_quiet(1);
	CHECK(mlci_pairtest_bootstrap(0, acc_metric, &ctx, &opts, &r2) ==
	      -MLCI_EXIT_INPUT, "bootstrap: no rows is refused");
	opts.resamples = 0;
	CHECK(mlci_pairtest_bootstrap(n, acc_metric, &ctx, &opts, &r2) ==
	      -MLCI_EXIT_INPUT, "bootstrap: no resamples is refused");
	mlci_set_quiet(old);

	mlci_pairtest_boot_release(&r1);
	mlci_pairtest_boot_release(&r2);
	free(y);
	free(p1);
	free(p2);
}

static int count_metric(void *vctx, const struct mlci_metrics_rows *rows,
			double *cand, double *base)
{
	uint64_t *count = vctx;
	size_t j;

	for (j = 0; j < rows->nidx; j++)
		count[rows->idx[j]]++;
	*cand = *base = 0;
	return 0;
}

static void test_bootstrap_draws(void)
{
	struct mlci_pairtest_boot_opts opts;
	struct mlci_pairtest_boot r1, r2;
	struct mlci_pairtest_correct cor;
	struct acc_ctx ctx;
	uint64_t count[3] = { 0, 0, 0 };
	unsigned char *ok1, *ok2;
	int *y, *p1, *p2;
	size_t n = 1000, i;

	/* 3 rows, 20000 resamples: 60000 draws, 20000 +- 400 (3.5 sd) each. */
	mlci_pairtest_boot_init(&r1);
	mlci_pairtest_boot_init(&r2);
	mlci_pairtest_boot_opts_init(&opts);
	opts.resamples = 20000;
	CHECK(!mlci_pairtest_bootstrap(3, count_metric, count, &opts, &r1),
	      "bootstrap draws: runs");
	for (i = 0; i < 3; i++)
		count[i]--;	/* the point estimate's call */
	CHECK(count[0] + count[1] + count[2] == 60000 &&
	      llabs((long long)count[0] - 20000) < 400 &&
	      llabs((long long)count[1] - 20000) < 400 &&
	      llabs((long long)count[2] - 20000) < 400,
	      "bootstrap draws: uniform over the rows");

	acc_data(&ctx, n, 12, &y, &p1, &p2);
	ok1 = xmalloc(n);
	ok2 = xmalloc(n);
	for (i = 0; i < n; i++) {
		ok1[i] = p1[i] == y[i];
		ok2[i] = p2[i] == y[i];
	}
	cor.cand_ok = ok1;
	cor.base_ok = ok2;
	opts.resamples = 500;
	opts.seed = 9;
	opts.keep = 1;
	CHECK(!mlci_pairtest_bootstrap(n, acc_metric, &ctx, &opts, &r1) &&
	      !mlci_pairtest_bootstrap(n, mlci_pairtest_accuracy_fn, &cor,
				       &opts, &r2), "accuracy callback runs");
	CHECK(r1.diff == r2.diff && r1.lower == r2.lower &&
	      r1.upper == r2.upper && r1.ndiffs == r2.ndiffs &&
	      !memcmp(r1.diffs, r2.diffs, r1.ndiffs * sizeof(double)),
	      "accuracy callback = metrics' accuracy, resample for resample");
	mlci_pairtest_boot_release(&r1);
	mlci_pairtest_boot_release(&r2);
	free(ok1);
	free(ok2);
	free(y);
	free(p1);
	free(p2);
}

/* ---- rules and sizes ---- */

static void test_verdict(void)
{
	CHECK(mlci_pairtest_verdict(MLCI_PAIRTEST_NOT_WORSE, -0.02, -0.04, 0,
				    0.01, 0.05, 0) == 0,
	      "verdict: significantly worse fails");
	CHECK(mlci_pairtest_verdict(MLCI_PAIRTEST_NOT_WORSE, -0.02, -0.04, 0,
				    0.2, 0.05, 0) == 1,
	      "verdict: worse, not significantly, passes");
	CHECK(mlci_pairtest_verdict(MLCI_PAIRTEST_NOT_WORSE, 0.02, 0.01, 0.03,
				    0.001, 0.05, 0) == 1,
	      "verdict: significantly better passes");
	CHECK(mlci_pairtest_verdict(MLCI_PAIRTEST_NOT_WORSE, -0.02, -0.03,
				    -0.01, NAN, 0.05, 0) == 0,
	      "verdict: bootstrap interval below 0 fails");
	CHECK(mlci_pairtest_verdict(MLCI_PAIRTEST_MARGIN, -0.02, -0.03, -0.011,
				    NAN, 0.05, 0.01) == 0,
	      "verdict: margin: upper below -margin fails");
	CHECK(mlci_pairtest_verdict(MLCI_PAIRTEST_MARGIN, -0.02, -0.03, -0.009,
				    NAN, 0.05, 0.01) == 1,
	      "verdict: margin: upper above -margin passes");
	CHECK(mlci_pairtest_verdict(MLCI_PAIRTEST_NONINFERIOR, 0, -0.011, 0.02,
				    NAN, 0.05, 0.01) == 0,
	      "verdict: non-inferiority: lower below -margin fails");
	CHECK(mlci_pairtest_verdict(MLCI_PAIRTEST_NONINFERIOR, 0, -0.009, 0.02,
				    NAN, 0.05, 0.01) == 1,
	      "verdict: non-inferiority: lower above -margin passes");
	CHECK(mlci_pairtest_verdict(MLCI_PAIRTEST_MARGIN, NAN, NAN, NAN, NAN,
				    0.05, 0.01) == 0,
	      "verdict: no interval fails");
}

static void test_rows_needed(void)
{
	struct mlci_pairtest_table t;

	/* Connor's formula, checked with scipy's norm.ppf by hand. */
	table_set(&t, 800, 60, 40, 100);
	CHECK_INT(mlci_pairtest_mcnemar_rows_needed(&t, 0.05, 0.05, 0.8), 312,
		  "rows needed: discordant share 0.1, margin 0.05");
	table_set(&t, 900, 10, 10, 80);
	CHECK_INT(mlci_pairtest_mcnemar_rows_needed(&t, 0.01, 0.05, 0.8), 1568,
		  "rows needed: discordant share 0.02, margin 0.01");
	table_set(&t, 999, 1, 0, 0);
	CHECK_INT(mlci_pairtest_mcnemar_rows_needed(&t, 0.01, 0.05, 0.8), 783,
		  "rows needed: few discordant rows raised to the margin");
	CHECK_INT(mlci_pairtest_mcnemar_rows_needed(&t, 0, 0.05, 0.8), 0,
		  "rows needed: margin 0 is refused");
	CHECK_INT(mlci_pairtest_rows_needed(1000, -0.04, 0.0, 0.01), 4000,
		  "rows needed: half-width 0.02 to 0.01 takes 4 times the rows");
	CHECK_INT(mlci_pairtest_rows_needed(1000, -0.004, 0.004, 0.01), 160,
		  "rows needed: narrow enough already");
	CHECK_INT(mlci_pairtest_rows_needed(1000, NAN, 0.004, 0.01), 0,
		  "rows needed: NaN end");
}

/* ---- the live comparison ---- */

static void check_line(char *line)
{
	double w[MAXV];
	char *p = line, *end;
	size_t id, k;
	struct tcase *c;

	id = strtoul(p, &end, 10);
	if (end == p || *end != '\t' || id >= ncases) {
		CHECK(0, "reference line names a case");
		printf("#   %s\n", line);
		return;
	}
	c = &cases[id];
	p = end;
	for (k = 0; k < c->nv; k++) {
		w[k] = strtod(p, &end);
		if (end == p) {
			CHECK(0, "reference line has every value");
			return;
		}
		p = end;
	}
	c->answered = 1;
	switch (c->kind) {
	case MCNEMAR:
		check_close(c, "statistic", c->v[0], w[0], REL_REF, 0);
		check_close(c, "p-value", c->v[1], w[1], REL_REF, 1e-300);
		break;
	case DELONG: {
		static const char *const what[] = {
			"auc of the candidate", "auc of the baseline",
			"var of the candidate", "var of the baseline",
			"covariance", "var of the difference", "z", "p-value",
			"lower end", "upper end"
		};

		for (k = 0; k < 10; k++)
			check_close(c, what[k], c->v[k], w[k], REL_REF,
				    k == 7 ? 1e-300 : 1e-15);
		check_close(c, "auc of the candidate = sklearn", c->v[10],
			    w[10], TOL_EXACT, 0);
		check_close(c, "auc of the baseline = sklearn", c->v[11],
			    w[11], TOL_EXACT, 0);
		break;
	}
	case PERCENTILE:
		check_close(c, "lower end", c->v[0], w[0], 0, TOL_EXACT);
		check_close(c, "upper end", c->v[1], w[1], 0, TOL_EXACT);
		break;
	case BOOTACC:
		check_close(c, "point estimate", c->v[0], w[0], 0, TOL_EXACT);
		check_close(c, "lower end", c->v[1], w[1], 0, TOL_EXACT);
		check_close(c, "upper end", c->v[2], w[2], 0, TOL_EXACT);
		break;
	}
}

static void live_checks(void)
{
	char line[4096], *path, *cmd;
	FILE *manifest, *p;
	size_t i;
	int done = 0;

	path = xstrfmt("%s/manifest", tmpdir);
	manifest = fopen(path, "w");
	free(path);
	if (!manifest) {
		CHECK(0, "write the manifest");
		return;
	}
	for (i = 0; i < ncases; i++)
		fprintf(manifest, "%zu\t%s\t%s\n", i, kind_name[cases[i].kind],
			cases[i].args);
	CHECK(!fclose(manifest), "close the manifest");

	cmd = xstrfmt("%s %s %s", PYTHON, PY_SCRIPT, tmpdir);
	p = popen(cmd, "r");
	free(cmd);
	if (p) {
		while (fgets(line, sizeof(line), p)) {
			line[strcspn(line, "\n")] = '\0';
			if (!strncmp(line, "versions\t", 9)) {
				printf("# %s\n", line + 9);
				done = 1;
			} else {
				check_line(line);
			}
		}
		done = !pclose(p) && done;
	}
	CHECK(done, PY_SCRIPT " ran to its end (python3 with statsmodels, "
	      "numpy, scipy and sklearn present)");
	for (i = 0; i < ncases; i++) {
		char name[200];

		snprintf(name, sizeof(name), "%.150s: answered by the reference",
			 cases[i].name);
		CHECK(cases[i].answered, name);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		CHECK(0, "make a temporary directory");
		return unit_done();
	}
	test_table();
	test_mcnemar_hand();
	add_mcnemar_cases();
	test_delong();
	test_percentile();
	test_bootstrap();
	test_bootstrap_draws();
	test_verdict();
	test_rows_needed();
	live_checks();
	unit_remove_dir(tmpdir);
	return unit_done();
}
