/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#include "hgb.h"

typedef int mlci_hgb_placeholder;
