/* SPDX-License-Identifier: MIT */
/* SHA-256 through OpenSSL's EVP interface, and URL-safe base64 for wheel RECORD hashes. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "digest.h"
#include "usage.h"
#include "wrapper.h"

/* Large reads keep a multi-gigabyte data file to a few thousand syscalls. */
#define FILE_BLOCK (256 * 1024)

struct mlci_sha256 {
	EVP_MD_CTX *ctx;
};

struct mlci_sha256 *mlci_sha256_new(void)
{
	struct mlci_sha256 *c = xmalloc(sizeof(*c));

	c->ctx = EVP_MD_CTX_new();
	if (!c->ctx || EVP_DigestInit_ex(c->ctx, EVP_sha256(), NULL) != 1)
		mlci_die("cannot initialise SHA-256");
	return c;
}

void mlci_sha256_update(struct mlci_sha256 *c, const void *data, size_t len)
{
	/* EVP_DigestUpdate fails only on a misused context: a bug, not input. */
	if (len && EVP_DigestUpdate(c->ctx, data, len) != 1)
		mlci_die("cannot update SHA-256");
}

void mlci_sha256_final(struct mlci_sha256 *c, unsigned char out[MLCI_SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(c->ctx, out, &n) != 1 || n != MLCI_SHA256_LEN)
		mlci_die("cannot finish SHA-256");
}

void mlci_hex_encode(const unsigned char *bytes, size_t len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * len] = '\0';
}

void mlci_sha256_final_hex(struct mlci_sha256 *c, char hex[MLCI_SHA256_HEX])
{
	unsigned char raw[MLCI_SHA256_LEN];

	mlci_sha256_final(c, raw);
	mlci_hex_encode(raw, sizeof(raw), hex);
}

void mlci_sha256_free(struct mlci_sha256 *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->ctx);
	free(c);
}

void mlci_sha256_buf(const void *data, size_t len,
		     unsigned char out[MLCI_SHA256_LEN])
{
	struct mlci_sha256 *c = mlci_sha256_new();

	mlci_sha256_update(c, data, len);
	mlci_sha256_final(c, out);
	mlci_sha256_free(c);
}

void mlci_sha256_hex(const void *data, size_t len, char hex[MLCI_SHA256_HEX])
{
	unsigned char raw[MLCI_SHA256_LEN];

	mlci_sha256_buf(data, len, raw);
	mlci_hex_encode(raw, sizeof(raw), hex);
}

int mlci_sha256_file(const char *path, char hex[MLCI_SHA256_HEX])
{
	struct mlci_sha256 *c;
	unsigned char *block;
	struct stat st;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mlci_error_errno(MLCI_EXIT_INPUT, "cannot open '%s'", path);
	/* A directory opens fine but is not a file the user meant to hash. */
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return mlci_error(MLCI_EXIT_INPUT, "cannot hash '%s': Is a directory",
				  path);
	}
	block = xmalloc(FILE_BLOCK);
	c = mlci_sha256_new();
	for (;;) {
		ssize_t got = read(fd, block, FILE_BLOCK);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot read '%s'",
					       path);
			break;
		}
		if (!got)
			break;
		mlci_sha256_update(c, block, (size_t)got);
	}
	close(fd);
	if (!ret)
		mlci_sha256_final_hex(c, hex);
	mlci_sha256_free(c);
	free(block);
	return ret;
}

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t mlci_base64url_len(size_t len)
{
	return len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
}

char *mlci_base64url_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = xmalloc(mlci_base64url_len(len) + 1), *q = out;
	size_t i;

	for (i = 0; i + 3 <= len; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 |
				  (unsigned long)p[i + 1] << 8 | p[i + 2];

		*q++ = b64url[v >> 18 & 63];
		*q++ = b64url[v >> 12 & 63];
		*q++ = b64url[v >> 6 & 63];
		*q++ = b64url[v & 63];
	}
	if (len - i == 1) {
		*q++ = b64url[p[i] >> 2];
		*q++ = b64url[(p[i] & 3) << 4];
	} else if (len - i == 2) {
		*q++ = b64url[p[i] >> 2];
		*q++ = b64url[(p[i] & 3) << 4 | p[i + 1] >> 4];
		*q++ = b64url[(p[i + 1] & 15) << 2];
	}
	*q = '\0';
	return out;
}

static int b64url_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '-')
		return 62;
	if (ch == '_')
		return 63;
	return -1;
}

int mlci_base64url_decode(const char *s, size_t len, unsigned char **out,
			  size_t *outlen)
{
	unsigned char *buf, *q;
	unsigned long acc = 0;
	size_t i, rest = len % 4;
	int bits = 0;

	*out = NULL;
	*outlen = 0;
	if (rest == 1)
		return -1;
	buf = xmalloc(len / 4 * 3 + (rest ? rest - 1 : 0) + 1);
	q = buf;
	for (i = 0; i < len; i++) {
		int v = b64url_value((unsigned char)s[i]);

		if (v < 0) {
			free(buf);
			return -1;
		}
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*q++ = (unsigned char)(acc >> bits);
		}
	}
	/* Leftover bits must be zero, or two strings would decode alike. */
	if (bits && (acc & ((1UL << bits) - 1))) {
		free(buf);
		return -1;
	}
	*q = '\0';
	*out = buf;
	*outlen = (size_t)(q - buf);
	return 0;
}

struct mlci_digest {
	EVP_MD_CTX *ctx;
};

static const struct {
	const char *hashlib, *openssl;
} digest_names[] = {
	{ "sha256", "SHA256" },
	{ "sha384", "SHA384" },
	{ "sha512", "SHA512" },
	{ "sha3_256", "SHA3-256" },
	{ "sha3_384", "SHA3-384" },
	{ "sha3_512", "SHA3-512" },
	{ "blake2b", "BLAKE2B-512" },
	{ "blake2s", "BLAKE2S-256" },
};

struct mlci_digest *mlci_digest_new(const char *name, size_t *len)
{
	const EVP_MD *md = NULL;
	struct mlci_digest *d;
	size_t i;

	for (i = 0; i < sizeof(digest_names) / sizeof(digest_names[0]); i++)
		if (!strcmp(name, digest_names[i].hashlib))
			md = EVP_get_digestbyname(digest_names[i].openssl);
	if (!md)
		return NULL;
	d = xmalloc(sizeof(*d));
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || EVP_DigestInit_ex(d->ctx, md, NULL) != 1)
		mlci_die("cannot initialise digest %s", name);
	*len = (size_t)EVP_MD_get_size(md);
	return d;
}

void mlci_digest_update(struct mlci_digest *d, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(d->ctx, data, len) != 1)
		mlci_die("cannot update a digest");
}

size_t mlci_digest_final(struct mlci_digest *d, unsigned char *out)
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(d->ctx, out, &n) != 1)
		mlci_die("cannot finish a digest");
	return n;
}

void mlci_digest_free(struct mlci_digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}
