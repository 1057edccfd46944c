/* ctor_marker.c - a good check whose constructor leaves a marker file
 * (path in $CTM_LOADER_CTOR_MARKER): proof of whether it was ever
 * dlopen'ed.  A refused plugin must never have run any of its code. */
#include <stdio.h>
#include <stdlib.h>

#include "test_plugin.h"

__attribute__((constructor)) static void leave_marker(void)
{
	const char *path = getenv("CTM_LOADER_CTOR_MARKER");
	FILE *fp;

	if (!path || !*path)
		return;
	fp = fopen(path, "w");
	if (fp) {
		fputs("constructor ran\n", fp);
		fclose(fp);
	}
}

static const struct ctmon_check_ops ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = tp_on_issuance,
};

CTMON_PLUGIN_DEFINE_N(CTMON_KIND_CHECK, "ctor_marker", "1.0.0",
		      "Loader test: a constructor that leaves a marker", NULL,
		      0, tp_create, NULL, NULL, tp_destroy, &ops)
