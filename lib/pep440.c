/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "pep440.h"
typedef int mlci_placeholder_pep440;
