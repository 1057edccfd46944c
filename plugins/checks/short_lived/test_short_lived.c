/* test_short_lived.c - the short_lived check in the fake host: the strict
 * boundary at threshold_hours, a custom threshold, unknown validity, the
 * details and the option errors. */
#include "check_test.h"

static const char *const names[] = {"www.example.com"};

/* Runs one issuance valid for `seconds` through a fresh instance with
 * `snippet`; returns the host for inspection. */
static struct fh_host *run(const char *snippet, int64_t seconds)
{
	struct fh_host *fh = ct_load("short_lived", snippet);
	struct ct_iss x;

	ct_issuance(&x, 7, "example.com", names, 1, NOW, NOW + seconds);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	return fh;
}

static void exactly_24h_is_not_short_lived(void **state)
{
	struct fh_host *fh = run(NULL, 24 * HOUR);

	(void)state;
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
}

static void one_second_under_24h_alerts(void **state)
{
	struct fh_host *fh = run(NULL, 24 * HOUR - 1);
	const struct ctmon_alert *a;
	struct json_object *d;

	(void)state;
	assert_int_equal(fh_alert_count(fh), 1);
	a = fh_alert(fh, 0);
	assert_string_equal(a->type, "short_lived_certificate");
	assert_int_equal(a->severity, CTMON_SEV_HIGH);
	assert_string_equal(a->domain, "example.com");
	assert_string_equal(a->key, "7");
	assert_int_equal(a->issuance_id, 7);
	d = ct_details(a);
	/* 86399 s is 23.9997 h: two decimals round it to 24.00, which is why
	 * the exact seconds are there too. */
	ct_assert_contains(a->details_json, "\"validity_hours\":24.00");
	assert_int_equal(ct_int(d, "validity_seconds"), 24 * HOUR - 1);
	assert_true(ct_double(d, "threshold_hours") == 24.0);
	json_object_put(d);
	fh_free(fh);
}

static void validity_hours_have_two_decimals(void **state)
{
	struct fh_host *fh = run(NULL, 90 * 60 + 12); /* 1.5033 h */
	struct json_object *d;

	(void)state;
	assert_int_equal(fh_alert_count(fh), 1);
	d = ct_details(fh_alert(fh, 0));
	ct_assert_contains(fh_alert(fh, 0)->details_json,
			   "\"validity_hours\":1.50");
	/* The number itself is rounded, not only its text. */
	assert_true(ct_double(d, "validity_hours") == 1.5);
	json_object_put(d);
	fh_free(fh);
}

static void custom_threshold_moves_the_boundary(void **state)
{
	struct fh_host *fh;
	struct json_object *d;

	(void)state;
	fh = run("threshold_hours = 12;", 12 * HOUR);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);

	fh = run("threshold_hours = 12;", 12 * HOUR - 1);
	assert_int_equal(fh_alert_count(fh), 1);
	d = ct_details(fh_alert(fh, 0));
	assert_true(ct_double(d, "threshold_hours") == 12.0);
	json_object_put(d);
	fh_free(fh);

	/* A 20 h certificate is short at the default, not at 12 h. */
	fh = run("threshold_hours = 12;", 20 * HOUR);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
	fh = run(NULL, 20 * HOUR);
	assert_int_equal(fh_alert_count(fh), 1);
	fh_free(fh);

	/* Fractions of an hour work: 0.5 h is 1800 s. */
	fh = run("threshold_hours = 0.5;", 1800);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
	fh = run("threshold_hours = 0.5;", 1799);
	assert_int_equal(fh_alert_count(fh), 1);
	fh_free(fh);

	/* Long thresholds catch 90-day certificates, if someone wants that. */
	fh = run("threshold_hours = 2400;", 90 * DAY);
	assert_int_equal(fh_alert_count(fh), 1);
	fh_free(fh);
}

static void unknown_validity_never_alerts(void **state)
{
	struct fh_host *fh = ct_load("short_lived", NULL);
	struct ct_iss x;

	(void)state;
	/* Taken at face value these would be 1 h and negative. */
	ct_issuance(&x, 1, "example.com", names, 1, 0, HOUR);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	ct_issuance(&x, 2, "example.com", names, 1, NOW, 0);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
}

static void same_issuance_twice_is_one_alert(void **state)
{
	struct fh_host *fh = ct_load("short_lived", NULL);
	struct ct_iss x;

	(void)state;
	ct_issuance(&x, 3, "example.com", names, 1, NOW, NOW + HOUR);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	assert_int_equal(fh_duplicate_alert_count(fh), 1);
	/* Another issuance is another alert. */
	ct_issuance(&x, 4, "example.com", names, 1, NOW, NOW + HOUR);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 2);
	assert_string_equal(fh_alert(fh, 1)->key, "4");
	fh_free(fh);
}

static void option_errors_name_the_line(void **state)
{
	char err[1024];

	(void)state;
	assert_int_equal(ct_load_error("short_lived", "threshold_hour = 12;",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":1: ");
	ct_assert_contains(err, "option \"threshold_hour\"");
	ct_assert_contains(err, "did you mean \"threshold_hours\"");

	assert_int_equal(ct_load_error("short_lived",
				       "\n\nthreshold_hours = \"long\";", err,
				       sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":3: ");
	ct_assert_contains(err, "expected number");

	/* Semantic errors come from the plugin, still with their line. */
	assert_int_equal(ct_load_error("short_lived", "\nthreshold_hours = 0;",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":2: ");
	ct_assert_contains(err, "must be above 0");
	assert_int_equal(ct_load_error("short_lived", "threshold_hours = -3;",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, "must be above 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exactly_24h_is_not_short_lived),
		cmocka_unit_test(one_second_under_24h_alerts),
		cmocka_unit_test(validity_hours_have_two_decimals),
		cmocka_unit_test(custom_threshold_moves_the_boundary),
		cmocka_unit_test(unknown_validity_never_alerts),
		cmocka_unit_test(same_issuance_twice_is_one_alert),
		cmocka_unit_test(option_errors_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
