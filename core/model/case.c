/*
 * case.c: the case model, under the handlers.  A case is one JSON document
 * in the cases database; this file knows who a principal is with respect to
 * it (roles), whether they may see it (visibility), what of it they see
 * (the view), how it is loaded, and how a change is saved: case_save runs
 * the change hooks (deadlines, the duplicate and search indexes), puts the
 * case with its indexes and appends the event, in the manner of Redis's
 * setKey + signalModifiedKey + notifyKeyspaceEvent.  Handlers decide what
 * changes; this file makes every change the same way.
 *
 * Besides the fields of PROTOCOL.md a case carries three of the server's
 * own, which clients never see: "author_users" (the users who author it,
 * for the author index and the conflict-of-interest rule), "due_ts" (the
 * deadline as unix seconds, for the due-date index and the timers) and
 * "councils" (the councils pinned when each review started).
 * store_case_put keeps the indexes in step with them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/err.h"
#include "core/util/log.h"
#include "core/model/case.h"
#include "core/model/council.h"
#include "core/model/similar.h"
#include "core/model/timers.h"

bool
case_facts_has(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i], s) == 0) {
			return (true);
		}
	}
	return (false);
}

bool
case_facts_from(json_object *doc, struct case_facts *f)
{
	if (store_case_facts_of(doc, f) != 0) {
		log_error("case %lld: its access fields do not fit; nobody but "
		          "an admin may see it",
		    (long long) doc_get_int(doc, "id", 0));
		return (false);
	}
	return (true);
}

/* The council reviewing stage ("unit"/"province"): pinned, else current. */
json_object *
case_council_facts(struct op_ctx *ctx, const struct case_facts *f,
    const char *stage)
{
	json_object *c       = NULL;
	bool         unit    = strcmp(stage, "unit") == 0;
	const char  *pinned  = f->council[unit ? 0 : 1];

	if (pinned != NULL &&
	    store_doc_view(ctx->txn, ctx->st, DB_COUNCILS, pinned, &c) == 0) {
		return (c);
	}
	if (unit) {
		council_for_unit(ctx, f->unit, &c);
	} else {
		enum wf_state s = wf_state_parse(f->state);
		if (s == WF_NOMINATED || s == WF_PROVINCE_REVIEW ||
		    s == WF_RECOGNIZED || s == WF_PROVINCE_REFUSED) {
			council_for_field(ctx, f->field, &c);
		}
	}
	return (c);
}

json_object *
case_council(struct op_ctx *ctx, json_object *doc, const char *stage)
{
	struct case_facts f;
	return (case_facts_from(doc, &f) ? case_council_facts(ctx, &f, stage) : NULL);
}

static unsigned
council_bits(json_object *council, const char *user, unsigned officer,
    unsigned chair, unsigned member)
{
	const char *role = council ? council_role(council, user) : NULL;
	unsigned    bits = 0;
	if (role == NULL) {
		return (0);
	}
	bits |= member;
	bits |= wf_council_role_officer(role) ? officer : 0;
	bits |= wf_council_role_chairs(role) ? chair : 0;
	return (bits);
}

/* WF_UNIT_HEAD, WF_PROV_HEAD: is the principal, a head, the head of the
 * unit that recognizes the case at each stage (council_head_unit)? */
static unsigned
head_bits(struct op_ctx *ctx, const struct case_facts *f)
{
	static const char *const stages[] = { "unit", "province" };
	unsigned                 bits     = 0;

	if ((ctx->who->roles & ROLE_HEAD) == 0 || ctx->who->unit[0] == '\0') {
		return (0);
	}
	for (int i = 0; i < 2; i++) {
		json_object *c = case_council_facts(ctx, f, stages[i]);
		char         head[PROTO_MAX_ID + 1];
		if (c != NULL && council_head_unit(ctx, c, head) == 0 &&
		    strcmp(head, ctx->who->unit) == 0) {
			bits |= i == 0 ? WF_UNIT_HEAD : WF_PROV_HEAD;
		}
		json_object_put(c);
	}
	return (bits);
}

unsigned
case_roles_facts(struct op_ctx *ctx, const struct case_facts *f)
{
	const struct principal *who   = ctx->who;
	unsigned                roles = 0;
	json_object            *c;

	if (who->roles & ROLE_ADMIN) {
		roles |= WF_ADMIN;
	}
	if (who->local_admin) {
		return (roles);
	}
	if (case_facts_has(f->authors, f->nauthors, who->id)) {
		roles |= WF_AUTHOR;
	}
	roles |= head_bits(ctx, f);
	/* Most principals sit on no council: find that out once per
	 * request rather than resolving a case's councils for each case. */
	if (ctx->on_council < 0) {
		ctx->on_council = council_member_anywhere(ctx, who->id);
	}
	if (!ctx->on_council) {
		return (roles);
	}
	if ((c = case_council_facts(ctx, f, "unit")) != NULL) {
		roles |= council_bits(c, who->id, WF_UNIT_OFFICER, WF_UNIT_CHAIR,
		    WF_UNIT_MEMBER);
		json_object_put(c);
	}
	if ((c = case_council_facts(ctx, f, "province")) != NULL) {
		roles |= council_bits(c, who->id, WF_PROV_OFFICER, WF_PROV_CHAIR,
		    WF_PROV_MEMBER);
		json_object_put(c);
	}
	return (roles);
}

unsigned
case_roles(struct op_ctx *ctx, json_object *doc)
{
	struct case_facts f;
	if (!case_facts_from(doc, &f)) {
		return ((ctx->who->roles & ROLE_ADMIN) ? WF_ADMIN : 0);
	}
	return (case_roles_facts(ctx, &f));
}

/*
 * May the principal see the case at all?  A council sees a case once it has
 * been submitted to it; a draft is its authors' own until then.
 */
bool
case_visible_facts(struct op_ctx *ctx, const struct case_facts *f,
    unsigned roles)
{
	if ((ctx->who->roles & (ROLE_ADMIN | ROLE_VIEWER)) != 0 ||
	    (roles & WF_AUTHOR) != 0) {
		return (true);
	}
	if ((roles & (COUNCIL_BITS | HEAD_BITS)) != 0 &&
	    f->submitted_at != NULL) {
		return (true);
	}
	return (wf_state_public(wf_state_parse(f->state)));
}

bool
case_visible(struct op_ctx *ctx, json_object *doc, unsigned roles)
{
	struct case_facts f;
	if (!case_facts_from(doc, &f)) {
		return ((ctx->who->roles & ROLE_ADMIN) != 0);
	}
	return (case_visible_facts(ctx, &f, roles));
}

/* Who may read a case's confidential sections: admins, authors, councils. */
bool
case_reads_confidential(unsigned roles)
{
	return ((roles & (WF_ADMIN | WF_AUTHOR | COUNCIL_BITS | HEAD_BITS)) !=
	    0);
}

/*
 * The confidential sections hidden from roles, or NULL if it may read every
 * section (doc is a whole case).
 */
static json_object *
hidden_sections(json_object *doc, unsigned roles)
{
	json_object *conf;
	if (case_reads_confidential(roles) ||
	    !json_object_object_get_ex(doc, "confidential", &conf) ||
	    json_object_array_length(conf) == 0) {
		return (NULL);
	}
	return (conf);
}

/*
 * The people of an application (authors, trial users) as a reader outside
 * the case sees them: without their dates of birth, which the form asks
 * for the council and the decision, not for the public page of a
 * recognized initiative (personal data is shown only to those it is
 * collected for: Nghị định 13/2023/NĐ-CP on personal data protection).
 */
static json_object *
people_public(json_object *people)
{
	json_object *out;
	size_t       n;

	if (!json_object_is_type(people, json_type_array)) {
		return (json_object_get(people));
	}
	n   = json_object_array_length(people);
	out = json_object_new_array_ext((int) n);
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(people, i);
		json_object *c;
		if (!json_object_is_type(p, json_type_object)) {
			json_object_array_add(out, json_object_get(p));
			continue;
		}
		c = json_object_new_object();
		json_object_object_foreach(p, k, v)
		{
			if (strcmp(k, "birth_date") != 0) {
				json_object_object_add(c, k, json_object_get(v));
			}
		}
		json_object_array_add(out, c);
	}
	return (out);
}

/* The case as this principal may see it (a new object). */
json_object *
case_view(json_object *doc, unsigned roles)
{
	json_object *out = json_object_new_object();
	json_object *conf = hidden_sections(doc, roles);
	bool         insider = case_reads_confidential(roles);

	json_object_object_foreach(doc, key, val)
	{
		bool skip = false;
		for (const char *const *f = store_case_internal_fields; *f; f++) {
			skip = skip || strcmp(*f, key) == 0;
		}
		if (skip) {
			continue;
		}
		if (!insider && (strcmp(key, "authors") == 0 ||
		                    strcmp(key, "trial_users") == 0)) {
			json_object_object_add(out, key, people_public(val));
			continue;
		}
		if (strcmp(key, "sections") == 0 && conf != NULL) {
			json_object *s = json_object_new_object();
			json_object_object_foreach(val, sk, sv)
			{
				if (!json_has_str(conf, sk)) {
					json_object_object_add(
					    s, sk, json_object_get(sv));
				}
			}
			json_object_object_add(out, key, s);
			continue;
		}
		json_object_object_add(out, key, json_object_get(val));
	}
	return (out);
}

/*
 * The reply of a case write: the case as roles sees it.  The text just
 * stored serves as it is when roles may read all of the case (no print of
 * the document a second time); it is taken from t.
 */
void
case_reply(struct op_ctx *ctx, json_object *doc, unsigned roles,
    struct store_case_text *t)
{
	if (t->text != NULL && t->view_bytes > 1 && t->view_bytes < t->len &&
	    case_reads_confidential(roles)) {
		t->text[t->view_bytes] = '}';
		ctx->result_text       = t->text;
		ctx->result_len        = t->view_bytes + 1;
		t->text                = NULL;
		return;
	}
	free(t->text);
	t->text     = NULL;
	ctx->result = case_view(doc, roles);
}

/* Loads case id if the principal may see it; not_found otherwise. */
int
case_load(struct op_ctx *ctx, uint64_t id, json_object **doc,
    unsigned *roles)
{
	int rv = store_case_get(ctx->txn, ctx->st, id, doc);
	if (rv == SK_ENOTFOUND) {
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no case %llu",
		    (unsigned long long) id));
	}
	if (rv != 0) {
		return (proto_fail(ctx->err, rv, "cannot read case %llu",
		    (unsigned long long) id));
	}
	*roles = case_roles(ctx, *doc);
	if (!case_visible(ctx, *doc, *roles)) {
		json_object_put(*doc);
		*doc = NULL;
		/* Say no more than that it is not there for this caller. */
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no case %llu",
		    (unsigned long long) id));
	}
	return (0);
}

void
case_set_state(json_object *doc, enum wf_state s)
{
	json_object_object_add(
	    doc, "state", json_object_new_string(wf_state_name(s)));
	json_object_object_add(
	    doc, "state_label", json_object_new_string(wf_state_label(s)));
}

int
case_event(struct op_ctx *ctx, const char *type, json_object *doc,
    json_object *extra)
{
	json_object *ev = json_object_new_object();
	json_object_object_add(
	    ev, "case", json_object_new_int64(doc_get_int(doc, "id", 0)));
	json_object_object_add(
	    ev, "unit", json_object_new_string(doc_get_str(doc, "unit")));
	json_object_object_add(
	    ev, "actor", json_object_new_string(ctx->who->id));
	if (extra != NULL) {
		json_object_object_foreach(extra, key, val)
		{
			json_object_object_add(ev, key, json_object_get(val));
		}
		json_object_put(extra);
	}
	json_object_object_add(ev, "version",
	    json_object_new_int64(doc_get_int(doc, "version", 0)));
	return (op_event(ctx, type, ev));
}

int
case_check_version(struct op_ctx *ctx, json_object *doc)
{
	uint64_t want = 0;
	int      rv;
	if ((rv = arg_u64(ctx->args, "version", false, 1, INT64_MAX - 1, &want,
	         ctx->err)) != 0) {
		return (rv);
	}
	int64_t have = doc_get_int(doc, "version", 0);
	if (want != 0 && (int64_t) want != have) {
		proto_fail(ctx->err, SK_ECONFLICT,
		    "case %lld is at version %lld, not %llu: someone changed "
		    "it; read it again",
		    (long long) doc_get_int(doc, "id", 0), (long long) have,
		    (unsigned long long) want);
		ctx->err->details = json_object_new_object();
		json_object_object_add(
		    ctx->err->details, "version", json_object_new_int64(have));
		return (SK_ECONFLICT);
	}
	return (0);
}

void
case_bump(struct op_ctx *ctx, json_object *doc)
{
	json_object_object_add(doc, "version",
	    json_object_new_int64(doc_get_int(doc, "version", 0) + 1));
	json_object_object_add(doc, "updated_at", json_time(ctx->now));
}

/*
 * The sections the law requires and shares adding up to 100: what submit
 * checks when no rubric can be found for the case's unit (a rubric's check
 * does this and more).
 */
json_object *
case_completeness_problems(json_object *doc)
{
	json_object *problems = json_object_new_array(), *secs = NULL,
	            *authors  = NULL;
	char         buf[256];

	json_object_object_get_ex(doc, "sections", &secs);
	for (size_t i = 0; i < WF_NSECTIONS; i++) {
		const char *t = secs ? doc_get_str(secs, wf_sections[i].id) : NULL;
		bool        blank = true;
		for (const char *p = t; p != NULL && *p; p++) {
			blank = blank && (*p == ' ' || *p == '\t' || *p == '\n' ||
			                     *p == '\r');
		}
		if (blank) {
			snprintf(buf, sizeof(buf),
			    "section %s (%s) is missing or empty", wf_sections[i].id,
			    wf_sections[i].label);
			json_object_array_add(problems, json_object_new_string(buf));
		}
	}
	double sum = 0;
	if (json_object_object_get_ex(doc, "authors", &authors)) {
		for (size_t i = 0; i < json_object_array_length(authors); i++) {
			json_object *s;
			if (json_object_object_get_ex(
			        json_object_array_get_idx(authors, i), "share",
			        &s)) {
				sum += json_object_get_double(s);
			}
		}
	}
	if (fabs(sum - 100.0) > 0.01) {
		snprintf(buf, sizeof(buf),
		    "the authors' shares add up to %g%%, not 100%%", sum);
		json_object_array_add(problems, json_object_new_string(buf));
	}
	return (problems);
}

/*
 * Moving a case.
 */

int
case_fail_transition(struct op_ctx *ctx, json_object *doc, const char *action,
    enum wf_state from)
{
	enum wf_state states[WF_NSTATES];
	size_t        n = wf_allowed_from(action, states);
	char          list[256] = "";
	size_t        len       = 0;
	json_object  *allowed   = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		len += (size_t) snprintf(list + len,
		    len < sizeof(list) ? sizeof(list) - len : 0, "%s%s",
		    i ? ", " : "", wf_state_name(states[i]));
		json_object_array_add(
		    allowed, json_object_new_string(wf_state_name(states[i])));
	}
	proto_fail(ctx->err, SK_ETRANSITION,
	    "case %lld is in %s; '%s' is allowed from %s",
	    (long long) doc_get_int(doc, "id", 0), wf_state_name(from), action,
	    list);
	ctx->err->details = json_object_new_object();
	json_object_object_add(ctx->err->details, "state",
	    json_object_new_string(wf_state_name(from)));
	json_object_object_add(ctx->err->details, "allowed", allowed);
	return (SK_ETRANSITION);
}

/* Pins the council of a review on the case; not_found if there is none. */
int
case_pin_council(struct op_ctx *ctx, json_object *doc, const char *stage)
{
	json_object *c = NULL, *pinned;
	int          rv;

	if (strcmp(stage, "unit") == 0) {
		rv = council_for_unit(ctx, doc_get_str(doc, "unit"), &c);
	} else {
		rv = council_for_field(ctx, doc_get_str(doc, "field"), &c);
	}
	if (rv == SK_ENOTFOUND) {
		return (proto_fail(ctx->err, SK_ENOTFOUND,
		    strcmp(stage, "unit") == 0
		        ? "no unit council serves unit %s or the units above "
		          "it; create one with council.put"
		        : "no province council takes field \"%s\"; create one "
		          "with council.put",
		    strcmp(stage, "unit") == 0 ? doc_get_str(doc, "unit")
		                               : doc_get_str(doc, "field")));
	}
	if (rv != 0) {
		return (proto_fail(ctx->err, rv, "cannot read councils"));
	}
	if (!json_object_object_get_ex(doc, "councils", &pinned)) {
		pinned = json_object_new_object();
		json_object_object_add(doc, "councils", pinned);
	}
	json_object_object_add(
	    pinned, stage, json_object_new_string(doc_get_str(c, "id")));
	json_object_put(c);
	return (0);
}

void
case_set_due(struct op_ctx *ctx, json_object *doc, bool on)
{
	if (on) {
		int64_t due = ctx->now + (int64_t) ctx->env->review_days * 86400;
		json_object_object_add(doc, "due_at", json_time(due));
		json_object_object_add(doc, "due_ts", json_object_new_int64(due));
	} else {
		json_object_object_del(doc, "due_at");
		json_object_object_del(doc, "due_ts");
	}
}

/*
 * Saving a case, and what a change sets off.
 */

/* The deadline hook: the timers follow the case's due_ts. */
static int
deadline_changed(struct op_ctx *ctx, json_object *old, json_object *doc)
{
	uint64_t id  = (uint64_t) doc_get_int(doc, "id", 0);
	int64_t  was = old ? doc_get_int(old, "due_ts", -1) : -1;
	int64_t  is  = doc_get_int(doc, "due_ts", -1);
	int      rv;

	if (was == is) {
		return (0);
	}
	if (was >= 0 && (rv = timers_clear(ctx, id, was)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot clear the deadline"));
	}
	if (is >= 0 && (rv = timers_set(ctx, id, is)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot set the deadline"));
	}
	return (0);
}

/*
 * The change hooks, called in order by case_save before the case is put,
 * in its transaction (in the manner of Knot Resolver's layer table): each
 * sees the case as it was and as it will be, may add to the new one (the
 * duplicate hook stores "similar" at accept) and keeps an index of its own
 * in step.  A hook that fails records why in ctx->err and the change fails
 * whole.  A new concern (notices, say) is one more row.
 */
static const struct case_hook {
	const char *name;
	int (*changed)(struct op_ctx *ctx, json_object *old, json_object *doc);
} case_hooks[] = {
	{ "deadlines", deadline_changed },
	{ "duplicates and search", dedup_case_changed },
};

int
case_save(struct op_ctx *ctx, json_object *old, json_object *doc,
    const char *type, json_object *extra, struct store_case_text *t)
{
	uint64_t id = (uint64_t) doc_get_int(doc, "id", 0);
	int      rv;

	for (size_t i = 0; i < sizeof(case_hooks) / sizeof(case_hooks[0]);
	     i++) {
		if ((rv = case_hooks[i].changed(ctx, old, doc)) != 0) {
			json_object_put(extra);
			if (ctx->err->code == 0) {
				proto_fail(ctx->err, rv, "case %llu: %s failed",
				    (unsigned long long) id, case_hooks[i].name);
			}
			return (rv);
		}
	}
	if ((rv = store_case_put(ctx->txn, ctx->st, id, old, doc, t)) != 0) {
		json_object_put(extra);
		return (proto_fail(ctx->err, rv, "cannot store the case"));
	}
	return (case_event(ctx, type, doc, extra));
}
