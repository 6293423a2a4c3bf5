/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#ifndef MLCI_MLFLOW_REST_H
#define MLCI_MLFLOW_REST_H
#endif
