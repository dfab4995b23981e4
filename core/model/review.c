/*
 * review.c: the council's part of the case model: which rubric reviews a
 * case, and the ballots.
 *
 * Which rubric reviews a case: the reviewing council's `rubric`, else the
 * `rubric` of the nearest unit from the case's unit upward, else "default"
 * (unit review) or "province" (province review).  Its current version is
 * pinned on the case when the review starts (accept), so editing a rubric
 * never changes an open review.
 *
 * Ballots are secret until the decision: a member sees their own, the
 * chair and secretary see who has scored, authors never see who gave what.
 * Their key is (case, stage, member).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/printbuf.h>

#include "core/util/err.h"
#include "core/model/case.h"
#include "core/model/council.h"
#include "core/model/rubric.h"
#include "core/model/unit.h"

const char *
review_stage_of(enum wf_state s)
{
	switch (s) {
	case WF_UNIT_REVIEW:
		return ("unit");
	case WF_PROVINCE_REVIEW:
		return ("province");
	default:
		return (NULL);
	}
}

/* review_rubric_id's visit (unit_walk): the rubric a unit names, if any,
 * into arg. */
static int
unit_rubric(void *arg, const char *id, json_object *unit)
{
	const char *r = unit ? doc_get_str(unit, "rubric") : NULL;

	(void) id;
	if (r == NULL) {
		return (0);
	}
	snprintf(arg, PROTO_MAX_ID + 1, "%s", r);
	return (1);
}

/* The id of the rubric that reviews doc at stage. */
static void
review_rubric_id(struct op_ctx *ctx, json_object *doc, const char *stage,
    char id[PROTO_MAX_ID + 1])
{
	json_object *c = case_council(ctx, doc, stage);
	const char  *r = c ? doc_get_str(c, "rubric") : NULL;

	if (r != NULL) {
		snprintf(id, PROTO_MAX_ID + 1, "%s", r);
		json_object_put(c);
		return;
	}
	json_object_put(c);
	if (unit_walk(ctx, doc_get_str(doc, "unit"), unit_rubric, id) == 1) {
		return;
	}
	snprintf(id, PROTO_MAX_ID + 1, "%s",
	    strcmp(stage, "unit") == 0 ? "default" : "province");
}

int
review_pin_rubric(struct op_ctx *ctx, json_object *doc, const char *stage)
{
	char         id[PROTO_MAX_ID + 1], hash[RUBRIC_HASH_HEX + 1];
	json_object *pin;

	review_rubric_id(ctx, doc, stage, id);
	if (rubric_current(ctx->txn, ctx->st, id, hash) != 0) {
		return (proto_fail(ctx->err, SK_ENOTFOUND,
		    "no rubric \"%s\" to review case %lld with; load it with "
		    "rubric.put or --rubrics",
		    id, (long long) doc_get_int(doc, "id", 0)));
	}
	pin = json_object_new_object();
	json_object_object_add(pin, "id", json_object_new_string(id));
	json_object_object_add(pin, "hash", json_object_new_string(hash));
	json_object_object_add(pin, "stage", json_object_new_string(stage));
	json_object_object_add(doc, "rubric", pin);
	return (0);
}

/* The case as a rubric sees it: all sections, and duplicate detection. */
json_object *
review_rubric_case(json_object *doc)
{
	json_object *c = case_view(doc, WF_ADMIN), *sim;
	double       max = 0;

	if (json_object_object_get_ex(c, "similar", &sim) &&
	    json_object_is_type(sim, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(sim); i++) {
			json_object *s;
			if (json_object_object_get_ex(
			        json_object_array_get_idx(sim, i), "similarity",
			        &s)) {
				/* Not fmax: sangkiend does not link libm. */
				double v = json_object_get_double(s);
				max      = v > max ? v : max;
			}
		}
	} else {
		json_object_object_add(c, "similar", json_object_new_array());
	}
	json_object_object_add(c, "max_similarity", json_object_new_double(max));
	return (c);
}

int
review_check(struct op_ctx *ctx, json_object *doc, json_object **problems)
{
	char                id[PROTO_MAX_ID + 1], hash[RUBRIC_HASH_HEX + 1];
	char                today[32], err[512];
	struct plug_rubric *r;
	int                 rv;

	review_rubric_id(ctx, doc, "unit", id);
	if (rubric_current(ctx->txn, ctx->st, id, hash) != 0) {
		*problems = case_completeness_problems(doc);
		return (0);
	}
	if ((rv = rubric_get(ctx->env->rubrics, ctx->txn, hash, &r,
	         ctx->err)) != 0) {
		return (rv);
	}
	util_time_str(ctx->now, today, sizeof(today));
	today[10]      = '\0';
	json_object *c = review_rubric_case(doc);
	rv             = plug_check(r, c, today, problems, err, sizeof(err));
	json_object_put(c);
	if (rv != 0) {
		return (proto_fail(ctx->err, SK_ERUBRIC, "rubric %s: %s", id, err));
	}
	return (0);
}

/* The pinned rubric of the case's current review. */
int
review_pinned_rubric(struct op_ctx *ctx, json_object *doc, struct plug_rubric **r,
    const char **id)
{
	json_object *pin;
	const char  *hash;
	if (!json_object_object_get_ex(doc, "rubric", &pin) ||
	    (hash = doc_get_str(pin, "hash")) == NULL) {
		return (proto_fail(ctx->err, SK_EINTERNAL,
		    "case %lld is in review without a pinned rubric",
		    (long long) doc_get_int(doc, "id", 0)));
	}
	*id = doc_get_str(pin, "id");
	return (rubric_get(ctx->env->rubrics, ctx->txn, hash, r, ctx->err));
}

/*
 * Ballots: key (case, stage, member).
 */

static void
ballot_key(struct store_key *k, uint64_t id, const char *stage,
    const char *member)
{
	store_key_init(k);
	store_key_u64(k, id);
	store_key_str(k, stage);
	if (member != NULL) {
		store_key_str(k, member);
	}
}

/*
 * A stored ballot for output as it is: its text is copied, not parsed, and
 * written out by json-c through a serializer of its own.  The ballots of a
 * decided stage go out whole to whoever may see them, and parsing them
 * only to print them again cost case.get a sixth of its rate where many
 * cases are decided (skbench at 5,000 cases: 36,000 -> 43,000 reads/s).
 */
struct raw_text {
	size_t len;
	char   text[];
};

static int
raw_serialize(json_object *o, struct printbuf *pb, int level, int flags)
{
	const struct raw_text *r = json_object_get_userdata(o);
	(void) level;
	(void) flags;
	return (printbuf_memappend(pb, r->text, (int) r->len));
}

static void
raw_free(json_object *o, void *userdata)
{
	(void) o;
	free(userdata);
}

/* A ballot's stored text, unparsed (raw_serialize), or NULL. */
static json_object *
raw_ballot(const MDB_val *v)
{
	struct raw_text *r = malloc(sizeof(*r) + v->mv_size);
	json_object     *b = json_object_new_object();

	if (r == NULL || b == NULL) {
		free(r);
		json_object_put(b);
		return (NULL);
	}
	r->len = v->mv_size;
	memcpy(r->text, v->mv_data, v->mv_size);
	json_object_set_serializer(b, raw_serialize, r, raw_free);
	return (b);
}

int
review_ballot_put(struct op_ctx *ctx, uint64_t id, const char *stage,
    const char *member, json_object *ballot)
{
	struct store_key k;
	size_t           len;
	const char      *text = util_json_text(ballot, &len);

	ballot_key(&k, id, stage, member);
	return (store_put(ctx->txn, ctx->st, DB_BALLOTS, k.b, k.len, text, len));
}

/* Appends every ballot of a case's stage to out, in member order: parsed,
 * or with raw as stored (for output only). */
static void
ballots_add(struct op_ctx *ctx, uint64_t id, const char *stage, bool raw,
    json_object *out)
{
	struct store_key  prefix;
	struct store_scan it;
	MDB_val           k, v;

	ballot_key(&prefix, id, stage, NULL);
	if (store_scan_begin(&it, ctx->txn, ctx->st, DB_BALLOTS, &prefix,
	        NULL) != 0) {
		return;
	}
	while (store_scan_next(&it, &k, &v) == 0) {
		json_object *b = raw ? raw_ballot(&v) : store_json(&v);
		if (b != NULL) {
			json_object_array_add(out, b);
		}
	}
	store_scan_end(&it);
}

/* Every ballot of a case's stage, parsed, in member order (caller owns). */
json_object *
review_ballots_of(struct op_ctx *ctx, uint64_t id, const char *stage)
{
	json_object *out = json_object_new_array();
	ballots_add(ctx, id, stage, false, out);
	return (out);
}

/* Has anyone scored the case at all?  (One cursor step, no parsing.) */
static bool
has_ballots(struct op_ctx *ctx, uint64_t id)
{
	struct store_key  prefix;
	struct store_scan it;
	MDB_val           k, v;
	int               rv;

	store_key_init(&prefix);
	store_key_u64(&prefix, id);
	if (store_scan_begin(&it, ctx->txn, ctx->st, DB_BALLOTS, &prefix,
	        NULL) != 0) {
		return (true);
	}
	rv = store_scan_next(&it, &k, &v);
	store_scan_end(&it);
	return (rv == 0);
}

/*
 * What of the ballots the principal may see.  Until the stage is decided:
 * members their own ballot, chair, secretary and admins who has scored.
 * After: the council and admins every ballot.  Authors: none, ever.
 */
json_object *
review_ballots_view_facts(struct op_ctx *ctx, const struct case_facts *f,
    unsigned roles)
{
	static const char *const stages[] = { "unit", "province" };
	enum wf_state s   = wf_state_parse(f->state);
	uint64_t      id  = f->id;
	json_object  *out = json_object_new_array();
	bool          staff =
	    (ctx->who->roles & (ROLE_ADMIN | ROLE_VIEWER)) != 0;

	if ((roles & WF_AUTHOR) != 0 || !has_ballots(ctx, id)) {
		return (out);
	}
	for (int i = 0; i < 2; i++) {
		const char  *stage = stages[i];
		bool         open  = review_stage_of(s) != NULL &&
		    strcmp(review_stage_of(s), stage) == 0;
		json_object *council = case_council_facts(ctx, f, stage);
		const char  *role    = council && !ctx->who->local_admin
		        ? council_role(council, ctx->who->id)
		        : NULL;
		bool officer = role != NULL && strcmp(role, "member") != 0;
		json_object *ballots;

		if (role == NULL && !staff) {
			json_object_put(council);
			continue;
		}
		if (!open) {
			ballots_add(ctx, id, stage, true, out);
			json_object_put(council);
			continue;
		}
		ballots = review_ballots_of(ctx, id, stage);
		for (size_t j = 0; j < json_object_array_length(ballots); j++) {
			json_object *b    = json_object_array_get_idx(ballots, j);
			const char  *m    = doc_get_str(b, "member") ?: "";
			bool         mine = strcmp(m, ctx->who->id) == 0;
			if (!open || mine) {
				json_object_array_add(out, json_object_get(b));
			} else if (officer || staff) {
				json_object *who = json_object_new_object();
				json_object_object_add(who, "stage",
				    json_object_new_string(stage));
				json_object_object_add(
				    who, "member", json_object_new_string(m));
				json_object_object_add(who, "role",
				    json_object_get(json_object_object_get(b, "role")));
				json_object_object_add(who, "at",
				    json_object_get(json_object_object_get(b, "at")));
				json_object_array_add(out, who);
			}
		}
		json_object_put(ballots);
		json_object_put(council);
	}
	return (out);
}

json_object *
review_ballots_seen(struct op_ctx *ctx, json_object *doc, const char *stage,
    unsigned roles)
{
	uint64_t      id   = (uint64_t) doc_get_int(doc, "id", 0);
	enum wf_state s    = wf_state_parse(doc_get_str(doc, "state"));
	bool          open = review_stage_of(s) != NULL &&
	    strcmp(review_stage_of(s), stage) == 0;
	bool staff = (ctx->who->roles & (ROLE_ADMIN | ROLE_VIEWER)) != 0;
	json_object *council = case_council(ctx, doc, stage);
	const char  *role    = council && !ctx->who->local_admin
	        ? council_role(council, ctx->who->id)
	        : NULL;
	json_object *all, *out = json_object_new_array();

	json_object_put(council);
	if ((roles & WF_AUTHOR) != 0 || (role == NULL && !staff)) {
		return (out);
	}
	all = review_ballots_of(ctx, id, stage);
	for (size_t j = 0; j < json_object_array_length(all); j++) {
		json_object *b = json_object_array_get_idx(all, j);
		if (!open ||
		    strcmp(doc_get_str(b, "member") ?: "", ctx->who->id) == 0) {
			json_object_array_add(out, json_object_get(b));
		}
	}
	json_object_put(all);
	return (out);
}

json_object *
review_ballots_view(struct op_ctx *ctx, json_object *doc, unsigned roles)
{
	struct case_facts f;
	if (store_case_facts_of(doc, &f) != 0) {
		return (json_object_new_array());
	}
	return (review_ballots_view_facts(ctx, &f, roles));
}

