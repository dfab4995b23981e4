/*
 * main.c: sangkiend, the sangkien server.
 *
 * A straight init chain in the manner of Knot Resolver's daemon/main.c:
 * read the configuration file (--config), parse flags, prepare the data
 * directory and take its lock, then hand over to server_run, which owns the
 * loop until SIGINT or SIGTERM.
 *
 * The configuration file knows no settings of its own: each `key = value`
 * line is the long flag --key=value, put before the command line's flags,
 * so that every flag (those added later too) can be set there, and a flag
 * given on the command line wins (the repeatable --listen and --events add
 * to the file's).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util/conf.h"
#include "core/util/log.h"
#include "core/server/server.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sangkiend [--data DIR] [--listen URL]... [--events URL]...\n"
	    "                 [--rubrics DIR] [--durability full|nosync]\n"
	    "                 [--test-clock] [--log-level LEVEL]\n"
	    "                 [--review-days N] [--contexts N] [--map-size MIB]\n"
	    "                 [--tls-cert FILE] [--tls-key FILE] [--rubric-mem MIB]\n"
	    "                 [--http URL --web DIR] [--session-idle M]\n"
	    "                 [--session-max H]\n"
	    "                 [--admin-group GROUP] [--config FILE]\n"
	    "                 [--smtp URL [--smtp-user U --smtp-password-file F]\n"
	    "                 [--smtp-require-tls] --mail-from ADDR]\n"
	    "                 [--public-url URL]\n"
	    "\n"
	    "  --data DIR        data directory, created if missing "
	    "(default ./sangkien-data);\n"
	    "                    the API is always on ipc://DIR/api.ipc and "
	    "events on\n"
	    "                    ipc://DIR/events.ipc\n"
	    "  --listen URL      another API address (tcp://, ws://, "
	    "tls+tcp://); repeatable\n"
	    "  --events URL      another event address; repeatable\n"
	    "  --tls-cert FILE   PEM file with the certificate (and the key, "
	    "without\n"
	    "                    --tls-key) for tls+tcp://, wss:// and "
	    "https://\n"
	    "  --tls-key FILE    PEM file with the certificate's private key\n"
	    "  --http URL        serve the web application at URL "
	    "(http://HOST:PORT, or\n"
	    "                    https://HOST:PORT with --tls-cert), the API "
	    "at\n"
	    "                    ws[s]://HOST:PORT/api and the events at "
	    "/events\n"
	    "  --web DIR         the web application's files, with --http "
	    "(reread on SIGHUP)\n"
	    "  --session-idle M  a session of auth.login ends after M minutes "
	    "unused\n"
	    "                    (default 30)\n"
	    "  --session-max H   and H hours after its login, however busy "
	    "(default 12)\n"
	    "  --rubrics DIR     rubrics loaded at start and on SIGHUP "
	    "(default ./rubrics)\n"
	    "  --durability M    full: every reply follows an fsync "
	    "(default);\n"
	    "                    nosync: faster, the last commits may be lost "
	    "on power loss\n"
	    "  --test-clock      enable server.clock, for tests\n"
	    "  --log-level L     error, warn, info (default), debug\n"
	    "  --review-days N   deadline of a council review (default 90)\n"
	    "  --contexts N      concurrent requests in flight (default 64)\n"
	    "  --map-size MIB    initial database map size (default 64; it "
	    "grows)\n"
	    "  --rubric-mem MIB  memory cap of each rubric's Lua state "
	    "(default 64)\n"
	    "  --admin-group G   members of group G (its gid, or a "
	    "supplementary group of\n"
	    "                    the client's process) act as local-admin "
	    "over ipc://, as\n"
	    "                    the server's own user and root do\n"
	    "  --config FILE     read settings from FILE first: one "
	    "\"flag = value\" a line\n"
	    "                    (\"test-clock = yes\" for a flag without "
	    "value); the\n"
	    "                    command line's flags win (none is read "
	    "without --config)\n"
	    "  --smtp URL        send notices by mail through "
	    "smtp://HOST:PORT (STARTTLS\n"
	    "                    when offered) or smtps://HOST:PORT (TLS); "
	    "without it,\n"
	    "                    notices are in the application only\n"
	    "  --smtp-user U     log in to the mail server as U\n"
	    "  --smtp-password-file F  U's password, the first line of F\n"
	    "  --smtp-require-tls  refuse to send over smtp:// without "
	    "STARTTLS\n"
	    "  --mail-from ADDR  the notices' sender, addr@domain or "
	    "\"Name <addr@domain>\"\n"
	    "                    (default sangkien@localhost)\n"
	    "  --public-url URL  the web page's address as users reach it: "
	    "notices link\n"
	    "                    to URL/#/case/ID\n"
	    "\n"
	    "SIGHUP rereads the rubrics directory (and --web DIR); SIGINT and "
	    "SIGTERM\n"
	    "finish the batch in hand and exit 0.\n");
}

/* Holds the data directory for this process; a second server is refused. */
static int
lock_data_dir(const char *dir)
{
	char path[4096], buf[32];
	int  fd;

	snprintf(path, sizeof(path), "%s/sangkiend.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		log_error("cannot open %s: %s", path, strerror(errno));
		return (-1);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		log_error("another sangkiend (pid %s) is already using %s; "
		          "stop it first",
		    buf[0] ? buf : "?", dir);
		close(fd);
		return (-1);
	}
	if (ftruncate(fd, 0) == 0) {
		int n = snprintf(buf, sizeof(buf), "%ld\n", (long) getpid());
		if (write(fd, buf, (size_t) n) != n) {
			log_warn("cannot write the pid to %s", path);
		}
	}
	return (fd); /* kept open, and so locked, until exit */
}

static int
parse_int(const char *flag, const char *s, int min, int max, int *out)
{
	char *end;
	long  v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "sangkiend: %s must be a number from %d to %d\n",
		    flag, min, max);
		return (-1);
	}
	*out = (int) v;
	return (0);
}


/* The flags read from a configuration file, as an argv to prepend. */
struct conf_flags {
	char                **v;
	int                  n, cap;
	const struct option *opts; /* sangkiend's flags */
};

/* Appends arg (NULL: out of memory) to cf, which stays NULL-terminated. */
static int
conf_push(struct conf_flags *cf, char *arg)
{
	if (arg == NULL) {
		return (-1);
	}
	if (cf->n + 1 >= cf->cap) {
		int    cap = cf->cap ? cf->cap * 2 : 16;
		char **v   = realloc(cf->v, (size_t) cap * sizeof(*v));
		if (v == NULL) {
			free(arg);
			return (-1);
		}
		cf->v   = v;
		cf->cap = cap;
	}
	cf->v[cf->n++] = arg;
	cf->v[cf->n]   = NULL;
	return (0);
}

/* One `key = value` line of the file: the flag --key=value (conf_fn). */
static int
conf_flag(void *arg, const char *key, const char *val, int line, char *err,
    size_t errlen)
{
	struct conf_flags   *cf = arg;
	const struct option *o;
	char                *flag;

	/* Settings of the daily backup job (core/server/dist/sangkien-backup),
	 * which reads the same file. */
	if (strcmp(key, "backup-keep") == 0 || strcmp(key, "backup-dir") == 0) {
		return (0);
	}
	for (o = cf->opts; o->name != NULL; o++) {
		if (strcmp(o->name, key) == 0) {
			break;
		}
	}
	if (o->name == NULL || strcmp(key, "config") == 0 ||
	    strcmp(key, "help") == 0) {
		snprintf(err, errlen,
		    "line %d: unknown setting \"%s\" (sangkiend --help lists "
		    "the flags, which are the settings)",
		    line, key);
		return (-1);
	}
	if (o->has_arg == no_argument) {
		if (strcmp(val, "yes") == 0 || strcmp(val, "true") == 0) {
			flag = NULL;
			if (asprintf(&flag, "--%s", key) < 0 ||
			    conf_push(cf, flag) != 0) {
				snprintf(err, errlen, "out of memory");
				return (-1);
			}
		} else if (strcmp(val, "no") != 0 && strcmp(val, "false") != 0) {
			snprintf(err, errlen,
			    "line %d: %s takes yes or no, not \"%s\"", line,
			    key, val);
			return (-1);
		}
		return (0);
	}
	if (*val == '\0') {
		snprintf(err, errlen, "line %d: %s needs a value", line, key);
		return (-1);
	}
	flag = NULL;
	if (asprintf(&flag, "--%s=%s", key, val) < 0 ||
	    conf_push(cf, flag) != 0) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	return (0);
}

/*
 * Builds *out_argv: argv[0], the flags of the file that --config names (if
 * any), then the rest of argv.  Its strings live as long as the process.
 * Returns 0, or 2 (the exit status) after saying what is wrong.
 */
static int
with_config(int argc, char **argv, const struct option *opts, int *out_argc,
    char ***out_argv)
{
	/* Static: getopt's optarg points into it until the process ends
	 * (and LeakSanitizer sees it reachable at exit). */
	static struct conf_flags cf;
	const char              *path = NULL;
	char                     err[512], msg[600];

	cf.opts = opts;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			path = argv[i] + 9;
		}
	}
	if (conf_push(&cf, strdup(argv[0])) != 0) {
		fprintf(stderr, "sangkiend: out of memory\n");
		return (2);
	}
	if (path != NULL &&
	    conf_read(path, conf_flag, &cf, err, sizeof(err)) != 0) {
		/* conf_read names the file; conf_flag's messages do not. */
		snprintf(msg, sizeof(msg), "%s%s%s",
		    strncmp(err, "line ", 5) == 0 ? path : "",
		    strncmp(err, "line ", 5) == 0 ? ": " : "", err);
		fprintf(stderr, "sangkiend: %s\n", msg);
		return (2);
	}
	for (int i = 1; i < argc; i++) {
		if (conf_push(&cf, argv[i]) != 0) {
			fprintf(stderr, "sangkiend: out of memory\n");
			return (2);
		}
	}
	*out_argc = cf.n;
	*out_argv = cf.v;
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "events", required_argument, NULL, 'e' },
		{ "rubrics", required_argument, NULL, 'r' },
		{ "durability", required_argument, NULL, 'D' },
		{ "test-clock", no_argument, NULL, 'T' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "review-days", required_argument, NULL, 'R' },
		{ "contexts", required_argument, NULL, 'c' },
		{ "map-size", required_argument, NULL, 'm' },
		{ "tls-cert", required_argument, NULL, 't' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "http", required_argument, NULL, 'H' },
		{ "web", required_argument, NULL, 'W' },
		{ "session-idle", required_argument, NULL, 'S' },
		{ "session-max", required_argument, NULL, 'X' },
		{ "rubric-mem", required_argument, NULL, 'M' },
		{ "admin-group", required_argument, NULL, 'G' },
		{ "config", required_argument, NULL, 'C' },
		{ "smtp", required_argument, NULL, 1000 },
		{ "smtp-user", required_argument, NULL, 1001 },
		{ "smtp-password-file", required_argument, NULL, 1002 },
		{ "smtp-require-tls", no_argument, NULL, 1003 },
		{ "mail-from", required_argument, NULL, 1004 },
		{ "public-url", required_argument, NULL, 1005 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct server_config cfg = {
		.data_dir    = "./sangkien-data",
		.rubrics_dir = "./rubrics",
		.review_days = 90,
		.contexts    = 64,
	};
	const char *listen[SERVER_MAX_URLS], *events[SERVER_MAX_URLS];
	const char *password_file = NULL;
	char        from_name[200], from_addr[320];
	static char password[512];
	int         nlisten = 0, nevents = 0, c, lvl, mib = 0;
	char        api_url[4200], ev_url[4200];
	struct group *gr;

	if ((c = with_config(argc, argv, opts, &argc, &argv)) != 0) {
		return (c);
	}
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cfg.data_dir = optarg;
			break;
		case 'l':
		case 'e':
			if ((c == 'l' ? nlisten : nevents) >= SERVER_MAX_URLS) {
				fprintf(stderr, "sangkiend: at most %d of "
				                "--listen and of --events\n",
				    SERVER_MAX_URLS);
				return (2);
			}
			if (c == 'l') {
				listen[nlisten++] = optarg;
			} else {
				events[nevents++] = optarg;
			}
			break;
		case 'r':
			cfg.rubrics_dir = optarg;
			break;
		case 'D':
			if (strcmp(optarg, "full") != 0 &&
			    strcmp(optarg, "nosync") != 0) {
				fprintf(stderr, "sangkiend: --durability must be "
				                "full or nosync\n");
				return (2);
			}
			cfg.nosync = strcmp(optarg, "nosync") == 0;
			break;
		case 'T':
			cfg.test_clock = true;
			break;
		case 'L':
			if ((lvl = log_level_parse(optarg)) < 0) {
				fprintf(stderr, "sangkiend: --log-level must be "
				                "error, warn, info or debug\n");
				return (2);
			}
			log_threshold = (enum log_level) lvl;
			break;
		case 'R':
			if (parse_int("--review-days", optarg, 1, 3650,
			        &cfg.review_days) != 0) {
				return (2);
			}
			break;
		case 'c':
			if (parse_int("--contexts", optarg, 1, 4096,
			        &cfg.contexts) != 0) {
				return (2);
			}
			break;
		case 'm':
			if (parse_int("--map-size", optarg, 1, 1 << 20, &mib) !=
			    0) {
				return (2);
			}
			cfg.map_size = (size_t) mib << 20;
			break;
		case 't':
			cfg.tls_cert_key = optarg;
			break;
		case 'K':
			cfg.tls_key = optarg;
			break;
		case 'H':
			cfg.http_url = optarg;
			break;
		case 'W':
			cfg.web_dir = optarg;
			break;
		case 'S':
			if (parse_int("--session-idle", optarg, 1, 7 * 24 * 60,
			        &mib) != 0) {
				return (2);
			}
			cfg.session_idle_s = (int64_t) mib * 60;
			break;
		case 'X':
			if (parse_int("--session-max", optarg, 1, 24 * 365,
			        &mib) != 0) {
				return (2);
			}
			cfg.session_max_s = (int64_t) mib * 3600;
			break;
		case 'M':
			if (parse_int("--rubric-mem", optarg, 1, 4096, &mib) != 0) {
				return (2);
			}
			cfg.rubric_mem = (size_t) mib << 20;
			break;
		case 1000:
			if (strncmp(optarg, "smtp://", 7) != 0 &&
			    strncmp(optarg, "smtps://", 8) != 0) {
				fprintf(stderr, "sangkiend: --smtp must be "
				                "smtp://HOST:PORT or "
				                "smtps://HOST:PORT\n");
				return (2);
			}
			cfg.smtp_url = optarg;
			break;
		case 1001:
			cfg.smtp_user = optarg;
			break;
		case 1002:
			password_file = optarg;
			break;
		case 1003:
			cfg.smtp_require_tls = true;
			break;
		case 1004:
			if (!server_mail_from_parse(optarg, from_name,
			        sizeof(from_name), from_addr,
			        sizeof(from_addr))) {
				fprintf(stderr, "sangkiend: --mail-from must be "
				                "name@domain or \"Tên "
				                "<name@domain>\"\n");
				return (2);
			}
			cfg.mail_from = optarg;
			break;
		case 1005:
			if (strncmp(optarg, "http://", 7) != 0 &&
			    strncmp(optarg, "https://", 8) != 0) {
				fprintf(stderr, "sangkiend: --public-url must "
				                "start with http:// or "
				                "https://\n");
				return (2);
			}
			cfg.public_url = optarg;
			break;
		case 'G':
			if ((gr = getgrnam(optarg)) == NULL) {
				fprintf(stderr, "sangkiend: --admin-group: no "
				                "group named \"%s\"\n",
				    optarg);
				return (2);
			}
			cfg.admin_group = true;
			cfg.admin_gid   = (unsigned) gr->gr_gid;
			break;
		case 'C':
			break; /* read before the flags, by with_config */
		case 'h':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sangkiend: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		return (2);
	}

	if ((cfg.http_url == NULL) != (cfg.web_dir == NULL)) {
		fprintf(stderr, "sangkiend: --http URL and --web DIR go "
		                "together\n");
		return (2);
	}
	if (cfg.tls_key != NULL && cfg.tls_cert_key == NULL) {
		fprintf(stderr, "sangkiend: --tls-key needs --tls-cert\n");
		return (2);
	}
	if ((cfg.smtp_user != NULL || password_file != NULL ||
	        cfg.smtp_require_tls || cfg.mail_from != NULL) &&
	    cfg.smtp_url == NULL) {
		fprintf(stderr, "sangkiend: the mail flags need --smtp URL\n");
		return (2);
	}
	if (password_file != NULL) {
		FILE *f = fopen(password_file, "r");
		if (f == NULL || fgets(password, sizeof(password), f) == NULL) {
			fprintf(stderr, "sangkiend: cannot read the password "
			                "from %s\n",
			    password_file);
			if (f != NULL) {
				fclose(f);
			}
			return (2);
		}
		fclose(f);
		password[strcspn(password, "\r\n")] = '\0';
		cfg.smtp_password = password;
	}
	signal(SIGPIPE, SIG_IGN);
	if (mkdir(cfg.data_dir, 0750) != 0 && errno != EEXIST) {
		log_error("cannot create %s: %s", cfg.data_dir, strerror(errno));
		return (1);
	}
	if (lock_data_dir(cfg.data_dir) < 0) {
		return (1);
	}
	/* The default addresses come first; --listen and --events add. */
	snprintf(api_url, sizeof(api_url), "ipc://%s/api.ipc", cfg.data_dir);
	snprintf(ev_url, sizeof(ev_url), "ipc://%s/events.ipc", cfg.data_dir);
	cfg.listen[0] = api_url;
	cfg.events[0] = ev_url;
	for (int i = 0; i < nlisten; i++) {
		cfg.listen[i + 1] = listen[i];
	}
	for (int i = 0; i < nevents; i++) {
		cfg.events[i + 1] = events[i];
	}
	return (server_run(&cfg));
}
