/* SPDX-License-Identifier: MIT */
/* The steps every program shares: read the record, fill git, write it. */
#ifndef MLCI_TOOL_H
#define MLCI_TOOL_H

#include <cjson/cJSON.h>

/*
 * Read the record (input as for mlci_record_read(): NULL for standard
 * input unless it is a terminal, "-" or a file) and fill its git section
 * when it has none. Returns 0 or a negative exit code (message printed).
 */
int mlci_tool_read_record(const char *input, cJSON **rec);

/*
 * Write the record to standard output, then flush the GitHub Actions
 * annotations. Returns 0 or -MLCI_EXIT_SYSTEM.
 */
int mlci_tool_write_record(const cJSON *rec, int pretty);

/*
 * The failed upstream verdict that should stop this program, or NULL.
 * Looks at the named sections in order: one with "ok": false (or
 * "skipped": true) is a failed verdict. Borrowed string: the section name.
 */
const char *mlci_tool_failed_upstream(const cJSON *rec,
				      const char *const *sections);

/*
 * A section saying this program skipped its work: {"ok": false,
 * "skipped": true, "reason": reason}. The caller's.
 */
cJSON *mlci_tool_skipped_section(const char *reason);

#endif
