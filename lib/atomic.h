/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_ATOMIC_H
#define MLCI_ATOMIC_H
#endif
