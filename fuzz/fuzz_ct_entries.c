/* fuzz_ct_entries.c - a get-entries body: the JSON, then each entry's
 * MerkleTreeLeaf, extra_data and certificate, as the ctlog source reads
 * them. */
#include <stdint.h>
#include <string.h>

#include "ct_rfc6962.h"
#include "ctmon/plugin.h"
#include "fuzz_ct_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_entries es;
	char err[256];
	int too_many = 0;

	memset(&es, 0, sizeof es);
	if (ct_entries_parse((const char *)data, size, 64, &es, &too_many, err,
			     sizeof err) != CTMON_OK) {
		ct_entries_free(&es);
		return 0;
	}
	for (size_t i = 0; i < es.n; i++) {
		struct ct_entry e;

		memset(&e, 0, sizeof e);
		if (ct_parse_leaf_input(es.v[i].li, es.v[i].li_len, &e) !=
		    CTMON_OK)
			continue;
		if (ct_parse_extra_data(es.v[i].ed, es.v[i].ed_len, &e) !=
		    CTMON_OK)
			continue;
		fuzz_cert_of_entry(&e);
	}
	ct_entries_free(&es);
	return 0;
}
