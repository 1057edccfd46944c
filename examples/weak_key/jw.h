/* jw.h - a tiny JSON text writer for alert details.  Everything in a
 * certificate is attacker-controlled, so strings are always escaped and
 * invalid UTF-8 is replaced, never copied. */
#ifndef WEAK_KEY_JW_H
#define WEAK_KEY_JW_H

#include <stddef.h>
#include <stdint.h>

struct jw {
	char *buf;
	size_t len;
	size_t cap;
	int failed; /* an allocation failed; jw_text returns NULL */
};

/* Appends raw JSON text ("{", ",\"bits\":"). */
void jw_raw(struct jw *w, const char *text);
/* Appends s as a JSON string ("null" for NULL). */
void jw_str(struct jw *w, const char *s);
void jw_int(struct jw *w, int64_t v);
/* The text so far, or NULL after an allocation failure. */
const char *jw_text(const struct jw *w);
void jw_free(struct jw *w);

#endif
