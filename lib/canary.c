/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#include "canary.h"

typedef int mlci_canary_placeholder;
