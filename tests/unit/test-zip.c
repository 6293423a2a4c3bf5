/* SPDX-License-Identifier: MIT */
/* Unit tests of the zip reader on archives built in memory: stored, deflated, hostile. */
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "unit.h"
#include "zip.h"

struct member {
	const char *name;
	const char *data;
	int deflate;
	unsigned mode;		/* Unix mode, 0: none */
};

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* Build an archive of n members into buf; returns its size. */
static size_t build(unsigned char *buf, const struct member *m, size_t n)
{
	size_t off = 0, cd, i, offs[16], csz[16];
	unsigned char comp[4096];

	for (i = 0; i < n; i++) {
		size_t len = strlen(m[i].data), nl = strlen(m[i].name), cl = len;
		const unsigned char *d = (const unsigned char *)m[i].data;
		uint32_t crc = (uint32_t)crc32(0, d, (uInt)len);

		if (m[i].deflate) {
			z_stream s;

			memset(&s, 0, sizeof(s));
			deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
			s.next_in = (Bytef *)(uintptr_t)d;
			s.avail_in = (uInt)len;
			s.next_out = comp;
			s.avail_out = sizeof(comp);
			deflate(&s, Z_FINISH);
			cl = sizeof(comp) - s.avail_out;
			deflateEnd(&s);
			d = comp;
		}
		offs[i] = off;
		csz[i] = cl;
		memset(buf + off, 0, 30);
		put32(buf + off, 0x04034b50);
		put16(buf + off + 4, 20);
		put16(buf + off + 8, m[i].deflate ? 8 : 0);
		put32(buf + off + 14, crc);
		put32(buf + off + 18, (uint32_t)cl);
		put32(buf + off + 22, (uint32_t)len);
		put16(buf + off + 26, (unsigned)nl);
		memcpy(buf + off + 30, m[i].name, nl);
		memcpy(buf + off + 30 + nl, d, cl);
		off += 30 + nl + cl;
	}
	cd = off;
	for (i = 0; i < n; i++) {
		size_t len = strlen(m[i].data), nl = strlen(m[i].name);

		memset(buf + off, 0, 46);
		put32(buf + off, 0x02014b50);
		put16(buf + off + 4, 3 << 8 | 20);
		put16(buf + off + 6, 20);
		put16(buf + off + 10, m[i].deflate ? 8 : 0);
		put32(buf + off + 16, (uint32_t)crc32(0, (const Bytef *)m[i].data, (uInt)len));
		put32(buf + off + 20, (uint32_t)csz[i]);
		put32(buf + off + 24, (uint32_t)len);
		put16(buf + off + 28, (unsigned)nl);
		put32(buf + off + 38, (uint32_t)m[i].mode << 16);
		put32(buf + off + 42, (uint32_t)offs[i]);
		memcpy(buf + off + 46, m[i].name, nl);
		off += 46 + nl;
	}
	memset(buf + off, 0, 22);
	put32(buf + off, 0x06054b50);
	put16(buf + off + 8, (unsigned)n);
	put16(buf + off + 10, (unsigned)n);
	put32(buf + off + 12, (uint32_t)(off - cd));
	put32(buf + off + 16, (uint32_t)cd);
	return off + 22;
}

static int seen[32];

static void on_problem(void *ctx, enum mlci_zip_problem p,
		       const struct mlci_zip_entry *e, const char *detail)
{
	(void)ctx;
	(void)e;
	(void)detail;
	seen[p]++;
}

static void test_good(void)
{
	static const struct member m[] = {
		{ "pkg/__init__.py", "", 0, 0100644 },
		{ "pkg/mod.py", "print('hello, hello, hello, hello')\n", 1, 0100644 },
		{ "pkg-1.0.dist-info/RECORD", "pkg/mod.py,,\n", 0, 0 },
	};
	static unsigned char buf[8192];
	struct strbuf sb = STRBUF_INIT;
	enum mlci_zip_problem p;
	struct mlci_zip z;
	size_t n = build(buf, m, 3);

	memset(seen, 0, sizeof(seen));
	CHECK_INT(mlci_zip_open_mem(&z, buf, n, NULL, on_problem, NULL), 0, "a good archive opens");
	CHECK_INT(z.nr, 3, "three entries");
	CHECK_INT(seen[MLCI_ZIP_MISMATCH] + seen[MLCI_ZIP_DUPLICATE], 0, "no problem reported");
	CHECK(mlci_zip_find(&z, "pkg/mod.py") != NULL, "find by name");
	CHECK_INT(mlci_zip_read_buf(&z, mlci_zip_find(&z, "pkg/mod.py"), 1024, &sb, &p), 0,
		  "a deflated entry reads");
	CHECK_STR(sb.buf, "print('hello, hello, hello, hello')\n", "inflated content");
	strbuf_reset(&sb);
	CHECK_INT(mlci_zip_read_buf(&z, mlci_zip_find(&z, "pkg/mod.py"), 4, &sb, &p), -1,
		  "read_buf refuses an entry over its cap");
	CHECK_INT(p, MLCI_ZIP_TOTAL, "... as TOTAL");
	mlci_zip_release(&z);

	/* Flip a byte of the stored RECORD content: the CRC must catch it. */
	((unsigned char *)memmem(buf, n, "pkg/mod.py,,", 12))[3] ^= 1;
	strbuf_reset(&sb);
	mlci_zip_open_mem(&z, buf, n, NULL, NULL, NULL);
	CHECK_INT(mlci_zip_read_buf(&z, mlci_zip_find(&z, "pkg-1.0.dist-info/RECORD"), 1024, &sb, &p),
		  -1, "a changed stored byte fails");
	CHECK_INT(p, MLCI_ZIP_CRC, "... its CRC");
	mlci_zip_release(&z);
	strbuf_release(&sb);
}

static void test_names(void)
{
	static const struct {
		const char *name;
		enum mlci_zip_problem want;
		unsigned mode;
	} cases[] = {
		{ "/etc/passwd", MLCI_ZIP_ABSOLUTE, 0 },
		{ "a/../../b", MLCI_ZIP_DOTDOT, 0 },
		{ "a\\..\\b", MLCI_ZIP_BACKSLASH, 0 },
		{ "C:/x", MLCI_ZIP_DRIVE, 0 },
		{ "a//b", MLCI_ZIP_BAD_NAME, 0 },
		{ "./a", MLCI_ZIP_BAD_NAME, 0 },
		{ "a\tb", MLCI_ZIP_BAD_NAME, 0 },
		{ "link", MLCI_ZIP_SYMLINK, 0120777 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct member m = { cases[i].name, "x", 0, cases[i].mode };
		static unsigned char buf[4096];
		size_t n = build(buf, &m, 1);
		struct mlci_zip z;
		char name[80];

		memset(seen, 0, sizeof(seen));
		snprintf(name, sizeof(name), "name '%s' reported", cases[i].name);
		CHECK(mlci_zip_open_mem(&z, buf, n, NULL, on_problem, NULL) == 0 &&
		      seen[cases[i].want] == 1, name);
		mlci_zip_release(&z);
	}
}

static void test_hostile(void)
{
	static const struct member dup[] = {
		{ "a.py", "1", 0, 0 }, { "a.py", "2", 0, 0 },
	};
	static unsigned char buf[8192];
	struct mlci_zip z;
	size_t n = build(buf, dup, 2), k;

	memset(seen, 0, sizeof(seen));
	mlci_zip_open_mem(&z, buf, n, NULL, on_problem, NULL);
	CHECK_INT(seen[MLCI_ZIP_DUPLICATE], 1, "a duplicate name is reported once");
	mlci_zip_release(&z);

	for (k = 0; k < n; k += 7) {
		int r = mlci_zip_open_mem(&z, buf, k, NULL, NULL, NULL);

		mlci_zip_release(&z);
		if (r != -1) {
			CHECK(0, "every truncation is refused");
			return;
		}
	}
	CHECK(1, "every truncation is refused");
	CHECK_INT(mlci_zip_open_mem(&z, "", 0, NULL, NULL, NULL), -1, "an empty file is not a zip");
	CHECK(strstr(z.err, "too short") != NULL, "... saying it is too short");
	mlci_zip_release(&z);

	{
		/* A bomb by ratio: 2 MiB of zeros deflate to about 2 KiB. */
		char *zeros = calloc(2u << 20, 1), *big = malloc((2u << 20) + 1);
		struct member m = { "zeros.bin", big, 1, 0 };
		unsigned char *b = malloc(64 << 10);
		struct mlci_zip_limits lim = MLCI_ZIP_LIMITS_INIT;

		memset(big, 'a', 2u << 20);
		big[2u << 20] = '\0';
		(void)zeros;
		n = build(b, &m, 1);
		memset(seen, 0, sizeof(seen));
		mlci_zip_open_mem(&z, b, n, &lim, on_problem, NULL);
		CHECK_INT(seen[MLCI_ZIP_RATIO], 2, "ratio above 200: the entry and the whole");
		mlci_zip_release(&z);
		lim.max_ratio = 0;
		lim.max_total = 1000;
		memset(seen, 0, sizeof(seen));
		mlci_zip_open_mem(&z, b, n, &lim, on_problem, NULL);
		CHECK_INT(seen[MLCI_ZIP_TOTAL], 1, "total above --max-size");
		CHECK_INT(seen[MLCI_ZIP_RATIO], 0, "ratio 0 means no limit");
		mlci_zip_release(&z);
		free(zeros);
		free(big);
		free(b);
	}
}

int main(void)
{
	test_good();
	test_names();
	test_hostile();
	return unit_done();
}
