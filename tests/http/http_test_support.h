/* http_test_support.h - what the HTTP client tests share: the Python test
 * server's life cycle, URLs on it, its request counters, a stop switch
 * for ctm_http_set_stop_check, a monotonic stopwatch and stderr capture. */
#ifndef CTM_HTTP_TEST_SUPPORT_H
#define CTM_HTTP_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TEST_USER_AGENT "ctmon/0.0-test (+https://github.com/ctmon)"

struct test_server {
	pid_t pid;
	char dir[64];
	int http_port;
	int https_port;
};

/* Starts http_test_server.py on free ports of 127.0.0.1 and waits until
 * it listens.  Returns 0 or -1. */
int test_server_start(struct test_server *s);
/* Kills and reaps the server and removes its files; idempotent. */
void test_server_stop(struct test_server *s);

/* "http://127.0.0.1:<port><path>" (https with tls != 0) into buf. */
const char *test_url(char *buf, size_t len, const struct test_server *s,
		     int tls, const char *path);
/* The HTTPS port's self-signed certificate, for ctm_http_set_ca_file. */
const char *test_server_cert(char *buf, size_t len,
			     const struct test_server *s);
/* A string unique in this process, for the server's ?id= counters. */
const char *test_unique_id(char *buf, size_t len, const char *tag);
/* Requests the server saw with ?id=<id>, and failed TLS handshakes so
 * far; -1 on error. */
int64_t test_server_count(const struct test_server *s, const char *id);
int64_t test_server_tls_failures(const struct test_server *s);

/* The deterministic body bytes of /big, /gzip and /chunked. */
void test_pattern(unsigned char *out, size_t n);

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t test_now_ms(void);

/* A stop check that says "stop" once test_stop_set(1) was called, or
 * after test_stop_after_ms(ms) elapsed on a helper thread. */
int test_stop_check(void);
void test_stop_set(int stop);
int test_stop_after_ms(int64_t ms);
void test_stop_join(void);

/* Sends stderr to a file until test_stderr_end, which returns what was
 * written (caller frees). */
int test_stderr_begin(void);
char *test_stderr_end(void);

/* A 127.0.0.1 port that is bound but never listens: connecting is refused
 * and nobody else can take it while fd is open.  Returns the port. */
int test_refusing_port(int *fd);

#endif
