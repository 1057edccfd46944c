/* report_html_internal.h - state shared by the HTML report's files. */
#ifndef CTM_REPORT_HTML_INTERNAL_H
#define CTM_REPORT_HTML_INTERNAL_H

#include <stdint.h>

#include "store.h"
#include "store_report.h"
#include "util.h"

/* One page being written.  `rc` is sticky: after the first failure the
 * rest is skipped and that error is reported. */
struct html_page {
	struct ctm_store *s;
	int64_t now;
	struct ctm_buf *out;
	int rc;
	char errmsg[512];
	int next_chart_id;
};

/* Records a store failure (the store's message) once. */
void html_fail_store(struct html_page *p, int rc);
/* Records "out of memory" once. */
void html_fail_oom(struct html_page *p);

/* The three charts of a scope (a JSON array of domains). */
void html_charts(struct html_page *p, const char *scope,
		 const struct ctm_report_span *span);

/* The sources' health: every source instance that left state. */
void html_sources(struct html_page *p);

/* "2024-03-04" of a time, into buf (>= 11 bytes). */
void html_date(int64_t t, char *buf, size_t len);

#endif
