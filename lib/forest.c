/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#include "forest.h"

typedef int mlci_forest_placeholder;
