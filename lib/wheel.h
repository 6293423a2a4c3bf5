/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_WHEEL_H
#define MLCI_WHEEL_H
#endif
