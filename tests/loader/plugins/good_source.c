/* good_source.c - a well-formed source plugin with options. */
#include "test_plugin.h"

static const struct ctmon_option options[] = {
	{"url", CTMON_OPT_STRING, NULL, CTMON_OPTF_REQUIRED, "where to read"},
	{"retries", CTMON_OPT_INT, "3", 0, "attempts per request"},
};

static const struct ctmon_source_ops ops = {
	.size = sizeof(struct ctmon_source_ops),
	.collect = tp_collect,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_SOURCE, "good_source", "1.2.3",
		    "Loader test: a good source", options, tp_create, NULL,
		    NULL, tp_destroy, &ops)
