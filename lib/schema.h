/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_SCHEMA_H
#define MLCI_SCHEMA_H
#endif
