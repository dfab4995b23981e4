/*
 * server.c: the loop that owns all state, and group commit; this paragraph
 * is the map of a request's path.  Each wake-up of the loop hands us every
 * request queued since the last (a batch):
 *
 *   1. decode each request and find its op; answer malformed ones at once;
 *   2. answer reads from one read snapshot, at once (server.backup and
 *      server.verify, too long for the loop, go to libuv's thread pool:
 *      see deferred.c);
 *   3. apply every write inside one LMDB write transaction (a failed one
 *      rolls back alone: see apply_writes);
 *   4. commit once (one fsync for the whole batch);
 *   5. only then send the writes' replies and publish their events.
 *
 * While a commit is on disk, new requests gather in the queue, so batches
 * grow with the load.  If the map is full at any point of step 3 or 4 the
 * whole transaction is aborted, the map grown, and the writes replayed:
 * handlers depend only on the transaction, their arguments and the batch's
 * clock, so the replay gives the same result and the client sees nothing.
 * If the commit fails otherwise, every write of the batch is answered
 * "unavailable": nothing is acknowledged that is not durable.
 *
 * Around the loop, each in a file of its own (impl.h): idempotency
 * (idem.c), the server's own writes (system.c), the deadline timer
 * (timer.c), schema upgrades at start (upgrade.c), and the thread pool's
 * jobs (deferred.c).  The handlers are core/ops*.c, reached through the op
 * table (op_find).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <systemd/sd-daemon.h>
#include <uv.h>

#include "core/model/auth.h"
#include "core/util/clock.h"
#include "core/dedup/dedup.h"
#include "core/util/err.h"
#include "core/util/log.h"
#include "core/ops/ops.h"
#include "core/model/rubric.h"
#include "core/model/password.h"
#include "core/model/session.h"
#include "core/server/impl.h"
#include "core/store/store.h"
#include "ipc/endpoint.h"

/* One request of a batch. */
struct item {
	struct ipc_req      *req;
	struct proto_req     pr;
	const struct op     *op;
	struct principal     who;
	bool                 who_ok;
	struct proto_err     err;
	json_object         *result;
	struct op_event_out *events;
	char                *reply; /* malloc'd */
	size_t               rlen;
};

static void
item_reset(struct item *it)
{
	json_object_put(it->result);
	it->result = NULL;
	op_events_free(it->events);
	it->events = NULL;
	free(it->reply);
	it->reply = NULL;
	proto_err_clear(&it->err);
}

static void
item_reply_text(struct item *it)
{
	if (it->reply != NULL) {
		return; /* made by the handler (result_text) */
	}
	if (it->err.code != 0) {
		it->reply = proto_reply_err(&it->err, &it->rlen);
	} else {
		it->reply = proto_reply_ok(it->result, &it->rlen);
	}
	if (it->reply == NULL) {
		/* Out of memory: say so in the fewest bytes we can. */
		static const char oom[] = "{\"ok\":false,\"error\":{\"code\":"
		                          "\"internal\",\"message\":\"out of "
		                          "memory\"}}";
		it->reply = strdup(oom);
		it->rlen  = it->reply ? strlen(oom) : 0;
	}
}

static void
item_send(struct item *it)
{
	if (it->reply == NULL) {
		item_reply_text(it);
	}
	ipc_reply(it->req, it->reply ? it->reply : "", it->rlen);
	item_reset(it);
	json_object_put(it->pr.root);
	it->pr.root = NULL;
}

/* Who is asking, and may they call this op at all? */
static int
item_authorize(struct server *s, struct item *it, MDB_txn *txn)
{
	int rv;

	if (it->pr.token == NULL && !it->req->local &&
	    (it->op->flags & OP_PUBLIC)) {
		memset(&it->who, 0, sizeof(it->who));
		strcpy(it->who.id, OP_ANONYMOUS);
		rv = 0;
	} else if (session_token_is(it->pr.token)) {
		rv = session_resolve(s->env.sessions, txn, s->st, it->pr.token,
		    clock_now(), &it->who, &it->err);
	} else {
		rv = auth_resolve(txn, s->st, it->pr.token, it->req->local,
		    &it->who, &it->err);
	}
	if (rv != 0) {
		return (rv);
	}
	it->who_ok = true;
	if ((it->op->flags & OP_ADMIN) && !(it->who.roles & ROLE_ADMIN)) {
		return (proto_fail(&it->err, SK_EFORBIDDEN,
		    "%s needs the admin role", it->op->name));
	}
	if ((it->op->flags & OP_READER) &&
	    !(it->who.roles & (ROLE_ADMIN | ROLE_VIEWER))) {
		return (proto_fail(&it->err, SK_EFORBIDDEN,
		    "%s needs the admin or viewer role", it->op->name));
	}
	return (0);
}

static int
item_run(struct server *s, struct item *it, MDB_txn *txn, int64_t now)
{
	struct op_ctx ctx = {
		.env  = &s->env,
		.st   = s->st,
		.txn  = txn,
		.who  = &it->who,
		.args = it->pr.args,
		.now  = now,
		.err  = &it->err,
		.on_council = -1,
		.peer = it->req->peer,
	};
	ctx.events_tail = &ctx.events;
	store_damage_clear();
	int rv          = it->op->fn(&ctx);
	if (store_damage() != NULL && rv != SK_EDEFER) {
		/* The request met a damaged record (core/store/sum.c): it
		 * fails naming it, whatever the op made of the error (a list
		 * may have skipped what it could not read), so that nothing
		 * is answered or decided from part of the data. */
		rv = SK_EINTERNAL;
		proto_err_clear(&it->err);
		proto_fail(&it->err, SK_EINTERNAL, "%s", store_damage());
	}
	if (rv == SK_EDEFER && it->err.code == 0) {
		it->result = ctx.result; /* what the deferred work needs */
		return (SK_EDEFER);
	}
	if (rv == 0 && it->err.code == 0) {
		it->result = ctx.result;
		it->events = ctx.events;
		if (ctx.result_text != NULL) {
			it->reply = proto_reply_ok_text(
			    ctx.result_text, ctx.result_len, &it->rlen);
			free(ctx.result_text);
			if (it->reply == NULL) {
				return (proto_fail(&it->err, SK_EINTERNAL,
				    "out of memory"));
			}
		}
		return (0);
	}
	free(ctx.result_text);
	json_object_put(ctx.result);
	op_events_free(ctx.events);
	if (it->err.code == 0) {
		proto_fail(&it->err, rv ? rv : SK_EINTERNAL,
		    "%s failed without saying why", it->op->name);
	}
	if (it->err.code == SK_EINTERNAL) {
		log_error("%s by %s: %s", it->op->name, it->who.id, it->err.msg);
	}
	return (it->err.code);
}

static bool
is_mapfull(int rv, const struct item *it)
{
	return (rv == SK_EMAPFULL || it->err.code == SK_EMAPFULL);
}

/*
 * Applies the writes of a batch in one transaction.  Returns 0 when
 * committed, SK_EMAPFULL to ask for a replay after growing, SK_ENESTED to
 * ask for a replay with nested transactions, or another error when the
 * batch could not be made durable.
 *
 * A request that fails must leave nothing behind.  Most fail before they
 * write (bad arguments, a refused transition, a rubric's problems), so
 * requests run straight in the batch's transaction, and a failed one is
 * let go if it made no change (store->changes did not move).  One that
 * failed after writing can only be undone alone by a nested transaction:
 * then the batch is aborted and replayed with each request in a nested
 * transaction of its own (nested).  Nesting every request costs a copy of
 * each page it touches and a merge of its dirty list into the batch's:
 * measured, a third of the CPU of a write.
 */
static int
apply_writes(struct server *s, struct item *items, size_t n, int64_t now,
    bool nested)
{
	MDB_txn *txn, *child;
	int      rv, rc;

	if ((rv = store_write_begin(s->st, NULL, &txn)) != 0) {
		return (rv);
	}
	store_cache_bind(s->st, txn); /* unbound by run_writes */
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		uint64_t     before;

		if (it->req == NULL || !(it->op->flags & OP_WRITE)) {
			continue;
		}
		item_reset(it);
		if ((rv = item_authorize(s, it, txn)) != 0) {
			if (is_mapfull(rv, it)) {
				goto mapfull;
			}
			item_reply_text(it);
			continue;
		}
		if (it->pr.request_id != NULL &&
		    idem_lookup(txn, s->st, it->who.id, it->pr.request_id, now,
		        &it->reply, &it->rlen) == 0) {
			continue;
		}
		if (!nested) {
			before = store_changes(s->st);
			rv     = item_run(s, it, txn, now);
			if (rv != 0 && is_mapfull(rv, it)) {
				goto mapfull;
			}
			if (rv != 0 && store_changes(s->st) != before) {
				log_info("%s failed (%s) after writing: the batch "
				         "is replayed with nested transactions",
				    it->op->name, sk_err_code(rv));
				mdb_txn_abort(txn);
				return (SK_ENESTED);
			}
		} else {
			if ((rv = store_write_begin(s->st, txn, &child)) != 0) {
				goto abort;
			}
			rv = item_run(s, it, child, now);
			if (rv == 0) {
				if ((rc = mdb_txn_commit(child)) != 0) {
					rv = store_err(rc);
					if (rv == SK_EMAPFULL) {
						goto mapfull;
					}
					goto abort;
				}
			} else {
				mdb_txn_abort(child);
				if (is_mapfull(rv, it)) {
					goto mapfull;
				}
			}
		}
		item_reply_text(it);
		if (it->pr.request_id != NULL &&
		    (rv = idem_store(txn, s->st, it->who.id, it->pr.request_id,
		         it->reply, it->rlen, now)) != 0) {
			if (rv == SK_EMAPFULL) {
				goto mapfull;
			}
			goto abort;
		}
		s->writes++;
	}
	/* A little of the duplicate and search indexes' pending work
	 * (core/dedup/).  It is upkeep: should it fail, the batch goes on
	 * without it (queries see pending cases all the same, only
	 * slower). */
	if (!s->dedup_stalled &&
	    ((rv = dedup_index_step(txn, s->st, false)) != 0 ||
	        (rv = dedup_search_step(txn, s->st, false)) != 0)) {
		if (rv == SK_EMAPFULL) {
			goto mapfull;
		}
		log_error("cannot bring the duplicate or search index up to "
		          "date (%s); their pending work waits until a restart",
		    sk_err_code(rv));
		s->dedup_stalled = true;
		mdb_txn_abort(txn);
		return (SK_ENESTED); /* replayed without it */
	}
	if ((rv = idem_expire(txn, s->st, now)) != 0) {
		if (rv == SK_EMAPFULL) {
			goto mapfull;
		}
		goto abort;
	}
	rc = mdb_txn_commit(txn);
	s->commits++;
	return (store_commit_err(s->st, rc));
mapfull:
	mdb_txn_abort(txn);
	return (SK_EMAPFULL);
abort:
	mdb_txn_abort(txn);
	return (rv);
}

static void
run_writes(struct server *s, struct item *items, size_t n, int64_t now)
{
	int  rv     = SK_EMAPFULL;
	bool nested = false;

	for (int tries = 0;
	     (rv == SK_EMAPFULL || rv == SK_ENESTED) && tries < GROW_MAX_TRIES;
	     tries++) {
		bool stalled = s->dedup_stalled;

		rv = apply_writes(s, items, n, now, nested);
		store_cache_unbind(s->st); /* the transaction has ended */
		if (rv == SK_ENESTED && s->dedup_stalled != stalled) {
			continue; /* again, without the index's upkeep */
		}
		if (rv == SK_ENESTED) {
			if (nested) {
				rv = SK_EINTERNAL; /* cannot happen */
				break;
			}
			s->replays++;
			nested = true;
		} else if (rv == SK_EMAPFULL) {
			size_t before = store_mapsize(s->st);
			if (store_grow(s->st) != 0) {
				log_error("the database is full and cannot grow "
				          "past %zu bytes: %s",
				    before, store_grow_error(s->st));
				break;
			}
			log_info("database map grown from %zu to %zu bytes",
			    before, store_mapsize(s->st));
		}
	}
	if (rv != 0) {
		log_error("a batch of %zu requests was not committed: %s", n,
		    rv == SK_EDISKFULL ? "the disk is full"
		    : rv == SK_EMAPFULL ? "the map is full" : sk_err_code(rv));
	} else {
		bool   grown;
		size_t before = store_mapsize(s->st);
		if (store_grow_ahead(s->st, &grown) != 0) {
			log_warn("%s; writes go on until the map is full, "
			         "tried again in a minute",
			    store_grow_error(s->st));
		} else if (grown) {
			log_info("database map grown ahead of need from %zu to "
			         "%zu bytes",
			    before, store_mapsize(s->st));
		}
	}
	/* Events only once durable, in history order; before the replies,
	 * because sending a reply resets its item and frees its events. */
	for (size_t i = 0; rv == 0 && i < n; i++) {
		for (struct op_event_out *e = items[i].events; e; e = e->next) {
			ipc_publish(s->ep, e->type, e->text, e->len);
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		if (it->req == NULL || !(it->op->flags & OP_WRITE)) {
			continue;
		}
		if (rv != 0) {
			/* Nothing of this batch is durable: say so. */
			item_reset(it);
			if (rv == SK_EMAPFULL && store_grow_error(s->st)) {
				proto_fail(&it->err, SK_EUNAVAIL,
				    "%s; nothing was changed",
				    store_grow_error(s->st));
			} else {
				proto_fail(&it->err, SK_EUNAVAIL,
				    rv == SK_EMAPFULL
				        ? "storage is full; nothing was changed"
				    : rv == SK_EDISKFULL
				        ? "the server's disk is full; nothing was "
				          "changed"
				        : "the change could not be saved; nothing "
				          "was changed");
			}
		}
		item_send(it);
	}
	for (size_t i = 0; i < n; i++) {
		if (items[i].req != NULL && (items[i].op->flags & OP_WRITE)) {
			item_reset(&items[i]);
			json_object_put(items[i].pr.root);
			items[i].req = NULL;
		}
	}
}

static void close_server(struct server *s, bool catch_up);

static void
rubric_changed(void *arg, json_object *version)
{
	struct op_ctx *ctx = arg;
	json_object   *ev  = json_object_new_object();
	json_object_object_add(ev, "rubric",
	    json_object_new_string(doc_get_str(version, "id")));
	json_object_object_add(ev, "hash",
	    json_object_new_string(doc_get_str(version, "hash")));
	op_event(ctx, "rubric.changed", ev);
}

static int
load_rubrics(struct op_ctx *ctx, void *arg)
{
	const char *dir = arg;
	int n = rubric_load_dir(ctx->env->rubrics, ctx->txn, dir, ctx->now,
	    rubric_changed, ctx);
	log_info("%d rubrics loaded from %s", n, dir);
	return (0);
}

/* A deferred op has replied: a stop waiting for it may go on. */
static void
deferred_finished(void *arg)
{
	struct server *s = arg;
	if (--s->pending == 0 && s->stopping) {
		close_server(s, true);
	}
}

/* Hands a read's long part to the thread pool (deferred.c). */
static void
defer_work(struct server *s, struct item *it)
{
	json_object *arg = it->result; /* the handler's, now deferred.c's */
	int          rv;

	it->result = NULL;
	if ((rv = server_defer(s, it->req, it->op, arg, &it->who,
	         it->req->peer, deferred_finished, s)) != 0) {
		item_reset(it);
		if (rv == SK_EUNAVAIL) {
			proto_fail(&it->err, rv,
			    "%s: too much heavy work (password checks, "
			    "rubric runs, documents) is waiting; try again "
			    "in a moment",
			    it->op->name);
		} else {
			proto_fail(&it->err, SK_EINTERNAL, "%s: %s",
			    it->op->name,
			    it->op->work == NULL ? "no work to defer"
			                         : "out of memory");
		}
		item_send(it);
		return;
	}
	item_reset(it);
	json_object_put(it->pr.root);
	it->pr.root = NULL;
	s->pending++;
}

static void
on_batch(void *arg, struct ipc_req *batch)
{
	struct server *s = arg;
	size_t         n = 0, nwrites = 0;
	int64_t        now = clock_now();
	MDB_txn       *rtxn = NULL;

	for (struct ipc_req *r = batch; r != NULL; r = r->next) {
		n++;
	}
	if (n > s->cap) {
		struct item *more = realloc(s->items, n * sizeof(*more));
		if (more == NULL) {
			log_error("out of memory for a batch of %zu", n);
			return; /* the clients will time out and resend */
		}
		s->items = more;
		s->cap   = n;
	}
	memset(s->items, 0, n * sizeof(*s->items));
	s->batches++;

	size_t i = 0;
	for (struct ipc_req *r = batch, *next; r != NULL; r = next, i++) {
		struct item *it = &s->items[i];
		next            = r->next;
		it->req         = r;
		if (proto_decode(r->body, r->len, &it->pr, &it->err) != 0) {
			item_send(it);
			it->req = NULL;
			continue;
		}
		if (s->stopping) {
			/* Waiting for a backup to finish before exiting. */
			proto_fail(&it->err, SK_EUNAVAIL,
			    "the server is shutting down; try again when it is "
			    "back");
			item_send(it);
			it->req = NULL;
			continue;
		}
		it->op = op_find(it->pr.op);
		if (it->op == NULL ||
		    ((it->op->flags & OP_TESTCLOCK) && !s->cfg->test_clock)) {
			proto_fail(&it->err, SK_EBADREQ,
			    "unknown op \"%.64s\" (see `sangkien help` for the "
			    "operations)",
			    it->pr.op);
			item_send(it);
			it->req = NULL;
			continue;
		}
		if (proto_check_keys(it->pr.args, it->op->args, &it->err) != 0) {
			item_send(it);
			it->req = NULL;
			continue;
		}
		if (it->op->flags & OP_WRITE) {
			nwrites++;
			continue;
		}
		/* A read: answer from the snapshot now. */
		if (rtxn == NULL &&
		    store_read_begin(s->st, &rtxn) == 0) {
			store_cache_bind(s->st, rtxn);
		}
		if (rtxn == NULL) {
			proto_fail(&it->err, SK_EUNAVAIL,
			    "cannot read the database");
		} else if (item_authorize(s, it, rtxn) == 0 &&
		    item_run(s, it, rtxn, now) == SK_EDEFER) {
			defer_work(s, it);
			it->req = NULL;
			continue;
		}
		item_send(it);
		it->req = NULL;
	}
	store_cache_unbind(s->st);
	store_read_end(s->st);
	if (nwrites > 0) {
		run_writes(s, s->items, n, now);
		server_timer_rearm(s);
	}
	log_debug("batch %llu: %zu requests, %zu writes", s->batches, n,
	    nwrites);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct server *s = h->data;
	if (s->stopping) {
		return;
	}
	s->stopping = true;
	sd_notify(0, "STOPPING=1");
	log_info("signal %d: finishing and shutting down", signum);
	/* The batch in hand has been answered: on_batch runs to its end
	 * before the loop delivers a signal.  A backup still being written
	 * is waited for, a verify told to stop (it only reads); meanwhile
	 * requests get "unavailable". */
	store_stop_reading(s->st);
	if (s->pending > 0) {
		log_info("waiting for %d backup(s) to finish and verify(s) to "
		         "stop",
		    s->pending);
		return;
	}
	close_server(s, true);
}

/* The duplicate and search indexes' pending work, all of it (at
 * shutdown). */
static int
dedup_catch_up(struct op_ctx *ctx, void *arg)
{
	int rv;
	(void) arg;
	if ((rv = dedup_index_step(ctx->txn, ctx->st, true)) != 0) {
		return (rv);
	}
	return (dedup_search_step(ctx->txn, ctx->st, true));
}

/* Stops serving; with catch_up, leaves the indexes whole first. */
static void
close_server(struct server *s, bool catch_up)
{
	if (s->closed) {
		return;
	}
	s->closed = true;
	ipc_endpoint_close(s->ep);
	mailer_stop(s);
	/* Leave the bands and the postings whole: quicker queries at the
	 * next start, and nothing pending in a backup taken while stopped. */
	if (catch_up) {
		server_system(s,
		    "bringing the duplicate and search indexes up to date",
		    dedup_catch_up, NULL);
	}
	uv_close((uv_handle_t *) &s->sigint, NULL);
	uv_close((uv_handle_t *) &s->sigterm, NULL);
	uv_close((uv_handle_t *) &s->sighup, NULL);
	uv_close((uv_handle_t *) &s->timer, NULL);
}

static void
on_sighup(uv_signal_t *h, int signum)
{
	struct server *s = h->data;
	(void) signum;
	sd_notify(0, "RELOADING=1");
	log_info("SIGHUP: rereading rubrics from %s", s->cfg->rubrics_dir);
	server_system(s, "rereading rubrics", load_rubrics,
	    (void *) s->cfg->rubrics_dir);
	server_timer_rearm(s);
	ipc_endpoint_reload_web(s->ep);
	sd_notify(0, "READY=1");
}

int
server_run(const struct server_config *cfg)
{
	struct server s = { 0 };
	char          err[512];
	int           status = 1, rv;

	s.cfg             = cfg;
	s.env.started     = clock_now();
	s.env.review_days = cfg->review_days;
	s.env.test_clock  = cfg->test_clock;
	s.env.data_dir    = cfg->data_dir;
	s.env.mail_on     = cfg->smtp_url != NULL;
	s.env.public_url  = cfg->public_url;

	if (auth_init() != 0) {
		log_error("cannot initialize libsodium");
		return (1);
	}
	if ((rv = uv_loop_init(&s.loop)) != 0) {
		log_error("cannot start the event loop: %s", uv_strerror(rv));
		return (1);
	}
	if (store_open(&s.st, cfg->data_dir, cfg->map_size, cfg->nosync, err,
	        sizeof(err)) != 0) {
		log_error("%s", err);
		goto cleanup_loop;
	}
	if (cfg->test_clock) {
		uint64_t offset = 0;
		MDB_txn *txn;
		if (store_read_begin(s.st, &txn) == 0) {
			store_meta_u64(txn, s.st, "test_clock_offset", &offset);
			store_read_end(s.st);
		}
		clock_set_offset((int64_t) offset);
	}
	struct plug_limits lim = { .mem_bytes = cfg->rubric_mem,
		.instructions = cfg->rubric_instructions };
	if (rubric_reg_new(&s.rubrics, s.st, &lim) != 0) {
		log_error("out of memory");
		goto cleanup_store;
	}
	s.env.rubrics = s.rubrics;
	s.heavy_tail  = &s.heavy_wait;
	if ((s.env.sessions = sessions_new(
	         cfg->session_idle_s > 0 ? cfg->session_idle_s : 30 * 60,
	         cfg->session_max_s > 0 ? cfg->session_max_s : 12 * 3600)) ==
	        NULL ||
	    (s.env.limiter = pw_limiter_new()) == NULL) {
		log_error("out of memory");
		goto cleanup_store;
	}
	struct ipc_config icfg = {
		.listen   = cfg->listen,
		.events   = cfg->events,
		.contexts = cfg->contexts,
		.tls_cert_key = cfg->tls_cert_key,
		.tls_key  = cfg->tls_key,
		.http_url = cfg->http_url,
		.web_dir  = cfg->web_dir,
		.admin_group = cfg->admin_group,
		.admin_gid   = cfg->admin_gid,
		.batch    = on_batch,
		.arg      = &s,
	};
	if (ipc_endpoint_open(&s.ep, &s.loop, &icfg, err, sizeof(err)) != 0) {
		log_error("%s", err);
		goto cleanup_store;
	}
	uv_signal_init(&s.loop, &s.sigint);
	uv_signal_init(&s.loop, &s.sigterm);
	uv_signal_init(&s.loop, &s.sighup);
	uv_timer_init(&s.loop, &s.timer);
	s.sigint.data = s.sigterm.data = s.sighup.data = s.timer.data = &s;
	uv_signal_start(&s.sigint, on_signal, SIGINT);
	uv_signal_start(&s.sigterm, on_signal, SIGTERM);
	uv_signal_start(&s.sighup, on_sighup, SIGHUP);
	if (!server_upgrade(&s) || !server_counts_guard(&s, cfg->data_dir)) {
		close_server(&s, false);
		goto cleanup_store;
	}
	server_system(&s, "loading rubrics", load_rubrics,
	    (void *) cfg->rubrics_dir);
	server_timer_rearm(&s);
	if (mailer_start(&s) != 0) {
		close_server(&s, false);
		goto cleanup_store;
	}

	for (const char *const *u = cfg->listen; *u; u++) {
		log_info("API on %s", *u);
	}
	for (const char *const *u = cfg->events; *u; u++) {
		log_info("events on %s", *u);
	}
	log_info("sangkiend %s ready: data in %s, durability %s", SK_VERSION,
	    cfg->data_dir, cfg->nosync ? "nosync" : "full");
	/* Under systemd (Type=notify): the store is open and upgraded, the
	 * rubrics loaded and every socket listens.  Without NOTIFY_SOCKET
	 * this does nothing. */
	sd_notifyf(0, "READY=1\nSTATUS=serving, data in %s", cfg->data_dir);
	if ((s.env.web_url = ipc_endpoint_page(s.ep)) != NULL) {
		printf("Trang web: %s\n", s.env.web_url);
		fflush(stdout);
	}

	uv_run(&s.loop, UV_RUN_DEFAULT);
	if (store_counts_save(s.st, cfg->data_dir, err, sizeof(err)) != 0) {
		log_warn("%s", err);
	}
	log_info("stopped after %llu batches, %llu writes, %llu commits "
	         "(%llu batches replayed nested)",
	    s.batches, s.writes, s.commits, s.replays);
	status = 0;
	goto cleanup_store;

cleanup_store:
	sessions_free(s.env.sessions);
	pw_limiter_free(s.env.limiter);
	rubric_reg_free(s.rubrics);
	store_close(s.st);
cleanup_loop:
	/* Run the loop until every handle's close callback has run. */
	uv_run(&s.loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&s.loop) != 0) {
		log_warn("event loop closed with handles open");
	}
	mailer_free(&s);
	free(s.items);
	return (status);
}
