/* fuzz_ct_tile.c - a static-ct-api data tile: TileLeaf after TileLeaf
 * until the bytes run out or one is malformed, each to its certificate. */
#include <stdint.h>
#include <string.h>

#include "ctmon/plugin.h"
#include "fuzz_ct_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	for (int i = 0; i < 256 && off < size; i++) {
		struct ct_entry e;
		size_t used = 0;

		memset(&e, 0, sizeof e);
		if (ct_parse_tile_leaf(data + off, size - off, &e, &used) !=
		    CTMON_OK)
			break;
		if (used == 0 || used > size - off)
			__builtin_trap(); /* the parser must consume */
		fuzz_cert_of_entry(&e);
		off += used;
	}
	return 0;
}
