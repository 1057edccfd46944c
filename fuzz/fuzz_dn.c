/* fuzz_dn.c - DN canonicalisation (core/dn.c) on crt.sh issuer_name text:
 * canonical form, equality and attribute lookup.  With
 * CTMON_FUZZ_DN_STRICT=1 in the environment it also asserts that the
 * canonical form is its own canonical form, which dn.c does not yet
 * guarantee for unbalanced quotes (fuzz/crashes/README.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int strict(void)
{
	static int v = -1;

	if (v < 0) {
		const char *e = getenv("CTMON_FUZZ_DN_STRICT");
		v = e && *e == '1';
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *canon = NULL, *again = NULL, *cn = NULL;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	canon = ctm_dn_canonical(s);
	if (canon && strict()) {
		/* A canonical DN is its own canonical form. */
		again = ctm_dn_canonical(canon);
		if (!again || strcmp(again, canon) != 0)
			__builtin_trap();
		if (!ctm_dn_equal(s, canon))
			__builtin_trap();
	}
	cn = ctm_dn_attr(s, "CN");
	free(cn);
	free(again);
	free(canon);
	free(s);
	return 0;
}
