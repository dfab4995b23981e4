/*
 * notice.c: the notice ops.  notice.list and notice.read are each user's
 * own notices in the application; notice.outbox and notice.resend are the
 * admins' view of the mail (core/model/notice.h has the model and the
 * rule against sending twice).
 */
#include <string.h>

#include "core/util/err.h"
#include "core/model/notice.h"
#include "core/ops/ops.h"

static const char *const mail_states[] = { "none", "queued", "digest",
	"in_digest", "sent", "failed", NULL };

int
op_notice_list(struct op_ctx *ctx)
{
	uint64_t limit = 50, before = 0;
	bool     unread = false;
	int      rv;

	if ((rv = arg_bool(ctx->args, "unread", &unread, ctx->err)) != 0 ||
	    (rv = arg_u64(ctx->args, "limit", false, 1, 500, &limit,
	         ctx->err)) != 0 ||
	    (rv = arg_u64(ctx->args, "before", false, 1, INT64_MAX, &before,
	         ctx->err)) != 0) {
		return (rv);
	}
	json_object *items = json_object_new_array();
	if ((rv = notice_list(ctx, ctx->who->id, unread, before, limit,
	         items)) != 0) {
		json_object_put(items);
		return (proto_fail(ctx->err, rv, "cannot read the notices"));
	}
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "items", items);
	json_object_object_add(ctx->result, "unread",
	    json_object_new_int64(
	        (int64_t) notice_unread(ctx->txn, ctx->st, ctx->who->id)));
	return (0);
}

int
op_notice_read(struct op_ctx *ctx)
{
	uint64_t id  = 0;
	bool     all = false;
	int      rv;

	if ((rv = arg_u64(ctx->args, "id", false, 1, INT64_MAX, &id,
	         ctx->err)) != 0 ||
	    (rv = arg_bool(ctx->args, "all", &all, ctx->err)) != 0) {
		return (rv);
	}
	if ((id == 0) == !all) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "give \"id\" (one notice) or \"all\": true, not %s",
		    id ? "both" : "neither"));
	}
	rv = notice_mark_read(ctx, ctx->who->id, id);
	if (rv == SK_ENOTFOUND) {
		return (proto_fail(ctx->err, rv, "you have no notice %llu",
		    (unsigned long long) id));
	}
	if (rv != 0) {
		return (proto_fail(ctx->err, rv, "cannot mark the notices read"));
	}
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "unread",
	    json_object_new_int64(
	        (int64_t) notice_unread(ctx->txn, ctx->st, ctx->who->id)));
	return (0);
}

int
op_notice_outbox(struct op_ctx *ctx)
{
	const char *state = NULL;
	uint64_t    limit = 100;
	bool        known = false;
	int         rv;

	if ((rv = arg_str(ctx->args, "state", false, 16, &state, ctx->err)) !=
	        0 ||
	    (rv = arg_u64(ctx->args, "limit", false, 1, 1000, &limit,
	         ctx->err)) != 0) {
		return (rv);
	}
	for (const char *const *s = mail_states; state && *s; s++) {
		known = known || strcmp(*s, state) == 0;
	}
	if (state != NULL && !known) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"state\" must be none, queued, digest, in_digest, sent or "
		    "failed, not \"%.20s\"",
		    state));
	}
	json_object *items = json_object_new_array();
	json_object *counts = json_object_new_object();
	if ((rv = notice_outbox(ctx, state, limit, items, counts)) != 0) {
		json_object_put(items);
		json_object_put(counts);
		return (proto_fail(ctx->err, rv, "cannot read the outbox"));
	}
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "mail",
	    json_object_new_boolean(ctx->env->mail_on));
	json_object_object_add(ctx->result, "counts", counts);
	json_object_object_add(ctx->result, "items", items);
	return (0);
}

int
op_notice_resend(struct op_ctx *ctx)
{
	uint64_t id = 0;
	int      rv;

	if ((rv = arg_u64(ctx->args, "id", true, 1, INT64_MAX, &id,
	         ctx->err)) != 0) {
		return (rv);
	}
	return (notice_resend(ctx, id));
}
