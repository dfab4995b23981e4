/*
 * clock.c: see clock.h.  The offset is only ever touched by the loop thread.
 */
#include <time.h>

#include "core/util/clock.h"

static int64_t clock_offset;

int64_t
clock_now(void)
{
	return ((int64_t) time(NULL) + clock_offset);
}

void
clock_set_offset(int64_t s)
{
	clock_offset = s;
}
