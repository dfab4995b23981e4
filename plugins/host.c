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
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <utf8proc.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "plugins/host.h"

#define PLUG_DEFAULT_MEM (64u << 20)
#define PLUG_DEFAULT_INSTRUCTIONS 50000000u
#define PLUG_DEFAULT_TIME_MS 2000u
#define PLUG_HOOK_STEP 1000 /* instructions between hook calls */
#define PLUG_ALLOC_CHARGE 16 /* bytes allocated per instruction charged */
#define PLUG_MAX_DEPTH 32 /* nesting of a value a rubric returns */
#define PLUG_MAX_JSON_DEPTH 64 /* nesting of a value given to a rubric */
#define PLUG_MAX_EXTEND 8 /* depth of extend() inside extend() */
#define PLUG_WHERE 160 /* "file:line" */
#define PLUG_MSG 320
#define PLUG_MAX_RESULT (1u << 20) /* bytes of a returned value, about */

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

static struct plug_rubric *
rubric_of(lua_State *L)
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
	struct plug_rubric *r = rubric_of(L);
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
static void
charge(lua_State *L, uint64_t n)
{
	struct plug_rubric *r = rubric_of(L);
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
static void *
l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
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

static int
l_panic(lua_State *L)
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
	struct plug_rubric *r   = rubric_of(L);
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
static int
plug_run(struct plug_rubric *r, lua_CFunction fn, void *ctx, char *err,
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
 * Library wrappers: charge what a count hook cannot see, then run the
 * original function in the same frame (so its error messages name it).
 */

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
};

static uint64_t
span(lua_Integer from, lua_Integer to)
{
	return (to >= from ? (uint64_t) to - (uint64_t) from + 1 : 0);
}

/*
 * The pattern functions (find, match, gmatch, gsub) backtrack inside one C
 * call, where the count hook cannot stop them: ("a"):rep(1e6):find("a*b")
 * takes n^2 steps and ".-.-.-x" n^4.  So before the real function runs,
 * its worst case is bounded from the pattern and the length n of the
 * subject (from init): a call that could take more steps than are left in
 * the budget is refused, any other is charged n * (q + 1) and runs.  The
 * bound is for the worst subject of that length, not the one given: the
 * texts a rubric reads are written by the cases' authors.
 *
 * Lua's matcher tries the pattern at each start (once if anchored by "^"),
 * and after a quantified item (x* x+ x- x?) tries the rest of the pattern
 * at each extent of that item in turn.  There is no alternation: once the
 * rest matches, the whole call has succeeded.  So a quantified item
 * multiplies the work only if the first try of the rest after it can
 * fail; x* and x+ first try after their longest extent, x- and x? after
 * the shortest.  Worked out from the end of the pattern:
 *
 *   F, the rest cannot fail: it is empty; or it starts with a capture
 *      and F holds after that; or with x* x- x? and F holds after that;
 *      or with .* .- and E holds after that (they reach the end).
 *   E, the rest matches at the end of the subject: it is made only of
 *      captures, x* x- x? and a final $.
 *   x* x+ x- x? is "backtracking" (counted) unless F holds after it, or
 *      it is .* .+ and E holds after it.
 *
 * Thus "%s+", "(%d+)", "^%s*(.-)$" and ".*$" are linear, while "%s+$"
 * and "a*b" are n^2.  Each counted x* x+ x- adds a position between the
 * start and the end of the subject: for Q of them plus the start, at most
 * C(n + Q, Q) sets of positions are tried (Q without the start when
 * anchored).  Each counted x? doubles that; %b and back references scan up
 * to n bytes each time.  A set costs PAT_TRY steps plus one per other
 * item: a try of the rest takes some 10 ns, so a step is no longer than
 * an instruction of the budget (50 million take 0.1 to 0.2 s).  The count
 * saturates at PAT_COST_CAP.  gmatch and gsub are bounded for the whole
 * iteration; gsub also reads its replacement, at most n + 1 times.  Plain
 * find (and a find pattern without specials) compares m bytes by memcmp
 * at up to n - m + 1 places, about 64 bytes a step.
 *
 * So one call runs no longer than what is left of the budget would; a loop
 * of such calls, each charged only n * (q + 1), is stopped by the hook
 * between them, by the wall-clock limit at worst.
 */

#define PAT_COST_CAP 1e30 /* above any budget, so still refused */
#define PAT_SMALL 256 /* patterns this short are split on the C stack */
#define PAT_TRY 4 /* steps of a try of the rest, besides its items */

/* One item of a pattern, as the cost of matching sees it. */
enum pat_item {
	PAT_ZERO, /* ( or ): zero width, cannot fail */
	PAT_END, /* $ at the end of the pattern */
	PAT_ONE, /* a single character class, or %f[set] */
	PAT_SCAN, /* %bxy or %1..%9: reads up to the whole subject */
	PAT_STAR, /* a class followed by *, +, -, ? */
	PAT_PLUS,
	PAT_LAZY,
	PAT_OPT,
	PAT_ANY = 0x10, /* flag: the quantified class is "." */
};

/* What a pattern's worst case is made of. */
struct pat_shape {
	bool     anchored;
	uint64_t q; /* x* x+ x- whose rest may fail at the first try */
	uint64_t opt; /* x? likewise */
	uint64_t scans; /* %b and back references */
	uint64_t other; /* items matched in one step */
};

/* The index after the set that starts after "[" at i (as Lua reads it). */
static size_t
pat_set_end(const char *p, size_t m, size_t i)
{
	if (i < m && p[i] == '^') {
		i++;
	}
	for (;;) { /* the first character is in the set, even "]" */
		if (i >= m) { /* malformed: Lua raises when it gets here */
			return (m);
		}
		if (p[i++] == '%' && i < m) {
			i++;
		}
		if (i < m && p[i] == ']') {
			return (i + 1);
		}
	}
}

/*
 * Splits the pattern p (m bytes) into items (at most m, into it); returns
 * their number.  gmatch reads a leading "^" as a character.
 */
static size_t
pat_split(const char *p, size_t m, bool gmatch, uint8_t *it, bool *anchored)
{
	size_t i = 0, k = 0;
	*anchored = !gmatch && m > 0 && p[0] == '^';
	if (*anchored) {
		i = 1;
	}
	while (i < m) {
		unsigned char c = (unsigned char) p[i];
		size_t        e; /* the end of a single character class */
		if (c == '(' || c == ')') {
			it[k++] = PAT_ZERO;
			i++;
			continue;
		}
		if (c == '$' && i + 1 == m) {
			it[k++] = PAT_END;
			i++;
			continue;
		}
		if (c == '%') {
			unsigned char d
			    = i + 1 < m ? (unsigned char) p[i + 1] : 0;
			if (d == 'b' || isdigit(d)) {
				it[k++] = PAT_SCAN;
				i += d == 'b' ? 4 : 2;
				continue;
			}
			if (d == 'f') {
				it[k++] = PAT_ONE;
				i       = i + 2 < m && p[i + 2] == '['
				          ? pat_set_end(p, m, i + 3)
				          : i + 2;
				continue;
			}
			e = i + 2;
		} else if (c == '[') {
			e = pat_set_end(p, m, i + 1);
		} else {
			e = i + 1;
		}
		if (e >= m) {
			it[k++] = PAT_ONE;
			break;
		}
		uint8_t kind = PAT_ONE;
		switch (p[e]) {
		case '*':
			kind = PAT_STAR;
			break;
		case '+':
			kind = PAT_PLUS;
			break;
		case '-':
			kind = PAT_LAZY;
			break;
		case '?':
			kind = PAT_OPT;
			break;
		}
		if (kind == PAT_ONE) {
			it[k++] = PAT_ONE;
			i       = e;
		} else {
			it[k++]
			    = kind | (c == '.' && e == i + 1 ? PAT_ANY : 0);
			i = e + 1;
		}
	}
	return (k);
}

/* Counts what a pattern's worst case is made of (the rule above). */
static void
pat_measure(
    lua_State *L, const char *p, size_t m, bool gmatch, struct pat_shape *sh)
{
	uint8_t  small[PAT_SMALL];
	uint8_t *it = m <= sizeof(small) ? small : lua_newuserdatauv(L, m, 0);
	size_t   k  = pat_split(p, m, gmatch, it, &sh->anchored);
	bool     never_fails = true; /* F: the rest of the pattern */
	bool     ends_ok     = true; /* E: the rest, at the subject's end */

	sh->q = sh->opt = sh->scans = sh->other = 0;
	while (k-- > 0) {
		uint8_t kind = it[k] & ~PAT_ANY;
		bool    any  = (it[k] & PAT_ANY) != 0;
		switch (kind) {
		case PAT_ZERO:
			break;
		case PAT_END:
			sh->other++;
			never_fails = false;
			break;
		case PAT_SCAN:
			sh->scans++;
			/* FALLTHROUGH */
		case PAT_ONE:
			sh->other++;
			never_fails = false;
			ends_ok     = false;
			break;
		default: {
			bool greedy = kind == PAT_STAR || kind == PAT_PLUS;
			bool first = never_fails || (greedy && any && ends_ok);
			if (!first && kind == PAT_OPT) {
				sh->opt++;
			} else if (!first) {
				sh->q++;
			}
			/* x+ needs a character; x* x- x? may match none. */
			bool to_end = any && kind != PAT_OPT; /* .* .- */
			never_fails = kind != PAT_PLUS
			    && (never_fails || (to_end && ends_ok));
			ends_ok = kind != PAT_PLUS && ends_ok;
			break;
		}
		}
	}
	if (it != small) {
		lua_pop(L, 1);
	}
}

/* a * b, at most PAT_COST_CAP. */
static double
pat_mul(double a, double b)
{
	double x = a * b;
	return (x < PAT_COST_CAP ? x : PAT_COST_CAP);
}

/* True if Lua's find treats p as plain text (no special character). */
static bool
pat_plain(const char *p, size_t m)
{
	for (size_t i = 0; i < m; i++) {
		if (p[i] != '\0' && strchr("^$*+?.([%-", p[i]) != NULL) {
			return (false);
		}
	}
	return (true);
}

/* Where init starts in a subject of len bytes, as Lua reads it. */
static size_t
pat_from(lua_Integer init, size_t len)
{
	if (init > 0) {
		return (
		    (lua_Unsigned) init - 1 < len ? (size_t) init - 1 : len);
	}
	lua_Unsigned back = 0u - (lua_Unsigned) init; /* 0 for init 0 */
	return (back < len ? len - (size_t) back : 0);
}

/*
 * The guard of find, match, gmatch and gsub (kind), their arguments on the
 * stack: raises if the worst case is more than what is left of the
 * budget, or returns the linear amount to charge.  Arguments the real
 * function refuses are left to it.
 */
static uint64_t
pat_guard(lua_State *L, enum charge_kind kind)
{
	struct plug_rubric *r  = rubric_of(L);
	int                 t1 = lua_type(L, 1), t2 = lua_type(L, 2);
	size_t              len, m, from = 0;
	int                 ok;
	if (!r->in_call || (t1 != LUA_TSTRING && t1 != LUA_TNUMBER)
	    || (t2 != LUA_TSTRING && t2 != LUA_TNUMBER)) {
		return (0);
	}
	(void) lua_tolstring(L, 1, &len);
	const char *p = lua_tolstring(L, 2, &m);
	if (kind != CHARGE_GSUB && !lua_isnoneornil(L, 3)) {
		lua_Integer init = lua_tointegerx(L, 3, &ok);
		if (!ok) {
			return (0);
		}
		from = pat_from(init, len);
	}
	size_t   nb = len - from;
	double   n  = (double) nb, cost;
	uint64_t linear;
	bool     plain
	    = kind == CHARGE_FIND && (lua_toboolean(L, 4) || pat_plain(p, m));

	if (plain) {
		cost   = m == 0 || m > nb
		      ? 1
		      : (n - (double) m + 1) * (1 + m / 64.0);
		linear = nb;
	} else {
		struct pat_shape sh;
		double           sets = 1;
		pat_measure(L, p, m, kind == CHARGE_GMATCH, &sh);
		uint64_t npos = sh.q + (sh.anchored ? 0 : 1);
		for (uint64_t j = 1; j <= npos && sets < PAT_COST_CAP; j++) {
			sets = pat_mul(sets, (n + (double) j) / (double) j);
		}
		for (uint64_t j = 0; j < sh.opt && sets < PAT_COST_CAP; j++) {
			sets = pat_mul(sets, 2);
		}
		for (uint64_t j = 0; j < sh.scans && sets < PAT_COST_CAP;
		     j++) {
			sets = pat_mul(sets, n + 1);
		}
		cost = pat_mul(sets, (double) sh.other + PAT_TRY) + n;
		if (kind == CHARGE_GSUB && lua_type(L, 3) == LUA_TSTRING) {
			size_t      lr;
			const char *rp  = lua_tolstring(L, 3, &lr);
			double      esc = 0;
			for (size_t i = 0; i < lr; i++) {
				esc += rp[i] == '%';
			}
			cost += pat_mul(n + 1, esc);
		}
		linear = sh.q + 1 > UINT64_MAX / (nb + 1) ? UINT64_MAX
		                                          : nb * (sh.q + 1);
	}
	uint64_t left = r->spent < r->budget ? r->budget - r->spent : 0;
	if (cost > (double) left) {
		char msg[PLUG_MSG];
		snprintf(msg, sizeof(msg),
		    "pattern too costly: about %.2g steps on a string of %zu "
		    "bytes; %s",
		    cost, nb,
		    plain ? "use a shorter string or a shorter text to find"
		          : "use plain find (4th argument true), a shorter "
		            "string, or text.* helpers");
		(void) luaL_error(L, "%s", msg);
	}
	return (linear);
}

static int
l_charged(lua_State *L)
{
	lua_CFunction orig
	    = *(lua_CFunction *) lua_touserdata(L, lua_upvalueindex(1));
	int          kind = (int) lua_tointeger(L, lua_upvalueindex(2));
	uint64_t     cost = 0;
	int          ok1, ok2;
	bool         tab = lua_type(L, 1) == LUA_TTABLE;
	lua_Unsigned n   = tab ? lua_rawlen(L, 1) : 0;

	switch (kind) {
	case CHARGE_REP: {
		/* string.rep("", 2^62) loops 2^62 times copying nothing. */
		size_t      l = 0, lsep = 0;
		lua_Integer k = lua_tointegerx(L, 2, &ok1);
		if (lua_type(L, 1) != LUA_TSTRING || !ok1 || k <= 0) {
			break; /* the original coerces or refuses */
		}
		(void) lua_tolstring(L, 1, &l);
		if (lua_type(L, 3) == LUA_TSTRING) {
			(void) lua_tolstring(L, 3, &lsep);
		} else if (!lua_isnoneornil(L, 3)) {
			break;
		}
		if (l + lsep == 0) {
			lua_pushliteral(L, "");
			return (1);
		}
		break;
	}
	case CHARGE_MOVE: {
		lua_Integer f = lua_tointegerx(L, 2, &ok1);
		lua_Integer e = lua_tointegerx(L, 3, &ok2);
		if (ok1 && ok2) {
			cost = span(f, e);
		}
		break;
	}
	case CHARGE_INSERT:
		if (tab && lua_gettop(L) >= 3) {
			lua_Integer pos = lua_tointegerx(L, 2, &ok1);
			if (ok1 && pos >= 1) {
				cost = span(pos, (lua_Integer) n);
			}
		}
		break;
	case CHARGE_REMOVE:
		if (tab) {
			lua_Integer pos = (lua_Integer) n;
			ok1             = 1;
			if (lua_gettop(L) >= 2) {
				pos = lua_tointegerx(L, 2, &ok1);
			}
			if (ok1 && pos >= 1) {
				cost = span(pos, (lua_Integer) n);
			}
		}
		break;
	case CHARGE_SORT:
		for (lua_Unsigned m = n; m > 1; m >>= 1) {
			cost += n;
		}
		break;
	case CHARGE_FIND:
	case CHARGE_MATCH:
	case CHARGE_GMATCH:
	case CHARGE_GSUB:
		cost = pat_guard(L, (enum charge_kind) kind);
		break;
	}
	if (cost > 0) {
		charge(L, cost);
	}
	return (orig(L));
}

/* Replaces lib[name] (lib at the top) by a charged wrapper of itself. */
static void
wrap_charged(lua_State *L, const char *name, enum charge_kind kind)
{
	lua_getfield(L, -1, name);
	lua_CFunction orig = lua_tocfunction(L, -1);
	lua_pop(L, 1);
	if (orig == NULL) {
		luaL_error(L, "host: %s is not a C function", name);
	}
	lua_CFunction *box = lua_newuserdatauv(L, sizeof(*box), 0);
	*box               = orig;
	lua_pushinteger(L, kind);
	lua_pushcclosure(L, l_charged, 2);
	lua_setfield(L, -2, name);
}

/*
 * Read-only views.  A proxy is an empty table whose metatable reads from
 * the real one (upvalue 1) and refuses writes; name (upvalue 2) is the
 * library's name, or nil for the globals.  Scripts cannot reach the
 * metatable: getmetatable and setmetatable are not given to them.
 */

static const char *
key_str(lua_State *L, int idx)
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
		    key_str(L, 2)));
	}
	return (luaL_error(L, "%s.%s is not available to rubrics",
	    lua_tostring(L, lua_upvalueindex(2)), key_str(L, 2)));
}

static int
l_ro_newindex(lua_State *L)
{
	if (lua_isnil(L, lua_upvalueindex(1))) {
		return (luaL_error(L,
		    "cannot set global '%s': rubrics may not change globals "
		    "(declare it with 'local')",
		    key_str(L, 2)));
	}
	return (luaL_error(L, "%s.%s is read-only",
	    lua_tostring(L, lua_upvalueindex(1)), key_str(L, 2)));
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
 * The text library: Unicode-aware measures for Vietnamese text.
 */

/* text.length(s): characters after NFC (utf8proc into Lua's heap). */
static int
l_text_length(lua_State *L)
{
	size_t                  len;
	const char             *s   = luaL_checklstring(L, 1, &len);
	const utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
	const utf8proc_uint8_t *u   = (const utf8proc_uint8_t *) s;
	utf8proc_ssize_t        cap = (utf8proc_ssize_t) len + 1;
	for (;;) {
		/* In Lua's heap: the cap holds and an error leaks nothing. */
		utf8proc_int32_t *buf
		    = lua_newuserdatauv(L, (size_t) cap * sizeof(*buf), 0);
		utf8proc_ssize_t n = utf8proc_decompose(
		    u, (utf8proc_ssize_t) len, buf, cap, opt);
		if (n < 0) {
			return (luaL_error(
			    L, "text.length: the text is not valid UTF-8"));
		}
		if (n <= cap) {
			n = utf8proc_normalize_utf32(buf, n, opt);
			if (n < 0) {
				return (luaL_error(
				    L, "text.length: %s", utf8proc_errmsg(n)));
			}
			lua_pushinteger(L, (lua_Integer) n);
			return (1);
		}
		lua_pop(L, 1);
		cap = n;
	}
}

/* text.syllables(s): maximal runs of letters and digits. */
static int
l_text_syllables(lua_State *L)
{
	size_t                  len;
	const char             *s       = luaL_checklstring(L, 1, &len);
	const utf8proc_uint8_t *p       = (const utf8proc_uint8_t *) s;
	lua_Integer             n       = 0;
	bool                    in_word = false;
	while (len > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;
		if (*p < 0x80) {
			/* ASCII, most bytes of Vietnamese text: no table. */
			bool word = (*p >= '0' && *p <= '9') ||
			    ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z');
			n += word && !in_word;
			in_word = word;
			p++;
			len--;
			continue;
		}
		k = utf8proc_iterate(p, (utf8proc_ssize_t) len, &cp);
		if (k < 0) {
			return (luaL_error(
			    L, "text.syllables: the text is not valid UTF-8"));
		}
		utf8proc_category_t c = utf8proc_category(cp);
		bool                word
		    = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO)
		    || (c >= UTF8PROC_CATEGORY_ND
		        && c <= UTF8PROC_CATEGORY_NO);
		bool mark
		    = c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME;
		if (word && !in_word) {
			n++;
		}
		/* A combining mark (a tone typed apart) stays in its word. */
		in_word = word || (mark && in_word);
		p += k;
		len -= (size_t) k;
	}
	charge(L,
	    (uint64_t) (p - (const utf8proc_uint8_t *) s) / PLUG_ALLOC_CHARGE);
	lua_pushinteger(L, n);
	return (1);
}

static const luaL_Reg text_lib[] = {
	{ "length", l_text_length },
	{ "syllables", l_text_syllables },
	{ NULL, NULL },
};

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
static void
run_chunk(lua_State *L, const char *src, size_t len, const char *name)
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
	struct plug_rubric *r = rubric_of(L);
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
	run_chunk(L, src, len, name != NULL ? name : id);
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
static int
l_setup(lua_State *L)
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
			wrap_charged(L, "rep", CHARGE_REP);
			wrap_charged(L, "find", CHARGE_FIND);
			wrap_charged(L, "match", CHARGE_MATCH);
			wrap_charged(L, "gmatch", CHARGE_GMATCH);
			wrap_charged(L, "gsub", CHARGE_GSUB);
		} else if (strcmp(libs[i].name, LUA_TABLIBNAME) == 0) {
			wrap_charged(L, "move", CHARGE_MOVE);
			wrap_charged(L, "insert", CHARGE_INSERT);
			wrap_charged(L, "remove", CHARGE_REMOVE);
			wrap_charged(L, "sort", CHARGE_SORT);
		}
		push_proxy(L, -1, libs[i].name);
		lua_setfield(L, 3, libs[i].name);
		lua_pop(L, 1);
	}
	luaL_newlib(L, text_lib);
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

/* Checks criteria[i] (at the top) and appends its JSON to c->criteria. */
static void
check_criterion(lua_State *L, struct plug_call *c, lua_Integer i)
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
			    (long long) i, key_str(L, -1));
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
	for (size_t k = 0; k + 1 < json_object_array_length(c->criteria);
	     k++) {
		json_object *prev = json_object_array_get_idx(c->criteria, k);
		json_object *pid;
		if (json_object_object_get_ex(prev, "id", &pid)
		    && strcmp(json_object_get_string(pid), s) == 0) {
			shape_fail(L, c,
			    "criteria[%lld].id \"%s\" is used twice (also by "
			    "criteria[%zu])",
			    (long long) i, s, k + 1);
		}
	}
	add_or_raise(L, obj, "id", json_object_new_string(s));
	lua_pop(L, 1);

	rawfield(L, t, "label");
	if ((s = top_text(L, &len)) == NULL) {
		shape_fail(L, c,
		    "criteria[%lld].label must be a non-empty string",
		    (long long) i);
	}
	add_or_raise(L, obj, "label", json_object_new_string_len(s, len));
	lua_pop(L, 1);

	rawfield(L, t, "max");
	double max = lua_tonumber(L, -1);
	if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(max) || max <= 0) {
		shape_fail(L, c,
		    "criteria[%lld].max must be a number greater than 0 "
		    "(got %s)",
		    (long long) i,
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
	lua_Unsigned keys = 0;
	lua_pushnil(L);
	while (lua_next(L, crit) != 0) {
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
	for (lua_Unsigned i = 1; i <= n; i++) {
		lua_rawgeti(L, crit, (lua_Integer) i);
		check_criterion(L, c, (lua_Integer) i);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);

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

static int
l_load(lua_State *L)
{
	struct plug_call *c = lua_touserdata(L, 1);
	lua_settop(L, 0);
	run_chunk(L, c->src, c->len, c->chunkname);
	check_shape(L, c, 1);
	return (0);
}

/*
 * JSON -> Lua
 */

static void
push_json(lua_State *L, json_object *j, int depth)
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
			push_json(
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
			push_json(
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

static void to_json(lua_State *L, struct plug_call *c, int idx, int depth,
    json_object *parent, const char *key);

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
			to_json(L, c, lua_gettop(L), depth + 1, arr, NULL);
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
		to_json(L, c, lua_gettop(L), depth + 1, obj, k);
		c->path[plen] = '\0';
		lua_pop(L, 1);
	}
}

static void
to_json(lua_State *L, struct plug_call *c, int idx, int depth,
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
	push_json(L, c->arg1, 0);
	lua_pushstring(L, c->today);
	lua_getfield(L, LUA_REGISTRYINDEX, REG_RUBRIC);
	lua_call(L, 3, 1);
	to_json(L, c, 1, 1, NULL, NULL);
	return (0);
}

static int
l_decide(lua_State *L)
{
	struct plug_call *c = lua_touserdata(L, 1);
	lua_settop(L, 0);
	push_fn(L, c, REG_DECIDE);
	push_json(L, c->arg1, 0);
	push_json(L, c->arg2, 0);
	lua_getfield(L, LUA_REGISTRYINDEX, REG_RUBRIC);
	lua_call(L, 3, 1);
	to_json(L, c, 1, 1, NULL, NULL);
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

/* Checks that every item of arr is a string; returns the bad index or -1. */
static long
bad_string_item(json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		if (!json_object_is_type(
		        json_object_array_get_idx(arr, i), json_type_string)) {
			return ((long) i);
		}
	}
	return (-1);
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
	    || (r->L = lua_newstate(l_alloc, r)) == NULL) {
		set_err(err, errlen, "cannot create a Lua state", name);
		plug_free(r);
		return (SK_EINTERNAL);
	}
	lua_atpanic(r->L, l_panic);
	if ((rv = plug_run(r, l_setup, NULL, err, errlen)) != SK_OK) {
		plug_free(r);
		return (rv);
	}

	memset(&c, 0, sizeof(c));
	c.r             = r;
	c.src           = src;
	c.len           = len;
	c.chunkname     = chunkname;
	r->resolve      = resolve;
	r->resolve_arg  = arg;
	r->extend_depth = 0;
	rv              = plug_run(r, l_load, &c, err, errlen);
	r->resolve      = NULL;
	r->resolve_arg  = NULL;
	if (rv != SK_OK) {
		json_object_put(c.criteria);
		free(c.title);
		plug_free(r);
		return (rv);
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
	long             bad;

	*problems = NULL;
	memset(&c, 0, sizeof(c));
	c.r     = r;
	c.fn    = "check";
	c.arg1  = case_doc;
	c.today = today;
	if ((rv = plug_run(r, l_check, &c, err, errlen)) != SK_OK) {
		json_object_put(c.out);
		return (rv);
	}
	if (!json_object_is_type(c.out, json_type_array)) {
		return (result_fail(&c, err, errlen,
		    "check must return a list of problems (strings), {} when "
		    "the case is complete"));
	}
	if ((bad = bad_string_item(c.out)) >= 0) {
		return (result_fail(&c, err, errlen,
		    "check must return a list of strings; item %ld is not a "
		    "string",
		    bad + 1));
	}
	*problems = c.out;
	return (SK_OK);
}

int
plug_decide(struct plug_rubric *r, json_object *ballots, json_object *council,
    json_object **verdict, char *err, size_t errlen)
{
	struct plug_call c;
	json_object     *v, *score, *reasons = NULL;
	const char      *word;
	int              rv;
	long             bad;

	*verdict = NULL;
	memset(&c, 0, sizeof(c));
	c.r    = r;
	c.fn   = "decide";
	c.arg1 = ballots;
	c.arg2 = council;
	if ((rv = plug_run(r, l_decide, &c, err, errlen)) != SK_OK) {
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
		if ((bad = bad_string_item(reasons)) >= 0) {
			return (result_fail(&c, err, errlen,
			    "decide's reasons must be strings; reasons[%ld] "
			    "is not",
			    bad + 1));
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
