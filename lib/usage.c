/* SPDX-License-Identifier: MIT */
/* Error and warning messages in the one format of DESIGN.md §2. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usage.h"

const char *mlci_progname = "mlci";
static int quiet;

int mlci_set_quiet(int q)
{
	int old = quiet;

	quiet = q;
	return old;
}

static void vreport(const char *prefix, const char *fmt, va_list ap,
		    const char *suffix) __attribute__((format(printf, 2, 0)));
static void vreport(const char *prefix, const char *fmt, va_list ap,
		    const char *suffix)
{
	char msg[4096];

	if (quiet)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s%s%s\n", mlci_progname, prefix, msg,
		suffix ? ": " : "", suffix ? suffix : "");
}

int mlci_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
	return -code;
}

int mlci_error_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, strerror(saved));
	va_end(ap);
	return -code;
}

void mlci_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void mlci_die(const char *fmt, ...)
{
	va_list ap;

	quiet = 0;
	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
	exit(MLCI_EXIT_SYSTEM);
}

int mlci_exit_code(int ret)
{
	if (ret == 0)
		return MLCI_EXIT_OK;
	if (ret < 0 && ret >= -MLCI_EXIT_BUG)
		return -ret;
	if (ret > 0 && ret <= MLCI_EXIT_BUG)
		return ret;
	return MLCI_EXIT_BUG;
}
