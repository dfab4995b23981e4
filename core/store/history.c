/*
 * history.c: the history, a gap-free hash chain of events (store.h):
 * store_event_add is its only writer, so that every event's "prev" is the
 * hash of the one before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/store/impl.h"
#include "core/util/err.h"
#include "core/util/json.h"

void
store_hex(const unsigned char *b, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, b, n);
}

int
store_event_add(MDB_txn *txn, struct store *st, json_object *ev,
    uint64_t *seqp, char **textp)
{
	uint64_t         seq;
	MDB_val          v;
	char             prev[STORE_HASH_LEN * 2 + 1] = "";
	unsigned char    h[STORE_HASH_LEN];
	struct store_key k;
	const char      *text;
	size_t           len;
	json_object     *cv;
	int              rv;

	if ((rv = store_meta_u64(txn, st, "last_seq", &seq)) != 0) {
		return (rv);
	}
	seq++;
	rv = store_get(txn, st, DB_META, "head_hash", 9, &v);
	if (rv == 0 && v.mv_size == STORE_HASH_LEN * 2) {
		memcpy(prev, v.mv_data, STORE_HASH_LEN * 2);
		prev[STORE_HASH_LEN * 2] = '\0';
	} else if (rv != SK_ENOTFOUND && rv != 0) {
		return (rv);
	}
	/* seq goes first so that people reading the history see it first. */
	json_object *out = json_object_new_object();
	json_object_object_add(out, "seq", json_object_new_int64((int64_t) seq));
	json_object_object_foreach(ev, key, val)
	{
		if (strcmp(key, "seq") != 0 && strcmp(key, "prev") != 0) {
			json_object_object_add(out, key, json_object_get(val));
		}
	}
	json_object_object_add(out, "prev", json_object_new_string(prev));
	text = util_json_text(out, &len);
	crypto_generichash(h, STORE_HASH_LEN, (const unsigned char *) text, len,
	    NULL, 0);
	store_hex(h, STORE_HASH_LEN, prev);

	store_key_init(&k);
	store_key_u64(&k, seq);
	if ((rv = store_put(txn, st, DB_HISTORY, k.b, k.len, text, len)) != 0 ||
	    (rv = store_put(txn, st, DB_META, "head_hash", 9, prev,
	         STORE_HASH_LEN * 2)) != 0 ||
	    (rv = store_meta_set_u64(txn, st, "last_seq", seq)) != 0) {
		json_object_put(out);
		return (rv);
	}
	if (json_object_object_get_ex(ev, "case", &cv) &&
	    json_object_is_type(cv, json_type_int)) {
		store_key_init(&k);
		store_key_u64(&k, (uint64_t) json_object_get_int64(cv));
		store_key_u64(&k, seq);
		if ((rv = store_put(txn, st, DB_CASE_HISTORY, k.b, k.len, "",
		         0)) != 0) {
			json_object_put(out);
			return (rv);
		}
	}
	*seqp = seq;
	if (textp != NULL) {
		*textp = strdup(text);
	}
	json_object_put(out);
	return (0);
}
