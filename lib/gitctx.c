/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "gitctx.h"
typedef int mlci_placeholder_gitctx;
