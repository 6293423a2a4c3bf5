/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#ifndef MLCI_REGISTER_H
#define MLCI_REGISTER_H
#endif
