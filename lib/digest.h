/* SPDX-License-Identifier: MIT */
/* SHA-256 digests of buffers, streams and files, and the URL-safe base64 of wheel RECORD files. */
#ifndef MLCI_DIGEST_H
#define MLCI_DIGEST_H

#include <stddef.h>

#define MLCI_SHA256_LEN 32	/* raw digest bytes */
#define MLCI_SHA256_HEX 65	/* 64 lower-case hex digits and a NUL */

/* An opaque streaming SHA-256 context. */
struct mlci_sha256;

/*
 * A new context, ready for data; the caller frees it with mlci_sha256_free().
 * Dies (exit 4) if OpenSSL cannot allocate or initialise it.
 */
struct mlci_sha256 *mlci_sha256_new(void);

/* Feed len bytes of data (len may be 0). */
void mlci_sha256_update(struct mlci_sha256 *c, const void *data, size_t len);

/*
 * Finish the digest into out (32 bytes). The context may not be updated
 * again afterwards, only freed.
 */
void mlci_sha256_final(struct mlci_sha256 *c, unsigned char out[MLCI_SHA256_LEN]);

/* As mlci_sha256_final(), as 64 lower-case hex digits and a NUL. */
void mlci_sha256_final_hex(struct mlci_sha256 *c, char hex[MLCI_SHA256_HEX]);

/* Free the context; NULL is allowed. */
void mlci_sha256_free(struct mlci_sha256 *c);

/* The SHA-256 of len bytes at data, raw or as hex. */
void mlci_sha256_buf(const void *data, size_t len,
		     unsigned char out[MLCI_SHA256_LEN]);
void mlci_sha256_hex(const void *data, size_t len, char hex[MLCI_SHA256_HEX]);

/*
 * Other digests, named as Python's hashlib names them, for RECORD files
 * that use a stronger hash than SHA-256: sha256, sha384, sha512, sha3_256,
 * sha3_384, sha3_512, blake2b (BLAKE2b-512) and blake2s (BLAKE2s-256).
 */
#define MLCI_DIGEST_MAX 64	/* the largest digest, in bytes */
struct mlci_digest;

/*
 * A new context for the hashlib-named algorithm name, or NULL when it is
 * not one of those above (md5, sha1 and sha224 included: not strong
 * enough for a RECORD). *len is set to the digest's size in bytes. Free
 * with mlci_digest_free().
 */
struct mlci_digest *mlci_digest_new(const char *name, size_t *len);
void mlci_digest_update(struct mlci_digest *d, const void *data, size_t len);
/* Finish into out (MLCI_DIGEST_MAX bytes of room); returns the length. */
size_t mlci_digest_final(struct mlci_digest *d, unsigned char *out);
void mlci_digest_free(struct mlci_digest *d);

/* Write 2 * len lower-case hex digits of bytes and a NUL into hex. */
void mlci_hex_encode(const unsigned char *bytes, size_t len, char *hex);

/*
 * The SHA-256 of the file at path, read in large blocks, as hex. Returns 0;
 * -MLCI_EXIT_INPUT (with a message naming path) when it cannot be opened;
 * -MLCI_EXIT_SYSTEM when reading fails. hex is untouched on failure.
 */
int mlci_sha256_file(const char *path, char hex[MLCI_SHA256_HEX]);

/* The length of the unpadded URL-safe base64 of len bytes, without the NUL. */
size_t mlci_base64url_len(size_t len);

/*
 * Encode len bytes as URL-safe base64 ('-' and '_', RFC 4648 §5) without
 * '=' padding, as wheel RECORD files write hashes. Returns a new string the
 * caller frees.
 */
char *mlci_base64url_encode(const void *data, size_t len);

/*
 * Decode the first len characters of s, strictly: only the URL-safe
 * alphabet, no padding, no white space, a length that is not 1 mod 4, and
 * zero unused low bits in the last character (so every input has one
 * encoding). On success stores a new buffer the caller frees in *out (NUL
 * terminated for convenience, not counted) and its length in *outlen, and
 * returns 0; otherwise returns -1 and leaves *out NULL. Prints nothing.
 */
int mlci_base64url_decode(const char *s, size_t len, unsigned char **out,
			  size_t *outlen);

#endif
