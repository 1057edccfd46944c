/* report_html_esc.h - escaping for the HTML report, one function per
 * context.  Every string that came from a certificate, a CT log, crt.sh,
 * DNS or a plugin goes through one of these; nothing else may append it.
 * All of them repair invalid UTF-8 (each bad byte becomes U+FFFD) and
 * replace control characters, so the page is always valid UTF-8. */
#ifndef CTM_REPORT_HTML_ESC_H
#define CTM_REPORT_HTML_ESC_H

#include <stdint.h>

#include "util.h"

/* Repairs s into out (appended): invalid UTF-8 becomes U+FFFD, valid text
 * is kept byte for byte.  NULL appends nothing. */
void ctm_utf8_repair(struct ctm_buf *out, const char *s);

/* Text content of an HTML element, or of an SVG <text>/<title> (inline
 * SVG is parsed by the HTML parser: the same rules hold). */
void ctm_html_text(struct ctm_buf *out, const char *s);

/* The value of a double-quoted attribute (the caller writes the quotes).
 * Quotes of both kinds are escaped, so a value never ends its attribute. */
void ctm_html_attr(struct ctm_buf *out, const char *s);

/* A component of a URL query (RFC 3986 unreserved kept, the rest
 * percent-encoded byte by byte), for links built from names. */
void ctm_url_component(struct ctm_buf *out, const char *s);

/* crt.sh links: built from a numeric id, or from a percent-encoded name,
 * then written as an attribute value (quotes included). */
void ctm_html_crtsh_id_href(struct ctm_buf *out, int64_t crtsh_id);
void ctm_html_crtsh_query_href(struct ctm_buf *out, const char *name);

#endif
