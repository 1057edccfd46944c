/* report.h - the JSON report (--report FILE): one document for all
 * monitored domains, in the reference agent's shape. */
#ifndef CTM_REPORT_H
#define CTM_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

/* Writes the report for `domains` to `path` atomically (temp file +
 * rename); path "-" writes to stdout.  `now` is the report's clock. */
int ctm_report_write(struct ctm_store *s, char *const *domains, size_t n,
		     int64_t now, const char *path, struct ctm_error *err);

/* Builds the report text (caller frees). */
int ctm_report_build(struct ctm_store *s, char *const *domains, size_t n,
		     int64_t now, char **out, struct ctm_error *err);

#endif
