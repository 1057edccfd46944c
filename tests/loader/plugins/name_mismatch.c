/* name_mismatch.c - the file is name_mismatch.so but the plugin calls
 * itself "other_name": config and plugin disagree on what was loaded. */
#include "test_plugin.h"

static const struct ctmon_check_ops ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = tp_on_issuance,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_CHECK,
	.name = "other_name",
	.version = "1.0.0",
	.description = "Loader test",
	.option_size = sizeof(struct ctmon_option),
	.create = tp_create,
	.destroy = tp_destroy,
	.ops = &ops,
};

TP_ENTRY(&desc)
