/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "metrics.h"
typedef int mlci_placeholder_metrics;
