/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "profile.h"
typedef int mlci_placeholder_profile;
