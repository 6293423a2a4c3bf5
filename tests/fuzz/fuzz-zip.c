/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the zip reader opens and inflates arbitrary bytes without reading out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "usage.h"
#include "zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlci_zip_limits lim = { 64u << 20, 200.0, 1u << 16 };
	struct mlci_zip z;
	size_t i;

	mlci_set_quiet(1);
	if (mlci_zip_open_mem(&z, data, size, &lim, NULL, NULL) == 0) {
		for (i = 0; i < z.nr; i++) {
			enum mlci_zip_problem p;

			if (z.entries[i].usize <= (1u << 20))
				mlci_zip_read(&z, &z.entries[i], sink, NULL, &p);
		}
	}
	mlci_zip_release(&z);
	return 0;
}
