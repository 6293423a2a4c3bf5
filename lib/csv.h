/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_CSV_H
#define MLCI_CSV_H
#endif
