/*
 * store.h: sangkien's storage, one LMDB environment in the data directory.
 *
 * The layout below is the whole of it.  Keys are big-endian integers or
 * length-prefixed strings, so that LMDB's byte order is the order we list in,
 * and every list is a cursor range.  Values are JSON text, so that mdb_dump
 * shows readable data, except where noted.
 *
 *   meta          "schema" -> "2"; "next_case", "last_seq" -> decimal;
 *                 "head_hash" -> hex BLAKE2b of the last history event;
 *                 "count/STATE" -> decimal number of cases in STATE;
 *                 "dedup_flush_at", "dedup_upgrade_band" -> decimal, the
 *                 progress of core/dedup/lsh.c's work;
 *                 "receipt/UNIT/YEAR" -> decimal, the last number of the
 *                 unit's register of applications for the year, and
 *                 "form_upgraded" -> "1" once old cases have the form's
 *                 fields (core/model/form.c);
 *                 "next_notice", "notice_digest_at" -> decimal (notices)
 *   cases         u64 id -> case JSON, its internal fields
 *                 (store_case_internal_fields) last
 *   case_items    u64 id -> what deciding who may see the case takes, and
 *                 "view_bytes", the length of the case's text before its
 *                 internal fields (case.get sends that part as it is
 *                 stored), in a few bytes; then the case's list item as
 *                 JSON, which case.list sends as it is (format: cases.c,
 *                 case_item_put).  Neither parses a whole case.
 *   history       u64 seq -> event JSON; its "prev" is the hex hash of the
 *                 previous event's bytes (a hash chain; see store_event_add)
 *   case_history  u64 case, u64 seq -> ""
 *   by_state      str state, u64 case -> ""
 *   by_unit       str unit, u64 case -> ""
 *   by_author     str user, u64 case -> ""
 *   by_due        u64 due (unix s), u64 case -> ""
 *   units         id -> unit JSON
 *   users         id -> user JSON (with "token_hash")
 *   tokens        32-byte BLAKE2b of a token -> the principal, binary:
 *                 0x01, u8 role bits, str user id, str unit (auth.c);
 *                 kept in step with the user by user.put and user.token.
 *                 Older databases hold the bare user id, still accepted
 *   councils      id -> council JSON
 *   council_index "m" str user, str council -> role (membership);
 *                 "u" str unit -> id of the unit's council;
 *                 "p" str council -> "" (the province councils)
 *   idem          str principal, request_id -> u64 time, reply JSON
 *   idem_time     u64 time, str principal, request_id -> ""
 *   rubrics       hex hash -> rubric version JSON {id, title, hash,
 *                 criteria, bases, source, created_at}; kept forever
 *   rubric_ids    id -> hex hash of its current version
 *   ballots       u64 case, str stage, str member -> ballot JSON
 *   timers        u64 fire_at, u64 case, str kind -> "" (deadline events)
 *   dedup_sigs    u64 case -> 256-byte MinHash signature (dedup.h), binary
 *   dedup_bands   u32 band << 24 | bucket -> u64 fingerprint << 32 | case
 *                 id, native order (MDB_DUPSORT | MDB_DUPFIXED |
 *                 MDB_INTEGERDUP; LSH), brought up to date in sorted runs
 *                 (dedup_index_step); schema 1 held bare u32 ids
 *   dedup_pending u8 generation (0 next, 1 being applied), u32 case (BE)
 *                 -> u8 flags (1: from, 2: to), the signature whose bands
 *                 are in dedup_bands (from) and the one they move to (to),
 *                 then the 64 u64 band slots of "to" (core/dedup/)
 *   search_terms  stripped syllable (raw bytes) -> u32 case ids, native
 *                 order, as dedup_bands; recognized cases' public text,
 *                 brought up to date in sorted runs (dedup_search_step)
 *   search_pending u32 case (BE) -> u32 n, the n bytes of the terms its
 *                 postings have ("from"), then those they move to ("to");
 *                 each NUL-terminated, in strcmp order
 *   rounds        id -> round JSON {id, unit, year, opens, closes,
 *                 decides_by} (đợt xét; core/model/round.c)
 *   notices       u64 id -> notice JSON: one person told of one event, in
 *                 the application and by mail, or a daily digest; its
 *                 "mail" is none, queued, digest, in_digest, sent or
 *                 failed (core/model/notice.c; the outbox)
 *   notice_index  'u' str user, u64 ~id -> "" (every notice of user,
 *                 newest first); 'n' the same, unread ones; 'q' u64
 *                 next_ts, u64 id -> "" (mail to try at next_ts); 'd' str
 *                 user, u64 id -> "" (waiting for user's daily digest)
 *
 * ("str" is one length byte and the bytes; "u64" is 8 bytes big-endian.)
 *
 * Checksums (issue 19; sum.c): every value of every database above but
 * dedup_bands and search_terms (sorted fixed-size duplicates, where a sum
 * would change their order and size; verify rebuilds and compares them)
 * ends with 8 bytes, XXH3-64 of the value seeded with XXH3-64 of the key,
 * little-endian.  So index entries whose value is "" hold just the sum of
 * their key: a flipped key byte is caught too.  Values above are given
 * without it (store_get and the scans strip it).  meta's "schema",
 * "checksums" (-> "xxh3-64": every record has its sum) and "checksums_at"
 * (the upgrade's progress) stay bare: they are read before the sums are
 * known to be on.  A database without "checksums" gets the sums at start
 * (store_sums_upgrade_step).
 *
 * Threads: one thread (the loop) writes.  Values returned by LMDB are borrowed
 * until their transaction ends.  The environment is opened with MDB_NOTLS so
 * that the loop can hold its read snapshot and its write transaction at once.
 */
#ifndef SK_STORE_H
#define SK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <lmdb.h>

/* The schema a new database gets.  The older one is read too: it differs
 * in dedup_bands only, which the server rebuilds at start
 * (dedup_index_upgrade), and then the schema is the current one. */
#define STORE_SCHEMA "2"
#define STORE_SCHEMA_OLD "1"

enum store_db {
	DB_META,
	DB_CASES,
	DB_HISTORY,
	DB_CASE_HISTORY,
	DB_BY_STATE,
	DB_BY_UNIT,
	DB_BY_AUTHOR,
	DB_BY_DUE,
	DB_UNITS,
	DB_USERS,
	DB_TOKENS,
	DB_COUNCILS,
	DB_IDEM,
	DB_IDEM_TIME,
	DB_RUBRICS,
	DB_RUBRIC_IDS,
	DB_BALLOTS,
	DB_TIMERS,
	DB_DEDUP_SIGS,
	DB_DEDUP_BANDS,
	DB_SEARCH_TERMS,
	DB_COUNCIL_INDEX,
	DB_CASE_ITEMS,
	DB_DEDUP_PENDING,
	DB_SEARCH_PENDING,
	DB_ROUNDS,
	DB_NOTICES,
	DB_NOTICE_INDEX,
	DB_COUNT,
};

/*
 * The store: the LMDB environment and what the loop keeps with it (its
 * read snapshot, the document cache, the count of writes).  Opaque, as
 * MDB_env is: its fields are core/store/'s own (impl.h).
 */
struct store;

/* Longest key we build: a length-prefixed string of 255 bytes, two u64s. */
#define STORE_KEY_MAX 512

struct store_key {
	unsigned char b[STORE_KEY_MAX];
	size_t        len;
};

/*
 * Opens (creating if needed) the environment in dir.  mapsize is the initial
 * map size (0: 64 MiB); the map grows on demand.  nosync trades durability
 * of the last commits for speed (--durability nosync).  Checks the schema
 * version.  Returns SK_OK or an error with a message in err.
 */
int store_open(struct store **out, const char *dir, size_t mapsize,
    bool nosync, char *err, size_t errlen);
void store_close(struct store *st);

/* server.verify's findings: at most STORE_MAX_PROBLEMS, so that the list
 * stays readable however broken the database. */
#define STORE_MAX_PROBLEMS 100
void store_problem(json_object *problems, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Checksums (sum.c).  Every record of a plain database ends with an 8-byte
 * XXH3-64 of its value seeded with its key's; reads check and strip it.
 * meta's records named below stay bare: they are read before it is known
 * whether the sums are on.
 */
#define STORE_META_SCHEMA "schema"
#define STORE_META_SUMS "checksums"        /* -> STORE_SUMS_KIND: sums on */
#define STORE_META_SUMS_AT "checksums_at"  /* the upgrade's progress */
#define STORE_SUMS_KIND "xxh3-64"
/* The last damaged record this thread read: "damaged record: TABLE KEY
 * (...)", valid UTF-8; NULL if none since store_damage_clear. */
const char *store_damage(void);
void        store_damage_clear(void);
/* A key as text for messages: a leading u64 in decimal where the table's
 * keys start with one, the rest ASCII with other bytes escaped. */
void store_key_text(enum store_db db, const void *key, size_t klen,
    char *out, size_t outlen);
/*
 * Gives a database written before checksums its sums, at most limit
 * records per call (a transaction each, so that a large database does
 * not need one huge transaction); *done once all have them and meta
 * "checksums" says so.  Idempotent; *rewritten counts the records.
 */
int store_sums_upgrade_step(MDB_txn *txn, struct store *st, size_t limit,
    bool *done, uint64_t *rewritten);

/* Translates an LMDB return code to the project's errors (the one place). */
int store_err(int mdb_rc);

/*
 * store_err for a failed commit: a full disk is SK_EDISKFULL (logged as
 * such, naming the directory and the bytes free), whether LMDB said ENOSPC
 * or EIO (its word for a short write, which is what a full disk gives)
 * with less than STORE_DISK_LOW bytes free.
 */
#define STORE_DISK_LOW ((uint64_t) 16 << 20)
int store_commit_err(struct store *st, int mdb_rc);

/* Begins the batch's write transaction, or a nested one inside parent. */
int store_write_begin(struct store *st, MDB_txn *parent, MDB_txn **txn);

/* The loop's read snapshot (fresh after store_read_end). */
int  store_read_begin(struct store *st, MDB_txn **txn);
void store_read_end(struct store *st);

/* A read snapshot for another thread than the loop's (server.verify on the
 * thread pool): it holds map_lock, so the map cannot grow under it; end it
 * as soon as the work is done. */
int  store_snapshot_begin(struct store *st, MDB_txn **txn);
void store_snapshot_end(struct store *st, MDB_txn *txn);

/* Doubles the map; no write transaction may be open.  For MDB_MAP_FULL. */
int store_grow(struct store *st);

/*
 * Doubles the map ahead of need, once three quarters of it are in use, so
 * that a batch seldom meets MDB_MAP_FULL; no write transaction may be
 * open.  Never waits: while another thread reads a snapshot (a verify or
 * a backup, minutes at a million cases) the map stays as it is, and the
 * caller tries again after a later commit.  store_grow, which must grow,
 * waits for that snapshot instead.  *grown says whether it grew.
 */
int store_grow_ahead(struct store *st, bool *grown);

/* Why the last grow failed ("database map cannot grow: ..."), or NULL if
 * the map has grown since (or never failed to).  A failed grow leaves the
 * map as it was: reads go on, and writes that need room are refused. */
const char *store_grow_error(const struct store *st);

/* Key building. */
void store_key_init(struct store_key *k);
void store_key_u64(struct store_key *k, uint64_t v);
void store_key_str(struct store_key *k, const char *s);
/* n raw bytes (a tag byte, a hash): the caller keeps within STORE_KEY_MAX. */
void store_key_bytes(struct store_key *k, const void *p, size_t n);
uint64_t store_u64_at(const void *p);

/* Plain access by key; values are borrowed until the transaction ends. */
int store_get(MDB_txn *txn, struct store *st, enum store_db db,
    const void *key, size_t klen, MDB_val *val);
int store_put(MDB_txn *txn, struct store *st, enum store_db db,
    const void *key, size_t klen, const void *val, size_t vlen);
int store_del(MDB_txn *txn, struct store *st, enum store_db db,
    const void *key, size_t klen);
/* Empties db (mdb_drop, the database kept). */
int store_clear(MDB_txn *txn, struct store *st, enum store_db db);
/* In a database of sorted duplicates: adds the pair (none if it is there),
 * or removes it (none if it is not). */
int store_put_dup(MDB_txn *txn, struct store *st, enum store_db db,
    const void *key, size_t klen, const void *val, size_t vlen);
int store_del_dup(MDB_txn *txn, struct store *st, enum store_db db,
    const void *key, size_t klen, const void *val, size_t vlen);

/*
 * Scans: the one way to walk a database, so that nothing outside the
 * store opens a cursor, seeks with MDB_SET_RANGE or compares key prefixes
 * (in the manner of Redis's hashTypeInitIterator / hashTypeNext and Knot
 * Resolver's cache match).  An iterator lives where its caller likes (the
 * stack, usually); its fields are the store's (core/store/scan.c).
 *
 *	struct store_scan it;
 *	MDB_val k, v;
 *	if ((rv = store_scan_begin(&it, txn, st, DB_BY_UNIT, &prefix,
 *	         NULL)) != 0) { return (rv); }
 *	while ((rv = store_scan_next(&it, &k, &v)) == 0) { ... }
 *	store_scan_end(&it);
 *	if (rv != STORE_SCAN_END) { return (rv); }
 *
 * Keys and values are borrowed until the transaction ends (or the record
 * is deleted); keys are whole, the prefix included.
 */
#define STORE_SCAN_END 1 /* no (more) record: not an error */

struct store_scan {
	MDB_cursor   *cur;
	struct store *st;
	enum store_db db;
	int           op;   /* the next move (an MDB_cursor_op) */
	size_t        plen; /* bytes of prefix every key must start with */
	size_t        slen; /* bytes of start */
	unsigned char prefix[STORE_KEY_MAX];
	unsigned char start[STORE_KEY_MAX];
};

/*
 * Starts a scan of db over the keys that begin with prefix (NULL: every
 * key), in key order from the first such key at or after from (NULL: the
 * prefix's first).  Nothing is read until store_scan_next.  Returns SK_OK
 * or an error; on error there is nothing to end.
 */
int store_scan_begin(struct store_scan *it, MDB_txn *txn, struct store *st,
    enum store_db db, const struct store_key *prefix,
    const struct store_key *from);
/* The next record: SK_OK, STORE_SCAN_END past the last one (or the
 * prefix's last), or a (negative) error. */
int store_scan_next(struct store_scan *it, MDB_val *key, MDB_val *val);
/* As store_scan_next, but one record per key in a database of sorted
 * duplicates (the first duplicate of each key). */
int store_scan_next_key(struct store_scan *it, MDB_val *key, MDB_val *val);
/* The next store_scan_next starts again at the beginning (after records
 * were deleted or added, say). */
void store_scan_restart(struct store_scan *it);
/* Deletes the record store_scan_next returned last (counted as a write);
 * the next store_scan_next returns the one after it. */
int store_scan_del(struct store_scan *it);
/* Puts a record through the iterator's cursor (counted as a write): flags
 * are mdb_put's (MDB_APPEND, MDB_APPENDDUP, MDB_NODUPDATA); in key order,
 * LMDB finds the place on the leaf it is on without descending again. */
int store_scan_put(struct store_scan *it, MDB_val *key, MDB_val *val,
    unsigned flags);
/* Ends the scan (closes its cursor); safe to call twice. */
void store_scan_end(struct store_scan *it);

/*
 * Duplicates (MDB_DUPSORT databases: dedup_bands, search_terms), on the
 * iterator's cursor; each moves it, so that store_scan_next goes on from
 * there.  All return SK_OK, STORE_SCAN_END (no such key, pair or
 * duplicate) or an error.
 */
/* Goes to key; *n is how many duplicates it has. */
int store_dup_count(struct store_scan *it, const void *key, size_t klen,
    size_t *n);
/* Whether the pair (key, val) is there; if so the cursor is on it (for
 * store_scan_del). */
int store_dup_find(struct store_scan *it, const void *key, size_t klen,
    const void *val, size_t vlen);
/* The first duplicate of key at or after *val (which it replaces). */
int store_dup_seek(struct store_scan *it, const void *key, size_t klen,
    MDB_val *val);
/* The last duplicate of key. */
int store_dup_last(struct store_scan *it, const void *key, size_t klen,
    MDB_val *val);
/* The duplicate after, or before, the cursor's, under the same key. */
int store_dup_next(struct store_scan *it, MDB_val *val);
int store_dup_prev(struct store_scan *it, MDB_val *val);
/* A database of fixed-size duplicates (MDB_DUPFIXED): the duplicates of
 * the cursor's key, a page at a time, packed side by side in *vals; first
 * for the first page, then false for each next one. */
int store_dup_packed(struct store_scan *it, bool first, MDB_val *vals);

/* A database's first or last record (the earliest timer, the latest
 * event): SK_OK, STORE_SCAN_END if it is empty, or an error. */
int store_first(MDB_txn *txn, struct store *st, enum store_db db,
    MDB_val *key, MDB_val *val);
int store_last(MDB_txn *txn, struct store *st, enum store_db db,
    MDB_val *key, MDB_val *val);

/* A database's size: its records (duplicates each count), the leaf pages
 * they fill, and the bytes of all its pages (of a database of sorted
 * duplicates, its main tree's only). */
struct store_stat {
	uint64_t entries;
	uint64_t leaf_pages;
	uint64_t bytes;
};
int store_stat(MDB_txn *txn, struct store *st, enum store_db db,
    struct store_stat *out);
/* How many records db holds (0 if LMDB cannot say). */
uint64_t store_entries(MDB_txn *txn, struct store *st, enum store_db db);

/* A JSON document under a string id (units, users, councils). */
int store_doc_get(MDB_txn *txn, struct store *st, enum store_db db,
    const char *id, json_object **out);
int store_doc_put(MDB_txn *txn, struct store *st, enum store_db db,
    const char *id, json_object *doc);

/*
 * The same document, shared and read-only: the caller must not change it,
 * and releases it with json_object_put as usual.  A batch's requests read
 * the same few councils and units over and over (every write resolves its
 * case's council, some twice, and the units above it); parsed each time
 * they were a tenth of a write's CPU.  So within the one transaction bound by
 * store_cache_bind, a document of those databases is parsed once.  Any
 * write to one of them (through the functions above) empties the cache, and
 * so does binding or unbinding: the caller unbinds as soon as the
 * transaction has ended, commit or abort, and before another begins, so
 * that nothing outlives what it was read from.
 * Other transactions (nested ones included) read afresh.  Loop only.
 */
int store_doc_view(MDB_txn *txn, struct store *st, enum store_db db,
    const char *id, json_object **out);
void store_cache_bind(struct store *st, MDB_txn *txn);
void store_cache_unbind(struct store *st);

/*
 * Parses a stored JSON value (borrowed from LMDB); the caller owns the
 * result.  No UTF-8 validation: what is stored was validated on the way in.
 */
json_object *store_json(const MDB_val *v);

/* Meta counters. */
int store_meta_u64(MDB_txn *txn, struct store *st, const char *name,
    uint64_t *v);
int store_meta_set_u64(MDB_txn *txn, struct store *st, const char *name,
    uint64_t v);

/*
 * Cases.  store_case_put writes the case and moves its index entries from
 * those of old (NULL for a new case) to those of doc, and the per-state
 * counters with them: indexes can never disagree with the cases.  If out
 * is not NULL it receives the text written (for a reply).
 */
int store_case_get(MDB_txn *txn, struct store *st, uint64_t id,
    json_object **out);
/*
 * What deciding who may see a case takes, and how to answer case.get
 * without parsing it: what its case_items entry keeps, or what
 * store_case_facts_of reads off the whole case.  The strings are copies in
 * buf (never NULL but where said); the struct owns nothing else.
 */
#define CASE_FACTS_STRS 32
struct case_facts {
	uint64_t    id;
	size_t      view_bytes;   /* the case's text before its internal
	                             fields; 0: not known */
	const char *state, *unit, *field;
	const char *submitted_at; /* NULL: never submitted */
	const char *council[2];   /* pinned unit, province council; or NULL */
	const char *authors[CASE_FACTS_STRS];      /* author_users */
	const char *confidential[CASE_FACTS_STRS]; /* section names */
	size_t      nauthors, nconfidential;
	size_t      used; /* of buf */
	bool        full; /* a string did not fit in buf */
	char        buf[4096];
};
/*
 * The case's facts from its case_items entry, and *list, its list item as
 * JSON text (borrowed until the transaction ends; NULL for an entry written
 * before the list item was kept).  SK_ENOTFOUND if there is no entry.
 */
int store_case_facts(MDB_txn *txn, struct store *st, uint64_t id,
    struct case_facts *f, const char **list, size_t *list_len);
/* The facts of a whole case (or of an entry written as JSON); SK_EBADREQ
 * if they do not fit (more than CASE_FACTS_STRS names, or 4 KiB). */
int store_case_facts_of(json_object *doc, struct case_facts *f);
/* A case's item in case.list (a new object). */
json_object *store_case_list_item(json_object *doc);
/* Writes the case_items entry of every case (for a database written
 * before case_items existed); *n is the number of cases. */
int store_case_items_rebuild(MDB_txn *txn, struct store *st, uint64_t *n);
/* The fields of a case that only the server reads, NULL-terminated. */
extern const char *const store_case_internal_fields[];
/* What store_case_put wrote: the case's text (malloc'd; the caller frees
 * it) and the length of the part before its internal fields. */
struct store_case_text {
	char  *text;
	size_t len, view_bytes;
};
int store_case_put(MDB_txn *txn, struct store *st, uint64_t id,
    json_object *old, json_object *doc, struct store_case_text *out);

/*
 * Appends ev to the history: sets "seq" and "prev", writes it, and indexes
 * it under its case if it has one.  On success *text is the stored JSON
 * (malloc'd; the caller frees it) for publishing after the commit.
 */
int store_event_add(MDB_txn *txn, struct store *st, json_object *ev,
    uint64_t *seq, char **text);

/*
 * Checks every index against the cases, the counters, and the history's
 * hash chain.  Appends a string to problems for each thing found wrong.
 * states are the workflow's state names (NULL-terminated, at most
 * STORE_MAX_STATES): a case in none of them is a problem, and so is a
 * counter of one that disagrees with the cases.
 */
#define STORE_MAX_STATES 64
int store_verify(MDB_txn *txn, struct store *st, const char *const *states,
    json_object *problems,
    uint64_t *ncases, uint64_t *nevents);

/*
 * What the model promises of the counts (server.verify, after store_verify):
 * cases are never deleted, so meta's next_case - 1 of them exist, each
 * created by an event; users and units come from events too.  An empty
 * database whose meta or history says otherwise is a problem.
 */
void store_verify_counts(MDB_txn *txn, struct store *st,
    json_object *problems, uint64_t ncases, uint64_t nevents);

/*
 * Counts (counts.c): counts.json beside a database (in the data directory,
 * and in each backup) keeps the history's last seq and next_case as they
 * were when the server last started or stopped, or when the backup was
 * made.  A database holding less has lost committed data (a damaged meta
 * page makes LMDB fall back to an older state, silently).
 */
struct store_counts {
	uint64_t last_seq, next_case;
};
/* The database's counts now (a read transaction of its own). */
int store_counts(struct store *st, struct store_counts *c);
/* Writes dir/counts.json (atomically: a temporary file, fsync, rename). */
int store_counts_save(struct store *st, const char *dir, char *err,
    size_t errlen);
/* Reads dir/counts.json; *found is false if there is none. */
int store_counts_load(const char *dir, struct store_counts *c, bool *found);
/* Whether have is short of want; if so msg says how. */
bool store_counts_short(const struct store_counts *have,
    const struct store_counts *want, char *msg, size_t msglen);
/* Opens a compacted copy (a backup) read-only, writing nothing in its
 * directory; refused ("damaged meta page: ...") when the file is not
 * exactly as long as the meta page LMDB reads says, which means that
 * page is not the newest.  Close with store_close. */
int store_open_ro(struct store **out, const char *dir, char *err,
    size_t errlen);

/* Hot, compacted, consistent copy into the empty directory path. */
int store_backup(struct store *st, const char *path, char *err,
    size_t errlen);

/* Bytes of the map in use, and the map's size. */
uint64_t store_bytes(struct store *st);
size_t   store_mapsize(const struct store *st);

/* Writes made through the store, ever: compared before and after a
 * request, it tells whether a failed one changed anything. */
uint64_t store_changes(const struct store *st);

/* Asks reads on other threads (store_verify, minutes at a million cases)
 * to give up part way (SK_EUNAVAIL): the server is shutting down.
 * store_stopping says whether it was asked. */
void store_stop_reading(struct store *st);
bool store_stopping(struct store *st);

#endif
