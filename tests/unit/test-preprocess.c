/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/preprocess.c: hand-computed cases, credit_data.csv live against scikit-learn 1.2, the JSON state, bad input. */
#include "dataset.h"
#include "json.h"
#include "preprocess.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The live comparison: each case is fitted on the first 3000 rows of
 * credit_data.csv (or of a copy with an unseen category in a held-out
 * row) and applied to the other 1454, here and by /usr/bin/python3
 * tests/tools/preprocess-reference.py with sklearn's ColumnTransformer.
 * The feature names must be equal, and every cell must agree to 1e-12
 * relative (absolute below 1: |d| <= 1e-12 * max(1, |want|), as scaled
 * values near 0 carry the absolute error of the mean). Where sklearn
 * refuses (an unknown category under handle_unknown error), we must
 * refuse with exit 3. Without python3 or sklearn the comparisons fail.
 */
#define TOL 1e-12
#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/tools/preprocess-reference.py"
#define CREDIT "examples/banking/data/credit_data.csv"
#define NTRAIN 3000

static char tmpdir[] = "/tmp/test-preprocess.XXXXXX";

static char *write_file(const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
	return path;
}

static char *read_text(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *f = fopen(path, "r");

	if (f) {
		if (strbuf_read_file_cap(&sb, f, 64u << 20))
			strbuf_release(&sb);
		fclose(f);
	}
	return strbuf_detach(&sb, NULL);
}

static int load(struct mlci_dataset *ds, const char *path)
{
	struct mlci_dataset_options opt = MLCI_DATASET_OPTIONS_INIT;

	opt.target = "y";
	opt.task = MLCI_TASK_CLASSIFICATION;
	return mlci_dataset_load(ds, path, &opt);
}

/* Fit on every row of text and transform it; the matrix (the caller's) or NULL. */
static double *fit_all(struct mlci_preprocess *pp, const char *text,
		       const struct mlci_preprocess_options *opt, int *ret)
{
	struct mlci_dataset ds;
	char *path = write_file("hand.csv", text);
	double *x = NULL;

	mlci_dataset_init(&ds);
	mlci_preprocess_init(pp);
	*ret = load(&ds, path);
	if (!*ret)
		*ret = mlci_preprocess_fit(pp, opt, &ds, NULL, 0);
	if (!*ret) {
		x = xcalloc(ds.nrows * pp->nfeatures + 1, sizeof(*x));
		*ret = mlci_preprocess_transform(pp, &ds, NULL, 0, x);
	}
	mlci_dataset_release(&ds);
	free(path);
	return x;
}

static void test_hand(void)
{
	struct mlci_preprocess_options opt = MLCI_PREPROCESS_OPTIONS_INIT;
	struct mlci_preprocess pp;
	double *x;
	int ret;

	/* a: 1, 3, missing, 10 -> median 3; b: constant -> scale 1, all 0. */
	opt.num_impute = MLCI_IMPUTE_MEDIAN;
	opt.scale = MLCI_SCALE_STANDARD;
	opt.one_hot = 1;
	x = fit_all(&pp, "a,b,y\n1,5,p\n3,5,q\n,5,p\n10,5,q\n", &opt, &ret);
	CHECK_INT(ret, 0, "median + standard: fits");
	if (x) {
		double mean = (1 + 3 + 3 + 10) / 4.0;
		double var = ((1 - mean) * (1 - mean) + 2 * (3 - mean) * (3 - mean) +
			      (10 - mean) * (10 - mean)) / 4;

		CHECK_NEAR(pp.cols[0].fill, 3, 0, "median of 1, 3, 10 is 3");
		CHECK_NEAR(pp.cols[0].center, mean, 1e-15, "mean after imputing");
		CHECK_NEAR(pp.cols[0].scale, sqrt(var), 1e-15, "population std");
		CHECK_NEAR(x[2 * 2 + 0], (3 - mean) / sqrt(var), 1e-15,
			   "imputed row scaled");
		CHECK_NEAR(pp.cols[1].scale, 1, 0, "constant column: scale 1");
		CHECK_NEAR(x[3 * 2 + 1], 0, 0, "constant column: 0");
	}
	free(x);
	mlci_preprocess_release(&pp);

	opt.num_impute = MLCI_IMPUTE_MEDIAN;
	opt.scale = MLCI_SCALE_NONE;
	x = fit_all(&pp, "a,y\n1,p\n4,q\n,p\n2,q\n8,p\n", &opt, &ret);
	CHECK(x && pp.cols[0].fill == 3, "median of an even count: mean of the middle two");
	free(x);
	mlci_preprocess_release(&pp);

	/* Ties: 2 and 7 both twice -> 2; b and a both twice -> "a". */
	opt.num_impute = MLCI_IMPUTE_MOST_FREQUENT;
	opt.scale = MLCI_SCALE_MINMAX;
	opt.cat_impute = MLCI_IMPUTE_MOST_FREQUENT;
	x = fit_all(&pp, "n,c,y\n7,b,p\n2,b,q\n7,a,p\n2,a,q\n,,p\n5,B,q\n",
		    &opt, &ret);
	CHECK_INT(ret, 0, "most_frequent + minmax: fits");
	if (x) {
		CHECK_NEAR(pp.cols[0].fill, 2, 0, "numeric mode: ties to the smallest");
		CHECK_STR(pp.cols[1].fill_text, "a", "text mode: ties to the bytewise smallest");
		CHECK_INT(pp.nfeatures, 4, "1 + 3 categories");
		CHECK_STR(pp.feature_names[1], "c_B", "categories sorted bytewise: B first");
		CHECK_STR(pp.feature_names[3], "c_b", "c_b last");
		CHECK_NEAR(x[0], 1, 1e-15, "max -> 1");
		CHECK_NEAR(x[4], 0, 1e-15, "min -> 0");
		CHECK_NEAR(x[4 * 4], 0, 1e-15, "imputed 2 -> 0");
		CHECK_NEAR(x[4 * 4 + 2], 1, 0, "imputed category 'a' one-hot");
		CHECK_NEAR(x[5 * 4], 0.6, 1e-15, "5 in [2, 7] -> 0.6");
	}
	free(x);
	mlci_preprocess_release(&pp);

	/* No categorical imputer: missing is a category of its own, last. */
	opt.num_impute = MLCI_IMPUTE_NONE;
	opt.scale = MLCI_SCALE_MINMAX;
	opt.cat_impute = MLCI_IMPUTE_NONE;
	x = fit_all(&pp, "n,c,y\n3,b,p\n3,,q\n3,a,p\n", &opt, &ret);
	CHECK_INT(ret, 0, "missing as a category: fits");
	if (x) {
		CHECK_INT(pp.nfeatures, 4, "n, c_a, c_b, c_nan");
		CHECK_STR(pp.feature_names[3], "c_nan", "c_nan last");
		CHECK_NEAR(x[1 * 4 + 3], 1, 0, "missing row -> c_nan");
		CHECK_NEAR(x[0], 0, 0, "minmax of a constant column -> 0");
	}
	free(x);
	mlci_preprocess_release(&pp);

	opt.cat_impute = MLCI_IMPUTE_CONSTANT;
	opt.cat_fill = NULL;
	x = fit_all(&pp, "n,c,y\n3,b,p\n3,,q\n3,zz,p\n", &opt, &ret);
	CHECK(x && pp.nfeatures == 4 && !strcmp(pp.feature_names[2], "c_missing_value"),
	      "constant fill: 'missing_value' sorted among the categories");
	free(x);
	mlci_preprocess_release(&pp);
}

static void check_fit_error(const char *name, const char *text,
			    const struct mlci_preprocess_options *opt,
			    const char *want)
{
	struct mlci_preprocess pp;
	char *msg, what[300];
	double *x;
	int ret;

	unit_capture_start();
	x = fit_all(&pp, text, opt, &ret);
	msg = unit_capture_end();
	snprintf(what, sizeof(what), "%s: exit 3", name);
	CHECK_INT(ret, -MLCI_EXIT_INPUT, what);
	snprintf(what, sizeof(what), "%s: message", name);
	if (!CHECK(strstr(msg, want) != NULL, what))
		printf("#   got  '%s'\n#   want '...%s...'\n", msg, want);
	free(x);
	free(msg);
	mlci_preprocess_release(&pp);
}

static void test_bad_fit(void)
{
	struct mlci_preprocess_options opt = MLCI_PREPROCESS_OPTIONS_INIT;
	struct mlci_preprocess_options o;

	opt.num_impute = MLCI_IMPUTE_MEAN;
	opt.scale = MLCI_SCALE_STANDARD;
	opt.cat_impute = MLCI_IMPUTE_MOST_FREQUENT;
	opt.one_hot = 1;

	o = opt;
	o.one_hot = 0;
	check_fit_error("categorical without one_hot", "n,c,y\n1,a,p\n2,b,q\n",
			&o, "column 'c' is categorical: the models need numbers");
	o = opt;
	o.cat_impute = MLCI_IMPUTE_MEAN;
	check_fit_error("mean on categories", "n,c,y\n1,a,p\n2,b,q\n", &o,
			"column 'c' is categorical: impute 'mean' applies to numbers");
	check_fit_error("a column with no value to impute from",
			"n,c,y\n,a,p\n,b,q\n", &opt,
			"column 'n' has no value in the training rows");
	o = opt;
	o.num_impute = MLCI_IMPUTE_NONE;
	check_fit_error("numeric missing without an imputer",
			"n,c,y\n1,a,p\n,b,q\n", &o,
			"column 'n' has missing values and no imputer");
	check_fit_error("two output features with one name",
			"c_a,c,y\n1,a,p\n2,b,q\n", &opt,
			"two output features named 'c_a'");
}

/* Transform errors: fit on train_text, transform test_text. */
static void check_transform_error(const char *name, const char *train_text,
				  const char *test_text,
				  const struct mlci_preprocess_options *opt,
				  const char *want)
{
	struct mlci_preprocess pp;
	struct mlci_dataset ds;
	char *path, *msg, what[300];
	double *x;
	int ret;

	x = fit_all(&pp, train_text, opt, &ret);
	CHECK_INT(ret, 0, "fits");
	free(x);
	path = write_file("test.csv", test_text);
	mlci_dataset_init(&ds);
	ret = load(&ds, path);
	CHECK_INT(ret, 0, "test file loads");
	x = xcalloc(ds.nrows * pp.nfeatures + 1, sizeof(*x));
	unit_capture_start();
	ret = mlci_preprocess_transform(&pp, &ds, NULL, 0, x);
	msg = unit_capture_end();
	snprintf(what, sizeof(what), "%s: exit 3", name);
	CHECK_INT(ret, -MLCI_EXIT_INPUT, what);
	snprintf(what, sizeof(what), "%s: message", name);
	if (!CHECK(strstr(msg, want) != NULL, what))
		printf("#   got  '%s'\n#   want '...%s...'\n", msg, want);
	free(msg);
	free(x);
	free(path);
	mlci_dataset_release(&ds);
	mlci_preprocess_release(&pp);
}

static void test_bad_transform(void)
{
	struct mlci_preprocess_options opt = MLCI_PREPROCESS_OPTIONS_INIT;
	const char *train = "n,c,y\n1,a,p\n2,b,q\n";

	opt.num_impute = MLCI_IMPUTE_MEAN;
	opt.scale = MLCI_SCALE_STANDARD;
	opt.one_hot = 1;
	check_transform_error("unknown category, handle_unknown error", train,
			      "n,c,y\n1,a,p\n2,zz,p\n", &opt,
			      "test.csv:3: column 'c': unknown category 'zz' (handle_unknown: error)");
	check_transform_error("unseen missing value, handle_unknown error", train,
			      "n,c,y\n1,,p\n2,a,q\n", &opt,
			      "test.csv:2: column 'c': a missing value, never seen in training");
	check_transform_error("a model column missing from the data", train,
			      "n,y\n1,p\n", &opt, "test.csv: no column 'c'");
	check_transform_error("a column of the other kind", train,
			      "n,c,y\n1,1,p\n", &opt,
			      "column 'c' is numeric, the model has it categorical");
	opt.num_impute = MLCI_IMPUTE_NONE;
	check_transform_error("numeric missing, no imputer", train,
			      "n,c,y\n,a,p\n", &opt,
			      "test.csv:2: column 'n': a missing value, and no imputer");
}

/* Print the state as exact JSON text (the caller's). */
static char *state_text(const struct mlci_preprocess *pp)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *j = mlci_preprocess_to_json(pp);

	mlci_json_print(j, 0, &sb);
	cJSON_Delete(j);
	return strbuf_detach(&sb, NULL);
}

/* Round trip through text; the transform must be bit for bit the same. */
static void check_round_trip(const char *name, const struct mlci_preprocess *pp,
			     const struct mlci_dataset *ds, const size_t *rows,
			     size_t nrows, const double *want)
{
	struct mlci_preprocess back;
	char *text = state_text(pp), *text2, what[300];
	cJSON *j = cJSON_Parse(text);
	int ret;

	mlci_preprocess_init(&back);
	ret = mlci_preprocess_from_json(&back, j, "state");
	snprintf(what, sizeof(what), "%s: state reads back", name);
	CHECK_INT(ret, 0, what);
	text2 = state_text(&back);
	snprintf(what, sizeof(what), "%s: state prints the same", name);
	CHECK_STR(text2, text, what);
	if (!ret) {
		double *x = xcalloc(nrows * back.nfeatures + 1, sizeof(*x));

		ret = mlci_preprocess_transform(&back, ds, rows, nrows, x);
		snprintf(what, sizeof(what),
			 "%s: the read-back state transforms bit for bit the same",
			 name);
		CHECK(!ret && !memcmp(x, want, nrows * back.nfeatures * sizeof(*x)),
		      what);
		free(x);
	}
	free(text);
	free(text2);
	cJSON_Delete(j);
	mlci_preprocess_release(&back);
}

struct pcase {
	const char *name;
	int unseen;		/* the copy with an unseen category */
	struct mlci_preprocess_options opt;
	int seen;
};

static struct pcase pcases[] = {
	{ "mean+standard, most_frequent+one_hot(ignore)", 0,
	  { MLCI_IMPUTE_MEAN, 0, MLCI_SCALE_STANDARD, MLCI_IMPUTE_MOST_FREQUENT,
	    NULL, 1, MLCI_UNKNOWN_IGNORE, 0 }, 0 },
	{ "median+minmax, constant+one_hot(ignore)", 0,
	  { MLCI_IMPUTE_MEDIAN, 0, MLCI_SCALE_MINMAX, MLCI_IMPUTE_CONSTANT,
	    NULL, 1, MLCI_UNKNOWN_IGNORE, 0 }, 0 },
	{ "most_frequent, no scaler, no cat imputer, one_hot(ignore)", 0,
	  { MLCI_IMPUTE_MOST_FREQUENT, 0, MLCI_SCALE_NONE, MLCI_IMPUTE_NONE,
	    NULL, 1, MLCI_UNKNOWN_IGNORE, 0 }, 0 },
	{ "constant(-1.5)+standard, constant('zz_other')+one_hot(ignore)", 0,
	  { MLCI_IMPUTE_CONSTANT, -1.5, MLCI_SCALE_STANDARD,
	    MLCI_IMPUTE_CONSTANT, "zz_other", 1, MLCI_UNKNOWN_IGNORE, 0 }, 0 },
	{ "constant+standard, constant('zz_other')+one_hot(error): the fill unseen", 0,
	  { MLCI_IMPUTE_CONSTANT, 0, MLCI_SCALE_STANDARD,
	    MLCI_IMPUTE_CONSTANT, "zz_other", 1, MLCI_UNKNOWN_ERROR, 0 }, 0 },
	{ "no cat imputer, one_hot(error): Marital missing only in the test rows", 0,
	  { MLCI_IMPUTE_MEAN, 0, MLCI_SCALE_STANDARD, MLCI_IMPUTE_NONE,
	    NULL, 1, MLCI_UNKNOWN_ERROR, 0 }, 0 },
	/* keep_missing: NaN through, the scalers fit on the values present, as sklearn's. */
	{ "no numeric imputer, keep_missing+standard, most_frequent+one_hot(ignore)", 0,
	  { MLCI_IMPUTE_NONE, 0, MLCI_SCALE_STANDARD, MLCI_IMPUTE_MOST_FREQUENT,
	    NULL, 1, MLCI_UNKNOWN_IGNORE, 1 }, 0 },
	{ "no numeric imputer, keep_missing+minmax, constant+one_hot(ignore)", 0,
	  { MLCI_IMPUTE_NONE, 0, MLCI_SCALE_MINMAX, MLCI_IMPUTE_CONSTANT,
	    NULL, 1, MLCI_UNKNOWN_IGNORE, 1 }, 0 },
	{ "no numeric imputer, keep_missing, no scaler", 0,
	  { MLCI_IMPUTE_NONE, 0, MLCI_SCALE_NONE, MLCI_IMPUTE_MOST_FREQUENT,
	    NULL, 1, MLCI_UNKNOWN_IGNORE, 1 }, 0 },
	{ "unseen category, handle_unknown ignore", 1,
	  { MLCI_IMPUTE_MEAN, 0, MLCI_SCALE_STANDARD, MLCI_IMPUTE_MOST_FREQUENT,
	    NULL, 1, MLCI_UNKNOWN_IGNORE, 0 }, 0 },
	{ "unseen category, handle_unknown error", 1,
	  { MLCI_IMPUTE_MEAN, 0, MLCI_SCALE_STANDARD, MLCI_IMPUTE_MOST_FREQUENT,
	    NULL, 1, MLCI_UNKNOWN_ERROR, 0 }, 0 },
};

#define NPCASES (sizeof(pcases) / sizeof(*pcases))

/* A copy of credit_data.csv with Home = "castle" on data row 3500. */
static char *write_unseen(void)
{
	char *text = read_text(CREDIT), *p = text, *path;
	struct strbuf sb = STRBUF_INIT;
	int line = 1;

	while (*p && line < 3501 + 1) {
		if (*p++ == '\n')
			line++;
	}
	/* "good",9,"rent",...: the third field is Home. */
	{
		char *c1 = strchr(p, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		char *c3 = c2 ? strchr(c2 + 1, ',') : NULL;

		if (!c3)
			abort();
		strbuf_add(&sb, text, (size_t)(c2 + 1 - text));
		strbuf_addstr(&sb, "\"castle\"");
		strbuf_addstr(&sb, c3);
	}
	path = write_file("unseen.csv", sb.buf);
	strbuf_release(&sb);
	free(text);
	return path;
}

static const char *impute_arg(enum mlci_impute v)
{
	return mlci_impute_name(v);
}

/* Compare our run of case i with DIR/i.names and DIR/i.X. */
static void compare_case(size_t i, const char *csv, int sk_ok)
{
	struct pcase *c = &pcases[i];
	struct mlci_dataset_options dopt = MLCI_DATASET_OPTIONS_INIT;
	struct mlci_dataset ds;
	struct mlci_preprocess pp;
	size_t *train, *test, ntest, r, j, bad = 0;
	double *x = NULL;
	char what[300], *path, *names, *xt, *msg;
	int ret;

	mlci_dataset_init(&ds);
	mlci_preprocess_init(&pp);
	dopt.target = "Status";
	dopt.task = MLCI_TASK_CLASSIFICATION;
	ret = mlci_dataset_load(&ds, csv, &dopt);
	snprintf(what, sizeof(what), "%s: data loads", c->name);
	CHECK_INT(ret, 0, what);
	if (ret)
		return;
	ntest = ds.nrows - NTRAIN;
	train = xmalloc(NTRAIN * sizeof(*train));
	test = xmalloc(ntest * sizeof(*test));
	for (r = 0; r < NTRAIN; r++)
		train[r] = r;
	for (r = 0; r < ntest; r++)
		test[r] = NTRAIN + r;
	unit_capture_start();
	ret = mlci_preprocess_fit(&pp, &c->opt, &ds, train, NTRAIN);
	if (!ret) {
		x = xcalloc(ntest * pp.nfeatures + 1, sizeof(*x));
		ret = mlci_preprocess_transform(&pp, &ds, test, ntest, x);
	}
	msg = unit_capture_end();
	if (!sk_ok) {
		snprintf(what, sizeof(what), "%s: refused as sklearn refuses", c->name);
		CHECK_INT(ret, -MLCI_EXIT_INPUT, what);
		if (c->unseen) {
			const char *want = "unseen.csv:3502: column 'Home': unknown category 'castle'";

			snprintf(what, sizeof(what), "%s: the message names file:line, column, value", c->name);
			if (!CHECK(strstr(msg, want) != NULL, what))
				printf("#   got  '%s'\n#   want '...%s...'\n", msg, want);
		}
		free(msg);
		goto out;
	}
	free(msg);
	snprintf(what, sizeof(what), "%s: fits and transforms", c->name);
	CHECK_INT(ret, 0, what);
	if (ret)
		goto out;

	path = xstrfmt("%s/%zu.names", tmpdir, i);
	names = read_text(path);
	free(path);
	{
		struct strbuf ours = STRBUF_INIT;

		for (j = 0; j < pp.nfeatures; j++)
			strbuf_addf(&ours, "%s\n", pp.feature_names[j]);
		snprintf(what, sizeof(what), "%s: feature names as get_feature_names_out", c->name);
		CHECK_STR(ours.buf, names, what);
		strbuf_release(&ours);
	}
	free(names);

	path = xstrfmt("%s/%zu.X", tmpdir, i);
	xt = read_text(path);
	free(path);
	{
		char *p = xt, *end;
		size_t cells = 0;

		for (r = 0; r < ntest; r++)
			for (j = 0; j < pp.nfeatures; j++) {
				double want = strtod(p, &end), got;

				if (end == p) {
					bad++;
					goto counted;
				}
				p = end;
				cells++;
				got = x[r * pp.nfeatures + j];
				if (isnan(want) ? !isnan(got) :
				    !(fabs(got - want) <= TOL * fmax(1, fabs(want)))) {
					if (bad++ < 5)
						printf("# row %zu %s: got %.17g want %.17g\n",
						       NTRAIN + r + 1, pp.feature_names[j],
						       got, want);
				}
			}
counted:
		snprintf(what, sizeof(what), "%s: all %zu x %zu cells within 1e-12 of sklearn",
			 c->name, ntest, pp.nfeatures);
		CHECK(!bad && cells == ntest * pp.nfeatures, what);
		while (*p == ' ' || *p == '\n')
			p++;
		snprintf(what, sizeof(what), "%s: no extra sklearn cells", c->name);
		CHECK(*p == '\0', what);
	}
	free(xt);
	check_round_trip(c->name, &pp, &ds, test, ntest, x);
out:
	free(x);
	free(train);
	free(test);
	mlci_preprocess_release(&pp);
	mlci_dataset_release(&ds);
}

static void test_vs_sklearn(void)
{
	char *unseen = write_unseen(), *path, *cmd, line[4096];
	FILE *manifest, *p;
	size_t i;
	int status, sklearn_seen = 0;

	path = xstrfmt("%s/manifest", tmpdir);
	manifest = fopen(path, "w");
	free(path);
	if (!manifest) {
		CHECK(0, "write the manifest");
		free(unseen);
		return;
	}
	for (i = 0; i < NPCASES; i++) {
		const struct mlci_preprocess_options *o = &pcases[i].opt;

		fprintf(manifest, "%zu\t%s\tStatus\t%d\t%s\t%.17g\t%s\t%s\t%s\t%s\n",
			i, pcases[i].unseen ? unseen : CREDIT, NTRAIN,
			impute_arg(o->num_impute), o->num_fill,
			mlci_scale_name(o->scale), impute_arg(o->cat_impute),
			o->cat_fill ? o->cat_fill : "missing_value",
			mlci_unknown_name(o->handle_unknown));
	}
	CHECK(!fclose(manifest), "close the manifest");

	cmd = xstrfmt("%s %s %s", PYTHON, SCRIPT, tmpdir);
	p = popen(cmd, "r");
	free(cmd);
	CHECK(p != NULL, "run " SCRIPT);
	while (p && fgets(line, sizeof(line), p)) {
		cJSON *obj = cJSON_Parse(line);
		double id;

		if (!obj) {
			CHECK(0, SCRIPT " prints JSON");
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(obj, "sklearn"))
			sklearn_seen = 1;
		if (!mlci_json_get_number(obj, "id", &id) && id >= 0 &&
		    id < (double)NPCASES) {
			struct pcase *c = &pcases[(size_t)id];
			int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "ok"));

			c->seen = 1;
			compare_case((size_t)id, c->unseen ? unseen : CREDIT, ok);
		}
		cJSON_Delete(obj);
	}
	status = p ? pclose(p) : -1;
	CHECK_INT(status, 0, SCRIPT " exits 0 (python3, pandas, sklearn present)");
	CHECK(sklearn_seen, SCRIPT " ran to its end");
	for (i = 0; i < NPCASES; i++) {
		char name[300];

		snprintf(name, sizeof(name), "%s: compared with sklearn", pcases[i].name);
		CHECK(pcases[i].seen, name);
	}
	free(unseen);
}

/* Strict reading of the state: each edit must be refused, naming the field. */
static void test_bad_state(void)
{
	static const struct {
		const char *name, *from, *to, *want;
	} edits[] = {
		{ "unknown top field", "{\"numeric\"", "{\"extra\":1,\"numeric\"",
		  "state: preprocess.extra: unknown field" },
		{ "bad scale name", "\"scale\":\"standard\"", "\"scale\":\"robust\"",
		  "state: preprocess.numeric.scale: not one of the known names" },
		{ "center not a number", "\"center\":2", "\"center\":\"2\"",
		  "state: preprocess.columns[0].center: not a finite number" },
		{ "missing scale", ",\"scale\":1}", "}",
		  "state: preprocess.columns[0].scale: missing" },
		{ "unsorted categories", "[\"a\",\"b\"]", "[\"b\",\"a\"]",
		  "state: preprocess.columns[1].categories: not sorted" },
		{ "features not matching", "\"features\":[\"n\"", "\"features\":[\"m\"",
		  "state: preprocess.features[0]: does not match" },
		{ "one_hot not a bool", "\"one_hot\":true", "\"one_hot\":1",
		  "state: preprocess.categorical.one_hot: not true or false" },
	};
	struct mlci_preprocess_options opt = MLCI_PREPROCESS_OPTIONS_INIT;
	struct mlci_preprocess pp, back;
	char *text;
	double *x;
	size_t i;
	int ret;

	opt.num_impute = MLCI_IMPUTE_MEAN;
	opt.scale = MLCI_SCALE_STANDARD;
	opt.cat_impute = MLCI_IMPUTE_MOST_FREQUENT;
	opt.one_hot = 1;
	x = fit_all(&pp, "n,c,y\n1,a,p\n3,b,q\n", &opt, &ret);
	free(x);
	text = state_text(&pp);
	CHECK(strstr(text, "\"center\":2,\"scale\":1}") != NULL,
	      "state holds center and scale exactly");
	for (i = 0; i < sizeof(edits) / sizeof(*edits); i++) {
		struct strbuf sb = STRBUF_INIT;
		const char *at = strstr(text, edits[i].from);
		char *msg;
		cJSON *j;

		if (!CHECK(at != NULL, edits[i].name)) {
			printf("# state: %s\n", text);
			continue;
		}
		strbuf_add(&sb, text, (size_t)(at - text));
		strbuf_addstr(&sb, edits[i].to);
		strbuf_addstr(&sb, at + strlen(edits[i].from));
		j = cJSON_Parse(sb.buf);
		mlci_preprocess_init(&back);
		unit_capture_start();
		ret = mlci_preprocess_from_json(&back, j, "state");
		msg = unit_capture_end();
		CHECK_INT(ret, -MLCI_EXIT_INPUT, edits[i].name);
		if (!CHECK(strstr(msg, edits[i].want) != NULL, edits[i].name))
			printf("#   got  '%s'\n#   want '...%s...'\n", msg,
			       edits[i].want);
		CHECK(back.ncols == 0 && back.feature_names == NULL,
		      "nothing left after a refused state");
		free(msg);
		cJSON_Delete(j);
		strbuf_release(&sb);
	}
	free(text);
	mlci_preprocess_release(&pp);
}

/*
 * mlci_preprocess_column(): the dataset's own column exactly where the
 * transform would copy it unchanged (want[j] 1), NULL elsewhere; where a
 * column is given, it equals the transform's feature j bit for bit.
 */
static void check_columns(const char *id, enum mlci_impute impute,
			  enum mlci_scale scale, int keep_missing,
			  const int *want)
{
	static const char text[] =
		"a,b,c,d,y\n1,5,u,0.5,p\n3,,v,-0,q\n,7,u,2e300,p\n10,8,v,4,q\n";
	struct mlci_preprocess_options opt = MLCI_PREPROCESS_OPTIONS_INIT;
	struct mlci_preprocess pp;
	struct mlci_dataset ds;
	char *path = write_file("columns.csv", text);
	double *x = NULL;
	size_t i, j;
	int ok = 1;

	opt.num_impute = impute;
	opt.scale = scale;
	opt.keep_missing = keep_missing;
	opt.cat_impute = MLCI_IMPUTE_MOST_FREQUENT;
	opt.one_hot = 1;
	mlci_dataset_init(&ds);
	mlci_preprocess_init(&pp);
	if (load(&ds, path) || mlci_preprocess_fit(&pp, &opt, &ds, NULL, 0) ||
	    pp.nfeatures != 5) {
		CHECK(0, id);
		goto out;
	}
	x = xcalloc(ds.nrows * pp.nfeatures, sizeof(*x));
	if (mlci_preprocess_transform(&pp, &ds, NULL, 0, x)) {
		CHECK(0, id);
		goto out;
	}
	for (j = 0; j < pp.nfeatures; j++) {
		const double *c = mlci_preprocess_column(&pp, &ds, j);

		if (!c != !want[j]) {
			printf("# %s: feature %zu: %s\n", id, j,
			       c ? "a column, none wanted" : "no column");
			ok = 0;
		}
		for (i = 0; c && i < ds.nrows; i++)
			if (memcmp(&c[i], &x[i * pp.nfeatures + j], sizeof(*c)))
				ok = 0;
	}
	CHECK(ok, id);
out:
	free(x);
	free(path);
	mlci_dataset_release(&ds);
	mlci_preprocess_release(&pp);
}

static void test_columns(void)
{
	/* Features: a, b, d, c=u, c=v; a and b each miss one value. */
	static const int keep[] = { 1, 1, 1, 0, 0 };
	static const int impute[] = { 0, 0, 1, 0, 0 };
	static const int scaled[] = { 0, 0, 0, 0, 0 };

	check_columns("columns: missing kept as NaN, no scaler: every number",
		      MLCI_IMPUTE_NONE, MLCI_SCALE_NONE, 1, keep);
	check_columns("columns: an imputer: only the column missing nothing",
		      MLCI_IMPUTE_MEDIAN, MLCI_SCALE_NONE, 0, impute);
	check_columns("columns: a scaler: none",
		      MLCI_IMPUTE_MEAN, MLCI_SCALE_STANDARD, 0, scaled);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		CHECK(0, "mkdtemp");
		return unit_done();
	}
	test_hand();
	test_columns();
	test_bad_fit();
	test_bad_transform();
	test_bad_state();
	test_vs_sklearn();
	{
		char *cmd = xstrfmt("rm -rf '%s'", tmpdir);

		if (system(cmd))
			CHECK(0, "remove the temporary directory");
		free(cmd);
	}
	return unit_done();
}
