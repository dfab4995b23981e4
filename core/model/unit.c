/*
 * unit.c: the unit tree (unit.h).  Units are few (hundreds in a province)
 * and store_doc_view keeps each parsed once per transaction, so a walk
 * reads each unit's document rather than keeping a tree of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/err.h"
#include "core/model/doc.h"
#include "core/model/unit.h"

int
unit_walk(struct op_ctx *ctx, const char *unit, unit_visit_fn visit,
    void *arg)
{
	char id[PROTO_MAX_ID + 1];
	int  rv;

	snprintf(id, sizeof(id), "%s", unit ? unit : "");
	for (int depth = 0; depth < UNIT_MAX_DEPTH && id[0] != '\0'; depth++) {
		json_object *u = NULL;

		if (store_doc_view(ctx->txn, ctx->st, DB_UNITS, id, &u) != 0) {
			u = NULL;
		}
		if ((rv = visit(arg, id, u)) != 0 || u == NULL) {
			json_object_put(u);
			return (rv);
		}
		snprintf(id, sizeof(id), "%s", doc_get_str(u, "parent") ?: "");
		json_object_put(u);
	}
	return (0);
}

static int
is_id(void *arg, const char *id, json_object *unit)
{
	(void) unit;
	return (strcmp(id, arg) == 0);
}

bool
unit_is_under(struct op_ctx *ctx, const char *unit, const char *above)
{
	return (unit_walk(ctx, unit, is_id, (void *) above) == 1);
}

static int
cmp_id(const void *a, const void *b)
{
	return (strcmp(a, b));
}

int
unit_subtree(struct op_ctx *ctx, const char *root,
    char (**out)[PROTO_MAX_ID + 1], size_t *nout)
{
	struct store_scan it;
	MDB_val           k, v;
	size_t            n = 1, cap = 16;
	int               rv;

	*nout = 0;
	if ((*out = malloc(cap * sizeof(**out))) == NULL) {
		return (SK_EINTERNAL);
	}
	snprintf((*out)[0], sizeof(**out), "%s", root);
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_UNITS, NULL,
	         NULL)) != 0) {
		free(*out);
		*out = NULL;
		return (rv);
	}
	while ((rv = store_scan_next(&it, &k, &v)) == 0) {
		char id[PROTO_MAX_ID + 1];
		if (k.mv_size > PROTO_MAX_ID) {
			continue;
		}
		memcpy(id, k.mv_data, k.mv_size);
		id[k.mv_size] = '\0';
		if (strcmp(id, root) == 0 || !unit_is_under(ctx, id, root)) {
			continue;
		}
		if (n == cap) {
			char(*more)[PROTO_MAX_ID + 1] =
			    realloc(*out, 2 * cap * sizeof(**out));
			if (more == NULL) {
				rv = SK_EINTERNAL;
				break;
			}
			*out = more;
			cap *= 2;
		}
		memcpy((*out)[n++], id, k.mv_size + 1);
	}
	store_scan_end(&it);
	if (rv != STORE_SCAN_END) {
		free(*out);
		*out = NULL;
		return (rv);
	}
	qsort(*out, n, sizeof(**out), cmp_id);
	*nout = n;
	return (0);
}
