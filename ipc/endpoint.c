/*
 * endpoint.c: nng sockets on one side, the libuv loop on the other.
 *
 * Each of the rep0 contexts cycles RECV -> WAIT (queued for the loop) ->
 * SEND -> RECV.  The queue is a mutex-protected list; the loop drains all of
 * it on each wake-up, which is what lets the batch (and so the group commit)
 * grow with the load.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/reqrep0/rep.h>

#include "core/err.h"
#include "ipc/endpoint.h"

/* Requests are refused as too_large past 1 MiB; the transport carries a
 * little more so that the refusal can be a reply, not a dropped pipe. */
#define RECV_MAX ((size_t) 8 << 20)

enum ctx_state { CTX_RECV, CTX_WAIT, CTX_SEND };

struct ipc_ctx {
	struct ipc_req       req; /* first: ipc_reply casts back */
	struct ipc_endpoint *ep;
	nng_ctx              ctx;
	nng_aio             *aio;
	nng_msg             *msg;
	enum ctx_state       state;
};

struct ipc_endpoint {
	nng_socket       rep;
	nng_socket       pub;
	struct ipc_ctx  *ctxs;
	int              nctx;
	uv_async_t       wake;
	uv_mutex_t       mtx;
	struct ipc_req  *head, *tail; /* the queue, guarded by mtx */
	atomic_int       sending;
	atomic_bool      closing;
	ipc_batch_fn     batch;
	void            *arg;
};

int
ipc_err(int rv)
{
	switch (rv) {
	case 0:
		return (SK_OK);
	case NNG_ECLOSED:
	case NNG_ETIMEDOUT:
	case NNG_ECONNREFUSED:
	case NNG_EADDRINUSE:
		return (SK_EUNAVAIL);
	case NNG_EMSGSIZE:
		return (SK_ETOOLARGE);
	case NNG_EINVAL:
	case NNG_EADDRINVAL:
		return (SK_EBADREQ);
	default:
		return (SK_EINTERNAL);
	}
}

static void
ctx_recv(struct ipc_ctx *c)
{
	c->state = CTX_RECV;
	nng_ctx_recv(c->ctx, c->aio);
}

static bool
peer_is_local(nng_msg *msg)
{
	nng_pipe p = nng_msg_get_pipe(msg);
	uint64_t uid;
	if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_UID, &uid) != 0) {
		return (false); /* not ipc:// */
	}
	return (uid == (uint64_t) geteuid() || uid == 0);
}

/* Runs on an nng thread: must not block, must not touch LMDB. */
static void
ctx_cb(void *arg)
{
	struct ipc_ctx      *c  = arg;
	struct ipc_endpoint *ep = c->ep;
	int                  rv = nng_aio_result(c->aio);

	switch (c->state) {
	case CTX_RECV:
		if (rv != 0) {
			if (rv != NNG_ECLOSED && !atomic_load(&ep->closing)) {
				ctx_recv(c);
			}
			return;
		}
		c->msg       = nng_aio_get_msg(c->aio);
		c->req.body  = nng_msg_body(c->msg);
		c->req.len   = nng_msg_len(c->msg);
		c->req.local = peer_is_local(c->msg);
		c->req.next  = NULL;
		c->state     = CTX_WAIT;
		uv_mutex_lock(&ep->mtx);
		if (ep->tail != NULL) {
			ep->tail->next = &c->req;
		} else {
			ep->head = &c->req;
		}
		ep->tail = &c->req;
		uv_mutex_unlock(&ep->mtx);
		uv_async_send(&ep->wake);
		return;
	case CTX_SEND:
		if (rv != 0) {
			nng_msg_free(nng_aio_get_msg(c->aio));
		}
		atomic_fetch_sub(&ep->sending, 1);
		if (!atomic_load(&ep->closing)) {
			ctx_recv(c);
		}
		return;
	case CTX_WAIT:
		return;
	}
}

/* Loop thread: hands everything queued to the batch function. */
static void
wake_cb(uv_async_t *h)
{
	struct ipc_endpoint *ep = h->data;
	struct ipc_req      *batch;

	uv_mutex_lock(&ep->mtx);
	batch    = ep->head;
	ep->head = ep->tail = NULL;
	uv_mutex_unlock(&ep->mtx);
	if (batch != NULL && !atomic_load(&ep->closing)) {
		ep->batch(ep->arg, batch);
	}
}

void
ipc_reply(struct ipc_req *req, const char *buf, size_t len)
{
	struct ipc_ctx *c = (struct ipc_ctx *) req;
	nng_msg        *m = c->msg;

	c->msg = NULL;
	/* Reuse the request's message for the reply. */
	nng_msg_clear(m);
	if (nng_msg_append(m, buf, len) != 0) {
		nng_msg_free(m);
		ctx_recv(c);
		return;
	}
	c->state = CTX_SEND;
	atomic_fetch_add(&c->ep->sending, 1);
	nng_aio_set_msg(c->aio, m);
	nng_ctx_send(c->ctx, c->aio);
}

void
ipc_publish(struct ipc_endpoint *ep, const char *type, const char *json,
    size_t len)
{
	size_t   tlen = strlen(type);
	nng_msg *m;
	if (nng_msg_alloc(&m, 0) != 0) {
		return;
	}
	if (nng_msg_append(m, type, tlen) != 0 ||
	    nng_msg_append(m, " ", 1) != 0 ||
	    nng_msg_append(m, json, len) != 0 ||
	    nng_sendmsg(ep->pub, m, NNG_FLAG_NONBLOCK) != 0) {
		nng_msg_free(m);
	}
}

static void
wake_closed(uv_handle_t *h)
{
	struct ipc_endpoint *ep = h->data;
	uv_mutex_destroy(&ep->mtx);
	free(ep->ctxs);
	free(ep);
}

/*
 * Listens on url; secure transports (tls+tcp://, wss://) need the
 * certificate and key before the listener starts.
 */
static int
listen_url(nng_socket s, const char *url, const char *cert_key)
{
	nng_listener l;
	int          rv;
	bool secure = strncmp(url, "tls+", 4) == 0 || strncmp(url, "wss", 3) == 0;

	if ((rv = nng_listener_create(&l, s, url)) != 0) {
		return (rv);
	}
	if (secure) {
		if (cert_key == NULL) {
			nng_listener_close(l);
			return (NNG_ENOENT);
		}
		if ((rv = nng_listener_set_string(l, NNG_OPT_TLS_CERT_KEY_FILE,
		         cert_key)) != 0) {
			nng_listener_close(l);
			return (rv);
		}
	}
	return (nng_listener_start(l, 0));
}

int
ipc_endpoint_open(struct ipc_endpoint **out, uv_loop_t *loop,
    const struct ipc_config *cfg, char *err, size_t errlen)
{
	struct ipc_endpoint *ep;
	int                  rv;

	if ((ep = calloc(1, sizeof(*ep))) == NULL ||
	    (ep->ctxs = calloc((size_t) cfg->contexts, sizeof(*ep->ctxs))) ==
	        NULL) {
		free(ep);
		snprintf(err, errlen, "out of memory");
		return (SK_EINTERNAL);
	}
	ep->nctx  = cfg->contexts;
	ep->batch = cfg->batch;
	ep->arg   = cfg->arg;
	uv_mutex_init(&ep->mtx);
	uv_async_init(loop, &ep->wake, wake_cb);
	ep->wake.data = ep;

	if ((rv = nng_rep0_open(&ep->rep)) != 0 ||
	    (rv = nng_pub0_open(&ep->pub)) != 0 ||
	    (rv = nng_socket_set_size(ep->rep, NNG_OPT_RECVMAXSZ, RECV_MAX)) !=
	        0) {
		snprintf(err, errlen, "cannot open sockets: %s",
		    nng_strerror(rv));
		goto fail;
	}
	for (const char *const *u = cfg->listen; *u != NULL; u++) {
		if ((rv = listen_url(ep->rep, *u, cfg->tls_cert_key)) != 0) {
			snprintf(err, errlen, "cannot listen on %s: %s%s", *u,
			    nng_strerror(rv),
			    rv == NNG_ENOENT ? " (secure addresses need "
			                       "--tls-cert FILE)"
			                     : "");
			goto fail;
		}
	}
	for (const char *const *u = cfg->events; *u != NULL; u++) {
		if ((rv = listen_url(ep->pub, *u, cfg->tls_cert_key)) != 0) {
			snprintf(err, errlen, "cannot publish events on %s: %s%s",
			    *u, nng_strerror(rv),
			    rv == NNG_ENOENT ? " (secure addresses need "
			                       "--tls-cert FILE)"
			                     : "");
			goto fail;
		}
	}
	for (int i = 0; i < ep->nctx; i++) {
		struct ipc_ctx *c = &ep->ctxs[i];
		c->ep             = ep;
		if ((rv = nng_aio_alloc(&c->aio, ctx_cb, c)) != 0 ||
		    (rv = nng_ctx_open(&c->ctx, ep->rep)) != 0) {
			snprintf(err, errlen, "cannot open contexts: %s",
			    nng_strerror(rv));
			goto fail;
		}
	}
	for (int i = 0; i < ep->nctx; i++) {
		ctx_recv(&ep->ctxs[i]);
	}
	*out = ep;
	return (0);
fail:
	atomic_store(&ep->closing, true);
	nng_close(ep->rep);
	nng_close(ep->pub);
	for (int i = 0; i < ep->nctx; i++) {
		if (ep->ctxs[i].aio != NULL) {
			nng_aio_free(ep->ctxs[i].aio);
		}
	}
	/* The endpoint is freed when the loop has closed its handle. */
	uv_close((uv_handle_t *) &ep->wake, wake_closed);
	return (ipc_err(rv) == SK_OK ? SK_EINTERNAL : ipc_err(rv));
}

void
ipc_endpoint_close(struct ipc_endpoint *ep)
{
	atomic_store(&ep->closing, true);
	/* Let the replies already handed to nng reach their peers. */
	for (int i = 0; i < 1000 && atomic_load(&ep->sending) > 0; i++) {
		usleep(1000);
	}
	nng_close(ep->rep);
	nng_close(ep->pub);
	for (int i = 0; i < ep->nctx; i++) {
		nng_aio_free(ep->ctxs[i].aio);
		if (ep->ctxs[i].msg != NULL) {
			nng_msg_free(ep->ctxs[i].msg);
		}
	}
	uv_close((uv_handle_t *) &ep->wake, wake_closed);
}
