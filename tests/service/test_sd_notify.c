/* test_sd_notify.c - the systemd notification protocol against real
 * AF_UNIX datagram sockets: a path socket, an abstract '@' socket, no
 * socket at all, unusable names, and the watchdog variables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "sd_notify.h"

/* A bound datagram socket; `name` is what $NOTIFY_SOCKET should say. */
static int listen_on(const char *name)
{
	struct sockaddr_un sa;
	struct timeval tv = {2, 0};
	socklen_t len;
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	assert_true(n < sizeof sa.sun_path);
	if (name[0] == '@') {
		memcpy(sa.sun_path + 1, name + 1, n - 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		memcpy(sa.sun_path, name, n + 1);
		len = (socklen_t)sizeof sa;
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

static void expect_datagram(int fd, const char *want)
{
	char buf[8192];
	ssize_t n = recv(fd, buf, sizeof buf - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void test_path_socket(void **state)
{
	char dir[] = "/tmp/ctm-sdnotify-XXXXXX";
	char path[128];
	int fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/notify", dir);
	fd = listen_on(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(ctm_sd_notify("READY=1"), 1);
	expect_datagram(fd, "READY=1");
	assert_int_equal(ctm_sd_notifyf("STATUS=cycle %d: %s", 3, "ok"), 1);
	expect_datagram(fd, "STATUS=cycle 3: ok");
	assert_int_equal(ctm_sd_notify("STOPPING=1"), 1);
	expect_datagram(fd, "STOPPING=1");
	close(fd);
	unlink(path);
	rmdir(dir);
	/* Nobody listens any more: an error, not a crash or a hang. */
	assert_int_equal(ctm_sd_notify("WATCHDOG=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

static void test_abstract_socket(void **state)
{
	char name[64];
	int fd;
	(void)state;

	snprintf(name, sizeof name, "@ctm-test-notify-%ld", (long)getpid());
	fd = listen_on(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(ctm_sd_notify("WATCHDOG=1"), 1);
	expect_datagram(fd, "WATCHDOG=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void test_not_under_systemd(void **state)
{
	char long_name[200];
	(void)state;

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(ctm_sd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(ctm_sd_notify("READY=1"), 0);
	/* Relative names and names longer than sun_path are refused. */
	setenv("NOTIFY_SOCKET", "relative/notify", 1);
	assert_int_equal(ctm_sd_notify("READY=1"), -1);
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[0] = '/';
	long_name[sizeof long_name - 1] = '\0';
	setenv("NOTIFY_SOCKET", long_name, 1);
	assert_int_equal(ctm_sd_notify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog(void **state)
{
	char pid[32];
	(void)state;

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(ctm_sd_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(ctm_sd_watchdog_usec(), 30000000);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(ctm_sd_watchdog_usec(), 30000000);
	snprintf(pid, sizeof pid, "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(ctm_sd_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "soon", 1);
	assert_int_equal(ctm_sd_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_not_under_systemd),
		cmocka_unit_test(test_watchdog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
