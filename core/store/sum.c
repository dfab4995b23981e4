/*
 * sum.c: a checksum on every stored record (store.h, "Checksums"), so that
 * a byte damaged on disk is an error naming the record, never a wrong
 * answer, invalid UTF-8 passed on, or a crash further down.
 *
 * Each value of a plain database (all but the two of sorted fixed-size
 * duplicates) ends with 8 bytes: XXH3-64 of the value, seeded with XXH3-64
 * of the key, little-endian.  Seeding with the key makes a record found
 * under another key (a flipped key byte) fail too.  XXH3 rather than
 * BLAKE2b: this is against damage, not against an attacker who can write
 * the file (the history's hash chain is that), and XXH3 costs a few
 * nanoseconds on a small record where BLAKE2b costs a few hundred.
 *
 * store_put adds the sum, every read (store_get, scans, store_first and
 * store_last) checks and strips it, store_verify reads them all.  A
 * database written before sums existed gets them at start, in steps
 * (store_sums_upgrade_step), and meta's "checksums" marks it done.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/store/impl.h"
#include "core/util/err.h"

/* The last damaged record this thread met ("" if none since the clear). */
static __thread char damage[320];

/* meta's records read before the sums are known to be on: bare. */
static bool
meta_bare(const void *key, size_t klen)
{
	static const char *const bare[] = { STORE_META_SCHEMA,
		STORE_META_SUMS, STORE_META_SUMS_AT, NULL };
	for (const char *const *b = bare; *b; b++) {
		if (klen == strlen(*b) && memcmp(key, *b, klen) == 0) {
			return (true);
		}
	}
	return (false);
}

static bool
summed_db(enum store_db db, const void *key, size_t klen)
{
	return (store_db_plain(db) && !(db == DB_META && meta_bare(key, klen)));
}

bool
store_summed(const struct store *st, enum store_db db, const void *key,
    size_t klen)
{
	return (st->sums && summed_db(db, key, klen));
}

static uint64_t
sum_of(const void *key, size_t klen, const void *val, size_t vlen)
{
	return (XXH3_64bits_withSeed(val, vlen, XXH3_64bits(key, klen)));
}

void
store_sum_write(const void *key, size_t klen, const void *val, size_t vlen,
    unsigned char *out)
{
	uint64_t s = sum_of(key, klen, val, vlen);
	if (vlen > 0) {
		memcpy(out, val, vlen);
	}
	for (int i = 0; i < STORE_SUM_LEN; i++) {
		out[vlen + (size_t) i] = (unsigned char) (s >> (8 * i));
	}
}

/* Whether v (the sum included) holds its sum. */
static bool
sum_holds(const MDB_val *k, const MDB_val *v)
{
	const unsigned char *b = v->mv_data;
	uint64_t             s = 0;
	size_t               n;
	if (v->mv_size < STORE_SUM_LEN) {
		return (false);
	}
	n = v->mv_size - STORE_SUM_LEN;
	for (int i = STORE_SUM_LEN - 1; i >= 0; i--) {
		s = s << 8 | b[n + (size_t) i];
	}
	return (s == sum_of(k->mv_data, k->mv_size, b, n));
}

/* Keys whose first 8 bytes are a u64 (a case, an event, a time). */
static bool
u64_first(enum store_db db)
{
	switch (db) {
	case DB_CASES:
	case DB_HISTORY:
	case DB_CASE_HISTORY:
	case DB_BY_DUE:
	case DB_BALLOTS:
	case DB_TIMERS:
	case DB_DEDUP_SIGS:
	case DB_CASE_ITEMS:
	case DB_IDEM_TIME:
		return (true);
	default:
		return (false);
	}
}

/* Whether n bytes at p read as a plain id (printable ASCII). */
static bool
plain_id(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\' || p[i] == '/') {
			return (false);
		}
	}
	return (n > 0);
}

void
store_key_text(enum store_db db, const void *key, size_t klen, char *out,
    size_t outlen)
{
	const unsigned char *b = key;
	size_t               i = 0, o = 0;
	int                  n;

	out[0] = '\0';
	if (u64_first(db) && klen >= 8) {
		n = snprintf(out, outlen, "%" PRIu64, store_u64_at(b));
		o = n > 0 && (size_t) n < outlen ? (size_t) n : 0;
		i = 8;
	} else if (plain_id(b, klen)) {
		/* A document's id (units, users, meta's names). */
		snprintf(out, outlen, "%.*s", (int) klen, (const char *) b);
		return;
	}
	/* The rest: length-prefixed ids as "/id", anything else escaped,
	 * always ASCII (so valid UTF-8 whatever the key holds). */
	while (i < klen && o + 8 < outlen) {
		size_t l = b[i];
		if (l > 0 && l <= klen - i - 1 && plain_id(b + i + 1, l) &&
		    o + l + 2 < outlen) {
			out[o++] = '/';
			memcpy(out + o, b + i + 1, l);
			o += l;
			i += l + 1;
			continue;
		}
		o += (size_t) snprintf(out + o, outlen - o, "\\x%02x", b[i]);
		i++;
	}
	if (i < klen && o + 4 < outlen) {
		memcpy(out + o, "...", 4);
		o += 3;
	}
	out[o] = '\0';
}

int
store_sum_check(const struct store *st, enum store_db db, const MDB_val *k,
    MDB_val *v)
{
	char key[160];
	if (!store_summed(st, db, k->mv_data, k->mv_size)) {
		return (SK_OK);
	}
	if (sum_holds(k, v)) {
		v->mv_size -= STORE_SUM_LEN;
		return (SK_OK);
	}
	store_key_text(db, k->mv_data, k->mv_size, key, sizeof(key));
	snprintf(damage, sizeof(damage),
	    "damaged record: %s %s (its checksum does not match; run "
	    "sangkien verify and restore a backup)",
	    store_db_names[db], key);
	return (SK_EINTERNAL);
}

const char *
store_damage(void)
{
	return (damage[0] != '\0' ? damage : NULL);
}

void
store_damage_clear(void)
{
	damage[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* The upgrade of a database written before the sums.                 */

/* Where the upgrade stands: the database it is in and the last key it
 * rewrote there (meta "checksums_at": u8 db, then the key). */
static int
upgrade_at(MDB_txn *txn, struct store *st, int *db, MDB_val *last,
    unsigned char *buf, size_t buflen)
{
	MDB_val k = { strlen(STORE_META_SUMS_AT), STORE_META_SUMS_AT }, v;
	int     rc = mdb_get(txn, st->dbi[DB_META], &k, &v);

	*db           = 0;
	last->mv_size = 0;
	last->mv_data = buf;
	if (rc == MDB_NOTFOUND) {
		return (0);
	}
	if (rc != 0) {
		return (store_err(rc));
	}
	if (v.mv_size < 1 || v.mv_size - 1 > buflen) {
		return (SK_EINTERNAL);
	}
	*db = ((const unsigned char *) v.mv_data)[0];
	memcpy(buf, (const unsigned char *) v.mv_data + 1, v.mv_size - 1);
	last->mv_size = v.mv_size - 1;
	return (0);
}

/* The records one step rewrites, copied out of the map first: a cursor
 * put of another size under MDB_CURRENT, which would spare the copies,
 * scrambled neighbouring records in LMDB 0.9.24. */
struct batch {
	unsigned char *b;
	size_t         len, cap, n;
};

static bool
batch_add(struct batch *bt, const MDB_val *k, const MDB_val *v)
{
	size_t need = 16 + k->mv_size + v->mv_size;
	if (bt->len + need > bt->cap) {
		size_t         cap = (bt->len + need) * 2;
		unsigned char *b   = realloc(bt->b, cap);
		if (b == NULL) {
			return (false);
		}
		bt->b   = b;
		bt->cap = cap;
	}
	memcpy(bt->b + bt->len, &k->mv_size, 8);
	memcpy(bt->b + bt->len + 8, &v->mv_size, 8);
	memcpy(bt->b + bt->len + 16, k->mv_data, k->mv_size);
	memcpy(bt->b + bt->len + 16 + k->mv_size, v->mv_data, v->mv_size);
	bt->len += need;
	bt->n++;
	return (true);
}

/* Rewrites the batch's records in db with their sums. */
static int
batch_put(MDB_txn *txn, struct store *st, int db, struct batch *bt)
{
	unsigned char *buf = NULL;
	size_t         cap = 0, at = 0;
	int            rc  = 0;

	while (rc == 0 && at < bt->len) {
		size_t  kl, vl;
		memcpy(&kl, bt->b + at, 8);
		memcpy(&vl, bt->b + at + 8, 8);
		MDB_val k = { kl, bt->b + at + 16 };
		if (cap < vl + STORE_SUM_LEN) {
			cap = (vl + STORE_SUM_LEN) * 2;
			free(buf);
			if ((buf = malloc(cap)) == NULL) {
				return (SK_EINTERNAL);
			}
		}
		store_sum_write(k.mv_data, kl, bt->b + at + 16 + kl, vl, buf);
		MDB_val v = { vl + STORE_SUM_LEN, buf };
		rc = mdb_put(txn, st->dbi[db], &k, &v, 0);
		st->changes++;
		at += 16 + kl + vl;
	}
	free(buf);
	return (store_err(rc));
}

/* At most this many records, or bytes, per step. */
#define UPGRADE_BYTES ((size_t) 32 << 20)

int
store_sums_upgrade_step(MDB_txn *txn, struct store *st, size_t limit,
    bool *done, uint64_t *rewritten)
{
	unsigned char lastbuf[STORE_KEY_MAX + 1];
	struct batch  bt = { 0 };
	MDB_val       last, k, v, mk;
	MDB_cursor   *cur = NULL;
	int           db, rc = 0, rv = 0;
	bool          full = false;

	*done = false;
	mk    = (MDB_val) { strlen(STORE_META_SUMS), STORE_META_SUMS };
	if ((rc = mdb_get(txn, st->dbi[DB_META], &mk, &v)) == 0) {
		st->sums = true;
		*done    = true;
		return (0);
	}
	if (rc != MDB_NOTFOUND) {
		return (store_err(rc));
	}
	st->sums = false;
	if ((rv = upgrade_at(txn, st, &db, &last, lastbuf,
	         sizeof(lastbuf))) != 0) {
		return (rv);
	}
	for (; db < DB_COUNT; db++, last.mv_size = 0) {
		if (!store_db_plain((enum store_db) db)) {
			continue;
		}
		if ((rc = mdb_cursor_open(txn, st->dbi[db], &cur)) != 0) {
			return (store_err(rc));
		}
		k  = last;
		rc = last.mv_size > 0 ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)
		                      : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
		if (rc == 0 && last.mv_size > 0 && k.mv_size == last.mv_size &&
		    memcmp(k.mv_data, last.mv_data, k.mv_size) == 0) {
			rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
		}
		for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (!summed_db((enum store_db) db, k.mv_data, k.mv_size)) {
				continue;
			}
			if (!batch_add(&bt, &k, &v)) {
				rc = ENOMEM;
				break;
			}
			if (bt.n >= limit || bt.len >= UPGRADE_BYTES) {
				/* Where the next step goes on from. */
				memcpy(lastbuf + 1, k.mv_data, k.mv_size);
				last.mv_size = k.mv_size;
				full         = true;
				break;
			}
		}
		mdb_cursor_close(cur);
		if (rc != 0 && rc != MDB_NOTFOUND) {
			free(bt.b);
			return (store_err(rc));
		}
		rv = batch_put(txn, st, db, &bt);
		*rewritten += bt.n;
		bt.len = bt.n = 0;
		if (rv != 0 || full) {
			break;
		}
	}
	free(bt.b);
	if (rv != 0) {
		return (rv);
	}
	MDB_val pk = { strlen(STORE_META_SUMS_AT), STORE_META_SUMS_AT };
	if (full) {
		MDB_val pv = { last.mv_size + 1, lastbuf };
		lastbuf[0] = (unsigned char) db;
		return (store_err(mdb_put(txn, st->dbi[DB_META], &pk, &pv, 0)));
	}
	/* Every record has its sum: from now on they are checked. */
	MDB_val sv = { strlen(STORE_SUMS_KIND), STORE_SUMS_KIND };
	if ((rc = mdb_del(txn, st->dbi[DB_META], &pk, NULL)) != 0 &&
	    rc != MDB_NOTFOUND) {
		return (store_err(rc));
	}
	if ((rc = mdb_put(txn, st->dbi[DB_META], &mk, &sv, 0)) != 0) {
		return (store_err(rc));
	}
	st->changes++;
	st->sums = true;
	*done    = true;
	return (0);
}
