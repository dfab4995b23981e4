/*
 * workflow.c: the state table and the transition table of PROTOCOL.md.
 *
 * These two tables are the workflow.  Adding a state or an action is an edit
 * here and nowhere else; core/ops/case.c applies whatever row wf_transition picks
 * and records it in the history.
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
             "Hội đồng sáng kiến cơ sở đang xét" },
	[WF_UNIT_RECOGNIZED]  = { "unit_recognized",
             "Được công nhận sáng kiến cấp cơ sở" },
	[WF_UNIT_REFUSED]     = { "unit_refused",
             "Không được công nhận cấp cơ sở" },
	[WF_NOMINATED]        = { "nominated",
             "Đề nghị xét phạm vi ảnh hưởng cấp tỉnh" },
	[WF_PROVINCE_REVIEW]  = { "province_review",
             "Hội đồng sáng kiến cấp tỉnh đang xét" },
	[WF_RECOGNIZED]       = { "recognized",
             "Được công nhận hiệu quả áp dụng, phạm vi ảnh hưởng cấp tỉnh" },
	[WF_PROVINCE_REFUSED] = { "province_refused",
             "Không được công nhận cấp tỉnh" },
	[WF_WITHDRAWN]        = { "withdrawn", "Đã rút" },
	[WF_REVOKED]          = { "revoked", "Bị thu hồi" },
};

#define UNIT_OFF (WF_UNIT_OFFICER)
#define PROV_OFF (WF_PROV_OFFICER)

/*
 * The transition table.  `by` lists who may act besides admins; admins may
 * do everything but score (PROTOCOL.md, "Roles").  `coi` marks the actions
 * that nobody may take on a case they author.
 */
static const struct wf_rule wf_rules[] = {
	{ "submit", WF_DRAFT, WF_SUBMITTED, WF_NONE, WF_AUTHOR, false, false,
	    "an author of the case" },
	{ "submit", WF_RETURNED, WF_SUBMITTED, WF_NONE, WF_AUTHOR, false, false,
	    "an author of the case" },
	{ "accept", WF_SUBMITTED, WF_UNIT_REVIEW, WF_NONE, UNIT_OFF, false, true,
	    "the chair or secretary of the unit council" },
	{ "return", WF_SUBMITTED, WF_RETURNED, WF_NONE, UNIT_OFF, true, true,
	    "the chair or secretary of the unit council" },
	{ "return", WF_UNIT_REVIEW, WF_RETURNED, WF_NONE, UNIT_OFF, true, true,
	    "the chair or secretary of the unit council" },
	{ "withdraw", WF_DRAFT, WF_WITHDRAWN, WF_NONE, WF_AUTHOR, false, false,
	    "an author of the case" },
	{ "withdraw", WF_SUBMITTED, WF_WITHDRAWN, WF_NONE, WF_AUTHOR, false,
	    false, "an author of the case" },
	{ "withdraw", WF_RETURNED, WF_WITHDRAWN, WF_NONE, WF_AUTHOR, false,
	    false, "an author of the case" },
	{ "withdraw", WF_UNIT_REVIEW, WF_WITHDRAWN, WF_NONE, WF_AUTHOR, false,
	    false, "an author of the case" },
	{ "decide", WF_UNIT_REVIEW, WF_UNIT_RECOGNIZED, WF_UNIT_REFUSED,
	    WF_UNIT_CHAIR, false, true, "the chair of the unit council" },
	{ "nominate", WF_UNIT_RECOGNIZED, WF_NOMINATED, WF_NONE, UNIT_OFF,
	    false, false, "the chair or secretary of the unit council" },
	{ "accept", WF_NOMINATED, WF_PROVINCE_REVIEW, WF_NONE, PROV_OFF, false,
	    true, "the chair or secretary of the province council" },
	{ "return", WF_NOMINATED, WF_UNIT_RECOGNIZED, WF_NONE, PROV_OFF, true,
	    true, "the chair or secretary of the province council" },
	{ "return", WF_PROVINCE_REVIEW, WF_UNIT_RECOGNIZED, WF_NONE, PROV_OFF,
	    true, true, "the chair or secretary of the province council" },
	{ "decide", WF_PROVINCE_REVIEW, WF_RECOGNIZED, WF_PROVINCE_REFUSED,
	    WF_PROV_CHAIR, false, true, "the chair of the province council" },
	{ "reopen", WF_UNIT_REFUSED, WF_UNIT_REVIEW, WF_NONE, 0, true, false,
	    "an admin" },
	{ "reopen", WF_PROVINCE_REFUSED, WF_PROVINCE_REVIEW, WF_NONE, 0, true,
	    false, "an admin" },
	{ "revoke", WF_UNIT_RECOGNIZED, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin" },
	{ "revoke", WF_NOMINATED, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin" },
	{ "revoke", WF_PROVINCE_REVIEW, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin" },
	{ "revoke", WF_RECOGNIZED, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin" },
	{ "revoke", WF_PROVINCE_REFUSED, WF_REVOKED, WF_NONE, 0, true, false,
	    "an admin" },
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
		if ((roles & (r->by | WF_ADMIN)) == 0) {
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
