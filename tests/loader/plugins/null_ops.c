/* null_ops.c - a source that declares no ops struct at all. */
#include "test_plugin.h"

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_SOURCE,
	.name = "null_ops",
	.version = "1.0.0",
	.description = "Loader test",
	.option_size = sizeof(struct ctmon_option),
	.create = tp_create,
	.destroy = tp_destroy,
	.ops = NULL,
};

TP_ENTRY(&desc)
