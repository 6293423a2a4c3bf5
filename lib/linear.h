/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_LINEAR_H
#define MLCI_LINEAR_H
#endif
