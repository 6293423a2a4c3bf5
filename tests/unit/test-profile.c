/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/profile.c and lib/sketch.c: exact statistics against numpy and pandas, sketch error bounds, merges, JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "profile.h"
#include "random.h"
#include "sketch.h"
#include "strbuf.h"
#include "unit.h"
#include "usage.h"
#include "wrapper.h"

#define PYTHON "/usr/bin/python3"

static double gauss(struct mlci_rng *r)
{
	double u1 = 1.0 - mlci_rng_uniform(r), u2 = mlci_rng_uniform(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double cauchy(struct mlci_rng *r)
{
	return tan(M_PI * (mlci_rng_uniform(r) - 0.5));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct mlci_profile *number_profile(const double *v, size_t n,
					   const struct mlci_profile_limits *l)
{
	struct mlci_profile *p = xmalloc(sizeof(*p));
	size_t i;

	mlci_profile_init(p, MLCI_PROFILE_NUMBER, l);
	for (i = 0; i < n; i++)
		mlci_profile_add_number(p, v[i]);
	return p;
}

static void profile_free(struct mlci_profile *p)
{
	mlci_profile_release(p);
	free(p);
}

static char *print_json(const struct mlci_profile *p, int with_state)
{
	cJSON *j = mlci_profile_to_json(p, with_state);
	char *s = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return s;
}

static double num(const cJSON *o, const char *path)
{
	const cJSON *it = mlci_json_path(o, path);

	return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static int near_rel(double got, double want, double rel)
{
	double scale = fabs(want) > 1e-300 ? fabs(want) : 1e-300;

	return fabs(got - want) <= rel * scale;
}

/* ---- exact statistics against numpy and pandas, computed live ---- */

static const char pyscript[] =
	"import sys, json\n"
	"import numpy as np, pandas as pd\n"
	"v = np.loadtxt(sys.argv[1], dtype=np.float64, ndmin=1)\n"
	"qs = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]\n"
	"h, e = np.histogram(v, bins=int(sys.argv[2]))\n"
	"d = pd.Series(v).describe(percentiles=qs)\n"
	"f = lambda x: None if x != x else float(x)\n"
	"print(json.dumps({'count': len(v), 'mean': float(np.mean(v)),\n"
	"  'std': f(np.std(v, ddof=1)) if len(v) > 1 else None,\n"
	"  'min': float(v.min()), 'max': float(v.max()),\n"
	"  'q': [float(np.quantile(v, q)) for q in qs],\n"
	"  'distinct': int(len(np.unique(v))),\n"
	"  'hist': [int(x) for x in h], 'edges': [float(x) for x in e],\n"
	"  'pd_mean': float(d['mean']), 'pd_std': f(d['std']),\n"
	"  'pd_q': [float(d['%g%%' % (q * 100)]) for q in qs]}))\n";

/* Run numpy and pandas on v; NULL (a failed check) when that fails. */
static cJSON *python_stats(const double *v, size_t n, size_t bins)
{
	char data[] = "/tmp/mlci-profile-XXXXXX";
	char script[] = "/tmp/mlci-profile-py-XXXXXX";
	int fd = mkstemp(data), sfd = mkstemp(script);
	FILE *fp, *sp, *pp;
	struct strbuf out = STRBUF_INIT;
	cJSON *j = NULL;
	char *cmd;
	size_t i;

	if (fd < 0 || sfd < 0)
		return NULL;
	fp = fdopen(fd, "w");
	sp = fdopen(sfd, "w");
	for (i = 0; i < n; i++)
		fprintf(fp, "%.17g\n", v[i]);
	fputs(pyscript, sp);
	fclose(fp);
	fclose(sp);
	cmd = xstrfmt("%s %s %s %zu 2>&1", PYTHON, script, data, bins);
	pp = popen(cmd, "r");
	if (pp) {
		strbuf_read_file_cap(&out, pp, 1 << 24);
		if (pclose(pp) == 0)
			j = cJSON_Parse(out.buf);
		else
			printf("# python3 failed: %s\n", out.buf);
	}
	if (!j)
		printf("# no statistics from %s\n", PYTHON);
	unlink(data);
	unlink(script);
	free(cmd);
	strbuf_release(&out);
	return j;
}

static void check_against_python(const char *name, const double *v, size_t n)
{
	struct mlci_profile *p = number_profile(v, n, NULL);
	cJSON *view = mlci_profile_to_json(p, 0);
	cJSON *py = python_stats(v, n, p->limits.histogram_bins);
	char label[160];
	size_t i;
	int hist_ok = 1;

	snprintf(label, sizeof(label), "%s: numpy and pandas ran", name);
	if (!CHECK(py, label))
		goto out;
	snprintf(label, sizeof(label), "%s: count", name);
	CHECK_INT(num(view, "count"), num(py, "count"), label);
	snprintf(label, sizeof(label), "%s: exact mode", name);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(view, "quantiles_approximate")) &&
	      cJSON_IsFalse(cJSON_GetObjectItem(view, "distinct_approximate")),
	      label);
	snprintf(label, sizeof(label), "%s: mean to 1e-12 (numpy, pandas)", name);
	CHECK(near_rel(num(view, "mean"), num(py, "mean"), 1e-12) &&
	      near_rel(num(view, "mean"), num(py, "pd_mean"), 1e-12), label);
	snprintf(label, sizeof(label), "%s: std ddof 1 to 1e-12 (numpy, pandas)",
		 name);
	if (n > 1)
		CHECK(near_rel(num(view, "std"), num(py, "std"), 1e-12) &&
		      near_rel(num(view, "std"), num(py, "pd_std"), 1e-12), label);
	else
		CHECK(cJSON_IsNull(cJSON_GetObjectItem(view, "std")) &&
		      cJSON_IsNull(cJSON_GetObjectItem(py, "std")), label);
	snprintf(label, sizeof(label), "%s: min and max", name);
	CHECK(num(view, "min") == num(py, "min") &&
	      num(view, "max") == num(py, "max"), label);
	for (i = 0; i < MLCI_PROFILE_NQUANTILES; i++) {
		char path[32];
		double want = cJSON_GetArrayItem(cJSON_GetObjectItem(py, "q"),
						 (int)i)->valuedouble;
		double pdq = cJSON_GetArrayItem(cJSON_GetObjectItem(py, "pd_q"),
						(int)i)->valuedouble;

		snprintf(path, sizeof(path), "quantiles.%s",
			 mlci_profile_quantile_names[i]);
		snprintf(label, sizeof(label), "%s: %s to 1e-12 (numpy, pandas)",
			 name, path);
		if (!CHECK(near_rel(num(view, path), want, 1e-12) &&
			   near_rel(num(view, path), pdq, 1e-12), label))
			printf("#   got %.17g, numpy %.17g, pandas %.17g\n",
			       num(view, path), want, pdq);
	}
	snprintf(label, sizeof(label), "%s: distinct", name);
	CHECK_INT(num(view, "distinct"), num(py, "distinct"), label);
	for (i = 0; i < p->limits.histogram_bins; i++) {
		const cJSON *h = mlci_json_path(view, "histogram");

		if (cJSON_GetArrayItem(cJSON_GetObjectItem(h, "counts"), (int)i)->valuedouble !=
		    cJSON_GetArrayItem(cJSON_GetObjectItem(py, "hist"), (int)i)->valuedouble ||
		    !near_rel(cJSON_GetArrayItem(cJSON_GetObjectItem(h, "edges"), (int)i)->valuedouble,
			      cJSON_GetArrayItem(cJSON_GetObjectItem(py, "edges"), (int)i)->valuedouble,
			      1e-12))
			hist_ok = 0;
	}
	snprintf(label, sizeof(label), "%s: histogram as numpy.histogram", name);
	CHECK(hist_ok, label);
out:
	cJSON_Delete(py);
	cJSON_Delete(view);
	profile_free(p);
}

static void test_exact_vs_python(void)
{
	struct mlci_rng r;
	size_t n = 100000, i;
	double *v = xmalloc(n * sizeof(*v));
	double one = 42.5, two[2] = { -1.25, 3.0 };

	mlci_rng_seed(&r, 1);
	for (i = 0; i < 1000; i++)
		v[i] = 10 + 3 * gauss(&r);
	check_against_python("normal 1000", v, 1000);
	for (i = 0; i < 50000; i++)
		v[i] = round(10 * (5 + 2 * gauss(&r))) / 10;
	check_against_python("rounded, duplicates 50000", v, 50000);
	for (i = 0; i < 5000; i++)
		v[i] = cauchy(&r);
	check_against_python("cauchy 5000", v, 5000);
	for (i = 0; i < n; i++)
		v[i] = exp(1 + 2 * gauss(&r));
	check_against_python("lognormal 100000 (the bound)", v, n);
	for (i = 0; i < 100; i++)
		v[i] = 5.0;
	check_against_python("constant 100", v, 100);
	check_against_python("one value", &one, 1);
	check_against_python("two values", two, 2);
	free(v);
}

/* ---- view details ---- */

static void test_view(void)
{
	struct mlci_profile p;
	cJSON *j;
	char *s;

	mlci_profile_init(&p, MLCI_PROFILE_NUMBER, NULL);
	mlci_profile_add_missing(&p);
	s = print_json(&p, 0);
	CHECK_STR(s, "{\"count\":0,\"missing\":1,\"distinct\":0,"
		  "\"distinct_approximate\":false,\"mean\":null,\"std\":null,"
		  "\"min\":null,\"max\":null,\"quantiles\":null,"
		  "\"histogram\":null,\"quantiles_approximate\":false,"
		  "\"reason\":\"no values\"}", "view of an empty column");
	free(s);

	mlci_profile_add_number(&p, -0.0);
	mlci_profile_add_number(&p, 0.0);
	mlci_profile_add_number(&p, NAN);
	mlci_profile_add_number(&p, INFINITY);
	mlci_profile_add_number(&p, 2.0);
	mlci_profile_add_string(&p, "x", 1);
	j = mlci_profile_to_json(&p, 0);
	CHECK_INT(num(j, "count"), 3, "NaN and inf count as missing, strings ignored");
	CHECK_INT(num(j, "missing"), 3, "missing: one, NaN, inf");
	CHECK_INT(num(j, "distinct"), 2, "-0.0 and 0.0 are one value");
	CHECK(!signbit(num(j, "min")), "min is +0.0");
	CHECK_NEAR(cJSON_GetArrayItem(mlci_json_path(j, "histogram.edges"), 0)->valuedouble,
		   0, 0, "histogram starts at min");
	cJSON_Delete(j);
	mlci_profile_release(&p);

	mlci_profile_add_number(&p, 7.0);
	s = print_json(&p, 0);
	CHECK_STR(s, "{\"count\":1,\"missing\":0,\"distinct\":1,"
		  "\"distinct_approximate\":false,\"mean\":7,\"std\":null,"
		  "\"min\":7,\"max\":7,\"quantiles\":{\"p1\":7,\"p5\":7,"
		  "\"p25\":7,\"p50\":7,\"p75\":7,\"p95\":7,\"p99\":7},"
		  "\"quantiles_approximate\":false,\"histogram\":{\"edges\":"
		  "[6.5,6.6,6.7,6.8,6.9,7,7.1,7.2,7.3,7.4,7.5],\"counts\":"
		  "[0,0,0,0,0,1,0,0,0,0],\"approximate\":false},"
		  "\"reason\":\"one value: the sample standard deviation needs two\"}",
		  "view of one value: std null with a reason");
	free(s);
	mlci_profile_release(&p);
}

/* ---- sketches: distinct ---- */

static void test_distinct(void)
{
	struct mlci_profile p, q;
	size_t i;
	char buf[32];
	double est;
	cJSON *j;

	mlci_profile_init(&p, MLCI_PROFILE_NUMBER, NULL);
	for (i = 0; i < 1000000; i++)
		mlci_profile_add_number(&p, (double)i * 0.5 + 0.25);
	j = mlci_profile_to_json(&p, 0);
	est = num(j, "distinct");
	CHECK(fabs(est - 1e6) / 1e6 < 0.03, "HyperLogLog: 10^6 distinct numbers within 3%");
	if (fabs(est - 1e6) / 1e6 >= 0.03)
		printf("#   estimate %.0f\n", est);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "distinct_approximate")),
	      "distinct_approximate past the bound");
	cJSON_Delete(j);
	mlci_profile_release(&p);

	mlci_profile_init(&q, MLCI_PROFILE_STRING, NULL);
	for (i = 0; i < 1000000; i++) {
		int len = snprintf(buf, sizeof(buf), "user-%zu", i * 7919);

		mlci_profile_add_string(&q, buf, (size_t)len);
	}
	j = mlci_profile_to_json(&q, 0);
	est = num(j, "distinct");
	CHECK(fabs(est - 1e6) / 1e6 < 0.03, "HyperLogLog: 10^6 distinct strings within 3%");
	if (fabs(est - 1e6) / 1e6 >= 0.03)
		printf("#   estimate %.0f\n", est);
	cJSON_Delete(j);
	mlci_profile_release(&q);

	/* Just past the exact bound, where raw HyperLogLog is biased. */
	mlci_profile_init(&q, MLCI_PROFILE_STRING, NULL);
	for (i = 0; i < 80000; i++) {
		int len = snprintf(buf, sizeof(buf), "%zx", i);

		mlci_profile_add_string(&q, buf, (size_t)len);
		if (i + 1 == 65536) {
			j = mlci_profile_to_json(&q, 0);
			CHECK_INT(num(j, "distinct"), 65536,
				  "distinct exact up to the bound");
			CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "distinct_approximate")),
			      "distinct_approximate false at the bound");
			cJSON_Delete(j);
		}
	}
	j = mlci_profile_to_json(&q, 0);
	est = num(j, "distinct");
	CHECK(fabs(est - 80000) / 80000 < 0.03,
	      "HyperLogLog: 80000 distinct (just past the bound) within 3%");
	cJSON_Delete(j);
	mlci_profile_release(&q);

	/* Many values, few distinct: exact in sketch mode. */
	mlci_profile_init(&p, MLCI_PROFILE_NUMBER, NULL);
	for (i = 0; i < 300000; i++)
		mlci_profile_add_number(&p, (double)(i % 1000));
	j = mlci_profile_to_json(&p, 0);
	CHECK_INT(num(j, "distinct"), 1000, "distinct exact in sketch mode under its bound");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "distinct_approximate")) &&
	      cJSON_IsTrue(cJSON_GetObjectItem(j, "quantiles_approximate")),
	      "quantiles sketched, distinct exact");
	cJSON_Delete(j);
	mlci_profile_release(&p);
}

/* ---- sketches: quantiles ---- */

/*
 * The normalised rank error of v as the q quantile of the sorted x[0..n):
 * how far q (n - 1) lies outside the positions v can stand at.
 */
static double rank_error(const double *x, size_t n, double q, double v)
{
	size_t lo = 0, hi = n, a, b;
	double t = q * (double)(n - 1);

	while (lo < hi) {	/* #{x < v} */
		size_t mid = lo + (hi - lo) / 2;

		if (x[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	a = lo;
	hi = n;
	while (lo < hi) {	/* #{x <= v} */
		size_t mid = lo + (hi - lo) / 2;

		if (x[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	b = lo;
	if (t < (double)a - 1)
		return ((double)a - 1 - t) / (double)n;
	if (t > (double)b)
		return (t - (double)b) / (double)n;
	return 0;
}

static double worst_rank_error(const struct mlci_profile *p, const double *sorted,
			       size_t n)
{
	double worst = 0;
	size_t i;

	for (i = 0; i < MLCI_PROFILE_NQUANTILES; i++) {
		double e = rank_error(sorted, n, mlci_profile_quantiles[i],
				      mlci_profile_quantile(p, mlci_profile_quantiles[i]));

		if (e > worst)
			worst = e;
	}
	return worst;
}

static double *dataset(int kind, size_t n, uint64_t seed)
{
	struct mlci_rng r;
	double *v = xmalloc(n * sizeof(*v));
	size_t i;

	mlci_rng_seed(&r, seed);
	for (i = 0; i < n; i++) {
		if (kind == 0)
			v[i] = 100 + 15 * gauss(&r);
		else if (kind == 1)
			v[i] = cauchy(&r);
		else	/* duplicates: 50 integers, skewed, plus a normal tail */
			v[i] = i % 5 ? floor(50 * pow(mlci_rng_uniform(&r), 3))
				     : round(gauss(&r) * 100) / 4;
	}
	return v;
}

static const char *const dataset_names[] = {
	"normal", "heavy-tailed (cauchy)", "duplicates"
};

static void test_quantile_sketch(void)
{
	size_t n = 2000000, i;
	int kind;

	for (kind = 0; kind < 3; kind++) {
		double *v = dataset(kind, n, 100 + (uint64_t)kind), *sorted, err;
		struct mlci_profile *p = number_profile(v, n, NULL), *shard[4], m;
		cJSON *j = mlci_profile_to_json(p, 0);
		char label[160];

		sorted = xmalloc(n * sizeof(*sorted));
		memcpy(sorted, v, n * sizeof(*v));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		err = worst_rank_error(p, sorted, n);
		snprintf(label, sizeof(label),
			 "KLL: %s, 2e6 values: rank error of p1..p99 within %g",
			 dataset_names[kind], MLCI_PROFILE_RANK_ERROR);
		CHECK(err <= MLCI_PROFILE_RANK_ERROR, label);
		printf("#   worst rank error %.5f\n", err);
		snprintf(label, sizeof(label), "%s: count, min, max exact in sketch mode",
			 dataset_names[kind]);
		CHECK(num(j, "count") == (double)n && num(j, "min") == sorted[0] &&
		      num(j, "max") == sorted[n - 1], label);
		snprintf(label, sizeof(label), "%s: quantiles_approximate, rank error given",
			 dataset_names[kind]);
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "quantiles_approximate")) &&
		      num(j, "quantiles_rank_error") == MLCI_PROFILE_RANK_ERROR, label);
		{
			const cJSON *c = mlci_json_path(j, "histogram.counts");
			const cJSON *it;
			double total = 0;

			cJSON_ArrayForEach(it, c)
				total += it->valuedouble;
			snprintf(label, sizeof(label),
				 "%s: sketch histogram counts add up to count",
				 dataset_names[kind]);
			CHECK(total == (double)n, label);
		}

		/* Four shards of different sizes, merged in two orders. */
		for (i = 0; i < 4; i++) {
			size_t lo = n * i * i / 16, hi = n * (i + 1) * (i + 1) / 16;

			shard[i] = number_profile(v + lo, hi - lo, NULL);
		}
		mlci_profile_init(&m, MLCI_PROFILE_NUMBER, NULL);
		for (i = 4; i-- > 0;)
			CHECK_INT(mlci_profile_merge(&m, shard[i]), 0, "merge");
		{
			cJSON *mj = mlci_profile_to_json(&m, 0);

			snprintf(label, sizeof(label),
				 "%s: merge of 4 shards: count, min, max exact, distinct as one pass",
				 dataset_names[kind]);
			CHECK(num(mj, "count") == (double)n &&
			      num(mj, "min") == sorted[0] &&
			      num(mj, "max") == sorted[n - 1] &&
			      num(mj, "distinct") == num(j, "distinct"), label);
			snprintf(label, sizeof(label),
				 "%s: merge of 4 shards: mean and std as one pass (1e-12)",
				 dataset_names[kind]);
			CHECK(near_rel(num(mj, "mean"), num(j, "mean"), 1e-12) &&
			      near_rel(num(mj, "std"), num(j, "std"), 1e-12), label);
			snprintf(label, sizeof(label),
				 "%s: merge of 4 shards: rank error within %g",
				 dataset_names[kind], MLCI_PROFILE_RANK_ERROR);
			err = worst_rank_error(&m, sorted, n);
			CHECK(err <= MLCI_PROFILE_RANK_ERROR, label);
			printf("#   worst rank error %.5f\n", err);
			cJSON_Delete(mj);
		}
		mlci_profile_release(&m);
		/* A tree: (0 + 2) + (3 + 1). */
		mlci_profile_merge(shard[0], shard[2]);
		mlci_profile_merge(shard[3], shard[1]);
		mlci_profile_merge(shard[0], shard[3]);
		err = worst_rank_error(shard[0], sorted, n);
		snprintf(label, sizeof(label),
			 "%s: tree merge: count exact, rank error within %g",
			 dataset_names[kind], MLCI_PROFILE_RANK_ERROR);
		CHECK(mlci_profile_count(shard[0]) == n &&
		      err <= MLCI_PROFILE_RANK_ERROR, label);
		for (i = 0; i < 4; i++)
			profile_free(shard[i]);
		cJSON_Delete(j);
		profile_free(p);
		free(sorted);
		free(v);
	}
}

/* ---- merges in exact mode ---- */

static void test_exact_merge(void)
{
	struct mlci_rng r;
	size_t n = 60000, i, parts = 5;
	double *v = dataset(2, n, 7);
	struct mlci_profile *one = number_profile(v, n, NULL), *part[5], m1, m2;
	char *want = print_json(one, 1), *got;
	size_t *owner = xmalloc(n * sizeof(*owner));

	mlci_rng_seed(&r, 3);
	for (i = 0; i < parts; i++) {
		part[i] = xmalloc(sizeof(*part[i]));
		mlci_profile_init(part[i], MLCI_PROFILE_NUMBER, NULL);
	}
	for (i = 0; i < n; i++) {
		owner[i] = (size_t)mlci_rng_below(&r, parts);
		mlci_profile_add_number(part[owner[i]], v[i]);
		if (i % 97 == 0)
			mlci_profile_add_missing(part[owner[i]]);
		if (i % 97 == 0)
			mlci_profile_add_missing(one);
	}
	free(want);
	want = print_json(one, 1);
	mlci_profile_init(&m1, MLCI_PROFILE_NUMBER, NULL);
	mlci_profile_init(&m2, MLCI_PROFILE_NUMBER, NULL);
	for (i = 0; i < parts; i++) {
		mlci_profile_merge(&m1, part[i]);
		mlci_profile_merge(&m2, part[parts - 1 - i]);
	}
	got = print_json(&m1, 1);
	CHECK_STR(got, want, "exact merge of 5 random parts equals one pass (view and state)");
	free(got);
	got = print_json(&m2, 1);
	CHECK_STR(got, want, "exact merge in reverse order equals one pass");
	free(got);
	mlci_profile_merge(part[1], part[3]);
	mlci_profile_merge(part[4], part[0]);
	mlci_profile_merge(part[4], part[2]);
	mlci_profile_merge(part[1], part[4]);
	got = print_json(part[1], 1);
	CHECK_STR(got, want, "exact merge as a tree equals one pass");
	free(got);
	for (i = 0; i < parts; i++)
		profile_free(part[i]);
	mlci_profile_release(&m1);
	mlci_profile_release(&m2);
	free(want);

	/* Exact parts whose union passes the bound turn into the sketch. */
	{
		struct mlci_profile_limits l = MLCI_PROFILE_LIMITS_INIT;
		struct mlci_profile *a, *b;
		cJSON *j;
		double *sorted = xmalloc(n * sizeof(*sorted));

		l.max_values = 40000;
		a = number_profile(v, 30000, &l);
		b = number_profile(v + 30000, 30000, &l);
		CHECK(!a->sketch && !b->sketch, "30000 values of 40000: exact");
		mlci_profile_merge(a, b);
		j = mlci_profile_to_json(a, 0);
		memcpy(sorted, v, n * sizeof(*v));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "quantiles_approximate")) &&
		      num(j, "count") == 60000 && num(j, "min") == sorted[0] &&
		      num(j, "max") == sorted[n - 1],
		      "exact + exact past the bound: sketch, counts exact");
		CHECK(worst_rank_error(a, sorted, n) <= MLCI_PROFILE_RANK_ERROR,
		      "exact + exact past the bound: rank error within bound");
		CHECK(mlci_profile_values(a, &i) == NULL && i == 0,
		      "no exact values past the bound");
		cJSON_Delete(j);
		profile_free(a);
		profile_free(b);
		free(sorted);
	}
	free(owner);
	profile_free(one);
	free(v);
}

/* ---- JSON round trip ---- */

static int round_trip(const struct mlci_profile *p, const char *name)
{
	char *a = print_json(p, 1), *b = NULL, label[128];
	cJSON *parsed = cJSON_Parse(a);
	struct mlci_profile q;
	int ret = mlci_profile_from_json(parsed, &q, "test");

	snprintf(label, sizeof(label), "%s: from_json reads to_json", name);
	CHECK_INT(ret, 0, label);
	if (!ret) {
		b = print_json(&q, 1);
		snprintf(label, sizeof(label), "%s: JSON round trip is exact", name);
		CHECK_STR(b, a, label);
		snprintf(label, sizeof(label), "%s: moments bit for bit", name);
		CHECK(!memcmp(&q.mean, &p->mean, sizeof(q.mean)) &&
		      !memcmp(&q.m2, &p->m2, sizeof(q.m2)), label);
		mlci_profile_release(&q);
	}
	cJSON_Delete(parsed);
	free(a);
	free(b);
	return ret;
}

static void test_round_trip(void)
{
	static const double hard[] = {
		0.1, 0.2, 0.30000000000000004, 1.0000000000000002,
		4.9406564584124654e-324, 1.7976931348623157e+300, -2.5e-300,
		123456789.123456789, -0.0, 1e22, 2.2250738585072014e-308
	};
	struct mlci_profile_limits l = MLCI_PROFILE_LIMITS_INIT;
	struct mlci_profile *p;
	struct mlci_rng r;
	double *v;
	size_t i;
	char buf[64];

	p = number_profile(hard, sizeof(hard) / sizeof(*hard), NULL);
	round_trip(p, "exact numbers, hard doubles");
	profile_free(p);

	/* Sketch mode with hard moments and a pending batch. */
	l.max_values = 5;
	p = number_profile(hard, sizeof(hard) / sizeof(*hard), &l);
	CHECK(p->sketch && p->nbuf > 0, "sketch mode with pending values");
	round_trip(p, "sketch with pending values");
	profile_free(p);
	v = dataset(0, 250000, 11);
	for (i = 0; i < 250000; i++)
		v[i] /= 3;
	p = number_profile(v, 250000, NULL);
	round_trip(p, "sketch, 250000 values");
	profile_free(p);
	free(v);

	p = xmalloc(sizeof(*p));
	mlci_profile_init(p, MLCI_PROFILE_STRING, NULL);
	mlci_rng_seed(&r, 5);
	for (i = 0; i < 5000; i++) {
		int len = snprintf(buf, sizeof(buf), "cat \"%u\"\t\xc3\xa9",
				   (unsigned)mlci_rng_below(&r, 300));

		mlci_profile_add_string(p, buf, (size_t)len);
	}
	mlci_profile_add_missing(p);
	round_trip(p, "exact strings");
	for (i = 0; i < 30000; i++) {
		int len = snprintf(buf, sizeof(buf), "v%u",
				   (unsigned)mlci_rng_below(&r, 20000));

		mlci_profile_add_string(p, buf, (size_t)len);
	}
	CHECK(p->top.approximate, "strings past the bound are approximate");
	round_trip(p, "approximate strings");
	profile_free(p);

	/* cJSON itself would print some doubles inexactly: state does not. */
	{
		cJSON *n = cJSON_CreateNumber(1.0000000000000002);
		char *s = cJSON_PrintUnformatted(n);

		printf("# cJSON prints 1.0000000000000002 as %s\n", s);
		free(s);
		cJSON_Delete(n);
	}
}

/* ---- strict reading ---- */

struct mutation {
	const char *base;	/* "exact", "sketch", "string" */
	const char *parent;	/* dotted path under the column object */
	const char *key;
	const char *value;	/* JSON text; NULL deletes the key */
	const char *field;	/* expected in the message */
};

static const struct mutation mutations[] = {
	{ "exact", NULL, "state", NULL, "'state'" },
	{ "exact", "state", "format", "2", "'state.format'" },
	{ "exact", "state", "format", NULL, "'state.format'" },
	{ "exact", "state", "type", "\"bool\"", "'state.type'" },
	{ "exact", "state", "count", "-1", "'state.count'" },
	{ "exact", "state", "count", "1.5", "'state.count'" },
	{ "exact", "state", "count", "4", "'state.values'" },
	{ "exact", "state", "missing", "\"x\"", "'state.missing'" },
	{ "exact", "state", "values", "\"AAAA*AAA\"", "'state.values'" },
	{ "exact", "state", "values", "\"AAAAAAAAAAA=\"", "'state.values'" },
	{ "exact", "state", "values", "\"AAAAAAAAAEAAAAAAAADwPw==\"", "'state.values'" },
	{ "exact", "state", "values", "\"AAAAAAAA8H8AAAAAAADwfw==\"", "'state.values'" },
	{ "exact", "state", "extra", "1", "'state.extra'" },
	{ "exact", "state.limits", "max_values", NULL, "'state.limits.max_values'" },
	{ "exact", "state.limits", "sketch_k", "2", "'state.limits.sketch_k'" },
	{ "exact", "state.limits", "typo", "2", "'state.limits.typo'" },
	{ "sketch", "state", "mean", "\"1\"", "'state.mean'" },
	{ "sketch", "state", "m2", "-1", "'state.m2'" },
	{ "sketch", "state", "min", "1e300", "'state.min'" },
	{ "sketch", "state.kll", "levels", "{}", "'state.kll.levels'" },
	{ "sketch", "state.kll", "levels", "[\"AAAAAAAAAEA=\", 3]", "'state.kll.levels[1]'" },
	{ "sketch", "state.kll", "levels", "[\"AAAAAAAAAEA=\"]", "'state.pending'" },
	{ "sketch", "state", "pending", "\"=\"", "'state.pending'" },
	{ "sketch", "state.distinct", "hll", "\"AAAA\"", "'state.distinct'" },
	{ "sketch", "state", "distinct", "{\"hll\": \"AAAA\"}", "'state.distinct.hll'" },
	{ "sketch", "state", "distinct", "{\"hashes\": \"AgAAAAAAAAABAAAAAAAAAA==\"}",
	  "'state.distinct.hashes'" },
	{ "string", "state.categories", "approximate", "0", "'state.categories.approximate'" },
	{ "string", "state.categories", "entries", "[[\"a\", 2], [\"a\", 1]]",
	  "'state.categories.entries[1]'" },
	{ "string", "state.categories", "entries", "[[\"a\", 0]]",
	  "'state.categories.entries[0]'" },
	{ "string", "state.categories", "entries", "[[\"a\", 3, 0]]",
	  "'state.categories.entries[0]'" },
	{ "string", "state.categories", "entries", "[[\"a\", 2]]",
	  "'state.categories.entries'" },
	{ "string", "state.categories", "entries", "[[\"a\", 4]]",
	  "'state.categories.entries[0]'" },
	{ "string", "state", "distinct", NULL, "'state.distinct'" },
};

/* Call from_json with stderr captured into msg. */
static int from_json_captured(const cJSON *j, struct mlci_profile *p,
			      char *msg, size_t size)
{
	FILE *tmp = tmpfile();
	int saved, ret;
	size_t n;

	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	ret = mlci_profile_from_json(j, p, "stats.json: column 'x'");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(msg, 1, size - 1, tmp);
	msg[n] = '\0';
	fclose(tmp);
	return ret;
}

static void test_strict(void)
{
	static const double three[] = { 1, 2, 3 };
	struct mlci_profile_limits l = MLCI_PROFILE_LIMITS_INIT;
	struct mlci_profile *ex, *sk, st;
	char *base[3], msg[512], label[256];
	size_t i;

	ex = number_profile(three, 3, NULL);
	l.max_values = 2;
	sk = number_profile(three, 3, &l);
	mlci_profile_init(&st, MLCI_PROFILE_STRING, NULL);
	mlci_profile_add_string(&st, "a", 1);
	mlci_profile_add_string(&st, "a", 1);
	mlci_profile_add_string(&st, "b", 1);
	base[0] = print_json(ex, 1);
	base[1] = print_json(sk, 1);
	base[2] = print_json(&st, 1);
	for (i = 0; i < 3; i++) {
		cJSON *j = cJSON_Parse(base[i]);
		struct mlci_profile q;

		snprintf(label, sizeof(label), "strict: the unchanged %s state reads",
			 i == 0 ? "exact" : i == 1 ? "sketch" : "string");
		CHECK_INT(from_json_captured(j, &q, msg, sizeof(msg)), 0, label);
		mlci_profile_release(&q);
		cJSON_Delete(j);
	}
	for (i = 0; i < sizeof(mutations) / sizeof(*mutations); i++) {
		const struct mutation *m = &mutations[i];
		int b = !strcmp(m->base, "exact") ? 0 : !strcmp(m->base, "sketch") ? 1 : 2;
		cJSON *j = cJSON_Parse(base[b]);
		cJSON *parent = m->parent ? mlci_json_path(j, m->parent) : j;
		struct mlci_profile q;
		int ret;

		if (m->value)
			mlci_json_set(parent, m->key, cJSON_Parse(m->value));
		else
			cJSON_DeleteItemFromObjectCaseSensitive(parent, m->key);
		ret = from_json_captured(j, &q, msg, sizeof(msg));
		snprintf(label, sizeof(label), "strict: %s %s.%s = %s: refused naming %s",
			 m->base, m->parent ? m->parent : "", m->key,
			 m->value ? m->value : "(deleted)", m->field);
		if (!CHECK(ret == -MLCI_EXIT_INPUT && strstr(msg, m->field) &&
			   strstr(msg, "stats.json: column 'x'"), label))
			printf("#   ret %d, message: %s", ret, msg);
		mlci_profile_release(&q);
		cJSON_Delete(j);
	}
	{
		cJSON *arr = cJSON_CreateArray();
		struct mlci_profile q;

		CHECK_INT(from_json_captured(arr, &q, msg, sizeof(msg)),
			  -MLCI_EXIT_INPUT, "strict: not an object");
		mlci_profile_release(&q);
		cJSON_Delete(arr);
	}
	{
		struct mlci_profile q;
		int ret;

		mlci_set_quiet(1);
		ret = mlci_profile_merge(ex, &st);
		mlci_set_quiet(0);
		CHECK_INT(ret, -MLCI_EXIT_INPUT, "merging a string column into a number column");
		(void)q;
	}
	for (i = 0; i < 3; i++)
		free(base[i]);
	profile_free(ex);
	profile_free(sk);
	mlci_profile_release(&st);
}

/* ---- top values ---- */

static void test_top_exact(void)
{
	struct mlci_profile p, a, b;
	struct mlci_profile_category *c;
	struct mlci_rng r;
	size_t order[50 * 51 / 2 * 3], n = 0, i, k;
	char buf[16], *s1, *s2;
	int exact;
	cJSON *j;

	for (k = 0; k < 50; k++)
		for (i = 0; i < (k + 1) * 3; i++)
			order[n++] = k;
	mlci_rng_seed(&r, 9);
	for (i = n; i > 1; i--) {
		size_t x = (size_t)mlci_rng_below(&r, i), t = order[i - 1];

		order[i - 1] = order[x];
		order[x] = t;
	}
	mlci_profile_init(&p, MLCI_PROFILE_STRING, NULL);
	mlci_profile_init(&a, MLCI_PROFILE_STRING, NULL);
	mlci_profile_init(&b, MLCI_PROFILE_STRING, NULL);
	for (i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof(buf), "k%02zu", order[i]);

		mlci_profile_add_string(&p, buf, (size_t)len);
		mlci_profile_add_string(i % 3 ? &a : &b, buf, (size_t)len);
	}
	j = mlci_profile_to_json(&p, 0);
	s1 = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "top"));
	CHECK_STR(s1, "[{\"value\":\"k49\",\"count\":150},{\"value\":\"k48\",\"count\":147},"
		  "{\"value\":\"k47\",\"count\":144},{\"value\":\"k46\",\"count\":141},"
		  "{\"value\":\"k45\",\"count\":138},{\"value\":\"k44\",\"count\":135},"
		  "{\"value\":\"k43\",\"count\":132},{\"value\":\"k42\",\"count\":129},"
		  "{\"value\":\"k41\",\"count\":126},{\"value\":\"k40\",\"count\":123}]",
		  "top 10 exact, by count");
	free(s1);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "top_approximate")) &&
	      num(j, "distinct") == 50 && num(j, "count") == (double)n,
	      "exact: top_approximate false, distinct 50");
	cJSON_Delete(j);
	c = mlci_profile_categories(&p, &k, &exact);
	CHECK(exact && k == 50 && c[49].count == 3 && !strcmp(c[49].value, "k00"),
	      "categories: all 50, exact, the rarest last");
	free(c);
	mlci_profile_merge(&a, &b);
	s1 = print_json(&p, 1);
	s2 = print_json(&a, 1);
	CHECK_STR(s2, s1, "exact string merge equals one pass");
	free(s1);
	free(s2);
	mlci_profile_release(&p);
	mlci_profile_release(&a);
	mlci_profile_release(&b);

	/* Ties by value; long values cut at a character boundary; NUL. */
	mlci_profile_init(&p, MLCI_PROFILE_STRING, NULL);
	mlci_profile_add_string(&p, "b", 1);
	mlci_profile_add_string(&p, "a", 1);
	mlci_profile_add_string(&p, "a\0x", 3);
	{
		char longv[300];

		memset(longv, 'x', sizeof(longv));
		memcpy(longv + 254, "\xc3\xa9", 2);	/* bytes 254-255: é */
		longv[256] = 'y';
		mlci_profile_add_string(&p, longv, 257);
		longv[256] = 'z';
		mlci_profile_add_string(&p, longv, 257);
		longv[254] = 'x';
		memcpy(longv + 255, "\xc3\xa9", 2);	/* é across the cut */
		mlci_profile_add_string(&p, longv, 300);
	}
	c = mlci_profile_categories(&p, &k, &exact);
	CHECK(k == 4, "categories: a (with the NUL-cut value), b, two cut long values");
	if (k == 4) {
		CHECK(!strcmp(c[0].value, "a") && c[0].count == 2,
		      "a value is counted up to its NUL");
		CHECK(c[1].len == 256 && c[1].count == 2,
		      "values longer than max_key_len counted under their first 256 bytes");
		CHECK(!strcmp(c[2].value, "b"), "ties ordered by value");
		CHECK(c[3].len == 255 && c[3].count == 1,
		      "the cut does not split a UTF-8 character");
	}
	free(c);
	j = mlci_profile_to_json(&p, 0);
	CHECK_INT(num(j, "distinct"), 6, "distinct counts all bytes of each value");
	cJSON_Delete(j);
	mlci_profile_release(&p);

	/*
	 * Repeated values take the short path of values seen lately: a key
	 * first counted for a longer (cut) value in the same slot ("abcdy"
	 * and "abcd"), then the key itself, must
	 * still add the key's own hash to distinct; so must values that share
	 * a slot, the empty value, and a value with a NUL.
	 */
	{
		struct mlci_profile_limits l = MLCI_PROFILE_LIMITS_INIT;
		static const char *const seq[] = {
			"abcdy", "abcd", "abcd", "abcdef", "abcd", "", "", "x",
			"y", "x", "ab", "ba", "ab", "ba", "abcdxf", "abcd"
		};

		l.max_key_len = 4;
		mlci_profile_init(&p, MLCI_PROFILE_STRING, &l);
		for (k = 0; k < 3; k++)
			for (i = 0; i < sizeof(seq) / sizeof(*seq); i++)
				mlci_profile_add_string(&p, seq[i], strlen(seq[i]));
		mlci_profile_add_string(&p, "x\0z", 3);
		mlci_profile_add_string(&p, "x", 1);
		c = mlci_profile_categories(&p, &k, &exact);
		CHECK(exact && k == 6 && !strcmp(c[0].value, "abcd") &&
		      c[0].count == 21 && !strcmp(c[1].value, "x") &&
		      c[1].count == 8 && c[2].count == 6 && c[5].count == 3,
		      "repeated values: counts as one by one");
		free(c);
		j = mlci_profile_to_json(&p, 0);
		CHECK_INT(num(j, "distinct"), 10,
			  "repeated values: distinct counts each value's own bytes");
		CHECK_INT(num(j, "count"), 50, "repeated values: count");
		cJSON_Delete(j);
		mlci_profile_release(&p);
		mlci_profile_init(&p, MLCI_PROFILE_STRING, &l);
		mlci_profile_add_string(&p, "abcdy", 5);
		mlci_profile_add_string(&p, "abcd", 4);
		j = mlci_profile_to_json(&p, 0);
		CHECK_INT(num(j, "distinct"), 2,
			  "a key counted for a cut value, then alone: two distinct");
		cJSON_Delete(j);
		mlci_profile_release(&p);
	}
}

/*
 * Counting a known string again, grouped, is n calls of
 * mlci_profile_add_string(): only for an exact string profile that has
 * the whole value already.
 */
static void test_string_again(void)
{
	struct mlci_profile_limits l = MLCI_PROFILE_LIMITS_INIT;
	struct mlci_profile p, q, n;
	char *a, *b;
	int i;

	l.max_categories = 3;
	l.max_key_len = 4;
	mlci_profile_init(&p, MLCI_PROFILE_STRING, &l);
	mlci_profile_init(&q, MLCI_PROFILE_STRING, &l);
	mlci_profile_init(&n, MLCI_PROFILE_NUMBER, &l);
	for (i = 0; i < 2; i++) {
		mlci_profile_add_string(&p, "x", 1);
		mlci_profile_add_string(&q, "x", 1);
		mlci_profile_add_string(&p, "longer", 6);
	}
	CHECK(mlci_profile_string_known(&p, "x", 1) &&
	      !mlci_profile_string_known(&p, "y", 1) &&
	      !mlci_profile_string_known(&p, "longer", 6) &&
	      !mlci_profile_string_known(&n, "x", 1),
	      "known: only whole values an exact string profile counted");
	mlci_profile_add_string_again(&q, "x", 1, 5);
	for (i = 0; i < 5; i++)
		mlci_profile_add_string(&p, "x", 1);
	for (i = 0; i < 2; i++)
		mlci_profile_add_string(&q, "longer", 6);
	a = print_json(&p, 1);
	b = print_json(&q, 1);
	CHECK_STR(b, a, "again: the same view and state as one by one");
	free(a);
	free(b);
	mlci_profile_add_string(&p, "y", 1);
	mlci_profile_add_string(&p, "z", 1);
	CHECK(!mlci_profile_string_known(&p, "x", 1),
	      "known: not once the counts are approximate");
	mlci_profile_release(&p);
	mlci_profile_release(&q);
	mlci_profile_release(&n);
}

static void test_top_approximate(void)
{
	size_t nkeys = 100000, n = 1000000, i, k, missing_heavy = 0;
	uint64_t *truth = xcalloc(nkeys, sizeof(*truth));
	struct mlci_profile p, shard[3], m;
	struct mlci_rng r;
	char buf[32];
	int ok, exact;

	mlci_profile_init(&p, MLCI_PROFILE_STRING, NULL);
	for (i = 0; i < 3; i++)
		mlci_profile_init(&shard[i], MLCI_PROFILE_STRING, NULL);
	mlci_rng_seed(&r, 21);
	for (i = 0; i < n; i++) {
		/* Zipf-like: key ~ nkeys^u - 1, heavy at small keys. */
		size_t key = (size_t)(pow((double)nkeys, mlci_rng_uniform(&r))) - 1;
		int len = snprintf(buf, sizeof(buf), "key-%zu", key);

		truth[key]++;
		mlci_profile_add_string(&p, buf, (size_t)len);
		mlci_profile_add_string(&shard[i * 3 / n], buf, (size_t)len);
	}
	mlci_profile_init(&m, MLCI_PROFILE_STRING, NULL);
	mlci_profile_merge(&m, &shard[2]);
	mlci_profile_merge(&m, &shard[0]);
	mlci_profile_merge(&m, &shard[1]);
	for (k = 0; k < 2; k++) {
		struct mlci_profile *q = k ? &m : &p;
		struct mlci_profile_category *c;
		size_t nc, bound = n / q->limits.top_capacity;
		const char *what = k ? "merged space-saving" : "space-saving";
		char label[128];
		cJSON *j;

		c = mlci_profile_categories(q, &nc, &exact);
		ok = !exact && nc == q->limits.top_capacity;
		for (i = 0; i < nc; i++) {
			size_t key = strtoul(c[i].value + 4, NULL, 10);

			if (!(c[i].count - c[i].error <= truth[key] &&
			      truth[key] <= c[i].count && c[i].error <= bound))
				ok = 0;
		}
		snprintf(label, sizeof(label),
			 "%s: count - error <= true <= count, error <= n/capacity", what);
		CHECK(ok, label);
		missing_heavy = 0;
		for (i = 0; i < nkeys; i++) {
			size_t x;

			if (truth[i] <= bound)
				continue;
			for (x = 0; x < nc; x++)
				if (strtoul(c[x].value + 4, NULL, 10) == i)
					break;
			if (x == nc)
				missing_heavy++;
		}
		snprintf(label, sizeof(label), "%s: every value above n/capacity is reported",
			 what);
		CHECK_INT(missing_heavy, 0, label);
		snprintf(label, sizeof(label), "%s: the top 5 are the true top 5", what);
		CHECK(nc >= 5 && !strcmp(c[0].value, "key-0") &&
		      !strcmp(c[1].value, "key-1") && !strcmp(c[2].value, "key-2") &&
		      !strcmp(c[3].value, "key-3") && !strcmp(c[4].value, "key-4"),
		      label);
		j = mlci_profile_to_json(q, 0);
		snprintf(label, sizeof(label), "%s: view marks top approximate, with errors",
			 what);
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "top_approximate")) &&
		      cJSON_GetArraySize(cJSON_GetObjectItem(j, "top")) == 10 &&
		      mlci_json_path(j, "top") &&
		      cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "top"), 0),
					  "error"), label);
		cJSON_Delete(j);
		free(c);
	}
	mlci_profile_release(&p);
	mlci_profile_release(&m);
	for (i = 0; i < 3; i++)
		mlci_profile_release(&shard[i]);
	free(truth);
}

/* ---- memory ---- */

static void test_memory(void)
{
	struct mlci_profile p;
	size_t i, s1 = 0, s2, limit;
	char buf[32];
	struct mlci_rng r;

	mlci_rng_seed(&r, 4);
	mlci_profile_init(&p, MLCI_PROFILE_NUMBER, NULL);
	for (i = 0; i < 4000000; i++) {
		mlci_profile_add_number(&p, gauss(&r) * 1e3 + (double)i);
		if (i + 1 == 1000000)
			s1 = mlci_profile_state_size(&p);
	}
	s2 = mlci_profile_state_size(&p);
	printf("# numbers: state %zu bytes at 1e6 values, %zu at 4e6\n", s1, s2);
	CHECK(s2 <= s1 + 4096, "numbers: the state does not grow past the bounds");
	limit = 3 << 19;
	CHECK(s2 < limit, "numbers: state under 1.5 MiB");
	mlci_profile_release(&p);

	mlci_profile_init(&p, MLCI_PROFILE_STRING, NULL);
	for (i = 0; i < 1000000; i++) {
		int len = snprintf(buf, sizeof(buf), "s%zu", i);

		mlci_profile_add_string(&p, buf, (size_t)len);
		if (i + 1 == 250000)
			s1 = mlci_profile_state_size(&p);
	}
	s2 = mlci_profile_state_size(&p);
	printf("# strings: state %zu bytes at 250000 values, %zu at 1e6\n", s1, s2);
	CHECK(s2 <= s1 + 4096, "strings: the state does not grow past the bounds");
	CHECK(s2 < (size_t)1 << 20, "strings: state under 1 MiB once approximate");
	mlci_profile_release(&p);
}

/* ---- accessors for drift ---- */

static void test_accessors(void)
{
	static const double v[] = { 3, 1, 2, 2, -5 };
	struct mlci_profile_limits l = MLCI_PROFILE_LIMITS_INIT;
	struct mlci_profile *p = number_profile(v, 5, NULL);
	double *x, *xs;
	uint64_t *w, total = 0;
	size_t n, i;

	x = mlci_profile_values(p, &n);
	CHECK(n == 5 && x[0] == -5 && x[1] == 1 && x[2] == 2 && x[3] == 2 && x[4] == 3,
	      "values: a sorted copy");
	free(x);
	n = mlci_profile_weighted_values(p, &xs, &w);
	CHECK(n == 5 && xs[0] == -5 && w[0] == 1 && w[4] == 1,
	      "weighted values in exact mode: weight 1");
	free(xs);
	free(w);
	CHECK_NEAR(mlci_profile_quantile(p, 0.5), 2, 0, "quantile 0.5");
	CHECK_NEAR(mlci_profile_quantile(p, 0.1), -2.6, 1e-15, "quantile 0.1 interpolates");
	profile_free(p);

	l.max_values = 100;
	xs = dataset(0, 10000, 5);
	p = number_profile(xs, 10000, &l);
	free(xs);
	x = mlci_profile_values(p, &n);
	CHECK(!x && !n, "values: NULL past the bound");
	n = mlci_profile_weighted_values(p, &xs, &w);
	for (i = 0; i < n; i++)
		total += w[i];
	CHECK(total == 10000 && n < 10000, "weighted values past the bound: weights add up to count");
	for (i = 1; i < n && xs[i] >= xs[i - 1]; i++)
		;
	CHECK(i == n, "weighted values sorted");
	free(xs);
	free(w);
	profile_free(p);
}

/* ---- the sort and hashes ---- */

static void test_sketch_parts(void)
{
	static const double special[] = {
		-0.0, 0.0, -1e308, 1e308, 5e-324, -5e-324, 1, -1, 0.5, -0.5
	};
	struct mlci_rng r;
	size_t n = 10000, i;
	double *v = xmalloc(n * sizeof(*v)), *c = xmalloc(n * sizeof(*c));
	int ok = 1, kind;

	mlci_rng_seed(&r, 2);
	for (i = 0; i < n; i++)
		v[i] = i < 10 ? special[i] : gauss(&r) * pow(10, (double)(i % 40) - 20);
	for (kind = 0; kind < 5; kind++) {
		if (kind == 1)	/* heavy tails */
			for (i = 0; i < n; i++)
				v[i] = cauchy(&r);
		else if (kind == 2)	/* duplicates */
			for (i = 0; i < n; i++)
				v[i] = floor(pow(mlci_rng_uniform(&r), 4) * 20);
		else if (kind == 3)	/* subnormals, one huge outlier */
			for (i = 0; i < n; i++)
				v[i] = i ? (double)mlci_rng_below(&r, 1000) * 5e-324 : 1e300;
		else if (kind == 4)	/* two values */
			for (i = 0; i < n; i++)
				v[i] = i % 3 ? 1 : 2;
		memcpy(c, v, n * sizeof(*v));
		mlci_sort_doubles(v, n);
		qsort(c, n, sizeof(*c), cmp_double);
		for (i = 0; i < n; i++)
			if (v[i] != c[i])
				ok = 0;
	}
	CHECK(ok, "bucket sort of doubles agrees with qsort (5 distributions)");
	CHECK(mlci_hash_double(-0.0) == mlci_hash_double(0.0), "hash: -0.0 as 0.0");
	CHECK(mlci_hash_bytes("abc", 3) != mlci_hash_bytes("abd", 3) &&
	      mlci_hash_bytes("", 0) != mlci_hash_bytes("\0", 1),
	      "hash: different bytes, different hashes");
	printf("# hash golden %016llx %016llx\n",
	       (unsigned long long)mlci_hash_bytes("abcdefghijk", 11),
	       (unsigned long long)mlci_hash_double(1.5));
	free(v);
	free(c);
}

/* A double of random bits: subnormals, huge and tiny values, both signs. */
static double random_double(struct mlci_rng *r)
{
	uint64_t u = mlci_rng_next(r);
	double v;

	memcpy(&v, &u, sizeof(v));
	return isfinite(v) ? v : (double)(u >> 12);
}

/* Whether a and b hold the same exact set, or the same registers. */
static int same_distinct(const struct mlci_distinct *a,
			 const struct mlci_distinct *b)
{
	uint64_t *ha, *hb;
	size_t na, nb;
	int same;

	if (a->hll || b->hll)
		return a->hll && b->hll &&
		       !memcmp(a->hll, b->hll, MLCI_HLL_REGISTERS);
	na = mlci_distinct_hashes(a, &ha);
	nb = mlci_distinct_hashes(b, &hb);
	same = na == nb && !memcmp(ha, hb, na * sizeof(*ha));
	free(ha);
	free(hb);
	return same;
}

/* Batch b of a kind of data for test_simd(): n values into v. */
static void simd_batch(struct mlci_rng *r, int kind, double *v, size_t n)
{
	static const double special[] = {
		-0.0, 0.0, 5e-324, -5e-324, 2.2250738585072014e-308,
		-2.2250738585072009e-308, 1.7976931348623157e308,
		-1.7976931348623157e308, 1, -1, 0.1,
		0x1.8864680b583ebp+541	/* its hash is 0, an empty slot's mark */
	};
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = kind == 0 ? random_double(r) :
		       kind == 1 ? special[mlci_rng_below(r, 12)] :
		       kind == 2 ? floor(gauss(r) * 300) :	/* repeats */
		       kind == 3 ? (double)mlci_rng_below(r, 1 << 20) * 5e-324 :
		       kind == 4 ? gauss(r) * 1e3 + 5e3 :
		       cauchy(r);
}

/*
 * The same input under each instruction set: mlci_distinct_add_doubles()
 * against mlci_distinct_add() of mlci_hash_double(), value by value (the
 * same exact sets and registers after every batch, crossing from the
 * exact set to HyperLogLog within one, and registers long filled);
 * mlci_sort_doubles() against qsort(); mlci_kll_add_batch() item for
 * item against the scalar code's sketch, also with signed zeros, which
 * compare equal yet differ in their bits. The batches' sizes lie around
 * the vectors' and the chunks'.
 */
static void test_simd(void)
{
	static const char *const sets[] = { "scalar", "avx512" };
	static const size_t sizes[] = {
		1, 7, 8, 9, 15, 0, 255, 256, 257, 4096, 4099, 3
	};
	double *v = xmalloc(4099 * sizeof(*v)), *c = xmalloc(4099 * sizeof(*c));
	double *kv[2] = { NULL, NULL };
	uint64_t *kw[2] = { NULL, NULL };
	size_t kn[2] = { 0, 0 }, i, b, k, kind;
	uint64_t zeros[2][256];
	char name[96];

	for (k = 0; k < sizeof(sets) / sizeof(*sets); k++) {
		int same = 1, sorted = 1;
		struct mlci_kll s, zs;
		struct mlci_rng r;

		if (mlci_sketch_set_simd(sets[k])) {
			printf("# no %s here\n", sets[k]);
			continue;
		}
		mlci_kll_init(&s, 64, 3);
		for (kind = 0; kind < 6; kind++) {
			struct mlci_distinct a, e;

			mlci_rng_seed(&r, kind);
			mlci_distinct_init(&a, 3000);
			mlci_distinct_init(&e, 3000);
			for (b = 0; b < 36; b++) {
				size_t n = sizes[b % 12];

				simd_batch(&r, (int)kind, v, n);
				for (i = 0; i < n; i++)
					mlci_distinct_add(&e, mlci_hash_double(v[i]));
				mlci_distinct_add_doubles(&a, v, n);
				same &= same_distinct(&a, &e);
				memcpy(c, v, n * sizeof(*v));
				mlci_sort_doubles(c, n);
				qsort(v, n, sizeof(*v), cmp_double);
				for (i = 0; i < n; i++)
					sorted &= c[i] == v[i];
				/* Distinct values sit in their place. */
				simd_batch(&r, (int)kind, v, n);
				for (i = 0; i < n; i++)
					v[i] += 0.0;
				mlci_kll_add_batch(&s, v, n);
				simd_batch(&r, (int)kind, v, 4096);
				for (i = 0; i < 4096; i++)
					v[i] += 0.0;
				mlci_kll_add_batch(&s, v, 4096);
			}
			/* Both phases tried: few distinct values stay exact. */
			same &= !a.hll == (kind == 1 || kind == 2);
			mlci_distinct_release(&a);
			mlci_distinct_release(&e);
		}
		/*
		 * Signed zeros, equal but told apart here: which one a rank
		 * picks follows the batch's order, which both keep.
		 */
		for (b = 0; b < 16; b++) {
			static const size_t zn[] = { 4096, 32, 4096, 64, 1024 };
			size_t n = zn[b % 5];

			for (i = 0; i < n; i++)
				v[i] = mlci_rng_below(&r, 3) ? gauss(&r) :
				       mlci_rng_below(&r, 2) ? -0.0 : 0.0;
			mlci_kll_add_batch(&s, v, n);
		}
		/*
		 * Long enough for every register to have risen: then the
		 * vector code passes over a hash that cannot raise one.
		 */
		{
			struct mlci_distinct a, e;
			uint8_t least = 255;

			mlci_rng_seed(&r, 7);
			mlci_distinct_init(&a, 3000);
			mlci_distinct_init(&e, 3000);
			for (b = 0; b < 200; b++) {
				simd_batch(&r, 0, v, 4096);
				for (i = 0; i < 4096; i++)
					mlci_distinct_add(&e,
							  mlci_hash_double(v[i]));
				mlci_distinct_add_doubles(&a, v, 4096);
			}
			same &= same_distinct(&a, &e);
			for (i = 0; i < MLCI_HLL_REGISTERS; i++)
				least = a.hll[i] < least ? a.hll[i] : least;
			snprintf(name, sizeof(name),
				 "%s: registers filled to at least 2", sets[k]);
			CHECK(least >= 2, name);
			mlci_distinct_release(&a);
			mlci_distinct_release(&e);
		}
		/* The hash 0 where the slot after its home is empty. */
		{
			struct mlci_distinct a;
			double z[16];

			for (i = 0; i < 16; i++)
				z[i] = i % 2 ? 0x1.8864680b583ebp+541 : 1.0;
			mlci_distinct_init(&a, 3000);
			mlci_distinct_add_doubles(&a, z, 16);
			snprintf(name, sizeof(name),
				 "%s: the hash 0 counted beside an empty slot",
				 sets[k]);
			CHECK(mlci_distinct_count(&a) == 2 && a.has_zero, name);
			mlci_distinct_release(&a);
		}
		/*
		 * Then two zeros alone in a bucket, in either order, in a
		 * sketch of its own (one a rank picks about every eighth
		 * batch): its bits after each batch, before compactions drop
		 * the pick.
		 */
		mlci_kll_init(&zs, 200, 3);
		for (b = 0; b < 256; b++) {
			double *iv;
			uint64_t *iw;
			size_t in;

			for (i = 0; i < 4096; i++)
				v[i] = (mlci_rng_below(&r, 2) ? 1.0 : -1.0) *
				       (double)(1000 + mlci_rng_below(&r, 1 << 20));
			i = mlci_rng_below(&r, 4096);
			v[i] = -0.0;
			v[(i + 1 + mlci_rng_below(&r, 4095)) % 4096] = 0.0;
			mlci_kll_add_batch(&zs, v, 4096);
			in = mlci_kll_items(&zs, &iv, &iw);
			zeros[k][b] = mlci_hash_bytes(iv, in * sizeof(*iv));
			free(iv);
			free(iw);
		}
		mlci_kll_release(&zs);
		kn[k] = mlci_kll_items(&s, &kv[k], &kw[k]);
		mlci_kll_release(&s);
		snprintf(name, sizeof(name),
			 "%s: the same sets and registers as one by one", sets[k]);
		CHECK(same, name);
		snprintf(name, sizeof(name), "%s: sorts as qsort", sets[k]);
		CHECK(sorted, name);
	}
	if (kn[1]) {
		int same = kn[0] == kn[1];

		for (i = 0; same && i < kn[0]; i++)
			same = !memcmp(&kv[0][i], &kv[1][i], sizeof(double)) &&
			       kw[0][i] == kw[1][i];
		CHECK(same, "avx512: the KLL sketch of the scalar code, item for item");
		CHECK(!memcmp(zeros[0], zeros[1], sizeof(zeros[0])),
		      "avx512: the signed zeros of the scalar code");
	}
	CHECK(mlci_hash_double(0x1.8864680b583ebp+541) == 0,
	      "the special values hold the one with the hash 0");
	CHECK(mlci_sketch_set_simd("scalar") == 0, "the scalar code is always there");
	CHECK(mlci_sketch_set_simd("mmx") == -1, "an unknown instruction set is refused");
	CHECK(mlci_sketch_set_simd(NULL) == 0, "the default instruction set");
	for (k = 0; k < 2; k++) {
		free(kv[k]);
		free(kw[k]);
	}
	free(v);
	free(c);
}

/*
 * mlci_kll_add_batch() against sorting and mlci_kll_add_sorted(): the
 * levels' sizes depend only on the counts, so they must be the same; the
 * items must be values of the data, each level ascending.
 */
static void test_kll_batch(void)
{
	static const size_t sizes[] = { 4096, 1024, 3000, 1, 0, 65536 };
	struct mlci_rng r;
	size_t total = 0, i, kind, b, h, j, nall = 0;
	double *all = xmalloc(1200000 * sizeof(*all)), *v, *c;
	int same = 1, valid = 1, scanned = 1;

	mlci_rng_seed(&r, 11);
	for (kind = 0; kind < 8; kind++) {
		struct mlci_kll a, s, sc;

		mlci_kll_init(&a, 200, 5);
		mlci_kll_init(&s, 200, 5);
		mlci_kll_init(&sc, 200, 5);
		nall = 0;
		for (b = 0; b < 40; b++) {
			size_t n = sizes[b % 6];

			v = all + nall;
			for (i = 0; i < n; i++) {
				double u = mlci_rng_uniform(&r);

				v[i] = kind == 0 ? u :
				       kind == 1 ? floor(u * 20) :		/* duplicates */
				       kind == 2 ? (i % 3 ? 1.0 : 2.0) :
				       kind == 3 ? (double)(nall + i) :	/* sorted */
				       kind == 4 ? -(double)(nall + i) :	/* descending */
				       kind == 5 ? 7.0 :			/* all equal */
				       kind == 6 ? (i ? (double)mlci_rng_below(&r, 1000) * 5e-324
						      : 1e300) :
				       (u < 0.5 ? -1e308 : 1e308) * u;	/* span past DBL_MAX */
			}
			c = xmalloc((n + 1) * sizeof(*c));
			memcpy(c, v, n * sizeof(*c));
			mlci_sort_doubles(c, n);
			mlci_kll_add_sorted(&s, 0, c, n);
			free(c);
			c = xmalloc((n + 1) * sizeof(*c));
			memcpy(c, v, n * sizeof(*c));
			mlci_kll_add_batch(&a, c, n);
			free(c);
			if (n) {	/* the range and order found by the caller */
				double lo = v[0], hi = v[0];
				int sorted = 1;

				for (i = 1; i < n; i++) {
					lo = v[i] < lo ? v[i] : lo;
					hi = v[i] > hi ? v[i] : hi;
					sorted &= v[i] >= v[i - 1];
				}
				c = xmalloc(n * sizeof(*c));
				memcpy(c, v, n * sizeof(*c));
				mlci_kll_add_scanned_batch(&sc, c, n, lo, hi, sorted);
				free(c);
			}
			nall += n;
		}
		total += nall;
		qsort(all, nall, sizeof(*all), cmp_double);
		same &= a.n == nall && s.n == nall && a.nlevels == s.nlevels;
		scanned &= sc.n == a.n && sc.nlevels == a.nlevels;
		for (h = 0; scanned && h < a.nlevels; h++)
			scanned &= sc.levels[h].n == a.levels[h].n &&
				   !memcmp(sc.levels[h].v, a.levels[h].v,
					   a.levels[h].n * sizeof(double));
		for (h = 0; same && h < a.nlevels; h++) {
			const struct mlci_kll_level *l = &a.levels[h];

			same &= l->n == s.levels[h].n;
			for (j = 0; j < l->n; j++) {
				if (j && l->v[j] < l->v[j - 1])
					valid = 0;
				if (!bsearch(&l->v[j], all, nall, sizeof(*all),
					     cmp_double))
					valid = 0;
			}
		}
		mlci_kll_release(&a);
		mlci_kll_release(&s);
		mlci_kll_release(&sc);
	}
	CHECK(same, "KLL batches: the same weight and level sizes as sorted batches (8 distributions)");
	CHECK(valid, "KLL batches: levels ascending, items taken from the values");
	CHECK(scanned, "KLL batches: with the range given, the same sketch item for item");
	CHECK(total > 0, "KLL batches: values added");
	free(all);
}

/* ---- batches sorted in the background ---- */

/* Three columns fed row by row, as ml-validate does; their states as text. */
static char *feed_columns(int background, uint64_t seed)
{
	struct mlci_profile p[3], m;
	struct mlci_rng r;
	struct strbuf sb = STRBUF_INIT;
	size_t i, c;

	mlci_profile_background(background);
	mlci_rng_seed(&r, seed);
	for (c = 0; c < 3; c++)
		mlci_profile_init(&p[c], MLCI_PROFILE_NUMBER, NULL);
	for (i = 0; i < 700000; i++) {
		mlci_profile_add_number(&p[0], gauss(&r) * 1e3 + (double)i);
		mlci_profile_add_number(&p[1], floor(mlci_rng_uniform(&r) * 60));
		if (i % 7)
			mlci_profile_add_number(&p[2], cauchy(&r));
		else
			mlci_profile_add_missing(&p[2]);
		if (i == 350000) {	/* a read in the middle waits for the batches */
			strbuf_addf(&sb, "%llu %llu;",
				    (unsigned long long)mlci_profile_count(&p[0]),
				    (unsigned long long)mlci_profile_count(&p[2]));
		}
	}
	mlci_profile_init(&m, MLCI_PROFILE_NUMBER, NULL);
	for (c = 0; c < 3; c++) {
		cJSON *j = mlci_profile_to_json(&p[c], 1);

		mlci_json_print(j, 0, &sb);
		cJSON_Delete(j);
		CHECK(!mlci_profile_merge(&m, &p[c]), "background: merge");
	}
	for (i = 0; i < 300000; i++)	/* the merged profile fed on */
		mlci_profile_add_number(&m, mlci_rng_uniform(&r));
	{
		cJSON *j = mlci_profile_to_json(&m, 1);

		mlci_json_print(j, 0, &sb);
		cJSON_Delete(j);
	}
	for (c = 0; c < 3; c++)
		mlci_profile_release(&p[c]);
	mlci_profile_release(&m);
	mlci_profile_background(1);
	return strbuf_detach(&sb, NULL);
}

static void test_background(void)
{
	char *fg = feed_columns(0, 11), *bg = feed_columns(1, 11);

	CHECK(strstr(fg, "350001 300000;") != NULL,
	      "background: counts read mid-stream are complete");
	CHECK(!strcmp(fg, bg),
	      "background: the states are those of batches fed in the caller's thread, byte for byte");
	free(fg);
	free(bg);
}

int main(void)
{
	test_sketch_parts();
	test_simd();
	test_kll_batch();
	test_view();
	test_exact_vs_python();
	test_accessors();
	test_exact_merge();
	test_round_trip();
	test_strict();
	test_top_exact();
	test_string_again();
	test_top_approximate();
	test_distinct();
	test_quantile_sketch();
	test_memory();
	test_background();
	return unit_done();
}
