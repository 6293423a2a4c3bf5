/* SPDX-License-Identifier: MIT */
/* Unit tests of the git section: libgit2 repositories in temporary folders, GitHub contexts, slugs and names. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "gitctx.h"
#include "json.h"
#include "strbuf.h"
#include "unit.h"
#include "usage.h"
#include "wrapper.h"

extern char **environ;

static const char *const keys[] = {
	"sha", "head_sha", "short_sha", "branch", "kind", "slug", "dirty",
	"environment", "merged_from", "event", "repository", "run_url", NULL
};
#define NKEYS 12

static char root[1024];	/* the temporary folder holding everything */
static char repo_dir[PATH_MAX];
static char event_path[PATH_MAX];
static char stderr_path[PATH_MAX];
static char c1[41], c2[41], m[41], u1[41], c1_short[8], c2_short[8], m_short[8];
static git_oid c1_oid, m_oid;

static void fatal(const char *what)
{
	const git_error *e = git_error_last();

	fprintf(stderr, "test-gitctx: %s: %s\n", what,
		e && e->message ? e->message : strerror(errno));
	exit(99);
}

/* Forget the runner's own CI and git context: every case sets its own. */
static void clear_env(void)
{
	char *names[256];
	size_t n = 0, i;
	char **e;

	for (e = environ; *e && n < 256; e++)
		if (!strncmp(*e, "GITHUB_", 7) || !strncmp(*e, "GIT_", 4))
			names[n++] = xstrndup(*e, strcspn(*e, "="));
	for (i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(text, fp) < 0 || fclose(fp))
		fatal(path);
}

static char *read_text(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *fp = fopen(path, "r");

	if (!fp || strbuf_read_file_cap(&sb, fp, 1 << 20))
		fatal(path);
	fclose(fp);
	return strbuf_detach(&sb, NULL);
}

/* Tokens standing for the commits made at start-up; anything else as is. */
static const char *expand(const char *s)
{
	if (!s)
		return NULL;
	if (!strcmp(s, "$C1"))
		return c1;
	if (!strcmp(s, "$C2"))
		return c2;
	if (!strcmp(s, "$M"))
		return m;
	if (!strcmp(s, "$U1"))
		return u1;
	if (!strcmp(s, "$c1"))
		return c1_short;
	if (!strcmp(s, "$c2"))
		return c2_short;
	if (!strcmp(s, "$m"))
		return m_short;
	return s;
}

/* Call mlci_git_section() with stderr caught in *err (the caller's). */
static cJSON *section_capturing(const char *dir, char **err)
{
	cJSON *git = NULL;
	int saved, fd, ret;

	fflush(stderr);
	saved = dup(2);
	fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved < 0 || fd < 0 || dup2(fd, 2) < 0)
		fatal("redirecting stderr");
	close(fd);
	ret = mlci_git_section(dir, &git);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	*err = read_text(stderr_path);
	if (ret)
		printf("# mlci_git_section returned %d\n", ret);
	return ret ? NULL : git;
}

/* A value of the section as text: strings as they are, "true", "false", NULL for null. */
static const char *rendered(const cJSON *git, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(git, key);

	if (cJSON_IsString(it))
		return it->valuestring;
	if (cJSON_IsTrue(it))
		return "true";
	if (cJSON_IsFalse(it))
		return "false";
	if (cJSON_IsNull(it))
		return NULL;
	return "<missing or of another type>";
}

static int keys_in_order(const cJSON *git)
{
	const cJSON *it = git ? git->child : NULL;
	int i;

	for (i = 0; keys[i]; i++, it = it->next)
		if (!it || strcmp(it->string, keys[i]))
			return 0;
	return !it;
}

static void check_section(const char *name, const cJSON *git,
			  const char *const *want)
{
	struct strbuf label = STRBUF_INIT;
	int i;

	strbuf_addf(&label, "%s: keys in order", name);
	CHECK(keys_in_order(git), label.buf);
	for (i = 0; keys[i]; i++) {
		strbuf_reset(&label);
		strbuf_addf(&label, "%s: %s", name, keys[i]);
		CHECK_STR(rendered(git, keys[i]), expand(want[i]), label.buf);
	}
	strbuf_release(&label);
}

static void check_stderr(const char *name, const char *err, const char *warn)
{
	struct strbuf label = STRBUF_INIT;

	strbuf_addf(&label, "%s: stderr", name);
	if (warn) {
		if (!CHECK(strstr(err, warn) != NULL, label.buf))
			printf("#   got  '%s'\n#   want '%s' in it\n", err, warn);
	} else {
		CHECK_STR(err, "", label.buf);
	}
	strbuf_release(&label);
}

static git_repository *repo;

static void set_head(const char *head)
{
	int ret;

	if (!strcmp(head, "@C1"))
		ret = git_repository_set_head_detached(repo, &c1_oid);
	else if (!strcmp(head, "@M"))
		ret = git_repository_set_head_detached(repo, &m_oid);
	else {
		char ref[256];

		snprintf(ref, sizeof(ref), "refs/heads/%s", head);
		ret = git_repository_set_head(repo, ref);
	}
	if (ret < 0)
		fatal(head);
}

static git_oid commit(git_repository *r, const char *update_ref,
		      const char *message, const git_commit **parents,
		      size_t nparents)
{
	git_index *index;
	git_oid tree_oid, oid;
	git_tree *tree;
	git_signature *sig;

	if (git_repository_index(&index, r) < 0 ||
	    git_index_write_tree(&tree_oid, index) < 0 ||
	    git_tree_lookup(&tree, r, &tree_oid) < 0 ||
	    git_signature_new(&sig, "Test", "test@example.com", 1767322800, 0) < 0 ||
	    git_commit_create(&oid, r, update_ref, sig, sig, NULL, message,
			      tree, nparents, parents) < 0)
		fatal("commit");
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	return oid;
}

static git_repository *init_repo(const char *dir)
{
	git_repository_init_options opts;
	git_repository *r;

	if (git_repository_init_options_init(&opts,
					     GIT_REPOSITORY_INIT_OPTIONS_VERSION) < 0)
		fatal("init options");
	opts.flags = GIT_REPOSITORY_INIT_MKPATH;
	opts.initial_head = "main";
	if (git_repository_init_ext(&r, dir, &opts) < 0)
		fatal(dir);
	return r;
}

static void stage(git_repository *r, const char *path)
{
	git_index *index;

	if (git_repository_index(&index, r) < 0 ||
	    git_index_add_bypath(index, path) < 0 || git_index_write(index) < 0)
		fatal(path);
	git_index_free(index);
}

/*
 * The main test repository: main at C1, C2 a child of C1, M a merge of C2
 * into C1 (as GitHub checks out a pull request), branches feature/x and
 * model/y at C1, and an origin remote whose URL carries a token.
 */
static void make_repo(void)
{
	char path[PATH_MAX + 16];
	git_commit *pc1, *pc2;
	git_reference *ref;
	git_config *config;
	const git_commit *parents[2];
	git_oid c2_oid;
	size_t i;

	snprintf(repo_dir, sizeof(repo_dir), "%s/repo", root);
	repo = init_repo(repo_dir);
	snprintf(path, sizeof(path), "%s/a.txt", repo_dir);
	write_file(path, "one\n");
	stage(repo, "a.txt");
	c1_oid = commit(repo, "HEAD", "first", NULL, 0);
	if (git_commit_lookup(&pc1, repo, &c1_oid) < 0)
		fatal("lookup");
	parents[0] = pc1;
	c2_oid = commit(repo, NULL, "second", parents, 1);
	if (git_commit_lookup(&pc2, repo, &c2_oid) < 0)
		fatal("lookup");
	parents[1] = pc2;
	m_oid = commit(repo, NULL, "Merge", parents, 2);
	git_oid_tostr(c1, sizeof(c1), &c1_oid);
	git_oid_tostr(c2, sizeof(c2), &c2_oid);
	git_oid_tostr(m, sizeof(m), &m_oid);
	memcpy(c1_short, c1, 7);
	memcpy(c2_short, c2, 7);
	memcpy(m_short, m, 7);
	for (i = 0; i < 40; i++)
		u1[i] = (c1[i] >= 'a' && c1[i] <= 'f') ? (char)(c1[i] - 32) : c1[i];
	if (git_branch_create(&ref, repo, "feature/x", pc1, 0) < 0)
		fatal("branch");
	git_reference_free(ref);
	if (git_branch_create(&ref, repo, "model/y", pc1, 0) < 0)
		fatal("branch");
	git_reference_free(ref);
	if (git_repository_config(&config, repo) < 0 ||
	    git_config_set_string(config, "remote.origin.url",
				  "https://x-access-token:s3cret@github.com/acme/bank.git") < 0)
		fatal("remote");
	git_config_free(config);
	git_commit_free(pc1);
	git_commit_free(pc2);
}

#define GH "GITHUB_ACTIONS=true", "GITHUB_REPOSITORY=acme/bank-gh", \
	"GITHUB_SERVER_URL=https://github.com", "GITHUB_RUN_ID=42"
#define RUN_URL "https://github.com/acme/bank-gh/actions/runs/42"
#define S2 "2222222222222222222222222222222222222222"
#define S1 "1111111111111111111111111111111111111111"
#define S3 "3333333333333333333333333333333333333333"

struct section_case {
	const char *name;
	const char *head;	/* a branch, or "@C1" / "@M" for a detached HEAD */
	const char *env[12];	/* NAME=value; $C1 and the like expanded */
	const char *payload;	/* written to a file named by GITHUB_EVENT_PATH */
	const char *want[NKEYS];	/* in the order of keys[]; NULL: null */
	const char *warn;	/* in stderr, or NULL for an empty stderr */
};

static const struct section_case section_cases[] = {
	{ .name = "local on feature/x", .head = "feature/x",
	  .want = { "$C1", "$C1", "$c1", "feature/x", "feature", "feature-x",
		    "false", "local", NULL, NULL, "acme/bank", NULL } },
	{ .name = "local on model/y", .head = "model/y",
	  .want = { "$C1", "$C1", "$c1", "model/y", "model", "model-y",
		    "false", "local", NULL, NULL, "acme/bank", NULL } },
	{ .name = "local on main", .head = "main",
	  .want = { "$C1", "$C1", "$c1", "main", "main", "main",
		    "false", "local", NULL, NULL, "acme/bank", NULL } },
	{ .name = "local detached HEAD", .head = "@C1",
	  .want = { "$C1", "$C1", "$c1", NULL, "other", NULL,
		    "false", "local", NULL, NULL, "acme/bank", NULL } },
	{ .name = "GITHUB_* without GITHUB_ACTIONS=true is local",
	  .head = "feature/x",
	  .env = { "GITHUB_ACTIONS=false", "GITHUB_EVENT_NAME=push",
		   "GITHUB_REF_NAME=main", "GITHUB_SHA=" S2,
		   "GITHUB_REPOSITORY=acme/bank-gh" },
	  .want = { "$C1", "$C1", "$c1", "feature/x", "feature", "feature-x",
		    "false", "local", NULL, NULL, "acme/bank", NULL } },
	{ .name = "push on feature/x", .head = "feature/x",
	  .env = { GH, "GITHUB_EVENT_NAME=push", "GITHUB_REF_NAME=feature/x",
		   "GITHUB_REF_TYPE=branch", "GITHUB_SHA=$C1" },
	  .want = { "$C1", "$C1", "$c1", "feature/x", "feature", "feature-x",
		    "false", "dev", NULL, "push", "acme/bank-gh", RUN_URL } },
	{ .name = "push on model/y, sha from GITHUB_SHA", .head = "model/y",
	  .env = { GH, "GITHUB_EVENT_NAME=push", "GITHUB_REF_NAME=model/y",
		   "GITHUB_REF_TYPE=branch", "GITHUB_SHA=" S2 },
	  .want = { S2, S2, "2222222", "model/y", "model", "model-y",
		    "false", "dev", NULL, "push", "acme/bank-gh", RUN_URL } },
	{ .name = "push to main is production", .head = "main",
	  .env = { GH, "GITHUB_EVENT_NAME=push", "GITHUB_REF_NAME=main",
		   "GITHUB_REF_TYPE=branch", "GITHUB_SHA=$C1" },
	  .payload = "{\"ref\":\"refs/heads/main\",\"repository\":{\"default_branch\":\"main\"}}",
	  .want = { "$C1", "$C1", "$c1", "main", "main", "main",
		    "false", "prod", NULL, "push", "acme/bank-gh", RUN_URL } },
	{ .name = "push to the default branch master is kind main",
	  .head = "main",
	  .env = { GH, "GITHUB_EVENT_NAME=push", "GITHUB_REF_NAME=master",
		   "GITHUB_SHA=$C1" },
	  .payload = "{\"repository\":{\"default_branch\":\"master\"}}",
	  .want = { "$C1", "$C1", "$c1", "master", "main", "master",
		    "false", "prod", NULL, "push", "acme/bank-gh", RUN_URL } },
	{ .name = "push of a tag has no branch", .head = "@C1",
	  .env = { GH, "GITHUB_EVENT_NAME=push", "GITHUB_REF_NAME=v1.0",
		   "GITHUB_REF_TYPE=tag", "GITHUB_SHA=$C1" },
	  .want = { "$C1", "$C1", "$c1", NULL, "other", NULL,
		    "false", "dev", NULL, "push", "acme/bank-gh", RUN_URL } },
	{ .name = "workflow_dispatch without GITHUB_SHA takes HEAD",
	  .head = "feature/x",
	  .env = { "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=workflow_dispatch",
		   "GITHUB_REF_NAME=feature/x" },
	  .want = { "$C1", "$C1", "$c1", "feature/x", "feature", "feature-x",
		    "false", "dev", NULL, "workflow_dispatch", "acme/bank",
		    NULL } },
	{ .name = "GITHUB_SHA in upper case is lowered", .head = "feature/x",
	  .env = { "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=push",
		   "GITHUB_REF_NAME=feature/x", "GITHUB_SHA=$U1" },
	  .want = { "$C1", "$C1", "$c1", "feature/x", "feature", "feature-x",
		    "false", "dev", NULL, "push", "acme/bank", NULL } },
	{ .name = "a GITHUB_SHA that is no commit id is ignored",
	  .head = "feature/x",
	  .env = { "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=push",
		   "GITHUB_REF_NAME=feature/x", "GITHUB_SHA=HEAD" },
	  .want = { "$C1", "$C1", "$c1", "feature/x", "feature", "feature-x",
		    "false", "dev", NULL, "push", "acme/bank", NULL },
	  .warn = "mlci: warning: ignoring GITHUB_SHA 'HEAD': not a commit id\n" },
	{ .name = "pull_request from feature/new-preprocessing", .head = "@M",
	  .env = { GH, "GITHUB_EVENT_NAME=pull_request",
		   "GITHUB_HEAD_REF=feature/new-preprocessing",
		   "GITHUB_REF_NAME=7/merge", "GITHUB_SHA=" S2 },
	  .payload = "{\"action\":\"synchronize\",\"pull_request\":{\"number\":7,"
		     "\"head\":{\"ref\":\"feature/new-preprocessing\",\"sha\":\"" S1 "\"},"
		     "\"base\":{\"ref\":\"main\"}}}",
	  .want = { S2, S1, "1111111", "feature/new-preprocessing", "feature",
		    "feature-new-preprocessing", "false", "dev", NULL,
		    "pull_request", "acme/bank-gh", RUN_URL } },
	{ .name = "pull_request_review takes the branch from the payload",
	  .head = "@M",
	  .env = { "GITHUB_ACTIONS=true",
		   "GITHUB_EVENT_NAME=pull_request_review",
		   "GITHUB_REF_NAME=7/merge", "GITHUB_SHA=$M" },
	  .payload = "{\"action\":\"submitted\",\"pull_request\":{"
		     "\"head\":{\"ref\":\"model/y\",\"sha\":\"$C2\"}}}",
	  .want = { "$M", "$C2", "$c2", "model/y", "model", "model-y",
		    "false", "dev", NULL, "pull_request_review", "acme/bank",
		    NULL } },
	{ .name = "malformed payload: head_sha from the merge's second parent",
	  .head = "@M",
	  .env = { "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request",
		   "GITHUB_HEAD_REF=feature/x", "GITHUB_SHA=$M" },
	  .payload = "{\"action\": \"opened\", \"pull_request\": {",
	  .want = { "$M", "$C2", "$c2", "feature/x", "feature", "feature-x",
		    "false", "dev", NULL, "pull_request", "acme/bank", NULL },
	  .warn = "using the environment only\n" },
	{ .name = "missing payload and no merge commit: head_sha null",
	  .head = "@C1",
	  .env = { "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request",
		   "GITHUB_HEAD_REF=feature/x", "GITHUB_SHA=$C1",
		   "GITHUB_EVENT_PATH=/nonexistent/event.json" },
	  .want = { "$C1", NULL, "$c1", "feature/x", "feature", "feature-x",
		    "false", "dev", NULL, "pull_request", "acme/bank", NULL },
	  .warn = "mlci: warning: cannot open the event payload '/nonexistent/event.json': No such file or directory; using the environment only\n" },
	{ .name = "closed and merged model/y pull request into main",
	  .head = "@M",
	  .env = { GH, "GITHUB_EVENT_NAME=pull_request",
		   "GITHUB_HEAD_REF=model/y", "GITHUB_REF_NAME=main",
		   "GITHUB_SHA=" S2 },
	  .payload = "{\"action\":\"closed\",\"pull_request\":{\"merged\":true,"
		     "\"merge_commit_sha\":\"" S3 "\","
		     "\"head\":{\"ref\":\"model/y\",\"sha\":\"" S1 "\"},"
		     "\"base\":{\"ref\":\"main\"}}}",
	  .want = { S3, S3, "3333333", "main", "main", "main", "false", "prod",
		    "model/y", "pull_request", "acme/bank-gh", RUN_URL } },
	{ .name = "merged pull request without merge_commit_sha uses GITHUB_SHA",
	  .head = "@M",
	  .env = { "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request",
		   "GITHUB_HEAD_REF=model/y", "GITHUB_SHA=$M" },
	  .payload = "{\"action\":\"closed\",\"pull_request\":{\"merged\":true,"
		     "\"merge_commit_sha\":null,"
		     "\"head\":{\"ref\":\"model/y\",\"sha\":\"" S1 "\"},"
		     "\"base\":{\"ref\":\"main\"}}}",
	  .want = { "$M", "$M", "$m", "main", "main", "main", "false", "prod",
		    "model/y", "pull_request", "acme/bank", NULL } },
	{ .name = "pull_request_target merged into the default branch trunk",
	  .head = "@M",
	  .env = { "GITHUB_ACTIONS=true",
		   "GITHUB_EVENT_NAME=pull_request_target",
		   "GITHUB_SHA=$M" },
	  .payload = "{\"action\":\"closed\",\"repository\":{\"default_branch\":\"trunk\"},"
		     "\"pull_request\":{\"merged\":true,"
		     "\"head\":{\"ref\":\"model/z\"},\"base\":{\"ref\":\"trunk\"}}}",
	  .want = { "$M", "$M", "$m", "trunk", "main", "trunk", "false", "prod",
		    "model/z", "pull_request_target", "acme/bank", NULL } },
	{ .name = "closed but not merged pull request is not production",
	  .head = "@M",
	  .env = { "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request",
		   "GITHUB_HEAD_REF=model/y", "GITHUB_SHA=" S2 },
	  .payload = "{\"action\":\"closed\",\"pull_request\":{\"merged\":false,"
		     "\"merge_commit_sha\":\"" S3 "\","
		     "\"head\":{\"ref\":\"model/y\",\"sha\":\"" S1 "\"},"
		     "\"base\":{\"ref\":\"main\"}}}",
	  .want = { S2, S1, "1111111", "model/y", "model", "model-y", "false",
		    "dev", NULL, "pull_request", "acme/bank", NULL } },
	{ .name = "merged into another base branch is not production",
	  .head = "@M",
	  .env = { "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request",
		   "GITHUB_HEAD_REF=model/y", "GITHUB_SHA=" S2 },
	  .payload = "{\"action\":\"closed\",\"repository\":{\"default_branch\":\"main\"},"
		     "\"pull_request\":{\"merged\":true,"
		     "\"head\":{\"ref\":\"model/y\",\"sha\":\"" S1 "\"},"
		     "\"base\":{\"ref\":\"release\"}}}",
	  .want = { S2, S1, "1111111", "model/y", "model", "model-y", "false",
		    "dev", NULL, "pull_request", "acme/bank", NULL } },
	{ .name = "pull request from a fork's main is not kind main",
	  .head = "@M",
	  .env = { "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request",
		   "GITHUB_HEAD_REF=main", "GITHUB_SHA=" S2 },
	  .payload = "{\"action\":\"opened\",\"pull_request\":{"
		     "\"head\":{\"ref\":\"main\",\"sha\":\"" S1 "\"},"
		     "\"base\":{\"ref\":\"main\"}}}",
	  .want = { S2, S1, "1111111", "main", "other", "main", "false",
		    "dev", NULL, "pull_request", "acme/bank", NULL } },
};

static void test_sections(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(section_cases) / sizeof(*section_cases); i++) {
		const struct section_case *c = &section_cases[i];
		struct strbuf label = STRBUF_INIT;
		char *err, *text;
		cJSON *git;

		clear_env();
		set_head(c->head);
		for (j = 0; j < 12 && c->env[j]; j++) {
			char *name = xstrndup(c->env[j], strcspn(c->env[j], "="));

			setenv(name, expand(strchr(c->env[j], '=') + 1), 1);
			free(name);
		}
		if (c->payload) {
			struct strbuf p = STRBUF_INIT;
			const char *s;

			/* "$C2" inside the payload stands for the commit too. */
			for (s = c->payload; *s; s++) {
				if (!strncmp(s, "$C2", 3)) {
					strbuf_addstr(&p, c2);
					s += 2;
				} else {
					strbuf_addch(&p, *s);
				}
			}
			write_file(event_path, p.buf);
			strbuf_release(&p);
			setenv("GITHUB_EVENT_PATH", event_path, 1);
		}
		git = section_capturing(repo_dir, &err);
		check_section(c->name, git, c->want);
		check_stderr(c->name, err, c->warn);
		text = cJSON_PrintUnformatted(git);
		strbuf_addf(&label, "%s: no credentials in the section",
			    c->name);
		CHECK(text && !strstr(text, "s3cret"), label.buf);
		strbuf_release(&label);
		free(text);
		free(err);
		cJSON_Delete(git);
	}
	clear_env();
	set_head("main");
}

static const char *dirty_of(const char *dir, const char *name)
{
	static char value[8];
	char *err;
	cJSON *git = section_capturing(dir, &err);
	const char *v = rendered(git, "dirty");

	snprintf(value, sizeof(value), "%s", v ? v : "null");
	check_stderr(name, err, NULL);
	free(err);
	cJSON_Delete(git);
	return value;
}

static void test_dirty(void)
{
	char path[PATH_MAX + 16], sub[PATH_MAX + 16];
	git_index *index;

	clear_env();
	snprintf(path, sizeof(path), "%s/new.txt", repo_dir);
	CHECK_STR(dirty_of(repo_dir, "clean"), "false", "dirty: clean");
	write_file(path, "untracked\n");
	CHECK_STR(dirty_of(repo_dir, "untracked"), "false",
		  "dirty: an untracked file does not count");
	snprintf(sub, sizeof(sub), "%s/a.txt", repo_dir);
	write_file(sub, "one, and a change\n");
	CHECK_STR(dirty_of(repo_dir, "modified"), "true",
		  "dirty: a modified tracked file");
	/* From a subfolder, the repository is found upwards. */
	snprintf(sub, sizeof(sub), "%s/sub", repo_dir);
	if (mkdir(sub, 0700))
		fatal(sub);
	snprintf(sub, sizeof(sub), "%s/sub/deeper", repo_dir);
	if (mkdir(sub, 0700))
		fatal(sub);
	CHECK_STR(dirty_of(sub, "modified, from a subfolder"), "true",
		  "dirty: found from a subfolder");
	snprintf(sub, sizeof(sub), "%s/a.txt", repo_dir);
	write_file(sub, "one\n");
	CHECK_STR(dirty_of(repo_dir, "restored"), "false",
		  "dirty: restored content is clean");
	stage(repo, "new.txt");
	CHECK_STR(dirty_of(repo_dir, "staged"), "true",
		  "dirty: a staged new file");
	if (git_repository_index(&index, repo) < 0 ||
	    git_index_remove_bypath(index, "new.txt") < 0 ||
	    git_index_write(index) < 0)
		fatal("unstage");
	git_index_free(index);
	unlink(path);
	CHECK_STR(dirty_of(repo_dir, "unstaged again"), "false",
		  "dirty: clean again after unstaging");
}

static void test_outside(void)
{
	static const char *const all_null[NKEYS] = { NULL };
	static const char *const gh_want[NKEYS] = {
		S2, S2, "2222222", "feature/x", "feature", "feature-x", NULL,
		"dev", NULL, "push", "acme/bank-gh", RUN_URL
	};
	char dir[PATH_MAX + 16];
	char *err;
	cJSON *git;

	snprintf(dir, sizeof(dir), "%s/norepo", root);
	if (mkdir(dir, 0700))
		fatal(dir);
	clear_env();
	/* Never climb out of the test's folder into a repository above. */
	setenv("GIT_CEILING_DIRECTORIES", root, 1);
	git = section_capturing(dir, &err);
	check_section("outside a repository", git, all_null);
	CHECK_STR(err, "mlci: warning: not in a git repository: the git section is empty\n",
		  "outside a repository: one warning");
	free(err);
	cJSON_Delete(git);

	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_EVENT_NAME", "push", 1);
	setenv("GITHUB_REF_NAME", "feature/x", 1);
	setenv("GITHUB_SHA", S2, 1);
	setenv("GITHUB_REPOSITORY", "acme/bank-gh", 1);
	setenv("GITHUB_SERVER_URL", "https://github.com", 1);
	setenv("GITHUB_RUN_ID", "42", 1);
	git = section_capturing(dir, &err);
	check_section("outside a repository under GitHub Actions", git, gh_want);
	CHECK_STR(err, "", "outside a repository under GitHub Actions: no warning");
	free(err);
	cJSON_Delete(git);
	clear_env();
}

static void test_unborn(void)
{
	static const char *const want[NKEYS] = {
		NULL, NULL, NULL, "main", "main", "main", "false", "local",
		NULL, NULL, NULL, NULL
	};
	char dir[PATH_MAX + 16], path[PATH_MAX + 32];
	git_repository *r;
	char *err;
	cJSON *git;

	snprintf(dir, sizeof(dir), "%s/unborn", root);
	r = init_repo(dir);
	clear_env();
	git = section_capturing(dir, &err);
	check_section("unborn branch", git, want);
	check_stderr("unborn branch", err, NULL);
	free(err);
	cJSON_Delete(git);
	snprintf(path, sizeof(path), "%s/f.txt", dir);
	write_file(path, "x\n");
	stage(r, "f.txt");
	CHECK_STR(dirty_of(dir, "unborn, staged"), "true",
		  "unborn branch: a staged file is dirty");
	git_repository_free(r);
}

static int chown_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, 12345, 12345);
}

static void test_foreign_owner(void)
{
	git_repository *r = NULL;
	char *err;
	cJSON *git;
	int ret;

	if (geteuid() != 0) {
		printf("ok %d - repository owned by another user # skip not root\n",
		       ++unit_count);
		return;
	}
	clear_env();
	if (nftw(repo_dir, chown_one, 16, FTW_PHYS))
		fatal("chown");
	/* Without the option, libgit2 refuses: the test is meaningful. */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 1);
	ret = git_repository_open_ext(&r, repo_dir, 0, NULL);
	/*
	 * libgit2 1.5 reports the refusal as GIT_ENOTFOUND (its lookup of
	 * safe.directory fails first), later releases as GIT_EOWNER.
	 */
	if (!CHECK(ret == GIT_EOWNER || ret == GIT_ENOTFOUND,
		   "foreign owner: libgit2 refuses by default"))
		printf("#   got  %d\n", ret);
	git_repository_free(r);
	git = section_capturing(repo_dir, &err);
	CHECK_STR(rendered(git, "sha"), c1, "foreign owner: sha");
	CHECK_STR(rendered(git, "branch"), "main", "foreign owner: branch");
	CHECK_STR(rendered(git, "dirty"), "false", "foreign owner: dirty");
	check_stderr("foreign owner", err, NULL);
	free(err);
	cJSON_Delete(git);
}

static void test_ensure(void)
{
	char cwd[PATH_MAX];
	cJSON *rec;
	char *text;

	clear_env();
	if (!getcwd(cwd, sizeof(cwd)) || chdir(repo_dir))
		fatal("chdir");
	rec = cJSON_Parse("{\"mlci\":1}");
	CHECK_INT(mlci_git_ensure_section(rec), 0, "ensure: returns 0");
	CHECK_STR(mlci_json_get_string(mlci_json_get_object(rec, "git"), "sha"),
		  c1, "ensure: fills git.sha from the current directory");
	CHECK_STR(mlci_json_get_string(mlci_json_get_object(rec, "git"),
				       "environment"),
		  "local", "ensure: environment local");
	cJSON_Delete(rec);

	rec = cJSON_Parse("{\"mlci\":1,\"git\":{\"sha\":null,\"x\":[1]}}");
	CHECK_INT(mlci_git_ensure_section(rec), 0, "ensure: returns 0 (kept)");
	text = cJSON_PrintUnformatted(rec);
	CHECK_STR(text, "{\"mlci\":1,\"git\":{\"sha\":null,\"x\":[1]}}",
		  "ensure: an existing git section is unchanged");
	free(text);
	cJSON_Delete(rec);

	rec = cJSON_Parse("{\"git\":null}");
	CHECK_INT(mlci_git_ensure_section(rec), 0, "ensure: returns 0 (null)");
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(rec, "git")),
	      "ensure: an existing null git is unchanged");
	cJSON_Delete(rec);
	if (chdir(cwd))
		fatal("chdir back");
}

static void test_slug(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "feature/new-preprocessing", "feature-new-preprocessing" },
		{ "model/y", "model-y" },
		{ "main", "main" },
		{ "feature//x", "feature-x" },
		{ "-leading", "leading" },
		{ "--x--", "x" },
		{ "trailing/", "trailing" },
		{ "x--y", "x-y" },
		{ "Feature/New_Prep.v2", "Feature-New_Prep.v2" },
		{ "feature/caf\xc3\xa9", "feature-caf" },
		{ "feature/caf\xc3\xa9-au-lait", "feature-caf-au-lait" },
		{ "a b\tc", "a-b-c" },
		{ "fix/#12: x@y", "fix-12-x-y" },
		{ "\xc3\xa9", NULL },
		{ "///", NULL },
		{ "", NULL },
		{ NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = mlci_git_slug(cases[i].in);
		const char *want = cases[i].want;
		char label[128];

		snprintf(label, sizeof(label), "slug of '%s'",
			 cases[i].in ? cases[i].in : "(null)");
		CHECK_STR(got, want, label);
		free(got);
	}
}

static void test_kind(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "main", "main" }, { "feature/x", "feature" },
		{ "model/y", "model" }, { "model/", "model" },
		{ "featurex", "other" }, { "main2", "other" },
		{ "Main", "other" }, { "fix/z", "other" }, { NULL, "other" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char label[128];

		snprintf(label, sizeof(label), "kind of '%s'",
			 cases[i].in ? cases[i].in : "(null)");
		CHECK_STR(mlci_git_kind(cases[i].in), cases[i].want, label);
	}
}

static void test_derive_name(void)
{
	static const struct { const char *git, *base, *want; } cases[] = {
		{ "{\"environment\":\"local\",\"kind\":\"feature\",\"slug\":\"feature-x\"}",
		  "Banking", "Banking-local" },
		{ "{\"environment\":\"local\",\"kind\":\"main\",\"slug\":\"main\"}",
		  "Banking", "Banking-local" },
		{ "{\"environment\":\"prod\",\"kind\":\"main\",\"slug\":\"main\"}",
		  "Banking", "Banking-main" },
		{ "{\"environment\":\"prod\",\"kind\":\"main\",\"slug\":\"master\"}",
		  "BankingModel", "BankingModel-main" },
		{ "{\"environment\":\"dev\",\"kind\":\"main\",\"slug\":\"main\"}",
		  "Banking", "Banking-main" },
		{ "{\"environment\":\"dev\",\"kind\":\"feature\",\"slug\":\"feature-x\"}",
		  "Banking", "Banking-feature-x" },
		{ "{\"environment\":\"dev\",\"kind\":\"model\",\"slug\":\"model-y\"}",
		  "BankingModel", "BankingModel-model-y" },
		{ "{\"environment\":\"dev\",\"kind\":\"other\",\"slug\":\"z\"}",
		  "Banking", "Banking-z" },
		{ "{\"environment\":\"dev\",\"kind\":\"other\",\"slug\":\"main\"}",
		  "Banking", "Banking-branch-main" },
		{ "{\"environment\":\"dev\",\"kind\":\"other\",\"slug\":\"local\"}",
		  "Banking", "Banking-branch-local" },
		{ "{\"environment\":\"dev\",\"kind\":\"other\",\"slug\":null,\"short_sha\":\"abcdef0\"}",
		  "Banking", "Banking-abcdef0" },
		{ "{\"environment\":\"dev\"}", "Banking", "Banking-dev" },
		{ "{\"environment\":null,\"slug\":null}", "Banking", "Banking-local" },
		{ NULL, "Banking", "Banking-local" },
		{ "{\"environment\":\"dev\",\"slug\":\"x\"}", NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		cJSON *git = cases[i].git ? cJSON_Parse(cases[i].git) : NULL;
		char *got = mlci_git_derive_name(git, cases[i].base);
		char label[256];

		snprintf(label, sizeof(label), "derive_name(%s, %s)",
			 cases[i].git ? cases[i].git : "NULL",
			 cases[i].base ? cases[i].base : "NULL");
		CHECK_STR(got, cases[i].want, label);
		free(got);
		cJSON_Delete(git);
	}
}

static void test_derive_from_sections(void)
{
	static const struct {
		const char *head, *event, *ref, *head_ref, *payload, *want;
	} cases[] = {
		{ "feature/x", NULL, NULL, NULL, NULL, "Banking-local" },
		{ "@C1", "push", "feature/x", NULL, NULL, "Banking-feature-x" },
		{ "@C1", "push", "main", NULL, NULL, "Banking-main" },
		{ "@M", "pull_request", NULL, "model/y",
		  "{\"action\":\"closed\",\"pull_request\":{\"merged\":true,"
		  "\"head\":{\"ref\":\"model/y\"},\"base\":{\"ref\":\"main\"}}}",
		  "Banking-main" },
		{ "@M", "pull_request", NULL, "model/y",
		  "{\"action\":\"opened\",\"pull_request\":{"
		  "\"head\":{\"ref\":\"model/y\"},\"base\":{\"ref\":\"main\"}}}",
		  "Banking-model-y" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char label[128], *err, *got;
		cJSON *git;

		clear_env();
		set_head(cases[i].head);
		if (cases[i].event) {
			setenv("GITHUB_ACTIONS", "true", 1);
			setenv("GITHUB_EVENT_NAME", cases[i].event, 1);
			setenv("GITHUB_SHA", m, 1);
		}
		if (cases[i].ref)
			setenv("GITHUB_REF_NAME", cases[i].ref, 1);
		if (cases[i].head_ref)
			setenv("GITHUB_HEAD_REF", cases[i].head_ref, 1);
		if (cases[i].payload) {
			write_file(event_path, cases[i].payload);
			setenv("GITHUB_EVENT_PATH", event_path, 1);
		}
		git = section_capturing(repo_dir, &err);
		got = mlci_git_derive_name(git, "Banking");
		snprintf(label, sizeof(label), "derive_name of a section, case %zu",
			 i + 1);
		CHECK_STR(got, cases[i].want, label);
		free(got);
		free(err);
		cJSON_Delete(git);
	}
	clear_env();
	set_head("main");
}

static void test_repository_from_url(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "https://github.com/acme/bank.git", "acme/bank" },
		{ "https://github.com/acme/bank", "acme/bank" },
		{ "https://github.com/acme/bank/", "acme/bank" },
		{ "https://x-access-token:s3cret@github.com/acme/bank", "acme/bank" },
		{ "git@github.com:acme/bank.git", "acme/bank" },
		{ "github.com:acme/bank", "acme/bank" },
		{ "ssh://git@github.com:22/acme/bank.git/", "acme/bank" },
		{ "https://gitlab.com/group/sub/proj.git", "group/sub/proj" },
		{ "https://github.com/acme", NULL },
		{ "https://github.com", NULL },
		{ "git@github.com:bank.git", NULL },
		{ "file:///srv/git/bank.git", NULL },
		{ "/srv/git/bank.git", NULL },
		{ "../bank", NULL },
		{ "C:/repos/bank", NULL },
		{ "", NULL },
		{ NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = mlci_git_repository_from_url(cases[i].in);
		char label[128];

		snprintf(label, sizeof(label), "repository of '%s'",
			 cases[i].in ? cases[i].in : "(null)");
		CHECK_STR(got, cases[i].want, label);
		free(got);
	}
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/mlci-gitctx-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		fatal("mkdtemp");
	snprintf(event_path, sizeof(event_path), "%s/event.json", root);
	snprintf(stderr_path, sizeof(stderr_path), "%s/stderr", root);
	/* No user or system git configuration (safe.directory, ...) applies. */
	setenv("HOME", root, 1);
	unsetenv("XDG_CONFIG_HOME");
	clear_env();
	if (git_libgit2_init() < 0)
		fatal("git_libgit2_init");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, root);
	make_repo();

	test_slug();
	test_kind();
	test_repository_from_url();
	test_derive_name();
	test_sections();
	test_derive_from_sections();
	test_dirty();
	test_outside();
	test_unborn();
	test_ensure();
	test_foreign_owner();

	git_repository_free(repo);
	git_libgit2_shutdown();
	if (nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS))
		printf("# could not remove %s\n", root);
	return unit_done();
}
