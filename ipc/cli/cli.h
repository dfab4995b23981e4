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
 *     call.c                     calling the server, showing a result
 *     args.c                     a command's options and files
 *     render.c                   all output for people: tables, cards,
 *                                labels, errors
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
	const char *server; /* the API URL */
	const char *events; /* the events URL, or NULL if unknown */
	const char *token; /* NULL: none (local-admin over ipc://) */
	const char *request_id; /* --request-id, or one of our own */
	char        own_request_id[40]; /* "cli-" and 32 random hex digits */
	int         json; /* print raw results, for programs */
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

/*
 * The parts of an application (Điều 5, Nghị định 13/2012/NĐ-CP), in the
 * order the protocol lists them: each key and its Vietnamese heading.
 */
#define CLI_NSECTIONS 7
struct cli_section {
	const char *key;
	const char *heading;
};
extern const struct cli_section cli_sections[CLI_NSECTIONS];

/* ---------------------------------------------------------------------- */
/* render.c: output for people (defined there, with their comments).       */

struct cli_table; /* a table for people, columns lined up by display width */

json_object *cli_result(json_object *reply);
const char  *cli_error_code(json_object *reply);
const char  *cli_error_message(json_object *reply);
void         cli_print_error(json_object *reply);
const char  *cli_str(json_object *o, const char *key);
const char  *cli_state_label(const char *state);
void         cli_state_text(const char *state, char *out, size_t len);
void cli_time(const char *rfc3339, int date_only, char *out, size_t len);
struct cli_table *cli_table_new(int ncols, const char *const *heads);
void              cli_table_flex(struct cli_table *t, int col, int min);
void              cli_table_print(struct cli_table *t, FILE *f);
void              cli_table_free(struct cli_table *t);
void              cli_print_json(json_object *o, int pretty);
long long         jint(json_object *o, const char *key, long long def);
int               jbool(json_object *o, const char *key);
json_object      *jarray(json_object *o, const char *key);
json_object      *jobject(json_object *o, const char *key);
size_t            jlen(json_object *arr);
void              render_value(json_object *v, char *out, size_t len);
void              card_line(const char *label, const char *value);
void              print_card(json_object *o);
int               print_state_counts(json_object *cases);
int               print_cases(json_object *all, int with_due);
int               print_events(json_object *items, int with_seq);
void              render_number(json_object *v, char *out, size_t len);
const char *jnum_text(json_object *o, const char *key, char *out, size_t len);
const char *stage_text(const char *stage);
void        render_rubric_ref(json_object *rb, char *out, size_t len);
void        print_decision(json_object *d);
void        print_case(json_object *c, json_object *history);
void        print_pending(json_object *reply);
void        print_rubric_card(json_object *r);
const char *similarity_cell(json_object *it, char *out, size_t len);
const char *unit_cell(json_object *it, char *out, size_t len);
int         print_case_items(json_object *items, const char *const heads[4],
            int         state_col, const char *(*cell)(json_object *, char *, size_t),
            const char *empty);
void        cli_table_cap(struct cli_table *t, int col, int max);
int         cli_table_add(struct cli_table *t, const char *const *cells);
int         print_list(const char *kind, json_object *items);

/* ---------------------------------------------------------------------- */
/* args.c: a command's options, positionals and files.                     */

int         usage_err(const char *fmt, ...);
const char *opt_get(const struct args *a, const char *name);
int         parse_case_id(const char *s, long long *id);
int         opt_pos_int(
            const struct args *a, const char *opt, const char *what, long long *out);
json_object *args_from_json_opt(const struct args *a, const char *what);
void set_opt_string(json_object *args, const struct args *a, const char *opt);
void set_opt_nullable(
    json_object *args, const struct args *a, const char *opt);
void  set_opt_list(json_object *args, const struct args *a, const char *opt);
int   set_opt_pos_int(json_object *args, const struct args *a, const char *opt,
      const char *what);
char *read_file(const char *path, char *err, size_t errlen);
json_object *parse_object(const char *text, char *err, size_t errlen);
json_object *cli_case_args(long long id);
json_object *object_id_args(const char *id);

/* ---------------------------------------------------------------------- */
/* call.c: calling the server and showing what it said.                    */

int cli_request(struct sk_client *c, const char *op, json_object *args,
    const char *request_id, json_object **reply);
int cli_call(struct sk_client *c, const char *op, json_object *args,
    const char *request_id, json_object **reply);
int call_and_show(struct cli *cl, const struct cmd *cmd, const struct args *a,
    const char *op, json_object *args, show_fn show);
int call_on_case(struct cli *cl, const struct cmd *cmd, const struct args *a,
    const char *op, show_fn show);
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

/* admin.c: units, users, councils, tokens, and who one is. */
int cmd_whoami(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_get(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_list(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_unit_put(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_user_put(struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_council_put(
    struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_token(struct cli *cl, const struct cmd *cmd, const struct args *a);

/* rubrics.c: the scoring rubrics. */
int cmd_rubric_get(
    struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_rubric_put(
    struct cli *cl, const struct cmd *cmd, const struct args *a);
int cmd_rubric_test(
    struct cli *cl, const struct cmd *cmd, const struct args *a);

/* demo.c */
/*
 * Builds the sample province of Lạng Sơn through the API (units, users,
 * councils, fifteen cases with at least one in every state), administering
 * with admin and acting as each user with a token it gets from user.token.
 * Returns an enum cli_exit code.
 */
int cli_demo(struct sk_client *admin, const struct cli_opts *o);

#endif
