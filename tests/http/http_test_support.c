/* http_test_support.c - see http_test_support.h. */
#include "http_test_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "util.h"

#define SERVER_START_TIMEOUT_MS 20000

int64_t test_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_a_little(void)
{
	struct timespec ts = {0, 20 * 1000000};
	nanosleep(&ts, NULL);
}

static void exec_server(const char *port_file, pid_t parent)
{
	/* Die with the test even if it crashes before its teardown. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	execl(CTM_PYTHON, CTM_PYTHON, CTM_HTTP_SERVER, "--port-file",
	      port_file, (char *)NULL);
	perror("exec " CTM_PYTHON);
	_exit(127);
}

/* The port file holds "<http_port> <https_port>\n". */
static int read_ports(const char *path, struct test_server *s)
{
	char line[64], *space, *end;
	int64_t http_port, https_port;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof line, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	space = strchr(line, ' ');
	end = strchr(line, '\n');
	if (!space || !end)
		return -1;
	*space = *end = '\0';
	if (ctm_parse_int64(line, &http_port) != 0 ||
	    ctm_parse_int64(space + 1, &https_port) != 0 || http_port <= 0 ||
	    http_port > 65535 || https_port <= 0 || https_port > 65535)
		return -1;
	s->http_port = (int)http_port;
	s->https_port = (int)https_port;
	return 0;
}

int test_server_start(struct test_server *s)
{
	char port_file[128];
	pid_t parent = getpid();
	int64_t deadline;

	memset(s, 0, sizeof *s);
	/* Tests talk to 127.0.0.1 only, whatever proxy the caller has. */
	setenv("no_proxy", "127.0.0.1", 1);
	setenv("NO_PROXY", "127.0.0.1", 1);
	snprintf(s->dir, sizeof s->dir, "/tmp/ctm-http-test-XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(port_file, sizeof port_file, "%s/ports", s->dir);
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0)
		exec_server(port_file, parent);
	deadline = test_now_ms() + SERVER_START_TIMEOUT_MS;
	while (test_now_ms() < deadline) {
		int status;

		if (read_ports(port_file, s) == 0)
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			break;
		}
		sleep_a_little();
	}
	fprintf(stderr, "test server did not start\n");
	test_server_stop(s);
	return -1;
}

void test_server_stop(struct test_server *s)
{
	char path[128];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->dir[0]) {
		snprintf(path, sizeof path, "%s/ports", s->dir);
		unlink(path);
		snprintf(path, sizeof path, "%s/ports.tmp", s->dir);
		unlink(path);
		snprintf(path, sizeof path, "%s/ports.pem", s->dir);
		unlink(path);
		rmdir(s->dir);
		s->dir[0] = '\0';
	}
}

const char *test_server_cert(char *buf, size_t len,
			     const struct test_server *s)
{
	snprintf(buf, len, "%s/ports.pem", s->dir);
	return buf;
}

const char *test_url(char *buf, size_t len, const struct test_server *s,
		     int tls, const char *path)
{
	snprintf(buf, len, "%s://127.0.0.1:%d%s", tls ? "https" : "http",
		 tls ? s->https_port : s->http_port, path);
	return buf;
}

const char *test_unique_id(char *buf, size_t len, const char *tag)
{
	static int counter;

	snprintf(buf, len, "%s-%ld-%d", tag, (long)getpid(), ++counter);
	return buf;
}

static int64_t stats_member(const struct test_server *s, const char *id,
			    const char *member)
{
	char path[256], url[320];
	struct ctmon_http_req *r;
	json_object *root = NULL, *v;
	int64_t out = -1;

	snprintf(path, sizeof path, "/stats?id=%s", id);
	r = ctm_http_new("[test:stats]", "GET",
			 test_url(url, sizeof url, s, 0, path));
	if (!r)
		return -1;
	if (ctm_http_perform(r) != CTMON_OK || ctm_http_status(r) != 200)
		goto out;
	root = json_tokener_parse(ctm_http_body(r, NULL));
	if (root && json_object_object_get_ex(root, member, &v))
		out = json_object_get_int64(v);
out:
	json_object_put(root);
	ctm_http_free(r);
	return out;
}

int64_t test_server_count(const struct test_server *s, const char *id)
{
	return stats_member(s, id, "count");
}

int64_t test_server_tls_failures(const struct test_server *s)
{
	return stats_member(s, "-", "tls_failures");
}

void test_pattern(unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)((i * 7 + 3) % 251);
}

/* ---- stop switch -------------------------------------------------------- */

static int stop_flag;
static pthread_t stop_thread;
static int stop_thread_running;

int test_stop_check(void)
{
	return __atomic_load_n(&stop_flag, __ATOMIC_SEQ_CST);
}

void test_stop_set(int stop)
{
	__atomic_store_n(&stop_flag, stop, __ATOMIC_SEQ_CST);
}

static void *stop_later(void *arg)
{
	int64_t ms = *(int64_t *)arg;
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

	free(arg);
	nanosleep(&ts, NULL);
	test_stop_set(1);
	return NULL;
}

int test_stop_after_ms(int64_t ms)
{
	int64_t *arg = malloc(sizeof *arg);

	if (!arg)
		return -1;
	*arg = ms;
	if (pthread_create(&stop_thread, NULL, stop_later, arg) != 0) {
		free(arg);
		return -1;
	}
	stop_thread_running = 1;
	return 0;
}

void test_stop_join(void)
{
	if (stop_thread_running)
		pthread_join(stop_thread, NULL);
	stop_thread_running = 0;
	test_stop_set(0);
}

/* ---- stderr capture ----------------------------------------------------- */

static int saved_stderr = -1;
static FILE *capture;

int test_stderr_begin(void)
{
	fflush(stderr);
	capture = tmpfile();
	if (!capture)
		return -1;
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 ||
	    dup2(fileno(capture), STDERR_FILENO) < 0) {
		fclose(capture);
		capture = NULL;
		return -1;
	}
	return 0;
}

char *test_stderr_end(void)
{
	struct ctm_buf b;
	char chunk[4096];
	size_t n;

	if (!capture)
		return NULL;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	ctm_buf_init(&b);
	ctm_buf_puts(&b, "");
	rewind(capture);
	while ((n = fread(chunk, 1, sizeof chunk, capture)) > 0)
		ctm_buf_append(&b, chunk, n);
	fclose(capture);
	capture = NULL;
	if (b.oom) {
		ctm_buf_free(&b);
		return NULL;
	}
	return ctm_buf_take(&b);
}

/* ---- a refusing port ---------------------------------------------------- */

int test_refusing_port(int *fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	*fd = socket(AF_INET, SOCK_STREAM, 0);
	if (*fd < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(*fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(*fd, (struct sockaddr *)&a, &len) != 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return ntohs(a.sin_port);
}
