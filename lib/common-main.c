/* SPDX-License-Identifier: MIT */
/* main() of every program: set up, run cmd_main(), then check stdout. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common-main.h"
#include "usage.h"

int main(int argc, char **argv)
{
	const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
	int rc;

	if (argc > 0)
		mlci_progname = slash ? slash + 1 : argv[0];
	/* A closed pipe is a write error we report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	rc = cmd_main(argc, argv);
	/*
	 * A full disk or a closed pipe must not look like success: the record
	 * may be sitting in stdio's buffer until here (cat, git and jq check
	 * the same way).
	 */
	if ((fflush(stdout) || ferror(stdout)) && rc < MLCI_EXIT_SYSTEM) {
		mlci_error_errno(MLCI_EXIT_SYSTEM, "write error on standard output");
		rc = MLCI_EXIT_SYSTEM;
	}
	if (fclose(stdout) && rc < MLCI_EXIT_SYSTEM) {
		mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot close standard output");
		rc = MLCI_EXIT_SYSTEM;
	}
	return rc;
}
