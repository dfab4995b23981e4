/*
 * search.c: duplicates and the public search in the op table
 * (case.similar, case.search): who may see which match.  What a case is
 * made of and when it enters an index is the model's (model/similar.c).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/case.h"
#include "core/dedup/dedup.h"
#include "core/util/err.h"
#include "core/model/council.h"
#include "core/model/similar.h"
#include "core/ops/ops.h"
#include "core/model/workflow.h"

#define SIMILAR_DEFAULT 10
#define SIMILAR_MAX 100
/* Matches looked at for a caller who may not see them all. */
#define SIMILAR_SCAN 500
#define SEARCH_DEFAULT 20
#define SEARCH_MAX 100
#define QUERY_MAX_CHARS 1000

/*
 * case.similar.
 */

int
op_case_similar(struct op_ctx *ctx)
{
	uint64_t            id = 0, limit = SIMILAR_DEFAULT;
	const char         *text = NULL;
	json_object        *doc = NULL, *items;
	struct dedup_sig    sig;
	struct dedup_match *m = NULL;
	size_t              nsh = 1, n = 0;
	unsigned            roles = 0;
	bool                all;
	int                 rv;

	if ((rv = arg_u64(ctx->args, "id", false, 1, INT64_MAX - 1, &id,
	         ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "text", false, 0, &text, ctx->err)) !=
	        0 ||
	    (rv = arg_u64(ctx->args, "limit", false, 1, SIMILAR_MAX, &limit,
	         ctx->err)) != 0) {
		return (rv);
	}
	if ((id != 0) == (text != NULL)) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "give either \"id\" (a case) or \"text\", not %s",
		    id != 0 ? "both" : "neither"));
	}
	if (id != 0) {
		if ((rv = case_load(ctx, id, &doc, &roles)) != 0) {
			return (rv);
		}
		rv = dedup_index_get(ctx->txn, ctx->st, id, &sig);
		if (rv == SK_ENOTFOUND) {
			rv = case_sign(doc, &sig, &nsh); /* a draft */
		}
	} else {
		rv = dedup_sign(text, strlen(text), &sig, &nsh);
	}
	/* Councils judge copies wherever they come from; others see the
	 * public record and their own unit. */
	all = (ctx->who->roles & (ROLE_ADMIN | ROLE_VIEWER)) != 0 ||
	    ctx->who->local_admin || (roles & COUNCIL_BITS) != 0 ||
	    council_member_anywhere(ctx, ctx->who->id);
	struct dedup_query q = { DEDUP_SIMILAR_MIN, 0, id,
		all ? limit : SIMILAR_SCAN };
	if (rv == 0 && nsh > 0) {
		if ((m = calloc(q.max, sizeof(*m))) == NULL) {
			rv = SK_EINTERNAL;
		} else {
			rv = dedup_query(ctx->txn, ctx->st, &sig, &q, m, &n);
		}
	}
	json_object_put(doc);
	if (rv != 0) {
		free(m);
		return (proto_fail(ctx->err, rv,
		    "cannot look for similar cases"));
	}
	items = json_object_new_array();
	for (size_t i = 0; i < n && json_object_array_length(items) < limit;
	     i++) {
		json_object  *c;
		const char   *unit;
		enum wf_state s;
		if (store_case_get(ctx->txn, ctx->st, m[i].id, &c) != 0) {
			continue;
		}
		s    = wf_state_parse(doc_get_str(c, "state"));
		unit = doc_get_str(c, "unit");
		if (!all && !wf_state_public(s) &&
		    !(unit != NULL && ctx->who->unit[0] != '\0' &&
		        strcmp(unit, ctx->who->unit) == 0)) {
			json_object_put(c);
			continue;
		}
		json_object_array_add(items,
		    similar_item(m[i].id, c, m[i].similarity, true));
		json_object_put(c);
	}
	free(m);
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "items", items);
	return (0);
}

/*
 * case.search.
 */

int
op_case_search(struct op_ctx *ctx)
{
	const char  *q = NULL;
	uint64_t     limit = SEARCH_DEFAULT, after = 0, *ids;
	size_t       n = 0;
	bool         more = false;
	json_object *items;
	int          rv;

	if ((rv = arg_str(ctx->args, "q", true, QUERY_MAX_CHARS, &q,
	         ctx->err)) != 0 ||
	    (rv = arg_u64(ctx->args, "limit", false, 1, SEARCH_MAX, &limit,
	         ctx->err)) != 0 ||
	    (rv = arg_u64(ctx->args, "after", false, 0, INT64_MAX - 1, &after,
	         ctx->err)) != 0) {
		return (rv);
	}
	if ((ids = calloc(limit, sizeof(*ids))) == NULL) {
		return (proto_fail(ctx->err, SK_EINTERNAL, "out of memory"));
	}
	rv = dedup_search(ctx->txn, ctx->st, q, strlen(q), after, limit, ids,
	    &n, &more);
	if (rv == SK_EBADREQ) {
		free(ids);
		return (proto_fail(ctx->err, rv,
		    "\"q\" has no word to search for"));
	}
	if (rv == SK_ETOOLARGE) {
		free(ids);
		return (proto_fail(ctx->err, rv,
		    "\"q\" has more than %d words", DEDUP_QUERY_TERMS));
	}
	if (rv != 0) {
		free(ids);
		return (proto_fail(ctx->err, rv, "cannot search"));
	}
	items = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		static const char *const keys[] = { "id", "unit", "title",
			"field", "state", "state_label", NULL };
		json_object  *c, *it, *v;
		enum wf_state s;
		if (store_case_get(ctx->txn, ctx->st, ids[i], &c) != 0) {
			continue;
		}
		/* The index holds only public cases; say nothing of others. */
		s = wf_state_parse(doc_get_str(c, "state"));
		if (!wf_state_public(s)) {
			json_object_put(c);
			continue;
		}
		it = json_object_new_object();
		for (const char *const *k = keys; *k; k++) {
			if (json_object_object_get_ex(c, *k, &v)) {
				json_object_object_add(
				    it, *k, json_object_get(v));
			}
		}
		json_object_array_add(items, it);
		json_object_put(c);
	}
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "items", items);
	json_object_object_add(ctx->result, "next",
	    more && n > 0 ? json_object_new_int64((int64_t) ids[n - 1])
	                  : NULL);
	free(ids);
	return (0);
}

