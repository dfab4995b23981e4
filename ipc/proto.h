/*
 * proto.h: the wire format of PROTOCOL.md, shared by the server, the CLI and
 * the tests: the request envelope, replies, and typed access to request
 * arguments that names the field when it is wrong.  JSON itself (strict
 * parsing, printing, ids) is core/util/json.h's, which this includes.
 *
 * Ownership: objects returned by proto_* belong to the caller
 * (json_object_put); strings returned by proto_reply_* are malloc'd.
 */
#ifndef SK_PROTO_H
#define SK_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/util/json.h"

#define PROTO_MAX_REQUEST (1u << 20) /* 1 MiB */
#define PROTO_MAX_RID 64             /* bytes of a request_id */
#define PROTO_MAX_ID UTIL_MAX_ID     /* bytes of a unit/user/... id */

/* An error on its way to a reply: the code, a message for people, details. */
struct proto_err {
	int          code;
	char         msg[512];
	json_object *details; /* owned; NULL if none */
};

/* Records an error in e (if e has none yet) and returns code. */
int proto_fail(struct proto_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void proto_err_clear(struct proto_err *e);

/*
 * util_json_parse (core/util/json.h) for a message: NULL with e filled
 * (bad_request, naming what is wrong) if buf is not exactly one JSON value.
 */
json_object *proto_json_parse(const char *buf, size_t len,
    struct proto_err *e);

/* A decoded request envelope; pointers borrow from root. */
struct proto_req {
	json_object *root;
	const char  *op;
	json_object *args; /* never NULL after a successful decode */
	const char  *token;
	const char  *request_id;
};

/*
 * Decodes one request.  On success, req->root is owned by the caller.  On
 * failure returns bad_request or too_large with e filled, and owns nothing.
 */
int proto_decode(const char *buf, size_t len, struct proto_req *req,
    struct proto_err *e);

/* Serializes a reply; the result is malloc'd and NUL-terminated. */
char *proto_reply_ok(json_object *result, size_t *len);
/* The same around a result already serialized (text, tlen: valid JSON). */
char *proto_reply_ok_text(const char *text, size_t tlen, size_t *len);
char *proto_reply_err(const struct proto_err *e, size_t *len);

/*
 * Argument access.  Each returns SK_OK (with *out set, or left untouched
 * when an optional key is absent) or fills e naming the key.  A present
 * JSON null counts as absent only where noted.
 */
int proto_check_keys(json_object *args, const char *const *allowed,
    struct proto_err *e);
int arg_str(json_object *args, const char *key, bool required,
    size_t maxchars, const char **out, struct proto_err *e);
/* arg_str for a name or title people read: not empty, not white space
 * only (Unicode spaces and invisible ones included). */
int arg_name(json_object *args, const char *key, bool required,
    size_t maxchars, const char **out, struct proto_err *e);
int arg_id(json_object *args, const char *key, bool required,
    const char **out, struct proto_err *e);
int arg_u64(json_object *args, const char *key, bool required, uint64_t min,
    uint64_t max, uint64_t *out, struct proto_err *e);
int arg_bool(json_object *args, const char *key, bool *out,
    struct proto_err *e);
int arg_obj(json_object *args, const char *key, bool required,
    json_object **out, struct proto_err *e);
int arg_array(json_object *args, const char *key, bool required,
    json_object **out, struct proto_err *e);

#endif
