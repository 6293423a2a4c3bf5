/* SPDX-License-Identifier: MIT */
/* Exit codes, error and warning messages shared by every program. */
#ifndef MLCI_USAGE_H
#define MLCI_USAGE_H

/* The exit status of every program (DESIGN.md §2). */
enum mlci_exit {
	MLCI_EXIT_OK = 0,	/* the check passed, the work was done */
	MLCI_EXIT_VERDICT = 1,	/* negative verdict; the record is still written */
	MLCI_EXIT_USAGE = 2,	/* unknown option, missing operand */
	MLCI_EXIT_INPUT = 3,	/* bad input: file, record, config, data */
	MLCI_EXIT_SYSTEM = 4,	/* local system error: I/O, disk full, memory */
	MLCI_EXIT_REMOTE = 5,	/* remote or transient failure after retries */
	MLCI_EXIT_BUG = 6	/* internal error */
};

/*
 * The program's name, used as the prefix of every message. Set once by
 * main() from argv[0]; "mlci" until then.
 */
extern const char *mlci_progname;

/*
 * Print "<prog>: <message>" on stderr and return -code, so that library
 * functions can write `return mlci_error(MLCI_EXIT_INPUT, "cannot ...");`
 * and the front end turns the negative value back into an exit status.
 */
int mlci_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* As mlci_error(), with ": <strerror(errno)>" appended. */
int mlci_error_errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "<prog>: warning: <message>" on stderr. */
void mlci_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "<prog>: <message>" and exit with MLCI_EXIT_SYSTEM (out of memory). */
void mlci_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * Turn a library return value into an exit status: 0 stays 0, -code gives
 * code, anything else outside 1..6 is an internal error.
 */
int mlci_exit_code(int ret);

/*
 * Silence mlci_error() and mlci_warning() while quiet is non-zero (for fuzz
 * targets and tests that provoke errors on purpose). Returns the old value.
 */
int mlci_set_quiet(int quiet);

#endif
