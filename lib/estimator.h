/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#ifndef MLCI_ESTIMATOR_H
#define MLCI_ESTIMATOR_H
#endif
