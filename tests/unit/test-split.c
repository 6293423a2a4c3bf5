/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/split.c: sizes and per-class counts live against scikit-learn 1.2, folds row for row, determinism. */
#include "json.h"
#include "random.h"
#include "split.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The live comparison: /usr/bin/python3 tests/tools/split-reference.py
 * runs sklearn on the same classes. train_test_split(stratify): per-class
 * train and test counts must equal sklearn's (for random_state 0..4);
 * where sklearn's counts change with the seed (ties that it breaks at
 * random) ours must lie within the range sklearn's take. Without
 * stratify: the sizes. KFold and StratifiedKFold without shuffle: the
 * fold of every row. Where sklearn refuses, we refuse with exit 3.
 * Without python3 or sklearn the comparisons fail.
 */
#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/tools/split-reference.py"
#define MAXC 8

static char tmpdir[] = "/tmp/test-split.XXXXXX";

enum kind { TTS, PLAIN, SKFOLD, KFOLD };
static const char *const kind_names[] = { "tts", "plain", "skfold", "kfold" };

struct scase {
	enum kind kind;
	const char *param;	/* test_size as written for Python */
	size_t k;
	size_t counts[MAXC];	/* rows per class; 0 ends */
	int seen;
};

static struct scase scases[] = {
	{ TTS, "0.25", 0, { 700, 300 }, 0 },
	{ TTS, "0.2", 0, { 50, 30, 20 }, 0 },
	{ TTS, "0.3", 0, { 3200, 1254 }, 0 },
	{ TTS, "0.33", 0, { 5, 5, 5 }, 0 },
	{ TTS, "7", 0, { 10, 7, 3 }, 0 },
	{ TTS, "0.5", 0, { 2, 2 }, 0 },
	{ TTS, "0.1", 0, { 13, 29, 2, 57, 4, 11 }, 0 },
	{ TTS, "0.45", 0, { 33, 33, 34, 17 }, 0 },
	{ TTS, "0.25", 0, { 100, 1 }, 0 },
	{ TTS, "2", 0, { 3, 3, 3 }, 0 },
	{ TTS, "0.9", 0, { 10, 10 }, 0 },
	{ PLAIN, "0.25", 0, { 10 }, 0 },
	{ PLAIN, "0.2", 0, { 4454 }, 0 },
	{ PLAIN, "0.33", 0, { 100 }, 0 },
	{ PLAIN, "3", 0, { 7 }, 0 },
	{ PLAIN, "0.99", 0, { 5 }, 0 },
	{ PLAIN, "3", 0, { 3 }, 0 },
	{ SKFOLD, "", 5, { 700, 300 }, 0 },
	{ SKFOLD, "", 3, { 50, 31, 20 }, 0 },
	{ SKFOLD, "", 10, { 13, 29, 2, 57, 4, 11 }, 0 },
	{ SKFOLD, "", 4, { 3, 3, 9 }, 0 },
	{ SKFOLD, "", 5, { 3, 4 }, 0 },
	{ KFOLD, "", 3, { 10 }, 0 },
	{ KFOLD, "", 5, { 4454 }, 0 },
	{ KFOLD, "", 7, { 20, 3 }, 0 },
	{ KFOLD, "", 12, { 11 }, 0 },
};

#define NSCASES (sizeof(scases) / sizeof(*scases))

static size_t nclasses_of(const struct scase *c)
{
	size_t k = 0;

	while (k < MAXC && c->counts[k])
		k++;
	return k;
}

/* The classes of case c, interleaved by a fixed seed; the caller's. */
static int32_t *make_y(const struct scase *c, size_t *n)
{
	size_t nc = nclasses_of(c), i, j, m = 0;
	struct mlci_rng rng;
	int32_t *y;

	*n = 0;
	for (j = 0; j < nc; j++)
		*n += c->counts[j];
	y = xmalloc(*n * sizeof(*y));
	for (j = 0; j < nc; j++)
		for (i = 0; i < c->counts[j]; i++)
			y[m++] = (int32_t)j;
	mlci_rng_seed(&rng, 12345);
	for (i = *n; i > 1; i--) {
		size_t r = (size_t)mlci_rng_below(&rng, i);
		int32_t t = y[i - 1];

		y[i - 1] = y[r];
		y[r] = t;
	}
	return y;
}

static char *case_name(size_t id)
{
	const struct scase *c = &scases[id];
	struct strbuf sb = STRBUF_INIT;
	size_t j;

	strbuf_addf(&sb, "%s #%zu (", kind_names[c->kind], id);
	for (j = 0; j < nclasses_of(c); j++)
		strbuf_addf(&sb, "%s%zu", j ? "," : "", c->counts[j]);
	strbuf_addstr(&sb, ")");
	if (*c->param)
		strbuf_addf(&sb, " test_size=%s", c->param);
	if (c->k)
		strbuf_addf(&sb, " k=%zu", c->k);
	return strbuf_detach(&sb, NULL);
}

static int ordered_partition(const size_t *a, size_t na, const size_t *b,
			     size_t nb, size_t n)
{
	unsigned char *seen = xcalloc(n + 1, 1);
	size_t i;
	int ok = na + nb == n;

	for (i = 0; ok && i < na; i++) {
		ok = a[i] < n && !seen[a[i]] && (!i || a[i - 1] < a[i]);
		if (ok)
			seen[a[i]] = 1;
	}
	for (i = 0; ok && i < nb; i++) {
		ok = b[i] < n && !seen[b[i]] && (!i || b[i - 1] < b[i]);
		if (ok)
			seen[b[i]] = 1;
	}
	free(seen);
	return ok;
}

static void compare_tts(size_t id, const cJSON *ref, const char *name)
{
	const struct scase *c = &scases[id];
	size_t n, nc = nclasses_of(c), ntr, nte, i, j;
	int32_t *y = make_y(c, &n);
	size_t *train = xmalloc(n * sizeof(*train)), *test = xmalloc(n * sizeof(*test));
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(ref, "error");
	double ts = strtod(c->param, NULL);
	char what[400];
	int ret;

	{
		int old = mlci_set_quiet(1);

		ret = mlci_split_train_test(n, ts, 42, c->kind == TTS ? y : NULL,
					    nc, train, &ntr, test, &nte);
		mlci_set_quiet(old);
	}
	if (err) {
		snprintf(what, sizeof(what), "%s: refused as sklearn refuses (%s)",
			 name, cJSON_IsString(err) ? err->valuestring : "?");
		CHECK_INT(ret, -MLCI_EXIT_INPUT, what);
		goto out;
	}
	snprintf(what, sizeof(what), "%s: splits", name);
	CHECK_INT(ret, 0, what);
	if (ret)
		goto out;
	snprintf(what, sizeof(what), "%s: train and test partition the rows, sorted", name);
	CHECK(ordered_partition(train, ntr, test, nte, n), what);
	if (c->kind == PLAIN) {
		double a = -1, b = -1;

		mlci_json_get_number(ref, "n_train", &a);
		mlci_json_get_number(ref, "n_test", &b);
		snprintf(what, sizeof(what), "%s: n_train as sklearn", name);
		CHECK_INT(ntr, (long)a, what);
		snprintf(what, sizeof(what), "%s: n_test as sklearn", name);
		CHECK_INT(nte, (long)b, what);
		goto out;
	}
	for (int part = 0; part < 2; part++) {
		const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(ref, part ? "test" : "train");
		const size_t *rows = part ? test : train;
		size_t nrows = part ? nte : ntr, ours[MAXC] = { 0 };
		long lo[MAXC], hi[MAXC];
		const cJSON *s;
		int varies = 0, within = 1, first = 1;

		for (i = 0; i < nrows; i++)
			ours[y[rows[i]]]++;
		cJSON_ArrayForEach(s, seeds) {
			for (j = 0; j < nc; j++) {
				const cJSON *v = cJSON_GetArrayItem(s, (int)j);
				long x = v ? (long)v->valuedouble : -1;

				if (first) {
					lo[j] = hi[j] = x;
				} else {
					varies |= x != lo[j] || x != hi[j];
					if (x < lo[j])
						lo[j] = x;
					if (x > hi[j])
						hi[j] = x;
				}
			}
			first = 0;
		}
		if (first) {
			CHECK(0, "sklearn's counts present");
			continue;
		}
		for (j = 0; j < nc; j++)
			within &= (long)ours[j] >= lo[j] && (long)ours[j] <= hi[j];
		snprintf(what, sizeof(what), "%s: per-class %s counts %s",
			 name, part ? "test" : "train",
			 varies ? "within sklearn's range (it breaks ties at random)" :
			 "equal to sklearn's");
		if (!CHECK(within, what))
			for (j = 0; j < nc; j++)
				printf("#   class %zu: ours %zu, sklearn %ld..%ld\n",
				       j, ours[j], lo[j], hi[j]);
	}
out:
	free(y);
	free(train);
	free(test);
}

static void compare_folds(size_t id, const cJSON *ref, const char *name)
{
	const struct scase *c = &scases[id];
	size_t n, nc = nclasses_of(c), i, bad = 0;
	int32_t *y = make_y(c, &n), *fold = xmalloc(n * sizeof(*fold));
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(ref, "error");
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(ref, "fold");
	char what[400];
	int ret, old = mlci_set_quiet(1);

	ret = c->kind == SKFOLD ?
		mlci_split_stratified_kfold(y, n, nc, c->k, 0, 0, fold) :
		mlci_split_kfold(n, c->k, 0, 0, fold);
	mlci_set_quiet(old);
	if (err) {
		snprintf(what, sizeof(what), "%s: refused as sklearn refuses (%s)",
			 name, cJSON_IsString(err) ? err->valuestring : "?");
		CHECK_INT(ret, -MLCI_EXIT_INPUT, what);
		goto out;
	}
	snprintf(what, sizeof(what), "%s: assigns folds", name);
	CHECK_INT(ret, 0, what);
	if (ret)
		goto out;
	snprintf(what, sizeof(what), "%s: the fold of every row as sklearn", name);
	if ((size_t)cJSON_GetArraySize(want) != n) {
		CHECK(0, what);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetArrayItem(want, (int)i);

		if (!v || (int32_t)v->valuedouble != fold[i])
			bad++;
	}
	CHECK_INT(bad, 0, what);

	/* With shuffle: the same per-fold class counts, other rows. */
	if (c->kind == SKFOLD) {
		int32_t *f2 = xmalloc(n * sizeof(*f2));
		size_t *cnt1 = xcalloc(c->k * nc, sizeof(*cnt1));
		size_t *cnt2 = xcalloc(c->k * nc, sizeof(*cnt2));
		int same_rows = 1;

		old = mlci_set_quiet(1);
		ret = mlci_split_stratified_kfold(y, n, nc, c->k, 1, 7, f2);
		mlci_set_quiet(old);
		for (i = 0; i < n; i++) {
			cnt1[fold[i] * nc + y[i]]++;
			cnt2[f2[i] * nc + y[i]]++;
			same_rows &= fold[i] == f2[i];
		}
		snprintf(what, sizeof(what), "%s: shuffled, the same per-fold class counts", name);
		CHECK(!ret && !memcmp(cnt1, cnt2, c->k * nc * sizeof(*cnt1)), what);
		snprintf(what, sizeof(what), "%s: shuffled, other rows", name);
		CHECK(!same_rows, what);
		free(f2);
		free(cnt1);
		free(cnt2);
	} else {
		int32_t *f2 = xmalloc(n * sizeof(*f2));
		size_t *s1 = xcalloc(c->k, sizeof(*s1)), *s2 = xcalloc(c->k, sizeof(*s2));

		ret = mlci_split_kfold(n, c->k, 1, 7, f2);
		for (i = 0; i < n; i++) {
			s1[fold[i]]++;
			s2[f2[i]]++;
		}
		snprintf(what, sizeof(what), "%s: shuffled, the same fold sizes", name);
		CHECK(!ret && !memcmp(s1, s2, c->k * sizeof(*s1)), what);
		free(f2);
		free(s1);
		free(s2);
	}
out:
	free(y);
	free(fold);
}

static void test_vs_sklearn(void)
{
	char *path, *cmd, *line = xmalloc(1 << 20);
	FILE *manifest, *p;
	size_t i, j, n;
	int status, sklearn_seen = 0;

	path = xstrfmt("%s/manifest", tmpdir);
	manifest = fopen(path, "w");
	free(path);
	if (!manifest) {
		CHECK(0, "write the manifest");
		free(line);
		return;
	}
	for (i = 0; i < NSCASES; i++) {
		int32_t *y = make_y(&scases[i], &n);
		FILE *f;

		fprintf(manifest, "%zu\t%s\t%s\t%zu\n", i, kind_names[scases[i].kind],
			*scases[i].param ? scases[i].param : "0", scases[i].k);
		path = xstrfmt("%s/%zu.y", tmpdir, i);
		f = fopen(path, "w");
		free(path);
		if (!f) {
			CHECK(0, "write a case");
			free(y);
			continue;
		}
		for (j = 0; j < n; j++)
			fprintf(f, "%d\n", (int)y[j]);
		CHECK(!fclose(f), "close a case");
		free(y);
	}
	CHECK(!fclose(manifest), "close the manifest");

	cmd = xstrfmt("%s %s %s", PYTHON, SCRIPT, tmpdir);
	p = popen(cmd, "r");
	free(cmd);
	CHECK(p != NULL, "run " SCRIPT);
	while (p && fgets(line, 1 << 20, p)) {
		cJSON *obj = cJSON_Parse(line);
		double id;

		if (!obj) {
			CHECK(0, SCRIPT " prints JSON");
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(obj, "sklearn"))
			sklearn_seen = 1;
		if (!mlci_json_get_number(obj, "id", &id) && id >= 0 &&
		    id < (double)NSCASES) {
			size_t k = (size_t)id;
			char *name = case_name(k);

			scases[k].seen = 1;
			if (scases[k].kind == TTS || scases[k].kind == PLAIN)
				compare_tts(k, obj, name);
			else
				compare_folds(k, obj, name);
			free(name);
		}
		cJSON_Delete(obj);
	}
	status = p ? pclose(p) : -1;
	CHECK_INT(status, 0, SCRIPT " exits 0 (python3, numpy, sklearn present)");
	CHECK(sklearn_seen, SCRIPT " ran to its end");
	for (i = 0; i < NSCASES; i++) {
		char *name = case_name(i), what[400];

		snprintf(what, sizeof(what), "%s: compared with sklearn", name);
		CHECK(scases[i].seen, what);
		free(name);
	}
	free(line);
}

static void test_determinism(void)
{
	static const struct scase c = { TTS, "0.3", 0, { 60, 25, 15 }, 0 };
	size_t n, ntr[3], nte[3], *tr[3], *te[3], i;
	int32_t *y = make_y(&c, &n), *f1, *f2;
	uint64_t seeds[3] = { 1, 1, 2 };

	for (i = 0; i < 3; i++) {
		tr[i] = xmalloc(n * sizeof(**tr));
		te[i] = xmalloc(n * sizeof(**te));
		CHECK_INT(mlci_split_train_test(n, 0.3, seeds[i], y, 3, tr[i],
						&ntr[i], te[i], &nte[i]), 0,
			  "stratified split");
	}
	CHECK(ntr[0] == ntr[1] && !memcmp(tr[0], tr[1], ntr[0] * sizeof(**tr)) &&
	      !memcmp(te[0], te[1], nte[0] * sizeof(**te)),
	      "same seed, same split");
	CHECK(ntr[0] == ntr[2] && memcmp(te[0], te[2], nte[0] * sizeof(**te)),
	      "another seed, other test rows, same sizes");
	for (i = 0; i < 3; i++) {
		free(tr[i]);
		free(te[i]);
	}

	f1 = xmalloc(n * sizeof(*f1));
	f2 = xmalloc(n * sizeof(*f2));
	CHECK(!mlci_split_stratified_kfold(y, n, 3, 5, 1, 9, f1) &&
	      !mlci_split_stratified_kfold(y, n, 3, 5, 1, 9, f2) &&
	      !memcmp(f1, f2, n * sizeof(*f1)), "shuffled folds: same seed, same folds");
	{
		size_t *a = xmalloc(n * sizeof(*a)), *b = xmalloc(n * sizeof(*b)), na, nb;

		mlci_split_fold_rows(f1, n, 2, a, &na, b, &nb);
		CHECK(ordered_partition(a, na, b, nb, n), "fold rows partition the rows");
		CHECK_INT(nb, 20, "fold 2 holds a fifth of 100 rows");
		for (i = 0; i < nb; i++)
			if (f1[b[i]] != 2)
				break;
		CHECK_INT(i, nb, "fold 2's test rows are those of fold 2");
		free(a);
		free(b);
	}
	free(f1);
	free(f2);
	free(y);
}

static void test_bad(void)
{
	size_t nt, tr[4], te[4], a, b;
	int32_t fold[4], y[4] = { 0, 0, 1, 1 };
	int old = mlci_set_quiet(1);

	CHECK_INT(mlci_split_test_count(10, 0, &nt), -MLCI_EXIT_INPUT, "test_size 0 refused");
	CHECK_INT(mlci_split_test_count(10, -0.5, &nt), -MLCI_EXIT_INPUT, "negative test_size refused");
	CHECK_INT(mlci_split_test_count(10, 1.5, &nt), -MLCI_EXIT_INPUT, "test_size 1.5 refused");
	CHECK_INT(mlci_split_test_count(10, 10, &nt), -MLCI_EXIT_INPUT, "test_size = n refused");
	CHECK_INT(mlci_split_test_count(10, NAN, &nt), -MLCI_EXIT_INPUT, "NaN test_size refused");
	CHECK_INT(mlci_split_test_count(10, 0.01, &nt), 0, "test_size 0.01 of 10");
	CHECK_INT(nt, 1, "ceil(0.1) = 1 test row");
	CHECK_INT(mlci_split_train_test(4, 0.5, 1, y, 3, tr, &a, te, &b), 0,
		  "a class without rows does not count");
	CHECK_INT(mlci_split_kfold(4, 1, 0, 0, fold), -MLCI_EXIT_INPUT, "1 fold refused");
	CHECK_INT(mlci_split_kfold(4, 5, 0, 0, fold), -MLCI_EXIT_INPUT, "more folds than rows refused");
	CHECK_INT(mlci_split_stratified_kfold(y, 4, 2, 3, 0, 0, fold), -MLCI_EXIT_INPUT,
		  "more folds than rows of every class refused");
	mlci_set_quiet(old);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		CHECK(0, "mkdtemp");
		return unit_done();
	}
	test_determinism();
	test_bad();
	test_vs_sklearn();
	{
		char *cmd = xstrfmt("rm -rf '%s'", tmpdir);

		if (system(cmd))
			CHECK(0, "remove the temporary directory");
		free(cmd);
	}
	return unit_done();
}
