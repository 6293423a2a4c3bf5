/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "tracking.h"
typedef int mlci_placeholder_tracking;
