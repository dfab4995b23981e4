/*
 * rubrics.c: the scoring rubrics from the command line: `rubric show` and
 * `get` (with the Lua source), `put` (a new version) and `test` (what a
 * rubric would say of a case now, changing nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc/cli/cli.h"

/* `rubric show`: the card; `rubric get`: the card and the source. */
static int
show_rubric(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	print_rubric_card(r);
	if (strcmp(cmd->sub, "get") == 0 && cli_str(r, "source") != NULL) {
		const char *src = cli_str(r, "source");
		size_t      len = strlen(src);

		printf("\nMã nguồn\n%s%s", src,
		    len > 0 && src[len - 1] != '\n' ? "\n" : "");
	}
	return (CLI_OK);
}

/* "rubric show ID [--hash H]", "rubric get ID [--hash H]". */
int
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
		printf("bộ tiêu chí %s: đã lưu phiên bản %.12s, nay là phiên "
		       "bản hiện hành (các đợt xét đang mở giữ phiên bản đã "
		       "cố định)\n\n",
		    cli_str(r, "id"), hash != NULL ? hash : "?");
	} else {
		printf("bộ tiêu chí %s: không đổi, phiên bản %.12s vốn là "
		       "hiện hành\n\n",
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
int
cmd_rubric_put(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	const char  *opt_id = opt_get(a, "--id");
	const char  *file   = a->pos[a->npos - 1];
	char         id[256];
	json_object *args;
	int          rv;

	if (a->npos == 2 && opt_id != NULL) {
		return (usage_err("chỉ ghi mã bộ tiêu chí một lần: 'rubric put "
		                  "FILE --id ID' hoặc 'rubric put ID FILE'"));
	}
	if (a->npos == 2) {
		snprintf(id, sizeof(id), "%s", a->pos[0]);
	} else if (opt_id != NULL) {
		snprintf(id, sizeof(id), "%s", opt_id);
	} else if (strcmp(file, "-") == 0) {
		return (usage_err("bộ tiêu chí đọc từ đầu vào chuẩn cần "
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
	char         buf[4096];

	render_rubric_ref(jobject(r, "rubric"), buf, sizeof(buf));
	printf("bộ tiêu chí %s với hồ sơ số %s, xét %s (không thay đổi "
	       "gì)\n",
	    buf, opt_get(a, "--case"), stage_text(cli_str(r, "stage")));
	if (jlen(problems) == 0) {
		printf("\ncheck: hồ sơ đầy đủ, không có gì cần sửa\n");
	} else {
		printf("\ncheck: %zu điểm cần sửa\n", jlen(problems));
	}
	for (size_t i = 0; i < jlen(problems); i++) {
		render_value(
		    json_object_array_get_idx(problems, i), buf, sizeof(buf));
		printf("  - %s\n", buf);
	}
	if (verdict == NULL) {
		printf("\ndecide: không có gì để nói (chưa có hội đồng xét "
		       "ở bước này)\n");
		return (CLI_OK);
	}
	/* decide sees only the ballots the caller may (PROTOCOL.md). */
	printf("\ndecide, theo %d phiếu bạn được xem trong số đã chấm\n",
	    json_object_get_int(json_object_object_get(r, "ballots_seen")));
	card_line("kết quả", cli_verdict_words(cli_str(verdict, "verdict")));
	card_line("điểm", jnum_text(verdict, "score", buf, sizeof(buf)));
	cli_print_reasons(jarray(verdict, "reasons"));
	return (CLI_OK);
}

int
cmd_rubric_test(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	const char  *cs = opt_get(a, "--case");
	long long    id;
	int          rv;

	if (cs == NULL) {
		return (usage_err("'rubric test' cần --case ID"));
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
