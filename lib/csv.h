/* SPDX-License-Identifier: MIT */
/* A streaming RFC 4180 CSV reader over a large buffer, gzip read transparently, with exact fast number parsing. */
#ifndef MLCI_CSV_H
#define MLCI_CSV_H

#include <stddef.h>
#include <stdint.h>

/*
 * What the reader accepts:
 *   - records end at LF, CRLF or a lone CR (outside quotes); a last record
 *     without a line end is a record; a blank line is skipped (as pandas
 *     does) but counted in line numbers;
 *   - a field that starts with '"' is quoted: it may hold the delimiter,
 *     line ends and '""' (one quote); after the closing quote only the
 *     delimiter or a line end may follow. A '"' inside an unquoted field
 *     is kept as it is;
 *   - UTF-8, with or without a byte order mark (skipped); invalid UTF-8
 *     (overlong forms and surrogates included) and NUL bytes are refused;
 *   - gzip data (recognised by its magic bytes, whatever the file's name)
 *     is inflated on the fly.
 * Memory is the read buffer, which grows only to hold the longest record
 * (at most max_record bytes); fields are pointers into it.
 *
 * Errors are printed as "FILE:LINE: what" with the file line (counted
 * from 1, the header's line included) where the record or the offending
 * quote starts, and returned as -MLCI_EXIT_INPUT; a read error is
 * -MLCI_EXIT_SYSTEM.
 */

/* The default longest record: more is refused, so memory stays bounded. */
#define MLCI_CSV_MAX_RECORD_DEFAULT (16u << 20)

struct mlci_csv_options {
	char delimiter;		/* ',' by default */
	size_t max_record;	/* bytes; 0: MLCI_CSV_MAX_RECORD_DEFAULT */
	size_t max_fields;	/* fields per record; 0: 65536 */
	int want_sha256;	/* compute the digest of the file's bytes */
};

#define MLCI_CSV_OPTIONS_INIT { ',', 0, 0, 0 }

struct mlci_sha256;
struct csv_hasher;

struct mlci_csv {
	char *path;		/* as given, for messages */
	int fd;
	void *gz;		/* gzFile when the data is gzip, else NULL */
	struct mlci_sha256 *sha;
	struct csv_hasher *hasher;	/* a regular file: hashed by a thread */
	char delimiter;
	size_t max_record, max_fields;

	char *buf;		/* buf[0..end): bytes read, from the record start */
	size_t alloc, pos, end;
	int eof;
	int pending_lf;		/* a CR ended the last line: skip a LF */

	/* The current record: fields NUL-terminated inside buf. */
	char **field;
	size_t *len;
	unsigned char *quoted;	/* 1 when the field was quoted */
	size_t nfields, fields_alloc;

	/*
	 * The scanner's bits: bit i of scan_bits[b] is set when byte
	 * buf[scan_at + 64 b + i] may end an unquoted field or need the
	 * careful path, of scan_delims[b] when it is the delimiter; scan_n
	 * blocks are valid (none after a refill).
	 */
	void (*scan)(const unsigned char *s, size_t blocks, unsigned char delim,
		     uint64_t *bits, uint64_t *delims);
	size_t scan_at, scan_n;
	uint64_t scan_bits[16], scan_delims[16];
	uint32_t *ends;		/* mlci_csv_read_block()'s field ends */
	size_t ends_alloc;

	long line;		/* file line where the current record starts */
	long next_line;		/* file line where the next record starts */
	uint64_t records;	/* records read, header included */
	int started;
};

/*
 * Open path for reading with opt (NULL: defaults). Returns 0, or
 * -MLCI_EXIT_INPUT (missing, unreadable, a directory: the message names
 * the file). c must be released with mlci_csv_release() either way.
 */
int mlci_csv_open(struct mlci_csv *c, const char *path,
		  const struct mlci_csv_options *opt);

/*
 * Read the next record into c->field[0..c->nfields). Returns 1 with a
 * record, 0 at the end of the data, or a negative exit code with the
 * message printed. Field pointers stay valid until the next call.
 */
int mlci_csv_read(struct mlci_csv *c);

/*
 * Rows read at once, for a reader that goes down the columns: field j of
 * row r (r < nrows) is c->buf + start[j * cap + r], len[j * cap + r]
 * bytes, until the next read, and quoted[j * cap + r] is 1 when it was
 * quoted (quoted may be NULL: not wanted). Row r is file line line + r.
 * The caller sets nfields and cap, sizes the arrays to nfields * cap, and
 * sets nul to have each field end with a NUL (as mlci_csv_read()'s do),
 * which costs a store per field: the bytes after a field are otherwise
 * the file's. Rows past row nrows (the one a block gave up on) are left
 * as they were.
 */
struct mlci_csv_block {
	size_t nfields, cap;
	uint32_t *start, *len;
	unsigned char *quoted;
	int nul;
	size_t nrows;
	long line;
};

/*
 * Read up to b->cap records that need no care into b: fields of valid
 * UTF-8, unquoted or quoted with no quote doubled and no line end inside,
 * one line each, b->nfields fields each, all in the buffer.
 * Returns how many; 0 when the next record is any other kind, or is not
 * in the buffer yet (mlci_csv_read() then reads it: it refills, reads
 * quotes, or reports the error). The records are the ones mlci_csv_read()
 * would return, one after the other.
 */
size_t mlci_csv_read_block(struct mlci_csv *c, struct mlci_csv_block *b);

/*
 * Choose how mlci_csv_read_block() finds fields: "scalar", "avx512", or
 * NULL for the fastest this CPU has (the default). For tests, which check
 * that both read the same blocks. Returns 0, or -1 when this build or CPU
 * lacks it.
 */
int mlci_csv_set_block_reader(const char *name);

/*
 * Finish the digest of the file (want_sha256) after the last record was
 * read: reads whatever is left of the file, hex into hex[65]. Returns 0 or
 * a negative exit code.
 */
int mlci_csv_sha256(struct mlci_csv *c, char hex[65]);

/*
 * Make the thread that hashes a file wait usec microseconds before each
 * chunk (0: not at all, the default). For tests: the reader must not
 * change bytes the thread has yet to hash, however slow it is.
 */
void mlci_csv_set_hash_delay(unsigned usec);

/*
 * Choose how readers opened from now on look for delimiters, quotes and
 * line ends: "scalar", "sse2", "avx2", "avx512", or NULL for the fastest
 * this CPU has (the default). For tests, which check that every scanner
 * reads the same records. Returns 0, or -1 when this build or CPU lacks it.
 */
int mlci_csv_set_scanner(const char *name);

/* Close the file and free everything; c may then be opened again. */
void mlci_csv_release(struct mlci_csv *c);

/*
 * Parse s[0..len) (no surrounding blanks) as a finite double, exactly as
 * strtod() would round it: a fast path for plain decimals of up to 19
 * significant digits whose value is exact in binary64 arithmetic
 * (Clinger's method), else strtod() itself. s[len] must be readable (a
 * NUL or any other byte). Returns 0, or -1 when s is not a number, not
 * finite, or is one of strtod's extras ("inf", "nan", hexadecimal).
 */
int mlci_csv_parse_double(const char *s, size_t len, double *out);

/*
 * As mlci_csv_parse_double(), and *integral set to 1 when s is written as
 * an integer (digits with an optional sign, at most 16 of them: exact as a
 * double), else 0.
 */
int mlci_csv_parse_number(const char *s, size_t len, double *out,
			  int *integral);

/* 10^0 .. 10^22: each exact as a double. */
extern const double mlci_pow10_exact[23];

/*
 * The fast path of mlci_csv_parse_number(), inline for loops over many
 * values: the common short forms, [sign] digits [. digits] with at most
 * 16 bytes after the sign. Returns 1 with *out and *integral set, or 0
 * for anything else (an exponent, a long significand, no digit, not a
 * number), which mlci_csv_parse_number() then decides. The significand
 * is checked against 2^53 and the scale is at most 10^15, both exact
 * doubles, so one division rounds once: strtod's result (Clinger).
 */
static inline int mlci_csv_parse_plain(const char *s, size_t len,
				       double *out, int *integral)
{
	const char *p = s, *e = s + len, *dot = NULL;
	uint64_t m = 0;
	int neg;
	double d;

	if (!len)
		return 0;
	neg = *p == '-';
	p += neg || *p == '+';
	if (e - p > 16 || e - p < 1 || (e - p == 1 && *p == '.'))
		return 0;
	for (; p < e; p++) {
		unsigned dg = (unsigned char)*p - '0';

		if (dg < 10) {
			m = m * 10 + dg;
			continue;
		}
		if (*p != '.' || dot)
			return 0;
		dot = p;
	}
	if (m > (UINT64_C(1) << 53))
		return 0;
	d = dot ? (double)m / mlci_pow10_exact[e - dot - 1] : (double)m;
	*out = neg ? -d : d;
	*integral = !dot;
	return 1;
}

/*
 * Parse s[0..len) as a decimal integer with an optional sign, within
 * +/- 2^53 (so that it is exact as a double). 0 or -1.
 */
int mlci_csv_parse_integer(const char *s, size_t len, int64_t *out);

/* The kinds of field mlci_csv_parse_numbers() finds. */
enum {
	MLCI_NUMBER_INTEGRAL = 1,	/* plain, no dot */
	MLCI_NUMBER_DECIMAL = 2,	/* plain, with a dot */
	MLCI_NUMBER_OTHER = 4,		/* not plain: ask the slow parsers */
};

/*
 * mlci_csv_parse_plain() on the n fields buf + start[i], len[i] bytes
 * each, as a block holds them: out[i] and kind[i] for each (out[i] is
 * unset for MLCI_NUMBER_OTHER), and the least and the greatest number in
 * range[0] and range[1] (inf and -inf for none). Returns the kinds found,
 * or-ed. Each field's first 16 bytes must be readable, inside the field
 * or not (a reader's buffer has the room).
 */
unsigned mlci_csv_parse_numbers(const char *buf, const uint32_t *start,
				const uint32_t *len, size_t n, double *out,
				unsigned char *kind, double range[2]);

/*
 * Choose how mlci_csv_parse_numbers() parses: "scalar", "avx512", or
 * NULL for the fastest this CPU has (the default). For tests. Returns 0,
 * or -1 when this build or CPU lacks it.
 */
int mlci_csv_set_number_parser(const char *name);

/*
 * Parse a boolean: true/false, yes/no, t/f, y/n (any case), 1/0. Returns
 * 1 or 0, or -1 when s is none of them.
 */
int mlci_csv_parse_bool(const char *s, size_t len);

/*
 * Append field s[0..len) to out as CSV text with the delimiter: quoted
 * (and quotes doubled) when it holds the delimiter, a quote, CR or LF, or
 * starts or ends with a space; as it is otherwise.
 */
struct strbuf;
void mlci_csv_quote(struct strbuf *out, const char *s, size_t len,
		    char delimiter);

#endif
