/*
 * scan.c: the store's iterator (store.h, "Scans"), the only cursor loop
 * callers get.  It exists so that key prefixes, MDB_SET_RANGE, duplicate
 * navigation and the counting of cursor writes live in one place, and the
 * rest of the server walks a database the way Redis walks a hash: begin,
 * next until the end, end.  Each call is one LMDB cursor move plus, for a
 * prefix, one memcmp: nothing is copied or parsed.
 */
#include <string.h>

#include <lmdb.h>

#include "core/store/impl.h"
#include "core/util/err.h"

/* it->op once the scan has passed its last record. */
#define SCAN_DONE (-1)

int
store_scan_begin(struct store_scan *it, MDB_txn *txn, struct store *st,
    enum store_db db, const struct store_key *prefix,
    const struct store_key *from)
{
	const struct store_key *start = from != NULL ? from : prefix;
	int                     rc;

	it->st   = st;
	it->db   = db;
	it->plen = prefix != NULL ? prefix->len : 0;
	it->slen = start != NULL ? start->len : 0;
	if (prefix != NULL) {
		memcpy(it->prefix, prefix->b, it->plen);
	}
	if (start != NULL) {
		memcpy(it->start, start->b, it->slen);
	}
	it->op = it->slen > 0 ? MDB_SET_RANGE : MDB_FIRST;
	if ((rc = mdb_cursor_open(txn, st->dbi[db], &it->cur)) != 0) {
		it->cur = NULL;
		return (store_err(rc));
	}
	return (SK_OK);
}

/* A move's return code; after a record, store_scan_next goes on from
 * there. */
static int
moved(struct store_scan *it, int rc)
{
	if (rc == MDB_NOTFOUND) {
		return (STORE_SCAN_END);
	}
	if (rc != 0) {
		return (store_err(rc));
	}
	it->op = MDB_NEXT;
	return (SK_OK);
}

/* One move: the first (it->op) or next (next_op), checked against the
 * prefix. */
static int
scan_move(struct store_scan *it, MDB_val *key, MDB_val *val, int next_op)
{
	MDB_val k = { it->slen, it->start }, v;
	int     rc, rv;

	if (it->op == SCAN_DONE) {
		return (STORE_SCAN_END);
	}
	rc = mdb_cursor_get(it->cur, &k, &v,
	    it->op == MDB_NEXT ? (MDB_cursor_op) next_op
	                       : (MDB_cursor_op) it->op);
	if (rc == 0 && it->plen > 0 &&
	    (k.mv_size < it->plen ||
	        memcmp(k.mv_data, it->prefix, it->plen) != 0)) {
		rc = MDB_NOTFOUND; /* past the prefix's last key */
	}
	if (rc == MDB_NOTFOUND) {
		it->op = SCAN_DONE;
	}
	if ((rv = moved(it, rc)) == SK_OK &&
	    (rv = store_sum_check(it->st, it->db, &k, &v)) == SK_OK) {
		*key = k;
		*val = v;
	}
	return (rv);
}

int
store_scan_next(struct store_scan *it, MDB_val *key, MDB_val *val)
{
	return (scan_move(it, key, val, MDB_NEXT));
}

int
store_scan_next_key(struct store_scan *it, MDB_val *key, MDB_val *val)
{
	return (scan_move(it, key, val, MDB_NEXT_NODUP));
}

void
store_scan_restart(struct store_scan *it)
{
	it->op = it->slen > 0 ? MDB_SET_RANGE : MDB_FIRST;
}

int
store_scan_del(struct store_scan *it)
{
	return (store_cursor_del(it->st, it->cur));
}

int
store_scan_put(
    struct store_scan *it, MDB_val *key, MDB_val *val, unsigned flags)
{
	int rv = store_cursor_put(it->st, it->db, it->cur, key, val, flags);
	if (rv == SK_OK) {
		it->op = MDB_NEXT;
	}
	return (rv);
}

void
store_scan_end(struct store_scan *it)
{
	if (it->cur != NULL) {
		mdb_cursor_close(it->cur);
		it->cur = NULL;
	}
}

int
store_dup_count(struct store_scan *it, const void *key, size_t klen, size_t *n)
{
	MDB_val k = { klen, (void *) key }, v;
	int     rc;

	*n = 0;
	if ((rc = mdb_cursor_get(it->cur, &k, &v, MDB_SET)) == 0) {
		rc = mdb_cursor_count(it->cur, n);
	}
	return (moved(it, rc));
}

int
store_dup_find(struct store_scan *it, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *) key }, v = { vlen, (void *) val };
	return (moved(it, mdb_cursor_get(it->cur, &k, &v, MDB_GET_BOTH)));
}

int
store_dup_seek(
    struct store_scan *it, const void *key, size_t klen, MDB_val *val)
{
	MDB_val k = { klen, (void *) key };
	return (
	    moved(it, mdb_cursor_get(it->cur, &k, val, MDB_GET_BOTH_RANGE)));
}

int
store_dup_last(
    struct store_scan *it, const void *key, size_t klen, MDB_val *val)
{
	MDB_val k = { klen, (void *) key };
	int     rc;

	if ((rc = mdb_cursor_get(it->cur, &k, val, MDB_SET)) == 0) {
		rc = mdb_cursor_get(it->cur, &k, val, MDB_LAST_DUP);
	}
	return (moved(it, rc));
}

int
store_dup_next(struct store_scan *it, MDB_val *val)
{
	MDB_val k;
	return (moved(it, mdb_cursor_get(it->cur, &k, val, MDB_NEXT_DUP)));
}

int
store_dup_prev(struct store_scan *it, MDB_val *val)
{
	MDB_val k;
	return (moved(it, mdb_cursor_get(it->cur, &k, val, MDB_PREV_DUP)));
}

int
store_dup_packed(struct store_scan *it, bool first, MDB_val *vals)
{
	MDB_val k;
	return (moved(it,
	    mdb_cursor_get(it->cur, &k, vals,
	        first ? MDB_GET_MULTIPLE : MDB_NEXT_MULTIPLE)));
}

/* The first or last record of db (op: MDB_FIRST or MDB_LAST). */
static int
edge(MDB_txn *txn, struct store *st, enum store_db db, MDB_val *key,
    MDB_val *val, MDB_cursor_op op)
{
	MDB_cursor *cur;
	int         rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[db], &cur)) != 0) {
		return (store_err(rc));
	}
	rc = mdb_cursor_get(cur, key, val, op);
	mdb_cursor_close(cur);
	if (rc == 0) {
		return (store_sum_check(st, db, key, val));
	}
	return (rc == MDB_NOTFOUND ? STORE_SCAN_END : store_err(rc));
}

int
store_first(MDB_txn *txn, struct store *st, enum store_db db, MDB_val *key,
    MDB_val *val)
{
	return (edge(txn, st, db, key, val, MDB_FIRST));
}

int
store_last(MDB_txn *txn, struct store *st, enum store_db db, MDB_val *key,
    MDB_val *val)
{
	return (edge(txn, st, db, key, val, MDB_LAST));
}

int
store_stat(
    MDB_txn *txn, struct store *st, enum store_db db, struct store_stat *out)
{
	MDB_stat ms;
	int      rc;

	if ((rc = mdb_stat(txn, st->dbi[db], &ms)) != 0) {
		out->entries = out->leaf_pages = out->bytes = 0;
		return (store_err(rc));
	}
	out->entries    = ms.ms_entries;
	out->leaf_pages = ms.ms_leaf_pages;
	out->bytes      = (uint64_t) (ms.ms_branch_pages + ms.ms_leaf_pages +
	                      ms.ms_overflow_pages) *
	    ms.ms_psize;
	return (SK_OK);
}

uint64_t
store_entries(MDB_txn *txn, struct store *st, enum store_db db)
{
	struct store_stat s;
	return (store_stat(txn, st, db, &s) == SK_OK ? s.entries : 0);
}
