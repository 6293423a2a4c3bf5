/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/strbuf.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "unit.h"

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *p;
	size_t len, i;
	FILE *fp;

	CHECK_STR(sb.buf, "", "a new buffer is the empty string");
	strbuf_addstr(&sb, "abc");
	strbuf_addch(&sb, 'd');
	strbuf_addf(&sb, "-%d-%s", 42, "x");
	CHECK_STR(sb.buf, "abcd-42-x", "add, addch, addf");
	CHECK_INT(sb.len, 9, "length tracks content");
	strbuf_setlen(&sb, 2);
	CHECK_STR(sb.buf, "ab", "setlen cuts");
	strbuf_add(&sb, "\0z", 2);
	CHECK_INT(sb.len, 4, "binary data keeps its length");
	CHECK(sb.buf[2] == '\0' && sb.buf[3] == 'z' && sb.buf[4] == '\0', "NUL inside, NUL after");
	p = strbuf_detach(&sb, &len);
	CHECK_INT(len, 4, "detach gives the length");
	CHECK_STR(sb.buf, "", "detach leaves an empty buffer");
	free(p);
	for (i = 0; i < 100000; i++)
		strbuf_addch(&sb, 'a' + (int)(i % 26));
	CHECK_INT(sb.len, 100000, "grows past many reallocations");
	CHECK(sb.buf[99999] == 'a' + 99999 % 26 && sb.buf[100000] == '\0', "content kept across growth");
	strbuf_release(&sb);
	CHECK_STR(sb.buf, "", "release leaves a usable empty buffer");
	strbuf_reset(&sb);
	CHECK_INT(sb.len, 0, "reset of an empty buffer");

	fp = tmpfile();
	for (i = 0; i < 200000; i++)
		fputc('x', fp);
	rewind(fp);
	CHECK_INT(strbuf_read_file_cap(&sb, fp, 300000), 0, "read under the cap");
	CHECK_INT(sb.len, 200000, "read everything");
	strbuf_release(&sb);
	rewind(fp);
	CHECK_INT(strbuf_read_file_cap(&sb, fp, 1000), -2, "read over the cap stops");
	CHECK(sb.len > 1000 && sb.len < 200000, "stops early, not at the end");
	strbuf_release(&sb);
	fclose(fp);
	return unit_done();
}
