/*
 * endpoint.c: nng sockets on one side, the libuv loop on the other.
 *
 * Why raw REP: with cooked rep0 contexts every request cost two trips
 * through nng's task threads (a context's receive and send callbacks), a
 * mutex-protected hand-over list and a uv_async_send; under load those
 * threads burned as much CPU as the loop itself.  Here the rep0 socket is
 * opened raw, and only the loop thread receives or sends on it:
 *
 *   RECV  nng keeps the requests it has read in the socket's receive
 *         buffer (NNG_OPT_RECVBUF).  Its NNG_OPT_RECVFD is a descriptor
 *         that stays readable while that buffer holds a message (level
 *         triggered: nng clears it when the buffer goes empty), so one
 *         uv_poll_t on the loop watches it.  When it is ready, the loop
 *         takes messages without waiting (a receive with a zero timeout,
 *         as nng_recvmsg(NNG_FLAG_NONBLOCK) does, on one aio kept for it:
 *         nng_recvmsg would allocate one per call) until there is none
 *         left or every slot is in use, and hands them to the batch
 *         function as one list: the batch (and so the group commit) grows
 *         with the load.
 *
 *   SLOTS A slot holds one request from the moment it is received until
 *         nng accepts its reply.  There are cfg->contexts of them
 *         (--contexts N: the most requests in flight, and so the largest
 *         batch).  When all are in use the loop stops watching the
 *         descriptor; requests wait in nng, then in the peers' sockets:
 *         that is the back-pressure.
 *
 *   SEND  A raw request carries a header (the pipe id and the peer's
 *         backtrace).  The reply reuses the request's message, body
 *         replaced and header kept, so nng routes it back to the pipe it
 *         came from.  It goes, again without waiting, into the socket's
 *         send buffer (NNG_OPT_SENDBUF), from which an nng thread moves it
 *         to the pipe's own queue.
 *
 *   PIPES That per-pipe queue holds 64 replies in nng 1.5.2, and a reply
 *         that finds it full is dropped without a word (xrep0
 *         sock_getq_cb): a peer with more than 64 requests in flight on
 *         one connection would lose replies, and resend (repeating a
 *         write) a minute later.  Cooked contexts never drop; they wait.
 *         So we wait too: for each pipe we count the replies handed to nng
 *         and read how many it has written from nng's statistics (the
 *         pipe's tx_msgs), and hand a pipe no more than 64 unwritten
 *         replies.  The statistics are read only when a pipe gets near
 *         that limit (a few microseconds each time).  A transport that
 *         keeps no counts (ws://, wss://, inproc://) cannot be held back
 *         this way; its replies go out unchecked.
 *
 *   WAIT  A reply that cannot go now (its pipe is at the limit, or nng's
 *         send buffer is full) stays in its slot on the "unsent" list; a
 *         1 ms timer, and each wake-up for requests, retry the list until
 *         it is empty.  The loop never blocks on a peer, and no reply is
 *         dropped for want of room (bar the transports above).
 *
 *   STUCK A peer that sends and never reads would keep its replies in
 *         slots for good, and with every slot so held nobody else is
 *         answered (issue 19).  Raw REP cannot stop reading one pipe (it
 *         receives for the whole socket), so when every slot is taken,
 *         a pipe whose queue has stayed full with nothing written for
 *         STUCK_MS is closed instead, its replies dropped and their slots
 *         freed: others wait at most that long.  A peer that reads, however slowly, is never closed; a
 *         closed one reconnects and sends again (writes carry request_id).
 *
 * Closing: nng_close() drops whatever nng still holds, so before it
 * ipc_endpoint_close() sends the unsent list and waits (up to a second)
 * until every open pipe has been written each reply it was handed.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/reqrep0/rep.h>

#include "core/util/err.h"
#include "core/util/log.h"
#include "ipc/endpoint.h"
#include "ipc/http.h"

/* Requests are refused as too_large past 1 MiB; the transport carries a
 * little more so that the refusal can be a reply, not a dropped pipe. */
#define RECV_MAX ((size_t) 8 << 20)

/* nng's socket buffers, in messages (nng accepts up to 8192). */
#define BUF_MIN 1024
#define BUF_MAX 8192

/* xrep0's queue of replies per pipe (nng 1.5.2): it drops past this. */
#define PIPE_QUEUE 64

/* Statistics are read at most this often, in nanoseconds... */
#define STATS_EVERY_NS 100000
/* ...and the unsent list retried this often, in milliseconds. */
#define RETRY_MS 1

/*
 * A pipe that has had no room for a reply and written nothing for this
 * long is closed: its peer does not read, and its replies hold slots that
 * every other client needs (issue 19).
 */
#define STUCK_MS 500

/* How long ipc_endpoint_close waits for replies to be written. */
#define CLOSE_WAIT_MS 1000

/*
 * How long nng_close() of the request socket may take before the process
 * exits without it.  nng 1.5.2 was seen to wait for good for a pipe whose
 * peer never reads (its reaper blocked while tearing the pipe down), and a
 * stop must end within the service manager's grace period whatever the
 * clients do (issue 19).  By then every reply that went out was sent after
 * its commit, so exiting loses nothing acknowledged.
 */
#define NNG_CLOSE_MAX_S 3

struct ipc_slot {
	struct ipc_req       req; /* first: ipc_reply casts back */
	struct ipc_endpoint *ep;
	nng_msg             *msg;  /* the request, then its reply */
	uint32_t             pipe; /* where it came from */
	struct ipc_slot     *link; /* the free list, or the unsent list */
};

/* What we know of one pipe's replies. */
struct pipe_ent {
	uint32_t id;        /* 0: an empty cell */
	uint32_t waiting;   /* its replies on the unsent list */
	uint64_t handed;    /* replies nng accepted for it */
	uint64_t written;   /* of which nng had written, last we read */
	bool     uncounted; /* its transport keeps no statistics */
	bool     seen;      /* in the last statistics read */
	bool     checked;   /* local and peer are known (asked once) */
	bool     local;     /* ipc:// from our own uid, root, or the
	                     * --admin-group */
	char     peer[48];  /* see struct ipc_req */
	uint64_t stuck_ms;  /* uv_now when found full with no progress; 0 */
	uint64_t stuck_written; /* written then */
};

struct ipc_endpoint {
	nng_socket         rep;
	nng_socket         pub;
	nng_aio           *raio, *saio; /* zero timeout: never wait */
	nng_aio           *paio; /* publishing; nng_sendmsg would allocate
	                           * one per event, and read getrandom(2) */
	struct ipc_slot   *slots;
	int                nslots;
	struct ipc_slot   *free;   /* slots holding no request */
	struct ipc_slot   *unsent; /* replies waiting for room in nng */
	struct ipc_slot  **unsent_tail;
	struct pipe_ent   *pipes; /* open addressing, cap a power of 2 */
	size_t             pipes_cap, pipes_len;
	uint64_t           stats_ns; /* when the statistics were last read */
	bool               no_stats; /* nng keeps none: pipes go unchecked */
	uint64_t           euid;     /* ours, for peer_is_local */
	bool               admin_group; /* --admin-group was given */
	uint64_t           admin_gid;   /* its gid, for peer_in_group */
	uv_poll_t          recv_poll; /* NNG_OPT_RECVFD */
	uv_timer_t         retry;     /* runs while the unsent list is not empty */
	int                handles;   /* uv handles initialized, to close */
	bool               recving;   /* recv_poll started */
	bool               closing;
	unsigned long long waited;  /* replies that waited for room */
	unsigned long long dropped; /* replies we could not hand to nng */
	ipc_batch_fn       batch;
	void              *arg;
	nng_tls_config    *tls;  /* for tls+tcp:// and wss:// listeners */
	struct ipc_http   *http; /* --http: the web files; NULL without */
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

/*
 * Is the ipc:// peer in the --admin-group?  Its gid (SO_PEERCRED), or one of
 * the supplementary groups the kernel holds for its process (the Groups: line
 * of /proc/PID/status: what the kernel checks file access against, so a
 * member who has logged in again since being added, not one merely named in
 * /etc/group).
 */
static bool
peer_in_group(const struct ipc_endpoint *ep, nng_pipe p)
{
	uint64_t gid, pid;
	char     path[64], *line = NULL, *s, *end;
	size_t   cap = 0;
	FILE    *f;
	bool     in = false;

	if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_GID, &gid) == 0 &&
	    gid == ep->admin_gid) {
		return (true);
	}
	if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_PID, &pid) != 0) {
		return (false);
	}
	snprintf(path, sizeof(path), "/proc/%llu/status",
	    (unsigned long long) pid);
	if ((f = fopen(path, "re")) == NULL) {
		return (false);
	}
	while (!in && getline(&line, &cap, f) >= 0) {
		if (strncmp(line, "Groups:", 7) != 0) {
			continue;
		}
		for (s = line + 7;; s = end) {
			unsigned long long g = strtoull(s, &end, 10);
			if (end == s) {
				break;
			}
			if (g == ep->admin_gid) {
				in = true;
				break;
			}
		}
		break;
	}
	free(line);
	fclose(f);
	return (in);
}

/* Asks the kernel (SO_PEERCRED): once per pipe, see pipe_is_local. */
static bool
peer_is_local(const struct ipc_endpoint *ep, nng_msg *msg)
{
	nng_pipe p = nng_msg_get_pipe(msg);
	uint64_t uid;
	if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_UID, &uid) != 0) {
		return (false); /* not ipc:// */
	}
	return (uid == ep->euid || uid == 0 ||
	    (ep->admin_group && peer_in_group(ep, p)));
}

/* nng_recvmsg(NNG_FLAG_NONBLOCK) on our aio: 0, NNG_EAGAIN or an error. */
static int
rep_recv(struct ipc_endpoint *ep, nng_msg **m)
{
	int rv;

	nng_recv_aio(ep->rep, ep->raio);
	nng_aio_wait(ep->raio);
	if ((rv = nng_aio_result(ep->raio)) == 0) {
		*m = nng_aio_get_msg(ep->raio);
		nng_aio_set_msg(ep->raio, NULL);
	}
	return (rv == NNG_ETIMEDOUT ? NNG_EAGAIN : rv);
}

/* nng_sendmsg(NNG_FLAG_NONBLOCK) on our aio; m stays ours on failure. */
static int
rep_send(struct ipc_endpoint *ep, nng_msg *m)
{
	int rv;

	nng_aio_set_msg(ep->saio, m);
	nng_send_aio(ep->rep, ep->saio);
	nng_aio_wait(ep->saio);
	if ((rv = nng_aio_result(ep->saio)) != 0) {
		nng_aio_set_msg(ep->saio, NULL);
	}
	return (rv == NNG_ETIMEDOUT ? NNG_EAGAIN : rv);
}

/*
 * The pipe table.  Entries are found by pipe id; dead pipes are dropped
 * when the table would grow.
 */
static size_t
pipe_hash(uint32_t id, size_t cap)
{
	return ((size_t) (id * 2654435761u) & (cap - 1));
}

static struct pipe_ent *
pipe_lookup(struct ipc_endpoint *ep, uint32_t id)
{
	if (ep->pipes_cap == 0) {
		return (NULL);
	}
	for (size_t i = pipe_hash(id, ep->pipes_cap);;
	     i = (i + 1) & (ep->pipes_cap - 1)) {
		if (ep->pipes[i].id == id) {
			return (&ep->pipes[i]);
		}
		if (ep->pipes[i].id == 0) {
			return (NULL);
		}
	}
}

static bool
pipe_alive(uint32_t id)
{
	nng_pipe p = NNG_PIPE_INITIALIZER;
	p.id       = id;
	return (nng_socket_id(nng_pipe_socket(p)) > 0);
}

/* Rebuilds the table with room for one more, without the dead pipes. */
static int
pipes_rebuild(struct ipc_endpoint *ep)
{
	size_t           live = 0, cap = 64;
	struct pipe_ent *v;

	for (size_t i = 0; i < ep->pipes_cap; i++) {
		struct pipe_ent *e = &ep->pipes[i];
		if (e->id != 0 && e->waiting == 0 && !pipe_alive(e->id)) {
			e->id = 0; /* dead: its replies are dropped anyway */
		}
		live += e->id != 0;
	}
	while (cap < 4 * (live + 1)) {
		cap *= 2;
	}
	if ((v = calloc(cap, sizeof(*v))) == NULL) {
		return (-1);
	}
	for (size_t i = 0; i < ep->pipes_cap; i++) {
		struct pipe_ent *e = &ep->pipes[i];
		if (e->id != 0) {
			size_t j = pipe_hash(e->id, cap);
			while (v[j].id != 0) {
				j = (j + 1) & (cap - 1);
			}
			v[j] = *e;
		}
	}
	free(ep->pipes);
	ep->pipes     = v;
	ep->pipes_cap = cap;
	ep->pipes_len = live;
	return (0);
}

/* The pipe's entry, made if need be; NULL if out of memory. */
static struct pipe_ent *
pipe_get(struct ipc_endpoint *ep, uint32_t id)
{
	struct pipe_ent *e = pipe_lookup(ep, id);
	size_t           i;

	if (e != NULL) {
		return (e);
	}
	if (2 * (ep->pipes_len + 1) > ep->pipes_cap &&
	    pipes_rebuild(ep) != 0) {
		return (NULL);
	}
	i = pipe_hash(id, ep->pipes_cap);
	while (ep->pipes[i].id != 0) {
		i = (i + 1) & (ep->pipes_cap - 1);
	}
	memset(&ep->pipes[i], 0, sizeof(ep->pipes[i]));
	ep->pipes[i].id = id;
	ep->pipes_len++;
	return (&ep->pipes[i]);
}

/* The pipe's peer address, without the port; "local" for ipc://. */
static void
peer_addr(nng_msg *msg, char *out, size_t len)
{
	nng_sockaddr sa;
	nng_pipe     p = nng_msg_get_pipe(msg);

	snprintf(out, len, "unknown");
	if (nng_pipe_get_addr(p, NNG_OPT_REMADDR, &sa) != 0) {
		return;
	}
	switch (sa.s_family) {
	case NNG_AF_IPC:
	case NNG_AF_INPROC:
	case NNG_AF_ABSTRACT:
		snprintf(out, len, "local");
		break;
	case NNG_AF_INET:
		inet_ntop(AF_INET, &sa.s_in.sa_addr, out, (socklen_t) len);
		break;
	case NNG_AF_INET6:
		inet_ntop(AF_INET6, sa.s_in6.sa_addr, out, (socklen_t) len);
		break;
	default:
		break;
	}
}

/*
 * Is the request's peer local, and what is its address?  A pipe's peer
 * does not change, so the answers (system calls) are kept in its entry:
 * per request they cost as much as the rest of the receive.
 */
static bool
pipe_is_local(struct ipc_endpoint *ep, uint32_t id, nng_msg *msg,
    char *peer, size_t len)
{
	struct pipe_ent *e = pipe_get(ep, id);

	if (e == NULL) {
		peer_addr(msg, peer, len); /* out of memory: ask */
		return (peer_is_local(ep, msg));
	}
	if (!e->checked) {
		e->local   = peer_is_local(ep, msg);
		peer_addr(msg, e->peer, sizeof(e->peer));
		e->checked = true;
	}
	snprintf(peer, len, "%s", e->peer);
	return (e->local);
}

static uint64_t
stat_u64(nng_stat *scope, const char *name, bool *ok)
{
	nng_stat *st = nng_stat_find(scope, name);
	if (st == NULL) {
		*ok = false;
		return (0);
	}
	return (nng_stat_value(st));
}

/*
 * Reads how many replies nng has written on each of our pipes.  A pipe
 * that has brought us requests but shows none received keeps no counts.
 */
static int
pipes_refresh(struct ipc_endpoint *ep)
{
	nng_stat *all;
	uint64_t  sid = (uint64_t) nng_socket_id(ep->rep);

	ep->stats_ns = uv_hrtime();
	if (ep->no_stats) {
		return (-1);
	}
	if (nng_stats_get(&all) != 0) {
		log_warn("nng keeps no statistics: replies go out unchecked");
		ep->no_stats = true;
		return (-1);
	}
	for (size_t i = 0; i < ep->pipes_cap; i++) {
		ep->pipes[i].seen = false;
	}
	for (nng_stat *p = nng_stat_child(all); p != NULL;
	     p = nng_stat_next(p)) {
		bool             ok = true;
		uint64_t         id, rx, tx;
		struct pipe_ent *e;

		if (strcmp(nng_stat_name(p), "pipe") != 0 ||
		    stat_u64(p, "socket", &ok) != sid || !ok) {
			continue;
		}
		id = stat_u64(p, "id", &ok);
		rx = stat_u64(p, "rx_msgs", &ok);
		tx = stat_u64(p, "tx_msgs", &ok);
		if ((e = pipe_lookup(ep, (uint32_t) id)) == NULL) {
			continue;
		}
		e->seen = true;
		if (!ok || rx == 0) {
			e->uncounted = true;
		} else {
			e->written = tx;
			if (e->handed < tx) {
				e->handed = tx; /* only we send: a guard */
			}
		}
	}
	nng_stats_free(all);
	return (0);
}

/* May the pipe be handed one more reply without risking a drop? */
static bool
pipe_room(struct ipc_endpoint *ep, uint32_t id)
{
	struct pipe_ent *e = pipe_lookup(ep, id);

	if (e == NULL || e->uncounted || ep->no_stats ||
	    e->handed - e->written < PIPE_QUEUE) {
		return (true);
	}
	if (uv_hrtime() - ep->stats_ns < STATS_EVERY_NS ||
	    pipes_refresh(ep) != 0) {
		return (ep->no_stats);
	}
	/* The refresh moves no entry: e is still good.  A pipe gone from
	 * the statistics may be closed: nng drops its replies, let them go. */
	if (e->uncounted || e->handed - e->written < PIPE_QUEUE ||
	    (!e->seen && !pipe_alive(id))) {
		return (true);
	}
	/* Full: the clock of its stuckness starts, or starts again if nng
	 * has written some of its replies since. */
	if (e->stuck_ms == 0 || e->stuck_written != e->written) {
		e->stuck_ms      = uv_now(ep->retry.loop);
		e->stuck_written = e->written;
	}
	return (false);
}

static void recv_ready(uv_poll_t *h, int status, int events);

static void
recv_start(struct ipc_endpoint *ep)
{
	if (!ep->recving && !ep->closing) {
		ep->recving = true;
		uv_poll_start(&ep->recv_poll, UV_READABLE, recv_ready);
	}
}

static void
recv_stop(struct ipc_endpoint *ep)
{
	if (ep->recving) {
		ep->recving = false;
		uv_poll_stop(&ep->recv_poll);
	}
}

/* The slot's request is answered (or given up): it may take another. */
static void
slot_release(struct ipc_endpoint *ep, struct ipc_slot *s)
{
	s->msg   = NULL;
	s->link  = ep->free;
	ep->free = s;
	recv_start(ep);
}

enum send_result { SENT, PIPE_FULL, SOCKET_FULL };

/*
 * Hands the slot's reply to nng and releases the slot (on a hard error
 * the reply is dropped), or leaves it in the slot if nng has no room.
 */
static enum send_result
send_slot(struct ipc_endpoint *ep, struct ipc_slot *s)
{
	struct pipe_ent *e;
	int              rv;

	if (!pipe_room(ep, s->pipe)) {
		return (PIPE_FULL);
	}
	if ((rv = rep_send(ep, s->msg)) == NNG_EAGAIN) {
		return (SOCKET_FULL);
	}
	if (rv == 0) {
		if ((e = pipe_get(ep, s->pipe)) != NULL) {
			e->handed++;
			e->stuck_ms = 0;
		}
	} else {
		nng_msg_free(s->msg);
		if (ep->dropped++ == 0) {
			log_warn("cannot send a reply: %s", nng_strerror(rv));
		}
	}
	slot_release(ep, s);
	return (SENT);
}

/* Sends what it can of the unsent list. */
static void
send_unsent(struct ipc_endpoint *ep)
{
	struct ipc_slot **pp = &ep->unsent, *s;

	ep->unsent_tail = NULL;
	while ((s = *pp) != NULL) {
		struct ipc_slot *next = s->link;
		uint32_t         pipe = s->pipe;

		enum send_result r = send_slot(ep, s);
		struct pipe_ent *e;

		if (r == SOCKET_FULL) {
			break; /* nothing more fits for now */
		}
		if (r == PIPE_FULL) {
			pp = &s->link; /* others may still go */
			continue;
		}
		*pp = next;
		if ((e = pipe_lookup(ep, pipe)) != NULL && e->waiting > 0) {
			e->waiting--;
		}
	}
	/* Find the tail again (the list is at most nslots long). */
	for (pp = &ep->unsent; *pp != NULL; pp = &(*pp)->link) {
	}
	ep->unsent_tail = pp;
}

/*
 * Closes the pipes stuck for STUCK_MS (a peer that sends and never reads)
 * and lets go of their replies, when every slot is taken: their slots
 * serve the other clients again.
 */
static void
close_stuck(struct ipc_endpoint *ep)
{
	uint64_t          now = uv_now(ep->retry.loop);
	struct ipc_slot **pp  = &ep->unsent, *s;

	if (ep->free != NULL) {
		return; /* nobody waits for a slot: a slow reader may be slow */
	}
	while ((s = *pp) != NULL) {
		struct pipe_ent *e = pipe_lookup(ep, s->pipe);
		if (e == NULL || e->stuck_ms == 0 ||
		    now - e->stuck_ms < STUCK_MS) {
			pp = &s->link;
			continue;
		}
		if (e->waiting > 0) {
			nng_pipe p = NNG_PIPE_INITIALIZER;
			p.id       = s->pipe;
			log_warn("closing a connection from %s: it has not read "
			         "its replies for %d ms (%u waiting)",
			    e->peer[0] ? e->peer : "?", STUCK_MS, e->waiting);
			nng_pipe_close(p);
			e->waiting = 0;
		}
		*pp = s->link;
		nng_msg_free(s->msg);
		ep->dropped++;
		slot_release(ep, s);
	}
	ep->unsent_tail = pp;
}

/* Loop thread: a try at the replies still waiting for room. */
static void
retry_cb(uv_timer_t *h)
{
	struct ipc_endpoint *ep = h->data;

	send_unsent(ep);
	close_stuck(ep);
	if (ep->unsent == NULL) {
		uv_timer_stop(&ep->retry);
	}
}

/* Loop thread: takes what nng has received and hands it over as a batch. */
static void
recv_ready(uv_poll_t *h, int status, int events)
{
	struct ipc_endpoint *ep   = h->data;
	struct ipc_req      *head = NULL, **tail = &head;
	int                  rv;

	(void) events;
	if (status < 0) {
		log_error("cannot wait for requests: %s", uv_strerror(status));
		recv_stop(ep);
		return;
	}
	if (ep->unsent != NULL) {
		/* Answers first: nng may have written some since. */
		ep->stats_ns = 0;
		send_unsent(ep);
	}
	while (ep->free != NULL) {
		struct ipc_slot *s = ep->free;
		nng_msg         *m;

		if ((rv = rep_recv(ep, &m)) != 0) {
			if (rv != NNG_EAGAIN && rv != NNG_ECLOSED) {
				log_warn("cannot receive a request: %s",
				    nng_strerror(rv));
			}
			break;
		}
		ep->free     = s->link;
		s->msg       = m;
		s->pipe      = (uint32_t) nng_pipe_id(nng_msg_get_pipe(m));
		s->req.body  = nng_msg_body(m);
		s->req.len   = nng_msg_len(m);
		s->req.local = pipe_is_local(ep, s->pipe, m, s->req.peer,
		    sizeof(s->req.peer));
		s->req.next  = NULL;
		*tail        = &s->req;
		tail         = &s->req.next;
	}
	if (ep->free == NULL) {
		/* Every slot is in use: the rest waits in nng. */
		recv_stop(ep);
	}
	if (head != NULL) {
		ep->batch(ep->arg, head);
	}
}

void
ipc_reply(struct ipc_req *req, const char *buf, size_t len)
{
	struct ipc_slot     *s  = (struct ipc_slot *) req;
	struct ipc_endpoint *ep = s->ep;
	struct pipe_ent     *e;

	/* Reuse the request's message: the header routes the reply. */
	nng_msg_clear(s->msg);
	if (nng_msg_append(s->msg, buf, len) != 0) {
		nng_msg_free(s->msg);
		if (ep->dropped++ == 0) {
			log_warn("out of memory for a reply");
		}
		slot_release(ep, s);
		return;
	}
	/* Straight out, unless its pipe has replies waiting before it. */
	e = pipe_lookup(ep, s->pipe);
	if ((e == NULL || e->waiting == 0) && send_slot(ep, s) == SENT) {
		return;
	}
	ep->waited++;
	s->link          = NULL;
	*ep->unsent_tail = s;
	ep->unsent_tail  = &s->link;
	if ((e = pipe_get(ep, s->pipe)) != NULL) {
		e->waiting++;
	}
	if (!uv_is_active((uv_handle_t *) &ep->retry) && !ep->closing) {
		uv_timer_start(&ep->retry, retry_cb, RETRY_MS, RETRY_MS);
	}
}

const char *
ipc_endpoint_page(const struct ipc_endpoint *ep)
{
	return (ep->http != NULL ? ipc_http_page(ep->http) : NULL);
}

void
ipc_endpoint_reload_web(struct ipc_endpoint *ep)
{
	char err[512];

	if (ep->http != NULL && ipc_http_reload(ep->http, err, sizeof(err)) !=
	    0) {
		log_error("web: %s; the files read before are still served",
		    err);
	}
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
	    nng_msg_append(m, json, len) != 0) {
		nng_msg_free(m);
		return;
	}
	/* nng_sendmsg(NNG_FLAG_NONBLOCK) on our aio: pub0 never waits. */
	nng_aio_set_msg(ep->paio, m);
	nng_send_aio(ep->pub, ep->paio);
	nng_aio_wait(ep->paio);
	if (nng_aio_result(ep->paio) != 0) {
		nng_aio_set_msg(ep->paio, NULL);
		nng_msg_free(m);
	}
}

static void
ep_free(struct ipc_endpoint *ep)
{
	/* The socket is closed: nothing uses the aios any more. */
	if (ep->raio != NULL) {
		nng_aio_free(ep->raio);
	}
	if (ep->saio != NULL) {
		nng_aio_free(ep->saio);
	}
	if (ep->paio != NULL) {
		nng_aio_free(ep->paio);
	}
	if (ep->tls != NULL) {
		nng_tls_config_free(ep->tls);
	}
	free(ep->pipes);
	free(ep->slots);
	free(ep);
}

static void
handle_closed(uv_handle_t *h)
{
	struct ipc_endpoint *ep = h->data;
	if (--ep->handles == 0) {
		ep_free(ep);
	}
}

/*
 * Listens on url.  Secure transports (tls+tcp://, wss://) need the TLS
 * configuration before the listener starts, unless shared: the address is
 * --http's, whose HTTP server (and TLS) the listener shares.
 */
static int
listen_url(nng_socket s, const char *url, nng_tls_config *tls, bool shared)
{
	nng_listener l;
	int          rv;
	bool secure = strncmp(url, "tls+", 4) == 0 || strncmp(url, "wss", 3) == 0;

	if ((rv = nng_listener_create(&l, s, url)) != 0) {
		return (rv);
	}
	if (secure && !shared) {
		if (tls == NULL) {
			nng_listener_close(l);
			return (NNG_ENOENT);
		}
		if ((rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, tls)) !=
		    0) {
			nng_listener_close(l);
			return (rv);
		}
	}
	return (nng_listener_start(l, 0));
}

/* Listens on every address of urls, naming in err the one that fails. */
static int
listen_all(struct ipc_endpoint *ep, nng_socket s, const char *const *urls,
    bool shared, const char *what, char *err, size_t errlen)
{
	int rv;

	for (const char *const *u = urls; *u != NULL; u++) {
		if ((rv = listen_url(s, *u, ep->tls, shared)) != 0) {
			snprintf(err, errlen, "cannot %s %s: %s%s", what, *u,
			    nng_strerror(rv),
			    rv == NNG_ENOENT ? " (secure addresses need "
			                       "--tls-cert FILE)"
			                     : "");
			return (rv);
		}
	}
	return (0);
}

int
ipc_endpoint_open(struct ipc_endpoint **out, uv_loop_t *loop,
    const struct ipc_config *cfg, char *err, size_t errlen)
{
	struct ipc_endpoint *ep;
	int                  rv, fd;
	int bufs = cfg->contexts < BUF_MIN ? BUF_MIN
	    : cfg->contexts > BUF_MAX      ? BUF_MAX
	                                   : cfg->contexts;

	if ((ep = calloc(1, sizeof(*ep))) == NULL ||
	    (ep->slots = calloc((size_t) cfg->contexts, sizeof(*ep->slots))) ==
	        NULL) {
		free(ep);
		snprintf(err, errlen, "out of memory");
		return (SK_EINTERNAL);
	}
	ep->nslots      = cfg->contexts;
	ep->batch       = cfg->batch;
	ep->arg         = cfg->arg;
	ep->unsent_tail = &ep->unsent;
	ep->euid        = (uint64_t) geteuid();
	ep->admin_group = cfg->admin_group;
	ep->admin_gid   = (uint64_t) cfg->admin_gid;
	for (int i = ep->nslots - 1; i >= 0; i--) {
		ep->slots[i].ep   = ep;
		ep->slots[i].link = ep->free;
		ep->free          = &ep->slots[i];
	}
	uv_timer_init(loop, &ep->retry);
	ep->retry.data = ep;
	ep->handles++;

	if ((rv = nng_aio_alloc(&ep->raio, NULL, NULL)) != 0 ||
	    (rv = nng_aio_alloc(&ep->saio, NULL, NULL)) != 0 ||
	    (rv = nng_aio_alloc(&ep->paio, NULL, NULL)) != 0 ||
	    (rv = nng_rep0_open_raw(&ep->rep)) != 0 ||
	    (rv = nng_pub0_open(&ep->pub)) != 0 ||
	    (rv = nng_socket_set_size(ep->rep, NNG_OPT_RECVMAXSZ, RECV_MAX)) !=
	        0 ||
	    (rv = nng_socket_set_int(ep->rep, NNG_OPT_RECVBUF, bufs)) != 0 ||
	    (rv = nng_socket_set_int(ep->rep, NNG_OPT_SENDBUF, bufs)) != 0 ||
	    (rv = nng_socket_get_int(ep->rep, NNG_OPT_RECVFD, &fd)) != 0) {
		snprintf(err, errlen, "cannot open sockets: %s",
		    nng_strerror(rv));
		goto fail;
	}
	/* With a zero timeout an operation fails at once (NNG_ETIMEDOUT)
	 * rather than wait; with no callback it completes on this thread. */
	nng_aio_set_timeout(ep->raio, NNG_DURATION_ZERO);
	nng_aio_set_timeout(ep->saio, NNG_DURATION_ZERO);
	nng_aio_set_timeout(ep->paio, NNG_DURATION_ZERO);
	if ((rv = uv_poll_init(loop, &ep->recv_poll, fd)) != 0) {
		snprintf(err, errlen, "cannot watch the request socket: %s",
		    uv_strerror(rv));
		rv = NNG_EINTERNAL;
		goto fail;
	}
	ep->recv_poll.data = ep;
	ep->handles++;
	if (cfg->tls_cert_key != NULL &&
	    (rv = ipc_tls_config(&ep->tls, cfg->tls_cert_key, cfg->tls_key, err,
	         errlen)) != 0) {
		goto fail;
	}
	if (cfg->http_url != NULL) {
		struct ipc_http_config hc = { .url = cfg->http_url,
			.web_dir = cfg->web_dir,
			.tls_cert = cfg->tls_cert_key,
			.tls_key  = cfg->tls_key };
		char        api[600], events[600];
		const char *a[] = { api, NULL }, *e[] = { events, NULL };

		if ((rv = ipc_http_open(&ep->http, &hc, api, events,
		         sizeof(api), err, errlen)) != 0 ||
		    (rv = listen_all(ep, ep->rep, a, true, "listen on", err,
		         errlen)) != 0 ||
		    (rv = listen_all(ep, ep->pub, e, true, "publish events on",
		         err, errlen)) != 0) {
			goto fail;
		}
	}
	if ((rv = listen_all(ep, ep->rep, cfg->listen, false, "listen on", err,
	         errlen)) != 0 ||
	    (rv = listen_all(ep, ep->pub, cfg->events, false,
	         "publish events on", err, errlen)) != 0) {
		goto fail;
	}
	recv_start(ep);
	*out = ep;
	return (0);
fail:
	ep->closing = true;
	/* The poll handle stops watching before nng closes its descriptor;
	 * the endpoint is freed when the loop has closed the handles. */
	if (ep->handles > 1) {
		uv_close((uv_handle_t *) &ep->recv_poll, handle_closed);
	}
	uv_close((uv_handle_t *) &ep->retry, handle_closed);
	nng_close(ep->rep);
	nng_close(ep->pub);
	ipc_http_close(ep->http);
	ep->http = NULL;
	return (ipc_err(rv) == SK_OK ? SK_EINTERNAL : ipc_err(rv));
}

/*
 * Has nng written every reply it was handed, on each pipe still open?
 * Returns 1 yes, 0 not yet, -1 if it cannot tell (no statistics, or a
 * transport that keeps none).
 */
static int
replies_written(struct ipc_endpoint *ep)
{
	int done = 1;

	if (pipes_refresh(ep) != 0) {
		return (-1);
	}
	for (size_t i = 0; i < ep->pipes_cap; i++) {
		struct pipe_ent *e = &ep->pipes[i];
		if (e->id == 0 || !e->seen) {
			continue; /* closed: nothing more will reach it */
		}
		if (e->uncounted) {
			done = done == 1 ? -1 : done;
		} else if (e->written < e->handed) {
			done = 0;
		}
	}
	return (done);
}

/* The watchdog of nng_close (NNG_CLOSE_MAX_S). */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t  cv;
	bool            done;
} close_dog = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false };

static void *
close_dog_run(void *arg)
{
	struct timespec until;
	bool            done;

	(void) arg;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += NNG_CLOSE_MAX_S;
	pthread_mutex_lock(&close_dog.mu);
	while (!close_dog.done &&
	    pthread_cond_timedwait(&close_dog.cv, &close_dog.mu, &until) == 0) {
	}
	done = close_dog.done;
	pthread_mutex_unlock(&close_dog.mu);
	if (!done) {
		log_error("nng has not closed the request socket after %d s "
		          "(a peer that never reads); exiting without it: "
		          "every reply sent was committed first",
		    NNG_CLOSE_MAX_S);
		_exit(0);
	}
	return (NULL);
}

/* nng_close(s), but the process exits if it takes past NNG_CLOSE_MAX_S. */
static void
close_guarded(nng_socket s)
{
	pthread_t t;
	bool      dog;

	close_dog.done = false;
	dog = pthread_create(&t, NULL, close_dog_run, NULL) == 0;
	nng_close(s);
	if (dog) {
		pthread_mutex_lock(&close_dog.mu);
		close_dog.done = true;
		pthread_cond_signal(&close_dog.cv);
		pthread_mutex_unlock(&close_dog.mu);
		pthread_join(t, NULL);
	}
}

void
ipc_endpoint_close(struct ipc_endpoint *ep)
{
	int done = 0;

	ep->closing = true;
	recv_stop(ep);
	uv_timer_stop(&ep->retry);
	/* Let the replies already handed over reach their peers. */
	for (int ms = 0; ms < CLOSE_WAIT_MS; ms++) {
		ep->stats_ns = 0; /* read them afresh */
		send_unsent(ep);
		if (ep->unsent == NULL && (done = replies_written(ep)) != 0) {
			break;
		}
		usleep(1000);
	}
	if (done < 0) {
		/* Nothing to tell: give the last replies a moment. */
		usleep(20 * 1000);
	} else if (done == 0) {
		log_warn("closing after %d ms with replies not yet written",
		    CLOSE_WAIT_MS);
	}
	if (ep->waited > 0) {
		log_info("%llu replies waited for room in nng", ep->waited);
	}
	if (ep->dropped > 0) {
		log_warn("%llu replies could not be handed to nng",
		    ep->dropped);
	}
	uv_close((uv_handle_t *) &ep->recv_poll, handle_closed);
	uv_close((uv_handle_t *) &ep->retry, handle_closed);
	close_guarded(ep->rep);
	nng_close(ep->pub);
	/* The sockets' WebSocket listeners have let go of the HTTP server. */
	ipc_http_close(ep->http);
	ep->http = NULL;
	/* Requests never answered, and replies that never found room. */
	for (int i = 0; i < ep->nslots; i++) {
		if (ep->slots[i].msg != NULL) {
			nng_msg_free(ep->slots[i].msg);
			ep->slots[i].msg = NULL;
		}
	}
}
