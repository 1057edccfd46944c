/* no_create.c - no create(): the host could never make an
 * instance. */
#include "test_plugin.h"

static const struct ctmon_source_ops ops = {
	.size = sizeof(struct ctmon_source_ops),
	.collect = tp_collect,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_SOURCE,
	.name = "no_create",
	.version = "1.0.0",
	.description = "Loader test",
	.option_size = sizeof(struct ctmon_option),
	.create = NULL,
	.destroy = tp_destroy,
	.ops = &ops,
};

TP_ENTRY(&desc)
