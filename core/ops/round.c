/*
 * round.c: the rounds (đợt xét) of the op table: round.put (admin),
 * round.get and round.list (anyone).  Which round a case belongs to is the
 * model's (core/model/round.c).
 */
#include <stdio.h>
#include <string.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "core/ops/ops.h"

#define ROUND_NAME_MAX_CHARS 300

/* A date argument: required, YYYY-MM-DD, within year or the next one. */
static int
round_date(struct op_ctx *ctx, const char *key, const char **out)
{
	int rv;

	if ((rv = arg_str(ctx->args, key, true, 0, out, ctx->err)) != 0) {
		return (rv);
	}
	if (!util_date_valid(*out)) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"%s\" must be a date YYYY-MM-DD, got \"%.40s\"", key,
		    *out));
	}
	return (0);
}

int
op_round_put(struct op_ctx *ctx)
{
	const char  *id = NULL, *unit = NULL, *name = NULL;
	const char  *opens, *closes, *decides;
	uint64_t     year = 0;
	json_object *doc, *old = NULL, *u;
	int          rv;

	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0 ||
	    (rv = arg_id(ctx->args, "unit", false, &unit, ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "name", false, ROUND_NAME_MAX_CHARS, &name,
	         ctx->err)) != 0 ||
	    (rv = arg_u64(ctx->args, "year", true, 2000, 2100, &year,
	         ctx->err)) != 0 ||
	    (rv = round_date(ctx, "opens", &opens)) != 0 ||
	    (rv = round_date(ctx, "closes", &closes)) != 0 ||
	    (rv = round_date(ctx, "decides_by", &decides)) != 0) {
		return (rv);
	}
	if (strcmp(opens, closes) > 0) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"closes\" (%s) is before \"opens\" (%s)", closes, opens));
	}
	if (strcmp(closes, decides) > 0) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"decides_by\" (%s) is before \"closes\" (%s)", decides,
		    closes));
	}
	if (strtol(opens, NULL, 10) != (long) year) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"opens\" (%s) is not in \"year\" %llu", opens,
		    (unsigned long long) year));
	}
	if (unit != NULL &&
	    store_doc_view(ctx->txn, ctx->st, DB_UNITS, unit, &u) != 0) {
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no unit \"%s\"",
		    unit));
	}
	if (unit != NULL) {
		json_object_put(u);
	}
	rv = store_doc_get(ctx->txn, ctx->st, DB_ROUNDS, id, &old);
	if (rv != 0 && rv != SK_ENOTFOUND) {
		return (proto_fail(ctx->err, rv, "cannot read round %s", id));
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_add(
	    doc, "name", name ? json_object_new_string(name) : NULL);
	json_object_object_add(
	    doc, "unit", unit ? json_object_new_string(unit) : NULL);
	json_object_object_add(doc, "year", json_object_new_int64((int64_t) year));
	json_object_object_add(doc, "opens", json_object_new_string(opens));
	json_object_object_add(doc, "closes", json_object_new_string(closes));
	json_object_object_add(
	    doc, "decides_by", json_object_new_string(decides));
	json_object_object_add(doc, "created_at",
	    old ? json_object_get(json_object_object_get(old, "created_at"))
	        : json_time(ctx->now));
	json_object_object_add(doc, "updated_at", json_time(ctx->now));
	json_object_put(old);
	if ((rv = store_doc_put(ctx->txn, ctx->st, DB_ROUNDS, id, doc)) != 0) {
		json_object_put(doc);
		return (proto_fail(ctx->err, rv, "cannot store round %s", id));
	}
	json_object *ev = json_object_new_object();
	json_object_object_add(ev, "round", json_object_new_string(id));
	if ((rv = op_event(ctx, "round.changed", ev)) != 0) {
		json_object_put(doc);
		return (rv);
	}
	ctx->result = doc;
	return (0);
}

int
op_round_get(struct op_ctx *ctx)
{
	const char  *id = NULL;
	json_object *doc;
	int          rv;

	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0) {
		return (rv);
	}
	rv = store_doc_get(ctx->txn, ctx->st, DB_ROUNDS, id, &doc);
	if (rv == SK_ENOTFOUND) {
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no round \"%s\"", id));
	}
	if (rv != 0) {
		return (proto_fail(ctx->err, rv, "cannot read round %s", id));
	}
	ctx->result = doc;
	return (0);
}

/* Every round, in id order; with unit or year, those of it only. */
int
op_round_list(struct op_ctx *ctx)
{
	struct store_scan it;
	MDB_val           k, v;
	const char       *unit = NULL;
	uint64_t          year = 0;
	json_object      *items;
	int               rv;

	if ((rv = arg_id(ctx->args, "unit", false, &unit, ctx->err)) != 0 ||
	    (rv = arg_u64(ctx->args, "year", false, 2000, 2100, &year,
	         ctx->err)) != 0) {
		return (rv);
	}
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_ROUNDS, NULL,
	         NULL)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot read rounds"));
	}
	items = json_object_new_array();
	while (store_scan_next(&it, &k, &v) == 0) {
		json_object *r = store_json(&v);
		if (r == NULL ||
		    (unit != NULL &&
		        strcmp(doc_get_str(r, "unit") ?: "", unit) != 0) ||
		    (year != 0 &&
		        (uint64_t) doc_get_int(r, "year", 0) != year)) {
			json_object_put(r);
			continue;
		}
		json_object_array_add(items, r);
	}
	store_scan_end(&it);
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "items", items);
	return (0);
}
