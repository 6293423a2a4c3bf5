/* SPDX-License-Identifier: MIT */
/* A Python package index: the simple repository API (JSON and HTML forms) and twine's upload API. */
#ifndef MLCI_PYINDEX_H
#define MLCI_PYINDEX_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "pep440.h"

struct mlci_wheel;

/* One file of a project page. */
struct mlci_pyindex_file {
	char *filename;
	char *version;	/* from the file name; NULL when it cannot be told */
	int yanked;
};

/* A project page: its files. */
struct mlci_pyindex_project {
	struct mlci_pyindex_file *files;
	size_t nr, alloc;
};
#define MLCI_PYINDEX_PROJECT_INIT { NULL, 0, 0 }

void mlci_pyindex_project_release(struct mlci_pyindex_project *p);

/*
 * Parse a project page in the JSON form (PEP 691: {"files": [{"filename",
 * "yanked"}...]}) or the HTML form (PEP 503 anchors, data-yanked) into p.
 * norm_name is the PEP 503 normal name, used to tell versions from source
 * distribution names. Returns 0, or -1 when the page is malformed.
 */
int mlci_pyindex_parse_json(const char *body, size_t len, const char *norm_name,
			    struct mlci_pyindex_project *p);
int mlci_pyindex_parse_html(const char *body, size_t len, const char *norm_name,
			    struct mlci_pyindex_project *p);

/*
 * The version in a distribution file name (a wheel, or an sdist
 * "{name}-{version}.tar.gz" / ".zip"), a new string, or NULL.
 */
char *mlci_pyindex_file_version(const char *filename, const char *norm_name);

/* The index's answer about one wheel. */
struct mlci_pyindex_result {
	char *url;		/* the project page asked */
	const char *form;	/* "json", "html", or NULL (404: no project) */
	int project_exists;
	char latest[MLCI_PEP440_MAX_LEN + 1];	/* highest non-yanked; "" none */
	int is_new;		/* version > latest */
	int file_exists;	/* the file name was used before (yanked or not) */
	size_t files, yanked;
};

void mlci_pyindex_result_init(struct mlci_pyindex_result *r);
void mlci_pyindex_result_release(struct mlci_pyindex_result *r);

/*
 * Decide from a project page whether version (PEP 440) is strictly newer
 * than the highest release that is not yanked, and whether filename was
 * ever used. Fills r (keeps r->url and r->form).
 */
void mlci_pyindex_decide(const struct mlci_pyindex_project *p,
			 const char *version, const char *filename,
			 struct mlci_pyindex_result *r);

/*
 * Ask the index at index_url (".../simple/") about the project name:
 * JSON form first (Accept: application/vnd.pypi.simple.v1+json, HTML
 * accepted as a fallback), a 404 meaning a new project. Credentials from
 * TWINE_USERNAME / TWINE_PASSWORD (a password alone is a token, user
 * "__token__"). Returns 0 with r filled; -MLCI_EXIT_REMOTE when the index
 * fails or answers something unreadable (message printed).
 */
int mlci_pyindex_check(const char *index_url, const char *name,
		       const char *version, const char *filename,
		       struct mlci_pyindex_result *r);

/* {url, form, project_exists, latest, is_new, file_exists}; the caller's. */
cJSON *mlci_pyindex_result_json(const struct mlci_pyindex_result *r);

/*
 * Upload the checked wheel at path to url as twine does (multipart form:
 * ":action" file_upload, protocol_version 1, the metadata fields,
 * sha256_digest, content), with the credentials above. Returns 0 after a
 * 2xx; 0 with *exists set when the index says the file already exists
 * (409, or 400 whose text says "exist"); -MLCI_EXIT_REMOTE on any other
 * failure (message with the status and the index's reason).
 */
int mlci_pyindex_upload(const char *url, const char *path,
			const struct mlci_wheel *w, int *exists);

#endif
