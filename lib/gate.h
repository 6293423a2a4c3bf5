/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_GATE_H
#define MLCI_GATE_H
#endif
