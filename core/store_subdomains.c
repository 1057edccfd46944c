/* store_subdomains.c - the subdomains seen under each monitored domain and
 * their DNS results. */
#include "store_internal.h"

#include <stdlib.h>

/* ---- subdomains -------------------------------------------------------- */

/* Looks first, because most touches are of names already known (every
 * renewal repeats them): a lookup is cheaper than a refused insert, and
 * last_seen is only written when it moves. */
int ctm_store_subdomain_touch(struct ctm_store *s, const char *domain,
			      const char *name, int64_t issuance_id,
			      int64_t now, int *is_new)
{
	sqlite3_stmt *st;
	int64_t last_seen = 0;
	int rc = CTMON_OK, step;

	*is_new = 0;
	st = ctm_stmt_get(s, ST_SUB_GET,
			  "SELECT last_seen FROM subdomains "
			  "WHERE domain = ? AND name = ?");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_text(st, 2, name);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		last_seen = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE)
		rc = ctm_store_fail(s, "reading a subdomain");
	ctm_stmt_put(s, ST_SUB_GET, st);
	if (rc != CTMON_OK || (step == SQLITE_ROW && last_seen >= now))
		return rc;
	if (step == SQLITE_ROW) {
		st = ctm_stmt_get(s, ST_SUB_SEEN,
				  "UPDATE subdomains SET last_seen = ?3 "
				  "WHERE domain = ?1 AND name = ?2");
		if (!st)
			return CTMON_EIO;
		ctm_bind_text(st, 1, domain);
		ctm_bind_text(st, 2, name);
		ctm_bind_int64(st, 3, now);
		rc = ctm_stmt_exec(s, st, "updating a subdomain");
		ctm_stmt_put(s, ST_SUB_SEEN, st);
		return rc;
	}
	st = ctm_stmt_get(
		s, ST_SUB_TOUCH,
		"INSERT INTO subdomains (domain, name, first_seen,"
		" last_seen, first_issuance_id) VALUES (?, ?, ?, ?, ?)");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_text(st, 2, name);
	ctm_bind_int64(st, 3, now);
	ctm_bind_int64(st, 4, now);
	ctm_bind_int64_or_null(st, 5, issuance_id > 0 ? issuance_id : 0, 0);
	rc = ctm_stmt_exec(s, st, "recording a subdomain");
	ctm_stmt_put(s, ST_SUB_TOUCH, st);
	if (rc == CTMON_OK)
		*is_new = 1;
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
