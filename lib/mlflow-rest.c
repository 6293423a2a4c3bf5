/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
#include "mlflow-rest.h"

typedef int mlci_mlflow_rest_placeholder;
