/*
 * ops.h: the operations of PROTOCOL.md and the context they run in.
 *
 * The op table (ops.c) is the one place that lists every operation with its
 * flags and arguments, as Redis's command table does: dispatch, the
 * argument check, the role check and `sangkien help` all read it.  Handlers
 * live in ops_admin.c (units, users, councils, server), ops_auth.c
 * (passwords and sessions) and ops_case.c.
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
 * server.verify) checks its arguments, puts what the work needs in
 * ctx->result and returns SK_EDEFER; the server then runs the op's work
 * function (struct op_work, below) on libuv's thread pool.
 */
#ifndef SK_OPS_H
#define SK_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/store/store.h"
#include "ipc/proto.h"

enum op_flags {
	OP_WRITE     = 1u << 0, /* changes state: group commit, request_id */
	OP_ADMIN     = 1u << 1, /* needs the admin role */
	OP_READER    = 1u << 2, /* needs admin or viewer */
	OP_TESTCLOCK = 1u << 3, /* exists only with --test-clock */
	OP_PUBLIC    = 1u << 4, /* answers without a token too (anonymous) */
	OP_HEAVY     = 1u << 5, /* deferred work that is CPU and memory
	                         * heavy (argon2id): a few at once */
};

/* The principal of a request without a token, for OP_PUBLIC ops: no
 * roles, no unit, and an id no user can have. */
#define OP_ANONYMOUS "(anonymous)"

struct sessions;
struct pw_limiter;

struct rubric_reg;

/* What handlers may read of the server's configuration. */
struct op_env {
	struct rubric_reg *rubrics; /* loaded rubric versions */
	int64_t     started;     /* unix time the server started */
	int         review_days; /* deadline of a review */
	bool        test_clock;
	const char *data_dir;
	struct sessions   *sessions; /* auth.login's (core/session.h) */
	struct pw_limiter *limiter;  /* failed logins (core/password.h) */
};

/* Events made by one op, published in order after the commit. */
struct op_event_out {
	struct op_event_out *next;
	char                 type[32];
	char                *text; /* malloc'd stored JSON */
	size_t               len;
};

struct op_ctx {
	const struct op_env    *env;
	struct store           *st;
	MDB_txn                *txn;
	const struct principal *who;
	json_object            *args;
	int64_t                 now;
	json_object            *result; /* owned; set by the handler */
	/* Or the result as JSON text (malloc'd, owned): a read that sends
	 * stored bytes as they are rather than parse and reprint them. */
	char                   *result_text;
	size_t                  result_len;
	struct proto_err       *err;
	struct op_event_out    *events, **events_tail;
	int on_council; /* who sits on some council: -1 unknown, 0, 1 */
	const char *peer; /* the client's address ("local" over ipc://) */
};

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

/*
 * Appends an event of type to the history (setting seq, at and actor) and
 * queues it for publishing.  ev is consumed.
 */
int op_event(struct op_ctx *ctx, const char *type, json_object *ev);

/* Frees a list of queued events. */
void op_events_free(struct op_event_out *ev);

/* JSON helpers for handlers. */
const char *doc_get_str(json_object *doc, const char *key);
int64_t     doc_get_int(json_object *doc, const char *key, int64_t dflt);
json_object *json_time(int64_t t);
/* True if the JSON array arr holds the string s. */
bool json_has_str(json_object *arr, const char *s);
/* A deep copy of a document (json_object_deep_copy), or NULL. */
json_object *doc_clone(json_object *doc);

/* Handlers: ops_admin.c. */
int op_unit_put(struct op_ctx *ctx);
int op_unit_get(struct op_ctx *ctx);
int op_unit_list(struct op_ctx *ctx);
int op_user_put(struct op_ctx *ctx);
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

/* Handlers: ops_auth.c (passwords and sessions). */
int op_auth_login(struct op_ctx *ctx);
int op_auth_login_work(struct op_work *w);
int op_auth_logout(struct op_ctx *ctx);
int op_user_password(struct op_ctx *ctx);
int op_user_password_work(struct op_work *w);

/* Handlers: ops_case.c. */
int op_case_create(struct op_ctx *ctx);
int op_case_update(struct op_ctx *ctx);
int op_case_get(struct op_ctx *ctx);
int op_case_list(struct op_ctx *ctx);
int op_case_history(struct op_ctx *ctx);
int op_case_act(struct op_ctx *ctx);

/* Handlers: ops_review.c. */
int op_case_score(struct op_ctx *ctx);
int op_case_decide(struct op_ctx *ctx);
int op_rubric_list(struct op_ctx *ctx);
int op_rubric_get(struct op_ctx *ctx);
int op_rubric_put(struct op_ctx *ctx);
int op_rubric_test(struct op_ctx *ctx);

/* Handlers: ops_dedup.c (duplicates and the public search). */
int op_case_similar(struct op_ctx *ctx);
int op_case_search(struct op_ctx *ctx);

/*
 * Every case operation calls this just before store_case_put(txn, st, id,
 * old, doc), in the same transaction: it indexes the case's signature when
 * it enters submitted, stores "similar" on doc at accept, and moves the
 * case in or out of the search index with the public states.  Returns 0,
 * or an error recorded in ctx->err (the operation then fails).
 */
int dedup_case_changed(struct op_ctx *ctx, json_object *old, json_object *doc);

/* server.verify's checks of those indexes; appends to problems. */
int dedup_server_verify(struct op_ctx *ctx, json_object *problems);

/*
 * Shared by both: the councils of a unit and the roles of a user in them.
 * council_for_unit walks from unit up through the parents to the first unit
 * with a council of scope "unit"; council_for_field picks the province
 * council whose fields include field, else one with no fields.  Both return
 * SK_ENOTFOUND when there is none.  *out is shared (store_doc_view): read
 * it, never change it, and release it with json_object_put.
 */
int council_for_unit(struct op_ctx *ctx, const char *unit, json_object **out);
int council_for_field(struct op_ctx *ctx, const char *field,
    json_object **out);
/* Moves council_index from old's entries to doc's (either may be NULL). */
int council_index_update(struct op_ctx *ctx, json_object *old,
    json_object *doc);
/* True if user is a member of any council. */
bool council_member_anywhere(struct op_ctx *ctx, const char *user);
/* The role ("chair", "secretary", "member") of user in council, or NULL. */
const char *council_role(json_object *council, const char *user);

/* Generic list of a string-keyed db, paged by id. */
int list_docs(struct op_ctx *ctx, enum store_db db,
    json_object *(*view)(json_object *doc));

#endif
