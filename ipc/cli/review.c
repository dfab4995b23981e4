/*
 * review.c: a council's review from the command line: `score` (a ballot of
 * CRITERION=NUMBER words, with the decimal comma people type, and a vote),
 * `decide` (the chair records the council's recommendation; a `pending`
 * reply says why not yet, or previews it until --confirm) and `recognize`
 * (the head of the unit signs the decision).
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/cli/cli.h"

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
			return (usage_err("điểm viết là TIÊU_CHÍ=SỐ, ví dụ "
			                  "novelty=25; không phải '%s'",
			    w));
		}
		snprintf(key, sizeof(key), "%.*s", (int) (eq - w), w);
		if (parse_mark(eq + 1, &v) != 0) {
			json_object_put(marks);
			return (usage_err("điểm của '%s' phải là một số "
			                  "(25, 7.5 hoặc 7,5), không phải '%s'",
			    key, eq + 1));
		}
		if (json_object_object_get_ex(marks, key, NULL)) {
			json_object_put(marks);
			return (
			    usage_err("'%s' được chấm hai lần ('%s')", key, w));
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

	printf("hồ sơ số %s: phiếu chấm của %s (%s), xét %s\n",
	    cli_str(r, "case"),
	    cli_str(r, "member") != NULL ? cli_str(r, "member") : "?",
	    cli_role_words(cli_str(r, "role")),
	    stage_text(cli_str(r, "stage")));
	json_object_object_foreach(marks, key, val)
	{
		render_number(val, buf, sizeof(buf));
		card_line(key, buf);
	}
	card_line("tổng", jnum_text(r, "total", buf, sizeof(buf)));
	snprintf(buf, sizeof(buf), "%s%s",
	    strcmp(cli_str(r, "vote") ?: "", "pass") == 0 ? "đồng ý công nhận"
	                                                  : "không đồng ý",
	    cli_str(r, "vote_from") != NULL ? " (theo điểm)" : "");
	card_line("biểu quyết", buf);
	if (cli_str(r, "comment") != NULL) {
		card_line("nhận xét", cli_str(r, "comment"));
	}
	printf("Phiếu được giữ kín đến khi chủ tịch quyết định; chấm lại "
	       "thì phiếu mới thay phiếu cũ.\n");
	return (CLI_OK);
}

int
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
	set_opt_string(args, a, "--vote");
	return (call_and_show(cl, cmd, a, "case.score", args, show_ballot));
}

static int
show_decided(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	char st[256];

	cli_state_text(cli_str(r, "state"), st, sizeof(st));
	printf("hồ sơ số %s: hội đồng đã chốt kiến nghị, nay %s, phiên bản "
	       "%s\n",
	    cli_str(r, "id"), st, cli_str(r, "version"));
	if (jobject(r, "decision") != NULL) {
		print_decision(jobject(r, "decision"));
	}
	return (CLI_OK);
}

/* A `pending` reply is an error like any other: its details (the
 * rubric's reasons, how many have scored) say why not yet. */
int
cmd_decide(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	long long    id;
	int          rv;

	if ((rv = parse_case_id(a->pos[0], &id)) != 0) {
		return (rv);
	}
	args = cli_case_args(id);
	set_opt_string(args, a, "--note");
	if ((opt_get(a, "--confirm") != NULL)) {
		json_object_object_add(
		    args, "confirm", json_object_new_boolean(true));
	}
	return (call_and_show(cl, cmd, a, "case.decide", args, show_decided));
}

static int
show_recognized(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	char st[256];

	cli_state_text(cli_str(r, "state"), st, sizeof(st));
	printf("hồ sơ số %s: đã ký quyết định, nay %s, phiên bản %s\n",
	    cli_str(r, "id"), st, cli_str(r, "version"));
	if (jobject(r, "recognition") != NULL) {
		print_recognition(jobject(r, "recognition"));
	}
	return (CLI_OK);
}

/* The head's decision: recognized, or with --refuse refused (--note says
 * why; the server refuses a refusal without reasons). */
int
cmd_recognize(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	long long    id;
	int          rv;

	if ((rv = parse_case_id(a->pos[0], &id)) != 0) {
		return (rv);
	}
	if (opt_get(a, "--no") == NULL || opt_get(a, "--date") == NULL) {
		return (usage_err("recognize cần --no SỐ_QUYẾT_ĐỊNH và --date "
		                  "NGÀY (YYYY-MM-DD)"));
	}
	args = cli_case_args(id);
	json_object_object_add(args, "decision_no",
	    json_object_new_string(opt_get(a, "--no")));
	json_object_object_add(args, "decision_date",
	    json_object_new_string(opt_get(a, "--date")));
	if ((opt_get(a, "--refuse") != NULL)) {
		json_object_object_add(
		    args, "outcome", json_object_new_string("refused"));
	}
	set_opt_string(args, a, "--note");
	return (call_and_show(
	    cl, cmd, a, "case.recognize", args, show_recognized));
}
