/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_RULES_H
#define MLCI_RULES_H
#endif
