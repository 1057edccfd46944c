/* report_html.h - the HTML report (--report FILE.html): one
 * self-contained page, a summary across all monitored domains and a
 * section per domain, drawn from the store's aggregates. */
#ifndef CTM_REPORT_HTML_H
#define CTM_REPORT_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

/* What the page shows at most (the rest is counted, not listed). */
#define CTM_HTML_MAX_WEEKS 104   /* bars of a time chart */
#define CTM_HTML_MAX_CAS 7       /* stacked series; the rest is "Other" */
#define CTM_HTML_MAX_SUBDOMAINS 500
#define CTM_HTML_MAX_OPEN 300
#define CTM_HTML_MAX_ACKED 100
#define CTM_HTML_MAX_NAMES 6     /* names shown per alert */

/* Builds the page (caller frees *out). */
int ctm_report_html_build(struct ctm_store *s, char *const *domains,
			  size_t n, int64_t now, char **out,
			  struct ctm_error *err);

#endif
