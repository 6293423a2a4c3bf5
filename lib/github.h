/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_GITHUB_H
#define MLCI_GITHUB_H
#endif
