/*
 * skbench.c: the benchmark of sangkiend, and its two baselines, in one run.
 *
 * skbench starts its own sangkiend on a temporary directory (or targets a
 * running one with --server), loads a province, and drives the server with
 * N concurrent req0 contexts over ipc:// from this process: durable writes
 * (create, update, act, score, decide), reads (case.get) and case.list
 * pages.  In the same run it measures what the server is up against: (a)
 * LMDB with one synced commit per write, (b) an nng rep0 echo server in its
 * own process, built on sangkiend's own endpoint (the ratios' baseline, as
 * the benchmark issue defines it: the same topology), and for reference
 * one that answers on a pool of rep0 contexts.  Then it loads the server
 * with many cases to see lists, start-up, memory and bytes per case at
 * scale, runs the writes again under --durability nosync, and kills the
 * server with SIGKILL under load to check that nothing it acknowledged is
 * lost.  It reports a table for people and, with --json, one JSON line
 * last.  It is never part of ctest: speed is measured here,
 * not asserted; tests/integration/t_durability.sh runs its crash rounds.
 *
 *   skbench [--quick] [--json] [--clients N] [--seconds S] [--load N]
 *           [--crash-rounds K] [--crash-only] [--sangkiend PATH]
 *           [--server URL] ...     (skbench --help says all)
 *
 * Exit status: 0, or 1 when a target of durability failed (a lost write,
 * a failed verify, an error reply).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "skbench.h"

#ifndef SKBENCH_RUBRICS
#define SKBENCH_RUBRICS "rubrics"
#endif

struct opts {
	const char *server; /* a running server, or NULL to start our own */
	const char *sangkiend;
	const char *rubrics;
	const char *tmp;
	int         clients;
	double      seconds;
	double      list_seconds;
	uint64_t    small, large;
	int         crash_rounds;
	double      crash_seconds;
	int         crash_clients;
	bool        crash_only;
	bool        quick;
	bool        json;
	bool        keep;
	bool        request_ids;
	bool        no_nosync;
};

/* Everything the table and the JSON line show; -1 where not measured. */
struct report {
	double           loadavg;
	double           lmdb_per_s;
	struct sk_result echo, echo_ctx;
	struct sk_result write, create, update, act, score, decide, read;
	struct sk_result ns_write, ns_read;
	struct sk_result list[2][5]; /* small, large; 4 kinds + all */
	uint64_t         cases[2];
	double           load_s, load_writes_per_s;
	uint64_t         load_writes;
	double           startup_s, rss_mib, rss_anon_mib, bytes_per_case;
	int              crash_rounds;
	uint64_t         crash_acked, crash_lost;
	bool             crash_verify_ok;
	uint64_t         failures;
};

static char self_path[4096];

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: skbench [--quick] [--json] [--clients N] [--seconds S]\n"
	    "               [--load N] [--small N] [--crash-rounds K]\n"
	    "               [--crash-seconds S] [--crash-clients N] "
	    "[--crash-only]\n"
	    "               [--sangkiend PATH] [--rubrics DIR] [--server "
	    "URL]\n"
	    "               [--request-ids] [--no-nosync] [--keep]\n"
	    "\n"
	    "  --quick           under 2 minutes: 3 s phases, 1,000 vs "
	    "50,000 cases,\n"
	    "                    3 crash rounds (default: 10 s, 1,000,000, "
	    "20)\n"
	    "  --json            one JSON line last, after the table\n"
	    "  --clients N       concurrent requests (req0 contexts; default "
	    "64)\n"
	    "  --seconds S       length of each throughput phase\n"
	    "  --load N          cases at the large size; --small N at the "
	    "small\n"
	    "  --crash-rounds K  kill -9 under load K times (0: none)\n"
	    "  --crash-seconds S kill at a random moment within S s of "
	    "writing\n"
	    "  --crash-clients N writers during crash rounds (default 32)\n"
	    "  --crash-only      only the crash rounds\n"
	    "  --sangkiend PATH  the server (default: next to skbench)\n"
	    "  --rubrics DIR     the server's --rubrics (default: the "
	    "source tree's)\n"
	    "  --server URL      drive a running server instead (no "
	    "restarts,\n"
	    "                    no crash rounds, no nosync run)\n"
	    "  --request-ids     send a request_id with every write\n"
	    "  --no-nosync       skip the --durability nosync run\n"
	    "  --keep            keep the temporary directory\n");
}

static double
loadavg(void)
{
	double l = -1;
	FILE  *f = fopen("/proc/loadavg", "r");
	if (f != NULL) {
		if (fscanf(f, "%lf", &l) != 1) {
			l = -1;
		}
		fclose(f);
	}
	return (l);
}

static void
progress(const struct opts *o, const char *fmt, ...)
{
	va_list ap;
	(void) o;
	va_start(ap, fmt);
	fprintf(stderr, "skbench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static void
check_failures(struct report *rep, struct sk_run *r, const char *phase,
    const struct sk_result *res)
{
	if (res->failed > 0) {
		fprintf(stderr,
		    "skbench: %s: %llu of %llu requests failed; "
		    "first: %s\n",
		    phase, (unsigned long long) res->failed,
		    (unsigned long long) res->n, r->first_error);
		rep->failures += res->failed;
	}
}

#define KB(k) (1u << (k))
#define WRITE_KINDS \
	(KB(K_CREATE) | KB(K_UPDATE) | KB(K_ACT) | KB(K_SCORE) | KB(K_DECIDE))
#define LIST_KINDS                                                            \
	(KB(K_LIST_FIRST) | KB(K_LIST_DEEP) | KB(K_LISTF_FIRST)               \
	    | KB(K_LISTF_DEEP))

/* Loads the province up to n cases; res says how the writes went. */
static void
load_to(struct sk_run *r, struct sk_province *p, uint64_t n,
    struct report *rep, struct sk_result *res)
{
	struct sk_mix m;

	sk_clients_reset(r);
	sk_mix_load(&m, p, n);
	sk_run_mix(r, &m, 0);
	sk_run_result(r, WRITE_KINDS, res);
	check_failures(rep, r, "load", res);
}

static void
measure_lists(struct sk_run *r, struct sk_province *p, double seconds,
    struct sk_result out[5], struct report *rep)
{
	struct sk_mix m;

	sk_mix_list(&m, p);
	sk_run_mix(r, &m, seconds);
	for (int k = 0; k < 4; k++) {
		sk_run_result(r, KB(K_LIST_FIRST + k), &out[k]);
	}
	sk_run_result(r, LIST_KINDS, &out[4]);
	check_failures(rep, r, "case.list", &out[4]);
}

static void
measure_rw(struct sk_run *r, struct sk_province *p, double seconds,
    struct report *rep, bool nosync)
{
	struct sk_mix m;

	sk_clients_reset(r);
	sk_mix_write(&m, p);
	sk_run_mix(r, &m, seconds);
	sk_run_result(r, WRITE_KINDS, nosync ? &rep->ns_write : &rep->write);
	if (!nosync) {
		sk_run_result(r, KB(K_CREATE), &rep->create);
		sk_run_result(r, KB(K_UPDATE), &rep->update);
		sk_run_result(r, KB(K_ACT), &rep->act);
		sk_run_result(r, KB(K_SCORE), &rep->score);
		sk_run_result(r, KB(K_DECIDE), &rep->decide);
	}
	check_failures(
	    rep, r, "writes", nosync ? &rep->ns_write : &rep->write);
	sk_mix_read(&m, p);
	sk_run_mix(r, &m, seconds);
	sk_run_result(r, KB(K_GET), nosync ? &rep->ns_read : &rep->read);
	check_failures(rep, r, "reads", nosync ? &rep->ns_read : &rep->read);
}

/* Cases on the server, by server.status. */
static uint64_t
count_cases(const char *url)
{
	char        *reply = NULL;
	json_object *o, *res, *cases;
	uint64_t     n = 0;

	if (sk_call(url, "{\"op\":\"server.status\"}", &reply, 10000) == 0
	    && (o = json_tokener_parse(reply)) != NULL) {
		if (json_object_object_get_ex(o, "result", &res)
		    && json_object_object_get_ex(res, "cases", &cases)) {
			json_object_object_foreach(cases, k, v)
			{
				(void) k;
				n += (uint64_t) json_object_get_int64(v);
			}
		}
		json_object_put(o);
	}
	free(reply);
	return (n);
}

static int
start_server(struct sk_server *s, const struct opts *o, const char *name,
    bool nosync, double *startup_s)
{
	memset(s, 0, sizeof(*s));
	s->bin      = o->sangkiend;
	s->rubrics  = o->rubrics;
	s->nosync   = nosync;
	s->contexts = o->clients > 64 ? o->clients : 64;
	snprintf(s->dir, sizeof(s->dir), "%s/%s", o->tmp, name);
	return (sk_server_start(s, startup_s));
}

/* Baseline (b): an echo server, through sangkiend's own endpoint (loop)
 * or through a pool of rep0 contexts answered on nng's threads. */
static void
measure_echo(const struct opts *o, bool loop, struct sk_result *res,
    struct report *rep)
{
	char                url[700];
	struct sk_province *p;
	struct sk_run      *r;
	struct sk_mix       m;
	pid_t               echo;
	int                 rv;

	snprintf(url, sizeof(url), "ipc://%s/echo%s.ipc", o->tmp,
	    loop ? "-loop" : "");
	progress(o, "baseline (b): nng rep0 echo, %d %s", o->clients,
	    loop ? "requests in flight through sangkiend's endpoint"
	         : "contexts");
	if ((echo = sk_echo_start(self_path, url, o->clients, loop)) < 0) {
		fprintf(stderr, "skbench: the echo server did not start\n");
		exit(1);
	}
	if ((rv = sk_run_open(&r, url, o->clients)) != 0
	    || sk_province_new(&p, NULL, o->clients, false) != 0) {
		fprintf(stderr, "skbench: %s: %s\n", url, nng_strerror(rv));
		exit(1);
	}
	sk_mix_echo(&m, p);
	sk_run_mix(r, &m, o->seconds);
	sk_run_result(r, KB(K_ECHO), res);
	check_failures(rep, r, "echo", res);
	sk_run_close(r);
	sk_province_free(p);
	sk_echo_stop(echo);
}

static void
phase_baselines(const struct opts *o, struct report *rep)
{
	char dir[600];

	snprintf(dir, sizeof(dir), "%s/lmdb", o->tmp);
	mkdir(dir, 0700);
	progress(o, "baseline (a): LMDB, one synced commit per %zu-byte put",
	    sk_body_len());
	rep->lmdb_per_s
	    = sk_lmdb_single_commit(dir, sk_body_len(), o->seconds);

	measure_echo(o, true, &rep->echo, rep);
	measure_echo(o, false, &rep->echo_ctx, rep);
}

static void
phase_server(const struct opts *o, struct report *rep)
{
	struct sk_server    s;
	struct sk_province *p;
	struct sk_run      *r;
	const char         *url;
	int                 rv;
	int                 authors
	    = o->clients > o->crash_clients ? o->clients : o->crash_clients;

	if (o->server != NULL) {
		url = o->server;
	} else {
		progress(o, "starting %s", o->sangkiend);
		if (start_server(&s, o, "full", false, NULL) != 0) {
			exit(1);
		}
		url = s.url;
	}
	progress(o, "loading the province: 22 units and councils, %d authors",
	    authors);
	if (sk_province_new(&p, url, authors, o->request_ids) != 0
	    || (rv = sk_run_open(&r, url, o->clients)) != 0) {
		fprintf(stderr, "skbench: cannot reach %s\n", url);
		exit(1);
	}
	for (int size = 0; size < 2; size++) {
		uint64_t want = size == 0 ? o->small : o->large;
		progress(
		    o, "filing cases up to %llu", (unsigned long long) want);
		struct sk_result res;
		load_to(r, p, want, rep, &res);
		if (size == 1) {
			rep->load_s            = res.seconds;
			rep->load_writes       = res.n;
			rep->load_writes_per_s = res.per_s;
		}
		rep->cases[size] = count_cases(url);
		progress(o, "case.list pages at %llu cases",
		    (unsigned long long) rep->cases[size]);
		measure_lists(r, p, o->list_seconds, rep->list[size], rep);
	}
	if (o->server == NULL) {
		char        path[700];
		struct stat sb;
		snprintf(path, sizeof(path), "%s/data.mdb", s.dir);
		if (stat(path, &sb) == 0 && rep->cases[1] > 0) {
			rep->bytes_per_case
			    = (double) sb.st_size / (double) rep->cases[1];
		}
		progress(o, "restarting at %llu cases",
		    (unsigned long long) rep->cases[1]);
		sk_run_close(r);
		if (sk_server_stop(&s) != 0) {
			rep->failures++;
		}
		if (sk_server_start(&s, &rep->startup_s) != 0) {
			exit(1);
		}
		if ((rv = sk_run_open(&r, url, o->clients)) != 0) {
			fprintf(stderr, "skbench: %s: %s\n", url,
			    nng_strerror(rv));
			exit(1);
		}
	}
	progress(o, "durable writes, then reads, %d clients, %.0f s each",
	    o->clients, o->seconds);
	measure_rw(r, p, o->seconds, rep, false);
	if (o->server == NULL) {
		rep->rss_mib      = sk_rss_mib(s.pid, "VmRSS:");
		rep->rss_anon_mib = sk_rss_mib(s.pid, "RssAnon:");
	}
	sk_run_close(r);
	sk_province_free(p);
	if (o->server == NULL && sk_server_stop(&s) != 0) {
		rep->failures++;
	}

	if (o->server != NULL || o->no_nosync) {
		return;
	}
	progress(o, "the same with --durability nosync");
	if (start_server(&s, o, "nosync", true, NULL) != 0
	    || sk_province_new(&p, s.url, authors, o->request_ids) != 0
	    || sk_run_open(&r, s.url, o->clients) != 0) {
		exit(1);
	}
	struct sk_result res;
	load_to(r, p, o->small, rep, &res);
	measure_rw(r, p, o->seconds, rep, true);
	sk_run_close(r);
	sk_province_free(p);
	if (sk_server_stop(&s) != 0) {
		rep->failures++;
	}
}

/*
 * The crash writers: a child process (sk_crash_writers), SIGKILLed right
 * after the server, so that no nng socket is ever closed under a dead
 * server (see skbench.h).  Returns its pid, or -1.
 */
static pid_t
writers_start(const struct opts *o, const char *url, int round,
    const char *prov, const char *jpath)
{
	char  rs[16], cs[16];
	pid_t pid;

	snprintf(rs, sizeof(rs), "%d", round);
	snprintf(cs, sizeof(cs), "%d", o->crash_clients);
	if ((pid = fork()) == 0) {
		const char *argv[] = { self_path, "--crash-writers", url, rs,
			cs, prov, jpath, NULL };
		execv(self_path, (char *const *) argv);
		_exit(127);
	}
	return (pid);
}

/* skbench --crash-writers URL ROUND CLIENTS PROVINCE JOURNAL: the child.
 * It writes until it is killed. */
static int
sk_crash_writers(int argc, char **argv)
{
	struct sk_province *p;
	struct sk_run      *r;
	struct sk_mix       m;
	int                 fd;

	if (argc != 7
	    || sk_province_load(&p, argv[2], argv[5]) != 0
	    || (fd = open(argv[6], O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0
	    || sk_run_open(&r, argv[2], atoi(argv[4])) != 0) {
		fprintf(stderr, "skbench: the crash writers cannot start\n");
		return (1);
	}
	signal(SIGPIPE, SIG_IGN);
	sk_crash_journal(p, fd);
	atomic_store(&r->active, r->nclients);
	sk_mix_crash(&m, p, atoi(argv[3]));
	sk_run_mix(r, &m, 0);
	/* The server is gone: wait to be killed, closing nothing. */
	for (;;) {
		pause();
	}
}

static void
phase_crash(const struct opts *o, struct report *rep)
{
	struct sk_server    s;
	struct sk_province *p;
	uint64_t            acked = 0, lost = 0;
	bool                verify_ok = true;
	char                prov[700], jpath[700];

	progress(o,
	    "crash rounds: %d writers, kill -9 within %.1f s, %d "
	    "rounds",
	    o->crash_clients, o->crash_seconds, o->crash_rounds);
	if (start_server(&s, o, "crash", false, NULL) != 0
	    || sk_province_new(&p, s.url, o->crash_clients, false) != 0) {
		exit(1);
	}
	snprintf(prov, sizeof(prov), "%s.province", s.dir);
	if (sk_province_save(p, prov) != 0) {
		fprintf(stderr, "skbench: cannot write %s\n", prov);
		exit(1);
	}
	srand((unsigned) sk_now_ns());
	for (int round = 1; round <= o->crash_rounds; round++) {
		double      after_s = o->crash_seconds
		    * (0.2 + 0.8 * (double) rand() / RAND_MAX);
		struct stat sb;
		uint64_t    failed;
		bool        ok;
		pid_t       w;

		snprintf(jpath, sizeof(jpath), "%s.journal.%d", s.dir, round);
		if ((w = writers_start(o, s.url, round, prov, jpath)) < 0) {
			exit(1);
		}
		/* Every writer has had a reply or so: the load is on. */
		for (int t = 0; t < 10000; t++) {
			if (stat(jpath, &sb) == 0
			    && sb.st_size >= (off_t) o->crash_clients
			            * SK_CRASH_EVENT_SIZE) {
				break;
			}
			usleep(1000);
		}
		usleep((useconds_t) (after_s * 1e6));
		sk_server_kill(&s);
		kill(w, SIGKILL);
		waitpid(w, NULL, 0);
		if (sk_crash_replay(p, round, jpath, &failed) < 0) {
			fprintf(stderr, "skbench: cannot read %s\n", jpath);
			exit(1);
		}
		if (failed > 0) {
			fprintf(stderr,
			    "skbench: crash round %d: %llu error replies\n",
			    round, (unsigned long long) failed);
			rep->failures += failed;
		}
		if (sk_server_start(&s, NULL) != 0) {
			fprintf(stderr,
			    "skbench: sangkiend did not restart "
			    "after kill -9\n");
			rep->crash_lost = UINT64_MAX;
			exit(1);
		}
		if (sk_crash_check(p, &acked, &lost, &ok) != 0) {
			ok = false;
		}
		verify_ok = verify_ok && ok;
		progress(o,
		    "round %d: killed after %.2f s; %llu writes "
		    "acknowledged so far, %llu lost, verify %s",
		    round, after_s, (unsigned long long) acked,
		    (unsigned long long) lost, ok ? "ok" : "FAILED");
	}
	rep->crash_rounds    = o->crash_rounds;
	rep->crash_acked     = acked;
	rep->crash_lost      = lost;
	rep->crash_verify_ok = verify_ok;
	sk_province_free(p);
	if (sk_server_stop(&s) != 0) {
		rep->failures++;
	}
}

/*
 * The report.
 */

/* 12345.6 -> "12,346" */
static const char *
num(double v, char *buf)
{
	char   raw[64];
	size_t n, j = 0;
	if (v < 0) {
		return ("-");
	}
	snprintf(raw, sizeof(raw), "%.0f", v);
	n = strlen(raw);
	for (size_t i = 0; i < n; i++) {
		buf[j++] = raw[i];
		if ((n - i - 1) % 3 == 0 && i + 1 < n) {
			buf[j++] = ',';
		}
	}
	buf[j] = '\0';
	return (buf);
}

static double
ratio(double a, double b)
{
	return (a > 0 && b > 0 ? a / b : -1);
}

static void
row(const char *name, const struct sk_result *r)
{
	char b[32];
	if (r->n == 0) {
		printf("  %-34s %10s\n", name, "-");
		return;
	}
	printf("  %-34s %10s %8.2f %8.2f %8.2f\n", name, num(r->per_s, b),
	    r->p50_ms, r->p99_ms, r->max_ms);
}

static const char *
met(bool ok)
{
	return (ok ? "met" : "UNMET");
}

static void
print_report(const struct opts *o, const struct report *rep)
{
	char   b[32], c[32], d[32];
	double wr  = ratio(rep->write.per_s, rep->lmdb_per_s);
	double wer = ratio(rep->write.per_s, rep->echo.per_s);
	double rr  = ratio(rep->read.per_s, rep->echo.per_s);
	double lg  = ratio(rep->list[1][4].p99_ms, rep->list[0][4].p99_ms);
	static const char *const lnames[] = { "first page",
		"deep page (after = N/2..N)", "first page, state=returned",
		"deep page, state=returned", "all pages" };

	printf("\nskbench: sangkiend, %d clients (req0 contexts) over ipc://, "
	       "%ld CPUs, load average %.2f at start%s\n\n",
	    o->clients, sysconf(_SC_NPROCESSORS_ONLN), rep->loadavg,
	    o->quick ? ", --quick" : "");
	if (!o->crash_only) {
		printf("  %-34s %10s %8s %8s %8s\n", "", "per s", "p50 ms",
		    "p99 ms", "max ms");
		printf("  %-34s %10s\n", "(a) LMDB, one synced commit/write",
		    num(rep->lmdb_per_s, b));
		row("(b) echo, sangkiend's endpoint", &rep->echo);
		row("    echo, rep0 contexts", &rep->echo_ctx);
		row("durable writes (all five kinds)", &rep->write);
		row("  case.create", &rep->create);
		row("  case.update", &rep->update);
		row("  case.act", &rep->act);
		row("  case.score", &rep->score);
		row("  case.decide", &rep->decide);
		row("reads (case.get)", &rep->read);
		row("writes, --durability nosync", &rep->ns_write);
		row("reads, --durability nosync", &rep->ns_read);
		printf(
		    "\n  write_ratio %.2f (target >= 8: %s), write_echo_ratio "
		    "%.2f (>= 0.3: %s),\n  read_ratio %.2f (>= 0.5: %s), "
		    "p99_write_ms %.2f (<= 20: %s)\n\n",
		    wr, met(wr >= 8), wer, met(wer >= 0.3), rr, met(rr >= 0.5),
		    rep->write.p99_ms, met(rep->write.p99_ms <= 20));
		printf("  case.list p99 ms (p50)          %9s cases %9s "
		       "cases  growth\n",
		    num((double) rep->cases[0], b),
		    num((double) rep->cases[1], c));
		for (int k = 0; k < 5; k++) {
			printf("  %-30s %8.2f (%5.2f) %8.2f (%5.2f) %6.2f\n",
			    lnames[k], rep->list[0][k].p99_ms,
			    rep->list[0][k].p50_ms, rep->list[1][k].p99_ms,
			    rep->list[1][k].p50_ms,
			    ratio(rep->list[1][k].p99_ms,
			        rep->list[0][k].p99_ms));
		}
		printf("  list_growth %.2f (target <= 2: %s)\n", lg,
		    met(lg > 0 && lg <= 2));
		printf("  loading %s cases took %.1f s (%s writes, %s/s); "
		       "%.0f bytes of LMDB per case\n",
		    num((double) rep->cases[1], b), rep->load_s,
		    num((double) rep->load_writes, d),
		    num(rep->load_writes_per_s, c), rep->bytes_per_case);
		printf(
		    "  at %s cases: start-up %.3f s (target < 1: %s), "
		    "resident memory %.1f MiB (< 100: %s),\n"
		    "    of which %.1f MiB the server's own (anonymous), the "
		    "rest LMDB's map\n",
		    num((double) rep->cases[1], b), rep->startup_s,
		    met(rep->startup_s >= 0 && rep->startup_s < 1),
		    rep->rss_mib, met(rep->rss_mib >= 0 && rep->rss_mib < 100),
		    rep->rss_anon_mib);
	}
	if (rep->crash_rounds > 0) {
		printf("  crash: %d rounds of kill -9 under %d writers: %s "
		       "writes acknowledged, %s lost (target 0: %s), "
		       "server.verify %s\n",
		    rep->crash_rounds, o->crash_clients,
		    num((double) rep->crash_acked, b),
		    num((double) rep->crash_lost, c),
		    met(rep->crash_lost == 0),
		    rep->crash_verify_ok ? "ok" : "FAILED");
	}
	if (rep->failures > 0) {
		printf("  %llu requests failed (see above)\n",
		    (unsigned long long) rep->failures);
	}
	if (!o->json) {
		return;
	}
	printf("{\"durable_writes_per_s\":%.1f,\"lmdb_single_commit_per_s\":"
	       "%.1f,\"write_ratio\":%.3f,\"write_echo_ratio\":%.3f,"
	       "\"reads_per_s\":%.1f,\"echo_per_s\":%.1f,\"echo_ctx_per_s\":%.1f,"
	       "\"read_ratio\":%.3f,"
	       "\"p50_write_ms\":%.3f,\"p99_write_ms\":%.3f,\"max_write_ms\":"
	       "%.3f,\"p50_read_ms\":%.3f,\"p99_read_ms\":%.3f,"
	       "\"max_read_ms\":%.3f,\"p50_echo_ms\":%.3f,\"p99_echo_ms\":"
	       "%.3f,\"nosync_writes_per_s\":%.1f,\"nosync_p99_write_ms\":"
	       "%.3f,\"nosync_reads_per_s\":%.1f,\"list_growth\":%.3f,"
	       "\"list_p99_small_ms\":%.3f,\"list_p99_large_ms\":%.3f,"
	       "\"cases_small\":%llu,\"cases_large\":%llu,\"load_s\":%.2f,"
	       "\"load_writes_per_s\":%.1f,\"startup_s\":%.4f,\"rss_mib\":"
	       "%.1f,\"rss_anon_mib\":%.1f,\"bytes_per_case\":%.0f,\"crash_"
	       "rounds\":%d,"
	       "\"crash_acked\":%llu,\"crash_lost\":%llu,"
	       "\"crash_verify_ok\":%s,\"failed_requests\":%llu,"
	       "\"clients\":%d,\"quick\":%s,\"loadavg\":%.2f}\n",
	    rep->write.per_s, rep->lmdb_per_s, wr, wer, rep->read.per_s,
	    rep->echo.per_s, rep->echo_ctx.per_s, rr, rep->write.p50_ms,
	    rep->write.p99_ms, rep->write.max_ms, rep->read.p50_ms, rep->read.p99_ms,
	    rep->read.max_ms, rep->echo.p50_ms, rep->echo.p99_ms,
	    rep->ns_write.per_s, rep->ns_write.p99_ms, rep->ns_read.per_s, lg,
	    rep->list[0][4].p99_ms, rep->list[1][4].p99_ms,
	    (unsigned long long) rep->cases[0],
	    (unsigned long long) rep->cases[1], rep->load_s,
	    rep->load_writes_per_s, rep->startup_s, rep->rss_mib,
	    rep->rss_anon_mib, rep->bytes_per_case, rep->crash_rounds,
	    (unsigned long long) rep->crash_acked,
	    (unsigned long long) rep->crash_lost,
	    rep->crash_verify_ok ? "true" : "false",
	    (unsigned long long) rep->failures, o->clients,
	    o->quick ? "true" : "false", rep->loadavg);
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	bool     seen_seconds = false, seen_load = false, seen_rounds = false;
	bool     seen_cs = false;
	char    *end;
	uint64_t load = 0;

	*o = (struct opts) { .clients = 64,
		.small                = 1000,
		.crash_clients        = 32,
		.rubrics              = SKBENCH_RUBRICS };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i],
		           *v = i + 1 < argc ? argv[i + 1] : NULL;
#define FLAG(name) (strcmp(a, name) == 0)
#define VALUE(name) (strcmp(a, name) == 0 && v != NULL && ++i)
		if (FLAG("--quick")) {
			o->quick = true;
		} else if (FLAG("--json")) {
			o->json = true;
		} else if (FLAG("--crash-only")) {
			o->crash_only = true;
		} else if (FLAG("--keep")) {
			o->keep = true;
		} else if (FLAG("--request-ids")) {
			o->request_ids = true;
		} else if (FLAG("--no-nosync")) {
			o->no_nosync = true;
		} else if (FLAG("--help") || FLAG("-h")) {
			usage(stdout);
			exit(0);
		} else if (VALUE("--server")) {
			o->server = v;
		} else if (VALUE("--sangkiend")) {
			o->sangkiend = v;
		} else if (VALUE("--rubrics")) {
			o->rubrics = v;
		} else if (VALUE("--clients")) {
			o->clients = atoi(v);
		} else if (VALUE("--crash-clients")) {
			o->crash_clients = atoi(v);
		} else if (VALUE("--seconds")) {
			o->seconds   = strtod(v, &end);
			seen_seconds = true;
		} else if (VALUE("--crash-seconds")) {
			o->crash_seconds = strtod(v, &end);
			seen_cs          = true;
		} else if (VALUE("--load")) {
			load      = strtoull(v, &end, 10);
			seen_load = true;
		} else if (VALUE("--small")) {
			o->small = strtoull(v, &end, 10);
		} else if (VALUE("--crash-rounds")) {
			o->crash_rounds = atoi(v);
			seen_rounds     = true;
		} else {
			fprintf(stderr,
			    "skbench: unknown or incomplete option "
			    "\"%s\"\n\n",
			    a);
			usage(stderr);
			return (-1);
		}
#undef FLAG
#undef VALUE
	}
	o->seconds       = seen_seconds ? o->seconds : o->quick ? 3 : 10;
	o->list_seconds  = o->quick ? 2 : o->seconds / 2;
	o->large         = seen_load ? load : o->quick ? 50000 : 1000000;
	o->crash_rounds  = seen_rounds ? o->crash_rounds : o->quick ? 3 : 20;
	o->crash_seconds = seen_cs ? o->crash_seconds : o->quick ? 1.5 : 3;
	if (o->clients < 1 || o->clients > 4096 || o->crash_clients < 1
	    || o->crash_clients > 4096 || o->seconds <= 0
	    || o->crash_seconds <= 0 || o->crash_rounds < 0
	    || o->large < o->small) {
		fprintf(stderr, "skbench: a value is out of range\n");
		return (-1);
	}
	if (o->server != NULL) {
		o->crash_rounds = 0;
		o->crash_only   = false;
	}
	return (0);
}

int
main(int argc, char **argv)
{
	struct opts   o;
	struct report rep;
	char          bin[4200], tmp[256];
	ssize_t       n;

	if (argc >= 2 && strcmp(argv[1], "--crash-writers") == 0) {
		return (sk_crash_writers(argc, argv));
	}
	if (argc >= 3 && strcmp(argv[1], "--echo-server") == 0) {
		int contexts = argc >= 5 && strcmp(argv[3], "--clients") == 0
		    ? atoi(argv[4])
		    : 64;
		return (argc >= 6 && strcmp(argv[5], "--loop") == 0
		        ? sk_echo_loop_server(argv[2], contexts)
		        : sk_echo_server(argv[2], contexts));
	}
	if (parse_opts(argc, argv, &o) != 0) {
		return (2);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1))
	    < 0) {
		perror("skbench: /proc/self/exe");
		return (1);
	}
	self_path[n] = '\0';
	if (o.sangkiend == NULL) {
		snprintf(bin, sizeof(bin), "%s", self_path);
		char *slash = strrchr(bin, '/');
		snprintf(slash + 1, sizeof(bin) - (size_t) (slash + 1 - bin),
		    "sangkiend");
		o.sangkiend = bin;
	}
	if (o.server == NULL && access(o.sangkiend, X_OK) != 0) {
		fprintf(stderr,
		    "skbench: cannot run %s (build it, or say "
		    "--sangkiend PATH)\n",
		    o.sangkiend);
		return (1);
	}
	snprintf(tmp, sizeof(tmp), "%s/skbench.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmp) == NULL) {
		perror("skbench: mkdtemp");
		return (1);
	}
	o.tmp = tmp;

	memset(&rep, 0, sizeof(rep));
	rep.loadavg   = loadavg();
	rep.startup_s = rep.rss_mib = rep.rss_anon_mib = rep.bytes_per_case
	    = -1;
	rep.crash_verify_ok = true;
	if (!o.crash_only) {
		phase_baselines(&o, &rep);
		phase_server(&o, &rep);
	}
	if (o.crash_rounds > 0) {
		phase_crash(&o, &rep);
	}
	print_report(&o, &rep);
	if (o.keep) {
		fprintf(stderr, "skbench: kept %s\n", tmp);
	} else {
		sk_rm_rf(tmp);
	}
	return (rep.crash_lost == 0 && rep.crash_verify_ok ? 0 : 1);
}
