/* store_issuance.c - issuances as checks see them: loading one back,
 * walking those of a domain, and when a name stays covered. */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"

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
		if (!domain || ctm_name_matches(all[i], domain))
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
			  " AND i.not_before <= ?4 AND i.not_before >"
			  " COALESCE((SELECT not_before FROM issuances"
			  " WHERE id = ?3), -9223372036854775807)");
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
