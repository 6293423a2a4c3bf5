/* SPDX-License-Identifier: MIT */
/* Unit tests of the simple-API page parsers and the "is it new" decision. */
#include <stdlib.h>

#include "pyindex.h"
#include "unit.h"

static void test_file_version(void)
{
	char *v;

	v = mlci_pyindex_file_version("mlci_sample-1.2.0-py3-none-any.whl", "mlci-sample");
	CHECK_STR(v, "1.2.0", "version of a wheel");
	free(v);
	v = mlci_pyindex_file_version("mlci-sample-1.1.0.tar.gz", "mlci-sample");
	CHECK_STR(v, "1.1.0", "version of an sdist whose name has a dash");
	free(v);
	v = mlci_pyindex_file_version("Mlci.Sample-2.0rc1.zip", "mlci-sample");
	CHECK_STR(v, "2.0rc1", "a zip sdist, name in another spelling");
	free(v);
	CHECK(mlci_pyindex_file_version("other-1.0.tar.gz", "mlci-sample") == NULL,
	      "another project's sdist");
	CHECK(mlci_pyindex_file_version("x.exe", "x") == NULL, "not a distribution");
}

static void test_pages(void)
{
	static const char json[] =
		"{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"p\",\"files\":["
		"{\"filename\":\"p-1.0-py3-none-any.whl\",\"yanked\":false},"
		"{\"filename\":\"p-1.10-py3-none-any.whl\",\"yanked\":\"broken\"},"
		"{\"filename\":\"p-1.9.tar.gz\",\"yanked\":false},"
		"{\"filename\":\"p-1.2.dev1-py3-none-any.whl\",\"yanked\":true}]}";
	static const char html[] =
		"<!DOCTYPE html><html><body>\n"
		"<a href=\"/f/p-1.0-py3-none-any.whl#sha256=00\">p-1.0-py3-none-any.whl</a><br/>\n"
		"<A HREF=\"/f/p-1.10.tar.gz\" data-yanked=\"\">p-1.10.tar.gz</A>\n"
		"<a href=\"/f/p-1.9.tar.gz\" data-requires-python=\"&gt;=3.8\"> p-1.9.tar.gz </a>\n"
		"</body></html>";
	struct mlci_pyindex_project p = MLCI_PYINDEX_PROJECT_INIT;
	struct mlci_pyindex_result r;

	mlci_pyindex_result_init(&r);
	CHECK_INT(mlci_pyindex_parse_json(json, strlen(json), "p", &p), 0, "JSON page");
	CHECK_INT(p.nr, 4, "four files");
	CHECK_INT(p.files[1].yanked, 1, "a yank reason yanks");
	mlci_pyindex_decide(&p, "1.9.1", "p-1.9.1-py3-none-any.whl", &r);
	CHECK_STR(r.latest, "1.9", "latest ignores yanked 1.10 (numeric order)");
	CHECK_INT(r.is_new, 1, "1.9.1 > 1.9");
	CHECK_INT(r.file_exists, 0, "new file name");
	mlci_pyindex_decide(&p, "1.9", "p-1.10-py3-none-any.whl", &r);
	CHECK_INT(r.is_new, 0, "1.9 is not > 1.9");
	CHECK_INT(r.file_exists, 1, "a yanked file name is still used");
	CHECK_INT(r.yanked, 2, "two yanked files");
	mlci_pyindex_project_release(&p);

	CHECK_INT(mlci_pyindex_parse_html(html, strlen(html), "p", &p), 0, "HTML page");
	CHECK_INT(p.nr, 3, "three anchors");
	CHECK_STR(p.files[2].filename, "p-1.9.tar.gz", "anchor text trimmed");
	CHECK_INT(p.files[1].yanked, 1, "an empty data-yanked yanks");
	CHECK_INT(p.files[2].yanked, 0, "other data- attributes do not");
	mlci_pyindex_decide(&p, "1.10", "p-1.10-py3-none-any.whl", &r);
	CHECK_STR(r.latest, "1.9", "latest from HTML");
	CHECK_INT(r.is_new, 1, "1.10 > 1.9");
	mlci_pyindex_project_release(&p);

	CHECK_INT(mlci_pyindex_parse_json("[]", 2, "p", &p), -1, "JSON that is not a page");
	CHECK_INT(mlci_pyindex_parse_html("<a href=x>unclosed", 18, "p", &p), -1, "an unclosed anchor");
	mlci_pyindex_project_release(&p);

	mlci_pyindex_decide(&p, "0.1", "p-0.1-py3-none-any.whl", &r);
	CHECK_INT(r.is_new, 1, "anything is new on an empty page");
	CHECK_STR(r.latest, "", "no latest");
	mlci_pyindex_result_release(&r);
}

int main(void)
{
	test_file_version();
	test_pages();
	return unit_done();
}
