/* bad_option_name.c - an option whose name is not [a-z0-9_]+. */
#include "test_plugin.h"

static const struct ctmon_option options[] = {
	{"ok_name", CTMON_OPT_BOOL, "true", 0, "fine"},
	{"Bad-Name", CTMON_OPT_STRING, NULL, 0, "not a key"},
};

static const struct ctmon_check_ops ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = tp_on_issuance,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_CHECK,
	.name = "bad_option_name",
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
