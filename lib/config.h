/* SPDX-License-Identifier: MIT */
/* Config files (YAML or JSON) loaded into a cJSON tree that remembers lines. */
#ifndef MLCI_CONFIG_H
#define MLCI_CONFIG_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * A loaded config: the cJSON tree, the name of its file, and the line where
 * each item was written. Opaque; made by mlci_config_load() or
 * mlci_config_parse(), freed by mlci_config_free().
 *
 * What a file means (YAML 1.2 with the core schema; JSON is YAML too):
 *
 * - Plain (unquoted) scalars: `null`, `Null`, `NULL`, `~` and nothing at
 *   all are null; `true`, `True`, `TRUE`, `false`, `False`, `FALSE` are
 *   booleans; decimal integers, `0o17` and `0x1F`, and floats (`1.0`, `.5`,
 *   `1e3`, `-2.5E-3`) are numbers; everything else is a string. `yes`, `no`,
 *   `on`, `off`, `y` and `n` stay strings (YAML 1.1 made them booleans: the
 *   "Norway problem", where the country code NO read as false).
 * - Quoted scalars ('...', "...") and block scalars (|, >) are strings.
 * - Numbers must be finite and exact: `.inf`, `-.inf`, `.nan` and floats
 *   that overflow (`1e999`) are errors, and so are integers beyond 2^53
 *   (a JSON number is a double and would lose digits): write identifiers
 *   and versions quoted.
 * - Tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` (and `!!map`,
 *   `!!seq`, the non-specific `!`) are honoured; any other tag is an error.
 * - Mapping keys must be scalars and are taken as written (`1: x` gives the
 *   key "1"); a duplicate key is an error naming both lines. Key order is
 *   kept.
 * - Anchors and aliases are expanded by copying, within a budget of
 *   MLCI_CONFIG_MAX_NODES values in all (the "billion laughs" guard).
 *   Merge keys (`<<: *base`, `<<: [*a, *b]`, YAML 1.1, common in CI files)
 *   are supported: the merged members that the mapping does not set itself
 *   are inserted where the `<<` was written; earlier sources win over later.
 * - One document per file; an empty or comment-only file gives a null root.
 * - Collections nest at most MLCI_CONFIG_MAX_DEPTH deep.
 * - A file whose name ends in ".json" is parsed as strict JSON (RFC 8259):
 *   YAML-only syntax such as comments or trailing commas is an error there.
 */
struct mlci_config;

/* The largest config file mlci_config_load() reads. */
#define MLCI_CONFIG_MAX_SIZE (16u << 20)
/* The most values a config may hold once its aliases are expanded. */
#define MLCI_CONFIG_MAX_NODES 1000000
/* The deepest nesting of mappings and sequences. */
#define MLCI_CONFIG_MAX_DEPTH 256

/*
 * Read and parse the config file at path into *out (the caller's, to free
 * with mlci_config_free()). Returns 0; or, with *out NULL and a message
 * printed: -MLCI_EXIT_INPUT for a file that is missing, not readable,
 * larger than MLCI_CONFIG_MAX_SIZE or not valid ("cfg.yaml:3:7: found
 * unexpected end of stream ..."), -MLCI_EXIT_SYSTEM for an I/O error.
 */
int mlci_config_load(const char *path, struct mlci_config **out);

/*
 * Parse the text buf[0..len) (need not be NUL-terminated) as a config named
 * name (used in messages and by mlci_config_path(); its ending ".json"
 * selects strict JSON) into *out. Returns 0, or -MLCI_EXIT_INPUT with *out
 * NULL and a message "<name>:<line>:<column>: <problem>".
 */
int mlci_config_parse(const char *buf, size_t len, const char *name,
		      struct mlci_config **out);

/*
 * The root of the tree (borrowed; lives as long as cfg). Never NULL: a null
 * item for an empty document. Callers may read it, not restructure it.
 */
cJSON *mlci_config_root(const struct mlci_config *cfg);

/* The file name given to mlci_config_load() or mlci_config_parse(). */
const char *mlci_config_path(const struct mlci_config *cfg);

/*
 * The 1-based line where item was written. For a member of a mapping (an
 * item with a `string`) that is the line of its key, where "key:" appears;
 * for a sequence element or the root, the line where its value starts. A
 * value copied from an anchor keeps the lines of the anchored text, except
 * the copy itself, which gets the line of its alias (or key). 0 for an item
 * that is not from cfg, or when cfg or item is NULL.
 */
long mlci_config_line(const struct mlci_config *cfg, const cJSON *item);

/*
 * Report a problem found in the config after loading ("unknown type
 * 'flaot'"): prints "<prog>: <file>:<line>: <message>" through mlci_error()
 * ("<prog>: <file>: <message>" when the line is unknown) and returns -code.
 * cfg and item may be NULL.
 */
int mlci_config_error(const struct mlci_config *cfg, const cJSON *item,
		      int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Free cfg and its tree. NULL is allowed. */
void mlci_config_free(struct mlci_config *cfg);

#endif
