/*
 * admin.c: the administrator's commands: units, users and councils (get,
 * list, put), tokens, and `whoami`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/cli/cli.h"

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

int
cmd_whoami(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_and_show(cl, cmd, a, "auth.whoami", NULL, show_whoami));
}

/* "unit get ID", "user get ID", "council get ID". */
int
cmd_get(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	char op[64];

	snprintf(op, sizeof(op), "%s.get", cmd->name);
	return (call_and_show(
	    cl, cmd, a, op, object_id_args(a->pos[0]), show_card));
}

/* Shows the items of a list as a table. */
static int
show_list(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	return (print_list(cmd->name, jarray(r, "items")));
}

/* "unit list", "user list", ...: a table of the listed objects. */
int
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

int
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

int
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

int
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

int
cmd_token(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_and_show(
	    cl, cmd, a, "user.token", object_id_args(a->pos[0]), show_token));
}
