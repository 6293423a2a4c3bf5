/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/config: YAML and JSON into cJSON, lines, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "strbuf.h"
#include "unit.h"
#include "usage.h"
#include "wrapper.h"

/*
 * Parse text under name; the compact JSON on success, else the message
 * printed (the caller's). *ret gets the return value.
 */
static char *run(const char *name, const char *text, int *ret)
{
	struct mlci_config *cfg = NULL;
	char *msg, *json;

	unit_capture_start();
	*ret = mlci_config_parse(text, strlen(text), name, &cfg);
	msg = unit_capture_end();
	if (*ret) {
		if (cfg)
			return xstrdup("config set on error");
		return msg;
	}
	json = cJSON_PrintUnformatted(mlci_config_root(cfg));
	mlci_config_free(cfg);
	if (*msg) {
		free(json);
		return msg;
	}
	free(msg);
	return json;
}

struct ok_case {
	const char *name, *text, *json;
};

static const struct ok_case ok_cases[] = {
	/* Scalars: the core schema. */
	{ "t.yaml", "a: null\nb: Null\nc: NULL\nd: ~\ne:\nf: ''\n",
	  "{\"a\":null,\"b\":null,\"c\":null,\"d\":null,\"e\":null,\"f\":\"\"}" },
	{ "t.yaml", "[true, True, TRUE, false, False, FALSE]",
	  "[true,true,true,false,false,false]" },
	{ "t.yaml", "[yes, no, on, off, y, n, NO, tRUE, nULL]",
	  "[\"yes\",\"no\",\"on\",\"off\",\"y\",\"n\",\"NO\",\"tRUE\",\"nULL\"]" },
	{ "t.yaml", "[0, 42, -17, +3, 007, 0x1F, 0xff, 0o17, 4503599627370496]",
	  "[0,42,-17,3,7,31,255,15,4503599627370496]" },
	{ "t.yaml", "[1.0, .5, -.5, 1e3, 2.5E-3, +1.5, 1., 6.02e+23]",
	  "[1,0.5,-0.5,1000,0.0025,1.5,1,6.02e+23]" },
	{ "t.yaml", "[\"1.0\", '1.0', \"42\", 'true', \"null\", \"~\"]",
	  "[\"1.0\",\"1.0\",\"42\",\"true\",\"null\",\"~\"]" },
	{ "t.yaml", "[0x, 0o8, 1e, 1.2.3, 0b101, 1_000, 12:30, .e3, -, 'a:b', v1.0]",
	  "[\"0x\",\"0o8\",\"1e\",\"1.2.3\",\"0b101\",\"1_000\",\"12:30\",\".e3\",\"-\",\"a:b\",\"v1.0\"]" },
	{ "t.yaml", "a: |\n  line 1\n  line 2\nb: >\n  folded\n  text\nc: |-\n  42\n",
	  "{\"a\":\"line 1\\nline 2\\n\",\"b\":\"folded text\\n\",\"c\":\"42\"}" },
	{ "t.yaml", "a: \"tab\\there \\u00e9\"\nb: 'it''s'\n",
	  "{\"a\":\"tab\\there é\",\"b\":\"it's\"}" },
	/* 2^53 is the largest integer taken (cJSON prints it inexactly). */
	{ "t.yaml", "[-9007199254740992, 0x20000000000000]", "[-9.00719925474099e+15,9.00719925474099e+15]" },
	/* Tags. */
	{ "t.yaml", "[!!str 42, !!int \"12\", !!float 1, !!bool 'true', !!null '', ! 7, !!str ~]",
	  "[\"42\",12,1,true,null,\"7\",\"~\"]" },
	{ "t.yaml", "!!map {a: !!seq [1]}", "{\"a\":[1]}" },
	/* Keys as written, order kept. */
	{ "t.yaml", "z: 1\n1: 2\ntrue: 3\n\"q\": 4\na: 5\n",
	  "{\"z\":1,\"1\":2,\"true\":3,\"q\":4,\"a\":5}" },
	/* Block and flow, nested. */
	{ "t.yaml", "a:\n  - {b: [1, {c: d}], e: []}\n  - - x\n    - y\n  -\nf: {}\n",
	  "{\"a\":[{\"b\":[1,{\"c\":\"d\"}],\"e\":[]},[\"x\",\"y\"],null],\"f\":{}}" },
	/* Anchors, aliases and merges. */
	{ "t.yaml", "base: &b {x: 1, y: [2, 3]}\ncopy: *b\nlist: [*b, &s str, *s]\n",
	  "{\"base\":{\"x\":1,\"y\":[2,3]},\"copy\":{\"x\":1,\"y\":[2,3]},"
	  "\"list\":[{\"x\":1,\"y\":[2,3]},\"str\",\"str\"]}" },
	{ "t.yaml", "a: &x 1\na2: &x 2\nb: *x\n", "{\"a\":1,\"a2\":2,\"b\":2}" },
	{ "t.yaml", "&k key: v\nother: *k\n*k : w2\n",
	  NULL },	/* duplicate: "key" twice, checked below */
	{ "t.yaml", "base: &b {x: 1, y: 2}\nd:\n  a: 0\n  <<: *b\n  y: 3\n  z: 4\n",
	  "{\"base\":{\"x\":1,\"y\":2},\"d\":{\"a\":0,\"x\":1,\"y\":3,\"z\":4}}" },
	{ "t.yaml", "a: &a {p: 1, q: 1}\nb: &b {q: 2, r: 2}\nc: {<<: [*a, *b], s: 3}\n",
	  "{\"a\":{\"p\":1,\"q\":1},\"b\":{\"q\":2,\"r\":2},\"c\":{\"p\":1,\"q\":1,\"r\":2,\"s\":3}}" },
	{ "t.yaml", "c: {\"<<\": 1}\n", "{\"c\":{\"<<\":1}}" },
	/* Documents. */
	{ "t.yaml", "", "null" },
	{ "t.yaml", "# only a comment\n\n", "null" },
	{ "t.yaml", "---\na: 1\n...\n", "{\"a\":1}" },
	{ "t.yaml", "--- 5\n", "5" },
	{ "t.yaml", "\xef\xbb\xbf" "a: 1\n", "{\"a\":1}" },
	/* JSON read as YAML, and strictly as JSON. */
	{ "t.yaml", "{\n\t\"a\": 1,\n\t\"b\": [true, null, \"x\"]\n}\n",
	  "{\"a\":1,\"b\":[true,null,\"x\"]}" },
	{ "t.yaml", "{\"a\":1,\"b\":{\"c\":[1.5,-2e-3]}}",
	  "{\"a\":1,\"b\":{\"c\":[1.5,-0.002]}}" },
	{ "t.json", "{\n\t\"a\": 1,\n\t\"b\": [true, null, \"x\"]\n}\n",
	  "{\"a\":1,\"b\":[true,null,\"x\"]}" },
	{ "t.json", "{\"a\"\n:\n1, \"s\": \"\\ud83d\\ude00\\/\"}",
	  "{\"a\":1,\"s\":\"\xf0\x9f\x98\x80/\"}" },
	{ "T.JSON", "[]", "[]" },
	{ "t.json", "\"x\"", "\"x\"" },
	/* The project's own example configs. */
	{ "schema.yaml",
	  "columns:\n"
	  "  Status:    {type: category, values: [good, bad], nullable: false}\n"
	  "  Seniority: {type: integer, min: 0, max: 60}\n"
	  "  Home:      {type: category, values: [rent, owner, priv, ignore, parents, other], max_missing_fraction: 0.01}\n"
	  "  Age:       {type: integer, min: 18, max: 100}\n"
	  "  Income:    {type: number, min: 0, max_missing_fraction: 0.1}\n"
	  "table:\n"
	  "  rows: {min: 1000}\n"
	  "  strict: false\n",
	  "{\"columns\":{\"Status\":{\"type\":\"category\",\"values\":[\"good\",\"bad\"],\"nullable\":false},"
	  "\"Seniority\":{\"type\":\"integer\",\"min\":0,\"max\":60},"
	  "\"Home\":{\"type\":\"category\",\"values\":[\"rent\",\"owner\",\"priv\",\"ignore\",\"parents\",\"other\"],\"max_missing_fraction\":0.01},"
	  "\"Age\":{\"type\":\"integer\",\"min\":18,\"max\":100},"
	  "\"Income\":{\"type\":\"number\",\"min\":0,\"max_missing_fraction\":0.1}},"
	  "\"table\":{\"rows\":{\"min\":1000},\"strict\":false}}" },
	{ "train.yaml",
	  "data:\n"
	  "  train: data/train.csv\n"
	  "  test: data/test.csv            # or instead: split: {test_size: 0.2, seed: 42, stratify: true}\n"
	  "  target: Status\n"
	  "  features: all\n"
	  "preprocess:\n"
	  "  numeric:     [{impute: median}, {scale: standard}]\n"
	  "  categorical: [{impute: most_frequent}, {one_hot: {handle_unknown: ignore}}]\n"
	  "models:\n"
	  "  - type: logistic_regression\n"
	  "    params: {C: 1.0, max_iter: 1000}\n"
	  "  - type: mlp\n"
	  "    params: {hidden_layer_sizes: [64], epochs: 200, batch_size: 64, learning_rate: 0.001, seed: 0}\n"
	  "select_by: f1_macro\n",
	  "{\"data\":{\"train\":\"data/train.csv\",\"test\":\"data/test.csv\",\"target\":\"Status\",\"features\":\"all\"},"
	  "\"preprocess\":{\"numeric\":[{\"impute\":\"median\"},{\"scale\":\"standard\"}],"
	  "\"categorical\":[{\"impute\":\"most_frequent\"},{\"one_hot\":{\"handle_unknown\":\"ignore\"}}]},"
	  "\"models\":[{\"type\":\"logistic_regression\",\"params\":{\"C\":1,\"max_iter\":1000}},"
	  "{\"type\":\"mlp\",\"params\":{\"hidden_layer_sizes\":[64],\"epochs\":200,\"batch_size\":64,\"learning_rate\":0.001,\"seed\":0}}],"
	  "\"select_by\":\"f1_macro\"}" },
	{ "canary.yaml",
	  "prometheus: http://127.0.0.1:9090\n"
	  "window: 30m\n"
	  "resolution: 60s\n"
	  "canary: v2\n"
	  "metrics:\n"
	  "  - name: latency\n"
	  "    query: 'req_latency_seconds{version=\"{{version}}\"}'\n"
	  "    direction: increase\n"
	  "    critical: true\n"
	  "  - name: accuracy\n"
	  "    samples: {canary: [0.91, 0.90, 0.92, 0.91], baseline: [0.90, 0.91, 0.90, 0.92]}\n"
	  "model: {name: BankingModel-main, canary_version: \"7\", baseline_alias: champion}\n",
	  "{\"prometheus\":\"http://127.0.0.1:9090\",\"window\":\"30m\",\"resolution\":\"60s\",\"canary\":\"v2\","
	  "\"metrics\":[{\"name\":\"latency\",\"query\":\"req_latency_seconds{version=\\\"{{version}}\\\"}\","
	  "\"direction\":\"increase\",\"critical\":true},"
	  "{\"name\":\"accuracy\",\"samples\":{\"canary\":[0.91,0.9,0.92,0.91],\"baseline\":[0.9,0.91,0.9,0.92]}}],"
	  "\"model\":{\"name\":\"BankingModel-main\",\"canary_version\":\"7\",\"baseline_alias\":\"champion\"}}" },
};

struct err_case {
	const char *name, *text, *msg;	/* the whole message after "mlci: " */
};

static const struct err_case err_cases[] = {
	{ "t.yaml", "a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key 'a' (first at line 1)" },
	{ "t.yaml", "x: {k: 1,\n  k: 2}\n", "t.yaml:2:3: duplicate key 'k' (first at line 1)" },
	{ "t.yaml", "&k key: v\nother: *k\n*k : w2\n",
	  "t.yaml:3:1: duplicate key 'key' (first at line 1)" },
	{ "t.yaml", "a:\n\tb: 1\n",
	  "t.yaml:2:1: found character that cannot start any token "
	  "(while scanning for the next token): a tab; YAML indents with spaces only" },
	{ "t.yaml", "a: \"abc\nb: 1\n",
	  "t.yaml:3:1: found unexpected end of stream "
	  "(while scanning a quoted scalar at line 1, column 4)" },
	{ "t.yaml", "a: 1\n---\nb: 2\n",
	  "t.yaml:2:1: a second document starts here; a config holds one document" },
	{ "t.yaml", "a: [1, 2\n", "t.yaml:2:1: did not find expected ',' or ']' "
	  "(while parsing a flow sequence at line 1, column 4)" },
	{ "t.yaml", "x: 1\ny: .inf\n",
	  "t.yaml:2:4: '.inf' is not a finite number; a config holds finite numbers only" },
	{ "t.yaml", "[-.Inf]", "t.yaml:1:2: '-.Inf' is not a finite number; a config holds finite numbers only" },
	{ "t.yaml", "[.NaN]", "t.yaml:1:2: '.NaN' is not a finite number; a config holds finite numbers only" },
	{ "t.yaml", "a: 1e999\n", "t.yaml:1:4: number '1e999' is out of range" },
	{ "t.yaml", "id: 516919575679466760\n",
	  "t.yaml:1:5: integer '516919575679466760' is too large for an exact number "
	  "(beyond 2^53); quote it if it is an identifier" },
	{ "t.yaml", "[9007199254740993]",
	  "t.yaml:1:2: integer '9007199254740993' is too large for an exact number "
	  "(beyond 2^53); quote it if it is an identifier" },
	{ "t.yaml", "a: !!int 1.5\n", "t.yaml:1:4: '1.5' is not a valid !!int" },
	{ "t.yaml", "a: !!bool yes\n", "t.yaml:1:4: 'yes' is not a valid !!bool" },
	{ "t.yaml", "a: !!float abc\n", "t.yaml:1:4: 'abc' is not a valid !!float" },
	{ "t.yaml", "a: !!null 0\n", "t.yaml:1:4: '0' is not a valid !!null" },
	{ "t.yaml", "a: !foo 1\n", "t.yaml:1:4: unknown tag '!foo' on a scalar" },
	{ "t.yaml", "a: !!binary aGk=\n", "t.yaml:1:4: unknown tag '!!binary' on a scalar" },
	{ "t.yaml", "a: !!set {x}\n", "t.yaml:1:4: unknown tag '!!set' on a mapping" },
	{ "t.yaml", "a: !!map [x]\n", "t.yaml:1:4: unknown tag '!!map' on a sequence" },
	{ "t.yaml", "!weird k: 1\n", "t.yaml:1:1: unknown tag '!weird' on a key" },
	{ "t.yaml", "? [a]\n: 1\n",
	  "t.yaml:1:3: a mapping key must be a scalar, not a mapping or a sequence" },
	{ "t.yaml", "a: &m {x: 1}\n*m : 2\n",
	  "t.yaml:2:1: a mapping key must be a scalar, and '*m' is not" },
	{ "t.yaml", "a: *nope\n", "t.yaml:1:4: unknown alias '*nope'" },
	{ "t.yaml", "a: &r [1, *r]\n", "t.yaml:1:11: unknown alias '*r'" },
	{ "t.yaml", "a: {<<: 1}\n",
	  "t.yaml:1:5: a merge key '<<' takes a mapping or a list of mappings" },
	{ "t.yaml", "a: {<<: [{x: 1}, 2]}\n",
	  "t.yaml:1:5: a merge key '<<' takes a mapping or a list of mappings" },
	{ "t.yaml", "a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n",
	  "t.yaml:4:3: duplicate key '<<' (first at line 3)" },
	{ "t.yaml", "a: \"x\\0y\"\n", "t.yaml:1:4: a string holds a NUL character" },
	{ "t.yaml", "a: \xff\n", "t.yaml:1:4: invalid leading UTF-8 octet (byte 0xff)" },
	/* Strict JSON. */
	{ "t.json", "{\"a\": 1,}", "t.json:1:9: a trailing comma, which JSON does not allow" },
	{ "t.json", "[1,\n 2, ]", "t.json:2:5: a trailing comma, which JSON does not allow" },
	{ "t.json", "{\n  # comment\n  \"a\": 1\n}", "t.json:2:3: a comment, which JSON does not allow" },
	{ "t.json", "[1] // c", "t.json:1:5: a comment, which JSON does not allow" },
	{ "t.json", "{\"a\": [1, 2", "t.json:1:12: unexpected end of the file, expected ',' or ']'" },
	{ "t.json", "{a: 1}", "t.json:1:2: unexpected 'a', expected a string key" },
	{ "t.json", "{\"a\" 1}", "t.json:1:6: unexpected '1', expected ':'" },
	{ "t.json", "{\"a\": 1 \"b\": 2}", "t.json:1:9: unexpected '\"', expected ',' or '}'" },
	{ "t.json", "[\n  \"abc\n\"]", "t.json:2:7: a control character in a string (escape it)" },
	{ "t.json", "[\"abc]", "t.json:1:2: a string that does not end" },
	{ "t.json", "[\"a\\x\"]", "t.json:1:4: an invalid escape in a string" },
	{ "t.json", "[\"\\u12g4\"]", "t.json:1:3: a \\u escape needs four hex digits" },
	{ "t.json", "[01]", "t.json:1:3: unexpected '1', expected ',' or ']'" },
	{ "t.json", "[1.]", "t.json:1:4: unexpected ']', expected a digit" },
	{ "t.json", "[+1]", "t.json:1:2: unexpected '+', expected a value" },
	{ "t.json", "[tru]", "t.json:1:2: unexpected 't', expected a value" },
	{ "t.json", "{} {}", "t.json:1:4: unexpected '{', expected the end of the file" },
	{ "t.json", "[\x01]", "t.json:1:2: unexpected byte 0x01, expected a value" },
	{ "t.json", "{\"a\": 1,\n \"b\": 2,\n \"a\": 3}",
	  "t.json:3:2: duplicate key 'a' (first at line 1)" },
	{ "t.json", "{\"id\": 516919575679466760}",
	  "t.json:1:8: integer '516919575679466760' is too large for an exact number "
	  "(beyond 2^53); quote it if it is an identifier" },
	{ "t.json", "[1,\n 1e400]", "t.json:2:2: number '1e400' is out of range" },
	{ "t.json", "[\"a\\u0000b\"]", "t.json:1:2: a string holds a NUL character" },
	{ "t.json", "[\"\xc3\x28\"]", "t.json:1:3: invalid UTF-8 (byte 0xc3)" },
	{ "t.json", "", "t.json:1:1: unexpected end of the file, expected a value" },
};

static void test_ok_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];
		int ret;
		char *got, name[160];

		if (!c->json)
			continue;
		got = run(c->name, c->text, &ret);
		snprintf(name, sizeof(name), "loads %s: %.100s", c->name, c->text);
		CHECK_INT(ret, 0, name);
		CHECK_STR(got, c->json, name);
		free(got);
	}
}

static void test_err_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		char *got, name[160], *want;
		int ret;

		got = run(c->name, c->text, &ret);
		want = xstrfmt("mlci: %s", c->msg);
		snprintf(name, sizeof(name), "rejects %s: %.100s", c->name, c->text);
		CHECK_INT(ret, -MLCI_EXIT_INPUT, name);
		CHECK_STR(got, want, name);
		free(got);
		free(want);
	}
}

/* Nesting up to the cap loads; one level more is refused with its line. */
static void test_depth(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *got, *want;
	int i, ret;

	for (i = 0; i < MLCI_CONFIG_MAX_DEPTH; i++)
		strbuf_addch(&sb, '[');
	for (i = 0; i < MLCI_CONFIG_MAX_DEPTH; i++)
		strbuf_addch(&sb, ']');
	got = run("d.yaml", sb.buf, &ret);
	CHECK_INT(ret, 0, "256 nested sequences load");
	CHECK_INT(strlen(got), 2 * MLCI_CONFIG_MAX_DEPTH, "256 nested sequences print");
	free(got);
	got = run("d.json", sb.buf, &ret);
	CHECK_INT(ret, 0, "256 nested JSON arrays load");
	free(got);

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "x: ");
	for (i = 0; i <= MLCI_CONFIG_MAX_DEPTH; i++)
		strbuf_addch(&sb, '[');
	got = run("d.yaml", sb.buf, &ret);
	want = xstrfmt("mlci: d.yaml:1:%d: mappings and sequences nest deeper than 256 levels",
		       MLCI_CONFIG_MAX_DEPTH + 3);	/* the mapping is one level */
	CHECK_INT(ret, -MLCI_EXIT_INPUT, "257 levels refused");
	CHECK_STR(got, want, "257 levels: the message names line and column");
	free(got);
	free(want);
	got = run("d.json", sb.buf + 3, &ret);
	CHECK_INT(ret, -MLCI_EXIT_INPUT, "257 JSON levels refused");
	free(got);

	/* Aliases cannot stack nesting past the cap either. */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "a: &a ");
	for (i = 0; i < 200; i++)
		strbuf_addch(&sb, '[');
	for (i = 0; i < 200; i++)
		strbuf_addch(&sb, ']');
	strbuf_addstr(&sb, "\nb: ");
	for (i = 0; i < 100; i++)
		strbuf_addch(&sb, '[');
	strbuf_addstr(&sb, "*a");
	for (i = 0; i < 100; i++)
		strbuf_addch(&sb, ']');
	got = run("d.yaml", sb.buf, &ret);
	CHECK_STR(got, "mlci: d.yaml:2:104: mappings and sequences nest deeper than 256 levels",
		  "an alias that nests too deep is refused");
	free(got);
	strbuf_release(&sb);
}

/* The billion laughs: aliases that expand past the budget are refused. */
static void test_alias_bomb(void)
{
	static const char bomb[] =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
	char *got;
	int ret;

	got = run("bomb.yaml", bomb, &ret);
	CHECK_INT(ret, -MLCI_EXIT_INPUT, "alias bomb refused");
	CHECK(strstr(got, "mlci: bomb.yaml:6:36: ") == got,
	      "alias bomb: stops at the 8th alias of line 6");
	CHECK(strstr(got, ": the config holds more than 1000000 values once aliases are expanded (an alias bomb?)") != NULL,
	      "alias bomb: message");
	free(got);
	/* Six levels (about 1.1e5 values) stay within the budget. */
	got = run("six.yaml", "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		  "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		  "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n", &ret);
	CHECK_INT(ret, 0, "1e5 values via aliases load");
	{
		long xs = 0;
		const char *p;

		for (p = got; *p; p++)
			xs += *p == 'x';
		CHECK_INT(xs, 10 + 100 + 1000 + 10000 + 100000,
			  "1e5 values via aliases: every copy is there");
	}
	free(got);
}

static void test_lines(void)
{
	static const char text[] =
		"# a comment\n"			/* 1 */
		"columns:\n"			/* 2 */
		"  Age:\n"			/* 3 */
		"    type: integer\n"		/* 4 */
		"    values:\n"			/* 5 */
		"      - 1\n"			/* 6 */
		"      -\n"			/* 7 */
		"        2\n"			/* 8 */
		"  Income: {type: number,\n"	/* 9 */
		"           min: 0}\n"		/* 10 */
		"base: &b\n"			/* 11 */
		"  x: 1\n"			/* 12 */
		"copy: *b\n"			/* 13 */
		"merged:\n"			/* 14 */
		"  <<: *b\n"			/* 15 */
		"  y: 2\n";			/* 16 */
	struct mlci_config *cfg;
	const cJSON *root, *cols, *age, *vals, *inc, *copy, *merged;
	cJSON *other;
	int ret;

	ret = mlci_config_parse(text, sizeof(text) - 1, "s.yaml", &cfg);
	CHECK_INT(ret, 0, "lines: loads");
	if (ret)
		return;
	CHECK_STR(mlci_config_path(cfg), "s.yaml", "path is the name given");
	root = mlci_config_root(cfg);
	cols = cJSON_GetObjectItemCaseSensitive(root, "columns");
	age = cJSON_GetObjectItemCaseSensitive(cols, "Age");
	vals = cJSON_GetObjectItemCaseSensitive(age, "values");
	inc = cJSON_GetObjectItemCaseSensitive(cols, "Income");
	copy = cJSON_GetObjectItemCaseSensitive(root, "copy");
	merged = cJSON_GetObjectItemCaseSensitive(root, "merged");
	CHECK_INT(mlci_config_line(cfg, root), 2, "line of the root");
	CHECK_INT(mlci_config_line(cfg, cols), 2, "line of a key with a block value");
	CHECK_INT(mlci_config_line(cfg, age), 3, "line of a nested key");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetObjectItemCaseSensitive(age, "type")), 4,
		  "line of a scalar member");
	CHECK_INT(mlci_config_line(cfg, vals), 5, "line of a list member");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetArrayItem(vals, 0)), 6, "line of element 0");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetArrayItem(vals, 1)), 8,
		  "line of element 1: where its value starts");
	CHECK_INT(mlci_config_line(cfg, inc), 9, "line of a flow mapping member");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetObjectItemCaseSensitive(inc, "min")), 10,
		  "line of a flow member on a continuation line");
	CHECK_INT(mlci_config_line(cfg, copy), 13, "an alias copy: the line of its key");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetObjectItemCaseSensitive(copy, "x")), 12,
		  "inside an alias copy: the line of the anchored text");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetObjectItemCaseSensitive(merged, "x")), 12,
		  "a merged member: the line of the anchored text");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetObjectItemCaseSensitive(merged, "y")), 16,
		  "a member after a merge");
	other = cJSON_CreateNull();
	CHECK_INT(mlci_config_line(cfg, other), 0, "an item not from the config: 0");
	CHECK_INT(mlci_config_line(cfg, NULL), 0, "NULL item: 0");
	CHECK_INT(mlci_config_line(NULL, root), 0, "NULL config: 0");

	/* mlci_config_error: file:line: message, or file: message. */
	{
		char *msg;

		unit_capture_start();
		ret = mlci_config_error(cfg, cJSON_GetObjectItemCaseSensitive(age, "type"),
					MLCI_EXIT_INPUT, "unknown type '%s'", "flaot");
		msg = unit_capture_end();
		CHECK_INT(ret, -MLCI_EXIT_INPUT, "config_error returns -code");
		CHECK_STR(msg, "mlci: s.yaml:4: unknown type 'flaot'", "config_error message");
		free(msg);
		unit_capture_start();
		ret = mlci_config_error(cfg, other, MLCI_EXIT_VERDICT, "no line %d", 7);
		msg = unit_capture_end();
		CHECK_INT(ret, -MLCI_EXIT_VERDICT, "config_error returns -code (1)");
		CHECK_STR(msg, "mlci: s.yaml: no line 7", "config_error without a line");
		free(msg);
		unit_capture_start();
		ret = mlci_config_error(NULL, NULL, MLCI_EXIT_BUG, "bare");
		msg = unit_capture_end();
		CHECK_INT(ret, -MLCI_EXIT_BUG, "config_error without a config");
		CHECK_STR(msg, "mlci: bare", "config_error without a config: message");
		free(msg);
	}
	cJSON_Delete(other);
	mlci_config_free(cfg);

	/* JSON: keys, elements and the root. */
	{
		static const char j[] = "\n{\"a\": 1,\n \"b\": [\n  true,\n  {\"c\": null}]}\n";

		ret = mlci_config_parse(j, sizeof(j) - 1, "j.json", &cfg);
	}
	CHECK_INT(ret, 0, "json lines: loads");
	if (ret)
		return;
	root = mlci_config_root(cfg);
	vals = cJSON_GetObjectItemCaseSensitive(root, "b");
	CHECK_INT(mlci_config_line(cfg, root), 2, "json: line of the root");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetObjectItemCaseSensitive(root, "a")), 2,
		  "json: line of a member");
	CHECK_INT(mlci_config_line(cfg, vals), 3, "json: line of a list member");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetArrayItem(vals, 0)), 4, "json: element 0");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetArrayItem(vals, 1)), 5, "json: element 1");
	CHECK_INT(mlci_config_line(cfg, cJSON_GetArrayItem(vals, 1)->child), 5,
		  "json: nested member");
	mlci_config_free(cfg);

	/* The empty document: a null root with no line. */
	ret = mlci_config_parse("# nothing\n", 10, "e.yaml", &cfg);
	CHECK_INT(ret, 0, "empty: loads");
	if (ret)
		return;
	CHECK(cJSON_IsNull(mlci_config_root(cfg)), "empty: null root");
	CHECK_INT(mlci_config_line(cfg, mlci_config_root(cfg)), 0, "empty: no line");
	mlci_config_free(cfg);
}

/* Text that is not NUL-terminated, and NUL bytes in the text. */
static void test_buffers(void)
{
	struct mlci_config *cfg = NULL;
	char *msg, *json;
	int ret;

	ret = mlci_config_parse("a: 1\nb: 2\n", 5, "n.yaml", &cfg);
	CHECK_INT(ret, 0, "a length shorter than the string");
	json = cJSON_PrintUnformatted(mlci_config_root(cfg));
	CHECK_STR(json, "{\"a\":1}", "only len bytes are read");
	free(json);
	mlci_config_free(cfg);

	unit_capture_start();
	ret = mlci_config_parse("a: 1\nb\0: 2\n", 11, "n.yaml", &cfg);
	msg = unit_capture_end();
	CHECK_INT(ret, -MLCI_EXIT_INPUT, "NUL byte refused");
	CHECK(cfg == NULL, "NUL byte: no config");
	CHECK_STR(msg, "mlci: n.yaml:2:2: a NUL byte; a config is text", "NUL byte: message");
	free(msg);
}

static void test_load(void)
{
	char dir[] = "/tmp/test-config-XXXXXX", *path, *msg;
	struct mlci_config *cfg = NULL;
	FILE *fp;
	int ret;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	path = xstrfmt("%s/gate.yaml", dir);
	fp = fopen(path, "w");
	fputs("rules:\n  - accuracy >= 0.7\n  - 'f1_macro >= baseline - 0.01'\nmissing: fail\n", fp);
	fclose(fp);
	ret = mlci_config_load(path, &cfg);
	CHECK_INT(ret, 0, "load a file");
	if (!ret) {
		char *json = cJSON_PrintUnformatted(mlci_config_root(cfg));

		CHECK_STR(json, "{\"rules\":[\"accuracy >= 0.7\",\"f1_macro >= baseline - 0.01\"],"
			  "\"missing\":\"fail\"}", "load: the tree");
		CHECK_STR(mlci_config_path(cfg), path, "load: the path");
		free(json);
	}
	mlci_config_free(cfg);

	unit_capture_start();
	ret = mlci_config_load("/nonexistent/x.yaml", &cfg);
	msg = unit_capture_end();
	CHECK_INT(ret, -MLCI_EXIT_INPUT, "missing file: exit 3");
	CHECK(cfg == NULL, "missing file: no config");
	CHECK_STR(msg, "mlci: cannot open '/nonexistent/x.yaml': No such file or directory",
		  "missing file: message");
	free(msg);

	unit_capture_start();
	ret = mlci_config_load(dir, &cfg);
	msg = unit_capture_end();
	CHECK_INT(ret, -MLCI_EXIT_INPUT, "a directory: exit 3");
	free(msg);

	/* Over the size cap: a sparse file. */
	fp = fopen(path, "w");
	if (fp && !fseek(fp, MLCI_CONFIG_MAX_SIZE, SEEK_SET))
		fputc('\n', fp);
	if (fp)
		fclose(fp);
	unit_capture_start();
	ret = mlci_config_load(path, &cfg);
	msg = unit_capture_end();
	CHECK_INT(ret, -MLCI_EXIT_INPUT, "too large: exit 3");
	{
		char *want = xstrfmt("mlci: '%s' is larger than 16 MiB", path);

		CHECK_STR(msg, want, "too large: message");
		free(want);
	}
	free(msg);
	unlink(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	test_ok_cases();
	test_err_cases();
	test_depth();
	test_alias_bomb();
	test_lines();
	test_buffers();
	test_load();
	return unit_done();
}
