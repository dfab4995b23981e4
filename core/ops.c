/*
 * ops.c: the op table, and what every handler shares.
 *
 * To add an operation: write its handler, add one row below.  The server
 * checks the arguments against `args` and the principal against `flags`
 * before the handler runs, so handlers only check what is specific to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/err.h"
#include "core/ops.h"

#define ARGS(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NOARGS ((const char *const[]) { NULL })

#define CASE_FIELDS "title", "field", "sections", "authors", \
	"first_applied", "owner", "unit", "confidential"

const struct op op_table[] = {
	/* Administration. */
	{ "unit.put", op_unit_put, OP_WRITE | OP_ADMIN,
	    ARGS("id", "name", "parent", "rubric"),
	    "create or replace a unit", NULL },
	{ "unit.get", op_unit_get, OP_PUBLIC, ARGS("id"), "one unit", NULL },
	{ "unit.list", op_unit_list, OP_PUBLIC, NOARGS, "all units", NULL },
	{ "user.put", op_user_put, OP_WRITE | OP_ADMIN,
	    ARGS("id", "name", "unit", "roles"),
	    "create or replace a user", NULL },
	{ "user.token", op_user_token, OP_WRITE | OP_ADMIN, ARGS("id"),
	    "a new token for a user; older ones stop working", NULL },
	{ "user.get", op_user_get, OP_READER, ARGS("id"), "one user", NULL },
	{ "user.list", op_user_list, OP_READER, NOARGS, "all users", NULL },
	{ "council.put", op_council_put, OP_WRITE | OP_ADMIN,
	    ARGS("id", "name", "scope", "unit", "members", "fields", "rubric"),
	    "create or replace a council", NULL },
	{ "council.get", op_council_get, 0, ARGS("id"), "one council", NULL },
	{ "council.list", op_council_list, 0, NOARGS, "all councils", NULL },
	{ "auth.whoami", op_auth_whoami, 0, NOARGS,
	    "the principal, its unit, roles and councils", NULL },
	{ "auth.login", op_auth_login, OP_PUBLIC | OP_HEAVY,
	    ARGS("user", "password"),
	    "a session token for a user's password", op_auth_login_work },
	{ "auth.logout", op_auth_logout, 0, NOARGS,
	    "end the session of this token", NULL },
	{ "user.password", op_user_password, OP_HEAVY,
	    ARGS("id", "password", "old_password"),
	    "set a user's password (admin), or change one's own",
	    op_user_password_work },
	{ "server.status", op_server_status, OP_PUBLIC, NOARGS,
	    "version, uptime, cases by state, last event", NULL },
	{ "server.verify", op_server_verify, OP_READER, NOARGS,
	    "check indexes and the history's hash chain",
	    op_server_verify_work },
	{ "server.backup", op_server_backup, OP_ADMIN, ARGS("path"),
	    "hot, compacted copy of the database into a new directory",
	    op_server_backup_work },
	{ "server.clock", op_server_clock, OP_WRITE | OP_ADMIN | OP_TESTCLOCK,
	    ARGS("advance_s", "then_fail"), "move the test clock forward", NULL },
	{ "events.since", op_events_since, OP_READER, ARGS("seq", "limit"),
	    "events from seq on", NULL },
	/* Cases. */
	{ "case.create", op_case_create, OP_WRITE, ARGS(CASE_FIELDS),
	    "file a new initiative (a draft)", NULL },
	{ "case.update", op_case_update, OP_WRITE,
	    ARGS("id", "version", CASE_FIELDS),
	    "change a draft or a returned case", NULL },
	{ "case.get", op_case_get, OP_PUBLIC, ARGS("id"), "one case", NULL },
	{ "case.list", op_case_list, 0,
	    ARGS("state", "unit", "subunits", "author", "overdue", "limit",
	        "after"),
	    "cases the caller may see, filtered, paged", NULL },
	{ "case.history", op_case_history, 0, ARGS("id"),
	    "the events of one case, oldest first", NULL },
	{ "case.act", op_case_act, OP_WRITE,
	    ARGS("id", "action", "version", "note"),
	    "move a case: submit, accept, return, withdraw, nominate, "
	    "reopen, revoke", NULL },
	{ "case.similar", op_case_similar, 0, ARGS("id", "text", "limit"),
	    "cases like a case or a text, most similar first", NULL },
	{ "case.search", op_case_search, OP_PUBLIC,
	    ARGS("q", "limit", "after"),
	    "recognized cases with these words, accents or not", NULL },
	/* Council review. */
	{ "case.score", op_case_score, OP_WRITE, ARGS("id", "marks", "comment"),
	    "a council member's ballot: marks per criterion", NULL },
	{ "case.decide", op_case_decide, OP_WRITE, ARGS("id", "note"),
	    "the chair closes the review with the rubric's verdict", NULL },
	{ "rubric.list", op_rubric_list, 0, NOARGS,
	    "the rubrics and their current versions", NULL },
	{ "rubric.get", op_rubric_get, 0, ARGS("id", "hash"),
	    "one rubric: criteria, hash, source", NULL },
	{ "rubric.put", op_rubric_put, OP_WRITE | OP_ADMIN,
	    ARGS("id", "source"), "a new version of a rubric (Lua source)", NULL },
	{ "rubric.test", op_rubric_test, 0, ARGS("id", "source", "case"),
	    "what check and decide would say now; changes nothing", NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL },
};

const struct op *
op_find(const char *name)
{
	for (const struct op *op = op_table; op->name != NULL; op++) {
		if (strcmp(op->name, name) == 0) {
			return (op);
		}
	}
	return (NULL);
}

json_object *
json_time(int64_t t)
{
	char buf[32];
	util_time_str(t, buf, sizeof(buf));
	return (json_object_new_string(buf));
}

int
op_event(struct op_ctx *ctx, const char *type, json_object *ev)
{
	struct op_event_out *out;
	json_object         *full = json_object_new_object();
	uint64_t             seq;
	int                  rv;

	/* Field order: type, at, then the event's own; actor last unless the
	 * event placed it. */
	json_object_object_add(full, "type", json_object_new_string(type));
	json_object_object_add(full, "at", json_time(ctx->now));
	json_object_object_foreach(ev, key, val)
	{
		json_object_object_add(full, key, json_object_get(val));
	}
	if (!json_object_object_get_ex(full, "actor", NULL)) {
		json_object_object_add(
		    full, "actor", json_object_new_string(ctx->who->id));
	}
	json_object_put(ev);

	if ((out = calloc(1, sizeof(*out))) == NULL) {
		json_object_put(full);
		return (proto_fail(ctx->err, SK_EINTERNAL, "out of memory"));
	}
	rv = store_event_add(ctx->txn, ctx->st, full, &seq, &out->text);
	json_object_put(full);
	if (rv != 0) {
		free(out);
		return (proto_fail(ctx->err, rv, "cannot append to the history"));
	}
	snprintf(out->type, sizeof(out->type), "%s", type);
	/* The events socket asks nobody who they are: who scored is secret
	 * from authors until the decision, and where a failed login came
	 * from is the staff's to know.  Publish those events without that
	 * key (the history keeps it). */
	const char *secret = strcmp(type, "case.scored") == 0 ? "actor"
	    : strcmp(type, "auth.limited") == 0               ? "peer"
	                                                      : NULL;
	if (secret != NULL) {
		struct proto_err e = { 0 };
		json_object     *pub =
		    proto_json_parse(out->text, strlen(out->text), &e);
		size_t len;
		char  *text;
		if (pub != NULL) {
			json_object_object_del(pub, secret);
			if ((text = strdup(util_json_text(pub, &len))) != NULL) {
				free(out->text);
				out->text = text;
			}
			json_object_put(pub);
		}
		proto_err_clear(&e);
	}
	out->len           = strlen(out->text);
	*ctx->events_tail  = out;
	ctx->events_tail   = &out->next;
	return (0);
}

void
op_events_free(struct op_event_out *ev)
{
	while (ev != NULL) {
		struct op_event_out *next = ev->next;
		free(ev->text);
		free(ev);
		ev = next;
	}
}

json_object *
doc_clone(json_object *doc)
{
	json_object *copy = NULL;
	return (json_object_deep_copy(doc, &copy, NULL) == 0 ? copy : NULL);
}

bool
json_has_str(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		const char *v =
		    json_object_get_string(json_object_array_get_idx(arr, i));
		if (v != NULL && strcmp(v, s) == 0) {
			return (true);
		}
	}
	return (false);
}

const char *
doc_get_str(json_object *doc, const char *key)
{
	json_object *v;
	if (doc == NULL || !json_object_object_get_ex(doc, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		return (NULL);
	}
	return (json_object_get_string(v));
}

int64_t
doc_get_int(json_object *doc, const char *key, int64_t dflt)
{
	json_object *v;
	if (doc == NULL || !json_object_object_get_ex(doc, key, &v) ||
	    !json_object_is_type(v, json_type_int)) {
		return (dflt);
	}
	return (json_object_get_int64(v));
}

int
list_docs(struct op_ctx *ctx, enum store_db db,
    json_object *(*view)(json_object *doc))
{
	MDB_cursor  *cur;
	MDB_val      k, v;
	int          rc;
	json_object *items = json_object_new_array();

	if ((rc = mdb_cursor_open(ctx->txn, ctx->st->dbi[db], &cur)) != 0) {
		json_object_put(items);
		return (proto_fail(ctx->err, store_err(rc), "cannot read"));
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		json_object     *doc = store_json(&v);
		if (doc != NULL) {
			json_object_array_add(items, view ? view(doc) : doc);
		}
	}
	mdb_cursor_close(cur);
	ctx->result = json_object_new_object();
	json_object_object_add(ctx->result, "items", items);
	return (0);
}

const char *
council_role(json_object *council, const char *user)
{
	json_object *members;
	if (!json_object_object_get_ex(council, "members", &members)) {
		return (NULL);
	}
	for (size_t i = 0; i < json_object_array_length(members); i++) {
		json_object *m = json_object_array_get_idx(members, i);
		const char  *u = doc_get_str(m, "user");
		if (u != NULL && strcmp(u, user) == 0) {
			return (doc_get_str(m, "role"));
		}
	}
	return (NULL);
}

/*
 * Councils are looked up through council_index (store.h), so that no
 * request parses every council: membership by user, the council of a unit,
 * and the list of province councils.  council_index_update is its only
 * writer, called by council.put with the old and the new document.
 */

static void
index_key(struct store_key *k, const char *kind, const char *a,
    const char *b)
{
	store_key_init(k);
	k->b[k->len++] = (unsigned char) kind[0];
	store_key_str(k, a);
	if (b != NULL) {
		store_key_str(k, b);
	}
}

/* Calls fn on each index entry that council doc implies. */
static int
council_index_each(struct op_ctx *ctx, json_object *doc,
    int (*fn)(struct op_ctx *, const struct store_key *, const char *))
{
	struct store_key k;
	json_object     *members;
	const char      *id = doc_get_str(doc, "id");
	int              rv;

	if (json_object_object_get_ex(doc, "members", &members)) {
		for (size_t i = 0; i < json_object_array_length(members); i++) {
			json_object *m = json_object_array_get_idx(members, i);
			index_key(&k, "m", doc_get_str(m, "user") ?: "", id);
			if ((rv = fn(ctx, &k, doc_get_str(m, "role") ?: "")) !=
			    0) {
				return (rv);
			}
		}
	}
	if (strcmp(doc_get_str(doc, "scope") ?: "", "unit") == 0) {
		index_key(&k, "u", doc_get_str(doc, "unit") ?: "", NULL);
		return (fn(ctx, &k, id));
	}
	index_key(&k, "p", id, NULL);
	return (fn(ctx, &k, ""));
}

static int
index_entry_del(struct op_ctx *ctx, const struct store_key *k, const char *v)
{
	(void) v;
	return (store_del(ctx->txn, ctx->st, DB_COUNCIL_INDEX, k->b, k->len));
}

static int
index_entry_put(struct op_ctx *ctx, const struct store_key *k, const char *v)
{
	return (store_put(ctx->txn, ctx->st, DB_COUNCIL_INDEX, k->b, k->len, v,
	    strlen(v)));
}

int
council_index_update(struct op_ctx *ctx, json_object *old, json_object *doc)
{
	int rv;
	if (old != NULL &&
	    (rv = council_index_each(ctx, old, index_entry_del)) != 0) {
		return (rv);
	}
	return (doc != NULL ? council_index_each(ctx, doc, index_entry_put) : 0);
}

bool
council_member_anywhere(struct op_ctx *ctx, const char *user)
{
	struct store_key prefix;
	MDB_cursor      *cur;
	MDB_val          k, v;
	bool             found;

	index_key(&prefix, "m", user, NULL);
	if (mdb_cursor_open(ctx->txn, ctx->st->dbi[DB_COUNCIL_INDEX], &cur) !=
	    0) {
		return (true); /* unsure: let the exact check decide */
	}
	k.mv_data = prefix.b;
	k.mv_size = prefix.len;
	found     = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) == 0 &&
	    k.mv_size > prefix.len &&
	    memcmp(k.mv_data, prefix.b, prefix.len) == 0;
	mdb_cursor_close(cur);
	return (found);
}

int
council_for_unit(struct op_ctx *ctx, const char *unit, json_object **out)
{
	char id[PROTO_MAX_ID + 1];
	int  rv;

	*out = NULL;
	snprintf(id, sizeof(id), "%s", unit);
	for (int depth = 0; depth < 64 && id[0] != '\0'; depth++) {
		struct store_key k;
		MDB_val          v;
		json_object     *u;
		char             cid[PROTO_MAX_ID + 1];

		index_key(&k, "u", id, NULL);
		rv = store_get(ctx->txn, ctx->st, DB_COUNCIL_INDEX, k.b, k.len, &v);
		if (rv == 0 && v.mv_size <= PROTO_MAX_ID) {
			memcpy(cid, v.mv_data, v.mv_size);
			cid[v.mv_size] = '\0';
			return (store_doc_view(ctx->txn, ctx->st, DB_COUNCILS, cid,
			    out));
		}
		if (rv != 0 && rv != SK_ENOTFOUND) {
			return (rv);
		}
		if (store_doc_view(ctx->txn, ctx->st, DB_UNITS, id, &u) != 0) {
			break;
		}
		snprintf(id, sizeof(id), "%s", doc_get_str(u, "parent") ?: "");
		json_object_put(u);
	}
	return (SK_ENOTFOUND);
}

int
council_for_field(struct op_ctx *ctx, const char *field, json_object **out)
{
	struct store_key prefix;
	MDB_cursor      *cur;
	MDB_val          k, v;
	json_object     *fallback = NULL;
	int              rc;

	*out = NULL;
	store_key_init(&prefix);
	prefix.b[prefix.len++] = 'p';
	if ((rc = mdb_cursor_open(ctx->txn, ctx->st->dbi[DB_COUNCIL_INDEX],
	         &cur)) != 0) {
		return (store_err(rc));
	}
	k.mv_data = prefix.b;
	k.mv_size = prefix.len;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	     rc == 0 && *out == NULL && k.mv_size > 2 &&
	     ((char *) k.mv_data)[0] == 'p';
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const unsigned char *b = k.mv_data;
		char                 id[PROTO_MAX_ID + 1];
		json_object         *c, *fields;
		size_t               n = b[1] <= PROTO_MAX_ID ? b[1] : 0, nf = 0;

		memcpy(id, b + 2, n);
		id[n] = '\0';
		if (store_doc_view(ctx->txn, ctx->st, DB_COUNCILS, id, &c) != 0) {
			continue;
		}
		if (json_object_object_get_ex(c, "fields", &fields)) {
			nf = json_object_array_length(fields);
		}
		if (field != NULL && json_has_str(fields, field)) {
			*out = c; /* the first council (by id) taking the field */
		} else if (nf == 0 && fallback == NULL) {
			fallback = c; /* else the first that takes every field */
		} else {
			json_object_put(c);
		}
	}
	mdb_cursor_close(cur);
	if (*out == NULL) {
		*out = fallback;
	} else {
		json_object_put(fallback);
	}
	return (*out != NULL ? 0 : SK_ENOTFOUND);
}
