/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "mlp.h"
typedef int mlci_placeholder_mlp;
