/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_PAIRTEST_H
#define MLCI_PAIRTEST_H
#endif
