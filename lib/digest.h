/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_DIGEST_H
#define MLCI_DIGEST_H
#endif
