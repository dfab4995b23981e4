/*
 * server.h: sangkiend's loop.  One libuv loop owns all state; requests
 * arrive in batches from ipc/endpoint.c and are applied with group commit
 * (ARCHITECTURE.md, "One thread owns the state").
 */
#ifndef SK_SERVER_H
#define SK_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVER_MAX_URLS 16

struct server_config {
	const char *data_dir;
	const char *listen[SERVER_MAX_URLS + 2]; /* NULL-terminated */
	const char *events[SERVER_MAX_URLS + 2];
	const char *rubrics_dir;
	const char *tls_cert_key; /* for tls+tcp:// and wss:// */
	const char *tls_key;      /* NULL: the key is in tls_cert_key */
	const char *http_url;     /* --http: the web application */
	const char *web_dir;      /* its static files */
	bool        admin_group;  /* --admin-group: its members are local */
	unsigned    admin_gid;
	int64_t     session_idle_s; /* auth.login's sessions; 0: 30 min */
	int64_t     session_max_s;  /* their whole life; 0: 12 h */
	bool        nosync;
	bool        test_clock;
	int         review_days;
	int         contexts;
	size_t      map_size;
	size_t      rubric_mem;          /* per rubric state; 0: default */
	uint64_t    rubric_instructions; /* per call; 0: default */
};

/*
 * Runs the server until SIGINT or SIGTERM.  Returns the process's exit
 * status: 0 after a clean shutdown.
 */
int server_run(const struct server_config *cfg);

#endif
