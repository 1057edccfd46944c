/* test_wildcard.c - the wildcard check in the fake host: one alert per
 * issuance listing its wildcard names, none without, the allow list and
 * the option errors. */
#include "check_test.h"

static void one_alert_lists_every_wildcard(void **state)
{
	static const char *const names[] = {"example.com", "*.example.com",
					    "www.example.com",
					    "*.shop.example.com"};
	struct fh_host *fh = ct_load("wildcard", NULL);
	const struct ctmon_alert *a;
	struct json_object *d, *list;
	struct ct_iss x;

	(void)state;
	ct_issuance(&x, 11, "example.com", names, 4, NOW, NOW + 90 * DAY);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	a = fh_alert(fh, 0);
	assert_string_equal(a->type, "wildcard_certificate");
	assert_int_equal(a->severity, CTMON_SEV_HIGH);
	assert_string_equal(a->domain, "example.com");
	assert_string_equal(a->key, "11");
	assert_int_equal(a->issuance_id, 11);
	d = ct_details(a);
	list = ct_member(d, "wildcard_names", json_type_array);
	assert_int_equal(json_object_array_length(list), 2);
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(list, 0)),
		"*.example.com");
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(list, 1)),
		"*.shop.example.com");
	json_object_put(d);
	fh_free(fh);
}

static void no_wildcard_no_alert(void **state)
{
	/* A '*' that is not a whole first label is not a wildcard name. */
	static const char *const names[] = {"example.com", "www.example.com",
					    "x*.example.com"};
	struct fh_host *fh = ct_load("wildcard", NULL);
	struct ct_iss x;

	(void)state;
	ct_issuance(&x, 12, "example.com", names, 3, NOW, NOW + 90 * DAY);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
}

static void one_alert_per_issuance(void **state)
{
	static const char *const names[] = {"*.example.com"};
	struct fh_host *fh = ct_load("wildcard", NULL);
	struct ct_iss x;

	(void)state;
	ct_issuance(&x, 21, "example.com", names, 1, NOW, NOW + 90 * DAY);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	/* The same issuance again (its precert/cert pair is one issuance,
	 * so a repeat can only be a re-run): the same key. */
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	assert_int_equal(fh_duplicate_alert_count(fh), 1);
	ct_issuance(&x, 22, "example.com", names, 1, NOW, NOW + 90 * DAY);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 2);
	assert_string_equal(fh_alert(fh, 1)->key, "22");
	fh_free(fh);
}

static void allowed_wildcards_are_left_out(void **state)
{
	static const char *const only_allowed[] = {"*.cdn.example.com"};
	static const char *const mixed[] = {"*.CDN.example.com",
					    "*.shop.example.com"};
	struct fh_host *fh =
		ct_load("wildcard", "allow = [ \"*.cdn.example.com.\" ];");
	struct json_object *d, *list;
	struct ct_iss x;

	(void)state;
	ct_issuance(&x, 31, "example.com", only_allowed, 1, NOW,
		    NOW + 90 * DAY);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);

	/* Names reach checks normalised; the upper case here only shows the
	 * comparison does not depend on it. */
	ct_issuance(&x, 32, "example.com", mixed, 2, NOW, NOW + 90 * DAY);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	d = ct_details(fh_alert(fh, 0));
	list = ct_member(d, "wildcard_names", json_type_array);
	assert_int_equal(json_object_array_length(list), 1);
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(list, 0)),
		"*.shop.example.com");
	json_object_put(d);
	fh_free(fh);
}

static void option_errors_name_the_line(void **state)
{
	char err[1024];

	(void)state;
	assert_int_equal(ct_load_error("wildcard", "\nalow = [];", err,
				       sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":2: ");
	ct_assert_contains(err, "did you mean \"allow\"");

	assert_int_equal(ct_load_error("wildcard", "allow = [ 1, 2 ];", err,
				       sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, "expected list of strings");

	assert_int_equal(ct_load_error("wildcard",
				       "\n\nallow = [ \"cdn.example.com\" ];",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":3: ");
	ct_assert_contains(err, "\"cdn.example.com\" is not a wildcard");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_alert_lists_every_wildcard),
		cmocka_unit_test(no_wildcard_no_alert),
		cmocka_unit_test(one_alert_per_issuance),
		cmocka_unit_test(allowed_wildcards_are_left_out),
		cmocka_unit_test(option_errors_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
