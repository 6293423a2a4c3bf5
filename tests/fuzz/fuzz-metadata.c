/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the METADATA parser, and each field through the PEP 508 and content-type checks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metadata.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlci_metadata md = MLCI_METADATA_INIT;
	char err[256];
	size_t i;

	mlci_set_quiet(1);
	mlci_metadata_parse(&md, (const char *)data, size, err, sizeof(err));
	for (i = 0; i < md.nr; i++) {
		/* Every value is NUL-terminated and the err buffer stays terminated. */
		if (strlen(md.fields[i].value) > size)
			abort();
		mlci_metadata_check_requirement(md.fields[i].value, err, sizeof(err));
		mlci_metadata_check_content_type(md.fields[i].value, err, sizeof(err));
		if (strlen(err) >= sizeof(err))
			abort();
	}
	mlci_metadata_release(&md);
	return 0;
}
