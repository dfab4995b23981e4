/*
 * case.h: the case model (case.c) and the review's part of it (review.c),
 * under the handlers of core/ops/.  Handlers load a case with case_load,
 * decide what changes on a copy, and save it with case_save; they never
 * put a case, write an index or append a case event themselves.
 */
#ifndef SK_MODEL_CASE_H
#define SK_MODEL_CASE_H

#include "core/model/ctx.h"
#include "core/model/doc.h"
#include "core/model/workflow.h"

#define COUNCIL_BITS (WF_UNIT_MEMBER | WF_PROV_MEMBER)

/*
 * Each rule comes in two forms: on a case's facts (store_case_facts, what
 * case.get and case.list read without parsing a case), and on a whole case,
 * whose facts it takes.  A case whose facts cannot be read is treated as
 * nobody's (fail closed).
 */

/* The facts of a whole case; false (logged) if they do not fit. */
bool case_facts_from(json_object *doc, struct case_facts *f);
/* True if s is among the n strings of v (authors, sections). */
bool case_facts_has(const char *const *v, size_t n, const char *s);

/* The council of stage ("unit"/"province"): pinned, else current; or NULL.
 * Shared and read-only, as council_for_unit's (council.h). */
json_object *case_council_facts(struct op_ctx *ctx,
    const struct case_facts *f, const char *stage);
json_object *case_council(struct op_ctx *ctx, json_object *doc,
    const char *stage);

/* The principal's wf_role bits with respect to the case. */
unsigned case_roles_facts(struct op_ctx *ctx, const struct case_facts *f);
unsigned case_roles(struct op_ctx *ctx, json_object *doc);

/* May the principal see the case? */
bool case_visible_facts(struct op_ctx *ctx, const struct case_facts *f,
    unsigned roles);
bool case_visible(struct op_ctx *ctx, json_object *doc, unsigned roles);

/* May roles read a case's confidential sections (admins, authors,
 * councils)? */
bool case_reads_confidential(unsigned roles);

/* The case as the principal may see it, without the server's own fields. */
json_object *case_view(json_object *doc, unsigned roles);

/*
 * The reply of a case write: the case as roles sees it, in ctx->result or
 * ctx->result_text.  The text just stored (t, from case_save) serves as it
 * is when roles may read all of the case; t's text is consumed.
 */
void case_reply(struct op_ctx *ctx, json_object *doc, unsigned roles,
    struct store_case_text *t);

/* Loads a case the principal may see; not_found otherwise. */
int case_load(struct op_ctx *ctx, uint64_t id, json_object **doc,
    unsigned *roles);

/* Refuses a stale "version" argument with conflict. */
int case_check_version(struct op_ctx *ctx, json_object *doc);

/* version + 1, updated_at = now. */
void case_bump(struct op_ctx *ctx, json_object *doc);

void case_set_state(json_object *doc, enum wf_state s);

/* invalid_transition naming the states the action is allowed from. */
int case_fail_transition(struct op_ctx *ctx, json_object *doc,
    const char *action, enum wf_state from);

/* Pins the council of a review ("unit"/"province") on the case; not_found
 * if there is none. */
int case_pin_council(struct op_ctx *ctx, json_object *doc, const char *stage);

/* Starts (on: review_days from now) or ends the case's review deadline;
 * case_save's deadline hook moves the timers. */
void case_set_due(struct op_ctx *ctx, json_object *doc, bool on);

/* Problems that keep a case from being submitted, when no rubric applies. */
json_object *case_completeness_problems(json_object *doc);

/* Appends a case event (case, unit, actor, extra..., version); extra is
 * consumed.  case_save calls it; so does a change that does not touch the
 * case itself (a ballot). */
int case_event(struct op_ctx *ctx, const char *type, json_object *doc,
    json_object *extra);

/*
 * Saves doc, the new state of a case (old: as it was, NULL for a new one):
 * runs the change hooks in order (case.c, case_hooks), puts the case and
 * its indexes, and appends the event type with extra (consumed).  If t is
 * not NULL it receives the text written, for case_reply.  Returns 0, or an
 * error recorded in ctx->err (the request then fails whole).
 */
int case_save(struct op_ctx *ctx, json_object *old, json_object *doc,
    const char *type, json_object *extra, struct store_case_text *t);

/*
 * review.c: the rubric of a review and its ballots.  review_pin_rubric
 * pins the current version of the review's rubric on the case
 * (doc.rubric); review_check runs the unit review's rubric's check at
 * submission; review_pinned_rubric loads the pinned version.
 */
struct plug_rubric;
int review_pin_rubric(struct op_ctx *ctx, json_object *doc, const char *stage);
int review_check(struct op_ctx *ctx, json_object *doc, json_object **problems);
int review_pinned_rubric(struct op_ctx *ctx, json_object *doc,
    struct plug_rubric **r, const char **id);

/* The stage ("unit"/"province") a review state is in, or NULL. */
const char *review_stage_of(enum wf_state s);

/* The case as a rubric sees it: all sections, and duplicate detection. */
json_object *review_rubric_case(json_object *doc);

/* Stores member's ballot on a case's stage (replacing theirs). */
int review_ballot_put(struct op_ctx *ctx, uint64_t id, const char *stage,
    const char *member, json_object *ballot);
/* Every ballot of a case's stage, parsed, in member order (caller owns). */
json_object *review_ballots_of(struct op_ctx *ctx, uint64_t id,
    const char *stage);

/*
 * The ballots of doc's stage whose marks and comment the principal may see
 * in full, parsed (caller owns): the same rule as case.get's (the stage's
 * council and the staff every ballot of a decided stage, a member their
 * own while the review is under way, authors none).  What a rubric the
 * caller wrote may be given (rubric.test with a source).
 */
json_object *review_ballots_seen(struct op_ctx *ctx, json_object *doc,
    const char *stage, unsigned roles);

/* The ballots the principal may see (for case.get), or NULL. */
json_object *review_ballots_view_facts(struct op_ctx *ctx,
    const struct case_facts *f, unsigned roles);
json_object *review_ballots_view(struct op_ctx *ctx, json_object *doc,
    unsigned roles);

#endif
