/*
 * store.c: the LMDB environment behind sangkien (layout in store.h): opening
 * it, its transactions, and the map that grows under them.
 *
 * The rest of the store lives beside it, a file per concern (impl.h lists
 * them).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/store/impl.h"
#include "core/util/err.h"

#define DEFAULT_MAPSIZE ((size_t) 64 << 20)

const char *const store_db_names[DB_COUNT] = {
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
	[DB_ROUNDS]       = "rounds",
	[DB_NOTICES]      = "notices",
	[DB_NOTICE_INDEX] = "notice_index",
};

/* Flags of the databases that are not plain key -> value. */
static const unsigned db_flags[DB_COUNT] = {
	[DB_DEDUP_BANDS]  = MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP,
	[DB_SEARCH_TERMS] = MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP,
};

bool
store_db_plain(enum store_db db)
{
	return (!(db_flags[db] & MDB_DUPSORT));
}

static bool
schema_is(const MDB_val *v, const char *version)
{
	return (v->mv_size == strlen(version) &&
	    memcmp(v->mv_data, version, v->mv_size) == 0);
}

/*
 * Creates and opens the environment at st->mapsize, and its databases in
 * *txn (a write transaction the caller commits); on error there is
 * nothing to end.  Returns an LMDB code.
 */
static int
env_open(struct store *st, MDB_txn **txn)
{
	int rc;

	*txn = NULL;
	if ((rc = mdb_env_create(&st->env)) != 0) {
		st->env = NULL;
		return (rc);
	}
	if ((rc = mdb_env_set_maxdbs(st->env, DB_COUNT + 8)) != 0 ||
	    (rc = mdb_env_set_maxreaders(st->env, 126)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, st->mapsize)) != 0 ||
	    (rc = mdb_env_open(st->env, st->path, st->flags, 0640)) != 0) {
		goto fail;
	}
	if (store_counts_precheck(st->env, st->path, st->precheck_err,
	        sizeof(st->precheck_err)) != 0) {
		rc = MDB_INVALID;
		goto fail;
	}
	if ((rc = mdb_txn_begin(st->env, NULL, 0, txn)) != 0) {
		goto fail;
	}
	for (int i = 0; i < DB_COUNT; i++) {
		if ((rc = mdb_dbi_open(*txn, store_db_names[i],
		         MDB_CREATE | db_flags[i], &st->dbi[i])) != 0) {
			goto fail;
		}
	}
	return (0);
fail:
	if (*txn != NULL) {
		mdb_txn_abort(*txn);
		*txn = NULL;
	}
	mdb_env_close(st->env);
	st->env = NULL;
	return (rc);
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

	if ((st = store_alloc(dir)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (SK_EINTERNAL);
	}
	st->mapsize = mapsize ? mapsize : DEFAULT_MAPSIZE;
	if (nosync) {
		flags |= MDB_NOSYNC;
	}
	st->flags = flags;
	if ((rc = env_open(st, &txn)) != 0) {
		if (st->precheck_err[0] != '\0') {
			snprintf(err, errlen, "%s", st->precheck_err);
		} else {
			snprintf(err, errlen, "cannot open the database in %s: %s",
			    dir, mdb_strerror(rc));
		}
		goto fail;
	}
	/* An existing file may be larger than asked: use what it is. */
	MDB_envinfo info;
	mdb_env_info(st->env, &info);
	st->mapsize = info.me_mapsize;

	MDB_val k = { strlen(STORE_META_SCHEMA), STORE_META_SCHEMA }, v;
	rc        = mdb_get(txn, st->dbi[DB_META], &k, &v);
	if (rc == MDB_NOTFOUND) {
		/* A new database: its records have checksums from the
		 * first. */
		MDB_val sk = { strlen(STORE_META_SUMS), STORE_META_SUMS };
		MDB_val sv = { strlen(STORE_SUMS_KIND), STORE_SUMS_KIND };
		v.mv_data = STORE_SCHEMA;
		v.mv_size = strlen(STORE_SCHEMA);
		if ((rc = mdb_put(txn, st->dbi[DB_META], &k, &v, 0)) == 0) {
			rc = mdb_put(txn, st->dbi[DB_META], &sk, &sv, 0);
		}
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
		MDB_val sk = { strlen(STORE_META_SUMS), STORE_META_SUMS };
		st->sums   = mdb_get(txn, st->dbi[DB_META], &sk, &v) == 0;
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
	return (store_discard(st, txn));
}

struct store *
store_alloc(const char *dir)
{
	struct store *st = calloc(1, sizeof(*st));
	if (st != NULL) {
		atomic_init(&st->stop_reading, false);
		pthread_rwlock_init(&st->map_lock, NULL);
		snprintf(st->path, sizeof(st->path), "%s", dir);
	}
	return (st);
}

int
store_discard(struct store *st, MDB_txn *txn)
{
	if (txn != NULL) {
		mdb_txn_abort(txn);
	}
	if (st->env != NULL) {
		mdb_env_close(st->env);
	}
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
	if (st->env != NULL) {
		mdb_env_close(st->env);
	}
	pthread_rwlock_destroy(&st->map_lock);
	free(st);
}

int
store_write_begin(struct store *st, MDB_txn *parent, MDB_txn **txn)
{
	if (st->unmapped) {
		return (SK_EUNAVAIL);
	}
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
	if (st->unmapped) {
		return (SK_EUNAVAIL);
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

/* After a failed grow: the environment closed and opened again at
 * st->mapsize, under map_lock (no other thread reads).  An LMDB code. */
static int
env_reopen(struct store *st)
{
	MDB_txn *txn;
	int      rc;

	if (st->rtxn != NULL) {
		mdb_txn_abort(st->rtxn);
		st->rtxn      = NULL;
		st->rtxn_live = false;
	}
	mdb_env_close(st->env);
	st->env = NULL;
	if ((rc = env_open(st, &txn)) != 0) {
		return (rc);
	}
	return (mdb_txn_commit(txn));
}

/* Doubles the map, waiting for the other threads' snapshots to end, or
 * (!wait) not at all if one is being read.  *grown says whether it did.
 *
 * LMDB unmaps the old map before it maps the new one, and when that mmap
 * fails (the address space is limited: ulimit -v, a 32-bit process) it
 * leaves the environment with no map and its meta pointers dangling: the
 * next transaction crashed (SIGSEGV in store_read_begin); and with no map
 * mdb_env_set_mapsize maps nothing.  So a failed grow closes the
 * environment and opens it again at the old size (what was just unmapped
 * fits), as a restart would, and the store goes on, read-only in effect: the batch that needed the room
 * is refused with unavailable naming the cause (store_grow_error), reads
 * are served, and the next batch that needs room tries to grow again. */
static int
map_double(struct store *st, bool wait, bool *grown)
{
	size_t want = st->mapsize * 2;
	int    rc, back = 0;

	*grown = false;
	store_read_end(st);
	if (wait) {
		pthread_rwlock_wrlock(&st->map_lock);
	} else if (pthread_rwlock_trywrlock(&st->map_lock) != 0) {
		return (0);
	}
	rc = mdb_env_set_mapsize(st->env, want);
	if (rc != 0) {
		back = env_reopen(st);
	}
	pthread_rwlock_unlock(&st->map_lock);
	if (rc != 0) {
		st->grow_failed_at = time(NULL);
		snprintf(st->grow_err, sizeof(st->grow_err),
		    "database map cannot grow: %s (from %zu to %zu MiB)",
		    mdb_strerror(rc), st->mapsize >> 20, want >> 20);
		if (back != 0) {
			/* Not even the old size maps again: nothing may
			 * touch the environment any more. */
			st->unmapped = true;
			snprintf(st->grow_err, sizeof(st->grow_err),
			    "database map lost: %s (growing from %zu to %zu "
			    "MiB, then mapping %zu MiB again); restart "
			    "sangkiend",
			    mdb_strerror(back), st->mapsize >> 20, want >> 20,
			    st->mapsize >> 20);
		}
		return (SK_EUNAVAIL);
	}
	st->mapsize     = want;
	st->grow_err[0] = '\0';
	*grown          = true;
	return (0);
}

const char *
store_grow_error(const struct store *st)
{
	return (st->grow_err[0] != '\0' ? st->grow_err : NULL);
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
	/* After a failed grow, not at every commit (each failure closes and
	 * opens the environment again): a minute later, or when a batch
	 * finds the map full (store_grow). */
	if (st->grow_err[0] != '\0' && time(NULL) - st->grow_failed_at < 60) {
		return (0);
	}
	return (map_double(st, false, grown));
}

uint64_t
store_bytes(struct store *st)
{
	MDB_envinfo info;
	MDB_stat    stat;
	if (st->unmapped) {
		return (0);
	}
	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &stat);
	return ((uint64_t) (info.me_last_pgno + 1) * stat.ms_psize);
}

size_t
store_mapsize(const struct store *st)
{
	return (st->mapsize);
}

uint64_t
store_changes(const struct store *st)
{
	return (st->changes);
}

void
store_stop_reading(struct store *st)
{
	atomic_store(&st->stop_reading, true);
}

bool
store_stopping(struct store *st)
{
	return (atomic_load(&st->stop_reading));
}
