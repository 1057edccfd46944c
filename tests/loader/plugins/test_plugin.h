/* test_plugin.h - callbacks shared by the loader's test plugins.  Each
 * returns a distinct value derived from the state create() allocated, so
 * a test can tell that the host's copy of the ops reaches the plugin's own
 * code with the plugin's own state. */
#ifndef CTM_TEST_PLUGIN_H
#define CTM_TEST_PLUGIN_H

#include <stdlib.h>

#include "ctmon/plugin.h"

#define TP_STATE 42             /* what create() stores */
#define TP_COLLECT_RC (TP_STATE + 1)
#define TP_ON_ISSUANCE_RC (TP_STATE + 2)
#define TP_ON_CYCLE_RC (TP_STATE + 3)
#define TP_DELIVER_RC (TP_STATE + 4)

#define TP_UNUSED __attribute__((unused))

/* Heap state, so a missing destroy() shows up as a leak under ASan. */
static TP_UNUSED int tp_create(struct ctmon_host *host,
			       const struct ctmon_host_api *api,
			       const struct ctmon_config *config, void **state)
{
	int *s = malloc(sizeof *s);

	(void)host;
	(void)api;
	(void)config;
	if (!s)
		return CTMON_ENOMEM;
	*s = TP_STATE;
	*state = s;
	return CTMON_OK;
}

static TP_UNUSED void tp_destroy(void *state) { free(state); }

static TP_UNUSED int tp_collect(void *state, const struct ctmon_watch *w,
				struct ctmon_emitter *e)
{
	(void)w;
	(void)e;
	return *(int *)state + 1;
}

static TP_UNUSED int tp_on_issuance(void *state,
				    const struct ctmon_issuance *is,
				    struct ctmon_alert_sink *out)
{
	(void)is;
	(void)out;
	return *(int *)state + 2;
}

static TP_UNUSED int tp_on_cycle(void *state, struct ctmon_alert_sink *out)
{
	(void)out;
	return *(int *)state + 3;
}

static TP_UNUSED int tp_deliver(void *state,
				const struct ctmon_alert *const *alerts,
				size_t n)
{
	(void)alerts;
	(void)n;
	return *(int *)state + 4;
}

/* For plugins that write their descriptor by hand to break a rule the
 * CTMON_PLUGIN_DEFINE() macro would get right. */
#define TP_ENTRY(desc_ptr)                                                  \
	CTMON_EXPORT const struct ctmon_plugin *ctmon_plugin_entry(void);   \
	const struct ctmon_plugin *ctmon_plugin_entry(void)                 \
	{                                                                   \
		return (desc_ptr);                                          \
	}

#endif
