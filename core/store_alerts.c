/* store_alerts.c - alerts: stored once per (type, domain, key), read back
 * as complete struct ctmon_alert with the JSON notifiers send. */
#include "store_internal.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* details must be one JSON object: it is embedded verbatim in every
 * alert's JSON, so anything else would make that JSON invalid. */
static int is_json_object(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj = NULL;
	size_t len = strlen(text), end;
	int ok = 0;

	if (!tok)
		return 0;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (obj && json_tokener_get_error(tok) == json_tokener_success &&
	    json_object_is_type(obj, json_type_object)) {
		end = json_tokener_get_parse_end(tok);
		while (end < len && strchr(" \t\r\n", text[end]))
			end++;
		ok = end == len;
	}
	json_object_put(obj);
	json_tokener_free(tok);
	return ok;
}

static int alert_id_of(struct ctm_store *s, const struct ctm_alert_in *a,
		       int64_t *id)
{
	sqlite3_stmt *st = ctm_stmt_get(
		s, ST_ALERT_ID,
		"SELECT id FROM alerts WHERE type = ? AND domain = ? AND "
		"alert_key = ?");
	int rc;

	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, a->type);
	ctm_bind_text(st, 2, a->domain ? a->domain : "");
	ctm_bind_text(st, 3, a->key ? a->key : "");
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = CTMON_OK;
	} else {
		rc = ctm_store_fail(s, "finding an alert");
	}
	ctm_stmt_put(s, ST_ALERT_ID, st);
	return rc;
}

int ctm_store_alert_insert(struct ctm_store *s, const struct ctm_alert_in *a,
			   int64_t now, int64_t *alert_id, int *inserted)
{
	const char *details = a->details_json ? a->details_json : "{}";
	sqlite3_stmt *st;
	int rc;

	*alert_id = 0;
	*inserted = 0;
	if (!a->type || !a->type[0])
		return ctm_store_failf(s, CTMON_EINVAL, "alert without type");
	if (!is_json_object(details))
		return ctm_store_failf(
			s, CTMON_EINVAL,
			"alert %s: details are not a JSON object", a->type);
	st = ctm_stmt_get(
		s, ST_ALERT_INSERT,
		"INSERT INTO alerts (type, severity, domain, alert_key,"
		" details, issuance_id, check_id, created_at, baseline)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT (type, domain, alert_key) DO NOTHING");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, a->type);
	ctm_bind_int64(st, 2, a->severity);
	ctm_bind_text(st, 3, a->domain ? a->domain : "");
	ctm_bind_text(st, 4, a->key ? a->key : "");
	ctm_bind_text(st, 5, details);
	ctm_bind_int64_or_null(st, 6, a->issuance_id > 0 ? a->issuance_id : 0,
			       0);
	ctm_bind_text(st, 7, a->check_id);
	ctm_bind_int64(st, 8, now);
	ctm_bind_int64(st, 9, a->baseline ? 1 : 0);
	rc = ctm_stmt_exec(s, st, "storing an alert");
	ctm_stmt_put(s, ST_ALERT_INSERT, st);
	if (rc != CTMON_OK)
		return rc;
	if (sqlite3_changes(s->db) > 0) {
		*inserted = 1;
		*alert_id = sqlite3_last_insert_rowid(s->db);
		return CTMON_OK;
	}
	return alert_id_of(s, a, alert_id);
}

int ctm_store_alert_ack(struct ctm_store *s, int64_t alert_id, int64_t now,
			int *changed)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	*changed = 0;
	st = ctm_stmt_get(s, ST_ALERT_ACK,
			  "UPDATE alerts SET acknowledged_at = ?2 "
			  "WHERE id = ?1 AND acknowledged_at IS NULL");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, alert_id);
	ctm_bind_int64(st, 2, now);
	rc = ctm_stmt_exec(s, st, "acknowledging an alert");
	ctm_stmt_put(s, ST_ALERT_ACK, st);
	if (rc != CTMON_OK)
		return rc;
	*changed = sqlite3_changes(s->db) > 0;
	if (*changed)
		return CTMON_OK;
	st = ctm_stmt_get(s, ST_ALERT_EXISTS,
			  "SELECT 1 FROM alerts WHERE id = ?");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, alert_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		found = 1;
	rc = (rc == SQLITE_ROW || rc == SQLITE_DONE)
		     ? CTMON_OK
		     : ctm_store_fail(s, "finding an alert");
	ctm_stmt_put(s, ST_ALERT_EXISTS, st);
	if (rc == CTMON_OK && !found)
		rc = ctm_store_failf(s, CTMON_ENOTFOUND, "no alert %lld",
				     (long long)alert_id);
	return rc;
}

int ctm_alert_from_row(sqlite3_stmt *st, int col, struct ctmon_alert *a,
		       struct ctm_buf *buf)
{
	char when[32];
	int acknowledged;

	memset(a, 0, sizeof *a);
	a->size = sizeof *a;
	a->id = sqlite3_column_int64(st, col);
	a->type = ctm_col_text(st, col + 1);
	a->severity = (enum ctmon_severity)sqlite3_column_int(st, col + 2);
	a->domain = ctm_col_text(st, col + 3);
	a->key = ctm_col_text(st, col + 4);
	a->details_json = ctm_col_text(st, col + 5);
	a->issuance_id = sqlite3_column_int64(st, col + 6);
	a->created_at = sqlite3_column_int64(st, col + 7);
	a->baseline = sqlite3_column_int(st, col + 8) != 0;
	acknowledged = sqlite3_column_type(st, col + 9) != SQLITE_NULL;
	if (!a->details_json)
		a->details_json = "{}";

	ctm_format_time(a->created_at, when, sizeof when);
	ctm_buf_reset(buf);
	ctm_buf_printf(buf, "{\"id\":%lld,\"type\":", (long long)a->id);
	ctm_buf_json_string(buf, a->type);
	ctm_buf_puts(buf, ",\"severity\":");
	ctm_buf_json_string(buf, ctmon_severity_name(a->severity));
	ctm_buf_puts(buf, ",\"domain\":");
	ctm_buf_json_string(buf, a->domain);
	ctm_buf_puts(buf, ",\"key\":");
	ctm_buf_json_string(buf, a->key);
	ctm_buf_puts(buf, ",\"created_at\":");
	ctm_buf_json_string(buf, when);
	ctm_buf_printf(buf, ",\"baseline\":%s,\"acknowledged\":%s,",
		       a->baseline ? "true" : "false",
		       acknowledged ? "true" : "false");
	/* Stored details were checked to be a JSON object on insert. */
	ctm_buf_puts(buf, "\"details\":");
	ctm_buf_puts(buf, a->details_json);
	ctm_buf_puts(buf, "}");
	if (buf->oom)
		return CTMON_ENOMEM;
	a->json = buf->data;
	return CTMON_OK;
}

/* Appends s (with its NUL) at *p and returns where it went. */
static const char *pack(char **p, const char *s)
{
	size_t n;
	char *at = *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(at, s, n);
	*p += n;
	return at;
}

static size_t packed_len(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

struct ctmon_alert *ctm_alert_dup(const struct ctmon_alert *a)
{
	size_t len = sizeof *a + packed_len(a->type) + packed_len(a->domain) +
		     packed_len(a->key) + packed_len(a->details_json) +
		     packed_len(a->json);
	struct ctmon_alert *c = malloc(len);
	char *p;

	if (!c)
		return NULL;
	*c = *a;
	p = (char *)(c + 1);
	c->type = pack(&p, a->type);
	c->domain = pack(&p, a->domain);
	c->key = pack(&p, a->key);
	c->details_json = pack(&p, a->details_json);
	c->json = pack(&p, a->json);
	return c;
}

int ctm_store_alert_foreach(struct ctm_store *s,
			    const struct ctm_alert_filter *f,
			    int (*fn)(void *ctx, const struct ctmon_alert *a),
			    void *ctx)
{
	static const struct ctm_alert_filter all = {NULL, NULL, -1, 0, 0, 0};
	struct ctm_buf buf;
	sqlite3_stmt *st;
	int rc = CTMON_OK, step;

	if (!f)
		f = &all;
	ctm_buf_init(&buf);
	/* One statement for every filter: unused filters bind NULL. */
	st = ctm_stmt_get(
		s, ST_ALERT_LIST,
		"SELECT " CTM_ALERT_COLUMNS " FROM alerts a "
		"WHERE (?1 IS NULL OR a.domain = ?1)"
		" AND (?2 IS NULL OR a.type = ?2)"
		" AND a.severity >= ?3"
		" AND (?4 = 0 OR (?4 = 1 AND a.acknowledged_at IS NULL)"
		"  OR (?4 = 2 AND a.acknowledged_at IS NOT NULL))"
		" AND (?6 = 0 OR (a.issuance_id IS NULL AND a.domain NOT IN"
		"  (SELECT domain FROM domains))) "
		"ORDER BY a.created_at DESC, a.id DESC LIMIT ?5");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, f->domain);
	ctm_bind_text(st, 2, f->type);
	ctm_bind_int64(st, 3,
		       f->min_severity < 0 ? INT32_MIN : f->min_severity);
	ctm_bind_int64(st, 4, f->state);
	ctm_bind_int64(st, 5, f->limit > 0 ? f->limit : -1);
	ctm_bind_int64(st, 6, f->sources_only ? 1 : 0);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctmon_alert a;
		rc = ctm_alert_from_row(st, 0, &a, &buf);
		if (rc != CTMON_OK) {
			ctm_store_failf(s, rc, "out of memory");
			break;
		}
		if (fn(ctx, &a) != 0)
			break;
	}
	if (rc == CTMON_OK && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = ctm_store_fail(s, "listing alerts");
	ctm_stmt_put(s, ST_ALERT_LIST, st);
	ctm_buf_free(&buf);
	return rc;
}
