/* SPDX-License-Identifier: MIT */
/* Unit tests of the schema loader: every key, defaults, and the errors with their lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema.h"
#include "unit.h"
#include "usage.h"

static char tmpdir[] = "/tmp/mlci-test-schema-XXXXXX";

static int load_text(const char *name, const char *text, struct mlci_schema *s)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	if (!fp)
		abort();
	fputs(text, fp);
	fclose(fp);
	return mlci_schema_load(path, s);
}

static void test_example(void)
{
	struct mlci_schema s;
	const struct mlci_schema_column *c;

	CHECK_INT(load_text("ex.yaml",
		"columns:\n"
		"  Status:    {type: category, values: [good, bad], nullable: false}\n"
		"  Seniority: {type: integer, min: 0, max: 60}\n"
		"  Home:      {type: category, values: [rent, owner, priv, ignore, parents, other], max_missing_fraction: 0.01}\n"
		"  Age:       {type: integer, min: 18, max: 100}\n"
		"  Income:    {type: number, min: 0, max_missing_fraction: 0.1}\n"
		"table:\n"
		"  rows: {min: 1000}\n"
		"  strict: false\n", &s), 0, "the issue's example loads");
	CHECK_INT(s.ncolumns, 5, "five columns");
	c = mlci_schema_column(&s, "Status");
	CHECK(c && c->type == MLCI_TYPE_CATEGORY && !c->nullable && c->required,
	      "Status: category, not nullable, required by default");
	CHECK(c && mlci_strset_has(&c->values, "good", 4) &&
	      !mlci_strset_has(&c->values, "goo", 3), "Status's domain");
	CHECK_INT(c ? c->line : 0, 2, "Status is defined on line 2");
	c = mlci_schema_column(&s, "Age");
	CHECK(c && c->has_min && c->min == 18 && c->has_max && c->max == 100,
	      "Age's range");
	CHECK(c && c->nullable && isnan(c->max_missing_fraction) && c->mostly == 1 &&
	      c->min_domain_fraction == 1 && c->drift && !c->has_drift_test,
	      "defaults: nullable, no missing bound, mostly 1, drift on");
	c = mlci_schema_column(&s, "Income");
	CHECK(c && c->max_missing_fraction == 0.1, "Income's missing fraction");
	CHECK(s.has_min_rows && s.min_rows == 1000 && !s.has_max_rows && !s.strict,
	      "table rows and strict");
	CHECK(isnan(s.drift_share), "no drift share");
	mlci_schema_release(&s);
}

static void test_all_keys(void)
{
	struct mlci_schema s;
	const struct mlci_schema_column *c;

	CHECK_INT(load_text("all.json",
		"{\"columns\": {\"id\": {\"type\": \"string\", \"pattern\": \"[a-z]+-[0-9]+\","
		" \"unique\": true, \"sensitive\": true, \"mostly\": 0.9,"
		" \"drift\": {\"test\": \"psi\", \"threshold\": 0.2}},"
		" \"n\": {\"type\": \"integer\", \"values\": [1, 2, 3], \"min_domain_fraction\": 0.5,"
		" \"required\": false, \"drift\": false},"
		" \"b\": {\"type\": \"boolean\", \"drift\": \"chisquare\"}},"
		" \"table\": {\"rows\": {\"min\": 1, \"max\": 10}, \"strict\": true,"
		" \"ordered\": true, \"drift_share\": 0.3},"
		" \"parser\": {\"delimiter\": \";\", \"select\": [\"a\", \"b\"],"
		" \"rename\": {\"a\": \"id\"}, \"missing_values\": [\"NA\", -1]}}",
		&s), 0, "every key loads (JSON)");
	c = mlci_schema_column(&s, "id");
	CHECK(c && c->unique && c->sensitive && c->mostly == 0.9 &&
	      c->has_drift_test && c->drift_test == MLCI_DRIFT_PSI &&
	      c->drift_threshold == 0.2, "id: unique, sensitive, mostly, drift psi");
	CHECK(c && mlci_schema_match(c, "ab-12") && !mlci_schema_match(c, "xab-12z") &&
	      !mlci_schema_match(c, "ab-"), "the pattern matches whole values");
	c = mlci_schema_column(&s, "n");
	CHECK(c && !c->required && !c->drift && mlci_strset_has(&c->values, "2", 1) &&
	      c->min_domain_fraction == 0.5, "n: numbers in the domain as text");
	c = mlci_schema_column(&s, "b");
	CHECK(c && c->type == MLCI_TYPE_BOOLEAN && c->drift_test == MLCI_DRIFT_CHISQUARE,
	      "b: a drift test by name");
	CHECK(s.has_max_rows && s.max_rows == 10 && s.strict && s.ordered &&
	      s.drift_share == 0.3, "table keys");
	CHECK(s.delimiter == ';' && s.nselect == 2 && s.nrename == 1 &&
	      !strcmp(s.rename[0].to, "id") &&
	      mlci_strset_has(&s.missing_values, "NA", 2) &&
	      mlci_strset_has(&s.missing_values, "-1", 2), "parser keys");
	mlci_schema_release(&s);
}

struct bad_case {
	const char *name, *text;
};

static const struct bad_case bad[] = {
	{ "not YAML", "columns:\n  a: {type: integer\n" },
	{ "unknown type", "columns:\n  a: {type: flaot}\n" },
	{ "no type", "columns:\n  a: {min: 1}\n" },
	{ "unknown column key", "columns:\n  a: {type: integer, nulable: false}\n" },
	{ "unknown top key", "colums:\n  a: {type: integer}\n" },
	{ "min on a string", "columns:\n  a: {type: string, min: 1}\n" },
	{ "min above max", "columns:\n  a: {type: number, min: 5, max: 1}\n" },
	{ "fraction above 1", "columns:\n  a: {type: number, max_missing_fraction: 1.5}\n" },
	{ "nullable not a boolean", "columns:\n  a: {type: number, nullable: \"no\"}\n" },
	{ "bad regex", "columns:\n  a: {type: string, pattern: \"a(b\"}\n" },
	{ "ks on a category", "columns:\n  a: {type: category, drift: ks}\n" },
	{ "unknown drift test", "columns:\n  a: {type: number, drift: kss}\n" },
	{ "rows not whole", "table:\n  rows: {min: 1.5}\n" },
	{ "rows min above max", "table:\n  rows: {min: 5, max: 1}\n" },
	{ "two-character delimiter", "parser:\n  delimiter: \";;\"\n" },
	{ "a list, not a mapping", "- a\n- b\n" },
	{ "columns a list", "columns: [a, b]\n" },
	{ "duplicate column", "columns:\n  a: {type: number}\n  a: {type: string}\n" },
};

static void test_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct mlci_schema s;

		CHECK_INT(load_text("bad.yaml", bad[i].text, &s), -MLCI_EXIT_INPUT,
			  bad[i].name);
		mlci_schema_release(&s);
	}
	{
		struct mlci_schema s;

		CHECK_INT(mlci_schema_load("/nonexistent/s.yaml", &s), -MLCI_EXIT_INPUT,
			  "a missing schema file");
		mlci_schema_release(&s);
	}
}

static void test_types(void)
{
	enum mlci_type t;

	CHECK(!mlci_type_parse("category", &t) && t == MLCI_TYPE_CATEGORY, "parse category");
	CHECK(mlci_type_parse("Integer", &t) == -1, "type names are lower case");
	CHECK_STR(mlci_type_name(MLCI_TYPE_NUMBER), "number", "name of number");
	CHECK(mlci_type_is_numeric(MLCI_TYPE_INTEGER) && !mlci_type_is_numeric(MLCI_TYPE_BOOLEAN),
	      "numeric types");
}

static void test_strset(void)
{
	struct mlci_strset set = { 0 };
	char buf[16];
	int i, all = 1;

	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "v%d", i);
		mlci_strset_add(&set, buf, strlen(buf));
	}
	mlci_strset_add(&set, "v7", 2);
	CHECK_INT(set.n, 1000, "duplicates are ignored");
	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "v%d", i);
		all &= mlci_strset_has(&set, buf, strlen(buf));
	}
	CHECK(all && !mlci_strset_has(&set, "v1000", 5) && !mlci_strset_has(&set, "", 0),
	      "membership of 1000 values");
	mlci_strset_release(&set);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(tmpdir))
		return 1;
	mlci_set_quiet(1);
	test_example();
	test_all_keys();
	test_errors();
	test_types();
	test_strset();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		return 1;
	return unit_done();
}
