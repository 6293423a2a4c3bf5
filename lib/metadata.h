/* SPDX-License-Identifier: MIT */
/* The RFC 822-style files of a wheel (METADATA, WHEEL), PEP 508 requirements and content types. */
#ifndef MLCI_METADATA_H
#define MLCI_METADATA_H

#include <stddef.h>

/* One header field; value unfolded (continuation lines joined by '\n'). */
struct mlci_metadata_field {
	char *name;
	char *value;
	long line;	/* 1-based line of the field name */
};

struct mlci_metadata {
	struct mlci_metadata_field *fields;
	size_t nr, alloc;
	char *body;	/* what follows the first blank line, or NULL */
	size_t body_len;
};
#define MLCI_METADATA_INIT { NULL, 0, 0, NULL, 0 }

/*
 * Parse buf[0..len): "Name: value" lines (the name printable ASCII without
 * ':' or white space), continuation lines starting with a space or tab,
 * then an optional blank line and body. Lines end with "\n" or "\r\n". The
 * text must be UTF-8. md must be initialised; it is filled even on
 * failure as far as the text was valid. Returns 0, or -1 with a reason
 * (and its line number) in err of size errlen. Prints nothing.
 */
int mlci_metadata_parse(struct mlci_metadata *md, const char *buf, size_t len,
			char *err, size_t errlen);

/* The value of the first field called name (case-insensitive), borrowed, or NULL. */
const char *mlci_metadata_get(const struct mlci_metadata *md, const char *name);

/* How many fields are called name (case-insensitive). */
size_t mlci_metadata_count(const struct mlci_metadata *md, const char *name);

/* Free the fields and the body; md is empty and reusable. */
void mlci_metadata_release(struct mlci_metadata *md);

/*
 * Check a PEP 508 dependency specifier ("requests[socks] (>=2.8, <3) ;
 * python_version < '3.12'", "pkg @ https://..."): name, extras, version
 * specifiers (checked as PEP 440) or URL, environment marker. Returns 0 or
 * -1 with a reason in err.
 */
int mlci_metadata_check_requirement(const char *s, char *err, size_t errlen);

/*
 * Check a Description-Content-Type value: text/plain, text/x-rst or
 * text/markdown, with optional parameters charset (UTF-8) and, for
 * markdown, variant (GFM or CommonMark). Returns 0 or -1 with a reason.
 */
int mlci_metadata_check_content_type(const char *s, char *err, size_t errlen);

/* 1 when the len bytes at s are valid UTF-8 (no overlongs, no surrogates). */
int mlci_utf8_valid(const char *s, size_t len);

#endif
