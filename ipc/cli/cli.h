/*
 * cli.h: the private header of the sangkien CLI (ipc/cli/), shared by its
 * files and by nothing else: the global options and exit codes, the command
 * line as parsed (struct args) and the command table's row (struct cmd),
 * and what each file offers the others.  The files form layers, each using
 * only those below it, never one above or beside it:
 *
 *     main.c                     flags, connection, the command table
 *     server.c cases.c review.c  the commands, by family
 *     admin.c rubrics.c demo.c
 *     docs.c notices.c
 *     call.c                     calling the server, showing a result
 *     args.c                     a command's options and files
 *     cards.c                    cases, events, ballots, rubrics, lists
 *     render.c                   tables, cards, Vietnamese words, errors
 *
 * The CLI uses only the client library (ipc/client.h), the protocol's JSON
 * helpers (ipc/proto.h) and the workflow's tables (pure data), as nng's
 * nngcat uses only nng's public API.
 *
 * Ownership: a reply returned by cli_request is the caller's
 * (json_object_put); results taken from it are borrowed from it.
 */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <stdio.h>

#include <json-c/json.h>

#include "ipc/client.h"

/*
 * Exit codes, what a script calling the CLI can rely on: done; the server
 * answered with an error (or verify found a problem); the command line is
 * wrong and nothing was sent; the server could not be reached or answered
 * something that is not a reply.
 */
enum cli_exit {
	CLI_OK         = 0,
	CLI_EREPLY     = 1,
	CLI_EUSAGE     = 2,
	CLI_ETRANSPORT = 3,
};

/* The global options, after defaults and environment are applied. */
struct cli_opts {
	const char *server;     /* the API URL */
	const char *events;     /* the events URL, or NULL if unknown */
	const char *token;      /* NULL: none (local-admin over ipc://) */
	const char *request_id; /* --request-id, or one of our own */
	char        own_request_id[40]; /* "cli-" and 32 random hex digits */
	int         json;       /* print raw results, for programs */
	int         timeout_ms; /* bound on each call */
};

/* The global options after defaults and the environment, and the server. */
struct cli {
	struct cli_opts   o;
	struct sk_client *c;
	/* Raw global options, resolved into o by main.c. */
	const char *server;
	const char *data;
	const char *timeout;
	char       *alloc_server;
	char       *alloc_events;
};

#define CLI_ARGS_MAX 128

/* An option a command takes: "--name", and whether a value follows it. */
struct optspec {
	const char *name;
	int         value;
};

/* A command's words after its name: positionals and its own options. */
struct args {
	int         npos;
	const char *pos[CLI_ARGS_MAX];
	int         nopt;
	struct {
		const char *name;
		const char *value; /* "" for flags */
	} opt[CLI_ARGS_MAX];
};

struct cmd;
typedef int (*cmd_fn)(struct cli *, const struct cmd *, const struct args *);

/* What a command needs and does, as flags of its row in main.c's cmds[]. */
enum cmd_flags {
	CMD_API   = 1u << 0, /* needs the API socket */
	CMD_WRITE = 1u << 1, /* changes something: --request-id goes along */
	CMD_LONG  = 1u << 2, /* may take minutes: waits an hour for its
	                      * reply unless --timeout says */
};

/* One row of the command table. */
struct cmd {
	const char           *name;
	const char           *sub; /* "put" for "unit put", or NULL */
	cmd_fn                fn;
	const struct optspec *opts;
	int                   minpos;
	int                   maxpos; /* -1: any number */
	unsigned              flags; /* enum cmd_flags */
	const char           *synopsis;
	const char           *help;
};

/*
 * How a command shows a result to people (with --json, call_and_show
 * prints the result raw instead).  Returns an exit code.
 */
typedef int (*show_fn)(struct cli *, const struct cmd *, const struct args *,
    json_object *result);

/* The parts of an application and their headings are the workflow's
 * (wf_sections, core/model/workflow.h), shared with the server. */

/* ---------------------------------------------------------------------- */
/* render.c: output for people (defined there, with their comments).       */

/* Replies: the result (borrowed) and the error's code and message. */
json_object *cli_result(json_object *reply);
const char  *cli_error_code(json_object *reply);
const char  *cli_error_message(json_object *reply);

/*
 * Prints an error reply on stderr: "lỗi: WORDS (CODE): MESSAGE", then its
 * details for people (problems and reasons as lists, states with labels).
 */
void cli_print_error(json_object *reply);

/* Members of a JSON object: a string (others as JSON), or NULL. */
const char  *cli_str(json_object *o, const char *key);
long long    jint(json_object *o, const char *key, long long def);
int          jbool(json_object *o, const char *key);
json_object *jarray(json_object *o, const char *key);
json_object *jobject(json_object *o, const char *key);
size_t       jlen(json_object *arr);

/* Prints a JSON value on one line (programs) or indented (people). */
void cli_print_json(json_object *o, int pretty);

/* Words for people.  A state's full label (workflow.c's), or NULL. */
const char *cli_state_label(const char *state);
/* "label (code)" for a state code, or the code alone if unknown. */
void cli_state_text(const char *state, char *out, size_t len);
/* A state's short label for tables ("Cơ sở đang xét"), never cut. */
const char *cli_state_short(const char *state);
/* "đạt" / "không đạt" for a verdict. */
const char *cli_verdict_words(const char *verdict);
/* "chủ tịch", "thư ký", "thành viên" for a council role. */
const char *cli_role_words(const char *role);
/* "cấp cơ sở" / "cấp tỉnh" for a stage. */
const char *stage_text(const char *stage);
/* An action of the workflow in Vietnamese ("nộp", "trả lại", ...). */
const char *cli_action_words(const char *action);
/* What an event did, in Vietnamese ("nộp", "chấm điểm", ...). */
const char *cli_event_words(json_object *ev);
/*
 * An event's change of state, "Đã nộp → Trả lại" ("→ Trả lại" without
 * with_from), or its verdict; or "".
 */
void cli_event_change(
    json_object *ev, int with_from, char *out, size_t len);
/*
 * An RFC 3339 UTC time as local time for people: "2026-11-27 15:30", or
 * just the date when date_only is set.  Text it cannot parse is copied.
 */
void cli_time(const char *rfc3339, int date_only, char *out, size_t len);

/* Values for cards: strings as they are, lists joined, numbers short. */
void        render_value(json_object *v, char *out, size_t len);
void        render_number(json_object *v, char *out, size_t len);
const char *jnum_text(json_object *o, const char *key, char *out, size_t len);
/* "default (mã băm 0123456789ab)" for a rubric reference {id, hash}. */
void render_rubric_ref(json_object *rb, char *out, size_t len);

/* Text wrapped at width display columns, each line indented. */
void print_wrapped(const char *text, int indent, int width);

/*
 * A table for people: a header row and rows of cells, each column as wide
 * as its widest cell in display columns, fitted to the output's width (the
 * terminal's, else $COLUMNS, else 80) by cutting, with "…", the flexible
 * column first and then the others marked cuttable.
 */
struct cli_table;

struct cli_table *cli_table_new(int ncols, const char *const *heads);
/* Marks col as the column cut first, never narrower than min. */
void cli_table_flex(struct cli_table *t, int col, int min);
/* Marks col as one that may be cut too, never narrower than min. */
void cli_table_cut(struct cli_table *t, int col, int min);
/* Caps col at max columns (cells are cut with "…"). */
void cli_table_cap(struct cli_table *t, int col, int max);
/* Adds a row of ncols cells (copied; NULL prints as empty). */
int cli_table_add(struct cli_table *t, const char *const *cells);
/* Gives the last row a note, printed wrapped below it (NULL/"": none). */
int  cli_table_note(struct cli_table *t, const char *note);
void cli_table_print(struct cli_table *t, FILE *f);
void cli_table_free(struct cli_table *t);

/* Cards: one "label  value" line; every member of an object. */
void card_line(const char *label, const char *value);
void print_card(json_object *o);
/* The reasons of a verdict as card lines. */
void cli_print_reasons(json_object *reasons);

/* The width tables and prose are fitted to. */
int cli_out_width(void);
/* The card label (head: the table heading) of a member of an object. */
const char *cli_key_word(const char *key, int head);

/* ---------------------------------------------------------------------- */
/* cards.c: the server's objects for people; each says when there are none. */

int  print_state_counts(json_object *cases);
int  print_cases(json_object *all, int with_due);
int  print_events(json_object *items, int with_seq);
void print_decision(json_object *d);
/* The head's decision (a recognition) as a card. */
void print_recognition(json_object *g);
void print_case(json_object *c, json_object *history);
void print_rubric_card(json_object *r);
int  print_list(const char *kind, json_object *items);
const char *similarity_cell(json_object *it, char *out, size_t len);
const char *unit_cell(json_object *it, char *out, size_t len);
/*
 * A table of cases: ID, then the state (in column state_col, 1 or 2) and
 * one more column that cell fills, then the title; or empty if none.
 */
int print_case_items(json_object *items, const char *const heads[4],
    int state_col, const char *(*cell)(json_object *, char *, size_t),
    const char *empty);

/* ---------------------------------------------------------------------- */
/* args.c: a command's options, positionals and files.                     */

/* Reports a wrong command line on stderr and returns CLI_EUSAGE. */
int usage_err(const char *fmt, ...);
/* The last value given for a command option, or NULL if absent. */
const char *opt_get(const struct args *a, const char *name);
/* A case ID argument, or a usage error naming it. */
int parse_case_id(const char *s, long long *id);
/* Option opt as a positive integer in *out, if given (else left alone). */
int opt_pos_int(
    const struct args *a, const char *opt, const char *what, long long *out);
/* The args of a put/create/update from --json (an object) or {}. */
json_object *args_from_json_opt(const struct args *a, const char *what);
/* Each sets member "name" of args from option "--name", if it was given:
 * a string; a string or null for ""; a list "a,b,c"; a positive integer. */
void set_opt_string(json_object *args, const struct args *a, const char *opt);
void set_opt_nullable(
    json_object *args, const struct args *a, const char *opt);
void set_opt_list(json_object *args, const struct args *a, const char *opt);
int  set_opt_pos_int(json_object *args, const struct args *a,
     const char *opt, const char *what);
/* A whole file ("-": standard input) as a malloc'd string, or NULL. */
char *read_file(const char *path, char *err, size_t errlen);
/* Text as one JSON object, as strictly as the server parses requests. */
json_object *parse_object(const char *text, char *err, size_t errlen);
/*
 * Reads a password into buf (len bytes): the first line of file if not
 * NULL; else a line of standard input if it is not a terminal; else from
 * the terminal without echo after prompt, twice if twice is set (the two
 * must match).  Returns 0, or CLI_EUSAGE after saying what went wrong.
 */
int cli_read_secret(const char *file, const char *prompt, int twice,
    char *buf, size_t len);
/* {"id": id}: the args of an op on one case, or on a unit, user, ... */
json_object *cli_case_args(long long id);
json_object *object_id_args(const char *id);

/* ---------------------------------------------------------------------- */
/* call.c: calling the server and showing what it said.                    */

/*
 * Sends op with args (args stays the caller's; NULL means {}).  Returns
 * CLI_OK with the reply in *reply when the server said ok; CLI_EREPLY with
 * the reply in *reply when it answered with an error (nothing is printed);
 * CLI_ETRANSPORT after printing what went wrong when there is no reply.
 */
int cli_request(struct sk_client *c, const char *op, json_object *args,
    const char *request_id, json_object **reply);
/* Like cli_request, but prints an error reply to stderr, and frees it. */
int cli_call(struct sk_client *c, const char *op, json_object *args,
    const char *request_id, json_object **reply);
/*
 * Sends op with args (consumed; NULL means {}) and shows the result: raw
 * with --json, else by show.  The --request-id goes along if the command
 * changes something (CMD_WRITE).  Returns an exit code.
 */
int call_and_show(struct cli *cl, const struct cmd *cmd, const struct args *a,
    const char *op, json_object *args, show_fn show);
/* Like call_and_show, for an op on the case whose ID is the first word. */
int call_on_case(struct cli *cl, const struct cmd *cmd, const struct args *a,
    const char *op, show_fn show);
/* Show functions: a result as a card; as indented JSON. */
int show_card(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r);
int show_pretty(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r);

/* ---------------------------------------------------------------------- */
/* The commands, by family (each an entry of main.c's cmds[]).            */

/* server.c: the server as a whole. */
int cmd_status(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_verify(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_backup(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_watch(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_call(struct cli *cl, const struct cmd *cmd, const struct args *a);

/* restore.c: a backup put in place as a data directory, checked first. */
int cmd_restore(struct cli *cl, const struct cmd *cmd, const struct args *a);

/* cases.c: filing, listing, showing and moving cases; duplicates. */
int cmd_cases(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_history(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_show(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_act(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_create(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_update(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_similar(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_search(struct cli *cl, const struct cmd *cmd, const struct args *a);

/* review.c: ballots and decisions. */
int cmd_score(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_decide(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_recognize(struct cli *cl, const struct cmd *cmd, const struct args *a);

/* admin.c: units, users, councils, tokens, passwords, and who one is. */
int cmd_whoami(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_get(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_list(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_round_put(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_unit_put(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_user_put(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_council_put(
    struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_token(struct cli *cl, const struct cmd *cmd, const struct args *a);
/* notices.c */
int cmd_notices(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_settings(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_inbox(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_passwd(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_login(struct cli *cl, const struct cmd *cmd, const struct args *a);

/* docs.c: a case's documents as PDF, and reports over many cases. */
int cmd_doc(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_doc_verify(
    struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_report(struct cli *cl, const struct cmd *cmd, const struct args *a);

/* rubrics.c: the scoring rubrics. */
int cmd_rubric_get(
    struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_rubric_put(
    struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_rubric_test(
    struct cli *cl, const struct cmd *cmd, const struct args *a);

/*
 * demo.c: builds the sample province of Lạng Sơn through the API (units,
 * users with passwords, councils, fifteen cases with at least one in every
 * state), administering with admin and acting as each user with a token it
 * gets from user.token; then says who is who.  Returns an enum cli_exit
 * code.
 */
int cli_demo(struct sk_client *admin, const struct cli_opts *o);

#endif
