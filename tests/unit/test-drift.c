/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/drift.c, checked live against scipy 1.10 and Evidently's formulas. */
#include "drift.h"
#include "random.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The live comparison: every case below is written to a temporary
 * directory, /usr/bin/python3 tests/tools/drift-reference.py prints what
 * scipy (and Evidently's formulas rewritten on pandas) give for it, and each
 * statistic and p-value must agree to 1e-9 relative (the requirement is
 * 1e-6 relative or 1e-12 absolute; see agree()). Without python3, scipy or
 * pandas the comparisons fail: a missing oracle must never pass.
 */
#define REL 1e-9
#define ABS 1e-12
#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/tools/drift-reference.py"

enum input { NUMERIC, COUNTS };

struct sample {
	double *x;		/* NUMERIC */
	size_t n;
	char **values;		/* COUNTS */
	size_t *counts;
	size_t k;
};

struct tcase {
	const char *name;
	enum mlci_drift_test test;
	enum input input;
	struct sample ref, cur;
	struct mlci_drift_result res;
	int ret;
	int seen;
};

static struct tcase cases[128];
static size_t ncases;
static struct mlci_rng rng;

static double normal(double mean, double sd)
{
	double u1 = mlci_rng_uniform(&rng), u2 = mlci_rng_uniform(&rng);

	if (u1 <= 0)
		u1 = 0x1p-53;
	return mean + sd * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static void gen_normal(struct sample *s, size_t n, double mean, double sd,
		       int integer)
{
	size_t i;

	s->x = xmalloc(sizeof(*s->x) * n);
	s->n = n;
	for (i = 0; i < n; i++) {
		s->x[i] = normal(mean, sd);
		if (integer)
			s->x[i] = floor(s->x[i]);
	}
}

static void gen_const(struct sample *s, size_t n, double v)
{
	size_t i;

	s->x = xmalloc(sizeof(*s->x) * n);
	s->n = n;
	for (i = 0; i < n; i++)
		s->x[i] = v;
}

/* n draws over the categories names[0..k) with probabilities prob. */
static void gen_counts(struct sample *s, size_t n, const char *const *names,
		       const double *prob, size_t k)
{
	size_t i, j;

	s->values = xcalloc(k, sizeof(*s->values));
	s->counts = xcalloc(k, sizeof(*s->counts));
	s->k = k;
	for (j = 0; j < k; j++)
		s->values[j] = xstrdup(names[j]);
	for (i = 0; i < n; i++) {
		double u = mlci_rng_uniform(&rng), acc = 0;

		for (j = 0; j < k - 1; j++) {
			acc += prob[j];
			if (u < acc)
				break;
		}
		s->counts[j]++;
	}
}

static struct tcase *add_case(const char *name, enum mlci_drift_test test,
			      enum input input)
{
	struct tcase *c = &cases[ncases++];

	c->name = name;
	c->test = test;
	c->input = input;
	mlci_drift_result_init(&c->res);
	return c;
}

static void numeric_case(const char *name, enum mlci_drift_test test,
			 size_t n1, double m1, double s1, size_t n2, double m2,
			 double s2, int integer)
{
	struct tcase *c = add_case(name, test, NUMERIC);

	gen_normal(&c->ref, n1, m1, s1, integer);
	gen_normal(&c->cur, n2, m2, s2, integer);
}

static void counts_case(const char *name, enum mlci_drift_test test,
			const char *const *names, size_t k, size_t n1,
			const double *p1, size_t n2, const double *p2)
{
	struct tcase *c = add_case(name, test, COUNTS);

	gen_counts(&c->ref, n1, names, p1, k);
	gen_counts(&c->cur, n2, names, p2, k);
}

static const char *file_test_name(const struct tcase *c)
{
	if (c->test == MLCI_DRIFT_PSI)
		return c->input == NUMERIC ? "psi_numeric" : "psi_counts";
	return mlci_drift_test_name(c->test);
}

static int write_sample(const char *dir, size_t id, const char *ext,
			const struct tcase *c, const struct sample *s)
{
	char *path = xstrfmt("%s/%zu.%s", dir, id, ext);
	FILE *fp = fopen(path, "w");
	size_t i;
	int bad;

	free(path);
	if (!fp)
		return -1;
	if (c->input == NUMERIC)
		for (i = 0; i < s->n; i++)
			fprintf(fp, "%.17g\n", s->x[i]);
	else
		for (i = 0; i < s->k; i++)
			fprintf(fp, "%s\t%zu\n", s->values[i], s->counts[i]);
	bad = ferror(fp);
	return fclose(fp) || bad ? -1 : 0;
}

static void run_case(struct tcase *c)
{
	if (c->input == NUMERIC) {
		c->ret = mlci_drift_run_numeric(c->test, c->ref.x, c->ref.n,
						c->cur.x, c->cur.n, NAN, &c->res);
	} else {
		struct mlci_drift_counts r = {
			(const char *const *)c->ref.values, c->ref.counts, c->ref.k
		};
		struct mlci_drift_counts k = {
			(const char *const *)c->cur.values, c->cur.counts, c->cur.k
		};

		c->ret = mlci_drift_run_counts(c->test, &r, &k, NAN, &c->res);
	}
}

/*
 * 1e-9 relative, or 1e-12 absolute where allowed: statistics near 0 and
 * Evidently's 2 * (1 - cdf), which cannot go below 1e-16. P-values from
 * scipy are held to the relative bound down to 1e-290 (the exact KS tails
 * reach 1e-307), below which the subnormal range only allows 1e-300.
 */
static int agree(double got, double want, int absolute_ok)
{
	if (isnan(got) || isnan(want))
		return isnan(got) && isnan(want);
	if (fabs(got - want) <= REL * fabs(want))
		return 1;
	if (fabs(want) < 1e-290 && fabs(got - want) <= 1e-300)
		return 1;
	return absolute_ok && fabs(got - want) <= ABS;
}

/* Compare got with the JSON number (null means NAN) obj[key]. */
static void check_value(const struct tcase *c, const cJSON *obj,
			const char *key, double got, int absolute_ok)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	double want = cJSON_IsNumber(item) ? item->valuedouble : NAN;
	char name[200];

	snprintf(name, sizeof(name), "%s: %s agrees with scipy", c->name, key);
	if (!unit_check(item && agree(got, want, absolute_ok), __FILE__, __LINE__,
			 name))
		printf("#   got  %.17g\n#   want %.17g%s\n", got, want,
		       item ? "" : " (missing)");
}

static void free_sample(struct sample *s)
{
	size_t i;

	free(s->x);
	for (i = 0; i < s->k; i++)
		free(s->values[i]);
	free(s->values);
	free(s->counts);
}

static void build_cases(void)
{
	static const char *const six[] = { "a", "b", "c", "d", "e", "f" };
	static const char *const seven[] = { "a", "b", "c", "d", "e", "f", "g" };
	static const char *const two[] = { "no", "yes" };
	static const char *const three[] = { "blue", "green", "red" };
	static const double p6[] = { 0.3, 0.2, 0.2, 0.1, 0.1, 0.1 };
	static const double q6[] = { 0.2, 0.2, 0.2, 0.15, 0.15, 0.1 };
	static const double p6_no_f[] = { 0.35, 0.25, 0.2, 0.1, 0.1, 0.0 };
	static const double p7_no_g[] = { 0.3, 0.2, 0.2, 0.1, 0.1, 0.1, 0.0 };
	static const double q7_g[] = { 0.3, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05 };
	static const double p2[] = { 0.7, 0.3 }, q2[] = { 0.6, 0.4 };
	static const double far2[] = { 0.05, 0.95 };
	static const double only_first[] = { 1.0, 0.0 };
	static const double only_second[] = { 0.0, 1.0 };
	static const double p3[] = { 0.5, 0.3, 0.2 }, q3[] = { 0.4, 0.3, 0.3 };
	struct tcase *c;

	mlci_rng_seed(&rng, 20240611);

	/* ks: exact for sizes up to 10000, asymptotic above; ties included. */
	numeric_case("ks 5x5", MLCI_DRIFT_KS, 5, 0, 1, 5, 0.5, 1, 0);
	numeric_case("ks 5x8", MLCI_DRIFT_KS, 5, 0, 1, 8, 1, 1, 0);
	numeric_case("ks 7x11 ties", MLCI_DRIFT_KS, 7, 3, 2, 11, 3, 2, 1);
	numeric_case("ks 20x20", MLCI_DRIFT_KS, 20, 0, 1, 20, 0, 1, 0);
	numeric_case("ks 30x45 shifted", MLCI_DRIFT_KS, 30, 0, 1, 45, 0.8, 1, 0);
	numeric_case("ks 100x100", MLCI_DRIFT_KS, 100, 0, 1, 100, 0.2, 1, 0);
	numeric_case("ks 100x130 scale", MLCI_DRIFT_KS, 100, 0, 1, 130, 0, 2, 0);
	numeric_case("ks 200x300 integer ties", MLCI_DRIFT_KS, 200, 5, 2, 300,
		     5.3, 2, 1);
	numeric_case("ks 1000x1000 shift 0.1", MLCI_DRIFT_KS, 1000, 0, 1, 1000,
		     0.1, 1, 0);
	numeric_case("ks 1000x1000 tiny p", MLCI_DRIFT_KS, 1000, 0, 1, 1000, 2.4,
		     1, 0);
	numeric_case("ks 800x1000 tiny p", MLCI_DRIFT_KS, 800, 0, 1, 1000, 2.5,
		     1, 0);
	numeric_case("ks 999x1000 integer", MLCI_DRIFT_KS, 999, 10, 3, 1000, 10,
		     3, 1);
	numeric_case("ks 10000x9000 exact", MLCI_DRIFT_KS, 10000, 0, 1, 9000,
		     0.03, 1, 0);
	numeric_case("ks 12000x9000 asymptotic", MLCI_DRIFT_KS, 12000, 0, 1, 9000,
		     0.03, 1, 0);
	numeric_case("ks 12000x9000 asymptotic small p", MLCI_DRIFT_KS, 12000, 0,
		     1, 9000, 0.1, 1, 0);
	numeric_case("ks 12000x300 asymptotic", MLCI_DRIFT_KS, 12000, 0, 1, 300,
		     0.25, 1, 0);
	numeric_case("ks 12000x5 asymptotic", MLCI_DRIFT_KS, 12000, 0, 1, 5, 1,
		     1, 0);
	numeric_case("ks 50x12000 asymptotic", MLCI_DRIFT_KS, 50, 0.3, 1, 12000,
		     0, 1, 0);
	numeric_case("ks 12000x11000 integer ties", MLCI_DRIFT_KS, 12000, 4, 2,
		     11000, 4, 2, 1);
	c = add_case("ks identical samples", MLCI_DRIFT_KS, NUMERIC);
	gen_normal(&c->ref, 40, 0, 1, 0);
	c->cur.x = xmalloc(sizeof(double) * 40);
	memcpy(c->cur.x, c->ref.x, sizeof(double) * 40);
	c->cur.n = 40;

	/* wasserstein, normalized by the reference's std (floor 0.001) */
	numeric_case("wasserstein 1500x800", MLCI_DRIFT_WASSERSTEIN, 1500, 0, 1,
		     800, 0, 1, 0);
	numeric_case("wasserstein 2000x2000 shifted", MLCI_DRIFT_WASSERSTEIN,
		     2000, 10, 3, 2000, 11, 3, 0);
	numeric_case("wasserstein integer", MLCI_DRIFT_WASSERSTEIN, 1500, 3, 2,
		     1200, 3, 2.5, 1);
	c = add_case("wasserstein constant reference", MLCI_DRIFT_WASSERSTEIN,
		     NUMERIC);
	gen_const(&c->ref, 1200, 3.0);
	gen_normal(&c->cur, 700, 3.0, 0.01, 0);
	numeric_case("wasserstein 5x12000", MLCI_DRIFT_WASSERSTEIN, 5, 0, 1,
		     12000, 0, 1, 0);

	/* psi on samples: histogram branch, and value branch (<= 20 values) */
	numeric_case("psi histogram", MLCI_DRIFT_PSI, 1500, 0, 1, 800, 0.2, 1, 0);
	numeric_case("psi histogram empty bins", MLCI_DRIFT_PSI, 2000, 0, 1, 300,
		     2, 0.3, 0);
	numeric_case("psi integer values", MLCI_DRIFT_PSI, 1500, 5, 1.5, 1000,
		     5.5, 1.5, 1);
	numeric_case("psi integer values on edges", MLCI_DRIFT_PSI, 1500, 50, 15,
		     1000, 52, 15, 1);

	/* chisquare over the union of categories */
	counts_case("chisquare same", MLCI_DRIFT_CHISQUARE, six, 6, 500, p6, 400,
		    p6);
	counts_case("chisquare shifted", MLCI_DRIFT_CHISQUARE, six, 6, 900, p6,
		    700, q6);
	counts_case("chisquare current lacks f", MLCI_DRIFT_CHISQUARE, six, 6,
		    600, p6, 500, p6_no_f);
	counts_case("chisquare reference lacks g", MLCI_DRIFT_CHISQUARE, seven,
		    7, 600, p7_no_g, 500, q7_g);
	counts_case("chisquare small", MLCI_DRIFT_CHISQUARE, three, 3, 12, p3,
		    9, q3);
	counts_case("chisquare large", MLCI_DRIFT_CHISQUARE, three, 3, 100000,
		    p3, 90000, q3);

	/* ztest: Evidently's pooled two-proportion z */
	counts_case("ztest same", MLCI_DRIFT_ZTEST, two, 2, 600, p2, 400, p2);
	counts_case("ztest shifted", MLCI_DRIFT_ZTEST, two, 2, 600, p2, 400, q2);
	counts_case("ztest far apart", MLCI_DRIFT_ZTEST, two, 2, 1000, p2, 1000,
		    far2);
	counts_case("ztest one value each side", MLCI_DRIFT_ZTEST, two, 2, 50,
		    only_first, 40, only_second);
	counts_case("ztest three values", MLCI_DRIFT_ZTEST, three, 3, 300, p3,
		    250, q3);
	counts_case("ztest small", MLCI_DRIFT_ZTEST, two, 2, 15, p2, 12, q2);

	/* jensenshannon over shares, natural log */
	counts_case("jensenshannon same", MLCI_DRIFT_JENSENSHANNON, six, 6, 2000,
		    p6, 1500, p6);
	counts_case("jensenshannon shifted", MLCI_DRIFT_JENSENSHANNON, six, 6,
		    2000, p6, 1500, q6);
	counts_case("jensenshannon new value", MLCI_DRIFT_JENSENSHANNON, seven, 7,
		    3000, p7_no_g, 1000, q7_g);
	counts_case("jensenshannon two values", MLCI_DRIFT_JENSENSHANNON, two, 2,
		    5000, p2, 4000, far2);

	/* psi on counts, with zero shares filled */
	counts_case("psi counts shifted", MLCI_DRIFT_PSI, six, 6, 2000, p6, 1500,
		    q6);
	counts_case("psi counts zero share", MLCI_DRIFT_PSI, seven, 7, 3000,
		    p7_no_g, 1000, q7_g);
}

static void check_against_scipy(void)
{
	char dir[] = "/tmp/mlci-test-drift-XXXXXX";
	char *cmd, line[65536];
	FILE *manifest, *p;
	size_t i;
	int status, scipy_seen = 0;
	char *path;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
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
		fprintf(manifest, "%zu\t%s\n", i, file_test_name(&cases[i]));
		if (write_sample(dir, i, "ref", &cases[i], &cases[i].ref) ||
		    write_sample(dir, i, "cur", &cases[i], &cases[i].cur))
			CHECK(0, "write a sample");
	}
	CHECK(!fclose(manifest), "close the manifest");

	cmd = xstrfmt("%s %s %s", PYTHON, SCRIPT, dir);
	p = popen(cmd, "r");
	free(cmd);
	CHECK(p != NULL, "run " PYTHON " " SCRIPT);
	while (p && fgets(line, sizeof(line), p)) {
		cJSON *obj = cJSON_Parse(line), *id;
		struct tcase *c;

		if (!obj) {
			CHECK(0, "drift-reference.py prints JSON");
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(obj, "scipy"))
			scipy_seen = 1;
		id = cJSON_GetObjectItemCaseSensitive(obj, "id");
		if (!cJSON_IsNumber(id) || id->valueint < 0 ||
		    (size_t)id->valueint >= ncases) {
			cJSON_Delete(obj);
			continue;
		}
		c = &cases[id->valueint];
		c->seen = 1;
		CHECK_INT(c->ret, 0, c->name);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "statistic_inf"))) {
			CHECK(isnan(c->res.statistic) && c->res.reason,
			      "infinite statistic comes back as NAN with a reason");
		} else {
			check_value(c, obj, "statistic", c->res.statistic, 1);
		}
		if (mlci_drift_test_has_p_value(c->test))
			check_value(c, obj, "p_value", c->res.p_value, 0);
		else
			CHECK(isnan(c->res.p_value), "a distance has no p-value");
		if (c->test == MLCI_DRIFT_ZTEST) {
			const cJSON *zs = cJSON_GetObjectItemCaseSensitive(obj,
									 "z_statsmodels");

			check_value(c, obj, "p_value_evidently", c->res.p_value,
				    1);
			if (zs)
				check_value(c, obj, "z_statsmodels",
					    c->res.statistic, 1);
		}
		{
			char name[200];
			cJSON *dr = cJSON_GetObjectItemCaseSensitive(obj, "drifted");

			snprintf(name, sizeof(name), "%s: drifted as Evidently", c->name);
			CHECK(cJSON_IsBool(dr) &&
			      !!cJSON_IsTrue(dr) == !!c->res.drifted, name);
		}
		if (c->test == MLCI_DRIFT_KS) {
			char name[200];
			cJSON *ap = cJSON_GetObjectItemCaseSensitive(obj, "approximate");

			snprintf(name, sizeof(name), "%s: approximate exactly when asymptotic",
				 c->name);
			CHECK(cJSON_IsBool(ap) &&
			      !!cJSON_IsTrue(ap) == !!c->res.approximate, name);
		}
		cJSON_Delete(obj);
	}
	status = p ? pclose(p) : -1;
	CHECK_INT(status, 0, "drift-reference.py exits 0 (python3, scipy, pandas present)");
	CHECK(scipy_seen, "drift-reference.py ran to its end");
	for (i = 0; i < ncases; i++) {
		char name[200];

		snprintf(name, sizeof(name), "%s: compared with scipy", cases[i].name);
		CHECK(cases[i].seen, name);
	}
	unit_remove_dir(dir);
}

static void check_choice(enum mlci_drift_kind kind, size_t nref, size_t ndist,
			 enum mlci_drift_test want, int want_counts,
			 double want_threshold)
{
	struct mlci_drift_choice ch = { MLCI_DRIFT_PSI, NAN, -1 };
	char name[160];
	int ret = mlci_drift_choose(kind, nref, ndist, NULL, NAN, NULL, &ch);

	snprintf(name, sizeof(name), "default for %s, %zu rows, %zu values",
		 kind == MLCI_DRIFT_NUMERIC ? "numeric" : "categorical", nref, ndist);
	CHECK_INT(ret, 0, name);
	CHECK_STR(mlci_drift_test_name(ch.test), mlci_drift_test_name(want), name);
	CHECK_INT(ch.use_counts, want_counts, name);
	CHECK_NEAR(ch.threshold, want_threshold, 0, name);
}

static void check_chooser(void)
{
	struct mlci_drift_choice ch;
	enum mlci_drift_test t;
	size_t i;

	check_choice(MLCI_DRIFT_NUMERIC, 1000, 6, MLCI_DRIFT_KS, 0, 0.05);
	check_choice(MLCI_DRIFT_NUMERIC, 1000, 5, MLCI_DRIFT_CHISQUARE, 1, 0.05);
	check_choice(MLCI_DRIFT_NUMERIC, 1000, 3, MLCI_DRIFT_CHISQUARE, 1, 0.05);
	check_choice(MLCI_DRIFT_NUMERIC, 1000, 2, MLCI_DRIFT_ZTEST, 1, 0.05);
	check_choice(MLCI_DRIFT_NUMERIC, 1001, 6, MLCI_DRIFT_WASSERSTEIN, 0, 0.1);
	check_choice(MLCI_DRIFT_NUMERIC, 1001, 5, MLCI_DRIFT_JENSENSHANNON, 1, 0.1);
	check_choice(MLCI_DRIFT_CATEGORICAL, 1000, 3, MLCI_DRIFT_CHISQUARE, 1, 0.05);
	check_choice(MLCI_DRIFT_CATEGORICAL, 10, 2, MLCI_DRIFT_ZTEST, 1, 0.05);
	check_choice(MLCI_DRIFT_CATEGORICAL, 10, 1, MLCI_DRIFT_ZTEST, 1, 0.05);
	check_choice(MLCI_DRIFT_CATEGORICAL, 1001, 2, MLCI_DRIFT_JENSENSHANNON, 1,
		     0.1);

	t = MLCI_DRIFT_PSI;
	CHECK_INT(mlci_drift_choose(MLCI_DRIFT_NUMERIC, 10, 10, &t, NAN, "age", &ch),
		  0, "psi on a numeric column");
	CHECK_INT(ch.use_counts, 0, "psi on a numeric column takes the samples");
	CHECK_NEAR(ch.threshold, 0.1, 0, "psi default threshold");
	CHECK_INT(mlci_drift_choose(MLCI_DRIFT_CATEGORICAL, 10, 10, &t, 0.25,
				    "job", &ch), 0, "psi on a categorical column");
	CHECK_INT(ch.use_counts, 1, "psi on a categorical column takes counts");
	CHECK_NEAR(ch.threshold, 0.25, 0, "threshold override");
	t = MLCI_DRIFT_KS;
	CHECK_INT(mlci_drift_choose(MLCI_DRIFT_NUMERIC, 5000, 3, &t, 0.01, NULL,
				    &ch), 0, "ks forced on a large reference");
	CHECK_INT(ch.test, MLCI_DRIFT_KS, "the override wins");
	CHECK_NEAR(ch.threshold, 0.01, 0, "ks threshold override");

	mlci_set_quiet(1);
	CHECK_INT(mlci_drift_choose(MLCI_DRIFT_CATEGORICAL, 10, 10, &t, NAN, "job",
				    &ch), -MLCI_EXIT_INPUT,
		  "ks on a categorical column is bad input");
	CHECK_INT(mlci_drift_choose(MLCI_DRIFT_NUMERIC, 10, 10, &t, 1.5, "age",
				    &ch), -MLCI_EXIT_INPUT,
		  "a p-value threshold of 1.5 is bad input");
	CHECK_INT(mlci_drift_choose(MLCI_DRIFT_NUMERIC, 10, 10, &t, 0, "age", &ch),
		  -MLCI_EXIT_INPUT, "a p-value threshold of 0 is bad input");
	t = MLCI_DRIFT_WASSERSTEIN;
	CHECK_INT(mlci_drift_choose(MLCI_DRIFT_NUMERIC, 10, 10, &t, -0.1, "age",
				    &ch), -MLCI_EXIT_INPUT,
		  "a negative distance threshold is bad input");
	CHECK_INT(mlci_drift_choose(MLCI_DRIFT_NUMERIC, 10, 10, &t, 2.0, "age",
				    &ch), 0, "a distance threshold above 1 is fine");
	mlci_set_quiet(0);

	for (i = MLCI_DRIFT_KS; i <= MLCI_DRIFT_PSI; i++) {
		enum mlci_drift_test back = MLCI_DRIFT_PSI;

		CHECK_INT(mlci_drift_test_parse(mlci_drift_test_name(i), &back), 0,
			  mlci_drift_test_name(i));
		CHECK_INT(back, i, "test names round-trip");
	}
	CHECK_INT(mlci_drift_test_parse("KS", &t), -1, "names are lower case");
	CHECK_INT(mlci_drift_test_parse("t-test", &t), -1, "unknown test name");

	mlci_set_quiet(1);
	CHECK_INT(mlci_drift_check_test(MLCI_DRIFT_CHISQUARE, MLCI_DRIFT_NUMERIC,
					"x"), -MLCI_EXIT_INPUT,
		  "chisquare does not fit a numeric column");
	CHECK_INT(mlci_drift_check_test(MLCI_DRIFT_JENSENSHANNON,
					MLCI_DRIFT_NUMERIC, NULL),
		  -MLCI_EXIT_INPUT, "jensenshannon does not fit a numeric column");
	CHECK_INT(mlci_drift_check_test(MLCI_DRIFT_WASSERSTEIN,
					MLCI_DRIFT_CATEGORICAL, NULL),
		  -MLCI_EXIT_INPUT, "wasserstein does not fit a categorical column");
	mlci_set_quiet(0);
	CHECK_INT(mlci_drift_check_test(MLCI_DRIFT_ZTEST, MLCI_DRIFT_CATEGORICAL,
					NULL), 0, "ztest fits a categorical column");
	CHECK_INT(mlci_drift_check_test(MLCI_DRIFT_PSI, MLCI_DRIFT_NUMERIC, NULL), 0,
		  "psi fits a numeric column");
}

static void check_by_hand(void)
{
	struct mlci_drift_result r;
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	const double w1[] = { 0, 1 }, w2[] = { 2, 3 };
	const double bad[] = { 1, NAN, 3 };
	const char *rv[] = { "x", "y", "x", "z" };
	const size_t rc[] = { 20, 30, 30, 20 };
	const char *cv[] = { "z", "y", "x", "w" };
	const size_t cc[] = { 40, 40, 20, 0 };
	struct mlci_drift_counts ref = { rv, rc, 4 }, cur = { cv, cc, 4 };
	const char *av[] = { "a", "b" }, *avc[] = { "a", "b", "c" };
	const size_t ac[] = { 10, 10 }, acc[] = { 5, 5, 1 }, zero[] = { 0, 0 };
	struct mlci_drift_counts ra = { av, ac, 2 }, ca = { avc, acc, 3 };
	struct mlci_drift_counts one_r = { av, ac, 1 }, one_c = { av, acc, 1 };
	struct mlci_drift_counts none = { av, zero, 2 };

	mlci_drift_result_init(&r);

	/* {1,2,3} against {4,5,6}: D = 1, exact p = 2 / C(6,3). */
	CHECK_INT(mlci_drift_ks(a, 3, b, 3, NAN, &r), 0, "ks by hand");
	CHECK_NEAR(r.statistic, 1.0, 0, "ks D by hand");
	CHECK_NEAR(r.p_value, 0.1, 1e-15, "ks exact p by hand");
	CHECK_INT(r.drifted, 0, "p 0.1 is no drift at 0.05");
	CHECK_INT(r.approximate, 0, "3x3 is exact");
	CHECK_STR(r.test, "ks", "result names its test");
	CHECK(mlci_drift_small_sample(&r) != NULL, "3 values are too few for ks");
	CHECK(r.top_value == NULL && isnan(r.top_shift),
	      "no top value for a numeric test");
	CHECK_INT(mlci_drift_ks(a, 3, b, 3, 0.2, &r), 0, "ks threshold 0.2");
	CHECK_INT(r.drifted, 1, "p 0.1 is drift at 0.2");

	/* W1({0,1}, {2,3}) = 2, std0({0,1}) = 0.5. */
	CHECK_INT(mlci_drift_wasserstein(w1, 2, w2, 2, NAN, &r), 0,
		  "wasserstein by hand");
	CHECK_NEAR(r.statistic, 4.0, 1e-15, "normalized wasserstein by hand");
	CHECK(isnan(r.p_value), "wasserstein has no p-value");
	CHECK_INT(r.drifted, 1, "4 >= 0.1 is drift");

	/*
	 * Reference x 50, y 30, z 20 (x listed twice), current x 20, y 40,
	 * z 40 (w listed with count 0): expected 50, 30, 20, statistic
	 * 18 + 10/3 + 20 = 124/3 on 2 degrees of freedom, p = exp(-62/3).
	 */
	CHECK_INT(mlci_drift_chisquare(&ref, &cur, NAN, &r), 0, "chisquare by hand");
	CHECK_NEAR(r.statistic, 124.0 / 3, 1e-12, "chisquare statistic by hand");
	CHECK_NEAR(r.p_value / exp(-62.0 / 3), 1.0, 1e-12, "chisquare p by hand");
	CHECK_INT(r.n_reference, 100, "reference size is the sum of counts");
	CHECK_INT(r.n_current, 100, "current size is the sum of counts");
	CHECK_STR(r.top_value, "x", "the value whose share moved most");
	CHECK_NEAR(r.top_shift, -0.3, 1e-15, "its share moved by -0.3");
	CHECK(r.reason == NULL, "no reason for a finite statistic");

	CHECK_INT(mlci_drift_chisquare(&ra, &ca, NAN, &r), 0,
		  "chisquare with a value new in current");
	CHECK(isnan(r.statistic), "infinite statistic comes back as NAN");
	CHECK(r.reason && strstr(r.reason, "'c'"), "the reason names the value");
	CHECK_NEAR(r.p_value, 0, 0, "infinite statistic gives p 0");
	CHECK_INT(r.drifted, 1, "a new value is drift");

	CHECK_INT(mlci_drift_chisquare(&one_r, &one_c, NAN, &r), 0,
		  "chisquare with one value");
	CHECK_NEAR(r.p_value, 1, 0, "one value cannot drift");
	CHECK_INT(r.drifted, 0, "one value: no drift");

	CHECK_INT(mlci_drift_ztest(&one_r, &one_c, NAN, &r), 0,
		  "ztest with one and the same value");
	CHECK_NEAR(r.statistic, 0, 0, "z 0 for one and the same value");
	CHECK_NEAR(r.p_value, 1, 0, "p 1 for one and the same value");

	CHECK_INT(mlci_drift_jensenshannon(&ra, &ra, NAN, &r), 0,
		  "jensenshannon of equal samples");
	CHECK_NEAR(r.statistic, 0, 0, "jensenshannon of equal samples is 0");
	CHECK_INT(r.drifted, 0, "equal samples: no drift");

	mlci_set_quiet(1);
	CHECK_INT(mlci_drift_ks(a, 0, b, 3, NAN, &r), -MLCI_EXIT_INPUT,
		  "empty reference is bad input");
	CHECK(r.test == NULL && isnan(r.statistic), "result empty after an error");
	CHECK_INT(mlci_drift_wasserstein(a, 3, bad, 3, NAN, &r), -MLCI_EXIT_INPUT,
		  "NAN in a sample is bad input");
	CHECK_INT(mlci_drift_psi_counts(&ra, &none, NAN, &r), -MLCI_EXIT_INPUT,
		  "current counts summing to 0 are bad input");
	CHECK_INT(mlci_drift_run_numeric(MLCI_DRIFT_CHISQUARE, a, 3, b, 3, NAN, &r),
		  -MLCI_EXIT_BUG, "chisquare on samples is a bug of the caller");
	CHECK_INT(mlci_drift_run_counts(MLCI_DRIFT_KS, &ra, &ca, NAN, &r),
		  -MLCI_EXIT_BUG, "ks on counts is a bug of the caller");
	mlci_set_quiet(0);
	mlci_drift_result_release(&r);
	CHECK(r.top_value == NULL && r.reason == NULL, "release empties the result");
}

int main(void)
{
	size_t i;

	check_chooser();
	check_by_hand();

	build_cases();
	for (i = 0; i < ncases; i++)
		run_case(&cases[i]);
	check_against_scipy();
	for (i = 0; i < ncases; i++) {
		mlci_drift_result_release(&cases[i].res);
		free_sample(&cases[i].ref);
		free_sample(&cases[i].cur);
	}
	return unit_done();
}
