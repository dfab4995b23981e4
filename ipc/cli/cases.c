/*
 * cases.c: the commands on cases: `cases` (case.list, every page with
 * --all), `show` (the card and its timeline), `history`, `create`, `update`,
 * `act`, and the duplicates: `similar` and the public `search`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/workflow.h"
#include "ipc/cli/cli.h"

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
	return (usage_err(
	    "không có trạng thái '%s' (chỉ có: %s)", state, names));
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
	/* A unit's cases include those of the units below it, as people
	 * expect of a department; --only keeps to the unit itself. */
	if (opt_get(a, "--unit") != NULL && opt_get(a, "--only") == NULL) {
		json_object_object_add(
		    args, "subunits", json_object_new_boolean(1));
	}
	set_opt_string(args, a, "--author");
	set_opt_string(args, a, "--round");
	if (opt_get(a, "--overdue") != NULL) {
		json_object_object_add(
		    args, "overdue", json_object_new_boolean(1));
	}
	if ((rv = set_opt_pos_int(args, a, "--limit", "một số nguyên dương")) !=
	        0 ||
	    (rv = set_opt_pos_int(args, a, "--after", "một số hồ sơ")) != 0) {
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

int
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
		    "(còn nữa: sangkien cases --after %s ..., hoặc --all)\n",
		    json_object_get_string(next));
	}
	json_object_put(next);
	json_object_put(all);
	return (rv);
}

static int
show_history(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	return (print_events(jarray(r, "items"), 1));
}

int
cmd_history(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_on_case(cl, cmd, a, "case.history", show_history));
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
		printf("\nDiễn biến\n  không hiển thị: %s: %s\n",
		    cli_error_code(hist) != NULL ? cli_error_code(hist) : "?",
		    cli_error_message(hist));
	}
	json_object_put(hist);
	return (CLI_OK);
}

int
cmd_show(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_on_case(cl, cmd, a, "case.get", show_case));
}

static void show_receipt(json_object *r);

static int
show_act(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	char st[256];
	char due[64];

	cli_state_text(cli_str(r, "state"), st, sizeof(st));
	printf("hồ sơ số %s: đã %s, nay %s, phiên bản %s\n",
	    cli_str(r, "id"), cli_action_words(a->pos[1]), st,
	    cli_str(r, "version"));
	if (cli_str(r, "due_at") != NULL) {
		cli_time(cli_str(r, "due_at"), 0, due, sizeof(due));
		printf("hạn xét: %s\n", due);
	}
	if (strcmp(a->pos[1], "submit") == 0 ||
	    strcmp(a->pos[1], "accept") == 0) {
		show_receipt(r);
	}
	return (CLI_OK);
}

/*
 * The author's declaration at submit (Điều 3, Điều lệ sáng kiến): --declare
 * states both, or each flag its own; the server names what is missing.
 */
static void
set_declaration(json_object *args, const struct args *a)
{
	int          all = opt_get(a, "--declare") != NULL;
	int          order = all || opt_get(a, "--not-against-public-order");
	int          ip    = all || opt_get(a, "--not-protected-ip");
	json_object *d;

	if (!order && !ip) {
		return;
	}
	d = json_object_new_object();
	if (order) {
		json_object_object_add(d, "not_against_public_order",
		    json_object_new_boolean(1));
	}
	if (ip) {
		json_object_object_add(
		    d, "not_protected_ip", json_object_new_boolean(1));
	}
	json_object_object_add(args, "declaration", d);
}

/* After submit: the receipt's number and the date the answer is due. */
static void
show_receipt(json_object *r)
{
	json_object *rc = NULL, *f = NULL;

	if (json_object_object_get_ex(r, "receipt", &rc) && rc != NULL) {
		printf("giấy biên nhận số %s ngày %s; hạn trả lời %s%s\n",
		    cli_str(rc, "no") ?: "?", cli_str(rc, "date") ?: "?",
		    cli_str(rc, "answer_due") ?: "?",
		    strcmp(cli_str(rc, "provisional") ?: "", "true") == 0
		        ? " (tạm tính)"
		        : "");
	}
	if (json_object_object_get_ex(r, "flagged_similar", &f) && f != NULL) {
		printf("cảnh báo: gần trùng hồ sơ số %s (độ giống %s)\n",
		    cli_str(f, "id") ?: "?", cli_str(f, "similarity") ?: "?");
	}
}

int
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
	         "một số nguyên dương")) != 0) {
		json_object_put(args);
		return (rv);
	}
	set_declaration(args, a);
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
		usage_err("'%s' nhận một FILE hoặc --json, không cả hai", what);
		return (NULL);
	}
	if (file == NULL && opt_get(a, "--json") == NULL) {
		usage_err("'%s' cần --json '{...}' hoặc một FILE.json", what);
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
	printf("đã tạo hồ sơ số %s: %s\n  %s, phiên bản %s\n",
	    cli_str(r, "id"),
	    cli_str(r, "title"), st, cli_str(r, "version"));
	return (CLI_OK);
}

int
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
	printf("đã sửa hồ sơ số %s, phiên bản %s\n", cli_str(r, "id"),
	    cli_str(r, "version"));
	return (CLI_OK);
}

int
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
	         "một số nguyên dương")) != 0) {
		json_object_put(args);
		return (rv);
	}
	return (call_and_show(cl, cmd, a, "case.update", args, show_updated));
}

/* Shows case.similar's items, most similar first. */
static int
show_similar_items(struct cli *cl, const struct cmd *cmd,
    const struct args *a, json_object *r)
{
	static const char *const heads[] = { "SỐ", "ĐỘ GIỐNG", "TRẠNG THÁI",
		"TÊN SÁNG KIẾN" };
	return (print_case_items(jarray(r, "items"), heads, 2,
	    similarity_cell, "Không có hồ sơ nào tương tự (độ giống từ 0,15)."));
}

int
cmd_similar(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	const char  *file = opt_get(a, "--text");
	json_object *args;
	long long    id;
	char         err[512];
	int          rv;

	if ((file != NULL) == (a->npos == 1)) {
		return (usage_err("'similar' nhận một số hồ sơ hoặc --text "
		                  "FILE (- là đầu vào chuẩn), %s",
		    file != NULL ? "không cả hai" : "cần một trong hai"));
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
	if ((rv = set_opt_pos_int(args, a, "--limit", "một số nguyên dương")) !=
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
	static const char *const heads[] = { "SỐ", "TRẠNG THÁI", "ĐƠN VỊ",
		"TÊN SÁNG KIẾN" };
	int rv = print_case_items(jarray(r, "items"), heads, 1, unit_cell,
	    "Không có sáng kiến được công nhận nào chứa đủ các từ này.");

	if (rv == CLI_OK && jlen(jarray(r, "items")) > 0 &&
	    cli_str(r, "next") != NULL) {
		fprintf(stderr, "(còn nữa: sangkien search ... --after %s)\n",
		    cli_str(r, "next"));
	}
	return (rv);
}

int
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
	if ((rv = set_opt_pos_int(args, a, "--limit", "một số nguyên dương")) !=
	        0 ||
	    (rv = opt_pos_int(a, "--after", "một số hồ sơ", &after)) != 0) {
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
