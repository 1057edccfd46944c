/* store.c - what the store records about monitored domains, source
 * cursors and per-plugin state.  The connection (open, schema, statement
 * cache, transactions) is in store_schema.c; ingest of certificate records
 * is in store_ingest.c, loading issuances back as checks see them in
 * store_issuance.c, subdomains in store_subdomains.c; alerts, outbox and
 * authorised CAs have their own files. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

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
