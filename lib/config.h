/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_CONFIG_H
#define MLCI_CONFIG_H
#endif
