/* email_body.c - a batch of alerts as plain text and as HTML.  Every
 * value that came from a certificate goes through ntext: escaped for
 * HTML in the HTML part, made visible (no CR/LF, no controls) in the
 * text part.  Links are built from integer crt.sh ids only. */
#include <string.h>

#include "email.h"
#include "nalert.h"
#include "ntext.h"

#define MAX_VALUE 300
#define MAX_NAMES 50
#define MAX_LINKS 10

static void put_names(struct nbuf *b, const struct na_view *v,
		      enum nt_style style)
{
	struct json_object *names = na_names(v);
	size_t n = names ? json_object_array_length(names) : 0, shown = 0;

	for (size_t i = 0; i < n && shown < MAX_NAMES; i++) {
		struct json_object *e = json_object_array_get_idx(names, i);

		if (!json_object_is_type(e, json_type_string))
			continue;
		if (shown++)
			nb_puts(b, ", ");
		nt_put(b, json_object_get_string(e), MAX_VALUE, style);
	}
	if (n > shown && shown)
		nb_printf(b, " (+%zu more)", n - shown);
}

/* crt.sh ids of the issuance, positive integers only. */
static size_t crtsh_ids(const struct na_view *v, long long *ids, size_t max)
{
	struct json_object *arr = na_crtsh_ids(v);
	size_t n = arr ? json_object_array_length(arr) : 0, k = 0;

	for (size_t i = 0; i < n && k < max; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (json_object_is_type(e, json_type_int) &&
		    json_object_get_int64(e) > 0)
			ids[k++] = (long long)json_object_get_int64(e);
	}
	return k;
}

struct detail_ctx {
	struct nbuf *b;
	enum nt_style style;
	int n;
};

static void put_detail(void *ctx, const char *key, const char *value)
{
	struct detail_ctx *d = ctx;

	if (d->n++)
		nb_puts(d->b, ", ");
	nt_put(d->b, key, 60, d->style);
	nb_puts(d->b, "=");
	nt_put(d->b, value, MAX_VALUE, d->style);
}

/* ---- text ----------------------------------------------------------- */

/* "  Label:   value\n", or nothing when the value is empty. */
static void text_line(struct nbuf *out, const char *label, struct nbuf *val)
{
	if (val->len)
		nb_printf(out, "  %-9s %s\n", label, nb_str(val));
	nb_reset(val);
}

static void text_alert(struct nbuf *out, const struct ctmon_alert *a)
{
	struct nbuf val = {0};
	struct na_view v;
	struct detail_ctx d = {&val, NT_PLAIN, 0};
	const char *title;
	long long ids[MAX_LINKS];
	size_t n_ids;

	na_view_init(&v, a);
	title = na_title(a->type);
	nb_printf(out, "[%s] ", na_sev_upper(a->severity));
	nt_put(out, title ? title : a->type, MAX_VALUE, NT_PLAIN);
	nb_puts(out, " (");
	nt_put(out, a->type, 64, NT_PLAIN);
	nb_puts(out, a->baseline ? ", baseline)\n" : ")\n");
	nt_put(&val, a->domain, MAX_VALUE, NT_PLAIN);
	text_line(out, "Domain:", &val);
	nt_put(&val, na_issuer(&v), MAX_VALUE, NT_PLAIN);
	text_line(out, "Issuer:", &val);
	put_names(&val, &v, NT_PLAIN);
	text_line(out, "Names:", &val);
	if (na_str(v.issuance, "not_before") && na_str(v.issuance, "not_after")) {
		nt_put(&val, na_str(v.issuance, "not_before"), 40, NT_PLAIN);
		nb_puts(&val, " to ");
		nt_put(&val, na_str(v.issuance, "not_after"), 40, NT_PLAIN);
	}
	text_line(out, "Valid:", &val);
	na_each_detail(&v, put_detail, &d);
	text_line(out, "Details:", &val);
	n_ids = crtsh_ids(&v, ids, MAX_LINKS);
	for (size_t i = 0; i < n_ids; i++)
		nb_printf(&val, "%s" NA_CRTSH_URL "%lld", i ? " " : "", ids[i]);
	text_line(out, "crt.sh:", &val);
	nb_printf(&val, "#%lld (ctmon --ack %lld)", (long long)a->id,
		  (long long)a->id);
	text_line(out, "Alert:", &val);
	nb_puts(out, "\n");
	if (val.oom)
		out->oom = 1;
	nb_free(&val);
	na_view_free(&v);
}

void em_body_text(struct nbuf *out, const struct ctmon_alert *const *a,
		  size_t n)
{
	nb_puts(out, "ctmon: ");
	na_summary(out, a, n);
	nb_puts(out, "\n\n");
	for (size_t i = 0; i < n; i++)
		text_alert(out, a[i]);
	nb_puts(out, "-- \nSent by ctmon, a Certificate Transparency monitor. "
		     "Acknowledge an alert\nwith \"ctmon --ack ID\"; "
		     "acknowledged alerts are not sent again.\n");
}

/* ---- HTML ----------------------------------------------------------- */

static const char *sev_css(enum ctmon_severity s)
{
	switch (s) {
	case CTMON_SEV_CRITICAL: return "#b00020";
	case CTMON_SEV_HIGH: return "#e8590c";
	case CTMON_SEV_MEDIUM: return "#b08800";
	case CTMON_SEV_LOW: return "#2f80ed";
	default: return "#606060";
	}
}

static void html_row(struct nbuf *out, const char *label, struct nbuf *val)
{
	if (val->len)
		nb_printf(out, "<tr><th align=\"left\" valign=\"top\">%s</th>"
			  "<td>%s</td></tr>\n", label, nb_str(val));
	nb_reset(val);
}

static void html_alert(struct nbuf *out, const struct ctmon_alert *a)
{
	struct nbuf val = {0};
	struct na_view v;
	struct detail_ctx d = {&val, NT_HTML, 0};
	const char *title;
	long long ids[MAX_LINKS];
	size_t n_ids;

	na_view_init(&v, a);
	title = na_title(a->type);
	nb_printf(out, "<h3><span style=\"color:%s\">%s</span> ",
		  sev_css(a->severity), na_sev_upper(a->severity));
	nt_put(out, title ? title : a->type, MAX_VALUE, NT_HTML);
	nb_puts(out, " <code>");
	nt_put(out, a->type, 64, NT_HTML);
	nb_puts(out, a->baseline ? "</code> (baseline)" : "</code>");
	nb_puts(out, "</h3>\n<table>\n");
	nt_put(&val, a->domain, MAX_VALUE, NT_HTML);
	html_row(out, "Domain", &val);
	nt_put(&val, na_issuer(&v), MAX_VALUE, NT_HTML);
	html_row(out, "Issuer", &val);
	put_names(&val, &v, NT_HTML);
	html_row(out, "Names", &val);
	if (na_str(v.issuance, "not_before") && na_str(v.issuance, "not_after")) {
		nt_put(&val, na_str(v.issuance, "not_before"), 40, NT_HTML);
		nb_puts(&val, " to ");
		nt_put(&val, na_str(v.issuance, "not_after"), 40, NT_HTML);
	}
	html_row(out, "Valid", &val);
	na_each_detail(&v, put_detail, &d);
	html_row(out, "Details", &val);
	n_ids = crtsh_ids(&v, ids, MAX_LINKS);
	for (size_t i = 0; i < n_ids; i++)
		nb_printf(&val, "%s<a href=\"" NA_CRTSH_URL "%lld\">%lld</a>",
			  i ? ", " : "", ids[i], ids[i]);
	html_row(out, "crt.sh", &val);
	nb_printf(&val, "#%lld (<code>ctmon --ack %lld</code>)",
		  (long long)a->id, (long long)a->id);
	html_row(out, "Alert", &val);
	nb_puts(out, "</table>\n");
	if (val.oom)
		out->oom = 1;
	nb_free(&val);
	na_view_free(&v);
}

void em_body_html(struct nbuf *out, const struct ctmon_alert *const *a,
		  size_t n)
{
	nb_puts(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		     "<title>ctmon alerts</title></head>\n<body style=\""
		     "font-family:sans-serif\">\n<h2>ctmon: ");
	na_summary(out, a, n);
	nb_puts(out, "</h2>\n");
	for (size_t i = 0; i < n; i++)
		html_alert(out, a[i]);
	nb_puts(out, "<p style=\"color:#606060\">Sent by ctmon, a Certificate "
		     "Transparency monitor. Acknowledge an alert with "
		     "<code>ctmon --ack ID</code>; acknowledged alerts are not "
		     "sent again.</p>\n</body></html>\n");
}
