/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/now.c: MLCI_NOW and RFC 3339 times. */
#include <stdlib.h>

#include "now.h"
#include "usage.h"
#include "unit.h"

static const struct {
	const char *text;
	int ok;
	long long ms;
} cases[] = {
	{ "1970-01-01T00:00:00Z", 1, 0 },
	{ "2026-01-02T03:04:05Z", 1, 1767323045000LL },
	{ "2000-02-29T23:59:59Z", 1, 951868799000LL },
	{ "2026-01-02T03:04:05.5Z", 1, 1767323045500LL },
	{ "2026-01-02T03:04:05.123456Z", 1, 1767323045123LL },
	{ "2026-01-02 03:04:05Z", 0, 0 },
	{ "2026-01-02T03:04:05", 0, 0 },
	{ "2026-13-02T03:04:05Z", 0, 0 },
	{ "2026-01-02T03:04:05+01:00", 0, 0 },
	{ "", 0, 0 },
};

int main(void)
{
	size_t i;
	char buf[32];
	int64_t ms;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = mlci_parse_time(cases[i].text, &ms);

		CHECK_INT(ret, cases[i].ok ? 0 : -1, cases[i].text);
		if (cases[i].ok)
			CHECK_INT(ms, cases[i].ms, cases[i].text);
	}
	setenv("MLCI_NOW", "2026-01-02T03:04:05Z", 1);
	CHECK_INT(mlci_now_ms(), 1767323045000LL, "MLCI_NOW as RFC 3339");
	setenv("MLCI_NOW", "1767323045", 1);
	CHECK_INT(mlci_now_ms(), 1767323045000LL, "MLCI_NOW as epoch seconds");
	mlci_set_quiet(1);
	setenv("MLCI_NOW", "yesterday", 1);
	CHECK(mlci_now_ms() > 1767323045000LL, "a malformed MLCI_NOW falls back to the clock");
	mlci_set_quiet(0);
	unsetenv("MLCI_NOW");
	mlci_format_time(buf, sizeof(buf), 1767323045999LL);
	CHECK_STR(buf, "2026-01-02T03:04:05Z", "format drops milliseconds");
	CHECK(mlci_monotonic() > 0, "monotonic clock runs");
	return unit_done();
}
