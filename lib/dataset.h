/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_DATASET_H
#define MLCI_DATASET_H
#endif
