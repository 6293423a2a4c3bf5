/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_METRICS_H
#define MLCI_METRICS_H
#endif
