/*
 * form.c: the application as the law's form asks for it, its declaration
 * and its receipt.
 *
 * The form (Thông tư 18/2013/TT-BKHCN, Phụ lục, "Đơn yêu cầu công nhận
 * sáng kiến") lists for every author the date of birth, the workplace, the
 * title or position, the qualification and the share; the owner (chủ đầu
 * tư tạo ra sáng kiến, when the authors are not it); the people who applied
 * or trialled the initiative first, with what each did ("nếu có": there
 * may be none); and the benefits as those people assessed them.  A draft
 * may lack any of it; form_problems names what submission still needs.
 *
 * The declaration: Điều 3 khoản 2 of the Điều lệ sáng kiến (Nghị định
 * 13/2012/NĐ-CP) excludes solutions whose publication or use is against
 * public order or social morals, and solutions protected as intellectual
 * property; the author states, at submission, that theirs is neither.
 *
 * The receipt: Thông tư 18/2013 Điều 6 has the organisation keep a
 * register of applications and give the author a receipt; Điều 7 khoản 1
 * of the Điều lệ gives it three months to answer, counted from the
 * acceptance of the application or from the end of the first application
 * (áp dụng lần đầu, kể cả áp dụng thử) when that ends later.  The number
 * comes from a register per unit and year (meta "receipt/UNIT/YEAR"), so
 * the tenth application of 2026 in a unit is "10/2026".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "core/model/form.h"

#define NAME_MAX_CHARS 300
#define WORKPLACE_MAX_CHARS 300
#define POSITION_MAX_CHARS 200
#define QUALIFICATION_MAX_CHARS 200
#define CONTENT_MAX_CHARS 2000
#define BENEFITS_MAX_BYTES (64 * 1024)
#define TRIAL_USERS_MAX 50
#define ANSWER_MONTHS 3

/* Appends " (in WHAT[i])" to the message of the error just recorded. */
static int
where(struct op_ctx *ctx, int rv, const char *what, size_t i)
{
	size_t l = strlen(ctx->err->msg);
	snprintf(ctx->err->msg + l, sizeof(ctx->err->msg) - l, " (in %s[%zu])",
	    what, i);
	return (rv);
}

/* Today's date in UTC, YYYY-MM-DD, in out (11 bytes). */
static void
today_of(struct op_ctx *ctx, char *out)
{
	char t[32];
	util_time_str(ctx->now, t, sizeof(t));
	memcpy(out, t, 10);
	out[10] = '\0';
}

/*
 * A text of a person's particulars: absent or null is "", anything else
 * a string of at most max characters.  The date of birth must be a real
 * date before today.
 */
static int
person_text(struct op_ctx *ctx, json_object *in, const char *key, size_t max,
    const char *what, size_t i, json_object *out)
{
	const char  *s = NULL;
	json_object *v;
	int          rv;

	if (json_object_object_get_ex(in, key, &v) && v == NULL) {
		s = "";
	} else if ((rv = arg_str(in, key, false, max, &s, ctx->err)) != 0) {
		return (where(ctx, rv, what, i));
	}
	s = s != NULL ? s : "";
	if (strcmp(key, "birth_date") == 0 && s[0] != '\0') {
		char today[11];
		today_of(ctx, today);
		if (!util_date_valid(s)) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"%s[%zu].birth_date\" must be a date YYYY-MM-DD, "
			    "got \"%.40s\"",
			    what, i, s));
		}
		if (strcmp(s, today) >= 0) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"%s[%zu].birth_date\" (%s) is not before today "
			    "(%s)",
			    what, i, s, today));
		}
	}
	json_object_object_add(out, key, json_object_new_string(s));
	return (0);
}

int
form_author_details(struct op_ctx *ctx, json_object *in, size_t i,
    json_object *out)
{
	int rv;

	if ((rv = person_text(ctx, in, "birth_date", 10, "authors", i, out)) !=
	        0 ||
	    (rv = person_text(ctx, in, "workplace", WORKPLACE_MAX_CHARS,
	         "authors", i, out)) != 0 ||
	    (rv = person_text(ctx, in, "position", POSITION_MAX_CHARS,
	         "authors", i, out)) != 0 ||
	    (rv = person_text(ctx, in, "qualification",
	         QUALIFICATION_MAX_CHARS, "authors", i, out)) != 0) {
		return (rv);
	}
	return (0);
}

static int
check_trial_users(struct op_ctx *ctx, json_object *in, json_object **out)
{
	static const char *const keys[] = { "name", "birth_date", "workplace",
		"position", "qualification", "content", NULL };
	static const struct {
		const char *key;
		size_t      max;
	} fields[] = {
		{ "name", NAME_MAX_CHARS },
		{ "birth_date", 10 },
		{ "workplace", WORKPLACE_MAX_CHARS },
		{ "position", POSITION_MAX_CHARS },
		{ "qualification", QUALIFICATION_MAX_CHARS },
		{ "content", CONTENT_MAX_CHARS },
	};
	size_t n = json_object_array_length(in);
	int    rv;

	if (n > TRIAL_USERS_MAX) {
		return (proto_fail(ctx->err, SK_ETOOLARGE,
		    "\"trial_users\" has %zu entries; at most %d are allowed",
		    n, TRIAL_USERS_MAX));
	}
	*out = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(in, i), *copy;

		if (!json_object_is_type(t, json_type_object)) {
			rv = proto_fail(ctx->err, SK_EBADREQ,
			    "\"trial_users[%zu]\" must be an object {name, "
			    "birth_date?, workplace, position?, qualification?, "
			    "content}",
			    i);
			goto fail;
		}
		if ((rv = proto_check_keys(t, keys, ctx->err)) != 0) {
			where(ctx, rv, "trial_users", i);
			goto fail;
		}
		copy = json_object_new_object();
		json_object_array_add(*out, copy);
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			if ((rv = person_text(ctx, t, fields[f].key,
			         fields[f].max, "trial_users", i, copy)) != 0) {
				goto fail;
			}
		}
	}
	return (0);
fail:
	json_object_put(*out);
	*out = NULL;
	return (rv);
}

int
form_apply(struct op_ctx *ctx, json_object *doc, bool creating,
    json_object *changed)
{
	json_object *o = NULL;
	const char  *s = NULL;
	int          rv;

	if ((rv = arg_array(ctx->args, "trial_users", false, &o, ctx->err)) !=
	    0) {
		return (rv);
	}
	if (o != NULL) {
		json_object *t;
		if ((rv = check_trial_users(ctx, o, &t)) != 0) {
			return (rv);
		}
		json_object_object_add(doc, "trial_users", t);
		json_object_array_add(
		    changed, json_object_new_string("trial_users"));
	} else if (creating) {
		json_object_object_add(
		    doc, "trial_users", json_object_new_array());
	}
	if ((rv = arg_str(ctx->args, "benefits_assessed", false, 0, &s,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (s != NULL) {
		size_t len = strlen(s);
		if (len > BENEFITS_MAX_BYTES) {
			return (proto_fail(ctx->err, SK_ETOOLARGE,
			    "\"benefits_assessed\" is %zu bytes; at most %d are "
			    "allowed",
			    len, BENEFITS_MAX_BYTES));
		}
		json_object_object_add(
		    doc, "benefits_assessed", json_object_new_string(s));
		json_object_array_add(
		    changed, json_object_new_string("benefits_assessed"));
		s = NULL;
	} else if (creating) {
		json_object_object_add(
		    doc, "benefits_assessed", json_object_new_string(""));
	}
	/* The end of the first application, when it was still running at
	 * filing: the three months of the answer run from it if later. */
	json_object *v;
	if (json_object_object_get_ex(ctx->args, "first_applied_end", &v) &&
	    v == NULL) {
		json_object_object_del(doc, "first_applied_end");
		json_object_array_add(
		    changed, json_object_new_string("first_applied_end"));
	} else if ((rv = arg_str(ctx->args, "first_applied_end", false, 0, &s,
	                ctx->err)) != 0) {
		return (rv);
	} else if (s != NULL) {
		const char *first = doc_get_str(doc, "first_applied");
		if (!util_date_valid(s)) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"first_applied_end\" must be a date YYYY-MM-DD, "
			    "got \"%.40s\"",
			    s));
		}
		if (first != NULL && strcmp(s, first) < 0) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"first_applied_end\" (%s) is before "
			    "\"first_applied\" (%s)",
			    s, first));
		}
		json_object_object_add(
		    doc, "first_applied_end", json_object_new_string(s));
		json_object_array_add(
		    changed, json_object_new_string("first_applied_end"));
	}
	return (0);
}

/* True if the string field key of o is missing or only blanks. */
static bool
blank(json_object *o, const char *key)
{
	const char *s = doc_get_str(o, key);
	for (; s != NULL && *s; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
			return (false);
		}
	}
	return (true);
}

static void
problem_of(json_object *problems, const char *who, size_t i, json_object *p,
    const char *key, const char *label)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s %zu (%s): thiếu %s (%s).", who, i + 1,
	    doc_get_str(p, "name") ?: "", label, key);
	json_object_array_add(problems, json_object_new_string(buf));
}

json_object *
form_problems(json_object *doc)
{
	static const struct {
		const char *key, *label;
	} author_fields[] = {
		{ "birth_date", "ngày sinh" },
		{ "workplace", "nơi công tác" },
		{ "position", "chức danh" },
		{ "qualification", "trình độ chuyên môn" },
	}, trial_fields[] = {
		{ "name", "họ và tên" },
		{ "workplace", "nơi công tác" },
		{ "content", "nội dung công việc hỗ trợ" },
	};
	json_object *problems = json_object_new_array(), *a = NULL, *t = NULL;

	json_object_object_get_ex(doc, "authors", &a);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *p = json_object_array_get_idx(a, i);
		for (size_t f = 0; f < 4; f++) {
			if (blank(p, author_fields[f].key)) {
				problem_of(problems, "Tác giả", i, p,
				    author_fields[f].key, author_fields[f].label);
			}
		}
	}
	json_object_object_get_ex(doc, "trial_users", &t);
	for (size_t i = 0; i < json_object_array_length(t); i++) {
		json_object *p = json_object_array_get_idx(t, i);
		for (size_t f = 0; f < 3; f++) {
			if (blank(p, trial_fields[f].key)) {
				problem_of(problems, "Người áp dụng thử", i, p,
				    trial_fields[f].key, trial_fields[f].label);
			}
		}
	}
	return (problems);
}

int
form_declaration(struct op_ctx *ctx, const char *action, json_object *doc)
{
	static const char *const keys[] = { "not_against_public_order",
		"not_protected_ip", NULL };
	json_object *d = NULL, *decl;
	const char  *missing[2];
	size_t       nmissing = 0;
	int          rv;

	if ((rv = arg_obj(ctx->args, "declaration", false, &d, ctx->err)) !=
	    0) {
		return (rv);
	}
	if (strcmp(action, "submit") != 0) {
		return (d == NULL ? 0
		                  : proto_fail(ctx->err, SK_EBADREQ,
		                        "\"declaration\" is given at submit "
		                        "only, not to '%s'",
		                        action));
	}
	if (d != NULL && (rv = proto_check_keys(d, keys, ctx->err)) != 0) {
		return (rv);
	}
	for (size_t i = 0; keys[i] != NULL; i++) {
		json_object *v = NULL;
		if (d == NULL || !json_object_object_get_ex(d, keys[i], &v) ||
		    !json_object_is_type(v, json_type_boolean) ||
		    !json_object_get_boolean(v)) {
			missing[nmissing++] = keys[i];
		}
	}
	if (nmissing > 0) {
		proto_fail(ctx->err, SK_EBADREQ,
		    "submit needs the author's declaration (Điều 3, Điều lệ "
		    "sáng kiến): \"declaration.%s\"%s%s%s must be true",
		    missing[0], nmissing > 1 ? " and \"declaration." : "",
		    nmissing > 1 ? missing[1] : "", nmissing > 1 ? "\"" : "");
		ctx->err->details = json_object_new_object();
		json_object *m    = json_object_new_array();
		for (size_t i = 0; i < nmissing; i++) {
			json_object_array_add(
			    m, json_object_new_string(missing[i]));
		}
		json_object_object_add(ctx->err->details, "missing", m);
		return (SK_EBADREQ);
	}
	decl = json_object_new_object();
	json_object_object_add(decl, "not_against_public_order",
	    json_object_new_boolean(1));
	json_object_object_add(
	    decl, "not_protected_ip", json_object_new_boolean(1));
	json_object_object_add(
	    decl, "declared_by", json_object_new_string(ctx->who->id));
	json_object_object_add(decl, "declared_at", json_time(ctx->now));
	json_object_object_add(doc, "declaration", decl);
	return (0);
}

static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return (m == 2 && leap ? 29 : d[m - 1]);
}

bool
form_add_months(const char *ymd, int months, char *out)
{
	int y, m, d;

	if (ymd == NULL || !util_date_valid(ymd) ||
	    sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d) != 3) {
		return (false);
	}
	int n = y * 12 + (m - 1) + months;
	y     = n / 12;
	m     = n % 12 + 1;
	d     = d < days_in_month(y, m) ? d : days_in_month(y, m);
	if (y < 1900 || y > 9999) {
		return (false);
	}
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned) y % 10000u,
	    (unsigned) m % 100u, (unsigned) d % 100u);
	return (true);
}

/* The date the three months start from: today, or the end of the first
 * application if later. */
static void
answer_start(struct op_ctx *ctx, json_object *doc, char *out)
{
	const char *end = doc_get_str(doc, "first_applied_end");

	today_of(ctx, out);
	if (end != NULL && strcmp(end, out) > 0) {
		snprintf(out, 11, "%s", end);
	}
}

/* The next number of unit's register for year. */
static int
register_next(struct op_ctx *ctx, const char *unit, const char *year,
    uint64_t *no)
{
	char key[128];
	int  rv;

	snprintf(key, sizeof(key), "receipt/%s/%s", unit, year);
	if ((rv = store_meta_u64(ctx->txn, ctx->st, key, no)) != 0) {
		return (rv);
	}
	*no += 1;
	return (store_meta_set_u64(ctx->txn, ctx->st, key, *no));
}

int
form_receipt(struct op_ctx *ctx, json_object *doc, bool accepted)
{
	json_object *r = NULL;
	char         start[11], due[11], no[96];
	int          rv;

	answer_start(ctx, doc, start);
	if (!form_add_months(start, ANSWER_MONTHS, due)) {
		return (proto_fail(ctx->err, SK_EINTERNAL, "bad date %s", start));
	}
	json_object_object_get_ex(doc, "receipt", &r);
	if (r == NULL || !json_object_is_type(r, json_type_object)) {
		uint64_t n;
		char     today[11];
		today_of(ctx, today);
		today[4] = '\0';
		if ((rv = register_next(ctx, doc_get_str(doc, "unit") ?: "",
		         today, &n)) != 0) {
			return (proto_fail(ctx->err, rv,
			    "cannot number the receipt"));
		}
		today[4] = '-';
		snprintf(no, sizeof(no), "%llu/%.4s", (unsigned long long) n,
		    today);
		r = json_object_new_object();
		json_object_object_add(r, "no", json_object_new_string(no));
		json_object_object_add(r, "date", json_object_new_string(today));
		json_object_object_add(doc, "receipt", r);
	}
	json_object_object_add(r, "answer_due", json_object_new_string(due));
	json_object_object_add(
	    r, "provisional", json_object_new_boolean(!accepted));
	if (accepted) {
		/* The council's deadline counts from the same later day. */
		int64_t shift = 0;
		char    today[11];
		today_of(ctx, today);
		if (strcmp(start, today) > 0) {
			struct tm a = { 0 }, b = { 0 };
			sscanf(start, "%4d-%2d-%2d", &a.tm_year, &a.tm_mon,
			    &a.tm_mday);
			sscanf(today, "%4d-%2d-%2d", &b.tm_year, &b.tm_mon,
			    &b.tm_mday);
			a.tm_year -= 1900;
			b.tm_year -= 1900;
			a.tm_mon -= 1;
			b.tm_mon -= 1;
			shift = (int64_t) (timegm(&a) - timegm(&b));
		}
		int64_t ts = doc_get_int(doc, "due_ts", -1);
		if (shift > 0 && ts >= 0) {
			json_object_object_add(
			    doc, "due_at", json_time(ts + shift));
			json_object_object_add(doc, "due_ts",
			    json_object_new_int64(ts + shift));
		}
	}
	return (0);
}

/*
 * The upgrade: a case written before the form's fields existed.
 */

/* Adds what the form has and doc lacks; true if anything was. */
static bool
fill_form(json_object *doc)
{
	static const char *const keys[] = { "birth_date", "workplace",
		"position", "qualification", NULL };
	json_object *a = NULL;
	bool         changed = false;

	json_object_object_get_ex(doc, "authors", &a);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *p = json_object_array_get_idx(a, i);
		for (size_t k = 0; keys[k] != NULL && p != NULL; k++) {
			if (!json_object_object_get_ex(p, keys[k], NULL)) {
				json_object_object_add(
				    p, keys[k], json_object_new_string(""));
				changed = true;
			}
		}
	}
	if (!json_object_object_get_ex(doc, "trial_users", NULL)) {
		json_object_object_add(
		    doc, "trial_users", json_object_new_array());
		changed = true;
	}
	if (!json_object_object_get_ex(doc, "benefits_assessed", NULL)) {
		json_object_object_add(
		    doc, "benefits_assessed", json_object_new_string(""));
		changed = true;
	}
	return (changed);
}

int
form_upgrade(struct op_ctx *ctx, uint64_t *n)
{
	struct store_scan it;
	MDB_val           k, v;
	uint64_t          done = 0, *ids = NULL;
	size_t            nids = 0, cap = 0;
	int               rv;

	*n = 0;
	if ((rv = store_meta_u64(ctx->txn, ctx->st, "form_upgraded", &done)) !=
	        0 ||
	    done != 0) {
		return (rv);
	}
	/* The ids first: the cases are rewritten after the scan. */
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_CASES, NULL,
	         NULL)) != 0) {
		return (rv);
	}
	while (rv == 0 && store_scan_next(&it, &k, &v) == 0) {
		/* The list, not the section of the same name (a string). */
		if (k.mv_size != 8 ||
		    memmem(v.mv_data, v.mv_size, "\"trial_users\":[", 15) !=
		        NULL) {
			continue;
		}
		if (nids == cap) {
			uint64_t *g = realloc(ids, (cap = cap ? cap * 2 : 64) *
			        sizeof(*ids));
			if (g == NULL) {
				rv = SK_EINTERNAL;
				break;
			}
			ids = g;
		}
		ids[nids++] = store_u64_at(k.mv_data);
	}
	store_scan_end(&it);
	for (size_t i = 0; i < nids && rv == 0; i++) {
		json_object *old = NULL, *doc;
		if ((rv = store_case_get(ctx->txn, ctx->st, ids[i], &old)) != 0) {
			break;
		}
		if ((doc = doc_clone(old)) == NULL) {
			rv = SK_EINTERNAL;
		} else if (fill_form(doc)) {
			rv = store_case_put(ctx->txn, ctx->st, ids[i], old, doc, NULL);
			*n += rv == 0;
		}
		json_object_put(doc);
		json_object_put(old);
	}
	free(ids);
	if (rv == 0) {
		rv = store_meta_set_u64(ctx->txn, ctx->st, "form_upgraded", 1);
	}
	return (rv);
}
