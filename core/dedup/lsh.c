/*
 * lsh.c: the LSH band index in dedup_bands (dedup.h): where a case's
 * bands go, and keeping them current through the pending generations and
 * their sorted runs; query.c reads it.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dedup/impl.h"
#include "core/util/err.h"

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
/* A generation is applied once this many cases wait, or an eighth of the
 * index's leaves (so that each leaf gets several moves), at most MAX. */
#define PEND_MIN 256
#define PEND_MAX 4096
/* Moves applied per batch (more while the next generation is large). */
#define STEP_MOVES 2048

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
bool
lsh_pend_slots(const MDB_val *k, const MDB_val *v, uint32_t *id, bool *has_to,
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
size_t
lsh_band_moves(const struct pend *recs, size_t n, int b, struct band_move *out)
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
int
lsh_pend_load(MDB_txn *txn, struct store *st, int gen, struct pend **recs,
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
	int          rv = lsh_pend_load(txn, st, from, &recs, &n);

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
		    (rv = lsh_pend_load(txn, st, PEND_FLUSH, &recs, &n)) != 0) {
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
			size_t m = lsh_band_moves(recs, n, band, moves);
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

