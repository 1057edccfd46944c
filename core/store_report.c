/* store_report.c - aggregate queries for the reports (store_report.h).
 * Everything is grouped in SQL, so a store of a million issuances hands
 * the report a few hundred rows.  Reports are not a hot path: each walk
 * prepares its statement and finalises it. */
#include "store_report.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* The issuance ids of a scope (?1, a JSON array of domains), used as
 * "i.id IN scope_ids": an issuance under two domains of the scope is
 * counted once, and IN is cheaper than JOIN on a DISTINCT list. */
#define SCOPE_IDS                                                              \
	"scope_ids(id) AS (SELECT issuance_id FROM issuance_domains" \
	" WHERE domain IN (SELECT value FROM json_each(?1)))"
#define SCOPE_DOMAINS "(SELECT value FROM json_each(?1))"
/* When a subdomain appeared: its first issuance's not_before, else when
 * ctmon first saw it. */
#define SUB_APPEARED                                                          \
	"coalesce((SELECT j.not_before FROM issuances j"                     \
	" WHERE j.id = s.first_issuance_id), s.first_seen)"

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
	/* One pass over the scope's issuances for all their figures. */
	static const char sql[] =
		"WITH " SCOPE_IDS ","
		" iss(n, first, last, valid, soon) AS (SELECT count(*),"
		"  min(CASE WHEN i.not_before > 0 THEN i.not_before END),"
		"  max(i.not_before),"
		"  ifnull(sum(i.not_before <= ?2 AND ?2 < i.not_after), 0),"
		"  ifnull(sum(i.not_before <= ?2 AND ?2 < i.not_after"
		"   AND i.not_after < ?2 + 30 * 86400), 0)"
		"  FROM issuances i WHERE i.id IN scope_ids),"
		" sub(n, first, last) AS (SELECT count(DISTINCT s.name),"
		"  min(" SUB_APPEARED "), max(" SUB_APPEARED ")"
		"  FROM subdomains s WHERE s.domain IN " SCOPE_DOMAINS ")"
		" SELECT iss.n, iss.first, iss.last, sub.n, sub.first, sub.last,"
		" iss.valid, (SELECT count(*) FROM alerts a"
		"  WHERE a.acknowledged_at IS NULL"
		"  AND a.domain IN " SCOPE_DOMAINS "), iss.soon,"
		" (SELECT count(*) FROM subdomains s WHERE s.domain IN "
		SCOPE_DOMAINS " AND s.dns_status = 'dangling_cname')"
		" FROM iss, sub";
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
		out->expiring_30d = sqlite3_column_int64(st, 8);
		out->dangling = sqlite3_column_int64(st, 9);
		step = sqlite3_step(st);
	}
	return finish(s, st, step, 0);
}

/* One CA's counts while walking the issuances. */
struct ca_acc {
	int64_t ca_id;     /* > 0: the key; else the DN is */
	char *dn;
	int64_t *counts;
	int bad;
};

struct ca_table {
	struct ca_acc *v;
	size_t n, cap;
	int buckets;
};

static void ca_table_free(struct ca_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].dn);
		free(t->v[i].counts);
	}
	free(t->v);
}

/* The CA of (ca_id, dn), added when new; NULL when out of memory. */
static struct ca_acc *ca_find(struct ca_table *t, int64_t ca_id,
			      const char *dn)
{
	struct ca_acc *c;

	if (ca_id <= 0)
		ca_id = 0;
	for (size_t i = 0; i < t->n; i++) {
		c = &t->v[i];
		if (ca_id ? c->ca_id == ca_id
			  : !c->ca_id && strcmp(c->dn ? c->dn : "",
						dn ? dn : "") == 0)
			return c;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct ca_acc *grown = realloc(t->v, cap * sizeof *grown);
		if (!grown)
			return NULL;
		t->v = grown;
		t->cap = cap;
	}
	c = &t->v[t->n];
	memset(c, 0, sizeof *c);
	c->ca_id = ca_id;
	c->dn = ctm_strdup(dn ? dn : "");
	c->counts = calloc((size_t)t->buckets, sizeof *c->counts);
	if (!c->dn || !c->counts) {
		free(c->dn);
		free(c->counts);
		return NULL;
	}
	t->n++;
	return c;
}

/* Marks the CAs an unauthorized_ca alert of the scope named. */
static int mark_unauthorized(struct ctm_store *s, const char *scope,
			     struct ca_table *t)
{
	static const char sql[] =
		"SELECT DISTINCT j.issuer_ca_id, j.issuer_dn"
		" FROM alerts a JOIN issuances j ON j.id = a.issuance_id"
		" WHERE a.type = 'unauthorized_ca'"
		" AND a.domain IN " SCOPE_DOMAINS;
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE;

	if (!st)
		return CTMON_EIO;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ca_id = sqlite3_column_int64(st, 0);
		const char *dn = ctm_col_text(st, 1);
		for (size_t i = 0; i < t->n; i++) {
			struct ca_acc *c = &t->v[i];
			if (ca_id > 0 ? c->ca_id == ca_id
				      : !c->ca_id &&
						strcmp(c->dn, dn ? dn : "") == 0)
				c->bad = 1;
		}
	}
	return finish(s, st, step, 0);
}

int ctm_store_report_weekly_by_ca(
	struct ctm_store *s, const char *scope, int64_t from, int64_t bucket,
	int n, int (*fn)(void *ctx, const struct ctm_report_ca_week *row),
	void *ctx)
{
	/* Counted here rather than by GROUP BY: SQLite sorts every row to
	 * group them (0.7 s for 200k issuances), while a walk that adds to
	 * one of a dozen CAs' arrays costs about what reading the rows
	 * does. */
	static const char sql[] =
		"WITH " SCOPE_IDS " SELECT i.issuer_ca_id, i.issuer_dn,"
		" (i.not_before - ?2) / ?4"
		" FROM issuances i WHERE i.id IN scope_ids"
		" AND i.not_before >= ?2 AND i.not_before < ?3";
	struct ca_table t = {NULL, 0, 0, n > 0 ? n : 1};
	struct ctm_buf key;
	sqlite3_stmt *st = prepare(s, sql, scope);
	int step = SQLITE_DONE, rc, stopped = 0;

	ctm_buf_init(&key);
	if (!st)
		return CTMON_EIO;
	if ((rc = bind3(s, st, from, from + bucket * n, bucket)) != CTMON_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t w = sqlite3_column_int64(st, 2);
		struct ca_acc *c = ca_find(&t, sqlite3_column_int64(st, 0),
					   ctm_col_text(st, 1));
		if (!c) {
			sqlite3_finalize(st);
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
			goto out;
		}
		if (w >= 0 && w < n)
			c->counts[w]++;
	}
	if ((rc = finish(s, st, step, 0)) != CTMON_OK ||
	    (rc = mark_unauthorized(s, scope, &t)) != CTMON_OK)
		goto out;
	for (size_t i = 0; i < t.n && !stopped; i++) {
		struct ca_acc *c = &t.v[i];
		ctm_buf_reset(&key);
		if (c->ca_id)
			ctm_buf_printf(&key, "ca:%lld", (long long)c->ca_id);
		else
			ctm_buf_printf(&key, "dn:%s", c->dn);
		if (key.oom) {
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
			goto out;
		}
		for (int wk = 0; wk < n && !stopped; wk++) {
			struct ctm_report_ca_week row;
			if (!c->counts[wk])
				continue;
			row.ca_key = key.data;
			row.issuer = c->dn[0] ? c->dn : NULL;
			row.ca_id = c->ca_id;
			row.week = wk;
			row.count = c->counts[wk];
			row.unauthorized = c->bad;
			stopped = fn(ctx, &row) != 0;
		}
	}
out:
	ctm_buf_free(&key);
	ca_table_free(&t);
	return rc;
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
		" FROM issuances i WHERE i.id IN scope_ids"
		" AND i.not_after > ?2 AND i.not_before <= ?2"
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
