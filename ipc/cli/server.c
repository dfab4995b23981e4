/*
 * server.c: the commands about the server as a whole: `status`, `verify`
 * (whose exit status is its result), `backup`, `watch` (the event stream,
 * with the gaps PUB/SUB leaves filled from the history) and `call`, which
 * sends any op of PROTOCOL.md.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "ipc/cli/cli.h"
#include "ipc/proto.h"

#define CLI_PAGE_EVENTS 100 /* events asked for per events.since call */

static int
show_status(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	char      buf[256];
	long long up = jint(r, "uptime_s", 0);

	snprintf(buf, sizeof(buf), "sangkiend %s",
	    cli_str(r, "version") != NULL ? cli_str(r, "version") : "?");
	card_line("máy chủ", buf);
	card_line("địa chỉ", cl->o.server);
	snprintf(buf, sizeof(buf), "%lld ngày %02lld:%02lld:%02lld",
	    up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	card_line("đã chạy", buf);
	card_line("sự kiện cuối", cli_str(r, "last_seq"));
	snprintf(buf, sizeof(buf), "%.1f MiB",
	    (double) jint(r, "db_bytes", 0) / (1024.0 * 1024.0));
	card_line("cơ sở dữ liệu", buf);
	snprintf(buf, sizeof(buf), "chỉ mục: còn %lld thay đổi chờ",
	    jint(r, "dedup_pending", 0));
	card_line("tìm trùng lặp", buf);
	snprintf(buf, sizeof(buf), "chỉ mục: còn %lld hồ sơ chờ",
	    jint(r, "search_pending", 0));
	card_line("tìm kiếm", buf);
	printf("\n");
	return (print_state_counts(jobject(r, "cases")));
}

int
cmd_status(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	return (call_and_show(cl, cmd, a, "server.status", NULL, show_status));
}

/* The one command whose exit status depends on its result. */
int
cmd_verify(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *reply;
	json_object *r;
	json_object *problems;
	int          ok;
	int          rv;

	if ((rv = cli_call(cl->c, "server.verify", NULL, NULL, &reply)) !=
	    CLI_OK) {
		return (rv);
	}
	r        = cli_result(reply);
	ok       = jbool(r, "ok");
	problems = jarray(r, "problems");
	if (cl->o.json) {
		cli_print_json(r, 0);
	} else if (ok) {
		printf("tốt: các chỉ mục và chuỗi băm của lịch sử khớp "
		       "nhau\n");
	} else {
		printf("KIỂM TRA THẤY LỖI:\n");
		for (size_t i = 0; i < jlen(problems); i++) {
			printf("  - %s\n",
			    json_object_get_string(
			        json_object_array_get_idx(problems, i)));
		}
	}
	json_object_put(reply);
	return (ok ? CLI_OK : CLI_EREPLY);
}

/*
 * Makes path absolute in *out (malloc'd): the server resolves paths from
 * its own directory, not ours.  Returns CLI_OK, or an exit code after
 * saying what went wrong.
 */
static int
absolute_path(const char *path, char **out)
{
	char cwd[PATH_MAX];

	*out = NULL;
	if (path[0] == '/') {
		*out = strdup(path);
	} else {
		while (strncmp(path, "./", 2) == 0) {
			path += 2;
		}
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			fprintf(stderr,
			    "sangkien: không đọc được thư mục hiện tại: %s\n",
			    strerror(errno));
			return (CLI_EUSAGE);
		}
		if (asprintf(out, "%s/%s", cwd, path) < 0) {
			*out = NULL;
		}
	}
	if (*out == NULL) {
		fprintf(stderr, "sangkien: out of memory\n");
		return (CLI_ETRANSPORT);
	}
	return (CLI_OK);
}

static int
show_backup(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	printf("đã sao lưu vào %s (%lld byte)\n",
	    cli_str(r, "path") != NULL ? cli_str(r, "path") : "?",
	    jint(r, "bytes", 0));
	return (CLI_OK);
}

int
cmd_backup(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	char        *path;
	int          rv;

	if ((rv = absolute_path(a->pos[0], &path)) != CLI_OK) {
		return (rv);
	}
	args = json_object_new_object();
	json_object_object_add(args, "path", json_object_new_string(path));
	free(path);
	return (call_and_show(cl, cmd, a, "server.backup", args, show_backup));
}

/*
 * What an event is about, for people: "hồ sơ #7", "đơn vị so-gddt",
 * "hội đồng hd-gddt", ...; "" if it does not say.
 */
static void
watch_subject(json_object *ev, char *out, size_t len)
{
	static const struct {
		const char *key;
		const char *words;
	} subjects[] = {
		{ "council", "hội đồng" },
		{ "user", "người dùng" },
		{ "rubric", "bộ tiêu chí" },
		{ "unit", "đơn vị" },
	};

	out[0] = '\0';
	if (cli_str(ev, "case") != NULL) {
		snprintf(out, len, "hồ sơ #%s", cli_str(ev, "case"));
		return;
	}
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		if (cli_str(ev, subjects[i].key) != NULL) {
			snprintf(out, len, "%s %s", subjects[i].words,
			    cli_str(ev, subjects[i].key));
			return;
		}
	}
}

/*
 * Prints one event on one line for people: the local time, what it is
 * about, what happened (with the change of state or the verdict), who did
 * it, and its note:
 *
 *     2026-12-08 15:30  hồ sơ #7  trả lại (Đã nộp → Trả lại), bởi
 *     nong.thi.mai: Bổ sung số liệu
 *
 * (on one line).  With --json, the event as the server sent it.
 */
static void
watch_print(struct cli *cl, json_object *ev)
{
	char at[64];
	char subject[160];
	char change[256];

	if (cl->o.json) {
		printf("%s\n", util_json_text(ev, NULL));
		fflush(stdout);
		return;
	}
	cli_time(cli_str(ev, "at"), 0, at, sizeof(at));
	watch_subject(ev, subject, sizeof(subject));
	cli_event_change(ev, 1, change, sizeof(change));
	printf("%s  %s%s%s%s%s%s, bởi %s", at, subject,
	    subject[0] != '\0' ? "  " : "", cli_event_words(ev),
	    change[0] != '\0' ? " (" : "", change,
	    change[0] != '\0' ? ")" : "",
	    cli_str(ev, "actor") != NULL ? cli_str(ev, "actor") : "hệ thống");
	if (cli_str(ev, "note") != NULL) {
		printf(": %s", cli_str(ev, "note"));
	}
	printf("\n");
	fflush(stdout);
}

/*
 * Prints the events of one page of events.since that come after *last and
 * before upto (0: no bound), while *left (-1: no limit) lasts.
 */
static void
watch_print_page(struct cli *cl, json_object *items, long long upto,
    long long *last, long long *left)
{
	for (size_t i = 0; i < jlen(items); i++) {
		json_object *ev  = json_object_array_get_idx(items, i);
		long long    seq = jint(ev, "seq", 0);

		if (seq <= *last || (upto != 0 && seq >= upto)) {
			continue;
		}
		watch_print(cl, ev);
		*last = seq;
		if (*left > 0 && --*left == 0) {
			break;
		}
	}
}

/*
 * Prints the history from seq from up to, but not including, upto (0: to
 * its end) with events.since, skipping what was already printed (*last).
 * *left counts down the events still wanted (-1: no limit).
 */
static int
watch_fetch(struct cli *cl, long long from, long long upto, long long *last,
    long long *left)
{
	while (*left != 0 && (upto == 0 || from < upto)) {
		json_object *args = json_object_new_object();
		json_object *reply;
		json_object *items;
		long long    limit = CLI_PAGE_EVENTS;
		long long    next;
		int          rv;

		if (upto != 0 && upto - from < limit) {
			limit = upto - from;
		}
		json_object_object_add(
		    args, "seq", json_object_new_int64(from));
		json_object_object_add(
		    args, "limit", json_object_new_int64(limit));
		rv = cli_call(cl->c, "events.since", args, NULL, &reply);
		json_object_put(args);
		if (rv != CLI_OK) {
			return (rv);
		}
		items = jarray(cli_result(reply), "items");
		if (jlen(items) == 0) {
			json_object_put(reply);
			break;
		}
		watch_print_page(cl, items, upto, last, left);
		next = jint(cli_result(reply), "next_seq", *last + 1);
		json_object_put(reply);
		from = next > from ? next : *last + 1;
	}
	return (CLI_OK);
}

/* Opens a sub0 socket dialed to the events URL, subscribed to all. */
static int
watch_open(struct cli *cl, nng_socket *sub)
{
	int rv;

	if ((rv = nng_sub0_open(sub)) != 0) {
		fprintf(stderr, "sangkien: cannot open a sub0 socket: %s\n",
		    nng_strerror(rv));
		return (CLI_ETRANSPORT);
	}
	if ((rv = nng_socket_set(*sub, NNG_OPT_SUB_SUBSCRIBE, "", 0)) != 0 ||
	    (rv = nng_socket_set_size(*sub, NNG_OPT_RECVMAXSZ, 0)) != 0) {
		fprintf(stderr, "sangkien: cannot subscribe: %s\n",
		    nng_strerror(rv));
		nng_close(*sub);
		return (CLI_ETRANSPORT);
	}
	if ((rv = nng_dial(*sub, cl->o.events, NULL, 0)) != 0) {
		fprintf(stderr,
		    "sangkien: cannot reach the event stream at %s: %s (is "
		    "sangkiend running?)\n",
		    cl->o.events, nng_strerror(rv));
		nng_close(*sub);
		return (CLI_ETRANSPORT);
	}
	return (CLI_OK);
}

/*
 * Prints the history from seq from on, or with from 0 nothing but notes
 * the last seq there is: either way *last is then the last seq seen.
 */
static int
watch_catch_up(struct cli *cl, long long from, long long *last,
    long long *left)
{
	json_object *reply;
	int          rv;

	if (from > 0) {
		if ((rv = watch_fetch(cl, from, 0, last, left)) != CLI_OK) {
			return (rv);
		}
		if (*last < from - 1) {
			*last = from - 1;
		}
		return (CLI_OK);
	}
	if ((rv = cli_call(cl->c, "server.status", NULL, NULL, &reply)) !=
	    CLI_OK) {
		return (rv);
	}
	*last = jint(cli_result(reply), "last_seq", 0);
	json_object_put(reply);
	return (CLI_OK);
}

/*
 * Receives one published event and prints it, after fetching from the
 * history those that PUB/SUB dropped before it.  Returns CLI_OK, or
 * CLI_ETRANSPORT when the stream fails.
 */
static int
watch_receive(struct cli *cl, nng_socket sub, long long *last, long long *left)
{
	nng_msg     *msg;
	json_object *ev;
	char        *text;
	char        *sp;
	char         err[512];
	long long    seq;
	int          rv;

	if ((rv = nng_recvmsg(sub, &msg, 0)) != 0) {
		fprintf(stderr, "sangkien: event stream: %s\n",
		    nng_strerror(rv));
		return (CLI_ETRANSPORT);
	}
	text = strndup(nng_msg_body(msg), nng_msg_len(msg));
	nng_msg_free(msg);
	if (text == NULL) {
		return (CLI_OK);
	}
	/* "TYPE JSON": the type, one space, the event. */
	if ((sp = strchr(text, ' ')) == NULL ||
	    (ev = parse_object(sp + 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "sangkien: skipped a malformed event: %.60s\n",
		    text);
		free(text);
		return (CLI_OK);
	}
	free(text);
	seq = jint(ev, "seq", 0);
	if (seq > *last + 1 &&
	    watch_fetch(cl, *last + 1, seq, last, left) != CLI_OK) {
		fprintf(stderr,
		    "sangkien: lỡ các sự kiện %lld đến %lld và không lấy "
		    "lại được\n",
		    *last + 1, seq - 1);
	}
	if (seq > *last && *left != 0) {
		watch_print(cl, ev);
		*last = seq;
		if (*left > 0) {
			(*left)--;
		}
	}
	json_object_put(ev);
	return (CLI_OK);
}

int
cmd_watch(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	nng_socket sub;
	long long  from = 0;
	long long  left = -1;
	long long  last = 0;
	int        rv;

	if (cl->o.events == NULL) {
		return (usage_err("cannot tell the events URL from --server "
		                  "%s; give --events URL",
		    cl->o.server));
	}
	if ((rv = opt_pos_int(a, "--from", "một số thứ tự sự kiện", &from)) != 0 ||
	    (rv = opt_pos_int(a, "--count", "một số dương", &left)) !=
	        0) {
		return (rv);
	}
	/*
	 * Subscribe first, then read the history: whatever is published in
	 * between arrives on the socket, and what was already printed is
	 * skipped by its seq.
	 */
	if ((rv = watch_open(cl, &sub)) != CLI_OK) {
		return (rv);
	}
	rv = watch_catch_up(cl, from, &last, &left);
	if (rv == CLI_OK && left != 0) {
		fprintf(stderr, "đang theo dõi %s từ sau sự kiện %lld\n",
		    cl->o.events, last);
	}
	while (rv == CLI_OK && left != 0) {
		rv = watch_receive(cl, sub, &last, &left);
	}
	nng_close(sub);
	return (rv);
}

int
cmd_call(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	json_object *args;
	char         err[512];

	if (a->npos < 2) {
		args = json_object_new_object();
	} else if ((args = parse_object(a->pos[1], err, sizeof(err))) ==
	    NULL) {
		return (usage_err(
		    "the args of 'call %s': %s", a->pos[0], err));
	}
	/* Our own request id would have server.backup sent again after a
	 * lost connection, into the directory the first attempt made. */
	if (strcmp(a->pos[0], "server.backup") == 0 &&
	    cl->o.request_id == cl->o.own_request_id) {
		cl->o.request_id = NULL;
	}
	return (call_and_show(cl, cmd, a, a->pos[0], args, show_pretty));
}
