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

/* Deciding: the chair alone, and only once the rubric says it can. */
static void
test_decide(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = in_review(f);

	assert_int_equal(hfix_call(f, "mai", op_case_decide, "{\"id\":%llu}", id),
	    SK_EFORBIDDEN);
	assert_int_equal(score(f, "binh", id, 25, 25, 30), 0);
	/* One ballot of three: short of the quorum (2/3). */
	assert_int_equal(
	    hfix_call(f, "hung", op_case_decide, "{\"id\":%llu}", id),
	    SK_EPENDING);
	assert_non_null(json_object_object_get(f->err.details, "reasons"));
	assert_int_equal(score(f, "mai", id, 28, 25, 35), 0);
	assert_int_equal(
	    hfix_call(f, "hung", op_case_decide, "{\"id\":%llu}", id), 0);
	assert_string_equal(hfix_str(f, "state"), "unit_recognized");
	json_object *d = json_object_object_get(f->result, "decision");
	assert_string_equal(doc_get_str(d, "verdict"), "pass");
	assert_string_equal(doc_get_str(d, "stage"), "unit");
	assert_string_equal(doc_get_str(d, "decided_by"), "hung");
	/* The deadline is over with the review. */
	assert_false(json_object_object_get_ex(f->result, "due_at", NULL));
	/* A recognized case is public: another school's author sees it. */
	assert_int_equal(
	    hfix_call(f, "an", op_case_get, "{\"id\":%llu}", id), 0);
	/* After the decision the author sees the verdict, never the
	 * ballots; the council sees them all. */
	assert_int_equal(ballots_seen(f, "lan", id), 0);
	assert_int_equal(ballots_seen(f, "binh", id), 2);
}

/* Low marks: the case is refused, with reasons. */
static void
test_decide_refused(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = in_review(f);

	assert_int_equal(score(f, "binh", id, 5, 10, 10), 0);
	assert_int_equal(score(f, "mai", id, 10, 10, 10), 0);
	assert_int_equal(
	    hfix_call(f, "hung", op_case_decide, "{\"id\":%llu}", id), 0);
	assert_string_equal(hfix_str(f, "state"), "unit_refused");
	json_object *d = json_object_object_get(f->result, "decision");
	assert_string_equal(doc_get_str(d, "verdict"), "fail");
	assert_true(
	    json_object_array_length(json_object_object_get(d, "reasons")) > 1);
	/* Only the admin may reopen it, with a note. */
	assert_int_equal(hfix_act(f, "hung", id, "reopen", "Xét lại"),
	    SK_EFORBIDDEN);
	assert_int_equal(hfix_act(f, "local-admin", id, "reopen", "Xét lại"), 0);
	assert_string_equal(hfix_str(f, "state"), "unit_review");
	assert_string_equal(hfix_str(f, "due_at"), "2026-01-31T00:00:00Z");
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
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
