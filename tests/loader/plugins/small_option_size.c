/* small_option_size.c - option entries claimed smaller than the first
 * release's struct ctmon_option, so the table cannot be strided. */
#include "test_plugin.h"

static const struct ctmon_option options[] = {
	{"url", CTMON_OPT_STRING, NULL, 0, "where"},
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
	.name = "small_option_size",
	.version = "1.0.0",
	.description = "Loader test",
	.options = options,
	.n_options = sizeof(options) / sizeof(options[0]),
	.option_size = 2 * sizeof(const char *),
	.create = tp_create,
	.destroy = tp_destroy,
	.ops = &ops,
};

TP_ENTRY(&desc)
