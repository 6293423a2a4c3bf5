/* SPDX-License-Identifier: MIT */
/* A strict zip reader: every structure bounds-checked against the mapped archive, content inflated with zlib. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "usage.h"
#include "wrapper.h"
#include "zip.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define SIG_DESCRIPTOR 0x08074b50u

#define EOCD_LEN 22
#define CENTRAL_LEN 46
#define LOCAL_LEN 30
#define INFLATE_CHUNK (256 * 1024)

/* A zip has at most this many entries (bounded memory for a hostile one). */
#define MAX_ENTRIES 1000000

static uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int fail(struct mlci_zip *z, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct mlci_zip *z, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(z->err, sizeof(z->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* 1 when [off, off + len) lies inside the archive. */
static int in_bounds(const struct mlci_zip *z, uint64_t off, uint64_t len)
{
	return off <= z->size && len <= z->size - off;
}

const char *mlci_zip_problem_text(enum mlci_zip_problem p)
{
	switch (p) {
	case MLCI_ZIP_OK: return "no problem";
	case MLCI_ZIP_ABSOLUTE: return "absolute path";
	case MLCI_ZIP_DOTDOT: return "'..' path component";
	case MLCI_ZIP_BACKSLASH: return "backslash in path";
	case MLCI_ZIP_DRIVE: return "drive letter in path";
	case MLCI_ZIP_BAD_NAME: return "invalid entry name";
	case MLCI_ZIP_SYMLINK: return "symbolic link";
	case MLCI_ZIP_DUPLICATE: return "duplicate entry name";
	case MLCI_ZIP_MISMATCH: return "local header disagrees with the central directory";
	case MLCI_ZIP_TOTAL: return "uncompressed size above the limit";
	case MLCI_ZIP_RATIO: return "compression ratio above the limit";
	case MLCI_ZIP_ENCRYPTED: return "encrypted entry";
	case MLCI_ZIP_METHOD: return "unsupported compression method";
	case MLCI_ZIP_CRC: return "CRC-32 mismatch";
	case MLCI_ZIP_CORRUPT: return "corrupt compressed data";
	}
	return "unknown problem";
}

static void report(mlci_zip_report cb, void *ctx, enum mlci_zip_problem p,
		   struct mlci_zip_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(mlci_zip_report cb, void *ctx, enum mlci_zip_problem p,
		   struct mlci_zip_entry *e, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	if (e && p != MLCI_ZIP_DUPLICATE && p != MLCI_ZIP_RATIO)
		e->unreadable = 1;
	if (!cb)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	cb(ctx, p, e, detail);
}

/* Find the end of central directory record: its comment must end the file. */
static int find_eocd(struct mlci_zip *z, size_t *pos)
{
	size_t i, lo;

	if (z->size < EOCD_LEN)
		return fail(z, "file too short for a zip archive (%zu bytes)", z->size);
	lo = z->size > EOCD_LEN + 65535 ? z->size - EOCD_LEN - 65535 : 0;
	for (i = z->size - EOCD_LEN + 1; i-- > lo;) {
		const unsigned char *p = z->data + i;

		if (rd32(p) == SIG_EOCD && i + EOCD_LEN + rd16(p + 20) == z->size) {
			*pos = i;
			return 0;
		}
	}
	return fail(z, "no end of central directory record (truncated, or not a zip archive)");
}

/* Replace saturated central-directory fields from the zip64 extra field. */
static int apply_zip64_extra(const unsigned char *extra, size_t elen,
			     uint64_t *usize, uint64_t *csize, uint64_t *offset)
{
	while (elen >= 4) {
		uint16_t id = rd16(extra), n = rd16(extra + 2);
		const unsigned char *p = extra + 4, *end;

		if ((size_t)n + 4 > elen)
			return -1;
		end = p + n;
		if (id == 1) {
			if (usize && *usize == 0xffffffffu) {
				if (p + 8 > end)
					return -1;
				*usize = rd64(p);
				p += 8;
			}
			if (csize && *csize == 0xffffffffu) {
				if (p + 8 > end)
					return -1;
				*csize = rd64(p);
				p += 8;
			}
			if (offset && *offset == 0xffffffffu) {
				if (p + 8 > end)
					return -1;
				*offset = rd64(p);
			}
			return 0;
		}
		extra += 4 + n;
		elen -= 4 + (size_t)n;
	}
	if ((usize && *usize == 0xffffffffu) || (csize && *csize == 0xffffffffu) ||
	    (offset && *offset == 0xffffffffu))
		return -1;
	return 0;
}

static void check_name(struct mlci_zip_entry *e, mlci_zip_report cb, void *ctx)
{
	const char *n = e->name, *c;
	size_t i, len = e->name_len;

	if (!len || memchr(n, '\0', len)) {
		report(cb, ctx, MLCI_ZIP_BAD_NAME, e, "empty name or NUL byte");
		return;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)n[i] < 0x20 || n[i] == 0x7f) {
			report(cb, ctx, MLCI_ZIP_BAD_NAME, e, "control character in the name");
			return;
		}
	}
	if (n[0] == '/')
		report(cb, ctx, MLCI_ZIP_ABSOLUTE, e, "%s", n);
	if (strchr(n, '\\'))
		report(cb, ctx, MLCI_ZIP_BACKSLASH, e, "%s", n);
	if (len >= 2 && n[1] == ':' &&
	    ((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z')))
		report(cb, ctx, MLCI_ZIP_DRIVE, e, "%s", n);
	/* Components, split on both separators: "a\..\b" is a traversal too. */
	for (c = n; *c;) {
		size_t k = strcspn(c, "/\\");

		if (k == 2 && c[0] == '.' && c[1] == '.') {
			report(cb, ctx, MLCI_ZIP_DOTDOT, e, "%s", n);
			break;
		}
		if ((k == 1 && c[0] == '.') || (k == 0 && c != n)) {
			report(cb, ctx, MLCI_ZIP_BAD_NAME, e, "'.' or empty component in '%s'", n);
			break;
		}
		if (!c[k])
			break;
		c += k + 1;
	}
}

static int cmp_names(const void *a, const void *b)
{
	const struct mlci_zip_entry *x = *(const struct mlci_zip_entry *const *)a;
	const struct mlci_zip_entry *y = *(const struct mlci_zip_entry *const *)b;

	return strcmp(x->name, y->name);
}

static int cmp_offsets(const void *a, const void *b)
{
	const struct mlci_zip_entry *x = *(const struct mlci_zip_entry *const *)a;
	const struct mlci_zip_entry *y = *(const struct mlci_zip_entry *const *)b;

	return x->local_offset < y->local_offset ? -1 :
	       x->local_offset > y->local_offset;
}

/*
 * Check the local header of e against its central-directory entry, find
 * where the data starts, and return where the entry ends (data and any
 * data descriptor), or 0 after reporting a mismatch.
 */
static uint64_t check_local(struct mlci_zip *z, struct mlci_zip_entry *e,
			    mlci_zip_report cb, void *ctx)
{
	const unsigned char *p;
	uint64_t lcsize, lusize, end;
	uint16_t nlen, elen, lflags;
	uint32_t lcrc;

	if (!in_bounds(z, e->local_offset, LOCAL_LEN) ||
	    e->local_offset + LOCAL_LEN > z->cd_offset ||
	    rd32(z->data + e->local_offset) != SIG_LOCAL) {
		report(cb, ctx, MLCI_ZIP_MISMATCH, e, "no local header at offset %llu",
		       (unsigned long long)e->local_offset);
		return 0;
	}
	p = z->data + e->local_offset;
	lflags = rd16(p + 6);
	lcrc = rd32(p + 14);
	lcsize = rd32(p + 18);
	lusize = rd32(p + 22);
	nlen = rd16(p + 26);
	elen = rd16(p + 28);
	if (e->local_offset + LOCAL_LEN + nlen + elen > z->cd_offset) {
		report(cb, ctx, MLCI_ZIP_MISMATCH, e, "local header runs into the central directory");
		return 0;
	}
	if (nlen != e->name_len || memcmp(p + LOCAL_LEN, e->name, nlen)) {
		report(cb, ctx, MLCI_ZIP_MISMATCH, e, "local header names '%.*s'",
		       (int)(nlen > 200 ? 200 : nlen), (const char *)p + LOCAL_LEN);
		return 0;
	}
	if (rd16(p + 8) != e->method || (lflags & 0x0809) != (e->flags & 0x0809)) {
		report(cb, ctx, MLCI_ZIP_MISMATCH, e, "method or flags differ");
		return 0;
	}
	if (apply_zip64_extra(p + LOCAL_LEN + nlen, elen, &lusize, &lcsize, NULL)) {
		report(cb, ctx, MLCI_ZIP_MISMATCH, e, "malformed zip64 extra field in the local header");
		return 0;
	}
	e->data_offset = e->local_offset + LOCAL_LEN + nlen + elen;
	if (e->csize > z->cd_offset - e->data_offset) {
		report(cb, ctx, MLCI_ZIP_MISMATCH, e, "data runs past the start of the central directory");
		return 0;
	}
	end = e->data_offset + e->csize;
	if (!(e->flags & 8)) {
		if (lcrc != e->crc32 || lcsize != e->csize || lusize != e->usize) {
			report(cb, ctx, MLCI_ZIP_MISMATCH, e, "CRC or sizes differ");
			return 0;
		}
		return end;
	}
	/* A data descriptor: optional signature, CRC, then 4- or 8-byte sizes. */
	{
		const unsigned char *d = z->data + end;
		uint64_t avail = z->cd_offset - end;
		size_t off = 0;

		if (avail >= 4 && rd32(d) == SIG_DESCRIPTOR)
			off = 4;
		if (avail >= off + 12 && rd32(d + off) == e->crc32 &&
		    rd32(d + off + 4) == e->csize && rd32(d + off + 8) == e->usize)
			return end + off + 12;
		if (avail >= off + 20 && rd32(d + off) == e->crc32 &&
		    rd64(d + off + 4) == e->csize && rd64(d + off + 12) == e->usize)
			return end + off + 20;
		report(cb, ctx, MLCI_ZIP_MISMATCH, e, "data descriptor disagrees");
		return 0;
	}
}

static int read_central(struct mlci_zip *z, uint64_t nentries,
			const struct mlci_zip_limits *lim, mlci_zip_report cb,
			void *ctx)
{
	const unsigned char *p = z->data + z->cd_offset;
	const unsigned char *end = p + z->cd_size;
	struct mlci_zip_entry **sorted;
	uint64_t *ends;
	size_t i;

	if (nentries > MAX_ENTRIES || nentries > z->cd_size / CENTRAL_LEN)
		return fail(z, "central directory claims %llu entries in %llu bytes",
			    (unsigned long long)nentries,
			    (unsigned long long)z->cd_size);
	z->entries = xcalloc(nentries ? nentries : 1, sizeof(*z->entries));
	z->alloc = nentries;
	for (i = 0; i < nentries; i++) {
		struct mlci_zip_entry *e = &z->entries[i];
		uint16_t nlen, elen, clen;

		if ((size_t)(end - p) < CENTRAL_LEN || rd32(p) != SIG_CENTRAL)
			return fail(z, "central directory entry %zu is malformed", i + 1);
		nlen = rd16(p + 28);
		elen = rd16(p + 30);
		clen = rd16(p + 32);
		if ((size_t)(end - p) < (size_t)CENTRAL_LEN + nlen + elen + clen)
			return fail(z, "central directory entry %zu runs past the directory", i + 1);
		if (rd16(p + 34) != 0 && rd16(p + 34) != 0xffff)
			return fail(z, "multi-disk archives are not supported");
		e->version_made_by = rd16(p + 4);
		e->flags = rd16(p + 8);
		e->method = rd16(p + 10);
		e->crc32 = rd32(p + 16);
		e->csize = rd32(p + 20);
		e->usize = rd32(p + 24);
		e->external_attr = rd32(p + 38);
		e->local_offset = rd32(p + 42);
		/* All nlen bytes, NULs included, so a NUL inside is seen. */
		e->name = xmalloc((size_t)nlen + 1);
		memcpy(e->name, p + CENTRAL_LEN, nlen);
		e->name[nlen] = '\0';
		e->name_len = nlen;
		z->nr++;
		if (apply_zip64_extra(p + CENTRAL_LEN + nlen, elen, &e->usize,
				      &e->csize, &e->local_offset))
			return fail(z, "entry '%s' has a malformed zip64 extra field", e->name);
		e->is_dir = nlen && e->name[nlen - 1] == '/';
		p += CENTRAL_LEN + nlen + elen + clen;
	}
	if (p != end)
		return fail(z, "central directory has %zu bytes after its last entry",
			    (size_t)(end - p));

	for (i = 0; i < z->nr; i++) {
		struct mlci_zip_entry *e = &z->entries[i];
		unsigned mode = e->external_attr >> 16;

		check_name(e, cb, ctx);
		if ((e->version_made_by >> 8) == 3 && (mode & 0170000) == 0120000)
			report(cb, ctx, MLCI_ZIP_SYMLINK, e, "%s", e->name);
		if (e->flags & 1)
			report(cb, ctx, MLCI_ZIP_ENCRYPTED, e, "%s", e->name);
		else if (e->method != 0 && e->method != 8)
			report(cb, ctx, MLCI_ZIP_METHOD, e, "method %u", e->method);
		else if (e->method == 0 && e->csize != e->usize)
			report(cb, ctx, MLCI_ZIP_MISMATCH, e,
			       "stored entry with different sizes");
		z->total_usize += e->usize;
		z->total_csize += e->csize;
		if (lim->max_ratio > 0 && e->usize > lim->ratio_floor &&
		    (double)e->usize > lim->max_ratio * (double)(e->csize ? e->csize : 1))
			report(cb, ctx, MLCI_ZIP_RATIO, e, "%llu bytes from %llu",
			       (unsigned long long)e->usize,
			       (unsigned long long)e->csize);
	}

	/* Duplicates: sort pointers by name, compare neighbours. */
	sorted = xmalloc((z->nr ? z->nr : 1) * sizeof(*sorted));
	for (i = 0; i < z->nr; i++)
		sorted[i] = &z->entries[i];
	qsort(sorted, z->nr, sizeof(*sorted), cmp_names);
	for (i = 1; i < z->nr; i++)
		if (!strcmp(sorted[i]->name, sorted[i - 1]->name))
			report(cb, ctx, MLCI_ZIP_DUPLICATE, sorted[i], "%s",
			       sorted[i]->name);

	/*
	 * Local headers, in file order: each entry must end before the next
	 * begins, or one compressed stream serves many entries (an
	 * overlapping zip bomb).
	 */
	qsort(sorted, z->nr, sizeof(*sorted), cmp_offsets);
	ends = xcalloc(z->nr ? z->nr : 1, sizeof(*ends));
	for (i = 0; i < z->nr; i++)
		ends[i] = check_local(z, sorted[i], cb, ctx);
	for (i = 0; i + 1 < z->nr; i++) {
		if (ends[i] && ends[i] > sorted[i + 1]->local_offset)
			report(cb, ctx, MLCI_ZIP_MISMATCH, sorted[i + 1],
			       "overlaps the data of '%s'", sorted[i]->name);
	}
	free(ends);
	free(sorted);

	if (lim->max_total && z->total_usize > lim->max_total)
		report(cb, ctx, MLCI_ZIP_TOTAL, NULL, "%llu bytes uncompressed, limit %llu",
		       (unsigned long long)z->total_usize,
		       (unsigned long long)lim->max_total);
	if (lim->max_ratio > 0 && z->total_usize > lim->ratio_floor &&
	    (double)z->total_usize > lim->max_ratio * (double)(z->total_csize ? z->total_csize : 1))
		report(cb, ctx, MLCI_ZIP_RATIO, NULL, "%llu bytes from %llu in all",
		       (unsigned long long)z->total_usize,
		       (unsigned long long)z->total_csize);
	return 0;
}

int mlci_zip_open_mem(struct mlci_zip *z, const void *buf, size_t len,
		      const struct mlci_zip_limits *lim, mlci_zip_report cb,
		      void *ctx)
{
	struct mlci_zip_limits deflim = MLCI_ZIP_LIMITS_INIT;
	const unsigned char *p;
	uint64_t nentries, cd_end;
	size_t eocd = 0;

	memset(z, 0, sizeof(*z));
	z->data = buf;
	z->size = len;
	if (!lim)
		lim = &deflim;
	if (find_eocd(z, &eocd))
		return -1;
	p = z->data + eocd;
	if (rd16(p + 4) || rd16(p + 6))
		if (rd16(p + 4) != 0xffff || rd16(p + 6) != 0xffff)
			return fail(z, "multi-disk archives are not supported");
	if (rd16(p + 8) != rd16(p + 10))
		return fail(z, "multi-disk archives are not supported");
	nentries = rd16(p + 10);
	z->cd_size = rd32(p + 12);
	z->cd_offset = rd32(p + 16);
	cd_end = eocd;
	if (eocd >= 20 && rd32(p - 20) == SIG_LOC64) {
		uint64_t off = rd64(p - 20 + 8);
		const unsigned char *q;

		if (!in_bounds(z, off, 56) || off + 56 > eocd - 20 ||
		    rd32(z->data + off) != SIG_EOCD64)
			return fail(z, "zip64 end record missing or out of place");
		q = z->data + off;
		if (rd32(q + 16) || rd32(q + 20) || rd64(q + 24) != rd64(q + 32))
			return fail(z, "multi-disk archives are not supported");
		nentries = rd64(q + 32);
		z->cd_size = rd64(q + 40);
		z->cd_offset = rd64(q + 48);
		cd_end = off;
	} else if (nentries == 0xffff || z->cd_size == 0xffffffffu ||
		   z->cd_offset == 0xffffffffu) {
		return fail(z, "zip64 end record missing");
	}
	if (!in_bounds(z, z->cd_offset, z->cd_size) ||
	    z->cd_offset + z->cd_size != cd_end)
		return fail(z, "central directory (offset %llu, %llu bytes) does not end at the end record (offset %llu): truncated or padded archive",
			    (unsigned long long)z->cd_offset,
			    (unsigned long long)z->cd_size,
			    (unsigned long long)cd_end);
	if (read_central(z, nentries, lim, cb, ctx)) {
		char err[sizeof(z->err)];

		memcpy(err, z->err, sizeof(err));
		mlci_zip_release(z);
		memcpy(z->err, err, sizeof(err));
		return -1;
	}
	return 0;
}

int mlci_zip_open_file(struct mlci_zip *z, const char *path,
		       const struct mlci_zip_limits *lim, mlci_zip_report cb,
		       void *ctx)
{
	struct stat st;
	void *map = NULL;
	int fd, ret;

	memset(z, 0, sizeof(*z));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mlci_error_errno(MLCI_EXIT_INPUT, "cannot open '%s'", path);
	if (fstat(fd, &st)) {
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot stat '%s'", path);
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return mlci_error(MLCI_EXIT_INPUT, "not a regular file '%s'", path);
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot map '%s'", path);
			close(fd);
			return ret;
		}
		madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	close(fd);
	ret = mlci_zip_open_mem(z, map ? map : "", map ? (size_t)st.st_size : 0,
				lim, cb, ctx);
	/* Keep the mapping even on failure: release unmaps it. */
	z->data = map;
	z->size = map ? (size_t)st.st_size : 0;
	z->mapped = map != NULL;
	return ret;
}

void mlci_zip_release(struct mlci_zip *z)
{
	size_t i;

	for (i = 0; i < z->nr; i++)
		free(z->entries[i].name);
	free(z->entries);
	if (z->mapped)
		munmap((void *)z->data, z->size);
	memset(z, 0, sizeof(*z));
}

const struct mlci_zip_entry *mlci_zip_find(const struct mlci_zip *z,
					   const char *name)
{
	size_t i;

	for (i = 0; i < z->nr; i++)
		if (!strcmp(z->entries[i].name, name))
			return &z->entries[i];
	return NULL;
}

/* zlib's crc32 takes a uInt length: feed large buffers in slices. */
static uLong crc_update(uLong crc, const unsigned char *p, size_t n)
{
	while (n) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;

		crc = crc32(crc, p, k);
		p += k;
		n -= k;
	}
	return crc;
}

static int read_stored(const struct mlci_zip *z, const struct mlci_zip_entry *e,
		       mlci_zip_sink sink, void *ctx, uLong *crc)
{
	const unsigned char *p = z->data + e->data_offset;
	uint64_t left = e->usize;

	/* Slices keep the CRC and the hash warm in cache together. */
	while (left) {
		size_t k = left > INFLATE_CHUNK ? INFLATE_CHUNK : (size_t)left;
		int r;

		*crc = crc_update(*crc, p, k);
		r = sink(ctx, p, k);
		if (r < 0)
			return r;
		p += k;
		left -= k;
	}
	return 0;
}

static int read_deflated(const struct mlci_zip *z,
			 const struct mlci_zip_entry *e, mlci_zip_sink sink,
			 void *ctx, uLong *crc, enum mlci_zip_problem *problem)
{
	unsigned char *out = xmalloc(INFLATE_CHUNK);
	const unsigned char *in = z->data + e->data_offset;
	uint64_t in_left = e->csize, produced = 0;
	z_stream s;
	int zr = Z_OK, ret = 0;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
		mlci_die("cannot initialise zlib");
	while (zr != Z_STREAM_END) {
		size_t got;

		if (!s.avail_in) {
			uInt k = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;

			s.next_in = (Bytef *)(uintptr_t)in;
			s.avail_in = k;
			in += k;
			in_left -= k;
		}
		s.next_out = out;
		s.avail_out = INFLATE_CHUNK;
		zr = inflate(&s, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			*problem = MLCI_ZIP_CORRUPT;
			ret = -1;
			break;
		}
		got = INFLATE_CHUNK - s.avail_out;
		if (produced + got > e->usize) {
			*problem = MLCI_ZIP_CORRUPT;
			ret = -1;
			break;
		}
		produced += got;
		if (got) {
			int r;

			*crc = crc_update(*crc, out, got);
			r = sink(ctx, out, got);
			if (r < 0) {
				ret = r;
				break;
			}
		}
		if (zr == Z_OK && !got && !s.avail_in && !in_left) {
			*problem = MLCI_ZIP_CORRUPT;	/* input ends mid-stream */
			ret = -1;
			break;
		}
	}
	if (!ret && (produced != e->usize || s.avail_in || in_left)) {
		*problem = MLCI_ZIP_CORRUPT;
		ret = -1;
	}
	inflateEnd(&s);
	free(out);
	return ret;
}

int mlci_zip_read(const struct mlci_zip *z, const struct mlci_zip_entry *e,
		  mlci_zip_sink sink, void *ctx, enum mlci_zip_problem *problem)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	int ret;

	*problem = MLCI_ZIP_OK;
	if (e->flags & 1) {
		*problem = MLCI_ZIP_ENCRYPTED;
		return -1;
	}
	if (e->method != 0 && e->method != 8) {
		*problem = MLCI_ZIP_METHOD;
		return -1;
	}
	if (e->unreadable || !e->data_offset ||
	    !in_bounds(z, e->data_offset, e->csize) ||
	    (e->method == 0 && e->csize != e->usize)) {
		*problem = MLCI_ZIP_MISMATCH;
		return -1;
	}
	if (e->method == 0)
		ret = read_stored(z, e, sink, ctx, &crc);
	else
		ret = read_deflated(z, e, sink, ctx, &crc, problem);
	if (ret)
		return ret;
	if (crc != e->crc32) {
		*problem = MLCI_ZIP_CRC;
		return -1;
	}
	return 0;
}

static int sink_strbuf(void *ctx, const void *data, size_t len)
{
	strbuf_add(ctx, data, len);
	return 0;
}

int mlci_zip_read_buf(const struct mlci_zip *z, const struct mlci_zip_entry *e,
		      size_t max, struct strbuf *out,
		      enum mlci_zip_problem *problem)
{
	if (e->usize > max) {
		*problem = MLCI_ZIP_TOTAL;
		return -1;
	}
	strbuf_grow(out, (size_t)e->usize);
	return mlci_zip_read(z, e, sink_strbuf, out, problem);
}
