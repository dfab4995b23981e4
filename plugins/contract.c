/*
 * contract.c: the rubric contract (host.h, plug_load): the table a rubric
 * returns (id, title, criteria, check, decide) and its validation with
 * messages that say what is wrong, and the values that cross between JSON
 * and Lua, converted inside protected calls so that a memory error never
 * longjmps over a C frame that owns memory.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/util/json.h"
#include "plugins/impl.h"

/*
 * Shape of a rubric
 */

static int shape_fail(lua_State *L, struct plug_call *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Raises what is wrong with the rubric's table; plug_err adds the chunk's
 * name (no line: the table as a whole is at fault).
 */
static int
shape_fail(lua_State *L, struct plug_call *c, const char *fmt, ...)
{
	char    msg[PLUG_MSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lua_pushstring(L, msg);
	return (lua_error(L));
}

/* Pushes t[key] without metamethods; returns its type. */
static int
rawfield(lua_State *L, int t, const char *key)
{
	lua_pushstring(L, key);
	return (lua_rawget(L, t));
}

static bool
utf8_ok(const char *s, size_t len)
{
	return (util_utf8_chars(s, len) >= 0);
}

/* A non-empty UTF-8 string at the top, or NULL. */
static const char *
top_text(lua_State *L, size_t *len)
{
	if (lua_type(L, -1) != LUA_TSTRING) {
		return (NULL);
	}
	const char *s = lua_tolstring(L, -1, len);
	return (*len > 0 && utf8_ok(s, *len) ? s : NULL);
}

/* A number for JSON: the shortest text that reads back the same. */
static json_object *
json_number(double d)
{
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d) {
			break;
		}
	}
	return (json_object_new_double_s(d, buf));
}

static void
add_or_raise(lua_State *L, json_object *obj, const char *key, json_object *v)
{
	if (v == NULL || json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		luaL_error(L, "host: out of memory");
	}
}

/*
 * Checks criteria[i] (at the top) and appends its JSON to c->criteria;
 * seen is the index of the table of the ids met so far.
 */
static void
check_criterion(lua_State *L, struct plug_call *c, lua_Integer i, int seen)
{
	static const char *const fields[]
	    = { "id", "label", "max", "guide", NULL };
	int         t = lua_gettop(L);
	size_t      len;
	const char *s;

	if (lua_type(L, t) != LUA_TTABLE) {
		shape_fail(L, c,
		    "criteria[%lld] must be a table {id = ..., "
		    "label = ..., max = ...}",
		    (long long) i);
	}
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		lua_pop(L, 1);
		bool known = false;
		for (int k = 0; fields[k] != NULL; k++) {
			known = known
			    || (lua_type(L, -1) == LUA_TSTRING
			        && strcmp(lua_tostring(L, -1), fields[k])
			            == 0);
		}
		if (!known) {
			shape_fail(L, c,
			    "criteria[%lld] has an unknown field '%s' "
			    "(expected id, label, max, guide)",
			    (long long) i, host_key_str(L, -1));
		}
	}

	json_object *obj = json_object_new_object();
	if (obj == NULL || json_object_array_add(c->criteria, obj) != 0) {
		json_object_put(obj);
		luaL_error(L, "host: out of memory");
	}

	rawfield(L, t, "id");
	s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
	if (s == NULL || len != strlen(s) || !util_id_valid(s)) {
		shape_fail(L, c,
		    "criteria[%lld].id must be an id: 1 to 64 of a-z, 0-9, "
		    "'.', '_', '-', starting with a letter or digit",
		    (long long) i);
	}
	/* seen: id -> index, so that a repeated id is found in O(1). */
	lua_pushvalue(L, -1);
	if (lua_rawget(L, seen) != LUA_TNIL) {
		shape_fail(L, c,
		    "criteria[%lld].id \"%s\" is used twice (also by "
		    "criteria[%lld])",
		    (long long) i, s, (long long) lua_tointeger(L, -1));
	}
	lua_pop(L, 1);
	lua_pushvalue(L, -1);
	lua_pushinteger(L, i);
	lua_rawset(L, seen);
	add_or_raise(L, obj, "id", json_object_new_string(s));
	lua_pop(L, 1);

	rawfield(L, t, "label");
	if ((s = top_text(L, &len)) == NULL) {
		shape_fail(L, c,
		    "criteria[%lld].label must be a non-empty string",
		    (long long) i);
	}
	if (util_utf8_chars(s, len) > PLUG_MAX_LABEL) {
		shape_fail(L, c,
		    "criteria[%lld].label has %ld characters; at most %d",
		    (long long) i, util_utf8_chars(s, len), PLUG_MAX_LABEL);
	}
	add_or_raise(L, obj, "label", json_object_new_string_len(s, len));
	lua_pop(L, 1);

	rawfield(L, t, "max");
	double max = lua_tonumber(L, -1);
	if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(max) || max <= 0
	    || max > PLUG_MAX_MARK) {
		shape_fail(L, c,
		    "criteria[%lld].max must be a number greater than 0, "
		    "at most %d (got %s)",
		    (long long) i, PLUG_MAX_MARK,
		    lua_type(L, -1) == LUA_TNUMBER ? lua_tostring(L, -1)
		                                   : luaL_typename(L, -1));
	}
	add_or_raise(L, obj, "max",
	    lua_isinteger(L, -1) ? json_object_new_int64(lua_tointeger(L, -1))
	                         : json_number(max));
	lua_pop(L, 1);

	if (rawfield(L, t, "guide") != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TSTRING
		    || !utf8_ok(lua_tolstring(L, -1, &len), len)) {
			shape_fail(L, c,
			    "criteria[%lld].guide must be a string (UTF-8)",
			    (long long) i);
		}
		s = lua_tolstring(L, -1, &len);
		if (util_utf8_chars(s, len) > PLUG_MAX_GUIDE) {
			shape_fail(L, c,
			    "criteria[%lld].guide has %ld characters; at most "
			    "%d",
			    (long long) i, util_utf8_chars(s, len),
			    PLUG_MAX_GUIDE);
		}
		add_or_raise(
		    L, obj, "guide", json_object_new_string_len(s, len));
	}
	lua_settop(L, t);
}

/* Checks the rubric table at idx: id, title, criteria, check, decide. */
static void
check_shape(lua_State *L, struct plug_call *c, int idx)
{
	size_t      len;
	const char *s;

	if (lua_type(L, idx) != LUA_TTABLE) {
		shape_fail(L, c,
		    "the file must return a table (it returned %s); see "
		    "rubrics/README.md",
		    luaL_typename(L, idx));
	}
	rawfield(L, idx, "id");
	s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
	if (s == NULL || len != strlen(s) || !util_id_valid(s)) {
		shape_fail(L, c,
		    "id must be an id: 1 to 64 of a-z, 0-9, '.', '_', '-', "
		    "starting with a letter or digit");
	}
	snprintf(c->id, sizeof(c->id), "%s", s);
	lua_pop(L, 1);

	rawfield(L, idx, "title");
	if ((s = top_text(L, &len)) == NULL) {
		shape_fail(L, c, "title must be a non-empty string");
	}
	if (util_utf8_chars(s, len) > PLUG_MAX_LABEL) {
		shape_fail(L, c, "title has %ld characters; at most %d",
		    util_utf8_chars(s, len), PLUG_MAX_LABEL);
	}
	if ((c->title = strndup(s, len)) == NULL) {
		luaL_error(L, "host: out of memory");
	}
	lua_pop(L, 1);

	rawfield(L, idx, "criteria");
	int          crit = lua_gettop(L);
	lua_Unsigned n
	    = lua_type(L, crit) == LUA_TTABLE ? lua_rawlen(L, crit) : 0;
	if (n == 0) {
		shape_fail(L, c,
		    "criteria must be a non-empty list of criteria, "
		    "{ {id = ..., label = ..., max = ...}, ... }");
	}
	/* Refused before any work that grows with n. */
	if (n > PLUG_MAX_CRITERIA) {
		shape_fail(L, c, "criteria has %llu entries; at most %d",
		    (unsigned long long) n, PLUG_MAX_CRITERIA);
	}
	lua_Unsigned keys = 0;
	lua_pushnil(L);
	while (keys <= n && lua_next(L, crit) != 0) {
		lua_pop(L, 1);
		keys++;
	}
	if (keys != n) {
		shape_fail(L, c,
		    "criteria must be a list (1, 2, 3, ... with no named "
		    "fields or gaps)");
	}
	if ((c->criteria = json_object_new_array()) == NULL) {
		luaL_error(L, "host: out of memory");
	}
	lua_createtable(L, 0, (int) n); /* the ids seen */
	for (lua_Unsigned i = 1; i <= n; i++) {
		lua_rawgeti(L, crit, (lua_Integer) i);
		check_criterion(L, c, (lua_Integer) i, crit + 1);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);

	const char *fns[] = { "check", "decide" };
	for (int i = 0; i < 2; i++) {
		if (rawfield(L, idx, fns[i]) != LUA_TFUNCTION) {
			shape_fail(L, c, "%s must be a function (got %s)",
			    fns[i], luaL_typename(L, -1));
		}
		lua_setfield(
		    L, LUA_REGISTRYINDEX, i == 0 ? REG_CHECK : REG_DECIDE);
	}
	lua_pushvalue(L, idx);
	lua_setfield(L, LUA_REGISTRYINDEX, REG_RUBRIC);
}

int
l_host_load(lua_State *L)
{
	struct plug_call *c = lua_touserdata(L, 1);
	lua_settop(L, 0);
	host_run_chunk(L, c->src, c->len, c->chunkname);
	check_shape(L, c, 1);
	return (0);
}

/*
 * JSON -> Lua
 */

void
host_push_json(lua_State *L, json_object *j, int depth)
{
	if (depth > PLUG_MAX_JSON_DEPTH) {
		luaL_error(L, "host: the data is nested too deeply");
	}
	luaL_checkstack(L, 4, "host: the data is nested too deeply");
	switch (json_object_get_type(j)) {
	case json_type_null:
		lua_pushnil(L);
		break;
	case json_type_boolean:
		lua_pushboolean(L, json_object_get_boolean(j));
		break;
	case json_type_int:
		lua_pushinteger(L, json_object_get_int64(j));
		break;
	case json_type_double:
		lua_pushnumber(L, json_object_get_double(j));
		break;
	case json_type_string:
		lua_pushlstring(L, json_object_get_string(j),
		    (size_t) json_object_get_string_len(j));
		break;
	case json_type_array: {
		size_t n = json_object_array_length(j);
		lua_createtable(L, n > INT32_MAX ? 0 : (int) n, 0);
		for (size_t i = 0; i < n; i++) {
			host_push_json(
			    L, json_object_array_get_idx(j, i), depth + 1);
			lua_rawseti(L, -2, (lua_Integer) i + 1);
		}
		break;
	}
	case json_type_object: {
		lua_createtable(L, 0, json_object_object_length(j));
		struct json_object_iterator it  = json_object_iter_begin(j);
		struct json_object_iterator end = json_object_iter_end(j);
		while (!json_object_iter_equal(&it, &end)) {
			lua_pushstring(L, json_object_iter_peek_name(&it));
			host_push_json(
			    L, json_object_iter_peek_value(&it), depth + 1);
			lua_rawset(L, -3);
			json_object_iter_next(&it);
		}
		break;
	}
	}
}

/*
 * Lua -> JSON.  Each container is attached to its parent (or to c->out)
 * before it is filled, so whatever was made is freed by the caller if Lua
 * raises half-way.
 */

static int
conv_fail(lua_State *L, struct plug_call *c, const char *what)
{
	lua_pushfstring(L, "%s: the value %s returned%s%s %s", c->where, c->fn,
	    c->path[0] != '\0' ? " at " : "", c->path, what);
	return (lua_error(L));
}

static void
attach(lua_State *L, struct plug_call *c, json_object *parent, const char *key,
    json_object *v)
{
	if (parent == NULL) {
		c->out = v;
		return;
	}
	int rc = key != NULL ? json_object_object_add(parent, key, v)
	                     : json_object_array_add(parent, v);
	if (rc != 0) {
		json_object_put(v);
		luaL_error(L, "host: out of memory");
	}
}

static void
table_to_json(lua_State *L, struct plug_call *c, int idx, int depth,
    json_object *parent, const char *key)
{
	const void *self  = lua_topointer(L, idx);
	size_t      plen  = strlen(c->path);
	lua_Integer count = 0;
	bool        named = false, listed = false;

	if (depth > PLUG_MAX_DEPTH) {
		conv_fail(L, c, "is nested more than 32 tables deep");
	}
	for (int i = 0; i < depth - 1; i++) {
		if (c->seen[i] == self) {
			conv_fail(L, c, "contains itself (a cycle)");
		}
	}
	c->seen[depth - 1] = self;
	luaL_checkstack(L, 4, "host: nested too deeply");

	/* A list has the keys 1..n and nothing else; an object strings. */
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		count++;
		if (lua_type(L, -1) == LUA_TSTRING) {
			named = true;
		} else if (lua_isinteger(L, -1)) {
			listed = true;
		} else {
			lua_pop(L, 1);
			conv_fail(L, c,
			    "has a key that is not a string; keys must be "
			    "strings, or 1, 2, 3... for a list");
		}
	}
	if (named && listed) {
		conv_fail(L, c, "mixes list items with named fields");
	}
	if (!named) {
		for (lua_Integer i = 1; i <= count; i++) {
			if (lua_rawgeti(L, idx, i) == LUA_TNIL) {
				conv_fail(L, c,
				    "is a list with gaps (or keys that are "
				    "not "
				    "1, 2, 3...)");
			}
			lua_pop(L, 1);
		}
		json_object *arr = json_object_new_array();
		if (arr == NULL) {
			luaL_error(L, "host: out of memory");
		}
		attach(L, c, parent, key, arr);
		for (lua_Integer i = 1; i <= count; i++) {
			lua_rawgeti(L, idx, i);
			snprintf(c->path + plen, sizeof(c->path) - plen,
			    "[%lld]", (long long) i);
			host_to_json(L, c, lua_gettop(L), depth + 1, arr, NULL);
			c->path[plen] = '\0';
			lua_pop(L, 1);
		}
		return;
	}
	json_object *obj = json_object_new_object();
	if (obj == NULL) {
		luaL_error(L, "host: out of memory");
	}
	attach(L, c, parent, key, obj);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		size_t      klen;
		const char *k = lua_tolstring(L, -2, &klen);
		snprintf(c->path + plen, sizeof(c->path) - plen, "%s%s",
		    plen > 0 ? "." : "", k);
		if (klen != strlen(k) || !utf8_ok(k, klen)) {
			conv_fail(L, c, "has a key that is not UTF-8 text");
		}
		host_to_json(L, c, lua_gettop(L), depth + 1, obj, k);
		c->path[plen] = '\0';
		lua_pop(L, 1);
	}
}

void
host_to_json(lua_State *L, struct plug_call *c, int idx, int depth,
    json_object *parent, const char *key)
{
	json_object *v   = NULL;
	size_t       len = 0;
	const char  *s;

	/*
	 * The JSON is made with malloc, outside the cap: bound it (a value
	 * costs 8 bytes, a string its length, a key its length).
	 */
	if (lua_type(L, idx) == LUA_TSTRING) {
		(void) lua_tolstring(L, idx, &len);
	}
	c->size += 8 + len + (key != NULL ? strlen(key) : 0);
	if (c->size > PLUG_MAX_RESULT) {
		conv_fail(L, c, "is too large (more than 1 MiB as JSON)");
	}
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		break;
	case LUA_TBOOLEAN:
		v = json_object_new_boolean(lua_toboolean(L, idx));
		break;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			v = json_object_new_int64(lua_tointeger(L, idx));
		} else if (isfinite(lua_tonumber(L, idx))) {
			v = json_number(lua_tonumber(L, idx));
		} else {
			conv_fail(L, c, "is not a finite number (nan or inf)");
		}
		break;
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, &len);
		if (!utf8_ok(s, len)) {
			conv_fail(L, c, "is not valid UTF-8 text");
		}
		v = json_object_new_string_len(s, (int) len);
		break;
	case LUA_TTABLE:
		table_to_json(L, c, idx, depth, parent, key);
		return;
	default: {
		char what[128];
		snprintf(what, sizeof(what),
		    "is a %s; only strings, numbers, booleans and tables "
		    "can be returned",
		    luaL_typename(L, idx));
		conv_fail(L, c, what);
	}
	}
	if (v == NULL && lua_type(L, idx) != LUA_TNIL) {
		luaL_error(L, "host: out of memory");
	}
	attach(L, c, parent, key, v);
}

