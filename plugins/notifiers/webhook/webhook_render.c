/* webhook_render.c - see webhook_render.h. */
#include "webhook_render.h"

#include <stdio.h>
#include <string.h>

void wh_put_title(struct nbuf *b, const struct na_view *v,
		  enum nt_style style)
{
	const char *title = na_title(v->a->type);

	if (title)
		nb_puts(b, title);
	else
		nt_put(b, v->a->type, 64, style);
}

void wh_put_names(struct nbuf *b, const struct na_view *v,
		  enum nt_style style, const char *quote)
{
	struct json_object *names = na_names(v);
	size_t n = names ? json_object_array_length(names) : 0, shown = 0;

	for (size_t i = 0; i < n && shown < WH_MAX_NAMES; i++) {
		struct json_object *e = json_object_array_get_idx(names, i);

		if (!json_object_is_type(e, json_type_string))
			continue;
		if (shown++)
			nb_puts(b, ", ");
		nb_puts(b, quote);
		nt_put(b, json_object_get_string(e), WH_MAX_VALUE, style);
		nb_puts(b, quote);
	}
	if (n > shown && shown)
		nb_printf(b, " (+%zu more)", n - shown);
}

void wh_put_validity(struct nbuf *b, const struct na_view *v,
		     enum nt_style style)
{
	const char *from = na_str(v->issuance, "not_before");
	const char *to = na_str(v->issuance, "not_after");

	if (!from || !to)
		return;
	nt_put(b, from, 40, style);
	nb_puts(b, " to ");
	nt_put(b, to, 40, style);
}

struct detail_ctx {
	struct nbuf *b;
	enum nt_style style;
	size_t n;
};

static void put_detail(void *ctx, const char *key, const char *value)
{
	struct detail_ctx *d = ctx;

	if (d->n++ >= 8)
		return;
	if (d->n > 1)
		nb_puts(d->b, ", ");
	nt_put(d->b, key, 40, d->style);
	nb_puts(d->b, "=");
	nt_put(d->b, value, WH_MAX_VALUE, d->style);
}

void wh_put_details(struct nbuf *b, const struct na_view *v,
		    enum nt_style style)
{
	struct detail_ctx d = {b, style, 0};

	na_each_detail(v, put_detail, &d);
}

void wh_put_links(struct nbuf *b, const struct na_view *v, enum wh_link how)
{
	struct json_object *ids = na_crtsh_ids(v);
	size_t n = ids ? json_object_array_length(ids) : 0, shown = 0;

	for (size_t i = 0; i < n && shown < WH_MAX_LINKS; i++) {
		struct json_object *e = json_object_array_get_idx(ids, i);
		long long id;

		/* Only integers: the link text is ours, never the alert's. */
		if (!json_object_is_type(e, json_type_int))
			continue;
		id = (long long)json_object_get_int64(e);
		if (id <= 0)
			continue;
		if (shown++)
			nb_puts(b, ", ");
		if (how == WH_LINK_SLACK)
			nb_printf(b, "<" NA_CRTSH_URL "%lld|%lld>", id, id);
		else
			nb_printf(b, "[%lld](" NA_CRTSH_URL "%lld)", id, id);
	}
}
