/* store_ingest.c - ingest of certificate records: finding or creating the
 * certificate and its issuance, the issuance's names and its links to the
 * monitored domains. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "dn.h"
#include "names.h"

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
	if (k > 1) /* a record of malformed names only has none */
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

/* The issuance key of store.h into s->key.  The issuer is its canonical
 * DN whatever the source: crt.sh's issuer_name text and a CT log's DER
 * Name map to the same string, so one certificate seen through both is
 * one issuance.  The crt.sh CA id is the fallback when no DN is known. */
static int build_issuance_key(struct ctm_store *s, const struct ctmon_cert *c,
			      size_t n_names)
{
	struct ctm_buf *b = &s->key;
	char num[64];

	ctm_buf_reset(b);
	if (c->issuer_dn && c->issuer_dn[0]) {
		char *dn = ctm_dn_canonical(c->issuer_dn);
		if (!dn)
			return ctm_store_failf(s, CTMON_ENOMEM,
					       "out of memory");
		ctm_buf_puts(b, "dn:");
		ctm_buf_puts(b, dn);
		free(dn);
	} else {
		snprintf(num, sizeof num, "ca:%lld",
			 (long long)c->issuer_ca_id);
		ctm_buf_puts(b, num);
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
		while (i < n && !ctm_name_matches(s->sorted[i], domains[d]))
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

/* An issuance first seen in a CT log learns its crt.sh CA id when crt.sh
 * shows the same certificate, so CA-id rules and links work for it. */
static int set_issuer_ca_id(struct ctm_store *s, int64_t issuance_id,
			    int64_t ca_id)
{
	sqlite3_stmt *st = ctm_stmt_get(
		s, ST_ISS_SET_CA,
		"UPDATE issuances SET issuer_ca_id = ? WHERE id = ?");
	int rc;

	if (!st)
		return CTMON_EIO;
	ctm_bind_int64(st, 1, ca_id);
	ctm_bind_int64(st, 2, issuance_id);
	rc = ctm_stmt_exec(s, st, "recording a CA id");
	ctm_stmt_put(s, ST_ISS_SET_CA, st);
	return rc;
}

/* Finds the issuance for s->key or creates it from the record (names_json
 * from s->json); *same as in find_cert. */
static int issuance_for(struct ctm_store *s, const struct ctmon_cert *c,
			int64_t now, int64_t *id, int *is_new, int *same)
{
	sqlite3_stmt *st;
	int64_t known_ca = 0;
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
			  "SELECT id, names_json, issuer_ca_id FROM issuances "
			  "WHERE issuance_key = ?");
	if (!st)
		return CTMON_EIO;
	ctm_bind_text(st, 1, s->key.data);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*same = same_names(s, st, 1);
		known_ca = sqlite3_column_int64(st, 2);
		rc = CTMON_OK;
	} else {
		rc = ctm_store_fail(s, "finding an issuance");
	}
	ctm_stmt_put(s, ST_ISS_BY_KEY, st);
	if (rc == CTMON_OK && known_ca <= 0 && c->issuer_ca_id > 0)
		rc = set_issuer_ca_id(s, *id, c->issuer_ca_id);
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
