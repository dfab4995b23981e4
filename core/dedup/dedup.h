/*
 * dedup.h: duplicate detection and the public search (ARCHITECTURE.md,
 * "Duplicates"; issue 4).  This is the engine: Vietnamese normalization,
 * MinHash signatures, the LSH index and the inverted index, all in the
 * store's LMDB environment.  What a case is made of, who may see what, and
 * when a case enters or leaves an index is core/model/similar.c's business.
 *
 * Texts are UTF-8; results are the caller's to free where noted.  Index
 * functions run inside the caller's transaction and return SK_OK or a
 * project error (LMDB's are translated by store_err); after SK_EMAPFULL the
 * transaction is dead, as everywhere else.
 */
#ifndef SK_DEDUP_H
#define SK_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store/store.h"

#define DEDUP_K 128    /* MinHash values in a signature */
#define DEDUP_BANDS 64 /* LSH bands ... */
#define DEDUP_ROWS 2   /* ... of this many values each */
#define DEDUP_BUCKET_BITS 12 /* a band's value is hashed to this many bits */

/* The similarity at which a case is called similar (case.similar, accept). */
#define DEDUP_SIMILAR_MIN 0.15
/* How many earlier cases accept stores on a case as "similar". */
#define DEDUP_SIMILAR_STORED 5

/* The two keys of a text. */
enum dedup_key {
	/* NFC, one tone-mark placement, case folded: "hoà" for "HÒA". */
	DEDUP_FULL,
	/* Base letters only, đ as d: "hoa" for "hoà", "HÒA" and "hoa". */
	DEDUP_STRIPPED,
};

/* 16-bit (b-bit) MinHash values: 256 bytes, stored as they are. */
struct dedup_sig {
	uint16_t v[DEDUP_K];
};

/*
 * Normalizes len bytes of UTF-8 under key: syllables (runs of letters and
 * digits) separated by one space, punctuation and white space folded away.
 * *out is malloc'd and NUL-terminated; the caller frees it.  Returns SK_OK,
 * SK_EBADREQ if text is not valid UTF-8, SK_EINTERNAL out of memory.
 */
int dedup_normalize(const char *text, size_t len, enum dedup_key key,
    char **out, size_t *outlen);

/*
 * The signature of a text: MinHash over the 3-syllable shingles of its
 * stripped key.  *nshingles is 0 when the text has no syllable at all (sig
 * is then all zero and must not be indexed).  Returns as dedup_normalize.
 */
int dedup_sign(const char *text, size_t len, struct dedup_sig *sig,
    size_t *nshingles);

/* The estimated Jaccard similarity of the texts behind a and b, 0 to 1. */
double dedup_similarity(const struct dedup_sig *a, const struct dedup_sig *b);

/*
 * The LSH index: dedup_index_put stores id's signature (replacing one it
 * had) and its bands; dedup_index_del removes them (SK_OK if there were
 * none); dedup_index_get reads it back (SK_ENOTFOUND if none).  Ids above
 * UINT32_MAX are refused with SK_ETOOLARGE.
 */
int dedup_index_put(MDB_txn *txn, struct store *st, uint64_t id,
    const struct dedup_sig *sig);
int dedup_index_del(MDB_txn *txn, struct store *st, uint64_t id);
int dedup_index_get(MDB_txn *txn, struct store *st, uint64_t id,
    struct dedup_sig *sig);

/*
 * Applies part of what the index has pending to its bands (lsh.c says
 * how); with all, everything.  The server calls it in each batch's write
 * transaction, and with all before it stops.
 */
int dedup_index_step(MDB_txn *txn, struct store *st, bool all);

/*
 * Brings the bands of a database indexed by an older sangkiend (schema 1)
 * to this one's format, lsh.c says how: some bands per call, at most
 * about max entries, each call in its own transaction; *done once they are
 * (at once if they were), *cases the signatures this call indexed (0 if it
 * had nothing to do).  The server calls it at start, before it serves.
 */
#define DEDUP_UPGRADE_ENTRIES ((size_t) 4 << 20)
int dedup_index_upgrade(MDB_txn *txn, struct store *st, size_t max,
    bool *done, uint64_t *cases);

/* How many changes to cases' signatures wait for their bands. */
uint64_t dedup_index_pending(MDB_txn *txn, struct store *st);

struct dedup_match {
	uint64_t id;
	double   similarity;
};

/* What dedup_query looks for. */
struct dedup_query {
	double   min;   /* the lowest similarity returned */
	uint64_t below; /* only ids below this one; 0: any */
	uint64_t skip;  /* never this id (the case asked about); 0: none */
	size_t   max;   /* at most this many matches */
};

/*
 * The indexed cases most similar to sig: those sharing a band bucket with
 * it, ranked by estimated similarity (then by id).  out has room for
 * q->max; *n is set to the number found.
 */
int dedup_query(MDB_txn *txn, struct store *st, const struct dedup_sig *sig,
    const struct dedup_query *q, struct dedup_match *out, size_t *n);

/*
 * The search index: stripped syllable -> ids.  dedup_search_change says
 * that id's published text was was (NULL: none) and is now is (NULL:
 * none); the caller passes only what may be published.  The postings move
 * later, with other cases' (search.c), but searches see the change at once.
 * dedup_search_step applies some of what waits, all of it with all: the
 * server calls it in each batch's write transaction, and with all before
 * it stops.  dedup_search_pending: how many cases wait.
 */
int dedup_search_change(MDB_txn *txn, struct store *st, uint64_t id,
    const char *was, size_t wlen, const char *is, size_t ilen);
int dedup_search_step(MDB_txn *txn, struct store *st, bool all);
uint64_t dedup_search_pending(MDB_txn *txn, struct store *st);
/* For server.verify: SK_ENOTFOUND unless id's postings wait; if they do,
 * whether term (len bytes) is among those it has (*from) and will (*to). */
int dedup_search_pending_term(MDB_txn *txn, struct store *st, uint32_t id,
    const char *term, size_t len, bool *from, bool *to);

/* Most syllables a query may have; more is SK_ETOOLARGE. */
#define DEDUP_QUERY_TERMS 32

/*
 * The ids above after whose text has every syllable of q (stripped: "giao
 * duc" finds "giáo dục"), in id order, at most limit of them in ids;
 * *more says whether there are others after the last.  SK_EBADREQ if q has
 * no syllable.
 */
int dedup_search(MDB_txn *txn, struct store *st, const char *q, size_t qlen,
    uint64_t after, size_t limit, uint64_t *ids, size_t *n, bool *more);

/*
 * Checks the indexes against each other: every signature has its 64 band
 * entries and nothing else is in the bands.  Calls bad(arg, message) for
 * each thing found wrong.  The case-aware checks are core/model/similar.c's.
 */
int dedup_verify(MDB_txn *txn, struct store *st,
    void (*bad)(void *arg, const char *msg), void *arg, uint64_t *nsigs);

#endif
