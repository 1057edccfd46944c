/* wildcard.c - alerts on new issuances carrying wildcard names: a stolen
 * wildcard key impersonates every host of a zone at once, so each new one
 * deserves a look.  Written only against ctmon/plugin.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "ctmon/plugin.h"

#define ALERT_TYPE "wildcard_certificate"
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct wildcard {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const struct ctmon_config *config; /* strings borrowed until destroy */
	size_t n_allow;
};

static const struct ctmon_option wildcard_options[] = {
	{"allow", CTMON_OPT_STRING_LIST, "[]", 0,
	 "wildcard names expected to exist (\"*.cdn.example.com\"): no alert"},
};

static int wildcard_create(struct ctmon_host *host,
			   const struct ctmon_host_api *api,
			   const struct ctmon_config *config, void **state)
{
	struct wildcard *st;
	size_t n = 0;
	int rc;

	*state = NULL;
	rc = api->cfg_list_len(config, "allow", &n);
	if (rc != CTMON_OK && rc != CTMON_ENOTFOUND)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const char *name = NULL;
		rc = api->cfg_list_string(config, "allow", i, &name);
		if (rc != CTMON_OK)
			return rc;
		if (strncmp(name, "*.", 2) != 0) {
			api->set_error(host,
				       "%s: option \"allow\": \"%s\" is not a "
				       "wildcard name (\"*.example.com\")",
				       api->cfg_where(config, "allow"), name);
			return CTMON_ECONFIG;
		}
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->config = config;
	st->n_allow = n;
	*state = st;
	return CTMON_OK;
}

static void wildcard_destroy(void *state) { free(state); }

static int is_allowed(const struct wildcard *st, const char *name)
{
	for (size_t i = 0; i < st->n_allow; i++) {
		const char *allowed = NULL;
		size_t len;

		/* Config names may be written in any case and with a final
		 * dot; issuance names are normalised. */
		if (st->api->cfg_list_string(st->config, "allow", i,
					     &allowed) != CTMON_OK)
			continue;
		len = strlen(allowed);
		if (len > 0 && allowed[len - 1] == '.')
			len--;
		if (strlen(name) == len && strncasecmp(name, allowed, len) == 0)
			return 1;
	}
	return 0;
}

static int wildcard_on_issuance(void *state, const struct ctmon_issuance *is,
				struct ctmon_alert_sink *out)
{
	struct wildcard *st = state;
	struct json_object *details = NULL, *names = NULL;
	struct ctmon_alert alert = {0};
	char key[32];
	int rc = CTMON_OK;

	if (!is)
		return CTMON_EINVAL;
	names = json_object_new_array();
	if (!names)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < is->n_names; i++) {
		const char *name = is->names[i];
		struct json_object *s;

		if (strncmp(name, "*.", 2) != 0 || is_allowed(st, name))
			continue;
		s = json_object_new_string(name);
		if (!s || json_object_array_add(names, s) != 0) {
			json_object_put(s);
			rc = CTMON_ENOMEM;
			goto out;
		}
	}
	if (json_object_array_length(names) == 0)
		goto out;

	details = json_object_new_object();
	if (!details) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	/* Ownership of `names` moves into `details`. */
	if (json_object_object_add(details, "wildcard_names", names) != 0) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	names = NULL;
	snprintf(key, sizeof key, "%" PRId64, is->id);
	alert.size = sizeof alert;
	alert.type = ALERT_TYPE;
	alert.severity = CTMON_SEV_HIGH;
	alert.domain = is->domain;
	alert.key = key;
	alert.issuance_id = is->id;
	alert.details_json = json_object_to_json_string_ext(details, JSON_FLAGS);
	if (!alert.details_json) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	rc = st->api->emit_alert(out, &alert);
out:
	json_object_put(names);
	json_object_put(details);
	return rc;
}

static const struct ctmon_check_ops wildcard_ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = wildcard_on_issuance,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "wildcard", "1.0.0",
		    "Alert on new issuances with wildcard names",
		    wildcard_options, wildcard_create, NULL, NULL,
		    wildcard_destroy, &wildcard_ops)
