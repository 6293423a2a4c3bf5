/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_VALIDATE_H
#define MLCI_VALIDATE_H
#endif
