/* report_html_assets.h - the HTML report's inline style and script and
 * the Content-Security-Policy that allows only them (by SHA-256). */
#ifndef CTM_REPORT_HTML_ASSETS_H
#define CTM_REPORT_HTML_ASSETS_H

#include "util.h"

const char *ctm_html_style(void);
const char *ctm_html_script(void);
/* Appends the policy text (no quotes); -1 on failure. */
int ctm_html_csp(struct ctm_buf *out);

#endif
