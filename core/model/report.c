/*
 * report.c: the reports of report.h, each a pass over the cases a filter
 * selects, in one snapshot.  A case is first judged on its facts (the
 * case_items entry: state, unit, field, date submitted), without parsing
 * it; only the cases that pass are parsed, and only by the reports that
 * need more than the facts.
 *
 * Which date "year" means: the year the case was submitted, except for
 * `recognized` and `authors`, where it is the year of the recognition
 * (the decision's date), as the emulation titles count them.
 *
 * The scorers report (rubrics/README.md explains it for councils): for
 * every review stage of a case with at least three ballots, each member's
 * total is compared with the median total of that panel (the median, not
 * the mean, so that one harsh member does not make the others look
 * lenient).  Per member and council: cases (panels scored), mean_deviation
 * (the mean of total - panel median, in points; negative is harsher),
 * correlation (Pearson, of the member's totals against the mean of the
 * other members' totals on the same cases: near 1 when the member ranks
 * cases as the others do; null under three cases or without spread),
 * decisive (cases decided the way the member voted where their vote
 * alone, flipped, would have turned a simple majority: a ballot's vote is
 * its "vote", else pass at 50 points or more).  A member is flagged with
 * at least REPORT_MIN_CASES cases when |mean_deviation| >=
 * REPORT_FLAG_POINTS or the correlation is negative.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/err.h"
#include "core/util/log.h"
#include "core/model/case.h"
#include "core/model/report.h"
#include "core/model/unit.h"

enum report_kind {
	R_STATES,
	R_TIMES,
	R_RECOGNIZED,
	R_AUTHORS,
	R_SCORERS,
	R_NKINDS,
};

static const char *const report_names[R_NKINDS] = {
	"states", "times", "recognized", "authors", "scorers",
};

int
report_find(const char *name)
{
	for (int i = 0; i < R_NKINDS; i++) {
		if (name != NULL && strcmp(name, report_names[i]) == 0) {
			return (i);
		}
	}
	return (-1);
}

static int
cmp_id(const void *a, const void *b)
{
	return (strcmp(a, b));
}

static int
year_of(const char *date)
{
	return (date != NULL && strlen(date) >= 4 ? atoi(date) : 0);
}

/* ---- The outcome a case stands at ------------------------------------- */

/*
 * The standing recognition of a case: the latest not superseded of the
 * head's recognitions (issue 16) whose outcome is "recognized", else
 * (before them) of the councils' decisions whose verdict is "pass" while
 * the state says recognized.  Sets stage, date and number.
 */
struct standing {
	const char *stage, *date, *no;
};

static bool
not_superseded(json_object *o)
{
	json_object *s = json_object_object_get(o, "superseded");
	return (s == NULL || !json_object_get_boolean(s));
}

static bool
recognized_as(json_object *doc, struct standing *r)
{
	enum wf_state s = wf_state_parse(doc_get_str(doc, "state"));
	json_object  *arr;

	memset(r, 0, sizeof(*r));
	if (s != WF_UNIT_RECOGNIZED && s != WF_NOMINATED &&
	    s != WF_PROVINCE_REVIEW && s != WF_RECOGNIZED &&
	    s != WF_PROVINCE_REFUSED &&
	    s != wf_state_parse("province_recommended")) {
		return (false);
	}
	if ((arr = json_object_object_get(doc, "recognitions")) != NULL) {
		for (size_t i = doc_len(arr); i-- > 0;) {
			json_object *o   = json_object_array_get_idx(arr, i);
			const char  *out = doc_get_str(o, "outcome");
			if (not_superseded(o) && out != NULL &&
			    strcmp(out, "recognized") == 0) {
				r->stage = doc_get_str(o, "stage");
				r->date  = doc_get_str(o, "decision_date");
				r->no    = doc_get_str(o, "decision_no");
				return (true);
			}
		}
		return (false);
	}
	arr = json_object_object_get(doc, "decisions");
	for (size_t i = doc_len(arr); i-- > 0;) {
		json_object *o = json_object_array_get_idx(arr, i);
		const char  *v = doc_get_str(o, "verdict");
		if (not_superseded(o) && v != NULL && strcmp(v, "pass") == 0) {
			r->stage = doc_get_str(o, "stage");
			r->date  = doc_get_str(o, "decided_at");
			return (true);
		}
	}
	return (false);
}

/* "Nguyễn Thị Lan (70%); Chu Thị Dung (30%)" (a new string). */
static json_object *
authors_text(json_object *doc)
{
	json_object *authors = json_object_object_get(doc, "authors");
	char         buf[2048];
	size_t       used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < doc_len(authors); i++) {
		json_object *a = json_object_array_get_idx(authors, i);
		int          n = snprintf(buf + used, sizeof(buf) - used,
		             "%s%s (%lld%%)", i ? "; " : "",
		             doc_get_str(a, "name") ?: "",
		             (long long) doc_get_int(a, "share", 0));
		if (n < 0 || (size_t) n >= sizeof(buf) - used) {
			break;
		}
		used += (size_t) n;
	}
	return (json_object_new_string(buf));
}

/* ---- The pass over the cases ------------------------------------------ */

struct acc {
	double n, dev, x, y, xx, yy, xy;
	int    decisive;
};

struct run {
	struct op_ctx              *ctx;
	const struct report_filter *f;
	int                         which;
	char (*units)[PROTO_MAX_ID + 1];
	size_t       nunits;
	json_object *items;  /* states: by unit; others: a list */
	json_object *totals; /* states: by state */
	json_object *scorers; /* scorers: "council\tuser" -> index in acc */
	struct acc  *acc;
	size_t       nacc, capacc;
	uint64_t     cases;
};

static bool
facts_match(struct run *r, const struct case_facts *c)
{
	const struct report_filter *f = r->f;
	if (f->state != NULL && strcmp(c->state, f->state) != 0) {
		return (false);
	}
	if (f->field != NULL &&
	    (c->field == NULL || strcmp(c->field, f->field) != 0)) {
		return (false);
	}
	if (f->unit != NULL) {
		if (r->units != NULL
		        ? bsearch(c->unit, r->units, r->nunits,
		              sizeof(*r->units), cmp_id) == NULL
		        : strcmp(c->unit, f->unit) != 0) {
			return (false);
		}
	}
	if (f->year != 0 && r->which != R_RECOGNIZED && r->which != R_AUTHORS &&
	    year_of(c->submitted_at) != f->year) {
		return (false);
	}
	return (true);
}

static void
count_state(struct run *r, const struct case_facts *c)
{
	json_object *u, *n;
	if (!json_object_object_get_ex(r->items, c->unit, &u)) {
		u = json_object_new_object();
		json_object_object_add(r->items, c->unit, u);
	}
	n = json_object_object_get(u, c->state);
	json_object_object_add(u, c->state,
	    json_object_new_int64((n ? json_object_get_int64(n) : 0) + 1));
	n = json_object_object_get(r->totals, c->state);
	json_object_object_add(r->totals, c->state,
	    json_object_new_int64((n ? json_object_get_int64(n) : 0) + 1));
}

/* A report's item for a case: {id, unit, title}. */
static json_object *
case_item(json_object *doc)
{
	json_object *it = json_object_new_object();
	json_object_object_add(it, "id",
	    json_object_new_int64(doc_get_int(doc, "id", 0)));
	json_object_object_add(it, "unit",
	    json_object_new_string(doc_get_str(doc, "unit") ?: ""));
	json_object_object_add(it, "title",
	    json_object_new_string(doc_get_str(doc, "title") ?: ""));
	return (it);
}

/* Adds "YYYY-MM-DD" + months, as "YYYY-MM-DD" in out. */
static void
add_months(const char *date, int months, char out[16])
{
	struct tm tm = { 0 };
	out[0]       = '\0';
	if (date != NULL && strptime(date, "%Y-%m-%d", &tm) != NULL) {
		tm.tm_mon += months;
		timegm(&tm);
		strftime(out, 16, "%Y-%m-%d", &tm);
	}
}

static int64_t
day_number(const char *date)
{
	struct tm tm = { 0 };
	if (date == NULL || strptime(date, "%Y-%m-%d", &tm) == NULL) {
		return (-1);
	}
	return ((int64_t) timegm(&tm) / 86400);
}

/* When the unit answered: its recognition's (or, before issue 16, its
 * council's decision's) date; NULL while unanswered. */
static const char *
answered_at(json_object *doc)
{
	static const char *const keys[][2] = { { "recognitions",
		                                       "recorded_at" },
		{ "decisions", "decided_at" } };
	for (size_t k = 0; k < 2; k++) {
		json_object *arr = json_object_object_get(doc, keys[k][0]);
		for (size_t i = 0; i < doc_len(arr); i++) {
			json_object *o = json_object_array_get_idx(arr, i);
			const char  *s = doc_get_str(o, "stage");
			if (s != NULL && strcmp(s, "unit") == 0) {
				return (doc_get_str(o, keys[k][1]) ?:
				        doc_get_str(o, "decision_date"));
			}
		}
		if (arr != NULL) {
			return (NULL);
		}
	}
	return (NULL);
}

static void
add_time(struct run *r, json_object *doc, int64_t now)
{
	const char  *sub = doc_get_str(doc, "submitted_at");
	const char  *ans = answered_at(doc);
	json_object *rc  = json_object_object_get(doc, "receipt");
	char         due[16], today[32];
	json_object *it;

	if (sub == NULL) {
		return;
	}
	if (rc != NULL && doc_get_str(rc, "answer_due") != NULL) {
		snprintf(due, sizeof(due), "%.10s", doc_get_str(rc, "answer_due"));
	} else {
		add_months(sub, 3, due);
	}
	util_time_str(now, today, sizeof(today));
	int64_t d0 = day_number(sub), d1 = day_number(ans ? ans : today);
	int64_t dd = day_number(due);
	it         = case_item(doc);
	json_object_object_add(it, "state",
	    json_object_new_string(doc_get_str(doc, "state") ?: ""));
	json_object_object_add(it, "submitted",
	    json_object_new_string_len(sub, 10));
	json_object_object_add(it, "answer_due", json_object_new_string(due));
	json_object_object_add(it, "answered",
	    ans ? json_object_new_string_len(ans, 10) : NULL);
	json_object_object_add(it, "days", json_object_new_int64(d1 - d0));
	json_object_object_add(it, "late",
	    json_object_new_boolean(dd >= 0 && d1 > dd));
	json_object_array_add(r->items, it);
}

static void
add_recognized(struct run *r, json_object *doc)
{
	struct standing s;
	json_object    *it;
	if (!recognized_as(doc, &s) ||
	    (r->f->year != 0 && year_of(s.date) != r->f->year)) {
		return;
	}
	if (r->which == R_AUTHORS) {
		json_object *authors = json_object_object_get(doc, "authors");
		for (size_t i = 0; i < doc_len(authors); i++) {
			json_object *a = json_object_array_get_idx(authors, i);
			const char  *key = doc_get_str(a, "user") ?:
			                 doc_get_str(a, "name") ?: "";
			json_object *e;
			if (!json_object_object_get_ex(r->items, key, &e)) {
				e = json_object_new_object();
				json_object_object_add(e, "name",
				    json_object_new_string(
				        doc_get_str(a, "name") ?: ""));
				json_object_object_add(e, "user",
				    doc_get_str(a, "user")
				        ? json_object_new_string(
				              doc_get_str(a, "user"))
				        : NULL);
				json_object_object_add(e, "unit",
				    json_object_new_string(
				        doc_get_str(doc, "unit") ?: ""));
				json_object_object_add(e, "cases",
				    json_object_new_array());
				json_object_object_add(e, "province",
				    json_object_new_int(0));
				json_object_object_add(r->items, key, e);
			}
			json_object_array_add(json_object_object_get(e, "cases"),
			    json_object_new_int64(doc_get_int(doc, "id", 0)));
			if (s.stage != NULL && strcmp(s.stage, "province") == 0) {
				json_object_object_add(e, "province",
				    json_object_new_int(
				        (int) doc_get_int(e, "province", 0) + 1));
			}
		}
		return;
	}
	it = case_item(doc);
	json_object_object_add(it, "field",
	    json_object_new_string(doc_get_str(doc, "field") ?: ""));
	json_object_object_add(it, "scope",
	    json_object_new_string(s.stage ? s.stage : "unit"));
	json_object_object_add(it, "decision_no",
	    s.no ? json_object_new_string(s.no) : NULL);
	json_object_object_add(it, "decision_date",
	    s.date ? json_object_new_string_len(s.date, 10) : NULL);
	json_object_object_add(it, "authors_text", authors_text(doc));
	json_object_object_add(it, "authors",
	    json_object_get(json_object_object_get(doc, "authors")));
	json_object_array_add(r->items, it);
}

/* ---- Scorers ---------------------------------------------------------- */


static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;
	return (x < y ? -1 : x > y);
}

static bool
votes_pass(json_object *b)
{
	const char *v = doc_get_str(b, "vote");
	if (v != NULL) {
		return (strcmp(v, "pass") == 0);
	}
	return (json_object_get_double(json_object_object_get(b, "total")) >=
	    50);
}

static void
add_panel(struct run *r, json_object *doc, const char *stage)
{
	json_object *ballots = review_ballots_of(r->ctx,
	    (uint64_t) doc_get_int(doc, "id", 0), stage);
	size_t       n       = doc_len(ballots);
	json_object *pinned  = json_object_object_get(doc, "councils");
	const char  *council = doc_get_str(pinned, stage) ?: "?";
	const char  *verdict = NULL;
	double       t[64], sorted[64], sum = 0, median;
	int          pass = 0;

	if (n < 3 || n > 64) {
		json_object_put(ballots);
		return;
	}
	json_object *decs = json_object_object_get(doc, "decisions");
	for (size_t i = 0; i < doc_len(decs); i++) {
		json_object *d = json_object_array_get_idx(decs, i);
		if (strcmp(doc_get_str(d, "stage") ?: "", stage) == 0 &&
		    not_superseded(d)) {
			verdict = doc_get_str(d, "verdict");
		}
	}
	for (size_t i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(ballots, i);
		t[i] = sorted[i] = json_object_get_double(
		    json_object_object_get(b, "total"));
		sum += t[i];
		pass += votes_pass(b);
	}
	qsort(sorted, n, sizeof(double), cmp_double);
	median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	for (size_t i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(ballots, i);
		char         key[2 * PROTO_MAX_ID + 2];
		json_object *e;
		struct acc  *a;
		snprintf(key, sizeof(key), "%s\t%s", council,
		    doc_get_str(b, "member") ?: "?");
		if (!json_object_object_get_ex(r->scorers, key, &e)) {
			if (r->nacc == r->capacc) {
				size_t      cap  = r->capacc ? 2 * r->capacc : 64;
				struct acc *more = realloc(r->acc, cap * sizeof(*more));
				if (more == NULL) {
					break;
				}
				r->acc    = more;
				r->capacc = cap;
			}
			memset(&r->acc[r->nacc], 0, sizeof(*r->acc));
			e = json_object_new_int64((int64_t) r->nacc++);
			json_object_object_add(r->scorers, key, e);
		}
		a          = &r->acc[json_object_get_int64(e)];
		double x   = t[i], y = (sum - t[i]) / (double) (n - 1);
		bool   mine = votes_pass(b);
		a->n += 1;
		a->dev += x - median;
		a->x += x;
		a->y += y;
		a->xx += x * x;
		a->yy += y * y;
		a->xy += x * y;
		/* Pivotal under a simple majority, and the verdict went their
		 * way. */
		int  flipped = mine ? pass - 1 : pass + 1;
		bool maj     = 2 * pass > (int) n;
		if (maj != (2 * flipped > (int) n) && verdict != NULL &&
		    (strcmp(verdict, "pass") == 0) == mine) {
			a->decisive++;
		}
	}
	json_object_put(ballots);
}

static json_object *
scorer_items(struct run *r)
{
	json_object *items = json_object_new_array();
	json_object_object_foreach(r->scorers, key, val)
	{
		const struct acc *a   = &r->acc[json_object_get_int64(val)];
		const char       *tab = strchr(key, '\t');
		json_object      *it  = json_object_new_object();
		double            n   = a->n, dev = a->dev / n;
		double            vx  = a->xx - a->x * a->x / n;
		double            vy  = a->yy - a->y * a->y / n;
		double            cov = a->xy - a->x * a->y / n;
		json_object      *corr = NULL;
		char              why[256];
		bool              flagged;

		if (n >= 3 && vx > 1e-9 && vy > 1e-9) {
			corr = json_object_new_double(
			    round(cov / sqrt(vx * vy) * 1000) / 1000);
		}
		flagged = n >= REPORT_MIN_CASES &&
		    (fabs(dev) >= REPORT_FLAG_POINTS ||
		        (corr != NULL && json_object_get_double(corr) < 0));
		json_object_object_add(it, "user", json_object_new_string(tab + 1));
		json_object_object_add(it, "council",
		    json_object_new_string_len(key, (int) (tab - key)));
		json_object_object_add(it, "cases", json_object_new_int((int) n));
		json_object_object_add(it, "mean_deviation",
		    json_object_new_double(round(dev * 10) / 10));
		json_object_object_add(it, "correlation", corr);
		json_object_object_add(it, "decisive",
		    json_object_new_int(a->decisive));
		json_object_object_add(it, "flagged",
		    json_object_new_boolean(flagged));
		if (n < REPORT_MIN_CASES) {
			snprintf(why, sizeof(why),
			    "chỉ %d hồ sơ: chưa đủ %d để đánh giá", (int) n,
			    REPORT_MIN_CASES);
		} else {
			snprintf(why, sizeof(why),
			    "trên %d hồ sơ, tổng điểm %s trung vị của hội đồng "
			    "trung bình %.1f điểm",
			    (int) n, dev < 0 ? "thấp hơn" : "cao hơn", fabs(dev));
			char *dot = strrchr(why, '.');
			if (dot != NULL) {
				*dot = ','; /* 19,5: a Vietnamese decimal */
			}
		}
		json_object_object_add(it, "explain", json_object_new_string(why));
		json_object_array_add(items, it);
	}
	return (items);
}

static int
cmp_item(const void *a, const void *b)
{
	json_object *x = *(json_object *const *) a, *y = *(json_object *const *) b;
	int c = strcmp(doc_get_str(x, "council") ?: "",
	    doc_get_str(y, "council") ?: "");
	return (c != 0 ? c : strcmp(doc_get_str(x, "user") ?: "",
	                         doc_get_str(y, "user") ?: ""));
}

/* ---- The report ------------------------------------------------------- */

static int
visit(struct run *r, uint64_t id)
{
	struct case_facts c;
	json_object      *doc = NULL;
	const char       *list;
	size_t            list_len;
	int               rv;

	if ((rv = store_case_facts(r->ctx->txn, r->ctx->st, id, &c, &list,
	         &list_len)) != 0) {
		return (rv == SK_ENOTFOUND ? 0 : rv);
	}
	if (!facts_match(r, &c)) {
		return (0);
	}
	if (r->which == R_STATES && r->f->round == NULL) {
		r->cases++;
		count_state(r, &c);
		return (0);
	}
	if ((rv = store_case_get(r->ctx->txn, r->ctx->st, id, &doc)) != 0) {
		return (rv);
	}
	if (r->f->round != NULL &&
	    strcmp(doc_get_str(doc, "round") ?: "", r->f->round) != 0) {
		json_object_put(doc);
		return (0);
	}
	r->cases++;
	switch (r->which) {
	case R_STATES: count_state(r, &c); break;
	case R_TIMES: add_time(r, doc, r->ctx->now); break;
	case R_RECOGNIZED:
	case R_AUTHORS: add_recognized(r, doc); break;
	default:
		add_panel(r, doc, "unit");
		add_panel(r, doc, "province");
		break;
	}
	json_object_put(doc);
	return (0);
}

/* The states report's items: one per unit, every state a column. */
static json_object *
state_items(struct run *r)
{
	json_object *items = json_object_new_array();
	json_object_object_foreach(r->items, unit, counts)
	{
		json_object *it = json_object_new_object();
		json_object *u  = NULL;
		int64_t      total = 0;
		json_object_object_add(it, "unit", json_object_new_string(unit));
		store_doc_get(r->ctx->txn, r->ctx->st, DB_UNITS, unit, &u);
		json_object_object_add(it, "unit_name",
		    json_object_new_string(u ? doc_get_str(u, "name") ?: unit : unit));
		json_object_put(u);
		for (int s = 0; s < WF_NSTATES; s++) {
			const char  *name = wf_state_name((enum wf_state) s);
			json_object *n    = json_object_object_get(counts, name);
			int64_t      v    = n ? json_object_get_int64(n) : 0;
			json_object_object_add(it, name, json_object_new_int64(v));
			total += v;
		}
		json_object_object_add(it, "total", json_object_new_int64(total));
		json_object_array_add(items, it);
	}
	return (items);
}

static int
cmp_unit(const void *a, const void *b)
{
	return (strcmp(doc_get_str(*(json_object *const *) a, "unit") ?: "",
	    doc_get_str(*(json_object *const *) b, "unit") ?: ""));
}

static int
cmp_name(const void *a, const void *b)
{
	return (strcmp(doc_get_str(*(json_object *const *) a, "name") ?: "",
	    doc_get_str(*(json_object *const *) b, "name") ?: ""));
}

int
report_run(struct op_ctx *ctx, int which, const struct report_filter *f,
    json_object **out)
{
	struct run        r = { .ctx = ctx, .f = f, .which = which };
	struct store_scan it;
	MDB_val           k, v;
	int               rv;

	*out = NULL;
	if (f->unit != NULL && f->subunits &&
	    (rv = unit_subtree(ctx, f->unit, &r.units, &r.nunits)) != 0) {
		return (proto_fail(ctx->err, rv, "cannot read the units"));
	}
	bool keyed = which == R_STATES || which == R_AUTHORS;
	r.items    = keyed ? json_object_new_object() : json_object_new_array();
	r.totals   = json_object_new_object();
	r.scorers  = json_object_new_object();
	if ((rv = store_scan_begin(&it, ctx->txn, ctx->st, DB_CASE_ITEMS, NULL,
	         NULL)) == 0) {
		while ((rv = store_scan_next(&it, &k, &v)) == 0 &&
		       (rv = visit(&r, store_u64_at(k.mv_data))) == 0 &&
		       !store_stopping(ctx->st)) {
		}
		store_scan_end(&it);
	}
	free(r.units);
	if (rv != 0 && rv != STORE_SCAN_END) {
		json_object_put(r.items);
		json_object_put(r.totals);
		json_object_put(r.scorers);
		free(r.acc);
		return (proto_fail(ctx->err, rv, "cannot read the cases"));
	}
	json_object *items;
	switch (which) {
	case R_STATES:
		items = state_items(&r);
		json_object_array_sort(items, cmp_unit);
		break;
	case R_AUTHORS:
		items = json_object_new_array();
		json_object_object_foreach(r.items, key, e)
		{
			json_object_object_add(e, "count",
			    json_object_new_int((int) doc_len(
			        json_object_object_get(e, "cases"))));
			json_object_array_add(items, json_object_get(e));
			(void) key;
		}
		json_object_array_sort(items, cmp_name);
		break;
	case R_SCORERS:
		items = scorer_items(&r);
		json_object_array_sort(items, cmp_item);
		break;
	default: items = json_object_get(r.items); break;
	}
	json_object_put(r.items);
	json_object_put(r.scorers);
	free(r.acc);
	*out = json_object_new_object();
	json_object_object_add(*out, "report",
	    json_object_new_string(report_names[which]));
	json_object_object_add(*out, "cases",
	    json_object_new_int64((int64_t) r.cases));
	json_object_object_add(*out, "items", items);
	if (which == R_STATES) {
		json_object_object_add(*out, "totals", r.totals);
	} else {
		json_object_put(r.totals);
	}
	if (which == R_TIMES) {
		int64_t answered = 0, late = 0, open = 0, days = 0;
		for (size_t i = 0; i < doc_len(items); i++) {
			json_object *t = json_object_array_get_idx(items, i);
			bool a = json_object_object_get(t, "answered") != NULL;
			answered += a;
			open += !a;
			late += json_object_get_boolean(
			    json_object_object_get(t, "late"));
			days += a ? doc_get_int(t, "days", 0) : 0;
		}
		json_object *s = json_object_new_object();
		json_object_object_add(s, "answered", json_object_new_int64(answered));
		json_object_object_add(s, "open", json_object_new_int64(open));
		json_object_object_add(s, "late", json_object_new_int64(late));
		json_object_object_add(s, "mean_days",
		    answered ? json_object_new_double(
		                   round(10.0 * (double) days / (double) answered) /
		                   10)
		             : NULL);
		json_object_object_add(*out, "summary", s);
	}
	if (which == R_SCORERS) {
		json_object *rule = json_object_new_object();
		json_object_object_add(rule, "min_cases",
		    json_object_new_int(REPORT_MIN_CASES));
		json_object_object_add(rule, "flag_points",
		    json_object_new_double(REPORT_FLAG_POINTS));
		json_object_object_add(*out, "rule", rule);
	}
	return (0);
}
