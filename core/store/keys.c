/*
 * keys.c: the store's plain access (store.h): key building, get, put and
 * delete by key (every write counted in store->changes, the one place
 * LMDB's put and del are called besides the iterator's cursor), the JSON
 * documents under string ids with store_doc_view's cache, and the meta
 * counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/impl.h"
#include "core/util/err.h"
#include "core/util/json.h"

void
store_key_init(struct store_key *k)
{
	k->len = 0;
}

void
store_key_u64(struct store_key *k, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		k->b[k->len++] = (unsigned char) (v >> (i * 8));
	}
}

void
store_key_str(struct store_key *k, const char *s)
{
	size_t n = strlen(s);
	if (n > 255) {
		n = 255; /* ids are at most 64 bytes; longer never matches */
	}
	k->b[k->len++] = (unsigned char) n;
	memcpy(k->b + k->len, s, n);
	k->len += n;
}

void
store_key_bytes(struct store_key *k, const void *p, size_t n)
{
	memcpy(k->b + k->len, p, n);
	k->len += n;
}

uint64_t
store_u64_at(const void *p)
{
	const unsigned char *b = p;
	uint64_t             v = 0;
	for (int i = 0; i < 8; i++) {
		v = (v << 8) | b[i];
	}
	return (v);
}

int
store_get(MDB_txn *txn, struct store *st, enum store_db db, const void *key,
    size_t klen, MDB_val *val)
{
	MDB_val k = { klen, (void *) key };
	int     rc = mdb_get(txn, st->dbi[db], &k, val);
	return (rc == 0 ? store_sum_check(st, db, &k, val) : store_err(rc));
}

/* ------------------------------------------------------------------ */
/* store_doc_view's cache (store.h).                                   */

static bool
cached_db(enum store_db db)
{
	return (db == DB_COUNCILS || db == DB_UNITS);
}

static void
cache_clear(struct store *st)
{
	for (unsigned i = 0; i < st->cache_n; i++) {
		json_object_put(st->cache[i].doc);
	}
	st->cache_n = 0;
}

/* Every write comes through here: one to a cached database empties it. */
static void
cache_wrote(struct store *st, enum store_db db)
{
	st->changes++;
	if (st->cache_n > 0 && cached_db(db)) {
		cache_clear(st);
	}
}

static void
cache_wrote_cursor(struct store *st, MDB_cursor *cur)
{
	MDB_dbi dbi = mdb_cursor_dbi(cur);
	st->changes++;
	for (int db = 0; st->cache_n > 0 && db < DB_COUNT; db++) {
		if (st->dbi[db] == dbi && cached_db((enum store_db) db)) {
			cache_clear(st);
		}
	}
}

void
store_cache_bind(struct store *st, MDB_txn *txn)
{
	cache_clear(st);
	st->cache_txn = txn;
}

void
store_cache_unbind(struct store *st)
{
	cache_clear(st);
	st->cache_txn = NULL;
}

int
store_doc_view(MDB_txn *txn, struct store *st, enum store_db db,
    const char *id, json_object **out)
{
	size_t idlen = strlen(id);
	int    rv;

	if (txn != st->cache_txn || !cached_db(db) ||
	    idlen > STORE_DOC_ID_MAX) {
		return (store_doc_get(txn, st, db, id, out));
	}
	for (unsigned i = 0; i < st->cache_n; i++) {
		struct store_doc_slot *c = &st->cache[i];
		if (c->db == db && strcmp(c->id, id) == 0) {
			*out = json_object_get(c->doc);
			return (0);
		}
	}
	if ((rv = store_doc_get(txn, st, db, id, out)) != 0) {
		return (rv);
	}
	if (st->cache_n == STORE_DOC_CACHE) {
		/* Full: start over (a batch rarely reads more than a few). */
		cache_clear(st);
	}
	struct store_doc_slot *c = &st->cache[st->cache_n++];
	c->db                    = db;
	memcpy(c->id, id, idlen + 1);
	c->doc = json_object_get(*out);
	return (0);
}

int
store_put(MDB_txn *txn, struct store *st, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	MDB_val       k = { klen, (void *) key };
	MDB_val       v = { vlen, (void *) val };
	unsigned char small[1024], *buf = small;
	int           rc;

	cache_wrote(st, db);
	if (store_summed(st, db, key, klen)) {
		/* The value and its checksum, side by side (a copy: val may
		 * be a record of this transaction, which a reserved put
		 * could move before it is copied). */
		if (vlen + STORE_SUM_LEN > sizeof(small) &&
		    (buf = malloc(vlen + STORE_SUM_LEN)) == NULL) {
			return (SK_EINTERNAL);
		}
		store_sum_write(key, klen, val, vlen, buf);
		v = (MDB_val) { vlen + STORE_SUM_LEN, buf };
	}
	rc = mdb_put(txn, st->dbi[db], &k, &v, 0);
	if (buf != small) {
		free(buf);
	}
	return (store_err(rc));
}

int
store_del(MDB_txn *txn, struct store *st, enum store_db db, const void *key,
    size_t klen)
{
	MDB_val k = { klen, (void *) key };
	int     rc;
	cache_wrote(st, db);
	rc = mdb_del(txn, st->dbi[db], &k, NULL);
	return (rc == MDB_NOTFOUND ? SK_OK : store_err(rc));
}

int
store_clear(MDB_txn *txn, struct store *st, enum store_db db)
{
	cache_wrote(st, db);
	return (store_err(mdb_drop(txn, st->dbi[db], 0)));
}

int
store_put_dup(MDB_txn *txn, struct store *st, enum store_db db,
    const void *key, size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *) key };
	MDB_val v = { vlen, (void *) val };
	int     rc;
	cache_wrote(st, db);
	rc = mdb_put(txn, st->dbi[db], &k, &v, MDB_NODUPDATA);
	return (rc == MDB_KEYEXIST ? SK_OK : store_err(rc));
}

int
store_del_dup(MDB_txn *txn, struct store *st, enum store_db db,
    const void *key, size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *) key };
	MDB_val v = { vlen, (void *) val };
	int     rc;
	cache_wrote(st, db);
	rc = mdb_del(txn, st->dbi[db], &k, &v);
	return (rc == MDB_NOTFOUND ? SK_OK : store_err(rc));
}

int
store_cursor_put(struct store *st, enum store_db db, MDB_cursor *cur,
    MDB_val *key, MDB_val *val, unsigned flags)
{
	unsigned char small[1024], *buf = small;
	MDB_val       v = *val;
	int           rc;

	cache_wrote_cursor(st, cur);
	if (store_summed(st, db, key->mv_data, key->mv_size)) {
		if (v.mv_size + STORE_SUM_LEN > sizeof(small) &&
		    (buf = malloc(v.mv_size + STORE_SUM_LEN)) == NULL) {
			return (SK_EINTERNAL);
		}
		store_sum_write(key->mv_data, key->mv_size, val->mv_data,
		    val->mv_size, buf);
		v = (MDB_val) { val->mv_size + STORE_SUM_LEN, buf };
	}
	rc = mdb_cursor_put(cur, key, &v, flags);
	if (buf != small) {
		free(buf);
	}
	return (store_err(rc));
}

int
store_cursor_del(struct store *st, MDB_cursor *cur)
{
	cache_wrote_cursor(st, cur);
	return (store_err(mdb_cursor_del(cur, 0)));
}

json_object *
store_json(const MDB_val *v)
{
	/* Stored documents were validated when they came in (or written by
	 * the server itself): parse them without validating again, with one
	 * tokener per thread instead of a new one per document. */
	static __thread json_tokener *tok;
	json_object                  *o;

	if (tok == NULL && (tok = json_tokener_new()) == NULL) {
		return (NULL);
	}
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, v->mv_data, (int) v->mv_size);
	if (o != NULL && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	return (o);
}

int
store_doc_get(MDB_txn *txn, struct store *st, enum store_db db,
    const char *id, json_object **out)
{
	MDB_val v;
	int     rv;
	if ((rv = store_get(txn, st, db, id, strlen(id), &v)) != 0) {
		return (rv);
	}
	if ((*out = store_json(&v)) == NULL) {
		return (SK_EINTERNAL);
	}
	return (0);
}

int
store_doc_put(MDB_txn *txn, struct store *st, enum store_db db,
    const char *id, json_object *doc)
{
	size_t      len;
	const char *text = util_json_text(doc, &len);
	return (store_put(txn, st, db, id, strlen(id), text, len));
}

int
store_meta_u64(MDB_txn *txn, struct store *st, const char *name, uint64_t *v)
{
	MDB_val val;
	char    buf[32];
	int     rv = store_get(txn, st, DB_META, name, strlen(name), &val);
	if (rv == SK_ENOTFOUND) {
		*v = 0;
		return (0);
	}
	if (rv != 0) {
		return (rv);
	}
	if (val.mv_size >= sizeof(buf)) {
		return (SK_EINTERNAL);
	}
	memcpy(buf, val.mv_data, val.mv_size);
	buf[val.mv_size] = '\0';
	*v               = strtoull(buf, NULL, 10);
	return (0);
}

int
store_meta_set_u64(MDB_txn *txn, struct store *st, const char *name,
    uint64_t v)
{
	char buf[32];
	int  n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return (store_put(txn, st, DB_META, name, strlen(name), buf, (size_t) n));
}
