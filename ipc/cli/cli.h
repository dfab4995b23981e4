/*
 * cli.h: what the parts of the sangkien CLI share: its global options, its
 * exit codes, calling the server and reporting errors the same way, tables
 * that line up with Vietnamese text, and the demo command (cli_demo.c).
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

/* The reply's result (borrowed), or NULL. */
json_object *cli_result(json_object *reply);

/* The error code of an error reply ("not_found", ...), or NULL. */
const char *cli_error_code(json_object *reply);

/* The error message of an error reply, or "". */
const char *cli_error_message(json_object *reply);

/* Prints "error: CODE: MESSAGE" and the details of an error reply. */
void cli_print_error(json_object *reply);

/* A string member of o, or NULL if absent or null; non-strings as JSON. */
const char *cli_str(json_object *o, const char *key);

/* {"id": id}, the args of an op on one case (the caller's). */
json_object *cli_case_args(long long id);

/* Prints a JSON value on one line (programs) or indented (people). */
void cli_print_json(json_object *o, int pretty);

/* The Vietnamese label of a state code (workflow.c's table), or NULL. */
const char *cli_state_label(const char *state);

/* Writes "label (code)" for a state code, or the code alone if unknown. */
void cli_state_text(const char *state, char *out, size_t len);

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

/*
 * Writes an RFC 3339 UTC time as local time for people: "2026-11-27 15:30",
 * or just the date when date_only is set.  Text it cannot parse is copied.
 */
void cli_time(const char *rfc3339, int date_only, char *out, size_t len);

/*
 * A table for people: a header row and rows of cells, each column as wide as
 * its widest cell in display columns.  One column may be marked flexible: it
 * is cut (with "…") so that the table fits in the output's width.
 */
struct cli_table;

struct cli_table *cli_table_new(int ncols, const char *const *heads);

/* Marks column col as the one to cut, never narrower than min columns. */
void cli_table_flex(struct cli_table *t, int col, int min);

/* Caps column col at max columns (cells are cut with "…"). */
void cli_table_cap(struct cli_table *t, int col, int max);

/* Adds a row of ncols cells (copied; NULL prints as empty). */
int cli_table_add(struct cli_table *t, const char *const *cells);

void cli_table_print(struct cli_table *t, FILE *f);
void cli_table_free(struct cli_table *t);

/*
 * Builds the sample province of Lạng Sơn through the API (units, users,
 * councils, fifteen cases with at least one in every state), administering
 * with admin and acting as each user with a token it gets from user.token.
 * Returns an enum cli_exit code.
 */
int cli_demo(struct sk_client *admin, const struct cli_opts *o);

#endif
