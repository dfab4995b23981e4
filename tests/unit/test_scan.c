/*
 * test_scan.c: unit tests of the store's iterator (core/store/scan.c), the
 * only way the server walks a database.
 *
 * What a user would notice if it were wrong: case.list by unit "so-gd"
 * listing the cases of "so-gddt" too (a prefix that is not a whole key
 * part), paging with "after" skipping or repeating a case, deadlines fired
 * twice or not removed, a search missing a posting.  Each test writes
 * through the store's own functions into a real LMDB environment.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/err.h"
#include "core/store/store.h"
#include "tests/unit/store_fixture.h"

struct fixture {
	char          dir[64];
	struct store *st;
	MDB_txn      *txn;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (fixture_store_open(f->dir, sizeof(f->dir), "scan", &f->st) != 0 ||
	    store_write_begin(f->st, NULL, &f->txn) != 0) {
		return (-1);
	}
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	mdb_txn_abort(f->txn);
	store_close(f->st);
	fixture_rm_rf(f->dir);
	free(f);
	return (0);
}

/* An index entry as by_unit holds them: str unit, u64 case -> "". */
static void
put_index(struct fixture *f, const char *unit, uint64_t id)
{
	struct store_key k;
	store_key_init(&k);
	store_key_str(&k, unit);
	store_key_u64(&k, id);
	assert_int_equal(
	    store_put(f->txn, f->st, DB_BY_UNIT, k.b, k.len, "", 0), SK_OK);
}

/* The case ids under unit (from after+1 if after > 0), as "1 2 3". */
static void
ids_of(
    struct fixture *f, const char *unit, uint64_t after, char *out, size_t len)
{
	struct store_key  prefix, from;
	struct store_scan it;
	MDB_val           k, v;
	size_t            n = 0;
	int               rv;

	store_key_init(&prefix);
	store_key_str(&prefix, unit);
	from = prefix;
	store_key_u64(&from, after + 1);
	assert_int_equal(store_scan_begin(&it, f->txn, f->st, DB_BY_UNIT,
	                     &prefix, after > 0 ? &from : NULL),
	    SK_OK);
	out[0] = '\0';
	while ((rv = store_scan_next(&it, &k, &v)) == SK_OK) {
		assert_int_equal(k.mv_size, prefix.len + 8);
		n += (size_t) snprintf(out + n, len - n, "%s%llu",
		    n ? " " : "",
		    (unsigned long long) store_u64_at(
		        (char *) k.mv_data + prefix.len));
	}
	assert_int_equal(rv, STORE_SCAN_END);
	/* Past the end it stays at the end. */
	assert_int_equal(store_scan_next(&it, &k, &v), STORE_SCAN_END);
	store_scan_end(&it);
	store_scan_end(&it);
}

/* A prefix is a whole key part: unit "so-gd" is not "so-gddt"'s start. */
static void
test_prefix_is_whole(void **state)
{
	struct fixture *f = *state;
	char            got[256];

	put_index(f, "so-gddt", 3);
	put_index(f, "so-gd", 7);
	put_index(f, "so-gd", 2);
	put_index(f, "so-gddt", 1);
	put_index(f, "so-yt", 5);
	ids_of(f, "so-gd", 0, got, sizeof(got));
	assert_string_equal(got, "2 7");
	ids_of(f, "so-gddt", 0, got, sizeof(got));
	assert_string_equal(got, "1 3");
	ids_of(f, "so", 0, got, sizeof(got));
	assert_string_equal(got, "");
	ids_of(f, "so-yt", 0, got, sizeof(got));
	assert_string_equal(got, "5");
}

/* Paging from a key: the next page starts after the last one sent. */
static void
test_from(void **state)
{
	struct fixture *f = *state;
	char            got[256];

	for (uint64_t id = 1; id <= 6; id++) {
		put_index(f, "so-gd", id * 10);
	}
	put_index(f, "so-gdx", 15);
	ids_of(f, "so-gd", 20, got, sizeof(got));
	assert_string_equal(got, "30 40 50 60");
	ids_of(f, "so-gd", 25, got, sizeof(got));
	assert_string_equal(got, "30 40 50 60");
	ids_of(f, "so-gd", 60, got, sizeof(got));
	assert_string_equal(got, "");
}

/* A whole database, and deleting as one goes (deadlines that fired). */
static void
test_delete_while_scanning(void **state)
{
	struct fixture   *f = *state;
	struct store_scan it;
	MDB_val           k, v;
	uint64_t          before = store_changes(f->st);
	int               rv, seen = 0;

	for (uint64_t at = 1; at <= 5; at++) {
		struct store_key t;
		store_key_init(&t);
		store_key_u64(&t, at * 100);
		store_key_u64(&t, at);
		assert_int_equal(
		    store_put(f->txn, f->st, DB_TIMERS, t.b, t.len, "", 0), 0);
	}
	assert_int_equal(store_entries(f->txn, f->st, DB_TIMERS), 5);
	assert_int_equal(store_first(f->txn, f->st, DB_TIMERS, &k, &v), SK_OK);
	assert_int_equal(store_u64_at(k.mv_data), 100);
	assert_int_equal(store_last(f->txn, f->st, DB_TIMERS, &k, &v), SK_OK);
	assert_int_equal(store_u64_at(k.mv_data), 500);

	/* Deletes every other one: the scan still sees each in turn. */
	assert_int_equal(
	    store_scan_begin(&it, f->txn, f->st, DB_TIMERS, NULL, NULL), 0);
	while ((rv = store_scan_next(&it, &k, &v)) == SK_OK) {
		seen++;
		if (store_u64_at(k.mv_data) % 200 != 0) {
			assert_int_equal(store_scan_del(&it), SK_OK);
		}
	}
	assert_int_equal(rv, STORE_SCAN_END);
	assert_int_equal(seen, 5);
	/* Restarted, it sees what is left from the beginning. */
	store_scan_restart(&it);
	assert_int_equal(store_scan_next(&it, &k, &v), SK_OK);
	assert_int_equal(store_u64_at(k.mv_data), 200);
	store_scan_end(&it);
	assert_int_equal(store_entries(f->txn, f->st, DB_TIMERS), 2);
	/* The deletes count as writes (the server's rollback relies on it). */
	assert_int_equal(store_changes(f->st) - before, 5 + 3);

	assert_int_equal(
	    store_first(f->txn, f->st, DB_BALLOTS, &k, &v), STORE_SCAN_END);
}

/* Sorted duplicates, as the search postings keep them. */
static void
test_duplicates(void **state)
{
	struct fixture   *f = *state;
	struct store_scan it;
	MDB_val           k, v;
	uint32_t          id;
	size_t            n;
	const uint32_t    ids[] = { 9, 1, 5 };

	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(store_put_dup(f->txn, f->st, DB_SEARCH_TERMS,
		                     "hoc", 3, &ids[i], 4),
		    0);
	}
	id = 4;
	assert_int_equal(
	    store_put_dup(f->txn, f->st, DB_SEARCH_TERMS, "sinh", 4, &id, 4),
	    0);
	assert_int_equal(
	    store_scan_begin(&it, f->txn, f->st, DB_SEARCH_TERMS, NULL, NULL),
	    0);
	assert_int_equal(store_dup_count(&it, "hoc", 3, &n), SK_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_dup_count(&it, "ho", 2, &n), STORE_SCAN_END);
	id = 5;
	assert_int_equal(store_dup_find(&it, "hoc", 3, &id, 4), SK_OK);
	id = 6;
	assert_int_equal(
	    store_dup_find(&it, "hoc", 3, &id, 4), STORE_SCAN_END);
	/* The first at or after 6 is 9; before it 5; after 9 none. */
	v = (MDB_val) { 4, &id };
	assert_int_equal(store_dup_seek(&it, "hoc", 3, &v), SK_OK);
	memcpy(&id, v.mv_data, 4);
	assert_int_equal(id, 9);
	assert_int_equal(store_dup_next(&it, &v), STORE_SCAN_END);
	assert_int_equal(store_dup_prev(&it, &v), SK_OK);
	memcpy(&id, v.mv_data, 4);
	assert_int_equal(id, 5);
	assert_int_equal(store_dup_last(&it, "hoc", 3, &v), SK_OK);
	memcpy(&id, v.mv_data, 4);
	assert_int_equal(id, 9);
	/* All of a key's duplicates at once, packed. */
	assert_int_equal(store_dup_count(&it, "hoc", 3, &n), SK_OK);
	assert_int_equal(store_dup_packed(&it, true, &v), SK_OK);
	assert_int_equal(v.mv_size, 12);
	assert_memory_equal(v.mv_data, ((uint32_t[]) { 1, 5, 9 }), 12);
	assert_int_equal(store_dup_packed(&it, false, &v), STORE_SCAN_END);
	/* One record per key. */
	store_scan_restart(&it);
	assert_int_equal(store_scan_next_key(&it, &k, &v), SK_OK);
	assert_memory_equal(k.mv_data, "hoc", 3);
	assert_int_equal(store_scan_next_key(&it, &k, &v), SK_OK);
	assert_memory_equal(k.mv_data, "sinh", 4);
	assert_int_equal(store_scan_next_key(&it, &k, &v), STORE_SCAN_END);
	/* Deleting the pair found. */
	id = 5;
	assert_int_equal(store_dup_find(&it, "hoc", 3, &id, 4), SK_OK);
	assert_int_equal(store_scan_del(&it), SK_OK);
	store_scan_end(&it);
	assert_int_equal(store_entries(f->txn, f->st, DB_SEARCH_TERMS), 3);
}

/* Appending in key order through the iterator; out of order is refused. */
static void
test_append(void **state)
{
	struct fixture   *f = *state;
	struct store_scan it;
	struct store_stat s;

	assert_int_equal(
	    store_scan_begin(&it, f->txn, f->st, DB_RUBRIC_IDS, NULL, NULL),
	    0);
	const char *keys[] = { "a", "b", "c" };
	for (size_t i = 0; i < 3; i++) {
		MDB_val k = { 1, (void *) keys[i] }, v = { 1, "x" };
		assert_int_equal(
		    store_scan_put(&it, &k, &v, MDB_APPEND), SK_OK);
	}
	MDB_val k = { 1, "b" }, v = { 1, "y" };
	assert_int_equal(
	    store_scan_put(&it, &k, &v, MDB_APPEND), SK_ECONFLICT);
	store_scan_end(&it);
	assert_int_equal(store_stat(f->txn, f->st, DB_RUBRIC_IDS, &s), SK_OK);
	assert_int_equal(s.entries, 3);
	assert_true(s.leaf_pages >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_prefix_is_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_delete_while_scanning, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append, setup, teardown),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
