/* stdout_internal.h - pieces of the stdout notifier shared between its
 * files.  Everything here is hidden inside stdout.so. */
#ifndef STDOUT_INTERNAL_H
#define STDOUT_INTERNAL_H

#include <stddef.h>

#include "ctmon/plugin.h"

/* Growable NUL-terminated text.  On allocation failure `oom` is set and
 * later appends do nothing, so callers check once at the end. */
struct outbuf {
	char *data;
	size_t len;
	size_t cap;
	int oom;
};

void outbuf_free(struct outbuf *b);
void outbuf_put(struct outbuf *b, const void *p, size_t n);
void outbuf_puts(struct outbuf *b, const char *s);
void outbuf_printf(struct outbuf *b, const char *fmt, ...)
	CTMON_PRINTF(2, 3);

/* Appends untrusted text so that a terminal shows it as inert characters:
 * C0/C1 controls, DEL, invalid UTF-8 and bidi/line-separator code points
 * are written as visible escapes (\xNN, \u{NNNN}); '\' is doubled so an
 * escape in the output always means an escaped byte. */
void term_safe_put(struct outbuf *b, const char *s);

/* Appends the "text" format for a batch: a header line, then one line per
 * alert. */
void stdout_text_batch(struct outbuf *b, const struct ctmon_alert *const *a,
		       size_t n);

#endif
