/* store.c - what the store records about monitored domains, certificates
 * and their issuances (ingest, and loading them back as checks see them),
 * subdomains, source cursors and per-plugin state.  The connection (open,
 * schema, statement cache, transactions) is in store_schema.c; alerts,
 * outbox and authorised CAs have their own files. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "dn.h"
#include "names.h"

/* ---- monitored domains ------------------------------------------------- */

int ctm_store_domains(struct ctm_store *s, char ***out)
{
	sqlite3_stmt *st;
	char **v = NULL;
	int rc = CTMON_OK, step;

	if (!s->domains_stale && s->domains) {
		*out = s->domains;
		return CTMON_OK;
	}
	st = ctm_stmt_get(s, ST_DOMAIN_LIST,
			  "SELECT domain FROM domains ORDER BY domain");
	if (!st)
		return CTMON_EIO;
	v = calloc(1, sizeof *v);
	if (!v) {
		rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (ctm_strv_push(&v, ctm_col_text(st, 0)) != 0) {
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
			goto out;
		}
	if (step != SQLITE_DONE)
		rc = ctm_store_fail(s, "listing domains");
out:
	ctm_stmt_put(s, ST_DOMAIN_LIST, st);
	if (rc != CTMON_OK) {
		ctm_strv_free(v);
		return rc;
	}
	ctm_strv_free(s->domains);
	s->domains = v;
	s->domains_stale = 0;
	*out = v;
	return CTMON_OK;
}

/* Links the issuances already stored to a domain monitored from now on. */
static int backfill_domain(struct ctm_store *s, const char *domain)
{
	sqlite3_stmt *st = ctm_stmt_get(
		s, ST_DOMAIN_BACKFILL,
		"INSERT OR IGNORE INTO issuance_domains (domain, issuance_id) "
		"SELECT ?1, issuance_id FROM (" CTM_ISSUANCES_UNDER_SCAN ")");
	int rc;

	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	rc = ctm_stmt_exec(s, st, "linking issuances to a new domain");
	ctm_stmt_put(s, ST_DOMAIN_BACKFILL, st);
	return rc;
}

int ctm_store_domain_ensure(struct ctm_store *s, const char *domain,
			    int64_t now, int *baselined)
{
	sqlite3_stmt *st;
	int rc;

	st = ctm_stmt_get(
		s, ST_DOMAIN_INSERT,
		"INSERT INTO domains (domain, added_at) VALUES (?, ?) "
		"ON CONFLICT (domain) DO NOTHING");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_int64(st, 2, now);
	rc = ctm_stmt_exec(s, st, "adding a domain");
	ctm_stmt_put(s, ST_DOMAIN_INSERT, st);
	if (rc != CTMON_OK)
		return rc;
	if (sqlite3_changes(s->db) > 0) {
		s->domains_stale = 1;
		rc = backfill_domain(s, domain);
		if (rc != CTMON_OK)
			return rc;
	}
	st = ctm_stmt_get(s, ST_DOMAIN_GET,
			  "SELECT baselined_at IS NOT NULL FROM domains "
			  "WHERE domain = ?");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*baselined = sqlite3_column_int(st, 0);
		rc = CTMON_OK;
	} else {
		rc = ctm_store_fail(s, "reading a domain");
	}
	ctm_stmt_put(s, ST_DOMAIN_GET, st);
	return rc;
}

int ctm_store_domain_set_baselined(struct ctm_store *s, const char *domain,
				   int64_t now)
{
	sqlite3_stmt *st =
		ctm_stmt_get(s, ST_DOMAIN_BASELINED,
			     "UPDATE domains SET baselined_at = ?2 "
			     "WHERE domain = ?1 AND baselined_at IS NULL");
	int rc;

	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_int64(st, 2, now);
	rc = ctm_stmt_exec(s, st, "marking a domain baselined");
	ctm_stmt_put(s, ST_DOMAIN_BASELINED, st);
	return rc;
}

/* ---- cursors and key/value state --------------------------------------- */

/* Both tables have the same shape: (owner, key) -> value. */
static int pair_get(struct ctm_store *s, enum ctm_stmt_slot slot,
		    const char *sql, const char *owner, const char *key,
		    char **value)
{
	sqlite3_stmt *st;
	int rc, step;

	*value = NULL;
	if (!owner || !key)
		return ctm_store_failf(s, CTMON_EINVAL, "missing key");
	st = ctm_stmt_get(s, slot, sql);
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, owner);
	ctm_bind_text(st, 2, key);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*value = ctm_strdup(ctm_col_text(st, 0));
		rc = *value ? CTMON_OK
			    : ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	} else if (step == SQLITE_DONE) {
		rc = CTMON_ENOTFOUND;
	} else {
		rc = ctm_store_fail(s, "reading a value");
	}
	ctm_stmt_put(s, slot, st);
	return rc;
}

static int pair_put(struct ctm_store *s, enum ctm_stmt_slot slot,
		    const char *sql, const char *owner, const char *key,
		    const char *value, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if (!owner || !key || !value)
		return ctm_store_failf(s, CTMON_EINVAL, "missing key or value");
	st = ctm_stmt_get(s, slot, sql);
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, owner);
	ctm_bind_text(st, 2, key);
	ctm_bind_text(st, 3, value);
	ctm_bind_int64(st, 4, now);
	rc = ctm_stmt_exec(s, st, "writing a value");
	ctm_stmt_put(s, slot, st);
	return rc;
}

int ctm_store_cursor_get(struct ctm_store *s, const char *source_id,
			 const char *key, char **value)
{
	return pair_get(s, ST_CURSOR_GET,
			"SELECT value FROM source_cursors "
			"WHERE source_id = ? AND key = ?",
			source_id, key, value);
}

int ctm_store_cursor_set(struct ctm_store *s, const char *source_id,
			 const char *key, const char *value, int64_t now)
{
	return pair_put(
		s, ST_CURSOR_SET,
		"INSERT INTO source_cursors "
		"(source_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
		"ON CONFLICT (source_id, key) DO UPDATE SET "
		"value = excluded.value, updated_at = excluded.updated_at",
		source_id, key, value, now);
}

int ctm_store_kv_get(struct ctm_store *s, const char *ns, const char *key,
		     char **value)
{
	return pair_get(
		s, ST_KV_GET,
		"SELECT value FROM plugin_state WHERE ns = ? AND key = ?", ns,
		key, value);
}

int ctm_store_kv_put(struct ctm_store *s, const char *ns, const char *key,
		     const char *value, int64_t now)
{
	return pair_put(
		s, ST_KV_PUT,
		"INSERT INTO plugin_state (ns, key, value, updated_at) "
		"VALUES (?, ?, ?, ?) ON CONFLICT (ns, key) DO UPDATE SET "
		"value = excluded.value, updated_at = excluded.updated_at",
		ns, key, value, now);
}

int ctm_store_kv_delete(struct ctm_store *s, const char *ns, const char *key)
{
	sqlite3_stmt *st;
	int rc;

	if (!ns || !key)
		return ctm_store_failf(s, CTMON_EINVAL, "missing key");
	st = ctm_stmt_get(s, ST_KV_DELETE,
			  "DELETE FROM plugin_state WHERE ns = ? AND key = ?");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, ns);
	ctm_bind_text(st, 2, key);
	rc = ctm_stmt_exec(s, st, "deleting a value");
	ctm_stmt_put(s, ST_KV_DELETE, st);
	return rc;
}

/* ---- ingest ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The record's names sorted and de-duplicated into s->sorted (reused
 * between records, so ingest allocates nothing in the steady state). */
static int sort_names(struct ctm_store *s, const struct ctm_cert_in *c,
		      size_t *n)
{
	size_t k = 0;

	if (c->n_names > s->sorted_cap) {
		size_t cap = c->n_names < 64 ? 64 : c->n_names;
		const char **v = realloc(s->sorted, cap * sizeof *v);
		if (!v)
			return ctm_store_failf(s, CTMON_ENOMEM,
					       "out of memory");
		s->sorted = v;
		s->sorted_cap = cap;
	}
	for (size_t i = 0; i < c->n_names; i++)
		if (c->names[i] && c->names[i][0])
			s->sorted[k++] = c->names[i];
	qsort(s->sorted, k, sizeof *s->sorted, cmp_str);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || strcmp(s->sorted[*n - 1], s->sorted[i]) != 0)
			s->sorted[(*n)++] = s->sorted[i];
	return CTMON_OK;
}

static int has_hex_digit(const char *p)
{
	for (; p && *p; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		    (*p >= 'A' && *p <= 'F'))
			return 1;
	return 0;
}

/* A serial is an integer: "00ba12" (DER sign padding), "BA:12" and "ba12"
 * are the same serial, so leading zeros, case and separators go. */
static void put_serial(struct ctm_buf *b, const char *serial)
{
	const char *p = serial;
	size_t n;

	while (*p == '0' || *p == ':' || *p == ' ')
		p++;
	if (!*p) {
		ctm_buf_append(b, "0", 1);
		return;
	}
	n = strspn(p, "0123456789abcdef");
	if (p[n] == '\0') { /* already canonical: the usual case */
		ctm_buf_append(b, p, n);
		return;
	}
	for (; *p; p++) {
		char c = *p;
		if (c == ':' || c == ' ')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		ctm_buf_append(b, &c, 1);
	}
}

/* The issuance key of store.h into s->key. */
static int build_issuance_key(struct ctm_store *s, const struct ctmon_cert *c,
			      size_t n_names)
{
	struct ctm_buf *b = &s->key;
	char num[64];

	ctm_buf_reset(b);
	if (c->issuer_ca_id > 0) {
		snprintf(num, sizeof num, "ca:%lld",
			 (long long)c->issuer_ca_id);
		ctm_buf_puts(b, num);
	} else {
		char *dn = ctm_dn_canonical(c->issuer_dn ? c->issuer_dn : "");
		if (!dn)
			return ctm_store_failf(s, CTMON_ENOMEM,
					       "out of memory");
		ctm_buf_puts(b, "dn:");
		ctm_buf_puts(b, dn);
		free(dn);
	}
	if (has_hex_digit(c->serial)) {
		ctm_buf_puts(b, "|s:");
		put_serial(b, c->serial);
	} else if (c->tbs_hash && c->tbs_hash[0]) {
		ctm_buf_puts(b, "|t:");
		for (const char *p = c->tbs_hash; *p; p++) {
			char ch =
				(*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
			ctm_buf_append(b, &ch, 1);
		}
	} else {
		snprintf(num, sizeof num, "|v:%lld|%lld|",
			 (long long)c->not_before, (long long)c->not_after);
		ctm_buf_puts(b, num);
		for (size_t i = 0; i < n_names; i++) {
			if (i)
				ctm_buf_append(b, ",", 1);
			ctm_buf_puts(b, s->sorted[i]);
		}
	}
	if (!b->oom)
		return CTMON_OK;
	ctm_buf_free(b); /* oom is sticky; start afresh */
	return ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
}

/* 1 if s needs no JSON escaping - every normalised host name. */
static int json_plain(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p > 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
		p++;
	*len = (size_t)((const char *)p - s);
	return *p == '\0';
}

/* names_json of a sorted list into s->json. */
static void build_names_json(struct ctm_store *s, const char *const *names,
			     size_t n)
{
	struct ctm_buf *b = &s->json;
	size_t len;

	ctm_buf_reset(b);
	ctm_buf_append(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			ctm_buf_append(b, ",", 1);
		if (json_plain(names[i], &len)) {
			ctm_buf_append(b, "\"", 1);
			ctm_buf_append(b, names[i], len);
			ctm_buf_append(b, "\"", 1);
		} else {
			ctm_buf_json_string(b, names[i]);
		}
	}
	ctm_buf_append(b, "]", 1);
}

/* Does the issuance row's names_json (column i) equal the record's, in
 * s->json?  The common case - a duplicate, or the second half of a pair -
 * brings no new names, and this check saves a probe per name. */
static int same_names(struct ctm_store *s, sqlite3_stmt *st, int i)
{
	const char *stored = ctm_col_text(st, i);

	return stored && strcmp(stored, s->json.data) == 0;
}

/* Looks a certificate up by its crt.sh id, then its log entry, then its
 * fingerprint: the first is the sources' own identity, the others catch
 * the same certificate arriving from another source (and keep the unique
 * indexes from refusing the insert). */
static int find_cert(struct ctm_store *s, const struct ctmon_cert *c,
		     int64_t *cert_id, int64_t *issuance_id, int *same)
{
#define FIND_CERT                                                              \
	"SELECT c.id, c.issuance_id, c.crtsh_id, i.names_json "                \
	"FROM certificates c JOIN issuances i ON i.id = c.issuance_id "
	static const char *const sql[] = {
		FIND_CERT "WHERE c.crtsh_id = ?1",
		FIND_CERT "WHERE c.log_id = ?1 AND c.log_index = ?2",
		FIND_CERT "WHERE c.fingerprint = ?1",
	};
#undef FIND_CERT
	static const enum ctm_stmt_slot slot[] = {
		ST_CERT_BY_CRTSH, ST_CERT_BY_LOG, ST_CERT_BY_FPR};
	int rc = CTMON_ENOTFOUND;

	for (int k = 0; k < 3 && rc == CTMON_ENOTFOUND; k++) {
		sqlite3_stmt *st;
		int step, had_crtsh = 0;

		if ((k == 0 && c->crtsh_id <= 0) ||
		    (k == 1 && (!c->log_id || c->log_index < 0)) ||
		    (k == 2 && (!c->fingerprint || !c->fingerprint[0])))
			continue;
		st = ctm_stmt_get(s, slot[k], sql[k]);
		if (!st)
			return CTMON_EIO;
		if (k == 0) {
			ctm_bind_int64(st, 1, c->crtsh_id);
		} else if (k == 1) {
			ctm_bind_text(st, 1, c->log_id);
			ctm_bind_int64(st, 2, c->log_index);
		} else {
			ctm_bind_text(st, 1, c->fingerprint);
		}
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			*cert_id = sqlite3_column_int64(st, 0);
			*issuance_id = sqlite3_column_int64(st, 1);
			had_crtsh = sqlite3_column_type(st, 2) != SQLITE_NULL;
			*same = same_names(s, st, 3);
			rc = CTMON_OK;
		} else if (step != SQLITE_DONE) {
			rc = ctm_store_fail(s, "looking up a certificate");
		}
		ctm_stmt_put(s, slot[k], st);
		/* Seen before from a log: remember its crt.sh id too, so the
		 * issuance lists every crt.sh id it has. */
		if (rc == CTMON_OK && k > 0 && c->crtsh_id > 0 && !had_crtsh) {
			st = ctm_stmt_get(
				s, ST_CERT_SET_CRTSH,
				"UPDATE certificates SET crtsh_id = ?2 "
				"WHERE id = ?1");
			if (!st)
				return CTMON_EIO;
			ctm_bind_int64(st, 1, *cert_id);
			ctm_bind_int64(st, 2, c->crtsh_id);
			rc = ctm_stmt_exec(s, st, "recording a crt.sh id");
			ctm_stmt_put(s, ST_CERT_SET_CRTSH, st);
		}
	}
	return rc;
}

/* Links an issuance to each monitored domain one of its names falls
 * under: one row per domain, however many names. */
static int link_domains(struct ctm_store *s, int64_t issuance_id, size_t n)
{
	sqlite3_stmt *st = NULL;
	char **domains;
	int rc = ctm_store_domains(s, &domains);

	for (size_t d = 0; rc == CTMON_OK && domains[d]; d++) {
		size_t i = 0;
		while (i < n && !ctm_name_under(s->sorted[i], domains[d]))
			i++;
		if (i == n)
			continue;
		if (!st)
			st = ctm_stmt_get(
				s, ST_ISS_DOMAIN_INSERT,
				"INSERT OR IGNORE INTO issuance_domains"
				" (domain, issuance_id) VALUES (?, ?)");
		if (!st)
			return CTMON_EIO;
		ctm_bind_text(st, 1, domains[d]);
		ctm_bind_int64(st, 2, issuance_id);
		rc = ctm_stmt_exec(s, st, "linking an issuance to a domain");
		sqlite3_reset(st);
	}
	ctm_stmt_put(s, ST_ISS_DOMAIN_INSERT, st);
	return rc;
}

/* Inserts the record's names (s->json) the issuance does not have yet;
 * *added counts them.  One statement for all names: per-statement cost
 * dominates ingest, so json_each beats a loop of single-row inserts. */
static int add_names(struct ctm_store *s, int64_t issuance_id, size_t n,
		     int *added)
{
	sqlite3_stmt *st;
	int rc;

	*added = 0;
	if (n == 0)
		return CTMON_OK;
	st = ctm_stmt_get(
		s, ST_NAME_INSERT,
		"INSERT OR IGNORE INTO certificate_names "
		"(issuance_id, name) SELECT ?1, value FROM json_each(?2)");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, issuance_id);
	ctm_bind_text(st, 2, s->json.data);
	rc = ctm_stmt_exec(s, st, "storing names");
	ctm_stmt_put(s, ST_NAME_INSERT, st);
	if (rc == CTMON_OK)
		*added = sqlite3_changes(s->db);
	if (rc == CTMON_OK && *added)
		rc = link_domains(s, issuance_id, n);
	return rc;
}

/* names_json again from certificate_names, after a union added names. */
static int refresh_names_json(struct ctm_store *s, int64_t issuance_id)
{
	struct ctm_buf json;
	sqlite3_stmt *st;
	int rc = CTMON_OK, step, first = 1;

	st = ctm_stmt_get(s, ST_NAMES_OF,
			  "SELECT name FROM certificate_names "
			  "WHERE issuance_id = ? ORDER BY name");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, issuance_id);
	ctm_buf_init(&json);
	ctm_buf_append(&json, "[", 1);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (!first)
			ctm_buf_append(&json, ",", 1);
		first = 0;
		ctm_buf_json_string(&json, ctm_col_text(st, 0));
	}
	ctm_buf_append(&json, "]", 1);
	if (step != SQLITE_DONE)
		rc = ctm_store_fail(s, "reading names");
	ctm_stmt_put(s, ST_NAMES_OF, st);
	if (rc == CTMON_OK && json.oom)
		rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	if (rc != CTMON_OK)
		goto out;
	st = ctm_stmt_get(s, ST_ISS_SET_NAMES,
			  "UPDATE issuances SET names_json = ? WHERE id = ?");
	if (!st) {
		rc = CTMON_EIO;
		goto out;
	}
	ctm_bind_text(st, 1, json.data);
	ctm_bind_int64(st, 2, issuance_id);
	rc = ctm_stmt_exec(s, st, "updating names");
	ctm_stmt_put(s, ST_ISS_SET_NAMES, st);
out:
	ctm_buf_free(&json);
	return rc;
}

/* A record of a known issuance may bring names it lacks (crt.sh splits a
 * certificate's names over rows; a precert can differ from its cert). */
static int union_names(struct ctm_store *s, int64_t issuance_id, size_t n,
		       int *added)
{
	int rc = add_names(s, issuance_id, n, added);

	if (rc == CTMON_OK && *added)
		rc = refresh_names_json(s, issuance_id);
	return rc;
}

/* Finds the issuance for s->key or creates it from the record (names_json
 * from s->json); *same as in find_cert. */
static int issuance_for(struct ctm_store *s, const struct ctmon_cert *c,
			int64_t now, int64_t *id, int *is_new, int *same)
{
	sqlite3_stmt *st;
	int rc, step;

	st = ctm_stmt_get(
		s, ST_ISS_INSERT,
		"INSERT INTO issuances (issuance_key, issuer_ca_id, issuer_dn,"
		" serial, not_before, not_after, subject_cn, first_seen,"
		" names_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT (issuance_key) DO NOTHING");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, s->key.data);
	ctm_bind_int64(st, 2, c->issuer_ca_id);
	ctm_bind_text(st, 3, c->issuer_dn);
	ctm_bind_text(st, 4, c->serial);
	ctm_bind_int64_or_null(st, 5, c->not_before, 0);
	ctm_bind_int64_or_null(st, 6, c->not_after, 0);
	ctm_bind_text(st, 7, c->subject_cn);
	ctm_bind_int64(st, 8, now);
	ctm_bind_text(st, 9, s->json.data);
	rc = ctm_stmt_exec(s, st, "storing an issuance");
	ctm_stmt_put(s, ST_ISS_INSERT, st);
	if (rc != CTMON_OK)
		return rc;
	*is_new = sqlite3_changes(s->db) > 0;
	if (*is_new) {
		*id = sqlite3_last_insert_rowid(s->db);
		*same = 1;
		return CTMON_OK;
	}
	st = ctm_stmt_get(s, ST_ISS_BY_KEY,
			  "SELECT id, names_json FROM issuances "
			  "WHERE issuance_key = ?");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, s->key.data);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*same = same_names(s, st, 1);
		rc = CTMON_OK;
	} else {
		rc = ctm_store_fail(s, "finding an issuance");
	}
	ctm_stmt_put(s, ST_ISS_BY_KEY, st);
	return rc;
}

static int insert_cert(struct ctm_store *s, const struct ctm_cert_in *in,
		       int64_t issuance_id, int64_t now, int64_t *cert_id)
{
	const struct ctmon_cert *c = in->src;
	int has_log = c->log_id && c->log_index >= 0;
	sqlite3_stmt *st;
	int rc;

	st = ctm_stmt_get(
		s, ST_CERT_INSERT,
		"INSERT INTO certificates (issuance_id, crtsh_id, log_id,"
		" log_index, fingerprint, issuer_ca_id, issuer_dn, subject_cn,"
		" serial, not_before, not_after, entry_timestamp, is_precert,"
		" der, source, first_seen) VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, issuance_id);
	if (c->crtsh_id > 0)
		ctm_bind_int64(st, 2, c->crtsh_id);
	if (has_log) {
		ctm_bind_text(st, 3, c->log_id);
		ctm_bind_int64(st, 4, c->log_index);
	}
	if (c->fingerprint && c->fingerprint[0])
		ctm_bind_text(st, 5, c->fingerprint);
	ctm_bind_int64(st, 6, c->issuer_ca_id);
	ctm_bind_text(st, 7, c->issuer_dn);
	ctm_bind_text(st, 8, c->subject_cn);
	ctm_bind_text(st, 9, c->serial);
	ctm_bind_int64_or_null(st, 10, c->not_before, 0);
	ctm_bind_int64_or_null(st, 11, c->not_after, 0);
	ctm_bind_int64_or_null(st, 12, c->entry_timestamp, 0);
	if (c->is_precert >= 0)
		ctm_bind_int64(st, 13, c->is_precert ? 1 : 0);
	if (c->der && c->der_len > 0 && c->der_len <= INT32_MAX)
		sqlite3_bind_blob(st, 14, c->der, (int)c->der_len,
				  SQLITE_STATIC);
	ctm_bind_text(st, 15, in->source_id);
	ctm_bind_int64(st, 16, now);
	rc = ctm_stmt_exec(s, st, "storing a certificate");
	ctm_stmt_put(s, ST_CERT_INSERT, st);
	if (rc == CTMON_OK)
		*cert_id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int ctm_store_ingest(struct ctm_store *s, const struct ctm_cert_in *in,
		     int64_t now, struct ctm_ingest_result *res)
{
	size_t n = 0;
	int rc, same = 0;

	memset(res, 0, sizeof *res);
	if (!in || !in->src || (in->n_names && !in->names))
		return ctm_store_failf(s, CTMON_EINVAL, "bad certificate");
	rc = sort_names(s, in, &n);
	if (rc != CTMON_OK)
		return rc;
	build_names_json(s, s->sorted, n);
	if (s->json.oom) {
		ctm_buf_free(&s->json); /* oom is sticky; start afresh */
		return ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	}
	rc = find_cert(s, in->src, &res->cert_id, &res->issuance_id, &same);
	if (rc == CTMON_OK)
		return same ? CTMON_OK
			    : union_names(s, res->issuance_id, n,
					  &res->names_added);
	if (rc != CTMON_ENOTFOUND)
		return rc;
	res->cert_is_new = 1;
	rc = build_issuance_key(s, in->src, n);
	if (rc == CTMON_OK)
		rc = issuance_for(s, in->src, now, &res->issuance_id,
				  &res->issuance_is_new, &same);
	if (rc != CTMON_OK)
		return rc;
	if (res->issuance_is_new)
		rc = add_names(s, res->issuance_id, n, &res->names_added);
	else if (!same)
		rc = union_names(s, res->issuance_id, n, &res->names_added);
	if (rc == CTMON_OK)
		rc = insert_cert(s, in, res->issuance_id, now, &res->cert_id);
	return rc;
}

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

/* ---- issuances as checks see them -------------------------------------- */

/* Everything of a loaded issuance lives in a chain of chunks owned by this
 * box, so ctm_store_issuance_free is one walk whatever was loaded. */
struct chunk {
	struct chunk *next;
	size_t cap, used;
	max_align_t mem[];
};

struct loaded_issuance {
	struct ctmon_issuance is; /* first: the pointer handed out */
	struct ctmon_cert cert;
	struct chunk *chunks;
};

static void *box_alloc(struct loaded_issuance *l, size_t n)
{
	const size_t align = sizeof(max_align_t);
	struct chunk *c = l->chunks;
	void *p;

	n = (n + align - 1) / align * align;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 4096 ? n : 4096;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = l->chunks;
		l->chunks = c;
	}
	p = (char *)c->mem + c->used;
	c->used += n;
	return p;
}

/* Copies n bytes plus a NUL; NULL in gives NULL out with *ok untouched. */
static void *box_copy(struct loaded_issuance *l, const void *src, size_t n,
		      int *ok)
{
	char *p;

	if (!src)
		return NULL;
	p = box_alloc(l, n + 1);
	if (!p) {
		*ok = 0;
		return NULL;
	}
	memcpy(p, src, n);
	p[n] = '\0';
	return p;
}

static const char *box_col(struct loaded_issuance *l, sqlite3_stmt *st, int i,
			   int *ok)
{
	const char *t = ctm_col_text(st, i);

	return t ? box_copy(l, t, (size_t)sqlite3_column_bytes(st, i), ok)
		 : NULL;
}

void ctm_store_issuance_free(struct ctmon_issuance *is)
{
	struct loaded_issuance *l = (struct loaded_issuance *)is;

	if (!l)
		return;
	while (l->chunks) {
		struct chunk *next = l->chunks->next;
		free(l->chunks);
		l->chunks = next;
	}
	free(l);
}

static int64_t col_int64_or(sqlite3_stmt *st, int i, int64_t dflt)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL
		       ? dflt
		       : sqlite3_column_int64(st, i);
}

/* The issuance row; the cert starts as a copy of it in case no
 * certificate row is readable. */
static int load_issuance_row(struct ctm_store *s, struct loaded_issuance *l)
{
	struct ctmon_cert *c = &l->cert;
	sqlite3_stmt *st;
	int rc = CTMON_OK, ok = 1, step;

	st = ctm_stmt_get(s, ST_ISS_GET,
			  "SELECT issuer_ca_id, issuer_dn, serial, not_before,"
			  " not_after, subject_cn FROM issuances WHERE id = ?");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, l->is.id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		c->issuer_ca_id = col_int64_or(st, 0, 0);
		c->issuer_dn = box_col(l, st, 1, &ok);
		c->serial = box_col(l, st, 2, &ok);
		c->not_before = col_int64_or(st, 3, 0);
		c->not_after = col_int64_or(st, 4, 0);
		c->subject_cn = box_col(l, st, 5, &ok);
		if (!ok)
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	} else if (step == SQLITE_DONE) {
		rc = ctm_store_failf(s, CTMON_ENOTFOUND, "no issuance %lld",
				     (long long)l->is.id);
	} else {
		rc = ctm_store_fail(s, "reading an issuance");
	}
	ctm_stmt_put(s, ST_ISS_GET, st);
	return rc;
}

/* The representative record: the first certificate stored for it. */
static int load_first_cert(struct ctm_store *s, struct loaded_issuance *l)
{
	struct ctmon_cert *c = &l->cert;
	sqlite3_stmt *st;
	int rc = CTMON_OK, ok = 1, step;

	st = ctm_stmt_get(s, ST_ISS_FIRST_CERT,
			  "SELECT crtsh_id, log_id, log_index, fingerprint,"
			  " issuer_ca_id, issuer_dn, subject_cn, serial,"
			  " not_before, not_after, entry_timestamp, is_precert,"
			  " der FROM certificates WHERE issuance_id = ? "
			  "ORDER BY id LIMIT 1");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, l->is.id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		c->crtsh_id = col_int64_or(st, 0, 0);
		c->log_id = box_col(l, st, 1, &ok);
		c->log_index = col_int64_or(st, 2, -1);
		c->fingerprint = box_col(l, st, 3, &ok);
		c->issuer_ca_id = col_int64_or(st, 4, 0);
		c->issuer_dn = box_col(l, st, 5, &ok);
		c->subject_cn = box_col(l, st, 6, &ok);
		c->serial = box_col(l, st, 7, &ok);
		c->not_before = col_int64_or(st, 8, 0);
		c->not_after = col_int64_or(st, 9, 0);
		c->entry_timestamp = col_int64_or(st, 10, 0);
		c->is_precert = (int)col_int64_or(st, 11, -1);
		if (sqlite3_column_type(st, 12) == SQLITE_BLOB) {
			c->der_len = (size_t)sqlite3_column_bytes(st, 12);
			c->der = box_copy(l, sqlite3_column_blob(st, 12),
					  c->der_len, &ok);
		}
		if (!ok)
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	} else if (step != SQLITE_DONE) {
		rc = ctm_store_fail(s, "reading a certificate");
	}
	ctm_stmt_put(s, ST_ISS_FIRST_CERT, st);
	return rc;
}

/* All names (cert->names) and those under `domain` (is->names). */
static int load_names(struct ctm_store *s, struct loaded_issuance *l,
		      const char *domain)
{
	const char **all = NULL, **under = NULL;
	size_t n = 0, cap = 0, k = 0;
	sqlite3_stmt *st;
	int rc = CTMON_OK, ok = 1, step;

	st = ctm_stmt_get(s, ST_NAMES_OF,
			  "SELECT name FROM certificate_names "
			  "WHERE issuance_id = ? ORDER BY name");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, l->is.id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = box_col(l, st, 0, &ok);
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			const char **v = realloc(all, ncap * sizeof *v);
			if (!v) {
				ok = 0;
				break;
			}
			all = v;
			cap = ncap;
		}
		if (!ok || !name)
			break;
		all[n++] = name;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = ctm_store_fail(s, "reading names");
	ctm_stmt_put(s, ST_NAMES_OF, st);
	if (rc != CTMON_OK)
		goto out;
	l->cert.names = box_alloc(l, (n + 1) * sizeof *all);
	under = box_alloc(l, (n + 1) * sizeof *under);
	if (!ok || !l->cert.names || !under) {
		rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		((const char **)l->cert.names)[i] = all[i];
		if (!domain || ctm_name_under(all[i], domain))
			under[k++] = all[i];
	}
	((const char **)l->cert.names)[n] = NULL;
	under[k] = NULL;
	l->cert.n_names = n;
	l->is.names = under;
	l->is.n_names = k;
out:
	free(all);
	return rc;
}

static int load_crtsh_ids(struct ctm_store *s, struct loaded_issuance *l)
{
	int64_t *ids = NULL, *v;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc = CTMON_OK, step;

	st = ctm_stmt_get(
		s, ST_ISS_CRTSH_IDS,
		"SELECT crtsh_id FROM certificates WHERE issuance_id = ?"
		" AND crtsh_id IS NOT NULL ORDER BY id");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, l->is.id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			v = realloc(ids, cap * sizeof *v);
			if (!v) {
				rc = ctm_store_failf(s, CTMON_ENOMEM,
						     "out of memory");
				goto out;
			}
			ids = v;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (step != SQLITE_DONE) {
		rc = ctm_store_fail(s, "reading crt.sh ids");
		goto out;
	}
	v = box_alloc(l, (n ? n : 1) * sizeof *v);
	if (!v) {
		rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
		goto out;
	}
	if (n)
		memcpy(v, ids, n * sizeof *v);
	l->is.crtsh_ids = v;
	l->is.n_crtsh_ids = n;
out:
	ctm_stmt_put(s, ST_ISS_CRTSH_IDS, st);
	free(ids);
	return rc;
}

int ctm_store_issuance_load(struct ctm_store *s, int64_t issuance_id,
			    const char *domain, struct ctmon_issuance **out)
{
	struct loaded_issuance *l;
	int rc, ok = 1;

	*out = NULL;
	l = calloc(1, sizeof *l);
	if (!l)
		return ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	l->is.size = sizeof l->is;
	l->is.id = issuance_id;
	l->is.cert = &l->cert;
	l->cert.size = sizeof l->cert;
	l->cert.log_index = -1;
	l->cert.is_precert = -1;
	if (domain)
		l->is.domain = box_copy(l, domain, strlen(domain), &ok);
	rc = ok ? CTMON_OK : ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	if (rc == CTMON_OK)
		rc = load_issuance_row(s, l);
	if (rc == CTMON_OK)
		rc = load_first_cert(s, l);
	if (rc == CTMON_OK)
		rc = load_names(s, l, domain);
	if (rc == CTMON_OK)
		rc = load_crtsh_ids(s, l);
	if (rc != CTMON_OK) {
		ctm_store_issuance_free(&l->is);
		return rc;
	}
	*out = &l->is;
	return CTMON_OK;
}

int ctm_store_is_monitored(struct ctm_store *s, const char *domain, int *yes)
{
	char **domains;
	int rc = ctm_store_domains(s, &domains);

	*yes = 0;
	for (size_t i = 0; rc == CTMON_OK && domains[i]; i++)
		if (strcmp(domains[i], domain) == 0)
			*yes = 1;
	return rc;
}

int ctm_store_foreach_issuance(
	struct ctm_store *s, const char *domain, int64_t from, int64_t to,
	int (*fn)(void *ctx, const struct ctmon_issuance *is), void *ctx)
{
	enum ctm_stmt_slot slot = ST_ISS_OF_ALL;
	const char *sql =
		"SELECT d.domain, d.issuance_id FROM issuance_domains d"
		" JOIN domains m ON m.domain = d.domain"
		" JOIN issuances i ON i.id = d.issuance_id "
		"WHERE i.not_after >= ?2 AND i.not_after < ?3 "
		"ORDER BY d.domain, i.not_after, i.id";
	sqlite3_stmt *st;
	int rc = CTMON_OK, step, monitored = 0;

	if (domain) {
		rc = ctm_store_is_monitored(s, domain, &monitored);
		if (rc != CTMON_OK)
			return rc;
		slot = monitored ? ST_ISS_OF_DOMAIN : ST_ISS_OF_DOMAIN_SCAN;
		/* Not a monitored domain: no links exist, so scan names. */
		sql = monitored
			      ? "SELECT d.domain, d.issuance_id FROM "
				"issuance_domains d JOIN issuances i ON "
				"i.id = d.issuance_id WHERE d.domain = ?1 AND "
				"i.not_after >= ?2 AND i.not_after < ?3 "
				"ORDER BY i.not_after, i.id"
			      : "SELECT ?1, i.id FROM issuances i "
				"WHERE i.not_after >= ?2 AND i.not_after < ?3 "
				"AND i.id IN (" CTM_ISSUANCES_UNDER_SCAN ") "
				"ORDER BY i.not_after, i.id";
	}
	st = ctm_stmt_get(s, slot, sql);
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_int64(st, 2, from);
	ctm_bind_int64(st, 3, to);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ctmon_issuance *is = NULL;
		int stop;
		rc = ctm_store_issuance_load(s, sqlite3_column_int64(st, 1),
					     ctm_col_text(st, 0), &is);
		if (rc != CTMON_OK)
			break;
		stop = fn(ctx, is);
		ctm_store_issuance_free(is);
		if (stop)
			break;
	}
	if (rc == CTMON_OK && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = ctm_store_fail(s, "listing issuances");
	ctm_stmt_put(s, slot, st);
	return rc;
}

int ctm_store_name_covered_until(struct ctm_store *s, const char *name,
				 int64_t except_issuance, int64_t now,
				 int64_t *until)
{
	const char *parent = name ? strchr(name, '.') : NULL;
	struct ctm_buf wild;
	sqlite3_stmt *st;
	int rc = CTMON_OK;

	*until = 0;
	if (!name)
		return ctm_store_failf(s, CTMON_EINVAL, "no name");
	ctm_buf_init(&wild);
	/* A wildcard covers one label: "*.example.com" covers
	 * "www.example.com", not "example.com" nor "a.b.example.com". */
	if (parent && !ctm_name_is_wildcard(name) && strchr(parent + 1, '.')) {
		ctm_buf_puts(&wild, "*");
		ctm_buf_puts(&wild, parent);
		if (wild.oom) {
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
			goto out;
		}
	}
	st = ctm_stmt_get(s, ST_COVERED_UNTIL,
			  "SELECT MAX(i.not_after) FROM certificate_names n"
			  " JOIN issuances i ON i.id = n.issuance_id "
			  "WHERE n.name IN (?1, ?2) AND n.issuance_id <> ?3"
			  " AND i.not_before <= ?4");
	if (!st) {
		rc = CTMON_EIO;
		goto out;
	}
	ctm_bind_text(st, 1, name);
	ctm_bind_text(st, 2, wild.data);
	ctm_bind_int64(st, 3, except_issuance);
	ctm_bind_int64(st, 4, now);
	if (sqlite3_step(st) == SQLITE_ROW)
		*until = col_int64_or(st, 0, 0);
	else
		rc = ctm_store_fail(s, "finding covering issuances");
	ctm_stmt_put(s, ST_COVERED_UNTIL, st);
out:
	ctm_buf_free(&wild);
	return rc;
}
