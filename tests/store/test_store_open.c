/* test_store_open.c - opening and migrating the store, reopening, pragmas,
 * transactions and savepoints, source cursors and key/value state. */
#include "store_fixture.h"

static int64_t pragma_int(struct ctm_store *s, const char *sql)
{
	return fx_count(s, sql);
}

static void test_fresh_db_is_migrated(void **state)
{
	struct fx *f = *state;
	static const char *const tables[] = {
		"domains",	     "issuances",	 "certificates",
		"certificate_names", "issuance_domains", "subdomains",
		"authorized_cas",    "alerts",		 "outbox",
		"source_cursors",    "plugin_state"};
	char sql[160];

	assert_int_equal(pragma_int(f->s, "PRAGMA user_version"),
			 2);
	assert_int_equal(pragma_int(f->s, "PRAGMA foreign_keys"), 1);
	/* The wait for another writer is store_schema.c's own busy handler
	 * (it logs), tested by tests/trust BusyStore. */
	/* NORMAL = 1 */
	assert_int_equal(pragma_int(f->s, "PRAGMA synchronous"), 1);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM sqlite_master WHERE type = "
			 "'table' AND name = '%s'",
			 tables[i]);
		assert_int_equal(fx_count(f->s, sql), 1);
	}
	assert_int_equal(fx_count(f->s,
				  "SELECT count(*) FROM sqlite_master WHERE "
				  "name = 'certificate_names_name'"),
			 1);
}

static void test_wal_mode(void **state)
{
	struct fx *f = *state;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(ctm_store_db(f->s),
					    "PRAGMA journal_mode", -1, &st,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
}

static void test_reopen_keeps_data(void **state)
{
	struct fx *f = *state;
	struct ctm_error err;
	char *v = NULL;
	int baselined = -1;

	assert_int_equal(ctm_store_begin(f->s), CTMON_OK);
	assert_int_equal(
		ctm_store_domain_ensure(f->s, "example.com", 100, &baselined),
		CTMON_OK);
	assert_int_equal(baselined, 0);
	assert_int_equal(ctm_store_cursor_set(f->s, "crtsh", "example.com",
					      "12345", 100),
			 CTMON_OK);
	assert_int_equal(
		ctm_store_domain_set_baselined(f->s, "example.com", 200),
		CTMON_OK);
	assert_int_equal(ctm_store_commit(f->s), CTMON_OK);
	ctm_store_close(f->s);
	f->s = NULL;

	assert_int_equal(ctm_store_open(f->path, &f->s, &err), CTMON_OK);
	assert_int_equal(pragma_int(f->s, "PRAGMA user_version"),
			 2);
	assert_int_equal(ctm_store_cursor_get(f->s, "crtsh", "example.com", &v),
			 CTMON_OK);
	assert_string_equal(v, "12345");
	free(v);
	assert_int_equal(
		ctm_store_domain_ensure(f->s, "example.com", 300, &baselined),
		CTMON_OK);
	assert_int_equal(baselined, 1);
}

static void test_newer_schema_refused(void **state)
{
	struct fx *f = *state;
	struct ctm_store *s2 = NULL;
	struct ctm_error err;

	assert_int_equal(sqlite3_exec(ctm_store_db(f->s),
				      "PRAGMA user_version = 99", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	memset(&err, 0, sizeof err);
	assert_int_not_equal(ctm_store_open(f->path, &s2, &err), CTMON_OK);
	assert_null(s2);
	assert_non_null(strstr(err.text, "newer"));
	assert_non_null(strstr(err.text, f->path));
}

static void test_open_bad_path(void **state)
{
	struct ctm_store *s = NULL;
	struct ctm_error err;

	(void)state;
	memset(&err, 0, sizeof err);
	assert_int_equal(ctm_store_open("/nonexistent-dir/x/ct.db", &s, &err),
			 CTMON_EIO);
	assert_null(s);
	assert_non_null(strstr(err.text, "/nonexistent-dir/x/ct.db"));
}

static void test_cursor_and_kv(void **state)
{
	struct fx *f = *state;
	char *v = (char *)"sentinel";

	assert_int_equal(ctm_store_cursor_get(f->s, "crtsh", "k", &v),
			 CTMON_ENOTFOUND);
	assert_null(v);
	assert_int_equal(ctm_store_cursor_set(f->s, "crtsh", "k", "1", 10),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "crtsh", "k", "2", 11),
			 CTMON_OK);
	/* Another source's cursor of the same key is separate. */
	assert_int_equal(ctm_store_cursor_set(f->s, "ctlog", "k", "x", 11),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_get(f->s, "crtsh", "k", &v),
			 CTMON_OK);
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(ctm_store_cursor_get(f->s, "ctlog", "k", &v),
			 CTMON_OK);
	assert_string_equal(v, "x");
	free(v);

	v = (char *)"sentinel";
	assert_int_equal(ctm_store_kv_get(f->s, "check:a", "seen", &v),
			 CTMON_ENOTFOUND);
	assert_null(v);
	assert_int_equal(ctm_store_kv_put(f->s, "check:a", "seen", "v1", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "check:b", "seen", "w", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "check:a", "seen", "v2", 2),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_get(f->s, "check:a", "seen", &v),
			 CTMON_OK);
	assert_string_equal(v, "v2");
	free(v);
	assert_int_equal(ctm_store_kv_delete(f->s, "check:a", "seen"),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_get(f->s, "check:a", "seen", &v),
			 CTMON_ENOTFOUND);
	assert_int_equal(ctm_store_kv_get(f->s, "check:b", "seen", &v),
			 CTMON_OK);
	assert_string_equal(v, "w");
	free(v);
	assert_int_equal(ctm_store_kv_put(f->s, "check:a", NULL, "x", 1),
			 CTMON_EINVAL);
}

static void test_rollback_discards(void **state)
{
	struct fx *f = *state;
	char *v = NULL;

	assert_int_equal(ctm_store_begin(f->s), CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "crtsh", "k", "1", 10),
			 CTMON_OK);
	assert_int_equal(ctm_store_rollback(f->s), CTMON_OK);
	assert_int_equal(ctm_store_cursor_get(f->s, "crtsh", "k", &v),
			 CTMON_ENOTFOUND);
	assert_int_equal(ctm_store_commit(f->s), CTMON_EIO);
	assert_non_null(strstr(ctm_store_errmsg(f->s), "COMMIT"));
}

static void test_savepoint_rollback_to_discards_ingest(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result res;
	struct spec kept = {
		.crtsh_id = 1, .serial = "01", .names = {"a.example.com"}};
	struct spec dropped = {
		.crtsh_id = 2, .serial = "02", .names = {"b.example.com"}};
	char *v = NULL;
	int b;

	assert_int_equal(ctm_store_begin(f->s), CTMON_OK);
	assert_int_equal(ctm_store_domain_ensure(f->s, "example.com", 1, &b),
			 CTMON_OK);
	assert_int_equal(ctm_store_savepoint(f->s, "batch"), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &kept, 5, &res), CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "crtsh", "k", "1", 5),
			 CTMON_OK);
	assert_int_equal(ctm_store_release(f->s, "batch"), CTMON_OK);

	assert_int_equal(ctm_store_savepoint(f->s, "batch"), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &dropped, 6, &res), CTMON_OK);
	assert_int_equal(res.cert_is_new, 1);
	assert_int_equal(ctm_store_cursor_set(f->s, "crtsh", "k", "2", 6),
			 CTMON_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM certificates"),
			 2);
	assert_int_equal(ctm_store_rollback_to(f->s, "batch"), CTMON_OK);
	assert_int_equal(ctm_store_release(f->s, "batch"), CTMON_OK);
	assert_int_equal(ctm_store_commit(f->s), CTMON_OK);

	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM certificates"),
			 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM issuances"), 1);
	assert_int_equal(
		fx_count(f->s, "SELECT count(*) FROM certificate_names"), 1);
	assert_int_equal(
		fx_count(f->s, "SELECT count(*) FROM issuance_domains"), 1);
	assert_int_equal(fx_count(f->s, "SELECT crtsh_id FROM certificates"),
			 1);
	assert_int_equal(ctm_store_cursor_get(f->s, "crtsh", "k", &v),
			 CTMON_OK);
	assert_string_equal(v, "1");
	free(v);

	/* The discarded record is new again when it comes back. */
	assert_int_equal(fx_ingest(f->s, &dropped, 7, &res), CTMON_OK);
	assert_int_equal(res.cert_is_new, 1);
	assert_int_equal(res.issuance_is_new, 1);
}

static void test_savepoint_name_checked(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ctm_store_savepoint(f->s, "x\"; DROP TABLE alerts"),
			 CTMON_EINVAL);
	assert_int_equal(ctm_store_savepoint(f->s, ""), CTMON_EINVAL);
	assert_int_equal(ctm_store_savepoint(f->s, NULL), CTMON_EINVAL);
	assert_int_equal(fx_count(f->s,
				  "SELECT count(*) FROM sqlite_master WHERE "
				  "name = 'alerts'"),
			 1);
}

static void test_second_connection_reads_during_write(void **state)
{
	struct fx *f = *state;
	struct ctm_store *reader = NULL;
	struct ctm_error err;
	char *v = NULL;

	assert_int_equal(ctm_store_cursor_set(f->s, "crtsh", "k", "old", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_open(f->path, &reader, &err), CTMON_OK);
	assert_int_equal(ctm_store_begin(f->s), CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "crtsh", "k", "new", 2),
			 CTMON_OK);
	/* WAL: the reader sees the last committed value, without waiting. */
	assert_int_equal(ctm_store_cursor_get(reader, "crtsh", "k", &v),
			 CTMON_OK);
	assert_string_equal(v, "old");
	free(v);
	assert_int_equal(ctm_store_commit(f->s), CTMON_OK);
	assert_int_equal(ctm_store_cursor_get(reader, "crtsh", "k", &v),
			 CTMON_OK);
	assert_string_equal(v, "new");
	free(v);
	ctm_store_close(reader);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_db_is_migrated,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_wal_mode, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
						fx_setup, fx_teardown),
		cmocka_unit_test(test_open_bad_path),
		cmocka_unit_test_setup_teardown(test_cursor_and_kv, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_rollback_discards,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_savepoint_rollback_to_discards_ingest, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(test_savepoint_name_checked,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_second_connection_reads_during_write, fx_setup,
			fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
