/*
 * password.c: password rules, argon2id hashing and the failed-login
 * limiter; see password.h for why each is as it is.
 *
 * The limiter is a hash table of keys, each with the times of its last
 * PW_LIMIT_FAILS failures in a ring.  Entries whose failures are all older
 * than the window say nothing any more; they are swept when the table
 * would grow, so an address that tries once and goes away costs memory
 * for a minute only.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "core/model/password.h"

int
pw_check(const char *pw, const char *field, struct proto_err *e)
{
	size_t len = strlen(pw);
	long   chars;

	if (len > PW_MAX_BYTES) {
		return (proto_fail(e, SK_EBADREQ,
		    "\"%s\" is %zu bytes long; a password may have at most %d "
		    "bytes",
		    field, len, PW_MAX_BYTES));
	}
	if ((chars = util_utf8_chars(pw, len)) < 0) {
		return (proto_fail(e, SK_EBADREQ, "\"%s\" is not valid UTF-8",
		    field));
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) pw[i];
		if (c < 0x20 || c == 0x7f) {
			return (proto_fail(e, SK_EBADREQ,
			    "\"%s\" holds a control character (tab, newline, "
			    "...); use letters, digits, spaces and signs",
			    field));
		}
	}
	if (chars < PW_MIN_CHARS) {
		return (proto_fail(e, SK_EBADREQ,
		    "\"%s\" has %ld characters; a password needs at least %d",
		    field, chars, PW_MIN_CHARS));
	}
	return (0);
}

int
pw_hash(const char *pw, char out[PW_HASH_MAX])
{
	return (crypto_pwhash_str(out, pw, strlen(pw),
	            crypto_pwhash_OPSLIMIT_INTERACTIVE,
	            crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0
	        ? 0
	        : -1);
}

bool
pw_verify(const char *hash, const char *pw)
{
	char burn[PW_HASH_MAX];

	if (hash == NULL) {
		/* The same cost as a check: who exists stays unsaid. */
		pw_hash(pw, burn);
		return (false);
	}
	return (crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0);
}

struct pw_entry {
	struct pw_entry *next;
	int64_t          fails[PW_LIMIT_FAILS]; /* a ring; 0: none */
	unsigned         head;                  /* the oldest */
	char             key[];
};

struct pw_limiter {
	struct pw_entry **buckets;
	size_t            nbuckets, n;
};

struct pw_limiter *
pw_limiter_new(void)
{
	struct pw_limiter *l = calloc(1, sizeof(*l));
	if (l == NULL) {
		return (NULL);
	}
	l->nbuckets = 256;
	if ((l->buckets = calloc(l->nbuckets, sizeof(*l->buckets))) == NULL) {
		free(l);
		return (NULL);
	}
	return (l);
}

void
pw_limiter_free(struct pw_limiter *l)
{
	if (l == NULL) {
		return;
	}
	for (size_t i = 0; i < l->nbuckets; i++) {
		for (struct pw_entry *e = l->buckets[i], *next; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(l->buckets);
	free(l);
}

static size_t
key_bucket(const struct pw_limiter *l, const char *key)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const char *p = key; *p; p++) {
		h = (h ^ (unsigned char) *p) * 1099511628211ull;
	}
	return ((size_t) (h % l->nbuckets));
}

static struct pw_entry **
entry_find(struct pw_limiter *l, const char *key)
{
	struct pw_entry **pp = &l->buckets[key_bucket(l, key)];
	while (*pp != NULL && strcmp((*pp)->key, key) != 0) {
		pp = &(*pp)->next;
	}
	return (pp);
}

/* The time key's oldest remembered failure leaves the window. */
static int64_t
entry_until(const struct pw_entry *e)
{
	return (e->fails[e->head] + PW_LIMIT_WINDOW_S);
}

static bool
entry_stale(const struct pw_entry *e, int64_t now)
{
	for (unsigned i = 0; i < PW_LIMIT_FAILS; i++) {
		if (e->fails[i] != 0 && e->fails[i] + PW_LIMIT_WINDOW_S > now) {
			return (false);
		}
	}
	return (true);
}

/* Drops the entries that say nothing any more. */
static void
sweep(struct pw_limiter *l, int64_t now)
{
	for (size_t i = 0; i < l->nbuckets; i++) {
		for (struct pw_entry **pp = &l->buckets[i]; *pp != NULL;) {
			if (entry_stale(*pp, now)) {
				struct pw_entry *dead = *pp;
				*pp                   = dead->next;
				free(dead);
				l->n--;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
}

/* Doubles the buckets when the live entries outgrow them. */
static void
rehash(struct pw_limiter *l)
{
	size_t            nb = 2 * l->nbuckets;
	struct pw_entry **b  = calloc(nb, sizeof(*b));

	if (b == NULL) {
		return; /* longer chains, still correct */
	}
	for (size_t i = 0; i < l->nbuckets; i++) {
		for (struct pw_entry *e = l->buckets[i], *next; e; e = next) {
			next = e->next;
			l->buckets[i] = NULL;
			struct pw_limiter tmp = { .buckets = b, .nbuckets = nb };
			size_t            j   = key_bucket(&tmp, e->key);
			e->next               = b[j];
			b[j]                  = e;
		}
	}
	free(l->buckets);
	l->buckets  = b;
	l->nbuckets = nb;
}

int64_t
pw_limiter_blocked(struct pw_limiter *l, const char *key, int64_t now)
{
	struct pw_entry *e = *entry_find(l, key);
	/* Blocked while the ring is full of failures inside the window. */
	if (e == NULL || e->fails[e->head] == 0 || entry_until(e) <= now) {
		return (0);
	}
	return (entry_until(e));
}

bool
pw_limiter_fail(struct pw_limiter *l, const char *key, int64_t now)
{
	struct pw_entry **pp = entry_find(l, key), *e = *pp;
	bool              was = pw_limiter_blocked(l, key, now) != 0;

	if (e == NULL) {
		size_t klen = strlen(key);
		if (l->n >= 4 * l->nbuckets) {
			sweep(l, now);
			if (l->n >= 2 * l->nbuckets) {
				rehash(l);
			}
			pp = entry_find(l, key);
		}
		if ((e = calloc(1, sizeof(*e) + klen + 1)) == NULL) {
			return (false);
		}
		memcpy(e->key, key, klen + 1);
		*pp = e;
		l->n++;
	}
	e->fails[e->head] = now; /* the oldest goes */
	e->head           = (e->head + 1) % PW_LIMIT_FAILS;
	return (!was && pw_limiter_blocked(l, key, now) != 0);
}

void
pw_limiter_clear(struct pw_limiter *l, const char *key)
{
	struct pw_entry **pp = entry_find(l, key), *e = *pp;
	if (e != NULL) {
		*pp = e->next;
		free(e);
		l->n--;
	}
}
