/*
 * query.c: duplicate queries (dedup.h, dedup_query): the candidates that
 * share a band with a text's signature, from dedup_bands (lsh.c says how
 * it is laid out) and from the pending cases, each compared by signature
 * and ranked by similarity.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dedup/impl.h"
#include "core/util/err.h"

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
		if (!lsh_pend_slots(&k, &v, &id, &has_to, slots)) {
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

