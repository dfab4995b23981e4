/*
 * province.c: a province as skbench loads it, and the mixes of requests
 * that its people send.
 *
 * The province: the Department of Science and Technology at the top, the
 * departments of education and of health below it, and under them a high
 * school and a district health centre in each of eleven districts.  Every
 * school and health centre has its own initiative council (a chair, a
 * secretary, a member).  Each client of the benchmark is an author with a
 * token of their own (user.token), filing in their unit as a real client
 * would; the council secretaries return cases with their own tokens; reads
 * and list pages use the token of an auditor (the viewer role).  Only the
 * set-up itself runs as local-admin.
 *
 * The mixes:
 *   write  each client takes a case through create, update, submit, return
 *          (by the secretary, with a note), update, submit, accept (by the
 *          secretary: the rubric is pinned and the nearest earlier cases
 *          are looked up), three ballots (member, secretary, chair) and the
 *          chair's decision, and starts again: 1 create, 2 updates, 4
 *          transitions, 3 ballots and 1 decision in 11 writes;
 *   read   case.get of a random case;
 *   list   case.list pages: the first and one deep in the list, with a
 *          state filter and without;
 *   load   files cases until the province holds N, leaving about 70% of
 *          them drafts, 20% submitted, 7% returned, 3% withdrawn;
 *   crash  create, then retitle, logging every acknowledged write so that
 *          sk_crash_check can look for each one after a kill -9 (the
 *          writers run in a child process that journals what they do:
 *          sk_crash_journal in skbench.h says why).
 *
 * Every application has text of its own, drawn from a list of syllables,
 * and a first_applied two months back, within the rubric's filing window.
 * Scoring follows the default rubric (rubrics/default.lua) that skbench's
 * server loads.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "skbench.h"

#define NDISTRICTS 11
#define TOKEN_MAX 96

static const struct {
	const char *id, *name;
} districts[NDISTRICTS] = {
	{ "cao-loc", "Cao Lộc" },
	{ "loc-binh", "Lộc Bình" },
	{ "dinh-lap", "Đình Lập" },
	{ "huu-lung", "Hữu Lũng" },
	{ "chi-lang", "Chi Lăng" },
	{ "van-quan", "Văn Quan" },
	{ "binh-gia", "Bình Gia" },
	{ "bac-son", "Bắc Sơn" },
	{ "trang-dinh", "Tràng Định" },
	{ "van-lang", "Văn Lãng" },
	{ "tp-lang-son", "Thành phố Lạng Sơn" },
};

static const struct {
	const char *ascii, *name;
} families[] = { { "nguyen", "Nguyễn" }, { "hoang", "Hoàng" },
	{ "luong", "Lương" }, { "nong", "Nông" }, { "vi", "Vi" },
	{ "lam", "Lâm" }, { "trieu", "Triệu" }, { "be", "Bế" }, { "ha", "Hà" },
	{ "chu", "Chu" } },
  middles[]  = { { "thi", "Thị" }, { "van", "Văn" }, { "ngoc", "Ngọc" },
	   { "quoc", "Quốc" } },
  givens[]   = { { "lan", "Lan" }, { "mai", "Mai" }, { "tung", "Tùng" },
	    { "hai", "Hải" }, { "huong", "Hương" }, { "duc", "Đức" },
	    { "binh", "Bình" }, { "thang", "Thắng" }, { "yen", "Yến" },
	    { "phuc", "Phúc" }, { "nga", "Ngà" }, { "son", "Sơn" } };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Titles and texts of applications, by the kind of unit. */
static const char *const school_titles[] = {
	"Ứng dụng bản đồ tư duy trong dạy học môn Lịch sử lớp 11",
	"Tổ chức câu lạc bộ đọc sách song ngữ cho học sinh dân tộc thiểu số",
	"Dạy học Vật lý theo dự án với thiết bị tự làm từ vật liệu tái chế",
	"Số hóa ngân hàng đề kiểm tra môn Toán bằng phần mềm miễn phí",
};
static const char *const health_titles[] = {
	"Phát số thứ tự qua tin nhắn để giảm thời gian chờ tiếp nhận",
	"Bảng kiểm an toàn phẫu thuật rút gọn cho tuyến huyện",
	"Quản lý bệnh nhân tăng huyết áp tại nhà qua nhóm Zalo của trạm y tế",
	"Sắp xếp lại kho thuốc theo mã màu để giảm nhầm lẫn cấp phát",
};

/*
 * The syllables that application texts are drawn from: every case has
 * text of its own, as real ones do (cases that all shared one text would
 * all be near-copies of each other, and the duplicate search of an accept
 * would compare each with all).
 */
static const char *const syllables[] = {
	"học", "sinh", "giáo", "viên", "lớp", "trường", "môn", "bài",
	"giảng", "kiểm", "tra", "đánh", "giá", "kết", "quả", "phương",
	"pháp", "dạy", "thực", "hành", "nhóm", "dự", "án", "tài", "liệu",
	"số", "hóa", "phần", "mềm", "thiết", "bị", "bệnh", "nhân", "điều",
	"dưỡng", "bác", "sĩ", "khám", "chữa", "trạm", "y", "tế", "thuốc",
	"quy", "trình", "thời", "gian", "chi", "phí", "hiệu", "cải", "tiến",
	"áp", "dụng", "đơn", "vị", "huyện", "tỉnh", "xã", "thôn", "người",
	"dân", "tộc", "thiểu", "tiếng", "việt", "toán", "văn", "lịch", "sử",
	"địa", "lý", "vật", "tin", "anh", "sáng", "kiến", "kinh", "nghiệm",
	"tổ", "chức", "quản", "hồ", "sơ", "báo", "cáo", "mẫu", "biểu",
	"bảng", "nhắn", "điện", "thoại", "máy", "tính", "mạng", "an", "toàn",
	"vệ", "phòng", "chống", "dịch", "tiêm", "chủng", "trẻ", "em", "cao",
	"tuổi", "chăm", "sóc", "sức", "khỏe", "tuyên", "truyền", "hướng",
	"dẫn", "tập", "huấn", "cán", "bộ", "công", "chính", "một", "cửa",
	"tiếp", "nhận", "trả", "lời", "nhanh", "chóng", "xác", "minh",
	"bạch", "giảm", "tăng", "nâng", "chất", "lượng", "buổi", "chiều",
	"tuần", "tháng", "năm", "kỳ", "đầu", "cuối", "mới", "cũ", "nhiều",
	"ít", "rõ", "ràng", "đầy", "đủ", "thường", "xuyên"
};

static const char *const section_keys[] = { "status_quo", "solution",
	"novelty", "applicability", "benefits", "conditions", "trial_users" };

struct author {
	char id[80];
	char name[80];
	char token[TOKEN_MAX];
	int  unit; /* index into units */
};

struct unit {
	char id[64];
	bool school;
	/* The unit council's: chair, secretary, member. */
	char chair_token[TOKEN_MAX];
	char secretary_token[TOKEN_MAX];
	char member_token[TOKEN_MAX];
};

/* An acknowledged case of a crash round, and its title's revisions. */
struct crash_rec {
	uint64_t id;
	int      round;
	int      w; /* the client that filed it */
	unsigned seq; /* its number among that client's cases this round */
	int      rev; /* acknowledged */
	int      pending; /* sent, not acknowledged; -1: none */
};

struct crash_log {
	struct crash_rec *recs;
	size_t            n, cap;
	uint64_t          acked; /* writes acknowledged: creates + updates */
};

struct sk_province {
	int               journal; /* fd of the crash journal, or -1 */
	const char       *url;
	struct unit       units[2 * NDISTRICTS];
	struct author    *authors;
	int               nauthors;
	char              viewer_token[TOKEN_MAX];
	char              first_applied[16]; /* two months ago, YYYY-MM-DD */
	bool              request_ids;
	_Atomic uint64_t  max_id;
	_Atomic int64_t   load_left;
	int               round;
	struct crash_log *logs; /* one per author */
};

static void
max_id_seen(struct sk_province *p, uint64_t id)
{
	uint64_t cur = atomic_load(&p->max_id);
	while (id > cur
	    && !atomic_compare_exchange_weak(&p->max_id, &cur, id)) { }
}

uint64_t
sk_province_cases(struct sk_province *p)
{
	return (atomic_load(&p->max_id));
}

/* A set-up request as local-admin; exits on failure (nothing to measure). */
static json_object *
admin(struct sk_province *p, const char *fmt, ...)
{
	char         req[4096];
	char        *reply = NULL;
	json_object *o, *res = NULL;
	va_list      ap;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	if (sk_call(p->url, req, &reply, 30000) != 0) {
		fprintf(stderr, "skbench: set-up failed: %s\n  -> %s\n", req,
		    reply ? reply : "(no reply)");
		exit(1);
	}
	o = json_tokener_parse(reply);
	free(reply);
	if (o != NULL && json_object_object_get_ex(o, "result", &res)) {
		json_object_get(res);
	}
	json_object_put(o);
	return (res);
}

static void
token_of(struct sk_province *p, const char *user, char out[TOKEN_MAX])
{
	json_object *r
	    = admin(
	        p, "{\"op\":\"user.token\",\"args\":{\"id\":\"%s\"}}", user),
	    *t;
	if (r == NULL || !json_object_object_get_ex(r, "token", &t)) {
		fprintf(
		    stderr, "skbench: user.token %s gave no token\n", user);
		exit(1);
	}
	snprintf(out, TOKEN_MAX, "%s", json_object_get_string(t));
	json_object_put(r);
}

/* Person number i of the province: a name and an id made of it. */
static void
person(int i, const char *role, char id[80], char name[80])
{
	size_t f = (size_t) i % NELEM(families),
	       m = ((size_t) i / NELEM(families)) % NELEM(middles),
	       g
	    = ((size_t) i / NELEM(families) / NELEM(middles)) % NELEM(givens);
	snprintf(id, 80, "%s.%s.%s.%s%d", families[f].ascii, middles[m].ascii,
	    givens[g].ascii, role, i);
	snprintf(name, 80, "%s %s %s", families[f].name, middles[m].name,
	    givens[g].name);
}

#define put(p, ...) json_object_put(admin(p, __VA_ARGS__))

int
sk_province_new(
    struct sk_province **out, const char *url, int nauthors, bool request_ids)
{
	struct sk_province *p;
	char                id[80], name[80], chair[80], sec[80], mem[80];
	int                 who = 0;

	if ((p = calloc(1, sizeof(*p))) == NULL
	    || (p->authors = calloc((size_t) nauthors, sizeof(*p->authors)))
	        == NULL
	    || (p->logs = calloc((size_t) nauthors, sizeof(*p->logs)))
	        == NULL) {
		sk_province_free(p);
		return (-1);
	}
	p->url         = url;
	p->nauthors    = nauthors;
	p->request_ids = request_ids;
	p->journal     = -1;
	{
		/* Within the rubric's filing window whatever the date. */
		time_t    t = time(NULL) - 60 * 86400;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(p->first_applied, sizeof(p->first_applied), "%Y-%m-%d",
		    &tm);
	}
	if (url == NULL) {
		/* Offline: names and made-up tokens, for sizes and echoes. */
		for (int u = 0; u < 2 * NDISTRICTS; u++) {
			p->units[u].school = u % 2 == 0;
		}
		for (int a = 0; a < nauthors; a++) {
			person(1000 + a, "tg", p->authors[a].id,
			    p->authors[a].name);
			p->authors[a].unit = a % (2 * NDISTRICTS);
			snprintf(
			    p->authors[a].token, TOKEN_MAX, "sk_%043d", a);
		}
		*out = p;
		return (0);
	}
	put(p,
	    "{\"op\":\"unit.put\",\"args\":{\"id\":\"so-khcn\",\"name\":"
	    "\"Sở Khoa học và Công nghệ tỉnh Lạng Sơn\"}}");
	put(p,
	    "{\"op\":\"unit.put\",\"args\":{\"id\":\"so-gddt\",\"name\":"
	    "\"Sở Giáo dục và Đào tạo tỉnh Lạng Sơn\",\"parent\":"
	    "\"so-khcn\"}}");
	put(p,
	    "{\"op\":\"unit.put\",\"args\":{\"id\":\"so-yte\",\"name\":"
	    "\"Sở Y tế tỉnh Lạng Sơn\",\"parent\":\"so-khcn\"}}");
	person(who++, "kt", id, name);
	put(p,
	    "{\"op\":\"user.put\",\"args\":{\"id\":\"%s\",\"name\":\"%s\","
	    "\"unit\":\"so-khcn\",\"roles\":[\"viewer\"]}}",
	    id, name);
	token_of(p, id, p->viewer_token);
	for (int u = 0; u < 2 * NDISTRICTS; u++) {
		struct unit *un = &p->units[u];
		const char  *d  = districts[u / 2].id,
		           *dn  = districts[u / 2].name;
		un->school      = u % 2 == 0;
		snprintf(un->id, sizeof(un->id), "%s-%s",
		    un->school ? "thpt" : "ttyt", d);
		put(p,
		    "{\"op\":\"unit.put\",\"args\":{\"id\":\"%s\",\"name\":"
		    "\"%s %s\",\"parent\":\"%s\"}}",
		    un->id,
		    un->school ? "Trường THPT" : "Trung tâm Y tế huyện", dn,
		    un->school ? "so-gddt" : "so-yte");
		/* The unit's initiative council: chair, secretary, member. */
		char *ids[3] = { chair, sec, mem };
		for (int k = 0; k < 3; k++) {
			person(who++, "hd", ids[k], name);
			put(p,
			    "{\"op\":\"user.put\",\"args\":{\"id\":\"%s\","
			    "\"name\":\"%s\",\"unit\":\"%s\",\"roles\":[]}}",
			    ids[k], name, un->id);
		}
		put(p,
		    "{\"op\":\"council.put\",\"args\":{\"id\":\"hd-%s\","
		    "\"name\":\"Hội đồng sáng kiến cơ sở %s\",\"scope\":"
		    "\"unit\",\"unit\":\"%s\",\"members\":[{\"user\":\"%s\","
		    "\"role\":\"chair\"},{\"user\":\"%s\",\"role\":"
		    "\"secretary\"},{\"user\":\"%s\",\"role\":\"member\"}]}}",
		    un->id, un->id, un->id, chair, sec, mem);
		token_of(p, chair, un->chair_token);
		token_of(p, sec, un->secretary_token);
		token_of(p, mem, un->member_token);
	}
	for (int a = 0; a < nauthors; a++) {
		struct author *au = &p->authors[a];
		person(who++, "tg", au->id, au->name);
		au->unit = a % (2 * NDISTRICTS);
		put(p,
		    "{\"op\":\"user.put\",\"args\":{\"id\":\"%s\",\"name\":"
		    "\"%s\",\"unit\":\"%s\",\"roles\":[\"author\"]}}",
		    au->id, au->name, p->units[au->unit].id);
		token_of(p, au->id, au->token);
	}
	sk_province_refresh(p);
	*out = p;
	return (0);
}

void
sk_province_free(struct sk_province *p)
{
	if (p == NULL) {
		return;
	}
	for (int a = 0; p->logs != NULL && a < p->nauthors; a++) {
		free(p->logs[a].recs);
	}
	free(p->logs);
	free(p->authors);
	free(p);
}

/* The highest case id on the server, from the last page of case.list. */
void
sk_province_refresh(struct sk_province *p)
{
	char        *reply = NULL;
	json_object *o, *res, *items;
	uint64_t     hi = 0, after = 0;

	/* The last page of case.list holds the highest id. */
	for (;;) {
		char req[256];
		snprintf(req, sizeof(req),
		    "{\"op\":\"case.list\",\"args\":{\"limit\":500,"
		    "\"after\":%llu}}",
		    (unsigned long long) after);
		if (sk_call(p->url, req, &reply, 60000) != 0) {
			break;
		}
		o = json_tokener_parse(reply);
		free(reply);
		if (o == NULL || !json_object_object_get_ex(o, "result", &res)
		    || !json_object_object_get_ex(res, "items", &items)) {
			json_object_put(o);
			break;
		}
		size_t n = json_object_array_length(items);
		if (n > 0) {
			json_object *id;
			json_object_object_get_ex(
			    json_object_array_get_idx(items, n - 1), "id",
			    &id);
			hi = (uint64_t) json_object_get_int64(id);
		}
		json_object_put(o);
		if (n < 500) {
			break;
		}
		after = hi;
	}
	max_id_seen(p, hi);
}

/*
 * Requests.
 */

static struct author *
author_of(struct sk_client *c)
{
	struct sk_province *p = c->run->mix->arg;
	return (&p->authors[c->id % p->nauthors]);
}

static struct sk_province *
prov(struct sk_client *c)
{
	return (c->run->mix->arg);
}

#define APPEND(c, ...)                                                        \
	((c)->len += (size_t) snprintf((c)->buf + (c)->len,                   \
	     (c)->len < SK_REQ_MAX ? SK_REQ_MAX - (c)->len : 0, __VA_ARGS__))

/* Ends a request: the token, and a request_id on writes if asked for. */
static void
finish(struct sk_client *c, const char *token, bool write)
{
	APPEND(c, "},\"token\":\"%s\"", token);
	if (write && prov(c)->request_ids) {
		APPEND(c, ",\"request_id\":\"skb-%d-%u\"", c->id, c->seq);
	}
	APPEND(c, "}");
	c->seq++;
	if (c->len >= SK_REQ_MAX) {
		fprintf(stderr, "skbench: request too long\n");
		abort();
	}
}

/* An ordinary title: one of the unit's kind, numbered. */
static void
title_of(struct sk_client *c, char *out, size_t cap)
{
	bool sc = prov(c)->units[author_of(c)->unit].school;
	snprintf(out, cap, "%s, số %d-%u",
	    sc ? school_titles[c->seq % NELEM(school_titles)]
	       : health_titles[c->seq % NELEM(health_titles)],
	    c->id, c->seq);
}

/* A sentence of n to n + 14 syllables drawn at random, and a full stop. */
static void
sentence(struct sk_client *c, unsigned n)
{
	n += (unsigned) (sk_rand(c) % 15);
	for (unsigned i = 0; i < n; i++) {
		APPEND(c, "%s%s", i ? " " : "",
		    syllables[sk_rand(c) % NELEM(syllables)]);
	}
	APPEND(c, ".");
}

/* What the form of TT 18/2013 asks of every author, so submit finds the
 * application complete (PROTOCOL.md, "Completeness at submit"). */
#define AUTHOR_PARTICULARS                                                  \
	"\"birth_date\":\"1984-05-12\",\"workplace\":\"Trường THPT Việt "   \
	"Bắc\",\"position\":\"Giáo viên\",\"qualification\":\"Thạc sĩ\""

static void
req_create(struct sk_client *c, const char *title)
{
	struct sk_province *p  = prov(c);
	struct author      *au = author_of(c);
	char                co_id[80], co[80];

	c->kind = K_CREATE;
	c->len  = 0;
	person((int) (sk_rand(c) % 480), "x", co_id, co);
	APPEND(c,
	    "{\"op\":\"case.create\",\"args\":{\"title\":\"%s\",\"field\":"
	    "\"%s\",\"first_applied\":\"%s\",\"authors\":[{\"name\":"
	    "\"%s\",\"user\":\"%s\",\"share\":60," AUTHOR_PARTICULARS
	    "},{\"name\":\"%s\",\"share\":40," AUTHOR_PARTICULARS
	    "}],\"sections\":{",
	    title, p->units[au->unit].school ? "giáo dục" : "y tế",
	    p->first_applied, au->name, au->id, co);
	/* About 1.5 KB of text, as the applications of the demo have. */
	for (size_t i = 0; i < NELEM(section_keys); i++) {
		APPEND(c, "%s\"%s\":\"", i ? "," : "", section_keys[i]);
		sentence(c, 22);
		APPEND(c, " ");
		sentence(c, 10);
		APPEND(c, "\"");
	}
	APPEND(c, "}");
	finish(c, au->token, true);
}

static void
req_update(struct sk_client *c, const char *title)
{
	c->kind = K_UPDATE;
	c->len  = 0;
	APPEND(c,
	    "{\"op\":\"case.update\",\"args\":{\"id\":%llu,\"title\":\"%s\","
	    "\"sections\":{\"benefits\":\"Sau khi bổ sung số liệu: tỉ lệ đạt "
	    "yêu cầu tăng %u%% so với nhóm đối chứng trong cùng kỳ. ",
	    (unsigned long long) c->case_id, title,
	    (unsigned) (10 + sk_rand(c) % 40));
	sentence(c, 20);
	APPEND(c, "\"}");
	finish(c, author_of(c)->token, true);
}

/* Who of the author's unit council sends a step. */
enum by { BY_AUTHOR, BY_CHAIR, BY_SECRETARY, BY_MEMBER };

static const char *
token_by(struct sk_client *c, enum by by)
{
	struct unit *u = &prov(c)->units[author_of(c)->unit];
	switch (by) {
	case BY_CHAIR:
		return (u->chair_token);
	case BY_SECRETARY:
		return (u->secretary_token);
	case BY_MEMBER:
		return (u->member_token);
	default:
		return (author_of(c)->token);
	}
}

static void
req_act(struct sk_client *c, const char *action, enum by by)
{
	c->kind = K_ACT;
	c->len  = 0;
	APPEND(c,
	    "{\"op\":\"case.act\",\"args\":{\"id\":%llu,\"action\":\"%s\"",
	    (unsigned long long) c->case_id, action);
	if (strcmp(action, "submit") == 0) {
		/* The author's declaration (Điều 3, Điều lệ sáng kiến). */
		APPEND(c, ",\"declaration\":{\"not_against_public_order\":"
		          "true,\"not_protected_ip\":true}");
	}
	if (strcmp(action, "return") == 0) {
		APPEND(c,
		    ",\"note\":\"Đề nghị bổ sung số liệu của nhóm đối "
		    "chứng và xác nhận của đơn vị áp dụng thử.\"");
	}
	finish(c, token_by(c, by), true);
}

/* A ballot on the default rubric's criteria; most pass. */
static void
req_score(struct sk_client *c, enum by by)
{
	c->kind = K_SCORE;
	c->len  = 0;
	APPEND(c,
	    "{\"op\":\"case.score\",\"args\":{\"id\":%llu,\"marks\":{"
	    "\"novelty\":%u,\"applicability\":%u,\"benefit\":%u},"
	    "\"comment\":\"Giải pháp có số liệu, cần nêu rõ điều kiện nhân "
	    "rộng.\"",
	    (unsigned long long) c->case_id, (unsigned) (10 + sk_rand(c) % 21),
	    (unsigned) (10 + sk_rand(c) % 21),
	    (unsigned) (10 + sk_rand(c) % 31));
	finish(c, token_by(c, by), true);
}

static void
req_decide(struct sk_client *c)
{
	c->kind = K_DECIDE;
	c->len  = 0;
	APPEND(c, "{\"op\":\"case.decide\",\"args\":{\"id\":%llu",
	    (unsigned long long) c->case_id);
	finish(c, token_by(c, BY_CHAIR), true);
}

static uint64_t
reply_id(const char *b, size_t len)
{
	const char *k = memmem(b, len, "\"result\":{\"id\":", 15);
	if (k == NULL) {
		return (0);
	}
	return (strtoull(k + 15, NULL, 10));
}

/*
 * The write mix and the load mix share one walk through the workflow:
 *    0 create, 1 update, 2 submit, 3 return (secretary), 4 update,
 *    5 submit, 6 withdraw, 7 accept (secretary), 8-10 score (member,
 *    secretary, chair), 11 decide (chair).
 * A plan says which steps a case takes.  The write mix takes a case to
 * the unit council's decision: 1 create, 2 updates, 4 transitions, 3
 * ballots and a decision in 11 writes.
 */
enum plan { PLAN_DRAFT, PLAN_SUBMIT, PLAN_RETURN, PLAN_WITHDRAW, PLAN_ALL };

static const int plan_steps[][13] = {
	[PLAN_DRAFT]    = { 0, -1 },
	[PLAN_SUBMIT]   = { 0, 2, -1 },
	[PLAN_RETURN]   = { 0, 2, 3, -1 },
	[PLAN_WITHDRAW] = { 0, 2, 6, -1 },
	[PLAN_ALL]      = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, -1 },
};

static void
walk_request(struct sk_client *c)
{
	char title[400];

	switch (plan_steps[c->plan][c->step]) {
	case 0:
		title_of(c, title, sizeof(title));
		req_create(c, title);
		break;
	case 1:
	case 4:
		title_of(c, title, sizeof(title));
		req_update(c, title);
		break;
	case 2:
	case 5:
		req_act(c, "submit", BY_AUTHOR);
		break;
	case 3:
		req_act(c, "return", BY_SECRETARY);
		break;
	case 6:
		req_act(c, "withdraw", BY_AUTHOR);
		break;
	case 7:
		req_act(c, "accept", BY_SECRETARY);
		break;
	case 8:
		req_score(c, BY_MEMBER);
		break;
	case 9:
		req_score(c, BY_SECRETARY);
		break;
	case 10:
		req_score(c, BY_CHAIR);
		break;
	case 11:
		req_decide(c);
		break;
	}
}

static void
walk_reply(struct sk_client *c, const char *b, size_t len, bool ok)
{
	if (ok && c->kind == K_CREATE) {
		c->case_id = reply_id(b, len);
		max_id_seen(prov(c), c->case_id);
	}
	if (!ok || c->case_id == 0 || plan_steps[c->plan][++c->step] < 0) {
		c->step = 0;
	}
}

static bool
write_next(struct sk_client *c)
{
	c->plan = PLAN_ALL;
	walk_request(c);
	return (true);
}

static bool
load_next(struct sk_client *c)
{
	struct sk_province *p = prov(c);
	if (c->step == 0) {
		if (atomic_fetch_sub(&p->load_left, 1) <= 0) {
			return (false);
		}
		unsigned r = (unsigned) (sk_rand(c) % 100);
		c->plan    = r < 70 ? PLAN_DRAFT
		       : r < 90     ? PLAN_SUBMIT
		       : r < 97     ? PLAN_RETURN
		                    : PLAN_WITHDRAW;
	}
	walk_request(c);
	return (true);
}

static bool
read_next(struct sk_client *c)
{
	struct sk_province *p = prov(c);
	uint64_t            n = atomic_load(&p->max_id);
	c->kind               = K_GET;
	c->len                = 0;
	APPEND(c, "{\"op\":\"case.get\",\"args\":{\"id\":%llu",
	    (unsigned long long) (1 + sk_rand(c) % (n ? n : 1)));
	finish(c, p->viewer_token, false);
	return (true);
}

static bool
list_next(struct sk_client *c)
{
	struct sk_province *p    = prov(c);
	uint64_t            n    = atomic_load(&p->max_id);
	unsigned            kind = c->seq % 4;
	uint64_t after = n / 2 + (n > 120 ? sk_rand(c) % (n / 2 - 60) : 0);

	c->kind = (enum sk_kind)(K_LIST_FIRST + kind);
	c->len  = 0;
	APPEND(c, "{\"op\":\"case.list\",\"args\":{\"limit\":50");
	if (kind >= 2) {
		APPEND(c, ",\"state\":\"returned\"");
	}
	if (kind % 2 == 1) {
		APPEND(c, ",\"after\":%llu", (unsigned long long) after);
	}
	finish(c, p->viewer_token, false);
	return (true);
}

static bool
echo_next(struct sk_client *c)
{
	if (c->step == 0) {
		char title[400];
		c->plan = PLAN_ALL;
		title_of(c, title, sizeof(title));
		req_create(c, title);
		c->step = 1;
	}
	c->kind = K_ECHO;
	return (true);
}

static void
no_reply(struct sk_client *c, const char *b, size_t len, bool ok)
{
	(void) c;
	(void) b;
	(void) len;
	(void) ok;
}

/* The crash journal's events (sk_crash_journal). */
enum { EV_CREATED = 1, EV_PENDING, EV_UPDATED, EV_UNPENDING, EV_FAILED };

struct crash_event {
	uint32_t type;
	int32_t  w;   /* the client */
	uint32_t seq; /* its case's number this round */
	uint32_t pad;
	uint64_t id; /* the case */
};

static void
journal(struct sk_province *p, uint32_t type, int w, unsigned seq,
    uint64_t id)
{
	struct crash_event ev = { type, w, seq, 0, id };
	if (p->journal >= 0 && write(p->journal, &ev, sizeof(ev)) < 0) {
		abort(); /* a lost record could hide a lost write */
	}
}

_Static_assert(sizeof(struct crash_event) == SK_CRASH_EVENT_SIZE,
    "skbench.h's SK_CRASH_EVENT_SIZE is a journal record's size");

/* A create's acknowledgement: case id, revision 0 of its title. */
static void
crash_created(struct crash_log *log, uint64_t id, int round, int w,
    unsigned seq)
{
	if (log->n == log->cap) {
		size_t cap = log->cap ? 2 * log->cap : 256;
		void  *m   = realloc(log->recs, cap * sizeof(*log->recs));
		if (m == NULL) {
			abort();
		}
		log->recs = m;
		log->cap  = cap;
	}
	log->recs[log->n++] = (struct crash_rec) { .id = id, .round = round,
		.w = w, .seq = seq, .rev = 0, .pending = -1 };
	log->acked++;
}

/* An update's reply: the title in flight is now the case's, or not. */
static void
crash_apply(struct crash_rec *r, struct crash_log *log, bool ok)
{
	if (ok) {
		r->rev = r->pending;
		log->acked++;
	}
	/* An error reply changed nothing: only the acknowledged title. */
	r->pending = -1;
}

/*
 * The title of revision rev of case number seq of client w in a round.
 */
static void
crash_title(struct sk_province *p, int round, int w, unsigned seq, int rev,
    char *out, size_t cap)
{
	bool sc = p->units[p->authors[w % p->nauthors].unit].school;
	snprintf(out, cap, "Vòng %d, người viết %d, hồ sơ %u: %s", round, w,
	    seq, sc ? school_titles[0] : health_titles[0]);
	if (rev > 0) {
		size_t l = strlen(out);
		snprintf(out + l, cap - l, " (sửa lần %d)", rev);
	}
}

/*
 * The crash mix: create a case (revision 0 of its title), retitle it
 * (revision 1), next case.  Each client logs its acknowledged cases, and
 * which revision of a title was in flight when the server died.
 */
static bool
crash_next(struct sk_client *c)
{
	struct sk_province *p   = prov(c);
	struct crash_log   *log = &p->logs[c->id];
	char                title[400];

	if (c->step == 0) {
		c->ncase++;
		crash_title(
		    p, p->round, c->id, c->ncase, 0, title, sizeof(title));
		req_create(c, title);
		return (true);
	}
	struct crash_rec *r = &log->recs[log->n - 1];
	r->pending          = 1;
	journal(p, EV_PENDING, c->id, r->seq, r->id);
	crash_title(p, p->round, c->id, r->seq, 1, title, sizeof(title));
	req_update(c, title);
	return (true);
}

static void
crash_reply(struct sk_client *c, const char *b, size_t len, bool ok)
{
	struct sk_province *p   = prov(c);
	struct crash_log   *log = &p->logs[c->id];

	if (!ok && len > 0) {
		journal(p, EV_FAILED, c->id, c->ncase, 0);
	}
	if (c->kind == K_CREATE) {
		uint64_t id = ok ? reply_id(b, len) : 0;
		if (id == 0) {
			return; /* the next request files a new case */
		}
		crash_created(log, id, p->round, c->id, c->ncase);
		journal(p, EV_CREATED, c->id, c->ncase, id);
		c->case_id = id;
		max_id_seen(p, id);
		c->step = 1;
		return;
	}
	struct crash_rec *r = &log->recs[log->n - 1];
	journal(p, ok ? EV_UPDATED : EV_UNPENDING, c->id, r->seq, r->id);
	crash_apply(r, log, ok);
	c->step = 0;
}

/* The journal (skbench.h): one fixed record per event. */
void
sk_crash_journal(struct sk_province *p, int fd)
{
	p->journal = fd;
}

int
sk_province_save(const struct sk_province *p, const char *path)
{
	FILE *f = fopen(path, "wb");
	bool  ok;

	if (f == NULL) {
		return (-1);
	}
	ok = fwrite(&p->nauthors, sizeof(p->nauthors), 1, f) == 1
	    && fwrite(&p->request_ids, sizeof(p->request_ids), 1, f) == 1
	    && fwrite(p->units, sizeof(p->units), 1, f) == 1
	    && fwrite(p->authors, sizeof(*p->authors), (size_t) p->nauthors,
	           f) == (size_t) p->nauthors
	    && fwrite(p->viewer_token, sizeof(p->viewer_token), 1, f) == 1
	    && fwrite(p->first_applied, sizeof(p->first_applied), 1, f) == 1;
	return (fclose(f) == 0 && ok ? 0 : -1);
}

int
sk_province_load(struct sk_province **out, const char *url, const char *path)
{
	struct sk_province *p = calloc(1, sizeof(*p));
	FILE               *f = fopen(path, "rb");
	bool                ok;

	*out = NULL;
	if (p == NULL || f == NULL
	    || fread(&p->nauthors, sizeof(p->nauthors), 1, f) != 1
	    || p->nauthors <= 0 || p->nauthors > 100000) {
		if (f != NULL) {
			fclose(f);
		}
		free(p);
		return (-1);
	}
	p->authors = calloc((size_t) p->nauthors, sizeof(*p->authors));
	p->logs    = calloc((size_t) p->nauthors, sizeof(*p->logs));
	ok = p->authors != NULL && p->logs != NULL
	    && fread(&p->request_ids, sizeof(p->request_ids), 1, f) == 1
	    && fread(p->units, sizeof(p->units), 1, f) == 1
	    && fread(p->authors, sizeof(*p->authors), (size_t) p->nauthors, f)
	        == (size_t) p->nauthors
	    && fread(p->viewer_token, sizeof(p->viewer_token), 1, f) == 1
	    && fread(p->first_applied, sizeof(p->first_applied), 1, f) == 1;
	fclose(f);
	if (!ok) {
		sk_province_free(p);
		return (-1);
	}
	p->url     = url;
	p->journal = -1;
	*out       = p;
	return (0);
}

long
sk_crash_replay(struct sk_province *p, int round, const char *path,
    uint64_t *failed)
{
	struct crash_event ev;
	FILE              *f = fopen(path, "rb");
	long               n = 0;

	*failed = 0;
	if (f == NULL) {
		return (-1);
	}
	/* A record cut short by the kill is not one. */
	while (fread(&ev, sizeof(ev), 1, f) == 1) {
		n++;
		if (ev.w < 0 || ev.w >= p->nauthors) {
			continue;
		}
		struct crash_log *log = &p->logs[ev.w];
		struct crash_rec *r   = log->n > 0 ? &log->recs[log->n - 1] : NULL;
		switch (ev.type) {
		case EV_CREATED:
			crash_created(log, ev.id, round, ev.w, ev.seq);
			break;
		case EV_PENDING:
			if (r != NULL && r->id == ev.id) {
				r->pending = 1;
			}
			break;
		case EV_UPDATED:
		case EV_UNPENDING:
			if (r != NULL && r->id == ev.id) {
				crash_apply(r, log, ev.type == EV_UPDATED);
			}
			break;
		case EV_FAILED:
			(*failed)++;
			break;
		}
	}
	fclose(f);
	return (n);
}

int
sk_crash_check(
    struct sk_province *p, uint64_t *acked, uint64_t *lost, bool *verify_ok)
{
	char       **titles = NULL;
	uint64_t     cap = 0, after = 0;
	char        *reply;
	json_object *o, *res, *items, *v;
	int          rv = 0;

	*acked = *lost = 0;
	*verify_ok     = false;
	/* Every case there is, by id. */
	for (;;) {
		char req[256];
		snprintf(req, sizeof(req),
		    "{\"op\":\"case.list\",\"args\":{\"limit\":500,"
		    "\"after\":%llu},\"token\":\"%s\"}",
		    (unsigned long long) after, p->viewer_token);
		if (sk_call(p->url, req, &reply, 60000) != 0) {
			fprintf(stderr, "skbench: case.list failed: %s\n",
			    reply ? reply : "(no reply)");
			free(reply);
			rv = -1;
			break;
		}
		o = json_tokener_parse(reply);
		free(reply);
		if (o == NULL || !json_object_object_get_ex(o, "result", &res)
		    || !json_object_object_get_ex(res, "items", &items)) {
			json_object_put(o);
			rv = -1;
			break;
		}
		size_t n = json_object_array_length(items);
		for (size_t i = 0; i < n; i++) {
			json_object *it = json_object_array_get_idx(items, i);
			json_object_object_get_ex(it, "id", &v);
			uint64_t id = (uint64_t) json_object_get_int64(v);
			if (id >= cap) {
				uint64_t nc = cap ? cap : 1024;
				while (nc <= id) {
					nc *= 2;
				}
				titles = realloc(titles, nc * sizeof(*titles));
				memset(titles + cap, 0,
				    (nc - cap) * sizeof(*titles));
				cap = nc;
			}
			json_object_object_get_ex(it, "title", &v);
			free(titles[id]);
			titles[id] = strdup(json_object_get_string(v));
			after      = id;
		}
		json_object_put(o);
		if (n < 500) {
			break;
		}
	}
	for (int a = 0; rv == 0 && a < p->nauthors; a++) {
		struct crash_log *log = &p->logs[a];
		*acked += log->acked;
		for (size_t i = 0; i < log->n; i++) {
			struct crash_rec *r = &log->recs[i];
			char              want[400];
			const char *have  = r->id < cap ? titles[r->id] : NULL;
			bool        found = false;

			for (int rev = 0; have != NULL && rev <= 1; rev++) {
				if (rev != r->rev && rev != r->pending) {
					continue;
				}
				crash_title(p, r->round, r->w, r->seq, rev,
				    want, sizeof(want));
				found = found || strcmp(want, have) == 0;
			}
			if (!found) {
				if (*lost < 5) {
					fprintf(stderr,
					    "skbench: lost: case %llu (round "
					    "%d, "
					    "client %d, case %u, revision "
					    "%d): "
					    "%s\n",
					    (unsigned long long) r->id,
					    r->round, a, r->seq, r->rev,
					    have ? have : "missing");
				}
				*lost += have == NULL ? 1 + (uint64_t) r->rev
				                      : 1;
			}
		}
	}
	for (uint64_t i = 0; i < cap; i++) {
		free(titles[i]);
	}
	free(titles);
	if (sk_call(p->url, "{\"op\":\"server.verify\"}", &reply, 120000)
	    == 0) {
		o = json_tokener_parse(reply);
		if (o != NULL && json_object_object_get_ex(o, "result", &res)
		    && json_object_object_get_ex(res, "ok", &v)) {
			*verify_ok = json_object_get_boolean(v);
		}
		if (!*verify_ok) {
			fprintf(
			    stderr, "skbench: server.verify: %.300s\n", reply);
		}
		json_object_put(o);
	}
	free(reply);
	return (rv);
}

/*
 * The mixes.
 */

void
sk_clients_reset(struct sk_run *r)
{
	for (int i = 0; i < r->nclients; i++) {
		struct sk_client *c = &r->clients[i];
		c->case_id          = 0;
		c->step             = 0;
		c->plan             = 0;
		c->ncase            = 0;
	}
}

void
sk_mix_write(struct sk_mix *m, struct sk_province *p)
{
	p->round = 0;
	*m       = (struct sk_mix) { "write", write_next, walk_reply, p };
}

void
sk_mix_read(struct sk_mix *m, struct sk_province *p)
{
	*m = (struct sk_mix) { "read", read_next, no_reply, p };
}

void
sk_mix_list(struct sk_mix *m, struct sk_province *p)
{
	*m = (struct sk_mix) { "list", list_next, no_reply, p };
}

void
sk_mix_load(struct sk_mix *m, struct sk_province *p, uint64_t to)
{
	uint64_t have = atomic_load(&p->max_id);
	p->round      = 0;
	atomic_store(&p->load_left, (int64_t) (to > have ? to - have : 0));
	*m = (struct sk_mix) { "load", load_next, walk_reply, p };
}

void
sk_mix_echo(struct sk_mix *m, struct sk_province *p)
{
	*m = (struct sk_mix) { "echo", echo_next, no_reply, p };
}

void
sk_mix_crash(struct sk_mix *m, struct sk_province *p, int round)
{
	p->round = round;
	*m       = (struct sk_mix) { "crash", crash_next, crash_reply, p };
}

size_t
sk_body_len(void)
{
	struct sk_province     *p;
	struct sk_mix           m;
	struct sk_run           r = { .mix = &m };
	static struct sk_client c;

	if (sk_province_new(&p, NULL, 1, false) != 0) {
		return (1500);
	}
	sk_mix_echo(&m, p);
	c.run = &r;
	echo_next(&c);
	sk_province_free(p);
	return (c.len);
}
