/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "config.h"
typedef int mlci_placeholder_config;
