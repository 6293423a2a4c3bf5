/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "linear.h"
typedef int mlci_placeholder_linear;
