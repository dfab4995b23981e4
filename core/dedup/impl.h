/*
 * impl.h: the duplicate detector's private header, for the files of
 * core/dedup/ only (in the manner of Knot Resolver's lib/cache/impl.h
 * beside its api.h); dedup.h is the public API.
 *
 * The files, a concern each:
 *   normalize.c  Vietnamese normalization, the two keys of a text
 *   minhash.c    signatures (MinHash over shingles) and their similarity
 *   lsh.c        the LSH band index and its pending generations, applied
 *                in sorted runs; index upgrades
 *   query.c      duplicate queries: candidates from the bands and the
 *                pending cases, ranked by similarity
 *   search.c     the public search: posting lists, their sorted runs
 *   verify.c     server.verify's checks of the band index
 * Private functions shared between them carry their file's prefix (lsh_).
 */
#ifndef SK_DEDUP_IMPL_H
#define SK_DEDUP_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dedup/dedup.h"
#include "core/store/store.h"

#define SEED_BUCKET 0x6c73682d62616e64ULL /* "lsh-band" */

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

/* v as 4 bytes, big-endian: the byte order of the band keys and ids. */
static inline void
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
static inline uint64_t
band_slot(const struct dedup_sig *sig, int b)
{
	uint32_t v = (uint32_t) sig->v[b * DEDUP_ROWS] |
	    (uint32_t) sig->v[b * DEDUP_ROWS + 1] << 16;
	uint64_t h = fmix64(v ^ SEED_BUCKET ^ (uint64_t) b << 32);
	uint32_t bucket = (uint32_t) (h >> (64 - DEDUP_BUCKET_BITS));
	return ((uint64_t) ((uint32_t) b << 24 | bucket) << 32 | (uint32_t) h);
}

static inline uint32_t
slot_key(uint64_t slot)
{
	return ((uint32_t) (slot >> 32));
}

/* The duplicate that stands for id under slot's key: fingerprint, id. */
static inline uint64_t
slot_val(uint64_t slot, uint32_t id)
{
	return (slot << 32 | id);
}

static inline void
sig_key(struct store_key *k, uint64_t id)
{
	store_key_init(k);
	store_key_u64(k, id);
}

/*
 * dedup_pending's two generations (lsh.c says how they work): the next
 * one, which changes join, and the one being applied to the bands.
 */
#define PEND_NEXT 0
#define PEND_FLUSH 1

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

/* One move in dedup_bands: take id out of its slot, or put it in. */
struct band_move {
	uint64_t slot;
	uint32_t id;
	bool     put;
};

/* What a query needs of a dedup_pending record, without copying its
 * signatures: the id, and the band slots of "to" if it has one (*has_to);
 * false if it is malformed. */
bool lsh_pend_slots(const MDB_val *k, const MDB_val *v, uint32_t *id,
    bool *has_to, uint64_t slots[DEDUP_BANDS]);
/* The records of generation gen, malloc'd in *recs (NULL if none). */
int lsh_pend_load(MDB_txn *txn, struct store *st, int gen, struct pend **recs,
    size_t *n);
/* The moves of band b for the cases in recs, in key order; out has room
 * for 2 * n.  (A case whose band keeps its slot has none.) */
size_t lsh_band_moves(const struct pend *recs, size_t n, int b,
    struct band_move *out);

#endif
