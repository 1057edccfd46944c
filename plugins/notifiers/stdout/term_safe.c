/* term_safe.c - makes certificate text harmless on a terminal.  Names,
 * issuer DNs and serials come from whoever obtained the certificate; raw
 * ESC sequences could recolour or rewrite the screen and CR/LF could forge
 * whole alert lines, so everything that is not plain printable text
 * becomes a visible escape. */
#include <stdint.h>

#include "stdout_internal.h"

/* Decodes one strict UTF-8 sequence (no overlongs, no surrogates).
 * Returns its length and sets *cp, or 0 when the bytes are not UTF-8. */
static size_t utf8_decode(const unsigned char *p, uint32_t *cp)
{
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

/* Code points that are valid text but still control the display: C1
 * controls (0x9b is a one-byte CSI for some terminals), bidi overrides and
 * isolates (they reorder what is shown, "Trojan Source"), line and
 * paragraph separators, and the byte-order mark. */
static int is_display_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

void term_safe_put(struct outbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		uint32_t cp = 0;
		size_t n;

		if (*p == '\\') {
			outbuf_put(b, "\\\\", 2);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			outbuf_printf(b, "\\x%02x", *p);
			p++;
			continue;
		}
		if (*p < 0x80) {
			outbuf_put(b, p, 1);
			p++;
			continue;
		}
		n = utf8_decode(p, &cp);
		if (n == 0) {
			outbuf_printf(b, "\\x%02x", *p);
			p++;
			continue;
		}
		if (is_display_control(cp))
			outbuf_printf(b, "\\u{%04x}", (unsigned)cp);
		else
			outbuf_put(b, p, n);
		p += n;
	}
}
