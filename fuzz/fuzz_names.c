/* fuzz_names.c - host-name normalisation (core/names.c) on whatever a
 * certificate's name_value holds: the result is a valid, stable name, and
 * matching it to a monitored domain is consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char out[256], again[256];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ctm_name_normalize(s, out, sizeof out) == 0) {
		if (strlen(out) >= sizeof out)
			__builtin_trap();
		/* Normalising a normalised name changes nothing. */
		if (ctm_name_normalize(out, again, sizeof again) != 0 ||
		    strcmp(out, again) != 0)
			__builtin_trap();
		(void)ctm_name_under(out, "example.com");
		(void)ctm_name_under("www.example.com", out);
		(void)ctm_name_base(out);
		(void)ctm_name_is_wildcard(out);
	}
	/* Small output buffers must be refused, never overrun. */
	(void)ctm_name_normalize(s, out, 8);
	free(s);
	return 0;
}
