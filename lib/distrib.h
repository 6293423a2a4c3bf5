/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_DISTRIB_H
#define MLCI_DISTRIB_H
#endif
