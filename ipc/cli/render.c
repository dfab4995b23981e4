/*
 * render.c: everything the sangkien CLI shows people, in one place: tables
 * whose columns line up by display width (Vietnamese text, precomposed or
 * combining), cut with "…" to fit; cards of cases, decisions, ballots and
 * rubrics; state labels; local times; error replies.  It reads the server's
 * JSON and prints; it calls nothing above it (cli.h says the layers).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "core/model/workflow.h"
#include "ipc/cli/cli.h"
#include "ipc/proto.h"
#include "ipc/utf8width.h"

#define CLI_TABLE_WIDTH 100 /* when stdout is not a terminal */
#define CASES_STATE_MAX 48  /* display columns of a STATE cell */

/*
 * The section headings, in the CLI's one table (cli.h).  The state labels
 * are not here: they are workflow.c's (wf_state_label).
 */
const struct cli_section cli_sections[CLI_NSECTIONS] = {
	{ "status_quo", "Tình trạng đã biết" },
	{ "solution", "Nội dung giải pháp" },
	{ "novelty", "Tính mới" },
	{ "applicability", "Khả năng áp dụng" },
	{ "benefits", "Hiệu quả" },
	{ "conditions", "Điều kiện cần thiết" },
	{ "trial_users", "Người tham gia áp dụng thử" },
};

json_object *
cli_result(json_object *reply)
{
	json_object *r;

	if (reply == NULL || !json_object_object_get_ex(reply, "result", &r)) {
		return (NULL);
	}
	return (r);
}

static json_object *
cli_error(json_object *reply)
{
	json_object *e;

	if (reply == NULL || !json_object_object_get_ex(reply, "error", &e) ||
	    !json_object_is_type(e, json_type_object)) {
		return (NULL);
	}
	return (e);
}

const char *
cli_error_code(json_object *reply)
{
	json_object *e = cli_error(reply);

	return (e != NULL ? cli_str(e, "code") : NULL);
}

const char *
cli_error_message(json_object *reply)
{
	json_object *e = cli_error(reply);
	const char  *m = e != NULL ? cli_str(e, "message") : NULL;

	return (m != NULL ? m : "");
}

void
cli_print_error(json_object *reply)
{
	json_object *e = cli_error(reply);
	json_object *d;
	const char  *code;

	code = e != NULL ? cli_str(e, "code") : NULL;
	fprintf(stderr, "error: %s: %s\n", code != NULL ? code : "internal",
	    e != NULL ? cli_error_message(reply)
	              : "the server's reply has no error object");
	if (e != NULL && json_object_object_get_ex(e, "details", &d) &&
	    d != NULL) {
		fprintf(stderr, "details: %s\n", util_json_text(d, NULL));
	}
}

const char *
cli_str(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL) {
		return (NULL);
	}
	if (json_object_is_type(v, json_type_string)) {
		return (json_object_get_string(v));
	}
	return (util_json_text(v, NULL));
}

const char *
cli_state_label(const char *state)
{
	return (state != NULL ? wf_state_label(wf_state_parse(state)) : NULL);
}

void
cli_state_text(const char *state, char *out, size_t len)
{
	const char *label = cli_state_label(state);

	if (state == NULL) {
		snprintf(out, len, "-");
	} else if (label == NULL) {
		snprintf(out, len, "%s", state);
	} else {
		snprintf(out, len, "%s (%s)", label, state);
	}
}

void
cli_time(const char *rfc3339, int date_only, char *out, size_t len)
{
	struct tm tm;
	time_t    t;
	int       n = 0;

	if (rfc3339 == NULL) {
		snprintf(out, len, "-");
		return;
	}
	memset(&tm, 0, sizeof(tm));
	if (sscanf(rfc3339, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
	        &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	        &n) != 6) {
		snprintf(out, len, "%s", rfc3339);
		return;
	}
	/* Skip fractions of a second; only UTC ("Z") is converted. */
	if (rfc3339[n] == '.') {
		n++;
		while (rfc3339[n] >= '0' && rfc3339[n] <= '9') {
			n++;
		}
	}
	if (strcmp(rfc3339 + n, "Z") != 0) {
		snprintf(out, len, "%s", rfc3339);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	localtime_r(&t, &tm);
	strftime(out, len, date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M", &tm);
}

struct cli_table {
	int    ncols;
	int    nrows; /* row 0 is the header */
	int    cap;
	char **cells; /* nrows * ncols, each malloc'd */
	int   *max;   /* per column: 0, or the widest it may be */
	int    flex;  /* the column cut to fit the width, or -1 */
	int    flexmin;
};

/* The width tables are fitted to: the terminal's, else a fixed 100. */
static int
cli_out_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) {
		return (ws.ws_col);
	}
	return (CLI_TABLE_WIDTH);
}

struct cli_table *
cli_table_new(int ncols, const char *const *heads)
{
	struct cli_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->max = calloc((size_t) ncols, sizeof(int))) == NULL) {
		free(t);
		return (NULL);
	}
	t->ncols = ncols;
	t->flex  = -1;
	if (cli_table_add(t, heads) != 0) {
		cli_table_free(t);
		return (NULL);
	}
	return (t);
}

void
cli_table_flex(struct cli_table *t, int col, int min)
{
	t->flex    = col;
	t->flexmin = min;
}

void
cli_table_cap(struct cli_table *t, int col, int max)
{
	t->max[col] = max;
}

int
cli_table_add(struct cli_table *t, const char *const *cells)
{
	char **nc;

	if (t->nrows == t->cap) {
		int ncap = t->cap == 0 ? 16 : t->cap * 2;

		nc = realloc(t->cells,
		    sizeof(char *) * (size_t) ncap * (size_t) t->ncols);
		if (nc == NULL) {
			return (-1);
		}
		t->cells = nc;
		t->cap   = ncap;
	}
	for (int i = 0; i < t->ncols; i++) {
		const char *s = cells[i] != NULL ? cells[i] : "";
		char       *p;

		/* A cell is one line: tabs and newlines become spaces. */
		if ((p = strdup(s)) == NULL) {
			for (int j = 0; j < i; j++) {
				free(t->cells[t->nrows * t->ncols + j]);
			}
			return (-1);
		}
		for (char *q = p; *q != '\0'; q++) {
			if (*q == '\n' || *q == '\r' || *q == '\t') {
				*q = ' ';
			}
		}
		t->cells[t->nrows * t->ncols + i] = p;
	}
	t->nrows++;
	return (0);
}

/*
 * Sets w[] to the width of each column: its widest cell (within its cap),
 * with the flexible column cut so that the table fits the output's width.
 */
static void
table_widths(const struct cli_table *t, int *w)
{
	int total = 0;

	for (int r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			int cw = sk_utf8_width(t->cells[r * t->ncols + c]);

			if (t->max[c] > 0 && cw > t->max[c]) {
				cw = t->max[c];
			}
			if (cw > w[c]) {
				w[c] = cw;
			}
		}
	}
	for (int c = 0; c < t->ncols; c++) {
		total += w[c] + (c > 0 ? 2 : 0);
	}
	if (t->flex >= 0 && total > cli_out_width()) {
		int nw = w[t->flex] - (total - cli_out_width());

		w[t->flex] = nw > t->flexmin ? nw : t->flexmin;
		if (w[t->flex] > t->max[t->flex] && t->max[t->flex] > 0) {
			w[t->flex] = t->max[t->flex];
		}
	}
}

void
cli_table_print(struct cli_table *t, FILE *f)
{
	int *w;
	char buf[4096];

	if ((w = calloc((size_t) t->ncols, sizeof(int))) == NULL) {
		return;
	}
	table_widths(t, w);
	for (int r = 0; r < t->nrows; r++) {
		int pad = 0;

		for (int c = 0; c < t->ncols; c++) {
			int used = sk_utf8_fit(t->cells[r * t->ncols + c],
			    w[c], buf, sizeof(buf));

			/*
			 * Padding is written only before a cell that has
			 * text, so that no line ends in blanks.
			 */
			if (buf[0] != '\0') {
				fprintf(f, "%*s%s", pad, "", buf);
				pad = 0;
			}
			pad += w[c] - used + 2;
		}
		fputc('\n', f);
	}
	free(w);
}

void
cli_table_free(struct cli_table *t)
{
	if (t == NULL) {
		return;
	}
	for (int i = 0; i < t->nrows * t->ncols; i++) {
		free(t->cells[i]);
	}
	free(t->cells);
	free(t->max);
	free(t);
}

void
cli_print_json(json_object *o, int pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN;
	printf("%s\n", json_object_to_json_string_ext(o, flags));
}

/* An integer member of o, or def. */
long long
jint(json_object *o, const char *key, long long def)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL) {
		return (def);
	}
	return (json_object_get_int64(v));
}

/* True if member key of o is true. */
int
jbool(json_object *o, const char *key)
{
	json_object *v;

	return (o != NULL && json_object_object_get_ex(o, key, &v) &&
	    json_object_get_boolean(v));
}

/* A member of o of the given type, or NULL. */
static json_object *
jmember(json_object *o, const char *key, enum json_type type)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type)) {
		return (NULL);
	}
	return (v);
}

/* An array member of o, or NULL. */
json_object *
jarray(json_object *o, const char *key)
{
	return (jmember(o, key, json_type_array));
}

/* An object member of o, or NULL. */
json_object *
jobject(json_object *o, const char *key)
{
	return (jmember(o, key, json_type_object));
}

/* The length of an array from jarray, 0 for NULL. */
size_t
jlen(json_object *arr)
{
	return (arr != NULL ? json_object_array_length(arr) : 0);
}

/*
 * Renders a non-empty array for a card: strings joined with ", ", council
 * members as "user (role)", anything else as JSON.
 */
static void
render_array(json_object *v, char *out, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < jlen(v) && n < len; i++) {
		json_object *e    = json_object_array_get_idx(v, i);
		const char  *user = cli_str(e, "user");
		const char  *role = cli_str(e, "role");
		const char  *sep  = i > 0 ? ", " : "";

		if (json_object_is_type(e, json_type_string)) {
			n += (size_t) snprintf(out + n, len - n, "%s%s", sep,
			    json_object_get_string(e));
		} else if (user != NULL && role != NULL) {
			n += (size_t) snprintf(
			    out + n, len - n, "%s%s (%s)", sep, user, role);
		} else {
			n += (size_t) snprintf(out + n, len - n, "%s%s", sep,
			    util_json_text(e, NULL));
		}
	}
}

/*
 * Renders a value for a card: strings as they are, arrays as render_array
 * does, "-" for nothing, anything else as JSON.
 */
void
render_value(json_object *v, char *out, size_t len)
{
	out[0] = '\0';
	if (v == NULL || (json_object_is_type(v, json_type_array) &&
	                     jlen(v) == 0)) {
		snprintf(out, len, "-");
	} else if (json_object_is_type(v, json_type_array)) {
		render_array(v, out, len);
	} else if (json_object_is_type(v, json_type_string)) {
		snprintf(out, len, "%s", json_object_get_string(v));
	} else {
		snprintf(out, len, "%s", util_json_text(v, NULL));
	}
}

/* One "label  value" line of a card, the labels padded to one width. */
void
card_line(const char *label, const char *value)
{
	int w = sk_utf8_width(label);

	printf("  %s%*s  %s\n", label, w < 14 ? 14 - w : 0, "",
	    value != NULL && value[0] != '\0' ? value : "-");
}

/* Prints every member of an object as a card (units, users, councils). */
void
print_card(json_object *o)
{
	char buf[8192];

	if (!json_object_is_type(o, json_type_object)) {
		cli_print_json(o, 1);
		return;
	}
	json_object_object_foreach(o, key, val)
	{
		size_t n = strlen(key);

		/* Times ("created_at", ...) are shown in local time. */
		if (n > 3 && strcmp(key + n - 3, "_at") == 0 &&
		    json_object_is_type(val, json_type_string)) {
			cli_time(
			    json_object_get_string(val), 0, buf, sizeof(buf));
		} else {
			render_value(val, buf, sizeof(buf));
		}
		card_line(key, buf);
	}
}

/* Prints one line of text wrapped at width columns, each line indented. */
static void
print_wrapped_line(char *line, int indent, int width)
{
	char *save = NULL;
	int   col  = 0;

	printf("%*s", indent, "");
	for (char *word = strtok_r(line, " ", &save); word != NULL;
	     word       = strtok_r(NULL, " ", &save)) {
		int ww = sk_utf8_width(word);

		if (col > 0 && col + 1 + ww > width - indent) {
			printf("\n%*s", indent, "");
			col = 0;
		}
		if (col > 0) {
			putchar(' ');
			col++;
		}
		fputs(word, stdout);
		col += ww;
	}
	putchar('\n');
}

/*
 * Prints text wrapped at width display columns, each line indented; blank
 * lines and line breaks of the text are kept.
 */
static void
print_wrapped(const char *text, int indent, int width)
{
	const char *p = text;

	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char  *line;

		if ((line = strndup(p, len)) == NULL) {
			return;
		}
		print_wrapped_line(line, indent, width);
		free(line);
		p += len;
		if (*p == '\n') {
			p++;
		}
	}
}

/* A table of the number of cases in each state, with a total. */
int
print_state_counts(json_object *cases)
{
	static const char *heads[] = { "STATE", "CASES", "LABEL" };
	struct cli_table  *t;
	char               buf[32];
	long long          total = 0;

	if ((t = cli_table_new(3, heads)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	for (int s = 0; s < WF_NSTATES; s++) {
		const char *name = wf_state_name((enum wf_state) s);
		const char *row[3];

		snprintf(buf, sizeof(buf), "%lld", jint(cases, name, 0));
		total += jint(cases, name, 0);
		row[0] = name;
		row[1] = buf;
		row[2] = wf_state_label((enum wf_state) s);
		cli_table_add(t, row);
	}
	snprintf(buf, sizeof(buf), "%lld", total);
	{
		const char *row[3] = { "total", buf, "" };

		cli_table_add(t, row);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/* The STATE cell of a case: "label (code)", the label cut to fit. */
static void
case_state_cell(const char *state, char *out, size_t len)
{
	char label[128];

	cli_state_text(state, out, len);
	/* Keep the code visible when the label is cut. */
	if (sk_utf8_width(out) > CASES_STATE_MAX) {
		sk_utf8_fit(cli_state_label(state),
		    CASES_STATE_MAX - 3 - sk_utf8_width(state), label,
		    sizeof(label));
		snprintf(out, len, "%s (%s)", label, state);
	}
}

/* Prints cases (from case.list) as a table for people. */
int
print_cases(json_object *all, int with_due)
{
	static const char *heads[] = { "ID", "STATE", "UNIT", "TITLE",
		"UPDATED", "DUE" };
	struct cli_table  *t;

	if ((t = cli_table_new(5 + with_due, heads)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	cli_table_cap(t, 1, CASES_STATE_MAX);
	cli_table_flex(t, 3, 30);
	for (size_t i = 0; i < jlen(all); i++) {
		json_object *it = json_object_array_get_idx(all, i);
		char         st[256];
		char         up[64];
		char         due[64];
		const char  *row[6];

		case_state_cell(cli_str(it, "state"), st, sizeof(st));
		cli_time(cli_str(it, "updated_at"), 1, up, sizeof(up));
		cli_time(cli_str(it, "due_at"), 1, due, sizeof(due));
		row[0] = cli_str(it, "id");
		row[1] = st;
		row[2] = cli_str(it, "unit");
		row[3] = cli_str(it, "title");
		row[4] = up;
		row[5] = due;
		cli_table_add(t, row);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/* What an event did, in a word: its action, else its type. */
static const char *
event_what(json_object *ev)
{
	const char *action = cli_str(ev, "action");
	const char *type   = cli_str(ev, "type");

	if (action != NULL) {
		return (action);
	}
	if (type != NULL && strncmp(type, "case.", 5) == 0) {
		return (type + 5);
	}
	return (type);
}

/* Prints events as a table; with_seq adds their history number. */
int
print_events(json_object *items, int with_seq)
{
	static const char *heads[] = { "SEQ", "TIME", "ACTOR", "EVENT",
		"CHANGE", "NOTE" };
	struct cli_table  *t;
	int                off = with_seq ? 0 : 1;

	if ((t = cli_table_new(6 - off, heads + off)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	for (size_t i = 0; i < jlen(items); i++) {
		json_object *ev   = json_object_array_get_idx(items, i);
		const char  *from = cli_str(ev, "from");
		const char  *to   = cli_str(ev, "to");
		char         at[64];
		char         change[128] = "";
		const char  *row[6];

		cli_time(cli_str(ev, "at"), 0, at, sizeof(at));
		if (from != NULL || to != NULL) {
			snprintf(change, sizeof(change), "%s → %s",
			    from != NULL ? from : "-", to != NULL ? to : "-");
		}
		row[0] = cli_str(ev, "seq");
		row[1] = at;
		row[2] = cli_str(ev, "actor");
		row[3] = event_what(ev);
		row[4] = change;
		row[5] = cli_str(ev, "note");
		cli_table_add(t, row + off);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/*
 * Writes a number of a result for people: integers as they are, others
 * with at most two decimals ("81.67"); "-" for nothing.
 */
void
render_number(json_object *v, char *out, size_t len)
{
	double x;

	if (v == NULL || (!json_object_is_type(v, json_type_int) &&
	                     !json_object_is_type(v, json_type_double))) {
		render_value(v, out, len);
		return;
	}
	x = json_object_get_double(v);
	if (x == (double) (long long) x) {
		snprintf(out, len, "%lld", (long long) x);
	} else {
		snprintf(out, len, "%.2f", x);
		/* "81.50" reads as "81.5". */
		for (size_t n = strlen(out); n > 0 && out[n - 1] == '0'; n--) {
			out[n - 1] = '\0';
		}
	}
}

/* A number member of o for people, as render_number writes it. */
const char *
jnum_text(json_object *o, const char *key, char *out, size_t len)
{
	json_object *v = NULL;

	if (o != NULL) {
		json_object_object_get_ex(o, key, &v);
	}
	render_number(v, out, len);
	return (out);
}

/* Marks ({criterion: n}) on one line: "novelty 25, applicability 20". */
static void
render_marks(json_object *marks, char *out, size_t len)
{
	size_t n = 0;
	char   num[64];

	out[0] = '\0';
	if (marks == NULL || !json_object_is_type(marks, json_type_object)) {
		snprintf(out, len, "-");
		return;
	}
	json_object_object_foreach(marks, key, val)
	{
		render_number(val, num, sizeof(num));
		if (n < len) {
			n += (size_t) snprintf(out + n, len - n, "%s%s %s",
			    n > 0 ? ", " : "", key, num);
		}
	}
}

/* "unit review" / "province review" for a stage code. */
const char *
stage_text(const char *stage)
{
	if (stage == NULL) {
		return ("review");
	}
	if (strcmp(stage, "unit") == 0) {
		return ("unit review");
	}
	if (strcmp(stage, "province") == 0) {
		return ("province review");
	}
	return (stage);
}

/* "default (hash 0123456789ab)" for a rubric reference {id, hash}. */
void
render_rubric_ref(json_object *rb, char *out, size_t len)
{
	const char *id   = cli_str(rb, "id");
	const char *hash = cli_str(rb, "hash");

	snprintf(out, len, "%s%s%.12s%s", id != NULL ? id : "?",
	    hash != NULL ? " (hash " : "", hash != NULL ? hash : "",
	    hash != NULL ? ")" : "");
}

/*
 * Prints a decision ({stage, verdict, score, reasons, rubric, council,
 * decided_by, decided_at, note?}) as a card.
 */
void
print_decision(json_object *d)
{
	json_object *reasons = jarray(d, "reasons");
	json_object *council = jobject(d, "council");
	char         buf[4096];
	char         at[64];

	printf("\nDecision of the %s\n", stage_text(cli_str(d, "stage")));
	card_line("verdict", cli_str(d, "verdict"));
	card_line("score", jnum_text(d, "score", buf, sizeof(buf)));
	if (jlen(reasons) == 0) {
		card_line("reasons", "-");
	}
	for (size_t i = 0; i < jlen(reasons); i++) {
		render_value(
		    json_object_array_get_idx(reasons, i), buf, sizeof(buf));
		card_line(i == 0 ? "reasons" : "", buf);
	}
	if (jobject(d, "rubric") != NULL) {
		render_rubric_ref(jobject(d, "rubric"), buf, sizeof(buf));
		card_line("rubric", buf);
	} else if (cli_str(d, "rubric") != NULL) {
		card_line("rubric", cli_str(d, "rubric"));
	}
	if (council != NULL) {
		snprintf(buf, sizeof(buf),
		    "%s: %lld of %lld eligible scored (%lld members)",
		    cli_str(council, "id") != NULL ? cli_str(council, "id")
		                                   : "?",
		    jint(council, "scored", 0), jint(council, "eligible", 0),
		    jint(council, "members", 0));
		card_line("council", buf);
	}
	cli_time(cli_str(d, "decided_at"), 0, at, sizeof(at));
	snprintf(buf, sizeof(buf), "%s, %s",
	    cli_str(d, "decided_by") != NULL ? cli_str(d, "decided_by") : "-",
	    at);
	card_line("decided by", buf);
	if (cli_str(d, "note") != NULL) {
		card_line("note", cli_str(d, "note"));
	}
}

/*
 * Prints the ballots of one stage that a case shows its reader, as a table:
 * whole ballots (member, role, total, marks) where the reader may see them,
 * and for the others only that the member has scored (the server sends no
 * marks then).  Then the comments of the ballots shown whole.
 */
static void
print_stage_ballots(json_object *ballots, const char *stage)
{
	static const char *heads[] = { "", "MEMBER", "ROLE", "TOTAL", "MARKS",
		"SCORED" };
	struct cli_table  *t;
	int                n = 0;

	if ((t = cli_table_new(6, heads)) == NULL) {
		return;
	}
	cli_table_flex(t, 4, 20);
	for (size_t i = 0; i < jlen(ballots); i++) {
		json_object *b     = json_object_array_get_idx(ballots, i);
		json_object *marks = jobject(b, "marks");
		const char  *bs    = cli_str(b, "stage");
		char         total[64];
		char         mk[1024];
		char         at[64];
		const char  *row[6];

		if (bs == NULL || strcmp(bs, stage) != 0) {
			continue;
		}
		cli_time(cli_str(b, "at"), 0, at, sizeof(at));
		if (marks != NULL) {
			jnum_text(b, "total", total, sizeof(total));
			render_marks(marks, mk, sizeof(mk));
		} else {
			snprintf(total, sizeof(total), "-");
			snprintf(mk, sizeof(mk),
			    "has scored (marks secret until the decision)");
		}
		row[0] = "";
		row[1] = cli_str(b, "member");
		row[2] = cli_str(b, "role");
		row[3] = total;
		row[4] = mk;
		row[5] = at;
		cli_table_add(t, row);
		n++;
	}
	if (n > 0) {
		printf("\nBallots of the %s\n", stage_text(stage));
		cli_table_print(t, stdout);
	}
	cli_table_free(t);
	for (size_t i = 0; i < jlen(ballots); i++) {
		json_object *b  = json_object_array_get_idx(ballots, i);
		const char  *bs = cli_str(b, "stage");

		if (bs == NULL || strcmp(bs, stage) != 0 ||
		    cli_str(b, "comment") == NULL) {
			continue;
		}
		printf("  comment of %s:\n",
		    cli_str(b, "member") != NULL ? cli_str(b, "member") : "?");
		print_wrapped(cli_str(b, "comment"), 4, 80);
	}
}

/* Prints the ballots a case shows its reader, stage by stage. */
static void
print_ballots(json_object *ballots)
{
	print_stage_ballots(ballots, "unit");
	print_stage_ballots(ballots, "province");
}

/* The first lines of a case's card: its title, state, unit, times. */
static void
print_case_head(json_object *c)
{
	json_object *rubric = jobject(c, "rubric");
	char         buf[1024];
	static const struct {
		const char *label;
		const char *key;
	} times[] = {
		{ "created", "created_at" },
		{ "updated", "updated_at" },
		{ "submitted", "submitted_at" },
		{ "due", "due_at" },
	};

	printf("Case #%s: %s\n", cli_str(c, "id"),
	    cli_str(c, "title") != NULL ? cli_str(c, "title") : "");
	cli_state_text(cli_str(c, "state"), buf, sizeof(buf));
	card_line("state", buf);
	card_line("version", cli_str(c, "version"));
	card_line("unit", cli_str(c, "unit"));
	card_line("field", cli_str(c, "field"));
	card_line("owner", cli_str(c, "owner"));
	card_line("first applied", cli_str(c, "first_applied"));
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		if (cli_str(c, times[i].key) != NULL) {
			cli_time(
			    cli_str(c, times[i].key), 0, buf, sizeof(buf));
			card_line(times[i].label, buf);
		}
	}
	if (rubric != NULL) {
		size_t n;

		/* The version pinned when the review began: edits to the
		 * rubric since then do not change how this case is decided. */
		render_rubric_ref(rubric, buf, sizeof(buf));
		n = strlen(buf);
		if (cli_str(rubric, "stage") != NULL) {
			snprintf(buf + n, sizeof(buf) - n,
			    ", pinned for the %s",
			    stage_text(cli_str(rubric, "stage")));
		}
		card_line("rubric", buf);
	}
}

/* Prints the authors of a case with their shares. */
static void
print_authors(json_object *authors)
{
	char buf[1024];

	printf("\nAuthors\n");
	for (size_t i = 0; i < jlen(authors); i++) {
		json_object *au   = json_object_array_get_idx(authors, i);
		const char  *name = cli_str(au, "name");
		const char  *user = cli_str(au, "user");
		int          w;

		snprintf(buf, sizeof(buf), "%s%s%s%s",
		    name != NULL ? name : "?", user != NULL ? " (" : "",
		    user != NULL ? user : "", user != NULL ? ")" : "");
		w = sk_utf8_width(buf);
		printf("  %s%*s  %s%%\n", buf, w < 44 ? 44 - w : 0, "",
		    cli_str(au, "share") != NULL ? cli_str(au, "share") : "?");
	}
}

/* True if the array of section keys conf names key. */
static int
section_listed(json_object *conf, const char *key)
{
	for (size_t i = 0; i < jlen(conf); i++) {
		if (strcmp(json_object_get_string(
		               json_object_array_get_idx(conf, i)),
		        key) == 0) {
			return (1);
		}
	}
	return (0);
}

/* Prints the sections of a case under their Vietnamese headings. */
static void
print_sections(json_object *c)
{
	json_object *sections = jobject(c, "sections");
	json_object *conf     = jarray(c, "confidential");
	int          width    = cli_out_width();

	/* Prose reads best in lines of about 80 columns. */
	if (width > 80) {
		width = 80;
	}
	for (size_t i = 0; i < CLI_NSECTIONS; i++) {
		const char *key    = cli_sections[i].key;
		const char *text   = cli_str(sections, key);
		int         secret = section_listed(conf, key);

		printf("\n%s (%s)%s\n", cli_sections[i].heading, key,
		    secret ? " [confidential]" : "");
		if (text != NULL && text[0] != '\0') {
			print_wrapped(text, 2, width);
		} else {
			printf("  %s\n",
			    secret ? "(confidential: not shown)" : "-");
		}
	}
}

/* Prints the cases the server found similar, if any. */
static void
print_similar(json_object *similar)
{
	if (jlen(similar) > 0) {
		printf("\nSimilar cases\n");
	}
	for (size_t i = 0; i < jlen(similar); i++) {
		json_object *s = json_object_array_get_idx(similar, i);
		json_object *sim;
		double       v = 0;

		if (json_object_object_get_ex(s, "similarity", &sim)) {
			v = json_object_get_double(sim);
		}
		printf("  #%s  %s  (similarity %.2f)\n", cli_str(s, "id"),
		    cli_str(s, "title") != NULL ? cli_str(s, "title") : "", v);
	}
}

/* Prints a case as a card for people, with its history if not NULL. */
void
print_case(json_object *c, json_object *history)
{
	json_object *ballots   = jarray(c, "ballots");
	json_object *decisions = jarray(c, "decisions");

	print_case_head(c);
	print_authors(jarray(c, "authors"));
	print_sections(c);
	print_similar(jarray(c, "similar"));
	print_ballots(ballots);
	for (size_t i = 0; i < jlen(decisions); i++) {
		print_decision(json_object_array_get_idx(decisions, i));
	}
	if (jlen(decisions) == 0 && jobject(c, "decision") != NULL) {
		print_decision(jobject(c, "decision"));
	}
	if (history != NULL) {
		printf("\nTimeline\n");
		print_events(jarray(history, "items"), 0);
	}
}

/*
 * Says why the council cannot decide yet (a `pending` reply): the rubric's
 * reasons and how many have scored, on stderr like every error.
 */
void
print_pending(json_object *reply)
{
	json_object *e = cli_error(reply);
	json_object *d = e != NULL ? jobject(e, "details") : NULL;
	json_object *reasons = jarray(d, "reasons");
	json_object *council = jobject(d, "council");

	fprintf(stderr, "error: pending: %s\n", cli_error_message(reply));
	if (jlen(reasons) > 0) {
		fprintf(stderr, "reasons:\n");
	}
	for (size_t i = 0; i < jlen(reasons); i++) {
		char buf[4096];

		render_value(
		    json_object_array_get_idx(reasons, i), buf, sizeof(buf));
		fprintf(stderr, "  - %s\n", buf);
	}
	if (council != NULL) {
		fprintf(stderr,
		    "council %s: %lld of %lld eligible members have scored\n",
		    cli_str(council, "id") != NULL ? cli_str(council, "id")
		                                   : "?",
		    jint(council, "scored", 0), jint(council, "eligible", 0));
	}
}

/*
 * Prints a rubric's criteria as a table (id, Vietnamese label, maximum),
 * then the guides the rubric gives the council for each, wrapped.
 */
static void
print_criteria(json_object *crit)
{
	static const char *heads[] = { "", "CRITERION", "LABEL", "MAX" };
	struct cli_table  *t;
	int                guides = 0;

	if ((t = cli_table_new(4, heads)) == NULL) {
		return;
	}
	for (size_t i = 0; i < jlen(crit); i++) {
		json_object *c = json_object_array_get_idx(crit, i);
		char         max[64];
		const char  *row[4];

		row[0] = "";
		row[1] = cli_str(c, "id");
		row[2] = cli_str(c, "label");
		row[3] = jnum_text(c, "max", max, sizeof(max));
		cli_table_add(t, row);
		guides += cli_str(c, "guide") != NULL;
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	if (guides > 0) {
		printf("\nGuides for the council\n");
	}
	for (size_t i = 0; guides > 0 && i < jlen(crit); i++) {
		json_object *c = json_object_array_get_idx(crit, i);

		if (cli_str(c, "guide") != NULL) {
			printf("  %s (%s)\n", cli_str(c, "id"),
			    cli_str(c, "label") != NULL ? cli_str(c, "label")
			                                : "");
			print_wrapped(cli_str(c, "guide"), 4, 80);
		}
	}
}

/* The card of a rubric version: id, title, hash, current, bases. */
void
print_rubric_card(json_object *r)
{
	json_object *bases = jobject(r, "bases");
	char         buf[1024];
	size_t       n = 0;

	printf("Rubric %s: %s\n", cli_str(r, "id") ? cli_str(r, "id") : "?",
	    cli_str(r, "title") != NULL ? cli_str(r, "title") : "");
	card_line("hash", cli_str(r, "hash"));
	if (json_object_object_get_ex(r, "current", NULL)) {
		card_line("current",
		    jbool(r, "current")
		        ? "yes (new reviews pin this version)"
		        : "no (an older version, kept for the reviews "
		          "pinned to it)");
	}
	if (cli_str(r, "created_at") != NULL) {
		cli_time(cli_str(r, "created_at"), 0, buf, sizeof(buf));
		card_line("created", buf);
	}
	buf[0] = '\0';
	json_object_object_foreach(bases, key, val)
	{
		if (n < sizeof(buf)) {
			n += (size_t) snprintf(buf + n, sizeof(buf) - n,
			    "%s%s (hash %.12s)", n > 0 ? ", " : "", key,
			    json_object_get_string(val));
		}
	}
	card_line("extends", buf);
	printf("\n");
	print_criteria(jarray(r, "criteria"));
}

/* A similarity for people: three decimals. */
const char *
similarity_cell(json_object *it, char *out, size_t len)
{
	json_object *v;

	if (json_object_object_get_ex(it, "similarity", &v)) {
		snprintf(out, len, "%.3f", json_object_get_double(v));
	} else {
		snprintf(out, len, "-");
	}
	return (out);
}

const char *
unit_cell(json_object *it, char *out, size_t len)
{
	(void) out;
	(void) len;
	return (cli_str(it, "unit"));
}

/*
 * A table of cases: ID, then the state (in column state_col, 1 or 2) and
 * one more column that cell fills, then TITLE; or `empty` if none.
 */
int
print_case_items(json_object *items, const char *const heads[4],
    int state_col, const char *(*cell)(json_object *, char *, size_t),
    const char *empty)
{
	struct cli_table *t;

	if (jlen(items) == 0) {
		printf("%s\n", empty);
		return (CLI_OK);
	}
	if ((t = cli_table_new(4, heads)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	cli_table_cap(t, state_col, CASES_STATE_MAX);
	cli_table_flex(t, 3, 30);
	for (size_t i = 0; i < jlen(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		char         st[256], buf[32];
		const char  *row[4];

		case_state_cell(cli_str(it, "state"), st, sizeof(st));
		row[0]             = cli_str(it, "id");
		row[state_col]     = st;
		row[3 - state_col] = cell(it, buf, sizeof(buf));
		row[3]             = cli_str(it, "title");
		cli_table_add(t, row);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/* The members of the listed objects that "unit list", ... show. */
static const struct {
	const char *name;
	const char *cols[8]; /* NULL-terminated */
} list_columns[] = {
	{ "unit", { "id", "name", "parent", "rubric" } },
	{ "user", { "id", "name", "unit", "roles" } },
	{ "council",
	    { "id", "name", "scope", "unit", "members", "fields", "rubric" } },
	{ "rubric", { "id", "title", "criteria", "hash", "created_at" } },
};
#define CLI_NLISTS (sizeof(list_columns) / sizeof(list_columns[0]))

/* One row of a list: each column's member of the item, for people. */
static void
list_add_row(struct cli_table *t, const char *const *cols, json_object *it)
{
	char        cells[8][1024];
	const char *row[8];

	for (int c = 0; cols[c] != NULL; c++) {
		json_object *v = NULL;

		json_object_object_get_ex(it, cols[c], &v);
		/* A council's members and a rubric's criteria are counted;
		 * "get" and "show" list them. */
		if ((strcmp(cols[c], "members") == 0 ||
		        strcmp(cols[c], "criteria") == 0) &&
		    json_object_is_type(v, json_type_array)) {
			snprintf(cells[c], sizeof(cells[c]), "%zu", jlen(v));
		} else if (strcmp(cols[c], "created_at") == 0 &&
		    json_object_is_type(v, json_type_string)) {
			cli_time(json_object_get_string(v), 1, cells[c],
			    sizeof(cells[c]));
		} else {
			render_value(v, cells[c], sizeof(cells[c]));
		}
		if (strcmp(cols[c], "hash") == 0) {
			cells[c][12] = '\0';
		}
		row[c] = cells[c];
	}
	cli_table_add(t, row);
}

/*
 * Prints the items of "unit list", "user list", ... (kind: "unit", ...)
 * as a table, its columns as list_columns say.
 */
int
print_list(const char *kind, json_object *items)
{
	const char *const *cols  = list_columns[CLI_NLISTS - 1].cols;
	struct cli_table  *t;
	char               heads[8][32];
	const char        *hp[8];
	int                ncols;

	for (size_t k = 0; k < CLI_NLISTS; k++) {
		if (strcmp(list_columns[k].name, kind) == 0) {
			cols = list_columns[k].cols;
		}
	}
	for (ncols = 0; cols[ncols] != NULL; ncols++) {
		size_t i;

		for (i = 0; cols[ncols][i] != '\0' && i + 1 < sizeof(heads[0]);
		     i++) {
			heads[ncols][i] =
			    (char) toupper((unsigned char) cols[ncols][i]);
		}
		heads[ncols][i] = '\0';
		hp[ncols]       = heads[ncols];
	}
	if ((t = cli_table_new(ncols, hp)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	cli_table_flex(t, 1, 20);
	for (size_t i = 0; i < jlen(items); i++) {
		list_add_row(t, cols, json_object_array_get_idx(items, i));
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}
