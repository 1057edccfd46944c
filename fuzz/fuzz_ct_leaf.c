/* fuzz_ct_leaf.c - the binary entry formats without the JSON around them:
 * input = 2-byte big-endian length of leaf_input || leaf_input ||
 * extra_data (fuzz/make_seeds.py writes seeds in this layout). */
#include <stdint.h>
#include <string.h>

#include "ctmon/plugin.h"
#include "fuzz_ct_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_entry e;
	size_t li_len;

	if (size < 2)
		return 0;
	li_len = (size_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	if (li_len > size)
		li_len = size;
	memset(&e, 0, sizeof e);
	if (ct_parse_leaf_input(data, li_len, &e) != CTMON_OK)
		return 0;
	if (ct_parse_extra_data(data + li_len, size - li_len, &e) != CTMON_OK)
		return 0;
	fuzz_cert_of_entry(&e);
	return 0;
}
