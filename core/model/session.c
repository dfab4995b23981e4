/*
 * session.c: the table of open sessions; see session.h for their rules.
 *
 * A hash table keyed by the token's hash (already uniformly random, so
 * its first bytes are the bucket), doubled as it fills; expired sessions
 * are dropped when met, and all at once when the table would grow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/util/err.h"
#include "core/model/session.h"

struct session {
	struct session *next;
	unsigned char   hash[AUTH_HASH_LEN];
	uint64_t        stamp; /* of the password hash it was opened with */
	int64_t         last_used;
	int64_t         opened; /* when auth.login made it */
	char            user[PROTO_MAX_ID + 1];
};

struct sessions {
	struct session **buckets;
	size_t           nbuckets, n;
	int64_t          idle_s;
	int64_t          max_s; /* its whole life, however busy */
};

/* Has s ended by now, idle or past its whole life? */
static bool
ended(const struct sessions *ss, const struct session *s, int64_t now)
{
	return (now - s->last_used >= ss->idle_s ||
	    now - s->opened >= ss->max_s);
}

/* When s ends if unused from now. */
static int64_t
ends_at(const struct sessions *ss, const struct session *s)
{
	int64_t idle = s->last_used + ss->idle_s, life = s->opened + ss->max_s;
	return (idle < life ? idle : life);
}

/* A string member of a document, or NULL. */
static const char *
str_of(json_object *doc, const char *key)
{
	json_object *v;
	if (json_object_object_get_ex(doc, key, &v) &&
	    json_object_is_type(v, json_type_string)) {
		return (json_object_get_string(v));
	}
	return (NULL);
}

static uint64_t
pw_stamp(const char *pw_hash)
{
	unsigned char h[8];
	uint64_t      v;
	crypto_generichash(h, sizeof(h), (const unsigned char *) pw_hash,
	    strlen(pw_hash), NULL, 0);
	memcpy(&v, h, sizeof(v));
	return (v);
}

struct sessions *
sessions_new(int64_t idle_s, int64_t max_s)
{
	struct sessions *ss = calloc(1, sizeof(*ss));
	if (ss == NULL) {
		return (NULL);
	}
	ss->idle_s   = idle_s;
	ss->max_s    = max_s;
	ss->nbuckets = 64;
	if ((ss->buckets = calloc(ss->nbuckets, sizeof(*ss->buckets))) ==
	    NULL) {
		free(ss);
		return (NULL);
	}
	return (ss);
}

void
sessions_free(struct sessions *ss)
{
	if (ss == NULL) {
		return;
	}
	for (size_t i = 0; i < ss->nbuckets; i++) {
		for (struct session *s = ss->buckets[i], *next; s; s = next) {
			next = s->next;
			sodium_memzero(s, sizeof(*s));
			free(s);
		}
	}
	free(ss->buckets);
	free(ss);
}

int64_t
sessions_idle(const struct sessions *ss)
{
	return (ss->idle_s);
}

bool
session_token_is(const char *token)
{
	return (token != NULL && strncmp(token, "ss_", 3) == 0);
}

static size_t
bucket_of(size_t nbuckets, const unsigned char hash[AUTH_HASH_LEN])
{
	uint64_t v;
	memcpy(&v, hash, sizeof(v));
	return ((size_t) (v % nbuckets));
}

static struct session **
find(struct sessions *ss, const unsigned char hash[AUTH_HASH_LEN])
{
	struct session **pp = &ss->buckets[bucket_of(ss->nbuckets, hash)];
	while (*pp != NULL && sodium_memcmp((*pp)->hash, hash, AUTH_HASH_LEN)) {
		pp = &(*pp)->next;
	}
	return (pp);
}

static void
unlink_free(struct sessions *ss, struct session **pp)
{
	struct session *s = *pp;
	*pp               = s->next;
	sodium_memzero(s, sizeof(*s));
	free(s);
	ss->n--;
}

/* Drops expired sessions; doubles the buckets if still crowded. */
static void
make_room(struct sessions *ss, int64_t now)
{
	size_t           nb;
	struct session **b;

	for (size_t i = 0; i < ss->nbuckets; i++) {
		for (struct session **pp = &ss->buckets[i]; *pp != NULL;) {
			if (ended(ss, *pp, now)) {
				unlink_free(ss, pp);
			} else {
				pp = &(*pp)->next;
			}
		}
	}
	if (ss->n < ss->nbuckets || (b = calloc(nb = 2 * ss->nbuckets,
	                                  sizeof(*b))) == NULL) {
		return;
	}
	for (size_t i = 0; i < ss->nbuckets; i++) {
		for (struct session *s = ss->buckets[i], *next; s; s = next) {
			size_t j = bucket_of(nb, s->hash);
			next     = s->next;
			s->next  = b[j];
			b[j]     = s;
		}
	}
	free(ss->buckets);
	ss->buckets  = b;
	ss->nbuckets = nb;
}

int
session_open(struct sessions *ss, const char *user, const char *pw_hash,
    int64_t now, char token[AUTH_TOKEN_LEN + 1], int64_t *expires_at)
{
	struct session *s;

	if (ss->n >= 2 * ss->nbuckets || ss->n >= SESSION_MAX) {
		make_room(ss, now);
	}
	if (ss->n >= SESSION_MAX || (s = calloc(1, sizeof(*s))) == NULL) {
		return (SK_EUNAVAIL);
	}
	auth_token_new(token, s->hash);
	token[1] = 's'; /* "ss_": a session's, not user.token's */
	auth_token_hash(token, s->hash);
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->stamp     = pw_stamp(pw_hash);
	s->last_used = now;
	s->opened    = now;
	struct session **pp = &ss->buckets[bucket_of(ss->nbuckets, s->hash)];
	s->next             = *pp;
	*pp                 = s;
	ss->n++;
	*expires_at = ends_at(ss, s);
	return (SK_OK);
}

int
session_resolve(struct sessions *ss, MDB_txn *txn, struct store *st,
    const char *token, int64_t now, struct principal *p,
    struct proto_err *e)
{
	unsigned char    hash[AUTH_HASH_LEN];
	struct session **pp, *s;
	json_object     *user = NULL;
	const char      *pw, *unit;
	int              rv;

	memset(p, 0, sizeof(*p));
	auth_token_hash(token, hash);
	if ((s = *(pp = find(ss, hash))) == NULL) {
		return (proto_fail(e, SK_EUNAUTH,
		    "the session is unknown or has ended (a restart of the "
		    "server ends every session): log in again with auth.login"));
	}
	if (now - s->opened >= ss->max_s) {
		unlink_free(ss, pp);
		return (proto_fail(e, SK_EUNAUTH,
		    "the session expired: a session lasts at most %lld h from "
		    "its login (--session-max), however busy: log in again "
		    "with auth.login",
		    (long long) (ss->max_s / 3600)));
	}
	if (now - s->last_used >= ss->idle_s) {
		unlink_free(ss, pp);
		return (proto_fail(e, SK_EUNAUTH,
		    "the session expired after %lld min without use: log in "
		    "again with auth.login",
		    (long long) (ss->idle_s / 60)));
	}
	rv = store_doc_get(txn, st, DB_USERS, s->user, &user);
	if (rv == SK_ENOTFOUND) {
		unlink_free(ss, pp);
		return (proto_fail(e, SK_EUNAUTH,
		    "the session's user no longer exists"));
	}
	if (rv != 0) {
		return (proto_fail(e, rv, "cannot read user %s", s->user));
	}
	pw = str_of(user, "password_hash");
	if (pw == NULL || pw_stamp(pw) != s->stamp) {
		json_object_put(user);
		unlink_free(ss, pp);
		return (proto_fail(e, SK_EUNAUTH,
		    "the password was changed since this session began: log "
		    "in again with auth.login"));
	}
	unit = str_of(user, "unit");
	snprintf(p->id, sizeof(p->id), "%s", s->user);
	snprintf(p->unit, sizeof(p->unit), "%s", unit ? unit : "");
	p->roles   = auth_roles_of(user);
	p->session = true;
	memcpy(p->session_hash, hash, AUTH_HASH_LEN);
	json_object_put(user);
	s->last_used = now;
	return (0);
}

int64_t
session_expires(struct sessions *ss, const unsigned char hash[AUTH_HASH_LEN])
{
	struct session *s = *find(ss, hash);
	return (s != NULL ? ends_at(ss, s) : -1);
}

bool
session_close(struct sessions *ss, const unsigned char hash[AUTH_HASH_LEN])
{
	struct session **pp = find(ss, hash);
	if (*pp == NULL) {
		return (false);
	}
	unlink_free(ss, pp);
	return (true);
}

void
session_restamp(struct sessions *ss, const unsigned char hash[AUTH_HASH_LEN],
    const char *pw_hash)
{
	struct session *s = *find(ss, hash);
	if (s != NULL) {
		s->stamp = pw_stamp(pw_hash);
	}
}
