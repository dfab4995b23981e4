/*
 * test_workflow.c: unit tests of the state machine (core/model/workflow.c).
 *
 * The expectation is written here, a second time and independently, from
 * PROTOCOL.md ("Roles", "States and actions"); it is never computed from the
 * table in workflow.c.  Every action is tried from every state with a set of
 * role masks such as core/model/case.c computes them, so a row added, dropped or
 * given the wrong requirement in workflow.c makes a test fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/err.h"
#include "core/model/workflow.h"

/*
 * Role masks as core/model/case.c computes them: a council chair is also an officer
 * and a member, a secretary an officer and a member.  A viewer has no bit at
 * all with respect to a case.
 */
#define R_UNIT_MEMBER (WF_UNIT_MEMBER)
#define R_UNIT_SECR (WF_UNIT_MEMBER | WF_UNIT_OFFICER)
#define R_UNIT_CHAIR (WF_UNIT_MEMBER | WF_UNIT_OFFICER | WF_UNIT_CHAIR)
#define R_PROV_MEMBER (WF_PROV_MEMBER)
#define R_PROV_SECR (WF_PROV_MEMBER | WF_PROV_OFFICER)
#define R_PROV_CHAIR (WF_PROV_MEMBER | WF_PROV_OFFICER | WF_PROV_CHAIR)

static const struct {
	const char *name;
	unsigned    roles;
} masks[] = {
	{ "none", 0 },
	{ "viewer", 0 },
	{ "author", WF_AUTHOR },
	{ "unit member", R_UNIT_MEMBER },
	{ "unit secretary", R_UNIT_SECR },
	{ "unit chair", R_UNIT_CHAIR },
	{ "province member", R_PROV_MEMBER },
	{ "province secretary", R_PROV_SECR },
	{ "province chair", R_PROV_CHAIR },
	{ "admin", WF_ADMIN },
	{ "author+unit secretary", WF_AUTHOR | R_UNIT_SECR },
	{ "author+unit chair", WF_AUTHOR | R_UNIT_CHAIR },
	{ "author+province secretary", WF_AUTHOR | R_PROV_SECR },
	{ "author+province chair", WF_AUTHOR | R_PROV_CHAIR },
	{ "author+admin", WF_AUTHOR | WF_ADMIN },
	{ "unit chair+province chair", R_UNIT_CHAIR | R_PROV_CHAIR },
	{ "unit head", WF_UNIT_HEAD },
	{ "province head", WF_PROV_HEAD },
	{ "author+unit head", WF_AUTHOR | WF_UNIT_HEAD },
	{ "admin+province head", WF_ADMIN | WF_PROV_HEAD },
	{ "everything", 0x3ffu },
};
#define NMASKS (sizeof(masks) / sizeof(masks[0]))

/* Who PROTOCOL.md names in the "by" column, besides admins. */
enum who {
	BY_AUTHOR,
	BY_UNIT_OFFICER, /* chair or secretary of the unit council */
	BY_UNIT_CHAIR,
	BY_PROV_OFFICER,
	BY_PROV_CHAIR,
	BY_ADMIN_ONLY,
	BY_UNIT_HEAD, /* the head of the unit; never an admin in its place */
	BY_PROV_HEAD,
};

/* One row of PROTOCOL.md's "States and actions" table, per source state. */
struct expect {
	const char   *action;
	enum wf_state from;
	enum wf_state to;
	enum wf_state to_alt; /* decide's refusing state */
	enum who      by;
	bool          note; /* "note required" */
	bool coi; /* "nobody may decide, accept or return ... author" */
};

static const struct expect expected[] = {
	{ "submit", WF_DRAFT, WF_SUBMITTED, WF_NONE, BY_AUTHOR, false, false },
	{ "submit", WF_RETURNED, WF_SUBMITTED, WF_NONE, BY_AUTHOR, false,
	    false },
	{ "accept", WF_SUBMITTED, WF_UNIT_REVIEW, WF_NONE, BY_UNIT_OFFICER,
	    false, true },
	{ "return", WF_SUBMITTED, WF_RETURNED, WF_NONE, BY_UNIT_OFFICER, true,
	    true },
	{ "return", WF_UNIT_REVIEW, WF_RETURNED, WF_NONE, BY_UNIT_OFFICER,
	    true, true },
	{ "withdraw", WF_DRAFT, WF_WITHDRAWN, WF_NONE, BY_AUTHOR, false,
	    false },
	{ "withdraw", WF_SUBMITTED, WF_WITHDRAWN, WF_NONE, BY_AUTHOR, false,
	    false },
	{ "withdraw", WF_RETURNED, WF_WITHDRAWN, WF_NONE, BY_AUTHOR, false,
	    false },
	{ "withdraw", WF_UNIT_REVIEW, WF_WITHDRAWN, WF_NONE, BY_AUTHOR, false,
	    false },
	{ "decide", WF_UNIT_REVIEW, WF_UNIT_RECOMMENDED, WF_UNIT_RECOMMENDED,
	    BY_UNIT_CHAIR, false, true },
	{ "recognize", WF_UNIT_RECOMMENDED, WF_UNIT_RECOGNIZED,
	    WF_UNIT_REFUSED, BY_UNIT_HEAD, false, true },
	{ "nominate", WF_UNIT_RECOGNIZED, WF_NOMINATED, WF_NONE,
	    BY_UNIT_OFFICER, false, false },
	{ "accept", WF_NOMINATED, WF_PROVINCE_REVIEW, WF_NONE, BY_PROV_OFFICER,
	    false, true },
	{ "return", WF_NOMINATED, WF_UNIT_RECOGNIZED, WF_NONE, BY_PROV_OFFICER,
	    true, true },
	{ "return", WF_PROVINCE_REVIEW, WF_UNIT_RECOGNIZED, WF_NONE,
	    BY_PROV_OFFICER, true, true },
	{ "decide", WF_PROVINCE_REVIEW, WF_PROVINCE_RECOMMENDED,
	    WF_PROVINCE_RECOMMENDED, BY_PROV_CHAIR, false, true },
	{ "recognize", WF_PROVINCE_RECOMMENDED, WF_RECOGNIZED,
	    WF_PROVINCE_REFUSED, BY_PROV_HEAD, false, true },
	{ "reopen", WF_UNIT_REFUSED, WF_UNIT_REVIEW, WF_NONE, BY_ADMIN_ONLY,
	    true, false },
	{ "reopen", WF_PROVINCE_REFUSED, WF_PROVINCE_REVIEW, WF_NONE,
	    BY_ADMIN_ONLY, true, false },
	{ "reopen", WF_UNIT_RECOMMENDED, WF_UNIT_REVIEW, WF_NONE,
	    BY_ADMIN_ONLY, true, false },
	{ "reopen", WF_PROVINCE_RECOMMENDED, WF_PROVINCE_REVIEW, WF_NONE,
	    BY_ADMIN_ONLY, true, false },
	{ "revoke", WF_UNIT_RECOGNIZED, WF_REVOKED, WF_NONE, BY_ADMIN_ONLY,
	    true, false },
	{ "revoke", WF_NOMINATED, WF_REVOKED, WF_NONE, BY_ADMIN_ONLY, true,
	    false },
	{ "revoke", WF_PROVINCE_REVIEW, WF_REVOKED, WF_NONE, BY_ADMIN_ONLY,
	    true, false },
	{ "revoke", WF_RECOGNIZED, WF_REVOKED, WF_NONE, BY_ADMIN_ONLY, true,
	    false },
	{ "revoke", WF_PROVINCE_REFUSED, WF_REVOKED, WF_NONE, BY_ADMIN_ONLY,
	    true, false },
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

static const char *const actions[] = { "submit", "accept", "return",
	"withdraw", "nominate", "reopen", "revoke", "decide", "recognize" };
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

static const struct expect *
expect_find(const char *action, enum wf_state from)
{
	for (size_t i = 0; i < NEXPECTED; i++) {
		if (strcmp(expected[i].action, action) == 0
		    && expected[i].from == from) {
			return (&expected[i]);
		}
	}
	return (NULL);
}

/* Does the principal with these roles meet PROTOCOL.md's "by"? */
static bool
meets(enum who by, unsigned roles)
{
	if (by == BY_UNIT_HEAD) {
		return ((roles & WF_UNIT_HEAD) != 0); /* an admin does not sign */
	}
	if (by == BY_PROV_HEAD) {
		return ((roles & WF_PROV_HEAD) != 0);
	}
	if (roles & WF_ADMIN) {
		return (true); /* admins do everything but score, recognize */
	}
	switch (by) {
	case BY_AUTHOR:
		return ((roles & WF_AUTHOR) != 0);
	case BY_UNIT_OFFICER:
		return ((roles & WF_UNIT_OFFICER) != 0);
	case BY_UNIT_CHAIR:
		return ((roles & WF_UNIT_CHAIR) != 0);
	case BY_PROV_OFFICER:
		return ((roles & WF_PROV_OFFICER) != 0);
	case BY_PROV_CHAIR:
		return ((roles & WF_PROV_CHAIR) != 0);
	case BY_ADMIN_ONLY:
	case BY_UNIT_HEAD:
	case BY_PROV_HEAD:
		return (false);
	}
	return (false);
}

static int
expected_rv(const struct expect *x, unsigned roles)
{
	if (x == NULL) {
		return (SK_ETRANSITION);
	}
	if (x->coi && (roles & WF_AUTHOR) != 0) {
		return (SK_EFORBIDDEN);
	}
	return (meets(x->by, roles) ? SK_OK : SK_EFORBIDDEN);
}

/* Checks one action from every state with every mask. */
static void
check_action(const char *action)
{
	for (int s = 0; s < WF_NSTATES; s++) {
		const struct expect *x
		    = expect_find(action, (enum wf_state) s);
		for (size_t m = 0; m < NMASKS; m++) {
			const struct wf_rule *r     = (void *) 1;
			unsigned              roles = masks[m].roles;
			int                   want  = expected_rv(x, roles);
			int                   rv;

			rv = wf_transition(
			    action, (enum wf_state) s, roles, &r);
			if (rv != want) {
				fail_msg("%s from %s by %s: got %s, want %s",
				    action, wf_state_name((enum wf_state) s),
				    masks[m].name, sk_err_code(rv),
				    sk_err_code(want));
			}
			if (x == NULL) {
				/* No rule to name. */
				assert_null(r);
				continue;
			}
			/* Refused or not, the rule is there to name. */
			assert_non_null(r);
			assert_string_equal(r->action, action);
			assert_int_equal(r->from, s);
			assert_int_equal(r->to, x->to);
			assert_int_equal(r->to_alt, x->to_alt);
			assert_int_equal(r->note, x->note);
			assert_int_equal(r->coi, x->coi);
			assert_non_null(r->who);
			assert_true(strlen(r->who) > 0);
		}
	}
}

static void
test_submit(void **state)
{
	check_action("submit");
}

static void
test_accept(void **state)
{
	check_action("accept");
}

static void
test_return(void **state)
{
	check_action("return");
}

static void
test_withdraw(void **state)
{
	check_action("withdraw");
}

static void
test_nominate(void **state)
{
	check_action("nominate");
}

static void
test_reopen(void **state)
{
	check_action("reopen");
}

static void
test_revoke(void **state)
{
	check_action("revoke");
}

static void
test_decide(void **state)
{
	check_action("decide");
}

static void
test_recognize(void **state)
{
	check_action("recognize");
}

/* Spot checks that read like the protocol, in case both tables drift. */
static void
test_spot_checks(void **state)
{
	const struct wf_rule *r;

	assert_int_equal(wf_transition("submit", WF_DRAFT, WF_AUTHOR, &r), 0);
	assert_int_equal(r->to, WF_SUBMITTED);
	assert_int_equal(wf_transition("submit", WF_DRAFT, R_UNIT_CHAIR, &r),
	    SK_EFORBIDDEN);
	assert_int_equal(wf_transition("submit", WF_SUBMITTED, WF_AUTHOR, &r),
	    SK_ETRANSITION);
	assert_int_equal(
	    wf_transition("accept", WF_SUBMITTED, R_UNIT_SECR, &r), 0);
	assert_int_equal(r->to, WF_UNIT_REVIEW);
	assert_int_equal(
	    wf_transition("accept", WF_SUBMITTED, R_UNIT_MEMBER, &r),
	    SK_EFORBIDDEN);
	/* A province officer does not accept at unit level, nor vice versa. */
	assert_int_equal(
	    wf_transition("accept", WF_SUBMITTED, R_PROV_CHAIR, &r),
	    SK_EFORBIDDEN);
	assert_int_equal(
	    wf_transition("accept", WF_NOMINATED, R_UNIT_CHAIR, &r),
	    SK_EFORBIDDEN);
	assert_int_equal(
	    wf_transition("accept", WF_NOMINATED, R_PROV_SECR, &r), 0);
	assert_int_equal(r->to, WF_PROVINCE_REVIEW);
	/* Only the chair decides; a secretary does not. */
	assert_int_equal(
	    wf_transition("decide", WF_UNIT_REVIEW, R_UNIT_SECR, &r),
	    SK_EFORBIDDEN);
	assert_int_equal(
	    wf_transition("decide", WF_UNIT_REVIEW, R_UNIT_CHAIR, &r), 0);
	assert_int_equal(r->to, WF_UNIT_RECOMMENDED);
	assert_int_equal(
	    wf_transition("decide", WF_PROVINCE_REVIEW, R_PROV_CHAIR, &r), 0);
	assert_int_equal(r->to, WF_PROVINCE_RECOMMENDED);
	/* The head recognizes; an admin may not sign in the head's place. */
	assert_int_equal(wf_transition("recognize", WF_UNIT_RECOMMENDED,
	                     WF_UNIT_HEAD, &r),
	    0);
	assert_int_equal(r->to, WF_UNIT_RECOGNIZED);
	assert_int_equal(r->to_alt, WF_UNIT_REFUSED);
	assert_int_equal(wf_transition("recognize", WF_UNIT_RECOMMENDED,
	                     WF_ADMIN | R_UNIT_CHAIR, &r),
	    SK_EFORBIDDEN);
	assert_int_equal(wf_transition("recognize", WF_UNIT_RECOMMENDED,
	                     WF_PROV_HEAD, &r),
	    SK_EFORBIDDEN);
	assert_int_equal(wf_transition("recognize", WF_PROVINCE_RECOMMENDED,
	                     WF_PROV_HEAD, &r),
	    0);
	assert_int_equal(r->to, WF_RECOGNIZED);
	assert_int_equal(r->to_alt, WF_PROVINCE_REFUSED);
	/* A province return sends the case back to unit_recognized. */
	assert_int_equal(
	    wf_transition("return", WF_PROVINCE_REVIEW, R_PROV_SECR, &r), 0);
	assert_int_equal(r->to, WF_UNIT_RECOGNIZED);
	/* Withdrawn and revoked are final. */
	for (size_t a = 0; a < NACTIONS; a++) {
		assert_int_equal(
		    wf_transition(actions[a], WF_WITHDRAWN, 0x3ffu, &r),
		    SK_ETRANSITION);
		assert_int_equal(
		    wf_transition(actions[a], WF_REVOKED, 0x3ffu, &r),
		    SK_ETRANSITION);
	}
}

/*
 * Conflict of interest: an author who also sits on the council, or is an
 * admin, may not accept, return or decide their own case, but may still
 * submit and withdraw it.
 */
static void
test_conflict_of_interest(void **state)
{
	const struct wf_rule *r;
	const unsigned        unit_coi  = WF_AUTHOR | R_UNIT_CHAIR;
	const unsigned        prov_coi  = WF_AUTHOR | R_PROV_CHAIR;
	const unsigned        admin_coi = WF_AUTHOR | WF_ADMIN;

	const struct {
		const char   *action;
		enum wf_state from;
		unsigned      roles;
	} refused[] = {
		{ "accept", WF_SUBMITTED, unit_coi },
		{ "accept", WF_SUBMITTED, admin_coi },
		{ "return", WF_SUBMITTED, unit_coi },
		{ "return", WF_UNIT_REVIEW, unit_coi },
		{ "return", WF_UNIT_REVIEW, admin_coi },
		{ "decide", WF_UNIT_REVIEW, unit_coi },
		{ "decide", WF_UNIT_REVIEW, admin_coi },
		{ "accept", WF_NOMINATED, prov_coi },
		{ "accept", WF_NOMINATED, admin_coi },
		{ "return", WF_NOMINATED, prov_coi },
		{ "return", WF_PROVINCE_REVIEW, prov_coi },
		{ "decide", WF_PROVINCE_REVIEW, prov_coi },
		{ "decide", WF_PROVINCE_REVIEW, admin_coi },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		r = NULL;
		assert_int_equal(wf_transition(refused[i].action,
		                     refused[i].from, refused[i].roles, &r),
		    SK_EFORBIDDEN);
		/* The rule comes back so that the reply can name it. */
		assert_non_null(r);
		assert_true(r->coi);
		/* Without the author bit the same principal may act. */
		assert_int_equal(
		    wf_transition(refused[i].action, refused[i].from,
		        refused[i].roles & ~WF_AUTHOR, &r),
		    0);
	}

	const struct {
		const char   *action;
		enum wf_state from;
	} allowed[] = {
		{ "submit", WF_DRAFT },
		{ "submit", WF_RETURNED },
		{ "withdraw", WF_DRAFT },
		{ "withdraw", WF_SUBMITTED },
		{ "withdraw", WF_RETURNED },
		{ "withdraw", WF_UNIT_REVIEW },
	};
	const unsigned coi_masks[]
	    = { unit_coi, prov_coi, admin_coi, WF_AUTHOR | R_UNIT_SECR };
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		for (size_t m = 0; m < 4; m++) {
			assert_int_equal(
			    wf_transition(allowed[i].action, allowed[i].from,
			        coi_masks[m], &r),
			    0);
			assert_false(r->coi);
		}
	}
}

/* return, reopen and revoke need a note; nothing else does. */
static void
test_note_required(void **state)
{
	for (size_t a = 0; a < NACTIONS; a++) {
		bool want = strcmp(actions[a], "return") == 0
		    || strcmp(actions[a], "reopen") == 0
		    || strcmp(actions[a], "revoke") == 0;
		for (int s = 0; s < WF_NSTATES; s++) {
			const struct wf_rule *r;
			if (wf_transition(
			        actions[a], (enum wf_state) s, WF_ADMIN, &r)
			    == SK_ETRANSITION) {
				continue;
			}
			if (r->note != want) {
				fail_msg("%s from %s: note %s", actions[a],
				    wf_state_name((enum wf_state) s),
				    r->note ? "required" : "not required");
			}
		}
	}
}

static void
check_allowed(const char *action, const enum wf_state *want, size_t nwant)
{
	enum wf_state got[WF_NSTATES];
	size_t        n;

	for (size_t i = 0; i < WF_NSTATES; i++) {
		got[i] = WF_NONE;
	}
	n = wf_allowed_from(action, got);
	if (n != nwant) {
		fail_msg("'%s' is allowed from %zu states, want %zu", action,
		    n, nwant);
	}
	for (size_t i = 0; i < nwant; i++) {
		size_t hits = 0;
		for (size_t j = 0; j < n; j++) {
			hits += got[j] == want[i];
		}
		if (hits != 1) {
			fail_msg("'%s': %s listed %zu times", action,
			    wf_state_name(want[i]), hits);
		}
	}
}

static void
test_allowed_from(void **state)
{
	const enum wf_state submit[] = { WF_DRAFT, WF_RETURNED };
	const enum wf_state accept[] = { WF_SUBMITTED, WF_NOMINATED };
	const enum wf_state ret[]    = { WF_SUBMITTED, WF_UNIT_REVIEW,
		   WF_NOMINATED, WF_PROVINCE_REVIEW };
	const enum wf_state withdraw[]
	    = { WF_DRAFT, WF_SUBMITTED, WF_RETURNED, WF_UNIT_REVIEW };
	const enum wf_state decide[] = { WF_UNIT_REVIEW, WF_PROVINCE_REVIEW };
	const enum wf_state nominate[] = { WF_UNIT_RECOGNIZED };
	const enum wf_state reopen[] = { WF_UNIT_REFUSED, WF_PROVINCE_REFUSED,
		WF_UNIT_RECOMMENDED, WF_PROVINCE_RECOMMENDED };
	const enum wf_state recognize[]
	    = { WF_UNIT_RECOMMENDED, WF_PROVINCE_RECOMMENDED };
	const enum wf_state revoke[] = { WF_UNIT_RECOGNIZED, WF_NOMINATED,
		WF_PROVINCE_REVIEW, WF_RECOGNIZED, WF_PROVINCE_REFUSED };
	enum wf_state       none[WF_NSTATES];

#define CHECK(a, v) check_allowed(a, v, sizeof(v) / sizeof(v[0]))
	CHECK("submit", submit);
	CHECK("accept", accept);
	CHECK("return", ret);
	CHECK("withdraw", withdraw);
	CHECK("decide", decide);
	CHECK("nominate", nominate);
	CHECK("reopen", reopen);
	CHECK("revoke", revoke);
	CHECK("recognize", recognize);
#undef CHECK
	assert_int_equal(wf_allowed_from("score", none), 0);
	assert_int_equal(wf_allowed_from("", none), 0);
}

static void
test_unknown_actions(void **state)
{
	const char *const unknown[] = { "score", "delete", "", "Submit",
		"submit ", "case.act", "approve" };
	for (size_t a = 0; a < NACTIONS; a++) {
		assert_true(wf_action_known(actions[a]));
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_false(wf_action_known(unknown[i]));
		for (int s = 0; s < WF_NSTATES; s++) {
			const struct wf_rule *r = (void *) 1;
			assert_int_equal(wf_transition(unknown[i],
			                     (enum wf_state) s, 0x3ffu, &r),
			    SK_ETRANSITION);
			assert_null(r);
		}
	}
}

static void
test_state_names(void **state)
{
	static const struct {
		enum wf_state s;
		const char   *name;
		const char   *label;
	} want[] = {
		{ WF_DRAFT, "draft", "Bản nháp" },
		{ WF_SUBMITTED, "submitted", "Đã nộp, chờ tiếp nhận" },
		{ WF_RETURNED, "returned", "Trả lại để bổ sung" },
		{ WF_UNIT_REVIEW, "unit_review",
		    "Hội đồng sáng kiến cấp cơ sở đang xét" },
		{ WF_UNIT_RECOMMENDED, "unit_recommended",
		    "Hội đồng cấp cơ sở đã có kiến nghị, chờ người đứng đầu "
		    "quyết định" },
		{ WF_UNIT_RECOGNIZED, "unit_recognized",
		    "Được công nhận sáng kiến cấp cơ sở" },
		{ WF_UNIT_REFUSED, "unit_refused",
		    "Không được công nhận cấp cơ sở" },
		{ WF_NOMINATED, "nominated",
		    "Đề nghị xét hiệu quả áp dụng và khả năng nhân rộng cấp "
		    "tỉnh" },
		{ WF_PROVINCE_REVIEW, "province_review",
		    "Hội đồng sáng kiến cấp tỉnh đang xét" },
		{ WF_PROVINCE_RECOMMENDED, "province_recommended",
		    "Hội đồng cấp tỉnh đã có kiến nghị, chờ quyết định công "
		    "nhận" },
		{ WF_RECOGNIZED, "recognized",
		    "Được công nhận hiệu quả áp dụng và khả năng nhân rộng cấp "
		    "tỉnh" },
		{ WF_PROVINCE_REFUSED, "province_refused",
		    "Không được công nhận cấp tỉnh" },
		{ WF_WITHDRAWN, "withdrawn", "Đã rút" },
		{ WF_REVOKED, "revoked", "Bị thu hồi" },
	};
	assert_int_equal(sizeof(want) / sizeof(want[0]), WF_NSTATES);
	for (size_t i = 0; i < WF_NSTATES; i++) {
		assert_string_equal(wf_state_name(want[i].s), want[i].name);
		assert_string_equal(wf_state_label(want[i].s), want[i].label);
		assert_int_equal(wf_state_parse(want[i].name), want[i].s);
		/* A label is data, not a name. */
		assert_int_equal(wf_state_parse(want[i].label), WF_NONE);
	}
	assert_null(wf_state_name(WF_NSTATES));
	assert_null(wf_state_name(WF_NONE));
	assert_null(wf_state_label(WF_NSTATES));
	assert_null(wf_state_label(WF_NONE));
	assert_int_equal(wf_state_parse(""), WF_NONE);
	assert_int_equal(wf_state_parse("Draft"), WF_NONE);
	assert_int_equal(wf_state_parse("draft "), WF_NONE);
	assert_int_equal(wf_state_parse("unit"), WF_NONE);
}

/* TT 18/2013/TT-BKHCN Điều 8: who votes, who keeps the file, who chairs,
 * the smallest council, and two thirds of all voting members. */
static void
test_council_rules(void **state)
{
	const char *const voting[] = { "chair", "vice_chair", "secretary",
		"member", "union_rep" };
	for (size_t i = 0; i < 5; i++) {
		assert_true(wf_council_role_known(voting[i]));
		assert_true(wf_council_role_votes(voting[i]));
	}
	assert_true(wf_council_role_known("expert"));
	assert_false(wf_council_role_votes("expert"));
	assert_false(wf_council_role_known("thanh_vien"));
	assert_false(wf_council_role_votes(NULL));
	assert_true(wf_council_role_officer("chair"));
	assert_true(wf_council_role_officer("vice_chair"));
	assert_true(wf_council_role_officer("secretary"));
	assert_false(wf_council_role_officer("member"));
	assert_false(wf_council_role_officer("union_rep"));
	assert_false(wf_council_role_officer("expert"));
	assert_true(wf_council_role_chairs("chair"));
	assert_true(wf_council_role_chairs("vice_chair"));
	assert_false(wf_council_role_chairs("secretary"));
	assert_int_equal(WF_COUNCIL_MIN_MEMBERS, 3);
	/* 2 of 3 pass, 1 of 3 does not; 2 of 4 does not, 3 of 4 does. */
	assert_int_equal(wf_votes_needed(3), 2);
	assert_int_equal(wf_votes_needed(4), 3);
	assert_int_equal(wf_votes_needed(5), 4);
	assert_int_equal(wf_votes_needed(6), 4);
	assert_int_equal(wf_votes_needed(7), 5);
	assert_int_equal(wf_votes_needed(9), 6);
	assert_int_equal(wf_votes_needed(0), 1);
	/* The deadline runs from the review to the head's decision. */
	assert_true(wf_state_deadline_runs(WF_UNIT_REVIEW));
	assert_true(wf_state_deadline_runs(WF_UNIT_RECOMMENDED));
	assert_true(wf_state_deadline_runs(WF_PROVINCE_RECOMMENDED));
	assert_false(wf_state_deadline_runs(WF_UNIT_RECOGNIZED));
	assert_false(wf_state_deadline_runs(WF_NOMINATED));
}

static void
test_state_public(void **state)
{
	/* "a recognized case (unit_recognized and later) is visible to every
	 * principal"; withdrawn and revoked cases are not. */
	for (int s = 0; s < WF_NSTATES; s++) {
		bool want = s == WF_UNIT_RECOGNIZED || s == WF_NOMINATED
		    || s == WF_PROVINCE_REVIEW || s == WF_PROVINCE_RECOMMENDED
		    || s == WF_RECOGNIZED || s == WF_PROVINCE_REFUSED;
		if (wf_state_public((enum wf_state) s) != want) {
			fail_msg("%s should %sbe public",
			    wf_state_name((enum wf_state) s),
			    want ? "" : "not ");
		}
	}
}

static void
test_state_in_review(void **state)
{
	for (int s = 0; s < WF_NSTATES; s++) {
		bool want = s == WF_UNIT_REVIEW || s == WF_PROVINCE_REVIEW;
		assert_int_equal(wf_state_in_review((enum wf_state) s), want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_return),
		cmocka_unit_test(test_withdraw),
		cmocka_unit_test(test_nominate),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_recognize),
		cmocka_unit_test(test_council_rules),
		cmocka_unit_test(test_spot_checks),
		cmocka_unit_test(test_conflict_of_interest),
		cmocka_unit_test(test_note_required),
		cmocka_unit_test(test_allowed_from),
		cmocka_unit_test(test_unknown_actions),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_state_public),
		cmocka_unit_test(test_state_in_review),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
