/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the CSV reader and the number parsers on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "strbuf.h"
#include "usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Read path to the end with the scanner named (NULL: the default) and
 * render what came back, records and fields with their lengths, line
 * numbers and the final status, into out.
 */
static void read_all(const char *path, const struct mlci_csv_options *o,
		     const char *scanner, struct strbuf *out)
{
	struct mlci_csv c;
	int r;

	mlci_csv_set_scanner(NULL);
	if (scanner)
		mlci_csv_set_scanner(scanner);
	strbuf_reset(out);
	r = mlci_csv_open(&c, path, o);
	while (r >= 0 && (r = mlci_csv_read(&c)) > 0) {
		size_t i;

		strbuf_addf(out, "%ld:", c.line);
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
			strbuf_addf(out, "%zu%c", c.len[i], c.quoted[i] ? 'q' : 'u');
			strbuf_add(out, c.field[i], c.len[i]);
		}
		strbuf_addch(out, '\n');
	}
	strbuf_addf(out, "=%d@%ld", r, c.line);
	if (r == 0 && o->want_sha256) {
		char hex[65];

		mlci_csv_sha256(&c, hex);
	}
	mlci_csv_release(&c);
	mlci_csv_set_scanner(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const scanners[] = { "sse2", "avx2", NULL };
	static char path[64];
	struct mlci_csv_options o = MLCI_CSV_OPTIONS_INIT;
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	const char *scanner = NULL;
	FILE *fp;

	mlci_set_quiet(1);
	if (!*path)
		snprintf(path, sizeof(path), "/tmp/fuzz-csv-%ld.csv", (long)getpid());
	fp = fopen(path, "wb");
	if (!fp)
		return 0;
	/*
	 * The first byte picks the delimiter, so ';' and '\t' get fuzzed
	 * too, and the scanner whose records must equal the scalar one's.
	 */
	if (size) {
		o.delimiter = data[0] % 3 == 0 ? ',' : data[0] % 3 == 1 ? ';' : '\t';
		scanner = scanners[data[0] / 3 % 3];
		data++;
		size--;
	}
	fwrite(data, 1, size, fp);
	fclose(fp);
	o.max_record = 4096;
	read_all(path, &o, scanner, &got);
	/* The digest (a thread and a buffer per reader) is slow: one in 8. */
	o.want_sha256 = size % 8 == 0;
	read_all(path, &o, "scalar", &want);
	if (got.len != want.len || memcmp(got.buf, want.buf, got.len))
		abort();
	strbuf_release(&got);
	strbuf_release(&want);
	return 0;
}
