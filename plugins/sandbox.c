/*
 * sandbox.c: the limits a rubric runs under (impl.h): the capped
 * allocator, the instruction budget enforced by a count hook that keeps
 * firing, the wall-clock backstop, and protected calls whose errors keep
 * file:line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "plugins/impl.h"

struct plug_rubric *
host_rubric_of(lua_State *L)
{
	void *ud;
	(void) lua_getallocf(L, &ud);
	return (ud);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

/* Formats "file:line" of the innermost Lua function running; false if none. */
static bool
innermost_where(lua_State *L, char *buf, size_t len)
{
	lua_Debug ar;
	for (int level = 0; lua_getstack(L, level, &ar); level++) {
		if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
			snprintf(
			    buf, len, "%s:%d", ar.short_src, ar.currentline);
			return (true);
		}
	}
	return (false);
}

/*
 * True if msg starts with "name:123:", a position Lua or the host added
 * (the name may hold colons, not blanks).
 */
static bool
has_position(const char *msg)
{
	for (const char *p = msg; *p != '\0' && !isspace((unsigned char) *p);
	     p++) {
		if (*p != ':' || p == msg || !isdigit((unsigned char) p[1])) {
			continue;
		}
		const char *q = p + 1;
		while (isdigit((unsigned char) *q)) {
			q++;
		}
		if (*q == ':') {
			return (true);
		}
	}
	return (false);
}

static void
mem_limit_str(const struct plug_rubric *r, char *buf, size_t len)
{
	if (r->mem_cap % (1u << 20) == 0) {
		snprintf(buf, len, "memory limit of %zu MiB exceeded",
		    r->mem_cap >> 20);
	} else {
		snprintf(buf, len, "memory limit of %zu bytes exceeded",
		    r->mem_cap);
	}
}

/*
 * Limits
 */

/*
 * Records that the call went over a limit, with the message every later
 * instruction of the call raises.  where: the position, or "" or NULL for
 * the rubric's name.
 */
static void
trip(struct plug_rubric *r, const char *where, bool budget)
{
	if (r->tripped) {
		return;
	}
	r->tripped = true;
	if (where == NULL || where[0] == '\0') {
		where = r->chunk;
	}
	if (budget) {
		snprintf(r->trip_msg, sizeof(r->trip_msg),
		    "%s: instruction limit of %llu exceeded (an endless "
		    "loop?)",
		    where, (unsigned long long) r->budget);
	} else {
		snprintf(r->trip_msg, sizeof(r->trip_msg),
		    "%s: time limit of %llu ms exceeded", where,
		    (unsigned long long) (r->time_ns / 1000000u));
	}
}

static void l_hook(lua_State *L, lua_Debug *ar);

/*
 * Makes the hook fire at every instruction from the next one on: safe even
 * inside the allocator, as lua.c sets a hook from a signal handler.
 */
static void
arm(struct plug_rubric *r)
{
	if (!r->armed) {
		r->armed = true;
		lua_sethook(r->L, l_hook, LUA_MASKCOUNT, 1);
	}
}

static void
l_hook(lua_State *L, lua_Debug *ar)
{
	struct plug_rubric *r = host_rubric_of(L);
	if (!r->tripped) {
		r->spent += (uint64_t) r->step;
		bool over = r->spent >= r->budget;
		if (!over && now_ns() < r->deadline) {
			return;
		}
		char where[PLUG_WHERE] = "";
		if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0) {
			snprintf(where, sizeof(where), "%s:%d", ar->short_src,
			    ar->currentline);
		}
		trip(r, where, over);
		arm(r);
	}
	lua_pushstring(L, r->trip_msg);
	lua_error(L);
}

/*
 * Charges work a count hook cannot see to the budget; raises the limit
 * error from a C function when it is spent.
 */
void
host_charge(lua_State *L, uint64_t n)
{
	struct plug_rubric *r = host_rubric_of(L);
	if (!r->in_call) {
		return;
	}
	r->spent = n > UINT64_MAX - r->spent ? UINT64_MAX : r->spent + n;
	if (r->spent >= r->budget || r->tripped) {
		char where[PLUG_WHERE] = "";
		(void) innermost_where(L, where, sizeof(where));
		trip(r, where, true);
		arm(r);
		lua_pushstring(L, r->trip_msg);
		lua_error(L);
	}
}

/*
 * The allocator: lauxlib's l_alloc with a cap.  A refusal is recorded with
 * where it happened (lua_getstack and lua_getinfo only read the stack);
 * allocations are also charged to the budget, since copying a large string
 * is one instruction.
 */
void *
host_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct plug_rubric *r = ud;
	if (ptr == NULL) {
		osize = 0; /* then osize tells the kind of object */
	}
	if (nsize == 0) {
		free(ptr);
		r->mem_used -= osize;
		return (NULL);
	}
	if (nsize > osize && nsize - osize > r->mem_cap - r->mem_used) {
		if (r->in_call) {
			r->mem_refused  = true;
			r->mem_where[0] = '\0';
			(void) innermost_where(
			    r->L, r->mem_where, sizeof(r->mem_where));
		}
		return (NULL);
	}
	void *p = realloc(ptr, nsize);
	if (p == NULL) {
		return (NULL);
	}
	r->mem_used = r->mem_used - osize + nsize;
	if (nsize > osize && r->in_call) {
		r->spent += (nsize - osize) / PLUG_ALLOC_CHARGE;
		if (r->spent >= r->budget) {
			arm(r);
		}
	}
	return (p);
}

int
l_host_panic(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);
	fprintf(stderr, "sangkien: Lua panic (a host bug): %s\n",
	    msg != NULL ? msg : "?");
	return (0); /* Lua aborts */
}

/*
 * The message handler of every call (lua.c's msghandler without the
 * traceback): a string with file:line, whatever was raised.
 */
static int
l_msgh(lua_State *L)
{
	struct plug_rubric *r   = host_rubric_of(L);
	const char         *msg = NULL;
	char                where[PLUG_WHERE];
	if (lua_type(L, 1) == LUA_TSTRING) {
		msg = lua_tostring(L, 1);
	} else if (lua_type(L, 1) == LUA_TNUMBER) {
		msg = lua_pushfstring(L, "%s", lua_tostring(L, 1));
	} else {
		msg = lua_pushfstring(
		    L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	/* lauxlib's buffers raise a plain error when memory is refused. */
	if (r->mem_refused && strcmp(msg, "not enough memory") == 0) {
		char lim[64];
		mem_limit_str(r, lim, sizeof(lim));
		msg = lua_pushstring(L, lim);
	}
	if (!has_position(msg) && innermost_where(L, where, sizeof(where))) {
		msg = lua_pushfstring(L, "%s: %s", where, msg);
	}
	return (1);
}

/*
 * The one place a Lua status becomes the project's error (with the
 * message left on the stack by the handler).
 */
static int
plug_err(struct plug_rubric *r, int status, char *err, size_t errlen)
{
	char buf[PLUG_MSG];
	if (status == LUA_OK) {
		return (SK_OK);
	}
	if (r->tripped) {
		snprintf(buf, sizeof(buf), "%s", r->trip_msg);
	} else if (status == LUA_ERRMEM
	    || (status == LUA_ERRERR && r->mem_refused)) {
		char lim[64];
		mem_limit_str(r, lim, sizeof(lim));
		snprintf(buf, sizeof(buf), "%s: %s",
		    r->mem_where[0] != '\0' ? r->mem_where : r->chunk, lim);
	} else {
		const char *msg = lua_type(r->L, -1) == LUA_TSTRING
		    ? lua_tostring(r->L, -1)
		    : "unknown error";
		if (has_position(msg)) {
			snprintf(buf, sizeof(buf), "%s", msg);
		} else {
			snprintf(buf, sizeof(buf), "%s: %s", r->chunk, msg);
		}
	}
	if (err != NULL && errlen > 0) {
		snprintf(err, errlen, "%s", buf);
	}
	return (SK_ERUBRIC);
}

/*
 * Runs fn(ctx) as a protected call under the limits.  The state stays
 * usable after any failure: the limits are reset on each call, and a full
 * collection gives back what a failed call left.
 */
int
host_run(struct plug_rubric *r, lua_CFunction fn, void *ctx, char *err,
    size_t errlen)
{
	lua_State *L    = r->L;
	int        base = lua_gettop(L);

	r->in_call      = true;
	r->spent        = 0;
	r->armed        = false;
	r->tripped      = false;
	r->mem_refused  = false;
	r->mem_where[0] = '\0';
	r->deadline     = now_ns() + r->time_ns;
	lua_sethook(L, l_hook, LUA_MASKCOUNT, r->step);

	/* None of these allocate: light C functions, a light userdata. */
	lua_pushcfunction(L, l_msgh);
	lua_pushcfunction(L, fn);
	lua_pushlightuserdata(L, ctx);
	int status = lua_pcall(L, 1, 0, base + 1);

	lua_sethook(L, NULL, 0, 0);
	r->in_call = false;
	int rv     = plug_err(r, status, err, errlen);
	lua_settop(L, base);
	if (status != LUA_OK) {
		lua_gc(L, LUA_GCCOLLECT);
	}
	return (rv);
}
