/* SPDX-License-Identifier: MIT */
/* Files that appear whole or not at all: write a temporary file, then rename it over the target. */
#ifndef MLCI_ATOMIC_H
#define MLCI_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

/*
 * One file being written. Write through fp (stdio) between
 * mlci_atomic_open() and mlci_atomic_commit() or mlci_atomic_abort().
 * Until the commit, path keeps its old content (or stays absent) and the
 * data lives in tmp, a hidden file ".<base>.XXXXXX" in the same directory.
 */
struct mlci_atomic {
	FILE *fp;	/* open for writing; NULL when closed */
	char *path;	/* the target, as given */
	char *tmp;	/* the temporary file's path */
	int fd;		/* fp's descriptor; -1 when closed */
};

#define MLCI_ATOMIC_INIT { NULL, NULL, NULL, -1 }

/* Make a an empty, closed handle (what MLCI_ATOMIC_INIT gives). */
void mlci_atomic_init(struct mlci_atomic *a);

/*
 * Create the temporary file for path, with the permissions a normal file
 * creation would give (0666 less the umask). Returns 0, or -MLCI_EXIT_SYSTEM
 * with a message naming path (missing directory, no permission); a is then
 * closed and needs no abort.
 */
int mlci_atomic_open(struct mlci_atomic *a, const char *path);

/*
 * Flush, check for write errors, fsync, close, rename the temporary file
 * over path and fsync the directory. Returns 0, or -MLCI_EXIT_SYSTEM with a
 * message naming path; on failure the temporary file is removed and path
 * is as it was, except when only the final sync of the directory fails
 * (path then holds the new content, which may not survive a crash).
 * Either way a is closed and released. The new file replaces path itself:
 * a symbolic link at path is replaced, not followed.
 */
int mlci_atomic_commit(struct mlci_atomic *a);

/*
 * Give up: close and remove the temporary file, leaving path as it was.
 * Safe on a closed or never-opened handle, and after a commit.
 */
void mlci_atomic_abort(struct mlci_atomic *a);

/*
 * Write len bytes of data to path atomically. Returns 0 or
 * -MLCI_EXIT_SYSTEM with a message naming path.
 */
int mlci_atomic_write_file(const char *path, const void *data, size_t len);

/*
 * A new, empty directory $TMPDIR/<prefix>-XXXXXX (/tmp without TMPDIR),
 * its path a new string; NULL after a message when it cannot be made.
 */
char *mlci_temp_dir(const char *prefix);

#endif
