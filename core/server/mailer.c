/*
 * mailer.c: sends the outbox's mail (core/model/notice.h) through SMTP
 * with libcurl, off the loop.
 *
 * Two sides.  On the loop, a one-second timer reads the mail that is due
 * from a read snapshot, builds each message (RFC 5322, UTF-8, an RFC 2047
 * subject, a base64 text/plain body, the notice's stable Message-ID) and
 * hands it to the sender; the same timer sends the daily digest when it is
 * due.  The sender, a thread of its own, delivers one message at a time
 * (STARTTLS when the server offers it, or always with --smtp-require-tls;
 * smtps:// is TLS from the start; login with --smtp-user) and hands the
 * outcome back through a uv_async; the loop records it in a system write,
 * as every write is made.  The sender never touches LMDB, and a slow or
 * unreachable mail server holds up only the sender, never the loop: the
 * API answers as before and the mail waits.  A mail that failed is tried
 * again later (notice_mail_result's backoff); after a restart everything
 * still queued is tried at once.  The rule against sending twice is
 * notice.h's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/model/notice.h"
#include "core/util/clock.h"
#include "core/util/err.h"
#include "core/util/log.h"
#include "core/server/impl.h"

#define MAILER_INFLIGHT 8   /* messages handed to the sender at once */
#define MAILER_TICK_MS  1000

struct mail_job {
	struct mail_job *next;
	uint64_t         id;
	char            *to;
	char            *msg;
	size_t           len, off;
	bool             sent;
	bool             aborted; /* stopped mid-way: not a real failure */
	char             error[CURL_ERROR_SIZE + 64];
};

struct mailer {
	struct server   *s;
	uv_timer_t       tick;
	uv_async_t       done;
	uv_thread_t      thread;
	uv_mutex_t       mu;
	uv_cond_t        cv;
	struct mail_job *todo, **todo_tail; /* loop -> sender */
	struct mail_job *results;           /* sender -> loop */
	uint64_t         inflight[MAILER_INFLIGHT];
	size_t           ninflight;
	bool             stop;
	bool             resumed; /* the first pass after start is done */
	bool             thread_on;
	int64_t          digest_at;
	char             from_addr[320];
	char             from_name[200]; /* of --mail-from, or ours */
};

/*
 * The sender's address.
 */

static bool
addr_ok(const char *a)
{
	const char *at = strchr(a, '@');
	return (at != NULL && at != a && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	    strpbrk(a, " \t<>\"\r\n,;()[]\\") == NULL);
}

bool
server_mail_from_parse(const char *s, char *name, size_t nlen, char *addr,
    size_t alen)
{
	const char *lt = strchr(s, '<');
	size_t      n;

	if (strpbrk(s, "\r\n\"") != NULL) {
		return (false);
	}
	if (lt == NULL) {
		snprintf(name, nlen, "%s", "");
		n = strlen(s);
		if (n >= alen) {
			return (false);
		}
		memcpy(addr, s, n + 1);
		return (addr_ok(addr));
	}
	n = strlen(lt + 1);
	if (n < 2 || lt[n] != '>' || n - 1 >= alen) {
		return (false);
	}
	memcpy(addr, lt + 1, n - 1);
	addr[n - 1] = '\0';
	/* The name before "<", without the blanks around it. */
	const char *b = s, *e = lt;
	while (b < e && (*b == ' ' || *b == '\t')) {
		b++;
	}
	while (e > b && (e[-1] == ' ' || e[-1] == '\t')) {
		e--;
	}
	snprintf(name, nlen, "%.*s", (int) (e - b), b);
	return (addr_ok(addr));
}

/*
 * The message.
 */

static void
buf_add(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t cap2 = (*cap ? *cap * 2 : 1024) + n;
		char  *b    = realloc(*buf, cap2);
		if (b == NULL) {
			return;
		}
		*buf = b;
		*cap = cap2;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

#define ADD(s) buf_add(&b, &len, &cap, (s), strlen(s))

/* text as RFC 2047 encoded words, each under 76 characters, split only
 * between UTF-8 characters, folded. */
static void
add_encoded(char **bp, size_t *lenp, size_t *capp, const char *text)
{
	char  *b = *bp;
	size_t len = *lenp, cap = *capp, n = strlen(text);
	char   out[128];
	bool   first = true;

	for (size_t i = 0; i < n;) {
		size_t take = n - i > 45 ? 45 : n - i;
		/* Back off to the start of a UTF-8 character. */
		while (i + take < n && take > 0 &&
		    ((unsigned char) text[i + take] & 0xC0) == 0x80) {
			take--;
		}
		sodium_bin2base64(out, sizeof(out),
		    (const unsigned char *) text + i, take,
		    sodium_base64_VARIANT_ORIGINAL);
		ADD(first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
		ADD(out);
		ADD("?=");
		first = false;
		i += take;
	}
	*bp   = b;
	*lenp = len;
	*capp = cap;
}

/* The whole message of notice n (malloc'd). */
static char *
message_of(struct mailer *m, json_object *n, size_t *outlen)
{
	char      *b = NULL;
	size_t     len = 0, cap = 0;
	char       date[64], line[96];
	time_t     t = (time_t) clock_now();
	struct tm  tm;
	const char *body = doc_get_str(n, "body") ?: "";

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	ADD("Date: ");
	ADD(date);
	ADD("\r\nFrom: ");
	add_encoded(&b, &len, &cap, m->from_name);
	ADD(" <");
	ADD(m->from_addr);
	ADD(">\r\nTo: <");
	ADD(doc_get_str(n, "email") ?: "");
	ADD(">\r\nSubject: ");
	add_encoded(&b, &len, &cap, doc_get_str(n, "subject") ?: "");
	ADD("\r\nMessage-ID: ");
	ADD(doc_get_str(n, "message_id") ?: "");
	snprintf(line, sizeof(line), "\r\nX-Sangkien-Notice: %lld",
	    (long long) doc_get_int(n, "id", 0));
	ADD(line);
	if (doc_get_int(n, "case", 0) > 0) {
		snprintf(line, sizeof(line), "\r\nX-Sangkien-Case: %lld",
		    (long long) doc_get_int(n, "case", 0));
		ADD(line);
	}
	ADD("\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	/* The body, CRLF line ends, base64 in lines of 76. */
	char  *text = NULL;
	size_t tl = 0, tc = 0;
	for (const char *p = body; *p; p++) {
		if (*p == '\n') {
			buf_add(&text, &tl, &tc, "\r\n", 2);
		} else {
			buf_add(&text, &tl, &tc, p, 1);
		}
	}
	buf_add(&text, &tl, &tc, "\r\n", 2);
	for (size_t i = 0; i < tl; i += 57) {
		char   enc[96];
		size_t take = tl - i > 57 ? 57 : tl - i;
		sodium_bin2base64(enc, sizeof(enc),
		    (const unsigned char *) text + i, take,
		    sodium_base64_VARIANT_ORIGINAL);
		ADD(enc);
		ADD("\r\n");
	}
	free(text);
	*outlen = len;
	return (b);
}

#undef ADD

/*
 * The sender's thread.
 */

static size_t
read_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct mail_job *j = arg;
	size_t           n = size * nmemb;
	if (n > j->len - j->off) {
		n = j->len - j->off;
	}
	memcpy(ptr, j->msg + j->off, n);
	j->off += n;
	return (n);
}

static int
progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct mailer *m = arg;
	bool           stop;
	(void) dt, (void) dn, (void) ut, (void) un;
	uv_mutex_lock(&m->mu);
	stop = m->stop;
	uv_mutex_unlock(&m->mu);
	return (stop ? 1 : 0);
}

static void
deliver(struct mailer *m, struct mail_job *j)
{
	const struct server_config *cfg = m->s->cfg;
	CURL                       *c   = curl_easy_init();
	struct curl_slist          *rcpt = NULL;
	char                        from[340], to[340], err[CURL_ERROR_SIZE];
	CURLcode                    rc;

	if (c == NULL) {
		snprintf(j->error, sizeof(j->error), "cannot start libcurl");
		return;
	}
	err[0] = '\0';
	snprintf(from, sizeof(from), "<%s>", m->from_addr);
	snprintf(to, sizeof(to), "<%s>", j->to);
	rcpt = curl_slist_append(NULL, to);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, j);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL,
	    cfg->smtp_require_tls ? (long) CURLUSESSL_ALL : (long) CURLUSESSL_TRY);
	if (cfg->smtp_user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD,
		    cfg->smtp_password ? cfg->smtp_password : "");
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, m);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		j->sent = true;
	} else {
		j->aborted = rc == CURLE_ABORTED_BY_CALLBACK;
		snprintf(j->error, sizeof(j->error), "%s%s%s",
		    curl_easy_strerror(rc), err[0] ? ": " : "", err);
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
}

static void
sender_main(void *arg)
{
	struct mailer *m = arg;

	for (;;) {
		struct mail_job *j;
		uv_mutex_lock(&m->mu);
		while (m->todo == NULL && !m->stop) {
			uv_cond_wait(&m->cv, &m->mu);
		}
		if (m->stop) {
			uv_mutex_unlock(&m->mu);
			return;
		}
		j       = m->todo;
		m->todo = j->next;
		if (m->todo == NULL) {
			m->todo_tail = &m->todo;
		}
		uv_mutex_unlock(&m->mu);

		deliver(m, j);

		uv_mutex_lock(&m->mu);
		j->next    = m->results;
		m->results = j;
		uv_mutex_unlock(&m->mu);
		uv_async_send(&m->done);
	}
}

/*
 * The loop's side.
 */

static void
job_free(struct mail_job *j)
{
	free(j->to);
	free(j->msg);
	free(j);
}

static bool
in_flight(struct mailer *m, uint64_t id)
{
	for (size_t i = 0; i < m->ninflight; i++) {
		if (m->inflight[i] == id) {
			return (true);
		}
	}
	return (false);
}

static void
flight_done(struct mailer *m, uint64_t id)
{
	for (size_t i = 0; i < m->ninflight; i++) {
		if (m->inflight[i] == id) {
			m->inflight[i] = m->inflight[--m->ninflight];
			return;
		}
	}
}

static int
record_results(struct op_ctx *ctx, void *arg)
{
	int rv = 0;
	for (struct mail_job *j = arg; j != NULL && rv == 0; j = j->next) {
		if (!j->aborted) {
			rv = notice_mail_result(ctx, j->id, j->sent, j->error);
		}
	}
	return (rv);
}

/* Records what the sender reports, on the loop. */
static void
take_results(struct mailer *m)
{
	struct mail_job *list;

	uv_mutex_lock(&m->mu);
	list       = m->results;
	m->results = NULL;
	uv_mutex_unlock(&m->mu);
	if (list == NULL) {
		return;
	}
	for (struct mail_job *j = list; j != NULL; j = j->next) {
		if (j->sent) {
			log_info("notice %llu mailed to %s",
			    (unsigned long long) j->id, j->to);
		} else if (!j->aborted) {
			log_warn("notice %llu to %s not sent: %s",
			    (unsigned long long) j->id, j->to, j->error);
		}
	}
	/* If this write fails the mail stays queued and goes again later:
	 * at least once. */
	server_system(m->s, "recording mail", record_results, list);
	while (list != NULL) {
		struct mail_job *next = list->next;
		flight_done(m, list->id);
		job_free(list);
		list = next;
	}
}

static void
on_done(uv_async_t *h)
{
	take_results(h->data);
}

static int
run_digest(struct op_ctx *ctx, void *arg)
{
	(void) arg;
	return (notice_digest(ctx));
}

/* Hands the mail that is due to the sender. */
static void
pump(struct mailer *m)
{
	uint64_t ids[MAILER_INFLIGHT];
	size_t   n = 0;
	MDB_txn *txn;

	if (m->ninflight >= MAILER_INFLIGHT ||
	    store_read_begin(m->s->st, &txn) != 0) {
		return;
	}
	notice_mail_due(txn, m->s->st, clock_now(), !m->resumed, ids,
	    MAILER_INFLIGHT, &n);
	m->resumed = true;
	for (size_t i = 0; i < n && m->ninflight < MAILER_INFLIGHT; i++) {
		json_object     *doc;
		struct mail_job *j;
		if (in_flight(m, ids[i]) ||
		    notice_load(txn, m->s->st, ids[i], &doc) != 0) {
			continue;
		}
		if ((j = calloc(1, sizeof(*j))) == NULL ||
		    (j->to = strdup(doc_get_str(doc, "email") ?: "")) == NULL ||
		    (j->msg = message_of(m, doc, &j->len)) == NULL) {
			if (j != NULL) {
				job_free(j);
			}
			json_object_put(doc);
			break;
		}
		json_object_put(doc);
		j->id                       = ids[i];
		m->inflight[m->ninflight++] = ids[i];
		uv_mutex_lock(&m->mu);
		*m->todo_tail = j;
		m->todo_tail  = &j->next;
		uv_cond_signal(&m->cv);
		uv_mutex_unlock(&m->mu);
	}
	store_read_end(m->s->st);
}

static void
on_tick(uv_timer_t *h)
{
	struct mailer *m = h->data;
	MDB_txn       *txn;

	if (m->s->stopping) {
		return;
	}
	if (m->digest_at < 0 || clock_now() >= m->digest_at) {
		server_system(m->s, "the daily digest", run_digest, NULL);
		if (store_read_begin(m->s->st, &txn) == 0) {
			m->digest_at = notice_digest_at(txn, m->s->st);
			store_read_end(m->s->st);
		}
		if (m->digest_at < 0) {
			m->digest_at = clock_now() + 3600; /* try again later */
		}
	}
	if (m->thread_on) {
		pump(m);
	}
}

int
mailer_start(struct server *s)
{
	struct mailer *m = calloc(1, sizeof(*m));
	const char    *from = s->cfg->mail_from;

	if (m == NULL) {
		return (SK_EINTERNAL);
	}
	m->s         = s;
	m->todo_tail = &m->todo;
	m->digest_at = -1;
	if (!server_mail_from_parse(from ? from : "sangkien@localhost",
	        m->from_name, sizeof(m->from_name), m->from_addr,
	        sizeof(m->from_addr))) {
		free(m);
		log_error("--mail-from \"%s\" is not an address", from);
		return (SK_EBADREQ);
	}
	if (m->from_name[0] == '\0') {
		snprintf(m->from_name, sizeof(m->from_name), "Hệ thống sáng kiến");
	}
	/* Message-IDs end with the sender's domain (notice.c). */
	s->env.mail_domain = strchr(m->from_addr, '@') + 1;
	uv_mutex_init(&m->mu);
	uv_cond_init(&m->cv);
	uv_timer_init(&s->loop, &m->tick);
	uv_async_init(&s->loop, &m->done, on_done);
	m->tick.data = m->done.data = m;
	s->mailer                   = m;
	if (s->cfg->smtp_url != NULL) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
		    uv_thread_create(&m->thread, sender_main, m) != 0) {
			log_error("cannot start the mail sender");
			return (SK_EINTERNAL);
		}
		m->thread_on = true;
		log_info("mail through %s from %s", s->cfg->smtp_url,
		    m->from_addr);
	}
	uv_timer_start(&m->tick, on_tick, 0, MAILER_TICK_MS);
	return (0);
}

void
mailer_stop(struct server *s)
{
	struct mailer *m = s->mailer;

	if (m == NULL) {
		return;
	}
	uv_timer_stop(&m->tick);
	if (m->thread_on) {
		/* A message on its way is abandoned within a second (the
		 * progress callback); it stays queued. */
		uv_mutex_lock(&m->mu);
		m->stop = true;
		uv_cond_signal(&m->cv);
		uv_mutex_unlock(&m->mu);
		uv_thread_join(&m->thread);
		m->thread_on = false;
		take_results(m); /* what was delivered is recorded */
		while (m->todo != NULL) {
			struct mail_job *next = m->todo->next;
			job_free(m->todo);
			m->todo = next;
		}
		curl_global_cleanup();
	}
	uv_close((uv_handle_t *) &m->tick, NULL);
	uv_close((uv_handle_t *) &m->done, NULL);
}

void
mailer_free(struct server *s)
{
	struct mailer *m = s->mailer;
	if (m != NULL) {
		uv_mutex_destroy(&m->mu);
		uv_cond_destroy(&m->cv);
		free(m);
		s->mailer = NULL;
	}
}
