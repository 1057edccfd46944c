/* expiring.c - alerts when a still-valid certificate of a monitored domain
 * crosses an expiry threshold (30, 14, 7 days by default) and nothing
 * renewed it.  It looks at time, not at new issuances, so it works in
 * on_cycle over the store's issuances.
 *
 * One alert per issuance per threshold crossed: the key carries the
 * threshold, so the store keeps each exactly once, and a certificate first
 * seen with 5 days left gets its 30, 14 and 7 day alerts at once.  That
 * keeps the set of alerts a function of the certificates, not of when the
 * cycles happened to run.  Written only against ctmon/plugin.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>

#include "ctmon/plugin.h"

#define ALERT_TYPE "certificate_expiring"
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define DAY 86400
/* Beyond this a threshold means nothing and now + days * DAY could
 * overflow. */
#define MAX_DAYS 3650

struct expiring {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	int64_t *days;     /* distinct thresholds, largest first */
	size_t n_days;
	int64_t high_at_days;
};

/* Per-cycle walk context. */
struct walk {
	struct expiring *st;
	struct ctmon_alert_sink *out;
	int64_t now;
	int rc;
};

static const struct ctmon_option expiring_options[] = {
	{"days", CTMON_OPT_INT_LIST, "[30, 14, 7]", 0,
	 "thresholds in days before not_after; each alerts once per issuance"},
	{"high_at_days", CTMON_OPT_INT, "7", 0,
	 "thresholds at or below this many days are high severity, others "
	 "medium"},
};

static int by_value_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x < y) - (x > y);
}

/* Reads `days` into st, sorted largest first without duplicates. */
static int read_days(struct expiring *st, const struct ctmon_config *config)
{
	const struct ctmon_host_api *api = st->api;
	size_t n = 0, kept = 0;
	int rc;

	rc = api->cfg_list_len(config, "days", &n);
	if (rc != CTMON_OK && rc != CTMON_ENOTFOUND)
		return rc;
	if (n == 0) {
		api->set_error(st->host,
			       "%s: option \"days\": give at least one threshold",
			       api->cfg_where(config, "days"));
		return CTMON_ECONFIG;
	}
	st->days = calloc(n, sizeof *st->days);
	if (!st->days)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int64_t d = 0;
		rc = api->cfg_list_int(config, "days", i, &d);
		if (rc != CTMON_OK)
			return rc;
		if (d < 1 || d > MAX_DAYS) {
			api->set_error(st->host,
				       "%s: option \"days\": %" PRId64
				       " is outside 1..%d",
				       api->cfg_where(config, "days"), d,
				       MAX_DAYS);
			return CTMON_ECONFIG;
		}
		st->days[i] = d;
	}
	qsort(st->days, n, sizeof *st->days, by_value_desc);
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || st->days[kept - 1] != st->days[i])
			st->days[kept++] = st->days[i];
	st->n_days = kept;
	return CTMON_OK;
}

static void expiring_destroy(void *state)
{
	struct expiring *st = state;

	if (!st)
		return;
	free(st->days);
	free(st);
}

static int expiring_create(struct ctmon_host *host,
			   const struct ctmon_host_api *api,
			   const struct ctmon_config *config, void **state)
{
	struct expiring *st;
	int rc;

	*state = NULL;
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	rc = read_days(st, config);
	if (rc != CTMON_OK)
		goto out;
	rc = api->cfg_int(config, "high_at_days", &st->high_at_days);
	if (rc != CTMON_OK)
		goto out;
	*state = st;
	st = NULL;
out:
	expiring_destroy(st);
	return rc;
}

/* The ABI makes on_issuance mandatory; expiry depends on the clock, not on
 * what arrived, so everything happens in on_cycle. */
static int expiring_on_issuance(void *state, const struct ctmon_issuance *is,
				struct ctmon_alert_sink *out)
{
	(void)state;
	(void)is;
	(void)out;
	return CTMON_OK;
}

/* 1 when every name of the issuance is covered by another stored issuance
 * that lasts longer: the certificate was renewed, its expiry is no news. */
static int is_renewed(struct expiring *st, const struct ctmon_issuance *is,
		      int *renewed)
{
	*renewed = 0;
	if (is->n_names == 0)
		return CTMON_OK;
	for (size_t i = 0; i < is->n_names; i++) {
		int64_t until = 0;
		int rc = st->api->name_covered_until(st->host, is->names[i],
						     is->id, &until);
		if (rc != CTMON_OK)
			return rc;
		if (until <= is->cert->not_after)
			return CTMON_OK;
	}
	*renewed = 1;
	return CTMON_OK;
}

/* A JSON number printed with exactly two decimals. */
static struct json_object *two_decimals(double v)
{
	char text[64];

	snprintf(text, sizeof text, "%.2f", v);
	return json_object_new_double_s(v, text);
}

static int add_member(struct json_object *o, const char *key,
		      struct json_object *v)
{
	if (!v)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int alert_threshold(struct walk *w, const struct ctmon_issuance *is,
			   int64_t threshold, double days_left)
{
	struct expiring *st = w->st;
	struct json_object *details = json_object_new_object();
	struct ctmon_alert alert = {0};
	char key[64], expires[32];
	time_t t = (time_t)is->cert->not_after;
	struct tm tm;
	int rc;

	if (!gmtime_r(&t, &tm) ||
	    strftime(expires, sizeof expires, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		expires[0] = '\0';
	if (!details ||
	    add_member(details, "threshold_days",
		       json_object_new_int64(threshold)) ||
	    add_member(details, "days_left", two_decimals(days_left)) ||
	    add_member(details, "expires_at", json_object_new_string(expires))) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	snprintf(key, sizeof key, "%" PRId64 ":%" PRId64 "d", is->id, threshold);
	alert.size = sizeof alert;
	alert.type = ALERT_TYPE;
	alert.severity = threshold <= st->high_at_days ? CTMON_SEV_HIGH
						       : CTMON_SEV_MEDIUM;
	alert.domain = is->domain;
	alert.key = key;
	alert.issuance_id = is->id;
	alert.details_json = json_object_to_json_string_ext(details, JSON_FLAGS);
	rc = alert.details_json ? st->api->emit_alert(w->out, &alert)
				: CTMON_ENOMEM;
out:
	json_object_put(details);
	return rc;
}

static int check_issuance(void *ctx, const struct ctmon_issuance *is)
{
	struct walk *w = ctx;
	const struct ctmon_cert *c = is->cert;
	double days_left;
	int renewed;

	if (!c || c->not_after <= w->now || c->not_before > w->now)
		return 0; /* expired or not yet valid */
	days_left = (double)(c->not_after - w->now) / DAY;
	/* Thresholds are sorted largest first: none crossed if the largest
	 * is not. */
	if (days_left > (double)w->st->days[0])
		return 0;
	w->rc = is_renewed(w->st, is, &renewed);
	if (w->rc != CTMON_OK || renewed)
		return w->rc != CTMON_OK;
	for (size_t i = 0; i < w->st->n_days; i++) {
		if (days_left > (double)w->st->days[i])
			break;
		w->rc = alert_threshold(w, is, w->st->days[i], days_left);
		if (w->rc != CTMON_OK)
			return 1;
	}
	return 0;
}

static int expiring_on_cycle(void *state, struct ctmon_alert_sink *out)
{
	struct expiring *st = state;
	struct walk w = {st, out, st->api->now(st->host), CTMON_OK};
	int rc;

	/* not_after in [now, now + largest threshold]; the upper bound is
	 * exclusive in the API, hence + 1. */
	rc = st->api->foreach_issuance(st->host, NULL, w.now,
				       w.now + st->days[0] * DAY + 1,
				       check_issuance, &w);
	return rc != CTMON_OK ? rc : w.rc;
}

static const struct ctmon_check_ops expiring_ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = expiring_on_issuance,
	.on_cycle = expiring_on_cycle,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "expiring", "1.0.0",
		    "Alert when a valid, unrenewed certificate nears expiry",
		    expiring_options, expiring_create, NULL, NULL,
		    expiring_destroy, &expiring_ops)
