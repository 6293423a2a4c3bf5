/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_GITCTX_H
#define MLCI_GITCTX_H
#endif
