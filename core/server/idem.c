/*
 * idem.c: idempotency (see impl.h).  nng's REQ resends a request when its
 * reply is late, and the CLI sends a write again when the connection is
 * lost before the reply: with a request_id, the second arrival is answered
 * with the first reply and changes nothing.  Replies are kept a day, under
 * (principal, request_id) in idem, and by time in idem_time so that the
 * oldest are found first to expire.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util/err.h"
#include "core/server/impl.h"

#define IDEM_TTL_S (24 * 3600)
#define IDEM_EXPIRE_PER_BATCH 64

static void
idem_key(struct store_key *k, const char *who, const char *request_id)
{
	store_key_init(k);
	store_key_str(k, who);
	store_key_str(k, request_id);
}

int
idem_lookup(MDB_txn *txn, struct store *st, const char *who,
    const char *request_id, int64_t now, char **reply, size_t *len)
{
	struct store_key k;
	MDB_val          v;

	idem_key(&k, who, request_id);
	if (store_get(txn, st, DB_IDEM, k.b, k.len, &v) != 0 ||
	    v.mv_size < 8) {
		return (SK_ENOTFOUND);
	}
	if (now - (int64_t) store_u64_at(v.mv_data) >= IDEM_TTL_S) {
		return (SK_ENOTFOUND);
	}
	*len   = v.mv_size - 8;
	*reply = malloc(*len + 1);
	if (*reply == NULL) {
		return (SK_EINTERNAL);
	}
	memcpy(*reply, (char *) v.mv_data + 8, *len);
	(*reply)[*len] = '\0';
	return (0);
}

int
idem_store(MDB_txn *txn, struct store *st, const char *who,
    const char *request_id, const char *reply, size_t len, int64_t now)
{
	struct store_key k, t;
	char            *buf;
	int              rv;

	idem_key(&k, who, request_id);
	if ((buf = malloc(len + 8)) == NULL) {
		return (SK_EINTERNAL);
	}
	store_key_init(&t);
	store_key_u64(&t, (uint64_t) now);
	memcpy(buf, t.b, 8);
	memcpy(buf + 8, reply, len);
	rv = store_put(txn, st, DB_IDEM, k.b, k.len, buf, len + 8);
	free(buf);
	if (rv != 0) {
		return (rv);
	}
	memcpy(t.b + t.len, k.b, k.len);
	t.len += k.len;
	return (store_put(txn, st, DB_IDEM_TIME, t.b, t.len, "", 0));
}

int
idem_expire(MDB_txn *txn, struct store *st, int64_t now)
{
	struct store_scan it;
	MDB_val           k, v;
	int               rv, n = 0;

	if ((rv = store_scan_begin(&it, txn, st, DB_IDEM_TIME, NULL, NULL)) !=
	    0) {
		return (rv);
	}
	while (n++ < IDEM_EXPIRE_PER_BATCH &&
	    (rv = store_scan_next(&it, &k, &v)) == 0) {
		if (now - (int64_t) store_u64_at(k.mv_data) < IDEM_TTL_S) {
			break;
		}
		if ((rv = store_del(txn, st, DB_IDEM, (char *) k.mv_data + 8,
		         k.mv_size - 8)) != 0 ||
		    (rv = store_scan_del(&it)) != 0) {
			break;
		}
	}
	store_scan_end(&it);
	return (rv == STORE_SCAN_END ? 0 : rv);
}
