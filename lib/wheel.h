/* SPDX-License-Identifier: MIT */
/* Checking a built wheel: container, file name, .dist-info (WHEEL, METADATA, RECORD hashes) and contents. */
#ifndef MLCI_WHEEL_H
#define MLCI_WHEEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "digest.h"
#include "metadata.h"
#include "zip.h"

enum mlci_wheel_severity {
	MLCI_WHEEL_WARNING = 0,
	MLCI_WHEEL_ERROR = 1
};

/* One finding: a stable code ("R005"), its severity, a message, a file. */
struct mlci_wheel_finding {
	char code[8];
	enum mlci_wheel_severity severity;
	char *message;
	char *file;	/* the archive member (or wheel file) it concerns; may be NULL */
};

struct mlci_wheel_options {
	struct mlci_zip_limits limits;
	int strict;		/* contents findings (W...) are errors */
	const char *select;	/* comma-separated W codes or prefixes; NULL: all */
	const char *ignore;	/* comma-separated W codes or prefixes to skip */
	const char *package;	/* --package: the source package directory */
	const char *toplevel;	/* --toplevel: comma-separated top-level names */
};
#define MLCI_WHEEL_OPTIONS_INIT { MLCI_ZIP_LIMITS_INIT, 0, NULL, NULL, NULL, NULL }

/* What the check found out about one wheel. */
struct mlci_wheel {
	char *path;		/* as given */
	const char *filename;	/* the last component of path (points into it) */
	uint64_t size;
	char sha256[MLCI_SHA256_HEX];
	/* From the file name; NULL when it could not be parsed. */
	char *name, *version, *build, *python_tags, *abi_tags, *platform_tags;
	char **tags;		/* expanded tags "py3-none-any", sorted */
	size_t ntags;
	char *dist_info;	/* the .dist-info directory, or NULL */
	struct mlci_metadata metadata;
	int have_metadata;
	uint64_t files, uncompressed;	/* file entries and their total size */
	struct mlci_wheel_finding *findings;
	size_t nr, alloc;
	size_t errors, warnings;
};

/* Prepare w for mlci_wheel_check(). */
void mlci_wheel_init(struct mlci_wheel *w);

/*
 * Check the wheel at path in one pass over the archive: every finding is
 * added to w (severity from the options). Returns 0 when the check ran
 * (w->errors says the verdict); -MLCI_EXIT_INPUT when the file (or the
 * --package directory) cannot be read, -MLCI_EXIT_SYSTEM on an I/O error;
 * messages printed.
 */
int mlci_wheel_check(struct mlci_wheel *w, const char *path,
		     const struct mlci_wheel_options *opts);

/*
 * Add a finding with a printf-style message; file may be NULL. The
 * severity is error for every code but W..., which is a warning unless
 * opts->strict (opts may be NULL: warnings). Returns nothing; filtered
 * codes (--select, --ignore) are dropped.
 */
void mlci_wheel_add(struct mlci_wheel *w, const struct mlci_wheel_options *opts,
		    const char *code, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The wheel section without index and publish facts; the caller's. */
cJSON *mlci_wheel_to_json(const struct mlci_wheel *w);

/* The metadata summary object (name, version, summary...); the caller's. */
cJSON *mlci_wheel_metadata_json(const struct mlci_wheel *w);

/* Free everything w holds; it is left initialised. */
void mlci_wheel_release(struct mlci_wheel *w);

/*
 * Write the PEP 503 normal form of a project name into out (size len):
 * lower case, every run of '-', '_' and '.' as one '-' (sep '-'), or as
 * one '_' for file names (sep '_'). Returns 0, or -1 if it does not fit.
 */
int mlci_wheel_normalize_name(const char *name, size_t n, int sep, char *out,
			      size_t len);

/*
 * Split a wheel file name "{name}-{ver}(-{build})?-{py}-{abi}-{plat}.whl"
 * into new strings (build NULL when absent). Returns 0, or -1 with a
 * reason in err when it does not have that shape.
 */
int mlci_wheel_split_filename(const char *filename, char **name, char **version,
			      char **build, char **py, char **abi, char **plat,
			      char *err, size_t errlen);

/* The description of a finding code ("RECORD hash mismatch"), or NULL. */
const char *mlci_wheel_code_text(const char *code);

#endif
