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

#include "core/err.h"
#include "ipc/proto.h"

#define JSON_MAX_DEPTH 32

int
proto_fail(struct proto_err *e, int code, const char *fmt, ...)
{
	if (e->code != 0) {
		return (code);
	}
	va_list ap;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
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

long
proto_utf8_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	long                 n = 0;
	size_t               i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t        k;
		unsigned      cp;
		if (c < 0x80) {
			i++;
			n++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k  = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k  = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k  = 3;
			cp = c & 0x07;
		} else {
			return (-1);
		}
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= len || (p[i + j] & 0xc0) != 0x80) {
				return (-1);
			}
			cp = (cp << 6) | (p[i + j] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
		    (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			return (-1);
		}
		i += k + 1;
		n++;
	}
	return (n);
}

json_object *
proto_json_parse(const char *buf, size_t len, struct proto_err *e)
{
	static __thread json_tokener *tok;
	json_object                  *obj;

	if (memchr(buf, '\0', len) != NULL) {
		proto_fail(e, SK_EBADREQ, "the message contains a NUL byte");
		return (NULL);
	}
	if (proto_utf8_chars(buf, len) < 0) {
		proto_fail(e, SK_EBADREQ, "the message is not valid UTF-8");
		return (NULL);
	}
	/* One tokener per thread, reset for each message (a new one costs
	 * an allocation of its whole parse stack). */
	if (tok == NULL && (tok = json_tokener_new_ex(JSON_MAX_DEPTH)) == NULL) {
		proto_fail(e, SK_EINTERNAL, "out of memory");
		return (NULL);
	}
	json_tokener_reset(tok);
	json_tokener_set_flags(
	    tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int) len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t                  end  = json_tokener_get_parse_end(tok);
	if (obj == NULL && jerr == json_tokener_continue) {
		/* A number or literal that ends the message ("42", "true") is
		 * complete only once something follows it: say so. */
		obj  = json_tokener_parse_ex(tok, " ", 1);
		jerr = json_tokener_get_error(tok);
		end  = len;
	}
	if (obj == NULL || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue) {
			proto_fail(e, SK_EBADREQ,
			    "the message is not JSON: it ends too soon");
		} else if (jerr == json_tokener_success) {
			proto_fail(e, SK_EBADREQ,
			    "the message is JSON null, not an object");
		} else {
			proto_fail(e, SK_EBADREQ,
			    "the message is not JSON: %s at byte %zu",
			    json_tokener_error_desc(jerr), end);
		}
		json_object_put(obj);
		return (NULL);
	}
	/* Nothing but white space may follow the value. */
	for (size_t i = end; i < len; i++) {
		if (!isspace((unsigned char) buf[i])) {
			proto_fail(e, SK_EBADREQ,
			    "the message has bytes after its JSON value "
			    "(at byte %zu)",
			    i);
			json_object_put(obj);
			return (NULL);
		}
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

const char *
proto_json_text(json_object *obj, size_t *len)
{
	return (json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len));
}

char *
proto_reply_ok(json_object *result, size_t *len)
{
	const char *text = "null";
	size_t      tlen = 4;

	if (result != NULL) {
		text = proto_json_text(result, &tlen);
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
	text = proto_json_text(r, &tlen);
	if ((out = malloc(tlen + 1)) != NULL) {
		memcpy(out, text, tlen + 1);
		*len = tlen;
	}
	json_object_put(r);
	return (out);
}

bool
proto_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > PROTO_MAX_ID) {
		return (false);
	}
	if (!(islower((unsigned char) s[0]) || isdigit((unsigned char) s[0]))) {
		return (false);
	}
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char) s[i];
		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' ||
		        c == '-')) {
			return (false);
		}
	}
	return (true);
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
	long n = proto_utf8_chars(s, len);
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

int
arg_id(json_object *args, const char *key, bool required, const char **out,
    struct proto_err *e)
{
	const char *s = NULL;
	int         rv;
	if ((rv = arg_str(args, key, required, 0, &s, e)) != 0 || s == NULL) {
		return (rv);
	}
	if (!proto_id_valid(s)) {
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

void
proto_time_str(int64_t t, char *buf, size_t len)
{
	time_t    tt = (time_t) t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool
proto_date_valid(const char *s)
{
	int       y, m, d;
	char      tail;
	struct tm tm = { 0 };
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
		return (false);
	}
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char) s[i])) {
			return (false);
		}
	}
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) {
		return (false);
	}
	/* Round-trip through timegm to refuse 2026-02-30. */
	tm.tm_year = y - 1900;
	tm.tm_mon  = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	time_t t   = timegm(&tm);
	struct tm back;
	gmtime_r(&t, &back);
	return (back.tm_mday == d && back.tm_mon == m - 1);
}
