/* SPDX-License-Identifier: MIT */
/* A strict, read-only zip reader on zlib: central directory, local headers, zip64, CRCs, bomb guards. */
#ifndef MLCI_ZIP_H
#define MLCI_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/*
 * What can be wrong with an entry. The reader finds the first group while
 * opening the archive (reported through the callback of mlci_zip_open*());
 * mlci_zip_read() finds the second while it inflates.
 */
enum mlci_zip_problem {
	MLCI_ZIP_OK = 0,
	MLCI_ZIP_ABSOLUTE,	/* name starts with '/' */
	MLCI_ZIP_DOTDOT,	/* a ".." component */
	MLCI_ZIP_BACKSLASH,	/* a '\' in the name */
	MLCI_ZIP_DRIVE,		/* "C:" at the start */
	MLCI_ZIP_BAD_NAME,	/* empty, NUL or control characters, "." or empty components */
	MLCI_ZIP_SYMLINK,	/* Unix mode says symbolic link */
	MLCI_ZIP_DUPLICATE,	/* the same name twice */
	MLCI_ZIP_MISMATCH,	/* local header or data descriptor disagrees, overlap */
	MLCI_ZIP_TOTAL,		/* total uncompressed size above the limit */
	MLCI_ZIP_RATIO,		/* compression ratio above the limit */
	MLCI_ZIP_ENCRYPTED,	/* encryption flag set */
	MLCI_ZIP_METHOD,	/* neither stored nor deflated */
	MLCI_ZIP_CRC,		/* CRC-32 of the content differs */
	MLCI_ZIP_CORRUPT	/* deflate stream invalid, or size differs */
};

/* One entry of the central directory. */
struct mlci_zip_entry {
	char *name;		/* NUL-terminated copy of the stored name */
	size_t name_len;	/* stored length (a NUL inside makes it BAD_NAME) */
	uint16_t version_made_by, flags, method;
	uint32_t crc32, external_attr;
	uint64_t csize, usize, local_offset;
	uint64_t data_offset;	/* where the data starts; valid if !unreadable */
	unsigned is_dir:1;	/* name ends with '/' */
	unsigned unreadable:1;	/* a problem makes the data unsafe to read */
};

/* Limits against zip bombs (0: no limit). */
struct mlci_zip_limits {
	uint64_t max_total;	/* sum of uncompressed sizes */
	double max_ratio;	/* uncompressed / compressed, per entry and overall */
	uint64_t ratio_floor;	/* the ratio applies to entries larger than this */
};
#define MLCI_ZIP_LIMITS_INIT { 4ULL << 30, 200.0, 1u << 20 }

struct mlci_zip {
	const unsigned char *data;	/* the whole archive (mapped or borrowed) */
	size_t size;
	int mapped;
	struct mlci_zip_entry *entries;	/* in central-directory order */
	size_t nr, alloc;
	uint64_t cd_offset, cd_size, total_usize, total_csize;
	char err[256];	/* why mlci_zip_open*() found no valid archive */
};

/*
 * Called once per problem found while opening: the entry (NULL for the
 * archive as a whole) and a short detail text ("../x" or a size).
 */
typedef void (*mlci_zip_report)(void *ctx, enum mlci_zip_problem problem,
				const struct mlci_zip_entry *e,
				const char *detail);

/*
 * Read the central directory of the archive in buf[0..len) (borrowed: it
 * must outlive z), check every entry's name, mode, flags and local header,
 * apply the limits, and report problems through report (may be NULL).
 * Returns 0; or -1 when buf is not a readable zip archive at all (no end
 * record, truncated directory, multi-disk...), with the reason in z->err
 * and z left empty but safe to release. Prints nothing.
 */
int mlci_zip_open_mem(struct mlci_zip *z, const void *buf, size_t len,
		      const struct mlci_zip_limits *lim,
		      mlci_zip_report report, void *ctx);

/*
 * As mlci_zip_open_mem() on the file at path, mapped into memory. Returns
 * 0; -1 as above for a file that is not a valid archive; or
 * -MLCI_EXIT_INPUT (message printed) when it cannot be opened or is not a
 * regular file, -MLCI_EXIT_SYSTEM when it cannot be mapped.
 */
int mlci_zip_open_file(struct mlci_zip *z, const char *path,
		       const struct mlci_zip_limits *lim,
		       mlci_zip_report report, void *ctx);

/* Release the entries and the mapping; z may be opened again. */
void mlci_zip_release(struct mlci_zip *z);

/*
 * Receives the content of an entry in order, in pieces. Returns 0 to go
 * on, or a negative value that stops the read and is returned by it.
 */
typedef int (*mlci_zip_sink)(void *ctx, const void *data, size_t len);

/*
 * Stream the content of entry e to sink, inflating it, and check its
 * CRC-32 and size against the central directory (never producing more
 * than the declared size). Returns 0; -1 with *problem set (ENCRYPTED,
 * METHOD, CRC, CORRUPT or MISMATCH) when the content is bad; or the
 * sink's negative value.
 */
int mlci_zip_read(const struct mlci_zip *z, const struct mlci_zip_entry *e,
		  mlci_zip_sink sink, void *ctx, enum mlci_zip_problem *problem);

/*
 * Read a whole entry into out (appended), refusing entries that declare
 * more than max bytes (*problem = MLCI_ZIP_TOTAL). Same returns as
 * mlci_zip_read().
 */
int mlci_zip_read_buf(const struct mlci_zip *z, const struct mlci_zip_entry *e,
		      size_t max, struct strbuf *out,
		      enum mlci_zip_problem *problem);

/* The entry named name, or NULL (borrowed). Linear: for a few look-ups. */
const struct mlci_zip_entry *mlci_zip_find(const struct mlci_zip *z,
					   const char *name);

/* A short English description of a problem ("CRC-32 mismatch"). */
const char *mlci_zip_problem_text(enum mlci_zip_problem problem);

#endif
