/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "preprocess.h"
typedef int mlci_placeholder_preprocess;
