/*
 * driver.c: the client loop of skbench, in the shape of nng's perf tools.
 *
 * One req0 socket, N contexts on it, one aio per context.  Each context
 * cycles SEND -> RECV -> (mix decides) -> SEND on nng's own threads, so
 * there are always N requests in flight until the phase ends; then each
 * context finishes the request it has in hand and stops.  Latency is the
 * time from handing the request to nng to getting its reply, kept per kind
 * of request in float milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "skbench.h"

uint64_t
sk_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

/* xorshift64*: each client has its own, so no locking. */
uint64_t
sk_rand(struct sk_client *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (c->rng * 2685821657736338717ull);
}

static void
client_stop(struct sk_client *c)
{
	struct sk_run *r = c->run;

	c->active = false;
	pthread_mutex_lock(&r->mtx);
	if (atomic_fetch_sub(&r->active, 1) == 1) {
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mtx);
}

static void
client_send(struct sk_client *c)
{
	struct sk_run *r = c->run;
	nng_msg       *m;

	if (!atomic_load(&r->running) || !r->mix->next(c)) {
		client_stop(c);
		return;
	}
	if (nng_msg_alloc(&m, 0) != 0 || nng_msg_append(m, c->buf, c->len)) {
		fprintf(stderr, "skbench: out of memory\n");
		abort();
	}
	c->sending = true;
	c->sent_ns = sk_now_ns();
	nng_aio_set_msg(c->aio, m);
	nng_ctx_send(c->ctx, c->aio);
}

static void
note_error(struct sk_run *r, const char *body, size_t len)
{
	pthread_mutex_lock(&r->mtx);
	if (r->first_error[0] == '\0') {
		snprintf(r->first_error, sizeof(r->first_error), "%.*s",
		    (int) (len < 200 ? len : 200), body);
	}
	pthread_mutex_unlock(&r->mtx);
}

static void
client_cb(void *arg)
{
	struct sk_client *c = arg;
	struct sk_run    *r = c->run;
	struct sk_stats  *st;
	nng_msg          *m;
	int               rv;

	if ((rv = nng_aio_result(c->aio)) != 0) {
		if (c->sending) {
			nng_msg_free(nng_aio_get_msg(c->aio));
		}
		const char *e = nng_strerror(rv);
		atomic_fetch_add(&r->st[c->kind].failed, 1);
		note_error(r, e, strlen(e));
		client_stop(c);
		return;
	}
	if (c->sending) {
		/* The request is on its way: now wait for the reply. */
		c->sending = false;
		nng_ctx_recv(c->ctx, c->aio);
		return;
	}
	m               = nng_aio_get_msg(c->aio);
	uint64_t    t   = sk_now_ns();
	const char *b   = nng_msg_body(m);
	size_t      len = nng_msg_len(m);
	bool        ok;

	if (c->kind == K_ECHO) {
		ok = len == c->len;
	} else {
		ok = len >= 10
		    && memmem(b, len < 16 ? len : 16, "\"ok\":true", 9)
		        != NULL;
	}
	st              = &r->st[c->kind];
	unsigned long i = atomic_fetch_add(&st->n, 1);
	if (i < SK_LAT_MAX) {
		st->lat[i] = (float) ((double) (t - c->sent_ns) / 1e6);
	}
	if (ok) {
		atomic_fetch_add(&st->ok, 1);
	} else {
		atomic_fetch_add(&st->failed, 1);
		note_error(r, b, len);
	}
	atomic_fetch_add(&r->done, 1);
	if (r->t1_ns == 0 || t <= r->t1_ns) {
		atomic_fetch_add(&st->in_window, 1);
	}
	r->mix->reply(c, b, len, ok);
	nng_msg_free(m);
	client_send(c);
}

int
sk_run_open(struct sk_run **out, const char *url, int nclients)
{
	struct sk_run *r;
	int            rv;

	if ((r = calloc(1, sizeof(*r))) == NULL
	    || (r->clients = calloc((size_t) nclients, sizeof(*r->clients)))
	        == NULL) {
		free(r);
		return (NNG_ENOMEM);
	}
	pthread_mutex_init(&r->mtx, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->nclients = nclients;
	for (int k = 0; k < K_NKINDS; k++) {
		if ((r->st[k].lat = malloc(SK_LAT_MAX * sizeof(float)))
		    == NULL) {
			sk_run_close(r);
			return (NNG_ENOMEM);
		}
	}
	if ((rv = nng_req0_open(&r->sock)) != 0) {
		sk_run_close(r);
		return (rv);
	}
	/* No resends: a request is sent once, as a benchmark must. */
	nng_socket_set_ms(
	    r->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	nng_socket_set_size(r->sock, NNG_OPT_RECVMAXSZ, 0);
	if ((rv = nng_dial(r->sock, url, NULL, 0)) != 0) {
		sk_run_close(r);
		return (rv);
	}
	for (int i = 0; i < nclients; i++) {
		struct sk_client *c = &r->clients[i];
		c->run              = r;
		c->id               = i;
		c->rng
		    = 0x9E3779B97F4A7C15ull * (uint64_t) (i + 1) ^ sk_now_ns();
		if ((rv = nng_ctx_open(&c->ctx, r->sock)) != 0
		    || (rv = nng_aio_alloc(&c->aio, client_cb, c)) != 0) {
			sk_run_close(r);
			return (rv);
		}
		/* No wait is endless: a request unanswered for 30 s counts
		 * as failed, so a lost reply shows instead of hanging. */
		nng_aio_set_timeout(c->aio, 30000);
	}
	*out = r;
	return (0);
}

int
sk_run_mix(struct sk_run *r, const struct sk_mix *mix, double seconds)
{
	struct timespec until;

	r->mix = mix;
	for (int k = 0; k < K_NKINDS; k++) {
		atomic_store(&r->st[k].n, 0);
		atomic_store(&r->st[k].ok, 0);
		atomic_store(&r->st[k].failed, 0);
		atomic_store(&r->st[k].in_window, 0);
	}
	atomic_store(&r->done, 0);
	r->first_error[0] = '\0';
	r->t1_ns          = 0;
	atomic_store(&r->running, true);
	atomic_store(&r->active, r->nclients);
	r->t0_ns = sk_now_ns();
	for (int i = 0; i < r->nclients; i++) {
		r->clients[i].active = true;
		client_send(&r->clients[i]);
	}
	pthread_mutex_lock(&r->mtx);
	if (seconds > 0) {
		clock_gettime(CLOCK_REALTIME, &until);
		uint64_t ns = (uint64_t) (seconds * 1e9) + until.tv_nsec;
		until.tv_sec += (time_t) (ns / 1000000000u);
		until.tv_nsec = (long) (ns % 1000000000u);
		while (atomic_load(&r->active) > 0
		    && pthread_cond_timedwait(&r->cv, &r->mtx, &until) == 0) {
		}
	}
	if (seconds > 0) {
		/* Replies after t1 are waited for, not counted in the rate. */
		r->t1_ns = sk_now_ns();
		atomic_store(&r->running, false);
	}
	while (atomic_load(&r->active) > 0) {
		pthread_cond_wait(&r->cv, &r->mtx);
	}
	if (seconds <= 0) {
		r->t1_ns = sk_now_ns();
		atomic_store(&r->running, false);
	}
	pthread_mutex_unlock(&r->mtx);
	return (0);
}

void
sk_run_close(struct sk_run *r)
{
	if (r == NULL) {
		return;
	}
	nng_close(r->sock);
	for (int i = 0; i < r->nclients; i++) {
		if (r->clients[i].aio != NULL) {
			nng_aio_free(r->clients[i].aio);
		}
	}
	for (int k = 0; k < K_NKINDS; k++) {
		free(r->st[k].lat);
	}
	pthread_mutex_destroy(&r->mtx);
	pthread_cond_destroy(&r->cv);
	free(r->clients);
	free(r);
}

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *) a, y = *(const float *) b;
	return (x < y ? -1 : x > y);
}

void
sk_run_result(struct sk_run *r, unsigned mask, struct sk_result *res)
{
	size_t   n = 0, cap = 0;
	uint64_t in_window = 0;
	float   *all;

	memset(res, 0, sizeof(*res));
	for (int k = 0; k < K_NKINDS; k++) {
		if (mask & (1u << k)) {
			unsigned long kept = atomic_load(&r->st[k].n);
			cap += kept < SK_LAT_MAX ? kept : SK_LAT_MAX;
			res->n += atomic_load(&r->st[k].n);
			res->failed += atomic_load(&r->st[k].failed);
			in_window += atomic_load(&r->st[k].in_window);
		}
	}
	/* The rate counts replies until the phase's end, not the stragglers
	 * waited for after it. */
	res->seconds = (double) (r->t1_ns - r->t0_ns) / 1e9;
	res->per_s = res->seconds > 0 ? (double) in_window / res->seconds : 0;
	if (cap == 0 || (all = malloc(cap * sizeof(float))) == NULL) {
		return;
	}
	for (int k = 0; k < K_NKINDS; k++) {
		if (mask & (1u << k)) {
			unsigned long kept = atomic_load(&r->st[k].n);
			kept = kept < SK_LAT_MAX ? kept : SK_LAT_MAX;
			memcpy(all + n, r->st[k].lat, kept * sizeof(float));
			n += kept;
		}
	}
	qsort(all, n, sizeof(float), cmp_float);
	res->p50_ms = all[n / 2];
	res->p99_ms = all[(size_t) ((double) (n - 1) * 0.99)];
	res->max_ms = all[n - 1];
	free(all);
}

int
sk_call(const char *url, const char *req, char **reply, int timeout_ms)
{
	nng_socket s;
	nng_msg   *m = NULL;
	int        rv;

	if (reply != NULL) {
		*reply = NULL;
	}
	if ((rv = nng_req0_open(&s)) != 0) {
		return (rv);
	}
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, timeout_ms);
	nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, timeout_ms);
	nng_socket_set_ms(s, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 0);
	if ((rv = nng_dial(s, url, NULL, 0)) != 0
	    || (rv = nng_msg_alloc(&m, 0)) != 0
	    || (rv = nng_msg_append(m, req, strlen(req))) != 0
	    || (rv = nng_sendmsg(s, m, 0)) != 0) {
		nng_msg_free(m);
		nng_close(s);
		return (rv);
	}
	if ((rv = nng_recvmsg(s, &m, 0)) != 0) {
		nng_close(s);
		return (rv);
	}
	size_t      len = nng_msg_len(m);
	const char *b   = nng_msg_body(m);
	rv = len >= 10 && memmem(b, len < 16 ? len : 16, "\"ok\":true", 9)
	    ? 0
	    : -1;
	if (reply != NULL && (*reply = malloc(len + 1)) != NULL) {
		memcpy(*reply, b, len);
		(*reply)[len] = '\0';
	}
	nng_msg_free(m);
	nng_close(s);
	return (rv);
}
