/*
 * sandbox.c: the sandbox a rubric runs in, and its limits (impl.h): the
 * capped allocator, the instruction budget enforced by a count hook that
 * keeps firing, the wall-clock backstop, protected calls whose errors keep
 * file:line, the read-only views of the allowed libraries, a safe xpcall,
 * and the environment built from them (with extend).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

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

/*
 * Read-only views.  A proxy is an empty table whose metatable reads from
 * the real one (upvalue 1) and refuses writes; name (upvalue 2) is the
 * library's name, or nil for the globals.  Scripts cannot reach the
 * metatable: getmetatable and setmetatable are not given to them.
 */

const char *
host_key_str(lua_State *L, int idx)
{
	return (lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx)
	                                        : luaL_typename(L, idx));
}

static int
l_ro_index(lua_State *L)
{
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) {
		return (1);
	}
	if (lua_isnil(L, lua_upvalueindex(2))) {
		return (luaL_error(L,
		    "undefined global '%s' (rubrics have no files, network, "
		    "loaders or metatables)",
		    host_key_str(L, 2)));
	}
	return (luaL_error(L, "%s.%s is not available to rubrics",
	    lua_tostring(L, lua_upvalueindex(2)), host_key_str(L, 2)));
}

static int
l_ro_newindex(lua_State *L)
{
	if (lua_isnil(L, lua_upvalueindex(1))) {
		return (luaL_error(L,
		    "cannot set global '%s': rubrics may not change globals "
		    "(declare it with 'local')",
		    host_key_str(L, 2)));
	}
	return (luaL_error(L, "%s.%s is read-only",
	    lua_tostring(L, lua_upvalueindex(1)), host_key_str(L, 2)));
}

/* Pushes a read-only view of the table at idx. */
static void
push_proxy(lua_State *L, int idx, const char *name)
{
	idx = lua_absindex(L, idx);
	lua_newtable(L);
	lua_createtable(L, 0, 3);
	lua_pushvalue(L, idx);
	lua_pushstring(L, name); /* nil when name is NULL */
	lua_pushcclosure(L, l_ro_index, 2);
	lua_setfield(L, -2, "__index");
	lua_pushstring(L, name);
	lua_pushcclosure(L, l_ro_newindex, 1);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
}

/*
 * xpcall(f, handler, ...), made safe.  Lua runs a message handler before
 * the stack unwinds, and when the error comes from a hook it runs it with
 * hooks off: the handler of a script tripped by the instruction budget
 * could loop for ever.  Here the handler runs after f's protected call has
 * returned, with hooks on; scripts see the same results.
 */
static int
l_xpcall(lua_State *L)
{
	int n = lua_gettop(L);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	luaL_checkany(L, 1);
	luaL_checkstack(L, n, "too many arguments");
	lua_pushvalue(L, 1);
	for (int i = 3; i <= n; i++) {
		lua_pushvalue(L, i);
	}
	if (lua_pcall(L, n < 2 ? 0 : n - 2, LUA_MULTRET, 0) == LUA_OK) {
		lua_pushboolean(L, 1);
		lua_replace(L, n); /* the slot below the results, reused */
		return (lua_gettop(L) - n + 1);
	}
	lua_pushvalue(L, 2);
	lua_insert(L, -2);
	(void) lua_pcall(L, 1, 1, 0);
	lua_pushboolean(L, 0);
	lua_insert(L, -2);
	return (2);
}

/*
 * Loading chunks
 */

/* Pushes chunkname as Lua wants it: "@file" unless it has a prefix. */
static const char *
push_chunkname(lua_State *L, const char *name)
{
	if (name[0] == '@' || name[0] == '=') {
		return (lua_pushstring(L, name));
	}
	return (lua_pushfstring(L, "@%s", name));
}

/* Loads src as text in the sandbox and runs it; pushes its one result. */
void
host_run_chunk(lua_State *L, const char *src, size_t len, const char *name)
{
	const char *cn = push_chunkname(L, name);
	if (luaL_loadbufferx(L, src, len, cn, "t") != LUA_OK) {
		lua_error(L); /* the message says file:line */
	}
	lua_remove(L, -2);
	lua_getfield(L, LUA_REGISTRYINDEX, REG_ENV);
	if (lua_setupvalue(L, -2, 1) == NULL) {
		lua_pop(L, 1);
	}
	lua_call(L, 0, 1);
}

/*
 * extend(base_id, overrides): runs the base rubric in this state, in the
 * same sandbox and under the same limits, and returns a new table with the
 * base's fields, then every field of overrides in their place.
 */
static int
l_extend(lua_State *L)
{
	struct plug_rubric *r = host_rubric_of(L);
	size_t              idlen;
	const char         *id = luaL_checklstring(L, 1, &idlen);
	const char         *src, *name;
	size_t              len;

	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
	}
	lua_settop(L, 2);
	if (idlen != strlen(id) || !util_id_valid(id)) {
		return (
		    luaL_error(L, "extend: \"%s\" is not a rubric id", id));
	}
	if (r->resolve == NULL) {
		return (luaL_error(L,
		    "extend(\"%s\"): extend can only be used while the rubric "
		    "loads, not inside check or decide",
		    id));
	}
	if (r->extend_depth >= PLUG_MAX_EXTEND) {
		return (luaL_error(L,
		    "extend(\"%s\"): rubrics extend each other more than %d "
		    "deep (does one extend itself?)",
		    id, PLUG_MAX_EXTEND));
	}
	if (r->resolve(r->resolve_arg, id, &src, &len, &name) != 0) {
		return (luaL_error(
		    L, "extend: there is no rubric \"%s\" to extend", id));
	}
	r->extend_depth++;
	host_run_chunk(L, src, len, name != NULL ? name : id);
	r->extend_depth--;
	if (lua_type(L, -1) != LUA_TTABLE) {
		return (luaL_error(
		    L, "extend: rubric \"%s\" did not return a table", id));
	}
	lua_newtable(L); /* 4: the base's fields, then the overrides' */
	for (int from = 3; from >= 2; from--) {
		if (!lua_istable(L, from)) {
			continue;
		}
		lua_pushnil(L);
		while (lua_next(L, from) != 0) {
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_rawset(L, 4);
		}
	}
	return (1);
}

/*
 * Builds the sandbox: the allow list, the read-only views, the helpers.
 */
int
l_host_setup(lua_State *L)
{
	static const char *const base_names[] = { "assert", "error", "ipairs",
		"next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
		"select", "tonumber", "tostring", "type", "_VERSION", NULL };
	static const struct {
		const char   *name;
		lua_CFunction open;
	} libs[] = {
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
	};

	luaL_requiref(L, LUA_GNAME, luaopen_base, 0); /* 2: real globals */
	lua_newtable(L); /* 3: allowed */
	for (int i = 0; base_names[i] != NULL; i++) {
		lua_getfield(L, 2, base_names[i]);
		lua_setfield(L, 3, base_names[i]);
	}
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		luaL_requiref(L, libs[i].name, libs[i].open, 0);
		if (strcmp(libs[i].name, LUA_STRLIBNAME) == 0) {
			/* The real table stays the strings' __index. */
			lua_pushnil(L);
			lua_setfield(L, -2, "dump");
			host_wrap_charged(L, "rep", CHARGE_REP);
			host_wrap_charged(L, "find", CHARGE_FIND);
			host_wrap_charged(L, "match", CHARGE_MATCH);
			host_wrap_charged(L, "gmatch", CHARGE_GMATCH);
			host_wrap_charged(L, "gsub", CHARGE_GSUB);
		} else if (strcmp(libs[i].name, LUA_TABLIBNAME) == 0) {
			host_wrap_charged(L, "move", CHARGE_MOVE);
			host_wrap_charged(L, "insert", CHARGE_INSERT);
			host_wrap_charged(L, "remove", CHARGE_REMOVE);
			host_wrap_charged(L, "sort", CHARGE_SORT);
		}
		push_proxy(L, -1, libs[i].name);
		lua_setfield(L, 3, libs[i].name);
		lua_pop(L, 1);
	}
	host_text_open(L);
	push_proxy(L, -1, "text");
	lua_setfield(L, 3, "text");
	lua_pop(L, 1);
	lua_pushcfunction(L, l_xpcall);
	lua_setfield(L, 3, "xpcall");
	lua_pushcfunction(L, l_extend);
	lua_setfield(L, 3, "extend");

	push_proxy(L, 3, NULL); /* the _ENV of every chunk */
	lua_pushvalue(L, -1);
	lua_setfield(L, 3, "_G");
	lua_setfield(L, LUA_REGISTRYINDEX, REG_ENV);
	return (0);
}

