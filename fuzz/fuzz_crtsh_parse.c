/* fuzz_crtsh_parse.c - the crt.sh stream parser on any body, fed in two
 * pieces split where the first byte says (bodies arrive in chunks of any
 * size), every record also mapped to a certificate record. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crtsh_parse.h"
#include "ctmon/plugin.h"

static int on_record(void *ctx, const struct crtsh_record *rec)
{
	struct ctmon_cert c;
	size_t *total = ctx;

	crtsh_record_to_cert(rec, &c);
	for (size_t i = 0; i < rec->n_names; i++)
		*total += strlen(rec->names[i]);
	return CTMON_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0, split;
	struct crtsh_parser *p;
	char excerpt[CRTSH_EXCERPT_MAX + 8];
	int rc;

	if (size == 0)
		return 0;
	split = (size - 1) * data[0] / 255;
	data++;
	size--;
	p = crtsh_parser_new(on_record, &total);
	if (!p)
		return 0;
	rc = crtsh_parser_feed(p, data, split);
	if (rc == CTMON_OK)
		rc = crtsh_parser_feed(p, data + split, size - split);
	if (rc == CTMON_OK)
		rc = crtsh_parser_finish(p);
	(void)crtsh_parser_error(p);
	(void)crtsh_parser_stats(p);
	crtsh_page_excerpt((const char *)data, size, excerpt, sizeof excerpt);
	crtsh_parser_free(p);
	return 0;
}
