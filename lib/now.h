/* SPDX-License-Identifier: MIT */
/* The current time, fixed by MLCI_NOW for reproducible tests. */
#ifndef MLCI_NOW_H
#define MLCI_NOW_H

#include <stddef.h>
#include <stdint.h>

/*
 * Milliseconds since the epoch: MLCI_NOW when set (whole seconds since the
 * epoch, or an RFC 3339 UTC time such as 2026-01-02T03:04:05Z), else the
 * real time. A malformed MLCI_NOW is ignored with a warning.
 */
int64_t mlci_now_ms(void);

/* Seconds on a monotonic clock, for time-outs and durations. */
double mlci_monotonic(void);

/* Format ms since the epoch as "2026-01-02T03:04:05Z" into buf (>= 21). */
void mlci_format_time(char *buf, size_t size, int64_t ms);

/* Parse an RFC 3339 UTC time ("...Z") into ms since the epoch. 0 or -1. */
int mlci_parse_time(const char *s, int64_t *ms);

#endif
