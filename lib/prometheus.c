/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#include "prometheus.h"

typedef int mlci_prometheus_placeholder;
