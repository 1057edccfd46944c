/* short_ops.c - a notifier whose ops claim to be smaller than
 * the first release's struct. */
#include "test_plugin.h"

static const struct ctmon_notifier_ops ops = {
	.size = sizeof(size_t),
	.deliver = tp_deliver,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_NOTIFIER,
	.name = "short_ops",
	.version = "1.0.0",
	.description = "Loader test",
	.option_size = sizeof(struct ctmon_option),
	.create = tp_create,
	.destroy = tp_destroy,
	.ops = &ops,
};

TP_ENTRY(&desc)
