/*
 * call.c: how the sangkien CLI calls the server: one request through the
 * client library (ipc/client.h), the exit code its reply means (cli.h), and
 * the result printed raw for programs (--json) or shown for people by the
 * command's show function.
 */
#include <stdio.h>

#include "ipc/cli/cli.h"

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

/*
 * Sends op with args (consumed; NULL means {}) and shows the result.  The
 * --request-id goes along if the command changes something (CMD_WRITE).
 * Returns an exit code.
 */
int
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
int
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
int
show_card(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	print_card(r);
	return (CLI_OK);
}

/* Shows a result as indented JSON (call, rubric test). */
int
show_pretty(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	cli_print_json(r, 1);
	return (CLI_OK);
}
