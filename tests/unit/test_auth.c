/*
 * test_auth.c: unit tests of tokens and principals (core/auth.c).
 *
 * What a user notices: the token user.token shows them has one fixed shape,
 * is never repeated, and is stored only as its hash; a request is answered
 * as the token's user (with that user's unit and roles), as local-admin
 * only for a local peer that sends no token at all, and refused with
 * unauthorized otherwise.  Stores live in temporary directories.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/auth.h"
#include "core/err.h"
#include "core/store.h"
#include "tests/unit/store_fixture.h"

struct fixture {
	char          dir[64];
	struct store *st;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (auth_init() != 0 ||
	    fixture_store_open(f->dir, sizeof(f->dir), "auth", &f->st) != 0) {
		return (-1);
	}
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	fixture_rm_rf(f->dir);
	free(f);
	return (0);
}

static void
assert_token_shape(const char *t)
{
	assert_int_equal(strlen(t), AUTH_TOKEN_LEN);
	assert_int_equal(strlen(t), 3 + 43);
	assert_memory_equal(t, "sk_", 3);
	for (size_t i = 3; i < 3 + 43; i++) {
		char c = t[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		        || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			fail_msg("token %s has '%c' at %zu", t, c, i);
		}
	}
}

static int
cmp_token(const void *a, const void *b)
{
	return (strcmp(a, b));
}

static void
test_token_shape(void **state)
{
	enum { N = 1000 };
	char(*tokens)[AUTH_TOKEN_LEN + 1] = calloc(N, sizeof(*tokens));
	unsigned char h[AUTH_HASH_LEN], again[AUTH_HASH_LEN];
	unsigned char indep[AUTH_HASH_LEN];

	for (int i = 0; i < N; i++) {
		memset(tokens[i], 'X', sizeof(tokens[i]));
		auth_token_new(tokens[i], h);
		assert_token_shape(tokens[i]);
		/* The hash given back is the token's stored form. */
		auth_token_hash(tokens[i], again);
		assert_memory_equal(h, again, AUTH_HASH_LEN);
		/* BLAKE2b-256 of the token as the client sends it. */
		crypto_generichash(indep, sizeof(indep),
		    (const unsigned char *) tokens[i], strlen(tokens[i]), NULL,
		    0);
		assert_memory_equal(h, indep, AUTH_HASH_LEN);
	}
	qsort(tokens, N, sizeof(tokens[0]), cmp_token);
	for (int i = 1; i < N; i++) {
		if (strcmp(tokens[i - 1], tokens[i]) == 0) {
			fail_msg("token %s made twice", tokens[i]);
		}
	}
	free(tokens);
}

static void
test_token_hash(void **state)
{
	char          t1[AUTH_TOKEN_LEN + 1], t2[AUTH_TOKEN_LEN + 1];
	unsigned char h1[AUTH_HASH_LEN], h2[AUTH_HASH_LEN];
	unsigned char a[AUTH_HASH_LEN], b[AUTH_HASH_LEN];

	auth_token_new(t1, h1);
	auth_token_new(t2, h2);
	assert_string_not_equal(t1, t2);
	assert_memory_not_equal(h1, h2, AUTH_HASH_LEN);

	/* Deterministic, and one changed character changes it. */
	auth_token_hash("sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", a);
	auth_token_hash("sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", b);
	assert_memory_equal(a, b, AUTH_HASH_LEN);
	auth_token_hash("sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", b);
	assert_memory_not_equal(a, b, AUTH_HASH_LEN);
}

/* Stores a user and a token for them, as user.put and user.token do. */
static void
store_user(struct store *st, const char *doc_text, const char *id,
    const unsigned char hash[AUTH_HASH_LEN])
{
	MDB_txn     *txn;
	json_object *doc = json_tokener_parse(doc_text);

	assert_non_null(doc);
	assert_int_equal(store_write_begin(st, NULL, &txn), 0);
	assert_int_equal(store_doc_put(txn, st, DB_USERS, id, doc), 0);
	if (hash != NULL) {
		assert_int_equal(store_put(txn, st, DB_TOKENS, hash,
		                     AUTH_HASH_LEN, id, strlen(id)),
		    0);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
	json_object_put(doc);
}

static int
resolve(struct store *st, const char *token, bool local, struct principal *p,
    struct proto_err *e)
{
	MDB_txn *txn;
	int      rv;
	store_read_end(st);
	assert_int_equal(store_read_begin(st, &txn), 0);
	rv = auth_resolve(txn, st, token, local, p, e);
	store_read_end(st);
	return (rv);
}

static void
test_resolve_local_admin(void **state)
{
	struct fixture  *f = *state;
	struct principal p;
	struct proto_err e = { 0 };

	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(resolve(f->st, NULL, true, &p, &e), 0);
	assert_string_equal(p.id, "local-admin");
	assert_string_equal(p.unit, "");
	assert_int_equal(p.roles, ROLE_ADMIN);
	assert_true(p.local_admin);
	assert_int_equal(e.code, 0);

	/* Not local (tcp://, another uid): a token is needed. */
	assert_int_equal(resolve(f->st, NULL, false, &p, &e), SK_EUNAUTH);
	assert_int_equal(e.code, SK_EUNAUTH);
	assert_non_null(strstr(e.msg, "token"));
	assert_false(p.local_admin);
	assert_int_equal(p.roles, 0);
	proto_err_clear(&e);
}

static void
test_resolve_unknown_token(void **state)
{
	struct fixture  *f = *state;
	struct principal p;
	struct proto_err e = { 0 };
	char             t[AUTH_TOKEN_LEN + 1];
	unsigned char    h[AUTH_HASH_LEN];

	auth_token_new(t, h);
	/* A token, even over the local socket, is checked: never admin. */
	const char *const tokens[] = { t, "", "sk_", "local-admin" };
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		for (int local = 0; local < 2; local++) {
			assert_int_equal(
			    resolve(f->st, tokens[i], local, &p, &e),
			    SK_EUNAUTH);
			assert_int_equal(e.code, SK_EUNAUTH);
			assert_false(p.local_admin);
			assert_int_equal(p.roles, 0);
			proto_err_clear(&e);
		}
	}
}

static void
test_resolve_user(void **state)
{
	struct fixture  *f = *state;
	struct principal p;
	struct proto_err e = { 0 };
	char             t[AUTH_TOKEN_LEN + 1], t2[AUTH_TOKEN_LEN + 1];
	unsigned char    h[AUTH_HASH_LEN], h2[AUTH_HASH_LEN];

	auth_token_new(t, h);
	auth_token_new(t2, h2);
	store_user(f->st,
	    "{\"id\":\"lan\",\"name\":\"Nguyễn Thị Lan\","
	    "\"unit\":\"thpt-viet-bac\",\"roles\":[\"author\",\"viewer\"]}",
	    "lan", h);
	store_user(f->st,
	    "{\"id\":\"so-khcn\",\"name\":\"Sở KH&CN\",\"unit\":\"so-khcn\","
	    "\"roles\":[\"admin\"]}",
	    "so-khcn", h2);

	for (int local = 0; local < 2; local++) {
		assert_int_equal(resolve(f->st, t, local, &p, &e), 0);
		assert_string_equal(p.id, "lan");
		assert_string_equal(p.unit, "thpt-viet-bac");
		assert_int_equal(p.roles, ROLE_AUTHOR | ROLE_VIEWER);
		/* A local peer with a token is that token's user. */
		assert_false(p.local_admin);
	}
	assert_int_equal(resolve(f->st, t2, false, &p, &e), 0);
	assert_string_equal(p.id, "so-khcn");
	assert_string_equal(p.unit, "so-khcn");
	assert_int_equal(p.roles, ROLE_ADMIN);
	assert_false(p.local_admin);
	assert_int_equal(e.code, 0);

	/* The token's hash, not the token, is the key: the hash as a token
	 * does not work. */
	char hex[AUTH_HASH_LEN * 2 + 1];
	sodium_bin2hex(hex, sizeof(hex), h, AUTH_HASH_LEN);
	assert_int_equal(resolve(f->st, hex, false, &p, &e), SK_EUNAUTH);
	proto_err_clear(&e);
}

static void
test_resolve_user_gone(void **state)
{
	struct fixture  *f = *state;
	struct principal p;
	struct proto_err e = { 0 };
	char             t[AUTH_TOKEN_LEN + 1];
	unsigned char    h[AUTH_HASH_LEN];
	MDB_txn         *txn;

	auth_token_new(t, h);
	store_user(
	    f->st, "{\"id\":\"minh\",\"unit\":\"u\",\"roles\":[]}", "minh", h);
	assert_int_equal(resolve(f->st, t, false, &p, &e), 0);
	assert_string_equal(p.id, "minh");
	assert_int_equal(p.roles, 0);

	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(store_del(txn, f->st, DB_USERS, "minh", 4), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_int_equal(resolve(f->st, t, false, &p, &e), SK_EUNAUTH);
	assert_non_null(strstr(e.msg, "minh"));
	proto_err_clear(&e);
}

static void
test_roles_parse(void **state)
{
	struct proto_err e = { 0 };
	unsigned         roles;
	json_object     *arr;

	const struct {
		const char *json;
		int         rv;
		unsigned    roles;
		const char *needle;
	} cases[] = {
		{ "[]", 0, 0, NULL },
		{ "[\"author\"]", 0, ROLE_AUTHOR, NULL },
		{ "[\"author\",\"admin\",\"viewer\"]", 0,
		    ROLE_AUTHOR | ROLE_ADMIN | ROLE_VIEWER, NULL },
		{ "[\"viewer\",\"viewer\"]", 0, ROLE_VIEWER, NULL },
		{ "[\"superuser\"]", SK_EBADREQ, 0, "\"roles\"[0]" },
		{ "[\"author\",\"superuser\"]", SK_EBADREQ, 0,
		    "\"roles\"[1]" },
		{ "[\"author\",\"admin\",\"Admin\"]", SK_EBADREQ, 0,
		    "\"roles\"[2]" },
		{ "[\"chair\"]", SK_EBADREQ, 0, "\"roles\"[0]" },
		{ "[\"author\",1]", SK_EBADREQ, 0, "\"roles\"[1]" },
		{ "[null]", SK_EBADREQ, 0, "\"roles\"[0]" },
		{ "[\"\"]", SK_EBADREQ, 0, "\"roles\"[0]" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		arr    = json_tokener_parse(cases[i].json);
		int rv = auth_roles_parse(arr, &roles, &e);
		if (rv != cases[i].rv) {
			fail_msg("%s: got %s", cases[i].json, sk_err_code(rv));
		}
		if (rv == 0) {
			assert_int_equal(roles, cases[i].roles);
		} else {
			if (strstr(e.msg, cases[i].needle) == NULL) {
				fail_msg("%s: \"%s\" does not name %s",
				    cases[i].json, e.msg, cases[i].needle);
			}
			/* ... and says what would be right. */
			assert_non_null(
			    strstr(e.msg, "author, admin, viewer"));
		}
		proto_err_clear(&e);
		json_object_put(arr);
	}
}

static void
test_roles_json(void **state)
{
	struct proto_err e = { 0 };
	for (unsigned roles = 0; roles < 8; roles++) {
		json_object *arr = auth_roles_json(roles);
		unsigned     back;
		assert_int_equal(
		    json_object_array_length(arr), __builtin_popcount(roles));
		assert_int_equal(auth_roles_parse(arr, &back, &e), 0);
		assert_int_equal(back, roles);

		json_object *user = json_object_new_object();
		json_object_object_add(user, "roles", arr);
		assert_int_equal(auth_roles_of(user), roles);
		json_object_put(user);
	}
	json_object *arr = auth_roles_json(ROLE_ADMIN | ROLE_VIEWER);
	assert_string_equal(
	    json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN),
	    "[\"admin\",\"viewer\"]");
	json_object_put(arr);

	/* A user without roles, or with a stray one, has only what is known.
	 */
	json_object *user = json_tokener_parse("{\"id\":\"x\"}");
	assert_int_equal(auth_roles_of(user), 0);
	json_object_put(user);
	user = json_tokener_parse("{\"roles\":[\"superuser\",\"viewer\"]}");
	assert_int_equal(auth_roles_of(user), ROLE_VIEWER);
	json_object_put(user);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_token_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_token_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolve_local_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolve_unknown_token, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolve_user, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolve_user_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_roles_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_roles_json, setup, teardown),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
