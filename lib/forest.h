/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#ifndef MLCI_FOREST_H
#define MLCI_FOREST_H
#endif
