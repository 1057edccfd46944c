/* report_html_sources.c - the HTML report's source health table: what
 * each source publishes as "status.<item>" state (a crt.sh search per
 * domain, a CT log's head, cursor and backlog), the same rows the JSON
 * report's "sources" array and `ctmon --status` show.
 *
 * Last success is the status's own time (crt.sh last_query_at, CT log
 * updated_at, or last_success_at), else when the row was written; last
 * error is a status's last_error / last_error_at when a source records
 * one. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "report_html_esc.h"
#include "report_html_internal.h"

struct source_walk {
	struct html_page *p;
	const char *id;
	int rows;
};

static int64_t member_int(struct json_object *o, const char *key, int *has)
{
	struct json_object *v = NULL;

	*has = o && json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_int);
	return *has ? json_object_get_int64(v) : 0;
}

static void time_cell(struct html_page *p, int64_t t)
{
	char full[32];

	if (t <= 0) {
		ctm_buf_puts(p->out, "<td data-v=\"0\">\xe2\x80\x94</td>");
		return;
	}
	ctm_format_time(t, full, sizeof full);
	ctm_buf_printf(p->out, "<td data-v=\"%" PRId64 "\">%s</td>", t, full);
}

static int status_row(void *ctx, const struct ctm_kv_row *row)
{
	struct source_walk *w = ctx;
	struct html_page *p = w->p;
	struct json_object *v = json_tokener_parse(row->value);
	struct json_object *err = NULL;
	int64_t ok_at, err_at, backlog;
	int has, has_err_at, has_backlog;

	if (v && !json_object_is_type(v, json_type_object)) {
		json_object_put(v);
		v = NULL;
	}
	ok_at = member_int(v, "last_success_at", &has);
	if (!has)
		ok_at = member_int(v, "last_query_at", &has);
	if (!has)
		ok_at = member_int(v, "updated_at", &has);
	if (!has)
		ok_at = row->updated_at;
	err_at = member_int(v, "last_error_at", &has_err_at);
	backlog = member_int(v, "backlog", &has_backlog);
	ctm_buf_puts(p->out, "<tr><td>");
	ctm_html_text(p->out, w->id);
	ctm_buf_puts(p->out, "</td><td class=\"name\">");
	ctm_html_text(p->out, row->key + strlen("status."));
	ctm_buf_puts(p->out, "</td>");
	time_cell(p, ok_at);
	ctm_buf_puts(p->out, "<td>");
	if (v && json_object_object_get_ex(v, "last_error", &err) &&
	    json_object_is_type(err, json_type_string)) {
		ctm_html_text(p->out, json_object_get_string(err));
		if (has_err_at) {
			char full[32];
			ctm_format_time(err_at, full, sizeof full);
			ctm_buf_printf(p->out, " (%s)", full);
		}
	} else {
		ctm_buf_puts(p->out, "none recorded");
	}
	ctm_buf_puts(p->out, "</td>");
	if (has_backlog)
		ctm_buf_printf(p->out,
			       "<td class=\"num\" data-v=\"%" PRId64 "\">%" PRId64
			       "</td>",
			       backlog, backlog);
	else
		ctm_buf_puts(p->out, "<td class=\"num\" data-v=\"-1\">"
				     "\xe2\x80\x94</td>");
	ctm_buf_puts(p->out, "<td class=\"name\">");
	ctm_html_text(p->out, v ? json_object_to_json_string_ext(
					  v, JSON_C_TO_STRING_SPACED |
						     JSON_C_TO_STRING_NOSLASHESCAPE)
				: row->value);
	ctm_buf_puts(p->out, "</td></tr>");
	json_object_put(v);
	w->rows++;
	return p->out->oom;
}

void html_sources(struct html_page *p)
{
	struct source_walk w = {p, NULL, 0};
	char **ids = NULL, ns[300];
	int rc;

	ctm_buf_puts(p->out,
		     "<section class=\"scope\" id=\"sources\"><h2>Source "
		     "health</h2><p class=\"note\">What each source recorded "
		     "about its last runs: a crt.sh search per domain, a CT "
		     "log's backlog (entries between its cursor and the "
		     "log's head).</p><table class=\"sortable\" "
		     "data-table=\"sources\"><thead><tr><th>Source</th>"
		     "<th>Item</th><th>Last success (UTC)</th>"
		     "<th>Last error</th><th>Backlog</th><th>Status</th>"
		     "</tr></thead><tbody>");
	rc = ctm_store_source_ids(p->s, &ids);
	for (size_t i = 0; rc == CTMON_OK && ids[i]; i++) {
		w.id = ids[i];
		snprintf(ns, sizeof ns, "source:%s", ids[i]);
		rc = ctm_store_kv_foreach_prefix(p->s, ns, "status.",
						 status_row, &w);
	}
	if (rc != CTMON_OK)
		html_fail_store(p, rc);
	ctm_buf_puts(p->out, "</tbody></table>");
	if (w.rows == 0)
		ctm_buf_puts(p->out, "<p class=\"note\">No source has "
				     "recorded its status yet.</p>");
	ctm_buf_puts(p->out, "</section>");
	ctm_strv_free(ids);
}
