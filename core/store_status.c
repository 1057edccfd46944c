/* store_status.c - read-only walks behind `ctmon --status` and the
 * report's "sources": monitored domains with their counts, the source
 * instances that left state or cursors, their rows, and outbox counts.
 * --status is not a hot path, so each walk prepares its statement. */
#include <stdlib.h>

#include "store_internal.h"

/* Prepares sql and binds up to two texts (NULL: not bound). */
static sqlite3_stmt *prepare(struct ctm_store *s, const char *sql,
			     const char *t1, const char *t2)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		ctm_store_fail(s, "preparing a status query");
		sqlite3_finalize(st);
		return NULL;
	}
	if ((t1 && ctm_bind_text(st, 1, t1) != SQLITE_OK) ||
	    (t2 && ctm_bind_text(st, 2, t2) != SQLITE_OK)) {
		ctm_store_fail(s, "binding a status query");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* After the last row: CTMON_OK, or the read error. */
static int finish(struct ctm_store *s, sqlite3_stmt *st, int step,
		  int stopped)
{
	int rc = CTMON_OK;

	if (!stopped && step != SQLITE_DONE)
		rc = ctm_store_fail(s, "reading the store");
	sqlite3_finalize(st);
	return rc;
}

int ctm_store_domain_status_foreach(
	struct ctm_store *s,
	int (*fn)(void *ctx, const struct ctm_domain_status *d), void *ctx)
{
	static const char sql[] =
		"SELECT d.domain, d.added_at, d.baselined_at,"
		" (SELECT count(*) FROM issuance_domains i"
		"  WHERE i.domain = d.domain),"
		" (SELECT count(*) FROM subdomains sd WHERE sd.domain = d.domain),"
		" (SELECT count(*) FROM alerts a WHERE a.domain = d.domain"
		"  AND a.acknowledged_at IS NULL)"
		" FROM domains d ORDER BY d.domain";
	sqlite3_stmt *st = prepare(s, sql, NULL, NULL);
	int step = SQLITE_DONE, stopped = 0;

	if (!st)
		return CTMON_EIO;
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctm_domain_status d;
		d.domain = ctm_col_text(st, 0);
		d.added_at = sqlite3_column_int64(st, 1);
		d.baselined_at = sqlite3_column_int64(st, 2);
		d.issuances = sqlite3_column_int64(st, 3);
		d.subdomains = sqlite3_column_int64(st, 4);
		d.open_alerts = sqlite3_column_int64(st, 5);
		stopped = fn(ctx, &d) != 0;
	}
	return finish(s, st, step, stopped);
}

int ctm_store_source_ids(struct ctm_store *s, char ***ids)
{
	/* A source's state namespace is "source:<instance id>". */
	static const char sql[] =
		"SELECT substr(ns, 8) FROM plugin_state"
		" WHERE substr(ns, 1, 7) = 'source:'"
		" UNION SELECT source_id FROM source_cursors ORDER BY 1";
	sqlite3_stmt *st = prepare(s, sql, NULL, NULL);
	int step = SQLITE_DONE, rc = CTMON_OK;

	*ids = NULL;
	if (!st)
		return CTMON_EIO;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (ctm_strv_push(ids, ctm_col_text(st, 0)) != 0) {
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
			break;
		}
	if (rc == CTMON_OK)
		rc = finish(s, st, step, 0);
	else
		sqlite3_finalize(st);
	if (rc == CTMON_OK && !*ids && !(*ids = calloc(1, sizeof **ids)))
		rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	if (rc != CTMON_OK) {
		ctm_strv_free(*ids);
		*ids = NULL;
	}
	return rc;
}

/* Walks rows of (key, value, updated_at). */
static int walk_rows(struct ctm_store *s, sqlite3_stmt *st,
		     int (*fn)(void *ctx, const struct ctm_kv_row *row),
		     void *ctx)
{
	int step = SQLITE_DONE, stopped = 0;

	if (!st)
		return CTMON_EIO;
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctm_kv_row row;
		row.key = ctm_col_text(st, 0);
		row.value = ctm_col_text(st, 1);
		row.updated_at = sqlite3_column_int64(st, 2);
		stopped = fn(ctx, &row) != 0;
	}
	return finish(s, st, step, stopped);
}

int ctm_store_kv_foreach_prefix(struct ctm_store *s, const char *ns,
				const char *prefix,
				int (*fn)(void *ctx,
					  const struct ctm_kv_row *row),
				void *ctx)
{
	/* substr, not LIKE: '_' and '%' in a prefix are literal. */
	static const char sql[] =
		"SELECT key, value, updated_at FROM plugin_state"
		" WHERE ns = ?1 AND substr(key, 1, length(?2)) = ?2"
		" ORDER BY key";

	return walk_rows(s, prepare(s, sql, ns, prefix ? prefix : ""), fn,
			 ctx);
}

int ctm_store_cursor_foreach(struct ctm_store *s, const char *source_id,
			     int (*fn)(void *ctx,
				       const struct ctm_kv_row *row),
			     void *ctx)
{
	static const char sql[] =
		"SELECT key, value, updated_at FROM source_cursors"
		" WHERE source_id = ?1 ORDER BY key";

	return walk_rows(s, prepare(s, sql, source_id, NULL), fn, ctx);
}

int ctm_store_outbox_count_foreach(
	struct ctm_store *s,
	int (*fn)(void *ctx, const char *notifier_id, const char *status,
		  int64_t count),
	void *ctx)
{
	static const char sql[] =
		"SELECT notifier_id, status, count(*) FROM outbox"
		" WHERE status IN ('pending', 'failed')"
		" GROUP BY notifier_id, status ORDER BY notifier_id, status";
	sqlite3_stmt *st = prepare(s, sql, NULL, NULL);
	int step = SQLITE_DONE, stopped = 0;

	if (!st)
		return CTMON_EIO;
	while (!stopped && (step = sqlite3_step(st)) == SQLITE_ROW)
		stopped = fn(ctx, ctm_col_text(st, 0), ctm_col_text(st, 1),
			     sqlite3_column_int64(st, 2)) != 0;
	return finish(s, st, step, stopped);
}
