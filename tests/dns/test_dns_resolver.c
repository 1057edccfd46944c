/* test_dns_resolver.c - the resolver (core/dns.c) against a real dnsmasq
 * on 127.0.0.1 (tests/dns/dnsmasq_env.py) and a black-hole socket this
 * test opens: every outcome, CNAME chains hop by hop, retries counted at
 * the server, many names at once, fail-fast, stop, bad servers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctmon/plugin.h"
#include "dns.h"
#include "dns_env.h"
#include "util.h"

static struct dns_env env;

#define MAXN 700

struct got {
	int seen[MAXN];
	enum ctm_dns_status status[MAXN];
	char *addrs[MAXN];   /* space-joined, "" when none */
	char *chain[MAXN];
	int queries[MAXN];
	size_t calls;
};

static char *joined(char *const *v)
{
	int oom = 0;
	char *s = ctm_dns_join(v, &oom);
	assert_int_equal(oom, 0);
	return s ? s : strdup("");
}

static void collect(void *ctx, size_t i, const struct ctm_dns_result *r)
{
	struct got *g = ctx;

	assert_true(i < MAXN);
	assert_int_equal(g->seen[i], 0); /* exactly once per name */
	g->seen[i] = 1;
	g->status[i] = r->status;
	g->addrs[i] = joined(r->addresses);
	g->chain[i] = joined(r->cname);
	g->queries[i] = r->queries;
	g->calls++;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < MAXN; i++) {
		free(g->addrs[i]);
		free(g->chain[i]);
	}
	free(g);
}

static struct ctm_dns_opts opts_for(char **servers)
{
	struct ctm_dns_opts o;

	memset(&o, 0, sizeof o);
	o.servers = servers;
	o.concurrency = 64;
	o.timeout_ms = 2000;
	o.retries = 2;
	o.fail_fast = 0;
	return o;
}

static struct got *resolve(const struct ctm_dns_opts *o,
			   const char *const *names, size_t n,
			   struct ctm_dns_stats *st)
{
	struct got *g = calloc(1, sizeof *g);
	struct ctm_dns *d = NULL;
	char err[256];

	assert_non_null(g);
	assert_int_equal(ctm_dns_new(o, &d, err, sizeof err), CTMON_OK);
	assert_int_equal(ctm_dns_resolve(d, names, n, collect, g, st),
			 CTMON_OK);
	ctm_dns_free(d);
	assert_int_equal(g->calls, n);
	return g;
}

static int setup(void **state)
{
	(void)state;
	return dns_env_start(&env, 600);
}

static int teardown(void **state)
{
	(void)state;
	dns_env_stop(&env);
	return 0;
}

static void test_every_outcome(void **state)
{
	static const char *const names[] = {
		"a.dns.test",	   "v6.dns.test",   "both.dns.test",
		"multi.dns.test",  "txt.dns.test",  "c1.dns.test",
		"dang.dns.test",   "dangtxt.dns.test", "nothing.dns.test",
		"x.sf.dns.test",   "A.DNS.TEST",    "*.wild.dns.test",
		"bad name.dns.test"};
	char *servers[] = {env.server, NULL};
	struct ctm_dns_opts o = opts_for(servers);
	struct ctm_dns_stats st;
	struct got *g;

	(void)state;
	g = resolve(&o, names, 13, &st);
	assert_int_equal(g->status[0], CTM_DNS_RESOLVED);
	assert_string_equal(g->addrs[0], "192.0.2.1");
	assert_string_equal(g->chain[0], "");
	assert_int_equal(g->status[1], CTM_DNS_RESOLVED);
	assert_string_equal(g->addrs[1], "2001:db8::6");
	assert_int_equal(g->status[2], CTM_DNS_RESOLVED);
	assert_string_equal(g->addrs[2], "192.0.2.2 2001:db8::2");
	assert_int_equal(g->status[3], CTM_DNS_RESOLVED);
	assert_true(strcmp(g->addrs[3], "192.0.2.3 192.0.2.4") == 0 ||
		    strcmp(g->addrs[3], "192.0.2.4 192.0.2.3") == 0);
	assert_int_equal(g->status[4], CTM_DNS_NODATA);
	assert_string_equal(g->addrs[4], "");
	/* Every hop, in order, and the addresses of the chain's end. */
	assert_int_equal(g->status[5], CTM_DNS_RESOLVED);
	assert_string_equal(g->chain[5], "c2.dns.test c3.dns.test both.dns.test");
	assert_string_equal(g->addrs[5], "192.0.2.2 2001:db8::2");
	/* dnsmasq answers the CNAME alone; the resolver asks the target
	 * itself and finds it NXDOMAIN (or without addresses). */
	assert_int_equal(g->status[6], CTM_DNS_DANGLING);
	assert_string_equal(g->chain[6], "gone.dns.test");
	assert_string_equal(g->addrs[6], "");
	assert_int_equal(g->status[7], CTM_DNS_DANGLING);
	assert_string_equal(g->chain[7], "txt.dns.test");
	assert_int_equal(g->status[8], CTM_DNS_NXDOMAIN);
	assert_string_equal(g->chain[8], "");
	assert_int_equal(g->status[9], CTM_DNS_SERVFAIL);
	/* A server failure is retried: 2 questions x 3 attempts. */
	assert_int_equal(g->queries[9], 6);
	assert_int_equal(g->status[10], CTM_DNS_RESOLVED);
	assert_string_equal(g->addrs[10], "192.0.2.1");
	/* Not host names: never sent. */
	assert_int_equal(g->status[11], CTM_DNS_ERROR);
	assert_int_equal(g->queries[11], 0);
	assert_int_equal(g->status[12], CTM_DNS_ERROR);
	assert_int_equal(g->queries[12], 0);
	assert_int_equal(st.by_status[CTM_DNS_RESOLVED], 6);
	assert_int_equal(st.by_status[CTM_DNS_DANGLING], 2);
	assert_int_equal(st.gave_up, 0);
	assert_string_equal(ctm_dns_status_name(CTM_DNS_DANGLING),
			    "dangling_cname");
	got_free(g);
}

static void test_nxdomain_is_not_retried(void **state)
{
	static const char *const names[] = {"nothing.dns.test",
					    "a.dns.test"};
	char *servers[] = {env.server, NULL};
	struct ctm_dns_opts o = opts_for(servers);
	struct got *g;

	(void)state;
	g = resolve(&o, names, 2, NULL);
	assert_int_equal(g->queries[0], 2); /* one A, one AAAA */
	assert_int_equal(g->queries[1], 2);
	got_free(g);
}

/* Retries are counted where they arrive: at the server. */
static void test_timeout_and_retries(void **state)
{
	static const char *const names[] = {"a.dns.test", "b.dns.test",
					    "c.dns.test", "d.dns.test",
					    "e.dns.test"};
	char bh_server[32];
	char *servers[] = {bh_server, NULL};
	int port, fd = blackhole_open(&port, bh_server, sizeof bh_server);
	struct ctm_dns_opts o = opts_for(servers);
	struct ctm_dns_stats st;
	struct got *g;

	(void)state;
	assert_true(fd >= 0);
	o.timeout_ms = 300;
	g = resolve(&o, names, 5, &st);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(g->status[i], CTM_DNS_TIMEOUT);
		assert_int_equal(g->queries[i], 6);
	}
	assert_int_equal(st.queries, 30);
	assert_int_equal(blackhole_count(fd), 30);
	got_free(g);

	o.retries = 0;
	g = resolve(&o, names, 5, &st);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(g->status[i], CTM_DNS_TIMEOUT);
	assert_int_equal(blackhole_count(fd), 10);
	got_free(g);
	close(fd);
}

/* A dead first server: each query moves on to the second. */
static void test_second_server_answers(void **state)
{
	static const char *const names[] = {"a.dns.test", "nothing.dns.test"};
	char bh_server[32];
	char *servers[] = {bh_server, env.server, NULL};
	int port, fd = blackhole_open(&port, bh_server, sizeof bh_server);
	struct ctm_dns_opts o = opts_for(servers);
	struct got *g;

	(void)state;
	assert_true(fd >= 0);
	o.timeout_ms = 1200;
	g = resolve(&o, names, 2, NULL);
	assert_int_equal(g->status[0], CTM_DNS_RESOLVED);
	assert_string_equal(g->addrs[0], "192.0.2.1");
	assert_int_equal(g->status[1], CTM_DNS_NXDOMAIN);
	assert_true(blackhole_count(fd) >= 1);
	got_free(g);
	close(fd);
}

/* Many names, few in flight: every one gets its own answer. */
static void test_many_names(void **state)
{
	const char **names = calloc(600, sizeof *names);
	char *servers[] = {env.server, NULL};
	struct ctm_dns_opts o = opts_for(servers);
	struct ctm_dns_stats st;
	struct got *g;

	(void)state;
	assert_non_null(names);
	for (int i = 0; i < 600; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "bulk%d.dns.test", i);
		names[i] = strdup(buf);
	}
	o.concurrency = 7;
	g = resolve(&o, names, 600, &st);
	for (int i = 0; i < 600; i++) {
		char want[32];
		snprintf(want, sizeof want, "198.18.%d.%d", i / 256, i % 256);
		assert_int_equal(g->status[i], CTM_DNS_RESOLVED);
		assert_string_equal(g->addrs[i], want);
		free((char *)names[i]);
	}
	assert_int_equal(st.by_status[CTM_DNS_RESOLVED], 600);
	assert_int_equal(st.queries, 1200);
	got_free(g);
	free(names);
}

/* A resolver that answers nothing: after 2 x concurrency silent attempts
 * (32 at least) no more names start; the rest are SKIPPED, not failed. */
static void test_fail_fast(void **state)
{
	const char **names = calloc(200, sizeof *names);
	char bh_server[32];
	char *servers[] = {bh_server, NULL};
	int port, fd = blackhole_open(&port, bh_server, sizeof bh_server);
	struct ctm_dns_opts o = opts_for(servers);
	struct ctm_dns_stats st;
	struct got *g;

	(void)state;
	assert_true(fd >= 0 && names);
	for (int i = 0; i < 200; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "dead%d.dns.test", i);
		names[i] = strdup(buf);
	}
	o.concurrency = 4;
	o.timeout_ms = 200;
	o.retries = 1;
	o.fail_fast = 1;
	g = resolve(&o, names, 200, &st);
	assert_int_equal(st.gave_up, 1);
	/* Each dead name costs 4 silent attempts (A, AAAA, one retry
	 * each); 32 of them trip: 8 names, plus those still in flight. */
	assert_true(st.by_status[CTM_DNS_TIMEOUT] >= 8);
	assert_true(st.by_status[CTM_DNS_TIMEOUT] <= 8 + 2 * 4);
	assert_true(st.by_status[CTM_DNS_SKIPPED] >= 100);
	assert_int_equal(st.by_status[CTM_DNS_TIMEOUT] +
				 st.by_status[CTM_DNS_SKIPPED],
			 200);
	for (int i = 0; i < 200; i++) {
		if (g->status[i] == CTM_DNS_SKIPPED)
			assert_int_equal(g->queries[i], 0);
		free((char *)names[i]);
	}
	assert_int_equal((size_t)blackhole_count(fd), st.queries);
	got_free(g);
	free(names);
	close(fd);
}

static int stop_now(void) { return 1; }

static void test_stop_skips_everything(void **state)
{
	static const char *const names[] = {"a.dns.test", "b.dns.test"};
	char *servers[] = {env.server, NULL};
	struct ctm_dns_opts o = opts_for(servers);
	struct ctm_dns_stats st;
	struct got *g;

	(void)state;
	o.should_stop = stop_now;
	g = resolve(&o, names, 2, &st);
	assert_int_equal(g->status[0], CTM_DNS_SKIPPED);
	assert_int_equal(g->status[1], CTM_DNS_SKIPPED);
	assert_int_equal(st.queries, 0);
	got_free(g);
}

static void test_bad_options(void **state)
{
	char *bad[] = {"127.0.0.1:99999", NULL};
	char *good[] = {"127.0.0.1:5353", "[::1]:53", "::1", "10.0.0.1",
			NULL};
	struct ctm_dns_opts o = opts_for(bad);
	struct ctm_dns *d = NULL;
	char err[256];

	(void)state;
	assert_int_equal(ctm_dns_new(&o, &d, err, sizeof err), CTMON_ECONFIG);
	assert_null(d);
	assert_non_null(strstr(err, "127.0.0.1:99999"));
	o = opts_for(good);
	assert_int_equal(ctm_dns_new(&o, &d, err, sizeof err), CTMON_OK);
	ctm_dns_free(d);
	o.concurrency = 0;
	assert_int_equal(ctm_dns_new(&o, &d, err, sizeof err), CTMON_EINVAL);
	o = opts_for(good);
	o.timeout_ms = 0;
	assert_int_equal(ctm_dns_new(&o, &d, err, sizeof err), CTMON_EINVAL);
}

/* Nothing to do is not an error. */
static void test_no_names(void **state)
{
	char *servers[] = {env.server, NULL};
	struct ctm_dns_opts o = opts_for(servers);
	struct got *g;

	(void)state;
	g = resolve(&o, NULL, 0, NULL);
	assert_int_equal(g->calls, 0);
	got_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_outcome),
		cmocka_unit_test(test_nxdomain_is_not_retried),
		cmocka_unit_test(test_timeout_and_retries),
		cmocka_unit_test(test_second_server_answers),
		cmocka_unit_test(test_many_names),
		cmocka_unit_test(test_fail_fast),
		cmocka_unit_test(test_stop_skips_everything),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_no_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
