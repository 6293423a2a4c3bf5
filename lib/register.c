/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#include "register.h"

typedef int mlci_register_placeholder;
