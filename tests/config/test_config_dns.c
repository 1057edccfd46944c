/* test_config_dns.c - the DNS keys: dns_servers is stored (it used to be
 * accepted and dropped), the defaults, and the exact error for each kind
 * of bad value (file:line, the element's own line for a bad server). */
#include "config_test.h"

static void test_defaults(void **state)
{
	struct ctm_config *c = cfg_load_ok(NULL);

	(void)state;
	assert_int_equal(c->resolve_dns, 1);
	assert_null(c->dns_servers); /* the system's resolvers */
	assert_int_equal(c->dns_concurrency, 64);
	assert_int_equal(c->dns_timeout_ms, 0); /* min(timeout, 5 s) */
	assert_int_equal(c->dns_retries, 2);
	assert_int_equal(c->dns_max_age, 7 * 86400);
	ctm_config_free(c);
}

static void test_every_key_stored(void **state)
{
	struct ctm_config *c = cfg_load_ok("dns_full.cfg");

	(void)state;
	assert_non_null(c->dns_servers);
	assert_string_equal(c->dns_servers[0], "127.0.0.1:5353");
	assert_string_equal(c->dns_servers[1], "[::1]:53");
	assert_string_equal(c->dns_servers[2], "10.0.0.1");
	assert_null(c->dns_servers[3]);
	assert_int_equal(c->dns_concurrency, 200);
	assert_int_equal(c->dns_timeout_ms, 1500);
	assert_int_equal(c->dns_retries, 0);
	assert_int_equal(c->dns_max_age, 3600);
	ctm_config_free(c);
}

static void test_full_cfg_servers(void **state)
{
	struct ctm_config *c = cfg_load_ok("full.cfg");

	(void)state;
	assert_string_equal(c->dns_servers[0], "127.0.0.1");
	assert_string_equal(c->dns_servers[1], "::1");
	assert_null(c->dns_servers[2]);
	ctm_config_free(c);
}

/* An empty list means the system's resolvers; max age 0 is "never". */
static void test_empty_list_is_system(void **state)
{
	struct ctm_config *c = cfg_load_ok("dns_system.cfg");

	(void)state;
	assert_null(c->dns_servers);
	assert_int_equal(c->dns_max_age, 0);
	ctm_config_free(c);
}

static void test_errors(void **state)
{
	(void)state;
	cfg_expect_load_error(
		"dns_bad_server.cfg",
		"dns_bad_server.cfg:2: key \"dns_servers\": \"192.0.2.1:70000\" "
		"is not an IP address with an optional port "
		"(\"127.0.0.1:5353\", \"[::1]:53\")");
	cfg_expect_load_error(
		"dns_server_name.cfg",
		"dns_server_name.cfg:1: key \"dns_servers\": "
		"\"resolver.example\" is not an IP address with an optional "
		"port (\"127.0.0.1:5353\", \"[::1]:53\")");
	cfg_expect_load_error("dns_bad_concurrency.cfg",
			      "dns_bad_concurrency.cfg:2: key "
			      "\"dns_concurrency\": must be between 1 and "
			      "10000");
	cfg_expect_load_error("dns_retries_string.cfg",
			      "dns_retries_string.cfg:1: key \"dns_retries\": "
			      "expected int, got string");
	cfg_expect_load_error("dns_bad_max_age.cfg",
			      "dns_bad_max_age.cfg:1: key \"dns_max_age\": "
			      "must be between 0 and 2147483647 (seconds; 0 "
			      "= never)");
	cfg_expect_load_error("dns_server_typo.cfg",
			      "dns_server_typo.cfg:1: unknown key "
			      "\"dns_server\" (did you mean \"dns_servers\"?)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key_stored),
		cmocka_unit_test(test_full_cfg_servers),
		cmocka_unit_test(test_empty_list_is_system),
		cmocka_unit_test(test_errors),
	};
	if (cfg_enter_data_dir() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
