/* SPDX-License-Identifier: MIT */
/* The record's git section: repository facts from libgit2 and GitHub Actions. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "gha.h"
#include "gitctx.h"
#include "json.h"
#include "strbuf.h"
#include "usage.h"
#include "wrapper.h"

/* Event payloads are at most 25 MB on GitHub; leave some room. */
#define PAYLOAD_MAX (32u << 20)

/* Room for a SHA-1 or SHA-256 object id in hex, and its NUL. */
#define SHA_BUF 65

/* What the repository itself says, read through libgit2. */
struct repo_facts {
	int found;			/* a repository was opened */
	char sha[SHA_BUF];		/* HEAD's commit; "" when unborn */
	char second_parent[SHA_BUF];	/* of a merge commit at HEAD, else "" */
	char *branch;			/* NULL when detached */
	int dirty;			/* 1, 0, or -1 when unknown */
	char *origin;			/* owner/name of the origin remote */
};

/* The section being built; "" or NULL means null. */
struct facts {
	char sha[SHA_BUF];
	char head_sha[SHA_BUF];
	char *branch;
	const char *kind;
	const char *environment;
	char *merged_from;
	int dirty;
	const char *event;
	char *repository;
	char *run_url;
};

static const char *git_message(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

/* An environment variable, or NULL when unset or empty. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/*
 * Copy a commit id into out (lower case) when s is one: 40 or 64 hex
 * digits. Anything else leaves out empty, with a warning naming where it
 * came from, since a wrong id would break the lineage silently.
 */
static void take_sha(char out[SHA_BUF], const char *s, const char *source)
{
	size_t i, n;

	out[0] = '\0';
	if (!s)
		return;
	n = strlen(s);
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			break;
	if (i != n || (n != 40 && n != 64)) {
		mlci_warning("ignoring %s '%s': not a commit id", source, s);
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
}

/* A string at a dotted path of the payload (borrowed), or NULL. */
static const char *payload_string(const cJSON *payload, const char *path)
{
	const cJSON *it = payload ? mlci_json_path(payload, path) : NULL;

	return cJSON_IsString(it) && *it->valuestring ? it->valuestring : NULL;
}

/*
 * The event payload at GITHUB_EVENT_PATH, or NULL when there is none. One
 * that cannot be read or parsed is only a warning: the environment alone
 * still says most of what the section needs.
 */
static cJSON *read_payload(void)
{
	const char *path = env("GITHUB_EVENT_PATH");
	struct strbuf sb = STRBUF_INIT;
	cJSON *payload = NULL;
	FILE *fp;
	int ret;

	if (!path)
		return NULL;
	fp = fopen(path, "rb");
	if (!fp) {
		mlci_warning("cannot open the event payload '%s': %s; using the environment only",
			     path, strerror(errno));
		return NULL;
	}
	ret = strbuf_read_file_cap(&sb, fp, PAYLOAD_MAX);
	fclose(fp);
	if (ret == -1)
		mlci_warning("cannot read the event payload '%s'; using the environment only",
			     path);
	else if (ret == -2)
		mlci_warning("event payload '%s' is over %u bytes; using the environment only",
			     path, PAYLOAD_MAX);
	else if (!(payload = cJSON_ParseWithLength(sb.buf, sb.len)) ||
		 !cJSON_IsObject(payload)) {
		mlci_warning("malformed event payload '%s'; using the environment only",
			     path);
		cJSON_Delete(payload);
		payload = NULL;
	}
	strbuf_release(&sb);
	return payload;
}

static void oid_hex(char out[SHA_BUF], const git_oid *oid)
{
	git_oid_tostr(out, SHA_BUF, oid);
}

static void read_head(git_repository *repo, const char *where,
		      struct repo_facts *f)
{
	git_reference *head = NULL;
	git_object *obj = NULL;
	const git_commit *commit;

	if (git_repository_head_unborn(repo) == 1) {
		/* A new repository: the branch has a name but no commit yet. */
		const char *target;

		if (git_reference_lookup(&head, repo, "HEAD") < 0)
			return;
		target = git_reference_symbolic_target(head);
		if (target && starts_with(target, "refs/heads/"))
			f->branch = xstrdup(target + strlen("refs/heads/"));
		git_reference_free(head);
		return;
	}
	if (git_repository_head(&head, repo) < 0 ||
	    git_reference_peel(&obj, head, GIT_OBJECT_COMMIT) < 0) {
		mlci_warning("cannot read HEAD of the git repository in '%s': %s",
			     where, git_message());
		git_reference_free(head);
		return;
	}
	if (git_reference_is_branch(head))
		f->branch = xstrdup(git_reference_name(head) +
				    strlen("refs/heads/"));
	commit = (const git_commit *)obj;
	oid_hex(f->sha, git_commit_id(commit));
	if (git_commit_parentcount(commit) >= 2)
		oid_hex(f->second_parent, git_commit_parent_id(commit, 1));
	git_object_free(obj);
	git_reference_free(head);
}

/* Stop at the first change to a tracked file. */
#define STATUS_DIRTY 1

static int status_cb(const char *path, unsigned int flags, void *data)
{
	(void)path;
	(void)data;
	flags &= ~(unsigned int)(GIT_STATUS_WT_NEW | GIT_STATUS_IGNORED);
	return flags != GIT_STATUS_CURRENT ? STATUS_DIRTY : 0;
}

static void read_dirty(git_repository *repo, const char *where,
		       struct repo_facts *f)
{
	git_status_options opts;
	int ret;

	if (git_repository_is_bare(repo) ||
	    git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION) < 0)
		return;
	/*
	 * No untracked files (build output must not make a run dirty) and no
	 * submodules (often not checked out in CI, and slow to look into).
	 */
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	ret = git_status_foreach_ext(repo, &opts, status_cb, NULL);
	if (ret == STATUS_DIRTY)
		f->dirty = 1;
	else if (!ret)
		f->dirty = 0;
	else
		mlci_warning("cannot read the status of the git repository in '%s': %s",
			     where, git_message());
}

/*
 * The URL comes straight from the configuration, not from
 * git_remote_lookup(): the url.*.insteadOf rewriting that one does leaks
 * in libgit2 1.5 (PCRE2 match data, fixed by libgit2 pull request 6382),
 * and owner/name rarely needs it.
 */
static void read_origin(git_repository *repo, struct repo_facts *f)
{
	git_config *config = NULL;
	const char *url;

	if (git_repository_config_snapshot(&config, repo) < 0)
		return;
	if (!git_config_get_string(&url, config, "remote.origin.url"))
		f->origin = mlci_git_repository_from_url(url);
	git_config_free(config);
}

/*
 * Open the repository containing dir (NULL: the current directory, as git
 * finds it) and read its facts. Quiet when there is none; a warning when
 * there is one that cannot be opened.
 */
static void read_repo(const char *dir, struct repo_facts *f)
{
	const char *where = dir ? dir : ".";
	git_repository *repo = NULL;
	int ret;

	if (git_libgit2_init() < 0) {
		mlci_warning("cannot initialise libgit2: %s", git_message());
		return;
	}
	/*
	 * CI containers often run as root on a checkout owned by the runner's
	 * user; the record only reads the repository, so its owner is moot.
	 */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	if (dir)
		ret = git_repository_open_ext(&repo, dir, 0,
					      getenv("GIT_CEILING_DIRECTORIES"));
	else
		ret = git_repository_open_ext(&repo, NULL,
					      GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	if (!ret) {
		f->found = 1;
		read_head(repo, where, f);
		read_dirty(repo, where, f);
		read_origin(repo, f);
		git_repository_free(repo);
	} else if (ret != GIT_ENOTFOUND) {
		mlci_warning("cannot open the git repository in '%s': %s",
			     where, git_message());
	}
	git_libgit2_shutdown();
}

static void repo_facts_release(struct repo_facts *f)
{
	free(f->branch);
	free(f->origin);
}

static void facts_release(struct facts *f)
{
	free(f->branch);
	free(f->merged_from);
	free(f->repository);
	free(f->run_url);
}

static int is_pull_request_event(const char *event)
{
	return event && starts_with(event, "pull_request");
}

/* Rules 1-3 of DESIGN.md §5: the GitHub Actions context. */
static void github_facts(struct facts *f, const struct repo_facts *r)
{
	cJSON *payload = read_payload();
	const char *event = env("GITHUB_EVENT_NAME");
	const char *default_branch = payload_string(payload,
						    "repository.default_branch");
	const char *base = payload_string(payload, "pull_request.base.ref");
	const cJSON *merged = payload ? mlci_json_path(payload,
						       "pull_request.merged")
				      : NULL;
	const char *action = payload_string(payload, "action");
	const char *s;

	f->event = event;
	take_sha(f->sha, env("GITHUB_SHA"), "GITHUB_SHA");
	if (!f->sha[0] && r->sha[0])
		memcpy(f->sha, r->sha, SHA_BUF);

	if (event && (!strcmp(event, "pull_request") ||
		      !strcmp(event, "pull_request_target")) &&
	    action && !strcmp(action, "closed") && cJSON_IsTrue(merged) &&
	    base && (!strcmp(base, "main") ||
		     (default_branch && !strcmp(base, default_branch)))) {
		/* 1: a pull request merged into main; main now has its merge. */
		char merge[SHA_BUF];

		take_sha(merge, payload_string(payload,
					       "pull_request.merge_commit_sha"),
			 "pull_request.merge_commit_sha");
		if (merge[0])
			memcpy(f->sha, merge, SHA_BUF);
		memcpy(f->head_sha, f->sha, SHA_BUF);
		f->branch = xstrdup(base);
		f->kind = "main";
		f->environment = "prod";
		s = payload_string(payload, "pull_request.head.ref");
		if (!s)
			s = env("GITHUB_HEAD_REF");
		f->merged_from = s ? xstrdup(s) : NULL;
	} else if (is_pull_request_event(event)) {
		/* 2: the checkout is the detached merge of head into base. */
		s = env("GITHUB_HEAD_REF");
		if (!s)
			s = payload_string(payload, "pull_request.head.ref");
		f->branch = s ? xstrdup(s) : NULL;
		take_sha(f->head_sha, payload_string(payload,
						     "pull_request.head.sha"),
			 "pull_request.head.sha");
		if (!f->head_sha[0] && r->second_parent[0] &&
		    !strcmp(r->sha, f->sha))
			memcpy(f->head_sha, r->second_parent, SHA_BUF);
		/*
		 * A fork's "main" is not this repository's production branch.
		 */
		f->kind = mlci_git_kind(f->branch);
		if (!strcmp(f->kind, "main"))
			f->kind = "other";
		f->environment = "dev";
	} else {
		/* 3: push, workflow_dispatch, schedule and the rest. */
		s = env("GITHUB_REF_TYPE");
		if (s && !strcmp(s, "tag")) {
			f->branch = NULL;
		} else {
			s = env("GITHUB_REF_NAME");
			if (!s)
				s = r->branch;
			f->branch = s ? xstrdup(s) : NULL;
		}
		memcpy(f->head_sha, f->sha, SHA_BUF);
		f->kind = mlci_git_kind(f->branch);
		if (f->branch && default_branch &&
		    !strcmp(f->branch, default_branch))
			f->kind = "main";
		f->environment = strcmp(f->kind, "main") ? "dev" : "prod";
	}

	if ((s = env("GITHUB_REPOSITORY")))
		f->repository = xstrdup(s);
	if (env("GITHUB_SERVER_URL") && env("GITHUB_REPOSITORY") &&
	    env("GITHUB_RUN_ID"))
		f->run_url = xstrfmt("%s/%s/actions/runs/%s",
				     env("GITHUB_SERVER_URL"),
				     env("GITHUB_REPOSITORY"),
				     env("GITHUB_RUN_ID"));
	cJSON_Delete(payload);
}

/* Rule 4: no GitHub context, only the repository. */
static void local_facts(struct facts *f, const struct repo_facts *r)
{
	memcpy(f->sha, r->sha, SHA_BUF);
	memcpy(f->head_sha, r->sha, SHA_BUF);
	f->branch = r->branch ? xstrdup(r->branch) : NULL;
	f->kind = mlci_git_kind(f->branch);
	f->environment = "local";
}

static void set_sha(cJSON *obj, const char *key, const char *sha)
{
	mlci_json_set_string(obj, key, *sha ? sha : NULL);
}

int mlci_git_section(const char *dir, cJSON **out)
{
	struct repo_facts r = { 0 };
	struct facts f = { 0 };
	int github = mlci_gha_enabled();
	cJSON *git;
	char *slug;
	char short_sha[8] = "";
	const char *full;

	r.dirty = -1;
	read_repo(dir, &r);
	f.dirty = r.dirty;
	if (github)
		github_facts(&f, &r);
	else if (r.found)
		local_facts(&f, &r);
	else
		mlci_warning("not in a git repository: the git section is empty");
	if (!f.repository && r.origin)
		f.repository = xstrdup(r.origin);

	git = cJSON_CreateObject();
	if (!git)
		mlci_die("out of memory building JSON");
	full = f.head_sha[0] ? f.head_sha : f.sha;
	if (*full) {
		memcpy(short_sha, full, 7);
		short_sha[7] = '\0';
	}
	slug = mlci_git_slug(f.branch);
	set_sha(git, "sha", f.sha);
	set_sha(git, "head_sha", f.head_sha);
	set_sha(git, "short_sha", short_sha);
	mlci_json_set_string(git, "branch", f.branch);
	mlci_json_set_string(git, "kind", f.kind);
	mlci_json_set_string(git, "slug", slug);
	if (f.dirty < 0)
		mlci_json_set_null(git, "dirty");
	else
		mlci_json_set_bool(git, "dirty", f.dirty);
	mlci_json_set_string(git, "environment", f.environment);
	mlci_json_set_string(git, "merged_from", f.merged_from);
	mlci_json_set_string(git, "event", f.event);
	mlci_json_set_string(git, "repository", f.repository);
	mlci_json_set_string(git, "run_url", f.run_url);
	free(slug);
	facts_release(&f);
	repo_facts_release(&r);
	*out = git;
	return 0;
}

int mlci_git_ensure_section(cJSON *record)
{
	cJSON *git;
	int ret;

	if (!cJSON_IsObject(record))
		return mlci_error(MLCI_EXIT_BUG, "the record is not an object");
	if (cJSON_GetObjectItemCaseSensitive(record, "git"))
		return 0;
	ret = mlci_git_section(NULL, &git);
	if (ret)
		return ret;
	mlci_json_set(record, "git", git);
	return 0;
}

const char *mlci_git_kind(const char *branch)
{
	if (!branch)
		return "other";
	if (!strcmp(branch, "main"))
		return "main";
	if (starts_with(branch, "feature/"))
		return "feature";
	if (starts_with(branch, "model/"))
		return "model";
	return "other";
}

static int slug_safe(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

char *mlci_git_slug(const char *branch)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p;

	if (!branch)
		return NULL;
	for (p = (const unsigned char *)branch; *p; p++) {
		int c = slug_safe(*p) ? *p : '-';

		if (c == '-' && (!sb.len || sb.buf[sb.len - 1] == '-'))
			continue;
		strbuf_addch(&sb, c);
	}
	if (sb.len && sb.buf[sb.len - 1] == '-')
		strbuf_setlen(&sb, sb.len - 1);
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static int string_is(const cJSON *obj, const char *key, const char *want)
{
	const char *s = obj ? mlci_json_get_string(obj, key) : NULL;

	return s && !strcmp(s, want);
}

char *mlci_git_derive_name(const cJSON *git, const char *base)
{
	const char *env_name = git ? mlci_json_get_string(git, "environment")
				   : NULL;
	const char *slug = git ? mlci_json_get_string(git, "slug") : NULL;
	const char *short_sha = git ? mlci_json_get_string(git, "short_sha")
				    : NULL;

	if (!base)
		return NULL;
	if (!env_name || !strcmp(env_name, "local"))
		return xstrfmt("%s-local", base);
	if (!strcmp(env_name, "prod") || string_is(git, "kind", "main"))
		return xstrfmt("%s-main", base);
	/*
	 * A development branch called "main" (a fork's) or "local" must not
	 * share the production or laptop names.
	 */
	if (slug && (!strcmp(slug, "main") || !strcmp(slug, "local")))
		return xstrfmt("%s-branch-%s", base, slug);
	if (slug && *slug)
		return xstrfmt("%s-%s", base, slug);
	if (short_sha && *short_sha)
		return xstrfmt("%s-%s", base, short_sha);
	return xstrfmt("%s-dev", base);
}

char *mlci_git_repository_from_url(const char *url)
{
	const char *path, *scheme_end, *colon, *slash;
	size_t len;

	if (!url || !*url)
		return NULL;
	scheme_end = strstr(url, "://");
	if (scheme_end) {
		if ((size_t)(scheme_end - url) == 4 && !strncmp(url, "file", 4))
			return NULL;
		/* Credentials and port live in the authority, dropped here. */
		path = strchr(scheme_end + 3, '/');
		if (!path)
			return NULL;
	} else {
		/* git's scp-like syntax: [user@]host:path, ':' before any '/'. */
		colon = strchr(url, ':');
		slash = strchr(url, '/');
		if (!colon || (slash && slash < colon) || colon == url ||
		    (colon - url == 1 && isalpha((unsigned char)url[0])))
			return NULL;
		path = colon + 1;
	}
	while (*path == '/')
		path++;
	len = strlen(path);
	while (len && path[len - 1] == '/')
		len--;
	if (ends_with(path, len, ".git"))
		len -= 4;
	while (len && path[len - 1] == '/')
		len--;
	if (!len || !memchr(path, '/', len))
		return NULL;
	return xstrndup(path, len);
}
