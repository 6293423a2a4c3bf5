/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_HTTP_H
#define MLCI_HTTP_H
#endif
