/* SPDX-License-Identifier: MIT */
/* Markdown for step summaries and pull-request comments. */
#ifndef MLCI_MARKDOWN_H
#define MLCI_MARKDOWN_H

#include "strbuf.h"

/*
 * Append s as the text of a Markdown table cell: '|' escaped and line
 * breaks turned into spaces, so the cell cannot break its row. NULL
 * appends nothing.
 */
void mlci_md_cell(struct strbuf *out, const char *s);

#endif
