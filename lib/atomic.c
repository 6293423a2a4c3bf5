/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "atomic.h"
typedef int mlci_placeholder_atomic;
