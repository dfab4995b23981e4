/*
 * auth.h: principals and their tokens (ARCHITECTURE.md, "Principals").
 *
 * A token is 256 random bits from libsodium, written "sk_" + URL-safe
 * base64.  It is shown once, by user.token; only its BLAKE2b hash is stored
 * (tokens db), so a stolen database yields no usable token.  Over ipc://, a
 * peer with the server's own uid and no token is the built-in local-admin.
 *
 * Every request with a token is resolved, so the tokens db holds, under the
 * token's hash, what the principal is made of (its user id, roles and unit)
 * in a small binary record: auth_resolve reads one value and parses no
 * JSON.  That record is a copy of the user document and changes with it in
 * the same transaction: whatever writes a user document calls
 * auth_user_changed afterwards, and whatever deletes one calls
 * auth_user_deleted; user.token writes a new token with auth_token_put.
 * Values written before the record existed (the bare user id) still resolve,
 * through the user document; auth_tokens_upgrade rewrites them.
 */
#ifndef SK_AUTH_H
#define SK_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store/store.h"
#include "ipc/proto.h"

#define AUTH_HASH_LEN 32
#define AUTH_TOKEN_LEN 46 /* "sk_" + 43 base64 characters */

enum auth_role {
	ROLE_AUTHOR = 1u << 0,
	ROLE_ADMIN  = 1u << 1,
	ROLE_VIEWER = 1u << 2,
	ROLE_HEAD   = 1u << 3, /* leads their unit: signs its recognitions */
};

struct principal {
	char     id[PROTO_MAX_ID + 1]; /* "local-admin" for the local peer */
	char     unit[PROTO_MAX_ID + 1]; /* "" if none */
	unsigned roles;
	bool     local_admin;
	bool     session; /* a session of auth.login (core/session.h) */
	unsigned char session_hash[AUTH_HASH_LEN]; /* its token's hash */
};

/* Must be called once before tokens are made (sodium_init). */
int auth_init(void);

/* A fresh token (NUL-terminated, AUTH_TOKEN_LEN chars) and its hash. */
void auth_token_new(char token[AUTH_TOKEN_LEN + 1],
    unsigned char hash[AUTH_HASH_LEN]);

/* The stored form of a token. */
void auth_token_hash(const char *token, unsigned char hash[AUTH_HASH_LEN]);

/*
 * Who is asking: the token's user, or local-admin for a local peer with no
 * token.  Fails with unauthorized when there is neither.
 */
int auth_resolve(MDB_txn *txn, struct store *st, const char *token,
    bool local, struct principal *p, struct proto_err *e);

/*
 * Stores the token with hash as user id's current token, its record made
 * from user (the user's document, as stored).
 */
int auth_token_put(MDB_txn *txn, struct store *st,
    const unsigned char hash[AUTH_HASH_LEN], const char *id,
    json_object *user);

/*
 * After user id's document is written: brings the record of the user's
 * current token (the document's "token_hash"), if it has one, in line with
 * user.  A token the tokens db no longer holds is not brought back.
 */
int auth_user_changed(MDB_txn *txn, struct store *st, const char *id,
    json_object *user);

/* When a user is deleted: their current token stops working. */
int auth_user_deleted(MDB_txn *txn, struct store *st, json_object *user);

/*
 * Rewrites every tokens value of the older form (the bare user id) as a
 * record; *n is how many.  A value whose user is gone is left alone (it
 * resolves to nobody either way).  One pass over tokens that reads no user
 * unless its value is of the older form: cheap enough for every start-up.
 */
int auth_tokens_upgrade(MDB_txn *txn, struct store *st, uint64_t *n);

/*
 * server.verify's checks of tokens against users: each token names an
 * existing user whose current token it is, and its record agrees with the
 * user document; each user's current token is in tokens.  Appends a
 * string to problems for each thing found wrong.
 */
int auth_verify(MDB_txn *txn, struct store *st, json_object *problems);

/* Parses ["author", "admin", ...] into roles, naming a bad entry. */
int auth_roles_parse(json_object *arr, unsigned *roles, struct proto_err *e);

/* The roles as a JSON array of names. */
json_object *auth_roles_json(unsigned roles);

/* Roles stored on a user document. */
unsigned auth_roles_of(json_object *user);

#endif
