/*
 * test_plugin.c: unit tests of the Lua host (plugins/host.c).
 *
 * A rubric is untrusted code.  What a user would notice is whether a
 * hostile or broken rubric can hang the server, exhaust its memory, reach
 * outside its sandbox, or leave the host unable to run the next rubric; and
 * whether the error they get names the file and line at fault.  Each
 * hostile rubric below must end in rubric_error with such a message, after
 * which the same state and a fresh one must both still work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "plugins/host.h"

/*
 * A rubric whose check body is on line 4 and decide body on line 7, so
 * messages can be matched to lines.
 */
#define RUBRIC(check_body, decide_body)                                       \
	"return {\n"                                                          \
	"id = 'h', title = 'H', criteria = {{id = 'a', label = 'A', max = "   \
	"10}},\n"                                                             \
	"check = function(case, today, rubric)\n" check_body "\n"             \
	"end,\n"                                                              \
	"decide = function(ballots, council, rubric)\n" decide_body "\n"      \
	"end }\n"

#define OK_CHECK "return {}"
#define OK_DECIDE "return {verdict = 'pass', score = 1, reasons = {}}"

static const char good_src[] = RUBRIC(OK_CHECK, OK_DECIDE);

/* Generous time: valgrind is slow, and the budget is under test here. */
static const struct plug_limits test_lim = { 0, 0, 600000 };

static json_object *
parse(const char *text)
{
	json_object *j = json_tokener_parse(text);
	assert_non_null(j);
	return (j);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((double) (t1.tv_sec - t0->tv_sec) * 1e3
	    + (double) (t1.tv_nsec - t0->tv_nsec) / 1e6);
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL) {
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
	}
}

static int
run_check(struct plug_rubric *r, char *err, size_t errlen)
{
	json_object *c = parse("{\"title\": \"x\"}"), *problems = NULL;
	int rv = plug_check(r, c, "2024-06-15", &problems, err, errlen);
	json_object_put(c);
	json_object_put(problems);
	return (rv);
}

static int
run_decide(
    struct plug_rubric *r, json_object **verdict, char *err, size_t errlen)
{
	json_object *b  = parse("[{\"member\": \"an\", \"marks\": {\"a\": 5}, "
	                         "\"total\": 5}]");
	json_object *co = parse("{\"members\": 3, \"eligible\": 3}");
	int          rv = plug_decide(r, b, co, verdict, err, errlen);
	json_object_put(b);
	json_object_put(co);
	return (rv);
}

/* A good rubric loads and answers: the host is still usable. */
static void
assert_host_usable(void)
{
	struct plug_rubric *r;
	json_object        *v = NULL;
	char                err[512];
	assert_int_equal(plug_load("good.lua", good_src, strlen(good_src),
	                     &test_lim, NULL, NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_OK);
	assert_int_equal(run_decide(r, &v, err, sizeof(err)), SK_OK);
	json_object_put(v);
	plug_free(r);
}

enum stage { AT_LOAD, AT_CHECK, AT_DECIDE };

struct hostile {
	const char *what;
	const char *src;
	enum stage  stage;
	const char *needle; /* the message contains this */
	const char *needle2; /* and this, if set (usually file:line) */
};

static const struct hostile hostiles[] = {
	{ "endless loop", RUBRIC("while true do end", OK_DECIDE), AT_CHECK,
	    "instruction limit", "h.lua:4:" },
	{ "endless loop inside pcall",
	    RUBRIC("while true do pcall(function() while true do end end) "
	           "end",
	        OK_DECIDE),
	    AT_CHECK, "instruction limit", "h.lua:4:" },
	{ "endless loop in xpcall with an endless handler",
	    RUBRIC("xpcall(function() while true do end end, function() "
	           "while true do end end) return {}",
	        OK_DECIDE),
	    AT_CHECK, "instruction limit", "h.lua:4:" },
	{ "endless loop in decide", RUBRIC(OK_CHECK, "repeat until false"),
	    AT_DECIDE, "instruction limit", "h.lua:7:" },
	{ "string.rep 2^31",
	    RUBRIC("local s = string.rep('x', 2^31)", OK_DECIDE), AT_CHECK,
	    "resulting string too large", "h.lua:4:" },
	{ "string.rep 2^30",
	    RUBRIC("local s = string.rep('x', 2^30)", OK_DECIDE), AT_CHECK,
	    "memory limit of 64 MiB exceeded", "h.lua:4:" },
	{ "string.rep as a method",
	    RUBRIC("local s = ('x'):rep(2^25, ', ')", OK_DECIDE), AT_CHECK,
	    "memory limit", "h.lua:4:" },
	{ "a string doubled without end",
	    RUBRIC("local s = 'x' while true do s = s .. s end", OK_DECIDE),
	    AT_CHECK, "memory limit of 64 MiB exceeded", "h.lua:4:" },
	{ "a table grown without end",
	    RUBRIC("local t = {} while true do t[#t + 1] = {} end", OK_DECIDE),
	    AT_CHECK, "memory limit", "h.lua:4:" },
	{ "recursion without end",
	    RUBRIC(
	        "local function f(n) return 1 + f(n + 1) end f(1)", OK_DECIDE),
	    AT_CHECK, "h.lua:4:", NULL },
	{ "table.move over 2^40 slots",
	    RUBRIC("table.move({}, 1, 2^40, 2)", OK_DECIDE), AT_CHECK,
	    "instruction limit", "h.lua:4:" },
	{ "os.execute", RUBRIC("os.execute('touch /tmp/sk-pwned')", OK_DECIDE),
	    AT_CHECK, "undefined global 'os'", "h.lua:4:" },
	{ "io.open", RUBRIC("io.open('/etc/passwd')", OK_DECIDE), AT_CHECK,
	    "undefined global 'io'", "h.lua:4:" },
	{ "require", RUBRIC("require('os')", OK_DECIDE), AT_CHECK,
	    "undefined global 'require'", "h.lua:4:" },
	{ "load", RUBRIC("load('return 1')()", OK_DECIDE), AT_CHECK,
	    "undefined global 'load'", "h.lua:4:" },
	{ "dofile at load time", "dofile('/etc/passwd')\n" OK_CHECK, AT_LOAD,
	    "undefined global 'dofile'", "h.lua:1:" },
	{ "string.dump", RUBRIC("string.dump(function() end)", OK_DECIDE),
	    AT_CHECK, "string.dump is not available", "h.lua:4:" },
	{ "setmetatable on a host table",
	    RUBRIC("setmetatable(string, {})", OK_DECIDE), AT_CHECK,
	    "undefined global 'setmetatable'", "h.lua:4:" },
	{ "getmetatable of a string",
	    RUBRIC("getmetatable('').__index.upper = nil", OK_DECIDE),
	    AT_CHECK, "undefined global 'getmetatable'", "h.lua:4:" },
	{ "rawset on _G", RUBRIC("rawset(_G, 'x', 1)", OK_DECIDE), AT_CHECK,
	    "undefined global 'rawset'", "h.lua:4:" },
	{ "collectgarbage", RUBRIC("collectgarbage()", OK_DECIDE), AT_CHECK,
	    "undefined global 'collectgarbage'", "h.lua:4:" },
	{ "print", RUBRIC("print('hi')", OK_DECIDE), AT_CHECK,
	    "undefined global 'print'", "h.lua:4:" },
	{ "string.upper = nil", RUBRIC("string.upper = nil", OK_DECIDE),
	    AT_CHECK, "string.upper is read-only", "h.lua:4:" },
	{ "math.pi = 3", RUBRIC("math.pi = 3", OK_DECIDE), AT_CHECK,
	    "math.pi is read-only", "h.lua:4:" },
	{ "writing a global", RUBRIC("total = 1", OK_DECIDE), AT_CHECK,
	    "cannot set global 'total'", "h.lua:4:" },
	{ "writing a global through _G", RUBRIC("_G.x = 1", OK_DECIDE),
	    AT_CHECK, "cannot set global 'x'", "h.lua:4:" },
	{ "writing a global at load time", "x = 1\n" OK_CHECK, AT_LOAD,
	    "cannot set global 'x'", "h.lua:1:" },
	{ "error()", RUBRIC("error('boom')", OK_DECIDE), AT_CHECK, "boom",
	    "h.lua:4:" },
	{ "error() of a table", RUBRIC("error({})", OK_DECIDE), AT_CHECK,
	    "error object is a table value", "h.lua:4:" },
	{ "indexing nil", RUBRIC("return case.nothing.here", OK_DECIDE),
	    AT_CHECK, "attempt to index", "h.lua:4:" },
	{ "a syntax error", "return {\nid = 'h',\ntitle = = 'x'\n}\n", AT_LOAD,
	    "h.lua:3:", "unexpected symbol" },
	{ "a binary chunk", "\x1bLua\x54\x00", AT_LOAD, "binary chunk", NULL },
	{ "a chunk that returns no table", "local x = 1\n", AT_LOAD,
	    "must return a table", "returned nil" },
	{ "a bad id", "return {id = 'Bad Id', title = 'x'}", AT_LOAD,
	    "id must be an id", NULL },
	{ "no title", "return {id = 'h', title = ''}", AT_LOAD,
	    "title must be a non-empty string", NULL },
	{ "no criteria",
	    "return {id = 'h', title = 'H', criteria = {}, check = type, "
	    "decide = type}",
	    AT_LOAD, "criteria must be a non-empty list", NULL },
	{ "criteria with a negative max",
	    "return {id = 'h', title = 'H', criteria = {{id = 'a', label = "
	    "'A', max = -5}}}",
	    AT_LOAD, "criteria[1].max must be a number greater than 0", "-5" },
	{ "criteria with a max of nan",
	    "return {id = 'h', title = 'H', criteria = {{id = 'a', label = "
	    "'A', max = 0/0}}}",
	    AT_LOAD, "criteria[1].max must be a number greater than 0", NULL },
	{ "duplicate criterion ids",
	    "return {id = 'h', title = 'H', criteria = {{id = 'a', label = "
	    "'A', max = 5}, {id = 'a', label = 'B', max = 5}}}",
	    AT_LOAD, "criteria[2].id \"a\" is used twice", NULL },
	{ "a criterion without a label",
	    "return {id = 'h', title = 'H', criteria = {{id = 'a', max = "
	    "5}}}",
	    AT_LOAD, "criteria[1].label", NULL },
	{ "a misspelt criterion field",
	    "return {id = 'h', title = 'H', criteria = {{id = 'a', label = "
	    "'A', max = 5, gude = 'x'}}}",
	    AT_LOAD, "unknown field 'gude'", NULL },
	{ "missing decide",
	    "return {id = 'h', title = 'H', criteria = {{id = 'a', label = "
	    "'A', max = 5}}, check = function() return {} end}",
	    AT_LOAD, "decide must be a function", NULL },
	{ "check returns nothing", RUBRIC("local x = 1", OK_DECIDE), AT_CHECK,
	    "check must return a list of problems", "h.lua:3:" },
	{ "check returns numbers", RUBRIC("return {1, 2}", OK_DECIDE),
	    AT_CHECK, "problems[1] is not a string", "h.lua:3:" },
	{ "verdict \"maybe\"",
	    RUBRIC(OK_CHECK, "return {verdict = 'maybe', score = 1}"),
	    AT_DECIDE, "verdict \"maybe\"", "h.lua:6:" },
	{ "a fail without reasons",
	    RUBRIC(OK_CHECK, "return {verdict = 'fail', score = 1}"),
	    AT_DECIDE, "a refusal must give reasons", "h.lua:6:" },
	{ "a fail with blank reasons",
	    RUBRIC(OK_CHECK,
	        "return {verdict = 'fail', score = 1, reasons = {'  '}}"),
	    AT_DECIDE, "a refusal must give reasons", NULL },
	{ "a pass without a score",
	    RUBRIC(OK_CHECK, "return {verdict = 'pass', reasons = {}}"),
	    AT_DECIDE, "must give a score", NULL },
	{ "a cyclic verdict",
	    RUBRIC(OK_CHECK,
	        "local t = {verdict = 'pass', score = 1, reasons = {}} "
	        "t.details = {t} return t"),
	    AT_DECIDE, "at details[1] contains itself", "h.lua:6:" },
	{ "a verdict nested 40 deep",
	    RUBRIC(OK_CHECK,
	        "local t = {verdict = 'pass', score = 1, reasons = {}} "
	        "local n = t for i = 1, 40 do n.x = {} n = n.x end return t"),
	    AT_DECIDE, "nested more than 32", NULL },
	{ "a nan score",
	    RUBRIC(OK_CHECK, "return {verdict = 'pass', score = 0/0}"),
	    AT_DECIDE, "at score is not a finite number", NULL },
	{ "an infinite score",
	    RUBRIC(OK_CHECK, "return {verdict = 'pass', score = math.huge}"),
	    AT_DECIDE, "not a finite number", NULL },
	{ "a boolean key",
	    RUBRIC(OK_CHECK,
	        "return {verdict = 'pass', score = 1, reasons = {}, "
	        "details = {[true] = 1}}"),
	    AT_DECIDE, "key that is not a string", NULL },
	{ "a list mixed with fields",
	    RUBRIC(OK_CHECK,
	        "return {verdict = 'pass', score = 1, reasons = {'a', x = "
	        "1}}"),
	    AT_DECIDE, "mixes list items with named fields", NULL },
	{ "a function value in the verdict",
	    RUBRIC(OK_CHECK,
	        "return {verdict = 'pass', score = 1, reasons = {tostring}}"),
	    AT_DECIDE, "at reasons[1] is a function", NULL },
	{ "a list of problems too large",
	    RUBRIC("local p = {} for i = 1, 200000 do p[i] = 'problem' end "
	           "return p",
	        OK_DECIDE),
	    AT_CHECK, "too large", "h.lua:3:" },
	{ "invalid UTF-8 in a reason",
	    RUBRIC(OK_CHECK,
	        "return {verdict = 'fail', score = 1, reasons = {'\\xff'}}"),
	    AT_DECIDE, "not valid UTF-8", NULL },
	/* Issue 19: loops the budget did not see, sizes without caps. */
	{ "a loop of pcall(error, 'x')",
	    RUBRIC("while true do pcall(error, 'x') end", OK_DECIDE),
	    AT_CHECK, "instruction limit", "h.lua:4:" },
	{ "a loop of xpcall(error, error)",
	    RUBRIC("while true do xpcall(error, error) end", OK_DECIDE),
	    AT_CHECK, "instruction limit", "h.lua:4:" },
	{ "error objects kept from a pcall loop",
	    RUBRIC("local t = {} while true do local ok, e = pcall(error, "
	           "{('x'):rep(4096)}) t[#t + 1] = e end",
	        OK_DECIDE),
	    AT_CHECK, "limit", "h.lua:4:" },
	{ "10,000 criteria",
	    "local c = {} for i = 1, 10000 do c[i] = {id = 'c' .. i, label "
	    "= 'L', max = 1} end return {id = 'h', title = 'H', criteria = "
	    "c, check = function() return {} end, decide = function() end}",
	    AT_LOAD, "criteria has 10000 entries; at most 200", NULL },
	{ "100,000 criteria",
	    "local c = {} for i = 1, 100000 do c[i] = {id = 'c' .. i, label "
	    "= 'L', max = 1} end return {id = 'h', title = 'H', criteria = "
	    "c, check = function() return {} end, decide = function() end}",
	    AT_LOAD, "criteria has 100000 entries; at most 200", NULL },
	{ "a title of 201 characters",
	    "return {id = 'h', title = ('\xc3\xa2'):rep(201), criteria = {{id "
	    "= 'a', label = 'A', max = 5}}}",
	    AT_LOAD, "title has 201 characters; at most 200", NULL },
	{ "a label of 300 characters",
	    "return {id = 'h', title = 'H', criteria = {{id = 'a', label = "
	    "('x'):rep(300), max = 5}}}",
	    AT_LOAD, "criteria[1].label has 300 characters; at most 200",
	    NULL },
	{ "a guide of 2001 characters",
	    "return {id = 'h', title = 'H', criteria = {{id = 'a', label = "
	    "'A', max = 5, guide = ('x'):rep(2001)}}}",
	    AT_LOAD, "criteria[1].guide has 2001 characters; at most 2000",
	    NULL },
	{ "a max of 1e6",
	    "return {id = 'h', title = 'H', criteria = {{id = 'a', label = "
	    "'A', max = 1e6}}}",
	    AT_LOAD, "criteria[1].max must be a number greater than 0, at "
	    "most 1000", NULL },
	{ "101 problems",
	    RUBRIC("local p = {} for i = 1, 101 do p[i] = 'x' end return p",
	        OK_DECIDE),
	    AT_CHECK, "check returned 101 problems; at most 100", "h.lua:3:" },
	{ "a reason of 1001 characters",
	    RUBRIC(OK_CHECK,
	        "return {verdict = 'fail', score = 1, reasons = "
	        "{('x'):rep(1001)}}"),
	    AT_DECIDE, "reasons[1] has 1001 characters; at most 1000", NULL },
	{ "a score of 1e12",
	    RUBRIC(OK_CHECK, "return {verdict = 'pass', score = 1e12}"),
	    AT_DECIDE, "score must be from -1e9 to 1e9", NULL },
	{ "an error that is not UTF-8",
	    RUBRIC("error('bad \xff\xfe byte')", OK_DECIDE), AT_CHECK,
	    "bad \xef\xbf\xbd\xef\xbf\xbd byte", "h.lua:4:" },
	{ "an error cut inside a character",
	    RUBRIC("error(('\xe1\xbb\x87'):rep(400))", OK_DECIDE), AT_CHECK,
	    "h.lua:4: \xe1\xbb\x87", NULL },
	{ "extend inside check",
	    RUBRIC("return extend('default', {})", OK_DECIDE), AT_CHECK,
	    "only be used while the rubric loads", "h.lua:4:" },
	/* Pattern functions backtrack inside one C call (pat_guard). */
	{ "find 'a*b' on 1 MB, n^2",
	    RUBRIC("return {tostring(('a'):rep(1e6):find('a*b'))}", OK_DECIDE),
	    AT_CHECK, "pattern too costly", "h.lua:4:" },
	{ "string.find 'a*b' on 1 MB",
	    RUBRIC("string.find(string.rep('a', 1e6), 'a*b')", OK_DECIDE),
	    AT_CHECK,
	    "pattern too costly: about 2.5e+12 steps on a string "
	    "of 1000000 bytes",
	    "h.lua:4:" },
	{ "find 'a*b' from init 500001",
	    RUBRIC("('a'):rep(1e6):find('a*b', 500001)", OK_DECIDE), AT_CHECK,
	    "on a string of 500000 bytes", "h.lua:4:" },
	{ "match '.-.-.-b' on 50 kB, n^4",
	    RUBRIC("local s = ('a'):rep(5e4) return {s:match('.-.-.-b')}",
	        OK_DECIDE),
	    AT_CHECK, "pattern too costly", "h.lua:4:" },
	{ "string.match '^(.-)%s*$' on 1 MB of blanks",
	    RUBRIC("string.match('x' .. (' '):rep(1e6) .. 'x', '^(.-)%s*$')",
	        OK_DECIDE),
	    AT_CHECK, "pattern too costly", "h.lua:4:" },
	{ "gsub '%a*;' on 1 MB",
	    RUBRIC(
	        "local s = ('a'):rep(1e6) s = s:gsub('%a*;', '')", OK_DECIDE),
	    AT_CHECK, "pattern too costly", "h.lua:4:" },
	{ "string.gsub '%s+$' on 1 MB",
	    RUBRIC(
	        "string.gsub((' '):rep(1e6) .. 'x', '%s+$', '')", OK_DECIDE),
	    AT_CHECK, "pattern too costly", "h.lua:4:" },
	{ "gsub with '%0' a thousand times per match",
	    RUBRIC("('a'):rep(1e5):gsub('', ('%0'):rep(1000))", OK_DECIDE),
	    AT_CHECK, "pattern too costly", "h.lua:4:" },
	{ "gmatch 'a-b' on 1 MB",
	    RUBRIC("for w in ('a'):rep(1e6):gmatch('a-b') do end", OK_DECIDE),
	    AT_CHECK, "pattern too costly", "h.lua:4:" },
	{ "string.gmatch '%d+x' on 1 MB",
	    RUBRIC("for w in string.gmatch(('1'):rep(1e6), '%d+x') do end",
	        OK_DECIDE),
	    AT_CHECK, "pattern too costly", "h.lua:4:" },
	{ "find 22 'a?' then 22 'a' on 64 bytes, 2^22",
	    RUBRIC("('a'):rep(64):find(('a?'):rep(22) .. ('a'):rep(22) .. "
	           "'b')",
	        OK_DECIDE),
	    AT_CHECK, "pattern too costly", "h.lua:4:" },
	{ "find '(a*)%1b' on 10 kB, back reference",
	    RUBRIC("('a'):rep(1e4):find('(a*)%1b')", OK_DECIDE), AT_CHECK,
	    "pattern too costly", "h.lua:4:" },
	{ "plain find of 2 MB in 4 MB, memcmp n*m",
	    RUBRIC("('a'):rep(2^22):find(('a'):rep(2^21) .. 'b', 1, true)",
	        OK_DECIDE),
	    AT_CHECK, "pattern too costly", "use a shorter string" },
	{ "a costly pattern in decide",
	    RUBRIC(OK_CHECK, "('a'):rep(1e6):find('a*b')"), AT_DECIDE,
	    "pattern too costly", "h.lua:7:" },
};

static void
test_hostile(void **state)
{
	char err[512];
	for (size_t i = 0; i < sizeof(hostiles) / sizeof(hostiles[0]); i++) {
		const struct hostile *h = &hostiles[i];
		struct plug_rubric   *r = NULL;
		json_object          *v = NULL;
		size_t len = h->stage == AT_LOAD && h->src[0] == '\x1b'
		    ? 6
		    : strlen(h->src);
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rv = plug_load("h.lua", h->src, len, &test_lim, NULL, NULL,
		    &r, err, sizeof(err));
		if (h->stage == AT_LOAD) {
			if (rv != SK_ERUBRIC) {
				fail_msg("%s: loaded", h->what);
			}
			assert_null(r);
		} else {
			if (rv != SK_OK) {
				fail_msg("%s: %s", h->what, err);
			}
			rv = h->stage == AT_CHECK
			    ? run_check(r, err, sizeof(err))
			    : run_decide(r, &v, err, sizeof(err));
			if (rv != SK_ERUBRIC) {
				fail_msg("%s: no error", h->what);
			}
			assert_null(v);
		}
		/* A note, not a check: the limits are checked elsewhere. */
		printf("# %-45s %7.1f ms  %s\n", h->what, ms_since(&t0), err);
		/* Every message is text a reply can carry. */
		if (util_utf8_chars(err, strlen(err)) < 0) {
			fail_msg("%s: the message is not UTF-8", h->what);
		}
		assert_contains(err, h->needle);
		if (h->needle2 != NULL) {
			assert_contains(err, h->needle2);
		}

		if (r != NULL) {
			/* The same state runs its other function, twice. */
			for (int k = 0; k < 2; k++) {
				if (h->stage == AT_CHECK) {
					assert_int_equal(run_decide(r, &v, err,
					                     sizeof(err)),
					    SK_OK);
					json_object_put(v);
					v = NULL;
				} else {
					assert_int_equal(
					    run_check(r, err, sizeof(err)),
					    SK_OK);
				}
			}
			plug_free(r);
		}
		assert_host_usable();
	}
}

/*
 * A message cut at the end of a buffer inside a character loses the
 * character, not its validity: no U+FFFD where the text was good.
 */
static void
test_error_cut_cleanly(void **state)
{
	static const char src[]
	    = RUBRIC("error(('\xe1\xbb\x87'):rep(400))", OK_DECIDE);
	struct plug_rubric *r;
	char                err[512];
	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_ERUBRIC);
	assert_true(util_utf8_chars(err, strlen(err)) > 100);
	assert_null(strstr(err, "\xef\xbf\xbd"));
	plug_free(r);
}

/* A rubric that catches the limit error cannot go on after it. */
static void
test_pcall_cannot_swallow_limit(void **state)
{
	static const char src[]
	    = RUBRIC("local ok = pcall(function() while true do end end) "
	             "return {tostring(ok)}",
	        OK_DECIDE);
	struct plug_rubric *r;
	char                err[512];
	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_ERUBRIC);
	assert_contains(err, "instruction limit");
	/* The next call has a fresh budget. */
	assert_int_equal(run_check(r, err, sizeof(err)), SK_ERUBRIC);
	assert_contains(err, "instruction limit");
	plug_free(r);
}

/* The default budget stops an endless loop; the time is a printed note. */
static void
test_endless_loop_timing(void **state)
{
	static const char   src[] = RUBRIC("while true do end", OK_DECIDE);
	struct plug_rubric *r;
	struct timespec     t0;
	char                err[512];
	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_ERUBRIC);
	double ms = ms_since(&t0);
	assert_contains(err, "instruction limit of 20000000 exceeded");
	printf("# note: an endless loop stopped after %.1f ms "
	       "(20 million instructions; target < 100 ms)\n",
	    ms);
	plug_free(r);

	/* Once tripped, a script that catches the error ends at once. */
	static const char catcher[] = RUBRIC(
	    "while true do pcall(function() while true do end end) end",
	    OK_DECIDE);
	struct plug_limits tiny = { 0, 1000, 600000 };
	assert_int_equal(plug_load("h.lua", catcher, strlen(catcher), &tiny,
	                     NULL, NULL, &r, err, sizeof(err)),
	    SK_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_ERUBRIC);
	ms = ms_since(&t0);
	assert_contains(err, "instruction limit of 1000 exceeded");
	printf(
	    "# note: from a trip to the return, through pcall: %.3f ms\n", ms);
	plug_free(r);
}

/* The wall-clock backstop stops what the budget does not see. */
static void
test_time_limit(void **state)
{
	static const char   src[] = RUBRIC("while true do end", OK_DECIDE);
	struct plug_limits  lim   = { 0, UINT64_MAX, 30 };
	struct plug_rubric *r;
	char                err[512];
	assert_int_equal(plug_load("h.lua", src, strlen(src), &lim, NULL, NULL,
	                     &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_ERUBRIC);
	assert_contains(err, "h.lua:4: time limit of 30 ms exceeded");
	plug_free(r);
}

/* The caps are configurable. */
static void
test_limits_configurable(void **state)
{
	static const char mem_src[]
	    = RUBRIC("local s = string.rep('x', 3 * 1024 * 1024)", OK_DECIDE);
	static const char loop_src[]
	    = RUBRIC("for i = 1, 10000 do end return {}", OK_DECIDE);
	struct plug_limits  small = { 2u << 20, 5000, 600000 };
	struct plug_rubric *r;
	char                err[512];

	assert_int_equal(plug_load("h.lua", mem_src, strlen(mem_src), &small,
	                     NULL, NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_ERUBRIC);
	assert_contains(err, "h.lua:4: memory limit of 2 MiB exceeded");
	plug_free(r);

	assert_int_equal(plug_load("h.lua", loop_src, strlen(loop_src), &small,
	                     NULL, NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_ERUBRIC);
	assert_contains(err, "instruction limit of 5000 exceeded");
	plug_free(r);

	/* A case too large for the cap fails while it is converted. */
	static const char ok_src[] = RUBRIC(OK_CHECK, OK_DECIDE);
	assert_int_equal(plug_load("h.lua", ok_src, strlen(ok_src), &small,
	                     NULL, NULL, &r, err, sizeof(err)),
	    SK_OK);
	char *big = malloc(3u << 20);
	assert_non_null(big);
	memset(big, 'x', (3u << 20) - 1);
	big[(3u << 20) - 1] = '\0';
	json_object *c      = json_object_new_object();
	json_object_object_add(c, "text", json_object_new_string(big));
	free(big);
	json_object *problems = NULL;
	assert_int_equal(
	    plug_check(r, c, "2024-01-01", &problems, err, sizeof(err)),
	    SK_ERUBRIC);
	assert_null(problems);
	assert_contains(err, "h.lua: memory limit of 2 MiB exceeded");
	json_object_put(c);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_OK);
	plug_free(r);

	/* The same loop fits the default budget. */
	assert_int_equal(plug_load("h.lua", loop_src, strlen(loop_src),
	                     &test_lim, NULL, NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_OK);
	plug_free(r);
}

/* string.rep of an empty string used to loop 2^62 times in C. */
static void
test_rep_of_nothing(void **state)
{
	static const char src[] = RUBRIC(
	    "return {string.rep('', 2^62), ('a'):rep(3, '-')}", OK_DECIDE);
	struct plug_rubric *r;
	json_object        *c = parse("{}"), *problems;
	char                err[512];
	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(
	    plug_check(r, c, "2024-01-01", &problems, err, sizeof(err)),
	    SK_OK);
	assert_string_equal(
	    json_object_to_json_string_ext(problems, JSON_C_TO_STRING_PLAIN),
	    "[\"\",\"a-a-a\"]");
	json_object_put(problems);
	json_object_put(c);
	plug_free(r);
}

/*
 * What rubrics do with patterns stays allowed: the cost guard refuses only
 * patterns that backtrack over long strings.
 */
static void
test_patterns_allowed(void **state)
{
	static const char src[] = RUBRIC(
	    "local y, m, d = ('2026-11-27'):match('^(%d+)-(%d+)-(%d+)$') "
	    "local big = ('word  \\t '):rep(8192) "
	    "local flat, k = big:gsub('%s+', ' ') "
	    "local words = 0 for w in big:gmatch('%a+') do words = words + 1 "
	    "end "
	    "local sec = (' '):rep(65535) .. 'x' "
	    "local mb = ('x'):rep(2^20) "
	    "local title = ('  Sáng kiến  '):match('^%s*(.-)%s*$') "
	    "return {y, m, d, #big .. '>' .. #flat .. '/' .. k, "
	    "tostring(words), tostring(sec:find('%S')), "
	    "tostring(string.find(sec, '%S')), "
	    "tostring(mb:find('needle', 1, true)), "
	    "tostring((mb .. 'needle'):find('needle', 1, true)), "
	    "tostring(mb:find('xy')), title, "
	    "(('1.0'):gsub('%.0$', ''):gsub('%.', ',')), "
	    "(('3.5'):gsub('%.0$', ''):gsub('%.', ','))}",
	    OK_DECIDE);
	struct plug_rubric *r;
	json_object        *c = parse("{}"), *problems;
	struct timespec     t0;
	char                err[512];
	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rv = plug_check(r, c, "2024-01-01", &problems, err, sizeof(err));
	if (rv != SK_OK) {
		fail_msg("%s", err);
	}
	printf("# note: the allowed patterns took %.1f ms\n", ms_since(&t0));
	assert_string_equal(
	    json_object_to_json_string_ext(problems, JSON_C_TO_STRING_PLAIN),
	    "[\"2026\",\"11\",\"27\",\"65536>40960\\/8192\",\"8192\","
	    "\"65536\",\"65536\",\"nil\",\"1048577\",\"nil\","
	    "\"Sáng kiến\",\"1\",\"3,5\"]");
	json_object_put(problems);
	json_object_put(c);
	plug_free(r);
}

/*
 * The guard weighs a pattern against what is left of the budget, and its
 * refusal is an ordinary error a rubric may catch.
 */
static void
test_pattern_budget(void **state)
{
	static const char src[]
	    = RUBRIC("local ok, e = pcall(string.find, ('a'):rep(300), 'a*b') "
	             "return {tostring(ok), tostring(e)}",
	        OK_DECIDE);
	struct plug_limits  small = { 0, 100000, 600000 };
	struct plug_rubric *r;
	json_object        *c = parse("{}"), *problems;
	char                err[512];

	/* 300 * 301 / 2 tries of 'b': fine with the default budget. */
	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(
	    plug_check(r, c, "2024-01-01", &problems, err, sizeof(err)),
	    SK_OK);
	assert_string_equal(
	    json_object_to_json_string_ext(problems, JSON_C_TO_STRING_PLAIN),
	    "[\"true\",\"nil\"]");
	json_object_put(problems);
	plug_free(r);

	/* Not with 100000 instructions; pcall catches the refusal. */
	assert_int_equal(plug_load("h.lua", src, strlen(src), &small, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(
	    plug_check(r, c, "2024-01-01", &problems, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(json_object_array_length(problems), 2);
	assert_string_equal(
	    json_object_get_string(json_object_array_get_idx(problems, 0)),
	    "false");
	assert_contains(
	    json_object_get_string(json_object_array_get_idx(problems, 1)),
	    "pattern too costly: about 2.3e+05 steps on a string of 300 "
	    "bytes");
	json_object_put(problems);
	json_object_put(c);
	plug_free(r);
}

/* JSON reaches the rubric as tables; the rubric table is the third arg. */
static void
test_arguments(void **state)
{
	static const char src[]
	    = "return {\n"
	      "id = 'h', title = 'H', extra = 'e',\n"
	      "criteria = {{id = 'a', label = 'A', max = 10}},\n"
	      "check = function(case, today, rubric)\n"
	      "return {case.title, today, tostring(#case.list), "
	      "tostring(case.list[2].n), tostring(case.flag), "
	      "tostring(case.nothing), rubric.id, rubric.extra, "
	      "math.type(case.n), tostring(case.x)}\n"
	      "end,\n"
	      "decide = function(ballots, council, rubric)\n"
	      "return {verdict = 'pending', reasons = {tostring(#ballots), "
	      "tostring(council.eligible), ballots[1].marks.a + 0.5 .. ''}, "
	      "extra = {1.5, 'x', true, 1 / 3}}\n"
	      "end }\n";
	struct plug_rubric *r;
	json_object        *c, *problems, *v;
	char                err[512];

	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	c = parse("{\"title\": \"Sáng kiến\", \"list\": [1, {\"n\": 2}], "
	          "\"flag\": false, \"nothing\": null, \"n\": 7, "
	          "\"x\": 0.25}");
	assert_int_equal(
	    plug_check(r, c, "2024-01-01", &problems, err, sizeof(err)),
	    SK_OK);
	assert_string_equal(
	    json_object_to_json_string_ext(problems, JSON_C_TO_STRING_PLAIN),
	    "[\"Sáng kiến\",\"2024-01-01\",\"2\",\"2\",\"false\",\"nil\","
	    "\"h\",\"e\",\"integer\",\"0.25\"]");
	json_object_put(problems);
	json_object_put(c);

	assert_int_equal(run_decide(r, &v, err, sizeof(err)), SK_OK);
	json_object *want = parse("{\"verdict\":\"pending\",\"reasons\":"
	                          "[\"1\",\"3\",\"5.5\"],\"extra\":[1.5,\"x\","
	                          "true,0.3333333333333333]}");
	assert_true(json_object_equal(v, want));
	json_object_put(want);
	json_object_put(v);

	assert_string_equal(plug_id(r), "h");
	assert_string_equal(plug_title(r), "H");
	assert_string_equal(json_object_to_json_string_ext(
	                        plug_criteria(r), JSON_C_TO_STRING_PLAIN),
	    "[{\"id\":\"a\",\"label\":\"A\",\"max\":10}]");
	plug_free(r);
}

/* xpcall keeps its meaning: results, or the handler's answer. */
static void
test_xpcall(void **state)
{
	static const char src[] = RUBRIC(
	    "local a, b, c = xpcall(function(x, y) return x + y, 'z' end, "
	    "error, 1, 2) "
	    "local d, e = xpcall(error, function(m) return 'h:' .. m end, "
	    "'boom', 0) "
	    "return {tostring(a), tostring(b), c, tostring(d), e}",
	    OK_DECIDE);
	struct plug_rubric *r;
	json_object        *c = parse("{}"), *problems;
	char                err[512];
	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(
	    plug_check(r, c, "2024-01-01", &problems, err, sizeof(err)),
	    SK_OK);
	assert_string_equal(
	    json_object_to_json_string_ext(problems, JSON_C_TO_STRING_PLAIN),
	    "[\"true\",\"3\",\"z\",\"false\",\"h:boom\"]");
	json_object_put(problems);
	json_object_put(c);
	plug_free(r);
}

/* text.length counts characters after NFC; text.syllables counts words. */
static void
test_text(void **state)
{
	static const char src[] = RUBRIC(
	    "local out = {} for _, s in ipairs(case.s) do "
	    "out[#out + 1] = text.length(s) .. '/' .. text.syllables(s) end "
	    "return out",
	    OK_DECIDE);
	static const char bad[]
	    = RUBRIC("return {tostring(text.length('\\xff'))}", OK_DECIDE);
	struct plug_rubric *r;
	json_object        *c, *problems;
	char                err[512];

	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	/*
	 * "Tiếng Việt" precomposed and decomposed (e + U+0302 + U+0301),
	 * punctuation, digits, an empty string, and white space only.
	 */
	c = parse("{\"s\": [\"Tiếng Việt\", "
	          "\"Tie\\u0302\\u0301ng Vie\\u0323\\u0302t\", "
	          "\"Sáng kiến, năm 2024: tốt!\", \"\", \" \\t\\n \", "
	          "\"COVID-19\"]}");
	assert_int_equal(
	    plug_check(r, c, "2024-01-01", &problems, err, sizeof(err)),
	    SK_OK);
	assert_string_equal(
	    json_object_to_json_string_ext(problems,
	        JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    "[\"10/2\",\"10/2\",\"25/5\",\"0/0\",\"4/0\",\"8/2\"]");
	json_object_put(problems);
	json_object_put(c);
	plug_free(r);

	assert_int_equal(plug_load("h.lua", bad, strlen(bad), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(run_check(r, err, sizeof(err)), SK_ERUBRIC);
	assert_contains(err, "h.lua:4: text.length: the text is not valid");
	plug_free(r);
}

/*
 * extend() with an in-memory resolver.
 */

struct mem_rubric {
	const char *id;
	const char *src;
};

static const struct mem_rubric mem_rubrics[] = {
	{ "base",
	    "local R = {id = 'base', title = 'Base', bar = 50,\n"
	    "criteria = {{id = 'a', label = 'A', max = 10}}}\n"
	    "R.check = function(c, t, rubric) return {} end\n"
	    "R.decide = function(b, c, rubric)\n"
	    "  return {verdict = 'pending', reasons = {rubric.id .. ' ' .. "
	    "rubric.bar}}\n"
	    "end\n"
	    "return R\n" },
	{ "self", "return extend('self', {})\n" },
	{ "broken", "return {\n" },
	{ "nontable", "return 42\n" },
};

static int
mem_resolve(void *arg, const char *id, const char **src, size_t *len,
    const char **chunkname)
{
	for (size_t i = 0; i < sizeof(mem_rubrics) / sizeof(mem_rubrics[0]);
	     i++) {
		if (strcmp(mem_rubrics[i].id, id) == 0) {
			*src       = mem_rubrics[i].src;
			*len       = strlen(*src);
			*chunkname = mem_rubrics[i].id;
			return (0);
		}
	}
	return (-1);
}

static int
load_ext(const char *src, struct plug_rubric **r, char *err, size_t errlen)
{
	return (plug_load("ext.lua", src, strlen(src), &test_lim, mem_resolve,
	    NULL, r, err, errlen));
}

static void
test_extend(void **state)
{
	struct plug_rubric *r;
	json_object        *v;
	char                err[512];

	/* Overrides replace the base's fields; decide sees the final table. */
	assert_int_equal(load_ext("return extend('base', {id = 'child', "
	                          "title = 'Child', bar = 75})",
	                     &r, err, sizeof(err)),
	    SK_OK);
	assert_string_equal(plug_id(r), "child");
	assert_string_equal(plug_title(r), "Child");
	assert_int_equal(run_decide(r, &v, err, sizeof(err)), SK_OK);
	assert_string_equal(
	    json_object_to_json_string_ext(
	        json_object_object_get(v, "reasons"), JSON_C_TO_STRING_PLAIN),
	    "[\"child 75\"]");
	json_object_put(v);
	plug_free(r);

	/* The result is the rubric's own table: it may add criteria. */
	assert_int_equal(load_ext("local R = extend('base', {id = 'c2'})\n"
	                          "table.insert(R.criteria, {id = 'b', label "
	                          "= 'B', max = 5})\nreturn R\n",
	                     &r, err, sizeof(err)),
	    SK_OK);
	assert_int_equal(json_object_array_length(plug_criteria(r)), 2);
	plug_free(r);

	assert_int_equal(load_ext("return extend('nosuch', {id = 'x'})", &r,
	                     err, sizeof(err)),
	    SK_ERUBRIC);
	assert_contains(err,
	    "ext.lua:1: extend: there is no rubric "
	    "\"nosuch\"");

	assert_int_equal(
	    load_ext("return extend('self', {})", &r, err, sizeof(err)),
	    SK_ERUBRIC);
	assert_contains(err, "more than 8 deep");

	assert_int_equal(
	    load_ext("return extend('broken', {})", &r, err, sizeof(err)),
	    SK_ERUBRIC);
	assert_contains(err, "broken:");
	assert_contains(err, "expected");

	assert_int_equal(
	    load_ext("return extend('nontable', {})", &r, err, sizeof(err)),
	    SK_ERUBRIC);
	assert_contains(err, "did not return a table");

	assert_int_equal(load_ext("return extend('../../etc/passwd', {})", &r,
	                     err, sizeof(err)),
	    SK_ERUBRIC);
	assert_contains(err, "is not a rubric id");

	/* Without a resolver there is nothing to extend. */
	assert_int_equal(plug_load("ext.lua", "return extend('base')", 21,
	                     &test_lim, NULL, NULL, &r, err, sizeof(err)),
	    SK_ERUBRIC);
	assert_contains(err, "base");
	assert_host_usable();
}

/* Host tables stay intact for the next call whatever a call attempted. */
static void
test_host_tables_intact(void **state)
{
	static const char src[] = RUBRIC(
	    "if case.attack then pcall(function() string.upper = nil end) "
	    "pcall(function() table.insert = nil end) "
	    "pcall(function() string.dump = 1 end) end "
	    "return {string.upper('ok'), tostring(rawget(string, 'upper')), "
	    "tostring(next(string))}",
	    OK_DECIDE);
	struct plug_rubric *r;
	json_object        *c, *problems;
	char                err[512];

	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	c = parse("{\"attack\": true}");
	for (int i = 0; i < 2; i++) {
		assert_int_equal(plug_check(r, c, "2024-01-01", &problems, err,
		                     sizeof(err)),
		    SK_OK);
		assert_string_equal(json_object_to_json_string_ext(
		                        problems, JSON_C_TO_STRING_PLAIN),
		    "[\"OK\",\"nil\",\"nil\"]");
		json_object_put(problems);
	}
	json_object_put(c);
	plug_free(r);
}

/* Many errors in a row do not leak memory inside the state. */
static void
test_state_survives_errors(void **state)
{
	static const char src[] = RUBRIC(
	    "if case.mode == 'mem' then local t = {} while true do "
	    "t[#t + 1] = ('x'):rep(1000) .. #t end elseif case.mode == 'loop' "
	    "then while true do end elseif case.mode == 'err' then "
	    "error('no') end return {'fine'}",
	    OK_DECIDE);
	const char         *modes[] = { "mem", "loop", "err", "ok" };
	struct plug_rubric *r;
	char                err[512];
	assert_int_equal(plug_load("h.lua", src, strlen(src), &test_lim, NULL,
	                     NULL, &r, err, sizeof(err)),
	    SK_OK);
	for (int round = 0; round < 3; round++) {
		for (int m = 0; m < 4; m++) {
			char         doc[64];
			json_object *problems = NULL, *c;
			snprintf(
			    doc, sizeof(doc), "{\"mode\": \"%s\"}", modes[m]);
			c      = parse(doc);
			int rv = plug_check(
			    r, c, "2024-01-01", &problems, err, sizeof(err));
			json_object_put(c);
			if (m == 3) {
				assert_int_equal(rv, SK_OK);
				assert_int_equal(
				    json_object_array_length(problems), 1);
				json_object_put(problems);
			} else {
				assert_int_equal(rv, SK_ERUBRIC);
				assert_contains(err, "h.lua:4:");
			}
		}
	}
	plug_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_pcall_cannot_swallow_limit),
		cmocka_unit_test(test_error_cut_cleanly),
		cmocka_unit_test(test_endless_loop_timing),
		cmocka_unit_test(test_time_limit),
		cmocka_unit_test(test_limits_configurable),
		cmocka_unit_test(test_rep_of_nothing),
		cmocka_unit_test(test_patterns_allowed),
		cmocka_unit_test(test_pattern_budget),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_xpcall),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_extend),
		cmocka_unit_test(test_host_tables_intact),
		cmocka_unit_test(test_state_survives_errors),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
