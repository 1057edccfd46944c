/* webhook_render.h - lines the chat formats (Slack, Teams, Discord) share:
 * each takes the text style of its platform, so every piece of
 * certificate text is escaped for where it lands. */
#ifndef WEBHOOK_RENDER_H
#define WEBHOOK_RENDER_H

#include "nalert.h"
#include "ntext.h"

/* Longest certificate value shown in a chat message, in code points. */
#define WH_MAX_VALUE 300
/* Names shown per alert before "(+N more)". */
#define WH_MAX_NAMES 10
/* crt.sh links shown per alert. */
#define WH_MAX_LINKS 4

/* The alert's title: the known type's description, or its type. */
void wh_put_title(struct nbuf *b, const struct na_view *v,
		  enum nt_style style);
/* "a.example.com, b.example.com (+3 more)", each name between `quote`
 * (may be ""); "" when the alert has no names. */
void wh_put_names(struct nbuf *b, const struct na_view *v,
		  enum nt_style style, const char *quote);
/* "2026-01-01T00:00:00Z to 2026-04-01T00:00:00Z"; "" if unknown. */
void wh_put_validity(struct nbuf *b, const struct na_view *v,
		     enum nt_style style);
/* "key=value, key=value" of the check's own details. */
void wh_put_details(struct nbuf *b, const struct na_view *v,
		    enum nt_style style);
/* Links to the issuance's crt.sh pages (at most WH_MAX_LINKS), separated
 * by ", ": Slack's <url|text> or markdown's [text](url). */
enum wh_link { WH_LINK_SLACK, WH_LINK_MARKDOWN };
void wh_put_links(struct nbuf *b, const struct na_view *v, enum wh_link how);

#endif
