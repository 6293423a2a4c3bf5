/* SPDX-License-Identifier: MIT */
/* Atomic file replacement: temporary file, fsync, rename, fsync of the directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "usage.h"
#include "wrapper.h"

void mlci_atomic_init(struct mlci_atomic *a)
{
	a->fp = NULL;
	a->path = NULL;
	a->tmp = NULL;
	a->fd = -1;
}

static void release(struct mlci_atomic *a)
{
	free(a->path);
	free(a->tmp);
	mlci_atomic_init(a);
}

/* The directory part of path, "." when it has none; the caller frees it. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* The current umask; umask() can only be read by setting it. */
static mode_t current_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

int mlci_atomic_open(struct mlci_atomic *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int fd;

	mlci_atomic_init(a);
	if (!*base)
		return mlci_error(MLCI_EXIT_SYSTEM, "cannot write '%s': not a file name",
				  path);
	a->tmp = xstrfmt("%.*s.%s.XXXXXX", (int)(base - path), path, base);
	fd = mkostemp(a->tmp, O_CLOEXEC);
	if (fd < 0) {
		int ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot create a temporary file for '%s'",
					   path);

		release(a);
		return ret;
	}
	/* mkstemp makes 0600; the file should look like any other the user creates. */
	if (fchmod(fd, 0666 & ~current_umask()) < 0) {
		int ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot set the mode of '%s'",
					   a->tmp);

		close(fd);
		unlink(a->tmp);
		release(a);
		return ret;
	}
	a->fp = fdopen(fd, "w");
	if (!a->fp) {
		int ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot open '%s'", a->tmp);

		close(fd);
		unlink(a->tmp);
		release(a);
		return ret;
	}
	a->fd = fd;
	a->path = xstrdup(path);
	return 0;
}

/* Make the rename durable. Returns 0, or -1 with errno set. */
static int fsync_dir(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0, err = 0;

	free(dir);
	if (fd < 0)
		return -1;
	/* Some file systems cannot fsync a directory; that is not a write error. */
	if (fsync(fd) < 0 && errno != EINVAL && errno != ENOTSUP) {
		err = errno;
		ret = -1;
	}
	close(fd);
	errno = err;
	return ret;
}

int mlci_atomic_commit(struct mlci_atomic *a)
{
	int ret = 0, err = 0, failed;

	if (!a->fp)
		return mlci_error(MLCI_EXIT_BUG, "commit of a file that is not open");
	/*
	 * An earlier failed write leaves only ferror() set; its errno may be
	 * long gone, so then the message carries no reason rather than a
	 * wrong one.
	 */
	errno = 0;
	failed = fflush(a->fp) != 0 || ferror(a->fp);
	if (failed)
		err = errno;
	if (!failed && fsync(a->fd) < 0) {
		failed = 1;
		err = errno;
	}
	/* fclose can report the last delayed write error (NFS); check it too. */
	if (fclose(a->fp) != 0 && !failed) {
		failed = 1;
		err = errno;
	}
	a->fp = NULL;
	a->fd = -1;
	if (failed) {
		errno = err;
		ret = err ? mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot write '%s'", a->path)
			  : mlci_error(MLCI_EXIT_SYSTEM, "cannot write '%s'", a->path);
		unlink(a->tmp);
		release(a);
		return ret;
	}
	if (rename(a->tmp, a->path) < 0) {
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot rename '%s' to '%s'",
				       a->tmp, a->path);
		unlink(a->tmp);
		release(a);
		return ret;
	}
	if (fsync_dir(a->path) < 0)
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM,
				       "cannot sync the directory of '%s'", a->path);
	release(a);
	return ret;
}

void mlci_atomic_abort(struct mlci_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	if (a->tmp)
		unlink(a->tmp);
	release(a);
}

int mlci_atomic_write_file(const char *path, const void *data, size_t len)
{
	struct mlci_atomic a;
	int ret = mlci_atomic_open(&a, path);

	if (ret)
		return ret;
	if (len && fwrite(data, 1, len, a.fp) != len) {
		ret = mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot write '%s'", path);
		mlci_atomic_abort(&a);
		return ret;
	}
	return mlci_atomic_commit(&a);
}

char *mlci_temp_dir(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xstrfmt("%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);

	if (!mkdtemp(dir)) {
		mlci_error_errno(MLCI_EXIT_SYSTEM, "cannot create '%s'", dir);
		free(dir);
		return NULL;
	}
	return dir;
}
