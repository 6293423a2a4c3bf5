/* SPDX-License-Identifier: MIT */
/* Unit tests of PEP 440 parsing, normal form, order and specifiers (cases from packaging's test suite). */
#include "pep440.h"
#include "unit.h"

static void test_normalize(void)
{
	static const struct {
		const char *in, *want;	/* want NULL: invalid */
		int normal;
	} cases[] = {
		{ "1.0", "1.0", 1 },
		{ "v1.0", "1.0", 0 },
		{ " 1.0\n", "1.0", 0 },
		{ "1.0a1", "1.0a1", 1 },
		{ "1.0alpha1", "1.0a1", 0 },
		{ "1.0-beta.2", "1.0b2", 0 },
		{ "1.0c1", "1.0rc1", 0 },
		{ "1.0pre", "1.0rc0", 0 },
		{ "1.0preview_3", "1.0rc3", 0 },
		{ "1.0-1", "1.0.post1", 0 },
		{ "1.0.rev4", "1.0.post4", 0 },
		{ "1.0r", "1.0.post0", 0 },
		{ "1.0.post1.dev2", "1.0.post1.dev2", 1 },
		{ "1.0-dev", "1.0.dev0", 0 },
		{ "1!2.0", "1!2.0", 1 },
		{ "0!1.0", "1.0", 0 },
		{ "01.002", "1.2", 0 },
		{ "1.0+Ubuntu-1", "1.0+ubuntu.1", 0 },
		{ "1.0+abc.007", "1.0+abc.7", 0 },
		{ "1.0RC1", "1.0rc1", 0 },
		{ "2024.1.15", "2024.1.15", 1 },
		{ "23.0.1", "23.0.1", 1 },
		{ "", NULL, 0 },
		{ "1.", NULL, 0 },
		{ "1.0+", NULL, 0 },
		{ "1.0+a..b", NULL, 0 },
		{ "1.0+a.", NULL, 0 },
		{ "1.0.post-", NULL, 0 },
		{ "1.0 a1", NULL, 0 },
		{ "french toast", NULL, 0 },
		{ "1.0-", NULL, 0 },
		{ "99999999999999999999", NULL, 0 },
		{ "1.0a1a2", NULL, 0 },
		{ "1.0.dev1.post1", NULL, 0 },
		{ "1!", NULL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[300], name[128];
		int r = mlci_pep440_normalize(cases[i].in, buf, sizeof(buf));

		snprintf(name, sizeof(name), "normalize '%s'", cases[i].in);
		if (!cases[i].want) {
			CHECK_INT(r, -1, name);
			continue;
		}
		CHECK_INT(r, cases[i].normal, name);
		CHECK_STR(buf, cases[i].want, name);
	}
}

static void test_order(void)
{
	/* Strictly increasing, from packaging's VERSIONS list. */
	static const char *const order[] = {
		"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
		"1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345",
		"1.0b2-346", "1.0c1.dev456", "1.0c1", "1.0rc2", "1.0c3", "1.0",
		"1.0.post456.dev34", "1.0.post456", "1.1.dev1", "1.2+123abc",
		"1.2+123abc456", "1.2+abc", "1.2+abc123", "1.2+abc123def",
		"1.2+1234.abc", "1.2+123456", "1.2.r32+123456", "1.2.rev33+123456",
		"1!1.0b2.post345.dev456", "1!1.0", "1!1.2.rev33+123456",
	};
	size_t i, n = sizeof(order) / sizeof(order[0]);

	for (i = 0; i + 1 < n; i++) {
		struct mlci_pep440 a, b;
		char name[128];

		snprintf(name, sizeof(name), "%s < %s", order[i], order[i + 1]);
		CHECK(!mlci_pep440_parse(order[i], &a) &&
		      !mlci_pep440_parse(order[i + 1], &b) &&
		      mlci_pep440_cmp(&a, &b) < 0 && mlci_pep440_cmp(&b, &a) > 0,
		      name);
	}
	{
		struct mlci_pep440 a, b;

		mlci_pep440_parse("1.0", &a);
		mlci_pep440_parse("1.0.0.0", &b);
		CHECK_INT(mlci_pep440_cmp(&a, &b), 0, "1.0 == 1.0.0.0");
		mlci_pep440_parse("1.0+1", &a);
		mlci_pep440_parse("1.0+01", &b);
		CHECK_INT(mlci_pep440_cmp(&a, &b), 0, "1.0+1 == 1.0+01");
		mlci_pep440_parse("2.0", &a);
		mlci_pep440_parse("10.0", &b);
		CHECK(mlci_pep440_cmp(&a, &b) < 0, "2.0 < 10.0 (numbers, not text)");
		CHECK(mlci_pep440_is_prerelease(&b) == 0, "10.0 is a final release");
		mlci_pep440_parse("1.0.dev1", &a);
		CHECK(mlci_pep440_is_prerelease(&a) == 1, "1.0.dev1 is a pre-release");
	}
}

static void test_specifiers(void)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ ">=3.8", 1 }, { ">= 3.8, <4", 1 }, { "~=2.2", 1 },
		{ "~=2", 0 }, { "==1.2.*", 1 }, { "!=1.2.*", 1 }, { ">=1.2.*", 0 },
		{ "==1.0+local", 1 }, { ">=1.0+local", 0 }, { "===foo bar", 0 },
		{ "===foobar", 1 }, { "", 1 }, { "3.8", 0 }, { ">=3.8,", 0 },
		{ "=>3.8", 0 }, { "==1.0a1.*", 0 }, { ">=2.7,!=3.0.*,!=3.1.*", 1 },
		{ "<", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[200], name[128];
		int r = mlci_pep440_check_specifiers(cases[i].s, strlen(cases[i].s),
						      err, sizeof(err));

		snprintf(name, sizeof(name), "specifiers '%s' %s", cases[i].s,
			 cases[i].ok ? "valid" : "invalid");
		CHECK_INT(r, cases[i].ok ? 0 : -1, name);
	}
}

int main(void)
{
	test_normalize();
	test_order();
	test_specifiers();
	return unit_done();
}
