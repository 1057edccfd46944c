/* store_report.c - aggregate queries for the reports (store_report.h).
 * Everything is grouped in SQL, so a store of a million issuances hands
 * the report a few hundred rows.  Reports are not a hot path: each walk
 * prepares its statement and finalises it. */
#include "store_report.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* The issuance ids of a scope (?1, a JSON array of domains). */
#define SCOPE_IDS                                                              \
	"scope_ids(id) AS (SELECT DISTINCT issuance_id FROM issuance_domains" \
	" WHERE domain IN (SELECT value FROM json_each(?1)))"
#define SCOPE_DOMAINS "(SELECT value FROM json_each(?1))"
/* When a subdomain appeared: its first issuance's not_before, else when
 * ctmon first saw it. */
#define SUB_APPEARED                                                          \
	"coalesce((SELECT j.not_before FROM issuances j"                     \
	" WHERE j.id = s.first_issuance_id), s.first_seen)"
/* A CA: its crt.sh id when known, else its issuer DN. */
#define CA_KEY(t)                                                             \
	"CASE WHEN " t ".issuer_ca_id > 0 THEN 'ca:' || " t ".issuer_ca_id" \
	" ELSE 'dn:' || ifnull(" t ".issuer_dn, '') END"

static sqlite3_stmt *prepare(struct ctm_store *s, const char *sql,
			     const char *scope)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		ctm_store_fail(s, "preparing a report query");
		sqlite3_finalize(st);
		return NULL;
	}
	if (ctm_bind_text(st, 1, scope ? scope : "[]") != SQLITE_OK) {
		ctm_store_fail(s, "binding a report query");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static int bind2(struct ctm_store *s, sqlite3_stmt *st, int64_t a,
		 int64_t b)
{
	int n = sqlite3_bind_parameter_count(st);

	if ((n >= 2 && ctm_bind_int64(st, 2, a) != SQLITE_OK) ||
	    (n >= 3 && ctm_bind_int64(st, 3, b) != SQLITE_OK))
		return ctm_store_fail(s, "binding a report query");
	return CTMON_OK;
}

static int bind3(struct ctm_store *s, sqlite3_stmt *st, int64_t a,
		 int64_t b, int64_t c)
{
	int rc = bind2(s, st, a, b);

	if (rc == CTMON_OK && ctm_bind_int64(st, 4, c) != SQLITE_OK)
		rc = ctm_store_fail(s, "binding a report query");
	return rc;
}

/* After the last row: CTMON_OK or the read error; finalises st. */
static int finish(struct ctm_store *s, sqlite3_stmt *st, int step,
		  int stopped)
{
	int rc = CTMON_OK;

	if (!stopped && step != SQLITE_DONE)
		rc = ctm_store_fail(s, "reading the store for the report");
	sqlite3_finalize(st);
	return rc;
}

int ctm_store_report_span(struct ctm_store *s, const char *scope,
			  int64_t now, struct ctm_report_span *out)
{
	static const char sql[] =
		"WITH " SCOPE_IDS " SELECT"
		" (SELECT count(*) FROM scope_ids),"
		" (SELECT min(i.not_before) FROM issuances i JOIN scope_ids"
		"  ON i.id = scope_ids.id WHERE i.not_before > 0),"
		" (SELECT max(i.not_before) FROM issuances i JOIN scope_ids"
		"  ON i.id = scope_ids.id),"
		" (SELECT count(DISTINCT s.name) FROM subdomains s"
		"  WHERE s.domain IN " SCOPE_DOMAINS "),"
		" (SELECT min(" SUB_APPEARED ") FROM subdomains s"
		"  WHERE s.domain IN " SCOPE_DOMAINS "),"
		" (SELECT max(" SUB_APPEARED ") FROM subdomains s"
		"  WHERE s.domain IN " SCOPE_DOMAINS "),"
		" (SELECT count(*) FROM issuances i JOIN scope_ids"
		"  ON i.id = scope_ids.id"
		"  WHERE i.not_before <= ?2 AND ?2 < i.not_after),"
		" (SELECT count(*) FROM alerts a WHERE a.acknowledged_at IS NULL"
		"  AND a.domain IN " SCOPE_DOMAINS ")";
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE, rc;

	memset(out, 0, sizeof *out);
	if (!st)
		return CTMON_EIO;
	if ((rc = bind2(s, st, now, 0)) != CTMON_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		out->issuances = sqlite3_column_int64(st, 0);
		out->first_issued = sqlite3_column_int64(st, 1);
		out->last_issued = sqlite3_column_int64(st, 2);
		out->subdomains = sqlite3_column_int64(st, 3);
		out->first_sub = sqlite3_column_int64(st, 4);
		out->last_sub = sqlite3_column_int64(st, 5);
		out->valid = sqlite3_column_int64(st, 6);
		out->open_alerts = sqlite3_column_int64(st, 7);
		step = sqlite3_step(st);
	}
	return finish(s, st, step, 0);
}

int ctm_store_report_weekly_by_ca(
	struct ctm_store *s, const char *scope, int64_t from, int64_t bucket,
	int n, int (*fn)(void *ctx, const struct ctm_report_ca_week *row),
	void *ctx)
{
	/* Grouped first, then each (CA, week) group asks once whether the
	 * CA was judged unauthorised: a few hundred lookups, not one per
	 * issuance. */
	static const char sql[] =
		"WITH " SCOPE_IDS ","
		" g(k, w, n, dn, ca) AS (SELECT " CA_KEY("i") ","
		"  (i.not_before - ?2) / ?4, count(*), min(i.issuer_dn),"
		"  max(i.issuer_ca_id)"
		"  FROM issuances i JOIN scope_ids ON i.id = scope_ids.id"
		"  WHERE i.not_before >= ?2 AND i.not_before < ?3"
		"  GROUP BY 1, 2),"
		" bad(k) AS (SELECT DISTINCT " CA_KEY("j")
		"  FROM alerts a JOIN issuances j ON j.id = a.issuance_id"
		"  WHERE a.type = 'unauthorized_ca'"
		"  AND a.domain IN " SCOPE_DOMAINS ")"
		" SELECT g.k, g.dn, g.ca, g.w, g.n, g.k IN (SELECT k FROM bad)"
		" FROM g ORDER BY g.k, g.w";
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE, stopped = 0, rc;

	if (!st)
		return CTMON_EIO;
	if ((rc = bind3(s, st, from, from + bucket * n, bucket)) != CTMON_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctm_report_ca_week row;
		int64_t ca = sqlite3_column_int64(st, 2);
		row.ca_key = ctm_col_text(st, 0);
		row.issuer = ctm_col_text(st, 1);
		row.ca_id = ca > 0 ? ca : 0;
		row.week = sqlite3_column_int(st, 3);
		row.count = sqlite3_column_int64(st, 4);
		row.unauthorized = sqlite3_column_int(st, 5);
		stopped = fn(ctx, &row) != 0;
	}
	return finish(s, st, step, stopped);
}

int ctm_store_report_days_left(struct ctm_store *s, const char *scope,
			       int64_t now,
			       int (*fn)(void *ctx, int64_t days,
					 int64_t count),
			       void *ctx)
{
	/* The not_after index finds the valid ones; the scope filters. */
	static const char sql[] =
		"WITH " SCOPE_IDS " SELECT (i.not_after - ?2) / 86400, count(*)"
		" FROM issuances i JOIN scope_ids ON i.id = scope_ids.id"
		" WHERE i.not_after > ?2 AND i.not_before <= ?2"
		" GROUP BY 1 ORDER BY 1";
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE, stopped = 0, rc;

	if (!st)
		return CTMON_EIO;
	if ((rc = bind2(s, st, now, 0)) != CTMON_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW)
		stopped = fn(ctx, sqlite3_column_int64(st, 0),
			     sqlite3_column_int64(st, 1)) != 0;
	return finish(s, st, step, stopped);
}

int ctm_store_report_new_subs(struct ctm_store *s, const char *scope,
			      int64_t from, int64_t bucket, int n,
			      int (*fn)(void *ctx, int week, int64_t count),
			      void *ctx)
{
	static const char sql[] =
		"SELECT (t - ?2) / ?4, count(*) FROM"
		" (SELECT s.name, min(" SUB_APPEARED ") AS t FROM subdomains s"
		"  WHERE s.domain IN " SCOPE_DOMAINS " GROUP BY s.name)"
		" WHERE t >= ?2 AND t < ?3 GROUP BY 1 ORDER BY 1";
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE, stopped = 0, rc;

	if (!st)
		return CTMON_EIO;
	if ((rc = bind3(s, st, from, from + bucket * n, bucket)) != CTMON_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW)
		stopped = fn(ctx, sqlite3_column_int(st, 0),
			     sqlite3_column_int64(st, 1)) != 0;
	return finish(s, st, step, stopped);
}

int ctm_store_report_dns_counts(struct ctm_store *s, const char *scope,
				int (*fn)(void *ctx, const char *status,
					  int64_t count),
				void *ctx)
{
	static const char sql[] =
		"SELECT dns_status, count(*) FROM subdomains"
		" WHERE domain IN " SCOPE_DOMAINS
		" GROUP BY dns_status ORDER BY count(*) DESC, dns_status";
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE, stopped = 0;

	if (!st)
		return CTMON_EIO;
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW)
		stopped = fn(ctx, ctm_col_text(st, 0),
			     sqlite3_column_int64(st, 1)) != 0;
	return finish(s, st, step, stopped);
}

int ctm_store_report_subdomains(
	struct ctm_store *s, const char *scope, int limit,
	int (*fn)(void *ctx, const struct ctm_report_sub *sd), void *ctx)
{
	static const char sql[] =
		"SELECT s.domain, s.name, " SUB_APPEARED " AS t, s.first_seen,"
		" s.dns_status, s.addresses, s.cname FROM subdomains s"
		" WHERE s.domain IN " SCOPE_DOMAINS
		" ORDER BY s.dns_status IS 'dangling_cname' DESC, t DESC,"
		" s.name, s.domain LIMIT ?2";
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE, stopped = 0, rc;

	if (!st)
		return CTMON_EIO;
	if ((rc = bind2(s, st, limit, 0)) != CTMON_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctm_report_sub sd;
		sd.domain = ctm_col_text(st, 0);
		sd.name = ctm_col_text(st, 1);
		sd.appeared = sqlite3_column_int64(st, 2);
		sd.first_seen = sqlite3_column_int64(st, 3);
		sd.dns_status = ctm_col_text(st, 4);
		sd.addresses = ctm_col_text(st, 5);
		sd.cname = ctm_col_text(st, 6);
		stopped = fn(ctx, &sd) != 0;
	}
	return finish(s, st, step, stopped);
}

int ctm_store_report_alert_counts(struct ctm_store *s, const char *scope,
				  int open,
				  int (*fn)(void *ctx, const char *type,
					    int severity, int64_t count),
				  void *ctx)
{
	static const char sql[] =
		"SELECT type, severity, count(*) FROM alerts"
		" WHERE domain IN " SCOPE_DOMAINS
		" AND (acknowledged_at IS NULL) = ?2"
		" GROUP BY type, severity ORDER BY severity DESC, type";
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE, stopped = 0, rc;

	if (!st)
		return CTMON_EIO;
	if ((rc = bind2(s, st, open ? 1 : 0, 0)) != CTMON_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW)
		stopped = fn(ctx, ctm_col_text(st, 0),
			     sqlite3_column_int(st, 1),
			     sqlite3_column_int64(st, 2)) != 0;
	return finish(s, st, step, stopped);
}

int ctm_store_report_alerts(
	struct ctm_store *s, const char *scope, int open, int limit,
	int (*fn)(void *ctx, const struct ctm_report_alert *a), void *ctx)
{
	static const char sql[] =
		"SELECT id, type, severity, domain, alert_key, details,"
		" created_at, ifnull(acknowledged_at, 0), baseline FROM alerts"
		" WHERE domain IN " SCOPE_DOMAINS
		" AND (acknowledged_at IS NULL) = ?2"
		" ORDER BY created_at DESC, id DESC LIMIT ?3";
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE, stopped = 0, rc;

	if (!st)
		return CTMON_EIO;
	if ((rc = bind2(s, st, open ? 1 : 0, limit)) != CTMON_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctm_report_alert a;
		a.id = sqlite3_column_int64(st, 0);
		a.type = ctm_col_text(st, 1);
		a.severity = sqlite3_column_int(st, 2);
		a.domain = ctm_col_text(st, 3);
		a.key = ctm_col_text(st, 4);
		a.details = ctm_col_text(st, 5);
		a.created_at = sqlite3_column_int64(st, 6);
		a.acknowledged_at = sqlite3_column_int64(st, 7);
		a.baseline = sqlite3_column_int(st, 8);
		stopped = fn(ctx, &a) != 0;
	}
	return finish(s, st, step, stopped);
}
