/*
 * ops.h: the operations of PROTOCOL.md and the context they run in.
 *
 * The op table (ops.c) is the one place that lists every operation with its
 * flags and arguments, as Redis's command table does: dispatch, the
 * argument check, the role check and `sangkien help` all read it.  Handlers
 * live in files by family: admin.c (units, users, councils, who am I, the
 * server), case.c (filing, editing, reading, listing, moving cases),
 * review.c (scores, decisions, rubrics), search.c (duplicates, the
 * public search), auth.c (passwords and sessions), docs.c (a case's
 * documents as PDF), report.c (reports over many cases) and notice.c
 * (notices and one's own mail settings).  They call the model (core/model/: the context they run
 * in, struct op_ctx, is model/ctx.h's) and never each other.
 *
 * A handler runs on the loop thread inside a transaction the server gives
 * it: the batch's write transaction for OP_WRITE ops (or a nested one of
 * its own), the read snapshot otherwise.  It must not reply, publish or do
 * I/O: it returns SK_OK with ctx->result set, or an error recorded with
 * proto_fail.  It should check everything it can before its first write:
 * a request that fails after writing costs its batch a replay with nested
 * transactions.  Events go through op_event, which appends them to the
 * history in the same transaction; the server publishes them only after
 * the commit.  Because the server may replay a batch (after growing a full
 * map, or to roll back such a request alone), a handler must depend only
 * on its transaction, its arguments and ctx->now.
 *
 * A read handler whose work is too long for the loop (server.backup,
 * server.verify, the rubrics of rubric.put and rubric.test) checks its arguments, puts what the work needs in
 * ctx->result and returns SK_EDEFER; the server then runs the op's work
 * function (struct op_work, below) on libuv's thread pool.
 */
#ifndef SK_OPS_H
#define SK_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model/ctx.h"
#include "core/model/doc.h"

enum op_flags {
	OP_WRITE     = 1u << 0, /* changes state: group commit, request_id */
	OP_ADMIN     = 1u << 1, /* needs the admin role */
	OP_READER    = 1u << 2, /* needs admin or viewer */
	OP_TESTCLOCK = 1u << 3, /* exists only with --test-clock */
	OP_PUBLIC    = 1u << 4, /* answers without a token too (anonymous) */
	OP_HEAVY     = 1u << 5, /* deferred work that is CPU and memory
	                         * heavy (argon2id, a rubric's Lua state):
	                         * a few at once */
};

/* The principal of a request without a token, for OP_PUBLIC ops: no
 * roles, no unit, and an id no user can have. */
#define OP_ANONYMOUS "(anonymous)"

typedef int (*op_fn)(struct op_ctx *ctx);

/*
 * The long part of a deferred op, on a thread of libuv's pool while the
 * loop goes on.  It may read the store only through a snapshot of its own
 * (store_snapshot_begin) and touch nothing else the loop owns; it returns
 * SK_OK with result set, or an error recorded with proto_fail in err.
 */
struct op_work {
	const struct op_env *env;
	struct store        *st;
	json_object         *arg;    /* the handler's ctx->result */
	json_object         *result; /* owned; set by the work */
	struct proto_err     err;
	struct principal     who;      /* who asked */
	char                 peer[64]; /* from where (op_ctx's peer) */
	/*
	 * Set by the work when it needs the loop once more: after the work,
	 * on the loop, the server runs after(ctx, w) in a write transaction
	 * of its own (ctx->who is w->who) and commits it, events included,
	 * unless it returns an error; then it replies with w->err if set,
	 * else w->result, after delay_ms milliseconds if set (a timer).
	 */
	int (*after)(struct op_ctx *ctx, struct op_work *w);
	int delay_ms;
};

typedef int (*op_work_fn)(struct op_work *w);

struct op {
	const char        *name;
	op_fn              fn;
	unsigned           flags;
	const char *const *args; /* allowed argument names, NULL-terminated */
	const char        *help; /* one line for people */
	op_work_fn         work; /* for handlers that return SK_EDEFER */
};

/* The op called name, or NULL. */
const struct op *op_find(const char *name);

/* The whole table, NULL-terminated on name. */
extern const struct op op_table[];

/* Handlers: admin.c. */
int op_unit_put(struct op_ctx *ctx);
int op_unit_get(struct op_ctx *ctx);
int op_unit_list(struct op_ctx *ctx);
int op_user_put(struct op_ctx *ctx);
/* user.put's and user.settings's "email" and "notify" (admin.c). */
int user_notice_fields(struct op_ctx *ctx, json_object *old,
    json_object *doc);
/* Notices (notice.c). */
int op_notice_list(struct op_ctx *ctx);
int op_notice_read(struct op_ctx *ctx);
int op_notice_outbox(struct op_ctx *ctx);
int op_notice_resend(struct op_ctx *ctx);
int op_user_settings(struct op_ctx *ctx);
int op_user_token(struct op_ctx *ctx);
int op_user_get(struct op_ctx *ctx);
int op_user_list(struct op_ctx *ctx);
int op_council_put(struct op_ctx *ctx);
int op_council_get(struct op_ctx *ctx);
int op_council_list(struct op_ctx *ctx);
int op_auth_whoami(struct op_ctx *ctx);
int op_server_status(struct op_ctx *ctx);
int op_server_verify(struct op_ctx *ctx);
int op_server_verify_work(struct op_work *w);
int op_server_backup(struct op_ctx *ctx);
int op_server_backup_work(struct op_work *w);
int op_server_clock(struct op_ctx *ctx);
int op_events_since(struct op_ctx *ctx);

/* Handlers: auth.c (passwords and sessions). */
int op_auth_login(struct op_ctx *ctx);
int op_auth_login_work(struct op_work *w);
int op_auth_logout(struct op_ctx *ctx);
int op_user_password(struct op_ctx *ctx);
int op_user_password_work(struct op_work *w);

/* Handlers: case.c. */
int op_case_create(struct op_ctx *ctx);
int op_case_update(struct op_ctx *ctx);
int op_case_get(struct op_ctx *ctx);
int op_case_list(struct op_ctx *ctx);
int op_case_history(struct op_ctx *ctx);
int op_case_act(struct op_ctx *ctx);

/* Handlers: review.c. */
int op_case_score(struct op_ctx *ctx);
int op_case_decide(struct op_ctx *ctx);
int op_case_recognize(struct op_ctx *ctx);
int op_rubric_list(struct op_ctx *ctx);
int op_rubric_get(struct op_ctx *ctx);
int op_rubric_put(struct op_ctx *ctx);
int op_rubric_put_work(struct op_work *w);
int op_rubric_test(struct op_ctx *ctx);
int op_rubric_test_work(struct op_work *w);

/* Handlers: search.c (duplicates and the public search). */
int op_case_similar(struct op_ctx *ctx);
/* round.c */
int op_round_put(struct op_ctx *ctx);
int op_round_get(struct op_ctx *ctx);
int op_round_list(struct op_ctx *ctx);
int op_case_search(struct op_ctx *ctx);

/* Handlers: docs.c (a case's documents as PDF). */
int op_doc_get(struct op_ctx *ctx);
int op_doc_get_work(struct op_work *w);
int op_doc_verify(struct op_ctx *ctx);

/* Handlers: report.c (reports over many cases, on the thread pool). */
int op_report_states(struct op_ctx *ctx);
int op_report_times(struct op_ctx *ctx);
int op_report_recognized(struct op_ctx *ctx);
int op_report_authors(struct op_ctx *ctx);
int op_report_scorers(struct op_ctx *ctx);
int op_report_work(struct op_work *w);

#endif
