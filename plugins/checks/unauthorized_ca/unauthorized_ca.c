/* unauthorized_ca.c - alerts when a new issuance of a monitored domain
 * comes from a CA nobody authorised: the one finding that most often means
 * mis-issuance or a compromised validation.
 *
 * Authorised = this plugin's lists (global plus the domain's per_domain
 * entry, by crt.sh CA id or issuer DN) or the store's list (--add-ca,
 * --auto-baseline).  With nothing authorised at all every issuance would
 * alert, which is noise that hides the real finding, so instead the check
 * warns once per cycle and names the fix.  Written only against
 * ctmon/plugin.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "ctmon/plugin.h"

#define ALERT_TYPE "unauthorized_ca"
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* One authorised list: a config view holding `ids_key` and `dns_key`. */
struct ca_list {
	const char *domain;                /* NULL for the global list */
	const struct ctmon_config *config; /* borrowed until destroy */
	const char *ids_key;
	const char *dns_key;
	size_t n_ids;
	size_t n_dns;
};

struct unauthorized_ca {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	struct ca_list global;
	struct ca_list *per_domain;
	size_t n_per_domain;
	int warn_when_empty;
	char **warned;      /* domains warned about in this cycle */
	size_t n_warned;
};

static const struct ctmon_option unauthorized_ca_options[] = {
	{"authorized_ca_ids", CTMON_OPT_INT_LIST, "[]", 0,
	 "crt.sh CA ids authorised for every monitored domain"},
	{"authorized_issuers", CTMON_OPT_STRING_LIST, "[]", 0,
	 "issuer DNs authorised for every monitored domain"},
	{"per_domain", CTMON_OPT_GROUP_LIST, NULL, 0,
	 "({ domain = \"x\"; ca_ids = [...]; issuers = [...]; }, ...)"},
	{"warn_when_empty", CTMON_OPT_BOOL, "true", 0,
	 "warn once per cycle when a domain has no authorised CA at all"},
};

/* Reads the lengths of a list pair; an absent key is an empty list. */
static int list_lengths(const struct ctmon_host_api *api, struct ca_list *l)
{
	int rc = api->cfg_list_len(l->config, l->ids_key, &l->n_ids);
	if (rc == CTMON_ENOTFOUND)
		l->n_ids = 0;
	else if (rc != CTMON_OK)
		return rc;
	rc = api->cfg_list_len(l->config, l->dns_key, &l->n_dns);
	if (rc == CTMON_ENOTFOUND)
		l->n_dns = 0;
	else if (rc != CTMON_OK)
		return rc;
	return CTMON_OK;
}

/* Every id of the list must be a crt.sh CA id (> 0): 0 and -1 would match
 * crt.sh's "unknown" and "not found".  Every DN must be a string (the core
 * checked the global lists; per_domain groups are the plugin's).  `what`
 * names the list in messages. */
static int check_list_values(struct unauthorized_ca *st,
			     const struct ca_list *l, const char *what)
{
	const struct ctmon_host_api *api = st->api;
	const char *where = api->cfg_where(l->config, l->ids_key);
	int64_t id = 0;
	const char *dn;

	for (size_t i = 0; i < l->n_ids; i++) {
		if (api->cfg_list_int(l->config, l->ids_key, i, &id) !=
		    CTMON_OK) {
			api->set_error(st->host,
				       "%s: %s: expected a list of integers",
				       where, what);
			return CTMON_ECONFIG;
		}
		if (id <= 0) {
			api->set_error(st->host,
				       "%s: %s: %" PRId64
				       " is not a crt.sh CA id",
				       where, what, id);
			return CTMON_ECONFIG;
		}
	}
	for (size_t i = 0; i < l->n_dns; i++) {
		if (api->cfg_list_string(l->config, l->dns_key, i, &dn) !=
		    CTMON_OK) {
			api->set_error(st->host,
				       "%s: option \"per_domain\": issuers: "
				       "expected a list of strings",
				       api->cfg_where(l->config, l->dns_key));
			return CTMON_ECONFIG;
		}
	}
	return CTMON_OK;
}

/* per_domain groups are free-form to the core: vet their members here so a
 * typo is an error with its line, not a silently empty list. */
static int read_domain_entry(struct unauthorized_ca *st,
			     const struct ctmon_config *g, struct ca_list *l)
{
	const struct ctmon_host_api *api = st->api;
	const char *member;
	int rc;

	for (size_t i = 0; api->cfg_member_name(g, i, &member) == CTMON_OK;
	     i++) {
		if (strcmp(member, "domain") != 0 &&
		    strcmp(member, "ca_ids") != 0 &&
		    strcmp(member, "issuers") != 0) {
			api->set_error(st->host,
				       "%s: option \"per_domain\": unknown key "
				       "\"%s\" (expected domain, ca_ids, "
				       "issuers)",
				       api->cfg_where(g, member), member);
			return CTMON_ECONFIG;
		}
	}
	if (api->cfg_string(g, "domain", &l->domain) != CTMON_OK ||
	    !l->domain[0]) {
		api->set_error(st->host,
			       "%s: option \"per_domain\": each entry needs "
			       "domain = \"example.com\"",
			       api->cfg_where(g, "domain"));
		return CTMON_ECONFIG;
	}
	l->config = g;
	l->ids_key = "ca_ids";
	l->dns_key = "issuers";
	rc = list_lengths(api, l);
	if (rc != CTMON_OK) {
		api->set_error(st->host,
			       "%s: option \"per_domain\": ca_ids must be a list "
			       "of integers and issuers a list of strings",
			       api->cfg_where(g, "domain"));
		return CTMON_ECONFIG;
	}
	return check_list_values(st, l, "option \"per_domain\": ca_ids");
}

static void unauthorized_ca_destroy(void *state)
{
	struct unauthorized_ca *st = state;

	if (!st)
		return;
	for (size_t i = 0; i < st->n_warned; i++)
		free(st->warned[i]);
	free(st->warned);
	free(st->per_domain);
	free(st);
}

static int unauthorized_ca_create(struct ctmon_host *host,
				  const struct ctmon_host_api *api,
				  const struct ctmon_config *config,
				  void **state)
{
	struct unauthorized_ca *st;
	size_t n = 0;
	int rc;

	*state = NULL;
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->global.config = config;
	st->global.ids_key = "authorized_ca_ids";
	st->global.dns_key = "authorized_issuers";
	rc = list_lengths(api, &st->global);
	if (rc == CTMON_OK)
		rc = check_list_values(st, &st->global,
				       "option \"authorized_ca_ids\"");
	if (rc != CTMON_OK)
		goto out;
	rc = api->cfg_bool(config, "warn_when_empty", &st->warn_when_empty);
	if (rc != CTMON_OK)
		goto out;
	rc = api->cfg_list_len(config, "per_domain", &n);
	if (rc == CTMON_ENOTFOUND) {
		n = 0;
	} else if (rc != CTMON_OK) {
		goto out;
	}
	if (n > 0) {
		st->per_domain = calloc(n, sizeof *st->per_domain);
		if (!st->per_domain) {
			rc = CTMON_ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct ctmon_config *g = NULL;
		rc = api->cfg_list_group(config, "per_domain", i, &g);
		if (rc == CTMON_OK)
			rc = read_domain_entry(st, g, &st->per_domain[i]);
		if (rc != CTMON_OK)
			goto out;
		st->n_per_domain++;
	}
	*state = st;
	st = NULL;
	rc = CTMON_OK;
out:
	unauthorized_ca_destroy(st);
	return rc;
}

static int in_list(const struct unauthorized_ca *st, const struct ca_list *l,
		   int64_t ca_id, const char *issuer_dn)
{
	const struct ctmon_host_api *api = st->api;

	/* Configured ids are > 0 (checked in create), so crt.sh's "unknown"
	 * (0) and "not found" (-1) never match. */
	for (size_t i = 0; i < l->n_ids; i++) {
		int64_t id;
		if (api->cfg_list_int(l->config, l->ids_key, i, &id) ==
			    CTMON_OK &&
		    id == ca_id)
			return 1;
	}
	for (size_t i = 0; issuer_dn && i < l->n_dns; i++) {
		const char *dn;
		if (api->cfg_list_string(l->config, l->dns_key, i, &dn) ==
			    CTMON_OK &&
		    api->dn_equal(dn, issuer_dn))
			return 1;
	}
	return 0;
}

static int domain_matches(const char *configured, const char *domain)
{
	size_t n = strlen(configured);

	/* Monitored domains are normalised; config text may not be. */
	if (n > 0 && configured[n - 1] == '.')
		n--;
	return strlen(domain) == n && strncasecmp(configured, domain, n) == 0;
}

/* Walks the lists that apply to `domain`: global, then its entries.
 * Returns 1 if authorised; *n_configured counts the entries seen. */
static int config_authorizes(const struct unauthorized_ca *st,
			     const char *domain, int64_t ca_id,
			     const char *issuer_dn, size_t *n_configured)
{
	*n_configured = st->global.n_ids + st->global.n_dns;
	if (in_list(st, &st->global, ca_id, issuer_dn))
		return 1;
	for (size_t i = 0; i < st->n_per_domain; i++) {
		const struct ca_list *l = &st->per_domain[i];
		if (!domain_matches(l->domain, domain))
			continue;
		*n_configured += l->n_ids + l->n_dns;
		if (in_list(st, l, ca_id, issuer_dn))
			return 1;
	}
	return 0;
}

/* Warns once per cycle per domain that nothing is authorised. */
static int warn_empty(struct unauthorized_ca *st, const char *domain)
{
	char **grown;

	if (!st->warn_when_empty)
		return CTMON_OK;
	for (size_t i = 0; i < st->n_warned; i++)
		if (strcmp(st->warned[i], domain) == 0)
			return CTMON_OK;
	grown = realloc(st->warned, (st->n_warned + 1) * sizeof *grown);
	if (!grown)
		return CTMON_ENOMEM;
	st->warned = grown;
	st->warned[st->n_warned] = strdup(domain);
	if (!st->warned[st->n_warned])
		return CTMON_ENOMEM;
	st->n_warned++;
	st->api->log(st->host, CTMON_LOG_WARN,
		     "no authorised CA for %s: run ctmon --auto-baseline or "
		     "--add-ca NAME ID (or list CAs in this check's config); "
		     "not alerting on its issuers until then",
		     domain);
	return CTMON_OK;
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

static int raise_alert(struct unauthorized_ca *st,
		       const struct ctmon_issuance *is,
		       struct ctmon_alert_sink *out)
{
	const struct ctmon_cert *c = is->cert;
	struct json_object *details = json_object_new_object();
	struct ctmon_alert alert = {0};
	char key[32];
	int rc;

	/* json-c represents null as a NULL member value. */
	if (!details ||
	    (c->issuer_dn ? add_member(details, "issuer",
				       json_object_new_string(c->issuer_dn))
			  : json_object_object_add(details, "issuer", NULL)) ||
	    add_member(details, "ca_id",
		       json_object_new_int64(c->issuer_ca_id)) ||
	    add_member(details, "reason",
		       json_object_new_string("issuer is not an authorised "
					      "CA for this domain"))) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	snprintf(key, sizeof key, "%" PRId64, is->id);
	alert.size = sizeof alert;
	alert.type = ALERT_TYPE;
	alert.severity = CTMON_SEV_CRITICAL;
	alert.domain = is->domain;
	alert.key = key;
	alert.issuance_id = is->id;
	alert.details_json = json_object_to_json_string_ext(details, JSON_FLAGS);
	rc = alert.details_json ? st->api->emit_alert(out, &alert)
				: CTMON_ENOMEM;
out:
	json_object_put(details);
	return rc;
}

static int unauthorized_ca_on_issuance(void *state,
				       const struct ctmon_issuance *is,
				       struct ctmon_alert_sink *out)
{
	struct unauthorized_ca *st = state;
	const struct ctmon_cert *c;
	size_t n_configured;
	int64_t n_stored = 0;
	int authorized = 0;
	int rc;

	if (!is || !is->cert || !is->domain)
		return CTMON_EINVAL;
	c = is->cert;
	if (config_authorizes(st, is->domain, c->issuer_ca_id, c->issuer_dn,
			      &n_configured))
		return CTMON_OK;
	rc = st->api->ca_is_authorized(st->host, is->domain, c->issuer_ca_id,
				       c->issuer_dn, &authorized);
	if (rc != CTMON_OK || authorized)
		return rc;
	if (n_configured == 0) {
		rc = st->api->ca_count(st->host, is->domain, &n_stored);
		if (rc != CTMON_OK)
			return rc;
		if (n_stored == 0)
			return warn_empty(st, is->domain);
	}
	return raise_alert(st, is, out);
}

/* A new cycle: the empty-list warning may be given again. */
static int unauthorized_ca_on_cycle(void *state, struct ctmon_alert_sink *out)
{
	struct unauthorized_ca *st = state;

	(void)out;
	for (size_t i = 0; i < st->n_warned; i++)
		free(st->warned[i]);
	st->n_warned = 0;
	return CTMON_OK;
}

static const struct ctmon_check_ops unauthorized_ca_ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = unauthorized_ca_on_issuance,
	.on_cycle = unauthorized_ca_on_cycle,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "unauthorized_ca", "1.0.0",
		    "Alert on issuances from CAs not authorised for the domain",
		    unauthorized_ca_options, unauthorized_ca_create, NULL, NULL,
		    unauthorized_ca_destroy, &unauthorized_ca_ops)
