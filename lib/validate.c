/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "validate.h"
typedef int mlci_placeholder_validate;
