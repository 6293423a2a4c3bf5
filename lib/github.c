/* SPDX-License-Identifier: MIT */
/* Post or update one marked pull-request comment through GitHub's REST API; a token that may not write is a warning. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gha.h"
#include "github.h"
#include "json.h"
#include "now.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

#define DEFAULT_API_URL "https://api.github.com"
#define EVENT_MAX ((size_t)64 << 20)
#define MAX_PAGES 100		/* 10,000 comments: far beyond a real pull request */
#define NOTE_ROOM 200		/* characters kept for the note of a cut body */

/* Characters as counted against the limit: 2 for a 4-byte UTF-8 sequence. */
static size_t char_weight(unsigned char lead)
{
	return lead >= 0xf0 ? 2 : 1;
}

static int is_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

char *mlci_github_comment_body(const char *marker, const char *markdown)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, chars = 0, cut = 0, cut_chars = 0, last_nl = 0,
	       last_nl_chars = 0, total = 0, budget;
	const unsigned char *p;

	if (!strncmp(marker, "<!--", 4))
		strbuf_addstr(&sb, marker);
	else
		strbuf_addf(&sb, "<!-- %s -->", marker);
	strbuf_addch(&sb, '\n');
	strbuf_addstr(&sb, markdown ? markdown : "");

	p = (const unsigned char *)sb.buf;
	for (i = 0; i < sb.len; i++)
		if (!is_continuation(p[i]))
			total += char_weight(p[i]);
	if (total <= MLCI_GITHUB_BODY_MAX)
		return strbuf_detach(&sb, NULL);

	/* Find the longest prefix, ending at a line if possible, that fits. */
	budget = MLCI_GITHUB_BODY_MAX - NOTE_ROOM;
	for (i = 0; i < sb.len;) {
		size_t w = char_weight(p[i]), j = i + 1;

		while (j < sb.len && is_continuation(p[j]))
			j++;
		if (chars + w > budget)
			break;
		chars += w;
		if (p[i] == '\n') {
			last_nl = j;
			last_nl_chars = chars;
		}
		i = j;
	}
	cut = i;
	cut_chars = chars;
	if (last_nl > budget / 2) {
		cut = last_nl;
		cut_chars = last_nl_chars;
	}
	strbuf_setlen(&sb, cut);
	strbuf_addf(&sb, "%s\n---\n*Report cut here: %zu more characters did "
		    "not fit in a comment. The full report is in the job log.*\n",
		    cut && sb.buf[cut - 1] == '\n' ? "" : "\n",
		    total - cut_chars);
	return strbuf_detach(&sb, NULL);
}

/* As mlci_github_event_pr_number(), with the reason of a failure in why. */
static int read_pr_number(const char *path, long *number, struct strbuf *why)
{
	struct strbuf text = STRBUF_INIT;
	const cJSON *pr, *issue, *num = NULL;
	cJSON *doc = NULL;
	FILE *fp;
	int ret = 1, rc;

	fp = fopen(path, "rb");
	if (!fp) {
		strbuf_addf(why, "cannot open '%s': %s", path, strerror(errno));
		return -MLCI_EXIT_INPUT;
	}
	rc = strbuf_read_file_cap(&text, fp, EVENT_MAX);
	fclose(fp);
	if (rc) {
		strbuf_addf(why, "cannot read '%s': %s", path,
			    rc == -2 ? "file too large" : strerror(errno));
		ret = -MLCI_EXIT_INPUT;
		goto out;
	}
	doc = cJSON_ParseWithLength(text.buf, text.len);
	if (!cJSON_IsObject(doc)) {
		strbuf_addf(why, "malformed event payload '%s'", path);
		ret = -MLCI_EXIT_INPUT;
		goto out;
	}
	pr = cJSON_GetObjectItemCaseSensitive(doc, "pull_request");
	issue = cJSON_GetObjectItemCaseSensitive(doc, "issue");
	if (cJSON_IsObject(pr))
		num = cJSON_GetObjectItemCaseSensitive(pr, "number");
	else if (cJSON_IsObject(issue) &&
		 cJSON_GetObjectItemCaseSensitive(issue, "pull_request"))
		num = cJSON_GetObjectItemCaseSensitive(issue, "number");
	else if (!cJSON_IsObject(issue))
		num = cJSON_GetObjectItemCaseSensitive(doc, "number");
	if (cJSON_IsNumber(num) && num->valuedouble >= 1 &&
	    num->valuedouble <= 2147483647.0 &&
	    num->valuedouble == (double)(long)num->valuedouble) {
		*number = (long)num->valuedouble;
		ret = 0;
	}
out:
	cJSON_Delete(doc);
	strbuf_release(&text);
	return ret;
}

int mlci_github_event_pr_number(const char *path, long *number)
{
	struct strbuf why = STRBUF_INIT;
	int ret = read_pr_number(path, number, &why);

	if (ret < 0)
		mlci_error(-ret, "%s", why.buf);
	strbuf_release(&why);
	return ret;
}

static int valid_repository(const char *repo)
{
	const char *p, *slash = strchr(repo, '/');

	if (!slash || slash == repo || !slash[1] || strchr(slash + 1, '/'))
		return 0;
	for (p = repo; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		      *p == '.' || *p == '/'))
			return 0;
	return 1;
}

/* The "message" of a GitHub error body, short and on one line. */
static void api_message(const cJSON *json, struct strbuf *out)
{
	const char *m = mlci_json_get_string(json, "message");
	size_t i;

	strbuf_reset(out);
	if (!m)
		return;
	for (i = 0; m[i] && i < 200; i++)
		strbuf_addch(out, m[i] == '\n' || m[i] == '\r' ? ' ' : m[i]);
}

struct ctx {
	struct mlci_http_opts opts;
	const char *api;	/* without a trailing '/' */
	const char *repo;
	long number;
	struct strbuf msg;
};

/*
 * What a status other than the expected success means: 1 (skip, with a
 * warning) or -MLCI_EXIT_REMOTE when the API is still failing.
 */
static int judge_status(struct ctx *c, const char *what,
			const struct mlci_http_response *res, const cJSON *json)
{
	api_message(json, &c->msg);
	if (res->status >= 500 || res->status == 429 || res->status == 408 ||
	    res->status < 100)
		return mlci_error(MLCI_EXIT_REMOTE,
				  "cannot %s pull request #%ld of '%s': GitHub API "
				  "answered %ld after %d attempt%s%s%s", what,
				  c->number, c->repo, res->status, res->attempts,
				  res->attempts == 1 ? "" : "s",
				  c->msg.len ? ": " : "", c->msg.buf);
	if (res->status == 401)
		mlci_warning("GitHub rejected the token (401%s%s): no comment posted",
			     c->msg.len ? " " : "", c->msg.buf);
	else if (res->status == 403 || res->status == 404)
		mlci_warning("the token may not %s pull request #%ld of '%s' "
			     "(%ld%s%s; a fork's pull request has a read-only "
			     "token): no comment posted", what, c->number,
			     c->repo, res->status, c->msg.len ? " " : "",
			     c->msg.buf);
	else
		mlci_warning("cannot %s pull request #%ld of '%s': GitHub API "
			     "answered %ld%s%s: no comment posted", what,
			     c->number, c->repo, res->status,
			     c->msg.len ? " " : "", c->msg.buf);
	return 1;
}

/* 1 when url is on the API we were given, so the token goes nowhere else. */
static int same_api(const struct ctx *c, const char *url)
{
	size_t len = strlen(c->api);

	return !strncmp(url, c->api, len) && url[len] == '/';
}

/*
 * Find the id of the first comment holding marker into id ("" if none).
 * 0, 1 (skipped) or -MLCI_EXIT_REMOTE.
 */
static int find_comment(struct ctx *c, const char *marker, struct strbuf *id)
{
	struct mlci_http_response res;
	char *url = xstrfmt("%s/repos/%s/issues/%ld/comments?per_page=100",
			    c->api, c->repo, c->number);
	int ret = 0, pages;

	mlci_http_response_init(&res);
	strbuf_reset(id);
	for (pages = 0; url && !id->len; pages++) {
		cJSON *json = NULL, *item;
		char *next;

		if (pages == MAX_PAGES) {
			mlci_warning("more than %d pages of comments on pull "
				     "request #%ld: looked no further",
				     MAX_PAGES, c->number);
			break;
		}
		ret = mlci_http_json(&c->opts, "GET", url, NULL, NULL, &res, &json);
		if (ret)
			break;
		if (res.status != 200 || !cJSON_IsArray(json)) {
			if (res.status == 200)
				ret = mlci_error(MLCI_EXIT_REMOTE,
						 "cannot list the comments of pull "
						 "request #%ld of '%s': not a JSON array",
						 c->number, c->repo);
			else
				ret = judge_status(c, "read the comments of", &res, json);
			cJSON_Delete(json);
			break;
		}
		cJSON_ArrayForEach(item, json) {
			const char *body = mlci_json_get_string(item, "body");
			const cJSON *cid = cJSON_GetObjectItemCaseSensitive(item, "id");

			if (!body || !strstr(body, marker) || !cJSON_IsNumber(cid) ||
			    cid->valuedouble < 1 || cid->valuedouble > 9007199254740992.0)
				continue;
			strbuf_addf(id, "%.0f", cid->valuedouble);
			break;
		}
		cJSON_Delete(json);
		next = mlci_http_link_next(res.link);
		free(url);
		url = NULL;
		if (next && !same_api(c, next)) {
			char *shown = mlci_http_redact_url(next);

			mlci_warning("not following a next page off the API: '%s'", shown);
			free(shown);
			free(next);
			next = NULL;
		}
		url = next;
	}
	free(url);
	mlci_http_response_release(&res);
	return ret;
}

/* PATCH the comment id, or POST a new one when id is "". 0, 1, -5; 2: gone. */
static int write_comment(struct ctx *c, const char *id, const char *text)
{
	struct mlci_http_response res;
	cJSON *send = cJSON_CreateObject(), *json = NULL;
	char *url;
	int ret;

	if (!send)
		mlci_die("out of memory");
	mlci_json_set_string(send, "body", text);
	if (*id)
		url = xstrfmt("%s/repos/%s/issues/comments/%s", c->api, c->repo, id);
	else
		url = xstrfmt("%s/repos/%s/issues/%ld/comments", c->api, c->repo,
			      c->number);
	mlci_http_response_init(&res);
	ret = mlci_http_json(&c->opts, *id ? "PATCH" : "POST", url, NULL, send,
			     &res, &json);
	if (!ret) {
		if (res.status == (*id ? 200 : 201))
			ret = 0;
		else if (*id && res.status == 404)
			ret = 2;
		else
			ret = judge_status(c, *id ? "update a comment on" :
					   "comment on", &res, json);
	}
	cJSON_Delete(json);
	cJSON_Delete(send);
	mlci_http_response_release(&res);
	free(url);
	return ret;
}

int mlci_github_comment_opts(const struct mlci_http_opts *opts,
			     const char *marker, const char *body_markdown)
{
	static const char *const headers[] = {
		"Accept: application/vnd.github+json",
		"X-GitHub-Api-Version: " MLCI_GITHUB_API_VERSION,
		NULL
	};
	const char *token = getenv("GITHUB_TOKEN");
	const char *event = getenv("GITHUB_EVENT_PATH");
	const char *api = getenv("GITHUB_API_URL");
	struct strbuf why = STRBUF_INIT, id = STRBUF_INIT;
	char *text = NULL, *api_copy = NULL, *hidden = NULL;
	struct ctx c;
	int ret;

	memset(&c, 0, sizeof(c));
	strbuf_init(&c.msg, 0);
	if (!marker || !*marker)
		return mlci_error(MLCI_EXIT_BUG, "a pull-request comment needs a marker");
	if (!token || !*token) {
		mlci_warning("GITHUB_TOKEN is not set: no comment posted");
		return 1;
	}
	mlci_gha_mask(token);
	c.repo = getenv("GITHUB_REPOSITORY");
	if (!c.repo || !valid_repository(c.repo)) {
		mlci_warning("GITHUB_REPOSITORY '%s' is not owner/name: no comment posted",
			     c.repo ? c.repo : "");
		return 1;
	}
	if (!event || !*event) {
		mlci_warning("not a pull request: no comment posted");
		return 1;
	}
	ret = read_pr_number(event, &c.number, &why);
	if (ret < 0)
		mlci_warning("%s: no comment posted", why.buf);
	else if (ret)
		mlci_warning("not a pull request: no comment posted");
	strbuf_release(&why);
	if (ret)
		return 1;

	api_copy = xstrdup(api && *api ? api : DEFAULT_API_URL);
	while (*api_copy && api_copy[strlen(api_copy) - 1] == '/')
		api_copy[strlen(api_copy) - 1] = '\0';
	c.api = api_copy;
	c.opts = *opts;
	c.opts.bearer_token = token;
	c.opts.basic_user = c.opts.basic_password = NULL;
	c.opts.headers = headers;
	if (c.opts.deadline <= 0)
		c.opts.deadline = mlci_monotonic() + 120;

	if (!strncmp(marker, "<!--", 4))
		hidden = xstrdup(marker);
	else
		hidden = xstrfmt("<!-- %s -->", marker);
	text = mlci_github_comment_body(marker, body_markdown);
	ret = find_comment(&c, hidden, &id);
	if (!ret) {
		ret = write_comment(&c, id.buf, text);
		if (ret == 2) {
			/* Deleted since we listed it: post a new one. */
			ret = write_comment(&c, "", text);
		}
	}
	free(hidden);
	free(text);
	free(api_copy);
	strbuf_release(&id);
	strbuf_release(&c.msg);
	return ret;
}

int mlci_github_comment(const char *marker, const char *body_markdown)
{
	struct mlci_http_opts opts;

	mlci_http_opts_init(&opts);
	opts.connect_timeout_ms = 10000;
	opts.timeout_ms = 30000;
	opts.backoff_factor = 1;
	opts.backoff_jitter = 1;
	return mlci_github_comment_opts(&opts, marker, body_markdown);
}
