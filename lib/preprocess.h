/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_PREPROCESS_H
#define MLCI_PREPROCESS_H
#endif
