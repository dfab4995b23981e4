/*
 * env.c: the environment a rubric's chunk runs in (impl.h): an allow list
 * of libraries seen through read-only views (Redis's src/script_lua.c is
 * the model), the charged library wrappers (charge.c), the text library
 * (text.c), a safe xpcall, loading chunks as text only, and extend.
 */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "core/util/json.h"
#include "plugins/impl.h"

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
	host_charge(L, PLUG_PCALL_CHARGE);
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
	host_wrap_charged(L, "pcall", CHARGE_PCALL);
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

