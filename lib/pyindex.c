/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "pyindex.h"
typedef int mlci_placeholder_pyindex;
