/*
 * test_rubrics.c: the shipped rubrics (rubrics/NAME.lua) run in the real host.
 *
 * Each rule a unit relies on (ARCHITECTURE.md, "Lua plugins and rubrics")
 * is exercised the way the server calls it: check(case, today) at submit,
 * decide(ballots, council) at the decision, with bases resolved from the
 * rubrics directory as extend() does in production.  A council member or an author would notice a wrong
 * quorum, a wrong threshold, a missed section or a date window off by one,
 * so those are what is asserted, with the reasons people read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/err.h"
#include "plugins/host.h"

#ifndef SK_SOURCE_DIR
#error "SK_SOURCE_DIR must name the source tree"
#endif

#define TODAY "2024-06-15"

/* Sources read for one load; freed after it (the resolver lends them). */
struct dir_resolver {
	char  *bufs[16];
	char   names[16][64];
	size_t n;
};

static char *
read_rubric(const char *id, size_t *len)
{
	char  path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/rubrics/%s.lua", SK_SOURCE_DIR, id);
	if ((f = fopen(path, "rb")) == NULL) {
		return (NULL);
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t) size + 1);
	assert_non_null(buf);
	*len      = fread(buf, 1, (size_t) size, f);
	buf[*len] = '\0';
	fclose(f);
	return (buf);
}

static int
resolve(void *arg, const char *id, const char **src, size_t *len,
    const char **chunkname)
{
	struct dir_resolver *d = arg;
	char                *buf;
	if (d->n == 16 || (buf = read_rubric(id, len)) == NULL) {
		return (-1);
	}
	d->bufs[d->n] = buf;
	snprintf(d->names[d->n], sizeof(d->names[0]), "%s.lua", id);
	*src       = buf;
	*chunkname = d->names[d->n];
	d->n++;
	return (0);
}

static void
resolver_done(struct dir_resolver *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->bufs[i]);
	}
	d->n = 0;
}

static int
load_src(const char *name, const char *src, size_t len, struct plug_rubric **r,
    char *err, size_t errlen)
{
	struct dir_resolver d = { .n = 0 };
	int rv = plug_load(name, src, len, NULL, resolve, &d, r, err, errlen);
	resolver_done(&d);
	return (rv);
}

static struct plug_rubric *
load(const char *id)
{
	struct plug_rubric *r;
	char                err[512], name[64];
	size_t              len;
	char               *src = read_rubric(id, &len);
	assert_non_null(src);
	snprintf(name, sizeof(name), "%s.lua", id);
	if (load_src(name, src, len, &r, err, sizeof(err)) != SK_OK) {
		fail_msg("%s: %s", id, err);
	}
	free(src);
	assert_string_equal(plug_id(r), id);
	return (r);
}

static json_object *
parse(const char *text)
{
	json_object *j = json_tokener_parse(text);
	assert_non_null(j);
	return (j);
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL) {
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
	}
}

/* A complete case: every section, shares summing to 100, filed in time. */
static json_object *
good_case(void)
{
	return (
	    parse("{"
	          "\"id\": 41, \"title\": \"Số hoá hồ sơ học sinh\","
	          "\"first_applied\": \"2024-01-10\","
	          "\"authors\": [{\"name\": \"Nguyễn Văn An\", \"share\": 60},"
	          "  {\"name\": \"Trần Thị Bình\", \"share\": 40}],"
	          "\"sections\": {"
	          "  \"status_quo\": \"Hồ sơ giấy, tra cứu mất nhiều giờ.\","
	          "  \"solution\": \"Quét và lập chỉ mục hồ sơ.\","
	          "  \"novelty\": \"Lần đầu áp dụng tại trường.\","
	          "  \"applicability\": \"Áp dụng cho mọi khối lớp.\","
	          "  \"benefits\": \"Tiết kiệm 200 giờ mỗi năm.\","
	          "  \"conditions\": \"Một máy quét, một máy chủ.\","
	          "  \"trial_users\": \"Tổ văn phòng nhà trường.\"},"
	          "\"similar\": [], \"max_similarity\": 0.1}"));
}

/* Runs check; returns the problems joined by "\n" in buf. */
static size_t
check(struct plug_rubric *r, json_object *c, const char *today, char *buf,
    size_t len)
{
	json_object *problems;
	char         err[512];
	if (plug_check(r, c, today, &problems, err, sizeof(err)) != SK_OK) {
		fail_msg("check: %s", err);
	}
	size_t n = json_object_array_length(problems);
	buf[0]   = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s\n",
		    json_object_get_string(
		        json_object_array_get_idx(problems, i)));
	}
	json_object_put(problems);
	return (n);
}

static void
set_path(json_object *c, const char *obj, const char *key, json_object *v)
{
	json_object *o = c;
	if (obj != NULL) {
		assert_true(json_object_object_get_ex(c, obj, &o));
	}
	if (v == NULL) {
		json_object_object_del(o, key);
	} else {
		json_object_object_add(o, key, v);
	}
}

static void
test_check_default(void **state)
{
	static const char *const sections[]
	    = { "status_quo", "solution", "novelty", "applicability",
		      "benefits", "conditions", "trial_users" };
	const char *rubrics[] = { "default", "province", "education" };
	char        buf[4096];

	for (size_t k = 0; k < 3; k++) {
		struct plug_rubric *r = load(rubrics[k]);
		json_object        *c = good_case();
		assert_int_equal(check(r, c, TODAY, buf, sizeof(buf)), 0);
		json_object_put(c);

		/* Each section missing, then blank. */
		for (size_t i = 0; i < 7; i++) {
			char key[64];
			snprintf(key, sizeof(key), "sections.%s", sections[i]);
			c = good_case();
			set_path(c, "sections", sections[i], NULL);
			assert_int_equal(
			    check(r, c, TODAY, buf, sizeof(buf)), 1);
			assert_contains(buf, "Thiếu mục");
			assert_contains(buf, key);
			set_path(c, "sections", sections[i],
			    json_object_new_string(" \n… "));
			assert_int_equal(
			    check(r, c, TODAY, buf, sizeof(buf)), 1);
			assert_contains(buf, key);
			json_object_put(c);
		}
		c = good_case();
		set_path(c, NULL, "sections", NULL);
		assert_int_equal(check(r, c, TODAY, buf, sizeof(buf)), 7);
		json_object_put(c);

		/* Shares summing to 90. */
		c = good_case();
		json_object *authors;
		json_object_object_get_ex(c, "authors", &authors);
		json_object_object_add(json_object_array_get_idx(authors, 1),
		    "share", json_object_new_int(30));
		assert_int_equal(check(r, c, TODAY, buf, sizeof(buf)), 1);
		assert_contains(buf, "90%");
		assert_contains(buf, "100%");
		json_object_put(c);

		/* No author at all. */
		c = good_case();
		set_path(c, NULL, "authors", json_object_new_array());
		assert_int_equal(check(r, c, TODAY, buf, sizeof(buf)), 1);
		assert_contains(buf, "ít nhất một tác giả");
		json_object_put(c);

		/* First applied tomorrow, 13 months ago, exactly 12 months. */
		const struct {
			const char *date;
			const char *today;
			const char *needle; /* NULL: no problem */
		} dates[] = {
			{ "2024-06-16", TODAY, "sau ngày hôm nay" },
			{ "2023-05-15", TODAY, "quá 12 tháng" },
			{ "2023-06-14", TODAY, "quá 12 tháng" },
			{ "2023-06-15", TODAY, NULL },
			{ TODAY, TODAY, NULL },
			/* Due by the anniversary; 29 Feb gives 28 Feb. */
			{ "2023-02-28", "2024-02-28", NULL },
			{ "2023-02-28", "2024-02-29", "quá 12 tháng" },
			{ "2023-03-01", "2024-02-29", NULL },
			{ "2024-02-29", "2025-02-28", NULL },
			{ "2024-02-29", "2025-03-01", "quá 12 tháng" },
			{ "2024-02-30", TODAY, "NNNN-TT-NN" },
			{ "15/01/2024", TODAY, "NNNN-TT-NN" },
		};
		for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
			c = good_case();
			set_path(c, NULL, "first_applied",
			    json_object_new_string(dates[i].date));
			size_t n
			    = check(r, c, dates[i].today, buf, sizeof(buf));
			if (dates[i].needle == NULL) {
				if (n != 0) {
					fail_msg("%s on %s: %s", dates[i].date,
					    dates[i].today, buf);
				}
			} else {
				assert_int_equal(n, 1);
				assert_contains(buf, dates[i].needle);
			}
			json_object_put(c);
		}

		/* Nearly identical to an earlier initiative: flagged by the
		 * engine for the council, not refused by the check. */
		c = good_case();
		set_path(
		    c, NULL, "max_similarity", json_object_new_double(0.95));
		set_path(c, NULL, "similar",
		    parse("[{\"id\": 17, \"title\": \"x\", "
		          "\"similarity\": 0.95}]"));
		assert_int_equal(check(r, c, TODAY, buf, sizeof(buf)), 0);
		json_object_put(c);

		plug_free(r);
	}
}

/*
 * decide
 */

struct ballot {
	int novelty, applicability, benefit;
};

static json_object *
ballots_of(const struct ballot *b, size_t n)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		char doc[256];
		snprintf(doc, sizeof(doc),
		    "{\"member\": \"m%zu\", \"role\": \"member\", \"marks\": "
		    "{\"novelty\": %d, \"applicability\": %d, \"benefit\": "
		    "%d}, \"total\": %d}",
		    i, b[i].novelty, b[i].applicability, b[i].benefit,
		    b[i].novelty + b[i].applicability + b[i].benefit);
		json_object_array_add(arr, parse(doc));
	}
	return (arr);
}

struct verdict {
	char   verdict[16];
	double score;
	bool   has_score;
	char   reasons[2048];
	size_t nreasons;
};

static struct verdict
decide(struct plug_rubric *r, const struct ballot *b, size_t n, int eligible)
{
	struct verdict v;
	json_object   *ballots = ballots_of(b, n), *out, *x;
	char           doc[128], err[512];
	snprintf(doc, sizeof(doc),
	    "{\"id\": \"hd\", \"members\": %d, \"eligible\": %d, "
	    "\"scored\": %zu}",
	    eligible, eligible, n);
	json_object *council = parse(doc);
	if (plug_decide(r, ballots, council, &out, err, sizeof(err))
	    != SK_OK) {
		fail_msg("decide: %s", err);
	}
	memset(&v, 0, sizeof(v));
	json_object_object_get_ex(out, "verdict", &x);
	snprintf(
	    v.verdict, sizeof(v.verdict), "%s", json_object_get_string(x));
	if (json_object_object_get_ex(out, "score", &x)) {
		v.has_score = true;
		v.score     = json_object_get_double(x);
	}
	json_object_object_get_ex(out, "reasons", &x);
	v.nreasons = json_object_array_length(x);
	for (size_t i = 0; i < v.nreasons; i++) {
		size_t used = strlen(v.reasons);
		snprintf(v.reasons + used, sizeof(v.reasons) - used, "%s\n",
		    json_object_get_string(json_object_array_get_idx(x, i)));
	}
	printf("# %s %s %.1f: %s", plug_id(r), v.verdict, v.score, v.reasons);
	json_object_put(out);
	json_object_put(ballots);
	json_object_put(council);
	return (v);
}

static void
test_decide_default(void **state)
{
	struct plug_rubric *r = load("default");
	struct verdict      v;

	/* Quorum: 1 of 3 eligible has scored, 2 are needed. */
	const struct ballot one[] = { { 30, 30, 40 } };
	v                         = decide(r, one, 1, 3);
	assert_string_equal(v.verdict, "pending");
	assert_int_equal(v.nreasons, 1);
	assert_contains(v.reasons, "1/3");
	assert_contains(v.reasons, "cần ít nhất 2");

	/* Two of three pass at 50 or more: the case passes. */
	const struct ballot two_pass[]
	    = { { 20, 20, 20 }, { 15, 20, 25 }, { 5, 10, 20 } };
	v = decide(r, two_pass, 3, 3);
	assert_string_equal(v.verdict, "pass");
	assert_true(v.has_score);
	assert_float_equal(v.score, 51.7, 1e-9); /* (60 + 60 + 35) / 3 */
	assert_contains(v.reasons, "2/3 phiếu đạt");
	assert_contains(v.reasons, "51,7");

	/* Quorum reached with 2 of 3, both passing. */
	v = decide(r, two_pass, 2, 3);
	assert_string_equal(v.verdict, "pass");
	assert_float_equal(v.score, 60, 1e-9);

	/* Only one of three passes: fail, with what fell short. */
	const struct ballot one_pass[]
	    = { { 20, 20, 20 }, { 10, 10, 20 }, { 10, 10, 10 } };
	v = decide(r, one_pass, 3, 3);
	assert_string_equal(v.verdict, "fail");
	assert_true(v.nreasons >= 2);
	assert_float_equal(v.score, 43.3, 1e-9);
	assert_contains(v.reasons, "1/3 phiếu đạt");
	assert_contains(v.reasons, "2 phiếu dưới 50 điểm");

	/* Novelty 0 does not pass, even at 70. */
	const struct ballot no_novelty[]
	    = { { 0, 30, 40 }, { 0, 30, 40 }, { 0, 30, 40 } };
	v = decide(r, no_novelty, 3, 3);
	assert_string_equal(v.verdict, "fail");
	assert_float_equal(v.score, 70, 1e-9);
	assert_contains(v.reasons, "Tính mới, tính sáng tạo");

	/* The score is the mean of the members' totals, to one decimal. */
	const struct ballot mean[] = { { 30, 30, 40 }, { 25, 25, 30 },
		{ 20, 20, 21 }, { 10, 10, 10 } };
	v                          = decide(r, mean, 4, 4);
	assert_string_equal(v.verdict, "pass"); /* 3 of 4 >= ceil(8/3) */
	assert_float_equal(v.score, 67.8, 1e-9); /* 271 / 4 = 67.75 */

	/* Quorum of 5 eligible is 4 (2/3 of 5 is 3.33). */
	v = decide(r, mean, 3, 5);
	assert_string_equal(v.verdict, "pending");
	assert_contains(v.reasons, "cần ít nhất 4");

	/* A council with nobody eligible cannot decide. */
	v = decide(r, one, 0, 0);
	assert_string_equal(v.verdict, "pending");
	plug_free(r);
}

static void
test_decide_province(void **state)
{
	struct plug_rubric *def = load("default");
	struct plug_rubric *pro = load("province");
	struct verdict      v;

	assert_string_equal(
	    plug_title(pro), "Phiếu đánh giá sáng kiến cấp tỉnh");
	assert_int_equal(json_object_array_length(plug_criteria(pro)), 3);

	const struct ballot seventy[]
	    = { { 20, 20, 30 }, { 20, 20, 30 }, { 20, 20, 30 } };
	v = decide(def, seventy, 3, 3);
	assert_string_equal(v.verdict, "pass");
	v = decide(pro, seventy, 3, 3);
	assert_string_equal(v.verdict, "fail");
	assert_float_equal(v.score, 70, 1e-9);
	assert_contains(v.reasons, "3 phiếu dưới 75 điểm");

	const struct ballot eighty[]
	    = { { 25, 25, 30 }, { 25, 25, 30 }, { 10, 10, 10 } };
	v = decide(pro, eighty, 3, 3);
	assert_string_equal(v.verdict, "pass");
	plug_free(def);
	plug_free(pro);
}

static void
test_decide_education(void **state)
{
	struct plug_rubric *r = load("education");
	struct verdict      v;

	assert_string_equal(
	    plug_title(r), "Phiếu đánh giá sáng kiến ngành giáo dục");

	/* One ballot: pending. */
	const struct ballot one[] = { { 20, 20, 20 } };
	v                         = decide(r, one, 1, 3);
	assert_string_equal(v.verdict, "pending");

	/* Two within 20 points: decided on their mean. */
	const struct ballot close[] = { { 20, 20, 20 }, { 25, 25, 25 } };
	v                           = decide(r, close, 2, 3);
	assert_string_equal(v.verdict, "pass");
	assert_float_equal(v.score, 67.5, 1e-9);

	/* Exactly 20 apart is still decided. */
	const struct ballot twenty[] = { { 10, 10, 20 }, { 20, 20, 20 } };
	v                            = decide(r, twenty, 2, 3);
	assert_string_equal(v.verdict, "pass");
	assert_float_equal(v.score, 50, 1e-9);

	/* Two 25 apart: pending until a third scores. */
	const struct ballot apart[]
	    = { { 10, 20, 20 }, { 25, 25, 25 }, { 20, 25, 25 } };
	v = decide(r, apart, 2, 3);
	assert_string_equal(v.verdict, "pending");
	assert_contains(v.reasons, "25");
	assert_contains(v.reasons, "thứ ba");

	/* Three ballots (50, 75, 70): the closest two, 70 and 75. */
	v = decide(r, apart, 3, 3);
	assert_string_equal(v.verdict, "pass");
	assert_float_equal(v.score, 72.5, 1e-9);

	/* Three equally spaced (40, 50, 60): the middle one. */
	const struct ballot spaced[]
	    = { { 10, 10, 20 }, { 10, 20, 20 }, { 20, 20, 20 } };
	v = decide(r, spaced, 3, 3);
	assert_string_equal(v.verdict, "pass");
	assert_float_equal(v.score, 50, 1e-9);

	/* Three ballots, closest two low (30, 35, 90): fail. */
	const struct ballot low[]
	    = { { 10, 10, 10 }, { 10, 10, 15 }, { 30, 30, 30 } };
	v = decide(r, low, 3, 3);
	assert_string_equal(v.verdict, "fail");
	assert_float_equal(v.score, 32.5, 1e-9);
	assert_contains(v.reasons, "thấp hơn");

	/* Novelty above 0 in only one of three: fail despite the score. */
	const struct ballot novelty[]
	    = { { 0, 30, 40 }, { 0, 30, 35 }, { 10, 30, 30 } };
	v = decide(r, novelty, 3, 3);
	assert_string_equal(v.verdict, "fail");
	assert_contains(v.reasons, "tính mới");
	plug_free(r);
}

static void
test_extend_missing_base(void **state)
{
	static const char src[]
	    = "-- a unit's rubric on a base that does not exist\n"
	      "return extend(\"benh-vien\", {id = \"x\"})\n";
	struct plug_rubric *r = NULL;
	char                err[512];
	assert_int_equal(
	    load_src("x.lua", src, strlen(src), &r, err, sizeof(err)),
	    SK_ERUBRIC);
	assert_null(r);
	assert_contains(err, "x.lua:2:");
	assert_contains(err, "benh-vien");
}

/* The worked example of rubrics/README.md loads and behaves as told. */
static void
test_readme_example(void **state)
{
	static const char   fence[] = "```lua\n-- benhvien-tinh.lua";
	struct plug_rubric *r       = NULL;
	char                path[512], err[512], buf[4096];
	FILE               *f;

	snprintf(path, sizeof(path), "%s/rubrics/README.md", SK_SOURCE_DIR);
	assert_non_null(f = fopen(path, "rb"));
	char  *doc = calloc(1, 1 << 16);
	size_t n   = fread(doc, 1, (1 << 16) - 1, f);
	fclose(f);
	assert_true(n > 0);
	char *src = strstr(doc, fence);
	assert_non_null(src);
	src += strlen("```lua\n");
	char *end = strstr(src, "\n```");
	assert_non_null(end);
	assert_int_equal(load_src("benhvien-tinh.lua", src,
	                     (size_t) (end - src) + 1, &r, err, sizeof(err)),
	    SK_OK);
	free(doc);

	assert_string_equal(plug_id(r), "benhvien-tinh");
	json_object *crit = plug_criteria(r);
	assert_int_equal(json_object_array_length(crit), 4);
	assert_string_equal(json_object_get_string(json_object_object_get(
	                        json_object_array_get_idx(crit, 3), "label")),
	    "An toàn người bệnh");

	/* 65 of 120 from everyone: under the hospital's 70. */
	const struct ballot b[]
	    = { { 20, 20, 25 }, { 20, 20, 25 }, { 20, 20, 25 } };
	struct verdict v = decide(r, b, 3, 3);
	assert_string_equal(v.verdict, "fail");
	assert_contains(v.reasons, "/120");
	assert_contains(v.reasons, "dưới 70 điểm");

	/* default's checks still run, and the hospital's own. */
	json_object *c = good_case();
	assert_int_equal(check(r, c, TODAY, buf, sizeof(buf)), 1);
	assert_contains(buf, "quá ngắn");
	set_path(c, NULL, "authors", json_object_new_array());
	assert_int_equal(check(r, c, TODAY, buf, sizeof(buf)), 2);
	json_object_put(c);
	plug_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_default),
		cmocka_unit_test(test_decide_default),
		cmocka_unit_test(test_decide_province),
		cmocka_unit_test(test_decide_education),
		cmocka_unit_test(test_extend_missing_base),
		cmocka_unit_test(test_readme_example),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
