/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_MLP_H
#define MLCI_MLP_H
#endif
