/*
 * docs.c: the CLI's commands for paper: `doc KIND ID` saves a case's
 * document (doc.get's PDF, sent in base64) to a file, `doc verify ID HASH`
 * asks whether a document's hash is the case's current state, and
 * `report NAME` writes a report as a spreadsheet (libxlsxwriter), CSV, or
 * a table on the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include <sodium.h>
#include <xlsxwriter.h>

#include "core/model/workflow.h"
#include "ipc/cli/cli.h"

/* Writes len bytes to path; 0, or CLI_EUSAGE after saying why not. */
static int
write_file(const char *path, const unsigned char *b, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "sangkien: không ghi được tệp %s: %s\n", path,
		    strerror(errno));
		if (f != NULL) {
			fclose(f);
		}
		return (CLI_EUSAGE);
	}
	return (CLI_OK);
}

int
cmd_doc(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	const char    *kind = a->pos[0];
	const char    *user = opt_get(a, "--user");
	const char    *out  = opt_get(a, "-o") ?: opt_get(a, "--output");
	char           name[128];
	long long      id;
	json_object   *args, *reply, *r;
	unsigned char *pdf;
	size_t         b64len, len = 0;
	const char    *b64;
	int            rv;

	if ((rv = parse_case_id(a->pos[1], &id)) != 0) {
		return (rv);
	}
	args = cli_case_args(id);
	json_object_object_del(args, "id");
	json_object_object_add(args, "case", json_object_new_int64(id));
	json_object_object_add(args, "kind", json_object_new_string(kind));
	if (user != NULL) {
		json_object_object_add(args, "user", json_object_new_string(user));
	}
	rv = cli_call(cl->c, "doc.get", args, NULL, &reply);
	json_object_put(args);
	if (rv != CLI_OK) {
		return (rv);
	}
	r   = cli_result(reply);
	b64 = cli_str(r, "pdf");
	if (b64 == NULL) {
		json_object_put(reply);
		fprintf(stderr, "sangkien: doc.get trả lời không có PDF\n");
		return (CLI_ETRANSPORT);
	}
	b64len = strlen(b64);
	if ((pdf = malloc(b64len)) == NULL ||
	    sodium_base642bin(pdf, b64len, b64, b64len, NULL, &len, NULL,
	        sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(pdf);
		json_object_put(reply);
		fprintf(stderr, "sangkien: PDF trong doc.get không đọc được\n");
		return (CLI_ETRANSPORT);
	}
	if (out == NULL) {
		snprintf(name, sizeof(name), "%s-%lld.pdf", kind, id);
		out = name;
	}
	rv = write_file(out, pdf, len);
	free(pdf);
	if (rv == CLI_OK) {
		if (cl->o.json) {
			json_object_object_del(r, "pdf");
			json_object_object_add(r, "file", json_object_new_string(out));
			cli_print_json(r, 0);
		} else {
			printf("Đã lưu %s (%zu byte)\nMã kiểm tra: %s\n", out, len,
			    cli_str(r, "hash") ?: "");
		}
	}
	json_object_put(reply);
	return (rv);
}

static int
show_doc_verify(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	if (jbool(r, "current")) {
		printf("Đúng: văn bản khớp trạng thái hiện tại của hồ sơ %lld.\n",
		    jint(r, "case", 0));
		return (CLI_OK);
	}
	if (jbool(r, "superseded")) {
		printf("Văn bản thật nhưng đã cũ: hồ sơ %lld đã thay đổi sau "
		       "đó.\n",
		    jint(r, "case", 0));
	} else {
		printf("Không khớp: mã kiểm tra không thuộc hồ sơ %lld.\n",
		    jint(r, "case", 0));
	}
	return (CLI_EREPLY);
}

int
cmd_doc_verify(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	long long    id;
	json_object *args;
	int          rv;

	if ((rv = parse_case_id(a->pos[0], &id)) != 0) {
		return (rv);
	}
	args = json_object_new_object();
	json_object_object_add(args, "case", json_object_new_int64(id));
	json_object_object_add(args, "hash", json_object_new_string(a->pos[1]));
	return (call_and_show(cl, cmd, a, "doc.verify", args, show_doc_verify));
}

/* ---- Reports ---------------------------------------------------------- */

/* A column of a report: the item's key, its heading, how it is shown. */
enum col_type { C_TEXT, C_INT, C_NUM, C_YESNO, C_SCOPE, C_LIST, C_DATE };

struct col {
	const char   *key;
	const char   *head;
	enum col_type type;
	double        width; /* in the spreadsheet, characters */
};

#define NCOLS_MAX 24

static const struct col times_cols[] = {
	{ "id", "Số hồ sơ", C_INT, 9 },
	{ "unit", "Đơn vị", C_TEXT, 18 },
	{ "title", "Tên sáng kiến", C_TEXT, 50 },
	{ "submitted", "Ngày nộp", C_DATE, 12 },
	{ "answer_due", "Hạn trả lời", C_DATE, 12 },
	{ "answered", "Ngày trả lời", C_DATE, 12 },
	{ "days", "Số ngày", C_INT, 9 },
	{ "late", "Quá hạn", C_YESNO, 9 },
	{ NULL, NULL, C_TEXT, 0 },
};

static const struct col recognized_cols[] = {
	{ "id", "Số hồ sơ", C_INT, 9 },
	{ "unit", "Đơn vị", C_TEXT, 18 },
	{ "title", "Tên sáng kiến", C_TEXT, 50 },
	{ "field", "Lĩnh vực", C_TEXT, 20 },
	{ "scope", "Phạm vi", C_SCOPE, 10 },
	{ "decision_no", "Số quyết định", C_TEXT, 14 },
	{ "decision_date", "Ngày quyết định", C_DATE, 14 },
	{ "authors_text", "Tác giả (tỷ lệ đóng góp)", C_TEXT, 40 },
	{ NULL, NULL, C_TEXT, 0 },
};

static const struct col authors_cols[] = {
	{ "name", "Họ và tên", C_TEXT, 24 },
	{ "unit", "Đơn vị", C_TEXT, 18 },
	{ "count", "Số sáng kiến", C_INT, 12 },
	{ "province", "Cấp tỉnh", C_INT, 10 },
	{ "cases", "Mã hồ sơ", C_LIST, 14 },
	{ NULL, NULL, C_TEXT, 0 },
};

static const struct col scorers_cols[] = {
	{ "council", "Hội đồng", C_TEXT, 12 },
	{ "user", "Thành viên", C_TEXT, 18 },
	{ "cases", "Số hồ sơ", C_INT, 9 },
	{ "mean_deviation", "Chênh lệch TB (điểm)", C_NUM, 12 },
	{ "correlation", "Tương quan", C_NUM, 11 },
	{ "decisive", "Phiếu quyết định", C_INT, 10 },
	{ "flagged", "Cảnh báo", C_YESNO, 9 },
	{ "explain", "Giải thích", C_TEXT, 60 },
	{ NULL, NULL, C_TEXT, 0 },
};

/* The states report's columns: the unit, every state, the total. */
static size_t
states_cols(struct col *cols)
{
	size_t n = 0;
	cols[n++] = (struct col) { "unit_name", "Đơn vị", C_TEXT, 36 };
	for (int s = 0; s < WF_NSTATES; s++) {
		const char *name = wf_state_name((enum wf_state) s);
		cols[n++] = (struct col) { name, cli_state_short(name), C_INT, 11 };
	}
	cols[n++] = (struct col) { "total", "Tổng", C_INT, 8 };
	cols[n]   = (struct col) { NULL, NULL, C_TEXT, 0 };
	return (n);
}

/* A cell as text (for the table and the CSV); "" for none. */
static const char *
cell_text(json_object *it, const struct col *c, char *buf, size_t len)
{
	json_object *v = json_object_object_get(it, c->key);
	buf[0]         = '\0';
	if (v == NULL) {
		return (buf);
	}
	switch (c->type) {
	case C_YESNO: return (json_object_get_boolean(v) ? "Có" : "");
	case C_SCOPE:
		return (strcmp(json_object_get_string(v), "province") == 0
		        ? "Tỉnh"
		        : "Cơ sở");
	case C_NUM: snprintf(buf, len, "%g", json_object_get_double(v)); break;
	case C_LIST:
		for (size_t i = 0, used = 0; i < jlen(v) && used < len; i++) {
			used += (size_t) snprintf(buf + used, len - used, "%s%s",
			    i ? ", " : "",
			    json_object_get_string(json_object_array_get_idx(v, i)));
		}
		break;
	default: snprintf(buf, len, "%s", json_object_get_string(v)); break;
	}
	return (buf);
}

static int
write_csv(const char *path, const struct col *cols, json_object *items)
{
	FILE *f = fopen(path, "w");
	char  buf[4096];

	if (f == NULL) {
		fprintf(stderr, "sangkien: không ghi được tệp %s: %s\n", path,
		    strerror(errno));
		return (CLI_EUSAGE);
	}
	/* A byte-order mark, so that spreadsheet programs read UTF-8. */
	fputs("\xEF\xBB\xBF", f);
	for (size_t r = 0; r <= jlen(items); r++) {
		json_object *it = r ? json_object_array_get_idx(items, r - 1) : NULL;
		for (const struct col *c = cols; c->key != NULL; c++) {
			const char *s = it ? cell_text(it, c, buf, sizeof(buf))
			                   : c->head;
			fputs(c == cols ? "\"" : ",\"", f);
			for (; *s; s++) {
				if (*s == '"') {
					fputc('"', f);
				}
				fputc(*s, f);
			}
			fputc('"', f);
		}
		fputs("\r\n", f);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "sangkien: không ghi được tệp %s\n", path);
		return (CLI_EUSAGE);
	}
	return (CLI_OK);
}

static int
write_xlsx(const char *path, const char *title, const struct col *cols,
    json_object *items)
{
	lxw_workbook  *wb = workbook_new(path);
	lxw_worksheet *ws;
	lxw_format    *head, *num, *intf, *wrap;
	char           buf[4096];
	lxw_col_t      c;

	if (wb == NULL) {
		fprintf(stderr, "sangkien: không tạo được tệp %s\n", path);
		return (CLI_EUSAGE);
	}
	ws   = workbook_add_worksheet(wb, title);
	head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bg_color(head, 0xDDEBF7);
	format_set_border(head, LXW_BORDER_THIN);
	format_set_text_wrap(head);
	format_set_align(head, LXW_ALIGN_CENTER);
	format_set_align(head, LXW_ALIGN_VERTICAL_CENTER);
	num = workbook_add_format(wb);
	format_set_num_format(num, "0.0##");
	intf = workbook_add_format(wb);
	format_set_num_format(intf, "0");
	wrap = workbook_add_format(wb);
	format_set_text_wrap(wrap);
	format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);

	c = 0;
	for (const struct col *k = cols; k->key != NULL; k++, c++) {
		worksheet_set_column(ws, c, c, k->width, NULL);
		worksheet_write_string(ws, 0, c, k->head, head);
	}
	worksheet_set_row(ws, 0, 32, NULL);
	worksheet_freeze_panes(ws, 1, 0);
	for (size_t r = 0; r < jlen(items); r++) {
		json_object *it = json_object_array_get_idx(items, r);
		c               = 0;
		for (const struct col *k = cols; k->key != NULL; k++, c++) {
			json_object *v   = json_object_object_get(it, k->key);
			lxw_row_t    row = (lxw_row_t) (r + 1);
			if (v == NULL) {
				continue;
			}
			if (k->type == C_INT) {
				worksheet_write_number(ws, row, c,
				    (double) json_object_get_int64(v), intf);
			} else if (k->type == C_NUM) {
				worksheet_write_number(
				    ws, row, c, json_object_get_double(v), num);
			} else {
				worksheet_write_string(ws, row, c,
				    cell_text(it, k, buf, sizeof(buf)),
				    k->width >= 40 ? wrap : NULL);
			}
		}
	}
	if (jlen(items) > 0) {
		worksheet_autofilter(ws, 0, 0, (lxw_row_t) jlen(items),
		    (lxw_col_t) (c - 1));
	}
	if (workbook_close(wb) != LXW_NO_ERROR) {
		fprintf(stderr, "sangkien: không ghi được tệp %s\n", path);
		return (CLI_EUSAGE);
	}
	return (CLI_OK);
}

static int
print_report(const struct col *cols, json_object *items)
{
	const char *heads[NCOLS_MAX] = { NULL };
	const char *cells[NCOLS_MAX];
	char        bufs[NCOLS_MAX][512];
	int         n = 0, flex = -1;

	for (const struct col *c = cols; c->key != NULL; c++, n++) {
		heads[n] = c->head;
		if (c->width >= 36 && flex < 0) {
			flex = n;
		}
	}
	struct cli_table *t = cli_table_new(n, heads);
	if (flex >= 0) {
		cli_table_flex(t, flex, 12);
	}
	for (size_t r = 0; r < jlen(items); r++) {
		json_object *it = json_object_array_get_idx(items, r);
		for (int i = 0; i < n; i++) {
			cells[i] = cell_text(it, &cols[i], bufs[i], sizeof(bufs[i]));
		}
		cli_table_add(t, cells);
	}
	if (jlen(items) == 0) {
		printf("(không có dòng nào)\n");
	} else {
		cli_table_print(t, stdout);
	}
	cli_table_free(t);
	return (CLI_OK);
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return (n >= m && strcasecmp(s + n - m, tail) == 0);
}

int
cmd_report(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	static const struct {
		const char       *name;
		const struct col *cols;
		const char       *title;
	} reports[] = {
		{ "states", NULL, "Trạng thái" },
		{ "times", times_cols, "Thời hạn trả lời" },
		{ "recognized", recognized_cols, "Sáng kiến được công nhận" },
		{ "authors", authors_cols, "Tác giả" },
		{ "scorers", scorers_cols, "Thành viên chấm điểm" },
	};
	const char  *name = a->pos[0], *out = opt_get(a, "-o") ?: opt_get(a, "--output");
	const char  *unit = opt_get(a, "--unit");
	struct col   scols[NCOLS_MAX];
	const struct col *cols = NULL;
	const char  *title = NULL;
	char         op[64];
	json_object *args, *reply, *items;
	int          rv;

	for (size_t i = 0; i < sizeof(reports) / sizeof(*reports); i++) {
		if (strcmp(reports[i].name, name) == 0) {
			cols  = reports[i].cols;
			title = reports[i].title;
			if (cols == NULL) {
				states_cols(scols);
				cols = scols;
			}
		}
	}
	if (cols == NULL) {
		return (usage_err("không có báo cáo '%s' (có: states, times, "
		                  "recognized, authors, scorers)",
		    name));
	}
	if (out != NULL && !ends_with(out, ".xlsx") && !ends_with(out, ".csv")) {
		return (usage_err("-o: tệp .xlsx hoặc .csv, không phải '%s'", out));
	}
	args = json_object_new_object();
	if (opt_get(a, "--year") != NULL) {
		long long y = 0;
		if ((rv = opt_pos_int(a, "--year", "năm", &y)) != 0) {
			json_object_put(args);
			return (rv);
		}
		json_object_object_add(args, "year", json_object_new_int64(y));
	}
	set_opt_string(args, a, "--round");
	set_opt_string(args, a, "--field");
	set_opt_string(args, a, "--state");
	if (unit != NULL) {
		json_object_object_add(args, "unit", json_object_new_string(unit));
		json_object_object_add(args, "subunits",
		    json_object_new_boolean(opt_get(a, "--only") == NULL));
	}
	snprintf(op, sizeof(op), "report.%s", name);
	rv = cli_call(cl->c, op, args, NULL, &reply);
	json_object_put(args);
	if (rv != CLI_OK) {
		return (rv);
	}
	items = jarray(cli_result(reply), "items");
	if (out != NULL) {
		rv = ends_with(out, ".csv") ? write_csv(out, cols, items)
		                            : write_xlsx(out, title, cols, items);
		if (rv == CLI_OK && !cl->o.json) {
			printf("Đã ghi %s (%zu dòng)\n", out, jlen(items));
		}
	}
	if (cl->o.json) {
		cli_print_json(cli_result(reply), 0);
	} else if (out == NULL) {
		rv = print_report(cols, items);
	}
	json_object_put(reply);
	return (rv);
}
