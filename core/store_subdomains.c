/* store_subdomains.c - the subdomains seen under each monitored domain and
 * their DNS results. */
#include "store_internal.h"

#include <stdlib.h>

/* ---- subdomains -------------------------------------------------------- */

/* Inserts first, because the insert's own uniqueness probe tells a new
 * name from a known one; a known name only has last_seen moved forward
 * (written only when it moves). */
int ctm_store_subdomain_touch(struct ctm_store *s, const char *domain,
			      const char *name, int64_t issuance_id,
			      int64_t now, int *is_new)
{
	sqlite3_stmt *st;
	int rc;

	*is_new = 0;
	st = ctm_stmt_get(
		s, ST_SUB_TOUCH,
		"INSERT INTO subdomains (domain, name, first_seen,"
		" last_seen, first_issuance_id) VALUES (?1, ?2, ?3, ?3, ?4) "
		"ON CONFLICT (domain, name) DO NOTHING");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_text(st, 2, name);
	ctm_bind_int64(st, 3, now);
	ctm_bind_int64_or_null(st, 4, issuance_id > 0 ? issuance_id : 0, 0);
	rc = ctm_stmt_exec(s, st, "recording a subdomain");
	ctm_stmt_put(s, ST_SUB_TOUCH, st);
	if (rc != CTMON_OK)
		return rc;
	if (sqlite3_changes(s->db) > 0) {
		*is_new = 1;
		return CTMON_OK;
	}
	st = ctm_stmt_get(s, ST_SUB_SEEN,
			  "UPDATE subdomains SET last_seen = ?3 "
			  "WHERE domain = ?1 AND name = ?2 AND last_seen < ?3");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_text(st, 2, name);
	ctm_bind_int64(st, 3, now);
	rc = ctm_stmt_exec(s, st, "updating a subdomain");
	ctm_stmt_put(s, ST_SUB_SEEN, st);
	return rc;
}

int ctm_store_subdomain_set_dns(struct ctm_store *s, const char *domain,
				const char *name, const char *status,
				const char *addresses, const char *cname,
				int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	st = ctm_stmt_get(
		s, ST_SUB_SET_DNS,
		"UPDATE subdomains SET dns_status = ?3, addresses = ?4,"
		" cname = ?5, resolved_at = ?6 "
		"WHERE domain = ?1 AND name = ?2");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_text(st, 2, name);
	ctm_bind_text(st, 3, status);
	ctm_bind_text(st, 4, addresses);
	ctm_bind_text(st, 5, cname);
	ctm_bind_int64(st, 6, now);
	rc = ctm_stmt_exec(s, st, "recording DNS results");
	ctm_stmt_put(s, ST_SUB_SET_DNS, st);
	if (rc == CTMON_OK && sqlite3_changes(s->db) == 0)
		rc = ctm_store_failf(s, CTMON_ENOTFOUND,
				     "no subdomain %s of %s", name, domain);
	return rc;
}

int ctm_store_subdomains_first_in(struct ctm_store *s, const char *domain,
				  int64_t issuance_id, int64_t now,
				  char ***names)
{
	sqlite3_stmt *st;
	char **v = NULL;
	int rc = CTMON_OK, step;

	*names = NULL;
	st = ctm_stmt_get(s, ST_SUB_FIRST_IN,
			  "SELECT name FROM subdomains WHERE domain = ? AND "
			  "first_issuance_id = ? AND first_seen = ? "
			  "ORDER BY name");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_int64(st, 2, issuance_id);
	ctm_bind_int64(st, 3, now);
	v = calloc(1, sizeof *v);
	if (!v)
		rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	while (rc == CTMON_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		if (ctm_strv_push(&v, (const char *)sqlite3_column_text(st, 0)))
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	if (rc == CTMON_OK && step != SQLITE_DONE)
		rc = ctm_store_fail(s, "listing new subdomains");
	ctm_stmt_put(s, ST_SUB_FIRST_IN, st);
	if (rc != CTMON_OK) {
		ctm_strv_free(v);
		return rc;
	}
	*names = v;
	return CTMON_OK;
}

int ctm_store_subdomain_foreach(struct ctm_store *s, const char *domain,
				int (*fn)(void *ctx,
					  const struct ctm_subdomain *sd),
				void *ctx)
{
	sqlite3_stmt *st;
	int rc = CTMON_OK, step;

	st = ctm_stmt_get(
		s, ST_SUB_LIST,
		"SELECT domain, name, first_seen, last_seen,"
		" first_issuance_id, dns_status, addresses, cname,"
		" resolved_at FROM subdomains "
		"WHERE ?1 IS NULL OR domain = ?1 ORDER BY domain, name");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctm_subdomain sd = {ctm_col_text(st, 0),
					   ctm_col_text(st, 1),
					   sqlite3_column_int64(st, 2),
					   sqlite3_column_int64(st, 3),
					   sqlite3_column_int64(st, 4),
					   ctm_col_text(st, 5),
					   ctm_col_text(st, 6),
					   ctm_col_text(st, 7),
					   sqlite3_column_int64(st, 8)};
		if (fn(ctx, &sd) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = ctm_store_fail(s, "listing subdomains");
	ctm_stmt_put(s, ST_SUB_LIST, st);
	return rc;
}
