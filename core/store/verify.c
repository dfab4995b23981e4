/*
 * verify.c: server.verify's reading of the whole database (store.h):
 * everything an index says must be true of the cases, everything the cases
 * imply must be in the indexes, the per-state counters must add up, and the
 * history's hash chain must hold.  It runs on a thread of its own over a
 * snapshot, and gives up part way when the server shuts down (stop_reading).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/store/impl.h"
#include "core/util/err.h"
#include "core/util/json.h"

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
		    store_u64_at(k->b + k->len - 8), store_db_names[db]);
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
		if (store_sum_check(st, db, &k, &v) != 0) {
			continue; /* named by verify_sums */
		}
		if (k.mv_size < 8) {
			store_problem(
			    problems, "%s has a malformed key", store_db_names[db]);
			continue;
		}
		uint64_t id = store_u64_at((char *) k.mv_data + k.mv_size - 8);
		json_object *doc;
		if ((rc = store_case_get(txn, st, id, &doc)) != 0) {
			if (rc == SK_ENOTFOUND) {
				store_problem(problems, "%s names case %" PRIu64
				    ", which does not exist", store_db_names[db],
				    id);
			}
			rc = 0;
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
			s = store_doc_str(doc, db == DB_BY_STATE ? "state" : "unit");
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
			    store_db_names[db], id);
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
	char          prev[STORE_HASH_LEN * 2 + 1] = "";
	unsigned char h[STORE_HASH_LEN];

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_HISTORY], &cur)) != 0) {
		return (store_err(rc));
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (stop_asked(st, expect)) {
			rc = STORE_STOPPED;
			break;
		}
		if (k.mv_size != 8) {
			store_problem(problems, "history has a malformed key");
			continue;
		}
		uint64_t seq = store_u64_at(k.mv_data);
		MDB_val  raw = v;
		if (store_sum_check(st, DB_HISTORY, &k, &v) != 0) {
			/* Named by verify_sums; the chain goes on from the
			 * bytes as they are, so that the next event is
			 * judged on its own. */
			v.mv_size = raw.mv_size >= STORE_SUM_LEN
			    ? raw.mv_size - STORE_SUM_LEN
			    : 0;
			expect = seq + 1;
			crypto_generichash(h, STORE_HASH_LEN, v.mv_data, v.mv_size,
			    NULL, 0);
			store_hex(h, STORE_HASH_LEN, prev);
			continue;
		}
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
		crypto_generichash(h, STORE_HASH_LEN, v.mv_data, v.mv_size, NULL, 0);
		store_hex(h, STORE_HASH_LEN, prev);
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
	    (v.mv_size != STORE_HASH_LEN * 2 ||
	        memcmp(v.mv_data, prev, STORE_HASH_LEN * 2) != 0)) {
		store_problem(problems,
		    "meta head_hash does not match the last "
		    "history event");
	}
	return (0);
}

/*
 * Every record's checksum, in every database that has them: each damaged
 * record is named (table and key).  A database LMDB cannot walk to its end
 * (a damaged page) is named too, with where it stopped.
 */
static int
verify_sums(MDB_txn *txn, struct store *st, json_object *problems)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	uint64_t    n = 0;
	int         rc = 0;
	char        key[160];

	for (int db = 0; db < DB_COUNT && rc != STORE_STOPPED; db++) {
		if (!store_db_plain((enum store_db) db)) {
			continue;
		}
		if ((rc = mdb_cursor_open(txn, st->dbi[db], &cur)) != 0) {
			return (store_err(rc));
		}
		key[0] = '\0';
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (stop_asked(st, ++n)) {
				rc = STORE_STOPPED;
				break;
			}
			if (store_sum_check(st, (enum store_db) db, &k, &v) != 0) {
				store_problem(problems, "%s", store_damage());
			}
			store_key_text((enum store_db) db, k.mv_data, k.mv_size,
			    key, sizeof(key));
		}
		mdb_cursor_close(cur);
		if (rc != MDB_NOTFOUND && rc != STORE_STOPPED) {
			store_problem(problems,
			    "damaged table: %s cannot be read %s%s (%s)",
			    store_db_names[db], key[0] ? "past key " : "",
			    key[0] ? key : "at all", mdb_strerror(rc));
		}
	}
	return (rc == STORE_STOPPED ? store_err(rc) : 0);
}

/*
 * What the history and the counters say must agree with what is there:
 * cases are never deleted, so there are next_case - 1 of them, and each
 * was created by an event.  An empty database whose meta says otherwise
 * (or the reverse) is not clean.
 */
void
store_verify_counts(MDB_txn *txn, struct store *st, json_object *problems,
    uint64_t ncases, uint64_t nevents)
{
	uint64_t next = 0, last = 0;
	store_meta_u64(txn, st, "next_case", &next);
	store_meta_u64(txn, st, "last_seq", &last);
	if ((next > 0 ? next - 1 : 0) != ncases) {
		store_problem(problems,
		    "cases holds %" PRIu64 " cases but meta next_case says %" PRIu64
		    " were created",
		    ncases, next > 0 ? next - 1 : 0);
	}
	if (nevents < ncases) {
		store_problem(problems,
		    "the history holds %" PRIu64 " events, fewer than the %" PRIu64
		    " cases it must have created",
		    nevents, ncases);
	}
	if (last == 0 && nevents == 0 &&
	    store_entries(txn, st, DB_USERS) + store_entries(txn, st, DB_UNITS) >
	        0) {
		store_problem(problems,
		    "the history is empty but there are users or units, "
		    "which only events create");
	}
}

int
store_verify(MDB_txn *txn, struct store *st, const char *const *states,
    json_object *problems, uint64_t *ncases, uint64_t *nevents)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	int         rc, rv;
	uint64_t    counts[STORE_MAX_STATES] = { 0 };
	uint64_t    n = 0, entries[DB_COUNT] = { 0 }, expected[DB_COUNT] = { 0 };
	size_t      nstates = 0;

	while (nstates < STORE_MAX_STATES && states[nstates] != NULL) {
		nstates++;
	}

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_CASES], &cur)) != 0) {
		return (store_err(rc));
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (stop_asked(st, n)) {
			rc = STORE_STOPPED;
			break;
		}
		if (k.mv_size != 8) {
			store_problem(problems, "cases has a malformed key");
			continue;
		}
		uint64_t     id = store_u64_at(k.mv_data);
		json_object *doc, *a;
		n++;
		if (store_sum_check(st, DB_CASES, &k, &v) != 0) {
			continue; /* named by verify_sums */
		}
		doc = store_json(&v);
		if (doc == NULL) {
			store_problem(problems,
			    "case %" PRIu64 " is not valid JSON", id);
			continue;
		}
		const char *state = store_doc_str(doc, "state") ?: "";
		size_t      s     = 0;
		while (s < nstates && strcmp(states[s], state) != 0) {
			s++;
		}
		if (s == nstates) {
			store_problem(problems,
			    "case %" PRIu64 " has no valid state", id);
		} else {
			counts[s]++;
		}
		store_case_index_each(txn, st, id, doc, index_expect, problems);
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
	for (size_t s = 0; s < nstates; s++) {
		char     cname[64];
		uint64_t c;
		store_count_name(cname, sizeof(cname), states[s]);
		store_meta_u64(txn, st, cname, &c);
		if (c != counts[s]) {
			store_problem(problems,
			    "the count of %s cases says %" PRIu64
			    " but there are %" PRIu64,
			    states[s], c, counts[s]);
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
			    store_db_names[idx[i]], entries[idx[i]],
			    expected[idx[i]]);
		}
	}
	if ((rv = verify_history(txn, st, problems, nevents)) != 0 ||
	    (rv = verify_sums(txn, st, problems)) != 0) {
		return (rv);
	}
	return (0);
}
