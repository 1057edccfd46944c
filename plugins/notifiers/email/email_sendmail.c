/* email_sendmail.c - delivery through the local MTA, as certspotter does:
 * the message on the stdin of `sendmail -t -i`, started with posix_spawn
 * (no shell, so nothing in the path or the message is ever interpreted),
 * its stdout sent to stderr so it cannot mix with ctmon's output, and the
 * SMTP password kept out of its environment. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "email.h"

#define EX_TEMPFAIL 75 /* sysexits.h: try again later */

extern char **environ;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The environment minus the SMTP password, which the MTA has no use for. */
static char **child_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 1, sizeof *env);
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CTMON_SMTP_PASS=", 16) != 0)
			env[k++] = environ[i];
	return env;
}

/* The message with CRLF line ends as the local MTA expects them: LF. */
static int to_local_newlines(const struct nbuf *msg, struct nbuf *out)
{
	const char *s = nb_str(msg);

	for (size_t i = 0; i < msg->len; i++)
		if (!(s[i] == '\r' && i + 1 < msg->len && s[i + 1] == '\n'))
			nb_putn(out, &s[i], 1);
	return out->oom ? CTMON_ENOMEM : CTMON_OK;
}

/* Writes everything before the deadline; -1 with errno on failure. */
static int write_all(int fd, const char *p, size_t len, int64_t deadline)
{
	while (len > 0) {
		struct pollfd pfd = {fd, POLLOUT, 0};
		int64_t left = deadline - now_ms();
		ssize_t w;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) < 0 &&
		    errno != EINTR)
			return -1;
		w = write(fd, p, len);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Waits for the child until the deadline, then kills it. */
static int wait_child(pid_t pid, int64_t deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		struct timespec ts = {0, 10 * 1000 * 1000};

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			errno = ETIMEDOUT;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
}

/* Starts the MTA with its stdin on the pipe's read end. */
static int spawn(struct em_state *st, int in_fd, int other_fd, pid_t *pid)
{
	char *argv[] = {st->sendmail_path, "-t", "-i", NULL};
	posix_spawn_file_actions_t fa;
	char **env = child_env();
	int err;

	if (!env)
		return ENOMEM;
	err = posix_spawn_file_actions_init(&fa);
	if (err == 0) {
		posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
		posix_spawn_file_actions_addclose(&fa, in_fd);
		posix_spawn_file_actions_addclose(&fa, other_fd);
		err = posix_spawn(pid, st->sendmail_path, &fa, NULL, argv, env);
		posix_spawn_file_actions_destroy(&fa);
	}
	free(env);
	return err;
}

int em_sendmail(struct em_state *st, const struct nbuf *msg)
{
	struct nbuf local = {0};
	sigset_t pipe_set, old_set;
	int fds[2] = {-1, -1}, status = 0, err, rc = CTMON_EIO;
	int64_t deadline = now_ms() + st->timeout_s * 1000;
	pid_t pid = -1;

	if (to_local_newlines(msg, &local) != CTMON_OK) {
		st->api->set_error(st->host, "out of memory");
		nb_free(&local);
		return CTMON_ENOMEM;
	}
	if (pipe(fds) != 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
		st->api->set_error(st->host, "sendmail: pipe: %s",
				   strerror(errno));
		goto out;
	}
	err = spawn(st, fds[0], fds[1], &pid);
	close(fds[0]);
	fds[0] = -1;
	if (err != 0) {
		st->api->set_error(st->host, "sendmail: cannot run %s: %s",
				   st->sendmail_path, strerror(err));
		pid = -1;
		goto out;
	}
	fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
	/* An MTA that exits early must give EPIPE here, not kill ctmon. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	if (write_all(fds[1], nb_str(&local), local.len, deadline) != 0) {
		struct timespec zero = {0, 0};

		err = errno;
		while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
			;
		st->api->set_error(st->host, "sendmail: writing the message "
				   "to %s: %s", st->sendmail_path,
				   strerror(err));
	} else {
		rc = CTMON_OK;
	}
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	close(fds[1]);
	fds[1] = -1;
	if (wait_child(pid, deadline, &status) != 0) {
		st->api->set_error(st->host, "sendmail: %s did not finish in "
				   "%llds", st->sendmail_path,
				   (long long)st->timeout_s);
		rc = CTMON_ETIMEDOUT;
		goto out;
	}
	if (rc != CTMON_OK)
		goto out;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		goto out;
	if (WIFEXITED(status)) {
		st->api->set_error(st->host, "sendmail: %s exited with status "
				   "%d", st->sendmail_path,
				   WEXITSTATUS(status));
		rc = WEXITSTATUS(status) == EX_TEMPFAIL ? CTMON_EAGAIN
							 : CTMON_EIO;
	} else {
		st->api->set_error(st->host, "sendmail: %s killed by signal "
				   "%d", st->sendmail_path,
				   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		rc = CTMON_EIO;
	}
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	nb_free(&local);
	return rc;
}
