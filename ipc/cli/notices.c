/*
 * notices.c: the CLI's notice commands (issue 18).  `notices` is the
 * admins' view of the mail outbox (notice.outbox): each notice or digest,
 * to whom, its mail's state and last error; `notices resend ID` queues one
 * again (notice.resend).  `settings` sets one's own e-mail address and how
 * one is told (user.settings); `inbox` lists one's own notices
 * (notice.list) and `inbox read` marks them read (notice.read).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/cli/cli.h"

/* The mail states in Vietnamese, as the outbox shows them. */
static const char *
mail_word(const char *state)
{
	static const char *const words[][2] = {
		{ "none", "không gửi thư" },
		{ "queued", "chờ gửi" },
		{ "digest", "chờ bản tóm tắt ngày" },
		{ "in_digest", "đã gộp vào bản tóm tắt" },
		{ "sent", "đã gửi" },
		{ "failed", "gửi không được" },
	};
	for (size_t i = 0; state && i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(words[i][0], state) == 0) {
			return (words[i][1]);
		}
	}
	return (state ? state : "");
}

static int
show_outbox(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	static const char *const heads[] = { "SỐ", "NGƯỜI NHẬN", "HỒ SƠ",
		"THƯ", "LẦN", "TIÊU ĐỀ" };
	json_object      *items = jarray(r, "items");
	json_object      *counts;
	struct cli_table *t = cli_table_new(6, heads);
	char              line[512] = "";
	size_t            len       = 0;

	if (!jbool(r, "mail")) {
		printf("Máy chủ không gửi thư (chạy sangkiend với --smtp để "
		       "gửi).\n");
	}
	if (json_object_object_get_ex(r, "counts", &counts)) {
		json_object_object_foreach(counts, state, n)
		{
			len += (size_t) snprintf(line + len,
			    len < sizeof(line) ? sizeof(line) - len : 0,
			    "%s%s: %lld", len ? ", " : "", mail_word(state),
			    (long long) json_object_get_int64(n));
		}
		printf("Hộp thư đi: %s\n", len ? line : "trống");
	}
	cli_table_flex(t, 5, 10);
	cli_table_cut(t, 1, 8);
	for (size_t i = 0; i < jlen(items); i++) {
		json_object *n = json_object_array_get_idx(items, i);
		char         id[24], cs[24], tries[16], to[300];
		snprintf(id, sizeof(id), "%lld", jint(n, "id", 0));
		snprintf(cs, sizeof(cs), "%lld", jint(n, "case", 0));
		snprintf(tries, sizeof(tries), "%lld", jint(n, "attempts", 0));
		snprintf(to, sizeof(to), "%s%s%s%s", cli_str(n, "user") ?: "",
		    cli_str(n, "email") ? " <" : "",
		    cli_str(n, "email") ? cli_str(n, "email") : "",
		    cli_str(n, "email") ? ">" : "");
		const char *cells[] = { id, to, jint(n, "case", 0) ? cs : "—",
			mail_word(cli_str(n, "mail")), tries,
			cli_str(n, "subject") };
		cli_table_add(t, cells);
		if (cli_str(n, "error") != NULL) {
			char note[600];
			snprintf(note, sizeof(note), "lỗi lần cuối: %s",
			    cli_str(n, "error"));
			cli_table_note(t, note);
		}
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/* "notices [--state S] [--limit N]" and "notices resend ID". */
int
cmd_notices(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args = json_object_new_object();

	if (a->npos > 0) {
		char *end;
		long long id = a->npos == 2 ? strtoll(a->pos[1], &end, 10) : 0;
		json_object_put(args);
		if (strcmp(a->pos[0], "resend") != 0 || a->npos != 2 ||
		    *end != '\0' || id <= 0) {
			return (usage_err("cách dùng: notices [--state S] "
			                  "[--limit N] | notices resend ID"));
		}
		args = json_object_new_object();
		json_object_object_add(args, "id", json_object_new_int64(id));
		return (call_and_show(
		    cl, cmd, a, "notice.resend", args, show_card));
	}
	set_opt_string(args, a, "--state");
	if (opt_get(a, "--limit") != NULL) {
		json_object_object_add(args, "limit",
		    json_object_new_int64(atoll(opt_get(a, "--limit"))));
	}
	return (call_and_show(cl, cmd, a, "notice.outbox", args, show_outbox));
}

/* "settings [--email ADDR] [--notify now|daily|off]". */
int
cmd_settings(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args = json_object_new_object();
	set_opt_string(args, a, "--email");
	set_opt_string(args, a, "--notify");
	return (call_and_show(cl, cmd, a, "user.settings", args, show_card));
}

static int
show_inbox(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	static const char *const heads[] = { "SỐ", "LÚC", "", "TIÊU ĐỀ" };
	json_object      *items = jarray(r, "items");
	struct cli_table *t = cli_table_new(4, heads);

	printf("Chưa đọc: %lld\n", jint(r, "unread", 0));
	cli_table_flex(t, 3, 10);
	for (size_t i = 0; i < jlen(items); i++) {
		json_object *n = json_object_array_get_idx(items, i);
		char         id[24];
		snprintf(id, sizeof(id), "%lld", jint(n, "id", 0));
		const char *cells[] = { id, cli_str(n, "created_at"),
			jbool(n, "read") ? "" : "mới", cli_str(n, "subject") };
		cli_table_add(t, cells);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/* "inbox [--unread]" and "inbox read (ID | --all)". */
int
cmd_inbox(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args = json_object_new_object();

	if (a->npos > 0) {
		char     *end = "";
		long long id  = a->npos == 2 ? strtoll(a->pos[1], &end, 10) : 0;
		bool      all = opt_get(a, "--all") != NULL;
		if (strcmp(a->pos[0], "read") != 0 || *end != '\0' ||
		    (id > 0) == all) {
			json_object_put(args);
			return (usage_err("cách dùng: inbox [--unread] | inbox "
			                  "read (ID | --all)"));
		}
		if (all) {
			json_object_object_add(
			    args, "all", json_object_new_boolean(1));
		} else {
			json_object_object_add(
			    args, "id", json_object_new_int64(id));
		}
		return (call_and_show(cl, cmd, a, "notice.read", args, show_card));
	}
	if (opt_get(a, "--unread") != NULL) {
		json_object_object_add(args, "unread", json_object_new_boolean(1));
	}
	return (call_and_show(cl, cmd, a, "notice.list", args, show_inbox));
}
