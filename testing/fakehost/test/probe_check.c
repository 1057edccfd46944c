/* probe_check.c - a check plugin that hands the fake host whatever alert
 * its options describe, valid or not, and ignores the answer: the fake
 * host must still make the test see a bad alert.  Also adds watch
 * patterns. */
#include <stdlib.h>

#include "ctmon/plugin.h"

struct probe {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const char *details;
	const char *key;
	int64_t severity;
};

static const struct ctmon_option probe_options[] = {
	{"details", CTMON_OPT_STRING, "{}", 0, "details_json to emit"},
	{"key", CTMON_OPT_STRING, "k", 0, "alert key"},
	{"severity", CTMON_OPT_INT, "2", 0, "alert severity"},
};

static int probe_create(struct ctmon_host *host,
			const struct ctmon_host_api *api,
			const struct ctmon_config *config, void **state)
{
	struct probe *p = calloc(1, sizeof *p);

	if (!p)
		return CTMON_ENOMEM;
	p->host = host;
	p->api = api;
	if (api->cfg_string(config, "details", &p->details) != CTMON_OK ||
	    api->cfg_string(config, "key", &p->key) != CTMON_OK ||
	    api->cfg_int(config, "severity", &p->severity) != CTMON_OK) {
		free(p);
		return CTMON_ECONFIG;
	}
	*state = p;
	return CTMON_OK;
}

static void probe_destroy(void *state) { free(state); }

static int probe_on_issuance(void *state, const struct ctmon_issuance *is,
			     struct ctmon_alert_sink *out)
{
	struct probe *p = state;
	struct ctmon_alert a = {0};

	a.size = sizeof a;
	a.type = "probe";
	a.severity = (enum ctmon_severity)p->severity;
	a.domain = is->domain;
	a.key = p->key[0] ? p->key : NULL;
	a.details_json = p->details;
	a.issuance_id = is->id;
	p->api->log(p->host, CTMON_LOG_INFO, "emit rc=%d",
		    p->api->emit_alert(out, &a));
	return CTMON_OK; /* deliberately ignores the refusal */
}

static int probe_watch(void *state, struct ctmon_watch_builder *b)
{
	struct probe *p = state;
	struct ctmon_watch_entry ok = {sizeof ok, "Example.ORG.", "example.com",
				       NULL};
	struct ctmon_watch_entry wild = {sizeof wild, "*.example.net",
					 "example.com", "probe:x"};

	p->api->log(p->host, CTMON_LOG_INFO, "watch ok rc=%d wild rc=%d",
		    p->api->watch_add(b, &ok), p->api->watch_add(b, &wild));
	return CTMON_OK;
}

static const struct ctmon_check_ops probe_ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = probe_on_issuance,
	.watch = probe_watch,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "probe_check", "0.0.1",
		    "fake host test probe", probe_options, probe_create, NULL,
		    NULL, probe_destroy, &probe_ops)
