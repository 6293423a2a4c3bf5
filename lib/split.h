/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_SPLIT_H
#define MLCI_SPLIT_H
#endif
