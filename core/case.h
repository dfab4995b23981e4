/*
 * case.h: what the case operations share (ops_case.c defines these;
 * ops_review.c, the council's half of the work, uses them).
 */
#ifndef SK_CASE_H
#define SK_CASE_H

#include "core/ops.h"
#include "core/workflow.h"

#define COUNCIL_BITS (WF_UNIT_MEMBER | WF_PROV_MEMBER)

/*
 * Each rule comes in two forms: on a case's facts (store_case_facts, what
 * case.get and case.list read), and on a whole case, whose facts it takes.
 */

/* The council of stage ("unit"/"province"): pinned, else current; or NULL.
 * Shared and read-only, as council_for_unit's (ops.h). */
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

/* The case as the principal may see it, without the server's own fields. */
json_object *case_view(json_object *doc, unsigned roles);

/* Loads a case the principal may see; not_found otherwise. */
int case_load(struct op_ctx *ctx, uint64_t id, json_object **doc,
    unsigned *roles);

/* Appends a case event (case, unit, actor, extra..., version); extra is
 * consumed. */
int case_event(struct op_ctx *ctx, const char *type, json_object *doc,
    json_object *extra);

/* Refuses a stale "version" argument with conflict. */
int case_check_version(struct op_ctx *ctx, json_object *doc);

/* version + 1, updated_at = now. */
void case_bump(struct op_ctx *ctx, json_object *doc);

void case_set_state(json_object *doc, enum wf_state s);

/* invalid_transition naming the states the action is allowed from. */
int case_fail_transition(struct op_ctx *ctx, json_object *doc,
    const char *action, enum wf_state from);

/* Starts (on) or ends a review deadline, with its timers. */
int case_set_due(struct op_ctx *ctx, json_object *doc, bool on);

/* Problems that keep a case from being submitted, when no rubric applies. */
json_object *case_completeness_problems(json_object *doc);

/*
 * ops_review.c: the rubric of a review.  review_pin_rubric pins the
 * current version of the review's rubric on the case (doc.rubric);
 * review_check runs the unit review's rubric's check at submission.
 */
int review_pin_rubric(struct op_ctx *ctx, json_object *doc, const char *stage);
int review_check(struct op_ctx *ctx, json_object *doc, json_object **problems);

/* The ballots the principal may see (for case.get), or NULL. */
json_object *review_ballots_view_facts(struct op_ctx *ctx,
    const struct case_facts *f, unsigned roles);
json_object *review_ballots_view(struct op_ctx *ctx, json_object *doc,
    unsigned roles);

#endif
