/* new_subdomain.c - alerts on host names under a monitored domain seen for
 * the first time: an unknown subdomain with a certificate is either shadow
 * IT or someone else's server.  The core decides what is new (it keeps the
 * subdomain table); this check turns each new name into one alert.
 * Written only against ctmon/plugin.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "ctmon/plugin.h"

#define ALERT_TYPE "new_subdomain"
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct new_subdomain {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const struct ctmon_config *config; /* strings borrowed until destroy */
	size_t n_ignore;
};

static const struct ctmon_option new_subdomain_options[] = {
	{"ignore", CTMON_OPT_STRING_LIST, "[]", 0,
	 "names whose subdomains raise no alert (a delegated dev zone...)"},
};

static int new_subdomain_create(struct ctmon_host *host,
				const struct ctmon_host_api *api,
				const struct ctmon_config *config,
				void **state)
{
	struct new_subdomain *st;
	size_t n = 0;
	int rc;

	*state = NULL;
	rc = api->cfg_list_len(config, "ignore", &n);
	if (rc != CTMON_OK && rc != CTMON_ENOTFOUND)
		return rc;
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->config = config;
	st->n_ignore = n;
	*state = st;
	return CTMON_OK;
}

static void new_subdomain_destroy(void *state) { free(state); }

/* 1 if `name` is `zone` or under it on a label boundary; `zone` comes from
 * the config, so case and a final dot are forgiven. */
static int name_in_zone(const char *name, const char *zone)
{
	size_t nl = strlen(name), zl = strlen(zone);

	if (zl > 0 && zone[zl - 1] == '.')
		zl--;
	if (zl == 0 || nl < zl)
		return 0;
	if (strncasecmp(name + nl - zl, zone, zl) != 0)
		return 0;
	return nl == zl || name[nl - zl - 1] == '.';
}

static int is_ignored(const struct new_subdomain *st, const char *name)
{
	for (size_t i = 0; i < st->n_ignore; i++) {
		const char *zone = NULL;
		if (st->api->cfg_list_string(st->config, "ignore", i, &zone) ==
			    CTMON_OK &&
		    name_in_zone(name, zone))
			return 1;
	}
	return 0;
}

static int has_name(const struct ctmon_issuance *is, const char *name)
{
	for (size_t i = 0; i < is->n_names; i++)
		if (strcmp(is->names[i], name) == 0)
			return 1;
	return 0;
}

/* new_names gives a wildcard as its base: the name is "from a wildcard"
 * when only "*.name" is in the issuance, not the name itself. */
static int from_wildcard_only(const struct ctmon_issuance *is,
			      const char *name)
{
	char wild[512];
	int n = snprintf(wild, sizeof wild, "*.%s", name);

	if (n < 0 || (size_t)n >= sizeof wild)
		return 0;
	return has_name(is, wild) && !has_name(is, name);
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

static struct json_object *string_array(const char *const *v, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n; i++)
		if (!v[i] || json_object_array_add(
				     arr, json_object_new_string(v[i])) != 0) {
			json_object_put(arr);
			return NULL;
		}
	return arr;
}

/* The core resolved the name before the checks ran (resolve_dns): its
 * status, addresses and CNAME chain go into the details, null when it
 * was not resolved.  A host older than ABI 1.1 has no DNS: no member. */
static int add_dns(struct new_subdomain *st, struct json_object *details,
		   const char *name)
{
	struct ctmon_dns_result r;
	struct json_object *dns;
	char when[32] = "";
	struct tm tm;
	time_t t;
	int rc;

	if (!CTMON_HOST_HAS(st->api, dns_result))
		return 0;
	memset(&r, 0, sizeof r);
	r.size = sizeof r;
	rc = st->api->dns_result(st->host, name, &r);
	if (rc != CTMON_OK || !r.status) {
		/* The alert matters more than its DNS part. */
		if (rc != CTMON_ENOTFOUND)
			st->api->log(st->host, CTMON_LOG_WARN,
				     "DNS result of %s unavailable (rc %d)",
				     name, rc);
		return json_object_object_add(details, "dns", NULL);
	}
	t = (time_t)r.resolved_at;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	dns = json_object_new_object();
	if (!dns || add_member(details, "dns", dns))
		return -1;
	return add_member(dns, "status", json_object_new_string(r.status)) ||
	       add_member(dns, "addresses",
			  string_array(r.addresses, r.n_addresses)) ||
	       add_member(dns, "cname", string_array(r.cname, r.n_cname)) ||
	       add_member(dns, "resolved_at", json_object_new_string(when));
}

static int alert_one(struct new_subdomain *st, const struct ctmon_issuance *is,
		     const char *name, struct ctmon_alert_sink *out)
{
	struct json_object *details = json_object_new_object();
	struct ctmon_alert alert = {0};
	int rc;

	if (!details ||
	    add_member(details, "name", json_object_new_string(name)) ||
	    add_member(details, "parent_domain",
		       json_object_new_string(is->domain)) ||
	    add_member(details, "issuance_id",
		       json_object_new_int64(is->id)) ||
	    add_member(details, "wildcard",
		       json_object_new_boolean(from_wildcard_only(is, name))) ||
	    add_dns(st, details, name)) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	alert.size = sizeof alert;
	alert.type = ALERT_TYPE;
	alert.severity = CTMON_SEV_MEDIUM;
	alert.domain = is->domain;
	/* One alert per name per domain, whichever issuance shows it first. */
	alert.key = name;
	alert.issuance_id = is->id;
	alert.details_json = json_object_to_json_string_ext(details, JSON_FLAGS);
	rc = alert.details_json ? st->api->emit_alert(out, &alert)
				: CTMON_ENOMEM;
out:
	json_object_put(details);
	return rc;
}

static int new_subdomain_on_issuance(void *state,
				     const struct ctmon_issuance *is,
				     struct ctmon_alert_sink *out)
{
	struct new_subdomain *st = state;

	if (!is || !is->domain)
		return CTMON_EINVAL;
	for (size_t i = 0; i < is->n_new_names; i++) {
		const char *name = is->new_names[i];
		int rc;

		/* The monitored domain itself is known by definition. */
		if (strcmp(name, is->domain) == 0 || is_ignored(st, name))
			continue;
		rc = alert_one(st, is, name, out);
		if (rc != CTMON_OK)
			return rc;
	}
	return CTMON_OK;
}

static const struct ctmon_check_ops new_subdomain_ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = new_subdomain_on_issuance,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "new_subdomain", "1.0.0",
		    "Alert on host names seen for the first time",
		    new_subdomain_options, new_subdomain_create, NULL, NULL,
		    new_subdomain_destroy, &new_subdomain_ops)
