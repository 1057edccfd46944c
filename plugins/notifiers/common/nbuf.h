/* nbuf.h - growable text for the notifiers (webhook, email, exec).  These
 * files are compiled into each notifier .so; nothing here is exported. */
#ifndef NOTIF_NBUF_H
#define NOTIF_NBUF_H

#include <stddef.h>

#include "ctmon/plugin.h"

/* NUL-terminated once anything was appended.  On allocation failure `oom`
 * is set and later appends do nothing, so callers check once at the
 * end. */
struct nbuf {
	char *data;
	size_t len;
	size_t cap;
	int oom;
};

void nb_free(struct nbuf *b);
void nb_reset(struct nbuf *b);
void nb_putn(struct nbuf *b, const void *p, size_t n);
void nb_puts(struct nbuf *b, const char *s);
void nb_putc(struct nbuf *b, char c);
void nb_printf(struct nbuf *b, const char *fmt, ...) CTMON_PRINTF(2, 3);
/* The text so far ("" when empty); valid until the next append. */
const char *nb_str(const struct nbuf *b);

#endif
