/* SPDX-License-Identifier: MIT */
/* A tiny TAP producer for the table-driven C unit tests. */
#ifndef MLCI_UNIT_H
#define MLCI_UNIT_H

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unit_count, unit_failed;

/* Report one check: "ok N - name" or "not ok N - name" with where it failed. */
/* A test name on one TAP line: control characters shown as \n, \t, \xNN. */
static inline void unit_name(const char *name)
{
	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('\n');
}

static inline int unit_check(int cond, const char *file, int line,
			     const char *name)
{
	unit_count++;
	if (cond) {
		printf("ok %d - ", unit_count);
		unit_name(name);
		return 1;
	}
	unit_failed++;
	printf("not ok %d - ", unit_count);
	unit_name(name);
	printf("#   at %s:%d\n", file, line);
	return 0;
}

#define CHECK(cond, name) unit_check(!!(cond), __FILE__, __LINE__, (name))

#define CHECK_STR(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!unit_check(g_ && w_ ? !strcmp(g_, w_) : g_ == w_, __FILE__, \
			__LINE__, (name))) \
		printf("#   got  '%s'\n#   want '%s'\n", g_ ? g_ : "(null)", \
		       w_ ? w_ : "(null)"); \
} while (0)

#define CHECK_INT(got, want, name) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!unit_check(g_ == w_, __FILE__, __LINE__, (name))) \
		printf("#   got  %lld\n#   want %lld\n", g_, w_); \
} while (0)

/* |got - want| <= tol, NaN equal to NaN. */
#define CHECK_NEAR(got, want, tol, name) do { \
	double g_ = (got), w_ = (want); \
	int eq_ = (isnan(g_) && isnan(w_)) || fabs(g_ - w_) <= (tol); \
	if (!unit_check(eq_, __FILE__, __LINE__, (name))) \
		printf("#   got  %.17g\n#   want %.17g\n", g_, w_); \
} while (0)

/*
 * Send stderr to a temporary file until unit_capture_end(), which returns
 * what was written (the caller's; one final newline dropped), so tests can
 * check messages exactly.
 */
static FILE *unit_capture_fp;
static int unit_saved_stderr = -1;

static inline void unit_capture_start(void)
{
	fflush(stderr);
	unit_capture_fp = tmpfile();
	if (!unit_capture_fp)
		abort();
	unit_saved_stderr = dup(2);
	dup2(fileno(unit_capture_fp), 2);
}

static inline char *unit_capture_end(void)
{
	long len;
	char *text;

	fflush(stderr);
	dup2(unit_saved_stderr, 2);
	close(unit_saved_stderr);
	len = ftell(unit_capture_fp);
	text = malloc(len > 0 ? (size_t)len + 1 : 1);
	if (!text)
		abort();
	rewind(unit_capture_fp);
	if (len > 0 && fread(text, 1, (size_t)len, unit_capture_fp) != (size_t)len)
		abort();
	fclose(unit_capture_fp);
	if (len > 0 && text[len - 1] == '\n')
		len--;
	text[len > 0 ? len : 0] = '\0';
	return text;
}

/* Remove dir and the files in it (one level: what the tests write). */
static inline void unit_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
		    sizeof(path))
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* End the test program: the TAP plan, and the exit status. */
/*
 * The count doubles of the raw file dir/id.ext (a reference script's
 * numpy tofile() output), a new array; NULL unless the file holds exactly
 * count of them.
 */
static inline double *unit_read_doubles(const char *dir, const char *id,
					const char *ext, size_t count)
{
	size_t len = strlen(dir) + strlen(id) + strlen(ext) + 3;
	char *path = malloc(len);
	double *v = malloc((count ? count : 1) * sizeof(double));
	FILE *fp;
	int ok;

	if (!path || !v)
		abort();
	snprintf(path, len, "%s/%s.%s", dir, id, ext);
	fp = fopen(path, "rb");
	ok = fp && fread(v, sizeof(double), count, fp) == count &&
		fgetc(fp) == EOF;
	if (fp)
		fclose(fp);
	free(path);
	if (!ok) {
		free(v);
		return NULL;
	}
	return v;
}

static inline int unit_done(void)
{
	printf("1..%d\n", unit_count);
	return unit_failed ? 1 : 0;
}

#endif
