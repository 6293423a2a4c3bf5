/* SPDX-License-Identifier: MIT */
/* The current time, fixed by MLCI_NOW for reproducible tests. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "now.h"
#include "usage.h"
#include "wrapper.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's algorithm: no timegm(), no TZ dependence. */
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int mlci_parse_time(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec, n = 0;
	long frac = 0;
	int fdigits = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
		   &n) != 6 || n != 19)
		return -1;
	s += n;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, fdigits++)
			if (fdigits < 3)
				frac = frac * 10 + (*s - '0');
		while (fdigits > 0 && fdigits < 3) {
			frac *= 10;
			fdigits++;
		}
	}
	if (strcmp(s, "Z") || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	*ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		h * 3600 + mi * 60 + sec) * 1000) + frac;
	return 0;
}

int64_t mlci_now_ms(void)
{
	const char *env = getenv("MLCI_NOW");
	struct timespec ts;
	int64_t ms;
	long secs;

	if (env && *env) {
		if (!mlci_parse_long(env, 0, 0x7fffffffL, &secs))
			return (int64_t)secs * 1000;
		if (!mlci_parse_time(env, &ms))
			return ms;
		mlci_warning("ignoring malformed MLCI_NOW '%s'", env);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double mlci_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void mlci_format_time(char *buf, size_t size, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
