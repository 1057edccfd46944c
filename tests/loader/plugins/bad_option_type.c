/* bad_option_type.c - an option of a type no ABI defines. */
#include "test_plugin.h"

static const struct ctmon_option options[] = {
	{"mystery", (enum ctmon_opt_type)99, NULL, 0, "unknown type"},
};

static const struct ctmon_notifier_ops ops = {
	.size = sizeof(struct ctmon_notifier_ops),
	.deliver = tp_deliver,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_NOTIFIER,
	.name = "bad_option_type",
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
