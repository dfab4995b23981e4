/*
 * test_password.c: the password rules, the argon2id hash, the limiter of
 * failed logins (core/password.c) and the sessions of auth.login
 * (core/session.c, against a real store), as a user meets them: which
 * passwords are refused and why, when a login is blocked and when it may
 * try again, and when a session stops working.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/err.h"
#include "core/model/password.h"
#include "core/model/session.h"
#include "store_fixture.h"

/* The message of pw_check's refusal, or "" when it accepts. */
static const char *
refusal(const char *pw)
{
	static struct proto_err e;
	proto_err_clear(&e);
	if (pw_check(pw, "password", &e) == 0) {
		return ("");
	}
	assert_int_equal(e.code, SK_EBADREQ);
	return (e.msg);
}

static void
test_rules(void **state)
{
	char long_pw[PW_MAX_BYTES + 2];
	(void) state;

	assert_string_equal(refusal("abcdefgh"), "");
	/* Eight characters, sixteen bytes: characters count, not bytes. */
	assert_string_equal(refusal("mậtkhẩuđ"), "");
	assert_non_null(strstr(refusal("mậtkhẩu"),
	    "has 7 characters; a password needs at least 8"));
	assert_non_null(strstr(refusal("abc\xff\xfe" "defgh"), "not valid UTF-8"));
	assert_non_null(strstr(refusal("abcd\tefgh"), "control character"));
	memset(long_pw, 'a', sizeof(long_pw) - 1);
	long_pw[sizeof(long_pw) - 1] = '\0';
	assert_non_null(strstr(refusal(long_pw), "at most 256 bytes"));
	long_pw[PW_MAX_BYTES] = '\0';
	assert_string_equal(refusal(long_pw), "");
}

static void
test_hash_verify(void **state)
{
	char hash[PW_HASH_MAX], again[PW_HASH_MAX];
	(void) state;

	assert_int_equal(pw_hash("mật khẩu dài", hash), 0);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_null(strstr(hash, "mật khẩu"));
	assert_true(pw_verify(hash, "mật khẩu dài"));
	assert_false(pw_verify(hash, "mat khau dai"));
	assert_false(pw_verify(hash, ""));
	/* Salted: the same password never gives the same hash. */
	assert_int_equal(pw_hash("mật khẩu dài", again), 0);
	assert_string_not_equal(hash, again);
	/* No stored hash: always refused. */
	assert_false(pw_verify(NULL, "mật khẩu dài"));
}

static void
test_limiter(void **state)
{
	struct pw_limiter *l = pw_limiter_new();
	(void) state;

	assert_non_null(l);
	for (int i = 0; i < PW_LIMIT_FAILS - 1; i++) {
		assert_false(pw_limiter_fail(l, "user lan", 1000 + i));
		assert_int_equal(pw_limiter_blocked(l, "user lan", 1000 + i), 0);
	}
	/* The fifth within a minute blocks, until the first is a minute
	 * old; only that failure reports the limit. */
	assert_true(pw_limiter_fail(l, "user lan", 1010));
	assert_int_equal(pw_limiter_blocked(l, "user lan", 1010), 1060);
	assert_int_equal(pw_limiter_blocked(l, "user lan", 1059), 1060);
	assert_false(pw_limiter_fail(l, "user lan", 1011));
	/* Other keys are not touched. */
	assert_int_equal(pw_limiter_blocked(l, "user minh", 1010), 0);
	assert_int_equal(pw_limiter_blocked(l, "peer 10.0.0.1", 1010), 0);
	/* The window slides: the sixth failure pushed out the first, and
	 * once the second is a minute old four remain: free again. */
	assert_int_equal(pw_limiter_blocked(l, "user lan", 1060), 1061);
	assert_int_equal(pw_limiter_blocked(l, "user lan", 1061), 0);
	/* A success forgets the failures. */
	pw_limiter_clear(l, "user lan");
	assert_false(pw_limiter_fail(l, "user lan", 1072));
	assert_int_equal(pw_limiter_blocked(l, "user lan", 1072), 0);
	/* Failures spread over more than a minute never block. */
	for (int i = 0; i < 20; i++) {
		assert_false(pw_limiter_fail(l, "peer 10.0.0.2", 2000 + 16 * i));
	}
	/* Many keys (an attack from many addresses) all stay counted. */
	for (int i = 0; i < 5000; i++) {
		char key[32];
		snprintf(key, sizeof(key), "peer 10.1.%d.%d", i / 256, i % 256);
		for (int j = 0; j < PW_LIMIT_FAILS; j++) {
			pw_limiter_fail(l, key, 3000);
		}
	}
	assert_int_equal(pw_limiter_blocked(l, "peer 10.1.0.7", 3001), 3060);
	assert_int_equal(pw_limiter_blocked(l, "peer 10.1.19.135", 3001), 3060);
	pw_limiter_free(l);
}

/* A user document with a password hash, in a committed transaction. */
static void
put_user(struct store *st, const char *id, const char *roles,
    const char *pw_hash)
{
	MDB_txn     *txn;
	json_object *doc = json_object_new_object();
	json_object *r   = json_object_new_array();

	json_object_array_add(r, json_object_new_string(roles));
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_add(doc, "unit", json_object_new_string("u1"));
	json_object_object_add(doc, "roles", r);
	json_object_object_add(doc, "password_hash",
	    json_object_new_string(pw_hash));
	assert_int_equal(store_write_begin(st, NULL, &txn), 0);
	assert_int_equal(store_doc_put(txn, st, DB_USERS, id, doc), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	json_object_put(doc);
}

/* session_resolve in a read snapshot: 0, or the refusal's message. */
static int
resolve(struct store *st, struct sessions *ss, const char *token,
    int64_t now, struct principal *p, char *msg, size_t len)
{
	MDB_txn         *txn;
	struct proto_err e = { 0 };
	int              rv;

	assert_int_equal(store_read_begin(st, &txn), 0);
	rv = session_resolve(ss, txn, st, token, now, p, &e);
	store_read_end(st);
	snprintf(msg, len, "%s", e.msg);
	proto_err_clear(&e);
	return (rv);
}

static void
test_sessions(void **state)
{
	char             dir[128], msg[512];
	char             t1[AUTH_TOKEN_LEN + 1], t2[AUTH_TOKEN_LEN + 1];
	struct store    *st;
	struct sessions *ss = sessions_new(30 * 60, 12 * 3600);
	struct principal p;
	int64_t          exp;
	(void) state;

	assert_int_equal(fixture_store_open(dir, sizeof(dir), "session", &st),
	    0);
	put_user(st, "lan", "admin", "$argon2id$first");
	assert_int_equal(session_open(ss, "lan", "$argon2id$first", 1000, t1,
	                     &exp),
	    0);
	assert_int_equal(exp, 1000 + 30 * 60);
	assert_true(session_token_is(t1));
	assert_int_equal(strlen(t1), AUTH_TOKEN_LEN);
	assert_int_equal(session_open(ss, "lan", "$argon2id$first", 1000, t2,
	                     &exp),
	    0);
	assert_string_not_equal(t1, t2);

	/* The principal comes from the user's document. */
	assert_int_equal(resolve(st, ss, t1, 1100, &p, msg, sizeof(msg)), 0);
	assert_string_equal(p.id, "lan");
	assert_string_equal(p.unit, "u1");
	assert_int_equal(p.roles, ROLE_ADMIN);
	assert_true(p.session);
	/* Each use starts the idle time again. */
	assert_int_equal(session_expires(ss, p.session_hash), 1100 + 30 * 60);
	assert_int_equal(resolve(st, ss, t1, 1100 + 29 * 60, &p, msg,
	                     sizeof(msg)),
	    0);
	/* Unused for 30 minutes: ended, and stays ended. */
	assert_int_equal(resolve(st, ss, t2, 1000 + 30 * 60, &p, msg,
	                     sizeof(msg)),
	    SK_EUNAUTH);
	assert_non_null(strstr(msg, "expired after 30 min without use"));
	assert_int_equal(resolve(st, ss, t2, 1000, &p, msg, sizeof(msg)),
	    SK_EUNAUTH);
	assert_non_null(strstr(msg, "unknown or has ended"));

	/* A role change applies to the next request. */
	put_user(st, "lan", "author", "$argon2id$first");
	assert_int_equal(resolve(st, ss, t1, 3000, &p, msg, sizeof(msg)), 0);
	assert_int_equal(p.roles, ROLE_AUTHOR);

	/* A new password ends sessions, but the one restamped goes on. */
	assert_int_equal(session_open(ss, "lan", "$argon2id$first", 3000, t2,
	                     &exp),
	    0);
	put_user(st, "lan", "author", "$argon2id$second");
	session_restamp(ss, p.session_hash, "$argon2id$second");
	assert_int_equal(resolve(st, ss, t1, 3001, &p, msg, sizeof(msg)), 0);
	assert_int_equal(resolve(st, ss, t2, 3001, &p, msg, sizeof(msg)),
	    SK_EUNAUTH);
	assert_non_null(strstr(msg, "password was changed"));

	/* Logout. */
	assert_int_equal(resolve(st, ss, t1, 3002, &p, msg, sizeof(msg)), 0);
	assert_true(session_close(ss, p.session_hash));
	assert_false(session_close(ss, p.session_hash));
	assert_int_equal(resolve(st, ss, t1, 3003, &p, msg, sizeof(msg)),
	    SK_EUNAUTH);
	/* A token of user.token is not a session's. */
	assert_false(session_token_is("sk_abc"));

	sessions_free(ss);
	store_close(st);
	fixture_rm_rf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_limiter),
		cmocka_unit_test(test_sessions),
	};
	if (sodium_init() < 0) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
