/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_TOOL_H
#define MLCI_TOOL_H
#endif
