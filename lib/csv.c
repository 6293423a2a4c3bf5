/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "csv.h"
typedef int mlci_placeholder_csv;
