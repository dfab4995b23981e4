/*
 * endpoint.h: the server's sockets.  A raw rep0 socket takes requests; a
 * pub0 socket publishes events.
 *
 * Only the loop thread receives and sends: it watches the rep0 socket's
 * receive descriptor (NNG_OPT_RECVFD) with a uv_poll_t, takes every request
 * waiting, and hands them to the batch function as one list; it decodes,
 * touches LMDB, and replies (never touch Lua or LMDB from an nng thread).
 *
 * Ownership: a request handed to the batch function belongs to the loop
 * until it calls ipc_reply() on it, exactly once.
 */
#ifndef SK_ENDPOINT_H
#define SK_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

struct ipc_endpoint;

/* One request in flight. */
struct ipc_req {
	struct ipc_req *next;  /* the queue, and the batch handed to the loop */
	const char     *body;  /* request bytes, valid until ipc_reply */
	size_t          len;
	bool            local; /* over ipc:// from our own uid (or root, or
	                        * a member of --admin-group) */
	char            peer[48]; /* the peer's address without its port;
	                           * "local" for every ipc:// peer */
};

typedef void (*ipc_batch_fn)(void *arg, struct ipc_req *batch);

struct ipc_config {
	const char *const *listen; /* API addresses, NULL-terminated */
	const char *const *events; /* event addresses, NULL-terminated */
	const char        *tls_cert_key; /* PEM: certificate (and key) */
	int                contexts; /* most requests in flight (and per batch) */
	ipc_batch_fn       batch;
	void              *arg;
	const char        *tls_key;  /* PEM key; NULL: in tls_cert_key */
	const char        *http_url; /* --http: web files, /api, /events */
	const char        *web_dir;  /* the web files, with http_url */
	bool               admin_group; /* ipc:// peers of admin_gid are local */
	unsigned           admin_gid;   /* --admin-group's gid */
};

/* Translates an nng error to the project's errors (the one place). */
int ipc_err(int nng_rv);

/*
 * Opens the sockets, listens, and starts receiving on loop.  Returns SK_OK
 * or an error with a message in err.
 */
int ipc_endpoint_open(struct ipc_endpoint **out, uv_loop_t *loop,
    const struct ipc_config *cfg, char *err, size_t errlen);

/* Sends the reply to req (loop thread only); req is gone afterwards. */
void ipc_reply(struct ipc_req *req, const char *buf, size_t len);

/* The web application's address (--http), or NULL. */
const char *ipc_endpoint_page(const struct ipc_endpoint *ep);

/* Rereads the web directory (SIGHUP); the old files stay on failure. */
void ipc_endpoint_reload_web(struct ipc_endpoint *ep);

/* Publishes "TYPE JSON" to subscribers; never blocks (PUB drops). */
void ipc_publish(struct ipc_endpoint *ep, const char *type,
    const char *json, size_t len);

/*
 * Stops taking requests, lets the replies already handed to nng go out (up
 * to a second), and closes the sockets.  Requests still queued get no
 * reply: they were never acknowledged.  The uv handles are closed; run the
 * loop to finish.
 */
void ipc_endpoint_close(struct ipc_endpoint *ep);

#endif
