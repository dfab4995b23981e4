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
	/* Notices' mail (core/server/mailer.c); no smtp_url: none sent. */
	const char *smtp_url;      /* smtp://HOST:PORT or smtps://HOST:PORT */
	const char *smtp_user;     /* login, or NULL */
	const char *smtp_password; /* read from --smtp-password-file */
	bool        smtp_require_tls; /* STARTTLS or fail (else if offered) */
	const char *mail_from;     /* the sender's address */
	const char *public_url;    /* the web page's address, for links */
	bool        nosync;
	bool        test_clock;
	int         review_days;
	int         contexts;
	size_t      map_size;
	size_t      rubric_mem;          /* per rubric state; 0: default */
	uint64_t    rubric_instructions; /* per call; 0: default */
};

/*
 * Splits --mail-from, "addr@domain" or "Name <addr@domain>", into the
 * name ("" if none) and the address; false if it is neither.
 */
bool server_mail_from_parse(const char *s, char *name, size_t nlen,
    char *addr, size_t alen);

/*
 * Runs the server until SIGINT or SIGTERM.  Returns the process's exit
 * status: 0 after a clean shutdown.
 */
int server_run(const struct server_config *cfg);

#endif
