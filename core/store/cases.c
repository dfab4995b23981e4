/*
 * cases.c: cases and what is kept in step with them (store.h): the indexes
 * (by_state, by_unit, by_author, by_due), the per-state counters, and each
 * case's case_items entry, its facts and list item.  store_case_put is the
 * only writer of all of them, so that indexes can never disagree with the
 * cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/impl.h"
#include "core/util/err.h"
#include "core/util/json.h"

static int
meta_add(MDB_txn *txn, struct store *st, const char *name, int64_t delta)
{
	uint64_t v;
	int      rv;
	if ((rv = store_meta_u64(txn, st, name, &v)) != 0) {
		return (rv);
	}
	return (store_meta_set_u64(txn, st, name, (uint64_t) ((int64_t) v + delta)));
}

int
store_case_get(MDB_txn *txn, struct store *st, uint64_t id, json_object **out)
{
	struct store_key k;
	MDB_val          v;
	int              rv;
	store_key_init(&k);
	store_key_u64(&k, id);
	if ((rv = store_get(txn, st, DB_CASES, k.b, k.len, &v)) != 0) {
		return (rv);
	}
	if ((*out = store_json(&v)) == NULL) {
		return (SK_EINTERNAL);
	}
	return (0);
}

const char *
store_doc_str(json_object *doc, const char *key)
{
	json_object *v;
	if (doc == NULL || !json_object_object_get_ex(doc, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		return (NULL);
	}
	return (json_object_get_string(v));
}

/* Calls fn for each index entry (db, key) that doc implies. */

int
store_case_index_each(MDB_txn *txn, struct store *st, uint64_t id,
    json_object *doc, store_index_fn fn, void *arg)
{
	struct store_key k;
	const char      *s;
	json_object     *v;
	int              rv;

	if ((s = store_doc_str(doc, "state")) != NULL) {
		store_key_init(&k);
		store_key_str(&k, s);
		store_key_u64(&k, id);
		if ((rv = fn(txn, st, DB_BY_STATE, &k, arg)) != 0) {
			return (rv);
		}
	}
	if ((s = store_doc_str(doc, "unit")) != NULL) {
		store_key_init(&k);
		store_key_str(&k, s);
		store_key_u64(&k, id);
		if ((rv = fn(txn, st, DB_BY_UNIT, &k, arg)) != 0) {
			return (rv);
		}
	}
	/* "author_users" is the set of users who author the case. */
	if (json_object_object_get_ex(doc, "author_users", &v) &&
	    json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++) {
			json_object *u = json_object_array_get_idx(v, i);
			store_key_init(&k);
			store_key_str(&k, json_object_get_string(u));
			store_key_u64(&k, id);
			if ((rv = fn(txn, st, DB_BY_AUTHOR, &k, arg)) != 0) {
				return (rv);
			}
		}
	}
	if (json_object_object_get_ex(doc, "due_ts", &v) &&
	    json_object_is_type(v, json_type_int)) {
		store_key_init(&k);
		store_key_u64(&k, (uint64_t) json_object_get_int64(v));
		store_key_u64(&k, id);
		if ((rv = fn(txn, st, DB_BY_DUE, &k, arg)) != 0) {
			return (rv);
		}
	}
	return (0);
}

static int
index_del(MDB_txn *txn, struct store *st, enum store_db db,
    const struct store_key *k, void *arg)
{
	return (store_del(txn, st, db, k->b, k->len));
}

static int
index_put(MDB_txn *txn, struct store *st, enum store_db db,
    const struct store_key *k, void *arg)
{
	return (store_put(txn, st, db, k->b, k->len, "", 0));
}

/* The index entries a document implies. */
struct entries {
	struct entry {
		enum store_db    db;
		struct store_key k;
	} *e;
	size_t n, cap;
};

static int
entry_collect(MDB_txn *txn, struct store *st, enum store_db db,
    const struct store_key *k, void *arg)
{
	struct entries *es = arg;
	(void) txn;
	(void) st;
	if (es->n == es->cap) {
		size_t        cap = es->cap ? es->cap * 2 : 8;
		struct entry *e   = realloc(es->e, cap * sizeof(*e));
		if (e == NULL) {
			return (SK_EINTERNAL);
		}
		es->e   = e;
		es->cap = cap;
	}
	es->e[es->n++] = (struct entry) { db, *k };
	return (0);
}

static bool
entry_in(const struct entries *es, const struct entry *x)
{
	for (size_t i = 0; i < es->n; i++) {
		if (es->e[i].db == x->db && es->e[i].k.len == x->k.len &&
		    memcmp(es->e[i].k.b, x->k.b, x->k.len) == 0) {
			return (true);
		}
	}
	return (false);
}

/*
 * Moves the index entries of case id from those of old (NULL: none) to
 * those of doc, touching only the ones that differ: an update that keeps
 * the state, unit, authors and deadline writes no index page at all.
 */
static int
move_entries(MDB_txn *txn, struct store *st, uint64_t id, json_object *old,
    json_object *doc)
{
	struct entries before = { 0 }, after = { 0 };
	int            rv = 0;

	if (old != NULL) {
		rv = store_case_index_each(txn, st, id, old, entry_collect, &before);
	}
	if (rv == 0) {
		rv = store_case_index_each(txn, st, id, doc, entry_collect, &after);
	}
	for (size_t i = 0; rv == 0 && i < before.n; i++) {
		if (!entry_in(&after, &before.e[i])) {
			rv = index_del(txn, st, before.e[i].db, &before.e[i].k, NULL);
		}
	}
	for (size_t i = 0; rv == 0 && i < after.n; i++) {
		if (!entry_in(&before, &after.e[i])) {
			rv = index_put(txn, st, after.e[i].db, &after.e[i].k, NULL);
		}
	}
	free(before.e);
	free(after.e);
	return (rv);
}

void
store_count_name(char *buf, size_t len, const char *state)
{
	snprintf(buf, len, "count/%s", state);
}

const char *const store_case_internal_fields[] = { "author_users", "due_ts",
	"councils", NULL };

/*
 * A case's entry in case_items: first what deciding who may see the case
 * takes, in a few bytes, then its list item as JSON text, so that neither a
 * case.get nor a page of case.list parses a document to answer:
 *
 *   u8 ITEM_V1, u32 view_bytes (big-endian),
 *   s16 state, unit, field, submitted_at, pinned unit council, pinned
 *   province council (each "" if none),
 *   u8 n, s16 author user x n, u8 m, s16 confidential section x m,
 *   the list item (store_case_list_item) as JSON text.
 *
 * ("s16": a big-endian u16 length and the bytes.)  An entry written before
 * this format is JSON text alone, and starts with '{'.
 */
#define ITEM_V1 0x01

static const char *const list_fields[] = { "id", "unit", "title", "state",
	"state_label", "updated_at", "due_at", NULL };

json_object *
store_case_list_item(json_object *doc)
{
	json_object *it = json_object_new_object(), *v;
	for (const char *const *f = list_fields; *f; f++) {
		json_object_object_add(it, *f,
		    json_object_object_get_ex(doc, *f, &v) ? json_object_get(v)
		                                           : NULL);
	}
	return (it);
}

struct ibuf {
	unsigned char *b;
	size_t         len, cap;
	bool           bad;
};

static void
ibuf_put(struct ibuf *ib, const void *p, size_t n)
{
	if (ib->bad || ib->len + n > ib->cap) {
		size_t         cap = (ib->len + n) * 2 + 256;
		unsigned char *b   = ib->bad ? NULL : realloc(ib->b, cap);
		if (b == NULL) {
			ib->bad = true;
			return;
		}
		ib->b   = b;
		ib->cap = cap;
	}
	memcpy(ib->b + ib->len, p, n);
	ib->len += n;
}

static void
ibuf_s16(struct ibuf *ib, const char *s)
{
	size_t        n = s ? strlen(s) : 0;
	unsigned char l[2];
	if (n > 0xffff) {
		ib->bad = true;
		return;
	}
	l[0] = (unsigned char) (n >> 8);
	l[1] = (unsigned char) n;
	ibuf_put(ib, l, 2);
	ibuf_put(ib, s ? s : "", n);
}

/* A u8 count and the strings of the array doc[key] (none if absent). */
static void
ibuf_strs(struct ibuf *ib, json_object *doc, const char *key)
{
	json_object  *a;
	unsigned char n = 0;
	size_t        len = 0;
	if (json_object_object_get_ex(doc, key, &a) &&
	    json_object_is_type(a, json_type_array)) {
		len = json_object_array_length(a);
	}
	if (len > 0xff) {
		ib->bad = true;
		return;
	}
	n = (unsigned char) len;
	ibuf_put(ib, &n, 1);
	for (size_t i = 0; i < len; i++) {
		ibuf_s16(ib, json_object_get_string(json_object_array_get_idx(a, i)));
	}
}

/* view_bytes: where the case's internal fields begin in its stored text. */
static int
case_item_put(MDB_txn *txn, struct store *st, const struct store_key *k,
    json_object *doc, size_t view_bytes)
{
	struct ibuf    ib = { 0 };
	json_object   *councils = NULL, *item;
	unsigned char  head[5] = { ITEM_V1, (unsigned char) (view_bytes >> 24),
		 (unsigned char) (view_bytes >> 16),
		 (unsigned char) (view_bytes >> 8), (unsigned char) view_bytes };
	const char    *text;
	size_t         len;
	int            rv;

	json_object_object_get_ex(doc, "councils", &councils);
	ibuf_put(&ib, head, sizeof(head));
	ibuf_s16(&ib, store_doc_str(doc, "state"));
	ibuf_s16(&ib, store_doc_str(doc, "unit"));
	ibuf_s16(&ib, store_doc_str(doc, "field"));
	ibuf_s16(&ib, store_doc_str(doc, "submitted_at"));
	ibuf_s16(&ib, store_doc_str(councils, "unit"));
	ibuf_s16(&ib, store_doc_str(councils, "province"));
	ibuf_strs(&ib, doc, "author_users");
	ibuf_strs(&ib, doc, "confidential");
	item = store_case_list_item(doc);
	text = util_json_text(item, &len);
	ibuf_put(&ib, text, len);
	json_object_put(item);
	rv = ib.bad || view_bytes > UINT32_MAX
	    ? SK_EINTERNAL
	    : store_put(txn, st, DB_CASE_ITEMS, k->b, k->len, ib.b, ib.len);
	free(ib.b);
	return (rv);
}

/* Reading an entry: each step fails once the bytes run out. */
struct ird {
	const unsigned char *p, *end;
	bool                 bad;
};

/* Keeps n bytes of s, and a NUL, in f->buf; NULL when they do not fit. */
static const char *
facts_keep(struct case_facts *f, const char *s, size_t n)
{
	char *d;
	if (n >= sizeof(f->buf) - f->used) {
		f->full = true;
		return (NULL);
	}
	d = f->buf + f->used;
	memcpy(d, s, n);
	d[n]    = '\0';
	f->used += n + 1;
	return (d);
}

/* An s16 of the entry, kept; NULL (and r->bad) when it cannot be. */
static const char *
ird_keep(struct ird *r, struct case_facts *f)
{
	size_t      n;
	const char *s;
	if (r->bad || r->end - r->p < 2 ||
	    (n = (size_t) r->p[0] << 8 | r->p[1]) > (size_t) (r->end - r->p) - 2 ||
	    (s = facts_keep(f, (const char *) r->p + 2, n)) == NULL) {
		r->bad = true;
		return (NULL);
	}
	r->p += 2 + n;
	return (s);
}

/* As ird_keep, but "" (which the entry writes for none) is NULL. */
static const char *
ird_opt(struct ird *r, struct case_facts *f)
{
	const char *s = ird_keep(r, f);
	return (s != NULL && s[0] != '\0' ? s : NULL);
}

/* A u8 count and as many strings, into v (at most CASE_FACTS_STRS). */
static size_t
ird_strs(struct ird *r, struct case_facts *f, const char **v)
{
	unsigned n = r->p < r->end ? *r->p++ : (r->bad = true, 0);
	if (n > CASE_FACTS_STRS) {
		r->bad = true;
		return (0);
	}
	for (unsigned i = 0; i < n && !r->bad; i++) {
		v[i] = ird_keep(r, f);
	}
	return (r->bad ? 0 : n);
}

static void
facts_init(struct case_facts *f, uint64_t id)
{
	f->id = id;
	f->view_bytes = 0;
	f->state = f->unit = f->field = "";
	f->submitted_at = f->council[0] = f->council[1] = NULL;
	f->nauthors = f->nconfidential = 0;
	f->used                        = 0;
	f->full                        = false;
}

int
store_case_facts(MDB_txn *txn, struct store *st, uint64_t id,
    struct case_facts *f, const char **list, size_t *list_len)
{
	struct store_key k;
	MDB_val          v;
	json_object     *doc;
	int              rv;

	*list     = NULL;
	*list_len = 0;
	store_key_init(&k);
	store_key_u64(&k, id);
	if ((rv = store_get(txn, st, DB_CASE_ITEMS, k.b, k.len, &v)) != 0) {
		return (rv);
	}
	if (v.mv_size == 0 || *(const unsigned char *) v.mv_data != ITEM_V1) {
		/* An older entry: JSON with the same fields. */
		if ((doc = store_json(&v)) == NULL) {
			return (SK_EINTERNAL);
		}
		rv = store_case_facts_of(doc, f);
		f->id = id;
		json_object_put(doc);
		return (rv == 0 ? 0 : SK_EINTERNAL);
	}
	struct ird r = { v.mv_data, (const unsigned char *) v.mv_data +
		                            v.mv_size,
		false };
	if (v.mv_size < 5) {
		return (SK_EINTERNAL);
	}
	facts_init(f, id);
	f->view_bytes = (size_t) r.p[1] << 24 | (size_t) r.p[2] << 16 |
	    (size_t) r.p[3] << 8 | r.p[4];
	r.p += 5;
	f->state         = ird_keep(&r, f);
	f->unit          = ird_keep(&r, f);
	f->field         = ird_keep(&r, f);
	f->submitted_at  = ird_opt(&r, f);
	f->council[0]    = ird_opt(&r, f);
	f->council[1]    = ird_opt(&r, f);
	f->nauthors      = ird_strs(&r, f, f->authors);
	f->nconfidential = ird_strs(&r, f, f->confidential);
	if (r.bad || r.p >= r.end || *r.p != '{') {
		return (SK_EINTERNAL);
	}
	*list     = (const char *) r.p;
	*list_len = (size_t) (r.end - r.p);
	return (0);
}

/* The strings of the array doc[key] (none if absent) into v. */
static int
facts_strs(struct case_facts *f, json_object *doc, const char *key,
    const char **v, size_t *n)
{
	json_object *a;
	*n = 0;
	if (!json_object_object_get_ex(doc, key, &a) ||
	    !json_object_is_type(a, json_type_array)) {
		return (0);
	}
	if (json_object_array_length(a) > CASE_FACTS_STRS) {
		return (SK_EBADREQ);
	}
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *s = json_object_array_get_idx(a, i);
		if ((v[*n] = facts_keep(f, json_object_get_string(s),
		         (size_t) json_object_get_string_len(s))) == NULL) {
			return (SK_EBADREQ);
		}
		(*n)++;
	}
	return (0);
}

/* doc[key] kept, or NULL if absent (or not a string, or no room). */
static const char *
facts_str(struct case_facts *f, json_object *doc, const char *key)
{
	const char *s = store_doc_str(doc, key);
	return (s != NULL ? facts_keep(f, s, strlen(s)) : NULL);
}

int
store_case_facts_of(json_object *doc, struct case_facts *f)
{
	json_object *councils = NULL, *id;

	json_object_object_get_ex(doc, "councils", &councils);
	facts_init(f, json_object_object_get_ex(doc, "id", &id)
	        ? (uint64_t) json_object_get_int64(id)
	        : 0);
	f->state        = facts_str(f, doc, "state");
	f->unit         = facts_str(f, doc, "unit");
	f->field        = facts_str(f, doc, "field");
	f->submitted_at = facts_str(f, doc, "submitted_at");
	f->council[0]   = facts_str(f, councils, "unit");
	f->council[1]   = facts_str(f, councils, "province");
	f->state        = f->state ? f->state : "";
	f->unit         = f->unit ? f->unit : "";
	f->field        = f->field ? f->field : "";
	if (facts_strs(f, doc, "author_users", f->authors, &f->nauthors) !=
	        0 ||
	    facts_strs(f, doc, "confidential", f->confidential,
	        &f->nconfidential) != 0 ||
	    f->full) {
		return (SK_EBADREQ);
	}
	return (0);
}

static bool
is_internal(const char *key)
{
	for (const char *const *f = store_case_internal_fields; *f; f++) {
		if (strcmp(*f, key) == 0) {
			return (true);
		}
	}
	return (false);
}

/*
 * The stored text of a case: its fields in their order, the internal ones
 * last, so that the text before them (view_bytes long) is the case as
 * everyone who may read all of it sees it, less the closing brace.
 * Returns a malloc'd text, or NULL when out of memory.
 */
static char *
case_text(json_object *doc, size_t *len, size_t *view_bytes)
{
	json_object *view = json_object_new_object();
	json_object *rest = json_object_new_object();
	const char  *vt, *rt;
	size_t       vl, rl;
	char        *out = NULL;

	json_object_object_foreach(doc, key, val)
	{
		json_object_object_add(
		    is_internal(key) ? rest : view, key, json_object_get(val));
	}
	vt = util_json_text(view, &vl);
	rt = util_json_text(rest, &rl);
	/* Both are "{...}": join them as one object. */
	if (vt != NULL && rt != NULL && vl >= 2 && rl >= 2 &&
	    (out = malloc(vl + rl)) != NULL) {
		*view_bytes = vl - 1;
		memcpy(out, vt, vl - 1);
		*len = vl - 1;
		if (rl > 2) {
			out[(*len)++] = vl > 2 ? ',' : ' ';
			memcpy(out + *len, rt + 1, rl - 1);
			*len += rl - 1;
		} else {
			out[(*len)++] = '}';
		}
	}
	json_object_put(view);
	json_object_put(rest);
	return (out);
}

int
store_case_items_rebuild(MDB_txn *txn, struct store *st, uint64_t *n)
{
	MDB_cursor *cur;
	MDB_val     k, v;
	int         rc, rv = 0;

	*n = 0;
	if ((rc = mdb_cursor_open(txn, st->dbi[DB_CASES], &cur)) != 0) {
		return (store_err(rc));
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && rv == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct store_key key;
		json_object     *doc;
		if (store_sum_check(st, DB_CASES, &k, &v) != 0 ||
		    (doc = store_json(&v)) == NULL) {
			continue;
		}
		store_key_init(&key);
		store_key_u64(&key, store_u64_at(k.mv_data));
		rv = case_item_put(txn, st, &key, doc, 0);
		json_object_put(doc);
		(*n)++;
	}
	mdb_cursor_close(cur);
	return (rv != 0 ? rv : rc == MDB_NOTFOUND ? 0 : store_err(rc));
}

int
store_case_put(MDB_txn *txn, struct store *st, uint64_t id, json_object *old,
    json_object *doc, struct store_case_text *out)
{
	struct store_key k;
	char            *text;
	size_t           len, view_bytes = 0;
	char             cname[64];
	int              rv;

	if ((rv = move_entries(txn, st, id, old, doc)) != 0) {
		return (rv);
	}
	const char *from = old ? store_doc_str(old, "state") : NULL;
	const char *to   = store_doc_str(doc, "state");
	if (from == NULL || to == NULL || strcmp(from, to) != 0) {
		if (from != NULL) {
			store_count_name(cname, sizeof(cname), from);
			if ((rv = meta_add(txn, st, cname, -1)) != 0) {
				return (rv);
			}
		}
		store_count_name(cname, sizeof(cname), to);
		if ((rv = meta_add(txn, st, cname, 1)) != 0) {
			return (rv);
		}
	}
	store_key_init(&k);
	store_key_u64(&k, id);
	if ((text = case_text(doc, &len, &view_bytes)) == NULL) {
		return (SK_EINTERNAL);
	}
	if ((rv = case_item_put(txn, st, &k, doc, view_bytes)) == 0) {
		rv = store_put(txn, st, DB_CASES, k.b, k.len, text, len);
	}
	if (rv == 0 && out != NULL) {
		*out = (struct store_case_text) { text, len, view_bytes };
	} else {
		free(text);
	}
	return (rv);
}
