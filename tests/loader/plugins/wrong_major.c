/* wrong_major.c - built for the next ABI major: must be refused. */
#include "test_plugin.h"

static const struct ctmon_source_ops ops = {
	.size = sizeof(struct ctmon_source_ops),
	.collect = tp_collect,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR + 1,
	.abi_minor = 0,
	.kind = CTMON_KIND_SOURCE,
	.name = "wrong_major",
	.version = "5.0.0",
	.option_size = sizeof(struct ctmon_option),
	.create = tp_create,
	.destroy = tp_destroy,
	.ops = &ops,
};

TP_ENTRY(&desc)
