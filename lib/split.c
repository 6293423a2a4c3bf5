/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "split.h"
typedef int mlci_placeholder_split;
