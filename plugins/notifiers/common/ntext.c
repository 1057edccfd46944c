/* ntext.c - see ntext.h.  One decoder feeds every style, so invalid
 * UTF-8 and control characters are handled the same way everywhere and
 * only the final escaping differs per destination. */
#include "ntext.h"

#include <stdio.h>
#include <string.h>

size_t nt_utf8_decode(const unsigned char *p, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return p[0] ? 1 : 0;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		if ((p[1] & 0xc0) != 0x80)
			return 0;
		*cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
		return 2;
	}
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		*cp = ((uint32_t)(p[0] & 0x0f) << 12) |
		      ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
		if (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		*cp = ((uint32_t)(p[0] & 0x07) << 18) |
		      ((uint32_t)(p[1] & 0x3f) << 12) |
		      ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
		if (*cp < 0x10000 || *cp > 0x10ffff)
			return 0;
		return 4;
	}
	return 0;
}

void nt_put_cp(struct nbuf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		nb_putn(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		nb_putn(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		nb_putn(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		nb_putn(b, u, 4);
	}
}

/* Valid text that still controls the display: C0/C1 controls and DEL,
 * bidi marks, overrides and isolates ("Trojan Source"), line and
 * paragraph separators, the byte-order mark. */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* One character of the text as the style writes it. */
static void put_styled(struct nbuf *b, uint32_t cp, enum nt_style style)
{
	switch (style) {
	case NT_PLAIN:
		if (cp == '\\') {
			nb_puts(b, "\\\\");
			return;
		}
		break;
	case NT_HTML:
		switch (cp) {
		case '&': nb_puts(b, "&amp;"); return;
		case '<': nb_puts(b, "&lt;"); return;
		case '>': nb_puts(b, "&gt;"); return;
		case '"': nb_puts(b, "&quot;"); return;
		case '\'': nb_puts(b, "&#39;"); return;
		default: break;
		}
		break;
	case NT_MRKDWN:
		/* Slack asks for exactly these three as entities; with them
		 * gone no <link|text>, <!channel> or <@user> can be formed.
		 * A backtick would end the code span a value sits in, and
		 * mrkdwn has no escape for it: show U+02CB instead. */
		switch (cp) {
		case '&': nb_puts(b, "&amp;"); return;
		case '<': nb_puts(b, "&lt;"); return;
		case '>': nb_puts(b, "&gt;"); return;
		case '`': nt_put_cp(b, 0x02cb); return;
		default: break;
		}
		break;
	case NT_SHELL:
		if (cp < 0x80 && strchr("$`\"'\\;&|<>(){}!", (int)cp)) {
			char e[8];

			snprintf(e, sizeof e, "\\x%02x", (unsigned)cp);
			nb_puts(b, e);
			return;
		}
		break;
	case NT_MARKDOWN:
		/* Inline markup of Discord and Teams: emphasis, code, spoilers,
		 * strike-through, [masked](links), <@mentions>, #channels,
		 * and the backslash itself. */
		if (cp < 0x80 && strchr("\\`*_~|[]()<>#@!:", (int)cp)) {
			char e[2] = {'\\', (char)cp};
			nb_putn(b, e, 2);
			return;
		}
		break;
	}
	nt_put_cp(b, cp);
}

/* The visible form of a control character, styled like text but with its
 * backslash kept single in plain text (it is ours, not the input's). */
static void put_visible(struct nbuf *b, uint32_t cp, enum nt_style style)
{
	char e[16];

	if (cp < 0x100)
		snprintf(e, sizeof e, "\\x%02x", (unsigned)cp);
	else if (style == NT_SHELL)
		snprintf(e, sizeof e, "\\u%04x", (unsigned)cp); /* no braces */
	else
		snprintf(e, sizeof e, "\\u{%04x}", (unsigned)cp);
	if (style != NT_MARKDOWN) {
		nb_puts(b, e);
		return;
	}
	for (const char *p = e; *p; p++)
		put_styled(b, (unsigned char)*p, style);
}

void nt_put(struct nbuf *b, const char *s, size_t max_cp, enum nt_style style)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t used = 0;

	while (*p) {
		uint32_t cp = 0;
		size_t n = nt_utf8_decode(p, &cp);

		if (max_cp && used == max_cp) {
			nt_put_cp(b, 0x2026);
			return;
		}
		used++;
		if (n == 0) {
			nt_put_cp(b, 0xfffd);
			p++;
			continue;
		}
		p += n;
		if (is_control(cp))
			put_visible(b, cp, style);
		else
			put_styled(b, cp, style);
	}
}

size_t nt_count_cp(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

void nt_cut(struct nbuf *b, size_t start, size_t max_cp)
{
	size_t cps = 0, safe = start, i = start;
	int in_entity = 0, in_link = 0;

	if (b->oom || !b->data || max_cp == 0 ||
	    nt_count_cp(b->data + start, b->len - start) <= max_cp)
		return;
	/* Room for the ellipsis. */
	max_cp--;
	while (i < b->len && cps < max_cp) {
		unsigned char c = (unsigned char)b->data[i];
		size_t n = 1;

		while (i + n < b->len &&
		       ((unsigned char)b->data[i + n] & 0xc0) == 0x80)
			n++;
		if (c == '&')
			in_entity = 1;
		else if (c == ';')
			in_entity = 0;
		else if (c == '<')
			in_link = 1;
		else if (c == '>')
			in_link = 0;
		if (c == '\\' && i + 1 < b->len) {
			/* An escape and what it escapes stay together. */
			n++;
			cps++;
		}
		i += n;
		cps++;
		if (!in_entity && !in_link && cps <= max_cp)
			safe = i;
	}
	b->len = safe;
	b->data[b->len] = '\0';
	nt_put_cp(b, 0x2026);
}

void nt_ascii_safe(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return;
	for (size_t i = 0; s && i < len && s[i] && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[o] = '\0';
}
