/*
 * ops_auth.c: passwords and sessions (issue 15): auth.login, auth.logout
 * and user.password.
 *
 * An argon2id hash or check costs about 100 ms and 64 MiB (password.h),
 * too much for the loop: both ops check their arguments and who may do
 * what on the loop, then return SK_EDEFER; the work (on libuv's thread
 * pool, a few at once: OP_HEAVY) does the hashing alone, and its `after`
 * step, back on the loop in a write transaction, opens the session or
 * stores the new hash, and records failed logins.
 *
 * Failed logins are limited per user and per peer address (password.h's
 * limiter): once a key has PW_LIMIT_FAILS failures within a minute its
 * logins are refused without checking the password until the oldest is a
 * minute old; the failure that reaches the limit is put on record (an
 * auth.limited event in the history, and a log line).  Every failure is
 * answered only after LOGIN_FAIL_DELAY_MS, on a timer.
 */
#include <stdio.h>
#include <string.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "core/util/log.h"
#include "core/ops/ops.h"
#include "core/model/password.h"
#include "core/model/session.h"

#define LOGIN_FAIL_DELAY_MS 1000

/* The limiter's keys: one per user, one per peer address. */
static void
user_key(char *buf, size_t len, const char *user)
{
	snprintf(buf, len, "user %s", user);
}

static void
peer_key(char *buf, size_t len, const char *peer)
{
	snprintf(buf, len, "peer %s", peer);
}

/*
 * Refuses with unauthorized when user or peer is over the limit, saying
 * from when to try again (details: retry_at, retry_after_s).
 */
static int
check_limit(struct op_ctx *ctx, const char *user)
{
	char    uk[128], pk[128], when[32];
	int64_t u, p, at;

	user_key(uk, sizeof(uk), user);
	peer_key(pk, sizeof(pk), ctx->peer);
	u  = pw_limiter_blocked(ctx->env->limiter, uk, ctx->now);
	p  = pw_limiter_blocked(ctx->env->limiter, pk, ctx->now);
	at = u > p ? u : p;
	if (at == 0) {
		return (0);
	}
	util_time_str(at, when, sizeof(when));
	proto_fail(ctx->err, SK_EUNAUTH,
	    "too many failed logins %s within a minute; try again at %s (in "
	    "%lld s)",
	    u >= p ? "for this user" : "from this address", when,
	    (long long) (at - ctx->now));
	ctx->err->details = json_object_new_object();
	json_object_object_add(ctx->err->details, "limited",
	    json_object_new_boolean(true));
	json_object_object_add(ctx->err->details, "retry_at",
	    json_object_new_string(when));
	json_object_object_add(ctx->err->details, "retry_after_s",
	    json_object_new_int64(at - ctx->now));
	return (SK_EUNAUTH);
}

/*
 * A failed password check by user from ctx->peer: counted for both keys;
 * the failure that reaches a limit goes on record.
 */
static int
record_failure(struct op_ctx *ctx, const char *user, const char *op)
{
	char uk[128], pk[128];
	bool ulim, plim;

	user_key(uk, sizeof(uk), user);
	peer_key(pk, sizeof(pk), ctx->peer);
	ulim = pw_limiter_fail(ctx->env->limiter, uk, ctx->now);
	plim = pw_limiter_fail(ctx->env->limiter, pk, ctx->now);
	if (!ulim && !plim) {
		return (0);
	}
	log_warn("%s: %d failed password checks within %d s %s %s; refused "
	         "for up to %d s",
	    op, PW_LIMIT_FAILS, PW_LIMIT_WINDOW_S,
	    ulim ? "for user" : "from peer", ulim ? user : ctx->peer,
	    PW_LIMIT_WINDOW_S);
	json_object *ev = json_object_new_object();
	json_object_object_add(ev, "user", json_object_new_string(user));
	json_object_object_add(ev, "peer", json_object_new_string(ctx->peer));
	json_object_object_add(ev, "limited",
	    json_object_new_string(ulim && plim ? "user,peer"
	                               : ulim   ? "user"
	                                        : "peer"));
	json_object_object_add(ev, "op", json_object_new_string(op));
	json_object_object_add(ev, "actor", json_object_new_string("sangkiend"));
	return (op_event(ctx, "auth.limited", ev));
}

/* The user's document and its password hash (NULL if none set). */
static int
load_user(struct op_ctx *ctx, const char *id, json_object **doc,
    const char **hash)
{
	int rv = store_doc_get(ctx->txn, ctx->st, DB_USERS, id, doc);
	if (rv != 0) {
		*doc = NULL;
		*hash = NULL;
		return (rv);
	}
	*hash = doc_get_str(*doc, "password_hash");
	return (0);
}

/*
 * Hands the hashing to the work: what it needs (the user under idkey, the
 * passwords, the stored hash if any) as ctx->result.  Returns SK_EDEFER.
 */
static int
defer_hashing(struct op_ctx *ctx, const char *idkey, const char *id,
    const char *pw, const char *old, const char *hash)
{
	json_object *arg = json_object_new_object();

	json_object_object_add(arg, idkey, json_object_new_string(id));
	json_object_object_add(arg, "password", json_object_new_string(pw));
	if (old != NULL) {
		json_object_object_add(arg, "old_password",
		    json_object_new_string(old));
	}
	if (hash != NULL) {
		json_object_object_add(arg, "hash", json_object_new_string(hash));
	}
	ctx->result = arg;
	return (SK_EDEFER);
}

/*
 * auth.login {user, password}: checked on the loop (the limit), the
 * password checked by the work, the session opened after it.
 */
int
op_auth_login(struct op_ctx *ctx)
{
	const char  *user = NULL, *pw = NULL, *hash = NULL;
	json_object *doc = NULL;
	int          rv;

	if ((rv = arg_str(ctx->args, "user", true, PROTO_MAX_ID, &user,
	         ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "password", true, PW_MAX_BYTES, &pw,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (strlen(pw) > PW_MAX_BYTES) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"password\" is over %d bytes", PW_MAX_BYTES));
	}
	if ((rv = check_limit(ctx, user)) != 0) {
		return (rv);
	}
	rv = load_user(ctx, user, &doc, &hash);
	if (rv != 0 && rv != SK_ENOTFOUND) {
		return (proto_fail(ctx->err, rv, "cannot read user %s", user));
	}
	rv = defer_hashing(ctx, "user", user, pw, NULL, hash);
	json_object_put(doc);
	return (rv);
}

static int
login_after(struct op_ctx *ctx, struct op_work *w)
{
	const char  *user = doc_get_str(w->arg, "user");
	const char  *was  = doc_get_str(w->arg, "hash"), *hash = NULL;
	json_object *doc  = NULL, *ok;
	char         token[AUTH_TOKEN_LEN + 1], uk[128];
	int64_t      expires;
	int          rv;

	rv = load_user(ctx, user, &doc, &hash);
	if (rv != 0 && rv != SK_ENOTFOUND) {
		return (proto_fail(&w->err, rv, "cannot read user %s", user));
	}
	/* Right only if the hash checked is still the user's. */
	if (json_object_object_get_ex(w->arg, "verified", &ok) &&
	    json_object_get_boolean(ok) && hash != NULL && was != NULL &&
	    strcmp(hash, was) == 0) {
		if ((rv = session_open(ctx->env->sessions, user, hash, ctx->now,
		         token, &expires)) != 0) {
			json_object_put(doc);
			return (proto_fail(&w->err, rv,
			    "too many sessions are open; try again later"));
		}
		json_object_put(doc);
		user_key(uk, sizeof(uk), user);
		pw_limiter_clear(ctx->env->limiter, uk);
		log_info("auth.login: %s from %s", user, ctx->peer);
		w->result = json_object_new_object();
		json_object_object_add(w->result, "token",
		    json_object_new_string(token));
		json_object_object_add(w->result, "expires_at",
		    json_time(expires));
		json_object_object_add(w->result, "user",
		    json_object_new_string(user));
		sodium_memzero(token, sizeof(token));
		return (0);
	}
	json_object_put(doc);
	if ((rv = record_failure(ctx, user, "auth.login")) != 0) {
		return (rv);
	}
	w->delay_ms = LOGIN_FAIL_DELAY_MS;
	/* One message for an unknown user, no password yet, or a wrong
	 * one: the reply does not tell who exists. */
	proto_fail(&w->err, SK_EUNAUTH, "wrong user name or password");
	return (0);
}

int
op_auth_login_work(struct op_work *w)
{
	const char *hash = doc_get_str(w->arg, "hash");
	const char *pw   = doc_get_str(w->arg, "password");

	json_object_object_add(w->arg, "verified",
	    json_object_new_boolean(pw_verify(hash, pw)));
	json_object_object_del(w->arg, "password");
	w->after = login_after;
	return (0);
}

int
op_auth_logout(struct op_ctx *ctx)
{
	if (!ctx->who->session) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "auth.logout ends a session of auth.login; this token is "
		    "not one (user.token makes a new token, which replaces "
		    "it)"));
	}
	session_close(ctx->env->sessions, ctx->who->session_hash);
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "user",
	    json_object_new_string(ctx->who->id));
	return (0);
}

/*
 * user.password {id, password, old_password?}: an admin sets anyone's
 * without the old one; anyone else changes only their own, with it.
 */
int
op_user_password(struct op_ctx *ctx)
{
	const char  *id = NULL, *pw = NULL, *old = NULL, *hash = NULL;
	json_object *doc = NULL;
	bool         admin = (ctx->who->roles & ROLE_ADMIN) != 0;
	int          rv;

	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "password", true, 4 * PW_MAX_BYTES, &pw,
	         ctx->err)) != 0 ||
	    (rv = pw_check(pw, "password", ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "old_password", false, PW_MAX_BYTES, &old,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (!admin && strcmp(id, ctx->who->id) != 0) {
		return (proto_fail(ctx->err, SK_EFORBIDDEN,
		    "only an admin sets another user's password; you may "
		    "change your own (\"id\": \"%s\")",
		    ctx->who->id));
	}
	if (!admin && old == NULL) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"old_password\" is required to change your own password"));
	}
	if (old != NULL && (rv = check_limit(ctx, id)) != 0) {
		return (rv);
	}
	rv = load_user(ctx, id, &doc, &hash);
	if (rv == SK_ENOTFOUND) {
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no user \"%s\"", id));
	}
	if (rv != 0) {
		return (proto_fail(ctx->err, rv, "cannot read user %s", id));
	}
	if (old != NULL && hash == NULL) {
		json_object_put(doc);
		return (proto_fail(ctx->err, SK_EUNAUTH,
		    "user %s has no password yet; an admin sets the first", id));
	}
	rv = defer_hashing(ctx, "id", id, pw, old, hash);
	json_object_put(doc);
	return (rv);
}

static int
password_after(struct op_ctx *ctx, struct op_work *w)
{
	const char  *id   = doc_get_str(w->arg, "id");
	const char  *was  = doc_get_str(w->arg, "hash"), *hash = NULL;
	const char  *new  = doc_get_str(w->arg, "new_hash");
	json_object *doc  = NULL, *ok, *ev;
	bool         own  = strcmp(id, ctx->who->id) == 0;
	int          rv;

	if (json_object_object_get_ex(w->arg, "verified", &ok) &&
	    !json_object_get_boolean(ok)) {
		if ((rv = record_failure(ctx, id, "user.password")) != 0) {
			return (rv);
		}
		w->delay_ms = LOGIN_FAIL_DELAY_MS;
		proto_fail(&w->err, SK_EUNAUTH, "\"old_password\" is wrong");
		return (0);
	}
	if (new == NULL) {
		return (proto_fail(&w->err, SK_EINTERNAL,
		    "cannot hash the password"));
	}
	if ((rv = load_user(ctx, id, &doc, &hash)) != 0) {
		return (proto_fail(&w->err, rv, "cannot read user %s", id));
	}
	if ((was == NULL) != (hash == NULL) ||
	    (was != NULL && strcmp(was, hash) != 0)) {
		json_object_put(doc);
		return (proto_fail(&w->err, SK_ECONFLICT,
		    "the password of %s changed meanwhile; nothing was changed, "
		    "try again",
		    id));
	}
	json_object_object_add(doc, "password_hash",
	    json_object_new_string(new));
	json_object_object_add(doc, "updated_at", json_time(ctx->now));
	rv = store_doc_put(ctx->txn, ctx->st, DB_USERS, id, doc);
	json_object_put(doc);
	if (rv != 0) {
		return (proto_fail(&w->err, rv, "cannot store user %s", id));
	}
	ev = json_object_new_object();
	json_object_object_add(ev, "user", json_object_new_string(id));
	json_object_object_add(ev, "password",
	    json_object_new_string(own ? "changed" : "set"));
	if ((rv = op_event(ctx, "user.changed", ev)) != 0) {
		return (rv);
	}
	/* The user's other sessions end (their stamp no longer matches);
	 * the one that changed its own password goes on. */
	if (own && ctx->who->session) {
		session_restamp(ctx->env->sessions, ctx->who->session_hash, new);
	}
	log_info("user.password: %s's password %s by %s", id,
	    own ? "changed" : "set", ctx->who->id);
	w->result = json_object_new_object();
	json_object_object_add(w->result, "id", json_object_new_string(id));
	return (0);
}

int
op_user_password_work(struct op_work *w)
{
	const char *old  = doc_get_str(w->arg, "old_password");
	const char *hash = doc_get_str(w->arg, "hash");
	char        out[PW_HASH_MAX];

	w->after = password_after;
	if (old != NULL) {
		bool ok = pw_verify(hash, old);
		json_object_object_add(w->arg, "verified",
		    json_object_new_boolean(ok));
		json_object_object_del(w->arg, "old_password");
		if (!ok) {
			json_object_object_del(w->arg, "password");
			return (0);
		}
	}
	if (pw_hash(doc_get_str(w->arg, "password"), out) == 0) {
		json_object_object_add(w->arg, "new_hash",
		    json_object_new_string(out));
	}
	json_object_object_del(w->arg, "password");
	return (0);
}
