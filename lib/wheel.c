/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "wheel.h"
typedef int mlci_placeholder_wheel;
