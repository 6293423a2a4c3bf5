/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "distrib.h"
typedef int mlci_placeholder_distrib;
