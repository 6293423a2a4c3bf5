/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "rules.h"
typedef int mlci_placeholder_rules;
