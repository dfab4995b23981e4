/*
 * baseline.c: the two ceilings sangkiend is measured against.
 *
 * (a) A naive server's storage: LMDB with one synced commit per write.  One
 *     thread opens an environment in a temporary directory on the same file
 *     system as the server's data and, for a few seconds, puts one value of
 *     the size of a case and commits, again and again.  That is what "one
 *     fsync per write" costs here; group commit exists to beat it.
 *
 * (b) The transport: `skbench --echo-server URL --clients N --loop` sends
 *     every request straight back through sangkiend's own endpoint
 *     (ipc/endpoint.c: a raw rep0 socket polled by one libuv loop), the
 *     same topology as the server's, as the benchmark issue asks: the
 *     ratios are taken against it.  Without --loop it answers on a pool of
 *     rep0 contexts, one aio each, on nng's threads: the topology sangkiend
 *     had before its endpoint went raw, kept for reference.  The client
 *     loop drives either with requests of the size of a case.create.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>

#include <uv.h>

#include "core/util/log.h"
#include "ipc/endpoint.h"
#include "skbench.h"

double
sk_lmdb_single_commit(const char *dir, size_t value_len, double seconds)
{
	MDB_env *env;
	MDB_dbi  dbi;
	MDB_txn *txn;
	char    *value;
	uint64_t n = 0, t0, t;
	int      rc;

	if ((value = malloc(value_len)) == NULL) {
		return (-1);
	}
	for (size_t i = 0; i < value_len; i++) {
		value[i] = (char) ('a' + i % 26);
	}
	if ((rc = mdb_env_create(&env)) != 0
	    || (rc = mdb_env_set_mapsize(env, (size_t) 1 << 30)) != 0
	    || (rc = mdb_env_open(env, dir, MDB_NOTLS, 0640)) != 0) {
		fprintf(stderr, "skbench: LMDB in %s: %s\n", dir,
		    mdb_strerror(rc));
		free(value);
		return (-1);
	}
	t0 = sk_now_ns();
	do {
		/* Big-endian keys: appends, as case ids are. */
		unsigned char k[8];
		for (int i = 0; i < 8; i++) {
			k[i] = (unsigned char) (n >> (56 - 8 * i));
		}
		MDB_val key = { sizeof(k), k }, val = { value_len, value };
		if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0
		    || (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0
		    || (rc = mdb_put(txn, dbi, &key, &val, 0)) != 0
		    || (rc = mdb_txn_commit(txn)) != 0) {
			fprintf(
			    stderr, "skbench: LMDB: %s\n", mdb_strerror(rc));
			break;
		}
		n++;
		t = sk_now_ns();
	} while (t - t0 < (uint64_t) (seconds * 1e9));
	mdb_env_close(env);
	free(value);
	return (rc == 0 ? (double) n / ((double) (t - t0) / 1e9) : -1);
}

/* The echo server: each context receives and sends the message back. */
struct echo_ctx {
	nng_ctx  ctx;
	nng_aio *aio;
	bool     sending;
};

static void
echo_cb(void *arg)
{
	struct echo_ctx *e = arg;
	if (nng_aio_result(e->aio) != 0) {
		if (e->sending) {
			nng_msg_free(nng_aio_get_msg(e->aio));
		}
		e->sending = false;
		if (nng_aio_result(e->aio) != NNG_ECLOSED) {
			nng_ctx_recv(e->ctx, e->aio);
		}
		return;
	}
	if (e->sending) {
		e->sending = false;
		nng_ctx_recv(e->ctx, e->aio);
		return;
	}
	/* The request's message is the reply. */
	e->sending = true;
	nng_ctx_send(e->ctx, e->aio);
}

int
sk_echo_server(const char *url, int contexts)
{
	nng_socket       s;
	struct echo_ctx *es;
	sigset_t         set;
	int              rv, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Before nng starts its threads, so that they inherit the mask. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if ((es = calloc((size_t) contexts, sizeof(*es))) == NULL) {
		return (1);
	}
	if ((rv = nng_rep0_open(&s)) != 0
	    || (rv = nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 8 << 20)) != 0
	    || (rv = nng_listen(s, url, NULL, 0)) != 0) {
		fprintf(stderr, "skbench: echo server on %s: %s\n", url,
		    nng_strerror(rv));
		return (1);
	}
	for (int i = 0; i < contexts; i++) {
		if ((rv = nng_ctx_open(&es[i].ctx, s)) != 0
		    || (rv = nng_aio_alloc(&es[i].aio, echo_cb, &es[i]))
		        != 0) {
			fprintf(stderr, "skbench: echo contexts: %s\n",
			    nng_strerror(rv));
			return (1);
		}
		nng_ctx_recv(es[i].ctx, es[i].aio);
	}
	sigwait(&set, &sig);
	nng_close(s);
	for (int i = 0; i < contexts; i++) {
		nng_aio_free(es[i].aio);
	}
	free(es);
	return (0);
}

/*
 * (b), as sangkiend receives: the server's own endpoint (ipc/endpoint.c: a
 * raw rep0 socket whose descriptor one libuv loop polls), every request of
 * a batch sent straight back from the loop.  What sangkiend adds to this
 * is its own work: decoding, authorizing, LMDB, encoding.
 */
struct echo_loop {
	uv_loop_t            loop;
	uv_signal_t          sigterm, sigint;
	struct ipc_endpoint *ep;
	char                *buf;
	size_t               cap;
};

static void
echo_batch(void *arg, struct ipc_req *batch)
{
	struct echo_loop *e = arg;
	for (struct ipc_req *r = batch, *next; r != NULL; r = next) {
		next = r->next;
		if (r->len > e->cap) {
			char *b = realloc(e->buf, r->len);
			if (b == NULL) {
				ipc_reply(r, "", 0);
				continue;
			}
			e->buf = b;
			e->cap = r->len;
		}
		/* ipc_reply reuses the request's message: copy it out first. */
		memcpy(e->buf, r->body, r->len);
		ipc_reply(r, e->buf, r->len);
	}
}

static void
echo_stop(uv_signal_t *h, int signum)
{
	struct echo_loop *e = h->data;
	(void) signum;
	ipc_endpoint_close(e->ep);
	uv_close((uv_handle_t *) &e->sigterm, NULL);
	uv_close((uv_handle_t *) &e->sigint, NULL);
}

int
sk_echo_loop_server(const char *url, int contexts)
{
	struct echo_loop   e = { 0 };
	const char *const  listen[] = { url, NULL };
	const char *const  events[] = { NULL };
	struct ipc_config  cfg = { .listen = listen, .events = events,
		 .contexts = contexts, .batch = echo_batch, .arg = &e };
	char               err[256];

	log_threshold = LOG_WARN; /* the endpoint's counters are for sangkiend */
	if (uv_loop_init(&e.loop) != 0) {
		return (1);
	}
	if (ipc_endpoint_open(&e.ep, &e.loop, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "skbench: echo server on %s: %s\n", url, err);
		return (1);
	}
	uv_signal_init(&e.loop, &e.sigterm);
	uv_signal_init(&e.loop, &e.sigint);
	e.sigterm.data = e.sigint.data = &e;
	uv_signal_start(&e.sigterm, echo_stop, SIGTERM);
	uv_signal_start(&e.sigint, echo_stop, SIGINT);
	uv_run(&e.loop, UV_RUN_DEFAULT);
	uv_loop_close(&e.loop);
	free(e.buf);
	return (0);
}
