/*
 * client.c: the blocking client of the sangkien protocol (PROTOCOL.md) that
 * the CLI and the tests use.  It is one nng req0 socket dialed to the server,
 * a request built with json-c, and a reply parsed as strictly as the server
 * parses requests (one object, valid UTF-8, nothing after it).  Nothing here
 * is private to the server: any other client could be written from the
 * protocol page alone.
 *
 * nng's errors are turned into sentences for people here, at one boundary
 * (client_nng_msg), so that the CLI never sees an nng code.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/util/platform.h>

#include "ipc/client.h"
#include "ipc/proto.h"

struct sk_client {
	nng_socket sock;
	char      *url;
	char      *token; /* NULL: none (local-admin over ipc://) */
	int        timeout_ms;
};

/* Formats a message for people into err, if there is room for one. */
static void
client_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Explains a transport failure of a call, in terms of what to check. */
static void
client_nng_msg(struct sk_client *c, int rv, char *err, size_t errlen)
{
	switch (rv) {
	case NNG_ETIMEDOUT:
		client_err(err, errlen,
		    "no reply from %s within %g s (is sangkiend running?)",
		    c->url, c->timeout_ms / 1000.0);
		break;
	case NNG_ECLOSED:
		client_err(err, errlen, "connection to %s closed", c->url);
		break;
	default:
		client_err(err, errlen, "cannot talk to the server at %s: %s",
		    c->url, nng_strerror(rv));
		break;
	}
}

int
sk_client_open(struct sk_client **out, const char *url, const char *token,
    int timeout_ms, char *err, size_t errlen)
{
	struct sk_client *c;
	int               rv;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		client_err(err, errlen, "out of memory");
		return (-1);
	}
	c->timeout_ms = timeout_ms;
	if ((c->url = strdup(url)) == NULL ||
	    (token != NULL && (c->token = strdup(token)) == NULL)) {
		client_err(err, errlen, "out of memory");
		sk_client_close(c);
		return (-1);
	}
	if ((rv = nng_req0_open(&c->sock)) != 0) {
		client_err(err, errlen, "cannot open a req0 socket: %s",
		    nng_strerror(rv));
		sk_client_close(c);
		return (-1);
	}
	/*
	 * Replies (a page of 500 cases, a long history) may exceed nng's
	 * default 1 MiB receive limit, which would drop them silently and
	 * look like a timeout; the server bounds what it sends.  nng's REQ
	 * sends a request again after a minute without a reply:
	 * server.verify of a million cases takes minutes, and was run again
	 * each minute until the first answer came (and a write queued behind
	 * it would have been done twice).  So the timer is off: the client
	 * waits up to its timeout for the one request it sent.
	 */
	if ((rv = nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, timeout_ms)) !=
	        0 ||
	    (rv = nng_socket_set_ms(c->sock, NNG_OPT_SENDTIMEO, timeout_ms)) !=
	        0 ||
	    (rv = nng_socket_set_ms(c->sock, NNG_OPT_REQ_RESENDTIME,
	         NNG_DURATION_INFINITE)) != 0 ||
	    (rv = nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, 0)) != 0) {
		client_err(err, errlen, "cannot set socket options: %s",
		    nng_strerror(rv));
		sk_client_close(c);
		return (-1);
	}
	/*
	 * A blocking dial reports at once a server that is not there (no
	 * socket file, connection refused); once connected, nng redials by
	 * itself if the server restarts.
	 */
	if ((rv = nng_dial(c->sock, url, NULL, 0)) != 0) {
		if (rv == NNG_EADDRINVAL || rv == NNG_ENOTSUP) {
			client_err(err, errlen,
			    "cannot reach the server at %s: %s (not a valid "
			    "nng URL such as ipc:///path/api.ipc or "
			    "tcp://host:port)",
			    url, nng_strerror(rv));
		} else {
			client_err(err, errlen,
			    "cannot reach the server at %s: %s (is sangkiend "
			    "running?)",
			    url, nng_strerror(rv));
		}
		sk_client_close(c);
		return (-1);
	}
	*out = c;
	return (0);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000);
}

/* Both socket timeouts, for the attempt about to be made. */
static void
client_timeouts(struct sk_client *c, nng_duration ms)
{
	nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, ms);
	nng_socket_set_ms(c->sock, NNG_OPT_SENDTIMEO, ms);
}

/*
 * One request, one reply.  With resend, a connection lost before the reply
 * came (the server stopped, crashed or restarted: NNG_ECONNRESET) does not
 * end the call: the same bytes go again once nng has dialed the server
 * back, until the call's timeout has passed.  Only for a request the server
 * may see twice: a write with a request_id, which a repeat cannot apply
 * twice (the server answers it with the first reply, if the first was
 * done before the connection went).
 */
static int
client_exchange(struct sk_client *c, const char *req, size_t len, bool resend,
    nng_msg **out, char *err, size_t errlen)
{
	uint64_t deadline = mono_ms() + (uint64_t) c->timeout_ms;
	bool     retried  = false;
	nng_msg *msg;
	int      rv;

	for (;;) {
		msg = NULL;
		if ((rv = nng_msg_alloc(&msg, 0)) != 0 ||
		    (rv = nng_msg_append(msg, req, len)) != 0) {
			if (msg != NULL) {
				nng_msg_free(msg);
			}
			client_err(err, errlen, "out of memory");
			rv = -1;
			break;
		}
		/* The message is nng's only if the send succeeded. */
		if ((rv = nng_sendmsg(c->sock, msg, 0)) != 0) {
			nng_msg_free(msg);
		} else if ((rv = nng_recvmsg(c->sock, &msg, 0)) == 0) {
			*out = msg;
			break;
		}
		uint64_t now = mono_ms();
		if (!resend || rv != NNG_ECONNRESET || now + 50 >= deadline) {
			client_nng_msg(c, rv, err, errlen);
			rv = -1;
			break;
		}
		/* Give the server a moment to come back, and the attempt what
		 * is left of the timeout. */
		nng_msleep(50);
		client_timeouts(c, (nng_duration) (deadline - now - 50));
		retried = true;
	}
	if (retried) {
		client_timeouts(c, c->timeout_ms);
	}
	return (rv);
}

static int
client_call_raw(struct sk_client *c, const char *req, size_t len, bool resend,
    char **reply, size_t *replylen, char *err, size_t errlen)
{
	nng_msg *msg = NULL;
	char    *buf;
	size_t   n;

	if (client_exchange(c, req, len, resend, &msg, err, errlen) != 0) {
		return (-1);
	}
	n = nng_msg_len(msg);
	if ((buf = malloc(n + 1)) == NULL) {
		nng_msg_free(msg);
		client_err(err, errlen, "out of memory");
		return (-1);
	}
	memcpy(buf, nng_msg_body(msg), n);
	buf[n] = '\0';
	nng_msg_free(msg);
	*reply = buf;
	if (replylen != NULL) {
		*replylen = n;
	}
	return (0);
}

int
sk_client_call_raw(struct sk_client *c, const char *req, size_t len,
    char **reply, size_t *replylen, char *err, size_t errlen)
{
	return (client_call_raw(c, req, len, false, reply, replylen, err,
	    errlen));
}

/*
 * Parses a whole reply as strictly as the server parses requests
 * (proto_json_parse), and checks that it is a {"ok": ...} object.  Returns
 * the object or NULL with a message.
 */
static json_object *
client_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct proto_err e = { 0 };
	json_object     *obj;

	if ((obj = proto_json_parse(text, len, &e)) == NULL) {
		client_err(
		    err, errlen, "bad reply from the server: %s", e.msg);
	} else if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, "ok", NULL)) {
		client_err(err, errlen,
		    "the server's reply is not a {\"ok\": ...} object");
		json_object_put(obj);
		obj = NULL;
	}
	proto_err_clear(&e);
	return (obj);
}

int
sk_client_call(struct sk_client *c, const char *op, json_object *args,
    const char *request_id, json_object **reply, char *err, size_t errlen)
{
	json_object *req;
	const char  *text;
	char        *rtext;
	size_t       len;
	size_t       rlen;
	int          rv;

	if ((req = json_object_new_object()) == NULL) {
		client_err(err, errlen, "out of memory");
		return (-1);
	}
	json_object_object_add(req, "op", json_object_new_string(op));
	/* The request takes a reference; args stays the caller's. */
	json_object_object_add(req, "args",
	    args != NULL ? json_object_get(args) : json_object_new_object());
	if (c->token != NULL) {
		json_object_object_add(
		    req, "token", json_object_new_string(c->token));
	}
	if (request_id != NULL) {
		json_object_object_add(
		    req, "request_id", json_object_new_string(request_id));
	}
	if ((text = util_json_text(req, &len)) == NULL) {
		json_object_put(req);
		client_err(err, errlen, "out of memory");
		return (-1);
	}
	rv = client_call_raw(c, text, len, request_id != NULL, &rtext, &rlen,
	    err, errlen);
	json_object_put(req);
	if (rv != 0) {
		return (rv);
	}
	*reply = client_parse(rtext, rlen, err, errlen);
	free(rtext);
	return (*reply != NULL ? 0 : -1);
}

void
sk_client_close(struct sk_client *c)
{
	if (c == NULL) {
		return;
	}
	if (nng_socket_id(c->sock) > 0) {
		nng_close(c->sock);
	}
	free(c->url);
	free(c->token);
	free(c);
}
