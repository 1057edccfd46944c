/* store_outbox.c - the outbox: one row per (alert, notifier instance), so
 * every notifier gets every alert once even across crashes and retries.
 * Rows are written in the cycle's transaction with the alerts, and marked
 * after delivery. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

int ctm_store_outbox_enqueue(struct ctm_store *s, int64_t alert_id,
			     const char *notifier_id, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if (!notifier_id)
		return ctm_store_failf(s, CTMON_EINVAL, "no notifier id");
	st = ctm_stmt_get(s, ST_OUTBOX_INSERT,
			  "INSERT INTO outbox (alert_id, notifier_id, status,"
			  " attempts, next_attempt, created_at) "
			  "VALUES (?1, ?2, 'pending', 0, ?3, ?3) "
			  "ON CONFLICT (alert_id, notifier_id) DO NOTHING");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, alert_id);
	ctm_bind_text(st, 2, notifier_id);
	ctm_bind_int64(st, 3, now);
	rc = ctm_stmt_exec(s, st, "queueing an alert");
	ctm_stmt_put(s, ST_OUTBOX_INSERT, st);
	return rc;
}

void ctm_store_outbox_batch_free(struct ctm_outbox_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; b->alerts && i < b->n; i++)
		free(b->alerts[i]);
	free(b->alerts);
	free(b->row_ids);
	free(b->attempts);
	memset(b, 0, sizeof *b);
}

static int batch_push(struct ctm_outbox_batch *b, size_t *cap, int64_t row,
		      int64_t attempts, struct ctmon_alert *a)
{
	if (b->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		int64_t *ids = realloc(b->row_ids, ncap * sizeof *ids);
		int64_t *att;
		struct ctmon_alert **as;
		if (!ids)
			return CTMON_ENOMEM;
		b->row_ids = ids;
		att = realloc(b->attempts, ncap * sizeof *att);
		if (!att)
			return CTMON_ENOMEM;
		b->attempts = att;
		as = realloc(b->alerts, ncap * sizeof *as);
		if (!as)
			return CTMON_ENOMEM;
		b->alerts = as;
		*cap = ncap;
	}
	b->row_ids[b->n] = row;
	b->attempts[b->n] = attempts;
	b->alerts[b->n] = a;
	b->n++;
	return CTMON_OK;
}

int ctm_store_outbox_due(struct ctm_store *s, const char *notifier_id,
			 int64_t now, size_t limit,
			 struct ctm_outbox_batch *out)
{
	struct ctm_buf buf;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = CTMON_OK, step;

	memset(out, 0, sizeof *out);
	if (!notifier_id)
		return ctm_store_failf(s, CTMON_EINVAL, "no notifier id");
	ctm_buf_init(&buf);
	/* An acknowledged alert was dealt with by a person: stop sending. */
	st = ctm_stmt_get(s, ST_OUTBOX_DUE,
			  "SELECT o.id, o.attempts, " CTM_ALERT_COLUMNS
			  " FROM outbox o"
			  " JOIN alerts a ON a.id = o.alert_id "
			  "WHERE o.notifier_id = ? AND o.status = 'pending'"
			  " AND o.next_attempt <= ?"
			  " AND a.acknowledged_at IS NULL "
			  "ORDER BY o.id LIMIT ?");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, notifier_id);
	ctm_bind_int64(st, 2, now);
	ctm_bind_int64(st, 3,
		       limit > 0 && limit < INT64_MAX ? (int64_t)limit : -1);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctmon_alert a, *copy;
		rc = ctm_alert_from_row(st, 2, &a, &buf);
		copy = rc == CTMON_OK ? ctm_alert_dup(&a) : NULL;
		if (!copy) {
			rc = CTMON_ENOMEM;
			break;
		}
		rc = batch_push(out, &cap, sqlite3_column_int64(st, 0),
				sqlite3_column_int64(st, 1), copy);
		if (rc != CTMON_OK) {
			free(copy);
			break;
		}
	}
	if (rc == CTMON_OK && step != SQLITE_DONE)
		rc = ctm_store_fail(s, "reading the outbox");
	else if (rc != CTMON_OK)
		ctm_store_failf(s, rc, "out of memory");
	ctm_stmt_put(s, ST_OUTBOX_DUE, st);
	ctm_buf_free(&buf);
	if (rc != CTMON_OK)
		ctm_store_outbox_batch_free(out);
	return rc;
}

/* Runs an UPDATE of one outbox row; ENOTFOUND if there is no such row. */
static int update_row(struct ctm_store *s, enum ctm_stmt_slot slot,
		      const char *sql, int64_t row_id, int64_t when,
		      const char *error)
{
	sqlite3_stmt *st = ctm_stmt_get(s, slot, sql);
	int rc;

	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, row_id);
	ctm_bind_int64(st, 2, when);
	ctm_bind_text(st, 3, error);
	rc = ctm_stmt_exec(s, st, "updating the outbox");
	ctm_stmt_put(s, slot, st);
	if (rc == CTMON_OK && sqlite3_changes(s->db) == 0)
		rc = ctm_store_failf(s, CTMON_ENOTFOUND, "no outbox row %lld",
				     (long long)row_id);
	return rc;
}

int ctm_store_outbox_mark_delivered(struct ctm_store *s, int64_t row_id,
				    int64_t now)
{
	return update_row(s, ST_OUTBOX_DELIVERED,
			  "UPDATE outbox SET status = 'delivered',"
			  " attempts = attempts + 1, delivered_at = ?2,"
			  " last_error = ?3 WHERE id = ?1",
			  row_id, now, NULL);
}

int ctm_store_outbox_mark_retry(struct ctm_store *s, int64_t row_id,
				int64_t when, const char *error)
{
	return update_row(s, ST_OUTBOX_RETRY,
			  "UPDATE outbox SET attempts = attempts + 1,"
			  " next_attempt = ?2, last_error = ?3 WHERE id = ?1",
			  row_id, when, error ? error : "unknown error");
}

int ctm_store_outbox_mark_failed(struct ctm_store *s, int64_t row_id,
				 const char *error)
{
	/* ?2 (a time) is unused here: SQLite still numbers it, so the
	 * shared helper's bind is harmless. */
	return update_row(s, ST_OUTBOX_FAILED,
			  "UPDATE outbox SET status = 'failed',"
			  " attempts = attempts + 1, last_error = ?3 "
			  "WHERE id = ?1",
			  row_id, 0, error ? error : "unknown error");
}

/* An error text as one inert line: a notifier's error may quote a
 * server's answer, which is no business of the terminal's. */
static void print_inert(FILE *fp, const char *text)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "-");

	for (; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, fp);
	fputc('\n', fp);
}

static void print_counts(struct ctm_store *s, FILE *fp)
{
	sqlite3_stmt *st;
	int step;

	st = ctm_stmt_get(s, ST_OUTBOX_COUNTS,
			  "SELECT notifier_id, status, count(*) FROM outbox "
			  "GROUP BY notifier_id, status "
			  "ORDER BY notifier_id, status");
	if (!st)
		return;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		fprintf(fp, "%s: %d %s\n", ctm_col_text(st, 0),
			sqlite3_column_int(st, 2), ctm_col_text(st, 1));
	ctm_stmt_put(s, ST_OUTBOX_COUNTS, st);
}

void ctm_store_outbox_print(struct ctm_store *s, FILE *fp)
{
	sqlite3_stmt *st;
	int step, rows = 0;

	st = ctm_stmt_get(
		s, ST_OUTBOX_LIST,
		"SELECT o.id, o.alert_id, a.type, a.domain,"
		" o.notifier_id, o.status, o.attempts, o.next_attempt,"
		" o.last_error FROM outbox o"
		" JOIN alerts a ON a.id = o.alert_id "
		"WHERE o.status IN ('pending', 'failed') ORDER BY o.id");
	if (!st) {
		fprintf(fp, "cannot read the outbox: %s\n", s->errmsg);
		return;
	}
	fprintf(fp, "%-6s %-6s %-24s %-24s %-12s %-9s %-8s %-20s %s\n", "ROW",
		"ALERT", "TYPE", "DOMAIN", "NOTIFIER", "STATUS", "ATTEMPTS",
		"NEXT ATTEMPT", "LAST ERROR");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char when[32];
		const char *status = ctm_col_text(st, 5);

		/* A failed row is never attempted again: no next time. */
		if (strcmp(status, "pending") == 0)
			ctm_format_time(sqlite3_column_int64(st, 7), when,
					sizeof when);
		else
			snprintf(when, sizeof when, "-");
		fprintf(fp, "%-6lld %-6lld %-24s %-24s %-12s %-9s %-8d %-20s ",
			(long long)sqlite3_column_int64(st, 0),
			(long long)sqlite3_column_int64(st, 1),
			ctm_col_text(st, 2), ctm_col_text(st, 3),
			ctm_col_text(st, 4), status, sqlite3_column_int(st, 6),
			when);
		print_inert(fp, ctm_col_text(st, 8));
		rows++;
	}
	if (step != SQLITE_DONE)
		fprintf(fp, "error reading the outbox: %s\n",
			sqlite3_errmsg(s->db));
	else if (rows == 0)
		fprintf(fp, "(nothing pending or failed)\n");
	ctm_stmt_put(s, ST_OUTBOX_LIST, st);
	print_counts(s, fp);
}
