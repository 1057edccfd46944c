/* fakehost_internal.h - what the fake host's files share: the structures
 * behind the opaque handles of <ctmon/plugin.h> and small owning vectors.
 * Not installed. */
#ifndef CTMON_FAKEHOST_INTERNAL_H
#define CTMON_FAKEHOST_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ctmon/plugin.h"
#include "fakehost.h"
#include "loader.h"

/* A growable array of pointers to heap records, so a record's address
 * stays valid while the array grows (fh_* getters hand them out). */
struct fh_vec {
	void **items;
	size_t n;
	size_t cap;
};
int fh_vec_push(struct fh_vec *v, void *item);
/* Frees every item with free_item, then the array. */
void fh_vec_free(struct fh_vec *v, void (*free_item)(void *));

/* Allocations that belong to one copied record, freed together. */
struct fh_owned {
	struct fh_vec ptrs;
};
/* Takes ownership of p (frees it if it cannot be recorded); returns p or
 * NULL. */
void *fh_own(struct fh_owned *o, void *p);
/* Owned copy of s; *out = NULL for s == NULL.  0, or -1 on ENOMEM. */
int fh_own_str(struct fh_owned *o, const char *s, const char **out);
/* Owned deep copy of n strings; 0 or -1. */
int fh_own_strv(struct fh_owned *o, const char *const *v, size_t n,
		const char *const **out);
void fh_owned_free(struct fh_owned *o);

/* Deep copy of a certificate record as the writer sized it. */
int fh_copy_cert(struct fh_owned *o, const struct ctmon_cert *src,
		 struct ctmon_cert *dst);

/* Which batch a record belongs to until it is committed. */
enum fh_tier { FH_COMMITTED = 0, FH_IMPLICIT = 1, FH_EXPLICIT = 2 };

struct fh_log_rec {
	enum ctmon_log_level lvl;
	char *text;
};

struct fh_kv {
	char *key;
	char *value;
	enum fh_tier tier;
};

struct fh_cert_rec {
	struct ctmon_cert cert;
	struct fh_owned own;
	enum fh_tier tier;
};

struct fh_issuance_rec {
	struct ctmon_issuance is;
	struct ctmon_cert cert;
	struct fh_owned own;
};

struct fh_alert_rec {
	struct ctmon_alert a;
	struct fh_owned own;
	enum fh_tier tier; /* a source's alert belongs to its batch */
};

/* A canned DNS result (fh_set_dns_result); the newest for a name wins. */
struct fh_dns_rec {
	const char *name; /* normalised */
	struct ctmon_dns_result r;
	struct fh_owned own;
};

struct fh_ca {
	char *domain; /* NULL: every domain */
	int64_t ca_id;
	char *dn;
};

struct fh_watch_rec {
	struct ctmon_watch_entry e;
	struct fh_owned own;
};

/* The handle a plugin instance receives. */
struct ctmon_host {
	struct fh_host *fh;
};

struct fh_host {
	struct ctmon_host handle;
	pthread_mutex_t lock; /* guards what plugin threads may change */
	char prefix[160];     /* "[check:wildcard:wildcard]" */

	/* the instance */
	struct ctm_plugin *plugin;
	struct ctm_instance inst;
	void *cfg;            /* config_t * of the snippet */
	void *state;
	int created;          /* destroy() is owed */
	char error[1024];     /* set_error text of the current call */
	size_t rejected_in_call;

	/* clock */
	int64_t now;
	uint64_t mono_ns;
	int stop;
	int64_t slept_ms;
	size_t rate_calls;

	/* the in-memory store */
	struct fh_vec issuances;  /* struct fh_issuance_rec */
	struct fh_vec cas;        /* struct fh_ca */
	struct fh_vec state_kv;   /* struct fh_kv, committed only */
	struct fh_vec cursors;    /* struct fh_kv, a log: newest wins */
	struct fh_vec domains;    /* char *, normalised (domain_get) */
	struct fh_vec dns;        /* struct fh_dns_rec, a log: newest wins */

	/* what the plugin produced */
	struct fh_vec logs;       /* struct fh_log_rec */
	struct fh_vec alerts;     /* struct fh_alert_rec */
	size_t duplicates;
	size_t rejected;
	int64_t next_alert_id;
	struct fh_vec certs;      /* struct fh_cert_rec */
	size_t commits;
	size_t aborts;
	struct fh_vec warnings;   /* char * */
	struct fh_vec watch;      /* struct fh_watch_rec */

	/* the deliver() in progress and what the notifier reported */
	int delivering;
	size_t deliver_n;
	int64_t deliver_progress;    /* -1: not reported */
	int64_t deliver_retry_after; /* -1: not reported */

	/* HTTP */
	struct fh_vec responses;  /* struct fh_response */
	struct fh_vec requests;   /* struct fh_request */
	size_t http_chunk;
};

struct ctmon_alert_sink {
	struct fh_host *fh;
	const struct ctmon_issuance *is; /* NULL outside on_issuance */
};

struct ctmon_emitter {
	struct fh_host *fh;
	int explicit_open;
	int error; /* an emit of the open batch failed */
};

struct ctmon_watch {
	struct ctmon_watch_entry *entries;
	size_t n;
};

struct ctmon_watch_builder {
	struct fh_host *fh;
};

/* Logs through the instance's capture (used by the fake itself too). */
void fh_logf(struct fh_host *fh, enum ctmon_log_level lvl, const char *fmt,
	     ...) CTMON_PRINTF(3, 4);

/* The members of the API table, by area (fakehost_*.c). */
int fh_emit_alert(struct ctmon_alert_sink *s, const struct ctmon_alert *a);
int fh_source_alert(struct ctmon_emitter *e, const struct ctmon_alert *a);
/* Lock held.  Moves source alerts of tier `from` to COMMITTED, or drops
 * them (with their batch). */
void fh_alerts_settle(struct fh_host *fh, enum fh_tier from, int keep);
int fh_ca_count(struct ctmon_host *h, const char *domain, int64_t *count);
int fh_ca_is_authorized(struct ctmon_host *h, const char *domain,
			int64_t ca_id, const char *issuer_dn, int *authorized);
int fh_foreach_issuance(struct ctmon_host *h, const char *domain,
			int64_t from, int64_t to,
			int (*fn)(void *ctx, const struct ctmon_issuance *is),
			void *ctx);
int fh_name_covered_until(struct ctmon_host *h, const char *name,
			  int64_t except_issuance, int64_t *until);

/* Per-instance state (fakehost_store.c). */
int fh_state_get_api(struct ctmon_host *h, const char *key, char **value);
int fh_state_put_api(struct ctmon_host *h, const char *key,
		     const char *value);
int fh_state_delete_api(struct ctmon_host *h, const char *key);

/* Monitored domains and DNS results (fakehost_domains.c). */
int fh_domain_get_api(struct ctmon_host *h, size_t i, const char **out);
int fh_dns_result_api(struct ctmon_host *h, const char *name,
		      struct ctmon_dns_result *out);

/* Notifiers: what deliver() reports (fakehost.c). */
int fh_deliver_progress_api(struct ctmon_host *h, size_t n);
int fh_deliver_retry_after_api(struct ctmon_host *h, int64_t seconds);

/* Sources: batches, certificates, cursors (fakehost_source.c). */
int fh_batch_begin(struct ctmon_emitter *e);
int fh_emit_cert(struct ctmon_emitter *e, const struct ctmon_cert *c);
int fh_set_cursor_api(struct ctmon_emitter *e, const char *key,
		      const char *value);
int fh_get_cursor_api(struct ctmon_emitter *e, const char *key,
		      char **value);
int fh_batch_commit(struct ctmon_emitter *e);
int fh_batch_abort(struct ctmon_emitter *e);
/* The batch an emit belongs to now. */
enum fh_tier fh_emitter_tier(const struct ctmon_emitter *e);
void fh_emit_warning(struct ctmon_emitter *e, const char *domain,
		     const char *text);
size_t fh_watch_count_api(const struct ctmon_watch *w);
int fh_watch_get_api(const struct ctmon_watch *w, size_t i,
		     struct ctmon_watch_entry *out);
int fh_watch_match_api(const struct ctmon_watch *w, const char *name);
int fh_watch_add_api(struct ctmon_watch_builder *b,
		     const struct ctmon_watch_entry *e);
/* Ends collect(): keeps or drops the implicit batch, aborts an explicit
 * batch left open. */
void fh_collect_finish(struct ctmon_emitter *e, int collect_rc);

/* HTTP (fakehost_http.c). */
struct ctmon_http_req *fh_http_new(struct ctmon_host *h, const char *method,
				   const char *url);
int fh_http_set_header(struct ctmon_http_req *r, const char *line);
int fh_http_set_body(struct ctmon_http_req *r, const void *body, size_t len);
int fh_http_set_timeout_ms(struct ctmon_http_req *r, int64_t ms);
int fh_http_set_follow_redirects(struct ctmon_http_req *r, int max);
int fh_http_set_retry(struct ctmon_http_req *r, int attempts, int64_t base_ms,
		      int64_t max_ms);
int fh_http_set_max_body(struct ctmon_http_req *r, size_t max);
int fh_http_set_sink(struct ctmon_http_req *r,
		     const struct ctmon_http_sink *sink);
int fh_http_set_ca_file(struct ctmon_http_req *r, const char *path);
int fh_http_perform(struct ctmon_http_req *r);
long fh_http_status(const struct ctmon_http_req *r);
const char *fh_http_header(const struct ctmon_http_req *r, const char *name);
const char *fh_http_body(const struct ctmon_http_req *r, size_t *len);
const char *fh_http_error(const struct ctmon_http_req *r);
void fh_http_free(struct ctmon_http_req *r);

/* Release what each file keeps in the struct fh_host (at fh_free). */
void fh_store_free(struct fh_host *fh);
void fh_source_free(struct fh_host *fh);
void fh_alerts_free(struct fh_host *fh);
void fh_domains_free(struct fh_host *fh);
void fh_http_free_all(struct fh_host *fh);

#endif
