/*
 * log.c: see log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util/log.h"

enum log_level log_threshold = LOG_INFO;

static const char *const names[] = { "error", "warn", "info", "debug" };

/* sd-daemon(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const char prio[] = { '3', '4', '6', '7' };

/*
 * Is stderr the journal's stream?  systemd sets JOURNAL_STREAM to its
 * "device:inode"; a stderr redirected elsewhere since (a shell started by
 * the service) has another, and keeps the plain format.  Asked once.
 */
static int
to_journal(void)
{
	static int  known = -1;
	const char *env;
	struct stat st;
	char        want[64];

	if (known >= 0) {
		return (known);
	}
	known = 0;
	if ((env = getenv("JOURNAL_STREAM")) != NULL &&
	    fstat(STDERR_FILENO, &st) == 0) {
		snprintf(want, sizeof(want), "%llu:%llu",
		    (unsigned long long) st.st_dev,
		    (unsigned long long) st.st_ino);
		known = strcmp(env, want) == 0;
	}
	return (known);
}

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
	flockfile(stderr);
	if (to_journal()) {
		/* The journal stamps the time and keeps the priority. */
		fprintf(stderr, "<%c>", prio[lvl]);
	} else {
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "%s %-5s ", ts, names[lvl]);
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
