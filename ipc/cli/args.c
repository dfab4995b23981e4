/*
 * args.c: what a command of the sangkien CLI was given: its options (the
 * last value of each wins), positive integers and case IDs, lists, JSON
 * objects given inline or in files, and the usage errors that name what was
 * wrong (exit 2, nothing sent); and passwords, read from a file, from
 * standard input, or from the terminal without echo.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ipc/cli/cli.h"
#include "ipc/proto.h"

/* Reports a wrong command line and returns CLI_EUSAGE. */
int
usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sangkien: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(xem cách dùng: sangkien help)\n");
	return (CLI_EUSAGE);
}

/* The last value given for a command option, or NULL if absent. */
const char *
opt_get(const struct args *a, const char *name)
{
	const char *v = NULL;

	for (int i = 0; i < a->nopt; i++) {
		if (strcmp(a->opt[i].name, name) == 0) {
			v = a->opt[i].value;
		}
	}
	return (v);
}

/* Parses a positive integer (a case id, a seq, a count). */
static int
parse_pos_int(const char *s, long long *out)
{
	char     *end;
	long long v;

	errno = 0;
	v     = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0) {
		return (-1);
	}
	*out = v;
	return (0);
}

/* Parses a case id argument, or reports it; returns 0 or CLI_EUSAGE. */
int
parse_case_id(const char *s, long long *id)
{
	if (parse_pos_int(s, id) != 0) {
		return (
		    usage_err("số hồ sơ là một số nguyên dương, không phải "
		              "'%s'",
		        s));
	}
	return (0);
}

/*
 * Reads option opt as a positive integer into *out, if it was given (else
 * *out is left alone).  Returns 0, or CLI_EUSAGE after saying that opt
 * takes what ("a positive integer").
 */
int
opt_pos_int(
    const struct args *a, const char *opt, const char *what, long long *out)
{
	const char *v = opt_get(a, opt);

	if (v != NULL && parse_pos_int(v, out) != 0) {
		return (usage_err("%s nhận %s, không phải '%s'", opt, what, v));
	}
	return (0);
}

/* Splits "a,b,c" into a JSON array of strings; "" gives []. */
static json_object *
split_list(const char *s)
{
	json_object *arr = json_object_new_array();
	const char  *p   = s;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		if (len > 0) {
			json_object_array_add(
			    arr, json_object_new_string_len(p, (int) len));
		}
		p += len;
		if (*p == ',') {
			p++;
		}
	}
	return (arr);
}

/*
 * Starts the args of a put/create/update from --json (an object) or {}.
 * Returns the object, or NULL after reporting a usage error.
 */
json_object *
args_from_json_opt(const struct args *a, const char *what)
{
	const char  *text = opt_get(a, "--json");
	json_object *o;
	char         err[512];

	if (text == NULL) {
		return (json_object_new_object());
	}
	if ((o = parse_object(text, err, sizeof(err))) == NULL) {
		usage_err("--json for '%s': %s", what, err);
	}
	return (o);
}

/*
 * The args' member for option opt: "--name" gives "name".  Each set_opt_*
 * sets it from the option if the option was given, and leaves args alone
 * otherwise.
 */
static const char *
opt_key(const char *opt)
{
	return (opt + 2);
}

/* Sets the member to the option's string. */
void
set_opt_string(json_object *args, const struct args *a, const char *opt)
{
	const char *v = opt_get(a, opt);

	if (v != NULL) {
		json_object_object_add(
		    args, opt_key(opt), json_object_new_string(v));
	}
}

/* Sets the member to the option's string, or to null if it is "". */
void
set_opt_nullable(json_object *args, const struct args *a, const char *opt)
{
	const char *v = opt_get(a, opt);

	if (v != NULL) {
		json_object_object_add(args, opt_key(opt),
		    v[0] != '\0' ? json_object_new_string(v) : NULL);
	}
}

/* Sets the member to the list "a,b,c" of the option, as an array. */
void
set_opt_list(json_object *args, const struct args *a, const char *opt)
{
	const char *v = opt_get(a, opt);

	if (v != NULL) {
		json_object_object_add(args, opt_key(opt), split_list(v));
	}
}

/*
 * Sets the member to the option's positive integer.  Returns 0, or
 * CLI_EUSAGE as opt_pos_int does (args is then still the caller's).
 */
int
set_opt_pos_int(json_object *args, const struct args *a, const char *opt,
    const char *what)
{
	long long n = 0;
	int       rv;

	if ((rv = opt_pos_int(a, opt, what, &n)) == 0 && n > 0) {
		json_object_object_add(
		    args, opt_key(opt), json_object_new_int64(n));
	}
	return (rv);
}

/* Reads a whole file ("-": standard input) into a malloc'd string. */
char *
read_file(const char *path, char *err, size_t errlen)
{
	FILE  *f;
	char  *buf = NULL;
	size_t len = 0;
	size_t cap = 0;
	size_t n;

	if (strcmp(path, "-") == 0) {
		f = stdin;
	} else if ((f = fopen(path, "r")) == NULL) {
		snprintf(
		    err, errlen, "cannot read %s: %s", path, strerror(errno));
		return (NULL);
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (nb == NULL) {
				snprintf(err, errlen, "out of memory");
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0) {
			buf[len] = '\0';
			break;
		}
	}
	if (buf != NULL && ferror(f)) {
		snprintf(
		    err, errlen, "cannot read %s: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	}
	if (f != stdin) {
		fclose(f);
	}
	return (buf);
}

/*
 * Parses text given on the command line (or an event) as one JSON object,
 * as strictly as the server parses requests.  Returns the object or NULL
 * with a message in err.
 */
json_object *
parse_object(const char *text, char *err, size_t errlen)
{
	struct proto_err e = { 0 };
	json_object     *obj;

	if ((obj = proto_json_parse(text, strlen(text), &e)) == NULL) {
		snprintf(err, errlen, "%s", e.msg);
	} else if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errlen, "không phải một đối tượng JSON ({...})");
		json_object_put(obj);
		obj = NULL;
	}
	proto_err_clear(&e);
	return (obj);
}

json_object *
cli_case_args(long long id)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "id", json_object_new_int64(id));
	return (args);
}

/* {"id": id}, the args of an op on one unit, user, council or rubric. */
json_object *
object_id_args(const char *id)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "id", json_object_new_string(id));
	return (args);
}

/* Reads one line from f into buf without its line break; -1 at EOF. */
static int
read_line(FILE *f, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int) len, f) == NULL) {
		return (-1);
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return (0);
}

/* Prompts on the terminal and reads a line without echoing it. */
static int
read_hidden(const char *prompt, char *buf, size_t len)
{
	struct termios old;
	struct termios quiet;
	int            rv;

	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) != 0) {
		return (-1);
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t) ECHO;
	quiet.c_lflag |= ICANON;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
		return (-1);
	}
	rv = read_line(stdin, buf, len);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return (rv);
}

int
cli_read_secret(const char *file, const char *prompt, int twice, char *buf,
    size_t len)
{
	char  again[1024];
	FILE *f;
	int   rv;

	if (file != NULL) {
		if ((f = fopen(file, "r")) == NULL) {
			return (usage_err(
			    "không đọc được %s: %s", file, strerror(errno)));
		}
		rv = read_line(f, buf, len);
		fclose(f);
		if (rv != 0) {
			return (usage_err("%s không có mật khẩu nào", file));
		}
		return (0);
	}
	if (!isatty(STDIN_FILENO)) {
		if (read_line(stdin, buf, len) != 0) {
			return (usage_err("đầu vào chuẩn không có mật khẩu nào"));
		}
		return (0);
	}
	if (read_hidden(prompt, buf, len) != 0) {
		return (usage_err("không đọc được mật khẩu từ bàn phím"));
	}
	if (twice) {
		if (read_hidden("Nhập lại mật khẩu: ", again, sizeof(again)) !=
		        0 ||
		    strcmp(buf, again) != 0) {
			explicit_bzero(again, sizeof(again));
			return (usage_err("hai lần nhập mật khẩu không khớp; "
			                  "không có gì thay đổi"));
		}
		explicit_bzero(again, sizeof(again));
	}
	return (0);
}
