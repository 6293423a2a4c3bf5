/* SPDX-License-Identifier: MIT */
/* Small helpers over cJSON: typed lookups, finite numbers, replacement. */
#ifndef MLCI_JSON_H
#define MLCI_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct strbuf;

/* A number item, or a null item when v is NaN or infinite. */
cJSON *mlci_json_number(double v);

/*
 * Set obj[key] to item, replacing any earlier value (and keeping its place
 * in the key order). Consumes item.
 */
void mlci_json_set(cJSON *obj, const char *key, cJSON *item);

/* Shorthands for mlci_json_set() with a new number, string, bool or null. */
void mlci_json_set_number(cJSON *obj, const char *key, double v);
void mlci_json_set_string(cJSON *obj, const char *key, const char *s);
void mlci_json_set_bool(cJSON *obj, const char *key, int b);
void mlci_json_set_null(cJSON *obj, const char *key);

/* obj[key] when it is a string (borrowed), else NULL. */
const char *mlci_json_get_string(const cJSON *obj, const char *key);

/* obj[key] when it is an object (borrowed), else NULL. */
cJSON *mlci_json_get_object(const cJSON *obj, const char *key);

/* 0 and *out = obj[key] when it is a finite number, else -1. */
int mlci_json_get_number(const cJSON *obj, const char *key, double *out);

/*
 * Follow a dotted path of object keys ("train.metrics") from root. Keys
 * match exactly (case-sensitive). Borrowed item, or NULL.
 */
cJSON *mlci_json_path(const cJSON *root, const char *path);

/*
 * Parse JSON text buf[0..len) into *out (the caller's). what names the
 * source in messages ("standard input", a file name). Returns 0, or
 * -MLCI_EXIT_INPUT with the byte, line and column of the error printed.
 */
int mlci_json_parse(const char *buf, size_t len, const char *what,
		    cJSON **out);

/*
 * Read and parse the JSON file at path ("-": standard input), refusing
 * files over max bytes. Returns 0; -MLCI_EXIT_INPUT for a missing,
 * malformed or oversized file; -MLCI_EXIT_SYSTEM for a read error.
 */
int mlci_json_read_file(const char *path, size_t max, cJSON **out);

/*
 * Append v as JSON text to out: compact, or indented by two spaces when
 * pretty. Numbers are written in the shortest form that reads back to the
 * same double (cJSON's own printer can lose the last digit); non-finite
 * numbers as null; raw items as they are.
 */
void mlci_json_print(const cJSON *v, int pretty, struct strbuf *out);

/* The first key that occurs twice in obj (not recursive), or NULL. */
const char *mlci_json_duplicate_key(const cJSON *obj);

#endif
