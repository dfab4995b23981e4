/*
 * proto.c: strict decoding of requests and encoding of replies, as
 * PROTOCOL.md describes them.  Every check that a client can fail names the
 * field it failed on, because "bad request" alone teaches nobody anything.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "ipc/proto.h"

int
proto_fail(struct proto_err *e, int code, const char *fmt, ...)
{
	if (e->code != 0) {
		return (code);
	}
	va_list ap;
	char    raw[sizeof(e->msg)];
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* A message may quote what a client or a rubric wrote, and may be
	 * cut inside a character: the reply must still be UTF-8. */
	(void) util_utf8_clean(e->msg, sizeof(e->msg), raw, strlen(raw));
	return (code);
}

void
proto_err_clear(struct proto_err *e)
{
	if (e->details != NULL) {
		json_object_put(e->details);
	}
	memset(e, 0, sizeof(*e));
}

json_object *
proto_json_parse(const char *buf, size_t len, struct proto_err *e)
{
	char         msg[256];
	int          code;
	json_object *obj = util_json_parse(buf, len, &code, msg, sizeof(msg));

	if (obj == NULL) {
		proto_fail(e, code, "%s", msg);
	}
	return (obj);
}

static const char *const envelope_keys[] = { "op", "args", "token",
	"request_id", NULL };

int
proto_decode(const char *buf, size_t len, struct proto_req *req,
    struct proto_err *e)
{
	json_object *root, *v;

	memset(req, 0, sizeof(*req));
	if (len > PROTO_MAX_REQUEST) {
		return (proto_fail(e, SK_ETOOLARGE,
		    "the request is %zu bytes; at most %u are accepted", len,
		    PROTO_MAX_REQUEST));
	}
	if ((root = proto_json_parse(buf, len, e)) == NULL) {
		return (e->code);
	}
	/* A client's request, unlike our own stored documents, must also
	 * pass the stricter rules: {"token":"sk_…","token":null} must not
	 * read as a request without a token (local-admin over ipc://). */
	{
		char msg[256];
		int  code;
		if (util_json_strict(buf, len, root, &code, msg, sizeof(msg)) !=
		    0) {
			json_object_put(root);
			return (proto_fail(e, code, "%s", msg));
		}
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return (proto_fail(e, SK_EBADREQ,
		    "the request must be a JSON object with \"op\""));
	}
	json_object_object_foreach(root, key, val)
	{
		bool known = false;
		(void) val;
		for (const char *const *k = envelope_keys; *k; k++) {
			known = known || strcmp(*k, key) == 0;
		}
		if (!known) {
			proto_fail(e, SK_EBADREQ,
			    "unknown field \"%s\" in the request; the fields "
			    "are op, args, token, request_id",
			    key);
			json_object_put(root);
			return (e->code);
		}
	}
	if (!json_object_object_get_ex(root, "op", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		json_object_put(root);
		return (proto_fail(e, SK_EBADREQ,
		    "\"op\" is required and must be a string"));
	}
	req->op = json_object_get_string(v);
	if (json_object_object_get_ex(root, "args", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_object)) {
			json_object_put(root);
			return (proto_fail(e, SK_EBADREQ,
			    "\"args\" must be an object"));
		}
		req->args = v;
	} else {
		req->args = json_object_new_object();
		json_object_object_add(root, "args", req->args);
	}
	if (json_object_object_get_ex(root, "token", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string)) {
			json_object_put(root);
			return (proto_fail(e, SK_EBADREQ,
			    "\"token\" must be a string"));
		}
		req->token = json_object_get_string(v);
	}
	if (json_object_object_get_ex(root, "request_id", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) == 0 ||
		    json_object_get_string_len(v) > PROTO_MAX_RID) {
			json_object_put(root);
			return (proto_fail(e, SK_EBADREQ,
			    "\"request_id\" must be a string of 1 to %d bytes",
			    PROTO_MAX_RID));
		}
		req->request_id = json_object_get_string(v);
	}
	req->root = root;
	return (0);
}

char *
proto_reply_ok(json_object *result, size_t *len)
{
	const char *text = "null";
	size_t      tlen = 4;

	if (result != NULL) {
		text = util_json_text(result, &tlen);
	}
	return (text != NULL ? proto_reply_ok_text(text, tlen, len) : NULL);
}

char *
proto_reply_ok_text(const char *text, size_t tlen, size_t *len)
{
	static const char head[] = "{\"ok\":true,\"result\":";
	char             *out;

	if ((out = malloc(sizeof(head) + tlen + 1)) == NULL) {
		return (NULL);
	}
	memcpy(out, head, sizeof(head) - 1);
	memcpy(out + sizeof(head) - 1, text, tlen);
	*len      = sizeof(head) - 1 + tlen;
	out[*len] = '}';
	out[++*len] = '\0';
	return (out);
}

char *
proto_reply_err(const struct proto_err *pe, size_t *len)
{
	json_object *r   = json_object_new_object();
	json_object *err = json_object_new_object();
	const char  *text;
	size_t       tlen;
	char        *out;

	json_object_object_add(r, "ok", json_object_new_boolean(0));
	json_object_object_add(
	    err, "code", json_object_new_string(sk_err_code(pe->code)));
	json_object_object_add(err, "message",
	    json_object_new_string(pe->msg[0] ? pe->msg : sk_err_code(pe->code)));
	if (pe->details != NULL) {
		json_object_object_add(
		    err, "details", json_object_get(pe->details));
	}
	json_object_object_add(r, "error", err);
	text = util_json_text(r, &tlen);
	if ((out = malloc(tlen + 1)) != NULL) {
		memcpy(out, text, tlen + 1);
		*len = tlen;
	}
	json_object_put(r);
	return (out);
}

int
proto_check_keys(json_object *args, const char *const *allowed,
    struct proto_err *e)
{
	json_object_object_foreach(args, key, val)
	{
		bool known = false;
		(void) val;
		for (const char *const *k = allowed; *k != NULL; k++) {
			if (strcmp(*k, key) == 0) {
				known = true;
				break;
			}
		}
		if (!known) {
			char   list[256] = "";
			size_t n         = 0;
			for (const char *const *k = allowed; *k != NULL; k++) {
				n += (size_t) snprintf(list + n,
				    n < sizeof(list) ? sizeof(list) - n : 0,
				    "%s%s", n ? ", " : "", *k);
			}
			return (proto_fail(e, SK_EBADREQ,
			    "unknown argument \"%s\"; this op takes: %s", key,
			    allowed[0] ? list : "no arguments"));
		}
	}
	return (0);
}

static json_object *
arg_lookup(json_object *args, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(args, key, &v) ||
	    json_object_is_type(v, json_type_null)) {
		return (NULL);
	}
	return (v);
}

int
arg_str(json_object *args, const char *key, bool required, size_t maxchars,
    const char **out, struct proto_err *e)
{
	json_object *v = arg_lookup(args, key);
	if (v == NULL) {
		return (required ? proto_fail(e, SK_EBADREQ,
		                       "\"%s\" is required", key)
		                 : 0);
	}
	if (!json_object_is_type(v, json_type_string)) {
		return (proto_fail(e, SK_EBADREQ, "\"%s\" must be a string", key));
	}
	const char *s   = json_object_get_string(v);
	size_t      len = (size_t) json_object_get_string_len(v);
	if (memchr(s, '\0', len) != NULL) {
		return (proto_fail(e, SK_EBADREQ,
		    "\"%s\" must not contain a NUL character", key));
	}
	long n = util_utf8_chars(s, len);
	if (n < 0) {
		return (proto_fail(e, SK_EBADREQ, "\"%s\" is not valid UTF-8", key));
	}
	if (maxchars > 0 && (size_t) n > maxchars) {
		return (proto_fail(e, SK_ETOOLARGE,
		    "\"%s\" has %ld characters; at most %zu are allowed", key, n,
		    maxchars));
	}
	*out = s;
	return (0);
}

/* Is the UTF-8 character at s (n bytes) white space or invisible? */
static size_t
blank_char(const unsigned char *s, size_t n)
{
	static const char *const blanks[] = { "\u00a0", "\u1680", "\u2000",
		"\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
		"\u2007", "\u2008", "\u2009", "\u200a", "\u200b", "\u2028",
		"\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", NULL };

	if (n > 0 && isspace(s[0])) {
		return (1);
	}
	for (const char *const *b = blanks; *b != NULL; b++) {
		size_t l = strlen(*b);
		if (l <= n && memcmp(s, *b, l) == 0) {
			return (l);
		}
	}
	return (0);
}

int
arg_name(json_object *args, const char *key, bool required,
    size_t maxchars, const char **out, struct proto_err *e)
{
	const char *s = NULL;
	size_t      i = 0, n, k;
	int         rv;

	if ((rv = arg_str(args, key, required, maxchars, &s, e)) != 0 ||
	    s == NULL) {
		return (rv);
	}
	n = strlen(s);
	while (i < n && (k = blank_char((const unsigned char *) s + i,
	                     n - i)) > 0) {
		i += k;
	}
	if (i == n) {
		return (proto_fail(e, SK_EBADREQ,
		    "\"%s\" is %s; give a name people can read", key,
		    n == 0 ? "empty" : "only white space"));
	}
	*out = s;
	return (0);
}

int
arg_id(json_object *args, const char *key, bool required, const char **out,
    struct proto_err *e)
{
	const char *s = NULL;
	int         rv;
	if ((rv = arg_str(args, key, required, 0, &s, e)) != 0 || s == NULL) {
		return (rv);
	}
	if (!util_id_valid(s)) {
		return (proto_fail(e, SK_EBADREQ,
		    "\"%s\" must be an id: 1 to 64 of a-z, 0-9, '.', '_', '-', "
		    "starting with a letter or digit",
		    key));
	}
	*out = s;
	return (0);
}

int
arg_u64(json_object *args, const char *key, bool required, uint64_t min,
    uint64_t max, uint64_t *out, struct proto_err *e)
{
	json_object *v = arg_lookup(args, key);
	if (v == NULL) {
		return (required ? proto_fail(e, SK_EBADREQ,
		                       "\"%s\" is required", key)
		                 : 0);
	}
	if (!json_object_is_type(v, json_type_int)) {
		return (proto_fail(e, SK_EBADREQ, "\"%s\" must be an integer",
		    key));
	}
	int64_t i = json_object_get_int64(v);
	/* json-c clamps out-of-range integers; treat those as too large. */
	if (i < 0 || (uint64_t) i < min || (uint64_t) i > max ||
	    i == INT64_MAX) {
		return (proto_fail(e, SK_EBADREQ,
		    "\"%s\" must be between %llu and %llu", key,
		    (unsigned long long) min, (unsigned long long) max));
	}
	*out = (uint64_t) i;
	return (0);
}

int
arg_bool(json_object *args, const char *key, bool *out, struct proto_err *e)
{
	json_object *v = arg_lookup(args, key);
	if (v == NULL) {
		return (0);
	}
	if (!json_object_is_type(v, json_type_boolean)) {
		return (proto_fail(e, SK_EBADREQ, "\"%s\" must be true or false",
		    key));
	}
	*out = json_object_get_boolean(v);
	return (0);
}

int
arg_obj(json_object *args, const char *key, bool required, json_object **out,
    struct proto_err *e)
{
	json_object *v = arg_lookup(args, key);
	if (v == NULL) {
		return (required ? proto_fail(e, SK_EBADREQ,
		                       "\"%s\" is required", key)
		                 : 0);
	}
	if (!json_object_is_type(v, json_type_object)) {
		return (proto_fail(e, SK_EBADREQ, "\"%s\" must be an object", key));
	}
	*out = v;
	return (0);
}

int
arg_array(json_object *args, const char *key, bool required,
    json_object **out, struct proto_err *e)
{
	json_object *v = arg_lookup(args, key);
	if (v == NULL) {
		return (required ? proto_fail(e, SK_EBADREQ,
		                       "\"%s\" is required", key)
		                 : 0);
	}
	if (!json_object_is_type(v, json_type_array)) {
		return (proto_fail(e, SK_EBADREQ, "\"%s\" must be an array", key));
	}
	*out = v;
	return (0);
}
