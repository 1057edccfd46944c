/* good_check.c - a well-formed check plugin with an optional op. */
#include "test_plugin.h"

static const struct ctmon_option options[] = {
	{"threshold_hours", CTMON_OPT_INT, "24", 0, "how short is short"},
};

static const struct ctmon_check_ops ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = tp_on_issuance,
	.on_cycle = tp_on_cycle,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "good_check", "2.0.1",
		    "Loader test: a good check", options, tp_create, NULL,
		    NULL, tp_destroy, &ops)
