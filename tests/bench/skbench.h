/*
 * skbench.h: what the parts of skbench share.  skbench measures sangkiend
 * the way nng's src/tools/perf measures a transport: many requests in
 * flight, throughput and latency, against baselines run on the same
 * machine in the same run.  The parts:
 *
 *   skbench.c   flags, the order of the phases, the table and the JSON line;
 *   driver.c    the client loop: N req0 contexts over one socket, each
 *               asking a mix for its next request and handing it the reply;
 *   province.c  the province (units, users, tokens, councils) and the
 *               mixes: writes, reads, list pages, loading, crash rounds;
 *   proc.c      sangkiend and the echo server as child processes;
 *   baseline.c  the two ceilings: LMDB with one synced commit per write,
 *               and an nng rep0 echo server: through sangkiend's own
 *               endpoint (ipc/endpoint.c), or a pool of rep0 contexts.
 *
 * Ownership: a struct sk_run and its clients belong to whoever called
 * sk_run_new; mixes borrow the run's clients only inside their callbacks,
 * which run on nng's threads, one at a time for a given client.
 */
#ifndef SKBENCH_H
#define SKBENCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <nng/nng.h>

/* The kinds of request whose latency is kept apart. */
enum sk_kind {
	K_CREATE,
	K_UPDATE,
	K_ACT,
	K_SCORE,
	K_DECIDE,
	K_GET,
	K_LIST_FIRST,
	K_LIST_DEEP,
	K_LISTF_FIRST,
	K_LISTF_DEEP,
	K_ECHO,
	K_NKINDS
};

/* Latencies beyond this many per kind and phase are counted, not kept. */
#define SK_LAT_MAX (1u << 21)

#define SK_REQ_MAX 8192

struct sk_stats {
	float       *lat; /* milliseconds, first n of them kept */
	atomic_ulong n;
	atomic_ulong ok;
	atomic_ulong failed;
	atomic_ulong in_window; /* replies before the phase's end */
};

struct sk_run;

/* One req0 context and what its mix remembers between requests. */
struct sk_client {
	struct sk_run *run;
	nng_ctx        ctx;
	nng_aio       *aio;
	bool           sending;
	bool           active;
	int            id;
	enum sk_kind   kind; /* of the request in flight */
	uint64_t       sent_ns; /* when it was handed to nng */
	uint64_t       rng;
	/* The mix's own state. */
	uint64_t case_id;
	int      step;
	int      plan;
	unsigned seq; /* requests sent */
	unsigned ncase; /* cases filed in this crash round */
	size_t   len;
	char     buf[SK_REQ_MAX];
};

/*
 * A mix: next() writes the client's next request into c->buf, sets c->len
 * and c->kind, and returns false when the client has nothing more to send;
 * reply() sees every reply (ok: the server said "ok":true, or the echo came
 * back whole).  Both run on nng's threads.
 */
struct sk_mix {
	const char *name;
	bool (*next)(struct sk_client *c);
	void (*reply)(
	    struct sk_client *c, const char *body, size_t len, bool ok);
	void *arg;
};

struct sk_run {
	nng_socket           sock;
	const struct sk_mix *mix;
	struct sk_client    *clients;
	int                  nclients;
	atomic_bool          running;
	atomic_int      active;
	pthread_mutex_t mtx;
	pthread_cond_t  cv;
	uint64_t        t0_ns, t1_ns;
	atomic_ulong    done; /* replies, any kind */
	struct sk_stats st[K_NKINDS];
	char            first_error[256]; /* guarded by mtx */
};

/* What a phase measured, for the table and the JSON line. */
struct sk_result {
	double   per_s;
	double   p50_ms, p99_ms, max_ms;
	uint64_t n, failed;
	double   seconds;
};

/* driver.c */
uint64_t sk_now_ns(void);
int      sk_run_open(struct sk_run **out, const char *url, int nclients);
/* Runs mix on every client until seconds pass (0: until every client's
 * next() says it is done).  The clients' mix state is kept between runs. */
int  sk_run_mix(struct sk_run *r, const struct sk_mix *mix, double seconds);
void sk_run_close(struct sk_run *r);
/* Sums the kinds in mask (bits 1 << K_...) into res. */
void     sk_run_result(struct sk_run *r, unsigned mask, struct sk_result *res);
uint64_t sk_rand(struct sk_client *c);

/* One request, waited for; *reply (malloc'd) may be NULL.  Returns 0 when
 * the reply says "ok":true. */
int sk_call(const char *url, const char *req, char **reply, int timeout_ms);

/* proc.c */
struct sk_server {
	const char *bin;
	const char *rubrics;
	char        dir[512];
	char        url[600];
	char        log[600];
	bool        nosync;
	int         contexts;
	pid_t       pid;
};
int    sk_server_start(struct sk_server *s, double *startup_s);
int    sk_server_stop(struct sk_server *s); /* SIGTERM: 0 if it exited 0 */
void   sk_server_kill(struct sk_server *s); /* SIGKILL */
double sk_rss_mib(pid_t pid, const char *field); /* "VmRSS:" */
pid_t  sk_echo_start(
    const char *self, const char *url, int contexts, bool loop);
void   sk_echo_stop(pid_t pid);
int    sk_wait_ready(
       const char *url, const char *req, pid_t pid, double timeout_s);
void sk_rm_rf(const char *dir);

/* baseline.c */
double sk_lmdb_single_commit(const char *dir, size_t value_len, double s);
int    sk_echo_server(const char *url, int contexts);
int    sk_echo_loop_server(const char *url, int contexts);

/* province.c */
struct sk_province;
int sk_province_new(
    struct sk_province **out, const char *url, int authors, bool request_ids);
void sk_province_free(struct sk_province *p);
/* Mixes over province p; the clients' states start afresh. */
void     sk_mix_write(struct sk_mix *m, struct sk_province *p);
void     sk_mix_read(struct sk_mix *m, struct sk_province *p);
void     sk_mix_list(struct sk_mix *m, struct sk_province *p);
void     sk_mix_load(struct sk_mix *m, struct sk_province *p, uint64_t to);
void     sk_mix_echo(struct sk_mix *m, struct sk_province *p);
void     sk_mix_crash(struct sk_mix *m, struct sk_province *p, int round);
void     sk_clients_reset(struct sk_run *r);
uint64_t sk_province_cases(struct sk_province *p); /* highest case id */
void     sk_province_refresh(struct sk_province *p); /* from the server */
/* After a crash round: how many acknowledged writes are missing. */
int sk_crash_check(
    struct sk_province *p, uint64_t *acked, uint64_t *lost, bool *verify_ok);

/*
 * The crash writers run in a child process of their own (skbench
 * --crash-writers), killed with SIGKILL right after the server: closing
 * an nng socket under a dead server can hang nng 1.5.2 for good
 * (nanomsg/nng#1543), and a killed process closes nothing.  The child
 * gets the province from a file, and appends what its writers do to a
 * journal (sk_crash_journal, one write(2) per event, before the request
 * for a sent update, after the reply for an acknowledgement), which the
 * parent replays into the province's crash logs (sk_crash_replay).
 */
#define SK_CRASH_EVENT_SIZE 24 /* bytes of one journal record */
int sk_province_save(const struct sk_province *p, const char *path);
int sk_province_load(
    struct sk_province **out, const char *url, const char *path);
void sk_crash_journal(struct sk_province *p, int fd);
/* Replays round's journal; its error replies are counted in *failed.
 * Returns the events read, or -1. */
long sk_crash_replay(struct sk_province *p, int round, const char *path,
    uint64_t *failed);
size_t sk_body_len(void);

#endif
