/* SPDX-License-Identifier: MIT */
/* GitHub Actions: step outputs, the step summary, annotations and masks, active under GITHUB_ACTIONS=true. */
#ifndef MLCI_GHA_H
#define MLCI_GHA_H

#include "strbuf.h"

/* GitHub refuses a step summary larger than this. */
#define MLCI_GHA_SUMMARY_MAX (1024 * 1024)

/* At most this many annotations per step; the rest are counted in one line. */
#define MLCI_GHA_MAX_ANNOTATIONS 10

/* Annotation levels, in increasing severity: error > warning > notice. */
enum mlci_gha_level {
	MLCI_GHA_NOTICE = 1,
	MLCI_GHA_WARNING = 2,
	MLCI_GHA_ERROR = 3
};

/* 1 when running under GitHub Actions (GITHUB_ACTIONS=true), else 0. */
int mlci_gha_enabled(void);

/*
 * Append the step output name=value to the file named by $GITHUB_OUTPUT.
 * A value holding '\n' or '\r' is written as a heredoc
 * "name<<ghadelimiter_<32 random hex digits>", the value, the delimiter;
 * the delimiter is drawn again while it occurs in the value, so no value
 * can end the heredoc early and inject another output. value NULL is "".
 * The name must match [A-Za-z0-9_-]+ (checked even when not under
 * Actions, so the bug shows locally): otherwise -MLCI_EXIT_BUG. Not under
 * Actions, or $GITHUB_OUTPUT unset or empty: does nothing and returns 0.
 * A file that cannot be opened or written: -MLCI_EXIT_SYSTEM.
 */
int mlci_gha_set_output(const char *name, const char *value);

/*
 * Append markdown to the file named by $GITHUB_STEP_SUMMARY, keeping the
 * file (what it already holds included) within MLCI_GHA_SUMMARY_MAX bytes:
 * if the text does not fit, it is cut after the last whole line that fits
 * (within a single overlong line: at a UTF-8 character boundary) and a
 * final note says how many bytes and lines were left out and that the full
 * report is in the record and on standard error. When even the note does
 * not fit, nothing is appended and a warning goes to stderr. Not under
 * Actions or no $GITHUB_STEP_SUMMARY: returns 0. I/O errors:
 * -MLCI_EXIT_SYSTEM.
 */
int mlci_gha_summary(const char *markdown);

/*
 * Queue an annotation: level, optional file (NULL or "" to omit), line
 * (<= 0 to omit), optional title, and a printf-style message. Only the
 * MLCI_GHA_MAX_ANNOTATIONS worst are kept (worst level first, in order of
 * arrival within a level); the others are only counted, so memory stays
 * bounded whatever a tool reports. Nothing is printed until
 * mlci_gha_flush().
 */
void mlci_gha_annotate(enum mlci_gha_level level, const char *file, long line,
		       const char *title, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Append to sb one workflow command "::<level> file=F,line=N,title=T::MSG"
 * and a newline, with properties left out when not given (the same
 * conventions as mlci_gha_annotate()). In MSG '%', '\r' and '\n' become
 * %25, %0D and %0A; in property values ':' and ',' also become %3A and
 * %2C, as the runner expects.
 */
void mlci_gha_format_annotation(struct strbuf *sb, enum mlci_gha_level level,
				const char *file, long line, const char *title,
				const char *message);

/*
 * Append the queued annotations to sb, worst first, then, if some were
 * left out, one "::warning::N more problems not annotated; see the log"
 * line (::notice:: when only notices were left out); then empty the queue.
 */
void mlci_gha_flush_to(struct strbuf *sb);

/*
 * Under Actions, write the queued annotations to standard error (the
 * runner reads workflow commands there too; standard output carries only
 * the record). Either way the queue is emptied.
 */
void mlci_gha_flush(void);

/* Forget the queued annotations without printing them. */
void mlci_gha_release(void);

/*
 * Append "::add-mask::<line>" and a newline to sb for each non-empty line
 * of secret (lines end at '\n' or '\r'), '%' escaped as %25. NULL or ""
 * appends nothing.
 */
void mlci_gha_format_mask(struct strbuf *sb, const char *secret);

/*
 * Under Actions, ask the runner to mask secret in the log (the lines of
 * mlci_gha_format_mask() on standard error). Outside Actions prints
 * nothing: the secret is never written anywhere by this call.
 */
void mlci_gha_mask(const char *secret);

#endif
