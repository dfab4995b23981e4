/*
 * paper.c: what a case's documents say, gathered from the stored record on
 * the loop (paper.h), and doc.verify.  Each kind has one function that
 * writes its page as JSON (header, title, blocks, signers) for paperpdf.c
 * to set; nothing here draws.
 *
 * Who may have which document (PROTOCOL.md, doc.get):
 *   receipt      the authors, the secretariat (chair or secretary of the
 *                case's councils), admins; once the case was submitted;
 *   sheet        the member it belongs to; after the stage is decided
 *                also its council's chair and secretary, and admins (the
 *                ballot is secret until then);
 *   minutes      the members of the council that decided, admins; once
 *                decided;
 *   decision     the authors, the deciding council's members, admins;
 *                once decided (a refusal is the written refusal);
 *   certificate  the authors, the secretariat, admins; while the case
 *                stands recognized.
 *
 * Every page carries the hash of the case's latest history event (hex
 * BLAKE2b, the same hash the chain's next event records as "prev") and the
 * address that checks it (paper_verify_url).  A page says only what the
 * record says, and its dates are the record's, so the same state of a case
 * always gives the same page.
 *
 * The procedure's own fields (issue 16: the receipt register, the head's
 * recognition, the votes, the authors' details) are read in one place,
 * "The record's fields" below, each with the fallback used on a record
 * made before they existed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/util/err.h"
#include "core/util/json.h"
#include "core/model/case.h"
#include "core/model/paper.h"

static const char *const kind_names[PAPER_NKINDS] = {
	"receipt", "sheet", "minutes", "decision", "certificate",
};

int
paper_kind_parse(const char *s)
{
	for (int k = 0; k < PAPER_NKINDS; k++) {
		if (s != NULL && strcmp(s, kind_names[k]) == 0) {
			return (k);
		}
	}
	return (-1);
}

/* ---- Small helpers ---------------------------------------------------- */

static json_object *
jstr(const char *s)
{
	return (json_object_new_string(s != NULL ? s : ""));
}

/* "YYYY-MM-DD..." as "DD/MM/YYYY" in buf; "" when s is no date. */
static const char *
vn_date(const char *s, char *buf, size_t len)
{
	if (s == NULL || strlen(s) < 10 || s[4] != '-' || s[7] != '-') {
		snprintf(buf, len, "%s", "");
	} else {
		snprintf(buf, len, "%.2s/%.2s/%.4s", s + 8, s + 5, s);
	}
	return (buf);
}

/* "<place>, ngày DD tháng MM năm YYYY" for the header; date "YYYY-MM-DD". */
static void
place_date(const char *place, const char *date, char *buf, size_t len)
{
	if (date == NULL || strlen(date) < 10) {
		snprintf(buf, len, "%s%sngày ... tháng ... năm ...",
		    place, *place ? ", " : "");
		return;
	}
	snprintf(buf, len, "%s%sngày %.2s tháng %.2s năm %.4s", place,
	    *place ? ", " : "", date + 8, date + 5, date);
}

/* The name of user id (a stored user), else id itself. */
static const char *
user_name(struct op_ctx *ctx, const char *id, char *buf, size_t len)
{
	json_object *u = NULL;
	snprintf(buf, len, "%s", id != NULL ? id : "");
	if (id != NULL && *id &&
	    store_doc_get(ctx->txn, ctx->st, DB_USERS, id, &u) == 0) {
		const char *n = doc_get_str(u, "name");
		if (n != NULL && *n) {
			snprintf(buf, len, "%s", n);
		}
		json_object_put(u);
	}
	return (buf);
}

static const char *
role_label(const char *role)
{
	static const char *const map[][2] = {
		{ "chair", "Chủ tịch Hội đồng" },
		{ "vice_chair", "Phó Chủ tịch Hội đồng" },
		{ "secretary", "Thư ký Hội đồng" },
		{ "member", "Thành viên" },
		{ "expert", "Chuyên gia" },
		{ "union_rep", "Đại diện Công đoàn" },
	};
	for (size_t i = 0; role != NULL && i < sizeof(map) / sizeof(*map);
	     i++) {
		if (strcmp(role, map[i][0]) == 0) {
			return (map[i][1]);
		}
	}
	return ("Thành viên");
}

/* "12,5" as Vietnamese writes a decimal (at most one decimal). */
static const char *
vn_num(double v, char *buf, size_t len)
{
	char *dot;
	if (v == (double) (long long) v) {
		snprintf(buf, len, "%lld", (long long) v);
		return (buf);
	}
	snprintf(buf, len, "%.1f", v);
	if ((dot = strchr(buf, '.')) != NULL) {
		*dot = ',';
	}
	return (buf);
}

/* ---- The record's fields (issue 16), each in one place ---------------- */

/* The receipt: {no, date, answer_due}; before issue 16 the case id, the
 * date submitted and the review's due date (or three months on). */
struct receipt {
	char no[64], date[16], due[16];
};

static void
receipt_of(json_object *doc, struct receipt *r)
{
	json_object *rc  = json_object_object_get(doc, "receipt");
	const char  *sub = doc_get_str(doc, "submitted_at");
	const char  *due = doc_get_str(doc, "due_at");

	snprintf(r->no, sizeof(r->no), "%lld",
	    (long long) doc_get_int(doc, "id", 0));
	snprintf(r->date, sizeof(r->date), "%.10s", sub ? sub : "");
	snprintf(r->due, sizeof(r->due), "%.10s", due ? due : "");
	if (rc != NULL && json_object_is_type(rc, json_type_object)) {
		if (doc_get_str(rc, "no") != NULL) {
			snprintf(r->no, sizeof(r->no), "%s",
			    doc_get_str(rc, "no"));
		}
		if (doc_get_str(rc, "date") != NULL) {
			snprintf(r->date, sizeof(r->date), "%.10s",
			    doc_get_str(rc, "date"));
		}
		if (doc_get_str(rc, "answer_due") != NULL) {
			snprintf(r->due, sizeof(r->due), "%.10s",
			    doc_get_str(rc, "answer_due"));
		}
	}
	if (r->due[0] == '\0' && strlen(r->date) == 10) {
		/* The Điều lệ's three months from the application. */
		struct tm tm = { 0 };
		if (strptime(r->date, "%Y-%m-%d", &tm) != NULL) {
			tm.tm_mon += 3;
			timegm(&tm);
			strftime(r->due, sizeof(r->due), "%Y-%m-%d", &tm);
		}
	}
}

/*
 * The outcome a document records, for stage (NULL: the latest): the
 * head's recognition when the record has one (issue 16), else the
 * council's decision, which was the outcome before it.  Superseded ones
 * (a reopened review) are skipped.
 */
struct outcome {
	const char  *stage;     /* "unit" / "province" */
	bool         recognized;
	const char  *no;        /* decision number, or NULL */
	const char  *date;      /* YYYY-MM-DD... */
	const char  *signer;    /* the head's name, or NULL */
	const char  *note;
	json_object *decision;  /* the council's (recommendation), or NULL */
	json_object *recognition; /* the head's, or NULL */
};

static bool
superseded(json_object *o)
{
	json_object *s = json_object_object_get(o, "superseded");
	return (s != NULL && json_object_get_boolean(s));
}

/* The latest entry of doc[key] (an array) of stage (NULL: any). */
static json_object *
latest_of(json_object *doc, const char *key, const char *stage)
{
	json_object *arr = json_object_object_get(doc, key);
	if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
		return (NULL);
	}
	for (size_t i = doc_len(arr); i-- > 0;) {
		json_object *o = json_object_array_get_idx(arr, i);
		const char  *s = doc_get_str(o, "stage");
		if (!superseded(o) &&
		    (stage == NULL || (s != NULL && strcmp(s, stage) == 0))) {
			return (o);
		}
	}
	return (NULL);
}

static bool
outcome_of(json_object *doc, const char *stage, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->recognition = latest_of(doc, "recognitions", stage);
	o->decision = latest_of(doc, "decisions", o->recognition != NULL
	        ? doc_get_str(o->recognition, "stage")
	        : stage);
	if (o->recognition != NULL) {
		const char *out = doc_get_str(o->recognition, "outcome");
		o->stage      = doc_get_str(o->recognition, "stage");
		o->recognized = out != NULL && strcmp(out, "recognized") == 0;
		o->no         = doc_get_str(o->recognition, "decision_no");
		o->date       = doc_get_str(o->recognition, "decision_date");
		o->signer     = doc_get_str(o->recognition, "signer_name");
		o->note       = doc_get_str(o->recognition, "note");
		return (true);
	}
	if (o->decision == NULL) {
		return (false);
	}
	/* Before issue 16 a council's decision was the outcome; after it, a
	 * decision without the head's recognition is only advice. */
	enum wf_state s = wf_state_parse(doc_get_str(doc, "state"));
	if (s == WF_UNIT_REVIEW || s == WF_PROVINCE_REVIEW ||
	    wf_state_parse("unit_recommended") == s ||
	    (s != WF_NONE && wf_state_parse("province_recommended") == s)) {
		const char *st = doc_get_str(o->decision, "stage");
		if (st != NULL && review_stage_of(s) != NULL &&
		    strcmp(st, review_stage_of(s)) == 0) {
			return (false);
		}
	}
	const char *v = doc_get_str(o->decision, "verdict");
	o->stage      = doc_get_str(o->decision, "stage");
	o->recognized = v != NULL && strcmp(v, "pass") == 0;
	o->date       = doc_get_str(o->decision, "decided_at");
	o->note       = doc_get_str(o->decision, "note");
	return (true);
}

/* The votes of a decision: {pass, fail, members} when recorded (issue
 * 16), else counted from the ballots at the rubric's own reasons. */
static void
votes_of(json_object *decision, json_object *ballots, int *pass, int *fail,
    int *members)
{
	json_object *v = json_object_object_get(decision, "votes");
	json_object *c = json_object_object_get(decision, "council");

	*pass = *fail = 0;
	*members = (int) doc_get_int(c, "members", 0);
	if (v != NULL && json_object_is_type(v, json_type_object)) {
		*pass    = (int) doc_get_int(v, "pass", 0);
		*fail    = (int) doc_get_int(v, "fail", 0);
		*members = (int) doc_get_int(v, "members", *members);
		return;
	}
	for (size_t i = 0; i < doc_len(ballots); i++) {
		json_object *b    = json_object_array_get_idx(ballots, i);
		const char  *vote = doc_get_str(b, "vote");
		if (vote != NULL) {
			*pass += strcmp(vote, "pass") == 0;
			*fail += strcmp(vote, "pass") != 0;
		}
	}
}

/* An author's details (issue 16); "" where the record has none. */
static const char *
author_field(json_object *a, const char *key)
{
	const char *s = doc_get_str(a, key);
	return (s != NULL ? s : "");
}

/* ---- The page --------------------------------------------------------- */

static json_object *
block(json_object *page, const char *type)
{
	json_object *b = json_object_new_object();
	json_object_object_add(b, "t", json_object_new_string(type));
	json_object_array_add(json_object_object_get(page, "blocks"), b);
	return (b);
}

static void
para(json_object *page, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
para(json_object *page, const char *fmt, ...)
{
	char   *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0) {
		text = NULL;
	}
	va_end(ap);
	json_object_object_add(block(page, "p"), "text", jstr(text));
	free(text);
}

static void
heading(json_object *page, const char *text)
{
	json_object_object_add(block(page, "h"), "text", jstr(text));
}

/* A table: cols (titles), relative widths, rows added by the caller. */
static json_object *
table(json_object *page, const char *const *cols, const int *widths,
    size_t n)
{
	json_object *b = block(page, "table");
	json_object *c = json_object_new_array(), *w = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object_array_add(c, jstr(cols[i]));
		json_object_array_add(w, json_object_new_int(widths[i]));
	}
	json_object_object_add(b, "cols", c);
	json_object_object_add(b, "widths", w);
	json_object *rows = json_object_new_array();
	json_object_object_add(b, "rows", rows);
	return (rows);
}

static void
row(json_object *rows, size_t n, ...)
{
	json_object *r = json_object_new_array();
	va_list      ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		json_object_array_add(r, jstr(va_arg(ap, const char *)));
	}
	va_end(ap);
	json_object_array_add(rows, r);
}

static void
signer(json_object *page, const char *role, const char *name)
{
	json_object *s = json_object_new_object();
	json_object_object_add(s, "role", jstr(role));
	json_object_object_add(s, "name", jstr(name));
	json_object_array_add(json_object_object_get(page, "signers"), s);
}

/* What every page shares. */
struct paper {
	struct op_ctx *ctx;
	json_object   *doc;   /* the case, as stored */
	unsigned       roles; /* the principal's, on the case */
	uint64_t       id;
	json_object   *page;
	char           unit_name[256], parent_name[256], place[128];
	char           hash[65];
};

static json_object *
unit_doc(struct op_ctx *ctx, const char *id)
{
	json_object *u = NULL;
	if (id == NULL || store_doc_view(ctx->txn, ctx->st, DB_UNITS, id,
	                      &u) != 0) {
		return (NULL);
	}
	return (u);
}

/* The unit's and its parent's names, and the place (the province) from
 * the first name up the tree that says "tỉnh X". */
static void
paper_units(struct paper *p)
{
	const char  *id = doc_get_str(p->doc, "unit");
	json_object *u  = unit_doc(p->ctx, id);
	snprintf(p->unit_name, sizeof(p->unit_name), "%s", id ? id : "");
	for (int depth = 0; u != NULL && depth < 16; depth++) {
		const char *name   = doc_get_str(u, "name");
		const char *parent = doc_get_str(u, "parent");
		const char *t      = name ? strstr(name, "tỉnh ") : NULL;
		if (depth == 0 && name != NULL) {
			snprintf(p->unit_name, sizeof(p->unit_name), "%s", name);
		} else if (depth == 1 && name != NULL) {
			snprintf(p->parent_name, sizeof(p->parent_name), "%s",
			    name);
		}
		if (t != NULL && p->place[0] == '\0') {
			snprintf(p->place, sizeof(p->place), "%s",
			    t + strlen("tỉnh "));
		}
		json_object *next = unit_doc(p->ctx, parent);
		json_object_put(u);
		u = next;
	}
	json_object_put(u);
}

/* The hex BLAKE2b of event seq's stored bytes. */
static int
event_hash(struct op_ctx *ctx, uint64_t seq, char hex[65], json_object **ev)
{
	struct store_key k;
	MDB_val          v;
	unsigned char    h[32];
	int              rv;

	store_key_init(&k);
	store_key_u64(&k, seq);
	if ((rv = store_get(ctx->txn, ctx->st, DB_HISTORY, k.b, k.len, &v)) !=
	    0) {
		return (rv);
	}
	crypto_generichash(h, sizeof(h), v.mv_data, v.mv_size, NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof(h));
	if (ev != NULL) {
		*ev = store_json(&v);
	}
	return (0);
}

/*
 * Walks the events of case id, oldest first, calling visit with each seq
 * and hash; a visit that returns nonzero stops the walk (returned).
 */
typedef int (*event_visit)(void *arg, uint64_t seq, const char *hash);

static int
case_events(struct op_ctx *ctx, uint64_t id, event_visit visit, void *arg)
{
	struct store_key  prefix;
	struct store_scan it;
	MDB_val           k, v;
	char              hex[65];
	int               rv, stop = 0;

	store_key_init(&prefix);
	store_key_u64(&prefix, id);
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_CASE_HISTORY,
	         &prefix, NULL)) != 0) {
		return (rv);
	}
	while (stop == 0 && (rv = store_scan_next(&it, &k, &v)) == 0) {
		uint64_t seq = store_u64_at((const unsigned char *) k.mv_data + 8);
		if ((rv = event_hash(ctx, seq, hex, NULL)) != 0) {
			break;
		}
		stop = visit(arg, seq, hex);
	}
	store_scan_end(&it);
	if (stop != 0) {
		return (stop);
	}
	return (rv == STORE_SCAN_END ? 0 : rv);
}

struct last_event {
	uint64_t seq;
	char     hash[65];
};

static int
keep_last(void *arg, uint64_t seq, const char *hash)
{
	struct last_event *l = arg;
	l->seq               = seq;
	memcpy(l->hash, hash, 65);
	return (0);
}

void
paper_verify_url(const struct op_env *env, uint64_t id, const char *hash,
    char *buf, size_t len)
{
	if (env != NULL && env->web_url != NULL) {
		size_t n = strlen(env->web_url);
		while (n > 0 && env->web_url[n - 1] == '/') {
			n--;
		}
		snprintf(buf, len, "%.*s/#/verify/%llu/%s", (int) n,
		    env->web_url, (unsigned long long) id, hash);
	} else {
		snprintf(buf, len, "sangkien:verify/%llu/%s",
		    (unsigned long long) id, hash);
	}
}

/* The page's frame: header, number, place and date, title. */
static int
paper_begin(struct paper *p, const char *number, const char *date,
    const char *title, const char *subtitle)
{
	struct last_event last = { 0 };
	char              buf[512];
	int               rv;

	if ((rv = case_events(p->ctx, p->id, keep_last, &last)) != 0) {
		return (proto_fail(p->ctx->err, rv, "cannot read the history "
		                                    "of case %llu",
		    (unsigned long long) p->id));
	}
	memcpy(p->hash, last.hash, sizeof(p->hash));
	paper_units(p);
	p->page = json_object_new_object();
	json_object_object_add(p->page, "case",
	    json_object_new_int64((int64_t) p->id));
	json_object_object_add(p->page, "hash", jstr(p->hash));
	paper_verify_url(p->ctx->env, p->id, p->hash, buf, sizeof(buf));
	json_object_object_add(p->page, "url", jstr(buf));
	json_object *org = json_object_new_array();
	if (p->parent_name[0]) {
		json_object_array_add(org, jstr(p->parent_name));
	}
	json_object_array_add(org, jstr(p->unit_name));
	json_object_object_add(p->page, "org", org);
	json_object_object_add(p->page, "number", jstr(number));
	place_date(p->place, date, buf, sizeof(buf));
	json_object_object_add(p->page, "place_date", jstr(buf));
	json_object_object_add(p->page, "title", jstr(title));
	json_object_object_add(p->page, "subtitle", jstr(subtitle));
	json_object_object_add(p->page, "blocks", json_object_new_array());
	json_object_object_add(p->page, "signers", json_object_new_array());
	return (0);
}

static const char *
title_of(struct paper *p)
{
	return (doc_get_str(p->doc, "title") ?: "");
}

/* "Nguyễn Thị Lan (70%), Chu Thị Dung (30%)". */
static void
author_list(json_object *doc, bool shares, char *buf, size_t len)
{
	json_object *authors = json_object_object_get(doc, "authors");
	size_t       used    = 0;
	buf[0]               = '\0';
	for (size_t i = 0; i < doc_len(authors); i++) {
		json_object *a = json_object_array_get_idx(authors, i);
		char         share[32] = "";
		if (shares && json_object_object_get(a, "share") != NULL) {
			snprintf(share, sizeof(share), " (%lld%%)",
			    (long long) doc_get_int(a, "share", 0));
		}
		int n = snprintf(buf + used, len - used, "%s%s%s",
		    i > 0 ? ", " : "", author_field(a, "name"), share);
		if (n < 0 || (size_t) n >= len - used) {
			break;
		}
		used += (size_t) n;
	}
}

/* The authors as a table with their details (Nghị định 13, mẫu đơn). */
static void
author_table(struct paper *p, json_object *doc, const char *title)
{
	static const char *const cols[] = { "STT", "Họ và tên", "Ngày sinh",
		"Nơi công tác", "Chức danh", "Trình độ chuyên môn",
		"Tỷ lệ đóng góp" };
	static const int widths[] = { 6, 19, 15, 19, 12, 19, 10 };
	json_object     *authors  = json_object_object_get(doc, "authors");
	json_object     *rows;
	char             n[24], share[24], born[16];

	/* Only when the record has the details (issue 16's fields). */
	bool any = false;
	for (size_t i = 0; i < doc_len(authors); i++) {
		json_object *a = json_object_array_get_idx(authors, i);
		static const char *const keys[] = { "birth_date", "workplace",
			"position", "qualification" };
		for (size_t c = 0; c < 4; c++) {
			any |= *author_field(a, keys[c]) != '\0';
		}
	}
	if (!any) {
		return;
	}
	if (title != NULL) {
		heading(p->page, title);
	}
	rows = table(p->page, cols, widths, 7);
	for (size_t i = 0; i < doc_len(authors); i++) {
		json_object *a = json_object_array_get_idx(authors, i);
		snprintf(n, sizeof(n), "%zu", i + 1);
		snprintf(share, sizeof(share), "%lld%%",
		    (long long) doc_get_int(a, "share", 0));
		row(rows, 7, n, author_field(a, "name"),
		    vn_date(author_field(a, "birth_date"), born, sizeof(born)),
		    author_field(a, "workplace"), author_field(a, "position"),
		    author_field(a, "qualification"), share);
	}
}

/* ---- The kinds -------------------------------------------------------- */

static int
by_id(const void *a, const void *b)
{
	int64_t x = doc_get_int(*(json_object *const *) a, "id", 0);
	int64_t y = doc_get_int(*(json_object *const *) b, "id", 0);
	return (x < y ? -1 : x > y);
}

static int
paper_receipt(struct paper *p)
{
	struct receipt r;
	char           number[96], d1[16], d2[16], authors[2048];
	json_object   *rows;

	if (doc_get_str(p->doc, "submitted_at") == NULL) {
		return (proto_fail(p->ctx->err, SK_ETRANSITION,
		    "case %llu has not been submitted: it has no receipt",
		    (unsigned long long) p->id));
	}
	receipt_of(p->doc, &r);
	/* The unit's register gives "12/2026"; a bare case id gets the
	 * document's sign. */
	snprintf(number, sizeof(number), strchr(r.no, '/') ? "Số: %s"
	                                                    : "Số: %s/BN-SK",
	    r.no);
	if (paper_begin(p, number, r.date, "GIẤY BIÊN NHẬN",
	        "Hồ sơ yêu cầu công nhận sáng kiến") != 0) {
		return (SK_EINTERNAL);
	}
	para(p->page, "%s đã nhận hồ sơ yêu cầu công nhận sáng kiến sau:",
	    p->unit_name);
	author_list(p->doc, false, authors, sizeof(authors));
	rows = table(p->page, (const char *const[]) { "Nội dung", "Chi tiết" },
	    (const int[]) { 30, 70 }, 2);
	row(rows, 2, "Tên sáng kiến", title_of(p));
	row(rows, 2, "Tác giả", authors);
	row(rows, 2, "Lĩnh vực áp dụng", doc_get_str(p->doc, "field"));
	row(rows, 2, "Số biên nhận", r.no);
	row(rows, 2, "Ngày nhận hồ sơ", vn_date(r.date, d1, sizeof(d1)));
	row(rows, 2, "Hạn trả lời", vn_date(r.due, d2, sizeof(d2)));
	para(p->page,
	    "Trong thời hạn 03 tháng kể từ ngày nhận hồ sơ, cơ sở xem xét "
	    "và thông báo cho tác giả kết quả công nhận hoặc từ chối công "
	    "nhận sáng kiến (Nghị định số 13/2012/NĐ-CP, Điều 7), chậm nhất "
	    "ngày %s.",
	    d2);
	signer(p->page, "NGƯỜI NHẬN HỒ SƠ", "");
	return (0);
}

/* The criteria of the rubric version a decision or stage pinned: label
 * and max by id, or NULL. */
static json_object *
criteria_of(struct op_ctx *ctx, json_object *doc, const char *stage)
{
	const char  *hash = NULL;
	json_object *dec  = latest_of(doc, "decisions", stage);
	json_object *r    = json_object_object_get(
	       dec != NULL ? dec : doc, "rubric");
	json_object *rub  = NULL, *crit = NULL;

	if (r != NULL && (dec != NULL || (doc_get_str(r, "stage") &&
	                     strcmp(doc_get_str(r, "stage"), stage) == 0))) {
		hash = doc_get_str(r, "hash");
	}
	if (hash == NULL ||
	    store_doc_get(ctx->txn, ctx->st, DB_RUBRICS, hash, &rub) != 0) {
		return (NULL);
	}
	crit = json_object_get(json_object_object_get(rub, "criteria"));
	json_object_put(rub);
	return (crit);
}

/* The ballot of member at the latest stage they scored; *stage set. */
static json_object *
ballot_of(struct paper *p, const char *member, const char **stage)
{
	static const char *const stages[] = { "province", "unit" };
	for (size_t s = 0; s < 2; s++) {
		json_object *all = review_ballots_of(p->ctx, p->id, stages[s]);
		for (size_t i = 0; i < doc_len(all); i++) {
			json_object *b = json_object_array_get_idx(all, i);
			if (strcmp(doc_get_str(b, "member") ?: "", member) == 0) {
				json_object_get(b);
				json_object_put(all);
				*stage = stages[s];
				return (b);
			}
		}
		json_object_put(all);
	}
	return (NULL);
}

static unsigned
officer_bits(const char *stage)
{
	return (strcmp(stage, "unit") == 0 ? WF_UNIT_OFFICER : WF_PROV_OFFICER);
}

static unsigned
member_bits(const char *stage)
{
	return (strcmp(stage, "unit") == 0 ? WF_UNIT_MEMBER : WF_PROV_MEMBER);
}

static int
paper_sheet(struct paper *p, const char *member)
{
	const char  *stage = NULL;
	json_object *b     = ballot_of(p, member, &stage);
	json_object *crit, *marks, *rows, *council;
	char         name[256], num[32], max[32], total[32], at[16];
	double       maxsum = 0;

	if (b == NULL) {
		return (proto_fail(p->ctx->err, SK_ENOTFOUND,
		    "%s has no score sheet on case %llu", member,
		    (unsigned long long) p->id));
	}
	bool mine    = strcmp(member, p->ctx->who->id) == 0;
	bool decided = latest_of(p->doc, "decisions", stage) != NULL;
	if (!mine && !(decided && (p->roles & (WF_ADMIN |
	                                         officer_bits(stage))))) {
		json_object_put(b);
		return (proto_fail(p->ctx->err, SK_EFORBIDDEN,
		    "a score sheet goes to its member, and once the council "
		    "has decided to its chair, its secretary and admins"));
	}
	council = case_council(p->ctx, p->doc, stage);
	snprintf(num, sizeof(num), "Mã hồ sơ: %llu",
	    (unsigned long long) p->id);
	snprintf(at, sizeof(at), "%.10s", doc_get_str(b, "at") ?: "");
	if (paper_begin(p, num, at, "PHIẾU CHẤM ĐIỂM SÁNG KIẾN",
	        council ? doc_get_str(council, "name") : "") != 0) {
		json_object_put(b);
		json_object_put(council);
		return (SK_EINTERNAL);
	}
	rows = table(p->page, (const char *const[]) { "Nội dung", "Chi tiết" },
	    (const int[]) { 30, 70 }, 2);
	row(rows, 2, "Họ và tên thành viên",
	    user_name(p->ctx, member, name, sizeof(name)));
	row(rows, 2, "Vai trò trong Hội đồng",
	    role_label(doc_get_str(b, "role")));
	row(rows, 2, "Tên sáng kiến", title_of(p));
	row(rows, 2, "Cấp xét", strcmp(stage, "unit") == 0 ? "Cơ sở" : "Tỉnh");

	heading(p->page, "Điểm chấm theo tiêu chí");
	crit  = criteria_of(p->ctx, p->doc, stage);
	marks = json_object_object_get(b, "marks");
	rows  = table(p->page,
	     (const char *const[]) { "STT", "Tiêu chí", "Điểm tối đa",
	         "Điểm chấm" },
	     (const int[]) { 6, 58, 18, 18 }, 4);
	size_t i = 0;
	json_object_object_foreach(marks, cid, mv)
	{
		const char *label = cid;
		double      m     = 0;
		for (size_t j = 0; j < doc_len(crit); j++) {
			json_object *c = json_object_array_get_idx(crit, j);
			if (strcmp(doc_get_str(c, "id") ?: "", cid) == 0) {
				label = doc_get_str(c, "label") ?: cid;
				m     = json_object_get_double(
				        json_object_object_get(c, "max"));
			}
		}
		char n[24], v[32];
		maxsum += m;
		snprintf(n, sizeof(n), "%zu", ++i);
		row(rows, 4, n, label, m > 0 ? vn_num(m, max, sizeof(max)) : "",
		    vn_num(json_object_get_double(mv), v, sizeof(v)));
	}
	row(rows, 4, "", "Tổng cộng",
	    maxsum > 0 ? vn_num(maxsum, max, sizeof(max)) : "",
	    vn_num(json_object_get_double(json_object_object_get(b, "total")),
	        total, sizeof(total)));
	if (doc_get_str(b, "vote") != NULL) {
		para(p->page, "Ý kiến: %s",
		    strcmp(doc_get_str(b, "vote"), "pass") == 0
		        ? "Đề nghị công nhận"
		        : "Không đề nghị công nhận");
	}
	if (doc_get_str(b, "comment") != NULL) {
		para(p->page, "Nhận xét: %s", doc_get_str(b, "comment"));
	}
	signer(p->page, "THÀNH VIÊN HỘI ĐỒNG", name);
	json_object_put(crit);
	json_object_put(council);
	json_object_put(b);
	return (0);
}

static int
paper_minutes(struct paper *p)
{
	struct outcome o;
	json_object   *dec, *ballots, *council, *rows, *members;
	const char    *stage;
	char           num[64], date[16], name[256], buf[64];
	int            pass, fail, nmembers;

	if (!outcome_of(p->doc, NULL, &o) || (dec = o.decision) == NULL) {
		return (proto_fail(p->ctx->err, SK_ETRANSITION,
		    "case %llu has no council decision yet: there are no "
		    "minutes", (unsigned long long) p->id));
	}
	stage = doc_get_str(dec, "stage") ?: "unit";
	if (!(p->roles & (WF_ADMIN | member_bits(stage)))) {
		return (proto_fail(p->ctx->err, SK_EFORBIDDEN,
		    "the minutes go to the members of the council that "
		    "decided, and to admins"));
	}
	council = case_council(p->ctx, p->doc, stage);
	ballots = review_ballots_of(p->ctx, p->id, stage);
	snprintf(num, sizeof(num), "Số: %llu/BB-HĐSK",
	    (unsigned long long) p->id);
	snprintf(date, sizeof(date), "%.10s",
	    doc_get_str(dec, "decided_at") ?: "");
	if (paper_begin(p, num, date, "BIÊN BẢN HỌP HỘI ĐỒNG",
	        council ? doc_get_str(council, "name") : "") != 0) {
		json_object_put(council);
		json_object_put(ballots);
		return (SK_EINTERNAL);
	}
	para(p->page, "Hội đồng họp xét sáng kiến \"%s\" (mã hồ sơ %llu) "
	              "của %s.",
	    title_of(p), (unsigned long long) p->id, p->unit_name);
	heading(p->page, "I. Thành phần Hội đồng");
	members = council ? json_object_object_get(council, "members") : NULL;
	rows = table(p->page,
	    (const char *const[]) { "STT", "Họ và tên", "Chức danh",
	        "Có mặt" },
	    (const int[]) { 7, 43, 32, 18 }, 4);
	for (size_t i = 0; i < doc_len(members); i++) {
		json_object *m    = json_object_array_get_idx(members, i);
		const char  *user = doc_get_str(m, "user") ?: "";
		bool         here = false;
		for (size_t j = 0; j < doc_len(ballots); j++) {
			here |= strcmp(doc_get_str(json_object_array_get_idx(
			                   ballots, j), "member") ?: "",
			            user) == 0;
		}
		char n[24];
		snprintf(n, sizeof(n), "%zu", i + 1);
		row(rows, 4, n, user_name(p->ctx, user, name, sizeof(name)),
		    role_label(doc_get_str(m, "role")), here ? "Có" : "Vắng");
	}
	heading(p->page, "II. Kết quả chấm điểm và biểu quyết");
	para(p->page, "Bỏ phiếu kín: biên bản ghi kết quả chung, không ghi "
	              "điểm của từng thành viên.");
	votes_of(dec, ballots, &pass, &fail, &nmembers);
	rows = table(p->page, (const char *const[]) { "Nội dung", "Kết quả" },
	    (const int[]) { 60, 40 }, 2);
	snprintf(buf, sizeof(buf), "%zu/%d", doc_len(ballots),
	    nmembers);
	row(rows, 2, "Số phiếu chấm / số thành viên", buf);
	if (pass + fail > 0) {
		char pv[16], fv[16];
		snprintf(pv, sizeof(pv), "%d", pass);
		snprintf(fv, sizeof(fv), "%d", fail);
		row(rows, 2, "Số phiếu đề nghị công nhận", pv);
		row(rows, 2, "Số phiếu không đề nghị công nhận", fv);
	}
	row(rows, 2, "Điểm trung bình",
	    vn_num(json_object_get_double(json_object_object_get(dec, "score")),
	        buf, sizeof(buf)));
	heading(p->page, "III. Kết luận của Hội đồng");
	const char *verdict = doc_get_str(dec, "verdict") ?: "";
	para(p->page, "%s",
	    strcmp(verdict, "pass") == 0
	        ? "Hội đồng đề nghị công nhận sáng kiến."
	        : "Hội đồng không đề nghị công nhận sáng kiến.");
	json_object *reasons = json_object_object_get(dec, "reasons");
	for (size_t i = 0; i < doc_len(reasons); i++) {
		para(p->page, "- %s",
		    json_object_get_string(json_object_array_get_idx(reasons, i)));
	}
	if (doc_get_str(dec, "note") != NULL) {
		para(p->page, "Ý kiến của Hội đồng: %s", doc_get_str(dec, "note"));
	}
	/* The secretary on the left, the chair on the right. */
	const char *chair = NULL, *secretary = NULL;
	for (size_t i = 0; i < doc_len(members); i++) {
		json_object *m = json_object_array_get_idx(members, i);
		const char  *r = doc_get_str(m, "role") ?: "";
		if (strcmp(r, "chair") == 0 && chair == NULL) {
			chair = doc_get_str(m, "user");
		} else if (strcmp(r, "secretary") == 0 && secretary == NULL) {
			secretary = doc_get_str(m, "user");
		}
	}
	signer(p->page, "THƯ KÝ HỘI ĐỒNG",
	    user_name(p->ctx, secretary, name, sizeof(name)));
	signer(p->page, "CHỦ TỊCH HỘI ĐỒNG",
	    user_name(p->ctx, chair, name, sizeof(name)));
	json_object_put(council);
	json_object_put(ballots);
	return (0);
}

/*
 * The cases one decision recognizes: the case itself, and when its
 * decision has a number, every other case the principal may see whose
 * standing recognition of the same stage has that number: for a unit
 * decision the cases of the same unit, for a province one the recognized
 * cases.  In id order.
 */
static json_object *
same_decision(struct paper *p, const struct outcome *o)
{
	static const char *const unit_states[] = { "unit_recognized",
		"nominated", "province_review", "recognized",
		"province_refused", NULL };
	static const char *const prov_states[] = { "recognized", NULL };
	json_object *all = json_object_new_array();
	bool prov = o->stage != NULL && strcmp(o->stage, "province") == 0;

	json_object_array_add(all, json_object_get(p->doc));
	if (o->no == NULL) {
		return (all);
	}
	for (const char *const *st = prov ? prov_states : unit_states;
	     *st != NULL; st++) {
		struct store_key  prefix;
		struct store_scan it;
		MDB_val           k, v;
		store_key_init(&prefix);
		store_key_str(&prefix, *st);
		if (store_scan_begin(&it, p->ctx->txn, p->ctx->st, DB_BY_STATE,
		        &prefix, NULL) != 0) {
			continue;
		}
		while (store_scan_next(&it, &k, &v) == 0) {
			uint64_t id = store_u64_at(
			    (const unsigned char *) k.mv_data + k.mv_size - 8);
			json_object  *c = NULL;
			struct outcome oc;
			if (id == p->id ||
			    store_case_get(p->ctx->txn, p->ctx->st, id, &c) != 0) {
				continue;
			}
			if ((prov || strcmp(doc_get_str(c, "unit") ?: "",
			                 doc_get_str(p->doc, "unit") ?: "") == 0) &&
			    outcome_of(c, o->stage, &oc) && oc.recognized &&
			    oc.no != NULL && strcmp(oc.no, o->no) == 0 &&
			    case_visible(p->ctx, c, case_roles(p->ctx, c))) {
				json_object_array_add(all, json_object_get(c));
			}
			json_object_put(c);
		}
		store_scan_end(&it);
	}
	json_object_array_sort(all, by_id);
	return (all);
}

static int
paper_decision(struct paper *p)
{
	struct outcome o;
	char           num[128], date[16], d1[16];
	json_object   *council;

	if (!outcome_of(p->doc, NULL, &o)) {
		return (proto_fail(p->ctx->err, SK_ETRANSITION,
		    "case %llu has not been decided: there is no decision yet",
		    (unsigned long long) p->id));
	}
	if (!(p->roles & (WF_ADMIN | WF_AUTHOR | member_bits(o.stage)))) {
		return (proto_fail(p->ctx->err, SK_EFORBIDDEN,
		    "the decision goes to the authors, the council that "
		    "decided and admins"));
	}
	bool prov = o.stage != NULL && strcmp(o.stage, "province") == 0;
	council   = case_council(p->ctx, p->doc, prov ? "province" : "unit");
	if (o.no != NULL) {
		snprintf(num, sizeof(num), "Số: %s", o.no);
	} else {
		snprintf(num, sizeof(num), "Số: %llu/%s",
		    (unsigned long long) p->id,
		    o.recognized ? "QĐ-CNSK" : "TB-SK");
	}
	snprintf(date, sizeof(date), "%.10s", o.date ? o.date : "");
	if (paper_begin(p, num, date, o.recognized ? "QUYẾT ĐỊNH" : "THÔNG BÁO",
	        o.recognized ? "Về việc công nhận sáng kiến"
	                     : "Về việc từ chối công nhận sáng kiến") != 0) {
		json_object_put(council);
		return (SK_EINTERNAL);
	}
	para(p->page, "Căn cứ Nghị định số 13/2012/NĐ-CP ngày 02/3/2012 của "
	              "Chính phủ ban hành Điều lệ Sáng kiến;");
	if (o.decision != NULL) {
		para(p->page, "Căn cứ kết quả xét của %s ngày %s;",
		    council ? doc_get_str(council, "name") : "Hội đồng sáng kiến",
		    vn_date(doc_get_str(o.decision, "decided_at"), d1,
		        sizeof(d1)));
	}
	if (o.recognized) {
		heading(p->page, "QUYẾT ĐỊNH:");
		para(p->page, "Điều 1. Công nhận sáng kiến có phạm vi ảnh hưởng, "
		              "hiệu quả áp dụng %s sau đây và các tác giả:",
		    prov ? "cấp tỉnh" : "cấp cơ sở");
		json_object *rows = table(p->page,
		    (const char *const[]) { "STT", "Mã hồ sơ", "Tên sáng kiến",
		        "Tác giả (tỷ lệ đóng góp)" },
		    (const int[]) { 7, 11, 45, 37 }, 4);
		json_object *all = same_decision(p, &o);
		for (size_t i = 0; i < doc_len(all); i++) {
			json_object *c = json_object_array_get_idx(all, i);
			char authors[2048], id[32], n[24];
			author_list(c, true, authors, sizeof(authors));
			snprintf(id, sizeof(id), "%lld",
			    (long long) doc_get_int(c, "id", 0));
			snprintf(n, sizeof(n), "%zu", i + 1);
			row(rows, 4, n, id, doc_get_str(c, "title"), authors);
		}
		for (size_t i = 0; i < doc_len(all); i++) {
			json_object *c = json_object_array_get_idx(all, i);
			char         t[600];
			snprintf(t, sizeof(t), "Tác giả của sáng kiến \"%s\":",
			    doc_get_str(c, "title") ?: "");
			author_table(p, c, t);
		}
		json_object_put(all);
		para(p->page, "Điều 2. Tác giả có sáng kiến được công nhận được "
		              "hưởng các quyền lợi theo quy định của Điều lệ Sáng "
		              "kiến và pháp luật về thi đua, khen thưởng.");
		para(p->page, "Điều 3. Quyết định có hiệu lực kể từ ngày ký. Các "
		              "tác giả và đơn vị có liên quan chịu trách nhiệm thi "
		              "hành Quyết định này.");
	} else {
		char authors[2048];
		author_list(p->doc, false, authors, sizeof(authors));
		para(p->page, "%s thông báo tới tác giả %s: sáng kiến \"%s\" (mã "
		              "hồ sơ %llu) không được công nhận, vì các lý do sau:",
		    p->unit_name, authors, title_of(p),
		    (unsigned long long) p->id);
		json_object *reasons =
		    o.decision ? json_object_object_get(o.decision, "reasons")
		               : NULL;
		for (size_t i = 0; i < doc_len(reasons); i++) {
			para(p->page, "- %s", json_object_get_string(
			                         json_object_array_get_idx(reasons, i)));
		}
		if (o.note != NULL) {
			para(p->page, "- %s", o.note);
		}
	}
	signer(p->page, "THỦ TRƯỞNG ĐƠN VỊ", o.signer ? o.signer : "");
	json_object_put(council);
	return (0);
}

static int
paper_certificate(struct paper *p)
{
	struct outcome o;
	char           num[128], date[16], d1[16], authors[2048], id[32];
	enum wf_state  s = wf_state_parse(doc_get_str(p->doc, "state"));

	if (!(p->roles & (WF_ADMIN | WF_AUTHOR | WF_UNIT_OFFICER |
	                     WF_PROV_OFFICER))) {
		return (proto_fail(p->ctx->err, SK_EFORBIDDEN,
		    "the certificate goes to the authors, the councils' chair "
		    "and secretary, and admins"));
	}
	/* The latest recognition that stands: a province refusal leaves the
	 * unit's recognition in force. */
	if (s == WF_REVOKED || !outcome_of(p->doc, NULL, &o) ||
	    (!o.recognized && !(outcome_of(p->doc, "unit", &o) &&
	                           o.recognized))) {
		return (proto_fail(p->ctx->err, SK_ETRANSITION,
		    "case %llu is not recognized: there is no certificate",
		    (unsigned long long) p->id));
	}
	bool prov = o.stage != NULL && strcmp(o.stage, "province") == 0;
	snprintf(num, sizeof(num), "Số: %llu/GCN-SK",
	    (unsigned long long) p->id);
	snprintf(date, sizeof(date), "%.10s", o.date ? o.date : "");
	if (paper_begin(p, num, date, "GIẤY CHỨNG NHẬN SÁNG KIẾN", "") != 0) {
		return (SK_EINTERNAL);
	}
	author_list(p->doc, true, authors, sizeof(authors));
	snprintf(id, sizeof(id), "%llu", (unsigned long long) p->id);
	para(p->page, "%s chứng nhận:", p->unit_name);
	json_object *rows = table(p->page,
	    (const char *const[]) { "Nội dung", "Chi tiết" },
	    (const int[]) { 30, 70 }, 2);
	row(rows, 2, "Tên sáng kiến", title_of(p));
	row(rows, 2, "Tác giả", authors);
	row(rows, 2, "Chủ đầu tư tạo ra sáng kiến",
	    doc_get_str(p->doc, "owner"));
	row(rows, 2, "Lĩnh vực áp dụng", doc_get_str(p->doc, "field"));
	row(rows, 2, "Ngày áp dụng lần đầu",
	    vn_date(doc_get_str(p->doc, "first_applied"), d1, sizeof(d1)));
	row(rows, 2, "Phạm vi ảnh hưởng",
	    prov ? "Cấp tỉnh" : "Cấp cơ sở");
	char dec[160], d2[16];
	if (o.no != NULL) {
		snprintf(dec, sizeof(dec), "Số %s ngày %s", o.no,
		    vn_date(o.date, d2, sizeof(d2)));
	} else {
		snprintf(dec, sizeof(dec), "Số %llu/QĐ-CNSK ngày %s",
		    (unsigned long long) p->id, vn_date(o.date, d2, sizeof(d2)));
	}
	row(rows, 2, "Quyết định công nhận", dec);
	row(rows, 2, "Mã hồ sơ", id);
	para(p->page, "là sáng kiến được công nhận theo Điều lệ Sáng kiến "
	              "(Nghị định số 13/2012/NĐ-CP).");
	signer(p->page, "THỦ TRƯỞNG ĐƠN VỊ", o.signer ? o.signer : "");
	return (0);
}

int
paper_gather(struct op_ctx *ctx, uint64_t id, enum paper_kind kind,
    const char *user, json_object **out)
{
	struct paper p = { .ctx = ctx, .id = id };
	int          rv;

	*out = NULL;
	if ((rv = case_load(ctx, id, &p.doc, &p.roles)) != 0) {
		return (rv);
	}
	if (kind == PAPER_RECEIPT &&
	    !(p.roles & (WF_ADMIN | WF_AUTHOR | WF_UNIT_OFFICER |
	                    WF_PROV_OFFICER))) {
		rv = proto_fail(ctx->err, SK_EFORBIDDEN,
		    "the receipt goes to the authors, the councils' chair and "
		    "secretary, and admins");
	} else if (kind == PAPER_SHEET && user == NULL) {
		rv = proto_fail(ctx->err, SK_EBADREQ,
		    "a score sheet needs \"user\": whose sheet");
	} else {
		switch (kind) {
		case PAPER_RECEIPT: rv = paper_receipt(&p); break;
		case PAPER_SHEET: rv = paper_sheet(&p, user); break;
		case PAPER_MINUTES: rv = paper_minutes(&p); break;
		case PAPER_DECISION: rv = paper_decision(&p); break;
		default: rv = paper_certificate(&p); break;
		}
	}
	json_object_put(p.doc);
	if (rv != 0) {
		json_object_put(p.page);
		return (rv);
	}
	json_object_object_add(p.page, "kind", jstr(kind_names[kind]));
	*out = p.page;
	return (0);
}

/* ---- doc.verify ------------------------------------------------------- */

struct find_event {
	const char *want;
	uint64_t    seq, last;
	bool        found;
};

static int
find_event(void *arg, uint64_t seq, const char *hash)
{
	struct find_event *f = arg;
	if (!f->found && sodium_memcmp(hash, f->want, 64) == 0) {
		f->found = true;
		f->seq   = seq;
	}
	f->last = seq;
	return (0);
}

int
paper_verify(struct op_ctx *ctx, uint64_t id, const char *hash,
    json_object **out)
{
	struct find_event f = { .want = hash };
	json_object      *doc = NULL, *ev = NULL;
	unsigned          roles;
	char              hex[65];
	bool              seen = false;
	int               rv;

	if (strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "hash: 64 lower-case hex digits, as a document's QR code "
		    "gives it"));
	}
	if ((rv = case_events(ctx, id, find_event, &f)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot read the history"));
	}
	if (store_case_get(ctx->txn, ctx->st, id, &doc) == 0) {
		roles = case_roles(ctx, doc);
		seen  = case_visible(ctx, doc, roles);
	}
	if (doc == NULL || (!f.found && !seen)) {
		json_object_put(doc);
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no case %llu",
		    (unsigned long long) id));
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "case", json_object_new_int64((int64_t) id));
	json_object_object_add(*out, "hash", jstr(hash));
	json_object_object_add(*out, "valid", json_object_new_boolean(f.found));
	json_object_object_add(*out, "current",
	    json_object_new_boolean(f.found && f.seq == f.last));
	json_object_object_add(*out, "superseded",
	    json_object_new_boolean(f.found && f.seq != f.last));
	if (f.found && event_hash(ctx, f.seq, hex, &ev) == 0 && ev != NULL) {
		json_object_object_add(*out, "seq",
		    json_object_new_int64((int64_t) f.seq));
		json_object_object_add(*out, "at",
		    json_object_get(json_object_object_get(ev, "at")));
		json_object_object_add(*out, "type",
		    json_object_get(json_object_object_get(ev, "type")));
		json_object_put(ev);
	}
	json_object_object_add(*out, "title", jstr(doc_get_str(doc, "title")));
	json_object_object_add(*out, "state", jstr(doc_get_str(doc, "state")));
	json_object_object_add(*out, "state_label",
	    jstr(doc_get_str(doc, "state_label")));
	json_object_put(doc);
	return (0);
}
