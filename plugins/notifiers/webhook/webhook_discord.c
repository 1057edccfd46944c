/* webhook_discord.c - Discord webhooks: a content line with the count and
 * one embed per alert.  Discord refuses more than 10 embeds, or 6000
 * characters of embed text, per message, and a field over 1024: alerts go
 * into embeds until the next would pass either limit.  Embed text is
 * markdown: certificate text is escaped so it cannot become a masked
 * link, a mention or emphasis; allowed_mentions is empty as well. */
#include <string.h>

#include "njson.h"
#include "webhook.h"
#include "webhook_render.h"

#define DISCORD_MAX_EMBEDS 10
#define DISCORD_MAX_CHARS 5800
#define DISCORD_FIELD_MAX 1000

/* A field from text rendered into t (skipped when empty); adds the
 * characters Discord counts to *chars. */
static void put_field(struct nbuf *out, const char *name, struct nbuf *t,
		      int inl, size_t *chars)
{
	if (t->len == 0)
		return;
	nt_cut(t, 0, DISCORD_FIELD_MAX);
	nb_puts(out, ",{\"name\":");
	nj_string(out, name);
	nb_puts(out, ",\"value\":");
	nj_string(out, nb_str(t));
	nb_printf(out, ",\"inline\":%s}", inl ? "true" : "false");
	*chars += strlen(name) + nt_count_cp(nb_str(t), t->len);
	nb_reset(t);
}

/* One embed; returns the characters Discord counts for it. */
static size_t put_embed(struct nbuf *out, const struct ctmon_alert *a)
{
	struct nbuf t = {0};
	struct na_view v;
	size_t chars = 0;
	char when[32];

	na_view_init(&v, a);
	nb_printf(&t, "%s \xc2\xb7 ", na_sev_upper(a->severity));
	wh_put_title(&t, &v, NT_MARKDOWN);
	if (a->baseline)
		nb_puts(&t, " (baseline)");
	nt_cut(&t, 0, 250);
	chars += nt_count_cp(nb_str(&t), t.len);
	nb_puts(out, "{\"title\":");
	nj_string(out, nb_str(&t));
	nb_reset(&t);
	nb_printf(out, ",\"color\":%u", na_sev_color(a->severity));
	if (a->created_at > 0)
		nb_printf(out, ",\"timestamp\":\"%s\"",
			  na_time(a->created_at, when));
	nb_printf(&t, "ctmon alert #%lld \xc2\xb7 ctmon --ack %lld",
		  (long long)a->id, (long long)a->id);
	chars += nt_count_cp(nb_str(&t), t.len);
	nb_puts(out, ",\"footer\":{\"text\":");
	nj_string(out, nb_str(&t));
	nb_reset(&t);
	nb_puts(out, "},\"fields\":[{\"name\":\"Type\",\"value\":");
	nt_put(&t, a->type, 64, NT_MARKDOWN);
	if (t.len == 0)
		nb_puts(&t, "-");
	nj_string(out, nb_str(&t));
	nb_puts(out, ",\"inline\":true}");
	chars += 4 + nt_count_cp(nb_str(&t), t.len);
	nb_reset(&t);
	nt_put(&t, a->domain, WH_MAX_VALUE, NT_MARKDOWN);
	put_field(out, "Domain", &t, 1, &chars);
	nt_put(&t, na_issuer(&v), WH_MAX_VALUE, NT_MARKDOWN);
	put_field(out, "Issuer", &t, 0, &chars);
	wh_put_names(&t, &v, NT_MARKDOWN, "");
	put_field(out, "Names", &t, 0, &chars);
	wh_put_validity(&t, &v, NT_MARKDOWN);
	put_field(out, "Valid", &t, 0, &chars);
	wh_put_details(&t, &v, NT_MARKDOWN);
	put_field(out, "Details", &t, 0, &chars);
	wh_put_links(&t, &v, WH_LINK_MARKDOWN);
	put_field(out, "crt.sh", &t, 0, &chars);
	nt_put(&t, a->key, WH_MAX_VALUE, NT_MARKDOWN);
	put_field(out, "Key", &t, 0, &chars);
	nb_puts(out, "]}");
	if (t.oom)
		out->oom = 1;
	nb_free(&t);
	na_view_free(&v);
	return chars;
}

int wh_build_discord(const struct ctmon_alert *const *a, size_t n,
		     size_t *used, struct nbuf *out)
{
	struct nbuf embeds = {0}, one = {0}, sum = {0};
	size_t k = 0, total = 0;

	while (k < n && k < DISCORD_MAX_EMBEDS && !embeds.oom && !one.oom) {
		size_t chars;

		nb_reset(&one);
		chars = put_embed(&one, a[k]);
		if (k > 0 && total + chars > DISCORD_MAX_CHARS)
			break;
		if (k > 0)
			nb_putc(&embeds, ',');
		nb_putn(&embeds, nb_str(&one), one.len);
		total += chars;
		k++;
	}
	nb_puts(&sum, "**ctmon:** ");
	na_summary(&sum, a, k);
	nb_puts(out, "{\"content\":");
	nj_string(out, nb_str(&sum));
	nb_puts(out, ",\"allowed_mentions\":{\"parse\":[]},\"embeds\":[");
	nb_putn(out, nb_str(&embeds), embeds.len);
	nb_puts(out, "]}");
	if (embeds.oom || one.oom || sum.oom)
		out->oom = 1;
	nb_free(&embeds);
	nb_free(&one);
	nb_free(&sum);
	*used = k;
	return out->oom ? CTMON_ENOMEM : CTMON_OK;
}
