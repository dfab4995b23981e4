/*
 * verify.c: server.verify's checks of the duplicate index (dedup.h,
 * dedup_verify): every signature's bands are in dedup_bands, or pending
 * with records that agree, and dedup_bands holds nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dedup/impl.h"
#include "core/util/err.h"

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
verify_pending(struct store_scan *bands, const struct pend *f,
    const struct pend *x, int band, size_t off, const struct band_move *cur,
    size_t m, void (*bad)(void *arg, const char *msg), void *arg, int *rc)
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
	if ((rv = lsh_pend_load(txn, st, PEND_NEXT, &next, &nn)) != 0 ||
	    (rv = lsh_pend_load(txn, st, PEND_FLUSH, &flush, &nf)) != 0 ||
	    (rv = store_meta_u64(txn, st, "dedup_flush_at", &at)) != 0) {
		goto out;
	}
	if (nf > 0 && (cur = malloc(2 * nf * sizeof(*cur))) == NULL) {
		rv = SK_EINTERNAL;
		goto out;
	}
	if (nf > 0 && (at >> 32) < DEDUP_BANDS) {
		m = lsh_band_moves(flush, nf, (int) (at >> 32), cur);
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
