/*
 * similar.h: the case's side of the duplicate and search indexes
 * (similar.c); core/dedup/ is the engine.
 */
#ifndef SK_MODEL_SIMILAR_H
#define SK_MODEL_SIMILAR_H

#include <stdbool.h>

#include "core/dedup/dedup.h"
#include "core/model/ctx.h"
#include "core/model/doc.h"

/*
 * A change hook of case_save (case.c), run before the case is put, in the
 * same transaction: it indexes the case's signature when
 * it enters submitted, stores "similar" on doc at accept, and moves the
 * case in or out of the search index with the public states.  Returns 0,
 * or an error recorded in ctx->err (the operation then fails).
 */
int dedup_case_changed(struct op_ctx *ctx, json_object *old, json_object *doc);

/*
 * At submit, before the rubric's check: stores on doc the earlier cases
 * like its text ("similar") and, when the nearest is at or above the
 * province's threshold, "flagged_similar".  Reads only.
 */
int similar_at_submit(struct op_ctx *ctx, uint64_t id, json_object *doc);

/* The similarity from which a case is flagged: the similarity_flag of the
 * topmost unit above unit that sets one (unit.put), else the default. */
#define SIMILAR_FLAG_DEFAULT 0.8
double similar_flag_threshold(struct op_ctx *ctx, const char *unit);

/* server.verify's checks of those indexes; appends to problems. */
int dedup_server_verify(struct op_ctx *ctx, json_object *problems);

/*
 * The text of a case: its title, then its sections in the order of the
 * law; with public, without those it lists as confidential.  malloc'd, or
 * NULL when out of memory.
 */
char *case_text(json_object *doc, bool public, size_t *len);

/* The signature of a case's whole text; *n is 0 when it has no words. */
int case_sign(json_object *doc, struct dedup_sig *sig, size_t *n);

/* A similarity as people read it: 3 decimals, "0.25" not "0.250". */
json_object *similarity_json(double s);

/* One similar case as clients see it: {id, title, [state,] similarity},
 * from the case doc c (borrowed). */
json_object *similar_item(uint64_t id, json_object *c, double similarity,
    bool with_state);

#endif
