/*
 * form.h: the application as the law's form asks for it (form.c): the
 * authors' particulars, the trial users and their assessment of the
 * benefits (Thông tư 18/2013/TT-BKHCN, Phụ lục, "Đơn yêu cầu công nhận
 * sáng kiến"), the author's declaration at submission (Điều 3, Điều lệ
 * sáng kiến), and the receipt with its register and the date the answer
 * is due (Điều 7, Điều lệ sáng kiến; Điều 6, Thông tư 18/2013).  The case
 * handlers (core/ops/case.c) call these on create, update, submit and
 * accept; nothing else writes these fields.
 */
#ifndef SK_MODEL_FORM_H
#define SK_MODEL_FORM_H

#include "core/model/ctx.h"
#include "core/model/doc.h"

/* An author's particulars: {name, user?, birth_date, workplace, position,
 * qualification, share}; a draft may leave the strings empty. */
#define FORM_AUTHOR_KEYS \
	"name", "user", "birth_date", "workplace", "position", \
	    "qualification", "share"

/*
 * Checks the particulars of authors[i] (in, an object) and adds them to
 * out, every key present ("" when not given).  Returns 0, or an error in
 * ctx->err naming the field.
 */
int form_author_details(struct op_ctx *ctx, json_object *in, size_t i,
    json_object *out);

/*
 * Copies the form's fields of args onto doc, checking each:
 * trial_users, benefits_assessed, first_applied_end.  Names the fields it
 * changed in changed.  Returns 0, or an error in ctx->err (nothing is then
 * committed).
 */
int form_apply(struct op_ctx *ctx, json_object *doc, bool creating,
    json_object *changed);

/*
 * What the form still lacks before it may be submitted, as sentences in
 * Vietnamese naming the field ("Tác giả 2 (Lê Văn B): thiếu ngày sinh
 * (birth_date)."); an empty array when nothing.  Caller owns it.
 */
json_object *form_problems(json_object *doc);

/*
 * The declaration of case.act submit (args.declaration): refuses with
 * bad_request, naming what is missing, unless both statements are true;
 * stores them on doc with who declared and when.  A declaration given to
 * another action is refused too.
 */
int form_declaration(struct op_ctx *ctx, const char *action, json_object *doc);

/*
 * The receipt: at submission (accepted false) a number from the unit's
 * register for the year (a first submission only: a resubmission after
 * return keeps its number and date), and the provisional date the answer
 * is due; at accept (accepted true) that date fixed, and the review's
 * deadline (due_at) moved to start from the end of the first application
 * when that is later than today.
 */
int form_receipt(struct op_ctx *ctx, json_object *doc, bool accepted);

/* "YYYY-MM-DD" months later (the month's last day past its end): out has
 * 11 bytes.  False if ymd is no date. */
bool form_add_months(const char *ymd, int months, char *out);

/*
 * At start (core/server/upgrade.c): every case written before the form's
 * fields existed gets them empty (each author's birth_date, workplace,
 * position, qualification; trial_users, benefits_assessed), keeping all
 * it had; its next submission asks for them.  Once done, the meta key
 * "form_upgraded" says so and later starts skip the scan.  *n: the cases
 * rewritten.
 */
int form_upgrade(struct op_ctx *ctx, uint64_t *n);

#endif
