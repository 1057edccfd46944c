/* probe_notifier.c - a notifier plugin that reports partial delivery and a
 * Retry-After as its options say, so test_fakehost can check what the
 * fake host records during deliver() and what it refuses. */
#include <stdlib.h>

#include "ctmon/plugin.h"

struct probe {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	int64_t progress;    /* -1: do not report */
	int64_t retry_after; /* -2: do not report */
	int64_t rc;          /* what deliver() returns */
};

static const struct ctmon_option probe_options[] = {
	{"progress", CTMON_OPT_INT, "-1", 0, "deliver_progress n, -1 none"},
	{"retry_after", CTMON_OPT_INT, "-2", 0,
	 "deliver_retry_after seconds, -2 none"},
	{"rc", CTMON_OPT_INT, "0", 0, "deliver() return code"},
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
	if (!CTMON_HOST_HAS(api, deliver_retry_after) ||
	    api->cfg_int(config, "progress", &p->progress) != CTMON_OK ||
	    api->cfg_int(config, "retry_after", &p->retry_after) != CTMON_OK ||
	    api->cfg_int(config, "rc", &p->rc) != CTMON_OK) {
		free(p);
		return CTMON_ECONFIG;
	}
	*state = p;
	return CTMON_OK;
}

static void probe_destroy(void *state) { free(state); }

static int probe_deliver(void *state, const struct ctmon_alert *const *alerts,
			 size_t n)
{
	struct probe *p = state;
	int prc = 1, rrc = 1; /* 1: not called */

	(void)alerts;
	if (p->progress >= 0)
		prc = p->api->deliver_progress(p->host, (size_t)p->progress);
	if (p->retry_after != -2)
		rrc = p->api->deliver_retry_after(p->host, p->retry_after);
	p->api->log(p->host, CTMON_LOG_INFO,
		    "deliver n=%zu progress rc=%d retry rc=%d", n, prc, rrc);
	return (int)p->rc;
}

static const struct ctmon_notifier_ops probe_ops = {
	.size = sizeof(struct ctmon_notifier_ops),
	.deliver = probe_deliver,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_NOTIFIER, "probe_notifier", "0.0.1",
		    "fake host test probe", probe_options, probe_create, NULL,
		    NULL, probe_destroy, &probe_ops)
