/* dup_option.c - an option table that declares "url" twice. */
#include "test_plugin.h"

static const struct ctmon_option options[] = {
	{"url", CTMON_OPT_STRING, NULL, 0, "first"},
	{"timeout", CTMON_OPT_INT, "30", 0, "seconds"},
	{"url", CTMON_OPT_STRING, NULL, 0, "second"},
};

static const struct ctmon_source_ops ops = {
	.size = sizeof(struct ctmon_source_ops),
	.collect = tp_collect,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_SOURCE,
	.name = "dup_option",
	.version = "1.0.0",
	.description = "Loader test",
	.options = options,
	.n_options = sizeof(options) / sizeof(options[0]),
	.option_size = sizeof(struct ctmon_option),
	.create = tp_create,
	.destroy = tp_destroy,
	.ops = &ops,
};

TP_ENTRY(&desc)
