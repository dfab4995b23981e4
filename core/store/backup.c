/*
 * backup.c: reading the map from other threads than the loop's (store.h):
 * server.verify's snapshots and server.backup's compacted copy.  Both hold
 * map_lock, so that the map cannot grow (and move) under them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "core/store/impl.h"
#include "core/util/err.h"

int
store_snapshot_begin(struct store *st, MDB_txn **txn)
{
	int rc;
	pthread_rwlock_rdlock(&st->map_lock);
	if (st->unmapped) {
		pthread_rwlock_unlock(&st->map_lock);
		return (SK_EUNAVAIL);
	}
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
	if (st->unmapped) {
		pthread_rwlock_unlock(&st->map_lock);
		snprintf(err, errlen, "%s", st->grow_err);
		return (SK_EUNAVAIL);
	}
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
