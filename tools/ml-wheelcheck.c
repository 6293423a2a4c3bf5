/* SPDX-License-Identifier: MIT */
/* Placeholder until ml-wheelcheck lands. */
#include "common-main.h"
int cmd_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 6;
}
