/*
 * test_proto.c: unit tests of the wire format (ipc/proto.c).
 *
 * A client sees proto.c through the replies to what it sends: which code a
 * bad request gets (bad_request or too_large), whether the message tells it
 * which field was wrong, and what a good request decodes to.  The tests are
 * tables of such inputs and the answers PROTOCOL.md promises for them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/err.h"
#include "ipc/proto.h"

/* A literal with its length, NUL bytes included. */
#define LIT(s) s, sizeof(s) - 1

struct bad_case {
	const char *what;
	const char *buf;
	size_t      len;
	int         code;
	const char *needle; /* the message must contain this */
};

static const struct bad_case bad_cases[] = {
	{ "empty message", LIT(""), SK_EBADREQ, "not JSON" },
	{ "white space only", LIT("  \n"), SK_EBADREQ, "not JSON" },
	{ "not JSON", LIT("op=server.status"), SK_EBADREQ, "not JSON" },
	{ "single quotes", LIT("{'op':'server.status'}"), SK_EBADREQ,
	    "not JSON" },
	{ "trailing comma", LIT("{\"op\":\"x\",}"), SK_EBADREQ, "not JSON" },
	{ "truncated", LIT("{\"op\":\"case.get\",\"args\":{\"id\":"),
	    SK_EBADREQ, "ends too soon" },
	{ "truncated string", LIT("{\"op\":\"case.g"), SK_EBADREQ,
	    "ends too soon" },
	{ "trailing garbage", LIT("{\"op\":\"x\"} x"), SK_EBADREQ,
	    "at byte 11" },
	{ "two objects", LIT("{\"op\":\"x\"}{\"op\":\"y\"}"), SK_EBADREQ,
	    "at byte 10" },
	{ "an array", LIT("[{\"op\":\"x\"}]"), SK_EBADREQ, "JSON object" },
	{ "a string", LIT("\"server.status\""), SK_EBADREQ, "JSON object" },
	{ "a number", LIT("42"), SK_EBADREQ, "JSON object" },
	{ "a negative number", LIT("-1.5"), SK_EBADREQ, "JSON object" },
	{ "a boolean", LIT("true"), SK_EBADREQ, "JSON object" },
	{ "null", LIT("null"), SK_EBADREQ, "null" },
	{ "lone continuation byte", LIT("{\"op\":\"\x80\"}"), SK_EBADREQ,
	    "UTF-8" },
	{ "overlong '/'", LIT("{\"op\":\"\xc0\xaf\"}"), SK_EBADREQ, "UTF-8" },
	{ "overlong 3-byte", LIT("{\"op\":\"\xe0\x80\xaf\"}"), SK_EBADREQ,
	    "UTF-8" },
	{ "surrogate U+D800", LIT("{\"op\":\"\xed\xa0\x80\"}"), SK_EBADREQ,
	    "UTF-8" },
	{ "byte 0xFF", LIT("{\"op\":\"\xff\"}"), SK_EBADREQ, "UTF-8" },
	{ "beyond U+10FFFF", LIT("{\"op\":\"\xf4\x90\x80\x80\"}"), SK_EBADREQ,
	    "UTF-8" },
	{ "cut sequence", LIT("{\"op\":\"x\",\"args\":{\"t\":\"\xe1\xba\"}}"),
	    SK_EBADREQ, "UTF-8" },
	{ "sequence cut by the end", LIT("{\"op\":\"x\"}\xe1"), SK_EBADREQ,
	    "UTF-8" },
	{ "NUL byte", LIT("{\"op\":\"a\0b\"}"), SK_EBADREQ, "NUL" },
	{ "NUL after the object", LIT("{\"op\":\"x\"}\0"), SK_EBADREQ, "NUL" },
	{ "unknown envelope key", LIT("{\"op\":\"x\",\"arg\":{\"id\":1}}"),
	    SK_EBADREQ, "\"arg\"" },
	{ "unknown key, capitalized", LIT("{\"Op\":\"x\"}"), SK_EBADREQ,
	    "\"Op\"" },
	{ "op missing", LIT("{\"args\":{}}"), SK_EBADREQ, "\"op\"" },
	{ "empty object", LIT("{}"), SK_EBADREQ, "\"op\"" },
	{ "op a number", LIT("{\"op\":7}"), SK_EBADREQ, "\"op\"" },
	{ "op null", LIT("{\"op\":null}"), SK_EBADREQ, "\"op\"" },
	{ "op an array", LIT("{\"op\":[\"case.get\"]}"), SK_EBADREQ,
	    "\"op\"" },
	{ "args an array", LIT("{\"op\":\"x\",\"args\":[]}"), SK_EBADREQ,
	    "\"args\"" },
	{ "args a string", LIT("{\"op\":\"x\",\"args\":\"id=1\"}"), SK_EBADREQ,
	    "\"args\"" },
	{ "args a number", LIT("{\"op\":\"x\",\"args\":1}"), SK_EBADREQ,
	    "\"args\"" },
	{ "token a number", LIT("{\"op\":\"x\",\"token\":12345}"), SK_EBADREQ,
	    "\"token\"" },
	{ "token an object", LIT("{\"op\":\"x\",\"token\":{}}"), SK_EBADREQ,
	    "\"token\"" },
	{ "request_id empty", LIT("{\"op\":\"x\",\"request_id\":\"\"}"),
	    SK_EBADREQ, "\"request_id\"" },
	{ "request_id 65 bytes",
	    LIT("{\"op\":\"x\",\"request_id\":\"0123456789012345678901234567"
	        "89012345678901234567890123456789abcde\"}"),
	    SK_EBADREQ, "\"request_id\"" },
	{ "request_id 33 two-byte characters (66 bytes)",
	    LIT("{\"op\":\"x\",\"request_id\":\"ááááááááááááááááááááááááááááá"
	        "áááá\"}"),
	    SK_EBADREQ, "\"request_id\"" },
	{ "request_id a number", LIT("{\"op\":\"x\",\"request_id\":42}"),
	    SK_EBADREQ, "\"request_id\"" },
	/* Issue 19: what json-c lets through and the door refuses. */
	{ "\\u0000 in op", LIT("{\"op\":\"server.status\\u0000x\"}"),
	    SK_EBADREQ, "NUL" },
	{ "\\u0000 in a token",
	    LIT("{\"op\":\"x\",\"token\":\"sk_a\\u0000\"}"), SK_EBADREQ,
	    "NUL" },
	{ "\\u0000 in an argument's key",
	    LIT("{\"op\":\"x\",\"args\":{\"id\\u0000z\":1}}"), SK_EBADREQ,
	    "NUL" },
	{ "\\u0000 deep in an array",
	    LIT("{\"op\":\"x\",\"args\":{\"a\":[[\"\\u0000\"]]}}"),
	    SK_EBADREQ, "NUL" },
	{ "token twice, the second null",
	    LIT("{\"op\":\"x\",\"token\":\"sk_a\",\"token\":null}"),
	    SK_EBADREQ, "\"token\" twice" },
	{ "op twice", LIT("{\"op\":\"a\",\"op\":\"b\"}"), SK_EBADREQ,
	    "\"op\" twice" },
	{ "a key twice, once escaped",
	    LIT("{\"op\":\"x\",\"args\":{\"id\":1,\"\\u0069d\":2}}"),
	    SK_EBADREQ, "\"id\" twice" },
	{ "a key twice, deep after a clean sibling",
	    LIT("{\"op\":\"x\",\"args\":{\"a\":{\"b\":1},\"c\":[{\"d\":1,"
	        "\"e\":{\"f\":1,\"f\":2}}]}}"),
	    SK_EBADREQ, "\"f\" twice" },
	{ "lone high surrogate", LIT("{\"op\":\"\\ud800\"}"), SK_EBADREQ,
	    "surrogate" },
	{ "lone low surrogate", LIT("{\"op\":\"x\\udc00y\"}"), SK_EBADREQ,
	    "surrogate" },
	{ "high surrogate then a letter", LIT("{\"op\":\"\\ud83dx\"}"),
	    SK_EBADREQ, "surrogate" },
	{ "two high surrogates", LIT("{\"op\":\"\\ud83d\\ud83d\"}"),
	    SK_EBADREQ, "surrogate" },
	{ "an invalid escape", LIT("{\"op\":\"\\x41\"}"), SK_EBADREQ,
	    "not JSON" },
	{ "a short \\u escape", LIT("{\"op\":\"\\u41\"}"), SK_EBADREQ,
	    "not JSON" },
};

/* What the strict pass must still let through. */
static void
test_decode_strict_ok(void **state)
{
	static const char *const good[] = {
		"{\"op\":\"x\",\"args\":{\"a\":{\"k\":1},\"b\":{\"k\":2}}}",
		"{\"op\":\"x\",\"args\":{\"t\":\"\\ud83d\\ude00 \\u00e1\"}}",
		"{\"op\":\"x\",\"args\":{\"t\":\"{\\\"k\\\":1,\\\"k\\\":2}\"}}",
		"{\"op\":\"x\",\"args\":{\"l\":[{\"k\":1},{\"k\":1}]}}",
		"{\"op\":\"x\",\"args\":{\"t\":\"\\\\u0000\"}}",
	};
	(void) state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct proto_req req;
		struct proto_err e  = { 0 };
		int              rv = proto_decode(good[i], strlen(good[i]), &req,
		                 &e);
		if (rv != 0) {
			fail_msg("%s: refused: %s", good[i], e.msg);
		}
		json_object_put(req.root);
	}
}

static void
test_decode_bad(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct proto_req       req;
		struct proto_err       e = { 0 };
		int rv = proto_decode(c->buf, c->len, &req, &e);
		if (rv != c->code || e.code != c->code) {
			fail_msg("%s: got %s (%s), want %s", c->what,
			    sk_err_code(rv), e.msg, sk_err_code(c->code));
		}
		if (strstr(e.msg, c->needle) == NULL) {
			fail_msg("%s: message \"%s\" does not mention %s",
			    c->what, e.msg, c->needle);
		}
		/* On failure the caller owns nothing. */
		assert_null(req.root);
		proto_err_clear(&e);
	}
}

/* Builds {"op":"x","args":{"a":[[...]]}} with depth nested values in all. */
static char *
nested(int depth, size_t *len)
{
	char  *buf = malloc(64 + 2 * (size_t) depth);
	size_t n   = (size_t) sprintf(buf, "{\"op\":\"x\",\"args\":{\"a\":");
	for (int i = 2; i < depth; i++) {
		buf[n++] = '[';
	}
	for (int i = 2; i < depth; i++) {
		buf[n++] = ']';
	}
	n += (size_t) sprintf(buf + n, "}}");
	*len = n;
	return (buf);
}

static void
test_decode_nesting(void **state)
{
	struct proto_req req;
	struct proto_err e = { 0 };
	size_t           len;
	char            *buf;

	buf = nested(32, &len);
	assert_int_equal(proto_decode(buf, len, &req, &e), 0);
	json_object_put(req.root);
	free(buf);

	buf = nested(33, &len);
	assert_int_equal(proto_decode(buf, len, &req, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "nesting"));
	assert_null(req.root);
	proto_err_clear(&e);
	free(buf);

	buf = nested(1000, &len);
	assert_int_equal(proto_decode(buf, len, &req, &e), SK_EBADREQ);
	proto_err_clear(&e);
	free(buf);
}

/* A valid request of exactly len bytes: a long title fills it up. */
static char *
request_of(size_t len)
{
	const char *head = "{\"op\":\"case.create\",\"args\":{\"title\":\"";
	const char *tail = "\"}}";
	char       *buf  = malloc(len + 1);
	size_t      h = strlen(head), t = strlen(tail);
	memcpy(buf, head, h);
	memset(buf + h, 'a', len - h - t);
	memcpy(buf + len - t, tail, t);
	buf[len] = '\0';
	return (buf);
}

static void
test_decode_size(void **state)
{
	struct proto_req req;
	struct proto_err e = { 0 };
	char            *buf;

	buf = request_of(PROTO_MAX_REQUEST);
	assert_int_equal(proto_decode(buf, PROTO_MAX_REQUEST, &req, &e), 0);
	assert_string_equal(req.op, "case.create");
	json_object_put(req.root);
	free(buf);

	buf = request_of(PROTO_MAX_REQUEST + 1);
	assert_int_equal(
	    proto_decode(buf, PROTO_MAX_REQUEST + 1, &req, &e), SK_ETOOLARGE);
	assert_int_equal(e.code, SK_ETOOLARGE);
	assert_non_null(strstr(e.msg, "1048577 bytes"));
	assert_null(req.root);
	proto_err_clear(&e);
	free(buf);

	/* Too large wins over not JSON: nothing that big is parsed. */
	buf = malloc(PROTO_MAX_REQUEST + 1);
	memset(buf, '[', PROTO_MAX_REQUEST + 1);
	assert_int_equal(
	    proto_decode(buf, PROTO_MAX_REQUEST + 1, &req, &e), SK_ETOOLARGE);
	proto_err_clear(&e);
	free(buf);
}

static void
test_decode_valid(void **state)
{
	struct proto_req req;
	struct proto_err e = { 0 };
	const char      *s;

	/* args absent: defaults to an empty object. */
	assert_int_equal(
	    proto_decode(LIT("{\"op\":\"server.status\"}"), &req, &e), 0);
	assert_int_equal(e.code, 0);
	assert_string_equal(req.op, "server.status");
	assert_non_null(req.args);
	assert_true(json_object_is_type(req.args, json_type_object));
	assert_int_equal(json_object_object_length(req.args), 0);
	assert_null(req.token);
	assert_null(req.request_id);
	json_object_put(req.root);

	/* args null, token null, request_id null: all absent. */
	assert_int_equal(
	    proto_decode(LIT(" {\"op\":\"unit.list\",\"args\":null,"
	                     "\"token\":null,\"request_id\":null}"
	                     "\r\n"),
	        &req, &e),
	    0);
	assert_true(json_object_is_type(req.args, json_type_object));
	assert_int_equal(json_object_object_length(req.args), 0);
	assert_null(req.token);
	assert_null(req.request_id);
	json_object_put(req.root);

	/* Everything given; Vietnamese text comes through byte for byte. */
	const char *title = "Sáng kiến cải tiến quy trình tiếp nhận hồ sơ "
	                    "một cửa tại Trường THPT Việt Bắc";
	char buf[1024];
	int  n = snprintf(buf, sizeof(buf),
	     "{\"op\":\"case.create\",\"args\":{\"title\":\"%s\","
	      "\"field\":\"gi\\u00e1o d\\u1ee5c\"},\"token\":\"sk_abc\","
	      "\"request_id\":\"%s\"}",
	     title,
	     "0123456789012345678901234567890123456789012345678901234567"
	      "890123");
	assert_int_equal(proto_decode(buf, (size_t) n, &req, &e), 0);
	assert_string_equal(req.op, "case.create");
	assert_string_equal(req.token, "sk_abc");
	assert_int_equal(strlen(req.request_id), 64);
	assert_int_equal(arg_str(req.args, "title", true, 300, &s, &e), 0);
	assert_string_equal(s, title);
	assert_int_equal(arg_str(req.args, "field", true, 300, &s, &e), 0);
	assert_string_equal(s, "giáo dục");
	json_object_put(req.root);
	assert_int_equal(e.code, 0);
}

/* A string of n copies of the 3-byte "ế" (U+1EBF), NUL-terminated. */
static char *
vietnamese(size_t n)
{
	char *s = malloc(3 * n + 1);
	for (size_t i = 0; i < n; i++) {
		memcpy(s + 3 * i, "ế", 3);
	}
	s[3 * n] = '\0';
	return (s);
}

static void
test_arg_str(void **state)
{
	json_object     *args = json_object_new_object();
	struct proto_err e    = { 0 };
	const char      *out;
	char            *s300 = vietnamese(300), *s301 = vietnamese(301);

	json_object_object_add(args, "t300", json_object_new_string(s300));
	json_object_object_add(args, "t301", json_object_new_string(s301));
	json_object_object_add(args, "n", json_object_new_int(5));
	json_object_object_add(args, "z", NULL);
	json_object_object_add(
	    args, "nul", json_object_new_string_len("a\0b", 3));

	/* Characters, not bytes: 300 characters are 900 bytes. */
	out = NULL;
	assert_int_equal(arg_str(args, "t300", true, 300, &out, &e), 0);
	assert_string_equal(out, s300);
	assert_int_equal(
	    arg_str(args, "t301", true, 300, &out, &e), SK_ETOOLARGE);
	assert_non_null(strstr(e.msg, "\"t301\""));
	assert_non_null(strstr(e.msg, "301 characters"));
	proto_err_clear(&e);
	/* 0 means no limit. */
	assert_int_equal(arg_str(args, "t301", true, 0, &out, &e), 0);

	assert_int_equal(arg_str(args, "n", true, 10, &out, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"n\" must be a string"));
	proto_err_clear(&e);

	assert_int_equal(arg_str(args, "nul", true, 10, &out, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"nul\""));
	proto_err_clear(&e);

	/* Absent and null: fine when optional, named when required. */
	out = "untouched";
	assert_int_equal(arg_str(args, "missing", false, 10, &out, &e), 0);
	assert_int_equal(arg_str(args, "z", false, 10, &out, &e), 0);
	assert_string_equal(out, "untouched");
	assert_int_equal(e.code, 0);
	assert_int_equal(
	    arg_str(args, "missing", true, 10, &out, &e), SK_EBADREQ);
	assert_string_equal(e.msg, "\"missing\" is required");
	proto_err_clear(&e);
	assert_int_equal(arg_str(args, "z", true, 10, &out, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"z\""));
	proto_err_clear(&e);

	json_object_put(args);
	free(s300);
	free(s301);
}

static void
test_arg_id(void **state)
{
	const char *const good[]
	    = { "a", "0", "thpt-viet-bac", "a.b_c-d", "so-khcn.tn", "9z",
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaaaaaa" };
	const char *const bad[] = { "", "-a", ".a", "_a", "A", "aB", "a b",
		"a/b", "ă", "viet bac", "a\n",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaa" };
	struct proto_err  e     = { 0 };
	const char       *out;

	assert_int_equal(strlen(good[6]), 64);
	assert_int_equal(strlen(bad[11]), 65);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		json_object *args = json_object_new_object();
		json_object_object_add(
		    args, "unit", json_object_new_string(good[i]));
		out = NULL;
		if (arg_id(args, "unit", true, &out, &e) != 0) {
			fail_msg("\"%s\" refused: %s", good[i], e.msg);
		}
		assert_string_equal(out, good[i]);
		assert_true(util_id_valid(good[i]));
		json_object_put(args);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *args = json_object_new_object();
		json_object_object_add(
		    args, "unit", json_object_new_string(bad[i]));
		out = "untouched";
		if (arg_id(args, "unit", true, &out, &e) != SK_EBADREQ) {
			fail_msg("\"%s\" accepted as an id", bad[i]);
		}
		assert_non_null(strstr(e.msg, "\"unit\""));
		assert_string_equal(out, "untouched");
		assert_false(util_id_valid(bad[i]));
		proto_err_clear(&e);
		json_object_put(args);
	}

	json_object *args = json_object_new_object();
	json_object_object_add(args, "unit", json_object_new_int(3));
	assert_int_equal(arg_id(args, "unit", true, &out, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"unit\""));
	proto_err_clear(&e);
	assert_int_equal(arg_id(args, "parent", true, &out, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"parent\""));
	proto_err_clear(&e);
	out = "untouched";
	assert_int_equal(arg_id(args, "parent", false, &out, &e), 0);
	assert_string_equal(out, "untouched");
	json_object_put(args);
}

static void
test_arg_u64(void **state)
{
	struct proto_err e = { 0 };
	uint64_t         v;
	json_object     *args;

	args = json_tokener_parse(
	    "{\"limit\":50,\"one\":1,\"zero\":0,\"big\":501,\"neg\":-1,"
	    "\"half\":1.5,\"str\":\"50\",\"yes\":true,\"nul\":null,"
	    "\"max\":9223372036854775806,"
	    "\"huge\":18446744073709551615}");
	assert_non_null(args);

	const struct {
		const char *key;
		int         rv;
		uint64_t    want;
		const char *needle;
	} cases[] = {
		{ "limit", 0, 50, NULL },
		{ "one", 0, 1, NULL },
		{ "zero", SK_EBADREQ, 0, "between 1 and 500" },
		{ "big", SK_EBADREQ, 0, "between 1 and 500" },
		{ "neg", SK_EBADREQ, 0, "between 1 and 500" },
		{ "half", SK_EBADREQ, 0, "must be an integer" },
		{ "str", SK_EBADREQ, 0, "must be an integer" },
		{ "yes", SK_EBADREQ, 0, "must be an integer" },
		{ "max", SK_EBADREQ, 0, "between 1 and 500" },
		{ "huge", SK_EBADREQ, 0, "between 1 and 500" },
		{ "absent", SK_EBADREQ, 0, "is required" },
		{ "nul", SK_EBADREQ, 0, "is required" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v      = 12345;
		int rv = arg_u64(args, cases[i].key, true, 1, 500, &v, &e);
		if (rv != cases[i].rv) {
			fail_msg("%s: got %s (%s)", cases[i].key,
			    sk_err_code(rv), e.msg);
		}
		if (rv == 0) {
			assert_int_equal(v, cases[i].want);
			continue;
		}
		char key[64];
		snprintf(key, sizeof(key), "\"%s\"", cases[i].key);
		assert_non_null(strstr(e.msg, key));
		assert_non_null(strstr(e.msg, cases[i].needle));
		assert_int_equal(v, 12345);
		proto_err_clear(&e);
	}

	/* Optional and absent: untouched. */
	v = 7;
	assert_int_equal(arg_u64(args, "absent", false, 1, 500, &v, &e), 0);
	assert_int_equal(arg_u64(args, "nul", false, 1, 500, &v, &e), 0);
	assert_int_equal(v, 7);
	/* Wide ranges: the largest value below json-c's clamp is fine. */
	assert_int_equal(arg_u64(args, "max", true, 0, UINT64_MAX, &v, &e), 0);
	assert_true(v == 9223372036854775806ull);
	assert_int_equal(arg_u64(args, "zero", true, 0, 10, &v, &e), 0);
	assert_int_equal(v, 0);
	json_object_put(args);
}

static void
test_arg_bool_obj_array(void **state)
{
	struct proto_err e = { 0 };
	json_object     *args, *o;
	bool             b = false;

	args = json_tokener_parse(
	    "{\"yes\":true,\"one\":1,\"o\":{},\"a\":[],\"s\":\"x\"}");
	assert_int_equal(arg_bool(args, "yes", &b, &e), 0);
	assert_true(b);
	assert_int_equal(arg_bool(args, "one", &b, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"one\""));
	proto_err_clear(&e);
	assert_int_equal(arg_obj(args, "o", true, &o, &e), 0);
	assert_int_equal(arg_obj(args, "a", true, &o, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"a\" must be an object"));
	proto_err_clear(&e);
	assert_int_equal(arg_array(args, "a", true, &o, &e), 0);
	assert_int_equal(arg_array(args, "s", true, &o, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"s\" must be an array"));
	proto_err_clear(&e);
	assert_int_equal(arg_array(args, "none", true, &o, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"none\" is required"));
	proto_err_clear(&e);
	json_object_put(args);
}

static void
test_check_keys(void **state)
{
	static const char *const allowed[]
	    = { "id", "action", "version", "note", NULL };
	static const char *const nothing[] = { NULL };
	struct proto_err         e         = { 0 };
	json_object             *args;

	args = json_tokener_parse("{\"id\":7,\"action\":\"submit\"}");
	assert_int_equal(proto_check_keys(args, allowed, &e), 0);
	json_object_put(args);

	args = json_tokener_parse("{\"id\":7,\"actoin\":\"submit\"}");
	assert_int_equal(proto_check_keys(args, allowed, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "\"actoin\""));
	/* ... and says what would be right. */
	assert_non_null(strstr(e.msg, "id, action, version, note"));
	proto_err_clear(&e);

	assert_int_equal(proto_check_keys(args, nothing, &e), SK_EBADREQ);
	assert_non_null(strstr(e.msg, "no arguments"));
	proto_err_clear(&e);
	json_object_put(args);

	args = json_object_new_object();
	assert_int_equal(proto_check_keys(args, nothing, &e), 0);
	json_object_put(args);
}

static void
test_date_valid(void **state)
{
	const char *const good[] = { "2024-02-29", "2000-02-29", "2026-02-28",
		"2026-01-01", "2026-12-31", "2026-04-30", "1900-01-01" };
	const char *const bad[]  = { "2026-02-29", "1900-02-29", "2100-02-29",
		 "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10",
		 "2026-01-00", "2026-01-32", "2026-1-01", "2026-01-1",
		 "26-01-01", "2026/01/01", "2026-01-01T00:00:00Z",
		 " 2026-01-01", "2026-01-01 ", "2026-01-+1", "+026-01-01",
		 "abcd-ef-gh", "", "20260101", "1899-12-31" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!util_date_valid(good[i])) {
			fail_msg("%s refused", good[i]);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (util_date_valid(bad[i])) {
			fail_msg("\"%s\" accepted", bad[i]);
		}
	}
}

static void
test_utf8_chars(void **state)
{
	assert_int_equal(util_utf8_chars(LIT("")), 0);
	assert_int_equal(util_utf8_chars(LIT("abc")), 3);
	assert_int_equal(util_utf8_chars(LIT("Việt Nam")), 8);
	assert_int_equal(util_utf8_chars(LIT("𝄞")), 1); /* 4 bytes */
	assert_int_equal(util_utf8_chars(LIT("\xf4\x8f\xbf\xbf")), 1);
	assert_int_equal(util_utf8_chars(LIT("\xef\xbf\xbf")), 1);
	assert_int_equal(util_utf8_chars(LIT("\x80")), -1);
	assert_int_equal(util_utf8_chars(LIT("\xc1\xbf")), -1);
	assert_int_equal(util_utf8_chars(LIT("\xf0\x8f\xbf\xbf")), -1);
	assert_int_equal(util_utf8_chars(LIT("\xed\xbf\xbf")), -1);
	assert_int_equal(util_utf8_chars(LIT("\xf8\x88\x80\x80\x80")), -1);
	assert_int_equal(util_utf8_chars(LIT("a\xc3")), -1);
	/* The length given is the limit, even inside a valid sequence. */
	assert_int_equal(util_utf8_chars("\xc3\xa1", 1), -1);
}

/* Text for a reply from any bytes (issue 19: a rubric's error message). */
static void
test_utf8_clean(void **state)
{
	char             out[16];
	struct proto_err e = { 0 };

	assert_int_equal(util_utf8_clean(out, sizeof(out), LIT("Việt")), 6);
	assert_string_equal(out, "Việt");
	/* A bad byte becomes U+FFFD; so does an overlong form. */
	util_utf8_clean(out, sizeof(out), LIT("a\xff" "b\xc1\xbf"));
	assert_string_equal(out, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd");
	/* A character cut at the end is dropped, not replaced. */
	util_utf8_clean(out, sizeof(out), LIT("ab\xe1\xbb"));
	assert_string_equal(out, "ab");
	/* One that does not fit whole is left out. */
	util_utf8_clean(out, 6, LIT("abcd\xe1\xbb\x87"));
	assert_string_equal(out, "abcd");
	/* proto_fail: whatever it quotes, the message is UTF-8. */
	proto_fail(&e, SK_ERUBRIC, "rubric: %s", "bad \xff\xfe byte");
	assert_string_equal(e.msg, "rubric: bad \xef\xbf\xbd\xef\xbf\xbd byte");
	assert_true(util_utf8_chars(e.msg, strlen(e.msg)) > 0);
}

static void
test_reply_err(void **state)
{
	struct proto_err e = { 0 };
	json_object     *r, *err, *v, *details;
	char            *text;
	size_t           len;

	proto_fail(&e, SK_ETRANSITION,
	    "case 7 is in unit_review; 'submit' is allowed from %s",
	    "draft, returned");
	/* Only the first error is kept. */
	proto_fail(&e, SK_EINTERNAL, "second");
	e.details
	    = json_tokener_parse("{\"state\":\"unit_review\",\"allowed\":["
	                         "\"draft\",\"returned\"]}");
	text = proto_reply_err(&e, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	r = json_tokener_parse(text);
	assert_non_null(r);
	assert_int_equal(json_object_object_length(r), 2);
	assert_true(json_object_object_get_ex(r, "ok", &v));
	assert_true(json_object_is_type(v, json_type_boolean));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(r, "error", &err));
	assert_int_equal(json_object_object_length(err), 3);
	assert_true(json_object_object_get_ex(err, "code", &v));
	assert_string_equal(json_object_get_string(v), "invalid_transition");
	assert_true(json_object_object_get_ex(err, "message", &v));
	assert_string_equal(json_object_get_string(v),
	    "case 7 is in unit_review; 'submit' is allowed from draft, "
	    "returned");
	assert_true(json_object_object_get_ex(err, "details", &details));
	assert_true(json_object_equal(details, e.details));
	json_object_put(r);
	free(text);
	proto_err_clear(&e);
	assert_null(e.details);
	assert_int_equal(e.code, 0);

	/* No details: no "details" key; no message: the code stands in. */
	e.code = SK_ETOOLARGE;
	text   = proto_reply_err(&e, &len);
	r      = json_tokener_parse(text);
	assert_true(json_object_object_get_ex(r, "error", &err));
	assert_false(json_object_object_get_ex(err, "details", &v));
	assert_true(json_object_object_get_ex(err, "code", &v));
	assert_string_equal(json_object_get_string(v), "too_large");
	assert_true(json_object_object_get_ex(err, "message", &v));
	assert_true(json_object_get_string_len(v) > 0);
	json_object_put(r);
	free(text);

	/* Vietnamese and '/' go out as they are. */
	proto_err_clear(&e);
	proto_fail(&e, SK_EBADREQ, "\"field\" is not “Giáo dục/đào tạo”");
	text = proto_reply_err(&e, &len);
	assert_non_null(strstr(text, "Giáo dục/đào tạo"));
	free(text);
	proto_err_clear(&e);
}

static void
test_reply_ok(void **state)
{
	json_object *res
	    = json_tokener_parse("{\"id\":7,\"state\":\"draft\"}");
	json_object *r, *v;
	size_t       len;
	char        *text = proto_reply_ok(res, &len);

	assert_int_equal(strlen(text), len);
	r = json_tokener_parse(text);
	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "ok", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(r, "result", &v));
	assert_true(json_object_equal(v, res));
	json_object_put(r);
	json_object_put(res);
	free(text);

	text = proto_reply_ok(NULL, &len);
	assert_string_equal(text, "{\"ok\":true,\"result\":null}");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_decode_strict_ok),
		cmocka_unit_test(test_decode_nesting),
		cmocka_unit_test(test_decode_size),
		cmocka_unit_test(test_decode_valid),
		cmocka_unit_test(test_arg_str),
		cmocka_unit_test(test_arg_id),
		cmocka_unit_test(test_arg_u64),
		cmocka_unit_test(test_arg_bool_obj_array),
		cmocka_unit_test(test_check_keys),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_utf8_chars),
		cmocka_unit_test(test_utf8_clean),
		cmocka_unit_test(test_reply_err),
		cmocka_unit_test(test_reply_ok),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
