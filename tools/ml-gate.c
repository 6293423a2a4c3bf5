/* SPDX-License-Identifier: MIT */
#include "common-main.h"
int cmd_main(int argc, char **argv)
{
	(void)argc; (void)argv;
	return 0;
}
