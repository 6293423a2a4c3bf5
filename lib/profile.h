/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_PROFILE_H
#define MLCI_PROFILE_H
#endif
