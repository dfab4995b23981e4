/*
 * unit.h: the unit tree (unit.c).  Units have a parent; the walk up from a
 * unit to the top is defined here once, for whoever asks what is above a
 * unit (its council, its rubric) or below it (case.list's subunits).
 */
#ifndef SK_MODEL_UNIT_H
#define SK_MODEL_UNIT_H

#include "core/model/ctx.h"

/* How deep the unit tree may go (unit.put refuses a deeper one). */
#define UNIT_MAX_DEPTH 64

/*
 * Calls visit(arg, id, unit) for unit and each unit above it, nearest
 * first; unit is the unit's document, shared and read-only
 * (store_doc_view), or NULL for an id that is no unit, after which the
 * walk stops.  A visit returns 0 to go on, anything else to stop the walk
 * and have unit_walk return it.  Returns 0 at the top of the tree (or
 * UNIT_MAX_DEPTH levels up).
 */
typedef int (*unit_visit_fn)(void *arg, const char *id, json_object *unit);
int unit_walk(struct op_ctx *ctx, const char *unit, unit_visit_fn visit,
    void *arg);

/* True if above is unit or a unit above it. */
bool unit_is_under(struct op_ctx *ctx, const char *unit, const char *above);

/*
 * The ids of root and of every unit below it, sorted (strcmp), in *out
 * (the caller frees it); a root that is no unit is a tree of itself alone.
 */
int unit_subtree(struct op_ctx *ctx, const char *root,
    char (**out)[PROTO_MAX_ID + 1], size_t *n);

#endif
