/* store_schema.c - the store's connection: opening it (pragmas, schema
 * migrations), errors, the prepared-statement cache and transactions.
 *
 * PRAGMA
 * user_version holds the version of the schema a database has; each
 * migration takes it from N-1 to N in its own transaction, so a crash
 * mid-upgrade leaves the database at a version it really has.  To change
 * the schema, append a migration; never edit a released one.  docs/store.md
 * explains every table. */
#include "store_internal.h"

#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct migration {
	int version;
	const char *sql;
};

static const char schema_v1[] =
	"CREATE TABLE domains ("
	" domain TEXT PRIMARY KEY,"
	" added_at INTEGER NOT NULL,"
	" baselined_at INTEGER);"

	/* One row per issuance: a precertificate and its certificate. */
	"CREATE TABLE issuances ("
	" id INTEGER PRIMARY KEY,"
	" issuance_key TEXT NOT NULL UNIQUE,"
	" issuer_ca_id INTEGER,"
	" issuer_dn TEXT,"
	" serial TEXT,"
	" not_before INTEGER,"
	" not_after INTEGER,"
	" subject_cn TEXT,"
	" first_seen INTEGER NOT NULL,"
	" names_json TEXT NOT NULL DEFAULT '[]');"
	"CREATE INDEX issuances_not_after ON issuances(not_after);"

	"CREATE TABLE certificates ("
	" id INTEGER PRIMARY KEY,"
	" issuance_id INTEGER NOT NULL REFERENCES issuances(id),"
	" crtsh_id INTEGER,"
	" log_id TEXT,"
	" log_index INTEGER,"
	" fingerprint TEXT,"
	" issuer_ca_id INTEGER,"
	" issuer_dn TEXT,"
	" subject_cn TEXT,"
	" serial TEXT,"
	" not_before INTEGER,"
	" not_after INTEGER,"
	" entry_timestamp INTEGER,"
	" is_precert INTEGER,"
	" der BLOB,"
	" source TEXT,"
	" first_seen INTEGER NOT NULL);"
	/* Each identity is unique when present.  Partial indexes, because a
	 * crt.sh record has no log entry and a log entry no crt.sh id: NULL
	 * keys would cost an index insert per record for nothing. */
	"CREATE UNIQUE INDEX certificates_crtsh_id ON certificates(crtsh_id)"
	" WHERE crtsh_id IS NOT NULL;"
	"CREATE UNIQUE INDEX certificates_log_entry ON certificates"
	" (log_id, log_index) WHERE log_id IS NOT NULL;"
	"CREATE UNIQUE INDEX certificates_fingerprint ON certificates"
	" (fingerprint) WHERE fingerprint IS NOT NULL;"
	"CREATE INDEX certificates_issuance ON certificates(issuance_id);"

	/* certificate_names and issuance_domains are indexes of issuances
	 * that only ingest writes, right after the issuance row.  They have
	 * no FOREIGN KEY clause on purpose: the per-row parent lookup cost
	 * about 15% of ingest time and guarded against nothing. */
	"CREATE TABLE certificate_names ("
	" issuance_id INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" PRIMARY KEY (issuance_id, name)) WITHOUT ROWID;"
	"CREATE INDEX certificate_names_name ON certificate_names(name);"

	/* Which monitored domain(s) an issuance falls under: "names under a
	 * domain" is a suffix match no index can serve, so it is computed
	 * once at ingest instead of scanned for on every cycle. */
	"CREATE TABLE issuance_domains ("
	" domain TEXT NOT NULL,"
	" issuance_id INTEGER NOT NULL,"
	" PRIMARY KEY (domain, issuance_id)) WITHOUT ROWID;"

	"CREATE TABLE subdomains ("
	" domain TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" first_issuance_id INTEGER REFERENCES issuances(id),"
	" dns_status TEXT,"
	" addresses TEXT,"
	" cname TEXT,"
	" resolved_at INTEGER,"
	" PRIMARY KEY (domain, name)) WITHOUT ROWID;"
	/* The checks ask which names an issuance brought first. */
	"CREATE INDEX subdomains_first_issuance ON "
	"subdomains(first_issuance_id);"

	/* NULL domain = global, NULL ca_id / dn_canonical = not matched on.
	 * SQLite treats NULLs as distinct in UNIQUE, so uniqueness is an
	 * index on the COALESCEd values: duplicates really are refused. */
	"CREATE TABLE authorized_cas ("
	" id INTEGER PRIMARY KEY,"
	" domain TEXT,"
	" name TEXT NOT NULL,"
	" ca_id INTEGER,"
	" dn_canonical TEXT,"
	" source TEXT NOT NULL CHECK (source IN ('cli', 'auto', 'config')),"
	" added_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX authorized_cas_unique ON authorized_cas ("
	" COALESCE(domain, ''), COALESCE(ca_id, 0),"
	" COALESCE(dn_canonical, ''));"

	"CREATE TABLE alerts ("
	" id INTEGER PRIMARY KEY,"
	" type TEXT NOT NULL,"
	" severity INTEGER NOT NULL,"
	" domain TEXT NOT NULL,"
	" alert_key TEXT NOT NULL,"
	" details TEXT NOT NULL DEFAULT '{}',"
	" issuance_id INTEGER REFERENCES issuances(id),"
	" check_id TEXT,"
	" created_at INTEGER NOT NULL,"
	" baseline INTEGER NOT NULL DEFAULT 0,"
	" acknowledged_at INTEGER,"
	" UNIQUE (type, domain, alert_key));"
	"CREATE INDEX alerts_created ON alerts(created_at);"

	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY,"
	" alert_id INTEGER NOT NULL REFERENCES alerts(id),"
	" notifier_id TEXT NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (status IN ('pending', 'delivered', 'failed')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt INTEGER NOT NULL,"
	" last_error TEXT,"
	" created_at INTEGER NOT NULL,"
	" delivered_at INTEGER,"
	" UNIQUE (alert_id, notifier_id));"
	"CREATE INDEX outbox_due ON outbox(notifier_id, status, next_attempt);"

	"CREATE TABLE source_cursors ("
	" source_id TEXT NOT NULL,"
	" key TEXT NOT NULL,"
	" value TEXT NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (source_id, key)) WITHOUT ROWID;"

	"CREATE TABLE plugin_state ("
	" ns TEXT NOT NULL,"
	" key TEXT NOT NULL,"
	" value TEXT NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (ns, key)) WITHOUT ROWID;";

/* Append version 3, 4, ... here. */
static const struct migration migrations[] = {
	{1, schema_v1},
	{2, ctm_schema_v2}, /* store_rekey.c */
};

#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

int ctm_store_schema_version(void)
{
	return migrations[N_MIGRATIONS - 1].version;
}

static int read_user_version(struct ctm_store *s, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return ctm_store_fail(s, "reading the schema version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = CTMON_OK;
	} else {
		rc = ctm_store_fail(s, "reading the schema version");
	}
	sqlite3_finalize(st);
	return rc;
}

static int apply(struct ctm_store *s, const struct migration *m)
{
	char sql[64];
	char what[64];
	int current = 0;

	snprintf(what, sizeof what, "migrating to schema version %d",
		 m->version);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return ctm_store_fail(s, what);
	/* Another process may have migrated while we waited for the lock. */
	if (read_user_version(s, &current) != CTMON_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return CTMON_EIO;
	}
	if (current >= m->version)
		return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) ==
				       SQLITE_OK
			       ? CTMON_OK
			       : ctm_store_fail(s, what);
	/* PRAGMA takes no bound parameters; the version is our constant. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
	if (sqlite3_exec(s->db, m->sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = ctm_store_fail(s, what);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return CTMON_OK;
}

int ctm_store_migrate(struct ctm_store *s)
{
	int version = 0, rc;

	rc = read_user_version(s, &version);
	if (rc != CTMON_OK)
		return rc;
	if (version > ctm_store_schema_version())
		return ctm_store_failf(
			s, CTMON_EIO,
			"database schema version %d is newer than this "
			"ctmon understands (%d); use a newer ctmon",
			version, ctm_store_schema_version());
	for (size_t i = 0; i < N_MIGRATIONS; i++) {
		if (migrations[i].version <= version)
			continue;
		rc = apply(s, &migrations[i]);
		if (rc != CTMON_OK)
			return rc;
	}
	return CTMON_OK;
}

/* ---- errors ------------------------------------------------------------ */

int ctm_store_fail(struct ctm_store *s, const char *what)
{
	int code = sqlite3_errcode(s->db);

	snprintf(s->errmsg, sizeof s->errmsg, "%s: %s", what,
		 sqlite3_errmsg(s->db));
	return code == SQLITE_NOMEM ? CTMON_ENOMEM : CTMON_EIO;
}

int ctm_store_failf(struct ctm_store *s, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
	va_end(ap);
	return rc;
}

const char *ctm_store_errmsg(struct ctm_store *s)
{
	if (!s)
		return "no store";
	return s->errmsg[0] ? s->errmsg : "no error";
}

struct sqlite3 *ctm_store_db(struct ctm_store *s)
{
	return s->db;
}

/* ---- statements -------------------------------------------------------- */

sqlite3_stmt *ctm_stmt_get(struct ctm_store *s, enum ctm_stmt_slot slot,
			   const char *sql)
{
	sqlite3_stmt *st = s->stmt[slot];

	if (st && !sqlite3_stmt_busy(st))
		return st;
	if (sqlite3_prepare_v3(s->db, sql, -1,
			       st ? 0 : SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		ctm_store_fail(s, "preparing a statement");
		return NULL;
	}
	if (!s->stmt[slot])
		s->stmt[slot] = st;
	return st;
}

void ctm_stmt_put(struct ctm_store *s, enum ctm_stmt_slot slot,
		  sqlite3_stmt *st)
{
	if (!st)
		return;
	if (st != s->stmt[slot]) {
		sqlite3_finalize(st);
		return;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int ctm_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (!v)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

int ctm_bind_int64(sqlite3_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

int ctm_bind_int64_or_null(sqlite3_stmt *st, int i, int64_t v, int64_t null_if)
{
	if (v == null_if)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

const char *ctm_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int ctm_stmt_exec(struct ctm_store *s, sqlite3_stmt *st, const char *what)
{
	int rc;

	do
		rc = sqlite3_step(st);
	while (rc == SQLITE_ROW);
	return rc == SQLITE_DONE ? CTMON_OK : ctm_store_fail(s, what);
}

/* ---- open / close ------------------------------------------------------ */

/* Another process holds the write lock (the sqlite3 shell, a CLI
 * command): wait up to CTM_STORE_BUSY_MS, saying so once, instead of a
 * silent pause followed by a bare "database is locked". */
static int on_busy(void *arg, int count)
{
	struct ctm_store *s = arg;
	int step = count < 10 ? 10 * (count + 1) : 100;

	if (count == 0)
		s->busy_waited_ms = 0;
	if (s->busy_waited_ms >= CTM_STORE_BUSY_MS)
		return 0;
	if (count == 0)
		ctm_warn("store %s is busy: another process is writing it; "
			 "waiting up to %d s", s->path ? s->path : "?",
			 CTM_STORE_BUSY_MS / 1000);
	sqlite3_sleep(step);
	s->busy_waited_ms += step;
	return 1;
}

static int configure(struct ctm_store *s)
{
	/* WAL lets the report and CLI read while a cycle writes; NORMAL is
	 * durable at every checkpoint and safe against corruption in WAL. */
	/* 16 KiB pages: a backfill writes a fifth fewer frames than with
	 * 4 KiB, while a small cycle's commit stays small.  Only a new
	 * database takes it (before WAL is on). */
	static const char pragmas[] = "PRAGMA page_size = 16384;"
				      "PRAGMA journal_mode = WAL;"
				      "PRAGMA foreign_keys = ON;"
				      "PRAGMA synchronous = NORMAL;"
				      "PRAGMA temp_store = MEMORY;"
				      "PRAGMA cache_size = -16384;";

	if (sqlite3_busy_handler(s->db, on_busy, s) != SQLITE_OK ||
	    sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
		return ctm_store_fail(s, "configuring the database");
	return CTMON_OK;
}

static int open_store(const char *path, int flags, struct ctm_store **out,
		      struct ctm_error *err);

int ctm_store_open(const char *path, struct ctm_store **out,
		   struct ctm_error *err)
{
	return open_store(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			  out, err);
}

int ctm_store_open_existing(const char *path, struct ctm_store **out,
			    struct ctm_error *err)
{
	struct stat sb;

	*out = NULL;
	if (path && stat(path, &sb) != 0) {
		snprintf(err->text, sizeof err->text,
			 "%s: no store there (%s); it is created by the first "
			 "monitoring cycle", path, strerror(errno));
		return CTMON_ENOTFOUND;
	}
	return open_store(path, SQLITE_OPEN_READWRITE, out, err);
}

static int open_store(const char *path, int flags, struct ctm_store **out,
		      struct ctm_error *err)
{
	struct ctm_store *s = NULL;
	int rc;

	*out = NULL;
	if (!path) {
		snprintf(err->text, sizeof err->text, "no database path");
		return CTMON_EINVAL;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err->text, sizeof err->text, "%s: out of memory",
			 path);
		return CTMON_ENOMEM;
	}
	s->domains_stale = 1;
	s->path = ctm_strdup(path);
	ctm_buf_init(&s->key);
	ctm_buf_init(&s->json);
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = s->db ? ctm_store_fail(s, "opening")
			   : ctm_store_failf(s, CTMON_ENOMEM, "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	rc = configure(s);
	if (rc == CTMON_OK)
		rc = ctm_store_register_functions(s);
	if (rc == CTMON_OK)
		rc = ctm_store_migrate(s);
out:
	if (rc != CTMON_OK) {
		snprintf(err->text, sizeof err->text, "%s: %s", path,
			 s->errmsg);
		ctm_store_close(s);
		return rc;
	}
	*out = s;
	return CTMON_OK;
}

void ctm_store_close(struct ctm_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	/* sqlite3_close_v2 so a leaked private statement cannot keep the
	 * file open forever; it is a bug, but not worth a crash. */
	sqlite3_close_v2(s->db);
	ctm_strv_free(s->domains);
	ctm_buf_free(&s->key);
	ctm_buf_free(&s->json);
	free(s->sorted);
	free(s->path);
	free(s);
}

/* ---- transactions ------------------------------------------------------ */

static int exec_sql(struct ctm_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return ctm_store_fail(s, what);
	return CTMON_OK;
}

int ctm_store_begin(struct ctm_store *s)
{
	/* IMMEDIATE takes the write lock now: a second writer waits here
	 * (on_busy) instead of failing half-way through a cycle. */
	int rc = exec_sql(s, "BEGIN IMMEDIATE", "BEGIN");

	if (rc != CTMON_OK && sqlite3_errcode(s->db) == SQLITE_BUSY)
		ctm_store_failf(s, CTMON_EAGAIN,
				"store %s is busy: another process held its "
				"write lock for over %d s (a sqlite3 shell "
				"or a long command?); nothing was changed",
				s->path ? s->path : "?",
				CTM_STORE_BUSY_MS / 1000);
	return rc;
}

int ctm_store_commit(struct ctm_store *s)
{
	return exec_sql(s, "COMMIT", "COMMIT");
}

int ctm_store_rollback(struct ctm_store *s)
{
	s->domains_stale = 1;
	return exec_sql(s, "ROLLBACK", "ROLLBACK");
}

/* Savepoint names are identifiers, which SQL cannot bind; accept only
 * [A-Za-z_][A-Za-z0-9_]* so the statement text stays ours. */
static int savepoint_sql(struct ctm_store *s, const char *verb,
			 const char *name, char *sql, size_t len)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 64 || (name[0] >= '0' && name[0] <= '9'))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			goto bad;
	}
	snprintf(sql, len, "%s \"%s\"", verb, name);
	return CTMON_OK;
bad:
	return ctm_store_failf(s, CTMON_EINVAL, "bad savepoint name \"%s\"",
			       name ? name : "(null)");
}

static int savepoint_op(struct ctm_store *s, const char *verb, const char *name)
{
	char sql[128];
	int rc = savepoint_sql(s, verb, name, sql, sizeof sql);

	return rc == CTMON_OK ? exec_sql(s, sql, verb) : rc;
}

int ctm_store_savepoint(struct ctm_store *s, const char *name)
{
	return savepoint_op(s, "SAVEPOINT", name);
}

int ctm_store_release(struct ctm_store *s, const char *name)
{
	return savepoint_op(s, "RELEASE", name);
}

int ctm_store_rollback_to(struct ctm_store *s, const char *name)
{
	s->domains_stale = 1;
	return savepoint_op(s, "ROLLBACK TO", name);
}
