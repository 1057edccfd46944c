/* short_lived.c - alerts on certificates whose validity is strictly below
 * a threshold: throw-away certificates are a mark of phishing kits and of
 * automation gone wrong.  Written only against ctmon/plugin.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "ctmon/plugin.h"

#define ALERT_TYPE "short_lived_certificate"
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct short_lived {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	double threshold_hours;
};

static const struct ctmon_option short_lived_options[] = {
	{"threshold_hours", CTMON_OPT_DOUBLE, "24", 0,
	 "alert when not_after - not_before is strictly below this many hours"},
};

static int short_lived_create(struct ctmon_host *host,
			      const struct ctmon_host_api *api,
			      const struct ctmon_config *config, void **state)
{
	struct short_lived *st;
	double hours;
	int rc;

	*state = NULL;
	rc = api->cfg_double(config, "threshold_hours", &hours);
	if (rc != CTMON_OK) {
		api->set_error(host, "threshold_hours: not readable (rc %d)",
			       rc);
		return CTMON_ECONFIG;
	}
	/* `!(x > 0)` also refuses NaN. */
	if (!(hours > 0)) {
		api->set_error(host,
			       "%s: option \"threshold_hours\": must be above 0, "
			       "got %g",
			       api->cfg_where(config, "threshold_hours"),
			       hours);
		return CTMON_ECONFIG;
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->threshold_hours = hours;
	*state = st;
	return CTMON_OK;
}

static void short_lived_destroy(void *state) { free(state); }

/* A JSON number printed with exactly two decimals, as the issue asks. */
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

static int short_lived_on_issuance(void *state,
				   const struct ctmon_issuance *is,
				   struct ctmon_alert_sink *out)
{
	struct short_lived *st = state;
	struct json_object *details = NULL;
	struct ctmon_alert alert = {0};
	char key[32];
	int64_t validity;
	int rc = CTMON_OK;

	if (!is || !is->cert)
		return CTMON_EINVAL;
	/* Unknown validity proves nothing either way. */
	if (is->cert->not_before == 0 || is->cert->not_after == 0)
		return CTMON_OK;
	validity = is->cert->not_after - is->cert->not_before;
	if (!((double)validity < st->threshold_hours * 3600.0))
		return CTMON_OK;

	details = json_object_new_object();
	if (!details ||
	    add_member(details, "validity_hours",
		       two_decimals((double)validity / 3600.0)) ||
	    add_member(details, "validity_seconds",
		       json_object_new_int64(validity)) ||
	    add_member(details, "threshold_hours",
		       json_object_new_double(st->threshold_hours))) {
		rc = CTMON_ENOMEM;
		goto out;
	}
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
	json_object_put(details);
	return rc;
}

static const struct ctmon_check_ops short_lived_ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = short_lived_on_issuance,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "short_lived", "1.0.0",
		    "Alert on certificates valid for less than threshold_hours",
		    short_lived_options, short_lived_create, NULL, NULL,
		    short_lived_destroy, &short_lived_ops)
