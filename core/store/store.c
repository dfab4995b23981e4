/*
 * store.c: the LMDB environment behind sangkien (layout in store.h).
 *
 * Like Knot Resolver's cdb_lmdb.c, this file is the only one that speaks
 * LMDB's error codes: store_err() turns them into the project's.  It also
 * keeps the two invariants that everything else relies on: index entries
 * always match the cases (store_case_put is the only writer of both), and
 * the history is a gap-free hash chain (store_event_add is its only writer).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/err.h"
#include "core/store/store.h"
#include "core/model/workflow.h"
#include "ipc/proto.h"

#define HASH_LEN 32
#define DEFAULT_MAPSIZE ((size_t) 64 << 20)

static const char *const db_names[DB_COUNT] = {
	[DB_META]         = "meta",
	[DB_CASES]        = "cases",
	[DB_HISTORY]      = "history",
	[DB_CASE_HISTORY] = "case_history",
	[DB_BY_STATE]     = "by_state",
	[DB_BY_UNIT]      = "by_unit",
	[DB_BY_AUTHOR]    = "by_author",
	[DB_BY_DUE]       = "by_due",
	[DB_UNITS]        = "units",
	[DB_USERS]        = "users",
	[DB_TOKENS]       = "tokens",
	[DB_COUNCILS]     = "councils",
	[DB_IDEM]         = "idem",
	[DB_IDEM_TIME]    = "idem_time",
	[DB_RUBRICS]      = "rubrics",
	[DB_RUBRIC_IDS]   = "rubric_ids",
	[DB_BALLOTS]      = "ballots",
	[DB_TIMERS]       = "timers",
	[DB_DEDUP_SIGS]   = "dedup_sigs",
	[DB_DEDUP_BANDS]  = "dedup_bands",
	[DB_SEARCH_TERMS] = "search_terms",
	[DB_COUNCIL_INDEX] = "council_index",
	[DB_CASE_ITEMS]   = "case_items",
	[DB_DEDUP_PENDING] = "dedup_pending",
	[DB_SEARCH_PENDING] = "search_pending",
};

/* Flags of the databases that are not plain key -> value. */
static const unsigned db_flags[DB_COUNT] = {
	[DB_DEDUP_BANDS]  = MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP,
	[DB_SEARCH_TERMS] = MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP,
};

/* What the loops of store_verify set rc to when asked to stop: not one
 * of LMDB's codes (those are errno values, or MDB_KEYEXIST and above). */
#define STORE_STOPPED (MDB_KEYEXIST - 1)

int
store_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return (SK_OK);
	case STORE_STOPPED:
		return (SK_EUNAVAIL);
	case MDB_NOTFOUND:
		return (SK_ENOTFOUND);
	case MDB_MAP_FULL:
		return (SK_EMAPFULL);
	case MDB_KEYEXIST:
		return (SK_ECONFLICT);
	case ENOSPC:
	case MDB_READERS_FULL:
	case MDB_TXN_FULL:
		return (SK_EUNAVAIL);
	default:
		return (SK_EINTERNAL);
	}
}

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
	return (store_err(mdb_get(txn, st->dbi[db], &k, val)));
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
	MDB_val k = { klen, (void *) key };
	MDB_val v = { vlen, (void *) val };
	cache_wrote(st, db);
	return (store_err(mdb_put(txn, st->dbi[db], &k, &v, 0)));
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
store_cursor_put(struct store *st, MDB_cursor *cur, MDB_val *key,
    MDB_val *val, unsigned flags)
{
	cache_wrote_cursor(st, cur);
	return (store_err(mdb_cursor_put(cur, key, val, flags)));
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
	const char *text = proto_json_text(doc, &len);
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

static int
meta_add(MDB_txn *txn, struct store *st, const char *name, int64_t delta)
{
	uint64_t v;
	int      rv;
	if ((rv = store_meta_u64(txn, st, name, &v)) != 0) {
		return (rv);
	}
	return (store_meta_set_u64(txn, st, name, (uint64_t) ((int64_t) v + delta)));
}

static bool
schema_is(const MDB_val *v, const char *version)
{
	return (v->mv_size == strlen(version) &&
	    memcmp(v->mv_data, version, v->mv_size) == 0);
}

int
store_open(struct store **out, const char *dir, size_t mapsize, bool nosync,
    char *err, size_t errlen)
{
	struct store *st;
	MDB_txn      *txn = NULL;
	int           rc;
	/* MDB_NORDAHEAD: reads are point lookups over a file that may be
	 * larger than memory, and a page fault stops the loop.  Without it a
	 * fault on a cold page reads the device's whole readahead window
	 * around it (read_ahead_kb: 8 MiB on the development machine): at
	 * 1,000,000 cases skbench read 5 case.get/s that way, against 1,042/s
	 * with it.  The price is a slower warm-up of a small database from a
	 * cold cache (9k against 30-37k reads/s at 50,000 cases right after
	 * drop_caches), and none once the pages are in. */
	unsigned      flags = MDB_NOTLS | MDB_NORDAHEAD;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (SK_EINTERNAL);
	}
	atomic_init(&st->stop_reading, false);
	pthread_rwlock_init(&st->map_lock, NULL);
	snprintf(st->path, sizeof(st->path), "%s", dir);
	st->mapsize = mapsize ? mapsize : DEFAULT_MAPSIZE;
	if (nosync) {
		flags |= MDB_NOSYNC;
	}
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, DB_COUNT + 8)) != 0 ||
	    (rc = mdb_env_set_maxreaders(st->env, 126)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, st->mapsize)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, flags, 0640)) != 0) {
		snprintf(err, errlen, "cannot open the database in %s: %s", dir,
		    mdb_strerror(rc));
		goto fail;
	}
	/* An existing file may be larger than asked: use what it is. */
	MDB_envinfo info;
	mdb_env_info(st->env, &info);
	st->mapsize = info.me_mapsize;

	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0) {
		snprintf(err, errlen, "cannot begin a transaction: %s",
		    mdb_strerror(rc));
		goto fail;
	}
	for (int i = 0; i < DB_COUNT; i++) {
		if ((rc = mdb_dbi_open(txn, db_names[i],
		         MDB_CREATE | db_flags[i], &st->dbi[i])) != 0) {
			snprintf(err, errlen, "cannot open database %s: %s",
			    db_names[i], mdb_strerror(rc));
			goto fail;
		}
	}
	MDB_val k = { 6, "schema" }, v;
	rc        = mdb_get(txn, st->dbi[DB_META], &k, &v);
	if (rc == MDB_NOTFOUND) {
		v.mv_data = STORE_SCHEMA;
		v.mv_size = strlen(STORE_SCHEMA);
		rc        = mdb_put(txn, st->dbi[DB_META], &k, &v, 0);
	} else if (rc == 0 && !schema_is(&v, STORE_SCHEMA) &&
	    !schema_is(&v, STORE_SCHEMA_OLD)) {
		snprintf(err, errlen,
		    "the database in %s has schema version %.*s; this "
		    "sangkiend reads versions %s and %s",
		    dir, (int) v.mv_size, (char *) v.mv_data, STORE_SCHEMA_OLD,
		    STORE_SCHEMA);
		goto fail;
	}
	if (rc == 0) {
		/* The commit frees the transaction even when it fails. */
		rc  = mdb_txn_commit(txn);
		txn = NULL;
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot initialize the database: %s",
		    mdb_strerror(rc));
		goto fail;
	}
	*out = st;
	return (0);
fail:
	if (txn != NULL) {
		mdb_txn_abort(txn);
	}
	mdb_env_close(st->env);
	pthread_rwlock_destroy(&st->map_lock);
	free(st);
	return (SK_EUNAVAIL);
}

void
store_close(struct store *st)
{
	if (st == NULL) {
		return;
	}
	store_cache_unbind(st);
	if (st->rtxn != NULL) {
		mdb_txn_abort(st->rtxn);
	}
	mdb_env_close(st->env);
	pthread_rwlock_destroy(&st->map_lock);
	free(st);
}

int
store_write_begin(struct store *st, MDB_txn *parent, MDB_txn **txn)
{
	return (store_err(mdb_txn_begin(st->env, parent, 0, txn)));
}

int
store_read_begin(struct store *st, MDB_txn **txn)
{
	int rc;
	if (st->rtxn_live) {
		*txn = st->rtxn;
		return (0);
	}
	if (st->rtxn == NULL) {
		rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &st->rtxn);
	} else {
		rc = mdb_txn_renew(st->rtxn);
	}
	if (rc == MDB_MAP_RESIZED) {
		/* Another process grew the map (mdb_copy does not, but be
		 * safe): adopt the new size and retry once. */
		mdb_env_set_mapsize(st->env, 0);
		rc = st->rtxn == NULL
		    ? mdb_txn_begin(st->env, NULL, MDB_RDONLY, &st->rtxn)
		    : mdb_txn_renew(st->rtxn);
	}
	if (rc != 0) {
		return (store_err(rc));
	}
	st->rtxn_live = true;
	*txn          = st->rtxn;
	return (0);
}

void
store_read_end(struct store *st)
{
	if (st->rtxn_live) {
		mdb_txn_reset(st->rtxn);
		st->rtxn_live = false;
	}
}

/* Doubles the map, waiting for the other threads' snapshots to end, or
 * (!wait) not at all if one is being read.  *grown says whether it did. */
static int
map_double(struct store *st, bool wait, bool *grown)
{
	size_t want = st->mapsize * 2;
	int    rc;

	*grown = false;
	store_read_end(st);
	if (wait) {
		pthread_rwlock_wrlock(&st->map_lock);
	} else if (pthread_rwlock_trywrlock(&st->map_lock) != 0) {
		return (0);
	}
	rc = mdb_env_set_mapsize(st->env, want);
	pthread_rwlock_unlock(&st->map_lock);
	if (rc != 0) {
		return (store_err(rc));
	}
	st->mapsize = want;
	*grown      = true;
	return (0);
}

int
store_grow(struct store *st)
{
	bool grown;
	return (map_double(st, true, &grown));
}

int
store_grow_ahead(struct store *st, bool *grown)
{
	*grown = false;
	if (store_bytes(st) < st->mapsize / 4 * 3) {
		return (0);
	}
	return (map_double(st, false, grown));
}

uint64_t
store_bytes(struct store *st)
{
	MDB_envinfo info;
	MDB_stat    stat;
	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &stat);
	return ((uint64_t) (info.me_last_pgno + 1) * stat.ms_psize);
}

/*
 * Cases and their indexes.
 */

int
store_case_get(MDB_txn *txn, struct store *st, uint64_t id, json_object **out)
{
	struct store_key k;
	MDB_val          v;
	int              rv;
	store_key_init(&k);
	store_key_u64(&k, id);
	if ((rv = store_get(txn, st, DB_CASES, k.b, k.len, &v)) != 0) {
		return (rv);
	}
	if ((*out = store_json(&v)) == NULL) {
		return (SK_EINTERNAL);
	}
	return (0);
}

static const char *
doc_str(json_object *doc, const char *key)
{
	json_object *v;
	if (doc == NULL || !json_object_object_get_ex(doc, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		return (NULL);
	}
	return (json_object_get_string(v));
}

/* Calls fn for each index entry (db, key) that doc implies. */
typedef int (*index_fn)(MDB_txn *, struct store *, enum store_db,
    const struct store_key *, void *arg);

static int
case_index_each(MDB_txn *txn, struct store *st, uint64_t id,
    json_object *doc, index_fn fn, void *arg)
{
	struct store_key k;
	const char      *s;
	json_object     *v;
	int              rv;

	if ((s = doc_str(doc, "state")) != NULL) {
		store_key_init(&k);
		store_key_str(&k, s);
		store_key_u64(&k, id);
		if ((rv = fn(txn, st, DB_BY_STATE, &k, arg)) != 0) {
			return (rv);
		}
	}
	if ((s = doc_str(doc, "unit")) != NULL) {
		store_key_init(&k);
		store_key_str(&k, s);
		store_key_u64(&k, id);
		if ((rv = fn(txn, st, DB_BY_UNIT, &k, arg)) != 0) {
			return (rv);
		}
	}
	/* "author_users" is the set of users who author the case. */
	if (json_object_object_get_ex(doc, "author_users", &v) &&
	    json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++) {
			json_object *u = json_object_array_get_idx(v, i);
			store_key_init(&k);
			store_key_str(&k, json_object_get_string(u));
			store_key_u64(&k, id);
			if ((rv = fn(txn, st, DB_BY_AUTHOR, &k, arg)) != 0) {
				return (rv);
			}
		}
	}
	if (json_object_object_get_ex(doc, "due_ts", &v) &&
	    json_object_is_type(v, json_type_int)) {
		store_key_init(&k);
		store_key_u64(&k, (uint64_t) json_object_get_int64(v));
		store_key_u64(&k, id);
		if ((rv = fn(txn, st, DB_BY_DUE, &k, arg)) != 0) {
			return (rv);
		}
	}
	return (0);
}

static int
index_del(MDB_txn *txn, struct store *st, enum store_db db,
    const struct store_key *k, void *arg)
{
	return (store_del(txn, st, db, k->b, k->len));
}

static int
index_put(MDB_txn *txn, struct store *st, enum store_db db,
    const struct store_key *k, void *arg)
{
	return (store_put(txn, st, db, k->b, k->len, "", 0));
}

/* The index entries a document implies. */
struct entries {
	struct entry {
		enum store_db    db;
		struct store_key k;
	} *e;
	size_t n, cap;
};

static int
entry_collect(MDB_txn *txn, struct store *st, enum store_db db,
    const struct store_key *k, void *arg)
{
	struct entries *es = arg;
	(void) txn;
	(void) st;
	if (es->n == es->cap) {
		size_t        cap = es->cap ? es->cap * 2 : 8;
		struct entry *e   = realloc(es->e, cap * sizeof(*e));
		if (e == NULL) {
			return (SK_EINTERNAL);
		}
		es->e   = e;
		es->cap = cap;
	}
	es->e[es->n++] = (struct entry) { db, *k };
	return (0);
}

static bool
entry_in(const struct entries *es, const struct entry *x)
{
	for (size_t i = 0; i < es->n; i++) {
		if (es->e[i].db == x->db && es->e[i].k.len == x->k.len &&
		    memcmp(es->e[i].k.b, x->k.b, x->k.len) == 0) {
			return (true);
		}
	}
	return (false);
}

/*
 * Moves the index entries of case id from those of old (NULL: none) to
 * those of doc, touching only the ones that differ: an update that keeps
 * the state, unit, authors and deadline writes no index page at all.
 */
static int
move_entries(MDB_txn *txn, struct store *st, uint64_t id, json_object *old,
    json_object *doc)
{
	struct entries before = { 0 }, after = { 0 };
	int            rv = 0;

	if (old != NULL) {
		rv = case_index_each(txn, st, id, old, entry_collect, &before);
	}
	if (rv == 0) {
		rv = case_index_each(txn, st, id, doc, entry_collect, &after);
	}
	for (size_t i = 0; rv == 0 && i < before.n; i++) {
		if (!entry_in(&after, &before.e[i])) {
			rv = index_del(txn, st, before.e[i].db, &before.e[i].k, NULL);
		}
	}
	for (size_t i = 0; rv == 0 && i < after.n; i++) {
		if (!entry_in(&before, &after.e[i])) {
			rv = index_put(txn, st, after.e[i].db, &after.e[i].k, NULL);
		}
	}
	free(before.e);
	free(after.e);
	return (rv);
}

static void
count_name(char *buf, size_t len, const char *state)
{
	snprintf(buf, len, "count/%s", state);
}

const char *const store_case_internal_fields[] = { "author_users", "due_ts",
	"councils", NULL };

/*
 * A case's entry in case_items: first what deciding who may see the case
 * takes, in a few bytes, then its list item as JSON text, so that neither a
 * case.get nor a page of case.list parses a document to answer:
 *
 *   u8 ITEM_V1, u32 view_bytes (big-endian),
 *   s16 state, unit, field, submitted_at, pinned unit council, pinned
 *   province council (each "" if none),
 *   u8 n, s16 author user x n, u8 m, s16 confidential section x m,
 *   the list item (store_case_list_item) as JSON text.
 *
 * ("s16": a big-endian u16 length and the bytes.)  An entry written before
 * this format is JSON text alone, and starts with '{'.
 */
#define ITEM_V1 0x01

static const char *const list_fields[] = { "id", "unit", "title", "state",
	"state_label", "updated_at", "due_at", NULL };

json_object *
store_case_list_item(json_object *doc)
{
	json_object *it = json_object_new_object(), *v;
	for (const char *const *f = list_fields; *f; f++) {
		json_object_object_add(it, *f,
		    json_object_object_get_ex(doc, *f, &v) ? json_object_get(v)
		                                           : NULL);
	}
	return (it);
}

struct ibuf {
	unsigned char *b;
	size_t         len, cap;
	bool           bad;
};

static void
ibuf_put(struct ibuf *ib, const void *p, size_t n)
{
	if (ib->bad || ib->len + n > ib->cap) {
		size_t         cap = (ib->len + n) * 2 + 256;
		unsigned char *b   = ib->bad ? NULL : realloc(ib->b, cap);
		if (b == NULL) {
			ib->bad = true;
			return;
		}
		ib->b   = b;
		ib->cap = cap;
	}
	memcpy(ib->b + ib->len, p, n);
	ib->len += n;
}

static void
ibuf_s16(struct ibuf *ib, const char *s)
{
	size_t        n = s ? strlen(s) : 0;
	unsigned char l[2];
	if (n > 0xffff) {
		ib->bad = true;
		return;
	}
	l[0] = (unsigned char) (n >> 8);
	l[1] = (unsigned char) n;
	ibuf_put(ib, l, 2);
	ibuf_put(ib, s ? s : "", n);
}

/* A u8 count and the strings of the array doc[key] (none if absent). */
static void
ibuf_strs(struct ibuf *ib, json_object *doc, const char *key)
{
	json_object  *a;
	unsigned char n = 0;
	size_t        len = 0;
	if (json_object_object_get_ex(doc, key, &a) &&
	    json_object_is_type(a, json_type_array)) {
		len = json_object_array_length(a);
	}
	if (len > 0xff) {
		ib->bad = true;
		return;
	}
	n = (unsigned char) len;
	ibuf_put(ib, &n, 1);
	for (size_t i = 0; i < len; i++) {
		ibuf_s16(ib, json_object_get_string(json_object_array_get_idx(a, i)));
	}
}

/* view_bytes: where the case's internal fields begin in its stored text. */
static int
case_item_put(MDB_txn *txn, struct store *st, const struct store_key *k,
    json_object *doc, size_t view_bytes)
{
	struct ibuf    ib = { 0 };
	json_object   *councils = NULL, *item;
	unsigned char  head[5] = { ITEM_V1, (unsigned char) (view_bytes >> 24),
		 (unsigned char) (view_bytes >> 16),
		 (unsigned char) (view_bytes >> 8), (unsigned char) view_bytes };
	const char    *text;
	size_t         len;
	int            rv;

	json_object_object_get_ex(doc, "councils", &councils);
	ibuf_put(&ib, head, sizeof(head));
	ibuf_s16(&ib, doc_str(doc, "state"));
	ibuf_s16(&ib, doc_str(doc, "unit"));
	ibuf_s16(&ib, doc_str(doc, "field"));
	ibuf_s16(&ib, doc_str(doc, "submitted_at"));
	ibuf_s16(&ib, doc_str(councils, "unit"));
	ibuf_s16(&ib, doc_str(councils, "province"));
	ibuf_strs(&ib, doc, "author_users");
	ibuf_strs(&ib, doc, "confidential");
	item = store_case_list_item(doc);
	text = proto_json_text(item, &len);
	ibuf_put(&ib, text, len);
	json_object_put(item);
	rv = ib.bad || view_bytes > UINT32_MAX
	    ? SK_EINTERNAL
	    : store_put(txn, st, DB_CASE_ITEMS, k->b, k->len, ib.b, ib.len);
	free(ib.b);
	return (rv);
}

/* Reading an entry: each step fails once the bytes run out. */
struct ird {
	const unsigned char *p, *end;
	bool                 bad;
};

/* Keeps n bytes of s, and a NUL, in f->buf; NULL when they do not fit. */
static const char *
facts_keep(struct case_facts *f, const char *s, size_t n)
{
	char *d;
	if (n >= sizeof(f->buf) - f->used) {
		f->full = true;
		return (NULL);
	}
	d = f->buf + f->used;
	memcpy(d, s, n);
	d[n]    = '\0';
	f->used += n + 1;
	return (d);
}

/* An s16 of the entry, kept; NULL (and r->bad) when it cannot be. */
static const char *
ird_keep(struct ird *r, struct case_facts *f)
{
	size_t      n;
	const char *s;
	if (r->bad || r->end - r->p < 2 ||
	    (n = (size_t) r->p[0] << 8 | r->p[1]) > (size_t) (r->end - r->p) - 2 ||
	    (s = facts_keep(f, (const char *) r->p + 2, n)) == NULL) {
		r->bad = true;
		return (NULL);
	}
	r->p += 2 + n;
	return (s);
}

/* As ird_keep, but "" (which the entry writes for none) is NULL. */
static const char *
ird_opt(struct ird *r, struct case_facts *f)
{
	const char *s = ird_keep(r, f);
	return (s != NULL && s[0] != '\0' ? s : NULL);
}

/* A u8 count and as many strings, into v (at most CASE_FACTS_STRS). */
static size_t
ird_strs(struct ird *r, struct case_facts *f, const char **v)
{
	unsigned n = r->p < r->end ? *r->p++ : (r->bad = true, 0);
	if (n > CASE_FACTS_STRS) {
		r->bad = true;
		return (0);
	}
	for (unsigned i = 0; i < n && !r->bad; i++) {
		v[i] = ird_keep(r, f);
	}
	return (r->bad ? 0 : n);
}

static void
facts_init(struct case_facts *f, uint64_t id)
{
	f->id = id;
	f->view_bytes = 0;
	f->state = f->unit = f->field = "";
	f->submitted_at = f->council[0] = f->council[1] = NULL;
	f->nauthors = f->nconfidential = 0;
	f->used                        = 0;
	f->full                        = false;
}

int
store_case_facts(MDB_txn *txn, struct store *st, uint64_t id,
    struct case_facts *f, const char **list, size_t *list_len)
{
	struct store_key k;
	MDB_val          v;
	json_object     *doc;
	int              rv;

	*list     = NULL;
	*list_len = 0;
	store_key_init(&k);
	store_key_u64(&k, id);
	if ((rv = store_get(txn, st, DB_CASE_ITEMS, k.b, k.len, &v)) != 0) {
		return (rv);
	}
	if (v.mv_size == 0 || *(const unsigned char *) v.mv_data != ITEM_V1) {
		/* An older entry: JSON with the same fields. */
		if ((doc = store_json(&v)) == NULL) {
			return (SK_EINTERNAL);
		}
		rv = store_case_facts_of(doc, f);
		f->id = id;
		json_object_put(doc);
		return (rv == 0 ? 0 : SK_EINTERNAL);
	}
	struct ird r = { v.mv_data, (const unsigned char *) v.mv_data +
		                            v.mv_size,
		false };
	if (v.mv_size < 5) {
		return (SK_EINTERNAL);
	}
	facts_init(f, id);
	f->view_bytes = (size_t) r.p[1] << 24 | (size_t) r.p[2] << 16 |
	    (size_t) r.p[3] << 8 | r.p[4];
	r.p += 5;
	f->state         = ird_keep(&r, f);
	f->unit          = ird_keep(&r, f);
	f->field         = ird_keep(&r, f);
	f->submitted_at  = ird_opt(&r, f);
	f->council[0]    = ird_opt(&r, f);
	f->council[1]    = ird_opt(&r, f);
	f->nauthors      = ird_strs(&r, f, f->authors);
	f->nconfidential = ird_strs(&r, f, f->confidential);
	if (r.bad || r.p >= r.end || *r.p != '{') {
		return (SK_EINTERNAL);
	}
	*list     = (const char *) r.p;
	*list_len = (size_t) (r.end - r.p);
	return (0);
}

/* The strings of the array doc[key] (none if absent) into v. */
static int
facts_strs(struct case_facts *f, json_object *doc, const char *key,
    const char **v, size_t *n)
{
	json_object *a;
	*n = 0;
	if (!json_object_object_get_ex(doc, key, &a) ||
	    !json_object_is_type(a, json_type_array)) {
		return (0);
	}
	if (json_object_array_length(a) > CASE_FACTS_STRS) {
		return (SK_EBADREQ);
	}
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *s = json_object_array_get_idx(a, i);
		if ((v[*n] = facts_keep(f, json_object_get_string(s),
		         (size_t) json_object_get_string_len(s))) == NULL) {
			return (SK_EBADREQ);
		}
		(*n)++;
	}
	return (0);
}

/* doc[key] kept, or NULL if absent (or not a string, or no room). */
static const char *
facts_str(struct case_facts *f, json_object *doc, const char *key)
{
	const char *s = doc_str(doc, key);
	return (s != NULL ? facts_keep(f, s, strlen(s)) : NULL);
}

int
store_case_facts_of(json_object *doc, struct case_facts *f)
{
	json_object *councils = NULL, *id;

	json_object_object_get_ex(doc, "councils", &councils);
	facts_init(f, json_object_object_get_ex(doc, "id", &id)
	        ? (uint64_t) json_object_get_int64(id)
	        : 0);
	f->state        = facts_str(f, doc, "state");
	f->unit         = facts_str(f, doc, "unit");
	f->field        = facts_str(f, doc, "field");
	f->submitted_at = facts_str(f, doc, "submitted_at");
	f->council[0]   = facts_str(f, councils, "unit");
	f->council[1]   = facts_str(f, councils, "province");
	f->state        = f->state ? f->state : "";
	f->unit         = f->unit ? f->unit : "";
	f->field        = f->field ? f->field : "";
	if (facts_strs(f, doc, "author_users", f->authors, &f->nauthors) !=
	        0 ||
	    facts_strs(f, doc, "confidential", f->confidential,
	        &f->nconfidential) != 0 ||
	    f->full) {
		return (SK_EBADREQ);
	}
	return (0);
}

static bool
is_internal(const char *key)
{
	for (const char *const *f = store_case_internal_fields; *f; f++) {
		if (strcmp(*f, key) == 0) {
			return (true);
		}
	}
	return (false);
}

/*
 * The stored text of a case: its fields in their order, the internal ones
 * last, so that the text before them (view_bytes long) is the case as
 * everyone who may read all of it sees it, less the closing brace.
 * Returns a malloc'd text, or NULL when out of memory.
 */
static char *
case_text(json_object *doc, size_t *len, size_t *view_bytes)
{
	json_object *view = json_object_new_object();
	json_object *rest = json_object_new_object();
	const char  *vt, *rt;
	size_t       vl, rl;
	char        *out = NULL;

	json_object_object_foreach(doc, key, val)
	{
		json_object_object_add(
		    is_internal(key) ? rest : view, key, json_object_get(val));
	}
	vt = proto_json_text(view, &vl);
	rt = proto_json_text(rest, &rl);
	/* Both are "{...}": join them as one object. */
	if (vt != NULL && rt != NULL && vl >= 2 && rl >= 2 &&
	    (out = malloc(vl + rl)) != NULL) {
		*view_bytes = vl - 1;
		memcpy(out, vt, vl - 1);
		*len = vl - 1;
		if (rl > 2) {
			out[(*len)++] = vl > 2 ? ',' : ' ';
			memcpy(out + *len, rt + 1, rl - 1);
			*len += rl - 1;
		} else {
			out[(*len)++] = '}';
		}
	}
	json_object_put(view);
	json_object_put(rest);
	return (out);
}

int
store_case_items_rebuild(MDB_txn *txn, struct store *st, uint64_t *n)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	int         rc, rv = 0;

	*n = 0;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_CASES], &cur)) != 0) {
		return (store_err(rc));
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && rv == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct store_key key;
		json_object     *doc = store_json(&v);
		if (doc == NULL) {
			continue;
		}
		store_key_init(&key);
		store_key_u64(&key, store_u64_at(k.mv_data));
		rv = case_item_put(txn, st, &key, doc, 0);
		json_object_put(doc);
		(*n)++;
	}
	mdb_cursor_close(cur);
	return (rv != 0 ? rv : rc == MDB_NOTFOUND ? 0 : store_err(rc));
}

int
store_case_put(MDB_txn *txn, struct store *st, uint64_t id, json_object *old,
    json_object *doc, struct store_case_text *out)
{
	struct store_key k;
	char            *text;
	size_t           len, view_bytes = 0;
	char             cname[64];
	int              rv;

	if ((rv = move_entries(txn, st, id, old, doc)) != 0) {
		return (rv);
	}
	const char *from = old ? doc_str(old, "state") : NULL;
	const char *to   = doc_str(doc, "state");
	if (from == NULL || to == NULL || strcmp(from, to) != 0) {
		if (from != NULL) {
			count_name(cname, sizeof(cname), from);
			if ((rv = meta_add(txn, st, cname, -1)) != 0) {
				return (rv);
			}
		}
		count_name(cname, sizeof(cname), to);
		if ((rv = meta_add(txn, st, cname, 1)) != 0) {
			return (rv);
		}
	}
	store_key_init(&k);
	store_key_u64(&k, id);
	if ((text = case_text(doc, &len, &view_bytes)) == NULL) {
		return (SK_EINTERNAL);
	}
	if ((rv = case_item_put(txn, st, &k, doc, view_bytes)) == 0) {
		rv = store_put(txn, st, DB_CASES, k.b, k.len, text, len);
	}
	if (rv == 0 && out != NULL) {
		*out = (struct store_case_text) { text, len, view_bytes };
	} else {
		free(text);
	}
	return (rv);
}

/*
 * The history.
 */

static void
hex(const unsigned char *b, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, b, n);
}

int
store_event_add(MDB_txn *txn, struct store *st, json_object *ev,
    uint64_t *seqp, char **textp)
{
	uint64_t         seq;
	MDB_val          v;
	char             prev[HASH_LEN * 2 + 1] = "";
	unsigned char    h[HASH_LEN];
	struct store_key k;
	const char      *text;
	size_t           len;
	json_object     *cv;
	int              rv;

	if ((rv = store_meta_u64(txn, st, "last_seq", &seq)) != 0) {
		return (rv);
	}
	seq++;
	rv = store_get(txn, st, DB_META, "head_hash", 9, &v);
	if (rv == 0 && v.mv_size == HASH_LEN * 2) {
		memcpy(prev, v.mv_data, HASH_LEN * 2);
		prev[HASH_LEN * 2] = '\0';
	} else if (rv != SK_ENOTFOUND && rv != 0) {
		return (rv);
	}
	/* seq goes first so that people reading the history see it first. */
	json_object *out = json_object_new_object();
	json_object_object_add(out, "seq", json_object_new_int64((int64_t) seq));
	json_object_object_foreach(ev, key, val)
	{
		if (strcmp(key, "seq") != 0 && strcmp(key, "prev") != 0) {
			json_object_object_add(out, key, json_object_get(val));
		}
	}
	json_object_object_add(out, "prev", json_object_new_string(prev));
	text = proto_json_text(out, &len);
	crypto_generichash(h, HASH_LEN, (const unsigned char *) text, len,
	    NULL, 0);
	hex(h, HASH_LEN, prev);

	store_key_init(&k);
	store_key_u64(&k, seq);
	if ((rv = store_put(txn, st, DB_HISTORY, k.b, k.len, text, len)) != 0 ||
	    (rv = store_put(txn, st, DB_META, "head_hash", 9, prev,
	         HASH_LEN * 2)) != 0 ||
	    (rv = store_meta_set_u64(txn, st, "last_seq", seq)) != 0) {
		json_object_put(out);
		return (rv);
	}
	if (json_object_object_get_ex(ev, "case", &cv) &&
	    json_object_is_type(cv, json_type_int)) {
		store_key_init(&k);
		store_key_u64(&k, (uint64_t) json_object_get_int64(cv));
		store_key_u64(&k, seq);
		if ((rv = store_put(txn, st, DB_CASE_HISTORY, k.b, k.len, "",
		         0)) != 0) {
			json_object_put(out);
			return (rv);
		}
	}
	*seqp = seq;
	if (textp != NULL) {
		*textp = strdup(text);
	}
	json_object_put(out);
	return (0);
}

/*
 * Verification: everything an index says must be true of the cases, and
 * everything the cases imply must be in the indexes.
 */

void
store_problem(json_object *problems, const char *fmt, ...)
{
	char    buf[512];
	va_list ap;
	if (json_object_array_length(problems) >= STORE_MAX_PROBLEMS) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(problems, json_object_new_string(buf));
}

static int
index_expect(MDB_txn *txn, struct store *st, enum store_db db,
    const struct store_key *k, void *arg)
{
	MDB_val v;
	if (store_get(txn, st, db, k->b, k->len, &v) != 0) {
		store_problem(arg, "case %" PRIu64 " is missing from %s",
		    store_u64_at(k->b + k->len - 8), db_names[db]);
	}
	return (0);
}

/* True, every 256 records, once the server has asked long reads to
 * stop (st->stop_reading). */
static bool
stop_asked(struct store *st, uint64_t n)
{
	return ((n & 255) == 0 &&
	    atomic_load_explicit(&st->stop_reading, memory_order_relaxed));
}

/* Each entry of an index must point to a case that implies it. */
static int
verify_index(MDB_txn *txn, struct store *st, enum store_db db,
    json_object *problems, uint64_t *entries)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	int         rc;

	if ((rc = mdb_cursor_open(txn, st->dbi[db], &cur)) != 0) {
		return (store_err(rc));
	}
	*entries = 0;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (stop_asked(st, *entries)) {
			rc = STORE_STOPPED;
			break;
		}
		(*entries)++;
		if (k.mv_size < 8) {
			store_problem(
			    problems, "%s has a malformed key", db_names[db]);
			continue;
		}
		uint64_t id = store_u64_at((char *) k.mv_data + k.mv_size - 8);
		json_object *doc;
		if (store_case_get(txn, st, id, &doc) != 0) {
			store_problem(problems, "%s names case %" PRIu64
			    ", which does not exist", db_names[db], id);
			continue;
		}
		/* Rebuild the case's own keys and look for this one. */
		struct store_key want;
		bool             found = false;
		const char      *s;
		json_object     *a;
		switch (db) {
		case DB_BY_STATE:
		case DB_BY_UNIT:
			s = doc_str(doc, db == DB_BY_STATE ? "state" : "unit");
			store_key_init(&want);
			store_key_str(&want, s ? s : "");
			store_key_u64(&want, id);
			found = want.len == k.mv_size &&
			    memcmp(want.b, k.mv_data, want.len) == 0;
			break;
		case DB_BY_AUTHOR:
			if (json_object_object_get_ex(doc, "author_users", &a)) {
				for (size_t i = 0;
				     i < json_object_array_length(a); i++) {
					store_key_init(&want);
					store_key_str(&want,
					    json_object_get_string(
						json_object_array_get_idx(a, i)));
					store_key_u64(&want, id);
					found = found ||
					    (want.len == k.mv_size &&
					        memcmp(want.b, k.mv_data,
					            want.len) == 0);
				}
			}
			break;
		case DB_BY_DUE:
			if (json_object_object_get_ex(doc, "due_ts", &a)) {
				found = store_u64_at(k.mv_data) ==
				    (uint64_t) json_object_get_int64(a);
			}
			break;
		default:
			found = true;
		}
		if (!found) {
			store_problem(problems,
			    "%s has a stale entry for case %" PRIu64,
			    db_names[db], id);
		}
		json_object_put(doc);
	}
	mdb_cursor_close(cur);
	return (rc == MDB_NOTFOUND ? 0 : store_err(rc));
}

static int
verify_history(MDB_txn *txn, struct store *st, json_object *problems,
    uint64_t *nevents)
{
	MDB_cursor   *cur;
	MDB_val       k, v;
	int           rc;
	uint64_t      expect = 1, last_seq;
	char          prev[HASH_LEN * 2 + 1] = "";
	unsigned char h[HASH_LEN];

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_HISTORY], &cur)) != 0) {
		return (store_err(rc));
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (stop_asked(st, expect)) {
			rc = STORE_STOPPED;
			break;
		}
		uint64_t seq = store_u64_at(k.mv_data);
		if (seq != expect) {
			store_problem(problems,
			    "history has a gap: seq %" PRIu64
			    " follows %" PRIu64,
			    seq, expect - 1);
		}
		expect           = seq + 1;
		json_object *ev  = store_json(&v);
		json_object *p   = NULL, *s = NULL;
		if (ev == NULL ||
		    !json_object_object_get_ex(ev, "prev", &p) ||
		    !json_object_object_get_ex(ev, "seq", &s) ||
		    (uint64_t) json_object_get_int64(s) != seq) {
			store_problem(problems, "history event %" PRIu64
			    " is malformed", seq);
		} else if (strcmp(json_object_get_string(p), prev) != 0) {
			store_problem(problems, "history event %" PRIu64
			    " does not chain to the one before it "
			    "(hash mismatch)", seq);
		}
		json_object_put(ev);
		crypto_generichash(h, HASH_LEN, v.mv_data, v.mv_size, NULL, 0);
		hex(h, HASH_LEN, prev);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND) {
		return (store_err(rc));
	}
	*nevents = expect - 1;
	store_meta_u64(txn, st, "last_seq", &last_seq);
	if (last_seq != expect - 1) {
		store_problem(problems, "meta last_seq is %" PRIu64
		    " but the history ends at %" PRIu64, last_seq, expect - 1);
	}
	if (store_get(txn, st, DB_META, "head_hash", 9, &v) == 0 &&
	    (v.mv_size != HASH_LEN * 2 ||
	        memcmp(v.mv_data, prev, HASH_LEN * 2) != 0)) {
		store_problem(problems,
		    "meta head_hash does not match the last "
		    "history event");
	}
	return (0);
}

int
store_verify(MDB_txn *txn, struct store *st, json_object *problems,
    uint64_t *ncases, uint64_t *nevents)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	int         rc, rv;
	uint64_t    counts[WF_NSTATES] = { 0 };
	uint64_t    n = 0, entries[DB_COUNT] = { 0 }, expected[DB_COUNT] = { 0 };

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_CASES], &cur)) != 0) {
		return (store_err(rc));
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (stop_asked(st, n)) {
			rc = STORE_STOPPED;
			break;
		}
		uint64_t     id  = store_u64_at(k.mv_data);
		json_object *doc = store_json(&v);
		json_object *a;
		n++;
		if (doc == NULL) {
			store_problem(problems,
			    "case %" PRIu64 " is not valid JSON", id);
			continue;
		}
		enum wf_state s = wf_state_parse(doc_str(doc, "state") ?: "");
		if (s == WF_NONE) {
			store_problem(problems,
			    "case %" PRIu64 " has no valid state", id);
		} else {
			counts[s]++;
		}
		case_index_each(txn, st, id, doc, index_expect, problems);
		expected[DB_BY_STATE]++;
		expected[DB_BY_UNIT]++;
		expected[DB_CASE_ITEMS]++;
		if (json_object_object_get_ex(doc, "author_users", &a)) {
			expected[DB_BY_AUTHOR] += json_object_array_length(a);
		}
		if (json_object_object_get_ex(doc, "due_ts", &a)) {
			expected[DB_BY_DUE]++;
		}
		json_object_put(doc);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND) {
		return (store_err(rc));
	}
	*ncases = n;
	for (int s = 0; s < WF_NSTATES; s++) {
		char     cname[64];
		uint64_t c;
		count_name(cname, sizeof(cname), wf_state_name(s));
		store_meta_u64(txn, st, cname, &c);
		if (c != counts[s]) {
			store_problem(problems,
			    "the count of %s cases says %" PRIu64
			    " but there are %" PRIu64,
			    wf_state_name(s), c, counts[s]);
		}
	}
	const enum store_db idx[] = { DB_BY_STATE, DB_BY_UNIT, DB_BY_AUTHOR,
		DB_BY_DUE, DB_CASE_ITEMS };
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		if ((rv = verify_index(txn, st, idx[i], problems,
		         &entries[idx[i]])) != 0) {
			return (rv);
		}
		if (entries[idx[i]] != expected[idx[i]]) {
			store_problem(problems,
			    "%s has %" PRIu64 " entries; the cases "
			    "imply %" PRIu64,
			    db_names[idx[i]], entries[idx[i]],
			    expected[idx[i]]);
		}
	}
	return (verify_history(txn, st, problems, nevents));
}

int
store_snapshot_begin(struct store *st, MDB_txn **txn)
{
	int rc;
	pthread_rwlock_rdlock(&st->map_lock);
	if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn)) != 0) {
		pthread_rwlock_unlock(&st->map_lock);
		return (store_err(rc));
	}
	return (0);
}

void
store_snapshot_end(struct store *st, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	pthread_rwlock_unlock(&st->map_lock);
}

int
store_backup(struct store *st, const char *path, char *err, size_t errlen)
{
	int rc;
	pthread_rwlock_rdlock(&st->map_lock);
	rc = mdb_env_copy2(st->env, path, MDB_CP_COMPACT);
	pthread_rwlock_unlock(&st->map_lock);
	if (rc != 0) {
		snprintf(err, errlen, "cannot copy the database to %s: %s", path,
		    mdb_strerror(rc));
		return (rc == ENOENT || rc == EEXIST ? SK_EBADREQ
		                                      : store_err(rc));
	}
	return (0);
}
