/* store_rekey.c - schema version 2: one issuance per certificate whatever
 * source saw it.  Version 1 keyed an issuance by the crt.sh CA id when it
 * had one and by the canonical issuer DN otherwise, so a certificate seen
 * through crt.sh and through a CT log became two issuances and raised
 * every rule's alert twice.  Version 2 keys every issuance by the DN; this
 * migration rekeys the old rows and merges the duplicates it finds.
 *
 * Merging keeps the oldest issuance (lowest id).  Its certificates, names,
 * domain links and subdomain references take over the others'; an alert
 * of a merged issuance is renamed to the survivor's key, unless the
 * survivor already has that alert, in which case the survivor's alert is
 * kept (its id), acknowledged if either was, and the duplicate with its
 * outbox rows goes. */
#include "store_internal.h"

#include <stdlib.h>

#include "dn.h"

/* ctm_dn_canonical(text) as an SQL function, for the migration. */
static void sql_dn_canonical(sqlite3_context *ctx, int argc,
			     sqlite3_value **argv)
{
	const unsigned char *in;
	char *dn;

	(void)argc;
	in = sqlite3_value_text(argv[0]);
	if (!in) {
		sqlite3_result_null(ctx);
		return;
	}
	dn = ctm_dn_canonical((const char *)in);
	if (!dn) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, dn, -1, free);
}

int ctm_store_register_functions(struct ctm_store *s)
{
	if (sqlite3_create_function(s->db, "ctm_dn_canonical", 1,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC |
					    SQLITE_DIRECTONLY,
				    NULL, sql_dn_canonical, NULL,
				    NULL) != SQLITE_OK)
		return ctm_store_fail(s, "registering SQL functions");
	return CTMON_OK;
}

/* An alert key that names an issuance is its id ("42") or starts with it
 * ("42:7d", the expiry thresholds); others (a name) are left alone. */
#define REKEYED_ALERT_KEY(col, old, new)                                       \
	"CASE WHEN " col " = CAST(" old " AS TEXT) THEN CAST(" new             \
	" AS TEXT) WHEN " col " LIKE CAST(" old " AS TEXT) || ':%' THEN "      \
	"CAST(" new " AS TEXT) || substr(" col ", length(CAST(" old            \
	" AS TEXT)) + 1) ELSE " col " END"

const char ctm_schema_v2[] =
	/* The new key of every issuance keyed by CA id with a DN known. */
	"CREATE TEMP TABLE m_rekey AS SELECT id, 'dn:' ||"
	" ctm_dn_canonical(issuer_dn) ||"
	" substr(issuance_key, instr(issuance_key, '|')) AS new_key"
	" FROM issuances WHERE issuance_key LIKE 'ca:%'"
	" AND issuer_dn IS NOT NULL AND issuer_dn <> ''"
	" AND instr(issuance_key, '|') > 0;"
	/* Every issuance that will carry each new key, and its survivor. */
	"CREATE TEMP TABLE m_group AS"
	" SELECT id, new_key AS k FROM m_rekey UNION"
	" SELECT i.id, i.issuance_key FROM issuances i"
	" WHERE i.issuance_key IN (SELECT new_key FROM m_rekey);"
	"CREATE TEMP TABLE m_map AS SELECT g.id AS old_id,"
	" (SELECT MIN(g2.id) FROM m_group g2 WHERE g2.k = g.k) AS new_id"
	" FROM m_group g;"
	"DELETE FROM m_map WHERE old_id = new_id;"
	"CREATE UNIQUE INDEX temp.m_map_old ON m_map(old_id);"

	"UPDATE certificates SET issuance_id = (SELECT new_id FROM m_map"
	" WHERE old_id = certificates.issuance_id)"
	" WHERE issuance_id IN (SELECT old_id FROM m_map);"
	"INSERT OR IGNORE INTO certificate_names (issuance_id, name)"
	" SELECT m.new_id, n.name FROM certificate_names n"
	" JOIN m_map m ON m.old_id = n.issuance_id;"
	"DELETE FROM certificate_names"
	" WHERE issuance_id IN (SELECT old_id FROM m_map);"
	"INSERT OR IGNORE INTO issuance_domains (domain, issuance_id)"
	" SELECT d.domain, m.new_id FROM issuance_domains d"
	" JOIN m_map m ON m.old_id = d.issuance_id;"
	"DELETE FROM issuance_domains"
	" WHERE issuance_id IN (SELECT old_id FROM m_map);"
	"UPDATE subdomains SET first_issuance_id = (SELECT new_id FROM m_map"
	" WHERE old_id = subdomains.first_issuance_id)"
	" WHERE first_issuance_id IN (SELECT old_id FROM m_map);"
	/* The survivor learns the CA id a merged crt.sh issuance had. */
	"UPDATE issuances SET issuer_ca_id = (SELECT MAX(i.issuer_ca_id)"
	" FROM issuances i JOIN m_map m ON m.old_id = i.id"
	" WHERE m.new_id = issuances.id)"
	" WHERE COALESCE(issuer_ca_id, 0) <= 0"
	" AND id IN (SELECT new_id FROM m_map);"

	/* Alerts: rename to the survivor where it has no such alert. */
	"UPDATE OR IGNORE alerts SET"
	" alert_key = (SELECT " REKEYED_ALERT_KEY(
		"alerts.alert_key", "m.old_id",
		"m.new_id") " FROM m_map m WHERE m.old_id = alerts.issuance_id),"
	" issuance_id = (SELECT new_id FROM m_map"
	" WHERE old_id = alerts.issuance_id)"
	" WHERE issuance_id IN (SELECT old_id FROM m_map);"
	/* What is left is a duplicate of a survivor's alert. */
	"CREATE TEMP TABLE m_dup AS SELECT a.id AS dup_id, k.id AS keep_id,"
	" a.acknowledged_at AS ack FROM alerts a JOIN m_map m"
	" ON m.old_id = a.issuance_id JOIN alerts k ON k.type = a.type"
	" AND k.domain = a.domain AND k.alert_key = " REKEYED_ALERT_KEY(
		"a.alert_key", "m.old_id", "m.new_id") ";"
	"UPDATE alerts SET acknowledged_at = (SELECT MIN(d.ack) FROM m_dup d"
	" WHERE d.keep_id = alerts.id)"
	" WHERE acknowledged_at IS NULL AND id IN"
	" (SELECT keep_id FROM m_dup WHERE ack IS NOT NULL);"
	"DELETE FROM outbox WHERE alert_id IN (SELECT dup_id FROM m_dup);"
	"DELETE FROM alerts WHERE id IN (SELECT dup_id FROM m_dup);"

	"UPDATE issuances SET names_json = (SELECT json_group_array(name)"
	" FROM (SELECT name FROM certificate_names"
	" WHERE issuance_id = issuances.id ORDER BY name))"
	" WHERE id IN (SELECT new_id FROM m_map);"
	"DELETE FROM issuances WHERE id IN (SELECT old_id FROM m_map);"
	"UPDATE issuances SET issuance_key = (SELECT new_key FROM m_rekey r"
	" WHERE r.id = issuances.id) WHERE id IN (SELECT id FROM m_rekey);"
	"DROP TABLE m_dup; DROP TABLE m_map; DROP TABLE m_group;"
	"DROP TABLE m_rekey;";
