/* test_expiring.c - the expiring check in the fake host: thresholds
 * crossed exactly, severities, one alert per issuance per threshold across
 * cycles, expired, not yet valid and renewed certificates, and the option
 * errors. */
#include "check_test.h"

static const char *const www[] = {"www.example.com"};
static const char *const api[] = {"api.example.com"};
static const char *const mail[] = {"mail.example.com"};

/* Stores an issuance of example.com valid from 60 days ago until
 * `not_after`. */
static void store(struct fh_host *fh, int64_t id, const char *const *names,
		  size_t n, int64_t not_after)
{
	struct ct_iss x;

	ct_issuance(&x, id, "example.com", names, n, NOW - 60 * DAY,
		    not_after);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
}

static void threshold_crossed_exactly_alerts(void **state)
{
	struct fh_host *fh = ct_load("expiring", NULL);
	const struct ctmon_alert *a;
	struct json_object *d;

	(void)state;
	store(fh, 1, www, 1, NOW + 30 * DAY);     /* exactly 30 days left */
	store(fh, 2, api, 1, NOW + 30 * DAY + 1); /* a second more: not yet */
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	a = fh_alert(fh, 0);
	assert_string_equal(a->type, "certificate_expiring");
	assert_int_equal(a->severity, CTMON_SEV_MEDIUM);
	assert_string_equal(a->domain, "example.com");
	assert_string_equal(a->key, "1:30d");
	assert_int_equal(a->issuance_id, 1);
	d = ct_details(a);
	assert_int_equal(ct_int(d, "threshold_days"), 30);
	assert_true(ct_double(d, "days_left") == 30.0);
	ct_assert_contains(a->details_json, "\"days_left\":30.00");
	assert_string_equal(ct_str(d, "expires_at"), "2023-12-14T22:13:20Z");
	json_object_put(d);
	fh_free(fh);
}

static void every_crossed_threshold_alerts_with_its_severity(void **state)
{
	struct fh_host *fh = ct_load("expiring", NULL);

	(void)state;
	/* Different names: none of them renews another. */
	store(fh, 14, www, 1, NOW + 14 * DAY);
	store(fh, 7, api, 1, NOW + 7 * DAY);
	store(fh, 1, mail, 1, NOW + 3600);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	/* 14 days: 30 and 14; 7 days and 1 hour: 30, 14 and 7. */
	assert_int_equal(fh_alert_count(fh), 2 + 3 + 3);
	assert_int_equal(fh_find_alert(fh, "certificate_expiring",
				       "example.com", "14:30d")->severity,
			 CTMON_SEV_MEDIUM);
	assert_int_equal(fh_find_alert(fh, "certificate_expiring",
				       "example.com", "14:14d")->severity,
			 CTMON_SEV_MEDIUM);
	assert_null(fh_find_alert(fh, "certificate_expiring", "example.com",
				  "14:7d"));
	assert_int_equal(fh_find_alert(fh, "certificate_expiring",
				       "example.com", "7:7d")->severity,
			 CTMON_SEV_HIGH);
	assert_int_equal(fh_find_alert(fh, "certificate_expiring",
				       "example.com", "1:7d")->severity,
			 CTMON_SEV_HIGH);
	fh_free(fh);
}

static void thresholds_alert_once_as_time_passes(void **state)
{
	struct fh_host *fh = ct_load("expiring", NULL);
	int64_t not_after = NOW + 31 * DAY;

	(void)state;
	store(fh, 1, www, 1, not_after);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);

	fh_set_now(fh, not_after - 30 * DAY);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	/* Cycles keep finding the same crossing: the same key, stored once. */
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	assert_int_equal(fh_duplicate_alert_count(fh), 1);

	fh_set_now(fh, not_after - 10 * DAY);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 2);
	assert_non_null(fh_find_alert(fh, "certificate_expiring", "example.com",
				      "1:14d"));
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 2);
	assert_int_equal(fh_duplicate_alert_count(fh), 1 + 1 + 2);

	fh_set_now(fh, not_after - 1);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 3);
	assert_int_equal(fh_alert(fh, 2)->severity, CTMON_SEV_HIGH);
	assert_string_equal(fh_alert(fh, 2)->key, "1:7d");
	fh_free(fh);
}

static void expired_or_not_yet_valid_never_alerts(void **state)
{
	struct fh_host *fh = ct_load("expiring", NULL);
	struct ct_iss x;

	(void)state;
	store(fh, 1, www, 1, NOW - 1);
	store(fh, 2, www, 1, NOW); /* expires this very second */
	ct_issuance(&x, 3, "example.com", www, 1, NOW + 1, NOW + 2 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
}

static void renewed_certificate_is_quiet(void **state)
{
	static const char *const both[] = {"example.com", "www.example.com"};
	struct fh_host *fh = ct_load("expiring", NULL);
	struct ct_iss x;

	(void)state;
	store(fh, 1, both, 2, NOW + 5 * DAY);
	/* Its renewal: same names, valid since yesterday for 90 days. */
	ct_issuance(&x, 2, "example.com", both, 2, NOW - DAY, NOW + 89 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
}

static void renewal_through_a_wildcard_counts(void **state)
{
	static const char *const hosts[] = {"www.example.com",
					    "api.example.com"};
	static const char *const wild[] = {"*.example.com"};
	struct fh_host *fh = ct_load("expiring", NULL);
	struct ct_iss x;

	(void)state;
	store(fh, 1, hosts, 2, NOW + 5 * DAY);
	ct_issuance(&x, 2, "example.com", wild, 1, NOW - DAY, NOW + 89 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
}

static void partial_or_unusable_renewals_do_not_count(void **state)
{
	static const char *const hosts[] = {"www.shop.example.com",
					    "api.shop.example.com"};
	static const char *const shop_www[] = {"www.shop.example.com"};
	static const char *const apex[] = {"example.com"};
	static const char *const deep[] = {"a.b.example.com"};
	static const char *const wild[] = {"*.example.com"};
	struct fh_host *fh = ct_load("expiring", NULL);
	struct ct_iss x;

	(void)state;
	/* 1: only www renewed. */
	store(fh, 1, hosts, 2, NOW + 5 * DAY);
	ct_issuance(&x, 10, "example.com", shop_www, 1, NOW - DAY,
		    NOW + 89 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	/* 2: the "renewal" only starts tomorrow. */
	store(fh, 2, apex, 1, NOW + 5 * DAY);
	ct_issuance(&x, 20, "example.com", apex, 1, NOW + DAY, NOW + 90 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	/* 3: a wildcard covers one label only (and not the apex of 2 nor
	 * the shop names of 1). */
	store(fh, 3, deep, 1, NOW + 5 * DAY);
	ct_issuance(&x, 30, "example.com", wild, 1, NOW - DAY, NOW + 90 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 3 * 3);
	for (int64_t id = 1; id <= 3; id++) {
		char key[16];
		snprintf(key, sizeof key, "%d:7d", (int)id);
		assert_non_null(fh_find_alert(fh, "certificate_expiring",
					      "example.com", key));
	}
	fh_free(fh);
}

/* Issue #11: an older wildcard that outlasts a later certificate does
 * not silence its expiry; a wildcard issued after it does. */
static void only_a_later_certificate_renews(void **state)
{
	static const char *const wild[] = {"*.example.com"};
	struct fh_host *fh = ct_load("expiring", NULL);
	struct ct_iss x;

	(void)state;
	ct_issuance(&x, 1, "example.com", wild, 1, NOW - 200 * DAY,
		    NOW + 165 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	ct_issuance(&x, 2, "example.com", www, 1, NOW - 85 * DAY,
		    NOW + 5 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_non_null(fh_find_alert(fh, "certificate_expiring", "example.com",
				      "2:7d"));
	fh_free(fh);

	fh = ct_load("expiring", NULL);
	ct_issuance(&x, 2, "example.com", www, 1, NOW - 85 * DAY,
		    NOW + 5 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	ct_issuance(&x, 3, "example.com", wild, 1, NOW - 2 * DAY,
		    NOW + 88 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
}

static void earlier_expiring_overlap_is_no_renewal(void **state)
{
	struct fh_host *fh = ct_load("expiring", NULL);

	(void)state;
	store(fh, 1, www, 1, NOW + 6 * DAY);
	store(fh, 2, www, 1, NOW + 5 * DAY);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	/* Issued together: 2 covers www only until before 1 ends, and 1,
	 * though it outlives 2, was not issued after it - neither is a
	 * renewal of the other. */
	assert_non_null(fh_find_alert(fh, "certificate_expiring", "example.com",
				      "1:7d"));
	assert_non_null(fh_find_alert(fh, "certificate_expiring", "example.com",
				      "2:7d"));
	assert_int_equal(fh_alert_count(fh), 6);
	fh_free(fh);
}

static void same_expiry_is_no_renewal(void **state)
{
	struct fh_host *fh = ct_load("expiring", NULL);

	(void)state;
	/* Two certificates for the same names ending together (two CAs, or
	 * a re-issue with the same dates): neither outlives the other. */
	store(fh, 1, www, 1, NOW + 6 * DAY);
	store(fh, 2, www, 1, NOW + 6 * DAY);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 6);
	fh_free(fh);
}

static void every_monitored_domain_is_walked(void **state)
{
	static const char *const bank[] = {"www.bank.example.com"};
	struct fh_host *fh = ct_load("expiring", NULL);
	struct ct_iss x;

	(void)state;
	store(fh, 1, www, 1, NOW + 20 * DAY);
	ct_issuance(&x, 2, "bank.example.com", bank, 1, NOW - DAY,
		    NOW + 20 * DAY);
	assert_int_equal(fh_add_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 2);
	assert_non_null(fh_find_alert(fh, "certificate_expiring", "example.com",
				      "1:30d"));
	assert_non_null(fh_find_alert(fh, "certificate_expiring",
				      "bank.example.com", "2:30d"));
	fh_free(fh);
}

static void new_issuances_are_not_its_business(void **state)
{
	struct fh_host *fh = ct_load("expiring", NULL);
	struct ct_iss x;

	(void)state;
	ct_issuance(&x, 1, "example.com", www, 1, NOW - DAY, NOW + DAY);
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
}

static void custom_thresholds_and_severity(void **state)
{
	struct fh_host *fh = ct_load(
		"expiring", "days = [ 10, 60, 10, 3 ];\nhigh_at_days = 10;");

	(void)state;
	store(fh, 1, www, 1, NOW + 10 * DAY);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	/* 60 and 10 crossed (the repeated 10 counts once), 3 not. */
	assert_int_equal(fh_alert_count(fh), 2);
	assert_int_equal(fh_find_alert(fh, "certificate_expiring",
				       "example.com", "1:60d")->severity,
			 CTMON_SEV_MEDIUM);
	assert_int_equal(fh_find_alert(fh, "certificate_expiring",
				       "example.com", "1:10d")->severity,
			 CTMON_SEV_HIGH);
	assert_int_equal(fh_duplicate_alert_count(fh), 0);
	fh_free(fh);
}

static void option_errors_name_the_line(void **state)
{
	char err[1024];

	(void)state;
	assert_int_equal(ct_load_error("expiring", "day = [ 30 ];", err,
				       sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":1: ");
	ct_assert_contains(err, "did you mean \"days\"");

	assert_int_equal(ct_load_error("expiring", "\nhigh_at_days = 7.5;",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":2: ");
	ct_assert_contains(err, "expected int");

	assert_int_equal(ct_load_error("expiring", "days = [ ];", err,
				       sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":1: ");
	ct_assert_contains(err, "at least one threshold");

	assert_int_equal(ct_load_error("expiring", "\n\ndays = [ 30, 0 ];",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":3: ");
	ct_assert_contains(err, "0 is outside 1..3650");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(threshold_crossed_exactly_alerts),
		cmocka_unit_test(every_crossed_threshold_alerts_with_its_severity),
		cmocka_unit_test(thresholds_alert_once_as_time_passes),
		cmocka_unit_test(expired_or_not_yet_valid_never_alerts),
		cmocka_unit_test(renewed_certificate_is_quiet),
		cmocka_unit_test(renewal_through_a_wildcard_counts),
		cmocka_unit_test(partial_or_unusable_renewals_do_not_count),
		cmocka_unit_test(earlier_expiring_overlap_is_no_renewal),
		cmocka_unit_test(only_a_later_certificate_renews),
		cmocka_unit_test(same_expiry_is_no_renewal),
		cmocka_unit_test(every_monitored_domain_is_walked),
		cmocka_unit_test(new_issuances_are_not_its_business),
		cmocka_unit_test(custom_thresholds_and_severity),
		cmocka_unit_test(option_errors_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
