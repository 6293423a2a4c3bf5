/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#include "estimator.h"

typedef int mlci_estimator_placeholder;
