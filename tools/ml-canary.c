/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#include "common-main.h"
#include "usage.h"

int cmd_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return mlci_error(MLCI_EXIT_USAGE, "not written yet");
}
