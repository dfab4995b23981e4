/*
 * dedup.c: finds initiatives that copy earlier ones, and searches the
 * recognized ones, in Vietnamese as people really type it.  The two keys
 * combine this way: signatures are taken over the stripped key only (base
 * letters, đ as d), because a copy typed without diacritics shares no
 * shingle at all with its original under the full key, while under the
 * stripped key every variant of spelling (no accents, NFD, the other
 * tone-mark placement, upper case) is the same text.  What stripping
 * costs is that distinct syllables meet ("ca", "cá", "cà" are all "ca"),
 * but a shingle is three syllables in a row, and unrelated texts share
 * few of those whether accented or not: on the corpus in tests/corpus no
 * unrelated pair comes near 0.15 (test_dedup prints the highest).  Mixing
 * in full-key shingles would only halve the similarity of an unaccented
 * copy.  The full key (NFC, one tone placement, case folded) is what
 * dedup_normalize shows people and what its tests pin down.
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
 *
 * Signatures: each stripped syllable is hashed with XXH3 (fixed seed);
 * each run of three syllable hashes is hashed again into a shingle hash;
 * value i of the MinHash is the least fmix64(shingle ^ seed_i) over the
 * shingles, seed_i = XXH64 of i under a fixed seed, of which the low 16
 * bits are kept (b-bit MinHash: equal by chance once in 65,536, which the
 * estimate corrects for).  A text of fewer than three syllables is one
 * shingle.
 *
 * The LSH index: 64 bands of 2 values each.  A band's 32 bits are hashed
 * (64 bits); the top 12 pick one of 4,096 buckets, the key (band, bucket),
 * and the low 32 are the band's fingerprint.  The key holds its cases as
 * 8-byte duplicates, fingerprint << 32 | id (MDB_DUPFIXED |
 * MDB_INTEGERDUP), which LMDB packs side by side, sorted by fingerprint:
 * a query reads only the run of its own fingerprint (MDB_GET_BOTH_RANGE),
 * that is the cases whose band is the same as its own, and of a long run
 * only the latest 64 (band_run says why).  Two texts with
 * Jaccard similarity J share at least one band with probability
 * 1 - (1 - J^2)^64: 0.98 at J = 0.25, 0.77 at J = 0.15.  Each candidate is
 * then read (its signature, in dedup_sigs) and compared, which is also how
 * candidates are ranked.  The first index (schema 1) held bare ids, so
 * every case of a bucket was a candidate: 64/4,096 of all cases, 780
 * reads a query at 50,000 cases and 15,600 at a million, most of an
 * accept's time and all of a cold start's stall.  dedup_index_upgrade
 * rebuilds such an index.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include <xxhash.h>

#include "core/dedup.h"
#include "core/err.h"

#define SEED_SYLLABLE 0x73616e676b69656eULL /* "sangkien" */
#define SEED_SHINGLE 0x64656475702d3367ULL  /* "dedup-3g" */
#define SEED_MINHASH 0x6d696e6861736821ULL  /* "minhash!" */
#define SEED_BUCKET 0x6c73682d62616e64ULL   /* "lsh-band" */

/* Letters kept in one syllable; a longer run is cut into several. */
#define SYL_MAX 32
/* Marks kept on one letter besides its tone. */
#define MARKS_MAX 2

/* ------------------------------------------------------------------ */
/* Growing buffers.                                                    */

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

/* ------------------------------------------------------------------ */
/* Signatures.                                                         */

static uint32_t       minhash_seed[DEDUP_K];
static pthread_once_t seeds_once = PTHREAD_ONCE_INIT;

static void
seeds_init(void)
{
	for (uint64_t i = 0; i < DEDUP_K; i++) {
		minhash_seed[i] =
		    (uint32_t) XXH64(&i, sizeof(i), SEED_MINHASH);
	}
}

/* MurmurHash3's finalizer: a bijection that mixes every bit. */
static inline uint64_t
fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (k);
}

/*
 * Folds one shingle into the minima.  32-bit arithmetic, so that the loop
 * runs 8 values at a time where the CPU has AVX2 (the clone is picked when
 * the program loads); this is where signing spends its time.
 */
__attribute__((target_clones("avx2", "default"))) static void
minhash_add(uint32_t *restrict mins, uint64_t shingle)
{
	uint32_t x = (uint32_t) (shingle ^ shingle >> 32);

	for (int i = 0; i < DEDUP_K; i++) {
		uint32_t v = x ^ minhash_seed[i];
		v ^= v >> 16;
		v *= 0x85ebca6bu;
		v ^= v >> 13;
		v *= 0xc2b2ae35u;
		v ^= v >> 16;
		mins[i] = v < mins[i] ? v : mins[i];
	}
}

int
dedup_sign(const char *text, size_t len, struct dedup_sig *sig,
    size_t *nshingles)
{
	uint32_t  mins[DEDUP_K];
	uint64_t *h = NULL;
	size_t    n = 0, cap = 0, slen;
	char     *s, *p;
	int       rv;

	pthread_once(&seeds_once, seeds_init);
	memset(sig, 0, sizeof(*sig));
	*nshingles = 0;
	if ((rv = dedup_normalize(text, len, DEDUP_STRIPPED, &s, &slen)) !=
	    SK_OK) {
		return (rv);
	}
	for (p = s; *p != '\0';) {
		size_t l = strcspn(p, " ");
		if (n == cap) {
			cap          = cap ? cap * 2 : 512;
			uint64_t *nh = realloc(h, cap * sizeof(*h));
			if (nh == NULL) {
				free(h);
				free(s);
				return (SK_EINTERNAL);
			}
			h = nh;
		}
		h[n++] = XXH3_64bits_withSeed(p, l, SEED_SYLLABLE);
		p += l + (p[l] == ' ');
	}
	free(s);
	if (n == 0) {
		free(h);
		return (SK_OK);
	}
	memset(mins, 0xff, sizeof(mins));
	if (n < 3) {
		minhash_add(
		    mins, XXH3_64bits_withSeed(h, n * 8, SEED_SHINGLE));
		*nshingles = 1;
	} else {
		for (size_t i = 0; i + 3 <= n; i++) {
			minhash_add(mins,
			    XXH3_64bits_withSeed(&h[i], 24, SEED_SHINGLE));
		}
		*nshingles = n - 2;
	}
	free(h);
	for (int i = 0; i < DEDUP_K; i++) {
		sig->v[i] = (uint16_t) mins[i];
	}
	return (SK_OK);
}

double
dedup_similarity(const struct dedup_sig *a, const struct dedup_sig *b)
{
	/* Two 16-bit values are equal by chance with probability c. */
	const double c = 1.0 / 65536;
	int          m = 0;

	for (int i = 0; i < DEDUP_K; i++) {
		m += a->v[i] == b->v[i];
	}
	double j = ((double) m / DEDUP_K - c) / (1 - c);
	return (j < 0 ? 0 : j > 1 ? 1 : j);
}

/* ------------------------------------------------------------------ */
/* The LSH index.                                                      */

/* v as 4 bytes, big-endian: the byte order of the band keys and ids. */
static void
be32(unsigned char k[4], uint32_t v)
{
	k[0] = (unsigned char) (v >> 24);
	k[1] = (unsigned char) (v >> 16);
	k[2] = (unsigned char) (v >> 8);
	k[3] = (unsigned char) v;
}

/*
 * Where band b of sig goes in dedup_bands: the key, band << 24 | bucket
 * (stored with be32), in the high half; the fingerprint in the low half.
 */
static uint64_t
band_slot(const struct dedup_sig *sig, int b)
{
	uint32_t v = (uint32_t) sig->v[b * DEDUP_ROWS] |
	    (uint32_t) sig->v[b * DEDUP_ROWS + 1] << 16;
	uint64_t h = fmix64(v ^ SEED_BUCKET ^ (uint64_t) b << 32);
	uint32_t bucket = (uint32_t) (h >> (64 - DEDUP_BUCKET_BITS));
	return ((uint64_t) ((uint32_t) b << 24 | bucket) << 32 | (uint32_t) h);
}

static uint32_t
slot_key(uint64_t slot)
{
	return ((uint32_t) (slot >> 32));
}

/* The duplicate that stands for id under slot's key: fingerprint, id. */
static uint64_t
slot_val(uint64_t slot, uint32_t id)
{
	return (slot << 32 | id);
}

static void
sig_key(struct store_key *k, uint64_t id)
{
	store_key_init(k);
	store_key_u64(k, id);
}

int
dedup_index_get(MDB_txn *txn, struct store *st, uint64_t id,
    struct dedup_sig *sig)
{
	struct store_key k;
	MDB_val          v;
	int              rv;

	sig_key(&k, id);
	if ((rv = store_get(txn, st, DB_DEDUP_SIGS, k.b, k.len, &v)) != 0) {
		return (rv);
	}
	if (v.mv_size != sizeof(*sig)) {
		return (SK_EINTERNAL);
	}
	memcpy(sig, v.mv_data, sizeof(*sig));
	return (SK_OK);
}

/*
 * The bands are brought up to date in sorted runs, not as each case
 * changes.  A case's 64 bands sit in 64 random leaves of dedup_bands: put
 * one case at a time, every submission dirtied 64 leaves that the commit
 * copied and wrote (four fifths of the bytes a write cost at 50,000 cases).
 * So a change is recorded in dedup_pending: the signature whose bands are
 * in the index ("from") and the one they move to ("to"), while dedup_sigs
 * gets the new signature at once.  Once enough cases wait, they become the
 * generation being applied, and dedup_index_step (called by the server in
 * each batch's transaction) applies its moves a band at a time, in key
 * order, a bounded number per batch: many cases' moves then share each
 * leaf.  Progress is the band and the number of its moves applied, under
 * "dedup_flush_at" in the meta database; the moves of a band are a
 * function of the generation's records, so a restart goes on where the
 * last commit was.
 *
 * Queries see every case as if its bands were current: a pending case's
 * entries in dedup_bands are ignored, and its signature is compared band
 * by band instead (dedup_query).  A change to a case of the generation
 * being applied is recorded in the next one, from that generation's "to".
 */
#define PEND_NEXT 0
#define PEND_FLUSH 1
/* A generation is applied once this many cases wait, or an eighth of the
 * index's leaves (so that each leaf gets several moves), at most MAX. */
#define PEND_MIN 256
#define PEND_MAX 4096
/* Moves applied per batch (more while the next generation is large). */
#define STEP_MOVES 2048

/*
 * A record's value: u8 flags, then the signatures it has, then (with a
 * "to") the DEDUP_BANDS band slots of "to" (u64, native order).  Every
 * duplicate query compares each pending case band by band; at 50,000
 * cases, hashing their bands afresh for each query was a tenth of the
 * loop's time.  Records may hold no slots, or the 32-bit keys of the first
 * index (dedup_index_upgrade drops those); slots are then computed when
 * read.
 */
struct pend {
	uint32_t         id;
	bool             has_from, has_to;
	struct dedup_sig from, to;
	uint64_t         to_slots[DEDUP_BANDS]; /* band_slot(&to, b) */
};

#define OLD_KEYS_SIZE (DEDUP_BANDS * sizeof(uint32_t))

static void
pend_set_to(struct pend *p, const struct dedup_sig *sig)
{
	p->has_to = true;
	p->to     = *sig;
	for (int b = 0; b < DEDUP_BANDS; b++) {
		p->to_slots[b] = band_slot(sig, b);
	}
}

static void
pend_key(unsigned char k[5], int gen, uint32_t id)
{
	k[0] = (unsigned char) gen;
	be32(k + 1, id);
}

/*
 * Parses a record's key and value: the id, the flags, and *sigs, the
 * length of flags and signatures; *slots says whether slots follow them.
 */
static bool
pend_parse(const MDB_val *k, const MDB_val *v, uint32_t *id, bool *has_from,
    bool *has_to, size_t *sigs, bool *slots)
{
	const unsigned char *kb = k->mv_data, *vb = v->mv_data;

	if (k->mv_size != 5 || v->mv_size < 1) {
		return (false);
	}
	*id       = (uint32_t) kb[1] << 24 | (uint32_t) kb[2] << 16 |
	    (uint32_t) kb[3] << 8 | kb[4];
	*has_from = (vb[0] & 1) != 0;
	*has_to   = (vb[0] & 2) != 0;
	*sigs     = 1 + (*has_from + *has_to) * sizeof(struct dedup_sig);
	*slots    = *has_to &&
	    v->mv_size == *sigs + DEDUP_BANDS * sizeof(uint64_t);
	return (*slots || v->mv_size == *sigs ||
	    (*has_to && v->mv_size == *sigs + OLD_KEYS_SIZE));
}

static bool
pend_decode(const MDB_val *k, const MDB_val *v, int *gen, struct pend *p)
{
	const unsigned char *vb = v->mv_data;
	size_t               sigs;
	bool                 slots;

	if (!pend_parse(k, v, &p->id, &p->has_from, &p->has_to, &sigs,
	        &slots)) {
		return (false);
	}
	*gen = ((const unsigned char *) k->mv_data)[0];
	vb++;
	if (p->has_from) {
		memcpy(&p->from, vb, sizeof(p->from));
		vb += sizeof(p->from);
	}
	if (p->has_to && slots) {
		memcpy(&p->to, vb, sizeof(p->to));
		memcpy(p->to_slots, vb + sizeof(p->to), sizeof(p->to_slots));
	} else if (p->has_to) {
		struct dedup_sig to;
		memcpy(&to, vb, sizeof(to));
		pend_set_to(p, &to);
	}
	return (true);
}

/*
 * What a query needs of a record, without copying its signatures: the id,
 * and the band slots of "to" if it has one (*has_to).
 */
static bool
pend_slots(const MDB_val *k, const MDB_val *v, uint32_t *id, bool *has_to,
    uint64_t slots[DEDUP_BANDS])
{
	const unsigned char *vb = v->mv_data;
	size_t               sigs, sig = sizeof(struct dedup_sig);
	bool                 has_from, kept;

	if (!pend_parse(k, v, id, &has_from, has_to, &sigs, &kept)) {
		return (false);
	}
	if (kept) {
		memcpy(slots, vb + sigs, DEDUP_BANDS * sizeof(*slots));
	} else if (*has_to) {
		struct dedup_sig to;
		memcpy(&to, vb + 1 + has_from * sig, sig);
		for (int b = 0; b < DEDUP_BANDS; b++) {
			slots[b] = band_slot(&to, b);
		}
	}
	return (true);
}

static int
pend_get(MDB_txn *txn, struct store *st, int gen, uint32_t id,
    struct pend *p)
{
	unsigned char k[5];
	MDB_val       key = { 5, k }, v;
	int           g, rv;

	pend_key(k, gen, id);
	if ((rv = store_get(txn, st, DB_DEDUP_PENDING, k, 5, &v)) != 0) {
		return (rv);
	}
	return (pend_decode(&key, &v, &g, p) ? SK_OK : SK_EINTERNAL);
}

static int
pend_put(MDB_txn *txn, struct store *st, int gen, const struct pend *p)
{
	unsigned char k[5],
	    v[1 + 2 * sizeof(struct dedup_sig) + sizeof(p->to_slots)];
	size_t n = 1;

	pend_key(k, gen, p->id);
	v[0] = (unsigned char) (p->has_from | p->has_to << 1);
	if (p->has_from) {
		memcpy(v + n, &p->from, sizeof(p->from));
		n += sizeof(p->from);
	}
	if (p->has_to) {
		memcpy(v + n, &p->to, sizeof(p->to));
		n += sizeof(p->to);
		memcpy(v + n, p->to_slots, sizeof(p->to_slots));
		n += sizeof(p->to_slots);
	}
	return (store_put(txn, st, DB_DEDUP_PENDING, k, 5, v, n));
}

/* Records that id's signature is now sig (NULL: none). */
static int
index_change(MDB_txn *txn, struct store *st, uint64_t id,
    const struct dedup_sig *sig)
{
	struct dedup_sig old;
	struct store_key k;
	struct pend      p, f;
	bool             had;
	int              rv;

	if (id > UINT32_MAX) {
		return (SK_ETOOLARGE);
	}
	rv = dedup_index_get(txn, st, id, &old);
	if (rv != 0 && rv != SK_ENOTFOUND) {
		return (rv);
	}
	had = rv == 0;
	if (had ? sig != NULL && memcmp(&old, sig, sizeof(old)) == 0
	        : sig == NULL) {
		return (SK_OK); /* resubmitted unchanged */
	}
	sig_key(&k, id);
	rv = sig != NULL ? store_put(txn, st, DB_DEDUP_SIGS, k.b, k.len, sig,
	                       sizeof(*sig))
	                 : store_del(txn, st, DB_DEDUP_SIGS, k.b, k.len);
	if (rv != 0) {
		return (rv);
	}
	rv = pend_get(txn, st, PEND_NEXT, (uint32_t) id, &p);
	if (rv == SK_ENOTFOUND) {
		/* Where its bands will be once what is being applied is. */
		p.id = (uint32_t) id;
		if ((rv = pend_get(txn, st, PEND_FLUSH, (uint32_t) id, &f)) ==
		    SK_OK) {
			p.has_from = f.has_to;
			p.from     = f.to;
		} else if (rv == SK_ENOTFOUND) {
			p.has_from = had;
			p.from     = old;
		} else {
			return (rv);
		}
	} else if (rv != 0) {
		return (rv);
	}
	p.has_to = false;
	if (sig != NULL) {
		pend_set_to(&p, sig);
	}
	return (pend_put(txn, st, PEND_NEXT, &p));
}

int
dedup_index_del(MDB_txn *txn, struct store *st, uint64_t id)
{
	return (index_change(txn, st, id, NULL));
}

int
dedup_index_put(MDB_txn *txn, struct store *st, uint64_t id,
    const struct dedup_sig *sig)
{
	return (index_change(txn, st, id, sig));
}

/* One move in dedup_bands: take id out of its slot, or put it in. */
struct band_move {
	uint64_t slot;
	uint32_t id;
	bool     put;
};

static int
move_cmp(const void *a, const void *b)
{
	const struct band_move *x = a, *y = b;
	if (x->slot != y->slot) {
		return (x->slot < y->slot ? -1 : 1);
	}
	return (x->id < y->id ? -1 : x->id > y->id);
}

/* The moves of band b for the cases in recs, in key order; out has room
 * for 2 * n.  (A case whose band keeps its slot has none.) */
static size_t
band_moves(const struct pend *recs, size_t n, int b, struct band_move *out)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t sf = 0, st = 0;
		if (recs[i].has_from) {
			sf = band_slot(&recs[i].from, b);
		}
		if (recs[i].has_to) {
			st = recs[i].to_slots[b];
		}
		if (recs[i].has_from && recs[i].has_to && sf == st) {
			continue;
		}
		if (recs[i].has_from) {
			out[m++] = (struct band_move) { sf, recs[i].id, false };
		}
		if (recs[i].has_to) {
			out[m++] = (struct band_move) { st, recs[i].id, true };
		}
	}
	qsort(out, m, sizeof(*out), move_cmp);
	return (m);
}

/* The records of generation gen, malloc'd in *recs (NULL if none). */
static int
pend_load(MDB_txn *txn, struct store *st, int gen, struct pend **recs,
    size_t *n)
{
	struct store_scan it;
	struct store_key  prefix;
	MDB_val           k, v;
	unsigned char     g8 = (unsigned char) gen;
	size_t            cap = 0;
	int               rc, g, rv;

	*recs = NULL;
	*n    = 0;
	store_key_init(&prefix);
	store_key_bytes(&prefix, &g8, 1);
	if ((rv = store_scan_begin(&it, txn, st, DB_DEDUP_PENDING, &prefix,
	         NULL)) != 0) {
		return (rv);
	}
	while ((rc = store_scan_next(&it, &k, &v)) == 0) {
		struct pend p;
		if (!pend_decode(&k, &v, &g, &p) || g != gen) {
			rv = SK_EINTERNAL;
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			struct pend *more = realloc(*recs, cap * sizeof(**recs));
			if (more == NULL) {
				rv = SK_EINTERNAL;
				break;
			}
			*recs = more;
		}
		(*recs)[(*n)++] = p;
	}
	store_scan_end(&it);
	if (rv == SK_OK && rc != 0 && rc != STORE_SCAN_END) {
		rv = rc;
	}
	return (rv);
}

/* Moves every record of generation from to generation to (or drops them
 * with to < 0). */
static int
pend_move_all(MDB_txn *txn, struct store *st, int from, int to)
{
	struct pend *recs;
	size_t       n;
	int          rv = pend_load(txn, st, from, &recs, &n);

	for (size_t i = 0; i < n && rv == SK_OK; i++) {
		unsigned char k[5];
		pend_key(k, from, recs[i].id);
		if ((rv = store_del(txn, st, DB_DEDUP_PENDING, k, 5)) == SK_OK &&
		    to >= 0) {
			rv = pend_put(txn, st, to, &recs[i]);
		}
	}
	free(recs);
	return (rv);
}

static size_t
flush_threshold(MDB_txn *txn, struct store *st)
{
	struct store_stat ms;
	size_t            t = PEND_MIN;
	if (store_stat(txn, st, DB_DEDUP_BANDS, &ms) == 0 &&
	    ms.leaf_pages / 8 > t) {
		t = ms.leaf_pages / 8;
	}
	return (t > PEND_MAX ? PEND_MAX : t);
}

uint64_t
dedup_index_pending(MDB_txn *txn, struct store *st)
{
	return (store_entries(txn, st, DB_DEDUP_PENDING));
}

int
dedup_index_step(MDB_txn *txn, struct store *st, bool all)
{
	struct pend      *recs = NULL;
	struct band_move *moves = NULL;
	size_t            n, budget = STEP_MOVES;
	uint64_t          at;
	struct store_stat ms;
	int               rv;

	for (;;) {
		if ((rv = store_meta_u64(txn, st, "dedup_flush_at", &at)) != 0 ||
		    (rv = pend_load(txn, st, PEND_FLUSH, &recs, &n)) != 0) {
			break;
		}
		if (n == 0) {
			/* Nothing being applied: start on what waits? */
			if ((rv = store_stat(txn, st, DB_DEDUP_PENDING, &ms)) != 0) {
				break;
			}
			if (ms.entries == 0 ||
			    (!all && ms.entries < flush_threshold(txn, st))) {
				break;
			}
			if ((rv = pend_move_all(txn, st, PEND_NEXT, PEND_FLUSH)) !=
			        0 ||
			    (rv = store_meta_set_u64(txn, st, "dedup_flush_at",
			         0)) != 0) {
				break;
			}
			free(recs);
			recs = NULL;
			continue;
		}
		if (!all && store_stat(txn, st, DB_DEDUP_PENDING, &ms) == 0 &&
		    ms.entries > 2 * n) {
			budget = STEP_MOVES * (ms.entries / n); /* catch up */
		}
		free(moves);
		if ((moves = malloc(2 * n * sizeof(*moves))) == NULL) {
			rv = SK_EINTERNAL;
			break;
		}
		int    band = (int) (at >> 32);
		size_t off  = (size_t) (at & 0xffffffffu);
		while (band < DEDUP_BANDS && rv == SK_OK && (all || budget > 0)) {
			size_t m = band_moves(recs, n, band, moves);
			for (; off < m && (all || budget > 0) && rv == SK_OK;
			     off++, budget--) {
				unsigned char kb[4];
				uint64_t      val =
				    slot_val(moves[off].slot, moves[off].id);
				be32(kb, slot_key(moves[off].slot));
				rv = moves[off].put
				    ? store_put_dup(txn, st, DB_DEDUP_BANDS, kb, 4, &val,
				          sizeof(val))
				    : store_del_dup(txn, st, DB_DEDUP_BANDS, kb, 4, &val,
				          sizeof(val));
			}
			if (off >= m) {
				band++;
				off = 0;
			}
		}
		if (rv != SK_OK) {
			break;
		}
		if (band < DEDUP_BANDS) {
			rv = store_meta_set_u64(txn, st, "dedup_flush_at",
			    (uint64_t) band << 32 | off);
			break;
		}
		/* The generation is in: forget it. */
		if ((rv = pend_move_all(txn, st, PEND_FLUSH, -1)) != 0 ||
		    (rv = store_meta_set_u64(txn, st, "dedup_flush_at", 0)) !=
		        0 ||
		    !all) {
			break;
		}
		free(recs);
		recs = NULL;
	}
	free(recs);
	free(moves);
	return (rv);
}

/*
 * The first sangkiend (schema 1) kept bare ids in the bands.  Its bands are
 * rebuilt from dedup_sigs, which is whole at every commit: the bands and
 * the pending records are emptied and the schema set to 2, then each call
 * puts a group of bands (all their entries, sorted, appended), as many as
 * max entries allow in one transaction; "dedup_upgrade_band" in the meta
 * database says where the next group starts, so a stop part way goes on
 * from the last commit.  (An older sangkiend refuses schema 2.)
 */
/* The entries of bands [from, to) for every signature, sorted. */
static int
upgrade_load(MDB_txn *txn, struct store *st, int from, int to,
    struct band_move **out, size_t *n)
{
	struct store_scan it;
	MDB_val           k, v;
	size_t            cap = 0;
	int               rc, rv;

	*out = NULL;
	*n   = 0;
	if ((rv = store_scan_begin(&it, txn, st, DB_DEDUP_SIGS, NULL, NULL)) !=
	    0) {
		return (rv);
	}
	while ((rc = store_scan_next(&it, &k, &v)) == 0) {
		struct dedup_sig sig;
		uint64_t         id;
		if (k.mv_size != 8 || v.mv_size != sizeof(sig) ||
		    (id = store_u64_at(k.mv_data)) > UINT32_MAX) {
			continue; /* server.verify reports it */
		}
		memcpy(&sig, v.mv_data, sizeof(sig));
		if (*n + (size_t) (to - from) > cap) {
			cap = cap ? cap * 2 : 4096;
			struct band_move *more = realloc(*out, cap * sizeof(**out));
			if (more == NULL) {
				rv = SK_EINTERNAL;
				break;
			}
			*out = more;
		}
		for (int b = from; b < to; b++) {
			(*out)[(*n)++] = (struct band_move) { band_slot(&sig, b),
				(uint32_t) id, true };
		}
	}
	store_scan_end(&it);
	if (rv == SK_OK && rc != STORE_SCAN_END) {
		rv = rc;
	}
	if (rv == SK_OK) {
		qsort(*out, *n, sizeof(**out), move_cmp);
	}
	return (rv);
}

int
dedup_index_upgrade(MDB_txn *txn, struct store *st, size_t max, bool *done,
    uint64_t *cases)
{
	struct band_move *moves = NULL;
	struct store_scan it;
	uint64_t schema, next, nsigs = store_entries(txn, st, DB_DEDUP_SIGS);
	size_t   n = 0, per;
	int      to, rv;

	*done  = false;
	*cases = 0;
	if ((rv = store_meta_u64(txn, st, "schema", &schema)) != 0 ||
	    (rv = store_meta_u64(txn, st, "dedup_upgrade_band", &next)) != 0) {
		return (rv);
	}
	if (schema >= 2 && next == 0) {
		*done = true;
		return (SK_OK);
	}
	if (schema < 2) {
		next = 0;
		if ((rv = store_clear(txn, st, DB_DEDUP_BANDS)) != 0 ||
		    (rv = store_clear(txn, st, DB_DEDUP_PENDING)) != 0 ||
		    (rv = store_meta_set_u64(txn, st, "dedup_flush_at", 0)) !=
		        0 ||
		    (rv = store_meta_set_u64(txn, st, "schema", 2)) != 0) {
			return (rv);
		}
	}
	per = nsigs == 0 ? DEDUP_BANDS : max / nsigs;
	per = per < 1 ? 1 : per;
	to  = next + per >= DEDUP_BANDS ? DEDUP_BANDS : (int) (next + per);
	if ((rv = upgrade_load(txn, st, (int) next, to, &moves, &n)) != 0) {
		goto out;
	}
	if ((rv = store_scan_begin(&it, txn, st, DB_DEDUP_BANDS, NULL,
	         NULL)) != 0) {
		goto out;
	}
	for (size_t i = 0; i < n && rv == SK_OK; i++) {
		unsigned char kb[4];
		uint64_t      val = slot_val(moves[i].slot, moves[i].id);
		MDB_val       k = { 4, kb }, v = { sizeof(val), &val };
		bool          same = i > 0 &&
		    slot_key(moves[i - 1].slot) == slot_key(moves[i].slot);
		be32(kb, slot_key(moves[i].slot));
		rv = store_scan_put(&it, &k, &v, same ? MDB_APPENDDUP : MDB_APPEND);
	}
	store_scan_end(&it);
	if (rv != SK_OK) {
		goto out;
	}
	*cases = nsigs;
	if (to < DEDUP_BANDS) {
		rv = store_meta_set_u64(txn, st, "dedup_upgrade_band",
		    (uint64_t) to);
	} else {
		rv    = store_del(txn, st, DB_META, "dedup_upgrade_band", 18);
		*done = rv == SK_OK;
	}
out:
	free(moves);
	return (rv);
}

/*
 * A set of candidate ids: open addressing over a power of two, 0 free
 * (case ids start at 1).  Keeps the order ids came in, for the caller.
 */
struct idset {
	uint32_t *slot, *list;
	size_t    cap, n;
};

static int
idset_add(struct idset *s, uint32_t id)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t    cap  = s->cap ? s->cap * 2 : 1024;
		uint32_t *slot = calloc(cap, sizeof(*slot));
		uint32_t *list = realloc(s->list, cap / 2 * sizeof(*list));
		if (slot == NULL || list == NULL) {
			free(slot);
			if (list != NULL) {
				s->list = list;
			}
			return (SK_EINTERNAL);
		}
		s->list = list;
		free(s->slot);
		s->slot = slot;
		s->cap  = cap;
		for (size_t i = 0; i < s->n; i++) {
			size_t h = (s->list[i] * 0x9e3779b1u) & (cap - 1);
			while (slot[h] != 0) {
				h = (h + 1) & (cap - 1);
			}
			slot[h] = s->list[i];
		}
	}
	size_t h = (id * 0x9e3779b1u) & (s->cap - 1);
	while (s->slot[h] != 0) {
		if (s->slot[h] == id) {
			return (SK_OK);
		}
		h = (h + 1) & (s->cap - 1);
	}
	s->slot[h]     = id;
	s->list[s->n++] = id;
	return (SK_OK);
}

static bool
idset_has(const struct idset *s, uint32_t id)
{
	if (s->cap == 0) {
		return (false);
	}
	for (size_t h = (id * 0x9e3779b1u) & (s->cap - 1); s->slot[h] != 0;
	     h = (h + 1) & (s->cap - 1)) {
		if (s->slot[h] == id) {
			return (true);
		}
	}
	return (false);
}

/*
 * The pending cases (dedup_index_step): their ids in *pending, and those
 * whose signature shares a band with the query's slots in cand.  A record
 * of the next generation comes first in key order and is the latest.
 */
static int
pending_candidates(MDB_txn *txn, struct store *st, const uint64_t qs[],
    const struct dedup_query *q, struct idset *pending, struct idset *cand)
{
	struct store_scan it;
	MDB_val           k, v;
	int               rc = STORE_SCAN_END, rv;

	if ((rv = store_scan_begin(&it, txn, st, DB_DEDUP_PENDING, NULL,
	         NULL)) != 0) {
		return (rv);
	}
	while (rv == SK_OK && (rc = store_scan_next(&it, &k, &v)) == 0) {
		uint64_t slots[DEDUP_BANDS];
		uint32_t id;
		bool     has_to;
		if (!pend_slots(&k, &v, &id, &has_to, slots)) {
			rv = SK_EINTERNAL;
			break;
		}
		if (idset_has(pending, id)) {
			continue; /* its next record came first */
		}
		if ((rv = idset_add(pending, id)) != SK_OK || !has_to ||
		    id == q->skip || (q->below != 0 && id >= q->below)) {
			continue;
		}
		for (int b = 0; b < DEDUP_BANDS; b++) {
			if (slots[b] == qs[b]) {
				rv = idset_add(cand, id);
				break;
			}
		}
	}
	store_scan_end(&it);
	if (rv == SK_OK && rc != 0 && rc != STORE_SCAN_END) {
		rv = rc;
	}
	return (rv);
}

/*
 * The candidates of one band: the run of duplicates under slot's key with
 * its fingerprint, the cases whose band is the query's, read backwards
 * from the query's below, RUN_MAX of them at most.  A band that more cases
 * share is a common phrase (a title that many begin with, a stock
 * sentence), not a copy: at 50,000 cases of the benchmark, one band lookup
 * in a thousand met a run of 500 to 2,000 cases, and reading all their
 * signatures was most of an accept's time.  A copy shares a band with its
 * original at random, so a real copy is found by its other bands; and the
 * latest cases of a long run are still candidates, so that a text copied
 * again and again is found among its latest copies.
 */
#define RUN_MAX 64

static int
band_run(struct store_scan *bands, uint64_t slot, const struct dedup_query *q,
    const struct idset *pending, struct idset *cand)
{
	unsigned char kb[4];
	uint64_t      end = slot_val(slot,
	         q->below == 0 || q->below > UINT32_MAX ? UINT32_MAX
	                                                 : (uint32_t) (q->below - 1)),
	         val;
	MDB_val  v = { sizeof(end), &end };
	int      rc, rv = SK_OK, seen = 0;

	be32(kb, slot_key(slot));
	/* The last duplicate at or below end: step back from the first one
	 * past it, or take the key's last if none is past it. */
	rc = store_dup_seek(bands, kb, 4, &v);
	if (rc == 0 && v.mv_size == sizeof(val)) {
		memcpy(&val, v.mv_data, sizeof(val));
		if (val > end) {
			rc = store_dup_prev(bands, &v);
		}
	} else if (rc == STORE_SCAN_END) {
		rc = store_dup_last(bands, kb, 4, &v);
	}
	for (; rc == 0 && rv == SK_OK && v.mv_size == sizeof(val) &&
	     seen < RUN_MAX;
	     rc = store_dup_prev(bands, &v)) {
		memcpy(&val, v.mv_data, sizeof(val));
		if (val >> 32 != (uint32_t) slot) {
			break;
		}
		uint32_t id = (uint32_t) val;
		seen++;
		if (id != q->skip && !idset_has(pending, id)) {
			rv = idset_add(cand, id); /* pending: its bands may be old */
		}
	}
	if (rc != 0 && rc != STORE_SCAN_END && rv == SK_OK) {
		rv = rc;
	}
	return (rv);
}

/* Inserts m into out (sorted, most similar first, then lowest id). */
static void
top_insert(struct dedup_match *out, size_t *n, size_t max,
    struct dedup_match m)
{
	size_t i = *n;

	if (max == 0) {
		return;
	}
	if (i == max) {
		const struct dedup_match *last = &out[max - 1];
		if (m.similarity < last->similarity ||
		    (m.similarity == last->similarity && m.id > last->id)) {
			return;
		}
		i--;
	} else {
		(*n)++;
	}
	while (i > 0 &&
	    (out[i - 1].similarity < m.similarity ||
	        (out[i - 1].similarity == m.similarity &&
	            out[i - 1].id > m.id))) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = m;
}

int
dedup_query(MDB_txn *txn, struct store *st, const struct dedup_sig *sig,
    const struct dedup_query *q, struct dedup_match *out, size_t *n)
{
	struct idset      cand = { 0 }, pending = { 0 };
	struct store_scan bands;
	uint64_t          qs[DEDUP_BANDS];
	int               rv = SK_OK;

	*n = 0;
	for (int b = 0; b < DEDUP_BANDS; b++) {
		qs[b] = band_slot(sig, b);
	}
	if ((rv = pending_candidates(txn, st, qs, q, &pending, &cand)) != 0) {
		goto out;
	}
	if ((rv = store_scan_begin(&bands, txn, st, DB_DEDUP_BANDS, NULL,
	         NULL)) != 0) {
		goto out;
	}
	for (int b = 0; b < DEDUP_BANDS && rv == SK_OK; b++) {
		rv = band_run(&bands, qs[b], q, &pending, &cand);
	}
	store_scan_end(&bands);
	for (size_t i = 0; i < cand.n && rv == SK_OK; i++) {
		struct dedup_sig other;
		struct store_key k;
		MDB_val          v;

		sig_key(&k, cand.list[i]);
		rv = store_get(txn, st, DB_DEDUP_SIGS, k.b, k.len, &v);
		if (rv == SK_ENOTFOUND || v.mv_size != sizeof(other)) {
			rv = SK_OK; /* server.verify reports it */
			continue;
		}
		if (rv != 0) {
			break;
		}
		memcpy(&other, v.mv_data, sizeof(other));
		double s = dedup_similarity(sig, &other);
		if (s >= q->min) {
			top_insert(out, n, q->max,
			    (struct dedup_match) { cand.list[i], s });
		}
	}
out:
	free(cand.slot);
	free(cand.list);
	free(pending.slot);
	free(pending.list);
	return (rv);
}

/* ------------------------------------------------------------------ */
/* The search index.                                                   */


static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(char *const *) a, *(char *const *) b));
}

/*
 * Keeps the first of each distinct string of t[0..n) (in place, in order)
 * and returns how many: an open-addressed set of indexes, XXH3 of each.  A
 * text says its commonest syllables tens of times; sorting only the
 * distinct ones halves the cost of terms_of.
 */
static size_t
distinct(char **t, size_t n)
{
	size_t    cap = 64, w = 0;
	uint32_t *set;

	while (cap < 2 * n) {
		cap *= 2;
	}
	if ((set = calloc(cap, sizeof(*set))) == NULL) {
		return (SIZE_MAX);
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(t[i]);
		size_t h = (size_t) XXH3_64bits(t[i], l) & (cap - 1);
		for (; set[h] != 0; h = (h + 1) & (cap - 1)) {
			if (strcmp(t[set[h] - 1], t[i]) == 0) {
				break;
			}
		}
		if (set[h] == 0) {
			t[w]   = t[i];
			set[h] = (uint32_t) ++w;
		}
	}
	free(set);
	return (w);
}

/*
 * The distinct stripped syllables of text, sorted, as pointers into *s.
 * The caller frees *s and *terms whatever this returns.
 */
static int
terms_of(const char *text, size_t len, char **s, char ***terms, size_t *n)
{
	size_t slen, cap = 0;
	char  *p;
	int    rv;

	*s     = NULL;
	*terms = NULL;
	*n     = 0;
	if ((rv = dedup_normalize(text, len, DEDUP_STRIPPED, s, &slen)) != 0) {
		return (rv);
	}
	for (p = *s; *p != '\0';) {
		size_t l    = strcspn(p, " ");
		bool   last = p[l] == '\0';
		if (*n == cap) {
			cap      = cap ? cap * 2 : 256;
			char **t = realloc(*terms, cap * sizeof(*t));
			if (t == NULL) {
				return (SK_EINTERNAL);
			}
			*terms = t;
		}
		p[l]             = '\0';
		(*terms)[(*n)++] = p;
		p += l + !last;
	}
	if ((*n = distinct(*terms, *n)) == SIZE_MAX) {
		*n = 0;
		return (SK_EINTERNAL);
	}
	if (*n > 0) {
		qsort(*terms, *n, sizeof(**terms), cmp_str);
	}
	return (SK_OK);
}

/*
 * The search index's pending changes.
 *
 * A recognized case's public text puts some 150 distinct syllables into
 * search_terms, each into its own posting list: 150 leaves dirtied for one
 * case, over a third of a decision's CPU and most of the pages its commit
 * writes.  So a change is recorded in search_pending, as the terms indexed
 * now ("from") and those to be ("to"), and applied with others': once
 * SEARCH_PEND_MIN cases wait, SEARCH_STEP_CASES of them per batch, their
 * moves sorted by term, so that a leaf takes the moves of many cases in
 * one touch.  A record is applied whole within one transaction, so there
 * is no progress to keep.
 *
 * Searches see every case as if applied: a pending case's postings are
 * ignored and its "to" terms are matched instead (dedup_search).
 *
 * A record's value: u32 (native) the length of "from", then "from", then
 * "to"; each a list of NUL-terminated terms in strcmp order.
 */
#define SEARCH_PEND_MIN 64
#define SEARCH_STEP_CASES 64

/* A term list as stored: NUL-terminated terms, sorted. */
struct tlist {
	const char *b;
	size_t      len;
};

/* The next term of l from *at on, or NULL at the end. */
static const char *
tlist_next(const struct tlist *l, size_t *at)
{
	const char *t;
	if (*at >= l->len) {
		return (NULL);
	}
	t = l->b + *at;
	*at += strnlen(t, l->len - *at) + 1;
	return (t);
}

static bool
tlist_has(const struct tlist *l, const char *term)
{
	size_t      at = 0;
	const char *t;
	while ((t = tlist_next(l, &at)) != NULL) {
		int c = strcmp(t, term);
		if (c >= 0) {
			return (c == 0);
		}
	}
	return (false);
}

static bool
tlist_eq(const struct tlist *a, const struct tlist *b)
{
	return (a->len == b->len && memcmp(a->b, b->b, a->len) == 0);
}

/* The terms of text (NULL: none) as a list; the caller frees l->b. */
static int
tlist_of(const char *text, size_t len, struct tlist *l)
{
	char  *s = NULL, **terms = NULL, *b;
	size_t n = 0, total = 0;
	int    rv;

	*l = (struct tlist) { NULL, 0 };
	if (text == NULL) {
		return (SK_OK);
	}
	if ((rv = terms_of(text, len, &s, &terms, &n)) == SK_OK) {
		for (size_t i = 0; i < n; i++) {
			total += strlen(terms[i]) + 1;
		}
		if ((b = malloc(total ? total : 1)) == NULL) {
			rv = SK_EINTERNAL;
		} else {
			for (size_t i = 0; i < n; i++) {
				size_t tl = strlen(terms[i]) + 1;
				memcpy(b + l->len, terms[i], tl);
				l->len += tl;
			}
			l->b = b;
		}
	}
	free(terms);
	free(s);
	return (rv);
}

static bool
spend_decode(const MDB_val *k, const MDB_val *v, uint32_t *id,
    struct tlist *from, struct tlist *to)
{
	const unsigned char *kb = k->mv_data;
	uint32_t             fl;

	if (k->mv_size != 4 || v->mv_size < 4) {
		return (false);
	}
	memcpy(&fl, v->mv_data, 4);
	if (fl > v->mv_size - 4) {
		return (false);
	}
	*id   = (uint32_t) kb[0] << 24 | (uint32_t) kb[1] << 16 |
	    (uint32_t) kb[2] << 8 | kb[3];
	*from = (struct tlist) { (const char *) v->mv_data + 4, fl };
	*to   = (struct tlist) { (const char *) v->mv_data + 4 + fl,
                v->mv_size - 4 - fl };
	return (true);
}

int
dedup_search_change(MDB_txn *txn, struct store *st, uint64_t id,
    const char *was, size_t wlen, const char *is, size_t ilen)
{
	unsigned char k[4];
	struct tlist  from = { NULL, 0 }, to = { NULL, 0 }, pf, pt;
	MDB_val       key = { 4, k }, v;
	uint32_t      id32;
	char         *val = NULL;
	bool          had;
	int           rv;

	if (id > UINT32_MAX) {
		return (SK_ETOOLARGE);
	}
	be32(k, (uint32_t) id);
	rv  = store_get(txn, st, DB_SEARCH_PENDING, k, 4, &v);
	had = rv == SK_OK;
	if (rv != SK_OK && rv != SK_ENOTFOUND) {
		return (rv);
	}
	if (had) {
		/* What the index holds is still the first record's "from". */
		if (!spend_decode(&key, &v, &id32, &pf, &pt)) {
			return (SK_EINTERNAL);
		}
		char *b = malloc(pf.len ? pf.len : 1);
		if (b == NULL) {
			return (SK_EINTERNAL);
		}
		memcpy(b, pf.b, pf.len);
		from = (struct tlist) { b, pf.len };
	} else if ((rv = tlist_of(was, wlen, &from)) != SK_OK) {
		goto out;
	}
	if ((rv = tlist_of(is, ilen, &to)) != SK_OK) {
		goto out;
	}
	if (tlist_eq(&from, &to)) {
		rv = had ? store_del(txn, st, DB_SEARCH_PENDING, k, 4) : SK_OK;
		goto out;
	}
	if (from.len > UINT32_MAX ||
	    (val = malloc(4 + from.len + to.len)) == NULL) {
		rv = SK_EINTERNAL;
		goto out;
	}
	uint32_t fl = (uint32_t) from.len;
	memcpy(val, &fl, 4);
	if (from.len > 0) {
		memcpy(val + 4, from.b, from.len);
	}
	if (to.len > 0) {
		memcpy(val + 4 + from.len, to.b, to.len);
	}
	rv = store_put(
	    txn, st, DB_SEARCH_PENDING, k, 4, val, 4 + from.len + to.len);
out:
	free(val);
	free((char *) from.b);
	free((char *) to.b);
	return (rv);
}

/* One move in search_terms: take id out of term's list, or put it in. */
struct term_move {
	const char *term;
	uint32_t    id;
	bool        put;
};

static int
term_move_cmp(const void *a, const void *b)
{
	const struct term_move *x = a, *y = b;
	int                     c = strcmp(x->term, y->term);
	if (c != 0) {
		return (c);
	}
	return (x->id < y->id ? -1 : x->id > y->id);
}

/*
 * Sorts moves whose runs [start[i], start[i + 1]) are each sorted (a case's
 * moves come in term order), merging runs pairwise: a sixth of the
 * comparisons of a qsort of the lot, which cost as much as the puts.
 * start has nruns + 1 entries, the last n; it is overwritten.
 */
static int
merge_runs(struct term_move *moves, size_t n, size_t *start, size_t nruns)
{
	struct term_move *tmp, *a = moves, *b;

	if (nruns < 2) {
		return (SK_OK);
	}
	if ((tmp = malloc(n * sizeof(*tmp))) == NULL) {
		return (SK_EINTERNAL);
	}
	b = tmp;
	while (nruns > 1) {
		size_t w = 0;
		for (size_t r = 0; r < nruns; r += 2) {
			/* Runs r and r + 1, or r alone if it is the last. */
			size_t lo = start[r], mid = start[r + 1];
			size_t hi = r + 2 <= nruns ? start[r + 2] : mid;
			size_t i = lo, j = mid, o = lo;
			while (i < mid && j < hi) {
				b[o++] = term_move_cmp(&a[j], &a[i]) < 0 ? a[j++]
				                                         : a[i++];
			}
			while (i < mid) {
				b[o++] = a[i++];
			}
			while (j < hi) {
				b[o++] = a[j++];
			}
			start[w++] = lo;
		}
		start[w] = n;
		nruns    = w;
		struct term_move *t = a;
		a                   = b;
		b                   = t;
	}
	if (a != moves) {
		memcpy(moves, a, n * sizeof(*moves));
	}
	free(tmp);
	return (SK_OK);
}

/* Appends the moves that take id's postings from "from" to "to". */
static int
term_moves(uint32_t id, const struct tlist *from, const struct tlist *to,
    struct term_move **moves, size_t *n, size_t *cap)
{
	size_t      af = 0, at = 0;
	const char *f = tlist_next(from, &af), *t = tlist_next(to, &at);

	while (f != NULL || t != NULL) {
		int c = f == NULL ? 1 : t == NULL ? -1 : strcmp(f, t);
		if (*n == *cap) {
			size_t            nc = *cap ? *cap * 2 : 4096;
			struct term_move *m  = realloc(*moves, nc * sizeof(*m));
			if (m == NULL) {
				return (SK_EINTERNAL);
			}
			*moves = m;
			*cap   = nc;
		}
		if (c == 0) {
			f = tlist_next(from, &af);
			t = tlist_next(to, &at);
		} else if (c < 0) {
			(*moves)[(*n)++] = (struct term_move) { f, id, false };
			f                = tlist_next(from, &af);
		} else {
			(*moves)[(*n)++] = (struct term_move) { t, id, true };
			t                = tlist_next(to, &at);
		}
	}
	return (SK_OK);
}

uint64_t
dedup_search_pending(MDB_txn *txn, struct store *st)
{
	return (store_entries(txn, st, DB_SEARCH_PENDING));
}

int
dedup_search_pending_term(MDB_txn *txn, struct store *st, uint32_t id,
    const char *term, size_t len, bool *from, bool *to)
{
	unsigned char k[4];
	MDB_val       key = { 4, k }, v;
	struct tlist  f, t;
	uint32_t      got;
	char         *z;
	int           rv;

	be32(k, id);
	if ((rv = store_get(txn, st, DB_SEARCH_PENDING, k, 4, &v)) != SK_OK) {
		return (rv);
	}
	if (!spend_decode(&key, &v, &got, &f, &t) ||
	    (z = strndup(term, len)) == NULL) {
		return (SK_EINTERNAL);
	}
	*from = tlist_has(&f, z);
	*to   = tlist_has(&t, z);
	free(z);
	return (SK_OK);
}

/* Applies the first SEARCH_STEP_CASES pending records whole. */
static int
search_step_once(MDB_txn *txn, struct store *st)
{
	struct store_scan pc, tc = { .cur = NULL };
	MDB_val           k, v;
	struct term_move *moves = NULL;
	uint32_t          ids[SEARCH_STEP_CASES];
	char             *vals[SEARCH_STEP_CASES] = { NULL };
	size_t            start[SEARCH_STEP_CASES + 1];
	size_t            nrec = 0, n = 0, cap = 0;
	int               rc = STORE_SCAN_END, rv;

	if ((rv = store_scan_begin(&pc, txn, st, DB_SEARCH_PENDING, NULL,
	         NULL)) != 0) {
		return (rv);
	}
	/* Copies: the values are LMDB's only until the first write. */
	while (nrec < SEARCH_STEP_CASES && rv == SK_OK &&
	    (rc = store_scan_next(&pc, &k, &v)) == 0) {
		struct tlist from, to;
		MDB_val      copy;
		if ((vals[nrec] = malloc(v.mv_size)) == NULL) {
			rv = SK_EINTERNAL;
			break;
		}
		memcpy(vals[nrec], v.mv_data, v.mv_size);
		copy = (MDB_val) { v.mv_size, vals[nrec] };
		if (!spend_decode(&k, &copy, &ids[nrec], &from, &to)) {
			rv = SK_EINTERNAL;
			break;
		}
		start[nrec] = n;
		rv = term_moves(ids[nrec++], &from, &to, &moves, &n, &cap);
	}
	start[nrec] = n;
	store_scan_end(&pc);
	if (rv == SK_OK && rc != 0 && rc != STORE_SCAN_END) {
		rv = rc;
	}
	if (rv == SK_OK && n > 0 &&
	    (rv = merge_runs(moves, n, start, nrec)) == SK_OK) {
		rv = store_scan_begin(&tc, txn, st, DB_SEARCH_TERMS, NULL, NULL);
	}
	/* In key order on one cursor: LMDB looks for the next key on the
	 * leaf the cursor is on before it descends from the root. */
	for (size_t i = 0; i < n && rv == SK_OK; i++) {
		MDB_val tk = { strlen(moves[i].term), (void *) moves[i].term };
		MDB_val tv = { sizeof(moves[i].id), &moves[i].id };
		if (moves[i].put) {
			rv = store_scan_put(&tc, &tk, &tv, MDB_NODUPDATA);
			rv = rv == SK_ECONFLICT ? SK_OK : rv; /* there already */
		} else if ((rc = store_dup_find(&tc, tk.mv_data, tk.mv_size,
		                tv.mv_data, tv.mv_size)) == 0) {
			rv = store_scan_del(&tc);
		} else if (rc != STORE_SCAN_END) {
			rv = rc;
		}
	}
	store_scan_end(&tc);
	for (size_t i = 0; i < nrec && rv == SK_OK; i++) {
		unsigned char kb[4];
		be32(kb, ids[i]);
		rv = store_del(txn, st, DB_SEARCH_PENDING, kb, 4);
	}
	for (size_t i = 0; i < nrec; i++) {
		free(vals[i]);
	}
	free(moves);
	return (rv);
}

int
dedup_search_step(MDB_txn *txn, struct store *st, bool all)
{
	uint64_t left = dedup_search_pending(txn, st);
	int      rv   = SK_OK;

	if (!all && left < SEARCH_PEND_MIN) {
		return (SK_OK);
	}
	do {
		rv = search_step_once(txn, st);
	} while (rv == SK_OK && all &&
	    (left = dedup_search_pending(txn, st)) > 0);
	return (rv);
}

static int
cmp_u32s(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
	return (x < y ? -1 : x > y);
}

/*
 * The pending cases: their ids in *all (sorted), and those whose "to" has
 * every one of terms, above after, in *match (sorted).  The lists point
 * into txn's pages; nothing writes while a search runs.
 */
static int
search_pending_of(MDB_txn *txn, struct store *st, char *const *terms,
    size_t nt, uint64_t after, uint32_t **all, size_t *nall,
    uint32_t **match, size_t *nmatch)
{
	struct store_scan it;
	MDB_val           k, v;
	size_t            cap = 0;
	int               rc, rv;

	*all   = NULL;
	*match = NULL;
	*nall = *nmatch = 0;
	if ((rv = store_scan_begin(&it, txn, st, DB_SEARCH_PENDING, NULL,
	         NULL)) != 0) {
		return (rv);
	}
	while ((rc = store_scan_next(&it, &k, &v)) == 0) {
		struct tlist from, to;
		uint32_t     id;
		bool         every = true;
		if (!spend_decode(&k, &v, &id, &from, &to)) {
			rv = SK_EINTERNAL;
			break;
		}
		if (*nall == cap) {
			size_t    nc = cap ? cap * 2 : 256;
			uint32_t *a  = realloc(*all, nc * sizeof(*a));
			uint32_t *m  = realloc(*match, nc * sizeof(*m));
			if (a != NULL) {
				*all = a;
			}
			if (m != NULL) {
				*match = m;
			}
			if (a == NULL || m == NULL) {
				rv = SK_EINTERNAL;
				break;
			}
			cap = nc;
		}
		(*all)[(*nall)++] = id;
		for (size_t i = 0; i < nt && every; i++) {
			every = tlist_has(&to, terms[i]);
		}
		if (every && id > after) {
			(*match)[(*nmatch)++] = id;
		}
	}
	store_scan_end(&it);
	if (rv == SK_OK && rc != STORE_SCAN_END) {
		rv = rc;
	}
	return (rv);
}

/* Adds id to the page, or says there are more: false when full. */
static bool
page_add(uint64_t *ids, size_t *n, size_t limit, bool *more, uint32_t id)
{
	if (*n == limit) {
		*more = true;
		return (false);
	}
	ids[(*n)++] = id;
	return (true);
}

/*
 * Walks the shortest posting list from after on and keeps the ids that
 * every other list holds too (one MDB_GET_BOTH each): the cost follows the
 * rarest syllable of the query, not the commonest.  Pending cases are
 * skipped there and merged in, in id order, from their "to" terms.
 */
int
dedup_search(MDB_txn *txn, struct store *st, const char *q, size_t qlen,
    uint64_t after, size_t limit, uint64_t *ids, size_t *n, bool *more)
{
	struct store_scan cur[DEDUP_QUERY_TERMS];
	char             *s, **terms;
	uint32_t         *pall = NULL, *pmatch = NULL;
	size_t nt, d = 0, least = SIZE_MAX, npall = 0, npmatch = 0, pi = 0;
	size_t nopen    = 0;
	bool   postings = true;
	int    rv, rc = 0;

	*n    = 0;
	*more = false;
	if ((rv = terms_of(q, qlen, &s, &terms, &nt)) != 0) {
		goto done;
	}
	if (nt == 0) {
		rv = SK_EBADREQ;
		goto done;
	}
	if (nt > DEDUP_QUERY_TERMS) {
		rv = SK_ETOOLARGE;
		goto done;
	}
	if (after >= UINT32_MAX) {
		goto done;
	}
	if ((rv = search_pending_of(txn, st, terms, nt, after, &pall, &npall,
	         &pmatch, &npmatch)) != SK_OK) {
		goto done;
	}
	for (size_t i = 0; i < nt && postings; i++) {
		size_t count;
		if ((rc = store_scan_begin(&cur[i], txn, st, DB_SEARCH_TERMS,
		         NULL, NULL)) != 0) {
			goto done;
		}
		nopen++;
		if ((rc = store_dup_count(&cur[i], terms[i], strlen(terms[i]),
		         &count)) != 0) {
			if (rc != STORE_SCAN_END) {
				goto done;
			}
			rc       = 0;
			postings = false; /* no indexed case has this one */
			break;
		}
		if (count < least) {
			least = count;
			d     = i;
		}
	}
	uint32_t start = (uint32_t) after + 1;
	MDB_val  v     = { sizeof(start), &start };
	for (rc = postings ? store_dup_seek(&cur[d], terms[d], strlen(terms[d]),
	                         &v)
	                   : STORE_SCAN_END;
	     rc == 0; rc = store_dup_next(&cur[d], &v)) {
		uint32_t id;
		bool     all = true;
		memcpy(&id, v.mv_data, sizeof(id));
		if (npall > 0 &&
		    bsearch(&id, pall, npall, sizeof(*pall), cmp_u32s) != NULL) {
			continue; /* pending: matched by its "to" terms */
		}
		for (size_t j = 0; j < nt && all; j++) {
			if (j == d) {
				continue;
			}
			int r = store_dup_find(&cur[j], terms[j], strlen(terms[j]),
			    &id, sizeof(id));
			if (r == STORE_SCAN_END) {
				all = false;
			} else if (r != 0) {
				rc = r;
				goto done;
			}
		}
		if (!all) {
			continue;
		}
		while (pi < npmatch && pmatch[pi] < id &&
		    page_add(ids, n, limit, more, pmatch[pi])) {
			pi++;
		}
		if (*more || !page_add(ids, n, limit, more, id)) {
			rc = 0;
			goto done;
		}
	}
	if (rc == STORE_SCAN_END) {
		rc = 0;
	}
	while (rc == 0 && pi < npmatch &&
	    page_add(ids, n, limit, more, pmatch[pi])) {
		pi++;
	}
done:
	if (rv == SK_OK && rc != 0 && rc != STORE_SCAN_END) {
		rv = rc;
	}
	for (size_t i = 0; i < nopen; i++) {
		store_scan_end(&cur[i]);
	}
	free(pall);
	free(pmatch);
	free(terms);
	free(s);
	return (rv);
}

/* ------------------------------------------------------------------ */
/* Verification.                                                       */

static const struct pend *
pend_find(const struct pend *recs, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (recs[mid].id == id) {
			return (&recs[mid]);
		}
		if (recs[mid].id < id) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return (NULL);
}

/* Is id in dedup_bands under slot?  1 yes, 0 no, or an error. */
static int
band_has(struct store_scan *bands, uint64_t slot, uint32_t id)
{
	unsigned char kb[4];
	uint64_t      val = slot_val(slot, id);
	int           r;
	be32(kb, slot_key(slot));
	r = store_dup_find(bands, kb, 4, &val, sizeof(val));
	return (r == SK_OK ? 1 : r == STORE_SCAN_END ? 0 : r);
}

/*
 * What dedup_bands should hold for a pending case, band by band: in the
 * generation being applied (f), the moves of the bands before the current
 * one are in, as are the first off moves of the current one (cur, m); in
 * the next generation alone (x), its "from".  Checks each; returns how many
 * entries the case has, or -1 on an error (in *rc).
 */
static long
verify_pending(struct store_scan *bands, const struct pend *f, const struct pend *x,
    int band, size_t off, const struct band_move *cur, size_t m,
    void (*bad)(void *arg, const char *msg), void *arg, int *rc)
{
	const struct pend *p = f != NULL ? f : x;
	long               entries = 0;
	const char        *wrong   = NULL;
	int                wb      = 0;
	char               msg[256];

	/* Queries go by the slots kept with "to" (struct pend). */
	for (int r = 0; r < 2 && wrong == NULL; r++) {
		const struct pend *q = r == 0 ? f : x;
		for (int b = 0; q != NULL && q->has_to && b < DEDUP_BANDS &&
		     wrong == NULL;
		     b++) {
			if (q->to_slots[b] != band_slot(&q->to, b)) {
				wrong = "has band slots that do not match its "
				        "signature";
				wb    = b;
			}
		}
	}
	for (int b = 0; b < DEDUP_BANDS && wrong == NULL; b++) {
		uint64_t      kf = p->has_from ? band_slot(&p->from, b) : 0;
		uint64_t      kt = p->has_to ? band_slot(&p->to, b) : 0;
		bool          from_in = p->has_from, to_in = false;

		if (f != NULL && !(p->has_from && p->has_to && kf == kt)) {
			bool del_done = b < band, put_done = b < band;
			for (size_t i = 0; b == band && i < off && i < m; i++) {
				if (cur[i].id == p->id) {
					del_done = del_done || !cur[i].put;
					put_done = put_done || cur[i].put;
				}
			}
			from_in = p->has_from && !del_done;
			to_in   = p->has_to && put_done;
		}
		for (int w = 0; w < 2; w++) {
			bool     want = w == 0 ? from_in : to_in;
			uint64_t slot = w == 0 ? kf : kt;
			int      r;
			if (!want) {
				continue;
			}
			if ((r = band_has(bands, slot, p->id)) < 0) {
				*rc = r;
				return (-1);
			}
			if (r == 0) {
				wrong = "is missing from dedup_bands";
				wb    = b;
				break;
			}
			entries++;
		}
	}
	if (wrong != NULL) {
		snprintf(msg, sizeof(msg), "case %lu (pending) %s (band %d)",
		    (unsigned long) p->id, wrong, wb);
		bad(arg, msg);
	}
	return (entries);
}

int
dedup_verify(MDB_txn *txn, struct store *st,
    void (*bad)(void *arg, const char *msg), void *arg, uint64_t *nsigs)
{
	struct store_scan sigs = { .cur = NULL }, bands = { .cur = NULL };
	MDB_val           k, v;
	struct store_stat ms;
	struct pend      *next = NULL, *flush = NULL;
	struct band_move *cur = NULL;
	size_t            nn = 0, nf = 0, m = 0;
	uint64_t          at = 0, want = 0;
	char              msg[256];
	int               rc = 0, rv;

	*nsigs = 0;
	if ((rv = pend_load(txn, st, PEND_NEXT, &next, &nn)) != 0 ||
	    (rv = pend_load(txn, st, PEND_FLUSH, &flush, &nf)) != 0 ||
	    (rv = store_meta_u64(txn, st, "dedup_flush_at", &at)) != 0) {
		goto out;
	}
	if (nf > 0 && (cur = malloc(2 * nf * sizeof(*cur))) == NULL) {
		rv = SK_EINTERNAL;
		goto out;
	}
	if (nf > 0 && (at >> 32) < DEDUP_BANDS) {
		m = band_moves(flush, nf, (int) (at >> 32), cur);
	}
	if ((rc = store_scan_begin(&sigs, txn, st, DB_DEDUP_SIGS, NULL,
	         NULL)) != 0 ||
	    (rc = store_scan_begin(&bands, txn, st, DB_DEDUP_BANDS, NULL,
	         NULL)) != 0) {
		goto done;
	}
	while ((rc = store_scan_next(&sigs, &k, &v)) == 0) {
		struct dedup_sig   sig;
		uint64_t           id;
		const struct pend *x, *f, *p;
		(*nsigs)++;
		if (k.mv_size != 8 || v.mv_size != sizeof(sig)) {
			bad(arg, "dedup_sigs has a malformed entry");
			continue;
		}
		id = store_u64_at(k.mv_data);
		memcpy(&sig, v.mv_data, sizeof(sig));
		x = pend_find(next, nn, (uint32_t) id);
		f = pend_find(flush, nf, (uint32_t) id);
		if ((p = x != NULL ? x : f) != NULL) {
			if (!p->has_to || memcmp(&p->to, &sig, sizeof(sig)) != 0) {
				snprintf(msg, sizeof(msg),
				    "case %llu: dedup_pending and dedup_sigs "
				    "disagree",
				    (unsigned long long) id);
				bad(arg, msg);
			}
			continue; /* its bands are checked below */
		}
		want += DEDUP_BANDS;
		for (int b = 0; b < DEDUP_BANDS; b++) {
			int r = band_has(&bands, band_slot(&sig, b), (uint32_t) id);
			if (r == 0) {
				snprintf(msg, sizeof(msg),
				    "case %llu is missing from dedup_bands "
				    "(band %d)",
				    (unsigned long long) id, b);
				bad(arg, msg);
				break;
			} else if (r != 1) {
				rc = r;
				goto done;
			}
		}
	}
	if (rc != STORE_SCAN_END) {
		goto done;
	}
	/* The pending cases: each once, with both its records. */
	for (size_t g = 0; g < 2; g++) {
		const struct pend *recs = g == 0 ? flush : next;
		size_t             n    = g == 0 ? nf : nn;
		for (size_t i = 0; i < n; i++) {
			const struct pend *f =
			    g == 0 ? &recs[i] : pend_find(flush, nf, recs[i].id);
			const struct pend *x =
			    g == 1 ? &recs[i] : pend_find(next, nn, recs[i].id);
			long e;
			if (g == 1 && f != NULL) {
				continue; /* seen with its generation */
			}
			if (f != NULL && x != NULL &&
			    (x->has_from != f->has_to ||
			        (x->has_from &&
			            memcmp(&x->from, &f->to, sizeof(x->from)) != 0))) {
				snprintf(msg, sizeof(msg),
				    "case %lu: its two dedup_pending records "
				    "disagree",
				    (unsigned long) recs[i].id);
				bad(arg, msg);
			}
			e = verify_pending(&bands, f, f != NULL ? NULL : x,
			    (int) (at >> 32), (size_t) (at & 0xffffffffu), cur, m,
			    bad, arg, &rc);
			if (e < 0) {
				goto done;
			}
			want += (uint64_t) e;
		}
	}
	if ((rc = store_stat(txn, st, DB_DEDUP_BANDS, &ms)) != 0) {
		goto done;
	}
	if (ms.entries != want) {
		snprintf(msg, sizeof(msg),
		    "dedup_bands has %llu entries; the %llu signatures make "
		    "%llu",
		    (unsigned long long) ms.entries,
		    (unsigned long long) *nsigs, (unsigned long long) want);
		bad(arg, msg);
	}
	rc = 0;
done:
	store_scan_end(&sigs);
	store_scan_end(&bands);
	rv = rc == 0 || rc == STORE_SCAN_END ? SK_OK : rc;
out:
	free(next);
	free(flush);
	free(cur);
	return (rv);
}
