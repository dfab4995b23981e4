/*
 * impl.h: what the files of core/server/ share, and nobody else includes
 * (in the manner of Knot Resolver's lib/cache/impl.h).  server.c owns the
 * loop and struct server; the others each hold one concern of it and call
 * only downward: timer.c and upgrade.c call system.c, server.c calls them
 * all, and none of them calls server.c.
 *
 *   system.c    the server's own writes (deadlines, rubrics, upgrades)
 *   timer.c     the uv_timer armed for the earliest review deadline
 *   idem.c      request_id: a repeated write gets its first reply again
 *   upgrade.c   derived data an older sangkiend did not write, at start
 *   deferred.c  long or heavy ops (backup, verify, password hashes) on
 *               libuv's thread pool
 *   mailer.c    the notices' mail, sent by a thread of its own (SMTP)
 */
#ifndef SK_SERVER_IMPL_H
#define SK_SERVER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/ops/ops.h"
#include "core/server/server.h"
#include "ipc/endpoint.h"

/* How often a write transaction is retried after growing a full map. */
#define GROW_MAX_TRIES 8

struct item; /* one request of a batch (server.c) */

/* The server: one per process, owned by the loop's thread. */
struct server {
	const struct server_config *cfg;
	struct op_env               env;
	uv_loop_t                   loop;
	uv_signal_t                 sigint, sigterm, sighup;
	uv_timer_t                  timer; /* the earliest deadline */
	struct store               *st;
	struct rubric_reg          *rubrics;
	struct ipc_endpoint        *ep;
	struct item                *items;
	size_t                      cap;
	bool                        stopping;
	bool                        closed;  /* handles closed */
	int                         pending; /* deferred work in flight */
	int                         heavy;   /* OP_HEAVY work running */
	struct deferred            *heavy_wait, **heavy_tail; /* its turn */
	int                         heavy_waiting;
	/* Counters for the logs. */
	unsigned long long batches, writes, commits;
	unsigned long long replays; /* batches replayed nested (apply_writes) */
	bool               dedup_stalled; /* an index step failed (dedup/) */
	struct mailer     *mailer;        /* mailer.c's */
};

/*
 * system.c.  Work the server does on its own: fn runs in one write
 * transaction as the principal "sangkiend", which is committed (the map
 * grown and fn run again if it was full), then its events are published.
 * Returns SK_OK, or the error it logged.
 */
typedef int (*system_fn)(struct op_ctx *ctx, void *arg);
int server_system(struct server *s, const char *what, system_fn fn,
    void *arg);

/*
 * The same as who (from peer), for a deferred op's `after` step: a failure
 * fn records in err without returning it is committed only with keep (a
 * failed login's record stands, its reply is the failure).  Returns SK_OK
 * or the error, logging nothing.
 */
int server_txn(struct server *s, const struct principal *who,
    const char *peer, struct proto_err *err, bool keep, system_fn fn,
    void *arg);

/*
 * timer.c.  Arms s->timer for the earliest deadline in the database (at
 * most an hour ahead); when it goes off, the due timers fire in a system
 * write and the timer is armed again.  Does nothing once stopping.
 */
void server_timer_rearm(struct server *s);

/*
 * idem.c.  A write repeated with the same request_id by the same principal
 * within a day gets the first reply again.  idem_lookup gives that reply
 * (malloc'd, *len bytes, NUL-terminated) or SK_ENOTFOUND; idem_store keeps
 * reply for the day; idem_expire forgets a few request ids older than a
 * day, a little in each batch.
 */
int idem_lookup(MDB_txn *txn, struct store *st, const char *who,
    const char *request_id, int64_t now, char **reply, size_t *len);
int idem_store(MDB_txn *txn, struct store *st, const char *who,
    const char *request_id, const char *reply, size_t len, int64_t now);
int idem_expire(MDB_txn *txn, struct store *st, int64_t now);

/*
 * upgrade.c.  Brings what an older sangkiend left up to date before the
 * server answers: derived indexes it did not write, the duplicate index's
 * older format.  Returns false if that failed (the server must not start).
 */
bool server_upgrade(struct server *s);
/* At start, after the upgrades: refuses a database that holds less than
 * data_dir/counts.json says it held (a damaged meta page; counts.c), then
 * writes the counts of now there.  False: do not serve. */
bool server_counts_guard(struct server *s, const char *data_dir);

/*
 * deferred.c.  Runs op->work on libuv's thread pool with arg (the handler's
 * result, now owned here) for who (from peer), then its `after` step if it
 * set one (struct op_work), and replies to req when it is done (after its
 * delay, if it set one); then calls done(done_arg) on the loop.  OP_HEAVY
 * ops run HEAVY_MAX at once, the others wait their turn.  Returns SK_OK,
 * or an error (nothing queued, arg released, req not answered: the caller
 * answers it; SK_EUNAVAIL when HEAVY_WAIT_MAX heavy ops already wait).
 */
#define HEAVY_MAX 2        /* argon2id: 64 MiB each */
#define HEAVY_WAIT_MAX 256
struct deferred;
int server_defer(struct server *s, struct ipc_req *req, const struct op *op,
    json_object *arg, const struct principal *who, const char *peer,
    void (*done)(void *), void *done_arg);

/*
 * mailer.c.  mailer_start starts the one-second timer that sends the
 * daily digest when it is due and, with --smtp, hands the outbox's due
 * mail to the sender's thread; the outcomes are recorded in system
 * writes.  mailer_stop (from close_server) stops the thread, records
 * what it delivered and closes the handles; mailer_free, once the loop
 * has run their close callbacks, frees the rest.
 */
int  mailer_start(struct server *s);
void mailer_stop(struct server *s);
void mailer_free(struct server *s);

#endif
