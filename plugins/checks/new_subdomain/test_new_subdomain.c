/* test_new_subdomain.c - the new_subdomain check in the fake host: one
 * alert per new name, the monitored domain itself skipped, names known
 * from a wildcard marked, one alert per name per domain, the ignore list,
 * the core's DNS result in the details and the option errors. */
#include "check_test.h"

/* An issuance of example.com with `names`, of which `fresh` are new. */
static void make(struct ct_iss *x, int64_t id, const char *domain,
		 const char *const *names, size_t n,
		 const char *const *fresh, size_t n_fresh)
{
	ct_issuance(x, id, domain, names, n, NOW, NOW + 90 * DAY);
	x->is.new_names = fresh;
	x->is.n_new_names = n_fresh;
}

static void one_alert_per_new_name(void **state)
{
	static const char *const names[] = {"www.example.com",
					    "api.example.com",
					    "old.example.com"};
	static const char *const fresh[] = {"www.example.com",
					    "api.example.com"};
	struct fh_host *fh = ct_load("new_subdomain", NULL);
	const struct ctmon_alert *a;
	struct json_object *d;
	struct ct_iss x;

	(void)state;
	make(&x, 5, "example.com", names, 3, fresh, 2);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 2);
	for (size_t i = 0; i < 2; i++) {
		a = fh_alert(fh, i);
		assert_string_equal(a->type, "new_subdomain");
		assert_int_equal(a->severity, CTMON_SEV_MEDIUM);
		assert_string_equal(a->domain, "example.com");
		assert_string_equal(a->key, fresh[i]);
		assert_int_equal(a->issuance_id, 5);
		d = ct_details(a);
		assert_string_equal(ct_str(d, "name"), fresh[i]);
		assert_string_equal(ct_str(d, "parent_domain"), "example.com");
		assert_int_equal(ct_int(d, "issuance_id"), 5);
		assert_false(ct_bool(d, "wildcard"));
		json_object_put(d);
	}
	/* old.example.com was known already: no alert. */
	assert_null(fh_find_alert(fh, "new_subdomain", "example.com",
				  "old.example.com"));
	fh_free(fh);
}

static void monitored_domain_itself_is_skipped(void **state)
{
	static const char *const names[] = {"example.com", "www.example.com"};
	struct fh_host *fh = ct_load("new_subdomain", NULL);
	struct ct_iss x;

	(void)state;
	make(&x, 6, "example.com", names, 2, names, 2);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	assert_string_equal(fh_alert(fh, 0)->key, "www.example.com");
	fh_free(fh);
}

static void name_from_a_wildcard_is_marked(void **state)
{
	/* The core gives "*.dev.example.com" as its base, dev.example.com. */
	static const char *const wild[] = {"*.dev.example.com"};
	static const char *const both[] = {"*.qa.example.com",
					   "qa.example.com"};
	static const char *const dev[] = {"dev.example.com"};
	static const char *const qa[] = {"qa.example.com"};
	struct fh_host *fh = ct_load("new_subdomain", NULL);
	struct json_object *d;
	struct ct_iss x;

	(void)state;
	make(&x, 7, "example.com", wild, 1, dev, 1);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	make(&x, 8, "example.com", both, 2, qa, 1);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 2);

	d = ct_details(fh_find_alert(fh, "new_subdomain", "example.com",
				     "dev.example.com"));
	assert_true(ct_bool(d, "wildcard"));
	assert_string_equal(ct_str(d, "name"), "dev.example.com");
	json_object_put(d);
	/* qa.example.com is also named outright: not only from a wildcard. */
	d = ct_details(fh_find_alert(fh, "new_subdomain", "example.com",
				     "qa.example.com"));
	assert_false(ct_bool(d, "wildcard"));
	json_object_put(d);
	fh_free(fh);
}

static void one_alert_per_name_per_domain(void **state)
{
	static const char *const names[] = {"www.bank.example.com"};
	struct fh_host *fh = ct_load("new_subdomain", NULL);
	struct ct_iss x;

	(void)state;
	make(&x, 9, "example.com", names, 1, names, 1);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	/* A later issuance showing the name as new again (a re-run) keeps
	 * the same key: stored once. */
	make(&x, 10, "example.com", names, 1, names, 1);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	assert_int_equal(fh_duplicate_alert_count(fh), 1);
	/* Under a second monitored domain it is news for that domain. */
	make(&x, 9, "bank.example.com", names, 1, names, 1);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 2);
	assert_non_null(fh_find_alert(fh, "new_subdomain", "bank.example.com",
				      "www.bank.example.com"));
	fh_free(fh);
}

/* The string at `i` of the array `key` of `o`. */
static const char *str_at(struct json_object *o, const char *key, size_t i)
{
	struct json_object *arr = ct_member(o, key, json_type_array);

	assert_true(i < json_object_array_length(arr));
	return json_object_get_string(json_object_array_get_idx(arr, i));
}

static void dns_result_goes_into_details(void **state)
{
	static const char *const names[] = {"www.example.com",
					    "shop.example.com",
					    "api.example.com"};
	static const char *const addrs[] = {"192.0.2.10", "2001:db8::10",
					    NULL};
	static const char *const chain[] = {"shop.cdn.example.net",
					    "gone.example.net", NULL};
	struct fh_host *fh = ct_load("new_subdomain", NULL);
	struct json_object *d, *dns;
	struct ct_iss x;

	(void)state;
	fh_set_now(fh, NOW + 100); /* 2023-11-14T22:15:00Z */
	assert_int_equal(fh_set_dns_result(fh, "www.example.com", "resolved",
					   addrs, NULL),
			 CTMON_OK);
	assert_int_equal(fh_set_dns_result(fh, "shop.example.com",
					   "dangling_cname", NULL, chain),
			 CTMON_OK);
	make(&x, 14, "example.com", names, 3, names, 3);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 3);

	d = ct_details(fh_find_alert(fh, "new_subdomain", "example.com",
				     "www.example.com"));
	dns = ct_member(d, "dns", json_type_object);
	assert_string_equal(ct_str(dns, "status"), "resolved");
	assert_int_equal(json_object_array_length(
				 ct_member(dns, "addresses", json_type_array)),
			 2);
	assert_string_equal(str_at(dns, "addresses", 0), "192.0.2.10");
	assert_string_equal(str_at(dns, "addresses", 1), "2001:db8::10");
	assert_int_equal(json_object_array_length(
				 ct_member(dns, "cname", json_type_array)),
			 0);
	assert_string_equal(ct_str(dns, "resolved_at"), "2023-11-14T22:15:00Z");
	json_object_put(d);

	/* The subdomain-takeover signal: the chain whose end is gone. */
	d = ct_details(fh_find_alert(fh, "new_subdomain", "example.com",
				     "shop.example.com"));
	dns = ct_member(d, "dns", json_type_object);
	assert_string_equal(ct_str(dns, "status"), "dangling_cname");
	assert_string_equal(str_at(dns, "cname", 0), "shop.cdn.example.net");
	assert_string_equal(str_at(dns, "cname", 1), "gone.example.net");
	json_object_put(d);

	/* Never resolved: the member is there, null. */
	d = ct_details(fh_find_alert(fh, "new_subdomain", "example.com",
				     "api.example.com"));
	ct_member(d, "dns", json_type_null);
	json_object_put(d);
	fh_free(fh);
}

static void ignored_zones_raise_nothing(void **state)
{
	static const char *const names[] = {"dev.example.com",
					    "a.dev.example.com",
					    "notdev.example.com",
					    "www.example.com"};
	struct fh_host *fh = ct_load(
		"new_subdomain",
		"ignore = [ \"DEV.example.com.\", \"www.example.com\" ];");
	struct ct_iss x;

	(void)state;
	make(&x, 12, "example.com", names, 4, names, 4);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	/* Label boundary: notdev.example.com is not under dev.example.com. */
	assert_int_equal(fh_alert_count(fh), 1);
	assert_string_equal(fh_alert(fh, 0)->key, "notdev.example.com");
	fh_free(fh);
}

static void option_errors_name_the_line(void **state)
{
	char err[1024];

	(void)state;
	assert_int_equal(ct_load_error("new_subdomain", "ignored = [];", err,
				       sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":1: ");
	ct_assert_contains(err, "did you mean \"ignore\"");
	assert_int_equal(ct_load_error("new_subdomain", "\nignore = \"x\";",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":2: ");
	ct_assert_contains(err, "expected list of strings");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_alert_per_new_name),
		cmocka_unit_test(monitored_domain_itself_is_skipped),
		cmocka_unit_test(name_from_a_wildcard_is_marked),
		cmocka_unit_test(one_alert_per_name_per_domain),
		cmocka_unit_test(dns_result_goes_into_details),
		cmocka_unit_test(ignored_zones_raise_nothing),
		cmocka_unit_test(option_errors_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
