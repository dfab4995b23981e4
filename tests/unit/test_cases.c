/*
 * test_cases.c: unit tests of the case handlers (core/ops/case.c over the
 * case model, core/model/case.c) through the shared handler fixture: what
 * an author, a council and a stranger see and may do as a case goes from
 * draft to review.  Each test gets a fresh province (handler_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "handler_fixture.h"

/* Filing: an author's draft is theirs, at version 1, owned by their unit. */
static void
test_create(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = hfix_new_case(f, "lan", "Sơ đồ tư duy");

	assert_true(id > 0);
	assert_string_equal(hfix_str(f, "state"), "draft");
	assert_string_equal(hfix_str(f, "state_label"), "Bản nháp");
	assert_string_equal(hfix_str(f, "unit"), "thpt-a");
	assert_string_equal(hfix_str(f, "owner"), "thpt-a");
	assert_int_equal(doc_get_int(f->result, "version", 0), 1);
	/* The server's own fields never reach the caller. */
	assert_false(json_object_object_get_ex(f->result, "author_users", NULL));

	/* A council member without the author role cannot file. */
	assert_int_equal(hfix_call(f, "hung", op_case_create,
	                     "{\"title\":\"x\",\"field\":\"y\",\"sections\":{},"
	                     "\"authors\":[],\"first_applied\":\"2025-10-01\"}"),
	    SK_EFORBIDDEN);
	assert_non_null(strstr(f->err.msg, "author role"));
}

/* A draft is its authors' alone: others are told there is no such case. */
static void
test_draft_visibility(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = hfix_new_case(f, "lan", "Thư viện mã QR");

	assert_int_equal(
	    hfix_call(f, "lan", op_case_get, "{\"id\":%llu}", id), 0);
	assert_int_equal(
	    hfix_call(f, "an", op_case_get, "{\"id\":%llu}", id), SK_ENOTFOUND);
	assert_int_equal(
	    hfix_call(f, "hung", op_case_get, "{\"id\":%llu}", id),
	    SK_ENOTFOUND);
	/* The staff see everything. */
	assert_int_equal(
	    hfix_call(f, "vy", op_case_get, "{\"id\":%llu}", id), 0);
	/* A list shows each caller only what they may see. */
	assert_int_equal(hfix_call(f, "an", op_case_list, "{}"), 0);
	assert_int_equal(json_object_array_length(
	                     json_object_object_get(f->result, "items")),
	    0);
	assert_int_equal(hfix_call(f, "lan", op_case_list, "{}"), 0);
	assert_int_equal(json_object_array_length(
	                     json_object_object_get(f->result, "items")),
	    1);
}

/* Editing: the author's change bumps the version; a stale one conflicts. */
static void
test_update(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = hfix_new_case(f, "lan", "Tên cũ");

	assert_int_equal(hfix_call(f, "lan", op_case_update,
	                     "{\"id\":%llu,\"version\":1,\"title\":\"Tên mới\"}",
	                     id),
	    0);
	assert_string_equal(hfix_str(f, "title"), "Tên mới");
	assert_int_equal(doc_get_int(f->result, "version", 0), 2);
	assert_int_equal(hfix_call(f, "lan", op_case_update,
	                     "{\"id\":%llu,\"version\":1,\"title\":\"Lại\"}",
	                     id),
	    SK_ECONFLICT);
	assert_int_equal(
	    doc_get_int(f->err.details, "version", 0), 2); /* what is current */
	/* Nobody else may change it, the staff's viewer included. */
	assert_int_equal(hfix_call(f, "vy", op_case_update,
	                     "{\"id\":%llu,\"title\":\"Của tôi\"}", id),
	    SK_EFORBIDDEN);
}

/* Submitting needs the rubric's check; an incomplete case lists why. */
static void
test_submit_incomplete(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = hfix_new_case(f, "lan", "Chưa xong");

	assert_int_equal(hfix_call(f, "lan", op_case_update,
	                     "{\"id\":%llu,\"sections\":{\"novelty\":null}}",
	                     id),
	    0);
	assert_int_equal(hfix_act(f, "lan", id, "submit", NULL), SK_EINCOMPLETE);
	json_object *problems = json_object_object_get(f->err.details, "problems");
	assert_int_equal(json_object_array_length(problems), 1);
	assert_non_null(strstr(
	    json_object_get_string(json_object_array_get_idx(problems, 0)),
	    "novelty"));
	/* Nothing moved. */
	assert_int_equal(
	    hfix_call(f, "lan", op_case_get, "{\"id\":%llu}", id), 0);
	assert_string_equal(hfix_str(f, "state"), "draft");
}

/* Submit, then the council's secretary accepts: the review starts. */
static void
test_submit_accept(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = hfix_new_case(f, "lan", "Ủ phân compost");

	/* The council does not see a draft... */
	assert_int_equal(
	    hfix_call(f, "mai", op_case_get, "{\"id\":%llu}", id),
	    SK_ENOTFOUND);
	assert_int_equal(hfix_act(f, "lan", id, "submit", NULL), 0);
	assert_string_equal(hfix_str(f, "state"), "submitted");
	assert_true(json_object_object_get_ex(f->result, "submitted_at", NULL));
	/* ...but sees it once submitted; another school's author does not. */
	assert_int_equal(
	    hfix_call(f, "mai", op_case_get, "{\"id\":%llu}", id), 0);
	assert_int_equal(
	    hfix_call(f, "an", op_case_get, "{\"id\":%llu}", id), SK_ENOTFOUND);

	/* Accepting is for the chair or the secretary, not a member. */
	assert_int_equal(hfix_act(f, "binh", id, "accept", NULL), SK_EFORBIDDEN);
	assert_int_equal(hfix_act(f, "lan", id, "accept", NULL), SK_EFORBIDDEN);
	assert_int_equal(hfix_act(f, "mai", id, "accept", NULL), 0);
	assert_string_equal(hfix_str(f, "state"), "unit_review");
	/* The deadline runs review_days (30) from now, and the unit's rubric
	 * (the default) is pinned. */
	assert_string_equal(hfix_str(f, "due_at"), "2026-01-31T00:00:00Z");
	assert_string_equal(
	    doc_get_str(json_object_object_get(f->result, "rubric"), "id"),
	    "default");
	/* Accepting twice is not a transition there is. */
	assert_int_equal(hfix_act(f, "mai", id, "accept", NULL), SK_ETRANSITION);
	assert_string_equal(doc_get_str(f->err.details, "state"), "unit_review");
}

/* Returning needs a note; the returned case is the author's to mend. */
static void
test_return(void **state)
{
	struct hfix *f  = *state;
	uint64_t     id = hfix_new_case(f, "lan", "Bổ sung");

	assert_int_equal(hfix_act(f, "lan", id, "submit", NULL), 0);
	assert_int_equal(hfix_act(f, "hung", id, "return", NULL), SK_EBADREQ);
	assert_non_null(strstr(f->err.msg, "note"));
	assert_int_equal(hfix_act(f, "hung", id, "return", "Thiếu số liệu"), 0);
	assert_string_equal(hfix_str(f, "state"), "returned");
	assert_int_equal(hfix_call(f, "lan", op_case_update,
	                     "{\"id\":%llu,\"title\":\"Đã bổ sung\"}", id),
	    0);
	assert_int_equal(hfix_act(f, "lan", id, "submit", NULL), 0);
	assert_string_equal(hfix_str(f, "state"), "submitted");
}

/* case.list with subunits: a unit and the units below it. */
static void
test_list_subunits(void **state)
{
	struct hfix *f = *state;

	hfix_new_case(f, "lan", "Ở trường A");
	hfix_new_case(f, "an", "Ở trường B");
	assert_int_equal(
	    hfix_call(f, "vy", op_case_list, "{\"unit\":\"so-gddt\"}"), 0);
	assert_int_equal(json_object_array_length(
	                     json_object_object_get(f->result, "items")),
	    0);
	assert_int_equal(hfix_call(f, "vy", op_case_list,
	                     "{\"unit\":\"so-gddt\",\"subunits\":true}"),
	    0);
	assert_int_equal(json_object_array_length(
	                     json_object_object_get(f->result, "items")),
	    2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, hfix_setup,
		    hfix_teardown),
		cmocka_unit_test_setup_teardown(test_draft_visibility, hfix_setup,
		    hfix_teardown),
		cmocka_unit_test_setup_teardown(test_update, hfix_setup,
		    hfix_teardown),
		cmocka_unit_test_setup_teardown(test_submit_incomplete,
		    hfix_setup, hfix_teardown),
		cmocka_unit_test_setup_teardown(test_submit_accept, hfix_setup,
		    hfix_teardown),
		cmocka_unit_test_setup_teardown(test_return, hfix_setup,
		    hfix_teardown),
		cmocka_unit_test_setup_teardown(test_list_subunits, hfix_setup,
		    hfix_teardown),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
