/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "github.h"
typedef int mlci_placeholder_github;
