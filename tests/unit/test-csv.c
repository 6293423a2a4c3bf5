/* SPDX-License-Identifier: MIT */
/* Unit tests of the CSV reader: RFC 4180 cases, line numbers, bad input, buffer boundaries, numbers. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "csv.h"
#include "digest.h"
#include "strbuf.h"
#include "unit.h"
#include "usage.h"
#include "wrapper.h"

static char tmpdir[] = "/tmp/mlci-test-csv-XXXXXX";

static char *write_tmp(const char *name, const void *data, size_t len)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "wb");
	if (!fp)
		abort();
	fwrite(data, 1, len, fp);
	fclose(fp);
	return path;
}

/*
 * A field as render_file() shows it: '^' first when quoted, and a mark
 * when it should end with a NUL and does not.
 */
static void add_field(struct strbuf *out, const char *f, size_t len,
		      int quoted, int nul)
{
	if (quoted)
		strbuf_addch(out, '^');
	strbuf_add(out, f, len);
	if (nul && strlen(f) != len)
		strbuf_addstr(out, "<NOTERM>");
}

/*
 * Rows per block render_file() reads where it can (records with the first
 * record's number of fields); 0: one record at a time. Either way the
 * rendering must be the same. block_nul: the blocks' fields end with NULs.
 */
static size_t block_cap;
static int block_nul;

/*
 * Read path with o (quoted fields marked with '^' when marks) into out as
 * "f1|f2@LINE;" per record, and "ERR<code>@<line>" at the first error.
 */
static void render_file(const char *path, const struct mlci_csv_options *o,
			int marks, struct strbuf *out)
{
	struct mlci_csv_block b = { 0 };
	struct mlci_csv c;
	size_t i, k;
	int r;

	strbuf_reset(out);
	r = mlci_csv_open(&c, path, o);
	while (r >= 0) {
		if (b.nfields)	/* what a block does not fill stays */
			memset(b.start, 0xff, b.cap * b.nfields * sizeof(*b.start));
		if (b.nfields && mlci_csv_read_block(&c, &b)) {
			for (k = 0; k < b.nfields * b.cap; k++)
				if (k % b.cap > b.nrows && b.start[k] != UINT32_MAX)
					strbuf_addstr(out, "<CLOBBERED>");
			for (k = 0; k < b.nrows; k++) {
				for (i = 0; i < b.nfields; i++) {
					if (i)
						strbuf_addch(out, '|');
					add_field(out, c.buf + b.start[i * b.cap + k],
						  b.len[i * b.cap + k],
						  marks && b.quoted[i * b.cap + k],
						  b.nul);
				}
				strbuf_addf(out, "@%ld;", b.line + (long)k);
			}
			continue;
		}
		if ((r = mlci_csv_read(&c)) <= 0)
			break;
		if (block_cap && !b.nfields) {
			b.nfields = c.nfields;
			b.cap = block_cap;
			b.nul = block_nul;
			b.start = xcalloc(b.cap * c.nfields, sizeof(*b.start));
			b.len = xcalloc(b.cap * c.nfields, sizeof(*b.len));
			b.quoted = xcalloc(b.cap * c.nfields, 1);
		}
		for (i = 0; i < c.nfields; i++) {
			if (i)
				strbuf_addch(out, '|');
			add_field(out, c.field[i], c.len[i], marks && c.quoted[i], 1);
		}
		strbuf_addf(out, "@%ld;", c.line);
	}
	if (r < 0)
		strbuf_addf(out, "ERR%d@%ld", -r, c.line);
	free(b.start);
	free(b.len);
	free(b.quoted);
	mlci_csv_release(&c);
}

/* render_file() of data written to a file, quoted fields marked. */
static void render(const char *data, size_t len, char delim, size_t max_record,
		   struct strbuf *out)
{
	struct mlci_csv_options o = MLCI_CSV_OPTIONS_INIT;

	o.delimiter = delim;
	o.max_record = max_record;
	render_file(write_tmp("t.csv", data, len), &o, 1, out);
}

struct csv_case {
	const char *name, *in, *want;
};

static const struct csv_case cases[] = {
	{ "simple", "a,b\n1,2\n", "a|b@1;1|2@2;" },
	{ "no final newline", "a,b\n1,2", "a|b@1;1|2@2;" },
	{ "CRLF", "a,b\r\n1,2\r\n", "a|b@1;1|2@2;" },
	{ "lone CR", "a,b\r1,2\r", "a|b@1;1|2@2;" },
	{ "empty fields", "a,b,c\n,,\n", "a|b|c@1;||@2;" },
	{ "trailing empty field", "a,b\n1,\n", "a|b@1;1|@2;" },
	{ "quoted delimiter", "a,b\n\"x,y\",2\n", "a|b@1;^x,y|2@2;" },
	{ "quoted quote", "a\n\"say \"\"hi\"\"\"\n", "a@1;^say \"hi\"@2;" },
	{ "quoted newline moves lines", "a,b\n\"l1\nl2\",2\n3,4\n",
	  "a|b@1;^l1\nl2|2@2;3|4@4;" },
	{ "quoted CRLF counts once", "a\r\n\"x\r\ny\"\r\nz\r\n",
	  "a@1;^x\r\ny@2;z@4;" },
	{ "quoted empty", "a,b\n\"\",1\n", "a|b@1;^|1@2;" },
	{ "quoted fields in rows", "a,b\n\"x\",1\n\"y,z\",\"2\"\n3,\"\xc3\xa9\"\r\n\"\",\"\"\n",
	  "a|b@1;^x|1@2;^y,z|^2@3;3|^\xc3\xa9@4;^|^@5;" },
	{ "blank lines skipped, counted", "a\n\n1\n\r\n2\n", "a@1;1@3;2@5;" },
	{ "BOM skipped", "\xef\xbb\xbf" "a,b\n1,2\n", "a|b@1;1|2@2;" },
	{ "UTF-8 kept", "a\nh\xc3\xa9llo\n", "a@1;h\xc3\xa9llo@2;" },
	{ "quote inside unquoted kept", "a\n5'6\"\n", "a@1;5'6\"@2;" },
	{ "empty file", "", "" },
	{ "only blank lines", "\n\n", "" },
	{ "unterminated quote: its line", "a\n1\n\"open\n\nmore\n",
	  "a@1;1@2;ERR3@3" },
	{ "character after closing quote", "a\n\"x\"y\n", "a@1;ERR3@2" },
	{ "invalid UTF-8", "a\n\xff\n", "a@1;ERR3@2" },
	{ "overlong UTF-8", "a\n\xc0\xaf\n", "a@1;ERR3@2" },
	{ "surrogate UTF-8", "a\n\xed\xa0\x80\n", "a@1;ERR3@2" },
	{ "truncated UTF-8 at end", "a\n\xc3", "a@1;ERR3@2" },
	{ "invalid UTF-8 in quotes", "a\n\"x\xfe\"\n", "a@1;ERR3@2" },
};

static void test_cases(void)
{
	struct strbuf out = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		render(cases[i].in, strlen(cases[i].in), ',', 0, &out);
		CHECK_STR(out.buf, cases[i].want, cases[i].name);
	}
	render("a;b\n\"1;2\";3\n", 12, ';', 0, &out);
	CHECK_STR(out.buf, "a|b@1;^1;2|3@2;", "semicolon delimiter");
	render("a\tb\n1\t2\n", 8, '\t', 0, &out);
	CHECK_STR(out.buf, "a|b@1;1|2@2;", "tab delimiter");
	strbuf_release(&out);
}

static void test_nul(void)
{
	struct strbuf out = STRBUF_INIT;

	render("a\n1\0002\n", 6, ',', 0, &out);
	CHECK_STR(out.buf, "a@1;ERR3@2", "NUL byte inside a field");
	strbuf_release(&out);
}

/* A record longer than the cap is refused, without reading it all. */
static void test_long_record(void)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	size_t i;

	strbuf_addstr(&in, "a\n1\n");
	for (i = 0; i < (3u << 20); i++)
		strbuf_addch(&in, 'x');
	strbuf_addstr(&in, "\n2\n");
	render(in.buf, in.len, ',', 1u << 20, &out);
	CHECK_STR(out.buf, "a@1;1@2;ERR3@3", "record over --max-record-bytes");
	render(in.buf, in.len, ',', 8u << 20, &out);
	CHECK(out.len == 4 + 4 + (3u << 20) + 3 + 4,
	      "a 3 MiB record under an 8 MiB cap is read");
	strbuf_release(&in);
	strbuf_release(&out);
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Many records of random fields (quotes, delimiters, newlines, UTF-8)
 * across many buffer refills, plain and gzip: every field and every line
 * number comes back.
 */
static void test_random_roundtrip(int gz)
{
	struct strbuf in = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	static const char *const atoms[] = {
		"a", "1.5", ",", "\"", "\n", "\r\n", "\xc3\xa9", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", " ", "xyz", "-3e5"
	};
	struct mlci_csv_options o = MLCI_CSV_OPTIONS_INIT;
	long line = 1;
	size_t rec, f, ok = 1;
	char *path, p[256];

	for (rec = 0; rec < 250000; rec++) {
		struct strbuf rendered = STRBUF_INIT;
		long start = line;

		for (f = 0; f < 3; f++) {
			struct strbuf field = STRBUF_INIT;
			size_t k, n = rnd() % 6;

			for (k = 0; k < n; k++)
				strbuf_addstr(&field, atoms[rnd() % 12]);
			if (f == 0 && !field.len)
				strbuf_addch(&field, 'z');	/* no blank line */
			if (f)
				strbuf_addch(&in, ',');
			mlci_csv_quote(&in, field.buf, field.len, ',');
			for (k = 0; k < field.len; k++)
				if (field.buf[k] == '\n')
					line++;
			if (f)
				strbuf_addch(&rendered, '|');
			strbuf_add(&rendered, field.buf, field.len);
			strbuf_release(&field);
		}
		strbuf_addstr(&in, rnd() % 2 ? "\n" : "\r\n");
		line++;
		strbuf_addf(&want, "%s@%ld;", rendered.buf, start);
		strbuf_release(&rendered);
	}
	if (gz) {
		gzFile g;

		snprintf(p, sizeof(p), "%s/r.csv.gz", tmpdir);
		g = gzopen(p, "wb");
		gzwrite(g, in.buf, (unsigned)in.len);
		gzclose(g);
		path = p;
	} else {
		path = write_tmp("r.csv", in.buf, in.len);
	}
	render_file(path, &o, 0, &got);
	ok = got.len == want.len && !memcmp(got.buf, want.buf, got.len);
	if (!ok) {
		size_t k = 0;

		while (k < got.len && k < want.len && got.buf[k] == want.buf[k])
			k++;
		printf("# differ at %zu: got '%.40s' want '%.40s'\n", k,
		       got.buf + (k > 20 ? k - 20 : 0), want.buf + (k > 20 ? k - 20 : 0));
	}
	CHECK(ok, gz ? "gzip: random records come back with their lines"
		     : "plain: random records come back with their lines");
	CHECK(in.len > (3u << 20), "the random data spans several buffers");
	strbuf_release(&in);
	strbuf_release(&want);
	strbuf_release(&got);
}

static const char *const scanners[] = { "scalar", "sse2", "avx2", "avx512" };

static void add_chars(struct strbuf *sb, char ch, size_t n)
{
	while (n--)
		strbuf_addch(sb, ch);
}

#define PIECE(s) s, sizeof(s) - 1

/*
 * Every special byte at every offset from a 64-byte block's start (and
 * across the scanner's windows of 1 KiB): a field of n filler bytes
 * moves what follows it one byte further each time. Each scanner reads
 * the same records, errors included. The header is as wide as the record
 * after it, which blocks then read.
 */
static void test_block_edges(const char *scanner)
{
	static const struct {
		const char *piece;
		size_t len;
		const char *want;	/* after "<filler>|"; NULL: an error */
	} cases[] = {
		{ PIECE("1,2\n"), "1|2@2;" },
		{ PIECE("\"q,\"\"1\",2\r\n"), "^q,\"1|2@2;" },
		{ PIECE("\"q,1 \xc3\xa9\",\"2\"\r\n"), "^q,1 \xc3\xa9|^2@2;" },
		{ PIECE("1\r\n2,3\n"), "1@2;2|3@3;" },
		{ PIECE("1\r2,3\r"), "1@2;2|3@3;" },
		{ PIECE("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80,4\n"),
		  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|4@2;" },
		{ PIECE("x\"y,\x01\x0b\x0c\n"), "x\"y|\x01\x0b\x0c@2;" },
		{ PIECE("\"a\nb\",5\nz,6\n"), "^a\nb|5@2;z|6@4;" },
		{ PIECE(",\n"), "|@2;" },
		{ PIECE("1,2"), "1|2@2;" },
		{ PIECE("\xc3(\n"), NULL },
		{ PIECE("\xe2\x82\n"), NULL },
		{ PIECE("\xed\xa0\x80\n"), NULL },
		{ PIECE("\xf0\x9f\x98"), NULL },
		{ PIECE("1\0002\n"), NULL },
	};
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT, want = STRBUF_INIT;
	char name[128];
	size_t i, n, bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		/* A header as wide as the record, so that blocks may read it. */
		size_t nf = 2, k;

		for (k = 0; cases[i].want && cases[i].want[k] != '@'; k++)
			nf += cases[i].want[k] == '|';
		for (n = 0; n < 1100; n += n < 200 ? 1 : 61) {
			strbuf_reset(&in);
			strbuf_reset(&want);
			for (k = 0; k < nf; k++) {
				strbuf_addf(&in, "%sh%zu", k ? "," : "", k);
				strbuf_addf(&want, "%sh%zu", k ? "|" : "", k);
			}
			strbuf_addch(&in, '\n');
			strbuf_addstr(&want, "@1;");
			add_chars(&in, 'x', n);
			strbuf_addch(&in, ',');
			strbuf_add(&in, cases[i].piece, cases[i].len);
			if (cases[i].want) {
				add_chars(&want, 'x', n);
				strbuf_addch(&want, '|');
				strbuf_addstr(&want, cases[i].want);
			} else {
				strbuf_addstr(&want, "ERR3@2");
			}
			render(in.buf, in.len, ',', 0, &out);
			if (strcmp(out.buf, want.buf) && bad++ < 3)
				printf("# %s: case %zu, %zu filler bytes: got '%s'\n",
				       scanner, i, n, out.buf);
		}
	}
	snprintf(name, sizeof(name),
		 "%s scanner: special bytes at every offset of a block", scanner);
	CHECK(!bad, name);
	strbuf_release(&in);
	strbuf_release(&out);
	strbuf_release(&want);
}

/*
 * The buffer's first refill comes after 1 MiB: a CRLF, a lone CR, a
 * multi-byte character and a quoted field with a line end in it, around
 * that offset.
 */
static void test_refill_edges(const char *scanner)
{
	static const struct {
		const char *piece, *want;
		int lines;
	} cases[] = {
		{ "\r\n", "", 1 },
		{ "\r", "", 1 },
		{ "\xe2\x82\xac\n", "\xe2\x82\xac", 1 },
		{ ",\"q\r\nq\"\n", "|^q\r\nq", 2 },
	};
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT, want = STRBUF_INIT;
	char name[128];
	size_t i, bad = 0;
	int delta;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		for (delta = -6; delta <= 3; delta++) {
			size_t target = (1u << 20) + (size_t)(delta + 6) - 6, n;
			long line = 1;

			strbuf_reset(&in);
			strbuf_reset(&want);
			strbuf_addstr(&in, "h\n");
			strbuf_addf(&want, "h@%ld;", line++);
			/* Records of 100 bytes, then one that reaches target. */
			while (in.len + 200 < target) {
				add_chars(&in, 'y', 99);
				strbuf_addch(&in, '\n');
				add_chars(&want, 'y', 99);
				strbuf_addf(&want, "@%ld;", line++);
			}
			n = target - in.len;
			add_chars(&in, 'z', n);
			strbuf_addstr(&in, cases[i].piece);
			strbuf_addstr(&in, "w\n");
			add_chars(&want, 'z', n);
			strbuf_addf(&want, "%s@%ld;", cases[i].want, line);
			line += cases[i].lines;
			strbuf_addf(&want, "w@%ld;", line);
			render(in.buf, in.len, ',', 0, &out);
			if (strcmp(out.buf, want.buf) && bad++ < 3)
				printf("# %s: case %zu at %+d: '%s'\n", scanner, i,
				       delta, out.buf + (out.len > 40 ? out.len - 40 : 0));
		}
	}
	snprintf(name, sizeof(name),
		 "%s scanner: line ends and characters at the first refill", scanner);
	CHECK(!bad, name);
	strbuf_release(&in);
	strbuf_release(&out);
	strbuf_release(&want);
}

/*
 * Rows of plain fields, as most data is, for the block readers' fast
 * paths: 2 to 19 fields (the vector path takes 2 to 16), tiny, short and
 * long, several rows to a 64-byte word or one row over many, and now and
 * then a row a block must give up on (a field too few, one or 70 too
 * many, a quote, a CRLF, a multi-byte character, a blank line). Read in
 * blocks of many sizes by each block reader, it must render as read row
 * by row.
 */
static void test_block_plain(void)
{
	static const char *const odd[] = {
		"\"q\"", "a\r", "\xc3\xa9", "x\"y", "\n", "\x01"
	};
	static const char *readers[] = { "scalar", "avx512" };
	static const size_t caps[] = { 1, 2, 15, 16, 17, 31, 33, 1000 };
	struct strbuf in = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	struct mlci_csv_options o = MLCI_CSV_OPTIONS_INIT;
	size_t nf, r, f, k, i, j, bad = 0;
	const char *path;

	for (nf = 2; nf <= 19; nf++) {
		strbuf_reset(&in);
		for (r = 0; r < 700; r++) {
			size_t width = r % 97 == 5 ? nf + 1 : r % 89 == 7 ? nf - 1 :
				       r % 101 == 3 ? nf + 70 : nf;
			size_t style = rnd() % 4;	/* tiny, short, long fields */

			for (f = 0; f < width; f++) {
				size_t len = style == 0 ? rnd() % 2 : style < 3 ?
					     rnd() % 9 : rnd() % 150;

				if (f)
					strbuf_addch(&in, ',');
				if (r % 53 == 11 && f == r % width) {
					strbuf_addstr(&in, odd[r % 6]);
					continue;
				}
				for (k = 0; k < len; k++)
					strbuf_addch(&in, (char)('0' + rnd() % 40));
				if (f == 0 && !len)
					strbuf_addch(&in, 'z');	/* no blank line */
			}
			strbuf_addch(&in, '\n');
		}
		path = write_tmp("plain.csv", in.buf, in.len);
		block_cap = 0;
		render_file(path, &o, 1, &want);
		for (i = 0; i < sizeof(caps) / sizeof(*caps); i++) {
			for (j = 0; j < 2; j++) {
				if (mlci_csv_set_block_reader(readers[j]))
					continue;
				block_cap = caps[i];
				block_nul = (i + j) % 2;
				render_file(path, &o, 1, &got);
				if (strcmp(got.buf, want.buf) && bad++ < 3)
					printf("# %s blocks of %zu, %zu fields: differ\n",
					       readers[j], caps[i], nf);
			}
		}
	}
	block_cap = 0;
	mlci_csv_set_block_reader(NULL);
	CHECK(!bad, "plain rows in blocks of any size read as row by row");
	strbuf_release(&in);
	strbuf_release(&want);
	strbuf_release(&got);
}

static void test_scanners(void)
{
	static const char *readers[] = { "scalar", "avx512" };
	int vector = mlci_csv_set_block_reader("avx512") == 0;
	char label[64];
	size_t i, j;

	for (i = 0; i < sizeof(scanners) / sizeof(*scanners); i++) {
		if (mlci_csv_set_scanner(scanners[i])) {
			printf("# no %s scanner here\n", scanners[i]);
			continue;
		}
		test_cases();
		test_nul();
		test_block_edges(scanners[i]);
		test_refill_edges(scanners[i]);
		test_random_roundtrip(0);
		/*
		 * The same, read in blocks of 3 rows with NULs after the
		 * fields, then of 1000 without: a record a block gives up on
		 * is read again from bytes it must not have changed. The
		 * vector block reader with each scanner, the scalar one with
		 * the first: the scanners are checked against each other above.
		 */
		for (block_cap = 3; block_cap <= 1000; block_cap += 997) {
			block_nul = block_cap == 3;
			for (j = 0; j < sizeof(readers) / sizeof(*readers); j++) {
				if (mlci_csv_set_block_reader(readers[j])) {
					printf("# no %s block reader here\n",
					       readers[j]);
					continue;
				}
				if (j == 0 && i > 0 && vector)
					continue;
				snprintf(label, sizeof(label), "%s (%s blocks)",
					 scanners[i], readers[j]);
				test_cases();
				test_block_edges(label);
				test_refill_edges(label);
				test_random_roundtrip(0);
			}
		}
		block_cap = 0;
		mlci_csv_set_block_reader(NULL);
	}
	CHECK(mlci_csv_set_scanner("scalar") == 0, "the scalar scanner is always there");
	CHECK(mlci_csv_set_scanner("mmx") == -1, "an unknown scanner is refused");
	mlci_csv_set_scanner(NULL);
	CHECK(mlci_csv_set_block_reader("scalar") == 0,
	      "the scalar block reader is always there");
	CHECK(mlci_csv_set_block_reader("mmx") == -1,
	      "an unknown block reader is refused");
	mlci_csv_set_block_reader(NULL);
}

/*
 * path's digest (want) read whole, then after one record (the digest
 * thread reads the rest itself); what names the file in the checks.
 */
static void check_digest(const char *path, const char *want,
			 const char *what)
{
	struct mlci_csv_options o = MLCI_CSV_OPTIONS_INIT;
	struct mlci_csv c;
	char hex[65], name[128];
	int r;

	o.want_sha256 = 1;
	snprintf(name, sizeof(name), "%s: open for digest", what);
	CHECK_INT(mlci_csv_open(&c, path, &o), 0, name);
	while ((r = mlci_csv_read(&c)) > 0)
		;
	snprintf(name, sizeof(name), "%s: read to the end", what);
	CHECK_INT(r, 0, name);
	snprintf(name, sizeof(name), "%s: digest", what);
	CHECK_INT(mlci_csv_sha256(&c, hex), 0, name);
	snprintf(name, sizeof(name), "%s: the digest of the stored bytes", what);
	CHECK_STR(hex, want, name);
	mlci_csv_release(&c);
	snprintf(name, sizeof(name), "%s: open again", what);
	CHECK_INT(mlci_csv_open(&c, path, &o), 0, name);
	snprintf(name, sizeof(name), "%s: one record", what);
	CHECK_INT(mlci_csv_read(&c), 1, name);
	snprintf(name, sizeof(name), "%s: digest after one record", what);
	CHECK_INT(mlci_csv_sha256(&c, hex), 0, name);
	snprintf(name, sizeof(name),
		 "%s: the digest covers the whole file when reading stops early",
		 what);
	CHECK_STR(hex, want, name);
	mlci_csv_release(&c);
}

/*
 * The digest of path read as ml-validate reads (blocks of 100 rows of
 * nf fields where it can, with NULs after the fields when nul, else
 * records; records only when nf is 0) against want.
 */
static int digest_blocks(const char *path, size_t nf, int nul,
			 const char *want)
{
	struct mlci_csv_options o = MLCI_CSV_OPTIONS_INIT;
	struct mlci_csv_block b = { 0 };
	struct mlci_csv c;
	char hex[65] = "";
	int r = 0;

	o.want_sha256 = 1;
	b.nfields = nf;
	b.cap = 100;
	b.nul = nul;
	b.start = xcalloc(b.cap * (nf + 1), sizeof(*b.start));
	b.len = xcalloc(b.cap * (nf + 1), sizeof(*b.len));
	if (mlci_csv_open(&c, path, &o) == 0) {
		for (;;) {
			if (nf && mlci_csv_read_block(&c, &b))
				continue;
			if ((r = mlci_csv_read(&c)) <= 0)
				break;
		}
		if (r == 0)
			mlci_csv_sha256(&c, hex);
	}
	mlci_csv_release(&c);
	free(b.start);
	free(b.len);
	return r == 0 && !strcmp(hex, want);
}

/*
 * The thread hashes the reader's own bytes where the reader will not
 * write into them: however slow the thread, every way of reading gives
 * the file's digest. Plain rows; then some with quoted line ends and
 * doubled quotes, a CRLF, a row of another width, across several of the
 * reader's 1 MiB chunks; then plain rows but for one across the first
 * chunk's end, its quote just after it, or just before with a line end
 * inside.
 */
static void test_sha256_lent(void)
{
	static const unsigned delays[] = { 0, 2000 };
	static const char *const across[] = {
		"123456789,\"q\nq\",1,2,3\n", "\"abcdefg\nhij\",1,2,3,4\n"
	};
	static const char *const kinds[] = {
		"plain", "mixed", "quote after a chunk", "quote before a chunk"
	};
	struct strbuf data = STRBUF_INIT;
	char want[65], name[160], *path;
	size_t i, d, kind;

	for (kind = 0; kind < 4; kind++) {
		strbuf_reset(&data);
		strbuf_addstr(&data, "a,b,c,d,e\n");
		for (i = 0; data.len < (3u << 20) + 777; i++) {
			if (kind >= 2 && data.len > (1u << 20) - 200 &&
			    data.len < (1u << 20)) {
				/* Up to the row across the chunk's end. */
				size_t to = (1u << 20) - (kind == 2 ? 10 : 8);

				strbuf_addstr(&data, "1,2,3,4,");
				while (data.len < to - 1)
					strbuf_addch(&data, 'z');
				strbuf_addch(&data, '\n');
				strbuf_addstr(&data, across[kind - 2]);
			} else if (kind == 1 && i % 997 == 5) {
				strbuf_addf(&data, "\"q\n%zu\",\"x\"\"y\",1,2,3\n", i);
			} else if (kind == 1 && i % 1499 == 7) {
				strbuf_addf(&data, "%zu,1,2,3,4\r\n", i);
			} else if (kind == 1 && i % 2003 == 9) {
				strbuf_addf(&data, "%zu,1,2\n", i);
			} else {
				strbuf_addf(&data, "%zu,%zu,%.3f,x,%zu\n", i,
					    i * 2654435761u % 1000003,
					    (double)(i % 1000) / 7, i % 13);
			}
		}
		mlci_sha256_hex(data.buf, data.len, want);
		path = write_tmp("lent.csv", data.buf, data.len);
		for (d = 0; d < sizeof(delays) / sizeof(*delays); d++) {
			mlci_csv_set_hash_delay(delays[d]);
			snprintf(name, sizeof(name),
				 "%s rows, hashing slowed by %u us: the digest "
				 "read in blocks, in blocks with NULs, by records",
				 kinds[kind], delays[d]);
			CHECK(digest_blocks(path, 5, 0, want) &&
			      digest_blocks(path, 5, 1, want) &&
			      digest_blocks(path, 0, 0, want), name);
		}
		mlci_csv_set_hash_delay(0);
	}
	strbuf_release(&data);
}

static void test_sha256(void)
{
	struct mlci_csv c;
	struct mlci_csv_options o = MLCI_CSV_OPTIONS_INIT;
	char hex[65];
	char *path = write_tmp("s.csv", "a\n1\n", 4);

	o.want_sha256 = 1;
	CHECK_INT(mlci_csv_open(&c, path, &o), 0, "open for digest");
	while (mlci_csv_read(&c) > 0)
		;
	CHECK_INT(mlci_csv_sha256(&c, hex), 0, "digest");
	/* printf 'a\n1\n' | sha256sum */
	CHECK_STR(hex, "309b0e45a73d3fc5325e2b6ed0a01ef8b9cde6b05a5633c1f893f970d52bfddc", "digest of the file");
	mlci_csv_release(&c);
	{
		/* Several of the hashing thread's chunks, read whole or in part. */
		struct strbuf big = STRBUF_INIT;
		char want[65];
		size_t i;

		strbuf_addstr(&big, "x,y\n");
		for (i = 0; big.len < (5u << 20) + 12345; i++)
			strbuf_addf(&big, "%zu,%zu\n", i, i * 2654435761u % 1000003);
		mlci_sha256_hex(big.buf, big.len, want);
		path = write_tmp("big.csv", big.buf, big.len);
		check_digest(path, want, "a 5 MB file, more than a chunk");
		CHECK_INT(mlci_csv_open(&c, path, &o), 0, "open a third time");
		CHECK_INT(mlci_csv_read(&c), 1, "one record again");
		mlci_csv_release(&c);	/* gives up on the digest: no hang, no leak */
		strbuf_release(&big);
	}
	{
		/*
		 * A gzip file: the digest is of the bytes as stored, which
		 * the thread reads itself (the reader sees inflated data).
		 */
		struct strbuf raw = STRBUF_INIT, gz = STRBUF_INIT;
		char want[65], p[256];
		size_t i;
		gzFile g;
		FILE *fp;
		int r;

		for (i = 0; raw.len < (3u << 20); i++)
			strbuf_addf(&raw, "%zu,%zu\n", i, i * 7919 % 104729);
		snprintf(p, sizeof(p), "%s/d.csv.gz", tmpdir);
		g = gzopen(p, "wb");
		gzwrite(g, raw.buf, (unsigned)raw.len);
		gzclose(g);
		fp = fopen(p, "rb");
		while ((r = fgetc(fp)) != EOF)
			strbuf_addch(&gz, (char)r);
		fclose(fp);
		mlci_sha256_hex(gz.buf, gz.len, want);
		check_digest(p, want, "a gzip file");
		strbuf_release(&raw);
		strbuf_release(&gz);
	}
	CHECK(mlci_csv_open(&c, "/nonexistent/x.csv", &o) == -MLCI_EXIT_INPUT,
	      "missing file: bad input");
	mlci_csv_release(&c);
	CHECK(mlci_csv_open(&c, tmpdir, &o) == -MLCI_EXIT_INPUT,
	      "a directory: bad input");
	mlci_csv_release(&c);
}

static void test_numbers(void)
{
	static const char *const good[] = {
		"0", "-0", "1", "+1", "1.5", "-2.25", ".5", "5.", "1e3", "1E-3",
		"0.1", "0.3", "123456789012345678", "1234567890123456789012",
		"3.141592653589793238", "2.2250738585072014e-308", "4.9e-324",
		"1.7976931348623157e308", "9007199254740993", "0.000001",
		"00012.5000", "1e22", "1e23", "8.98846567431158e307",
	};
	static const char *const bad[] = {
		"", "-", ".", "e5", "1e", "1e+", "abc", "1.2.3", "inf", "nan",
		"0x10", "1e400", "1,5", " 1", "1 ", "--1", "Infinity",
	};
	size_t i;
	int all = 1;
	double d;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		double want = strtod(good[i], NULL);

		if (mlci_csv_parse_double(good[i], strlen(good[i]), &d) ||
		    memcmp(&d, &want, sizeof(d))) {
			printf("# %s\n", good[i]);
			all = 0;
		}
	}
	CHECK(all, "numbers parse as strtod does, bit for bit");
	all = 1;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (!mlci_csv_parse_double(bad[i], strlen(bad[i]), &d)) {
			printf("# accepted %s\n", bad[i]);
			all = 0;
		}
	CHECK(all, "non-numbers are refused");
	{
		/* Long enough for strtod, and no NUL after it (a block's). */
		char s[702];

		memset(s, '0', sizeof(s));
		memcpy(s, "1.", 2);
		s[699] = '1';
		s[700] = '7';
		CHECK(!mlci_csv_parse_double(s, 700, &d) && d == 1.0,
		      "700 digits not ended by a NUL parse");
		s[600] = 'x';
		CHECK(mlci_csv_parse_double(s, 700, &d) == -1,
		      "700 bytes with a letter inside are refused");
	}

	/* Random decimals: the fast path must equal strtod exactly. */
	all = 1;
	for (i = 0; i < 200000; i++) {
		char s[64];
		double want;
		int n = snprintf(s, sizeof(s), "%s%llu.%0*llu%s",
				 rnd() % 2 ? "-" : "",
				 (unsigned long long)(rnd() % 1000000000ull),
				 (int)(rnd() % 10 + 1),
				 (unsigned long long)(rnd() % 10000000000ull),
				 rnd() % 4 ? "" : "e-7");

		want = strtod(s, NULL);
		if (mlci_csv_parse_double(s, (size_t)n, &d) ||
		    memcmp(&d, &want, sizeof(d))) {
			printf("# %s\n", s);
			all = 0;
			break;
		}
	}
	CHECK(all, "200000 random decimals equal strtod bit for bit");

	{
		int64_t v;

		CHECK(!mlci_csv_parse_integer("-42", 3, &v) && v == -42, "integer -42");
		CHECK(mlci_csv_parse_integer("4.0", 3, &v) == -1, "4.0 is not an integer");
		CHECK(mlci_csv_parse_integer("", 0, &v) == -1, "empty is not an integer");
		CHECK(mlci_csv_parse_integer("99999999999999999999", 20, &v) == -1,
		      "integer overflow refused");
	}
	CHECK_INT(mlci_csv_parse_bool("TRUE", 4), 1, "TRUE");
	CHECK_INT(mlci_csv_parse_bool("no", 2), 0, "no");
	CHECK_INT(mlci_csv_parse_bool("maybe", 5), -1, "maybe");
}

/*
 * What mlci_csv_parse_number() accepts, written the slow and obvious
 * way: [sign] digits [. digits] [e [sign] digits], a digit somewhere
 * before the exponent. *integral: only digits, at most 16 of them.
 */
static int ref_syntax(const char *s, size_t len, int *integral)
{
	size_t i = 0, nd = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, nd++;
	*integral = i == len && nd && nd <= 16;
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			nd++;
	if (!nd)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t ne = 0;

		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			ne++;
		if (!ne)
			return 0;
	}
	return i == len;
}

/*
 * Short strings of number-like characters, mostly plain decimals: the
 * parsers agree with ref_syntax() and strtod() bit for bit, and the
 * integer parser with strtoll(). A digit after the string (s[len] must
 * be readable, not a NUL) must not change anything.
 */
static void test_number_forms(void)
{
	static const char alphabet[] = "0123456789012345678901234567890123456789.-+e";
	size_t i, bad = 0;

	for (i = 0; i < 400000; i++) {
		char s[64], z[64];
		size_t len = rnd() % 22, k;
		int integral = -1, ref_int, ok, rn;
		double d = 0, want;
		int64_t v, wantv;

		for (k = 0; k < len; k++)
			s[k] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		if (rnd() % 2 && len > 2) {
			for (k = 0; k < len; k++)
				s[k] = (char)('0' + rnd() % 10);
			if (rnd() % 2)
				s[0] = '-';
			if (rnd() % 3)
				s[1 + rnd() % (len - 1)] = '.';
		}
		s[len] = '7';
		memcpy(z, s, len);
		z[len] = '\0';
		ok = ref_syntax(z, len, &ref_int);
		want = ok ? strtod(z, NULL) : 0;
		if (ok && !isfinite(want))
			ok = 0;
		rn = mlci_csv_parse_number(s, len, &d, &integral);
		if (rn != (ok ? 0 : -1) ||
		    (ok && (memcmp(&d, &want, sizeof(d)) || integral != ref_int))) {
			if (bad++ < 5)
				printf("# '%s': %d %.17g %d\n", z, rn, d, integral);
		}
		/* Integers: digits with a sign, within 2^53. */
		k = z[0] == '-' || z[0] == '+';
		ok = len > k && strspn(z + k, "0123456789") == len - k;
		wantv = ok ? strtoll(z, NULL, 10) : 0;
		if (ok && (wantv > (INT64_C(1) << 53) || wantv < -(INT64_C(1) << 53)))
			ok = 0;
		rn = mlci_csv_parse_integer(s, len, &v);
		if (rn != (ok ? 0 : -1) || (ok && v != wantv)) {
			if (bad++ < 5)
				printf("# integer '%s': %d %lld\n", z, rn, (long long)v);
		}
	}
	CHECK(!bad, "short number forms agree with strtod and strtoll");
}

/*
 * mlci_csv_parse_numbers() with each parser against mlci_csv_parse_plain()
 * field by field: random forms, realistic columns, the edges of the
 * vector path (16 bytes, 2^53, a dot last, a sign alone, a length past
 * 65535), each followed by random bytes that a 16-byte load reads too.
 * Groups of eight mix good and bad fields, so that the vector path both
 * takes groups and leaves them to the scalar one.
 */
static void test_parse_numbers(void)
{
	static const char *const edges[] = {
		"0", "-0", "+0", "0.", ".5", "+.5", "-.5", ".", "-", "+", "",
		"9007199254740992", "9007199254740993", "-9007199254740992",
		"1234567890123456", "-1234567890123456", "+123456789012345",
		"123456789012345.", ".123456789012345", "12345678901234567",
		"1.2.3", "--1", "1-", " 1", "1 ", "1e5", "0x10", "1,5", "١",
		"000000000000001", "99999999.99999999", "-99999999.9999999",
	};
	static const char alphabet[] = "0123456789012345678901234567890123456789.-+e x";
	static const char *const parsers[] = { "scalar", "avx512" };
	enum { N = 200000 };
	char *buf = xmalloc((size_t)N * 40 + 70000 + 64);
	uint32_t *start = xmalloc(N * sizeof(*start));
	uint32_t *len = xmalloc(N * sizeof(*len));
	double *out = xmalloc(N * sizeof(*out));
	unsigned char *kind = xmalloc(N);
	size_t i, k, p, off = 0, nedges = sizeof(edges) / sizeof(*edges);

	for (i = 0; i < N; i++) {
		char *f = buf + off;
		size_t n;

		/* Two runs of 16 in three are numbers alone. */
		switch (i / 16 % 3 ? rnd() % 2 : rnd() % 4) {
		case 0:
			n = (size_t)snprintf(f, 32, "%.*f", (int)(rnd() % 8),
					     ((double)(rnd() % 2000000) - 1e6) /
					     (double)(1 + rnd() % 1000));
			break;
		case 1:
			n = (size_t)snprintf(f, 32, "%lld",
					     (long long)(rnd() >> (rnd() % 64)) *
					     (rnd() % 2 ? 1 : -1));
			break;
		case 2: {
			const char *e = edges[rnd() % nedges];

			n = strlen(e);
			memcpy(f, e, n);
			break;
		}
		default:
			n = rnd() % 20;
			for (k = 0; k < n; k++)
				f[k] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		}
		for (k = n; k < 24; k++)	/* what a 16-byte load sees */
			f[k] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		start[i] = (uint32_t)off;
		len[i] = (uint32_t)n;
		off += n + 1 + rnd() % 8;
	}
	/*
	 * A field too long to be plain whose length wraps at 16 bits, among
	 * plain ones: a group of eight the vector path must not take.
	 */
	for (i = N - 8; i < N; i++) {
		start[i] = start[N - 9];
		len[i] = 1;
	}
	buf[start[N - 9]] = '7';
	memset(buf + off, '1', 70000 + 24);
	start[N - 2] = (uint32_t)off;
	len[N - 2] = 65537;
	memset(buf + off + 70000 + 24, 0, 64 - 24);

	for (p = 0; p < sizeof(parsers) / sizeof(*parsers); p++) {
		unsigned kinds, want_kinds = 0;
		size_t bad = 0, plain = 0;
		double range[2], lo = INFINITY, hi = -INFINITY;
		char name[80];

		if (mlci_csv_set_number_parser(parsers[p])) {
			printf("# number parser %s: not on this CPU\n", parsers[p]);
			continue;
		}
		memset(kind, 0xee, N);
		kinds = mlci_csv_parse_numbers(buf, start, len, N, out, kind,
					       range);
		for (i = 0; i < N; i++) {
			double d = 0;
			int integral = 0, ok;
			unsigned char want;

			ok = mlci_csv_parse_plain(buf + start[i], len[i], &d,
						  &integral);
			want = !ok ? MLCI_NUMBER_OTHER : integral ?
			       MLCI_NUMBER_INTEGRAL : MLCI_NUMBER_DECIMAL;
			want_kinds |= want;
			plain += ok;
			lo = ok && d < lo ? d : lo;
			hi = ok && d > hi ? d : hi;
			if (kind[i] == want && (!ok || !memcmp(&d, &out[i], sizeof(d))))
				continue;
			if (bad++ < 5)
				printf("# %s: '%.*s': kind %d (want %d), %.17g (want %.17g)\n",
				       parsers[p], (int)(len[i] < 30 ? len[i] : 30),
				       buf + start[i], kind[i], want, out[i], d);
		}
		snprintf(name, sizeof(name),
			 "the %s number parser agrees with mlci_csv_parse_plain",
			 parsers[p]);
		CHECK(!bad && kinds == want_kinds && range[0] == lo &&
		      range[1] == hi, name);
		CHECK(plain > N / 2 && plain < N - N / 10,
		      "the fields mix plain numbers and others");
	}
	mlci_csv_set_number_parser(NULL);
	CHECK(mlci_csv_set_number_parser("mmx") == -1,
	      "an unknown number parser is refused");
	free(buf);
	free(start);
	free(len);
	free(out);
	free(kind);
}

static void test_quote(void)
{
	struct strbuf sb = STRBUF_INIT;

	mlci_csv_quote(&sb, "plain", 5, ',');
	strbuf_addch(&sb, ' ');
	mlci_csv_quote(&sb, "a,b", 3, ',');
	strbuf_addch(&sb, ' ');
	mlci_csv_quote(&sb, "say \"x\"", 7, ',');
	CHECK_STR(sb.buf, "plain \"a,b\" \"say \"\"x\"\"\"", "quoting for output");
	strbuf_release(&sb);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	mlci_set_quiet(1);
	test_cases();
	test_nul();
	test_long_record();
	test_random_roundtrip(0);
	test_random_roundtrip(1);
	test_scanners();
	test_block_plain();
	test_sha256();
	test_sha256_lent();
	test_numbers();
	test_number_forms();
	test_parse_numbers();
	test_quote();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd))
			return 1;
	}
	return unit_done();
}
