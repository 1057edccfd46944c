/* sd_notify.c - tells systemd about our state over $NOTIFY_SOCKET.
 * The protocol is a single AF_UNIX datagram; the socket is a path or, when
 * the name starts with '@', a name in the abstract namespace (a leading
 * NUL byte, and the address length — not a terminator — ends the name). */
#include "sd_notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

/* Fills `sa` from $NOTIFY_SOCKET's value; returns the address length or
 * 0 if the name is not a usable socket name. */
static socklen_t notify_addr(const char *name, struct sockaddr_un *sa)
{
	size_t len = strlen(name);

	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (len < 2 || len >= sizeof sa->sun_path)
		return 0;
	if (name[0] == '@') {
		/* Abstract: the name's bytes after the NUL, no terminator. */
		memcpy(sa->sun_path + 1, name + 1, len - 1);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	if (name[0] != '/')
		return 0;
	memcpy(sa->sun_path, name, len + 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

int ctm_sd_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t salen;
	ssize_t sent;
	int fd = -1, rc = -1;

	if (!name || !*name)
		return 0;
	salen = notify_addr(name, &sa);
	if (salen == 0 || !state)
		goto out;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto out;
	do
		sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
			      (const struct sockaddr *)&sa, salen);
	while (sent < 0 && errno == EINTR);
	if (sent == (ssize_t)strlen(state))
		rc = 1;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int ctm_sd_notifyf(const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	return ctm_sd_notify(text);
}

int64_t ctm_sd_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	int64_t v, p;

	if (!usec || ctm_parse_int64(usec, &v) != 0 || v <= 0)
		return 0;
	/* Set for another process (we were exec'd by the service's main
	 * process): not ours to feed. */
	if (pid && (ctm_parse_int64(pid, &p) != 0 || p != (int64_t)getpid()))
		return 0;
	return v;
}
