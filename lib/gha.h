/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_GHA_H
#define MLCI_GHA_H
#endif
