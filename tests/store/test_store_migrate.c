/* test_store_migrate.c - schema version 2 (core/store_rekey.c): a version 1
 * store that holds one certificate as two issuances (keyed "ca:<crt.sh CA
 * id>" from crt.sh and "dn:<issuer>" from a CT log) is merged into one on
 * open, and its alerts keep their ids and acknowledgements. */
#include "store_fixture.h"

static void exec(struct ctm_store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(ctm_store_db(s), sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fprintf(stderr, "%s\n  in: %s\n", msg ? msg : "?", sql);
	sqlite3_free(msg);
	assert_int_equal(rc, SQLITE_OK);
}

/* Rows a version 1 store had after crt.sh (issuance 1) and a CT log
 * (issuance 2) each saw the same certificate, plus an unrelated one (3).
 * Both duplicates raised a wildcard and an expiry alert; the crt.sh pair's
 * wildcard alert was acknowledged and delivered. */
static const char v1_rows[] =
	"INSERT INTO domains VALUES ('example.com', 1, 2);"
	"INSERT INTO issuances (id, issuance_key, issuer_ca_id, issuer_dn,"
	" serial, not_before, not_after, first_seen, names_json) VALUES"
	" (1, 'ca:295810|s:a0b', 295810, 'C=US, O=Let''s Encrypt, CN=R11',"
	"  '0a0b', 100, 900, 5, '[\"*.example.com\"]'),"
	" (2, 'dn:' || ctm_dn_canonical('CN=R11,O=Let''s Encrypt,C=US')"
	"  || '|s:a0b', 0, 'CN=R11,O=Let''s Encrypt,C=US', '0A0B', 100, 900,"
	"  6, '[\"*.example.com\",\"www.example.com\"]'),"
	" (3, 'ca:1|s:ff', 1, 'C=US, O=Other, CN=Other CA', 'ff', 100, 900,"
	"  7, '[\"api.example.com\"]');"
	"INSERT INTO certificates (id, issuance_id, crtsh_id, log_id,"
	" log_index, first_seen) VALUES (10, 1, 555, NULL, NULL, 5),"
	" (11, 2, NULL, 'logA', 7, 6), (12, 3, 556, NULL, NULL, 7);"
	"INSERT INTO certificate_names VALUES (1, '*.example.com'),"
	" (2, '*.example.com'), (2, 'www.example.com'),"
	" (3, 'api.example.com');"
	"INSERT INTO issuance_domains VALUES ('example.com', 1),"
	" ('example.com', 2), ('example.com', 3);"
	"INSERT INTO subdomains (domain, name, first_seen, last_seen,"
	" first_issuance_id) VALUES ('example.com', 'www.example.com', 6, 6, 2);"
	"INSERT INTO alerts (id, type, severity, domain, alert_key,"
	" issuance_id, created_at, acknowledged_at) VALUES"
	" (20, 'wildcard_certificate', 2, 'example.com', '1', 1, 5, 50),"
	" (21, 'wildcard_certificate', 2, 'example.com', '2', 2, 6, NULL),"
	" (22, 'certificate_expiring', 3, 'example.com', '2:7d', 2, 6, NULL),"
	" (23, 'new_subdomain', 1, 'example.com', 'www.example.com', 2, 6,"
	"  NULL);"
	"INSERT INTO outbox (alert_id, notifier_id, status, next_attempt,"
	" created_at) VALUES (20, 'hook', 'delivered', 0, 5),"
	" (21, 'hook', 'delivered', 0, 6), (22, 'hook', 'pending', 0, 6);"
	"PRAGMA user_version = 1;";

static void duplicates_merge_and_alerts_survive(void **state)
{
	struct fx *f = *state;
	struct ctm_error err;

	exec(f->s, v1_rows);
	ctm_store_close(f->s);
	f->s = NULL;
	assert_int_equal(ctm_store_open(f->path, &f->s, &err), CTMON_OK);

	/* One issuance for the pair: the oldest, with the CT log's extra
	 * name, the crt.sh CA id and the DN key. */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM issuances"), 2);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM issuances"
				  " WHERE id = 1 AND issuer_ca_id = 295810"
				  " AND issuance_key LIKE 'dn:%|s:a0b'"
				  " AND names_json = '[\"*.example.com\","
				  "\"www.example.com\"]'"),
			 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM certificates"
				  " WHERE issuance_id = 1"),
			 2);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM "
				  "certificate_names WHERE issuance_id = 1"),
			 2);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM "
				  "issuance_domains"),
			 2);
	assert_int_equal(fx_count(f->s, "SELECT first_issuance_id FROM "
				  "subdomains"),
			 1);
	/* The unrelated issuance is rekeyed by its DN and keeps its id. */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM issuances"
				  " WHERE id = 3 AND issuance_key LIKE "
				  "'dn:%|s:ff'"),
			 1);

	/* Alerts: the wildcard duplicate (21) folds into 20, which keeps
	 * its acknowledgement; 22 and 23 move to issuance 1, keeping their
	 * ids, and 22's key follows the issuance id. */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM alerts"), 3);
	assert_int_equal(fx_count(f->s, "SELECT acknowledged_at FROM alerts"
				  " WHERE id = 20 AND alert_key = '1'"),
			 50);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM alerts WHERE"
				  " id = 22 AND alert_key = '1:7d' AND"
				  " issuance_id = 1"),
			 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM alerts WHERE"
				  " id = 23 AND alert_key = 'www.example.com'"
				  " AND issuance_id = 1"),
			 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM outbox WHERE"
				  " alert_id = 22 AND status = 'pending'"),
			 1);
	assert_int_equal(fx_count(f->s, "PRAGMA user_version"), 2);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM "
				  "pragma_foreign_key_check"),
			 0);
}

/* After the migration a new sighting of the certificate joins it. */
static void new_records_join_the_merged_issuance(void **state)
{
	struct fx *f = *state;
	struct ctm_error err;
	struct ctm_ingest_result r;
	struct spec again = {.log_id = "logB",
			     .log_index = 1,
			     .serial = "0a0b",
			     .issuer = "CN=R11, O=Let's Encrypt, C=US",
			     .names = {"*.example.com"}};

	exec(f->s, v1_rows);
	ctm_store_close(f->s);
	f->s = NULL;
	assert_int_equal(ctm_store_open(f->path, &f->s, &err), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &again, 9, &r), CTMON_OK);
	assert_int_equal(r.cert_is_new, 1);
	assert_int_equal(r.issuance_is_new, 0);
	assert_int_equal(r.issuance_id, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			duplicates_merge_and_alerts_survive, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(
			new_records_join_the_merged_issuance, fx_setup,
			fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
