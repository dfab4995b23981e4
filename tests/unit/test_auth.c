/*
 * test_auth.c: unit tests of tokens and principals (core/model/auth.c).
 *
 * What a user notices: the token user.token shows them has one fixed shape,
 * is never repeated, and is stored only as its hash; a request is answered
 * as the token's user (with that user's unit and roles), as local-admin
 * only for a local peer that sends no token at all, and refused with
 * unauthorized otherwise.  A change of the user's roles or unit, or a new
 * token, through the real user.put and user.token, is seen by the very next
 * request; a database written before tokens held the principal still
 * works; server.verify finds a token that disagrees with its user.  Stores
 * live in temporary directories.
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

#include "core/model/auth.h"
#include "core/util/err.h"
#include "core/ops/ops.h"
#include "core/store/store.h"
#include "tests/unit/store_fixture.h"

/* Longest token record (auth.c): format, roles, two "str" of an id. */
#define TOKEN_REC_TEST_MAX (2 + 2 * (1 + PROTO_MAX_ID))

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

/* Stores a user and a token for them as older servers did: the tokens
 * value is the bare user id. */
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

/*
 * Runs op (a handler of core/ops/admin.c) as local-admin with args (JSON text)
 * in txn, as the server does; returns its code, *result its result.
 */
static int
run_op(struct store *st, MDB_txn *txn, op_fn op, const char *args,
    json_object **result)
{
	static const struct op_env env = { .review_days = 30 };
	struct principal admin = { .id = "local-admin", .roles = ROLE_ADMIN,
		.local_admin = true };
	struct proto_err e = { 0 };
	struct op_ctx    ctx = {
		   .env  = &env,
		   .st   = st,
		   .txn  = txn,
		   .who  = &admin,
		   .args = json_tokener_parse(args),
		   .now  = 1767225600,
		   .err  = &e,
		   .on_council = -1,
	};
	int rv;

	assert_non_null(ctx.args);
	ctx.events_tail = &ctx.events;
	rv = op(&ctx);
	json_object_put(ctx.args);
	op_events_free(ctx.events);
	proto_err_clear(&e);
	if (result != NULL) {
		*result = ctx.result;
	} else {
		json_object_put(ctx.result);
	}
	return (rv);
}

/* run_op in a transaction of its own, committed. */
static int
run_op_commit(struct store *st, op_fn op, const char *args,
    json_object **result)
{
	MDB_txn *txn;
	int      rv;
	assert_int_equal(store_write_begin(st, NULL, &txn), 0);
	if ((rv = run_op(st, txn, op, args, result)) != 0) {
		mdb_txn_abort(txn);
		return (rv);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
	return (0);
}

/* user.token for id; the token goes to t. */
static void
new_token(struct store *st, MDB_txn *txn, const char *id,
    char t[AUTH_TOKEN_LEN + 1])
{
	char         args[128];
	json_object *r, *tok;
	snprintf(args, sizeof(args), "{\"id\":\"%s\"}", id);
	if (txn != NULL) {
		assert_int_equal(run_op(st, txn, op_user_token, args, &r), 0);
	} else {
		assert_int_equal(run_op_commit(st, op_user_token, args, &r), 0);
	}
	assert_true(json_object_object_get_ex(r, "token", &tok));
	assert_int_equal(json_object_get_string_len(tok), AUTH_TOKEN_LEN);
	memcpy(t, json_object_get_string(tok), AUTH_TOKEN_LEN + 1);
	json_object_put(r);
}

/* The stored tokens value of token t (borrowed until txn ends). */
static int
token_value(struct store *st, MDB_txn *txn, const char *t, MDB_val *v)
{
	unsigned char h[AUTH_HASH_LEN];
	auth_token_hash(t, h);
	return (store_get(txn, st, DB_TOKENS, h, sizeof(h), v));
}

static void
assert_principal(struct store *st, MDB_txn *txn, const char *t,
    const char *id, const char *unit, unsigned roles)
{
	struct principal p;
	struct proto_err e = { 0 };
	int              rv;

	memset(&p, 0x5a, sizeof(p));
	if (txn != NULL) {
		rv = auth_resolve(txn, st, t, false, &p, &e);
	} else {
		rv = resolve(st, t, false, &p, &e);
	}
	if (rv != 0) {
		fail_msg("%s: %s", t, e.msg);
	}
	assert_string_equal(p.id, id);
	assert_string_equal(p.unit, unit);
	assert_int_equal(p.roles, roles);
	assert_false(p.local_admin);
	proto_err_clear(&e);
}

static void
assert_refused(struct store *st, const char *t)
{
	struct principal p;
	struct proto_err e = { 0 };
	assert_int_equal(resolve(st, t, false, &p, &e), SK_EUNAUTH);
	assert_int_equal(p.roles, 0);
	assert_string_equal(p.id, "");
	proto_err_clear(&e);
}

/* server.verify's problems (owned by the caller), found as the server
 * finds them: the handler defers, the work reads a snapshot of its own. */
static json_object *
verify_problems(struct store *st)
{
	static const struct op_env env = { .review_days = 30 };
	MDB_txn        *txn;
	json_object    *arg, *problems;
	struct op_work  w = { .env = &env, .st = st };
	store_read_end(st);
	assert_int_equal(store_read_begin(st, &txn), 0);
	assert_int_equal(run_op(st, txn, op_server_verify, "{}", &arg),
	    SK_EDEFER);
	store_read_end(st);
	w.arg = arg;
	assert_int_equal(op_server_verify_work(&w), 0);
	assert_true(json_object_object_get_ex(w.result, "problems", &problems));
	json_object_get(problems);
	json_object_put(w.result);
	json_object_put(arg);
	proto_err_clear(&w.err);
	return (problems);
}

static void
assert_verify_ok(struct store *st)
{
	json_object *problems = verify_problems(st);
	if (json_object_array_length(problems) != 0) {
		fail_msg("server.verify: %s",
		    json_object_to_json_string(problems));
	}
	json_object_put(problems);
}

/* True if some problem of server.verify contains needle. */
static bool
verify_finds(struct store *st, const char *needle)
{
	json_object *problems = verify_problems(st);
	bool         hit      = false;
	for (size_t i = 0; i < json_object_array_length(problems); i++) {
		hit = hit || strstr(json_object_get_string(
		                        json_object_array_get_idx(problems, i)),
		                 needle) != NULL;
	}
	json_object_put(problems);
	return (hit);
}

static void
make_units(struct store *st)
{
	assert_int_equal(run_op_commit(st, op_unit_put,
	                     "{\"id\":\"thpt-viet-bac\",\"name\":\"THPT Việt "
	                     "Bắc\"}",
	                     NULL),
	    0);
	assert_int_equal(run_op_commit(st, op_unit_put,
	                     "{\"id\":\"so-gddt\",\"name\":\"Sở GD&ĐT\"}", NULL),
	    0);
}

static void
test_resolve_follows_user_put(void **state)
{
	struct fixture *f = *state;
	char            t[AUTH_TOKEN_LEN + 1];
	MDB_txn        *txn;
	MDB_val         v;

	make_units(f->st);
	assert_int_equal(run_op_commit(f->st, op_user_put,
	                     "{\"id\":\"lan\",\"name\":\"Nguyễn Thị Lan\","
	                     "\"unit\":\"thpt-viet-bac\",\"roles\":[\"author\"]}",
	                     NULL),
	    0);
	new_token(f->st, NULL, "lan", t);
	assert_principal(f->st, NULL, t, "lan", "thpt-viet-bac", ROLE_AUTHOR);

	/* The token holds the principal, not the bare user id. */
	store_read_end(f->st);
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_int_equal(token_value(f->st, txn, t, &v), 0);
	assert_true(v.mv_size > 0);
	assert_int_equal(*(unsigned char *) v.mv_data, 0x01);
	assert_false(v.mv_size == 3 && memcmp(v.mv_data, "lan", 3) == 0);
	store_read_end(f->st);

	/* Roles and unit change: the next request sees them ... */
	assert_int_equal(run_op_commit(f->st, op_user_put,
	                     "{\"id\":\"lan\",\"name\":\"Nguyễn Thị Lan\","
	                     "\"unit\":\"so-gddt\","
	                     "\"roles\":[\"viewer\",\"admin\"]}",
	                     NULL),
	    0);
	assert_principal(
	    f->st, NULL, t, "lan", "so-gddt", ROLE_VIEWER | ROLE_ADMIN);

	/* ... and so does a later op of the same transaction (a batch). */
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(run_op(f->st, txn, op_user_put,
	                     "{\"id\":\"lan\",\"name\":\"Nguyễn Thị Lan\","
	                     "\"unit\":\"thpt-viet-bac\",\"roles\":[]}",
	                     NULL),
	    0);
	assert_principal(f->st, txn, t, "lan", "thpt-viet-bac", 0);
	/* An aborted change leaves the token as it was. */
	mdb_txn_abort(txn);
	assert_principal(
	    f->st, NULL, t, "lan", "so-gddt", ROLE_VIEWER | ROLE_ADMIN);

	/* A failed user.put (unknown unit) changes nothing either. */
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(run_op(f->st, txn, op_user_put,
	                     "{\"id\":\"lan\",\"name\":\"Lan\","
	                     "\"unit\":\"nowhere\",\"roles\":[\"author\"]}",
	                     NULL),
	    SK_ENOTFOUND);
	assert_principal(
	    f->st, txn, t, "lan", "so-gddt", ROLE_VIEWER | ROLE_ADMIN);
	mdb_txn_abort(txn);
	assert_verify_ok(f->st);
}

static void
test_resolve_follows_user_token(void **state)
{
	struct fixture *f = *state;
	char            t1[AUTH_TOKEN_LEN + 1], t2[AUTH_TOKEN_LEN + 1];
	char            t3[AUTH_TOKEN_LEN + 1], tm[AUTH_TOKEN_LEN + 1];
	MDB_txn        *txn;

	make_units(f->st);
	assert_int_equal(run_op_commit(f->st, op_user_put,
	                     "{\"id\":\"minh\",\"name\":\"Lương Văn Minh\","
	                     "\"unit\":\"so-gddt\",\"roles\":[\"viewer\"]}",
	                     NULL),
	    0);
	assert_int_equal(run_op_commit(f->st, op_user_put,
	                     "{\"id\":\"lan\",\"name\":\"Nguyễn Thị Lan\","
	                     "\"unit\":\"thpt-viet-bac\",\"roles\":[\"author\"]}",
	                     NULL),
	    0);
	new_token(f->st, NULL, "minh", t1);
	new_token(f->st, NULL, "lan", tm);
	assert_principal(f->st, NULL, t1, "minh", "so-gddt", ROLE_VIEWER);

	/* A new token replaces the old one at once. */
	new_token(f->st, NULL, "minh", t2);
	assert_refused(f->st, t1);
	assert_principal(f->st, NULL, t2, "minh", "so-gddt", ROLE_VIEWER);

	/* A later user.put changes the current token, and does not bring
	 * the replaced one back. */
	assert_int_equal(run_op_commit(f->st, op_user_put,
	                     "{\"id\":\"minh\",\"name\":\"Lương Văn Minh\","
	                     "\"unit\":\"thpt-viet-bac\","
	                     "\"roles\":[\"author\",\"viewer\"]}",
	                     NULL),
	    0);
	assert_refused(f->st, t1);
	assert_principal(f->st, NULL, t2, "minh", "thpt-viet-bac",
	    ROLE_AUTHOR | ROLE_VIEWER);

	/* In one transaction: a change, then a new token, then a change. */
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(run_op(f->st, txn, op_user_put,
	                     "{\"id\":\"minh\",\"name\":\"Lương Văn Minh\","
	                     "\"unit\":\"so-gddt\",\"roles\":[\"admin\"]}",
	                     NULL),
	    0);
	new_token(f->st, txn, "minh", t3);
	assert_principal(f->st, txn, t3, "minh", "so-gddt", ROLE_ADMIN);
	assert_int_equal(run_op(f->st, txn, op_user_put,
	                     "{\"id\":\"minh\",\"name\":\"Lương Văn Minh\","
	                     "\"unit\":\"so-gddt\",\"roles\":[\"viewer\"]}",
	                     NULL),
	    0);
	assert_principal(f->st, txn, t3, "minh", "so-gddt", ROLE_VIEWER);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_refused(f->st, t2);
	assert_principal(f->st, NULL, t3, "minh", "so-gddt", ROLE_VIEWER);

	/* The other user's token is untouched throughout. */
	assert_principal(f->st, NULL, tm, "lan", "thpt-viet-bac", ROLE_AUTHOR);
	assert_verify_ok(f->st);

	/* A user deleted (no op does it yet; one would call
	 * auth_user_deleted) takes their token with them. */
	json_object *doc;
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(store_doc_get(txn, f->st, DB_USERS, "minh", &doc), 0);
	assert_int_equal(auth_user_deleted(txn, f->st, doc), 0);
	assert_int_equal(store_del(txn, f->st, DB_USERS, "minh", 4), 0);
	json_object_put(doc);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_refused(f->st, t3);
	assert_verify_ok(f->st);
}

static void
test_resolve_old_format(void **state)
{
	struct fixture *f = *state;
	char            t[AUTH_TOKEN_LEN + 1], tg[AUTH_TOKEN_LEN + 1];
	char            hex[AUTH_HASH_LEN * 2 + 1], doc[512];
	unsigned char   h[AUTH_HASH_LEN], hg[AUTH_HASH_LEN];
	MDB_txn        *txn;
	MDB_val         v;
	uint64_t        n;

	/* As an older server left them: a user with a token whose value is
	 * the user id, and a token whose user is gone. */
	make_units(f->st);
	auth_token_new(t, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(doc, sizeof(doc),
	    "{\"id\":\"lan\",\"name\":\"Lan\",\"unit\":\"thpt-viet-bac\","
	    "\"roles\":[\"author\",\"viewer\"],\"token_hash\":\"%s\"}",
	    hex);
	store_user(f->st, doc, "lan", h);
	auth_token_new(tg, hg);
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(
	    store_put(txn, f->st, DB_TOKENS, hg, sizeof(hg), "gone", 4), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);

	assert_principal(f->st, NULL, t, "lan", "thpt-viet-bac",
	    ROLE_AUTHOR | ROLE_VIEWER);
	assert_refused(f->st, tg);
	assert_true(verify_finds(f->st, "user gone, who does not exist"));

	/* user.put through the op rewrites the old value as a record. */
	assert_int_equal(run_op_commit(f->st, op_user_put,
	                     "{\"id\":\"lan\",\"name\":\"Lan\","
	                     "\"unit\":\"so-gddt\",\"roles\":[\"admin\"]}",
	                     NULL),
	    0);
	assert_principal(f->st, NULL, t, "lan", "so-gddt", ROLE_ADMIN);
	store_read_end(f->st);
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_int_equal(token_value(f->st, txn, t, &v), 0);
	assert_int_equal(*(unsigned char *) v.mv_data, 0x01);
	store_read_end(f->st);

	/* auth_tokens_upgrade rewrites the rest, once. */
	store_user(f->st, doc, "lan", h); /* back to the old value */
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(auth_tokens_upgrade(txn, f->st, &n), 0);
	assert_int_equal(n, 1); /* not the token of "gone" */
	assert_int_equal(token_value(f->st, txn, t, &v), 0);
	assert_int_equal(*(unsigned char *) v.mv_data, 0x01);
	assert_principal(f->st, txn, t, "lan", "thpt-viet-bac",
	    ROLE_AUTHOR | ROLE_VIEWER);
	assert_int_equal(auth_tokens_upgrade(txn, f->st, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_principal(f->st, NULL, t, "lan", "thpt-viet-bac",
	    ROLE_AUTHOR | ROLE_VIEWER);
	assert_refused(f->st, tg);
}

/* Many older values, enough that rewriting them splits pages under the
 * upgrade's cursor: each is rewritten once and still resolves. */
static void
test_tokens_upgrade_many(void **state)
{
	enum { N = 500 };
	struct fixture *f = *state;
	char(*t)[AUTH_TOKEN_LEN + 1] = calloc(N, sizeof(*t));
	unsigned char h[AUTH_HASH_LEN];
	char          id[32], doc[256], unit[32];
	MDB_txn      *txn;
	uint64_t      n;

	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "user-%03d", i);
		snprintf(unit, sizeof(unit), "unit-%d", i % 7);
		auth_token_new(t[i], h);
		snprintf(doc, sizeof(doc),
		    "{\"id\":\"%s\",\"unit\":\"%s\",\"roles\":[%s]}", id,
		    unit, i % 2 ? "\"author\"" : "\"viewer\",\"admin\"");
		store_user(f->st, doc, id, h);
	}
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(auth_tokens_upgrade(txn, f->st, &n), 0);
	assert_int_equal(n, N);
	assert_int_equal(auth_tokens_upgrade(txn, f->st, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "user-%03d", i);
		snprintf(unit, sizeof(unit), "unit-%d", i % 7);
		assert_principal(f->st, NULL, t[i], id, unit,
		    i % 2 ? ROLE_AUTHOR : ROLE_VIEWER | ROLE_ADMIN);
	}
	free(t);
}

static void
test_verify_tokens(void **state)
{
	struct fixture  *f = *state;
	char             t[AUTH_TOKEN_LEN + 1], t2[AUTH_TOKEN_LEN + 1];
	unsigned char    h[AUTH_HASH_LEN];
	MDB_txn         *txn;
	MDB_val          v;
	json_object     *doc;
	struct principal p;
	struct proto_err e = { 0 };
	unsigned char    rec[TOKEN_REC_TEST_MAX];
	size_t           len;

	make_units(f->st);
	assert_int_equal(run_op_commit(f->st, op_user_put,
	                     "{\"id\":\"lan\",\"name\":\"Lan\","
	                     "\"unit\":\"so-gddt\",\"roles\":[\"author\"]}",
	                     NULL),
	    0);
	new_token(f->st, NULL, "lan", t);
	assert_verify_ok(f->st);

	/* A record that disagrees with its user (written behind the ops'
	 * back) is found: roles, then unit. */
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(token_value(f->st, txn, t, &v), 0);
	len = v.mv_size;
	assert_true(len <= sizeof(rec));
	memcpy(rec, v.mv_data, len);
	rec[1] = ROLE_ADMIN;
	auth_token_hash(t, h);
	assert_int_equal(store_put(txn, f->st, DB_TOKENS, h, sizeof(h), rec,
	                     len),
	    0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_true(verify_finds(f->st,
	    "of user lan has roles [\"admin\"]; the user has [\"author\"]"));

	rec[1] = ROLE_AUTHOR;
	memcpy(rec + len - 7, "so-gdXX", 7); /* the unit is last */
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(store_put(txn, f->st, DB_TOKENS, h, sizeof(h), rec,
	                     len),
	    0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_true(verify_finds(f->st, "has unit \"so-gdXX\""));
	assert_false(verify_finds(f->st, "has roles"));

	/* A malformed record is refused, not half read. */
	rec[2] = 200;
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(store_put(txn, f->st, DB_TOKENS, h, sizeof(h), rec,
	                     len),
	    0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(resolve(f->st, t, false, &p, &e), SK_EINTERNAL);
	assert_int_equal(p.roles, 0);
	assert_string_equal(p.id, "");
	proto_err_clear(&e);
	assert_true(verify_finds(f->st, "malformed record"));

	/* A new token puts it right; the user losing their token entry, or
	 * a stale token staying, is found too. */
	new_token(f->st, NULL, "lan", t2);
	assert_verify_ok(f->st);
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(store_doc_get(txn, f->st, DB_USERS, "lan", &doc), 0);
	assert_int_equal(auth_user_deleted(txn, f->st, doc), 0);
	json_object_put(doc);
	assert_int_equal(store_put(txn, f->st, DB_TOKENS, h, sizeof(h), "lan",
	                     3),
	    0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_refused(f->st, t2);
	assert_true(verify_finds(f->st, "current token is not in tokens"));
	assert_true(verify_finds(f->st, "is not user lan's current token"));
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
		    test_resolve_follows_user_put, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolve_follows_user_token, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolve_old_format, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tokens_upgrade_many, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_verify_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_roles_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_roles_json, setup, teardown),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
