/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_PYINDEX_H
#define MLCI_PYINDEX_H
#endif
