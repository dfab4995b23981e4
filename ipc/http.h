/*
 * http.h: the web application's HTTP side of the endpoint (--http URL,
 * --web DIR).
 *
 * One nng HTTP server per address serves the static files of DIR, and the
 * endpoint's WebSocket listeners (the API at /api, the events at /events)
 * share that server and port: nng finds a server by host and port, so a
 * ws:// listener on the same address adds its handler to ours (nng 1.5.2,
 * nni_http_server_init).  The files are read into memory at open and on
 * ipc_http_reload (SIGHUP): a request never touches the file system, so no
 * path can reach outside DIR.
 *
 * Ownership: the struct ipc_http belongs to the endpoint; the file table
 * belongs to the HTTP handler and is freed when nng lets go of the handler
 * (its handlers run on nng's threads, under the table's mutex).
 */
#ifndef SK_HTTP_H
#define SK_HTTP_H

#include <stddef.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

struct ipc_http;

struct ipc_http_config {
	const char *url;      /* http://HOST:PORT or https://HOST:PORT */
	const char *web_dir;  /* the static files */
	const char *tls_cert; /* PEM certificate (and key, if no tls_key) */
	const char *tls_key;  /* PEM key; NULL: in tls_cert */
};

/*
 * A server-side TLS configuration from a PEM certificate file and a PEM
 * key file (key NULL: both in cert).  Returns 0 or an nng error, with a
 * message in err.  The caller frees it with nng_tls_config_free.
 */
int ipc_tls_config(nng_tls_config **out, const char *cert, const char *key,
    char *err, size_t errlen);

/*
 * Holds the HTTP server for cfg->url, sets its TLS configuration for
 * https://, reads cfg->web_dir and starts serving it.  On success writes
 * the addresses the API and events listeners must take (ws[s]://HOST:PORT
 * /api and /events) into api and events (each urllen bytes).  Returns 0 or
 * an nng error, with a message in err.
 */
int ipc_http_open(struct ipc_http **out, const struct ipc_http_config *cfg,
    char *api, char *events, size_t urllen, char *err, size_t errlen);

/* The page's address, for the log: http[s]://HOST:PORT/. */
const char *ipc_http_page(const struct ipc_http *h);

/*
 * Reads the web directory again and serves the new files from now on.
 * Returns 0, or -1 (the old files stay) with a message in err.
 */
int ipc_http_reload(struct ipc_http *h, char *err, size_t errlen);

/* Stops serving files and lets go of the server (after the sockets). */
void ipc_http_close(struct ipc_http *h);

#endif
