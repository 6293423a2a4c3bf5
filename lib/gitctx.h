/* SPDX-License-Identifier: MIT */
/* The record's git section: repository facts from libgit2 and GitHub Actions. */
#ifndef MLCI_GITCTX_H
#define MLCI_GITCTX_H

#include <cjson/cJSON.h>

/*
 * Build the record's git section for the repository containing dir (NULL:
 * the current directory, honouring GIT_DIR, GIT_WORK_TREE,
 * GIT_CEILING_DIRECTORIES and the rest as git does; otherwise the search
 * goes upwards from dir and stops at GIT_CEILING_DIRECTORIES) and for the
 * GitHub Actions context. *out is a new object, the caller's, with the keys
 * in this order:
 *
 *   sha          the commit checked out (a pull request's merge commit)
 *   head_sha     the branch's own commit (a pull request's head)
 *   short_sha    the first 7 digits of head_sha (of sha if head_sha is null)
 *   branch       the branch name; null for a detached HEAD or a tag
 *   kind         "feature" | "model" | "main" | "other"
 *   slug         mlci_git_slug(branch); null when there is no branch
 *   dirty        tracked files differ from HEAD (staged or not); untracked
 *                files and submodules are not looked at; null without a
 *                work tree
 *   environment  "local" | "dev" | "prod"
 *   merged_from  the head branch of the merged pull request, else null
 *   event        GITHUB_EVENT_NAME, else null
 *   repository   owner/name: GITHUB_REPOSITORY, else from the URL of the
 *                "origin" remote (mlci_git_repository_from_url()), else null
 *   run_url      GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/
 *                GITHUB_RUN_ID, else null
 *
 * The GitHub context is read only when GITHUB_ACTIONS is "true"; the first
 * rule that matches wins (DESIGN.md §5):
 *
 * 1. Event pull_request or pull_request_target whose payload
 *    (GITHUB_EVENT_PATH) says action "closed", merged true, and a base
 *    branch "main" or the repository's default branch: kind "main",
 *    environment "prod", branch the base branch, merged_from the head
 *    branch, sha and head_sha the merge commit (the payload's
 *    merge_commit_sha, else GITHUB_SHA).
 * 2. Any other pull_request* event: branch GITHUB_HEAD_REF (else the
 *    payload's head ref), sha GITHUB_SHA, head_sha the payload's head sha
 *    (else the second parent of a checked-out merge commit, else null),
 *    kind from the branch, environment "dev".
 * 3. Any other event: branch GITHUB_REF_NAME (null, kind "other", when
 *    GITHUB_REF_TYPE is "tag"), sha and head_sha GITHUB_SHA; kind "main"
 *    for "main" and for the payload's repository.default_branch, and then
 *    environment "prod"; otherwise kind from the branch, environment "dev".
 * 4. No GitHub context: the repository's HEAD (branch null and kind
 *    "other" when detached; an unborn branch has a name but null shas),
 *    environment "local".
 *
 * In rules 1-3 a missing GITHUB_SHA is taken from the repository's HEAD,
 * and dirty comes from the repository when there is one. Ownership checks
 * on the repository are disabled, so a CI checkout owned by another user
 * opens. A payload that cannot be read or parsed, and a repository that
 * cannot be opened, give a warning and the facts that remain. Outside any
 * repository and without GitHub context every field is null and the
 * warning is "not in a git repository: the git section is empty".
 *
 * Returns 0 (running out of memory exits through mlci_die()).
 */
int mlci_git_section(const char *dir, cJSON **out);

/*
 * If record has no "git" key, set it to mlci_git_section(NULL, ...); an
 * existing one, whatever its value, is left unchanged. Returns 0 or a
 * negative exit code.
 */
int mlci_git_ensure_section(cJSON *record);

/*
 * The kind of a branch name: "main" for "main", "feature" for feature/...,
 * "model" for model/..., else "other" (also for NULL). A static string.
 */
const char *mlci_git_kind(const char *branch);

/*
 * The slug of a branch name, safe in experiment and model names: every
 * byte outside [A-Za-z0-9._-] ('/' included, and each byte of a non-ASCII
 * character) becomes '-', runs of '-' become one, and leading and trailing
 * '-' are dropped. Case is kept, since MLflow names are case-sensitive:
 * "feature/New-Prep" gives "feature-New-Prep". Returns a new string, the
 * caller's, or NULL when branch is NULL or nothing safe is left.
 */
char *mlci_git_slug(const char *branch);

/*
 * The experiment or model name for base under the branch strategy of
 * DESIGN.md §5, from a git section (may be NULL):
 *   environment "local" or null (no CI)       <base>-local
 *   environment "prod" or kind "main"         <base>-main
 *   a slug "main" or "local" (a fork's main)  <base>-branch-<slug>
 *   any other slug                            <base>-<slug>
 *   no branch (detached HEAD, tag)            <base>-<short_sha>
 *   nothing known                             <base>-dev
 * So feature/x gives Banking-feature-x, model/y Banking-model-y, a branch
 * z Banking-z. Returns a new string, the caller's; NULL when base is NULL.
 */
char *mlci_git_derive_name(const cJSON *git, const char *base);

/*
 * The owner/name path of a remote URL: "https://github.com/acme/bank.git",
 * "git@github.com:acme/bank.git" and "ssh://git@host:22/acme/bank" give
 * "acme/bank"; credentials, port and a trailing ".git" or "/" are dropped;
 * deeper paths (GitLab groups) are kept whole. NULL for a local path, a
 * file:// URL, or a path without a '/'. A new string, the caller's.
 */
char *mlci_git_repository_from_url(const char *url);

#endif
