/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "gha.h"
typedef int mlci_placeholder_gha;
