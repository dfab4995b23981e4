/*
 * timer.c: the one uv_timer that wakes the loop for review deadlines.  The
 * deadlines themselves are records in the database (core/model/timers.c), so
 * they survive restarts; this file only arms the timer for the earliest
 * and, when it goes off, fires what is due in a system write.
 */
#include "core/util/clock.h"
#include "core/server/impl.h"
#include "core/model/timers.h"

static int
fire_timers(struct op_ctx *ctx, void *arg)
{
	(void) arg;
	return (timers_fire(ctx));
}

static void
on_timer(uv_timer_t *h)
{
	struct server *s = h->data;
	server_system(s, "firing deadlines", fire_timers, NULL);
	server_timer_rearm(s);
}

void
server_timer_rearm(struct server *s)
{
	MDB_txn *txn;
	int64_t  at = -1;

	if (s->stopping) {
		return;
	}
	if (store_read_begin(s->st, &txn) == 0) {
		at = timers_next(txn, s->st);
		store_read_end(s->st);
	}
	if (at < 0) {
		uv_timer_stop(&s->timer);
		return;
	}
	int64_t delay = at - clock_now();
	delay         = delay < 0 ? 0 : delay > 3600 ? 3600 : delay;
	/* At most an hour ahead: a long sleep re-checks the clock. */
	uv_timer_start(&s->timer, on_timer, (uint64_t) delay * 1000, 0);
}
