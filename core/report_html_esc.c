/* report_html_esc.c - context escaping for the HTML report. */
#include "report_html_esc.h"

#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* The core's one UTF-8 decoder is ctm_buf_json_string (util.c): its JSON
 * literal, read back, is the text with every invalid byte replaced.
 * Pure ASCII, the usual case, is copied as it is. */
void ctm_utf8_repair(struct ctm_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct ctm_buf lit;
	struct json_object *o;

	if (!s)
		return;
	while (*p && *p < 0x80)
		p++;
	if (!*p) {
		ctm_buf_puts(out, s);
		return;
	}
	ctm_buf_init(&lit);
	ctm_buf_json_string(&lit, s);
	o = lit.oom ? NULL : json_tokener_parse(lit.data);
	if (o && json_object_is_type(o, json_type_string))
		ctm_buf_append(out, json_object_get_string(o),
			       (size_t)json_object_get_string_len(o));
	else
		out->oom = 1;
	json_object_put(o);
	ctm_buf_free(&lit);
}

/* Escapes repaired text: markup characters as entities, control
 * characters (other than tab and newline) as U+FFFD. */
static void escape(struct ctm_buf *out, const char *s)
{
	struct ctm_buf clean;
	const char *p;

	if (!s)
		return;
	ctm_buf_init(&clean);
	ctm_utf8_repair(&clean, s);
	if (clean.oom) {
		out->oom = 1;
		goto out;
	}
	for (p = clean.data ? clean.data : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;
		switch (c) {
		case '&': ctm_buf_puts(out, "&amp;"); break;
		case '<': ctm_buf_puts(out, "&lt;"); break;
		case '>': ctm_buf_puts(out, "&gt;"); break;
		case '"': ctm_buf_puts(out, "&quot;"); break;
		case '\'': ctm_buf_puts(out, "&#39;"); break;
		case '`': ctm_buf_puts(out, "&#96;"); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				ctm_buf_puts(out, REPLACEMENT);
			else
				ctm_buf_append(out, p, 1);
		}
	}
out:
	ctm_buf_free(&clean);
}

void ctm_html_text(struct ctm_buf *out, const char *s)
{
	escape(out, s);
}

void ctm_html_attr(struct ctm_buf *out, const char *s)
{
	escape(out, s);
}

void ctm_url_component(struct ctm_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			ctm_buf_append(out, p, 1);
		} else {
			char pct[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			ctm_buf_append(out, pct, 3);
		}
	}
}

void ctm_html_crtsh_id_href(struct ctm_buf *out, int64_t crtsh_id)
{
	ctm_buf_printf(out, "\"https://crt.sh/?id=%" PRId64 "\"", crtsh_id);
}

void ctm_html_crtsh_query_href(struct ctm_buf *out, const char *name)
{
	struct ctm_buf url;

	ctm_buf_init(&url);
	ctm_buf_puts(&url, "https://crt.sh/?q=");
	ctm_url_component(&url, name);
	ctm_buf_puts(out, "\"");
	/* Percent-encoding leaves nothing to escape; kept for the rule. */
	ctm_html_attr(out, url.data);
	ctm_buf_puts(out, "\"");
	if (url.oom)
		out->oom = 1;
	ctm_buf_free(&url);
}
