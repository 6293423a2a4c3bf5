/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/atomic.c: whole or nothing, no leftovers, modes, errors. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"
#include "unit.h"

static char dir[] = "/tmp/test-atomic.XXXXXX";

/* The whole content of path into sb; -1 if it cannot be read. */
static int slurp(const char *path, struct strbuf *sb)
{
	FILE *fp = fopen(path, "rb");
	int ret;

	strbuf_reset(sb);
	if (!fp)
		return -1;
	ret = strbuf_read_file_cap(sb, fp, 64 << 20);
	fclose(fp);
	return ret;
}

/* The names in d, sorted and joined with spaces ("." and ".." left out). */
static char *listing(const char *d)
{
	struct dirent **names;
	struct strbuf sb = STRBUF_INIT;
	int i, n = scandir(d, &names, NULL, alphasort);

	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
			if (sb.len)
				strbuf_addch(&sb, ' ');
			strbuf_addstr(&sb, names[i]->d_name);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return strbuf_detach(&sb, NULL);
}

static void check_listing(const char *d, const char *want, const char *name)
{
	char *got = listing(d);

	CHECK_STR(got, want, name);
	free(got);
}

static void test_write_whole(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/model.json", dir);
	struct mlci_atomic a = MLCI_ATOMIC_INIT;

	CHECK_INT(mlci_atomic_write_file(path, "{\"a\": 1}\n", 9), 0,
		  "write a new file");
	CHECK(slurp(path, &sb) == 0 && !strcmp(sb.buf, "{\"a\": 1}\n"),
	      "new file holds the content");
	CHECK_INT(mlci_atomic_write_file(path, "second", 6), 0,
		  "replace the file");
	CHECK(slurp(path, &sb) == 0 && !strcmp(sb.buf, "second"),
	      "replaced file holds the new content");
	check_listing(dir, "model.json", "no temporary file left after commits");

	/* Until the commit, the target keeps its old content. */
	CHECK_INT(mlci_atomic_open(&a, path), 0, "open over an existing file");
	CHECK(a.fp && a.fd == fileno(a.fp), "handle open");
	CHECK(a.tmp && !strncmp(a.tmp, dir, strlen(dir)) &&
	      !strncmp(a.tmp + strlen(dir), "/.model.json.", 13) &&
	      strlen(a.tmp) == strlen(dir) + 13 + 6,
	      "temporary file is .<base>.XXXXXX in the same directory");
	fputs("third, ", a.fp);
	fprintf(a.fp, "%d lines\n", 3);
	fflush(a.fp);
	CHECK(slurp(path, &sb) == 0 && !strcmp(sb.buf, "second"),
	      "target unchanged before the commit");
	CHECK_INT(mlci_atomic_commit(&a), 0, "commit");
	CHECK(a.fp == NULL && a.tmp == NULL && a.path == NULL && a.fd == -1,
	      "handle released by the commit");
	CHECK(slurp(path, &sb) == 0 && !strcmp(sb.buf, "third, 3 lines\n"),
	      "committed content");
	mlci_atomic_abort(&a);
	CHECK(slurp(path, &sb) == 0 && !strcmp(sb.buf, "third, 3 lines\n"),
	      "abort after a commit changes nothing");
	check_listing(dir, "model.json", "no temporary file left after open/commit");

	CHECK_INT(mlci_atomic_write_file(path, "", 0), 0, "write an empty file");
	CHECK(slurp(path, &sb) == 0 && sb.len == 0, "empty file");

	unlink(path);
	free(path);
	strbuf_release(&sb);
}

static void test_abort(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/keep.csv", dir);
	struct mlci_atomic a = MLCI_ATOMIC_INIT;

	mlci_atomic_abort(&a);
	CHECK(a.fp == NULL && a.tmp == NULL, "abort of a never-opened handle");

	CHECK_INT(mlci_atomic_write_file(path, "a,b\n1,2\n", 8), 0, "old file");
	CHECK_INT(mlci_atomic_open(&a, path), 0, "open");
	fputs("half a new fi", a.fp);
	mlci_atomic_abort(&a);
	CHECK(a.fp == NULL && a.tmp == NULL && a.path == NULL, "handle released");
	CHECK(slurp(path, &sb) == 0 && !strcmp(sb.buf, "a,b\n1,2\n"),
	      "old file intact after abort");
	check_listing(dir, "keep.csv", "no temporary file left after abort");
	unlink(path);

	CHECK_INT(mlci_atomic_open(&a, path), 0, "open a new file");
	fputs("never", a.fp);
	mlci_atomic_abort(&a);
	check_listing(dir, "", "aborted new file never appears");
	free(path);
	strbuf_release(&sb);
}

static void test_modes(void)
{
	static const struct {
		mode_t umask, want;
	} table[] = {
		{ 022, 0644 }, { 077, 0600 }, { 002, 0664 }, { 0, 0666 }, { 0277, 0400 },
	};
	char *path = xstrfmt("%s/mode", dir);
	mode_t old = umask(022);
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		char name[64];

		umask(table[i].umask);
		snprintf(name, sizeof(name), "mode 0%o under umask 0%03o",
			 (unsigned)table[i].want, (unsigned)table[i].umask);
		CHECK(mlci_atomic_write_file(path, "x", 1) == 0 &&
		      stat(path, &st) == 0 && (st.st_mode & 07777) == table[i].want,
		      name);
		CHECK_INT(umask(022), table[i].umask, "umask left as it was");
		unlink(path);
	}
	umask(old);
	free(path);
}

static void test_relative(void)
{
	struct strbuf sb = STRBUF_INIT;
	char cwd[4096];

	if (!getcwd(cwd, sizeof(cwd)) || chdir(dir) < 0) {
		CHECK(0, "chdir into the test directory");
		return;
	}
	CHECK_INT(mlci_atomic_write_file("plain.txt", "rel", 3), 0,
		  "a path without a directory");
	CHECK(slurp("plain.txt", &sb) == 0 && !strcmp(sb.buf, "rel"),
	      "relative file content");
	check_listing(".", "plain.txt", "relative: no temporary file left");
	unlink("plain.txt");
	CHECK(chdir(cwd) == 0, "chdir back");
	strbuf_release(&sb);
}

static void test_errors(void)
{
	char *missing = xstrfmt("%s/no/such/dir/out.json", dir);
	char *trailing = xstrfmt("%s/", dir);
	struct mlci_atomic a = MLCI_ATOMIC_INIT;
	FILE *tmp = tmpfile();
	char line[512] = "", *want;
	int saved = dup(2), ret;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	mlci_progname = "test-atomic";
	ret = mlci_atomic_write_file(missing, "x", 1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	if (!fgets(line, sizeof(line), tmp))
		line[0] = '\0';
	fclose(tmp);
	CHECK_INT(ret, -MLCI_EXIT_SYSTEM, "missing directory is a system error");
	want = xstrfmt("test-atomic: cannot create a temporary file for '%s': No such file or directory\n",
		       missing);
	CHECK_STR(line, want, "message names the path");
	free(want);

	mlci_set_quiet(1);
	CHECK_INT(mlci_atomic_open(&a, missing), -MLCI_EXIT_SYSTEM,
		  "open in a missing directory");
	CHECK(a.fp == NULL && a.tmp == NULL && a.path == NULL,
	      "failed open leaves the handle closed");
	CHECK_INT(mlci_atomic_write_file(trailing, "x", 1), -MLCI_EXIT_SYSTEM,
		  "a path ending in '/' is refused");
	CHECK_INT(mlci_atomic_write_file("", "x", 1), -MLCI_EXIT_SYSTEM,
		  "an empty path is refused");
	CHECK_INT(mlci_atomic_commit(&a), -MLCI_EXIT_BUG,
		  "commit of a closed handle is a bug");
	mlci_set_quiet(0);
	check_listing(dir, "", "nothing left behind by the failures");
	free(missing);
	free(trailing);
}

/* A full disk must be caught at commit, with the old file kept. */
static void test_enospc(void)
{
	char *mnt = xstrfmt("%s/small", dir);
	char *path = xstrfmt("%s/small/big.bin", dir);
	struct strbuf sb = STRBUF_INIT;
	struct mlci_atomic a;
	char *block;
	int i, ret;

	if (mkdir(mnt, 0755) < 0 ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=64k") < 0) {
		/* Not counted: a check that did not run must not say "ok". */
		printf("# skip: cannot mount a small tmpfs, ENOSPC not tested\n");
		rmdir(mnt);
		free(mnt);
		free(path);
		return;
	}
	CHECK_INT(mlci_atomic_write_file(path, "old", 3), 0, "small file fits");
	block = xcalloc(1, 200000);
	mlci_set_quiet(1);
	ret = mlci_atomic_open(&a, path);
	CHECK_INT(ret, 0, "open on the small file system");
	for (i = 0; !ret && i < 16; i++)
		fwrite(block, 1, 16384, a.fp);
	if (!ret)
		ret = mlci_atomic_commit(&a);
	CHECK_INT(ret, -MLCI_EXIT_SYSTEM, "256 KiB on a 64 KiB tmpfs fails");
	CHECK_INT(mlci_atomic_write_file(path, block, 200000), -MLCI_EXIT_SYSTEM,
		  "write_file reports the full disk");
	mlci_set_quiet(0);
	CHECK(slurp(path, &sb) == 0 && !strcmp(sb.buf, "old"),
	      "old file intact after a full disk");
	check_listing(mnt, "big.bin", "no temporary file left on the full disk");
	unlink(path);
	CHECK(umount(mnt) == 0, "unmount the small tmpfs");
	rmdir(mnt);
	free(block);
	free(mnt);
	free(path);
	strbuf_release(&sb);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return unit_done();
	}
	test_write_whole();
	test_abort();
	test_modes();
	test_relative();
	test_errors();
	test_enospc();
	rmdir(dir);
	return unit_done();
}
