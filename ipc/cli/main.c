/*
 * main.c: sangkien, the admin command line of the sangkien server.  It is a
 * plain client of PROTOCOL.md (a req0 socket for requests, a sub0 socket for
 * `watch`), so that anything it does, a script or nngcat can do too.
 *
 * This file holds the global flags, the connection and one command table
 * (cmds[] below) that drives parsing, dispatch and the usage text, as
 * Redis's command table does: adding a command is one row here and one
 * function in the file of its family.  Output is for people by default and
 * for programs with --json (the raw result, one line).  Exit codes are
 * promised in cli.h: 1 when the server said no, 2 for a wrong command line,
 * 3 when there was no server to ask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <nng/nng.h>

#include "core/util/conf.h"
#include "ipc/cli/cli.h"

#define CLI_DEFAULT_SERVER "ipc://sangkien-data/api.ipc"
/* The packaged server's configuration (core/server/dist/sangkiend.conf):
 * where the CLI finds that server when nothing else says. */
#define CLI_SYSTEM_CONF "/etc/sangkien/sangkiend.conf"
#define CLI_DEFAULT_TIMEOUT_MS 10000
/* verify and backup read or copy the whole database: minutes at a million
 * cases, and the server answers others meanwhile. */
#define CLI_LONG_TIMEOUT_MS (3600 * 1000)

/* Global options, allowed before the command and after it. */
static const struct optspec global_opts[] = {
	{ "--server", 1 },
	{ "--data", 1 },
	{ "--events", 1 },
	{ "--token", 1 },
	{ "--timeout", 1 },
	{ "--request-id", 1 },
	{ "--json", 0 },
	{ "--help", 0 },
	{ NULL, 0 },
};

/* The option of spec that s ("--name" or "--name=value") names, or NULL. */
static const struct optspec *
find_opt(const struct optspec *spec, const char *s)
{
	size_t len = strcspn(s, "=");

	for (; spec != NULL && spec->name != NULL; spec++) {
		if (strlen(spec->name) == len &&
		    strncmp(spec->name, s, len) == 0) {
			return (spec);
		}
	}
	return (NULL);
}

/*
 * The value of option o, given as argv[*i]: what follows its '=', else the
 * next argument (*i then moves on to it), else "" for a flag.  Returns 0 or
 * CLI_EUSAGE.
 */
static int
opt_value(const struct optspec *o, int argc, char **argv, int *i,
    const char **value)
{
	const char *eq = strchr(argv[*i], '=');

	if (!o->value && eq != NULL) {
		return (usage_err("tùy chọn '%s' không nhận giá trị", o->name));
	}
	if (!o->value) {
		*value = "";
	} else if (eq != NULL) {
		*value = eq + 1;
	} else if (*i + 1 < argc) {
		*value = argv[++*i];
	} else {
		return (usage_err("tùy chọn '%s' cần một giá trị", o->name));
	}
	return (0);
}

/* Applies one global option to cl. */
static void
set_global(struct cli *cl, const char *name, const char *value)
{
	if (strcmp(name, "--server") == 0) {
		cl->server = value;
	} else if (strcmp(name, "--data") == 0) {
		cl->data = value;
	} else if (strcmp(name, "--events") == 0) {
		cl->o.events = value;
	} else if (strcmp(name, "--token") == 0) {
		cl->o.token = value;
	} else if (strcmp(name, "--timeout") == 0) {
		cl->timeout = value;
	} else if (strcmp(name, "--request-id") == 0) {
		cl->o.request_id = value;
	} else if (strcmp(name, "--json") == 0) {
		cl->o.json = 1;
	}
}

/* True if s is an option, not a positional ("-" and "--" are not):
 * "--name", or a one-letter "-o". */
static int
is_option(const char *s)
{
	return ((strncmp(s, "--", 2) == 0 && s[2] != '\0') ||
	    (s[0] == '-' && ((s[1] >= 'a' && s[1] <= 'z') ||
	                        (s[1] >= 'A' && s[1] <= 'Z')) &&
	        s[2] == '\0'));
}

/*
 * Parses argv[i..argc) for a command: options of spec (which come first, so
 * that a command's own --json FLAG wins over the global --json) or global
 * ones, and positionals.  "--" ends options.  Returns 0 or CLI_EUSAGE.
 */
static int
parse_args(struct cli *cl, const char *what, const struct optspec *spec,
    int argc, char **argv, int i, struct args *a, int *help)
{
	int only_pos = 0;

	memset(a, 0, sizeof(*a));
	for (; i < argc; i++) {
		const struct optspec *o;
		const char           *value;
		int                   global = 0;
		int                   rv;

		if (!only_pos && strcmp(argv[i], "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (only_pos || !is_option(argv[i])) {
			if (a->npos == CLI_ARGS_MAX) {
				return (usage_err("quá nhiều đối số"));
			}
			a->pos[a->npos++] = argv[i];
			continue;
		}
		if ((o = find_opt(spec, argv[i])) == NULL) {
			o      = find_opt(global_opts, argv[i]);
			global = 1;
		}
		if (o == NULL) {
			return (usage_err("không có tùy chọn '%.*s' cho '%s'",
			    (int) strcspn(argv[i], "="), argv[i], what));
		}
		if ((rv = opt_value(o, argc, argv, &i, &value)) != 0) {
			return (rv);
		}
		if (global) {
			*help = *help || strcmp(o->name, "--help") == 0;
			set_global(cl, o->name, value);
		} else if (a->nopt == CLI_ARGS_MAX) {
			return (usage_err("quá nhiều tùy chọn"));
		} else {
			a->opt[a->nopt].name  = o->name;
			a->opt[a->nopt].value = value;
			a->nopt++;
		}
	}
	return (0);
}

static int
cmd_demo(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (cli_demo(cl->c, &cl->o));
}

static int cmd_help(struct cli *, const struct cmd *, const struct args *);

static const struct optspec no_opts[]    = { { NULL, 0 } };
static const struct optspec cases_opts[] = {
	{ "--state", 1 },
	{ "--unit", 1 },
	{ "--author", 1 },
	{ "--limit", 1 },
	{ "--after", 1 },
	{ "--only", 0 },
	{ "--round", 1 },
	{ "--overdue", 0 },
	{ "--all", 0 },
	{ NULL, 0 },
};

static const struct optspec watch_opts[] = {
	{ "--from", 1 },
	{ "--count", 1 },
	{ NULL, 0 },
};

static const struct optspec act_opts[] = {
	{ "--note", 1 },
	{ "--version", 1 },
	{ "--declare", 0 },
	{ "--not-against-public-order", 0 },
	{ "--not-protected-ip", 0 },
	{ NULL, 0 },
};

static const struct optspec round_put_opts[] = {
	{ "--name", 1 },
	{ "--unit", 1 },
	{ "--year", 1 },
	{ "--opens", 1 },
	{ "--closes", 1 },
	{ "--decides-by", 1 },
	{ "--json", 1 },
	{ NULL, 0 },
};

static const struct optspec create_opts[] = {
	{ "--json", 1 },
	{ NULL, 0 },
};

static const struct optspec update_opts[] = {
	{ "--json", 1 },
	{ "--version", 1 },
	{ NULL, 0 },
};

static const struct optspec unit_put_opts[] = {
	{ "--name", 1 },
	{ "--parent", 1 },
	{ "--rubric", 1 },
	{ "--json", 1 },
	{ NULL, 0 },
};

static const struct optspec user_put_opts[] = {
	{ "--name", 1 },
	{ "--unit", 1 },
	{ "--roles", 1 },
	{ "--email", 1 },
	{ "--notify", 1 },
	{ "--json", 1 },
	{ NULL, 0 },
};

static const struct optspec council_put_opts[] = {
	{ "--name", 1 },
	{ "--scope", 1 },
	{ "--unit", 1 },
	{ "--member", 1 },
	{ "--remove", 1 },
	{ "--fields", 1 },
	{ "--rubric", 1 },
	{ "--json", 1 },
	{ NULL, 0 },
};

static const struct optspec notices_opts[] = {
	{ "--state", 1 },
	{ "--limit", 1 },
	{ NULL, 0 },
};

static const struct optspec settings_opts[] = {
	{ "--email", 1 },
	{ "--notify", 1 },
	{ NULL, 0 },
};

static const struct optspec inbox_opts[] = {
	{ "--unread", 0 },
	{ "--all", 0 },
	{ NULL, 0 },
};

static const struct optspec password_opts[] = {
	{ "--password-file", 1 },
	{ NULL, 0 },
};
static const struct optspec passwd_opts[] = {
	{ "--password-file", 1 },
	{ "--old", 0 },
	{ "--old-password-file", 1 },
	{ NULL, 0 },
};
static const struct optspec rubric_test_opts[] = {
	{ "--case", 1 },
	{ NULL, 0 },
};

static const struct optspec rubric_get_opts[] = {
	{ "--hash", 1 },
	{ NULL, 0 },
};

static const struct optspec rubric_put_opts[] = {
	{ "--id", 1 },
	{ NULL, 0 },
};

static const struct optspec score_opts[] = {
	{ "--comment", 1 },
	{ "--vote", 1 },
	{ NULL, 0 },
};

static const struct optspec decide_opts[] = {
	{ "--note", 1 },
	{ "--confirm", 0 },
	{ NULL, 0 },
};

static const struct optspec recognize_opts[] = {
	{ "--no", 1 },
	{ "--date", 1 },
	{ "--refuse", 0 },
	{ "--note", 1 },
	{ NULL, 0 },
};

static const struct optspec similar_opts[] = {
	{ "--text", 1 },
	{ "--limit", 1 },
	{ NULL, 0 },
};

static const struct optspec search_opts[] = {
	{ "--limit", 1 },
	{ "--after", 1 },
	{ NULL, 0 },
};

static const struct optspec doc_opts[] = {
	{ "--user", 1 },
	{ "-o", 1 },
	{ "--output", 1 },
	{ NULL, 0 },
};

static const struct optspec report_opts[] = {
	{ "--year", 1 },
	{ "--round", 1 },
	{ "--unit", 1 },
	{ "--only", 0 },
	{ "--field", 1 },
	{ "--state", 1 },
	{ "-o", 1 },
	{ "--output", 1 },
	{ NULL, 0 },
};

static const struct cmd cmds[] = {
	{ "status", NULL, cmd_status, no_opts, 0, 0, CMD_API, "status",
	    "Phiên bản, thời gian chạy và số hồ sơ theo trạng thái." },
	{ "verify", NULL, cmd_verify, no_opts, 0, 0, CMD_API | CMD_LONG,
	    "verify",
	    "Kiểm tra chỉ mục và chuỗi băm của lịch sử (lỗi: mã thoát "
	    "1)." },
	{ "backup", NULL, cmd_backup, no_opts, 1, 1, CMD_API | CMD_LONG,
	    "backup DIR",
	    "Sao lưu cơ sở dữ liệu (khi đang chạy) vào thư mục mới DIR." },
	{ "restore", NULL, cmd_restore, no_opts, 2, 2, 0,
	    "restore BACKUP DATA_DIR",
	    "Kiểm tra bản sao lưu BACKUP rồi đặt nó làm dữ liệu ở DATA_DIR\n"
	    "      (máy chủ đã dừng; DATA_DIR chưa có data.mdb); bản hỏng bị "
	    "từ chối." },
	{ "cases", NULL, cmd_cases, cases_opts, 0, 0, CMD_API,
	    "cases [--state S] [--unit U [--only]] [--author USER]\n"
	    "        [--round R] [--limit N] [--after ID] [--overdue] [--all]",
	    "Liệt kê hồ sơ bạn được xem; --unit gồm cả các đơn vị cấp "
	    "dưới\n      (--only: chỉ đơn vị đó); --all: mọi trang." },
	{ "show", NULL, cmd_show, no_opts, 1, 1, CMD_API, "show ID",
	    "Xem một hồ sơ và diễn biến của nó." },
	{ "history", NULL, cmd_history, no_opts, 1, 1, CMD_API, "history ID",
	    "Liệt kê các sự kiện của một hồ sơ, cũ trước." },
	{ "create", NULL, cmd_create, create_opts, 0, 1, CMD_API | CMD_WRITE,
	    "create (FILE.json | - | --json '{...}')",
	    "Tạo hồ sơ mới (JSON là các đối số của case.create)." },
	{ "update", NULL, cmd_update, update_opts, 1, 2, CMD_API | CMD_WRITE,
	    "update ID (FILE.json | --json '{...}') [--version N]",
	    "Sửa hồ sơ đang là nháp hoặc bị trả lại." },
	{ "act", NULL, cmd_act, act_opts, 2, 2, CMD_API | CMD_WRITE,
	    "act ID ACTION [--note TEXT] [--version N] [--declare]",
	    "Nộp, tiếp nhận, trả lại, rút, đề nghị lên tỉnh, mở lại, hủy.\n"
	    "      Nộp (submit) cần lời cam đoan (Điều 3 Điều lệ sáng kiến):\n"
	    "      --declare, hoặc --not-against-public-order và\n"
	    "      --not-protected-ip." },
	{ "score", NULL, cmd_score, score_opts, 2, -1, CMD_API | CMD_WRITE,
	    "score ID CRITERION=N... [--vote pass|fail] [--comment TEXT]",
	    "Chấm (hoặc chấm lại) phiếu và biểu quyết (pass: đồng ý công "
	    "nhận;\n      không có --vote: theo điểm), ví dụ novelty=25 "
	    "benefit=30,5." },
	{ "decide", NULL, cmd_decide, decide_opts, 1, 1, CMD_API | CMD_WRITE,
	    "decide ID [--note TEXT] [--confirm]",
	    "Chủ tịch chốt kiến nghị của hội đồng; còn người chưa biểu "
	    "quyết\n      thì chỉ xem trước (mã thoát 1), --confirm để ghi "
	    "nhận." },
	{ "recognize", NULL, cmd_recognize, recognize_opts, 1, 1,
	    CMD_API | CMD_WRITE,
	    "recognize ID --no SỐ --date YYYY-MM-DD [--refuse] [--note LÝ_DO]",
	    "Người đứng đầu đơn vị ký quyết định công nhận (hoặc không,\n"
	    "      --refuse, cần --note) theo kiến nghị của hội đồng." },
	{ "watch", NULL, cmd_watch, watch_opts, 0, 0, CMD_API,
	    "watch [--from SEQ] [--count N]",
	    "In sự kiện khi chúng xảy ra, mỗi sự kiện một dòng (--json: "
	    "nguyên bản)." },
	{ "call", NULL, cmd_call, no_opts, 1, 2, CMD_API | CMD_WRITE,
	    "call OP [JSON]",
	    "Gửi bất kỳ op nào với đối số JSON (mặc định {}); in kết quả." },
	{ "whoami", NULL, cmd_whoami, no_opts, 0, 0, CMD_API, "whoami",
	    "Máy chủ coi bạn là ai." },
	{ "unit", "put", cmd_unit_put, unit_put_opts, 0, 1,
	    CMD_API | CMD_WRITE,
	    "unit put ID [--name NAME] [--parent P] [--rubric R]",
	    "Tạo hoặc sửa đơn vị; chỉ đổi những gì được cho (\"\": xóa)." },
	{ "unit", "list", cmd_list, no_opts, 0, 0, CMD_API, "unit list",
	    "Liệt kê các đơn vị." },
	{ "unit", "get", cmd_get, no_opts, 1, 1, CMD_API, "unit get ID",
	    "Xem một đơn vị." },
	{ "user", "put", cmd_user_put, user_put_opts, 0, 1,
	    CMD_API | CMD_WRITE,
	    "user put ID [--name NAME] [--unit U] [--roles R1,R2]\n"
	    "        [--email ADDR] [--notify now|daily|off]",
	    "Tạo hoặc sửa người dùng; vai trò: author, admin, viewer, "
	    "hoặc \"\"." },
	{ "user", "list", cmd_list, no_opts, 0, 0, CMD_API, "user list",
	    "Liệt kê người dùng." },
	{ "user", "get", cmd_get, no_opts, 1, 1, CMD_API, "user get ID",
	    "Xem một người dùng." },
	{ "council", "put", cmd_council_put, council_put_opts, 0, -1,
	    CMD_API | CMD_WRITE,
	    "council put ID [--name NAME] [--scope unit|province] [--unit U]\n"
	    "        [--member USER:ROLE]... [--remove USER]... [--fields A,B]\n"
	    "        [--rubric R]",
	    "Tạo hoặc sửa hội đồng; --member thêm hoặc đổi vai trò (chair,\n"
	    "      secretary, member) một người, --remove bỏ một người." },
	{ "council", "list", cmd_list, no_opts, 0, 0, CMD_API, "council list",
	    "Liệt kê các hội đồng." },
	{ "council", "get", cmd_get, no_opts, 1, 1, CMD_API, "council get ID",
	    "Xem một hội đồng." },
	{ "round", "put", cmd_round_put, round_put_opts, 0, 1,
	    CMD_API | CMD_WRITE,
	    "round put ID [--name N] [--unit U] [--year Y] [--opens D]\n"
	    "        [--closes D] [--decides-by D]",
	    "Tạo hoặc sửa đợt xét (ngày dạng NNNN-TT-NN); không có --unit:\n"
	    "      cả tỉnh." },
	{ "round", "list", cmd_list, no_opts, 0, 0, CMD_API, "round list",
	    "Liệt kê các đợt xét." },
	{ "round", "get", cmd_get, no_opts, 1, 1, CMD_API, "round get ID",
	    "Xem một đợt xét." },
	{ "rubric", "list", cmd_list, no_opts, 0, 0, CMD_API, "rubric list",
	    "Liệt kê các bộ tiêu chí chấm điểm." },
	{ "rubric", "show", cmd_rubric_get, rubric_get_opts, 1, 1, CMD_API,
	    "rubric show ID [--hash H]",
	    "Xem tiêu chí, hướng dẫn và mã băm (phiên bản) của bộ tiêu chí." },
	{ "rubric", "get", cmd_rubric_get, rubric_get_opts, 1, 1, CMD_API,
	    "rubric get ID [--hash H]",
	    "Như 'rubric show', kèm mã nguồn Lua." },
	{ "rubric", "put", cmd_rubric_put, rubric_put_opts, 1, 2,
	    CMD_API | CMD_WRITE, "rubric put FILE.lua [--id ID]",
	    "Nạp phiên bản mới của bộ tiêu chí (ID: tên tệp bỏ .lua)." },
	{ "rubric", "test", cmd_rubric_test, rubric_test_opts, 1, 1, CMD_API,
	    "rubric test (ID | FILE.lua) --case ID",
	    "check và decide của bộ tiêu chí nói gì về hồ sơ lúc này." },
	{ "token", NULL, cmd_token, no_opts, 1, 1, CMD_API | CMD_WRITE,
	    "token USER",
	    "Tạo token mới cho USER (chỉ hiện một lần; token cũ hết hiệu lực)." },
	{ "passwd", NULL, cmd_passwd, passwd_opts, 1, 1,
	    CMD_API | CMD_WRITE,
	    "passwd USER [--password-file FILE] [--old [--old-password-file "
	    "F]]",
	    "Đặt mật khẩu mới cho USER (quản trị), hoặc --old: đổi mật khẩu\n"
	    "      của chính mình, nhập mật khẩu hiện tại trước (không hiện "
	    "chữ)." },
	{ "login", NULL, cmd_login, password_opts, 1, 1, CMD_API,
	    "login USER [--password-file FILE]",
	    "Đăng nhập bằng mật khẩu; in token của phiên (dùng với "
	    "--token)." },
	{ "demo", NULL, cmd_demo, no_opts, 0, 0, CMD_API, "demo",
	    "Dựng một tỉnh mẫu (Lạng Sơn): có hồ sơ ở mọi trạng thái." },
	{ "similar", NULL, cmd_similar, similar_opts, 0, 1, CMD_API,
	    "similar (ID | --text FILE) [--limit N]",
	    "Liệt kê hồ sơ giống nhất với một hồ sơ hoặc một văn bản." },
	{ "search", NULL, cmd_search, search_opts, 1, -1, CMD_API,
	    "search WORDS... [--limit N] [--after ID]",
	    "Tìm sáng kiến đã công nhận chứa đủ các từ (có dấu hay không)." },
	{ "doc", "verify", cmd_doc_verify, no_opts, 2, 2, CMD_API,
	    "doc verify ID HASH",
	    "Văn bản có mã kiểm tra HASH có đúng là trạng thái hiện tại\n"
	    "      của hồ sơ không (mã thoát 1 nếu không)." },
	{ "doc", NULL, cmd_doc, doc_opts, 2, 2, CMD_API,
	    "doc KIND ID [--user U] [-o FILE.pdf]",
	    "Tải văn bản của hồ sơ (PDF): receipt (giấy biên nhận), sheet\n"
	    "      (phiếu chấm của U), minutes (biên bản), decision (quyết "
	    "định\n      hoặc thông báo từ chối), certificate (giấy chứng "
	    "nhận)." },
	{ "report", NULL, cmd_report, report_opts, 1, 1, CMD_API | CMD_LONG,
	    "report NAME [--year Y] [--round R] [--unit U [--only]]\n"
	    "        [--field F] [--state S] [-o FILE.xlsx|FILE.csv|FILE.pdf]",
	    "Báo cáo: states (số hồ sơ theo trạng thái, đơn vị), times\n"
	    "      (thời hạn trả lời), recognized (sáng kiến được công nhận),\n"
	    "      authors (tác giả có sáng kiến được công nhận), scorers\n"
	    "      (độ lệch điểm của từng thành viên hội đồng); -o ghi bảng\n"
	    "      tính .xlsx, .csv hoặc .pdf, --json in nguyên bản." },
	{ "notices", NULL, cmd_notices, notices_opts, 0, 2,
	    CMD_API | CMD_WRITE,
	    "notices [--state none|queued|digest|sent|failed] [--limit N]\n"
	    "        | notices resend ID",
	    "Hộp thư đi của thông báo (quản trị): ai, trạng thái thư, lỗi;\n"
	    "      resend: gửi lại một thông báo đến địa chỉ hiện tại." },
	{ "settings", NULL, cmd_settings, settings_opts, 0, 0,
	    CMD_API | CMD_WRITE,
	    "settings [--email ADDR] [--notify now|daily|off]",
	    "Địa chỉ thư của bạn và cách nhận thông báo: ngay, tóm tắt hằng\n"
	    "      ngày, hoặc tắt." },
	{ "inbox", NULL, cmd_inbox, inbox_opts, 0, 2, CMD_API | CMD_WRITE,
	    "inbox [--unread] | inbox read (ID | --all)",
	    "Thông báo của bạn, mới trước; read: đánh dấu đã đọc." },
	{ "help", NULL, cmd_help, no_opts, 0, -1, 0, "help",
	    "Xem hướng dẫn này." },
};
#define CLI_NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
print_usage(FILE *f)
{
	fprintf(f,
	    "cách dùng: sangkien [--server URL] [--token T] [--json] "
	    "[--timeout GIÂY]\n"
	    "                    [--data DIR] [--events URL] "
	    "[--request-id ID]\n"
	    "                    LỆNH [ĐỐI SỐ]\n"
	    "\n"
	    "Tùy chọn, trước hoặc sau lệnh:\n"
	    "  --server URL     địa chỉ API; mặc định $SANGKIEN_SERVER, "
	    "nếu không thì\n"
	    "                   %s nếu có, nếu không thì địa chỉ\n"
	    "                   ipc:// trong %s (listen = ipc://...,\n"
	    "                   hoặc data = DIR; $SANGKIEN_CONF thay tệp "
	    "đó)\n"
	    "  --data DIR       viết tắt của --server ipc://DIR/api.ipc và\n"
	    "                   --events ipc://DIR/events.ipc\n"
	    "  --events URL     luồng sự kiện; mặc định: events.ipc cạnh "
	    "api.ipc\n"
	    "  --token T        bạn là ai; mặc định $SANGKIEN_TOKEN; không "
	    "có thì là\n"
	    "                   local-admin (qua ipc://, cùng tài khoản máy "
	    "chủ,\n"
	    "                   root, hoặc nhóm admin-group của máy chủ)\n"
	    "  --json           in kết quả thành một dòng JSON, cho chương "
	    "trình\n"
	    "  --timeout GIÂY   chờ mỗi trả lời tối đa chừng này (mặc định "
	    "%d;\n"
	    "                   một giờ với verify và backup)\n"
	    "  --request-id ID  một lệnh thay đổi lặp lại với cùng ID chỉ "
	    "được làm\n"
	    "                   một lần (không có thì một ID ngẫu nhiên: "
	    "lệnh mất kết nối\n"
	    "                   được gửi lại đến hết --timeout, và vẫn chỉ "
	    "làm một lần)\n"
	    "\n"
	    "Lệnh:\n",
	    CLI_DEFAULT_SERVER, CLI_SYSTEM_CONF,
	    CLI_DEFAULT_TIMEOUT_MS / 1000);
	for (size_t i = 0; i < CLI_NCMDS; i++) {
		fprintf(f, "  %s\n      %s\n", cmds[i].synopsis, cmds[i].help);
	}
	fprintf(f,
	    "\nMã thoát: 0 xong; 1 máy chủ từ chối (hoặc verify thấy lỗi); "
	    "2 dùng sai,\nkhông gửi gì; 3 không liên lạc được máy chủ.\n");
}

static int
cmd_help(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	print_usage(stdout);
	return (CLI_OK);
}

/* What the server's configuration file says of its ipc:// API address. */
struct conf_api {
	char *listen; /* the first "listen = ipc://..." */
	char *data;   /* "data = DIR" */
};

static int
conf_api_line(void *arg, const char *key, const char *val, int line,
    char *err, size_t errlen)
{
	struct conf_api *ca = arg;
	if (strcmp(key, "listen") == 0 && ca->listen == NULL &&
	    strncmp(val, "ipc://", 6) == 0) {
		ca->listen = strdup(val);
	} else if (strcmp(key, "data") == 0) {
		free(ca->data);
		ca->data = strdup(val);
	}
	return (0);
}

/*
 * The API address of the server installed on this machine, from its
 * configuration file ($SANGKIEN_CONF, or /etc/sangkien/sangkiend.conf),
 * allocated; NULL if there is none or it names no ipc:// address.
 */
static char *
conf_server(void)
{
	struct conf_api ca = { 0 };
	const char     *path = getenv("SANGKIEN_CONF");
	char            err[512], *url = NULL;

	if (path == NULL || *path == '\0') {
		path = CLI_SYSTEM_CONF;
	}
	if (access(path, R_OK) != 0 ||
	    conf_read(path, conf_api_line, &ca, err, sizeof(err)) != 0) {
		free(ca.listen);
		free(ca.data);
		return (NULL);
	}
	if (ca.listen != NULL) {
		url = ca.listen;
		ca.listen = NULL;
	} else if (ca.data != NULL &&
	    asprintf(&url, "ipc://%s/api.ipc", ca.data) < 0) {
		url = NULL;
	}
	free(ca.listen);
	free(ca.data);
	return (url);
}

/*
 * Sets cl->o.server (and cl->o.events when --data gives it) from --server,
 * --data, $SANGKIEN_SERVER, a source checkout's ./sangkien-data (make run),
 * the installed server's configuration file, or the default.  Returns 0 or
 * an exit code.
 */
static int
resolve_server(struct cli *cl)
{
	const char *env;

	if (cl->server != NULL && cl->data != NULL) {
		return (usage_err("dùng --server hoặc --data, không cả hai"));
	}
	if (cl->data != NULL) {
		if (asprintf(&cl->alloc_server, "ipc://%s/api.ipc", cl->data) <
		        0 ||
		    asprintf(&cl->alloc_events, "ipc://%s/events.ipc",
		        cl->data) < 0) {
			return (CLI_ETRANSPORT);
		}
		cl->o.server = cl->alloc_server;
		if (cl->o.events == NULL) {
			cl->o.events = cl->alloc_events;
		}
	} else if (cl->server != NULL) {
		cl->o.server = cl->server;
	} else if ((env = getenv("SANGKIEN_SERVER")) != NULL && *env != '\0') {
		cl->o.server = env;
	} else if (access(CLI_DEFAULT_SERVER + 6, F_OK) != 0 &&
	    (cl->alloc_server = conf_server()) != NULL) {
		cl->o.server = cl->alloc_server;
	} else {
		cl->o.server = CLI_DEFAULT_SERVER;
	}
	return (0);
}

/* Sets cl->o.events, if still unknown, next to an ipc://DIR/api.ipc. */
static int
resolve_events(struct cli *cl)
{
	size_t n = strlen(cl->o.server);

	if (cl->o.events == NULL && strncmp(cl->o.server, "ipc://", 6) == 0 &&
	    n >= 7 && strcmp(cl->o.server + n - 7, "api.ipc") == 0) {
		if (asprintf(&cl->alloc_events, "%.*sevents.ipc",
		        (int) (n - 7), cl->o.server) < 0) {
			return (CLI_ETRANSPORT);
		}
		cl->o.events = cl->alloc_events;
	}
	return (0);
}

/* Sets cl->o.timeout_ms from --timeout SECONDS, or the default. */
static int
resolve_timeout(struct cli *cl)
{
	char  *end;
	double s;

	cl->o.timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
	if (cl->timeout == NULL) {
		return (0);
	}
	s = strtod(cl->timeout, &end);
	if (end == cl->timeout || *end != '\0' || !(s > 0) || s > 86400) {
		return (usage_err(
		    "--timeout nhận số giây (> 0), không phải '%s'",
		    cl->timeout));
	}
	cl->o.timeout_ms = (int) (s * 1000 + 0.5);
	if (cl->o.timeout_ms == 0) {
		cl->o.timeout_ms = 1;
	}
	return (0);
}

/* Turns the raw global options and the environment into cl->o. */
static int
cli_resolve(struct cli *cl)
{
	const char *env;
	int         rv;

	if ((rv = resolve_server(cl)) != 0 || (rv = resolve_events(cl)) != 0) {
		return (rv);
	}
	if (cl->o.token == NULL && (env = getenv("SANGKIEN_TOKEN")) != NULL &&
	    *env != '\0') {
		cl->o.token = env;
	}
	if (cl->o.token != NULL && cl->o.token[0] == '\0') {
		cl->o.token = NULL;
	}
	if ((rv = resolve_timeout(cl)) != 0) {
		return (rv);
	}
	if (cl->o.request_id != NULL && strlen(cl->o.request_id) > 64) {
		return (usage_err("--request-id dài tối đa 64 byte"));
	}
	/* A changing command always carries a request id: if the connection
	 * is lost before the reply (the server restarted), the client sends
	 * the write again with it, and the server cannot apply it twice. */
	unsigned char raw[16];
	if (cl->o.request_id == NULL &&
	    getrandom(raw, sizeof(raw), 0) == (ssize_t) sizeof(raw)) {
		char *p = cl->o.own_request_id;
		p += sprintf(p, "cli-");
		for (size_t i = 0; i < sizeof(raw); i++) {
			p += sprintf(p, "%02x", raw[i]);
		}
		cl->o.request_id = cl->o.own_request_id;
	}
	return (0);
}

/* Finds the command named at argv[*i] (and its sub-command), or reports. */
static const struct cmd *
find_cmd(int argc, char **argv, int *i)
{
	const char *name  = argv[*i];
	int         known = 0;

	for (size_t k = 0; k < CLI_NCMDS; k++) {
		if (strcmp(cmds[k].name, name) != 0) {
			continue;
		}
		known = 1;
		if (cmds[k].sub == NULL) {
			(*i)++;
			return (&cmds[k]);
		}
		if (*i + 1 < argc && strcmp(cmds[k].sub, argv[*i + 1]) == 0) {
			*i += 2;
			return (&cmds[k]);
		}
	}
	if (known) {
		char   subs[256] = "";
		size_t n         = 0;

		for (size_t k = 0; k < CLI_NCMDS; k++) {
			if (strcmp(cmds[k].name, name) == 0 &&
			    n < sizeof(subs)) {
				n += (size_t) snprintf(subs + n,
				    sizeof(subs) - n, "%s%s",
				    n > 0 ? ", " : "", cmds[k].sub);
			}
		}
		if (*i + 1 < argc) {
			usage_err("'%s' không có lệnh '%s' (chỉ có: %s)",
			    name, argv[*i + 1], subs);
		} else {
			usage_err("'%s' cần một lệnh (một trong: %s)", name,
			    subs);
		}
	} else {
		usage_err("không có lệnh '%s'", name);
	}
	return (NULL);
}

/*
 * Applies the global options given before the command, leaving *i at the
 * command.  Returns -1 to go on, or an exit code (CLI_OK after --help).
 */
static int
parse_leading_options(struct cli *cl, int argc, char **argv, int *i)
{
	for (*i = 1; *i < argc && strncmp(argv[*i], "--", 2) == 0; (*i)++) {
		const struct optspec *o = find_opt(global_opts, argv[*i]);
		const char           *value;
		int                   rv;

		if (o == NULL) {
			return (usage_err("không có tùy chọn '%.*s'",
			    (int) strcspn(argv[*i], "="), argv[*i]));
		}
		if (strcmp(o->name, "--help") == 0) {
			print_usage(stdout);
			return (CLI_OK);
		}
		if ((rv = opt_value(o, argc, argv, i, &value)) != 0) {
			return (rv);
		}
		set_global(cl, o->name, value);
	}
	if (*i == argc) {
		fprintf(stderr, "sangkien: chưa có lệnh nào\n\n");
		print_usage(stderr);
		return (CLI_EUSAGE);
	}
	if (strcmp(argv[*i], "-h") == 0) {
		print_usage(stdout);
		return (CLI_OK);
	}
	return (-1);
}

/*
 * Finds the command and parses its arguments into *a.  Returns -1 to go
 * on with *cmd, or an exit code (CLI_OK after --help).
 */
static int
parse_command(struct cli *cl, int argc, char **argv, int i,
    const struct cmd **cmd, struct args *a)
{
	char what[64];
	int  help = 0;
	int  rv;

	if ((*cmd = find_cmd(argc, argv, &i)) == NULL) {
		return (CLI_EUSAGE);
	}
	snprintf(what, sizeof(what), "%s%s%s", (*cmd)->name,
	    (*cmd)->sub != NULL ? " " : "",
	    (*cmd)->sub != NULL ? (*cmd)->sub : "");
	if ((rv = parse_args(cl, what, (*cmd)->opts, argc, argv, i, a,
	         &help)) != 0) {
		return (rv);
	}
	if (help) {
		print_usage(stdout);
		return (CLI_OK);
	}
	if (a->npos < (*cmd)->minpos ||
	    ((*cmd)->maxpos >= 0 && a->npos > (*cmd)->maxpos)) {
		return (usage_err("sai số đối số cho '%s'; cách dùng: "
		                  "sangkien %s",
		    what, (*cmd)->synopsis));
	}
	return (-1);
}

int
main(int argc, char **argv)
{
	struct cli        cl;
	struct args       a;
	const struct cmd *cmd;
	char              err[512];
	int               i;
	int               rv;

	memset(&cl, 0, sizeof(cl));
	if ((rv = parse_leading_options(&cl, argc, argv, &i)) >= 0 ||
	    (rv = parse_command(&cl, argc, argv, i, &cmd, &a)) >= 0) {
		return (rv);
	}
	if ((rv = cli_resolve(&cl)) != 0) {
		return (rv);
	}
	if ((cmd->flags & CMD_LONG) != 0 && cl.timeout == NULL) {
		cl.o.timeout_ms = CLI_LONG_TIMEOUT_MS;
	}
	if ((cmd->flags & CMD_API) != 0 &&
	    sk_client_open(&cl.c, cl.o.server, cl.o.token, cl.o.timeout_ms,
	        err, sizeof(err)) != 0) {
		fprintf(stderr, "sangkien: %s\n", err);
		rv = CLI_ETRANSPORT;
	} else {
		rv = cmd->fn(&cl, cmd, &a);
	}
	sk_client_close(cl.c);
	free(cl.alloc_server);
	free(cl.alloc_events);
	/* Ends nng's threads, so that leak checkers see a clean exit. */
	nng_fini();
	return (rv);
}
