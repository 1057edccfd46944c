/* store_internal.h - private state shared by the store_*.c files.  Nothing
 * here is visible outside the ctm_store library. */
#ifndef CTM_STORE_INTERNAL_H
#define CTM_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"
#include "util.h"

/* One slot per cached statement.  Each statement's SQL lives next to the
 * code that runs it; the slot only says where its prepared form is kept. */
enum ctm_stmt_slot {
	ST_DOMAIN_INSERT,
	ST_DOMAIN_GET,
	ST_DOMAIN_BASELINED,
	ST_DOMAIN_LIST,
	ST_DOMAIN_BACKFILL,
	ST_CERT_BY_CRTSH,
	ST_CERT_BY_LOG,
	ST_CERT_BY_FPR,
	ST_CERT_SET_CRTSH,
	ST_CERT_INSERT,
	ST_ISS_INSERT,
	ST_ISS_BY_KEY,
	ST_ISS_SET_CA,
	ST_ISS_SET_NAMES,
	ST_NAME_INSERT,
	ST_NAMES_OF,
	ST_ISS_DOMAIN_INSERT,
	ST_SUB_TOUCH,
	ST_SUB_SEEN,
	ST_SUB_SET_DNS,
	ST_SUB_LIST,
	ST_SUB_FIRST_IN,
	ST_ISS_GET,
	ST_ISS_FIRST_CERT,
	ST_ISS_CRTSH_IDS,
	ST_ISS_OF_DOMAIN,
	ST_ISS_OF_DOMAIN_SCAN,
	ST_ISS_OF_ALL,
	ST_COVERED_UNTIL,
	ST_CA_INSERT,
	ST_CA_REMOVE,
	ST_CA_COUNT,
	ST_CA_MATCH,
	ST_CA_ISSUERS_OF,
	ST_CA_ISSUERS_SCAN,
	ST_CA_LIST,
	ST_ALERT_INSERT,
	ST_ALERT_ID,
	ST_ALERT_ACK,
	ST_ALERT_EXISTS,
	ST_ALERT_LIST,
	ST_OUTBOX_INSERT,
	ST_OUTBOX_DUE,
	ST_OUTBOX_DELIVERED,
	ST_OUTBOX_RETRY,
	ST_OUTBOX_FAILED,
	ST_OUTBOX_LIST,
	ST_OUTBOX_COUNTS,
	ST_CURSOR_GET,
	ST_CURSOR_SET,
	ST_KV_GET,
	ST_KV_PUT,
	ST_KV_DELETE,
	ST_SUB_DNS_NEW,     /* store_dns.c */
	ST_SUB_DNS_DUE,
	ST_SUB_DNS_GET,
	ST__COUNT
};

/* How long a writer waits for another process's write lock. */
#define CTM_STORE_BUSY_MS 5000

struct ctm_store {
	sqlite3 *db;
	char *path;          /* for messages */
	int busy_waited_ms;  /* on_busy's wait for the current statement */
	sqlite3_stmt *stmt[ST__COUNT];
	char errmsg[512];
	/* Monitored domains as in the `domains` table, so ingest can link an
	 * issuance to its domains without a query per name.  Reloaded when
	 * stale (a domain was added, or a rollback may have removed one). */
	char **domains;
	int domains_stale;
	/* Scratch space reused by every ingest, so memory stays flat. */
	struct ctm_buf key;
	struct ctm_buf json;
	const char **sorted;
	size_t sorted_cap;
};

/* Schema migrations (store_schema.c): brings the database to the newest
 * user_version this build knows.  On error fills s->errmsg. */
int ctm_store_migrate(struct ctm_store *s);
/* The newest schema version this build writes. */
int ctm_store_schema_version(void);

/* The cached statement for `slot`, prepared from `sql` on first use.  If
 * the cached one is busy (a caller iterating it re-entered the store), a
 * private copy is prepared instead, so nested walks never disturb each
 * other.  NULL on error (s->errmsg set).  Always pair with ctm_stmt_put. */
sqlite3_stmt *ctm_stmt_get(struct ctm_store *s, enum ctm_stmt_slot slot,
			   const char *sql);
/* Resets and unbinds a statement from ctm_stmt_get (finalises a private
 * copy).  NULL is ignored. */
void ctm_stmt_put(struct ctm_store *s, enum ctm_stmt_slot slot,
		  sqlite3_stmt *st);

/* Records SQLite's error text for `what` in s->errmsg; returns CTMON_EIO
 * (CTMON_ENOMEM when SQLite ran out of memory). */
int ctm_store_fail(struct ctm_store *s, const char *what);
/* Records a message of ours (not SQLite's) and returns rc. */
int ctm_store_failf(struct ctm_store *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Binding helpers: NULL strings bind SQL NULL; texts are bound
 * SQLITE_STATIC, which is safe because ctm_stmt_put clears bindings before
 * the caller's buffers go away. */
int ctm_bind_text(sqlite3_stmt *st, int i, const char *v);
int ctm_bind_int64(sqlite3_stmt *st, int i, int64_t v);
/* Binds v, or NULL when v is `null_if`. */
int ctm_bind_int64_or_null(sqlite3_stmt *st, int i, int64_t v, int64_t null_if);
/* Column text as a C string; NULL for SQL NULL. */
const char *ctm_col_text(sqlite3_stmt *st, int i);

/* Runs a statement that returns no rows (or ignores them). */
int ctm_stmt_exec(struct ctm_store *s, sqlite3_stmt *st, const char *what);

/* The monitored domains (NULL-terminated), reloaded if stale. */
int ctm_store_domains(struct ctm_store *s, char ***out);
/* *yes = 1 if `domain` is in the domains table, i.e. issuance_domains
 * links its issuances; otherwise callers scan certificate_names. */
int ctm_store_is_monitored(struct ctm_store *s, const char *domain, int *yes);

/* SQL selecting the ids of the issuances with a name under ?1 the slow
 * way, for domains that are not monitored (no issuance_domains links). */
#define CTM_ISSUANCES_UNDER_SCAN                                               \
	"SELECT DISTINCT issuance_id FROM certificate_names "                  \
	"WHERE name = ?1 OR substr(name, -length(?1) - 1) = '.' || ?1"

/* Columns of an alert row for ctm_alert_from_row, table alias "a". */
#define CTM_ALERT_COLUMNS                                                      \
	"a.id, a.type, a.severity, a.domain, a.alert_key, a.details, "         \
	"a.issuance_id, a.created_at, a.baseline, a.acknowledged_at"

/* Fills *a from CTM_ALERT_COLUMNS starting at column `col`: strings are
 * borrowed from the statement row, `json` is rendered into buf (reset
 * first).  CTMON_ENOMEM when buf ran out of memory. */
int ctm_alert_from_row(sqlite3_stmt *st, int col, struct ctmon_alert *a,
		       struct ctm_buf *buf);
/* Deep copy of a complete alert in one allocation (free() releases it). */
struct ctmon_alert *ctm_alert_dup(const struct ctmon_alert *a);

/* store_rekey.c: schema version 2 and the SQL functions it uses. */
extern const char ctm_schema_v2[];
int ctm_store_register_functions(struct ctm_store *s);

#endif
