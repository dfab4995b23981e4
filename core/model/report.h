/*
 * report.h: reports over many cases (report.c), for the province's
 * secretariat and the emulation board: counts by state and unit, answer
 * times against the three months, recognized initiatives with their
 * authors, the authors with a recognized initiative in a year, and how
 * consistently each council member scores.
 *
 * A report reads one snapshot of its own (store_snapshot_begin) on a
 * thread of libuv's pool, so that it sees one state of the database and
 * holds up no write however many cases it reads.
 */
#ifndef SK_MODEL_REPORT_H
#define SK_MODEL_REPORT_H

#include <stdbool.h>

#include "core/model/ctx.h"

/* A scorer is flagged only over at least this many cases... */
#define REPORT_MIN_CASES 5
/* ...when their totals sit this many points from their panels' medians
 * on average, or move against the rest of the council (correlation < 0). */
#define REPORT_FLAG_POINTS 10.0

struct report_filter {
	int         year;     /* 0: any (report.c says which date) */
	const char *round;    /* NULL: any */
	const char *unit;     /* NULL: any */
	bool        subunits; /* with unit: and every unit below it */
	const char *field;    /* NULL: any */
	const char *state;    /* NULL: any */
};

/* The report called name, or -1. */
int report_find(const char *name);

/*
 * Runs report number which over the cases f selects, in ctx's
 * transaction (a snapshot); *out is {report, filter, items, ...}.
 * Returns 0 or an error recorded in ctx->err.
 */
int report_run(struct op_ctx *ctx, int which, const struct report_filter *f,
    json_object **out);

#endif
