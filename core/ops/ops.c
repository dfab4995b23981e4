/*
 * ops.c: the op table, and what every handler shares.
 *
 * To add an operation: write its handler, add one row below.  The server
 * checks the arguments against `args` and the principal against `flags`
 * before the handler runs, so handlers only check what is specific to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/err.h"
#include "core/ops/ops.h"

#define ARGS(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NOARGS ((const char *const[]) { NULL })

#define CASE_FIELDS "title", "field", "sections", "authors", \
	"first_applied", "owner", "unit", "confidential", "trial_users", \
	"benefits_assessed", "first_applied_end"

#define REPORT_FILTER "year", "round", "unit", "subunits", "field", \
	"state", "pdf"

const struct op op_table[] = {
	/* Administration. */
	{ "unit.put", op_unit_put, OP_WRITE | OP_ADMIN,
	    ARGS("id", "name", "parent", "rubric", "similarity_flag"),
	    "create or replace a unit", NULL },
	{ "unit.get", op_unit_get, OP_PUBLIC, ARGS("id"), "one unit", NULL },
	{ "unit.list", op_unit_list, OP_PUBLIC, NOARGS, "all units", NULL },
	{ "user.put", op_user_put, OP_WRITE | OP_ADMIN,
	    ARGS("id", "name", "unit", "roles", "email", "notify"),
	    "create or replace a user", NULL },
	{ "user.token", op_user_token, OP_WRITE | OP_ADMIN, ARGS("id"),
	    "a new token for a user; older ones stop working", NULL },
	{ "user.get", op_user_get, OP_READER, ARGS("id"), "one user", NULL },
	{ "user.list", op_user_list, OP_READER, NOARGS, "all users", NULL },
	{ "council.put", op_council_put, OP_WRITE | OP_ADMIN,
	    ARGS("id", "name", "scope", "unit", "members", "fields", "rubric"),
	    "create or replace a council", NULL },
	{ "council.get", op_council_get, 0, ARGS("id"), "one council", NULL },
	{ "council.list", op_council_list, 0, NOARGS, "all councils", NULL },
	{ "auth.whoami", op_auth_whoami, 0, NOARGS,
	    "the principal, its unit, roles and councils", NULL },
	{ "auth.login", op_auth_login, OP_PUBLIC | OP_HEAVY,
	    ARGS("user", "password"),
	    "a session token for a user's password", op_auth_login_work },
	{ "auth.logout", op_auth_logout, 0, NOARGS,
	    "end the session of this token", NULL },
	{ "user.password", op_user_password, OP_HEAVY,
	    ARGS("id", "password", "old_password"),
	    "set a user's password (admin), or change one's own",
	    op_user_password_work },
	{ "server.status", op_server_status, OP_PUBLIC, NOARGS,
	    "version, uptime, cases by state, last event", NULL },
	{ "server.verify", op_server_verify, OP_READER, NOARGS,
	    "check indexes and the history's hash chain",
	    op_server_verify_work },
	{ "server.backup", op_server_backup, OP_ADMIN, ARGS("path"),
	    "hot, compacted copy of the database into a new directory",
	    op_server_backup_work },
	{ "server.clock", op_server_clock, OP_WRITE | OP_ADMIN | OP_TESTCLOCK,
	    ARGS("advance_s", "then_fail"), "move the test clock forward", NULL },
	{ "events.since", op_events_since, OP_READER, ARGS("seq", "limit"),
	    "events from seq on", NULL },
	/* Cases. */
	{ "case.create", op_case_create, OP_WRITE, ARGS(CASE_FIELDS),
	    "file a new initiative (a draft)", NULL },
	{ "case.update", op_case_update, OP_WRITE,
	    ARGS("id", "version", CASE_FIELDS),
	    "change a draft or a returned case", NULL },
	{ "case.get", op_case_get, OP_PUBLIC, ARGS("id"), "one case", NULL },
	{ "case.list", op_case_list, 0,
	    ARGS("state", "unit", "subunits", "author", "overdue", "limit",
	        "after", "round"),
	    "cases the caller may see, filtered, paged", NULL },
	{ "case.history", op_case_history, 0, ARGS("id"),
	    "the events of one case, oldest first", NULL },
	{ "case.act", op_case_act, OP_WRITE,
	    ARGS("id", "action", "version", "note", "declaration"),
	    "move a case: submit, accept, return, withdraw, nominate, "
	    "reopen, revoke", NULL },
	{ "case.similar", op_case_similar, 0, ARGS("id", "text", "limit"),
	    "cases like a case or a text, most similar first", NULL },
	{ "case.search", op_case_search, OP_PUBLIC,
	    ARGS("q", "limit", "after"),
	    "recognized cases with these words, accents or not", NULL },
	/* Council review. */
	{ "case.score", op_case_score, OP_WRITE,
	    ARGS("id", "marks", "vote", "comment"),
	    "a council member's ballot: marks per criterion and a vote",
	    NULL },
	{ "case.decide", op_case_decide, OP_WRITE, ARGS("id", "note", "confirm"),
	    "the chair records the council's recommendation (a preview "
	    "while ballots are missing)", NULL },
	{ "case.recognize", op_case_recognize, OP_WRITE,
	    ARGS("id", "decision_no", "decision_date", "outcome", "note"),
	    "the head of the unit recognizes or refuses the case", NULL },
	{ "rubric.list", op_rubric_list, 0, NOARGS,
	    "the rubrics and their current versions", NULL },
	{ "rubric.get", op_rubric_get, 0, ARGS("id", "hash"),
	    "one rubric: criteria, hash, source", NULL },
	/* rubric.put writes in its work's after step (op_work), not in a
	 * batch: it is not OP_WRITE. */
	{ "rubric.put", op_rubric_put, OP_ADMIN | OP_HEAVY,
	    ARGS("id", "source"), "a new version of a rubric (Lua source)",
	    op_rubric_put_work },
	{ "rubric.test", op_rubric_test, OP_HEAVY,
	    ARGS("id", "source", "case"),
	    "what check and decide would say now; changes nothing",
	    op_rubric_test_work },
	/* Rounds (đợt xét). */
	{ "round.put", op_round_put, OP_WRITE | OP_ADMIN,
	    ARGS("id", "name", "unit", "year", "opens", "closes",
	        "decides_by"),
	    "create or change a round of applications (đợt xét)", NULL },
	{ "round.get", op_round_get, OP_PUBLIC, ARGS("id"), "one round", NULL },
	{ "round.list", op_round_list, OP_PUBLIC, ARGS("unit", "year"),
	    "the rounds, in id order", NULL },
	/* Documents (issue 17): typeset on the thread pool. */
	{ "doc.get", op_doc_get, OP_HEAVY, ARGS("case", "kind", "user"),
	    "a case's document as PDF: receipt, sheet, minutes, decision, "
	    "certificate", op_doc_get_work },
	{ "doc.verify", op_doc_verify, OP_PUBLIC, ARGS("case", "hash"),
	    "is a document's hash the case's current state, or superseded",
	    NULL },
	/* Reports (issue 17): a snapshot each, on the thread pool. */
	{ "report.states", op_report_states, OP_READER, ARGS(REPORT_FILTER),
	    "cases counted by state and unit", op_report_work },
	{ "report.times", op_report_times, OP_READER, ARGS(REPORT_FILTER),
	    "answer times against the three months", op_report_work },
	{ "report.recognized", op_report_recognized, OP_READER,
	    ARGS(REPORT_FILTER),
	    "recognized initiatives with authors and shares", op_report_work },
	{ "report.authors", op_report_authors, OP_READER, ARGS(REPORT_FILTER),
	    "authors with a recognized initiative", op_report_work },
	{ "report.scorers", op_report_scorers, OP_READER, ARGS(REPORT_FILTER),
	    "how each council member's marks differ from their council's",
	    op_report_work },
	/* Notices (issue 18). */
	{ "notice.list", op_notice_list, 0, ARGS("unread", "limit", "before"),
	    "your notices, newest first, and how many are unread", NULL },
	{ "notice.read", op_notice_read, OP_WRITE, ARGS("id", "all"),
	    "mark one of your notices read, or all of them", NULL },
	{ "notice.outbox", op_notice_outbox, OP_ADMIN, ARGS("state", "limit"),
	    "the mail outbox: notices by mail state, failures", NULL },
	{ "notice.resend", op_notice_resend, OP_WRITE | OP_ADMIN, ARGS("id"),
	    "send a notice's mail again, to the user's current address",
	    NULL },
	{ "user.settings", op_user_settings, OP_WRITE,
	    ARGS("email", "notify"),
	    "your own e-mail address and how you are told (now, daily, off)",
	    NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL },
};

const struct op *
op_find(const char *name)
{
	for (const struct op *op = op_table; op->name != NULL; op++) {
		if (strcmp(op->name, name) == 0) {
			return (op);
		}
	}
	return (NULL);
}

