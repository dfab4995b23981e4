/*
 * err.c: where LMDB's return codes become the project's (store.h,
 * store_err), in one function as in Knot Resolver's cdb_lmdb.c: after it,
 * only the codes of core/util/err.h travel.
 */
#include <errno.h>

#include "core/store/impl.h"
#include "core/util/err.h"

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
