/*
 * auth.c: tokens and principals; see auth.h for the why.
 *
 * The record stored under a token's hash (tokens db): one format byte
 * (TOKEN_REC_V1), the role bits (one byte), then the user id and the unit,
 * each as store.h's "str" (a length byte and the bytes; the unit may be
 * empty).  A user id starts with a letter or a digit, so the first byte
 * tells a record from the older value, the bare user id.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/model/auth.h"
#include "core/util/err.h"

static const struct {
	const char *name;
	unsigned    bit;
} role_names[] = {
	{ "author", ROLE_AUTHOR },
	{ "admin", ROLE_ADMIN },
	{ "viewer", ROLE_VIEWER },
	{ "head", ROLE_HEAD },
};

#define NROLES (sizeof(role_names) / sizeof(role_names[0]))

#define TOKEN_REC_V1  0x01
#define TOKEN_REC_MAX (2 + 2 * (1 + PROTO_MAX_ID))


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

/* The unit on a user document: its id, or "" if it has none. */
static const char *
user_unit(json_object *user)
{
	json_object *u;
	if (json_object_object_get_ex(user, "unit", &u) &&
	    json_object_is_type(u, json_type_string)) {
		return (json_object_get_string(u));
	}
	return ("");
}

/* The hash of the user's current token, false if they have none. */
static bool
user_token_hash(json_object *user, unsigned char hash[AUTH_HASH_LEN])
{
	json_object *h;
	const char  *hex;
	size_t       len;
	if (!json_object_object_get_ex(user, "token_hash", &h) ||
	    !json_object_is_type(h, json_type_string)) {
		return (false);
	}
	hex = json_object_get_string(h);
	return (sodium_hex2bin(hash, AUTH_HASH_LEN, hex, strlen(hex), NULL,
	            &len, NULL) == 0 &&
	    len == AUTH_HASH_LEN);
}

/* The record of user id's token, made from their document. */
static int
token_rec_make(const char *id, json_object *user,
    unsigned char rec[TOKEN_REC_MAX], size_t *len)
{
	const char *unit  = user_unit(user);
	size_t      idlen = strlen(id), unitlen = strlen(unit);
	unsigned    roles = auth_roles_of(user);

	if (idlen == 0 || idlen > PROTO_MAX_ID || unitlen > PROTO_MAX_ID ||
	    roles > 0xff) {
		return (SK_EINTERNAL);
	}
	rec[0] = TOKEN_REC_V1;
	rec[1] = (unsigned char) roles;
	rec[2] = (unsigned char) idlen;
	memcpy(rec + 3, id, idlen);
	rec[3 + idlen] = (unsigned char) unitlen;
	memcpy(rec + 4 + idlen, unit, unitlen);
	*len = 4 + idlen + unitlen;
	return (0);
}

static bool
token_rec_is(const MDB_val *v)
{
	return (v->mv_size > 0 &&
	    *(const unsigned char *) v->mv_data == TOKEN_REC_V1);
}

/* Fills p from a record; false if it is malformed. */
static bool
token_rec_read(const MDB_val *v, struct principal *p)
{
	const unsigned char *b = v->mv_data;
	size_t               n = v->mv_size, idlen, unitlen;

	if (n < 4 || b[0] != TOKEN_REC_V1) {
		return (false);
	}
	idlen = b[2];
	if (idlen == 0 || idlen > PROTO_MAX_ID || 4 + idlen > n) {
		return (false);
	}
	unitlen = b[3 + idlen];
	if (unitlen > PROTO_MAX_ID || 4 + idlen + unitlen != n) {
		return (false);
	}
	p->roles = b[1];
	memcpy(p->id, b + 3, idlen);
	p->id[idlen] = '\0';
	memcpy(p->unit, b + 4 + idlen, unitlen);
	p->unit[unitlen] = '\0';
	return (true);
}

int
auth_resolve(MDB_txn *txn, struct store *st, const char *token, bool local,
    struct principal *p, struct proto_err *e)
{
	unsigned char hash[AUTH_HASH_LEN];
	MDB_val       v;
	json_object  *user;
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
	/* The hot path: the record is the principal. */
	if (token_rec_is(&v)) {
		if (!token_rec_read(&v, p)) {
			memset(p, 0, sizeof(*p));
			return (proto_fail(e, SK_EINTERNAL,
			    "malformed token record"));
		}
		return (0);
	}
	/* A value from before the record: the user id; read the user. */
	if (v.mv_size == 0 || v.mv_size > PROTO_MAX_ID) {
		return (proto_fail(e, SK_EINTERNAL, "malformed token record"));
	}
	memcpy(p->id, v.mv_data, v.mv_size);
	p->id[v.mv_size] = '\0';
	if ((rv = store_doc_get(txn, st, DB_USERS, p->id, &user)) != 0) {
		proto_fail(e, SK_EUNAUTH, "the token's user %s no longer exists",
		    p->id);
		memset(p, 0, sizeof(*p));
		return (SK_EUNAUTH);
	}
	p->roles = auth_roles_of(user);
	snprintf(p->unit, sizeof(p->unit), "%s", user_unit(user));
	json_object_put(user);
	return (0);
}

int
auth_token_put(MDB_txn *txn, struct store *st,
    const unsigned char hash[AUTH_HASH_LEN], const char *id,
    json_object *user)
{
	unsigned char rec[TOKEN_REC_MAX];
	size_t        len;
	int           rv;
	if ((rv = token_rec_make(id, user, rec, &len)) != 0) {
		return (rv);
	}
	return (store_put(txn, st, DB_TOKENS, hash, AUTH_HASH_LEN, rec, len));
}

int
auth_user_changed(MDB_txn *txn, struct store *st, const char *id,
    json_object *user)
{
	unsigned char hash[AUTH_HASH_LEN], rec[TOKEN_REC_MAX];
	size_t        len;
	MDB_val       v;
	int           rv;

	if (!user_token_hash(user, hash)) {
		return (0);
	}
	rv = store_get(txn, st, DB_TOKENS, hash, sizeof(hash), &v);
	if (rv == SK_ENOTFOUND) {
		return (0);
	}
	if (rv != 0 || (rv = token_rec_make(id, user, rec, &len)) != 0) {
		return (rv);
	}
	if (v.mv_size == len && memcmp(v.mv_data, rec, len) == 0) {
		return (0);
	}
	return (store_put(txn, st, DB_TOKENS, hash, sizeof(hash), rec, len));
}

int
auth_user_deleted(MDB_txn *txn, struct store *st, json_object *user)
{
	unsigned char hash[AUTH_HASH_LEN];
	if (!user_token_hash(user, hash)) {
		return (0);
	}
	return (store_del(txn, st, DB_TOKENS, hash, sizeof(hash)));
}

int
auth_tokens_upgrade(MDB_txn *txn, struct store *st, uint64_t *n)
{
	struct store_scan it;
	MDB_val           k, v, nv;
	unsigned char     key[AUTH_HASH_LEN], rec[TOKEN_REC_MAX];
	char              id[PROTO_MAX_ID + 1];
	json_object      *user;
	int               rc = STORE_SCAN_END, rv = 0;

	*n = 0;
	if ((rv = store_scan_begin(&it, txn, st, DB_TOKENS, NULL, NULL)) != 0) {
		return (rv);
	}
	while (rv == 0 && (rc = store_scan_next(&it, &k, &v)) == 0) {
		if (token_rec_is(&v) || k.mv_size != AUTH_HASH_LEN ||
		    v.mv_size == 0 || v.mv_size > PROTO_MAX_ID) {
			continue;
		}
		memcpy(id, v.mv_data, v.mv_size);
		id[v.mv_size] = '\0';
		if (store_doc_get(txn, st, DB_USERS, id, &user) != 0) {
			continue;
		}
		rv = token_rec_make(id, user, rec, &nv.mv_size);
		json_object_put(user);
		if (rv != 0) {
			rv = 0; /* left as it is: resolved the older way */
			continue;
		}
		/* The key is borrowed from the page the put rewrites. */
		memcpy(key, k.mv_data, sizeof(key));
		k.mv_data  = key;
		nv.mv_data = rec;
		if ((rv = store_scan_put(&it, &k, &nv, MDB_CURRENT)) != 0) {
			break;
		}
		(*n)++;
	}
	store_scan_end(&it);
	if (rv == 0 && rc != STORE_SCAN_END) {
		rv = rc;
	}
	return (rv);
}

/* One tokens entry against its user's document. */
static void
verify_token(MDB_txn *txn, struct store *st, const MDB_val *k,
    const MDB_val *v, json_object *problems)
{
	struct principal p;
	char             hex[AUTH_HASH_LEN * 2 + 1] = "?";
	unsigned char    cur[AUTH_HASH_LEN];
	json_object     *user;
	int              rv;

	memset(&p, 0, sizeof(p));
	if (k->mv_size != AUTH_HASH_LEN) {
		store_problem(problems, "tokens has a key of %zu bytes, not %d",
		    k->mv_size, AUTH_HASH_LEN);
		return;
	}
	sodium_bin2hex(hex, sizeof(hex), k->mv_data, AUTH_HASH_LEN);
	if (token_rec_is(v)) {
		if (!token_rec_read(v, &p)) {
			store_problem(problems, "token %.12s has a malformed record",
			    hex);
			return;
		}
	} else if (v->mv_size == 0 || v->mv_size > PROTO_MAX_ID) {
		store_problem(problems, "token %.12s has a malformed record", hex);
		return;
	} else {
		memcpy(p.id, v->mv_data, v->mv_size);
	}
	if ((rv = store_doc_get(txn, st, DB_USERS, p.id, &user)) != 0) {
		if (rv == SK_ENOTFOUND) {
			store_problem(problems, "token %.12s is for user %s, who does "
			    "not exist", hex, p.id);
		} else {
			store_problem(problems, "token %.12s is for user %s, who "
			    "cannot be read", hex, p.id);
		}
		return;
	}
	if (!user_token_hash(user, cur) ||
	    memcmp(cur, k->mv_data, AUTH_HASH_LEN) != 0) {
		store_problem(problems, "token %.12s is not user %s's current token",
		    hex, p.id);
	}
	if (token_rec_is(v)) {
		if (p.roles != auth_roles_of(user)) {
			json_object *had  = auth_roles_json(p.roles);
			json_object *want = auth_roles_json(auth_roles_of(user));
			store_problem(problems, "token %.12s of user %s has roles %s; "
			    "the user has %s", hex, p.id,
			    json_object_to_json_string_ext(had,
			        JSON_C_TO_STRING_PLAIN),
			    json_object_to_json_string_ext(want,
			        JSON_C_TO_STRING_PLAIN));
			json_object_put(had);
			json_object_put(want);
		}
		if (strcmp(p.unit, user_unit(user)) != 0) {
			store_problem(problems, "token %.12s of user %s has unit "
			    "\"%s\"; the user has \"%s\"", hex, p.id, p.unit,
			    user_unit(user));
		}
	}
	json_object_put(user);
}

int
auth_verify(MDB_txn *txn, struct store *st, json_object *problems)
{
	struct store_scan it;
	MDB_val           k, v, tv;
	unsigned char     hash[AUTH_HASH_LEN];
	int               rc, rv;

	if ((rv = store_scan_begin(&it, txn, st, DB_TOKENS, NULL, NULL)) != 0) {
		return (rv);
	}
	while ((rc = store_scan_next(&it, &k, &v)) == 0) {
		verify_token(txn, st, &k, &v, problems);
	}
	store_scan_end(&it);
	if (rc != STORE_SCAN_END) {
		return (rc);
	}
	if ((rv = store_scan_begin(&it, txn, st, DB_USERS, NULL, NULL)) != 0) {
		return (rv);
	}
	while ((rc = store_scan_next(&it, &k, &v)) == 0) {
		json_object *user = store_json(&v);
		if (user == NULL) {
			store_problem(problems, "user %.*s is not valid JSON",
			    (int) k.mv_size, (const char *) k.mv_data);
			continue;
		}
		if (user_token_hash(user, hash)) {
			rv = store_get(txn, st, DB_TOKENS, hash, sizeof(hash),
			    &tv);
			if (rv == SK_ENOTFOUND) {
				store_problem(problems, "user %.*s's current token is "
				    "not in tokens", (int) k.mv_size,
				    (const char *) k.mv_data);
			} else if (rv != 0) {
				json_object_put(user);
				store_scan_end(&it);
				return (rv);
			}
		}
		json_object_put(user);
	}
	store_scan_end(&it);
	return (rc == STORE_SCAN_END ? 0 : rc);
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
			    "\"roles\"[%zu] must be one of author, admin, viewer, head",
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
