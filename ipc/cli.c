/*
 * cli.c: sangkien, the admin command line of the sangkien server.  It is a
 * plain client of PROTOCOL.md (a req0 socket for requests, a sub0 socket for
 * `watch`), so that anything it does, a script or nngcat can do too.
 *
 * One command table (cmds[] below) drives parsing, dispatch and the usage
 * text, as Redis's command table does: adding a command is one row and one
 * function.  Output is for people by default (tables whose columns line up
 * with Vietnamese text, cards, timelines) and for programs with --json (the
 * raw result, one line).  Exit codes are promised in cli.h: 1 when the server
 * said no, 2 for a wrong command line, 3 when there was no server to ask.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "core/model/workflow.h"
#include "ipc/cli.h"
#include "ipc/proto.h"
#include "ipc/utf8width.h"

#define CLI_DEFAULT_SERVER "ipc://sangkien-data/api.ipc"
#define CLI_DEFAULT_TIMEOUT_MS 10000
/* verify and backup read or copy the whole database: minutes at a million
 * cases, and the server answers others meanwhile. */
#define CLI_LONG_TIMEOUT_MS (3600 * 1000)
#define CLI_TABLE_WIDTH 100 /* when stdout is not a terminal */
#define CLI_ARGS_MAX 128
#define CLI_PAGE_EVENTS 100 /* events asked for per events.since call */

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

/* ---------------------------------------------------------------------- */
/* Calling the server.                                                     */

int
cli_request(struct sk_client *c, const char *op, json_object *args,
    const char *request_id, json_object **reply)
{
	char         err[512];
	json_object *ok;

	*reply = NULL;
	if (sk_client_call(c, op, args, request_id, reply, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "sangkien: %s\n", err);
		return (CLI_ETRANSPORT);
	}
	if (json_object_object_get_ex(*reply, "ok", &ok) &&
	    json_object_get_boolean(ok)) {
		return (CLI_OK);
	}
	return (CLI_EREPLY);
}

int
cli_call(struct sk_client *c, const char *op, json_object *args,
    const char *request_id, json_object **reply)
{
	int rv;

	if ((rv = cli_request(c, op, args, request_id, reply)) == CLI_EREPLY) {
		cli_print_error(*reply);
		json_object_put(*reply);
		*reply = NULL;
	}
	return (rv);
}

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
		fprintf(stderr, "details: %s\n", proto_json_text(d, NULL));
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
	return (proto_json_text(v, NULL));
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

/* ---------------------------------------------------------------------- */
/* Tables.                                                                 */

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

/* ---------------------------------------------------------------------- */
/* Output helpers.                                                         */

void
cli_print_json(json_object *o, int pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN;
	printf("%s\n", json_object_to_json_string_ext(o, flags));
}

json_object *
cli_case_args(long long id)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "id", json_object_new_int64(id));
	return (args);
}

/* {"id": id}, the args of an op on one unit, user, council or rubric. */
static json_object *
object_id_args(const char *id)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "id", json_object_new_string(id));
	return (args);
}

/* An integer member of o, or def. */
static long long
jint(json_object *o, const char *key, long long def)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL) {
		return (def);
	}
	return (json_object_get_int64(v));
}

/* True if member key of o is true. */
static int
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
static json_object *
jarray(json_object *o, const char *key)
{
	return (jmember(o, key, json_type_array));
}

/* An object member of o, or NULL. */
static json_object *
jobject(json_object *o, const char *key)
{
	return (jmember(o, key, json_type_object));
}

/* The length of an array from jarray, 0 for NULL. */
static size_t
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
			    proto_json_text(e, NULL));
		}
	}
}

/*
 * Renders a value for a card: strings as they are, arrays as render_array
 * does, "-" for nothing, anything else as JSON.
 */
static void
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
		snprintf(out, len, "%s", proto_json_text(v, NULL));
	}
}

/* One "label  value" line of a card, the labels padded to one width. */
static void
card_line(const char *label, const char *value)
{
	int w = sk_utf8_width(label);

	printf("  %s%*s  %s\n", label, w < 14 ? 14 - w : 0, "",
	    value != NULL && value[0] != '\0' ? value : "-");
}

/* Prints every member of an object as a card (units, users, councils). */
static void
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

/* Reads a whole file ("-": standard input) into a malloc'd string. */
static char *
read_file(const char *path, char *err, size_t errlen)
{
	FILE  *f;
	char  *buf = NULL;
	size_t len = 0;
	size_t cap = 0;
	size_t n;

	if (strcmp(path, "-") == 0) {
		f = stdin;
	} else if ((f = fopen(path, "r")) == NULL) {
		snprintf(
		    err, errlen, "cannot read %s: %s", path, strerror(errno));
		return (NULL);
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (nb == NULL) {
				snprintf(err, errlen, "out of memory");
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0) {
			buf[len] = '\0';
			break;
		}
	}
	if (buf != NULL && ferror(f)) {
		snprintf(
		    err, errlen, "cannot read %s: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	}
	if (f != stdin) {
		fclose(f);
	}
	return (buf);
}

/*
 * Parses text given on the command line (or an event) as one JSON object,
 * as strictly as the server parses requests.  Returns the object or NULL
 * with a message in err.
 */
static json_object *
parse_object(const char *text, char *err, size_t errlen)
{
	struct proto_err e = { 0 };
	json_object     *obj;

	if ((obj = proto_json_parse(text, strlen(text), &e)) == NULL) {
		snprintf(err, errlen, "%s", e.msg);
	} else if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errlen, "not a JSON object ({...})");
		json_object_put(obj);
		obj = NULL;
	}
	proto_err_clear(&e);
	return (obj);
}

/* ---------------------------------------------------------------------- */
/* The command line.                                                       */

/* An option a command takes: "--name", and whether a value follows it. */
struct optspec {
	const char *name;
	int         value;
};

struct args {
	int         npos;
	const char *pos[CLI_ARGS_MAX];
	int         nopt;
	struct {
		const char *name;
		const char *value; /* "" for flags */
	} opt[CLI_ARGS_MAX];
};

struct cli {
	struct cli_opts   o;
	struct sk_client *c;
	/* Raw global options, resolved into o by cli_resolve. */
	const char *server;
	const char *data;
	const char *timeout;
	char       *alloc_server;
	char       *alloc_events;
};

struct cmd;
typedef int (*cmd_fn)(struct cli *, const struct cmd *, const struct args *);

/* What a command needs and does, as flags of its row in cmds[]. */
enum cmd_flags {
	CMD_API   = 1u << 0, /* needs the API socket */
	CMD_WRITE = 1u << 1, /* changes something: --request-id goes along */
	CMD_LONG  = 1u << 2, /* may take minutes: waits CLI_LONG_TIMEOUT_MS
	                      * for its reply unless --timeout says */
};

struct cmd {
	const char           *name;
	const char           *sub; /* "put" for "unit put", or NULL */
	cmd_fn                fn;
	const struct optspec *opts;
	int                   minpos;
	int                   maxpos; /* -1: any number */
	unsigned              flags;  /* enum cmd_flags */
	const char           *synopsis;
	const char           *help;
};

/* Global options, allowed before the command and after it. */
static const struct optspec global_opts[] = {
	{ "--server", 1 },
	{ "--data", 1 },
	{ "--events", 1 },
	{ "--token", 1 },
	{ "--timeout", 1 },
	{ "--request-id", 1 },
	{ "--json", 0 },
	{ "--help", 0 },
	{ NULL, 0 },
};

/* Reports a wrong command line and returns CLI_EUSAGE. */
static int
usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sangkien: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(run 'sangkien help' for usage)\n");
	return (CLI_EUSAGE);
}

/* The option of spec that s ("--name" or "--name=value") names, or NULL. */
static const struct optspec *
find_opt(const struct optspec *spec, const char *s)
{
	size_t len = strcspn(s, "=");

	for (; spec != NULL && spec->name != NULL; spec++) {
		if (strlen(spec->name) == len &&
		    strncmp(spec->name, s, len) == 0) {
			return (spec);
		}
	}
	return (NULL);
}

/*
 * The value of option o, given as argv[*i]: what follows its '=', else the
 * next argument (*i then moves on to it), else "" for a flag.  Returns 0 or
 * CLI_EUSAGE.
 */
static int
opt_value(const struct optspec *o, int argc, char **argv, int *i,
    const char **value)
{
	const char *eq = strchr(argv[*i], '=');

	if (!o->value && eq != NULL) {
		return (usage_err("option '%s' takes no value", o->name));
	}
	if (!o->value) {
		*value = "";
	} else if (eq != NULL) {
		*value = eq + 1;
	} else if (*i + 1 < argc) {
		*value = argv[++*i];
	} else {
		return (usage_err("option '%s' needs a value", o->name));
	}
	return (0);
}

/* Applies one global option to cl. */
static void
set_global(struct cli *cl, const char *name, const char *value)
{
	if (strcmp(name, "--server") == 0) {
		cl->server = value;
	} else if (strcmp(name, "--data") == 0) {
		cl->data = value;
	} else if (strcmp(name, "--events") == 0) {
		cl->o.events = value;
	} else if (strcmp(name, "--token") == 0) {
		cl->o.token = value;
	} else if (strcmp(name, "--timeout") == 0) {
		cl->timeout = value;
	} else if (strcmp(name, "--request-id") == 0) {
		cl->o.request_id = value;
	} else if (strcmp(name, "--json") == 0) {
		cl->o.json = 1;
	}
}

/* True if s is an option, not a positional ("-" and "--" are not). */
static int
is_option(const char *s)
{
	return (strncmp(s, "--", 2) == 0 && s[2] != '\0');
}

/*
 * Parses argv[i..argc) for a command: options of spec (which come first, so
 * that a command's own --json FLAG wins over the global --json) or global
 * ones, and positionals.  "--" ends options.  Returns 0 or CLI_EUSAGE.
 */
static int
parse_args(struct cli *cl, const char *what, const struct optspec *spec,
    int argc, char **argv, int i, struct args *a, int *help)
{
	int only_pos = 0;

	memset(a, 0, sizeof(*a));
	for (; i < argc; i++) {
		const struct optspec *o;
		const char           *value;
		int                   global = 0;
		int                   rv;

		if (!only_pos && strcmp(argv[i], "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (only_pos || !is_option(argv[i])) {
			if (a->npos == CLI_ARGS_MAX) {
				return (usage_err("too many arguments"));
			}
			a->pos[a->npos++] = argv[i];
			continue;
		}
		if ((o = find_opt(spec, argv[i])) == NULL) {
			o      = find_opt(global_opts, argv[i]);
			global = 1;
		}
		if (o == NULL) {
			return (usage_err("unknown option '%.*s' for '%s'",
			    (int) strcspn(argv[i], "="), argv[i], what));
		}
		if ((rv = opt_value(o, argc, argv, &i, &value)) != 0) {
			return (rv);
		}
		if (global) {
			*help = *help || strcmp(o->name, "--help") == 0;
			set_global(cl, o->name, value);
		} else if (a->nopt == CLI_ARGS_MAX) {
			return (usage_err("too many options"));
		} else {
			a->opt[a->nopt].name  = o->name;
			a->opt[a->nopt].value = value;
			a->nopt++;
		}
	}
	return (0);
}

/* The last value given for a command option, or NULL if absent. */
static const char *
opt_get(const struct args *a, const char *name)
{
	const char *v = NULL;

	for (int i = 0; i < a->nopt; i++) {
		if (strcmp(a->opt[i].name, name) == 0) {
			v = a->opt[i].value;
		}
	}
	return (v);
}

/* Parses a positive integer (a case id, a seq, a count). */
static int
parse_pos_int(const char *s, long long *out)
{
	char     *end;
	long long v;

	errno = 0;
	v     = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0) {
		return (-1);
	}
	*out = v;
	return (0);
}

/* Parses a case id argument, or reports it; returns 0 or CLI_EUSAGE. */
static int
parse_case_id(const char *s, long long *id)
{
	if (parse_pos_int(s, id) != 0) {
		return (
		    usage_err("a case ID is a positive integer, not '%s'", s));
	}
	return (0);
}

/*
 * Reads option opt as a positive integer into *out, if it was given (else
 * *out is left alone).  Returns 0, or CLI_EUSAGE after saying that opt
 * takes what ("a positive integer").
 */
static int
opt_pos_int(
    const struct args *a, const char *opt, const char *what, long long *out)
{
	const char *v = opt_get(a, opt);

	if (v != NULL && parse_pos_int(v, out) != 0) {
		return (usage_err("%s takes %s, not '%s'", opt, what, v));
	}
	return (0);
}

/* Splits "a,b,c" into a JSON array of strings; "" gives []. */
static json_object *
split_list(const char *s)
{
	json_object *arr = json_object_new_array();
	const char  *p   = s;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		if (len > 0) {
			json_object_array_add(
			    arr, json_object_new_string_len(p, (int) len));
		}
		p += len;
		if (*p == ',') {
			p++;
		}
	}
	return (arr);
}

/*
 * Starts the args of a put/create/update from --json (an object) or {}.
 * Returns the object, or NULL after reporting a usage error.
 */
static json_object *
args_from_json_opt(const struct args *a, const char *what)
{
	const char  *text = opt_get(a, "--json");
	json_object *o;
	char         err[512];

	if (text == NULL) {
		return (json_object_new_object());
	}
	if ((o = parse_object(text, err, sizeof(err))) == NULL) {
		usage_err("--json for '%s': %s", what, err);
	}
	return (o);
}

/*
 * The args' member for option opt: "--name" gives "name".  Each set_opt_*
 * sets it from the option if the option was given, and leaves args alone
 * otherwise.
 */
static const char *
opt_key(const char *opt)
{
	return (opt + 2);
}

/* Sets the member to the option's string. */
static void
set_opt_string(json_object *args, const struct args *a, const char *opt)
{
	const char *v = opt_get(a, opt);

	if (v != NULL) {
		json_object_object_add(
		    args, opt_key(opt), json_object_new_string(v));
	}
}

/* Sets the member to the option's string, or to null if it is "". */
static void
set_opt_nullable(json_object *args, const struct args *a, const char *opt)
{
	const char *v = opt_get(a, opt);

	if (v != NULL) {
		json_object_object_add(args, opt_key(opt),
		    v[0] != '\0' ? json_object_new_string(v) : NULL);
	}
}

/* Sets the member to the list "a,b,c" of the option, as an array. */
static void
set_opt_list(json_object *args, const struct args *a, const char *opt)
{
	const char *v = opt_get(a, opt);

	if (v != NULL) {
		json_object_object_add(args, opt_key(opt), split_list(v));
	}
}

/*
 * Sets the member to the option's positive integer.  Returns 0, or
 * CLI_EUSAGE as opt_pos_int does (args is then still the caller's).
 */
static int
set_opt_pos_int(json_object *args, const struct args *a, const char *opt,
    const char *what)
{
	long long n = 0;
	int       rv;

	if ((rv = opt_pos_int(a, opt, what, &n)) == 0 && n > 0) {
		json_object_object_add(
		    args, opt_key(opt), json_object_new_int64(n));
	}
	return (rv);
}

/*
 * How a command shows a result to people (with --json, call_and_show
 * prints the result raw instead).  Returns an exit code.
 */
typedef int (*show_fn)(struct cli *, const struct cmd *, const struct args *,
    json_object *result);

/*
 * Sends op with args (consumed; NULL means {}) and shows the result.  The
 * --request-id goes along if the command changes something (CMD_WRITE).
 * Returns an exit code.
 */
static int
call_and_show(struct cli *cl, const struct cmd *cmd, const struct args *a,
    const char *op, json_object *args, show_fn show)
{
	const char  *rid = (cmd->flags & CMD_WRITE) ? cl->o.request_id : NULL;
	json_object *reply;
	int          rv;

	rv = cli_call(cl->c, op, args, rid, &reply);
	json_object_put(args);
	if (rv != CLI_OK) {
		return (rv);
	}
	if (cl->o.json) {
		cli_print_json(cli_result(reply), 0);
	} else {
		rv = show(cl, cmd, a, cli_result(reply));
	}
	json_object_put(reply);
	return (rv);
}

/* Like call_and_show, for an op on the case whose ID is the first word. */
static int
call_on_case(struct cli *cl, const struct cmd *cmd, const struct args *a,
    const char *op, show_fn show)
{
	long long id;
	int       rv;

	if ((rv = parse_case_id(a->pos[0], &id)) != 0) {
		return (rv);
	}
	return (call_and_show(cl, cmd, a, op, cli_case_args(id), show));
}

/* Shows a result as a card (units, users, councils, what a put stored). */
static int
show_card(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	print_card(r);
	return (CLI_OK);
}

/* Shows a result as indented JSON (call, rubric test). */
static int
show_pretty(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	cli_print_json(r, 1);
	return (CLI_OK);
}

/* ---------------------------------------------------------------------- */
/* Commands: the server.                                                   */

/* A table of the number of cases in each state, with a total. */
static int
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

static int
show_status(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	char      buf[256];
	long long up = jint(r, "uptime_s", 0);

	snprintf(buf, sizeof(buf), "sangkiend %s",
	    cli_str(r, "version") != NULL ? cli_str(r, "version") : "?");
	card_line("server", buf);
	card_line("address", cl->o.server);
	snprintf(buf, sizeof(buf), "%lldd %02lld:%02lld:%02lld", up / 86400,
	    up / 3600 % 24, up / 60 % 60, up % 60);
	card_line("uptime", buf);
	card_line("last seq", cli_str(r, "last_seq"));
	snprintf(buf, sizeof(buf), "%.1f MiB",
	    (double) jint(r, "db_bytes", 0) / (1024.0 * 1024.0));
	card_line("database", buf);
	snprintf(buf, sizeof(buf), "index: %lld changes pending",
	    jint(r, "dedup_pending", 0));
	card_line("duplicates", buf);
	snprintf(buf, sizeof(buf), "index: %lld cases pending",
	    jint(r, "search_pending", 0));
	card_line("search", buf);
	printf("\n");
	return (print_state_counts(jobject(r, "cases")));
}

static int
cmd_status(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_and_show(cl, cmd, a, "server.status", NULL, show_status));
}

/* The one command whose exit status depends on its result. */
static int
cmd_verify(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *reply;
	json_object *r;
	json_object *problems;
	int          ok;
	int          rv;

	if ((rv = cli_call(cl->c, "server.verify", NULL, NULL, &reply)) !=
	    CLI_OK) {
		return (rv);
	}
	r        = cli_result(reply);
	ok       = jbool(r, "ok");
	problems = jarray(r, "problems");
	if (cl->o.json) {
		cli_print_json(r, 0);
	} else if (ok) {
		printf("ok: the indexes and the history's hash chain are "
		       "consistent\n");
	} else {
		printf("verification FAILED:\n");
		for (size_t i = 0; i < jlen(problems); i++) {
			printf("  - %s\n",
			    json_object_get_string(
			        json_object_array_get_idx(problems, i)));
		}
	}
	json_object_put(reply);
	return (ok ? CLI_OK : CLI_EREPLY);
}

/*
 * Makes path absolute in *out (malloc'd): the server resolves paths from
 * its own directory, not ours.  Returns CLI_OK, or an exit code after
 * saying what went wrong.
 */
static int
absolute_path(const char *path, char **out)
{
	char cwd[PATH_MAX];

	*out = NULL;
	if (path[0] == '/') {
		*out = strdup(path);
	} else {
		while (strncmp(path, "./", 2) == 0) {
			path += 2;
		}
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			fprintf(stderr,
			    "sangkien: cannot get the current directory: %s\n",
			    strerror(errno));
			return (CLI_EUSAGE);
		}
		if (asprintf(out, "%s/%s", cwd, path) < 0) {
			*out = NULL;
		}
	}
	if (*out == NULL) {
		fprintf(stderr, "sangkien: out of memory\n");
		return (CLI_ETRANSPORT);
	}
	return (CLI_OK);
}

static int
show_backup(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	printf("backup written to %s (%lld bytes)\n",
	    cli_str(r, "path") != NULL ? cli_str(r, "path") : "?",
	    jint(r, "bytes", 0));
	return (CLI_OK);
}

static int
cmd_backup(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	char        *path;
	int          rv;

	if ((rv = absolute_path(a->pos[0], &path)) != CLI_OK) {
		return (rv);
	}
	args = json_object_new_object();
	json_object_object_add(args, "path", json_object_new_string(path));
	free(path);
	return (call_and_show(cl, cmd, a, "server.backup", args, show_backup));
}

/* ---------------------------------------------------------------------- */
/* Commands: cases.                                                        */

#define CASES_STATE_MAX 48 /* display columns of a STATE cell in `cases` */

/* Reports an unknown state, naming the states there are. */
static int
usage_bad_state(const char *state)
{
	char   names[512];
	size_t n = 0;

	names[0] = '\0';
	for (int s = 0; s < WF_NSTATES && n < sizeof(names); s++) {
		n += (size_t) snprintf(names + n, sizeof(names) - n, "%s%s",
		    s > 0 ? ", " : "", wf_state_name((enum wf_state) s));
	}
	return (usage_err("unknown state '%s' (one of %s)", state, names));
}

/*
 * The args of case.list from the options of `cases`, in *out.  Returns 0,
 * or CLI_EUSAGE after reporting.
 */
static int
cases_args(const struct args *a, json_object **out)
{
	const char  *state = opt_get(a, "--state");
	json_object *args;
	int          rv;

	*out = NULL;
	if (state != NULL && cli_state_label(state) == NULL) {
		return (usage_bad_state(state));
	}
	args = json_object_new_object();
	set_opt_string(args, a, "--state");
	set_opt_string(args, a, "--unit");
	set_opt_string(args, a, "--author");
	if (opt_get(a, "--overdue") != NULL) {
		json_object_object_add(
		    args, "overdue", json_object_new_boolean(1));
	}
	if ((rv = set_opt_pos_int(args, a, "--limit", "a positive integer")) !=
	        0 ||
	    (rv = set_opt_pos_int(args, a, "--after", "a case ID")) != 0) {
		json_object_put(args);
		return (rv);
	}
	*out = args;
	return (0);
}

/*
 * Lists cases with case.list, every page of them if every is set: their
 * items are added to all, and the last page's "next" is put in *next (the
 * caller's, NULL if none).  Returns an exit code.
 */
static int
cases_fetch(struct cli *cl, json_object *args, int every, json_object *all,
    json_object **next)
{
	json_object *reply;
	json_object *items;
	json_object *nx;
	int          rv;

	*next = NULL;
	for (;;) {
		if ((rv = cli_call(cl->c, "case.list", args, NULL, &reply)) !=
		    CLI_OK) {
			return (rv);
		}
		items = jarray(cli_result(reply), "items");
		for (size_t i = 0; i < jlen(items); i++) {
			json_object_array_add(all,
			    json_object_get(
			        json_object_array_get_idx(items, i)));
		}
		json_object_put(*next);
		*next = NULL;
		if (json_object_object_get_ex(
		        cli_result(reply), "next", &nx) &&
		    nx != NULL) {
			*next = json_object_get(nx);
		}
		json_object_put(reply);
		if (!every || *next == NULL) {
			return (CLI_OK);
		}
		json_object_object_add(args, "after", json_object_get(*next));
	}
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
static int
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

static int
cmd_cases(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	json_object *all;
	json_object *next;
	int          every = opt_get(a, "--all") != NULL;
	int          rv;

	if ((rv = cases_args(a, &args)) != 0) {
		return (rv);
	}
	all = json_object_new_array();
	rv  = cases_fetch(cl, args, every, all, &next);
	json_object_put(args);
	if (rv == CLI_OK && cl->o.json) {
		json_object *out = json_object_new_object();

		json_object_object_add(out, "items", json_object_get(all));
		json_object_object_add(out, "next", json_object_get(next));
		cli_print_json(out, 0);
		json_object_put(out);
	} else if (rv == CLI_OK &&
	    (rv = print_cases(all, opt_get(a, "--overdue") != NULL)) ==
	        CLI_OK &&
	    next != NULL && !every) {
		fprintf(stderr,
		    "(more cases: sangkien cases --after %s ..., or --all)\n",
		    json_object_get_string(next));
	}
	json_object_put(next);
	json_object_put(all);
	return (rv);
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
static int
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

static int
show_history(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	return (print_events(jarray(r, "items"), 1));
}

static int
cmd_history(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_on_case(cl, cmd, a, "case.history", show_history));
}

/*
 * Writes a number of a result for people: integers as they are, others
 * with at most two decimals ("81.67"); "-" for nothing.
 */
static void
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
static const char *
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
static const char *
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
static void
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
static void
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
static void
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
 * Shows a case's card and its timeline.  The card is shown even when the
 * history cannot be: the timeline then says why, and the command still
 * succeeds.
 */
static int
show_case(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *c)
{
	json_object *args = cli_case_args(jint(c, "id", 0));
	json_object *hist;
	int          rv;

	rv = cli_request(cl->c, "case.history", args, NULL, &hist);
	json_object_put(args);
	if (rv == CLI_ETRANSPORT) {
		return (rv);
	}
	print_case(c, rv == CLI_OK ? cli_result(hist) : NULL);
	if (rv == CLI_EREPLY) {
		printf("\nTimeline\n  not shown: %s: %s\n",
		    cli_error_code(hist) != NULL ? cli_error_code(hist) : "?",
		    cli_error_message(hist));
	}
	json_object_put(hist);
	return (CLI_OK);
}

static int
cmd_show(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_on_case(cl, cmd, a, "case.get", show_case));
}

static int
show_act(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	char st[256];
	char due[64];

	cli_state_text(cli_str(r, "state"), st, sizeof(st));
	printf("case #%s: %s, now %s, version %s\n", cli_str(r, "id"),
	    a->pos[1], st, cli_str(r, "version"));
	if (cli_str(r, "due_at") != NULL) {
		cli_time(cli_str(r, "due_at"), 0, due, sizeof(due));
		printf("review due by %s\n", due);
	}
	return (CLI_OK);
}

static int
cmd_act(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	long long    id;
	int          rv;

	if ((rv = parse_case_id(a->pos[0], &id)) != 0) {
		return (rv);
	}
	args = cli_case_args(id);
	json_object_object_add(
	    args, "action", json_object_new_string(a->pos[1]));
	set_opt_string(args, a, "--note");
	if ((rv = set_opt_pos_int(args, a, "--version",
	         "a positive integer")) != 0) {
		json_object_put(args);
		return (rv);
	}
	return (call_and_show(cl, cmd, a, "case.act", args, show_act));
}

/*
 * Gathers the args of create/update: a FILE.json positional ("-" for
 * standard input) or --json; the two may not both be given.
 */
static json_object *
case_args(const struct args *a, int filepos, const char *what)
{
	const char  *file = a->npos > filepos ? a->pos[filepos] : NULL;
	json_object *o;
	char        *text;
	char         err[512];

	if (file != NULL && opt_get(a, "--json") != NULL) {
		usage_err("'%s' takes a FILE or --json, not both", what);
		return (NULL);
	}
	if (file == NULL && opt_get(a, "--json") == NULL) {
		usage_err("'%s' needs --json '{...}' or a FILE.json", what);
		return (NULL);
	}
	if (file == NULL) {
		return (args_from_json_opt(a, what));
	}
	if ((text = read_file(file, err, sizeof(err))) == NULL) {
		usage_err("%s", err);
		return (NULL);
	}
	if ((o = parse_object(text, err, sizeof(err))) == NULL) {
		usage_err("%s: %s", file, err);
	}
	free(text);
	return (o);
}

static int
show_created(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	char st[256];

	cli_state_text(cli_str(r, "state"), st, sizeof(st));
	printf("created case #%s: %s\n  %s, version %s\n", cli_str(r, "id"),
	    cli_str(r, "title"), st, cli_str(r, "version"));
	return (CLI_OK);
}

static int
cmd_create(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;

	if ((args = case_args(a, 0, "create")) == NULL) {
		return (CLI_EUSAGE);
	}
	return (call_and_show(cl, cmd, a, "case.create", args, show_created));
}

static int
show_updated(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	printf("updated case #%s, version %s\n", cli_str(r, "id"),
	    cli_str(r, "version"));
	return (CLI_OK);
}

static int
cmd_update(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	long long    id;
	int          rv;

	if ((rv = parse_case_id(a->pos[0], &id)) != 0) {
		return (rv);
	}
	if ((args = case_args(a, 1, "update")) == NULL) {
		return (CLI_EUSAGE);
	}
	json_object_object_add(args, "id", json_object_new_int64(id));
	if ((rv = set_opt_pos_int(args, a, "--version",
	         "a positive integer")) != 0) {
		json_object_put(args);
		return (rv);
	}
	return (call_and_show(cl, cmd, a, "case.update", args, show_updated));
}

/* ---------------------------------------------------------------------- */
/* Commands: council review.                                               */

/*
 * Parses a mark as people type it: "25", "7.5", or "7,5" (the decimal
 * comma of Vietnamese).  Returns 0 and the value, or -1.
 */
static int
parse_mark(const char *s, double *out)
{
	char   buf[64];
	char  *end;
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(buf) || isspace((unsigned char) s[0])) {
		return (-1);
	}
	memcpy(buf, s, n + 1);
	for (char *p = buf; *p != '\0'; p++) {
		if (*p == ',') {
			*p = '.';
		}
	}
	errno = 0;
	*out  = strtod(buf, &end);
	/* Digits only: strtod would also take "inf", "nan" and hex. */
	if (errno != 0 || end == buf || *end != '\0' || !isfinite(*out) ||
	    strspn(buf, "+-0123456789.") != n) {
		return (-1);
	}
	return (0);
}

/*
 * The marks of `score`: each CRITERION=NUMBER word after the case ID, as
 * {criterion: number} in *out.  Returns 0, or CLI_EUSAGE after naming the
 * word that is wrong.  Which criteria there are, and their ranges, is the
 * pinned rubric's business: the server checks them.
 */
static int
score_marks(const struct args *a, json_object **out)
{
	json_object *marks = json_object_new_object();

	*out = NULL;
	for (int i = 1; i < a->npos; i++) {
		const char *w  = a->pos[i];
		const char *eq = strchr(w, '=');
		char        key[128];
		double      v;

		if (eq == NULL || eq == w ||
		    (size_t) (eq - w) >= sizeof(key)) {
			json_object_put(marks);
			return (usage_err("a mark is CRITERION=NUMBER, for "
			                  "example novelty=25; not '%s'",
			    w));
		}
		snprintf(key, sizeof(key), "%.*s", (int) (eq - w), w);
		if (parse_mark(eq + 1, &v) != 0) {
			json_object_put(marks);
			return (usage_err("the mark of '%s' must be a number "
			                  "(25, 7.5 or 7,5), not '%s'",
			    key, eq + 1));
		}
		if (json_object_object_get_ex(marks, key, NULL)) {
			json_object_put(marks);
			return (
			    usage_err("'%s' is marked twice ('%s')", key, w));
		}
		json_object_object_add(marks, key,
		    v == (double) (long long) v
		        ? json_object_new_int64((long long) v)
		        : json_object_new_double(v));
	}
	*out = marks;
	return (0);
}

static int
show_ballot(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	json_object *marks = jobject(r, "marks");
	char         buf[1024];

	printf("case #%s: ballot of %s (%s) for the %s\n", cli_str(r, "case"),
	    cli_str(r, "member") != NULL ? cli_str(r, "member") : "?",
	    cli_str(r, "role") != NULL ? cli_str(r, "role") : "?",
	    stage_text(cli_str(r, "stage")));
	json_object_object_foreach(marks, key, val)
	{
		render_number(val, buf, sizeof(buf));
		card_line(key, buf);
	}
	card_line("total", jnum_text(r, "total", buf, sizeof(buf)));
	if (cli_str(r, "comment") != NULL) {
		card_line("comment", cli_str(r, "comment"));
	}
	printf("The ballot stays secret until the chair decides; scoring "
	       "again replaces it.\n");
	return (CLI_OK);
}

static int
cmd_score(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	json_object *marks;
	long long    id;
	int          rv;

	if ((rv = parse_case_id(a->pos[0], &id)) != 0 ||
	    (rv = score_marks(a, &marks)) != 0) {
		return (rv);
	}
	args = cli_case_args(id);
	json_object_object_add(args, "marks", marks);
	set_opt_string(args, a, "--comment");
	return (call_and_show(cl, cmd, a, "case.score", args, show_ballot));
}

static int
show_decided(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	char st[256];

	cli_state_text(cli_str(r, "state"), st, sizeof(st));
	printf("case #%s: decided, now %s, version %s\n", cli_str(r, "id"),
	    st, cli_str(r, "version"));
	if (jobject(r, "decision") != NULL) {
		print_decision(jobject(r, "decision"));
	}
	return (CLI_OK);
}

/*
 * Says why the council cannot decide yet (a `pending` reply): the rubric's
 * reasons and how many have scored, on stderr like every error.
 */
static void
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

static int
cmd_decide(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	json_object *reply;
	const char  *code;
	long long    id;
	int          rv;

	if ((rv = parse_case_id(a->pos[0], &id)) != 0) {
		return (rv);
	}
	args = cli_case_args(id);
	set_opt_string(args, a, "--note");
	rv = cli_request(cl->c, "case.decide", args, cl->o.request_id, &reply);
	json_object_put(args);
	if (rv == CLI_EREPLY) {
		code = cli_error_code(reply);
		if (code != NULL && strcmp(code, "pending") == 0) {
			print_pending(reply);
		} else {
			cli_print_error(reply);
		}
	} else if (rv == CLI_OK && cl->o.json) {
		cli_print_json(cli_result(reply), 0);
	} else if (rv == CLI_OK) {
		rv = show_decided(cl, cmd, a, cli_result(reply));
	}
	json_object_put(reply);
	return (rv);
}

/* ---------------------------------------------------------------------- */
/* Commands: events.                                                       */

/* Prints one event as "seq type json" (or the JSON alone with --json). */
static void
watch_print(struct cli *cl, json_object *ev)
{
	const char *text = proto_json_text(ev, NULL);

	if (cl->o.json) {
		printf("%s\n", text);
	} else {
		printf("%lld %s %s\n", jint(ev, "seq", 0),
		    cli_str(ev, "type") != NULL ? cli_str(ev, "type") : "?",
		    text);
	}
	fflush(stdout);
}

/*
 * Prints the events of one page of events.since that come after *last and
 * before upto (0: no bound), while *left (-1: no limit) lasts.
 */
static void
watch_print_page(struct cli *cl, json_object *items, long long upto,
    long long *last, long long *left)
{
	for (size_t i = 0; i < jlen(items); i++) {
		json_object *ev  = json_object_array_get_idx(items, i);
		long long    seq = jint(ev, "seq", 0);

		if (seq <= *last || (upto != 0 && seq >= upto)) {
			continue;
		}
		watch_print(cl, ev);
		*last = seq;
		if (*left > 0 && --*left == 0) {
			break;
		}
	}
}

/*
 * Prints the history from seq from up to, but not including, upto (0: to
 * its end) with events.since, skipping what was already printed (*last).
 * *left counts down the events still wanted (-1: no limit).
 */
static int
watch_fetch(struct cli *cl, long long from, long long upto, long long *last,
    long long *left)
{
	while (*left != 0 && (upto == 0 || from < upto)) {
		json_object *args = json_object_new_object();
		json_object *reply;
		json_object *items;
		long long    limit = CLI_PAGE_EVENTS;
		long long    next;
		int          rv;

		if (upto != 0 && upto - from < limit) {
			limit = upto - from;
		}
		json_object_object_add(
		    args, "seq", json_object_new_int64(from));
		json_object_object_add(
		    args, "limit", json_object_new_int64(limit));
		rv = cli_call(cl->c, "events.since", args, NULL, &reply);
		json_object_put(args);
		if (rv != CLI_OK) {
			return (rv);
		}
		items = jarray(cli_result(reply), "items");
		if (jlen(items) == 0) {
			json_object_put(reply);
			break;
		}
		watch_print_page(cl, items, upto, last, left);
		next = jint(cli_result(reply), "next_seq", *last + 1);
		json_object_put(reply);
		from = next > from ? next : *last + 1;
	}
	return (CLI_OK);
}

/* Opens a sub0 socket dialed to the events URL, subscribed to all. */
static int
watch_open(struct cli *cl, nng_socket *sub)
{
	int rv;

	if ((rv = nng_sub0_open(sub)) != 0) {
		fprintf(stderr, "sangkien: cannot open a sub0 socket: %s\n",
		    nng_strerror(rv));
		return (CLI_ETRANSPORT);
	}
	if ((rv = nng_socket_set(*sub, NNG_OPT_SUB_SUBSCRIBE, "", 0)) != 0 ||
	    (rv = nng_socket_set_size(*sub, NNG_OPT_RECVMAXSZ, 0)) != 0) {
		fprintf(stderr, "sangkien: cannot subscribe: %s\n",
		    nng_strerror(rv));
		nng_close(*sub);
		return (CLI_ETRANSPORT);
	}
	if ((rv = nng_dial(*sub, cl->o.events, NULL, 0)) != 0) {
		fprintf(stderr,
		    "sangkien: cannot reach the event stream at %s: %s (is "
		    "sangkiend running?)\n",
		    cl->o.events, nng_strerror(rv));
		nng_close(*sub);
		return (CLI_ETRANSPORT);
	}
	return (CLI_OK);
}

/*
 * Prints the history from seq from on, or with from 0 nothing but notes
 * the last seq there is: either way *last is then the last seq seen.
 */
static int
watch_catch_up(struct cli *cl, long long from, long long *last,
    long long *left)
{
	json_object *reply;
	int          rv;

	if (from > 0) {
		if ((rv = watch_fetch(cl, from, 0, last, left)) != CLI_OK) {
			return (rv);
		}
		if (*last < from - 1) {
			*last = from - 1;
		}
		return (CLI_OK);
	}
	if ((rv = cli_call(cl->c, "server.status", NULL, NULL, &reply)) !=
	    CLI_OK) {
		return (rv);
	}
	*last = jint(cli_result(reply), "last_seq", 0);
	json_object_put(reply);
	return (CLI_OK);
}

/*
 * Receives one published event and prints it, after fetching from the
 * history those that PUB/SUB dropped before it.  Returns CLI_OK, or
 * CLI_ETRANSPORT when the stream fails.
 */
static int
watch_receive(struct cli *cl, nng_socket sub, long long *last, long long *left)
{
	nng_msg     *msg;
	json_object *ev;
	char        *text;
	char        *sp;
	char         err[512];
	long long    seq;
	int          rv;

	if ((rv = nng_recvmsg(sub, &msg, 0)) != 0) {
		fprintf(stderr, "sangkien: event stream: %s\n",
		    nng_strerror(rv));
		return (CLI_ETRANSPORT);
	}
	text = strndup(nng_msg_body(msg), nng_msg_len(msg));
	nng_msg_free(msg);
	if (text == NULL) {
		return (CLI_OK);
	}
	/* "TYPE JSON": the type, one space, the event. */
	if ((sp = strchr(text, ' ')) == NULL ||
	    (ev = parse_object(sp + 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "sangkien: skipped a malformed event: %.60s\n",
		    text);
		free(text);
		return (CLI_OK);
	}
	free(text);
	seq = jint(ev, "seq", 0);
	if (seq > *last + 1 &&
	    watch_fetch(cl, *last + 1, seq, last, left) != CLI_OK) {
		fprintf(stderr,
		    "sangkien: events %lld to %lld were missed and could "
		    "not be fetched\n",
		    *last + 1, seq - 1);
	}
	if (seq > *last && *left != 0) {
		watch_print(cl, ev);
		*last = seq;
		if (*left > 0) {
			(*left)--;
		}
	}
	json_object_put(ev);
	return (CLI_OK);
}

static int
cmd_watch(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	nng_socket sub;
	long long  from = 0;
	long long  left = -1;
	long long  last = 0;
	int        rv;

	if (cl->o.events == NULL) {
		return (usage_err("cannot tell the events URL from --server "
		                  "%s; give --events URL",
		    cl->o.server));
	}
	if ((rv = opt_pos_int(a, "--from", "a positive seq", &from)) != 0 ||
	    (rv = opt_pos_int(a, "--count", "a positive number", &left)) !=
	        0) {
		return (rv);
	}
	/*
	 * Subscribe first, then read the history: whatever is published in
	 * between arrives on the socket, and what was already printed is
	 * skipped by its seq.
	 */
	if ((rv = watch_open(cl, &sub)) != CLI_OK) {
		return (rv);
	}
	rv = watch_catch_up(cl, from, &last, &left);
	if (rv == CLI_OK && left != 0) {
		fprintf(stderr, "watching %s after seq %lld\n", cl->o.events,
		    last);
	}
	while (rv == CLI_OK && left != 0) {
		rv = watch_receive(cl, sub, &last, &left);
	}
	nng_close(sub);
	return (rv);
}

/* ---------------------------------------------------------------------- */
/* Commands: any op.                                                       */

static int
cmd_call(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	char         err[512];

	if (a->npos < 2) {
		args = json_object_new_object();
	} else if ((args = parse_object(a->pos[1], err, sizeof(err))) ==
	    NULL) {
		return (usage_err(
		    "the args of 'call %s': %s", a->pos[0], err));
	}
	/* Our own request id would have server.backup sent again after a
	 * lost connection, into the directory the first attempt made. */
	if (strcmp(a->pos[0], "server.backup") == 0 &&
	    cl->o.request_id == cl->o.own_request_id) {
		cl->o.request_id = NULL;
	}
	return (call_and_show(cl, cmd, a, a->pos[0], args, show_pretty));
}

static int
show_whoami(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	json_object *councils = jarray(r, "councils");
	char         buf[4096];

	card_line("id", cli_str(r, "id"));
	card_line("name", cli_str(r, "name"));
	card_line("unit", cli_str(r, "unit"));
	render_value(jarray(r, "roles"), buf, sizeof(buf));
	card_line("roles", buf);
	if (jlen(councils) == 0) {
		card_line("councils", "-");
	}
	for (size_t i = 0; i < jlen(councils); i++) {
		json_object *co = json_object_array_get_idx(councils, i);

		snprintf(buf, sizeof(buf), "%s (%s, %s scope)",
		    cli_str(co, "id"), cli_str(co, "role"),
		    cli_str(co, "scope"));
		card_line(i == 0 ? "councils" : "", buf);
	}
	card_line("local",
	    jbool(r, "local")
	        ? "yes (no token, over ipc:// as the server's user)"
	        : "no");
	return (CLI_OK);
}

static int
cmd_whoami(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_and_show(cl, cmd, a, "auth.whoami", NULL, show_whoami));
}

/* ---------------------------------------------------------------------- */
/* Commands: units, users, councils, rubrics.                              */

/* "unit get ID", "user get ID", "council get ID". */
static int
cmd_get(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	char op[64];

	snprintf(op, sizeof(op), "%s.get", cmd->name);
	return (call_and_show(
	    cl, cmd, a, op, object_id_args(a->pos[0]), show_card));
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

/* Shows the items of a list as a table, its columns as list_columns say. */
static int
show_list(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	const char *const *cols  = list_columns[CLI_NLISTS - 1].cols;
	json_object       *items = jarray(r, "items");
	struct cli_table  *t;
	char               heads[8][32];
	const char        *hp[8];
	int                ncols;

	for (size_t k = 0; k < CLI_NLISTS; k++) {
		if (strcmp(list_columns[k].name, cmd->name) == 0) {
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

/* "unit list", "user list", ...: a table of the listed objects. */
static int
cmd_list(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	char op[64];

	snprintf(op, sizeof(op), "%s.list", cmd->name);
	return (call_and_show(cl, cmd, a, op, NULL, show_list));
}

/* The args of a put: --json, with the ID positional as "id". */
static json_object *
put_args(const struct args *a, const char *what)
{
	json_object *args;

	if ((args = args_from_json_opt(a, what)) == NULL) {
		return (NULL);
	}
	if (a->npos > 0) {
		json_object_object_add(
		    args, "id", json_object_new_string(a->pos[0]));
	} else if (!json_object_object_get_ex(args, "id", NULL)) {
		usage_err("'%s' needs an ID", what);
		json_object_put(args);
		return (NULL);
	}
	return (args);
}

/* Checks that a put without --json was given the options it needs. */
static int
put_require(const struct args *a, const char *what, const char *const *req)
{
	if (opt_get(a, "--json") != NULL) {
		return (0);
	}
	for (; *req != NULL; req++) {
		if (opt_get(a, *req) == NULL) {
			return (usage_err(
			    "'%s' needs %s (or --json '{...}')", what, *req));
		}
	}
	return (0);
}

static int
cmd_unit_put(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	static const char *req[] = { "--name", NULL };
	json_object       *args;
	int                rv;

	if ((rv = put_require(a, "unit put", req)) != 0) {
		return (rv);
	}
	if ((args = put_args(a, "unit put")) == NULL) {
		return (CLI_EUSAGE);
	}
	set_opt_string(args, a, "--name");
	set_opt_nullable(args, a, "--parent");
	set_opt_nullable(args, a, "--rubric");
	return (call_and_show(cl, cmd, a, "unit.put", args, show_card));
}

static int
cmd_user_put(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	static const char *req[] = { "--name", "--unit", "--roles", NULL };
	json_object       *args;
	int                rv;

	if ((rv = put_require(a, "user put", req)) != 0) {
		return (rv);
	}
	if ((args = put_args(a, "user put")) == NULL) {
		return (CLI_EUSAGE);
	}
	set_opt_string(args, a, "--name");
	set_opt_string(args, a, "--unit");
	set_opt_list(args, a, "--roles");
	return (call_and_show(cl, cmd, a, "user.put", args, show_card));
}

/*
 * Adds a council member, "USER:ROLE", to *members (made on first use).
 * Returns 0, or CLI_EUSAGE if m is not USER:ROLE.
 */
static int
council_member_add(json_object **members, const char *m)
{
	const char  *colon = strchr(m, ':');
	json_object *o;

	if (colon == NULL || colon == m || colon[1] == '\0') {
		return (usage_err("a member is USER:ROLE (chair, secretary or "
		                  "member), not '%s'",
		    m));
	}
	if (*members == NULL) {
		*members = json_object_new_array();
	}
	o = json_object_new_object();
	json_object_object_add(
	    o, "user", json_object_new_string_len(m, (int) (colon - m)));
	json_object_object_add(o, "role", json_object_new_string(colon + 1));
	json_object_array_add(*members, o);
	return (0);
}

/*
 * The members given to `council put`: each --member USER:ROLE, then each
 * USER:ROLE after the ID, in *members (NULL if none).  Returns 0 or
 * CLI_EUSAGE.
 */
static int
council_members(const struct args *a, json_object **members)
{
	int rv = 0;

	*members = NULL;
	for (int i = 0; i < a->nopt && rv == 0; i++) {
		if (strcmp(a->opt[i].name, "--member") == 0) {
			rv = council_member_add(members, a->opt[i].value);
		}
	}
	for (int i = 1; i < a->npos && rv == 0; i++) {
		rv = council_member_add(members, a->pos[i]);
	}
	if (rv != 0) {
		json_object_put(*members);
		*members = NULL;
	}
	return (rv);
}

static int
cmd_council_put(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	static const char *req[] = { "--name", "--scope", "--unit", NULL };
	json_object       *args;
	json_object       *members;
	const char        *v;
	int                rv;

	if ((rv = put_require(a, "council put", req)) != 0) {
		return (rv);
	}
	if ((v = opt_get(a, "--scope")) != NULL && strcmp(v, "unit") != 0 &&
	    strcmp(v, "province") != 0) {
		return (
		    usage_err("--scope is 'unit' or 'province', not '%s'", v));
	}
	if ((rv = council_members(a, &members)) != 0) {
		return (rv);
	}
	if ((args = put_args(a, "council put")) == NULL) {
		json_object_put(members);
		return (CLI_EUSAGE);
	}
	set_opt_string(args, a, "--name");
	set_opt_string(args, a, "--scope");
	set_opt_string(args, a, "--unit");
	set_opt_nullable(args, a, "--rubric");
	set_opt_list(args, a, "--fields");
	if (members != NULL) {
		json_object_object_add(args, "members", members);
	} else if (!json_object_object_get_ex(args, "members", NULL)) {
		json_object_object_add(
		    args, "members", json_object_new_array());
	}
	return (call_and_show(cl, cmd, a, "council.put", args, show_card));
}

static int
show_token(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	/* The token alone on stdout, so that $(sangkien token U) works. */
	printf("%s\n", cli_str(r, "token"));
	fflush(stdout);
	fprintf(stderr,
	    "This token for %s is shown only once: keep it now. A new one "
	    "replaces it.\n",
	    a->pos[0]);
	return (CLI_OK);
}

static int
cmd_token(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_and_show(
	    cl, cmd, a, "user.token", object_id_args(a->pos[0]), show_token));
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
static void
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

/* `rubric show`: the card; `rubric get`: the card and the source. */
static int
show_rubric(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	print_rubric_card(r);
	if (strcmp(cmd->sub, "get") == 0 && cli_str(r, "source") != NULL) {
		const char *src = cli_str(r, "source");
		size_t      len = strlen(src);

		printf("\nSource\n%s%s", src,
		    len > 0 && src[len - 1] != '\n' ? "\n" : "");
	}
	return (CLI_OK);
}

/* "rubric show ID [--hash H]", "rubric get ID [--hash H]". */
static int
cmd_rubric_get(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args = object_id_args(a->pos[0]);

	set_opt_string(args, a, "--hash");
	return (call_and_show(cl, cmd, a, "rubric.get", args, show_rubric));
}

/* Adds a rubric's source, read from path, to args as "source". */
static int
add_rubric_source(json_object *args, const char *path)
{
	char *src;
	char  err[512];

	if ((src = read_file(path, err, sizeof(err))) == NULL) {
		return (usage_err("%s", err));
	}
	json_object_object_add(args, "source", json_object_new_string(src));
	free(src);
	return (0);
}

static int
show_rubric_put(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	const char *hash = cli_str(r, "hash");

	if (jbool(r, "changed")) {
		printf("rubric %s: version %.12s stored; it is now current "
		       "(open reviews keep the version they pinned)\n\n",
		    cli_str(r, "id"), hash != NULL ? hash : "?");
	} else {
		printf("rubric %s: unchanged, version %.12s was already "
		       "current\n\n",
		    cli_str(r, "id"), hash != NULL ? hash : "?");
	}
	print_rubric_card(r);
	return (CLI_OK);
}

/*
 * The rubric id that `rubric put FILE` stores a file as: the file's name
 * without its directory and ".lua" (rubrics/province.lua is "province").
 */
static void
rubric_id_of(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t      n;

	base = base != NULL ? base + 1 : path;
	n    = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".lua") == 0) {
		n -= 4;
	}
	snprintf(out, len, "%.*s", (int) n, base);
}

/* "rubric put FILE [--id ID]", and the older "rubric put ID FILE". */
static int
cmd_rubric_put(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	const char  *opt_id = opt_get(a, "--id");
	const char  *file   = a->pos[a->npos - 1];
	char         id[256];
	json_object *args;
	int          rv;

	if (a->npos == 2 && opt_id != NULL) {
		return (usage_err("give the rubric's ID once: 'rubric put "
		                  "FILE --id ID' or 'rubric put ID FILE'"));
	}
	if (a->npos == 2) {
		snprintf(id, sizeof(id), "%s", a->pos[0]);
	} else if (opt_id != NULL) {
		snprintf(id, sizeof(id), "%s", opt_id);
	} else if (strcmp(file, "-") == 0) {
		return (usage_err("a rubric read from standard input needs "
		                  "--id ID"));
	} else {
		rubric_id_of(file, id, sizeof(id));
	}
	args = object_id_args(id);
	if ((rv = add_rubric_source(args, file)) != 0) {
		json_object_put(args);
		return (rv);
	}
	return (call_and_show(
	    cl, cmd, a, "rubric.put", args, show_rubric_put));
}

/* Prints what rubric.test found: check's problems, decide's verdict. */
static int
show_rubric_test(struct cli *cl, const struct cmd *cmd,
    const struct args *a, json_object *r)
{
	json_object *problems = jarray(r, "problems");
	json_object *verdict  = jobject(r, "decide");
	json_object *reasons  = jarray(verdict, "reasons");
	char         buf[4096];

	render_rubric_ref(jobject(r, "rubric"), buf, sizeof(buf));
	printf("rubric %s on case #%s, %s (nothing was changed)\n", buf,
	    opt_get(a, "--case"), stage_text(cli_str(r, "stage")));
	if (jlen(problems) == 0) {
		printf("\ncheck: complete, no problems\n");
	} else {
		printf("\ncheck: %zu problem%s\n", jlen(problems),
		    jlen(problems) == 1 ? "" : "s");
	}
	for (size_t i = 0; i < jlen(problems); i++) {
		render_value(
		    json_object_array_get_idx(problems, i), buf, sizeof(buf));
		printf("  - %s\n", buf);
	}
	if (verdict == NULL) {
		printf("\ndecide: nothing to say (no council for this "
		       "stage)\n");
		return (CLI_OK);
	}
	printf("\ndecide, on the ballots cast so far\n");
	card_line("verdict", cli_str(verdict, "verdict"));
	card_line("score", jnum_text(verdict, "score", buf, sizeof(buf)));
	if (jlen(reasons) == 0) {
		card_line("reasons", "-");
	}
	for (size_t i = 0; i < jlen(reasons); i++) {
		render_value(
		    json_object_array_get_idx(reasons, i), buf, sizeof(buf));
		card_line(i == 0 ? "reasons" : "", buf);
	}
	return (CLI_OK);
}

static int
cmd_rubric_test(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	const char  *cs = opt_get(a, "--case");
	long long    id;
	int          rv;

	if (cs == NULL) {
		return (usage_err("'rubric test' needs --case ID"));
	}
	if ((rv = parse_case_id(cs, &id)) != 0) {
		return (rv);
	}
	/* A readable file is a rubric's source; anything else its id. */
	if (access(a->pos[0], R_OK) == 0) {
		args = json_object_new_object();
		if ((rv = add_rubric_source(args, a->pos[0])) != 0) {
			json_object_put(args);
			return (rv);
		}
	} else {
		args = object_id_args(a->pos[0]);
	}
	json_object_object_add(args, "case", json_object_new_int64(id));
	return (call_and_show(
	    cl, cmd, a, "rubric.test", args, show_rubric_test));
}

static int
cmd_demo(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (cli_demo(cl->c, &cl->o));
}

static int cmd_help(struct cli *, const struct cmd *, const struct args *);

/* ---------------------------------------------------------------------- */
/* The command table.                                                      */

static const struct optspec no_opts[]    = { { NULL, 0 } };
static const struct optspec cases_opts[] = {
	{ "--state", 1 },
	{ "--unit", 1 },
	{ "--author", 1 },
	{ "--limit", 1 },
	{ "--after", 1 },
	{ "--overdue", 0 },
	{ "--all", 0 },
	{ NULL, 0 },
};
static const struct optspec watch_opts[] = {
	{ "--from", 1 },
	{ "--count", 1 },
	{ NULL, 0 },
};
static const struct optspec act_opts[] = {
	{ "--note", 1 },
	{ "--version", 1 },
	{ NULL, 0 },
};
static const struct optspec create_opts[] = {
	{ "--json", 1 },
	{ NULL, 0 },
};
static const struct optspec update_opts[] = {
	{ "--json", 1 },
	{ "--version", 1 },
	{ NULL, 0 },
};
static const struct optspec unit_put_opts[] = {
	{ "--name", 1 },
	{ "--parent", 1 },
	{ "--rubric", 1 },
	{ "--json", 1 },
	{ NULL, 0 },
};
static const struct optspec user_put_opts[] = {
	{ "--name", 1 },
	{ "--unit", 1 },
	{ "--roles", 1 },
	{ "--json", 1 },
	{ NULL, 0 },
};
static const struct optspec council_put_opts[] = {
	{ "--name", 1 },
	{ "--scope", 1 },
	{ "--unit", 1 },
	{ "--member", 1 },
	{ "--fields", 1 },
	{ "--rubric", 1 },
	{ "--json", 1 },
	{ NULL, 0 },
};
static const struct optspec rubric_test_opts[] = {
	{ "--case", 1 },
	{ NULL, 0 },
};
static const struct optspec rubric_get_opts[] = {
	{ "--hash", 1 },
	{ NULL, 0 },
};
static const struct optspec rubric_put_opts[] = {
	{ "--id", 1 },
	{ NULL, 0 },
};
static const struct optspec score_opts[] = {
	{ "--comment", 1 },
	{ NULL, 0 },
};
static const struct optspec decide_opts[] = {
	{ "--note", 1 },
	{ NULL, 0 },
};

/* ---------------------------------------------------------------------- */
/* Duplicates and the public search (case.similar, case.search).          */

static const struct optspec similar_opts[] = {
	{ "--text", 1 },
	{ "--limit", 1 },
	{ NULL, 0 },
};
static const struct optspec search_opts[] = {
	{ "--limit", 1 },
	{ "--after", 1 },
	{ NULL, 0 },
};

/* A similarity for people: three decimals. */
static const char *
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

static const char *
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
static int
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

/* Shows case.similar's items, most similar first. */
static int
show_similar_items(struct cli *cl, const struct cmd *cmd,
    const struct args *a, json_object *r)
{
	static const char *const heads[] = { "ID", "SIMILARITY", "STATE",
		"TITLE" };
	return (print_case_items(jarray(r, "items"), heads, 2,
	    similarity_cell, "no similar case (similarity 0.15 or more)"));
}

static int
cmd_similar(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	const char  *file = opt_get(a, "--text");
	json_object *args;
	long long    id;
	char         err[512];
	int          rv;

	if ((file != NULL) == (a->npos == 1)) {
		return (usage_err("'similar' takes a case ID or --text FILE "
		                  "(- for standard input), not %s",
		    file != NULL ? "both" : "neither"));
	}
	args = json_object_new_object();
	if (file != NULL) {
		char *text = read_file(file, err, sizeof(err));
		if (text == NULL) {
			json_object_put(args);
			return (usage_err("%s", err));
		}
		json_object_object_add(
		    args, "text", json_object_new_string(text));
		free(text);
	} else if ((rv = parse_case_id(a->pos[0], &id)) != 0) {
		json_object_put(args);
		return (rv);
	} else {
		json_object_object_add(args, "id", json_object_new_int64(id));
	}
	if ((rv = set_opt_pos_int(args, a, "--limit", "a positive integer")) !=
	    0) {
		json_object_put(args);
		return (rv);
	}
	return (call_and_show(cl, cmd, a, "case.similar", args,
	    show_similar_items));
}

/* Shows case.search's items, and how to get the next page. */
static int
show_search_items(struct cli *cl, const struct cmd *cmd,
    const struct args *a, json_object *r)
{
	static const char *const heads[] = { "ID", "STATE", "UNIT", "TITLE" };
	int rv = print_case_items(jarray(r, "items"), heads, 1, unit_cell,
	    "no recognized case has all these words");

	if (rv == CLI_OK && jlen(jarray(r, "items")) > 0 &&
	    cli_str(r, "next") != NULL) {
		fprintf(stderr, "(more: sangkien search ... --after %s)\n",
		    cli_str(r, "next"));
	}
	return (rv);
}

static int
cmd_search(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args = json_object_new_object();
	char        *q;
	size_t       len = 0;
	long long    after = 0;
	int          rv;

	for (int i = 0; i < a->npos; i++) {
		len += strlen(a->pos[i]) + 1;
	}
	if ((q = malloc(len + 1)) == NULL) {
		json_object_put(args);
		return (CLI_ETRANSPORT);
	}
	q[0] = '\0';
	for (int i = 0; i < a->npos; i++) {
		strcat(q, i > 0 ? " " : "");
		strcat(q, a->pos[i]);
	}
	json_object_object_add(args, "q", json_object_new_string(q));
	free(q);
	if ((rv = set_opt_pos_int(args, a, "--limit", "a positive integer")) !=
	        0 ||
	    (rv = opt_pos_int(a, "--after", "a case ID", &after)) != 0) {
		json_object_put(args);
		return (rv);
	}
	if (after > 0) {
		json_object_object_add(
		    args, "after", json_object_new_int64(after));
	}
	return (call_and_show(cl, cmd, a, "case.search", args,
	    show_search_items));
}

static const struct cmd cmds[] = {
	{ "status", NULL, cmd_status, no_opts, 0, 0, CMD_API, "status",
	    "Show the server's version, uptime and cases by state." },
	{ "verify", NULL, cmd_verify, no_opts, 0, 0, CMD_API | CMD_LONG,
	    "verify",
	    "Check the indexes and the history's hash chain (exit 1 if "
	    "bad)." },
	{ "backup", NULL, cmd_backup, no_opts, 1, 1, CMD_API | CMD_LONG,
	    "backup DIR",
	    "Write a hot, compacted copy of the database into a new DIR." },
	{ "cases", NULL, cmd_cases, cases_opts, 0, 0, CMD_API,
	    "cases [--state S] [--unit U] [--author USER] [--limit N]\n"
	    "        [--after ID] [--overdue] [--all]",
	    "List the cases you may see (--all follows every page)." },
	{ "show", NULL, cmd_show, no_opts, 1, 1, CMD_API, "show ID",
	    "Show a case's card and its timeline." },
	{ "history", NULL, cmd_history, no_opts, 1, 1, CMD_API, "history ID",
	    "List a case's events, oldest first." },
	{ "create", NULL, cmd_create, create_opts, 0, 1, CMD_API | CMD_WRITE,
	    "create (FILE.json | - | --json '{...}')",
	    "File a new case (the JSON holds case.create's args)." },
	{ "update", NULL, cmd_update, update_opts, 1, 2, CMD_API | CMD_WRITE,
	    "update ID (FILE.json | --json '{...}') [--version N]",
	    "Change a draft or returned case." },
	{ "act", NULL, cmd_act, act_opts, 2, 2, CMD_API | CMD_WRITE,
	    "act ID ACTION [--note TEXT] [--version N]",
	    "Submit, accept, return, withdraw, nominate, reopen or revoke." },
	{ "score", NULL, cmd_score, score_opts, 2, -1, CMD_API | CMD_WRITE,
	    "score ID CRITERION=N... [--comment TEXT]",
	    "Cast (or replace) your ballot, e.g. novelty=25 benefit=30.5." },
	{ "decide", NULL, cmd_decide, decide_opts, 1, 1, CMD_API | CMD_WRITE,
	    "decide ID [--note TEXT]",
	    "Close the review with the rubric's verdict (chair; exit 1 if "
	    "pending)." },
	{ "watch", NULL, cmd_watch, watch_opts, 0, 0, CMD_API,
	    "watch [--from SEQ] [--count N]",
	    "Print events as they happen, one 'seq type json' a line." },
	{ "call", NULL, cmd_call, no_opts, 1, 2, CMD_API | CMD_WRITE,
	    "call OP [JSON]",
	    "Send any op with JSON args (default {}); print its result." },
	{ "whoami", NULL, cmd_whoami, no_opts, 0, 0, CMD_API, "whoami",
	    "Show who the server takes you for." },
	{ "unit", "put", cmd_unit_put, unit_put_opts, 0, 1,
	    CMD_API | CMD_WRITE,
	    "unit put ID --name NAME [--parent P] [--rubric R]",
	    "Create or change a unit (or give its args with --json)." },
	{ "unit", "list", cmd_list, no_opts, 0, 0, CMD_API, "unit list",
	    "List the units." },
	{ "unit", "get", cmd_get, no_opts, 1, 1, CMD_API, "unit get ID",
	    "Show a unit." },
	{ "user", "put", cmd_user_put, user_put_opts, 0, 1,
	    CMD_API | CMD_WRITE,
	    "user put ID --name NAME --unit U --roles R1,R2",
	    "Create or change a user; roles: author, admin, viewer, or "
	    "\"\"." },
	{ "user", "list", cmd_list, no_opts, 0, 0, CMD_API, "user list",
	    "List the users." },
	{ "user", "get", cmd_get, no_opts, 1, 1, CMD_API, "user get ID",
	    "Show a user." },
	{ "council", "put", cmd_council_put, council_put_opts, 0, -1,
	    CMD_API | CMD_WRITE,
	    "council put ID --name NAME --scope unit|province --unit U\n"
	    "        --member USER:ROLE... [--fields A,B] [--rubric R]",
	    "Create or change a council; roles: chair, secretary, member." },
	{ "council", "list", cmd_list, no_opts, 0, 0, CMD_API, "council list",
	    "List the councils." },
	{ "council", "get", cmd_get, no_opts, 1, 1, CMD_API, "council get ID",
	    "Show a council." },
	{ "rubric", "list", cmd_list, no_opts, 0, 0, CMD_API, "rubric list",
	    "List the scoring rubrics." },
	{ "rubric", "show", cmd_rubric_get, rubric_get_opts, 1, 1, CMD_API,
	    "rubric show ID [--hash H]",
	    "Show a rubric's criteria, their guides, its hash (a version)." },
	{ "rubric", "get", cmd_rubric_get, rubric_get_opts, 1, 1, CMD_API,
	    "rubric get ID [--hash H]",
	    "Like 'rubric show', with the Lua source." },
	{ "rubric", "put", cmd_rubric_put, rubric_put_opts, 1, 2,
	    CMD_API | CMD_WRITE, "rubric put FILE.lua [--id ID]",
	    "Load a new version of a rubric (ID: the file's name without "
	    ".lua)." },
	{ "rubric", "test", cmd_rubric_test, rubric_test_opts, 1, 1, CMD_API,
	    "rubric test (ID | FILE.lua) --case ID",
	    "Say what a rubric's check and decide would say of a case now." },
	{ "token", NULL, cmd_token, no_opts, 1, 1, CMD_API | CMD_WRITE,
	    "token USER",
	    "Make a new token for USER (shown once; the old one stops)." },
	{ "demo", NULL, cmd_demo, no_opts, 0, 0, CMD_API, "demo",
	    "Build a sample province (Lạng Sơn): cases in every state." },
	{ "similar", NULL, cmd_similar, similar_opts, 0, 1, CMD_API,
	    "similar (ID | --text FILE) [--limit N]",
	    "List the cases most like a case or a text (duplicates)." },
	{ "search", NULL, cmd_search, search_opts, 1, -1, CMD_API,
	    "search WORDS... [--limit N] [--after ID]",
	    "Find recognized cases with all these words, accents or not." },
	{ "help", NULL, cmd_help, no_opts, 0, -1, 0, "help",
	    "Show this text." },
};
#define CLI_NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
print_usage(FILE *f)
{
	fprintf(f,
	    "usage: sangkien [--server URL] [--token T] [--json] "
	    "[--timeout SECONDS]\n"
	    "                [--data DIR] [--events URL] [--request-id ID]\n"
	    "                COMMAND [ARGS]\n"
	    "\n"
	    "Options, before or after the command:\n"
	    "  --server URL       the API; default $SANGKIEN_SERVER, else\n"
	    "                     %s\n"
	    "  --data DIR         short for --server ipc://DIR/api.ipc and\n"
	    "                     --events ipc://DIR/events.ipc\n"
	    "  --events URL       the event stream; default: events.ipc "
	    "next to an\n"
	    "                     ipc:// server's api.ipc\n"
	    "  --token T          who you are; default $SANGKIEN_TOKEN, "
	    "else none\n"
	    "                     (local-admin, over ipc:// as the "
	    "server's user)\n"
	    "  --json             print results as one line of JSON, for "
	    "programs\n"
	    "  --timeout SECONDS  wait at most this long for each reply "
	    "(default %d;\n"
	    "                     an hour for verify and backup)\n"
	    "  --request-id ID    a changing command repeated with the "
	    "same ID is done\n"
	    "                     once and gets the first reply again "
	    "(without it, a\n"
	    "                     random ID: a write whose connection is "
	    "lost is sent\n"
	    "                     again until --timeout, and done once)\n"
	    "\n"
	    "Commands:\n",
	    CLI_DEFAULT_SERVER, CLI_DEFAULT_TIMEOUT_MS / 1000);
	for (size_t i = 0; i < CLI_NCMDS; i++) {
		fprintf(f, "  %s\n      %s\n", cmds[i].synopsis, cmds[i].help);
	}
	fprintf(f,
	    "\nExit status: 0 done; 1 the server said no (or verify found "
	    "a problem);\n2 bad usage, nothing sent; 3 the server could not "
	    "be reached.\n");
}

static int
cmd_help(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	print_usage(stdout);
	return (CLI_OK);
}

/*
 * Sets cl->o.server (and cl->o.events when --data gives it) from --server,
 * --data, $SANGKIEN_SERVER or the default.  Returns 0 or an exit code.
 */
static int
resolve_server(struct cli *cl)
{
	const char *env;

	if (cl->server != NULL && cl->data != NULL) {
		return (usage_err("give --server or --data, not both"));
	}
	if (cl->data != NULL) {
		if (asprintf(&cl->alloc_server, "ipc://%s/api.ipc", cl->data) <
		        0 ||
		    asprintf(&cl->alloc_events, "ipc://%s/events.ipc",
		        cl->data) < 0) {
			return (CLI_ETRANSPORT);
		}
		cl->o.server = cl->alloc_server;
		if (cl->o.events == NULL) {
			cl->o.events = cl->alloc_events;
		}
	} else if (cl->server != NULL) {
		cl->o.server = cl->server;
	} else if ((env = getenv("SANGKIEN_SERVER")) != NULL && *env != '\0') {
		cl->o.server = env;
	} else {
		cl->o.server = CLI_DEFAULT_SERVER;
	}
	return (0);
}

/* Sets cl->o.events, if still unknown, next to an ipc://DIR/api.ipc. */
static int
resolve_events(struct cli *cl)
{
	size_t n = strlen(cl->o.server);

	if (cl->o.events == NULL && strncmp(cl->o.server, "ipc://", 6) == 0 &&
	    n >= 7 && strcmp(cl->o.server + n - 7, "api.ipc") == 0) {
		if (asprintf(&cl->alloc_events, "%.*sevents.ipc",
		        (int) (n - 7), cl->o.server) < 0) {
			return (CLI_ETRANSPORT);
		}
		cl->o.events = cl->alloc_events;
	}
	return (0);
}

/* Sets cl->o.timeout_ms from --timeout SECONDS, or the default. */
static int
resolve_timeout(struct cli *cl)
{
	char  *end;
	double s;

	cl->o.timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
	if (cl->timeout == NULL) {
		return (0);
	}
	s = strtod(cl->timeout, &end);
	if (end == cl->timeout || *end != '\0' || !(s > 0) || s > 86400) {
		return (usage_err(
		    "--timeout takes seconds (> 0), not '%s'", cl->timeout));
	}
	cl->o.timeout_ms = (int) (s * 1000 + 0.5);
	if (cl->o.timeout_ms == 0) {
		cl->o.timeout_ms = 1;
	}
	return (0);
}

/* Turns the raw global options and the environment into cl->o. */
static int
cli_resolve(struct cli *cl)
{
	const char *env;
	int         rv;

	if ((rv = resolve_server(cl)) != 0 || (rv = resolve_events(cl)) != 0) {
		return (rv);
	}
	if (cl->o.token == NULL && (env = getenv("SANGKIEN_TOKEN")) != NULL &&
	    *env != '\0') {
		cl->o.token = env;
	}
	if (cl->o.token != NULL && cl->o.token[0] == '\0') {
		cl->o.token = NULL;
	}
	if ((rv = resolve_timeout(cl)) != 0) {
		return (rv);
	}
	if (cl->o.request_id != NULL && strlen(cl->o.request_id) > 64) {
		return (usage_err("--request-id is at most 64 bytes"));
	}
	/* A changing command always carries a request id: if the connection
	 * is lost before the reply (the server restarted), the client sends
	 * the write again with it, and the server cannot apply it twice. */
	unsigned char raw[16];
	if (cl->o.request_id == NULL &&
	    getrandom(raw, sizeof(raw), 0) == (ssize_t) sizeof(raw)) {
		char *p = cl->o.own_request_id;
		p += sprintf(p, "cli-");
		for (size_t i = 0; i < sizeof(raw); i++) {
			p += sprintf(p, "%02x", raw[i]);
		}
		cl->o.request_id = cl->o.own_request_id;
	}
	return (0);
}

/* Finds the command named at argv[*i] (and its sub-command), or reports. */
static const struct cmd *
find_cmd(int argc, char **argv, int *i)
{
	const char *name  = argv[*i];
	int         known = 0;

	for (size_t k = 0; k < CLI_NCMDS; k++) {
		if (strcmp(cmds[k].name, name) != 0) {
			continue;
		}
		known = 1;
		if (cmds[k].sub == NULL) {
			(*i)++;
			return (&cmds[k]);
		}
		if (*i + 1 < argc && strcmp(cmds[k].sub, argv[*i + 1]) == 0) {
			*i += 2;
			return (&cmds[k]);
		}
	}
	if (known) {
		char   subs[256] = "";
		size_t n         = 0;

		for (size_t k = 0; k < CLI_NCMDS; k++) {
			if (strcmp(cmds[k].name, name) == 0 &&
			    n < sizeof(subs)) {
				n += (size_t) snprintf(subs + n,
				    sizeof(subs) - n, "%s%s",
				    n > 0 ? ", " : "", cmds[k].sub);
			}
		}
		if (*i + 1 < argc) {
			usage_err("unknown '%s' command '%s' (one of: %s)",
			    name, argv[*i + 1], subs);
		} else {
			usage_err(
			    "'%s' needs a command (one of: %s)", name, subs);
		}
	} else {
		usage_err("unknown command '%s'", name);
	}
	return (NULL);
}

/*
 * Applies the global options given before the command, leaving *i at the
 * command.  Returns -1 to go on, or an exit code (CLI_OK after --help).
 */
static int
parse_leading_options(struct cli *cl, int argc, char **argv, int *i)
{
	for (*i = 1; *i < argc && strncmp(argv[*i], "--", 2) == 0; (*i)++) {
		const struct optspec *o = find_opt(global_opts, argv[*i]);
		const char           *value;
		int                   rv;

		if (o == NULL) {
			return (usage_err("unknown option '%.*s'",
			    (int) strcspn(argv[*i], "="), argv[*i]));
		}
		if (strcmp(o->name, "--help") == 0) {
			print_usage(stdout);
			return (CLI_OK);
		}
		if ((rv = opt_value(o, argc, argv, i, &value)) != 0) {
			return (rv);
		}
		set_global(cl, o->name, value);
	}
	if (*i == argc) {
		fprintf(stderr, "sangkien: no command given\n\n");
		print_usage(stderr);
		return (CLI_EUSAGE);
	}
	if (strcmp(argv[*i], "-h") == 0) {
		print_usage(stdout);
		return (CLI_OK);
	}
	return (-1);
}

/*
 * Finds the command and parses its arguments into *a.  Returns -1 to go
 * on with *cmd, or an exit code (CLI_OK after --help).
 */
static int
parse_command(struct cli *cl, int argc, char **argv, int i,
    const struct cmd **cmd, struct args *a)
{
	char what[64];
	int  help = 0;
	int  rv;

	if ((*cmd = find_cmd(argc, argv, &i)) == NULL) {
		return (CLI_EUSAGE);
	}
	snprintf(what, sizeof(what), "%s%s%s", (*cmd)->name,
	    (*cmd)->sub != NULL ? " " : "",
	    (*cmd)->sub != NULL ? (*cmd)->sub : "");
	if ((rv = parse_args(cl, what, (*cmd)->opts, argc, argv, i, a,
	         &help)) != 0) {
		return (rv);
	}
	if (help) {
		print_usage(stdout);
		return (CLI_OK);
	}
	if (a->npos < (*cmd)->minpos ||
	    ((*cmd)->maxpos >= 0 && a->npos > (*cmd)->maxpos)) {
		return (usage_err("wrong number of arguments for '%s'; "
		                  "usage: sangkien %s",
		    what, (*cmd)->synopsis));
	}
	return (-1);
}

int
main(int argc, char **argv)
{
	struct cli        cl;
	struct args       a;
	const struct cmd *cmd;
	char              err[512];
	int               i;
	int               rv;

	memset(&cl, 0, sizeof(cl));
	if ((rv = parse_leading_options(&cl, argc, argv, &i)) >= 0 ||
	    (rv = parse_command(&cl, argc, argv, i, &cmd, &a)) >= 0) {
		return (rv);
	}
	if ((rv = cli_resolve(&cl)) != 0) {
		return (rv);
	}
	if ((cmd->flags & CMD_LONG) != 0 && cl.timeout == NULL) {
		cl.o.timeout_ms = CLI_LONG_TIMEOUT_MS;
	}
	if ((cmd->flags & CMD_API) != 0 &&
	    sk_client_open(&cl.c, cl.o.server, cl.o.token, cl.o.timeout_ms,
	        err, sizeof(err)) != 0) {
		fprintf(stderr, "sangkien: %s\n", err);
		rv = CLI_ETRANSPORT;
	} else {
		rv = cmd->fn(&cl, cmd, &a);
	}
	sk_client_close(cl.c);
	free(cl.alloc_server);
	free(cl.alloc_events);
	/* Ends nng's threads, so that leak checkers see a clean exit. */
	nng_fini();
	return (rv);
}
