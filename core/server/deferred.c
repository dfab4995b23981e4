/*
 * deferred.c: an op's long part on libuv's thread pool: server.backup and
 * server.verify (minutes), and the argon2id hashes of auth.login and
 * user.password (100 ms and 64 MiB each), and the rubrics that rubric.test
 * and rubric.put load and run (up to a second and 64 MiB each): OP_HEAVY,
 * HEAVY_MAX at once, the rest waiting their turn.  The handler checked its
 * arguments on the loop; op->work touches nothing the loop owns, only its struct op_work
 * (backup and verify read a snapshot of their own: the environment is
 * MDB_NOTLS), so the loop goes on serving while it runs.
 *
 * Back on the loop, a work that set w->after has it run in a write
 * transaction of its own (system.c's server_txn), committed before the
 * reply; a work that set w->delay_ms has its reply held that long by a
 * timer (a failed login is answered late without holding the loop).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/util/err.h"
#include "core/util/log.h"
#include "core/server/impl.h"

struct deferred {
	uv_work_t        work;
	uv_timer_t       delay; /* w.delay_ms before the reply */
	struct server   *s;
	struct ipc_req  *req;
	const struct op *op;
	struct op_work   w;
	int              rv;
	uint64_t         t0; /* uv_hrtime at the start, for the log */
	void (*done)(void *);
	void            *done_arg;
	struct deferred *next; /* waiting for its turn (OP_HEAVY) */
};

/* Backup and verify are worth a line at info; each login is not. */
static enum log_level
level_of(const struct deferred *d)
{
	return (d->op->flags & OP_HEAVY ? LOG_DEBUG : LOG_INFO);
}

/* On a thread of the pool. */
static void
deferred_run(uv_work_t *work)
{
	struct deferred *d = work->data;
	d->rv              = d->op->work(&d->w);
	if (d->rv != 0 && d->w.err.code == 0) {
		proto_fail(&d->w.err, d->rv, "%s failed without saying why",
		    d->op->name);
	}
}

static void
deferred_free(uv_handle_t *h)
{
	struct deferred *d = h->data;

	json_object_put(d->w.arg);
	json_object_put(d->w.result);
	proto_err_clear(&d->w.err);
	d->done(d->done_arg);
	free(d);
}

/* The reply, now; the deferred op is freed once its timer is closed. */
static void
deferred_reply(struct deferred *d)
{
	char  *reply;
	size_t len = 0;

	reply = d->w.err.code != 0 ? proto_reply_err(&d->w.err, &len)
	                           : proto_reply_ok(d->w.result, &len);
	ipc_reply(d->req, reply ? reply : "", reply ? len : 0);
	free(reply);
	uv_close((uv_handle_t *) &d->delay, deferred_free);
}

static void
delay_done(uv_timer_t *h)
{
	deferred_reply(h->data);
}

static int
run_after(struct op_ctx *ctx, void *arg)
{
	struct op_work *w = arg;
	return (w->after(ctx, w));
}

static void deferred_done(uv_work_t *work, int status);

/* Starts the heavy work waiting its turn, as far as HEAVY_MAX allows. */
static void
start_heavy(struct server *s)
{
	while (s->heavy < HEAVY_MAX && s->heavy_wait != NULL) {
		struct deferred *d = s->heavy_wait;
		if ((s->heavy_wait = d->next) == NULL) {
			s->heavy_tail = &s->heavy_wait;
		}
		s->heavy_waiting--;
		s->heavy++;
		d->t0 = uv_hrtime();
		log_msg(level_of(d), "%s began, on the thread pool",
		    d->op->name);
		uv_queue_work(&s->loop, &d->work, deferred_run, deferred_done);
	}
}

/* Back on the loop: the after step, then the reply (or its timer). */
static void
deferred_done(uv_work_t *work, int status)
{
	struct deferred *d = work->data;
	struct server   *s = d->s;
	int              rv;

	if (status != 0 && d->rv == 0) {
		proto_fail(&d->w.err, SK_EINTERNAL, "%s was cancelled",
		    d->op->name);
	}
	if (d->op->flags & OP_HEAVY) {
		s->heavy--;
		start_heavy(s);
	}
	if (d->w.err.code == 0 && d->w.after != NULL &&
	    (rv = server_txn(s, &d->w.who, d->w.peer, &d->w.err, true,
	         run_after, &d->w)) != 0) {
		if (d->w.err.code == 0) {
			proto_fail(&d->w.err, rv,
			    rv == SK_EDISKFULL
			        ? "%s: the server's disk is full; nothing was "
			          "changed"
			        : "%s: the change could not be saved; nothing "
			          "was changed",
			    d->op->name);
		}
		if (d->w.err.code == SK_EINTERNAL) {
			log_error("%s by %s: %s", d->op->name, d->w.who.id,
			    d->w.err.msg);
		}
	}
	log_msg(level_of(d), "%s ended in %.2f s: %s", d->op->name,
	    (double) (uv_hrtime() - d->t0) / 1e9,
	    d->w.err.code != 0 ? sk_err_code(d->w.err.code) : "ok");
	if (d->w.delay_ms > 0) {
		uv_timer_start(&d->delay, delay_done, (uint64_t) d->w.delay_ms,
		    0);
		return;
	}
	deferred_reply(d);
}

int
server_defer(struct server *s, struct ipc_req *req, const struct op *op,
    json_object *arg, const struct principal *who, const char *peer,
    void (*done)(void *), void *done_arg)
{
	struct deferred *d;
	bool             heavy = (op->flags & OP_HEAVY) != 0;

	if (heavy && s->heavy_waiting >= HEAVY_WAIT_MAX) {
		json_object_put(arg);
		return (SK_EUNAVAIL);
	}
	if (op->work == NULL || (d = calloc(1, sizeof(*d))) == NULL) {
		json_object_put(arg);
		return (SK_EINTERNAL);
	}
	d->s         = s;
	d->req       = req;
	d->op        = op;
	d->w.env     = &s->env;
	d->w.st      = s->st;
	d->w.arg     = arg;
	d->w.who     = *who;
	snprintf(d->w.peer, sizeof(d->w.peer), "%s", peer);
	d->done      = done;
	d->done_arg  = done_arg;
	d->work.data = d;
	uv_timer_init(&s->loop, &d->delay);
	d->delay.data = d;
	if (heavy) {
		if (s->heavy_tail == NULL) {
			s->heavy_tail = &s->heavy_wait;
		}
		*s->heavy_tail = d;
		s->heavy_tail  = &d->next;
		s->heavy_waiting++;
		start_heavy(s);
		return (0);
	}
	d->t0 = uv_hrtime();
	log_msg(level_of(d), "%s began, on the thread pool", op->name);
	uv_queue_work(&s->loop, &d->work, deferred_run, deferred_done);
	return (0);
}
