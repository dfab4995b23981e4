/*
 * council.c: councils, and who sits on them.  A unit council serves its
 * unit and every unit below it that has no council of its own; a province
 * council takes the nominated cases of its fields (PROTOCOL.md, "Roles").
 */
#include <stdio.h>
#include <string.h>

#include "core/util/err.h"
#include "core/model/council.h"
#include "core/model/doc.h"
#include "core/model/unit.h"
#include "core/model/workflow.h"

const char *
council_role(json_object *council, const char *user)
{
	json_object *members;
	if (!json_object_object_get_ex(council, "members", &members)) {
		return (NULL);
	}
	for (size_t i = 0; i < json_object_array_length(members); i++) {
		json_object *m = json_object_array_get_idx(members, i);
		const char  *u = doc_get_str(m, "user");
		if (u != NULL && strcmp(u, user) == 0) {
			return (doc_get_str(m, "role"));
		}
	}
	return (NULL);
}

/*
 * Councils are looked up through council_index (store.h), so that no
 * request parses every council: membership by user, the council of a unit,
 * and the list of province councils.  council_index_update is its only
 * writer, called by council.put with the old and the new document.
 */

static void
index_key(struct store_key *k, const char *kind, const char *a,
    const char *b)
{
	store_key_init(k);
	k->b[k->len++] = (unsigned char) kind[0];
	store_key_str(k, a);
	if (b != NULL) {
		store_key_str(k, b);
	}
}

/* Calls fn on each index entry that council doc implies. */
static int
council_index_each(struct op_ctx *ctx, json_object *doc,
    int (*fn)(struct op_ctx *, const struct store_key *, const char *))
{
	struct store_key k;
	json_object     *members;
	const char      *id = doc_get_str(doc, "id");
	int              rv;

	if (json_object_object_get_ex(doc, "members", &members)) {
		for (size_t i = 0; i < json_object_array_length(members); i++) {
			json_object *m = json_object_array_get_idx(members, i);
			index_key(&k, "m", doc_get_str(m, "user") ?: "", id);
			if ((rv = fn(ctx, &k, doc_get_str(m, "role") ?: "")) !=
			    0) {
				return (rv);
			}
		}
	}
	if (strcmp(doc_get_str(doc, "scope") ?: "", "unit") == 0) {
		index_key(&k, "u", doc_get_str(doc, "unit") ?: "", NULL);
		return (fn(ctx, &k, id));
	}
	index_key(&k, "p", id, NULL);
	return (fn(ctx, &k, ""));
}

static int
index_entry_del(struct op_ctx *ctx, const struct store_key *k, const char *v)
{
	(void) v;
	return (store_del(ctx->txn, ctx->st, DB_COUNCIL_INDEX, k->b, k->len));
}

static int
index_entry_put(struct op_ctx *ctx, const struct store_key *k, const char *v)
{
	return (store_put(ctx->txn, ctx->st, DB_COUNCIL_INDEX, k->b, k->len, v,
	    strlen(v)));
}

int
council_index_update(struct op_ctx *ctx, json_object *old, json_object *doc)
{
	int rv;
	if (old != NULL &&
	    (rv = council_index_each(ctx, old, index_entry_del)) != 0) {
		return (rv);
	}
	return (doc != NULL ? council_index_each(ctx, doc, index_entry_put) : 0);
}

bool
council_member_anywhere(struct op_ctx *ctx, const char *user)
{
	struct store_key  prefix;
	struct store_scan it;
	MDB_val           k, v;
	int               rv;

	index_key(&prefix, "m", user, NULL);
	if (store_scan_begin(&it, ctx->txn, ctx->st, DB_COUNCIL_INDEX, &prefix,
	        NULL) != 0) {
		return (true); /* unsure: let the exact check decide */
	}
	rv = store_scan_next(&it, &k, &v);
	store_scan_end(&it);
	return (rv != STORE_SCAN_END); /* an error: unsure, as above */
}

/* council_for_unit's visit (unit_walk): the council of unit id, if any. */
struct unit_council {
	struct op_ctx *ctx;
	json_object  **out;
};

static int
unit_council(void *arg, const char *id, json_object *unit)
{
	struct unit_council *uc = arg;
	struct store_key     k;
	MDB_val              v;
	char                 cid[PROTO_MAX_ID + 1];
	int                  rv;

	(void) unit;
	index_key(&k, "u", id, NULL);
	rv = store_get(uc->ctx->txn, uc->ctx->st, DB_COUNCIL_INDEX, k.b, k.len,
	    &v);
	if (rv == 0 && v.mv_size <= PROTO_MAX_ID) {
		memcpy(cid, v.mv_data, v.mv_size);
		cid[v.mv_size] = '\0';
		rv = store_doc_view(uc->ctx->txn, uc->ctx->st, DB_COUNCILS, cid,
		    uc->out);
		return (rv == 0 ? 1 : rv);
	}
	return (rv == SK_ENOTFOUND ? 0 : rv);
}

int
council_for_unit(struct op_ctx *ctx, const char *unit, json_object **out)
{
	struct unit_council uc = { ctx, out };
	int                 rv;

	*out = NULL;
	rv   = unit_walk(ctx, unit, unit_council, &uc);
	return (rv == 1 ? 0 : rv == 0 ? SK_ENOTFOUND : rv);
}

int
council_for_field(struct op_ctx *ctx, const char *field, json_object **out)
{
	struct store_key  prefix;
	struct store_scan it;
	MDB_val           k, v;
	json_object      *fallback = NULL;
	int               rv;

	*out = NULL;
	store_key_init(&prefix);
	prefix.b[prefix.len++] = 'p';
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_COUNCIL_INDEX,
	         &prefix, NULL)) != 0) {
		return (rv);
	}
	while (*out == NULL && (rv = store_scan_next(&it, &k, &v)) == 0) {
		const unsigned char *b = k.mv_data;
		char                 id[PROTO_MAX_ID + 1];
		json_object         *c, *fields;
		size_t               n, nf = 0;

		if (k.mv_size <= 2) {
			continue;
		}
		n = b[1] <= PROTO_MAX_ID ? b[1] : 0;
		memcpy(id, b + 2, n);
		id[n] = '\0';
		if (store_doc_view(ctx->txn, ctx->st, DB_COUNCILS, id, &c) != 0) {
			continue;
		}
		if (json_object_object_get_ex(c, "fields", &fields)) {
			nf = json_object_array_length(fields);
		}
		if (field != NULL && json_has_str(fields, field)) {
			*out = c; /* the first council (by id) taking the field */
		} else if (nf == 0 && fallback == NULL) {
			fallback = c; /* else the first that takes every field */
		} else {
			json_object_put(c);
		}
	}
	store_scan_end(&it);
	if (*out == NULL) {
		*out = fallback;
	} else {
		json_object_put(fallback);
	}
	return (*out != NULL ? 0 : SK_ENOTFOUND);
}

/* council_head_unit's visit (unit_walk): remembers each unit, so that the
 * last one seen is the top of the tree. */
static int
unit_top(void *arg, const char *id, json_object *unit)
{
	if (unit != NULL) {
		snprintf(arg, PROTO_MAX_ID + 1, "%s", id);
	}
	return (0);
}

int
council_head_unit(struct op_ctx *ctx, json_object *council,
    char head[PROTO_MAX_ID + 1])
{
	const char *unit = doc_get_str(council, "unit");

	if (unit == NULL || unit[0] == '\0') {
		return (SK_ENOTFOUND);
	}
	snprintf(head, PROTO_MAX_ID + 1, "%s", unit);
	if (strcmp(doc_get_str(council, "scope") ?: "", "province") == 0 &&
	    unit_walk(ctx, unit, unit_top, head) < 0) {
		return (SK_ENOTFOUND);
	}
	return (0);
}

int
council_voting_members(json_object *council)
{
	json_object *members;
	int          n = 0;

	if (!json_object_object_get_ex(council, "members", &members)) {
		return (0);
	}
	for (size_t i = 0; i < json_object_array_length(members); i++) {
		n += wf_council_role_votes(doc_get_str(
		    json_object_array_get_idx(members, i), "role"));
	}
	return (n);
}
