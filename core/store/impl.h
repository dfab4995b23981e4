/*
 * impl.h: the store's private header, for the files of core/store/ only (in
 * the manner of Knot Resolver's lib/cache/impl.h beside its api.h): what
 * they share and no caller may use.  store.h is the public API.
 *
 * The files, a concern each:
 *   store.c    the environment: open, close, transactions, map growth
 *   err.c      store_err, where LMDB's codes become the project's
 *   keys.c     keys, get/put/del (every write counted), documents and
 *              store_doc_view's cache, meta counters
 *   scan.c     the iterator: prefix scans, duplicates, counts
 *   cases.c    cases, their indexes, counters, facts and list items
 *   history.c  the history's hash chain
 *   verify.c   server.verify's reading of everything
 *   backup.c   snapshots and backups, read off the loop under map_lock
 *   sum.c      every record's checksum, and the upgrade that adds them
 */
#ifndef SK_STORE_IMPL_H
#define SK_STORE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "core/store/store.h"

/* store_doc_view's cache: how many documents, and their longest id. */
#define STORE_DOC_CACHE 32
#define STORE_DOC_ID_MAX 64

struct store {
	MDB_env *env;
	MDB_dbi  dbi[DB_COUNT];
	/* The loop's read snapshot, recycled with reset/renew; NULL if none. */
	MDB_txn *rtxn;
	bool     rtxn_live;
	size_t   mapsize;
	unsigned flags; /* mdb_env_open's */
	char     path[4096];
	/* Writes made through the store, ever (store_changes): the server
	 * compares it before and after a request to tell whether a failed one
	 * changed anything.  No file outside core/store/ calls LMDB's put or
	 * del (t_rollback checks). */
	uint64_t changes;
	/* Held (read) by store_backup and store_snapshot_begin, which read
	 * the map on threads of their own, and (write) by store_grow: LMDB
	 * remaps the file when the map grows, under any transaction still
	 * reading it. */
	pthread_rwlock_t map_lock;
	/* Set by the server when it is shutting down (store_stop_reading):
	 * store_verify, which reads the whole database on a thread of its own
	 * (minutes at a million cases), gives up part way (SK_EUNAVAIL)
	 * instead of holding the shutdown until it ends. */
	atomic_bool stop_reading;
	/* Why the map could not grow last time ("" once it has grown):
	 * store_grow_error.  unmapped: not even the old size could be mapped
	 * again, and no transaction may begin (map_double, store.c). */
	/* Records carry their checksum (sum.c): set at open from meta
	 * "checksums", or by the upgrade that adds them. */
	bool sums;
	char   grow_err[256];
	time_t grow_failed_at;
	bool   unmapped;
	/* The documents store_doc_view has parsed for cache_txn (below). */
	MDB_txn *cache_txn;
	unsigned cache_n;
	struct store_doc_slot {
		enum store_db db;
		char          id[STORE_DOC_ID_MAX + 1];
		json_object  *doc;
	} cache[STORE_DOC_CACHE];
};

/* mdb_cursor_put and mdb_cursor_del, counted. */
int store_cursor_put(struct store *st, enum store_db db, MDB_cursor *cur,
    MDB_val *key, MDB_val *val, unsigned flags);
int store_cursor_del(struct store *st, MDB_cursor *cur);

/* The checksum's bytes at the end of a value (sum.c). */
#define STORE_SUM_LEN 8
/* Whether db holds plain key -> value records (not sorted duplicates),
 * which carry a checksum (store.c). */
bool store_db_plain(enum store_db db);
/* Whether the record (db, key) carries a checksum in this store. */
bool store_summed(const struct store *st, enum store_db db, const void *key,
    size_t klen);
/* val and its checksum into out (vlen + STORE_SUM_LEN bytes). */
void store_sum_write(const void *key, size_t klen, const void *val,
    size_t vlen, unsigned char *out);
/* Checks v's checksum and strips it; SK_EINTERNAL, with store_damage()
 * naming the record, if it does not match. */
int store_sum_check(const struct store *st, enum store_db db,
    const MDB_val *k, MDB_val *v);

/* BLAKE2b-256, the history chain's hash (hex: twice as many chars). */
#define STORE_HASH_LEN 32

/* Each database's name in the environment (store.c). */
extern const char *const store_db_names[DB_COUNT];

/* What the loops of store_verify set rc to when asked to stop: not one
 * of LMDB's codes (those are errno values, or MDB_KEYEXIST and above);
 * store_err makes it SK_EUNAVAIL. */
#define STORE_STOPPED (MDB_KEYEXIST - 1)

/* n bytes as 2n lowercase hex digits and a NUL (history.c). */
void store_hex(const unsigned char *b, size_t n, char *out);

/* doc's string member key, or NULL (cases.c). */
const char *store_doc_str(json_object *doc, const char *key);

/* Calls fn for each index entry (db, key) that the case doc implies; stops
 * at the first non-zero return (cases.c). */
typedef int (*store_index_fn)(MDB_txn *, struct store *, enum store_db,
    const struct store_key *, void *arg);
int store_case_index_each(MDB_txn *txn, struct store *st, uint64_t id,
    json_object *doc, store_index_fn fn, void *arg);

/* The meta key of state's counter, "count/STATE" (cases.c). */
void store_count_name(char *buf, size_t len, const char *state);

#endif
