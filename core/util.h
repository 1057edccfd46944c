/* util.h - small helpers shared by the core: allocation that checks,
 * growable strings, integer parsing without atoi, string lists. */
#ifndef CTM_UTIL_H
#define CTM_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* strdup that returns NULL for NULL. */
char *ctm_strdup(const char *s);
char *ctm_strndup(const char *s, size_t n);

/* Growable NUL-terminated buffer.  On allocation failure `oom` is set and
 * further appends are ignored, so callers check once at the end. */
struct ctm_buf {
	char *data;
	size_t len;
	size_t cap;
	int oom;
};
void ctm_buf_init(struct ctm_buf *b);
void ctm_buf_free(struct ctm_buf *b);
void ctm_buf_reset(struct ctm_buf *b);
void ctm_buf_append(struct ctm_buf *b, const void *p, size_t n);
void ctm_buf_puts(struct ctm_buf *b, const char *s);
void ctm_buf_printf(struct ctm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes included); invalid UTF-8 bytes
 * become U+FFFD so the output is always valid JSON. */
void ctm_buf_json_string(struct ctm_buf *b, const char *s);
/* Appends s for a terminal: control characters (C0, DEL, C1), bidi
 * controls and invalid UTF-8 bytes become "\\xHH", so text from a
 * certificate cannot move the cursor, recolour or rewrite the screen. */
void ctm_buf_term_safe(struct ctm_buf *b, const char *s);
/* Takes the data (caller frees); the buffer is reset. */
char *ctm_buf_take(struct ctm_buf *b);

/* Parses a whole string as a base-10 int64; returns 0 on success. */
int ctm_parse_int64(const char *s, int64_t *out);

/* NULL-terminated string lists. */
size_t ctm_strv_len(char *const *v);
void ctm_strv_free(char **v);
char **ctm_strv_dup(char *const *v);
/* Appends a copy of s; returns 0 or -1 on ENOMEM. */
int ctm_strv_push(char ***v, const char *s);

/* "2024-01-02T03:04:05[.fff]" (or a space instead of T), UTC -> seconds.
 * Returns 0 on success. */
int ctm_parse_time(const char *s, int64_t *out);
/* Seconds -> "2024-01-02T03:04:05Z" into buf (>= 21 bytes). */
void ctm_format_time(int64_t t, char *buf, size_t len);

#endif
