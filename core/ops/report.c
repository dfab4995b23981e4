/*
 * report.c: the handlers of the reports (report.states, report.times,
 * report.recognized, report.authors, report.scorers; model/report.h).
 * Each checks its filter on the loop and defers: the pass over the cases
 * runs on libuv's thread pool in a read snapshot of its own (the
 * environment is MDB_NOTLS), so that a report over a hundred thousand
 * cases holds up neither the loop nor the writes, and sees one state of
 * the database however long it takes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/err.h"
#include "core/model/report.h"
#include "core/model/workflow.h"
#include "core/ops/ops.h"

/* The filter of ctx->args, checked; the deferred work's argument. */
static int
report_defer(struct op_ctx *ctx, const char *name)
{
	uint64_t    year = 0;
	const char *s    = NULL;
	bool        sub  = false;
	int         rv;

	if ((rv = arg_u64(ctx->args, "year", false, 1900, 9999, &year,
	         ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "round", false, 64, &s, ctx->err)) != 0 ||
	    (rv = arg_id(ctx->args, "unit", false, &s, ctx->err)) != 0 ||
	    (rv = arg_bool(ctx->args, "subunits", &sub, ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "field", false, 200, &s, ctx->err)) != 0) {
		return (rv);
	}
	s = NULL;
	if ((rv = arg_str(ctx->args, "state", false, 32, &s, ctx->err)) != 0) {
		return (rv);
	}
	if (s != NULL && wf_state_parse(s) == WF_NONE) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "state: no state is called \"%s\"", s));
	}
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "report",
	    json_object_new_string(name));
	json_object_object_add(ctx->result, "filter",
	    json_object_get(ctx->args));
	return (SK_EDEFER);
}

int
op_report_states(struct op_ctx *ctx)
{
	return (report_defer(ctx, "states"));
}

int
op_report_times(struct op_ctx *ctx)
{
	return (report_defer(ctx, "times"));
}

int
op_report_recognized(struct op_ctx *ctx)
{
	return (report_defer(ctx, "recognized"));
}

int
op_report_authors(struct op_ctx *ctx)
{
	return (report_defer(ctx, "authors"));
}

int
op_report_scorers(struct op_ctx *ctx)
{
	return (report_defer(ctx, "scorers"));
}

/* On the thread pool, in a snapshot of its own. */
int
op_report_work(struct op_work *w)
{
	json_object         *a = json_object_object_get(w->arg, "filter");
	json_object         *v;
	struct report_filter f = { 0 };
	MDB_txn             *txn;
	struct op_ctx        ctx = { .env = w->env, .st = w->st,
		       .err = &w->err, .who = &w->who, .on_council = -1,
		       .now = (int64_t) time(NULL) };
	int                  rv;

	if (json_object_object_get_ex(a, "year", &v)) {
		f.year = json_object_get_int(v);
	}
	f.round    = doc_get_str(a, "round");
	f.unit     = doc_get_str(a, "unit");
	f.subunits = json_object_object_get_ex(a, "subunits", &v) &&
	    json_object_get_boolean(v);
	f.field = doc_get_str(a, "field");
	f.state = doc_get_str(a, "state");
	if ((rv = store_snapshot_begin(w->st, &txn)) != 0) {
		return (proto_fail(&w->err, rv, "cannot read the database"));
	}
	ctx.txn = txn;
	rv = report_run(&ctx,
	    report_find(doc_get_str(w->arg, "report")), &f, &w->result);
	store_snapshot_end(w->st, txn);
	if (rv == 0) {
		json_object_object_add(w->result, "filter", json_object_get(a));
	}
	return (rv);
}
