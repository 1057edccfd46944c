/* newer_minor.c - built for a minor this host does not have yet: it may
 * call host API members the host lacks, so it must be refused. */
#include "test_plugin.h"

static const struct ctmon_source_ops ops = {
	.size = sizeof(struct ctmon_source_ops),
	.collect = tp_collect,
};

static const struct ctmon_plugin desc = {
	.size = sizeof(struct ctmon_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR + 7,
	.kind = CTMON_KIND_SOURCE,
	.name = "newer_minor",
	.version = "2.1.0",
	.option_size = sizeof(struct ctmon_option),
	.create = tp_create,
	.destroy = tp_destroy,
	.ops = &ops,
};

TP_ENTRY(&desc)
