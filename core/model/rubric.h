/*
 * rubric.h: rubric versions, from Lua source to a loaded plugin.
 *
 * Every version of every rubric is kept in LMDB under its hash (the rubrics
 * database), and each id names its current version (rubric_ids).  A
 * version's hash covers its own source and the hashes of the versions it
 * extends, so a review pinned to a hash is decided by exactly the code it
 * was pinned to, even after the rubric or its base is edited.  Loaded
 * versions are cached: a lua_State per version, made on first use.
 *
 * Threads: the loop thread only, but for rubric_load_apart and
 * rubric_apart_limits (any thread).  Ownership: the registry owns the loaded
 * plugins it returns; JSON documents returned belong to the caller.
 */
#ifndef SK_RUBRIC_H
#define SK_RUBRIC_H

#include <stdbool.h>

#include "core/store/store.h"
#include "ipc/proto.h"
#include "plugins/host.h"

#define RUBRIC_HASH_HEX 64

struct rubric_reg;

int  rubric_reg_new(struct rubric_reg **out, struct store *st,
     const struct plug_limits *lim);
void rubric_reg_free(struct rubric_reg *reg);

/*
 * Compiles source as rubric id: loads it in the host (bases resolved from
 * the current versions in txn) and checks that its table's id is id.
 * Returns SK_OK and the version document {id, title, hash, criteria, bases,
 * source}, or rubric_error / bad_request in e.
 */
int rubric_compile(struct rubric_reg *reg, MDB_txn *txn, const char *id,
    const char *chunkname, const char *src, size_t len,
    json_object **version, struct proto_err *e);

/*
 * Stores version (kept forever) and makes it the current one of its id.
 * *changed says whether the id's current version moved.
 */
int rubric_store(struct rubric_reg *reg, MDB_txn *txn, json_object *version,
    int64_t now, bool *changed);

/* The current version's hash of id; SK_ENOTFOUND if there is no such id. */
int rubric_current(MDB_txn *txn, struct store *st, const char *id,
    char hash[RUBRIC_HASH_HEX + 1]);

/* A stored version document by hash (caller owns it). */
int rubric_version(MDB_txn *txn, struct store *st, const char *hash,
    json_object **out);

/* The loaded plugin of a stored version (owned by the registry). */
int rubric_get(struct rubric_reg *reg, MDB_txn *txn, const char *hash,
    struct plug_rubric **out, struct proto_err *e);

/*
 * Apart from the loop: rubric.test and rubric.put load and run rubrics on
 * libuv's thread pool, each in a Lua state of its own, never cached, under
 * the registry's limits but RUBRIC_APART_TIME_MS of time per call (the
 * loop's calls have 100 ms: PLUG_DEFAULT_TIME_MS).
 */
#define RUBRIC_APART_TIME_MS 1000

/* The limits of a call apart from the loop. */
void rubric_apart_limits(const struct rubric_reg *reg,
    struct plug_limits *lim);

/*
 * Loads src on a thread that is not the loop's: extend() reads each base
 * in a read snapshot of its own (pinned: the bases a stored version was
 * pinned to, id -> hash; NULL: the current versions).  With id, checks
 * that the table's id is id and gives the version document in *version
 * (as rubric_compile; version may be NULL).  The caller frees the plugin
 * with plug_free.  Reads only reg's store and limits, so it may run while
 * the loop uses the registry.
 */
int rubric_load_apart(struct rubric_reg *reg, const char *id,
    const char *src, size_t len, json_object *pinned,
    struct plug_rubric **out, json_object **version, struct proto_err *e);

/*
 * Loads every *.lua of dir (file name = rubric id) as the current versions,
 * in an order that lets a rubric extend another of the same directory.
 * Calls changed_fn for each id whose current version moved.  Problems with
 * single files are logged and skipped; returns the number loaded.
 */
int rubric_load_dir(struct rubric_reg *reg, MDB_txn *txn, const char *dir,
    int64_t now, void (*changed_fn)(void *arg, json_object *version),
    void *arg);

#endif
