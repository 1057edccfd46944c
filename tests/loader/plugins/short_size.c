/* short_size.c - a descriptor that stops before `ops`, smaller than the
 * first release's.  The object really is that small, so a loader reading
 * past its declared size trips AddressSanitizer. */
#include "test_plugin.h"

/* The 1.0 layout without its last member. */
struct truncated_plugin {
	size_t size;
	int abi_major;
	int abi_minor;
	enum ctmon_kind kind;
	const char *name;
	const char *version;
	const char *description;
	const char *build_info;
	const struct ctmon_option *options;
	size_t n_options;
	size_t option_size;
	unsigned flags;
	int (*create)(struct ctmon_host *host, const struct ctmon_host_api *api,
		      const struct ctmon_config *config, void **state);
	int (*start)(void *state);
	void (*stop)(void *state);
	void (*destroy)(void *state);
};

static const struct truncated_plugin desc = {
	.size = sizeof(struct truncated_plugin),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.kind = CTMON_KIND_CHECK,
	.name = "short_size",
	.version = "0.0.1",
	.option_size = sizeof(struct ctmon_option),
	.create = tp_create,
	.destroy = tp_destroy,
};

TP_ENTRY((const struct ctmon_plugin *)&desc)
