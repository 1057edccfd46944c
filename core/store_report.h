/* store_report.h - the read-only aggregate queries behind the reports.
 * The report code never sees SQL: it asks for counts grouped by week, CA,
 * days left or DNS status, and for top-N lists, and gets plain rows.
 *
 * A *scope* is one or more monitored domains, given as a JSON array text
 * (["example.com"] or ["a.com","b.net"]); an issuance or subdomain under
 * two domains of a scope counts once.  Issuances are found through
 * issuance_domains, so only domains in the `domains` table have any (the
 * report runs after a cycle, which adds them).  Strings handed to a
 * callback are borrowed for the call only; fn != 0 stops the walk. */
#ifndef CTM_STORE_REPORT_H
#define CTM_STORE_REPORT_H

#include <stdint.h>

#include "store.h"

/* The range of not_before over the scope's issuances, and of the time
 * its subdomains appeared; 0 when there are none. */
struct ctm_report_span {
	int64_t issuances;
	int64_t first_issued, last_issued; /* not_before */
	int64_t subdomains;
	int64_t first_sub, last_sub;       /* see ctm_store_report_new_subs */
	int64_t valid;                     /* not_before <= now < not_after */
	int64_t expiring_30d;              /* valid, under 30 days left */
	int64_t dangling;                  /* subdomains: dangling CNAMEs */
	int64_t open_alerts;
};
int ctm_store_report_span(struct ctm_store *s, const char *scope,
			  int64_t now, struct ctm_report_span *out);

/* Issuances with not_before in [from, from + bucket * n), counted per
 * bucket (`week`, 0-based from `from`; bucket is a week or a few) and
 * issuing CA.  A CA is its crt.sh id when
 * known, else its issuer DN; `unauthorized` is 1 when an unauthorized_ca
 * alert of the scope names an issuance of that CA (the check's verdict,
 * whatever list it used). */
struct ctm_report_ca_week {
	const char *ca_key;   /* "ca:1234" or "dn:<issuer DN>" */
	const char *issuer;   /* one issuer DN of the CA, may be NULL */
	int64_t ca_id;        /* 0 if unknown */
	int week;
	int64_t count;
	int unauthorized;
};
int ctm_store_report_weekly_by_ca(
	struct ctm_store *s, const char *scope, int64_t from, int64_t bucket,
	int n, int (*fn)(void *ctx, const struct ctm_report_ca_week *row),
	void *ctx);

/* Valid issuances (not_before <= now < not_after) by whole days left. */
int ctm_store_report_days_left(struct ctm_store *s, const char *scope,
			       int64_t now,
			       int (*fn)(void *ctx, int64_t days,
					 int64_t count),
			       void *ctx);

/* Subdomains by the bucket (see above) they appeared in.  A
 * subdomain appeared at the not_before of the issuance that brought it
 * (first_seen when that is unknown): a first cycle finds years of names
 * at once, and their history is what a reader wants to see. */
int ctm_store_report_new_subs(struct ctm_store *s, const char *scope,
			      int64_t from, int64_t bucket, int n,
			      int (*fn)(void *ctx, int week, int64_t count),
			      void *ctx);

/* Subdomain counts by DNS status (NULL = never resolved). */
int ctm_store_report_dns_counts(struct ctm_store *s, const char *scope,
				int (*fn)(void *ctx, const char *status,
					  int64_t count),
				void *ctx);

/* At most `limit` subdomains: dangling CNAMEs first, then the newest. */
struct ctm_report_sub {
	const char *domain;
	const char *name;
	int64_t appeared;     /* as in ctm_store_report_new_subs */
	int64_t first_seen;
	const char *dns_status; /* NULL = never resolved */
	const char *addresses;
	const char *cname;
};
int ctm_store_report_subdomains(
	struct ctm_store *s, const char *scope, int limit,
	int (*fn)(void *ctx, const struct ctm_report_sub *sd), void *ctx);

/* Alert counts of the scope per (type, severity); open = 1 counts the
 * unacknowledged ones, 0 the acknowledged ones. */
int ctm_store_report_alert_counts(struct ctm_store *s, const char *scope,
				  int open,
				  int (*fn)(void *ctx, const char *type,
					    int severity, int64_t count),
				  void *ctx);

/* At most `limit` alerts of the scope, open (open = 1) or acknowledged
 * (0), newest first. */
struct ctm_report_alert {
	int64_t id;
	const char *type;
	int severity;
	const char *domain;
	const char *key;
	const char *details;  /* the stored JSON text */
	int64_t created_at;
	int64_t acknowledged_at; /* 0 when open */
	int baseline;
};
int ctm_store_report_alerts(
	struct ctm_store *s, const char *scope, int open, int limit,
	int (*fn)(void *ctx, const struct ctm_report_alert *a), void *ctx);

#endif
