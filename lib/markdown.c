/* SPDX-License-Identifier: MIT */
/* Markdown for step summaries and pull-request comments. */
#include "markdown.h"

void mlci_md_cell(struct strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			strbuf_addstr(out, "\\|");
		else if (*s == '\n' || *s == '\r')
			strbuf_addch(out, ' ');
		else
			strbuf_addch(out, *s);
	}
}
