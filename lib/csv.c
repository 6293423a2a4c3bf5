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
/* AVX2 when the CPU has it, whatever the build's baseline. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_SCANNER 1
#define HAVE_AVX512_BLOCK 1
#include <immintrin.h>
#endif

#include "csv.h"
#include "decimal.h"
#include "digest.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

#define READ_CHUNK (1u << 20)
/*
 * Bytes allocated past the buffer's data, zeroed: the scanner loads 64
 * bytes at a time and may look past the end (it never uses what it
 * finds there).
 */
#define SLACK 64
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
 * The scanners set, for each byte of blocks of 64, a bit in bits when the
 * byte may need attention in an unquoted field: the delimiter, a quote, a
 * non-ASCII byte, or a byte up to CR (0x0d), which takes in LF, CR and
 * NUL with one comparison. The other control bytes it catches are
 * ordinary data: the reader steps over them. The delimiters' bits alone
 * go to delims.
 */
typedef void scan_fn(const unsigned char *s, size_t blocks, unsigned char delim,
		     uint64_t *bits, uint64_t *delims);

static void scan_scalar(const unsigned char *s, size_t blocks,
			unsigned char delim, uint64_t *bits, uint64_t *delims)
{
	size_t b, i;

	for (b = 0; b < blocks; b++, s += 64) {
		uint64_t m = 0, d = 0;

		/* No branch on the bytes: those past the data are junk. */
		for (i = 0; i < 64; i++) {
			d |= (uint64_t)(s[i] == delim) << i;
			m |= (uint64_t)((s[i] <= '\r') | (s[i] >= 0x80) |
					(s[i] == '"')) << i;
		}
		bits[b] = m | d;
		delims[b] = d;
	}
}

#if defined(__SSE2__)
static inline uint64_t scan16_sse2(const unsigned char *s, __m128i d,
				   uint64_t *delims)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i low = _mm_cmpeq_epi8(_mm_subs_epu8(x, _mm_set1_epi8('\r')),
				     _mm_setzero_si128());
	__m128i dm = _mm_cmpeq_epi8(x, d);
	__m128i m = _mm_or_si128(_mm_or_si128(low, x),
				 _mm_or_si128(dm, _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))));

	*delims = (uint64_t)(unsigned)_mm_movemask_epi8(dm);
	return (uint64_t)(unsigned)_mm_movemask_epi8(m);
}

static void scan_sse2(const unsigned char *s, size_t blocks,
		      unsigned char delim, uint64_t *bits, uint64_t *delims)
{
	__m128i d = _mm_set1_epi8((char)delim);
	uint64_t d0, d1, d2, d3;
	size_t b;

	for (b = 0; b < blocks; b++, s += 64) {
		bits[b] = scan16_sse2(s, d, &d0) | scan16_sse2(s + 16, d, &d1) << 16 |
			  scan16_sse2(s + 32, d, &d2) << 32 |
			  scan16_sse2(s + 48, d, &d3) << 48;
		delims[b] = d0 | d1 << 16 | d2 << 32 | d3 << 48;
	}
}
#endif

#ifdef HAVE_AVX2_SCANNER
__attribute__((target("avx2")))
static inline uint64_t scan32_avx2(const unsigned char *s, __m256i d,
				   uint64_t *delims)
{
	__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)s);
	__m256i low = _mm256_cmpeq_epi8(_mm256_subs_epu8(x, _mm256_set1_epi8('\r')),
					_mm256_setzero_si256());
	__m256i dm = _mm256_cmpeq_epi8(x, d);
	__m256i m = _mm256_or_si256(_mm256_or_si256(low, x),
				    _mm256_or_si256(dm,
						    _mm256_cmpeq_epi8(x, _mm256_set1_epi8('"'))));

	*delims = (uint64_t)(uint32_t)_mm256_movemask_epi8(dm);
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(m);
}

__attribute__((target("avx2")))
static void scan_avx2(const unsigned char *s, size_t blocks,
		      unsigned char delim, uint64_t *bits, uint64_t *delims)
{
	__m256i d = _mm256_set1_epi8((char)delim);
	uint64_t d0, d1;
	size_t b;

	for (b = 0; b < blocks; b++, s += 64) {
		bits[b] = scan32_avx2(s, d, &d0) | scan32_avx2(s + 32, d, &d1) << 32;
		delims[b] = d0 | d1 << 32;
	}
}

/* With AVX-512BW, a mask of 64 bytes is one comparison. */
__attribute__((target("avx512f,avx512bw")))
static void scan_avx512(const unsigned char *s, size_t blocks,
			unsigned char delim, uint64_t *bits, uint64_t *delims)
{
	__m512i d = _mm512_set1_epi8((char)delim);
	__m512i cr = _mm512_set1_epi8('\r'), quote = _mm512_set1_epi8('"');
	size_t b;

	for (b = 0; b < blocks; b++, s += 64) {
		__m512i x = _mm512_loadu_si512(s);
		uint64_t dm = _mm512_cmpeq_epi8_mask(x, d);

		bits[b] = dm | _mm512_cmple_epu8_mask(x, cr) |
			  _mm512_movepi8_mask(x) | _mm512_cmpeq_epi8_mask(x, quote);
		delims[b] = dm;
	}
}
#endif

static scan_fn *forced_scanner;

int mlci_csv_set_scanner(const char *name)
{
	if (!name) {
		forced_scanner = NULL;
		return 0;
	}
	if (!strcmp(name, "scalar")) {
		forced_scanner = scan_scalar;
		return 0;
	}
#if defined(__SSE2__)
	if (!strcmp(name, "sse2")) {
		forced_scanner = scan_sse2;
		return 0;
	}
#endif
#ifdef HAVE_AVX2_SCANNER
	if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2")) {
		forced_scanner = scan_avx2;
		return 0;
	}
	if (!strcmp(name, "avx512") && __builtin_cpu_supports("avx512bw")) {
		forced_scanner = scan_avx512;
		return 0;
	}
#endif
	return -1;
}

static scan_fn *best_scanner(void)
{
	if (forced_scanner)
		return forced_scanner;
#ifdef HAVE_AVX2_SCANNER
	if (__builtin_cpu_supports("avx512bw"))
		return scan_avx512;
	if (__builtin_cpu_supports("avx2"))
		return scan_avx2;
#endif
#if defined(__SSE2__)
	return scan_sse2;
#else
	return scan_scalar;
#endif
}

/*
 * The digest of a regular file is computed by a thread of its own while
 * the caller parses: on two cores hashing is then free. The reader hands
 * the thread every chunk it reads, in a ring of slots: a copy, or the
 * bytes in its own buffer when it will not write into them before the
 * thread is done (hasher_take()); a copy in user space costs less than
 * reading the file a second time. A gzip file, whose digest is of its
 * stored bytes, is read by the thread itself with pread() (the reader's
 * offset is untouched). Pipes and other files that cannot be read twice
 * are hashed by the reader as it reads.
 */
#define HASH_CHUNK (1u << 18)
#define HASH_SLOTS 4

struct csv_hasher {
	pthread_t thread;
	int fd;			/* >= 0: read the file; -1: the reader feeds */
	struct mlci_sha256 *sha;
	atomic_int stop;	/* the caller gave up: stop early */
	int err;		/* errno of a failed read, else 0 */

	/* Fed: slots tail..head-1 (mod HASH_SLOTS) are full. */
	pthread_mutex_t lock;
	pthread_cond_t changed;	/* a slot filled or emptied, or the end */
	unsigned char *slot[HASH_SLOTS];	/* copies */
	const unsigned char *data[HASH_SLOTS];	/* what each slot hashes */
	size_t len[HASH_SLOTS];
	size_t head, tail;
	int done;		/* no more slots will be filled */

	/* The reader's own: */
	int lent;		/* a slot may point into the reader's buffer */
	unsigned writes;	/* calls that write into it since a refill */
};

static void *hasher_pread(struct csv_hasher *h)
{
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

static unsigned hash_delay;	/* microseconds before each slot (tests) */

void mlci_csv_set_hash_delay(unsigned usec)
{
	hash_delay = usec;
}

static void *hasher_main(void *arg)
{
	struct csv_hasher *h = arg;

	if (h->fd >= 0)
		return hasher_pread(h);
	pthread_mutex_lock(&h->lock);
	for (;;) {
		size_t i;

		while (h->head == h->tail && !h->done &&
		       !atomic_load_explicit(&h->stop, memory_order_relaxed))
			pthread_cond_wait(&h->changed, &h->lock);
		if (atomic_load_explicit(&h->stop, memory_order_relaxed) ||
		    h->head == h->tail)
			break;
		/* The slot is ours until tail moves past it. */
		i = h->tail % HASH_SLOTS;
		pthread_mutex_unlock(&h->lock);
		if (hash_delay)
			usleep(hash_delay);
		mlci_sha256_update(h->sha, h->data[i], h->len[i]);
		pthread_mutex_lock(&h->lock);
		h->tail++;
		pthread_cond_signal(&h->changed);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/*
 * Hand the thread data[0..n), a copy (copy: 1) or the bytes themselves,
 * waiting for a free slot.
 */
static void hasher_feed(struct csv_hasher *h, const char *data, size_t n,
			int copy)
{
	while (n) {
		size_t k = n < HASH_CHUNK || !copy ? n : HASH_CHUNK, i;

		pthread_mutex_lock(&h->lock);
		while (h->head - h->tail == HASH_SLOTS)
			pthread_cond_wait(&h->changed, &h->lock);
		pthread_mutex_unlock(&h->lock);
		/* The slot at head is the reader's until head moves past it. */
		i = h->head % HASH_SLOTS;
		if (copy) {
			if (!h->slot[i])
				h->slot[i] = xmalloc(HASH_CHUNK);
			memcpy(h->slot[i], data, k);
			h->data[i] = h->slot[i];
		} else {
			h->data[i] = (const unsigned char *)data;
			h->lent = 1;
		}
		h->len[i] = k;
		pthread_mutex_lock(&h->lock);
		h->head++;
		pthread_cond_signal(&h->changed);
		pthread_mutex_unlock(&h->lock);
		data += k;
		n -= k;
	}
}

/*
 * Before the reader writes into its buffer: wait until the thread is
 * done with any bytes of it that were lent. write: the call will write
 * (counted: past one such call between refills, hasher_take() copies).
 */
static void hasher_settle(struct mlci_csv *c, int write)
{
	struct csv_hasher *h = c->hasher;

	if (!h)
		return;
	h->writes += write;
	if (!h->lent)
		return;
	pthread_mutex_lock(&h->lock);
	while (h->head != h->tail)
		pthread_cond_wait(&h->changed, &h->lock);
	pthread_mutex_unlock(&h->lock);
	h->lent = 0;
}

/*
 * Hand the thread the n bytes refill() just read at c->buf + c->end,
 * after the start of the record being read, buf[0..end). The reader
 * writes only into the record it reads (NULs after fields, unquoted
 * fields) and waits (hasher_settle()) before any other record and before
 * a refill, so the bytes after the record's end may be lent: the end is
 * the first line end read when the record so far has no quote and the
 * bytes up to it none either. Only the record's bytes are copied then,
 * when nothing but the calls that refill wrote since the last refill
 * (blocks of rows were read): a reader that writes into every record
 * would otherwise wait for the thread at once.
 */
static void hasher_take(struct mlci_csv *c, size_t n)
{
	struct csv_hasher *h = c->hasher;
	const char *at = c->buf + c->end, *lf, *cr;
	size_t head = n;

	if (h->writes <= 1 && !memchr(c->buf, '"', c->end)) {
		lf = memchr(at, '\n', n);
		cr = memchr(at, '\r', lf ? (size_t)(lf - at) : n);
		if (cr || lf) {
			head = (size_t)((cr ? cr : lf) - at) + 1;
			if (memchr(at, '"', head))
				head = n;
		}
	}
	h->writes = 0;
	hasher_feed(h, at, head, 1);
	hasher_feed(h, at + head, n - head, 0);
}

/*
 * Start hashing c's file in a thread, fed by the reader or reading the
 * file itself; 0, or -1 to hash while reading.
 */
static int hasher_start(struct mlci_csv *c, int fed)
{
	struct csv_hasher *h = xcalloc(1, sizeof(*h));

	h->fd = fed ? -1 : c->fd;
	h->sha = c->sha;
	atomic_init(&h->stop, 0);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->changed, NULL);
	if (pthread_create(&h->thread, NULL, hasher_main, h)) {
		pthread_cond_destroy(&h->changed);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return -1;
	}
	c->hasher = h;
	return 0;
}

/*
 * Wait for the thread, after it hashed everything (stop: at once); its
 * error number (0: the digest is complete).
 */
static int hasher_join(struct mlci_csv *c, int stop)
{
	struct csv_hasher *h = c->hasher;
	size_t i;
	int err;

	if (!h)
		return 0;
	pthread_mutex_lock(&h->lock);
	if (stop)
		atomic_store(&h->stop, 1);
	h->done = 1;
	pthread_cond_signal(&h->changed);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	err = h->err;
	for (i = 0; i < HASH_SLOTS; i++)
		free(h->slot[i]);
	pthread_cond_destroy(&h->changed);
	pthread_mutex_destroy(&h->lock);
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
	c->scan = best_scanner();
	classes_for(c->delimiter);

	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0)
		return mlci_error_errno(MLCI_EXIT_INPUT, "cannot open '%s'", path);
	if (fstat(c->fd, &st) == 0 && S_ISDIR(st.st_mode))
		return mlci_error(MLCI_EXIT_INPUT, "cannot read '%s': Is a directory",
				  path);
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
	if (opt->want_sha256) {
		c->sha = mlci_sha256_new();
		if (fstat(c->fd, &st) == 0 && S_ISREG(st.st_mode))
			hasher_start(c, !c->gz);
	}
	/*
	 * A small file has a buffer of its size: opening many of them
	 * (tests, the fuzzer, sniffing) then costs no 1 MiB mapping each.
	 * The buffer grows if the file does.
	 */
	c->alloc = READ_CHUNK + 1;
	if (!c->gz && fstat(c->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size < READ_CHUNK)
		c->alloc = (size_t)st.st_size + 1;
	c->buf = xmalloc(c->alloc + SLACK);
	memset(c->buf + c->alloc, 0, SLACK);
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
	free(c->ends);
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
	c->scan_n = 0;
	hasher_settle(c, 0);
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
		memset(c->buf + c->alloc, 0, SLACK);
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
		if (c->hasher)
			hasher_take(c, (size_t)n);
		else if (c->sha)
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


#define SCAN_BLOCKS (sizeof(((struct mlci_csv *)0)->scan_bits) / sizeof(uint64_t))

/*
 * Scan the window of blocks that starts at buf[from] (from < c->end).
 * The last block may reach up to 63 bytes past the data (SLACK): the
 * bits of those bytes, which may never have been written, are cleared.
 */
static void scan_window(struct mlci_csv *c, size_t from)
{
	size_t n = (c->end - from + 63) / 64, tail;

	if (n > SCAN_BLOCKS)
		n = SCAN_BLOCKS;
	c->scan_at = from;
	c->scan_n = n;
	c->scan((const unsigned char *)c->buf + from, n,
		(unsigned char)c->delimiter, c->scan_bits, c->scan_delims);
	tail = c->end - from - 64 * (n - 1);
	if (tail < 64) {
		c->scan_bits[n - 1] &= (UINT64_C(1) << tail) - 1;
		c->scan_delims[n - 1] &= (UINT64_C(1) << tail) - 1;
	}
}

/*
 * Where read_simple() is in the scanner's bits: block b of the window of
 * n blocks that starts at buffer offset at, and m, the bits of that block
 * not taken yet. The bits are computed a window at a time, ahead of the
 * records, and stay valid until the buffer is refilled (the reader only
 * writes behind its position: NULs after fields, unescaped quoted
 * fields). Taking bit after bit from m keeps the loop from field to field
 * short: no load, no shift by the position. The cursor is a local copy,
 * kept in registers while the record's fields are stored.
 */
struct cursor {
	const uint64_t *bits;
	size_t at, n, b;
	uint64_t m;
};

/* Start at buf[from], from < c->end. */
static inline void cursor_seek(struct mlci_csv *c, struct cursor *cu,
			       size_t from)
{
	size_t off;

	if (from < c->scan_at || from - c->scan_at >= 64 * c->scan_n)
		scan_window(c, from);
	cu->bits = c->scan_bits;
	cu->at = c->scan_at;
	cu->n = c->scan_n;
	off = from - cu->at;
	cu->b = off / 64;
	cu->m = cu->bits[cu->b] & (~UINT64_C(0) << (off % 64));
}

/* On to the next block's bits; 0 when the data ends before it (end). */
static inline int cursor_step(struct mlci_csv *c, struct cursor *cu,
			      size_t end)
{
	if (++cu->b == cu->n) {
		size_t from = cu->at + 64 * cu->b;

		if (from >= end)
			return 0;
		scan_window(c, from);
		cu->at = from;
		cu->n = c->scan_n;
		cu->b = 0;
	}
	cu->m = cu->bits[cu->b];
	return 1;
}

/*
 * The offset of the next byte whose bit is set; >= end (c->end): none
 * in the data.
 */
static inline size_t cursor_next(struct mlci_csv *c, struct cursor *cu,
				 size_t end)
{
	size_t q;

	while (!cu->m)
		if (!cursor_step(c, cu, end))
			return end;
	q = cu->at + 64 * cu->b + (size_t)__builtin_ctzll(cu->m);
	cu->m &= cu->m - 1;
	return q;
}

/*
 * The common case in one go: a record of unquoted fields, valid UTF-8,
 * that ends with a line end inside the buffer. Returns 1 with the record
 * read, or 0 (nothing changed) for anything else, which the state machine
 * of mlci_csv_read() then handles byte by byte.
 */
static int read_simple(struct mlci_csv *c)
{
	unsigned char *buf = (unsigned char *)c->buf;
	unsigned char delim = (unsigned char)c->delimiter;
	size_t end = c->end, f = c->pos, q, n = 0, i;
	char **field = c->field;
	size_t *len = c->len;
	struct cursor cu;

	if (c->pending_lf || f >= end || buf[f] == '\n' || buf[f] == '\r' ||
	    buf[f] == '"')
		return 0;
	cursor_seek(c, &cu, f);
	for (;;) {
		unsigned char ch;

		q = cursor_next(c, &cu, end);
		if (q >= end)
			return 0;
		ch = buf[q];
		if (ch != delim && ch != '\n' && ch != '\r') {
			size_t k;

			if (ch < 0x80) {
				if (!ch)
					return 0;	/* the careful path says why */
				continue;	/* a quote inside, a control byte */
			}
			k = utf8_len(buf + q, end - q);
			if (!k || q + k >= end)
				return 0;
			cursor_seek(c, &cu, q + k);
			continue;
		}
		if (n >= c->max_fields)
			return 0;
		if (n == c->fields_alloc) {
			grow_fields(c);
			field = c->field;
			len = c->len;
		}
		field[n] = (char *)buf + f;
		len[n] = q - f;
		n++;
		if (ch == delim) {
			f = q + 1;
			if (f < end && buf[f] == '"')
				return 0;
			continue;
		}
		if (ch == '\r' && q + 1 >= end)
			return 0;	/* CRLF or not? The careful path reads on. */
		break;
	}
	/* Accepted: step past the line end, then end the fields with NULs. */
	c->pos = q + 1 + (buf[q] == '\r' && buf[q + 1] == '\n');
	for (i = 0; i < n; i++)
		field[i][len[i]] = '\0';
	memset(c->quoted, 0, n);
	c->nfields = n;
	c->line = c->next_line;
	c->next_line++;
	c->records++;
	return 1;
}

/*
 * Everything else, byte by byte: quoted fields, blank lines, a record
 * across a refill, errors. A function of its own so that the common case
 * does not pay for its registers.
 */
__attribute__((noinline))
static int read_careful(struct mlci_csv *c)
{
	const struct csv_classes *cls = classes_for(c->delimiter);
	const unsigned char *stop;
	struct csv_parse p;
	long cur_line;
	size_t shift;
	int r;

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

int mlci_csv_read(struct mlci_csv *c)
{
	c->nfields = 0;
	if (c->fd < 0)
		return -MLCI_EXIT_BUG;
	hasher_settle(c, 1);
	if (read_simple(c))
		return 1;
	return read_careful(c);
}

/*
 * The offset of the closing quote of the field whose opening quote is at
 * buf[q], when the field needs no care: no quote doubled, no line end,
 * NUL or invalid UTF-8 inside, and the delimiter or a line end after the
 * closing quote, in the buffer. 0 for any other field.
 */
static size_t plain_quoted(const unsigned char *buf, size_t q, size_t end,
			   unsigned char delim)
{
	const unsigned char *p = buf + q + 1, *cq;

	cq = memchr(p, '"', end - q - 1);
	if (!cq || (size_t)(cq - buf) + 1 >= end ||
	    (cq[1] != delim && cq[1] != '\n' && cq[1] != '\r'))
		return 0;
	while (p < cq) {
		if (*p >= 0x80) {
			size_t k = utf8_len(p, (size_t)(cq - p));

			if (!k)
				return 0;
			p += k;
			continue;
		}
		if (*p == '\n' || *p == '\r' || !*p)
			return 0;
		p++;
	}
	return (size_t)(cq - buf);
}

/*
 * A word of the scanner's bits at a time: the delimiters before the first
 * other bit are the ends of fields, taken without a look at their bytes;
 * the other bit is a line end, a quoted field's opening quote, or a byte
 * to step over or give up on. Returns the rows read; *next_row is where
 * the row after them starts.
 */
static size_t block_scalar(struct mlci_csv *c, struct mlci_csv_block *b,
			   size_t *next_row)
{
	unsigned char *buf = (unsigned char *)c->buf;
	unsigned char delim = (unsigned char)c->delimiter;
	size_t end = c->end, nf = b->nfields, cap = b->cap, rows = 0;
	size_t f = c->pos, next = f, fs, q = 0, j;
	unsigned char *qp;
	uint32_t *sp, *lp;
	struct cursor cu;

	cursor_seek(c, &cu, f);
	while (rows < cap && f < end) {
		unsigned char ch = buf[f];
		int quoted = 0;

		if (ch == '\n' || ch == '\r')
			break;
		sp = b->start + rows;
		lp = b->len + rows;
		qp = b->quoted ? b->quoted + rows : NULL;
		fs = f;
		j = 0;
		for (;;) {
			uint64_t d = cu.m & c->scan_delims[cu.b];
			uint64_t o = cu.m & ~d, low = o & -o;
			size_t at = cu.at + 64 * cu.b;

			d &= low - 1;	/* all of them when o is 0 */
			for (; d; d &= d - 1) {
				if (++j == nf)
					goto done;	/* too many fields */
				q = at + (size_t)__builtin_ctzll(d);
				*sp = (uint32_t)fs;
				*lp = (uint32_t)(q - fs - (size_t)quoted);
				sp += cap;
				lp += cap;
				if (qp) {
					*qp = (unsigned char)quoted;
					qp += cap;
				}
				quoted = 0;
				fs = q + 1;
			}
			if (!o) {
				if (!cursor_step(c, &cu, end))
					goto done;
				continue;
			}
			/* Past the bit: low << 1 is 0 for bit 63, and all goes. */
			cu.m &= ~((low << 1) - 1);
			q = at + (size_t)__builtin_ctzll(o);
			ch = buf[q];
			if (ch == '\n' || ch == '\r') {
				if (j != nf - 1 || (ch == '\r' && q + 1 >= end))
					goto done;
				*sp = (uint32_t)fs;
				*lp = (uint32_t)(q - fs - (size_t)quoted);
				if (qp)
					*qp = (unsigned char)quoted;
				break;
			}
			if (ch == '"' && q == fs) {
				size_t cq = plain_quoted(buf, q, end, delim);

				if (!cq)
					goto done;
				/*
				 * The field is what the quotes hold: the byte
				 * after the closing quote ends it, one byte
				 * shorter than if unquoted.
				 */
				fs = q + 1;
				cursor_seek(c, &cu, cq);
				cu.m &= cu.m - 1;
				quoted = 1;
				continue;
			}
			if (ch < 0x80) {
				if (!ch)
					goto done;	/* the careful path says why */
				continue;	/* a quote inside, a control byte */
			}
			{
				size_t k = utf8_len(buf + q, end - q);

				if (!k || q + k >= end)
					goto done;
				cursor_seek(c, &cu, q + k);
			}
		}
		/* Accepted: step past the line end (and end the fields). */
		f = q + 1;
		if (buf[q] == '\r' && buf[f] == '\n')
			f++;
		if (f < end && f != q + 1)	/* past a CRLF's LF */
			cursor_seek(c, &cu, f);
		next = f;
		for (j = 0; b->nul && j < nf; j++)
			buf[b->start[j * cap + rows] + b->len[j * cap + rows]] = '\0';
		rows++;
	}
done:
	*next_row = next;
	return rows;
}

#ifdef HAVE_AVX512_BLOCK
/*
 * Sixteen rows of sixteen 32-bit numbers, one row a register, become
 * sixteen columns: pairs of rows interleaved by 32 then 64 bits within
 * each 128-bit lane, then the lanes shuffled twice.
 */
__attribute__((target("avx512f")))
static inline void transpose16(__m512i *m)
{
	__m512i t[16];
	size_t i;

	for (i = 0; i < 16; i += 4) {
		__m512i a = _mm512_unpacklo_epi32(m[i], m[i + 1]);
		__m512i b = _mm512_unpackhi_epi32(m[i], m[i + 1]);
		__m512i c = _mm512_unpacklo_epi32(m[i + 2], m[i + 3]);
		__m512i d = _mm512_unpackhi_epi32(m[i + 2], m[i + 3]);

		/* m[i + k]: lane L holds column 4L + k of rows i..i+3. */
		m[i] = _mm512_unpacklo_epi64(a, c);
		m[i + 1] = _mm512_unpackhi_epi64(a, c);
		m[i + 2] = _mm512_unpacklo_epi64(b, d);
		m[i + 3] = _mm512_unpackhi_epi64(b, d);
	}
	for (i = 0; i < 4; i++) {
		t[i] = _mm512_shuffle_i32x4(m[i], m[i + 4], 0x88);
		t[i + 4] = _mm512_shuffle_i32x4(m[i], m[i + 4], 0xdd);
		t[i + 8] = _mm512_shuffle_i32x4(m[i + 8], m[i + 12], 0x88);
		t[i + 12] = _mm512_shuffle_i32x4(m[i + 8], m[i + 12], 0xdd);
	}
	for (i = 0; i < 4; i++) {
		m[i] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0x88);
		m[i + 8] = _mm512_shuffle_i32x4(t[i], t[i + 8], 0xdd);
		m[i + 4] = _mm512_shuffle_i32x4(t[i + 4], t[i + 12], 0x88);
		m[i + 12] = _mm512_shuffle_i32x4(t[i + 4], t[i + 12], 0xdd);
	}
}

/*
 * Rows of unquoted fields and LF line ends, nf of them (2 to
 * BLOCK_VECTOR_FIELDS), in two steps. First each word of the scanner's
 * bits gives the offsets of all its delimiters before its first other
 * bit at once (vpcompressb of the bytes 0..63): the row's fields end
 * there, and the row at its LF, which must come after exactly nf - 1 of
 * them. Row r's ends go to ends[16 r ..]. Then sixteen rows at a time
 * are transposed into the block's columns: field j of a row starts after
 * the end of field j - 1, field 0 after the LF of the row before (or
 * the byte before the first row). Anything else (a quote, a CR, a byte
 * to look at) ends the rows here: block_scalar() reads them.
 */
#define BLOCK_VECTOR_FIELDS 16
#define AVX512_BLOCK "avx512f,avx512bw,avx512vbmi2,popcnt"

__attribute__((target(AVX512_BLOCK)))
static size_t block_avx512(struct mlci_csv *c, struct mlci_csv_block *b,
			   size_t *next_row)
{
	const unsigned char *buf = (const unsigned char *)c->buf;
	size_t end = c->end, nf = b->nfields, cap = b->cap, rows = 0;
	size_t k = 0, r, j;
	__m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54,
				       53, 52, 51, 50, 49, 48, 47, 46, 45, 44,
				       43, 42, 41, 40, 39, 38, 37, 36, 35, 34,
				       33, 32, 31, 30, 29, 28, 27, 26, 25, 24,
				       23, 22, 21, 20, 19, 18, 17, 16, 15, 14,
				       13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
				       2, 1, 0);
	__m512i last;
	uint32_t *e;
	struct cursor cu;

	/* Sixteen rows past cap: whole groups, and a compress's overrun. */
	if (c->ends_alloc < 16 * (cap + 17)) {
		free(c->ends);
		c->ends_alloc = 16 * (cap + 17);
		c->ends = xcalloc(c->ends_alloc, sizeof(*c->ends));
	}
	e = c->ends;
	cursor_seek(c, &cu, c->pos);
	while (rows < cap) {
		uint64_t d = cu.m & c->scan_delims[cu.b];
		uint64_t o = cu.m & ~d, low = o & -o;
		size_t at = cu.at + 64 * cu.b, q;

		d &= low - 1;	/* all of them when o is 0 */
		if (d) {
			size_t n = (size_t)_mm_popcnt_u64(d);
			__m128i pos;

			if (k + n > nf - 1)
				break;	/* too many fields */
			pos = _mm512_castsi512_si128(_mm512_maskz_compress_epi8(d, iota));
			_mm512_storeu_si512(e + 16 * rows + k, _mm512_add_epi32(
				_mm512_cvtepu8_epi32(pos), _mm512_set1_epi32((int)at)));
			k += n;
		}
		if (!o) {
			if (!cursor_step(c, &cu, end))
				break;
			continue;
		}
		q = at + (size_t)__builtin_ctzll(o);
		if (buf[q] != '\n' || k != nf - 1)
			break;
		e[16 * rows++ + k] = (uint32_t)q;
		k = 0;
		/* Past the bit: low << 1 is 0 for bit 63, and all goes. */
		cu.m &= ~((low << 1) - 1);
	}
	if (!rows)
		return 0;
	/* Lane 15: the byte before the first row (wraps at 0: starts at 0). */
	last = _mm512_set1_epi32((int)(uint32_t)(c->pos - 1));
	for (r = 0; r < rows; r += 16) {
		__mmask16 live = rows - r >= 16 ? 0xffff
				 : (__mmask16)((1u << (rows - r)) - 1);
		__m512i m[16], prev;

		for (j = 0; j < 16; j++)
			m[j] = _mm512_loadu_si512(e + 16 * (r + j));
		transpose16(m);
		/* Each row's first field starts after the LF before it. */
		prev = _mm512_alignr_epi32(m[nf - 1], last, 15);
		for (j = 0; j < nf; j++) {
			__m512i from = _mm512_add_epi32(prev, _mm512_set1_epi32(1));

			_mm512_mask_storeu_epi32(b->start + j * cap + r, live, from);
			_mm512_mask_storeu_epi32(b->len + j * cap + r, live,
						 _mm512_sub_epi32(m[j], from));
			prev = m[j];
		}
		last = m[nf - 1];
	}
	if (b->quoted)
		for (j = 0; j < nf; j++)
			memset(b->quoted + j * cap, 0, rows);
	if (b->nul)
		for (r = 0; r < rows; r++)
			for (j = 0; j < nf; j++)
				c->buf[e[16 * r + j]] = '\0';
	*next_row = (size_t)e[16 * (rows - 1) + nf - 1] + 1;
	return rows;
}

static int have_avx512_block(void)
{
	return __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vbmi2") &&
	       __builtin_cpu_supports("popcnt");
}
#endif

static int block_vector = -1;	/* -1: the CPU decides */

int mlci_csv_set_block_reader(const char *name)
{
	if (!name) {
		block_vector = -1;
		return 0;
	}
	if (!strcmp(name, "scalar")) {
		block_vector = 0;
		return 0;
	}
#ifdef HAVE_AVX512_BLOCK
	if (!strcmp(name, "avx512") && have_avx512_block()) {
		block_vector = 1;
		return 0;
	}
#endif
	return -1;
}

size_t mlci_csv_read_block(struct mlci_csv *c, struct mlci_csv_block *b)
{
	size_t rows = 0, next = c->pos;

	b->nrows = 0;
	b->line = c->next_line;
	/* Offsets fit in 32 bits; a larger buffer reads row by row. */
	if (c->fd < 0 || c->pending_lf || c->pos >= c->end ||
	    c->end > UINT32_MAX || !b->nfields)
		return 0;
	if (b->nul)
		hasher_settle(c, 1);
#ifdef HAVE_AVX512_BLOCK
	if (block_vector < 0)
		block_vector = have_avx512_block();
	if (block_vector && b->nfields >= 2 &&
	    b->nfields <= BLOCK_VECTOR_FIELDS)
		rows = block_avx512(c, b, &next);
#endif
	if (!rows)
		rows = block_scalar(c, b, &next);
	if (rows) {
		c->pos = next;
		c->nfields = 0;
		c->line = c->next_line + (long)rows - 1;
		c->next_line += (long)rows;
		c->records += rows;
	}
	b->nrows = rows;
	return rows;
}

int mlci_csv_sha256(struct mlci_csv *c, char hex[65])
{
	int err;

	if (!c->sha)
		return -MLCI_EXIT_BUG;
	if (c->hasher && c->hasher->fd < 0 && !c->eof) {
		/* Reading stopped early: the rest of the file, to the thread. */
		hasher_settle(c, 0);
		for (;;) {
			ssize_t n = read(c->fd, c->buf, c->alloc - 1);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				err = errno;
				hasher_join(c, 1);
				errno = err;
				return mlci_error_errno(MLCI_EXIT_SYSTEM,
							"cannot read '%s'", c->path);
			}
			if (n == 0)
				break;
			hasher_feed(c->hasher, c->buf, (size_t)n, 1);
			c->pos = c->end = 0;
			c->scan_n = 0;
		}
		c->eof = 1;
	}
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
		c->scan_n = 0;
	}
	mlci_sha256_final_hex(c->sha, hex);
	mlci_sha256_free(c->sha);
	c->sha = NULL;
	return 0;
}

const double mlci_pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* Any decimal: what mlci_csv_parse_plain() leaves. */
static int parse_general(const char *s, size_t len, double *out,
			 int *integral)
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
		d = exp10 < 0 ? d / mlci_pow10_exact[-exp10] : d * mlci_pow10_exact[exp10];
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
		char tmp[512], *z = len < sizeof(tmp) ? tmp : xmalloc(len + 1);
		int whole;

		memcpy(z, s, len);
		z[len] = '\0';
		d = strtod(z, &end);
		whole = end == z + len;
		if (z != tmp)
			free(z);
		if (!whole)
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

int mlci_csv_parse_number(const char *s, size_t len, double *out, int *integral)
{
	if (mlci_csv_parse_plain(s, len, out, integral))
		return 0;
	return parse_general(s, len, out, integral);
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
