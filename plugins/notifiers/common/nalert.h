/* nalert.h - what the notifiers read out of an alert: the issuance the core
 * attached to its details, the check's own details, a batch summary, and
 * the generic JSON document (webhook "generic", exec's stdin). */
#ifndef NOTIF_NALERT_H
#define NOTIF_NALERT_H

#include <stddef.h>

#include <json-c/json.h>

#include "ctmon/plugin.h"
#include "nbuf.h"

/* An alert with its details parsed.  Strings are borrowed from the alert
 * or from `details` until na_view_free. */
struct na_view {
	const struct ctmon_alert *a;
	struct json_object *details;  /* NULL if missing or not JSON */
	struct json_object *issuance; /* details.issuance, or NULL */
};

void na_view_init(struct na_view *v, const struct ctmon_alert *a);
void na_view_free(struct na_view *v);

/* String member `key` of obj, or NULL (also when obj is NULL). */
const char *na_str(struct json_object *obj, const char *key);
/* The issuer DN: issuance.issuer, else details.issuer; NULL if none. */
const char *na_issuer(const struct na_view *v);
/* The issuance's names / crt.sh ids as arrays, or NULL. */
struct json_object *na_names(const struct na_view *v);
struct json_object *na_crtsh_ids(const struct na_view *v);

/* Calls fn for each scalar detail the check added (not the issuance, not
 * what every alert already shows), value as text. */
void na_each_detail(const struct na_view *v,
		    void (*fn)(void *ctx, const char *key, const char *value),
		    void *ctx);

/* A short human title for known alert types, else NULL. */
const char *na_title(const char *type);
/* Severity in capitals ("CRITICAL"). */
const char *na_sev_upper(enum ctmon_severity s);
/* RGB colour per severity, for cards and embeds. */
unsigned na_sev_color(enum ctmon_severity s);
/* Highest severity of a batch (info for n == 0). */
enum ctmon_severity na_highest(const struct ctmon_alert *const *a, size_t n);
/* UTC seconds as "2026-01-02T03:04:05Z" in buf; returns buf. */
const char *na_time(int64_t t, char buf[32]);
/* "3 new certificate alerts (highest: critical)" - no certificate text. */
void na_summary(struct nbuf *b, const struct ctmon_alert *const *a, size_t n);

/* The generic JSON document for a batch:
 *   {"source": "ctmon", "version": 1, "count": N,
 *    "highest_severity": "...", "summary": "...",
 *    "alerts": [ <each alert's JSON object> ]}
 * Returns CTMON_OK or CTMON_ENOMEM. */
int na_document(struct nbuf *b, const struct ctmon_alert *const *a, size_t n);

/* The crt.sh page of a certificate id. */
#define NA_CRTSH_URL "https://crt.sh/?id="

#endif
