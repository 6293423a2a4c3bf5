/* SPDX-License-Identifier: MIT */
/* The GitHub REST API: one pull-request comment per tool, created or updated, never duplicated. */
#ifndef MLCI_GITHUB_H
#define MLCI_GITHUB_H

#include "http.h"

/* GitHub refuses a comment body longer than this many characters. */
#define MLCI_GITHUB_BODY_MAX 65536

/* The REST API version sent as X-GitHub-Api-Version. */
#define MLCI_GITHUB_API_VERSION "2022-11-28"

/*
 * Create or update the one pull-request comment that holds marker, a
 * hidden HTML comment such as "<!-- mlci:ml-gate -->" (a marker not
 * starting with "<!--" is wrapped in one), with body_markdown under it,
 * cut to GitHub's limit by mlci_github_comment_body().
 *
 * The environment says where: GITHUB_TOKEN (sent as a bearer token and
 * never printed; under Actions it is masked), GITHUB_API_URL (default
 * https://api.github.com), GITHUB_REPOSITORY (owner/name) and
 * GITHUB_EVENT_PATH, the event payload that names the pull request
 * (mlci_github_event_pr_number()). The comments are listed
 * (GET .../issues/N/comments?per_page=100, following Link rel="next" on
 * the same API only); the first one whose body holds the marker is
 * updated (PATCH .../issues/comments/ID; if it has gone, a new one is
 * made), else one is created (POST .../issues/N/comments).
 *
 * Commenting never fails the pipeline over what the token may do or what
 * the context is. Returns:
 *   0  the comment was created or updated;
 *   1  skipped, after a warning on stderr: no token, no repository, an
 *      event that is no pull request or cannot be read, a token GitHub
 *      rejects (401) or that may not write (403, or 404 as for a fork's
 *      read-only token), or any other 4xx answer;
 *   -MLCI_EXIT_REMOTE  the API was unreachable, or still answered 429 or
 *      5xx, after the retries (an error message is printed).
 */
int mlci_github_comment(const char *marker, const char *body_markdown);

/*
 * As mlci_github_comment(), with the time-outs, retries and deadline of
 * opts (its bearer token and headers are replaced by GitHub's). A zero
 * deadline becomes two minutes from now.
 */
int mlci_github_comment_opts(const struct mlci_http_opts *opts,
			     const char *marker, const char *body_markdown);

/*
 * Read the pull-request number from the event payload at path:
 * pull_request.number, else issue.number when issue.pull_request exists
 * (an issue_comment event on a pull request), else the top-level number.
 * Returns 0 with *number; 1 when the payload names no pull request;
 * -MLCI_EXIT_INPUT, with an error message, when the file cannot be read
 * or is not a JSON object.
 */
int mlci_github_event_pr_number(const char *path, long *number);

/*
 * The text posted: the marker (wrapped as mlci_github_comment() says), a
 * newline, then markdown, kept within MLCI_GITHUB_BODY_MAX characters (a
 * character outside the Basic Multilingual Plane counted as two, as
 * UTF-16 does, to be safe whichever way GitHub counts): a longer text is
 * cut after its last whole line that fits (or at a character boundary)
 * and ends with a note saying how many characters were left out. The
 * caller frees the result.
 */
char *mlci_github_comment_body(const char *marker, const char *markdown);

#endif
