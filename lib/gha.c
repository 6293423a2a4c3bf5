/* SPDX-License-Identifier: MIT */
/* GitHub Actions integration: $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, workflow-command annotations and masks. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gha.h"
#include "random.h"
#include "usage.h"
#include "wrapper.h"

#define DELIMITER_PREFIX "ghadelimiter_"
#define DELIMITER_BYTES 16

/* Room kept for the note that says what a cut summary left out. */
#define SUMMARY_NOTE_ROOM 512

int mlci_gha_enabled(void)
{
	const char *v = getenv("GITHUB_ACTIONS");

	return v && !strcmp(v, "true");
}

static int valid_output_name(const char *name)
{
	const char *p;

	if (!name || !*name)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

/* Write all of data to fd. 0, or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Open path for appending, creating it: the runner creates these files
 * and reads them whole after the step. 0, or -MLCI_EXIT_SYSTEM.
 */
static int open_append(const char *path, int *fd)
{
	*fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (*fd < 0)
		return mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot open '%s'", path);
	return 0;
}

/* Write data to fd and close it; errors name path. */
static int write_close(int fd, const char *path, const char *data, size_t len)
{
	if (write_all(fd, data, len) < 0) {
		int ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot write '%s'", path);

		close(fd);
		return ret;
	}
	if (close(fd) < 0)
		return mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot write '%s'", path);
	return 0;
}

/* The text of one output, as the runner's file-command parser reads it. */
static int format_output(struct strbuf *sb, const char *name, const char *value)
{
	char delim[sizeof(DELIMITER_PREFIX) + 2 * DELIMITER_BYTES];
	int tries;

	if (!strpbrk(value, "\r\n")) {
		strbuf_addf(sb, "%s=%s\n", name, value);
		return 0;
	}
	/*
	 * The runner ends the value at the first line equal to the delimiter;
	 * refusing any delimiter found anywhere in the value is stricter and
	 * simpler. With 128 random bits, a second draw only ever happens when
	 * the value was built to collide (as the tests do under MLCI_SEED).
	 */
	for (tries = 0; tries < 100; tries++) {
		memcpy(delim, DELIMITER_PREFIX, sizeof(DELIMITER_PREFIX) - 1);
		mlci_random_hex(delim + sizeof(DELIMITER_PREFIX) - 1, DELIMITER_BYTES);
		if (!strstr(value, delim)) {
			strbuf_addf(sb, "%s<<%s\n%s\n%s\n", name, delim, value, delim);
			return 0;
		}
	}
	return mlci_error(MLCI_EXIT_BUG, "cannot find a delimiter for output '%s'",
			  name);
}

int mlci_gha_set_output(const char *name, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	const char *path;
	int fd, ret;

	if (!valid_output_name(name))
		return mlci_error(MLCI_EXIT_BUG, "invalid output name '%s'",
				  name ? name : "");
	path = getenv("GITHUB_OUTPUT");
	if (!mlci_gha_enabled() || !path || !*path)
		return 0;
	ret = format_output(&sb, name, value ? value : "");
	if (!ret)
		ret = open_append(path, &fd);
	if (!ret)
		ret = write_close(fd, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

/*
 * Where to cut text (len bytes) so that at most budget bytes remain, plus a
 * newline if the cut falls inside a line: after the last newline that
 * fits, or, inside an overlong first line, before a UTF-8 lead byte.
 */
static size_t summary_cut(const char *text, size_t len, size_t budget)
{
	const char *nl;
	size_t p;

	if (budget >= len)
		return len;
	nl = memrchr(text, '\n', budget);
	if (nl)
		return (size_t)(nl - text) + 1;
	if (budget < 1)
		return 0;
	p = budget - 1;
	while (p && ((unsigned char)text[p] & 0xc0) == 0x80)
		p--;
	return p;
}

int mlci_gha_summary(const char *markdown)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(markdown), have = 0, cut, lines = 0, i;
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	struct stat st;
	int fd, ret;

	if (!mlci_gha_enabled() || !path || !*path || !len)
		return 0;
	ret = open_append(path, &fd);
	if (ret)
		return ret;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		have = (size_t)st.st_size;
	if (have <= MLCI_GHA_SUMMARY_MAX && len <= MLCI_GHA_SUMMARY_MAX - have)
		return write_close(fd, path, markdown, len);

	if (have > MLCI_GHA_SUMMARY_MAX - SUMMARY_NOTE_ROOM) {
		close(fd);
		mlci_warning("step summary '%s' is full; %zu bytes left out", path, len);
		return 0;
	}
	cut = summary_cut(markdown, len, MLCI_GHA_SUMMARY_MAX - SUMMARY_NOTE_ROOM - have);
	for (i = cut; i < len; i++)
		lines += markdown[i] == '\n';
	if (markdown[len - 1] != '\n')
		lines++;
	strbuf_add(&sb, markdown, cut);
	if (cut && markdown[cut - 1] != '\n')
		strbuf_addch(&sb, '\n');
	strbuf_addf(&sb, "\n> **Summary cut:** %zu bytes (%zu line%s) left out to stay "
		    "under GitHub's 1 MiB step summary limit; the full report is in "
		    "the record and on standard error.\n",
		    len - cut, lines, lines == 1 ? "" : "s");
	ret = write_close(fd, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

static const char *level_name(enum mlci_gha_level level)
{
	switch (level) {
	case MLCI_GHA_ERROR:
		return "error";
	case MLCI_GHA_WARNING:
		return "warning";
	case MLCI_GHA_NOTICE:
		break;
	}
	return "notice";
}

/*
 * Escape s as the runner expects: in a command's data '%', CR and LF; in a
 * property value (property set) also ':' and ','.
 */
static void escape(struct strbuf *sb, const char *s, int property)
{
	for (; *s; s++) {
		if (*s == '%')
			strbuf_addstr(sb, "%25");
		else if (*s == '\r')
			strbuf_addstr(sb, "%0D");
		else if (*s == '\n')
			strbuf_addstr(sb, "%0A");
		else if (property && *s == ':')
			strbuf_addstr(sb, "%3A");
		else if (property && *s == ',')
			strbuf_addstr(sb, "%2C");
		else
			strbuf_addch(sb, *s);
	}
}

static void escape_data(struct strbuf *sb, const char *s)
{
	escape(sb, s, 0);
}

static void escape_property(struct strbuf *sb, const char *s)
{
	escape(sb, s, 1);
}

void mlci_gha_format_annotation(struct strbuf *sb, enum mlci_gha_level level,
				const char *file, long line, const char *title,
				const char *message)
{
	const char *sep = " ";

	strbuf_addf(sb, "::%s", level_name(level));
	if (file && *file) {
		strbuf_addf(sb, "%sfile=", sep);
		escape_property(sb, file);
		sep = ",";
	}
	if (line > 0) {
		strbuf_addf(sb, "%sline=%ld", sep, line);
		sep = ",";
	}
	if (title && *title) {
		strbuf_addf(sb, "%stitle=", sep);
		escape_property(sb, title);
	}
	strbuf_addstr(sb, "::");
	escape_data(sb, message ? message : "");
	strbuf_addch(sb, '\n');
}

/* The kept annotations, worst level first, in order of arrival within a level. */
static struct queued {
	enum mlci_gha_level level;
	char *text;
} queue[MLCI_GHA_MAX_ANNOTATIONS];
static size_t queue_nr, dropped;
static enum mlci_gha_level worst_dropped;

static void count_dropped(enum mlci_gha_level level)
{
	dropped++;
	if (level > worst_dropped)
		worst_dropped = level;
}

void mlci_gha_annotate(enum mlci_gha_level level, const char *file, long line,
		       const char *title, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT, cmd = STRBUF_INIT;
	size_t pos = 0;
	va_list ap;

	if (level != MLCI_GHA_ERROR && level != MLCI_GHA_WARNING)
		level = MLCI_GHA_NOTICE;
	while (pos < queue_nr && queue[pos].level >= level)
		pos++;
	if (pos == MLCI_GHA_MAX_ANNOTATIONS) {
		count_dropped(level);
		return;
	}
	if (queue_nr == MLCI_GHA_MAX_ANNOTATIONS) {
		queue_nr--;
		count_dropped(queue[queue_nr].level);
		free(queue[queue_nr].text);
	}
	memmove(queue + pos + 1, queue + pos, (queue_nr - pos) * sizeof(*queue));
	queue_nr++;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	mlci_gha_format_annotation(&cmd, level, file, line, title, msg.buf);
	strbuf_release(&msg);
	queue[pos].level = level;
	queue[pos].text = strbuf_detach(&cmd, NULL);
}

void mlci_gha_release(void)
{
	size_t i;

	for (i = 0; i < queue_nr; i++)
		free(queue[i].text);
	queue_nr = 0;
	dropped = 0;
	worst_dropped = 0;
}

void mlci_gha_flush_to(struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < queue_nr; i++)
		strbuf_addstr(sb, queue[i].text);
	if (dropped)
		strbuf_addf(sb, "::%s::%zu more problem%s not annotated; see the log\n",
			    worst_dropped == MLCI_GHA_NOTICE ? "notice" : "warning",
			    dropped, dropped == 1 ? "" : "s");
	mlci_gha_release();
}

void mlci_gha_flush(void)
{
	struct strbuf sb = STRBUF_INIT;

	mlci_gha_flush_to(&sb);
	if (sb.len && mlci_gha_enabled()) {
		fputs(sb.buf, stderr);
		fflush(stderr);
	}
	strbuf_release(&sb);
}

void mlci_gha_format_mask(struct strbuf *sb, const char *secret)
{
	const char *p = secret;

	while (p && *p) {
		size_t n = strcspn(p, "\r\n");

		if (n) {
			char *line = xstrndup(p, n);

			strbuf_addstr(sb, "::add-mask::");
			escape_data(sb, line);
			strbuf_addch(sb, '\n');
			free(line);
		}
		p += n;
		p += strspn(p, "\r\n");
	}
}

void mlci_gha_mask(const char *secret)
{
	struct strbuf sb = STRBUF_INIT;

	if (!mlci_gha_enabled())
		return;
	mlci_gha_format_mask(&sb, secret);
	if (sb.len) {
		fputs(sb.buf, stderr);
		fflush(stderr);
	}
	strbuf_release(&sb);
}
