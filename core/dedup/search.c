/*
 * search.c: the public search of recognized cases (dedup.h, dedup_search):
 * posting lists of stripped syllables in search_terms, brought up to date
 * in sorted runs from search_pending, and queries that walk the rarest
 * syllable's list.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/dedup/impl.h"
#include "core/util/err.h"

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
	/* Two empty lists may both be NULL: memcmp must not see them. */
	return (a->len == b->len &&
	    (a->len == 0 || memcmp(a->b, b->b, a->len) == 0));
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

