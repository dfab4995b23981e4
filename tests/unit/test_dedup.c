/*
 * test_dedup.c: unit tests of duplicate detection and the public search
 * (core/dedup/).
 *
 * The normalization tests pin down what a user would notice: "hoà" and
 * "hòa" are one word, so are "thuý" and "thúy", NFD and NFC, Đ and đ.  The
 * corpus test takes the initiatives of tests/corpus (written for it, each
 * on its own topic), indexes them in a fresh LMDB, makes variants of each
 * as copiers make them (no diacritics, NFD, the other tone placement,
 * sentences shuffled and upper-cased, a few words replaced, the text
 * inside a longer application, and no diacritics with words replaced),
 * and requires that every variant finds its original first at 0.25 or
 * more, and that no unrelated pair reaches 0.15.  It prints recall and
 * false matches.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "core/dedup/dedup.h"
#include "core/util/err.h"
#include "core/store/store.h"
#include "tests/unit/store_fixture.h"

#ifndef SK_SOURCE_DIR
#define SK_SOURCE_DIR "."
#endif
#define CORPUS_DIR SK_SOURCE_DIR "/tests/corpus"
#define CORPUS_MAX 256

/* ------------------------------------------------------------------ */
/* A store in a temporary directory.                                   */

struct fixture {
	char          dir[64];
	struct store *st;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (fixture_store_open(f->dir, sizeof(f->dir), "dedup", &f->st) != 0) {
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
	free(f);
	return (0);
}

static MDB_txn *
begin(struct fixture *f)
{
	MDB_txn *txn;
	assert_int_equal(store_write_begin(f->st, NULL, &txn), SK_OK);
	return (txn);
}

/* ------------------------------------------------------------------ */
/* Normalization.                                                      */

static char *
norm(const char *s, enum dedup_key key)
{
	char  *out;
	size_t len;
	assert_int_equal(
	    dedup_normalize(s, strlen(s), key, &out, &len), SK_OK);
	assert_int_equal(strlen(out), len);
	return (out);
}

/* a and b normalize (full key) to want. */
static void
same_full(const char *a, const char *b, const char *want)
{
	char *na = norm(a, DEDUP_FULL), *nb = norm(b, DEDUP_FULL);
	assert_string_equal(na, want);
	assert_string_equal(nb, want);
	free(na);
	free(nb);
}

static void
test_tone_placement(void **state)
{
	/* Old and new placement meet on the new one. */
	same_full("hoà", "hòa", "hoà");
	same_full("thuý", "thúy", "thuý");
	same_full("khoẻ", "khỏe", "khoẻ");
	same_full("Hoá đơn", "hóa đơn", "hoá đơn");
	same_full("thuỷ lợi", "thủy lợi", "thuỷ lợi");
	same_full("uỷ ban", "ủy ban", "uỷ ban");
	same_full("tuỳ", "tùy", "tuỳ");
	same_full("ngoài", "ngòai", "ngoài");
	same_full("khuỷu", "khủyu", "khuỷu");
	same_full("loé", "lóe", "loé");
	/* Closed syllables, modified vowels, qu and gi: one right way. */
	same_full("hoàn toàn", "hòan tòan", "hoàn toàn");
	same_full("quý", "QUÝ", "quý");
	same_full("quả", "Quả", "quả");
	same_full("giữa", "GIỮA", "giữa");
	same_full("gìn", "Gìn", "gìn");
	same_full("người được hưởng", "NGƯỜI ĐƯỢC HƯỞNG", "người được hưởng");
	same_full("rượu", "rươụ", "rượu");
	same_full("thuyết", "thuýêt", "thuyết");
	same_full("mía múa của", "Mía Múa Của", "mía múa của");
	same_full("tiến quốc", "tiến quốc", "tiến quốc");
}

static void
test_nfd_nfc(void **state)
{
	const char *nfc = "Sáng kiến cải tiến quy trình khám chữa bệnh "
	                  "tại Bệnh viện Đa khoa tỉnh Lạng Sơn";
	char       *nfd, *a, *b;

	nfd = (char *) utf8proc_NFD((const utf8proc_uint8_t *) nfc);
	assert_non_null(nfd);
	assert_string_not_equal(nfc, nfd);
	a = norm(nfc, DEDUP_FULL);
	b = norm(nfd, DEDUP_FULL);
	assert_string_equal(a, b);
	assert_string_equal(a, "sáng kiến cải tiến quy trình khám chữa bệnh "
	                       "tại bệnh viện đa khoa tỉnh lạng sơn");
	free(a);
	free(b);
	a = norm(nfd, DEDUP_STRIPPED);
	assert_string_equal(a, "sang kien cai tien quy trinh kham chua benh "
	                       "tai benh vien da khoa tinh lang son");
	free(a);
	free(nfd);
}

static void
test_d_and_case(void **state)
{
	char *s;

	same_full("ĐƯỜNG", "đường", "đường");
	/* U+00D0 (Ð, eth) is often typed for Đ. */
	same_full("Ðà Nẵng", "Đà Nẵng", "đà nẵng");
	s = norm("Đồng ĐỘI đường", DEDUP_STRIPPED);
	assert_string_equal(s, "dong doi duong");
	free(s);
	/* Full width, ligatures and compatibility forms fold too. */
	s = norm("ＡＢＣ ﬁle", DEDUP_FULL);
	assert_string_equal(s, "abc file");
	free(s);
}

static void
test_punctuation_and_space(void **state)
{
	char *s = norm("  Sáng-kiến,\n\t(mới)!!  13/2012/NĐ-CP… ", DEDUP_FULL);
	assert_string_equal(s, "sáng kiến mới 13 2012 nđ cp");
	free(s);
	s = norm("", DEDUP_FULL);
	assert_string_equal(s, "");
	free(s);
	s = norm("!?. ,", DEDUP_STRIPPED);
	assert_string_equal(s, "");
	free(s);
}

static void
test_invalid_utf8(void **state)
{
	char  *out = NULL;
	size_t len;
	assert_int_equal(dedup_normalize("abc \xff\xfe", 6, DEDUP_FULL, &out,
	                     &len),
	    SK_EBADREQ);
	assert_null(out);
}

/* ------------------------------------------------------------------ */
/* Signatures and the index.                                           */

static void
sign(const char *text, struct dedup_sig *sig)
{
	size_t n;
	assert_int_equal(dedup_sign(text, strlen(text), sig, &n), SK_OK);
	assert_true(n > 0);
}

static void
test_sign(void **state)
{
	struct dedup_sig a, b;
	size_t           n;

	assert_int_equal(dedup_sign("... !", 5, &a, &n), SK_OK);
	assert_int_equal(n, 0);
	/* Accents, case and punctuation do not change a signature. */
	sign("Hoà bình, độc lập!", &a);
	sign("HOA BINH doc lap", &b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(dedup_similarity(&a, &b) == 1.0);
	/* Two syllables make one shingle. */
	assert_int_equal(dedup_sign("hoà bình", 9, &a, &n), SK_OK);
	assert_int_equal(n, 1);
	sign("một hai ba bốn năm sáu bảy tám chín mười", &a);
	sign("mười một mười hai mười ba mười bốn mười lăm", &b);
	assert_true(dedup_similarity(&a, &b) < 0.15);
}

static void
collect_bad(void *arg, const char *msg)
{
	(*(int *) arg)++;
	fprintf(stderr, "verify: %s\n", msg);
}

static void
count_bad(void *arg, const char *msg)
{
	(*(int *) arg)++;
}

static void
verify_clean(struct fixture *f, MDB_txn *txn, uint64_t want_sigs)
{
	int      bad = 0;
	uint64_t n;
	assert_int_equal(
	    dedup_verify(txn, f->st, collect_bad, &bad, &n), SK_OK);
	assert_int_equal(bad, 0);
	assert_int_equal(n, want_sigs);
}

/*
 * A pending record keeps its "to" signature's band slots, which queries
 * compare.  Records written before that (no slots, or the first index's
 * 32-bit keys) are still understood, and one whose slots do not match its
 * signature is named by verify.
 */
static void
test_pending_keys(void **state)
{
	struct fixture    *f = *state;
	struct dedup_match m[4];
	struct dedup_query q = { 0.9, 0, 0, 4 };
	struct dedup_sig   sig;
	size_t             n, sl = 1 + sizeof(sig);
	int                bad = 0;
	uint64_t           nsigs;
	unsigned char      k[5] = { 0, 0, 0, 0, 7 }, v[1 + 256 + 512];
	MDB_val            key = { 5, k }, val;
	MDB_txn           *txn = begin(f);

	sign("sáng kiến: sổ tay điện tử cho giáo viên chủ nhiệm", &sig);
	assert_int_equal(dedup_index_put(txn, f->st, 7, &sig), SK_OK);
	assert_int_equal(
	    store_get(txn, f->st, DB_DEDUP_PENDING, key.mv_data, key.mv_size,
	        &val),
	    0);
	assert_int_equal(val.mv_size, sl + 8 * DEDUP_BANDS);
	memcpy(v, val.mv_data, sl); /* before the next write */

	/* The older layouts: flags and the signature, then no keys, or 64
	 * 32-bit keys (whatever they hold: they are not read). */
	memset(v + sl, 0xff, 4 * DEDUP_BANDS);
	for (size_t extra = 0; extra <= 4 * DEDUP_BANDS;
	     extra += 4 * DEDUP_BANDS) {
		assert_int_equal(store_put(txn, f->st, DB_DEDUP_PENDING, k, 5, v,
		                     sl + extra),
		    SK_OK);
		assert_int_equal(dedup_query(txn, f->st, &sig, &q, m, &n), SK_OK);
		assert_int_equal(n, 1);
		assert_int_equal(m[0].id, 7);
		verify_clean(f, txn, 1);
	}

	/* Slots that are not the signature's: verify says so. */
	memset(v + sl, 0xff, 8 * DEDUP_BANDS);
	assert_int_equal(store_put(txn, f->st, DB_DEDUP_PENDING, k, 5, v,
	                     sl + 8 * DEDUP_BANDS),
	    SK_OK);
	assert_int_equal(
	    dedup_verify(txn, f->st, count_bad, &bad, &nsigs), SK_OK);
	assert_int_equal(bad, 1);
	mdb_txn_abort(txn);
}

/*
 * A phrase that many cases share (here a title that 300 cases begin with,
 * most of each text) makes bands that hundreds of cases share; a query
 * reads only the latest of those (core/dedup/query.c, band_run).  A copy of one of
 * them is still found first, by the bands of its own words, and a text
 * copied 300 times is still found among its latest copies.
 */
static void
test_common_phrase(void **state)
{
	struct fixture    *f = *state;
	struct dedup_match m[5];
	struct dedup_query q = { 0.15, 0, 0, 5 };
	struct dedup_sig   sig;
	char               text[300];
	size_t             n;
	MDB_txn           *txn = begin(f);
	const char        *common =
	    "một số biện pháp nâng cao chất lượng dạy học môn toán cho học "
	    "sinh lớp bốn ở trường tiểu học";

	for (uint32_t i = 1; i <= 300; i++) {
		snprintf(text, sizeof(text), "%s, sổ %u tay %u bài %u", common,
		    i, i * 7, i * 13);
		sign(text, &sig);
		assert_int_equal(dedup_index_put(txn, f->st, i, &sig), SK_OK);
	}
	for (uint32_t i = 301; i <= 600; i++) {
		sign(common, &sig);
		assert_int_equal(dedup_index_put(txn, f->st, i, &sig), SK_OK);
	}
	assert_int_equal(dedup_index_step(txn, f->st, true), SK_OK);
	assert_int_equal(dedup_index_pending(txn, f->st), 0);

	/* A copy of case 117, one word changed. */
	sign("một số biện pháp nâng cao chất lượng dạy học môn toán cho học "
	     "sinh lớp bốn ở trường tiểu học, sổ 117 tay 819 bài 1521 mới",
	    &sig);
	assert_int_equal(dedup_query(txn, f->st, &sig, &q, m, &n), SK_OK);
	assert_true(n >= 1);
	assert_int_equal(m[0].id, 117);

	/* The common text itself: found among its latest copies, the 64 a
	 * band's run gives at most (all 300 tie at 1, and ties go to the
	 * lower id). */
	sign(common, &sig);
	q.below = 601;
	assert_int_equal(dedup_query(txn, f->st, &sig, &q, m, &n), SK_OK);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		assert_true(m[i].id > 600 - 64);
		assert_true(m[i].similarity > 0.99);
	}
	mdb_txn_abort(txn);
}

/*
 * A database of the first sangkiend (schema 1: bare ids in the bands) has
 * its bands rebuilt from the signatures, a group of bands per transaction,
 * and goes on where it was after a stop part way.  Its pending records go:
 * the signatures already are what they said.  Then verify is clean and
 * queries find each case.
 */
static void
test_upgrade(void **state)
{
	struct fixture    *f = *state;
	struct dedup_match m[4];
	struct dedup_query q = { 0.9, 0, 0, 4 };
	static struct dedup_sig sigs[301];
	char               text[200], err[256];
	uint64_t           v, cases;
	size_t             n;
	int                calls = 0;
	bool               done  = false;
	MDB_txn           *txn   = begin(f);

	for (uint32_t i = 1; i <= 300; i++) {
		snprintf(text, sizeof(text),
		    "sáng kiến số %u: sổ theo dõi %u học sinh lớp %u, tổ %u",
		    i, i * 11 % 23, i % 12, i % 7);
		sign(text, &sigs[i]);
		assert_int_equal(dedup_index_put(txn, f->st, i, &sigs[i]), SK_OK);
	}
	/* What schema 1 left: some other bands, records pending. */
	assert_int_equal(store_clear(txn, f->st, DB_DEDUP_BANDS), SK_OK);
	for (uint32_t i = 1; i <= 300; i++) {
		unsigned char key[4] = { (unsigned char) (i % DEDUP_BANDS), 0,
			(unsigned char) (i >> 8), (unsigned char) i };
		assert_int_equal(store_put_dup(txn, f->st, DB_DEDUP_BANDS, key, 4,
		                     &i, sizeof(i)),
		    SK_OK);
	}
	assert_true(dedup_index_pending(txn, f->st) > 0);
	assert_int_equal(store_put(txn, f->st, DB_META, "schema", 6, "1", 1),
	    SK_OK);
	assert_int_equal(mdb_txn_commit(txn), 0);

	/* 300 signatures, at most 1,500 entries a call: 5 bands, 13 calls;
	 * the store is closed and opened again after the second. */
	while (!done) {
		txn = begin(f);
		assert_int_equal(
		    dedup_index_upgrade(txn, f->st, 1500, &done, &cases), SK_OK);
		assert_int_equal(cases, 300);
		assert_int_equal(mdb_txn_commit(txn), 0);
		if (++calls == 2) {
			store_close(f->st);
			assert_int_equal(store_open(&f->st, f->dir, 0, true, err,
			                     sizeof(err)),
			    0);
		}
		assert_true(calls <= 13);
	}
	assert_int_equal(calls, 13);

	txn = begin(f);
	assert_int_equal(store_meta_u64(txn, f->st, "schema", &v), SK_OK);
	assert_int_equal(v, 2);
	assert_int_equal(dedup_index_pending(txn, f->st), 0);
	verify_clean(f, txn, 300);
	for (uint32_t i = 1; i <= 300; i += 7) {
		assert_int_equal(
		    dedup_query(txn, f->st, &sigs[i], &q, m, &n), SK_OK);
		assert_true(n >= 1);
		assert_int_equal(m[0].id, i);
	}
	/* Done is done: the next start writes nothing. */
	done = false;
	assert_int_equal(
	    dedup_index_upgrade(txn, f->st, 1500, &done, &cases), SK_OK);
	assert_true(done);
	assert_int_equal(cases, 0);
	mdb_txn_abort(txn);
}

/*
 * The bands are brought up to date in sorted runs, a band at a time
 * (dedup_index_step).  At every point of that, queries answer as if every
 * case's bands were current, and server.verify finds the index whole:
 * 600 cases (more than the 256 that start a run), 200 of them changed or
 * removed while the run is half done.
 */
static void
test_index_pending(void **state)
{
	struct fixture    *f = *state;
	struct dedup_match m[4];
	struct dedup_query q = { 0.9, 0, 0, 4 };
	size_t             n;
	char               text[200];
	MDB_txn           *txn = begin(f);
	static struct dedup_sig sigs[601];

	for (int i = 1; i <= 600; i++) {
		snprintf(text, sizeof(text),
		    "sáng kiến số %d: quy trình %d bước cho tổ %d, khối %d, "
		    "năm học %d",
		    i, i * 7 % 13, i % 17, i % 5, 2000 + i);
		sign(text, &sigs[i]);
		assert_int_equal(dedup_index_put(txn, f->st, (uint64_t) i,
		                     &sigs[i]),
		    SK_OK);
	}
	verify_clean(f, txn, 600);
	int steps = 0;
	for (; steps < 1000; steps++) {
		struct store_stat ms;
		assert_int_equal(dedup_index_step(txn, f->st, false), SK_OK);
		verify_clean(f, txn, 600 - (steps > 5 ? 100 : 0));
		if (steps == 5) {
			/* Mid-run: change 100 cases, remove 100. */
			for (int i = 1; i <= 200; i++) {
				if (i % 2 == 0) {
					assert_int_equal(
					    dedup_index_del(txn, f->st, (uint64_t) i),
					    SK_OK);
					continue;
				}
				snprintf(text, sizeof(text),
				    "bản sửa %d: hướng dẫn %d tiết cho lớp %d", i,
				    i * 3, i % 9);
				sign(text, &sigs[i]);
				assert_int_equal(dedup_index_put(txn, f->st,
				                     (uint64_t) i, &sigs[i]),
				    SK_OK);
			}
			verify_clean(f, txn, 500);
		}
		for (int i = 1; i <= 600; i += 37) {
			assert_int_equal(
			    dedup_query(txn, f->st, &sigs[i], &q, m, &n), SK_OK);
			if (i <= 200 && i % 2 == 0 && steps >= 5) {
				assert_true(n == 0 || m[0].id != (uint64_t) i);
			} else {
				assert_true(n >= 1);
				assert_int_equal(m[0].id, i);
			}
		}
		assert_int_equal(
		    store_stat(txn, f->st, DB_DEDUP_PENDING, &ms), 0);
		if (steps > 5 && ms.entries < 256) {
			break; /* the first run is in; the rest waits */
		}
	}
	assert_true(steps > 5 && steps < 1000);
	assert_int_equal(dedup_index_step(txn, f->st, true), SK_OK);
	verify_clean(f, txn, 500);
	assert_int_equal(store_entries(txn, f->st, DB_DEDUP_PENDING), 0);
	assert_int_equal(store_entries(txn, f->st, DB_DEDUP_BANDS),
	    500 * DEDUP_BANDS);
	mdb_txn_abort(txn);
}

static void
test_index(void **state)
{
	struct fixture    *f = *state;
	struct dedup_sig   a, b, got;
	struct dedup_match m[4];
	size_t             n;
	MDB_txn           *txn = begin(f);

	sign("Phần mềm quản lý văn bản đi đến và giao việc tại văn phòng Sở",
	    &a);
	sign("Nuôi cá lồng trên hồ thủy lợi kết hợp bảo vệ nguồn nước", &b);
	assert_int_equal(dedup_index_get(txn, f->st, 7, &got), SK_ENOTFOUND);
	assert_int_equal(dedup_index_put(txn, f->st, 7, &a), SK_OK);
	assert_int_equal(dedup_index_get(txn, f->st, 7, &got), SK_OK);
	assert_memory_equal(&got, &a, sizeof(a));
	verify_clean(f, txn, 1);

	struct dedup_query q = { 0.15, 0, 0, 4 };
	assert_int_equal(dedup_query(txn, f->st, &a, &q, m, &n), SK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].id, 7);
	assert_true(m[0].similarity == 1.0);
	q.skip = 7; /* the case itself */
	assert_int_equal(dedup_query(txn, f->st, &a, &q, m, &n), SK_OK);
	assert_int_equal(n, 0);
	q.skip  = 0;
	q.below = 7; /* only earlier cases */
	assert_int_equal(dedup_query(txn, f->st, &a, &q, m, &n), SK_OK);
	assert_int_equal(n, 0);

	/* Re-indexing replaces the bands: the old text is not found. */
	assert_int_equal(dedup_index_put(txn, f->st, 7, &b), SK_OK);
	verify_clean(f, txn, 1);
	q.below = 0;
	assert_int_equal(dedup_query(txn, f->st, &a, &q, m, &n), SK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(dedup_query(txn, f->st, &b, &q, m, &n), SK_OK);
	assert_int_equal(n, 1);

	assert_int_equal(dedup_index_put(txn, f->st, 9, &a), SK_OK);
	verify_clean(f, txn, 2);

	/* Edited while its bands wait for a run, the case is found by its
	 * new text at once. */
	struct dedup_sig e = a;
	e.v[0] ^= 0x5a5a;
	assert_int_equal(dedup_index_put(txn, f->st, 9, &e), SK_OK);
	verify_clean(f, txn, 2);
	assert_int_equal(dedup_index_get(txn, f->st, 9, &got), SK_OK);
	assert_memory_equal(&got, &e, sizeof(e));
	assert_int_equal(dedup_query(txn, f->st, &e, &q, m, &n), SK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].id, 9);
	assert_int_equal(dedup_index_put(txn, f->st, 9, &a), SK_OK);
	verify_clean(f, txn, 2);

	/* Brought up to date (as the server does a batch at a time, and all
	 * at shutdown), the bands give the same answers. */
	assert_int_equal(dedup_index_step(txn, f->st, true), SK_OK);
	verify_clean(f, txn, 2);
	assert_int_equal(dedup_query(txn, f->st, &a, &q, m, &n), SK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].id, 9);

	/* A band entry lost behind the index's back is reported. */
	struct store_scan it;
	MDB_val           k, v;
	int               bad = 0;
	uint64_t          nsigs;
	assert_int_equal(
	    store_scan_begin(&it, txn, f->st, DB_DEDUP_BANDS, NULL, NULL), 0);
	assert_int_equal(store_scan_next(&it, &k, &v), 0);
	assert_int_equal(store_scan_del(&it), 0);
	store_scan_end(&it);
	assert_int_equal(
	    dedup_verify(txn, f->st, count_bad, &bad, &nsigs), SK_OK);
	assert_int_equal(bad, 2); /* the missing entry, and the count */
	/* Indexed afresh, its entries are whole again. */
	assert_int_equal(dedup_index_del(txn, f->st, 9), SK_OK);
	assert_int_equal(dedup_index_step(txn, f->st, true), SK_OK);
	assert_int_equal(dedup_index_put(txn, f->st, 9, &a), SK_OK);
	assert_int_equal(dedup_index_step(txn, f->st, true), SK_OK);
	verify_clean(f, txn, 2);

	/* Edited after its bands are in, likewise; the run then moves only
	 * the bands the edit changed, and the index stays whole. */
	struct dedup_sig c = a;
	c.v[0] ^= 0x5a5a;
	assert_int_equal(dedup_index_put(txn, f->st, 9, &c), SK_OK);
	verify_clean(f, txn, 2);
	assert_int_equal(dedup_index_step(txn, f->st, true), SK_OK);
	verify_clean(f, txn, 2);
	assert_int_equal(dedup_index_get(txn, f->st, 9, &got), SK_OK);
	assert_memory_equal(&got, &c, sizeof(c));
	assert_int_equal(dedup_query(txn, f->st, &c, &q, m, &n), SK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].id, 9);
	assert_int_equal(dedup_index_put(txn, f->st, 9, &a), SK_OK);
	verify_clean(f, txn, 2);
	assert_int_equal(dedup_index_del(txn, f->st, 7), SK_OK);
	assert_int_equal(dedup_index_del(txn, f->st, 7), SK_OK);
	assert_int_equal(dedup_index_get(txn, f->st, 7, &got), SK_ENOTFOUND);
	verify_clean(f, txn, 1);
	assert_int_equal(dedup_index_put(txn, f->st, (uint64_t) 1 << 33, &a),
	    SK_ETOOLARGE);
	mdb_txn_abort(txn);
}

static void
search(struct fixture *f, MDB_txn *txn, const char *q, uint64_t after,
    size_t limit, const char *want, bool want_more)
{
	uint64_t ids[16];
	size_t   n;
	bool     more;
	char     got[256] = "";

	assert_int_equal(dedup_search(txn, f->st, q, strlen(q), after, limit,
	                     ids, &n, &more),
	    SK_OK);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(got);
		snprintf(got + l, sizeof(got) - l, "%s%llu", i ? " " : "",
		    (unsigned long long) ids[i]);
	}
	assert_string_equal(got, want);
	assert_int_equal(more, want_more);
}

/* The same answers whether the cases' postings wait or are in. */
static void
search_answers(struct fixture *f, MDB_txn *txn)
{
	uint64_t ids[4];
	size_t   n;
	bool     more;

	search(f, txn, "giáo dục", 0, 10, "3 5", false);
	search(f, txn, "GIAO DUC mam non", 0, 10, "3", false);
	search(f, txn, "Đồ chơi", 0, 10, "3", false);
	search(f, txn, "giao duc", 0, 1, "3", true);
	search(f, txn, "giao duc", 3, 1, "5", false);
	search(f, txn, "huyet ap", 0, 10, "9", false);
	search(f, txn, "huyết áp giáo", 0, 10, "", false);
	search(f, txn, "xyz", 0, 10, "", false);
	assert_int_equal(dedup_search(txn, f->st, "?!", 2, 0, 4, ids, &n,
	                     &more),
	    SK_EBADREQ);
}

static void
test_search(void **state)
{
	struct fixture *f = *state;
	MDB_txn        *txn = begin(f);
	const char     *t3 = "Giáo dục mầm non: đồ chơi tái chế";
	const char     *t5 = "giao duc tieu hoc vung cao";
	const char     *t9 = "Y tế xã: quản lý tăng huyết áp";
	const char     *t5b = "Giáo dục tiểu học: lớp ghép";

	assert_int_equal(
	    dedup_search_change(txn, f->st, 3, NULL, 0, t3, strlen(t3)), 0);
	assert_int_equal(
	    dedup_search_change(txn, f->st, 5, NULL, 0, t5, strlen(t5)), 0);
	assert_int_equal(
	    dedup_search_change(txn, f->st, 9, NULL, 0, t9, strlen(t9)), 0);
	assert_int_equal(dedup_search_pending(txn, f->st), 3);
	search_answers(f, txn); /* pending */
	assert_int_equal(dedup_search_step(txn, f->st, false), 0);
	assert_int_equal(dedup_search_pending(txn, f->st), 3); /* too few */
	assert_int_equal(dedup_search_step(txn, f->st, true), 0);
	assert_int_equal(dedup_search_pending(txn, f->st), 0);
	search_answers(f, txn); /* in the postings */

	/* Changed, withdrawn from view, and back as it was. */
	assert_int_equal(dedup_search_change(txn, f->st, 5, t5, strlen(t5),
	                     t5b, strlen(t5b)),
	    0);
	search(f, txn, "vung cao", 0, 10, "", false);
	search(f, txn, "lop ghep", 0, 10, "5", false);
	assert_int_equal(
	    dedup_search_change(txn, f->st, 3, t3, strlen(t3), NULL, 0), 0);
	search(f, txn, "giáo dục", 0, 10, "5", false);
	assert_int_equal(
	    dedup_search_change(txn, f->st, 5, t5b, strlen(t5b), t5, strlen(t5)),
	    0);
	assert_int_equal(dedup_search_pending(txn, f->st), 1); /* 5 is back */
	search(f, txn, "vung cao", 0, 10, "5", false);
	assert_int_equal(dedup_search_step(txn, f->st, true), 0);
	search(f, txn, "giáo dục", 0, 10, "5", false);
	search(f, txn, "do choi", 0, 10, "", false);
	/* 5: giao duc tieu hoc vung cao; 9: y te xa quan ly tang huyet ap */
	assert_int_equal(store_entries(txn, f->st, DB_SEARCH_TERMS), 6 + 8);
	mdb_txn_abort(txn);
}

static uint64_t rnd(uint64_t *s);

/*
 * 300 cases of words from a small vocabulary, changed at random while
 * their postings move a step at a time: every search answers as a scan of
 * the current texts would, whatever waits.
 */
static void
test_search_pending(void **state)
{
	static const char *const words[] = { "lớp", "học", "giáo", "viên",
		"bệnh", "trạm", "xã", "huyện", "số", "hóa", "an", "toàn" };
	enum { NW = sizeof(words) / sizeof(words[0]), NC = 300 };
	struct fixture *f = *state;
	MDB_txn        *txn = begin(f);
	static char     text[NC + 1][128];
	static unsigned has[NC + 1]; /* bit w: words[w] is in the text */
	uint64_t        rng = 7, ids[NC];
	size_t          n;
	bool            more;

	for (int round = 0; round < 40; round++) {
		for (int c = 0; c < 20; c++) {
			int      id  = 1 + (int) (rnd(&rng) % NC);
			unsigned h   = 0;
			char     t[128] = "";
			for (int w = 0; w < 4; w++) {
				unsigned k = (unsigned) (rnd(&rng) % NW);
				h |= 1u << k;
				strcat(t, words[k]);
				strcat(t, " ");
			}
			bool gone = rnd(&rng) % 5 == 0;
			assert_int_equal(dedup_search_change(txn, f->st,
			                     (uint64_t) id,
			                     text[id][0] ? text[id] : NULL,
			                     strlen(text[id]), gone ? NULL : t,
			                     gone ? 0 : strlen(t)),
			    0);
			snprintf(text[id], sizeof(text[id]), "%s", gone ? "" : t);
			has[id] = gone ? 0 : h;
		}
		assert_int_equal(dedup_search_step(txn, f->st, round == 39), 0);
		for (unsigned a = 0; a < NW; a += 3) {
			unsigned b = (a + 5) % NW, want = 1u << a | 1u << b;
			char     q[64];
			size_t   m = 0;
			snprintf(q, sizeof(q), "%s %s", words[a], words[b]);
			assert_int_equal(dedup_search(txn, f->st, q, strlen(q), 0,
			                     NC, ids, &n, &more),
			    0);
			for (int id = 1; id <= NC; id++) {
				if ((has[id] & want) == want) {
					assert_true(m < n);
					assert_int_equal(ids[m], id);
					m++;
				}
			}
			assert_int_equal(m, n);
			assert_false(more);
		}
	}
	assert_int_equal(dedup_search_pending(txn, f->st), 0);
	mdb_txn_abort(txn);
}

/* ------------------------------------------------------------------ */
/* The corpus and its variants.                                        */

struct doc {
	char  name[128];
	char *text;
};

static struct doc corpus[CORPUS_MAX];
static size_t     ncorpus;
static char      *frame_head, *frame_tail;

static char *
read_file(const char *path)
{
	FILE  *fp = fopen(path, "rb");
	char  *buf;
	long   len;

	if (fp == NULL) {
		return (NULL);
	}
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t) len + 1);
	if (fread(buf, 1, (size_t) len, fp) != (size_t) len) {
		len = 0;
	}
	buf[len] = '\0';
	fclose(fp);
	return (buf);
}

static int
cmp_doc(const void *a, const void *b)
{
	return (strcmp(((const struct doc *) a)->name,
	    ((const struct doc *) b)->name));
}

static void
load_corpus(void)
{
	DIR           *d = opendir(CORPUS_DIR);
	struct dirent *de;
	char           path[512];

	if (ncorpus > 0) {
		return;
	}
	assert_non_null(d);
	while ((de = readdir(d)) != NULL && ncorpus < CORPUS_MAX) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || l < 5 ||
		    strcmp(de->d_name + l - 4, ".txt") != 0) {
			continue;
		}
		snprintf(corpus[ncorpus].name, sizeof(corpus[ncorpus].name),
		    "%s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, de->d_name);
		assert_non_null(corpus[ncorpus].text = read_file(path));
		ncorpus++;
	}
	closedir(d);
	qsort(corpus, ncorpus, sizeof(corpus[0]), cmp_doc);
	snprintf(path, sizeof(path), "%s/_khung.txt", CORPUS_DIR);
	assert_non_null(frame_head = read_file(path));
	char *mark = strstr(frame_head, "%%TEXT%%");
	assert_non_null(mark);
	*mark      = '\0';
	frame_tail = strdup(mark + strlen("%%TEXT%%"));
}

/* A small deterministic generator (xorshift64). */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

/* The code points of s (NFD when nfd), 0-terminated; *n is the count. */
static int32_t *
to_cps(const char *s, bool nfd, size_t *n)
{
	utf8proc_int32_t *buf;
	utf8proc_ssize_t  r, cap = (utf8proc_ssize_t) strlen(s) * 4 + 16;

	buf = malloc((size_t) (cap + 1) * sizeof(*buf));
	r   = utf8proc_decompose((const utf8proc_uint8_t *) s, 0, buf, cap,
	      UTF8PROC_NULLTERM | (nfd ? UTF8PROC_DECOMPOSE : 0));
	assert_true(r >= 0 && r <= cap);
	buf[r] = 0;
	*n     = (size_t) r;
	return (buf);
}

/* UTF-8 of cps, composed (NFC) when compose. */
static char *
from_cps(int32_t *cps, size_t n, bool compose)
{
	utf8proc_ssize_t r = utf8proc_reencode(cps, (utf8proc_ssize_t) n,
	    compose ? UTF8PROC_STABLE | UTF8PROC_COMPOSE : 0);
	assert_true(r >= 0);
	return ((char *) cps);
}

static bool
is_mark(int32_t c)
{
	return (c >= 0x300 && c <= 0x36f);
}

static bool
is_letter(int32_t c)
{
	utf8proc_category_t k = utf8proc_category(c);
	return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO);
}

/* Typed without diacritics: marks dropped, đ as d; case kept. */
static char *
v_strip(const char *s)
{
	size_t   n, w = 0;
	int32_t *c = to_cps(s, true, &n);
	for (size_t i = 0; i < n; i++) {
		if (!is_mark(c[i])) {
			c[w++] = c[i] == 0x111 ? 'd'
			    : c[i] == 0x110    ? 'D'
			                       : c[i];
		}
	}
	return (from_cps(c, w, false));
}

static char *
v_nfd(const char *s)
{
	return ((char *) utf8proc_NFD((const utf8proc_uint8_t *) s));
}

static bool
lower_is(int32_t c, int32_t want)
{
	return (c == want || c == want - 32);
}

/*
 * The other tone placement: in an open syllable ending in "oa", "oe" or
 * "uy" (not "qu"), the tone moves to the other vowel: "hoà" <-> "hòa",
 * "thuý" <-> "thúy".  *swaps counts the moves.
 */
static char *
v_tones(const char *s, size_t *swaps)
{
	size_t   n, w = 0;
	int32_t *c   = to_cps(s, true, &n);
	int32_t *out = malloc((n + 1) * sizeof(*out));

	for (size_t i = 0; i < n; i++) {
		int32_t t1 = 0, t2 = 0;
		size_t  j, k;
		bool    ok = true;
		bool    o  = lower_is(c[i], 'o'), u = lower_is(c[i], 'u');
		if (!(o || u) || (i > 0 && (is_mark(c[i - 1]) ||
		                               (c[i - 1] < 0x80 &&
		                                   c[i - 1] != 0 &&
		                                   strchr("aeiouyAEIOUYqQ",
		                                       (int) c[i - 1]))))) {
			out[w++] = c[i];
			continue;
		}
		for (j = i + 1; j < n && is_mark(c[j]); j++) {
			ok = ok && (c[j] == 0x300 || c[j] == 0x301 ||
			               c[j] == 0x303 || c[j] == 0x309 ||
			               c[j] == 0x323) &&
			    t1 == 0;
			t1 = c[j];
		}
		if (!ok || j == n ||
		    !(o ? lower_is(c[j], 'a') || lower_is(c[j], 'e')
		        : lower_is(c[j], 'y'))) {
			out[w++] = c[i];
			continue;
		}
		for (k = j + 1; k < n && is_mark(c[k]); k++) {
			ok = ok && (c[k] == 0x300 || c[k] == 0x301 ||
			               c[k] == 0x303 || c[k] == 0x309 ||
			               c[k] == 0x323) &&
			    t2 == 0;
			t2 = c[k];
		}
		if (!ok || (k < n && is_letter(c[k])) ||
		    (t1 != 0) == (t2 != 0)) {
			out[w++] = c[i];
			continue;
		}
		out[w++] = c[i];
		if (t2 != 0) {
			out[w++] = t2;
		}
		out[w++] = c[j];
		if (t1 != 0) {
			out[w++] = t1;
		}
		(*swaps)++;
		i = k - 1;
	}
	free(c);
	return (from_cps(out, w, true));
}

/* Sentences in another order, all in capitals. */
static char *
v_shuffle_upper(const char *s, uint64_t seed)
{
	char  *copy = strdup(s), *sent[256], *p = copy;
	size_t ns   = 0, len = 0;

	while (*p != '\0' && ns < 256) {
		size_t l = strcspn(p, ".!?\n");
		if (l > 0) {
			sent[ns++] = p;
		}
		p += l;
		if (*p != '\0') {
			*p++ = '\0';
		}
	}
	for (size_t i = ns; i > 1; i--) {
		size_t j = rnd(&seed) % i;
		char  *t = sent[i - 1];
		sent[i - 1] = sent[j];
		sent[j]     = t;
	}
	char *joined = malloc(strlen(s) + ns * 2 + 1);
	joined[0]    = '\0';
	for (size_t i = 0; i < ns; i++) {
		strcat(joined, sent[i]);
		strcat(joined, ". ");
	}
	free(copy);
	size_t   n;
	int32_t *c = to_cps(joined, false, &n);
	free(joined);
	for (size_t i = 0; i < n; i++) {
		c[i] = utf8proc_toupper(c[i]);
	}
	(void) len;
	return (from_cps(c, n, false));
}

/* About one word in thirty replaced by another. */
static char *
v_replace(const char *s, uint64_t seed, size_t *replaced)
{
	static const char *const words[] = { "nhiều", "thêm", "khác", "mới",
		"rất", "các", "cơ quan", "đơn vị", "cũng", "hơn" };
	char  *out = malloc(strlen(s) * 2 + 64), *w = out;
	const char *p = s;

	while (*p != '\0') {
		size_t sp = strspn(p, " \n");
		memcpy(w, p, sp);
		w += sp;
		p += sp;
		size_t l = strcspn(p, " \n");
		if (l > 0 && rnd(&seed) % 30 == 0) {
			const char *r = words[rnd(&seed) % 10];
			memcpy(w, r, strlen(r));
			w += strlen(r);
			(*replaced)++;
		} else {
			memcpy(w, p, l);
			w += l;
		}
		p += l;
	}
	*w = '\0';
	return (out);
}

/* The text inside a longer application (the frame of _khung.txt). */
static char *
v_embed(const char *s)
{
	size_t len = strlen(frame_head) + strlen(s) + strlen(frame_tail);
	char  *out = malloc(len + 1);
	strcpy(out, frame_head);
	strcat(out, s);
	strcat(out, frame_tail);
	return (out);
}

enum variant {
	V_STRIP,
	V_NFD,
	V_TONES,
	V_SHUFFLE,
	V_REPLACE,
	V_EMBED,
	V_STRIP_REPLACE,
	V_COUNT,
};

static const char *const variant_names[V_COUNT] = { "no diacritics", "NFD",
	"other tone placement", "shuffled, upper case", "words replaced",
	"embedded", "no diacritics, words replaced" };

static char *
make_variant(enum variant v, const struct doc *d, uint64_t seed,
    size_t *changes)
{
	char *t, *r;
	switch (v) {
	case V_STRIP:
		return (v_strip(d->text));
	case V_NFD:
		return (v_nfd(d->text));
	case V_TONES:
		return (v_tones(d->text, changes));
	case V_SHUFFLE:
		return (v_shuffle_upper(d->text, seed));
	case V_REPLACE:
		return (v_replace(d->text, seed, changes));
	case V_EMBED:
		return (v_embed(d->text));
	case V_STRIP_REPLACE:
		t = v_strip(d->text);
		r = v_replace(t, seed ^ 0x5555, changes);
		free(t);
		return (r);
	default:
		return (NULL);
	}
}

static void
test_corpus(void **state)
{
	struct fixture  *f = *state;
	struct dedup_sig sig[CORPUS_MAX];
	size_t           found = 0, nvariants = 0, falses = 0, pairs = 0;
	size_t           changes[V_COUNT] = { 0 };
	double           lowest[V_COUNT], highest_unrelated = 0;
	MDB_txn         *txn;

	load_corpus();
	assert_true(ncorpus >= 30);
	txn = begin(f);
	for (size_t i = 0; i < ncorpus; i++) {
		sign(corpus[i].text, &sig[i]);
		assert_int_equal(
		    dedup_index_put(txn, f->st, i + 1, &sig[i]), 0);
	}
	verify_clean(f, txn, ncorpus);

	/* No two originals are alike. */
	for (size_t i = 0; i < ncorpus; i++) {
		for (size_t j = i + 1; j < ncorpus; j++) {
			double s = dedup_similarity(&sig[i], &sig[j]);
			pairs++;
			if (s > highest_unrelated) {
				highest_unrelated = s;
			}
			if (s >= DEDUP_SIMILAR_MIN) {
				falses++;
				printf("false match: %s ~ %s: %.3f\n",
				    corpus[i].name, corpus[j].name, s);
			}
		}
	}

	/* Every variant finds its original first, and nothing else. */
	for (int v = 0; v < V_COUNT; v++) {
		lowest[v] = 1;
	}
	for (size_t i = 0; i < ncorpus; i++) {
		for (int v = 0; v < V_COUNT; v++) {
			struct dedup_match m[8];
			struct dedup_query q = { 0.0, 0, 0, 8 };
			struct dedup_sig   vs;
			size_t             n;
			char *text = make_variant((enum variant) v, &corpus[i],
			    0x9e3779b97f4a7c15ULL * (i + 1) + (uint64_t) v,
			    &changes[v]);

			assert_non_null(text);
			/* (A text may have no "oa", "oe", "uy" to move.) */
			if (v != V_TONES) {
				assert_string_not_equal(text, corpus[i].text);
			}
			sign(text, &vs);
			free(text);
			assert_int_equal(
			    dedup_query(txn, f->st, &vs, &q, m, &n), 0);
			nvariants++;
			if (n > 0 && m[0].id == i + 1 &&
			    m[0].similarity >= 0.25) {
				found++;
			} else {
				printf("missed: %s (%s): first %llu at %.3f\n",
				    corpus[i].name, variant_names[v],
				    n ? (unsigned long long) m[0].id : 0ULL,
				    n ? m[0].similarity : 0.0);
			}
			for (size_t k = 0; k < n; k++) {
				if (m[k].id == i + 1) {
					lowest[v] = m[k].similarity < lowest[v]
					    ? m[k].similarity
					    : lowest[v];
					continue;
				}
				pairs++;
				if (m[k].similarity > highest_unrelated) {
					highest_unrelated = m[k].similarity;
				}
				if (m[k].similarity >= DEDUP_SIMILAR_MIN) {
					falses++;
					printf("false match: %s (%s) ~ %s: "
					       "%.3f\n",
					    corpus[i].name, variant_names[v],
					    corpus[m[k].id - 1].name,
					    m[k].similarity);
				}
			}
		}
	}
	mdb_txn_abort(txn);

	printf("dedup corpus: %zu texts, %zu variants\n", ncorpus, nvariants);
	for (int v = 0; v < V_COUNT; v++) {
		printf("  %-30s lowest similarity to its original %.3f\n",
		    variant_names[v], lowest[v]);
	}
	printf("  tone marks moved %zu, words replaced %zu + %zu\n",
	    changes[V_TONES], changes[V_REPLACE], changes[V_STRIP_REPLACE]);
	printf("recall: %zu/%zu variants found their original first at "
	       ">= 0.25 (%.1f%%)\n",
	    found, nvariants, 100.0 * (double) found / (double) nvariants);
	printf("false matches: %zu (>= %.2f) among %zu unrelated pairs; "
	       "highest unrelated %.3f\n",
	    falses, DEDUP_SIMILAR_MIN, pairs, highest_unrelated);
	/* The generators must really have changed something. */
	assert_true(changes[V_TONES] >= ncorpus);
	assert_true(changes[V_REPLACE] >= ncorpus * 3);
	assert_int_equal(found, nvariants);
	assert_int_equal(falses, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tone_placement),
		cmocka_unit_test(test_nfd_nfc),
		cmocka_unit_test(test_d_and_case),
		cmocka_unit_test(test_punctuation_and_space),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_sign),
		cmocka_unit_test_setup_teardown(test_index, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_index_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_pending_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_common_phrase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_search_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corpus, setup, teardown),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
