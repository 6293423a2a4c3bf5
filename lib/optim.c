/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "optim.h"
typedef int mlci_placeholder_optim;
