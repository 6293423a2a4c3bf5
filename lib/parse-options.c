/* SPDX-License-Identifier: MIT */
/* Command-line options from a static table; --help and --version from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-options.h"
#include "usage.h"
#include "wrapper.h"

#ifndef MLCI_VERSION
#define MLCI_VERSION "0.0.0"
#endif

void mlci_strlist_push(struct mlci_strlist *l, const char *s)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr++] = s;
}

void mlci_strlist_release(struct mlci_strlist *l)
{
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}

static void print_usage(FILE *fp, const struct mlci_option *opts,
			const char *const *usage)
{
	const struct mlci_option *o;
	size_t i;

	for (i = 0; usage[i] && *usage[i]; i++)
		fprintf(fp, "%s %s\n", i ? "   or:" : "usage:", usage[i]);
	if (usage[i] && !*usage[i] && usage[i + 1])
		fprintf(fp, "\n%s\n", usage[i + 1]);
	fputc('\n', fp);
	for (o = opts; o->type != MLCI_OPT_END; o++) {
		char left[128];
		int n = 0;

		if (o->type == MLCI_OPT_GROUP) {
			fprintf(fp, "\n%s\n", o->help);
			continue;
		}
		if (o->short_name)
			n += snprintf(left + n, sizeof(left) - n, "-%c%s",
				      o->short_name, o->long_name ? ", " : "");
		else
			n += snprintf(left + n, sizeof(left) - n, "    ");
		if (o->long_name)
			n += snprintf(left + n, sizeof(left) - n, "--%s",
				      o->long_name);
		if (o->argh)
			snprintf(left + n, sizeof(left) - n, " <%s>", o->argh);
		if (strlen(left) > 24)
			fprintf(fp, "    %s\n%30s%s\n", left, "", o->help);
		else
			fprintf(fp, "    %-24s  %s\n", left, o->help);
	}
	fprintf(fp, "    %-24s  %s\n", "-h, --help", "show this help and exit");
	fprintf(fp, "    %-24s  %s\n", "    --version",
		"show the version and exit");
}

void mlci_usage_error(const struct mlci_option *opts, const char *const *usage)
{
	print_usage(stderr, opts, usage);
}

static int bad(const struct mlci_option *opts, const char *const *usage,
	       const char *what, const char *arg)
{
	mlci_error(MLCI_EXIT_USAGE, "%s '%s'", what, arg);
	print_usage(stderr, opts, usage);
	return -MLCI_EXIT_USAGE;
}

static const char *optname(const struct mlci_option *o, char *buf, size_t n)
{
	if (o->long_name)
		snprintf(buf, n, "--%s", o->long_name);
	else
		snprintf(buf, n, "-%c", o->short_name);
	return buf;
}

/* Store arg into o's value; 0, or -1 after reporting. */
static int store(const struct mlci_option *o, const char *arg)
{
	char name[80];

	optname(o, name, sizeof(name));
	switch (o->type) {
	case MLCI_OPT_STRING:
		*(const char **)o->value = arg;
		return 0;
	case MLCI_OPT_LIST:
		mlci_strlist_push(o->value, arg);
		return 0;
	case MLCI_OPT_LONG:
		if (mlci_parse_long(arg, -2147483647L, 2147483647L, o->value)) {
			mlci_error(MLCI_EXIT_USAGE,
				   "option '%s' expects a whole number, not '%s'",
				   name, arg);
			return -1;
		}
		return 0;
	case MLCI_OPT_DOUBLE:
		if (mlci_parse_double(arg, o->value)) {
			mlci_error(MLCI_EXIT_USAGE,
				   "option '%s' expects a number, not '%s'",
				   name, arg);
			return -1;
		}
		return 0;
	case MLCI_OPT_CALLBACK:
		return o->callback(o, arg) ? -1 : 0;
	default:
		return -1;
	}
}

int mlci_parse_options(int argc, char **argv, const struct mlci_option *opts,
		       const char *const *usage)
{
	int i, nops = 0, dashdash = 0;
	char **operands = xcalloc((size_t)argc + 1, sizeof(*operands));
	int ret;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct mlci_option *o;

		if (dashdash || a[0] != '-' || !a[1]) {
			operands[nops++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			int negated = 0;

			if (len == 4 && !strncmp(name, "help", 4)) {
				print_usage(stdout, opts, usage);
				ret = MLCI_PARSE_EXIT;
				goto out;
			}
			if (len == 7 && !strncmp(name, "version", 7)) {
				fprintf(stdout, "%s (mlci) %s\n", mlci_progname,
				       MLCI_VERSION);
				ret = MLCI_PARSE_EXIT;
				goto out;
			}
			for (o = opts; o->type != MLCI_OPT_END; o++)
				if (o->long_name && strlen(o->long_name) == len &&
				    !strncmp(o->long_name, name, len))
					break;
			if (o->type == MLCI_OPT_END && len > 3 &&
			    !strncmp(name, "no-", 3)) {
				for (o = opts; o->type != MLCI_OPT_END; o++)
					if (o->type == MLCI_OPT_FLAG && o->long_name &&
					    strlen(o->long_name) == len - 3 &&
					    !strncmp(o->long_name, name + 3, len - 3))
						break;
				negated = 1;
			}
			if (o->type == MLCI_OPT_END) {
				ret = bad(opts, usage, "unknown option", a);
				goto out;
			}
			if (o->type == MLCI_OPT_FLAG) {
				if (eq) {
					ret = bad(opts, usage,
						  "no value is taken by option", a);
					goto out;
				}
				*(int *)o->value = !negated;
				continue;
			}
			if (!eq && i + 1 >= argc) {
				ret = bad(opts, usage,
					  "a value is required by option", a);
				goto out;
			}
			if (store(o, eq ? eq + 1 : argv[++i])) {
				print_usage(stderr, opts, usage);
				ret = -MLCI_EXIT_USAGE;
				goto out;
			}
			continue;
		}
		for (a++; *a; a++) {
			char s[3] = { '-', *a, '\0' };

			if (*a == 'h') {
				print_usage(stdout, opts, usage);
				ret = MLCI_PARSE_EXIT;
				goto out;
			}
			for (o = opts; o->type != MLCI_OPT_END; o++)
				if (o->short_name == *a)
					break;
			if (o->type == MLCI_OPT_END) {
				ret = bad(opts, usage, "unknown option", s);
				goto out;
			}
			if (o->type == MLCI_OPT_FLAG) {
				*(int *)o->value = 1;
				continue;
			}
			if (!a[1] && i + 1 >= argc) {
				ret = bad(opts, usage,
					  "a value is required by option", s);
				goto out;
			}
			if (store(o, a[1] ? a + 1 : argv[++i])) {
				print_usage(stderr, opts, usage);
				ret = -MLCI_EXIT_USAGE;
				goto out;
			}
			break;
		}
	}
	memcpy(argv, operands, sizeof(*operands) * ((size_t)nops + 1));
	ret = nops;
out:
	free(operands);
	return ret;
}
