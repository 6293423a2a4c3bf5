/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#include "tree.h"

typedef int mlci_tree_placeholder;
