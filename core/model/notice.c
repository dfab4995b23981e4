/*
 * notice.c: see notice.h.  The table below is the whole of who is told
 * what: one row per event (and action), its recipients, its Vietnamese
 * subject and body.  A new action in the workflow that should tell someone
 * is one more row.
 *
 * Storage (store.h): notices holds u64 id -> the notice's JSON;
 * notice_index holds
 *   'u' str user, u64 ~id -> ""   every notice of user, newest first
 *   'n' str user, u64 ~id -> ""   the unread ones
 *   'q' u64 next_ts, u64 id -> "" mail to try at next_ts (the outbox)
 *   'd' str user, u64 id -> ""    mail waiting for user's daily digest
 * A notice's "mail" says where its mail is: "none" (no address, mail off,
 * or no --smtp), "queued" (in 'q'), "digest" (in 'd'), "in_digest" (sent
 * as part of digest "digest_id"), "sent", "failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/err.h"
#include "core/util/log.h"
#include "core/model/case.h"
#include "core/model/council.h"
#include "core/model/notice.h"

#define TO_AUTHORS  (1u << 0) /* the case's authors who are users */
#define TO_OFFICERS (1u << 1) /* chair and secretary of the council */
#define TO_CHAIR    (1u << 2) /* the council's chair */
#define TO_MEMBERS  (1u << 3) /* every member of the council */
#define TO_ADMINS   (1u << 4) /* the users with the admin role */
#define TO_HEAD     (1u << 5) /* the head of the unit that recognizes */

/*
 * The notice table.  type is the history event's type (NULL: any event
 * with this action); action narrows case.transition (and any event with
 * an "action"); to is who is told
 * (of the council of the stage the case is at).  In subject and body:
 * {id} the case's number, {title}, {unit}, {state} the state's label,
 * {due} the review's deadline (YYYY-MM-DD), {note} a line with the note
 * if the event has one, {link} a line with the case's page with
 * --public-url.  The actor is never told of their own act.
 */
static const struct notice_rule {
	const char *type;
	const char *action;
	unsigned    to;
	const char *kind; /* the notice's "kind", for clients and tests */
	const char *subject;
	const char *body;
} notice_rules[] = {
	{ "case.transition", "submit", TO_OFFICERS, "arrived",
	    "Hồ sơ sáng kiến mới số {id}: {title}",
	    "Hồ sơ sáng kiến «{title}» (số {id}) của đơn vị {unit} đã được "
	    "nộp và đang chờ Hội đồng tiếp nhận.{link}" },
	{ "case.transition", "nominate", TO_OFFICERS, "arrived",
	    "Đề nghị xét cấp tỉnh: sáng kiến số {id}: {title}",
	    "Sáng kiến «{title}» (số {id}) của đơn vị {unit} được đề nghị "
	    "xét phạm vi ảnh hưởng cấp tỉnh và đang chờ Hội đồng tiếp "
	    "nhận.{link}" },
	{ "case.transition", "accept", TO_AUTHORS, "accepted",
	    "Hồ sơ sáng kiến số {id} đã được tiếp nhận",
	    "Hồ sơ sáng kiến «{title}» (số {id}) đã được tiếp nhận. Hội "
	    "đồng bắt đầu xét; hạn trả lời: {due}.{note}{link}" },
	{ "case.transition", "accept", TO_MEMBERS, "review_started",
	    "Mời xét sáng kiến số {id}: {title}",
	    "Hội đồng bắt đầu xét sáng kiến «{title}» (số {id}) của đơn vị "
	    "{unit}. Hạn xét: {due}.{link}" },
	{ "case.transition", "reopen", TO_MEMBERS, "review_started",
	    "Xét lại sáng kiến số {id}: {title}",
	    "Sáng kiến «{title}» (số {id}) được mở lại để Hội đồng xét. Hạn "
	    "xét: {due}.{note}{link}" },
	{ "case.transition", "return", TO_AUTHORS, "returned",
	    "Hồ sơ sáng kiến số {id} bị trả lại để bổ sung",
	    "Hồ sơ sáng kiến «{title}» (số {id}) được trả lại để bổ sung; "
	    "trạng thái: {state}.{note}{link}" },
	{ "case.transition", "revoke", TO_AUTHORS, "revoked",
	    "Sáng kiến số {id} bị thu hồi",
	    "Sáng kiến «{title}» (số {id}) bị thu hồi.{note}{link}" },
	{ "case.decided", NULL, TO_AUTHORS, "decided",
	    "Kết quả xét sáng kiến số {id}: {state}",
	    "Hội đồng đã xét sáng kiến «{title}» (số {id}). Kết quả: "
	    "{state}.{note}{link}" },
	/* The council recommends; the head of the unit (council_head_unit)
	 * decides within the three months (Điều lệ sáng kiến, Điều 7). */
	{ "case.decided", NULL, TO_HEAD, "recommended",
	    "Chờ quyết định công nhận sáng kiến số {id}: {title}",
	    "Hội đồng đã có kiến nghị về sáng kiến «{title}» (số {id}) của "
	    "đơn vị {unit}: {state}. Xin xem xét và ký quyết định công nhận "
	    "hoặc không công nhận.{note}{link}" },
	/* The head of the unit's decision (issue 16's case.recognize; the
	 * event's type is whatever that op appends, its action "recognize"). */
	{ NULL, "recognize", TO_AUTHORS, "recognized",
	    "Quyết định về sáng kiến số {id}: {state}",
	    "Thủ trưởng đơn vị đã quyết định về sáng kiến «{title}» (số "
	    "{id}): {state}.{note}{link}" },
	{ "case.due_soon", NULL, TO_MEMBERS, "due_soon",
	    "Sắp đến hạn xét sáng kiến số {id}",
	    "Sáng kiến «{title}» (số {id}) phải được xét xong trước {due}. "
	    "Xin chấm điểm nếu chưa chấm.{link}" },
	{ "case.overdue", NULL, TO_CHAIR | TO_ADMINS, "overdue",
	    "Quá hạn xét sáng kiến số {id}",
	    "Sáng kiến «{title}» (số {id}) của đơn vị {unit} đã quá hạn xét "
	    "({due}) mà Hội đồng chưa có kết luận.{link}" },
};

#define NRULES (sizeof(notice_rules) / sizeof(notice_rules[0]))

/* The most people one event tells. */
#define MAX_TOLD 128

/*
 * Keys.
 */

static void
index_key(struct store_key *k, char tag, const char *user, uint64_t id)
{
	store_key_init(k);
	store_key_bytes(k, &tag, 1);
	if (user != NULL) {
		store_key_str(k, user);
	}
	if (id != 0) {
		store_key_u64(k, tag == 'u' || tag == 'n' ? UINT64_MAX - id : id);
	}
}

static void
queue_key(struct store_key *k, int64_t at, uint64_t id)
{
	char tag = 'q';
	store_key_init(k);
	store_key_bytes(k, &tag, 1);
	store_key_u64(k, (uint64_t) (at < 0 ? 0 : at));
	store_key_u64(k, id);
}

static int
index_put(struct op_ctx *ctx, const struct store_key *k)
{
	return (store_put(ctx->txn, ctx->st, DB_NOTICE_INDEX, k->b, k->len, "",
	    0));
}

static int
index_del(struct op_ctx *ctx, const struct store_key *k)
{
	int rv = store_del(ctx->txn, ctx->st, DB_NOTICE_INDEX, k->b, k->len);
	return (rv == SK_ENOTFOUND ? 0 : rv);
}

int
notice_load(MDB_txn *txn, struct store *st, uint64_t id, json_object **out)
{
	struct store_key k;
	MDB_val          v;
	int              rv;

	store_key_init(&k);
	store_key_u64(&k, id);
	if ((rv = store_get(txn, st, DB_NOTICES, k.b, k.len, &v)) != 0) {
		return (rv);
	}
	return ((*out = store_json(&v)) == NULL ? SK_EINTERNAL : 0);
}

static int
notice_put(struct op_ctx *ctx, uint64_t id, json_object *n)
{
	struct store_key k;
	size_t           len;
	const char      *text = util_json_text(n, &len);

	store_key_init(&k);
	store_key_u64(&k, id);
	return (store_put(ctx->txn, ctx->st, DB_NOTICES, k.b, k.len, text, len));
}

/*
 * Rendering.
 */

struct render {
	char  *buf;
	size_t len, cap;
};

static void
put_bytes(struct render *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t cap = (r->cap ? r->cap * 2 : 256) + n;
		char  *b   = realloc(r->buf, cap);
		if (b == NULL) {
			return;
		}
		r->buf = b;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	r->buf[r->len] = '\0';
}

static void
put_str(struct render *r, const char *s)
{
	put_bytes(r, s ? s : "", strlen(s ? s : ""));
}

struct fields {
	char        id[24];
	const char *title, *unit, *state, *due, *note;
	char        link[600];
};

/* The template with fields in place; malloc'd, or NULL. */
static char *
render(const char *tmpl, const struct fields *f)
{
	struct render r = { 0 };
	char          due[11];

	snprintf(due, sizeof(due), "%s", f->due && *f->due ? f->due : "—");
	for (const char *p = tmpl; *p;) {
		const char *open = strchr(p, '{'), *close;
		if (open == NULL || (close = strchr(open, '}')) == NULL) {
			put_str(&r, p);
			break;
		}
		put_bytes(&r, p, (size_t) (open - p));
		size_t      n = (size_t) (close - open - 1);
		const char *name = open + 1;
#define IS(s) (n == strlen(s) && strncmp(name, s, n) == 0)
		if (IS("id")) {
			put_str(&r, f->id);
		} else if (IS("title")) {
			put_str(&r, f->title);
		} else if (IS("unit")) {
			put_str(&r, f->unit);
		} else if (IS("state")) {
			put_str(&r, f->state);
		} else if (IS("due")) {
			put_str(&r, due);
		} else if (IS("note")) {
			if (f->note != NULL && *f->note) {
				put_str(&r, "\nGhi chú: ");
				put_str(&r, f->note);
			}
		} else if (IS("link")) {
			if (f->link[0]) {
				put_str(&r, "\n\nXem hồ sơ: ");
				put_str(&r, f->link);
			}
		}
#undef IS
		p = close + 1;
	}
	if (r.buf == NULL) {
		r.buf = strdup("");
	}
	return (r.buf);
}

/*
 * Who is told.
 */

struct told {
	const char *who[MAX_TOLD];
	size_t      n;
	json_object *keep; /* holds the strings */
};

static void
tell(struct told *t, const char *actor, const char *user)
{
	if (user == NULL || *user == '\0' || strcmp(user, actor) == 0 ||
	    t->n == MAX_TOLD) {
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->who[i], user) == 0) {
			return;
		}
	}
	json_object *s = json_object_new_string(user);
	json_object_array_add(t->keep, s);
	t->who[t->n++] = json_object_get_string(s);
}

/* The stage whose council a case in state answers to. */
static const char *
stage_of(const char *state)
{
	if (state == NULL) {
		return ("unit");
	}
	return (strncmp(state, "province", 8) == 0 ||
	            strcmp(state, "nominated") == 0 ||
	            strcmp(state, "recognized") == 0
	        ? "province"
	        : "unit");
}

/* Tells every user with role (and of unit, unless NULL). */
static int
add_users(struct op_ctx *ctx, struct told *t, const char *actor,
    const char *role, const char *unit)
{
	struct store_scan it;
	MDB_val           k, v;
	int               rv;

	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_USERS, NULL,
	         NULL)) != 0) {
		return (rv);
	}
	while ((rv = store_scan_next(&it, &k, &v)) == 0) {
		json_object *u = store_json(&v), *roles;
		const char  *uu = doc_get_str(u, "unit");
		if (u != NULL && json_object_object_get_ex(u, "roles", &roles) &&
		    json_has_str(roles, role) &&
		    (unit == NULL || (uu != NULL && strcmp(uu, unit) == 0))) {
			tell(t, actor, doc_get_str(u, "id"));
		}
		json_object_put(u);
	}
	store_scan_end(&it);
	return (rv == STORE_SCAN_END ? 0 : rv);
}

static int
recipients(struct op_ctx *ctx, unsigned to, json_object *doc,
    const char *actor, struct told *t)
{
	json_object *arr;

	if ((to & TO_AUTHORS) &&
	    json_object_object_get_ex(doc, "author_users", &arr)) {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			tell(t, actor, json_object_get_string(
			                   json_object_array_get_idx(arr, i)));
		}
	}
	if (to & (TO_OFFICERS | TO_CHAIR | TO_MEMBERS)) {
		json_object *c = case_council(
		    ctx, doc, stage_of(doc_get_str(doc, "state")));
		json_object *members;
		if (c != NULL &&
		    json_object_object_get_ex(c, "members", &members)) {
			for (size_t i = 0; i < json_object_array_length(members);
			     i++) {
				json_object *m = json_object_array_get_idx(members, i);
				const char  *role = doc_get_str(m, "role");
				bool chair = role && strcmp(role, "chair") == 0;
				bool sec = role && strcmp(role, "secretary") == 0;
				if ((to & TO_MEMBERS) || ((to & TO_CHAIR) && chair) ||
				    ((to & TO_OFFICERS) && (chair || sec))) {
					tell(t, actor, doc_get_str(m, "user"));
				}
			}
		}
		json_object_put(c);
	}
	if (to & TO_HEAD) {
		json_object *c = case_council(
		    ctx, doc, stage_of(doc_get_str(doc, "state")));
		char         unit[PROTO_MAX_ID + 1];
		int          rv = c != NULL && council_head_unit(ctx, c, unit) == 0
		             ? add_users(ctx, t, actor, "head", unit)
		             : 0;
		json_object_put(c);
		if (rv != 0) {
			return (rv);
		}
	}
	if (to & TO_ADMINS) {
		return (add_users(ctx, t, actor, "admin", NULL));
	}
	return (0);
}

/*
 * Recording.
 */

static int
next_id(struct op_ctx *ctx, uint64_t *id)
{
	uint64_t last = 0;
	int      rv;
	if ((rv = store_meta_u64(ctx->txn, ctx->st, "next_notice", &last)) !=
	    0) {
		return (rv);
	}
	*id = last + 1;
	return (store_meta_set_u64(ctx->txn, ctx->st, "next_notice", *id));
}

static void
message_id(struct op_ctx *ctx, json_object *n, uint64_t id, int gen)
{
	char buf[300];
	snprintf(buf, sizeof(buf), "<sangkien.%llu.%d.%lld@%s>",
	    (unsigned long long) id, gen, (long long) ctx->now,
	    ctx->env->mail_domain ? ctx->env->mail_domain : "sangkien.invalid");
	json_object_object_add(n, "message_id", json_object_new_string(buf));
}

/* Queues n's mail to be tried at `at` (it is in no queue now). */
static int
enqueue(struct op_ctx *ctx, json_object *n, uint64_t id, int64_t at)
{
	struct store_key k;
	queue_key(&k, at, id);
	json_object_object_add(n, "mail", json_object_new_string("queued"));
	json_object_object_add(n, "next_ts", json_object_new_int64(at));
	return (index_put(ctx, &k));
}

/* Where the mail of a notice to user goes: "queued", "digest", "none". */
static const char *
mail_route(struct op_ctx *ctx, json_object *user, const char **email)
{
	const char *mode = doc_get_str(user, "notify");
	*email           = doc_get_str(user, "email");
	if (!ctx->env->mail_on || *email == NULL || **email == '\0' ||
	    (mode != NULL && strcmp(mode, "off") == 0)) {
		return ("none");
	}
	return (mode != NULL && strcmp(mode, "daily") == 0 ? "digest"
	                                                   : "queued");
}

static int
record(struct op_ctx *ctx, const char *user, uint64_t case_id,
    const char *kind, const char *subject, const char *body, const char *url)
{
	json_object     *u = NULL, *n;
	const char      *email, *route;
	struct store_key k;
	uint64_t         id;
	int              rv;

	if (store_doc_get(ctx->txn, ctx->st, DB_USERS, user, &u) != 0) {
		return (0); /* not a user (an author without an account) */
	}
	if ((rv = next_id(ctx, &id)) != 0) {
		json_object_put(u);
		return (rv);
	}
	route = mail_route(ctx, u, &email);
	n     = json_object_new_object();
	json_object_object_add(n, "id", json_object_new_int64((int64_t) id));
	json_object_object_add(n, "user", json_object_new_string(user));
	json_object_object_add(n, "case", json_object_new_int64((int64_t) case_id));
	json_object_object_add(n, "kind", json_object_new_string(kind));
	json_object_object_add(n, "subject", json_object_new_string(subject));
	json_object_object_add(n, "body", json_object_new_string(body));
	if (url != NULL) {
		json_object_object_add(n, "url", json_object_new_string(url));
	}
	json_object_object_add(n, "created_at", json_time(ctx->now));
	json_object_object_add(n, "read", json_object_new_boolean(false));
	json_object_object_add(n, "mail", json_object_new_string(route));
	if (strcmp(route, "none") != 0) {
		json_object_object_add(n, "email", json_object_new_string(email));
		json_object_object_add(n, "attempts", json_object_new_int(0));
		message_id(ctx, n, id, 0);
	}
	json_object_put(u);
	rv = 0;
	if (strcmp(route, "queued") == 0) {
		rv = enqueue(ctx, n, id, ctx->now);
	} else if (strcmp(route, "digest") == 0) {
		index_key(&k, 'd', user, id);
		rv = index_put(ctx, &k);
	}
	if (rv == 0) {
		index_key(&k, 'u', user, id);
		rv = index_put(ctx, &k);
	}
	if (rv == 0) {
		index_key(&k, 'n', user, id);
		rv = index_put(ctx, &k);
	}
	if (rv == 0) {
		rv = notice_put(ctx, id, n);
	}
	json_object_put(n);
	return (rv);
}

static bool
rule_matches(const struct notice_rule *r, const char *type,
    const char *action)
{
	if (r->type != NULL && strcmp(r->type, type) != 0) {
		return (false);
	}
	if (r->type == NULL && r->action == NULL) {
		return (false);
	}
	return (r->action == NULL ||
	    (action != NULL && strcmp(r->action, action) == 0));
}

static void
case_link(struct op_ctx *ctx, uint64_t id, char *buf, size_t len)
{
	const char *base = ctx->env->public_url;
	buf[0]           = '\0';
	if (base != NULL && *base) {
		size_t n = strlen(base);
		snprintf(buf, len, "%.*s/#/case/%llu",
		    (int) (base[n - 1] == '/' ? n - 1 : n), base,
		    (unsigned long long) id);
	}
}

int
notice_on_event(struct op_ctx *ctx, const char *type, json_object *ev)
{
	const char  *action = doc_get_str(ev, "action");
	const char  *actor  = doc_get_str(ev, "actor");
	uint64_t     cid    = (uint64_t) doc_get_int(ev, "case", 0);
	json_object *doc    = NULL;
	int          rv     = 0;
	size_t       i;

	for (i = 0; i < NRULES && !rule_matches(&notice_rules[i], type, action);
	     i++) {
	}
	if (i == NRULES || cid == 0) {
		return (0);
	}
	if (store_case_get(ctx->txn, ctx->st, cid, &doc) != 0) {
		return (0); /* no case: nothing to tell */
	}
	struct fields f = { 0 };
	snprintf(f.id, sizeof(f.id), "%llu", (unsigned long long) cid);
	f.title = doc_get_str(doc, "title");
	f.unit  = doc_get_str(doc, "unit");
	json_object *unit = NULL;
	if (f.unit != NULL &&
	    store_doc_view(ctx->txn, ctx->st, DB_UNITS, f.unit, &unit) == 0 &&
	    doc_get_str(unit, "name") != NULL) {
		f.unit = doc_get_str(unit, "name");
	}
	f.state = doc_get_str(doc, "state_label");
	f.due   = doc_get_str(ev, "due_at") ?: doc_get_str(doc, "due_at");
	f.note  = doc_get_str(ev, "note");
	char due[11] = "";
	if (f.due != NULL) {
		snprintf(due, sizeof(due), "%s", f.due);
		f.due = due;
	}
	case_link(ctx, cid, f.link, sizeof(f.link));

	for (; i < NRULES && rv == 0; i++) {
		const struct notice_rule *r = &notice_rules[i];
		struct told               t = { .keep = json_object_new_array() };
		if (!rule_matches(r, type, action)) {
			json_object_put(t.keep);
			continue;
		}
		char *subject = render(r->subject, &f);
		char *body    = render(r->body, &f);
		if (subject == NULL || body == NULL) {
			rv = SK_EINTERNAL;
		} else {
			rv = recipients(ctx, r->to, doc, actor ? actor : "", &t);
		}
		for (size_t j = 0; rv == 0 && j < t.n; j++) {
			rv = record(ctx, t.who[j], cid, r->kind, subject, body,
			    f.link[0] ? f.link : NULL);
		}
		free(subject);
		free(body);
		json_object_put(t.keep);
	}
	json_object_put(unit);
	json_object_put(doc);
	if (rv != 0) {
		return (proto_fail(ctx->err, rv, "cannot record the notices of %s",
		    type));
	}
	return (0);
}

/*
 * The outbox.
 */

int
notice_mail_due(MDB_txn *txn, struct store *st, int64_t now, bool all,
    uint64_t *ids, size_t max, size_t *n)
{
	struct store_scan it;
	struct store_key  p;
	MDB_val           k, v;
	char              tag = 'q';
	int               rv;

	*n = 0;
	store_key_init(&p);
	store_key_bytes(&p, &tag, 1);
	if ((rv = store_scan_begin(&it, txn, st, DB_NOTICE_INDEX, &p, NULL)) !=
	    0) {
		return (rv);
	}
	while (*n < max && (rv = store_scan_next(&it, &k, &v)) == 0) {
		const unsigned char *b = k.mv_data;
		if (k.mv_size != 17) {
			continue;
		}
		if (!all && (int64_t) store_u64_at(b + 1) > now) {
			break;
		}
		ids[(*n)++] = store_u64_at(b + 9);
	}
	store_scan_end(&it);
	return (rv == STORE_SCAN_END || rv == 0 ? 0 : rv);
}

/* 30 s, doubling, at most an hour. */
static int64_t
backoff(int64_t attempts)
{
	int64_t s = 30;
	for (int64_t i = 1; i < attempts && s < 3600; i++) {
		s *= 2;
	}
	return (s > 3600 ? 3600 : s);
}

int
notice_mail_result(struct op_ctx *ctx, uint64_t id, bool sent,
    const char *error)
{
	json_object     *n;
	struct store_key k;
	int              rv;

	if (notice_load(ctx->txn, ctx->st, id, &n) != 0) {
		return (0);
	}
	const char *mail = doc_get_str(n, "mail");
	if (mail == NULL || strcmp(mail, "queued") != 0) {
		json_object_put(n); /* resent or changed meanwhile */
		return (0);
	}
	int64_t attempts = doc_get_int(n, "attempts", 0) + 1;
	queue_key(&k, doc_get_int(n, "next_ts", 0), id);
	if ((rv = index_del(ctx, &k)) != 0) {
		json_object_put(n);
		return (rv);
	}
	json_object_object_add(n, "attempts", json_object_new_int64(attempts));
	if (sent) {
		json_object_object_add(n, "mail", json_object_new_string("sent"));
		json_object_object_add(n, "sent_at", json_time(ctx->now));
		json_object_object_del(n, "next_ts");
		json_object_object_del(n, "error");
	} else {
		json_object_object_add(n, "error",
		    json_object_new_string(error ? error : "unknown error"));
		if (attempts >= NOTICE_MAX_ATTEMPTS) {
			json_object_object_add(
			    n, "mail", json_object_new_string("failed"));
			json_object_object_del(n, "next_ts");
		} else if ((rv = enqueue(ctx, n, id,
		                ctx->now + backoff(attempts))) != 0) {
			json_object_put(n);
			return (rv);
		}
	}
	rv = notice_put(ctx, id, n);
	json_object_put(n);
	return (rv);
}

int
notice_resend(struct op_ctx *ctx, uint64_t id)
{
	json_object     *n, *u = NULL;
	struct store_key k;
	const char      *email = NULL;
	int              rv;

	if ((rv = notice_load(ctx->txn, ctx->st, id, &n)) != 0) {
		return (proto_fail(ctx->err, rv, "no notice %llu",
		    (unsigned long long) id));
	}
	const char *user = doc_get_str(n, "user");
	if (user != NULL &&
	    store_doc_get(ctx->txn, ctx->st, DB_USERS, user, &u) == 0) {
		email = doc_get_str(u, "email");
	}
	if (email == NULL || *email == '\0') {
		json_object_put(u);
		json_object_put(n);
		return (proto_fail(ctx->err, SK_ECONFLICT,
		    "user %s has no e-mail address; set one with user.put "
		    "first",
		    user ? user : "?"));
	}
	if (!ctx->env->mail_on) {
		json_object_put(u);
		json_object_put(n);
		return (proto_fail(ctx->err, SK_ECONFLICT,
		    "sangkiend sends no mail: start it with --smtp"));
	}
	json_object_object_add(n, "email", json_object_new_string(email));
	json_object_put(u);
	const char *mail = doc_get_str(n, "mail");
	rv               = 0;
	if (mail != NULL && strcmp(mail, "queued") == 0) {
		queue_key(&k, doc_get_int(n, "next_ts", 0), id);
		rv = index_del(ctx, &k);
	} else if (mail != NULL && strcmp(mail, "digest") == 0) {
		index_key(&k, 'd', user, id);
		rv = index_del(ctx, &k);
	}
	int gen = (int) doc_get_int(n, "resends", 0) + 1;
	json_object_object_add(n, "resends", json_object_new_int(gen));
	json_object_object_add(n, "attempts", json_object_new_int(0));
	json_object_object_del(n, "error");
	/* A delivered mail sent again is a new message: mail stores drop
	 * a repeated Message-ID. */
	if (mail != NULL && strcmp(mail, "sent") == 0) {
		message_id(ctx, n, id, gen);
	} else if (doc_get_str(n, "message_id") == NULL) {
		message_id(ctx, n, id, 0);
	}
	if (rv == 0) {
		rv = enqueue(ctx, n, id, ctx->now);
	}
	if (rv == 0) {
		rv = notice_put(ctx, id, n);
	}
	if (rv == 0) {
		json_object_object_del(n, "next_ts");
		ctx->result = n;
		return (0);
	}
	json_object_put(n);
	return (proto_fail(ctx->err, rv, "cannot queue notice %llu",
	    (unsigned long long) id));
}

/*
 * The daily digest.
 */

int64_t
notice_digest_at(MDB_txn *txn, struct store *st)
{
	uint64_t at = 0;
	if (store_meta_u64(txn, st, "notice_digest_at", &at) != 0 || at == 0) {
		return (-1);
	}
	return ((int64_t) at);
}

static int64_t
next_digest(int64_t now)
{
	int64_t day = now - now % 86400 + NOTICE_DIGEST_HOUR_UTC * 3600;
	return (day > now ? day : day + 86400);
}

/* One user's digest of the notices ids (a JSON array). */
static int
digest_user(struct op_ctx *ctx, const char *user, json_object *ids)
{
	json_object     *u = NULL, *d;
	const char      *email, *route;
	struct render    body = { 0 };
	struct store_key k;
	uint64_t         did = 0;
	char             subject[160], date[16];
	int              rv  = 0;
	size_t           nids = json_object_array_length(ids);

	if (store_doc_get(ctx->txn, ctx->st, DB_USERS, user, &u) != 0) {
		u = json_object_new_object();
	}
	route = mail_route(ctx, u, &email);
	if (strcmp(route, "none") != 0 && (rv = next_id(ctx, &did)) != 0) {
		json_object_put(u);
		return (rv);
	}
	time_t    t = (time_t) (ctx->now + 7 * 3600);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%d/%m/%Y", &tm);
	snprintf(subject, sizeof(subject), "Tóm tắt thông báo ngày %s (%zu)",
	    date, nids);
	put_str(&body, "Các thông báo mới của bạn trên hệ thống sáng kiến:\n");
	for (size_t i = 0; i < nids; i++) {
		uint64_t     id = (uint64_t) json_object_get_int64(
                    json_object_array_get_idx(ids, i));
		json_object *n;
		if (notice_load(ctx->txn, ctx->st, id, &n) != 0) {
			continue;
		}
		put_str(&body, "\n- ");
		put_str(&body, doc_get_str(n, "subject"));
		if (doc_get_str(n, "url") != NULL) {
			put_str(&body, "\n  ");
			put_str(&body, doc_get_str(n, "url"));
		}
		index_key(&k, 'd', user, id);
		if ((rv = index_del(ctx, &k)) == 0) {
			if (did != 0) {
				json_object_object_add(n, "mail",
				    json_object_new_string("in_digest"));
				json_object_object_add(n, "digest_id",
				    json_object_new_int64((int64_t) did));
			} else {
				json_object_object_add(
				    n, "mail", json_object_new_string("none"));
			}
			rv = notice_put(ctx, id, n);
		}
		json_object_put(n);
		if (rv != 0) {
			break;
		}
	}
	if (rv == 0 && did != 0) {
		d = json_object_new_object();
		json_object_object_add(d, "id", json_object_new_int64((int64_t) did));
		json_object_object_add(d, "user", json_object_new_string(user));
		json_object_object_add(d, "kind", json_object_new_string("digest"));
		json_object_object_add(d, "subject", json_object_new_string(subject));
		json_object_object_add(d, "body",
		    json_object_new_string(body.buf ? body.buf : ""));
		json_object_object_add(d, "notices", json_object_get(ids));
		json_object_object_add(d, "created_at", json_time(ctx->now));
		json_object_object_add(d, "email", json_object_new_string(email));
		json_object_object_add(d, "attempts", json_object_new_int(0));
		message_id(ctx, d, did, 0);
		if ((rv = enqueue(ctx, d, did, ctx->now)) == 0) {
			rv = notice_put(ctx, did, d);
		}
		json_object_put(d);
	}
	free(body.buf);
	json_object_put(u);
	return (rv);
}

int
notice_digest(struct op_ctx *ctx)
{
	struct store_scan it;
	struct store_key  p;
	MDB_val           k, v;
	char              tag = 'd';
	int64_t           at  = notice_digest_at(ctx->txn, ctx->st);
	json_object      *by  = NULL;
	int               rv;

	if (at >= 0 && at > ctx->now) {
		return (0);
	}
	if (at >= 0) {
		/* Gather first: the digests delete what the scan walks. */
		by = json_object_new_object();
		store_key_init(&p);
		store_key_bytes(&p, &tag, 1);
		if ((rv = store_scan_begin(&it, ctx->txn, ctx->st,
		         DB_NOTICE_INDEX, &p, NULL)) != 0) {
			json_object_put(by);
			return (rv);
		}
		while ((rv = store_scan_next(&it, &k, &v)) == 0) {
			const unsigned char *b = k.mv_data;
			size_t               ul;
			char                 user[256];
			if (k.mv_size < 2 || k.mv_size != 2 + (ul = b[1]) + 8) {
				continue;
			}
			memcpy(user, b + 2, ul);
			user[ul] = '\0';
			json_object *list;
			if (!json_object_object_get_ex(by, user, &list)) {
				list = json_object_new_array();
				json_object_object_add(by, user, list);
			}
			json_object_array_add(list,
			    json_object_new_int64((int64_t) store_u64_at(b + 2 + ul)));
		}
		store_scan_end(&it);
		if (rv != STORE_SCAN_END) {
			json_object_put(by);
			return (rv);
		}
		rv = 0;
		json_object_object_foreach(by, user, ids)
		{
			if (rv == 0) {
				rv = digest_user(ctx, user, ids);
			}
		}
		json_object_put(by);
		if (rv != 0) {
			return (rv);
		}
	}
	return (store_meta_set_u64(ctx->txn, ctx->st, "notice_digest_at",
	    (uint64_t) next_digest(ctx->now)));
}

/*
 * The application's list.
 */

bool
notice_mode_valid(const char *s)
{
	return (strcmp(s, "now") == 0 || strcmp(s, "daily") == 0 ||
	    strcmp(s, "off") == 0);
}

bool
notice_email_valid(const char *s)
{
	const char *at = strchr(s, '@');
	size_t      len = strlen(s);

	if (len < 3 || len > 254 || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || at - s > 64) {
		return (false);
	}
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char) *p;
		/* Nothing that quotes, separates or ends a header. */
		if (c <= ' ' || c >= 0x7f || strchr("\"(),:;<>[\\]", c)) {
			return (false);
		}
	}
	const char *dom = at + 1, *dot = strrchr(dom, '.');
	return (dot != NULL && dot != dom && dot[1] != '\0' && dom[0] != '.' &&
	    strstr(s, "..") == NULL && s[0] != '.' && at[-1] != '.');
}

uint64_t
notice_unread(MDB_txn *txn, struct store *st, const char *user)
{
	struct store_scan it;
	struct store_key  p;
	MDB_val           k, v;
	uint64_t          n = 0;

	index_key(&p, 'n', user, 0);
	if (store_scan_begin(&it, txn, st, DB_NOTICE_INDEX, &p, NULL) != 0) {
		return (0);
	}
	while (store_scan_next(&it, &k, &v) == 0) {
		n++;
	}
	store_scan_end(&it);
	return (n);
}

/* What a user's list shows of a notice (a new object). */
static json_object *
list_item(json_object *n)
{
	static const char *const keep[] = { "id", "case", "kind", "subject",
		"body", "url", "created_at", "read", "read_at", NULL };
	json_object *out = json_object_new_object();
	for (const char *const *f = keep; *f; f++) {
		json_object *v;
		if (json_object_object_get_ex(n, *f, &v)) {
			json_object_object_add(out, *f, json_object_get(v));
		}
	}
	return (out);
}

int
notice_list(struct op_ctx *ctx, const char *user, bool unread_only,
    uint64_t before, uint64_t limit, json_object *items)
{
	struct store_scan it;
	struct store_key  p, from;
	MDB_val           k, v;
	int               rv;

	index_key(&p, unread_only ? 'n' : 'u', user, 0);
	if (before > 1) {
		index_key(&from, unread_only ? 'n' : 'u', user, before - 1);
	}
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_NOTICE_INDEX, &p,
	         before > 1 ? &from : NULL)) != 0) {
		return (rv);
	}
	while (json_object_array_length(items) < limit &&
	    (rv = store_scan_next(&it, &k, &v)) == 0) {
		uint64_t     id = UINT64_MAX -
		    store_u64_at((const unsigned char *) k.mv_data + k.mv_size - 8);
		json_object *n;
		if (before == 1 || notice_load(ctx->txn, ctx->st, id, &n) != 0) {
			continue;
		}
		json_object_array_add(items, list_item(n));
		json_object_put(n);
	}
	store_scan_end(&it);
	return (rv == 0 || rv == STORE_SCAN_END ? 0 : rv);
}

static int
mark_one(struct op_ctx *ctx, const char *user, uint64_t id)
{
	json_object     *n;
	struct store_key k;
	int              rv;

	if ((rv = notice_load(ctx->txn, ctx->st, id, &n)) != 0) {
		return (rv);
	}
	if (doc_get_str(n, "user") == NULL ||
	    strcmp(doc_get_str(n, "user"), user) != 0 ||
	    strcmp(doc_get_str(n, "kind") ?: "", "digest") == 0) {
		json_object_put(n);
		return (SK_ENOTFOUND);
	}
	json_object *read = json_object_object_get(n, "read");
	if (read == NULL || !json_object_get_boolean(read)) {
		json_object_object_add(n, "read", json_object_new_boolean(true));
		json_object_object_add(n, "read_at", json_time(ctx->now));
		index_key(&k, 'n', user, id);
		if ((rv = index_del(ctx, &k)) == 0) {
			rv = notice_put(ctx, id, n);
		}
	}
	json_object_put(n);
	return (rv);
}

int
notice_mark_read(struct op_ctx *ctx, const char *user, uint64_t id)
{
	struct store_scan it;
	struct store_key  p;
	MDB_val           k, v;
	int               rv;

	if (id != 0) {
		return (mark_one(ctx, user, id));
	}
	index_key(&p, 'n', user, 0);
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_NOTICE_INDEX, &p,
	         NULL)) != 0) {
		return (rv);
	}
	/* From the first each time: marking deletes the key. */
	for (; (rv = store_scan_next(&it, &k, &v)) == 0;
	     store_scan_restart(&it)) {
		uint64_t nid = UINT64_MAX -
		    store_u64_at((const unsigned char *) k.mv_data + k.mv_size - 8);
		if ((rv = mark_one(ctx, user, nid)) != 0) {
			break;
		}
	}
	store_scan_end(&it);
	return (rv == 0 || rv == STORE_SCAN_END ? 0 : rv);
}

int
notice_outbox(struct op_ctx *ctx, const char *state, uint64_t limit,
    json_object *items, json_object *counts)
{
	struct store_scan it;
	MDB_val           k, v;
	json_object      *newest = json_object_new_array();
	int               rv;

	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_NOTICES, NULL,
	         NULL)) != 0) {
		json_object_put(newest);
		return (rv);
	}
	while ((rv = store_scan_next(&it, &k, &v)) == 0) {
		json_object *n = store_json(&v);
		const char  *mail = n ? doc_get_str(n, "mail") : NULL;
		if (mail == NULL) {
			json_object_put(n);
			continue;
		}
		json_object_object_add(counts, mail,
		    json_object_new_int64(
		        doc_get_int(counts, mail, 0) + 1));
		if (state != NULL && strcmp(state, mail) != 0) {
			json_object_put(n);
			continue;
		}
		json_object_object_del(n, "body");
		json_object_object_del(n, "next_ts");
		json_object_array_add(newest, n);
		/* Keep the last `limit` only. */
		if (json_object_array_length(newest) > limit) {
			json_object_array_del_idx(newest, 0, 1);
		}
	}
	store_scan_end(&it);
	for (size_t i = json_object_array_length(newest); i > 0; i--) {
		json_object_array_add(items,
		    json_object_get(json_object_array_get_idx(newest, i - 1)));
	}
	json_object_put(newest);
	return (rv == STORE_SCAN_END ? 0 : rv);
}
