/* report_html.c - the HTML report's page: a summary across all
 * monitored domains, then one section per domain with its figures,
 * charts, subdomains and alerts, then the sources' health.
 *
 * Every string that did not come from this file is escaped for where it
 * goes (report_html_esc.h); links to crt.sh are built from numeric ids or
 * percent-encoded names.  The page is complete without its script. */
#include "report_html.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "report_html_assets.h"
#include "report_html_esc.h"
#include "report_html_internal.h"

#ifndef CTMON_VERSION
#define CTMON_VERSION "unknown"
#endif

#define DAY_S INT64_C(86400)

void html_fail_store(struct html_page *p, int rc)
{
	if (p->rc != CTMON_OK)
		return;
	p->rc = rc;
	snprintf(p->errmsg, sizeof p->errmsg, "%s", ctm_store_errmsg(p->s));
}

void html_fail_oom(struct html_page *p)
{
	if (p->rc != CTMON_OK)
		return;
	p->rc = CTMON_ENOMEM;
	snprintf(p->errmsg, sizeof p->errmsg, "out of memory");
}

static void put_text(struct html_page *p, const char *s)
{
	ctm_html_text(p->out, s);
}

static void put_time_cell(struct html_page *p, int64_t t)
{
	char day[16], full[32];

	if (t <= 0) {
		ctm_buf_puts(p->out, "<td data-v=\"0\">\xe2\x80\x94</td>");
		return;
	}
	html_date(t, day, sizeof day);
	ctm_format_time(t, full, sizeof full);
	ctm_buf_printf(p->out,
		       "<td data-v=\"%" PRId64 "\"><time datetime=\"%s\">%s"
		       "</time></td>",
		       t, full, day);
}

static void card(struct html_page *p, const char *kind, int64_t n,
		 const char *label, int alarm)
{
	ctm_buf_printf(p->out,
		       "<div class=\"card%s\" data-card=\"%s\"><b>%" PRId64
		       "</b><span>%s</span></div>",
		       alarm && n > 0 ? " alarm" : "", kind, n, label);
}

/* ---- figures of a scope ------------------------------------------------- */

static void cards(struct html_page *p, const struct ctm_report_span *span)
{
	ctm_buf_puts(p->out, "<div class=\"cards\">");
	card(p, "certificates", span->issuances, "certificates", 0);
	card(p, "valid", span->valid, "valid now", 0);
	card(p, "expiring", span->expiring_30d, "expire within 30 days", 1);
	card(p, "subdomains", span->subdomains, "subdomains", 0);
	card(p, "dangling", span->dangling, "dangling CNAMEs", 1);
	card(p, "open-alerts", span->open_alerts, "open alerts", 1);
	ctm_buf_puts(p->out, "</div>");
}

/* ---- alert counts by type and severity --------------------------------- */

static int alert_count_row(void *ctx, const char *type, int severity,
			   int64_t count)
{
	struct html_page *p = ctx;
	const char *sev = ctmon_severity_name((enum ctmon_severity)severity);

	ctm_buf_printf(p->out,
		       "<tr><td data-v=\"%d\"><span class=\"badge sev-%s\">%s"
		       "</span></td><td>",
		       severity, sev, sev);
	put_text(p, type);
	ctm_buf_printf(p->out, "</td><td class=\"num\">%" PRId64 "</td></tr>",
		       count);
	return 0;
}

static void alert_counts(struct html_page *p, const char *scope)
{
	int rc;

	ctm_buf_puts(p->out,
		     "<h3>Open alerts by type and severity</h3>"
		     "<table class=\"sortable\" data-table=\"alert-counts\">"
		     "<thead><tr><th>Severity</th><th>Type</th>"
		     "<th>Open</th></tr></thead><tbody>");
	rc = ctm_store_report_alert_counts(p->s, scope, 1, alert_count_row,
					   p);
	if (rc != CTMON_OK)
		html_fail_store(p, rc);
	ctm_buf_puts(p->out, "</tbody></table>");
}

/* ---- alerts ------------------------------------------------------------- */

static const char *member_str(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o && json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static void alert_names(struct html_page *p, struct json_object *iss,
			const char *key)
{
	struct json_object *names = NULL;
	size_t n = 0;

	if (iss && json_object_object_get_ex(iss, "names", &names) &&
	    json_object_is_type(names, json_type_array))
		n = json_object_array_length(names);
	if (n == 0) {
		/* Alerts without an issuance (typosquat domains, ...): the
		 * key says what they are about. */
		put_text(p, key);
		return;
	}
	for (size_t i = 0; i < n && i < CTM_HTML_MAX_NAMES; i++) {
		struct json_object *v = json_object_array_get_idx(names, i);
		if (i)
			ctm_buf_puts(p->out, "<br>");
		put_text(p, json_object_get_string(v));
	}
	if (n > CTM_HTML_MAX_NAMES)
		ctm_buf_printf(p->out, "<br>+%zu more",
			       n - CTM_HTML_MAX_NAMES);
}

static void alert_crtsh(struct html_page *p, struct json_object *iss)
{
	struct json_object *ids = NULL;
	size_t n = 0, shown = 0;

	if (iss && json_object_object_get_ex(iss, "crtsh_ids", &ids) &&
	    json_object_is_type(ids, json_type_array))
		n = json_object_array_length(ids);
	for (size_t i = 0; i < n && shown < 2; i++) {
		struct json_object *v = json_object_array_get_idx(ids, i);
		int64_t id;
		if (!json_object_is_type(v, json_type_int) ||
		    (id = json_object_get_int64(v)) <= 0)
			continue;
		ctm_buf_puts(p->out, shown ? "<br><a href=" : "<a href=");
		ctm_html_crtsh_id_href(p->out, id);
		ctm_buf_printf(p->out,
			       " rel=\"noreferrer noopener\">%" PRId64 "</a>",
			       id);
		shown++;
	}
	if (!shown)
		ctm_buf_puts(p->out, "\xe2\x80\x94");
}

static void alert_validity(struct html_page *p, struct json_object *iss)
{
	const char *nb = member_str(iss, "not_before");
	const char *na = member_str(iss, "not_after");
	int64_t a = 0, b = 0;

	if (!nb || !na) {
		ctm_buf_puts(p->out, "\xe2\x80\x94");
		return;
	}
	put_text(p, nb);
	ctm_buf_puts(p->out, " \xe2\x86\x92 ");
	put_text(p, na);
	if (ctm_parse_time(nb, &a) == 0 && ctm_parse_time(na, &b) == 0 &&
	    b > a)
		ctm_buf_printf(p->out, " (%" PRId64 " days)", (b - a) / DAY_S);
}

static int alert_row(void *ctx, const struct ctm_report_alert *a)
{
	struct html_page *p = ctx;
	const char *sev = ctmon_severity_name((enum ctmon_severity)a->severity);
	struct json_object *details = a->details
					      ? json_tokener_parse(a->details)
					      : NULL;
	struct json_object *iss = NULL;
	const char *issuer;

	if (details)
		json_object_object_get_ex(details, "issuance", &iss);
	ctm_buf_printf(p->out,
		       "<tr data-alert=\"%" PRId64 "\"><td data-v=\"%d\">"
		       "<span class=\"badge sev-%s\">%s</span></td><td>",
		       a->id, a->severity, sev, sev);
	put_text(p, a->type);
	if (a->baseline)
		ctm_buf_puts(p->out, "<br><span class=\"note\">baseline</span>");
	ctm_buf_puts(p->out, "</td>");
	put_time_cell(p, a->created_at);
	ctm_buf_puts(p->out, "<td class=\"name\">");
	alert_names(p, iss, a->key);
	ctm_buf_puts(p->out, "</td><td>");
	issuer = member_str(iss, "issuer");
	put_text(p, issuer && issuer[0] ? issuer : "\xe2\x80\x94");
	ctm_buf_puts(p->out, "</td><td>");
	alert_validity(p, iss);
	ctm_buf_puts(p->out, "</td><td>");
	alert_crtsh(p, iss);
	ctm_buf_puts(p->out, "</td></tr>");
	json_object_put(details);
	return p->out->oom;
}

static void alert_table(struct html_page *p, const char *scope, int open,
			int limit, const char *kind)
{
	int rc;

	ctm_buf_printf(p->out,
		       "<table class=\"sortable filterable\" "
		       "data-table=\"%s\"><thead><tr><th>Severity</th>"
		       "<th>Type</th><th>Raised</th><th>Names</th>"
		       "<th>Issuer</th><th>Validity (UTC)</th><th>crt.sh</th>"
		       "</tr></thead><tbody>",
		       kind);
	rc = ctm_store_report_alerts(p->s, scope, open, limit, alert_row, p);
	if (rc != CTMON_OK)
		html_fail_store(p, rc);
	ctm_buf_puts(p->out, "</tbody></table>");
}

static int add_count(void *ctx, const char *type, int severity,
		     int64_t count)
{
	int64_t *n = ctx;

	(void)type;
	(void)severity;
	*n += count;
	return 0;
}

static void alerts(struct html_page *p, const char *scope,
		   const struct ctm_report_span *span)
{
	int64_t acked = 0;
	int rc;

	ctm_buf_printf(p->out, "<h3>Open alerts</h3><p class=\"note\">"
			       "Newest first");
	if (span->open_alerts > CTM_HTML_MAX_OPEN)
		ctm_buf_printf(p->out, "; the newest %d of %" PRId64 " shown",
			       CTM_HTML_MAX_OPEN, span->open_alerts);
	ctm_buf_puts(p->out, ".</p>");
	if (span->open_alerts > 0)
		alert_table(p, scope, 1, CTM_HTML_MAX_OPEN, "open-alerts");
	rc = ctm_store_report_alert_counts(p->s, scope, 0, add_count, &acked);
	if (rc != CTMON_OK) {
		html_fail_store(p, rc);
		return;
	}
	if (acked == 0)
		return;
	ctm_buf_printf(p->out,
		       "<details data-acknowledged=\"%" PRId64 "\"><summary>"
		       "%" PRId64 " acknowledged alert%s",
		       acked, acked, acked == 1 ? "" : "s");
	if (acked > CTM_HTML_MAX_ACKED)
		ctm_buf_printf(p->out, " (the newest %d shown)",
			       CTM_HTML_MAX_ACKED);
	ctm_buf_puts(p->out, "</summary>");
	alert_table(p, scope, 0, CTM_HTML_MAX_ACKED, "acknowledged-alerts");
	ctm_buf_puts(p->out, "</details>");
}

/* ---- subdomains --------------------------------------------------------- */

static void dns_badge(struct html_page *p, const char *status)
{
	const char *cls = "dns-other";

	if (status && strcmp(status, "dangling_cname") == 0)
		cls = "dns-dangling_cname";
	else if (status && strcmp(status, "resolved") == 0)
		cls = "dns-resolved";
	ctm_buf_printf(p->out, "<span class=\"badge %s\">", cls);
	if (status && strcmp(status, "dangling_cname") == 0)
		ctm_buf_puts(p->out, "dangling CNAME");
	else
		put_text(p, status ? status : "unresolved");
	ctm_buf_puts(p->out, "</span>");
}

static int subdomain_row(void *ctx, const struct ctm_report_sub *sd)
{
	struct html_page *p = ctx;
	int dangling =
		sd->dns_status && strcmp(sd->dns_status, "dangling_cname") == 0;

	ctm_buf_printf(p->out, "<tr%s><td class=\"name\"><a href=",
		       dangling ? " class=\"dangling\"" : "");
	ctm_html_crtsh_query_href(p->out, sd->name);
	ctm_buf_puts(p->out, " rel=\"noreferrer noopener\">");
	put_text(p, sd->name);
	ctm_buf_puts(p->out, "</a></td>");
	put_time_cell(p, sd->appeared);
	put_time_cell(p, sd->first_seen);
	ctm_buf_puts(p->out, "<td>");
	dns_badge(p, sd->dns_status);
	ctm_buf_puts(p->out, "</td><td class=\"name\">");
	if (sd->cname && sd->cname[0]) {
		ctm_buf_puts(p->out, "CNAME ");
		put_text(p, sd->cname);
		if (sd->addresses && sd->addresses[0])
			ctm_buf_puts(p->out, "<br>");
	}
	put_text(p, sd->addresses ? sd->addresses : "");
	ctm_buf_puts(p->out, "</td></tr>");
	return p->out->oom;
}

static void subdomains(struct html_page *p, const char *scope,
		       const struct ctm_report_span *span)
{
	int rc;

	ctm_buf_puts(p->out, "<h3>Subdomains</h3><p class=\"note\">"
			     "Dangling CNAMEs first (highlighted), then the "
			     "newest");
	if (span->subdomains > CTM_HTML_MAX_SUBDOMAINS)
		ctm_buf_printf(p->out, "; %d of %" PRId64 " shown",
			       CTM_HTML_MAX_SUBDOMAINS, span->subdomains);
	ctm_buf_puts(p->out,
		     ".</p><table class=\"sortable filterable\" "
		     "data-table=\"subdomains\"><thead><tr><th>Name</th>"
		     "<th>First certificate</th><th>Seen by ctmon</th>"
		     "<th>DNS</th><th>Answer</th></tr></thead><tbody>");
	rc = ctm_store_report_subdomains(p->s, scope, CTM_HTML_MAX_SUBDOMAINS,
					 subdomain_row, p);
	if (rc != CTMON_OK)
		html_fail_store(p, rc);
	ctm_buf_puts(p->out, "</tbody></table>");
}

/* ---- sections ----------------------------------------------------------- */

/* ["a.com", ...] for the store's scope parameter. */
static char *scope_of(char *const *domains, size_t n)
{
	struct ctm_buf b;

	ctm_buf_init(&b);
	ctm_buf_puts(&b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			ctm_buf_puts(&b, ",");
		ctm_buf_json_string(&b, domains[i]);
	}
	ctm_buf_puts(&b, "]");
	if (b.oom) {
		ctm_buf_free(&b);
		return NULL;
	}
	return ctm_buf_take(&b);
}

static void domain_section(struct html_page *p, const char *domain,
			   size_t index)
{
	char *scope = scope_of((char *const *)&domain, 1);
	struct ctm_report_span span;
	int rc;

	if (!scope) {
		html_fail_oom(p);
		return;
	}
	rc = ctm_store_report_span(p->s, scope, p->now, &span);
	if (rc != CTMON_OK) {
		html_fail_store(p, rc);
		goto out;
	}
	ctm_buf_printf(p->out, "<section class=\"scope\" id=\"d-%zu\" "
			       "data-domain=\"", index);
	ctm_html_attr(p->out, domain);
	ctm_buf_puts(p->out, "\"><h2>");
	put_text(p, domain);
	ctm_buf_puts(p->out, "</h2>");
	cards(p, &span);
	html_charts(p, scope, &span);
	if (p->rc == CTMON_OK && span.subdomains > 0)
		subdomains(p, scope, &span);
	if (p->rc == CTMON_OK) {
		alert_counts(p, scope);
		alerts(p, scope, &span);
	}
	ctm_buf_puts(p->out, "</section>");
out:
	free(scope);
}

static void summary_section(struct html_page *p, char *const *domains,
			    size_t n)
{
	char *scope = scope_of(domains, n);
	struct ctm_report_span span;
	int rc;

	if (!scope) {
		html_fail_oom(p);
		return;
	}
	rc = ctm_store_report_span(p->s, scope, p->now, &span);
	if (rc != CTMON_OK) {
		html_fail_store(p, rc);
		goto out;
	}
	ctm_buf_printf(p->out,
		       "<section class=\"scope\" id=\"summary\" "
		       "data-domains=\"%zu\"><h2>Summary: %zu monitored "
		       "domain%s</h2><p class=\"note\">A certificate or a "
		       "subdomain under two monitored domains counts once."
		       "</p>",
		       n, n, n == 1 ? "" : "s");
	cards(p, &span);
	/* With one domain its own section shows the same charts. */
	if (n > 1)
		html_charts(p, scope, &span);
	if (p->rc == CTMON_OK)
		alert_counts(p, scope);
	ctm_buf_puts(p->out, "</section>");
out:
	free(scope);
}

static void page_head(struct html_page *p, size_t n)
{
	char stamp[32];

	ctm_format_time(p->now, stamp, sizeof stamp);
	ctm_buf_puts(p->out,
		     "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		     "<meta charset=\"utf-8\">"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\"");
	if (ctm_html_csp(p->out) != 0)
		html_fail_oom(p);
	ctm_buf_printf(p->out,
		       "\"><meta name=\"referrer\" content=\"no-referrer\">"
		       "<meta name=\"viewport\" content=\"width=device-width, "
		       "initial-scale=1\"><title>ctmon report \xe2\x80\x94 "
		       "%zu domain%s \xe2\x80\x94 %s</title><style>%s</style>"
		       "</head><body><header class=\"top\"><h1>Certificate "
		       "Transparency report</h1><p>Generated %s by ctmon %s"
		       "</p><nav><a href=\"#summary\">Summary</a>",
		       n, n == 1 ? "" : "s", stamp, ctm_html_style(), stamp,
		       CTMON_VERSION);
}

int ctm_report_html_build(struct ctm_store *s, char *const *domains,
			  size_t n, int64_t now, char **out,
			  struct ctm_error *err)
{
	struct ctm_buf buf;
	struct html_page p;

	*out = NULL;
	memset(&p, 0, sizeof p);
	ctm_buf_init(&buf);
	p.s = s;
	p.now = now;
	p.out = &buf;
	page_head(&p, n);
	for (size_t i = 0; i < n; i++) {
		ctm_buf_printf(&buf, "<a href=\"#d-%zu\">", i);
		put_text(&p, domains[i]);
		ctm_buf_puts(&buf, "</a>");
	}
	ctm_buf_puts(&buf, "<a href=\"#sources\">Sources</a></nav></header>"
			   "<main>");
	summary_section(&p, domains, n);
	for (size_t i = 0; i < n && p.rc == CTMON_OK; i++)
		domain_section(&p, domains[i], i);
	if (p.rc == CTMON_OK)
		html_sources(&p);
	ctm_buf_printf(&buf,
		       "</main><footer>ctmon %s \xe2\x80\x94 this page is "
		       "self-contained: it loads nothing and sends nothing."
		       "</footer><script>%s</script></body></html>\n",
		       CTMON_VERSION, ctm_html_script());
	if (buf.oom)
		html_fail_oom(&p);
	if (p.rc == CTMON_OK)
		*out = ctm_buf_take(&buf);
	else if (err)
		snprintf(err->text, sizeof err->text, "report: %s", p.errmsg);
	ctm_buf_free(&buf);
	return p.rc;
}
