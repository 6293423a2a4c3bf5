/* SPDX-License-Identifier: MIT */
/* The simple repository API client (PEP 503 / 691) and twine's legacy upload API. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gha.h"
#include "http.h"
#include "json.h"
#include "pyindex.h"
#include "strbuf.h"
#include "usage.h"
#include "wheel.h"
#include "wrapper.h"

#define ACCEPT_SIMPLE "Accept: application/vnd.pypi.simple.v1+json, " \
	"application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

void mlci_pyindex_project_release(struct mlci_pyindex_project *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		free(p->files[i].filename);
		free(p->files[i].version);
	}
	free(p->files);
	memset(p, 0, sizeof(*p));
}

char *mlci_pyindex_file_version(const char *filename, const char *norm_name)
{
	static const char *const exts[] = { ".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", NULL };
	size_t len = strlen(filename), i;
	const char *d;

	if (len > 4 && !strcmp(filename + len - 4, ".whl")) {
		char *name, *ver, *b, *py, *abi, *plat, err[200];

		if (mlci_wheel_split_filename(filename, &name, &ver, &b, &py, &abi,
					      &plat, err, sizeof(err)))
			return NULL;
		free(name);
		free(b);
		free(py);
		free(abi);
		free(plat);
		return ver;
	}
	for (i = 0; exts[i]; i++) {
		size_t k = strlen(exts[i]);

		if (len > k && !strcasecmp(filename + len - k, exts[i])) {
			len -= k;
			break;
		}
	}
	if (!exts[i])
		return NULL;
	/* The name may itself hold dashes: find the split whose prefix matches. */
	for (d = filename; (d = memchr(d, '-', len - (size_t)(d - filename))); d++) {
		char norm[512];

		if (!mlci_wheel_normalize_name(filename, (size_t)(d - filename), '-',
					       norm, sizeof(norm)) &&
		    !strcmp(norm, norm_name))
			return xstrndup(d + 1, len - (size_t)(d + 1 - filename));
	}
	return NULL;
}

static void add_file(struct mlci_pyindex_project *p, const char *filename,
		     size_t n, int yanked, const char *norm_name)
{
	struct mlci_pyindex_file *f;

	ALLOC_GROW(p->files, p->nr + 1, p->alloc);
	f = &p->files[p->nr++];
	f->filename = xstrndup(filename, n);
	f->version = mlci_pyindex_file_version(f->filename, norm_name);
	f->yanked = yanked;
}

int mlci_pyindex_parse_json(const char *body, size_t len, const char *norm_name,
			    struct mlci_pyindex_project *p)
{
	cJSON *doc = cJSON_ParseWithLength(body, len), *files, *f;

	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return -1;
	}
	files = cJSON_GetObjectItemCaseSensitive(doc, "files");
	if (!cJSON_IsArray(files)) {
		cJSON_Delete(doc);
		return -1;
	}
	cJSON_ArrayForEach(f, files) {
		const char *name = mlci_json_get_string(f, "filename");
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(f, "yanked");
		int yanked = cJSON_IsTrue(y) || (cJSON_IsString(y));

		if (!name)
			continue;
		add_file(p, name, strlen(name), yanked, norm_name);
	}
	cJSON_Delete(doc);
	return 0;
}

/* Decode the few entities a file name can hold into out. */
static void html_text(const char *s, size_t n, struct strbuf *out)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&#39;", '\'' }, { "&#x27;", '\'' },
	};
	size_t i, j;

	strbuf_reset(out);
	for (i = 0; i < n; i++) {
		if (s[i] == '&') {
			for (j = 0; j < sizeof(ents) / sizeof(ents[0]); j++) {
				size_t k = strlen(ents[j].ent);

				if (i + k <= n && !strncmp(s + i, ents[j].ent, k)) {
					strbuf_addch(out, ents[j].c);
					i += k - 1;
					break;
				}
			}
			if (j < sizeof(ents) / sizeof(ents[0]))
				continue;
		}
		strbuf_addch(out, s[i]);
	}
}

int mlci_pyindex_parse_html(const char *body, size_t len, const char *norm_name,
			    struct mlci_pyindex_project *p)
{
	const char *s = body, *end = body + len;
	struct strbuf text = STRBUF_INIT;

	while (s < end) {
		const char *a = NULL, *gt, *close, *t, *q;

		for (q = s; q + 3 <= end; q++)
			if (q[0] == '<' && (q[1] == 'a' || q[1] == 'A') &&
			    isspace((unsigned char)q[2])) {
				a = q;
				break;
			}
		if (!a)
			break;
		gt = memchr(a, '>', (size_t)(end - a));
		if (!gt)
			break;
		for (close = gt; close + 4 <= end; close++)
			if (!strncasecmp(close, "</a>", 4))
				break;
		if (close + 4 > end) {
			strbuf_release(&text);
			return -1;
		}
		/* data-yanked, present at all (with or without a reason), yanks. */
		{
			int yanked = 0;

			for (t = a; t + 11 <= gt; t++)
				if (!strncasecmp(t, "data-yanked", 11) &&
				    (isspace((unsigned char)t[-1]))) {
					yanked = 1;
					break;
				}
			t = gt + 1;
			while (t < close && isspace((unsigned char)*t))
				t++;
			q = close;
			while (q > t && isspace((unsigned char)q[-1]))
				q--;
			html_text(t, (size_t)(q - t), &text);
			if (text.len)
				add_file(p, text.buf, text.len, yanked, norm_name);
		}
		s = close + 4;
	}
	strbuf_release(&text);
	return 0;
}

void mlci_pyindex_result_init(struct mlci_pyindex_result *r)
{
	memset(r, 0, sizeof(*r));
}

void mlci_pyindex_result_release(struct mlci_pyindex_result *r)
{
	free(r->url);
	mlci_pyindex_result_init(r);
}

void mlci_pyindex_decide(const struct mlci_pyindex_project *p,
			 const char *version, const char *filename,
			 struct mlci_pyindex_result *r)
{
	struct mlci_pep440 mine, best, v;
	int have_best = 0, have_mine = !mlci_pep440_parse(version, &mine);
	size_t i;

	r->latest[0] = '\0';
	r->file_exists = 0;
	r->files = p->nr;
	r->yanked = 0;
	for (i = 0; i < p->nr; i++) {
		const struct mlci_pyindex_file *f = &p->files[i];

		if (!strcmp(f->filename, filename))
			r->file_exists = 1;
		if (f->yanked) {
			r->yanked++;
			continue;
		}
		if (!f->version || mlci_pep440_parse(f->version, &v))
			continue;
		if (!have_best || mlci_pep440_cmp(&v, &best) > 0) {
			best = v;
			have_best = 1;
		}
	}
	if (have_best)
		mlci_pep440_format(&best, r->latest, sizeof(r->latest));
	r->is_new = have_mine && (!have_best || mlci_pep440_cmp(&mine, &best) > 0);
}

/* Credentials from twine's variables; a lone password is an API token. */
static void auth(struct mlci_http_opts *o)
{
	const char *user = getenv("TWINE_USERNAME");
	const char *pass = getenv("TWINE_PASSWORD");

	if (pass && *pass) {
		mlci_gha_mask(pass);
		o->basic_user = user && *user ? user : "__token__";
		o->basic_password = pass;
	}
}

int mlci_pyindex_check(const char *index_url, const char *name,
		       const char *version, const char *filename,
		       struct mlci_pyindex_result *r)
{
	static const char *const headers[] = { ACCEPT_SIMPLE, NULL };
	struct mlci_http_opts o;
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	struct mlci_http_response res;
	struct mlci_pyindex_project p = MLCI_PYINDEX_PROJECT_INIT;
	char norm[512];
	size_t n = strlen(index_url);
	int ret = 0, bad;

	if (mlci_wheel_normalize_name(name, strlen(name), '-', norm, sizeof(norm)))
		return mlci_error(MLCI_EXIT_INPUT, "project name too long '%s'", name);
	free(r->url);
	r->url = xstrfmt("%s%s%s/", index_url, n && index_url[n - 1] == '/' ? "" : "/",
			 norm);
	mlci_http_opts_init(&o);
	o.follow_redirects = 1;
	auth(&o);
	mlci_http_response_init(&res);
	req.url = r->url;
	req.headers = headers;
	ret = mlci_http_request(&o, &req, &res);
	if (ret)
		goto out;
	if (res.status == 404) {
		r->project_exists = 0;
		r->form = NULL;
		mlci_pyindex_decide(&p, version, filename, r);
		goto out;
	}
	if (res.status != 200) {
		char *u = mlci_http_redact_url(r->url);

		ret = mlci_error(MLCI_EXIT_REMOTE, "index answered %ld for '%s'",
				 res.status, u);
		free(u);
		goto out;
	}
	r->project_exists = 1;
	if (res.content_type && strstr(res.content_type, "json")) {
		r->form = "json";
		bad = mlci_pyindex_parse_json(res.body.buf, res.body.len, norm, &p);
	} else {
		r->form = "html";
		bad = mlci_pyindex_parse_html(res.body.buf, res.body.len, norm, &p);
	}
	if (bad) {
		char *u = mlci_http_redact_url(r->url);

		ret = mlci_error(MLCI_EXIT_REMOTE, "malformed %s project page '%s'",
				 r->form, u);
		free(u);
		goto out;
	}
	mlci_pyindex_decide(&p, version, filename, r);
out:
	mlci_pyindex_project_release(&p);
	mlci_http_response_release(&res);
	return ret;
}

cJSON *mlci_pyindex_result_json(const struct mlci_pyindex_result *r)
{
	cJSON *o = cJSON_CreateObject();
	char *u = mlci_http_redact_url(r->url ? r->url : "");

	if (!o)
		mlci_die("out of memory");
	mlci_json_set_string(o, "url", u);
	free(u);
	if (r->form)
		mlci_json_set_string(o, "form", r->form);
	else
		mlci_json_set_null(o, "form");
	mlci_json_set_bool(o, "project_exists", r->project_exists);
	if (r->latest[0])
		mlci_json_set_string(o, "latest", r->latest);
	else
		mlci_json_set_null(o, "latest");
	mlci_json_set_bool(o, "is_new", r->is_new);
	mlci_json_set_bool(o, "file_exists", r->file_exists);
	mlci_json_set_number(o, "files", (double)r->files);
	mlci_json_set_number(o, "yanked", (double)r->yanked);
	return o;
}

struct form {
	struct mlci_http_form_part *parts;
	size_t nr, alloc;
};

static void form_add(struct form *f, const char *name, const char *value)
{
	if (!value)
		return;
	ALLOC_GROW(f->parts, f->nr + 1, f->alloc);
	memset(&f->parts[f->nr], 0, sizeof(f->parts[0]));
	f->parts[f->nr].name = name;
	f->parts[f->nr].value = value;
	f->nr++;
}

int mlci_pyindex_upload(const char *url, const char *path,
			const struct mlci_wheel *w, int *exists)
{
	/* METADATA fields and the form names twine gives them. */
	static const char *const single[][2] = {
		{ "Metadata-Version", "metadata_version" }, { "Name", "name" },
		{ "Version", "version" }, { "Summary", "summary" },
		{ "Home-page", "home_page" }, { "Author", "author" },
		{ "Author-email", "author_email" }, { "Maintainer", "maintainer" },
		{ "Maintainer-email", "maintainer_email" }, { "License", "license" },
		{ "License-Expression", "license_expression" },
		{ "Keywords", "keywords" }, { "Requires-Python", "requires_python" },
		{ "Description-Content-Type", "description_content_type" },
	};
	static const char *const multi[][2] = {
		{ "Classifier", "classifiers" }, { "Requires-Dist", "requires_dist" },
		{ "Provides-Extra", "provides_extra" }, { "Project-URL", "project_urls" },
		{ "Platform", "platform" }, { "Dynamic", "dynamic" },
		{ "License-File", "license_file" },
	};
	const struct mlci_metadata *md = &w->metadata;
	struct mlci_http_opts o;
	struct mlci_http_request req = MLCI_HTTP_REQUEST_INIT;
	struct mlci_http_response res;
	struct form f = { NULL, 0, 0 };
	const char *desc;
	size_t i, j;
	int ret;

	*exists = 0;
	form_add(&f, ":action", "file_upload");
	form_add(&f, "protocol_version", "1");
	for (i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		form_add(&f, single[i][1], mlci_metadata_get(md, single[i][0]));
	for (i = 0; i < sizeof(multi) / sizeof(multi[0]); i++)
		for (j = 0; j < md->nr; j++)
			if (!strcasecmp(md->fields[j].name, multi[i][0]))
				form_add(&f, multi[i][1], md->fields[j].value);
	desc = md->body ? md->body : mlci_metadata_get(md, "Description");
	form_add(&f, "description", desc);
	form_add(&f, "filetype", "bdist_wheel");
	form_add(&f, "pyversion", w->python_tags);
	form_add(&f, "sha256_digest", w->sha256);
	ALLOC_GROW(f.parts, f.nr + 1, f.alloc);
	memset(&f.parts[f.nr], 0, sizeof(f.parts[0]));
	f.parts[f.nr].name = "content";
	f.parts[f.nr].path = path;
	f.parts[f.nr].filename = w->filename;
	f.parts[f.nr].content_type = "application/octet-stream";
	f.nr++;

	mlci_http_opts_init(&o);
	o.timeout_ms = 0;
	auth(&o);
	mlci_http_response_init(&res);
	req.method = "POST";
	req.url = url;
	req.form = f.parts;
	req.form_nr = f.nr;
	ret = mlci_http_request(&o, &req, &res);
	if (ret)
		goto out;
	if (res.status >= 200 && res.status < 300)
		goto out;
	if (res.status == 409 ||
	    (res.status == 400 && strcasestr(res.body.buf, "exist"))) {
		*exists = 1;
		goto out;
	}
	{
		char *u = mlci_http_redact_url(url);
		size_t n = res.body.len > 200 ? 200 : res.body.len;

		for (i = 0; i < n; i++)
			if (res.body.buf[i] == '\n' || res.body.buf[i] == '\r')
				res.body.buf[i] = ' ';
		ret = mlci_error(MLCI_EXIT_REMOTE, "upload to '%s' failed with %ld: %.*s",
				 u, res.status, (int)n, res.body.buf);
		free(u);
	}
out:
	free(f.parts);
	mlci_http_response_release(&res);
	return ret;
}
