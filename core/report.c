/* report.c - the JSON report (--report): per monitored domain, the
 * certificate inventory, issuer breakdown, subdomains and recent alerts,
 * read from the store with read-only, bound queries.  Key order is part
 * of the format, so objects are built in the documented order.
 *
 * What the numbers mean (`now` is the caller's clock):
 *  - an issuance is under a domain when one of its names is the domain or
 *    ends in "." + domain (so "*.domain" too, "notdomain" never);
 *  - certificates.total counts issuances, .records certificate rows (a
 *    precertificate and its certificate are 1 and 2); valid is
 *    not_before <= now < not_after, expired not_after <= now (a
 *    certificate not valid yet is neither); wildcard counts issuances with
 *    a "*." name under the domain; last_24h is first_seen >= now - 1 day;
 *  - alerts_summary.open and open_by_severity count unacknowledged
 *    alerts, by_type and last_24h all of them;
 *  - totals count an issuance or a subdomain name under two reported
 *    domains (example.com, bank.example.com) once;
 *  - ca_id is null unless crt.sh gave a CA id; times are null when
 *    unknown; validity_hours is truncated to two decimals;
 *  - sources lists every source instance that left state or cursors in
 *    the store: its "status.*" state values (a CT log's head, cursor and
 *    backlog) as embedded JSON, and its cursors as strings. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "report_html.h"
#include "store.h"
#include "util.h"

#ifndef CTMON_VERSION
#define CTMON_VERSION "unknown"
#endif

#define DAY_S 86400
#define TOP_ISSUERS 10
#define RECENT_ALERTS 50
#define RECENT_CERTS 100

/* A name under the domain bound as ?1, on a label boundary.  LIKE would
 * treat '_' (legal in DNS names) as a wildcard, so the suffix is compared
 * with substr.  Wildcards ("*.example.com") end in ".example.com" too. */
#define NAME_UNDER(col)                                                     \
	"(" col " = ?1 OR substr(" col ", -length(?1) - 1) = '.' || ?1)"
#define WILDCARD_UNDER(col)                                                 \
	"(substr(" col ", 1, 2) = '*.' AND "                                \
	"substr(" col ", -length(?1) - 1) = '.' || ?1)"
/* Issuances with at least one name under the domain. */
#define ISSUANCES_UNDER                                                     \
	"(SELECT issuance_id FROM certificate_names WHERE " NAME_UNDER(     \
		"name") ")"
#define HAS_WILDCARD(iss)                                                   \
	"EXISTS (SELECT 1 FROM certificate_names w WHERE w.issuance_id = "  \
	iss " AND " WILDCARD_UNDER("w.name") ")"
/* sum() of nothing is NULL; a count is 0. */
#define COUNT_IF(expr) "ifnull(sum(" expr "), 0)"

/* One report being built.  `rc` is sticky: once a query or an allocation
 * failed, the rest is skipped and the error is reported once. */
struct report {
	sqlite3 *db;
	int64_t now;
	int rc;
	char errmsg[512];
	struct ctm_buf scratch;
	struct ctm_buf key;
};

static void fail_sql(struct report *r, const char *what)
{
	if (r->rc != CTMON_OK)
		return;
	r->rc = sqlite3_errcode(r->db) == SQLITE_NOMEM ? CTMON_ENOMEM
						       : CTMON_EIO;
	snprintf(r->errmsg, sizeof r->errmsg, "%s: %s", what,
		 sqlite3_errmsg(r->db));
}

static void fail_oom(struct report *r)
{
	if (r->rc != CTMON_OK)
		return;
	r->rc = CTMON_ENOMEM;
	snprintf(r->errmsg, sizeof r->errmsg, "out of memory");
}

/* ---- json-c helpers: NULL from a constructor means out of memory ------- */

static struct json_object *checked(struct report *r, struct json_object *o)
{
	if (!o)
		fail_oom(r);
	return o;
}

static struct json_object *jstr(struct report *r, const char *s);

/* Adds `val` (which owns its reference) to obj; NULL val = out of memory.
 * Use put_null for a JSON null. */
static void put(struct report *r, struct json_object *obj, const char *key,
		struct json_object *val)
{
	if (!val) {
		fail_oom(r);
		return;
	}
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		fail_oom(r);
	}
}

/* put() under a key that came from the store (an alert type, a state or
 * cursor key): json-c writes keys as they are, so invalid UTF-8 is
 * replaced first. */
static void put_key(struct report *r, struct json_object *obj,
		    const char *key, struct json_object *val)
{
	struct json_object *k = jstr(r, key);

	if (!k) {
		json_object_put(val);
		fail_oom(r);
		return;
	}
	ctm_buf_reset(&r->key);
	ctm_buf_puts(&r->key, json_object_get_string(k));
	json_object_put(k);
	if (r->key.oom) {
		json_object_put(val);
		fail_oom(r);
		return;
	}
	put(r, obj, r->key.data, val);
}

static void put_null(struct report *r, struct json_object *obj,
		     const char *key)
{
	if (json_object_object_add(obj, key, NULL) != 0)
		fail_oom(r);
}

static void push(struct report *r, struct json_object *arr,
		 struct json_object *val)
{
	if (!val) {
		fail_oom(r);
		return;
	}
	if (json_object_array_add(arr, val) != 0) {
		json_object_put(val);
		fail_oom(r);
	}
}

/* A JSON string from store text.  Certificates may carry bytes that are
 * not UTF-8 (T61String issuers); json-c would copy them into the output
 * and break it, so non-ASCII text goes through ctm_buf_json_string, which
 * replaces invalid sequences with U+FFFD. */
static struct json_object *jstr(struct report *r, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	struct json_object *o;

	while (*p && *p < 0x80)
		p++;
	if (!*p)
		return json_object_new_string(s ? s : "");
	ctm_buf_reset(&r->scratch);
	ctm_buf_json_string(&r->scratch, s);
	if (r->scratch.oom)
		return NULL;
	o = json_tokener_parse(r->scratch.data);
	if (o && !json_object_is_type(o, json_type_string)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static struct json_object *jtime(int64_t t)
{
	char buf[32];

	ctm_format_time(t, buf, sizeof buf);
	return json_object_new_string(buf);
}

static struct json_object *jbool(int v)
{
	return json_object_new_boolean(v != 0);
}

/* Column helpers: SQL NULL becomes JSON null. */
static void put_col_text(struct report *r, struct json_object *obj,
			 const char *key, sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	if (sqlite3_column_type(st, col) == SQLITE_NULL || !t)
		put_null(r, obj, key);
	else
		put(r, obj, key, jstr(r, t));
}

static void put_col_int(struct report *r, struct json_object *obj,
			const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		put_null(r, obj, key);
	else
		put(r, obj, key,
		    json_object_new_int64(sqlite3_column_int64(st, col)));
}

/* Times: NULL and 0 both mean "not known" in the store. */
static void put_col_time(struct report *r, struct json_object *obj,
			 const char *key, sqlite3_stmt *st, int col)
{
	int64_t t = sqlite3_column_int64(st, col);

	if (sqlite3_column_type(st, col) == SQLITE_NULL || t == 0)
		put_null(r, obj, key);
	else
		put(r, obj, key, jtime(t));
}

/* DNS addresses and CNAMEs as an array.  The store keeps them as
 * space-separated text; a JSON array text is accepted as well, so a
 * resolver that stores JSON does not turn into one odd string. */
static void put_col_list(struct report *r, struct json_object *obj,
			 const char *key, sqlite3_stmt *st, int col)
{
	static const char blanks[] = " \t\r\n,";
	const char *t = (const char *)sqlite3_column_text(st, col);
	struct json_object *arr;

	if (sqlite3_column_type(st, col) == SQLITE_NULL || !t) {
		put_null(r, obj, key);
		return;
	}
	if (t[0] == '[') {
		arr = json_tokener_parse(t);
		if (json_object_is_type(arr, json_type_array)) {
			put(r, obj, key, arr);
			return;
		}
		json_object_put(arr);
	}
	arr = checked(r, json_object_new_array());
	while (arr && *t) {
		size_t n;

		t += strspn(t, blanks);
		n = strcspn(t, blanks);
		if (n == 0)
			break;
		char *item = ctm_strndup(t, n);
		push(r, arr, item ? jstr(r, item) : NULL);
		free(item);
		t += n;
	}
	put(r, obj, key, arr);
}

/* crt.sh CA ids are positive; 0 (unknown) and -1 (crt.sh has none) are
 * shown as null. */
static void put_col_ca_id(struct report *r, struct json_object *obj,
			  sqlite3_stmt *st, int col)
{
	int64_t id = sqlite3_column_int64(st, col);

	if (sqlite3_column_type(st, col) == SQLITE_NULL || id <= 0)
		put_null(r, obj, "ca_id");
	else
		put(r, obj, "ca_id", json_object_new_int64(id));
}

/* ---- statements --------------------------------------------------------- */

/* Prepares `sql` and binds ?1 = text1 when given.  NULL on error. */
static sqlite3_stmt *query(struct report *r, const char *sql,
			   const char *text1)
{
	sqlite3_stmt *st = NULL;

	if (r->rc != CTMON_OK)
		return NULL;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fail_sql(r, "preparing a report query");
		sqlite3_finalize(st);
		return NULL;
	}
	if (text1 && sqlite3_bind_text(st, 1, text1, -1, SQLITE_TRANSIENT) !=
			     SQLITE_OK) {
		fail_sql(r, "binding a report query");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static void bind_int64(struct report *r, sqlite3_stmt *st, int i, int64_t v)
{
	if (st && r->rc == CTMON_OK &&
	    sqlite3_bind_int64(st, i, v) != SQLITE_OK)
		fail_sql(r, "binding a report query");
}

/* Steps a statement: 1 = row, 0 = done, -1 = error (recorded). */
static int next_row(struct report *r, sqlite3_stmt *st)
{
	int rc;

	if (!st || r->rc != CTMON_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	fail_sql(r, "reading the store");
	return -1;
}

/* Runs a one-row query and adds its integer columns to obj as `keys`.
 * ?2 and ?3, when the query has them, are "a day ago" and "now". */
static void put_counts(struct report *r, struct json_object *obj,
		       const char *sql, const char *text1,
		       const char *const *keys, size_t n)
{
	sqlite3_stmt *st = query(r, sql, text1);
	int params = st ? sqlite3_bind_parameter_count(st) : 0;

	if (params >= 2)
		bind_int64(r, st, 2, r->now - DAY_S);
	if (params >= 3)
		bind_int64(r, st, 3, r->now);
	if (next_row(r, st) == 1) {
		for (size_t i = 0; i < n; i++)
			put(r, obj, keys[i],
			    json_object_new_int64(
				    sqlite3_column_int64(st, (int)i)));
	}
	sqlite3_finalize(st);
}

/* ---- the sections of one domain ----------------------------------------- */

static struct json_object *certificate_counts(struct report *r,
					      const char *domain)
{
	static const char sql[] =
		"SELECT count(*),"
		" (SELECT count(*) FROM certificates c WHERE c.issuance_id IN "
		ISSUANCES_UNDER "),"
		" " COUNT_IF("i.first_seen >= ?2") ","
		" " COUNT_IF("i.not_before <= ?3 AND ?3 < i.not_after") ","
		" " COUNT_IF("i.not_after <= ?3") ","
		" " COUNT_IF(HAS_WILDCARD("i.id"))
		" FROM issuances i WHERE i.id IN " ISSUANCES_UNDER;
	static const char *const keys[] = {"total",   "records", "last_24h",
					   "valid",   "expired", "wildcard"};
	struct json_object *o = checked(r, json_object_new_object());

	if (o)
		put_counts(r, o, sql, domain, keys, 6);
	return o;
}

static struct json_object *dns_breakdown(struct report *r, const char *domain)
{
	/* NULL (never resolved) sorts last and is shown as "unresolved". */
	static const char sql[] =
		"SELECT dns_status, count(*) FROM subdomains WHERE domain = ?1"
		" GROUP BY dns_status ORDER BY dns_status IS NULL, dns_status";
	struct json_object *o = checked(r, json_object_new_object());
	sqlite3_stmt *st = o ? query(r, sql, domain) : NULL;
	int64_t unresolved = 0;

	while (next_row(r, st) == 1) {
		const char *status = (const char *)sqlite3_column_text(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);

		if (!status || strcmp(status, "unresolved") == 0)
			unresolved += n;
		else
			put(r, o, status, json_object_new_int64(n));
	}
	sqlite3_finalize(st);
	if (o)
		put(r, o, "unresolved", json_object_new_int64(unresolved));
	return o;
}

static struct json_object *subdomain_summary(struct report *r,
					     const char *domain)
{
	static const char sql[] =
		"SELECT count(*), " COUNT_IF("first_seen >= ?2")
		" FROM subdomains WHERE domain = ?1";
	static const char *const keys[] = {"total", "last_24h"};
	struct json_object *o = checked(r, json_object_new_object());

	if (!o)
		return NULL;
	put_counts(r, o, sql, domain, keys, 2);
	put(r, o, "dns", dns_breakdown(r, domain));
	return o;
}

static struct json_object *open_by_severity(struct report *r,
					    const char *domain)
{
	static const char sql[] =
		"SELECT severity, count(*) FROM alerts"
		" WHERE domain = ?1 AND acknowledged_at IS NULL"
		" GROUP BY severity";
	struct json_object *o = checked(r, json_object_new_object());
	sqlite3_stmt *st = o ? query(r, sql, domain) : NULL;
	int64_t n[CTMON_SEV_CRITICAL + 1] = {0};

	while (next_row(r, st) == 1) {
		int64_t sev = sqlite3_column_int64(st, 0);
		if (sev >= CTMON_SEV_INFO && sev <= CTMON_SEV_CRITICAL)
			n[sev] += sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	/* Most severe first, every level present, so readers need no
	 * defaults. */
	for (int sev = CTMON_SEV_CRITICAL; o && sev >= CTMON_SEV_INFO; sev--)
		put(r, o, ctmon_severity_name((enum ctmon_severity)sev),
		    json_object_new_int64(n[sev]));
	return o;
}

static struct json_object *alerts_by_type(struct report *r,
					  const char *domain)
{
	static const char sql[] =
		"SELECT type, count(*) FROM alerts WHERE domain = ?1"
		" GROUP BY type ORDER BY type";
	struct json_object *o = checked(r, json_object_new_object());
	sqlite3_stmt *st = o ? query(r, sql, domain) : NULL;

	while (next_row(r, st) == 1)
		put_key(r, o, (const char *)sqlite3_column_text(st, 0),
			json_object_new_int64(sqlite3_column_int64(st, 1)));
	sqlite3_finalize(st);
	return o;
}

static struct json_object *alert_summary(struct report *r, const char *domain)
{
	static const char sql[] =
		"SELECT " COUNT_IF("acknowledged_at IS NULL") ","
		" " COUNT_IF("created_at >= ?2")
		" FROM alerts WHERE domain = ?1";
	struct json_object *o = checked(r, json_object_new_object());
	sqlite3_stmt *st = o ? query(r, sql, domain) : NULL;
	int64_t open = 0, last_24h = 0;

	bind_int64(r, st, 2, r->now - DAY_S);
	if (next_row(r, st) == 1) {
		open = sqlite3_column_int64(st, 0);
		last_24h = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (!o)
		return NULL;
	put(r, o, "open", json_object_new_int64(open));
	put(r, o, "open_by_severity", open_by_severity(r, domain));
	put(r, o, "by_type", alerts_by_type(r, domain));
	put(r, o, "last_24h", json_object_new_int64(last_24h));
	return o;
}

static struct json_object *top_issuers(struct report *r, const char *domain)
{
	static const char sql[] =
		"SELECT i.issuer_dn, i.issuer_ca_id, count(*) AS n"
		" FROM issuances i WHERE i.id IN " ISSUANCES_UNDER
		" GROUP BY i.issuer_ca_id, i.issuer_dn"
		" ORDER BY n DESC, i.issuer_dn, i.issuer_ca_id LIMIT ?2";
	struct json_object *arr = checked(r, json_object_new_array());
	sqlite3_stmt *st = arr ? query(r, sql, domain) : NULL;

	bind_int64(r, st, 2, TOP_ISSUERS);
	while (next_row(r, st) == 1) {
		struct json_object *o = checked(r, json_object_new_object());
		if (!o)
			break;
		put_col_text(r, o, "issuer", st, 0);
		put_col_ca_id(r, o, st, 1);
		put(r, o, "certificates",
		    json_object_new_int64(sqlite3_column_int64(st, 2)));
		push(r, arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

static struct json_object *embedded_json(struct report *r, const char *text);

/* The stored details text as an embedded object; text that does not
 * parse is kept as a string rather than dropped.  Details carry issuer
 * names and plugin text, so they are read with UTF-8 validation; text
 * that is not UTF-8 is repaired (bad bytes become U+FFFD), then read. */
static struct json_object *details_value(struct report *r, const char *text)
{
	struct json_object *v, *fixed;

	if (!text)
		return json_object_new_object();
	v = embedded_json(r, text);
	if (!json_object_is_type(v, json_type_string))
		return v;
	/* Not JSON, or not UTF-8: embedded_json gave the repaired text. */
	fixed = json_tokener_parse(json_object_get_string(v));
	if (fixed) {
		json_object_put(v);
		return fixed;
	}
	return v;
}

static struct json_object *recent_alerts(struct report *r,
					 const char *domain)
{
	static const char sql[] =
		"SELECT id, type, severity, created_at, baseline,"
		" acknowledged_at IS NOT NULL, alert_key, details"
		" FROM alerts WHERE domain = ?1"
		" ORDER BY created_at DESC, id DESC LIMIT ?2";
	struct json_object *arr = checked(r, json_object_new_array());
	sqlite3_stmt *st = arr ? query(r, sql, domain) : NULL;

	bind_int64(r, st, 2, RECENT_ALERTS);
	while (next_row(r, st) == 1) {
		struct json_object *o = checked(r, json_object_new_object());
		int64_t sev = sqlite3_column_int64(st, 2);
		if (!o)
			break;
		put_col_int(r, o, "id", st, 0);
		put_col_text(r, o, "type", st, 1);
		put(r, o, "severity",
		    json_object_new_string(
			    sev >= CTMON_SEV_INFO && sev <= CTMON_SEV_CRITICAL
				    ? ctmon_severity_name(
					      (enum ctmon_severity)sev)
				    : "unknown"));
		put_col_time(r, o, "created_at", st, 3);
		put(r, o, "baseline", jbool(sqlite3_column_int(st, 4)));
		put(r, o, "acknowledged", jbool(sqlite3_column_int(st, 5)));
		put_col_text(r, o, "key", st, 6);
		put(r, o, "details",
		    details_value(r, (const char *)sqlite3_column_text(st, 7)));
		push(r, arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

static struct json_object *subdomain_list(struct report *r, const char *domain)
{
	static const char sql[] =
		"SELECT name, first_seen, last_seen, dns_status, addresses,"
		" cname, resolved_at FROM subdomains WHERE domain = ?1"
		" ORDER BY name";
	struct json_object *arr = checked(r, json_object_new_array());
	sqlite3_stmt *st = arr ? query(r, sql, domain) : NULL;

	while (next_row(r, st) == 1) {
		struct json_object *o = checked(r, json_object_new_object());
		if (!o)
			break;
		put_col_text(r, o, "name", st, 0);
		put_col_time(r, o, "first_seen", st, 1);
		put_col_time(r, o, "last_seen", st, 2);
		put_col_text(r, o, "dns_status", st, 3);
		put_col_list(r, o, "addresses", st, 4);
		put_col_list(r, o, "cname", st, 5);
		put_col_time(r, o, "resolved_at", st, 6);
		push(r, arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

/* Runs `child` (one parameter: the issuance id) and collects its first
 * column: integers or strings, in the query's order. */
static struct json_object *column_array(struct report *r, sqlite3_stmt *child,
					int64_t issuance_id)
{
	struct json_object *arr = checked(r, json_object_new_array());

	if (!arr || !child)
		return arr;
	sqlite3_reset(child);
	bind_int64(r, child, 1, issuance_id);
	while (next_row(r, child) == 1) {
		if (sqlite3_column_type(child, 0) == SQLITE_INTEGER)
			push(r, arr,
			     json_object_new_int64(
				     sqlite3_column_int64(child, 0)));
		else
			push(r, arr,
			     jstr(r, (const char *)sqlite3_column_text(child,
								       0)));
	}
	return arr;
}

/* Hours between not_before and not_after to two decimals (a 90-day
 * certificate ends a second early: 2159.99, not 2160), or null. */
static void put_validity_hours(struct report *r, struct json_object *o,
			       sqlite3_stmt *st, int nb_col, int na_col)
{
	int64_t nb = sqlite3_column_int64(st, nb_col);
	int64_t na = sqlite3_column_int64(st, na_col);
	char text[32];
	double hours;

	if (sqlite3_column_type(st, nb_col) == SQLITE_NULL ||
	    sqlite3_column_type(st, na_col) == SQLITE_NULL || nb == 0 ||
	    na == 0) {
		put_null(r, o, "validity_hours");
		return;
	}
	/* Truncated, not rounded: 23.999 hours must not read as 24.00. */
	hours = (double)((na - nb) * 100 / 3600) / 100.0;
	snprintf(text, sizeof text, "%.2f", hours);
	put(r, o, "validity_hours", json_object_new_double_s(hours, text));
}

static struct json_object *certificate_list(struct report *r,
					    const char *domain)
{
	static const char sql[] =
		"SELECT i.id, i.issuer_dn, i.issuer_ca_id, i.serial,"
		" i.not_before, i.not_after, i.first_seen,"
		" " HAS_WILDCARD("i.id")
		" FROM issuances i WHERE i.id IN " ISSUANCES_UNDER
		" ORDER BY i.first_seen DESC, i.id DESC LIMIT ?2";
	static const char ids_sql[] =
		"SELECT crtsh_id FROM certificates WHERE issuance_id = ?1"
		" AND crtsh_id IS NOT NULL ORDER BY crtsh_id";
	static const char names_sql[] =
		"SELECT name FROM certificate_names WHERE issuance_id = ?1"
		" ORDER BY name";
	struct json_object *arr = checked(r, json_object_new_array());
	sqlite3_stmt *st = arr ? query(r, sql, domain) : NULL;
	sqlite3_stmt *ids = query(r, ids_sql, NULL);
	sqlite3_stmt *names = query(r, names_sql, NULL);

	bind_int64(r, st, 2, RECENT_CERTS);
	while (next_row(r, st) == 1) {
		struct json_object *o = checked(r, json_object_new_object());
		int64_t id = sqlite3_column_int64(st, 0);
		if (!o)
			break;
		put(r, o, "id", json_object_new_int64(id));
		put(r, o, "crtsh_ids", column_array(r, ids, id));
		put_col_text(r, o, "issuer", st, 1);
		put_col_ca_id(r, o, st, 2);
		put_col_text(r, o, "serial", st, 3);
		put(r, o, "names", column_array(r, names, id));
		put_col_time(r, o, "not_before", st, 4);
		put_col_time(r, o, "not_after", st, 5);
		put_col_time(r, o, "first_seen", st, 6);
		put(r, o, "wildcard", jbool(sqlite3_column_int(st, 7)));
		put_validity_hours(r, o, st, 4, 5);
		push(r, arr, o);
	}
	sqlite3_finalize(names);
	sqlite3_finalize(ids);
	sqlite3_finalize(st);
	return arr;
}

static void put_baselined_at(struct report *r, struct json_object *o,
			     const char *domain)
{
	static const char sql[] =
		"SELECT baselined_at FROM domains WHERE domain = ?1";
	sqlite3_stmt *st = query(r, sql, domain);

	/* A domain not in the store yet (no cycle ran) has no baseline. */
	if (next_row(r, st) == 1)
		put_col_time(r, o, "baselined_at", st, 0);
	else
		put_null(r, o, "baselined_at");
	sqlite3_finalize(st);
}

static struct json_object *domain_report(struct report *r, const char *domain)
{
	struct json_object *o = checked(r, json_object_new_object());

	if (!o)
		return NULL;
	put(r, o, "domain", jstr(r, domain));
	put_baselined_at(r, o, domain);
	put(r, o, "certificates", certificate_counts(r, domain));
	put(r, o, "subdomains_summary", subdomain_summary(r, domain));
	put(r, o, "alerts_summary", alert_summary(r, domain));
	put(r, o, "top_issuers", top_issuers(r, domain));
	put(r, o, "recent_alerts", recent_alerts(r, domain));
	put(r, o, "subdomains", subdomain_list(r, domain));
	put(r, o, "certificates_list", certificate_list(r, domain));
	return o;
}

/* ---- sources: what each source publishes about its progress ----------- */

/* A source's state value as embedded JSON.  It is parsed with UTF-8
 * validation so the report stays valid; text that is not JSON (or not
 * UTF-8) is kept as a string. */
static struct json_object *embedded_json(struct report *r, const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *v = NULL;

	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
	v = json_tokener_parse_ex(tok, text, -1);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(v);
		v = jstr(r, text);
	}
	json_tokener_free(tok);
	return v;
}

struct source_walk {
	struct report *r;
	struct json_object *obj;
};

static int add_status(void *ctx, const struct ctm_kv_row *row)
{
	struct source_walk *w = ctx;

	put_key(w->r, w->obj, row->key + strlen("status."),
		embedded_json(w->r, row->value));
	return w->r->rc != CTMON_OK;
}

static int add_cursor(void *ctx, const struct ctm_kv_row *row)
{
	struct source_walk *w = ctx;

	put_key(w->r, w->obj, row->key, jstr(w->r, row->value));
	return w->r->rc != CTMON_OK;
}

static void fail_store(struct report *r, struct ctm_store *s, int rc)
{
	if (r->rc != CTMON_OK)
		return;
	r->rc = rc;
	snprintf(r->errmsg, sizeof r->errmsg, "%s", ctm_store_errmsg(s));
}

static struct json_object *source_report(struct report *r,
					 struct ctm_store *s, const char *id)
{
	struct json_object *o = checked(r, json_object_new_object());
	struct source_walk w = {r, NULL};
	char ns[300];
	int rc;

	if (!o)
		return NULL;
	put(r, o, "id", jstr(r, id));
	snprintf(ns, sizeof ns, "source:%s", id);
	w.obj = checked(r, json_object_new_object());
	if (w.obj) {
		rc = ctm_store_kv_foreach_prefix(s, ns, "status.", add_status,
						 &w);
		if (rc != CTMON_OK)
			fail_store(r, s, rc);
	}
	put(r, o, "status", w.obj);
	w.obj = r->rc == CTMON_OK ? checked(r, json_object_new_object())
				  : NULL;
	if (w.obj) {
		rc = ctm_store_cursor_foreach(s, id, add_cursor, &w);
		if (rc != CTMON_OK)
			fail_store(r, s, rc);
	}
	put(r, o, "cursors", w.obj);
	return o;
}

static struct json_object *sources(struct report *r, struct ctm_store *s)
{
	struct json_object *arr = checked(r, json_object_new_array());
	char **ids = NULL;
	int rc;

	if (!arr)
		return NULL;
	rc = ctm_store_source_ids(s, &ids);
	if (rc != CTMON_OK)
		fail_store(r, s, rc);
	for (size_t i = 0; ids && ids[i] && r->rc == CTMON_OK; i++)
		push(r, arr, source_report(r, s, ids[i]));
	ctm_strv_free(ids);
	return arr;
}

/* Totals over all reported domains, counting an issuance or a name that
 * falls under two of them (example.com and bank.example.com) once.  The
 * domain list is bound as one JSON array and expanded with json_each. */
static struct json_object *totals(struct report *r, char *const *domains,
				  size_t n)
{
	static const char sql[] =
		"SELECT"
		" (SELECT count(DISTINCT c.issuance_id)"
		"  FROM certificate_names c"
		"  JOIN json_each(?1) d ON c.name = d.value"
		"  OR substr(c.name, -length(d.value) - 1) = '.' || d.value),"
		" (SELECT count(DISTINCT s.name) FROM subdomains s"
		"  WHERE s.domain IN (SELECT value FROM json_each(?1))),"
		" (SELECT count(*) FROM alerts a"
		"  WHERE a.acknowledged_at IS NULL"
		"  AND a.domain IN (SELECT value FROM json_each(?1)))";
	static const char *const keys[] = {"certificates", "subdomains",
					   "open_alerts"};
	struct json_object *o = checked(r, json_object_new_object());
	struct ctm_buf list;

	if (!o)
		return NULL;
	put(r, o, "domains", json_object_new_int64((int64_t)n));
	ctm_buf_init(&list);
	ctm_buf_puts(&list, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			ctm_buf_puts(&list, ",");
		ctm_buf_json_string(&list, domains[i]);
	}
	ctm_buf_puts(&list, "]");
	if (list.oom)
		fail_oom(r);
	else
		put_counts(r, o, sql, list.data, keys, 3);
	ctm_buf_free(&list);
	return o;
}

int ctm_report_build(struct ctm_store *s, char *const *domains, size_t n,
		     int64_t now, char **out, struct ctm_error *err)
{
	struct report r;
	struct json_object *root = NULL, *list = NULL;
	char stamp[32], generator[64];
	const char *text;

	*out = NULL;
	memset(&r, 0, sizeof r);
	r.db = ctm_store_db(s);
	r.now = now;
	ctm_buf_init(&r.scratch);
	ctm_buf_init(&r.key);

	root = checked(&r, json_object_new_object());
	if (!root)
		goto out;
	ctm_format_time(now, stamp, sizeof stamp);
	snprintf(generator, sizeof generator, "ctmon %s", CTMON_VERSION);
	put(&r, root, "generated_at", json_object_new_string(stamp));
	put(&r, root, "generator", json_object_new_string(generator));
	list = checked(&r, json_object_new_array());
	for (size_t i = 0; list && i < n && r.rc == CTMON_OK; i++)
		push(&r, list, domain_report(&r, domains[i]));
	put(&r, root, "domains", list);
	if (r.rc == CTMON_OK)
		put(&r, root, "sources", sources(&r, s));
	put(&r, root, "totals", totals(&r, domains, n));
	if (r.rc != CTMON_OK)
		goto out;
	text = json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text || !(*out = malloc(strlen(text) + 2))) {
		fail_oom(&r);
		goto out;
	}
	snprintf(*out, strlen(text) + 2, "%s\n", text);
out:
	if (r.rc != CTMON_OK && err)
		snprintf(err->text, sizeof err->text, "report: %s", r.errmsg);
	json_object_put(root);
	ctm_buf_free(&r.scratch);
	ctm_buf_free(&r.key);
	return r.rc;
}

static int write_stdout(const char *text, struct ctm_error *err)
{
	size_t len = strlen(text);

	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		snprintf(err->text, sizeof err->text, "-: %s",
			 strerror(errno));
		clearerr(stdout);
		return CTMON_EIO;
	}
	return CTMON_OK;
}

/* Write the whole text to path.tmp, make it durable, then rename it over
 * path: readers see the old report or the new one, never half of one. */
static int write_file(const char *path, const char *text,
		      struct ctm_error *err)
{
	size_t len = strlen(text);
	struct ctm_buf tmp;
	FILE *fp = NULL;
	int rc = CTMON_EIO, saved_errno = 0;
	const char *failed_path = path;

	ctm_buf_init(&tmp);
	ctm_buf_printf(&tmp, "%s.tmp", path);
	if (tmp.oom) {
		snprintf(err->text, sizeof err->text, "%s: out of memory",
			 path);
		rc = CTMON_ENOMEM;
		goto out;
	}
	failed_path = tmp.data;
	fp = fopen(tmp.data, "w");
	if (!fp)
		goto fail;
	if (fwrite(text, 1, len, fp) != len || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0)
		goto fail;
	if (fclose(fp) != 0) {
		fp = NULL;
		goto fail;
	}
	fp = NULL;
	failed_path = path;
	if (rename(tmp.data, path) != 0)
		goto fail;
	rc = CTMON_OK;
	goto out;
fail:
	saved_errno = errno;
	snprintf(err->text, sizeof err->text, "%s: %s", failed_path,
		 strerror(saved_errno));
	if (fp)
		fclose(fp);
	unlink(tmp.data);
out:
	ctm_buf_free(&tmp);
	return rc;
}

int ctm_report_format_parse(const char *name, enum ctm_report_format *out)
{
	if (!name)
		return -1;
	if (strcmp(name, "auto") == 0)
		*out = CTM_REPORT_AUTO;
	else if (strcmp(name, "json") == 0)
		*out = CTM_REPORT_JSON;
	else if (strcmp(name, "html") == 0)
		*out = CTM_REPORT_HTML;
	else
		return -1;
	return 0;
}

static int ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n < m)
		return 0;
	for (size_t i = 0; i < m; i++) {
		char c = s[n - m + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suffix[i])
			return 0;
	}
	return 1;
}

enum ctm_report_format ctm_report_format_for(const char *path,
					     enum ctm_report_format format)
{
	if (format != CTM_REPORT_AUTO)
		return format;
	if (path && (ends_with_nocase(path, ".html") ||
		     ends_with_nocase(path, ".htm")))
		return CTM_REPORT_HTML;
	return CTM_REPORT_JSON;
}

int ctm_report_write(struct ctm_store *s, char *const *domains, size_t n,
		     int64_t now, const char *path, struct ctm_error *err)
{
	return ctm_report_write_as(s, domains, n, now, path, CTM_REPORT_AUTO,
				   err);
}

int ctm_report_write_as(struct ctm_store *s, char *const *domains, size_t n,
			int64_t now, const char *path,
			enum ctm_report_format format, struct ctm_error *err)
{
	struct ctm_error ignored;
	char *text = NULL;
	int rc;

	if (!err)
		err = &ignored;
	if (ctm_report_format_for(path, format) == CTM_REPORT_HTML)
		rc = ctm_report_html_build(s, domains, n, now, &text, err);
	else
		rc = ctm_report_build(s, domains, n, now, &text, err);
	if (rc != CTMON_OK)
		goto out;
	if (strcmp(path, "-") == 0)
		rc = write_stdout(text, err);
	else
		rc = write_file(path, text, err);
out:
	free(text);
	return rc;
}
