/* bigger_size.c - a check whose descriptor and ops are larger than the
 * host's, as a later header of the same major would make them (members
 * appended at the end).  The host must copy only the part it knows; the
 * appended bytes hold a pattern a test would find if it copied more. */
#include <stdint.h>

#include "test_plugin.h"

#define TP_PATTERN UINT64_C(0xabababababababab)

struct later_plugin {
	struct ctmon_plugin known;
	uint64_t appended[4];
};

struct later_check_ops {
	struct ctmon_check_ops known;
	uint64_t appended[4];
};

static const struct ctmon_option options[] = {
	{"days", CTMON_OPT_INT_LIST, "[30, 14]", 0, "thresholds"},
};

static const struct later_check_ops ops = {
	.known = {
		.size = sizeof(struct later_check_ops),
		.on_issuance = tp_on_issuance,
		.on_cycle = tp_on_cycle,
	},
	.appended = {TP_PATTERN, TP_PATTERN, TP_PATTERN, TP_PATTERN},
};

static const struct later_plugin desc = {
	.known = {
		.size = sizeof(struct later_plugin),
		.abi_major = CTMON_PLUGIN_ABI_MAJOR,
		.abi_minor = CTMON_PLUGIN_ABI_MINOR,
		.kind = CTMON_KIND_CHECK,
		.name = "bigger_size",
		.version = "3.0.0",
		.description = "Loader test: larger descriptor and ops",
		.build_info = CTMON_BUILD_INFO,
		.options = options,
		.n_options = 1,
		.option_size = sizeof(struct ctmon_option),
		.create = tp_create,
		.destroy = tp_destroy,
		.ops = &ops,
	},
	.appended = {TP_PATTERN, TP_PATTERN, TP_PATTERN, TP_PATTERN},
};

TP_ENTRY(&desc.known)
