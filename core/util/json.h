/*
 * json.h: JSON and text helpers for every layer (the wire, the store, the Lua
 * host, the handlers): strict parsing, compact printing, and the checks on the
 * strings that JSON documents carry (UTF-8, ids, times and dates).  The bottom
 * layer, as Lua's lauxlib is to Lua: it uses json-c only, and no file of ours.
 *
 * Ownership: a parsed value belongs to the caller (json_object_put);
 * printed text is borrowed from the object printed.
 */
#ifndef SK_UTIL_JSON_H
#define SK_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define UTIL_MAX_ID 64 /* bytes of a unit/user/council/rubric id */

/*
 * Parses buf as exactly one JSON value, strictly (no trailing bytes but
 * white space, valid UTF-8, no NUL, at most 32 levels deep).  Returns the
 * value, or NULL with *code (SK_EBADREQ, or SK_EINTERNAL when out of
 * memory) and a message for people in msg.
 */
json_object *util_json_parse(const char *buf, size_t len, int *code,
    char *msg, size_t msglen);

/*
 * The door's stricter rules, for a value util_json_parse has accepted from
 * buf: no \u0000 escape in any string or key (C strings would cut it), no
 * \u escape of a lone surrogate (json-c turns it into U+FFFD unasked), and
 * no key twice in one object (json-c keeps the last one).  Returns 0, or
 * -1 with *code SK_EBADREQ (SK_EINTERNAL when out of memory) and a message
 * naming the problem (the repeated key) in msg.
 */
int util_json_strict(const char *buf, size_t len, json_object *obj,
    int *code, char *msg, size_t msglen);

/* Compact serialization without escaping '/' (borrowed from obj). */
const char *util_json_text(json_object *obj, size_t *len);

/* Number of Unicode code points, or -1 when not valid UTF-8 (overlong
 * forms and surrogates included). */
long util_utf8_chars(const char *s, size_t len);

/*
 * Copies src (srclen bytes) into dst as valid UTF-8 with no NUL: invalid
 * bytes become U+FFFD, and the copy ends before a character that would not
 * fit whole in dstlen (NUL included).  Returns the bytes written.  dst and
 * src must not overlap.
 */
size_t util_utf8_clean(char *dst, size_t dstlen, const char *src,
    size_t srclen);

/* True for [a-z0-9][a-z0-9._-]{0,63}. */
bool util_id_valid(const char *s);

/* Times and dates as documents carry them (RFC 3339 / ISO 8601): unix
 * seconds as ...T..:..:..Z, and whether s is a real calendar date
 * YYYY-MM-DD (not 2026-02-30). */
void util_time_str(int64_t t, char *buf, size_t len);
bool util_date_valid(const char *s);

#endif
