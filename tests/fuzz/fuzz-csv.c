/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the CSV reader and the number parsers on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct mlci_csv c;
	struct mlci_csv_options o = MLCI_CSV_OPTIONS_INIT;
	FILE *fp;
	int r;

	mlci_set_quiet(1);
	if (!*path)
		snprintf(path, sizeof(path), "/tmp/fuzz-csv-%ld.csv", (long)getpid());
	fp = fopen(path, "wb");
	if (!fp)
		return 0;
	/* The first byte picks the delimiter, so ';' and '\t' get fuzzed too. */
	if (size) {
		o.delimiter = data[0] % 3 == 0 ? ',' : data[0] % 3 == 1 ? ';' : '\t';
		data++;
		size--;
	}
	fwrite(data, 1, size, fp);
	fclose(fp);
	o.max_record = 4096;
	o.want_sha256 = 1;
	r = mlci_csv_open(&c, path, &o);
	while (r >= 0 && (r = mlci_csv_read(&c)) > 0) {
		size_t i;

		for (i = 0; i < c.nfields; i++) {
			double d;
			int64_t v;

			/* Every field is NUL-terminated at its length. */
			if (c.field[i][c.len[i]] != '\0')
				abort();
			if (!mlci_csv_parse_double(c.field[i], c.len[i], &d) &&
			    d != strtod(c.field[i], NULL))
				abort();
			mlci_csv_parse_integer(c.field[i], c.len[i], &v);
			mlci_csv_parse_bool(c.field[i], c.len[i]);
		}
	}
	if (r == 0) {
		char hex[65];

		mlci_csv_sha256(&c, hex);
	}
	mlci_csv_release(&c);
	return 0;
}
