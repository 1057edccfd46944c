/* store.h - ctmon's SQLite store.  One writer; WAL; PRAGMA user_version
 * migrations; statements prepared once and bound.  The engine wraps a whole
 * cycle in ctm_store_begin/commit, and each source batch in a savepoint. */
#ifndef CTM_STORE_H
#define CTM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "ctmon/plugin.h"

struct ctm_store;
struct sqlite3;

/* Opens (creating it if needed) and migrates the store. */
int ctm_store_open(const char *path, struct ctm_store **out,
		   struct ctm_error *err);
/* Opens an existing store for read-mostly commands (listing, status,
 * acknowledging): never creates a database file. */
int ctm_store_open_existing(const char *path, struct ctm_store **out,
			    struct ctm_error *err);

/* One monitoring process per store (store_lock.c): an flock on
 * "<path>.lock" held while cycles run.  A second process gets an error
 * naming the holder's pid, or waits for it when wait is set. */
struct ctm_store_lock;
int ctm_store_lock_acquire(const char *db_path, int wait,
			   struct ctm_store_lock **out, struct ctm_error *err);
void ctm_store_lock_release(struct ctm_store_lock *l);
void ctm_store_close(struct ctm_store *s);
/* The raw handle, for core read-only code (report). Never for plugins. */
struct sqlite3 *ctm_store_db(struct ctm_store *s);
/* Last SQLite error text. */
const char *ctm_store_errmsg(struct ctm_store *s);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK; savepoints nest. */
int ctm_store_begin(struct ctm_store *s);
int ctm_store_commit(struct ctm_store *s);
int ctm_store_rollback(struct ctm_store *s);
int ctm_store_savepoint(struct ctm_store *s, const char *name);
int ctm_store_release(struct ctm_store *s, const char *name);
int ctm_store_rollback_to(struct ctm_store *s, const char *name);

/* Monitored domains: ensures a row; *baselined = 1 once its first cycle
 * completed. */
int ctm_store_domain_ensure(struct ctm_store *s, const char *domain,
			    int64_t now, int *baselined);
int ctm_store_domain_set_baselined(struct ctm_store *s, const char *domain,
				   int64_t now);

/* A certificate record after the core normalised it: names are lower-case,
 * no trailing dot, A-labels, host names only (wildcards kept as "*.x"),
 * unique. */
struct ctm_cert_in {
	const struct ctmon_cert *src; /* the source's record (borrowed) */
	const char *source_id;        /* instance id of the source */
	char **names;                 /* normalised names */
	size_t n_names;
};

/* Result of ingesting one record. */
struct ctm_ingest_result {
	int64_t cert_id;       /* certificates.id */
	int64_t issuance_id;   /* issuances.id */
	int cert_is_new;       /* 0 when already stored (same crt.sh id, same
	                          log entry, or same fingerprint) */
	int issuance_is_new;   /* 0 when the other half of a pair was stored */
	int names_added;       /* names new to the issuance (all of them when
	                          it is new): when 0, no subdomain can be new
	                          and the caller may skip subdomain_touch */
};

/* Stores one record and links it to its issuance.  The issuance key is
 * (issuer, serial) where issuer is the crt.sh CA id when known, else the
 * canonical issuer DN; with no serial, tbs_hash; with neither,
 * issuer + not_before + not_after + sorted names. */
int ctm_store_ingest(struct ctm_store *s, const struct ctm_cert_in *c,
		     int64_t now, struct ctm_ingest_result *res);

/* Records that `name` (a host name under `domain`; a wildcard is passed as
 * its base) was seen by issuance `issuance_id`.  *is_new = 1 the first time
 * the (domain, name) pair is seen. */
int ctm_store_subdomain_touch(struct ctm_store *s, const char *domain,
			      const char *name, int64_t issuance_id,
			      int64_t now, int *is_new);

/* DNS results of a subdomain (--resolve-dns): status such as "resolved",
 * "nxdomain" or "error"; addresses space-separated; NULLs allowed.
 * CTMON_ENOTFOUND if the subdomain was never touched. */
int ctm_store_subdomain_set_dns(struct ctm_store *s, const char *domain,
				const char *name, const char *status,
				const char *addresses, const char *cname,
				int64_t now);
/* A stored subdomain; strings borrowed for the callback only. */
struct ctm_subdomain {
	const char *domain;
	const char *name;
	int64_t first_seen;
	int64_t last_seen;
	int64_t first_issuance_id; /* 0 if unknown */
	const char *dns_status;    /* NULL until resolved */
	const char *addresses;
	const char *cname;
	int64_t resolved_at;       /* 0 until resolved */
};
/* Subdomains of `domain` (NULL: all), by domain then name.  fn != 0
 * stops. */
int ctm_store_subdomain_foreach(struct ctm_store *s, const char *domain,
				int (*fn)(void *ctx,
					  const struct ctm_subdomain *sd),
				void *ctx);

/* Names of `domain` first seen at `now` through issuance `issuance_id`
 * (the cycle's new subdomains of that issuance), as a NULL-terminated list
 * the caller frees with ctm_strv_free. */
int ctm_store_subdomains_first_in(struct ctm_store *s, const char *domain,
				  int64_t issuance_id, int64_t now,
				  char ***names);

/* Loads a stored issuance as checks see it; free with
 * ctm_store_issuance_free. */
int ctm_store_issuance_load(struct ctm_store *s, int64_t issuance_id,
			    const char *domain, struct ctmon_issuance **out);
void ctm_store_issuance_free(struct ctmon_issuance *is);

/* Issuances of `domain` with not_after in [from, to).  fn != 0 stops. */
int ctm_store_foreach_issuance(struct ctm_store *s, const char *domain,
			       int64_t from, int64_t to,
			       int (*fn)(void *ctx,
					 const struct ctmon_issuance *is),
			       void *ctx);
/* See struct ctmon_host_api.name_covered_until. */
int ctm_store_name_covered_until(struct ctm_store *s, const char *name,
				 int64_t except_issuance, int64_t now,
				 int64_t *until);

/* Authorised CAs.  domain NULL = global.  ca_id 0 = match by DN only. */
int ctm_store_ca_add(struct ctm_store *s, const char *domain,
		     const char *name, int64_t ca_id, const char *source,
		     int64_t now);
/* Removes by id (ca_id) or by name; *removed = rows removed. */
int ctm_store_ca_remove(struct ctm_store *s, const char *domain,
			const char *name_or_id, int *removed);
int ctm_store_ca_count(struct ctm_store *s, const char *domain,
		       int64_t *count);
int ctm_store_ca_is_authorized(struct ctm_store *s, const char *domain,
			       int64_t ca_id, const char *issuer_dn,
			       int *authorized);
/* Records every CA of the domain's stored issuances (--auto-baseline);
 * *added = CAs new to the list. */
int ctm_store_ca_auto_baseline(struct ctm_store *s, const char *domain,
			       int64_t now, int *added);
void ctm_store_ca_print(struct ctm_store *s, FILE *fp);

/* Alerts.  Unique on (type, domain, key): *inserted = 0 if it existed. */
struct ctm_alert_in {
	const char *type;
	enum ctmon_severity severity;
	const char *domain;
	const char *key;
	const char *details_json; /* complete details, core-merged */
	int64_t issuance_id;
	int baseline;
	const char *check_id;     /* instance that raised it */
};
int ctm_store_alert_insert(struct ctm_store *s, const struct ctm_alert_in *a,
			   int64_t now, int64_t *alert_id, int *inserted);
int ctm_store_alert_ack(struct ctm_store *s, int64_t alert_id, int64_t now,
			int *changed);
struct ctm_alert_filter {
	const char *domain;    /* NULL = all */
	const char *type;
	int min_severity;      /* -1 = all */
	int state;             /* 0 all, 1 open only, 2 acknowledged only */
	int limit;             /* 0 = no limit */
	int sources_only;      /* alerts about sources (no issuance) filed
	                          under no monitored domain: a CT log URL */
};
/* Calls fn for each matching alert (newest first) as a complete struct
 * ctmon_alert (json filled). */
int ctm_store_alert_foreach(struct ctm_store *s,
			    const struct ctm_alert_filter *f,
			    int (*fn)(void *ctx, const struct ctmon_alert *a),
			    void *ctx);

/* Outbox: one row per (alert, notifier instance). */
int ctm_store_outbox_enqueue(struct ctm_store *s, int64_t alert_id,
			     const char *notifier_id, int64_t now);
/* Due rows of a notifier (status pending, next_attempt <= now, alert not
 * acknowledged), oldest first, at most `limit`.  Alerts are complete. */
struct ctm_outbox_batch {
	int64_t *row_ids;
	struct ctmon_alert **alerts;
	size_t n;
	int64_t *attempts;        /* each row's attempts so far (backoff) */
};
int ctm_store_outbox_due(struct ctm_store *s, const char *notifier_id,
			 int64_t now, size_t limit,
			 struct ctm_outbox_batch *out);
void ctm_store_outbox_batch_free(struct ctm_outbox_batch *b);
int ctm_store_outbox_mark_delivered(struct ctm_store *s, int64_t row_id,
				    int64_t now);
/* Retryable failure: attempts += 1, next_attempt = when, last_error. */
int ctm_store_outbox_mark_retry(struct ctm_store *s, int64_t row_id,
				int64_t when, const char *error);
/* Permanent failure: status failed, last_error. */
int ctm_store_outbox_mark_failed(struct ctm_store *s, int64_t row_id,
				 const char *error);
/* Pending and failed rows with their reasons, then the count of rows per
 * notifier and status. */
void ctm_store_outbox_print(struct ctm_store *s, FILE *fp);

/* Source cursors, keyed by (source instance id, key). */
int ctm_store_cursor_get(struct ctm_store *s, const char *source_id,
			 const char *key, char **value);
int ctm_store_cursor_set(struct ctm_store *s, const char *source_id,
			 const char *key, const char *value, int64_t now);

/* Per-instance key/value state; namespace = "kind:instance". */
int ctm_store_kv_get(struct ctm_store *s, const char *ns, const char *key,
		     char **value);
int ctm_store_kv_put(struct ctm_store *s, const char *ns, const char *key,
		     const char *value, int64_t now);
int ctm_store_kv_delete(struct ctm_store *s, const char *ns, const char *key);


/* Read-only walks for `ctmon --status` and the report (store_status.c).
 * Strings are borrowed for the callback only; fn != 0 stops. */
struct ctm_domain_status {
	const char *domain;
	int64_t added_at;
	int64_t baselined_at;  /* 0 until its first cycle completed */
	int64_t issuances;
	int64_t subdomains;
	int64_t open_alerts;
};
/* Monitored domains of the store, by name, with their counts. */
int ctm_store_domain_status_foreach(
	struct ctm_store *s,
	int (*fn)(void *ctx, const struct ctm_domain_status *d), void *ctx);
/* Source instance ids that have state (namespace "source:<id>") or
 * cursors, sorted, as a NULL-terminated list (ctm_strv_free). */
int ctm_store_source_ids(struct ctm_store *s, char ***ids);
struct ctm_kv_row {
	const char *key;
	const char *value;
	int64_t updated_at;
};
/* plugin_state rows of namespace ns whose key starts with prefix, by
 * key. */
int ctm_store_kv_foreach_prefix(struct ctm_store *s, const char *ns,
				const char *prefix,
				int (*fn)(void *ctx,
					  const struct ctm_kv_row *row),
				void *ctx);
/* Cursors of a source instance, by key. */
int ctm_store_cursor_foreach(struct ctm_store *s, const char *source_id,
			     int (*fn)(void *ctx,
				       const struct ctm_kv_row *row),
			     void *ctx);
/* Outbox rows waiting (pending) or given up (failed), counted per
 * notifier instance and status. */
int ctm_store_outbox_count_foreach(
	struct ctm_store *s,
	int (*fn)(void *ctx, const char *notifier_id, const char *status,
		  int64_t count),
	void *ctx);

#endif
