/*
 * council.h: councils (council.c).  Councils are looked up through
 * council_index (store.h), so that no request parses every council.
 */
#ifndef SK_MODEL_COUNCIL_H
#define SK_MODEL_COUNCIL_H

#include "core/model/ctx.h"

/*
 * The councils of a unit and the roles of a user in them.
 * council_for_unit walks from unit up through the parents to the first unit
 * with a council of scope "unit"; council_for_field picks the province
 * council whose fields include field, else one with no fields.  Both return
 * SK_ENOTFOUND when there is none.  *out is shared (store_doc_view): read
 * it, never change it, and release it with json_object_put.
 */
int council_for_unit(struct op_ctx *ctx, const char *unit, json_object **out);
int council_for_field(struct op_ctx *ctx, const char *field,
    json_object **out);
/* Moves council_index from old's entries to doc's (either may be NULL). */
int council_index_update(struct op_ctx *ctx, json_object *old,
    json_object *doc);
/* True if user is a member of any council. */
bool council_member_anywhere(struct op_ctx *ctx, const char *user);
/* The role ("chair", "secretary", "member", ...) of user in council, or
 * NULL. */
const char *council_role(json_object *council, const char *user);
/*
 * The unit whose head recognizes what council recommends, into head: a
 * unit council's `unit`; for a province council, the unit at the top of
 * the tree above its `unit` (the province).  SK_ENOTFOUND without a unit.
 */
int council_head_unit(struct op_ctx *ctx, json_object *council,
    char head[PROTO_MAX_ID + 1]);
/* The number of members of council whose role votes (all but experts). */
int council_voting_members(json_object *council);

#endif
