/*
 * report_bench.c: the reports (core/model/report.h) over a province's
 * archive, measured against issue 17's target: a report over 100,000
 * cases finishes in seconds while writes go on.  Built by CMake, never run
 * by ctest: speed is measured, not tested.
 *
 * It fills a fresh LMDB in a temporary directory with synthetic cases
 * through the store's own writers (store_case_put, the ballots' keys), a
 * third of them decided by a council of four with ballots, then runs
 * every report in a snapshot on the main thread, as the server's thread
 * pool does, while a second thread writes without pause (one case updated
 * per transaction, with fsync off); it prints each report's time, and the
 * writes done meanwhile with their slowest commit.
 *
 * usage: report_bench [CASES]   (default 100000)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/model/case.h"
#include "core/model/report.h"
#include "core/util/err.h"

#define BATCH 2000

static const char *const units[] = { "thpt-a", "thpt-b", "bv-c", "ubnd-d",
	"so-e" };
static const char *const members[] = { "chair", "secretary", "member-a",
	"member-b" };
static const char *const states[] = { "draft", "submitted", "unit_review",
	"unit_recognized", "unit_refused", "recognized", "withdrawn" };

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec + (double) ts.tv_nsec / 1e9);
}

static void
die(const char *what, int rv)
{
	fprintf(stderr, "report_bench: %s failed (%d)\n", what, rv);
	exit(1);
}

/* A case as the server stores one, in state states[i % 7]. */
static json_object *
make_case(uint64_t id)
{
	const char  *st  = states[id % 7];
	json_object *doc = json_object_new_object();
	char         title[128];

	snprintf(title, sizeof(title), "Sáng kiến thử số %llu về quản lý hồ sơ",
	    (unsigned long long) id);
	json_object_object_add(doc, "id", json_object_new_int64((int64_t) id));
	json_object_object_add(doc, "unit", json_object_new_string(units[id % 5]));
	json_object_object_add(doc, "title", json_object_new_string(title));
	json_object_object_add(doc, "field",
	    json_object_new_string("Giáo dục và đào tạo"));
	json_object_object_add(doc, "state", json_object_new_string(st));
	json_object_object_add(doc, "version", json_object_new_int(1));
	json_object *a = json_object_new_array(), *au = json_object_new_object();
	json_object_object_add(au, "name", json_object_new_string("Nguyễn Thị Lan"));
	json_object_object_add(au, "user",
	    json_object_new_string(id % 3 ? "lan" : "hoa"));
	json_object_object_add(au, "share", json_object_new_int(100));
	json_object_array_add(a, au);
	json_object_object_add(doc, "authors", a);
	json_object *aus = json_object_new_array();
	json_object_array_add(aus, json_object_new_string(id % 3 ? "lan" : "hoa"));
	json_object_object_add(doc, "author_users", aus);
	if (strcmp(st, "draft") != 0) {
		json_object_object_add(doc, "submitted_at",
		    json_object_new_string("2026-03-02T08:00:00Z"));
	}
	if (id % 7 >= 3 && id % 7 <= 5) {
		json_object *decs = json_object_new_array();
		json_object *d    = json_object_new_object();
		json_object_object_add(d, "stage", json_object_new_string("unit"));
		json_object_object_add(d, "verdict",
		    json_object_new_string(id % 7 == 4 ? "fail" : "pass"));
		json_object_object_add(d, "decided_at",
		    json_object_new_string("2026-04-20T08:00:00Z"));
		json_object_array_add(decs, d);
		json_object_object_add(doc, "decisions", decs);
		json_object *c = json_object_new_object();
		json_object_object_add(c, "unit", json_object_new_string("hd"));
		json_object_object_add(doc, "councils", c);
	}
	return (doc);
}

static int
fill(struct store *st, uint64_t n)
{
	for (uint64_t first = 1; first <= n; first += BATCH) {
		MDB_txn         *txn;
		struct proto_err err = { 0 };
		struct op_ctx    ctx = { .st = st, .err = &err };
		int              rv;

		if ((rv = store_write_begin(st, NULL, &txn)) != 0) {
			die("store_write_begin", rv);
		}
		ctx.txn = txn;
		for (uint64_t id = first; id < first + BATCH && id <= n; id++) {
			json_object *doc = make_case(id);
			if ((rv = store_case_put(txn, st, id, NULL, doc, NULL)) != 0) {
				die("store_case_put", rv);
			}
			for (int m = 0; doc_len(json_object_object_get(doc,
			                    "decisions")) && m < 4; m++) {
				json_object *b = json_object_new_object();
				json_object_object_add(b, "member",
				    json_object_new_string(members[m]));
				json_object_object_add(b, "total",
				    json_object_new_double(
				        60 + (double) ((id * 7 + (uint64_t) m * 13) % 30) -
				        (m == 3 ? 20 : 0)));
				review_ballot_put(&ctx, id, "unit", members[m], b);
				json_object_put(b);
			}
			json_object_put(doc);
		}
		if ((rv = mdb_txn_commit(txn)) != 0) {
			die("mdb_txn_commit", rv);
		}
	}
	return (0);
}

struct writer {
	struct store *st;
	uint64_t      n;
	atomic_bool   stop;
	uint64_t      writes;
	double        slowest;
};

/* Updates one case per transaction until told to stop. */
static void *
write_on(void *arg)
{
	struct writer *w = arg;
	uint64_t       id = 1;
	while (!atomic_load(&w->stop)) {
		MDB_txn     *txn;
		json_object *old, *doc;
		double       t0 = now_s();
		if (store_write_begin(w->st, NULL, &txn) != 0) {
			continue;
		}
		id  = id % w->n + 1;
		old = make_case(id);
		doc = make_case(id);
		json_object_object_add(doc, "version", json_object_new_int(2));
		store_case_put(txn, w->st, id, old, doc, NULL);
		json_object_put(old);
		json_object_put(doc);
		if (mdb_txn_commit(txn) == 0) {
			double dt = now_s() - t0;
			w->writes++;
			w->slowest = dt > w->slowest ? dt : w->slowest;
		}
	}
	return (NULL);
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "states", "times", "recognized",
		"authors", "scorers" };
	uint64_t         n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000;
	char             dir[] = "/tmp/sk-rbench.XXXXXX", err[256], cmd[64];
	struct store    *st;
	struct writer    w = { 0 };
	pthread_t        thr;
	struct principal admin = { .id = "admin", .roles = ROLE_ADMIN };
	double           t0;
	int              rv;

	if (mkdtemp(dir) == NULL ||
	    (rv = store_open(&st, dir, (size_t) 4 << 30, true, err,
	         sizeof(err))) != 0) {
		fprintf(stderr, "report_bench: %s\n", err);
		return (1);
	}
	t0 = now_s();
	fill(st, n);
	printf("filled %llu cases in %.1f s\n", (unsigned long long) n,
	    now_s() - t0);
	w.st = st;
	w.n  = n;
	pthread_create(&thr, NULL, write_on, &w);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		MDB_txn             *txn;
		struct proto_err     perr = { 0 };
		struct op_ctx        ctx  = { .st = st, .err = &perr,
			       .who = &admin, .on_council = -1,
			       .now = (int64_t) time(NULL) };
		struct report_filter f    = { 0 };
		json_object         *out  = NULL;
		uint64_t             w0   = w.writes;

		if ((rv = store_snapshot_begin(st, &txn)) != 0) {
			die("store_snapshot_begin", rv);
		}
		ctx.txn = txn;
		t0      = now_s();
		rv      = report_run(&ctx, report_find(names[i]), &f, &out);
		double dt = now_s() - t0;
		store_snapshot_end(st, txn);
		printf("report.%-10s %6.2f s  %6zu items  (%llu writes meanwhile)\n",
		    names[i], dt, doc_len(json_object_object_get(out, "items")),
		    (unsigned long long) (w.writes - w0));
		if (rv != 0) {
			fprintf(stderr, "  error: %s\n", perr.msg);
		}
		json_object_put(out);
	}
	atomic_store(&w.stop, true);
	pthread_join(thr, NULL);
	printf("writer: %llu commits, slowest %.1f ms\n",
	    (unsigned long long) w.writes, w.slowest * 1e3);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return (system(cmd) == 0 ? 0 : 1);
}
