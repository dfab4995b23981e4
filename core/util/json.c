/*
 * json.c: the bottom layer's JSON and text helpers (json.h), used by the
 * wire, the store, the Lua host and the handlers alike.  They were in the
 * wire's proto.c; they live here so that nothing below the handlers needs
 * the wire to parse, print or check a string.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/err.h"
#include "core/util/json.h"

#define JSON_MAX_DEPTH 32

long
util_utf8_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	long                 n = 0;
	size_t               i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t        k;
		unsigned      cp;
		if (c < 0x80) {
			i++;
			n++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k  = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k  = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k  = 3;
			cp = c & 0x07;
		} else {
			return (-1);
		}
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= len || (p[i + j] & 0xc0) != 0x80) {
				return (-1);
			}
			cp = (cp << 6) | (p[i + j] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
		    (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			return (-1);
		}
		i += k + 1;
		n++;
	}
	return (n);
}

/* Where util_json_parse says why it failed. */
struct why {
	int   *code;
	char  *msg;
	size_t len;
};

static void why(struct why *w, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
why(struct why *w, int code, const char *fmt, ...)
{
	va_list ap;
	*w->code = code;
	va_start(ap, fmt);
	vsnprintf(w->msg, w->len, fmt, ap);
	va_end(ap);
}

json_object *
util_json_parse(const char *buf, size_t len, int *code, char *msg,
    size_t msglen)
{
	static __thread json_tokener *tok;
	json_object                  *obj;
	struct why                    w = { code, msg, msglen };

	if (memchr(buf, '\0', len) != NULL) {
		why(&w, SK_EBADREQ, "the message contains a NUL byte");
		return (NULL);
	}
	if (util_utf8_chars(buf, len) < 0) {
		why(&w, SK_EBADREQ, "the message is not valid UTF-8");
		return (NULL);
	}
	/* One tokener per thread, reset for each message (a new one costs
	 * an allocation of its whole parse stack). */
	if (tok == NULL && (tok = json_tokener_new_ex(JSON_MAX_DEPTH)) == NULL) {
		why(&w, SK_EINTERNAL, "out of memory");
		return (NULL);
	}
	json_tokener_reset(tok);
	json_tokener_set_flags(
	    tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int) len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t                  end  = json_tokener_get_parse_end(tok);
	if (obj == NULL && jerr == json_tokener_continue) {
		/* A number or literal that ends the message ("42", "true") is
		 * complete only once something follows it: say so. */
		obj  = json_tokener_parse_ex(tok, " ", 1);
		jerr = json_tokener_get_error(tok);
		end  = len;
	}
	if (obj == NULL || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue) {
			why(&w, SK_EBADREQ,
			    "the message is not JSON: it ends too soon");
		} else if (jerr == json_tokener_success) {
			why(&w, SK_EBADREQ,
			    "the message is JSON null, not an object");
		} else {
			why(&w, SK_EBADREQ,
			    "the message is not JSON: %s at byte %zu",
			    json_tokener_error_desc(jerr), end);
		}
		json_object_put(obj);
		return (NULL);
	}
	/* Nothing but white space may follow the value. */
	for (size_t i = end; i < len; i++) {
		if (!isspace((unsigned char) buf[i])) {
			why(&w, SK_EBADREQ,
			    "the message has bytes after its JSON value "
			    "(at byte %zu)",
			    i);
			json_object_put(obj);
			return (NULL);
		}
	}
	return (obj);
}

const char *
util_json_text(json_object *obj, size_t *len)
{
	return (json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len));
}

bool
util_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > UTIL_MAX_ID) {
		return (false);
	}
	if (!(islower((unsigned char) s[0]) || isdigit((unsigned char) s[0]))) {
		return (false);
	}
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char) s[i];
		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' ||
		        c == '-')) {
			return (false);
		}
	}
	return (true);
}

void
util_time_str(int64_t t, char *buf, size_t len)
{
	time_t    tt = (time_t) t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool
util_date_valid(const char *s)
{
	int       y, m, d;
	char      tail;
	struct tm tm = { 0 };
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
		return (false);
	}
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char) s[i])) {
			return (false);
		}
	}
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) {
		return (false);
	}
	/* Round-trip through timegm to refuse 2026-02-30. */
	tm.tm_year = y - 1900;
	tm.tm_mon  = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	time_t t   = timegm(&tm);
	struct tm back;
	gmtime_r(&t, &back);
	return (back.tm_mday == d && back.tm_mon == m - 1);
}

/*
 * util_json_strict.  json-c's tokener has no hook for what the door must
 * refuse beyond JSON itself, so a second pass reads the text json-c has
 * already accepted (and so is well formed, at most JSON_MAX_DEPTH deep):
 * it checks each \u escape, and counts the keys written in each object.
 * json-c replaces a repeated key's value, so an object with a repeated key
 * has fewer keys in the parsed value than in the text.  Objects are
 * numbered in the order they open; the parsed value walked depth first
 * (json-c keeps keys in the order they came) meets them in the same order
 * up to the first object with a repeated key, whose count then differs.
 * Only then are that object's keys decoded, to name the one repeated.
 */
struct strict {
	const char *buf;
	size_t      len;
	size_t     *keys;  /* keys written, per object in order of opening */
	size_t     *start; /* where each object opens in buf */
	size_t      n, cap;
	struct why *w;
};

static int
hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char) p[i];
		v     = v * 16 +
		    (isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
	}
	return (v);
}

/* Skips the string opening at buf[i] ('"'); returns the index after it,
 * or 0 (with w filled) on a forbidden escape. */
static size_t
strict_string(struct strict *s, size_t i)
{
	const char *b = s->buf;

	for (i++; i < s->len && b[i] != '"'; i++) {
		if (b[i] != '\\') {
			continue;
		}
		if (b[++i] != 'u') {
			continue; /* json-c refused every other bad escape */
		}
		int cp = hex4(b + i + 1);
		i += 4;
		if (cp == 0) {
			why(s->w, SK_EBADREQ,
			    "the message has \\u0000 (a NUL character) in a "
			    "string at byte %zu",
			    i - 5);
			return (0);
		}
		if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < s->len &&
		    b[i + 1] == '\\' && b[i + 2] == 'u' &&
		    hex4(b + i + 3) >= 0xdc00 && hex4(b + i + 3) <= 0xdfff) {
			i += 6; /* a pair: one character */
		} else if (cp >= 0xd800 && cp <= 0xdfff) {
			why(s->w, SK_EBADREQ,
			    "the message has \\u%04x, half of a surrogate "
			    "pair without the other half, at byte %zu",
			    cp, i - 5);
			return (0);
		}
	}
	return (i + 1);
}

static int
strict_scan(struct strict *s)
{
	size_t stack[JSON_MAX_DEPTH + 1]; /* object number, or SIZE_MAX */
	size_t depth = 0;
	char   last  = 0; /* the last token outside strings */

	for (size_t i = 0; i < s->len;) {
		char c = s->buf[i];
		if (c == '"') {
			if (depth > 0 && stack[depth - 1] != SIZE_MAX &&
			    (last == '{' || last == ',')) {
				s->keys[stack[depth - 1]]++;
			}
			if ((i = strict_string(s, i)) == 0) {
				return (-1);
			}
			last = '"';
			continue;
		}
		if ((c == '{' || c == '[') && depth > JSON_MAX_DEPTH) {
			why(s->w, SK_EBADREQ, "the message nests too deep");
			return (-1);
		}
		if (c == '{') {
			if (s->n == s->cap) {
				size_t  cap = s->cap ? 2 * s->cap : 16;
				size_t *k   = realloc(s->keys, cap * sizeof(*k));
				if (k != NULL) {
					s->keys = k;
				}
				size_t *st = realloc(s->start, cap * sizeof(*st));
				if (st != NULL) {
					s->start = st;
				}
				if (k == NULL || st == NULL) {
					why(s->w, SK_EINTERNAL, "out of memory");
					return (-1);
				}
				s->cap = cap;
			}
			s->keys[s->n]  = 0;
			s->start[s->n] = i;
			stack[depth++] = s->n++;
		} else if (c == '[') {
			stack[depth++] = SIZE_MAX;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
		if (!isspace((unsigned char) c)) {
			last = c;
		}
		i++;
	}
	return (0);
}

/* The first object, depth first, whose key count differs from the text's;
 * SIZE_MAX if none. */
static size_t
strict_walk(json_object *o, const struct strict *s, size_t *next)
{
	if (json_object_is_type(o, json_type_object)) {
		size_t k = (*next)++;
		if (k >= s->n ||
		    s->keys[k] != (size_t) json_object_object_length(o)) {
			return (k);
		}
		json_object_object_foreach(o, key, val)
		{
			(void) key;
			size_t r = strict_walk(val, s, next);
			if (r != SIZE_MAX) {
				return (r);
			}
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			size_t r = strict_walk(
			    json_object_array_get_idx(o, i), s, next);
			if (r != SIZE_MAX) {
				return (r);
			}
		}
	}
	return (SIZE_MAX);
}

/* Names the key that object k (at s->start[k]) repeats. */
static void
strict_name_dup(struct strict *s, size_t k)
{
	json_object  *seen = json_object_new_object();
	json_tokener *tok  = json_tokener_new();
	size_t        depth = 0, i = s->start[k];
	char          last  = 0;

	why(s->w, SK_EBADREQ, "the message has a key twice in one object");
	while (seen != NULL && tok != NULL && i < s->len) {
		char c = s->buf[i];
		if (c == '"') {
			size_t end  = strict_string(s, i);
			bool   key  = depth == 1 && (last == '{' || last == ',');
			if (key) {
				json_object *v;
				json_tokener_reset(tok);
				v = json_tokener_parse_ex(
				    tok, s->buf + i, (int) (end - i));
				const char *name = v ? json_object_get_string(v)
				                     : NULL;
				if (name != NULL &&
				    json_object_object_get_ex(seen, name, NULL)) {
					size_t cut = strlen(name);
					if (cut > 64) { /* on a character boundary */
						cut = 64;
						while (cut > 0 &&
						    ((unsigned char) name[cut] &
						        0xc0) == 0x80) {
							cut--;
						}
					}
					why(s->w, SK_EBADREQ,
					    "the message has the key \"%.*s%s\" "
					    "twice in one object",
					    (int) cut, name,
					    cut < strlen(name) ? "…" : "");
					json_object_put(v);
					break;
				}
				if (name != NULL) {
					json_object_object_add(
					    seen, name, NULL);
				}
				json_object_put(v);
			}
			i    = end;
			last = '"';
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0) {
				break;
			}
		}
		if (!isspace((unsigned char) c)) {
			last = c;
		}
		i++;
	}
	json_tokener_free(tok);
	json_object_put(seen);
}

int
util_json_strict(const char *buf, size_t len, json_object *obj, int *code,
    char *msg, size_t msglen)
{
	struct why    w    = { code, msg, msglen };
	struct strict s    = { .buf = buf, .len = len, .w = &w };
	size_t        next = 0, bad;
	int           rv   = 0;

	if (strict_scan(&s) != 0) {
		rv = -1;
	} else if ((bad = strict_walk(obj, &s, &next)) != SIZE_MAX) {
		strict_name_dup(&s, bad);
		rv = -1;
	}
	free(s.keys);
	free(s.start);
	return (rv);
}

/*
 * Text for people from bytes that may not be UTF-8 (a rubric's error
 * message, a message cut at a buffer's end): each valid sequence is kept,
 * each byte that starts no valid sequence becomes U+FFFD, a character cut
 * at the very end is dropped, and the copy stops before a sequence that
 * would not fit whole.
 */
size_t
util_utf8_clean(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	static const char repl[] = "\xef\xbf\xbd";
	const unsigned char *p   = (const unsigned char *) src;
	size_t               i = 0, o = 0;

	if (dstlen == 0) {
		return (0);
	}
	while (i < srclen) {
		size_t k = p[i] < 0x80 ? 1
		    : (p[i] & 0xe0) == 0xc0 ? 2
		    : (p[i] & 0xf0) == 0xe0 ? 3
		    : (p[i] & 0xf8) == 0xf0 ? 4
		                            : 0;
		const char *seq = src + i;
		size_t      n   = k;
		if (k > 1 && i + k > srclen &&
		    util_utf8_chars(src + i, srclen - i) < 0) {
			/* Cut at the end (a full buffer): drop the rest. */
			size_t j = i + 1;
			while (j < srclen && (p[j] & 0xc0) == 0x80) {
				j++;
			}
			if (j == srclen) {
				break;
			}
		}
		if (k == 0 || i + k > srclen || util_utf8_chars(seq, k) != 1 ||
		    (k == 1 && p[i] == 0)) {
			seq = repl;
			n   = sizeof(repl) - 1;
			k   = 1;
		}
		if (o + n >= dstlen) {
			break;
		}
		memcpy(dst + o, seq, n);
		o += n;
		i += k;
	}
	dst[o] = '\0';
	return (o);
}
