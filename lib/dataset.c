/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "dataset.h"
typedef int mlci_placeholder_dataset;
