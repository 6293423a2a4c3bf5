/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_DRIFT_H
#define MLCI_DRIFT_H
#endif
