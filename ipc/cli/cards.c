/*
 * cards.c: what the sangkien CLI shows of the server's objects, built from
 * render.c's tables, cards and words: a case's card (its head, authors,
 * sections, similar cases, ballots, decisions and timeline), the tables of
 * cases, events, states, units, users, councils and rubrics, and a
 * rubric's criteria.  Each says so when there is nothing to show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/workflow.h"
#include "ipc/cli/cli.h"
#include "ipc/utf8width.h"

/* A table of the number of cases in each state, with a total. */
int
print_state_counts(json_object *cases)
{
	static const char *heads[] = { "MÃ", "SỐ HỒ SƠ", "TRẠNG THÁI" };
	struct cli_table  *t;
	char               buf[32];
	long long          total = 0;

	if ((t = cli_table_new(3, heads)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	for (int s = 0; s < WF_NSTATES; s++) {
		const char *name = wf_state_name((enum wf_state) s);
		const char *row[3];

		snprintf(buf, sizeof(buf), "%lld", jint(cases, name, 0));
		total += jint(cases, name, 0);
		row[0] = name;
		row[1] = buf;
		row[2] = cli_state_short(name);
		cli_table_add(t, row);
	}
	snprintf(buf, sizeof(buf), "%lld", total);
	{
		const char *row[3] = { "tổng", buf, "" };

		cli_table_add(t, row);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}


/*
 * Prints cases (from case.list) as a table for people, or says there are
 * none.  It fits the output's width: the title is cut first, then the unit;
 * the state is its short label, never cut.
 */
int
print_cases(json_object *all, int with_due)
{
	static const char *heads[] = { "SỐ", "TRẠNG THÁI", "ĐƠN VỊ",
		"TÊN SÁNG KIẾN", "CẬP NHẬT", "HẠN" };
	struct cli_table  *t;

	if (jlen(all) == 0) {
		printf("Không có hồ sơ nào.\n");
		return (CLI_OK);
	}
	if ((t = cli_table_new(5 + with_due, heads)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	cli_table_flex(t, 3, 16);
	cli_table_cut(t, 2, 8);
	for (size_t i = 0; i < jlen(all); i++) {
		json_object *it = json_object_array_get_idx(all, i);
		char         up[64];
		char         due[64];
		const char  *row[6];

		cli_time(cli_str(it, "updated_at"), 1, up, sizeof(up));
		cli_time(cli_str(it, "due_at"), 1, due, sizeof(due));
		row[0] = cli_str(it, "id");
		row[1] = cli_state_short(cli_str(it, "state"));
		row[2] = cli_str(it, "unit");
		row[3] = cli_str(it, "title");
		row[4] = up;
		row[5] = due;
		cli_table_add(t, row);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/*
 * Prints events as a table (with_seq adds their number in the history),
 * each note wrapped below its event, or says there are none.
 */
int
print_events(json_object *items, int with_seq)
{
	static const char *heads[] = { "SỐ", "LÚC", "NGƯỜI LÀM", "VIỆC",
		"THAY ĐỔI" };
	struct cli_table  *t;
	int                off = with_seq ? 0 : 1;

	if (jlen(items) == 0) {
		printf("  Chưa có sự kiện nào.\n");
		return (CLI_OK);
	}
	if ((t = cli_table_new(5 - off, heads + off)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	/* The actor is cut first, never what happened; each row's change
	 * is the state it led to, the one before being the row above. */
	cli_table_flex(t, 2 - off, 10);
	cli_table_cut(t, 4 - off, 10);
	for (size_t i = 0; i < jlen(items); i++) {
		json_object *ev = json_object_array_get_idx(items, i);
		char         at[64];
		char         change[256];
		const char  *row[5];

		cli_time(cli_str(ev, "at"), 0, at, sizeof(at));
		cli_event_change(ev, 0, change, sizeof(change));
		row[0] = cli_str(ev, "seq");
		row[1] = at;
		row[2] = cli_str(ev, "actor");
		row[3] = cli_event_words(ev);
		row[4] = change;
		cli_table_add(t, row + off);
		cli_table_note(t, cli_str(ev, "note"));
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/* Marks ({criterion: n}) on one line: "novelty 25, applicability 20". */
static void
render_marks(json_object *marks, char *out, size_t len)
{
	size_t n = 0;
	char   num[64];

	out[0] = '\0';
	if (marks == NULL || !json_object_is_type(marks, json_type_object)) {
		snprintf(out, len, "-");
		return;
	}
	json_object_object_foreach(marks, key, val)
	{
		render_number(val, num, sizeof(num));
		if (n < len) {
			n += (size_t) snprintf(out + n, len - n, "%s%s %s",
			    n > 0 ? ", " : "", key, num);
		}
	}
}

/*
 * Prints a decision ({stage, verdict, score, reasons, rubric, council,
 * decided_by, decided_at, note?}) as a card.
 */
void
print_decision(json_object *d)
{
	json_object *council = jobject(d, "council");
	char         buf[4096];
	char         at[64];

	printf("\nQuyết định %s\n", stage_text(cli_str(d, "stage")));
	card_line("kết quả", cli_verdict_words(cli_str(d, "verdict")));
	card_line("điểm", jnum_text(d, "score", buf, sizeof(buf)));
	cli_print_reasons(jarray(d, "reasons"));
	if (jobject(d, "rubric") != NULL) {
		render_rubric_ref(jobject(d, "rubric"), buf, sizeof(buf));
		card_line("bộ tiêu chí", buf);
	} else if (cli_str(d, "rubric") != NULL) {
		card_line("bộ tiêu chí", cli_str(d, "rubric"));
	}
	if (council != NULL) {
		snprintf(buf, sizeof(buf),
		    "%s: %lld trên %lld người được chấm đã chấm (%lld thành "
		    "viên)",
		    cli_str(council, "id") != NULL ? cli_str(council, "id")
		                                   : "?",
		    jint(council, "scored", 0), jint(council, "eligible", 0),
		    jint(council, "members", 0));
		card_line("hội đồng", buf);
	}
	cli_time(cli_str(d, "decided_at"), 0, at, sizeof(at));
	snprintf(buf, sizeof(buf), "%s, %s",
	    cli_str(d, "decided_by") != NULL ? cli_str(d, "decided_by") : "-",
	    at);
	card_line("người quyết định", buf);
	if (cli_str(d, "note") != NULL) {
		card_line("ghi chú", cli_str(d, "note"));
	}
}

/*
 * Prints the ballots of one stage that a case shows its reader, as a table:
 * whole ballots (member, role, time, total, the marks below) where the
 * reader may see them, and for the others only that the member has scored
 * (the server sends no marks then).  Then the comments of the ballots
 * shown whole.
 */
static void
print_stage_ballots(json_object *ballots, const char *stage)
{
	static const char *heads[] = { "", "THÀNH VIÊN", "VAI TRÒ", "LÚC CHẤM",
		"TỔNG" };
	struct cli_table  *t;
	int                n = 0;

	if ((t = cli_table_new(5, heads)) == NULL) {
		return;
	}
	for (size_t i = 0; i < jlen(ballots); i++) {
		json_object *b     = json_object_array_get_idx(ballots, i);
		json_object *marks = jobject(b, "marks");
		const char  *bs    = cli_str(b, "stage");
		char         total[64];
		char         mk[1024];
		char         at[64];
		const char  *row[5];

		if (bs == NULL || strcmp(bs, stage) != 0) {
			continue;
		}
		cli_time(cli_str(b, "at"), 0, at, sizeof(at));
		/* Others' marks are not sent before the decision: the row
		 * says the member has scored, and nothing of how. */
		snprintf(total, sizeof(total), "giữ kín");
		mk[0] = '\0';
		if (marks != NULL) {
			jnum_text(b, "total", total, sizeof(total));
			render_marks(marks, mk, sizeof(mk));
		}
		row[0] = "";
		row[1] = cli_str(b, "member");
		row[2] = cli_role_words(cli_str(b, "role"));
		row[3] = at;
		row[4] = total;
		cli_table_add(t, row);
		cli_table_note(t, mk);
		n++;
	}
	if (n > 0) {
		printf("\nPhiếu chấm %s\n", stage_text(stage));
		cli_table_print(t, stdout);
	}
	cli_table_free(t);
	for (size_t i = 0; i < jlen(ballots); i++) {
		json_object *b  = json_object_array_get_idx(ballots, i);
		const char  *bs = cli_str(b, "stage");

		if (bs == NULL || strcmp(bs, stage) != 0 ||
		    cli_str(b, "comment") == NULL) {
			continue;
		}
		printf("  nhận xét của %s:\n",
		    cli_str(b, "member") != NULL ? cli_str(b, "member") : "?");
		print_wrapped(cli_str(b, "comment"), 4, 80);
	}
}

/* Prints the ballots a case shows its reader, stage by stage. */
static void
print_ballots(json_object *ballots)
{
	print_stage_ballots(ballots, "unit");
	print_stage_ballots(ballots, "province");
}

/* The first lines of a case's card: its title, state, unit, times. */
static void
print_case_head(json_object *c)
{
	json_object *rubric = jobject(c, "rubric");
	char         buf[1024];
	static const struct {
		const char *label;
		const char *key;
	} times[] = {
		{ "tạo lúc", "created_at" },
		{ "cập nhật lúc", "updated_at" },
		{ "nộp lúc", "submitted_at" },
		{ "hạn xét", "due_at" },
	};

	/* The title, wrapped like the sections below it. */
	snprintf(buf, sizeof(buf), "Hồ sơ số %s: %s", cli_str(c, "id"),
	    cli_str(c, "title") != NULL ? cli_str(c, "title") : "");
	print_wrapped(buf, 0, cli_out_width() < 80 ? cli_out_width() : 80);
	cli_state_text(cli_str(c, "state"), buf, sizeof(buf));
	card_line("trạng thái", buf);
	card_line("phiên bản", cli_str(c, "version"));
	card_line("đơn vị", cli_str(c, "unit"));
	card_line("lĩnh vực", cli_str(c, "field"));
	card_line("chủ sở hữu", cli_str(c, "owner"));
	card_line("áp dụng lần đầu", cli_str(c, "first_applied"));
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		if (cli_str(c, times[i].key) != NULL) {
			cli_time(
			    cli_str(c, times[i].key), 0, buf, sizeof(buf));
			card_line(times[i].label, buf);
		}
	}
	if (rubric != NULL) {
		size_t n;

		/* The version pinned when the review began: edits to the
		 * rubric since then do not change how this case is decided. */
		render_rubric_ref(rubric, buf, sizeof(buf));
		n = strlen(buf);
		if (cli_str(rubric, "stage") != NULL) {
			snprintf(buf + n, sizeof(buf) - n,
			    ", cố định cho đợt xét %s",
			    stage_text(cli_str(rubric, "stage")));
		}
		card_line("bộ tiêu chí", buf);
	}
}

/*
 * The application's form (issue 16): a person's particulars, the trial
 * users, the benefits they assessed, the receipt, the round, the
 * declaration and the flag of a near copy.
 */

/* A person's particulars under their name, "-" for what is missing. */
static void
print_person_details(json_object *p)
{
	static const struct {
		const char *key, *label;
	} f[] = {
		{ "birth_date", "ngày sinh" },
		{ "workplace", "nơi công tác" },
		{ "position", "chức danh" },
		{ "qualification", "trình độ chuyên môn" },
	};
	char   buf[1024];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *v = cli_str(p, f[i].key);
		if (json_object_object_get_ex(p, f[i].key, NULL) ||
		    i == 0 || i == 1) {
			n += (size_t) snprintf(buf + n,
			    n < sizeof(buf) ? sizeof(buf) - n : 0, "%s%s: %s",
			    n > 0 ? "; " : "", f[i].label,
			    v != NULL && v[0] != '\0' ? v : "-");
		}
	}
	print_wrapped(buf, 4, cli_out_width() < 80 ? cli_out_width() : 80);
}

/* The receipt, the round, the declaration and the flag, under the head. */
static void
print_case_intake(json_object *c)
{
	json_object *r = jobject(c, "receipt"), *d = jobject(c, "declaration");
	json_object *f = jobject(c, "flagged_similar"), *v;
	char         buf[1024];

	if (r != NULL) {
		int prov = json_object_object_get_ex(r, "provisional", &v) &&
		    json_object_get_boolean(v);
		snprintf(buf, sizeof(buf), "số %s ngày %s",
		    cli_str(r, "no") ?: "?", cli_str(r, "date") ?: "?");
		card_line("giấy biên nhận", buf);
		snprintf(buf, sizeof(buf), "%s%s", cli_str(r, "answer_due") ?: "?",
		    prov ? " (tạm tính từ ngày nộp; cố định khi tiếp nhận)" : "");
		card_line("hạn trả lời", buf);
	}
	if (cli_str(c, "round") != NULL) {
		card_line("đợt xét", cli_str(c, "round"));
	} else if (r != NULL) {
		card_line("đợt xét", "không thuộc đợt nào");
	}
	if (cli_str(c, "first_applied_end") != NULL) {
		card_line("kết thúc áp dụng lần đầu", cli_str(c, "first_applied_end"));
	}
	if (d != NULL) {
		snprintf(buf, sizeof(buf),
		    "không trái trật tự công cộng, đạo đức xã hội; không "
		    "đang được bảo hộ sở hữu trí tuệ (%s, %s)",
		    cli_str(d, "declared_by") ?: "?",
		    cli_str(d, "declared_at") ?: "?");
		card_line("cam đoan", buf);
	}
	if (f != NULL) {
		double s = json_object_object_get_ex(f, "similarity", &v)
		    ? json_object_get_double(v)
		    : 0;
		snprintf(buf, sizeof(buf),
		    "GẦN TRÙNG hồ sơ số %s \"%s\" (độ giống %.0f%%)",
		    cli_str(f, "id") ?: "?", cli_str(f, "title") ?: "",
		    s * 100);
		card_line("cảnh báo", buf);
	}
}

/* The trial users and the benefits they assessed. */
static void
print_trial_users(json_object *c)
{
	json_object *t = jarray(c, "trial_users");
	const char  *b = cli_str(c, "benefits_assessed");
	int          width = cli_out_width() < 80 ? cli_out_width() : 80;

	if (jlen(t) > 0) {
		printf("\nNgười đã tham gia áp dụng thử hoặc áp dụng lần đầu\n");
	}
	for (size_t i = 0; i < jlen(t); i++) {
		json_object *p = json_object_array_get_idx(t, i);
		printf("  %s\n", cli_str(p, "name") ?: "?");
		print_person_details(p);
		printf("    nội dung công việc hỗ trợ: %s\n",
		    cli_str(p, "content") ?: "-");
	}
	if (b != NULL && b[0] != '\0') {
		printf("\nĐánh giá lợi ích của người đã áp dụng\n");
		print_wrapped(b, 2, width);
	}
}

/* Prints the authors of a case with their shares. */
static void
print_authors(json_object *authors)
{
	char buf[1024];

	printf("\nTác giả\n");
	for (size_t i = 0; i < jlen(authors); i++) {
		json_object *au   = json_object_array_get_idx(authors, i);
		const char  *name = cli_str(au, "name");
		const char  *user = cli_str(au, "user");
		int          w;

		snprintf(buf, sizeof(buf), "%s%s%s%s",
		    name != NULL ? name : "?", user != NULL ? " (" : "",
		    user != NULL ? user : "", user != NULL ? ")" : "");
		w = sk_utf8_width(buf);
		printf("  %s%*s  %s%%\n", buf, w < 44 ? 44 - w : 0, "",
		    cli_str(au, "share") != NULL ? cli_str(au, "share") : "?");
		print_person_details(au);
	}
}

/* True if the array of section keys conf names key. */
static int
section_listed(json_object *conf, const char *key)
{
	for (size_t i = 0; i < jlen(conf); i++) {
		if (strcmp(json_object_get_string(
		               json_object_array_get_idx(conf, i)),
		        key) == 0) {
			return (1);
		}
	}
	return (0);
}

/* Prints the sections of a case under their Vietnamese headings. */
static void
print_sections(json_object *c)
{
	json_object *sections = jobject(c, "sections");
	json_object *conf     = jarray(c, "confidential");
	int          width    = cli_out_width();

	/* Prose reads best in lines of about 80 columns. */
	if (width > 80) {
		width = 80;
	}
	for (size_t i = 0; i < WF_NSECTIONS; i++) {
		const char *key    = wf_sections[i].id;
		const char *text   = cli_str(sections, key);
		int         secret = section_listed(conf, key);

		printf("\n%s (%s)%s\n", wf_sections[i].label, key,
		    secret ? " [bảo mật]" : "");
		if (text != NULL && text[0] != '\0') {
			print_wrapped(text, 2, width);
		} else {
			printf("  %s\n",
			    secret ? "(bảo mật: không hiển thị)" : "-");
		}
	}
}

/* Prints the cases the server found similar, if any. */
static void
print_similar(json_object *similar)
{
	if (jlen(similar) > 0) {
		printf("\nSáng kiến tương tự\n");
	}
	for (size_t i = 0; i < jlen(similar); i++) {
		json_object *s = json_object_array_get_idx(similar, i);
		json_object *sim;
		double       v = 0;

		if (json_object_object_get_ex(s, "similarity", &sim)) {
			v = json_object_get_double(sim);
		}
		printf("  #%s  %s  (độ giống %.2f)\n", cli_str(s, "id"),
		    cli_str(s, "title") != NULL ? cli_str(s, "title") : "", v);
	}
}

/* Prints a case as a card for people, with its history if not NULL. */
void
print_case(json_object *c, json_object *history)
{
	json_object *ballots   = jarray(c, "ballots");
	json_object *decisions = jarray(c, "decisions");

	print_case_head(c);
	print_case_intake(c);
	print_authors(jarray(c, "authors"));
	print_sections(c);
	print_trial_users(c);
	print_similar(jarray(c, "similar"));
	print_ballots(ballots);
	for (size_t i = 0; i < jlen(decisions); i++) {
		print_decision(json_object_array_get_idx(decisions, i));
	}
	if (jlen(decisions) == 0 && jobject(c, "decision") != NULL) {
		print_decision(jobject(c, "decision"));
	}
	if (history != NULL) {
		printf("\nDiễn biến\n");
		print_events(jarray(history, "items"), 0);
	}
}


/*
 * Prints a rubric's criteria as a table (id, Vietnamese label, maximum),
 * then the guides the rubric gives the council for each, wrapped.
 */
static void
print_criteria(json_object *crit)
{
	static const char *heads[] = { "", "TIÊU CHÍ", "TÊN", "TỐI ĐA" };
	struct cli_table  *t;
	int                guides = 0;

	if ((t = cli_table_new(4, heads)) == NULL) {
		return;
	}
	for (size_t i = 0; i < jlen(crit); i++) {
		json_object *c = json_object_array_get_idx(crit, i);
		char         max[64];
		const char  *row[4];

		row[0] = "";
		row[1] = cli_str(c, "id");
		row[2] = cli_str(c, "label");
		row[3] = jnum_text(c, "max", max, sizeof(max));
		cli_table_add(t, row);
		guides += cli_str(c, "guide") != NULL;
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	if (guides > 0) {
		printf("\nHướng dẫn cho hội đồng\n");
	}
	for (size_t i = 0; guides > 0 && i < jlen(crit); i++) {
		json_object *c = json_object_array_get_idx(crit, i);

		if (cli_str(c, "guide") != NULL) {
			printf("  %s (%s)\n", cli_str(c, "id"),
			    cli_str(c, "label") != NULL ? cli_str(c, "label")
			                                : "");
			print_wrapped(cli_str(c, "guide"), 4, 80);
		}
	}
}

/* The card of a rubric version: id, title, hash, current, bases. */
void
print_rubric_card(json_object *r)
{
	json_object *bases = jobject(r, "bases");
	char         buf[1024];
	size_t       n = 0;

	printf("Bộ tiêu chí %s: %s\n",
	    cli_str(r, "id") ? cli_str(r, "id") : "?",
	    cli_str(r, "title") != NULL ? cli_str(r, "title") : "");
	card_line("mã băm", cli_str(r, "hash"));
	if (json_object_object_get_ex(r, "current", NULL)) {
		card_line("hiện hành",
		    jbool(r, "current")
		        ? "có (các đợt xét mới cố định phiên bản này)"
		        : "không (phiên bản cũ, giữ cho các đợt xét đã cố "
		          "định nó)");
	}
	if (cli_str(r, "created_at") != NULL) {
		cli_time(cli_str(r, "created_at"), 0, buf, sizeof(buf));
		card_line("tạo lúc", buf);
	}
	buf[0] = '\0';
	json_object_object_foreach(bases, key, val)
	{
		if (n < sizeof(buf)) {
			n += (size_t) snprintf(buf + n, sizeof(buf) - n,
			    "%s%s (mã băm %.12s)", n > 0 ? ", " : "", key,
			    json_object_get_string(val));
		}
	}
	card_line("kế thừa", buf);
	printf("\n");
	print_criteria(jarray(r, "criteria"));
}

/* A similarity for people: three decimals. */
const char *
similarity_cell(json_object *it, char *out, size_t len)
{
	json_object *v;

	if (json_object_object_get_ex(it, "similarity", &v)) {
		snprintf(out, len, "%.3f", json_object_get_double(v));
	} else {
		snprintf(out, len, "-");
	}
	return (out);
}

const char *
unit_cell(json_object *it, char *out, size_t len)
{
	(void) out;
	(void) len;
	return (cli_str(it, "unit"));
}

/*
 * A table of cases: ID, then the state (in column state_col, 1 or 2) and
 * one more column that cell fills, then TITLE; or `empty` if none.
 */
int
print_case_items(json_object *items, const char *const heads[4],
    int state_col, const char *(*cell)(json_object *, char *, size_t),
    const char *empty)
{
	struct cli_table *t;

	if (jlen(items) == 0) {
		printf("%s\n", empty);
		return (CLI_OK);
	}
	if ((t = cli_table_new(4, heads)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	cli_table_flex(t, 3, 16);
	for (size_t i = 0; i < jlen(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		char         buf[32];
		const char  *row[4];

		row[0]             = cli_str(it, "id");
		row[state_col]     = cli_state_short(cli_str(it, "state"));
		row[3 - state_col] = cell(it, buf, sizeof(buf));
		row[3]             = cli_str(it, "title");
		cli_table_add(t, row);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/* The members of the listed objects that "unit list", ... show. */
static const struct {
	const char *name;
	const char *none; /* what an empty list says */
	const char *cols[8]; /* NULL-terminated */
} list_columns[] = {
	{ "unit", "Chưa có đơn vị nào.", { "id", "name", "parent", "rubric" } },
	{ "user", "Chưa có người dùng nào.", { "id", "name", "unit", "roles" } },
	{ "council", "Chưa có hội đồng nào.",
	    { "id", "name", "scope", "unit", "members", "fields", "rubric" } },
	{ "round", "Chưa có đợt xét nào.",
	    { "id", "name", "unit", "year", "opens", "closes", "decides_by" } },
	{ "rubric", "Chưa có bộ tiêu chí nào.",
	    { "id", "title", "criteria", "hash", "created_at" } },
};
#define CLI_NLISTS (sizeof(list_columns) / sizeof(list_columns[0]))

/* One row of a list: each column's member of the item, for people. */
static void
list_add_row(struct cli_table *t, const char *const *cols, json_object *it)
{
	char        cells[8][1024];
	const char *row[8];

	for (int c = 0; cols[c] != NULL; c++) {
		json_object *v = NULL;

		json_object_object_get_ex(it, cols[c], &v);
		/* A council's members and a rubric's criteria are counted;
		 * "get" and "show" list them. */
		if ((strcmp(cols[c], "members") == 0 ||
		        strcmp(cols[c], "criteria") == 0) &&
		    json_object_is_type(v, json_type_array)) {
			snprintf(cells[c], sizeof(cells[c]), "%zu", jlen(v));
		} else if (strcmp(cols[c], "scope") == 0 &&
		    json_object_is_type(v, json_type_string)) {
			/* "cấp cơ sở" under the heading CẤP: "cơ sở". */
			snprintf(cells[c], sizeof(cells[c]), "%s",
			    stage_text(json_object_get_string(v)) +
			        (strncmp(stage_text(json_object_get_string(v)),
			             "cấp ", strlen("cấp ")) == 0
			                ? strlen("cấp ")
			                : 0));
		} else if (strcmp(cols[c], "created_at") == 0 &&
		    json_object_is_type(v, json_type_string)) {
			cli_time(json_object_get_string(v), 1, cells[c],
			    sizeof(cells[c]));
		} else {
			render_value(v, cells[c], sizeof(cells[c]));
		}
		if (strcmp(cols[c], "hash") == 0) {
			cells[c][12] = '\0';
		}
		row[c] = cells[c];
	}
	cli_table_add(t, row);
}

/*
 * Prints the items of "unit list", "user list", ... (kind: "unit", ...)
 * as a table, its columns as list_columns say.
 */
int
print_list(const char *kind, json_object *items)
{
	size_t             k     = CLI_NLISTS - 1;
	const char *const *cols;
	struct cli_table  *t;
	const char        *hp[8] = { NULL };
	int                ncols;

	for (size_t i = 0; i < CLI_NLISTS; i++) {
		if (strcmp(list_columns[i].name, kind) == 0) {
			k = i;
		}
	}
	cols = list_columns[k].cols;
	if (jlen(items) == 0) {
		printf("%s\n", list_columns[k].none);
		return (CLI_OK);
	}
	for (ncols = 0; cols[ncols] != NULL; ncols++) {
		hp[ncols] = cli_key_word(cols[ncols], 1);
	}
	if ((t = cli_table_new(ncols, hp)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	/* The name is cut first; then any column but the ID. */
	cli_table_flex(t, 1, 12);
	for (int c = 2; c < ncols; c++) {
		cli_table_cut(t, c, 6);
	}
	for (size_t i = 0; i < jlen(items); i++) {
		list_add_row(t, cols, json_object_array_get_idx(items, i));
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}
