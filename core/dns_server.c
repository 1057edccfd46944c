/* dns_server.c - the `dns_servers` entry syntax, shared by the config
 * loader (to report a bad entry with file:line) and the resolver.  No
 * c-ares here, so the config library does not need it. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "dns_internal.h"

static int parse_port(const char *s, int *port)
{
	long v = 0;

	if (!*s || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static int copy_addr(const char *s, size_t n, int family, char *addr,
		     size_t addrlen)
{
	unsigned char bin[16];

	if (n == 0 || n >= addrlen)
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	return inet_pton(family, addr, bin) == 1 ? 0 : -1;
}

int ctm_dns_server_parse(const char *s, char *addr, size_t addrlen,
			 int *port, int *v6)
{
	const char *colon, *close;

	*port = 53;
	*v6 = 0;
	if (!s || !*s)
		return -1;
	if (s[0] == '[') {
		close = strchr(s, ']');
		if (!close || copy_addr(s + 1, (size_t)(close - s - 1),
					AF_INET6, addr, addrlen))
			return -1;
		*v6 = 1;
		if (close[1] == '\0')
			return 0;
		return close[1] == ':' ? parse_port(close + 2, port) : -1;
	}
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':')) {
		*v6 = 1; /* bare IPv6: no port without brackets */
		return copy_addr(s, strlen(s), AF_INET6, addr, addrlen);
	}
	if (!colon)
		return copy_addr(s, strlen(s), AF_INET, addr, addrlen);
	if (copy_addr(s, (size_t)(colon - s), AF_INET, addr, addrlen))
		return -1;
	return parse_port(colon + 1, port);
}

int ctm_dns_server_valid(const char *s)
{
	char addr[64];
	int port, v6;

	return ctm_dns_server_parse(s, addr, sizeof addr, &port, &v6);
}
