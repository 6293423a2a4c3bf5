/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/gha.c: outputs, step summary, annotations, masks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gha.h"
#include "random.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

#define SEED 7

static char dir[] = "/tmp/test-gha.XXXXXX";
static struct mlci_rng predicted;	/* mirrors lib/random.c under MLCI_SEED */

/* The delimiter the library draws next, as lib/random.c makes its bytes. */
static void next_delimiter(char out[64])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	memcpy(out, "ghadelimiter_", 13);
	for (i = 0; i < 16; i++) {
		unsigned b = (unsigned)(mlci_rng_next(&predicted) >> 56);

		out[13 + 2 * i] = hex[b >> 4];
		out[14 + 2 * i] = hex[b & 15];
	}
	out[45] = '\0';
}

static void slurp(const char *path, struct strbuf *sb)
{
	FILE *fp = fopen(path, "rb");

	strbuf_reset(sb);
	if (fp) {
		strbuf_read_file_cap(sb, fp, 4 << 20);
		fclose(fp);
	}
}

/*
 * Parse a $GITHUB_OUTPUT file as the runner's FileCommandManager does
 * (Linux: lines end at '\n'). Returns the number of outputs, the last one
 * in key/value; -1 on an unterminated heredoc.
 */
static int runner_parse(const char *text, struct strbuf *key, struct strbuf *value)
{
	const char *p = text;
	int n = 0;

	while (*p) {
		const char *eol = strchr(p, '\n'), *eq, *here;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = xstrndup(p, len);

		p += len + (eol ? 1 : 0);
		if (!*line) {
			free(line);
			continue;
		}
		eq = strchr(line, '=');
		here = strstr(line, "<<");
		strbuf_reset(key);
		strbuf_reset(value);
		if (eq && (!here || eq < here)) {
			strbuf_add(key, line, (size_t)(eq - line));
			strbuf_addstr(value, eq + 1);
		} else if (here) {
			const char *delim = here + 2, *start = p, *end = p;

			strbuf_add(key, line, (size_t)(here - line));
			for (;;) {
				const char *e = strchr(p, '\n');
				size_t l = e ? (size_t)(e - p) : strlen(p);

				if (!*p) {
					free(line);
					return -1;
				}
				if (l == strlen(delim) && !strncmp(p, delim, l)) {
					p += l + (e ? 1 : 0);
					break;
				}
				p += l + (e ? 1 : 0);
				end = e ? p - 1 : p;
			}
			strbuf_add(value, start, (size_t)(end - start));
		}
		free(line);
		n++;
	}
	return n;
}

static void test_outputs(void)
{
	char *out = xstrfmt("%s/output", dir), *want, *value;
	char d1[64], d2[64], d3[64];
	struct strbuf sb = STRBUF_INIT, key = STRBUF_INIT, val = STRBUF_INIT;
	static const char *bad[] = { "", "a b", "a=b", "a<<b", "r\xc3\xa9sultat",
				     "x\n", "a.b" };
	size_t i;

	unsetenv("GITHUB_ACTIONS");
	setenv("GITHUB_OUTPUT", out, 1);
	CHECK_INT(mlci_gha_enabled(), 0, "not enabled without GITHUB_ACTIONS");
	CHECK_INT(mlci_gha_set_output("ok", "true"), 0, "no-op outside Actions");
	CHECK(access(out, F_OK) < 0, "no output file written outside Actions");
	setenv("GITHUB_ACTIONS", "false", 1);
	CHECK_INT(mlci_gha_enabled(), 0, "GITHUB_ACTIONS=false is not Actions");
	setenv("GITHUB_ACTIONS", "true", 1);
	CHECK_INT(mlci_gha_enabled(), 1, "GITHUB_ACTIONS=true");

	unsetenv("GITHUB_OUTPUT");
	CHECK_INT(mlci_gha_set_output("ok", "true"), 0, "no GITHUB_OUTPUT: no-op");
	setenv("GITHUB_OUTPUT", out, 1);

	CHECK_INT(mlci_gha_set_output("ok", "true"), 0, "single-line output");
	CHECK_INT(mlci_gha_set_output("model-uri_2", "models:/M@champion=x<<y"), 0,
		  "single-line output with '=' and '<<'");
	CHECK_INT(mlci_gha_set_output("empty", NULL), 0, "NULL value");
	slurp(out, &sb);
	CHECK_STR(sb.buf, "ok=true\nmodel-uri_2=models:/M@champion=x<<y\nempty=\n",
		  "single-line outputs appended as name=value");
	unlink(out);

	next_delimiter(d1);
	CHECK_INT(mlci_gha_set_output("report", "a\nb\n"), 0, "multi-line output");
	want = xstrfmt("report<<%s\na\nb\n\n%s\n", d1, d1);
	slurp(out, &sb);
	CHECK_STR(sb.buf, want, "multi-line output as a heredoc");
	CHECK(runner_parse(sb.buf, &key, &val) == 1 && !strcmp(key.buf, "report") &&
	      !strcmp(val.buf, "a\nb\n"), "runner reads the multi-line value back");
	free(want);
	unlink(out);

	next_delimiter(d1);
	CHECK_INT(mlci_gha_set_output("cr", "x\ry"), 0, "value with CR");
	want = xstrfmt("cr<<%s\nx\ry\n%s\n", d1, d1);
	slurp(out, &sb);
	CHECK_STR(sb.buf, want, "a CR alone also makes a heredoc");
	free(want);
	unlink(out);

	/*
	 * A value that holds the very delimiter the library will draw first,
	 * and tries to smuggle in a second output after it.
	 */
	next_delimiter(d1);
	next_delimiter(d2);
	value = xstrfmt("line 1\n%s\nevil=1\n%s<<%s\npwned\n%s", d1, d2, d1, d1);
	CHECK_INT(mlci_gha_set_output("log", value), 0, "hostile value");
	slurp(out, &sb);
	CHECK(strstr(value, d2) != NULL, "the value also holds the second draw");
	next_delimiter(d3);
	want = xstrfmt("log<<%s\n%s\n%s\n", d3, value, d3);
	CHECK_STR(sb.buf, want, "delimiter drawn again until absent from the value");
	CHECK(strstr(value, d3) == NULL, "final delimiter not in the value");
	CHECK(runner_parse(sb.buf, &key, &val) == 1 && !strcmp(key.buf, "log") &&
	      !strcmp(val.buf, value), "runner sees one output, value verbatim");
	free(want);
	free(value);
	unlink(out);

	mlci_set_quiet(1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(mlci_gha_set_output(bad[i], "v"), -MLCI_EXIT_BUG, bad[i]);
	CHECK_INT(mlci_gha_set_output(NULL, "v"), -MLCI_EXIT_BUG, "NULL name");
	unsetenv("GITHUB_ACTIONS");
	CHECK_INT(mlci_gha_set_output("a b", "v"), -MLCI_EXIT_BUG,
		  "bad name refused outside Actions too");
	setenv("GITHUB_ACTIONS", "true", 1);
	CHECK(access(out, F_OK) < 0, "nothing written for bad names");

	setenv("GITHUB_OUTPUT", "/nonexistent-dir/output", 1);
	CHECK_INT(mlci_gha_set_output("ok", "true"), -MLCI_EXIT_SYSTEM,
		  "unwritable GITHUB_OUTPUT is a system error");
	setenv("GITHUB_OUTPUT", "/dev/full", 1);
	CHECK_INT(mlci_gha_set_output("ok", "true"), -MLCI_EXIT_SYSTEM,
		  "write error on GITHUB_OUTPUT is a system error");
	mlci_set_quiet(0);
	unsetenv("GITHUB_OUTPUT");

	free(out);
	strbuf_release(&sb);
	strbuf_release(&key);
	strbuf_release(&val);
}

static void prefill(const char *path, size_t n)
{
	FILE *fp = fopen(path, "wb");
	size_t i;

	for (i = 0; fp && i < n; i++)
		putc(i % 80 == 79 ? '\n' : 'p', fp);
	if (fp)
		fclose(fp);
}

static void test_summary(void)
{
	char *path = xstrfmt("%s/summary.md", dir), *md, *note;
	struct strbuf sb = STRBUF_INIT, text = STRBUF_INIT;
	size_t have, kept, i, lines;
	const char *tail;

	setenv("GITHUB_STEP_SUMMARY", path, 1);
	unsetenv("GITHUB_ACTIONS");
	CHECK_INT(mlci_gha_summary("# Gate\n"), 0, "summary outside Actions");
	CHECK(access(path, F_OK) < 0, "no summary written outside Actions");
	setenv("GITHUB_ACTIONS", "true", 1);

	CHECK_INT(mlci_gha_summary("# Gate\n"), 0, "summary");
	CHECK_INT(mlci_gha_summary("| a | b |\n"), 0, "summary appended");
	slurp(path, &sb);
	CHECK_STR(sb.buf, "# Gate\n| a | b |\n", "summary text appended verbatim");

	/* Exactly up to the limit fits whole. */
	prefill(path, MLCI_GHA_SUMMARY_MAX - 10);
	CHECK_INT(mlci_gha_summary("123456789\n"), 0, "text that just fits");
	slurp(path, &sb);
	CHECK(sb.len == MLCI_GHA_SUMMARY_MAX &&
	      !strcmp(sb.buf + sb.len - 10, "123456789\n"), "file exactly 1 MiB, whole text");

	/* Near the limit: cut at a line boundary, with the note. */
	have = MLCI_GHA_SUMMARY_MAX - 3000;
	prefill(path, have);
	for (i = 0; i < 400; i++)
		strbuf_addf(&text, "| row %zu | caf\xc3\xa9 |\n", i);
	CHECK_INT(mlci_gha_summary(text.buf), 0, "summary cut near the limit");
	slurp(path, &sb);
	CHECK(sb.len <= MLCI_GHA_SUMMARY_MAX, "file stays within 1 MiB");
	note = strstr(sb.buf + have, "\n> **Summary cut:** ");
	CHECK(note != NULL, "note present");
	kept = note ? (size_t)(note - (sb.buf + have)) : 0;
	CHECK(kept > 2000 && kept < 3000, "most of the room is used");
	CHECK(kept && !strncmp(sb.buf + have, text.buf, kept) &&
	      text.buf[kept - 1] == '\n', "kept text is a prefix ending at a line end");
	for (i = kept, lines = 0; i < text.len; i++)
		lines += text.buf[i] == '\n';
	md = xstrfmt("\n> **Summary cut:** %zu bytes (%zu lines) left out to stay "
		     "under GitHub's 1 MiB step summary limit; the full report is "
		     "in the record and on standard error.\n", text.len - kept, lines);
	CHECK_STR(note, md, "note counts the bytes and lines left out");
	free(md);

	/* One overlong line of two-byte characters: cut between characters. */
	have = MLCI_GHA_SUMMARY_MAX - 1000;
	prefill(path, have);
	strbuf_reset(&text);
	for (i = 0; i < 2000; i++)
		strbuf_addstr(&text, "\xc3\xa9");
	CHECK_INT(mlci_gha_summary(text.buf), 0, "overlong line");
	slurp(path, &sb);
	tail = sb.buf + have;
	note = strstr(tail, "\n\n> **Summary cut:** ");
	CHECK(sb.len <= MLCI_GHA_SUMMARY_MAX && note, "overlong line cut with a note");
	kept = note ? (size_t)(note - tail) : 1;
	CHECK(kept > 0 && kept % 2 == 0 && !strncmp(tail, text.buf, kept),
	      "cut never inside a UTF-8 sequence");
	md = xstrfmt(" %zu bytes (1 line) left out", text.len - kept);
	CHECK(note && strstr(note, md), "partial line counted as one line");
	free(md);

	/* Full already: 200 bytes do not fit, nor does the note. */
	prefill(path, MLCI_GHA_SUMMARY_MAX - 100);
	strbuf_reset(&text);
	for (i = 0; i < 20; i++)
		strbuf_addstr(&text, "| more |\n");
	mlci_set_quiet(1);
	CHECK_INT(mlci_gha_summary(text.buf), 0, "full summary is not an error");
	mlci_set_quiet(0);
	slurp(path, &sb);
	CHECK_INT(sb.len, MLCI_GHA_SUMMARY_MAX - 100, "full summary left as it was");

	mlci_set_quiet(1);
	setenv("GITHUB_STEP_SUMMARY", "/dev/full", 1);
	CHECK_INT(mlci_gha_summary("x\n"), -MLCI_EXIT_SYSTEM, "write error on the summary");
	mlci_set_quiet(0);
	unsetenv("GITHUB_STEP_SUMMARY");
	unlink(path);
	free(path);
	strbuf_release(&sb);
	strbuf_release(&text);
}

static const struct {
	enum mlci_gha_level level;
	const char *file;
	long line;
	const char *title, *message, *want;
} formats[] = {
	{ MLCI_GHA_ERROR, "data.csv", 12, "Range", "age out of range",
	  "::error file=data.csv,line=12,title=Range::age out of range\n" },
	{ MLCI_GHA_WARNING, NULL, 0, NULL, "plain", "::warning::plain\n" },
	{ MLCI_GHA_NOTICE, "", -3, "", "empty properties", "::notice::empty properties\n" },
	{ MLCI_GHA_NOTICE, NULL, 7, NULL, "m", "::notice line=7::m\n" },
	{ MLCI_GHA_ERROR, NULL, 0, "T", "m", "::error title=T::m\n" },
	{ MLCI_GHA_ERROR, "a:b,c%d\r\ne", 1, "x: y, 100%", "50% a:b,c\r\nnext",
	  "::error file=a%3Ab%2Cc%25d%0D%0Ae,line=1,title=x%3A y%2C 100%25::50%25 a:b,c%0D%0Anext\n" },
	{ MLCI_GHA_WARNING, "d/f.csv", 0, NULL, "::error::fake",
	  "::warning file=d/f.csv::::error::fake\n" },
	{ MLCI_GHA_ERROR, NULL, 0, NULL, "%25 stays literal", "::error::%2525 stays literal\n" },
};

static void test_annotations(void)
{
	struct strbuf sb = STRBUF_INIT, want = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		strbuf_reset(&sb);
		mlci_gha_format_annotation(&sb, formats[i].level, formats[i].file,
					   formats[i].line, formats[i].title,
					   formats[i].message);
		CHECK_STR(sb.buf, formats[i].want, formats[i].want);
	}

	/* Worst first, stable within a level; printf-style message. */
	mlci_gha_annotate(MLCI_GHA_NOTICE, NULL, 0, NULL, "n%d", 1);
	mlci_gha_annotate(MLCI_GHA_WARNING, "f.csv", 2, NULL, "w%d", 1);
	mlci_gha_annotate(MLCI_GHA_ERROR, NULL, 0, "E", "e%d", 1);
	mlci_gha_annotate(MLCI_GHA_WARNING, NULL, 0, NULL, "w%d", 2);
	mlci_gha_annotate(MLCI_GHA_ERROR, NULL, 0, NULL, "e%s", "2: 100%");
	strbuf_reset(&sb);
	mlci_gha_flush_to(&sb);
	CHECK_STR(sb.buf, "::error title=E::e1\n::error::e2: 100%25\n"
		  "::warning file=f.csv,line=2::w1\n::warning::w2\n::notice::n1\n",
		  "annotations sorted worst first, stable within a level");
	strbuf_reset(&sb);
	mlci_gha_flush_to(&sb);
	CHECK_STR(sb.buf, "", "flush empties the queue");

	/* 3 notices, 12 warnings, 2 errors: 10 shown, 7 counted. */
	for (i = 0; i < 3; i++)
		mlci_gha_annotate(MLCI_GHA_NOTICE, NULL, 0, NULL, "n%zu", i);
	for (i = 0; i < 12; i++) {
		mlci_gha_annotate(MLCI_GHA_WARNING, NULL, 0, NULL, "w%zu", i);
		if (i == 5)
			mlci_gha_annotate(MLCI_GHA_ERROR, NULL, 0, NULL, "e0");
	}
	mlci_gha_annotate(MLCI_GHA_ERROR, NULL, 0, NULL, "e1");
	strbuf_addstr(&want, "::error::e0\n::error::e1\n");
	for (i = 0; i < 8; i++)
		strbuf_addf(&want, "::warning::w%zu\n", i);
	strbuf_addstr(&want, "::warning::7 more problems not annotated; see the log\n");
	strbuf_reset(&sb);
	mlci_gha_flush_to(&sb);
	CHECK_STR(sb.buf, want.buf, "at most 10 annotations, then a count line");

	for (i = 0; i < 11; i++)
		mlci_gha_annotate(MLCI_GHA_NOTICE, NULL, 0, NULL, "n%zu", i);
	strbuf_reset(&want);
	for (i = 0; i < 10; i++)
		strbuf_addf(&want, "::notice::n%zu\n", i);
	strbuf_addstr(&want, "::notice::1 more problem not annotated; see the log\n");
	strbuf_reset(&sb);
	mlci_gha_flush_to(&sb);
	CHECK_STR(sb.buf, want.buf, "only notices left out: a notice count line");

	for (i = 0; i < 20; i++)
		mlci_gha_annotate(MLCI_GHA_ERROR, NULL, 0, NULL, "e%zu", i);
	mlci_gha_release();
	strbuf_reset(&sb);
	mlci_gha_flush_to(&sb);
	CHECK_STR(sb.buf, "", "release forgets the queue and the count");

	strbuf_release(&sb);
	strbuf_release(&want);
}

static int saved_stderr = -1;
static FILE *capture;

static void capture_start(void)
{
	fflush(stderr);
	capture = tmpfile();
	saved_stderr = dup(2);
	dup2(fileno(capture), 2);
}

static void capture_end(struct strbuf *sb)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	strbuf_reset(sb);
	rewind(capture);
	strbuf_read_file_cap(sb, capture, 1 << 20);
	fclose(capture);
}

static void test_mask_and_flush(void)
{
	struct strbuf sb = STRBUF_INIT;

	mlci_gha_format_mask(&sb, "s3cr3t");
	CHECK_STR(sb.buf, "::add-mask::s3cr3t\n", "mask one line");
	strbuf_reset(&sb);
	mlci_gha_format_mask(&sb, "-----BEGIN KEY-----\r\nab%cd\n\nlast");
	CHECK_STR(sb.buf, "::add-mask::-----BEGIN KEY-----\n::add-mask::ab%25cd\n"
		  "::add-mask::last\n", "multi-line secret masked line by line");
	strbuf_reset(&sb);
	mlci_gha_format_mask(&sb, "");
	mlci_gha_format_mask(&sb, NULL);
	mlci_gha_format_mask(&sb, "\n\r\n");
	CHECK_STR(sb.buf, "", "nothing to mask");

	unsetenv("GITHUB_ACTIONS");
	capture_start();
	mlci_gha_mask("hunter2");
	mlci_gha_annotate(MLCI_GHA_ERROR, NULL, 0, NULL, "dropped");
	mlci_gha_flush();
	capture_end(&sb);
	CHECK_STR(sb.buf, "", "outside Actions: no mask, no annotations printed");
	strbuf_reset(&sb);
	mlci_gha_flush_to(&sb);
	CHECK_STR(sb.buf, "", "outside Actions the flush still empties the queue");

	setenv("GITHUB_ACTIONS", "true", 1);
	capture_start();
	mlci_gha_mask("hunter2\nline2");
	mlci_gha_mask("");
	mlci_gha_annotate(MLCI_GHA_WARNING, "x.csv", 3, NULL, "w");
	mlci_gha_annotate(MLCI_GHA_ERROR, NULL, 0, NULL, "e");
	mlci_gha_flush();
	capture_end(&sb);
	CHECK_STR(sb.buf, "::add-mask::hunter2\n::add-mask::line2\n"
		  "::error::e\n::warning file=x.csv,line=3::w\n",
		  "under Actions: masks and annotations on stderr");
	strbuf_release(&sb);
}

int main(void)
{
	char seed[16];

	/* Before any random draw, so the delimiters can be predicted. */
	snprintf(seed, sizeof(seed), "%d", SEED);
	setenv("MLCI_SEED", seed, 1);
	mlci_rng_seed(&predicted, SEED);
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return unit_done();
	}
	test_outputs();
	test_summary();
	test_annotations();
	test_mask_and_flush();
	rmdir(dir);
	return unit_done();
}
