/*
 * utf8width.h: display width of UTF-8 text in a terminal, so that tables of
 * Vietnamese text line up (combining marks take no column; NFD text counts
 * like NFC).  Built on utf8proc.
 */
#ifndef SK_UTF8WIDTH_H
#define SK_UTF8WIDTH_H

#include <stddef.h>

/* Columns that s takes on a terminal; invalid bytes count one each. */
int sk_utf8_width(const char *s);

/*
 * Copies into out (size outlen) the longest prefix of s that fits in cols
 * columns, ending with "…" when cut.  Returns the columns used.
 */
int sk_utf8_fit(const char *s, int cols, char *out, size_t outlen);

/* Number of Unicode code points in s, or -1 if s is not valid UTF-8. */
long sk_utf8_chars(const char *s, size_t len);

#endif
