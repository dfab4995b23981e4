/*
 * workflow.c: the state table and the transition table of PROTOCOL.md.
 *
 * These two tables are the workflow.  Adding a state or an action is an edit
 * here and nowhere else; core/ops/case.c applies whatever row wf_transition picks
 * and records it in the history.
 *
 * The legal basis, in one place (rubrics/README.md, "The rules and their
 * sources", lists the same rules as a table):
 *
 * - Điều lệ Sáng kiến (Nghị định 13/2012/NĐ-CP), Điều 7: the head of the
 *   organisation (người đứng đầu cơ sở) recognizes an initiative or refuses
 *   it in writing with reasons, within three months; the council only
 *   examines and advises.  Hence `case.decide` records the council's
 *   recommendation (unit_recommended, province_recommended) and
 *   `case.recognize`, by the head alone (admins may not sign in the head's
 *   place), records the decision with its number, date and signer; a
 *   refusal needs its reasons.  The review deadline runs from acceptance to
 *   that decision (wf_state_deadline_runs).
 * - Thông tư 18/2013/TT-BKHCN, Điều 8 (Hội đồng sáng kiến): a chair
 *   (chủ tịch), a vice-chair (phó chủ tịch), a secretary (thư ký),
 *   members, and where useful experts (chuyên gia) and a representative of
 *   the trade union (đại diện công đoàn); the council concludes by show of
 *   hands or secret ballot, a conclusion standing when at least two thirds
 *   of its members agree; an author of the initiative (the head of the
 *   organisation included) takes no part in examining it.  Here: every role
 *   but `expert` votes (experts are invited for their opinion, Điều 8 does
 *   not count them among the members who conclude); a case passes only with
 *   wf_votes_needed(voting members) agreeing votes, counted over all the
 *   voting members of the council, authors and absentees included; the
 *   chair, vice-chair and secretary keep the file (accept, return); the
 *   chair or the vice-chair in the chair's place closes the vote.  A
 *   council of fewer than WF_COUNCIL_MIN_MEMBERS (3) voting members is
 *   refused: with two, "two thirds" is unanimity of two and the
 *   composition Điều 8 lists (chair, secretary and members) is not there.
 * - Luật Thi đua, khen thưởng 2022, Điều 3, and Nghị định 98/2023/NĐ-CP
 *   (in force since 1/1/2024): an initiative recognized at a level is one
 *   with effect in application and the ability to be replicated (hiệu quả
 *   áp dụng và khả năng nhân rộng) at that level; the province stage's
 *   labels below use those words, and cấp cơ sở for the unit stage.
 */
#include <string.h>

#include "core/util/err.h"
#include "core/model/workflow.h"

static const struct {
	const char *name;
	const char *label;
} wf_states[WF_NSTATES] = {
	[WF_DRAFT]            = { "draft", "Bản nháp" },
	[WF_SUBMITTED]        = { "submitted", "Đã nộp, chờ tiếp nhận" },
	[WF_RETURNED]         = { "returned", "Trả lại để bổ sung" },
	[WF_UNIT_REVIEW]      = { "unit_review",
             "Hội đồng sáng kiến cấp cơ sở đang xét" },
	[WF_UNIT_RECOMMENDED] = { "unit_recommended",
             "Hội đồng cấp cơ sở đã có kiến nghị, chờ người đứng đầu "
             "quyết định" },
	[WF_UNIT_RECOGNIZED]  = { "unit_recognized",
             "Được công nhận sáng kiến cấp cơ sở" },
	[WF_UNIT_REFUSED]     = { "unit_refused",
             "Không được công nhận cấp cơ sở" },
	[WF_NOMINATED]        = { "nominated",
             "Đề nghị xét hiệu quả áp dụng và khả năng nhân rộng cấp tỉnh" },
	[WF_PROVINCE_REVIEW]  = { "province_review",
             "Hội đồng sáng kiến cấp tỉnh đang xét" },
	[WF_PROVINCE_RECOMMENDED] = { "province_recommended",
             "Hội đồng cấp tỉnh đã có kiến nghị, chờ quyết định công "
             "nhận" },
	[WF_RECOGNIZED]       = { "recognized",
             "Được công nhận hiệu quả áp dụng và khả năng nhân rộng cấp "
             "tỉnh" },
	[WF_PROVINCE_REFUSED] = { "province_refused",
             "Không được công nhận cấp tỉnh" },
	[WF_WITHDRAWN]        = { "withdrawn", "Đã rút" },
	[WF_REVOKED]          = { "revoked", "Bị thu hồi" },
};

#define UNIT_OFF (WF_UNIT_OFFICER)
#define PROV_OFF (WF_PROV_OFFICER)

/*
 * The transition table.  `by` lists who may act besides admins; admins may
 * do everything but score and recognize (PROTOCOL.md, "Roles").  `coi`
 * marks the actions that nobody may take on a case they author.
 */
static const struct wf_rule wf_rules[] = {
	{ "submit", WF_DRAFT, WF_SUBMITTED, WF_NONE, WF_AUTHOR, false, false,
	    "an author of the case", false },
	{ "submit", WF_RETURNED, WF_SUBMITTED, WF_NONE, WF_AUTHOR, false, false,
	    "an author of the case", false },
	{ "accept", WF_SUBMITTED, WF_UNIT_REVIEW, WF_NONE, UNIT_OFF, false, true,
	    "the chair or secretary of the unit council", false },
	{ "return", WF_SUBMITTED, WF_RETURNED, WF_NONE, UNIT_OFF, true, true,
	    "the chair or secretary of the unit council", false },
	{ "return", WF_UNIT_REVIEW, WF_RETURNED, WF_NONE, UNIT_OFF, true, true,
	    "the chair or secretary of the unit council", false },
	{ "withdraw", WF_DRAFT, WF_WITHDRAWN, WF_NONE, WF_AUTHOR, false, false,
	    "an author of the case", false },
	{ "withdraw", WF_SUBMITTED, WF_WITHDRAWN, WF_NONE, WF_AUTHOR, false,
	    false, "an author of the case", false },
	{ "withdraw", WF_RETURNED, WF_WITHDRAWN, WF_NONE, WF_AUTHOR, false,
	    false, "an author of the case", false },
	{ "withdraw", WF_UNIT_REVIEW, WF_WITHDRAWN, WF_NONE, WF_AUTHOR, false,
	    false, "an author of the case", false },
	{ "decide", WF_UNIT_REVIEW, WF_UNIT_RECOMMENDED, WF_UNIT_RECOMMENDED,
	    WF_UNIT_CHAIR, false, true,
	    "the chair (or vice-chair) of the unit council", false },
	{ "recognize", WF_UNIT_RECOMMENDED, WF_UNIT_RECOGNIZED,
	    WF_UNIT_REFUSED, WF_UNIT_HEAD, false, true,
	    "the head of the unit whose council reviewed the case", true },
	{ "nominate", WF_UNIT_RECOGNIZED, WF_NOMINATED, WF_NONE, UNIT_OFF,
	    false, false, "the chair or secretary of the unit council", false },
	{ "accept", WF_NOMINATED, WF_PROVINCE_REVIEW, WF_NONE, PROV_OFF, false,
	    true, "the chair or secretary of the province council", false },
	{ "return", WF_NOMINATED, WF_UNIT_RECOGNIZED, WF_NONE, PROV_OFF, true,
	    true, "the chair or secretary of the province council", false },
	{ "return", WF_PROVINCE_REVIEW, WF_UNIT_RECOGNIZED, WF_NONE, PROV_OFF,
	    true, true, "the chair or secretary of the province council", false },
	{ "decide", WF_PROVINCE_REVIEW, WF_PROVINCE_RECOMMENDED,
	    WF_PROVINCE_RECOMMENDED, WF_PROV_CHAIR, false, true,
	    "the chair (or vice-chair) of the province council", false },
	{ "recognize", WF_PROVINCE_RECOMMENDED, WF_RECOGNIZED,
	    WF_PROVINCE_REFUSED, WF_PROV_HEAD, false, true,
	    "the head of the province (the unit at the top of the unit "
	    "tree)", true },
	{ "reopen", WF_UNIT_REFUSED, WF_UNIT_REVIEW, WF_NONE, 0, true, false,
	    "an admin", false },
	{ "reopen", WF_PROVINCE_REFUSED, WF_PROVINCE_REVIEW, WF_NONE, 0, true,
	    false, "an admin", false },
	{ "reopen", WF_UNIT_RECOMMENDED, WF_UNIT_REVIEW, WF_NONE, 0, true,
	    false, "an admin", false },
	{ "reopen", WF_PROVINCE_RECOMMENDED, WF_PROVINCE_REVIEW, WF_NONE, 0,
	    true, false, "an admin", false },
	{ "revoke", WF_UNIT_RECOGNIZED, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin", false },
	{ "revoke", WF_NOMINATED, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin", false },
	{ "revoke", WF_PROVINCE_REVIEW, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin", false },
	{ "revoke", WF_RECOGNIZED, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin", false },
	{ "revoke", WF_PROVINCE_REFUSED, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin", false },
};

#define NRULES (sizeof(wf_rules) / sizeof(wf_rules[0]))

const char *
wf_state_name(enum wf_state s)
{
	if (s < 0 || s >= WF_NSTATES) {
		return (NULL);
	}
	return (wf_states[s].name);
}

const char *
wf_state_label(enum wf_state s)
{
	if (s < 0 || s >= WF_NSTATES) {
		return (NULL);
	}
	return (wf_states[s].label);
}

enum wf_state
wf_state_parse(const char *name)
{
	for (int s = 0; s < WF_NSTATES; s++) {
		if (strcmp(wf_states[s].name, name) == 0) {
			return ((enum wf_state) s);
		}
	}
	return (WF_NONE);
}

bool
wf_action_known(const char *action)
{
	for (size_t i = 0; i < NRULES; i++) {
		if (strcmp(wf_rules[i].action, action) == 0) {
			return (true);
		}
	}
	return (false);
}

int
wf_transition(const char *action, enum wf_state from, unsigned roles,
    const struct wf_rule **out)
{
	for (size_t i = 0; i < NRULES; i++) {
		const struct wf_rule *r = &wf_rules[i];
		if (strcmp(r->action, action) != 0 || r->from != from) {
			continue;
		}
		*out = r;
		if (r->coi && (roles & WF_AUTHOR) != 0) {
			return (SK_EFORBIDDEN);
		}
		if ((roles & (r->by | (r->no_admin ? 0 : WF_ADMIN))) == 0) {
			return (SK_EFORBIDDEN);
		}
		return (SK_OK);
	}
	*out = NULL;
	return (SK_ETRANSITION);
}

size_t
wf_allowed_from(const char *action, enum wf_state *states)
{
	size_t n = 0;
	for (size_t i = 0; i < NRULES; i++) {
		if (strcmp(wf_rules[i].action, action) == 0) {
			states[n++] = wf_rules[i].from;
		}
	}
	return (n);
}

bool
wf_state_public(enum wf_state s)
{
	switch (s) {
	case WF_UNIT_RECOGNIZED:
	case WF_NOMINATED:
	case WF_PROVINCE_REVIEW:
	case WF_PROVINCE_RECOMMENDED:
	case WF_RECOGNIZED:
	case WF_PROVINCE_REFUSED:
		return (true);
	default:
		return (false);
	}
}

bool
wf_state_in_review(enum wf_state s)
{
	return (s == WF_UNIT_REVIEW || s == WF_PROVINCE_REVIEW);
}

bool
wf_state_deadline_runs(enum wf_state s)
{
	return (wf_state_in_review(s) || s == WF_UNIT_RECOMMENDED ||
	    s == WF_PROVINCE_RECOMMENDED);
}

/*
 * The council's roles (TT 18/2013/TT-BKHCN Điều 8; see the legal basis at
 * the top of this file).
 */
static const struct {
	const char *name;
	bool        votes, officer, chairs;
} wf_council_roles[] = {
	{ "chair", true, true, true },
	{ "vice_chair", true, true, true },
	{ "secretary", true, true, false },
	{ "member", true, false, false },
	{ "union_rep", true, false, false },
	{ "expert", false, false, false },
};

const char wf_council_roles_text[] =
    "chair, vice_chair, secretary, member, union_rep, expert";

#define NCROLES (sizeof(wf_council_roles) / sizeof(wf_council_roles[0]))

static int
council_role_index(const char *role)
{
	for (size_t i = 0; role != NULL && i < NCROLES; i++) {
		if (strcmp(wf_council_roles[i].name, role) == 0) {
			return ((int) i);
		}
	}
	return (-1);
}

bool
wf_council_role_known(const char *role)
{
	return (council_role_index(role) >= 0);
}

bool
wf_council_role_votes(const char *role)
{
	int i = council_role_index(role);
	return (i >= 0 && wf_council_roles[i].votes);
}

bool
wf_council_role_officer(const char *role)
{
	int i = council_role_index(role);
	return (i >= 0 && wf_council_roles[i].officer);
}

bool
wf_council_role_chairs(const char *role)
{
	int i = council_role_index(role);
	return (i >= 0 && wf_council_roles[i].chairs);
}

int
wf_votes_needed(int members)
{
	/* ceil(2 * members / 3), in integers: 3 -> 2, 4 -> 3, 5 -> 4. */
	return (members <= 0 ? 1 : (2 * members + 2) / 3);
}

const struct wf_section wf_sections[WF_NSECTIONS] = {
	{ "status_quo", "Tình trạng đã biết" },
	{ "solution", "Nội dung giải pháp" },
	{ "novelty", "Tính mới" },
	{ "applicability", "Khả năng áp dụng" },
	{ "benefits", "Hiệu quả" },
	{ "conditions", "Điều kiện cần thiết" },
	{ "trial_users", "Người tham gia áp dụng thử" },
};

int
wf_section_index(const char *id)
{
	for (int i = 0; i < WF_NSECTIONS; i++) {
		if (strcmp(wf_sections[i].id, id) == 0) {
			return (i);
		}
	}
	return (-1);
}
