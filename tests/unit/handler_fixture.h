/*
 * handler_fixture.h: the handler context built in one place, for the unit
 * tests of the case and review handlers (test_cases.c, test_review.c).
 * A real store on a temporary directory (store_fixture.h), the shipped
 * rubrics loaded into a real registry, and a small province made through
 * the admin handlers themselves:
 *
 *   units     so-gddt > thpt-a, thpt-b
 *   users     lan (author, thpt-a), an (author, thpt-b), viewer vy;
 *             hung, mai, binh (no role of their own, thpt-a)
 *   council   hd-thpt-a (unit thpt-a): hung chair, mai secretary,
 *             binh member
 *
 * hfix_call runs a handler as a named principal in a write transaction of
 * its own, as the server does, and commits it if the handler succeeded;
 * what a caller would see (the result, or the error's code, message and
 * details) is kept in the fixture for the test to assert on.
 */
#ifndef SK_TEST_HANDLER_FIXTURE_H
#define SK_TEST_HANDLER_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/model/auth.h"
#include "core/model/rubric.h"
#include "core/ops/ops.h"
#include "core/util/err.h"
#include "store_fixture.h"

/* The batch clock of every call: 2026-01-01T00:00:00Z. */
#define HFIX_NOW 1767225600

struct hfix {
	char               dir[128];
	struct store      *st;
	struct rubric_reg *rubrics;
	struct op_env      env;
	int64_t            now;
	json_object       *result; /* the last call's result, or NULL */
	struct proto_err   err;    /* the last call's error */
};

/* The principal called id: local-admin, or a stored user. */
static void
hfix_principal(struct hfix *f, const char *id, struct principal *p)
{
	MDB_txn     *txn;
	json_object *u, *roles;

	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	if (strcmp(id, "local-admin") == 0) {
		p->roles       = ROLE_ADMIN;
		p->local_admin = true;
		return;
	}
	assert_int_equal(store_read_begin(f->st, &txn), 0);
	assert_int_equal(store_doc_get(txn, f->st, DB_USERS, id, &u), 0);
	store_read_end(f->st);
	snprintf(p->unit, sizeof(p->unit), "%s", doc_get_str(u, "unit"));
	assert_true(json_object_object_get_ex(u, "roles", &roles));
	assert_int_equal(auth_roles_parse(roles, &p->roles, &f->err), 0);
	json_object_put(u);
}

/*
 * Runs op as who with the arguments args (JSON, printf-style); commits if
 * it succeeded.  Returns the handler's code; f->result or f->err say more.
 */
static int
hfix_call(struct hfix *f, const char *who, op_fn op, const char *args, ...)
{
	struct principal p;
	struct op_ctx    ctx = { 0 };
	MDB_txn         *txn;
	char             buf[8192];
	va_list          ap;
	int              rv;

	json_object_put(f->result);
	f->result = NULL;
	proto_err_clear(&f->err);
	hfix_principal(f, who, &p);
	va_start(ap, args);
	vsnprintf(buf, sizeof(buf), args, ap);
	va_end(ap);
	ctx.env         = &f->env;
	ctx.st          = f->st;
	ctx.who         = &p;
	ctx.args        = json_tokener_parse(buf);
	ctx.now         = f->now;
	ctx.err         = &f->err;
	ctx.on_council  = -1;
	ctx.events_tail = &ctx.events;
	assert_non_null(ctx.args);
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	ctx.txn = txn;
	rv      = op(&ctx);
	if (rv == 0 && f->err.code == 0) {
		assert_int_equal(mdb_txn_commit(txn), 0);
		/* result_text is result_len bytes, not NUL-terminated. */
		int  code;
		char why[128];
		f->result = ctx.result_text != NULL
		    ? util_json_parse(ctx.result_text, ctx.result_len, &code,
		          why, sizeof(why))
		    : ctx.result;
		if (ctx.result_text != NULL) {
			json_object_put(ctx.result);
		}
	} else {
		mdb_txn_abort(txn);
		json_object_put(ctx.result);
		rv = rv != 0 ? rv : f->err.code;
	}
	free(ctx.result_text);
	op_events_free(ctx.events);
	json_object_put(ctx.args);
	return (rv);
}

/* A string field of the last result ("" if none). */
static const char *
hfix_str(struct hfix *f, const char *key)
{
	return (doc_get_str(f->result, key) ?: "");
}

/* A case filed by author: every section, one author at 100%. */
static uint64_t
hfix_new_case(struct hfix *f, const char *author, const char *title)
{
	assert_int_equal(hfix_call(f, author, op_case_create,
	    "{\"title\":\"%s\",\"field\":\"giáo dục\","
	    "\"first_applied\":\"2025-10-01\","
	    "\"authors\":[{\"name\":\"Tác giả\",\"user\":\"%s\",\"share\":100,"
	    "\"birth_date\":\"1985-04-12\",\"workplace\":\"Trường THPT A\","
	    "\"position\":\"Giáo viên\",\"qualification\":\"Cử nhân\"}],"
	    "\"sections\":{\"status_quo\":\"Học sinh thụ động.\","
	    "\"solution\":\"Dạy học theo dự án.\",\"novelty\":\"Mới.\","
	    "\"applicability\":\"Toàn trường.\",\"benefits\":\"Điểm tăng.\","
	    "\"conditions\":\"Máy chiếu.\",\"trial_users\":\"Khối 11.\"}}",
	    title, author), 0);
	return ((uint64_t) doc_get_int(f->result, "id", 0));
}

/* Moves case id with action as who; returns the handler's code. */
static int
hfix_act(struct hfix *f, const char *who, uint64_t id, const char *action,
    const char *note)
{
	if (note != NULL) {
		return (hfix_call(f, who, op_case_act,
		    "{\"id\":%llu,\"action\":\"%s\",\"note\":\"%s\"}",
		    (unsigned long long) id, action, note));
	}
	/* A submission carries the author's declaration (Điều 3). */
	if (strcmp(action, "submit") == 0) {
		return (hfix_call(f, who, op_case_act,
		    "{\"id\":%llu,\"action\":\"submit\",\"declaration\":"
		    "{\"not_against_public_order\":true,"
		    "\"not_protected_ip\":true}}",
		    (unsigned long long) id));
	}
	return (hfix_call(f, who, op_case_act, "{\"id\":%llu,\"action\":\"%s\"}",
	    (unsigned long long) id, action));
}

static int
hfix_setup(void **state)
{
	static const struct plug_limits lim = { 0 };
	struct hfix *f = calloc(1, sizeof(*f));
	MDB_txn     *txn;

	assert_non_null(f);
	assert_int_equal(
	    fixture_store_open(f->dir, sizeof(f->dir), "handlers", &f->st), 0);
	assert_int_equal(rubric_reg_new(&f->rubrics, f->st, &lim), 0);
	f->env.rubrics     = f->rubrics;
	f->env.review_days = 30;
	f->now             = HFIX_NOW;
	assert_int_equal(store_write_begin(f->st, NULL, &txn), 0);
	assert_true(rubric_load_dir(f->rubrics, txn, SK_SOURCE_DIR "/rubrics",
	                f->now, NULL, NULL) > 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	assert_int_equal(hfix_call(f, "local-admin", op_unit_put,
	                     "{\"id\":\"so-gddt\",\"name\":\"Sở GD&ĐT\"}"),
	    0);
	assert_int_equal(hfix_call(f, "local-admin", op_unit_put,
	                     "{\"id\":\"thpt-a\",\"name\":\"Trường THPT A\","
	                     "\"parent\":\"so-gddt\"}"),
	    0);
	assert_int_equal(hfix_call(f, "local-admin", op_unit_put,
	                     "{\"id\":\"thpt-b\",\"name\":\"Trường THPT B\","
	                     "\"parent\":\"so-gddt\"}"),
	    0);
	static const char *const users[][3] = {
		{ "lan", "thpt-a", "[\"author\"]" },
		{ "an", "thpt-b", "[\"author\"]" },
		{ "vy", "so-gddt", "[\"viewer\"]" },
		{ "hung", "thpt-a", "[]" },
		{ "mai", "thpt-a", "[]" },
		{ "binh", "thpt-a", "[]" },
	};
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		assert_int_equal(hfix_call(f, "local-admin", op_user_put,
		                     "{\"id\":\"%s\",\"name\":\"%s\",\"unit\":"
		                     "\"%s\",\"roles\":%s}",
		                     users[i][0], users[i][0], users[i][1],
		                     users[i][2]),
		    0);
	}
	assert_int_equal(hfix_call(f, "local-admin", op_council_put,
	                     "{\"id\":\"hd-thpt-a\",\"name\":\"Hội đồng THPT A\","
	                     "\"scope\":\"unit\",\"unit\":\"thpt-a\","
	                     "\"members\":[{\"user\":\"hung\",\"role\":\"chair\"},"
	                     "{\"user\":\"mai\",\"role\":\"secretary\"},"
	                     "{\"user\":\"binh\",\"role\":\"member\"}]}"),
	    0);
	*state = f;
	return (0);
}

static int
hfix_teardown(void **state)
{
	struct hfix *f = *state;

	json_object_put(f->result);
	proto_err_clear(&f->err);
	rubric_reg_free(f->rubrics);
	store_close(f->st);
	fixture_rm_rf(f->dir);
	free(f);
	return (0);
}

#endif
