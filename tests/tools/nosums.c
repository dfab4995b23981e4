/*
 * nosums.c: makes a data directory look as a sangkiend from before record
 * checksums wrote it (issue 19), for t_checksums.sh: each value of a plain
 * database loses its last 8 bytes (the checksum, core/store/sum.c), and
 * meta "checksums", which says they are there, is deleted.  The server
 * must then add them again at start (core/server/upgrade.c).  Run it on a
 * stopped server's data directory only.
 *
 *	nosums DATA_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "nosums: %s: %s\n", what, mdb_strerror(rc));
	return (1);
}

/* meta's records that never carry a checksum (store.h). */
static int
bare(const char *db, const MDB_val *k)
{
	static const char *const keys[] = { "schema", "checksums",
		"checksums_at", NULL };
	if (strcmp(db, "meta") != 0) {
		return (0);
	}
	for (const char *const *b = keys; *b; b++) {
		if (k->mv_size == strlen(*b) &&
		    memcmp(k->mv_data, *b, k->mv_size) == 0) {
			return (1);
		}
	}
	return (0);
}

int
main(int argc, char **argv)
{
	MDB_env    *env;
	MDB_txn    *txn;
	MDB_dbi     main_dbi, dbi;
	MDB_cursor *names, *cur;
	MDB_val     k, v, dk;
	int         rc;
	long        n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: nosums DATA_DIR\n");
		return (2);
	}
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, 64)) != 0 ||
	    (rc = mdb_env_open(env, argv[1], 0, 0640)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &main_dbi)) != 0 ||
	    (rc = mdb_cursor_open(txn, main_dbi, &names)) != 0) {
		return (fail(argv[1], rc));
	}
	while ((rc = mdb_cursor_get(names, &dk, &v, MDB_NEXT)) == 0) {
		char     name[64];
		unsigned flags;
		snprintf(name, sizeof(name), "%.*s", (int) dk.mv_size,
		    (char *) dk.mv_data);
		if ((rc = mdb_dbi_open(txn, name, 0, &dbi)) != 0 ||
		    (rc = mdb_dbi_flags(txn, dbi, &flags)) != 0) {
			return (fail(name, rc));
		}
		if (flags & MDB_DUPSORT) {
			continue; /* no checksums there */
		}
		if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0) {
			return (fail(name, rc));
		}
		/* The keys first, then the puts (no cursor put of another
		 * size: see core/store/sum.c). */
		MDB_val *keys = NULL;
		size_t   nk = 0, cap = 0;
		while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
			if (bare(name, &k) || v.mv_size < 8) {
				continue;
			}
			if (nk == cap) {
				cap  = cap ? cap * 2 : 64;
				keys = realloc(keys, cap * sizeof(*keys));
			}
			keys[nk].mv_size   = k.mv_size;
			keys[nk++].mv_data = memcpy(malloc(k.mv_size), k.mv_data,
			    k.mv_size);
		}
		mdb_cursor_close(cur);
		for (size_t i = 0; i < nk; i++) {
			if ((rc = mdb_get(txn, dbi, &keys[i], &v)) != 0) {
				return (fail(name, rc));
			}
			char *copy = malloc(v.mv_size);
			memcpy(copy, v.mv_data, v.mv_size);
			MDB_val nv = { v.mv_size - 8, copy };
			rc = mdb_put(txn, dbi, &keys[i], &nv, 0);
			free(copy);
			free(keys[i].mv_data);
			if (rc != 0) {
				return (fail(name, rc));
			}
			n++;
		}
		free(keys);
		if (strcmp(name, "meta") == 0) {
			MDB_val sk = { 9, "checksums" };
			if ((rc = mdb_del(txn, dbi, &sk, NULL)) != 0) {
				return (fail("meta checksums", rc));
			}
		}
	}
	mdb_cursor_close(names);
	if ((rc = mdb_txn_commit(txn)) != 0) {
		return (fail("commit", rc));
	}
	mdb_env_close(env);
	printf("%ld records stripped of their checksum\n", n);
	return (0);
}
