/* jw.c - see jw.h. */
#include "jw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct jw *w, const char *p, size_t n)
{
	char *grown;
	size_t cap;

	if (w->failed)
		return;
	if (w->len + n + 1 > w->cap) {
		cap = w->cap ? w->cap : 128;
		while (cap < w->len + n + 1)
			cap *= 2;
		grown = realloc(w->buf, cap);
		if (!grown) {
			w->failed = 1;
			return;
		}
		w->buf = grown;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void jw_raw(struct jw *w, const char *text) { put(w, text, strlen(text)); }

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is invalid:
 * overlong forms, surrogates and values past U+10FFFF included. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void jw_str(struct jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];

	if (!s) {
		jw_raw(w, "null");
		return;
	}
	put(w, "\"", 1);
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			jw_raw(w, "\\ufffd"); /* the replacement character */
			p++;
		} else if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p++;
			put(w, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", *p++);
			jw_raw(w, esc);
		} else {
			put(w, (const char *)p, n);
			p += n;
		}
	}
	put(w, "\"", 1);
}

void jw_int(struct jw *w, int64_t v)
{
	char num[32];

	snprintf(num, sizeof num, "%" PRId64, v);
	jw_raw(w, num);
}

const char *jw_text(const struct jw *w)
{
	return w->failed ? NULL : (w->buf ? w->buf : "");
}

void jw_free(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}
