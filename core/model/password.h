/*
 * password.h: users' passwords and the limit on failed logins (issue 15).
 *
 * A password is stored only as libsodium's crypto_pwhash_str string
 * (argon2id, "interactive" limits: about 100 ms and 64 MiB per hash or
 * check), on the user's document under "password_hash", which no reply
 * shows.  pw_hash and pw_verify are that cost: call them on a worker
 * thread, never on the loop (core/ops_auth.c runs them as deferred work,
 * a bounded number at once).
 *
 * The limiter counts failed logins per key (ops_auth.c uses one key per
 * user and one per peer address): PW_LIMIT_FAILS failures within
 * PW_LIMIT_WINDOW_S seconds block the key until the oldest of them is
 * that old.  It lives in memory, on the loop thread: a restart forgets it.
 */
#ifndef SK_PASSWORD_H
#define SK_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "ipc/proto.h"

#define PW_MIN_CHARS 8
#define PW_MAX_BYTES 256
#define PW_HASH_MAX crypto_pwhash_STRBYTES /* with its NUL */

#define PW_LIMIT_FAILS 5
#define PW_LIMIT_WINDOW_S 60

/*
 * Checks the rules of a new password (at least PW_MIN_CHARS characters,
 * valid UTF-8 without control characters, at most PW_MAX_BYTES bytes);
 * on failure fills e (bad_request) naming field and what is wrong.
 */
int pw_check(const char *pw, const char *field, struct proto_err *e);

/* The stored form of pw, into out.  Slow: not on the loop.  0 or -1. */
int pw_hash(const char *pw, char out[PW_HASH_MAX]);

/*
 * Whether pw matches the stored hash.  Slow: not on the loop.  With hash
 * NULL (no such user, or no password yet) it spends the same time and
 * says false, so that the answer's delay does not tell who exists.
 */
bool pw_verify(const char *hash, const char *pw);

struct pw_limiter;

struct pw_limiter *pw_limiter_new(void);
void               pw_limiter_free(struct pw_limiter *l);

/* 0 if key may try now, else the unix time from which it may. */
int64_t pw_limiter_blocked(struct pw_limiter *l, const char *key,
    int64_t now);

/*
 * Records a failure of key at now.  Returns true when this failure is the
 * one that reaches the limit (the key is blocked from now on).
 */
bool pw_limiter_fail(struct pw_limiter *l, const char *key, int64_t now);

/* Forgets key's failures (after a successful login). */
void pw_limiter_clear(struct pw_limiter *l, const char *key);

#endif
