/*
 * clock.h: the server's notion of now.  Normally the system clock; with
 * --test-clock, tests may move it forward (server.clock) so that deadlines
 * can be tested without waiting 90 days.
 */
#ifndef SK_CLOCK_H
#define SK_CLOCK_H

#include <stdint.h>

/* Unix seconds, plus whatever the test clock has been advanced by. */
int64_t clock_now(void);

/* Sets how far the test clock is ahead of the system clock. */
void clock_set_offset(int64_t s);

#endif
