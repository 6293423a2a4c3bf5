/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "drift.h"
typedef int mlci_placeholder_drift;
