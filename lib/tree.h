/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#ifndef MLCI_TREE_H
#define MLCI_TREE_H
#endif
