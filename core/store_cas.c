/* store_cas.c - authorised CAs (--add-ca, --auto-baseline, config), per
 * domain or global.  A CA matches by crt.sh CA id when both sides know it,
 * else by canonical issuer DN (dn.h), so crt.sh's quoted spelling and a
 * certificate dump's unquoted one are the same CA. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "dn.h"

static int valid_source(const char *source)
{
	return source &&
	       (strcmp(source, "cli") == 0 || strcmp(source, "auto") == 0 ||
		strcmp(source, "config") == 0);
}

/* Inserts a row unless an identical one exists; *added = 1 if inserted. */
static int ca_insert(struct ctm_store *s, const char *domain, const char *name,
		     int64_t ca_id, const char *dn_canonical,
		     const char *source, int64_t now, int *added)
{
	sqlite3_stmt *st;
	int rc;

	st = ctm_stmt_get(s, ST_CA_INSERT,
			  "INSERT INTO authorized_cas (domain, name, ca_id,"
			  " dn_canonical, source, added_at) "
			  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_text(st, 2, name);
	ctm_bind_int64_or_null(st, 3, ca_id > 0 ? ca_id : 0, 0);
	ctm_bind_text(st, 4, dn_canonical);
	ctm_bind_text(st, 5, source);
	ctm_bind_int64(st, 6, now);
	rc = ctm_stmt_exec(s, st, "adding an authorised CA");
	ctm_stmt_put(s, ST_CA_INSERT, st);
	if (rc == CTMON_OK && added)
		*added = sqlite3_changes(s->db) > 0;
	return rc;
}

int ctm_store_ca_add(struct ctm_store *s, const char *domain, const char *name,
		     int64_t ca_id, const char *source, int64_t now)
{
	char *dn = NULL;
	int rc;

	if (!name || !name[0])
		return ctm_store_failf(s, CTMON_EINVAL, "CA without a name");
	if (!valid_source(source))
		return ctm_store_failf(s, CTMON_EINVAL,
				       "CA source must be cli, auto or config");
	/* Without an id the name is the issuer DN to match; with one, a name
	 * that looks like a DN matches by DN as well (sources without crt.sh
	 * ids, such as CT logs, can then be recognised too). */
	if (ca_id <= 0 || strchr(name, '=')) {
		dn = ctm_dn_canonical(name);
		if (!dn)
			return ctm_store_failf(s, CTMON_ENOMEM,
					       "out of memory");
	}
	rc = ca_insert(s, domain, name, ca_id, dn, source, now, NULL);
	free(dn);
	return rc;
}

int ctm_store_ca_remove(struct ctm_store *s, const char *domain,
			const char *name_or_id, int *removed)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	*removed = 0;
	if (!name_or_id || !name_or_id[0])
		return ctm_store_failf(s, CTMON_EINVAL, "no CA to remove");
	st = ctm_stmt_get(
		s, ST_CA_REMOVE,
		"DELETE FROM authorized_cas "
		"WHERE (?1 IS NULL OR domain IS NULL OR domain = ?1)"
		" AND ((?2 IS NOT NULL AND ca_id = ?2) OR name = ?3)");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	if (ctm_parse_int64(name_or_id, &id) == 0 && id > 0)
		ctm_bind_int64(st, 2, id);
	ctm_bind_text(st, 3, name_or_id);
	rc = ctm_stmt_exec(s, st, "removing an authorised CA");
	ctm_stmt_put(s, ST_CA_REMOVE, st);
	if (rc == CTMON_OK)
		*removed = sqlite3_changes(s->db);
	return rc;
}

int ctm_store_ca_count(struct ctm_store *s, const char *domain, int64_t *count)
{
	sqlite3_stmt *st;
	int rc;

	*count = 0;
	st = ctm_stmt_get(s, ST_CA_COUNT,
			  "SELECT count(*) FROM authorized_cas "
			  "WHERE domain IS NULL OR domain = ?1");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		rc = CTMON_OK;
	} else {
		rc = ctm_store_fail(s, "counting authorised CAs");
	}
	ctm_stmt_put(s, ST_CA_COUNT, st);
	return rc;
}

/* Matches against an already canonical DN (NULL: by id only). */
static int ca_match(struct ctm_store *s, const char *domain, int64_t ca_id,
		    const char *dn_canonical, int *authorized)
{
	sqlite3_stmt *st;
	int rc, step;

	*authorized = 0;
	st = ctm_stmt_get(
		s, ST_CA_MATCH,
		"SELECT 1 FROM authorized_cas "
		"WHERE (domain IS NULL OR domain = ?1)"
		" AND ((?2 > 0 AND ca_id = ?2)"
		"  OR (?3 IS NOT NULL AND dn_canonical = ?3)) LIMIT 1");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	ctm_bind_int64(st, 2, ca_id);
	ctm_bind_text(st, 3, dn_canonical);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW || step == SQLITE_DONE) {
		*authorized = step == SQLITE_ROW;
		rc = CTMON_OK;
	} else {
		rc = ctm_store_fail(s, "matching authorised CAs");
	}
	ctm_stmt_put(s, ST_CA_MATCH, st);
	return rc;
}

int ctm_store_ca_is_authorized(struct ctm_store *s, const char *domain,
			       int64_t ca_id, const char *issuer_dn,
			       int *authorized)
{
	char *dn = NULL;
	int rc;

	*authorized = 0;
	if (issuer_dn && issuer_dn[0]) {
		dn = ctm_dn_canonical(issuer_dn);
		if (!dn)
			return ctm_store_failf(s, CTMON_ENOMEM,
					       "out of memory");
	}
	rc = ca_match(s, domain, ca_id, dn, authorized);
	free(dn);
	return rc;
}

/* Records one issuer of the domain unless it is authorised already. */
static int baseline_issuer(struct ctm_store *s, const char *domain,
			   int64_t ca_id, const char *issuer_dn, int64_t now,
			   int *added)
{
	char *dn = NULL, *name = NULL;
	int rc, known = 0, inserted = 0;

	/* "Issuer Not Found" and the like are not a CA: authorising them
	 * would silence every future unknown issuer. */
	if (ca_id <= 0 && (!issuer_dn || !strchr(issuer_dn, '=')))
		return CTMON_OK;
	if (issuer_dn && issuer_dn[0]) {
		dn = ctm_dn_canonical(issuer_dn);
		name = ctm_dn_attr(issuer_dn, "CN");
		if (!dn) {
			rc = ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
			goto out;
		}
	}
	rc = ca_match(s, domain, ca_id, dn, &known);
	if (rc != CTMON_OK || known)
		goto out;
	rc = ca_insert(
		s, domain,
		name && name[0]
			? name
			: (issuer_dn && issuer_dn[0] ? issuer_dn : "unknown"),
		ca_id, dn, "auto", now, &inserted);
	*added += inserted;
out:
	free(dn);
	free(name);
	return rc;
}

int ctm_store_ca_auto_baseline(struct ctm_store *s, const char *domain,
			       int64_t now, int *added)
{
	enum ctm_stmt_slot slot;
	sqlite3_stmt *st;
	int rc, step, monitored = 0;

	*added = 0;
	if (!domain)
		return ctm_store_failf(s, CTMON_EINVAL, "no domain");
	rc = ctm_store_is_monitored(s, domain, &monitored);
	if (rc != CTMON_OK)
		return rc;
	slot = monitored ? ST_CA_ISSUERS_OF : ST_CA_ISSUERS_SCAN;
	st = ctm_stmt_get(
		s, slot,
		monitored ? "SELECT DISTINCT i.issuer_ca_id, i.issuer_dn "
			    "FROM issuance_domains d JOIN issuances i"
			    " ON i.id = d.issuance_id WHERE d.domain = ?1 "
			    "ORDER BY 1, 2"
			  : "SELECT DISTINCT i.issuer_ca_id, i.issuer_dn "
			    "FROM issuances i WHERE i.id IN "
			    "(" CTM_ISSUANCES_UNDER_SCAN ") ORDER BY 1, 2");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, domain);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = baseline_issuer(s, domain, sqlite3_column_int64(st, 0),
				     ctm_col_text(st, 1), now, added);
		if (rc != CTMON_OK)
			break;
	}
	if (rc == CTMON_OK && step != SQLITE_DONE)
		rc = ctm_store_fail(s, "listing the domain's issuers");
	ctm_stmt_put(s, slot, st);
	return rc;
}

void ctm_store_ca_print(struct ctm_store *s, FILE *fp)
{
	sqlite3_stmt *st;
	struct ctm_buf name;
	int step, rows = 0;

	ctm_buf_init(&name);
	st = ctm_stmt_get(s, ST_CA_LIST,
			  "SELECT id, domain, ca_id, source, added_at, name,"
			  " dn_canonical FROM authorized_cas "
			  "ORDER BY domain IS NOT NULL, domain, name, id");
	if (!st) {
		fprintf(fp, "cannot read authorised CAs: %s\n", s->errmsg);
		return;
	}
	fprintf(fp, "%-5s %-24s %-9s %-7s %-20s %s\n", "ROW", "DOMAIN", "CA ID",
		"SOURCE", "ADDED", "NAME");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *domain = ctm_col_text(st, 1);
		const char *dn = ctm_col_text(st, 6);
		char id[24], when[32];

		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			snprintf(id, sizeof id, "-");
		else
			snprintf(id, sizeof id, "%lld",
				 (long long)sqlite3_column_int64(st, 2));
		ctm_format_time(sqlite3_column_int64(st, 4), when, sizeof when);
		/* Names and DNs come from certificates (--auto-baseline). */
		ctm_buf_reset(&name);
		ctm_buf_term_safe(&name, ctm_col_text(st, 5));
		fprintf(fp, "%-5lld %-24s %-9s %-7s %-20s %s\n",
			(long long)sqlite3_column_int64(st, 0),
			domain ? domain : "(all domains)", id,
			ctm_col_text(st, 3), when, name.data ? name.data : "");
		if (dn) {
			ctm_buf_reset(&name);
			ctm_buf_term_safe(&name, dn);
			fprintf(fp, "%-5s %-24s matches issuer DN: %s\n", "",
				"", name.data ? name.data : "");
		}
		rows++;
	}
	if (step != SQLITE_DONE)
		fprintf(fp, "error reading authorised CAs: %s\n",
			sqlite3_errmsg(s->db));
	else if (rows == 0)
		fprintf(fp, "(no authorised CAs)\n");
	ctm_stmt_put(s, ST_CA_LIST, st);
	ctm_buf_free(&name);
}
