/*
 * json.c: the bottom layer's JSON and text helpers (json.h), used by the
 * wire, the store, the Lua host and the handlers alike.  They were in the
 * wire's proto.c; they live here so that nothing below the handlers needs
 * the wire to parse, print or check a string.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
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
