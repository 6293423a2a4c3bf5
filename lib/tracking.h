/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_TRACKING_H
#define MLCI_TRACKING_H
#endif
