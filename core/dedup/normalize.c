/*
 * normalize.c: Vietnamese as people really type it (dedup.h,
 * dedup_normalize), the ground both keys of a text stand on.
 *
 * Normalization (DEDUP_FULL): each code point is decomposed (NFKD) and
 * case folded with utf8proc; a syllable is a run of letters and digits;
 * its combining marks are split into the tone (grave, acute, tilde, hook
 * above, dot below) and the rest (circumflex, breve, horn...).  A syllable
 * with one tone gets it placed by one rule, the "new style" of Vietnamese
 * orthography (the main vowel): on the vowel with a circumflex, breve or
 * horn (the last of two, as in "ươ"); else on the last vowel before a
 * final consonant ("hoàn"); else, in an open syllable, on the middle of
 * three vowels ("ngoài"), on the second of "oa", "oe", "uy" ("hoà", "khoẻ",
 * "thuý") and on the first of any other pair ("mía", "múa").  The "u" of
 * "qu" and the "i" of "gi" before another vowel belong to the initial.
 * Both "hoà" and "hòa" become "hoà".  Then the syllable is composed again
 * (NFC).  "Ð" (U+00D0, an eth typed for Đ) counts as "đ".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "core/dedup/impl.h"
#include "core/util/err.h"

/* Letters kept in one syllable; a longer run is cut into several. */
#define SYL_MAX 32
/* Marks kept on one letter besides its tone. */
#define MARKS_MAX 2

struct buf {
	char  *b;
	size_t len, cap;
	bool   oom;
};

static void
buf_need(struct buf *b, size_t more)
{
	if (b->oom || b->len + more + 1 <= b->cap) {
		return;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1) {
		cap *= 2;
	}
	char *nb = realloc(b->b, cap);
	if (nb == NULL) {
		b->oom = true;
		return;
	}
	b->b   = nb;
	b->cap = cap;
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_need(b, n);
	if (!b->oom) {
		memcpy(b->b + b->len, p, n);
		b->len += n;
		b->b[b->len] = '\0';
	}
}

/* ------------------------------------------------------------------ */
/* Normalization.                                                      */

struct letter {
	int32_t base;
	int32_t mark[MARKS_MAX]; /* combining marks other than a tone */
	int32_t tone;            /* a tone mark on this letter, or 0 */
};

struct syl {
	struct letter l[SYL_MAX];
	int           n;
	int           ntones;
};

struct norm {
	enum dedup_key key;
	struct syl     s;
	/* DEDUP_STRIPPED writes UTF-8 to out; DEDUP_FULL code points to cps
	 * (composed to UTF-8 at the end). */
	struct buf out;
	int32_t   *cps;
	size_t     ncps, capcps;
	bool       oom;
};

static bool
is_tone(int32_t c)
{
	return (c == 0x300 || c == 0x301 || c == 0x303 || c == 0x309 ||
	    c == 0x323);
}

static bool
is_vowel(int32_t c)
{
	return (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' ||
	    c == 'y');
}

/* Circumflex, breve, horn: the marks that make â ê ô ă ơ ư. */
static bool
has_modifier(const struct letter *l)
{
	for (int i = 0; i < MARKS_MAX; i++) {
		int32_t m = l->mark[i];
		if (m == 0x302 || m == 0x306 || m == 0x31b) {
			return (true);
		}
	}
	return (false);
}

/*
 * The letter that carries the tone of s under the rule of the file's
 * comment, or -1 when s is not shaped like a Vietnamese syllable (then its
 * tone stays where it was).
 */
static int
tone_target(const struct syl *s)
{
	int i = 0, start, end, n;

	while (i < s->n && !is_vowel(s->l[i].base)) {
		i++;
	}
	if (i == s->n) {
		return (-1);
	}
	start = i;
	while (i < s->n && is_vowel(s->l[i].base)) {
		i++;
	}
	end = i;
	for (; i < s->n; i++) {
		if (is_vowel(s->l[i].base)) {
			return (-1); /* two vowel groups: not one syllable */
		}
	}
	if (end - start > 1 && !has_modifier(&s->l[start]) &&
	    ((start > 0 && s->l[start - 1].base == 'q' &&
	         s->l[start].base == 'u') ||
	        (start == 1 && s->l[0].base == 'g' &&
	            s->l[start].base == 'i'))) {
		start++;
	}
	n = end - start;
	for (i = end - 1; i >= start; i--) {
		if (has_modifier(&s->l[i])) {
			return (i);
		}
	}
	if (end < s->n) {
		return (end - 1);
	}
	switch (n) {
	case 1:
		return (start);
	case 2: {
		int32_t a = s->l[start].base, b = s->l[start + 1].base;
		if ((a == 'o' && (b == 'a' || b == 'e')) ||
		    (a == 'u' && b == 'y')) {
			return (start + 1);
		}
		return (start);
	}
	case 3:
		return (start + 1);
	default:
		return (-1);
	}
}

static void
cps_add(struct norm *nm, int32_t c)
{
	if (nm->ncps == nm->capcps) {
		size_t   cap = nm->capcps ? nm->capcps * 2 : 256;
		int32_t *n   = realloc(nm->cps, (cap + 1) * sizeof(*n));
		if (n == NULL) {
			nm->oom = true;
			return;
		}
		nm->cps    = n;
		nm->capcps = cap;
	}
	nm->cps[nm->ncps++] = c;
}

static int
ccc(int32_t c)
{
	return (utf8proc_get_property(c)->combining_class);
}

/* Writes the syllable in hand, if any, and starts the next. */
static void
syl_flush(struct norm *nm)
{
	struct syl *s = &nm->s;

	if (s->n == 0) {
		return;
	}
	if (nm->key == DEDUP_STRIPPED) {
		struct buf *o = &nm->out;
		buf_need(o, (size_t) s->n * 4 + 1);
		if (o->oom) {
			s->n      = 0; /* dedup_normalize reports it */
			s->ntones = 0;
			return;
		}
		if (o->len > 0) {
			o->b[o->len++] = ' ';
		}
		for (int i = 0; i < s->n; i++) {
			int32_t c = s->l[i].base;
			if (c < 0x80) {
				o->b[o->len++] = (char) c;
			} else {
				o->len += (size_t) utf8proc_encode_char(
				    c == 0x111 ? 'd' : c,
				    (utf8proc_uint8_t *) o->b + o->len);
			}
		}
		o->b[o->len] = '\0';
	} else {
		int t;
		if (s->ntones == 1 && (t = tone_target(s)) >= 0) {
			int32_t tone = 0;
			for (int i = 0; i < s->n; i++) {
				tone = s->l[i].tone ? s->l[i].tone : tone;
				s->l[i].tone = 0;
			}
			s->l[t].tone = tone;
		}
		if (nm->ncps > 0) {
			cps_add(nm, ' ');
		}
		for (int i = 0; i < s->n; i++) {
			int32_t m[MARKS_MAX + 1];
			int     nm_ = 0;
			cps_add(nm, s->l[i].base);
			for (int j = 0; j < MARKS_MAX; j++) {
				if (s->l[i].mark[j] != 0) {
					m[nm_++] = s->l[i].mark[j];
				}
			}
			if (s->l[i].tone != 0) {
				m[nm_++] = s->l[i].tone;
			}
			/* Canonical order (stable by combining class), so
			 * that composition finds ệ in e, dot, circumflex. */
			for (int a = 1; a < nm_; a++) {
				for (int b = a;
				     b > 0 && ccc(m[b - 1]) > ccc(m[b]); b--) {
					int32_t x = m[b];
					m[b]      = m[b - 1];
					m[b - 1]  = x;
				}
			}
			for (int j = 0; j < nm_; j++) {
				cps_add(nm, m[j]);
			}
		}
	}
	s->n      = 0;
	s->ntones = 0;
}

static void
syl_letter(struct norm *nm, int32_t c)
{
	struct letter *l;

	if (nm->s.n == SYL_MAX) {
		syl_flush(nm);
	}
	l       = &nm->s.l[nm->s.n++];
	l->base = c == 0xf0 ? 0x111 : c; /* ð, typed for đ */
	memset(l->mark, 0, sizeof(l->mark));
	l->tone = 0;
}

static void
syl_mark(struct norm *nm, int32_t c)
{
	struct letter *l;

	if (nm->s.n == 0) {
		return; /* a mark on nothing: ignore it */
	}
	l = &nm->s.l[nm->s.n - 1];
	if (is_tone(c) && l->tone == 0) {
		l->tone = c;
		nm->s.ntones++;
		return;
	}
	for (int i = 0; i < MARKS_MAX; i++) {
		if (l->mark[i] == 0) {
			l->mark[i] = c;
			return;
		}
	}
}

enum cp_class {
	CP_SEP,
	CP_LETTER,
	CP_MARK,
};

static enum cp_class
cp_class(int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return (CP_LETTER);
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return (CP_MARK);
	default:
		return (CP_SEP);
	}
}

#define DECOMPOSE_OPTS                                                       \
	(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |          \
	    UTF8PROC_IGNORE)

/*
 * The decompositions of the Latin letters and marks Vietnamese is written
 * with (U+0080 to U+036F, U+1E00 to U+1EFF), worked out once: utf8proc's
 * lookups were a third of the cost of normalizing.  Each entry holds up to
 * three code points with their class in the top bits.
 */
#define CACHE_LOW_END 0x370
#define CACHE_HIGH 0x1e00
#define CACHE_HIGH_END 0x1f00
#define CACHE_SIZE ((CACHE_LOW_END - 0x80) + (CACHE_HIGH_END - CACHE_HIGH))

struct decomp {
	int32_t cp[3];
	int8_t  cls[3]; /* enum cp_class */
	int8_t  n;      /* -1: not cached (more than three code points) */
};

static struct decomp  decomp_cache[CACHE_SIZE];
static pthread_once_t decomp_once = PTHREAD_ONCE_INIT;

static int
cache_slot(int32_t c)
{
	if (c >= 0x80 && c < CACHE_LOW_END) {
		return (c - 0x80);
	}
	if (c >= CACHE_HIGH && c < CACHE_HIGH_END) {
		return ((CACHE_LOW_END - 0x80) + (c - CACHE_HIGH));
	}
	return (-1);
}

static void
decomp_init(void)
{
	for (int32_t c = 0x80; c < CACHE_HIGH_END; c++) {
		int              slot = cache_slot(c), bound = 0;
		utf8proc_int32_t d[8];
		utf8proc_ssize_t n;
		if (slot < 0) {
			continue;
		}
		n = utf8proc_decompose_char(c, d, 8, DECOMPOSE_OPTS, &bound);
		decomp_cache[slot].n = (int8_t) (n >= 0 && n <= 3 ? n : -1);
		for (int i = 0; i < n && i < 3; i++) {
			decomp_cache[slot].cp[i]  = d[i];
			decomp_cache[slot].cls[i] = (int8_t) cp_class(d[i]);
		}
	}
}

/* One code point of the decomposed, case-folded text, of class cls. */
static void
norm_cp(struct norm *nm, int32_t c, enum cp_class cls)
{
	switch (cls) {
	case CP_LETTER:
		syl_letter(nm, c);
		break;
	case CP_MARK:
		syl_mark(nm, c);
		break;
	default:
		syl_flush(nm);
	}
}

int
dedup_normalize(const char *text, size_t len, enum dedup_key key,
    char **out, size_t *outlen)
{
	const utf8proc_uint8_t *p   = (const utf8proc_uint8_t *) text;
	const utf8proc_uint8_t *end = p + len;
	struct norm            *nm;
	int                     rv = SK_OK;

	*out = NULL;
	pthread_once(&decomp_once, decomp_init);
	if ((nm = calloc(1, sizeof(*nm))) == NULL) {
		return (SK_EINTERNAL);
	}
	nm->key = key;
	if (key == DEDUP_STRIPPED) {
		buf_need(&nm->out, len + 16);
	}
	while (p < end) {
		utf8proc_int32_t c, d[32];
		utf8proc_ssize_t n;
		int              bound = 0;

		/* Plain ASCII needs no table. */
		if (*p < 0x80) {
			c = *p++;
			if (c >= 'A' && c <= 'Z') {
				syl_letter(nm, c + 32);
			} else if ((c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9')) {
				syl_letter(nm, c);
			} else {
				syl_flush(nm);
			}
			continue;
		}
		if ((n = utf8proc_iterate(p, end - p, &c)) < 0) {
			rv = SK_EBADREQ;
			goto done;
		}
		p += n;
		int slot = cache_slot(c);
		if (slot >= 0 && decomp_cache[slot].n >= 0) {
			for (int i = 0; i < decomp_cache[slot].n; i++) {
				norm_cp(nm, decomp_cache[slot].cp[i],
				    (enum cp_class) decomp_cache[slot].cls[i]);
			}
			continue;
		}
		n = utf8proc_decompose_char(c, d, 32, DECOMPOSE_OPTS, &bound);
		if (n < 0 || n > 32) {
			syl_flush(nm);
			continue;
		}
		for (utf8proc_ssize_t i = 0; i < n; i++) {
			norm_cp(nm, d[i], cp_class(d[i]));
		}
	}
	syl_flush(nm);
	if (key == DEDUP_FULL) {
		utf8proc_ssize_t n;
		cps_add(nm, 0); /* room for the NUL */
		if (nm->oom) {
			rv = SK_EINTERNAL;
			goto done;
		}
		nm->ncps--;
		/* utf8proc_reencode writes UTF-8 over the code points. */
		n = utf8proc_reencode(nm->cps, (utf8proc_ssize_t) nm->ncps,
		    UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		if (n < 0) {
			rv = SK_EINTERNAL;
			goto done;
		}
		if (nm->ncps == 0) {
			((char *) nm->cps)[0] = '\0';
		}
		*out    = (char *) nm->cps;
		*outlen = (size_t) n;
		nm->cps = NULL;
	} else if (!nm->oom && !nm->out.oom) {
		buf_add(&nm->out, "", 0);
		*out      = nm->out.b ? nm->out.b : strdup("");
		*outlen   = nm->out.len;
		nm->out.b = NULL;
	}
	if (*out == NULL) {
		rv = SK_EINTERNAL;
	}
done:
	free(nm->cps);
	free(nm->out.b);
	free(nm);
	return (rv);
}

