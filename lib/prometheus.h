/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#ifndef MLCI_PROMETHEUS_H
#define MLCI_PROMETHEUS_H
#endif
