/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "http.h"
typedef int mlci_placeholder_http;
