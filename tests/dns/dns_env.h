/* dns_env.h - starts tests/dns/dnsmasq_env.py (dnsmasq on 127.0.0.1 on a
 * free port serving the zone dns.test, see that file for its records) for
 * a C test, and a black-hole UDP socket that never answers. */
#ifndef CTM_TEST_DNS_ENV_H
#define CTM_TEST_DNS_ENV_H

#include <stddef.h>
#include <sys/types.h>

struct dns_env {
	pid_t pid;
	int stdin_fd;      /* closing it stops the helper */
	int port;          /* dnsmasq */
	int servfail_port; /* the SERVFAIL stub */
	char server[32];   /* "127.0.0.1:<port>" */
	char dir[64];
};

/* 0 on success; `bulk` adds bulk<i>.dns.test names. */
int dns_env_start(struct dns_env *env, int bulk);
void dns_env_stop(struct dns_env *env);

/* A UDP socket on 127.0.0.1 that is never read: every query to it times
 * out.  Returns the fd and its port in *port (and "127.0.0.1:port" in
 * server), or -1. */
int blackhole_open(int *port, char *server, size_t len);
/* Datagrams the black hole received so far (drains them). */
int blackhole_count(int fd);

#endif
