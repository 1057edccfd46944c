/* webhook_slack.c - Slack incoming webhooks, Block Kit: a header with the
 * count, then one mrkdwn section per alert.  Slack refuses a message with
 * more than 50 blocks or a section over 3000 characters, so a batch is
 * split and every section is cut to fit.  Sections are "verbatim": Slack
 * then turns no bare URL, channel or user name into a link or mention. */
#include "webhook.h"
#include "webhook_render.h"
#include "njson.h"

#define SLACK_MAX_BLOCKS 50
#define SLACK_SECTION_MAX 2900

/* An optional "*Label:* value" line: dropped again when the value turned
 * out empty. */
struct opt_line {
	size_t mark;
	size_t body;
};

static struct opt_line line_begin(struct nbuf *t, const char *label)
{
	struct opt_line l = {t->len, 0};

	nb_printf(t, "\n*%s:* ", label);
	l.body = t->len;
	return l;
}

static void line_end(struct nbuf *t, struct opt_line l)
{
	if (!t->oom && t->len == l.body) {
		t->len = l.mark;
		t->data[l.mark] = '\0';
	}
}

static void section_text(struct nbuf *t, const struct na_view *v)
{
	const struct ctmon_alert *a = v->a;
	const char *issuer = na_issuer(v);
	struct opt_line l;

	nb_printf(t, "*%s* \xc2\xb7 *", na_sev_upper(a->severity));
	wh_put_title(t, v, NT_MRKDWN);
	nb_puts(t, "* (`");
	nt_put(t, a->type, 64, NT_MRKDWN);
	nb_puts(t, "`)");
	if (a->baseline)
		nb_puts(t, " _baseline_");
	nb_puts(t, "\n*Domain:* `");
	nt_put(t, a->domain, WH_MAX_VALUE, NT_MRKDWN);
	nb_puts(t, "`");
	if (issuer && *issuer) {
		nb_puts(t, "\n*Issuer:* `");
		nt_put(t, issuer, WH_MAX_VALUE, NT_MRKDWN);
		nb_puts(t, "`");
	}
	l = line_begin(t, "Names");
	wh_put_names(t, v, NT_MRKDWN, "`");
	line_end(t, l);
	l = line_begin(t, "Valid");
	wh_put_validity(t, v, NT_MRKDWN);
	line_end(t, l);
	l = line_begin(t, "Details");
	wh_put_details(t, v, NT_MRKDWN);
	line_end(t, l);
	l = line_begin(t, "crt.sh");
	wh_put_links(t, v, WH_LINK_SLACK);
	line_end(t, l);
	/* The cut keeps the alert's identity: it goes last but is short,
	 * and the rest is cut first. */
	nt_cut(t, 0, SLACK_SECTION_MAX - WH_MAX_VALUE - 80);
	nb_printf(t, "\n*Alert:* #%lld (`ctmon --ack %lld`)", (long long)a->id,
		  (long long)a->id);
	l = line_begin(t, "Key");
	nb_puts(t, "`");
	nt_put(t, a->key, WH_MAX_VALUE, NT_MRKDWN);
	nb_puts(t, "`");
	line_end(t, l);
	nt_cut(t, 0, SLACK_SECTION_MAX);
}

static void put_section(struct nbuf *out, const struct ctmon_alert *a)
{
	struct nbuf t = {0};
	struct na_view v;

	na_view_init(&v, a);
	section_text(&t, &v);
	if (t.oom)
		out->oom = 1;
	nb_puts(out, "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\","
		     "\"verbatim\":true,\"text\":");
	nj_string(out, nb_str(&t));
	nb_puts(out, "}}");
	nb_free(&t);
	na_view_free(&v);
}

int wh_build_slack(const struct ctmon_alert *const *a, size_t n, size_t *used,
		   struct nbuf *out)
{
	struct nbuf sum = {0};
	size_t k = n < SLACK_MAX_BLOCKS - 1 ? n : SLACK_MAX_BLOCKS - 1;

	nb_puts(&sum, "ctmon: ");
	na_summary(&sum, a, k);
	nb_puts(out, "{\"text\":");
	nj_string(out, nb_str(&sum));
	nb_puts(out, ",\"unfurl_links\":false,\"unfurl_media\":false,"
		     "\"blocks\":[{\"type\":\"header\",\"text\":{\"type\":"
		     "\"plain_text\",\"emoji\":false,\"text\":");
	nj_string(out, nb_str(&sum));
	nb_puts(out, "}}");
	for (size_t i = 0; i < k; i++) {
		nb_putc(out, ',');
		put_section(out, a[i]);
	}
	nb_puts(out, "]}");
	nb_free(&sum);
	*used = k;
	return out->oom ? CTMON_ENOMEM : CTMON_OK;
}
