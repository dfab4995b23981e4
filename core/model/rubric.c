/*
 * rubric.c: the rubric registry (see rubric.h): compiling sources into
 * versions, storing them by hash, and keeping loaded versions in a cache.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/util/err.h"
#include "core/util/log.h"
#include "core/model/rubric.h"

#define CACHE_SLOTS 64
#define SOURCE_MAX (256 * 1024)

struct cache_slot {
	char                hash[RUBRIC_HASH_HEX + 1];
	struct plug_rubric *r;
};

struct rubric_reg {
	struct store      *st;
	struct plug_limits lim;
	struct cache_slot  cache[CACHE_SLOTS];
	unsigned           next_evict;
};

/*
 * How extend() finds a base while a version loads: by the hashes the
 * version was pinned to (pinned != NULL), else by the current versions.
 * Every base used is recorded in `used` (id -> hash).
 */
struct resolve_ctx {
	struct rubric_reg *reg;
	MDB_txn           *txn;
	json_object       *pinned;
	json_object       *used;
	json_object       *held; /* base documents, alive until the load ends */
	bool               missing;
};

/* The base id as rc resolves it, read in txn: its hash and its version. */
static int
find_base(struct resolve_ctx *rc, MDB_txn *txn, const char *id,
    char hash[RUBRIC_HASH_HEX + 1], json_object **doc)
{
	json_object *v;

	if (rc->pinned != NULL) {
		if (!json_object_object_get_ex(rc->pinned, id, &v)) {
			return (-1);
		}
		snprintf(hash, RUBRIC_HASH_HEX + 1, "%s",
		    json_object_get_string(v));
	} else if (rubric_current(txn, rc->reg->st, id, hash) != 0) {
		return (-1);
	}
	if (rubric_version(txn, rc->reg->st, hash, doc) != 0) {
		return (-1);
	}
	if (!json_object_object_get_ex(*doc, "source", &v)) {
		json_object_put(*doc);
		return (-1);
	}
	return (0);
}

/*
 * extend()'s resolver.  Apart from the loop (rc->txn NULL) each base is
 * read in a snapshot of its own, held only for the read: a rubric that
 * runs for its whole time limit must not keep the map from growing.
 */
static int
resolve_base(void *arg, const char *id, const char **src, size_t *len,
    const char **chunkname)
{
	struct resolve_ctx *rc  = arg;
	MDB_txn            *txn = rc->txn;
	char                hash[RUBRIC_HASH_HEX + 1];
	json_object        *doc, *v;
	char                chunk[96];
	int                 rv;

	if (txn == NULL && store_snapshot_begin(rc->reg->st, &txn) != 0) {
		rc->missing = true;
		return (-1);
	}
	rv = find_base(rc, txn, id, hash, &doc);
	if (rc->txn == NULL) {
		store_snapshot_end(rc->reg->st, txn);
	}
	if (rv != 0) {
		rc->missing = true;
		return (-1);
	}
	v = json_object_object_get(doc, "source");
	snprintf(chunk, sizeof(chunk), "@%s.lua", id);
	json_object_object_add(doc, "chunkname", json_object_new_string(chunk));
	json_object_array_add(rc->held, doc);
	json_object_object_add(rc->used, id, json_object_new_string(hash));
	*src       = json_object_get_string(v);
	*len       = (size_t) json_object_get_string_len(v);
	*chunkname = json_object_get_string(
	    json_object_object_get(doc, "chunkname"));
	return (0);
}

static void
resolve_init(struct resolve_ctx *rc, struct rubric_reg *reg, MDB_txn *txn,
    json_object *pinned)
{
	rc->reg     = reg;
	rc->txn     = txn;
	rc->pinned  = pinned;
	rc->used    = json_object_new_object();
	rc->held    = json_object_new_array();
	rc->missing = false;
}

static void
resolve_done(struct resolve_ctx *rc)
{
	json_object_put(rc->used);
	json_object_put(rc->held);
}

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(const char *const *) a, *(const char *const *) b));
}

/* hash = BLAKE2b(source, then "\nID=HASH" for each base, sorted by id). */
static void
version_hash(const char *src, size_t len, json_object *bases,
    char out[RUBRIC_HASH_HEX + 1])
{
	crypto_generichash_state st;
	unsigned char            h[32];
	const char              *ids[64];
	size_t                   n = 0;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *) src, len);
	json_object_object_foreach(bases, key, val)
	{
		(void) val;
		if (n < 64) {
			ids[n++] = key;
		}
	}
	qsort(ids, n, sizeof(ids[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const char *bh = json_object_get_string(
		    json_object_object_get(bases, ids[i]));
		crypto_generichash_update(&st, (const unsigned char *) "\n", 1);
		crypto_generichash_update(
		    &st, (const unsigned char *) ids[i], strlen(ids[i]));
		crypto_generichash_update(&st, (const unsigned char *) "=", 1);
		crypto_generichash_update(
		    &st, (const unsigned char *) bh, strlen(bh));
	}
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, RUBRIC_HASH_HEX + 1, h, sizeof(h));
}

static struct plug_rubric *
cache_find(struct rubric_reg *reg, const char *hash)
{
	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (reg->cache[i].r != NULL &&
		    strcmp(reg->cache[i].hash, hash) == 0) {
			return (reg->cache[i].r);
		}
	}
	return (NULL);
}

/* Takes ownership of r; frees it if the cache has that version already. */
static struct plug_rubric *
cache_add(struct rubric_reg *reg, const char *hash, struct plug_rubric *r)
{
	struct plug_rubric *have = cache_find(reg, hash);
	struct cache_slot  *slot;

	if (have != NULL) {
		plug_free(r);
		return (have);
	}
	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (reg->cache[i].r == NULL) {
			slot = &reg->cache[i];
			goto put;
		}
	}
	/* Full: evict round-robin; an evicted version reloads on demand. */
	slot = &reg->cache[reg->next_evict++ % CACHE_SLOTS];
	plug_free(slot->r);
put:
	snprintf(slot->hash, sizeof(slot->hash), "%s", hash);
	slot->r = r;
	return (r);
}

int
rubric_reg_new(struct rubric_reg **out, struct store *st,
    const struct plug_limits *lim)
{
	struct rubric_reg *reg = calloc(1, sizeof(*reg));
	if (reg == NULL) {
		return (SK_EINTERNAL);
	}
	reg->st = st;
	if (lim != NULL) {
		reg->lim = *lim;
	}
	*out = reg;
	return (0);
}

void
rubric_reg_free(struct rubric_reg *reg)
{
	if (reg == NULL) {
		return;
	}
	for (int i = 0; i < CACHE_SLOTS; i++) {
		plug_free(reg->cache[i].r);
	}
	free(reg);
}

int
rubric_current(MDB_txn *txn, struct store *st, const char *id,
    char hash[RUBRIC_HASH_HEX + 1])
{
	MDB_val v;
	int     rv = store_get(txn, st, DB_RUBRIC_IDS, id, strlen(id), &v);
	if (rv != 0) {
		return (rv);
	}
	if (v.mv_size != RUBRIC_HASH_HEX) {
		return (SK_EINTERNAL);
	}
	memcpy(hash, v.mv_data, RUBRIC_HASH_HEX);
	hash[RUBRIC_HASH_HEX] = '\0';
	return (0);
}

int
rubric_version(MDB_txn *txn, struct store *st, const char *hash,
    json_object **out)
{
	return (store_doc_get(txn, st, DB_RUBRICS, hash, out));
}

/* Loads src under lim with bases resolved by rc; fills e on failure. */
static int
load(struct rubric_reg *reg, struct resolve_ctx *rc, const char *chunkname,
    const char *src, size_t len, const struct plug_limits *lim,
    struct plug_rubric **out, struct proto_err *e)
{
	char err[512];
	if (len > SOURCE_MAX) {
		return (proto_fail(e, SK_ETOOLARGE,
		    "the rubric source is %zu bytes; at most %d", len,
		    SOURCE_MAX));
	}
	if (plug_load(chunkname, src, len, lim, resolve_base, rc, out, err,
	        sizeof(err)) != 0) {
		return (proto_fail(e, SK_ERUBRIC, "%s", err));
	}
	return (0);
}

/*
 * Loads src as rubric id under lim and builds its version document; the
 * caller owns both.  rc->txn may be NULL (apart from the loop).
 */
static int
compile(struct rubric_reg *reg, struct resolve_ctx *rc, const char *id,
    const char *chunkname, const char *src, size_t len,
    const struct plug_limits *lim, struct plug_rubric **out,
    json_object **version, struct proto_err *e)
{
	struct plug_rubric *r;
	char                hash[RUBRIC_HASH_HEX + 1];
	int                 rv;

	if ((rv = load(reg, rc, chunkname, src, len, lim, &r, e)) != 0) {
		return (rv);
	}
	if (strcmp(plug_id(r), id) != 0) {
		proto_fail(e, SK_EBADREQ,
		    "the rubric's table says id = \"%s\", but it is being "
		    "stored as \"%s\"",
		    plug_id(r), id);
		plug_free(r);
		return (SK_EBADREQ);
	}
	version_hash(src, len, rc->used, hash);
	json_object *doc = json_object_new_object();
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_add(
	    doc, "title", json_object_new_string(plug_title(r)));
	json_object_object_add(doc, "hash", json_object_new_string(hash));
	json_object_object_add(
	    doc, "criteria", json_object_get(plug_criteria(r)));
	json_object_object_add(doc, "bases", json_object_get(rc->used));
	json_object_object_add(
	    doc, "source", json_object_new_string_len(src, (int) len));
	*out     = r;
	*version = doc;
	return (0);
}

int
rubric_compile(struct rubric_reg *reg, MDB_txn *txn, const char *id,
    const char *chunkname, const char *src, size_t len,
    json_object **version, struct proto_err *e)
{
	struct resolve_ctx  rc;
	struct plug_rubric *r;
	int                 rv;

	resolve_init(&rc, reg, txn, NULL);
	rv = compile(reg, &rc, id, chunkname, src, len, &reg->lim, &r, version,
	    e);
	if (rv == 0) {
		cache_add(reg, json_object_get_string(
		                   json_object_object_get(*version, "hash")),
		    r);
	}
	resolve_done(&rc);
	return (rv);
}

void
rubric_apart_limits(const struct rubric_reg *reg, struct plug_limits *lim)
{
	*lim         = reg->lim;
	lim->time_ms = RUBRIC_APART_TIME_MS;
}

int
rubric_load_apart(struct rubric_reg *reg, const char *id, const char *src,
    size_t len, json_object *pinned, struct plug_rubric **out,
    json_object **version, struct proto_err *e)
{
	struct resolve_ctx rc;
	struct plug_limits lim;
	json_object       *doc = NULL;
	char               chunk[96];
	int                rv;

	rubric_apart_limits(reg, &lim);
	snprintf(chunk, sizeof(chunk), "@%s.lua", id != NULL ? id : "rubric");
	resolve_init(&rc, reg, NULL, pinned);
	if (id != NULL) {
		rv = compile(reg, &rc, id, chunk, src, len, &lim, out, &doc, e);
	} else {
		rv = load(reg, &rc, chunk, src, len, &lim, out, e);
	}
	resolve_done(&rc);
	if (version != NULL) {
		*version = doc;
	} else {
		json_object_put(doc);
	}
	return (rv);
}

int
rubric_store(struct rubric_reg *reg, MDB_txn *txn, json_object *version,
    int64_t now, bool *changed)
{
	const char *id   = json_object_get_string(json_object_object_get(version, "id"));
	const char *hash = json_object_get_string(json_object_object_get(version, "hash"));
	char        cur[RUBRIC_HASH_HEX + 1] = "";
	json_object *old;
	int          rv;

	*changed = rubric_current(txn, reg->st, id, cur) != 0 ||
	    strcmp(cur, hash) != 0;
	if (rubric_version(txn, reg->st, hash, &old) == 0) {
		json_object_put(old); /* kept from before: nothing to add */
	} else {
		char ts[32];
		util_time_str(now, ts, sizeof(ts));
		json_object_object_add(
		    version, "created_at", json_object_new_string(ts));
		if ((rv = store_doc_put(txn, reg->st, DB_RUBRICS, hash,
		         version)) != 0) {
			return (rv);
		}
	}
	if (!*changed) {
		return (0);
	}
	return (store_put(txn, reg->st, DB_RUBRIC_IDS, id, strlen(id), hash,
	    RUBRIC_HASH_HEX));
}

int
rubric_get(struct rubric_reg *reg, MDB_txn *txn, const char *hash,
    struct plug_rubric **out, struct proto_err *e)
{
	struct resolve_ctx rc;
	json_object       *doc, *src, *bases = NULL;
	char               chunk[96];
	int                rv;

	if ((*out = cache_find(reg, hash)) != NULL) {
		return (0);
	}
	if ((rv = rubric_version(txn, reg->st, hash, &doc)) != 0) {
		return (proto_fail(e, rv == SK_ENOTFOUND ? SK_ENOTFOUND : rv,
		    "no rubric version %.16s", hash));
	}
	json_object_object_get_ex(doc, "bases", &bases);
	json_object_object_get_ex(doc, "source", &src);
	snprintf(chunk, sizeof(chunk), "@%s.lua",
	    json_object_get_string(json_object_object_get(doc, "id")));
	resolve_init(&rc, reg, txn, bases ? bases : json_object_new_object());
	rv = load(reg, &rc, chunk, json_object_get_string(src),
	    (size_t) json_object_get_string_len(src), &reg->lim, out, e);
	if (bases == NULL) {
		json_object_put(rc.pinned);
	}
	resolve_done(&rc);
	json_object_put(doc);
	if (rv == 0) {
		*out = cache_add(reg, hash, *out);
	}
	return (rv);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long  n;

	if (f == NULL) {
		return (NULL);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    n > SOURCE_MAX || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t) n + 1)) == NULL) {
		fclose(f);
		return (NULL);
	}
	*len = fread(buf, 1, (size_t) n, f);
	buf[*len] = '\0';
	fclose(f);
	return (buf);
}

/*
 * The directory is read at every start and SIGHUP, but a file only makes
 * its version current when the file changed since it was last loaded: a
 * newer version stored with rubric.put is not undone by a restart.  The
 * meta record "rubric_file/ID" remembers the hash last loaded from a file.
 */
static bool
file_unchanged(struct rubric_reg *reg, MDB_txn *txn, const char *id,
    json_object *version)
{
	char    key[96];
	MDB_val v;
	int     n = snprintf(key, sizeof(key), "rubric_file/%s", id);
	const char *hash =
	    json_object_get_string(json_object_object_get(version, "hash"));
	return (store_get(txn, reg->st, DB_META, key, (size_t) n, &v) == 0 &&
	    v.mv_size == RUBRIC_HASH_HEX &&
	    memcmp(v.mv_data, hash, RUBRIC_HASH_HEX) == 0);
}

static int
file_loaded(struct rubric_reg *reg, MDB_txn *txn, const char *id,
    json_object *version)
{
	char        key[96];
	int         n = snprintf(key, sizeof(key), "rubric_file/%s", id);
	const char *hash =
	    json_object_get_string(json_object_object_get(version, "hash"));
	return (store_put(txn, reg->st, DB_META, key, (size_t) n, hash,
	    RUBRIC_HASH_HEX));
}

int
rubric_load_dir(struct rubric_reg *reg, MDB_txn *txn, const char *dir,
    int64_t now, void (*changed_fn)(void *arg, json_object *version),
    void *arg)
{
	DIR           *d = opendir(dir);
	struct dirent *de;
	char          *names[256];
	size_t         n = 0, loaded = 0;

	if (d == NULL) {
		log_warn("cannot read rubrics from %s: %s", dir, strerror(errno));
		return (0);
	}
	while ((de = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".lua") == 0) {
			names[n++] = strndup(de->d_name, l - 4);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);

	/* A rubric may extend another of the same directory: load what can
	 * be loaded, then retry those whose base was missing, until a pass
	 * makes no progress. */
	bool progress = true;
	while (progress) {
		progress = false;
		for (size_t i = 0; i < n; i++) {
			char             path[4200], chunk[4200];
			size_t           len;
			char            *src;
			json_object     *version = NULL;
			struct proto_err e       = { 0 };
			bool             changed;

			if (names[i] == NULL) {
				continue;
			}
			snprintf(path, sizeof(path), "%s/%s.lua", dir, names[i]);
			snprintf(chunk, sizeof(chunk), "@%s.lua", names[i]);
			if (!util_id_valid(names[i]) ||
			    (src = read_file(path, &len)) == NULL) {
				log_error("rubric %s: not a valid rubric id or "
				          "unreadable",
				    path);
				free(names[i]);
				names[i] = NULL;
				continue;
			}
			int rv = rubric_compile(reg, txn, names[i], chunk, src,
			    len, &version, &e);
			free(src);
			if (rv != 0 && strstr(e.msg, "extend") != NULL &&
			    strstr(e.msg, "no rubric") != NULL) {
				proto_err_clear(&e);
				continue; /* its base may come later */
			}
			if (rv == 0 && file_unchanged(reg, txn, names[i], version)) {
				loaded++; /* rubric.put may have moved past it */
			} else if (rv == 0 &&
			    rubric_store(reg, txn, version, now, &changed) == 0 &&
			    file_loaded(reg, txn, names[i], version) == 0) {
				loaded++;
				if (changed && changed_fn != NULL) {
					changed_fn(arg, version);
				}
			} else {
				log_error("rubric %s not loaded: %s", path,
				    e.msg[0] ? e.msg : "cannot store it");
			}
			json_object_put(version);
			proto_err_clear(&e);
			free(names[i]);
			names[i] = NULL;
			progress = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (names[i] != NULL) {
			log_error("rubric %s/%s.lua not loaded: it extends a "
			          "rubric that does not exist",
			    dir, names[i]);
			free(names[i]);
		}
	}
	return ((int) loaded);
}
