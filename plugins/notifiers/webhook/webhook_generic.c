/* webhook_generic.c - the "generic" format: the whole batch as one JSON
 * document with every field of every alert (README.md documents it). */
#include "nalert.h"
#include "webhook.h"

int wh_build_generic(const struct ctmon_alert *const *a, size_t n,
		     size_t *used, struct nbuf *out)
{
	*used = n;
	return na_document(out, a, n);
}
