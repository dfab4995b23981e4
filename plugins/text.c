/*
 * text.c: the text library offered to rubrics (impl.h): Unicode-aware
 * measures of Vietnamese text, which Lua's byte-counting string library
 * gets wrong (a syllable such as "trường" is 9 bytes).
 */

#include <lauxlib.h>
#include <lua.h>
#include <utf8proc.h>

#include "core/util/json.h"
#include "plugins/impl.h"

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
	host_charge(L,
	    (uint64_t) (p - (const utf8proc_uint8_t *) s) / PLUG_ALLOC_CHARGE);
	lua_pushinteger(L, n);
	return (1);
}

static const luaL_Reg text_lib[] = {
	{ "length", l_text_length },
	{ "syllables", l_text_syllables },
	{ NULL, NULL },
};

void
host_text_open(lua_State *L)
{
	luaL_newlib(L, text_lib);
}
