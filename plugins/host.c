/*
 * host.c: the Lua host that runs scoring rubrics, untrusted code written by
 * units' secretaries (ARCHITECTURE.md, "Lua plugins and rubrics").
 *
 * Each loaded rubric owns a lua_State made with lua_newstate and a capped
 * allocator.  Scripts see an allow list of libraries through read-only
 * proxies (Redis's src/script_lua.c is the model): base without loaders,
 * metatables or printing, string without dump, table, math, utf8, and the
 * host's own text and extend.  Chunks load as text only.  Every call runs
 * under a protected call with a message handler that keeps file:line, an
 * instruction budget enforced by a count hook that keeps firing once
 * tripped (so pcall cannot swallow it), a wall-clock backstop, and the
 * allocator cap.  Library functions whose work a count hook cannot see
 * (table.move, table.insert, string.rep...) are charged to the budget by
 * wrappers; allocations are charged too.  The pattern functions (find,
 * match, gmatch, gsub), which can backtrack for hours in one C call, first
 * bound their worst case from the pattern and the subject's length and
 * refuse a call that could overrun the budget (pat_guard).
 *
 * Every conversion between JSON and Lua runs inside a protected call, so a
 * memory error never longjmps over a C frame that owns memory: C objects
 * made while Lua may raise are anchored in a context the caller frees.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "plugins/impl.h"

/*
 * check and decide
 */

/* Pushes the registry's fn and records where it is defined in c->where. */
static void
push_fn(lua_State *L, struct plug_call *c, const char *reg)
{
	lua_Debug ar;
	lua_getfield(L, LUA_REGISTRYINDEX, reg);
	lua_pushvalue(L, -1);
	if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0) {
		snprintf(c->where, sizeof(c->where), "%s:%d", ar.short_src,
		    ar.linedefined);
	} else {
		snprintf(c->where, sizeof(c->where), "%s", c->r->chunk);
	}
}

static int
l_check(lua_State *L)
{
	struct plug_call *c = lua_touserdata(L, 1);
	lua_settop(L, 0);
	push_fn(L, c, REG_CHECK);
	host_push_json(L, c->arg1, 0);
	lua_pushstring(L, c->today);
	lua_getfield(L, LUA_REGISTRYINDEX, REG_RUBRIC);
	lua_call(L, 3, 1);
	host_to_json(L, c, 1, 1, NULL, NULL);
	return (0);
}

static int
l_decide(lua_State *L)
{
	struct plug_call *c = lua_touserdata(L, 1);
	lua_settop(L, 0);
	push_fn(L, c, REG_DECIDE);
	host_push_json(L, c->arg1, 0);
	host_push_json(L, c->arg2, 0);
	lua_getfield(L, LUA_REGISTRYINDEX, REG_RUBRIC);
	lua_call(L, 3, 1);
	host_to_json(L, c, 1, 1, NULL, NULL);
	return (0);
}

static int result_fail(struct plug_call *c, char *err, size_t errlen,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
result_fail(
    struct plug_call *c, char *err, size_t errlen, const char *fmt, ...)
{
	char    msg[PLUG_MSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err != NULL && errlen > 0) {
		snprintf(err, errlen, "%s: %s", c->where, msg);
	}
	json_object_put(c->out);
	c->out = NULL;
	return (SK_ERUBRIC);
}

/*
 * Checks that arr (check's problems, decide's reasons: what) is a list of at
 * most PLUG_MAX_LINES strings of at most PLUG_MAX_LINE characters each;
 * returns SK_OK or result_fail's error.
 */
static int
check_lines(struct plug_call *c, json_object *arr, const char *what,
    char *err, size_t errlen)
{
	size_t n = json_object_array_length(arr);
	if (n > PLUG_MAX_LINES) {
		return (result_fail(c, err, errlen,
		    "%s returned %zu %s; at most %d", c->fn, n, what,
		    PLUG_MAX_LINES));
	}
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string)) {
			return (result_fail(c, err, errlen,
			    "%s must return a list of strings; %s[%zu] is not "
			    "a string",
			    c->fn, what, i + 1));
		}
		long chars = util_utf8_chars(json_object_get_string(v),
		    (size_t) json_object_get_string_len(v));
		if (chars > PLUG_MAX_LINE) {
			return (result_fail(c, err, errlen,
			    "%s[%zu] has %ld characters; at most %d", what,
			    i + 1, chars, PLUG_MAX_LINE));
		}
	}
	return (SK_OK);
}

/*
 * Every message leaves the host as valid UTF-8: a Lua error may carry any
 * bytes the rubric put in it.
 */
static int
finish(int rv, char *err, size_t errlen)
{
	if (rv != SK_OK && err != NULL && errlen > 0) {
		char raw[PLUG_MSG * 2];
		snprintf(raw, sizeof(raw), "%s", err);
		(void) util_utf8_clean(err, errlen, raw, strlen(raw));
	}
	return (rv);
}

/*
 * Public API
 */

static void
set_err(char *err, size_t errlen, const char *msg, const char *name)
{
	if (err != NULL && errlen > 0) {
		snprintf(err, errlen, "%s: %s", name, msg);
	}
}

int
plug_load(const char *chunkname, const char *src, size_t len,
    const struct plug_limits *lim, plug_resolve_fn resolve, void *arg,
    struct plug_rubric **out, char *err, size_t errlen)
{
	struct plug_rubric *r;
	struct plug_call    c;
	int                 rv;

	*out = NULL;
	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		set_err(err, errlen, "out of memory", chunkname);
		return (SK_EINTERNAL);
	}
	const char *name = chunkname[0] == '@' || chunkname[0] == '='
	    ? chunkname + 1
	    : chunkname;
	r->mem_cap       = lim != NULL && lim->mem_bytes > 0 ? lim->mem_bytes
	                                                     : PLUG_DEFAULT_MEM;
	r->budget        = lim != NULL && lim->instructions > 0
	           ? lim->instructions
	           : PLUG_DEFAULT_INSTRUCTIONS;
	r->time_ns       = (uint64_t) (lim != NULL && lim->time_ms > 0
	                           ? lim->time_ms
	                           : PLUG_DEFAULT_TIME_MS)
	    * 1000000u;
	r->step
	    = r->budget < PLUG_HOOK_STEP ? (int) r->budget : PLUG_HOOK_STEP;
	if ((r->chunk = strdup(name)) == NULL
	    || (r->L = lua_newstate(host_alloc, r)) == NULL) {
		set_err(err, errlen, "cannot create a Lua state", name);
		plug_free(r);
		return (SK_EINTERNAL);
	}
	lua_atpanic(r->L, l_host_panic);
	if ((rv = host_run(r, l_host_setup, NULL, err, errlen)) != SK_OK) {
		plug_free(r);
		return (finish(rv, err, errlen));
	}

	memset(&c, 0, sizeof(c));
	c.r             = r;
	c.src           = src;
	c.len           = len;
	c.chunkname     = chunkname;
	r->resolve      = resolve;
	r->resolve_arg  = arg;
	r->extend_depth = 0;
	rv              = host_run(r, l_host_load, &c, err, errlen);
	r->resolve      = NULL;
	r->resolve_arg  = NULL;
	if (rv != SK_OK) {
		json_object_put(c.criteria);
		free(c.title);
		plug_free(r);
		return (finish(rv, err, errlen));
	}
	r->criteria = c.criteria;
	r->title    = c.title;
	memcpy(r->id, c.id, sizeof(r->id));
	*out = r;
	return (SK_OK);
}

void
plug_free(struct plug_rubric *r)
{
	if (r == NULL) {
		return;
	}
	if (r->L != NULL) {
		lua_close(r->L);
	}
	json_object_put(r->criteria);
	free(r->title);
	free(r->chunk);
	free(r);
}

const char *
plug_id(const struct plug_rubric *r)
{
	return (r->id);
}

const char *
plug_title(const struct plug_rubric *r)
{
	return (r->title);
}

json_object *
plug_criteria(const struct plug_rubric *r)
{
	return (r->criteria);
}

int
plug_check(struct plug_rubric *r, json_object *case_doc, const char *today,
    json_object **problems, char *err, size_t errlen)
{
	struct plug_call c;
	int              rv;

	*problems = NULL;
	memset(&c, 0, sizeof(c));
	c.r     = r;
	c.fn    = "check";
	c.arg1  = case_doc;
	c.today = today;
	if ((rv = host_run(r, l_check, &c, err, errlen)) != SK_OK) {
		json_object_put(c.out);
		return (finish(rv, err, errlen));
	}
	if (!json_object_is_type(c.out, json_type_array)) {
		return (finish(result_fail(&c, err, errlen,
		                   "check must return a list of problems "
		                   "(strings), {} when the case is complete"),
		    err, errlen));
	}
	if ((rv = check_lines(&c, c.out, "problems", err, errlen)) != SK_OK) {
		return (finish(rv, err, errlen));
	}
	*problems = c.out;
	return (SK_OK);
}

/* plug_decide, before finish. */
static int
decide(struct plug_rubric *r, json_object *ballots, json_object *council,
    json_object **verdict, char *err, size_t errlen)
{
	struct plug_call c;
	json_object     *v, *score, *reasons = NULL;
	const char      *word;
	int              rv;

	*verdict = NULL;
	memset(&c, 0, sizeof(c));
	c.r    = r;
	c.fn   = "decide";
	c.arg1 = ballots;
	c.arg2 = council;
	if ((rv = host_run(r, l_decide, &c, err, errlen)) != SK_OK) {
		json_object_put(c.out);
		return (rv);
	}
	if (!json_object_is_type(c.out, json_type_object)) {
		return (result_fail(&c, err, errlen,
		    "decide must return a table {verdict = ..., score = ..., "
		    "reasons = {...}}"));
	}
	if (!json_object_object_get_ex(c.out, "verdict", &v)
	    || !json_object_is_type(v, json_type_string)) {
		return (result_fail(&c, err, errlen,
		    "decide must return a verdict: \"pass\", \"fail\" or "
		    "\"pending\""));
	}
	word = json_object_get_string(v);
	if (strcmp(word, "pass") != 0 && strcmp(word, "fail") != 0
	    && strcmp(word, "pending") != 0) {
		return (result_fail(&c, err, errlen,
		    "decide returned verdict \"%.40s\"; it must be \"pass\", "
		    "\"fail\" or \"pending\"",
		    word));
	}
	bool has_score = json_object_object_get_ex(c.out, "score", &score)
	    && score != NULL;
	if (has_score && !json_object_is_type(score, json_type_int)
	    && !json_object_is_type(score, json_type_double)) {
		return (result_fail(
		    &c, err, errlen, "decide's score must be a number"));
	}
	if (has_score
	    && !(json_object_get_double(score) >= -PLUG_MAX_SCORE
	        && json_object_get_double(score) <= PLUG_MAX_SCORE)) {
		return (result_fail(&c, err, errlen,
		    "decide's score must be from -1e9 to 1e9 (got %g)",
		    json_object_get_double(score)));
	}
	if (!has_score && strcmp(word, "pending") != 0) {
		return (result_fail(&c, err, errlen,
		    "decide must give a score with a \"%s\" verdict", word));
	}
	if (json_object_object_get_ex(c.out, "reasons", &reasons)
	    && reasons != NULL) {
		if (!json_object_is_type(reasons, json_type_array)) {
			return (result_fail(&c, err, errlen,
			    "decide's reasons must be a list of strings"));
		}
		if ((rv = check_lines(&c, reasons, "reasons", err, errlen))
		    != SK_OK) {
			return (rv);
		}
	} else {
		if ((reasons = json_object_new_array()) == NULL
		    || json_object_object_add(c.out, "reasons", reasons)
		        != 0) {
			json_object_put(reasons);
			return (result_fail(&c, err, errlen, "out of memory"));
		}
	}
	if (strcmp(word, "fail") == 0) {
		bool given = false;
		for (size_t i = 0; i < json_object_array_length(reasons);
		     i++) {
			const char *s = json_object_get_string(
			    json_object_array_get_idx(reasons, i));
			while (*s != '\0' && isspace((unsigned char) *s)) {
				s++;
			}
			given = given || *s != '\0';
		}
		if (!given) {
			return (result_fail(&c, err, errlen,
			    "a refusal must give reasons (decide returned "
			    "\"fail\" with no reasons)"));
		}
	}
	*verdict = c.out;
	return (SK_OK);
}

int
plug_decide(struct plug_rubric *r, json_object *ballots, json_object *council,
    json_object **verdict, char *err, size_t errlen)
{
	return (finish(
	    decide(r, ballots, council, verdict, err, errlen), err, errlen));
}
