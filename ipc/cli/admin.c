/*
 * admin.c: the administrator's commands: units, users and councils (get,
 * list, put), tokens and passwords; and for anyone, `login` and `whoami`.
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

	card_line("mã", cli_str(r, "id"));
	card_line("tên", cli_str(r, "name"));
	card_line("đơn vị", cli_str(r, "unit"));
	render_value(jarray(r, "roles"), buf, sizeof(buf));
	card_line("vai trò", buf);
	if (jlen(councils) == 0) {
		card_line("hội đồng", "-");
	}
	for (size_t i = 0; i < jlen(councils); i++) {
		json_object *co = json_object_array_get_idx(councils, i);

		snprintf(buf, sizeof(buf), "%s (%s, %s)", cli_str(co, "id"),
		    cli_role_words(cli_str(co, "role")),
		    stage_text(cli_str(co, "scope")));
		card_line(i == 0 ? "hội đồng" : "", buf);
	}
	card_line("tại chỗ",
	    jbool(r, "local")
	        ? "có (không cần token: qua ipc://, cùng tài khoản máy "
	          "chủ, root, hoặc nhóm admin-group)"
	        : "không");
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

/*
 * A put changes only what it is given.  The protocol's puts replace the
 * whole object, so the CLI reads it first (X.get), keeps the members a put
 * takes, lays --json and then the options over them, and writes the result:
 * `unit put ID --rubric R` keeps the unit's name and parent.  A new object
 * needs the options of put_kind.required.  (Two admins changing the same
 * object at once: the later put wins, as with --json alone.)
 */
struct put_kind {
	const char        *name;     /* "unit" */
	const char *const *keys;     /* the members X.put takes, but "id" */
	const char *const *required; /* the options a new object needs */
};

/* The ID a put names: the positional, else the "id" of --json. */
static const char *
put_id(const struct args *a, json_object *json)
{
	if (a->npos > 0) {
		return (a->pos[0]);
	}
	return (cli_str(json, "id"));
}

/*
 * The stored object of kind with id, as {id, and the members of
 * kind->keys it has}, in *out; NULL if there is none.  Returns an exit code
 * (an error reply other than not_found is printed).
 */
static int
put_read(struct cli *cl, const struct put_kind *kind, const char *id,
    json_object **out)
{
	json_object *args = object_id_args(id);
	json_object *reply;
	json_object *v;
	char         op[64];
	const char  *code;
	int          rv;

	*out = NULL;
	snprintf(op, sizeof(op), "%s.get", kind->name);
	rv = cli_request(cl->c, op, args, NULL, &reply);
	json_object_put(args);
	if (rv == CLI_EREPLY) {
		code = cli_error_code(reply);
		if (code != NULL && strcmp(code, "not_found") == 0) {
			rv = CLI_OK;
		} else {
			cli_print_error(reply);
		}
	} else if (rv == CLI_OK) {
		*out = json_object_new_object();
		json_object_object_add(
		    *out, "id", json_object_new_string(id));
		for (const char *const *k = kind->keys; *k != NULL; k++) {
			if (json_object_object_get_ex(
			        cli_result(reply), *k, &v)) {
				json_object_object_add(
				    *out, *k, json_object_get(v));
			}
		}
	}
	json_object_put(reply);
	return (rv);
}

/*
 * The args of a put of kind: the stored object (if any) with --json laid
 * over it, the ID positional as "id".  A new object must be given the
 * options kind->required (or --json).  Returns 0 with the args (the
 * caller's) in *out, or an exit code after saying what went wrong.
 */
static int
put_args(struct cli *cl, const struct put_kind *kind, const struct args *a,
    json_object **out)
{
	char         what[32];
	json_object *json;
	json_object *stored;
	const char  *id;
	int          rv;

	*out = NULL;
	snprintf(what, sizeof(what), "%s put", kind->name);
	if ((json = args_from_json_opt(a, what)) == NULL) {
		return (CLI_EUSAGE);
	}
	if ((id = put_id(a, json)) == NULL) {
		json_object_put(json);
		return (usage_err("'%s' cần một mã (ID)", what));
	}
	if ((rv = put_read(cl, kind, id, &stored)) != CLI_OK) {
		json_object_put(json);
		return (rv);
	}
	if (stored == NULL && opt_get(a, "--json") == NULL) {
		for (const char *const *r = kind->required; *r != NULL; r++) {
			if (opt_get(a, *r) == NULL) {
				json_object_put(json);
				return (usage_err("'%s' tạo %s mới '%s' cần %s "
				                  "(hoặc --json '{...}')",
				    what, kind->name, id, *r));
			}
		}
	}
	*out = stored != NULL ? stored : json_object_new_object();
	json_object_object_foreach(json, key, val)
	{
		json_object_object_add(*out, key, json_object_get(val));
	}
	json_object_object_add(*out, "id", json_object_new_string(id));
	json_object_put(json);
	return (0);
}

static const char *const unit_keys[]     = { "name", "parent", "rubric",
        NULL };
static const char *const unit_required[] = { "--name", NULL };
static const struct put_kind unit_kind   = { "unit", unit_keys,
          unit_required };

int
cmd_unit_put(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	int          rv;

	if ((rv = put_args(cl, &unit_kind, a, &args)) != 0) {
		return (rv);
	}
	set_opt_string(args, a, "--name");
	set_opt_nullable(args, a, "--parent");
	set_opt_nullable(args, a, "--rubric");
	return (call_and_show(cl, cmd, a, "unit.put", args, show_card));
}

static const char *const user_keys[]     = { "name", "unit", "roles",
        "email", "notify", NULL };
static const char *const user_required[] = { "--name", "--unit", "--roles",
	NULL };
static const struct put_kind user_kind   = { "user", user_keys,
          user_required };

int
cmd_user_put(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	int          rv;

	if ((rv = put_args(cl, &user_kind, a, &args)) != 0) {
		return (rv);
	}
	set_opt_string(args, a, "--name");
	set_opt_string(args, a, "--unit");
	set_opt_list(args, a, "--roles");
	set_opt_string(args, a, "--email");
	set_opt_string(args, a, "--notify");
	return (call_and_show(cl, cmd, a, "user.put", args, show_card));
}

/* The index of user's entry in the council's members, or -1. */
static int
member_index(json_object *members, const char *user, size_t ulen)
{
	for (size_t i = 0; i < jlen(members); i++) {
		const char *u =
		    cli_str(json_object_array_get_idx(members, i), "user");

		if (u != NULL && strlen(u) == ulen &&
		    strncmp(u, user, ulen) == 0) {
			return ((int) i);
		}
	}
	return (-1);
}

/*
 * Adds the member "USER:ROLE" to members, or changes USER's role if they
 * are one.  Returns 0, or CLI_EUSAGE if m is not USER:ROLE.
 */
static int
member_set(json_object *members, const char *m)
{
	const char  *colon = strchr(m, ':');
	json_object *o;
	int          at;

	if (colon == NULL || colon == m || colon[1] == '\0') {
		return (usage_err("thành viên viết là USER:ROLE (ROLE là "
		                  "chair, secretary hoặc member), không "
		                  "phải '%s'",
		    m));
	}
	o = json_object_new_object();
	json_object_object_add(
	    o, "user", json_object_new_string_len(m, (int) (colon - m)));
	json_object_object_add(o, "role", json_object_new_string(colon + 1));
	if ((at = member_index(members, m, (size_t) (colon - m))) >= 0) {
		json_object_array_put_idx(members, (size_t) at, o);
	} else {
		json_object_array_add(members, o);
	}
	return (0);
}

/* Removes user from members.  Returns 0, or CLI_EUSAGE if not one. */
static int
member_remove(json_object *members, const char *user)
{
	int at = member_index(members, user, strlen(user));

	if (at < 0) {
		return (usage_err("'%s' không phải thành viên của hội đồng này",
		    user));
	}
	json_object_array_del_idx(members, (size_t) at, 1);
	return (0);
}

/*
 * The members `council put` sends: the stored ones (or those of --json,
 * which replace them), then each --member USER:ROLE and each USER:ROLE
 * after the ID added or changed, and each --remove USER removed, in the
 * order given.  Returns 0, or CLI_EUSAGE.
 */
static int
council_members(const struct args *a, json_object *args)
{
	json_object *fresh = json_object_new_array();
	json_object *members;
	int          rv = 0;

	/* A new array: the members of --json are shared with it. */
	members = jarray(args, "members");
	for (size_t i = 0; i < jlen(members); i++) {
		json_object_array_add(fresh,
		    json_object_get(json_object_array_get_idx(members, i)));
	}
	for (int i = 0; i < a->nopt && rv == 0; i++) {
		if (strcmp(a->opt[i].name, "--member") == 0) {
			rv = member_set(fresh, a->opt[i].value);
		} else if (strcmp(a->opt[i].name, "--remove") == 0) {
			rv = member_remove(fresh, a->opt[i].value);
		}
	}
	for (int i = 1; i < a->npos && rv == 0; i++) {
		rv = member_set(fresh, a->pos[i]);
	}
	if (rv != 0) {
		json_object_put(fresh);
		return (rv);
	}
	json_object_object_add(args, "members", fresh);
	return (0);
}

static const char *const council_keys[]     = { "name", "scope", "unit",
        "members", "fields", "rubric", NULL };
static const char *const council_required[] = { "--name", "--scope",
	"--unit", NULL };
static const struct put_kind council_kind   = { "council", council_keys,
          council_required };

int
cmd_council_put(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	const char  *v;
	int          rv;

	if ((v = opt_get(a, "--scope")) != NULL && strcmp(v, "unit") != 0 &&
	    strcmp(v, "province") != 0) {
		return (usage_err(
		    "--scope là 'unit' hoặc 'province', không phải '%s'", v));
	}
	if ((rv = put_args(cl, &council_kind, a, &args)) != 0) {
		return (rv);
	}
	if ((rv = council_members(a, args)) != 0) {
		json_object_put(args);
		return (rv);
	}
	set_opt_string(args, a, "--name");
	set_opt_string(args, a, "--scope");
	set_opt_string(args, a, "--unit");
	set_opt_nullable(args, a, "--rubric");
	set_opt_list(args, a, "--fields");
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
	    "Token này của %s chỉ hiện một lần: hãy giữ lại ngay. Token "
	    "mới sẽ thay token cũ.\n",
	    a->pos[0]);
	return (CLI_OK);
}

int
cmd_token(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_and_show(
	    cl, cmd, a, "user.token", object_id_args(a->pos[0]), show_token));
}

#define CLI_PASSWORD_MAX 1024 /* the server takes at most 256 bytes */

static int
show_passwd(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	printf("đã đặt mật khẩu mới cho %s\n", a->pos[0]);
	return (CLI_OK);
}

/*
 * "passwd USER": an admin sets USER's password (user.password); with --old,
 * a user changes their own, giving the current one first.  Passwords are
 * read by cli_read_secret, a new one twice on a terminal; they never
 * appear on the command line, where other users of the machine could read
 * them in the process list.
 */
int
cmd_passwd(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	char         pw[CLI_PASSWORD_MAX];
	char         old[CLI_PASSWORD_MAX];
	char         prompt[160];
	json_object *args;
	int          rv;

	if (opt_get(a, "--old") != NULL &&
	    (rv = cli_read_secret(opt_get(a, "--old-password-file"),
	         "Mật khẩu hiện tại: ", 0, old, sizeof(old))) != 0) {
		return (rv);
	}
	snprintf(prompt, sizeof(prompt), "Mật khẩu mới cho %s: ", a->pos[0]);
	if ((rv = cli_read_secret(opt_get(a, "--password-file"), prompt, 1,
	         pw, sizeof(pw))) != 0) {
		return (rv);
	}
	args = object_id_args(a->pos[0]);
	json_object_object_add(args, "password", json_object_new_string(pw));
	if (opt_get(a, "--old") != NULL) {
		json_object_object_add(
		    args, "old_password", json_object_new_string(old));
		explicit_bzero(old, sizeof(old));
	}
	explicit_bzero(pw, sizeof(pw));
	return (call_and_show(cl, cmd, a, "user.password", args, show_passwd));
}

static int
show_login(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	char at[64];

	/* The token alone on stdout, so that T=$(sangkien login U) works. */
	printf("%s\n", cli_str(r, "token"));
	fflush(stdout);
	cli_time(cli_str(r, "expires_at"), 0, at, sizeof(at));
	fprintf(stderr,
	    "Phiên đăng nhập của %s; hết hạn lúc %s nếu không dùng (mỗi lần "
	    "dùng lại kéo dài thêm).\n",
	    a->pos[0], at);
	return (CLI_OK);
}

/* "login USER": a session token for USER's password (auth.login). */
int
cmd_login(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	char         pw[CLI_PASSWORD_MAX];
	char         prompt[160];
	json_object *args;
	int          rv;

	snprintf(prompt, sizeof(prompt), "Mật khẩu của %s: ", a->pos[0]);
	if ((rv = cli_read_secret(opt_get(a, "--password-file"), prompt, 0,
	         pw, sizeof(pw))) != 0) {
		return (rv);
	}
	args = json_object_new_object();
	json_object_object_add(args, "user", json_object_new_string(a->pos[0]));
	json_object_object_add(args, "password", json_object_new_string(pw));
	explicit_bzero(pw, sizeof(pw));
	return (call_and_show(cl, cmd, a, "auth.login", args, show_login));
}

/*
 * Rounds (đợt xét): `round put` as the other puts, keeping what it is not
 * given.
 */
static const char *const round_keys[]     = { "name", "unit", "year",
        "opens", "closes", "decides_by", NULL };
static const char *const round_required[] = { "--year", "--opens",
	"--closes", "--decides-by", NULL };
static const struct put_kind round_kind   = { "round", round_keys,
          round_required };

int
cmd_round_put(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	int          rv;

	if ((rv = put_args(cl, &round_kind, a, &args)) != 0) {
		return (rv);
	}
	set_opt_string(args, a, "--name");
	set_opt_nullable(args, a, "--unit");
	set_opt_string(args, a, "--opens");
	set_opt_string(args, a, "--closes");
	if (opt_get(a, "--decides-by") != NULL) {
		json_object_object_add(args, "decides_by",
		    json_object_new_string(opt_get(a, "--decides-by")));
	}
	if ((rv = set_opt_pos_int(args, a, "--year", "một năm như 2026")) !=
	    0) {
		json_object_put(args);
		return (rv);
	}
	return (call_and_show(cl, cmd, a, "round.put", args, show_card));
}
