/*
 * case.c: the case half of the op table: filing, editing, reading,
 * listing and moving initiatives through the workflow.  The handlers check
 * the request and decide what changes; the case model (model/case.c) loads
 * the case, says who may see what, and saves every change the same way
 * (case_save).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/printbuf.h>

#include "core/util/err.h"
#include "core/util/log.h"
#include "core/model/case.h"
#include "core/model/form.h"
#include "core/model/round.h"
#include "core/model/similar.h"
#include "core/model/unit.h"
#include "core/ops/ops.h"
#include "core/model/timers.h"
#include "core/model/workflow.h"

#define TITLE_MAX_CHARS 300
#define FIELD_MAX_CHARS 100
#define OWNER_MAX_CHARS 300
#define NOTE_MAX_CHARS 4000
#define SECTION_MAX_BYTES (64 * 1024)
#define AUTHORS_MAX 20
#define LIST_DEFAULT 50
#define LIST_MAX 500

/*
 * Validation of the fields of an application.  apply_fields copies each
 * field present in args onto doc, checking it; nothing is written unless
 * all are good (the handler's transaction is simply not committed).
 */

static int
check_sections(struct op_ctx *ctx, json_object *in, json_object *doc)
{
	json_object *cur;
	if (!json_object_object_get_ex(doc, "sections", &cur) ||
	    !json_object_is_type(cur, json_type_object)) {
		cur = json_object_new_object();
		json_object_object_add(doc, "sections", cur);
	}
	json_object_object_foreach(in, key, val)
	{
		if (wf_section_index(key) < 0) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "unknown section \"sections.%s\"; the sections are "
			    "status_quo, solution, novelty, applicability, "
			    "benefits, conditions, trial_users",
			    key));
		}
		if (json_object_is_type(val, json_type_null)) {
			json_object_object_del(cur, key);
			continue;
		}
		if (!json_object_is_type(val, json_type_string)) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"sections.%s\" must be a string", key));
		}
		size_t len = (size_t) json_object_get_string_len(val);
		if (len > SECTION_MAX_BYTES) {
			return (proto_fail(ctx->err, SK_ETOOLARGE,
			    "\"sections.%s\" is %zu bytes; at most %d are "
			    "allowed",
			    key, len, SECTION_MAX_BYTES));
		}
		if (memchr(json_object_get_string(val), '\0', len) != NULL) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"sections.%s\" contains a NUL character", key));
		}
		json_object_object_add(cur, key, json_object_get(val));
	}
	return (0);
}

/*
 * An argument helper's error names the key alone ("\"name\" is empty"):
 * name it as the path the form shows, "authors[1].name", so that the web
 * page puts it beside the right author.
 */
static void
author_key_path(struct proto_err *e, size_t i)
{
	char        rest[sizeof(e->msg)];
	const char *q;

	if (e->msg[0] != '"' || (q = strchr(e->msg + 1, '"')) == NULL) {
		return;
	}
	snprintf(rest, sizeof(rest), "%s", e->msg + 1);
	snprintf(e->msg, sizeof(e->msg), "\"authors[%zu].%.*s", i,
	    (int) sizeof(e->msg) - 32, rest);
}

static int
check_authors(struct op_ctx *ctx, json_object *in, json_object **out)
{
	static const char *const keys[] = { FORM_AUTHOR_KEYS, NULL };
	size_t                   n      = json_object_array_length(in);
	int                      rv;

	if (n == 0) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"authors\" must name at least one author"));
	}
	if (n > AUTHORS_MAX) {
		return (proto_fail(ctx->err, SK_ETOOLARGE,
		    "\"authors\" has %zu entries; at most %d are allowed", n,
		    AUTHORS_MAX));
	}
	*out = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(in, i), *share, *u;
		const char  *name = NULL, *user = NULL;
		json_object *copy;

		if (!json_object_is_type(a, json_type_object)) {
			rv = proto_fail(ctx->err, SK_EBADREQ,
			    "\"authors[%zu]\" must be an object {name, user?, "
			    "birth_date, workplace, position, qualification, "
			    "share}",
			    i);
			goto fail;
		}
		if ((rv = proto_check_keys(a, keys, ctx->err)) != 0) {
			size_t l = strlen(ctx->err->msg);
			snprintf(ctx->err->msg + l, sizeof(ctx->err->msg) - l,
			    " (in authors[%zu])", i);
			goto fail;
		}
		if ((rv = arg_name(a, "name", true, TITLE_MAX_CHARS, &name,
		         ctx->err)) != 0 ||
		    (rv = arg_id(a, "user", false, &user, ctx->err)) != 0) {
			author_key_path(ctx->err, i);
			goto fail;
		}
		if (!json_object_object_get_ex(a, "share", &share) ||
		    !(json_object_is_type(share, json_type_int) ||
		        json_object_is_type(share, json_type_double))) {
			rv = proto_fail(ctx->err, SK_EBADREQ,
			    "\"authors[%zu].share\" must be a number (percent)",
			    i);
			goto fail;
		}
		double s = json_object_get_double(share);
		if (!(s > 0 && s <= 100)) {
			rv = proto_fail(ctx->err, SK_EBADREQ,
			    "\"authors[%zu].share\" must be above 0 and at most "
			    "100",
			    i);
			goto fail;
		}
		if (user != NULL) {
			rv = store_doc_get(ctx->txn, ctx->st, DB_USERS, user, &u);
			if (rv != 0) {
				rv = proto_fail(ctx->err, SK_ENOTFOUND,
				    "\"authors[%zu].user\": no user \"%s\"", i,
				    user);
				goto fail;
			}
			json_object_put(u);
		}
		copy = json_object_new_object();
		json_object_object_add(copy, "name", json_object_new_string(name));
		if (user != NULL) {
			json_object_object_add(
			    copy, "user", json_object_new_string(user));
		}
		json_object_array_add(*out, copy);
		if ((rv = form_author_details(ctx, a, i, copy)) != 0) {
			goto fail;
		}
		json_object_object_add(copy, "share", json_object_get(share));
	}
	return (0);
fail:
	json_object_put(*out);
	*out = NULL;
	return (rv);
}

static int
check_confidential(struct op_ctx *ctx, json_object *in)
{
	for (size_t i = 0; i < json_object_array_length(in); i++) {
		json_object *v = json_object_array_get_idx(in, i);
		if (!json_object_is_type(v, json_type_string) ||
		    wf_section_index(json_object_get_string(v)) < 0) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"confidential[%zu]\" must name a section "
			    "(status_quo, solution, novelty, applicability, "
			    "benefits, conditions, trial_users)",
			    i));
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(json_object_get_string(v),
			        json_object_get_string(
			            json_object_array_get_idx(in, j))) == 0) {
				return (proto_fail(ctx->err, SK_EBADREQ,
				    "\"confidential[%zu]\" repeats %s", i,
				    json_object_get_string(v)));
			}
		}
	}
	return (0);
}

/* The users who author the case: listed users, and whoever filed it. */
static void
set_author_users(json_object *doc)
{
	json_object *users = json_object_new_array(), *authors;
	const char  *by    = doc_get_str(doc, "created_by");

	if (json_object_object_get_ex(doc, "authors", &authors)) {
		for (size_t i = 0; i < json_object_array_length(authors); i++) {
			const char *u = doc_get_str(
			    json_object_array_get_idx(authors, i), "user");
			if (u != NULL && !json_has_str(users, u)) {
				json_object_array_add(
				    users, json_object_new_string(u));
			}
		}
	}
	if (by != NULL && strcmp(by, "local-admin") != 0 &&
	    !json_has_str(users, by)) {
		json_object_array_add(users, json_object_new_string(by));
	}
	json_object_object_add(doc, "author_users", users);
}

static int
apply_fields(struct op_ctx *ctx, json_object *doc, bool creating,
    json_object *changed)
{
	const char  *s = NULL;
	json_object *o = NULL;
	int          rv;

#define CHANGED(k) json_object_array_add(changed, json_object_new_string(k))
	if ((rv = arg_name(ctx->args, "title", creating, TITLE_MAX_CHARS, &s,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (s != NULL) {
		json_object_object_add(doc, "title", json_object_new_string(s));
		CHANGED("title");
		s = NULL;
	}
	if ((rv = arg_str(ctx->args, "field", creating, FIELD_MAX_CHARS, &s,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (s != NULL) {
		if (s[0] == '\0') {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"field\" is empty"));
		}
		json_object_object_add(doc, "field", json_object_new_string(s));
		CHANGED("field");
		s = NULL;
	}
	if ((rv = arg_str(ctx->args, "owner", false, OWNER_MAX_CHARS, &s,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (s != NULL) {
		json_object_object_add(doc, "owner", json_object_new_string(s));
		CHANGED("owner");
		s = NULL;
	}
	if ((rv = arg_str(ctx->args, "first_applied", creating, 0, &s,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (s != NULL) {
		if (!util_date_valid(s)) {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"first_applied\" must be a date YYYY-MM-DD, got "
			    "\"%.40s\"",
			    s));
		}
		json_object_object_add(
		    doc, "first_applied", json_object_new_string(s));
		CHANGED("first_applied");
	}
	if ((rv = arg_obj(ctx->args, "sections", creating, &o, ctx->err)) != 0) {
		return (rv);
	}
	if (o != NULL) {
		if ((rv = check_sections(ctx, o, doc)) != 0) {
			return (rv);
		}
		CHANGED("sections");
		o = NULL;
	}
	if ((rv = arg_array(ctx->args, "authors", creating, &o, ctx->err)) !=
	    0) {
		return (rv);
	}
	if (o != NULL) {
		json_object *authors;
		if ((rv = check_authors(ctx, o, &authors)) != 0) {
			return (rv);
		}
		json_object_object_add(doc, "authors", authors);
		CHANGED("authors");
		o = NULL;
	}
	if ((rv = arg_array(ctx->args, "confidential", false, &o, ctx->err)) !=
	    0) {
		return (rv);
	}
	if (o != NULL) {
		if ((rv = check_confidential(ctx, o)) != 0) {
			return (rv);
		}
		json_object_object_add(doc, "confidential", json_object_get(o));
		CHANGED("confidential");
	} else if (creating) {
		json_object_object_add(
		    doc, "confidential", json_object_new_array());
	}
#undef CHANGED
	if ((rv = form_apply(ctx, doc, creating, changed)) != 0) {
		return (rv);
	}
	set_author_users(doc);
	return (0);
}

/* The unit a case is filed in: args.unit, else the principal's own. */
static int
resolve_unit(struct op_ctx *ctx, const char **unit)
{
	json_object *u;
	int          rv;

	*unit = NULL;
	if ((rv = arg_id(ctx->args, "unit", false, unit, ctx->err)) != 0) {
		return (rv);
	}
	if (*unit == NULL) {
		if (ctx->who->unit[0] == '\0') {
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"unit\" is required: %s belongs to no unit",
			    ctx->who->id));
		}
		*unit = ctx->who->unit;
	}
	if (!(ctx->who->roles & ROLE_ADMIN) &&
	    strcmp(*unit, ctx->who->unit) != 0) {
		return (proto_fail(ctx->err, SK_EFORBIDDEN,
		    "you may file cases only in your own unit (%s), not %s",
		    ctx->who->unit, *unit));
	}
	if ((rv = store_doc_view(ctx->txn, ctx->st, DB_UNITS, *unit, &u)) != 0) {
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no unit \"%s\"",
		    *unit));
	}
	json_object_put(u);
	return (0);
}

int
op_case_create(struct op_ctx *ctx)
{
	const char            *unit;
	json_object           *doc, *changed;
	struct store_case_text t = { 0 };
	uint64_t               id;
	int                    rv;

	if ((ctx->who->roles & (ROLE_AUTHOR | ROLE_ADMIN)) == 0) {
		return (proto_fail(ctx->err, SK_EFORBIDDEN,
		    "filing a case needs the author role; %s has not got it",
		    ctx->who->id));
	}
	if ((rv = resolve_unit(ctx, &unit)) != 0) {
		return (rv);
	}
	doc     = json_object_new_object();
	changed = json_object_new_array();
	json_object_object_add(doc, "id", NULL); /* keeps "id" first */
	json_object_object_add(doc, "unit", json_object_new_string(unit));
	json_object_object_add(doc, "created_by",
	    json_object_new_string(ctx->who->id));
	if ((rv = apply_fields(ctx, doc, true, changed)) != 0) {
		json_object_put(doc);
		json_object_put(changed);
		return (rv);
	}
	json_object_put(changed);
	if (doc_get_str(doc, "owner") == NULL) {
		json_object_object_add(doc, "owner", json_object_new_string(unit));
	}
	if ((rv = store_meta_u64(ctx->txn, ctx->st, "next_case", &id)) != 0) {
		json_object_put(doc);
		return (proto_fail(ctx->err, rv, "cannot number the case"));
	}
	id = id == 0 ? 1 : id;
	json_object_object_add(doc, "id", json_object_new_int64((int64_t) id));
	case_set_state(doc, WF_DRAFT);
	json_object_object_add(doc, "version", json_object_new_int(1));
	json_object_object_add(doc, "created_at", json_time(ctx->now));
	json_object_object_add(doc, "updated_at", json_time(ctx->now));
	if ((rv = store_meta_set_u64(ctx->txn, ctx->st, "next_case", id + 1)) !=
	    0) {
		json_object_put(doc);
		return (proto_fail(ctx->err, rv, "cannot store the case"));
	}
	if ((rv = case_save(ctx, NULL, doc, "case.created", NULL, &t)) != 0) {
		free(t.text);
		json_object_put(doc);
		return (rv);
	}
	case_reply(ctx, doc, WF_AUTHOR, &t);
	json_object_put(doc);
	return (0);
}

int
op_case_update(struct op_ctx *ctx)
{
	uint64_t               id  = 0;
	json_object           *doc = NULL, *old, *changed;
	struct store_case_text t   = { 0 };
	unsigned               roles;
	enum wf_state          s;
	int                    rv;

	if ((rv = arg_u64(ctx->args, "id", true, 1, INT64_MAX - 1, &id,
	         ctx->err)) != 0 ||
	    (rv = case_load(ctx, id, &old, &roles)) != 0) {
		return (rv);
	}
	s = wf_state_parse(doc_get_str(old, "state"));
	if (s != WF_DRAFT && s != WF_RETURNED) {
		proto_fail(ctx->err, SK_ETRANSITION,
		    "case %llu is in %s; it can be changed only in draft or "
		    "returned",
		    (unsigned long long) id, wf_state_name(s));
		ctx->err->details = json_object_new_object();
		json_object_object_add(ctx->err->details, "state",
		    json_object_new_string(wf_state_name(s)));
		json_object *allowed = json_object_new_array();
		json_object_array_add(allowed, json_object_new_string("draft"));
		json_object_array_add(allowed, json_object_new_string("returned"));
		json_object_object_add(ctx->err->details, "allowed", allowed);
		json_object_put(old);
		return (SK_ETRANSITION);
	}
	if ((roles & (WF_AUTHOR | WF_ADMIN)) == 0) {
		json_object_put(old);
		return (proto_fail(ctx->err, SK_EFORBIDDEN,
		    "only an author of case %llu may change it",
		    (unsigned long long) id));
	}
	if ((rv = case_check_version(ctx, old)) != 0) {
		json_object_put(old);
		return (rv);
	}
	/* Work on a deep copy: old keeps the index keys to remove. */
	if ((doc = doc_clone(old)) == NULL) {
		json_object_put(old);
		return (proto_fail(ctx->err, SK_EINTERNAL, "out of memory"));
	}
	const char *unit = NULL;
	if (json_object_object_get_ex(ctx->args, "unit", NULL)) {
		if ((rv = resolve_unit(ctx, &unit)) != 0) {
			goto out;
		}
		json_object_object_add(doc, "unit", json_object_new_string(unit));
	}
	changed = json_object_new_array();
	if (unit != NULL) {
		json_object_array_add(changed, json_object_new_string("unit"));
	}
	if ((rv = apply_fields(ctx, doc, false, changed)) != 0) {
		json_object_put(changed);
		goto out;
	}
	case_bump(ctx, doc);
	json_object *extra = json_object_new_object();
	json_object_object_add(extra, "fields", changed);
	if ((rv = case_save(ctx, old, doc, "case.updated", extra, &t)) != 0) {
		goto out;
	}
	case_reply(ctx, doc, roles, &t);
out:
	free(t.text);
	json_object_put(old);
	json_object_put(doc);
	return (rv);
}

/*
 * case.get sends the case's text as it is stored when it can: its list item
 * (case_items) says who may see it and where its internal fields begin.
 * Only a caller outside the case (who may not read its confidential
 * sections nor its people's birth dates) needs it parsed and filtered
 * (case_view); so does a case last written before view_bytes existed.  Sets *sent when done.
 */
static int
case_get_stored(struct op_ctx *ctx, uint64_t id, bool *sent)
{
	struct case_facts f;
	json_object      *ballots;
	struct store_key  k;
	MDB_val           v;
	const char       *bt, *list;
	size_t            bl, vb, ll;
	unsigned          roles;
	char             *out;

	*sent = false;
	if (store_case_facts(ctx->txn, ctx->st, id, &f, &list, &ll) != 0) {
		return (0);
	}
	vb = f.view_bytes;
	store_key_init(&k);
	store_key_u64(&k, id);
	if (vb < 2 || store_get(ctx->txn, ctx->st, DB_CASES, k.b, k.len, &v) !=
	        0 ||
	    v.mv_size <= vb || *(const char *) v.mv_data != '{') {
		return (0);
	}
	roles = case_roles_facts(ctx, &f);
	if (!case_visible_facts(ctx, &f, roles)) {
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no case %llu",
		    (unsigned long long) id));
	}
	if (!case_reads_confidential(roles)) {
		return (0); /* case_view filters sections and birth dates */
	}
	ballots = review_ballots_view_facts(ctx, &f, roles);
	bt      = util_json_text(ballots, &bl);
	if ((out = malloc(vb + bl + 16)) != NULL) {
		memcpy(out, v.mv_data, vb);
		memcpy(out + vb, ",\"ballots\":", 11);
		memcpy(out + vb + 11, bt, bl);
		out[vb + 11 + bl] = '}';
		ctx->result_text  = out;
		ctx->result_len   = vb + 12 + bl;
		*sent             = true;
	}
	json_object_put(ballots);
	return (out != NULL ? 0
	                    : proto_fail(ctx->err, SK_EINTERNAL, "out of memory"));
}

int
op_case_get(struct op_ctx *ctx)
{
	uint64_t     id = 0;
	json_object *doc;
	unsigned     roles;
	bool         sent;
	int          rv;

	if ((rv = arg_u64(ctx->args, "id", true, 1, INT64_MAX - 1, &id,
	         ctx->err)) != 0 ||
	    (rv = case_get_stored(ctx, id, &sent)) != 0 || sent ||
	    (rv = case_load(ctx, id, &doc, &roles)) != 0) {
		return (rv);
	}
	ctx->result = case_view(doc, roles);
	json_object_object_add(
	    ctx->result, "ballots", review_ballots_view(ctx, doc, roles));
	json_object_put(doc);
	return (0);
}

/*
 * Listing: a cursor range over the most selective index the filters allow,
 * starting after the cursor the client passed back.
 */

struct list_filter {
	const char   *unit, *author;
	enum wf_state state;
	/* With subunits: unit and every unit below it, sorted; else NULL. */
	char (*units)[PROTO_MAX_ID + 1];
	size_t nunits;
	const char *round; /* the round (đợt xét) the case belongs to */
};

static int
cmp_id(const void *a, const void *b)
{
	return (strcmp(a, b));
}

/* True if case id belongs to round (the case is read: the list's facts
 * do not carry the round). */
static bool
round_match(struct op_ctx *ctx, uint64_t id, const char *round)
{
	json_object *doc = NULL;
	bool         in;

	in = store_case_get(ctx->txn, ctx->st, id, &doc) == 0 &&
	    strcmp(doc_get_str(doc, "round") ?: "", round) == 0;
	json_object_put(doc);
	return (in);
}

static bool
list_match(struct op_ctx *ctx, const struct case_facts *c,
    const struct list_filter *f)
{
	if (f->state != WF_NONE && wf_state_parse(c->state) != f->state) {
		return (false);
	}
	if (f->units != NULL) {
		if (bsearch(c->unit, f->units, f->nunits, sizeof(*f->units),
		        cmp_id) == NULL) {
			return (false);
		}
	} else if (f->unit != NULL && strcmp(c->unit, f->unit) != 0) {
		return (false);
	}
	if (f->author != NULL && !case_facts_has(c->authors, c->nauthors, f->author)) {
		return (false);
	}
	if (f->round != NULL && !round_match(ctx, c->id, f->round)) {
		return (false);
	}
	/* Cheap answers first: a list may pass over many cases. */
	if ((ctx->who->roles & (ROLE_ADMIN | ROLE_VIEWER)) != 0 ||
	    wf_state_public(wf_state_parse(c->state))) {
		return (true);
	}
	return (case_visible_facts(ctx, c, case_roles_facts(ctx, c)));
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return (x < y ? -1 : x > y);
}

/* Appends id to (*ids)[*n], growing it by doubling from 64 entries. */
static int
ids_add(uint64_t **ids, size_t *n, uint64_t id)
{
	if (*n == 0 || (*n >= 64 && (*n & (*n - 1)) == 0)) {
		uint64_t *more =
		    realloc(*ids, (*n < 64 ? 64 : *n * 2) * sizeof(**ids));
		if (more == NULL) {
			return (SK_EINTERNAL);
		}
		*ids = more;
	}
	(*ids)[(*n)++] = id;
	return (0);
}

/* Overdue cases are few: gather them from the due index, order by id. */
static int
overdue_ids(struct op_ctx *ctx, uint64_t **ids, size_t *n)
{
	struct store_scan it;
	MDB_val           k, v;
	int               rv;

	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_BY_DUE, NULL,
	         NULL)) != 0) {
		return (rv);
	}
	while ((rv = store_scan_next(&it, &k, &v)) == 0) {
		if ((int64_t) store_u64_at(k.mv_data) >= ctx->now) {
			rv = STORE_SCAN_END;
			break;
		}
		if ((rv = ids_add(ids, n, store_u64_at((char *) k.mv_data + 8))) !=
		    0) {
			break;
		}
	}
	store_scan_end(&it);
	return (rv == STORE_SCAN_END ? 0 : rv);
}

/* The cases of the units in f after the id after, from the unit index:
 * one range per unit. */
static int
subtree_ids(struct op_ctx *ctx, const struct list_filter *f, uint64_t after,
    uint64_t **ids, size_t *n)
{
	int rv = STORE_SCAN_END;

	for (size_t i = 0; i < f->nunits && rv == STORE_SCAN_END; i++) {
		struct store_key  prefix, start;
		struct store_scan it;
		MDB_val           k, v;

		store_key_init(&prefix);
		store_key_str(&prefix, f->units[i]);
		start = prefix;
		store_key_u64(&start, after + 1);
		if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_BY_UNIT,
		         &prefix, &start)) != 0) {
			return (rv);
		}
		while ((rv = store_scan_next(&it, &k, &v)) == 0) {
			if (k.mv_size == prefix.len + 8 &&
			    (rv = ids_add(ids, n,
			         store_u64_at((char *) k.mv_data + prefix.len))) !=
			        0) {
				break;
			}
		}
		store_scan_end(&it);
	}
	return (rv == STORE_SCAN_END ? 0 : rv);
}

/*
 * Where a list's ids come from, in id order after the client's cursor:
 * a scan of the most selective index the filters allow (its keys are a
 * prefix, then the case id), or, for the overdue cases and a unit with its
 * subunits, ids gathered from their indexes and sorted.
 */
struct list_source {
	struct store_scan it;
	bool              scanning;
	size_t            plen; /* bytes before the id in the scan's keys */
	uint64_t         *ids;  /* gathered (malloc'd), when not scanning */
	size_t            nids, next;
	uint64_t          after;
};

/* The index choice. */
static int
list_source_open(struct op_ctx *ctx, const struct list_filter *f,
    bool overdue, uint64_t after, struct list_source *src)
{
	struct store_key prefix, start;
	enum store_db    db = DB_CASE_ITEMS; /* every case, in id order */
	int              rv;

	memset(src, 0, sizeof(*src));
	src->after = after;
	if (overdue) {
		rv = overdue_ids(ctx, &src->ids, &src->nids);
	} else if (f->units != NULL && f->author == NULL) {
		rv = subtree_ids(ctx, f, after, &src->ids, &src->nids);
	} else {
		store_key_init(&prefix);
		if (f->author != NULL) {
			db = DB_BY_AUTHOR;
			store_key_str(&prefix, f->author);
		} else if (f->unit != NULL && f->units == NULL) {
			db = DB_BY_UNIT;
			store_key_str(&prefix, f->unit);
		} else if (f->state != WF_NONE) {
			db = DB_BY_STATE;
			store_key_str(&prefix, wf_state_name(f->state));
		}
		start = prefix;
		store_key_u64(&start, after + 1);
		src->plen     = prefix.len;
		src->scanning = true;
		return (store_scan_begin(&src->it, ctx->txn, ctx->st, db, &prefix,
		    &start));
	}
	if (rv == 0 && src->nids > 0) {
		qsort(src->ids, src->nids, sizeof(*src->ids), cmp_u64);
	}
	return (rv);
}

/* The store scan: the next id, or STORE_SCAN_END, or an error. */
static int
list_source_next(struct list_source *src, uint64_t *id)
{
	MDB_val k, v;
	int     rv;

	if (!src->scanning) {
		while (src->next < src->nids && src->ids[src->next] <= src->after) {
			src->next++;
		}
		if (src->next >= src->nids) {
			return (STORE_SCAN_END);
		}
		*id = src->ids[src->next++];
		return (0);
	}
	while ((rv = store_scan_next(&src->it, &k, &v)) == 0 &&
	    k.mv_size != src->plen + 8) {
	}
	if (rv == 0) {
		*id = store_u64_at((char *) k.mv_data + src->plen);
	}
	return (rv);
}

static void
list_source_close(struct list_source *src)
{
	if (src->scanning) {
		store_scan_end(&src->it);
	}
	free(src->ids);
}

/*
 * The item: appends case id's list entry to out if the filters and the
 * access rule (list_match) let it in; *in says whether they do (with out
 * NULL, only that).  The small
 * case_items entry is used as it is; the whole case only where a database
 * written before case_items existed has none.
 */
static void
list_item(struct op_ctx *ctx, uint64_t id, const struct list_filter *f,
    struct printbuf *out, bool first, bool *in)
{
	json_object      *doc = NULL;
	struct case_facts c;
	const char       *text;
	size_t            len;

	*in = false;
	if (store_case_facts(ctx->txn, ctx->st, id, &c, &text, &len) != 0 &&
	    (store_case_get(ctx->txn, ctx->st, id, &doc) != 0 ||
	        !case_facts_from(doc, &c))) {
		json_object_put(doc);
		return;
	}
	if (!(*in = list_match(ctx, &c, f)) || out == NULL) {
		json_object_put(doc);
		return;
	}
	if (text == NULL && doc == NULL &&
	    store_case_get(ctx->txn, ctx->st, id, &doc) != 0) {
		*in = false;
		return; /* an old entry, and no case */
	}
	if (!first) {
		printbuf_memappend(out, ",", 1);
	}
	if (text != NULL) {
		printbuf_memappend(out, text, (int) len);
	} else {
		json_object *it = store_case_list_item(doc);
		text            = util_json_text(it, &len);
		printbuf_memappend(out, text, (int) len);
		json_object_put(it);
	}
	json_object_put(doc);
	*in = true;
}

int
op_case_list(struct op_ctx *ctx)
{
	struct list_filter f = { NULL, NULL, WF_NONE, NULL, 0, NULL };
	struct list_source src;
	const char        *state = NULL;
	uint64_t           limit = LIST_DEFAULT, after = 0, id, last = 0;
	bool               overdue = false, subunits = false, more = false;
	struct printbuf   *out;
	uint64_t           n = 0;
	int                rv;

	if ((rv = arg_str(ctx->args, "state", false, 0, &state, ctx->err)) !=
	        0 ||
	    (rv = arg_id(ctx->args, "unit", false, &f.unit, ctx->err)) != 0 ||
	    (rv = arg_id(ctx->args, "author", false, &f.author, ctx->err)) !=
	        0 ||
	    (rv = arg_bool(ctx->args, "overdue", &overdue, ctx->err)) != 0 ||
	    (rv = arg_bool(ctx->args, "subunits", &subunits, ctx->err)) !=
	        0 ||
	    (rv = arg_id(ctx->args, "round", false, &f.round, ctx->err)) != 0 ||
	    (rv = arg_u64(ctx->args, "limit", false, 1, LIST_MAX, &limit,
	         ctx->err)) != 0 ||
	    (rv = arg_u64(ctx->args, "after", false, 0, INT64_MAX - 1, &after,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (state != NULL && (f.state = wf_state_parse(state)) == WF_NONE) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"state\" must be a state name such as draft or "
		    "unit_review, not \"%.40s\"",
		    state));
	}
	if (subunits && f.unit != NULL) {
		if ((rv = unit_subtree(ctx, f.unit, &f.units, &f.nunits)) != 0) {
			return (proto_fail(ctx->err, rv, "cannot read units"));
		}
		if (f.nunits == 1) { /* no unit below: the unit index alone */
			free(f.units);
			f.units = NULL;
		}
	}
	if ((rv = list_source_open(ctx, &f, overdue, after, &src)) != 0) {
		list_source_close(&src);
		free(f.units);
		return (proto_fail(ctx->err, rv,
		    overdue ? "cannot read deadlines" : "cannot read cases"));
	}
	/* The reply is written as text: each item as case_items keeps it. */
	if ((out = printbuf_new()) == NULL) {
		list_source_close(&src);
		free(f.units);
		return (proto_fail(ctx->err, SK_EINTERNAL, "out of memory"));
	}
	printbuf_strappend(out, "{\"items\":[");
	while (list_source_next(&src, &id) == 0) {
		bool in;
		if (n == limit) {
			/* One more that would be listed: there is a next page. */
			list_item(ctx, id, &f, NULL, false, &more);
			if (more) {
				break;
			}
			continue;
		}
		list_item(ctx, id, &f, out, n == 0, &in);
		if (in) {
			n++;
			last = id;
		}
	}
	list_source_close(&src);
	free(f.units);
	if (more) {
		sprintbuf(out, "],\"next\":%llu}", (unsigned long long) last);
	} else {
		printbuf_strappend(out, "],\"next\":null}");
	}
	ctx->result_len  = (size_t) printbuf_length(out);
	ctx->result_text = malloc(ctx->result_len + 1);
	if (ctx->result_text != NULL) {
		memcpy(ctx->result_text, out->buf, ctx->result_len + 1);
	}
	printbuf_free(out);
	return (ctx->result_text != NULL
	        ? 0
	        : proto_fail(ctx->err, SK_EINTERNAL, "out of memory"));
}

/* May the caller see who cast a ballot of stage (a case.scored event)? */
static bool
may_see_scorer(bool staff, unsigned roles, const char *stage)
{
	unsigned officer = 0;
	if (stage != NULL && strcmp(stage, "unit") == 0) {
		officer = WF_UNIT_OFFICER;
	} else if (stage != NULL && strcmp(stage, "province") == 0) {
		officer = WF_PROV_OFFICER;
	}
	return (staff || ((roles & WF_AUTHOR) == 0 && (roles & officer) != 0));
}

int
op_case_history(struct op_ctx *ctx)
{
	uint64_t          id = 0;
	json_object      *doc, *items;
	unsigned          roles;
	struct store_key  prefix;
	struct store_scan it;
	MDB_val           key, v;
	int               rv;

	if ((rv = arg_u64(ctx->args, "id", true, 1, INT64_MAX - 1, &id,
	         ctx->err)) != 0 ||
	    (rv = case_load(ctx, id, &doc, &roles)) != 0) {
		return (rv);
	}
	json_object_put(doc);
	/* Who scored is for the staff and the officers of that stage's
	 * council (PROTOCOL.md: ballots are secret until the decision), never
	 * for an author. */
	bool staff = (ctx->who->roles & (ROLE_ADMIN | ROLE_VIEWER)) != 0;
	store_key_init(&prefix);
	store_key_u64(&prefix, id);
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_CASE_HISTORY,
	         &prefix, NULL)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot read history"));
	}
	items = json_object_new_array();
	while (store_scan_next(&it, &key, &v) == 0) {
		struct store_key hk;
		MDB_val          ev;
		json_object     *o;

		if (key.mv_size != 16) {
			continue;
		}
		store_key_init(&hk);
		store_key_u64(&hk, store_u64_at((char *) key.mv_data + 8));
		if (store_get(ctx->txn, ctx->st, DB_HISTORY, hk.b, hk.len, &ev) !=
		        0 ||
		    (o = store_json(&ev)) == NULL) {
			continue;
		}
		if (strcmp(doc_get_str(o, "type") ?: "", "case.scored") == 0 &&
		    !may_see_scorer(staff, roles, doc_get_str(o, "stage"))) {
			json_object_object_del(o, "actor");
		}
		json_object_array_add(items, o);
	}
	store_scan_end(&it);
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "items", items);
	return (0);
}

/* The form's and the rubric's checks at submission: incomplete with their
 * problems, the form's first. */
static int
submit_check(struct op_ctx *ctx, uint64_t id, json_object *doc)
{
	json_object *problems = NULL, *rubric = NULL;
	int          rv;

	if ((rv = review_check(ctx, doc, &rubric)) != 0) {
		return (rv);
	}
	problems = form_problems(doc);
	for (size_t i = 0; i < json_object_array_length(rubric); i++) {
		json_object_array_add(problems,
		    json_object_get(json_object_array_get_idx(rubric, i)));
	}
	json_object_put(rubric);
	if (json_object_array_length(problems) == 0) {
		json_object_put(problems);
		return (0);
	}
	proto_fail(ctx->err, SK_EINCOMPLETE, "case %llu is not complete: %s%s",
	    (unsigned long long) id,
	    json_object_get_string(json_object_array_get_idx(problems, 0)),
	    json_object_array_length(problems) > 1
	        ? " (and more in details.problems)"
	        : "");
	ctx->err->details = json_object_new_object();
	json_object_object_add(ctx->err->details, "problems", problems);
	return (SK_EINCOMPLETE);
}

/*
 * What each action of case.act does to a case besides moving its state
 * (wf_transition's row) and its deadline (on in a review state, off
 * otherwise); what a change sets off beyond the case itself (timers, the
 * duplicate and search indexes) is case_save's change hooks'.
 */
enum act_effect {
	ACT_STAMP   = 1u << 0, /* submitted_at = now */
	ACT_CHECK   = 1u << 1, /* the unit rubric's check must pass */
	ACT_COUNCIL = 1u << 2, /* pin the council of the stage entered */
	ACT_RUBRIC  = 1u << 3, /* pin the rubric of the review entered */
	ACT_SUPERSEDE = 1u << 4, /* the review's decisions are superseded */
};

static const struct act {
	const char *action;
	unsigned    effects;
} acts[] = {
	{ "submit", ACT_STAMP | ACT_CHECK },
	{ "accept", ACT_COUNCIL | ACT_RUBRIC },
	{ "nominate", ACT_COUNCIL },
	{ "return", 0 },
	{ "withdraw", 0 },
	/* The review's council and rubric stay pinned. */
	{ "reopen", ACT_SUPERSEDE },
	{ "revoke", 0 },
	{ NULL, 0 },
};

static const struct act *
act_find(const char *action)
{
	const struct act *a = acts;
	while (a->action != NULL && strcmp(a->action, action) != 0) {
		a++;
	}
	return (a);
}

/*
 * The council pinned on entering state to: the unit council when its
 * review starts, the province council at nomination (so entering the
 * province review pins none).
 */
static const char *
council_stage_entered(enum wf_state to)
{
	return (to == WF_UNIT_REVIEW ? "unit"
	        : to == WF_NOMINATED ? "province"
	                             : NULL);
}

static int
act_effects(struct op_ctx *ctx, const char *action, enum wf_state to,
    json_object *doc)
{
	unsigned    effects = act_find(action)->effects;
	const char *council = council_stage_entered(to);
	const char *review  = review_stage_of(to);
	int         rv;

	if (effects & ACT_STAMP) {
		json_object_object_add(doc, "submitted_at", json_time(ctx->now));
	}
	if ((effects & ACT_COUNCIL) && council != NULL &&
	    (rv = case_pin_council(ctx, doc, council)) != 0) {
		return (rv);
	}
	if ((effects & ACT_RUBRIC) && review != NULL &&
	    (rv = review_pin_rubric(ctx, doc, review)) != 0) {
		return (rv);
	}
	if ((effects & ACT_SUPERSEDE) && review != NULL) {
		review_supersede(ctx, doc, review);
	}
	return (0);
}

/*
 * What submit and the unit's accept add to a case (issue 16): at submit
 * the similar earlier cases (so that the intake sees them and the rubric's
 * check reads them), the round open for the case's unit, the checks of the
 * form and the rubric, and then the receipt with its number; at accept,
 * the similar cases again and the receipt's date of answer fixed.
 */
static int
act_submit_accept(struct op_ctx *ctx, const char *action, enum wf_state to,
    json_object *doc, uint64_t id)
{
	int rv;

	if ((act_find(action)->effects & ACT_CHECK) != 0) {
		if ((rv = similar_at_submit(ctx, id, doc)) != 0 ||
		    (rv = round_of_case(ctx, doc)) != 0 ||
		    (rv = submit_check(ctx, id, doc)) != 0) {
			return (rv);
		}
		return (form_receipt(ctx, doc, false));
	}
	if (strcmp(action, "accept") == 0 && to == WF_UNIT_REVIEW) {
		return (form_receipt(ctx, doc, true));
	}
	return (0);
}

int
op_case_act(struct op_ctx *ctx)
{
	uint64_t              id     = 0;
	const char           *action = NULL, *note = NULL;
	json_object          *old, *doc = NULL;
	struct store_case_text t = { 0 };
	unsigned              roles;
	const struct wf_rule *rule;
	enum wf_state         from;
	int                   rv;

	if ((rv = arg_u64(ctx->args, "id", true, 1, INT64_MAX - 1, &id,
	         ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "action", true, 0, &action, ctx->err)) !=
	        0 ||
	    (rv = arg_str(ctx->args, "note", false, NOTE_MAX_CHARS, &note,
	         ctx->err)) != 0) {
		return (rv);
	}
	if (!wf_action_known(action) || strcmp(action, "decide") == 0 ||
	    strcmp(action, "recognize") == 0) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"action\" must be one of submit, accept, return, "
		    "withdraw, nominate, reopen, revoke (the council's "
		    "recommendation uses case.decide, the head's decision "
		    "case.recognize), not \"%.40s\"",
		    action));
	}
	if ((rv = case_load(ctx, id, &old, &roles)) != 0) {
		return (rv);
	}
	from = wf_state_parse(doc_get_str(old, "state"));
	rv   = wf_transition(action, from, roles, &rule);
	if (rv == SK_ETRANSITION) {
		rv = case_fail_transition(ctx, old, action, from);
		goto out;
	}
	if (rv == SK_EFORBIDDEN) {
		if (rule->coi && (roles & WF_AUTHOR)) {
			rv = proto_fail(ctx->err, SK_EFORBIDDEN,
			    "you author case %llu: nobody may %s a case they "
			    "author (conflict of interest)",
			    (unsigned long long) id, action);
		} else {
			rv = proto_fail(ctx->err, SK_EFORBIDDEN,
			    "'%s' on case %llu in %s is for %s", action,
			    (unsigned long long) id, wf_state_name(from),
			    rule->who);
		}
		goto out;
	}
	if ((rv = case_check_version(ctx, old)) != 0) {
		goto out;
	}
	if (rule->note && (note == NULL || note[0] == '\0')) {
		rv = proto_fail(ctx->err, SK_EBADREQ,
		    "\"note\" is required for '%s': say why", action);
		goto out;
	}
	if ((doc = doc_clone(old)) == NULL) {
		rv = proto_fail(ctx->err, SK_EINTERNAL, "out of memory");
		goto out;
	}
	if ((rv = act_effects(ctx, action, rule->to, doc)) != 0) {
		goto out;
	}
	case_set_due(ctx, doc, wf_state_in_review(rule->to));
	case_set_state(doc, rule->to);
	case_bump(ctx, doc);
	/* The rubric's check before anything is written: a request that
	 * fails should leave the batch's transaction untouched (see
	 * apply_writes in core/server/server.c).  It reads the case alone,
	 * and the "similar" that accept stored on it (on a resubmission). */
	if ((rv = form_declaration(ctx, action, doc)) != 0 ||
	    (rv = act_submit_accept(ctx, action, rule->to, doc, id)) != 0) {
		goto out;
	}
	json_object *extra = json_object_new_object();
	json_object_object_add(extra, "action", json_object_new_string(action));
	json_object_object_add(
	    extra, "from", json_object_new_string(wf_state_name(from)));
	json_object_object_add(
	    extra, "to", json_object_new_string(wf_state_name(rule->to)));
	if (note != NULL) {
		json_object_object_add(extra, "note", json_object_new_string(note));
	}
	if ((rv = case_save(ctx, old, doc, "case.transition", extra, &t)) != 0) {
		goto out;
	}
	case_reply(ctx, doc, case_roles(ctx, doc), &t);
out:
	free(t.text);
	json_object_put(old);
	json_object_put(doc);
	return (rv);
}
