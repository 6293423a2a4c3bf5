/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "pairtest.h"
typedef int mlci_placeholder_pairtest;
