/*
 * restore.c: `sangkien restore BACKUP DATA_DIR`, the one command that works
 * without a server.  It puts a backup (server.backup's copy) in place as a
 * data directory, after checking it as server.verify would: a backup whose
 * records are damaged, or whose meta page makes LMDB read an older state
 * (issue 19: a flip in meta page 1 of a compacted copy made the server
 * start on an empty database, and verify call it clean), is refused with
 * the damage named, and nothing is written.
 *
 * The check reads the whole backup in a child process: damage that LMDB
 * does not detect could crash the reader, and then the child dies, not
 * the command, which reports it as damage.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/model/workflow.h"
#include "core/store/store.h"
#include "core/util/err.h"
#include "ipc/cli/cli.h"

/* The check, in the child: {"problems": [...], "cases", "events"} as one
 * JSON line on fd. */
static void
check_child(const char *dir, int fd)
{
	json_object  *out = json_object_new_object();
	json_object  *problems = json_object_new_array();
	const char   *states[WF_NSTATES + 1] = { NULL };
	struct store *st;
	struct store_counts want;
	MDB_txn      *txn;
	uint64_t      ncases = 0, nevents = 0;
	bool          found = false;
	char          err[600];
	const char   *text;
	int           rv;

	for (int s = 0; s < WF_NSTATES; s++) {
		states[s] = wf_state_name((enum wf_state) s);
	}
	if (store_open_ro(&st, dir, err, sizeof(err)) != 0) {
		store_problem(problems, "%s", err);
	} else {
		if (store_counts_load(dir, &want, &found) != 0) {
			store_problem(problems, "%s/counts.json is unreadable",
			    dir);
		}
		if ((rv = store_snapshot_begin(st, &txn)) != 0) {
			store_problem(problems, "cannot read the backup (%s)",
			    sk_err_code(rv));
		} else {
			if ((rv = store_verify(txn, st, states, problems, &ncases,
			         &nevents)) != 0) {
				store_problem(problems,
				    "the backup cannot be read to its end (%s)",
				    store_damage() ? store_damage()
				                   : sk_err_code(rv));
			} else {
				store_verify_counts(txn, st, problems, ncases,
				    nevents);
			}
			store_snapshot_end(st, txn);
		}
		store_close(st);
	}
	json_object_object_add(out, "problems", problems);
	json_object_object_add(out, "counts", json_object_new_boolean(found));
	json_object_object_add(out, "cases", json_object_new_int64((int64_t) ncases));
	json_object_object_add(out, "events",
	    json_object_new_int64((int64_t) nevents));
	text = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN);
	if (write(fd, text, strlen(text)) < 0) {
		_exit(3);
	}
	_exit(0);
}

/* Runs check_child and returns what it wrote, or NULL with *sig set if it
 * died of a signal (or could not run: *sig -1). */
static json_object *
check_backup(const char *dir, int *sig)
{
	int    p[2], status;
	pid_t  pid;
	char  *buf = NULL;
	size_t len = 0, cap = 0;

	*sig = -1;
	fflush(stdout);
	if (pipe(p) != 0 || (pid = fork()) < 0) {
		return (NULL);
	}
	if (pid == 0) {
		close(p[0]);
		check_child(dir, p[1]);
	}
	close(p[1]);
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap * 2 + 8192;
			if ((buf = realloc(buf, cap)) == NULL) {
				break;
			}
		}
		ssize_t n = read(p[0], buf + len, cap - len - 1);
		if (n <= 0) {
			break;
		}
		len += (size_t) n;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status)) {
		*sig = WTERMSIG(status);
		free(buf);
		return (NULL);
	}
	if (buf == NULL) {
		return (NULL);
	}
	buf[len]        = '\0';
	json_object *r = json_tokener_parse(buf);
	free(buf);
	return (r);
}

/* Copies from/name to to/name, synced. */
static int
copy_file(const char *from, const char *to, const char *name)
{
	char    src[4200], dst[4200], buf[1 << 16];
	int     in, out = -1, rc = -1;
	ssize_t n;

	snprintf(src, sizeof(src), "%s/%s", from, name);
	snprintf(dst, sizeof(dst), "%s/%s", to, name);
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) <
	        0) {
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t) n) != n) {
			goto out;
		}
	}
	rc = n == 0 && fsync(out) == 0 ? 0 : -1;
out:
	if (rc != 0) {
		fprintf(stderr, "sangkien: không chép được %s sang %s: %s\n", src,
		    dst, strerror(errno));
	}
	if (in >= 0) {
		close(in);
	}
	if (out >= 0) {
		close(out);
	}
	return (rc);
}

int
cmd_restore(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	const char  *from = a->pos[0], *to = a->pos[1];
	char         path[4200];
	struct stat  sb;
	json_object *r, *problems;
	int          sig;

	(void) cmd;
	snprintf(path, sizeof(path), "%s/data.mdb", from);
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "sangkien: %s không phải bản sao lưu: không có "
		                "data.mdb\n",
		    from);
		return (CLI_EUSAGE);
	}
	snprintf(path, sizeof(path), "%s/data.mdb", to);
	if (stat(path, &sb) == 0) {
		fprintf(stderr, "sangkien: %s đã có cơ sở dữ liệu (data.mdb); "
		                "hãy chuyển nó đi trước khi khôi phục\n",
		    to);
		return (CLI_EUSAGE);
	}
	if ((r = check_backup(from, &sig)) == NULL) {
		fprintf(stderr,
		    sig > 0 ? "sangkien: bản sao lưu %s bị hỏng: đọc nó làm "
		              "tiến trình kiểm tra dừng (tín hiệu %d); không "
		              "khôi phục\n"
		            : "sangkien: không kiểm tra được bản sao lưu %s\n",
		    from, sig);
		return (CLI_EREPLY);
	}
	problems = jarray(r, "problems");
	if (cl->o.json) {
		cli_print_json(r, 0);
	}
	if (jlen(problems) > 0) {
		if (!cl->o.json) {
			fprintf(stderr, "sangkien: bản sao lưu %s bị hỏng, không "
			                "khôi phục:\n",
			    from);
			for (size_t i = 0; i < jlen(problems); i++) {
				fprintf(stderr, "  - %s\n",
				    json_object_get_string(
					json_object_array_get_idx(problems, i)));
			}
		}
		json_object_put(r);
		return (CLI_EREPLY);
	}
	if (!jbool(r, "counts") && !cl->o.json) {
		fprintf(stderr, "sangkien: cảnh báo: %s không có counts.json "
		                "(sao lưu bởi phiên bản cũ): không đối chiếu "
		                "được số sự kiện\n",
		    from);
	}
	if ((mkdir(to, 0750) != 0 && errno != EEXIST) ||
	    copy_file(from, to, "data.mdb") != 0) {
		json_object_put(r);
		return (CLI_EREPLY);
	}
	snprintf(path, sizeof(path), "%s/counts.json", from);
	if (stat(path, &sb) == 0 && copy_file(from, to, "counts.json") != 0) {
		json_object_put(r);
		return (CLI_EREPLY);
	}
	if (!cl->o.json) {
		printf("đã khôi phục %s vào %s: %lld hồ sơ, %lld sự kiện, kiểm "
		       "tra tốt\n",
		    from, to, jint(r, "cases", 0), jint(r, "events", 0));
	}
	json_object_put(r);
	return (CLI_OK);
}
