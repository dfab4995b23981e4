/*
 * round.h: rounds (đợt xét, round.c).  A province, or a unit, runs its
 * recognition work in rounds with dates of their own: applications are
 * taken between `opens` and `closes`, decided by `decides_by`.  A case
 * belongs to the round open for its unit when it is submitted.
 */
#ifndef SK_MODEL_ROUND_H
#define SK_MODEL_ROUND_H

#include "core/model/ctx.h"
#include "core/model/doc.h"

/*
 * Sets doc's "round" at submission: the round open today (opens <= today
 * <= closes) of the nearest unit from the case's unit upward that has one
 * open, else an open round without a unit (the whole province), else null:
 * an application is never refused for being outside a round (the law lets
 * an author apply at any time within the year after first application).
 * A resubmitted case keeps the round it had.  Reads only.
 */
int round_of_case(struct op_ctx *ctx, json_object *doc);

#endif
