/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "gate.h"
typedef int mlci_placeholder_gate;
