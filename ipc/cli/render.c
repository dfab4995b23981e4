/*
 * render.c: how the sangkien CLI writes for people, in one place: tables
 * whose columns line up by display width (Vietnamese text, precomposed or
 * combining), cut with "…" to fit the output; cards; the Vietnamese words
 * for states, actions, events, verdicts, roles and error codes; local
 * times; error replies with their details as lists.  cards.c builds the
 * server's objects out of these; this file calls nothing above it (cli.h
 * says the layers).
 */
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

#define CLI_TABLE_WIDTH 80 /* when stdout is not a terminal */

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

/* The Vietnamese words for an error code of PROTOCOL.md, or NULL. */
static const char *
error_words(const char *code)
{
	static const struct {
		const char *code;
		const char *words;
	} words[] = {
		{ "bad_request", "yêu cầu không hợp lệ" },
		{ "unauthorized", "chưa xác thực" },
		{ "forbidden", "không có quyền" },
		{ "not_found", "không tìm thấy" },
		{ "conflict", "xung đột" },
		{ "invalid_transition", "không làm được ở trạng thái này" },
		{ "incomplete", "hồ sơ chưa đầy đủ" },
		{ "pending", "chưa quyết định được" },
		{ "rubric_error", "lỗi bộ tiêu chí" },
		{ "too_large", "quá lớn" },
		{ "unavailable", "máy chủ tạm không phục vụ" },
		{ "internal", "lỗi bên trong máy chủ" },
	};

	for (size_t i = 0; code != NULL && i < sizeof(words) / sizeof(words[0]);
	     i++) {
		if (strcmp(words[i].code, code) == 0) {
			return (words[i].words);
		}
	}
	return (NULL);
}

/* Prints "label:" and each string of a list on a line "  - item". */
static void
print_list_lines(FILE *f, const char *label, json_object *list)
{
	char buf[4096];

	if (jlen(list) == 0) {
		return;
	}
	fprintf(f, "%s:\n", label);
	for (size_t i = 0; i < jlen(list); i++) {
		render_value(json_object_array_get_idx(list, i), buf, sizeof(buf));
		fprintf(f, "  - %s\n", buf);
	}
}

/*
 * Prints the details of an error for people: the rubric's problems and
 * reasons as lists, states with their labels, a council's count of
 * ballots; anything else as "key: value" lines.
 */
/* decide's preview (details.outcome): what would be recorded now. */
static void
print_outcome_preview(json_object *o)
{
	json_object *v = jobject(o, "votes");
	char         score[64];

	render_number(json_object_object_get(o, "score"), score, sizeof(score));
	fprintf(stderr,
	    "nếu ghi nhận bây giờ: kiến nghị %s, điểm %s, %lld/%lld thành "
	    "viên đồng ý (cần %lld)\n",
	    cli_verdict_words(cli_str(o, "verdict")), score,
	    jint(v, "pass", 0), jint(v, "members", 0), jint(v, "needed", 0));
	print_list_lines(stderr, "lý do", jarray(o, "reasons"));
	fprintf(stderr, "ghi nhận kiến nghị này: thêm --confirm\n");
}

static void
print_error_details(json_object *d)
{
	char buf[4096];

	if (!json_object_is_type(d, json_type_object)) {
		render_value(d, buf, sizeof(buf));
		fprintf(stderr, "chi tiết: %s\n", buf);
		return;
	}
	json_object_object_foreach(d, key, val)
	{
		if (strcmp(key, "problems") == 0 &&
		    json_object_is_type(val, json_type_array)) {
			print_list_lines(stderr, "cần sửa", val);
		} else if (strcmp(key, "reasons") == 0 &&
		    json_object_is_type(val, json_type_array)) {
			print_list_lines(stderr, "lý do", val);
		} else if (strcmp(key, "state") == 0 &&
		    json_object_is_type(val, json_type_string)) {
			cli_state_text(json_object_get_string(val), buf,
			    sizeof(buf));
			fprintf(stderr, "trạng thái hiện tại: %s\n", buf);
		} else if (strcmp(key, "allowed") == 0 &&
		    json_object_is_type(val, json_type_array)) {
			size_t n = 0;

			buf[0] = '\0';
			for (size_t i = 0; i < jlen(val) && n < sizeof(buf);
			     i++) {
				const char *st = json_object_get_string(
				    json_object_array_get_idx(val, i));

				n += (size_t) snprintf(buf + n, sizeof(buf) - n,
				    "%s%s (%s)", i > 0 ? ", " : "",
				    cli_state_short(st), st);
			}
			fprintf(stderr, "chỉ làm được khi: %s\n", buf);
		} else if (strcmp(key, "missing") == 0 &&
		    json_object_is_type(val, json_type_array)) {
			render_value(val, buf, sizeof(buf));
			fprintf(stderr, "chưa chấm và biểu quyết: %s\n", buf);
		} else if (strcmp(key, "outcome") == 0 &&
		    json_object_is_type(val, json_type_object)) {
			print_outcome_preview(val);
		} else if (strcmp(key, "council") == 0 &&
		    json_object_is_type(val, json_type_object)) {
			fprintf(stderr,
			    "hội đồng %s: %lld trên %lld thành viên được "
			    "chấm đã chấm\n",
			    cli_str(val, "id") != NULL ? cli_str(val, "id")
			                               : "?",
			    jint(val, "scored", 0), jint(val, "eligible", 0));
		} else {
			render_value(val, buf, sizeof(buf));
			fprintf(stderr, "%s: %s\n", key, buf);
		}
	}
}

void
cli_print_error(json_object *reply)
{
	json_object *e = cli_error(reply);
	json_object *d;
	const char  *code  = e != NULL ? cli_str(e, "code") : NULL;
	const char  *words = error_words(code);

	if (code == NULL) {
		code = "internal";
	}
	/* "lỗi: không tìm thấy (not_found): no case 999": the code stays,
	 * for searching and for scripts; the server's message is English
	 * (PROTOCOL.md), the words before it are ours. */
	fprintf(stderr, "lỗi: %s%s%s%s: %s\n", words != NULL ? words : "",
	    words != NULL ? " (" : "", code, words != NULL ? ")" : "",
	    e != NULL ? cli_error_message(reply)
	              : "the server's reply has no error object");
	if (e != NULL && json_object_object_get_ex(e, "details", &d) &&
	    d != NULL) {
		print_error_details(d);
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

/*
 * Short Vietnamese labels of the states, for tables: a few words that are
 * never cut (the full labels are workflow.c's, for cards), in the order of
 * enum wf_state.
 */
static const char *const state_short[WF_NSTATES] = {
	[WF_DRAFT]            = "Nháp",
	[WF_SUBMITTED]        = "Đã nộp",
	[WF_RETURNED]         = "Trả lại",
	[WF_UNIT_REVIEW]      = "Cơ sở đang xét",
	[WF_UNIT_RECOMMENDED] = "Cơ sở đã kiến nghị",
	[WF_UNIT_RECOGNIZED]  = "Cơ sở công nhận",
	[WF_UNIT_REFUSED]     = "Cơ sở không nhận",
	[WF_NOMINATED]        = "Đề nghị lên tỉnh",
	[WF_PROVINCE_REVIEW]  = "Tỉnh đang xét",
	[WF_PROVINCE_RECOMMENDED] = "Tỉnh đã kiến nghị",
	[WF_RECOGNIZED]       = "Tỉnh công nhận",
	[WF_PROVINCE_REFUSED] = "Tỉnh không nhận",
	[WF_WITHDRAWN]        = "Đã rút",
	[WF_REVOKED]          = "Bị thu hồi",
};

const char *
cli_state_short(const char *state)
{
	enum wf_state s = state != NULL ? wf_state_parse(state) : WF_NONE;

	if (s == WF_NONE) {
		return (state != NULL ? state : "-");
	}
	return (state_short[s]);
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

/*
 * Prints one line of text wrapped at width columns, each line indented
 * (the first too, unless the cursor is there already: at_indent).
 */
static void
print_wrapped_line(char *line, int indent, int width, int at_indent)
{
	char *save = NULL;
	int   col  = 0;

	if (!at_indent) {
		printf("%*s", indent, "");
	}
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
void
print_wrapped(const char *text, int indent, int width)
{
	const char *p = text;

	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char  *line;

		if ((line = strndup(p, len)) == NULL) {
			return;
		}
		print_wrapped_line(line, indent, width, 0);
		free(line);
		p += len;
		if (*p == '\n') {
			p++;
		}
	}
}

/*
 * A table for people.  Each column is as wide as its widest cell; when the
 * whole is wider than the output, the columns that may be cut are cut (with
 * "…", by display width), the flexible one first and down to its minimum,
 * then the others, widest first, down to theirs.  A row may carry a note,
 * printed wrapped on the lines below it instead of in a column, so that a
 * long note is read whole and never widens the table.
 */
struct cli_table {
	int    ncols;
	int    nrows; /* row 0 is the header */
	int    cap;
	char **cells; /* nrows * ncols, each malloc'd */
	char **notes; /* per row: NULL, or the note printed below it */
	int   *max;   /* per column: 0, or the widest it may be */
	int   *min;   /* per column: 0 (never cut), or the narrowest cut */
	int    flex;  /* the column cut first, or -1 */
};

/*
 * The width tables are fitted to: the terminal's; else $COLUMNS if set;
 * else 80, the width people's terminals open at.
 */
int
cli_out_width(void)
{
	struct winsize ws;
	const char    *env = getenv("COLUMNS");

	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) {
		return (ws.ws_col);
	}
	if (env != NULL && atoi(env) >= 40) {
		return (atoi(env));
	}
	return (CLI_TABLE_WIDTH);
}

struct cli_table *
cli_table_new(int ncols, const char *const *heads)
{
	struct cli_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->max = calloc((size_t) ncols, sizeof(int))) == NULL ||
	    (t->min = calloc((size_t) ncols, sizeof(int))) == NULL) {
		if (t != NULL) {
			free(t->max);
		}
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
	t->flex     = col;
	t->min[col] = min;
}

void
cli_table_cut(struct cli_table *t, int col, int min)
{
	t->min[col] = min;
}

void
cli_table_cap(struct cli_table *t, int col, int max)
{
	t->max[col] = max;
}

/* A copy of s on one line: tabs and line breaks become spaces. */
static char *
one_line(const char *s)
{
	char *p = strdup(s != NULL ? s : "");

	for (char *q = p; q != NULL && *q != '\0'; q++) {
		if (*q == '\n' || *q == '\r' || *q == '\t') {
			*q = ' ';
		}
	}
	return (p);
}

int
cli_table_add(struct cli_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		int    ncap = t->cap == 0 ? 16 : t->cap * 2;
		char **nc;
		char **nn;

		nc = realloc(t->cells,
		    sizeof(char *) * (size_t) ncap * (size_t) t->ncols);
		if (nc == NULL) {
			return (-1);
		}
		t->cells = nc;
		if ((nn = realloc(t->notes, sizeof(char *) * (size_t) ncap)) ==
		    NULL) {
			return (-1);
		}
		t->notes = nn;
		t->cap   = ncap;
	}
	for (int i = 0; i < t->ncols; i++) {
		char *p;

		if ((p = one_line(cells[i])) == NULL) {
			for (int j = 0; j < i; j++) {
				free(t->cells[t->nrows * t->ncols + j]);
			}
			return (-1);
		}
		t->cells[t->nrows * t->ncols + i] = p;
	}
	t->notes[t->nrows] = NULL;
	t->nrows++;
	return (0);
}

int
cli_table_note(struct cli_table *t, const char *note)
{
	if (t->nrows < 2 || note == NULL || note[0] == '\0') {
		return (0);
	}
	free(t->notes[t->nrows - 1]);
	if ((t->notes[t->nrows - 1] = strdup(note)) == NULL) {
		return (-1);
	}
	return (0);
}

/*
 * Sets w[] to the width of each column: its widest cell (within its cap),
 * then cut, as the comment on struct cli_table says, to fit the output.
 */
static void
table_widths(const struct cli_table *t, int *w)
{
	int total = 0;
	int width = cli_out_width();

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
	if (t->flex >= 0 && total > width && w[t->flex] > t->min[t->flex]) {
		int cut = total - width;

		if (cut > w[t->flex] - t->min[t->flex]) {
			cut = w[t->flex] - t->min[t->flex];
		}
		w[t->flex] -= cut;
		total -= cut;
	}
	while (total > width) {
		int widest = -1;

		for (int c = 0; c < t->ncols; c++) {
			if (t->min[c] > 0 && w[c] > t->min[c] &&
			    (widest < 0 || w[c] - t->min[c] >
			                       w[widest] - t->min[widest])) {
				widest = c;
			}
		}
		if (widest < 0) {
			break; /* nothing left to cut */
		}
		w[widest]--;
		total--;
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
		if (t->notes[r] != NULL) {
			fflush(f);
			print_wrapped(t->notes[r], 6, cli_out_width());
		}
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
	for (int i = 0; i < t->nrows; i++) {
		free(t->notes[i]);
	}
	free(t->cells);
	free(t->notes);
	free(t->max);
	free(t->min);
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
			    out + n, len - n, "%s%s (%s)", sep, user, cli_role_words(role));
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

/*
 * One "label  value" line of a card, the labels padded to one width; a
 * long value is wrapped at 80 columns (or the output's width if less),
 * its next lines under its first.
 */
void
card_line(const char *label, const char *value)
{
	int   w     = sk_utf8_width(label);
	int   width = cli_out_width() < 80 ? cli_out_width() : 80;
	char *v;

	printf("  %s%*s  ", label, w < 16 ? 16 - w : 0, "");
	if ((v = one_line(value != NULL && value[0] != '\0' ? value : "-")) ==
	    NULL) {
		putchar('\n');
		return;
	}
	print_wrapped_line(v, 20, width, 1);
	free(v);
}

/*
 * The Vietnamese words for the members of units, users, councils and
 * rubrics, as card labels (lower case) and table headings (upper case).
 */
static const struct {
	const char *key;
	const char *label;
	const char *head;
} key_words[] = {
	{ "id", "mã", "MÃ" },
	{ "name", "tên", "TÊN" },
	{ "title", "tên", "TÊN" },
	{ "parent", "đơn vị cấp trên", "CẤP TRÊN" },
	{ "rubric", "bộ tiêu chí", "TIÊU CHÍ" },
	{ "unit", "đơn vị", "ĐƠN VỊ" },
	{ "roles", "vai trò", "VAI TRÒ" },
	{ "scope", "cấp", "CẤP" },
	{ "members", "thành viên", "THÀNH VIÊN" },
	{ "fields", "lĩnh vực", "LĨNH VỰC" },
	{ "criteria", "tiêu chí", "TIÊU CHÍ" },
	{ "hash", "mã băm", "MÃ BĂM" },
	{ "created_at", "tạo lúc", "NGÀY TẠO" },
	{ "updated_at", "cập nhật lúc", "CẬP NHẬT" },
	{ "year", "năm", "NĂM" },
	{ "opens", "nhận đơn từ", "TỪ" },
	{ "closes", "nhận đơn đến", "ĐẾN" },
	{ "decides_by", "xét xong trước", "XÉT XONG" },
	{ "email", "thư điện tử", "THƯ ĐIỆN TỬ" },
	{ "notify", "nhận thông báo", "THÔNG BÁO" },
	{ "unread", "chưa đọc", "CHƯA ĐỌC" },
	{ "subject", "tiêu đề", "TIÊU ĐỀ" },
	{ "mail", "thư", "THƯ" },
};

/* The label (head: the heading) of a member key, or the key itself. */
const char *
cli_key_word(const char *key, int head)
{
	for (size_t i = 0; i < sizeof(key_words) / sizeof(key_words[0]); i++) {
		if (strcmp(key_words[i].key, key) == 0) {
			return (head ? key_words[i].head : key_words[i].label);
		}
	}
	return (key);
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
		} else if (strcmp(key, "scope") == 0 &&
		    json_object_is_type(val, json_type_string)) {
			snprintf(buf, sizeof(buf), "%s",
			    stage_text(json_object_get_string(val)));
		} else {
			render_value(val, buf, sizeof(buf));
		}
		card_line(cli_key_word(key, 0), buf);
	}
}

/* The Vietnamese verb of each action of the workflow (PROTOCOL.md). */
static const struct {
	const char *action;
	const char *words;
} action_words[] = {
	{ "submit", "nộp" },
	{ "accept", "tiếp nhận" },
	{ "return", "trả lại" },
	{ "withdraw", "rút" },
	{ "nominate", "đề nghị lên tỉnh" },
	{ "reopen", "mở lại" },
	{ "revoke", "hủy công nhận" },
	{ "decide", "kiến nghị của hội đồng" },
	{ "recognize", "quyết định của người đứng đầu" },
};

/* What happened in an event of each type, in Vietnamese. */
static const struct {
	const char *type;
	const char *words;
} event_words[] = {
	{ "case.created", "tạo hồ sơ" },
	{ "case.updated", "sửa hồ sơ" },
	{ "case.scored", "chấm điểm" },
	{ "case.decided", "kiến nghị của hội đồng" },
	{ "case.recognized", "quyết định của người đứng đầu" },
	{ "case.due_soon", "sắp hết hạn xét" },
	{ "case.overdue", "quá hạn xét" },
	{ "unit.changed", "sửa đơn vị" },
	{ "user.changed", "sửa người dùng" },
	{ "council.changed", "sửa hội đồng" },
	{ "rubric.changed", "sửa bộ tiêu chí" },
};

const char *
cli_action_words(const char *action)
{
	for (size_t i = 0;
	     action != NULL && i < sizeof(action_words) / sizeof(action_words[0]);
	     i++) {
		if (strcmp(action_words[i].action, action) == 0) {
			return (action_words[i].words);
		}
	}
	return (action != NULL ? action : "?");
}

const char *
cli_event_words(json_object *ev)
{
	const char *action = cli_str(ev, "action");
	const char *type   = cli_str(ev, "type");

	if (action != NULL) {
		return (cli_action_words(action));
	}
	for (size_t i = 0;
	     type != NULL && i < sizeof(event_words) / sizeof(event_words[0]);
	     i++) {
		if (strcmp(event_words[i].type, type) == 0) {
			return (event_words[i].words);
		}
	}
	return (type != NULL ? type : "?");
}

void
cli_event_change(json_object *ev, int with_from, char *out, size_t len)
{
	const char *from    = cli_str(ev, "from");
	const char *to      = cli_str(ev, "to");
	const char *verdict = cli_str(ev, "verdict");

	out[0] = '\0';
	if ((from != NULL && with_from) || to != NULL) {
		snprintf(out, len, "%s%s→ %s",
		    with_from ? cli_state_short(from) : "", with_from ? " " : "",
		    cli_state_short(to));
	} else if (verdict != NULL) {
		snprintf(out, len, "%s", cli_verdict_words(verdict));
	}
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

/* "cấp cơ sở" / "cấp tỉnh" for a stage code. */
const char *
stage_text(const char *stage)
{
	if (stage == NULL) {
		return ("?");
	}
	if (strcmp(stage, "unit") == 0) {
		return ("cấp cơ sở");
	}
	if (strcmp(stage, "province") == 0) {
		return ("cấp tỉnh");
	}
	return (stage);
}

const char *
cli_verdict_words(const char *verdict)
{
	if (verdict == NULL) {
		return ("-");
	}
	if (strcmp(verdict, "pass") == 0) {
		return ("đạt");
	}
	if (strcmp(verdict, "fail") == 0) {
		return ("không đạt");
	}
	return (verdict);
}

const char *
cli_role_words(const char *role)
{
	if (role != NULL && strcmp(role, "chair") == 0) {
		return ("chủ tịch");
	}
	if (role != NULL && strcmp(role, "secretary") == 0) {
		return ("thư ký");
	}
	if (role != NULL && strcmp(role, "member") == 0) {
		return ("thành viên");
	}
	if (role != NULL && strcmp(role, "vice_chair") == 0) {
		return ("phó chủ tịch");
	}
	if (role != NULL && strcmp(role, "union_rep") == 0) {
		return ("đại diện công đoàn");
	}
	if (role != NULL && strcmp(role, "expert") == 0) {
		return ("chuyên gia (không biểu quyết)");
	}
	return (role != NULL ? role : "?");
}

void
cli_print_reasons(json_object *reasons)
{
	char buf[4096];

	if (jlen(reasons) == 0) {
		card_line("lý do", "-");
	}
	for (size_t i = 0; i < jlen(reasons); i++) {
		render_value(
		    json_object_array_get_idx(reasons, i), buf, sizeof(buf));
		card_line(i == 0 ? "lý do" : "", buf);
	}
}

/* "default (mã băm 0123456789ab)" for a rubric reference {id, hash}. */
void
render_rubric_ref(json_object *rb, char *out, size_t len)
{
	const char *id   = cli_str(rb, "id");
	const char *hash = cli_str(rb, "hash");

	snprintf(out, len, "%s%s%.12s%s", id != NULL ? id : "?",
	    hash != NULL ? " (mã băm " : "", hash != NULL ? hash : "",
	    hash != NULL ? ")" : "");
}
