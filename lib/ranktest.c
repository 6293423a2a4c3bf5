/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "ranktest.h"
typedef int mlci_placeholder_ranktest;
