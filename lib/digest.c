/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "digest.h"
typedef int mlci_placeholder_digest;
