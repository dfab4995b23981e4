/*
 * test_review.c: unit tests of the review handlers (core/ops/review.c over
 * core/model/review.c): who may score and decide, what the default rubric
 * decides, and who sees which ballot.  Each test gets a fresh province and
 * a case in its unit review (handler_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "handler_fixture.h"

/* A case of lan's, submitted and accepted: in unit_review. */
static uint64_t
in_review(struct hfix *f)
{
	uint64_t id = hfix_new_case(f, "lan", "Vở bèo trấu ủ chua");

	assert_int_equal(hfix_act(f, "lan", id, "submit", NULL), 0);
	assert_int_equal(hfix_act(f, "mai", id, "accept", NULL), 0);
	return (id);
}

static int
score(struct hfix *f, const char *who, uint64_t id, int n, int a, int b)
{
	return (hfix_call(f, who, op_case_score,
	    "{\"id\":%llu,\"marks\":{\"novelty\":%d,\"applicability\":%d,"
	    "\"benefit\":%d}}",
	    (unsigned long long) id, n, a, b));
}

/* The ballots a caller sees on case.get. */
static size_t
ballots_seen(struct hfix *f, const char *who, uint64_t id)
{
	assert_int_equal(
	    hfix_call(f, who, op_case_get, "{\"id\":%llu}", id), 0);
	return (json_object_array_length(
	    json_object_object_get(f->result, "ballots")));
}

/* Scoring: council members only, within the criteria's maxima. */
static void
test_score(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = in_review(f);

	assert_int_equal(score(f, "lan", id, 30, 30, 40), SK_EFORBIDDEN);
	assert_int_equal(score(f, "an", id, 30, 30, 40), SK_ENOTFOUND);
	assert_int_equal(score(f, "binh", id, 31, 30, 40), SK_EBADREQ);
	assert_non_null(strstr(f->err.msg, "novelty"));
	assert_int_equal(score(f, "binh", id, 20, 20, 30), 0);
	assert_string_equal(hfix_str(f, "member"), "binh");
	assert_string_equal(hfix_str(f, "role"), "member");
	/* Scoring again replaces one's own ballot. */
	assert_int_equal(score(f, "binh", id, 25, 20, 30), 0);
	assert_int_equal(ballots_seen(f, "vy", id), 1);
}

/* Ballots are secret until the decision. */
static void
test_ballot_secrecy(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = in_review(f);

	assert_int_equal(score(f, "binh", id, 20, 20, 30), 0);
	assert_int_equal(score(f, "mai", id, 25, 25, 30), 0);
	/* A member sees their own ballot, with its marks. */
	assert_int_equal(ballots_seen(f, "binh", id), 1);
	json_object *b =
	    json_object_array_get_idx(json_object_object_get(f->result, "ballots"), 0);
	assert_string_equal(doc_get_str(b, "member"), "binh");
	assert_true(json_object_object_get_ex(b, "marks", NULL));
	/* The chair sees who has scored, not what they gave. */
	assert_int_equal(ballots_seen(f, "hung", id), 2);
	b = json_object_array_get_idx(
	    json_object_object_get(f->result, "ballots"), 0);
	assert_false(json_object_object_get_ex(b, "marks", NULL));
	/* The author sees none. */
	assert_int_equal(ballots_seen(f, "lan", id), 0);
}

/* Recognizes case id as who, with a decision number and date. */
static int
recognize(struct hfix *f, const char *who, uint64_t id, const char *extra)
{
	return (hfix_call(f, who, op_case_recognize,
	    "{\"id\":%llu,\"decision_no\":\"12/QĐ-THPT\","
	    "\"decision_date\":\"2026-01-01\"%s}",
	    (unsigned long long) id, extra));
}

/*
 * Deciding: the chair alone; while ballots are missing a preview that
 * changes nothing, then with confirm the council's recommendation; then
 * the head's recognition.
 */
static void
test_decide(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = in_review(f);

	assert_int_equal(hfix_call(f, "mai", op_case_decide, "{\"id\":%llu}", id),
	    SK_EFORBIDDEN);
	assert_int_equal(score(f, "binh", id, 25, 25, 30), 0);
	assert_string_equal(hfix_str(f, "vote"), "pass"); /* from the marks */
	/* One vote of three: a preview, and it would not pass. */
	assert_int_equal(
	    hfix_call(f, "hung", op_case_decide, "{\"id\":%llu}", id),
	    SK_EPENDING);
	json_object *o = json_object_object_get(f->err.details, "outcome");
	assert_string_equal(doc_get_str(o, "verdict"), "fail");
	assert_int_equal(json_object_array_length(
	                     json_object_object_get(f->err.details, "missing")),
	    2);
	assert_int_equal(hfix_call(f, "mai", op_case_score,
	                     "{\"id\":%llu,\"marks\":{\"novelty\":10,"
	                     "\"applicability\":10,\"benefit\":10},"
	                     "\"vote\":\"pass\"}",
	                     (unsigned long long) id),
	    0);
	/* Two of three agree: it would pass; still a preview. */
	assert_int_equal(
	    hfix_call(f, "hung", op_case_decide, "{\"id\":%llu}", id),
	    SK_EPENDING);
	o = json_object_object_get(f->err.details, "outcome");
	assert_string_equal(doc_get_str(o, "verdict"), "pass");
	assert_int_equal(hfix_call(f, "hung", op_case_decide,
	                     "{\"id\":%llu,\"confirm\":true}", id),
	    0);
	assert_string_equal(hfix_str(f, "state"), "unit_recommended");
	json_object *d = json_object_object_get(f->result, "decision");
	assert_string_equal(doc_get_str(d, "verdict"), "pass");
	assert_string_equal(doc_get_str(d, "stage"), "unit");
	assert_string_equal(doc_get_str(d, "decided_by"), "hung");
	json_object *v = json_object_object_get(d, "votes");
	assert_int_equal(doc_get_int(v, "pass", -1), 2);
	assert_int_equal(doc_get_int(v, "members", -1), 3);
	/* The deadline runs on to the head's decision. */
	assert_true(json_object_object_get_ex(f->result, "due_at", NULL));
	/* Not the chair, not an admin, not another school's head. */
	assert_int_equal(recognize(f, "hung", id, ""), SK_EFORBIDDEN);
	assert_int_equal(recognize(f, "local-admin", id, ""), SK_EFORBIDDEN);
	assert_int_equal(recognize(f, "khoa", id, ""), SK_ENOTFOUND);
	assert_int_equal(recognize(f, "thu", id, ""), 0);
	assert_string_equal(hfix_str(f, "state"), "unit_recognized");
	json_object *g = json_object_object_get(f->result, "recognition");
	assert_string_equal(doc_get_str(g, "decision_no"), "12/QĐ-THPT");
	assert_string_equal(doc_get_str(g, "signed_by"), "thu");
	assert_string_equal(doc_get_str(g, "outcome"), "recognized");
	assert_false(json_object_object_get_ex(f->result, "due_at", NULL));
	/* A recognized case is public: another school's author sees it. */
	assert_int_equal(
	    hfix_call(f, "an", op_case_get, "{\"id\":%llu}", id), 0);
	/* After the decision the author sees the verdict, never the
	 * ballots; the council sees them all. */
	assert_int_equal(ballots_seen(f, "lan", id), 0);
	assert_int_equal(ballots_seen(f, "binh", id), 2);
}

/* Low marks: the council recommends refusing; the head refuses, with
 * reasons; a reopen supersedes both. */
static void
test_decide_refused(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = in_review(f);

	assert_int_equal(score(f, "binh", id, 5, 10, 10), 0);
	assert_int_equal(score(f, "mai", id, 10, 10, 10), 0);
	assert_int_equal(score(f, "hung", id, 10, 10, 10), 0);
	assert_int_equal(
	    hfix_call(f, "hung", op_case_decide, "{\"id\":%llu}", id), 0);
	assert_string_equal(hfix_str(f, "state"), "unit_recommended");
	json_object *d = json_object_object_get(f->result, "decision");
	assert_string_equal(doc_get_str(d, "verdict"), "fail");
	assert_true(
	    json_object_array_length(json_object_object_get(d, "reasons")) > 1);
	/* A refusal without reasons is refused. */
	assert_int_equal(recognize(f, "thu", id, ""), SK_EBADREQ);
	assert_int_equal(
	    recognize(f, "thu", id, ",\"note\":\"Chưa chứng minh hiệu quả\""),
	    0);
	assert_string_equal(hfix_str(f, "state"), "unit_refused");
	/* Only the admin may reopen it, with a note. */
	assert_int_equal(hfix_act(f, "hung", id, "reopen", "Xét lại"),
	    SK_EFORBIDDEN);
	assert_int_equal(hfix_act(f, "local-admin", id, "reopen", "Xét lại"), 0);
	assert_string_equal(hfix_str(f, "state"), "unit_review");
	assert_string_equal(hfix_str(f, "due_at"), "2026-01-31T00:00:00Z");
	d = json_object_object_get(f->result, "decision");
	assert_true(json_object_get_boolean(json_object_object_get(d, "superseded")));
	d = json_object_object_get(f->result, "recognition");
	assert_true(json_object_get_boolean(json_object_object_get(d, "superseded")));
}

/* Experts do not vote; a council has at least three voting members. */
static void
test_council_roles(void **state)
{
	struct hfix *f = *state;

	assert_int_equal(hfix_call(f, "local-admin", op_council_put,
	                     "{\"id\":\"hd-thpt-a\",\"name\":\"Hội đồng\","
	                     "\"scope\":\"unit\",\"unit\":\"thpt-a\","
	                     "\"members\":[{\"user\":\"hung\",\"role\":\"chair\"},"
	                     "{\"user\":\"mai\",\"role\":\"secretary\"},"
	                     "{\"user\":\"binh\",\"role\":\"expert\"}]}"),
	    SK_EBADREQ);
	assert_non_null(strstr(f->err.msg, "at least 3"));
	assert_int_equal(hfix_call(f, "local-admin", op_council_put,
	                     "{\"id\":\"hd-thpt-a\",\"name\":\"Hội đồng\","
	                     "\"scope\":\"unit\",\"unit\":\"thpt-a\","
	                     "\"members\":[{\"user\":\"hung\",\"role\":\"chair\"},"
	                     "{\"user\":\"mai\",\"role\":\"vice_chair\"},"
	                     "{\"user\":\"vy\",\"role\":\"union_rep\"},"
	                     "{\"user\":\"binh\",\"role\":\"expert\"}]}"),
	    0);
	uint64_t id = in_review(f); /* mai, vice-chair, accepts */
	assert_int_equal(score(f, "binh", id, 25, 25, 30), SK_EFORBIDDEN);
	assert_non_null(strstr(f->err.msg, "expert"));
	assert_int_equal(score(f, "hung", id, 25, 25, 30), 0);
	assert_int_equal(score(f, "mai", id, 25, 25, 30), 0);
	/* Two of the three voting members: the vice-chair closes it. */
	assert_int_equal(hfix_call(f, "mai", op_case_decide,
	                     "{\"id\":%llu,\"confirm\":true}", id),
	    0);
	json_object *v = json_object_object_get(
	    json_object_object_get(f->result, "decision"), "votes");
	assert_int_equal(doc_get_int(v, "members", -1), 3);
	assert_string_equal(doc_get_str(json_object_object_get(f->result,
	                                    "decision"),
	                        "verdict"),
	    "pass");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_score, hfix_setup,
		    hfix_teardown),
		cmocka_unit_test_setup_teardown(test_ballot_secrecy, hfix_setup,
		    hfix_teardown),
		cmocka_unit_test_setup_teardown(test_decide, hfix_setup,
		    hfix_teardown),
		cmocka_unit_test_setup_teardown(test_decide_refused, hfix_setup,
		    hfix_teardown),
		cmocka_unit_test_setup_teardown(test_council_roles, hfix_setup,
		    hfix_teardown),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
