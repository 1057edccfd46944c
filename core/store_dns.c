/* store_dns.c - see store_dns.h.  The due list is bounded by the caller
 * so a store full of never-resolved names (years of --no-resolve-dns)
 * costs one bounded batch per cycle, not one huge one. */
#include "store_dns.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static int walk(struct ctm_store *s, enum ctm_stmt_slot slot,
		sqlite3_stmt *st,
		int (*fn)(void *ctx, const char *domain, const char *name),
		void *ctx, const char *what)
{
	int rc = CTMON_OK, step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, ctm_col_text(st, 0), ctm_col_text(st, 1)) != 0)
			break;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = ctm_store_fail(s, what);
	ctm_stmt_put(s, slot, st);
	return rc;
}

int ctm_store_subdomain_dns_new(struct ctm_store *s, int64_t now,
				int (*fn)(void *ctx, const char *domain,
					  const char *name),
				void *ctx)
{
	sqlite3_stmt *st;

	st = ctm_stmt_get(s, ST_SUB_DNS_NEW,
			  "SELECT domain, name FROM subdomains "
			  "WHERE first_seen = ?1 AND resolved_at IS NULL");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, now);
	return walk(s, ST_SUB_DNS_NEW, st, fn, ctx,
		    "listing new subdomains to resolve");
}

int ctm_store_subdomain_dns_due(struct ctm_store *s, int64_t now,
				int64_t stale_before, size_t limit,
				int (*fn)(void *ctx, const char *domain,
					  const char *name),
				void *ctx)
{
	sqlite3_stmt *st;

	/* Timeouts and server failures are transient: asked again next
	 * cycle.  Definitive answers wait until they are stale. */
	st = ctm_stmt_get(
		s, ST_SUB_DNS_DUE,
		"SELECT domain, name FROM subdomains "
		"WHERE first_seen < ?1 AND (resolved_at IS NULL"
		" OR dns_status IN ('timeout', 'servfail')"
		" OR resolved_at < ?2) "
		"ORDER BY resolved_at IS NOT NULL, resolved_at, domain, name "
		"LIMIT ?3");
	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, now);
	ctm_bind_int64(st, 2, stale_before);
	ctm_bind_int64(st, 3, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	return walk(s, ST_SUB_DNS_DUE, st, fn, ctx,
		    "listing subdomains due for DNS");
}

static int dup_col(sqlite3_stmt *st, int col, char **out)
{
	const char *t = ctm_col_text(st, col);

	*out = NULL;
	if (!t)
		return 0;
	*out = strdup(t);
	return *out ? 0 : -1;
}

int ctm_store_subdomain_get_dns(struct ctm_store *s, const char *domain,
				const char *name, struct ctm_dns_row *out)
{
	sqlite3_stmt *st;
	int rc = CTMON_OK, step;

	memset(out, 0, sizeof *out);
	st = ctm_stmt_get(s, ST_SUB_DNS_GET,
			  "SELECT dns_status, addresses, cname, resolved_at "
			  "FROM subdomains WHERE domain = ? AND name = ? "
			  "AND dns_status IS NOT NULL");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_text(st, 2, name);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->resolved_at = sqlite3_column_int64(st, 3);
		if (dup_col(st, 0, &out->status) ||
		    dup_col(st, 1, &out->addresses) ||
		    dup_col(st, 2, &out->cname))
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
	} else if (step == SQLITE_DONE) {
		rc = CTMON_ENOTFOUND;
	} else {
		rc = ctm_store_fail(s, "reading a DNS result");
	}
	ctm_stmt_put(s, ST_SUB_DNS_GET, st);
	if (rc != CTMON_OK)
		ctm_dns_row_free(out);
	return rc;
}

void ctm_dns_row_free(struct ctm_dns_row *r)
{
	free(r->status);
	free(r->addresses);
	free(r->cname);
	memset(r, 0, sizeof *r);
}
