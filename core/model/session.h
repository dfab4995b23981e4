/*
 * session.h: the sessions that auth.login opens (issue 15).
 *
 * A session token is written "ss_" + 43 URL-safe base64 characters (a
 * user.token token starts "sk_"), 256 random bits; only its BLAKE2b hash
 * is kept.  A session ends when it has not been used for the idle time
 * (--session-idle, every use starts it again), when it is older than its
 * whole life (--session-max, however busy), at auth.logout, and when
 * its user's password changes (it remembers a stamp of the password hash
 * it was opened with; the change a user makes to their own password keeps
 * the session that made it) or the user is gone.  The principal is read
 * from the user's document at each use, so a change of roles or unit
 * applies to the next request.
 *
 * Sessions live in memory on the loop thread, never in the database: the
 * idle time moves with every request, reads included, and reads are
 * answered from a snapshot without a commit.  A restart ends them all
 * (people log in again; user.token tokens, stored, go on working).
 */
#ifndef SK_SESSION_H
#define SK_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model/auth.h"
#include "core/store/store.h"
#include "ipc/proto.h"

#define SESSION_MAX 100000 /* open at once */

struct sessions;

/* Sessions that end after idle_s unused, and max_s after their login. */
struct sessions *sessions_new(int64_t idle_s, int64_t max_s);
void             sessions_free(struct sessions *ss);

/* The idle time, in seconds. */
int64_t sessions_idle(const struct sessions *ss);

/* Is token a session token (rather than one from user.token)? */
bool session_token_is(const char *token);

/*
 * Opens a session for user, whose stored password hash is pw_hash, at
 * now; writes its token (shown once) and when it expires if unused.
 * Returns SK_OK, or SK_EUNAVAIL when SESSION_MAX are open.
 */
int session_open(struct sessions *ss, const char *user, const char *pw_hash,
    int64_t now, char token[AUTH_TOKEN_LEN + 1], int64_t *expires_at);

/*
 * Who is asking with session token: fills p from the user's document (in
 * txn) and starts the idle time again, or fails with unauthorized saying
 * why (unknown or ended, expired, password changed, user gone).
 */
int session_resolve(struct sessions *ss, MDB_txn *txn, struct store *st,
    const char *token, int64_t now, struct principal *p,
    struct proto_err *e);

/* When the session with this hash expires if unused; -1 if none. */
int64_t session_expires(struct sessions *ss,
    const unsigned char hash[AUTH_HASH_LEN]);

/* Ends the session with this hash; false if there was none. */
bool session_close(struct sessions *ss,
    const unsigned char hash[AUTH_HASH_LEN]);

/* The session with this hash goes on under the new password hash. */
void session_restamp(struct sessions *ss,
    const unsigned char hash[AUTH_HASH_LEN], const char *pw_hash);

#endif
