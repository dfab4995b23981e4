/*
 * client.h: a small blocking client of the sangkien protocol (PROTOCOL.md),
 * used by the sangkien CLI and by the tests.  It is a plain nng req0 client:
 * nothing here is private to the server.
 *
 * Ownership: a reply returned by sk_client_call belongs to the caller, who
 * releases it with json_object_put.  Arguments passed in stay the caller's.
 */
#ifndef SK_CLIENT_H
#define SK_CLIENT_H

#include <stddef.h>

#include <json-c/json.h>

struct sk_client;

/*
 * Dials url (ipc://, tcp://, ...).  token may be NULL (local-admin over
 * ipc:// from the server's own user).  timeout_ms bounds each call.
 * Returns 0, or -1 with a message for people in err.
 */
int sk_client_open(struct sk_client **out, const char *url, const char *token,
    int timeout_ms, char *err, size_t errlen);

/*
 * Sends {"op": op, "args": args, "token": ..., "request_id": request_id}
 * (args and request_id may be NULL) and waits for the reply.  Returns 0 and
 * the whole reply object ({"ok": ..., ...}) in *reply, or -1 with a message
 * in err when the transport failed or the reply was not JSON.
 */
int sk_client_call(struct sk_client *c, const char *op, json_object *args,
    const char *request_id, json_object **reply, char *err, size_t errlen);

/* Sends raw bytes as the request and returns the raw reply text (malloc'd). */
int sk_client_call_raw(struct sk_client *c, const char *req, size_t len,
    char **reply, size_t *replylen, char *err, size_t errlen);

void sk_client_close(struct sk_client *c);

#endif
