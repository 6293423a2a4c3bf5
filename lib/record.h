/* SPDX-License-Identifier: MIT */
/* The record: one JSON object read from stdin, extended, written to stdout. */
#ifndef MLCI_RECORD_H
#define MLCI_RECORD_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* The record format version this build reads and writes. */
#define MLCI_RECORD_VERSION 1

/* The largest record read, in bytes (MLCI_RECORD_MAX overrides). */
#define MLCI_RECORD_MAX_DEFAULT (64u << 20)

/*
 * Read the record. path NULL: standard input when it is a pipe or a file,
 * a new record when it is a terminal; "-": standard input; else the file.
 * Empty input (nothing or only white space) gives a new record
 * {"mlci": 1}. On success *out is the caller's.
 *
 * Returns 0; -MLCI_EXIT_INPUT for malformed JSON (the byte position is in
 * the message), a record that is not an object, duplicate sections, a
 * newer format version, or one over the size cap; -MLCI_EXIT_SYSTEM for a
 * read error. The message is printed.
 */
int mlci_record_read(const char *path, cJSON **out);

/*
 * Parse a record from buf[0..len). what names the source in messages
 * ("standard input", a file name). Same returns as mlci_record_read().
 */
int mlci_record_parse(const char *buf, size_t len, const char *what,
		      cJSON **out);

/* Set (add or replace) a section of the record. Consumes section. */
void mlci_record_set(cJSON *rec, const char *name, cJSON *section);

/* A section of the record (borrowed), or NULL when missing or not an object. */
cJSON *mlci_record_get(const cJSON *rec, const char *name);

/*
 * The record as text ending in a newline: "mlci" first, then the known
 * sections in pipeline order, then the others in the order they came in.
 * Compact unless pretty. The caller frees the string.
 */
char *mlci_record_print(const cJSON *rec, int pretty);

/*
 * Write the record to fp. Returns 0, or -MLCI_EXIT_SYSTEM (with a message)
 * on a write error.
 */
int mlci_record_write(FILE *fp, const cJSON *rec, int pretty);

#endif
