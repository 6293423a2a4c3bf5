/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the CSV reader and the number parsers on arbitrary bytes. */
#include <math.h>
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

#define BLOCK_ROWS 9

/*
 * Render one field, checking the number parsers on it. With nul, it must
 * end with a NUL.
 */
static void add_field(struct strbuf *out, const char *f, size_t len,
		      int quoted, int nul)
{
	double d;
	int64_t v;

	if (nul && f[len] != '\0')
		abort();
	if (!mlci_csv_parse_double(f, len, &d) && d != strtod(f, NULL))
		abort();
	mlci_csv_parse_integer(f, len, &v);
	mlci_csv_parse_bool(f, len);
	strbuf_addf(out, "%zu%c", len, quoted ? 'q' : 'u');
	strbuf_add(out, f, len);
}

/*
 * Each column of a block parsed as numbers, by every parser this CPU
 * has, must be what mlci_csv_parse_plain() makes of each field. The
 * fields are in the reader's buffer, whose slack the vector parser's
 * 16-byte loads may reach.
 */
static void check_numbers(const char *buf, const struct mlci_csv_block *b)
{
	static const char *const parsers[] = { "scalar", "avx512" };
	double out[BLOCK_ROWS], range[2];
	unsigned char kind[BLOCK_ROWS];
	size_t i, k, p;

	for (p = 0; p < 2; p++) {
		if (mlci_csv_set_number_parser(parsers[p]))
			continue;
		for (i = 0; i < b->nfields; i++) {
			const uint32_t *start = b->start + i * b->cap;
			const uint32_t *len = b->len + i * b->cap;
			double lo = INFINITY, hi = -INFINITY;

			mlci_csv_parse_numbers(buf, start, len, b->nrows, out,
					       kind, range);
			for (k = 0; k < b->nrows; k++) {
				double d;
				int integral, ok;

				ok = mlci_csv_parse_plain(buf + start[k], len[k],
							  &d, &integral);
				if (kind[k] != (!ok ? MLCI_NUMBER_OTHER : integral ?
						MLCI_NUMBER_INTEGRAL :
						MLCI_NUMBER_DECIMAL) ||
				    (ok && memcmp(&d, &out[k], sizeof(d))))
					abort();
				lo = ok && d < lo ? d : lo;
				hi = ok && d > hi ? d : hi;
			}
			if (range[0] != lo || range[1] != hi)
				abort();
		}
	}
	mlci_csv_set_number_parser(NULL);
}

/*
 * Read path to the end with the scanner named (NULL: the default) and
 * render what came back, records and fields with their lengths, line
 * numbers and the final status, into out. With blocks, records with as
 * many fields as the first are read in blocks of 9 where the reader can
 * (a group of eight for the vector number parser, and one more), their
 * fields ended with NULs when blocks is 1, not when it is 2, by the block
 * reader named (NULL: the default).
 */
static void read_all(const char *path, const struct mlci_csv_options *o,
		     const char *scanner, int blocks, const char *reader,
		     struct strbuf *out)
{
	struct mlci_csv_block b = { 0 };
	struct mlci_csv c;
	int r;

	mlci_csv_set_scanner(NULL);
	if (scanner)
		mlci_csv_set_scanner(scanner);
	mlci_csv_set_block_reader(reader);
	strbuf_reset(out);
	r = mlci_csv_open(&c, path, o);
	for (;;) {
		size_t i, k;

		if (r < 0)
			break;
		if (b.nfields && mlci_csv_read_block(&c, &b)) {
			check_numbers(c.buf, &b);
			for (k = 0; k < b.nrows; k++) {
				strbuf_addf(out, "%ld:", b.line + (long)k);
				for (i = 0; i < b.nfields; i++)
					add_field(out, c.buf + b.start[i * b.cap + k],
						  b.len[i * b.cap + k],
						  b.quoted[i * b.cap + k], b.nul);
				strbuf_addch(out, '\n');
			}
			continue;
		}
		if ((r = mlci_csv_read(&c)) <= 0)
			break;
		if (blocks && !b.nfields) {
			b.nfields = c.nfields;
			b.cap = BLOCK_ROWS;
			b.nul = blocks == 1;
			b.start = calloc(BLOCK_ROWS * c.nfields, sizeof(*b.start));
			b.len = calloc(BLOCK_ROWS * c.nfields, sizeof(*b.len));
			b.quoted = calloc(BLOCK_ROWS * c.nfields, 1);
			if (!b.start || !b.len || !b.quoted)
				abort();
		}
		strbuf_addf(out, "%ld:", c.line);
		for (i = 0; i < c.nfields; i++)
			add_field(out, c.field[i], c.len[i], c.quoted[i], 1);
		strbuf_addch(out, '\n');
	}
	free(b.start);
	free(b.len);
	free(b.quoted);
	strbuf_addf(out, "=%d@%ld", r, c.line);
	if (r == 0 && o->want_sha256) {
		char hex[65];

		mlci_csv_sha256(&c, hex);
	}
	mlci_csv_release(&c);
	mlci_csv_set_scanner(NULL);
	mlci_csv_set_block_reader(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const scanners[] = { "sse2", "avx2", "avx512" };
	static char path[64];
	struct mlci_csv_options o = MLCI_CSV_OPTIONS_INIT;
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	const char *scanner = NULL, *reader = NULL;
	int blocks = 0;
	FILE *fp;

	mlci_set_quiet(1);
	if (!*path)
		snprintf(path, sizeof(path), "/tmp/fuzz-csv-%ld.csv", (long)getpid());
	fp = fopen(path, "wb");
	if (!fp)
		return 0;
	/*
	 * The first byte picks the delimiter, so ';' and '\t' get fuzzed
	 * too, the scanner, whether blocks are read (and how) and by which
	 * block reader (the CPU's best or the scalar one): the records must
	 * equal the scalar scanner's read one by one.
	 */
	if (size) {
		o.delimiter = data[0] % 3 == 0 ? ',' : data[0] % 3 == 1 ? ';' : '\t';
		scanner = scanners[data[0] / 3 % 3];
		blocks = data[0] / 9 % 3;
		reader = data[0] / 27 % 2 ? "scalar" : NULL;
		data++;
		size--;
	}
	fwrite(data, 1, size, fp);
	fclose(fp);
	o.max_record = 4096;
	read_all(path, &o, scanner, blocks, reader, &got);
	/* The digest (a thread and a buffer per reader) is slow: one in 8. */
	o.want_sha256 = size % 8 == 0;
	read_all(path, &o, "scalar", 0, NULL, &want);
	if (got.len != want.len || memcmp(got.buf, want.buf, got.len))
		abort();
	strbuf_release(&got);
	strbuf_release(&want);
	return 0;
}
