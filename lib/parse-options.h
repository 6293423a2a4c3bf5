/* SPDX-License-Identifier: MIT */
/* Command-line options from a static table; --help and --version from it. */
#ifndef MLCI_PARSE_OPTIONS_H
#define MLCI_PARSE_OPTIONS_H

#include <stddef.h>

enum mlci_opt_type {
	MLCI_OPT_END,
	MLCI_OPT_GROUP,		/* a heading in --help, no option */
	MLCI_OPT_FLAG,		/* int: set to 1, --no-<name> sets 0 */
	MLCI_OPT_STRING,	/* const char *: points into argv */
	MLCI_OPT_LIST,		/* struct mlci_strlist: every occurrence */
	MLCI_OPT_LONG,		/* long */
	MLCI_OPT_DOUBLE,	/* double, finite */
	MLCI_OPT_CALLBACK	/* callback(opt, arg) */
};

struct mlci_option;
typedef int (*mlci_opt_cb)(const struct mlci_option *opt, const char *arg);

struct mlci_option {
	enum mlci_opt_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh;	/* the argument's name in --help, NULL: none */
	const char *help;
	mlci_opt_cb callback;	/* MLCI_OPT_CALLBACK; returns 0 or -1 */
};

/* Repeated string options, borrowed from argv. */
struct mlci_strlist {
	const char **items;
	size_t nr, alloc;
};
#define MLCI_STRLIST_INIT { NULL, 0, 0 }
void mlci_strlist_push(struct mlci_strlist *l, const char *s);
void mlci_strlist_release(struct mlci_strlist *l);

#define OPT_END() { MLCI_OPT_END, 0, NULL, NULL, NULL, NULL, NULL }
#define OPT_GROUP(h) { MLCI_OPT_GROUP, 0, NULL, NULL, NULL, (h), NULL }
#define OPT_FLAG(s, l, v, h) { MLCI_OPT_FLAG, (s), (l), (v), NULL, (h), NULL }
#define OPT_STRING(s, l, v, a, h) { MLCI_OPT_STRING, (s), (l), (v), (a), (h), NULL }
#define OPT_LIST(s, l, v, a, h) { MLCI_OPT_LIST, (s), (l), (v), (a), (h), NULL }
#define OPT_LONG(s, l, v, a, h) { MLCI_OPT_LONG, (s), (l), (v), (a), (h), NULL }
#define OPT_DOUBLE(s, l, v, a, h) { MLCI_OPT_DOUBLE, (s), (l), (v), (a), (h), NULL }
#define OPT_CALLBACK(s, l, v, a, h, cb) { MLCI_OPT_CALLBACK, (s), (l), (v), (a), (h), (cb) }

/* mlci_parse_options() returns this after printing --help or --version. */
#define MLCI_PARSE_EXIT (-100)

/*
 * Parse argv[1..argc-1] against opts (ended by OPT_END()). usage is a
 * NULL-terminated list: the synopsis lines, then optionally "" and a
 * one-paragraph description. --help (-h) and --version are built in.
 * Options and operands may be mixed; "--" ends the options.
 *
 * Returns the number of operands, moved to argv[0..n-1] (argv[n] = NULL);
 * MLCI_PARSE_EXIT after printing help or version on stdout; or
 * -MLCI_EXIT_USAGE after printing the error and the usage on stderr.
 */
int mlci_parse_options(int argc, char **argv, const struct mlci_option *opts,
		       const char *const *usage);

/* Print the usage and option table to stderr, for a tool's own usage error. */
void mlci_usage_error(const struct mlci_option *opts, const char *const *usage);

#endif
