/* fuzz_ct_checkpoint.c - a static-ct-api checkpoint, parsed and checked
 * against a real log's key (Rome 2026h1, from the fixtures) so the
 * signature-line path runs too. */
#include <stdint.h>
#include "ct_sig.h"
#include "ct_static.h"
#include "ctmon/plugin.h"
#include "fuzz_ct_common.h"

#define ROME_ORIGIN "rome2026h1.example.org"
#define ROME_KEY                                                            \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEPIcer7RB32jt4bTEbhgUKLKvOctFD+I" \
	"2hoDItFxUBlJiGFvftBuRk3fO7e1T7gC2ekyfL7XoO2oN/ObcZyc4EA=="

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ct_key key;
	static int have_key;
	struct ct_checkpoint cp;
	char err[256];
	int bad_sig = 0;

	if (!have_key) {
		if (ct_key_from_b64(&key, ROME_KEY, fuzz_hash()) != 0)
			__builtin_trap(); /* the harness itself is broken */
		have_key = 1;
	}
	(void)ct_checkpoint_verify((const char *)data, size, ROME_ORIGIN, &key,
				   fuzz_hash(), &cp, &bad_sig, err,
				   sizeof err);
	return 0;
}
