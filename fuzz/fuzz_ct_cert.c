/* fuzz_ct_cert.c - the X.509 field extractor (ct_cert.c) on DER: a whole
 * certificate, or a bare TBSCertificate when the first byte is odd. */
#include <stdint.h>
#include "ctmon/plugin.h"
#include "fuzz_ct_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_cert ci;
	int tbs_only;

	if (size == 0)
		return 0;
	tbs_only = data[0] & 1;
	data++;
	size--;
	ct_cert_init(&ci);
	if (ct_cert_parse(&ci, fuzz_hash(), data, size, tbs_only,
			  tbs_only ? NULL : data, tbs_only ? 0 : size) ==
	    CTMON_OK) {
		/* Touch what the core reads. */
		for (size_t i = 0; i < ci.c.n_names; i++)
			(void)ci.c.names[i][0];
	}
	ct_cert_free(&ci);
	return 0;
}
