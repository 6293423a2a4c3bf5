/* SPDX-License-Identifier: MIT */
/* Unit tests of the wheel checks' pure parts: METADATA parsing, PEP 508, content types, names, file names. */
#include <stdlib.h>

#include "metadata.h"
#include "unit.h"
#include "wheel.h"

static void test_parse(void)
{
	static const char text[] =
		"Metadata-Version: 2.1\r\n"
		"Name: mlci-sample\n"
		"Classifier: A\n"
		"classifier: B\n"
		"License: line one\n"
		"        line two\n"
		"\n"
		"# The body\n";
	struct mlci_metadata md = MLCI_METADATA_INIT;
	char err[200];

	CHECK_INT(mlci_metadata_parse(&md, text, strlen(text), err, sizeof(err)), 0, "parse METADATA");
	CHECK_STR(mlci_metadata_get(&md, "name"), "mlci-sample", "field names are case-insensitive");
	CHECK_STR(mlci_metadata_get(&md, "Metadata-Version"), "2.1", "CRLF line ends");
	CHECK_INT(mlci_metadata_count(&md, "Classifier"), 2, "repeated fields counted");
	CHECK_STR(mlci_metadata_get(&md, "License"), "line one\n        line two", "continuation lines joined");
	CHECK_STR(md.body, "# The body\n", "the body after the blank line");
	mlci_metadata_release(&md);

	CHECK_INT(mlci_metadata_parse(&md, "Name x\n", 7, err, sizeof(err)), -1, "a line without ':'");
	CHECK_STR(err, "line 1: expected 'Name: value'", "... named with its line");
	mlci_metadata_release(&md);
	CHECK_INT(mlci_metadata_parse(&md, "Name: \xff\n", 8, err, sizeof(err)), -1, "invalid UTF-8");
	mlci_metadata_release(&md);
	CHECK_INT(mlci_metadata_parse(&md, " x\n", 3, err, sizeof(err)), -1, "continuation first");
	mlci_metadata_release(&md);
}

static void test_requirements(void)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ "numpy", 1 }, { "numpy>=1.20", 1 }, { "numpy (>=1.20)", 1 },
		{ "scikit-learn (<2,>=1.0) ; python_version >= \"3.9\"", 1 },
		{ "requests[socks,security]>=2.8", 1 }, { "requests[]", 1 },
		{ "pkg @ https://example.com/pkg-1.0.tar.gz", 1 },
		{ "pkg @ https://example.com/x.whl ; os_name == 'posix'", 1 },
		{ "a; (python_version < '3' or os_name == \"nt\") and extra == 'x'", 1 },
		{ "a; sys_platform not in 'win32 cygwin'", 1 },
		{ "numpy >=> 1.20", 0 }, { "-numpy", 0 }, { "numpy-", 0 },
		{ "a; bogus_var == '1'", 0 }, { "a; python_version <", 0 },
		{ "a; (os_name == 'nt'", 0 }, { "a[b", 0 }, { "a @ nourl", 0 },
		{ "a (>=1", 0 }, { "", 0 }, { "a; os_name == 'nt' junk", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[200], name[160];

		snprintf(name, sizeof(name), "requirement '%s' %s", cases[i].s,
			 cases[i].ok ? "valid" : "invalid");
		CHECK_INT(mlci_metadata_check_requirement(cases[i].s, err, sizeof(err)),
			  cases[i].ok ? 0 : -1, name);
	}
}

static void test_content_types(void)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ "text/markdown", 1 }, { "text/markdown; charset=UTF-8; variant=GFM", 1 },
		{ "text/x-rst; charset=utf-8", 1 }, { "TEXT/PLAIN", 1 },
		{ "text/html", 0 }, { "text/markdown; variant=Foo", 0 },
		{ "text/plain; variant=GFM", 0 }, { "text/plain; charset=latin-1", 0 },
		{ "text/plain; nonsense", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[200], name[160];

		snprintf(name, sizeof(name), "content type '%s' %s", cases[i].s,
			 cases[i].ok ? "valid" : "invalid");
		CHECK_INT(mlci_metadata_check_content_type(cases[i].s, err, sizeof(err)),
			  cases[i].ok ? 0 : -1, name);
	}
}

static void test_names(void)
{
	char out[64], err[200];
	char *n, *v, *b, *py, *abi, *plat;

	mlci_wheel_normalize_name("Foo.Bar__baz-Q", 14, '-', out, sizeof(out));
	CHECK_STR(out, "foo-bar-baz-q", "PEP 503 normal name");
	mlci_wheel_normalize_name("Foo.Bar__baz-Q", 14, '_', out, sizeof(out));
	CHECK_STR(out, "foo_bar_baz_q", "file-name escaping");
	CHECK_INT(mlci_wheel_normalize_name("abcdef", 6, '-', out, 4), -1, "too long for out");

	CHECK_INT(mlci_wheel_split_filename("pkg-1.0-2-cp311-cp311-manylinux_2_17_x86_64.whl",
					    &n, &v, &b, &py, &abi, &plat, err, sizeof(err)),
		  0, "split a file name with a build tag");
	CHECK_STR(n, "pkg", "name");
	CHECK_STR(v, "1.0", "version");
	CHECK_STR(b, "2", "build");
	CHECK_STR(plat, "manylinux_2_17_x86_64", "platform");
	free(n); free(v); free(b); free(py); free(abi); free(plat);
	CHECK_INT(mlci_wheel_split_filename("pkg-1.0-py3-none.whl", &n, &v, &b, &py, &abi,
					    &plat, err, sizeof(err)), -1, "four parts");
	CHECK_INT(mlci_wheel_split_filename("pkg-1.0-py3-none-any.zip", &n, &v, &b, &py, &abi,
					    &plat, err, sizeof(err)), -1, "not .whl");
	CHECK_INT(mlci_wheel_split_filename("pkg--py3-none-any.whl", &n, &v, &b, &py, &abi,
					    &plat, err, sizeof(err)), -1, "an empty part");
	CHECK_STR(mlci_wheel_code_text("R005"), "hash mismatch", "code text");
	CHECK(mlci_wheel_code_text("X999") == NULL, "unknown code");
}

static void test_findings(void)
{
	struct mlci_wheel w;
	struct mlci_wheel_options o = MLCI_WHEEL_OPTIONS_INIT;

	mlci_wheel_init(&w);
	mlci_wheel_add(&w, &o, "W001", "a.pyc", "x");
	mlci_wheel_add(&w, &o, "R005", "a.py", "y %d", 1);
	CHECK_INT(w.warnings, 1, "W codes are warnings");
	CHECK_INT(w.errors, 1, "R codes are errors");
	o.strict = 1;
	o.ignore = "W1,W002";
	mlci_wheel_add(&w, &o, "W101", "a", "x");
	mlci_wheel_add(&w, &o, "W002", "a", "x");
	mlci_wheel_add(&w, &o, "W003", "a", "x");
	CHECK_INT(w.nr, 3, "--ignore drops by prefix and by code");
	CHECK_INT(w.errors, 2, "--strict makes W codes errors");
	o.ignore = NULL;
	o.select = "W2";
	mlci_wheel_add(&w, &o, "W003", "a", "x");
	mlci_wheel_add(&w, &o, "R001", "a", "x");
	CHECK_INT(w.nr, 4, "--select filters only W codes");
	mlci_wheel_release(&w);
}

int main(void)
{
	test_parse();
	test_requirements();
	test_content_types();
	test_names();
	test_findings();
	return unit_done();
}
