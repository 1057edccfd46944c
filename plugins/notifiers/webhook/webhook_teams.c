/* webhook_teams.c - Microsoft Teams (incoming webhooks and Workflows): a
 * message with one Adaptive Card, a heading with the count and one
 * container per alert (facts and crt.sh buttons).  Teams refuses
 * messages over about 28 KB, so alerts go into cards until one would pass
 * TEAMS_MAX_BYTES.  Card text is markdown: certificate text is escaped so
 * it cannot become a link or emphasis. */
#include <string.h>

#include "njson.h"
#include "webhook.h"
#include "webhook_render.h"

#define TEAMS_MAX_BYTES 20000
#define TEAMS_MAX_ALERTS 25

static const char *sev_color(enum ctmon_severity s)
{
	switch (s) {
	case CTMON_SEV_CRITICAL: return "Attention";
	case CTMON_SEV_HIGH: return "Warning";
	case CTMON_SEV_MEDIUM: return "Accent";
	default: return "Default";
	}
}

/* One {"title": ..., "value": ...} fact from text rendered into `t`;
 * skipped when the value is empty. */
static void put_fact(struct nbuf *out, int *first, const char *title,
		     struct nbuf *t)
{
	if (t->len == 0)
		return;
	nt_cut(t, 0, 1000);
	nb_puts(out, *first ? "{\"title\":" : ",{\"title\":");
	*first = 0;
	nj_string(out, title);
	nb_puts(out, ",\"value\":");
	nj_string(out, nb_str(t));
	nb_puts(out, "}");
	nb_reset(t);
}

static void put_buttons(struct nbuf *out, const struct na_view *v)
{
	struct json_object *ids = na_crtsh_ids(v);
	size_t n = ids ? json_object_array_length(ids) : 0, shown = 0;

	for (size_t i = 0; i < n && shown < WH_MAX_LINKS; i++) {
		struct json_object *e = json_object_array_get_idx(ids, i);
		long long id;

		if (!json_object_is_type(e, json_type_int) ||
		    (id = (long long)json_object_get_int64(e)) <= 0)
			continue;
		nb_puts(out, shown++ ? "," : ",{\"type\":\"ActionSet\","
					      "\"actions\":[");
		nb_printf(out, "{\"type\":\"Action.OpenUrl\",\"title\":"
			  "\"crt.sh %lld\",\"url\":\"" NA_CRTSH_URL "%lld\"}",
			  id, id);
	}
	if (shown)
		nb_puts(out, "]}");
}

static void put_container(struct nbuf *out, const struct ctmon_alert *a)
{
	struct nbuf t = {0};
	struct na_view v;
	int first = 1;

	na_view_init(&v, a);
	nb_printf(&t, "**%s** \xc2\xb7 ", na_sev_upper(a->severity));
	wh_put_title(&t, &v, NT_MARKDOWN);
	if (a->baseline)
		nb_puts(&t, " (baseline)");
	nb_printf(out, "{\"type\":\"Container\",\"separator\":true,"
		  "\"spacing\":\"Medium\",\"items\":[{\"type\":\"TextBlock\","
		  "\"wrap\":true,\"weight\":\"Bolder\",\"color\":\"%s\","
		  "\"text\":", sev_color(a->severity));
	nj_string(out, nb_str(&t));
	nb_reset(&t);
	nb_puts(out, "},{\"type\":\"FactSet\",\"facts\":[");
	nt_put(&t, a->type, 64, NT_MARKDOWN);
	put_fact(out, &first, "Type", &t);
	nt_put(&t, a->domain, WH_MAX_VALUE, NT_MARKDOWN);
	put_fact(out, &first, "Domain", &t);
	nt_put(&t, na_issuer(&v), WH_MAX_VALUE, NT_MARKDOWN);
	put_fact(out, &first, "Issuer", &t);
	wh_put_names(&t, &v, NT_MARKDOWN, "");
	put_fact(out, &first, "Names", &t);
	wh_put_validity(&t, &v, NT_MARKDOWN);
	put_fact(out, &first, "Valid", &t);
	wh_put_details(&t, &v, NT_MARKDOWN);
	put_fact(out, &first, "Details", &t);
	nb_printf(&t, "\\#%lld (ctmon --ack %lld)", (long long)a->id,
		  (long long)a->id);
	put_fact(out, &first, "Alert", &t);
	nt_put(&t, a->key, WH_MAX_VALUE, NT_MARKDOWN);
	put_fact(out, &first, "Key", &t);
	nb_puts(out, "]}");
	put_buttons(out, &v);
	nb_puts(out, "]}");
	if (t.oom)
		out->oom = 1;
	nb_free(&t);
	na_view_free(&v);
}

int wh_build_teams(const struct ctmon_alert *const *a, size_t n, size_t *used,
		   struct nbuf *out)
{
	struct nbuf items = {0}, one = {0}, sum = {0};
	size_t k = 0;

	/* Greedy: containers are added while the card stays small enough;
	 * the first always goes in (each is bounded by the value caps). */
	while (k < n && k < TEAMS_MAX_ALERTS && !items.oom && !one.oom) {
		nb_reset(&one);
		put_container(&one, a[k]);
		if (k > 0 && items.len + one.len > TEAMS_MAX_BYTES)
			break;
		if (k > 0)
			nb_putc(&items, ',');
		nb_putn(&items, nb_str(&one), one.len);
		k++;
	}
	nb_puts(&sum, "ctmon: ");
	na_summary(&sum, a, k);
	nb_puts(out, "{\"type\":\"message\",\"summary\":");
	nj_string(out, nb_str(&sum));
	nb_puts(out, ",\"attachments\":[{\"contentType\":"
		     "\"application/vnd.microsoft.card.adaptive\","
		     "\"contentUrl\":null,\"content\":{\"$schema\":"
		     "\"http://adaptivecards.io/schemas/adaptive-card.json\","
		     "\"type\":\"AdaptiveCard\",\"version\":\"1.4\","
		     "\"msteams\":{\"width\":\"Full\"},\"body\":[{\"type\":"
		     "\"TextBlock\",\"size\":\"Medium\",\"weight\":\"Bolder\","
		     "\"wrap\":true,\"text\":");
	nj_string(out, nb_str(&sum));
	nb_puts(out, "},");
	nb_putn(out, nb_str(&items), items.len);
	nb_puts(out, "]}}]}");
	if (items.oom || one.oom || sum.oom)
		out->oom = 1;
	nb_free(&items);
	nb_free(&one);
	nb_free(&sum);
	*used = k;
	return out->oom ? CTMON_ENOMEM : CTMON_OK;
}
