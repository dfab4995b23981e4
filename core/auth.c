/*
 * auth.c: tokens and principals; see auth.h for the why.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/auth.h"
#include "core/err.h"

static const struct {
	const char *name;
	unsigned    bit;
} role_names[] = {
	{ "author", ROLE_AUTHOR },
	{ "admin", ROLE_ADMIN },
	{ "viewer", ROLE_VIEWER },
};

#define NROLES (sizeof(role_names) / sizeof(role_names[0]))

int
auth_init(void)
{
	return (sodium_init() < 0 ? SK_EINTERNAL : SK_OK);
}

void
auth_token_new(char token[AUTH_TOKEN_LEN + 1],
    unsigned char hash[AUTH_HASH_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	memcpy(token, "sk_", 3);
	sodium_bin2base64(token + 3, AUTH_TOKEN_LEN + 1 - 3, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	auth_token_hash(token, hash);
}

void
auth_token_hash(const char *token, unsigned char hash[AUTH_HASH_LEN])
{
	crypto_generichash(hash, AUTH_HASH_LEN, (const unsigned char *) token,
	    strlen(token), NULL, 0);
}

unsigned
auth_roles_of(json_object *user)
{
	json_object *arr;
	unsigned     roles = 0;
	if (!json_object_object_get_ex(user, "roles", &arr)) {
		return (0);
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *s =
		    json_object_get_string(json_object_array_get_idx(arr, i));
		for (size_t r = 0; r < NROLES; r++) {
			if (s != NULL && strcmp(s, role_names[r].name) == 0) {
				roles |= role_names[r].bit;
			}
		}
	}
	return (roles);
}

int
auth_resolve(MDB_txn *txn, struct store *st, const char *token, bool local,
    struct principal *p, struct proto_err *e)
{
	unsigned char hash[AUTH_HASH_LEN];
	MDB_val       v;
	json_object  *user, *u;
	int           rv;

	memset(p, 0, sizeof(*p));
	if (token == NULL) {
		if (!local) {
			return (proto_fail(e, SK_EUNAUTH,
			    "a token is required: pass \"token\" (get one with "
			    "user.token)"));
		}
		strcpy(p->id, "local-admin");
		p->roles       = ROLE_ADMIN;
		p->local_admin = true;
		return (0);
	}
	auth_token_hash(token, hash);
	rv = store_get(txn, st, DB_TOKENS, hash, sizeof(hash), &v);
	if (rv == SK_ENOTFOUND) {
		return (proto_fail(e, SK_EUNAUTH,
		    "the token is unknown or has been replaced"));
	}
	if (rv != 0) {
		return (proto_fail(e, rv, "cannot read tokens"));
	}
	if (v.mv_size == 0 || v.mv_size > PROTO_MAX_ID) {
		return (proto_fail(e, SK_EINTERNAL, "malformed token record"));
	}
	memcpy(p->id, v.mv_data, v.mv_size);
	p->id[v.mv_size] = '\0';
	if ((rv = store_doc_get(txn, st, DB_USERS, p->id, &user)) != 0) {
		return (proto_fail(e, SK_EUNAUTH,
		    "the token's user %s no longer exists", p->id));
	}
	p->roles = auth_roles_of(user);
	if (json_object_object_get_ex(user, "unit", &u)) {
		snprintf(p->unit, sizeof(p->unit), "%s",
		    json_object_get_string(u));
	}
	json_object_put(user);
	return (0);
}

int
auth_roles_parse(json_object *arr, unsigned *roles, struct proto_err *e)
{
	*roles = 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v   = json_object_array_get_idx(arr, i);
		bool         hit = false;
		if (json_object_is_type(v, json_type_string)) {
			for (size_t r = 0; r < NROLES; r++) {
				if (strcmp(json_object_get_string(v),
				        role_names[r].name) == 0) {
					*roles |= role_names[r].bit;
					hit = true;
				}
			}
		}
		if (!hit) {
			return (proto_fail(e, SK_EBADREQ,
			    "\"roles\"[%zu] must be one of author, admin, viewer",
			    i));
		}
	}
	return (0);
}

json_object *
auth_roles_json(unsigned roles)
{
	json_object *arr = json_object_new_array();
	for (size_t r = 0; r < NROLES; r++) {
		if (roles & role_names[r].bit) {
			json_object_array_add(
			    arr, json_object_new_string(role_names[r].name));
		}
	}
	return (arr);
}
