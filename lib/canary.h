/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#ifndef MLCI_CANARY_H
#define MLCI_CANARY_H
#endif
