/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/digest.c: NIST SHA-256 vectors, file digests, base64url. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "usage.h"
#include "unit.h"

static const struct {
	const char *msg, *hex;
} nist[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

static void test_vectors(void)
{
	char hex[MLCI_SHA256_HEX];
	size_t i;

	for (i = 0; i < sizeof(nist) / sizeof(nist[0]); i++) {
		mlci_sha256_hex(nist[i].msg, strlen(nist[i].msg), hex);
		CHECK_STR(hex, nist[i].hex, "NIST vector, one shot");
	}
}

static void test_million_a(void)
{
	static const size_t chunks[] = { 1, 7, 63, 64, 65, 1000, 4093 };
	char block[4096], hex[MLCI_SHA256_HEX];
	struct mlci_sha256 *c = mlci_sha256_new();
	size_t left = 1000000, k = 0;

	memset(block, 'a', sizeof(block));
	while (left) {
		size_t n = chunks[k++ % (sizeof(chunks) / sizeof(chunks[0]))];

		if (n > left)
			n = left;
		mlci_sha256_update(c, block, n);
		left -= n;
	}
	mlci_sha256_update(c, block, 0);
	mlci_sha256_final_hex(c, hex);
	mlci_sha256_free(c);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		  "one million 'a' streamed in odd chunks");
}

static void test_raw(void)
{
	unsigned char raw[MLCI_SHA256_LEN];
	char hex[MLCI_SHA256_HEX];

	mlci_sha256_buf("abc", 3, raw);
	CHECK_INT(raw[0], 0xba, "raw digest first byte");
	CHECK_INT(raw[31], 0xad, "raw digest last byte");
	mlci_hex_encode(raw, 2, hex);
	CHECK_STR(hex, "ba78", "hex of two bytes");
}

/* Run sha256sum on path and return its 64 hex digits in want. */
static int sha256sum(const char *path, char want[MLCI_SHA256_HEX])
{
	char cmd[512], line[256];
	FILE *p;
	int n;

	n = snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(line, sizeof(line), p) || strlen(line) < 64) {
		pclose(p);
		return -1;
	}
	if (pclose(p) != 0)
		return -1;
	memcpy(want, line, 64);
	want[64] = '\0';
	return 0;
}

static void test_file(void)
{
	char dir[] = "/tmp/test-digest.XXXXXX", path[256], missing[256];
	char hex[MLCI_SHA256_HEX], want[MLCI_SHA256_HEX];
	unsigned long x = 12345;
	FILE *fp;
	size_t i;
	int ret;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/data.bin", dir);
	snprintf(missing, sizeof(missing), "%s/missing.csv", dir);
	fp = fopen(path, "wb");
	/* 600 KiB + 3 bytes: more than two of the 256 KiB reads. */
	for (i = 0; fp && i < 600 * 1024 + 3; i++) {
		x = x * 1103515245 + 12345;
		putc((int)(x >> 16) & 0xff, fp);
	}
	CHECK(fp && fclose(fp) == 0, "write the test file");

	CHECK(sha256sum(path, want) == 0, "sha256sum runs");
	snprintf(hex, sizeof(hex), "untouched");
	CHECK_INT(mlci_sha256_file(path, hex), 0, "file digest succeeds");
	CHECK_STR(hex, want, "file digest equals sha256sum's");

	mlci_set_quiet(1);
	ret = mlci_sha256_file(missing, hex);
	CHECK_INT(ret, -MLCI_EXIT_INPUT, "missing file is bad input");
	CHECK_STR(hex, want, "digest untouched on failure");
	CHECK_INT(mlci_sha256_file(dir, hex), -MLCI_EXIT_INPUT,
		  "a directory is bad input");
	mlci_set_quiet(0);

	unlink(path);
	rmdir(dir);
}

static void test_file_message(void)
{
	char hex[MLCI_SHA256_HEX], buf[512] = "";
	FILE *tmp = tmpfile();
	int saved = dup(2), ret;

	/* The message must name the path, in the house format. */
	fflush(stderr);
	dup2(fileno(tmp), 2);
	mlci_progname = "test-digest";
	ret = mlci_sha256_file("/nonexistent/x.csv", hex);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	if (!fgets(buf, sizeof(buf), tmp))
		buf[0] = '\0';
	fclose(tmp);
	CHECK_INT(ret, -MLCI_EXIT_INPUT, "nonexistent path");
	CHECK_STR(buf, "test-digest: cannot open '/nonexistent/x.csv': No such file or directory\n",
		  "error message names the path");
}

static const struct {
	const char *raw, *b64;
} b64[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
	{ "\xfb\xff", "-_8" },
	{ "\xff\xff\xfe", "___-" },
};

static void test_base64url(void)
{
	unsigned char raw[MLCI_SHA256_LEN], all[256], *out;
	size_t i, outlen;
	char *enc;

	for (i = 0; i < sizeof(b64) / sizeof(b64[0]); i++) {
		enc = mlci_base64url_encode(b64[i].raw, strlen(b64[i].raw));
		CHECK_STR(enc, b64[i].b64, "base64url encode known value");
		CHECK_INT(mlci_base64url_len(strlen(b64[i].raw)), strlen(b64[i].b64),
			  "base64url length");
		free(enc);
		CHECK_INT(mlci_base64url_decode(b64[i].b64, strlen(b64[i].b64),
						&out, &outlen), 0,
			  "base64url decode known value");
		CHECK(out && outlen == strlen(b64[i].raw) &&
		      !memcmp(out, b64[i].raw, outlen), "decoded bytes");
		free(out);
	}

	mlci_sha256_buf("", 0, raw);
	enc = mlci_base64url_encode(raw, sizeof(raw));
	CHECK_STR(enc, "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
		  "wheel RECORD hash of the empty file");
	free(enc);

	for (i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)i;
	for (i = 0; i <= sizeof(all); i += 37) {
		size_t n = i < 5 ? i : sizeof(all) - i;

		enc = mlci_base64url_encode(all + i % 7, n);
		CHECK(mlci_base64url_decode(enc, strlen(enc), &out, &outlen) == 0 &&
		      outlen == n && !memcmp(out, all + i % 7, n),
		      "base64url round trip of arbitrary bytes");
		free(out);
		free(enc);
	}
}

static void test_base64url_strict(void)
{
	static const char *bad[] = {
		"Zg==", "Zm8=", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zm 9", "Zm9v\n",
		"Zh", "Zm9", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
		"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
	};
	unsigned char *out = (unsigned char *)"sentinel";
	size_t i, outlen = 99;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(mlci_base64url_decode(bad[i], strlen(bad[i]), &out,
						&outlen), -1, bad[i]);
		CHECK(out == NULL, "no buffer on failure");
	}
	CHECK_INT(mlci_base64url_decode("Zm9v\0Zg", 7, &out, &outlen), -1,
		  "embedded NUL rejected");
	CHECK_INT(mlci_base64url_decode("Zm9vYmFyZg", 4, &out, &outlen), 0,
		  "decode honours len");
	CHECK(outlen == 3 && !memcmp(out, "foo", 3), "decoded prefix");
	free(out);
}

int main(void)
{
	test_vectors();
	test_million_a();
	test_raw();
	test_file();
	test_file_message();
	test_base64url();
	test_base64url_strict();
	{
		static const struct {
			const char *name, *hex;	/* digest of "abc", or NULL: refused */
		} algos[] = {
			{ "sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
			{ "sha384", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
			{ "sha512", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
			{ "sha3_256", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532" },
			{ "md5", NULL },
			{ "sha1", NULL },
			{ "sha224", NULL },
			{ "SHA256", NULL },
			{ "", NULL },
		};
		size_t k;

		for (k = 0; k < sizeof(algos) / sizeof(algos[0]); k++) {
			unsigned char raw[MLCI_DIGEST_MAX];
			char hex[2 * MLCI_DIGEST_MAX + 1];
			size_t len = 0;
			struct mlci_digest *d = mlci_digest_new(algos[k].name, &len);

			if (!algos[k].hex) {
				CHECK(d == NULL, algos[k].name);
				continue;
			}
			if (!CHECK(d != NULL, algos[k].name))
				continue;
			mlci_digest_update(d, "a", 1);
			mlci_digest_update(d, "bc", 2);
			CHECK_INT(mlci_digest_final(d, raw), len, algos[k].name);
			mlci_hex_encode(raw, len, hex);
			CHECK_STR(hex, algos[k].hex, algos[k].name);
			mlci_digest_free(d);
		}
	}
	return unit_done();
}
