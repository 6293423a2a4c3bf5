/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/dataset.c: credit_data.csv against pandas, kinds, targets, selection, rename and bad input. */
#include "dataset.h"
#include "json.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * credit_data.csv is compared live with pandas through
 * /usr/bin/python3 tests/tools/dataset-reference.py (kinds, missing counts
 * per column, rows, class labels); without python3 or pandas that check
 * fails, never passes.
 */
#define PYTHON "/usr/bin/python3"
#define SCRIPT "tests/tools/dataset-reference.py"
#define CREDIT "examples/banking/data/credit_data.csv"

static char tmpdir[] = "/tmp/test-dataset.XXXXXX";

/* Write text to tmpdir/name; the path, the caller's. */
static char *write_file(const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
	return path;
}

static void test_credit_vs_pandas(void)
{
	struct mlci_dataset_options opt = MLCI_DATASET_OPTIONS_INIT;
	struct mlci_dataset ds;
	struct strbuf out = STRBUF_INIT;
	cJSON *ref = NULL, *cols, *it;
	FILE *p;
	size_t i, counts[2] = { 0, 0 };
	int ret, status;

	mlci_dataset_init(&ds);
	opt.target = "Status";
	opt.task = MLCI_TASK_CLASSIFICATION;
	ret = mlci_dataset_load(&ds, CREDIT, &opt);
	CHECK_INT(ret, 0, "credit_data.csv loads");
	CHECK_INT(ds.nrows, 4454, "credit: 4454 rows");
	CHECK_INT(ds.ncols, 13, "credit: 13 features (all but the target)");
	CHECK_STR(ds.target, "Status", "credit: target");
	CHECK_INT(ds.line[0], 2, "credit: row 1 is line 2");
	CHECK_INT(ds.line[4453], 4455, "credit: last row is line 4455");

	p = popen(PYTHON " " SCRIPT " " CREDIT " Status", "r");
	CHECK(p != NULL, "run " SCRIPT);
	if (p) {
		char buf[4096];
		size_t n;

		while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
			strbuf_add(&out, buf, n);
		status = pclose(p);
		CHECK_INT(status, 0, SCRIPT " exits 0 (python3 and pandas present)");
	}
	ref = cJSON_Parse(out.buf);
	CHECK(ref != NULL, SCRIPT " prints JSON");
	cols = ref ? mlci_json_get_object(ref, "columns") : NULL;
	CHECK(cols != NULL, "pandas' columns");
	if (cols) {
		double rows = -1;

		mlci_json_get_number(ref, "rows", &rows);
		CHECK_INT((long)rows, ds.nrows, "rows as pandas");
		cJSON_ArrayForEach(it, cols) {
			char name[200];
			int k = mlci_dataset_find(&ds, it->string);
			double missing = -1;

			if (!strcmp(it->string, "Status"))
				continue;
			snprintf(name, sizeof(name), "column %s loaded", it->string);
			CHECK(k >= 0, name);
			if (k < 0)
				continue;
			snprintf(name, sizeof(name), "column %s: kind as pandas",
				 it->string);
			CHECK_STR(mlci_column_kind_name(ds.cols[k].kind),
				  mlci_json_get_string(it, "kind"), name);
			mlci_json_get_number(it, "missing", &missing);
			snprintf(name, sizeof(name), "column %s: missing as pandas",
				 it->string);
			CHECK_INT(ds.cols[k].nmissing, (long)missing, name);
		}
	}
	if (ref) {
		cJSON *cl = cJSON_GetObjectItemCaseSensitive(ref, "classes");

		CHECK_INT(cJSON_GetArraySize(cl), ds.nclasses, "classes: as many as np.unique");
		for (i = 0; i < ds.nclasses && cl; i++) {
			cJSON *c = cJSON_GetArrayItem(cl, (int)i);

			CHECK_STR(ds.classes[i], cJSON_IsString(c) ? c->valuestring : "?",
				  "class label as np.unique");
		}
	}
	for (i = 0; i < ds.nrows; i++)
		if (ds.y_class[i] >= 0 && ds.y_class[i] < 2)
			counts[ds.y_class[i]]++;
	CHECK_INT(counts[0], 1254, "1254 'bad' rows");
	CHECK_INT(counts[1], 3200, "3200 'good' rows");
	{
		int k = mlci_dataset_find(&ds, "Income");

		CHECK(k >= 0 && ds.cols[k].num && ds.cols[k].num[0] == 129,
		      "Income of row 1 is 129");
		k = mlci_dataset_find(&ds, "Home");
		CHECK(k >= 0 && ds.cols[k].cat &&
		      !strcmp(ds.cols[k].categories.str[ds.cols[k].cat[2]], "owner"),
		      "Home of row 3 is owner");
	}
	cJSON_Delete(ref);
	strbuf_release(&out);
	mlci_dataset_release(&ds);
}

static void test_select_rename_kinds(void)
{
	static const char *const features[] = { "Age", "Home", "Seniority" };
	static const char *const from[] = { "Age", "Price" };
	static const char *const to[] = { "age", "price" };
	static const char *const kind_names[] = { "Seniority", "Age" };
	static const enum mlci_column_kind kinds[] = {
		MLCI_COLUMN_CATEGORICAL, MLCI_COLUMN_NUMERIC
	};
	struct mlci_dataset_options opt = MLCI_DATASET_OPTIONS_INIT;
	struct mlci_dataset ds;
	int ret;

	mlci_dataset_init(&ds);
	opt.target = "Price";
	opt.task = MLCI_TASK_REGRESSION;
	opt.features = features;
	opt.nfeatures = 3;
	opt.rename_from = from;
	opt.rename_to = to;
	opt.nrename = 2;
	opt.kind_names = kind_names;
	opt.kinds = kinds;
	opt.nkinds = 2;
	ret = mlci_dataset_load(&ds, CREDIT, &opt);
	CHECK_INT(ret, 0, "select, rename, declared kinds: loads");
	CHECK_INT(ds.ncols, 3, "three features");
	if (ds.ncols == 3) {
		CHECK_STR(ds.cols[0].name, "age", "renamed feature");
		CHECK_STR(ds.cols[0].source, "Age", "its source name");
		CHECK_STR(ds.cols[1].name, "Home", "features in the listed order");
		CHECK_INT(ds.cols[2].kind, MLCI_COLUMN_CATEGORICAL,
			  "Seniority declared categorical");
		CHECK_STR(ds.cols[2].categories.str[ds.cols[2].cat[0]], "9",
			  "Seniority's first value as a category");
	}
	CHECK_STR(ds.target, "price", "renamed target");
	CHECK(ds.y && ds.y[0] == 846 && ds.y[1] == 1658, "regression target values");
	CHECK_INT(mlci_dataset_find(&ds, "Job"), -1, "unselected column absent");
	mlci_dataset_release(&ds);

	CHECK_INT(mlci_column_kind_from_type("integer"), MLCI_COLUMN_NUMERIC, "integer: numeric");
	CHECK_INT(mlci_column_kind_from_type("number"), MLCI_COLUMN_NUMERIC, "number: numeric");
	CHECK_INT(mlci_column_kind_from_type("boolean"), MLCI_COLUMN_CATEGORICAL, "boolean: categorical");
	CHECK_INT(mlci_column_kind_from_type("string"), MLCI_COLUMN_CATEGORICAL, "string: categorical");
	CHECK_INT(mlci_column_kind_from_type("category"), MLCI_COLUMN_CATEGORICAL, "category: categorical");
	CHECK_INT(mlci_column_kind_from_type("datetime"), MLCI_COLUMN_INFER, "other: infer");
}

/* Classes of a one-column-target file. */
static void check_classes(const char *name, const char *text,
			  const char *const *want, size_t nwant,
			  const int32_t *want_y)
{
	struct mlci_dataset_options opt = MLCI_DATASET_OPTIONS_INIT;
	struct mlci_dataset ds;
	char *path = write_file("classes.csv", text);
	char what[200];
	size_t i;
	int ret;

	mlci_dataset_init(&ds);
	opt.target = "y";
	opt.task = MLCI_TASK_CLASSIFICATION;
	ret = mlci_dataset_load(&ds, path, &opt);
	snprintf(what, sizeof(what), "%s: loads", name);
	CHECK_INT(ret, 0, what);
	snprintf(what, sizeof(what), "%s: class count", name);
	CHECK_INT(ds.nclasses, nwant, what);
	for (i = 0; i < nwant && i < ds.nclasses; i++) {
		snprintf(what, sizeof(what), "%s: class %zu", name, i);
		CHECK_STR(ds.classes[i], want[i], what);
	}
	for (i = 0; i < ds.nrows; i++) {
		snprintf(what, sizeof(what), "%s: y of row %zu", name, i + 1);
		CHECK_INT(ds.y_class[i], want_y[i], what);
	}
	mlci_dataset_release(&ds);
	free(path);
}

static void test_classes(void)
{
	static const char *const num[] = { "1", "2", "10" };
	static const int32_t num_y[] = { 2, 1, 0, 1 };
	static const char *const text[] = { "B", "a", "b", "\xc3\xa9" };
	static const int32_t text_y[] = { 2, 0, 1, 3 };
	static const char *const merged[] = { "1", "2" };
	static const int32_t merged_y[] = { 0, 1, 0 };

	check_classes("numeric labels sort as numbers",
		      "x,y\n1,10\n2,2\n3,1\n4,2\n", num, 3, num_y);
	check_classes("text labels sort bytewise",
		      "x,y\n1,b\n2,B\n3,a\n4,\xc3\xa9\n", text, 4, text_y);
	check_classes("1 and 1.0 are one class, named as first seen",
		      "x,y\n1,1\n2,2\n3,1.0\n", merged, 2, merged_y);
}

static void test_inference(void)
{
	static const char *const na[] = { "NA" };
	struct mlci_dataset_options opt = MLCI_DATASET_OPTIONS_INIT;
	struct mlci_dataset ds;
	char *path;
	int ret;

	mlci_dataset_init(&ds);
	path = write_file("infer.csv",
			  "a,b,c,d,e,f\n"
			  "1, 2.5 ,x,,NA,3\n"
			  ",3,1,,NA,\n"
			  "-2e3,4,2,,NA,1\n"
			  "5,6,2,,NA,z\n");
	opt.missing_values = na;
	opt.nmissing_values = 1;
	ret = mlci_dataset_load(&ds, path, &opt);
	CHECK_INT(ret, 0, "inference file loads");
	if (!ret) {
		CHECK_INT(ds.cols[0].kind, MLCI_COLUMN_NUMERIC, "a: numeric");
		CHECK(isnan(ds.cols[0].num[1]) && ds.cols[0].num[2] == -2000,
		      "a: missing as NaN, -2e3 parsed");
		CHECK_INT(ds.cols[0].nmissing, 1, "a: one missing");
		CHECK(ds.cols[1].num && ds.cols[1].num[0] == 2.5,
		      "b: blanks around a number are fine");
		CHECK_INT(ds.cols[2].kind, MLCI_COLUMN_CATEGORICAL,
			  "c: one text value makes it categorical");
		CHECK_INT(ds.cols[2].categories.nr, 3, "c: three categories");
		CHECK_INT(ds.cols[3].kind, MLCI_COLUMN_NUMERIC,
			  "d: all missing reads as numeric (as pandas)");
		CHECK_INT(ds.cols[4].nmissing, 4, "e: the missing_values text");
		/* Numbers until the last row: its texts in first-appearance order. */
		CHECK_INT(ds.cols[5].kind, MLCI_COLUMN_CATEGORICAL,
			  "f: a text after numbers makes it categorical");
		CHECK(ds.cols[5].categories.nr == 3 &&
		      !strcmp(ds.cols[5].categories.str[0], "3") &&
		      !strcmp(ds.cols[5].categories.str[1], "1") &&
		      !strcmp(ds.cols[5].categories.str[2], "z"),
		      "f: categories 3, 1, z as they appear");
		CHECK(ds.cols[5].cat[0] == 0 && ds.cols[5].cat[1] == -1 &&
		      ds.cols[5].cat[2] == 1 && ds.cols[5].cat[3] == 2,
		      "f: codes by row, missing -1");
		CHECK_INT(ds.cols[5].nmissing, 1, "f: one missing");
		CHECK(ds.cols[5].num == NULL, "f: no numbers kept");
		CHECK_INT(ds.target == NULL, 1, "no target");
	}
	mlci_dataset_release(&ds);
	free(path);
}

/*
 * Columns that turn out not to be numbers before, at and after the arrays
 * grow (1024 rows, then doubling): their codes cover every row.
 */
static void test_inference_grows(void)
{
	struct mlci_dataset ds;
	struct strbuf sb = STRBUF_INIT;
	size_t i, flip[] = { 1, 1024, 1500 }, j, bad = 0;
	char *path;
	int ret;

	strbuf_addstr(&sb, "g0,g1,g2,n\n");
	for (i = 0; i < 3000; i++) {
		for (j = 0; j < 3; j++)
			strbuf_addf(&sb, i == flip[j] ? "t%zu," : "%zu,", i);
		strbuf_addf(&sb, "%zu\n", i);
	}
	mlci_dataset_init(&ds);
	path = write_file("grow.csv", sb.buf);
	ret = mlci_dataset_load(&ds, path, NULL);
	CHECK_INT(ret, 0, "3000 rows, texts after numbers: loads");
	for (j = 0; !ret && j < 3; j++) {
		const struct mlci_column *c = &ds.cols[j];

		if (c->kind != MLCI_COLUMN_CATEGORICAL || !c->cat ||
		    c->categories.nr != 3000)
			bad++;
		for (i = 0; !bad && i < 3000; i++) {
			const char *t = c->categories.str[c->cat[i]];
			char want[32];

			snprintf(want, sizeof(want), i == flip[j] ? "t%zu" : "%zu", i);
			bad += strcmp(t, want) != 0;
		}
	}
	CHECK(!ret && !bad, "every row's code names its text");
	CHECK(!ret && ds.cols[3].kind == MLCI_COLUMN_NUMERIC &&
	      ds.cols[3].num[2999] == 2999 && !ds.cols[3].cat,
	      "the numeric column keeps numbers only");
	mlci_dataset_release(&ds);
	strbuf_release(&sb);
	free(path);
}

/* Load text with opt; check the return and that the message holds want. */
static void check_bad(const char *name, const char *text,
		      const struct mlci_dataset_options *opt, const char *want)
{
	struct mlci_dataset ds;
	char *path = write_file("bad.csv", text), *msg, what[300];
	int ret;

	mlci_dataset_init(&ds);
	unit_capture_start();
	ret = mlci_dataset_load(&ds, path, opt);
	msg = unit_capture_end();
	snprintf(what, sizeof(what), "%s: exit 3", name);
	CHECK_INT(ret, -MLCI_EXIT_INPUT, what);
	snprintf(what, sizeof(what), "%s: message", name);
	if (!CHECK(strstr(msg, want) != NULL, what))
		printf("#   got  '%s'\n#   want '...%s...'\n", msg, want);
	CHECK(ds.nrows == 0 && ds.cols == NULL, "nothing left on failure");
	mlci_dataset_release(&ds);
	free(msg);
	free(path);
}

static void test_bad_input(void)
{
	static const char *const feat_missing[] = { "a", "zz" };
	static const char *const feat_target[] = { "a", "y" };
	static const char *const from[] = { "a" };
	static const char *const to[] = { "b" };
	static const char *const kn[] = { "a" };
	static const enum mlci_column_kind knum[] = { MLCI_COLUMN_NUMERIC };
	struct mlci_dataset_options clf = MLCI_DATASET_OPTIONS_INIT;
	struct mlci_dataset_options o;

	clf.target = "y";
	clf.task = MLCI_TASK_CLASSIFICATION;

	o = clf;
	o.features = feat_missing;
	o.nfeatures = 2;
	check_bad("a missing feature column is named", "a,y\n1,x\n", &o,
		  "bad.csv: no column 'zz'");
	o = clf;
	o.target = "label";
	check_bad("a missing target column is named", "a,y\n1,x\n", &o,
		  "no column 'label'");
	check_bad("target with missing values: rows listed",
		  "a,y\n1,x\n2,\n3,y\n4,\n", &clf,
		  "target 'y' is missing in 2 rows (rows 2, 4)");
	o = clf;
	o.kind_names = kn;
	o.kinds = knum;
	o.nkinds = 1;
	check_bad("non-numeric value in a declared-numeric column: file:line",
		  "a,y\n1,x\n\"abc\",y\n", &o,
		  "bad.csv:3: column 'a': 'abc' is not a number");
	check_bad("inf text in a declared-numeric column",
		  "a,y\n1,x\n-Inf,y\n", &o,
		  "bad.csv:3: column 'a': '-Inf' is not a finite number");
	check_bad("NaN text in an inferred numeric column",
		  "a,y\n1,x\n2,x\nNaN,y\n", &clf,
		  "bad.csv:4: column 'a': 'NaN' is not a finite number");
	o = clf;
	o.task = MLCI_TASK_REGRESSION;
	check_bad("a regression target that is not a number",
		  "a,y\n1,2\n2,oops\n", &o,
		  "bad.csv:3: column 'y': 'oops' is not a number");
	check_bad("a row with too many fields", "a,y\n1,x\n1,x,3\n", &clf,
		  "bad.csv:3: 3 fields, the header has 2");
	check_bad("no data rows", "a,y\n", &clf, "no data rows");
	check_bad("empty file", "", &clf, "empty file");
	o = clf;
	o.rename_from = from;
	o.rename_to = to;
	o.nrename = 1;
	check_bad("two columns with one name after rename",
		  "a,b,y\n1,2,x\n", &o, "two columns named 'b' after rename");
	o = clf;
	o.features = feat_target;
	o.nfeatures = 2;
	check_bad("the target listed as a feature", "a,y\n1,x\n", &o,
		  "the target 'y' cannot be a feature too");
	check_bad("a header name twice", "a,a,y\n1,2,x\n", &clf,
		  "column 'a' appears twice");
	check_bad("unterminated quote (from lib/csv)", "a,y\n\"1,x\n", &clf,
		  "bad.csv:2");
	{
		char *path = xstrfmt("%s/none.csv", tmpdir), *msg;
		struct mlci_dataset ds;
		int ret;

		mlci_dataset_init(&ds);
		unit_capture_start();
		ret = mlci_dataset_load(&ds, path, &clf);
		msg = unit_capture_end();
		CHECK_INT(ret, -MLCI_EXIT_INPUT, "a missing file: exit 3");
		CHECK(strstr(msg, "none.csv") != NULL, "a missing file is named");
		free(msg);
		free(path);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		CHECK(0, "mkdtemp");
		return unit_done();
	}
	test_credit_vs_pandas();
	test_select_rename_kinds();
	test_classes();
	test_inference();
	test_inference_grows();
	test_bad_input();
	{
		char *cmd = xstrfmt("rm -rf '%s'", tmpdir);

		if (system(cmd))
			CHECK(0, "remove the temporary directory");
		free(cmd);
	}
	return unit_done();
}
