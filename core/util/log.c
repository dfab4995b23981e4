/*
 * log.c: see log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/util/log.h"

enum log_level log_threshold = LOG_INFO;

static const char *const names[] = { "error", "warn", "info", "debug" };

int
log_level_parse(const char *s)
{
	for (int i = 0; i <= LOG_DEBUG; i++) {
		if (strcmp(s, names[i]) == 0) {
			return (i);
		}
	}
	return (-1);
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char      ts[32];
	time_t    now = time(NULL);
	struct tm tm;
	va_list   ap;

	if (lvl > log_threshold) {
		return;
	}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s %-5s ", ts, names[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
