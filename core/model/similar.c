/*
 * similar.c: the case's side of the duplicate and search indexes.
 * core/dedup/ is the engine; this file knows what a case is made of and when
 * a case enters an index, and checks those indexes for server.verify.
 *
 * The hook, dedup_case_changed, is one of case_save's change hooks (case.c):
 * it runs in every change of a case just before the case is put, inside
 * the same transaction, so that the indexes can never disagree with the
 * cases that were committed:
 *   - entering submitted (a first submission, or again after returned):
 *     the signature of the title and every section is (re)indexed; drafts
 *     never are.  A case stays indexed after it leaves review, so that a
 *     later copy of a refused or withdrawn case is still caught.
 *   - submit (similar_at_submit, called by the handler before the
 *     rubric's check) and again at accept (submitted -> unit_review): the
 *     nearest earlier cases (lower ids) at DEDUP_SIMILAR_MIN or more,
 *     DEDUP_SIMILAR_STORED at most, are stored on the case as "similar"
 *     for the intake, the council and the rubric; when the nearest is at
 *     or above the province's threshold (similarity_flag of the topmost
 *     unit that sets one, SIMILAR_FLAG_DEFAULT otherwise) the case carries
 *     "flagged_similar" for the council (issue 16, item 7).
 *   - entering or leaving the public states (wf_state_public): the title
 *     and the sections that are not confidential go in or out of the
 *     search index.  A confidential section is never indexed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/err.h"
#include "core/model/similar.h"
#include "core/model/unit.h"
#include "core/model/workflow.h"

/*
 * The text of a case: its title, then its sections in the order of the
 * law; with public, without those it lists as confidential.  malloc'd, or
 * NULL when out of memory.
 */
char *
case_text(json_object *doc, bool public, size_t *len)
{
	json_object *secs = NULL, *conf = NULL;
	const char  *title = doc_get_str(doc, "title");
	char        *text  = NULL;
	FILE        *f;

	if ((f = open_memstream(&text, len)) == NULL) {
		return (NULL);
	}
	fputs(title ? title : "", f);
	json_object_object_get_ex(doc, "sections", &secs);
	json_object_object_get_ex(doc, "confidential", &conf);
	for (int i = 0; secs != NULL && i < WF_NSECTIONS; i++) {
		const char *s = wf_sections[i].id;
		const char *t = doc_get_str(secs, s);
		if (t != NULL && !(public && json_has_str(conf, s))) {
			fputs("\n", f);
			fputs(t, f);
		}
	}
	if (fclose(f) != 0) {
		free(text);
		return (NULL);
	}
	return (text);
}

/* A similarity as people read it: 3 decimals, "0.25" not "0.250". */
json_object *
similarity_json(double s)
{
	char   buf[16];
	size_t n;

	snprintf(buf, sizeof(buf), "%.3f", s);
	n = strlen(buf);
	while (n > 3 && buf[n - 1] == '0') {
		buf[--n] = '\0';
	}
	return (json_object_new_double_s(strtod(buf, NULL), buf));
}

json_object *
similar_item(uint64_t id, json_object *c, double similarity, bool with_state)
{
	json_object *it = json_object_new_object();

	json_object_object_add(it, "id", json_object_new_int64((int64_t) id));
	json_object_object_add(it, "title",
	    json_object_new_string(doc_get_str(c, "title") ?: ""));
	if (with_state) {
		json_object_object_add(it, "state",
		    json_object_new_string(doc_get_str(c, "state") ?: ""));
	}
	json_object_object_add(it, "similarity", similarity_json(similarity));
	return (it);
}

/* The signature of a case's whole text; *n is 0 when it has no words. */
int
case_sign(json_object *doc, struct dedup_sig *sig, size_t *n)
{
	size_t len;
	char  *text = case_text(doc, false, &len);
	int    rv;

	if (text == NULL) {
		return (SK_EINTERNAL);
	}
	rv = dedup_sign(text, len, sig, n);
	free(text);
	return (rv);
}

/*
 * The hook.
 */

static int
index_case(struct op_ctx *ctx, uint64_t id, json_object *doc)
{
	struct dedup_sig sig;
	size_t           n;
	int              rv;

	if ((rv = case_sign(doc, &sig, &n)) == 0) {
		rv = n > 0 ? dedup_index_put(ctx->txn, ctx->st, id, &sig)
		           : dedup_index_del(ctx->txn, ctx->st, id);
	}
	if (rv != 0) {
		return (proto_fail(ctx->err, rv,
		    "cannot index case %llu for duplicates",
		    (unsigned long long) id));
	}
	return (0);
}

/* unit_walk's visit: the similarity_flag of the topmost unit that sets
 * one (the province's), into arg. */
static int
unit_flag(void *arg, const char *id, json_object *unit)
{
	json_object *v;

	(void) id;
	if (unit != NULL && json_object_object_get_ex(unit, "similarity_flag",
	                        &v) &&
	    v != NULL) {
		*(double *) arg = json_object_get_double(v);
	}
	return (0);
}

double
similar_flag_threshold(struct op_ctx *ctx, const char *unit)
{
	double t = SIMILAR_FLAG_DEFAULT;

	if (unit != NULL) {
		unit_walk(ctx, unit, unit_flag, &t);
	}
	return (t);
}

/*
 * The flag for the council: the nearest earlier case when its similarity
 * is at or above the province's threshold (flagged_similar: {id, title,
 * similarity, threshold}); none otherwise.
 */
static void
set_flag(struct op_ctx *ctx, json_object *doc, json_object *similar)
{
	json_object *top = json_object_array_get_idx(similar, 0), *s;
	double       t   = similar_flag_threshold(ctx, doc_get_str(doc, "unit"));

	if (top != NULL && json_object_object_get_ex(top, "similarity", &s) &&
	    json_object_get_double(s) >= t - 1e-9) {
		json_object *f = doc_clone(top);
		json_object_object_add(f, "threshold", similarity_json(t));
		json_object_object_add(doc, "flagged_similar", f);
	} else {
		json_object_object_del(doc, "flagged_similar");
	}
}

/*
 * Stores on doc the nearest earlier cases (lower ids) and the flag.  With
 * fresh, doc's own text is signed (at submit, where the index may still
 * hold an older text of a resubmitted case); else the indexed signature
 * is used.
 */
static int
store_similar(struct op_ctx *ctx, uint64_t id, json_object *doc, bool fresh)
{
	struct dedup_match  m[DEDUP_SIMILAR_STORED];
	struct dedup_query  q = { DEDUP_SIMILAR_MIN, id, id,
		 DEDUP_SIMILAR_STORED };
	struct dedup_sig    sig;
	json_object        *similar = json_object_new_array();
	size_t              nsh = 1, n = 0;
	int                 rv;

	rv = fresh ? SK_ENOTFOUND : dedup_index_get(ctx->txn, ctx->st, id, &sig);
	if (rv == SK_ENOTFOUND && fresh) {
		rv = case_sign(doc, &sig, &nsh);
	} else if (rv == SK_ENOTFOUND) {
		/* Submitted before there was an index: index it now. */
		if ((rv = case_sign(doc, &sig, &nsh)) == 0 && nsh > 0) {
			rv = dedup_index_put(ctx->txn, ctx->st, id, &sig);
		}
	}
	if (rv == 0 && nsh > 0) {
		rv = dedup_query(ctx->txn, ctx->st, &sig, &q, m, &n);
	}
	for (size_t i = 0; i < n && rv == 0; i++) {
		json_object *c;
		if (store_case_get(ctx->txn, ctx->st, m[i].id, &c) != 0) {
			continue;
		}
		json_object_array_add(similar,
		    similar_item(m[i].id, c, m[i].similarity, false));
		json_object_put(c);
	}
	if (rv != 0) {
		json_object_put(similar);
		return (proto_fail(ctx->err, rv,
		    "cannot look for cases similar to case %llu",
		    (unsigned long long) id));
	}
	json_object_object_add(doc, "similar", similar);
	set_flag(ctx, doc, similar);
	return (0);
}

int
similar_at_submit(struct op_ctx *ctx, uint64_t id, json_object *doc)
{
	if (id == 0 || id > UINT32_MAX) {
		return (0);
	}
	return (store_similar(ctx, id, doc, true));
}

static int
search_update(struct op_ctx *ctx, uint64_t id, json_object *old,
    enum wf_state from, json_object *doc, enum wf_state to)
{
	bool   was = old != NULL && wf_state_public(from);
	bool   is  = wf_state_public(to);
	char  *ot = NULL, *nt = NULL;
	size_t ol = 0, nl = 0;
	int    rv = 0;

	if (!was && !is) {
		return (0);
	}
	if ((was && (ot = case_text(old, true, &ol)) == NULL) ||
	    (is && (nt = case_text(doc, true, &nl)) == NULL)) {
		rv = SK_EINTERNAL;
	} else if (was && is && ol == nl && memcmp(ot, nt, ol) == 0) {
		rv = 0; /* the public text is what is indexed already */
	} else {
		rv = dedup_search_change(ctx->txn, ctx->st, id, was ? ot : NULL,
		    ol, is ? nt : NULL, nl);
	}
	free(ot);
	free(nt);
	if (rv != 0) {
		return (proto_fail(ctx->err, rv,
		    "cannot update the search index for case %llu",
		    (unsigned long long) id));
	}
	return (0);
}

int
dedup_case_changed(struct op_ctx *ctx, json_object *old, json_object *doc)
{
	enum wf_state from = old ? wf_state_parse(doc_get_str(old, "state"))
	                         : WF_NONE;
	enum wf_state to   = wf_state_parse(doc_get_str(doc, "state"));
	int64_t       id   = doc_get_int(doc, "id", 0);
	int           rv;

	/* The indexes hold 32-bit ids: four billion cases is far off. */
	if (id <= 0 || id > (int64_t) UINT32_MAX) {
		return (0);
	}
	if (to == WF_SUBMITTED && from != WF_SUBMITTED &&
	    (rv = index_case(ctx, (uint64_t) id, doc)) != 0) {
		return (rv);
	}
	if (to == WF_UNIT_REVIEW && from == WF_SUBMITTED &&
	    (rv = store_similar(ctx, (uint64_t) id, doc, false)) != 0) {
		return (rv);
	}
	return (search_update(ctx, (uint64_t) id, old, from, doc, to));
}

/*
 * server.verify.
 */

static void
add_problem(void *arg, const char *msg)
{
	store_problem(arg, "%s", msg);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
	return (x < y ? -1 : x > y);
}

/*
 * The ids in by_state under the states for which want(s) is true, sorted.
 */
static int
ids_in_states(struct op_ctx *ctx, bool (*want)(enum wf_state), uint32_t **ids,
    size_t *n)
{
	size_t cap = 0;

	*ids = NULL;
	*n   = 0;
	for (int s = 0; s < WF_NSTATES; s++) {
		struct store_key  prefix;
		struct store_scan it;
		MDB_val           k, v;
		int               rv;

		if (!want((enum wf_state) s)) {
			continue;
		}
		store_key_init(&prefix);
		store_key_str(&prefix, wf_state_name((enum wf_state) s));
		if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_BY_STATE,
		         &prefix, NULL)) != 0) {
			return (rv);
		}
		while (store_scan_next(&it, &k, &v) == 0) {
			if (k.mv_size != prefix.len + 8) {
				continue;
			}
			if (*n == cap) {
				uint32_t *more;
				cap  = cap ? cap * 2 : 1024;
				more = realloc(*ids, cap * sizeof(**ids));
				if (more == NULL) {
					store_scan_end(&it);
					return (SK_EINTERNAL);
				}
				*ids = more;
			}
			(*ids)[(*n)++] = (uint32_t) store_u64_at(
			    (char *) k.mv_data + prefix.len);
		}
		store_scan_end(&it);
	}
	if (*n > 0) {
		qsort(*ids, *n, sizeof(**ids), cmp_u32);
	}
	return (0);
}

/* States whose cases were submitted and so must have a signature. */
static bool
state_signed(enum wf_state s)
{
	return (s != WF_DRAFT && s != WF_WITHDRAWN);
}

int
dedup_server_verify(struct op_ctx *ctx, json_object *problems)
{
	uint32_t         *pub = NULL, *sub = NULL;
	size_t            npub = 0, nsub = 0;
	uint64_t          nsigs;
	struct store_scan it;
	bool              scanning = false;
	MDB_val           k, v;
	int               rv;

	if ((rv = dedup_verify(ctx->txn, ctx->st, add_problem, problems,
	         &nsigs)) != 0 ||
	    (rv = ids_in_states(ctx, wf_state_public, &pub, &npub)) != 0 ||
	    (rv = ids_in_states(ctx, state_signed, &sub, &nsub)) != 0) {
		goto out;
	}
	/* Every submitted case has a signature. */
	for (size_t i = 0; i < nsub; i++) {
		struct dedup_sig sig;
		if (dedup_index_get(ctx->txn, ctx->st, sub[i], &sig) ==
		    SK_ENOTFOUND) {
			store_problem(problems,
			    "case %u was submitted but is not in dedup_sigs",
			    sub[i]);
		}
	}
	/* Every signature is a case's. */
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_DEDUP_SIGS, NULL,
	         NULL)) != 0) {
		goto out;
	}
	while (store_scan_next(&it, &k, &v) == 0) {
		MDB_val c;
		if (k.mv_size == 8 &&
		    store_get(ctx->txn, ctx->st, DB_CASES, k.mv_data, 8, &c) ==
		        SK_ENOTFOUND) {
			store_problem(problems,
			    "dedup_sigs has case %llu, which does not exist",
			    (unsigned long long) store_u64_at(k.mv_data));
		}
	}
	store_scan_end(&it);
	/* Every posting names a public case... */
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_SEARCH_TERMS,
	         NULL, NULL)) != 0) {
		goto out;
	}
	scanning = true;
	while (store_scan_next_key(&it, &k, &v) == 0) {
		/* A key with one id has no page of duplicates: LMDB then
		 * leaves vv as it is, the one value. */
		MDB_val vv = v;
		for (int r = store_dup_packed(&it, true, &vv); r == 0;
		     r = store_dup_packed(&it, false, &vv)) {
			/* The packed ids may sit at any address (a key's
			 * few duplicates live inside its node): each is
			 * copied out, never loaded in place. */
			const unsigned char *packed = vv.mv_data;
			for (size_t i = 0; i < vv.mv_size / 4; i++) {
				bool     from, to;
				uint32_t id;
				memcpy(&id, packed + i * 4, sizeof(id));
				int  p = dedup_search_pending_term(ctx->txn,
				     ctx->st, id, k.mv_data, k.mv_size,
				     &from, &to);
				if (p == SK_OK && !from) {
					store_problem(problems,
					    "search_terms has \"%.*s\" for "
					    "case %u, which its pending record "
					    "does not",
					    (int) k.mv_size,
					    (char *) k.mv_data, id);
				}
				if (p == SK_OK) {
					continue; /* it moves later */
				}
				if (npub == 0 ||
				    bsearch(&id, pub, npub, sizeof(*pub),
				        cmp_u32) == NULL) {
					store_problem(problems,
					    "search_terms has \"%.*s\" for "
					    "case %u, which is not public",
					    (int) k.mv_size,
					    (char *) k.mv_data, id);
				}
			}
		}
	}
	/* ...and every public case is found by the first word of its
	 * title. */
	for (size_t i = 0; i < npub; i++) {
		json_object *c;
		char        *t;
		size_t       tl;
		if (store_case_get(ctx->txn, ctx->st, pub[i], &c) != 0) {
			continue;
		}
		const char *title = doc_get_str(c, "title") ?: "";
		if (dedup_normalize(title, strlen(title), DEDUP_STRIPPED, &t,
		        &tl) == 0 &&
		    tl > 0) {
			uint32_t id = pub[i];
			size_t   first = strcspn(t, " ");
			bool     from, to;
			int      r = dedup_search_pending_term(ctx->txn, ctx->st,
			         id, t, first, &from, &to);
			if (r == SK_OK && !to) {
				store_problem(problems,
				    "case %u is public but its pending search "
				    "record misses its title",
				    id);
			} else if (r != SK_OK &&
			    store_dup_find(&it, t, first, &id, 4) != 0) {
				store_problem(problems,
				    "case %u is public but missing from "
				    "search_terms",
				    id);
			}
		}
		free(t);
		json_object_put(c);
	}
	rv = 0;
out:
	if (scanning) {
		store_scan_end(&it);
	}
	free(pub);
	free(sub);
	return (rv);
}
