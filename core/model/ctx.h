/*
 * ctx.h: the context a request runs in, which the model and the handlers
 * share: the server's configuration, the store and the transaction, who is
 * asking, the clock of the batch, and the events the request has made.  The
 * server builds one per request (core/server/server.c, item_run) and one
 * for each write of its own (system.c); the handlers (core/ops/) add the
 * request's arguments and result.  Defined here, below the handlers, so
 * that the model can run in it without including the op table.
 */
#ifndef SK_MODEL_CTX_H
#define SK_MODEL_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model/auth.h"
#include "core/store/store.h"
#include "ipc/proto.h"

struct rubric_reg;
struct sessions;
struct pw_limiter;

/* What handlers may read of the server's configuration. */
struct op_env {
	struct rubric_reg *rubrics; /* loaded rubric versions */
	int64_t     started;     /* unix time the server started */
	int         review_days; /* deadline of a review */
	bool        test_clock;
	const char *data_dir;
	const char *web_url; /* the page's address with --http, or NULL */
	struct sessions   *sessions; /* auth.login's (model/session.h) */
	struct pw_limiter *limiter;  /* failed logins (model/password.h) */
	/* Notices (model/notice.h). */
	bool        mail_on;     /* --smtp given: notices go by mail too */
	const char *mail_domain; /* of --mail-from, for Message-IDs */
	const char *public_url;  /* --public-url: links in notices, or NULL */
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

/*
 * Appends an event of type to the history (setting seq, at and actor) and
 * queues it for publishing.  ev is consumed.
 */
int op_event(struct op_ctx *ctx, const char *type, json_object *ev);

/* Frees a list of queued events. */
void op_events_free(struct op_event_out *ev);

#endif
