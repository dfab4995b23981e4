/*
 * minhash.c: a text's signature (dedup.h), MinHash over its shingles, which
 * the LSH index (lsh.c) files and duplicate queries (query.c) compare.  The
 * two keys of a text (normalize.c) combine this way: signatures are taken
 * over the stripped key only (base letters, đ as d), because a copy typed
 * without diacritics shares no shingle at all with its original under the
 * full key, while under the stripped key every variant of spelling (no
 * accents, NFD, the other tone-mark placement, upper case) is the same
 * text.  What stripping costs is that distinct syllables meet ("ca", "cá",
 * "cà" are all "ca"), but a shingle is three syllables in a row, and
 * unrelated texts share few of those whether accented or not: on the corpus
 * in tests/corpus no unrelated pair comes near 0.15 (test_dedup prints the
 * highest).  Mixing in full-key shingles would only halve the similarity of an
 * unaccented copy.  The full key (NFC, one tone placement, case folded) is
 * what dedup_normalize shows people and what its tests pin down.
 *
 * Signatures: each stripped syllable is hashed with XXH3 (fixed seed);
 * each run of three syllable hashes is hashed again into a shingle hash;
 * value i of the MinHash is the least fmix64(shingle ^ seed_i) over the
 * shingles, seed_i = XXH64 of i under a fixed seed, of which the low 16
 * bits are kept (b-bit MinHash: equal by chance once in 65,536, which the
 * estimate corrects for).  A text of fewer than three syllables is one
 * shingle.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/dedup/impl.h"
#include "core/util/err.h"

#define SEED_SYLLABLE 0x73616e676b69656eULL /* "sangkien" */
#define SEED_SHINGLE 0x64656475702d3367ULL  /* "dedup-3g" */
#define SEED_MINHASH 0x6d696e6861736821ULL  /* "minhash!" */

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

