/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_OPTIM_H
#define MLCI_OPTIM_H
#endif
