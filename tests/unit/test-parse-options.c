/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/parse-options.c: the option table parser. */
#include <stdio.h>
#include <string.h>

#include "parse-options.h"
#include "usage.h"
#include "unit.h"

static const char *const usage[] = { "prog [options] <x>...", NULL };

static const char *str;
static int flag;
static long num;
static double dbl;
static struct mlci_strlist list = MLCI_STRLIST_INIT;
static const char *cb_seen;

static int cb(const struct mlci_option *opt, const char *arg)
{
	(void)opt;
	cb_seen = arg;
	return strcmp(arg, "bad") ? 0 : -1;
}

static const struct mlci_option opts[] = {
	OPT_STRING('i', "input", &str, "file", "input"),
	OPT_FLAG('p', "pretty", &flag, "pretty"),
	OPT_LONG('n', "count", &num, "n", "count"),
	OPT_DOUBLE(0, "alpha", &dbl, "a", "alpha"),
	OPT_LIST('r', "rule", &list, "rule", "rules"),
	OPT_CALLBACK(0, "call", NULL, "v", "callback", cb),
	OPT_END()
};

static const struct {
	const char *args[8];
	int ret;
	const char *str;
	int flag;
	long num;
	double dbl;
	size_t nlist;
	const char *op0;
} cases[] = {
	{ { "a", "b" }, 2, NULL, 0, 0, 0, 0, "a" },
	{ { "-i", "f.json", "x" }, 1, "f.json", 0, 0, 0, 0, "x" },
	{ { "--input=f.json" }, 0, "f.json", 0, 0, 0, 0, NULL },
	{ { "--input", "f", "--pretty" }, 0, "f", 1, 0, 0, 0, NULL },
	{ { "-pif" }, 0, "f", 1, 0, 0, 0, NULL },
	{ { "x", "-p", "y" }, 2, NULL, 1, 0, 0, 0, "x" },
	{ { "--pretty", "--no-pretty" }, 0, NULL, 0, 0, 0, 0, NULL },
	{ { "-n", "42", "--alpha=0.05" }, 0, NULL, 0, 42, 0.05, 0, NULL },
	{ { "-r", "a", "--rule", "b", "-rc" }, 0, NULL, 0, 0, 0, 3, NULL },
	{ { "--", "-p", "--input" }, 2, NULL, 0, 0, 0, 0, "-p" },
	{ { "-" }, 1, NULL, 0, 0, 0, 0, "-" },
	{ { "--call", "ok" }, 0, NULL, 0, 0, 0, 0, NULL },
	{ { "--unknown" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "-z" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "--input" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "-i" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "--pretty=1" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "-n", "4x" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "--alpha", "inf" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "--call", "bad" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "--no-input" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "--inp", "x" }, -MLCI_EXIT_USAGE, NULL, 0, 0, 0, 0, NULL },
	{ { "--help" }, MLCI_PARSE_EXIT, NULL, 0, 0, 0, 0, NULL },
	{ { "-h" }, MLCI_PARSE_EXIT, NULL, 0, 0, 0, 0, NULL },
	{ { "--version" }, MLCI_PARSE_EXIT, NULL, 0, 0, 0, 0, NULL },
};

int main(void)
{
	size_t i, j;
	char name[200];

	mlci_progname = "prog";
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[10] = { (char *)"prog" };
		int argc = 1, ret;

		for (j = 0; cases[i].args[j]; j++)
			argv[argc++] = (char *)cases[i].args[j];
		str = NULL;
		flag = 0;
		num = 0;
		dbl = 0;
		mlci_strlist_release(&list);
		snprintf(name, sizeof(name), "args %zu (%s ...)", i, cases[i].args[0]);
		/* Help and errors go to stdout/stderr: keep TAP clean. */
		fflush(stdout);
		if (!freopen("/dev/null", "w", stderr))
			return 1;
		if (cases[i].ret == MLCI_PARSE_EXIT) {
			FILE *keep = stdout;

			stdout = fopen("/dev/null", "w");
			ret = mlci_parse_options(argc, argv, opts, usage);
			fclose(stdout);
			stdout = keep;
		} else {
			ret = mlci_parse_options(argc, argv, opts, usage);
		}
		CHECK_INT(ret, cases[i].ret, name);
		if (ret < 0)
			continue;
		CHECK_STR(str, cases[i].str, name);
		CHECK_INT(flag, cases[i].flag, name);
		CHECK_INT(num, cases[i].num, name);
		CHECK_NEAR(dbl, cases[i].dbl, 0, name);
		CHECK_INT(list.nr, cases[i].nlist, name);
		if (cases[i].op0)
			CHECK_STR(argv[0], cases[i].op0, name);
		CHECK(argv[ret] == NULL, name);
	}
	CHECK_STR(cb_seen, "bad", "callback saw its argument");
	mlci_strlist_release(&list);
	return unit_done();
}
