/*
 * system.c: writes the server makes on its own, not for a client (review
 * deadlines firing, rubrics reread, schema upgrades, the indexes' catch-up
 * at shutdown).  Each is one write transaction as the principal
 * "sangkiend", replayed after growing the map if it was full, and its
 * events are published only once it is committed, as a client's would be.
 */
#include "core/util/clock.h"
#include "core/util/err.h"
#include "core/util/log.h"
#include "core/server/impl.h"

int
server_txn(struct server *s, const struct principal *who, const char *peer,
    struct proto_err *err, bool keep, system_fn fn, void *arg)
{
	struct op_event_out *events = NULL;
	MDB_txn             *txn;
	int                  rv = SK_EMAPFULL;

	for (int tries = 0; rv == SK_EMAPFULL && tries < GROW_MAX_TRIES;
	     tries++) {
		struct op_ctx ctx = {
			.env  = &s->env,
			.st   = s->st,
			.who  = who,
			.args = NULL,
			.now  = clock_now(),
			.err  = err,
			.on_council = -1,
			.peer = peer,
		};
		ctx.events_tail = &ctx.events;
		op_events_free(events);
		events = NULL;
		proto_err_clear(err);
		if ((rv = store_write_begin(s->st, NULL, &txn)) != 0) {
			break;
		}
		ctx.txn = txn;
		rv      = fn(&ctx, arg);
		events  = ctx.events;
		if (rv == 0 && (err->code == 0 || keep)) {
			rv = store_commit_err(s->st, mdb_txn_commit(txn));
		} else {
			rv = rv ? rv : err->code;
			mdb_txn_abort(txn);
		}
		if (rv == SK_EMAPFULL && store_grow(s->st) != 0) {
			break;
		}
	}
	if (rv == 0) {
		for (struct op_event_out *e = events; e; e = e->next) {
			ipc_publish(s->ep, e->type, e->text, e->len);
		}
	}
	op_events_free(events);
	return (rv);
}

int
server_system(struct server *s, const char *what, system_fn fn, void *arg)
{
	struct principal sys = { .id = "sangkiend", .roles = ROLE_ADMIN };
	struct proto_err err = { 0 };
	int              rv  = server_txn(s, &sys, "local", &err, false, fn, arg);

	if (rv != 0) {
		log_error("%s failed: %s %s", what, sk_err_code(rv), err.msg);
	}
	proto_err_clear(&err);
	return (rv);
}
