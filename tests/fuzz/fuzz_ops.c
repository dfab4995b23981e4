/*
 * fuzz_ops.c: libFuzzer target for the op dispatch with its arguments:
 * each input is a request, decoded as the server decodes it, and its op
 * run on a server context over a temporary LMDB (core/ops/), as the
 * server would run it: as an anonymous principal when the op is public,
 * and always as an admin.  The database holds a small province (units,
 * users, a council, a draft case, the shipped rubrics), made once.  Every
 * op runs in a write transaction that is aborted afterwards, so the
 * database never grows however long the fuzzing runs.  Ops whose work
 * goes on off the loop (password hashing, PDF documents, backup, verify)
 * are run up to the hand-over only: their work is tested elsewhere and
 * would make each input slow.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/model/rubric.h"
#include "core/model/session.h"
#include "core/model/password.h"
#include "core/ops/ops.h"
#include "core/util/err.h"
#include "plugins/host.h"

#ifndef SK_SOURCE_DIR
#define SK_SOURCE_DIR "."
#endif

#define NOW 1795000000 /* 2026-11-18 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	char               dir[64];
	struct store      *st;
	struct rubric_reg *rubrics;
	struct op_env      env;
} F;

/* Runs op with args as who; commits only when commit is set. */
static int
run(const struct op *op, json_object *args, const struct principal *who,
    bool commit)
{
	struct op_ctx    ctx = { 0 };
	struct proto_err e   = { 0 };
	MDB_txn         *txn;
	int              rv;

	if (store_write_begin(F.st, NULL, &txn) != 0) {
		abort();
	}
	ctx.env         = &F.env;
	ctx.st          = F.st;
	ctx.txn         = txn;
	ctx.who         = who;
	ctx.args        = args;
	ctx.now         = NOW;
	ctx.err         = &e;
	ctx.on_council  = -1;
	ctx.events_tail = &ctx.events;
	ctx.peer        = "local";
	rv              = op->fn(&ctx);
	if (rv != 0 && rv != SK_EDEFER && e.code == 0) {
		abort(); /* a failure must say why */
	}
	if (commit && rv == 0) {
		if (mdb_txn_commit(txn) != 0) {
			abort();
		}
	} else {
		mdb_txn_abort(txn);
	}
	json_object_put(ctx.result);
	free(ctx.result_text);
	op_events_free(ctx.events);
	proto_err_clear(&e);
	return (rv);
}

static void
setup_call(const char *op, const char *args)
{
	struct principal admin = { .roles = ROLE_ADMIN, .local_admin = true };
	json_object     *a     = json_tokener_parse(args);

	strcpy(admin.id, "local-admin");
	if (a == NULL || run(op_find(op), a, &admin, true) != 0) {
		fprintf(stderr, "fuzz_ops: setting up %s failed\n", op);
		abort();
	}
	json_object_put(a);
}

static void
setup(void)
{
	static const struct plug_limits lim = { 8u << 20, 1000000, 50 };
	char                            err[256];
	MDB_txn                        *txn;

	snprintf(F.dir, sizeof(F.dir), "/tmp/sk-fuzz-ops-XXXXXX");
	if (mkdtemp(F.dir) == NULL ||
	    store_open(&F.st, F.dir, 0, true, err, sizeof(err)) != 0 ||
	    rubric_reg_new(&F.rubrics, F.st, &lim) != 0 ||
	    store_write_begin(F.st, NULL, &txn) != 0) {
		abort();
	}
	rubric_load_dir(F.rubrics, txn, SK_SOURCE_DIR "/rubrics", NOW, NULL,
	    NULL);
	if (mdb_txn_commit(txn) != 0) {
		abort();
	}
	F.env.rubrics     = F.rubrics;
	F.env.review_days = 30;
	F.env.started     = NOW;
	F.env.data_dir    = F.dir;
	F.env.sessions    = sessions_new(1800, 12 * 3600);
	F.env.limiter     = pw_limiter_new();
	setup_call("unit.put", "{\"id\":\"so\",\"name\":\"Sở\"}");
	setup_call("unit.put",
	    "{\"id\":\"thpt-a\",\"name\":\"Trường A\",\"parent\":\"so\"}");
	setup_call("user.put", "{\"id\":\"lan\",\"name\":\"Lan\",\"unit\":"
	                       "\"thpt-a\",\"roles\":[\"author\"]}");
	setup_call("user.put", "{\"id\":\"hung\",\"name\":\"Hùng\",\"unit\":"
	                       "\"thpt-a\",\"roles\":[]}");
	setup_call("user.put", "{\"id\":\"mai\",\"name\":\"Mai\",\"unit\":"
	                       "\"thpt-a\",\"roles\":[]}");
	setup_call("user.put", "{\"id\":\"son\",\"name\":\"Sơn\",\"unit\":"
	                       "\"thpt-a\",\"roles\":[]}");
	/* At least three who vote (TT 18/2013 Điều 8). */
	setup_call("council.put",
	    "{\"id\":\"hd-a\",\"name\":\"Hội đồng A\",\"scope\":\"unit\","
	    "\"unit\":\"thpt-a\",\"members\":[{\"user\":\"hung\",\"role\":"
	    "\"chair\"},{\"user\":\"mai\",\"role\":\"secretary\"},"
	    "{\"user\":\"son\",\"role\":\"member\"}]}");
	setup_call("case.create",
	    "{\"title\":\"Sổ tay\",\"field\":\"giáo dục\",\"unit\":\"thpt-a\","
	    "\"owner\":\"lan\",\"sections\":{\"solution\":\"Giải pháp\"},"
	    "\"authors\":[{\"name\":\"Lan\",\"user\":\"lan\",\"share\":100}],"
	    "\"first_applied\":\"2026-01-05\"}");
}

static void
teardown(void)
{
	char cmd[128];
	rubric_reg_free(F.rubrics);
	sessions_free(F.env.sessions);
	pw_limiter_free(F.env.limiter);
	store_close(F.st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", F.dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "fuzz_ops: cannot remove %s\n", F.dir);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct principal  anon  = { 0 };
	struct principal  admin = { .roles = ROLE_ADMIN, .local_admin = true };
	struct proto_req  req;
	struct proto_err  e = { 0 };
	const struct op  *op;

	if (F.st == NULL) {
		setup();
		atexit(teardown);
	}
	if (proto_decode((const char *) data, size, &req, &e) != 0) {
		proto_err_clear(&e);
		return (0);
	}
	op = op_find(req.op);
	if (op == NULL || (op->flags & (OP_TESTCLOCK | OP_HEAVY)) ||
	    op->work != NULL ||
	    proto_check_keys(req.args, op->args, &e) != 0) {
		proto_err_clear(&e);
		json_object_put(req.root);
		return (0);
	}
	strcpy(anon.id, OP_ANONYMOUS);
	strcpy(admin.id, "local-admin");
	if (op->flags & OP_PUBLIC) {
		run(op, req.args, &anon, false);
	}
	run(op, req.args, &admin, false);
	json_object_put(req.root);
	return (0);
}
