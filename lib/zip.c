/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "zip.h"
typedef int mlci_placeholder_zip;
