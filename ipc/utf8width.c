/*
 * utf8width.c: how many terminal columns UTF-8 text takes, and how to cut it
 * to a number of columns, so that the CLI's tables of Vietnamese titles line
 * up.  Byte counts and code point counts are both wrong for Vietnamese: "ệ"
 * is three bytes, and in NFD it is three code points ("e", U+0323, U+0302)
 * that still take one column.  utf8proc's charwidth gives combining marks
 * width 0 and East Asian wide characters width 2, as wcwidth does.
 */
#include <string.h>

#include <utf8proc.h>

#include "ipc/utf8width.h"

/*
 * Decodes the code point at s (at most len bytes).  Returns the number of
 * bytes it takes and its width in *w; an invalid byte takes one byte and one
 * column, as the header promises.
 */
static size_t
utf8_next(const char *s, size_t len, int *w)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	n = utf8proc_iterate(
	    (const utf8proc_uint8_t *) s, (utf8proc_ssize_t) len, &cp);
	if (n <= 0) {
		*w = 1;
		return (1);
	}
	*w = utf8proc_charwidth(cp);
	if (*w < 0) {
		*w = 0;
	}
	return ((size_t) n);
}

int
sk_utf8_width(const char *s)
{
	size_t len  = strlen(s);
	size_t i    = 0;
	int    cols = 0;
	int    w;

	while (i < len) {
		i += utf8_next(s + i, len - i, &w);
		cols += w;
	}
	return (cols);
}

/*
 * Copies the longest prefix of s that fits in cols columns and in outlen - 1
 * bytes to out.  Zero-width code points that follow the last one copied (the
 * tone and vowel marks of NFD text) stay with it.  Returns the columns used;
 * *cut is set when s did not fit whole.
 */
static int
utf8_prefix(const char *s, int cols, char *out, size_t outlen, int *cut)
{
	size_t len  = strlen(s);
	size_t i    = 0;
	int    used = 0;
	int    w;
	size_t n;

	*cut = 0;
	while (i < len) {
		n = utf8_next(s + i, len - i, &w);
		if (used + w > cols || i + n >= outlen) {
			*cut = 1;
			break;
		}
		used += w;
		i += n;
	}
	memcpy(out, s, i);
	out[i] = '\0';
	return (used);
}

int
sk_utf8_fit(const char *s, int cols, char *out, size_t outlen)
{
	static const char ell[] = "\xe2\x80\xa6"; /* U+2026, one column */
	int               used;
	int               cut;
	size_t            n;

	if (outlen == 0) {
		return (0);
	}
	if (cols <= 0) {
		out[0] = '\0';
		return (0);
	}
	used = utf8_prefix(s, cols, out, outlen, &cut);
	if (!cut) {
		return (used);
	}
	/* Cut: make room for the ellipsis, in columns and in bytes. */
	if (outlen < sizeof(ell) + 1) {
		return (used);
	}
	used = utf8_prefix(s, cols - 1, out, outlen - (sizeof(ell) - 1), &cut);
	n    = strlen(out);
	memcpy(out + n, ell, sizeof(ell));
	return (used + 1);
}

long
sk_utf8_chars(const char *s, size_t len)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t           i     = 0;
	long             count = 0;

	while (i < len) {
		n = utf8proc_iterate((const utf8proc_uint8_t *) s + i,
		    (utf8proc_ssize_t) (len - i), &cp);
		if (n <= 0) {
			return (-1);
		}
		i += (size_t) n;
		count++;
	}
	return (count);
}
