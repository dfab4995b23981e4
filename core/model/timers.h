/*
 * timers.h: review deadlines that survive restarts (ARCHITECTURE.md,
 * "Deadlines").  Each deadline is a record in the timers database ordered
 * by firing time; the server arms one uv_timer for the earliest and calls
 * timers_fire when it goes off (and after server.clock moves the test
 * clock).  A timer is deleted in the same transaction that appends its
 * event, so each fires exactly once, even across a crash.
 */
#ifndef SK_TIMERS_H
#define SK_TIMERS_H

#include <stdint.h>

#include "core/model/ctx.h"
#include "core/model/doc.h"

#define TIMERS_DUE_SOON_S (14 * 86400)

/* Adds the due_soon and overdue timers of a case due at `due`. */
int timers_set(struct op_ctx *ctx, uint64_t case_id, int64_t due);

/* Removes them (the review ended before they fired). */
int timers_clear(struct op_ctx *ctx, uint64_t case_id, int64_t due);

/* Fires every timer due at ctx->now or earlier: events, then deletion. */
int timers_fire(struct op_ctx *ctx);

/* Unix time of the earliest timer, or -1 if there is none. */
int64_t timers_next(MDB_txn *txn, struct store *st);

#endif
