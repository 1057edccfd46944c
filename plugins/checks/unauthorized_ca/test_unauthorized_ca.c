/* test_unauthorized_ca.c - the unauthorized_ca check in the fake host:
 * authorised by crt.sh CA id, by issuer DN whatever crt.sh's quoting, per
 * domain, through the store, and the once-per-cycle warning when nothing
 * is authorised. */
#include "check_test.h"

#define DIGICERT_CRTSH "C=US, O=\"DigiCert, Inc.\", CN=DigiCert TLS RSA SHA256 2020 CA1"
#define DIGICERT_PLAIN "C=US, O=DigiCert, Inc., CN=DigiCert TLS RSA SHA256 2020 CA1"
#define WARNING                                                              \
	"no authorised CA for example.com: run ctmon --auto-baseline or "    \
	"--add-ca NAME ID"

static const char *const names[] = {"www.example.com"};
static const char *const bank_names[] = {"www.bank.example.com"};

/* Runs an issuance of `domain` from (ca_id, dn) through fh. */
static void issue(struct fh_host *fh, int64_t id, const char *domain,
		  int64_t ca_id, const char *dn)
{
	struct ct_iss x;

	ct_issuance(&x, id, domain,
		    strcmp(domain, "example.com") == 0 ? names : bank_names, 1,
		    NOW, NOW + 90 * DAY);
	x.cert.issuer_ca_id = ca_id;
	x.cert.issuer_dn = dn;
	assert_int_equal(fh_on_issuance(fh, &x.is), CTMON_OK);
}

static void authorised_by_ca_id(void **state)
{
	struct fh_host *fh =
		ct_load("unauthorized_ca", "authorized_ca_ids = [ 1397, 16418 ];");
	const struct ctmon_alert *a;
	struct json_object *d;

	(void)state;
	issue(fh, 1, "example.com", 1397, DIGICERT_CRTSH);
	issue(fh, 2, "example.com", 16418, "C=US, O=Let's Encrypt, CN=R3");
	assert_int_equal(fh_alert_count(fh), 0);

	issue(fh, 3, "example.com", 9999, "C=XX, O=Evil CA, CN=Evil");
	assert_int_equal(fh_alert_count(fh), 1);
	a = fh_alert(fh, 0);
	assert_string_equal(a->type, "unauthorized_ca");
	assert_int_equal(a->severity, CTMON_SEV_CRITICAL);
	assert_string_equal(a->domain, "example.com");
	assert_string_equal(a->key, "3");
	assert_int_equal(a->issuance_id, 3);
	d = ct_details(a);
	assert_string_equal(ct_str(d, "issuer"), "C=XX, O=Evil CA, CN=Evil");
	assert_int_equal(ct_int(d, "ca_id"), 9999);
	json_object_put(d);

	/* crt.sh's "unknown" (0) and "not found" (-1) ids match nothing. */
	issue(fh, 4, "example.com", 0, "C=XX, O=Other");
	issue(fh, 5, "example.com", -1, NULL);
	assert_int_equal(fh_alert_count(fh), 3);
	d = ct_details(fh_find_alert(fh, "unauthorized_ca", "example.com",
				     "5"));
	/* An unknown issuer is null, not a missing member. */
	ct_member(d, "issuer", json_type_null);
	json_object_put(d);
	fh_free(fh);
}

static void authorised_by_dn_despite_crtsh_quoting(void **state)
{
	/* The config writes the DN as a certificate dump does, crt.sh
	 * quotes the organisation: the same CA. */
	struct fh_host *fh = ct_load("unauthorized_ca",
				     "authorized_issuers = [ \"C=US, "
				     "O=DigiCert, Inc., CN=DigiCert TLS RSA "
				     "SHA256 2020 CA1\" ];");

	(void)state;
	issue(fh, 1, "example.com", 0, DIGICERT_CRTSH);
	issue(fh, 2, "example.com", 0, DIGICERT_PLAIN);
	issue(fh, 3, "example.com", 0,
	      "C=US,  O=\"DigiCert, Inc.\" ,CN=DigiCert TLS RSA SHA256 2020 "
	      "CA1");
	assert_int_equal(fh_alert_count(fh), 0);
	/* Another CA of the same organisation is another CA. */
	issue(fh, 4, "example.com", 0,
	      "C=US, O=\"DigiCert, Inc.\", CN=DigiCert Global G2 TLS RSA "
	      "SHA256 2020 CA1");
	assert_int_equal(fh_alert_count(fh), 1);
	assert_string_equal(fh_alert(fh, 0)->key, "4");
	fh_free(fh);
}

static void per_domain_lists_add_to_the_global_one(void **state)
{
	struct fh_host *fh = ct_load(
		"unauthorized_ca",
		"authorized_ca_ids = [ 1 ];\n"
		"per_domain = ( { domain = \"bank.example.com\";\n"
		"                 ca_ids = [ 555 ];\n"
		"                 issuers = [ \"CN=Bank Private CA\" ]; } );");

	(void)state;
	issue(fh, 1, "bank.example.com", 555, NULL);
	issue(fh, 2, "bank.example.com", 0, "CN=Bank Private CA");
	issue(fh, 3, "bank.example.com", 1, NULL); /* global applies too */
	issue(fh, 4, "example.com", 1, NULL);
	assert_int_equal(fh_alert_count(fh), 0);
	/* The bank's CAs are not authorised for the parent domain. */
	issue(fh, 5, "example.com", 555, NULL);
	issue(fh, 6, "example.com", 0, "CN=Bank Private CA");
	assert_int_equal(fh_alert_count(fh), 2);
	assert_non_null(
		fh_find_alert(fh, "unauthorized_ca", "example.com", "5"));
	assert_non_null(
		fh_find_alert(fh, "unauthorized_ca", "example.com", "6"));
	fh_free(fh);
}

static void per_domain_list_alone_is_not_empty(void **state)
{
	/* Only bank.example.com has a list: example.com has nothing, so it
	 * gets the warning, the bank gets real alerts. */
	struct fh_host *fh = ct_load(
		"unauthorized_ca",
		"per_domain = ( { domain = \"bank.example.com\"; ca_ids = [ 7 "
		"]; } );");

	(void)state;
	issue(fh, 1, "bank.example.com", 8, NULL);
	issue(fh, 2, "example.com", 8, NULL);
	assert_int_equal(fh_alert_count(fh), 1);
	assert_string_equal(fh_alert(fh, 0)->domain, "bank.example.com");
	assert_int_equal(fh_log_contains(fh, WARNING), 1);
	fh_free(fh);
}

static void authorised_in_the_store(void **state)
{
	struct fh_host *fh = ct_load("unauthorized_ca", NULL);

	(void)state;
	/* --add-ca "DigiCert ..." 1397, and a DN-only CA for the bank. */
	assert_int_equal(fh_add_authorized_ca(fh, NULL, 1397, NULL), CTMON_OK);
	assert_int_equal(fh_add_authorized_ca(fh, "bank.example.com", 0,
					      DIGICERT_PLAIN),
			 CTMON_OK);
	issue(fh, 1, "example.com", 1397, NULL);
	issue(fh, 2, "bank.example.com", 0, DIGICERT_CRTSH);
	assert_int_equal(fh_alert_count(fh), 0);

	issue(fh, 3, "example.com", 0, DIGICERT_CRTSH);
	issue(fh, 4, "example.com", 42, NULL);
	assert_int_equal(fh_alert_count(fh), 2);
	assert_int_equal(fh_log_contains(fh, "no authorised CA"), 0);
	fh_free(fh);
}

static void nothing_authorised_warns_once_per_cycle(void **state)
{
	struct fh_host *fh = ct_load("unauthorized_ca", NULL);

	(void)state;
	issue(fh, 1, "example.com", 1397, NULL);
	issue(fh, 2, "example.com", 9999, NULL);
	issue(fh, 3, "example.com", 16418, NULL);
	/* Alerting on every issuance would be noise: none, one warning. */
	assert_int_equal(fh_alert_count(fh), 0);
	assert_int_equal(fh_log_contains(fh, WARNING), 1);
	assert_int_equal(fh_log_level(fh, fh_log_count(fh) - 1),
			 CTMON_LOG_WARN);
	/* Another domain warns for itself. */
	issue(fh, 4, "bank.example.com", 1397, NULL);
	assert_int_equal(fh_log_contains(fh, "no authorised CA for "
					     "bank.example.com"),
			 1);

	/* Next cycle: warned again, once. */
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_log_contains(fh, WARNING), 1);
	issue(fh, 5, "example.com", 1397, NULL);
	issue(fh, 6, "example.com", 1397, NULL);
	assert_int_equal(fh_log_contains(fh, WARNING), 2);
	assert_int_equal(fh_alert_count(fh), 0);

	/* Once a CA is authorised, the others alert. */
	assert_int_equal(fh_add_authorized_ca(fh, NULL, 1397, NULL), CTMON_OK);
	issue(fh, 7, "example.com", 9999, NULL);
	assert_int_equal(fh_alert_count(fh), 1);
	fh_free(fh);
}

static void warning_can_be_turned_off(void **state)
{
	struct fh_host *fh =
		ct_load("unauthorized_ca", "warn_when_empty = false;");

	(void)state;
	issue(fh, 1, "example.com", 9999, NULL);
	assert_int_equal(fh_alert_count(fh), 0);
	assert_int_equal(fh_log_contains(fh, "no authorised CA"), 0);
	fh_free(fh);
}

static void option_errors_name_the_line(void **state)
{
	char err[1024];

	(void)state;
	assert_int_equal(ct_load_error("unauthorized_ca",
				       "authorized_ca_id = [ 1 ];", err,
				       sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":1: ");
	ct_assert_contains(err, "did you mean \"authorized_ca_ids\"");

	assert_int_equal(ct_load_error("unauthorized_ca",
				       "authorized_ca_ids = [ \"1397\" ];", err,
				       sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, "expected list of ints");

	/* Inside per_domain entries the plugin checks, with the line. */
	assert_int_equal(ct_load_error("unauthorized_ca",
				       "per_domain = (\n"
				       "  { domain = \"example.com\";\n"
				       "    ca_id = [ 1 ]; } );",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":3: ");
	ct_assert_contains(err, "unknown key \"ca_id\"");

	/* 0 and -1 are crt.sh's "unknown" and "not found", not CA ids. */
	assert_int_equal(ct_load_error("unauthorized_ca",
				       "\nauthorized_ca_ids = [ 1397, 0 ];",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, ":2: ");
	ct_assert_contains(err, "0 is not a crt.sh CA id");
	assert_int_equal(ct_load_error("unauthorized_ca",
				       "per_domain = ( { domain = \"x.com\"; "
				       "ca_ids = [ -1 ]; } );",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, "-1 is not a crt.sh CA id");

	assert_int_equal(ct_load_error("unauthorized_ca",
				       "per_domain = ( { ca_ids = [ 1 ]; } );",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, "needs domain");

	assert_int_equal(ct_load_error("unauthorized_ca",
				       "per_domain = ( { domain = \"x.com\"; "
				       "issuers = [ 1 ]; } );",
				       err, sizeof err),
			 CTMON_ECONFIG);
	ct_assert_contains(err, "issuers: expected a list of strings");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(authorised_by_ca_id),
		cmocka_unit_test(authorised_by_dn_despite_crtsh_quoting),
		cmocka_unit_test(per_domain_lists_add_to_the_global_one),
		cmocka_unit_test(per_domain_list_alone_is_not_empty),
		cmocka_unit_test(authorised_in_the_store),
		cmocka_unit_test(nothing_authorised_warns_once_per_cycle),
		cmocka_unit_test(warning_can_be_turned_off),
		cmocka_unit_test(option_errors_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
