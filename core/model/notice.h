/*
 * notice.h: notices, in the application and by e-mail (issue 18).
 *
 * Every event appended to the history passes op_event once, in the
 * transaction of the change; op_event hands it to notice_on_event, which
 * looks the event up in one table (notice.c: event or action, who is
 * told, the Vietnamese subject and body) and records a notice for each
 * person told, in that same transaction.  So a notice exists exactly when
 * its change was committed: never lost, never made for a change that
 * rolled back.
 *
 * A notice is an entry of the person's list in the application
 * (notice.list, notice.read) and, if they gave an e-mail address and did
 * not turn mail off, a mail in the outbox: the notices database holds it,
 * notice_index orders the mail to send by when it is next tried (store.h).
 * The server's mailer (core/server/mailer.c) reads what is due, sends it
 * off the loop, and records the outcome through the loop's writer
 * (notice_mail_result).  Users who chose the daily digest get one mail a
 * day with all of theirs (notice_digest).
 *
 * The rule against sending twice: a mail is marked sent in the same
 * transaction that takes it off the queue, after the SMTP server accepted
 * it; a crash before that mark sends it again after the restart, with the
 * same Message-ID (stored on the notice when it was made), so delivery is
 * at least once and a repeat is recognizable as the same message.  Only a
 * crash in the milliseconds between the server's acceptance and that
 * commit can repeat one.
 */
#ifndef SK_MODEL_NOTICE_H
#define SK_MODEL_NOTICE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model/ctx.h"
#include "core/model/doc.h"

/* How many times a mail is tried before it is marked failed. */
#define NOTICE_MAX_ATTEMPTS 20
/* The daily digest goes out at 00:00 UTC (07:00 in Vietnam). */
#define NOTICE_DIGEST_HOUR_UTC 0

/* Records the notices an event calls for (from op_event; ev is the stored
 * event, borrowed).  Returns SK_OK or an error recorded in ctx->err. */
int notice_on_event(struct op_ctx *ctx, const char *type, json_object *ev);

/* Sends the daily digest of each "daily" user, if it is due at ctx->now
 * (a mail per user in the outbox); then sets the next one. */
int notice_digest(struct op_ctx *ctx);

/* Unix time the next digest is due, or -1 if none was ever scheduled. */
int64_t notice_digest_at(MDB_txn *txn, struct store *st);

/*
 * The mail due to be tried at now (or every mail waiting, with all): up to
 * max notice ids, the earliest first, into ids.  Returns SK_OK.
 */
int notice_mail_due(MDB_txn *txn, struct store *st, int64_t now, bool all,
    uint64_t *ids, size_t max, size_t *n);

/* Notice id as stored (the caller owns *out): SK_ENOTFOUND if none. */
int notice_load(MDB_txn *txn, struct store *st, uint64_t id,
    json_object **out);

/* Records a try's outcome: sent, or failed with error (tried again later,
 * or given up after NOTICE_MAX_ATTEMPTS). */
int notice_mail_result(struct op_ctx *ctx, uint64_t id, bool sent,
    const char *error);

/* Puts a notice's mail back on the queue, to its user's current address. */
int notice_resend(struct op_ctx *ctx, uint64_t id);

/* True if s looks like one e-mail address (and holds nothing that could
 * break a mail header). */
bool notice_email_valid(const char *s);

/* True for "now", "daily", "off". */
bool notice_mode_valid(const char *s);

/* How many of user's notices are unread. */
uint64_t notice_unread(MDB_txn *txn, struct store *st, const char *user);

/* user's notices, newest first, before id `before` (0: from the newest),
 * at most limit, only unread ones with unread_only, as list items. */
int notice_list(struct op_ctx *ctx, const char *user, bool unread_only,
    uint64_t before, uint64_t limit, json_object *items);

/* Marks user's notice id read (0: all of them); SK_ENOTFOUND if user has
 * no notice id. */
int notice_mark_read(struct op_ctx *ctx, const char *user, uint64_t id);

/* The outbox for admins: notices and digests newest first, those whose
 * mail is in state (NULL: any), into items; counts by state in counts. */
int notice_outbox(struct op_ctx *ctx, const char *state, uint64_t limit,
    json_object *items, json_object *counts);

#endif
