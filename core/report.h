/* report.h - the report (--report FILE): one JSON document for all
 * monitored domains, in the reference agent's shape, or one
 * self-contained HTML page (report_html.h). */
#ifndef CTM_REPORT_H
#define CTM_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

/* The report's format: AUTO follows the path (".html" or ".htm", any
 * case, is the HTML page; anything else, "-" included, is JSON). */
enum ctm_report_format {
	CTM_REPORT_AUTO = 0,
	CTM_REPORT_JSON,
	CTM_REPORT_HTML
};

/* "auto", "json" or "html" (the `report_format` setting); 0 on success,
 * -1 for anything else. */
int ctm_report_format_parse(const char *name, enum ctm_report_format *out);
/* The format a report written to `path` gets. */
enum ctm_report_format ctm_report_format_for(const char *path,
					     enum ctm_report_format format);

/* Writes the report for `domains` to `path` atomically (temp file +
 * rename); path "-" writes to stdout.  `now` is the report's clock.
 * The format follows the path (CTM_REPORT_AUTO). */
int ctm_report_write(struct ctm_store *s, char *const *domains, size_t n,
		     int64_t now, const char *path, struct ctm_error *err);
/* The same in a chosen format. */
int ctm_report_write_as(struct ctm_store *s, char *const *domains, size_t n,
			int64_t now, const char *path,
			enum ctm_report_format format, struct ctm_error *err);

/* Builds the report text (caller frees). */
int ctm_report_build(struct ctm_store *s, char *const *domains, size_t n,
		     int64_t now, char **out, struct ctm_error *err);

#endif
