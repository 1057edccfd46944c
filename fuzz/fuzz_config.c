/* fuzz_config.c - the config loader (core/config.c) on any file: written
 * to a private temporary directory, loaded, freed.  The load must return
 * (never exit: see the @include check) and free everything. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char path[96];

static void remove_scratch(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctm_config *c = NULL;
	struct ctm_error err;
	FILE *fp;

	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/ctmon-fuzz-config-XXXXXX");
		if (!mkdtemp(dir))
			__builtin_trap();
		snprintf(path, sizeof path, "%s/ctmon.cfg", dir);
		atexit(remove_scratch);
	}
	fp = fopen(path, "wb");
	if (!fp)
		__builtin_trap();
	if (size && fwrite(data, 1, size, fp) != size)
		__builtin_trap();
	fclose(fp);
	if (ctm_config_load(path, &c, &err) == CTMON_OK) {
		if (!c)
			__builtin_trap();
		ctm_config_free(c);
	} else if (c || !err.text[0]) {
		__builtin_trap(); /* an error always says why */
	}
	return 0;
}
