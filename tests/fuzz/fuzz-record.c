/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the record reader and writer on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	cJSON *rec = NULL;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	mlci_set_quiet(1);
	if (!mlci_record_parse(buf, size, "fuzz", &rec)) {
		char *out = mlci_record_print(rec, 0);
		cJSON *again = NULL;

		/* What we write, we must read back. */
		if (mlci_record_parse(out, strlen(out), "fuzz", &again))
			abort();
		cJSON_Delete(again);
		free(out);
	}
	cJSON_Delete(rec);
	free(buf);
	return 0;
}
