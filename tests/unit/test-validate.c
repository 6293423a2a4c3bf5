/* SPDX-License-Identifier: MIT */
/* Unit tests of the validation pass: checks, row numbers, file lines, inference, stats merging. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "strbuf.h"
#include "unit.h"
#include "usage.h"
#include "validate.h"

static char tmpdir[] = "/tmp/mlci-test-validate-XXXXXX";

static const char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	if (!fp)
		abort();
	fputs(text, fp);
	fclose(fp);
	return path;
}

static const struct mlci_violation *find(const struct mlci_validate_result *r,
					 const char *column, const char *check)
{
	size_t i;

	for (i = 0; i < r->nviolations; i++)
		if (!strcmp(r->violations[i].check, check) &&
		    (!column ? !r->violations[i].column
			     : r->violations[i].column &&
			       !strcmp(r->violations[i].column, column)))
			return &r->violations[i];
	return NULL;
}

static void test_checks(void)
{
	struct mlci_schema s;
	struct mlci_validate_options o = MLCI_VALIDATE_OPTIONS_INIT;
	struct mlci_validate_result r;
	const struct mlci_violation *v;
	char spath[256];

	snprintf(spath, sizeof(spath), "%s", write_tmp("s.yaml",
		"columns:\n"
		"  age: {type: integer, min: 18, max: 100}\n"
		"  home: {type: category, values: [rent, own]}\n"
		"  note: {type: string, nullable: false}\n"));
	CHECK_INT(mlci_schema_load(spath, &s), 0, "schema loads");
	o.schema = &s;
	o.max_examples = 2;
	o.want_sha256 = 1;
	/* Row 2's note spans two lines: row 3 starts on file line 5. */
	CHECK_INT(mlci_validate_file(write_tmp("d.csv",
		"age,home,note\n"
		"30,rent,a\n"
		"17,own,\"two\nlines\"\n"
		"x,castle,\n"
		"101,rent,b\n"
		"200,own,c\n"), &o, &r), 0, "the file is read");
	CHECK_INT(r.rows, 5, "5 rows");
	CHECK_INT(strlen(r.sha256), 64, "a digest");
	v = find(&r, "age", "range");
	CHECK(v && v->count == 3 && v->nexamples == 2 && v->rows[0] == 2 &&
	      v->rows[1] == 4 && v->lines[0] == 3 && v->lines[1] == 6 &&
	      !strcmp(v->values[1], "101"),
	      "age range: 3 values, the first 2 rows, their file lines");
	v = find(&r, "age", "type");
	CHECK(v && v->count == 1 && v->rows[0] == 3 && v->lines[0] == 5 &&
	      !strcmp(v->values[0], "x"), "age type: row 3 at line 5");
	v = find(&r, "home", "domain");
	CHECK(v && v->count == 1 && v->rows[0] == 3, "home domain");
	v = find(&r, "note", "not_null");
	CHECK(v && v->count == 1 && v->rows[0] == 3 && !v->values[0],
	      "note not_null, value null");
	CHECK_INT(r.nviolations, 4, "exactly four violations");
	CHECK_INT(r.stats.cols[0].invalid, 1, "one invalid age");
	CHECK_INT(mlci_profile_count(&r.stats.cols[0].prof), 4, "four valid ages");
	mlci_validate_result_release(&r);
	mlci_schema_release(&s);
}

/* The record's stats and violations of path read with o, as text. */
static char *validate_text(const char *path,
			   const struct mlci_validate_options *o, int *passes)
{
	struct mlci_validate_result r;
	cJSON *j = cJSON_CreateObject();
	char *text;

	if (mlci_validate_file(path, o, &r))
		abort();
	cJSON_AddItemToObject(j, "stats", mlci_stats_view(&r.stats));
	cJSON_AddItemToObject(j, "violations", mlci_violations_json(&r));
	cJSON_AddNumberToObject(j, "rows", (double)r.rows);
	text = cJSON_PrintUnformatted(j);
	*passes = r.passes;
	cJSON_Delete(j);
	mlci_validate_result_release(&r);
	return text;
}

/*
 * Rows read in blocks (a column at a time) and one by one (as when the
 * processed data is written) give the same record: quoted rows, missing
 * values, violations and an inferred column that turns out not to be
 * numeric in the middle of a block, across several blocks.
 */
static void test_blocks_and_rows(void)
{
	struct mlci_validate_options o = MLCI_VALIDATE_OPTIONS_INIT;
	struct mlci_schema s;
	struct strbuf csv = STRBUF_INIT;
	char spath[256], dpath[256], out[256];
	/* Short strings: a few, then more than a block's tally holds. */
	static const char *const kinds[24] = {
		"a", "bb", "ccc", "dddd", "eeeeeeee", "f", "g", "h", "i", "j",
		"k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v",
		"w", "x",
	};
	char *blocks, *rows, *scalar;
	int pb, pr, ps, i;

	snprintf(spath, sizeof(spath), "%s", write_tmp("b.yaml",
		"columns:\n"
		"  n: {type: integer, min: 0, max: 14000}\n"
		"  x: {type: number, min: -1, max: 1, nullable: false}\n"
		"  c: {type: category, values: [a, b]}\n"
		"  u: {type: integer, unique: true}\n"));
	CHECK_INT(mlci_schema_load(spath, &s), 0, "schema loads");
	strbuf_addstr(&csv, "n,x,c,u,late,z,k\n");
	for (i = 0; i < 14000; i++) {
		if (i % 1000 == 7)
			strbuf_addf(&csv, "%d,\"0.5\",\"a\nb\",%d,1,0,a\n", i, i);
		else if (i % 997 == 3)
			strbuf_addf(&csv, "%d,,c,%d,2.5,-0,a\r\n", i + 14000, i % 50);
		else if (i % 1500 == 11)
			strbuf_addf(&csv, "-%d,1e-1,b,%d,,0.0,eight888\n", i, i);
		else if (i % 1800 == 13)
			strbuf_addf(&csv, "%d.5,2,b,%d,3,-0.00,nine99999\n", i, i);
		else
			strbuf_addf(&csv, "%d,%.3f,%s,%d,%s,%s,%s\n", i,
				    (i % 2001) / 1000.0 - 1, i % 3 ? "a" : "b", i,
				    i == 12000 ? "late" : "3",
				    i % 4 ? "-0" : "0.000",
				    kinds[i < 7000 ? i % 5 : 5 + (i * 7) % 19]);
	}
	snprintf(dpath, sizeof(dpath), "%s", write_tmp("b.csv", csv.buf));
	snprintf(out, sizeof(out), "%s/b.out.csv", tmpdir);
	o.schema = &s;
	o.max_examples = 3;
	blocks = validate_text(dpath, &o, &pb);
	CHECK(mlci_csv_set_number_parser("scalar") == 0, "scalar numbers");
	CHECK(mlci_csv_set_block_reader("scalar") == 0, "scalar blocks");
	scalar = validate_text(dpath, &o, &ps);
	mlci_csv_set_number_parser(NULL);
	mlci_csv_set_block_reader(NULL);
	o.output_data = out;
	rows = validate_text(dpath, &o, &pr);
	CHECK_STR(blocks, rows, "blocks and rows: the same stats and violations");
	CHECK_STR(blocks, scalar, "blocks: each number parser and block reader the same");
	CHECK(strstr(blocks, "\"z\":{\"type\":\"number\",\"count\":14000,\"missing\":0,\"invalid\":0,\"distinct\":1,"),
	      "-0 and 0 are one value in blocks");
	CHECK(pb == 2 && pr == 2, "the late string column is read again");
	CHECK(strstr(blocks, "\"check\":\"range\",\"count\":25,\"rows\":[4,12,1001]") &&
	      strstr(blocks, "\"check\":\"domain\",\"count\":29,") &&
	      strstr(blocks, "\"check\":\"unique\",\"count\":14,") &&
	      strstr(blocks, "\"check\":\"type\",\"count\":8,\"rows\":[14,1814,3614]") &&
	      strstr(blocks, "\"check\":\"not_null\",\"count\":15,\"rows\":[4,1001,1998]"),
	      "range, domain, unique, type and not_null violations, with their rows");
	free(blocks);
	free(rows);
	free(scalar);
	strbuf_release(&csv);
	mlci_schema_release(&s);
}

static void test_inference(void)
{
	struct mlci_validate_options o = MLCI_VALIDATE_OPTIONS_INIT;
	struct mlci_validate_result r;
	char *text;

	CHECK_INT(mlci_validate_file(write_tmp("i.csv",
		"i,x,s,e\n1,1.5,a,\n2,2,b,\n3,-1e3,a,\n4,0,a,\n"), &o, &r), 0,
		"read without a schema");
	CHECK_INT(r.nviolations, 0, "no checks without a schema");
	CHECK_INT(r.stats.cols[0].type, MLCI_TYPE_INTEGER, "i is an integer column");
	CHECK_INT(r.stats.cols[1].type, MLCI_TYPE_NUMBER, "x is a number column");
	CHECK_INT(r.stats.cols[2].type, MLCI_TYPE_STRING, "s is a string column");
	CHECK_INT(mlci_infer_type(&r.stats.cols[2]), MLCI_TYPE_CATEGORY,
		  "s has few values: a category");
	CHECK_INT(r.passes, 1, "one pass");
	text = mlci_infer_schema(&r, 1);
	CHECK(strstr(text, "  \"i\": {type: integer, nullable: false, min: 1, max: 4}\n") != NULL,
	      "inferred integer with its range");
	CHECK(strstr(text, "  \"s\": {type: category, nullable: false, values: [\"a\", \"b\"]}\n") != NULL,
	      "inferred category with its domain");
	CHECK(strstr(text, "  \"e\": {type: string}\n") != NULL,
	      "an empty column is a nullable string");
	free(text);
	mlci_validate_result_release(&r);
}

static void test_bad_input(void)
{
	struct mlci_validate_options o = MLCI_VALIDATE_OPTIONS_INIT;
	struct mlci_validate_result r;
	char out[300];

	snprintf(out, sizeof(out), "%s/out.csv", tmpdir);
	o.output_data = out;
	CHECK_INT(mlci_validate_file(write_tmp("r.csv", "a,b\n1,2\n3\n"), &o, &r),
		  -MLCI_EXIT_INPUT, "ragged rows are bad input");
	CHECK(access(out, F_OK) != 0, "no output file is left behind");
	mlci_validate_result_release(&r);
	CHECK_INT(mlci_validate_file(write_tmp("e.csv", ""), &o, &r),
		  -MLCI_EXIT_INPUT, "an empty file is bad input");
	mlci_validate_result_release(&r);
	CHECK_INT(mlci_validate_file(write_tmp("dup.csv", "a,a\n1,2\n"), &o, &r),
		  -MLCI_EXIT_INPUT, "duplicate names are bad input");
	mlci_validate_result_release(&r);
	CHECK_INT(mlci_validate_file(write_tmp("h.csv", "a,b\n"), &o, &r), 0,
		  "a header-only file is fine");
	CHECK_INT(r.rows, 0, "0 rows");
	CHECK(access(out, F_OK) == 0, "and the output is written");
	mlci_validate_result_release(&r);
}

static void test_stats_merge(void)
{
	struct mlci_validate_options o = MLCI_VALIDATE_OPTIONS_INIT;
	struct mlci_validate_result a, b, all;
	char path[300];
	struct mlci_stats back;
	cJSON *va, *vall;
	char *ta, *tall;

	CHECK_INT(mlci_validate_file(write_tmp("a.csv", "x,c\n1,p\n2,q\n"), &o, &a), 0, "shard a");
	CHECK_INT(mlci_validate_file(write_tmp("b.csv", "x,c\n3,p\n,r\n"), &o, &b), 0, "shard b");
	CHECK_INT(mlci_validate_file(write_tmp("ab.csv", "x,c\n1,p\n2,q\n3,p\n,r\n"), &o, &all), 0, "all");
	a.stats.rows = a.rows;
	b.stats.rows = b.rows;
	snprintf(path, sizeof(path), "%s/a.json", tmpdir);
	CHECK_INT(mlci_stats_write(&a.stats, path), 0, "write stats");
	CHECK_INT(mlci_stats_read(path, &back), 0, "read them back");
	CHECK_INT(mlci_stats_merge(&back, &b.stats, "b"), 0, "merge");
	CHECK_INT(back.rows, 4, "rows add up");
	va = mlci_stats_view(&back);
	vall = mlci_stats_view(&all.stats);
	ta = cJSON_PrintUnformatted(va);
	tall = cJSON_PrintUnformatted(vall);
	CHECK_STR(ta, tall, "merged shards equal one pass");
	free(ta);
	free(tall);
	cJSON_Delete(va);
	cJSON_Delete(vall);
	mlci_stats_release(&back);
	CHECK_INT(mlci_stats_read(write_tmp("junk.json", "{\"x\": 1}"), &back),
		  -MLCI_EXIT_INPUT, "not a statistics file");
	mlci_stats_release(&back);
	mlci_validate_result_release(&a);
	mlci_validate_result_release(&b);
	mlci_validate_result_release(&all);
}

static void test_drift(void)
{
	struct mlci_validate_options o = MLCI_VALIDATE_OPTIONS_INIT;
	struct mlci_validate_result cur, ref;
	struct mlci_drift_options d;
	cJSON *out;
	int drifted;
	double stat;

	CHECK_INT(mlci_validate_file(write_tmp("cur.csv",
		"x,c\n1,a\n2,a\n3,b\n4,a\n5,b\n6,a\n7,a\n"), &o, &cur), 0, "current");
	CHECK_INT(mlci_validate_file(write_tmp("ref.csv",
		"x,c\n11,a\n12,b\n13,b\n14,b\n15,b\n16,a\n17,b\n"), &o, &ref), 0, "reference");
	memset(&d, 0, sizeof(d));
	d.share = 0.5;
	CHECK_INT(mlci_validate_drift(&cur.stats, &ref.stats, &d, &out, &drifted), 0,
		  "drift runs");
	CHECK_STR(mlci_json_get_string(mlci_json_path(out, "columns.x"), "test"), "ks",
		  "small numeric samples: ks");
	/* scipy.stats.ks_2samp([1..7], [11..17]): D = 1, exact p = 2/3432. */
	mlci_json_get_number(mlci_json_path(out, "columns.x"), "statistic", &stat);
	CHECK_NEAR(stat, 1.0, 1e-12, "ks statistic");
	mlci_json_get_number(mlci_json_path(out, "columns.x"), "p_value", &stat);
	CHECK_NEAR(stat, 0.0005827505827505828, 1e-12, "ks p-value as scipy");
	CHECK_STR(mlci_json_get_string(mlci_json_path(out, "columns.c"), "test"), "ztest",
		  "two categories: ztest");
	CHECK(drifted == 1, "x drifted: half the columns, dataset drift");
	cJSON_Delete(out);
	mlci_validate_result_release(&cur);
	mlci_validate_result_release(&ref);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(tmpdir))
		return 1;
	mlci_set_quiet(1);
	test_checks();
	test_blocks_and_rows();
	test_inference();
	test_bad_input();
	test_stats_merge();
	test_drift();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		return 1;
	return unit_done();
}
