/*
 * timers.c: see timers.h.  Keys are u64 fire_at, u64 case, str kind, so a
 * cursor from the first key walks the timers in the order they fire.
 */
#include <string.h>

#include "core/util/err.h"
#include "core/model/timers.h"

static const char *const kinds[] = { "case.due_soon", "case.overdue" };

static void
timer_key(struct store_key *k, int64_t at, uint64_t case_id, const char *kind)
{
	store_key_init(k);
	store_key_u64(k, (uint64_t) (at < 0 ? 0 : at));
	store_key_u64(k, case_id);
	store_key_str(k, kind);
}

static int64_t
fire_time(int64_t due, int kind)
{
	return (kind == 0 ? due - TIMERS_DUE_SOON_S : due);
}

int
timers_set(struct op_ctx *ctx, uint64_t case_id, int64_t due)
{
	struct store_key k;
	int              rv;
	for (int i = 0; i < 2; i++) {
		timer_key(&k, fire_time(due, i), case_id, kinds[i]);
		if ((rv = store_put(ctx->txn, ctx->st, DB_TIMERS, k.b, k.len, "",
		         0)) != 0) {
			return (rv);
		}
	}
	return (0);
}

int
timers_clear(struct op_ctx *ctx, uint64_t case_id, int64_t due)
{
	struct store_key k;
	int              rv;
	for (int i = 0; i < 2; i++) {
		timer_key(&k, fire_time(due, i), case_id, kinds[i]);
		if ((rv = store_del(ctx->txn, ctx->st, DB_TIMERS, k.b, k.len)) !=
		    0) {
			return (rv);
		}
	}
	return (0);
}

int
timers_fire(struct op_ctx *ctx)
{
	struct store_scan it;
	MDB_val           k, v;
	int               rc, rv;

	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_TIMERS, NULL,
	         NULL)) != 0) {
		return (rv);
	}
	/* From the first each time: firing writes (the event, the case). */
	for (; (rc = store_scan_next(&it, &k, &v)) == 0;
	     store_scan_restart(&it)) {
		const unsigned char *b  = k.mv_data;
		int64_t              at = (int64_t) store_u64_at(b);
		uint64_t             id = store_u64_at(b + 8);
		char                 kind[64];
		json_object         *doc;

		if (at > ctx->now || k.mv_size < 17) {
			break;
		}
		size_t kl = b[16];
		memcpy(kind, b + 17, kl < sizeof(kind) ? kl : sizeof(kind) - 1);
		kind[kl < sizeof(kind) ? kl : sizeof(kind) - 1] = '\0';
		if ((rv = store_scan_del(&it)) != 0) {
			break;
		}
		if (store_case_get(ctx->txn, ctx->st, id, &doc) != 0) {
			continue; /* the case is gone: nothing to say */
		}
		json_object *ev = json_object_new_object();
		json_object_object_add(ev, "case", json_object_new_int64((int64_t) id));
		json_object_object_add(ev, "unit",
		    json_object_new_string(doc_get_str(doc, "unit") ?: ""));
		json_object_object_add(ev, "state",
		    json_object_new_string(doc_get_str(doc, "state") ?: ""));
		json_object_object_add(ev, "due_at",
		    json_object_new_string(doc_get_str(doc, "due_at") ?: ""));
		json_object_put(doc);
		if ((rv = op_event(ctx, kind, ev)) != 0) {
			break;
		}
	}
	store_scan_end(&it);
	if (rv != 0) {
		return (rv);
	}
	return (rc == 0 || rc == STORE_SCAN_END ? 0 : rc);
}

int64_t
timers_next(MDB_txn *txn, struct store *st)
{
	MDB_val k, v;

	if (store_first(txn, st, DB_TIMERS, &k, &v) == 0 && k.mv_size >= 8) {
		return ((int64_t) store_u64_at(k.mv_data));
	}
	return (-1);
}
