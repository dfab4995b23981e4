/*
 * review.c: the council's half of the op table: scores, decisions and
 * rubrics (PROTOCOL.md, case.score, case.decide, rubric.*).  Which rubric
 * reviews a case and who sees which ballot is the model's
 * (model/review.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-c/printbuf.h>

#include "core/model/case.h"
#include "core/util/err.h"
#include "core/ops/ops.h"
#include "core/model/rubric.h"
#include "core/model/council.h"
#include "core/model/workflow.h"

#define COMMENT_MAX_CHARS 4000

/* Checks marks against the criteria; returns the total in *total. */
static int
check_marks(struct op_ctx *ctx, json_object *criteria, json_object *marks,
    double *total)
{
	size_t n = json_object_array_length(criteria);

	*total = 0;
	json_object_object_foreach(marks, key, val)
	{
		bool known = false;
		(void) val;
		for (size_t i = 0; i < n; i++) {
			known = known ||
			    strcmp(doc_get_str(json_object_array_get_idx(
			                           criteria, i),
			               "id") ?: "",
			        key) == 0;
		}
		if (!known) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"marks.%s\": the rubric has no such criterion",
			    key));
		}
	}
	for (size_t i = 0; i < n; i++) {
		json_object *c   = json_object_array_get_idx(criteria, i), *m;
		const char  *cid = doc_get_str(c, "id");
		double       max = json_object_get_double(
                    json_object_object_get(c, "max"));
		if (!json_object_object_get_ex(marks, cid, &m)) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"marks.%s\" is missing: every criterion is scored "
			    "(%s, 0 to %g)",
			    cid, doc_get_str(c, "label"), max));
		}
		if (!json_object_is_type(m, json_type_int) &&
		    !json_object_is_type(m, json_type_double)) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"marks.%s\" must be a number from 0 to %g", cid,
			    max));
		}
		double x = json_object_get_double(m);
		if (!(x >= 0 && x <= max)) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"marks.%s\" is %g; it must be from 0 to %g", cid,
			    x, max));
		}
		*total += x;
	}
	return (0);
}

int
op_case_score(struct op_ctx *ctx)
{
	uint64_t            id = 0;
	json_object        *doc, *marks = NULL, *council = NULL, *ballot;
	const char         *comment = NULL, *rid, *stage, *role;
	unsigned            roles;
	struct plug_rubric *r;
	double              total;
	int                 rv;

	if ((rv = arg_u64(ctx->args, "id", true, 1, INT64_MAX - 1, &id,
	         ctx->err)) != 0 ||
	    (rv = arg_obj(ctx->args, "marks", true, &marks, ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "comment", false, COMMENT_MAX_CHARS,
	         &comment, ctx->err)) != 0 ||
	    (rv = case_load(ctx, id, &doc, &roles)) != 0) {
		return (rv);
	}
	enum wf_state s = wf_state_parse(doc_get_str(doc, "state"));
	if ((stage = review_stage_of(s)) == NULL) {
		proto_fail(ctx->err, SK_ETRANSITION,
		    "case %llu is in %s; ballots are cast in unit_review, "
		    "province_review",
		    (unsigned long long) id, wf_state_name(s));
		ctx->err->details = json_object_new_object();
		json_object_object_add(ctx->err->details, "state",
		    json_object_new_string(wf_state_name(s)));
		json_object *allowed = json_object_new_array();
		json_object_array_add(
		    allowed, json_object_new_string("unit_review"));
		json_object_array_add(
		    allowed, json_object_new_string("province_review"));
		json_object_object_add(ctx->err->details, "allowed", allowed);
		rv = SK_ETRANSITION;
		goto out;
	}
	council = case_council(ctx, doc, stage);
	role    = council ? council_role(council, ctx->who->id) : NULL;
	if (role == NULL || ctx->who->local_admin) {
		rv = proto_fail(ctx->err, SK_EFORBIDDEN,
		    "only members of the %s council (%s) score case %llu",
		    stage, council ? doc_get_str(council, "id") : "none",
		    (unsigned long long) id);
		goto out;
	}
	if (roles & WF_AUTHOR) {
		rv = proto_fail(ctx->err, SK_EFORBIDDEN,
		    "you author case %llu: nobody may score a case they "
		    "author (conflict of interest)",
		    (unsigned long long) id);
		goto out;
	}
	if ((rv = review_pinned_rubric(ctx, doc, &r, &rid)) != 0 ||
	    (rv = check_marks(ctx, plug_criteria(r), marks, &total)) != 0) {
		goto out;
	}
	ballot = json_object_new_object();
	json_object_object_add(ballot, "case", json_object_new_int64((int64_t) id));
	json_object_object_add(ballot, "stage", json_object_new_string(stage));
	json_object_object_add(
	    ballot, "member", json_object_new_string(ctx->who->id));
	json_object_object_add(ballot, "role", json_object_new_string(role));
	json_object_object_add(ballot, "marks", json_object_get(marks));
	json_object_object_add(ballot, "total", json_object_new_double(total));
	if (comment != NULL) {
		json_object_object_add(
		    ballot, "comment", json_object_new_string(comment));
	}
	json_object_object_add(ballot, "at", json_time(ctx->now));
	if ((rv = review_ballot_put(ctx, id, stage, ctx->who->id, ballot)) !=
	    0) {
		json_object_put(ballot);
		rv = proto_fail(ctx->err, rv, "cannot store the ballot");
		goto out;
	}
	json_object *extra = json_object_new_object();
	json_object_object_add(extra, "stage", json_object_new_string(stage));
	if ((rv = case_event(ctx, "case.scored", doc, extra)) != 0) {
		json_object_put(ballot);
		goto out;
	}
	ctx->result = ballot;
out:
	json_object_put(council);
	json_object_put(doc);
	return (rv);
}

/* decide()'s view of the council: its size, who may vote, who did. */
static json_object *
council_summary(json_object *council, json_object *doc, json_object *ballots,
    json_object **eligible_ballots)
{
	json_object *members, *au = NULL, *sum = json_object_new_object();
	size_t       n = 0, eligible = 0;

	json_object_object_get_ex(doc, "author_users", &au);
	*eligible_ballots = json_object_new_array();
	if (json_object_object_get_ex(council, "members", &members)) {
		n = json_object_array_length(members);
		for (size_t i = 0; i < n; i++) {
			const char *u = doc_get_str(
			    json_object_array_get_idx(members, i), "user");
			if (u == NULL || json_has_str(au, u)) {
				continue; /* an author does not count */
			}
			eligible++;
			for (size_t j = 0; j < json_object_array_length(ballots);
			     j++) {
				json_object *b = json_object_array_get_idx(ballots, j);
				if (strcmp(doc_get_str(b, "member") ?: "", u) == 0) {
					json_object_array_add(
					    *eligible_ballots, json_object_get(b));
				}
			}
		}
	}
	json_object_object_add(
	    sum, "id", json_object_new_string(doc_get_str(council, "id")));
	json_object_object_add(sum, "members", json_object_new_int((int) n));
	json_object_object_add(
	    sum, "eligible", json_object_new_int((int) eligible));
	json_object_object_add(sum, "scored",
	    json_object_new_int((int) json_object_array_length(*eligible_ballots)));
	return (sum);
}

/*
 * Calls the rubric's decide with the case in council.case (so that a rule
 * can look at, say, case.max_similarity); the summary kept in the decision
 * record does not carry the case.
 */
static int
decide_with_case(struct plug_rubric *r, json_object *ballots,
    json_object *summary, json_object *doc, json_object **verdict, char *err,
    size_t errlen)
{
	int rv;
	json_object_object_add(summary, "case", review_rubric_case(doc));
	rv = plug_decide(r, ballots, summary, verdict, err, errlen);
	json_object_object_del(summary, "case");
	return (rv);
}

static json_object *
join_reasons(json_object *verdict, char *buf, size_t len)
{
	json_object *reasons = NULL;
	size_t       used    = 0;
	buf[0]               = '\0';
	json_object_object_get_ex(verdict, "reasons", &reasons);
	for (size_t i = 0; reasons && i < json_object_array_length(reasons);
	     i++) {
		used += (size_t) snprintf(buf + used, used < len ? len - used : 0,
		    "%s%s", i ? "; " : "",
		    json_object_get_string(json_object_array_get_idx(reasons, i)));
	}
	return (reasons);
}

int
op_case_decide(struct op_ctx *ctx)
{
	uint64_t              id = 0;
	json_object          *old, *doc = NULL, *council = NULL, *ballots = NULL;
	json_object          *eligible = NULL, *summary = NULL, *verdict = NULL;
	const char           *note = NULL, *stage, *rid;
	unsigned              roles;
	const struct wf_rule *rule;
	struct plug_rubric   *r;
	char                  err[512], reasons[1024];
	int                   rv;

	if ((rv = arg_u64(ctx->args, "id", true, 1, INT64_MAX - 1, &id,
	         ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "note", false, COMMENT_MAX_CHARS, &note,
	         ctx->err)) != 0 ||
	    (rv = case_load(ctx, id, &old, &roles)) != 0) {
		return (rv);
	}
	enum wf_state from = wf_state_parse(doc_get_str(old, "state"));
	rv                 = wf_transition("decide", from, roles, &rule);
	if (rv == SK_ETRANSITION) {
		rv = case_fail_transition(ctx, old, "decide", from);
		goto out;
	}
	if (rv == SK_EFORBIDDEN) {
		rv = proto_fail(ctx->err, SK_EFORBIDDEN,
		    rule->coi && (roles & WF_AUTHOR)
		        ? "you author case %llu: nobody may decide a case they "
		          "author (conflict of interest)"
		        : "case %llu is decided by %s",
		    (unsigned long long) id, rule->who);
		goto out;
	}
	stage   = review_stage_of(from);
	council = case_council(ctx, old, stage);
	if (council == NULL) {
		rv = proto_fail(ctx->err, SK_ENOTFOUND,
		    "case %llu has no %s council", (unsigned long long) id,
		    stage);
		goto out;
	}
	if ((rv = review_pinned_rubric(ctx, old, &r, &rid)) != 0) {
		goto out;
	}
	ballots = review_ballots_of(ctx, id, stage);
	summary = council_summary(council, old, ballots, &eligible);
	rv      = decide_with_case(r, eligible, summary, old, &verdict, err,
	         sizeof(err));
	if (rv != 0) {
		rv = proto_fail(ctx->err, SK_ERUBRIC, "rubric %s: %s", rid, err);
		goto out;
	}
	const char  *v   = doc_get_str(verdict, "verdict");
	json_object *rsn = join_reasons(verdict, reasons, sizeof(reasons));
	if (strcmp(v, "pending") == 0) {
		proto_fail(ctx->err, SK_EPENDING,
		    "the %s council cannot decide case %llu yet: %s", stage,
		    (unsigned long long) id, reasons[0] ? reasons : "pending");
		ctx->err->details = json_object_new_object();
		json_object_object_add(ctx->err->details, "reasons",
		    rsn ? json_object_get(rsn) : json_object_new_array());
		json_object_object_add(ctx->err->details, "council",
		    json_object_get(summary));
		rv = SK_EPENDING;
		goto out;
	}
	if ((doc = doc_clone(old)) == NULL) {
		rv = proto_fail(ctx->err, SK_EINTERNAL, "out of memory");
		goto out;
	}
	enum wf_state to = strcmp(v, "pass") == 0 ? rule->to : rule->to_alt;
	json_object  *pin = json_object_object_get(doc, "rubric");
	json_object  *d   = json_object_new_object();
	json_object_object_add(d, "stage", json_object_new_string(stage));
	json_object_object_add(d, "verdict", json_object_new_string(v));
	json_object_object_add(d, "score",
	    json_object_get(json_object_object_get(verdict, "score")));
	json_object_object_add(d, "reasons",
	    rsn ? json_object_get(rsn) : json_object_new_array());
	json_object_object_add(d, "rubric", json_object_get(pin));
	json_object_object_add(d, "council", json_object_get(summary));
	json_object_object_add(
	    d, "decided_by", json_object_new_string(ctx->who->id));
	json_object_object_add(d, "decided_at", json_time(ctx->now));
	if (note != NULL) {
		json_object_object_add(d, "note", json_object_new_string(note));
	}
	json_object *all;
	if (!json_object_object_get_ex(doc, "decisions", &all)) {
		all = json_object_new_array();
		json_object_object_add(doc, "decisions", all);
	}
	json_object_array_add(all, json_object_get(d));
	json_object_object_add(doc, "decision", d);
	case_set_due(ctx, doc, false);
	case_set_state(doc, to);
	case_bump(ctx, doc);
	json_object *extra = json_object_new_object();
	json_object_object_add(extra, "stage", json_object_new_string(stage));
	json_object_object_add(extra, "verdict", json_object_new_string(v));
	json_object_object_add(extra, "score",
	    json_object_get(json_object_object_get(verdict, "score")));
	json_object_object_add(
	    extra, "from", json_object_new_string(wf_state_name(from)));
	json_object_object_add(
	    extra, "to", json_object_new_string(wf_state_name(to)));
	if ((rv = case_save(ctx, old, doc, "case.decided", extra, NULL)) != 0) {
		goto out;
	}
	ctx->result = case_view(doc, case_roles(ctx, doc));
	json_object_object_add(ctx->result, "ballots",
	    review_ballots_view(ctx, doc, case_roles(ctx, doc)));
out:
	json_object_put(old);
	json_object_put(doc);
	json_object_put(council);
	json_object_put(ballots);
	json_object_put(eligible);
	json_object_put(summary);
	json_object_put(verdict);
	return (rv);
}

/*
 * Rubrics.
 */

static json_object *
version_view(json_object *v, bool with_source)
{
	json_object *out = json_object_new_object();
	json_object_object_foreach(v, key, val)
	{
		if (with_source || strcmp(key, "source") != 0) {
			json_object_object_add(out, key, json_object_get(val));
		}
	}
	return (out);
}

int
op_rubric_list(struct op_ctx *ctx)
{
	struct store_scan it;
	MDB_val           k, v;
	json_object      *items;
	int               rv;

	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_RUBRIC_IDS, NULL,
	         NULL)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot read rubrics"));
	}
	items = json_object_new_array();
	while (store_scan_next(&it, &k, &v) == 0) {
		char         hash[RUBRIC_HASH_HEX + 1];
		json_object *doc;
		if (v.mv_size != RUBRIC_HASH_HEX) {
			continue;
		}
		memcpy(hash, v.mv_data, RUBRIC_HASH_HEX);
		hash[RUBRIC_HASH_HEX] = '\0';
		if (rubric_version(ctx->txn, ctx->st, hash, &doc) == 0) {
			json_object_array_add(items, version_view(doc, false));
			json_object_put(doc);
		}
	}
	store_scan_end(&it);
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "items", items);
	return (0);
}

int
op_rubric_get(struct op_ctx *ctx)
{
	const char  *id = NULL, *hash = NULL;
	char         cur[RUBRIC_HASH_HEX + 1];
	json_object *doc;
	int          rv;

	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "hash", false, RUBRIC_HASH_HEX, &hash,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (rubric_current(ctx->txn, ctx->st, id, cur) != 0) {
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no rubric \"%s\"", id));
	}
	if (rubric_version(ctx->txn, ctx->st, hash ? hash : cur, &doc) != 0) {
		doc = NULL;
	}
	if (doc == NULL || strcmp(doc_get_str(doc, "id") ?: "", id) != 0) {
		/* A version of another rubric is no version of this one. */
		json_object_put(doc);
		return (proto_fail(ctx->err, SK_ENOTFOUND,
		    "rubric \"%s\" has no version %.64s", id,
		    hash != NULL ? hash : cur));
	}
	ctx->result = version_view(doc, true);
	json_object_object_add(ctx->result, "current",
	    json_object_new_boolean(strcmp(doc_get_str(doc, "hash"), cur) == 0));
	json_object_put(doc);
	return (0);
}

/*
 * rubric.put and rubric.test load and run a rubric apart from the loop
 * (rubric_load_apart, on libuv's thread pool: OP_HEAVY, a few at once), so
 * that a rubric that runs for its whole limit delays nobody else.  The
 * handler, on the loop, reads what the work needs and hands over a deep
 * copy of it (json-c's reference counts are not atomic, and documents may
 * be shared with the loop's cache): the work touches nothing else.
 */
/*
 * The work runs on a thread of its own, made for it at a lower priority
 * (nice +10) and ended with it: on a machine with as many cores as heavy
 * works at once, a rubric spinning for its whole limit would otherwise
 * take the loop's core share as much as the loop.  A pool thread cannot be
 * lowered and raised again without privilege, hence a thread per work; the
 * pool thread that runs this waits for it, using no CPU.
 */
struct niced {
	int (*fn)(struct op_work *w);
	struct op_work *w;
	int             rv;
};

static void *
niced_main(void *arg)
{
	struct niced *n = arg;
	/* Best effort: at worst the work runs at the loop's priority. */
	(void) setpriority(PRIO_PROCESS, (id_t) syscall(SYS_gettid), 10);
	n->rv = n->fn(n->w);
	return (NULL);
}

static int
run_niced(int (*fn)(struct op_work *w), struct op_work *w)
{
	struct niced n = { fn, w, 0 };
	pthread_t    t;
	if (pthread_create(&t, NULL, niced_main, &n) != 0) {
		return (fn(w)); /* no thread: here, at the pool's priority */
	}
	pthread_join(t, NULL);
	return (n.rv);
}

static int
hand_over(struct op_ctx *ctx, json_object *arg)
{
	json_object *copy = NULL;
	int          rc   = json_object_deep_copy(arg, &copy, NULL);
	json_object_put(arg);
	if (rc != 0) {
		json_object_put(copy);
		return (proto_fail(ctx->err, SK_EINTERNAL, "out of memory"));
	}
	ctx->result = copy;
	return (SK_EDEFER);
}

int
op_rubric_put(struct op_ctx *ctx)
{
	const char  *id = NULL, *source = NULL;
	json_object *arg;
	int          rv;

	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "source", true, 0, &source, ctx->err)) !=
	        0) {
		return (rv);
	}
	arg = json_object_new_object();
	json_object_object_add(arg, "id", json_object_new_string(id));
	json_object_object_add(arg, "source", json_object_new_string(source));
	return (hand_over(ctx, arg));
}

/*
 * Back on the loop, in a write transaction: stores the version compiled
 * apart (w->arg), unless a base it extends changed meanwhile (its hash
 * would name another base than the one stored as current).  The server may
 * run it again after growing a full map: it changes only w->result.
 */
static int
rubric_put_after(struct op_ctx *ctx, struct op_work *w)
{
	json_object *version = w->arg, *bases = NULL;
	const char  *id      = doc_get_str(version, "id");
	char         cur[RUBRIC_HASH_HEX + 1];
	bool         changed;
	int          rv;

	json_object_object_get_ex(version, "bases", &bases);
	json_object_object_foreach(bases, bid, bhash)
	{
		if (rubric_current(ctx->txn, ctx->st, bid, cur) != 0 ||
		    strcmp(cur, json_object_get_string(bhash)) != 0) {
			return (proto_fail(ctx->err, SK_ECONFLICT,
			    "rubric \"%s\", which \"%s\" extends, changed "
			    "while \"%s\" loaded; nothing was stored: send it "
			    "again",
			    bid, id, id));
		}
	}
	if ((rv = rubric_store(ctx->env->rubrics, ctx->txn, version, ctx->now,
	         &changed)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot store rubric %s", id));
	}
	if (changed) {
		json_object *ev = json_object_new_object();
		json_object_object_add(ev, "rubric", json_object_new_string(id));
		json_object_object_add(ev, "hash",
		    json_object_new_string(doc_get_str(version, "hash")));
		if ((rv = op_event(ctx, "rubric.changed", ev)) != 0) {
			return (rv);
		}
	}
	json_object_put(w->result);
	w->result = version_view(version, false);
	json_object_object_add(
	    w->result, "changed", json_object_new_boolean(changed));
	return (0);
}

static int
rubric_put_work(struct op_work *w)
{
	const char         *src = doc_get_str(w->arg, "source");
	struct plug_rubric *r;
	json_object        *version = NULL;
	int                 rv;

	if ((rv = rubric_load_apart(w->env->rubrics, doc_get_str(w->arg, "id"),
	         src, strlen(src), NULL, &r, &version, &w->err)) != 0) {
		return (rv);
	}
	plug_free(r); /* the loop loads it again, under its own limits */
	json_object_put(w->arg);
	w->arg   = version; /* what the after step stores */
	w->after = rubric_put_after;
	return (0);
}

/*
 * The ballots rubric.test gives decide.  A stored rubric (id), code an
 * admin put, sees every ballot when the caller is an admin or an officer
 * of the stage's council (the chair decides by it: it says what
 * case.decide would); every other caller, and every rubric given as a
 * source (code the caller wrote, which could return the ballots as its
 * reasons), sees only the ballots the caller may read in full through
 * case.get (review_ballots_seen).
 */
static json_object *
test_ballots(struct op_ctx *ctx, json_object *doc, const char *stage,
    unsigned roles, bool stored)
{
	unsigned officer =
	    strcmp(stage, "unit") == 0 ? WF_UNIT_OFFICER : WF_PROV_OFFICER;
	if (stored && !(roles & WF_AUTHOR) &&
	    (roles & (WF_ADMIN | officer)) != 0) {
		return (review_ballots_of(
		    ctx, (uint64_t) doc_get_int(doc, "id", 0), stage));
	}
	return (review_ballots_seen(ctx, doc, stage, roles));
}

int
op_rubric_test(struct op_ctx *ctx)
{
	const char  *id = NULL, *source = NULL;
	uint64_t     cid = 0;
	json_object *doc = NULL, *arg, *ver = NULL, *v;
	char         hash[RUBRIC_HASH_HEX + 1], today[32];
	unsigned     roles;
	int          rv;

	if ((rv = arg_id(ctx->args, "id", false, &id, ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "source", false, 0, &source, ctx->err)) !=
	        0 ||
	    (rv = arg_u64(ctx->args, "case", true, 1, INT64_MAX - 1, &cid,
	         ctx->err)) != 0) {
		return (rv);
	}
	if ((id == NULL) == (source == NULL)) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "give either \"id\" (a stored rubric) or \"source\" (Lua "
		    "text), not both or neither"));
	}
	if ((rv = case_load(ctx, cid, &doc, &roles)) != 0) {
		return (rv);
	}
	if ((roles & (WF_ADMIN | COUNCIL_BITS)) == 0) {
		json_object_put(doc);
		return (proto_fail(ctx->err, SK_EFORBIDDEN,
		    "rubric.test is for admins and the case's councils"));
	}
	arg = json_object_new_object();
	if (id != NULL) {
		if (rubric_current(ctx->txn, ctx->st, id, hash) != 0 ||
		    rubric_version(ctx->txn, ctx->st, hash, &ver) != 0) {
			json_object_put(arg);
			json_object_put(doc);
			return (proto_fail(ctx->err, SK_ENOTFOUND,
			    "no rubric \"%s\"", id));
		}
		json_object_object_add(arg, "id", json_object_new_string(id));
		json_object_object_add(arg, "hash", json_object_new_string(hash));
		json_object_object_add(arg, "source",
		    json_object_get(json_object_object_get(ver, "source")));
		json_object_object_add(arg, "bases",
		    json_object_object_get_ex(ver, "bases", &v)
		        ? json_object_get(v)
		        : json_object_new_object());
		json_object_put(ver);
	} else {
		json_object_object_add(
		    arg, "source", json_object_new_string(source));
	}
	util_time_str(ctx->now, today, sizeof(today));
	today[10] = '\0';
	json_object_object_add(arg, "today", json_object_new_string(today));
	json_object_object_add(arg, "case", review_rubric_case(doc));
	/* decide, on the ballots of the review in progress (or the last). */
	enum wf_state s     = wf_state_parse(doc_get_str(doc, "state"));
	const char   *stage = review_stage_of(s) ? review_stage_of(s)
	        : s >= WF_NOMINATED && s != WF_WITHDRAWN ? "province"
	                                                 : "unit";
	json_object_object_add(arg, "stage", json_object_new_string(stage));
	json_object *council = case_council(ctx, doc, stage);
	if (council != NULL) {
		json_object *ballots =
		    test_ballots(ctx, doc, stage, roles, id != NULL);
		json_object *eligible;
		json_object *summary =
		    council_summary(council, doc, ballots, &eligible);
		json_object_object_add(arg, "ballots", eligible);
		json_object_object_add(arg, "council", summary);
		json_object_put(ballots);
		json_object_put(council);
	}
	json_object_put(doc);
	return (hand_over(ctx, arg));
}

/* rubric.test's work: load, check, decide, apart from the loop. */
static int
rubric_test_work(struct op_work *w)
{
	json_object        *a   = w->arg, *problems = NULL, *verdict = NULL;
	json_object        *c   = json_object_object_get(a, "case");
	json_object        *sum = json_object_object_get(a, "council");
	const char         *id  = doc_get_str(a, "id");
	const char         *src = doc_get_str(a, "source");
	struct plug_rubric *r;
	char                err[512];
	int                 rv;

	if ((rv = rubric_load_apart(w->env->rubrics, id, src, strlen(src),
	         id != NULL ? json_object_object_get(a, "bases") : NULL, &r,
	         NULL, &w->err)) != 0) {
		return (rv);
	}
	if (plug_check(r, c, doc_get_str(a, "today"), &problems, err,
	        sizeof(err)) != 0) {
		plug_free(r);
		return (proto_fail(&w->err, SK_ERUBRIC, "check: %s", err));
	}
	if (sum != NULL) {
		json_object_object_add(sum, "case", json_object_get(c));
		rv = plug_decide(r, json_object_object_get(a, "ballots"), sum,
		    &verdict, err, sizeof(err));
		json_object_object_del(sum, "case");
		if (rv != 0) {
			plug_free(r);
			json_object_put(problems);
			return (proto_fail(&w->err, SK_ERUBRIC, "decide: %s", err));
		}
	}
	w->result = json_object_new_object();
	json_object *ru = json_object_new_object();
	json_object_object_add(ru, "id", json_object_new_string(plug_id(r)));
	if (id != NULL) {
		json_object_object_add(ru, "hash",
		    json_object_new_string(doc_get_str(a, "hash")));
	}
	plug_free(r);
	json_object_object_add(w->result, "rubric", ru);
	json_object_object_add(w->result, "stage",
	    json_object_new_string(doc_get_str(a, "stage")));
	json_object_object_add(w->result, "problems", problems);
	json_object_object_add(w->result, "decide", verdict);
	json_object_object_add(w->result, "ballots_seen",
	    json_object_new_int((int) json_object_array_length(
	        json_object_object_get(a, "ballots"))));
	return (0);
}

int
op_rubric_put_work(struct op_work *w)
{
	return (run_niced(rubric_put_work, w));
}

int
op_rubric_test_work(struct op_work *w)
{
	return (run_niced(rubric_test_work, w));
}
