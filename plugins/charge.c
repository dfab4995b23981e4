/*
 * host_charge.c: what a count hook cannot see, charged to the instruction
 * budget (impl.h).  Library functions whose work happens inside one C
 * call (table.move, table.insert, string.rep...) are wrapped to host_charge it
 * first; the pattern functions (find, match, gmatch, gsub), which can
 * backtrack for hours in one call, first bound their worst case from the
 * pattern and the subject's length and refuse a call that could overrun
 * the budget (pat_guard).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/util/json.h"
#include "plugins/impl.h"

/*
 * Library wrappers: host_charge what a count hook cannot see, then run the
 * original function in the same frame (so its error messages name it).
 */

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
 * budget, or returns the linear amount to host_charge.  Arguments the real
 * function refuses are left to it.
 */
static uint64_t
pat_guard(lua_State *L, enum charge_kind kind)
{
	struct plug_rubric *r  = host_rubric_of(L);
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
	case CHARGE_PCALL:
		cost = PLUG_PCALL_CHARGE;
		break;
	}
	if (cost > 0) {
		host_charge(L, cost);
	}
	return (orig(L));
}

/* Replaces lib[name] (lib at the top) by a charged wrapper of itself. */
void
host_wrap_charged(lua_State *L, const char *name, enum charge_kind kind)
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

