/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "schema.h"
typedef int mlci_placeholder_schema;
