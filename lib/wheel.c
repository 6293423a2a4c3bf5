/* SPDX-License-Identifier: MIT */
/* The wheel check: one pass over the archive that verifies the container, the names, the .dist-info files, every RECORD hash and the layout. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "json.h"
#include "pep440.h"
#include "strbuf.h"
#include "usage.h"
#include "wheel.h"
#include "wrapper.h"

/* The .dist-info files are small: refuse to hold more than this of one. */
#define DIST_INFO_MAX (16u << 20)
#define NAME_MAX_LEN 512

static const struct {
	const char *code, *text;
	int warning;
} codes[] = {
	{ "Z001", "not a valid zip archive", 0 },
	{ "Z002", "absolute path", 0 },
	{ "Z003", "'..' path component", 0 },
	{ "Z004", "backslash in path", 0 },
	{ "Z005", "drive letter in path", 0 },
	{ "Z006", "symbolic link", 0 },
	{ "Z007", "duplicate entry name", 0 },
	{ "Z008", "local header disagrees with the central directory", 0 },
	{ "Z009", "total uncompressed size above the limit", 0 },
	{ "Z010", "compression ratio above the limit", 0 },
	{ "Z011", "encrypted entry", 0 },
	{ "Z012", "CRC-32 mismatch", 0 },
	{ "Z013", "unsupported compression method", 0 },
	{ "Z014", "corrupt compressed data", 0 },
	{ "Z015", "invalid entry name", 0 },
	{ "F001", "malformed wheel file name", 0 },
	{ "F002", "invalid distribution name in the file name", 0 },
	{ "F003", "distribution name in the file name not normalised", 1 },
	{ "F004", "invalid version in the file name", 0 },
	{ "F005", "version in the file name not normalised", 1 },
	{ "F006", "invalid build tag", 0 },
	{ "F007", "invalid compatibility tag", 0 },
	{ "D001", "no .dist-info directory", 0 },
	{ "D002", "more than one .dist-info directory", 0 },
	{ "D003", ".dist-info or .data directory not named after the wheel", 0 },
	{ "D004", "WHEEL file missing", 0 },
	{ "D005", "METADATA file missing", 0 },
	{ "D006", "RECORD file missing", 0 },
	{ "H001", "WHEEL file malformed", 0 },
	{ "H002", "Wheel-Version missing or unsupported", 0 },
	{ "H003", "Wheel-Version newer than this checker knows", 1 },
	{ "H004", "Root-Is-Purelib missing or invalid", 0 },
	{ "H005", "Tag lines differ from the file name's tags", 0 },
	{ "H006", "Build differs from the file name's build tag", 0 },
	{ "M001", "METADATA malformed", 0 },
	{ "M002", "Metadata-Version missing or invalid", 0 },
	{ "M003", "Metadata-Version newer than 2.4", 1 },
	{ "M004", "Name missing or different from the file name", 0 },
	{ "M005", "Version missing, invalid or different from the file name", 0 },
	{ "M006", "Description-Content-Type invalid", 0 },
	{ "M007", "Dynamic lists Name or Version", 0 },
	{ "M008", "Requires-Dist malformed", 0 },
	{ "M009", "Requires-Python malformed", 0 },
	{ "R001", "RECORD malformed", 0 },
	{ "R002", "file not listed in RECORD", 0 },
	{ "R003", "file listed more than once in RECORD", 0 },
	{ "R004", "RECORD lists a file the wheel does not contain", 0 },
	{ "R005", "hash mismatch", 0 },
	{ "R006", "size mismatch", 0 },
	{ "R007", "md5 or sha1 hash", 0 },
	{ "R008", "file without a hash", 0 },
	{ "R009", "RECORD's own row has a hash", 0 },
	{ "R010", "unsupported or malformed hash", 0 },
	{ "W001", "wheel contains .pyc/.pyo files", 1 },
	{ "W002", "wheel contains duplicate files", 1 },
	{ "W003", "wheel contains non-module at library toplevel", 1 },
	{ "W004", "module is not located at importable path", 1 },
	{ "W005", "wheel contains common toplevel name in library", 1 },
	{ "W006", "__init__.py at top level of library", 1 },
	{ "W007", "wheel library is empty", 1 },
	{ "W008", "wheel is empty", 1 },
	{ "W009", "wheel contains multiple toplevel library entries", 1 },
	{ "W010", "toplevel library directory contains no Python modules", 1 },
	{ "W101", "wheel library is missing files in package tree", 1 },
	{ "W102", "wheel library contains files not in package tree", 1 },
	{ "W201", "wheel library is missing a declared toplevel", 1 },
	{ "W202", "wheel library has an undeclared toplevel", 1 },
	{ "I001", "version not newer than the index's latest release", 0 },
	{ "I002", "file name already used on the index", 0 },
	{ "P001", "the index refused the upload: file already exists", 0 },
};

const char *mlci_wheel_code_text(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(codes[i].code, code))
			return codes[i].text;
	return NULL;
}

/* 1 when code matches an item of the comma-separated list (prefixes allowed). */
static int in_code_list(const char *list, const char *code)
{
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ", ");

		if (n && n <= strlen(code) && !strncasecmp(p, code, n))
			return 1;
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

void mlci_wheel_init(struct mlci_wheel *w)
{
	struct mlci_metadata md = MLCI_METADATA_INIT;

	memset(w, 0, sizeof(*w));
	w->metadata = md;
}

void mlci_wheel_add(struct mlci_wheel *w, const struct mlci_wheel_options *o,
		    const char *code, const char *file, const char *fmt, ...)
{
	struct mlci_wheel_finding *f;
	int warning = 0;
	size_t i;
	va_list ap;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(codes[i].code, code))
			warning = codes[i].warning;
	if (code[0] == 'W') {
		if (o && o->select && !in_code_list(o->select, code))
			return;
		if (o && o->ignore && in_code_list(o->ignore, code))
			return;
		if (o && o->strict)
			warning = 0;
	}
	ALLOC_GROW(w->findings, w->nr + 1, w->alloc);
	f = &w->findings[w->nr++];
	snprintf(f->code, sizeof(f->code), "%s", code);
	f->severity = warning ? MLCI_WHEEL_WARNING : MLCI_WHEEL_ERROR;
	va_start(ap, fmt);
	{
		struct strbuf sb = STRBUF_INIT;

		strbuf_vaddf(&sb, fmt, ap);
		f->message = strbuf_detach(&sb, NULL);
	}
	va_end(ap);
	f->file = file ? xstrdup(file) : NULL;
	if (warning)
		w->warnings++;
	else
		w->errors++;
}

int mlci_wheel_normalize_name(const char *name, size_t n, int sep, char *out,
			      size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = name[i];

		if (c == '-' || c == '_' || c == '.') {
			while (i + 1 < n && (name[i + 1] == '-' || name[i + 1] == '_' ||
					     name[i + 1] == '.'))
				i++;
			c = (char)sep;
		} else {
			c = (char)tolower((unsigned char)c);
		}
		if (o + 1 >= len)
			return -1;
		out[o++] = c;
	}
	if (o >= len)
		return -1;
	out[o] = '\0';
	return 0;
}

int mlci_wheel_split_filename(const char *filename, char **name, char **version,
			      char **build, char **py, char **abi, char **plat,
			      char *err, size_t errlen)
{
	const char *parts[7];
	size_t lens[7], n = 0, len = strlen(filename);
	const char *p = filename, *end;

	*name = *version = *build = *py = *abi = *plat = NULL;
	if (len < 5 || strcmp(filename + len - 4, ".whl")) {
		snprintf(err, errlen, "'%s' does not end with .whl", filename);
		return -1;
	}
	end = filename + len - 4;
	while (p <= end) {
		const char *dash = memchr(p, '-', (size_t)(end - p));
		const char *stop = dash ? dash : end;

		if (n == 7)
			break;
		parts[n] = p;
		lens[n++] = (size_t)(stop - p);
		if (stop == p) {
			snprintf(err, errlen, "empty component in '%s'", filename);
			return -1;
		}
		if (!dash)
			break;
		p = dash + 1;
	}
	if (n != 5 && n != 6) {
		snprintf(err, errlen,
			 "'%s' has %zu dash-separated parts, not {name}-{version}(-{build})?-{python}-{abi}-{platform}",
			 filename, n);
		return -1;
	}
	*name = xstrndup(parts[0], lens[0]);
	*version = xstrndup(parts[1], lens[1]);
	if (n == 6)
		*build = xstrndup(parts[2], lens[2]);
	*py = xstrndup(parts[n - 3], lens[n - 3]);
	*abi = xstrndup(parts[n - 2], lens[n - 2]);
	*plat = xstrndup(parts[n - 1], lens[n - 1]);
	return 0;
}

/* The state of one check, beyond what ends up in struct mlci_wheel. */
struct record_row {
	char *path, *hash, *size;
	long line;
	int seen;
};

struct file_info {
	const struct mlci_zip_entry *e;
	unsigned char digest[MLCI_DIGEST_MAX];
	size_t digest_len;
	char algo[16];		/* the hashlib name digest was computed with */
	int hashed;
	const char *lib;	/* path inside the library (purelib/platlib), or NULL */
};

struct check {
	struct mlci_wheel *w;
	const struct mlci_wheel_options *o;
	struct mlci_zip z;
	unsigned char *skip;	/* per entry: do not read its data */
	int no_data;		/* a bomb guard tripped: read nothing */
	struct record_row *rows;
	size_t nrows, arows;
	struct file_info *files;
	size_t nfiles;
	struct mlci_pep440 version;
	int have_version;
	char norm_name[NAME_MAX_LEN];	/* PEP 503 form of the file name's name */
};

static void zip_report(void *ctx, enum mlci_zip_problem p,
		       const struct mlci_zip_entry *e, const char *detail)
{
	static const char *const zcodes[] = {
		[MLCI_ZIP_ABSOLUTE] = "Z002", [MLCI_ZIP_DOTDOT] = "Z003",
		[MLCI_ZIP_BACKSLASH] = "Z004", [MLCI_ZIP_DRIVE] = "Z005",
		[MLCI_ZIP_BAD_NAME] = "Z015", [MLCI_ZIP_SYMLINK] = "Z006",
		[MLCI_ZIP_DUPLICATE] = "Z007", [MLCI_ZIP_MISMATCH] = "Z008",
		[MLCI_ZIP_TOTAL] = "Z009", [MLCI_ZIP_RATIO] = "Z010",
		[MLCI_ZIP_ENCRYPTED] = "Z011", [MLCI_ZIP_METHOD] = "Z013",
		[MLCI_ZIP_CRC] = "Z012", [MLCI_ZIP_CORRUPT] = "Z014",
	};
	struct check *c = ctx;

	if (p <= MLCI_ZIP_OK || p > MLCI_ZIP_CORRUPT)
		return;
	mlci_wheel_add(c->w, c->o, zcodes[p], e ? e->name : c->w->filename,
		       "%s: %s", mlci_zip_problem_text(p), detail);
	if (p == MLCI_ZIP_TOTAL || (p == MLCI_ZIP_RATIO && !e))
		c->no_data = 1;
	else if (e) {
		if (!c->skip)
			c->skip = xcalloc(c->z.alloc + 1, 1);
		c->skip[e - c->z.entries] = 1;
	}
}

static int valid_dist_name(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

static int valid_tag_set(const char *s)
{
	const char *p = s;

	while (1) {
		size_t k = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

		if (!k)
			return 0;
		p += k;
		if (!*p)
			return 1;
		if (*p != '.')
			return 0;
		p++;
	}
}

/* Parse a version as a file name spells it ('-' escaped as '_'). */
static int parse_escaped_version(const char *s, struct mlci_pep440 *v)
{
	char buf[MLCI_PEP440_MAX_LEN + 1];
	size_t i;

	if (!mlci_pep440_parse(s, v))
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	for (i = 0; s[i]; i++)
		buf[i] = s[i] == '_' ? '-' : s[i];
	buf[i] = '\0';
	return mlci_pep440_parse(buf, v);
}

static void add_tag(struct mlci_wheel *w, char *tag, size_t *alloc)
{
	ALLOC_GROW(w->tags, w->ntags + 1, *alloc);
	w->tags[w->ntags++] = tag;
}

static void check_filename(struct check *c)
{
	struct mlci_wheel *w = c->w;
	char err[300], norm[NAME_MAX_LEN], vbuf[MLCI_PEP440_MAX_LEN + 1];
	size_t alloc = 0;
	const char *py, *abi, *plat;

	if (mlci_wheel_split_filename(w->filename, &w->name, &w->version,
				      &w->build, &w->python_tags, &w->abi_tags,
				      &w->platform_tags, err, sizeof(err))) {
		mlci_wheel_add(w, c->o, "F001", w->filename, "%s", err);
		return;
	}
	if (!valid_dist_name(w->name)) {
		mlci_wheel_add(w, c->o, "F002", w->filename,
			       "'%s' is not an escaped distribution name (letters, digits, '_' and '.')",
			       w->name);
	} else if (!mlci_wheel_normalize_name(w->name, strlen(w->name), '_',
					      norm, sizeof(norm)) &&
		   strcmp(norm, w->name)) {
		mlci_wheel_add(w, c->o, "F003", w->filename,
			       "name '%s' should be written '%s'", w->name, norm);
	}
	if (mlci_wheel_normalize_name(w->name, strlen(w->name), '-',
				      c->norm_name, sizeof(c->norm_name)))
		c->norm_name[0] = '\0';
	if (parse_escaped_version(w->version, &c->version)) {
		mlci_wheel_add(w, c->o, "F004", w->filename,
			       "'%s' is not a PEP 440 version", w->version);
	} else {
		c->have_version = 1;
		mlci_pep440_format(&c->version, vbuf, sizeof(vbuf));
		if (strcmp(vbuf, w->version))
			mlci_wheel_add(w, c->o, "F005", w->filename,
				       "version '%s' should be written '%s'",
				       w->version, vbuf);
	}
	if (w->build && (!isdigit((unsigned char)w->build[0]) ||
			 !valid_tag_set(w->build)))
		mlci_wheel_add(w, c->o, "F006", w->filename,
			       "build tag '%s' must start with a digit and hold only letters, digits, '_' and '.'",
			       w->build);
	if (!valid_tag_set(w->python_tags) || !valid_tag_set(w->abi_tags) ||
	    !valid_tag_set(w->platform_tags)) {
		mlci_wheel_add(w, c->o, "F007", w->filename,
			       "tags '%s-%s-%s' are not '.'-separated letters, digits and '_'",
			       w->python_tags, w->abi_tags, w->platform_tags);
		return;
	}
	/* Expand the compressed tag sets, in file-name order. */
	for (py = w->python_tags; *py; py += strcspn(py, ".") + !!py[strcspn(py, ".")])
		for (abi = w->abi_tags; *abi; abi += strcspn(abi, ".") + !!abi[strcspn(abi, ".")])
			for (plat = w->platform_tags; *plat;
			     plat += strcspn(plat, ".") + !!plat[strcspn(plat, ".")])
				add_tag(w, xstrfmt("%.*s-%.*s-%.*s",
						   (int)strcspn(py, "."), py,
						   (int)strcspn(abi, "."), abi,
						   (int)strcspn(plat, "."), plat),
					&alloc);
}

/* Directory name "X-Y.suffix": is it named after the wheel? */
static int dir_matches(struct check *c, const char *dir, size_t len)
{
	const char *dash = memchr(dir, '-', len);
	char norm[NAME_MAX_LEN], ver[MLCI_PEP440_MAX_LEN + 1];
	struct mlci_pep440 v;
	size_t vlen;

	if (!dash || !c->norm_name[0] || !c->have_version)
		return 0;
	if (mlci_wheel_normalize_name(dir, (size_t)(dash - dir), '-', norm,
				      sizeof(norm)) || strcmp(norm, c->norm_name))
		return 0;
	vlen = len - (size_t)(dash + 1 - dir);
	if (vlen >= sizeof(ver) || memchr(dash + 1, '-', vlen))
		return 0;
	memcpy(ver, dash + 1, vlen);
	ver[vlen] = '\0';
	return !parse_escaped_version(ver, &v) && !mlci_pep440_cmp(&v, &c->version) &&
	       !strcmp(v.local, c->version.local);
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Find the .dist-info directory; check it and the .data directories' names. */
static void find_dist_info(struct check *c)
{
	struct mlci_wheel *w = c->w;
	struct strbuf seen = STRBUF_INIT;
	size_t i, count = 0;

	for (i = 0; i < c->z.nr; i++) {
		const char *n = c->z.entries[i].name;
		const char *slash = strchr(n, '/');
		size_t k;
		char *dir;

		if (!slash)
			continue;
		k = (size_t)(slash - n);
		if (!ends_with(n, k, ".dist-info") && !ends_with(n, k, ".data"))
			continue;
		dir = xstrfmt("\n%.*s\n", (int)k, n);
		if (!seen.len)
			strbuf_addch(&seen, '\n');
		if (strstr(seen.buf, dir)) {
			free(dir);
			continue;
		}
		strbuf_addstr(&seen, dir + 1);
		free(dir);
		if (ends_with(n, k, ".dist-info")) {
			count++;
			if (!w->dist_info)
				w->dist_info = xstrndup(n, k);
			else
				mlci_wheel_add(w, c->o, "D002", w->filename,
					       "'%s' and '%.*s' are both .dist-info directories",
					       w->dist_info, (int)k, n);
			if (!dir_matches(c, n, k - strlen(".dist-info")))
				mlci_wheel_add(w, c->o, "D003", w->filename,
					       "'%.*s' is not named after '%s' %s",
					       (int)k, n, w->name ? w->name : "?",
					       w->version ? w->version : "?");
		} else if (!dir_matches(c, n, k - strlen(".data"))) {
			mlci_wheel_add(w, c->o, "D003", w->filename,
				       "'%.*s' is not named after '%s' %s", (int)k,
				       n, w->name ? w->name : "?",
				       w->version ? w->version : "?");
		}
	}
	if (!count)
		mlci_wheel_add(w, c->o, "D001", w->filename,
			       "the wheel has no .dist-info directory");
	strbuf_release(&seen);
}

/* Read a .dist-info file; NULL entry means missing (reported with code). */
static int read_dist_file(struct check *c, const char *base, const char *code,
			  struct strbuf *out, char **pathp)
{
	char *path = xstrfmt("%s/%s", c->w->dist_info, base);
	const struct mlci_zip_entry *e = mlci_zip_find(&c->z, path);
	enum mlci_zip_problem p;

	*pathp = path;
	if (!e) {
		mlci_wheel_add(c->w, c->o, code, path, "'%s' is missing", path);
		return -1;
	}
	if (c->no_data || c->skip[e - c->z.entries])
		return -1;
	if (mlci_zip_read_buf(&c->z, e, DIST_INFO_MAX, out, &p)) {
		/* The streaming pass reports bad content; here it is just absent. */
		if (p == MLCI_ZIP_TOTAL)
			mlci_wheel_add(c->w, c->o, "Z009", path, "'%s' is larger than %u bytes",
				       path, DIST_INFO_MAX);
		return -1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_wheel_file(struct check *c)
{
	struct mlci_wheel *w = c->w;
	struct mlci_metadata md = MLCI_METADATA_INIT;
	struct strbuf sb = STRBUF_INIT;
	char err[300], *path = NULL, **tags = NULL, **want = NULL;
	const char *v, *build;
	size_t i, j, ntags = 0;

	if (read_dist_file(c, "WHEEL", "D004", &sb, &path))
		goto out;
	if (mlci_metadata_parse(&md, sb.buf, sb.len, err, sizeof(err))) {
		mlci_wheel_add(w, c->o, "H001", path, "%s: %s", path, err);
		goto out;
	}
	v = mlci_metadata_get(&md, "Wheel-Version");
	if (!v || !isdigit((unsigned char)v[0]) || strspn(v, "0123456789.") != strlen(v) ||
	    strncmp(v, "1.", 2) || !isdigit((unsigned char)v[2])) {
		mlci_wheel_add(w, c->o, "H002", path,
			       "Wheel-Version is '%s'; this checker reads 1.x",
			       v ? v : "(missing)");
	} else if (strcmp(v, "1.0")) {
		mlci_wheel_add(w, c->o, "H003", path,
			       "Wheel-Version %s is newer than 1.0", v);
	}
	v = mlci_metadata_get(&md, "Root-Is-Purelib");
	if (!v || (strcasecmp(v, "true") && strcasecmp(v, "false")))
		mlci_wheel_add(w, c->o, "H004", path,
			       "Root-Is-Purelib is '%s', not true or false",
			       v ? v : "(missing)");
	for (i = 0; i < md.nr; i++)
		if (!strcasecmp(md.fields[i].name, "Tag"))
			ntags++;
	tags = xcalloc(ntags + 1, sizeof(*tags));
	for (i = 0, j = 0; i < md.nr; i++)
		if (!strcasecmp(md.fields[i].name, "Tag"))
			tags[j++] = md.fields[i].value;
	qsort(tags, ntags, sizeof(*tags), cmp_str);
	want = xcalloc(w->ntags + 1, sizeof(*want));
	for (i = 0; i < w->ntags; i++)
		want[i] = w->tags[i];
	qsort(want, w->ntags, sizeof(*want), cmp_str);
	if (w->tags) {
		for (i = 0, j = 0; i < ntags || j < w->ntags;) {
			int d = i == ntags ? 1 : j == w->ntags ? -1 :
				strcmp(tags[i], want[j]);

			if (d < 0) {
				mlci_wheel_add(w, c->o, "H005", path,
					       "Tag '%s' is not among the file name's tags",
					       tags[i]);
				i++;
			} else if (d > 0) {
				mlci_wheel_add(w, c->o, "H005", path,
					       "the file name's tag '%s' has no Tag line",
					       want[j]);
				j++;
			} else {
				i++;
				j++;
				/* A repeated Tag line is not a new tag. */
				while (i < ntags && !strcmp(tags[i], tags[i - 1]))
					i++;
			}
		}
	}
	build = mlci_metadata_get(&md, "Build");
	if (w->name && ((build == NULL) != (w->build == NULL) ||
			(build && strcmp(build, w->build))))
		mlci_wheel_add(w, c->o, "H006", path,
			       "Build is '%s' but the file name's build tag is '%s'",
			       build ? build : "(none)", w->build ? w->build : "(none)");
out:
	free(tags);
	free(want);
	free(path);
	mlci_metadata_release(&md);
	strbuf_release(&sb);
}

static void check_metadata(struct check *c)
{
	static const char *const known[] = {
		"1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", NULL
	};
	struct mlci_wheel *w = c->w;
	struct mlci_metadata *md = &w->metadata;
	struct strbuf sb = STRBUF_INIT;
	char err[300], *path = NULL, norm[NAME_MAX_LEN];
	const char *v;
	size_t i;

	if (read_dist_file(c, "METADATA", "D005", &sb, &path))
		goto out;
	if (mlci_metadata_parse(md, sb.buf, sb.len, err, sizeof(err))) {
		mlci_wheel_add(w, c->o, "M001", path, "%s: %s", path, err);
		goto out;
	}
	w->have_metadata = 1;
	v = mlci_metadata_get(md, "Metadata-Version");
	for (i = 0; v && known[i]; i++)
		if (!strcmp(v, known[i]))
			break;
	if (!v || (!known[i] && !(isdigit((unsigned char)v[0]) && v[1] == '.' &&
				  isdigit((unsigned char)v[2]) && !v[3]))) {
		mlci_wheel_add(w, c->o, "M002", path,
			       "Metadata-Version is '%s', not 1.0 to 2.4",
			       v ? v : "(missing)");
	} else if (!known[i]) {
		if (strcmp(v, "2.4") > 0)
			mlci_wheel_add(w, c->o, "M003", path,
				       "Metadata-Version %s is newer than 2.4", v);
		else
			mlci_wheel_add(w, c->o, "M002", path,
				       "Metadata-Version '%s' does not exist", v);
	}
	v = mlci_metadata_get(md, "Name");
	if (!v || !*v) {
		mlci_wheel_add(w, c->o, "M004", path, "Name is missing");
	} else if (c->norm_name[0] &&
		   (mlci_wheel_normalize_name(v, strlen(v), '-', norm, sizeof(norm)) ||
		    strcmp(norm, c->norm_name))) {
		mlci_wheel_add(w, c->o, "M004", path,
			       "Name '%s' differs from the file name's '%s'", v, w->name);
	}
	v = mlci_metadata_get(md, "Version");
	if (!v || !*v) {
		mlci_wheel_add(w, c->o, "M005", path, "Version is missing");
	} else {
		struct mlci_pep440 ver;

		if (mlci_pep440_parse(v, &ver))
			mlci_wheel_add(w, c->o, "M005", path,
				       "Version '%s' is not a PEP 440 version", v);
		else if (c->have_version && (mlci_pep440_cmp(&ver, &c->version) ||
					     strcmp(ver.local, c->version.local)))
			mlci_wheel_add(w, c->o, "M005", path,
				       "Version '%s' differs from the file name's '%s'",
				       v, w->version);
	}
	v = mlci_metadata_get(md, "Description-Content-Type");
	if (v && mlci_metadata_check_content_type(v, err, sizeof(err)))
		mlci_wheel_add(w, c->o, "M006", path, "Description-Content-Type: %s", err);
	for (i = 0; i < md->nr; i++) {
		const char *name = md->fields[i].name, *val = md->fields[i].value;

		if (!strcasecmp(name, "Dynamic") &&
		    (!strcasecmp(val, "Name") || !strcasecmp(val, "Version") ||
		     !strcasecmp(val, "Metadata-Version")))
			mlci_wheel_add(w, c->o, "M007", path,
				       "line %ld: Dynamic may not list %s",
				       md->fields[i].line, val);
		else if (!strcasecmp(name, "Requires-Dist") &&
			 mlci_metadata_check_requirement(val, err, sizeof(err)))
			mlci_wheel_add(w, c->o, "M008", path,
				       "line %ld: Requires-Dist '%s': %s",
				       md->fields[i].line, val, err);
		else if (!strcasecmp(name, "Requires-Python") &&
			 mlci_pep440_check_specifiers(val, strlen(val), err, sizeof(err)))
			mlci_wheel_add(w, c->o, "M009", path,
				       "line %ld: Requires-Python '%s': %s",
				       md->fields[i].line, val, err);
	}
out:
	free(path);
	strbuf_release(&sb);
}

/* One CSV field (Python's csv dialect "excel"); -1 on a bad quote. */
static int csv_field(const char **pp, const char *end, struct strbuf *out)
{
	const char *p = *pp;

	strbuf_reset(out);
	if (p < end && *p == '"') {
		p++;
		for (;;) {
			if (p >= end)
				return -1;
			if (*p == '"') {
				if (p + 1 < end && p[1] == '"') {
					strbuf_addch(out, '"');
					p += 2;
					continue;
				}
				p++;
				break;
			}
			strbuf_addch(out, *p++);
		}
		if (p < end && *p != ',' && *p != '\n' && *p != '\r')
			return -1;
	} else {
		while (p < end && *p != ',' && *p != '\n' && *p != '\r') {
			if (*p == '"')
				return -1;
			strbuf_addch(out, *p++);
		}
	}
	*pp = p;
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct record_row *x = a, *y = b;
	int d = strcmp(x->path, y->path);

	return d ? d : (x->line > y->line) - (x->line < y->line);
}

static int parse_record(struct check *c, const char *path, const char *buf,
			size_t len)
{
	const char *p = buf, *end = buf + len;
	struct strbuf f = STRBUF_INIT;
	long line = 0;
	int ret = 0;

	while (p < end) {
		char *fields[3] = { NULL, NULL, NULL };
		size_t n = 0;

		line++;
		if (*p == '\n' || *p == '\r') {
			p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
			continue;
		}
		for (;;) {
			if (csv_field(&p, end, &f)) {
				mlci_wheel_add(c->w, c->o, "R001", path,
					       "line %ld: malformed quoting", line);
				ret = -1;
				break;
			}
			if (n < 3)
				fields[n] = strbuf_detach(&f, NULL);
			n++;
			if (p < end && *p == ',') {
				p++;
				continue;
			}
			break;
		}
		if (ret) {
			for (n = 0; n < 3; n++)
				free(fields[n]);
			break;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		if (n != 3 || !*fields[0]) {
			mlci_wheel_add(c->w, c->o, "R001", path,
				       "line %ld: %zu fields, not path,hash,size",
				       line, n);
			for (n = 0; n < 3; n++)
				free(fields[n]);
			continue;
		}
		ALLOC_GROW(c->rows, c->nrows + 1, c->arows);
		c->rows[c->nrows].path = fields[0];
		c->rows[c->nrows].hash = fields[1];
		c->rows[c->nrows].size = fields[2];
		c->rows[c->nrows].line = line;
		c->rows[c->nrows].seen = 0;
		c->nrows++;
	}
	strbuf_release(&f);
	qsort(c->rows, c->nrows, sizeof(*c->rows), cmp_rows);
	return ret;
}

static struct record_row *find_row(struct check *c, const char *path)
{
	size_t lo = 0, hi = c->nrows;

	/* The first row with that path (rows are sorted by path, then line). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(c->rows[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nrows && !strcmp(c->rows[lo].path, path) ? &c->rows[lo] : NULL;
}

/* RECORD's own row and the signature files need no hash. */
static int is_unhashed(const struct check *c, const char *path, int *is_record)
{
	size_t n = c->w->dist_info ? strlen(c->w->dist_info) : 0;

	*is_record = 0;
	if (!n || strncmp(path, c->w->dist_info, n) || path[n] != '/')
		return 0;
	if (!strcmp(path + n + 1, "RECORD")) {
		*is_record = 1;
		return 1;
	}
	return !strcmp(path + n + 1, "RECORD.jws") || !strcmp(path + n + 1, "RECORD.p7s");
}

static int sink_digest(void *ctx, const void *data, size_t len)
{
	mlci_digest_update(ctx, data, len);
	return 0;
}

/*
 * The algorithm a RECORD hash names ("sha384=..." gives "sha384") into
 * algo, when it is short enough to be one; else "".
 */
static void hash_algo(const char *hash, char *algo, size_t size)
{
	const char *eq = strchr(hash, '=');
	size_t n = eq ? (size_t)(eq - hash) : 0;

	if (n >= size)
		n = 0;
	memcpy(algo, hash, n);
	algo[n] = '\0';
}

/* Compare a file's content with its RECORD row. */
static void check_row(struct check *c, struct record_row *r,
		      const struct file_info *fi, const char *rpath)
{
	const struct mlci_zip_entry *e = fi->e;
	const char *h = r->hash, *eq = strchr(h, '=');
	int is_record, unhashed = is_unhashed(c, e->name, &is_record);
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	long size;

	if (is_record) {
		if (*h)
			mlci_wheel_add(c->w, c->o, "R009", e->name,
				       "%s line %ld: RECORD's own row has hash '%s'",
				       rpath, r->line, h);
		return;
	}
	if (*r->size) {
		if (mlci_parse_long(r->size, 0, 0x7fffffffffffffffL, &size))
			mlci_wheel_add(c->w, c->o, "R001", e->name,
				       "%s line %ld: size '%s' is not a number",
				       rpath, r->line, r->size);
		else if ((uint64_t)size != e->usize)
			mlci_wheel_add(c->w, c->o, "R006", e->name,
				       "'%s' has %llu bytes, RECORD says %ld",
				       e->name, (unsigned long long)e->usize, size);
	} else if (*h && !unhashed) {
		mlci_wheel_add(c->w, c->o, "R001", e->name,
			       "%s line %ld: a hash without a size", rpath, r->line);
	}
	if (!*h) {
		if (!unhashed)
			mlci_wheel_add(c->w, c->o, "R008", e->name,
				       "'%s' has no hash in RECORD", e->name);
		return;
	}
	if (!eq) {
		mlci_wheel_add(c->w, c->o, "R010", e->name,
			       "hash '%s' is not algorithm=digest", h);
		return;
	}
	if (!strncasecmp(h, "md5=", 4) || !strncasecmp(h, "sha1=", 5)) {
		mlci_wheel_add(c->w, c->o, "R007", e->name,
			       "'%s' is hashed with %.*s; RECORD needs sha256 or stronger",
			       e->name, (int)(eq - h), h);
		return;
	}
	{
		char algo[16];
		size_t want = 0;
		struct mlci_digest *probe;

		hash_algo(h, algo, sizeof(algo));
		probe = *algo ? mlci_digest_new(algo, &want) : NULL;
		mlci_digest_free(probe);
		if (!probe) {
			mlci_wheel_add(c->w, c->o, "R010", e->name,
				       "hash algorithm '%.*s' is not one of sha256, sha384, sha512, sha3_256, sha3_384, sha3_512, blake2b, blake2s",
				       (int)(eq - h), h);
			return;
		}
		if (mlci_base64url_decode(eq + 1, strlen(eq + 1), &raw, &rawlen) ||
		    rawlen != want) {
			mlci_wheel_add(c->w, c->o, "R010", e->name,
				       "'%s' is not an unpadded URL-safe base64 %s digest",
				       eq + 1, algo);
		} else if (fi->hashed && !strcmp(fi->algo, algo) &&
			   memcmp(raw, fi->digest, fi->digest_len)) {
			char *got = mlci_base64url_encode(fi->digest, fi->digest_len);

			mlci_wheel_add(c->w, c->o, "R005", e->name,
				       "'%s' has %s=%s, RECORD says %s", e->name,
				       algo, got, eq + 1);
			free(got);
		}
	}
	free(raw);
}

/* The library path of an archive member, or NULL (dist-info, other .data). */
static const char *library_path(const struct check *c, const char *name)
{
	const char *slash = strchr(name, '/');
	size_t k;

	if (!slash)
		return name;
	k = (size_t)(slash - name);
	if (ends_with(name, k, ".dist-info"))
		return NULL;
	if (ends_with(name, k, ".data")) {
		if (!strncmp(slash + 1, "purelib/", 8))
			return slash + 9;
		if (!strncmp(slash + 1, "platlib/", 8))
			return slash + 9;
		return NULL;
	}
	(void)c;
	return name;
}

/* The streaming pass: read every member once, hash it, check its row. */
static void stream_files(struct check *c, const char *rpath, int have_record)
{
	struct mlci_wheel *w = c->w;
	size_t i;

	c->files = xcalloc(c->z.nr + 1, sizeof(*c->files));
	for (i = 0; i < c->z.nr; i++) {
		const struct mlci_zip_entry *e = &c->z.entries[i];
		struct file_info *fi;
		struct record_row *r;
		enum mlci_zip_problem p;
		int is_record;

		if (e->is_dir)
			continue;
		fi = &c->files[c->nfiles++];
		fi->e = e;
		fi->lib = library_path(c, e->name);
		w->files++;
		w->uncompressed += e->usize;
		r = have_record ? find_row(c, e->name) : NULL;
		if (!c->no_data && !c->skip[i]) {
			struct mlci_digest *d = NULL;

			/*
			 * Hash with the algorithm the file's RECORD row names,
			 * so one pass checks sha384 or sha512 rows too.
			 */
			if (r)
				hash_algo(r->hash, fi->algo, sizeof(fi->algo));
			if (*fi->algo)
				d = mlci_digest_new(fi->algo, &fi->digest_len);
			if (!d) {
				snprintf(fi->algo, sizeof(fi->algo), "sha256");
				d = mlci_digest_new(fi->algo, &fi->digest_len);
			}
			if (mlci_zip_read(&c->z, e, sink_digest, d, &p)) {
				static const char *const rc[] = {
					[MLCI_ZIP_ENCRYPTED] = "Z011",
					[MLCI_ZIP_METHOD] = "Z013",
					[MLCI_ZIP_CRC] = "Z012",
					[MLCI_ZIP_CORRUPT] = "Z014",
					[MLCI_ZIP_MISMATCH] = "Z008",
				};
				const char *code = p < sizeof(rc) / sizeof(rc[0]) && rc[p] ?
						   rc[p] : "Z014";

				mlci_wheel_add(w, c->o, code, e->name, "%s: %s",
					       mlci_zip_problem_text(p), e->name);
			} else {
				mlci_digest_final(d, fi->digest);
				fi->hashed = 1;
			}
			mlci_digest_free(d);
		}
		if (!have_record)
			continue;
		if (!r) {
			if (!is_unhashed(c, e->name, &is_record) || is_record)
				mlci_wheel_add(w, c->o, "R002", e->name,
					       "'%s' is not listed in %s", e->name, rpath);
			continue;
		}
		if (r->seen++)
			continue;	/* a duplicate archive name: Z007 already */
		if (r + 1 < c->rows + c->nrows && !strcmp(r[1].path, r->path))
			mlci_wheel_add(w, c->o, "R003", e->name,
				       "'%s' is listed more than once in %s (lines %ld and %ld)",
				       e->name, rpath, r->line, r[1].line);
		check_row(c, r, fi, rpath);
	}
	if (!have_record)
		return;
	for (i = 0; i < c->nrows; i++) {
		struct record_row *r = &c->rows[i];

		if (i && !strcmp(r->path, c->rows[i - 1].path))
			continue;
		if (!r->seen) {
			const struct mlci_zip_entry *d;
			char *dir = xstrfmt("%s/", r->path);

			d = mlci_zip_find(&c->z, dir);
			free(dir);
			if (!d)
				mlci_wheel_add(w, c->o, "R004", r->path,
					       "%s line %ld lists '%s', which the wheel does not contain",
					       rpath, r->line, r->path);
		}
	}
}

/* Contents: check-wheel-contents' W codes. */

static int in_dist_info(const char *name)
{
	const char *slash = strchr(name, '/');

	return slash && ends_with(name, (size_t)(slash - name), ".dist-info");
}

static int is_identifier(const char *s, size_t n)
{
	size_t i;

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_' ||
		    (unsigned char)s[0] >= 0x80))
		return 0;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' ||
		      (unsigned char)s[i] >= 0x80))
			return 0;
	return 1;
}

static int is_ext_module(const char *s)
{
	size_t n = strlen(s);

	return ends_with(s, n, ".so") || ends_with(s, n, ".pyd");
}

static int is_module(const char *s)
{
	return ends_with(s, strlen(s), ".py") || is_ext_module(s);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Is the module at library path p importable: identifiers all the way down? */
static int importable(const char *p)
{
	const char *base = base_name(p), *c = p;
	size_t stem = is_ext_module(base) ? strcspn(base, ".") : strlen(base) - 3;

	while (c < base) {
		size_t k = strcspn(c, "/");

		if (!is_identifier(c, k))
			return 0;
		c += k + 1;
	}
	return is_identifier(base, stem);
}

static const char *const common_names[] = {
	".eggs", ".nox", ".tox", ".venv", "app", "build", "cli", "data",
	"dist", "doc", "docs", "example", "examples", "lib", "scripts", "src",
	"test", "tests", "venv", NULL
};

/* The distinct top-level library entries ("pkg" for pkg/..., "mod.py"). */
struct toplevel {
	char *name;
	int is_dir, has_module;
};

static void collect_toplevels(struct check *c, struct toplevel **out, size_t *nr)
{
	size_t i, j, alloc = 0;

	*out = NULL;
	*nr = 0;
	for (i = 0; i < c->nfiles; i++) {
		const char *lib = c->files[i].lib;
		size_t k;
		int is_dir;

		if (!lib)
			continue;
		k = strcspn(lib, "/");
		is_dir = lib[k] == '/';
		for (j = 0; j < *nr; j++)
			if (strlen((*out)[j].name) == k && !strncmp((*out)[j].name, lib, k))
				break;
		if (j == *nr) {
			ALLOC_GROW(*out, *nr + 1, alloc);
			(*out)[j].name = xstrndup(lib, k);
			(*out)[j].is_dir = is_dir;
			(*out)[j].has_module = 0;
			(*nr)++;
		}
		if (is_dir && is_module(lib))
			(*out)[j].has_module = 1;
	}
}

static int cmp_digest(const void *a, const void *b)
{
	const struct file_info *x = *(const struct file_info *const *)a;
	const struct file_info *y = *(const struct file_info *const *)b;
	int d = memcmp(x->digest, y->digest, MLCI_SHA256_LEN);

	return d ? d : strcmp(x->e->name, y->e->name);
}

/* Relative paths of the files under dir (no __pycache__, .pyc, .pyo). */
static int walk_tree(const char *dir, const char *rel, struct strbuf *list,
		     int depth)
{
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (depth > 64)
		return mlci_error(MLCI_EXIT_INPUT, "directory tree too deep '%s'", dir);
	d = opendir(dir);
	if (!d)
		return mlci_error_errno(MLCI_EXIT_INPUT, "cannot open directory '%s'", dir);
	while (!ret && (de = readdir(d))) {
		const char *n = de->d_name;
		char *full, *r;
		struct stat st;

		if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, "__pycache__"))
			continue;
		if (ends_with(n, strlen(n), ".pyc") || ends_with(n, strlen(n), ".pyo"))
			continue;
		full = xstrfmt("%s/%s", dir, n);
		r = xstrfmt("%s/%s", rel, n);
		if (stat(full, &st)) {
			ret = mlci_error_errno(MLCI_EXIT_INPUT, "cannot stat '%s'", full);
		} else if (S_ISDIR(st.st_mode)) {
			ret = walk_tree(full, r, list, depth + 1);
		} else {
			strbuf_addstr(list, r);
			strbuf_addch(list, '\n');
		}
		free(full);
		free(r);
	}
	closedir(d);
	return ret;
}

static int line_in(const char *list, const char *s)
{
	size_t n = strlen(s);
	const char *p = list;

	while ((p = strstr(p, s))) {
		if ((p == list || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

static int check_package(struct check *c)
{
	struct strbuf tree = STRBUF_INIT, lib = STRBUF_INIT;
	const char *pkg = c->o->package, *top, *p;
	char *copy = xstrdup(pkg);
	struct stat st;
	size_t i, n = strlen(copy);
	int ret = 0;

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	top = base_name(copy);
	if (stat(copy, &st)) {
		ret = mlci_error_errno(MLCI_EXIT_INPUT, "cannot open '%s'", pkg);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = walk_tree(copy, top, &tree, 0);
		if (ret)
			goto out;
	} else {
		strbuf_addf(&tree, "%s\n", top);
	}
	for (i = 0; i < c->nfiles; i++) {
		const char *l = c->files[i].lib;
		size_t k = strlen(top);

		if (!l || strncmp(l, top, k) || (l[k] && l[k] != '/'))
			continue;
		if (ends_with(l, strlen(l), ".pyc") || ends_with(l, strlen(l), ".pyo") ||
		    strstr(l, "__pycache__/"))
			continue;
		strbuf_addf(&lib, "%s\n", l);
		if (!line_in(tree.buf, l))
			mlci_wheel_add(c->w, c->o, "W102", c->files[i].e->name,
				       "'%s' is not in the package tree '%s'", l, pkg);
	}
	for (p = tree.buf; *p;) {
		size_t k = strcspn(p, "\n");
		char *f = xstrndup(p, k);

		if (!line_in(lib.buf, f))
			mlci_wheel_add(c->w, c->o, "W101", f,
				       "'%s' from the package tree is missing from the wheel", f);
		free(f);
		p += k + (p[k] == '\n');
	}
out:
	free(copy);
	strbuf_release(&tree);
	strbuf_release(&lib);
	return ret;
}

static int check_contents(struct check *c)
{
	struct mlci_wheel *w = c->w;
	struct toplevel *tops;
	struct file_info **dup;
	size_t ntops, i, j, nlib = 0, nother = 0, ndup = 0, counted = 0;
	int ret = 0;

	for (i = 0; i < c->nfiles; i++) {
		const char *name = c->files[i].e->name, *lib = c->files[i].lib;
		size_t n = strlen(name);

		if (!in_dist_info(name))
			nother++;
		if (ends_with(name, n, ".pyc") || ends_with(name, n, ".pyo"))
			mlci_wheel_add(w, c->o, "W001", name, "'%s' is compiled bytecode", name);
		if (!lib)
			continue;
		nlib++;
		if (!strchr(lib, '/')) {
			if (!strcmp(lib, "__init__.py"))
				mlci_wheel_add(w, c->o, "W006", name,
					       "'%s' makes the library root a package", name);
			else if (!is_module(lib) && !ends_with(lib, strlen(lib), ".pth"))
				mlci_wheel_add(w, c->o, "W003", name,
					       "'%s' is not a module at the library's top level", name);
		}
		if (is_module(lib) && !importable(lib))
			mlci_wheel_add(w, c->o, "W004", name,
				       "'%s' cannot be imported under that path", name);
	}
	if (!nother)
		mlci_wheel_add(w, c->o, "W008", w->filename,
			       "the wheel holds nothing but its .dist-info");
	else if (!nlib)
		mlci_wheel_add(w, c->o, "W007", w->filename,
			       "the wheel's library (purelib/platlib) is empty");

	/* W002: identical non-empty files outside .dist-info. */
	dup = xcalloc(c->nfiles + 1, sizeof(*dup));
	for (i = 0; i < c->nfiles; i++)
		if (c->files[i].hashed && c->files[i].e->usize &&
		    !in_dist_info(c->files[i].e->name))
			dup[ndup++] = &c->files[i];
	qsort(dup, ndup, sizeof(*dup), cmp_digest);
	for (i = 0; i < ndup; i = j) {
		struct strbuf sb = STRBUF_INIT;

		for (j = i + 1; j < ndup && !memcmp(dup[i]->digest, dup[j]->digest,
						    MLCI_SHA256_LEN); j++)
			strbuf_addf(&sb, "%s'%s'", sb.len ? ", " : "", dup[j]->e->name);
		if (j > i + 1)
			mlci_wheel_add(w, c->o, "W002", dup[i]->e->name,
				       "'%s' has the same content as %s",
				       dup[i]->e->name, sb.buf);
		strbuf_release(&sb);
	}
	free(dup);

	collect_toplevels(c, &tops, &ntops);
	for (i = 0; i < ntops; i++) {
		const char *t = tops[i].name;
		size_t k = tops[i].is_dir ? strlen(t) :
			   is_ext_module(t) ? strcspn(t, ".") :
			   is_module(t) ? strlen(t) - 3 : strlen(t);

		for (j = 0; common_names[j]; j++)
			if (strlen(common_names[j]) == k && !strncmp(t, common_names[j], k))
				mlci_wheel_add(w, c->o, "W005", t,
					       "top-level '%s' is a common name that clashes with other projects",
					       t);
		if (tops[i].is_dir && !tops[i].has_module)
			mlci_wheel_add(w, c->o, "W010", t,
				       "top-level directory '%s' holds no Python module", t);
		if (!ends_with(t, strlen(t), ".pth"))
			counted++;
	}
	if (counted > 1) {
		struct strbuf sb = STRBUF_INIT;

		for (i = 0; i < ntops; i++)
			if (!ends_with(tops[i].name, strlen(tops[i].name), ".pth"))
				strbuf_addf(&sb, "%s%s%s", sb.len ? ", " : "",
					    tops[i].name, tops[i].is_dir ? "/" : "");
		mlci_wheel_add(w, c->o, "W009", w->filename,
			       "%zu top-level library entries: %s", counted, sb.buf);
		strbuf_release(&sb);
	}
	if (c->o->toplevel) {
		const char *p = c->o->toplevel;

		while (*p) {
			size_t k = strcspn(p, ",");
			char *want = xstrndup(p, k);
			size_t wl = strlen(want);

			while (wl && want[wl - 1] == '/')
				want[--wl] = '\0';
			for (i = 0; wl && i < ntops; i++)
				if (!strcmp(tops[i].name, want))
					break;
			if (wl && i == ntops)
				mlci_wheel_add(w, c->o, "W201", want,
					       "declared top-level '%s' is not in the wheel", want);
			free(want);
			p += k + (p[k] == ',');
		}
		for (i = 0; i < ntops; i++) {
			char *pat = xstrfmt(",%s,", tops[i].name);
			char *list = xstrfmt(",%s,", c->o->toplevel);
			char *dpat = xstrfmt(",%s/,", tops[i].name);

			if (!strstr(list, pat) && !strstr(list, dpat) &&
			    !ends_with(tops[i].name, strlen(tops[i].name), ".pth"))
				mlci_wheel_add(w, c->o, "W202", tops[i].name,
					       "top-level '%s' was not declared with --toplevel",
					       tops[i].name);
			free(pat);
			free(list);
			free(dpat);
		}
	}
	for (i = 0; i < ntops; i++)
		free(tops[i].name);
	free(tops);
	if (c->o->package)
		ret = check_package(c);
	return ret;
}

int mlci_wheel_check(struct mlci_wheel *w, const char *path,
		     const struct mlci_wheel_options *opts)
{
	struct mlci_wheel_options defopts = MLCI_WHEEL_OPTIONS_INIT;
	struct check c;
	struct strbuf rec = STRBUF_INIT;
	char *rpath = NULL;
	int ret, have_record = 0;

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.o = opts ? opts : &defopts;
	w->path = xstrdup(path);
	w->filename = base_name(w->path);
	check_filename(&c);

	ret = mlci_zip_open_file(&c.z, path, &c.o->limits, zip_report, &c);
	if (ret < -1)
		goto out;
	w->size = c.z.size;
	mlci_sha256_hex(c.z.data ? (const void *)c.z.data : "", c.z.size, w->sha256);
	if (ret == -1) {
		mlci_wheel_add(w, c.o, "Z001", w->filename, "%s", c.z.err);
		ret = 0;
		goto out;
	}
	/*
	 * Problems found while opening were reported before skip[] existed;
	 * mark the unreadable entries now.
	 */
	if (!c.skip)
		c.skip = xcalloc(c.z.nr + 1, 1);
	{
		size_t i;

		for (i = 0; i < c.z.nr; i++)
			if (c.z.entries[i].unreadable)
				c.skip[i] = 1;
	}
	find_dist_info(&c);
	if (w->dist_info) {
		check_wheel_file(&c);
		check_metadata(&c);
		if (!read_dist_file(&c, "RECORD", "D006", &rec, &rpath)) {
			have_record = 1;
			parse_record(&c, rpath, rec.buf, rec.len);
		}
	}
	stream_files(&c, rpath ? rpath : "RECORD", have_record);
	ret = check_contents(&c);
out:
	{
		size_t i;

		for (i = 0; i < c.nrows; i++) {
			free(c.rows[i].path);
			free(c.rows[i].hash);
			free(c.rows[i].size);
		}
	}
	free(c.rows);
	free(c.files);
	free(c.skip);
	free(rpath);
	strbuf_release(&rec);
	mlci_zip_release(&c.z);
	return ret;
}

cJSON *mlci_wheel_metadata_json(const struct mlci_wheel *w)
{
	const struct mlci_metadata *md = &w->metadata;
	cJSON *o = cJSON_CreateObject(), *req = cJSON_CreateArray();
	static const char *const keys[][2] = {
		{ "metadata_version", "Metadata-Version" }, { "name", "Name" },
		{ "version", "Version" }, { "summary", "Summary" },
		{ "license", "License-Expression" },
		{ "requires_python", "Requires-Python" },
		{ "description_content_type", "Description-Content-Type" },
	};
	size_t i;

	if (!o || !req)
		mlci_die("out of memory");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = mlci_metadata_get(md, keys[i][1]);

		if (v)
			mlci_json_set_string(o, keys[i][0], v);
		else
			mlci_json_set_null(o, keys[i][0]);
	}
	for (i = 0; i < md->nr; i++)
		if (!strcasecmp(md->fields[i].name, "Requires-Dist"))
			cJSON_AddItemToArray(req, cJSON_CreateString(md->fields[i].value));
	mlci_json_set(o, "requires_dist", req);
	return o;
}

cJSON *mlci_wheel_to_json(const struct mlci_wheel *w)
{
	cJSON *o = cJSON_CreateObject(), *tags, *checks;
	size_t i;

	if (!o)
		mlci_die("out of memory");
	mlci_json_set_bool(o, "ok", w->errors == 0);
	mlci_json_set_string(o, "file", w->path);
	mlci_json_set_number(o, "size", (double)w->size);
	mlci_json_set_string(o, "sha256", w->sha256);
	if (w->name)
		mlci_json_set_string(o, "name", w->name);
	else
		mlci_json_set_null(o, "name");
	if (w->version)
		mlci_json_set_string(o, "version", w->version);
	else
		mlci_json_set_null(o, "version");
	if (w->build)
		mlci_json_set_string(o, "build", w->build);
	else
		mlci_json_set_null(o, "build");
	tags = cJSON_CreateArray();
	for (i = 0; i < w->ntags; i++)
		cJSON_AddItemToArray(tags, cJSON_CreateString(w->tags[i]));
	mlci_json_set(o, "tags", tags);
	mlci_json_set_number(o, "files", (double)w->files);
	mlci_json_set_number(o, "uncompressed", (double)w->uncompressed);
	if (w->have_metadata)
		mlci_json_set(o, "metadata", mlci_wheel_metadata_json(w));
	else
		mlci_json_set_null(o, "metadata");
	mlci_json_set_number(o, "errors", (double)w->errors);
	mlci_json_set_number(o, "warnings", (double)w->warnings);
	checks = cJSON_CreateArray();
	for (i = 0; i < w->nr; i++) {
		const struct mlci_wheel_finding *f = &w->findings[i];
		cJSON *x = cJSON_CreateObject();

		mlci_json_set_string(x, "code", f->code);
		mlci_json_set_string(x, "severity",
				     f->severity == MLCI_WHEEL_ERROR ? "error" : "warning");
		mlci_json_set_string(x, "message", f->message);
		if (f->file)
			mlci_json_set_string(x, "file", f->file);
		else
			mlci_json_set_null(x, "file");
		cJSON_AddItemToArray(checks, x);
	}
	mlci_json_set(o, "checks", checks);
	return o;
}

void mlci_wheel_release(struct mlci_wheel *w)
{
	size_t i;

	for (i = 0; i < w->nr; i++) {
		free(w->findings[i].message);
		free(w->findings[i].file);
	}
	free(w->findings);
	for (i = 0; i < w->ntags; i++)
		free(w->tags[i]);
	free(w->tags);
	free(w->path);
	free(w->name);
	free(w->version);
	free(w->build);
	free(w->python_tags);
	free(w->abi_tags);
	free(w->platform_tags);
	free(w->dist_info);
	mlci_metadata_release(&w->metadata);
	mlci_wheel_init(w);
}
