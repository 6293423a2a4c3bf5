/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "tool.h"
typedef int mlci_placeholder_tool;
