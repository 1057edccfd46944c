/* no_destroy.c - no destroy(): every instance would leak. */
#include "test_plugin.h"

static const struct ctmon_notifier_ops ops = {
	.size = sizeof(struct ctmon_notifier_ops),
	.deliver = tp_deliver,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_NOTIFIER,
	.name = "no_destroy",
	.version = "1.0.0",
	.description = "Loader test",
	.option_size = sizeof(struct ctmon_option),
	.create = tp_create,
	.destroy = NULL,
	.ops = &ops,
};

TP_ENTRY(&desc)
