/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the CSV reader's number parser (Eisel-Lemire, then strtod) against strtod, bit for bit. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[128], *end;
	double a, b;
	int integral;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (mlci_csv_parse_number(buf, size, &a, &integral))
		return 0;
	/* What it accepted, strtod reads whole, to the same double. */
	b = strtod(buf, &end);
	if (end != buf + size || memcmp(&a, &b, sizeof(a)) || !isfinite(a))
		abort();
	return 0;
}
