/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_RANKTEST_H
#define MLCI_RANKTEST_H
#endif
