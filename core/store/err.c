/*
 * err.c: where LMDB's return codes become the project's (store.h,
 * store_err), in one function as in Knot Resolver's cdb_lmdb.c: after it,
 * only the codes of core/util/err.h travel.
 */
#include <errno.h>
#include <sys/statvfs.h>

#include "core/store/impl.h"
#include "core/util/err.h"
#include "core/util/log.h"

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
		return (SK_EDISKFULL);
	case MDB_READERS_FULL:
	case MDB_TXN_FULL:
		return (SK_EUNAVAIL);
	default:
		log_error("LMDB: %s (%d)", mdb_strerror(rc), rc);
		return (SK_EINTERNAL);
	}
}

int
store_commit_err(struct store *st, int rc)
{
	struct statvfs sv;
	uint64_t       avail = UINT64_MAX;

	if (rc == MDB_SUCCESS) {
		return (SK_OK);
	}
	if (statvfs(st->path, &sv) == 0) {
		avail = (uint64_t) sv.f_bavail * sv.f_frsize;
	}
	if (rc == ENOSPC || (rc == EIO && avail < STORE_DISK_LOW)) {
		log_error("the disk holding %s is full (%llu bytes free): %s",
		    st->path, (unsigned long long) avail, mdb_strerror(rc));
		return (SK_EDISKFULL);
	}
	return (store_err(rc));
}
