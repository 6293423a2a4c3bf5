/* SPDX-License-Identifier: MIT */
/* The entry point each program defines; main() lives in common-main.c. */
#ifndef MLCI_COMMON_MAIN_H
#define MLCI_COMMON_MAIN_H

/* Run the program; returns its exit status (DESIGN.md §2). */
int cmd_main(int argc, char **argv);

#endif
