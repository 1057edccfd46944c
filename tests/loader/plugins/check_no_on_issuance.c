/* check_no_on_issuance.c - a check without its mandatory on_issuance()
 * (it has the optional on_cycle()). */
#include "test_plugin.h"

static const struct ctmon_check_ops ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_cycle = tp_on_cycle,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_CHECK,
	.name = "check_no_on_issuance",
	.version = "1.0.0",
	.description = "Loader test",
	.option_size = sizeof(struct ctmon_option),
	.create = tp_create,
	.destroy = tp_destroy,
	.ops = &ops,
};

TP_ENTRY(&desc)
