/*
 * event.c: the history.  Every change appends one event to it, in the
 * transaction of the change, numbered by seq without gaps and chained by
 * hash (core/store/history.c); the server publishes the events a request
 * made only once its transaction is committed (core/server/server.c,
 * run_writes).  Each event also passes notice_on_event here, so that the
 * notices it calls for are recorded in its transaction (notice.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/err.h"
#include "core/model/ctx.h"
#include "core/model/doc.h"
#include "core/model/notice.h"

int
op_event(struct op_ctx *ctx, const char *type, json_object *ev)
{
	struct op_event_out *out;
	json_object         *full = json_object_new_object();
	uint64_t             seq;
	int                  rv;

	/* Field order: type, at, then the event's own; actor last unless the
	 * event placed it. */
	json_object_object_add(full, "type", json_object_new_string(type));
	json_object_object_add(full, "at", json_time(ctx->now));
	json_object_object_foreach(ev, key, val)
	{
		json_object_object_add(full, key, json_object_get(val));
	}
	if (!json_object_object_get_ex(full, "actor", NULL)) {
		json_object_object_add(
		    full, "actor", json_object_new_string(ctx->who->id));
	}
	json_object_put(ev);

	if ((out = calloc(1, sizeof(*out))) == NULL) {
		json_object_put(full);
		return (proto_fail(ctx->err, SK_EINTERNAL, "out of memory"));
	}
	rv = store_event_add(ctx->txn, ctx->st, full, &seq, &out->text);
	if (rv != 0) {
		json_object_put(full);
		free(out);
		return (proto_fail(ctx->err, rv, "cannot append to the history"));
	}
	/* Whoever the event concerns is told in this same transaction. */
	if ((rv = notice_on_event(ctx, type, full)) != 0) {
		json_object_put(full);
		free(out->text);
		free(out);
		return (rv);
	}
	json_object_put(full);
	snprintf(out->type, sizeof(out->type), "%s", type);
	/* The events socket asks nobody who they are: who scored is secret
	 * from authors until the decision, and where a failed login came
	 * from is the staff's to know.  Publish those events without that
	 * key (the history keeps it). */
	const char *secret = strcmp(type, "case.scored") == 0 ? "actor"
	    : strcmp(type, "auth.limited") == 0               ? "peer"
	                                                      : NULL;
	if (secret != NULL) {
		struct proto_err e = { 0 };
		json_object     *pub =
		    proto_json_parse(out->text, strlen(out->text), &e);
		size_t len;
		char  *text;
		if (pub != NULL) {
			json_object_object_del(pub, secret);
			if ((text = strdup(util_json_text(pub, &len))) != NULL) {
				free(out->text);
				out->text = text;
			}
			json_object_put(pub);
		}
		proto_err_clear(&e);
	}
	out->len           = strlen(out->text);
	*ctx->events_tail  = out;
	ctx->events_tail   = &out->next;
	return (0);
}

void
op_events_free(struct op_event_out *ev)
{
	while (ev != NULL) {
		struct op_event_out *next = ev->next;
		free(ev->text);
		free(ev);
		ev = next;
	}
}

