/*
 * deferred.c: an op's long part (server.backup, server.verify) on libuv's
 * thread pool.  The handler checked its arguments on the loop; op->work
 * reads a snapshot of its own (the environment is MDB_NOTLS), so the loop
 * goes on serving while it runs, and the reply goes out when it is done.
 * op->work must touch nothing the loop owns: only its struct op_work.
 */
#include <stdlib.h>

#include "core/util/err.h"
#include "core/util/log.h"
#include "core/server/impl.h"

struct deferred {
	uv_work_t        work;
	struct ipc_req  *req;
	const struct op *op;
	struct op_work   w;
	int              rv;
	uint64_t         t0; /* uv_hrtime at the start, for the log */
	void (*done)(void *);
	void            *done_arg;
};

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

/* Back on the loop: the reply. */
static void
deferred_done(uv_work_t *work, int status)
{
	struct deferred *d = work->data;
	char            *reply;
	size_t           len = 0;

	if (status != 0 && d->rv == 0) {
		proto_fail(&d->w.err, SK_EINTERNAL, "%s was cancelled",
		    d->op->name);
	}
	log_info("%s ended in %.2f s: %s", d->op->name,
	    (double) (uv_hrtime() - d->t0) / 1e9,
	    d->w.err.code != 0 ? sk_err_code(d->w.err.code) : "ok");
	reply = d->w.err.code != 0 ? proto_reply_err(&d->w.err, &len)
	                           : proto_reply_ok(d->w.result, &len);
	ipc_reply(d->req, reply ? reply : "", reply ? len : 0);
	free(reply);
	json_object_put(d->w.arg);
	json_object_put(d->w.result);
	proto_err_clear(&d->w.err);
	d->done(d->done_arg);
	free(d);
}

int
server_defer(uv_loop_t *loop, const struct op_env *env, struct store *st,
    struct ipc_req *req, const struct op *op, json_object *arg,
    void (*done)(void *), void *done_arg)
{
	struct deferred *d;

	if (op->work == NULL || (d = calloc(1, sizeof(*d))) == NULL) {
		json_object_put(arg);
		return (SK_EINTERNAL);
	}
	d->req       = req;
	d->op        = op;
	d->w.env     = env;
	d->w.st      = st;
	d->w.arg     = arg;
	d->done      = done;
	d->done_arg  = done_arg;
	d->work.data = d;
	d->t0        = uv_hrtime();
	log_info("%s began, on the thread pool", op->name);
	uv_queue_work(loop, &d->work, deferred_run, deferred_done);
	return (0);
}
