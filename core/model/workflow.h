/*
 * workflow.h: the state machine of an initiative, from the author's draft to
 * recognition (PROTOCOL.md, "States and actions"; Nghị định 13/2012/NĐ-CP).
 *
 * This is pure data and pure functions: no storage, no I/O.  The one state
 * table and the one transition table live in workflow.c; everything that
 * moves a case asks wf_transition() first.
 */
#ifndef SK_WORKFLOW_H
#define SK_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

enum wf_state {
	WF_DRAFT,
	WF_SUBMITTED,
	WF_RETURNED,
	WF_UNIT_REVIEW,
	WF_UNIT_RECOMMENDED,
	WF_UNIT_RECOGNIZED,
	WF_UNIT_REFUSED,
	WF_NOMINATED,
	WF_PROVINCE_REVIEW,
	WF_PROVINCE_RECOMMENDED,
	WF_RECOGNIZED,
	WF_PROVINCE_REFUSED,
	WF_WITHDRAWN,
	WF_REVOKED,
	WF_NSTATES,
	WF_NONE = -1,
};

/*
 * What the principal is with respect to one case; wf_transition checks the
 * rule's requirement against these bits.  The caller computes them (ops.c),
 * because they depend on the councils and units in storage.
 */
enum wf_role {
	WF_AUTHOR        = 1u << 0, /* listed author or creator of the case */
	WF_UNIT_OFFICER  = 1u << 1, /* chair, vice-chair or secretary of the
	                               unit council */
	WF_UNIT_CHAIR    = 1u << 2, /* chair or vice-chair, unit council */
	WF_PROV_OFFICER  = 1u << 3, /* chair, vice-chair or secretary,
	                               province council */
	WF_PROV_CHAIR    = 1u << 4, /* chair or vice-chair, province council */
	WF_ADMIN         = 1u << 5, /* admin role, or local-admin */
	WF_UNIT_MEMBER   = 1u << 6, /* any role in the unit council */
	WF_PROV_MEMBER   = 1u << 7, /* any role in the province council */
	WF_UNIT_HEAD     = 1u << 8, /* head of the unit council's unit */
	WF_PROV_HEAD     = 1u << 9, /* head of the province (the root unit
	                               above the province council's unit) */
};

/* One row of the transition table. */
struct wf_rule {
	const char   *action; /* "submit", ..., "decide" for case.decide */
	enum wf_state from;
	enum wf_state to;     /* for "decide": the passing state */
	enum wf_state to_alt; /* for "decide": the refusing state, else NONE */
	unsigned      by;     /* any of these roles may act (WF_ADMIN too) */
	bool          note;   /* a note is required */
	bool          coi;    /* an author of the case may not act */
	const char   *who;    /* the requirement, for people */
	bool          no_admin; /* admins may not act in `by`'s place */
};

/* The state's wire name ("unit_review"), or NULL if out of range. */
const char *wf_state_name(enum wf_state s);

/* The state's Vietnamese label ("Hội đồng sáng kiến cơ sở đang xét"). */
const char *wf_state_label(enum wf_state s);

/* The state for a wire name, or WF_NONE. */
enum wf_state wf_state_parse(const char *name);

/* True if action names a row of the table ("submit", "accept", ...). */
bool wf_action_known(const char *action);

/*
 * Finds the rule for action from state.  Returns SK_OK and the rule in *out;
 * SK_ETRANSITION if the action is not allowed from that state; SK_EFORBIDDEN
 * if roles do not satisfy the rule (admins may do all but score; authors
 * never act where the rule has a conflict of interest), with the rule still
 * in *out so that the caller can name the requirement.  For "decide" and
 * "recognize", `to` is the passing state and `to_alt` the refusing one.
 */
int wf_transition(const char *action, enum wf_state from, unsigned roles,
    const struct wf_rule **out);

/*
 * Fills states[] with the states the action is allowed from (at most
 * WF_NSTATES) and returns their number.
 */
size_t wf_allowed_from(const char *action, enum wf_state *states);

/*
 * True if a case in state s is visible to every principal (recognized at
 * unit level or later, and not revoked or withdrawn).
 */
bool wf_state_public(enum wf_state s);

/* True if s is a review state (a council is at work and a deadline runs). */
bool wf_state_in_review(enum wf_state s);

/*
 * True if a review deadline runs in s: from the council's review until the
 * head's recognition (the review states and the recommended states).
 */
bool wf_state_deadline_runs(enum wf_state s);

/*
 * The council's rules (TT 18/2013/TT-BKHCN Điều 8; see workflow.c's legal
 * basis): the roles a council.put may give, whether a role votes, whether
 * it may accept and return (an officer), and the two-thirds rule.
 */
bool wf_council_role_known(const char *role);
bool wf_council_role_votes(const char *role);
bool wf_council_role_officer(const char *role);
bool wf_council_role_chairs(const char *role);
#define WF_COUNCIL_MIN_MEMBERS 3
/* The fewest agreeing votes of `members` voting members that pass a case:
 * at least two thirds of all of them (0 members: 1, never reached). */
int wf_votes_needed(int members);
/* The council roles, comma-separated, for messages ("chair, ..."). */
extern const char wf_council_roles_text[];

/*
 * The parts of an application (Điều 5, Nghị định 13/2012/NĐ-CP), in the
 * order of the law: the one list of them, for checking a case, reading its
 * text and showing it.
 */
struct wf_section {
	const char *id;
	const char *label;
};
#define WF_NSECTIONS 7
extern const struct wf_section wf_sections[WF_NSECTIONS];

/* The index of section id in wf_sections, or -1. */
int wf_section_index(const char *id);

#endif
