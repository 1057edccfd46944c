/* good_notifier.c - a well-formed notifier plugin without options. */
#include "test_plugin.h"

static const struct ctmon_notifier_ops ops = {
	.size = sizeof(struct ctmon_notifier_ops),
	.deliver = tp_deliver,
};

CTMON_PLUGIN_DEFINE_N(CTMON_KIND_NOTIFIER, "good_notifier", "0.9.0",
		      "Loader test: a good notifier", NULL, 0, tp_create, NULL,
		      NULL, tp_destroy, &ops)
