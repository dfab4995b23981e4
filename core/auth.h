/*
 * auth.h: principals and their tokens (DESIGN.md, "Principals").
 *
 * A token is 256 random bits from libsodium, written "sk_" + URL-safe
 * base64.  It is shown once, by user.token; only its BLAKE2b hash is stored
 * (tokens db), so a stolen database yields no usable token.  Over ipc://, a
 * peer with the server's own uid and no token is the built-in local-admin.
 */
#ifndef SK_AUTH_H
#define SK_AUTH_H

#include <stdbool.h>

#include "core/store.h"
#include "ipc/proto.h"

#define AUTH_HASH_LEN 32
#define AUTH_TOKEN_LEN 46 /* "sk_" + 43 base64 characters */

enum auth_role {
	ROLE_AUTHOR = 1u << 0,
	ROLE_ADMIN  = 1u << 1,
	ROLE_VIEWER = 1u << 2,
};

struct principal {
	char     id[PROTO_MAX_ID + 1]; /* "local-admin" for the local peer */
	char     unit[PROTO_MAX_ID + 1]; /* "" if none */
	unsigned roles;
	bool     local_admin;
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

/* Parses ["author", "admin", ...] into roles, naming a bad entry. */
int auth_roles_parse(json_object *arr, unsigned *roles, struct proto_err *e);

/* The roles as a JSON array of names. */
json_object *auth_roles_json(unsigned roles);

/* Roles stored on a user document. */
unsigned auth_roles_of(json_object *user);

#endif
