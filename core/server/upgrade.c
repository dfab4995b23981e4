/*
 * upgrade.c: schema upgrades at start.  A database written by an older
 * sangkiend lacks derived data that newer code relies on (the council
 * index, the cases' list items, tokens that carry their principal, the
 * duplicate index's bands in their schema 2 format, every record's
 * checksum).  Each is rebuilt once,
 * before the server answers, from what is stored: the database format on
 * disk only ever gains, so an older database always opens.
 */
#include <uv.h>

#include "core/model/auth.h"
#include "core/dedup/dedup.h"
#include "core/util/log.h"
#include "core/model/council.h"
#include "core/model/form.h"
#include "core/server/impl.h"

/*
 * A database written before council_index or case_items existed has
 * councils and cases without them: build them once, at start.
 */
static int
rebuild_derived(struct op_ctx *ctx, void *arg)
{
	struct store_scan it;
	MDB_val           k, v;
	uint64_t          n;
	int               rv = 0;

	(void) arg;
	if (store_entries(ctx->txn, ctx->st, DB_COUNCIL_INDEX) == 0 &&
	    store_entries(ctx->txn, ctx->st, DB_COUNCILS) > 0 &&
	    store_scan_begin(&it, ctx->txn, ctx->st, DB_COUNCILS, NULL, NULL) ==
	        0) {
		while (rv == 0 && store_scan_next(&it, &k, &v) == 0) {
			json_object *c = store_json(&v);
			rv = c != NULL ? council_index_update(ctx, NULL, c) : 0;
			json_object_put(c);
		}
		store_scan_end(&it);
		log_info("council index rebuilt");
	}
	if (rv == 0 && store_entries(ctx->txn, ctx->st, DB_CASE_ITEMS) <
	        store_entries(ctx->txn, ctx->st, DB_CASES)) {
		rv = store_case_items_rebuild(ctx->txn, ctx->st, &n);
		log_info("list items rebuilt for %llu cases",
		    (unsigned long long) n);
	}
	/* Tokens written before they carried their principal. */
	if (rv == 0 && (rv = auth_tokens_upgrade(ctx->txn, ctx->st, &n)) == 0 &&
	    n > 0) {
		log_info("%llu tokens rewritten with their principal",
		    (unsigned long long) n);
	}
	return (rv);
}

/*
 * Issue 16: cases written before the application's form had the authors'
 * particulars get them empty (core/model/form.c), once.
 */
static int
upgrade_form(struct op_ctx *ctx, void *arg)
{
	uint64_t n;
	int      rv;

	(void) arg;
	if ((rv = form_upgrade(ctx, &n)) == 0 && n > 0) {
		log_info("%llu cases given the form's new fields, empty",
		    (unsigned long long) n);
	}
	return (rv);
}

/* One call of dedup_index_upgrade: what it did, for server_upgrade. */
struct upgrade {
	bool     done;
	uint64_t cases;
};

static int
upgrade_dedup(struct op_ctx *ctx, void *arg)
{
	struct upgrade *u = arg;
	return (dedup_index_upgrade(ctx->txn, ctx->st, DEDUP_UPGRADE_ENTRIES,
	    &u->done, &u->cases));
}

/*
 * Checksums (issue 19): a database written before every record carried
 * one gets them, 20,000 records per transaction, before anything else
 * reads it; meta "checksums" marks it done (core/store/sum.c).
 */
struct sums_upgrade {
	bool     done;
	uint64_t records;
};

static int
upgrade_sums(struct op_ctx *ctx, void *arg)
{
	struct sums_upgrade *u = arg;
	return (store_sums_upgrade_step(ctx->txn, ctx->st, 20000, &u->done,
	    &u->records));
}

static bool
server_upgrade_sums(struct server *s)
{
	struct sums_upgrade u = { 0 };
	while (!u.done) {
		if (server_system(s, "adding checksums to the records",
		        upgrade_sums, &u) != 0) {
			return (false);
		}
	}
	if (u.records > 0) {
		log_info("checksums added to %llu records",
		    (unsigned long long) u.records);
	}
	return (true);
}

/*
 * The checksums first (without them, nothing else can read), then the
 * derived indexes (a failure is logged and the server starts
 * without them, as before); then a database indexed for duplicates by an
 * older sangkiend has its bands rebuilt (core/dedup/lsh.c), in steps of
 * their own transaction: 0.4 s for 16,000 indexed cases, 9.3 s for
 * 300,000 (of a million cases).
 */
bool
server_upgrade(struct server *s)
{
	uint64_t       t0 = uv_hrtime(), cases = 0;
	struct upgrade u  = { 0 };

	if (!server_upgrade_sums(s)) {
		return (false);
	}
	server_system(s, "rebuilding indexes", rebuild_derived, NULL);
	server_system(s, "filling in the application's form", upgrade_form,
	    NULL);
	while (!u.done) {
		if (server_system(s, "rebuilding the duplicate index",
		        upgrade_dedup, &u) != 0) {
			return (false);
		}
		cases = u.cases > cases ? u.cases : cases;
	}
	if (cases > 0) {
		log_info("duplicate index of %llu cases rebuilt in its new "
		         "format (schema 2) in %.1f s",
		    (unsigned long long) cases,
		    (double) (uv_hrtime() - t0) / 1e9);
	}
	return (true);
}
