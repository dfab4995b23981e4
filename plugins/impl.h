/*
 * impl.h: the Lua host's private header, for the files of plugins/ only;
 * host.h is the public API.
 *
 * The files, a concern each:
 *   host.c      the public API: load a rubric, call check and decide
 *   sandbox.c   the limits: the capped allocator, the instruction budget
 *               and its hook, protected calls with file:line
 *   env.c       the environment a chunk runs in: the allow list, read-only
 *               library views, xpcall, loading chunks, extend
 *   charge.c    charging C library calls a count hook cannot see, and the
 *               pattern functions' worst-case guard
 *   contract.c  the rubric contract: the table a rubric returns and its
 *               validation, and values between JSON and Lua
 *   text.c      the text library offered to rubrics
 */
#ifndef SK_PLUGIN_IMPL_H
#define SK_PLUGIN_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <lua.h>

#include "plugins/host.h"

#define PLUG_DEFAULT_MEM (64u << 20)
#define PLUG_DEFAULT_INSTRUCTIONS 20000000u /* about 40 to 80 ms */
#define PLUG_DEFAULT_TIME_MS 100u
#define PLUG_HOOK_STEP 1000 /* instructions between hook calls */
#define PLUG_ALLOC_CHARGE 16 /* bytes allocated per instruction charged */
#define PLUG_MAX_DEPTH 32 /* nesting of a value a rubric returns */
#define PLUG_MAX_JSON_DEPTH 64 /* nesting of a value given to a rubric */
#define PLUG_MAX_EXTEND 8 /* depth of extend() inside extend() */
#define PLUG_WHERE 160 /* "file:line" */
#define PLUG_MSG 320
#define PLUG_MAX_RESULT (1u << 20) /* bytes of a returned value, about */
/*
 * A pcall (or xpcall) costs a setjmp, and its error a longjmp and the
 * unwinding: some hundreds of nanoseconds, where an instruction costs a
 * few.  Charged this many instructions, a loop of pcall(error, 'x') meets
 * the budget as soon as a loop of plain instructions would.
 */
#define PLUG_PCALL_CHARGE 100

/* Registry keys. */
#define REG_ENV "sk.env"
#define REG_RUBRIC "sk.rubric"
#define REG_CHECK "sk.check"
#define REG_DECIDE "sk.decide"

struct plug_rubric {
	lua_State   *L;
	char        *chunk; /* the rubric's chunk name, for messages */
	char         id[UTIL_MAX_ID + 1];
	char        *title;
	json_object *criteria;

	/* Allocator: mem_used <= mem_cap always. */
	size_t mem_used;
	size_t mem_cap;
	bool   mem_refused; /* an allocation failed this call */
	char   mem_where[PLUG_WHERE]; /* where the last one failed, or "" */

	/*
	 * Limits of the call in progress (in_call).  Once tripped, the hook
	 * fires at every instruction and raises trip_msg again, so a script
	 * that catches the error with pcall cannot go on.
	 */
	bool     in_call;
	uint64_t budget;
	uint64_t spent;
	int      step;
	uint64_t time_ns;
	uint64_t deadline;
	bool     armed; /* the hook fires at every instruction */
	bool     tripped;
	char     trip_msg[PLUG_MSG];

	/* Only while plug_load runs: how extend() finds other rubrics. */
	plug_resolve_fn resolve;
	void           *resolve_arg;
	int             extend_depth;
};

/* What a protected call works on; C objects made inside are anchored here. */
struct plug_call {
	struct plug_rubric *r;
	/* plug_load */
	const char  *src;
	size_t       len;
	const char  *chunkname;
	char        *title;
	json_object *criteria;
	char         id[UTIL_MAX_ID + 1];
	/* plug_check, plug_decide */
	const char  *fn; /* "check" or "decide" */
	json_object *arg1;
	json_object *arg2;
	const char  *today;
	json_object *out;
	char         where[PLUG_WHERE]; /* where fn is defined */
	/* Lua -> JSON: the tables on the current path, and the path. */
	const void *seen[PLUG_MAX_DEPTH + 1];
	char        path[128];
	size_t      size; /* of the JSON made so far, about */
};

/* The limits (sandbox.c). */

/* The rubric whose state L is. */
struct plug_rubric *host_rubric_of(lua_State *L);
/* Charges n instructions of work a count hook cannot see to the budget;
 * raises the limit error from a C function when it is spent. */
void host_charge(lua_State *L, uint64_t n);
/* The allocator (a lua_Alloc): lauxlib's with a cap, charged. */
void *host_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
int   l_host_panic(lua_State *L);
/* Runs fn(ctx) as a protected call under the limits; SK_OK, or
 * SK_ERUBRIC with file:line in err.  The state stays usable. */
int host_run(struct plug_rubric *r, lua_CFunction fn, void *ctx, char *err,
    size_t errlen);
/* The environment (env.c). */

/* The key at idx as text for a message (its type name if not a string). */
const char *host_key_str(lua_State *L, int idx);
/* Loads src as text in the sandbox and runs it; pushes its one result. */
void host_run_chunk(lua_State *L, const char *src, size_t len,
    const char *name);
/* Builds the sandbox: the allow list, the read-only views, the helpers. */
int l_host_setup(lua_State *L);

/* Library functions charged before they run (charge.c). */
enum charge_kind {
	CHARGE_REP,
	CHARGE_MOVE,
	CHARGE_INSERT,
	CHARGE_REMOVE,
	CHARGE_SORT,
	CHARGE_FIND, /* the pattern functions: see pat_guard */
	CHARGE_MATCH,
	CHARGE_GMATCH,
	CHARGE_GSUB,
	CHARGE_PCALL, /* a flat PLUG_PCALL_CHARGE */
};
/* Replaces lib[name] (lib at the top) by a charged wrapper of itself. */
void host_wrap_charged(lua_State *L, const char *name, enum charge_kind kind);

/* Pushes a new table of the text library's functions (text.c). */
void host_text_open(lua_State *L);

/* The contract (contract.c). */

/* Loads the rubric of the plug_call at index 1 and checks its shape. */
int l_host_load(lua_State *L);
/* Pushes j as a Lua value (depth: how deep j is). */
void host_push_json(lua_State *L, json_object *j, int depth);
/* Converts the value at idx to JSON, added to parent under key (or
 * appended when key is NULL); raises what is wrong, naming c->path. */
void host_to_json(lua_State *L, struct plug_call *c, int idx, int depth,
    json_object *parent, const char *key);

#endif
