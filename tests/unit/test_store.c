/*
 * test_store.c: unit tests of the LMDB storage (core/store/).
 *
 * Each test opens a store in a fresh temporary directory and removes it
 * afterwards.  What is checked is what an operator would notice: a database
 * of another schema is refused with a message that says so, the indexes
 * behind case.list agree with the cases, server.verify finds a damaged index
 * or a tampered history, a full map grows without losing a write, and a
 * backup opens with the same cases.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/model/workflow.h"
#include "core/store/store.h"
#include "core/util/err.h"
#include "tests/unit/store_fixture.h"

struct fixture {
	char          dir[64];
	char          bdir[64]; /* a backup's directory, if any */
	struct store *st;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (fixture_store_open(f->dir, sizeof(f->dir), "store", &f->st) != 0) {
		return (-1);
	}
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	fixture_rm_rf(f->dir);
	if (f->bdir[0] != '\0') {
		fixture_rm_rf(f->bdir);
	}
	free(f);
	return (0);
}

/* A case document with the fields the indexes are built from. */
static json_object *
case_doc(uint64_t id, const char *state, const char *unit, const char *authors,
    int64_t due)
{
	char buf[1024];
	int  n = snprintf(buf, sizeof(buf),
	     "{\"id\":%llu,\"state\":\"%s\",\"unit\":\"%s\","
	      "\"title\":\"Sáng kiến số %llu\",\"author_users\":[%s]",
	     (unsigned long long) id, state, unit, (unsigned long long) id,
	     authors);
	if (due > 0) {
		n += snprintf(buf + n, sizeof(buf) - (size_t) n,
		    ",\"due_ts\":%lld", (long long) due);
	}
	snprintf(buf + n, sizeof(buf) - (size_t) n, "}");
	json_object *o = json_tokener_parse(buf);
	assert_non_null(o);
	return (o);
}

/* Writes doc as case id, moving the indexes from old (may be NULL). */
static void
put_case(struct store *st, uint64_t id, json_object *doc)
{
	MDB_txn     *txn;
	json_object *old = NULL;
	int          rv;

	assert_int_equal(store_write_begin(st, NULL, &txn), 0);
	rv = store_case_get(txn, st, id, &old);
	assert_true(rv == 0 || rv == SK_ENOTFOUND);
	assert_int_equal(store_case_put(txn, st, id, old, doc, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	json_object_put(old);
	json_object_put(doc);
}

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* Splits s on spaces, sorts the words and joins them again. */
static void
sort_words(const char *s, char *out, size_t len)
{
	char  *copy = strdup(s), *words[256], *save = NULL;
	size_t n = 0;
	for (char *w = strtok_r(copy, " ", &save); w != NULL;
	     w       = strtok_r(NULL, " ", &save)) {
		words[n++] = w;
	}
	qsort(words, n, sizeof(words[0]), cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
		    i ? " " : "", words[i]);
	}
	free(copy);
}

/*
 * Reads an index through the store's iterator and checks that it holds exactly want:
 * "name/id ..." for the string-keyed indexes, "due/id ..." for by_due.
 */
static void
assert_index(
    MDB_txn *txn, struct store *st, enum store_db db, const char *want)
{
	struct store_scan it;
	MDB_val           k, v;
	char              got[4096] = "", a[4096], b[4096];
	int               rc;

	assert_int_equal(store_scan_begin(&it, txn, st, db, NULL, NULL), 0);
	while ((rc = store_scan_next(&it, &k, &v)) == 0) {
		const unsigned char *p = k.mv_data;
		char                 word[300];
		assert_int_equal(v.mv_size, 0);
		if (db == DB_BY_DUE) {
			assert_int_equal(k.mv_size, 16);
			snprintf(word, sizeof(word), "%llu/%llu",
			    (unsigned long long) store_u64_at(p),
			    (unsigned long long) store_u64_at(p + 8));
		} else {
			assert_int_equal(k.mv_size, 1 + p[0] + 8);
			snprintf(word, sizeof(word), "%.*s/%llu", (int) p[0],
			    (const char *) p + 1,
			    (unsigned long long) store_u64_at(p + 1 + p[0]));
		}
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
		    got[0] ? " " : "", word);
	}
	store_scan_end(&it);
	assert_int_equal(rc, STORE_SCAN_END);
	sort_words(got, a, sizeof(a));
	sort_words(want, b, sizeof(b));
	assert_string_equal(a, b);
}

static uint64_t
meta(MDB_txn *txn, struct store *st, const char *name)
{
	uint64_t v = 12345;
	assert_int_equal(store_meta_u64(txn, st, name, &v), 0);
	return (v);
}

/* Runs store_verify in a fresh snapshot; returns the problems. */
static json_object *
verify(struct store *st, uint64_t *ncases, uint64_t *nevents)
{
	MDB_txn     *txn;
	json_object *problems = json_object_new_array();
	uint64_t     nc, ne;
	const char  *states[WF_NSTATES + 1] = { NULL };

	for (int s = 0; s < WF_NSTATES; s++) {
		states[s] = wf_state_name((enum wf_state) s);
	}
	store_read_end(st);
	assert_int_equal(store_read_begin(st, &txn), 0);
	assert_int_equal(store_verify(txn, st, states, problems, &nc, &ne), 0);
	store_read_end(st);
	if (ncases != NULL) {
		*ncases = nc;
	}
	if (nevents != NULL) {
		*nevents = ne;
	}
	return (problems);
}

static void
assert_clean(struct store *st)
{
	json_object *p = verify(st, NULL, NULL);
	if (json_object_array_length(p) != 0) {
		fail_msg("store_verify: %s", json_object_to_json_string(p));
	}
	json_object_put(p);
}

/* True if one of the problems contains all of the needles. */
static bool
has_problem(json_object *problems, const char *n1, const char *n2)
{
	for (size_t i = 0; i < json_object_array_length(problems); i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(problems, i));
		if (strstr(s, n1) != NULL && (n2 == NULL || strstr(s, n2))) {
			return (true);
		}
	}
	return (false);
}

static void
assert_problem(struct store *st, const char *n1, const char *n2)
{
	json_object *p = verify(st, NULL, NULL);
	if (!has_problem(p, n1, n2)) {
		fail_msg("no problem mentions \"%s\" and \"%s\": %s", n1,
		    n2 ? n2 : "", json_object_to_json_string(p));
	}
	json_object_put(p);
}

/*
 * Opening.
 */

static void
test_open_creates_and_reopens(void **state)
{
	struct fixture *f = *state;
	struct stat     sb;
	char            path[128], err[256] = "";
	MDB_txn        *txn;
	MDB_val         v;
	json_object    *doc;

	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_int_equal(store_get(txn, f->st, DB_META, "schema", 6, &v), 0);
	assert_int_equal(v.mv_size, strlen(STORE_SCHEMA));
	assert_memory_equal(v.mv_data, STORE_SCHEMA, v.mv_size);
	store_read_end(f->st);

	put_case(f->st, 1, case_doc(1, "draft", "u1", "\"lan\"", 0));
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(
	    store_open(&f->st, f->dir, 0, true, err, sizeof(err)), 0);
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_int_equal(store_case_get(txn, f->st, 1, &doc), 0);
	assert_string_equal(
	    json_object_get_string(json_object_object_get(doc, "title")),
	    "Sáng kiến số 1");
	json_object_put(doc);
	assert_int_equal(store_case_get(txn, f->st, 2, &doc), SK_ENOTFOUND);
	store_read_end(f->st);
	assert_clean(f->st);
}

static void
test_open_wrong_schema(void **state)
{
	struct fixture *f = *state;
	MDB_txn        *txn;
	char            err[256] = "";
	struct store   *st2      = NULL;

	/* Schema 1 is read (the server brings it to 2: test_dedup). */
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(store_put(txn, f->st, DB_META, "schema", 6, "1", 1), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(&f->st, f->dir, 0, true, err, sizeof(err)),
	    0);

	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(
	    store_put(txn, f->st, DB_META, "schema", 6, "999", 3), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	store_close(f->st);
	f->st = NULL;

	assert_int_not_equal(
	    store_open(&st2, f->dir, 0, true, err, sizeof(err)), 0);
	assert_null(st2);
	assert_non_null(strstr(err, "schema"));
	assert_non_null(strstr(err, "999"));

	/* A directory that does not exist is refused, naming it. */
	err[0] = '\0';
	assert_int_not_equal(store_open(&st2, "/nonexistent/sk-test", 0, true,
	                         err, sizeof(err)),
	    0);
	assert_non_null(strstr(err, "/nonexistent/sk-test"));
}

/*
 * A map too small to hold even the empty database is refused with a message
 * (and leaves nothing locked behind); the directory then opens normally.
 */
static void
test_open_tiny_map(void **state)
{
	struct fixture *f = *state;
	char            err[256];
	MDB_txn        *txn;

	store_close(f->st);
	f->st = NULL;
	for (size_t size = 4096; size <= 32768; size += 4096) {
		char         *dir = f->bdir;
		struct store *st  = NULL;
		snprintf(dir, sizeof(f->bdir), "/tmp/sk-test-store-XXXXXX");
		assert_non_null(mkdtemp(dir));
		err[0] = '\0';
		if (store_open(&st, dir, size, true, err, sizeof(err)) != 0) {
			assert_null(st);
			assert_non_null(strstr(err, "cannot"));
		} else {
			store_close(st);
		}
		assert_int_equal(
		    store_open(&st, dir, 0, true, err, sizeof(err)), 0);
		assert_int_equal(store_write_begin(st, NULL, &txn), 0);
		assert_int_equal(
		    store_meta_set_u64(txn, st, "next_case", 1), 0);
		assert_int_equal(mdb_txn_commit(txn), 0);
		store_close(st);
		fixture_rm_rf(dir);
	}
}

/*
 * Cases and their indexes.
 */

static void
test_case_indexes(void **state)
{
	struct fixture *f = *state;
	MDB_txn        *txn;

	put_case(f->st, 1, case_doc(1, "draft", "thpt-a", "\"lan\"", 0));
	put_case(
	    f->st, 2, case_doc(2, "draft", "thpt-b", "\"minh\",\"lan\"", 0));
	put_case(f->st, 3, case_doc(3, "draft", "thpt-a", "", 0));
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_index(txn, f->st, DB_BY_STATE, "draft/1 draft/2 draft/3");
	assert_index(txn, f->st, DB_BY_UNIT, "thpt-a/1 thpt-b/2 thpt-a/3");
	assert_index(txn, f->st, DB_BY_AUTHOR, "lan/1 minh/2 lan/2");
	assert_index(txn, f->st, DB_BY_DUE, "");
	assert_int_equal(meta(txn, f->st, "count/draft"), 3);
	store_read_end(f->st);
	assert_clean(f->st);

	/* State changes, a deadline starts; then the unit and authors. */
	put_case(f->st, 1, case_doc(1, "submitted", "thpt-a", "\"lan\"", 0));
	put_case(f->st, 2,
	    case_doc(
	        2, "unit_review", "thpt-b", "\"minh\",\"lan\"", 1800000000));
	put_case(f->st, 3, case_doc(3, "draft", "thpt-c", "\"hoa\"", 0));
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_index(
	    txn, f->st, DB_BY_STATE, "submitted/1 unit_review/2 draft/3");
	assert_index(txn, f->st, DB_BY_UNIT, "thpt-a/1 thpt-b/2 thpt-c/3");
	assert_index(txn, f->st, DB_BY_AUTHOR, "lan/1 minh/2 lan/2 hoa/3");
	assert_index(txn, f->st, DB_BY_DUE, "1800000000/2");
	assert_int_equal(meta(txn, f->st, "count/draft"), 1);
	assert_int_equal(meta(txn, f->st, "count/submitted"), 1);
	assert_int_equal(meta(txn, f->st, "count/unit_review"), 1);
	store_read_end(f->st);
	assert_clean(f->st);

	/* The deadline moves, an author leaves, then the review ends. */
	put_case(f->st, 2,
	    case_doc(2, "unit_review", "thpt-b", "\"minh\"", 1800086400));
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_index(txn, f->st, DB_BY_DUE, "1800086400/2");
	assert_index(txn, f->st, DB_BY_AUTHOR, "lan/1 minh/2 hoa/3");
	store_read_end(f->st);
	assert_clean(f->st);

	put_case(
	    f->st, 2, case_doc(2, "unit_recognized", "thpt-b", "\"minh\"", 0));
	put_case(f->st, 1, case_doc(1, "withdrawn", "thpt-a", "\"lan\"", 0));
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_index(
	    txn, f->st, DB_BY_STATE, "withdrawn/1 unit_recognized/2 draft/3");
	assert_index(txn, f->st, DB_BY_DUE, "");
	assert_int_equal(meta(txn, f->st, "count/draft"), 1);
	assert_int_equal(meta(txn, f->st, "count/submitted"), 0);
	assert_int_equal(meta(txn, f->st, "count/unit_review"), 0);
	assert_int_equal(meta(txn, f->st, "count/unit_recognized"), 1);
	assert_int_equal(meta(txn, f->st, "count/withdrawn"), 1);
	store_read_end(f->st);

	uint64_t     ncases = 0;
	json_object *p      = verify(f->st, &ncases, NULL);
	assert_int_equal(json_object_array_length(p), 0);
	assert_int_equal(ncases, 3);
	json_object_put(p);
}

/* A write that fails halfway leaves nothing behind once aborted. */
/*
 * A case is stored with its internal fields last, and its item says how
 * long the part before them is: that part, closed, is the case without them
 * (what case.get sends without parsing).
 */
static void
test_case_view_prefix(void **state)
{
	struct fixture *f = *state;
	MDB_txn        *txn;
	MDB_val         v;
	struct case_facts item, of;
	json_object      *view, *want, *x;
	struct store_key k;
	char            *text;
	const char      *list;
	size_t           list_len;

	/* Internal fields first and in the middle of the document. */
	want = json_tokener_parse("{\"author_users\":[\"lan\",\"hai\"],"
	                          "\"id\":4,\"due_ts\":1800000000,"
	                          "\"state\":\"unit_review\",\"unit\":"
	                          "\"thpt-a\",\"title\":\"Số hoá\","
	                          "\"confidential\":[\"solution\"],"
	                          "\"submitted_at\":\"2026-10-01T00:00:00Z\","
	                          "\"councils\":{\"unit\":\"hd-thpt-a\"}}");
	assert_non_null(want);
	put_case(f->st, 4, json_object_get(want));
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_int_equal(
	    store_case_facts(txn, f->st, 4, &item, &list, &list_len), 0);
	size_t vb = item.view_bytes;
	/* The entry knows who may see the case, as the case itself says. */
	assert_int_equal(store_case_facts_of(want, &of), 0);
	assert_int_equal(item.id, 4);
	assert_int_equal(of.id, 4);
	assert_string_equal(item.unit, "thpt-a");
	assert_string_equal(item.state, "unit_review");
	assert_string_equal(item.field, "");
	assert_string_equal(item.submitted_at, "2026-10-01T00:00:00Z");
	assert_string_equal(item.council[0], "hd-thpt-a");
	assert_null(item.council[1]);
	assert_int_equal(item.nauthors, 2);
	assert_string_equal(item.authors[1], "hai");
	assert_int_equal(item.nconfidential, 1);
	assert_string_equal(item.confidential[0], "solution");
	assert_string_equal(of.unit, item.unit);
	assert_string_equal(of.state, item.state);
	assert_string_equal(of.submitted_at, item.submitted_at);
	assert_string_equal(of.council[0], item.council[0]);
	assert_null(of.council[1]);
	assert_int_equal(of.nauthors, 2);
	assert_string_equal(of.authors[0], "lan");
	assert_int_equal(of.nconfidential, 1);
	const char *want_list =
	    "{\"id\":4,\"unit\":\"thpt-a\",\"title\":\"Số hoá\","
	    "\"state\":\"unit_review\",\"state_label\":null,"
	    "\"updated_at\":null,\"due_at\":null}";
	assert_non_null(list);
	assert_int_equal(list_len, strlen(want_list));
	assert_memory_equal(list, want_list, list_len);
	store_key_init(&k);
	store_key_u64(&k, 4);
	assert_int_equal(store_get(txn, f->st, DB_CASES, k.b, k.len, &v), 0);
	assert_true(vb > 1 && vb < v.mv_size);
	text = malloc(vb + 2);
	memcpy(text, v.mv_data, vb);
	memcpy(text + vb, "}", 2);
	assert_non_null(view = json_tokener_parse(text));
	json_object_object_del(want, "author_users");
	json_object_object_del(want, "due_ts");
	json_object_object_del(want, "councils");
	assert_true(json_object_equal(view, want));
	/* The whole stored text is still the whole case. */
	assert_int_equal(store_case_get(txn, f->st, 4, &x), 0);
	assert_non_null(json_object_object_get(x, "author_users"));
	assert_int_equal(json_object_get_int64(json_object_object_get(x,
	                     "due_ts")),
	    1800000000);
	store_read_end(f->st);
	free(text);
	json_object_put(x);
	json_object_put(view);
	json_object_put(want);
	assert_clean(f->st);
}

static void
test_case_put_aborted(void **state)
{
	struct fixture *f = *state;
	MDB_txn        *txn;
	json_object    *doc;

	put_case(f->st, 1, case_doc(1, "draft", "thpt-a", "\"lan\"", 0));
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	doc = case_doc(1, "submitted", "thpt-z", "\"x\"", 5);
	json_object *old;
	assert_int_equal(store_case_get(txn, f->st, 1, &old), 0);
	assert_int_equal(store_case_put(txn, f->st, 1, old, doc, NULL), 0);
	mdb_txn_abort(txn);
	json_object_put(old);
	json_object_put(doc);

	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_index(txn, f->st, DB_BY_STATE, "draft/1");
	assert_index(txn, f->st, DB_BY_UNIT, "thpt-a/1");
	store_read_end(f->st);
	assert_clean(f->st);
}

/* The council's members as store_doc_view sees them in txn. */
static const char *
members_seen(MDB_txn *txn, struct store *st)
{
	static char  buf[256];
	json_object *c, *m;
	assert_int_equal(store_doc_view(txn, st, DB_COUNCILS, "hd-a", &c), 0);
	assert_true(json_object_object_get_ex(c, "members", &m));
	snprintf(buf, sizeof(buf), "%s", json_object_to_json_string(m));
	json_object_put(c);
	return (buf);
}

static void
put_council(MDB_txn *txn, struct store *st, const char *members)
{
	char         text[256];
	json_object *c;
	snprintf(text, sizeof(text), "{\"id\":\"hd-a\",\"members\":%s}",
	    members);
	c = json_tokener_parse(text);
	assert_int_equal(store_doc_put(txn, st, DB_COUNCILS, "hd-a", c), 0);
	json_object_put(c);
}

/*
 * The batch's document cache never shows a council as it no longer is: a
 * change in the same transaction is seen at once, and one rolled back (the
 * whole batch, or a nested request) is not seen afterwards.
 */
static void
test_doc_view_follows_writes(void **state)
{
	struct fixture *f = *state;
	MDB_txn        *txn, *child;
	json_object    *a, *b;

	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	put_council(txn, f->st, "[\"lan\"]");
	assert_int_equal(mdb_txn_commit(txn), 0);

	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	store_cache_bind(f->st, txn);
	assert_string_equal(members_seen(txn, f->st), "[ \"lan\" ]");
	/* Parsed once: the second view is the same document. */
	assert_int_equal(store_doc_view(txn, f->st, DB_COUNCILS, "hd-a", &a), 0);
	assert_int_equal(store_doc_view(txn, f->st, DB_COUNCILS, "hd-a", &b), 0);
	assert_ptr_equal(a, b);
	json_object_put(a);
	json_object_put(b);
	/* Changed in the same transaction: seen at once. */
	put_council(txn, f->st, "[\"lan\", \"minh\"]");
	assert_string_equal(
	    members_seen(txn, f->st), "[ \"lan\", \"minh\" ]");
	/* A nested request reads afresh, and its change, rolled back, is
	 * not seen by the batch afterwards. */
	assert_int_equal(store_write_begin(f->st, txn, &child), 0);
	put_council(child, f->st, "[]");
	assert_string_equal(members_seen(child, f->st), "[ ]");
	mdb_txn_abort(child);
	assert_string_equal(
	    members_seen(txn, f->st), "[ \"lan\", \"minh\" ]");
	/* The batch aborted: the next transaction sees what was committed. */
	store_cache_unbind(f->st);
	mdb_txn_abort(txn);
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	store_cache_bind(f->st, txn);
	assert_string_equal(members_seen(txn, f->st), "[ \"lan\" ]");
	store_cache_unbind(f->st);
	mdb_txn_abort(txn);
}

/* Puts n signature-sized records into dedup_sigs from id first on. */
static int
put_sigs(struct store *st, uint64_t first, uint64_t n)
{
	unsigned char sig[256];
	MDB_txn      *txn;
	int           rv = store_write_begin(st, NULL, &txn);

	for (uint64_t id = first; id < first + n && rv == 0; id++) {
		struct store_key k;
		memset(sig, (int) id, sizeof(sig));
		store_key_init(&k);
		store_key_u64(&k, id);
		rv = store_put(txn, st, DB_DEDUP_SIGS, k.b, k.len, sig, sizeof(sig));
	}
	if (rv != 0) {
		mdb_txn_abort(txn);
		return (rv);
	}
	return (store_err(mdb_txn_commit(txn)));
}

struct copier {
	struct store *st;
	char          dir[64];
	atomic_bool   stop;
	int           copies, rv;
};

/* server.backup's work, over and over, as the loop goes on writing. */
static void *
copy_loop(void *arg)
{
	struct copier *c = arg;
	char           path[128], err[256];
	while (!atomic_load(&c->stop) && c->rv == 0) {
		snprintf(path, sizeof(path), "%s/%d", c->dir, c->copies);
		if ((c->rv = mkdir(path, 0700)) == 0) {
			c->rv = store_backup(c->st, path, err, sizeof(err));
			fixture_rm_rf(path);
		}
		c->copies++;
	}
	return (NULL);
}

/*
 * A backup is copied on a thread of its own while the loop writes, and a
 * write may grow the map, which LMDB remaps under any transaction still
 * reading it: the copy and the growth take turns (map_lock).
 */
static void
test_backup_while_growing(void **state)
{
	struct fixture *f = *state;
	struct copier   c = { 0 };
	pthread_t       t;
	char            err[256];
	int             grows = 0, rv;

	store_close(f->st);
	f->st = NULL;
	assert_int_equal(
	    store_open(&f->st, f->dir, 128 << 10, true, err, sizeof(err)), 0);
	while ((rv = put_sigs(f->st, 1, 3000)) == SK_EMAPFULL) {
		assert_int_equal(store_grow(f->st), 0);
	}
	assert_int_equal(rv, 0);
	c.st = f->st;
	snprintf(c.dir, sizeof(c.dir), "/tmp/sk-test-copies-XXXXXX");
	assert_non_null(mkdtemp(c.dir));
	assert_int_equal(pthread_create(&t, NULL, copy_loop, &c), 0);
	for (uint64_t id = 3001; id <= 60000; id += 1000) {
		while ((rv = put_sigs(f->st, id, 1000)) == SK_EMAPFULL) {
			assert_int_equal(store_grow(f->st), 0);
			grows++;
		}
		assert_int_equal(rv, 0);
	}
	atomic_store(&c.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	fixture_rm_rf(c.dir);
	assert_int_equal(c.rv, 0);
	assert_true(grows >= 3);
	assert_true(c.copies >= 1);
}

static void
corrupt(struct store *st, enum store_db db, struct store_key *k, bool put)
{
	MDB_txn *txn;
	assert_int_equal(store_write_begin(st, NULL, &txn), 0);
	if (put) {
		assert_int_equal(
		    store_put(txn, st, db, k->b, k->len, "", 0), 0);
	} else {
		assert_int_equal(store_del(txn, st, db, k->b, k->len), 0);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
}

static void
test_verify_stale_index(void **state)
{
	struct fixture  *f = *state;
	struct store_key k;

	put_case(f->st, 7, case_doc(7, "submitted", "thpt-a", "\"lan\"", 0));
	assert_clean(f->st);

	/* case.list?state=draft would show case 7, which is submitted. */
	store_key_init(&k);
	store_key_str(&k, "draft");
	store_key_u64(&k, 7);
	corrupt(f->st, DB_BY_STATE, &k, true);
	assert_problem(f->st, "by_state has a stale entry for case 7", NULL);
	assert_problem(f->st, "by_state has 2 entries", NULL);
	corrupt(f->st, DB_BY_STATE, &k, false);
	assert_clean(f->st);

	/* An entry for a case that does not exist. */
	store_key_init(&k);
	store_key_str(&k, "thpt-a");
	store_key_u64(&k, 99);
	corrupt(f->st, DB_BY_UNIT, &k, true);
	assert_problem(f->st, "by_unit", "case 99");
	corrupt(f->st, DB_BY_UNIT, &k, false);
	assert_clean(f->st);

	/* A deadline that is not the case's. */
	store_key_init(&k);
	store_key_u64(&k, 12345);
	store_key_u64(&k, 7);
	corrupt(f->st, DB_BY_DUE, &k, true);
	assert_problem(f->st, "by_due has a stale entry for case 7", NULL);
	corrupt(f->st, DB_BY_DUE, &k, false);
	assert_clean(f->st);
}

static void
test_verify_missing_index(void **state)
{
	struct fixture  *f = *state;
	struct store_key k;
	MDB_txn         *txn;

	put_case(f->st, 3, case_doc(3, "draft", "thpt-a", "\"lan\"", 0));
	put_case(f->st, 4, case_doc(4, "draft", "thpt-a", "\"lan\"", 0));

	/* case.list?author=lan would miss case 4. */
	store_key_init(&k);
	store_key_str(&k, "lan");
	store_key_u64(&k, 4);
	corrupt(f->st, DB_BY_AUTHOR, &k, false);
	assert_problem(f->st, "case 4 is missing from by_author", NULL);
	corrupt(f->st, DB_BY_AUTHOR, &k, true);
	assert_clean(f->st);

	store_key_init(&k);
	store_key_str(&k, "draft");
	store_key_u64(&k, 3);
	corrupt(f->st, DB_BY_STATE, &k, false);
	assert_problem(f->st, "case 3 is missing from by_state", NULL);
	corrupt(f->st, DB_BY_STATE, &k, true);
	assert_clean(f->st);

	/* server.status would count 5 drafts. */
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(store_meta_set_u64(txn, f->st, "count/draft", 5), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_problem(f->st, "count of draft", "says 5");
}

/*
 * The history.
 */

static uint64_t
add_event(struct store *st, MDB_txn *txn, int64_t case_id, const char *actor,
    char **text)
{
	char         buf[256];
	uint64_t     seq = 0;
	json_object *ev;

	if (case_id > 0) {
		snprintf(buf, sizeof(buf),
		    "{\"type\":\"case.transition\",\"seq\":999,\"prev\":\"x\","
		    "\"case\":%lld,\"actor\":\"%s\",\"action\":\"submit\"}",
		    (long long) case_id, actor);
	} else {
		snprintf(buf, sizeof(buf),
		    "{\"type\":\"unit.changed\",\"actor\":\"%s\"}", actor);
	}
	ev = json_tokener_parse(buf);
	assert_int_equal(store_event_add(txn, st, ev, &seq, text), 0);
	json_object_put(ev);
	return (seq);
}

static void
hash_hex(const void *p, size_t n, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), p, n, NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static void
get_event(MDB_txn *txn, struct store *st, uint64_t seq, MDB_val *v)
{
	struct store_key k;
	store_key_init(&k);
	store_key_u64(&k, seq);
	assert_int_equal(store_get(txn, st, DB_HISTORY, k.b, k.len, v), 0);
}

static json_object *
parse_mdb(const MDB_val *v)
{
	char        *copy = strndup(v->mv_data, v->mv_size);
	json_object *o    = json_tokener_parse(copy);
	free(copy);
	assert_non_null(o);
	return (o);
}

/* Adds 5 events in each of two transactions; cases 1, 3, 2 in each. */
static void
add_ten_events(struct store *st)
{
	MDB_txn *txn;
	char    *text;
	MDB_val  v;

	for (int t = 0; t < 2; t++) {
		assert_int_equal(store_write_begin(st, NULL, &txn), 0);
		for (int i = 0; i < 5; i++) {
			uint64_t want = (uint64_t) (t * 5 + i + 1);
			int64_t  c    = i % 2 ? 0 : 1 + i % 3;
			uint64_t seq  = add_event(st, txn, c, "lan", &text);
			assert_int_equal(seq, want);
			/* The returned text is what is stored. */
			get_event(txn, st, seq, &v);
			assert_int_equal(v.mv_size, strlen(text));
			assert_memory_equal(v.mv_data, text, v.mv_size);
			free(text);
		}
		assert_int_equal(mdb_txn_commit(txn), 0);
	}
}

static void
test_history_chain(void **state)
{
	struct fixture   *f = *state;
	MDB_txn          *txn;
	struct store_scan it;
	MDB_val           k, v;
	char              prev[65] = "", got[256] = "";
	int               rc;

	add_ten_events(f->st);

	/* Each event names the hash of the stored bytes before it, and its
	 * own seq, whatever the caller put in "seq" and "prev". */
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	for (uint64_t seq = 1; seq <= 10; seq++) {
		get_event(txn, f->st, seq, &v);
		json_object *ev = parse_mdb(&v);
		assert_int_equal(
		    json_object_get_int64(json_object_object_get(ev, "seq")),
		    seq);
		assert_string_equal(
		    json_object_get_string(json_object_object_get(ev, "prev")),
		    prev);
		assert_string_equal(json_object_get_string(
		                        json_object_object_get(ev, "actor")),
		    "lan");
		json_object_put(ev);
		hash_hex(v.mv_data, v.mv_size, prev);
	}
	assert_int_equal(meta(txn, f->st, "last_seq"), 10);
	assert_int_equal(
	    store_get(txn, f->st, DB_META, "head_hash", 9, &v), 0);
	assert_int_equal(v.mv_size, 64);
	assert_memory_equal(v.mv_data, prev, 64);

	/* case.history: each case event under its case, in order. */
	assert_int_equal(store_scan_begin(&it, txn, f->st, DB_CASE_HISTORY, NULL,
	                     NULL),
	    0);
	while ((rc = store_scan_next(&it, &k, &v)) == 0) {
		assert_int_equal(k.mv_size, 16);
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
		    "%s%llu/%llu", got[0] ? " " : "",
		    (unsigned long long) store_u64_at(k.mv_data),
		    (unsigned long long) store_u64_at((char *) k.mv_data + 8));
	}
	store_scan_end(&it);
	assert_int_equal(rc, STORE_SCAN_END);
	assert_string_equal(got, "1/1 1/6 2/5 2/10 3/3 3/8");
	store_read_end(f->st);

	uint64_t     nevents = 0;
	json_object *p       = verify(f->st, NULL, &nevents);
	assert_int_equal(json_object_array_length(p), 0);
	assert_int_equal(nevents, 10);
	json_object_put(p);
}

/* An aborted write leaves no hole in seq; the chain survives a reopen. */
static void
test_history_gap_free(void **state)
{
	struct fixture *f = *state;
	MDB_txn        *txn;
	char            err[256];

	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(add_event(f->st, txn, 1, "lan", NULL), 1);
	assert_int_equal(mdb_txn_commit(txn), 0);

	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(add_event(f->st, txn, 1, "lan", NULL), 2);
	assert_int_equal(add_event(f->st, txn, 1, "lan", NULL), 3);
	mdb_txn_abort(txn);

	store_close(f->st);
	f->st = NULL;
	assert_int_equal(
	    store_open(&f->st, f->dir, 0, true, err, sizeof(err)), 0);
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(add_event(f->st, txn, 2, "minh", NULL), 2);
	/* A nested transaction, as the server runs each request in. */
	MDB_txn *child;
	assert_int_equal(store_write_begin(f->st, txn, &child), 0);
	assert_int_equal(add_event(f->st, child, 2, "minh", NULL), 3);
	mdb_txn_abort(child);
	assert_int_equal(store_write_begin(f->st, txn, &child), 0);
	assert_int_equal(add_event(f->st, child, 2, "minh", NULL), 3);
	assert_int_equal(mdb_txn_commit(child), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);

	uint64_t     nevents = 0;
	json_object *p       = verify(f->st, NULL, &nevents);
	assert_int_equal(json_object_array_length(p), 0);
	assert_int_equal(nevents, 3);
	json_object_put(p);
}

/* Replaces the stored bytes of event seq: "lan" becomes "lam". */
static void
tamper(struct store *st, uint64_t seq)
{
	MDB_txn         *txn;
	MDB_val          v;
	struct store_key k;
	char            *copy, *at;

	assert_int_equal(store_write_begin(st, NULL, &txn), 0);
	get_event(txn, st, seq, &v);
	copy = strndup(v.mv_data, v.mv_size);
	assert_non_null(at = strstr(copy, "\"lan\""));
	at[3] = 'm';
	store_key_init(&k);
	store_key_u64(&k, seq);
	assert_int_equal(
	    store_put(txn, st, DB_HISTORY, k.b, k.len, copy, strlen(copy)), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	free(copy);
}

static void
test_history_tampered(void **state)
{
	struct fixture *f = *state;

	add_ten_events(f->st);
	assert_clean(f->st);
	/* Someone changes who acted in event 4: event 5 no longer chains. */
	tamper(f->st, 4);
	assert_problem(f->st, "event 5", "hash mismatch");
	json_object *p = verify(f->st, NULL, NULL);
	assert_false(has_problem(p, "event 4", NULL));
	json_object_put(p);
}

static void
test_history_tampered_last(void **state)
{
	struct fixture *f = *state;

	add_ten_events(f->st);
	/* Nothing follows event 10; the head hash catches it. */
	tamper(f->st, 10);
	assert_problem(f->st, "head_hash", NULL);
}

static void
test_history_hole(void **state)
{
	struct fixture  *f = *state;
	struct store_key k;
	MDB_txn         *txn;

	add_ten_events(f->st);
	store_key_init(&k);
	store_key_u64(&k, 6);
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_int_equal(store_del(txn, f->st, DB_HISTORY, k.b, k.len), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_problem(f->st, "gap", "seq 7 follows 5");
	assert_problem(f->st, "event 7", "hash mismatch");
}

/*
 * Map growth: a tiny map fills up; the writer aborts, grows, replays.
 */

#define GROW_CASES 600
#define GROW_BATCH 40

static json_object *
big_case(uint64_t id)
{
	json_object *doc = case_doc(id, id % 3 ? "draft" : "submitted",
	    id % 2 ? "thpt-a" : "thpt-b", "\"lan\",\"minh\"",
	    id % 5 ? 0 : 1800000000 + (int64_t) id);
	char         text[1200];
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	json_object_object_add(doc, "solution", json_object_new_string(text));
	return (doc);
}

/* One batch of cases with their events; SK_EMAPFULL if the map is full. */
static int
write_batch(struct store *st, uint64_t first, uint64_t n)
{
	MDB_txn *txn;
	int      rv;

	if ((rv = store_write_begin(st, NULL, &txn)) != 0) {
		return (rv);
	}
	for (uint64_t id = first; id < first + n; id++) {
		json_object *doc = big_case(id);
		json_object *ev  = json_object_new_object();
		uint64_t     seq;
		json_object_object_add(
		    ev, "type", json_object_new_string("case.created"));
		json_object_object_add(
		    ev, "case", json_object_new_int64((int64_t) id));
		rv = store_case_put(txn, st, id, NULL, doc, NULL);
		if (rv == 0) {
			rv = store_event_add(txn, st, ev, &seq, NULL);
		}
		json_object_put(doc);
		json_object_put(ev);
		if (rv != 0) {
			mdb_txn_abort(txn);
			return (rv);
		}
	}
	/* A failed commit frees the transaction too. */
	return (store_err(mdb_txn_commit(txn)));
}

/* Replaces the fixture's store with an empty one of a map of size bytes. */
static void
reopen_with_map(struct fixture *f, size_t size)
{
	char err[256];
	store_close(f->st);
	f->st = NULL;
	fixture_rm_rf(f->dir);
	snprintf(f->dir, sizeof(f->dir), "/tmp/sk-test-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(
	    store_open(&f->st, f->dir, size, true, err, sizeof(err)), 0);
}

static void
test_map_growth(void **state)
{
	struct fixture *f = *state;
	char            err[256];
	int             grows = 0, rv;
	size_t          first_size;

	reopen_with_map(f, 128 << 10);
	first_size = store_mapsize(f->st);
	assert_true(first_size <= (128 << 10));

	for (uint64_t id = 1; id <= GROW_CASES; id += GROW_BATCH) {
		/* The loop holds a read snapshot between batches. */
		MDB_txn *r;
		assert_int_equal(store_read_begin(f->st, &r), 0);
		while (
		    (rv = write_batch(f->st, id, GROW_BATCH)) == SK_EMAPFULL) {
			assert_int_equal(store_grow(f->st), 0);
			grows++;
			assert_true(grows < 20);
		}
		assert_int_equal(rv, 0);
		store_read_end(f->st);
	}
	assert_true(grows > 0);
	assert_true(store_mapsize(f->st) > first_size);
	assert_true(store_bytes(f->st) <= store_mapsize(f->st));

	MDB_txn *txn;
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	for (uint64_t id = 1; id <= GROW_CASES; id++) {
		json_object *doc;
		if (store_case_get(txn, f->st, id, &doc) != 0) {
			fail_msg("case %llu lost", (unsigned long long) id);
		}
		json_object_put(doc);
	}
	assert_int_equal(meta(txn, f->st, "last_seq"), GROW_CASES);
	store_read_end(f->st);

	uint64_t     ncases, nevents;
	json_object *p = verify(f->st, &ncases, &nevents);
	assert_int_equal(json_object_array_length(p), 0);
	assert_int_equal(ncases, GROW_CASES);
	assert_int_equal(nevents, GROW_CASES);
	json_object_put(p);

	/* Reopened with the small size asked again, the file's size wins. */
	size_t grown = store_mapsize(f->st);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(
	    store_open(&f->st, f->dir, 128 << 10, true, err, sizeof(err)), 0);
	assert_true(store_mapsize(f->st) >= store_bytes(f->st));
	assert_true(store_mapsize(f->st) <= grown);
	while ((rv = write_batch(f->st, GROW_CASES + 1, GROW_BATCH))
	    == SK_EMAPFULL) {
		assert_int_equal(store_grow(f->st), 0);
	}
	assert_int_equal(rv, 0);
	assert_clean(f->st);
}

/* Writes batches of cases from *id on until three quarters of the map are
 * in use (growing it only if a batch meets MDB_MAP_FULL first). */
static void
fill_to_three_quarters(struct store *st, uint64_t *id)
{
	int rv;
	while (store_bytes(st) < store_mapsize(st) / 4 * 3) {
		while ((rv = write_batch(st, *id, 4)) == SK_EMAPFULL) {
			assert_int_equal(store_grow(st), 0);
		}
		assert_int_equal(rv, 0);
		*id += 4;
	}
}

/*
 * The map grows ahead of need once three quarters are in use, but never
 * waits for a snapshot another thread reads (a verify or a backup, which
 * may last minutes): then it stays as it is until a later try.  A grow
 * that waited here would hang, as this thread holds the snapshot.
 */
static void
test_map_grows_ahead(void **state)
{
	struct fixture *f = *state;
	uint64_t        id = 1;
	size_t          size;
	bool            grown;
	MDB_txn        *snap;

	reopen_with_map(f, 256 << 10);

	/* Under three quarters: nothing to do. */
	size = store_mapsize(f->st);
	assert_int_equal(store_grow_ahead(f->st, &grown), 0);
	assert_false(grown);
	assert_int_equal(store_mapsize(f->st), size);

	fill_to_three_quarters(f->st, &id);
	size = store_mapsize(f->st);
	assert_int_equal(store_grow_ahead(f->st, &grown), 0);
	assert_true(grown);
	assert_int_equal(store_mapsize(f->st), 2 * size);

	fill_to_three_quarters(f->st, &id);
	size = store_mapsize(f->st);
	assert_int_equal(store_snapshot_begin(f->st, &snap), 0);
	assert_int_equal(store_grow_ahead(f->st, &grown), 0);
	assert_false(grown);
	assert_int_equal(store_mapsize(f->st), size);
	store_snapshot_end(f->st, snap);
	assert_int_equal(store_grow_ahead(f->st, &grown), 0);
	assert_true(grown);
	assert_int_equal(store_mapsize(f->st), 2 * size);

	/* Everything written is there, and more fits. */
	assert_int_equal(write_batch(f->st, id, 4), 0);
	assert_clean(f->st);
}

/*
 * Backup.
 */

static void
test_backup(void **state)
{
	struct fixture *f    = *state;
	char           *bdir = f->bdir, path[128], err[256] = "";
	struct stat     sb;
	struct store   *b = NULL;
	MDB_txn        *t1, *t2;

	put_case(f->st, 1, case_doc(1, "draft", "thpt-a", "\"lan\"", 0));
	put_case(f->st, 2,
	    case_doc(2, "unit_review", "thpt-b", "\"minh\"", 1800000000));
	put_case(f->st, 3, case_doc(3, "recognized", "thpt-a", "\"hoa\"", 0));
	add_ten_events(f->st);

	snprintf(bdir, sizeof(f->bdir), "/tmp/sk-test-backup-XXXXXX");
	assert_non_null(mkdtemp(bdir));
	/* The snapshot the loop holds does not stop a backup. */
	assert_int_equal(store_read_begin(f->st, &t1), 0);
	assert_int_equal(store_backup(f->st, bdir, err, sizeof(err)), 0);
	store_read_end(f->st);
	snprintf(path, sizeof(path), "%s/data.mdb", bdir);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 0);

	assert_int_equal(store_open(&b, bdir, 0, true, err, sizeof(err)), 0);
	assert_int_equal(store_read_begin(f->st, &t1), 0);
	assert_int_equal(store_read_begin(b, &t2), 0);
	for (uint64_t id = 1; id <= 4; id++) {
		MDB_val          v1, v2;
		struct store_key k;
		store_key_init(&k);
		store_key_u64(&k, id);
		int r1 = store_get(t1, f->st, DB_CASES, k.b, k.len, &v1);
		int r2 = store_get(t2, b, DB_CASES, k.b, k.len, &v2);
		assert_int_equal(r1, r2);
		if (r1 == 0) {
			assert_int_equal(v1.mv_size, v2.mv_size);
			assert_memory_equal(
			    v1.mv_data, v2.mv_data, v1.mv_size);
		}
	}
	assert_index(t2, b, DB_BY_STATE, "draft/1 unit_review/2 recognized/3");
	assert_index(t2, b, DB_BY_DUE, "1800000000/2");
	store_read_end(f->st);
	store_read_end(b);

	uint64_t     ncases, nevents;
	json_object *p = verify(b, &ncases, &nevents);
	assert_int_equal(json_object_array_length(p), 0);
	assert_int_equal(ncases, 3);
	assert_int_equal(nevents, 10);
	json_object_put(p);
	store_close(b);
	fixture_rm_rf(bdir);

	/* A directory that already holds a database: refused, kept. */
	snprintf(bdir, sizeof(f->bdir), "/tmp/sk-test-backup-XXXXXX");
	assert_non_null(mkdtemp(bdir));
	assert_int_equal(store_backup(f->st, bdir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", bdir);
	assert_int_equal(stat(path, &sb), 0);
	off_t size = sb.st_size;
	put_case(f->st, 4, case_doc(4, "draft", "thpt-a", "\"lan\"", 0));
	err[0] = '\0';
	assert_int_equal(
	    store_backup(f->st, bdir, err, sizeof(err)), SK_EBADREQ);
	assert_non_null(strstr(err, bdir));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, size);
	fixture_rm_rf(bdir);

	/* A directory that does not exist: refused, named. */
	err[0] = '\0';
	assert_int_equal(
	    store_backup(f->st, "/nonexistent/sk-backup", err, sizeof(err)),
	    SK_EBADREQ);
	assert_non_null(strstr(err, "/nonexistent/sk-backup"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_open_creates_and_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_open_wrong_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_open_tiny_map, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_case_indexes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_case_view_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_case_put_aborted, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_doc_view_follows_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_backup_while_growing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_verify_stale_index, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_verify_missing_index, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_gap_free, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_tampered_last, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_history_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_map_growth, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_map_grows_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
