/* SPDX-License-Identifier: MIT */
/* A streaming RFC 4180 CSV reader over a large buffer, gzip read transparently, with exact fast number parsing. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "csv.h"
#include "decimal.h"
#include "digest.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

#define READ_CHUNK (1u << 20)
/*
 * Bytes allocated past the buffer's data: the fast path loads 16 bytes at
 * a time and may look past the end (it never uses what it finds there).
 */
#define SLACK 16
#define DEFAULT_MAX_FIELDS 65536

/* Byte classes: 1 for the bytes that stop the scan of a field. */
struct csv_classes {
	unsigned char unquoted[256];
	unsigned char quoted[256];
};

enum csv_state {
	S_FIELD_START,
	S_UNQUOTED,
	S_QUOTED,
	S_AFTER_QUOTE	/* a quote seen inside a quoted field */
};

/* The parser's state lives in the reader between refills. */
struct csv_parse {
	enum csv_state state;
	size_t rec;		/* offset of the record's first byte */
	size_t fstart;		/* offset of the field's first content byte */
	size_t w;		/* quoted fields: where unescaped bytes go */
	long quote_line;	/* line of the opening quote */
};

static struct csv_classes *classes_for(char delim)
{
	/* One table per reader would do; a static one per delimiter is cheaper. */
	static struct csv_classes tab[256];
	static unsigned char ready[256];
	struct csv_classes *t = &tab[(unsigned char)delim];
	int i;

	if (ready[(unsigned char)delim])
		return t;
	for (i = 0; i < 256; i++) {
		int hi = i >= 0x80;

		t->unquoted[i] = hi || i == 0 || i == '\n' || i == '\r' ||
				 i == (unsigned char)delim;
		t->quoted[i] = hi || i == 0 || i == '\n' || i == '\r' || i == '"';
	}
	ready[(unsigned char)delim] = 1;
	return t;
}

/*
 * The digest of a regular file is computed by a thread of its own that
 * reads the file with pread() (the reader's offset is untouched) while
 * the caller parses: on two cores hashing is then free. Pipes and other
 * files that cannot be read twice are hashed by the reader as it reads.
 */
#define HASH_CHUNK (1u << 20)

struct csv_hasher {
	pthread_t thread;
	int fd;
	struct mlci_sha256 *sha;
	atomic_int stop;	/* the caller gave up: stop early */
	int err;		/* errno of a failed read, else 0 */
};

static void *hasher_main(void *arg)
{
	struct csv_hasher *h = arg;
	unsigned char *buf = malloc(HASH_CHUNK);
	off_t off = 0;

	if (!buf) {
		h->err = ENOMEM;
		return NULL;
	}
	while (!atomic_load_explicit(&h->stop, memory_order_relaxed)) {
		ssize_t n = pread(h->fd, buf, HASH_CHUNK, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			h->err = errno;
			break;
		}
		if (n == 0)
			break;
		mlci_sha256_update(h->sha, buf, (size_t)n);
		off += n;
	}
	free(buf);
	return NULL;
}

/* Start hashing c's file in a thread; 0, or -1 to hash while reading. */
static int hasher_start(struct mlci_csv *c)
{
	struct csv_hasher *h = xcalloc(1, sizeof(*h));

	h->fd = c->fd;
	h->sha = c->sha;
	atomic_init(&h->stop, 0);
	if (pthread_create(&h->thread, NULL, hasher_main, h)) {
		free(h);
		return -1;
	}
	c->hasher = h;
	return 0;
}

/* Wait for the thread; its error number (0: the digest is complete). */
static int hasher_join(struct mlci_csv *c, int stop)
{
	struct csv_hasher *h = c->hasher;
	int err;

	if (!h)
		return 0;
	if (stop)
		atomic_store(&h->stop, 1);
	pthread_join(h->thread, NULL);
	err = h->err;
	free(h);
	c->hasher = NULL;
	return err;
}

int mlci_csv_open(struct mlci_csv *c, const char *path,
		  const struct mlci_csv_options *opt)
{
	struct mlci_csv_options def = MLCI_CSV_OPTIONS_INIT;
	unsigned char magic[2];
	struct stat st;
	ssize_t n;

	if (!opt)
		opt = &def;
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = xstrdup(path);
	c->delimiter = opt->delimiter ? opt->delimiter : ',';
	c->max_record = opt->max_record ? opt->max_record
					: MLCI_CSV_MAX_RECORD_DEFAULT;
	c->max_fields = opt->max_fields ? opt->max_fields : DEFAULT_MAX_FIELDS;
	c->line = c->next_line = 1;
	classes_for(c->delimiter);

	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0)
		return mlci_error_errno(MLCI_EXIT_INPUT, "cannot open '%s'", path);
	if (fstat(c->fd, &st) == 0 && S_ISDIR(st.st_mode))
		return mlci_error(MLCI_EXIT_INPUT, "cannot read '%s': Is a directory",
				  path);
	if (opt->want_sha256) {
		c->sha = mlci_sha256_new();
		if (fstat(c->fd, &st) == 0 && S_ISREG(st.st_mode))
			hasher_start(c);
	}
	n = pread(c->fd, magic, 2, 0);
	if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		int fd2 = dup(c->fd);

		if (fd2 < 0)
			return mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot read '%s'",
						path);
		c->gz = gzdopen(fd2, "rb");
		if (!c->gz) {
			close(fd2);
			return mlci_error(MLCI_EXIT_SYSTEM, "cannot read '%s': out of memory",
					  path);
		}
		gzbuffer(c->gz, 256 * 1024);
	}
	c->alloc = READ_CHUNK + 1;
	c->buf = xmalloc(c->alloc + SLACK);
	if (!c->gz)
		posix_fadvise(c->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

void mlci_csv_release(struct mlci_csv *c)
{
	hasher_join(c, 1);
	if (c->gz)
		gzclose(c->gz);
	if (c->fd >= 0)
		close(c->fd);
	mlci_sha256_free(c->sha);
	free(c->path);
	free(c->buf);
	free(c->field);
	free(c->len);
	free(c->quoted);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/*
 * Read more data after buf[0..end), first dropping the bytes before keep
 * (the current record's start); *shift says how far the kept bytes moved.
 * Returns 1 when bytes were added, 0 at the end of the data, or a negative
 * exit code.
 */
static int refill(struct mlci_csv *c, size_t keep, size_t *shift)
{
	size_t room;
	ssize_t n;

	*shift = keep;
	if (keep) {
		memmove(c->buf, c->buf + keep, c->end - keep);
		c->end -= keep;
		c->pos -= keep;
	}
	if (c->end >= c->max_record)
		return mlci_error(MLCI_EXIT_INPUT,
				  "%s:%ld: record longer than %zu bytes (raise it with --max-record-bytes)",
				  c->path, c->line, c->max_record);
	if (c->alloc - 1 - c->end < READ_CHUNK / 2) {
		size_t want = c->alloc * 2;

		if (want > c->max_record + READ_CHUNK + 1)
			want = c->max_record + READ_CHUNK + 1;
		c->buf = xrealloc(c->buf, want + SLACK);
		c->alloc = want;
	}
	room = c->alloc - 1 - c->end;
	if (c->gz) {
		int r;

		if (room > (1u << 30))
			room = 1u << 30;
		r = gzread(c->gz, c->buf + c->end, (unsigned)room);
		if (r < 0) {
			int errnum;
			const char *msg = gzerror(c->gz, &errnum);

			return mlci_error(MLCI_EXIT_INPUT, "%s: cannot inflate: %s",
					  c->path, msg);
		}
		n = r;
	} else {
		do
			n = read(c->fd, c->buf + c->end, room);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot read '%s'",
						c->path);
		if (c->sha && !c->hasher)
			mlci_sha256_update(c->sha, c->buf + c->end, (size_t)n);
	}
	if (n == 0) {
		c->eof = 1;
		return 0;
	}
	if (c->records == 0 && c->end == 0 && c->pos == 0 && !c->started) {
		c->started = 1;
		c->end = (size_t)n;
		if (c->end >= 3 && !memcmp(c->buf, "\xef\xbb\xbf", 3))
			c->pos = 3;
		return 1;
	}
	c->started = 1;
	c->end += (size_t)n;
	return 1;
}

/*
 * Validate the UTF-8 sequence at buf[pos], whose first byte is >= 0x80;
 * the sequence's bytes are all in the buffer or the data ends. Returns its
 * length, or 0 when invalid.
 */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char b = s[0];
	size_t n, i;
	unsigned cp;

	if (b >= 0xc2 && b <= 0xdf)
		n = 2, cp = b & 0x1f;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3, cp = b & 0x0f;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4, cp = b & 0x07;
	else
		return 0;
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static void grow_fields(struct mlci_csv *c)
{
	{
		size_t n = c->fields_alloc ? 2 * c->fields_alloc : 64;

		c->field = xrealloc(c->field, n * sizeof(*c->field));
		c->len = xrealloc(c->len, n * sizeof(*c->len));
		c->quoted = xrealloc(c->quoted, n);
		c->fields_alloc = n;
	}
}

static inline int end_field(struct mlci_csv *c, const struct csv_parse *p, size_t off,
		     size_t len, int quoted)
{
	if (c->nfields >= c->max_fields)
		return mlci_error(MLCI_EXIT_INPUT, "%s:%ld: more than %zu fields",
				  c->path, c->line, c->max_fields);
	c->buf[off + len] = '\0';
	if (c->nfields == c->fields_alloc)
		grow_fields(c);
	/* Offsets from the record's start: the buffer may still move. */
	c->field[c->nfields] = (char *)(uintptr_t)(off - p->rec);
	c->len[c->nfields] = len;
	c->quoted[c->nfields] = (unsigned char)quoted;
	c->nfields++;
	return 0;
}

static void finish_record(struct mlci_csv *c, const struct csv_parse *p)
{
	size_t i;

	for (i = 0; i < c->nfields; i++)
		c->field[i] = c->buf + p->rec + (size_t)(uintptr_t)c->field[i];
	c->records++;
}


/*
 * The offset in s[0..16) of the first byte that ends an unquoted field or
 * needs the careful path (the delimiter, CR, LF, NUL, a non-ASCII byte),
 * or 16 when there is none. s[0..16) must be readable.
 */
static inline unsigned stop_scan16(const unsigned char *s, unsigned char delim)
{
#if defined(__SSE2__)
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i m = _mm_or_si128(
		_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)delim)),
			     _mm_cmpeq_epi8(x, _mm_set1_epi8('\n'))),
		_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')),
			     _mm_cmpeq_epi8(x, _mm_setzero_si128())));
	unsigned bits = (unsigned)_mm_movemask_epi8(_mm_or_si128(m, x));

	return bits ? (unsigned)__builtin_ctz(bits) : 16;
#else
	unsigned i;

	for (i = 0; i < 16; i++)
		if (s[i] == delim || s[i] == '\n' || s[i] == '\r' || !s[i] ||
		    s[i] >= 0x80)
			break;
	return i;
#endif
}

/*
 * The common case in one go: a record of unquoted ASCII fields that ends
 * with a line end inside the buffer. Returns 1 with the record read, or 0
 * (nothing changed) for anything else, which the state machine of
 * mlci_csv_read() then handles byte by byte.
 */
static int read_simple(struct mlci_csv *c)
{
	unsigned char *buf = (unsigned char *)c->buf, *p, *e, *f;
	unsigned char delim = (unsigned char)c->delimiter;
	size_t n = 0;

	if (c->pending_lf)
		return 0;
	p = buf + c->pos;
	e = buf + c->end;
	if (p >= e || *p == '\n' || *p == '\r')
		return 0;
	for (;;) {
		unsigned k;

		f = p;
		if (*p == '"')
			return 0;
		while ((k = stop_scan16(p, delim)) == 16 && p + 16 < e)
			p += 16;
		p += k;
		if (p >= e || n >= c->max_fields)
			return 0;
		if (n == c->fields_alloc)
			grow_fields(c);
		c->field[n] = (char *)f;
		c->len[n] = (size_t)(p - f);
		c->quoted[n] = 0;
		n++;
		if (*p == delim) {
			p++;
			continue;
		}
		if (*p == '\n')
			break;
		if (*p == '\r' && p + 1 < e)
			break;
		return 0;	/* NUL, non-ASCII, or a CR at the buffer's end */
	}
	/* Accepted: step past the line end, then end the fields with NULs. */
	c->pos = (size_t)(p + 1 + (*p == '\r' && p[1] == '\n') - buf);
	{
		size_t i;

		for (i = 0; i < n; i++)
			c->field[i][c->len[i]] = '\0';
	}
	c->nfields = n;
	c->line = c->next_line;
	c->next_line++;
	c->records++;
	return 1;
}

int mlci_csv_read(struct mlci_csv *c)
{
	const struct csv_classes *cls = classes_for(c->delimiter);
	const unsigned char *stop;
	struct csv_parse p;
	long cur_line;
	size_t shift;
	int r;

	c->nfields = 0;
	if (c->fd < 0)
		return -MLCI_EXIT_BUG;
	if (read_simple(c))
		return 1;
	cur_line = c->next_line;
	p.state = S_FIELD_START;
	p.rec = c->pos;
	p.fstart = p.w = 0;
	p.quote_line = 0;
	c->line = cur_line;

	for (;;) {
		unsigned char ch;

		if (c->pos >= c->end) {
			if (!c->eof) {
				r = refill(c, p.rec, &shift);
				if (r < 0)
					return r;
				if (shift) {
					p.rec -= shift;
					p.fstart -= shift < p.fstart ? shift : p.fstart;
					p.w -= shift < p.w ? shift : p.w;
				}
				if (r > 0)
					continue;
			}
			/* The end of the data. */
			switch (p.state) {
			case S_FIELD_START:
				if (!c->nfields) {
					c->next_line = cur_line;
					return 0;
				}
				r = end_field(c, &p, c->pos, 0, 0);
				break;
			case S_UNQUOTED:
				r = end_field(c, &p, p.fstart, c->pos - p.fstart, 0);
				break;
			case S_QUOTED:
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s:%ld: unterminated quoted field (the quote opens here)",
						  c->path, p.quote_line);
			default:
				r = end_field(c, &p, p.fstart, p.w - p.fstart, 1);
				break;
			}
			if (r < 0)
				return r;
			c->next_line = cur_line;
			finish_record(c, &p);
			return 1;
		}

		ch = (unsigned char)c->buf[c->pos];
		switch (p.state) {
		case S_FIELD_START:
			if (c->pending_lf) {
				c->pending_lf = 0;
				if (ch == '\n') {
					c->pos++;
					p.rec = c->pos;
					continue;
				}
			}
			if (!c->nfields && (ch == '\n' || ch == '\r')) {
				/* A blank line: skipped, but it is a line. */
				c->pos++;
				cur_line++;
				c->pending_lf = ch == '\r';
				p.rec = c->pos;
				c->line = cur_line;
				continue;
			}
			if (ch == '"') {
				p.state = S_QUOTED;
				p.quote_line = cur_line;
				c->pos++;
				p.fstart = p.w = c->pos;
				continue;
			}
			p.state = S_UNQUOTED;
			p.fstart = c->pos;
			/* fall through */
		case S_UNQUOTED:
			stop = cls->unquoted;
			while (c->pos < c->end &&
			       !stop[(unsigned char)c->buf[c->pos]])
				c->pos++;
			if (c->pos >= c->end)
				continue;
			ch = (unsigned char)c->buf[c->pos];
			if (ch == (unsigned char)c->delimiter) {
				r = end_field(c, &p, p.fstart, c->pos - p.fstart, 0);
				if (r < 0)
					return r;
				c->pos++;
				p.state = S_FIELD_START;
				continue;
			}
			if (ch == '\n' || ch == '\r') {
				r = end_field(c, &p, p.fstart, c->pos - p.fstart, 0);
				if (r < 0)
					return r;
				c->pos++;
				cur_line++;
				if (ch == '\r') {
					if (c->pos < c->end) {
						if (c->buf[c->pos] == '\n')
							c->pos++;
					} else {
						c->next_line = cur_line;
						finish_record(c, &p);
						c->pending_lf = 1;
						return 1;
					}
				}
				c->next_line = cur_line;
				finish_record(c, &p);
				return 1;
			}
			break;	/* NUL or a non-ASCII byte: checked below */
		case S_QUOTED:
			stop = cls->quoted;
			{
				size_t a = c->pos;

				while (c->pos < c->end &&
				       !stop[(unsigned char)c->buf[c->pos]])
					c->pos++;
				if (p.w != a)
					memmove(c->buf + p.w, c->buf + a, c->pos - a);
				p.w += c->pos - a;
			}
			if (c->pos >= c->end)
				continue;
			ch = (unsigned char)c->buf[c->pos];
			if (ch == '"') {
				c->pos++;
				p.state = S_AFTER_QUOTE;
				continue;
			}
			if (ch == '\n' || ch == '\r') {
				if (ch == '\r' && c->pos + 1 >= c->end && !c->eof) {
					/* Is it CRLF? Read on to know. */
					r = refill(c, p.rec, &shift);
					if (r < 0)
						return r;
					p.rec -= shift;
					p.fstart -= shift;
					p.w -= shift;
					continue;
				}
				if (ch == '\n' || c->pos + 1 >= c->end ||
				    c->buf[c->pos + 1] != '\n')
					cur_line++;
				c->buf[p.w++] = (char)ch;
				c->pos++;
				continue;
			}
			break;	/* NUL or a non-ASCII byte */
		case S_AFTER_QUOTE:
			if (ch == '"') {
				c->buf[p.w++] = '"';
				c->pos++;
				p.state = S_QUOTED;
				continue;
			}
			if (ch == (unsigned char)c->delimiter) {
				r = end_field(c, &p, p.fstart, p.w - p.fstart, 1);
				if (r < 0)
					return r;
				c->pos++;
				p.state = S_FIELD_START;
				continue;
			}
			if (ch == '\n' || ch == '\r') {
				r = end_field(c, &p, p.fstart, p.w - p.fstart, 1);
				if (r < 0)
					return r;
				c->pos++;
				cur_line++;
				if (ch == '\r') {
					if (c->pos < c->end) {
						if (c->buf[c->pos] == '\n')
							c->pos++;
					} else {
						c->pending_lf = 1;
					}
				}
				c->next_line = cur_line;
				finish_record(c, &p);
				return 1;
			}
			return mlci_error(MLCI_EXIT_INPUT,
					  "%s:%ld: unexpected character after the closing quote of a field (a quote inside a quoted field is written \"\")",
					  c->path, cur_line);
		}

		/* ch is NUL or starts a multi-byte character, at c->pos. */
		if (ch == 0)
			return mlci_error(MLCI_EXIT_INPUT, "%s:%ld: NUL byte in the data",
					  c->path, cur_line);
		if (c->end - c->pos < 4 && !c->eof) {
			r = refill(c, p.rec, &shift);
			if (r < 0)
				return r;
			p.rec -= shift;
			p.fstart -= shift < p.fstart ? shift : p.fstart;
			p.w -= shift < p.w ? shift : p.w;
			if (r > 0)
				continue;
		}
		{
			size_t n = utf8_len((const unsigned char *)c->buf + c->pos,
					    c->end - c->pos);

			if (!n)
				return mlci_error(MLCI_EXIT_INPUT,
						  "%s:%ld: invalid UTF-8 (byte 0x%02x)",
						  c->path, cur_line, ch);
			if (p.state == S_QUOTED) {
				if (p.w != c->pos)
					memmove(c->buf + p.w, c->buf + c->pos, n);
				p.w += n;
			}
			c->pos += n;
		}
	}
}

int mlci_csv_sha256(struct mlci_csv *c, char hex[65])
{
	int err;

	if (!c->sha)
		return -MLCI_EXIT_BUG;
	if (c->hasher) {
		err = hasher_join(c, 0);
		if (err) {
			errno = err;
			return mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot read '%s'",
						c->path);
		}
		mlci_sha256_final_hex(c->sha, hex);
		mlci_sha256_free(c->sha);
		c->sha = NULL;
		return 0;
	}
	if (c->gz) {
		/* The digest is of the file as stored: read it again, raw. */
		mlci_sha256_free(c->sha);
		c->sha = NULL;
		return mlci_sha256_file(c->path, hex);
	}
	for (;;) {
		ssize_t n = read(c->fd, c->buf, c->alloc - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot read '%s'",
						c->path);
		if (n == 0)
			break;
		mlci_sha256_update(c->sha, c->buf, (size_t)n);
		c->pos = c->end = 0;
	}
	mlci_sha256_final_hex(c->sha, hex);
	mlci_sha256_free(c->sha);
	c->sha = NULL;
	return 0;
}

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

int mlci_csv_parse_number(const char *s, size_t len, double *out, int *integral)
{
	const char *p = s, *e = s + len, *q;
	uint64_t m = 0;
	size_t ndig;
	long exp10 = 0;
	int neg = 0;
	char *end;
	double d;

	if (!len)
		return -1;
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	/* Integer part, then fraction, into one mantissa. */
	q = p;
	while (p < e && (unsigned char)(*p - '0') < 10)
		m = m * 10 + (unsigned char)(*p++ - '0');
	ndig = (size_t)(p - q);
	if (p < e && *p == '.') {
		const char *f = ++p;

		while (p < e && (unsigned char)(*p - '0') < 10)
			m = m * 10 + (unsigned char)(*p++ - '0');
		exp10 = -(long)(p - f);
		ndig += (size_t)(p - f);
	}
	if (!ndig)
		return -1;
	if (p < e) {
		int eneg = 0;
		long ev = 0;

		if (*p != 'e' && *p != 'E')
			return -1;
		p++;
		if (p < e && (*p == '-' || *p == '+')) {
			eneg = *p == '-';
			p++;
		}
		if (p >= e)
			return -1;
		for (; p < e; p++) {
			unsigned dg = (unsigned char)(*p - '0');

			if (dg >= 10)
				return -1;
			if (ev < 100000)
				ev = ev * 10 + dg;
		}
		exp10 += eneg ? -ev : ev;
	}
	/* 19 digits always fit in 64 bits; more (or leading zeros) go slow. */
	*integral = p == q + ndig && ndig <= 16;
	if (ndig <= 19 && m <= (UINT64_C(1) << 53) && exp10 >= -22 &&
	    exp10 <= 22) {
		d = (double)m;
		d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
		*out = neg ? -d : d;
		return 0;
	}
	/* Up to 19 digits: Eisel-Lemire, exact, unless it cannot decide. */
	if (ndig <= 19 && !mlci_decimal_to_double(m, exp10, neg, &d)) {
		*out = d;
		return 0;
	}
	/* The syntax is checked: strtod rounds it exactly. */
	if (s[len] != '\0') {
		char tmp[512];

		if (len >= sizeof(tmp))
			return -1;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		d = strtod(tmp, &end);
		if (end != tmp + len)
			return -1;
	} else {
		d = strtod(s, &end);
		if (end != s + len)
			return -1;
	}
	if (!isfinite(d))
		return -1;
	*out = d;
	return 0;
}

int mlci_csv_parse_double(const char *s, size_t len, double *out)
{
	int integral;

	return mlci_csv_parse_number(s, len, out, &integral);
}

int mlci_csv_parse_integer(const char *s, size_t len, int64_t *out)
{
	const char *p = s, *e = s + len;
	uint64_t v = 0;
	int neg = 0;

	if (p < e && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	if (p >= e)
		return -1;
	for (; p < e; p++) {
		unsigned dg = (unsigned char)*p - '0';

		if (dg >= 10)
			return -1;
		v = v * 10 + dg;
		if (v > (UINT64_C(1) << 53))
			return -1;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int mlci_csv_parse_bool(const char *s, size_t len)
{
	static const char *const yes[] = { "true", "yes", "t", "y", "1" };
	static const char *const no[] = { "false", "no", "f", "n", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (strlen(yes[i]) == len && !strncasecmp(s, yes[i], len))
			return 1;
		if (strlen(no[i]) == len && !strncasecmp(s, no[i], len))
			return 0;
	}
	return -1;
}

void mlci_csv_quote(struct strbuf *out, const char *s, size_t len,
		    char delimiter)
{
	size_t i;
	int need = 0;

	for (i = 0; i < len && !need; i++)
		need = s[i] == delimiter || s[i] == '"' || s[i] == '\n' ||
		       s[i] == '\r';
	if (!need) {
		strbuf_add(out, s, len);
		return;
	}
	strbuf_addch(out, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, s[i]);
	}
	strbuf_addch(out, '"');
}
