/*
 * counts.c: what a database must at least hold, kept beside it, and the
 * checks of a backup before it is restored (store.h, "Counts").
 *
 * LMDB keeps two meta pages and uses the one with the higher transaction
 * id.  A damaged byte in the newer one's id makes LMDB use the older one
 * silently: in a compacted backup (mdb_env_copy2), whose older meta page
 * describes an empty database, the server started on nothing and verify
 * called it clean (issue 19).  Nothing inside the file can tell, so two
 * things outside it do:
 *   - counts.json in the data directory (and in each backup): the history's
 *     last seq and next_case when the server last started or stopped (or
 *     when the backup was made).  A database that holds less than that has
 *     lost committed data: the server refuses to start on it, and verify
 *     says so.
 *   - a compacted backup's file is exactly as long as its newest meta page
 *     says (last page + 1): any other length means LMDB is reading a meta
 *     page that is not the newest.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store/impl.h"
#include "core/util/err.h"

#define COUNTS_FILE "counts.json"

static int
counts_of(MDB_txn *txn, struct store *st, struct store_counts *c)
{
	int rv;
	if ((rv = store_meta_u64(txn, st, "last_seq", &c->last_seq)) != 0 ||
	    (rv = store_meta_u64(txn, st, "next_case", &c->next_case)) != 0) {
		return (rv);
	}
	return (0);
}

int
store_counts(struct store *st, struct store_counts *c)
{
	MDB_txn *txn;
	int      rv;
	if ((rv = store_err(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn))) !=
	    0) {
		return (rv);
	}
	rv = counts_of(txn, st, c);
	mdb_txn_abort(txn);
	return (rv);
}

int
store_counts_save(struct store *st, const char *dir, char *err,
    size_t errlen)
{
	struct store_counts c;
	char                path[4200], tmp[4210], text[128];
	int                 fd, n, rv;

	if ((rv = store_counts(st, &c)) != 0) {
		snprintf(err, errlen, "cannot read the counts: %s",
		    sk_err_code(rv));
		return (rv);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, COUNTS_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(text, sizeof(text),
	    "{\"last_seq\":%" PRIu64 ",\"next_case\":%" PRIu64 "}\n",
	    c.last_seq, c.next_case);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) <
	        0 ||
	    write(fd, text, (size_t) n) != n || fsync(fd) != 0 ||
	    close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return (SK_EUNAVAIL);
	}
	return (0);
}

int
store_counts_load(const char *dir, struct store_counts *c, bool *found)
{
	char        path[4200], text[256];
	FILE       *f;
	size_t      n;
	const char *p;

	*found = false;
	snprintf(path, sizeof(path), "%s/%s", dir, COUNTS_FILE);
	if ((f = fopen(path, "re")) == NULL) {
		return (errno == ENOENT ? 0 : SK_EUNAVAIL);
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if ((p = strstr(text, "\"last_seq\":")) == NULL ||
	    sscanf(p, "\"last_seq\":%" SCNu64, &c->last_seq) != 1 ||
	    (p = strstr(text, "\"next_case\":")) == NULL ||
	    sscanf(p, "\"next_case\":%" SCNu64, &c->next_case) != 1) {
		return (SK_EBADREQ);
	}
	*found = true;
	return (0);
}

bool
store_counts_short(const struct store_counts *have,
    const struct store_counts *want, char *msg, size_t msglen)
{
	if (have->last_seq >= want->last_seq &&
	    have->next_case >= want->next_case) {
		return (false);
	}
	snprintf(msg, msglen,
	    "the database has lost committed data: its history ends at event "
	    "%" PRIu64 " and its next case is %" PRIu64 ", but %s says %" PRIu64
	    " and %" PRIu64 " (a damaged meta page makes LMDB fall back to an "
	    "older state)",
	    have->last_seq, have->next_case, COUNTS_FILE, want->last_seq,
	    want->next_case);
	return (true);
}

/* A compacted copy's file is exactly as long as its newest meta page says:
 * any other length means LMDB reads an older meta page (a damaged newer
 * one).  False, with err saying so, if not. */
static bool
file_whole(struct store *st, char *err, size_t errlen)
{
	char        path[4200];
	struct stat sb;
	MDB_envinfo info;
	MDB_stat    ms;

	snprintf(path, sizeof(path), "%s/data.mdb", st->path);
	if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		return (false);
	}
	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &ms);
	uint64_t pages = (uint64_t) sb.st_size / ms.ms_psize;
	if (pages != (uint64_t) info.me_last_pgno + 1) {
		snprintf(err, errlen,
		    "damaged meta page: %s holds %" PRIu64 " pages but the meta "
		    "page LMDB reads (transaction %" PRIu64 ") says %" PRIu64
		    ", so it is not the newest one",
		    path, pages, (uint64_t) info.me_last_txnid,
		    (uint64_t) info.me_last_pgno + 1);
		return (false);
	}
	return (true);
}

int
store_open_ro(struct store **out, const char *dir, char *err, size_t errlen)
{
	struct store *st;
	MDB_txn      *txn = NULL;
	MDB_val       k, v;
	int           rc;

	if ((st = store_alloc(dir)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (SK_EINTERNAL);
	}
	/* No lock file written into a backup: nothing else uses it. */
	st->flags = MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS;
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, DB_COUNT + 8)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, st->flags, 0640)) != 0) {
		snprintf(err, errlen, "LMDB cannot open the database in %s: %s",
		    dir, mdb_strerror(rc));
		goto fail;
	}
	if (!file_whole(st, err, errlen)) {
		goto fail;
	}
	if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn)) != 0) {
		snprintf(err, errlen, "LMDB cannot read the database in %s: %s",
		    dir, mdb_strerror(rc));
		goto fail;
	}
	for (int i = 0; i < DB_COUNT; i++) {
		if ((rc = mdb_dbi_open(txn, store_db_names[i], 0,
		         &st->dbi[i])) != 0) {
			snprintf(err, errlen,
			    "the database in %s has no table %s (%s)", dir,
			    store_db_names[i], mdb_strerror(rc));
			goto fail;
		}
	}
	k        = (MDB_val) { strlen(STORE_META_SUMS), STORE_META_SUMS };
	st->sums = mdb_get(txn, st->dbi[DB_META], &k, &v) == 0;
	/* Committed, not aborted: the tables' handles outlive it only so. */
	rc  = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0) {
		snprintf(err, errlen, "cannot read the database in %s: %s", dir,
		    mdb_strerror(rc));
		goto fail;
	}
	MDB_envinfo info;
	mdb_env_info(st->env, &info);
	st->mapsize = info.me_mapsize;
	*out        = st;
	return (0);
fail:
	return (store_discard(st, txn));
}

/* A meta counter read raw (before the store is set up): the decimal
 * digits, its checksum (sums: 8 bytes at the end) left out. */
static uint64_t
raw_meta_u64(MDB_txn *txn, MDB_dbi dbi, const char *name, bool sums)
{
	MDB_val  k = { strlen(name), (void *) name }, v;
	uint64_t n = 0;
	if (mdb_get(txn, dbi, &k, &v) != 0) {
		return (0);
	}
	size_t len = sums && v.mv_size >= STORE_SUM_LEN
	    ? v.mv_size - STORE_SUM_LEN
	    : v.mv_size;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = ((const unsigned char *) v.mv_data)[i];
		if (c < '0' || c > '9') {
			break;
		}
		n = n * 10 + (c - '0');
	}
	return (n);
}

int
store_counts_precheck(MDB_env *env, const char *dir, char *err,
    size_t errlen)
{
	struct store_counts want, have = { 0, 0 };
	MDB_txn            *txn;
	MDB_dbi             dbi;
	MDB_val             k = { strlen(STORE_META_SUMS), STORE_META_SUMS }, v;
	bool                found;
	char                msg[400];

	if (store_counts_load(dir, &want, &found) != 0 || !found) {
		return (0); /* the server's guard says why, later */
	}
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0) {
		return (0);
	}
	if (mdb_dbi_open(txn, store_db_names[DB_META], 0, &dbi) == 0) {
		bool sums     = mdb_get(txn, dbi, &k, &v) == 0;
		have.last_seq = raw_meta_u64(txn, dbi, "last_seq", sums);
		have.next_case = raw_meta_u64(txn, dbi, "next_case", sums);
	}
	mdb_txn_abort(txn);
	if (store_counts_short(&have, &want, msg, sizeof(msg))) {
		snprintf(err, errlen,
		    "%s/data.mdb: %s; nothing was written to it: restore a "
		    "backup (sangkien restore), or remove counts.json to start "
		    "on it anyway",
		    dir, msg);
		return (SK_EUNAVAIL);
	}
	return (0);
}
