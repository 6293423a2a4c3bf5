/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/ranktest.c, checked live against scipy 1.10 and R's wilcox.test. */
#include "ranktest.h"
#include "random.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The live comparison: every case is written to a temporary directory;
 * /usr/bin/python3 tests/tools/ranktest-reference.py prints what scipy
 * gives (Mann-Whitney, Levene, binomtest, f.sf, norm.ppf), which must agree
 * to 1e-9 relative (1e-300 absolute for p-values that underflow), and
 * Rscript tests/tools/ranktest-reference.R prints R's wilcox.test
 * interval, which must agree to 1e-6 relative (R's tol.root is 1e-4; the
 * same Brent steps on the same step function give far closer results).
 * Without python3 + scipy or Rscript the comparisons fail: a missing oracle
 * must never pass.
 */
#define PYTHON "/usr/bin/python3"
#define PY_SCRIPT "tests/tools/ranktest-reference.py"
#define RSCRIPT "Rscript"
#define R_SCRIPT "tests/tools/ranktest-reference.R"
#define REL_SCIPY 1e-9
#define REL_R 1e-6

enum kind { MWU, LEVENE, RATE, FSF, PPF, HL };

struct tcase {
	char name[96];
	enum kind kind;
	double *x, *y;
	size_t nx, ny;
	char args[96];
	/* what the library gave */
	double v[6];
	int ret, flag;
	int seen;
};

static struct tcase cases[256];
static size_t ncases;
static struct mlci_rng rng;

static double normal(double mean, double sd)
{
	double u1 = mlci_rng_uniform(&rng), u2 = mlci_rng_uniform(&rng);

	if (u1 <= 0)
		u1 = 0x1p-53;
	return mean + sd * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* n normal draws; rounded to multiples of `step` when step > 0 (ties). */
static double *draw(size_t n, double mean, double sd, double step)
{
	double *v = xmalloc(sizeof(*v) * (n ? n : 1));
	size_t i;

	for (i = 0; i < n; i++) {
		v[i] = normal(mean, sd);
		if (step > 0)
			v[i] = floor(v[i] / step) * step;
	}
	return v;
}

static struct tcase *add(enum kind kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct tcase *add(enum kind kind, const char *fmt, ...)
{
	struct tcase *c = &cases[ncases++];
	va_list ap;

	if (ncases > sizeof(cases) / sizeof(cases[0])) {
		fprintf(stderr, "too many cases\n");
		exit(1);
	}
	va_start(ap, fmt);
	vsnprintf(c->name, sizeof(c->name), fmt, ap);
	va_end(ap);
	c->kind = kind;
	return c;
}

static void mwu_case(size_t nx, size_t ny, double shift, double step,
		     enum mlci_ranktest_method method)
{
	static const char *const mname[] = { "auto", "exact", "asymptotic" };
	struct tcase *c = add(MWU, "mannwhitneyu %zux%zu shift %g step %g %s",
			      nx, ny, shift, step, mname[method]);
	struct mlci_ranktest_mwu r;

	c->x = draw(nx, shift, 1, step);
	c->y = draw(ny, 0, 1, step);
	c->nx = nx;
	c->ny = ny;
	snprintf(c->args, sizeof(c->args), "%s", mname[method]);
	c->ret = mlci_ranktest_mwu(c->x, nx, c->y, ny, method, &r);
	c->v[0] = r.statistic;
	c->v[1] = r.p_value;
	c->flag = r.exact;
}

static void levene_case(size_t nx, double sdx, size_t ny, double sdy,
			double step)
{
	struct tcase *c = add(LEVENE, "levene %zu sd %g vs %zu sd %g step %g",
			      nx, sdx, ny, sdy, step);

	c->x = draw(nx, 10, sdx, step);
	c->y = draw(ny, 10, sdy, step);
	c->nx = nx;
	c->ny = ny;
	c->ret = mlci_ranktest_levene(c->x, nx, c->y, ny, &c->v[0], &c->v[1]);
}

static void rate_case(unsigned long long cc, double ec, unsigned long long bc,
		      double eb, enum mlci_ranktest_direction dir)
{
	static const char *const alt[] = { "two-sided", "greater", "less" };
	struct tcase *c = add(RATE, "rate %llu/%g vs %llu/%g %s", cc, ec, bc,
			      eb, alt[dir]);
	struct mlci_ranktest_rate r;

	snprintf(c->args, sizeof(c->args), "%llu %.17g %llu %.17g %s", cc, ec,
		 bc, eb, alt[dir]);
	c->ret = mlci_ranktest_rate(cc, ec, bc, eb, dir, &r);
	c->v[0] = r.p_value;
}

static void fsf_case(double f, double d1, double d2)
{
	struct tcase *c = add(FSF, "f.sf(%g, %g, %g)", f, d1, d2);

	snprintf(c->args, sizeof(c->args), "%.17g %.17g %.17g", f, d1, d2);
	c->v[0] = mlci_ranktest_f_sf(f, d1, d2);
}

static void ppf_case(double p)
{
	struct tcase *c = add(PPF, "norm.ppf(%g)", p);

	snprintf(c->args, sizeof(c->args), "%.17g", p);
	c->v[0] = mlci_ranktest_norm_ppf(p);
}

static void hl_case(size_t nx, size_t ny, double shift, double step,
		    double conf, enum mlci_ranktest_method method)
{
	static const char *const rexact[] = { "NULL", "TRUE", "FALSE" };
	struct tcase *c = add(HL, "wilcox.test %zux%zu shift %g step %g conf %g exact=%s",
			      nx, ny, shift, step, conf, rexact[method]);
	struct mlci_ranktest_hl r;

	c->x = draw(nx, shift, 1, step);
	c->y = draw(ny, 0, 1, step);
	c->nx = nx;
	c->ny = ny;
	snprintf(c->args, sizeof(c->args), "%.17g %s", conf, rexact[method]);
	c->ret = mlci_ranktest_hl(c->x, nx, c->y, ny, conf, method, &r);
	c->v[0] = r.estimate;
	c->v[1] = r.lower;
	c->v[2] = r.upper;
	c->v[3] = r.conf_level;
	c->v[4] = r.exact;
	c->v[5] = r.shift;
}

static void build_cases(void)
{
	static const size_t sizes[][2] = {
		{ 1, 1 }, { 1, 5 }, { 3, 4 }, { 5, 8 }, { 8, 8 }, { 8, 9 },
		{ 9, 9 }, { 2, 40 }, { 8, 500 }, { 3, 700 }, { 2, 2000 }, { 20, 30 },
		{ 50, 50 }, { 100, 80 }, { 500, 700 }, { 2000, 2000 },
		{ 1, 2000 }, { 2000, 1 }
	};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		mwu_case(sizes[i][0], sizes[i][1], 0.3, 0, MLCI_RANKTEST_AUTO);
		mwu_case(sizes[i][0], sizes[i][1], 0, 0.5, MLCI_RANKTEST_AUTO);
	}
	mwu_case(8, 8, 10, 0, MLCI_RANKTEST_AUTO);	/* separated: smallest exact p */
	mwu_case(6, 300, -5, 0, MLCI_RANKTEST_AUTO);
	mwu_case(60, 70, 6, 0, MLCI_RANKTEST_AUTO);	/* p far below 1e-20 */
	mwu_case(5, 5, 0, 100, MLCI_RANKTEST_AUTO);	/* all tied */
	mwu_case(7, 6, 1, 0, MLCI_RANKTEST_ASYMPTOTIC);
	mwu_case(20, 30, 0.5, 0, MLCI_RANKTEST_EXACT);
	mwu_case(40, 45, 0.2, 0, MLCI_RANKTEST_EXACT);
	mwu_case(6, 9, 0.5, 1, MLCI_RANKTEST_EXACT);	/* ties, truncated U */
	mwu_case(1000, 1500, 0.05, 0.25, MLCI_RANKTEST_AUTO);

	levene_case(10, 1, 12, 1, 0);
	levene_case(10, 1, 12, 3, 0);
	levene_case(2, 1, 3, 2, 0);
	levene_case(300, 1, 200, 1.2, 0);
	levene_case(2000, 1, 2000, 1.05, 0.1);
	levene_case(50, 1, 60, 1, 1);
	levene_case(10000, 2, 9000, 1, 0);

	rate_case(0, 1000, 0, 1000, MLCI_RANKTEST_INCREASE);
	rate_case(0, 1000, 20, 1000, MLCI_RANKTEST_INCREASE);
	rate_case(0, 1000, 20, 1000, MLCI_RANKTEST_DECREASE);
	rate_case(5, 1000, 1, 1000, MLCI_RANKTEST_INCREASE);
	rate_case(5, 1000, 1, 1000, MLCI_RANKTEST_DECREASE);
	rate_case(30, 5000, 10, 10000, MLCI_RANKTEST_INCREASE);
	rate_case(1, 100, 0, 900, MLCI_RANKTEST_INCREASE);
	rate_case(12, 1, 0, 1, MLCI_RANKTEST_INCREASE);
	rate_case(1000, 1e6, 900, 1e6, MLCI_RANKTEST_INCREASE);
	rate_case(1000, 1e6, 900, 1e6, MLCI_RANKTEST_DECREASE);
	rate_case(200, 3e5, 900, 9e5, MLCI_RANKTEST_INCREASE);
	rate_case(90000, 1e8, 50000, 1e8, MLCI_RANKTEST_INCREASE);
	rate_case(3, 12.5, 40, 80.25, MLCI_RANKTEST_DECREASE);

	fsf_case(0.5, 1, 10);
	fsf_case(3.2, 1, 20);
	fsf_case(40, 1, 3);
	fsf_case(2.5, 4, 7);
	fsf_case(25, 1, 19998);
	fsf_case(1e-3, 1, 5000);
	fsf_case(150, 1, 900);
	fsf_case(1.1, 30, 30);

	ppf_case(0.01);
	ppf_case(0.025);
	ppf_case(0.3);
	ppf_case(0.99);
	ppf_case(1e-8);
	ppf_case(1e-20);

	hl_case(5, 6, 1, 0, 0.98, MLCI_RANKTEST_AUTO);
	hl_case(3, 4, 0, 0, 0.98, MLCI_RANKTEST_AUTO);	/* conf not achievable */
	hl_case(1, 1, 0, 0, 0.95, MLCI_RANKTEST_AUTO);
	hl_case(10, 12, 0.5, 0, 0.98, MLCI_RANKTEST_AUTO);
	hl_case(49, 49, 0.2, 0, 0.98, MLCI_RANKTEST_AUTO);
	hl_case(30, 20, 0.2, 0, 0.95, MLCI_RANKTEST_AUTO);
	hl_case(12, 15, 0.4, 0, 0.98, MLCI_RANKTEST_ASYMPTOTIC);
	hl_case(60, 80, 0.3, 0, 0.98, MLCI_RANKTEST_EXACT);
	hl_case(10, 12, 0.5, 0.5, 0.98, MLCI_RANKTEST_AUTO);	/* ties */
	hl_case(50, 60, 0.1, 0, 0.98, MLCI_RANKTEST_AUTO);
	hl_case(50, 60, 0.1, 0, 0.8, MLCI_RANKTEST_AUTO);
	hl_case(200, 300, -0.2, 0, 0.98, MLCI_RANKTEST_AUTO);
	hl_case(200, 300, 0.1, 0.25, 0.98, MLCI_RANKTEST_AUTO);
	hl_case(2000, 2000, 0.05, 0, 0.98, MLCI_RANKTEST_AUTO);
	hl_case(1500, 2500, 0, 1, 0.98, MLCI_RANKTEST_AUTO);
	hl_case(5000, 5000, 0.02, 0, 0.98, MLCI_RANKTEST_AUTO);
	hl_case(100, 3, 0.5, 0, 0.98, MLCI_RANKTEST_AUTO);
}

static int write_numbers(const char *dir, size_t id, const char *ext,
			 const double *v, size_t n)
{
	char *path = xstrfmt("%s/%zu.%s", dir, id, ext);
	FILE *f = fopen(path, "w");
	size_t i;
	int ret = 0;

	free(path);
	if (!f)
		return -1;
	for (i = 0; i < n; i++)
		fprintf(f, "%.17g\n", v[i]);
	if (fclose(f))
		ret = -1;
	return ret;
}

/* |got - want| <= rel * |want| (or abs), NaN equal to NaN, inf to inf. */
static void check_close(const struct tcase *c, const char *what, double got,
			double want, double rel, double abs)
{
	char name[200];
	int ok = (isnan(got) && isnan(want)) || got == want ||
		 fabs(got - want) <= rel * fabs(want) ||
		 fabs(got - want) <= abs;

	snprintf(name, sizeof(name), "%.100s: %.60s", c->name, what);
	if (!CHECK(ok, name))
		printf("#   got  %.17g\n#   want %.17g\n", got, want);
}

static const char *const kind_name[] = {
	"mwu", "levene", "rate", "fsf", "ppf", "hl"
};

static void check_line(char *line, int r_side)
{
	char *tab = strchr(line, '\t'), *p;
	double w[8];
	size_t id, k = 0;
	struct tcase *c;

	if (!tab)
		return;
	*tab = '\0';
	id = strtoul(line, &p, 10);
	if (*p || id >= ncases)
		return;
	c = &cases[id];
	for (p = tab + 1; *p && k < 8; k++) {
		char *end;

		w[k] = strtod(p, &end);
		p = end + (*end == '\t');
		if (end == p && *end != '\t')
			break;
	}
	c->seen = 1;
	CHECK_INT(c->ret, 0, c->name);
	if (r_side) {
		if (!isnan(w[4]))
			check_close(c, "exact as R", c->v[4], w[4], 0, 0);
		check_close(c, "estimate as R", c->v[0], w[0], REL_R, 1e-9);
		check_close(c, "lower as R", c->v[1], w[1], REL_R, 1e-9);
		check_close(c, "upper as R", c->v[2], w[2], REL_R, 1e-9);
		check_close(c, "conf.level as R", c->v[3], w[3], 1e-12, 0);
		if (!isnan(w[5]))
			check_close(c, "shift = median(outer(x, y, '-'))",
				    c->v[5], w[5], 1e-15, 1e-15);
		return;
	}
	switch (c->kind) {
	case MWU:
		check_close(c, "statistic", c->v[0], w[0], 0, 0);
		check_close(c, "p-value", c->v[1], w[1], REL_SCIPY, 1e-300);
		break;
	case LEVENE:
		check_close(c, "statistic", c->v[0], w[0], REL_SCIPY, 0);
		check_close(c, "p-value", c->v[1], w[1], REL_SCIPY, 1e-300);
		break;
	default:
		check_close(c, "value", c->v[0], w[0], REL_SCIPY, 1e-300);
		break;
	}
}

static int run_oracle(const char *cmd, int r_side, const char *last)
{
	char line[4096];
	FILE *p = popen(cmd, "r");
	int status, done = 0;

	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, last, strlen(last)) && line[strlen(last)] == '\t')
			done = 1;
		else
			check_line(line, r_side);
	}
	status = pclose(p);
	return status == 0 && done;
}

static void live_checks(void)
{
	char dir[] = "/tmp/mlci-ranktest-XXXXXX", *path, *cmd;
	FILE *manifest;
	size_t i;

	if (!mkdtemp(dir)) {
		CHECK(0, "make a temporary directory");
		return;
	}
	path = xstrfmt("%s/manifest", dir);
	manifest = fopen(path, "w");
	free(path);
	if (!manifest) {
		CHECK(0, "write the manifest");
		unit_remove_dir(dir);
		return;
	}
	for (i = 0; i < ncases; i++) {
		struct tcase *c = &cases[i];

		fprintf(manifest, "%zu\t%s\t%s\n", i, kind_name[c->kind],
			c->args[0] ? c->args : "-");
		if (c->x && (write_numbers(dir, i, "x", c->x, c->nx) ||
			     write_numbers(dir, i, "y", c->y, c->ny)))
			CHECK(0, "write a sample");
	}
	CHECK(!fclose(manifest), "close the manifest");

	cmd = xstrfmt("%s %s %s", PYTHON, PY_SCRIPT, dir);
	CHECK(run_oracle(cmd, 0, "scipy"),
	      PY_SCRIPT " ran to its end (python3 and scipy present)");
	free(cmd);
	cmd = xstrfmt("%s %s %s", RSCRIPT, R_SCRIPT, dir);
	CHECK(run_oracle(cmd, 1, "R"),
	      R_SCRIPT " ran to its end (Rscript present: r-base-core)");
	free(cmd);
	for (i = 0; i < ncases; i++) {
		char name[200];

		snprintf(name, sizeof(name), "%.100s: compared with %s",
			 cases[i].name,
			 cases[i].kind == HL ? "R" : "scipy");
		CHECK(cases[i].seen, name);
	}
	unit_remove_dir(dir);
}

/* The method choices, and values that need no oracle. */
static void fixed_checks(void)
{
	static const double males[] = { 19, 22, 16, 29, 24 };
	static const double females[] = { 20, 11, 17, 12 };
	static const double tied[] = { 1, 2, 2, 3, 4, 5, 6, 7, 8 };
	static const double nine[] = { 10, 11, 12, 13, 14, 15, 16, 17, 18 };
	static const double halves[] = { 0.5, 1.5, 2.5, 3.5, 4.5 };
	static const double nan_sample[] = { 1, NAN };
	struct mlci_ranktest_mwu r;
	struct mlci_ranktest_rate rr;
	struct mlci_ranktest_hl hl;
	double w, p;
	int q;

	/* scipy's documented example. */
	CHECK_INT(mlci_ranktest_mwu(males, 5, females, 4, MLCI_RANKTEST_AUTO, &r), 0,
		  "mannwhitneyu(males, females)");
	CHECK_NEAR(r.statistic, 17, 0, "U1 of scipy's example is 17");
	CHECK_NEAR(r.p_value, 0.1111111111111111, 1e-15,
		   "exact p of scipy's example is 1/9");
	CHECK_INT(r.exact, 1, "5 x 4 without ties is exact");
	mlci_ranktest_mwu(males, 5, females, 4, MLCI_RANKTEST_ASYMPTOTIC, &r);
	CHECK_NEAR(r.p_value, 0.11134688653314041, 1e-15,
		   "asymptotic p of scipy's example");
	mlci_ranktest_mwu(tied, 9, nine, 9, MLCI_RANKTEST_AUTO, &r);
	CHECK_INT(r.exact, 0, "9 x 9 is asymptotic");
	mlci_ranktest_mwu(tied, 8, nine, 9, MLCI_RANKTEST_AUTO, &r);
	CHECK_INT(r.exact, 0, "8 x 9 with a tie is asymptotic");
	mlci_ranktest_mwu(halves, 5, nine, 9, MLCI_RANKTEST_AUTO, &r);
	CHECK_INT(r.exact, 1, "5 x 9 without ties is exact");

	q = mlci_set_quiet(1);
	CHECK_INT(mlci_ranktest_mwu(males, 0, females, 4, MLCI_RANKTEST_AUTO, &r),
		  -MLCI_EXIT_INPUT, "an empty sample is an input error");
	CHECK_INT(mlci_ranktest_mwu(nan_sample, 2, females, 4, MLCI_RANKTEST_AUTO, &r),
		  -MLCI_EXIT_INPUT, "a NaN is an input error");
	CHECK_INT(mlci_ranktest_hl(males, 5, females, 4, 1.0, MLCI_RANKTEST_AUTO, &hl),
		  -MLCI_EXIT_INPUT, "confidence level 1 is an input error");
	CHECK_INT(mlci_ranktest_rate(1, 0, 1, 1, MLCI_RANKTEST_INCREASE, &rr),
		  -MLCI_EXIT_INPUT, "a zero exposure is an input error");
	CHECK_INT(mlci_ranktest_levene(males, 1, females, 1, &w, &p),
		  -MLCI_EXIT_INPUT, "Levene needs three values");
	mlci_set_quiet(q);

	CHECK_INT(mlci_ranktest_rate(0, 10, 0, 10, MLCI_RANKTEST_INCREASE, &rr), 0,
		  "no events at all");
	CHECK_NEAR(rr.p_value, 1, 0, "no events: p = 1");
	CHECK_NEAR(mlci_ranktest_f_sf(0, 1, 5), 1, 0, "f.sf(0) = 1");
	CHECK(isnan(mlci_ranktest_f_sf(1, 0, 5)), "f.sf with df1 = 0 is NaN");
	CHECK_NEAR(mlci_ranktest_beta_inc(2, 3, 0.4, 0.6), 0.5248, 1e-15,
		   "I_0.4(2, 3) = 0.5248");
}

struct judge_case {
	const char *name;
	double canary[24], baseline[24];
	size_t nc, nb;
	enum mlci_ranktest_direction dir;
	double effect_high;
	enum mlci_ranktest_class want;
	int tested;
};

/* Kayenta's MannWhitneyClassifier, case by case. */
static void judge_checks(void)
{
	static const struct judge_case jc[] = {
		{ "no canary data", { 0 }, { 1, 2, 3 }, 0, 3,
		  MLCI_RANKTEST_EITHER, 1, MLCI_RANKTEST_NODATA, 0 },
		{ "identical values in another order", { 3, 1, 2, 2 },
		  { 2, 3, 2, 1 }, 4, 4, MLCI_RANKTEST_EITHER, 1,
		  MLCI_RANKTEST_PASS, 0 },
		{ "one value everywhere", { 5, 5, 5 }, { 5, 5 }, 3, 2,
		  MLCI_RANKTEST_EITHER, 1, MLCI_RANKTEST_PASS, 0 },
		{ "constant canary above constant baseline", { 2, 2, 2 },
		  { 1, 1, 1 }, 3, 3, MLCI_RANKTEST_INCREASE, 1,
		  MLCI_RANKTEST_HIGH, 1 },
		{ "constant canary above, only a decrease is bad", { 2, 2, 2 },
		  { 1, 1, 1 }, 3, 3, MLCI_RANKTEST_DECREASE, 1,
		  MLCI_RANKTEST_PASS, 1 },
		{ "clearly higher, increase is bad",
		  { 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 },
		  { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10, 10,
		  MLCI_RANKTEST_INCREASE, 1, MLCI_RANKTEST_HIGH, 1 },
		{ "clearly higher, either is bad",
		  { 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 },
		  { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10, 10,
		  MLCI_RANKTEST_EITHER, 1, MLCI_RANKTEST_HIGH, 1 },
		{ "clearly higher, only a decrease is bad",
		  { 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 },
		  { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10, 10,
		  MLCI_RANKTEST_DECREASE, 1, MLCI_RANKTEST_PASS, 1 },
		{ "clearly lower, either is bad",
		  { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 },
		  { 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 }, 10, 10,
		  MLCI_RANKTEST_EITHER, 1, MLCI_RANKTEST_LOW, 1 },
		{ "clearly lower, only an increase is bad",
		  { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 },
		  { 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 }, 10, 10,
		  MLCI_RANKTEST_INCREASE, 1, MLCI_RANKTEST_PASS, 1 },
		{ "overlapping samples pass",
		  { 10, 12, 9, 11, 13, 10.5, 9.5, 12.5 },
		  { 11, 10, 12, 9, 10.2, 11.8, 9.8, 12.2 }, 8, 8,
		  MLCI_RANKTEST_EITHER, 1, MLCI_RANKTEST_PASS, 1 },
		{ "higher but below the mean-ratio threshold",
		  { 101, 102, 103, 104, 105, 106, 107, 108 },
		  { 91, 92, 93, 94, 95, 96, 97, 98 }, 8, 8,
		  MLCI_RANKTEST_INCREASE, 1.5, MLCI_RANKTEST_PASS, 1 },
		{ "higher and above the mean-ratio threshold",
		  { 201, 202, 203, 204, 205, 206, 207, 208 },
		  { 91, 92, 93, 94, 95, 96, 97, 98 }, 8, 8,
		  MLCI_RANKTEST_INCREASE, 1.5, MLCI_RANKTEST_HIGH, 1 },
		{ "a shift small against its own size: interval above 0.25 x estimate",
		  { 10.2, 10.3, 10.1, 10.4, 10.25, 10.35, 10.15, 10.3 },
		  { 10.0, 10.1, 9.9, 10.05, 9.95, 10.0, 10.1, 9.9 }, 8, 8,
		  MLCI_RANKTEST_EITHER, 1, MLCI_RANKTEST_HIGH, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(jc) / sizeof(jc[0]); i++) {
		struct mlci_ranktest_judge_opts o;
		struct mlci_ranktest_judgement j;
		char name[200];

		mlci_ranktest_judge_opts_init(&o);
		o.effect_high = jc[i].effect_high;
		snprintf(name, sizeof(name), "judge: %s", jc[i].name);
		CHECK_INT(mlci_ranktest_classify(jc[i].canary, jc[i].nc,
						 jc[i].baseline, jc[i].nb,
						 jc[i].dir, &o, &j), 0, name);
		CHECK_INT(j.cls, jc[i].want, name);
		CHECK_INT(j.tested, jc[i].tested, name);
		if (j.tested)
			CHECK(j.lower_bound == -0.25 * fabs(j.hl.estimate),
			      "bounds are -+0.25 |estimate|");
	}
}

int main(void)
{
	mlci_rng_seed(&rng, 20240611);
	fixed_checks();
	judge_checks();
	build_cases();
	live_checks();
	return unit_done();
}
