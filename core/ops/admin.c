/*
 * admin.c: the administration part of the op table: units, users,
 * councils, who-am-I, and the server's own operations.  Arguments have
 * already been checked against the op table's list; roles against its flags.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/util/clock.h"
#include "core/dedup/dedup.h"
#include "core/util/err.h"
#include "core/util/log.h"
#include "core/model/council.h"
#include "core/model/similar.h"
#include "core/model/unit.h"
#include "core/ops/ops.h"
#include "core/model/rubric.h"
#include "core/model/notice.h"
#include "core/model/timers.h"
#include "core/model/workflow.h"

#define NAME_MAX_CHARS 300

static json_object *
copy_str_or_null(const char *s)
{
	return (s != NULL ? json_object_new_string(s) : NULL);
}

static int
need_doc(struct op_ctx *ctx, enum store_db db, const char *what,
    const char *id, json_object **out)
{
	int rv = store_doc_get(ctx->txn, ctx->st, db, id, out);
	if (rv == SK_ENOTFOUND) {
		return (proto_fail(ctx->err, SK_ENOTFOUND, "no %s \"%s\"", what,
		    id));
	}
	if (rv != 0) {
		return (proto_fail(ctx->err, rv, "cannot read %s %s", what, id));
	}
	return (0);
}

/* Every document of a string-keyed db (units, users, councils), in id
 * order, through view if not NULL. */
static int
list_docs(struct op_ctx *ctx, enum store_db db,
    json_object *(*view)(json_object *doc))
{
	struct store_scan it;
	MDB_val           k, v;
	int               rv;
	json_object      *items;

	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, db, NULL, NULL)) !=
	    0) {
		return (proto_fail(ctx->err, rv, "cannot read"));
	}
	items = json_object_new_array();
	while ((rv = store_scan_next(&it, &k, &v)) == 0) {
		json_object *doc = store_json(&v);
		if (doc != NULL) {
			json_object_array_add(items, view ? view(doc) : doc);
		}
	}
	store_scan_end(&it);
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "items", items);
	return (0);
}

/* A rubric named by unit.put or council.put must exist. */
static int
need_rubric(struct op_ctx *ctx, const char *rubric)
{
	char hash[RUBRIC_HASH_HEX + 1];
	if (rubric != NULL && rubric_current(ctx->txn, ctx->st, rubric, hash) != 0) {
		return (proto_fail(ctx->err, SK_ENOTFOUND,
		    "\"rubric\": no rubric \"%s\" (load it with rubric.put)",
		    rubric));
	}
	return (0);
}

static int
get_doc(struct op_ctx *ctx, enum store_db db, const char *what,
    json_object *(*view)(json_object *))
{
	const char  *id = NULL;
	json_object *doc;
	int          rv;
	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0 ||
	    (rv = need_doc(ctx, db, what, id, &doc)) != 0) {
		return (rv);
	}
	ctx->result = view != NULL ? view(doc) : doc;
	return (0);
}

/*
 * Units.
 */

/* unit.put's walk up from the new parent (unit_walk). */
struct parent_check {
	struct op_ctx *ctx;
	const char    *id, *parent;
	int            depth;
};

static int
parent_ok(void *arg, const char *cur, json_object *unit)
{
	struct parent_check *pc = arg;

	if (strcmp(cur, pc->id) == 0 || ++pc->depth > UNIT_MAX_DEPTH) {
		return (proto_fail(pc->ctx->err, SK_EBADREQ,
		    "\"parent\": unit %s cannot be below itself (%s is under %s)",
		    pc->id, pc->parent, pc->id));
	}
	if (unit == NULL) {
		return (proto_fail(pc->ctx->err, SK_ENOTFOUND, "no unit \"%s\"", cur));
	}
	return (0);
}

int
op_unit_put(struct op_ctx *ctx)
{
	const char  *id = NULL, *name = NULL, *parent = NULL, *rubric = NULL;
	json_object *doc, *old = NULL;
	int          rv;

	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0 ||
	    (rv = arg_name(ctx->args, "name", true, NAME_MAX_CHARS, &name,
	         ctx->err)) != 0 ||
	    (rv = arg_id(ctx->args, "parent", false, &parent, ctx->err)) != 0 ||
	    (rv = arg_id(ctx->args, "rubric", false, &rubric, ctx->err)) != 0) {
		return (rv);
	}
	/* The similarity from which a submitted case is flagged as like an
	 * earlier one (the topmost unit's counts: model/similar.c). */
	json_object *flag = NULL;
	if (json_object_object_get_ex(ctx->args, "similarity_flag", &flag) &&
	    flag != NULL &&
	    (!(json_object_is_type(flag, json_type_double) ||
	         json_object_is_type(flag, json_type_int)) ||
	        !(json_object_get_double(flag) > 0 &&
	            json_object_get_double(flag) <= 1))) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"similarity_flag\" must be a number above 0 and at most "
		    "1 (0.8: 80%% alike)"));
	}
	if ((rv = need_rubric(ctx, rubric)) != 0) {
		return (rv);
	}
	/* The parent must exist, and id must not be among its ancestors. */
	if (parent != NULL) {
		struct parent_check pc = { ctx, id, parent, 0 };
		if ((rv = unit_walk(ctx, parent, parent_ok, &pc)) != 0) {
			return (rv);
		}
	}
	rv = store_doc_get(ctx->txn, ctx->st, DB_UNITS, id, &old);
	if (rv != 0 && rv != SK_ENOTFOUND) {
		return (proto_fail(ctx->err, rv, "cannot read unit %s", id));
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_add(doc, "name", json_object_new_string(name));
	json_object_object_add(doc, "parent", copy_str_or_null(parent));
	json_object_object_add(doc, "rubric", copy_str_or_null(rubric));
	if (flag != NULL) {
		json_object_object_add(
		    doc, "similarity_flag", json_object_get(flag));
	}
	json_object_object_add(doc, "created_at",
	    old ? json_object_get(json_object_object_get(old, "created_at"))
	        : json_time(ctx->now));
	json_object_object_add(doc, "updated_at", json_time(ctx->now));
	json_object_put(old);
	if ((rv = store_doc_put(ctx->txn, ctx->st, DB_UNITS, id, doc)) != 0) {
		json_object_put(doc);
		return (proto_fail(ctx->err, rv, "cannot store unit %s", id));
	}
	json_object *ev = json_object_new_object();
	json_object_object_add(ev, "unit", json_object_new_string(id));
	if ((rv = op_event(ctx, "unit.changed", ev)) != 0) {
		json_object_put(doc);
		return (rv);
	}
	ctx->result = doc;
	return (0);
}

int
op_unit_get(struct op_ctx *ctx)
{
	return (get_doc(ctx, DB_UNITS, "unit", NULL));
}

int
op_unit_list(struct op_ctx *ctx)
{
	return (list_docs(ctx, DB_UNITS, NULL));
}

/*
 * Users.
 */

static json_object *
user_view(json_object *doc)
{
	json_object_object_del(doc, "token_hash");
	json_object_object_del(doc, "password_hash");
	return (doc);
}

/*
 * A user's "email" and "notify" from the request's arguments of those
 * names, else from old: checked, set on doc.  An empty email removes it.
 */
int
user_notice_fields(struct op_ctx *ctx, json_object *old, json_object *doc)
{
	const char *email = NULL, *notify = NULL;
	int         rv;

	if ((rv = arg_str(ctx->args, "email", false, 254, &email, ctx->err)) !=
	        0 ||
	    (rv = arg_str(ctx->args, "notify", false, 16, &notify, ctx->err)) !=
	        0) {
		return (rv);
	}
	if (email != NULL && email[0] != '\0' && !notice_email_valid(email)) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"email\": \"%.80s\" is not an e-mail address "
		    "(name@domain, no spaces)",
		    email));
	}
	if (notify != NULL && !notice_mode_valid(notify)) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"notify\" must be now, daily or off, not \"%.20s\"",
		    notify));
	}
	if (email == NULL && old != NULL) {
		email = doc_get_str(old, "email");
	}
	if (notify == NULL) {
		notify = old ? doc_get_str(old, "notify") : NULL;
	}
	if (email != NULL && email[0] != '\0') {
		json_object_object_add(doc, "email", json_object_new_string(email));
	} else {
		json_object_object_del(doc, "email");
	}
	json_object_object_add(
	    doc, "notify", json_object_new_string(notify ? notify : "now"));
	return (0);
}

int
op_user_put(struct op_ctx *ctx)
{
	const char  *id = NULL, *name = NULL, *unit = NULL;
	json_object *roles_arr = NULL, *doc, *old = NULL, *u;
	unsigned     roles;
	int          rv;

	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0 ||
	    (rv = arg_name(ctx->args, "name", true, NAME_MAX_CHARS, &name,
	         ctx->err)) != 0 ||
	    (rv = arg_id(ctx->args, "unit", true, &unit, ctx->err)) != 0 ||
	    (rv = arg_array(ctx->args, "roles", true, &roles_arr, ctx->err)) !=
	        0 ||
	    (rv = auth_roles_parse(roles_arr, &roles, ctx->err)) != 0) {
		return (rv);
	}
	if (strcmp(id, "local-admin") == 0) {
		return (proto_fail(ctx->err, SK_ECONFLICT,
		    "\"id\": local-admin is the built-in local principal"));
	}
	if ((rv = need_doc(ctx, DB_UNITS, "unit", unit, &u)) != 0) {
		return (rv);
	}
	json_object_put(u);
	rv = store_doc_get(ctx->txn, ctx->st, DB_USERS, id, &old);
	if (rv != 0 && rv != SK_ENOTFOUND) {
		return (proto_fail(ctx->err, rv, "cannot read user %s", id));
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_add(doc, "name", json_object_new_string(name));
	json_object_object_add(doc, "unit", json_object_new_string(unit));
	json_object_object_add(doc, "roles", auth_roles_json(roles));
	json_object_object_add(doc, "created_at",
	    old ? json_object_get(json_object_object_get(old, "created_at"))
	        : json_time(ctx->now));
	json_object_object_add(doc, "updated_at", json_time(ctx->now));
	for (int i = 0; old != NULL && i < 2; i++) {
		const char *keep = i == 0 ? "token_hash" : "password_hash";
		if (doc_get_str(old, keep) != NULL) {
			json_object_object_add(doc, keep,
			    json_object_new_string(doc_get_str(old, keep)));
		}
	}
	/* email and notify: given, or kept from before (notice.h). */
	if ((rv = user_notice_fields(ctx, old, doc)) != 0) {
		json_object_put(old);
		json_object_put(doc);
		return (rv);
	}
	json_object_put(old);
	/* The user's token carries their roles and unit: change it too. */
	if ((rv = store_doc_put(ctx->txn, ctx->st, DB_USERS, id, doc)) != 0 ||
	    (rv = auth_user_changed(ctx->txn, ctx->st, id, doc)) != 0) {
		json_object_put(doc);
		return (proto_fail(ctx->err, rv, "cannot store user %s", id));
	}
	json_object *ev = json_object_new_object();
	json_object_object_add(ev, "user", json_object_new_string(id));
	if ((rv = op_event(ctx, "user.changed", ev)) != 0) {
		json_object_put(doc);
		return (rv);
	}
	ctx->result = user_view(doc);
	return (0);
}

/* user.settings: one's own e-mail address and notify mode. */
int
op_user_settings(struct op_ctx *ctx)
{
	const char  *id = ctx->who->id;
	json_object *doc, *old;
	int          rv;

	if (ctx->who->local_admin || strcmp(id, OP_ANONYMOUS) == 0) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "%s is not a user: log in as one, or use user.put", id));
	}
	if ((rv = need_doc(ctx, DB_USERS, "user", id, &old)) != 0) {
		return (rv);
	}
	if ((doc = doc_clone(old)) == NULL) {
		json_object_put(old);
		return (proto_fail(ctx->err, SK_EINTERNAL, "out of memory"));
	}
	rv = user_notice_fields(ctx, old, doc);
	json_object_put(old);
	if (rv != 0) {
		json_object_put(doc);
		return (rv);
	}
	json_object_object_add(doc, "updated_at", json_time(ctx->now));
	if ((rv = store_doc_put(ctx->txn, ctx->st, DB_USERS, id, doc)) != 0) {
		json_object_put(doc);
		return (proto_fail(ctx->err, rv, "cannot store user %s", id));
	}
	json_object *ev = json_object_new_object();
	json_object_object_add(ev, "user", json_object_new_string(id));
	json_object_object_add(ev, "settings", json_object_new_boolean(true));
	if ((rv = op_event(ctx, "user.changed", ev)) != 0) {
		json_object_put(doc);
		return (rv);
	}
	ctx->result = user_view(doc);
	return (0);
}

int
op_user_token(struct op_ctx *ctx)
{
	const char   *id = NULL, *oldhex;
	json_object  *doc;
	char          token[AUTH_TOKEN_LEN + 1];
	unsigned char hash[AUTH_HASH_LEN], oldhash[AUTH_HASH_LEN];
	char          hexbuf[AUTH_HASH_LEN * 2 + 1];
	int           rv;

	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0 ||
	    (rv = need_doc(ctx, DB_USERS, "user", id, &doc)) != 0) {
		return (rv);
	}
	/* Older tokens stop working: drop the previous hash. */
	if ((oldhex = doc_get_str(doc, "token_hash")) != NULL &&
	    sodium_hex2bin(oldhash, sizeof(oldhash), oldhex, strlen(oldhex),
	        NULL, NULL, NULL) == 0) {
		if ((rv = store_del(ctx->txn, ctx->st, DB_TOKENS, oldhash,
		         sizeof(oldhash))) != 0) {
			json_object_put(doc);
			return (proto_fail(ctx->err, rv, "cannot revoke the old token"));
		}
	}
	auth_token_new(token, hash);
	sodium_bin2hex(hexbuf, sizeof(hexbuf), hash, sizeof(hash));
	json_object_object_add(doc, "token_hash", json_object_new_string(hexbuf));
	json_object_object_add(doc, "updated_at", json_time(ctx->now));
	if ((rv = auth_token_put(ctx->txn, ctx->st, hash, id, doc)) != 0 ||
	    (rv = store_doc_put(ctx->txn, ctx->st, DB_USERS, id, doc)) != 0) {
		json_object_put(doc);
		return (proto_fail(ctx->err, rv, "cannot store the token"));
	}
	json_object_put(doc);
	json_object *ev = json_object_new_object();
	json_object_object_add(ev, "user", json_object_new_string(id));
	json_object_object_add(ev, "token", json_object_new_string("rotated"));
	if ((rv = op_event(ctx, "user.changed", ev)) != 0) {
		return (rv);
	}
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "id", json_object_new_string(id));
	json_object_object_add(ctx->result, "token", json_object_new_string(token));
	sodium_memzero(token, sizeof(token));
	return (0);
}

int
op_user_get(struct op_ctx *ctx)
{
	return (get_doc(ctx, DB_USERS, "user", user_view));
}

int
op_user_list(struct op_ctx *ctx)
{
	return (list_docs(ctx, DB_USERS, user_view));
}

/*
 * Councils.
 */

static int
check_members(struct op_ctx *ctx, json_object *members, json_object **out)
{
	size_t n      = json_object_array_length(members);
	int    chairs = 0, voting = 0, rv;

	if (n == 0) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"members\" must list at least one member"));
	}
	if (n > 100) {
		return (proto_fail(ctx->err, SK_ETOOLARGE,
		    "\"members\" has %zu entries; at most 100", n));
	}
	*out = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(members, i);
		const char  *user = NULL, *role = NULL;
		char         field[32];
		json_object *u;
		static const char *const keys[] = { "user", "role", NULL };

		snprintf(field, sizeof(field), "members[%zu]", i);
		if (!json_object_is_type(m, json_type_object)) {
			rv = proto_fail(ctx->err, SK_EBADREQ,
			    "\"%s\" must be an object {user, role}", field);
			goto fail;
		}
		if ((rv = proto_check_keys(m, keys, ctx->err)) != 0 ||
		    (rv = arg_id(m, "user", true, &user, ctx->err)) != 0 ||
		    (rv = arg_str(m, "role", true, 0, &role, ctx->err)) != 0) {
			snprintf(ctx->err->msg + strlen(ctx->err->msg),
			    sizeof(ctx->err->msg) - strlen(ctx->err->msg),
			    " (in %s)", field);
			goto fail;
		}
		if (!wf_council_role_known(role)) {
			rv = proto_fail(ctx->err, SK_EBADREQ,
			    "\"%s.role\" must be one of %s", field,
			    wf_council_roles_text);
			goto fail;
		}
		chairs += strcmp(role, "chair") == 0;
		voting += wf_council_role_votes(role);
		for (size_t j = 0; j < i; j++) {
			const char *prev = doc_get_str(
			    json_object_array_get_idx(members, j), "user");
			if (prev != NULL && strcmp(prev, user) == 0) {
				rv = proto_fail(ctx->err, SK_EBADREQ,
				    "\"%s\": user %s is listed twice", field,
				    user);
				goto fail;
			}
		}
		if ((rv = need_doc(ctx, DB_USERS, "user", user, &u)) != 0) {
			goto fail;
		}
		json_object_put(u);
		json_object *copy = json_object_new_object();
		json_object_object_add(copy, "user", json_object_new_string(user));
		json_object_object_add(copy, "role", json_object_new_string(role));
		json_object_array_add(*out, copy);
	}
	if (chairs > 1) {
		rv = proto_fail(ctx->err, SK_EBADREQ,
		    "\"members\" names %d chairs; a council has one", chairs);
		goto fail;
	}
	if (voting < WF_COUNCIL_MIN_MEMBERS) {
		rv = proto_fail(ctx->err, SK_EBADREQ,
		    "\"members\" has %d voting member(s); a council has at "
		    "least %d (a chair, a secretary and members, Thông tư "
		    "18/2013/TT-BKHCN Điều 8; experts do not vote)",
		    voting, WF_COUNCIL_MIN_MEMBERS);
		goto fail;
	}
	return (0);
fail:
	json_object_put(*out);
	*out = NULL;
	return (rv);
}

int
op_council_put(struct op_ctx *ctx)
{
	const char  *id = NULL, *name = NULL, *scope = NULL, *unit = NULL,
	            *rubric = NULL;
	json_object *members = NULL, *fields = NULL, *doc, *u, *mcopy = NULL,
	            *fcopy, *old = NULL, *other = NULL;
	int          rv;

	if ((rv = arg_id(ctx->args, "id", true, &id, ctx->err)) != 0 ||
	    (rv = arg_name(ctx->args, "name", true, NAME_MAX_CHARS, &name,
	         ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "scope", true, 0, &scope, ctx->err)) != 0 ||
	    (rv = arg_id(ctx->args, "unit", true, &unit, ctx->err)) != 0 ||
	    (rv = arg_array(ctx->args, "members", true, &members, ctx->err)) !=
	        0 ||
	    (rv = arg_array(ctx->args, "fields", false, &fields, ctx->err)) !=
	        0 ||
	    (rv = arg_id(ctx->args, "rubric", false, &rubric, ctx->err)) != 0) {
		return (rv);
	}
	if (strcmp(scope, "unit") != 0 && strcmp(scope, "province") != 0) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"scope\" must be \"unit\" or \"province\""));
	}
	if ((rv = need_rubric(ctx, rubric)) != 0) {
		return (rv);
	}
	if ((rv = need_doc(ctx, DB_UNITS, "unit", unit, &u)) != 0) {
		return (rv);
	}
	json_object_put(u);
	fcopy = json_object_new_array();
	for (size_t i = 0; fields && i < json_object_array_length(fields); i++) {
		json_object *f = json_object_array_get_idx(fields, i);
		if (!json_object_is_type(f, json_type_string) ||
		    json_object_get_string_len(f) == 0 ||
		    json_object_get_string_len(f) > 100) {
			json_object_put(fcopy);
			return (proto_fail(ctx->err, SK_EBADREQ,
			    "\"fields[%zu]\" must be a non-empty string of at "
			    "most 100 bytes",
			    i));
		}
		json_object_array_add(fcopy, json_object_get(f));
	}
	/* One unit council per unit: otherwise who reviews would be a guess. */
	if (strcmp(scope, "unit") == 0 &&
	    council_for_unit(ctx, unit, &other) == 0) {
		bool same_unit = strcmp(doc_get_str(other, "unit"), unit) == 0;
		bool same_id   = strcmp(doc_get_str(other, "id"), id) == 0;
		if (same_unit && !same_id) {
			proto_fail(ctx->err, SK_ECONFLICT,
			    "unit %s already has council %s", unit,
			    doc_get_str(other, "id"));
			json_object_put(other);
			json_object_put(fcopy);
			return (SK_ECONFLICT);
		}
	}
	json_object_put(other);
	if ((rv = check_members(ctx, members, &mcopy)) != 0) {
		json_object_put(fcopy);
		return (rv);
	}
	rv = store_doc_get(ctx->txn, ctx->st, DB_COUNCILS, id, &old);
	if (rv != 0 && rv != SK_ENOTFOUND) {
		json_object_put(fcopy);
		json_object_put(mcopy);
		return (proto_fail(ctx->err, rv, "cannot read council %s", id));
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_add(doc, "name", json_object_new_string(name));
	json_object_object_add(doc, "scope", json_object_new_string(scope));
	json_object_object_add(doc, "unit", json_object_new_string(unit));
	json_object_object_add(doc, "members", mcopy);
	json_object_object_add(doc, "fields", fcopy);
	json_object_object_add(doc, "rubric", copy_str_or_null(rubric));
	json_object_object_add(doc, "created_at",
	    old ? json_object_get(json_object_object_get(old, "created_at"))
	        : json_time(ctx->now));
	json_object_object_add(doc, "updated_at", json_time(ctx->now));
	rv = council_index_update(ctx, old, doc);
	json_object_put(old);
	if (rv != 0 ||
	    (rv = store_doc_put(ctx->txn, ctx->st, DB_COUNCILS, id, doc)) != 0) {
		json_object_put(doc);
		return (proto_fail(ctx->err, rv, "cannot store council %s", id));
	}
	json_object *ev = json_object_new_object();
	json_object_object_add(ev, "council", json_object_new_string(id));
	json_object_object_add(ev, "unit", json_object_new_string(unit));
	if ((rv = op_event(ctx, "council.changed", ev)) != 0) {
		json_object_put(doc);
		return (rv);
	}
	ctx->result = doc;
	return (0);
}

int
op_council_get(struct op_ctx *ctx)
{
	return (get_doc(ctx, DB_COUNCILS, "council", NULL));
}

int
op_council_list(struct op_ctx *ctx)
{
	return (list_docs(ctx, DB_COUNCILS, NULL));
}

/*
 * Who am I.
 */

int
op_auth_whoami(struct op_ctx *ctx)
{
	json_object      *r = json_object_new_object(), *user = NULL, *councils;
	struct store_scan it;
	MDB_val           k, v;

	json_object_object_add(r, "id", json_object_new_string(ctx->who->id));
	if (!ctx->who->local_admin) {
		store_doc_get(ctx->txn, ctx->st, DB_USERS, ctx->who->id, &user);
	}
	json_object_object_add(r, "name",
	    json_object_new_string(user ? doc_get_str(user, "name")
	                                : "Local administrator"));
	/* One's own mail settings (user.settings changes them). */
	if (user != NULL) {
		if (doc_get_str(user, "email") != NULL) {
			json_object_object_add(r, "email",
			    json_object_new_string(doc_get_str(user, "email")));
		}
		json_object_object_add(r, "notify",
		    json_object_new_string(doc_get_str(user, "notify") ?: "now"));
	}
	json_object_put(user);
	json_object_object_add(r, "unit",
	    ctx->who->unit[0] ? json_object_new_string(ctx->who->unit) : NULL);
	json_object_object_add(r, "roles", auth_roles_json(ctx->who->roles));
	councils = json_object_new_array();
	if (store_scan_begin(&it, ctx->txn, ctx->st, DB_COUNCILS, NULL, NULL) ==
	    0) {
		while (store_scan_next(&it, &k, &v) == 0) {
			json_object *c = store_json(&v);
			const char *role = c ? council_role(c, ctx->who->id) : NULL;
			if (role != NULL) {
				json_object *m = json_object_new_object();
				json_object_object_add(m, "id",
				    json_object_new_string(doc_get_str(c, "id")));
				json_object_object_add(
				    m, "role", json_object_new_string(role));
				json_object_object_add(m, "scope",
				    json_object_new_string(doc_get_str(c, "scope")));
				json_object_object_add(m, "unit",
				    json_object_new_string(doc_get_str(c, "unit")));
				json_object_array_add(councils, m);
			}
			json_object_put(c);
		}
		store_scan_end(&it);
	}
	json_object_object_add(r, "councils", councils);
	json_object_object_add(
	    r, "local", json_object_new_boolean(ctx->who->local_admin));
	ctx->result = r;
	return (0);
}

/*
 * The server.
 */

int
op_server_status(struct op_ctx *ctx)
{
	json_object *r = json_object_new_object(), *cases;
	uint64_t     last_seq = 0;

	json_object_object_add(r, "version", json_object_new_string(SK_VERSION));
	json_object_object_add(r, "uptime_s",
	    json_object_new_int64(clock_now() - ctx->env->started));
	cases = json_object_new_object();
	for (int s = 0; s < WF_NSTATES; s++) {
		char     name[64];
		uint64_t n;
		snprintf(name, sizeof(name), "count/%s", wf_state_name(s));
		store_meta_u64(ctx->txn, ctx->st, name, &n);
		json_object_object_add(
		    cases, wf_state_name(s), json_object_new_int64((int64_t) n));
	}
	json_object_object_add(r, "cases", cases);
	store_meta_u64(ctx->txn, ctx->st, "last_seq", &last_seq);
	json_object_object_add(
	    r, "last_seq", json_object_new_int64((int64_t) last_seq));
	json_object_object_add(r, "db_bytes",
	    json_object_new_int64((int64_t) store_bytes(ctx->st)));
	json_object_object_add(r, "dedup_pending",
	    json_object_new_int64((int64_t) dedup_index_pending(ctx->txn,
	        ctx->st)));
	json_object_object_add(r, "search_pending",
	    json_object_new_int64((int64_t) dedup_search_pending(ctx->txn,
	        ctx->st)));
	json_object_object_add(r, "now", json_time(ctx->now));
	if (ctx->env->web_url != NULL) {
		json_object_object_add(
		    r, "http", json_object_new_string(ctx->env->web_url));
	}
	ctx->result = r;
	return (0);
}

/*
 * server.verify reads every case, index entry and event: 2.7 s at 50,000
 * cases, minutes at a million.  On the loop, nothing else was answered
 * meanwhile; so it runs on the thread pool, in a snapshot of its own.
 */
int
op_server_verify(struct op_ctx *ctx)
{
	ctx->result = json_object_new_object();
	return (ctx->result != NULL ? SK_EDEFER
	                            : proto_fail(ctx->err, SK_EINTERNAL,
	                                  "out of memory"));
}

/* Between the parts of a verify: SK_EUNAVAIL once the server is
 * shutting down (store.h, stop_reading). */
static int
verify_go_on(struct store *st)
{
	return (store_stopping(st) ? SK_EUNAVAIL : 0);
}

int
op_server_verify_work(struct op_work *w)
{
	json_object  *problems = json_object_new_array();
	uint64_t      ncases = 0, nevents = 0;
	MDB_txn      *txn;
	struct op_ctx ctx = {
		.env = w->env, .st = w->st, .err = &w->err, .on_council = -1
	};
	const char *states[WF_NSTATES + 1] = { NULL };
	int         rv;

	for (int s = 0; s < WF_NSTATES; s++) {
		states[s] = wf_state_name((enum wf_state) s);
	}
	if ((rv = store_snapshot_begin(w->st, &txn)) != 0) {
		json_object_put(problems);
		return (proto_fail(&w->err, rv, "cannot read the database"));
	}
	ctx.txn = txn;
	if ((rv = store_verify(txn, w->st, states, problems, &ncases,
	         &nevents)) == 0) {
		store_verify_counts(txn, w->st, problems, ncases, nevents);
	}
	if (rv == 0 && (rv = verify_go_on(w->st)) == 0 &&
	    (rv = dedup_server_verify(&ctx, problems)) == 0 &&
	    (rv = verify_go_on(w->st)) == 0) {
		rv = auth_verify(txn, w->st, problems);
	}
	if (rv != 0) {
		store_snapshot_end(w->st, txn);
		json_object_put(problems);
		if (verify_go_on(w->st) != 0) {
			return (proto_fail(&w->err, SK_EUNAVAIL,
			    "the server is shutting down, and server.verify "
			    "stopped part way; run it again when the server "
			    "is back"));
		}
		return (proto_fail(&w->err, rv, "cannot read the database"));
	}
	store_snapshot_end(w->st, txn);
	w->result = json_object_new_object();
	json_object_object_add(w->result, "ok",
	    json_object_new_boolean(json_object_array_length(problems) == 0));
	json_object_object_add(w->result, "problems", problems);
	json_object_object_add(
	    w->result, "cases", json_object_new_int64((int64_t) ncases));
	json_object_object_add(
	    w->result, "events", json_object_new_int64((int64_t) nevents));
	return (0);
}

int
op_server_backup(struct op_ctx *ctx)
{
	const char *path = NULL;
	struct stat sb;
	int         rv;

	if ((rv = arg_str(ctx->args, "path", true, 4000, &path, ctx->err)) != 0) {
		return (rv);
	}
	if (path[0] != '/') {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"path\" must be absolute (the server's working "
		    "directory is not yours)"));
	}
	if (stat(path, &sb) == 0) {
		DIR           *d = opendir(path);
		struct dirent *de;
		bool           empty = d != NULL;
		while (d != NULL && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				empty = false;
			}
		}
		if (d != NULL) {
			closedir(d);
		}
		if (!S_ISDIR(sb.st_mode) || !empty) {
			return (proto_fail(ctx->err, SK_ECONFLICT,
			    "\"path\": %s exists and is not an empty directory",
			    path));
		}
	} else if (mkdir(path, 0750) != 0) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "\"path\": cannot create %s: %s", path, strerror(errno)));
	}
	/* The copy itself can take minutes on a large database: the server
	 * runs it on libuv's thread pool and replies when it is done. */
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "path", json_object_new_string(path));
	return (SK_EDEFER);
}

int
op_server_backup_work(struct op_work *w)
{
	const char *path = doc_get_str(w->arg, "path");
	char        err[512], file[4200];
	struct stat sb;
	int         rv;

	if (path == NULL) {
		return (proto_fail(&w->err, SK_EINTERNAL, "no path to copy to"));
	}
	if ((rv = store_backup(w->st, path, err, sizeof(err))) != 0) {
		log_error("backup to %s failed: %s", path, err);
		return (proto_fail(&w->err, rv, "%s", err));
	}
	snprintf(file, sizeof(file), "%s/data.mdb", path);
	w->result = json_object_new_object();
	json_object_object_add(w->result, "path", json_object_new_string(path));
	json_object_object_add(w->result, "bytes",
	    json_object_new_int64(
	        stat(file, &sb) == 0 ? (int64_t) sb.st_size : 0));
	log_info("backup written to %s", path);
	return (0);
}

int
op_server_clock(struct op_ctx *ctx)
{
	uint64_t s = 0, offset = 0;
	bool     then_fail = false;
	int      rv;
	if ((rv = arg_u64(ctx->args, "advance_s", true, 1,
	         (uint64_t) 20 * 365 * 86400, &s, ctx->err)) != 0 ||
	    (rv = arg_bool(ctx->args, "then_fail", &then_fail, ctx->err)) !=
	        0) {
		return (rv);
	}
	/* The offset is kept in the database, so that a replayed batch
	 * moves the clock once and a restart keeps the test's time. */
	if ((rv = store_meta_u64(ctx->txn, ctx->st, "test_clock_offset",
	         &offset)) != 0 ||
	    (rv = store_meta_set_u64(ctx->txn, ctx->st, "test_clock_offset",
	         offset + s)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot move the clock"));
	}
	if (then_fail) {
		/* For tests: a request that fails after writing must leave
		 * nothing behind, and take nothing else down with it. */
		return (proto_fail(ctx->err, SK_EINTERNAL,
		    "failed on purpose after writing (then_fail)"));
	}
	clock_set_offset((int64_t) (offset + s));
	ctx->now = clock_now();
	if ((rv = timers_fire(ctx)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot fire timers"));
	}
	if ((rv = notice_digest(ctx)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot send the digest"));
	}
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "now", json_time(ctx->now));
	return (0);
}

int
op_events_since(struct op_ctx *ctx)
{
	uint64_t          seq = 0, limit = 100, last = 0;
	struct store_key  k;
	struct store_scan it;
	MDB_val           key, v;
	json_object      *items;
	int               rv;

	if ((rv = arg_u64(ctx->args, "seq", true, 0, UINT64_MAX / 2, &seq,
	         ctx->err)) != 0 ||
	    (rv = arg_u64(ctx->args, "limit", false, 1, 1000, &limit,
	         ctx->err)) != 0) {
		return (rv);
	}
	store_key_init(&k);
	store_key_u64(&k, seq);
	last = seq > 0 ? seq - 1 : 0;
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_HISTORY, NULL,
	         &k)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot read history"));
	}
	items = json_object_new_array();
	while (json_object_array_length(items) < limit &&
	    store_scan_next(&it, &key, &v) == 0) {
		json_object *ev = store_json(&v);
		if (ev != NULL) {
			json_object_array_add(items, ev);
		}
		last = store_u64_at(key.mv_data);
	}
	store_scan_end(&it);
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "items", items);
	json_object_object_add(
	    ctx->result, "next_seq", json_object_new_int64((int64_t) last + 1));
	return (0);
}
