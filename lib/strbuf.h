/* SPDX-License-Identifier: MIT */
/* A growable, always NUL-terminated byte buffer (git's strbuf). */
#ifndef MLCI_STRBUF_H
#define MLCI_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;	/* never NULL; "" until something is added */
};

#define STRBUF_INIT { 0, 0, strbuf_slopbuf }
extern char strbuf_slopbuf[];

void strbuf_init(struct strbuf *sb, size_t hint);
/* Free the contents; the buffer is empty and usable again. */
void strbuf_release(struct strbuf *sb);
/* Hand the buffer over (the caller frees it); sb is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Append the whole of fp to sb, refusing to hold more than max bytes in all.
 * Returns 0; -1 with errno set on a read error; -2 when the cap is passed
 * (what was read so far stays in sb).
 */
int strbuf_read_file_cap(struct strbuf *sb, FILE *fp, size_t max);

#endif
