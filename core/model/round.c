/*
 * round.c: which round (đợt xét) a submitted case belongs to.  Rounds are
 * stored in their own database (store.h: rounds), written by round.put
 * (core/ops/round.c); there are a few a year, so a submission reads them
 * all.
 */
#include <stdio.h>
#include <string.h>

#include "core/util/json.h"
#include "core/model/round.h"
#include "core/model/unit.h"

/* The units from a case's unit upward, nearest first. */
struct chain {
	char   ids[UNIT_MAX_DEPTH + 1][PROTO_MAX_ID + 1];
	size_t n;
};

static int
chain_add(void *arg, const char *id, json_object *unit)
{
	struct chain *c = arg;

	(void) unit;
	if (c->n <= UNIT_MAX_DEPTH) {
		snprintf(c->ids[c->n++], PROTO_MAX_ID + 1, "%s", id);
	}
	return (0);
}

/* How far up r's unit is from the case's (0: its own unit); a round of
 * the whole province after every unit; -1 if r is not for this case. */
static long
distance(const struct chain *c, json_object *r)
{
	const char *unit = doc_get_str(r, "unit");

	if (unit == NULL) {
		return ((long) c->n);
	}
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->ids[i], unit) == 0) {
			return ((long) i);
		}
	}
	return (-1);
}

int
round_of_case(struct op_ctx *ctx, json_object *doc)
{
	static struct chain c; /* the loop thread's only */
	struct store_scan   it;
	MDB_val             k, v;
	json_object        *cur;
	char                today[32], best[PROTO_MAX_ID + 1] = "";
	long                bestd = -1;
	int                 rv;

	if (json_object_object_get_ex(doc, "round", &cur) && cur != NULL) {
		return (0);
	}
	c.n = 0;
	unit_walk(ctx, doc_get_str(doc, "unit"), chain_add, &c);
	util_time_str(ctx->now, today, sizeof(today));
	today[10] = '\0';
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_ROUNDS, NULL,
	         NULL)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot read rounds"));
	}
	while (store_scan_next(&it, &k, &v) == 0) {
		json_object *r = store_json(&v);
		const char  *o = doc_get_str(r, "opens");
		const char  *e = doc_get_str(r, "closes");
		long         d = r ? distance(&c, r) : -1;

		if (d >= 0 && o != NULL && e != NULL && strcmp(o, today) <= 0 &&
		    strcmp(today, e) <= 0 && (bestd < 0 || d < bestd)) {
			bestd = d;
			snprintf(best, sizeof(best), "%s", doc_get_str(r, "id"));
		}
		json_object_put(r);
	}
	store_scan_end(&it);
	json_object_object_add(
	    doc, "round", best[0] ? json_object_new_string(best) : NULL);
	return (0);
}
