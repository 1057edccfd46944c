/* dns_env.c - see dns_env.h. */
#include "dns_env.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int read_info(const char *path, struct dns_env *env)
{
	FILE *fp = fopen(path, "r");
	int n;

	if (!fp)
		return -1;
	n = fscanf(fp, "port=%d servfail_port=%d", &env->port,
		   &env->servfail_port);
	fclose(fp);
	return n == 2 ? 0 : -1;
}

int dns_env_start(struct dns_env *env, int bulk)
{
	char info[128], bulk_text[32];
	int pipefd[2];
	struct timespec pause = {0, 50 * 1000 * 1000};

	memset(env, 0, sizeof *env);
	snprintf(env->dir, sizeof env->dir, "/tmp/ctmon-dnsenv-XXXXXX");
	if (!mkdtemp(env->dir))
		return -1;
	snprintf(info, sizeof info, "%s/info", env->dir);
	snprintf(bulk_text, sizeof bulk_text, "%d", bulk);
	if (pipe(pipefd) != 0)
		return -1;
	env->pid = fork();
	if (env->pid < 0)
		return -1;
	if (env->pid == 0) {
		dup2(pipefd[0], 0);
		close(pipefd[0]);
		close(pipefd[1]);
		execl(CTM_PYTHON, CTM_PYTHON,
		      CTM_SOURCE_DIR "/tests/dns/dnsmasq_env.py", "--info", info,
		      "--bulk", bulk_text, (char *)NULL);
		_exit(127);
	}
	close(pipefd[0]);
	env->stdin_fd = pipefd[1];
	for (int i = 0; i < 400; i++) { /* 20 s */
		int status;
		if (read_info(info, env) == 0) {
			snprintf(env->server, sizeof env->server,
				 "127.0.0.1:%d", env->port);
			return 0;
		}
		if (waitpid(env->pid, &status, WNOHANG) == env->pid) {
			env->pid = 0;
			break;
		}
		nanosleep(&pause, NULL);
	}
	dns_env_stop(env);
	return -1;
}

void dns_env_stop(struct dns_env *env)
{
	char info[128];

	if (env->stdin_fd > 0)
		close(env->stdin_fd);
	env->stdin_fd = -1;
	if (env->pid > 0) {
		int status;
		waitpid(env->pid, &status, 0);
	}
	env->pid = 0;
	snprintf(info, sizeof info, "%s/info", env->dir);
	unlink(info);
	rmdir(env->dir);
}

int blackhole_open(int *port, char *server, size_t len)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	snprintf(server, len, "127.0.0.1:%d", *port);
	return fd;
}

int blackhole_count(int fd)
{
	char buf[1500];
	int n = 0;

	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) >= 0)
		n++;
	return n;
}
