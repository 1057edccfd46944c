/* fuzz_ct_sth.c - the small RFC 6962 JSON answers: get-sth, and the
 * proofs of get-sth-consistency and get-entry-and-proof. */
#include <stdint.h>
#include <stdlib.h>

#include "ct_rfc6962.h"
#include "ctmon/plugin.h"
#include "fuzz_ct_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_sth sth;
	struct ct_proof proof;
	uint8_t *leaf = NULL;
	size_t leaf_len = 0;
	char err[256];

	(void)ct_sth_parse((const char *)data, size, &sth, err, sizeof err);
	(void)ct_proof_parse((const char *)data, size, "consistency", &proof,
			     NULL, NULL, err, sizeof err);
	(void)ct_proof_parse((const char *)data, size, "audit_path", &proof,
			     &leaf, &leaf_len, err, sizeof err);
	free(leaf);
	return 0;
}
