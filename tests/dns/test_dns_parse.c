/* test_dns_parse.c - the DNS message reader (core/dns_parse.c) on
 * hand-built messages: what a hostile or broken server may send
 * (compression loops, forward pointers, truncation, odd bytes in labels,
 * CNAME loops, records for other names), and the server entry syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctmon/plugin.h"
#include "dns.h"
#include "dns_internal.h"
#include "util.h"

struct msg {
	unsigned char b[2048];
	size_t len;
};

static void put8(struct msg *m, unsigned v) { m->b[m->len++] = (unsigned char)v; }

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

/* A name in wire form, no compression. */
static void put_name(struct msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);
		put8(m, (unsigned)n);
		memcpy(m->b + m->len, name, n);
		m->len += n;
		name += n + (dot ? 1 : 0);
	}
	put8(m, 0);
}

static void header(struct msg *m, unsigned rcode, unsigned an)
{
	m->len = 0;
	put16(m, 0x1234);
	put16(m, 0x8180 | rcode);
	put16(m, 1);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

static void question(struct msg *m, const char *name, unsigned type)
{
	put_name(m, name);
	put16(m, type);
	put16(m, 1);
}

static void rr_head(struct msg *m, const char *owner, unsigned type,
		    unsigned rdlen)
{
	put_name(m, owner);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 60);
	put16(m, rdlen);
}

static void rr_cname(struct msg *m, const char *owner, const char *target)
{
	struct msg t = {{0}, 0};
	put_name(&t, target);
	rr_head(m, owner, CTM_DNS_T_CNAME, (unsigned)t.len);
	memcpy(m->b + m->len, t.b, t.len);
	m->len += t.len;
}

static void rr_a(struct msg *m, const char *owner, unsigned char last)
{
	rr_head(m, owner, CTM_DNS_T_A, 4);
	put8(m, 192);
	put8(m, 0);
	put8(m, 2);
	put8(m, last);
}

static void test_chain_in_any_order(void **state)
{
	struct msg m;
	struct ctm_dns_answer a;

	(void)state;
	/* Hops listed backwards, plus an A for a name outside the chain
	 * that must be ignored. */
	header(&m, 0, 4);
	question(&m, "www.example.test", CTM_DNS_T_A);
	rr_a(&m, "end.cdn.test", 7);
	rr_cname(&m, "mid.example.test", "end.cdn.test");
	rr_a(&m, "other.test", 9);
	rr_cname(&m, "WWW.Example.Test", "mid.example.test");
	assert_int_equal(ctm_dns_parse_answer(m.b, m.len, "www.example.test",
					      CTM_DNS_T_A, &a),
			 CTMON_OK);
	assert_int_equal(a.rcode, 0);
	assert_string_equal(a.cname[0], "mid.example.test");
	assert_string_equal(a.cname[1], "end.cdn.test");
	assert_null(a.cname[2]);
	assert_string_equal(a.addrs[0], "192.0.2.7");
	assert_null(a.addrs[1]);
	ctm_dns_answer_free(&a);
}

static void test_nxdomain_with_cname(void **state)
{
	struct msg m;
	struct ctm_dns_answer a;

	(void)state;
	header(&m, 3, 1);
	question(&m, "old.example.test", CTM_DNS_T_A);
	rr_cname(&m, "old.example.test", "gone.cloud.test");
	assert_int_equal(ctm_dns_parse_answer(m.b, m.len, "old.example.test",
					      CTM_DNS_T_A, &a),
			 CTMON_OK);
	assert_int_equal(a.rcode, 3);
	assert_string_equal(a.cname[0], "gone.cloud.test");
	assert_null(a.addrs);
	ctm_dns_answer_free(&a);
}

static void test_cname_loop_is_refused(void **state)
{
	struct msg m;
	struct ctm_dns_answer a;

	(void)state;
	header(&m, 0, 2);
	question(&m, "x.test", CTM_DNS_T_A);
	rr_cname(&m, "x.test", "y.test");
	rr_cname(&m, "y.test", "x.test");
	assert_int_equal(ctm_dns_parse_answer(m.b, m.len, "x.test",
					      CTM_DNS_T_A, &a),
			 CTMON_EFORMAT);
	assert_null(a.cname);
}

static void test_chain_too_long(void **state)
{
	struct msg m;
	struct ctm_dns_answer a;
	char from[32], to[32];

	(void)state;
	header(&m, 0, CTM_DNS_MAX_HOPS + 1);
	question(&m, "h0.test", CTM_DNS_T_A);
	for (int i = 0; i <= CTM_DNS_MAX_HOPS; i++) {
		snprintf(from, sizeof from, "h%d.test", i);
		snprintf(to, sizeof to, "h%d.test", i + 1);
		rr_cname(&m, from, to);
	}
	assert_int_equal(ctm_dns_parse_answer(m.b, m.len, "h0.test",
					      CTM_DNS_T_A, &a),
			 CTMON_EFORMAT);
	/* One hop less is fine. */
	m.b[7] = CTM_DNS_MAX_HOPS; /* ancount */
	assert_int_equal(ctm_dns_parse_answer(m.b, m.len, "h0.test",
					      CTM_DNS_T_A, &a),
			 CTMON_OK);
	assert_int_equal(ctm_strv_len(a.cname), CTM_DNS_MAX_HOPS);
	ctm_dns_answer_free(&a);
}

static void test_bad_address_length(void **state)
{
	struct msg m;
	struct ctm_dns_answer a;

	(void)state;
	header(&m, 0, 1);
	question(&m, "x.test", CTM_DNS_T_A);
	rr_head(&m, "x.test", CTM_DNS_T_A, 5);
	for (int i = 0; i < 5; i++)
		put8(&m, 1);
	assert_int_equal(ctm_dns_parse_answer(m.b, m.len, "x.test",
					      CTM_DNS_T_A, &a),
			 CTMON_EFORMAT);
}

static void test_truncated(void **state)
{
	struct msg m;
	struct ctm_dns_answer a;

	(void)state;
	header(&m, 0, 1);
	question(&m, "x.test", CTM_DNS_T_A);
	rr_a(&m, "x.test", 1);
	for (size_t cut = 0; cut < m.len; cut++)
		assert_int_equal(ctm_dns_parse_answer(m.b, cut, "x.test",
						      CTM_DNS_T_A, &a),
				 CTMON_EFORMAT);
	assert_int_equal(ctm_dns_parse_answer(m.b, m.len, "x.test",
					      CTM_DNS_T_A, &a),
			 CTMON_OK);
	ctm_dns_answer_free(&a);
}

static void test_names_compression_and_escapes(void **state)
{
	unsigned char loop[] = {0xc0, 0x00};
	unsigned char fwd[] = {0xc0, 0x02, 0x01, 'a', 0x00};
	unsigned char back[] = {0x01, 'a', 0x00, 0x01, 'b', 0xc0, 0x00};
	unsigned char odd[] = {0x05, 'a', ' ', 'B', '.', 0x01, 0x00};
	unsigned char ext[] = {0x41, 'a', 0x00};
	char out[CTM_DNS_NAME_MAX];
	size_t pos;

	(void)state;
	pos = 0;
	assert_int_equal(ctm_dns_read_name(loop, sizeof loop, &pos, out,
					   sizeof out),
			 -1);
	pos = 0;
	assert_int_equal(ctm_dns_read_name(fwd, sizeof fwd, &pos, out,
					   sizeof out),
			 -1);
	pos = 3;
	assert_int_equal(ctm_dns_read_name(back, sizeof back, &pos, out,
					   sizeof out),
			 0);
	assert_string_equal(out, "b.a");
	assert_int_equal(pos, sizeof back); /* past the pointer */
	/* A blank, a dot inside a label and a control byte are escaped,
	 * so the text has no blank and splits back unambiguously. */
	pos = 0;
	assert_int_equal(ctm_dns_read_name(odd, sizeof odd, &pos, out,
					   sizeof out),
			 0);
	assert_string_equal(out, "a\\032b\\046\\001");
	pos = 0;
	assert_int_equal(ctm_dns_read_name(ext, sizeof ext, &pos, out,
					   sizeof out),
			 -1);
	/* Too small an output buffer fails instead of truncating. */
	pos = 3;
	assert_int_equal(ctm_dns_read_name(back, sizeof back, &pos, out, 3),
			 -1);
}

static void test_long_label_refused(void **state)
{
	unsigned char m[80];
	char out[CTM_DNS_NAME_MAX];
	size_t pos = 0;

	(void)state;
	memset(m, 'a', sizeof m);
	m[0] = 64; /* 0x40: not a plain label length */
	assert_int_equal(ctm_dns_read_name(m, sizeof m, &pos, out, sizeof out),
			 -1);
}

static void test_server_entries(void **state)
{
	char addr[64];
	int port, v6;

	(void)state;
	assert_int_equal(ctm_dns_server_parse("127.0.0.1:5353", addr,
					      sizeof addr, &port, &v6),
			 0);
	assert_string_equal(addr, "127.0.0.1");
	assert_int_equal(port, 5353);
	assert_int_equal(v6, 0);
	assert_int_equal(ctm_dns_server_parse("10.1.2.3", addr, sizeof addr,
					      &port, &v6),
			 0);
	assert_int_equal(port, 53);
	assert_int_equal(ctm_dns_server_parse("[::1]:5300", addr, sizeof addr,
					      &port, &v6),
			 0);
	assert_string_equal(addr, "::1");
	assert_int_equal(port, 5300);
	assert_int_equal(v6, 1);
	assert_int_equal(ctm_dns_server_parse("2001:db8::1", addr,
					      sizeof addr, &port, &v6),
			 0);
	assert_int_equal(port, 53);
	assert_int_equal(v6, 1);
	assert_int_equal(ctm_dns_server_valid(""), -1);
	assert_int_equal(ctm_dns_server_valid("dns.google"), -1);
	assert_int_equal(ctm_dns_server_valid("127.0.0.1:0"), -1);
	assert_int_equal(ctm_dns_server_valid("127.0.0.1:65536"), -1);
	assert_int_equal(ctm_dns_server_valid("127.0.0.1:53x"), -1);
	assert_int_equal(ctm_dns_server_valid("127.0.0.1:"), -1);
	assert_int_equal(ctm_dns_server_valid("[::1"), -1);
	assert_int_equal(ctm_dns_server_valid("[::1]x"), -1);
	assert_int_equal(ctm_dns_server_valid("[127.0.0.1]:53"), -1);
	assert_int_equal(ctm_dns_server_valid("1.2.3.4.5"), -1);
}

static void test_join(void **state)
{
	char *v[] = {"a", "b", "c", NULL};
	char *none[] = {NULL};
	int oom = 0;
	char *s;

	(void)state;
	s = ctm_dns_join(v, &oom);
	assert_string_equal(s, "a b c");
	free(s);
	assert_null(ctm_dns_join(none, &oom));
	assert_null(ctm_dns_join(NULL, &oom));
	assert_int_equal(oom, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_in_any_order),
		cmocka_unit_test(test_nxdomain_with_cname),
		cmocka_unit_test(test_cname_loop_is_refused),
		cmocka_unit_test(test_chain_too_long),
		cmocka_unit_test(test_bad_address_length),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_names_compression_and_escapes),
		cmocka_unit_test(test_long_label_refused),
		cmocka_unit_test(test_server_entries),
		cmocka_unit_test(test_join),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
