/* exec_run.c - runs the hook program: its own process group, the alerts
 * on stdin, stdout and stderr captured, a deadline.  Everything the child
 * needs is prepared before fork(), because after fork() in a process that
 * may have threads only async-signal-safe calls are allowed.  stdin is a
 * socket, so writing to a program that stopped reading gives EPIPE
 * through MSG_NOSIGNAL instead of killing ctmon with SIGPIPE. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"

/* After the program exited, output still open in a child it left behind
 * is read for this long, not until that child closes it. */
#define DRAIN_MS 200

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child: only async-signal-safe calls from here to execve. */
static void child(const char *path, char *const argv[], char *const envp[],
		  int in_fd, int out_fd, int err_pipe, long max_fd)
{
	struct sigaction dfl;
	sigset_t none;
	int e;

	setpgid(0, 0);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		goto fail;
	/* Nothing of ctmon's (database, sockets) reaches the program. */
	for (long fd = 3; fd < max_fd; fd++)
		if (fd != err_pipe)
			close((int)fd);
	execve(path, argv, envp);
fail:
	e = errno;
	if (write(err_pipe, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

static void keep_output(struct ex_result *res, const char *buf, size_t n)
{
	size_t room = sizeof res->output - 1 - res->output_len;

	if (n > room)
		n = room;
	memcpy(res->output + res->output_len, buf, n);
	res->output_len += n;
	res->output[res->output_len] = '\0';
}

struct io {
	int in;          /* our end of the program's stdin, -1 when closed */
	int out;         /* the read end of stdout + stderr */
	const char *input;
	size_t len;
	size_t off;
};

/* One round of poll: feed stdin, read output.  -1 on a poll error. */
static int pump(struct io *io, struct ex_result *res, int wait_ms)
{
	struct pollfd p[2];
	int n = 0, in_i = -1, out_i = -1;
	char buf[4096];

	if (io->in >= 0) {
		p[n].fd = io->in;
		p[n].events = POLLOUT;
		in_i = n++;
	}
	if (io->out >= 0) {
		p[n].fd = io->out;
		p[n].events = POLLIN;
		out_i = n++;
	}
	if (n == 0) {
		poll(NULL, 0, wait_ms);
		return 0;
	}
	if (poll(p, (nfds_t)n, wait_ms) < 0)
		return errno == EINTR ? 0 : -1;
	if (in_i >= 0 && p[in_i].revents) {
		ssize_t w = send(io->in, io->input + io->off, io->len - io->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0)
			io->off += (size_t)w;
		/* All written, or the program stopped reading: EOF. */
		if (io->off == io->len ||
		    (w < 0 && errno != EAGAIN && errno != EINTR))
			close_fd(&io->in);
	}
	if (out_i >= 0 && p[out_i].revents) {
		ssize_t r = read(io->out, buf, sizeof buf);
		if (r > 0)
			keep_output(res, buf, (size_t)r);
		else if (r == 0 || (errno != EAGAIN && errno != EINTR))
			close_fd(&io->out);
	}
	return 0;
}

/* pipe2() is a GNU extension; other threads never exec, so setting the
 * flag right after is as good. */
static int cloexec_pipe(int fd[2])
{
	if (pipe(fd) != 0)
		return -1;
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Waits for the exec to succeed (EOF) or fail (its errno). */
static void exec_outcome(int err_pipe, struct ex_result *res)
{
	int e = 0;
	ssize_t r;

	do
		r = read(err_pipe, &e, sizeof e);
	while (r < 0 && errno == EINTR);
	if (r == (ssize_t)sizeof e) {
		res->started = 0;
		res->exec_errno = e;
	} else {
		res->started = 1;
	}
}

int ex_run(const char *path, char *const argv[], char *const envp[],
	   const char *input, size_t input_len, int64_t timeout_ms,
	   int (*stop)(void *ctx), void *ctx, struct ex_result *res)
{
	int sv[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
	struct io io = {-1, -1, input, input_len, 0};
	long max_fd = sysconf(_SC_OPEN_MAX);
	int64_t deadline = now_ms() + timeout_ms, exited_at = -1;
	int rc = CTMON_OK, wstatus = 0;
	pid_t pid;

	memset(res, 0, sizeof *res);
	if (max_fd < 0 || max_fd > 65536)
		max_fd = 65536;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    cloexec_pipe(outp) != 0 || cloexec_pipe(errp) != 0) {
		rc = CTMON_EIO;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = CTMON_EIO;
		goto out;
	}
	if (pid == 0)
		child(path, argv, envp, sv[1], outp[1], errp[1], max_fd);
	/* Also here, so the group exists before we may signal it. */
	setpgid(pid, pid);
	close_fd(&sv[1]);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	exec_outcome(errp[0], res);
	io.in = sv[0];
	io.out = outp[0];
	sv[0] = outp[0] = -1;
	fcntl(io.out, F_SETFL, O_NONBLOCK);
	if (!res->started || input_len == 0)
		close_fd(&io.in);
	for (;;) {
		int64_t t = now_ms();
		siginfo_t si;

		/* WNOWAIT: the exited program stays a zombie, so its process
		 * group id cannot be reused before we signal the group. */
		memset(&si, 0, sizeof si);
		if (exited_at < 0 &&
		    waitid(P_PID, (id_t)pid, &si,
			   WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid) {
			exited_at = t;
			close_fd(&io.in);
		}
		if (exited_at >= 0 && (io.out < 0 || t - exited_at >= DRAIN_MS))
			break;
		if (exited_at < 0 && (t >= deadline || (stop && stop(ctx)))) {
			res->timed_out = t >= deadline;
			res->stopped = !res->timed_out;
			break;
		}
		if (pump(&io, res, 50) != 0) {
			rc = CTMON_EIO;
			break;
		}
	}
	/* The program if it still runs, and whatever it left behind in its
	 * group, go; then it is reaped. */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(wstatus) && !res->timed_out && !res->stopped) {
		res->exited = 1;
		res->status = WEXITSTATUS(wstatus);
	} else if (WIFSIGNALED(wstatus) && !res->timed_out && !res->stopped) {
		res->signal = WTERMSIG(wstatus);
	}
out:
	close_fd(&io.in);
	close_fd(&io.out);
	for (int i = 0; i < 2; i++) {
		close_fd(&sv[i]);
		close_fd(&outp[i]);
		close_fd(&errp[i]);
	}
	return rc;
}
