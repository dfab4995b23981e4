/*
 * proc.c: the processes skbench starts: sangkiend on a data directory of
 * its own, and skbench itself in --echo-server mode for the transport
 * ceiling.  Each runs in its own process, as in production, so that the
 * client loop never shares a CPU's caches or a heap with the server.
 * Start-up time is measured from fork to the first successful
 * server.status; resident memory is read from /proc/PID/status (VmRSS,
 * and RssAnon: what is the server's own rather than LMDB's file map).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "skbench.h"

/* Waits until url answers req with "ok":true (or, req NULL, accepts a
 * dial); fails if pid dies first or the time runs out. */
int
sk_wait_ready(const char *url, const char *req, pid_t pid, double timeout_s)
{
	uint64_t until = sk_now_ns() + (uint64_t) (timeout_s * 1e9);
	int      status;

	while (sk_now_ns() < until) {
		if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid) {
			return (-1);
		}
		if (req != NULL) {
			if (sk_call(url, req, NULL, 2000) == 0) {
				return (0);
			}
		} else {
			nng_socket s;
			if (nng_req0_open(&s) == 0) {
				int rv = nng_dial(s, url, NULL, 0);
				nng_close(s);
				if (rv == 0) {
					return (0);
				}
			}
		}
		usleep(1000);
	}
	return (-1);
}

static void
print_log_tail(const char *path)
{
	char  line[1024];
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		fprintf(stderr, "  sangkiend: %s", line);
	}
	fclose(f);
}

int
sk_server_start(struct sk_server *s, double *startup_s)
{
	char     contexts[16];
	uint64_t t0 = sk_now_ns();
	pid_t    pid;

	snprintf(s->url, sizeof(s->url), "ipc://%s/api.ipc", s->dir);
	snprintf(s->log, sizeof(s->log), "%s.log", s->dir);
	snprintf(contexts, sizeof(contexts), "%d", s->contexts);
	if ((pid = fork()) < 0) {
		return (-1);
	}
	if (pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		const char *argv[] = { s->bin, "--data", s->dir, "--rubrics",
			s->rubrics, "--durability",
			s->nosync ? "nosync" : "full", "--contexts", contexts,
			"--log-level", "warn", NULL };
		execv(s->bin, (char *const *) argv);
		fprintf(
		    stderr, "cannot run %s: %s\n", s->bin, strerror(errno));
		_exit(127);
	}
	s->pid = pid;
	if (sk_wait_ready(s->url, "{\"op\":\"server.status\"}", pid, 120)
	    != 0) {
		fprintf(stderr, "skbench: %s did not start on %s; its log:\n",
		    s->bin, s->dir);
		print_log_tail(s->log);
		if (kill(pid, 0) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		s->pid = 0;
		return (-1);
	}
	if (startup_s != NULL) {
		*startup_s = (double) (sk_now_ns() - t0) / 1e9;
	}
	return (0);
}

int
sk_server_stop(struct sk_server *s)
{
	int status = 0;
	if (s->pid <= 0) {
		return (0);
	}
	kill(s->pid, SIGTERM);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr,
		    "skbench: sangkiend did not exit 0 on SIGTERM "
		    "(status %d); its log:\n",
		    status);
		print_log_tail(s->log);
		return (-1);
	}
	return (0);
}

void
sk_server_kill(struct sk_server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
}

double
sk_rss_mib(pid_t pid, const char *field)
{
	char  path[64], line[256];
	long  kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long) pid);
	if ((f = fopen(path, "r")) == NULL) {
		return (-1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(field);
		if (strncmp(line, field, n) == 0
		    && sscanf(line + n, "%ld", &kib) == 1) {
			break;
		}
	}
	fclose(f);
	return (kib < 0 ? -1 : (double) kib / 1024.0);
}

pid_t
sk_echo_start(const char *self, const char *url, int contexts, bool loop)
{
	char  n[16];
	pid_t pid;

	snprintf(n, sizeof(n), "%d", contexts);
	if ((pid = fork()) < 0) {
		return (-1);
	}
	if (pid == 0) {
		const char *argv[] = { self, "--echo-server", url, "--clients",
			n, loop ? "--loop" : NULL, NULL };
		execv(self, (char *const *) argv);
		_exit(127);
	}
	if (sk_wait_ready(url, NULL, pid, 10) != 0) {
		sk_echo_stop(pid);
		return (-1);
	}
	return (pid);
}

void
sk_echo_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void) sb;
	(void) flag;
	(void) ftw;
	return (remove(path) == 0 || errno == ENOENT ? 0 : -1);
}

void
sk_rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
