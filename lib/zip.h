/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_ZIP_H
#define MLCI_ZIP_H
#endif
