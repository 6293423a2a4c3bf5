/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#ifndef MLCI_HGB_H
#define MLCI_HGB_H
#endif
