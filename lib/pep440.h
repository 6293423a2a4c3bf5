/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_PEP440_H
#define MLCI_PEP440_H
#endif
